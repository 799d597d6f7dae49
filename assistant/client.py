"""The CLI's and the REPL's remote mode: the same operations as `LocalOps`, done by a service.

With `--server URL` (or $ASSISTANT_SERVER) and `--token TOKEN` (or $ASSISTANT_TOKEN) every command
sends its request to `assistant serve` and renders the answer as the embedded mode would; no local
database is opened. Only the standard library's urllib is used, so the base install stays light.
The service's error JSON becomes the same one-line `UserError` (Forbidden, NotFound) as locally.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from .errors import CLI_AGENT, CLI_FIXES, SERVICE_FIXES, Conflict, Forbidden, NotFound, UserError

TIMEOUT_S = 60
SEND_TIMEOUT_S = 900   # a send of a large file is answered once all of it is recorded
FOLLOW_EVERY_S = 0.5   # how often a send's progress is asked for while it runs
_ERRORS = {403: Forbidden, 404: NotFound, 409: Conflict}


def _quote(value: Any) -> str:
    return urllib.parse.quote(str(value), safe="")


class Http:
    """JSON over HTTP to one service, with the caller's token, account and simulated time."""

    def __init__(self, base: str, token: str, account: str | None = None, now: str | None = None):
        self.base = base.rstrip("/")
        if not self.base.endswith("/v1"):
            self.base += "/v1"
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json",
                        "User-Agent": CLI_AGENT}
        if account:
            self.headers["X-Assistant-Account"] = account
        if now:
            self.headers["X-Assistant-Now"] = now

    def call(self, method: str, path: str, body: Any = None, query: dict | None = None,
             files: list[tuple[str, str, bytes]] | None = None, form: list[tuple[str, str]] | None = None,
             timeout: float = TIMEOUT_S) -> Any:
        """METHOD PATH with a JSON BODY (or multipart FORM fields and FILES); the decoded JSON answer
        (TIMEOUT: the longest silence from the service)."""
        url = self.base + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        headers = dict(self.headers)
        data = None
        if files is not None or form is not None:
            data, headers["Content-Type"] = _multipart(form or [], files or [])
        elif body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise _error(exc) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise UserError(f"cannot reach the service at {self.base}: {reason}; check --server "
                            "(or $ASSISTANT_SERVER) and that `assistant serve` is running") from None


def _following(post: Callable[[], dict], recording: Callable[[], tuple[int, int] | None],
               progress: Callable[[int, int], None]) -> dict:
    """POST() (a send) while following its progress: every FOLLOW_EVERY_S, RECORDING() says how far
    the service is; PROGRESS(done, total) as the embedded send counts it (checking the first half,
    recording the second), and once more when the answer is in."""
    import threading

    answer: dict[str, Any] = {}

    def run() -> None:
        try:
            answer["result"] = post()
        except BaseException as exc:  # noqa: BLE001  (raised again in the caller's thread)
            answer["error"] = exc
    worker = threading.Thread(target=run, name="send", daemon=True)
    worker.start()
    while True:
        worker.join(FOLLOW_EVERY_S)
        if not worker.is_alive():
            break
        try:
            seen = recording()
        except UserError:
            seen = None  # a progress look that fails is no reason to stop waiting for the send
        if seen and seen[1]:
            written, total = seen
            progress((total + written) // 2, total)
    if "error" in answer:
        raise answer["error"]
    result = answer["result"]
    total = int(result.get("results_total") or len(result.get("results") or []))
    if total:
        progress(total, total)
    return result


def _error(exc: urllib.error.HTTPError) -> UserError:
    try:
        body = json.loads(exc.read())
        message, code = body.get("error"), body.get("error_code")
    except (ValueError, AttributeError, OSError):
        message, code = None, None
    message = _as_flags(message) if isinstance(message, str) else None
    message = message or f"the service answered {exc.code} {exc.reason}; try again, or ask its operator"
    return _ERRORS.get(exc.code, UserError)(message, code=code if isinstance(code, str) else None)


def _as_flags(message: str) -> str:
    """The service's MESSAGE with a fix it words by its headers or fields (errors.SERVICE_FIXES) said
    the command line's way: this client's user drops a flag, not a header."""
    for kind, service in SERVICE_FIXES.items():
        pattern = re.escape(service).replace(re.escape("{me}"), r"(?P<me>[^)\s]*)")
        message = re.sub(pattern, lambda m, kind=kind: CLI_FIXES[kind].format(**m.groupdict()), message)
    return message


def _multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "assistant-" + secrets.token_hex(12)
    parts: list[bytes] = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() +
                     value.encode("utf-8") + b"\r\n")
    for name, filename, data in files:
        safe = filename.replace('"', "_").replace("\r", "_").replace("\n", "_")
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{safe}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _read(path: str, kind: str = "media", limit: int | None = None) -> tuple[str, bytes]:
    """A file the person named, read here on their machine to be uploaded (a regular file, bounded), of KIND
    (`files.read_regular`: "media", "letter")."""
    from .files import read_regular
    from .media import MAX_BYTES

    local = os.path.expanduser(path)
    return (os.path.basename(local) or path), read_regular(local, min(limit or MAX_BYTES, MAX_BYTES), kind)


