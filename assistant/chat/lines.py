"""What the conversation says and what it waits for: plain data the shell renders."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..text import fold


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


# yes and no are read by assistant.choices.yes_or_no; what drops a request is messages.yaml's
# `leaving` (the knowledge base's `leaving`: the `leave` phrases and the words `around` them)
Leaving = Mapping[str, Sequence[str]]


@functools.cache
def _shipped() -> Leaving:
    from ..knowledge import load

    return load().leaving


_tables: dict[int, tuple[Leaving, frozenset[tuple[str, ...]], frozenset[str]]] = {}


def _words(leaving: Leaving | None) -> tuple[frozenset[tuple[str, ...]], frozenset[str]]:
    """LEAVING (a knowledge base's `leaving`; None: the shipped knowledge base's) as the phrases,
    each a tuple of its folded words, and the words around them. Built once per table."""
    leaving = leaving or _shipped()
    cached = _tables.get(id(leaving))
    if cached is None or cached[0] is not leaving:
        cached = _tables[id(leaving)] = (leaving, frozenset(tuple(p.split()) for p in leaving.get("leave", ())),
                                         frozenset(leaving.get("around", ())))
    return cached[1], cached[2]


def leaves(folded: str, leaving: Leaving | None = None) -> bool:
    """Whether FOLDED (a `fold`ed line) only says to drop the request: one or more of the `leave`
    phrases of LEAVING (the knowledge base's `leaving`) with nothing else but the words `around`
    them ("actually, never mind", "forget it, don't send", "算了，不发了"). A line saying anything
    more ("cancel my signature") is no leaving."""
    phrases, around = _words(leaving)
    return _only_leaving(tuple(folded.split()), False, phrases, around)


@functools.lru_cache(maxsize=256)
def _only_leaving(words: tuple[str, ...], said: bool, phrases: frozenset[tuple[str, ...]], around: frozenset[str]) -> bool:
    """Whether WORDS are nothing but PHRASES and the words AROUND them (at least one phrase, or
    SAID). A walk over (position, phrase said yet) that never recurses: a line of 600 particles
    ("吧吧吧...") is read in one pass, not one call per word."""
    longest = max((len(p) for p in phrases), default=0)
    seen = {(0, said)}
    todo = [(0, said)]
    while todo:
        at, done = todo.pop()
        if at == len(words):
            if done:
                return True
            continue
        steps = [(at + 1, done)] if words[at] in around else []
        steps += [(at + n, True) for n in range(1, min(longest, len(words) - at) + 1) if words[at:at + n] in phrases]
        for step in steps:
            if step not in seen:
                seen.add(step)
                todo.append(step)
    return False


_MARKS = r"[\s,，.。!！:：;；、…~\-—]*"   # what may stand between the words of a phrase typed, and after it


@functools.lru_cache(maxsize=64)
def _opener(phrase: str) -> re.Pattern[str]:
    """A folded PHRASE at the start of a line as typed, with any marks or spaces between its words and after it
    ("wait no" opens "Wait, no, show my balance"; "不 对" opens "不对，我想…"); a Latin phrase ends at a mark,
    a space or the line's end ("no" never opens "no/such.png")."""
    words = [re.escape(w) for w in phrase.split()]
    end = r"(?![^\s,，.。!！:：;；、…~\-—])" if phrase[-1:].isascii() else ""   # "no" never opens "no/such.png"
    return re.compile(r"\s*" + _MARKS.join(words) + end + _MARKS, re.IGNORECASE)


def after_correction(text: str, leaving: Leaving | None = None, kind: str = "correct") -> str | None:
    """The words of TEXT after the change of mind it opens with (the `correct` phrases of LEAVING, one or
    more: "不对，我想先看下余额" -> "我想先看下余额", "wait, no, show my balance" -> "show my balance"); None when
    it opens with none. KIND: another kind of LEAVING's phrases (`resume`: "回去继续建模板" -> "建模板")."""
    phrases = sorted((leaving or _shipped()).get(kind, ()), key=len, reverse=True)
    rest, found = text, False
    while rest:
        match = next((m for p in phrases if (m := _opener(p).match(rest))), None)
        if match is None:
            break
        rest, found = rest[match.end():], True
    return rest.strip() if found else None


_PART_END = re.compile(r"[,，、.。!！?？;；]+\s*")   # what ends a line's first sentence or clause


def after_leaving(text: str, leaving: Leaving | None = None) -> str | None:
    """The words of TEXT after the drop its first sentence or clause is (only `leave` phrases of LEAVING and
    the words `around` them): "no, never mind. what's the per-number limit?" -> "what's the per-number limit?",
    "no thanks, but what is a signature?" -> "but what is a signature?", "算了，签名审核要多久？" -> "签名审核要多久？".
    At a yes/no question that line is a no, and the rest is the person's next line. None when TEXT opens with no
    drop ("no, send it to 13800138021 instead", "wait, no, show my balance": a bare no or a change of mind is
    none), or nothing follows it."""
    found = None
    for mark in _PART_END.finditer(text):
        rest = text[mark.end():].strip()
        if rest and leaves(fold(text[:mark.start()]), leaving):
            found = rest                # the longest drop: "no, never mind" rather than nothing at "no"
    return found


_MARKED = re.compile(r"[,，.。!！:：;；、…~\-—]")


def lead_in(text: str, phrases: Sequence[str], at_mark: bool = False) -> tuple[str, list[str], bool]:
    """TEXT without the PHRASES (folded) it opens with, as typed ("ok then AcmeShop" -> "AcmeShop"), the
    phrases taken, and whether a mark followed the last of them ("好吧，…"). AT_MARK: stop at the first
    mark ("好的，行云科技" keeps 行云科技 whole, though 行 is a yes)."""
    ordered = sorted(phrases, key=len, reverse=True)
    rest, taken, marked = text, [], False
    while rest and not (at_mark and marked):
        found = next(((p, m) for p in ordered if (m := _opener(p).match(rest)) and m.end()), None)
        if found is None:
            break
        phrase, match = found
        taken.append(phrase)
        marked = bool(_MARKED.search(match.group(0)))
        rest = rest[match.end():]
    return rest.strip(), taken, marked


def says(folded: str, leaving: Leaving | None = None, kind: str = "later") -> bool:
    """Whether FOLDED (a `fold`ed line) says one of LEAVING's KIND phrases anywhere in it, as whole words
    ("no i will call you back" says "call you back"; a Chinese line, folded a character a word, "回头再"):
    `later`, what puts a request off."""
    words = folded.split()
    for phrase in (leaving or _shipped()).get(kind, ()):
        wanted = phrase.split()
        if any(words[at:at + len(wanted)] == wanted for at in range(len(words) - len(wanted) + 1)):
            return True
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
