"""The support desk's view of the queue: filters, search, paging, first-reply targets, and a change counter.

The terminal's queue (`handoff.queue`) lists every unresolved ticket; the web desk needs more:
the tickets of one status, owner or account, a text search over the case, a page of them at a
time (a desk with 10,000 open tickets must still answer at once), and for each open ticket how
long it has left before its first-reply target (`rules.yaml`, handoff.first_reply_minutes) or how
long it is overdue. `version` is one number that grows with every change to any ticket (every
change writes a history event), so a page can ask "anything new?" without reading the tickets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..context import Context
from ..errors import UserError
from ..knowledge import KnowledgeBase
from ..messages import say
from ..roles import require
from ..storage.sqlite import Store
from .handoff import STATUSES, SUPPORT_SIDE_SQL, open_for, summary_in

PAGE = 50


@dataclass(frozen=True)
class Filters:
    """What the desk's queue shows: STATUS ("active" = every unresolved one), OWNER, ACCOUNT, a text Q."""

    status: str = "active"
    owner: str | None = None
    account: str | None = None
    q: str | None = None
    page: int = 1

    def check(self) -> None:
        if self.status not in (*STATUSES, "active", "all"):
            raise UserError(f"unknown status '{self.status}'; use one of: active, all, {', '.join(STATUSES)}")
        if self.page < 1:
            raise UserError("the page number starts at 1")


def _where(f: Filters) -> tuple[str, list]:
    where: list[str] = []
    params: list = []
    if f.status == "active":
        where.append("t.status != 'resolved'")
    elif f.status != "all":
        where.append("t.status = ?")
        params.append(f.status)
    if f.owner:
        where.append("t.owner = ?")
        params.append(f.owner)
    if f.account:
        where.append("t.account = ?")
        params.append(f.account)
    if f.q:
        like = "%" + f.q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append("(LOWER(t.summary) LIKE ? ESCAPE '\\' OR LOWER(COALESCE(t.detail, '')) LIKE ? ESCAPE '\\' "
                     "OR LOWER(t.account) LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM ticket_messages m "
                     "WHERE m.ticket = t.id AND LOWER(m.text) LIKE ? ESCAPE '\\'))")
        params += [like] * 4
        if f.q.strip().lstrip("#").isdecimal():
            where[-1] = where[-1][:-1] + " OR t.id = ?)"
            params.append(int(f.q.strip().lstrip("#")))
    return (" WHERE " + " AND ".join(where)) if where else "", params


def queue(ctx: Context, filters: Filters, lang: str = "en") -> dict:
    """One page of the queue, urgent first then oldest, each ticket with its first-reply timer and
    its summary said in LANG: the desk's language, the manager's own, whatever the customer wrote in.

    {"tickets": [...], "total": N, "page": P, "pages": K, "owners": [...], "accounts": [...]}.
    """
    require(ctx.role, "desk")
    filters.check()
    where, params = _where(filters)
    total = ctx.store.row(f"SELECT COUNT(*) AS n FROM tickets t{where}", tuple(params))["n"]
    pages = max(1, -(-total // PAGE))
    page = min(filters.page, pages)       # past the last page: the last one ("page 99 of 1" is no page)
    # the page is chosen first, so the first reply is looked up for its rows only
    rows = ctx.store.rows(
        "SELECT p.*, (SELECT MIN(m.at) FROM ticket_messages m WHERE m.ticket = p.id AND "
        f"{SUPPORT_SIDE_SQL}) AS first_reply_at "
        "FROM (SELECT t.id, t.account, t.summary, t.context, t.priority, t.status, t.owner, t.created_at, t.updated_at "
        f"FROM tickets t{where} ORDER BY t.priority = 'urgent' DESC, t.created_at, t.id LIMIT ? OFFSET ?) p "
        "ORDER BY p.priority = 'urgent' DESC, p.created_at, p.id",
        (*params, PAGE, (page - 1) * PAGE))
    now = ctx.clock.now()
    targets = ctx.rules.handoff.get("first_reply_minutes") or {}
    tickets = [{**{k: v for k, v in r.items() if k != "context"}, "summary": summary_in(ctx.kb, r, lang),
                "age": age(ctx, r, lang), **_timer(r, now, targets, ctx.kb, lang)}
               for r in rows]
    owners = [r["owner"] for r in ctx.store.rows("SELECT DISTINCT owner FROM tickets WHERE owner IS NOT NULL "
                                                 "ORDER BY owner")]
    accounts = [r["account"] for r in ctx.store.rows("SELECT DISTINCT account FROM tickets ORDER BY account")]
    return {"tickets": tickets, "total": total, "page": page, "pages": pages,
            "owners": owners, "accounts": accounts}


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def age(ctx: Context, ticket: Mapping[str, Any], lang: str) -> str:
    """How long TICKET has been open, as the queue says it in LANG ("2h 5m", "2小时5分钟"): to now, or to its
    last step if the viewer's clock is behind the ticket's history (`handoff.open_for`, as `handoff.get`'s `age`)."""
    return _span(open_for(ctx, ticket["created_at"], ticket.get("updated_at")), ctx.kb, lang)


def _span(delta: dt.timedelta, kb: KnowledgeBase, lang: str) -> str:
    """DELTA as the desk says a time span in LANG (messages.yaml `span.*`: "1h 5m", "1小时5分钟")."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return say(kb, "span.minutes", lang, m=minutes)
    if minutes < 24 * 60:
        return say(kb, "span.hours", lang, h=minutes // 60, m=minutes % 60)
    return say(kb, "span.days", lang, d=minutes // (24 * 60), h=minutes % (24 * 60) // 60)


def _timer(row: dict, now: dt.datetime, targets: dict, kb: KnowledgeBase, lang: str) -> dict:
    """The first-reply target of ROW: met, due in some time, or overdue by some time (resolved: none)."""
    minutes = targets.get(row["priority"])
    if minutes is None or row["status"] == "resolved":
        return {"sla": "none", "sla_text": ""}
    due = _time(row["created_at"]) + dt.timedelta(minutes=int(minutes))
    if row["first_reply_at"]:
        met = _time(row["first_reply_at"]) <= due
        return {"sla": "met" if met else "late", "sla_text": ""}
    if now > due:
        return {"sla": "overdue", "sla_text": _span(now - due, kb, lang)}
    return {"sla": "due", "sla_text": _span(due - now, kb, lang)}


def version(store: Store) -> int:
    """A number that grows with every change to any ticket (each change writes one history event)."""
    row = store.row("SELECT COALESCE(MAX(id), 0) AS v FROM ticket_events")
    return int(row["v"]) if row else 0
