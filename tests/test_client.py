"""The CLI's remote mode: the same commands through the service give the same output, text and
--json, as on a local database; the token bounds what --account and --role can do."""

from __future__ import annotations

import json
import re

import pytest

MANAGER = ("--role", "manager", "--user", "lin")

# The whole onboarding and the handoff, as (when, who, argv). Embedded, the manager is --role manager
# --user lin; remotely, lin's manager token (and --role manager, which the token must match).
STORY = [
    ("2026-03-02T10:00", "customer", ["enable"]),
    ("2026-03-02T10:00", "customer", ["ask", "how long does signature review take"]),
    ("2026-03-02T10:00", "customer", ["signature", "submit", "AcmeShop", "--source", "trademark"]),
    ("2026-03-17T10:00", "customer", ["signature", "status", "AcmeShop"]),
    ("2026-03-17T10:00", "customer", ["template", "create", "--name", "Sale", "--signature", "AcmeShop",
                                      "--industry", "e-commerce", "--text", "Hi ${name}", "--media", "{image}"]),
    ("2026-03-20T10:00", "customer", ["template", "status"]),
    ("2026-03-20T10:00", "customer", ["send", "DIGITAL_SMS_0001", "13800138000", "13312345678", "--param", "name=Tom"]),
    ("2026-03-20T10:01", "customer", ["send", "DIGITAL_SMS_0001", "--file", "{csv}"]),
    ("2026-03-20T10:01", "customer", ["send", "list"]),  # a minute apart: same-second sends list by request id
    ("2026-03-21T09:00", "customer", ["send", "list", "--template", "digital_sms_0001", "--day", "yesterday"]),
    ("2026-03-21T09:00", "customer", ["send", "list", "--phone", "+86 138 0013 8000"]),
    ("2026-03-21T09:00", "customer", ["send", "list", "--phone", "13598765432", "--day", "yesterday"]),
    ("2026-03-20T10:00", "customer", ["error", "isv.BUSINESS_LIMIT_CONTROL"]),
    ("2026-03-20T10:00", "customer", ["ask", "is DIGITAL_SMS_0001 approved"]),
    ("2026-03-20T10:05", "customer", ["handoff", "create", "--template", "DIGITAL_SMS_0001", "--reason", "campaign"]),
    ("2026-03-20T11:00", "manager", ["handoff", "list"]),
    ("2026-03-20T11:00", "manager", ["handoff", "claim", "1"]),  # lin: --user here, the token's user there
    ("2026-03-20T11:10", "manager", ["handoff", "reply", "1", "Resubmit", "with", "the", "letter"]),
    ("2026-03-20T12:00", "customer", ["inbox"]),
    ("2026-03-20T12:01", "customer", ["handoff", "answer", "1", "Done"]),
    ("2026-03-20T13:00", "manager", ["handoff", "resolve", "1", "--note", "resubmitted"]),
    ("2026-03-20T13:30", "customer", ["handoff", "show", "1"]),
    ("2026-03-20T13:30", "customer", ["handoff", "export", "1"]),
]
_REQUEST_ID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")


def _play(run, files: dict, json: bool, remote: dict | None, db: str) -> list[str]:
    outputs = []
    for now, who, argv in STORY:
        argv = [files.get(a.strip("{}"), a) if a.startswith("{") else a for a in argv]
        flags = ["--now", now] + (["--json"] if json else [])
        if remote:
            flags += ["--server", remote["url"], "--token", remote[who]] + (["--role", "manager"] if who == "manager" else [])
        else:
            flags += ["--db", db] + (list(MANAGER) if who == "manager" else [])
        result = run(*flags, *argv)
        assert result.code == 0 and not result.err, (argv, result.out, result.err)
        outputs.append(_REQUEST_ID.sub("<request id>", result.out))
    return outputs


