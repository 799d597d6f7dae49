"""Where the assistant keeps its files. Kept apart so that finding a path loads no library."""

from __future__ import annotations

import os
from pathlib import Path


def default_db() -> Path:
    """$ASSISTANT_DB, else $XDG_DATA_HOME/assistant/assistant.db, else ~/.local/share/assistant/."""
    if os.environ.get("ASSISTANT_DB"):
        return Path(os.environ["ASSISTANT_DB"])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "assistant" / "assistant.db"


def learned_file(db: Path) -> Path:
    """Phrasings learned with `assistant kb learn`, kept beside the database."""
    return Path(db).parent / "learned.json"


def cache_dir() -> Path:
    """$ASSISTANT_CACHE_DIR, else $XDG_CACHE_HOME/assistant, else ~/.cache/assistant."""
    if os.environ.get("ASSISTANT_CACHE_DIR"):
        return Path(os.environ["ASSISTANT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "assistant"
