"""Choosing the engine: a path opens the file, a postgresql:// URL the server, with clear errors."""

import sys
import uuid

import pytest
from conftest import TEST_POSTGRES

from assistant.errors import UserError
from assistant.paths import database_target, learned_file
from assistant.storage import is_server_url, open_store
from assistant.storage.schema import MIGRATIONS
from assistant.storage.sqlite import Store


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
    result = run("--db", "postgresql://me@127.0.0.1:1/support", "--role", "admin", "admin", "account", "list")
    assert result.code != 0
    assert result.err.strip().count("\n") == 0 and "[postgres]" in result.err


def test_an_unreachable_server_is_a_clear_error():
    pytest.importorskip("psycopg")
    with pytest.raises(UserError, match=r"cannot connect to the database postgresql://me@127.0.0.1:1/support: .*; check"):
        open_store("postgresql://me:secret@127.0.0.1:1/support?connect_timeout=2")


def test_a_missing_server_database_is_created_on_first_use_like_a_new_file():
    from conftest import TEST_POSTGRES

    if not TEST_POSTGRES:
        pytest.skip("needs ASSISTANT_TEST_POSTGRES (a PostgreSQL server URL)")
    import psycopg
    from psycopg.conninfo import make_conninfo

    name = f"assistant_new_{uuid.uuid4().hex[:12]}"
    url = TEST_POSTGRES.rsplit("/", 1)[0] + "/" + name
    try:
        store = open_store(url)
        assert store.fresh and store.version == len(MIGRATIONS)
        store.close()
        again = open_store(url)
        assert not again.fresh and again.version == len(MIGRATIONS)
        again.close()
    finally:
        with psycopg.connect(make_conninfo(TEST_POSTGRES, dbname="postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_an_older_schema_is_upgraded_in_place_on_either_engine(db_target, monkeypatch):
    monkeypatch.setattr("assistant.storage.schema.MIGRATIONS", MIGRATIONS[:1])
    open_store(db_target).close()
    monkeypatch.setattr("assistant.storage.schema.MIGRATIONS", MIGRATIONS + [
        "CREATE TABLE extra (id INTEGER PRIMARY KEY, score REAL, note TEXT DEFAULT 'a;b')"])
    upgraded = open_store(db_target)
    assert upgraded.version == len(MIGRATIONS) + 1 and not upgraded.fresh
    assert "tickets" in upgraded.table_names() and "extra" in upgraded.table_names()
    with upgraded.transaction():
        first = upgraded.insert("extra", {"score": 0.5})
        assert upgraded.insert("extra", {"score": 1.5}) == first + 1
    assert upgraded.rows("SELECT score, note FROM extra ORDER BY id") == [{"score": 0.5, "note": "a;b"},
                                                                          {"score": 1.5, "note": "a;b"}]


def test_a_server_schema_from_a_newer_assistant_is_refused(store):
    if isinstance(store, Store):
        pytest.skip("the file's case is in test_store.py")
    store.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS) + 5,))
    with pytest.raises(UserError, match="newer assistant"):
        open_store(store.target)


def test_a_server_database_holding_other_tables_is_refused(db_target, backend):
    if backend != "postgres":
        pytest.skip("needs a server")
    import psycopg

    with psycopg.connect(db_target, autocommit=True) as conn:
        conn.execute("CREATE TABLE payroll (who TEXT)")
    with pytest.raises(UserError, match=r"holds tables the assistant did not create \(payroll\); point --db"):
        open_store(db_target)