@pytest.mark.parametrize("json", [False, True], ids=["text", "json"])
def test_the_remote_cli_prints_what_the_embedded_one_prints(serve, run, media, tmp_path, json, monkeypatch):
    monkeypatch.delenv("USER", raising=False)  # a customer's token names no person: nor does the embedded customer
    (tmp_path / "to.csv").write_text("phone,name\n18612345678,Ann\n", encoding="utf-8")
    files = {"image": media["image"], "csv": str(tmp_path / "to.csv")}
    server = serve("--allow-simulated-clock")
    remote = {"url": server.url, "customer": server.token("--account", "demo"),
              "manager": server.token("--user", "lin", "--role", "manager")}
    embedded = _play(run, files, json, None, str(tmp_path / "local.db"))
    through = _play(run, files, json, remote, "")
    from assistant import tokens
    from assistant.storage import open_store

    store = open_store(server.db)
    token = f"customer:token#{tokens.authenticate(store, remote['customer']).token_id}"
    store.close()
    for (_, _, argv), mine, theirs in zip(STORY, embedded, through):
        if token in theirs:  # who acted: the service names the customer's token, the embedded CLI "customer"
            theirs, mine = _unaligned(theirs.replace(token, "customer")), _unaligned(mine)
        assert theirs == mine, argv
    assert token in through[8] and token in through[-1]   # `send list` and the ticket's history name the token
    assert "Resubmit with the letter" in through[18] and "resubmitted" in through[21]
    assert "DIGITAL_SMS_0001" in through[8]  # `send list` lists the sends
    assert through[9].count("DIGITAL_SMS_0001") == 2   # kept to the template and to yesterday, on the service's clock
    if json:   # the sends to one number: that number's own result in each
        assert [s["recipient"]["status"] for s in __import__("json").loads(through[10])] == ["sent"]
        assert __import__("json").loads(through[11]) == []
    else:      # a number never sent to is named with the token's account
        assert through[10].startswith("Sends to 13800138000, newest first:") and "China Mobile" in through[10]
        assert through[11] == "No send to 13598765432 in account 'demo' made yesterday.\n"


def _unaligned(text: str) -> str:
    """TEXT without the padding of its table columns (a longer actor name widens a column)."""
    return re.sub(r"-{2,}", "--", re.sub(r"(?<=\S) {2,}(?=\S)", "  ", text))


REFUSALS = [["--json", "signature", "submit", "Acme Shop", "--source", "trademark"],
            ["signature", "submit", "Acme Shop", "--source", "trademark"],
            ["send", "DIGITAL_SMS_0001", "--file", "{bad}"],
            ["send", "show", "NOPE1234"],
            ["--json", "error", "isv.BUSNESS_LIMIT"],
            ["send", "list", "--phone", "010-62345678"]]


def test_refusals_and_their_error_codes_are_the_same_through_the_service(serve, run, tmp_path):
    bad = tmp_path / "two.csv"
    bad.write_text("phone;mobile\n13800138000;13312345678\n", encoding="utf-8")
    server = serve("--allow-simulated-clock")
    token = server.token("--account", "demo")
    assert run("--db", str(tmp_path / "local.db"), "enable").code == 0
    assert run("--server", server.url, "--token", token, "enable").code == 0
    for argv in REFUSALS:
        argv = [str(bad) if a == "{bad}" else a for a in argv]
        local = run("--db", str(tmp_path / "local.db"), *argv)
        remote = run("--server", server.url, "--token", token, *argv)
        assert (remote.code, remote.out, remote.err) == (local.code, local.out, local.err), argv
    refused = run("--server", server.url, "--token", token, *REFUSALS[0])
    assert __import__("json").loads(refused.out)["error_code"] == "isv.SIGN_NAME_ILLEGAL"
    assert run("--server", server.url, "--token", token, *REFUSALS[2][:-1], str(bad)).err.startswith(
        f"error: {bad} has 2 phone columns")


@pytest.fixture(scope="module")
def shared_server(module_serve):
    """One service for the tests of this module that only read demo's account (each with tokens of its own)."""
    return module_serve("--allow-simulated-clock")


