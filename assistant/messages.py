"""The conversation's own sentences ("did you mean", "I don't know", offers, prompts), in the
customer's language, from the catalogue `knowledge/messages.yaml` (id -> {en, zh}).

Code names a message by id and never holds its text: a new language or a better wording is a
YAML edit, checked by `assistant kb check` (every id must have every language).
"""

from __future__ import annotations

import re
from typing import Any

from .knowledge import KnowledgeBase
from .text import fold


def say(kb: KnowledgeBase, msg_id: str, lang: str = "en", **fields: object) -> str:
    """Message MSG_ID in LANG (English when the catalogue lacks that language), FIELDS filled in."""
    texts = kb.messages.get(msg_id)
    if texts is None:
        raise KeyError(f"no message '{msg_id}' in messages.yaml")
    text = texts.get(lang) or texts["en"]
    return text.format(**fields) if fields else text


def said(kb: KnowledgeBase, value: Any, lang: str) -> str:
    """VALUE in LANG: a {"say": id, "fields": ...} is the catalogue's sentence with its fields said
    too, a list its items joined as LANG joins them (`list.separator`), anything else as it is.
    What is stored to be said later in a reader's language (a ticket's summary, a rule's note)."""
    if isinstance(value, dict) and "say" in value:
        fields = {k: said(kb, v, lang) for k, v in (value.get("fields") or {}).items()}
        return say(kb, value["say"], lang, **fields)
    if isinstance(value, (list, tuple)):
        separator = say(kb, "list.separator", lang)
        return (separator + " " if separator.isascii() else separator).join(said(kb, v, lang) for v in value)
    return str(value)


def heard(kb: KnowledgeBase, msg_id: str, text: str, lang: str = "en") -> dict[str, str] | None:
    """The fields of TEXT when it is message MSG_ID as said in LANG, else None: a sentence stored as
    it was said (a ticket's history keeps the staff's English) to be said again in a reader's language."""
    from string import Formatter  # only here: an answer's start does not import `string`

    texts = kb.messages.get(msg_id)
    if texts is None:
        raise KeyError(f"no message '{msg_id}' in messages.yaml")
    pattern = "".join(re.escape(literal) + (f"(?P<{name}>.+?)" if name else "")
                      for literal, name, _, _ in Formatter().parse(texts.get(lang) or texts["en"]))
    found = re.fullmatch(pattern, text, re.S)
    return found.groupdict() if found else None


def small_talk(kb: KnowledgeBase, text: str, near: bool = True) -> str | None:
    """The kind of small talk TEXT is ("hello!", "thank you so much", "你好", "ok"), or None: a line
    that is only a greeting, a thanks or an acknowledgement is answered in kind rather than with
    "I don't know" (or with an entry that shares one word).

    Whole lines only, after folding and dropping punctuation, with stretched letters squeezed
    ("hiii"); with NEAR, a near spelling ("thx u", "thanx") within a small edit distance counts.
    """
    if not kb.small_talk:
        return None
    said = fold(text)
    if not said or len(said) > 40:
        return None
    squeezed = re.sub(r"(.)\1{2,}", r"\1", said)
    for kind, phrases in kb.small_talk.items():
        if said in phrases or squeezed in phrases:
            return kind
    if not near:
        return None
    from rapidfuzz import fuzz, process

    # the phrases within reach, each scored once in C; of those the best score, and of equal
    # scores the last kind in sorted order, as max((score, kind)) over every phrase would choose
    phrases, kinds = _near_choices(kb.small_talk)
    close = process.extract(squeezed, phrases, scorer=fuzz.ratio, processor=None, score_cutoff=80, limit=None)
    return max(((score, kinds[i]) for _, score, i in close), default=(0.0, None))[1]


_near: tuple = (None, (), ())  # (a small_talk table, its phrases of 5 letters or more, their kinds)


def _near_choices(table: dict[str, tuple[str, ...]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The phrases of TABLE (kind -> phrases) a near spelling is compared with, and their kinds."""
    global _near
    cached = _near  # one tuple, replaced whole: a thread never sees one table's phrases with another's kinds
    if cached[0] is not table:
        pairs = [(p, kind) for kind, phrases in table.items() for p in phrases if len(p) >= 5]
        cached = _near = (table, tuple(p for p, _ in pairs), tuple(kind for _, kind in pairs))
    return cached[1], cached[2]


def follow_up(kb: KnowledgeBase, text: str) -> str | None:
    """The kind of follow-up TEXT is ("how do I fix it?", "那怎么办": `error_fix`), or None: whole
    lines of messages.yaml's `follow_ups`, after folding and dropping punctuation. What it asks about
    is the conversation's to know (the error code just explained)."""
    said = fold(text)
    return next((kind for kind, phrases in kb.follow_ups.items() if said in phrases), None)
