"""A ticket's case: as aligned text for the manager's `/show`, and what a customer says about it.

A customer with a ticket open may ask about it ("经理回复了吗": where it is and the manager's latest
reply) or answer the manager in so many words ("回复经理：是昨天发的": that goes on the ticket, after
the go-ahead); which lines are which is data (messages.yaml `follow_ups.ticket_asked`, `ticket_reply`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .. import render
from ..actions import handoff
from ..actions.handoff import ADDED_SEND, CUSTOMER_SIDE, REASONS, RECENT_SEND, REFUSED_SEND, author_label, sends_of
from ..messages import follow_up, heard, say, small_talk
from ..render import Words, failure_said, reason_in, safe, table
from ..roles import ROLES
from ..text import fold
from .lines import Line

if TYPE_CHECKING:
    from ..conversation import Conversation
    from ..knowledge import KnowledgeBase


def case_text(ticket: dict, carriers: dict[str, str], kb: KnowledgeBase | None = None, lang: str = "en") -> str:
    """The case the way a person reads it at a terminal: facts, objects, conversation, history. With KB, in the
    conversation's LANG (messages.yaml `case.*`, and the statuses, carriers, reasons and tables as the status views
    and the queue say them), its English the command line's word for word; without, that English."""
    w = Words(kb, lang)
    again = w.kb is not None and lang != "en"     # the stored values (English, or the API's names) said in LANG
    t = ticket
    status = w(f"queue.status.{t['status']}", t["status"])
    facts = [(w("case.ticket", "ticket"), f"#{t['id']}"),
             (w("case.summary", "summary"), handoff.summary_in(w.kb, t, lang) if again else t["summary"]),
             (w("case.account", "account"), t["account"]),
             (w("case.reason", "reason"), w(f"case.reason.{t['reason']}", REASONS.get(t["reason"], t["reason"]))),
             (w("case.priority", "priority"), w(f"ticket.priority.{t['priority']}", t["priority"])),
             (w("case.status", "status"), w("case.owned", "{status} (owner {owner})", status=status, owner=t["owner"])
              if t["owner"] else status),
             (w("case.opened", "opened"), t["created_at"])]
    if t["send_date"]:
        facts.append((w("case.send_date", "send date"), t["send_date"]))
    if t["detail"]:
        opened = t.get("opened_by") or {}
        facts.append((w("case.agent_said", "agent {agent} said", agent=opened.get("author"))
                       if opened.get("role") == "agent" else w("case.customer_said", "customer said"), t["detail"]))
    if t["resolution"]:
        facts.append((w("case.resolution", "resolution"), t["resolution"]))
    width = max(render.columns(k) for k, _ in facts)
    lines = [part for k, v in facts for part in _fitted(f"{render.padded(k, width)}  {safe(v)}", width + 2)]
    lines += _objects(t["context"], carriers, w, again)
    if t["conversation"]:
        lines += ["", w("case.conversation", "Conversation:")] + [
            part for turn in t["conversation"]
            for part in _fitted(f"  {_right(safe(_speaker(turn, w)), 9)}: " + safe(turn["text"]).replace("\n", "\n" + " " * 13),
                                13)]
    if t["messages"]:
        lines += ["", w("case.messages", "Messages:")] + [
            f"  {m['at']}  {safe(_author(m, w))}: {safe(handoff.message_in(w.kb, m['text'], lang) if again else m['text'])}"
            for m in t["messages"]]
    lines += ["", w("case.history", "History:")] + [_event_line(e, w, again) for e in t["events"]]
    return "\n".join(lines)


