"""Where the database is: --db, else $ASSISTANT_DB, else the default file; a URL stays a URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import UsageError
from assistant.paths import EXPECTED_FORMS, database_target, default_db, shown_target


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
