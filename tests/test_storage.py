"""Choosing the engine: a path opens the file, a postgresql:// URL the server, with clear errors."""

import sys

import pytest

from assistant.errors import UserError
from assistant.paths import database_target, learned_file
from assistant.storage import is_server_url, open_store
from assistant.store import MIGRATIONS, Store


@pytest.mark.parametrize("target", ["postgresql://me@db.example:5432/support", "postgres://me@host/db",
                                    "POSTGRESQL://me@host/db"])
def test_a_postgresql_url_names_a_server(target):
    assert is_server_url(target)


def test_a_path_opens_the_sqlite_file(tmp_path):
    store = open_store(str(tmp_path / "x.db"))
    assert isinstance(store, Store) and store.version == len(MIGRATIONS)


def test_assistant_db_may_hold_a_url_and_per_user_files_then_go_to_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_DB", "postgresql://me@host:5432/support")
    assert database_target(None) == "postgresql://me@host:5432/support"
    assert learned_file(None) == tmp_path / "assistant" / "learned.json"


def test_a_url_without_the_driver_installed_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.delitem(sys.modules, "assistant.storage.postgres", raising=False)
    with pytest.raises(UserError, match=r"pip install '.*\[postgres\]'"):
        open_store("postgresql://me@127.0.0.1:1/support")


def test_the_cli_says_so_in_one_line(run, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.delitem(sys.modules, "assistant.storage.postgres", raising=False)
    result = run("--db", "postgresql://me@127.0.0.1:1/support", "admin", "account", "list")
    assert result.code != 0
    assert result.err.strip().count("\n") == 0 and "[postgres]" in result.err


def test_an_unreachable_server_is_a_clear_error():
    pytest.importorskip("psycopg")
    with pytest.raises(UserError, match=r"cannot connect to the database postgresql://me@127.0.0.1:1/support: .*; check"):
        open_store("postgresql://me:secret@127.0.0.1:1/support?connect_timeout=2")