def test_remote_mode_opens_no_local_database(shared_server, run, tmp_path):
    server = shared_server
    token = server.token("--account", "demo")
    result = run("--server", server.url, "--token", token, "--db", str(tmp_path / "never.db"), "template", "status")
    assert result.code == 0 and not (tmp_path / "never.db").exists()


@pytest.mark.parametrize("argv", [["error", "余额不足"], ["error", "isv.AMOUNT_NOT_ENOUGH", "--lang", "zh"],
                                  ["error", "余额不够"]])
def test_an_error_explained_in_chinese_has_the_same_labels_through_the_service(shared_server, run, tmp_path, argv):
    token = shared_server.token("--account", "demo")
    local = run("--db", str(tmp_path / "local.db"), *argv)
    remote = run("--server", shared_server.url, "--token", token, *argv)
    assert (remote.code, remote.out, remote.err) == (local.code, local.out, local.err)
    assert "Fix:" not in remote.out and "Found by description" not in remote.out and "See also" not in remote.out


def test_the_token_bounds_account_and_role(shared_server, run):
    server = shared_server  # which allows the simulated clock: the runner pins ASSISTANT_NOW
    token = server.token("--account", "demo")
    result = run("--server", server.url, "--token", token, "--account", "globex", "template", "status")
    assert result.code == 1 and result.err == "error: this token is for account 'demo'; drop --account (or $ASSISTANT_ACCOUNT)\n"
    result = run("--server", server.url, "--token", token, "--role", "manager", "handoff", "list")
    assert result.code == 1 and result.err.startswith("error: this token is a customer's, not a manager's;")
    agent = server.token("--user", "ann", "--role", "agent")
    result = run("--server", server.url, "--token", agent, "--role", "admin", "admin", "account", "list")
    assert result.code == 1 and result.err == ("error: this token is an agent's, not an admin's; drop --role "
                                               "(or use an admin token)\n")
    result = run("--server", server.url, "--token", token, "kb", "gaps")
    assert result.code == 1 and result.err.startswith("error: the customer role may not run 'kb gaps'")


def test_remote_mode_without_a_token_or_a_service_says_what_to_do(run, serve):
    result = run("--server", "http://127.0.0.1:9", "template", "status")
    assert result.code == 1 and "pass --token TOKEN or set ASSISTANT_TOKEN" in result.err
    result = run("--server", "http://127.0.0.1:9", "--token", "x", "template", "status")
    assert result.code == 1 and result.err.startswith("error: cannot reach the service at http://127.0.0.1:9/v1:")


def test_the_remote_repl_holds_its_conversation_in_the_service(serve, run):
    server = serve("--allow-simulated-clock")
    token = server.token("--account", "demo")
    lines = "what is td\nenable digital messages\nyes\n/status\n"
    remote = run("--server", server.url, "--token", token, "--now", "2026-03-02T10:00", input=lines)
    local = run("--now", "2026-03-02T10:00", input=lines)
    assert remote.code == 0 and remote.out == local.out
    assert "Go ahead? [y/N]\nDigital messages are now enabled.\n" in remote.out
    assert "enabled           yes (since 2026-03-02 10:00:00)" in remote.out


ADMIN_STORY = [
    ["admin", "account", "create", "globex", "--industry", "retail", "--enterprise", "Globex Corporation",
     "--digital", "500"],
    ["admin", "account", "list"],
    ["admin", "account", "update", "globex", "--trademark", "Globex"],
    ["admin", "topup", "globex", "--digital", "1000"],
    ["admin", "account", "show", "globex"],
    ["kb", "gaps"],
]


