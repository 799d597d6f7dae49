"""`assistant admin migrate`: copy an embedded SQLite database into an empty PostgreSQL one.

Every table the migrations made is copied, parents before children (by their foreign keys), in
one transaction on the target: a target that already holds data is refused, the row counts of
both sides are compared before the commit, and any failure leaves the target as it was.
"""

from __future__ import annotations

from graphlib import TopologicalSorter

import psycopg
from psycopg import sql

from ..errors import UserError
from ..storage.sqlite import Store
from .postgres import PostgresStore, adapt, shown


def _source_tables(source: Store) -> list[str]:
    """The source's tables, each after the tables its foreign keys point at."""
    names = [t for t in source.table_names() if not t.startswith("sqlite_")]
    graph = {t: {fk[2] for fk in source.conn.execute(f'PRAGMA foreign_key_list("{t}")') if fk[2] != t} for t in names}
    return list(TopologicalSorter(graph).static_order())


def _count(store: Store | PostgresStore, table: str) -> int:
    return store.row(f'SELECT COUNT(*) AS n FROM "{table}"')["n"]


def _reset_identities(target: PostgresStore, table: str) -> None:
    """Make the table's identity column continue after the largest copied id."""
    for column in target.rows("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                              "AND table_name = ? AND is_identity = 'YES'", (table,)):
        name = column["column_name"]
        target.conn.execute(sql.SQL("SELECT setval(pg_get_serial_sequence(%s, %s), GREATEST(COALESCE(MAX({c}), 0), 1), "
                                    "MAX({c}) IS NOT NULL) FROM {t}").format(c=sql.Identifier(name), t=sql.Identifier(table)),
                            (sql.Identifier(table).as_string(target.conn), name))


def _copy_table(source: Store, target: PostgresStore, table: str) -> None:
    columns = [c[1] for c in source.conn.execute(f'PRAGMA table_info("{table}")')]
    select = "SELECT " + ", ".join(f'"{c}"' for c in columns) + f' FROM "{table}"'
    copy = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
    with target.conn.cursor() as cursor, cursor.copy(copy) as stream:
        for values in source.conn.execute(select):
            stream.write_row([adapt(v) for v in values])


def copy_database(source: Store, target: PostgresStore) -> dict[str, int]:
    """Copy every table of SOURCE into the empty TARGET; the number of rows of each table copied."""
    tables = _source_tables(source)
    missing = sorted(set(tables) - set(target.table_names()))
    if missing:
        raise UserError(f"the target {shown(target.url)} has no table {', '.join(missing)}; "
                        "it was made by another version of the assistant")
    with source.transaction():  # one consistent snapshot of the file
        counts = {table: _count(source, table) for table in tables}
        with target.transaction():
            held = {t: n for t in target.table_names() if (n := _count(target, t))}
            if held:
                listed = ", ".join(f"{t}: {n}" for t, n in sorted(held.items()))
                raise UserError(f"the target {shown(target.url)} already holds data ({listed}); "
                                "migrate into an empty database")
            for table in tables:
                try:
                    _copy_table(source, target, table)
                    _reset_identities(target, table)
                except psycopg.DataError as exc:
                    raise UserError(f"cannot copy table {table}: {str(exc).strip().splitlines()[0]}; "
                                    "nothing was written") from None
            copied = {table: _count(target, table) for table in tables}
            if copied != counts:
                wrong = ", ".join(f"{t}: {counts[t]} read, {copied[t]} written" for t in tables if copied[t] != counts[t])
                raise UserError(f"the copy does not match the source ({wrong}); nothing was written")
    return counts
