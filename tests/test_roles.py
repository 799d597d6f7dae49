"""Roles: one table decides who may run what, in the CLI, the REPL and the help; a customer
reaches only its own account."""

import json

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from assistant import cli, roles
from assistant.conversation import COMMANDS as SLASH_COMMANDS
from assistant.conversation import Conversation
from assistant.errors import Forbidden
from assistant.repl import Shell


def test_every_cli_command_and_slash_command_is_in_the_table():
    for name in cli.COMMANDS:
        assert name.replace(" ", ".") in roles.PERMISSIONS, name
    for name in SLASH_COMMANDS:
        assert name in roles.SLASH, name
        assert roles.SLASH[name] is None or roles.SLASH[name] in roles.PERMISSIONS


def test_require_names_the_roles_that_may():
    roles.require("admin", "admin.topup")
    with pytest.raises(Forbidden, match="the customer role may not run 'admin topup'; it is for: admin"):
        roles.require("customer", "admin.topup")
    assert not roles.allowed("manager", "no.such.command")


@pytest.fixture
def two_accounts(run, tmp_path):
    """demo's ticket #1 and globex (a second account) on one database, through the CLI."""
    db = str(tmp_path / "roles.db")

    def call(*args):
        return run("--db", db, *args)
    assert call("--role", "admin", "admin", "account", "create", "globex", "--industry", "retail").code == 0
    assert call("handoff", "create", "--reason", "demo's private case").code == 0
    return call


@pytest.mark.parametrize("args", [("handoff", "show", "1"), ("handoff", "export", "1"), ("handoff", "claim", "1", "--by", "x"),
                                  ("handoff", "reply", "1", "hello"), ("handoff", "resolve", "1", "--note", "done"),
                                  ("handoff", "answer", "1", "hello")])
def test_another_accounts_ticket_is_not_found_for_a_customer(two_accounts, args):
    result = two_accounts("--account", "globex", *args)
    assert result.code == 1 and result.err == "error: no ticket #1; see `assistant handoff list`\n"
    assert "private" not in result.out


def test_a_customers_queue_holds_only_its_own_tickets(two_accounts):
    assert json.loads(two_accounts("--account", "globex", "handoff", "list", "--json").out) == []
    assert [t["id"] for t in json.loads(two_accounts("--role", "manager", "handoff", "list", "--json").out)] == [1]


@pytest.mark.parametrize("args", [("kb", "gaps"), ("kb", "learn", "q", "--entry", "opt-out"),
                                  ("admin", "topup", "demo", "--digital", "5"), ("admin", "account", "list"),
                                  ("admin", "review", "DIGITAL_SMS_0001", "--carrier", "china_mobile", "--approve")])
def test_staff_commands_are_forbidden_to_a_customer_and_change_nothing(two_accounts, args):
    result = two_accounts(*args)
    assert result.code == 1 and result.err.startswith("error: the customer role may not run")
    balance = json.loads(two_accounts("--role", "admin", "admin", "account", "show", "demo", "--json").out)["packages"]
    assert balance == {"digital": 1000, "sms": 5000}


def test_a_customer_may_not_claim_even_its_own_ticket(two_accounts):
    result = two_accounts("handoff", "claim", "1", "--by", "me")
    assert result.code == 1 and "may not run 'handoff claim'" in result.err


def test_a_customer_claiming_without_by_hears_the_role_refusal(two_accounts, monkeypatch):
    monkeypatch.delenv("USER", raising=False)
    result = two_accounts("handoff", "claim", "1")
    assert result.code == 1 and result.err.startswith("error: the customer role may not run 'handoff claim'")


def test_claim_is_made_by_the_user_unless_by_names_someone(two_accounts, monkeypatch):
    monkeypatch.setenv("USER", "kim")
    claimed = json.loads(two_accounts("--role", "manager", "--json", "handoff", "claim", "1").out)
    assert claimed["owner"] == "kim" and claimed["events"][-1]["actor"] == "manager:kim"
    again = json.loads(two_accounts("--role", "manager", "--user", "kim", "--json", "handoff", "claim", "1").out)
    assert again["already"] and {**again, "already": False} == claimed     # the same ticket, said to be had already
    monkeypatch.delenv("USER")
    result = two_accounts("--role", "manager", "handoff", "claim", "1")
    assert result.code == 1 and result.err == "error: say who claims the ticket; add --by NAME (or --user NAME)\n"


