"""The embedded engine: one SQLite file holding accounts, signatures, templates, sends, tickets, audit.

`assistant.storage.open_store` picks this engine for a path and the PostgreSQL one for a
`postgresql://` URL; both offer the public methods of `Store`, which are all the actions use.

One file, opened through sqlite-utils. WAL mode and a busy timeout let two assistants (an agent
and a manager) share it. The schema carries its version in `PRAGMA user_version` and upgrades
itself step by step. Every action runs in `transaction()`, a `BEGIN IMMEDIATE` that takes the
write lock up front, so a killed process leaves either the whole action or nothing.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import sqlite_utils
from sqlite_utils.utils import dedupe_keys

from ..errors import Unavailable, UserError
from ..paths import data_dir, default_db, private_dirs
from . import schema
from .dialect import statements

BUSY_TIMEOUT_S = 10
# Written into the SQLite header (`PRAGMA application_id`) when this program creates a database,
# so another program's SQLite file is recognised and never migrated into. "DMas".
APPLICATION_ID = 0x444D6173
_SQLITE_MAGIC = b"SQLite format 3\x00"

T = TypeVar("T")


_VERIFIED: set[tuple[int, int]] = set()  # (device, inode) of the database files this process has checked


class _Turns:
    """The writers of one database file in this process, served in the order they came.

    SQLite's own wait for the write lock is a busy handler that polls with growing sleeps (up to
    100 ms): a writer that waits is not served first, and one that writes again and again (a large
    send's chunks) can pass it every time. Taking a turn here first lines this process's writers up
    (the lock goes straight to the longest waiting), so a chunk is never more than one transaction
    ahead of anyone; other processes still meet SQLite's busy timeout.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()
        self._held = False

    def take(self, timeout: float) -> bool:
        """Wait up to TIMEOUT seconds for this thread's turn; whether it came."""
        with self._guard:
            if not self._held and not self._waiting:
                self._held = True
                return True
            signal = threading.Lock()
            signal.acquire()
            self._waiting.append(signal)
        if signal.acquire(timeout=timeout):
            return True
        with self._guard:
            if signal in self._waiting:
                self._waiting.remove(signal)
                return False
        return True  # handed over just as the wait ended

    def give(self) -> None:
        """End this thread's turn: the next waiting writer has it at once."""
        with self._guard:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._held = False


_TURNS: dict[str, _Turns] = {}
_TURNS_GUARD = threading.Lock()


def _turns_of(path: Path) -> _Turns:
    key = os.path.realpath(path)
    with _TURNS_GUARD:
        return _TURNS.setdefault(key, _Turns())


def _prepare_file(path: Path) -> None:
    """Make sure PATH can be our database: a regular file (created owner-only), in a directory we can use.

    In the embedded mode the database file is the trust boundary, so a new file is readable and
    writable by its owner only (0600) and a new directory for it is the owner's only (0700).
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise UserError(f"cannot use {path} as the database: {exc.strerror}; pass --db PATH to a database file") from None
    if info is not None:
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device, FIFO or socket)"
            raise UserError(f"{path} is {kind}; pass --db PATH to a database file")
        # Closing any descriptor of the file drops every POSIX lock this process holds on it,
        # SQLite's included: a file this process already opened as ours is never opened again here.
        if info.st_size and (info.st_dev, info.st_ino) not in _VERIFIED:
            try:
                with open(path, "rb") as handle:
                    head = handle.read(len(_SQLITE_MAGIC))
            except OSError as exc:
                raise UserError(f"cannot read the database {path}: {exc.strerror}; check its permissions") from None
            if head != _SQLITE_MAGIC:
                raise UserError(f"{path} is not an SQLite database (another program's file, or damaged); "
                                "pass --db PATH to the assistant's database or to a new file")
            _VERIFIED.add((info.st_dev, info.st_ino))
        return
    parent = path.parent
    try:
        if not parent.exists():
            private_dirs(parent)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except FileExistsError:
        pass  # another process created it first
    except OSError as exc:
        raise UserError(f"cannot create the database {path}: {exc.strerror}; pass --db PATH to a writable place") from None


def _owner_only(path: Path, info: os.stat_result | None = None) -> bool:
    """Drop the group's and others' permissions from PATH (INFO: its stat, if known) if this user owns it.

    Never widens (a read-only 0444 file becomes 0400) and never touches another user's file; a
    missing file, or a chmod that is not permitted (a read-only mount, a foreign filesystem), is
    not an error: the database still opens. True when the mode was changed.
    """
    try:
        info = info or path.stat()
        mode = stat.S_IMODE(info.st_mode)
        if not mode & 0o077 or info.st_uid != os.getuid():
            return False
        os.chmod(path, mode & ~0o077)
    except OSError:
        return False
    return True


def _tighten(path: Path, info: os.stat_result) -> None:
    """A database made before the embedded mode made its file the trust boundary (0644 in a 0755
    directory) becomes the owner's only when the assistant opens it: the file and SQLite's
    companions beside it, and the directory only when it is the assistant's own data directory
    (a --db in the current directory or any folder the user chose keeps that folder's mode)."""
    if _owner_only(path, info):
        for suffix in ("-wal", "-shm", "-journal"):
            _owner_only(path.with_name(path.name + suffix))
    if os.path.abspath(path.parent) == os.path.abspath(data_dir()):
        _owner_only(path.parent)


class Store:
    """An open database file, at the current schema version."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else default_db()
        _prepare_file(self.path)
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            conn.execute("PRAGMA foreign_keys=ON")
            self.conn = conn
            self._check_ours()
            info = self.path.stat()
            _VERIFIED.add((info.st_dev, info.st_ino))
            _tighten(self.path, info)
            conn.execute("PRAGMA journal_mode=WAL")
        except UserError:
            conn.close()
            raise
        except (OSError, sqlite3.DatabaseError) as exc:
            if "conn" in locals():
                conn.close()
            raise Unavailable(f"cannot open the database {self.path}: {_why(exc)}; "
                              "pass --db PATH to a writable database file") from None
        self.db = sqlite_utils.Database(conn)
        self._turns = _turns_of(self.path)
        self.fresh = False
        try:
            self._migrate()
            self._check_tables()
        except BaseException:
            conn.close()
            raise

    def _check_ours(self) -> None:
        """Refuse another program's SQLite file and a schema version that cannot be ours."""
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        tables = [r[0] for r in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        if app_id not in (0, APPLICATION_ID):
            raise UserError(f"{self.path} belongs to another program (SQLite application id {app_id:#x}); "
                            "pass --db PATH to the assistant's database or to a new file")
        if version < 0:
            raise UserError(f"{self.path} has schema version {version}, which no assistant writes (damaged?); "
                            "restore it from a backup or pass --db PATH to a new file")
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        if version == 0 and tables:
            raise UserError(f"{self.path} is another program's database (tables: {shown}); the assistant never "
                            "writes into it: pass --db PATH to the assistant's database or to a new file")
        if version > len(schema.MIGRATIONS):
            return  # a newer assistant's: `_migrate` says so
        missing = self._missing_tables(version, set(tables))
        if missing and app_id == 0 and len(missing) == len(schema.tables_of(schema.MIGRATIONS[:version])):
            # A schema version but none of our tables: someone else's file, never to be migrated into.
            raise UserError(f"{self.path} is another program's database (schema version {version}, tables: "
                            f"{shown or 'none'}); pass --db PATH to the assistant's database or to a new file")
        if missing:
            self._damaged(missing)

    @staticmethod
    def _missing_tables(version: int, have: set[str]) -> list[str]:
        return [t for t in schema.tables_of(schema.MIGRATIONS[:max(version, 0)]) if t not in have]

    def _damaged(self, missing: list[str]) -> None:
        raise UserError(f"the database {self.path} is damaged: table {', '.join(missing)} is missing; "
                        "restore it from a backup or pass --db PATH to a new file")

    def _check_tables(self) -> None:
        have = {r["name"] for r in self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = self._missing_tables(self.version, have)
        if missing:
            self._damaged(missing)

    def _migrate(self) -> None:
        version = self.version
        if version > len(schema.MIGRATIONS):
            raise UserError(f"the database {self.path} was written by a newer assistant (schema {version}); upgrade")
        if version == len(schema.MIGRATIONS):
            return
        with self.transaction():
            # Another process may have migrated while this one waited for the lock.
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            self.fresh = version == 0
            if self.fresh:
                self._check_ours()
                self.conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            for number, script in enumerate(schema.MIGRATIONS[version:], start=version + 1):
                for statement in statements(script):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version={number}")
            if not self.fresh and version < schema.LEARNED_STEP <= len(schema.MIGRATIONS):
                from ..learned import import_legacy

                import_legacy(self, self.path)  # in this transaction: a file it cannot read undoes the migration

    @property
    def version(self) -> int:
        with self._errors():
            return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """SQLite's failures (full disk, read-only file, damaged pages, numbers out of range) as UserErrors."""
        try:
            yield
        except OverflowError:
            raise UserError("a number is beyond the database's range (at most 9,223,372,036,854,775,807); "
                            "give a smaller number") from None
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
                raise Unavailable(f"the database {self.path} is busy (another assistant has been writing for "
                                  f"{BUSY_TIMEOUT_S} s); try again") from None
            if isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError):
                raise  # a bug in our SQL, not the user's doing
            raise Unavailable(f"the database {self.path} cannot be used: {_why(exc)}") from None

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One atomic unit of work: everything inside is committed together or not at all."""
        if self.conn.in_transaction:  # nested: a savepoint, so a failed inner unit leaves nothing behind
            yield from self._savepoint()
            return
        if not self._turns.take(BUSY_TIMEOUT_S):
            raise Unavailable(f"the database {self.path} is busy (another assistant has been writing for "
                              f"{BUSY_TIMEOUT_S} s); try again")
        try:
            yield from self._immediate()
        finally:
            self._turns.give()

    def _immediate(self) -> Iterator[sqlite_utils.Database]:
        """`BEGIN IMMEDIATE` ... `COMMIT`, rolled back on any failure."""
        with self._errors():
            self.conn.execute("BEGIN IMMEDIATE")
        try:
            with self._errors():
                yield self.db
        except BaseException:
            # SQLite has already rolled back by itself after some failures (a full disk, I/O errors).
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        try:
            with self._errors():
                self.conn.execute("COMMIT")
        finally:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")

    def _savepoint(self) -> Iterator[sqlite_utils.Database]:
        """A nested unit of work: undone alone when it fails; the outer transaction decides the rest."""
        self._nesting = getattr(self, "_nesting", 0) + 1
        name = f"nested_{self._nesting}"
        try:
            with self._errors():
                self.conn.execute(f"SAVEPOINT {name}")
            try:
                with self._errors():
                    yield self.db
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO {name}")
                    self.conn.execute(f"RELEASE {name}")
                raise
            with self._errors():
                self.conn.execute(f"RELEASE {name}")
        finally:
            self._nesting -= 1

    def atomically(self, work: Callable[[], T], key: str | None = None) -> T:
        """WORK in one transaction. `BEGIN IMMEDIATE` makes every writer wait its turn, so it never needs
        a retry, and KEY (which lets a server queue the writers of one account) has nothing to add."""
        with self.transaction():
            return work()

    @property
    def target(self) -> str:
        """What `open_store` needs to open this database again (from another process, say)."""
        return str(self.path)

    def table_names(self) -> list[str]:
        return self.db.table_names()

    def next_number(self, counter: str) -> int:
        """The next value of a named counter (call inside a transaction)."""
        with self._errors():
            self.conn.execute("INSERT INTO counters (name, value) VALUES (?, 1) "
                              "ON CONFLICT(name) DO UPDATE SET value = value + 1", (counter,))
            return self.conn.execute("SELECT value FROM counters WHERE name = ?", (counter,)).fetchone()[0]

    # The narrow interface the actions use. They speak portable SQL with `?` placeholders and
    # name tables and columns as constants of their own, never values a person typed.

    def rows(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        """Every row of a query, as dicts (a name two columns share made unique as sqlite-utils does:
        "id", "id_2"). On the connection itself: sqlite-utils' `query` wraps each statement in a
        savepoint of its own, three statements for one, and every request reads its token and account."""
        with self._errors():
            cursor = self.conn.execute(sql, params)
            if cursor.description is None:
                raise ValueError("Store.rows takes a statement that returns rows; use execute for others")
            keys = dedupe_keys(column[0] for column in cursor.description)
            return [dict(zip(keys, row)) for row in cursor.fetchall()]

    def row(self, sql: str, params: tuple | dict = ()) -> dict | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def execute(self, sql: str, params: tuple = ()) -> int:
        """Run one statement that returns no rows; the number of rows it changed."""
        with self._errors():
            return self.conn.execute(sql, params).rowcount

    def insert(self, table: str, row: dict) -> int | str:
        """Insert ROW into TABLE; its primary key (the new id for an `id INTEGER PRIMARY KEY`)."""
        with self._errors():
            return self.db[table].insert(row).last_pk

    def insert_all(self, table: str, rows: Iterable[dict]) -> None:
        """Insert many rows at once, in one prepared statement (a large send's chunk stays short)."""
        rows = list(rows)
        if not rows:
            return
        columns = list(dict.fromkeys(column for row in rows for column in row))
        names = ", ".join(f'"{column}"' for column in columns)
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
        plain = not any(isinstance(v, (dict, list, tuple)) for v in rows[0].values())
        with self._errors():
            self.conn.executemany(sql, ([row.get(column) for column in columns] if plain else
                                        [_plain(row.get(column)) for column in columns] for row in rows))

    def upsert(self, table: str, row: dict, pk: tuple[str, ...]) -> None:
        """Insert ROW, or update the row with the same values of the key columns PK."""
        with self._errors():
            self.db[table].upsert(row, pk=pk)

    def update(self, table: str, key: dict, values: dict) -> int:
        """Set VALUES on the rows of TABLE matching every column of KEY; how many rows changed."""
        sets = ", ".join(f'"{column}" = ?' for column in values)
        where = " AND ".join(f'"{column}" = ?' for column in key)
        return self.execute(f'UPDATE "{table}" SET {sets} WHERE {where}', (*values.values(), *key.values()))

    def settle(self) -> None:
        """Between the transactions of a bulk write (a large send's chunks): copy the write-ahead log
        into the database now, outside any transaction and without blocking other writers (PASSIVE),
        so that the log never reaches the size at which SQLite makes some other request's commit do
        it (a ticket or an inbox read waited for 1,000 pages to be copied and synced)."""
        if self.conn.in_transaction:
            return
        with self._errors():
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def close(self) -> None:
        self.conn.close()


def _plain(value: object) -> object:
    """A value as sqlite-utils would store it: lists and dicts as JSON text."""
    if isinstance(value, (dict, list, tuple)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return value


def _why(exc: BaseException) -> str:
    """SQLite's reason in words a person can act on."""
    text = str(exc)
    hints = {"readonly": "the file is read-only (check its permissions, or use a copy you can write)",
             "full": "the disk is full (free some space; nothing was changed)",
             "not a database": "it is not an SQLite database, or it is damaged",
             "malformed": "the file is damaged (restore it from a backup)",
             "unable to open": "the file or its directory cannot be opened (check the path and permissions)",
             "disk i/o": "the disk reported an I/O error (check the disk; nothing was changed)"}
    return next((why for key, why in hints.items() if key in text.lower()), text)