def _objects(context: dict, carriers: dict[str, str], w: Words, again: bool) -> list[str]:
    """The template, signature and sends a case's CONTEXT holds, as `case_text` shows them (in W's language)."""
    def carrier(key: str) -> str:
        return w(f"label.carrier.{key}", carriers.get(key, key)) if key in carriers else key

    def state(kind: str, value: str) -> str:
        return w.status(kind, value) if again else value

    def reason(text: str | None) -> str:
        return reason_in(w.kb, text, w.lang) if again and text else text or ""

    lines: list[str] = []
    if "template" in context:
        tpl = context["template"]
        lines += ["", w("case.template", "Template {code} ({name})", code=tpl["code"], name=safe(tpl["name"])),
                  table([(carrier(c), state("review", s["status"]), reason(s.get("reason"))) for c, s in tpl["carriers"].items()],
                        (w("table.carrier", "carrier"), w("table.review", "review"), w("table.reason", "reason")))]
    if "signature" in context:
        sig = context["signature"]
        lines += ["", w("case.signature", "Signature {name}: {registration}", name=safe(sig["name"]),
                        registration=state("registration", sig["registration"])),
                  table([(carrier(c), state("registration", v["registration"]), state("availability", v["availability"]),
                          reason(v.get("reason"))) for c, v in sig["carriers"].items()],
                        (w("table.carrier", "carrier"), w("table.registration", "registration"),
                         w("table.availability", "availability"), w("table.reason", "reason")))]
    if "refused_send" in context:
        r = context["refused_send"]
        phones = r["phones"] or []
        lines += ["", w("case.refused_send", "Send of {template} ({refused}) at {at}", template=safe(r["template"]),
                        refused=w("case.send.refused", REFUSED_SEND), at=r["at"]),
                  "  " + w("case.numbers", "numbers: {numbers}", numbers=safe(w.joined(phones) if again else ", ".join(phones))),
                  f"  {safe(r['code'])}: {safe(r['reason'])}"]
    for s, recent, added in sends_of(context):
        note = w("case.send.recent", RECENT_SEND) if recent else w("case.send.added", ADDED_SEND) if added else ""
        counts = {"request": s["request_id"], "sent": s["sent"], "failed": s["failed"], "at": s["created_at"]}
        lines += ["", w("case.send.noted", "Send {request} ({note}): {sent} sent, {failed} failed at {at}", note=note,
                        **counts) if note else w("case.send", "Send {request}: {sent} sent, {failed} failed at {at}", **counts)]
        if s["failures"]:
            lines.append(table([(f["phone"], w.carrier(f["carrier"], carriers), f["error_code"],
                                 (failure_said(w.kb, w.lang, f["phone"], f["error_code"], f["detail"]) if again else None)
                                 or f["detail"]) for f in s["failures"]],
                               (w("table.phone", "phone"), w("table.carrier", "carrier"), w("table.error", "error"),
                                w("table.why", "why"))))
    return lines


def _event_line(event: dict, w: Words, again: bool) -> str:
    """A line of the case's history: when, who, what happened (the desk's words in W's language) and its detail."""
    what = w(f"case.event.{event['event']}", event["event"])
    if event["detail"]:
        what = w("case.detail", "{event}: {detail}", event=what, detail=safe(_detail(event, w) if again else event["detail"]))
    return f"  {event['at']}  {safe(_actor(str(event['actor'] or ''), w))} {what}"


def _speaker(turn: dict, w: Words) -> str:
    """Who said a conversation's TURN (`handoff.speaker`), in W's language: an agent by name, a role by its word."""
    if turn.get(handoff.AGENT):
        return w("case.by_agent", "{name} (agent, for the customer)", name=turn[handoff.AGENT])
    role = str(turn.get("role") or "")
    return w(f"case.speaker.{role}", role) if role else role


def _author(message: dict, w: Words) -> str:
    """Who wrote a ticket's MESSAGE (`handoff.author_label`), in W's language: the customer by the role's word."""
    if message.get("role") == "agent":
        return w("case.by_agent", "{name} (agent, for the customer)", name=str(message.get("author") or ""))
    if message.get("role") == handoff.CUSTOMER and message.get("author") == handoff.CUSTOMER:
        return w("role.customer", "customer")
    return author_label(message)


