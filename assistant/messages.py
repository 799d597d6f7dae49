"""The conversation's own sentences ("did you mean", "I don't know", offers, prompts), in the
customer's language, from the catalogue `knowledge/messages.yaml` (id -> {en, zh}).

Code names a message by id and never holds its text: a new language or a better wording is a
YAML edit, checked by `assistant kb check` (every id must have every language).
"""

from __future__ import annotations

from .knowledge import KnowledgeBase


def say(kb: KnowledgeBase, msg_id: str, lang: str = "en", **fields: object) -> str:
    """Message MSG_ID in LANG (English when the catalogue lacks that language), FIELDS filled in."""
    texts = kb.messages.get(msg_id)
    if texts is None:
        raise KeyError(f"no message '{msg_id}' in messages.yaml")
    text = texts.get(lang) or texts["en"]
    return text.format(**fields) if fields else text
