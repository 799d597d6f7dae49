"""Notifications: the outbox written with each ticket change, and the courier posting it to a real
local HTTP receiver (signed, in order, retried with backoff when the receiver is down, never twice)."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from assistant import notify
from assistant.actions import handoff
from assistant.clock import Clock
from assistant.errors import UsageError, UserError


class Receiver:
    """A real HTTP server on a loopback port that records every POST (or answers 503 while `down`)."""

    def __init__(self, answer: int | None = 204):
        """ANSWER: the status it answers every POST with (503 while `down`); None: it never answers."""
        self.got: list[dict] = []
        self.tried: list[float] = []   # when each POST came (time.monotonic())
        self.down = False
        self.released = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                outer.tried.append(time.monotonic())
                if answer is None:
                    outer.released.wait(60)
                    return
                if outer.down or answer >= 300:
                    self.send_response(503 if outer.down else answer)
                    self.end_headers()
                    return
                outer.got.append({"headers": dict(self.headers), "raw": raw, "body": json.loads(raw),
                                  "at": outer.tried[-1]})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


class Following(Clock):
    """The test context's clock, wherever the test moves it."""

    def __init__(self, ctx):
        self.ctx = ctx

    def now(self):
        return self.ctx.clock.now()


def courier(ctx, url: str, secret: str | None = "s3cret", **kwargs) -> notify.Courier:
    return notify.Courier(lambda: ctx.store, [notify.Target.parse(url)], secret, clock=Following(ctx), **kwargs)


def test_a_target_takes_its_format_from_a_prefix_or_the_webhooks_host():
    assert notify.Target.parse("https://example.com/h").format == "json"
    assert notify.Target.parse("slack:https://example.com/h") == notify.Target("https://example.com/h", "slack")
    assert notify.Target.parse("https://oapi.dingtalk.com/robot/send?access_token=x").format == "dingtalk"
    assert notify.Target.parse("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x").format == "wecom"
    assert notify.Target.parse("https://open.feishu.cn/open-apis/bot/v2/hook/x").format == "feishu"
    with pytest.raises(UserError, match="is not an http\\(s\\) URL"):
        notify.Target.parse("ftp://example.com/x")


@pytest.mark.parametrize("url", ["wecom:https://qyapi.weixin.qq.com/send?key=a b", "https://example.com/h\tx",
                                 "https://example.com/h\n"])
def test_a_receiver_with_a_space_or_control_character_is_refused_at_start_not_retried_forever(url):
    with pytest.raises(UserError, match="has a space or a control character.*percent-encode it"):
        notify.Target.parse(url)


@pytest.mark.parametrize("again", ["https://hooks.example.com/support", "https://Hooks.EXAMPLE.com/support/",
                                   "https://hooks.example.com:443/support", "slack:https://hooks.example.com/support"])
def test_one_receiver_given_twice_is_refused_naming_it(again):
    """Two targets of one receiver would be two couriers racing over one stored place in the outbox
    (or posting each event twice): however the URL is written again, it is refused."""
    with pytest.raises(UsageError, match=r"--notify '.*' is given twice.*give each receiver once") as refused:
        notify.targets(["https://hooks.example.com/support", again])
    assert repr(again) in str(refused.value)
    assert len(notify.targets(["https://hooks.example.com/support", "https://hooks.example.com/other",
                               "https://hooks.example.com/support?key=2"])) == 3


