"""The database named only by $ASSISTANT_DB: a postgresql:// URL there opens the server for every
command group, the REPL, the audit of refusals and `serve`, and nothing lands in the working directory.

A URL once went through a `Path` on its way to `serve`, which folded `//` into `/` and opened a new
SQLite file under `./postgresql:/...`: every token was refused and writes went to that stray file.
"""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import pytest
from conftest import TEST_POSTGRES, png_bytes, schema_url

from assistant.cli import main
from assistant.paths import shown_target
from assistant.storage import open_store


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    """An empty working directory to run in; the data directory and settings of a fresh user."""
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("ASSISTANT_NOW", "2026-03-02T10:00:00")
    for key in ("ASSISTANT_DB", "ASSISTANT_ACCOUNT", "ASSISTANT_KB", "ASSISTANT_SERVER", "ASSISTANT_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    return tmp_path / "cwd"


@pytest.fixture
def env_url(workdir, monkeypatch):
    """A fresh PostgreSQL schema, named only in $ASSISTANT_DB (never --db)."""
    if not TEST_POSTGRES:
        pytest.skip("needs ASSISTANT_TEST_POSTGRES (a PostgreSQL server URL)")
    psycopg = pytest.importorskip("psycopg", reason="ASSISTANT_TEST_POSTGRES needs the postgres extra")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(TEST_POSTGRES, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = schema_url(TEST_POSTGRES, schema)
    monkeypatch.setenv("ASSISTANT_DB", url)
    yield url
    with psycopg.connect(TEST_POSTGRES, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def cli(*argv: str, stdin: str = "", expect: int = 0) -> str:
    """`assistant ARGV` in-process, with no --db; its standard output."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    assert code == expect, (argv, code, out.getvalue(), err.getvalue())
    return out.getvalue()


def _nothing_in(folder: Path) -> None:
    assert sorted(p.name for p in folder.iterdir()) == []


def test_every_command_group_uses_the_server_named_in_assistant_db(env_url, tmp_path):
    image, cases = tmp_path / "banner.png", tmp_path / "cases.yaml"
    image.write_bytes(png_bytes())
    cases.write_text("version: 1\ncases:\n"
                     "  - {question: can the signature be our brand's trademark, expect: signature-requirements}\n")
    admin, manager = ("--role", "admin"), ("--role", "manager")
    # ask (an answer, and a question logged as a gap), eval, the REPL
    assert json.loads(cli("ask", "--json", "how long does signature review take"))["type"] == "answer"
    assert json.loads(cli("ask", "--json", "can the packages be shared between two accounts"))["type"] == "fallback"
    assert json.loads(cli("eval", "--json", str(cases)))["total"] == 1
    assert cli(stdin="how long does signature review take\n").strip()
    # the account's own commands
    cli("enable")
    cli("signature", "submit", "AcmeShop", "--source", "trademark")
    assert "AcmeShop" in cli("signature", "status")
    cli("template", "create", "--name", "Sale", "--signature", "AcmeShop", "--industry", "e-commerce",
        "--text", "Hi ${name}", "--media", str(image), "--now", "2026-03-17T10:00")
    assert "DIGITAL_SMS_0001" in cli("template", "status", "--now", "2026-03-17T10:00")
    assert "isv.AMOUNT_NOT_ENOUGH" in cli("error", "isv.AMOUNT_NOT_ENOUGH")
    sent = json.loads(cli("--json", "send", "DIGITAL_SMS_0001", "13800138000", "--param", "name=Tom",
                          "--now", "2026-03-20T10:00"))
    assert sent["request_id"] in cli("send", "list")
    # administration
    cli(*admin, "admin", "account", "create", "globex", "--industry", "e-commerce", "--digital", "10")
    cli(*admin, "admin", "topup", "globex", "--digital", "5")
    assert "globex" in cli(*admin, "admin", "account", "list") and "globex" in cli(*admin, "admin", "account", "show", "globex")
    cli(*admin, "admin", "review", "DIGITAL_SMS_0001", "--carrier", "china_mobile", "--approve")
    secret = json.loads(cli("--json", "admin", "token", "create", "--account", "globex"))["token"]
    assert secret[:10] in cli(*admin, "admin", "token", "list")
    cli(*admin, "admin", "token", "revoke", secret)
    # a migration copies a file; the server named in $ASSISTANT_DB is refused as its source, clearly
    assert cli(*admin, "admin", "migrate", "--to", env_url, expect=1) == ""
    # tickets
    ticket = json.loads(cli("--json", "handoff", "create", "--reason", "help"))["id"]
    assert str(ticket) in cli(*manager, "handoff", "list")
    cli(*manager, "--user", "lin", "handoff", "claim", str(ticket))
    cli(*manager, "--user", "lin", "handoff", "reply", str(ticket), "what", "time?")
    assert "what time?" in cli("inbox")
    cli("handoff", "answer", str(ticket), "ten")
    assert "ten" in cli(*manager, "handoff", "show", str(ticket))
    cli(*manager, "--user", "lin", "handoff", "resolve", str(ticket), "--note", "done")
    assert "done" in cli(*manager, "handoff", "export", str(ticket))
    # the knowledge base: gaps and learned phrasings come from and go beside the server's data
    assert "asked 1x" in cli(*manager, "kb", "gaps")
    cli(*manager, "kb", "learn", "can the packages be shared between two accounts", "--entry", "sms-package-offset")
    cli("kb", "export", str(tmp_path / "exported"))
    cli("kb", "check")
    store = open_store(env_url)
    try:
        names = {r["name"] for r in store.rows("SELECT name FROM accounts")}
        tickets = store.rows("SELECT status FROM tickets")
        gaps = store.rows("SELECT question FROM gaps")
    finally:
        store.close()
    assert names == {"demo", "globex"} and tickets == [{"status": "resolved"}] and gaps
    _nothing_in(tmp_path / "cwd")


def test_a_refusal_is_audited_in_the_server_named_in_assistant_db(env_url, tmp_path):
    cli("enable")  # the database exists
    out, err = io.StringIO(), io.StringIO()
    assert main(["admin", "account", "list"], stdout=out, stderr=err) == 1
    assert err.getvalue().startswith("error: the customer role may not run")
    store = open_store(env_url)
    try:
        refused = store.rows("SELECT action, result FROM audit WHERE result = 'refused'")
    finally:
        store.close()
    assert refused == [{"action": "admin.account.list", "result": "refused"}]
    _nothing_in(tmp_path / "cwd")


def test_serve_opens_the_server_named_in_assistant_db_and_accepts_a_token_made_before(env_url, tmp_path):
    pytest.importorskip("fastapi", reason="the service needs the extra: pip install '.[server]'")
    from conftest import Server

    secret = json.loads(cli("--json", "admin", "token", "create", "--account", "demo"))["token"]
    server = Server(None, cwd=tmp_path / "cwd")  # no --db: the service reads $ASSISTANT_DB like every command
    try:
        status, answer = server.call("POST", "/v1/ask", secret, {"question": "how long does signature review take"})
        assert status == 200 and answer["type"] == "answer", answer
        assert server.call("GET", "/v1/whoami", secret) == (200, {"role": "customer", "account": "demo", "user": None})
        announced = server.stderr()
    finally:
        server.stop()
    assert f"(database {shown_target(env_url)})" in announced and "postgresql:/" + env_url.split("//", 1)[1] not in announced
    _nothing_in(tmp_path / "cwd")


@pytest.mark.parametrize("value", ["mysql://me@127.0.0.1/db", "postgresql:/me@127.0.0.1:5432/db"])
def test_a_url_that_is_not_postgresql_in_assistant_db_is_a_usage_error_before_anything_opens(value, workdir,
                                                                                              monkeypatch):
    monkeypatch.setenv("ASSISTANT_DB", value)
    for argv in (["ask", "hi"], ["--role", "admin", "serve", "--port", "1"], ["admin", "token", "list"]):
        out, err = io.StringIO(), io.StringIO()
        assert main(argv, stdout=out, stderr=err) == 2, argv
        assert err.getvalue() == (f"error: $ASSISTANT_DB: '{value}' is not a database this assistant can open; "
                                  "give a file path, or postgresql://USER@HOST:PORT/DBNAME\n")
    out, err = io.StringIO(), io.StringIO()
    assert main(["--db", value, "ask", "hi"], stdout=out, stderr=err) == 2
    assert err.getvalue().startswith(f"error: --db: '{value}' is not a database") and err.getvalue().count("\n") == 1
    _nothing_in(workdir)
    assert not (workdir.parent / "data").exists()
