"""What every handler depends on: who is calling (from the Bearer token), for which account, at what
time, and the operations bound to them. Handlers take `Depends(operations("send"))` and nothing else
decides who may do what: the roles table does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Depends, Request

from .. import learned, tokens
from ..clock import Clock, FixedClock, parse_time
from ..context import Context
from ..errors import SERVICE_FIXES, Forbidden, Unavailable, UserError
from ..gaps import SharedLog
from ..ops import LocalOps
from ..paths import database_target
from ..roles import require
from ..storage import open_store
from ..storage.sqlite import Store
from .limits import Buckets
from .settings import Settings


class Unauthenticated(UserError):
    """No token, or one that is unknown or revoked (the service answers 401)."""


# How often a worker asks its database whether learned phrasings changed (one cheap query).
RECHECK_LEARNED_S = 1.0


def _on_event_loop() -> bool:
    """Whether this thread runs an event loop: no database is queried there (it would stall every request)."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class Service:
    """The process-wide state of one worker: settings, the router, a store per thread, rate buckets."""

    def __init__(self, settings: Settings, monotonic: Callable[[], float] = time.monotonic):
        from ..cache import load_router
        from ..knowledge import resolve_dir

        self.settings = settings
        self.directory = resolve_dir(settings.kb)
        if not (self.directory / "faq.yaml").is_file():
            raise UserError(f"no faq.yaml in {self.directory}; point --kb at a knowledge-base directory")
        self.monotonic = monotonic
        mirror = self._mirrored()
        self._stamp, self._learned, self._checked = mirror.stamp, mirror.learned, float("-inf")  # the first request looks
        self._router = load_router(self.directory, mirror.learned)
        if self._router.warning:  # the service still starts, answering with the lexical model
            import sys

            sys.stderr.write(f"warning: {self._router.warning}\n")
        self._reload = threading.Lock()
        self._local = threading.local()
        self.gaps = SharedLog(self.store, lambda: self.kb.thresholds.gap_log_rows)
        self.asks = Buckets(settings.asks_per_minute)
        self.tickets = Buckets(settings.tickets_per_minute)
        self.in_flight = 0  # requests being answered (counted by the app's InFlight middleware)
        self.conversations = Buckets(self.kb.rules.conversations["per_token_per_minute"] if self.kb.rules else 20)

    def _mirrored(self) -> learned.Mirror:
        """The learned phrasings to start with: the database's mirror (read from it if there is none);
        none while the database cannot be reached (the first request looks again)."""
        try:
            return learned.mirrored(database_target(self.settings.db), lambda: open_store(self.settings.db))
        except Unavailable:
            return learned.NOTHING

    @property
    def router(self):
        """The router, rebuilt when the database's learned phrasings changed (a manager taught one, here,
        in another worker or with the CLI): looked up at most once a second, never on the event loop,
        by one thread at a time while the others answer with the router they have."""
        if self._due() and self._reload.acquire(blocking=False):
            try:
                if self._due():
                    self._refresh()
            finally:
                self._reload.release()
        return self._router

    def _due(self) -> bool:
        return self.monotonic() - self._checked >= RECHECK_LEARNED_S and not _on_event_loop()

    def _refresh(self) -> None:
        from ..cache import load_router

        self._checked = self.monotonic()
        try:
            mirror = learned.sync(self.store())
        except UserError:  # the database is away for now: answer with what we have, look again later
            return
        if mirror.stamp != self._stamp and mirror.learned != self._learned:
            self._router = load_router(self.directory, mirror.learned)
        self._stamp, self._learned = mirror.stamp, mirror.learned

    def learned_changed(self) -> None:
        """A phrasing was taught through this worker: the next request uses it."""
        self._checked = float("-inf")

    @property
    def kb(self):
        return self.router.kb

    def store(self) -> Store:
        """This thread's connection (SQLite connections stay in the thread that opened them)."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = open_store(self.settings.db)
        return store

    def ready(self) -> None:
        """Raise Unavailable unless the database answers a trivial query (on this thread's store)."""
        self.store().row("SELECT 1 AS ok")

    def prepare(self) -> None:
        """Create the schema and the demo account once, before the first request."""
        from ..actions.accounts import ensure_demo

        ensure_demo(Context(self.store(), self.kb, Clock(), "demo", "service"))


@dataclass
class Caller:
    """The bearer of the request's token, the account they act for and the clock they act at."""

    principal: tokens.Principal
    account: str
    clock: Clock

    @property
    def role(self) -> str:
        return self.principal.role


async def service(request: Request) -> Service:
    """The worker's Service. Async, as every dependency that never waits on the database: FastAPI runs
    a plain function in the thread pool, and each hop there and back cost more than the work."""
    return request.app.state.service


def caller(request: Request) -> Caller:
    """Authenticate the Bearer token; the account and role come from it, never from the client.

    A plain function, so FastAPI runs it in the thread pool: a slow or hung database never blocks
    the event loop (and so never `/openapi.json`, `/docs` or `/healthz`).
    """
    svc: Service = request.app.state.service
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    principal = tokens.authenticate(svc.store(), token.strip()) if scheme.lower() == "bearer" else None
    if principal is None:
        raise Unauthenticated("no valid token; send `Authorization: Bearer TOKEN` with a token from "
                              "`assistant admin token create` (set ASSISTANT_TOKEN for the CLI)")
    asked = request.headers.get("x-assistant-account", "").strip() or None
    if principal.role == "customer":
        if asked and asked != principal.account:
            raise Forbidden(f"this token is for account '{principal.account}'; {SERVICE_FIXES['account']}")
        account = principal.account or ""
    else:
        account = asked or "demo"
    return Caller(principal, account, clock_for(svc, request.headers.get("x-assistant-now")))


def clock_for(svc: Service, asked: str | None) -> Clock:
    """The clock a request acts at: the real one, or ASKED (X-Assistant-Now) on a service that allows it."""
    if not asked:
        return Clock()
    if not svc.settings.allow_simulated_clock:
        raise Forbidden(f"this service keeps the real time and refuses a simulated one; {SERVICE_FIXES['now']}, "
                        "or start the service with --allow-simulated-clock")
    return FixedClock(parse_time(asked))


def context(svc: Service, who: Caller) -> Context:
    """A context on this thread's store, for the caller's account, clock and audit name."""
    return Context(svc.store(), svc.kb, who.clock, who.account, who.principal.actor, who.role)


COMMANDS_USED: set[str] = set()   # every command an endpoint runs: each must be in the roles table


def operations(command: str, bucket: str | None = None):
    """A dependency giving the operations bound to the caller, once the roles table allows COMMAND
    (and BUCKET, "asks" or "tickets", has room for one more request from this token)."""
    COMMANDS_USED.add(command)

    # Async: binding reads no database (the context is built in the handler's thread, on first use),
    # so it runs on the event loop rather than costing a hop to the thread pool and back.
    async def dependency(who: Caller = Depends(caller), svc: Service = Depends(service)) -> LocalOps:
        return bound(svc, who, command, bucket)
    return dependency


def bound(svc: Service, who: Caller, command: str, bucket: str | None = None) -> LocalOps:
    """The operations of WHO on SVC, once the roles table allows COMMAND and BUCKET has room (see
    `operations`); for a page, which builds them itself. Never queries the database."""
    COMMANDS_USED.add(command)
    require(who.role, command)
    if bucket:
        getattr(svc, bucket).take(who.principal.token_id, {"say": f"limit.what.{bucket}"})
    made: list[Context] = []

    def ctx() -> Context:   # built in the handler's thread, on first use
        if not made:
            made.append(context(svc, who))
        return made[0]
    ops = LocalOps(ctx, lambda: svc.router, who.role, who.principal.user, confined=who.role == "customer")
    ops.after_learning = svc.learned_changed
    ops.gap_log = svc.gaps
    ops.gap_source = f"token:{who.principal.token_id}"   # POST /v1/ask: a script's questions are one asker
    ops.caller = who  # type: ignore[attr-defined]
    # one limit for requests for a person (POST /v1/tickets, a question asking for one), said as
    # what each would be: a new ticket, or an addition to the account's open one
    ops.before_ticket = lambda open_id: svc.tickets.take(who.principal.token_id, {"say": "limit.what.tickets"}
                                                         if open_id is None else
                                                         {"say": "limit.what.ticket_added", "fields": {"id": open_id}})
    ops.send_share = float(svc.kb.rules.sending.get("service_share", 1.0)) if svc.kb.rules else 1.0
    ops.others_waiting = lambda: svc.in_flight > 1  # a send makes room only when there is someone to make it for
    return ops


def as_staff(ops: LocalOps, by: str | None) -> str:
    """The name a staff member acts under: their token's; another --by is refused."""
    me = ops.caller.principal.user or ""  # type: ignore[attr-defined]
    if by and by != me:
        raise Forbidden(f"this token is {me}'s; {SERVICE_FIXES['by'].format(me=me)}")
    return me
