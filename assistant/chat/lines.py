"""What the conversation says and what it waits for: plain data the shell renders."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Line:
    """One piece of output. KIND picks the colour: answer, info, ok, warn, error, choice, muted, prompt.
    ENTRY: the knowledge-base entry an FAQ answer is (a web chat asks "did this answer your question?"
    after those only, never after a command's or an action's output)."""

    kind: str
    text: str
    entry: str | None = None


@dataclass
class Waiting:
    """What the conversation waits for: the prompt to show and the values to complete.

    KIND "file": the file itself is wanted (a conversation whose files are uploads): SLOT names it,
    ACCEPT lists the usual file names (".png", ...; the bytes decide), MULTIPLE says whether several
    may come at once, REQUIRED whether an empty line may skip it. PATHS is true when a typed path is
    the value (the embedded REPL's file prompts): the shell completes paths.
    """

    prompt: str
    choices: list[str] = field(default_factory=list)
    kind: str = "slot"  # slot | file | confirm | offer | pick
    paths: bool = False
    slot: str | None = None
    accept: list[str] = field(default_factory=list)
    multiple: bool = False
    required: bool = True


# yes and no are read by assistant.choices.yes_or_no
LEAVE = {"cancel", "stop", "quit", "abort", "exit", "never mind", "nevermind", "forget it", "start over",
         "forget about it", "drop it", "don't send", "dont send", "do not send", "don't do it", "not now",
         "no thanks", "not anymore", "skip it", "changed my mind", "i changed my mind",
         "取消", "算了", "不发了", "不发", "先不发了", "别发了", "别发", "先别发", "不要了", "不用了", "先不了", "下次吧",
         "不弄了", "不搞了"}
# words around a "never mind" that change nothing: "oh, actually never mind", "ok just cancel please"
_AROUND_LEAVING = {"actually", "oh", "ok", "okay", "no", "please", "just", "um", "hmm", "wait", "sorry", "then", "now",
                   "thanks", "that", "this", "it", "lets", "i", "we", "maybe", "later",
                   "还是", "先", "吧", "了", "啊", "呀", "哦", "嗯", "那", "就"}


@functools.cache
def _leave_phrases() -> frozenset[tuple[str, ...]]:
    from ..text import fold

    return frozenset(tuple(fold(p).split()) for p in LEAVE)


def leaves(folded: str) -> bool:
    """Whether FOLDED (a `fold`ed line) only says to drop the request: one or more of `LEAVE`'s
    phrases with nothing else but the words around them ("actually, never mind", "forget it,
    don't send", "算了，不发了"). A line saying anything more ("cancel my signature") is no leaving."""
    return _only_leaving(tuple(folded.split()), False)


@functools.lru_cache(maxsize=256)
def _only_leaving(words: tuple[str, ...], said: bool) -> bool:
    """Whether WORDS are nothing but leaving phrases and the words around them (at least one phrase,
    or SAID). A walk over (position, phrase said yet) that never recurses: a line of 600 particles
    ("吧吧吧...") is read in one pass, not one call per word."""
    phrases = _leave_phrases()
    longest = max(len(p) for p in phrases)
    seen = {(0, said)}
    todo = [(0, said)]
    while todo:
        at, done = todo.pop()
        if at == len(words):
            if done:
                return True
            continue
        steps = [(at + 1, done)] if words[at] in _AROUND_LEAVING else []
        steps += [(at + n, True) for n in range(1, min(longest, len(words) - at) + 1) if words[at:at + n] in phrases]
        for step in steps:
            if step not in seen:
                seen.add(step)
                todo.append(step)
    return False


@dataclass
class Pick:
    """One numbered choice: what it says, and what choosing it does."""

    label: str
    run: Callable[[], list[Line]]
    key: str | None = None      # the router's intent, for a "did you mean" suggestion
    deed: dict | None = None    # RUN as plain data (see Conversation.deed), so the choice survives dump/load


def yes_or_no_again(question: str, please: str = "Please answer yes or no.") -> list[Line]:
    """An answer that was neither surely yes nor surely no: QUESTION is asked again (after PLEASE,
    the conversation's "please answer yes or no"), never taken as no."""
    return [Line("info", please), Line("choice", question)]
