"""The database file: schema version, WAL, transactions that leave nothing half-written."""

import os
import sqlite3
import stat

import pytest

from assistant.paths import database_target, default_db
from assistant.storage.schema import MIGRATIONS
from assistant.storage.sqlite import Store


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
    monkeypatch.setattr("assistant.storage.schema.MIGRATIONS", MIGRATIONS[:1])
    Store(path).close()
    monkeypatch.setattr("assistant.storage.schema.MIGRATIONS", MIGRATIONS + ["CREATE TABLE extra (x INTEGER)"])
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
    assert database_target() == default_db()
    monkeypatch.setenv("ASSISTANT_DB", str(tmp_path / "x.db"))
    assert database_target() == tmp_path / "x.db"
    assert default_db() == tmp_path / "assistant" / "assistant.db"  # only the default, whatever $ASSISTANT_DB says


def test_a_database_held_by_another_writer_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr("assistant.storage.sqlite.BUSY_TIMEOUT_S", 0)
    first, second = Store(tmp_path / "busy.db"), Store(tmp_path / "busy.db")
    second.conn.execute("PRAGMA busy_timeout=0")
    with first.transaction(), pytest.raises(Exception, match="is busy"), second.transaction():
        pass


def test_messages_sent_before_the_content_step_keep_null_content(tmp_path, monkeypatch):
    monkeypatch.setattr("assistant.storage.schema.MIGRATIONS", MIGRATIONS[:2])
    old = Store(tmp_path / "a.db")
    old.insert("accounts", {"name": "demo", "industry": "retail", "created_at": "2026-03-02 09:00:00"})
    old.insert("requests", {"request_id": "R", "account": "demo", "template": "DIGITAL_SMS_0001",
                            "created_at": "2026-03-02 10:00:00", "total": 1, "sent": 1, "failed": 0, "actor": "customer"})
    old.execute("INSERT INTO messages (request_id, account, phone, template, status, sent_at) "
                "VALUES ('R', 'demo', '13800138000', 'DIGITAL_SMS_0001', 'sent', '2026-03-02 10:00:00')")
    old.close()
    monkeypatch.setattr("assistant.storage.schema.MIGRATIONS", MIGRATIONS)
    upgraded = Store(tmp_path / "a.db")
    assert upgraded.rows("SELECT phone, signature, content FROM messages") == \
        [{"phone": "13800138000", "signature": None, "content": None}]


# --- databases that are not ours, or damaged ------------------------------------------------------

from assistant.errors import UserError  # noqa: E402
from assistant.storage.sqlite import APPLICATION_ID  # noqa: E402


def _sqlite(path, *statements):
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def test_another_programs_sqlite_file_is_refused_and_left_as_it_was(tmp_path):
    path = tmp_path / "other.db"
    _sqlite(path, "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)", "INSERT INTO photos (name) VALUES ('a')")
    before = path.read_bytes()
    with pytest.raises(UserError, match="another program's database \\(tables: photos\\)"):
        Store(path)
    assert path.read_bytes() == before


def test_another_programs_file_with_a_schema_version_is_never_migrated_into(tmp_path):
    path = tmp_path / "versioned.db"
    _sqlite(path, "CREATE TABLE notes (body TEXT)", "PRAGMA user_version = 1")
    before = path.read_bytes()
    with pytest.raises(UserError, match="another program's database \\(schema version 1, tables: notes\\)"):
        Store(path)
    assert path.read_bytes() == before


def test_a_file_marked_with_another_application_id_is_refused(tmp_path):
    path = tmp_path / "app.db"
    _sqlite(path, "PRAGMA application_id = 7", "PRAGMA user_version = 2")
    with pytest.raises(UserError, match="belongs to another program"):
        Store(path)


@pytest.mark.sqlite_only
def test_a_new_database_is_marked_as_ours(store):
    assert store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


@pytest.mark.parametrize("version", [-1, -(2**31)])
def test_a_negative_schema_version_is_refused(tmp_path, version):
    path = tmp_path / "neg.db"
    Store(path).close()
    _sqlite(path, f"PRAGMA user_version = {version}")
    with pytest.raises(UserError, match=f"schema version {version}"):
        Store(path)


def test_a_missing_table_is_reported_as_damage(tmp_path):
    path = tmp_path / "damaged.db"
    Store(path).close()
    _sqlite(path, "DROP TABLE ticket_messages")
    with pytest.raises(UserError, match="damaged: table ticket_messages is missing"):
        Store(path)


