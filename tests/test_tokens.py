"""Access tokens: made by the database's owner, shown once, kept only as a hash, revoked at once."""

from __future__ import annotations

import json

from assistant import tokens
from assistant.storage.sqlite import Store


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
    secret = run("--db", db, "admin", "token", "create", "--user", "lin", "--grant", "manager").out.strip()
    store = Store(db)
    assert tokens.authenticate(store, secret) == tokens.Principal(1, "manager", None, "lin")
    admin = ("--db", db, "--role", "admin")
    assert run(*admin, "admin", "token", "revoke", secret).out == "Token #1 (" + secret[:10] + "...) is revoked.\n"
    assert tokens.authenticate(store, secret) is None
    assert tokens.authenticate(store, "dm_guess") is None and tokens.authenticate(store, "") is None
    assert json.loads(run(*admin, "admin", "token", "list", "--json").out)[0]["revoked_at"] == "2026-03-02 10:00:00"


def test_token_requests_that_name_no_one_or_nothing_real_are_refused(run, tmp_path):
    db = str(tmp_path / "t.db")
    person = ("error: a person's token (--user) is for an agent, a manager or an admin; add --grant agent, manager or "
              "admin (a customer's token is made with --account NAME)\n")
    cases = {("--user", "lin"): person, ("--user", "lin", "--grant", "customer"): person,
             ("--account", "demo", "--grant", "manager"): "error: a customer token (--account) cannot grant manager; "
                                                          "drop --grant",
             (): "error: say who the token is for: --account NAME (a customer) or --user NAME --grant agent|manager|admin",
             ("--account", "nobody"): "error: no account 'nobody'",
             }
    for args, message in cases.items():
        result = run("--db", db, "admin", "token", "create", *args)
        assert result.code in (1, 2) and result.err.startswith(message.rstrip("\n")), (args, result.err)
    assert run("--db", db, "--role", "admin", "admin", "token", "revoke", "dm_unknown").err.startswith("error: no such token;")
    assert run("--db", db, "--role", "admin", "admin", "token", "list", "--json").out.strip() == "[]"


DEPRECATED = "warning: --role on `admin token create` is deprecated; use --grant\n"


def test_the_keyboard_role_and_the_granted_role_are_two_options(run, tmp_path):
    db = str(tmp_path / "t.db")
    made = run("--db", db, "--role", "admin", "admin", "token", "create", "--account", "demo", "--grant", "customer")
    assert made.code == 0 and made.err.startswith("Token #1 for a customer of demo;"), made.err
    person = run("--db", db, "--role", "admin", "admin", "token", "create", "--user", "lin", "--grant", "manager")
    assert person.code == 0 and person.err.startswith("Token #2 for lin (manager);"), person.err
    store = Store(db)
    assert tokens.authenticate(store, made.out.strip()) == tokens.Principal(1, "customer", "demo", None)
    assert tokens.authenticate(store, person.out.strip()) == tokens.Principal(2, "manager", None, "lin")
    # the keyboard's role is no longer read as the role to grant
    result = run("--db", db, "--role", "manager", "admin", "token", "create", "--user", "ann")
    assert result.code == 2 and result.err.startswith("error: a person's token (--user) is for an agent, a manager")


def test_role_after_token_create_still_grants_for_a_release_with_a_warning(run, tmp_path):
    db = str(tmp_path / "t.db")
    old = run("--db", db, "admin", "token", "create", "--user", "lin", "--role", "agent")
    assert old.code == 0 and old.err.startswith(DEPRECATED) and "lin (agent)" in old.err
    assert tokens.authenticate(Store(db), old.out.strip()).role == "agent"
    both = run("--db", db, "--role", "admin", "admin", "token", "create", "--user", "ann", "--role", "manager",
               "--grant", "manager")
    assert both.code == 0 and both.err.startswith(DEPRECATED) and "ann (manager)" in both.err
    clash = run("--db", db, "admin", "token", "create", "--user", "bo", "--role", "manager", "--grant", "agent")
    assert (clash.code, clash.err) == (2, DEPRECATED + "error: --grant agent and --role manager disagree; "
                                               "give --grant only\n")


def test_token_create_help_names_grant_and_the_old_spelling(run, capsys):
    assert run("admin", "token", "create", "--help").code == 0
    shown = " ".join(capsys.readouterr().out.split())  # argparse prints help to the process's stdout, wrapped
    assert "--grant ROLE" in shown and "--role {customer,agent,manager,admin} deprecated spelling of --grant" in shown


def test_an_admin_grants_a_role_through_the_service_under_its_own_role(serve, run):
    assert run("ask", "what is a digital message").code == 0  # the index built here, not in the service's start
    server = serve("--allow-simulated-clock")
    admin = server.token("--user", "root", "--grant", "admin")
    through = ("--server", server.url, "--token", admin, "--role", "admin")
    made = run(*through, "--json", "admin", "token", "create", "--user", "bob", "--grant", "manager")
    assert made.code == 0, made.err
    old = run(*through, "--json", "admin", "token", "create", "--user", "cy", "--role", "agent")
    assert old.code == 0 and old.err == DEPRECATED
    listed = {row["user"]: row["role"] for row in json.loads(run(*through, "--json", "admin", "token", "list").out)}
    assert listed == {"root": "admin", "bob": "manager", "cy": "agent"}


def test_revoking_a_token_named_by_no_id_or_secret_is_not_found(run, tmp_path):
    db = str(tmp_path / "t.db")
    run("--db", db, "admin", "token", "create", "--account", "demo")
    for named in ("²", "#99999999999999999999999", "٣"):   # a superscript digit, an id too big, another script's 3
        result = run("--db", db, "--role", "admin", "admin", "token", "revoke", named)
        assert result.code != 0 and result.err.startswith("error: no such token"), (named, result.err)