def test_the_narrow_interface_behaves_the_same_on_both_engines(store):
    with store.transaction():
        store.insert("accounts", {"name": "acme", "industry": "retail", "digital_balance": 3, "sms_balance": 0,
                                  "created_at": "2026-03-02 10:00:00"})
        ticket = store.insert("tickets", {"account": "acme", "summary": "s", "reason": "r", "priority": "normal",
                                          "status": "open", "context": "{}", "conversation": "[]",
                                          "created_at": "t", "updated_at": "t"})
        store.upsert("profile_names", {"account": "acme", "source": "app", "name": "AcmePay"}, pk=("account", "source", "name"))
        store.upsert("profile_names", {"account": "acme", "source": "app", "name": "AcmePay"}, pk=("account", "source", "name"))
        store.insert_all("gaps", [{"at": "t", "question": f"q{n} 100%", "score": n / 4, "kind": "no_match"} for n in range(3)])
        assert store.next_number("template") == 1 and store.next_number("template") == 2
    assert ticket == 1
    assert store.update("accounts", {"name": "acme"}, {"digital_balance": 4}) == 1
    assert store.execute("UPDATE accounts SET sms_balance = sms_balance + ? WHERE name = ?", (2, "nobody")) == 0
    assert store.row("SELECT digital_balance + sms_balance AS total FROM accounts WHERE name = :name", {"name": "acme"}) == \
        {"total": 4}
    assert store.rows("SELECT question, score FROM gaps WHERE question LIKE 'q%' ORDER BY id") == \
        [{"question": "q0 100%", "score": 0.0}, {"question": "q1 100%", "score": 0.25}, {"question": "q2 100%", "score": 0.5}]
    assert store.row("SELECT SUM(digital_balance) AS n, COUNT(*) AS c FROM accounts") == {"n": 4, "c": 1}
    assert store.rows("SELECT name FROM profile_names WHERE account = ?", ("acme",)) == [{"name": "AcmePay"}]
    assert store.row("SELECT * FROM accounts WHERE name = ?", ("nobody",)) is None


def _server_store(store):
    if isinstance(store, Store):
        pytest.skip("a server-only behaviour")
    return store


def _kill_connection(store) -> None:
    import psycopg

    with psycopg.connect(TEST_POSTGRES, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (store.conn.info.backend_pid,))


def test_a_stale_server_connection_is_opened_again_before_a_transaction_or_a_read(store):
    # what a restarted server leaves: the pooled connection is dead before the request starts
    store = _server_store(store)
    _kill_connection(store)
    with store.transaction():
        store.insert("counters", {"name": "x", "value": 1})
    _kill_connection(store)
    assert store.rows("SELECT name, value FROM counters") == [{"name": "x", "value": 1}]


def test_a_connection_lost_inside_a_transaction_keeps_nothing_and_atomically_runs_it_again_once(store):
    store = _server_store(store)
    lost = r"lost the connection to the database .*; nothing of this action was kept; try again"
    with pytest.raises(UserError, match=lost), store.transaction():
        store.insert("counters", {"name": "x", "value": 1})
        _kill_connection(store)
        store.insert("counters", {"name": "y", "value": 1})
    assert store.rows("SELECT * FROM counters") == []
    runs = []

    def work():
        runs.append(1)
        store.insert("counters", {"name": f"n{len(runs)}", "value": 1})
        if len(runs) == 1:
            _kill_connection(store)
        store.rows("SELECT 1 AS one")
    store.atomically(work)
    assert len(runs) == 2 and store.rows("SELECT name FROM counters") == [{"name": "n2"}]


def test_a_connection_lost_twice_in_a_row_is_reported_not_run_a_third_time(store):
    store = _server_store(store)
    runs = []

    def work():
        runs.append(1)
        _kill_connection(store)
        store.rows("SELECT 1 AS one")
    with pytest.raises(UserError, match="lost the connection"):
        store.atomically(work)
    assert len(runs) == 2


def test_a_value_the_server_cannot_hold_is_a_clear_error(store):
    store = _server_store(store)
    with pytest.raises(UserError, match="the database refused a value: .*out of range"):
        store.execute("UPDATE accounts SET digital_balance = ?", (10**30,))


def test_a_schema_step_that_is_not_portable_is_named(store, monkeypatch):
    store = _server_store(store)
    monkeypatch.setattr("assistant.storage.schema.MIGRATIONS", MIGRATIONS + ["CREATE TABLE odd (x TEXT); PRAGMA foo = 1"])
    with pytest.raises(UserError, match=rf"schema step {len(MIGRATIONS) + 1} does not run on PostgreSQL .* in: PRAGMA foo"):
        open_store(store.target)
    assert "odd" not in store.table_names()


