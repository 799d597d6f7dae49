"""The conversation behind the REPL: what to say to each line, and what the assistant waits for.

It holds the state a person expects a support assistant to keep: the request being filled in
(one slot at a time, each value checked as it comes), the last template, signature, send and
error code mentioned (so "is it approved yet?" and "what does that mean?" need no repeating),
numbered "did you mean" choices, offers awaiting a yes or no, and how many questions in a row
went unanswered. It never prints and never reads the terminal: `handle` takes a line and
returns `Line`s; `waiting` tells the shell what prompt and completions to show.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import media as media_files
from . import render
from .actions import accounts, error_codes, handoff, sending, signatures, templates
from .context import Context
from .errors import UserError
from .gaps import log_pick
from .gaps import record as record_gap
from .knowledge import Slot
from .matcher import Candidate
from .numbers import lookup
from .router import Reply, Router, Suggestion
from .rules import SOURCES
from .text import clean, fold

YES = {"y", "yes", "ok", "sure", "yep", "yeah", "confirm", "do it", "go", "go ahead", "是", "好"}
NO = {"n", "no", "nope", "cancel", "stop", "不", "否"}
FALLBACKS_BEFORE_OFFER = 2


@dataclass
class Line:
    """One piece of output. KIND picks the colour: answer, info, ok, warn, error, choice, muted."""

    kind: str
    text: str


@dataclass
class Waiting:
    """What the conversation waits for: the prompt to show and the values to complete."""

    prompt: str
    choices: list[str] = field(default_factory=list)
    kind: str = "slot"  # slot | confirm | offer | pick


@dataclass
class _Flow:
    action: str
    args: dict[str, Any]
    slots: list[Slot]
    confirming: bool = False


@dataclass
class _Offer:
    question: str
    run: Callable[[], list[Line]]


@dataclass
class SlashCommand:
    name: str
    usage: str
    help: str
    run: Callable[[Conversation, list[str]], list[Line]]
    roles: tuple[str, ...] = ("customer", "agent", "manager")


COMMANDS: dict[str, SlashCommand] = {}


def slash(name: str, usage: str, help_text: str, roles: tuple[str, ...] = ("customer", "agent", "manager")):
    """Register a slash command; the one table feeds dispatch, /help and completion."""
    def register(fn: Callable[[Conversation, list[str]], list[Line]]):
        COMMANDS[name] = SlashCommand(name, usage, help_text, fn, roles)
        return fn
    return register


class Conversation:
    def __init__(self, ctx: Context, router: Router, role: str = "customer"):
        self.ctx, self.router, self.kb, self.role = ctx, router, router.kb, role
        self.turns: list[dict[str, str]] = []
        self.flow: _Flow | None = None
        self.offer: _Offer | None = None
        self.picks: list[Suggestion] = []
        self.asked = ""  # the question the picks were offered for
        self.fallbacks = 0
        self.unanswered: list[str] = []
        self.failures = 0
        self.last: dict[str, str] = {}
        self.done = False

    # --- the shell's view ------------------------------------------------------------------

    @property
    def waiting(self) -> Waiting | None:
        if self.flow and self.flow.confirming:
            return Waiting("Go ahead? [y/N]", ["yes", "no"], "confirm")
        if self.flow:
            slot = self.flow.slots[0]
            return Waiting(slot.prompt + self._default_hint(slot), self._choices(slot))
        if self.offer:
            return Waiting(self.offer.question + " [y/N]", ["yes", "no"], "offer")
        if self.picks:
            return Waiting(f"Pick 1-{len(self.picks)}, or ask something else",
                           [str(n) for n in range(1, len(self.picks) + 1)], "pick")
        return None

    def welcome(self) -> list[Line]:
        account = accounts.account_info(self.ctx)
        lines = [Line("info", f"Digital Message assistant — account {account['name']}"
                              f"{'' if self.role == 'customer' else f' ({self.role})'}."),
                 Line("muted", "Ask a question in your own words, or say what to do (\"send a message\"). "
                               "/help lists commands; Ctrl-C cancels, Ctrl-D quits.")]
        if not account["enabled"] and self.role != "manager":
            lines.append(Line("muted", "Digital messages are not enabled yet: say \"enable digital messages\" to start."))
        for message in handoff.inbox(self.ctx):
            lines.append(Line("ok", f"Reply from {message['author']} on ticket #{message['ticket']}: {message['text']}"))
        if self.role == "manager":
            lines.append(Line("info", f"{len(handoff.queue(self.ctx))} ticket(s) in the queue; /queue lists them."))
        return lines

    def toolbar(self) -> str:
        """Account, signatures ready, templates approved per carrier, open tickets."""
        sigs = signatures.status(self.ctx)
        tpls = templates.status(self.ctx)
        short = {"china_mobile": "CM", "china_unicom": "CU", "china_telecom": "CT"}
        approved = " ".join(f"{short.get(c, c)} {sum(c in t['ready_for'] for t in tpls)}" for c in self.ctx.rules.carriers)
        tickets = handoff.open_count(self.ctx)
        return (f" {self.ctx.account} | signatures ready {sum(s['ready'] for s in sigs)}/{len(sigs)} | "
                f"templates approved: {approved} | open tickets {tickets}")

    def completions(self) -> list[str]:
        """Everything worth completing at the main prompt."""
        words = [f"/{c.name}" for c in COMMANDS.values() if self.role in c.roles]
        words += [e.question for e in self.kb.entries.values()]
        words += [r["code"] for r in self.ctx.store.rows("SELECT code FROM templates WHERE account = ? ORDER BY code",
                                                         (self.ctx.account,))]
        words += list(self.kb.error_codes)
        if self.role == "manager":  # ticket numbers after the queue commands
            ids = [str(t["id"]) for t in handoff.queue(self.ctx)]
            words += [f"/{c} {i}" for c in ("show", "claim", "reply", "resolve") for i in ids]
        return words

    # --- input -------------------------------------------------------------------------------

    def handle(self, text: str) -> list[Line]:
        """Everything the assistant says to TEXT."""
        text = clean(text)
        if not text:
            return []
        self._turn("user", text)
        try:
            lines = self._dispatch(text)
        except UserError as exc:
            lines = [Line("error", str(exc))] + self._after_failure()
        for line in lines:
            if line.kind != "muted":
                self._turn("assistant", line.text)
        return lines

    def cancel(self) -> list[Line]:
        """Ctrl-C: drop whatever was being filled in."""
        had = self.flow or self.offer or self.picks
        self.flow, self.offer, self.picks = None, None, []
        return [Line("muted", "Cancelled.")] if had else []

    def _turn(self, role: str, text: str) -> None:
        self.turns.append({"role": role, "text": text, "at": self.ctx.now()})
        del self.turns[:-self.ctx.rules.handoff["kept_turns"]]

    def _dispatch(self, text: str) -> list[Line]:
        # While a value is asked for, "/tmp/banner.png" is a value, not a command.
        if text.startswith("/") and (not self.flow or text[1:].split(" ", 1)[0].lower() in COMMANDS):
            return self._slash(text)
        if self.flow:
            return self._continue_flow(text)
        answer = fold(text)
        if self.offer:
            offer, self.offer = self.offer, None
            if answer in YES:
                return offer.run()
            if answer in NO:
                return [Line("muted", "OK.")]
        if self.picks and answer.isdigit():
            choice = int(answer)
            if 1 <= choice <= len(self.picks):
                picked, self.picks = self.picks[choice - 1], []
                log_pick(self.ctx.store, self.ctx.account, self.asked, picked.key, self.ctx.now(),
                         self.kb.thresholds.gap_log_rows)
                return self._reply(self.router.resolve(text, text, Candidate(picked.key, picked.confidence, "")))
        self.picks = []
        return self._reply(self.router.route(text))

    # --- replies -----------------------------------------------------------------------------

    def _reply(self, reply: Reply) -> list[Line]:
        record_gap(self.ctx.store, self.ctx.account, self.ctx.now(), reply, self.kb.thresholds.low_confidence,
                   self.kb.thresholds.gap_log_rows)
        if reply.type == "fallback":
            return self._fallback(reply)
        self.fallbacks = 0
        if reply.type == "clarify":
            self.picks, self.asked = reply.suggestions, reply.question
            return [Line("info", "I'm not sure what you mean. Did you mean:")] + [
                Line("choice", f"  {n}. {s.question}") for n, s in enumerate(reply.suggestions, 1)]
        if reply.type == "answer":
            return self._answer(reply)
        return self._start(reply.action, reply.args, reply.question)

    def _answer(self, reply: Reply) -> list[Line]:
        entry = self.kb.entries[reply.entry]
        lines = [Line("answer", entry.answer)]
        related = [self.kb.entries[r].question for r in entry.related if r in self.kb.entries]
        if related:
            lines.append(Line("muted", "Related: " + " | ".join(related)))
        if entry.actions:
            action = self.kb.actions[entry.actions[0]]
            self.offer = _Offer(f"{action.description[:-1] if action.description.endswith('.') else action.description} now?",
                                lambda: self._start(action.name, {}))
            lines.append(Line("choice", self.offer.question + " [y/N]"))
        return lines

    def _fallback(self, reply: Reply) -> list[Line]:
        self.fallbacks += 1
        if reply.error:
            return [Line("warn", f"I can't read that: {reply.error}.")]
        self.unanswered.append(reply.question)
        lines = [Line("warn", "Sorry, I don't know the answer to that. Try other words, or /handoff to ask a support manager.")]
        if self.fallbacks >= FALLBACKS_BEFORE_OFFER:
            self.offer = _Offer("Shall I hand this to a support manager, with our conversation attached?",
                                lambda: self._handoff(" / ".join(self.unanswered[-3:]), "unanswered_question"))
            lines.append(Line("choice", self.offer.question + " [y/N]"))
        return lines

    def _after_failure(self) -> list[Line]:
        """A failure the user could not fix (the second in a row) earns the handoff offer."""
        self.failures += 1
        if self.failures < 2:
            return []
        self.offer = _Offer("This keeps failing. Hand it to a support manager, with our conversation attached?",
                            lambda: self._handoff())
        return [Line("choice", self.offer.question + " [y/N]")]

    # --- actions and their slots ---------------------------------------------------------------

    def _start(self, name: str, args: dict[str, Any], said: str = "") -> list[Line]:
        """Begin action NAME with the values ARGS already known; SAID is what the person typed."""
        action = self.kb.actions[name]
        args = {k: v for k, v in args.items() if v not in (None, "", [])}
        if name in ("template.status", "signature.status") and not args:
            # "is it approved yet?": the template (or signature) of the conversation; if there is
            # none of the kind asked about, whatever object was talked about last
            kind = name.split(".")[0]
            named = kind in self.kb.synonyms.apply(fold(said)).split()   # "is my template approved?"
            if not self.last.get(kind) and self.last.get("object") and not named:
                kind = self.last["object"].split(":", 1)[0]
                name, action = f"{kind}.status", self.kb.actions[f"{kind}.status"]
            if self.last.get(kind):
                args = {"code" if kind == "template" else "name": self.last[kind]}
        if name == "error.lookup" and "code" not in args and self.last.get("error"):
            args["code"] = self.last["error"]                 # "what does that mean?"
        lines: list[Line] = []
        for slot in action.slots:                              # values given in the request are checked too
            if slot.name in args:
                try:
                    args[slot.name] = self._check(name, slot, args[slot.name])
                except UserError as exc:
                    lines.append(Line("warn", str(exc)))
                    del args[slot.name]
        todo = [s for s in action.slots if s.required and s.name not in args]
        if name == "template.create":
            todo.append(Slot("letter", "quoted", False, "Live-streaming commitment letter image (Enter to skip)"))
        self.flow = _Flow(name, args, todo)
        return lines + self._advance()

    def _advance(self) -> list[Line]:
        flow = self.flow
        assert flow is not None
        if flow.action == "send" and "code" in flow.args and not flow.slots and "params" not in flow.args:
            variables = templates.status(self.ctx, flow.args["code"])[0]["variables"]
            flow.args["params"] = {}
            flow.slots += [Slot(f"param:{v}", "param", True, f"Value for ${{{v}}}") for v in variables]
        if flow.action == "template.create" and flow.slots and flow.slots[0].name == "letter" \
                and flow.args.get("industry") != "live streaming":
            flow.slots.pop(0)
        if flow.slots:
            return []
        action = self.kb.actions[flow.action]
        if not action.changes_state:
            self.flow = None
            return self._run(flow.action, flow.args)
        flow.confirming = True
        return self._preview(flow.action, flow.args)

    def _continue_flow(self, text: str) -> list[Line]:
        flow = self.flow
        assert flow is not None
        if fold(text) in {"cancel", "stop", "quit", "abort"}:
            return self.cancel()
        if flow.confirming:
            if fold(text) in YES:
                self.flow = None
                return self._run(flow.action, flow.args)
            self.flow = None
            return [Line("muted", "Not done. Nothing was changed.")]
        slot = flow.slots[0]
        try:
            value = self._check(flow.action, slot, text)
        except UserError as exc:
            return [Line("warn", f"{exc}. Try again, or Ctrl-C to cancel.")]
        if slot.name.startswith("param:"):
            flow.args["params"][slot.name.split(":", 1)[1]] = value
        elif value is not None:
            flow.args[slot.name] = value
        flow.slots.pop(0)
        return self._advance()

    def _default_hint(self, slot: Slot) -> str:
        default = self._default(slot)
        return f" [{default}]" if default else ""

    def _default(self, slot: Slot) -> str | None:
        if slot.type == "template_code":
            return self.last.get("template")
        return None

    def _choices(self, slot: Slot) -> list[str]:
        """Completions for a slot, from the account's own data and the rules."""
        store, account = self.ctx.store, self.ctx.account
        if slot.type == "template_code":
            return [r["code"] for r in store.rows("SELECT code FROM templates WHERE account = ? ORDER BY code", (account,))]
        if slot.type == "signature_name":
            return [r["name"] for r in store.rows("SELECT name FROM signatures WHERE account = ? ORDER BY name", (account,))]
        if slot.type == "source":
            return list(SOURCES)
        if slot.name == "industry":
            return list(self.ctx.rules.template_industries)
        if slot.type == "error_code":
            return list(self.kb.error_codes)
        return []

    def _check(self, action: str, slot: Slot, value: Any) -> Any:
        """VALUE for SLOT, checked and normalised; a UserError says what is wrong with it."""
        if isinstance(value, str):
            value = clean(value)
        if not value:
            default = self._default(slot)
            if default:
                return default
            if not slot.required:
                return None
            raise UserError(f"{slot.prompt} is needed")
        if slot.type == "signature_name":
            return signatures.check_name(self.ctx, value) if action == "signature.submit" else \
                signatures.status(self.ctx, value)[0]["name"]
        if slot.type == "source":
            chosen = next((v for v, words in self.kb.slot_types["source"].choices.items()
                           if fold(value) in {fold(w) for w in (v, *words)}), None)
            if chosen is None:
                raise UserError(f"'{value}' is not a source; say enterprise, institution, trademark or app")
            return chosen
        if slot.type == "template_code":
            return templates.find(self.ctx, value)["code"]
        if slot.type == "phone":
            raw = value if isinstance(value, list) else self._phones_in(value)
            numbers = [lookup(p, self.ctx.rules) for p in raw]
            bad = [n for n in numbers if n.problem]
            if bad:
                raise UserError(bad[0].problem)
            return [n.phone for n in numbers]
        if slot.type == "param" and slot.name.startswith("param:"):
            return value
        if slot.name == "industry":
            chosen = fold(value)
            if chosen not in self.ctx.rules.template_industries:
                raise UserError(f"'{value}' is not a template industry; use one of: "
                                f"{', '.join(self.ctx.rules.template_industries)}")
            return chosen
        if slot.name == "media":
            paths = shlex.split(value) if isinstance(value, str) else list(value)
            for path in paths:
                media_files.read(path)
            return paths
        if slot.name == "letter":
            templates.check_letter(self.ctx, value)
            return value
        if slot.name == "name" and action == "template.create" and len(value) > self.ctx.rules.template["max_name_length"]:
            raise UserError(f"a template name has at most {self.ctx.rules.template['max_name_length']} characters")
        if slot.name == "text" and action == "template.create":
            templates.check_text(self.ctx, value)
        return value

    def _phones_in(self, text: str) -> list[str]:
        """The numbers in TEXT, each however it is grouped ("138 0013 8000, +86-186-1234-5678");
        anything left over is returned too, so that it is reported rather than dropped."""
        found, rest = [], text
        for pattern in self.kb.slot_types["phone"].patterns:
            found += [m.group("value") for m in pattern.finditer(rest)]
            rest = pattern.sub(" ", rest)
        return found + rest.replace(",", " ").replace(";", " ").split()

    def _preview(self, name: str, args: dict[str, Any]) -> list[Line]:
        """What a state-changing action will do, before the person confirms it."""
        carriers = self.ctx.rules.carriers
        if name == "enable":
            text = f"Enable digital messages for account {self.ctx.account}."
        elif name == "signature.submit":
            text = (f"Submit signature {args['name']} ({args['source']}) for real-name registration with "
                    f"{', '.join(carriers.values())}; each decides within 7-10 business days.")
        elif name == "template.create":
            text = (f"Create template \"{args['name']}\" with signature {args['signature']}, industry {args['industry']}, "
                    f"text \"{args['text']}\" and {len(args['media'])} media file(s), and submit it to the three carriers.")
        elif name == "handoff":
            text = "Hand this case to a support manager, with our conversation and your account's details attached."
        else:  # send
            plan = sending.plan(self.ctx, args["code"], args["phones"])
            lines = [Line("info", f"Send {plan['template']} to {len(args['phones'])} number(s):")]
            for key, part in plan["carriers"].items():
                if part["numbers"]:
                    verdict = "approved: will be sent" if part["allowed"] else "not approved by this carrier: will fail"
                    lines.append(Line("info", f"  {carriers[key]}: {len(part['numbers'])} ({verdict})"))
            lines.append(Line("info", f"Charge: {plan['charge']} message(s) from the digital-message package "
                                      f"({plan['balance']['digital']} left); SMS packages are never used."))
            return lines + [Line("choice", "Go ahead? [y/N]")]
        return [Line("info", text), Line("choice", "Go ahead? [y/N]")]

    def _run(self, name: str, args: dict[str, Any]) -> list[Line]:
        carriers = self.ctx.rules.carriers
        if name == "enable":
            result = accounts.enable(self.ctx)
            lines = [Line("ok", f"Digital messages are {'now' if result['changed'] else 'already'} enabled.")]
        elif name == "signature.submit":
            status = signatures.submit(self.ctx, args["name"], args["source"])
            self.last.update(signature=status["name"], object=f"signature:{status['name']}")
            lines = [Line("ok", "Submitted."), Line("answer", render.signature_text(status, carriers))]
        elif name == "signature.status":
            items = signatures.status(self.ctx, args.get("name"))
            if len(items) == 1:
                self.last.update(signature=items[0]["name"], object=f"signature:{items[0]['name']}")
            lines = [Line("answer", render.signature_text(s, carriers)) for s in items] or \
                [Line("info", "No signatures yet. Say \"submit a signature\" to start one.")]
        elif name == "template.create":
            status = templates.create(self.ctx, args["name"], args["signature"], args["industry"], args["text"],
                                      args["media"], args.get("letter"))
            self.last.update(template=status["code"], object=f"template:{status['code']}")
            lines = [Line("ok", f"Created {status['code']}."), Line("answer", render.template_text(status, carriers))]
        elif name == "template.status":
            items = templates.status(self.ctx, args.get("code"))
            if len(items) == 1:
                self.last.update(template=items[0]["code"], object=f"template:{items[0]['code']}")
            lines = [Line("answer", render.template_text(t, carriers)) for t in items] or \
                [Line("info", "No templates yet. Say \"create a template\" to make one.")]
        elif name == "send":
            return self._sent(sending.send(self.ctx, args["code"], [(p, args.get("params", {})) for p in args["phones"]]))
        elif name == "error.lookup":
            found = error_codes.lookup(self.kb, args["code"])
            lines = [Line("answer", render.error_text(found))]
            if found["handoff"]:
                self.offer = _Offer("Hand this to a support manager now?", lambda: self._handoff())
                lines.append(Line("choice", self.offer.question + " [y/N]"))
            return lines
        elif name == "handoff":
            return self._handoff(args.get("reason"))
        else:
            raise UserError(f"I can't do '{name}' here yet")
        self.failures = 0
        return lines

    def _sent(self, result: dict) -> list[Line]:
        self.last.update(request=result["request_id"], template=result["template"], object=f"template:{result['template']}")
        lines = [Line("ok" if not result["failed"] else "warn", render.send_text(result, self.ctx.rules.carriers))]
        codes = [r["error_code"] for r in result["results"] if r["error_code"]]
        if codes:
            self.last["error"] = codes[0]
            lines.append(Line("muted", "Ask \"what does that mean?\" for the error, or /handoff for a support manager."))
            lines += self._after_failure()
        else:
            self.failures = 0
        return lines

    def _handoff(self, reason: str | None = None, trigger: str | None = None) -> list[Line]:
        request = self.last.get("request") if self.failures else None
        ticket = handoff.create(self.ctx, reason, template=self.last.get("template"), request_id=request,
                                conversation=self.turns, trigger=trigger)
        self.fallbacks = self.failures = 0
        self.unanswered = []
        return [Line("ok", f"Ticket #{ticket['id']} ({ticket['priority']}) is with the support managers: {ticket['summary']}"),
                Line("muted", "Their reply will show here next time you open the assistant, and in `assistant inbox`.")]

    # --- slash commands -----------------------------------------------------------------------

    def _slash(self, text: str) -> list[Line]:
        try:
            words = shlex.split(text[1:])
        except ValueError as exc:
            raise UserError(f"cannot read that command: {exc}") from None
        name, args = (words[0].lower() if words else "help"), words[1:]
        command = COMMANDS.get(name)
        if command is None or self.role not in command.roles:
            raise UserError(f"unknown command /{name}; /help lists them")
        return command.run(self, args)


