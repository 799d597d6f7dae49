"""`assistant admin migrate --to postgresql://…`: the embedded file copied whole into an empty server database.

These tests need a PostgreSQL server (ASSISTANT_TEST_POSTGRES); without one they are skipped.
"""

from __future__ import annotations

import io
import json

import pytest
from conftest import MONDAY, TEST_POSTGRES, Clocked, postgres_schema

from assistant.actions import accounts, handoff, sending, signatures, templates
from assistant.cli import main
from assistant.clock import FixedClock
from assistant.storage import open_store
from assistant.storage.sqlite import Store

pytestmark = pytest.mark.skipif(not TEST_POSTGRES, reason="needs ASSISTANT_TEST_POSTGRES (a PostgreSQL server URL)")


@pytest.fixture
def server():
    """An empty PostgreSQL schema of this test's own, as a URL."""
    with postgres_schema() as url:
        yield url


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("ASSISTANT_NOW", "2026-03-20T11:00:00")
    for key in ("ASSISTANT_DB", "ASSISTANT_ACCOUNT", "ASSISTANT_KB"):
        monkeypatch.delenv(key, raising=False)

    def call(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main(["--role", "admin", *argv], stdin=io.StringIO(""), stdout=out, stderr=err)
        return code, out.getvalue(), err.getvalue()
    return call


@pytest.fixture
def source(tmp_path, kb, media) -> str:
    """A database file with a bit of everything: accounts, a signature, a template, a send, a ticket, a gap."""
    path = tmp_path / "embedded.db"
    store = Store(path)
    ctx = Clocked(store, kb, FixedClock(MONDAY), "demo", "customer")
    accounts.ensure_demo(ctx)
    accounts.create_account(ctx, "acme", "e-commerce", {"enterprise": ["Acme Ltd"]}, 100, 10)
    accounts.enable(ctx)
    signatures.submit(ctx, "AcmeShop", "trademark")
    ctx.at("2026-03-17T10:00")
    templates.create(ctx, "Spring sale", "AcmeShop", "e-commerce", "Hi ${name}, the sale is on", [media["image"]])
    ctx.at("2026-03-20T10:00")
    sending.send(ctx, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom"}), ("12345", {"name": "Ann"})])
    ticket = handoff.create(ctx, "the send to 12345 failed")
    handoff.claim(Clocked(store, kb, ctx.clock, "demo", "manager:lin", "manager"), ticket["id"], "lin")
    store.insert("gaps", {"at": ctx.now(), "account": "demo", "question": "do you ship to mars", "best": None,
                          "score": 0.25, "kind": "no_match"})
    store.close()
    return str(path)


def _all_rows(store, table: str) -> list[dict]:
    return sorted((store.rows(f'SELECT * FROM "{table}"')), key=lambda r: json.dumps(r, sort_keys=True, default=str))


def test_every_table_is_copied_row_for_row_and_the_counts_are_printed(cli, source, server):
    code, out, err = cli("--db", source, "admin", "migrate", "--to", server)
    assert (code, err) == (0, "")
    embedded, copied = Store(source), open_store(server)
    tables = [t for t in embedded.table_names() if not t.startswith("sqlite_")]
    for table in tables:
        n = len(embedded.rows(f'SELECT * FROM "{table}"'))
        assert _all_rows(copied, table) == _all_rows(embedded, table), table
        assert any(line.split() == [table, str(n)] for line in out.splitlines()), table
    assert {"accounts", "messages", "tickets", "ticket_events", "audit", "gaps", "template_reviews"} <= set(tables)
    assert "every count checked" in out


def test_the_copy_carries_on_where_the_file_left_off(cli, source, server):
    assert cli("--db", source, "admin", "migrate", "--to", server, "--json")[0] == 0
    # (another account: demo's request would go on its open ticket)
    code, out, _ = cli("--db", server, "--account", "acme", "--json", "handoff", "create", "--reason", "second case")
    assert code == 0 and json.loads(out)["id"] == 2
    code, out, _ = cli("--db", server, "--json", "template", "status")
    assert code == 0 and "DIGITAL_SMS_0001" in out


def test_a_target_that_already_holds_data_is_refused_and_left_alone(cli, source, server):
    code, out, _ = cli("--db", source, "admin", "migrate", "--to", server, "--json")
    assert code == 0 and json.loads(out)["tables"]["accounts"] == 2
    code, out, err = cli("--db", source, "admin", "migrate", "--to", server)
    assert code == 1 and out == ""
    assert err.startswith("error: the target") and "already holds data (" in err and "accounts: 2" in err
    assert open_store(server).row("SELECT COUNT(*) AS n FROM accounts") == {"n": 2}


@pytest.mark.parametrize(("db", "to", "message"), [
    ("embedded.db", "elsewhere.db", "--to must be a postgresql:// URL"),
    ("postgresql://me@127.0.0.1:1/x", "postgresql://me@127.0.0.1:1/y", "point --db at the file"),
])
def test_wrong_ends_are_one_line_errors(cli, db, to, message):
    code, _, err = cli("--db", db, "admin", "migrate", "--to", to)
    assert code == 1 and message in err and err.count("\n") == 1


def test_a_missing_source_file_is_not_created(cli, tmp_path, server):
    code, _, err = cli("--db", str(tmp_path / "none.db"), "admin", "migrate", "--to", server)
    assert code == 1 and "no database file at" in err and not (tmp_path / "none.db").exists()
