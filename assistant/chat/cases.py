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
from ..actions.handoff import ADDED_SEND, CUSTOMER_SIDE, REASONS, RECENT_SEND, REFUSED_SEND, author_label, sends_of, speaker
from ..messages import follow_up, small_talk
from ..render import safe, table
from ..text import fold
from .lines import Line

if TYPE_CHECKING:
    from ..conversation import Conversation


def case_text(ticket: dict, carriers: dict[str, str]) -> str:
    """The case the way a person reads it at a terminal: facts, objects, conversation, history."""
    t = ticket
    facts = [("ticket", f"#{t['id']}"), ("summary", t["summary"]), ("account", t["account"]),
             ("reason", REASONS.get(t["reason"], t["reason"])), ("priority", t["priority"]),
             ("status", t["status"] + (f" (owner {t['owner']})" if t["owner"] else "")), ("opened", t["created_at"])]
    if t["send_date"]:
        facts.append(("send date", t["send_date"]))
    if t["detail"]:
        opened = t.get("opened_by") or {}
        facts.append((f"agent {opened.get('author')} said" if opened.get("role") == "agent" else "customer said", t["detail"]))
    if t["resolution"]:
        facts.append(("resolution", t["resolution"]))
    width = max(len(k) for k, _ in facts)
    lines = [part for k, v in facts for part in _fitted(f"{k.ljust(width)}  {safe(v)}", width + 2)]
    context = t["context"]
    if "template" in context:
        tpl = context["template"]
        lines += ["", f"Template {tpl['code']} ({safe(tpl['name'])})",
                  table([(carriers.get(c, c), s["status"], s.get("reason") or "") for c, s in tpl["carriers"].items()],
                        ("carrier", "review", "reason"))]
    if "signature" in context:
        sig = context["signature"]
        lines += ["", f"Signature {safe(sig['name'])}: {sig['registration']}",
                  table([(carriers.get(c, c), v["registration"], v["availability"], v.get("reason") or "")
                         for c, v in sig["carriers"].items()], ("carrier", "registration", "availability", "reason"))]
    if "refused_send" in context:
        r = context["refused_send"]
        lines += ["", f"Send of {safe(r['template'])} ({REFUSED_SEND}) at {r['at']}",
                  f"  numbers: {safe(', '.join(r['phones'] or []))}", f"  {safe(r['code'])}: {safe(r['reason'])}"]
    for s, recent, added in sends_of(context):
        said = f" ({RECENT_SEND})" if recent else f" ({ADDED_SEND})" if added else ""
        lines += ["", f"Send {s['request_id']}{said}: {s['sent']} sent, {s['failed']} failed at {s['created_at']}"]
        if s["failures"]:
            lines.append(table([(f["phone"], carriers.get(f["carrier"], "-"), f["error_code"], f["detail"])
                                for f in s["failures"]], ("phone", "carrier", "error", "why")))
    if t["conversation"]:
        lines += ["", "Conversation:"] + [
            part for turn in t["conversation"]
            for part in _fitted(f"  {safe(speaker(turn)):>9}: " + safe(turn["text"]).replace("\n", "\n" + " " * 13), 13)]
    if t["messages"]:
        lines += ["", "Messages:"] + [f"  {m['at']}  {safe(author_label(m))}: {safe(m['text'])}"
                                      for m in t["messages"]]
    lines += ["", "History:"] + [f"  {e['at']}  {safe(e['actor'])} {e['event']}"
                                 + (f": {safe(e['detail'])}" if e["detail"] else "") for e in t["events"]]
    return "\n".join(lines)


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
