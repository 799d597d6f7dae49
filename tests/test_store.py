"""The database file: schema version, WAL, transactions that leave nothing half-written."""

import sqlite3

import pytest

from assistant.paths import default_db
from assistant.store import MIGRATIONS, Store


def test_a_new_file_gets_the_current_schema_version_and_wal(tmp_path):
    store = Store(tmp_path / "assistant.db")
    assert store.version == len(MIGRATIONS)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_an_upgraded_file_changes_nothing(tmp_path):
    Store(tmp_path / "a.db").close()
    again = Store(tmp_path / "a.db")
    assert again.version == len(MIGRATIONS) and not again.fresh


def test_an_older_schema_is_upgraded_in_place(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    monkeypatch.setattr("assistant.store.MIGRATIONS", MIGRATIONS[:1])
    Store(path).close()
    monkeypatch.setattr("assistant.store.MIGRATIONS", MIGRATIONS + ["CREATE TABLE extra (x INTEGER)"])
    upgraded = Store(path)
    assert upgraded.version == len(MIGRATIONS) + 1
    assert "extra" in upgraded.db.table_names()


def test_a_failed_transaction_leaves_nothing_behind(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.insert("counters", {"name": "x", "value": 1})
        raise RuntimeError("killed half-way")
    assert store.rows("SELECT * FROM counters") == []


def test_two_connections_share_one_file(tmp_path):
    first, second = Store(tmp_path / "shared.db"), Store(tmp_path / "shared.db")
    with first.transaction():
        first.next_number("ticket")
    with second.transaction():
        assert second.next_number("ticket") == 2


def test_a_newer_schema_is_refused_with_a_clear_error(tmp_path):
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 5}")
    conn.close()
    with pytest.raises(Exception, match="newer assistant"):
        Store(path)


def test_default_location_follows_xdg_and_the_override(monkeypatch, tmp_path):
    monkeypatch.delenv("ASSISTANT_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_db() == tmp_path / "assistant" / "assistant.db"
    monkeypatch.setenv("ASSISTANT_DB", str(tmp_path / "x.db"))
    assert default_db() == tmp_path / "x.db"


def test_a_database_held_by_another_writer_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr("assistant.store.BUSY_TIMEOUT_S", 0)
    first, second = Store(tmp_path / "busy.db"), Store(tmp_path / "busy.db")
    second.conn.execute("PRAGMA busy_timeout=0")
    with first.transaction(), pytest.raises(Exception, match="is busy"), second.transaction():
        pass