def test_audit_rows_name_the_real_actor_and_role(two_accounts, tmp_path):
    from assistant.storage.sqlite import Store

    assert two_accounts("--role", "admin", "--user", "alice", "admin", "topup", "demo", "--digital", "5").code == 0
    assert two_accounts("--role", "manager", "handoff", "claim", "1", "--by", "lin").code == 0
    assert two_accounts("--user", "mallory", "admin", "topup", "demo", "--digital", "5").code == 1
    store = Store(tmp_path / "roles.db")
    rows = store.rows("SELECT actor, action, result FROM audit WHERE action IN ('admin.topup', 'handoff.claim')")
    assert rows == [{"actor": "admin:alice", "action": "admin.topup", "result": "ok"},
                    {"actor": "manager:lin", "action": "handoff.claim", "result": "ok"},
                    {"actor": "customer:mallory", "action": "admin.topup", "result": "refused"}]


def _repl(ctx, router, keys, role="customer"):
    with create_pipe_input() as pipe:
        shell = Shell(Conversation(ctx, router, role), input=pipe, output=DummyOutput())
        pipe.send_text(keys)
        pipe.close()
        shell.run()
    return "\n".join(line.text for line in shell.transcript)


def test_in_the_repl_a_customer_cannot_switch_accounts_or_reach_anothers_ticket(ctx, router):
    from assistant.actions import accounts, handoff

    ctx.role = "admin"
    accounts.create_account(ctx, "globex", "retail", {})
    ctx.role, ctx.account = "customer", "globex"
    handoff.create(ctx, "globex's case")
    ctx.account = "demo"
    text = _repl(ctx, router, "/account globex\r/show 1\r/answer 1 hi\r")
    assert "may not run 'account switch'" in text and "no ticket #1" in text
    assert ctx.account == "demo" and "globex's case" not in text
    staff = _repl(ctx, router, "/account globex\r", role="agent")
    assert "Now on account globex" in staff


def test_the_readmes_slash_commands_are_given_to_the_roles_the_table_gives_them():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    bullet = " ".join(readme.partition("- `/help` lists the slash commands:")[2].partition("\n- ")[0].split())
    everyone, _, rest = bullet.partition("; staff (")
    staff, _, managers = rest.partition("; managers and admins also")
    parts = {"customer": everyone, "agent": staff, "manager": managers.partition("`/help` lists exactly")[0]}
    for role, part in parts.items():
        named = re.findall(r"`/([a-z]+)", part)
        assert named, role
        for name in named:
            command = roles.SLASH[name]
            if command is None:
                continue
            assert roles.allowed(role, command), (role, name)
            lower = roles.ROLES[:roles.ROLES.index(role)]
            assert not any(roles.allowed(r, command) for r in lower), (name, "is said to be for", role, "and up")


def test_a_roles_refusal_in_a_chinese_conversation_names_the_roles_and_the_command_in_chinese(ctx, router):
    said = " ".join(line.text for line in Conversation(ctx, router, lang="zh").handle("/claim 1"))
    assert said == "客户角色不能执行“认领工单”；它仅限：经理、管理员（--role manager）"


def test_every_command_a_role_may_be_refused_has_its_words_in_the_catalogue(kb):
    """role.forbidden names the command by `role.command.KEY`: one for each command of the table, its English
    the command as the command line spells it (so the English refusal is the same)."""
    assert {key: kb.messages[f"role.command.{key}"]["en"] for key in roles.PERMISSIONS} == \
        {key: key.replace(".", " ") for key in roles.PERMISSIONS}
    assert {role: kb.messages[f"role.{role}"]["en"] for role in roles.ROLES} == {role: role for role in roles.ROLES}
