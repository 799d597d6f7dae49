"""The slash commands: one table feeds dispatch, /help and completion (litecli's special commands).

A command typed while a request waits for a value is answered like a question, and the prompt
comes back; one that starts or drops a request says that the pending one was dropped.
"""

from __future__ import annotations

import itertools
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import render, roles
from ..actions import accounts, handoff, sending, signatures, templates
from ..errors import UserError, said
from ..messages import say
from ..numbers import lookup
from ..sanitize import one_line
from . import notes, offers, welcome
from .cases import case_text
from .lines import Line

if TYPE_CHECKING:
    from ..conversation import Conversation


@dataclass
class SlashCommand:
    name: str
    usage: str
    run: Callable[[Conversation, list[str]], list[Line]]
    completes: str | None = None   # what Tab completes after it: "templates", "signatures" or "error codes"

    @property
    def help_id(self) -> str:
        """Its description's id in knowledge/messages.yaml (said in the conversation's language by /help)."""
        return f"command.{self.name}"

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles that may use it, from the one table in roles.py (never declared here)."""
        return tuple(r for r in roles.ROLES if roles.slash_allowed(r, self.name))


COMMANDS: dict[str, SlashCommand] = {}
# Commands whose words are the person's own text (a reason, an answer, a note): split on spaces
# only, so that an apostrophe ("it says 'I don't know'") is a letter, not an unclosed quote.
FREE_TEXT = {"handoff", "answer", "reply", "resolve", "error"}


def slash(name: str, usage: str, completes: str | None = None):
    """Register a slash command; the one table feeds dispatch, /help and completion (roles.py says who).
    Its description is the catalogue's message `command.NAME`, in every language of the conversation;
    COMPLETES: what its first value is, offered by Tab (`completions`)."""
    def register(fn: Callable[[Conversation, list[str]], list[Line]]):
        COMMANDS[name] = SlashCommand(name, usage, fn, completes)
        return fn
    return register


# A command's name typed alone, without the slash, as litecli and pgcli take "help" and "exit".
BARE = {"help": "help", "?": "help", "帮助": "help", "exit": "quit", "quit": "quit", "退出": "quit"}


def bare(text: str) -> str | None:
    """The slash command a bare word means ("help" is /help, "exit" /quit), or None."""
    return BARE.get(text.strip().lower())


def is_command(text: str) -> bool:
    """"/help" (or a mistyped "/hlep") is a command; "/tmp/banner.png" (a file at a media prompt) is not."""
    if not text.startswith("/"):
        return False
    word = text[1:].split(" ", 1)[0]
    return word.lower() in COMMANDS or "/" not in word


def run(conv: Conversation, text: str) -> list[Line]:
    """Run the slash command TEXT for the conversation's role."""
    first = text[1:].split(None, 1)
    if first and first[0].lower() in FREE_TEXT:
        words = text[1:].split()
    else:
        try:
            words = shlex.split(text[1:])
        except ValueError as exc:   # shlex's own English reason is never shown: what it means is the catalogue's
            msg_id = "slash.unreadable.escape" if "escaped" in str(exc) else "slash.unreadable.quote"
            raise said(UserError(say(conv.kb, msg_id)), msg_id) from None
    name, args = (words[0].lower() if words else "help"), words[1:]
    command = COMMANDS.get(name)
    if command is None or name not in roles.SLASH:
        raise said(UserError(f"unknown command /{name}; /help lists them"), "slash.unknown", name=name)
    if not roles.slash_allowed(conv.role, name):
        roles.require(conv.role, roles.SLASH[name] or name)
    return command.run(conv, args)


def completions(conv: Conversation) -> list[str]:
    """The slash commands of the conversation's role, and each one's value where Tab completes it:
    "/template DIGITAL_SMS_0001" and "/template Spring sale" (a template by its code or its name),
    "/signature AcmeShop", "/error isv.AMOUNT_NOT_ENOUGH"."""
    ctx = conv.ctx
    rows = ctx.store.rows("SELECT code, name FROM templates WHERE account = ? ORDER BY code", (ctx.account,))
    values = {"templates": [r["code"] for r in rows] + [r["name"] for r in rows],
              "signatures": [r["name"] for r in ctx.store.rows(
                  "SELECT name FROM signatures WHERE account = ? ORDER BY name", (ctx.account,))],
              "error codes": list(conv.kb.error_codes)}
    shown = [c for c in COMMANDS.values() if roles.slash_allowed(conv.role, c.name)]
    return [f"/{c.name}" for c in shown] + [f"/{c.name} {v}" for c in shown if c.completes for v in values[c.completes]]


