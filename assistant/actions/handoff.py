"""Handoff to a support manager: tickets that carry the whole case, and the manager's queue.

A ticket is made complete when it is created: the objects the customer named (template,
signature, failed send) are looked up and their current state stored with it, so the manager
never has to ask again. Its priority follows from that state: a review still pending with a
send date two business days away or less is urgent.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from .. import errors, lang, notify
from ..clock import business_days_between, parse_time
from ..context import Context, perform
from ..errors import NotFound, UserError
from ..knowledge import KnowledgeBase
from ..messages import said, say
from ..roles import ROLES, allowed, require, sees_all_accounts
from ..sanitize import markdown_text, one_line, safe_json_text
from ..text import clean, echoed, shorten, typed
from . import sending, signatures, templates

REASONS = {
    "unanswered_question": "unanswered question",
    "send_failure": "send failure",
    "template_rejected": "template rejected",
    "review_late": "review late for the send date",
    "asked_for_person": "asked for a person",
}
STATUSES = ("open", "claimed", "waiting", "resolved")
CUSTOMER = "customer"  # the author of the customer's own messages on a ticket
# the roles whose messages are the customer's side of a ticket (an agent writes in the customer's name)
CUSTOMER_SIDE = ("customer", "agent")
# a message of support's side (a manager's reply or resolution), as SQL on ticket_messages aliased m
SUPPORT_SIDE_SQL = "m.role NOT IN ('customer', 'agent')"
RECENT_SEND = "the account's latest failed send, attached by its time"  # how a case shows a send found by its time
ADDED_SEND = "added by a later request for a person"  # how a case shows a send added to the ticket beside its own
RESOLVED = "Resolved: "  # how a resolution note starts in the customer's inbox
REFUSED_SEND = "refused whole in this session: nothing was sent or recorded"  # how a case shows a refused send
ADDED_SENDS = "added_sends"   # the context's key for the sends later requests added to the ticket (its own stays `send`)
SUMMARY_SAID = "summary_said"  # the context's key for the summary as sentences and values ({"lang", "parts"})


def _context(ctx: Context, template: str | None, signature: str | None, request_id: str | None,
             refused: Mapping[str, Any] | None = None, by_time: bool = True) -> dict[str, Any]:
    """The current state of what the ticket is about: the send, template and signature named, and the
    account. A ticket naming no send carries the account's latest failed send of the last
    `recent_failed_send_hours` (rules.yaml), marked `send_recent`: a customer who comes back in a new
    session to ask for a person most likely comes about it, and the manager should not have to ask.
    Not when the request names a send REFUSED whole (kept as `refused_send`: it is recorded nowhere
    else), nor when BY_TIME is false (the session made a send of its own: another is not this one)."""
    found: dict[str, Any] = {}
    if refused:
        found["refused_send"] = {k: refused.get(k) for k in ("template", "phones", "code", "reason", "at")}
        template = template or _known_template(ctx, refused.get("template"))
    elif not request_id and by_time and \
            (recent := sending.latest_failed(ctx, float(ctx.rules.handoff["recent_failed_send_hours"]))):
        request_id, found["send_recent"] = recent, True
    if request_id:
        found["send"] = sending.request(ctx, request_id)
        template = template or found["send"]["template"]
        codes = sorted({f["error_code"] for f in found["send"]["failures"] if f["error_code"]})
        found["errors"] = {code: ctx.kb.error_codes[code].meaning for code in codes if code in ctx.kb.error_codes}
    if template:
        status = templates.status_of(ctx, templates.find(ctx, template))
        found["template"] = {k: status[k] for k in ("code", "name", "signature", "industry", "carriers", "ready_for", "reach")}
        signature = signature or status["signature"]
    if signature:
        found["signature"] = signatures.status(ctx, signature)[0]
    account = ctx.account_row()
    found["account"] = {"industry": account["industry"], "enabled": account["enabled_at"] is not None,
                        "digital_balance": account["digital_balance"], "sms_balance": account["sms_balance"]}
    return found


def _known_template(ctx: Context, code: str | None) -> str | None:
    """CODE if the account has that template (a refused send may name one it has not), else None."""
    try:
        return templates.find(ctx, code)["code"] if code else None
    except UserError:       # no such template, or a name several share
        return None


def _pending(found: dict) -> list[str]:
    carriers = (found.get("template") or {}).get("carriers", {})
    return [c for c, s in carriers.items() if s["status"] == "pending"]


def _reason(found: dict, trigger: str | None, send_date: dt.date | None, named: bool = True) -> str:
    """Why the ticket is opened: TRIGGER, else what FOUND shows. NAMED: the ticket names a template or a
    signature; a send found by its time (and the template looked up with it) is context, never the reason."""
    if trigger in REASONS:
        return trigger
    if found.get("send_recent") and not named:
        return "asked_for_person"
    if "send" in found and found["send"]["failed"] and not found.get("send_recent"):
        return "send_failure"
    if "refused_send" in found:
        return "send_failure"
    carriers = (found.get("template") or {}).get("carriers", {})
    if any(s["status"] == "rejected" for s in carriers.values()):
        return "template_rejected"
    if _pending(found) and send_date:
        return "review_late"
    return "asked_for_person"


def _summary(ctx: Context, reason: str, found: dict, detail: str | None, last_question: str | None,
             send_date: dt.date | None, refused_said: Any = None) -> list[dict]:
    """What the ticket is about, as the catalogue's sentences (`ticket.summary.*`) and the values
    that fill them: stored with the ticket (`context.summary_said`), so that each view says it in
    its own language (`summary_in`); a value that is itself words to translate is a nested
    {"say": id} (a carrier's name, "no code"), a list is joined as the language joins one.
    REFUSED_SAID: a send refused whole's reason so (its English word for word the `reason`), if known."""
    def carriers(keys: Sequence[str]) -> list[Any]:
        # each carrier's name in the reader's language; a carrier the catalogue has no label for, by its rules' name
        return [{"say": f"label.carrier.{c}"} if f"label.carrier.{c}" in ctx.kb.messages else ctx.rules.carriers[c]
                for c in keys]

    def codes(errors: Mapping[str, str]) -> Any:
        return sorted(errors) or {"say": "ticket.summary.no_code"}

    def part(msg_id: str, **fields: Any) -> dict:
        return {"say": f"ticket.summary.{msg_id}", "fields": fields}

    if reason == "send_failure" and "refused_send" in found:
        r = found["refused_send"]
        phones = list(r["phones"] or [])
        to: Any = phones[:3] if len(phones) <= 3 else \
            {"say": "ticket.summary.and_more", "fields": {"numbers": phones[:3], "count": f"{len(phones) - 3:,}"}}
        parts = [part("refused_send", template=r["template"], to=to, code=r["code"], reason=refused_said or r["reason"])]
    elif reason == "send_failure" and "send" in found:
        s = found["send"]
        parts = [part("send_failure", request=s["request_id"][:8], failed=s["failed"], total=s["total"],
                      codes=codes(found.get("errors", {})))]
    elif reason == "template_rejected" and "template" in found:
        t = found["template"]
        rejected = {c: s["reason"] for c, s in t["carriers"].items() if s["status"] == "rejected"}
        parts = [part("template_rejected", code=t["code"], carriers=carriers(list(rejected)),
                      reason=next(iter(rejected.values())))]
    elif reason == "review_late" and "template" in found:
        parts = [part("review_late", code=found["template"]["code"], carriers=carriers(_pending(found)),
                      date=str(send_date))]
    elif reason == "unanswered_question":
        parts = [part("unanswered_question", said=detail or last_question or {"say": "ticket.summary.none_recorded"})]
    elif ctx.role == "agent":   # an agent acting in the customer's name asked, not the customer
        said = detail or last_question or {"say": "ticket.summary.no_reason"}
        agent = ctx.actor.partition(":")[2]   # no name known ($USER unset): "an agent", never "Agent agent"
        parts = [part("agent_asked_for_person", agent=agent, said=said) if agent
                 else part("unnamed_agent_asked_for_person", said=said)]
    else:
        parts = [part("asked_for_person", said=detail or last_question or {"say": "ticket.summary.no_reason"})]
    if found.get("send_recent") and reason == "asked_for_person":
        s = found["send"]   # no other subject: the queue shows the failed send the case carries, at a glance
        parts.append(part("recent_send", request=s["request_id"][:8], failed=s["failed"], total=s["total"],
                          codes=codes(found.get("errors", {}))))
    return parts


def summary_text(kb: KnowledgeBase, parts: Sequence[dict], lang: str) -> str:
    """The summary PARTS (`_summary`) in LANG, on one line of at most 160 characters (the first part
    kept to 100 when a second follows, so that the second is seen)."""
    texts = [said(kb, p, lang) for p in parts]
    text = shorten(texts[0], 100) + "".join(texts[1:]) if len(texts) > 1 else texts[0]
    return shorten(text, 160)


def summary_in(kb: KnowledgeBase, ticket: Mapping[str, Any], lang: str | None = None) -> str:
    """TICKET's summary said in LANG, else in the customer's language (the one they wrote in when
    it was opened). A ticket stored before summaries were kept as sentences has only its English
    line: that line, as it is (and so does one whose sentence a knowledge base no longer has)."""
    kept = _summary_said(ticket)
    if not kept:
        return ticket["summary"]
    try:
        return summary_text(kb, kept["parts"], lang or kept.get("lang") or "en")
    except KeyError:
        return ticket["summary"]


def language_of(ticket: Mapping[str, Any]) -> str:
    """The language the customer wrote in when TICKET was opened ('en' for a ticket stored before)."""
    return (_summary_said(ticket) or {}).get("lang") or "en"


def _summary_said(ticket: Mapping[str, Any]) -> dict | None:
    """The summary TICKET keeps as sentences ({"lang", "parts"}), from its context (parsed or JSON)."""
    context = ticket.get("context")
    if isinstance(context, str):
        context = json.loads(context or "{}")
    return (context or {}).get(SUMMARY_SAID)


# each kind of a ticket's text (the `_text` it is read by) as its refusals name it, and how to fill it in
TEXTS = {"reason": ("reason", "say what the manager should know"),
         "reply": ("reply", "write what the customer should read"),
         "answer": ("answer", "write what the support manager should read"),
         "note": ("note", "write what your colleagues should know"),
         "resolve": ("resolution note", "add --note TEXT")}


def _text(ctx: Context, text: str | None, kind: str) -> str:
    """TEXT as typed (`text.typed`) and within the ticket text limit of rules.yaml; a UserError when it
    says nothing (blank, or only control characters) or is too long, marked with the catalogue's
    sentence for KIND (`handoff.empty.KIND`, `handoff.too_long.KIND`: messages.yaml)."""
    what, how = TEXTS[kind]
    text = typed(text or "")
    if not clean(text):
        raise errors.said(UserError(f"the {what} is empty; {how}"), f"handoff.empty.{kind}")
    limit = int(ctx.rules.handoff["max_text_chars"])
    if len(text) > limit:
        raise errors.said(UserError(f"the {what} has {len(text):,} characters, over the limit of {limit:,}; shorten it "
                               "(put long logs in a file and say where it is)"),
                     f"handoff.too_long.{kind}", count=f"{len(text):,}", most=f"{limit:,}")
    return text


def _resolved(row: Mapping[str, Any]) -> UserError:
    """The refusal of a staff action on ROW, a resolved ticket: reopening it comes first."""
    return errors.said(UserError(f"ticket #{row['id']} is resolved; reopen it first"), "handoff.resolved", id=str(row["id"]))


def _turns(ctx: Context, conversation: Sequence[dict]) -> list[dict]:
    """The last turns of the conversation, each text cut to the ticket text limit; in an agent's
    conversation (in the customer's name) the person's turns are the agent's (`AGENT`: its name)."""
    limit = int(ctx.rules.handoff["max_text_chars"])
    author, role = writer(ctx)
    turns = []
    for turn in list(conversation)[-ctx.rules.handoff["kept_turns"]:]:
        text = str(turn.get("text", ""))
        kept = {k: v for k, v in turn.items() if k != "asked"}   # the reports' mark (conversation.py), not the case's
        turns.append({**kept, "text": shorten(text, limit) if len(text) > limit else text,
                      **({AGENT: author} if role == "agent" and turn.get("role") == "user" else {})})
    return turns


AGENT = "agent"   # the key of a conversation's turn an agent said, in the customer's name: the agent's name


def speaker(turn: Mapping[str, Any]) -> str:
    """Who said a conversation's TURN, where people read it: an agent's turn as the agent's, written
    for the customer ("ann (agent, for the customer)"), any other by its role ("user", "assistant")."""
    return author_label({"author": turn[AGENT], "role": "agent"}) if turn.get(AGENT) else str(turn.get("role") or "")


def _open_ticket(ctx: Context) -> dict | None:
    """The account's latest unresolved ticket, if it has one (a conversation's new request goes on it)."""
    return ctx.store.row("SELECT id, account, detail, status, owner, priority, context, conversation FROM tickets "
                         "WHERE account = ? AND status != 'resolved' ORDER BY id DESC LIMIT 1", (ctx.account,))


def open_id(ctx: Context) -> int | None:
    """The id of the account's open ticket a request for a person goes on (`create` with REUSE); None
    when it has none, and such a request opens a ticket."""
    row = _open_ticket(ctx)
    return int(row["id"]) if row else None


def waiting_ticket(ctx: Context) -> dict | None:
    """The account's latest ticket a support manager answered and now waits on the customer for
    (id, owner), if any: a line the assistant cannot answer may be the customer's answer to it."""
    return ctx.store.row("SELECT id, owner FROM tickets WHERE account = ? AND status = 'waiting' "
                         "ORDER BY updated_at DESC, id DESC LIMIT 1", (ctx.account,))


def _bare_command(text: str) -> bool:
    """A slash command without arguments ("/handoff", "/inbox"): no words of the customer's case."""
    return text.startswith("/") and " " not in text.strip()


PART = "part"   # the role of the turn that starts a later conversation added to a ticket (its text says when)


def _language(kept: Sequence[dict], new: Sequence[dict]) -> str:
    """The language of a ticket's conversation as it grows by NEW turns (KEPT: what it holds): the one
    its customer wrote in, in the new turns, else in the latest part of the kept ones (`lang.detect`
    of their words together). The ticket's own markers are said in it (`ticket.part`)."""
    latest = list(kept)[max((n for n, t in enumerate(kept) if t.get("role") == PART), default=-1) + 1:]
    said = [str(t.get("text", "")) for t in new if t.get("role") == "user"] or \
        [str(t.get("text", "")) for t in latest if t.get("role") == "user"]
    return lang.detect(" ".join(said))


def _with_part(ctx: Context, ticket: dict, turns: Sequence[dict]) -> list[dict] | None:
    """TICKET's conversation with the TURNS of a later conversation appended as a new part: a turn
    of role PART saying when it was added, then the turns the ticket does not hold yet (a second
    handoff in the same session adds only what was said since). None when nothing new was said, or
    when the turns are only the request itself (`ask`'s one line, kept as the customer's message)."""
    kept = json.loads(ticket["conversation"] or "[]")
    held = {(t.get("role"), t.get("text"), t.get("at")) for t in kept}
    new = [t for t in turns if (t.get("role"), t.get("text"), t.get("at")) not in held]
    if not any(t.get("role") == "assistant" for t in new):
        return None
    at = _when(ctx, ticket["id"])
    return kept + [{"role": PART, "text": say(ctx.kb, "ticket.part", _language(kept, new), at=at), "at": at}] + new


def _send_ids(context: Mapping[str, Any]) -> list[str]:
    """The request ids of the sends a ticket's CONTEXT holds: its own, then those added to it."""
    return [s["request_id"] for s in [context.get("send"), *context.get(ADDED_SENDS, [])] if s]


def _add_to(ctx: Context, ticket: dict, text: str | None, found: dict, urgent: bool,
            turns: Sequence[dict] = (), summary: str | None = None, parts: Sequence[dict] = ()) -> dict:
    """Another request while a ticket is open: its words (TEXT, the customer's own) go on the ticket
    as the customer's message, what it is about (SUMMARY, the staff's line) in the ticket's history,
    the conversation that led to it is appended to the ticket's (`_with_part`), the objects it names
    that the ticket lacks join the ticket's context (another send than the ticket's own is kept
    beside it, in `added_sends`), and a ticket waiting for the customer goes back to the managers'
    queue. No new ticket."""
    last = ctx.store.row("SELECT text FROM ticket_messages m WHERE ticket = ? AND NOT " + SUPPORT_SIDE_SQL +
                         " ORDER BY id DESC LIMIT 1", (ticket["id"],))
    said = bool(text) and text != ticket["detail"] and not (last and last["text"] == text)
    conversation = _with_part(ctx, ticket, turns)
    context = json.loads(ticket["context"])
    # a send, template or signature the request names that the ticket lacks ("handoff create --template X")
    named = [k for k in ("send", "template", "signature") if k in found and k not in context
             and not (k == "send" and found.get("send_recent"))]
    added = said or conversation is not None or bool(named)
    if said:
        _customers_message(ctx, ticket, text)
    if added:
        own = context.get("send")
        if own and "send" in found and found["send"]["request_id"] not in _send_ids(context):
            # another send than the ticket's: shown beside it (ADDED_SENDS), never in its place; what its
            # error codes mean joins the ticket's
            context[ADDED_SENDS] = [*context.get(ADDED_SENDS, []), found["send"]]
            context["errors"] = {**context.get("errors", {}), **found.get("errors", {})}
        context.update({k: v for k, v in found.items() if k not in context})
        changes = {"context": json.dumps(context, ensure_ascii=False),
                   "status": ticket["status"] if ticket["status"] != "waiting" else ("claimed" if ticket["owner"] else "open"),
                   "priority": "urgent" if urgent else ticket["priority"]}
        if conversation is not None:
            changes["conversation"] = json.dumps(conversation, ensure_ascii=False)
        ctx.store.update("tickets", {"id": ticket["id"]}, changes)
        _event(ctx, ticket["id"], "asked again", summary, said=parts)
    return {**get(ctx, ticket["id"]), "reused": True, "added": added}


def create(ctx: Context, detail: str | None = None, template: str | None = None, signature: str | None = None,
           request_id: str | None = None, send_date: str | None = None,
           conversation: Sequence[dict] = (), trigger: str | None = None, reuse: bool = False,
           refused: Mapping[str, Any] | None = None, by_time: bool = True, lang: str | None = None) -> dict:
    """Open a ticket for the support manager, with the objects' current state looked up.

    REUSE is for every request for a person (`handoff create` and `POST /v1/tickets` through
    `LocalOps.handoff_create`, `ask`, the REPL, the service's conversations): while the account has
    an unresolved ticket, the request is added to it (its words as the customer's message, the
    objects it names that the ticket lacks in its context, see `_add_to`) and the result says
    `"reused": true`, so a script repeating "I want to talk to a person" opens one ticket, not a
    thousand, and a customer who accepts a second handoff offer keeps one case with the managers.
    Without it a ticket is always opened (set-ups that need several).
    REFUSED: a send of the conversation refused whole (template, phones, code, reason, at), which no
    table holds; BY_TIME: false when the conversation made a send of its own (see `_context`).
    LANG: the customer's language (the conversation's), in which their views say the summary; by
    default the language of their words. The stored `summary` line is English: the staff's.
    """
    planned = parse_time(send_date).date() if send_date else None
    detail = _text(ctx, detail, "reason") if detail and clean(detail) else None
    if trigger is not None and trigger not in REASONS:
        raise UserError(f"unknown handoff reason '{trigger}'; use one of: {', '.join(REASONS)}")

    def work() -> dict:
        found = _context(ctx, template, signature, request_id, refused, by_time)
        reason = _reason(found, trigger, planned, named=bool(template or signature))
        today = ctx.clock.today()
        window = ctx.rules.handoff["urgent_within_business_days"]
        urgent = bool(_pending(found) and planned and business_days_between(today, planned, ctx.rules.holidays) <= window)
        turns = _turns(ctx, conversation)
        last_question = next((t["text"] for t in reversed(turns) if t.get("role") == "user" and not t.get("reply")
                              and not _bare_command(str(t["text"]))), None)
        parts = _summary(ctx, reason, found, detail, last_question, planned, (refused or {}).get("said"))
        summary = summary_text(ctx.kb, parts, "en")
        if reuse and (already := _open_ticket(ctx)):
            # the customer's own words as their message; what the request is about, in the history
            return _add_to(ctx, already, detail or last_question, found, urgent, turns, summary, parts)
        now = ctx.now()
        ticket_id = ctx.store.insert("tickets", {
            "account": ctx.account, "reason": reason, "detail": detail, "summary": summary,
            "priority": "urgent" if urgent else "normal", "status": "open", "owner": None,
            "context": json.dumps({**found, SUMMARY_SAID: {"lang": lang or _language([], [*turns, {
                "role": "user", "text": detail or ""}]), "parts": parts}}, ensure_ascii=False),
            "conversation": json.dumps(turns, ensure_ascii=False),
            "send_date": planned.isoformat() if planned else None, "resolution": None,
            "created_at": now, "updated_at": now})
        _event(ctx, ticket_id, "created", REASONS[reason])
        return {**get(ctx, ticket_id), "reused": False}
    return perform(ctx, "handoff.create", None, work)


def resolution_note(text: str) -> str | None:
    """The note of a message that says its ticket was resolved (stored starting with RESOLVED), else
    None: each shell says the resolution in its own words and language (chat/welcome.py, the web chat)."""
    return text[len(RESOLVED):] if text.startswith(RESOLVED) else None


def message_in(kb: KnowledgeBase, text: str, lang: str) -> str:
    """A manager's message TEXT as the customer reads it in LANG: a resolution said by the catalogue
    (`ticket.resolved_note`), anything else as the manager wrote it."""
    note = resolution_note(text)
    return text if note is None else say(kb, "ticket.resolved_note", lang, note=note)


def _event(ctx: Context, ticket_id: int, event: str, detail: str | None = None,
           said: Sequence[dict] | None = None) -> None:
    """Record EVENT in the ticket's history, and in the notifications' outbox when people want to hear of it.
    DETAIL is the staff's English line; SAID, when given, the same as the catalogue's sentences (`_summary`'s
    parts), so that each desk says it in its own language (`history`)."""
    at = _when(ctx, ticket_id)
    ctx.store.insert("ticket_events", {"ticket": ticket_id, "at": at, "actor": ctx.actor, "event": event,
                                          "detail": detail,
                                          "said": json.dumps(list(said), ensure_ascii=False) if said else None})
    ctx.store.execute("UPDATE tickets SET updated_at = ? WHERE id = ?", (at, ticket_id))
    if event in notify.EVENTS:
        ticket = ctx.store.row("SELECT id, account, priority, summary FROM tickets WHERE id = ?", (ticket_id,))
        notify.record(ctx.store, ticket, event, at)


def _message(ctx: Context, ticket: dict, author: str, text: str, seen: bool = False, role: str | None = None) -> None:
    """Add a message to TICKET's thread, by AUTHOR in ROLE (default: the acting role). The customer's
    side's messages are seen as they are written; the manager's wait, unseen, in the customer's inbox."""
    ctx.store.insert("ticket_messages", {"ticket": ticket["id"], "account": ticket["account"],
                                         "at": _when(ctx, ticket["id"]), "author": author, "role": role or ctx.role,
                                         "text": text, "seen_at": ctx.now() if seen else None})


def author_label(message: Mapping[str, Any]) -> str:
    """How a ticket MESSAGE's author is named where people read it: an agent's message as the agent's,
    written for the customer ("ann (agent, for the customer)"), anyone else's by the author alone."""
    author = str(message.get("author") or "")
    return f"{author} (agent, for the customer)" if message.get("role") == "agent" else author


def writer(ctx: Context) -> tuple[str, str]:
    """Who writes on the customer's side now, as (author, role): the customer (author "customer"), or
    an agent acting in the customer's name, by the agent's own name ("agent:ann" -> "ann")."""
    if ctx.role != "agent":
        return CUSTOMER, CUSTOMER
    role, _, name = ctx.actor.partition(":")
    return clean(name if role == "agent" and name else ctx.actor) or "agent", "agent"


def _customers_message(ctx: Context, ticket: dict, text: str) -> None:
    """TEXT on TICKET from the customer's side: the customer's, or the agent's who acts for them."""
    author, role = writer(ctx)
    _message(ctx, ticket, author, text, seen=True, role=role)


def _when(ctx: Context, ticket_id: int) -> str:
    """The time of a new step in a ticket's history: now, or the ticket's last step if that is later.
    Clocks differ (a client of a service with --allow-simulated-clock may live in another month than
    the manager), and a history must never run backwards."""
    row = ctx.store.row("SELECT updated_at FROM tickets WHERE id = ?", (ticket_id,))
    now = ctx.now()
    return max(now, row["updated_at"]) if row and row["updated_at"] else now


def open_for(ctx: Context, created_at: str, updated_at: str | None = None) -> dt.timedelta:
    """How long a ticket created at CREATED_AT has been open: to now, or to its last step (UPDATED_AT) if
    the viewer's clock is behind the ticket's history (clocks differ, see `_when`)."""
    until = ctx.clock.now()
    if updated_at and dt.datetime.fromisoformat(updated_at) > until:
        until = dt.datetime.fromisoformat(updated_at)
    return until - dt.datetime.fromisoformat(created_at)


def _age(ctx: Context, created_at: str, updated_at: str | None = None) -> str:
    """How long the ticket has been open (`open_for`) as the command line says it: "5m", "2h", "1d 3h"
    (messages.yaml `ticket.age.*`, which a Chinese conversation's /queue says again: render.queue_text)."""
    minutes = int(open_for(ctx, created_at, updated_at).total_seconds() // 60)
    if minutes < 60:
        return say(ctx.kb, "ticket.age.minutes", m=max(minutes, 0))
    if minutes < 24 * 60:
        return say(ctx.kb, "ticket.age.hours", h=minutes // 60)
    return say(ctx.kb, "ticket.age.days", d=minutes // (24 * 60), h=minutes % (24 * 60) // 60)


_MAX_ID = 2**63 - 1


def _row(ctx: Context, ticket_id: int | str, any_account: bool | None = None) -> dict:
    """The ticket, if it is within reach: a customer's or an agent's reach is the account acted for,
    and another account's ticket is reported as not found, exactly like a missing one."""
    if any_account is None:
        any_account = sees_all_accounts(ctx.role)
    try:
        number = int(str(ticket_id).strip().lstrip("#"))
    except ValueError:
        shown = one_line(echoed(ticket_id))
        raise errors.said(UserError(f"'{shown}' is not a ticket number; see `assistant handoff list`"),
                          "handoff.not_a_number", shown=shown) from None
    if not 0 < number <= _MAX_ID:
        raise errors.said(NotFound(f"no ticket #{number}; ticket numbers run from 1; see `assistant handoff list`"),
                          "handoff.out_of_range", number=number)
    row = ctx.store.row("SELECT * FROM tickets WHERE id = ?" + ("" if any_account else " AND account = ?"),
                        (number,) if any_account else (number, ctx.account))
    if row is None:
        raise errors.said(NotFound(f"no ticket #{number}; see `assistant handoff list`"), "handoff.not_found", number=number)
    return row


def _events(ctx: Context, ticket_id: int) -> list[dict]:
    """Ticket TICKET_ID's history, oldest first, read once for the case and its opener: each event's
    `detail` (the staff's English line) and `said`, the same as the catalogue's sentences (`summary_text`
    says them) when it was kept so, else None (an event of no such sentence, or one recorded before
    events kept them)."""
    rows = ctx.store.rows("SELECT at, actor, event, detail, said FROM ticket_events WHERE ticket = ? ORDER BY id",
                          (ticket_id,))
    return [{**r, "said": _parts(r["said"])} for r in rows]


def _parts(text: str | None) -> list[dict] | None:
    """An event's stored sentences (JSON), or None when there are none or they cannot be read."""
    try:
        parts = json.loads(text) if text else None
    except ValueError:
        return None
    return parts if isinstance(parts, list) and parts else None


def get(ctx: Context, ticket_id: int | str, any_account: bool | None = None, said: bool = False) -> dict:
    """The whole case: context, conversation, history of changes, and messages.

    Staff also get the internal `notes`; a customer's view has no such key at all, so no shell
    (CLI, API, export, chat) can show a note to a customer by forgetting to filter it. With SAID, each
    event also has its kept sentences (`said`), for a desk that says the history in its own language.
    """
    row = _row(ctx, ticket_id, any_account)
    events = _events(ctx, row["id"])
    case = {**{k: row[k] for k in ("id", "account", "summary", "reason", "detail", "priority", "status", "owner",
                                   "send_date", "resolution", "created_at", "updated_at")},
            "age": _age(ctx, row["created_at"], row["updated_at"]),
            "context": json.loads(row["context"]), "conversation": json.loads(row["conversation"]),
            "events": events if said else [{k: e[k] for k in ("at", "actor", "event", "detail")} for e in events],
            "opened_by": _opener(events),
            "messages": ctx.store.rows("SELECT at, author, role, text FROM ticket_messages WHERE ticket = ? ORDER BY id",
                                       (row["id"],))}
    if allowed(ctx.role, "handoff.note"):
        case["notes"] = ctx.store.rows("SELECT at, author, text FROM ticket_notes WHERE ticket = ? ORDER BY id",
                                       (row["id"],))
    else:   # the customer's view: the summary in the language they wrote in (the staff's stays English)
        case["summary"] = summary_in(ctx.kb, case)
    return case


def _opener(events: list[dict]) -> dict[str, str]:
    """Who opened the ticket of EVENTS, as {"author", "role"}: the customer, an agent in the customer's
    name (the ticket's words are then the agent's), or staff; from the actor of its `created` event."""
    actor = next((e["actor"] for e in events if e["event"] == "created"), CUSTOMER)
    role, _, name = actor.partition(":")
    if role not in ROLES or role == CUSTOMER:
        return {"author": CUSTOMER, "role": CUSTOMER}
    return {"author": name or role, "role": role}


def queue(ctx: Context, status: str | None = None, account: str | None = None, lang: str | None = None) -> list[dict]:
    """The manager's queue: unresolved tickets (or those of STATUS), urgent first, oldest first. Each summary in
    LANG (a conversation's reader's: a Chinese /queue); without, the customer's language for a customer, the
    staff's English line for staff (the command line's)."""
    if status and status not in STATUSES:
        known = ", ".join(STATUSES)
        raise errors.said(UserError(f"unknown status '{status}'; use one of: {known}"), "handoff.unknown_status",
                          status=status, known=known)
    where, params = ["status = ?" if status else "status != 'resolved'"], [status] if status else []
    if not sees_all_accounts(ctx.role):
        ctx.account_row()      # (an account that does not exist is said so, never "the queue is empty")
        account = ctx.account  # a customer's queue is its own tickets
    if account:
        where.append("account = ?")
        params.append(account)
    rows = ctx.store.rows(f"SELECT id, account, summary, reason, priority, status, owner, created_at, updated_at, context, "
                          "(SELECT role FROM ticket_messages m WHERE m.ticket = tickets.id ORDER BY m.id DESC LIMIT 1) "
                          f"AS last_author FROM tickets WHERE {' AND '.join(where)} "
                          "ORDER BY priority = 'urgent' DESC, created_at, id", tuple(params))
    # a customer's answer after the manager took the ticket is news for the manager: flagged
    customer = not allowed(ctx.role, "handoff.note")   # whose summary: the customer's language, or the staff's
    return [{**{k: v for k, v in r.items() if k not in ("last_author", "updated_at", "context")},
             "summary": summary_in(ctx.kb, r, lang) if customer or lang else r["summary"],
             "age": _age(ctx, r["created_at"], r["updated_at"]),
             "customer_answered": bool(r["owner"]) and r["last_author"] in CUSTOMER_SIDE} for r in rows]


def claim(ctx: Context, ticket_id: int | str, by: str) -> dict:
    """BY takes the ticket. Of two managers claiming at once, one gets it and the other is told who did.
    The answer says `"already": true` when BY had it (a reply to an unclaimed ticket claims it): nothing
    changes and nothing is recorded."""
    by = clean(by or "")

    def work() -> dict:
        row = _row(ctx, ticket_id)
        require(ctx.role, "handoff.claim")   # a customer hears the role's refusal before anything else
        if not by:
            raise errors.said(UserError("say who claims the ticket; add --by NAME (or --user NAME)"), "handoff.claim_by")
        if row["status"] == "resolved":
            raise _resolved(row)
        if row["owner"] == by:
            return {**get(ctx, row["id"]), "already": True}   # one's own ticket again: nothing changes or is recorded
        if row["owner"]:
            raise errors.said(UserError(f"ticket #{row['id']} is already claimed by {row['owner']}"), "handoff.claimed",
                         id=str(row["id"]), owner=row["owner"])
        ctx.store.execute("UPDATE tickets SET owner = ?, status = 'claimed' WHERE id = ?", (by, row["id"]))
        _event(ctx, row["id"], "claimed", by)
        return {**get(ctx, row["id"]), "already": False}
    return perform(ctx, "handoff.claim", str(ticket_id), work)


def reply(ctx: Context, ticket_id: int | str, text: str, by: str | None = None) -> dict:
    """A manager's answer to the customer; the ticket then waits for the customer. A reply to a ticket
    no one has claimed claims it for its author, and the history says so."""
    text = _text(ctx, text, "reply")

    def work() -> dict:
        row = _row(ctx, ticket_id)
        require(ctx.role, "handoff.reply")
        if row["status"] == "resolved":
            raise _resolved(row)
        author = clean(by or row["owner"] or ctx.actor)
        _message(ctx, row, author, text)
        ctx.store.execute("UPDATE tickets SET status = 'waiting', owner = COALESCE(owner, ?) WHERE id = ?",
                               (author, row["id"]))
        if not row["owner"]:
            _event(ctx, row["id"], "claimed", author)   # the reply made it theirs
        _event(ctx, row["id"], "replied")  # the text is kept once, in the ticket's messages
        return get(ctx, row["id"])
    return perform(ctx, "handoff.reply", str(ticket_id), work)


def answer(ctx: Context, ticket_id: int | str, text: str) -> dict:
    """The customer's answer on one of their own tickets; it goes back to the manager's queue."""
    text = _text(ctx, text, "answer")

    def work() -> dict:
        row = _row(ctx, ticket_id, any_account=False)
        if row["status"] == "resolved":
            raise errors.said(UserError(f"ticket #{row['id']} is resolved; open a new one with `assistant handoff create`"),
                              "handoff.resolved_open_new", id=row["id"])
        _customers_message(ctx, row, text)
        ctx.store.execute("UPDATE tickets SET status = CASE WHEN owner IS NULL THEN 'open' ELSE 'claimed' END "
                               "WHERE id = ?", (row["id"],))
        _event(ctx, row["id"], "answered")  # the actor says who; the text is kept once, in the messages
        return get(ctx, row["id"], any_account=False)
    return perform(ctx, "handoff.answer", str(ticket_id), work)


def resolve(ctx: Context, ticket_id: int | str, note: str, by: str | None = None) -> dict:
    """Close a ticket; the note reaches the customer's inbox (next start, `/inbox`, `assistant inbox`)."""
    note = _text(ctx, note, "resolve")

    def work() -> dict:
        row = _row(ctx, ticket_id)
        require(ctx.role, "handoff.resolve")
        if row["status"] == "resolved":
            raise _resolved(row)
        ctx.store.execute("UPDATE tickets SET status = 'resolved', resolution = ?, owner = COALESCE(owner, ?) "
                          "WHERE id = ?", (note, clean(by or ctx.actor), row["id"]))
        # The note is the customer's answer too: it waits in their inbox like a reply.
        _message(ctx, row, clean(by or row["owner"] or ctx.actor), f"{RESOLVED}{note}")
        _event(ctx, row["id"], "resolved")  # the note is kept as the resolution and the customer's message
        return get(ctx, row["id"])
    return perform(ctx, "handoff.resolve", str(ticket_id), work)


def note(ctx: Context, ticket_id: int | str, text: str, by: str | None = None) -> dict:
    """An internal note for colleagues on the ticket: kept apart from the messages, never shown to the customer."""
    text = _text(ctx, text, "note")

    def work() -> dict:
        row = _row(ctx, ticket_id)
        require(ctx.role, "handoff.note")
        ctx.store.insert("ticket_notes", {"ticket": row["id"], "at": ctx.now(), "author": clean(by or ctx.actor),
                                          "text": text})
        _event(ctx, row["id"], "noted")  # the history says a note was added; its text stays in the notes
        return get(ctx, row["id"])
    return perform(ctx, "handoff.note", str(ticket_id), work)


def assign(ctx: Context, ticket_id: int | str, to: str, by: str | None = None) -> dict:
    """Give the ticket to a colleague TO (claimed by them), whoever held it before."""
    to = clean(to or "")

    def work() -> dict:
        row = _row(ctx, ticket_id)
        require(ctx.role, "handoff.assign")
        if not to:
            raise errors.said(UserError("say who takes the ticket; give a colleague's name"), "handoff.assign_to")
        if row["status"] == "resolved":
            raise _resolved(row)
        owner = _known_colleague(ctx, to)
        if row["owner"] == owner:
            return get(ctx, row["id"])
        status = row["status"] if row["status"] == "waiting" else "claimed"
        ctx.store.execute("UPDATE tickets SET owner = ?, status = ? WHERE id = ?", (owner, status, row["id"]))
        before = row["owner"] or say(ctx.kb, "ticket.history.nobody")
        _event(ctx, row["id"], "assigned", say(ctx.kb, "ticket.history.assigned_by", before=before, after=owner, by=clean(by))
               if by else say(ctx.kb, "ticket.history.assigned", before=before, after=owner))
        return get(ctx, row["id"])
    return perform(ctx, "handoff.assign", str(ticket_id), work)


def _known_colleague(ctx: Context, name: str) -> str:
    """NAME as the service knows it ("Wang" is wang) when a person of that name may hold tickets here
    (a live token of a role that may claim them), else a UserError: a misspelt colleague took the
    ticket out of the open queue with no one to answer it. Where no such token exists (a database
    used without a service), any name is taken as given."""
    roles = [r for r in ROLES if allowed(r, "handoff.claim")]
    holders = {r["user_name"] for r in ctx.store.rows(
        "SELECT DISTINCT user_name FROM tokens WHERE revoked_at IS NULL AND user_name IS NOT NULL "
        f"AND role IN ({', '.join('?' * len(roles))})", tuple(roles))}
    if not holders or name in holders:
        return name
    same = [h for h in holders if h.casefold() == name.casefold()]
    if len(same) == 1:
        return same[0]
    raise errors.said(UserError(f"no colleague named '{shorten(name, 40)}' may take tickets here; give one of: "
                           f"{', '.join(sorted(holders))}"),
                 "handoff.no_colleague", name=shorten(name, 40), names=", ".join(sorted(holders)))


def reopen(ctx: Context, ticket_id: int | str, by: str | None = None) -> dict:
    """Put a resolved ticket back in the queue (claimed by its owner, if it had one)."""
    def work() -> dict:
        row = _row(ctx, ticket_id)
        require(ctx.role, "handoff.reopen")
        if row["status"] != "resolved":
            raise errors.said(UserError(f"ticket #{row['id']} is not resolved; nothing to reopen"), "handoff.not_resolved",
                         id=str(row["id"]))
        ctx.store.execute("UPDATE tickets SET status = CASE WHEN owner IS NULL THEN 'open' ELSE 'claimed' END, "
                          "resolution = NULL WHERE id = ?", (row["id"],))
        _event(ctx, row["id"], "reopened", clean(by) if by else None)
        return get(ctx, row["id"])
    return perform(ctx, "handoff.reopen", str(ticket_id), work)


def inbox(ctx: Context, mark_seen: bool = True) -> list[dict]:
    """Managers' replies the customer has not seen yet (marked seen once shown), each with its
    ticket's summary in the customer's language and that language (`lang`: a resolution's text is
    stored as RESOLVED and the note, which each shell says in its words: `resolution_note`)."""
    ctx.account_row()          # an account that does not exist is said so, never "No new replies."

    def work() -> list[dict]:
        rows = ctx.store.rows("SELECT m.id, m.ticket, m.at, m.author, m.text, t.summary, t.context FROM ticket_messages m "
                              "JOIN tickets t ON t.id = m.ticket WHERE m.account = ? AND m.seen_at IS NULL "
                              f"AND {SUPPORT_SIDE_SQL} ORDER BY m.id", (ctx.account,))
        if mark_seen and rows:
            ctx.store.execute("UPDATE ticket_messages SET seen_at = ? WHERE account = ? AND seen_at IS NULL",
                                   (ctx.now(), ctx.account))
        return [{**{k: v for k, v in r.items() if k != "context"}, "summary": summary_in(ctx.kb, r),
                 "lang": language_of(r)} for r in rows]
    return ctx.store.atomically(work, key=ctx.account)  # on a server, a conflict with a reply is run again


def news(ctx: Context, after: int) -> list[dict]:
    """Managers' replies and resolutions of the account newer than message id AFTER, seen or not
    (the unseen ones are marked seen), in `inbox`'s shape. Each open chat page keeps its own AFTER,
    so every tab of the customer shows every reply: `inbox`'s one "seen" mark went to the first
    reader only."""
    def work() -> list[dict]:
        rows = ctx.store.rows("SELECT m.id, m.ticket, m.at, m.author, m.text, m.seen_at, t.summary, t.context "
                              "FROM ticket_messages m JOIN tickets t ON t.id = m.ticket WHERE m.account = ? "
                              f"AND m.id > ? AND {SUPPORT_SIDE_SQL} ORDER BY m.id", (ctx.account, after))
        unseen = [r["id"] for r in rows if r["seen_at"] is None]
        if unseen:
            ctx.store.execute(f"UPDATE ticket_messages SET seen_at = ? WHERE id IN ({', '.join('?' * len(unseen))})",
                              (ctx.now(), *unseen))
        return [{**{k: v for k, v in r.items() if k not in ("context", "seen_at")}, "summary": summary_in(ctx.kb, r),
                 "lang": language_of(r)} for r in rows]
    return ctx.store.atomically(work, key=ctx.account)


def latest(ctx: Context) -> int:
    """The id of the account's newest message from the support side (0 when none): where a chat page
    that opens now starts reading `news`."""
    row = ctx.store.row(f"SELECT MAX(m.id) AS n FROM ticket_messages m WHERE m.account = ? AND {SUPPORT_SIDE_SQL}",
                        (ctx.account,))
    return int(row["n"] or 0) if row else 0


def replies(ctx: Context, since: str) -> list[dict]:
    """Managers' replies and resolutions the customer was shown at SINCE or later (`seen_at`): the
    web chat keeps those of its conversation in its transcript, where they were shown (`inbox`
    shows each once)."""
    return ctx.store.rows("SELECT m.id, m.ticket, m.at, m.seen_at, m.author, m.text FROM ticket_messages m "
                          f"WHERE m.account = ? AND m.seen_at IS NOT NULL AND {SUPPORT_SIDE_SQL} AND m.seen_at >= ? "
                          "ORDER BY m.seen_at, m.id", (ctx.account, since))


def open_count(ctx: Context) -> int:
    """Unresolved tickets of the account (the REPL's toolbar)."""
    return ctx.store.row("SELECT COUNT(*) AS n FROM tickets WHERE account = ? AND status != 'resolved'",
                         (ctx.account,))["n"]


def export(ticket: dict, fmt: str) -> str:
    """The case as Markdown or JSON, to paste into another ticket system."""
    if fmt == "json":
        return safe_json_text(json.dumps(ticket, ensure_ascii=False, indent=2))
    if fmt != "md":
        raise UserError(f"unknown format '{fmt}'; use md or json")
    o = markdown_text  # every value from people or the database, neutralised, kept on its line, never markup
    lines = [f"# Ticket #{ticket['id']}: {o(ticket['summary'])}", "",
             f"- Account: {o(ticket['account'])}", f"- Reason: {o(REASONS.get(ticket['reason'], ticket['reason']))}",
             f"- Priority: {o(ticket['priority'])}", f"- Status: {o(ticket['status'])}"
             + (f" (owner {o(ticket['owner'])})" if ticket["owner"] else ""),
             f"- Opened: {o(ticket['created_at'])}"]
    if ticket["send_date"]:
        lines.append(f"- Planned send date: {o(ticket['send_date'])}")
    if ticket["detail"]:
        opened = ticket.get("opened_by") or {}
        author = opened.get("author")
        whose = "Customer's words" if opened.get("role") != "agent" else \
            "An agent's words, for the customer" if author in (None, "agent") else f"Agent {o(author)}'s words, for the customer"
        lines.append(f"- {whose}: {o(ticket['detail'])}")
    context = ticket["context"]
    if "template" in context:
        t = context["template"]
        lines += ["", f"## Template {o(t['code'])} ({o(t['name'])})", "", "| carrier | status | reason |",
                  "| --- | --- | --- |"]
        lines += [f"| {o(c)} | {o(s['status'])} | {o(s.get('reason') or '')} |" for c, s in t["carriers"].items()]
    if "signature" in context:
        s = context["signature"]
        lines += ["", f"## Signature {o(s['name'])}: {o(s['registration'])}", ""]
        lines += [f"- {o(c)}: {o(v['registration'])}, {o(v['availability'])}"
                  + (f" ({o(v['reason'])})" if v.get("reason") else "")
                  for c, v in s["carriers"].items()]
    if "refused_send" in context:
        r = context["refused_send"]
        lines += ["", f"## Send of {o(r['template'])} ({REFUSED_SEND})", "",
                  f"- Numbers: {o(', '.join(r['phones'] or []))}", f"- {o(r['code'])}: {o(r['reason'])}",
                  f"- Refused at: {o(r['at'])}"]
    for s, recent, added in sends_of(context):
        lines += ["", f"## Send {o(s['request_id'])}" + (f" ({RECENT_SEND})" if recent else "")
                  + (f" ({ADDED_SEND})" if added else ""), "",
                  f"{s['sent']} sent, {s['failed']} failed at {o(s['created_at'])}", ""]
        lines += [f"- {o(f['phone'])} ({o(f['carrier'] or 'no carrier')}): {o(f['error_code'])}: {o(f['detail'])}"
                  + (f"\n  - message: {o(f['content'])}" if f.get("content") else "") for f in s["failures"]]
        if s.get("sent_messages"):
            lines += ["", "Sent:", ""] + [f"- {o(m['phone'])}: {o(m['content'] or '(content not recorded)')}"
                                          for m in s["sent_messages"]]
    if ticket["conversation"]:
        lines += ["", "## Conversation", ""]
        lines += [f"- **{o(speaker(t))}**: {_lines(t['text'])}" for t in ticket["conversation"]]
    if ticket["messages"]:
        lines += ["", "## Replies", ""] + [f"- {o(m['at'])} {o(author_label(m))}: {_lines(m['text'])}"
                                                      for m in ticket["messages"]]
    lines += ["", "## History", ""] + [f"- {o(e['at'])} {o(e['actor'])} {o(_event_words(e))}"
                                       + (f": {o(e['detail'])}" if _event_detail(e) else "") for e in ticket["events"]]
    if ticket["resolution"]:
        lines += ["", f"Resolution: {o(ticket['resolution'])}"]
    return "\n".join(lines) + "\n"


def sends_of(context: Mapping[str, Any]) -> list[tuple[dict, bool, bool]]:
    """The sends a ticket's CONTEXT holds, each with whether it was found by its time (RECENT) and
    whether a later request ADDED it: the ticket's own first, then the added ones in their order."""
    own = [(context["send"], bool(context.get("send_recent")), False)] if context.get("send") else []
    return own + [(s, False, True) for s in context.get(ADDED_SENDS, [])]


def _lines(text: object) -> str:
    """A turn or a message of several lines (a send's report and its table) as a list item's
    continued lines, each neutralised on its own: a table stays a table, not one line of "\\n"s."""
    first, *rest = str(text).split("\n")
    return markdown_text(first) + "".join(f"\n  {markdown_text(line, line_start=True)}" for line in rest)


def _event_detail(event: dict) -> str | None:
    """The event's detail, unless it only names the actor again ("manager:lin claimed: lin")."""
    name = str(event["actor"] or "").partition(":")[2]
    return None if event["event"] == "claimed" and name and event["detail"] == name else event["detail"]


def _event_words(event: dict) -> str:
    """The event without the actor's role said again: tickets answered before the event was renamed
    recorded "customer answered", which read "customer:alice customer answered" after the actor."""
    words = str(event["event"])
    role = str(event["actor"] or "").partition(":")[0]
    return words[len(role) + 1:] if role and words.startswith(role + " ") else words