# --- the slash commands ------------------------------------------------------------------------

@slash("help", "", "this list, and example questions")
def _help(conv: Conversation, args: list[str]) -> list[Line]:
    lines = [Line("info", "Commands:")]
    lines += [Line("muted", f"  /{c.name} {c.usage}".rstrip().ljust(36) + " " + c.help)
              for c in COMMANDS.values() if conv.role in c.roles]
    lines.append(Line("info", "Or just ask, for example:"))
    lines += [Line("muted", f"  {q}") for q in ("How long does signature review take?", "submit a signature",
                                                  "is my template approved yet?", "send a message",
                                                  "what does isv.BUSINESS_LIMIT_CONTROL mean?")]
    return lines


@slash("status", "", "the account: signatures, templates, packages")
def _status(conv: Conversation, args: list[str]) -> list[Line]:
    info = accounts.account_info(conv.ctx)
    lines = [Line("answer", render.account_text(info))]
    lines += [Line("answer", render.signature_text(s, conv.ctx.rules.carriers)) for s in signatures.status(conv.ctx)]
    lines += [Line("answer", render.template_text(t, conv.ctx.rules.carriers)) for t in templates.status(conv.ctx)]
    return lines


@slash("enable", "", "enable digital messages")
def _enable(conv: Conversation, args: list[str]) -> list[Line]:
    return conv._start("enable", {})


