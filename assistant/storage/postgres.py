"""The PostgreSQL engine: the same `Store` methods over one psycopg 3 connection.

Concurrency: every write transaction is SERIALIZABLE, and `atomically` runs the whole unit of
work again when PostgreSQL reports a serialization failure, a deadlock or a unique-key clash.
We chose that over row locks because the actions are written as read-check-write (read the balance, decide, write the
new balance; read the owner, decide, claim) in portable SQL with no `FOR UPDATE`: serializable
isolation makes each of those correct as written, including steps other engineers add later,
without the actions naming the rows they depend on. The price is a retry under contention,
bounded by the same 10 s the SQLite file waits for its write lock; an action that lost once
retries queued behind the other retries of its account (an advisory lock), so none starves.
Reads outside a transaction run in autocommit, each on a fresh snapshot. The retry policy is
`base.retrying`, used by `atomically` for every transaction: conflicts are run again with backoff,
and a connection found broken (a server restart, a stale connection) is opened again and the
transaction, or the read, run once more.

Nothing waits on the server without a bound: connecting (`CONNECT_TIMEOUT_S`), each statement
(`statement_timeout`), each lock (`lock_timeout`) and an idle transaction (its session is ended).
Failures of the server itself are `Unavailable` (the service answers 503 and logs the detail).

A killed client leaves nothing half-written: its open transaction dies with its connection and
the server rolls it back. Migrations run in a READ COMMITTED transaction behind an advisory lock,
so two first users of an empty database create the schema once.

One connection per process is enough for a command-line client, so no pool is used.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from decimal import Decimal
from typing import Any, TypeVar

import psycopg
from psycopg import errors, sql
from psycopg.adapt import Loader
from psycopg.rows import dict_row

from ..errors import Unavailable, UserError
from . import (
    base,
    dialect,
    schema,  # MIGRATIONS is read at open time, so a later step is seen
)

T = TypeVar("T")

VERSION_TABLE = "schema_version"
MIGRATION_LOCK = 0x61737374  # an arbitrary advisory-lock key of our own ("asst")
ACCOUNT_LOCKS = 0x61636374  # the first half of the two-part advisory-lock keys of accounts ("acct")
# PostgreSQL's documentation advises retrying unique-key failures of serializable transactions too:
# two clients inserting the same key each saw it absent; the re-run sees it and decides again.
_RETRYABLE = (errors.SerializationFailure, errors.DeadlockDetected, errors.UniqueViolation, errors.LockNotAvailable)
CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_S = base.BUSY_TIMEOUT_S
IDLE_IN_TRANSACTION_S = 60
WATCHDOG_GRACE_S = 2  # past statement_timeout, a server that has not answered is taken for hung


class _Watchdog:
    """Ends the connection of a statement that waited past its deadline for the server's answer.

    statement_timeout is enforced by the server; a server that stopped answering (stopped, a
    network path gone dead) never enforces it, and libpq would wait for ever, holding a thread of
    the service. One daemon thread per process shuts down such a connection's socket: the waiting
    statement then fails as a broken connection (and `Unavailable` reaches the caller).
    """

    def __init__(self) -> None:
        self._due: dict[object, tuple[float, int]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @contextmanager
    def watch(self, conn: psycopg.Connection, seconds: float) -> Iterator[None]:
        try:
            fd = conn.pgconn.socket
        except psycopg.Error:
            yield  # a closed connection: the statement fails at once on its own
            return
        ticket = object()
        with self._lock:
            self._due[ticket] = (time.monotonic() + seconds, fd)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="pg-watchdog", daemon=True)
                self._thread.start()
        try:
            yield
        finally:
            with self._lock:  # never while a shutdown of this socket is under way (see _run)
                self._due.pop(ticket, None)

    def _run(self) -> None:
        while True:
            time.sleep(0.25)
            now = time.monotonic()
            with self._lock:  # held while shutting down: the statement cannot finish and free its fd meanwhile
                for ticket, (deadline, fd) in list(self._due.items()):
                    if deadline <= now:
                        del self._due[ticket]
                        with suppress(OSError), socket.socket(fileno=os.dup(fd)) as sock:
                            sock.shutdown(socket.SHUT_RDWR)


_WATCHDOG = _Watchdog()


class _NumberLoader(Loader):
    """NUMERIC (what SUM over BIGINT returns) as int when whole, else float, as SQLite gives them."""

    def load(self, data: Any) -> int | float:
        value = Decimal(bytes(data).decode())
        return int(value) if value == value.to_integral_value() else float(value)


def shown(url: str) -> str:
    """URL without its password or options, fit for an error message."""
    url = re.sub(r"://([^:@/]*):[^@/]*@", r"://\1@", url)
    return url.split("?", 1)[0]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def adapt(value: Any) -> Any:
    """A Python value as SQLite would have stored it: bools as 0/1. PostgreSQL text cannot hold
    NUL, so a NUL a person typed is kept as U+FFFD rather than refusing the whole action."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "\ufffd")
    return value


