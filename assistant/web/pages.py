"""The pages: sign-in, the support desk (queue, a ticket, its actions) and the customer's chat.

Each page is a thin shell like the CLI's commands and the API's endpoints: it finds who is signed
in, asks the same core functions (through the same `LocalOps` and roles table), and renders the
result with Jinja2, which escapes every value. Forms that change anything carry the session's
CSRF token; a form without it changes nothing and gets 403.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import urllib.parse
from dataclasses import replace
from pathlib import Path
from threading import Lock
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.datastructures import MutableHeaders

from ..actions import desk, handoff
from ..actions.handoff import AGENT, message_in, resolution_note, summary_in, summary_text
from ..chat import stored
from ..chat.stored import acting_for
from ..errors import Forbidden, NotFound, UserError
from ..knowledge import resolve_dir
from ..ops import LocalOps
from ..roles import allowed
from ..sanitize import safe
from ..server.deps import Caller, Service, bound, clock_for, service
from ..server.strict import PageRoute
from . import i18n, sessions

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
# a line holding a table (a rule of dashes under its header, as render.table draws it): shown in a
# fixed-width font so that its columns line up (the script's TABLE does the same for new lines)
TABLE = re.compile(r"^-{3,}(?: {2,}-{3,})*[ \t]*$", re.MULTILINE)
templates.env.filters["tabular"] = lambda text: bool(TABLE.search(str(text or "")))
# every value a page shows goes through the one sanitiser, as the terminal's and the exports' do: a bidi
# override or a zero-width character in a note or a customer's line is shown as its escape ("\u202e"),
# never reversing the text around it or drawing an empty bubble (the script's `visible` does the same)
templates.env.finalize = lambda value: value if isinstance(value, Markup) or not isinstance(value, str) else safe(value)
router = APIRouter(include_in_schema=False, route_class=PageRoute)  # forms read as strictly as the API
STAFF_HOME, CUSTOMER_HOME = "/desk", "/chat"
CHAT_COOKIE = "assistant_chat"


class Live:
    """One shared change counter per process: at most one database read a second, however many pages poll."""

    def __init__(self, every: float = 1.0):
        self.every, self._lock = every, Lock()
        self._value, self._read_at = 0, 0.0

    def version(self, svc: Service) -> int:
        with self._lock:
            if time.monotonic() - self._read_at >= self.every:
                self._value, self._read_at = desk.version(svc.store()), time.monotonic()
            return self._value

    def changed(self) -> None:
        """This process changed a ticket: the next read goes to the database."""
        with self._lock:
            self._read_at = 0.0


LIVE = Live()


class Page:
    """What every page knows: the request, the language's words, the signed-in session (if any)."""

    def __init__(self, request: Request, svc: Service):
        self.request, self.svc = request, svc
        self.lang = i18n.language(request.query_params.get("lang") or request.cookies.get(i18n.COOKIE),
                                  request.headers.get("accept-language"))
        self.words = i18n.Words(i18n.catalogue(resolve_dir(svc.settings.kb)), self.lang)
        # the API's clock: the real one, or X-Assistant-Now on a service started with --allow-simulated-clock
        self.clock = clock_for(svc, request.headers.get("x-assistant-now"))
        self.session = sessions.lookup(svc.store(), self.clock, request.cookies.get(sessions.COOKIE))

    def render(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        response = templates.TemplateResponse(self.request, name, {
            "t": self.words, "lang": self.lang, "session": self.session, "allowed": allowed,
            "csrf": self.session.csrf if self.session else "", **values}, status_code=status)
        if self.request.query_params.get("lang") in i18n.LANGUAGES:
            response.set_cookie(i18n.COOKIE, self.lang, max_age=365 * 24 * 3600, samesite="strict")
        return response

    def ops(self, command: str, account: str | None = None, bucket: str | None = None) -> LocalOps:
        """The operations of the signed-in person, once the roles table allows COMMAND."""
        assert self.session is not None
        principal = self.session.principal
        who = Caller(principal, principal.account or account or "demo", self.clock)
        return bound(self.svc, who, command, bucket)


def page(request: Request, svc: Service = Depends(service)) -> Page:
    return Page(request, svc)


def _secure(request: Request) -> bool:
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip()
    return request.url.scheme == "https" or proto == "https"


def _home(role: str) -> str:
    return CUSTOMER_HOME if role == "customer" else STAFF_HOME


def _wants_json(p: Page) -> bool:
    """Whether the page's script asked (it reads JSON; a redirect to the sign-in page's HTML it cannot)."""
    return "application/json" in p.request.headers.get("accept", "")


def _to_login(p: Page) -> Response:
    """No session (never signed in, expired, its token revoked): the sign-in page; to the page's
    script, a 401 saying the session ended, in the page's language, so that it can say so."""
    return _signed_out(p) if _wants_json(p) else RedirectResponse("/login", 303)


def _signed_out(p: Page) -> Response:
    """The 401 a page's script gets with no session: that it ended, in the page's language."""
    return JSONResponse({"error": p.words("session_ended"), "signed_out": True, "login": "/login"}, 401,
                        headers={"Cache-Control": "no-store"})


def _staff(p: Page) -> Response | None:
    """None when a staff member is signed in; else where to go (sign-in, or a customer's own chat)."""
    if p.session is None:
        return _to_login(p)
    if not allowed(p.session.principal.role, "desk"):
        return RedirectResponse(CUSTOMER_HOME, 303)
    return None


def _checked(p: Page, csrf: str | None) -> Response | None:
    """None when the form carried the session's CSRF token; else the 403 page (nothing changed)."""
    if p.session is None:
        return _to_login(p)
    if not sessions.csrf_ok(p.session, csrf):
        return p.render("message.html", 403, title=p.words("forbidden"), message=p.words("bad_csrf"))
    return None


# --- sign-in -----------------------------------------------------------------------------------

@router.get("/")
def root(p: Page = Depends(page)) -> Response:
    return RedirectResponse(_home(p.session.principal.role) if p.session else "/login", 303)


@router.get("/login")
def login_form(p: Page = Depends(page)) -> Response:
    if p.session:
        return RedirectResponse(_home(p.session.principal.role), 303)
    return p.render("login.html")


TOKEN_MOST = 200   # characters: a token is about 45; anything longer is no token (and never looked up)


@router.post("/login")
def login(token: str = Form(""), p: Page = Depends(page)) -> Response:
    hours = float(p.svc.kb.rules.handoff.get("web_session_hours", 12)) if p.svc.kb.rules else 12.0
    made = sessions.sign_in(p.svc.store(), p.clock, token, hours) if len(token) <= TOKEN_MOST else None
    if made is None:
        return p.render("login.html", 401, error=p.words("bad_token"))
    session_id, session = made
    response = RedirectResponse(_home(session.principal.role), 303)
    response.set_cookie(sessions.COOKIE, session_id, httponly=True, samesite="strict", secure=_secure(p.request),
                        max_age=int(hours * 3600), path="/")
    return response


@router.post("/logout")
def logout(csrf: str = Form(""), p: Page = Depends(page)) -> Response:
    if (refused := _checked(p, csrf)) is not None:
        return refused
    sessions.sign_out(p.svc.store(), p.request.cookies.get(sessions.COOKIE))
    response = RedirectResponse("/login", 303)
    response.delete_cookie(sessions.COOKIE, path="/")
    response.delete_cookie(CHAT_COOKIE, path="/")
    return response


# --- the desk ----------------------------------------------------------------------------------

def _filters(request: Request) -> desk.Filters:
    q = request.query_params
    try:
        number = int(q.get("page") or 1)
    except ValueError:
        number = 1
    return desk.Filters(status=q.get("status") or "active", owner=q.get("owner") or None,
                        account=q.get("account") or None, q=(q.get("q") or "").strip()[:200] or None, page=number)


def _queue(p: Page) -> tuple[dict, desk.Filters, str | None]:
    """The queue the address asks for, and what is wrong with its filters (the whole active queue
    is shown then, with that said): a status the desk does not know, a page number below 1."""
    filters = _filters(p.request)
    ops = p.ops("desk")
    try:
        return desk.queue(ops.ctx, filters, p.lang), filters, None
    except UserError:
        if filters.status not in (*desk.STATUSES, "active", "all"):
            problem = p.words("unknown_status", status=filters.status[:40],
                              statuses=p.words("list_comma").join(_status_named(p, s) for s in ("active", *desk.STATUSES, "all")))
        else:
            problem = p.words("bad_page")
        filters = desk.Filters()
        return desk.queue(ops.ctx, filters, p.lang), filters, problem


def _status_named(p: Page, status: str) -> str:
    """STATUS as the address takes it, with its name on the page when that says more ("active (not
    resolved)" once, not "active (active (not resolved))"; "open" alone; "open（待处理）")."""
    named = p.words(status)
    return named if named.startswith(status) else p.words("status_named", status=status, name=named)


def _link(filters: desk.Filters, **changes: Any) -> str:
    chosen = replace(filters, **changes)
    pairs = {"status": chosen.status, "owner": chosen.owner, "account": chosen.account, "q": chosen.q,
             "page": chosen.page if chosen.page > 1 else None}
    return "/desk?" + urlencode({k: v for k, v in pairs.items() if v})


@router.get("/desk")
def desk_page(p: Page = Depends(page)) -> Response:
    if (away := _staff(p)) is not None:
        return away
    found, filters, problem = _queue(p)
    return p.render("desk.html", found=found, filters=filters, link=_link, version=LIVE.version(p.svc), problem=problem)


@router.get("/desk/rows")
def desk_rows(p: Page = Depends(page)) -> Response:
    """The queue's rows alone, for the live update (same filters as the page)."""
    if (away := _staff(p)) is not None:
        return away
    found, filters, _ = _queue(p)
    return p.render("desk_rows.html", found=found, filters=filters, link=_link)


@router.get("/desk/changes")
def desk_changes(p: Page = Depends(page)) -> Response:
    """The change counter: a page asks every few seconds and reloads its rows when it moved."""
    if p.session is None:
        return _signed_out(p)
    return JSONResponse({"version": LIVE.version(p.svc)}, headers={"Cache-Control": "no-store"})


def _account_state(p: Page, account: str) -> dict:
    ops = p.ops("desk", account)
    ctx = ops.ctx  # a staff member acts in the ticket's account
    from ..actions import signatures
    from ..actions import templates as template_actions

    try:
        row = ctx.account_row()
    except UserError:
        return {}
    return {"industry": row["industry"], "enabled": row["enabled_at"] is not None,
            "digital_balance": row["digital_balance"], "sms_balance": row["sms_balance"],
            "signatures": signatures.status(ctx), "templates": template_actions.status(ctx)}


def _label(p: Page, kind: str, value: str, otherwise: str) -> str:
    """VALUE of the account model (a carrier, an industry) named in the page's language, from the
    conversation's catalogue (messages.yaml `label.KIND.VALUE`); OTHERWISE when it names none."""
    from ..messages import say

    msg_id = f"label.{kind}.{value}"
    return say(p.svc.kb, msg_id, p.lang) if msg_id in p.svc.kb.messages else otherwise


def _canned(p: Page) -> list[dict]:
    table = i18n.catalogue(resolve_dir(p.svc.settings.kb), "canned_replies.yaml")
    return [{"id": key, "title": i18n.Words({"x": v["title"]}, p.lang)("x"), "text": i18n.Words({"x": v["text"]}, p.lang)("x")}
            for key, v in table.items() if isinstance(v, dict)]


# the history details the core stores as a sentence of the catalogue (in English), said again in
# the desk's language: the first of an event's sentences that reads the detail
HISTORY_SAID = {"overdue": ("ticket.history.overdue",),
                "assigned": ("ticket.history.assigned_by", "ticket.history.assigned")}


def _history_line(p: Page, event: dict, account: str) -> dict:
    """A ticket's history EVENT in the page's language: who (a person by role and name, the customer
    by the ticket's ACCOUNT rather than a token's number, or the service itself), what happened, and
    its detail (why it was opened, a catalogue sentence)."""
    from ..messages import heard, say

    kb, actor = p.svc.kb, str(event["actor"] or "")
    role, _, name = actor.partition(":")
    who = p.words("actor.customer", account=account) if role == "customer" else \
        p.words("actor", role=p.words.label("role", role), name=name) if name else \
        p.words("actor.system") if actor == "system" else p.words.label("role", actor)
    detail = event["detail"]
    if event["event"] == "claimed" and name and detail == name:   # who took it is who acted: said once
        detail = None
    if event.get("said"):      # kept as the catalogue's sentences ("asked again": the new request's summary)
        try:
            return {"at": event["at"], "who": who, "what": p.words.label("event", event["event"]),
                    "detail": summary_text(kb, event["said"], p.lang)}
        except (KeyError, ValueError, TypeError):   # a sentence this knowledge base lacks: the stored line
            pass
    if detail:
        found = next(((msg_id, fields) for msg_id in HISTORY_SAID.get(event["event"], ())
                      if (fields := heard(kb, msg_id, detail)) is not None), None)
        if found is not None:
            nobody = say(kb, "ticket.history.nobody")
            detail = say(kb, found[0], p.lang, **{k: say(kb, "ticket.history.nobody", p.lang) if v == nobody else v
                                                  for k, v in found[1].items()})
        elif role == "agent" and f"reason.{detail}.by_agent" in p.words.table:   # opened in the customer's name
            detail = p.words(f"reason.{detail}.by_agent")
        else:
            detail = p.words.label("reason", detail)
    return {"at": event["at"], "who": who, "what": p.words.label("event", event["event"]), "detail": detail}


def _ticket_page(p: Page, ticket_id: str, status: int = 200, error: str | None = None, done: str | None = None,
                 kept: dict[str, str] | None = None) -> Response:
    """The ticket's page; KEPT: the form refused (its action and fields), filled in again as it was sent.

    The desk reaches every account's tickets, an agent's too: its queue lists them all, and an agent
    may act for any account (`/account`), here the ticket's; what an agent gets fewer of is forms."""
    ops = p.ops("desk")
    number = ticket_id.strip().lstrip("#")
    try:
        case = handoff.get(ops.ctx, ticket_id, any_account=True, said=True)
    except NotFound:
        return p.render("message.html", 404, title=p.words("ticket"), message=p.words("no_ticket", id=number[:40]))
    except UserError as exc:
        said = p.words("not_a_ticket", id=number[:40]) if not number.isdecimal() else i18n.plain(str(exc))
        return p.render("message.html", 404, title=p.words("ticket"), message=said)
    carriers = {c: _label(p, "carrier", c, name) for c, name in (p.svc.kb.rules.carriers if p.svc.kb.rules else {}).items()}
    kb = p.svc.kb
    case = {**case, "summary": summary_in(kb, case, p.lang),   # in the desk's language, as the queue says it
            "messages": [{**m, "text": message_in(kb, m["text"], p.lang)} for m in case["messages"]],   # "已结案：…"
            "age": desk.age(ops.ctx, case, p.lang),   # as the queue says it ("2小时5分钟")
            "events": [_history_line(p, e, case["account"]) for e in case["events"]]}
    return p.render("ticket.html", status, case=case, sends=handoff.sends_of(case["context"]), agent=AGENT,
                    state=_account_state(p, case["account"]), carriers=carriers,
                    canned=_canned(p), error=error, done=done, version=LIVE.version(p.svc), kept=kept or {})


@router.get("/desk/tickets/{ticket_id}")
def ticket_page(ticket_id: str, p: Page = Depends(page)) -> Response:
    if (away := _staff(p)) is not None:
        return away
    return _ticket_page(p, ticket_id, done=p.words("done") if p.request.query_params.get("done") else None)


ACTIONS = {
    "claim": ("handoff.claim", lambda ops, t, f: ops.handoff_claim(t)),
    "assign": ("handoff.assign", lambda ops, t, f: ops.handoff_assign(t, f.get("to", ""))),
    "reply": ("handoff.reply", lambda ops, t, f: ops.handoff_reply(t, f.get("text", ""))),
    "note": ("handoff.note", lambda ops, t, f: ops.handoff_note(t, f.get("text", ""))),
    "resolve": ("handoff.resolve", lambda ops, t, f: ops.handoff_resolve(t, f.get("note", ""))),
    "reopen": ("handoff.reopen", lambda ops, t, f: ops.handoff_reopen(t)),
}


@router.post("/desk/tickets/{ticket_id}/{action}")
async def ticket_action(ticket_id: str, action: str, request: Request, svc: Service = Depends(service)) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return await _run_in_thread(lambda: _ticket_action(Page(request, svc), ticket_id, action, fields))


async def _run_in_thread(work):
    """WORK (which reads the database: the session, then the action) on the thread pool, never on the event loop."""
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(work)


def _ticket_action(p: Page, ticket_id: str, action: str, fields: dict[str, str]) -> Response:
    if (away := _staff(p)) is not None:
        return away
    if (refused := _checked(p, fields.get("csrf"))) is not None:
        return refused
    if action not in ACTIONS:
        return p.render("message.html", 404, title=p.words("ticket"), message=p.words("no_action"))
    command, run = ACTIONS[action]
    try:
        run(p.ops(command), ticket_id, fields)
    except Forbidden as exc:
        return _ticket_page(p, ticket_id, 403, error=i18n.plain(str(exc)))
    except UserError as exc:   # the manager's words come back in their box, not thrown away
        kept = {"action": action, **{k: v for k, v in fields.items() if k != "csrf"}}
        return _ticket_page(p, ticket_id, 400, error=i18n.refusal(p.svc.kb, exc, p.lang), kept=kept)
    LIVE.changed()
    return RedirectResponse(f"/desk/tickets/{ticket_id}?done=1", 303)


@router.get("/desk/tickets/{ticket_id}/{action}")
def ticket_action_page(ticket_id: str, action: str) -> Response:
    """A form's address opened again (the address bar after a refused reply, a reopened tab): the ticket."""
    return RedirectResponse(f"/desk/tickets/{urllib.parse.quote(ticket_id, safe='')}", 303)


# --- reports -----------------------------------------------------------------------------------

def columns(values: list[int], width: int = 720, height: int = 160) -> list[dict]:
    """Geometry of a column chart of VALUES (x, y, w, h of each column), scaled to the largest."""
    top = max(values, default=0) or 1
    step = width / max(len(values), 1)
    return [{"x": round(n * step + 1, 1), "w": round(max(step - 2, 1), 1), "h": round(v / top * (height - 20), 1),
             "y": round(height - v / top * (height - 20), 1), "v": v} for n, v in enumerate(values)]


def widths(counts: list[int], width: int = 360) -> list[float]:
    """Bar lengths for COUNTS, the largest WIDTH long."""
    top = max(counts, default=0) or 1
    return [round(c / top * width, 1) for c in counts]


@router.get("/desk/reports")
def reports_page(p: Page = Depends(page)) -> Response:
    if (away := _staff(p)) is not None:
        return away
    if not allowed(p.session.principal.role, "kb.report"):
        return p.render("message.html", 403, title=p.words("reports"), message=p.words("forbidden"))
    try:
        days = min(max(int(p.request.query_params.get("days") or 30), 1), 3660)
    except ValueError:
        days = 30
    figures = p.ops("kb.report").report(days)
    return p.render("reports.html", r=figures, days=days,
                    per_day=columns([d["count"] for d in figures["tickets_per_day"]]),
                    question_bars=widths([q["count"] for q in figures["top_questions"]]),
                    gap_bars=widths([q["count"] for q in figures["top_unanswered"]]))


# --- knowledge gaps ----------------------------------------------------------------------------

def _gaps_page(p: Page, status: int = 200, error: str | None = None, done: str | None = None) -> Response:
    if not allowed(p.session.principal.role, "kb.gaps"):
        return p.render("message.html", 403, title=p.words("gaps"), message=p.words("forbidden"))
    groups = p.ops("kb.gaps").gaps()[:100]
    kb = p.svc.kb
    targets = [(e.id, e.said("question", p.lang)) for e in kb.entries.values()] + [(a.name, a.name) for a in kb.actions.values()]
    named = dict(targets)   # an entry by its question in the page's language, its id beside it

    def entry(intent: str | None) -> dict:
        key = str(intent or "").partition(":")[2]
        return {"id": key, "question": named.get(key, key)}
    return p.render("gaps.html", status, groups=groups, targets=targets, entry=entry, error=error, done=done,
                    may_learn=allowed(p.session.principal.role, "kb.learn"))


@router.get("/desk/gaps")
def gaps_page(p: Page = Depends(page)) -> Response:
    if (away := _staff(p)) is not None:
        return away
    return _gaps_page(p, done=p.words("learned") if p.request.query_params.get("done") else None)


@router.post("/desk/gaps/learn")
def gaps_learn(question: str = Form("", max_length=500), entry: str = Form("", max_length=200), csrf: str = Form(""),
               p: Page = Depends(page)) -> Response:
    """Accept a proposed phrasing (or teach one): what `kb learn` does; answers use it at once."""
    if (away := _staff(p)) is not None:
        return away
    if (refused := _checked(p, csrf)) is not None:
        return refused
    try:
        p.ops("kb.learn").learn(question, entry)
    except Forbidden as exc:
        return _gaps_page(p, 403, error=i18n.plain(str(exc)))
    except UserError as exc:
        return _gaps_page(p, 400, error=i18n.plain(str(exc)))
    return RedirectResponse("/desk/gaps?done=1", 303)


# --- the chat ----------------------------------------------------------------------------------

def _customer(p: Page) -> Response | None:
    if p.session is None:
        return _to_login(p)
    if not allowed(p.session.principal.role, "repl"):
        return p.render("message.html", 403, title=p.words("chat"), message=p.words("forbidden"))
    return None


def _conversation(p: Page) -> tuple[str, dict]:
    """The chat's conversation (the cookie's, if it is still this token's), else a new one with its welcome."""
    from ..server.routers import conversations

    ops = p.ops("repl")
    conv_id = p.request.cookies.get(CHAT_COOKIE)
    if conv_id:
        try:
            held = stored.load(conversations.holder(ops), conv_id)
            if not held.conv.done:        # one that ended ("exit") makes way for a new one
                return conv_id, {**conversations._view(conv_id, held.conv, []), "step": held.step}
        except UserError:
            pass
    view = conversations.begin("welcome", "auto", ops, first=p.lang, keys=False, shell="web")   # in the page's language
    return view["id"], {**view, "step": 0}


def _acting_for(p: Page, state: dict | None = None) -> str | None:
    """The account the chat's conversation acts for (its STATE, else the stored one's): a staff
    member's `/account` in it holds for the managers' replies it shows too. None: the session's own."""
    if state is None:
        conv_id = p.request.cookies.get(CHAT_COOKIE)
        row = p.svc.store().row("SELECT state FROM conversations WHERE id = ? AND token = ?",
                                (conv_id, p.session.principal.token_id)) if conv_id and p.session else None
        state = json.loads(row["state"]) if row else {}
    return acting_for(state)


def _transcript(p: Page, conv_id: str) -> list[dict]:
    """The conversation as the chat showed it (every line, its kind kept; the kept turns for one
    stored before the chat kept its lines), with the managers' replies shown to the customer during
    it in their place, by when they were shown (a reload or a return kept the conversation but lost them)."""
    row = p.svc.store().row("SELECT state, created_at FROM conversations WHERE id = ?", (conv_id,))
    if row is None:
        return []
    state = json.loads(row["state"])
    if isinstance(state.get("shown"), list):
        turns = [{"role": "user" if line.get("from") == "customer" else "assistant", **line}
                 for line in state["shown"] if isinstance(line, dict) and "text" in line]
    else:
        turns = [t for t in state.get("turns", []) if isinstance(t, dict) and "text" in t]
    if not allowed(p.session.principal.role, "inbox"):
        return turns
    replies = p.ops("inbox", _acting_for(p, state)).replies(row["created_at"])
    shown = [{**m, "role": "support", "at": m["seen_at"]} for m in _said(p, replies)]
    return sorted(turns + shown, key=lambda t: str(t.get("at") or ""))   # stable: a turn stays before a reply of its second


def _prompt(waiting: dict | None, shown: list[str]) -> str:
    """The question the chat waits on, for the line beside its buttons; empty when the transcript's
    last line (SHOWN) already asks it ("确定执行吗？" once, not twice)."""
    if not waiting:
        return ""
    asked = str(waiting.get("prompt") or "")
    return "" if shown and shown[-1].strip() == asked.strip() else asked


ASKS_BACK = ("offer", "confirm", "pick")   # the assistant's own question: its buttons are the reply wanted now


def _feedback(transcript: list[dict], waiting: dict | None) -> dict | None:
    """The feedback box the live chat drew under the newest turn, drawn again: where (after the
    transcript's line AFTER), the customer's QUESTION and the knowledge base's ANSWER it judges, and
    the verdict GIVEN already (None: its buttons). None when the newest turn has no such answer or
    the assistant asks something back (the chat's script decides the same: live.js `shown`)."""
    if waiting and waiting.get("kind") in ASKS_BACK:
        return None
    asked = max((n for n, turn in enumerate(transcript) if turn.get("role") == "user"), default=None)
    if asked is None or not str(transcript[asked].get("text") or "").strip():
        return None
    said = [n for n in range(asked + 1, len(transcript)) if transcript[n].get("role") == "assistant"]
    answer = next((transcript[n] for n in said if transcript[n].get("kind") == "answer" and transcript[n].get("entry")), None)
    if answer is None:
        return None
    return {"after": said[-1], "question": transcript[asked]["text"], "answer": answer["text"],
            "given": answer.get("feedback")}


@router.get("/chat")
def chat_page(p: Page = Depends(page)) -> Response:
    if (away := _customer(p)) is not None:
        return away
    conv_id, view = _conversation(p)
    reads = allowed(p.session.principal.role, "inbox")
    # read first: a reply written meanwhile is polled (once: by id)
    after = p.ops("inbox", view["account"]).latest() if reads else 0
    transcript = _transcript(p, conv_id)
    lines = [] if transcript else view.get("lines", [])   # a new conversation's welcome is its transcript's first lines
    inbox = _inbox(p) if reads else []
    shown = [str(turn.get("text", "")) for turn in [*transcript, *lines, *inbox]]
    response = p.render("chat.html", view=view, lines=lines, transcript=transcript, inbox=inbox, after=after,
                        most=_most(p, view),
                        prompt=_prompt(view.get("waiting"), shown), feedback=_feedback(transcript, view.get("waiting")))
    # the Back button shows the conversation as the service has it, never a copy of an older page
    # (without it chromium showed the page as first loaded, without the lines said since)
    response.headers["Cache-Control"] = "no-store"
    response.set_cookie(CHAT_COOKIE, conv_id, httponly=True, samesite="strict", secure=_secure(p.request), path="/")
    return response


@router.post("/chat/say")
def chat_say(text: str = Form("", max_length=4000), csrf: str = Form(""), step: str = Form("", max_length=20),
             p: Page = Depends(page)) -> Response:
    """One line of the chat; with JavaScript the page posts it and gets the reply as JSON. STEP: the
    conversation's step the page showed (a line from a page the conversation moved on from is refused)."""
    from ..messages import say
    from ..server.routers import conversations
    from ..text import clean

    def turn(ops: LocalOps, conv_id: str, shown: bool) -> dict:
        if text.strip() and not clean(text):   # only invisible characters: nothing to read, never an Enter
            raise UserError(say(p.svc.kb, "question.empty", p.lang))
        return conversations.say(conv_id, conversations.Message(text=text), ops, prompts=True,
                                 seen=_step(step) if shown else None)
    return _chat_turn(p, csrf, turn, text.strip())


def _step(value: object) -> int | None:
    """The step a chat's form says its page showed; None when it says none (a script's post)."""
    return int(value) if isinstance(value, str) and value.isdecimal() and len(value) < 17 else None


@router.post("/chat/files")
async def chat_files(request: Request, svc: Service = Depends(service)) -> Response:
    """The file(s) the conversation waits for (a template's media or letter), sent from the page."""
    from ..chat.attachments import Upload
    from ..server.routers import conversations

    form = await request.form()
    uploads = [Upload(f.filename or "", await f.read()) for f in form.getlist("file") if hasattr(f, "read")]
    csrf, seen = form.get("csrf"), _step(form.get("step"))

    named = ", ".join(u.name for u in uploads)   # as the page's script shows the customer's upload

    def attach(ops: LocalOps, conv_id: str, shown: bool) -> dict:
        def attached(conv) -> list:
            lines = conv.attach(uploads)
            return lines + conv.asked(lines)
        return stored.turn(conversations.holder(ops), conv_id, attached, conversations.viewer(conv_id, steps=True), named,
                           seen if shown else None)
    return await _run_in_thread(lambda: _chat_turn(Page(request, svc), csrf if isinstance(csrf, str) else None, attach,
                                                   named))


def _chat_turn(p: Page, csrf: str | None, turn, heard: str) -> Response:
    """One turn of the customer's chat (TURN(ops, conversation id, shown) -> the view; HEARD the customer's
    line as the page shows it): a refusal is said in the transcript (and kept in it, with the line refused)
    with the conversation still waiting where it was; JSON for the page's script, else back to /chat.
    A line from a page the conversation moved on from (in another tab) is refused in the page's
    language and kept so; the script then draws the page again, caught up (409 with `moved`). SHOWN:
    the conversation is the one the page showed; a new one (the page's had ended with "exit", or was
    gone) never saw the page's step, so the line is its first, not a line from an older page."""
    from ..chat.lines import Line
    from ..conversation import VALUE_PROMPTS
    from ..server.routers import conversations

    if (away := _customer(p)) is not None:
        return away
    if (refused := _checked(p, csrf)) is not None:
        return refused
    conv_id, before = _conversation(p)
    shown = conv_id == p.request.cookies.get(CHAT_COOKIE)
    moved = refused = False
    try:
        view = turn(p.ops("repl", bucket="asks"), conv_id, shown)
    except UserError as exc:
        moved, refused = isinstance(exc, stored.MovedOn), True
        refusal = [Line("error", p.words("moved_on") if moved else i18n.plain(str(exc)))]
        waiting = before.get("waiting") or {}
        if not moved and waiting.get("kind") in VALUE_PROMPTS and waiting.get("prompt"):
            refusal.append(Line("prompt", str(waiting["prompt"])))   # what it still waits for, asked again
        view = {**before, "lines": [{"kind": line.kind, "text": line.text} for line in refusal]}
        with contextlib.suppress(UserError):   # another window moved it meanwhile: the refusal is said, not kept
            view = stored.keep_refused(conversations.holder(p.ops("repl")), conv_id, heard, refusal,
                                       conversations.viewer(conv_id, steps=True)) or view
    LIVE.changed()
    if "application/json" in p.request.headers.get("accept", ""):
        # REFUSED: the line was not taken (the page puts it back in the box); MOST: the box's length now
        response: Response = JSONResponse({"error": view["lines"][0]["text"], "moved": True}, 409) if moved \
            else JSONResponse({**view, "refused": refused, "most": _most(p, view)})
    else:
        response = RedirectResponse("/chat", 303)
    response.set_cookie(CHAT_COOKIE, conv_id, httponly=True, samesite="strict", secure=_secure(p.request), path="/")
    return response


def _most(p: Page, view: dict) -> int:
    """How long a line the chat's box takes at VIEW's prompt: as long as the conversation reads there."""
    from ..conversation import longest_line

    return longest_line((view.get("waiting") or {}).get("kind"), p.svc.kb.rules)


VERDICTS = ("yes", "not_related", "not_answered")


@router.post("/chat/feedback")
def chat_feedback(question: str = Form("", max_length=4000), answer: str = Form("", max_length=8000),
                  verdict: str = Form(""), csrf: str = Form(""), p: Page = Depends(page)) -> Response:
    """"Did this answer your question?": yes, or no with why; recorded for the reports."""
    if (away := _customer(p)) is not None:
        return away
    if (refused := _checked(p, csrf)) is not None:
        return refused
    if verdict not in VERDICTS:
        return JSONResponse({"error": f"verdict must be one of: {', '.join(VERDICTS)}"}, 422)
    from ..server.routers import conversations

    given = conversations.judge(p.ops("repl"), p.request.cookies.get(CHAT_COOKIE), question, answer, verdict)
    if given is not None:   # one verdict an answer: the first stands
        return JSONResponse({"error": p.words("feedback_given"), "given": given}, 409)
    return JSONResponse({"recorded": verdict})


def _inbox(p: Page) -> list[dict]:
    """The customer's unseen replies and resolutions (marked seen), a resolution said in the page's
    language rather than as it is stored."""
    return _said(p, p.ops("inbox", _acting_for(p)).inbox())


def _said(p: Page, messages: list[dict]) -> list[dict]:
    """MESSAGES of the managers, a resolution said in the page's language (the message catalogue's
    `ticket.resolved_note`, as every shell says it), a reply with the hint of how to answer it
    (`inbox.reply_hint`: the next line goes to the manager)."""
    from ..messages import say

    kb = p.svc.kb
    return [{**m, "text": message_in(kb, m["text"], p.lang),
             "hint": say(kb, "inbox.reply_hint", p.lang, author=m["author"]) if resolution_note(m["text"]) is None else ""}
            for m in messages]


@router.get("/chat/inbox")
def chat_inbox(after: int | None = Query(None, ge=0), p: Page = Depends(page)) -> Response:
    """Replies and resolutions of the customer's tickets for the live chat: with AFTER (the newest
    message id the page has), every one newer, seen elsewhere or not, so each open tab shows each
    reply; without it, those not shown anywhere yet (each once)."""
    if p.session is None:
        return _signed_out(p)
    if not allowed(p.session.principal.role, "inbox"):
        return JSONResponse([])
    news = _inbox(p) if after is None else _said(p, p.ops("inbox", _acting_for(p)).news(after))
    return JSONResponse(news, headers={"Cache-Control": "no-store"})


@router.get("/chat/status")
def chat_status(p: Page = Depends(page)) -> Response:
    """The chat's status bar as it is now (open tickets...), for the live chat after a reply or a resolution."""
    if p.session is None:
        return _signed_out(p)
    if not allowed(p.session.principal.role, "repl"):
        return JSONResponse({"error": p.words("forbidden")}, 403)
    conv_id, view = _conversation(p)
    response = JSONResponse({"toolbar": view["toolbar"]}, headers={"Cache-Control": "no-store"})
    response.set_cookie(CHAT_COOKIE, conv_id, httponly=True, samesite="strict", secure=_secure(p.request), path="/")
    return response


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


def wants_page(request: Request) -> bool:
    """Whether REQUEST is a browser's for a page (not the API's, not a script's): an error is then a page."""
    return not request.url.path.startswith("/v1") and "text/html" in request.headers.get("accept", "")


def not_found(request: Request) -> Response:
    """The page for an address no page has (the API's own 404 stays JSON)."""
    try:
        p = Page(request, request.app.state.service)
    except UserError:   # a simulated clock the service refuses: the page in English, signed out
        return HTMLResponse("<!doctype html><title>Page not found</title><h1>Page not found</h1>", 404)
    return p.render("message.html", 404, title=p.words("not_found"), message=p.words("no_page"))


SECURITY_HEADERS = (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
                    ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"))


def security_headers(headers: MutableHeaders) -> None:
    """What every page carries: the Content-Security-Policy and friends (a page's own value stays)."""
    for name, value in SECURITY_HEADERS:
        headers.setdefault(name, value)
