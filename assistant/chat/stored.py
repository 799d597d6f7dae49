"""Conversations kept in the database between turns: the service's, and the web chat's with its transcript.

A stored conversation belongs to one account and one service token, and one nobody spoke in for
`conversations.idle_expiry_minutes` (rules.yaml) is as good as gone. Its state carries a version:
a save names the version it loaded, so a turn another window took meanwhile is refused rather than
lost. A web chat's state also keeps the lines it showed (`shown`), so a reload reads as it was, and
counts its turns (`step`), so a line from a tab that showed an older step is refused. The account a
staff member's conversation acts for (`/account NAME`) is part of its state too.
The service's routers (server/routers/conversations.py) and the web chat's pages call these; each
function that changes something is one transaction of its own, or runs inside the caller's. A turn
(`turn`) is one: it loads the state, lets the conversation answer (running any action it confirms)
and saves the state, so an action is never committed without the state that records it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from ..errors import Conflict, NotFound
from ..gaps import source_of
from ..messages import say
from ..roles import allowed

if TYPE_CHECKING:
    from ..context import Context
    from ..conversation import Conversation
    from ..router import Router
    from .lines import Line

T = TypeVar("T")


class Holder(NamedTuple):
    """Whose stored conversations: the request's CTX (store, account, clock), the ROUTER a loaded one
    answers with (asked for when it is loaded), the ROLE it speaks as, the service TOKEN it belongs to,
    and the ACCOUNT they were started on (default CTX's: a load may switch CTX to the one a staff
    member's conversation acts for, and a turn run again must find it by the first)."""

    ctx: Context
    router: Callable[[], Router]
    role: str
    token: int
    account: str | None = None


def idle_since(ctx: Context) -> str:
    """The time before which a conversation left alone has expired (CTX's clock)."""
    minutes = ctx.rules.conversations["idle_expiry_minutes"]
    return (ctx.clock.now() - dt.timedelta(minutes=minutes)).isoformat(sep=" ", timespec="seconds")


class MovedOn(Conflict):
    """The conversation moved on in another window since the line's window showed it (409)."""


class Stored(NamedTuple):
    """A conversation as stored: the conversation, its version (for the save), the lines a web chat
    showed of it (None for another shell) and its step (the turns taken)."""

    conv: Conversation
    version: int
    shown: list[dict] | None
    step: int


def load(holder: Holder, conv_id: str) -> Stored:
    """The stored conversation started on the holder's account, acting for the account it acts for:
    that one, or for a staff member the one a `/account` in it chose (the conversation's state, not
    the request's: the holder's context is switched to it)."""
    from ..conversation import Conversation

    ctx = holder.ctx
    row = ctx.store.row("SELECT state, version FROM conversations WHERE id = ? AND account = ? AND token = ? "
                        "AND updated_at >= ?", (conv_id, holder.account or ctx.account, holder.token, idle_since(ctx)))
    if row is None:
        raise NotFound(f"no conversation {conv_id}; start one with POST /v1/conversations")
    data = json.loads(row["state"])
    if (account := acting_for(data)) and allowed(holder.role, "account.switch"):
        ctx.account = account
    conv = Conversation.load(ctx, holder.router(), data, holder.role, files="upload")
    conv.whole_turns = True
    conv.source = source_of("conversation", conv_id)
    shown, step = data.get("shown"), data.get("step")
    return Stored(conv, row["version"], list(shown) if isinstance(shown, list) else ([] if conv.shell == "web" else None),
                  step if isinstance(step, int) else 0)


def acting_for(state: dict) -> str | None:
    """The account a stored conversation's STATE acts for (the one it was started on, or a staff member's
    `/account` in it); None for a state that names none."""
    account = state.get("account")
    return account if isinstance(account, str) and account else None


def state(conv: Conversation, shown: list[dict] | None, step: int = 0) -> str:
    """CONV's state as stored: the account it acts for, its STEP, and the last of the lines a web chat
    SHOWED (`conversations.shown_lines`)."""
    dumped = {**conv.dump(), "account": conv.ctx.account, "step": step}
    if shown is not None:
        dumped["shown"] = shown[-conv.ctx.rules.conversations["shown_lines"]:]
    return json.dumps(dumped, ensure_ascii=False)


def moved_on(conv: Conversation) -> MovedOn:
    """The refusal of a line from a window the conversation moved on from, in its language."""
    return MovedOn(say(conv.kb, "conversation.moved_on", conv.lang))


def shown_lines(ctx: Context, heard: str | None, lines: Sequence[Line]) -> list[dict]:
    """A turn as a web chat shows it: the customer's line HEARD (none for a welcome), then every line
    said in reply, muted ones too (the welcome's, "Related: ..."), so a reload reads as it was."""
    at = ctx.now()
    said = [{"from": "customer", "text": heard, "at": at}] if heard else []
    return said + [{"from": "assistant", "kind": line.kind, "text": line.text, "at": at,
                    **({"entry": line.entry} if line.entry else {})} for line in lines]


def save(ctx: Context, conv_id: str, stored: Stored, shown: list[dict] | None = None, step: int | None = None) -> None:
    """Store the new state of STORED (inside the turn's transaction) with its SHOWN lines and STEP
    (default: the stored one), unless another window moved it meanwhile."""
    changed = ctx.store.execute(
        "UPDATE conversations SET state = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
        (state(stored.conv, shown, stored.step if step is None else step), stored.version + 1, ctx.now(), conv_id,
         stored.version))
    if not changed:
        raise moved_on(stored.conv)


def turn(holder: Holder, conv_id: str, act: Callable[[Conversation], list[Line]],
         view: Callable[[Conversation, list[Line], int], T], heard: str | None = None, seen: int | None = None) -> T:
    """ACT on the stored conversation CONV_ID and store what it leaves, in one transaction (run again whole
    after a conflict): the action a turn confirms and the state that says it was done commit together.
    HEARD: the customer's line as a web chat shows it, kept with the reply in the chat's transcript.
    SEEN: the step the line's window showed; a conversation moved on since refuses it (MovedOn).
    VIEW(conversation, the lines ACT said, the step the turn leaves): what the caller shows of the turn,
    taken inside the transaction.
    The turn answers the conversation as it was when the request came: its version is read first, before
    the transaction waits for another turn of the account's, and a conversation another turn moved on
    meanwhile refuses the line (MovedOn), so two windows' "yes" to one question are one yes and one 409,
    never a yes and a "nothing is waiting for a yes" said to a question that window showed."""
    came = version(holder, conv_id)

    def work() -> T:
        stored = load(holder, conv_id)
        if (seen is not None and seen != stored.step) or (came is not None and came != stored.version):
            raise moved_on(stored.conv)
        lines = act(stored.conv)
        shown = stored.shown
        if shown is not None:
            shown = shown + shown_lines(holder.ctx, heard, lines)
        save(holder.ctx, conv_id, stored, shown, stored.step + 1)
        return view(stored.conv, lines, stored.step + 1)
    return holder.ctx.store.atomically(work, key=holder.ctx.account)


def version(holder: Holder, conv_id: str) -> int | None:
    """The stored version of conversation CONV_ID as a request finds it on arrival (outside any
    transaction); None when there is none (the turn's own load then says so)."""
    ctx = holder.ctx
    row = ctx.store.row("SELECT version FROM conversations WHERE id = ? AND account = ? AND token = ?",
                        (conv_id, holder.account or ctx.account, holder.token))
    return row["version"] if row else None


def keep_refused(holder: Holder, conv_id: str, heard: str | None, lines: list[Line],
                 view: Callable[[Conversation, list[Line], int], T]) -> T | None:
    """A web chat's line HEARD that was refused whole (nothing else changed) and the refusal LINES, added to
    its transcript on their own, so a reload still shows them, in one transaction; VIEW (as `turn`'s) of
    the conversation as it is then, at its step (None: not a web chat's)."""
    def work() -> T | None:
        stored = load(holder, conv_id)
        if stored.shown is None:
            return None
        save(holder.ctx, conv_id, stored, stored.shown + shown_lines(holder.ctx, heard, lines))
        return view(stored.conv, lines, stored.step)
    return holder.ctx.store.atomically(work, key=holder.ctx.account)


def judge(holder: Holder, conv_id: str | None, question: str, answer: str, verdict: str) -> str | None:
    """A web chat's "did this answer your question?" for ANSWER (to QUESTION): recorded for the
    reports and marked on the answer in the chat's transcript (CONV_ID's), so a reload shows it as
    given, in one transaction. One verdict an answer: when the transcript's answer was judged
    already, nothing is recorded and that verdict is returned; None when this one was recorded
    (an answer the transcript does not show, or no conversation, is recorded as it comes)."""
    ctx = holder.ctx
    account = holder.account or ctx.account   # the verdict's: the request's, whatever the conversation acts for

    def work() -> str | None:
        found = None
        if conv_id:
            try:
                found = load(holder, conv_id)
            except NotFound:   # gone meanwhile: the verdict still counts
                found = None
        line = None
        if found is not None and found.shown:
            line = next((shown for shown in reversed(found.shown) if shown.get("from") == "assistant"
                         and shown.get("entry") and str(shown.get("text", "")).strip() == answer.strip()), None)
        if line is not None and line.get("feedback"):
            return str(line["feedback"])
        ctx.store.insert("answer_feedback", {"at": ctx.now(), "account": account, "question": question.strip(),
                                             "answer": answer.strip(), "verdict": verdict})
        if line is not None and found is not None:
            line["feedback"] = verdict
            save(ctx, conv_id or "", found, found.shown)
        return None
    return ctx.store.atomically(work, key=account)
