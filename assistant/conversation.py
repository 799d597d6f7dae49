"""The conversation behind the REPL: what to say to each line, and what the assistant waits for.

It holds the state a person expects a support assistant to keep: the request being filled in,
the last template, signature, send and error code mentioned (so "is it approved yet?" and
"what does that mean?" need no repeating), numbered "did you mean" choices, an offer awaiting a
yes or no, and how many questions in a row went unanswered. It never prints and never reads the
terminal: `handle` takes a line and returns `Line`s; `waiting` tells the shell what prompt and
completions to show. The pieces live in `assistant.chat`; this class only dispatches.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from . import lang as language
from . import roles
from .actions import accounts, handoff, signatures, templates
from .chat import attachments, cases, commands, offers, outcomes, slots, speech, state, values, welcome
from .chat.attachments import Upload
from .chat.commands import COMMANDS, SlashCommand, slash
from .chat.lines import Line, Pick, Waiting, lead_in, leaves, yes_or_no_again
from .chat.offers import Offer
from .chat.slots import Flow
from .choices import yes_or_no
from .context import Context
from .errors import Forbidden, Unavailable, UserError
from .gaps import log_pick, new_source
from .gaps import record as record_gap
from .knowledge import KnowledgeBase
from .matcher import Candidate
from .messages import said, say, small_talk
from .router import MAX_QUESTION, Reply, Router, extract, slots_for
from .text import clean, fold, shorten

__all__ = ["COMMANDS", "Conversation", "Line", "SlashCommand", "Upload", "Waiting", "slash"]
FALLBACKS_BEFORE_OFFER = 2
# small talk whose words are one language's, so the line sets the conversation's ("hi", "谢谢"); an
# acknowledgement ("ok", "好") is typed alike in both and keeps it
WORDED_TALK = ("greeting", "thanks", "goodbye")


def _best_effort(log: Callable[[], None]) -> None:
    """Write to the gap log; a failure is a warning in the log, never a lost answer (as in `ask`)."""
    try:
        log()
    except UserError as exc:
        logging.getLogger("assistant.gaps").warning("knowledge gap not logged: %s", exc)


VALUE_PROMPTS = ("slot", "file")   # what a prompt waits for when any text is a value, however long: no question


def longest_line(waiting_kind: str | None, rules) -> int:
    """The longest line the conversation reads at a prompt of WAITING_KIND (None: none waiting): a
    value of any length the ticket texts allow (rules.yaml `handoff.max_text_chars`: a reason, a
    reply), else a question or a request of at most `MAX_QUESTION` characters (`_line` refuses a longer
    one). A client's box takes as many, and no more."""
    if waiting_kind in VALUE_PROMPTS:
        return int(rules.handoff["max_text_chars"]) if rules else 4000
    return MAX_QUESTION