def _a(word: str) -> str:
    """WORD with its article: "an admin", "an agent", "a manager"."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


class RemoteOps:
    """The operations of `LocalOps`, through the service; each returns what the service returned."""

    remote = True

    def __init__(self, http: Http, role: str = "customer"):
        self.http, self.role = http, role

    @classmethod
    def from_options(cls, opts) -> RemoteOps:
        """From --server/--token (else $ASSISTANT_SERVER/$ASSISTANT_TOKEN), --account and --now."""
        server = opts.server or os.environ.get("ASSISTANT_SERVER")
        token = opts.token or os.environ.get("ASSISTANT_TOKEN")
        if not token:
            raise UserError("remote mode needs a token; pass --token TOKEN or set ASSISTANT_TOKEN "
                            "(an admin creates one with `assistant admin token create`)")
        account = opts.account or os.environ.get("ASSISTANT_ACCOUNT")
        ops = cls(Http(server, token, account, opts.now or os.environ.get("ASSISTANT_NOW")), opts.role)
        if opts.role != "customer":
            me = ops.whoami()
            if me["role"] != opts.role:
                raise Forbidden(f"this token is {_a(me['role'])}'s, not {_a(opts.role)}'s; drop --role "
                                f"(or use {_a(opts.role)} token)")
        return ops

    def whoami(self) -> dict:
        return self.http.call("GET", "/whoami")

    # questions
    def ask(self, question: str, text: bool = False, lang: str | None = None) -> dict:
        return self.http.call("POST", "/ask", {"question": question, "text": text, "lang": lang or "auto"})

    def error(self, query: str) -> dict:
        return self.http.call("GET", f"/error-codes/{_quote(query)}")

    # the account model
    def enable(self) -> dict:
        return self.http.call("POST", "/account/enable")

    def signature_submit(self, name: str, source: str) -> dict:
        return self.http.call("POST", "/signatures", {"name": name, "source": source})

    def signature_update(self, name: str, source: str | None = None) -> dict:
        return self.http.call("POST", f"/signatures/{_quote(name)}/resubmit", {"source": source})

    def signature_status(self, name: str | None = None) -> list[dict]:
        return self.http.call("GET", "/signatures", query={"name": name})

    def template_create(self, name: str, signature: str, industry: str, text: str, media: list[str],
                        letter: str | None = None) -> dict:
        files = [("media", *_read(p)) for p in media]
        files += [("letter", *_read(letter, "letter"))] if letter else []
        form = [("name", name), ("signature", signature), ("industry", industry), ("text", text)]
        return self.http.call("POST", "/templates", form=form, files=files)

    def template_status(self, code: str | None = None) -> list[dict]:
        return self.http.call("GET", "/templates", query={"code": code})

    def send(self, code: str, phones: list[str], params: dict[str, str], file_text: str | None = None,
             progress: Callable[[int, int], None] | None = None, source: str | None = None) -> dict:
        form = [("code", code)] + [("phone", p) for p in phones] + [("param", f"{k}={v}") for k, v in params.items()]
        name = source or "recipients.csv"  # the file's name names it in the service's error messages
        files = [("file", name, file_text.encode("utf-8"))] if file_text is not None else []

        def post() -> dict:
            return self.http.call("POST", "/sends", form=form, files=files, timeout=SEND_TIMEOUT_S)
        if progress is None or file_text is None:  # numbers given directly: one short transaction
            return post()
        return _following(post, self._recording, progress)

    def _recording(self) -> tuple[int, int] | None:
        """(written, total) of the account's send being recorded now, if any (an account records one at a time)."""
        for row in self.http.call("GET", "/sends"):
            if row.get("state") == "recording":
                return int(row.get("written") or 0), int(row["total"])
        return None

    def send_list(self, template: str | None = None, day: str | None = None, phone: str | None = None) -> list[dict]:
        query = {k: v for k, v in (("template", template), ("day", day)) if v}
        if phone is not None:  # an empty number too: the service refuses it as the local list does
            query["phone"] = phone
        return self.http.call("GET", "/sends", query=query or None)

    def send_show(self, request_id: str, failures_from: int = 0, limit: int = 50) -> dict:
        query = {"offset": str(failures_from), "limit": str(limit)}
        return self.http.call("GET", f"/sends/{_quote(request_id)}", query=query)

    # administration
    def account_create(self, name: str, industry: str, names: dict[str, list[str]], digital: int | None,
                       sms: int | None) -> dict:
        return self.http.call("POST", "/admin/accounts", {"name": name, "industry": industry, "digital": digital,
                                                          "sms": sms, **names})

    def account_update(self, name: str, industry: str | None, names: dict[str, list[str]]) -> dict:
        return self.http.call("PATCH", f"/admin/accounts/{_quote(name)}", {"industry": industry, **names})

    def account_show(self, name: str | None = None) -> dict:
        return self.http.call("GET", f"/admin/accounts/{_quote(name)}") if name else self.http.call("GET", "/account")

    def account_list(self) -> list[dict]:
        return self.http.call("GET", "/admin/accounts")

    def topup(self, name: str, digital: int | None, sms: int | None) -> dict:
        return self.http.call("POST", f"/admin/accounts/{_quote(name)}/topup", {"digital": digital, "sms": sms})

    def review(self, code: str, carrier: str, approve: bool, reason: str | None) -> dict:
        return self.http.call("POST", f"/admin/templates/{_quote(code)}/reviews",
                              {"carrier": carrier, "approve": approve, "reason": reason})

    def token_create(self, account: str | None, user: str | None, role: str | None) -> dict:
        return self.http.call("POST", "/admin/tokens", {"account": account, "user": user, "role": role})

    def token_list(self) -> list[dict]:
        return self.http.call("GET", "/admin/tokens")

    def token_revoke(self, token: str) -> dict:
        return self.http.call("POST", "/admin/tokens/revoke", {"token": token})

    # handoff
    def handoff_create(self, reason: str | None = None, template: str | None = None, signature: str | None = None,
                       request_id: str | None = None, send_date: str | None = None) -> dict:
        return self.http.call("POST", "/tickets", {"reason": reason, "template": template, "signature": signature,
                                                   "request_id": request_id, "send_date": send_date})

    def handoff_list(self, status: str | None = None, account: str | None = None) -> list[dict]:
        return self.http.call("GET", "/tickets", query={"status": status, "account": account})

    def handoff_show(self, ticket: str) -> dict:
        return self.http.call("GET", f"/tickets/{_quote(ticket)}")

    def handoff_export(self, ticket: str, fmt: str) -> str:
        return self.http.call("GET", f"/tickets/{_quote(ticket)}/export", query={"format": fmt})["text"]

    def handoff_claim(self, ticket: str, by: str | None = None) -> dict:  # no BY: the token's user claims
        return self.http.call("POST", f"/tickets/{_quote(ticket)}/claim", {"by": by})

    def handoff_reply(self, ticket: str, text: str, by: str | None = None) -> dict:
        return self.http.call("POST", f"/tickets/{_quote(ticket)}/reply", {"text": text, "by": by})

    def handoff_answer(self, ticket: str, text: str) -> dict:
        return self.http.call("POST", f"/tickets/{_quote(ticket)}/answer", {"text": text})

    def handoff_resolve(self, ticket: str, note: str, by: str | None = None) -> dict:
        return self.http.call("POST", f"/tickets/{_quote(ticket)}/resolve", {"note": note, "by": by})

    def handoff_note(self, ticket: str, text: str, by: str | None = None) -> dict:
        return self.http.call("POST", f"/tickets/{_quote(ticket)}/note", {"text": text, "by": by})

    def handoff_assign(self, ticket: str, to: str) -> dict:
        return self.http.call("POST", f"/tickets/{_quote(ticket)}/assign", {"to": to})

    def handoff_reopen(self, ticket: str, by: str | None = None) -> dict:
        return self.http.call("POST", f"/tickets/{_quote(ticket)}/reopen", {"by": by})

    def inbox(self) -> list[dict]:
        return self.http.call("GET", "/inbox")

    def learn(self, question: str, entry: str) -> dict:
        return self.http.call("POST", "/gaps/learn", {"question": question, "entry": entry})

    def learn_proposals(self, min_count: int = 1) -> list[dict]:
        return self.http.call("POST", "/gaps/learn-proposals", {"min_count": min_count})

    def report(self, days: int = 30) -> dict:
        return self.http.call("GET", "/reports", query={"days": str(days)})

    def gaps(self, since: str | None = None) -> list[dict]:
        return self.http.call("GET", "/gaps", query={"since": since})

    def conversation(self, lang: str | None = None) -> RemoteConversation:
        return RemoteConversation(self.http, lang)


