"""How fast the desk's queue answers with many open tickets (run by hand; prints figures).

    python benchmarks/bench_desk.py [--tickets 10000] [--runs 20] [--db URL]

Fills a fresh database (a temporary SQLite file, or the PostgreSQL database given with --db) with
TICKETS open tickets over 50 accounts, a third of them claimed and some with replies, then times
the first page of the queue as the desk asks for it (`desk.queue`, in process: the server's own
time), with a filter and with a search, and the whole page through a real `assistant serve`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import json
import random
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.actions import desk  # noqa: E402
from assistant.actions.accounts import ensure_demo  # noqa: E402
from assistant.cli import main as cli  # noqa: E402
from assistant.clock import FixedClock  # noqa: E402
from assistant.context import Context  # noqa: E402
from assistant.knowledge import load  # noqa: E402
from assistant.storage import open_store  # noqa: E402


def fill(db: str, tickets: int) -> None:
    store = open_store(db)
    kb = load()
    ctx = Context(store, kb, FixedClock(dt.datetime(2026, 3, 2, 10)), "demo", "admin", "admin")
    ensure_demo(ctx)
    rng = random.Random(5)
    start = dt.datetime(2026, 1, 1)
    with store.transaction():
        for n in range(50):
            store.execute("INSERT INTO accounts (name, industry, digital_balance, sms_balance, created_at) "
                          "SELECT ?, industry, 0, 0, created_at FROM accounts WHERE name = 'demo'", (f"acct{n}",))
        rows, messages, events = [], [], []
        for n in range(1, tickets + 1):
            at = (start + dt.timedelta(minutes=7 * n)).isoformat(sep=" ")
            owner = rng.choice(["lin", "wang", "zhao"]) if n % 3 == 0 else None
            rows.append({"id": n, "account": f"acct{n % 50}", "summary": f"Customer asked for a person: case {n} "
                         + rng.choice(["template rejected", "send failed", "signature pending", "refund"]),
                         "reason": "asked_for_person", "detail": None, "priority": "urgent" if n % 10 == 0 else "normal",
                         "status": "claimed" if owner else "open", "owner": owner, "context": "{}",
                         "conversation": "[]", "send_date": None, "resolution": None, "created_at": at, "updated_at": at})
            events.append({"ticket": n, "at": at, "actor": "customer", "event": "created", "detail": None})
            if owner and n % 2 == 0:
                messages.append({"ticket": n, "account": f"acct{n % 50}", "at": at, "author": owner, "text": "On it.",
                                 "seen_at": None})
        store.insert_all("tickets", rows)
        store.insert_all("ticket_events", events)
        store.insert_all("ticket_messages", messages)
    store.close()


def timed(fn, runs: int) -> tuple[float, float]:
    spent = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        spent.append((time.perf_counter() - began) * 1000)
    return statistics.median(spent), max(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", help="a PostgreSQL URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or str(Path(folder) / "desk.db")
        fill(db, args.tickets)
        store = open_store(db)
        ctx = Context(store, load(), FixedClock(dt.datetime(2026, 3, 2, 10)), "demo", "manager:lin", "manager")
        print(f"{args.tickets:,} open tickets, {args.runs} runs each (median / max, ms):")
        for label, filters in (("first page", desk.Filters()), ("owner filter", desk.Filters(owner="lin")),
                               ("search", desk.Filters(q="refund")), ("page 100", desk.Filters(page=100))):
            median, worst = timed(lambda f=filters: desk.queue(ctx, f), args.runs)
            print(f"  desk.queue, {label:<13} {median:8.1f} {worst:8.1f}")
        store.close()
        from assistant.server.process import ServiceProcess

        server = ServiceProcess(db, wait_s=120)
        try:
            import io

            out = io.StringIO()
            cli(["--db", db, "admin", "token", "create", "--user", "lin", "--grant", "manager"], stdout=out)
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            opener.open(server.url + "/login", urllib.parse.urlencode({"token": out.getvalue().strip()}).encode()).read()
            median, worst = timed(lambda: opener.open(server.url + "/desk").read(), args.runs)
            print(f"  GET /desk through the service  {median:8.1f} {worst:8.1f}")
            median, worst = timed(lambda: json.loads(opener.open(server.url + "/desk/changes").read()), args.runs)
            print(f"  GET /desk/changes              {median:8.1f} {worst:8.1f}")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
