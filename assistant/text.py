"""Text normalisation shared by the matcher, the router and the knowledge checks.

Both sides of every comparison (a customer's question and the knowledge base's phrasings) go
through the same steps, so that a phrasing written one way matches a question written another:
Unicode NFKC (full-width letters and digits become ASCII), case folding, punctuation to spaces,
the synonym table, and a light suffix stemmer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+(?:'[^\W_]+)?", re.UNICODE)
# Contractions customers type without the apostrophe ("whats", "dont") keep their meaning.
_CONTRACTIONS = {"whats": "what is", "hows": "how is", "dont": "do not", "doesnt": "does not",
                 "didnt": "did not", "cant": "can not", "cannot": "can not", "wont": "will not",
                 "isnt": "is not", "im": "i am", "ive": "i have", "wasnt": "was not",
                 "arent": "are not", "wheres": "where is", "whens": "when is"}


def clean(text: str) -> str:
    """Return TEXT safe to store and show: NFKC, no control or bidi characters, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text)
    return " ".join(text.split())


def fold(text: str) -> str:
    """Return the comparison form of TEXT: cleaned, case-folded, words separated by one space."""
    words = []
    for token in _TOKEN.findall(clean(text).casefold()):
        token = token.replace("'", "")
        words.append(_CONTRACTIONS.get(token, token))
    return " ".join(words)


class Synonyms:
    """A phrase table that rewrites every variant to its canonical word.

    One regular expression of all variants, longest first, so that "sign up" is read before
    "sign" and each span of the text is rewritten once.
    """

    def __init__(self, table: Mapping[str, str]):
        self.table = {fold(variant): canonical for variant, canonical in table.items()}
        variants = sorted((v for v in self.table if v), key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<!\S)(?:" + "|".join(re.escape(v) for v in variants) + r")(?!\S)")
            if variants else None
        )

    def apply(self, folded: str) -> str:
        """Rewrite the variants in FOLDED (already `fold`ed text) to canonical words."""
        if self._pattern is None:
            return folded
        return self._pattern.sub(lambda m: self.table[m.group(0)], folded)


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
