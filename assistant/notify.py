"""Notifications of ticket events to the tools support teams use: a durable outbox and its courier.

Every ticket change that people want to hear about (created, the customer answered, a manager
replied, resolved, and a first reply gone overdue) writes one row to the `outbox` table, in the
same transaction as the change: nothing is announced that did not happen, and nothing that
happened is lost when the service stops. `assistant serve --notify URL` runs one `Courier` that
posts each row to each URL, in order, at least once, each URL from a thread of its own (one that
hangs or fails never delays another): a receiver that is down is retried with backoff (its place
is kept in the database, so a restart goes on where it stopped), and each POST
carries the event's id in `X-Assistant-Event-Id` so a receiver can drop a repeat. With a secret,
`X-Assistant-Signature: sha256=<hex HMAC-SHA256 of the raw body>` proves who sent it.

The body is the assistant's own JSON, or a chat robot's message format chosen per URL: DingTalk,
WeCom (企业微信), Feishu/Lark and Slack, by an explicit `FORMAT:` prefix or by the webhook's host.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .clock import Clock
from .errors import UsageError, UserError
from .storage.sqlite import Store

if TYPE_CHECKING:
    from .knowledge import KnowledgeBase

log = logging.getLogger("assistant.notify")

# Ticket history events -> notification events (the others, such as a claim, are not announced).
EVENTS = {"created": "ticket.created", "answered": "ticket.answered", "asked again": "ticket.answered",
          "replied": "ticket.replied", "resolved": "ticket.resolved", "overdue": "ticket.overdue"}
FORMATS = ("json", "dingtalk", "wecom", "feishu", "slack")
_HOSTS = {"oapi.dingtalk.com": "dingtalk", "qyapi.weixin.qq.com": "wecom", "open.feishu.cn": "feishu",
          "open.larksuite.com": "feishu", "hooks.slack.com": "slack"}
BACKOFF = (1, 2, 5, 15, 30, 60, 120, 300)  # seconds before each retry of one receiver; the last repeats
# What each robot reads as a mention or a link in the text it is given, made plain in the words people
# wrote (a ticket's summary, its account): Slack's `<!channel>`, `<@U…>`, `<url|label>` (its own escapes,
# &amp; &lt; &gt;); Feishu's `<at user_id="all">` and `[label](url)`; an `@all` or `@name` in DingTalk's,
# WeCom's and Feishu's text. The full-width look-alikes read the same and mean nothing to them.
PLAIN = {"slack": str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"}),
         "feishu": str.maketrans({"<": "＜", ">": "＞", "[": "［", "]": "］", "@": "＠"}),
         "dingtalk": str.maketrans({"@": "＠"}), "wecom": str.maketrans({"@": "＠"})}


@dataclass(frozen=True)
class Target:
    """Where notifications go: the URL and the body's format."""

    url: str
    format: str

    @classmethod
    def parse(cls, given: str) -> Target:
        """`https://…` (format from the host, else the assistant's JSON) or `FORMAT:https://…`."""
        kind, sep, rest = given.partition(":")
        if sep and kind.lower() in FORMATS and rest.lower().startswith(("http://", "https://")):
            fmt, url = kind.lower(), rest
        else:
            fmt, url = "", given
        if any(ch.isspace() or not ch.isprintable() for ch in url):   # every post of it would fail, each retried
            raise UserError(f"--notify {given!r} has a space or a control character, which no request line takes; "
                            "percent-encode it (a space is %20)")
        parts = urllib.parse.urlsplit(url)
        try:
            _ = parts.port   # (a port that is no number: "https://host:x/")
        except ValueError:
            parts = parts._replace(netloc="")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UserError(f"--notify {given!r} is not an http(s) URL; give https://HOST/PATH, optionally "
                            f"prefixed with a format ({', '.join(FORMATS)}:)")
        return cls(url, fmt or _HOSTS.get(parts.hostname or "", "json"))

    @property
    def place(self) -> str:
        """The receiver this target posts to, as two ways of writing one URL name it alike: the scheme and
        the host in lower case, without the scheme's default port, the path without a closing slash."""
        parts = urllib.parse.urlsplit(self.url)
        port = parts.port if parts.port not in (None, {"http": 80, "https": 443}[parts.scheme.lower()]) else None
        host = (parts.hostname or "") + (f":{port}" if port else "")
        user = parts.netloc.rpartition("@")[0]
        netloc = f"{user}@{host}" if user else host
        return urllib.parse.urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), parts.query, ""))


