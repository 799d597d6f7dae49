"""Conversations: the REPL's conversation over HTTP, for web chats and the remote REPL.

Each message is one transaction: it loads the state, lets the conversation answer (running any
action it confirms) and stores the new state, only if nobody else moved it meanwhile (a version
number): two tabs answering at once get a clear refusal instead of a lost turn, and an action is
never committed without the state that records it, so a failed save and a repeated "yes" cannot
repeat it. A conflict on a database server runs the whole turn again from the stored state. No
database lock is held while the client is heard or answered. Each turn also counts a step: a web
chat's line says the step its page last showed, and is refused when the conversation has moved on
since, in another tab, so a stale tab never answers a question it did not show ("否" to a media
prompt taken as "no" to a go-ahead).

The account a staff member's conversation acts for is part of its state: `/account NAME` holds
for the next turns, whatever account the requests name (a customer's token is bound to its own).

Each token may start `conversations.per_token_per_minute` conversations a minute (rules.yaml; more
is a 429 with Retry-After), and a conversation nobody spoke in for `idle_expiry_minutes` is deleted
(its id then answers 404), checked as conversations are started and opened.

Files reach a conversation only as uploads (`POST .../files`, when `waiting.kind` is "file"): the
conversation is made with the "upload" file source, so a path typed at a file prompt is never opened.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Literal

from fastapi import APIRouter, Depends, File, UploadFile
from pydantic import Field

from ... import render
from ...chat import stored as kept
from ...clock import FixedClock
from ...conversation import Conversation, Upload
from ...errors import Conflict, Forbidden, UserError
from ...gaps import source_of
from ...media import MAX_BYTES
from ...ops import LocalOps
from ...roles import allowed
from ..deps import operations
from ..limits import upload_bytes
from ..strict import Body, StrictRoute

router = APIRouter(tags=["conversations"], route_class=StrictRoute)


Lang = Literal["auto", "en", "zh"]


class Message(Body):
    text: str = Field(max_length=4000)
    lang: Lang | None = Field(None, description="answer in this language from now on (auto: each line's own); "
                                                "none: as the conversation was started")


def _view(conv_id: str, conv: Conversation, lines) -> dict:
    try:
        toolbar = conv.toolbar()
    except UserError:
        toolbar = f" {conv.ctx.account}"
    # a line holding a table has its parts too (`render.table_parts`, in a turn of the REPL's endpoints): the
    # remote REPL lays the table out at its own terminal's width
    shown = [{"kind": line.kind, "text": line.text, **({"entry": line.entry} if line.entry else {}),
              **({"parts": found} if (found := render.table_parts(line.text)) else {})} for line in lines]
    return {"id": conv_id, "lines": shown, "waiting": _waiting(conv_id, conv), "done": conv.done,
            "account": conv.ctx.account, "toolbar": toolbar}


def _waiting(conv_id: str, conv: Conversation) -> dict | None:
    """What the conversation waits for: {prompt, choices, kind, slot}, and for a file (kind "file")
    also accept, multiple, required, max_bytes and upload (the endpoint the file goes to)."""
    waiting = conv.waiting
    if waiting is None:
        return None
    shown = {"prompt": waiting.prompt, "choices": waiting.choices, "kind": waiting.kind, "slot": waiting.slot}
    if waiting.kind == "file":
        shown.update(accept=waiting.accept, multiple=waiting.multiple, required=waiting.required,
                     max_bytes=upload_bytes(conv.kb.rules.template), upload=f"/v1/conversations/{conv_id}/files")
    return shown


def holder(ops: LocalOps) -> kept.Holder:
    """The caller's stored conversations: their context, router and role, their token's, and the
    account the request names (the one they were started on)."""
    return kept.Holder(ops.ctx, ops._router, ops.role, ops.caller.principal.token_id,  # type: ignore[attr-defined]
                       ops.caller.account)  # type: ignore[attr-defined]


def viewer(conv_id: str, steps: bool = False) -> Callable[[Conversation, list, int], dict]:
    """What a turn of CONV_ID shows (`stored.turn`'s view): the lines said and what the conversation waits
    for; STEPS: the step the turn leaves too (`step`), for the web chat to send with its next line."""
    return lambda conv, lines, step: {**_view(conv_id, conv, lines), **({"step": step} if steps else {})}


def judge(ops: LocalOps, conv_id: str | None, question: str, answer: str, verdict: str) -> str | None:
    """A web chat's verdict on an answer, recorded and marked in its transcript (`stored.judge`)."""
    return kept.judge(holder(ops), conv_id, question, answer, verdict)


@router.post("/conversations", summary="Start a conversation: its id, the welcome lines, what it waits for")
def start(lines: Literal["welcome", "news"] = "welcome", lang: Lang = "auto",
          ops: LocalOps = Depends(operations("repl", "conversations"))) -> dict:
    """LINES: the welcome banner (an interactive shell), or only the news a script is shown. LANG: the
    language of answers and of the conversation's own sentences (auto: each line's own)."""
    with render.tables_kept():
        return begin(lines, lang, ops)


def begin(lines: str, lang: str, ops: LocalOps, first: str | None = None, keys: bool = True,
          shell: str = "terminal") -> dict:
    """A new conversation stored, and its first view; FIRST: the language its welcome is said in
    when LANG is auto (the web chat's: the page's language); KEYS: the welcome names the terminal's
    keys (an interactive shell's; not the web chat's); SHELL: where it is held ("web": the web chat,
    whose hints are the chat's, never a command line's)."""
    ctx = ops.ctx
    conv = Conversation(ctx, ops._router(), ops.role, files="upload", lang=lang, first=first,  # never a client's path
                        shell=shell)
    conv_id = secrets.token_urlsafe(12)
    conv.source = source_of("conversation", conv_id)
    said = conv.welcome(keys) if lines == "welcome" else conv.news()
    expired = kept.idle_since(ctx)

    def create() -> None:
        # the idle ones: everyone's at the real time; only the token's own at a simulated one
        everyone = not isinstance(ctx.clock, FixedClock)
        ctx.store.execute("DELETE FROM conversations WHERE updated_at < ? AND (? = 1 OR token = ?)",
                          (expired, everyone, ops.caller.principal.token_id))  # type: ignore[attr-defined]
        ctx.store.insert("conversations", {
            "id": conv_id, "account": ctx.account, "token": ops.caller.principal.token_id,  # type: ignore[attr-defined]
            "state": kept.state(conv, kept.shown_lines(ctx, None, said) if shell == "web" else None), "version": 1,
            "created_at": ctx.now(), "updated_at": ctx.now()})
    ctx.store.atomically(create, key=ctx.account)
    view = _view(conv_id, conv, said)
    view["completions"] = conv.completions()
    return view


@router.post("/conversations/{conv_id}/messages", summary="Say one line: the lines in reply, what it waits for")
def message(conv_id: str, body: Message, ops: LocalOps = Depends(operations("repl", "asks"))) -> dict:
    with render.tables_kept():
        return say(conv_id, body, ops)


def say(conv_id: str, body: Message, ops: LocalOps, prompts: bool = False, seen: int | None = None) -> dict:
    """One line said to the stored conversation; PROMPTS: the question of a value it then waits for
    is said as a line too (and kept as a turn), for a shell with a transcript (the web chat), whose
    line is refused when the conversation moved on from the step its page showed (SEEN), and whose
    view says the step it leaves."""
    bound = not allowed(ops.role, "account.switch") and body.text.strip().lower().startswith("/account ")

    def said(conv: Conversation) -> list:
        # refused in the conversation's language, so its state is read first (nothing is changed)
        if bound:   # the REPL's /account switches accounts; a customer's token is bound to one
            raise Forbidden(conv.say("conversation.account_bound", account=ops.ctx.account))
        if conv.done:
            raise Conflict(conv.say("conversation.ended"))
        if body.lang:
            conv.lang_setting = body.lang
        lines = conv.handle(body.text)
        return lines + conv.asked(lines) if prompts else lines
    return kept.turn(holder(ops), conv_id, said, viewer(conv_id, steps=prompts), body.text.strip(), seen)


@router.post("/conversations/{conv_id}/cancel", summary="Drop whatever was being filled in (Ctrl-C)")
def cancel(conv_id: str, ops: LocalOps = Depends(operations("repl"))) -> dict:
    with render.tables_kept():
        return kept.turn(holder(ops), conv_id, lambda conv: conv.cancel(), viewer(conv_id))


@router.post("/conversations/{conv_id}/files",
             summary="Send the file the conversation waits for (multipart: file...): the lines in reply, what it waits for")
def attach(conv_id: str, file: list[UploadFile] = File(description="the file (several for media frames; one letter)"),
           ops: LocalOps = Depends(operations("repl", "asks"))) -> dict:
    """Only while `waiting.kind` is "file" (else 409). The files are judged by their bytes: not a
    kind the prompt takes is 415, over the template's size 413, an illegible letter 400; a refused
    upload changes nothing. The service never opens a path: a path typed as a message at a file
    prompt is answered the same whatever it names."""
    uploads = [Upload(f.filename or "", f.file.read(MAX_BYTES + 1)) for f in file]
    with render.tables_kept():
        return kept.turn(holder(ops), conv_id, lambda conv: conv.attach(uploads), viewer(conv_id))