@pytest.mark.parametrize("content", [b"not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 4000])
def test_a_file_that_is_not_a_database_or_is_garbage_is_refused(tmp_path, content):
    path = tmp_path / "garbage.db"
    path.write_bytes(content)
    with pytest.raises(UserError, match="garbage.db"):
        Store(path)
    assert path.read_bytes() == content


@pytest.mark.parametrize("target", ["/dev/null", "directory"])
def test_a_device_or_a_directory_is_not_a_database(tmp_path, target):
    path = tmp_path if target == "directory" else target
    with pytest.raises(UserError, match="is a directory|not a regular file"):
        Store(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files")
def test_a_read_only_file_gives_one_clear_error(tmp_path):
    path = tmp_path / "ro.db"
    Store(path).close()
    path.chmod(0o444)
    with pytest.raises(UserError, match="read-only"):
        store = Store(path)
        with store.transaction():
            store.execute("INSERT INTO counters (name, value) VALUES ('x', 1)")


def test_a_new_database_and_its_directory_are_the_owners_only(tmp_path):
    path = tmp_path / "fresh" / "dir" / "assistant.db"
    Store(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700



def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_older_wider_database_in_the_default_data_directory_is_tightened(monkeypatch, tmp_path):
    monkeypatch.delenv("ASSISTANT_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    folder = tmp_path / "assistant"
    folder.mkdir()
    Store(folder / "assistant.db").close()
    (folder / "assistant.db").chmod(0o644)
    folder.chmod(0o755)
    tmp_path.chmod(0o755)
    Store().close()
    assert _mode(folder / "assistant.db") == 0o600 and _mode(folder) == 0o700
    assert _mode(tmp_path) == 0o755   # the data home above it is not the assistant's to change


def test_a_database_the_user_placed_is_tightened_but_never_its_folder(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    Store(folder / "mine.db").close()
    (folder / "mine.db").chmod(0o664)
    folder.chmod(0o755)
    store = Store(folder / "mine.db")
    assert _mode(folder / "mine.db") == 0o600 and _mode(folder) == 0o755
    store.close()
    (folder / "mine.db").chmod(0o444)        # read-only on purpose: tightened, never made writable
    Store(folder / "mine.db").close()
    assert _mode(folder / "mine.db") == 0o400


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_database_owned_by_another_user_is_never_chmodded(tmp_path):
    path = tmp_path / "theirs.db"
    Store(path).close()
    path.chmod(0o644)
    os.chown(path, 4242, -1)
    Store(path).close()
    assert _mode(path) == 0o644 and path.stat().st_uid == 4242


@pytest.mark.sqlite_only
def test_a_full_disk_during_a_send_rolls_back_cleanly_with_one_clear_error(live):
    from assistant.actions.sending import send

    store = live.store
    before = store.row("SELECT digital_balance AS b FROM accounts WHERE name = 'demo'")["b"]
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # the disk fills up during the send
    recipients = [(f"138{n:08d}", {"name": "Tom"}) for n in range(3000)]
    with pytest.raises(UserError, match="disk is full"):
        send(live, "DIGITAL_SMS_0001", recipients, from_file=True)
    assert not store.conn.in_transaction
    store.conn.execute("PRAGMA max_page_count = 1073741823")
    assert store.rows("SELECT * FROM requests") == [] and store.rows("SELECT * FROM messages") == []
    assert store.row("SELECT digital_balance AS b FROM accounts WHERE name = 'demo'")["b"] == before
    assert send(live, "DIGITAL_SMS_0001", recipients[:10], from_file=True)["sent"] == 10


@pytest.mark.sqlite_only  # the server compares such a number and finds nothing
def test_a_number_beyond_sqlites_range_is_a_user_error(store):
    with pytest.raises(UserError, match="beyond the database's range"):
        store.row("SELECT * FROM tickets WHERE id = ?", (2**64,))


@pytest.mark.sqlite_only
def test_a_database_that_refuses_writes_gives_one_clear_error_and_stays_usable(store):
    store.conn.execute("PRAGMA query_only = ON")  # SQLite answers as for a read-only file
    with pytest.raises(UserError, match="read-only"), store.transaction():
        store.execute("INSERT INTO counters (name, value) VALUES ('x', 1)")
    assert not store.conn.in_transaction
    store.conn.execute("PRAGMA query_only = OFF")
    with store.transaction():
        store.execute("INSERT INTO counters (name, value) VALUES ('x', 1)")
    assert store.rows("SELECT name FROM counters") == [{"name": "x"}]


@pytest.mark.sqlite_only
def test_a_file_this_process_already_opened_is_never_read_again_by_hand(tmp_path, monkeypatch):
    # Closing any descriptor of a SQLite file drops the process's locks on it, those of its
    # other connections included (a service opens one per thread): the header is read once.
    import builtins

    path = tmp_path / "shared.db"
    first = Store(path)
    opened = []
    real_open = builtins.open

    def spying_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)
    monkeypatch.setattr(builtins, "open", spying_open)
    with first.transaction():
        first.execute("INSERT INTO counters (name, value) VALUES ('x', 1)")
        Store(path).close()
    assert str(path) not in opened
    assert first.rows("SELECT name FROM counters") == [{"name": "x"}]