class Conversation:
    """One person's conversation with the assistant, as customer, agent or manager."""

    # Set by a shell that runs each turn and the state it leaves in one transaction (the service):
    # a database failure then ends the turn, for the shell to run it again or report it, instead of
    # being said as a refusal while the turn goes on.
    whole_turns = False

    def __init__(self, ctx: Context, router: Router, role: str = "customer", files: str = "local",
                 lang: str | None = None, first: str | None = None, shell: str = "terminal"):
        """FILES is where the files its prompts ask for come from (chat/attachments.py): "local", paths
        on this machine (the embedded REPL); "upload", files the client sends (the service).
        LANG: auto (default: each line's own language, see `lang.follow`), en or zh. FIRST: with auto,
        the language spoken before anyone has written (a web page's own: the browser's language).
        SHELL: where it is held (`speech.SHELLS`): "terminal" (beside the CLI) or "web" (the web chat,
        which has no CLI): the hints its lines give are that shell's."""
        self.ctx, self.router, self.kb, self.role = ctx, router, router.kb, role
        self.shell = shell
        self.files = attachments.source(files)
        self.lang_setting = lang or "auto"
        # the language said now
        self.lang = first if first and self.lang_setting == "auto" else language.choose(self.lang_setting)
        ctx.role = role  # the actions scope tickets and sends by it
        self.turns: list[dict[str, str]] = []
        self.started: str | None = ctx.now()   # when it began (None: kept before conversations kept it)
        self.flow: Flow | None = None
        self.offer: Offer | None = None
        self.picks: list[Pick] = []
        self.fallbacks = 0
        self.unanswered: list[str] = []
        self.failures = 0                   # failures since the last success: the failed request a ticket carries
        self.in_a_row = 0                   # failures with nothing answered or done between them: the offer's count
        self.last: dict[str, str] = {}
        self.replied: int | None = None   # the ticket whose manager's reply was said just before this line
        self.rest = ""       # what followed a yes or a no on the same line, handled as the next line
        self.done = False
        # who asks, for the gap log: this session (the service names its conversations by their id)
        self.source = new_source("repl")
        # PROGRESS(done, total) of a send the conversation makes: the REPL draws a bar with it
        self.progress: Callable[[int, int], None] | None = None

    # --- state as plain data (a service keeps the conversation between requests) ---------------

    def dump(self) -> dict[str, Any]:
        """Everything this conversation remembers, as JSON-ready data (never pickle)."""
        return state.dump(self)

    @classmethod
    def load(cls, ctx: Context, router: Router, data: dict[str, Any], role: str = "customer",
             files: str = "local") -> Conversation:
        """The conversation DATA (from `dump`) describes, on CTX (the request's own context)."""
        return state.load(cls(ctx, router, role, files), data)

    def deed(self, deed: dict[str, Any]) -> Callable[[], list[Line]]:
        """What a choice or an offer described as plain data does: run or start an action, hand off,
        or take a "did you mean" suggestion."""
        return state.deed(self, deed)

    def pick(self, label: str, deed: dict[str, Any], key: str | None = None) -> Pick:
        """A numbered choice that does DEED."""
        return Pick(label, self.deed(deed), key, deed)

    # --- the shell's view ------------------------------------------------------------------

    @property
    def waiting(self) -> Waiting | None:
        if self.flow:
            return slots.waiting(self)
        if self.offer:
            return Waiting(self.yes_no(offers.asked(self, self.offer)), ["yes", "no"], "offer")
        if self.picks:
            return Waiting(self.say("pick", count=len(self.picks)),
                           [str(n) for n in range(1, len(self.picks) + 1)], "pick")
        return None

    def welcome(self, keys: bool = True) -> list[Line]:
        """The session's first lines; KEYS: with the terminal's keys (not for the web chat)."""
        return welcome.lines(self, keys)

    def news(self) -> list[Line]:
        """Managers' replies and resolutions not shown yet (the welcome includes them)."""
        return [] if self.role == "manager" else welcome.inbox(self)

    def toolbar(self, width: int | None = None) -> str:
        """The bottom toolbar's text, worded to fit WIDTH columns."""
        return welcome.toolbar(self, width)

    def completions(self) -> list[str]:
        """Everything worth completing at the main prompt."""
        words = commands.completions(self)
        words += [e.question for e in self.kb.entries.values()]
        rows = self.ctx.store.rows("SELECT code, name FROM templates WHERE account = ? ORDER BY code", (self.ctx.account,))
        words += [r["code"] for r in rows] + [r["name"] for r in rows]
        words += list(self.kb.error_codes)
        if self.role == "manager":  # ticket numbers after the queue commands
            ids = [str(t["id"]) for t in handoff.queue(self.ctx)]
            words += [f"/{c} {i}" for c in ("show", "claim", "reply", "resolve") for i in ids]
        return words

    # --- input -------------------------------------------------------------------------------

    def handle(self, text: str) -> list[Line]:
        """Everything the assistant says to TEXT; a pasted block is handled line by line, in order."""
        lines: list[Line] = []
        for one in text.splitlines() or [""]:
            while one is not None and not self.done:
                lines += self._line(one)
                one, self.rest = (self.rest or None), ""   # "no. I want a person": the rest is the next line
        return lines

    def _line(self, text: str) -> list[Line]:
        text = clean(text)
        waiting = self.waiting
        if not text and waiting and waiting.kind in ("offer", "confirm"):
            # Enter at a "[y/N]" question is its default, the N, wherever it is asked, and it is said
            return self._line("no") + [Line("muted", self.say("enter_means_no"))]
        if not text and not (self.flow and not self.flow.confirming):
            return []                        # Enter alone only matters at a value prompt (a default, a skip)
        at_value = bool(waiting and waiting.kind in VALUE_PROMPTS)
        if len(text) > MAX_QUESTION and not at_value and not commands.is_command(text):
            # a question or request that long is refused before any reading of it, in its own language
            self.lang = language.follow(self.lang_setting, text, self.lang)
            self._turn("user", text)
            return self._answered(lambda: [Line("warn", self.say("unreadable.too_long", count=len(text),
                                                                 most=MAX_QUESTION))])
        # a value typed at a prompt (a name, a code, numbers) has no language; a question or a request there has
        if not at_value or self.router.form(text) in ("question", "command") \
                or leaves(fold(text), self.kb.leaving):
            self.lang = language.follow(self.lang_setting, self._words_of(text), self.lang)
            if self.lang_setting == "auto" and small_talk(self.kb, text, near=False) in WORDED_TALK:
                self.lang = language.detect(text)   # "hi" after a Chinese line greets in English
        # a yes, a no or a number answers the assistant's own question: never the case's subject
        self._turn("user", text, reply=bool(waiting and waiting.kind in ("offer", "confirm", "pick")))
        return self._answered(lambda: self._dispatch(text))

    def _words_of(self, text: str) -> str:
        """TEXT without the values its language is no sign of: the account's template and signature
        names ("send 会员生日 to 13800138000" is an English line) and quoted words."""
        if text.isascii():
            return text
        names = [r["name"] for r in self.ctx.store.rows(
            "SELECT name FROM templates WHERE account = ? UNION SELECT name FROM signatures WHERE account = ?",
            (self.ctx.account, self.ctx.account)) if not r["name"].isascii()]
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, " ")
        return _QUOTED.sub(" ", text)

    def attach(self, uploads: list[Upload]) -> list[Line]:
        """The files a client sent for the file prompt this conversation waits at (its files are uploads).

        Refused whole, changing nothing, when no file is wanted now (Conflict) or the files cannot
        be used (Unsupported, TooLarge, UserError); once taken, the request goes on as after a
        typed value, and what follows is said as after any line.
        """
        value = slots.received(self, uploads)
        self._turn("user", "[attached: " + ", ".join(attachments.label(u.name, n)
                                                     for n, u in enumerate(uploads, 1)) + "]")
        return self._answered(lambda: slots.take(self, value))

    def _answered(self, work: Callable[[], list[Line]]) -> list[Line]:
        """What WORK says, a refusal said as a line; kept as the assistant's turns."""
        try:
            lines = work()
        except Forbidden as exc:  # the role's limit: a support manager could not change that either
            lines = [Line("error", self.told(exc))]
        except UserError as exc:
            if self.whole_turns and isinstance(exc, Unavailable):
                raise  # the shell runs the turn again, or answers that the database failed: nothing is kept
            self.remember_refusal(exc)
            lines = [Line("error", self.told(exc))] + self.after_failure()
        except Exception as exc:  # a bug must not end the session, in any shell  # noqa: BLE001
            lines = self.internal_error(exc)
        lines = [Line(line.kind, speech.say(line.text, self.kb, self.shell), line.entry) for line in lines]
        # the muted lines are asides, unless they are the whole reply (a short "OK." to a "no"): kept then
        for line in [line for line in lines if line.kind != "muted"] or lines:
            self._turn("assistant", line.text)
        return lines

    def asked(self, lines: list[Line]) -> list[Line]:
        """The question of the value or file the conversation now waits for, as a line kept as the
        assistant's turn, unless LINES already said it: for a shell that shows a transcript rather
        than a prompt (the web chat), so scrolling back reads as the REPL's screen does."""
        waiting = self.waiting
        if waiting is None or waiting.kind not in ("slot", "file") or any(line.text == waiting.prompt for line in lines):
            return []
        self._turn("assistant", waiting.prompt)
        return [Line("prompt", waiting.prompt)]

    def internal_error(self, exc: Exception) -> list[Line]:
        """A bug met while handling a line: said in one line, whatever was pending dropped (every
        action is one transaction, so nothing is half-done), and the session goes on."""
        self.flow, self.offer, self.picks = None, None, []
        return [Line("error", f"internal error ({type(exc).__name__}: {exc}); nothing was half-done, "
                              "the session goes on. Please report this.")]

    def remember_refusal(self, exc: UserError) -> None:
        """A refusal with the service's code: "what does that mean?" then explains that code; "why?" right
        after a refusal without one says its reason again (`outcomes.why_asked`)."""
        if exc.code:
            self.last["error"] = exc.code
        self.last["refusal"] = self.told(exc)

    def cancel(self) -> list[Line]:
        """Ctrl-C: drop whatever was being filled in."""
        had = self.flow or self.offer or self.picks
        self.flow, self.offer, self.picks = None, None, []
        return [Line("muted", self.say("cancelled"))] if had else []

    def leave(self) -> list[Line]:
        """Leaving (Ctrl-D, /quit, the end of piped input): a request half filled or a yes/no question
        waiting is dropped, and said to be not done, in one line; nothing when nothing waits."""
        if self.flow is not None:
            said = self.say("left.request", request=slots.title(self, self.flow))
        elif self.offer is not None:
            said = self.say("left.offer", question=offers.asked(self, self.offer))
        else:
            return []
        self.flow, self.offer, self.picks = None, None, []
        return [Line("muted", said)]

    def _turn(self, role: str, text: str, reply: bool = False) -> None:
        self.turns.append({"role": role, "text": text, "at": self.ctx.now(), **({"reply": True} if reply else {})})
        del self.turns[:-self.ctx.rules.handoff["kept_turns"]]

    def _dispatch(self, text: str, read: Reply | None = None) -> list[Line]:
        """TEXT, one line of the person's: a command, a value of the request being filled in, the answer
        to what the assistant asked (an offer, numbered choices), a word about a ticket or about what was
        just said, else a question or request as the router reads it (READ, when it has already read it)."""
        # a manager's reply was the last thing said: this line may answer it (`_fallback`, `cases.acknowledges`)
        self.replied = self.last.pop("replied", None) or cases.reply_shown(self)
        if commands.is_command(text):
            return self._command(text)
        if self.flow:
            return slots.answer(self, text)
        if (waited := self._answers_waiting(text)) is not None:
            return waited
        if named := commands.bare(text):
            return self._command(f"/{named}")
        if (ticket := self._of_a_ticket(text)) is not None:
            return ticket
        if followed := self._follows_up(text):
            return followed
        if (accepted := self._after_acceptance(text)) is not None:   # "ok, then submit a signature"
            return self._dispatch(*accepted)
        return self._routed(text, read)

    def _answers_waiting(self, text: str) -> list[Line] | None:
        """TEXT as the answer to what the assistant asked last: an offer's yes or no (or a value it asked
        for), a number of the choices shown, a yes or no when nothing waits. None when it answers none of
        them: the choices shown, if any, are then dropped."""
        answer, reading = fold(text), yes_or_no(text, self.kb.answers)
        leaving = leaves(answer, self.kb.leaving)
        if self.picks and not self.offer and leaving:   # "取消", "never mind" at a "did you mean": dropped
            return self._picks_dropped()
        if self.offer:
            if (at_offer := self._at_offer(text, leaving)) is not None:
                return at_offer
        elif reading in ("yes", "no") and not (self._replied_waits() and not self.picks):
            # (a yes right after a manager's reply that waits on the customer answers the manager: `_of_a_ticket`)
            if self.picks:
                return [Line("muted", self.say("pick.number", count=len(self.picks)))]
            return self._in_passing(text) or [Line("muted", self.say("nothing_waiting"))]
        return self._at_picks(text, answer)

    def _at_offer(self, text: str, leaving: bool) -> list[Line] | None:
        """TEXT typed at the offer waiting: declined however worded, a request resumed, the offer's yes
        or no (asked again when unclear), a value it asked for, or a question beside it (the offer kept).
        None when TEXT is something else: the offer is dropped and TEXT read on its own."""
        assert self.offer is not None
        if leaving and not commands.bare(text):   # "hmm, actually not now", "算了": declined
            self.offer = None
            return [Line("muted", self.say("ok"))]
        if self._signs_off(text):   # "算了不用了，我自己再试试": declined, and the topic left
            self.offer = None
            return self._signed_off()
        if slots.puts_off(self, text):   # "no, call me later", "回头再说": declined, nothing more
            self.offer = None
            return [Line("muted", self.say("ok"))]
        if (resumed := slots.resumed_at_offer(self, text)) is not None:
            return resumed                   # "回去继续建模板" at "现在查看签名的状态吗？": that request, never a name
        reading, self.rest = offers.reading(self, text, offers.pending_action(self.offer))
        if reading == "unclear":         # neither surely yes nor no: asked again, never taken as a no
            return yes_or_no_again(self.yes_no(offers.asked(self, self.offer)), self.say("answer_yes_no"))
        if reading is None and (kept := slots.at_offer(self, text)) is not None:
            return kept                  # "AcmeShop" at "submit a signature?": the name, not a new question
        offer, self.offer = self.offer, None
        if reading == "yes":
            return offer.run()
        if reading == "no":
            return [Line("muted", self.say("ok"))]
        if reading is None and self._keeps_offer(offer, text):
            return self._answered_at_offer(offer, text)
        return None

    def _at_picks(self, text: str, answer: str) -> list[Line] | None:
        """TEXT (folded: ANSWER) as a number of the choices shown, a number with none shown, or a word
        kept at them (`slots.at_picks`). None otherwise, and the choices are dropped."""
        if self.picks and answer.isdecimal() and 1 <= int(answer) <= len(self.picks):
            picked, self.picks = self.picks[int(answer) - 1], []
            return picked.run()
        if answer.isdecimal() and len(answer) <= _PICKABLE:   # "2" with no such choice shown: nothing to pick
            return [Line("muted", self.say("pick.number", count=len(self.picks)) if self.picks else self.say("nothing_to_pick"))]
        if kept := slots.at_picks(self, text):
            return kept
        self.picks = []
        return None

    def _of_a_ticket(self, text: str) -> list[Line] | None:
        """TEXT about the customer's ticket: words for the manager, an answer to the manager's reply just
        shown, thanks for it, a ticket asked for, or its state asked. None for anything else."""
        if (told := cases.reply_said(self, text)) is not None:   # "回复经理：…": the ticket's, never a send
            return self.start("handoff.answer", {"text": told}, text)
        if self.replied and cases.acknowledges(self, text):   # "好的，那我们前台手机是…" just after the reply
            return self._answer_ticket(text)
        if self._replied_waits() and cases.thanks(self, text):   # "谢谢咯" just after the reply: the manager's
            return self._answer_ticket(text, said="ticket.thanks_passed")
        if (answer := cases.unquoted(self, text)) is not None and cases.answers_reply(self, answer):
            return self._answer_ticket(text)   # "> Which date is your campaign? -- March 27": the quote answered
        if self._replied_waits() and cases.answers_reply(self, text):   # "模板编号是DIGITAL_SMS_0001" just after
            return self._answer_ticket(text)                           # "请提供模板编号": the answer, no look-up
        if cases.opens_ticket(self, text):                      # "open a ticket", "开个工单": a person, not the list
            return self.start("handoff", {}, text)
        if about := cases.asked_about(self, text):            # "经理回复了吗": the ticket's state, never an answer
            return about
        return None

    def _follows_up(self, text: str) -> list[Line] | None:
        """TEXT about what was just said or done: a word in passing, the object spoken of, a number's
        fate, an error's fix, the last send, whether sending can start, the other object, a rejection's
        reason. None (or nothing) when TEXT follows up nothing."""
        if said := self._in_passing(text):
            return said
        if about := self._about(text):
            return about
        if fate := outcomes.fate_asked(self, text):   # "19212345678为什么失败": never a new send to it
            return fate
        if fix := outcomes.fix_asked(self, text):      # "how do I fix it?" after an error code's explanation
            return fix
        if how := outcomes.send_asked(self, text):     # "did my last send go through?": that send's result
            return how
        if can := slots.can_send(self, text):          # "so can I send now?": what sending still needs, or that it can
            return can
        if other := outcomes.other_one(self, text):    # "and the other one?" after a signature's status: the other's
            return other
        if change := outcomes.change_asked(self, text):   # "can I change it?" of a signature under review: it cannot
            return change
        return outcomes.rejection_asked(self, text)   # "why was it rejected?" after its status: its reason

    def _routed(self, text: str, read: Reply | None = None) -> list[Line]:
        """TEXT as the router reads it (READ, when it has already read it), in the light of an error code
        just named and of the object spoken of; a question about a number after a send is that number's fate."""
        if self.turns and self.turns[-1]["role"] == "user":
            self.turns[-1]["asked"] = True   # read as a question or a request: what the reports count as asked
        # a question right after an error code was named is read in its light (its topic's entry)
        reply = outcomes.on_topic(self, text, self._named_request(text, read or self.router.route(text, self.lang)))
        reply = self._topic_again(text, self._of_the_object(text, reply))
        if not (reply.type == "action" and self.kb.actions[reply.action].changes_state):
            fate = outcomes.number_fate(self, text)    # "why did 19912345678 fail?" after a send
            if fate:
                return fate
        return self.reply(reply)

    def _of_the_object(self, text: str, reply: Reply) -> Reply:
        """REPLY, unless it asks which of two FAQ entries is meant and the object the conversation spoke of
        last (a signature just submitted, a template just looked up: `last["object"]`) tells them apart: one
        entry alone is tagged with it. "how long will the review take?" right after a signature was
        submitted is the signature's review."""
        kind = outcomes.spoken_of(self)[0]
        if reply.type != "clarify" or not kind:
            return reply
        entries = self.kb.entries
        tagged = [s for s in reply.suggestions if s.key.startswith("faq:") and s.key[4:] in entries
                  and kind in entries[s.key[4:]].tags]
        if len(tagged) != 1:
            return reply
        chosen = tagged[0]
        return self.router.resolve(reply.question, text, Candidate(chosen.key, chosen.confidence, ""), reply.lang)

    def _topic_again(self, text: str, reply: Reply) -> Reply:
        """REPLY, unless the model could not read TEXT alone (or read it only as a bare look-up) and TEXT is a
        short follow-up (`routing.topic_again`: "同一个模板呢？" right after the flow-control answer) of the FAQ
        answer the assistant just gave: then the question just answered and TEXT, read together, when that
        reading is an FAQ answer read surely. Such a line names no object; it asks the last answer's question
        again of what it names."""
        asked = self.last.get("answered")
        looks_up = reply.type == "action" and not reply.args and not self.kb.actions[reply.action].changes_state
        if not (reply.type in ("fallback", "clarify") or looks_up) or not asked or not _topic_again(self.kb, text):
            return reply                     # ("那模板呢" right after an FAQ answer is its topic's, never a status)
        if len(self.turns) < 3 or self.turns[-3].get("role") != "user" or self.turns[-3].get("text") != asked["question"]:
            return reply                     # something else was said since that answer
        both = self.router.route(f"{asked['question']} {text}", self.lang)
        if both.type != "answer" or both.confidence < self.kb.thresholds.answer:
            return reply
        return both._replace(question=text)

    def _named_request(self, text: str, reply: Reply) -> Reply:
        """REPLY, unless the model could not read TEXT for the signature name in it: "申请签名：阿克米"
        (characters no phrasing uses dilute the request) is read again without the name, and when
        that reading is a request taking a signature name (or the FAQ entry offering one), the
        request is meant, with every value of TEXT, the name included."""
        if (made := slots.made(self, text, reply)) is not None:   # "重新建模板，名字叫…，内容是…": that request
            return made
        if reply.type not in ("fallback", "clarify") or reply.kind == "small_talk":
            return reply
        for kind in ("signature_name", "template_name"):   # "建个叫会员日的模板" too
            names = extract(self.kb, kind, text)
            if not names:
                continue
            again = self.router.route(text.replace(names[0], " "), self.lang)
            if again.type == "answer":
                offered = self.kb.entries[again.entry].actions if again.entry in self.kb.entries else ()
                name = offered[0] if offered else None
            else:
                name = again.action if again.type == "action" else None
            action = self.kb.actions.get(name) if name else None
            if action is not None and any(s.type == kind for s in action.slots):
                return Reply(text, "action", again.confidence, action=action.name, args=slots_for(self.kb, action, text),
                             best=again.best, lang=reply.lang)
        return reply

    def _after_acceptance(self, text: str) -> tuple[str, Reply] | None:
        """The request TEXT makes after words accepting what was said, set off by a mark, with nothing
        pending ("ok, then submit a signature" after an answer: the yes and polite words of `answers`,
        then `leaving.around` words): those words say nothing of the request, and read with it they
        drown it. The request with the router's reading of it (read once: `_dispatch` goes on with it);
        None unless what follows reads surely as a request."""
        answers = self.kb.answers
        rest, taken, marked = lead_in(text, (*answers.get("yes", ()), *answers.get("polite", ())), at_mark=True)
        if not rest or not marked or not set(taken) & set(answers.get("yes", ())):
            return None
        after = lead_in(rest, self.kb.leaving.get("around", ()))[0] or rest
        reply = self.router.route(after, self.lang)
        return (after, reply) if reply.type == "action" and reply.confidence >= self.kb.thresholds.answer else None

    def _keeps_offer(self, offer: Offer, text: str) -> bool:
        """Whether OFFER stays open after TEXT: it was made because a request could not go on (its deed's
        "left": "Enable … now?" after "I want to send a message") and TEXT asks a question, which is no
        answer to it ("can my SMS package pay for it?"); the customer still means that request."""
        return bool((offer.deed or {}).get("left")) and self.router.form(text) == "question"

    def _answered_at_offer(self, offer: Offer, text: str) -> list[Line]:
        """TEXT, a question typed at OFFER, answered as at the main prompt; when the answer is all it
        says (no request begun, no offer or choices of its own), OFFER is asked again, as a question
        at a value prompt brings the prompt back."""
        lines = self._dispatch(text)
        if self.offer is None and self.flow is None and not self.picks and any(line.kind == "answer" for line in lines):
            self.offer = offer
            lines.append(Line("choice", self.yes_no(offers.asked(self, offer))))
        return lines

    def _picks_dropped(self) -> list[Line]:
        """A cancel word typed at numbered choices: they are dropped, and that is said."""
        self.picks = []
        return [Line("muted", self.say("cancelled"))]

    def _in_passing(self, text: str) -> list[Line] | None:
        """Small talk ("hello", "ok", "thanks") answered in kind, and a "cancel" with nothing being
        filled in said so, rather than "I don't know"; None for any other line."""
        if kind := small_talk(self.kb, text):
            return [Line("answer", self.say(f"small_talk.{kind}"))]
        if leaves(fold(text), self.kb.leaving):
            return [Line("muted", self.say("nothing_to_cancel"))]
        if self._signs_off(text):
            return self._signed_off()
        return None

    def _signed_off(self) -> list[Line]:
        """"never mind, I'll try myself" said: no question left unanswered, and never what a ticket
        is about; a person asked for right after it gets the problem given up on (`handoff`)."""
        if self.turns and self.turns[-1]["role"] == "user":
            self.turns[-1].update({"reply": True, SIGNED_OFF: True})
        return [Line("muted", self.say("ok"))]

    def _signs_off(self, text: str) -> bool:
        """Whether TEXT drops what was going on and leaves it there: its first clause is only words
        that drop a request (messages.yaml `leaving`: "never mind", "算了不用了") and what follows
        neither asks nor reads as anything but small talk ("never mind, I'll try myself", "算了不用了，我自己再试试",
        "算了，我自己再看看").
        "never mind, how long does review take?" and "cancel, I want a person" go on to be answered.
        The drop may run straight into the words after it ("算了还是用营销吧")."""
        first, sep, rest = _CLAUSE.partition(text)
        if not sep:
            rest = self._after_leaving(text)
        elif not leaves(fold(first), self.kb.leaving):
            return False
        if not rest.strip():
            return False
        if slots.asks_something(self, rest) or commands.is_command(rest.strip()):
            return False
        if small_talk(self.kb, rest):   # "算了，我自己再看看", "never mind, thanks"
            return True
        reply = self.router.route(rest, self.lang)
        return reply.type == "fallback" and reply.kind != "undocumented" and not reply.error

    def _after_leaving(self, text: str) -> str:
        """The words of TEXT after the `leave` phrase it opens with, with no mark between them
        ("算了还是用营销吧" -> "还是用营销吧"; `around` words before it may come first); "" when it opens with none."""
        words, around = fold(text).split(), set(self.kb.leaving.get("around", ()))
        at = 0
        while at < len(words) and words[at] in around:
            at += 1
        step = max((len(p.split()) for p in self.kb.leaving.get("leave", ()) if words[at:at + len(p.split())] == p.split()),
                   default=0)
        if not step:
            return ""
        rest = words[at + step:]
        return ("" if self.lang == "zh" or language.detect(text) == "zh" else " ").join(rest)

    def signs_off(self, text: str) -> bool:
        """`_signs_off`, for the go-ahead of a request being filled in (assistant/chat/slots.py)."""
        return self._signs_off(text)

    def _command(self, text: str) -> list[Line]:
        """A slash command; typed at a prompt, the prompt comes back after it (or its drop is said)."""
        pending = self.flow
        self.offer = None                   # a command moves on: a yes typed later never answers an older offer
        try:
            lines = commands.run(self, text)
        except UserError as exc:
            if not pending:
                raise
            lines = [Line("error", self.told(exc))]
        else:
            self.succeeded(request=False)
            name = text[1:].split(None, 1)[0].lower() if text[1:].strip() else ""
            if pending and self.flow is pending and roles.SLASH.get(name) == pending.action:
                self.flow = None            # "/resolve 2 done" at the pending resolve's prompt: that request is done
                return lines
        if pending and self.flow is pending and not self.done:
            return lines + slots.back(self)
        if pending and self.flow is not pending and not self.done:   # /quit says it itself (`leave`), once
            return [Line("muted", self.say("request.dropped_for", request=slots.title(self, pending)))] + lines
        return lines

    def _about(self, text: str) -> list[Line]:
        """A bare signature name or template code: ask what to do with it rather than guess."""
        word = text.strip()
        if " " in word:
            return []
        if signatures.exists(self.ctx, word):
            self.picks = [self.pick(self.say("pick.signature_status", name=word),
                                    {"do": "run", "name": "signature.status", "args": {"name": word}}),
                          self.pick(self.say("pick.signature_update", name=word),
                                    {"do": "start", "name": "signature.update", "args": {"name": word}})]
            if signatures.status(self.ctx, word)[0]["registration"] == "rejected":
                # a name refused for what it is (not in the profile) passes with another name, not resubmitted as it is
                self.picks.append(self.pick(self.say("pick.signature_another_name", name=word),
                                            {"do": "start", "name": "signature.submit", "args": {}}))
        elif templates.exists(self.ctx, word):
            code = word.upper()
            self.picks = [self.pick(self.say("pick.template_status", code=code),
                                    {"do": "run", "name": "template.status", "args": {"code": code}}),
                          self.pick(self.say("pick.send", code=code), {"do": "start", "name": "send", "args": {"code": code}})]
        else:
            return self._new_name(word)
        return [Line("info", self.say("what_to_do", word=word))] + [
            Line("choice", f"  {n}. {p.label}") for n, p in enumerate(self.picks, 1)]

    def _new_name(self, word: str) -> list[Line]:
        """A bare word that is a name of the account's real-name profile, or that the router reads as
        "submit a signature": offer the submission with the name kept; anything else is answered as usual."""
        profile = accounts.in_profile(self.ctx, word)
        reply = self.router.route(word, self.lang)
        # a word read as "submit a signature" is a name only when that reading is not sure: "提交签名"
        # ("submit signature", one word to a space-splitter) is the request itself
        named = reply.type == "action" and reply.action == "signature.submit" and not reply.args \
            and reply.confidence < self.kb.thresholds.answer
        if not (profile and reply.type in ("fallback", "clarify")) and not named:
            return []
        try:
            name = signatures.check_name(self.ctx, word)
        except UserError:
            return []
        missing = slots.preconditions(self, "signature.submit")
        if missing:             # offered only when it could run: what comes first is said, and offered
            return missing
        return [offers.action(self, "signature.submit", {"name": name}, "offer.new_signature", fields={"name": name})]

    # --- replies -----------------------------------------------------------------------------

    def say(self, msg_id: str, **fields: object) -> str:
        """Message MSG_ID of the catalogue (knowledge/messages.yaml) in the conversation's language."""
        return say(self.kb, msg_id, self.lang, **fields)

    def told(self, exc: UserError) -> str:
        """The refusal EXC as the conversation says it: the catalogue's sentence in its language when EXC's
        line is that sentence in English (`errors.said`), else EXC's own line (one said already in the
        conversation's language, or one with more to it, is kept)."""
        if exc.said is None or self.lang == "en":
            return str(exc)
        sentence = {"say": exc.said[0], "fields": exc.said[1]}
        if str(exc) != said(self.kb, sentence, "en"):
            return str(exc)
        return said(self.kb, sentence, self.lang)

    def yes_no(self, question: str) -> str:
        """QUESTION with the yes/no marker of the conversation's language ("[y/N]"); the web chat
        shows yes and no as buttons, so there the question stands alone."""
        return question if self.shell == "web" else f"{question} {self.say('yes_no')}"

    def meant(self, question: str, key: str, confidence: float) -> list[Line]:
        """A "did you mean" pick: QUESTION meant intent KEY. The pick is logged as a proposed phrasing."""
        _best_effort(lambda: log_pick(self.ctx.store, self.ctx.account, question, key, self.ctx.now(),
                                      self.kb.thresholds.gap_log_rows, self.source))
        return self.reply(self.router.resolve(question, question, Candidate(key, confidence, ""), self.lang))

    def reply(self, reply: Reply) -> list[Line]:
        """What to say to the router's reading of a line."""
        _best_effort(lambda: record_gap(self.ctx.store, self.ctx.account, self.ctx.now(), reply,
                                        self.kb.thresholds.low_confidence, self.kb.thresholds.gap_log_rows, self.source))
        if reply.type == "fallback":
            return self._fallback(reply)
        self.fallbacks = 0
        if reply.type == "clarify":
            question = reply.question
            named = [s for s in reply.suggestions if self._names_object_of(s.key, question)]
            if len(named) == 1:             # "has AcmeShop been approved?": the one kind of object it names
                kind, _, name = named[0].key.partition(":")
                if kind == "action":
                    return self.run(name, values.named_for(self.ctx, name, question) or {})
                return self.answer_lines(reply._replace(type="answer", entry=name, confidence=named[0].confidence))
            self.picks = [self.pick(s.question, {"do": "resolve", "question": question, "key": s.key,
                                                 "confidence": s.confidence}, s.key) for s in reply.suggestions]
            return [Line("info", self.say("clarify"))] + [
                Line("choice", f"  {n}. {s.question}") for n, s in enumerate(reply.suggestions, 1)]
        if reply.type == "answer":
            if not reply.also:
                return self.answer_lines(reply)
            # each question's answer first; the offer (a question back) last
            return self.answer_lines(reply, offer=False) + self._also_lines(reply) + self.follow_up(reply)
        if slots.beyond_role(self, reply.action) and reply.confidence < self.router.thresholds.answer:
            # a customer's line read, unsurely, as claiming a ticket is no such request: never a manager's command
            return self._fallback(reply._replace(type="fallback"))
        started = self.start(reply.action, reply.args or {}, reply.question)
        # numbers that are none, or written twice; not again where the request's own check names them
        said = "\n".join(line.text for line in started)
        back = values.taken_back(self.kb, reply.question)   # "13312345678换成…": no note on a number taken back
        # (the router says them in the conversation's language, which it was given)
        lines = [Line("warn", note) for note in reply.notes
                 if not _said_already(note, said) and _digits_of(_named_by(note)) not in back]
        # the message's questions answered before the request's first prompt ("模板多久能审完？帮我建一个模板")
        return self._also_lines(reply) + lines + started

    def _also_lines(self, reply: Reply) -> list[Line]:
        """The answers to the other questions of REPLY's message, each under what it asked: no
        offer of an action (one offer at a time), and what is not published is kept for a person."""
        lines: list[Line] = []
        for other in reply.also:
            asked = other.question.rstrip()
            if asked.endswith(("?", "？")):     # the conversation's own question mark, whichever was typed
                asked = asked.rstrip("?？").rstrip() + self.say("question_mark")
            lines.append(Line("muted", self.say("also_asked", question=asked)))
            if other.type == "action":      # "模板审过了没得嘛？审过了就帮我发给…": the look-up it asks, at once
                lines += slots.looked_up(self, other)
            elif other.type == "answer":
                lines += self.answer_lines(other, offer=False)
            else:
                self.unanswered.append(other.question)
                lines.append(Line("answer", self.kb.entries[other.entry].said("answer", self.lang)))
        return lines

    def _names_object_of(self, key: str, said: str) -> bool:
        """Whether SAID names an object of the account that suggestion KEY (an action, or an FAQ
        entry through the action it offers) looks up: AcmeShop for signature review questions."""
        kind, _, name = key.partition(":")
        if kind != "action":
            entry = self.kb.entries.get(name)
            name = entry.actions[0] if entry is not None and entry.actions else ""
        return bool(name) and values.named_for(self.ctx, name, said) is not None

    def answer_lines(self, reply: Reply, offer: bool = True) -> list[Line]:
        """An FAQ answer, its related questions and (with OFFER) the action it leads to."""
        entry = self.kb.entries[reply.entry]
        self.last["answered"] = {"entry": entry.id, "question": reply.question}   # for a follow-up (`_topic_again`)
        self.succeeded(request=False)
        lines = [Line("answer", entry.said("answer", self.lang), entry.id)]
        lines += [Line("warn", note) for note in reply.notes]   # what the rules say of a value the question names
        related = [self.kb.entries[r].said("question", self.lang) for r in entry.related if r in self.kb.entries]
        if related:
            lines.append(Line("muted", self.say("related", questions=" | ".join(related))))
        return lines + self.follow_up(reply) if offer else lines

    def follow_up(self, reply: Reply) -> list[Line]:
        """What follows answer REPLY: the action its entry leads to, offered, or run at once when
        the question names the account's own object (an object of the other kind too: "为啥如家酒店被
        驳回了" read as a template's rejection names the signature 如家酒店, whose status says why)."""
        entry = self.kb.entries[reply.entry]
        if not entry.actions:
            return []
        named = values.named_for(self.ctx, entry.actions[0], reply.question)
        looked_up = (entry.actions[0], named) if named else self._object_looked_up(reply.question, entry.actions[0])
        return self.run(*looked_up) if looked_up else self.offer_or_why(entry.actions[0])

    def offer_or_why(self, name: str) -> list[Line]:
        """Offer action NAME, if it could run now; else what it lacks (and the step that comes first,
        on offer), so that no offer is accepted only to be refused."""
        kept = self.offer
        missing = self.lacks(name)
        if missing:
            return missing
        self.offer = kept
        return [offers.action(self, name)]

    def lacks(self, name: str) -> list[Line]:
        """What action NAME needs that the account lacks, with the step that comes first on offer; []
        when it could run now."""
        return slots.preconditions(self, name)

    def _fallback(self, reply: Reply) -> list[Line]:
        if reply.kind == "undocumented" and reply.entry in self.kb.entries:
            # not published: say so and where to look (in the customer's language), and offer a person at once;
            # right after a manager's reply, that manager has it on the ticket
            text = self.kb.entries[reply.entry].said("answer", self.lang)
            if self._replied_waits():
                return [Line("answer", text), *self._also_lines(reply)] + self._answer_ticket(reply.question, passed=True)
            self.unanswered.append(reply.question)
            return [Line("answer", text), *self._also_lines(reply)] + offers.handoff(
                self, "undocumented.offer", reply.question, "unanswered_question")
        if (fixed := outcomes.fix_named(self, reply.question)) is not None:
            return fixed                    # "how do I top up then?" after an empty package: that code's fix
        self.fallbacks += 1
        self.failures = self.in_a_row = 0   # the struggle is now this question, not an older failure
        if reply.error:
            return [Line("warn", self.say("unreadable", error=reply.error))]
        if self.role == "manager":
            self.unanswered.append(reply.question)
            return [Line("warn", self.say("fallback.manager"))]
        if (looked_up := self._object_looked_up(reply.question)) is not None:
            self.fallbacks -= 1
            return self.run(*looked_up)
        waiting = handoff.waiting_ticket(self.ctx)
        text = reply.question
        if waiting and (waiting["id"] == self.replied or self.router.mask(text) == text and
                        self.router.form(text) != "command" and not slots.asks_something(self, text)):
            # "thanks, we'll send to mobile first" while a manager waits on the customer: the answer
            # (a request, a question, or a line naming a number or a code, is never taken for one,
            # unless the manager's reply was the last thing said: then only a clear request is not)
            self.fallbacks -= 1
            # a question it cannot answer right after the reply is passed on, and said so as such
            return self._answer_ticket(text, passed=waiting["id"] == self.replied and slots.asks_something(self, text))
        self.unanswered.append(reply.question)
        lines = [Line("warn", self.say("fallback"))]
        if self.fallbacks >= FALLBACKS_BEFORE_OFFER:
            lines += offers.handoff(self, "handoff.unanswered",
                                    " / ".join(self.unanswered[-3:]), "unanswered_question")
        return lines

    def _answer_ticket(self, text: str, passed: bool = False, said: str | None = None) -> list[Line]:
        """TEXT added to the ticket a manager waits on the customer for, as the customer's answer;
        PASSED: a question the assistant cannot answer, passed on to the manager who just replied;
        SAID: the message that says so, when another (a thanks passed on)."""
        waiting = handoff.waiting_ticket(self.ctx)
        if waiting is None:
            return [Line("warn", self.say("fallback"))]
        handoff.answer(self.ctx, waiting["id"], text)
        said = said or ("ticket.passed_on" if passed else "ticket.answer_added")
        return [Line("ok", self.say(said, ticket=waiting["id"], owner=waiting["owner"] or "support"))]

    def _replied_waits(self) -> bool:
        """Whether the manager's reply said just before this line (`replied`) still waits for the customer."""
        waiting = handoff.waiting_ticket(self.ctx) if self.replied and self.role == "customer" else None
        return bool(waiting and waiting["id"] == self.replied)

    def _object_looked_up(self, said: str, unnamed: str = "") -> tuple[str, dict[str, Any]] | None:
        """The status look-up for the one object of the account that SAID, unread by the router,
        names ("为啥如家酒店被驳回了" names the rejected signature 如家酒店: its status and the
        carrier's reason say why); None when it names none, or objects of both kinds. UNNAMED is a
        look-up already known to find nothing in SAID (not asked of the account again)."""
        found = [(name, named) for name in values.LOOKUPS
                 if name != unnamed and (named := values.named_for(self.ctx, name, said))]
        if not found and unnamed != "template.status" and \
                len(codes := templates.account_codes(self.ctx, extract(self.kb, "template_code", said))) == 1:
            found = [("template.status", {"code": codes[0]})]   # a code of the account written in the line
        return found[0] if len(found) == 1 else None

    def after_failure(self) -> list[Line]:
        """A failure the user could not fix (the second in a row) earns the handoff offer; failures with an
        answered question or a successful command between them (`succeeded`) are not "failing again"."""
        self.failures += 1
        self.in_a_row += 1
        self.unanswered = []                # the struggle is now this failure, not older questions
        if self.in_a_row < 2:
            return []
        return offers.handoff(self, "handoff.failing")

    def succeeded(self, request: bool = True) -> None:
        """Something went right: the failures before it are no longer in a row; a REQUEST carried out
        (not just a question answered or a command shown) also leaves no failed request for a ticket."""
        self.in_a_row = 0
        if request:
            self.failures = 0

    def _ask_after_giving_up(self) -> None:
        """A person asked for in the line right after a sign-off ("never mind, I'll try myself", then
        "I want a human"): the case is the problem given up on, the customer's line before the
        sign-off, so the asking line is no subject of the ticket (a turn marked `reply`, as a yes is)."""
        off = max((n for n, t in enumerate(self.turns) if t.get(SIGNED_OFF)), default=None)
        if off is None:
            return
        def said(turn: dict) -> bool:
            return turn["role"] == "user" and not turn.get("reply") and not commands.is_command(str(turn["text"]))
        after = [t for t in self.turns[off + 1:] if said(t)]
        if len(after) <= 1 and any(said(t) for t in self.turns[:off]):
            for turn in after:
                turn["reply"] = True

    # --- actions -----------------------------------------------------------------------------

    def start(self, name: str, args: dict[str, Any], said: str = "", confirmed: bool = False) -> list[Line]:
        """Begin action NAME with the values ARGS already known (CONFIRMED: yes to an offer)."""
        return slots.start(self, name, args, said, confirmed)

    def run(self, name: str, args: dict[str, Any]) -> list[Line]:
        """Do action NAME now, all its values known."""
        return outcomes.run(self, name, args)

    def handoff(self, reason: str | None = None, trigger: str | None = None, said: str | None = None) -> list[Line]:
        """Open a ticket with the conversation and the objects talked about attached; while the
        account has a ticket open, the request is added to that one instead (one case at a time).
        SAID: the line asking for a person, when it says more than that ("我要找人工，周五活动很急")."""
        if self.role == "manager":
            return [Line("warn", offers.MANAGER_HANDOFF)]
        self.last["person"] = "asked"      # the reports count this conversation as one a person was asked into
        if not reason and trigger in (None, "asked_for_person") and self.unanswered and not self.failures:
            # what the customer last struggled with: the questions left unanswered since, and the asking line's words
            reason, trigger = " / ".join([*self.unanswered[-3:], *([said] if said else [])]), "unanswered_question"
        elif not reason and trigger in (None, "asked_for_person") and said:
            reason = said
        if not reason and trigger in (None, "asked_for_person"):
            self._ask_after_giving_up()
        # the send this session made that failed is the one the person is asked about, whatever was said since
        # a send refused whole is the one, if it is the session's latest trouble (chat/outcomes.refused);
        # a session that made a send of its own never gets another attached by its time
        refused = self.last.get("refused_send")
        request = None if refused else self.last.get("request") if self.failures else self.last.get("failed_send")
        ticket = handoff.create(self.ctx, reason, template=self.last.get("template"), request_id=request,
                                conversation=self.turns, trigger=trigger, reuse=True, refused=refused,
                                by_time=not (refused or self.last.get("request")), lang=self.lang)
        self.fallbacks = self.failures = self.in_a_row = 0
        self.unanswered = []
        if ticket["reused"]:
            said = self.say("ticket.reused", id=ticket["id"], summary=handoff.summary_in(self.kb, ticket, self.lang))
            if ticket["added"]:
                said += self.say("ticket.added", reason=shorten(reason, 120)) if reason else \
                    self.say("ticket.added_conversation")
        else:
            said = self.say("ticket.created", id=ticket["id"], priority=self.say(f"ticket.priority.{ticket['priority']}"),
                            summary=handoff.summary_in(self.kb, ticket, self.lang))
        return [Line("ok", said), Line("muted", self.say("ticket.later"))]