def _actor(actor: str, w: Words) -> str:
    """Who did a history event (ACTOR as the core records it: "manager:lin", "customer", "system"), in W's
    language: the role by its word, a person by name and role ("lin（经理）")."""
    role, _, name = actor.partition(":")
    if role in ROLES:
        said = w(f"role.{role}", role)
        return w("case.actor", "{role}:{name}", role=said, name=name) if name else said
    return w("case.actor.system", "system") if actor == "system" else actor


# the history details the core stores as a sentence of the catalogue (in English), said again in the reader's
# language: the first of an event's sentences that reads the detail (as the desk says them: web/pages.py)
_HISTORY_SAID = {"overdue": ("ticket.history.overdue",),
                 "assigned": ("ticket.history.assigned_by", "ticket.history.assigned")}


def _detail(event: dict, w: Words) -> str:
    """A history EVENT's detail in W's language: its kept sentences (`said`), a sentence of the catalogue it reads
    as, a ticket's reason; as stored otherwise (a person's words, a name)."""
    kb, detail = w.kb, str(event["detail"])
    if event.get("said"):
        try:
            return handoff.summary_text(kb, event["said"], w.lang)
        except (KeyError, ValueError, TypeError):   # a sentence this knowledge base lacks: the stored line
            pass
    for msg_id in _HISTORY_SAID.get(event["event"], ()):
        if (fields := heard(kb, msg_id, detail)) is not None:
            nobody = say(kb, "ticket.history.nobody")
            return say(kb, msg_id, w.lang, **{k: say(kb, "ticket.history.nobody", w.lang) if v == nobody else v
                                              for k, v in fields.items()})
    key = next((k for k, text in REASONS.items() if text == detail), None)
    return w(f"case.reason.{key}", detail) if key else detail


def _right(text: str, width: int) -> str:
    """TEXT right-aligned in WIDTH terminal columns."""
    return " " * max(width - render.columns(text), 0) + text


def _fitted(line: str, indent: int) -> list[str]:
    """LINE's lines wrapped within the terminal's width (`render.WIDTH`, none in a pipe or a page), the
    lines a wrap makes INDENT columns in, under its value."""
    return [part for each in line.split("\n") for part in render.wrap(each, render.WIDTH or 0, " " * indent)]


def _open_ticket(conv: Conversation) -> dict | None:
    """The customer's ticket talked of: the latest one a manager waits on, else the latest open one."""
    waiting = handoff.waiting_ticket(conv.ctx)
    if waiting:
        return next((t for t in handoff.queue(conv.ctx) if t["id"] == waiting["id"]), None)
    tickets = handoff.queue(conv.ctx)
    return max(tickets, key=lambda t: t["id"]) if tickets else None


def _resolved_ticket(conv: Conversation) -> dict | None:
    """The customer's latest resolved ticket, when none is open: "is my ticket done?" is about it."""
    rows = conv.ctx.store.rows("SELECT id FROM tickets WHERE account = ? AND status = 'resolved' ORDER BY id DESC LIMIT 1",
                               (conv.ctx.account,))
    return handoff.get(conv.ctx, rows[0]["id"]) if rows else None


def _asks_about_ticket(conv: Conversation, text: str, owner: str | None) -> bool:
    """Whether TEXT is messages.yaml's `ticket_asked`, the manager who has the ticket named by name or
    called the manager ("what did lin say again?" is "what did the manager say again?")."""
    if follow_up(conv.kb, text) == "ticket_asked":
        return True
    if not owner or not re.search(rf"(?<!\w){re.escape(owner)}(?!\w)", text, re.IGNORECASE):
        return False
    called = conv.say("ticket.the_manager")
    return follow_up(conv.kb, re.sub(rf"(?<!\w){re.escape(owner)}(?!\w)", called, text, flags=re.IGNORECASE)) == "ticket_asked"