def targets(given: list[str]) -> list[Target]:
    """The targets of `serve --notify` GIVEN, each receiver once: a URL given twice (as it was, or written
    another way: its host's capitals, a closing slash, another format) would be two couriers sharing one
    stored place in the outbox, each racing the other to move it; it is refused, naming the URL."""
    out: list[Target] = []
    seen: dict[str, str] = {}
    for url in given:
        target = Target.parse(url)
        if target.place in seen:
            first = seen[target.place]
            same = "" if first == url else f" (the same receiver as {first!r})"
            raise UsageError(f"--notify {url!r} is given twice{same}; give each receiver once")
        seen[target.place] = url
        out.append(target)
    return out


def record(store: Store, ticket: dict, event: str, at: str) -> None:
    """Queue EVENT (a ticket history event) of TICKET for the couriers; call inside the change's transaction."""
    name = EVENTS.get(event)
    if name is None:
        return
    store.insert("outbox", {"event": name, "ticket": ticket["id"], "at": at, "payload": json.dumps({
        "id": ticket["id"], "account": ticket["account"], "priority": ticket["priority"],
        "summary": ticket["summary"]}, ensure_ascii=False)})


def body(row: dict, fmt: str) -> bytes:
    """The POST body of outbox ROW in format FMT."""
    ticket = json.loads(row["payload"])
    at = dt.datetime.fromisoformat(row["at"]).replace(tzinfo=dt.timezone(dt.timedelta(hours=8))).isoformat()
    if fmt == "json":
        return json.dumps({"event": row["event"], "ticket": ticket, "at": at, "id": row["id"]},
                          ensure_ascii=False).encode()
    plain = PLAIN[fmt]   # people's words are text; the service's own (the event, the ticket's number) are as they are
    text = (f"[Digital Message support] {row['event']}: ticket #{ticket['id']} ({ticket['priority']}, "
            f"account {str(ticket['account']).translate(plain)}): {str(ticket['summary']).translate(plain)}")
    shapes = {"dingtalk": {"msgtype": "text", "text": {"content": text}},
              "wecom": {"msgtype": "text", "text": {"content": text}},
              "feishu": {"msg_type": "text", "content": {"text": text}},
              "slack": {"text": text}}
    return json.dumps(shapes[fmt], ensure_ascii=False).encode()


