"""The pages' words in English and Chinese, from one catalogue in the knowledge base (`web.yaml`).

The language is the one the person chose with the switch (a cookie), else the first of the
browser's Accept-Language that the catalogue speaks, else English.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import UserError
from ..knowledge import KnowledgeBase, shipped_dir
from ..messages import filled, said

LANGUAGES = ("en", "zh")
COOKIE = "assistant_lang"


@lru_cache(maxsize=8)
def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"cannot read {path.name}: {exc}; fix the file (`assistant kb check`)") from None
    return data


def catalogue(directory: Path | None, name: str = "web.yaml") -> dict:
    """NAME from the knowledge-base DIRECTORY, else the shipped one (a custom KB need not translate the pages)."""
    path = directory / name if directory is not None else None
    return _read(path if path is not None and path.is_file() else shipped_dir() / name)


def language(chosen: str | None, accept: str | None) -> str:
    """The page's language: CHOSEN if the catalogue speaks it, else the best of ACCEPT-Language, else English."""
    if chosen in LANGUAGES:
        return chosen
    ranked = []
    for part in (accept or "").split(","):
        tag, _, params = part.strip().partition(";")
        try:
            q = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            q = 0.0
        ranked.append((q, tag.strip().lower().split("-")[0]))
    for q, tag in sorted(ranked, key=lambda pair: -pair[0]):
        if q > 0 and tag in LANGUAGES:  # q=0 (or an unreadable q) means "not this one"
            return tag
    return "en"


def plain(message: str) -> str:
    """A core message as a web page says it: without the clauses that point to a CLI command
    ("; see `assistant handoff list`", a Chinese sentence's "；请查看 `assistant handoff list`") and
    without markdown backticks, which a page shows raw."""
    separator = "; " if "; " in message or "；" not in message else "；"
    parts = message.split(separator)
    kept = [part for part in parts if "`assistant " not in part] or parts[:1]
    return separator.join(kept).replace("`", "")


def refusal(kb: KnowledgeBase, error: UserError, lang: str) -> str:
    """A core refusal ERROR as a page says it in LANG: the catalogue's sentence the core marked it with
    (`errors.said`), else its own words, either `plain`; begun with a capital, as a page's sentences are."""
    marked = error.said
    text = plain(str(error) if marked is None else said(kb, {"say": marked[0], "fields": marked[1]}, lang))
    return text[:1].upper() + text[1:]


class Words:
    """`words("sla_due", time="3h")`: the catalogue's text in one language, with its fields filled."""

    def __init__(self, table: dict, lang: str):
        self.table, self.lang = table, lang

    def choice(self, value: str) -> str:
        """The label of a prompt's VALUE on a button ("是" for "yes"); the value itself when none."""
        return self(f"choice.{value}") if f"choice.{value}" in self.table else value

    def state(self, value: str | None) -> str:
        """The label of a state the core reports ("已通过" for "approved"); the value itself when none."""
        return self(f"state.{value}") if f"state.{value}" in self.table else str(value or "")

    def label(self, kind: str, value: str | None) -> str:
        """VALUE of KIND in this language ("event.created": "创建了工单"); the value itself when the
        catalogue has none (a person's name in a history line)."""
        return self(f"{kind}.{value}") if f"{kind}.{value}" in self.table else str(value or "")

    def choices(self) -> dict[str, str]:
        """Every value's label in this language, for the page's script."""
        return {key.split(".", 1)[1]: self(key) for key in self.table if str(key).startswith("choice.")}

    def __call__(self, key: str, **fields) -> str:
        entry = self.table.get(key)
        if not isinstance(entry, dict):
            return key
        text = str(entry.get(self.lang) or entry.get("en") or key)
        return filled(text, fields) if fields else text
