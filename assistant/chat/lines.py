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
         "forget about it", "drop it", "取消", "算了", "不发了"}
# words around a "never mind" that change nothing: "oh, actually never mind", "ok just cancel please"
_AROUND_LEAVING = {"actually", "oh", "ok", "okay", "no", "please", "just", "um", "hmm", "wait", "sorry", "then", "now",
                   "thanks", "that", "this", "it", "lets"}


@functools.cache
def _leave_phrases() -> frozenset[str]:
    from ..text import fold

    return frozenset(fold(p) for p in LEAVE)


def leaves(folded: str) -> bool:
    """Whether FOLDED (a `fold`ed line) only says to drop the request ("actually, never mind")."""
    phrases = _leave_phrases()
    if folded in phrases:
        return True
    words = folded.split()
    while words and words[0] in _AROUND_LEAVING:
        words.pop(0)
    while words:
        if " ".join(words) in phrases:
            return True
        if words[-1] not in _AROUND_LEAVING:
            return False
        words.pop()
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
