"""Accounts: the demo account, administration, enabling, and one account never touching another."""

import pytest

from assistant.actions import accounts, signatures
from assistant.errors import UserError


def test_the_demo_account_is_there_from_the_start(ctx):
    info = accounts.account_info(ctx)
    assert info["industry"] == "e-commerce" and not info["enabled"]
    assert info["packages"] == {"digital": 1000, "sms": 5000}
    assert info["profile"]["enterprise"] == ["Acme Technology Co., Ltd."]
    assert info["profile"]["trademark"] == ["AcmeShop"] and info["profile"]["app"] == ["AcmePay"]


def test_an_eligible_industry_enables_once(ctx):
    assert accounts.enable(ctx)["changed"] is True
    assert accounts.enable(ctx)["changed"] is False
    assert accounts.account_info(ctx)["enabled"]


def test_an_ineligible_industry_is_refused_with_the_list(ctx):
    accounts.create_account(ctx, "lender", "lending", {"enterprise": ["Quick Loans Ltd"]})
    ctx.account = "lender"
    with pytest.raises(UserError, match="not eligible for digital messages; eligible: e-commerce"):
        accounts.enable(ctx)
    assert not accounts.account_info(ctx)["enabled"]


def test_create_update_and_top_up_an_account(ctx):
    accounts.create_account(ctx, "globex", "retail", {"enterprise": ["Globex Corporation"]}, digital=10, sms=3)
    accounts.update_account(ctx, "globex", "logistics", {"app": ["GlobexGo"]})
    info = accounts.topup(ctx, "globex", 5, None)
    assert info["industry"] == "logistics" and info["profile"]["app"] == ["GlobexGo"]
    assert info["packages"] == {"digital": 15, "sms": 3}


@pytest.mark.parametrize("call,message", [
    (lambda c: accounts.create_account(c, "demo", "retail", {}), "already exists"),
    (lambda c: accounts.create_account(c, "x y", "retail", {}), "must be 1-64 letters"),
    (lambda c: accounts.create_account(c, "new", "astrology", {}), "unknown industry"),
    (lambda c: accounts.create_account(c, "new", "retail", {"website": ["a.com"]}), "unknown name source"),
    (lambda c: accounts.topup(c, "demo", -5, None), "zero or more"),
    (lambda c: accounts.topup(c, "nobody", 5, None), "no account 'nobody'"),
])
def test_bad_administration_is_refused_and_changes_nothing(ctx, call, message):
    before = ctx.store.rows("SELECT * FROM accounts ORDER BY name")
    with pytest.raises(UserError, match=message):
        call(ctx)
    assert ctx.store.rows("SELECT * FROM accounts ORDER BY name") == before


def test_every_action_leaves_an_audit_row_refusals_included(ctx):
    accounts.enable(ctx)
    with pytest.raises(UserError):
        signatures.submit(ctx, "te st", "trademark")
    rows = ctx.store.rows("SELECT actor, account, action, result FROM audit ORDER BY id")
    assert rows[-2:] == [{"actor": "customer", "account": "demo", "action": "enable", "result": "ok"},
                         {"actor": "customer", "account": "demo", "action": "signature.submit", "result": "refused"}]


def test_one_account_never_sees_anothers_signatures(ctx):
    accounts.enable(ctx)
    signatures.submit(ctx, "AcmeShop", "trademark")
    accounts.create_account(ctx, "globex", "retail", {"trademark": ["AcmeShop"]})
    ctx.account = "globex"
    assert signatures.status(ctx) == []
    with pytest.raises(UserError, match="no signature 'AcmeShop' in account 'globex'"):
        signatures.status(ctx, "AcmeShop")


def test_profile_names_are_stored_as_typed_like_every_other_text(ctx):
    """Tabs, line breaks and escape sequences in a name are kept (the sanitiser shows them as escapes);
    only the blank ends go. A name of nothing but control characters says nothing and is refused."""
    typed = "Globex\tCorp\nLtd \x1b[31mred"
    accounts.create_account(ctx, "globex", "retail", {"enterprise": [f"  {typed} "]})
    assert accounts.account_info(ctx, "globex")["profile"]["enterprise"] == [typed]
    with pytest.raises(UserError, match="empty enterprise name"):
        accounts.update_account(ctx, "globex", None, {"enterprise": ["\x1b\x07 "]})