class PostgresStore:
    """A PostgreSQL database at the current schema version, with the methods of `assistant.storage.sqlite.Store`."""

    def __init__(self, url: str):
        self.url = url
        self.path = None
        self.fresh = False
        self._depth = 0
        self._keys: dict[str, tuple[str, ...]] = {}
        self.conn = self._connect()
        self._migrate()

    @property
    def target(self) -> str:
        return self.url

    def _connect(self) -> psycopg.Connection:
        try:
            conn = self._open(self.url)
        except psycopg.OperationalError as exc:
            if "does not exist" not in str(exc) or not self._create_database():
                raise self._unreachable(exc) from None
            try:
                conn = self._open(self.url)
            except psycopg.OperationalError as again:
                raise self._unreachable(again) from None
        conn.adapters.register_loader("numeric", _NumberLoader)
        return conn

    def _unreachable(self, exc: BaseException) -> Unavailable:
        return Unavailable(f"cannot connect to the database {shown(self.url)}: {_first_line(exc)}; "
                           "check the URL and that the server is running")

    @staticmethod
    def _open(url: str) -> psycopg.Connection:
        # lock_timeout bounds every wait for a lock (a row, an account's queue) as the file's busy timeout
        # does; statement_timeout any statement; a transaction left idle (a stuck client) is ended.
        conn = psycopg.connect(url, autocommit=True, row_factory=dict_row, connect_timeout=CONNECT_TIMEOUT_S)
        conn.execute(f"SET lock_timeout = {base.BUSY_TIMEOUT_S * 1000}; "
                     f"SET statement_timeout = {STATEMENT_TIMEOUT_S * 1000}; "
                     f"SET idle_in_transaction_session_timeout = {IDLE_IN_TRANSACTION_S * 1000}")
        return conn

    def _create_database(self) -> bool:
        """Create the database the URL names, as a first use creates a SQLite file; False if not allowed."""
        info = psycopg.conninfo.conninfo_to_dict(self.url)
        name = info.get("dbname")
        if not name:
            return False
        maintenance = psycopg.conninfo.make_conninfo(self.url, dbname="postgres")
        try:
            with self._open(maintenance) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name)))
        except errors.DuplicateDatabase:
            return True
        except psycopg.Error:
            return False
        return True

    # --- schema ------------------------------------------------------------------------------

    def _tables(self) -> list[str]:
        found = self.conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                                  "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()
        return [r["table_name"] for r in found]

    def _version(self) -> int | None:
        if not self.conn.execute("SELECT to_regclass(%s) AS t", (VERSION_TABLE,)).fetchone()["t"]:
            return None
        row = self.conn.execute(f"SELECT version FROM {VERSION_TABLE}").fetchone()
        return row["version"] if row else 0

    @property
    def version(self) -> int:
        return self._version() or 0

    def _migrate(self) -> None:
        version = self._version()
        if version is not None and version > len(schema.MIGRATIONS):
            raise UserError(f"the database {shown(self.url)} was written by a newer assistant (schema {version}); upgrade")
        if version == len(schema.MIGRATIONS):
            return
        with self._transaction("READ COMMITTED"):
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            version = self._version()  # another client may have migrated while this one waited
            if version is None:
                if self._tables():
                    raise UserError(f"the database {shown(self.url)} holds tables the assistant did not create "
                                    f"({', '.join(self._tables()[:5])}); point --db at an empty database")
                self.conn.execute(f"CREATE TABLE {VERSION_TABLE} (version INTEGER NOT NULL)")
                self.conn.execute(f"INSERT INTO {VERSION_TABLE} (version) VALUES (0)")
                version = 0
            if version > len(schema.MIGRATIONS):
                raise UserError(f"the database {shown(self.url)} was written by a newer assistant (schema {version}); upgrade")
            self.fresh = version == 0
            for number, script in enumerate(schema.MIGRATIONS[version:], start=version + 1):
                for statement in dialect.statements(script):
                    try:
                        self.conn.execute(dialect.ddl(statement))
                    except psycopg.Error as exc:
                        raise UserError(f"schema step {number} does not run on PostgreSQL ({_first_line(exc)}) in: "
                                        f"{' '.join(statement.split())[:80]}; write it in portable DDL") from None
                self.conn.execute(f"UPDATE {VERSION_TABLE} SET version = %s", (number,))
            if not self.fresh and version < schema.LEARNED_STEP <= len(schema.MIGRATIONS):
                from ..learned import import_legacy

                import_legacy(self, self.url)  # in this transaction: a file it cannot read undoes the migration

    # --- transactions ------------------------------------------------------------------------

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Driver errors a person can act on as one-line UserErrors; conflicts pass through for a retry."""
        try:
            with _WATCHDOG.watch(self.conn, STATEMENT_TIMEOUT_S + WATCHDOG_GRACE_S):
                yield
        except _RETRYABLE:
            raise
        except psycopg.DataError as exc:
            raise UserError(f"the database refused a value: {_first_line(exc)}; check the numbers and text given") from None
        except errors.QueryCanceled as exc:
            raise Unavailable(f"the database {shown(self.url)} did not finish a statement in time "
                              f"({_first_line(exc)}); nothing of this action was kept; try again") from None
        except psycopg.OperationalError as exc:
            if not (self.conn.closed or self.conn.broken):
                raise Unavailable(f"the database {shown(self.url)} failed: {_first_line(exc)}; try again") from None
            self._depth = 0
            with suppress(psycopg.Error):
                self.conn.close()
            self.conn = self._connect()  # a working connection for the retry, or Unavailable here
            raise base.Lost(f"lost the connection to the database {shown(self.url)} ({_first_line(exc)}); "
                            "nothing of this action was kept; try again") from None

    def _exec(self, query: Any, params: tuple | dict = (), again: bool = False) -> psycopg.Cursor:
        """Run QUERY. With AGAIN (a read, or BEGIN, outside a transaction) a connection found broken is
        opened again and QUERY run once more: nothing of it can have taken effect."""
        try:
            with self._guard():
                return self.conn.execute(query, params)
        except base.Lost:
            if not again:
                raise
        with self._guard():
            return self.conn.execute(query, params)

    @contextmanager
    def _transaction(self, level: str) -> Iterator[PostgresStore]:
        if self._depth:  # nested: a savepoint, so a failed inner unit leaves nothing behind
            self._depth += 1
            name = f"nested_{self._depth}"
            conn = self.conn
            try:
                self._exec(f"SAVEPOINT {name}")
                try:
                    yield self
                except BaseException:
                    if conn is self.conn and not conn.broken:  # a retryable failure is the outer one's to retry
                        with suppress(psycopg.Error):
                            conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    raise
                self._exec(f"RELEASE SAVEPOINT {name}")
            finally:
                self._depth = max(self._depth - 1, 0) if conn is self.conn else 0
            return
        self._exec(f"BEGIN ISOLATION LEVEL {level}", again=True)
        self._depth = 1
        try:
            yield self
        except BaseException as exc:
            self._depth = 0
            self._rollback()
            if isinstance(exc, _RETRYABLE):
                raise self._conflict() from None
            raise
        self._depth = 0
        try:
            self._exec("COMMIT")
        except _RETRYABLE:
            self._rollback()
            raise self._conflict() from None
        except base.Lost:  # the server may have committed before the connection broke: never run it again
            raise Unavailable(f"lost the connection to the database {shown(self.url)} while committing; "
                              "check whether the action was done before repeating it") from None

    def _rollback(self) -> None:
        if not self.conn.closed and self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            with suppress(psycopg.OperationalError):
                self.conn.execute("ROLLBACK")

    def _conflict(self) -> base.Conflict:
        return base.Conflict(f"the database {shown(self.url)} is busy (concurrent changes kept conflicting for "
                             f"{base.BUSY_TIMEOUT_S} s); try again")

    def transaction(self) -> contextmanager:
        """One atomic, serializable unit of work: everything inside is committed together or not at all."""
        return self._transaction("SERIALIZABLE")

    def atomically(self, work: Callable[[], T], key: str | None = None) -> T:
        """WORK in one transaction, run again from the start if a concurrent transaction made it conflict.

        With KEY (the account an action works in), a first attempt that conflicts is retried
        holding an advisory lock on the key, taken before the transaction starts: the retries of
        one account then queue instead of losing to each other again and again (that cut the
        99th-percentile send from about 0.8 s to 0.3-0.6 s in benchmarks/bench_store.py).
        Serializable isolation still decides what is correct, across accounts too.
        """
        if self._depth:
            with self.transaction():  # a savepoint: the outer transaction's retry covers this work
                return work()
        return base.retrying(self.transaction, work, base.BUSY_TIMEOUT_S,
                             queue=(lambda: self._queued(key)) if key is not None else nullcontext)

    @contextmanager
    def _queued(self, key: str) -> Iterator[None]:
        """Hold the advisory lock of KEY (an account) while the retries of its transactions run."""
        lock = (ACCOUNT_LOCKS, zlib.crc32(key.encode("utf-8")) - 2**31)
        try:
            self._exec("SELECT pg_advisory_lock(%s, %s)", lock)
        except errors.LockNotAvailable:
            raise self._conflict() from None
        conn = self.conn
        try:
            yield
        finally:
            if conn is self.conn and not conn.closed:  # a lock of a broken connection died with it
                with suppress(psycopg.Error):
                    conn.execute("SELECT pg_advisory_unlock(%s, %s)", lock)

    def next_number(self, counter: str) -> int:
        """The next value of a named counter (call inside a transaction)."""
        return self._exec("INSERT INTO counters (name, value) VALUES (%s, 1) ON CONFLICT (name) "
                                 "DO UPDATE SET value = counters.value + 1 RETURNING value", (counter,)).fetchone()["value"]

    # --- the narrow interface the actions use --------------------------------------------------

    def _run(self, query: str, params: tuple | dict, again: bool = False) -> psycopg.Cursor:
        named = isinstance(params, dict)
        values = {k: adapt(v) for k, v in params.items()} if named else tuple(adapt(v) for v in params)
        return self._exec(dialect.placeholders(query, named), values, again)

    def rows(self, query: str, params: tuple | dict = ()) -> list[dict]:
        """Every row of a query, as dicts."""
        return self._run(query, params, again=not self._depth).fetchall()

    def row(self, query: str, params: tuple | dict = ()) -> dict | None:
        found = self.rows(query, params)
        return found[0] if found else None

    def execute(self, query: str, params: tuple = ()) -> int:
        """Run one statement that returns no rows; the number of rows it changed."""
        return self._run(query, params).rowcount

    def primary_key(self, table: str) -> tuple[str, ...]:
        """The primary-key columns of TABLE, in key order."""
        if table not in self._keys:
            found = self.conn.execute(
                "SELECT a.attname FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) "
                "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                "WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY k.n", (dialect.quote(table),)).fetchall()
            self._keys[table] = tuple(r["attname"] for r in found)
        return self._keys[table]

    def _insert_sql(self, table: str, columns: Iterable[str]) -> sql.Composed:
        columns = list(columns)
        return sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.SQL(", ").join(sql.Placeholder() * len(columns)))

    def insert(self, table: str, row: dict) -> Any:
        """Insert ROW into TABLE; its primary key (the new id for an `id INTEGER PRIMARY KEY`)."""
        key = self.primary_key(table)
        query = self._insert_sql(table, row)
        if key:
            query = sql.SQL("{} RETURNING {}").format(query, sql.SQL(", ").join(map(sql.Identifier, key)))
        cursor = self._exec(query, tuple(adapt(v) for v in row.values()))
        if not key:
            return None
        found = cursor.fetchone()
        return found[key[0]] if len(key) == 1 else tuple(found[k] for k in key)

    def insert_all(self, table: str, rows: Iterable[dict]) -> None:
        """Insert many rows at once, streamed through COPY."""
        rows = list(rows)
        if not rows:
            return
        columns = list(dict.fromkeys(column for row in rows for column in row))
        copy = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
        with self._guard(), self.conn.cursor() as cursor, cursor.copy(copy) as stream:
            for row in rows:
                stream.write_row([adapt(row.get(column)) for column in columns])

    def upsert(self, table: str, row: dict, pk: tuple[str, ...]) -> None:
        """Insert ROW, or update the row with the same values of the key columns PK."""
        others = [c for c in row if c not in pk]
        action = (sql.SQL("DO UPDATE SET {}").format(sql.SQL(", ").join(
            sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(c), sql.Identifier(c)) for c in others))
            if others else sql.SQL("DO NOTHING"))
        query = sql.SQL("{} ON CONFLICT ({}) {}").format(self._insert_sql(table, row),
                                                         sql.SQL(", ").join(map(sql.Identifier, pk)), action)
        self._exec(query, tuple(adapt(v) for v in row.values()))

    def update(self, table: str, key: dict, values: dict) -> int:
        """Set VALUES on the rows of TABLE matching every column of KEY; how many rows changed."""
        sets = ", ".join(f"{dialect.quote(column)} = ?" for column in values)
        where = " AND ".join(f"{dialect.quote(column)} = ?" for column in key)
        return self.execute(f"UPDATE {dialect.quote(table)} SET {sets} WHERE {where}", (*values.values(), *key.values()))

    def table_names(self) -> list[str]:
        """The assistant's tables (the schema-version table aside)."""
        return [t for t in self._tables() if t != VERSION_TABLE]

    def settle(self) -> None:
        """Between the transactions of a bulk write: the server does its own housekeeping (nothing to do)."""

    def close(self) -> None:
        self.conn.close()