@slash("signature", "[NAME]", "signature status")
def _signature(conv: Conversation, args: list[str]) -> list[Line]:
    return conv._run("signature.status", {"name": args[0]} if args else {})


@slash("template", "[CODE]", "template status")
def _template(conv: Conversation, args: list[str]) -> list[Line]:
    return conv._run("template.status", {"code": args[0]} if args else {})


@slash("send", "CODE PHONE... [name=value]", "send a template (shows the plan, then asks)")
def _send(conv: Conversation, args: list[str]) -> list[Line]:
    params = dict(a.split("=", 1) for a in args if "=" in a)
    rest = [a for a in args if "=" not in a]
    given: dict[str, Any] = {}
    if rest:
        given["code"] = rest[0]
    if rest[1:]:
        given["phones"] = rest[1:]
    lines = conv._start("send", given)
    if params and conv.flow:
        conv.flow.args.setdefault("params", {}).update(params)
        conv.flow.slots = [s for s in conv.flow.slots if s.name.split(":", 1)[-1] not in params]
        if not conv.flow.slots and not conv.flow.confirming:
            lines += conv._advance()
    return lines


@slash("error", "CODE", "explain an error code")
def _error(conv: Conversation, args: list[str]) -> list[Line]:
    return conv._start("error.lookup", {"code": " ".join(args)} if args else {})