def signature(secret: str, raw: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def post(target: Target, row: dict, secret: str | None, timeout: float = 5.0) -> None:
    """POST ROW to TARGET; an OSError or HTTPError (any non-2xx) when it was not taken."""
    raw = body(row, target.format)
    headers = {"Content-Type": "application/json; charset=utf-8", "X-Assistant-Event": row["event"],
               "X-Assistant-Event-Id": str(row["id"]), "User-Agent": "digital-message-assistant"}
    if secret:
        headers["X-Assistant-Signature"] = signature(secret, raw)
    request = urllib.request.Request(target.url, data=raw, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (the operator's own URL)
        response.read()


def overdue(store: Store, clock: Clock, targets: dict, kb: KnowledgeBase | None = None) -> int:
    """Record `overdue` once for each unresolved ticket past its first-reply target with no reply yet;
    its detail is the catalogue's (`ticket.history.overdue` of KB, else the shipped knowledge base's)
    in English, as a ticket's history keeps it."""
    from .messages import say

    if kb is None:
        from .knowledge import load

        kb = load()
    now = clock.now()
    found = 0
    for priority, minutes in targets.items():
        cutoff = (now - dt.timedelta(minutes=int(minutes))).isoformat(sep=" ")
        rows = store.rows(
            "SELECT t.id, t.account, t.priority, t.summary FROM tickets t WHERE t.status != 'resolved' "
            "AND t.priority = ? AND t.created_at < ? AND NOT EXISTS (SELECT 1 FROM ticket_messages m "
            "WHERE m.ticket = t.id AND m.role NOT IN ('customer', 'agent')) AND NOT EXISTS (SELECT 1 FROM ticket_events e "
            "WHERE e.ticket = t.id AND e.event = 'overdue')", (priority, cutoff))
        for ticket in rows:
            with store.transaction():
                at = now.isoformat(sep=" ")
                store.insert("ticket_events", {"ticket": ticket["id"], "at": at, "actor": "system",
                                               "event": "overdue",
                                               "detail": say(kb, "ticket.history.overdue", minutes=minutes)})
                record(store, ticket, "overdue", at)
            found += 1
    return found


class Courier:
    """Delivers the outbox to TARGETS, each receiver from a thread of its own (its own database
    connection, place and backoff), so that one that hangs or fails never holds another; one more
    thread records the tickets gone overdue."""

    STOP_S = 1.0   # how long `stop` waits for the threads: one blocked on a receiver that never answers is left

    def __init__(self, open_store: Callable[[], Store], targets: list[Target], secret: str | None,
                 clock: Clock | None = None, every: float = 1.0, first_reply: dict | None = None,
                 kb: KnowledgeBase | None = None):
        self.open_store, self.targets, self.secret, self.kb = open_store, targets, secret, kb
        self.clock, self.every, self.first_reply = clock or Clock(), every, first_reply or {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        rounds: list[tuple[str, Callable[[Store], object]]] = [
            (f"assistant-notify-{n}", lambda store, target=target: self._deliver(store, target))
            for n, target in enumerate(self.targets, 1)]
        if self.first_reply:
            rounds.append(("assistant-notify-overdue", lambda store: overdue(store, self.clock, self.first_reply, self.kb)))
        self._threads = [threading.Thread(target=self._loop, args=(work,), name=name, daemon=True)
                         for name, work in rounds]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop every thread: those waiting end at once; one in a POST ends when it returns (a daemon,
        it never holds the process: its event is sent again at the next start, with the same id)."""
        self._stop.set()
        deadline = time.monotonic() + self.STOP_S
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _loop(self, work: Callable[[Store], object]) -> None:
        store = self.open_store()
        try:
            while not self._stop.is_set():
                try:
                    work(store)
                except Exception:  # a database hiccup must not end notifications for good
                    log.exception("notifications: a round failed; trying again")
                self._stop.wait(self.every)
        finally:
            store.close()

    def run_once(self, store: Store) -> int:
        """One round in the calling thread: record overdue tickets, then send each receiver what it has
        not had, one after another. Returns posts made."""
        if self.first_reply:
            overdue(store, self.clock, self.first_reply, self.kb)
        sent = 0
        for target in self.targets:
            sent += self._deliver(store, target)
        return sent

    def _deliver(self, store: Store, target: Target) -> int:
        now = self.clock.now().isoformat(sep=" ")
        place = store.row("SELECT last_id, attempts, next_at FROM notify_cursors WHERE target = ?", (target.url,))
        if place is None:
            with store.transaction():
                start = store.row("SELECT COALESCE(MAX(id), 0) AS n FROM outbox")["n"]
                store.insert("notify_cursors", {"target": target.url, "last_id": start, "attempts": 0,
                                                "next_at": None, "last_error": None})
            return 0
        if place["next_at"] and place["next_at"] > now:
            return 0
        sent = 0
        for row in store.rows("SELECT id, event, ticket, at, payload FROM outbox WHERE id > ? ORDER BY id LIMIT 100",
                              (place["last_id"],)):
            try:
                post(target, row, self.secret)
            except (OSError, urllib.error.HTTPError, ValueError) as exc:
                attempts = place["attempts"] + 1
                wait = BACKOFF[min(attempts, len(BACKOFF)) - 1]
                with store.transaction():
                    store.execute("UPDATE notify_cursors SET attempts = ?, next_at = ?, last_error = ? WHERE target = ?",
                                  (attempts, (self.clock.now() + dt.timedelta(seconds=wait)).isoformat(sep=" "),
                                   str(exc)[:300], target.url))
                log.warning("notifications: %s did not take event %s (%s); retrying in %s s",
                            urllib.parse.urlsplit(target.url).netloc, row["id"], exc, wait)
                return sent
            with store.transaction():
                store.execute("UPDATE notify_cursors SET last_id = ?, attempts = 0, next_at = NULL, last_error = NULL "
                              "WHERE target = ?", (row["id"], target.url))
            place = {**place, "attempts": 0}
            sent += 1
        return sent