def asked_about(conv: Conversation, text: str) -> list[Line] | None:
    """TEXT asks about the customer's ticket ("经理回复了吗", "any reply yet?", "what did lin say?"): where the
    open one is, the manager's latest reply and how to answer it; with none open, how the latest one was
    resolved ("我的工单处理完了吗" after a resolution). None for another line, or with no ticket at all."""
    if conv.role != "customer":
        return None
    ticket = _open_ticket(conv)
    resolved = None if ticket is not None else _resolved_ticket(conv)
    owner = ticket["owner"] if ticket is not None else resolved["owner"] if resolved is not None else None
    if (ticket is None and resolved is None) or not _asks_about_ticket(conv, text, owner):
        return None
    if ticket is None:
        notes = [n for m in resolved["messages"] if (n := handoff.resolution_note(m["text"])) is not None]
        return [Line("info", conv.say("ticket.resolved_as", id=resolved["id"], note=notes[-1]) if notes
                     else conv.say("ticket.resolved", id=resolved["id"]))]
    case = handoff.get(conv.ctx, ticket["id"])
    lines = [Line("info", conv.say(f"ticket.state.{case['status']}", id=case["id"], summary=case["summary"],
                                   owner=case["owner"] or "-"))]
    replies = [m for m in case["messages"] if m["role"] not in CUSTOMER_SIDE and handoff.resolution_note(m["text"]) is None]
    if replies:
        last = replies[-1]
        lines.append(Line("answer", conv.say("ticket.latest_reply", author=last["author"], at=last["at"],
                                             text=last["text"])))
        lines.append(Line("muted", conv.say("ticket.how_to_answer", id=case["id"])))
        if case["status"] == "waiting":
            conv.last["replied"] = case["id"]   # the reply just shown again: the next line may answer it ("好的，谢谢")
    else:
        lines.append(Line("muted", conv.say("ticket.no_reply")))
    return lines


_OPENER = re.compile(r"\s*([^:：,，]{2,60}?)\s*[:：,，]\s*(\S.*)", re.DOTALL)


def opens_ticket(conv: Conversation, text: str) -> bool:
    """Whether TEXT asks for a ticket to be opened ("open a ticket", "开个工单": messages.yaml's
    `ticket_open` follow-ups): a request for a person, which the matcher may read as the ticket list."""
    return follow_up(conv.kb, text) == "ticket_open"


def acknowledges(conv: Conversation, text: str) -> bool:
    """Whether TEXT opens by taking in what was just said and goes on ("好的，那我们前台手机是…",
    "ok, our front desk mobile is ..."): its first clause is an acknowledgement or a thanks of
    messages.yaml's `small_talk`, and more follows. Said just after a manager's reply, it answers it."""
    head, *rest = _CLAUSE.split(text, maxsplit=1)
    return bool(rest and rest[0].strip()) and small_talk(conv.kb, head, near=False) in ("acknowledgement", "thanks")


def thanks(conv: Conversation, text: str) -> bool:
    """Whether TEXT is only a thanks ("谢谢咯", "thanks!": messages.yaml `small_talk` thanks). Said just after a
    manager's reply, it is for that manager: it goes on the ticket as the customer's reply."""
    return small_talk(conv.kb, text) == "thanks"


def answers_reply(conv: Conversation, text: str) -> bool:
    """Whether TEXT, said right after a manager's reply that still waits on the customer, is the answer to it
    ("模板编号是DIGITAL_SMS_0001" after "请提供模板编号": the code the manager asked for, never a question about
    template codes nor their look-up): anything but a clear request (in command form, opening with
    `routing.wanting` words, or read surely as a request that changes something), a question (`_fallback` passes
    one it cannot answer on to the manager) or small talk."""
    from .. import lang as language

    if small_talk(conv.kb, text) or conv.router.form(text) in ("question", "command") or language.asks_in_chinese(text):
        return False
    words = fold(text).split()
    if any(words[:len(p.split())] == p.split() for p in conv.kb.routing.wanting if len(p.split()) > 1):
        return False                    # "我想再发一次": a request
    reply = conv.router.route(text, conv.lang)
    return not (reply.type == "action" and conv.kb.actions[reply.action].changes_state
                and reply.confidence >= conv.router.thresholds.answer)


_SENTENCE_END = re.compile(r"(?<=[.?!。？！])\s*")
_QUOTE_MARKS = " \t>|\"'“”‘’「」-—–:：,，"