@slash("handoff", "[REASON]", "hand the case to a support manager")
def _handoff(conv: Conversation, args: list[str]) -> list[Line]:
    return conv._handoff(" ".join(args) or None, "asked_for_person")


@slash("inbox", "", "replies from support managers")
def _inbox(conv: Conversation, args: list[str]) -> list[Line]:
    messages = handoff.inbox(conv.ctx)
    return [Line("ok", f"#{m['ticket']} {m['author']}: {m['text']}") for m in messages] or [Line("muted", "No new replies.")]


@slash("answer", "ID TEXT", "answer a support manager on your ticket", roles=("customer", "agent"))
def _answer(conv: Conversation, args: list[str]) -> list[Line]:
    if len(args) < 2:
        raise UserError("say which ticket and what to tell the manager: /answer ID TEXT")
    ticket = handoff.answer(conv.ctx, args[0], " ".join(args[1:]))
    return [Line("ok", f"Sent to the support managers on ticket #{ticket['id']}.")]


@slash("account", "NAME", "switch to another account")
def _account(conv: Conversation, args: list[str]) -> list[Line]:
    if not args:
        return [Line("info", f"You are on account {conv.ctx.account}.")]
    previous = conv.ctx.account
    conv.ctx.account = args[0]
    try:
        conv.ctx.account_row()
    except UserError:
        conv.ctx.account = previous
        raise
    conv.last, conv.flow, conv.offer, conv.picks = {}, None, None, []
    return [Line("ok", f"Now on account {args[0]}.")]


