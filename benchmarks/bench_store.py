"""How the two storage engines hold up under concurrent clients (run by hand; prints tables).

    python benchmarks/bench_store.py [--seconds 30] [--processes 4] [--recipients 100000]
                                     [--postgres postgresql://USER@HOST:PORT/DBNAME] [--only sqlite|postgres]

1. PROCESSES client processes, each with its own connection, run a mix of actions for SECONDS
   on one database: single-recipient sends, top-ups, new tickets, claims, replies, and reads
   (the account and the ticket queue). Printed: actions a second overall, and p50/p99 latency
   per action. A refused action (a ticket someone else claimed first) counts: it is an answer.
2. One send to RECIPIENTS numbers from a file (one request, one transaction).

The PostgreSQL run needs a server: --postgres, else $ASSISTANT_TEST_POSTGRES; each run gets a
fresh schema there, dropped afterwards. The SQLite run uses a file in a temp dir.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import knowledge  # noqa: E402
from assistant.actions import accounts, handoff, sending, signatures, templates  # noqa: E402
from assistant.clock import FixedClock  # noqa: E402
from assistant.context import Context  # noqa: E402
from assistant.errors import UserError  # noqa: E402
from assistant.storage import open_store  # noqa: E402
from assistant.stories import png  # noqa: E402

FORK = multiprocessing.get_context("fork")
MIX = [("send", 30), ("topup", 10), ("handoff.create", 15), ("handoff.claim", 15), ("handoff.reply", 10),
       ("account.show", 10), ("handoff.list", 10)]


def _png(folder: Path) -> str:
    """A small real PNG, for the template's image frame."""
    path = folder / "banner.png"
    path.write_bytes(png())
    return str(path)


def _clock(when: str) -> FixedClock:
    return FixedClock(dt.datetime.fromisoformat(when))


def prepare(target: str, kb: knowledge.KnowledgeBase, folder: Path) -> None:
    """The demo account enabled, with a signature, an approved template and a large package."""
    store = open_store(target)
    ctx = Context(store, kb, _clock("2026-03-02T10:00"), "demo", "customer")
    accounts.ensure_demo(ctx)
    accounts.enable(ctx)
    signatures.submit(ctx, "AcmeShop", "trademark")
    ctx.clock = _clock("2026-03-17T10:00")
    templates.create(ctx, "Spring sale", "AcmeShop", "e-commerce", "Hi ${name}, the sale is on", [_png(folder)])
    ctx.clock = _clock("2026-03-20T10:00")
    accounts.topup(ctx, "demo", 10_000_000, None)
    for _ in range(20):
        handoff.create(ctx, "a case to claim")
    store.close()


def _one(ctx: Context, manager: Context, action: str, worker: int, count: int, rng: random.Random) -> None:
    if action == "send":
        sending.send(ctx, "DIGITAL_SMS_0001", [(f"138{worker:02d}{count:06d}", {"name": "Tom"})])
    elif action == "topup":
        accounts.topup(manager, "demo", 1, None)
    elif action == "handoff.create":
        handoff.create(ctx, "my template is stuck")
    elif action == "handoff.claim":
        newest = ctx.store.row("SELECT MAX(id) AS n FROM tickets")["n"]
        handoff.claim(manager, rng.randint(1, newest), f"agent{worker}")
    elif action == "handoff.reply":
        newest = ctx.store.row("SELECT MAX(id) AS n FROM tickets")["n"]
        handoff.reply(manager, rng.randint(1, newest), "we are on it", f"agent{worker}")
    elif action == "account.show":
        accounts.account_info(ctx)
    elif action == "handoff.list":
        handoff.queue(manager, "open")


def worker(target: str, kb, seconds: float, index: int, start, results) -> None:
    rng = random.Random(index)
    store = open_store(target)
    clock = _clock("2026-03-20T10:00")
    ctx = Context(store, kb, clock, "demo", "customer")
    manager = Context(store, kb, clock, "demo", "manager")
    names, weights = zip(*MIX)
    timings: dict[str, list[float]] = defaultdict(list)
    refused = 0
    start.wait()
    deadline = time.monotonic() + seconds
    count = 0
    while time.monotonic() < deadline:
        action = rng.choices(names, weights)[0]
        began = time.perf_counter()
        try:
            _one(ctx, manager, action, index, count, rng)
        except UserError:
            refused += 1
        timings[action].append(time.perf_counter() - began)
        count += 1
    store.close()
    results.put((dict(timings), refused))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def mixed(target: str, kb, seconds: float, processes: int) -> None:
    start, results = FORK.Barrier(processes + 1), FORK.Queue()
    procs = [FORK.Process(target=worker, args=(target, kb, seconds, i, start, results)) for i in range(processes)]
    for p in procs:
        p.start()
    start.wait()
    began = time.monotonic()
    merged: dict[str, list[float]] = defaultdict(list)
    refused = 0
    for _ in procs:
        timings, n = results.get(timeout=seconds + 120)
        refused += n
        for action, values in timings.items():
            merged[action] += values
    for p in procs:
        p.join()
    elapsed = time.monotonic() - began
    total = sum(len(v) for v in merged.values())
    print(f"  {processes} processes, {seconds:g} s: {total} actions, {total / elapsed:.0f} actions/s ({refused} refused)")
    print(f"  {'action':<16}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}")
    for action, _ in MIX:
        values = merged.get(action, [])
        if values:
            print(f"  {action:<16}{len(values):>8}{statistics.median(values) * 1000:>10.1f}"
                  f"{_percentile(values, 0.99) * 1000:>10.1f}")


def big_send(target: str, kb, recipients: int) -> None:
    store = open_store(target)
    ctx = Context(store, kb, _clock("2026-03-21T10:00"), "demo", "customer")
    numbers = [(f"139{n:08d}", {"name": "Tom"}) for n in range(recipients)]
    began = time.perf_counter()
    result = sending.send(ctx, "DIGITAL_SMS_0001", numbers, from_file=True)
    elapsed = time.perf_counter() - began
    print(f"  one send to {recipients:,} recipients: {elapsed:.1f} s ({recipients / elapsed:,.0f} recipients/s, "
          f"{result['sent']:,} sent)")
    store.close()


def _server_schema(url: str) -> tuple[str, str]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return schema, f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def _drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of the mixed run (default 30)")
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--recipients", type=int, default=100_000, help="size of the big send (0 skips it)")
    parser.add_argument("--postgres", default=os.environ.get("ASSISTANT_TEST_POSTGRES"), help="server URL")
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args()
    kb = knowledge.load()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        backends = []
        if args.only != "postgres":
            backends.append(("SQLite file", str(folder / "bench.db"), None))
        if args.only != "sqlite":
            if not args.postgres:
                print("PostgreSQL skipped: pass --postgres URL (or set ASSISTANT_TEST_POSTGRES)")
            else:
                schema, url = _server_schema(args.postgres)
                backends.append(("PostgreSQL", url, schema))
        for label, target, schema in backends:
            print(label)
            try:
                prepare(target, kb, folder)
                mixed(target, kb, args.seconds, args.processes)
                if args.recipients:
                    big_send(target, kb, args.recipients)
            finally:
                if schema:
                    _drop_schema(args.postgres, schema)


if __name__ == "__main__":
    main()