@pytest.mark.parametrize("json", [False, True], ids=["text", "json"])
def test_an_admin_token_administers_through_the_service_as_the_owner_does_locally(serve, run, tmp_path, json):
    server = serve("--allow-simulated-clock")
    admin = server.token("--user", "root", "--role", "admin")
    flags = ["--now", "2026-03-02T10:00"] + (["--json"] if json else [])
    for argv in ADMIN_STORY:
        local = run(*flags, "--db", str(tmp_path / "local.db"), "--role", "admin", *argv)
        remote = run(*flags, "--server", server.url, "--token", admin, *argv)
        assert local.code == remote.code == 0 and remote.out == local.out, argv
    made = run("--server", server.url, "--token", admin, "--json", "admin", "token", "create", "--account", "globex")
    customer = __import__("json").loads(made.out)["token"]
    mine = run("--server", server.url, "--token", customer, "--json", "admin", "account", "show")
    assert __import__("json").loads(mine.out)["name"] == "globex"
    theirs = run("--server", server.url, "--token", customer, "admin", "account", "show", "demo")
    assert theirs.code == 1 and theirs.err.startswith("error: the customer role may not run 'admin account show'")
    assert run("--server", server.url, "--token", admin, "admin", "token", "revoke", customer).code == 0
    gone = run("--server", server.url, "--token", customer, "admin", "account", "show")
    assert gone.code == 1 and gone.err.startswith("error: no valid token;")


def test_a_manager_teaches_a_phrasing_through_the_service_and_it_answers_at_once(serve, run):
    server = serve("--allow-simulated-clock")
    customer = server.token("--account", "demo")
    refused = run("--server", server.url, "--token", customer, "kb", "learn", "how much is one", "--entry", "opt-out")
    assert refused.code == 1 and refused.err.startswith("error: the customer role may not run 'kb learn'")
    question = "zorbly quux widget"  # words the knowledge base has never seen
    before = json.loads(run("--server", server.url, "--token", customer, "--json", "ask", question).out)
    assert before["type"] == "fallback"
    manager = server.token("--user", "lin", "--grant", "manager")
    learned = run("--server", server.url, "--token", manager, "--json", "kb", "learn", question, "--entry", "opt-out")
    assert learned.code == 0 and json.loads(learned.out)["entry"] == "opt-out"
    after = json.loads(run("--server", server.url, "--token", customer, "--json", "ask", question).out)
    assert after["type"] == "answer" and after["entry"] == "opt-out"


def test_the_remote_repl_on_a_terminal_fills_slots_through_the_service(serve):
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from assistant.client import Http, RemoteOps
    from assistant.repl import Shell

    server = serve("--allow-simulated-clock")
    ops = RemoteOps(Http(server.url, server.token("--account", "demo"), now="2026-03-02T10:00"))
    with create_pipe_input() as pipe:
        shell = Shell(ops.conversation(), input=pipe, output=DummyOutput())
        pipe.send_text("enable digital messages\ry\rsubmit a signature\rAcmeShop\rtrademark\ryes\r")
        pipe.close()
        shell.run()
    text = "\n".join(line.text for line in shell.transcript)
    assert "account demo" in text and "Digital messages are now enabled." in text
    assert "Submitted.\nAcmeShop (trademark): Under review; decision expected 2026-03-11 to 2026-03-12" in text
    assert shell.toolbar_text.startswith(" demo | signatures ready 0/1")


def test_leaving_the_remote_repl_with_a_request_half_filled_drops_it_on_the_service_and_says_so(serve):
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from assistant.client import Http, RemoteOps
    from assistant.repl import Shell

    server = serve("--allow-simulated-clock")
    ops = RemoteOps(Http(server.url, server.token("--account", "demo"), now="2026-03-02T10:00"))
    with create_pipe_input() as pipe:
        conversation = ops.conversation()
        shell = Shell(conversation, input=pipe, output=DummyOutput())
        pipe.send_text("enable digital messages\ry\rsubmit a signature\rAcmeShop\r\x04")
        pipe.close()
        shell.run()
    assert shell.transcript[-1].text == "Cancelled." and conversation.waiting is None


TEMPLATE_LINES = ["create a template", "Spring", "AcmeShop", "e-commerce", "Hi there"]


def _signed_remotely(run, server, token: str) -> None:
    for argv in (["enable"], ["signature", "submit", "AcmeShop", "--source", "trademark"]):
        assert run("--server", server.url, "--token", token, "--now", "2026-03-02T10:00", *argv).code == 0


