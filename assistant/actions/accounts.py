"""Accounts: the demo account, administration (create, update, top up) and enabling the service."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..choices import pick
from ..context import Context, perform
from ..errors import UserError, hinted, said
from ..rules import SOURCES
from ..text import clean, typed


def _industry(ctx: Context, industry: str) -> str:
    chosen = pick(industry, ctx.rules.account_industries)
    if chosen is None:
        raise UserError(f"unknown industry '{industry}'; use one of: {', '.join(ctx.rules.account_industries)}")
    return chosen


# The most messages a package may hold (far inside SQLite's 64-bit integers, so no sum overflows).
MAX_PACKAGE = 1_000_000_000


def _count(value: int | None, what: str) -> int:
    if value is None:
        return 0
    if value < 0:
        raise UserError(f"{what} must be zero or more, not {value}")
    if value > MAX_PACKAGE:
        raise UserError(f"{what} {value} is more than a package may hold ({MAX_PACKAGE:,}); give a smaller number")
    return value


def _balance(current: int, added: int, what: str) -> int:
    total = current + added
    if total > MAX_PACKAGE:
        raise UserError(f"{what}: {current:,} + {added:,} would pass the most a package may hold ({MAX_PACKAGE:,}); "
                        "top up less")
    return total


def _add_names(ctx: Context, account: str, names: Mapping[str, Iterable[str]]) -> None:
    for source, values in names.items():
        if source not in SOURCES:
            raise UserError(f"unknown name source '{source}'; use one of: {', '.join(SOURCES)}")
        for value in values:
            value = typed(value)  # stored as typed, like every other text; shown through the sanitiser
            if not clean(value):
                raise UserError(f"an empty {source} name; give the registered name")
            ctx.store.upsert("profile_names", {"account": account, "source": source, "name": value},
                             pk=("account", "source", "name"))


def ensure_demo(ctx: Context) -> None:
    """Create the demo account of rules.yaml if the database has never had it."""
    demo = ctx.rules.demo_account
    if not demo or ctx.store.row("SELECT 1 AS x FROM accounts WHERE name = ?", (demo["name"],)):
        return

    def create() -> None:
        if ctx.store.row("SELECT 1 AS x FROM accounts WHERE name = ?", (demo["name"],)):
            return  # another client created it first
        ctx.store.insert("accounts", {"name": demo["name"], "industry": demo["industry"], "enabled_at": None,
                                      "digital_balance": int(demo.get("digital", 0)),
                                      "sms_balance": int(demo.get("sms", 0)), "created_at": ctx.now()})
        _add_names(ctx, demo["name"], demo.get("profile") or {})
    ctx.store.atomically(create)


def create_account(ctx: Context, name: str, industry: str, names: Mapping[str, Iterable[str]],
                   digital: int | None = None, sms: int | None = None) -> dict:
    """Create account NAME with its industry, real-name profile and package balances."""
    name = clean(name)
    if not name or len(name) > 64 or not name.replace("-", "").replace("_", "").isalnum():
        raise UserError(f"account name '{name}' must be 1-64 letters, digits, dashes or underscores")

    def work() -> dict:
        if ctx.store.row("SELECT 1 AS x FROM accounts WHERE name = ?", (name,)):
            raise UserError(f"account '{name}' already exists; change it with `assistant admin account update {name}`")
        ctx.store.insert("accounts", {"name": name, "industry": _industry(ctx, industry), "enabled_at": None,
                                         "digital_balance": _count(digital, "--digital"),
                                         "sms_balance": _count(sms, "--sms"), "created_at": ctx.now()})
        _add_names(ctx, name, names)
        return account_info(ctx, name)
    return perform(ctx, "admin.account.create", name, work)


def update_account(ctx: Context, name: str, industry: str | None, names: Mapping[str, Iterable[str]]) -> dict:
    """Change an account's industry or add names to its real-name profile."""
    def work() -> dict:
        Context(ctx.store, ctx.kb, ctx.clock, name, ctx.actor).account_row()
        if industry:
            ctx.store.update("accounts", {"name": name}, {"industry": _industry(ctx, industry)})
        _add_names(ctx, name, names)
        return account_info(ctx, name)
    return perform(ctx, "admin.account.update", name, work)


def topup(ctx: Context, name: str, digital: int | None, sms: int | None) -> dict:
    """Add messages to an account's digital-message and SMS packages (at least one of them named)."""
    if digital is None and sms is None:
        what = f"nothing to add to account '{name}': no package named"
        raise hinted(UserError(f"{what}; give --digital N, --sms N or both"), what, "topup")

    def work() -> dict:
        row = Context(ctx.store, ctx.kb, ctx.clock, name, ctx.actor).account_row()
        ctx.store.update("accounts", {"name": name}, {
            "digital_balance": _balance(row["digital_balance"], _count(digital, "--digital"), "--digital"),
            "sms_balance": _balance(row["sms_balance"], _count(sms, "--sms"), "--sms")})
        return account_info(ctx, name)
    return perform(ctx, "admin.topup", name, work)


def in_profile(ctx: Context, name: str) -> bool:
    """Whether NAME (any case) is a name of the account's real-name profile."""
    return bool(ctx.store.row("SELECT 1 AS x FROM profile_names WHERE account = ? AND LOWER(name) = ?",
                              (ctx.account, name.lower())))


def account_info(ctx: Context, name: str | None = None) -> dict:
    """An account as shown to people and in JSON."""
    name = name or ctx.account
    row = Context(ctx.store, ctx.kb, ctx.clock, name, ctx.actor).account_row()
    profile: dict[str, list[str]] = {source: [] for source in SOURCES}
    for p in ctx.store.rows("SELECT source, name FROM profile_names WHERE account = ? ORDER BY source, name", (name,)):
        profile[p["source"]].append(p["name"])
    return {"name": row["name"], "industry": row["industry"], "enabled": row["enabled_at"] is not None,
            "enabled_at": row["enabled_at"], "packages": {"digital": row["digital_balance"], "sms": row["sms_balance"]},
            "profile": profile}


def list_accounts(ctx: Context) -> list[dict]:
    return [account_info(ctx, r["name"]) for r in ctx.store.rows("SELECT name FROM accounts ORDER BY name")]


def enable(ctx: Context) -> dict:
    """Enable digital messages for the account, if its industry is eligible."""
    def work() -> dict:
        row = ctx.account_row()
        if row["enabled_at"]:
            return {"account": ctx.account, "enabled": True, "enabled_at": row["enabled_at"], "changed": False}
        if not ctx.rules.account_industries.get(row["industry"], False):
            eligible = ", ".join(ctx.rules.eligible_industries)
            raise said(UserError(f"account '{ctx.account}' is in the '{row['industry']}' industry, which is not eligible for "
                                 f"digital messages; eligible: {eligible}"),
                       "account.not_eligible", account=ctx.account, industry=row["industry"], eligible=eligible)
        ctx.store.update("accounts", {"name": ctx.account}, {"enabled_at": ctx.now()})
        return {"account": ctx.account, "enabled": True, "enabled_at": ctx.now(), "changed": True}
    return perform(ctx, "enable", ctx.account, work)