def _laid_here(line: dict) -> str:
    """A LINE of the service's view as this terminal shows it: its tables (`parts`, from a service that sends
    them) laid out within this terminal's width by the same `render.table` the embedded REPL uses, as the
    service's `text` at no width (a pipe) or where its parts cannot be read."""
    from . import render

    if not line.get("parts") or not render.WIDTH:
        return line["text"]
    try:
        return render.laid_out(line["parts"])
    except (TypeError, KeyError, IndexError, AttributeError, ValueError):   # parts of another shape: the text as laid out there
        return line["text"]


@dataclass
class _Waiting:
    """The service's `waiting` object (see server/routers/conversations.py)."""

    prompt: str
    choices: list[str]
    kind: str
    slot: str | None = None
    accept: list[str] = field(default_factory=list)
    multiple: bool = False
    required: bool = True
    max_bytes: int | None = None

    @property
    def paths(self) -> bool:
        """A file is wanted: the shell completes this machine's paths, and what they name is uploaded."""
        return self.kind == "file"


def _named_files(text: str, waiting: _Waiting) -> list[str] | None:
    """The files TEXT names at a file prompt, or None when it is a line to say instead (Enter, cancel,
    a slash command, a question): a word that exists here, has a path's shape or a name the prompt
    accepts (".png") makes the line a list of files, and so does one word shaped like a file's name
    ("banner_final", `files.shaped_like_a_file_name`)."""
    from .chat.commands import is_command
    from .chat.lines import leaves
    from .files import paths_in, shaped_like_a_file_name
    from .text import fold

    line = text.strip()
    if not line or "\n" in line or leaves(fold(line)) or is_command(line):
        return None
    try:
        shlex.split(line)
    except ValueError:
        return None
    words = paths_in(line)
    accepted = {a.lower() for a in waiting.accept}

    def file_like(word: str) -> bool:
        return (os.path.lexists(os.path.expanduser(word)) or "/" in word or os.sep in word or word.startswith("~")
                or os.path.splitext(word)[1].lower() in accepted)
    if len(words) == 1 and shaped_like_a_file_name(words[0]):  # "banner_final": a file, even one not found
        return words
    return words if words and any(file_like(w) for w in words) else None