def _frames(db: str) -> list[list[dict]]:
    import json

    from assistant.storage import open_store

    store = open_store(db)
    try:
        return [json.loads(r["frames"]) for r in store.rows("SELECT frames FROM templates ORDER BY code")]
    finally:
        store.close()


def test_the_remote_repl_uploads_the_file_typed_from_the_clients_machine(serve, run, tmp_path, monkeypatch):
    from conftest import png_bytes

    client = tmp_path / "client"   # the customer's own folder: the service runs elsewhere and never looks here
    client.mkdir()
    (client / "banner.png").write_bytes(png_bytes(40, 30))
    (client / "notes.png").write_text("not an image", encoding="utf-8")
    monkeypatch.chdir(client)
    server = serve("--allow-simulated-clock")
    token = server.token("--account", "demo")
    _signed_remotely(run, server, token)
    local_db = str(tmp_path / "local.db")
    for argv in (["enable"], ["signature", "submit", "AcmeShop", "--source", "trademark"]):
        assert run("--db", local_db, "--now", "2026-03-02T10:00", *argv).code == 0
    lines = "\n".join(TEMPLATE_LINES + ["nope.png", "notes.png", "banner.png", "yes"]) + "\n"
    remote = run("--server", server.url, "--token", token, "--now", "2026-03-20T10:00", input=lines)
    local = run("--db", local_db, "--now", "2026-03-20T10:00", input=lines)
    assert remote.code == 0 and remote.out == local.out, remote.out
    assert ("Media file (image or video):\ncannot read nope.png: No such file or directory; check the path. Try again, "
            "or say 'cancel' to drop the request.\nMedia file (image or video):\nnotes.png is not a PNG, JPG, GIF, MP4 "
            "or MP3 file (judged by its content, not its name); a template takes PNG, GIF or JPG images, MP4 video "
            "(H.264, at most 1) and MP3 audio, all files together under 1,900 KB. Try again") in remote.out
    assert "Created DIGITAL_SMS_0001." in remote.out
    assert _frames(server.db) == [[{"file": "banner.png", "format": "png", "size": len(png_bytes(40, 30))}]]


def test_the_remote_repl_on_a_terminal_attaches_a_file_and_completes_local_paths(serve, run, tmp_path):
    from conftest import MP4_BYTES, png_bytes
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from assistant.client import Http, RemoteOps
    from assistant.repl import ConversationCompleter, Shell

    (tmp_path / "spring clip.mp4").write_bytes(MP4_BYTES)
    (tmp_path / "photo.png").write_bytes(png_bytes())
    server = serve("--allow-simulated-clock")
    token = server.token("--account", "demo")
    _signed_remotely(run, server, token)
    conversation = RemoteOps(Http(server.url, token, now="2026-03-20T10:00")).conversation()
    with create_pipe_input() as pipe:
        shell = Shell(conversation, input=pipe, output=DummyOutput())
        pipe.send_text("\r".join(TEMPLATE_LINES) + "\r")
        shell.show(shell.conversation.welcome())
        for _ in TEMPLATE_LINES:
            shell.step()
        assert shell.message()[0][1] == "Media file (image or video): "
        typed = str(tmp_path / "pho")
        found = ConversationCompleter(conversation).get_completions(Document(typed), CompleteEvent())
        assert [c.text for c in found] == ["to.png"]     # this machine's paths, at the file prompt
        pipe.send_text(f"'{tmp_path / 'spring clip.mp4'}' {tmp_path / 'photo.png'}\ryes\r")
        pipe.close()
        while shell.step():
            pass
    text = "\n".join(line.text for line in shell.transcript)
    assert "and 2 media file(s)" in text and "Created DIGITAL_SMS_0001." in text
    assert [f["file"] for f in _frames(server.db)[0]] == ["spring clip.mp4", "photo.png"]


