"""One normaliser for enumerated values (industries, sources): every spelling a person types
reaches the same choice.

"e-commerce", "E-Commerce", "e commerce" and "e_commerce" are one industry; "live-streaming",
"live streaming" and "live_streaming" another. Used by the actions (so the CLI's `--industry`
and `--source` agree with the conversation), and by the conversation's value prompts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

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
