"""The phrasings a database has learned (`kb learn`), and their local mirror for a fast start.

The database is the truth: table `learned_phrasings` holds each phrasing taught on it (its target,
an FAQ entry id or an action name; the phrasing as typed; when; by whom if known), so two databases
in one folder, or two accounts' PostgreSQL databases, never share what was taught on either.

A cached `assistant ask` must start without a database driver, so each database's phrasings are
mirrored in a small JSON file in the user's cache directory, named for the database's identity (its
resolved file path, or its URL without the password). The mirror records the database's *stamp*
(how many phrasings and the last id, one cheap query) and is rewritten whenever a process that has
the database open finds the stamp changed (`sync`), and right after learning. `ask` reads the mirror
only; a database without a mirror yet is read once (`mirrored`). A mirror that is damaged, crafted,
a symbolic link, another user's file or another database's is ignored and written again.

This module opens no database itself: the functions that need one are given a store (or a way to
open one), so importing it loads no driver.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from .errors import UserError
from .paths import is_server_url, learned_file, open_private, shown_target
from .records import NamedTuple

FORMAT = 1
Learned = dict[str, list[str]]  # {target (entry id or action name): [phrasing, ...]}, in the order taught


class Mirror(NamedTuple):
    """A database's learned phrasings as last seen, and the stamp they were seen at."""

    stamp: str
    learned: Learned


NOTHING = Mirror("", {})


# --- the database ----------------------------------------------------------------------------

def stamp(store: Any) -> str:
    """STORE's learned phrasings in one cheap query: how many, and the last id. Any phrasing taught
    (or removed) changes it; it is what a process compares before reading them all again."""
    row = store.row("SELECT COUNT(*) AS n, MAX(id) AS last FROM learned_phrasings")
    return f"{row['n']}:{row['last'] or 0}"


def read(store: Any) -> Mirror:
    """Every phrasing STORE has learned, with the stamp of exactly what was read."""
    rows = store.rows("SELECT id, target, phrasing FROM learned_phrasings ORDER BY id")
    learned: Learned = {}
    for row in rows:
        learned.setdefault(row["target"], []).append(row["phrasing"])
    return Mirror(f"{len(rows)}:{max((r['id'] for r in rows), default=0)}", learned)


def add(store: Any, target: str, phrasing: str, at: str, by: str | None) -> bool:
    """Record PHRASING for TARGET (inside the caller's transaction); False if it was already there."""
    if store.row("SELECT 1 AS found FROM learned_phrasings WHERE target = ? AND phrasing = ?", (target, phrasing)):
        return False
    store.insert("learned_phrasings", {"target": target, "phrasing": phrasing, "learned_at": at, "learned_by": by})
    return True


def sync(store: Any) -> Mirror:
    """STORE's learned phrasings, the mirror rewritten if it was missing or behind (one cheap query
    when it is current). Called by every process that has the database open."""
    target = store.target
    mirror = read_mirror(target)
    if mirror is not None and mirror.stamp == stamp(store):
        return mirror
    mirror = read(store)
    write_mirror(target, mirror)
    return mirror


def mirrored(target: str | os.PathLike, open_store: Callable[[], Any]) -> Mirror:
    """The learned phrasings of the database TARGET as its mirror has them, without opening it; a
    database without a mirror yet is opened (OPEN_STORE) and read once. A database file that does
    not exist has learned nothing, and is not created here."""
    mirror = read_mirror(target)
    if mirror is not None:
        return mirror
    if not is_server_url(target) and not Path(target).exists():
        return NOTHING
    store = open_store()
    try:
        return sync(store)
    finally:
        store.close()


# --- the mirror ------------------------------------------------------------------------------

def identity(target: str | os.PathLike) -> str:
    """Which database TARGET is, whatever way it was written: a file's resolved path, or a server's
    URL without its password (the same database reached with another password is the same one)."""
    if is_server_url(target):
        return shown_target(str(target))
    return str(Path(target).expanduser().resolve())


def mirror_file(target: str | os.PathLike) -> Path | None:
    """Where the mirror of database TARGET lives; None when the cache directory is not private."""
    from .cache import private_cache_dir

    directory = private_cache_dir()
    if directory is None:
        return None
    name = identity(target).encode("utf-8")
    return directory / f"learned-{zlib.crc32(name):08x}{zlib.adler32(name):08x}.json"


def read_mirror(target: str | os.PathLike) -> Mirror | None:
    """The mirror of database TARGET; None when there is none, or it cannot be trusted (damaged,
    crafted, a link, another user's, another database's): it is then written again from the database."""
    path = mirror_file(target)
    if path is None:
        return None
    try:
        with os.fdopen(open_private(path, os.O_RDONLY), "rb") as handle:
            data = json.loads(handle.read())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("database") != identity(target):
        return None
    learned, mark = data.get("learned"), data.get("stamp")
    if not isinstance(mark, str) or not isinstance(learned, dict):
        return None
    if not all(isinstance(k, str) and isinstance(v, list) and all(isinstance(p, str) for p in v)
               for k, v in learned.items()):
        return None
    return Mirror(mark, learned)


def write_mirror(target: str | os.PathLike, mirror: Mirror) -> None:
    """Replace the mirror of database TARGET (atomically, 0600). Best effort: a cache that cannot be
    written only means the next start reads the database again."""
    path = mirror_file(target)
    if path is None:
        return
    import tempfile  # only when writing: `ask` reads

    body = json.dumps({"format": FORMAT, "database": identity(target), "stamp": mirror.stamp,
                       "learned": mirror.learned}, ensure_ascii=False, indent=1)
    written = None
    try:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as handle:
            written = handle.name  # NamedTemporaryFile creates the file 0600
            handle.write(body)
        os.replace(written, path)
    except OSError:
        if written is not None:
            with suppress(OSError):
                os.unlink(written)


# --- the legacy file -------------------------------------------------------------------------

def read_legacy(path: Path) -> Learned:
    """The phrasings of a legacy learned.json; empty if there is none. A file that cannot be read
    is a UserError (the migration that reads it is then rolled back, and nothing is lost)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read the learned phrasings in {path} to move them into the database: {exc}; "
                        "fix the file (or move it away) and run the command again") from None
    if not isinstance(data, dict):
        raise UserError(f"cannot read the learned phrasings in {path}: not a JSON object of entry ids; fix the file "
                        "(or move it away) and run the command again")
    return {str(k): [str(p) for p in v] for k, v in data.items() if isinstance(v, list)}


def import_legacy(store: Any, target: str | os.PathLike) -> int:
    """Take the legacy learned.json beside database TARGET into STORE (inside its migration's
    transaction); how many phrasings were added. Each is dated with the file's modification time,
    the latest it can have been taught. The file is left where it is: it is read once per database,
    by the migration step that made the table, so every database that used it keeps its phrasings
    and a database made later starts with none."""
    import datetime as dt

    path = learned_file(target)
    learned = read_legacy(path)
    if not learned:
        return 0
    at = dt.datetime.fromtimestamp(path.stat().st_mtime).isoformat(sep=" ", timespec="seconds")
    return sum(add(store, entry, phrasing, at, "learned.json") for entry, phrasings in learned.items()
               for phrasing in phrasings if phrasing.strip())