@pytest.mark.parametrize(("typed", "files"), [
    ("banner_final", ["banner_final"]), ("./banner", ["./banner"]), ("/home/me/pics/banner", ["/home/me/pics/banner"]),
    ("signed_letter", ["signed_letter"]), ("what formats can I use?", None), ("cancel", None), ("", None),
    ("banner.png, clip.mp4", ["banner.png", "clip.mp4"]), ("banner.png，poster.jpg", ["banner.png", "poster.jpg"]),
    ("can I use png, jpg?", None),
])
def test_the_remote_repl_takes_a_missing_file_without_an_extension_for_a_file_to_upload(typed, files):
    from assistant.client import _named_files, _Waiting

    waiting = _Waiting("Media file (image or video)", [], "file", slot="media", accept=[".png", ".jpg"])
    assert _named_files(typed, waiting) == files


def test_send_show_pages_the_failures_the_same_through_the_service(serve, run, media, tmp_path):
    import json

    server = serve("--allow-simulated-clock")
    token = server.token("--account", "demo")
    recipients = tmp_path / "to.csv"
    recipients.write_text("phone\n13800138000\n" + "".join(f"1{n:05d}\n" for n in range(10)), encoding="utf-8")
    steps = [("2026-03-02T10:00", ["enable"]), ("2026-03-02T10:00", ["signature", "submit", "AcmeShop", "--source", "trademark"]),
             ("2026-03-17T10:00", ["template", "create", "--name", "Sale", "--signature", "AcmeShop", "--industry",
                                   "e-commerce", "--text", "Hi", "--media", media["image"]]),
             ("2026-03-20T10:00", ["--json", "send", "DIGITAL_SMS_0001", "--file", str(recipients)])]
    pages = []
    for where in (["--db", str(tmp_path / "local.db")], ["--server", server.url, "--token", token]):
        for now, argv in steps:
            result = run(*where, "--now", now, *argv)
        request_id = json.loads(result.out)["request_id"]
        page = run(*where, "--json", "send", "show", request_id, "--offset", "4", "--limit", "3")
        assert page.code == 0, page.err
        text = run(*where, "send", "show", request_id[:8], "--offset", "4", "--limit", "3").out
        pages.append((json.loads(page.out), text.replace(request_id[:8], "<id>")))
    (local, local_text), (remote, remote_text) = pages
    assert [f["phone"] for f in local["failures"]] == ["100004", "100005", "100006"]
    assert [f["phone"] for f in remote["failures"]] == ["100004", "100005", "100006"]
    for shown in (local, remote):
        assert (shown["failures_from"], shown["failures_next"], shown["failures_total"]) == (4, 7, 10)
    assert remote_text.split("\n", 1)[1] == local_text.split("\n", 1)[1]  # the first line names who sent it
    assert "Failures (5-7 of 10)" in local_text and "--offset 7" in local_text
    refused = run("--db", str(tmp_path / "local.db"), "send", "show", request_id, "--limit", "0")
    assert refused.code == 2 and "--limit 1 to 1000" in refused.err


class _Terminal(__import__("io").StringIO):
    def isatty(self) -> bool:
        return True


def test_a_file_send_draws_its_progress_bar_on_a_terminal_locally_and_through_the_service(
        serve, run, media, tmp_path, monkeypatch):
    import io

    from assistant import progress
    from assistant.cli import main

    monkeypatch.setattr(progress, "AFTER_S", 0)  # as if the send took more than a second
    server = serve("--allow-simulated-clock")
    token = server.token("--account", "demo")
    for where in (["--db", str(tmp_path / "local.db")], ["--server", server.url, "--token", token]):
        for now, argv in (("2026-03-02T10:00", ["enable"]),
                          ("2026-03-02T10:00", ["signature", "submit", "AcmeShop", "--source", "trademark"]),
                          ("2026-03-17T10:00", ["template", "create", "--name", "Sale", "--signature", "AcmeShop",
                                                "--industry", "e-commerce", "--text", "Hi", "--media", media["image"]])):
            assert run(*where, "--now", now, *argv).code == 0
        for flags, bar, numbers in (([], True, "13800138000\n13312345678\n"), (["--json"], False, "13800138001\n13312345679\n")):
            recipients = tmp_path / "to.csv"
            recipients.write_text("phone\n" + numbers, encoding="utf-8")
            out, err = io.StringIO(), _Terminal()
            code = main([*where, "--now", "2026-03-20T10:00", *flags, "send", "DIGITAL_SMS_0001", "--file",
                         str(recipients)], stdin=io.StringIO(""), stdout=out, stderr=err)
            assert code == 0, err.getvalue()
            assert ("Sending to 2 numbers [##############################] 100%\n" in err.getvalue()) is bar, where
            assert "Sending to" not in out.getvalue()


