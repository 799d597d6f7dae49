"""Text normalisation shared by the matcher, the router and the knowledge checks.

Both sides of every comparison (a customer's question and the knowledge base's phrasings) go
through the same steps, so that a phrasing written one way matches a question written another:
Unicode NFKC (full-width letters and digits become ASCII), case folding, punctuation to spaces,
the synonym table, and a light suffix stemmer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any


class LazyPattern:
    """A regular expression compiled when first used: a start that answers an FAQ question
    compiles only the patterns it needs (compiling costs more than reading the whole index)."""

    def __init__(self, pattern: str, flags: int = 0):
        self._source, self._flags, self._compiled = pattern, flags, None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(self._source, self._flags)
        return getattr(self._compiled, name)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
# Words are runs of letters and digits ("_" separates); Chinese, Japanese and Korean characters
# are words of their own. (A simple \w pattern: a negated Unicode class costs ms to compile.)
_WORDS = re.compile(r"\w+(?:'\w+)?")
# Kana, CJK ideographs and Hangul (a range check: a character class this wide costs ms to compile)
_CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF))


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _split(text: str) -> list[str]:
    if text.isascii():  # most text: no CJK to cut apart (a knowledge base of 500,000 phrasings)
        return [part for word in _WORDS.findall(text) for part in word.split("_") if part]
    out: list[str] = []
    for word in _WORDS.findall(text):
        for part in word.split("_"):
            if part.isascii():
                out.append(part)
                continue
            run = ""
            for ch in part:
                if is_cjk(ch):
                    out += [run, ch] if run else [ch]
                    run = ""
                else:
                    run += ch
            out.append(run)
    return [w for w in out if w]
# Contractions customers type without the apostrophe ("whats", "dont") keep their meaning.
_CONTRACTIONS = {"whats": "what is", "hows": "how is", "dont": "do not", "doesnt": "does not",
                 "didnt": "did not", "cant": "can not", "cannot": "can not", "wont": "will not",
                 "isnt": "is not", "im": "i am", "ive": "i have", "wasnt": "was not",
                 "arent": "are not", "wheres": "where is", "whens": "when is"}
# Contractions that lose their meaning with the apostrophe: "we're" is no "were" (which asks a
# question: "We're a bike-sharing company ..." was read as one), "we'll" no "well".
_APOSTROPHES = {"we're": "we are", "you're": "you are", "they're": "they are", "we'll": "we will",
                "i'll": "i will", "he'll": "he will", "she'll": "she will"}


# Chinese text's own punctuation (full-width comma, colon, brackets...): NFKC would make it ASCII,
# which changes a template's text as the carriers review it, so `clean` keeps it and `plain` folds it.
_CJK_PUNCTUATION = "！（），：；？～…"
_KEEP_CJK = LazyPattern(f"([{_CJK_PUNCTUATION}])")   # compiled for the first text that is not ASCII
# one character for one ("…" is "."), so a value found in `plain(text)` is at the same place in `clean(text)`
_ASCII_PUNCTUATION = str.maketrans({ch: unicodedata.normalize("NFKC", ch)[0] for ch in _CJK_PUNCTUATION})


def clean(text: str) -> str:
    """Return TEXT safe to store and show: NFKC (full-width letters and digits become ASCII) but
    Chinese punctuation kept, no control or bidi characters, single spaces."""
    if not text.isascii():  # NFKC leaves ASCII as it is
        parts = _KEEP_CJK.split(text)
        text = "".join(part if i % 2 else unicodedata.normalize("NFKC", part) for i, part in enumerate(parts))
    text = _CONTROL.sub(" ", text)
    return " ".join(text.split())


def plain(text: str) -> str:
    """`clean(TEXT)` with Chinese punctuation as its ASCII forms, character for character: what the
    router reads, so "？" ends a question like "?" and "：" introduces a reply like ":"."""
    text = clean(text)
    return text if text.isascii() else text.translate(_ASCII_PUNCTUATION)


@lru_cache(maxsize=1)
def _glued() -> tuple[tuple[re.Pattern, str], ...]:
    """A code or a number written against a word ("whatdoesisv.OUT_OF_SERVICEmean", "isDM_100002approved",
    "to13800138000"): codes are upper case and the words around them lower case, so the boundary is
    plain. Compiled on first use: most lines have no code, and a one-off `ask` compiles nothing."""
    return (
        (re.compile(r"(?<=[a-z])(?=(?:isv|isp)\.[A-Z])"), " "),
        (re.compile(r"((?:isv|isp)\.[A-Z][A-Z_]*[A-Z])(?=[a-z])"), r"\1 "),
        (re.compile(r"(?<=[a-z])(?=[A-Z]{2,10}(?:_[A-Z]{2,10})*_\d{3,})"), " "),
        (re.compile(r"(\b[A-Z]{2,10}(?:_[A-Z]{2,10})*_\d{3,})(?=[a-z])"), r"\1 "),
        (re.compile(r"(?<=[a-z])(?=1[3-9]\d{9}(?!\d))"), " "),
    )


def spaced(text: str) -> str:
    """TEXT with a space between an error code, a template code or a mobile number and a word
    written against it without one, so that the code is read as one (what a customer types in a
    hurry: "whatdoesisv.OUT_OF_SERVICEmean", "isDM_100002approved", "send to13800138000")."""
    if not any(c.isdigit() for c in text) and "isv." not in text and "isp." not in text:
        return text
    for pattern, replacement in _glued():
        text = pattern.sub(replacement, text)
    return text


def typed(text: str) -> str:
    """TEXT to store as the person typed it: only its blank ends dropped.

    Line breaks, tabs, control characters and escape sequences stay (a reason, a reply or a name
    is kept as it was said); the one sanitiser (`sanitize.safe`, `sanitize.one_line`) neutralises
    them wherever the text is shown. Whether a text says anything at all is `clean(text)`'s to tell.
    """
    return text.strip()


def read_number(word: str, words: Mapping[str, int]) -> int | None:
    """The whole number WORD says: digits, one of WORDS (rules.yaml `number_words`: "three", 三), or
    Chinese tens composed of them (十二 12, 二十 20, 二十五 25); else None. One reader for every
    number written as a word (days counted back, counts of images), its words data."""
    if word.isascii() and word.isdigit():
        return int(word)
    if word in words:
        return words[word]
    ten = next((w for w, n in words.items() if n == 10 and len(w) == 1 and not w.isascii()), None)
    if ten is None or ten not in word or word.count(ten) > 1:
        return None
    tens, _, ones = word.partition(ten)
    high = words.get(tens, -1) if tens else 1
    low = words.get(ones, -1) if ones else 0
    return high * 10 + low if 0 < high < 10 and 0 <= low < 10 else None


# The longest text `fold` remembers: a question and the parts the router reads of it are folded a
# dozen and more times each (18 calls a question, 3 distinct); a long pasted text is not kept.
FOLD_KEPT_CHARS = 400


def fold(text: str) -> str:
    """Return the comparison form of TEXT: cleaned, case-folded, words separated by one space."""
    return _fold_kept(text) if len(text) <= FOLD_KEPT_CHARS else _fold(text)


def _fold(text: str) -> str:
    if text.isascii():
        # The same words by a shorter road (a large knowledge base folds hundreds of thousands of
        # phrasings): control characters and spaces both only separate words, and an ASCII
        # letter's case fold is its lower case.
        found = _WORDS.findall(text.lower())
        if "_" in text:
            found = [part for word in found for part in word.split("_") if part]
        if "'" in text:
            found = [_APOSTROPHES.get(token) or token.replace("'", "") for token in found]
        get = _CONTRACTIONS.get
        return " ".join([get(token, token) for token in found])
    words = []
    for token in _split(clean(text).casefold()):
        token = _APOSTROPHES.get(token) or token.replace("'", "")
        words.append(_CONTRACTIONS.get(token, token))
    return " ".join(words)


_fold_kept = lru_cache(maxsize=8192)(_fold)   # a pure function of its text: kept by a long-lived process


class Synonyms:
    """A phrase table that rewrites every variant to its canonical word.

    Read left to right, the longest variant at each word wins, so "sign up" (enable) is read
    before "sign" (signature) and each word is rewritten once. A dictionary of word sequences
    rather than one large regular expression: nothing to compile when a cached index is loaded.
    """

    def __init__(self, table: Mapping[str, str]):
        # a canonical word is read as a phrasing's word is: Chinese a character a word ("咋个" is "怎 么",
        # as "怎么" itself reads; written whole it was a word no phrasing has)
        self.table = {fold(variant): fold(canonical) or canonical for variant, canonical in table.items() if fold(variant)}
        self.longest = max((v.count(" ") + 1 for v in self.table), default=0)
        self._starts: frozenset[str] | None = None

    @classmethod
    def from_folded(cls, table: Mapping[str, str]) -> Synonyms:
        """A table whose variants are already folded (read back from the cache: nothing to redo)."""
        synonyms = cls({})
        synonyms.table = dict(table)
        synonyms.longest = max((v.count(" ") + 1 for v in synonyms.table), default=0)
        synonyms._starts = None
        return synonyms

    def apply(self, folded: str) -> str:
        """Rewrite the variants in FOLDED (already `fold`ed text) to canonical words; what the rewriting
        made is read again ("啥子意思": "什 么 意 思", which is "mean" as "什么意思" is)."""
        if not self.table:
            return folded
        once = self._once(folded)
        return self._once(once) if once != folded else once

    def _once(self, folded: str) -> str:
        if self._starts is None:  # the first words of the variants longer than one word
            self._starts = frozenset(v.split(" ", 1)[0] for v in self.table if " " in v)
        words, out, i = folded.split(), [], 0
        while i < len(words):
            longest = min(self.longest, len(words) - i) if words[i] in self._starts else 1
            for size in range(longest, 0, -1):
                canonical = self.table.get(" ".join(words[i:i + size]))
                if canonical is not None:
                    out.append(canonical)
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        return " ".join(out)


@lru_cache(maxsize=65536)  # a knowledge base repeats its words; building a large index stems millions
def stem(word: str) -> str:
    """Strip the common English inflections so "signatures", "signed" and "signing" meet.

    Deliberately light: it only has to make both sides agree, not produce dictionary words.
    """
    if len(word) <= 3 or not word.isascii():
        return word
    for suffix, replacement, min_stem in (
        ("ies", "y", 2), ("sses", "ss", 2), ("ing", "", 3), ("ed", "", 3),
        ("es", "", 3), ("s", "", 3),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= min_stem:
            if suffix == "es" and not word[:-2].endswith(("s", "x", "z", "ch", "sh")):
                continue  # "messages" -> "message", but "statuses" -> "status"
            if suffix == "s" and word[-2] in "su":
                return word
            base = word[: len(word) - len(suffix)] + replacement
            # "stopped" -> "stop", "getting" -> "get"
            if suffix in ("ing", "ed") and len(base) > 3 and base[-1] == base[-2] and base[-1] not in "ls":
                base = base[:-1]
            return base
    return word


def tokens(text: str, synonyms: Synonyms | None = None,
           correct: Callable[[list[str]], list[str]] | None = None) -> list[str]:
    """Return the stemmed tokens of TEXT after folding, spelling correction and synonyms.

    CORRECT, when given, rewrites the folded words before the synonym table is applied, so
    that "digital mesages" is mended to "digital messages" and then read as one concept.
    """
    folded = fold(text)
    if correct is not None:
        folded = " ".join(correct(folded.split()))
    if synonyms is not None:
        folded = synonyms.apply(folded)
    return [stem(word) for word in folded.split()]


def longest_first(text: str, names: Iterable[str]) -> list[str]:
    """NAMES in the order a mention in TEXT is looked for: the longest (as folded) first, and of
    names that fold alike ("Delivery 🚚 notice", "Delivery notice": an emoji or a hyphen is no word)
    the one TEXT says as written first, then the one folding leaves most of."""
    plain = " ".join(text.casefold().split())

    def rank(name: str) -> tuple[int, bool, int]:
        return -len(fold(name)), " ".join(name.casefold().split()) not in plain, len(name)
    return sorted(names, key=rank)


def mentioned(text: str, names: Iterable[str]) -> str | None:
    """The one of NAMES that TEXT mentions as whole words ("send the winter sale 2026 one to ..."
    mentions "Winter sale 2026"), the longest first, the one said as written before one that only
    reads the same (`longest_first`); None when it mentions none."""
    said = f" {fold(text)} "
    for name in longest_first(text, names):
        folded = fold(name)
        if folded and f" {folded} " in said:
            return name
    return None


def echoed(value: object, limit: int = 60) -> str:
    """VALUE as a refusal repeats it back ("no template 'X'"): at most LIMIT characters, so that a
    pasted page is named by its start, not printed again whole in front of what to do about it."""
    return shorten(str(value), limit)


def shorten(text: str, limit: int) -> str:
    """TEXT in at most LIMIT characters, cut between words (never inside one, nor at a quote
    or an apostrophe) and ended with "…" when anything was left out. The one way a summary,
    a title or a kept turn is cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = text[:max(limit - 1, 1)]
    cut = room.rfind(" ")
    kept = room[:cut] if cut > limit // 2 else room       # one very long word is cut, not dropped
    return kept.rstrip(" ,;:-") + "…"
