"""Storage engines behind the one `Store` interface, and the factory that picks one.

A path (or nothing) opens the embedded SQLite file, `assistant.storage.sqlite.Store`; a
`postgresql://` (or `postgres://`) URL opens `assistant.storage.postgres.PostgresStore`, which
needs the optional extra `postgres` (psycopg 3). Both offer the same public methods; the actions
never learn which one they run on.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..errors import UserError
from ..paths import SERVER_SCHEMES, database_target, is_server_url

if TYPE_CHECKING:
    from ..storage.sqlite import Store

__all__ = ["SERVER_SCHEMES", "is_server_url", "open_store"]


def open_store(target: str | os.PathLike | None = None) -> Store:
    """The store TARGET names (else $ASSISTANT_DB, else the default file; see `paths.database_target`):
    a PostgreSQL URL opens the server, anything else a SQLite file."""
    target = database_target(target)
    if is_server_url(target):
        try:
            from .postgres import PostgresStore
        except ImportError:
            raise UserError("a postgresql:// database needs the PostgreSQL driver; "
                            "install it with `pip install 'digital-message-assistant[postgres]'`") from None
        return PostgresStore(str(target))  # type: ignore[return-value]
    from ..storage.sqlite import Store

    return Store(target)