_PICKABLE = 3   # digits of a bare number typed to pick a numbered choice (a longer one is a value: a number, a code)
SIGNED_OFF = "signed_off"   # the mark of a person's turn that dropped what was going on and left it there


class _Clauses:
    """A line cut after its first clause: (the clause, the mark that ends it, the rest)."""

    _MARK = re.compile(r"[,，。;；!！、]|\.(?=\s)")

    def partition(self, text: str) -> tuple[str, str, str]:
        found = self._MARK.search(text)
        return (text[:found.start()], found.group(0), text[found.end():]) if found else (text, "", "")


_CLAUSE = _Clauses()
_QUOTED = re.compile(r'"[^"]*"|“[^”]*”|「[^」]*」|『[^』]*』')


def _said_already(note: str, said: str) -> bool:
    """Whether a request's check already names NOTE's number ("12345: not a mobile number ..."
    beside the preview's own line for 12345). A note of another kind is always said."""
    number, sep, why = note.replace("：", ": ", 1).partition(": ")   # a note said in Chinese names it with "："
    return bool(sep) and (f"'{number}'" in said or why in said)


def _named_by(note: str) -> str:
    """What a note on a number names first: the number as written ("12345: not a mobile number ...",
    "12345：不是手机号码…", a note said in Chinese naming it with "：")."""
    return note.replace("：", ": ", 1).partition(": ")[0]


def _topic_again(kb: KnowledgeBase, text: str) -> bool:
    """Whether TEXT is short and opens or closes with a word of `routing.topic_again` ("那…呢", "what about …")."""
    words = fold(text.strip().rstrip("?？!！。.~～ ")).split()
    lead = kb.routing.topic_again
    if not words or len(words) > 12:
        return False
    return (words[-1] == "呢" and "呢" in lead) or any(words[:len(w.split())] == w.split() for w in lead if w != "呢")


def _digits_of(text: str) -> str:
    """The last 11 digits of TEXT (a number a note names), to compare however it was written."""
    return "".join(ch for ch in text if ch.isdigit())[-11:]