def _described(conv: Conversation, command: SlashCommand) -> str:
    """The id of COMMAND's description in the shell CONV is held in: `SHELL.command.NAME` where the
    catalogue has one (the web chat's /quit has no Ctrl-D), else `command.NAME`."""
    own = f"{conv.shell}.{command.help_id}"
    return own if own in conv.kb.messages else command.help_id


@slash("help", "")
def _help(conv: Conversation, args: list[str]) -> list[Line]:
    lines = [Line("info", conv.say("help.commands"))]
    shown = [c for c in COMMANDS.values() if roles.slash_allowed(conv.role, c.name)]
    # the descriptions in a column, wrapped within the terminal's width (under each command when narrow)
    lines += [Line("muted", text) for text in render.each_field(
        [(f"  /{c.name} {c.usage}".rstrip(), conv.say(_described(conv, c))) for c in shown], sep="   ")]
    lines.append(Line("info", conv.say("help.examples")))
    lines += [Line("muted", f"  {conv.say(msg_id)}") for msg_id in conv.kb.messages if msg_id.startswith("help.example.")]
    return lines


@slash("status", "")
def _status(conv: Conversation, args: list[str]) -> list[Line]:
    info = accounts.account_info(conv.ctx)
    carriers = conv.ctx.rules.carriers
    lines = [Line("answer", render.account_text(info, conv.kb, conv.lang))]
    lines += [Line("answer", render.signature_text(s, carriers, conv.kb, conv.lang)) for s in signatures.status(conv.ctx)]
    lines += [Line("answer", render.template_text(t, carriers, conv.kb, conv.lang)) for t in templates.status(conv.ctx)]
    return lines


@slash("enable", "")
def _enable(conv: Conversation, args: list[str]) -> list[Line]:
    return conv.start("enable", {})


@slash("signature", "[NAME]", completes="signatures")
def _signature(conv: Conversation, args: list[str]) -> list[Line]:
    return conv.run("signature.status", {"name": args[0]} if args else {})


@slash("template", "[CODE]", completes="templates")
def _template(conv: Conversation, args: list[str]) -> list[Line]:
    return conv.run("template.status", {"code": " ".join(args)} if args else {})   # a code, or a name


@slash("send", "CODE PHONE... [name=value]", completes="templates")
def _send(conv: Conversation, args: list[str]) -> list[Line]:
    params = dict(a.split("=", 1) for a in args if "=" in a)
    rest = [a for a in args if "=" not in a]
    # the template is its code or its name, which may be several words: the words before the first number
    named = list(itertools.takewhile(lambda a: not any(ch.isdigit() for ch in a), rest)) or rest[:1]
    given: dict[str, Any] = {}
    if named:
        given["code"] = " ".join(named)
    if rest[len(named):]:
        given["phones"] = rest[len(named):]
    if params:
        given["params"] = params
    return conv.start("send", given)


@slash("sends", "[REQUEST_ID|NUMBER]")
def _sends(conv: Conversation, args: list[str]) -> list[Line]:
    if args and (number := lookup(" ".join(args), conv.ctx.rules)).carrier and not number.problem:
        return sends(conv, phone=number.phone)   # "/sends 13800138071": that number's sends, with its result in each
    if args:
        found = sending.request(conv.ctx, args[0])
        return [Line("answer", render.send_record_text(found, conv.ctx.rules.carriers,
                                                       by=lambda actor: actor_label(conv, actor),
                                                       kb=conv.kb, lang=conv.lang))]
    return sends(conv)


def sends(conv: Conversation, template: str | None = None, day: str | None = None,
          phone: str | list[str] | None = None) -> list[Line]:
    """The latest sends (`/sends`; "show yesterday's send records of DIGITAL_SMS_0001": of that
    template, made that day); with PHONE ("did my message to 13598765432 go through?") those to that
    number (each number, when a request names several), each with its result there, in the
    conversation's language."""
    if phone is None or phone == []:
        found = sending.recent(conv.ctx, 10, template=template, day=day)
        if not found:
            named = render.code_shown(template) if template else template
            return [Line("answer", notes.no_sends(conv, named and one_line(named), day and one_line(day)))]
        # the account model's list in the conversation's language, its headings and who made a send alike
        return [Line("answer", render.send_list_text(found, template, day, by=lambda actor: actor_label(conv, actor),
                                                     kb=conv.kb, lang=conv.lang))]
    return [Line("answer", render.number_sends_text(sending.recent(conv.ctx, 10, template=template, day=day, phone=number),
                                                    number, conv.kb, conv.lang, conv.ctx.account, template,
                                                    sending.day_named(conv.ctx, day)))
            for number in (phone if isinstance(phone, list) else [phone])]


