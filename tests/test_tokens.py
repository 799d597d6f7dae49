"""Access tokens: made by the database's owner, shown once, kept only as a hash, revoked at once."""

from __future__ import annotations

import json

from assistant import tokens
from assistant.store import Store


def test_a_token_is_printed_once_and_only_its_hash_is_stored(run, tmp_path):
    db = str(tmp_path / "t.db")
    made = run("--db", db, "admin", "token", "create", "--account", "demo", "--json")
    secret = json.loads(made.out)["token"]
    assert made.code == 0 and secret.startswith("dm_") and len(secret) > 40
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("t.db*"))
    assert secret.encode() not in raw and tokens.digest(secret).encode() in raw
    listed = run("--db", db, "--role", "admin", "admin", "token", "list")
    assert secret not in listed.out and secret[:10] + "..." in listed.out and "customer  demo" in listed.out


def test_a_revoked_token_no_longer_authenticates(run, tmp_path):
    db = str(tmp_path / "t.db")
    secret = run("--db", db, "admin", "token", "create", "--user", "lin", "--role", "manager").out.strip()
    store = Store(db)
    assert tokens.authenticate(store, secret) == tokens.Principal(1, "manager", None, "lin")
    admin = ("--db", db, "--role", "admin")
    assert run(*admin, "admin", "token", "revoke", secret).out == "Token #1 (" + secret[:10] + "...) is revoked.\n"
    assert tokens.authenticate(store, secret) is None
    assert tokens.authenticate(store, "dm_guess") is None and tokens.authenticate(store, "") is None
    assert json.loads(run(*admin, "admin", "token", "list", "--json").out)[0]["revoked_at"] == "2026-03-02 10:00:00"


def test_token_requests_that_name_no_one_or_nothing_real_are_refused(run, tmp_path):
    db = str(tmp_path / "t.db")
    person = ("error: a person's token (--user) is for an agent, a manager or an admin; add --role agent, manager or "
              "admin (a customer's token is made with --account NAME)\n")
    cases = {("--user", "lin"): person, ("--user", "lin", "--role", "customer"): person,
             ("--account", "demo", "--role", "manager"): "error: a customer token (--account) takes no --role; drop --role",
             (): "error: say who the token is for: --account NAME (a customer) or --user NAME --role agent|manager|admin",
             ("--account", "nobody"): "error: no account 'nobody'",
             }
    for args, message in cases.items():
        result = run("--db", db, "admin", "token", "create", *args)
        assert result.code in (1, 2) and result.err.startswith(message.rstrip("\n")), (args, result.err)
    assert run("--db", db, "--role", "admin", "admin", "token", "revoke", "dm_unknown").err.startswith("error: no such token;")
    assert run("--db", db, "--role", "admin", "admin", "token", "list", "--json").out.strip() == "[]"
