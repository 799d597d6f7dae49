"""Access tokens for the service: who a bearer is, proven by a secret only its holder knows.

A token is a random URL-safe string shown once when it is created; the database keeps its SHA-256
hash and a short prefix to recognise it in lists. A customer's token is bound to one account; an
agent's, manager's or admin's token names a person and a role. Revoking keeps the row (for the
audit trail) and makes the token useless at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from .context import Context, perform
from .errors import NotFound, UserError, hinted
from .roles import ROLES
from .storage.sqlite import Store
from .text import clean

PREFIX = "dm_"
STAFF_ROLES = tuple(r for r in ROLES if r != "customer")


@dataclass(frozen=True)
class Principal:
    """The bearer of a token: its id, role, the account a customer is bound to, the person's name."""

    token_id: int
    role: str
    account: str | None
    user: str | None

    @property
    def actor(self) -> str:
        """The audit trail's name for the bearer: "customer:token#7" (a customer's token names no
        person, so its id from `admin token list` says which token acted), or "manager:lin".
        Never the secret, nor its prefix."""
        return f"customer:token#{self.token_id}" if self.role == "customer" else f"{self.role}:{self.user}"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(ctx: Context, account: str | None = None, user: str | None = None, role: str | None = None) -> dict:
    """A new token for a customer of ACCOUNT, or for USER in a staff ROLE; the secret is in the result only."""
    if bool(account) == bool(user):
        raise hinted(UserError("a token is for a customer (--account NAME) or for a person (--user NAME --role ROLE); give one"),
                     "a token is for a customer or for a person", "token_for")
    if account:
        if role not in (None, "customer"):
            raise hinted(UserError("a customer token has no other role; drop --role, or use --user NAME --role ROLE"),
                         "a customer token has no other role", "token_role")
        role = "customer"
    else:
        user = clean(user or "")
        if role not in STAFF_ROLES:
            raise hinted(UserError(f"a person's token needs --role, one of: {', '.join(STAFF_ROLES)}"),
                         "a person's token needs a role", "token_staff_role", roles=", ".join(STAFF_ROLES))
        if not user:
            raise hinted(UserError("the --user name is empty; give the person's name"), "the user name is empty",
                         "token_user")
    secret = PREFIX + secrets.token_urlsafe(32)

    def work() -> dict:
        if account:
            Context(ctx.store, ctx.kb, ctx.clock, account, ctx.actor).account_row()
        token_id = ctx.store.insert("tokens", {"hash": digest(secret), "prefix": secret[:10], "account": account,
                                               "user_name": user, "role": role, "created_at": ctx.now(),
                                               "created_by": ctx.actor, "revoked_at": None})
        return {"token": secret, "id": token_id, "role": role, "account": account, "user": user}
    return perform(ctx, "admin.token.create", account or user, work)


def listing(ctx: Context) -> list[dict]:
    """Every token, newest first, without secrets: id, prefix, role, account or user, created, revoked."""
    rows = ctx.store.rows("SELECT id, prefix, role, account, user_name, created_at, created_by, revoked_at "
                          "FROM tokens ORDER BY id DESC")
    return [{"id": r["id"], "prefix": r["prefix"], "role": r["role"], "account": r["account"], "user": r["user_name"],
             "created_at": r["created_at"], "created_by": r["created_by"], "revoked_at": r["revoked_at"]} for r in rows]


def revoke(ctx: Context, token: str) -> dict:
    """Revoke TOKEN (the secret itself, or its id from `admin token list`)."""
    token = token.strip()

    def work() -> dict:
        if token.lstrip("#").isdecimal() and len(token.lstrip("#")) <= 18:  # an id SQLite can hold ("²" is none)
            row = ctx.store.row("SELECT * FROM tokens WHERE id = ?", (int(token.lstrip("#")),))
        else:
            row = ctx.store.row("SELECT * FROM tokens WHERE hash = ?", (digest(token),))
        if row is None:
            raise NotFound("no such token; see `assistant admin token list` for the ids")
        if row["revoked_at"] is None:
            ctx.store.update("tokens", {"id": row["id"]}, {"revoked_at": ctx.now()})
        return {"id": row["id"], "prefix": row["prefix"], "revoked_at": row["revoked_at"] or ctx.now()}
    return perform(ctx, "admin.token.revoke", token[:10], work)


def authenticate(store: Store, token: str | None) -> Principal | None:
    """The bearer of TOKEN, or None when it is missing, unknown or revoked."""
    if not token:
        return None
    row = store.row("SELECT id, role, account, user_name, revoked_at FROM tokens WHERE hash = ?", (digest(token),))
    if row is None or row["revoked_at"] is not None:
        return None
    return Principal(row["id"], row["role"], row["account"], row["user_name"])