def test_serve_with_one_receiver_given_twice_stops_at_once_with_one_line_and_a_non_zero_exit(tmp_path, receiver):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "ASSISTANT_DB": str(tmp_path / "s.db"), "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("ASSISTANT_SERVER", None)
    try:
        done = subprocess.run([sys.executable, "-m", "assistant", "--role", "admin", "serve", "--port", str(port),
                               "--notify", receiver.url, "--notify", receiver.url + "/"],
                              env=env, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("serve started with one receiver given twice")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [f"error: --notify '{receiver.url}/' is given twice (the same receiver as "
                                        f"'{receiver.url}'); give each receiver once"]


def test_each_format_carries_the_ticket():
    row = {"id": 7, "event": "ticket.created", "at": "2026-03-02 10:00:00",
           "payload": json.dumps({"id": 3, "account": "demo", "priority": "urgent", "summary": "Template rejected"})}
    generic = json.loads(notify.body(row, "json"))
    assert generic == {"event": "ticket.created", "id": 7, "at": "2026-03-02T10:00:00+08:00",
                       "ticket": {"id": 3, "account": "demo", "priority": "urgent", "summary": "Template rejected"}}
    assert "ticket #3" in json.loads(notify.body(row, "dingtalk"))["text"]["content"]
    assert "ticket #3" in json.loads(notify.body(row, "wecom"))["text"]["content"]
    assert "ticket #3" in json.loads(notify.body(row, "feishu"))["content"]["text"]
    assert "ticket #3" in json.loads(notify.body(row, "slack"))["text"]


EVIL = "<!channel> & <https://evil.example/login|Open ticket in desk> @all <at user_id=\"all\">所有人</at> [Open](https://evil.example)"


def _text(fmt: str, body: dict) -> str:
    return {"slack": lambda: body["text"], "feishu": lambda: body["content"]["text"],
            "dingtalk": lambda: body["text"]["content"], "wecom": lambda: body["text"]["content"]}[fmt]()


@pytest.mark.parametrize("fmt, plain, gone", [
    ("slack", "&lt;!channel&gt; &amp; &lt;https://evil.example/login|Open ticket in desk&gt; @all",
     ["<!channel>", "<https://", " & "]),
    ("feishu", "＜at user_id=\"all\"＞所有人＜/at＞ ［Open］(https://evil.example)", ["<at", "[Open]", "@all"]),
    ("dingtalk", "<!channel> & <https://evil.example/login|Open ticket in desk> ＠all", ["@all"]),
    ("wecom", "<!channel> & <https://evil.example/login|Open ticket in desk> ＠all", ["@all"]),
])
def test_a_customers_words_reach_a_chat_robot_as_plain_text_never_a_mention_or_a_disguised_link(ctx, receiver, fmt,
                                                                                              plain, gone):
    """Each robot reads its own markup in the text it is given: Slack `<!channel>` and `<url|label>`,
    Feishu `<at user_id="all">` and `[label](url)`, DingTalk and WeCom an `@all`."""
    sender = courier(ctx, f"{fmt}:{receiver.url}")
    sender.run_once(ctx.store)
    ticket = handoff.create(ctx, EVIL)
    assert sender.run_once(ctx.store) == 1
    text = _text(fmt, receiver.got[0]["body"])
    assert text.startswith(f"[Digital Message support] ticket.created: ticket #{ticket['id']} (")  # the service's own
    assert plain in text, text
    for markup in gone:
        assert markup not in text, text


def test_the_assistants_own_json_keeps_the_customers_words_as_written(ctx, receiver):
    sender = courier(ctx, receiver.url)
    sender.run_once(ctx.store)
    ticket = handoff.create(ctx, EVIL)
    sender.run_once(ctx.store)
    assert receiver.got[0]["body"]["ticket"]["summary"] == ticket["summary"]
    assert "<!channel>" in ticket["summary"] and "@all" in ticket["summary"]


def test_ticket_events_reach_the_receiver_signed_and_in_order(ctx, receiver):
    sender = courier(ctx, receiver.url)
    sender.run_once(ctx.store)  # the receiver's place starts at what exists now
    ticket = handoff.create(ctx, "my template was rejected")
    manager = type(ctx)(ctx.store, ctx.kb, ctx.clock, "demo", "manager:lin", "manager")
    handoff.claim(manager, ticket["id"], "lin")  # a claim is not announced
    handoff.reply(manager, ticket["id"], "Resubmit with the letter.", "lin")
    handoff.answer(ctx, ticket["id"], "Done, resubmitted.")
    handoff.resolve(manager, ticket["id"], "Approved.", "lin")
    assert sender.run_once(ctx.store) == 4
    events = [g["body"]["event"] for g in receiver.got]
    assert events == ["ticket.created", "ticket.replied", "ticket.answered", "ticket.resolved"]
    first = receiver.got[0]
    assert first["body"]["ticket"] == {"id": ticket["id"], "account": "demo", "priority": "normal",
                                       "summary": ticket["summary"]}
    expected = "sha256=" + hmac.new(b"s3cret", first["raw"], hashlib.sha256).hexdigest()
    assert first["headers"]["X-Assistant-Signature"] == expected
    ids = [g["headers"]["X-Assistant-Event-Id"] for g in receiver.got]
    assert len(set(ids)) == 4
    assert sender.run_once(ctx.store) == 0  # nothing is sent twice


def test_a_receiver_that_is_down_gets_each_event_later_exactly_once(ctx, receiver):
    sender = courier(ctx, receiver.url, secret=None)
    sender.run_once(ctx.store)
    receiver.down = True
    handoff.create(ctx, "first")
    ctx.later(minutes=1)
    handoff.answer(ctx, 1, "more words")
    assert sender.run_once(ctx.store) == 0
    receiver.down = False
    assert sender.run_once(ctx.store) == 0  # backing off: not before its time
    ctx.later(seconds=2)
    restarted = courier(ctx, receiver.url, secret=None)  # a new courier (a restarted service) goes on from the database
    assert restarted.run_once(ctx.store) == 2
    assert [g["body"]["event"] for g in receiver.got] == ["ticket.created", "ticket.answered"]
    assert "X-Assistant-Signature" not in receiver.got[0]["headers"]
    assert restarted.run_once(ctx.store) == 0


def test_a_ticket_without_a_first_reply_in_time_is_announced_overdue_once(ctx, receiver):
    sender = courier(ctx, receiver.url, first_reply={"normal": 480, "urgent": 60})
    sender.run_once(ctx.store)
    handoff.create(ctx, "nobody answers")
    ctx.later(hours=7)
    sender.run_once(ctx.store)
    assert [g["body"]["event"] for g in receiver.got] == ["ticket.created"]
    ctx.later(hours=2)
    sender.run_once(ctx.store)
    sender.run_once(ctx.store)
    assert [g["body"]["event"] for g in receiver.got] == ["ticket.created", "ticket.overdue"]


def test_the_service_notifies_within_five_seconds(serve, receiver):
    server = serve("--notify", receiver.url, "--notify-secret", "s3cret")
    customer = server.token("--account", "demo")
    time.sleep(1.5)  # the courier has taken its place in the outbox
    status, ticket = server.call("POST", "/v1/tickets", customer, {"reason": "please call me"})
    assert status == 200
    deadline = time.monotonic() + 5
    while not receiver.got and time.monotonic() < deadline:
        time.sleep(0.1)
    assert receiver.got and receiver.got[0]["body"]["event"] == "ticket.created"
    assert receiver.got[0]["body"]["ticket"]["id"] == ticket["id"]
    raw = receiver.got[0]["raw"]
    assert receiver.got[0]["headers"]["X-Assistant-Signature"] == \
        "sha256=" + hmac.new(b"s3cret", raw, hashlib.sha256).hexdigest()


def test_a_receiver_that_never_answers_or_fails_holds_no_other_and_the_service_still_stops_at_once(serve):
    """Each receiver is delivered to on its own: with one that never answers (the courier's 5 s
    timeout each try) and one that answers 500 listed first, the healthy one gets each event
    within about a second, the failing one is retried after 1, 2 and 5 s, and `serve` stops in
    about two seconds."""
    hung, failing, healthy = Receiver(answer=None), Receiver(answer=500), Receiver()
    try:
        server = serve("--notify", hung.url, "--notify", failing.url, "--notify", healthy.url)
        customer = server.token("--account", "demo")
        time.sleep(1.5)  # every receiver has taken its place in the outbox
        late = []
        for n in range(4):
            asked = time.monotonic()
            path, body = ("/v1/tickets", {"reason": "please call me"}) if n == 0 else \
                ("/v1/tickets/1/answer", {"text": f"more words {n}"})
            status, _ = server.call("POST", path, customer, body)
            assert status == 200
            while len(healthy.got) <= n and time.monotonic() < asked + 10:
                time.sleep(0.02)
            assert len(healthy.got) == n + 1, healthy.got
            late.append(round(healthy.got[n]["at"] - asked, 2))
            time.sleep(1.5)
        assert max(late) < 1.6, late
        assert [g["body"]["event"] for g in healthy.got] == ["ticket.created"] + ["ticket.answered"] * 3
        deadline = time.monotonic() + 15
        while len(failing.tried) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        gaps = [round(b - a, 1) for a, b in zip(failing.tried, failing.tried[1:])]
        assert len(gaps) >= 3 and all(want <= gap < want + 1.6 for want, gap in zip((1, 2, 5), gaps)), gaps
        tries = len(hung.tried)
        while len(hung.tried) == tries and time.monotonic() < deadline + 15:   # stopped while it waits on it
            time.sleep(0.02)
        assert len(hung.tried) > tries
        stopping = time.monotonic()
        server.process.send_signal(signal.SIGINT)   # Ctrl-C
        server.process.wait(15)
        assert time.monotonic() - stopping < 3, server.stderr()
    finally:
        for r in (hung, failing, healthy):
            r.close()
