"""`assistant handoff` (the support managers' queue) and `assistant inbox` (their replies)."""

from __future__ import annotations

import argparse

from ..sanitize import one_line
from .shell import Shell, command


@command("handoff create")
def cmd_handoff_create(opts: argparse.Namespace, sh: Shell) -> int:
    from ..messages import say
    from ..text import shorten

    ticket = sh.ops.handoff_create(opts.reason, opts.template, opts.signature, opts.request_id, opts.send_date)

    def text(t: dict) -> str:
        kb = sh.kb
        if t.get("reused"):      # the account's open ticket took the request, as a request in words does
            said = say(kb, "ticket.reused", "en", id=t["id"], summary=one_line(t["summary"]))
            if t.get("added") and opts.reason:
                said += say(kb, "ticket.added", "en", reason=one_line(shorten(opts.reason, 120)))
        else:
            said = say(kb, "ticket.created", "en", id=t["id"], summary=one_line(t["summary"]),
                       priority=say(kb, f"ticket.priority.{t['priority']}", "en"))
        return said + "\nTheir reply will show in `assistant inbox` and when you next open the assistant."
    sh.emit(ticket, text)
    return 0


@command("handoff list")
def cmd_handoff_list(opts: argparse.Namespace, sh: Shell) -> int:
    from ..render import queue_text

    sh.emit(sh.ops.handoff_list(opts.status, opts.account), queue_text)
    return 0


@command("handoff show")
def cmd_handoff_show(opts: argparse.Namespace, sh: Shell) -> int:
    from ..render import ticket_text

    sh.emit(sh.ops.handoff_show(opts.id), ticket_text)
    return 0


@command("handoff claim")
def cmd_handoff_claim(opts: argparse.Namespace, sh: Shell) -> int:
    from ..messages import say

    sh.emit(sh.ops.handoff_claim(opts.id, opts.by),
            lambda t: say(sh.kb, "ticket.claimed_already", "en", id=t["id"]) if t.get("already") else
            say(sh.kb, "ticket.claimed_by", "en", id=t["id"], owner=one_line(t["owner"])))
    return 0


@command("handoff reply")
def cmd_handoff_reply(opts: argparse.Namespace, sh: Shell) -> int:
    ticket = sh.ops.handoff_reply(opts.id, " ".join(opts.text), opts.by)
    sh.emit(ticket, lambda t: f"Reply sent on ticket #{t['id']}; it now waits for the customer.")
    return 0


@command("handoff answer")
def cmd_handoff_answer(opts: argparse.Namespace, sh: Shell) -> int:
    ticket = sh.ops.handoff_answer(opts.id, " ".join(opts.text))
    sh.emit(ticket, lambda t: f"Sent to the support managers on ticket #{t['id']}.")
    return 0


@command("handoff resolve")
def cmd_handoff_resolve(opts: argparse.Namespace, sh: Shell) -> int:
    sh.emit(sh.ops.handoff_resolve(opts.id, opts.note, opts.by), lambda t: f"Ticket #{t['id']} is resolved.")
    return 0


@command("handoff note")
def cmd_handoff_note(opts: argparse.Namespace, sh: Shell) -> int:
    ticket = sh.ops.handoff_note(opts.id, " ".join(opts.text), opts.by)
    sh.emit(ticket, lambda t: f"Note added to ticket #{t['id']} (for colleagues only).")
    return 0


@command("handoff assign")
def cmd_handoff_assign(opts: argparse.Namespace, sh: Shell) -> int:
    sh.emit(sh.ops.handoff_assign(opts.id, opts.to), lambda t: f"Ticket #{t['id']} is now with {t['owner']}.")
    return 0


@command("handoff reopen")
def cmd_handoff_reopen(opts: argparse.Namespace, sh: Shell) -> int:
    sh.emit(sh.ops.handoff_reopen(opts.id, opts.by), lambda t: f"Ticket #{t['id']} is back in the queue ({t['status']}).")
    return 0


@command("handoff export")
def cmd_handoff_export(opts: argparse.Namespace, sh: Shell) -> int:
    sh.out(sh.ops.handoff_export(opts.id, "json" if opts.json else opts.format).rstrip())
    return 0


@command("inbox")
def cmd_inbox(opts: argparse.Namespace, sh: Shell) -> int:
    from ..actions.handoff import message_in
    from ..messages import say

    messages = sh.ops.inbox()

    def text(ms: list[dict]) -> str:
        # each ticket in the language its customer wrote in, as its summary comes (a service too old
        # to say which: English, as it stored everything)
        kb = sh.kb
        return "\n".join(f"{one_line(say(kb, 'inbox.ticket', lang, ticket=m['ticket'], summary=m['summary']))}\n"
                         f"  {m['at']} {one_line(m['author'])}: {one_line(message_in(kb, m['text'], lang))}"
                         for m in ms for lang in [m.get("lang") or "en"]) or "No new replies."
    sh.emit(messages, text)
    return 0