def unquoted(conv: Conversation, text: str) -> str | None:
    """TEXT without the sentences of the manager's latest reply it quotes ("> Which date is your campaign?
    -- March 27": "March 27"), said right after that reply while it waits on the customer; None when TEXT
    quotes none of them, or is nothing but the quote."""
    waiting = handoff.waiting_ticket(conv.ctx) if conv.replied and conv.role == "customer" else None
    if waiting is None or waiting["id"] != conv.replied:
        return None
    case = handoff.get(conv.ctx, waiting["id"])
    replies = [m["text"] for m in case["messages"] if m["role"] not in CUSTOMER_SIDE]
    if not replies:
        return None
    rest = text
    for sentence in (s.strip() for s in _SENTENCE_END.split(replies[-1])):
        if len(sentence) >= 6 and (at := rest.casefold().find(sentence.casefold())) >= 0:
            rest = rest[:at] + " " + rest[at + len(sentence):]
    if rest == text:
        return None
    rest = " ".join(rest.split()).strip(_QUOTE_MARKS)
    return rest or None


_CLAUSE = re.compile(r"[,，。.!！;；]")


_CLAUSES = re.compile(r"[,，。.!！;；:：?？]")


def person_words(conv: Conversation, text: str) -> str | None:
    """TEXT, a request for a person, when it says more than asking ("我要找人工，周五活动很急", "this is
    urgent, I need a person"): two clauses or more that are no small talk ("hi, I want a person" is
    one); None for the request alone ("转人工")."""
    clauses = [c.strip() for c in _CLAUSES.split(text) if c.strip()]
    said = [c for c in clauses if small_talk(conv.kb, c, near=False) is None]
    return text.strip() if len(said) >= 2 else None


def reply_shown(conv: Conversation) -> int | None:
    """The web chat's ticket whose manager's reply its page showed since the customer's line before
    this one, or since the conversation began for its first line (the page shows the replies itself,
    outside the conversation: `handoff.inbox`, `handoff.news`), while that ticket still waits on the
    customer; None in another shell, for another role, or with none."""
    since = conv.turns[-2].get("at") if len(conv.turns) >= 2 else conv.started
    if conv.shell != "web" or conv.role != "customer" or not since:
        return None
    waiting = handoff.waiting_ticket(conv.ctx)
    if waiting is None:
        return None
    shown = handoff.replies(conv.ctx, str(since))
    if any(m["ticket"] == waiting["id"] and handoff.resolution_note(m["text"]) is None for m in shown):
        return int(waiting["id"])
    return None


def reply_said(conv: Conversation, text: str) -> str | None:
    """What TEXT tells the manager when it says so ("回复经理：是13900139001，昨天发的", "reply to the
    manager: it was 10am"): the words after the opener; None for any other line (or role)."""
    if conv.role != "customer":
        return None
    opened = _OPENER.match(text)
    if opened and fold(opened.group(1)) in conv.kb.follow_ups.get("ticket_reply", ()):
        return opened.group(2).strip()
    return _told(conv, text)


def _told(conv: Conversation, text: str) -> str | None:
    """What TEXT passes on to the manager of the customer's open ticket when it opens with
    `ticket_tell`'s words, no colon needed ("告诉客服我们前台手机是13800138099", "tell the manager our
    mobile is ..."): the words after them; None without such an opening or with no ticket open."""
    phrases = conv.kb.follow_ups.get("ticket_tell", ())
    longest = max((len(p) for p in phrases), default=0)
    for end in range(min(len(text), longest + 8), 0, -1):    # the longest opening first ("跟客服说一下" before "跟客服说")
        head, rest = text[:end], text[end:]
        if fold(head) not in phrases or (head[-1:].isascii() and head[-1:].isalnum() and rest[:1].isalnum()):
            continue   # "tell supporters" opens with no "tell support"
        rest = rest.lstrip(" \t,，:：、.。").strip()
        if rest and _open_ticket(conv) is not None:
            return rest
        return None
    return None