class RemoteConversation:
    """The REPL's view of a conversation the service holds: the same members the shell uses."""

    def __init__(self, http: Http, lang: str | None = None):
        from .conversation import Line

        self.http, self._line, self.lang = http, Line, lang or "auto"
        self.id: str | None = None
        self.waiting, self.done, self._toolbar, self._completions = None, False, "", []
        self.ctx = SimpleNamespace(account="")

    def _open(self, lines: str) -> list:
        """Start the conversation on the service; LINES is "welcome" (the banner) or "news" (scripts)."""
        view = self.http.call("POST", "/conversations", query={"lines": lines, "lang": self.lang})
        self.id = view["id"]
        self._completions = view.get("completions", [])
        return self._take(view)

    def _take(self, view: dict) -> list:
        w = view.get("waiting")
        known = {k: w[k] for k in ("slot", "accept", "multiple", "required", "max_bytes") if w and k in w}
        self.waiting = _Waiting(w["prompt"], w["choices"], w["kind"], **known) if w else None
        self.done = view["done"]
        self.ctx = SimpleNamespace(account=view["account"])
        self._toolbar = view.get("toolbar", "")
        return [self._line(line["kind"], _laid_here(line)) for line in view["lines"]]

    def welcome(self) -> list:
        return self._open("welcome")

    def news(self) -> list:
        """Managers' replies not shown yet: what a script sees instead of the welcome."""
        return self._open("news")

    def handle(self, text: str) -> list:
        """TEXT said to the conversation; at a file prompt, the files it names on this machine are
        uploaded instead (the service never opens a path)."""
        if self.id is None:
            self._open("news")
        waiting = self.waiting
        if waiting is not None and waiting.kind == "file" and (named := _named_files(text, waiting)) is not None:
            return self.attach(named)
        if not text.strip() and not (waiting and waiting.kind in ("slot", "file")):
            return []          # Enter alone only matters at a value prompt (a skip, or "is needed")
        return self._take(self.http.call("POST", f"/conversations/{self.id}/messages", {"text": text, "lang": self.lang}))

    def attach(self, paths: list[str]) -> list:
        """Upload the files at PATHS (on this machine) to the file prompt the conversation waits at;
        a file that cannot be read or used is said as the embedded REPL says it, and asked again."""
        waiting = self.waiting
        assert waiting is not None
        kind = "letter" if waiting.slot == "letter" else "media"
        try:
            files = [("file", *_read(p, kind, waiting.max_bytes)) for p in paths]
            view = self.http.call("POST", f"/conversations/{self.id}/files", files=files)
        except UserError as exc:
            return [self._line("warn", f"{exc}. Try again, or say 'cancel' to drop the request.")]
        return self._take(view)

    def cancel(self) -> list:
        if self.id is None:
            return []
        return self._take(self.http.call("POST", f"/conversations/{self.id}/cancel"))

    def leave(self) -> list:
        """Leaving with a request or a yes/no question pending: the service drops it and says so."""
        return self.cancel() if self.waiting is not None else []

    def toolbar(self, width: int | None = None) -> str:
        return self._toolbar

    def completions(self) -> list[str]:
        return self._completions