def actor_label(conv: Conversation, actor: str, lang: str | None = None) -> str:
    """ACTOR of the audit trail ("customer:token#1", "manager:lin", "customer") as a person reads it
    in LANG (the conversation's by default): a customer's side as "customer", staff by name and role."""
    from ..messages import say

    lang = lang or conv.lang
    role, _, user = str(actor or "").partition(":")
    if role == "customer":
        return say(conv.kb, "label.actor.customer", lang)
    if not user:
        return str(actor)
    key = f"label.role.{role}"
    return say(conv.kb, "label.actor.staff", lang, user=user,
               role=say(conv.kb, key, lang) if key in conv.kb.messages else role)


@slash("error", "CODE", completes="error codes")
def _error(conv: Conversation, args: list[str]) -> list[Line]:
    if not args:
        return conv.start("error.lookup", {})
    return conv.run("error.lookup", {"code": " ".join(args)})


@slash("handoff", "[REASON]")
def _handoff(conv: Conversation, args: list[str]) -> list[Line]:
    return conv.handoff(" ".join(args) or None, "asked_for_person")


@slash("inbox", "")
def _inbox(conv: Conversation, args: list[str]) -> list[Line]:
    return welcome.inbox(conv) or [Line("muted", conv.say("inbox.empty"))]


@slash("answer", "ID TEXT")
def _answer(conv: Conversation, args: list[str]) -> list[Line]:
    if len(args) < 2:
        raise said(UserError("say which ticket and what to tell the manager: /answer ID TEXT"), "slash.usage.answer")
    text = " ".join(args[1:])
    ticket = handoff.get(conv.ctx, args[0], any_account=False)
    if ticket["status"] == "resolved":
        number = ticket["id"]
        return [Line("info", conv.say("ticket.resolved_as", id=number, note=ticket["resolution"])),
                offers.make(conv, "offer.follow_up_ticket",
                            deed={"do": "handoff", "reason": f"{text} (follow-up to ticket #{number})",
                                  "trigger": "asked_for_person"}, id=number)]
    return conv.run("handoff.answer", {"ticket": args[0], "text": text})


@slash("account", "NAME")
def _account(conv: Conversation, args: list[str]) -> list[Line]:
    if not args:
        return [Line("info", conv.say("account.current", account=conv.ctx.account))]
    previous = conv.ctx.account
    conv.ctx.account = args[0]
    try:
        conv.ctx.account_row()
    except UserError:
        conv.ctx.account = previous
        raise
    conv.last, conv.flow, conv.offer, conv.picks = {}, None, None, []
    return [Line("ok", conv.say("account.switched", account=args[0]))]


@slash("queue", "[STATUS|all]")
def _queue(conv: Conversation, args: list[str]) -> list[Line]:
    reader = None if conv.lang == "en" else conv.lang   # each summary in the reader's language; English: the staff's line
    if args and args[0].lower() == "all":           # every ticket, the resolved ones too
        tickets = [t for status in handoff.STATUSES for t in handoff.queue(conv.ctx, status, lang=reader)]
        return [Line("answer", render.queue_text(tickets, conv.kb, conv.lang) if tickets else conv.say("tickets.none"))]
    tickets = handoff.queue(conv.ctx, args[0] if args else None, lang=reader)
    return [Line("answer", render.queue_text(tickets, conv.kb, conv.lang) if tickets else conv.say("tickets.none"))]


@slash("show", "ID")
def _show(conv: Conversation, args: list[str]) -> list[Line]:
    if not args:
        raise said(UserError("say which ticket: /show ID"), "slash.usage.show")
    return [Line("answer", case_text(handoff.get(conv.ctx, args[0], said=True), conv.ctx.rules.carriers, conv.kb, conv.lang))]


# The slash commands of a ticket run the same outcome as the words do ("take ticket 1"), without the go-ahead.

@slash("claim", "ID")
def _claim(conv: Conversation, args: list[str]) -> list[Line]:
    if not args:
        raise said(UserError("say which ticket: /claim ID"), "slash.usage.claim")
    return conv.run("handoff.claim", {"ticket": args[0]})


@slash("reply", "ID TEXT")
def _reply(conv: Conversation, args: list[str]) -> list[Line]:
    if len(args) < 2:
        raise said(UserError("say which ticket and what to reply: /reply ID TEXT"), "slash.usage.reply")
    return conv.run("handoff.reply", {"ticket": args[0], "text": " ".join(args[1:])})


@slash("resolve", "ID NOTE")
def _resolve(conv: Conversation, args: list[str]) -> list[Line]:
    if len(args) < 2:
        raise said(UserError("say which ticket and how it was resolved: /resolve ID NOTE"), "slash.usage.resolve")
    return conv.run("handoff.resolve", {"ticket": args[0], "text": " ".join(args[1:])})


@slash("quit", "")
def _quit(conv: Conversation, args: list[str]) -> list[Line]:
    left = conv.leave()
    conv.done = True
    return [*left, Line("muted", conv.say("bye"))]