@slash("queue", "[STATUS]", "the handoff queue, urgent first", roles=("manager",))
def _queue(conv: Conversation, args: list[str]) -> list[Line]:
    return [Line("answer", render.queue_text(handoff.queue(conv.ctx, args[0] if args else None)))]


@slash("show", "ID", "a ticket with its whole case", roles=("manager",))
def _show(conv: Conversation, args: list[str]) -> list[Line]:
    if not args:
        raise UserError("say which ticket: /show ID")
    return [Line("answer", render.ticket_text(handoff.get(conv.ctx, args[0])))]


@slash("claim", "ID", "take a ticket", roles=("manager",))
def _claim(conv: Conversation, args: list[str]) -> list[Line]:
    if not args:
        raise UserError("say which ticket: /claim ID")
    ticket = handoff.claim(conv.ctx, args[0], conv.ctx.actor.split(":", 1)[-1])
    return [Line("ok", f"Ticket #{ticket['id']} is yours.")]


@slash("reply", "ID TEXT", "answer the customer", roles=("manager",))
def _reply(conv: Conversation, args: list[str]) -> list[Line]:
    if len(args) < 2:
        raise UserError("say which ticket and what to reply: /reply ID TEXT")
    ticket = handoff.reply(conv.ctx, args[0], " ".join(args[1:]), conv.ctx.actor.split(":", 1)[-1])
    return [Line("ok", f"Replied on ticket #{ticket['id']}.")]


@slash("resolve", "ID NOTE", "close a ticket", roles=("manager",))
def _resolve(conv: Conversation, args: list[str]) -> list[Line]:
    if len(args) < 2:
        raise UserError("say which ticket and how it was resolved: /resolve ID NOTE")
    ticket = handoff.resolve(conv.ctx, args[0], " ".join(args[1:]), conv.ctx.actor.split(":", 1)[-1])
    return [Line("ok", f"Ticket #{ticket['id']} is resolved.")]


@slash("quit", "", "leave (Ctrl-D does too)")
def _quit(conv: Conversation, args: list[str]) -> list[Line]:
    conv.done = True
    return [Line("muted", "Bye.")]
