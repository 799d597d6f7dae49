"""Storage engines behind the one `Store` interface, and the factory that picks one.

A path (or nothing) opens the embedded SQLite file, `assistant.store.Store`; a
`postgresql://` (or `postgres://`) URL opens `assistant.storage.postgres.PostgresStore`, which
needs the optional extra `postgres` (psycopg 3). Both offer the same public methods; the actions
never learn which one they run on.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..errors import UserError

if TYPE_CHECKING:
    from ..store import Store

SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server_url(target: str | os.PathLike | None) -> bool:
    """Whether TARGET names a database server rather than a file."""
    return isinstance(target, str) and target.lower().startswith(SERVER_SCHEMES)


def open_store(target: str | os.PathLike | None = None) -> Store:
    """The store TARGET names: a PostgreSQL URL, else a SQLite file (default: the user's data dir)."""
    from ..paths import database_target

    target = database_target(target)
    if is_server_url(target):
        try:
            from .postgres import PostgresStore
        except ImportError:
            raise UserError("a postgresql:// database needs the PostgreSQL driver; "
                            "install it with `pip install 'digital-message-assistant[postgres]'`") from None
        return PostgresStore(str(target))  # type: ignore[return-value]
    from ..store import Store

    return Store(target)