def test_text_sorts_byte_by_byte_on_both_engines_whatever_the_server_locale(store):
    for name in ("acme", "Globex", "demo", "Zeta", "beta"):
        store.insert("accounts", {"name": name, "industry": "retail", "digital_balance": 0, "sms_balance": 0,
                                  "created_at": "2026-03-02 10:00:00"})
    assert [r["name"] for r in store.rows("SELECT name FROM accounts ORDER BY name")] == \
        ["Globex", "Zeta", "acme", "beta", "demo"]
    if not isinstance(store, Store):
        assert store.row("SELECT collation_name FROM information_schema.columns WHERE table_schema = current_schema() "
                         "AND table_name = 'accounts' AND column_name = 'name'") == {"collation_name": "C"}


@pytest.mark.sqlite_only
def test_with_no_db_given_the_cli_keeps_its_file_in_the_data_dir(run, tmp_path):
    assert run("--role", "admin", "admin", "account", "list").code == 0
    assert Store(tmp_path / "data" / "assistant" / "assistant.db").row("SELECT name FROM accounts") == {"name": "demo"}


def test_with_assistant_db_set_to_a_server_the_cli_writes_no_file(run, tmp_path, backend):
    if backend != "postgres":
        pytest.skip("needs a server")
    assert run("--role", "admin", "admin", "account", "list").code == 0
    assert run("ask", "do you ship to mars").code == 0
    assert not (tmp_path / "data" / "assistant" / "assistant.db").exists()


def test_a_nested_unit_that_fails_leaves_nothing_and_the_outer_one_commits_the_rest(store):
    # a conversation's turn runs its action nested in the turn's transaction: a refused action
    # must not leave half its writes to be committed with the turn's state
    with store.transaction():
        store.insert("counters", {"name": "outer", "value": 1})
        with pytest.raises(UserError, match="refused"), store.transaction():
            store.insert("counters", {"name": "inner", "value": 1})
            raise UserError("refused")
        store.atomically(lambda: store.insert("counters", {"name": "kept", "value": 1}))
    assert sorted(r["name"] for r in store.rows("SELECT name FROM counters")) == ["kept", "outer"]


@pytest.mark.sqlite_only
def test_a_waiting_writer_of_the_process_goes_before_a_writer_that_comes_back(tmp_path):
    """SQLite's busy handler polls; the process's own writers take turns in the order they came, so
    a large send's next chunk never passes a request that was already waiting for the lock."""
    import threading
    import time

    path = tmp_path / "turns.db"
    Store(path).close()
    order, started, first_in = [], threading.Event(), threading.Event()

    def chunks() -> None:  # a writer writing again and again, as a large send's chunks do
        store = Store(path)
        for n in range(3):
            with store.transaction():
                if n == 0:
                    first_in.set()
                    started.wait(5)
                    time.sleep(0.2)  # the other writer is waiting for the lock now
                order.append(f"chunk {n}")
        store.close()

    def request() -> None:
        store = Store(path)
        first_in.wait(5)
        started.set()
        with store.transaction():
            order.append("request")
        store.close()

    threads = [threading.Thread(target=chunks), threading.Thread(target=request)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert order == ["chunk 0", "request", "chunk 1", "chunk 2"]


@pytest.mark.sqlite_only
def test_a_writer_that_waits_past_the_busy_timeout_gets_the_busy_error(tmp_path, monkeypatch):
    import threading

    from assistant.errors import Unavailable
    from assistant.storage import sqlite

    monkeypatch.setattr(sqlite, "BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "busy.db"
    waiter = Store(path)
    inside, done = threading.Event(), threading.Event()

    def hold() -> None:
        holder = Store(path)
        with holder.transaction():
            inside.set()
            done.wait(5)
        holder.close()
    thread = threading.Thread(target=hold)
    thread.start()
    inside.wait(5)
    try:
        with pytest.raises(Unavailable, match="is busy"), waiter.transaction():
            pass
    finally:
        done.set()
        thread.join(5)
    with waiter.transaction():  # the turn given back: the next writer goes in
        waiter.execute("CREATE TABLE after_wait (x INTEGER)")