def test_a_remote_send_follows_the_services_progress_while_it_runs():
    import threading

    from assistant import client

    release = threading.Event()
    seen: list[tuple[int, int]] = []

    def recording() -> tuple[int, int]:
        if len(seen) >= 2:
            release.set()
        return 400, 1000

    def post() -> dict:
        release.wait(10)
        return {"results": [{}] * 5, "results_total": 1000}
    client.FOLLOW_EVERY_S, before = 0.01, client.FOLLOW_EVERY_S
    try:
        result = client._following(post, recording, lambda done, total: seen.append((done, total)))
    finally:
        client.FOLLOW_EVERY_S = before
    assert result["results_total"] == 1000
    assert seen[0] == (700, 1000) and seen[-1] == (1000, 1000)  # recording counts the second half, as locally


def test_ask_for_an_account_that_does_not_exist_through_the_service_is_one_error_line_too(shared_server, run):
    agent = shared_server.token("--user", "ann", "--role", "agent")
    result = run("--server", shared_server.url, "--token", agent, "--account", "nosuch", "ask", "show my template status")
    assert result.code == 1 and result.out == "" and result.err.startswith("error: no account 'nosuch'; see ")
    assert len(result.err.splitlines()) == 1


def test_ask_through_the_service_a_question_too_long_to_read_is_one_error_line_and_a_failure(shared_server, run):
    token = shared_server.token("--account", "demo")
    one = run("--server", shared_server.url, "--token", token, "ask", "a" * 1001)
    assert one.code == 1 and one.out == "" and one.err == "error: question too long (1001 characters); ask in at most 1000\n"
    lines = run("--server", shared_server.url, "--token", token, "ask", "--json", input="a" * 1001 + "\nwhat is td\n")
    assert lines.code == 1 and [json.loads(line).get("entry") for line in lines.lines] == [None, "opt-out"]
    assert lines.err.startswith("error: 1 line(s) could not be read, the first line 1: question too long")


def test_the_piped_repl_through_the_service_for_an_account_that_does_not_exist_is_one_error_line_and_a_failure(
        shared_server, run):
    agent = shared_server.token("--user", "ann", "--role", "agent")
    result = run("--server", shared_server.url, "--token", agent, "--account", "nosuch",
                 input="hello\nsend a message\n/status\n")
    assert result.code == 1 and result.out == "" and result.err.startswith("error: no account 'nosuch'; see ")
    assert len(result.err.splitlines()) == 1


def test_the_remote_repl_lays_out_tables_at_its_own_terminals_width_as_the_embedded_one_does(serve, live, media, router):
    from conftest import MONDAY, Clocked, made_live, on_a_terminal

    from assistant.client import Http, RemoteOps
    from assistant.clock import FixedClock
    from assistant.conversation import Conversation
    from assistant.storage import open_store

    server = serve("--allow-simulated-clock")
    store = open_store(server.db)
    try:
        made_live(Clocked(store, live.kb, FixedClock(MONDAY), "demo", "customer"), media)   # the service's demo as live
    finally:
        store.close()
    remote = RemoteOps(Http(server.url, server.token("--account", "demo"), now="2026-03-20T10:00")).conversation()
    there = on_a_terminal(remote, "/status\r", 40)
    assert there == on_a_terminal(Conversation(live, router), "/status\r", 40)
    assert "registration: Registered" in there   # a table too wide for 40 columns: its rows as "label: value" lines
    header = there.index("carrier        review    note")   # one that fits: laid out within them
    assert set(there[header + 1]) == {"-", " "} and there[header + 2].split() == ["China", "Mobile", "Approved"]
