"""The account (the caller's own) and administration: accounts, packages, carrier decisions, tokens."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import Field

from ...ops import LocalOps
from ...rules import SOURCES
from ..deps import Caller, caller, operations
from ..strict import Body, StrictRoute

router = APIRouter(tags=["account and administration"], route_class=StrictRoute)
Name = Field(max_length=200)


class Profile(Body):
    enterprise: list[str] = Field([], max_length=20)
    institution: list[str] = Field([], max_length=20)
    trademark: list[str] = Field([], max_length=20)
    app: list[str] = Field([], max_length=20)

    def names(self) -> dict[str, list[str]]:
        return {s: list(getattr(self, s, [])) for s in SOURCES}


class NewAccount(Profile):
    name: str = Name
    industry: str = Name
    digital: int | None = Field(None, ge=0, le=10**9)
    sms: int | None = Field(None, ge=0, le=10**9)


class AccountChange(Profile):
    industry: str | None = Field(None, max_length=200)


class Topup(Body):
    digital: int | None = Field(None, ge=0, le=10**9)
    sms: int | None = Field(None, ge=0, le=10**9)


class Review(Body):
    carrier: str = Name
    approve: bool
    reason: str | None = Field(None, max_length=2000)


class NewToken(Body):
    account: str | None = Field(None, max_length=200)
    user: str | None = Field(None, max_length=200)
    role: Literal["agent", "manager", "admin"] | None = None


class Revocation(Body):
    token: str = Field(max_length=200, description="the token itself, or its id")


@router.get("/account", summary="The caller's account")
def account(ops: LocalOps = Depends(operations("account.show"))) -> dict:
    return ops.account_show(None)


@router.post("/account/enable", summary="Enable digital messages (eligible industries only)")
def enable(ops: LocalOps = Depends(operations("enable"))) -> dict:
    return ops.enable()


@router.get("/admin/accounts", summary="Every account")
def accounts(ops: LocalOps = Depends(operations("admin.account.list"))) -> list[dict]:
    return ops.account_list()


@router.post("/admin/accounts", summary="Create an account")
def create_account(body: NewAccount, ops: LocalOps = Depends(operations("admin.account.create"))) -> dict:
    return ops.account_create(body.name, body.industry, body.names(), body.digital, body.sms)


@router.get("/admin/accounts/{name}", summary="One account (administrators)")
def show_account(name: str, ops: LocalOps = Depends(operations("admin.account.show"))) -> dict:
    return ops.account_show(name)


@router.patch("/admin/accounts/{name}", summary="Change the industry or add real-name profile names")
def update_account(name: str, body: AccountChange, ops: LocalOps = Depends(operations("admin.account.update"))) -> dict:
    return ops.account_update(name, body.industry, body.names())


@router.post("/admin/accounts/{name}/topup", summary="Add messages to an account's packages")
def topup(name: str, body: Topup, ops: LocalOps = Depends(operations("admin.topup"))) -> dict:
    return ops.topup(name, body.digital, body.sms)


@router.post("/admin/templates/{code}/reviews", summary="Record a carrier's decision on a template")
def review(code: str, body: Review, ops: LocalOps = Depends(operations("admin.review"))) -> dict:
    return ops.review(code, body.carrier, body.approve, body.reason)


@router.post("/admin/tokens", summary="A new token, returned once")
def create_token(body: NewToken, ops: LocalOps = Depends(operations("admin.token.create"))) -> dict:
    return ops.token_create(body.account, body.user, body.role)


@router.get("/admin/tokens", summary="Every token, without secrets")
def tokens(ops: LocalOps = Depends(operations("admin.token.list"))) -> list[dict]:
    return ops.token_list()


@router.post("/admin/tokens/revoke", summary="Revoke a token at once")
def revoke(body: Revocation, ops: LocalOps = Depends(operations("admin.token.revoke"))) -> dict:
    return ops.token_revoke(body.token)


@router.get("/whoami", summary="Who the token is: role, account (a customer's), user (a person's)")
def whoami(who: Caller = Depends(caller)) -> dict:
    return {"role": who.role, "account": who.principal.account, "user": who.principal.user}
