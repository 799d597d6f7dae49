"""Where the assistant keeps its files: the database (--db, else $ASSISTANT_DB, else the default file; a
URL stays a URL), and the files it writes (owner-only directories whatever the umask, and no file
opened through a planted symbolic link or owned by someone else: the REPL's history, the cache)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from assistant.errors import UsageError
from assistant.paths import EXPECTED_FORMS, database_target, default_db, open_private, private_dirs, shown_target
from assistant.storage.sqlite import Store


@pytest.fixture(autouse=True)
def _no_database_setting(monkeypatch, tmp_path):
    monkeypatch.delenv("ASSISTANT_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.mark.parametrize("url", ["postgresql://me@127.0.0.1:5432/support", "postgres://me@host/db",
                                 "POSTGRESQL://me:pw@host/db?sslmode=require"])
def test_a_server_url_in_assistant_db_comes_back_as_the_string_given(monkeypatch, url):
    monkeypatch.setenv("ASSISTANT_DB", url)
    assert database_target() == url and isinstance(database_target(), str)
    assert database_target(None) == url and database_target("") == url


def test_the_flag_wins_over_the_environment_which_wins_over_the_default(monkeypatch, tmp_path):
    assert database_target() == default_db() == tmp_path / "data" / "assistant" / "assistant.db"
    monkeypatch.setenv("ASSISTANT_DB", "postgresql://me@host/db")
    assert database_target(str(tmp_path / "flag.db")) == tmp_path / "flag.db"
    monkeypatch.setenv("ASSISTANT_DB", str(tmp_path / "env.db"))
    assert database_target() == tmp_path / "env.db" and database_target("postgres://h/d") == "postgres://h/d"


def test_default_db_is_only_the_default_file_whatever_assistant_db_says(monkeypatch, tmp_path):
    monkeypatch.setenv("ASSISTANT_DB", "postgresql://me@host/db")
    assert default_db() == tmp_path / "data" / "assistant" / "assistant.db"


@pytest.mark.parametrize("path", ["x.db", "dir/x.db", "C:/data/x.db", "notes:1.db", "./a//b.db"])
def test_a_file_path_is_a_path(path):
    assert database_target(path) == Path(path)


@pytest.mark.parametrize("value", ["mysql://me@host/db", "foo://", "postgresql:/me@127.0.0.1:5432/db", "postgres:/x",
                                   "sqlite:///x.db", "postgresql:me@host/db", "file:/tmp/x.db"])
def test_a_url_of_another_scheme_or_a_mangled_one_is_a_usage_error_naming_the_forms(monkeypatch, value):
    with pytest.raises(UsageError, match=r"^--db: .* is not a database this assistant can open; give ") as raised:
        database_target(value)
    assert str(raised.value).endswith(EXPECTED_FORMS)
    monkeypatch.setenv("ASSISTANT_DB", value)
    with pytest.raises(UsageError, match=r"^\$ASSISTANT_DB: "):
        database_target()


@pytest.mark.parametrize(("given", "shown"), [
    ("postgresql://u:secret@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:secret@h:5432/db?sslmode=require", "postgresql://u:***@h:5432/db?sslmode=require"),
    ("postgresql://u@h/db?password=secret&sslmode=require", "postgresql://u@h/db?password=***&sslmode=require"),
    ("postgresql://u@h/db", "postgresql://u@h/db"),
    ("mysql://root:pw@h/db", "mysql://root:***@h/db"),
    ("data/assistant.db", "data/assistant.db"),
])
def test_a_database_is_shown_as_given_with_its_password_masked(given, shown):
    assert shown_target(given) == shown


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_missing_parents_are_made_0700_even_under_umask_000(tmp_path):
    old = os.umask(0)
    try:
        private_dirs(tmp_path / "a" / "b" / "c")
        Store(tmp_path / "x" / "y" / "assistant.db").close()
    finally:
        os.umask(old)
    for made in ("a", "a/b", "a/b/c", "x", "x/y"):
        assert _mode(tmp_path / made) == 0o700, made
    assert _mode(tmp_path / "x" / "y" / "assistant.db") == 0o600


def test_an_existing_directory_keeps_its_mode(tmp_path):
    (tmp_path / "shared").mkdir(mode=0o755)
    os.chmod(tmp_path / "shared", 0o755)
    private_dirs(tmp_path / "shared" / "mine")
    assert _mode(tmp_path / "shared") == 0o755 and _mode(tmp_path / "shared" / "mine") == 0o700


def test_a_history_file_planted_as_a_symbolic_link_is_refused_and_its_target_untouched(tmp_path):
    target = tmp_path / "victim.txt"
    target.write_text("theirs\n")
    history = tmp_path / "history"
    history.symlink_to(target)
    with pytest.raises(OSError) as refused:
        open_private(history)
    assert refused.value.errno == errno.ELOOP and target.read_text() == "theirs\n"


def test_a_new_private_file_is_0600_and_appends(tmp_path):
    path = tmp_path / "history"
    for line in (b"one\n", b"two\n"):
        fd = open_private(path)
        os.write(fd, line)
        os.close(fd)
    assert path.read_bytes() == b"one\ntwo\n" and _mode(path) == 0o600


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_file_owned_by_someone_else_is_refused(tmp_path):
    path = tmp_path / "history"
    path.write_text("")
    os.chown(path, 4242, -1)
    with pytest.raises(OSError) as refused:
        open_private(path)
    assert refused.value.errno == errno.EPERM
