"""Conversations kept in the database between turns: the service's, and the web chat's with its transcript.

A stored conversation belongs to one account and one service token, and one nobody spoke in for
`conversations.idle_expiry_minutes` (rules.yaml) is as good as gone. Its state carries a version:
a save names the version it loaded, so a turn another window took meanwhile is refused rather than
lost. A web chat's state also keeps the lines it showed (`shown`), so a reload reads as it was.
The service's routers (server/routers/conversations.py) and the web chat's pages call these; each
function that changes something is one transaction of its own, or runs inside the caller's.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from ..errors import NotFound, UserError
from ..gaps import source_of

if TYPE_CHECKING:
    from ..context import Context
    from ..conversation import Conversation
    from ..router import Router
    from .lines import Line


class Holder(NamedTuple):
    """Whose stored conversations: the request's CTX (store, account, clock), the ROUTER a loaded one
    answers with (asked for when it is loaded), the ROLE it speaks as, and the service TOKEN it belongs to."""

    ctx: Context
    router: Callable[[], Router]
    role: str
    token: int


def idle_since(ctx: Context) -> str:
    """The time before which a conversation left alone has expired (CTX's clock)."""
    minutes = ctx.rules.conversations["idle_expiry_minutes"]
    return (ctx.clock.now() - dt.timedelta(minutes=minutes)).isoformat(sep=" ", timespec="seconds")


def load(holder: Holder, conv_id: str) -> tuple[Conversation, int, list[dict] | None]:
    """The stored conversation, its version, and the lines a web chat showed of it (None for another shell)."""
    from ..conversation import Conversation

    ctx = holder.ctx
    row = ctx.store.row("SELECT state, version FROM conversations WHERE id = ? AND account = ? AND token = ? "
                        "AND updated_at >= ?", (conv_id, ctx.account, holder.token, idle_since(ctx)))
    if row is None:
        raise NotFound(f"no conversation {conv_id}; start one with POST /v1/conversations")
    data = json.loads(row["state"])
    conv = Conversation.load(ctx, holder.router(), data, holder.role, files="upload")
    conv.whole_turns = True
    conv.source = source_of("conversation", conv_id)
    shown = data.get("shown")
    return conv, row["version"], list(shown) if isinstance(shown, list) else ([] if conv.shell == "web" else None)


def state(conv: Conversation, shown: list[dict] | None) -> str:
    """CONV's state as stored, with the last of the lines a web chat SHOWED (`conversations.shown_lines`)."""
    dumped = conv.dump()
    if shown is not None:
        dumped["shown"] = shown[-conv.ctx.rules.conversations["shown_lines"]:]
    return json.dumps(dumped, ensure_ascii=False)


def shown_lines(ctx: Context, heard: str | None, lines: Sequence[Line]) -> list[dict]:
    """A turn as a web chat shows it: the customer's line HEARD (none for a welcome), then every line
    said in reply, muted ones too (the welcome's, "Related: ..."), so a reload reads as it was."""
    at = ctx.now()
    said = [{"from": "customer", "text": heard, "at": at}] if heard else []
    return said + [{"from": "assistant", "kind": line.kind, "text": line.text, "at": at,
                    **({"entry": line.entry} if line.entry else {})} for line in lines]


def save(ctx: Context, conv_id: str, conv: Conversation, version: int, shown: list[dict] | None = None) -> None:
    """Store the new state (inside the turn's transaction), unless another window moved it meanwhile."""
    changed = ctx.store.execute(
        "UPDATE conversations SET state = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
        (state(conv, shown), version + 1, ctx.now(), conv_id, version))
    if not changed:
        raise UserError("this conversation moved on in another window meanwhile; send the message again")


def judge(holder: Holder, conv_id: str | None, question: str, answer: str, verdict: str) -> str | None:
    """A web chat's "did this answer your question?" for ANSWER (to QUESTION): recorded for the
    reports and marked on the answer in the chat's transcript (CONV_ID's), so a reload shows it as
    given, in one transaction. One verdict an answer: when the transcript's answer was judged
    already, nothing is recorded and that verdict is returned; None when this one was recorded
    (an answer the transcript does not show, or no conversation, is recorded as it comes)."""
    ctx = holder.ctx

    def work() -> str | None:
        found = None
        if conv_id:
            try:
                found = load(holder, conv_id)
            except NotFound:   # gone meanwhile: the verdict still counts
                found = None
        line = None
        if found is not None and found[2]:
            line = next((shown for shown in reversed(found[2]) if shown.get("from") == "assistant"
                         and shown.get("entry") and str(shown.get("text", "")).strip() == answer.strip()), None)
        if line is not None and line.get("feedback"):
            return str(line["feedback"])
        ctx.store.insert("answer_feedback", {"at": ctx.now(), "account": ctx.account, "question": question.strip(),
                                             "answer": answer.strip(), "verdict": verdict})
        if line is not None and found is not None:
            line["feedback"] = verdict
            save(ctx, conv_id or "", found[0], found[1], found[2])
        return None
    return ctx.store.atomically(work, key=ctx.account)
