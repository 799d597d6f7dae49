"""SQLite storage of accounts, signatures, templates, sends, tickets and the audit trail.

One file, opened through sqlite-utils. WAL mode and a busy timeout let two assistants (an agent
and a manager) share it. The schema carries its version in `PRAGMA user_version` and upgrades
itself step by step. Every action runs in `transaction()`, a `BEGIN IMMEDIATE` that takes the
write lock up front, so a killed process leaves either the whole action or nothing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from .errors import UserError
from .paths import default_db

BUSY_TIMEOUT_S = 10

# Each step takes the schema from version N to N+1; never edit a released step, add one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE accounts (
        name TEXT PRIMARY KEY,
        industry TEXT NOT NULL,
        enabled_at TEXT,
        digital_balance INTEGER NOT NULL DEFAULT 0,
        sms_balance INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE profile_names (
        account TEXT NOT NULL REFERENCES accounts(name),
        source TEXT NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (account, source, name)
    );
    CREATE TABLE signatures (
        id INTEGER PRIMARY KEY,
        account TEXT NOT NULL REFERENCES accounts(name),
        name TEXT NOT NULL,
        source TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        round INTEGER NOT NULL DEFAULT 1,
        UNIQUE (account, name)
    );
    CREATE TABLE signature_reviews (
        signature_id INTEGER NOT NULL REFERENCES signatures(id),
        carrier TEXT NOT NULL,
        decided_on TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT,
        PRIMARY KEY (signature_id, carrier)
    );
    CREATE TABLE templates (
        code TEXT PRIMARY KEY,
        account TEXT NOT NULL REFERENCES accounts(name),
        name TEXT NOT NULL,
        signature TEXT NOT NULL,
        industry TEXT NOT NULL,
        text TEXT NOT NULL,
        variables TEXT NOT NULL,
        frames TEXT NOT NULL,
        letter TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE template_reviews (
        code TEXT NOT NULL REFERENCES templates(code),
        carrier TEXT NOT NULL,
        decided_on TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT,
        decided_by TEXT NOT NULL DEFAULT 'carrier',
        PRIMARY KEY (code, carrier)
    );
    CREATE TABLE requests (
        request_id TEXT PRIMARY KEY,
        account TEXT NOT NULL REFERENCES accounts(name),
        template TEXT NOT NULL,
        created_at TEXT NOT NULL,
        total INTEGER NOT NULL,
        sent INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        actor TEXT NOT NULL
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        request_id TEXT NOT NULL REFERENCES requests(request_id),
        account TEXT NOT NULL,
        phone TEXT NOT NULL,
        carrier TEXT,
        template TEXT NOT NULL,
        status TEXT NOT NULL,
        error_code TEXT,
        detail TEXT,
        sent_at TEXT NOT NULL
    );
    CREATE INDEX messages_by_number ON messages (account, phone, sent_at);
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        account TEXT,
        action TEXT NOT NULL,
        target TEXT,
        result TEXT NOT NULL,
        detail TEXT
    );
    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    """,
    """
    CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        account TEXT NOT NULL REFERENCES accounts(name),
        summary TEXT NOT NULL,
        reason TEXT NOT NULL,
        detail TEXT,
        priority TEXT NOT NULL,
        status TEXT NOT NULL,
        owner TEXT,
        context TEXT NOT NULL,
        conversation TEXT NOT NULL,
        send_date TEXT,
        resolution TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX tickets_by_status ON tickets (status, priority, created_at);
    CREATE TABLE ticket_events (
        id INTEGER PRIMARY KEY,
        ticket INTEGER NOT NULL REFERENCES tickets(id),
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        event TEXT NOT NULL,
        detail TEXT
    );
    CREATE TABLE ticket_messages (
        id INTEGER PRIMARY KEY,
        ticket INTEGER NOT NULL REFERENCES tickets(id),
        account TEXT NOT NULL,
        at TEXT NOT NULL,
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        seen_at TEXT
    );
    CREATE TABLE gaps (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        account TEXT,
        question TEXT NOT NULL,
        best TEXT,
        score REAL NOT NULL,
        kind TEXT NOT NULL
    );
    CREATE INDEX gaps_by_time ON gaps (at);
    """,
]


class Store:
    """An open database file, at the current schema version."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else default_db()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        except (OSError, sqlite3.DatabaseError) as exc:
            raise UserError(f"cannot open the database {self.path}: {exc}; pass --db PATH to a writable file") from None
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self.fresh = False
        self._migrate()

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise UserError(f"the database {self.path} was written by a newer assistant (schema {version}); upgrade")
        if version == len(MIGRATIONS):
            return
        with self.transaction():
            # Another process may have migrated while this one waited for the lock.
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            self.fresh = version == 0
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version={number}")

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One atomic unit of work: everything inside is committed together or not at all."""
        if self.conn.in_transaction:  # nested: the outer transaction decides
            yield self.db
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise UserError(f"the database {self.path} is busy (another assistant has been writing for "
                                f"{BUSY_TIMEOUT_S} s); try again") from None
            raise
        try:
            yield self.db
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def next_number(self, counter: str) -> int:
        """The next value of a named counter (call inside a transaction)."""
        self.conn.execute("INSERT INTO counters (name, value) VALUES (?, 1) "
                          "ON CONFLICT(name) DO UPDATE SET value = value + 1", (counter,))
        return self.conn.execute("SELECT value FROM counters WHERE name = ?", (counter,)).fetchone()[0]

    def rows(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        return [dict(r) for r in self.db.query(sql, params)]

    def row(self, sql: str, params: tuple | dict = ()) -> dict | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def execute(self, sql: str, params: tuple | dict = ()) -> None:
        """Run one portable SQL statement (call inside a transaction)."""
        self.conn.execute(sql, params)

    def close(self) -> None:
        self.conn.close()
