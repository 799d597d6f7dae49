"""One normaliser for enumerated values (industries, sources) and for yes/no answers: every
spelling a person types reaches the same choice.

"e-commerce", "E-Commerce", "e commerce" and "e_commerce" are one industry; "live-streaming",
"live streaming" and "live_streaming" another. Used by the actions (so the CLI's `--industry`
and `--source` agree with the conversation), and by the conversation's value prompts.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping

from .text import fold

_SEPARATORS = re.compile(r"[\s\-_‐-―.·]+")


def key(value: str) -> str:
    """The comparison form of VALUE: NFKC, case-folded, without hyphens, underscores or spaces
    ("trade mark" is "trademark", "livestreaming" is "live streaming")."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value)).casefold())


def pick(value: str, choices: Iterable[str] | Mapping[str, Iterable[str]]) -> str | None:
    """The choice VALUE names, or None. CHOICES is a list of values, or a mapping from each value
    to the other words that name it (a source and its synonyms) or to its settings (rules.yaml)."""
    wanted = key(value)
    if not wanted:
        return None
    named = choices.items() if isinstance(choices, Mapping) else ((c, ()) for c in choices)
    for choice, words in named:
        others = words if isinstance(words, (list, tuple, set, frozenset)) else ()  # a rules dict maps to settings
        if wanted in {key(w) for w in (choice, *others)}:
            return choice
    return None


# --- yes or no ------------------------------------------------------------------------------------
# What people type at a "[y/N]" question is data: messages.yaml `answers` (yes, no, unsure, polite),
# the knowledge base's `answers`. Each phrase is read whole ("not now" is a no, "do it" a yes);
# politeness around an answer changes nothing ("yes please", "no thanks", "ok then", "好吧").
Answers = Mapping[str, Iterable[str]]
_STRETCHED = re.compile(r"(.)\1+")   # "yesss", "nooo", "okkk"


_tables: dict[int, tuple[Answers, dict[str, str], int]] = {}


@functools.cache
def _shipped() -> Answers:
    from .knowledge import load

    return load().answers


def _phrases(answers: Answers | None) -> tuple[dict[str, str], int]:
    """ANSWERS (a knowledge base's `answers`; None: the shipped knowledge base's) as one table of
    folded phrase -> kind, and the most words a phrase has. Built once per table."""
    answers = answers or _shipped()
    cached = _tables.get(id(answers))
    if cached is None or cached[0] is not answers:
        # folded as every other comparison is (contractions: "don't" is "do not")
        table = {fold(p): kind for kind, phrases in answers.items() for p in phrases}
        cached = _tables[id(answers)] = (answers, table, max((p.count(" ") + 1 for p in table), default=1))
    return cached[1], cached[2]


def _phrase_at(words: list[str], i: int, answers: Answers | None) -> tuple[int, str | None]:
    """The longest phrase of the table at WORDS[i]: its length in words and its kind, or (1, None)."""
    table, longest = _phrases(answers)
    for n in range(min(longest, len(words) - i), 0, -1):
        if (kind := table.get(" ".join(words[i:i + n]))) is not None:
            return n, kind
    return 1, None


def _kinds(words: list[str], answers: Answers | None) -> list[str]:
    """Each phrase of WORDS (longest match first) as yes, no, unsure, polite or other."""
    table, _ = _phrases(answers)
    kinds, i = [], 0
    while i < len(words):
        n, kind = _phrase_at(words, i, answers)
        kinds.append(kind if kind is not None else table.get(_STRETCHED.sub(r"\1", words[i]), "other"))
        i += n
    return kinds


def yes_or_no(text: str, answers: Answers | None = None) -> str | None:
    """How TEXT answers a yes/no question: "yes", "no", "unclear", or None when it is no answer at all.
    ANSWERS: what people type, by kind (the knowledge base's `answers`; None: the shipped ones).

    "yes please", "ok go ahead", "sure", "please do" are yes; "no thanks", "nah", "not now" are no.
    "unclear" is an answer that is not surely either ("maybe", "yes no", "not sure", "yes but
    later"): ask again rather than guess, and never take it as no. None is something else (a
    question, another request), which the conversation handles as such.
    """
    kinds = _kinds(fold(text).split(), answers)
    if not kinds:
        return None
    said = set(kinds)
    if "other" in said:
        return "unclear" if kinds[0] in ("yes", "no") else None
    if "unsure" in said or {"yes", "no"} <= said:
        return "unclear"
    if said & {"yes", "no"}:
        return "yes" if "yes" in said else "no"
    return "yes" if kinds == ["polite"] and fold(text) in ("please", "请") else "unclear"


_SENTENCE_END = re.compile(r"(?<=[.!?;。！？；])(?![.!?;。！？；])\s*")
_CLAUSE_END = re.compile(r"(?<=[,，、])\s*")
_JOINERS = ("and", "so", "then", "just", "please", "but")


def answer_first(text: str, answers: Answers | None = None) -> tuple[str | None, str]:
    """A line that opens with a sentence that is only a yes or a no ("no. I want to talk to a
    person", "ok! what do I need to do?"): that answer and the rest, which is the person's next
    line. Any other line: `yes_or_no(text)` and no rest."""
    parts = [p for p in _SENTENCE_END.split(text.strip(), maxsplit=1) if p.strip()]
    if len(parts) < 2:                        # "no, how long does template review take?", "不用了，谢谢"
        parts = [p for p in _CLAUSE_END.split(text.strip(), maxsplit=1) if p.strip()]
    if len(parts) == 2 and (first := yes_or_no(parts[0], answers)) in ("yes", "no"):
        then = yes_or_no(parts[1], answers)
        if then == first:                     # "Yes. Please.", "no. not now."
            return first, ""
        if then in ("yes", "no"):             # "yes. no."
            return "unclear", ""
        rest = parts[1].strip()
        joiner, _, after = rest.partition(" ")
        return first, after if joiner.lower() in _JOINERS and after else rest  # "no thanks, but what is ...?"
    return yes_or_no(text, answers), ""


def after_yes(text: str, answers: Answers | None = None) -> str | None:
    """The words after the yes a line opens with ("sure, go ahead and enable it" -> "enable it"),
    None when it does not open with a yes. The caller decides whether they restate what was
    offered (then the line is a yes) or ask something else."""
    words = fold(text).split()
    i, opened = 0, False
    while i < len(words):
        # the longest phrase here decides: "i do not" is a no, never the yes "i do" and a "not ..."
        n, kind = _phrase_at(words, i, answers)
        if kind in ("yes", "polite") or (opened and words[i] in _JOINERS):
            opened = opened or kind == "yes"
            i += n
        else:
            break
    return " ".join(words[i:]) if opened else None
