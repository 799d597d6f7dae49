"""The conversation's own sentences ("did you mean", "I don't know", offers, prompts), in the
customer's language, from the catalogue `knowledge/messages.yaml` (id -> {en, zh}).

Code names a message by id and never holds its text: a new language or a better wording is a
YAML edit, checked by `assistant kb check` (every id must have every language).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from .knowledge import KnowledgeBase
from .text import fold


def say(kb: KnowledgeBase, msg_id: str, lang: str = "en", **fields: object) -> str:
    """Message MSG_ID in LANG (English when the catalogue lacks that language), FIELDS filled in."""
    texts = kb.messages.get(msg_id)
    if texts is None:
        raise KeyError(f"no message '{msg_id}' in messages.yaml")
    text = texts.get(lang) or texts["en"]
    return filled(text, fields) if fields else text


def english(msg_id: str, **fields: object) -> str:
    """Message MSG_ID's English with FIELDS filled in (a field may be a catalogue sentence, as `said` takes it),
    where no knowledge base is at hand: a file refused before anything is loaded (files.py). Read from the
    messages.yaml a knowledge base would load (`$ASSISTANT_KB`'s, else the shipped one), so that the refusal
    is the catalogue's English word for word and a conversation says it in its own language (`errors.said`)."""
    return said(_English(_english_catalogue()), {"say": msg_id, "fields": fields}, "en")


class _English(NamedTuple):
    """The catalogue alone, as `say` and `said` read it (`english`)."""

    messages: dict[str, dict[str, str]]


@functools.cache
def _english_catalogue() -> dict[str, dict[str, str]]:
    """The English of every message (`english`), read once: only on the way to a refusal. The shipped
    catalogue's, under the chosen knowledge base's own where it has one (an older one may lack a message)."""
    from .knowledge import resolve_dir, shipped_dir

    shipped = shipped_dir() / "messages.yaml"
    chosen = resolve_dir() / "messages.yaml"
    catalogue = _english_of(shipped)
    if chosen.is_file() and chosen.resolve() != shipped.resolve():
        catalogue.update(_english_of(chosen))
    return catalogue


def _english_of(path: Path) -> dict[str, dict[str, str]]:
    """The English of each message of the catalogue at PATH; nothing when it cannot be read."""
    import yaml

    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        return {str(k): {"en": str(v["en"])} for k, v in data["messages"].items() if isinstance(v, dict) and "en" in v}
    except (OSError, yaml.YAMLError, TypeError, KeyError, AttributeError):
        return {}


# A sentence's closing marks; the Chinese ones (full-width) and the English ones
_CLOSES = "。！？.!?"
_WIDE_CLOSES = "。！？"


def filled(frame: str, fields: dict[str, object]) -> str:
    """FRAME (a catalogue sentence, "{error}。请重试…") with FIELDS filled in, a sentence it takes in ending once:
    where a field's value ends in a closing mark and the frame closes it with another, the frame's is dropped
    ("签名含有空格。" + "。" is "签名含有空格。", never "。。" or "。."). Only where either mark is a Chinese
    one: two English marks stay as they are, as the English has always said them. The one join of a frame and
    the sentences in it, for the conversation's catalogue and the pages' (web/i18n.py) alike."""
    for name, value in fields.items():
        end = str(value)[-1:]
        if not end or end not in _CLOSES:
            continue
        for mark in _CLOSES:
            slot = "{" + name + "}" + mark
            if slot in frame and (end in _WIDE_CLOSES or mark in _WIDE_CLOSES):
                frame = frame.replace(slot, "{" + name + "}")
    return frame.format(**fields)


def said(kb: KnowledgeBase, value: Any, lang: str) -> str:
    """VALUE in LANG: a {"say": id, "fields": ...} is the catalogue's sentence with its fields said
    too, a {"texts": {en: ..., zh: ...}} its text in LANG (English when it has none in LANG), a list
    its items joined as LANG joins them (`list.separator`), anything else as it is.
    What is stored to be said later in a reader's language (a ticket's summary, a rule's note)."""
    if isinstance(value, dict) and "say" in value:
        fields = {k: said(kb, v, lang) for k, v in (value.get("fields") or {}).items()}
        return say(kb, value["say"], lang, **fields)
    if isinstance(value, dict) and "texts" in value:    # a text rules.yaml gives in each language (a carrier's reason)
        return value["texts"].get(lang) or value["texts"]["en"]
    if isinstance(value, (list, tuple)):
        return joined(kb, value, lang)
    return str(value)


def joined(kb: KnowledgeBase, items: Iterable[Any], lang: str, separator_id: str = "list.separator") -> str:
    """ITEMS (words or sentences, each `said` in LANG) one after another as LANG writes them: the
    catalogue's SEPARATOR_ID ("A, B" / "A、B" for `list.separator`; "; " / "；" for `result.separator`:
    an ASCII one is followed by a space), an item's own Chinese closing mark dropped where a Chinese
    separator takes its place ("号码无效。" + "；" is "号码无效；")."""
    separator = say(kb, separator_id, lang)
    texts = [said(kb, item, lang) for item in items]
    if separator.isascii():
        return (separator + " ").join(texts)
    last = len(texts) - 1
    return separator.join(t[:-1] if t[-1:] in _WIDE_CLOSES and n < last else t for n, t in enumerate(texts))


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
    is the conversation's to know (the error code just explained). Said in everyday words, a line is
    the phrase it reads as: without the particles closing it (`unclosed`: "经理回复了没嘛") and with the
    synonyms' words ("咋个解决" is "怎么解决", "经理回复了没得" is "经理回复了没有"), both sides read alike."""
    said = fold(text)
    found = next((kind for kind, phrases in kb.follow_ups.items() if said in phrases), None)
    if found is not None or not said:
        return found
    spoken = _as_spoken(kb, text)
    found = next((kind for kind, phrases in _spoken_follow_ups(kb).items() if spoken in phrases), None)
    if found is not None:
        return found
    # "then what can I do?", "so what did you send?": the words leading into a phrase (`leaving.around`) say
    # nothing of it; only a line that is a whole phrase once they are gone is that follow-up
    words, around = spoken.split(), set(kb.leaving.get("around", ()))
    while words and words[0] in around:
        words = words[1:]
    rest = " ".join(words)
    if not rest or rest == spoken:
        return None
    return next((kind for kind, phrases in _spoken_follow_ups(kb).items() if rest in phrases), None)


def unclosed(kb: KnowledgeBase, value: str) -> str:
    """VALUE without the modal particles that close it in speech ("周末狂欢咯" -> 周末狂欢, "Weekend party lah" ->
    Weekend party: actions.yaml slot type `spoken_end`), one at a time, stopping at a word of the type's `exclude`
    ("星光酒吧吧" -> 星光酒吧); VALUE as it is when nothing would be left."""
    slot_type = kb.slot_types.get("spoken_end")
    if slot_type is None or not value:
        return value
    while True:
        folded = f" {fold(value)}"
        if any(folded.endswith(f" {word}") for word in slot_type.exclude):
            return value
        match = next((m for p in slot_type.patterns if (m := p.search(value))), None)
        if match is None or not value[:match.start()].strip():
            return value
        value = value[:match.start()].rstrip()


def _as_spoken(kb: KnowledgeBase, text: str) -> str:
    """TEXT folded, without its closing particles and with the synonyms' words (`follow_up`)."""
    folded = fold(unclosed(kb, text.strip().rstrip("?？!！。.~～ ")))
    return kb.synonyms.apply(folded) if kb.synonyms is not None else folded


_spoken: tuple = (None, {})   # (a follow_ups table, its phrases as `_as_spoken` reads them, by kind)


def _spoken_follow_ups(kb: KnowledgeBase) -> dict[str, frozenset[str]]:
    global _spoken
    cached = _spoken   # one tuple, replaced whole (see `_near`)
    if cached[0] is not kb.follow_ups:
        cached = _spoken = (kb.follow_ups, {kind: frozenset(_as_spoken(kb, p) for p in phrases)
                                            for kind, phrases in kb.follow_ups.items()})
    return cached[1]
