"""What every action needs: the store, the knowledge base, the clock, the account and the actor.

`perform` is the one way an action changes state: it runs inside a single transaction and
leaves an audit row saying who did what, when, to what, and how it ended, refusals included.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .clock import Clock
from .errors import NoAccount, Unavailable, UserError, refused, said
from .knowledge import KnowledgeBase
from .rules import Rules
from .storage.sqlite import Store

T = TypeVar("T")


@dataclass
class Context:
    store: Store
    kb: KnowledgeBase
    clock: Clock
    account: str = "demo"
    actor: str = "customer"
    role: str = "customer"  # one of roles.ROLES: what the actor may do and which accounts it reaches

    @property
    def rules(self) -> Rules:
        if self.kb.rules is None:
            raise UserError("this knowledge base has no rules.yaml, so it has no account model")
        return self.kb.rules

    def now(self) -> str:
        return self.clock.now().isoformat(sep=" ", timespec="seconds")

    def account_row(self) -> dict:
        """The current account, or a UserError that says how to find or create one."""
        row = self.store.row("SELECT * FROM accounts WHERE name = ?", (self.account,))
        if row is None:
            raise said(NoAccount(f"no account '{self.account}'; see `assistant admin account list`, "
                                 f"or create it with `assistant admin account create {self.account} --industry INDUSTRY`"),
                       "account.missing", account=self.account)
        return row

    def audit(self, action: str, target: str | None, result: str, detail: Any = None) -> None:
        self.store.insert("audit", {
            "at": self.now(), "actor": self.actor, "account": self.account, "action": action,
            "target": target, "result": result,
            "detail": detail if detail is None or isinstance(detail, str) else json.dumps(detail, ensure_ascii=False),
        })


def perform(ctx: Context, action: str, target: str | None, work: Callable[[], T]) -> T:
    """Run WORK as one audited transaction; a refusal is audited too, and nothing else is kept.

    On a database server the store may run WORK more than once (a serializable transaction that
    lost to a concurrent one is retried), so WORK must only read and write through the store.
    """
    def audited() -> T:
        result = work()
        ctx.audit(action, target, "ok")
        return result
    try:
        return ctx.store.atomically(audited, key=ctx.account)
    except Unavailable:
        raise  # the database failed: there is no refusal to record, and recording would wait again
    except UserError as exc:
        why = str(exc)
        ctx.store.atomically(lambda: ctx.audit(action, target, "refused", why), key=ctx.account)
        raise


def check_count(ctx: Context, table: str, limit: int, code: str) -> None:
    """Refuse with the service's CODE when the account already holds LIMIT of TABLE's objects."""
    held = ctx.store.row(f"SELECT COUNT(*) AS n FROM {table} WHERE account = ?", (ctx.account,))["n"]
    if held >= limit:
        raise refused(code, f"account '{ctx.account}' already has {held} {table}, the most it may have "
                      f"({limit}); reuse one, or ask a support manager to raise the limit", f"account.most_{table}",
                      account=ctx.account, held=held, limit=limit)
