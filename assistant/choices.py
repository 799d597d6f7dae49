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
# What people type at a "[y/N]" question. Each phrase is read whole ("not now" is a no, "do it" a
# yes); politeness around an answer changes nothing ("yes please", "no thanks", "ok then").
_YES = ("y", "yes", "ya", "yah", "yeah", "yea", "yep", "yup", "ok", "okay", "k", "alright", "all right",
        "sure", "sure thing", "for sure", "you bet", "of course", "certainly", "absolutely", "definitely",
        "affirmative", "confirm", "confirmed", "correct", "fine", "go", "go ahead", "go for it", "do it", "do that",
        "please do", "proceed", "continue", "lets do it", "lets go", "sounds good", "sounds great", "perfect",
        "great", "yes do it", "why not", "i do", "i would", "i think so", "no problem", "no worries",
        "是", "是的", "好", "好的", "可以", "行", "对", "确认", "好了", "可以的", "行的", "确定", "确定执行", "执行",
        "继续", "没问题")
_NO = ("n", "no", "nope", "nah", "na", "cancel", "stop", "not now", "not yet", "later", "maybe later", "no need", "not needed",
       "do not", "please do not", "do not do it", "i do not", "i would not", "not really", "negative",
       "never", "skip", "skip it", "no way", "not at all", "i think not", "i do not think so",
       "not today", "another time",
       "不", "不要", "不用", "否", "不是", "算了", "不用了", "不要了", "不了", "不需要", "不必", "没必要", "不想",
       "取消", "取消吧", "不做了",
       # not now: 以后再说, 稍后, 先不要, 暂时不用, 下次吧 (等一下 asks for a moment: unsure, asked again)
       "以后", "以后再说", "再说", "稍后", "稍后再说", "晚点", "晚点再说", "先不", "先不要", "先不用",
       "暂时不", "暂时不用", "暂不", "下次", "下次吧", "改天", "改天吧")
_UNSURE = ("maybe", "perhaps", "possibly", "not sure", "i am not sure", "unsure", "dunno", "do not know",
           "i do not know", "idk", "hmm", "hm", "um", "uh", "huh", "也许", "不知道", "等一下", "等等")
_POLITE = ("please", "pls", "plz", "thanks", "thank you", "thx", "ty", "then", "now", "just", "for now",
           "right now", "again", "谢谢", "请")
_STRETCHED = re.compile(r"(.)\1+")   # "yesss", "nooo", "okkk"


@functools.cache
def _phrases() -> tuple[dict[str, str], int]:
    # folded as every other comparison is (contractions: "don't" is "do not")
    table = {fold(p): kind for kind, phrases in (("yes", _YES), ("no", _NO), ("unsure", _UNSURE), ("polite", _POLITE))
             for p in phrases}
    return table, max(p.count(" ") + 1 for p in table)


def _phrase_at(words: list[str], i: int) -> tuple[int, str | None]:
    """The longest phrase of the table at WORDS[i]: its length in words and its kind, or (1, None)."""
    table, longest = _phrases()
    for n in range(min(longest, len(words) - i), 0, -1):
        if (kind := table.get(" ".join(words[i:i + n]))) is not None:
            return n, kind
    return 1, None


def _kinds(words: list[str]) -> list[str]:
    """Each phrase of WORDS (longest match first) as yes, no, unsure, polite or other."""
    table, _ = _phrases()
    kinds, i = [], 0
    while i < len(words):
        n, kind = _phrase_at(words, i)
        kinds.append(kind if kind is not None else table.get(_STRETCHED.sub(r"\1", words[i]), "other"))
        i += n
    return kinds


def yes_or_no(text: str) -> str | None:
    """How TEXT answers a yes/no question: "yes", "no", "unclear", or None when it is no answer at all.

    "yes please", "ok go ahead", "sure", "please do" are yes; "no thanks", "nah", "not now" are no.
    "unclear" is an answer that is not surely either ("maybe", "yes no", "not sure", "yes but
    later"): ask again rather than guess, and never take it as no. None is something else (a
    question, another request), which the conversation handles as such.
    """
    kinds = _kinds(fold(text).split())
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


def answer_first(text: str) -> tuple[str | None, str]:
    """A line that opens with a sentence that is only a yes or a no ("no. I want to talk to a
    person", "ok! what do I need to do?"): that answer and the rest, which is the person's next
    line. Any other line: `yes_or_no(text)` and no rest."""
    parts = [p for p in _SENTENCE_END.split(text.strip(), maxsplit=1) if p.strip()]
    if len(parts) < 2:                        # "no, how long does template review take?", "不用了，谢谢"
        parts = [p for p in _CLAUSE_END.split(text.strip(), maxsplit=1) if p.strip()]
    if len(parts) == 2 and (first := yes_or_no(parts[0])) in ("yes", "no"):
        then = yes_or_no(parts[1])
        if then == first:                     # "Yes. Please.", "no. not now."
            return first, ""
        if then in ("yes", "no"):             # "yes. no."
            return "unclear", ""
        rest = parts[1].strip()
        joiner, _, after = rest.partition(" ")
        return first, after if joiner.lower() in _JOINERS and after else rest  # "no thanks, but what is ...?"
    return yes_or_no(text), ""


def after_yes(text: str) -> str | None:
    """The words after the yes a line opens with ("sure, go ahead and enable it" -> "enable it"),
    None when it does not open with a yes. The caller decides whether they restate what was
    offered (then the line is a yes) or ask something else."""
    words = fold(text).split()
    i, opened = 0, False
    while i < len(words):
        # the longest phrase here decides: "i do not" is a no, never the yes "i do" and a "not ..."
        n, kind = _phrase_at(words, i)
        if kind in ("yes", "polite") or (opened and words[i] in _JOINERS):
            opened = opened or kind == "yes"
            i += n
        else:
            break
    return " ".join(words[i:]) if opened else None
