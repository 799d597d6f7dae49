"""How long `send list --phone NUMBER` takes on an account with 100,000 messages (run by hand;
prints a table).

    python benchmarks/bench_send_list_phone.py [--recipients 100000] [--sends 30] [--queries 200]
                                               [--postgres postgresql://USER@HOST:PORT/DBNAME] [--only sqlite|postgres]

The demo account sends one file of RECIPIENTS numbers, then SENDS small sends on the days after,
each of them to the number asked about (and to another), so the number is in SENDS + 1 sends.
Then QUERIES look-ups of that number (`sending.recent(phone=...)`, what `send list --phone`,
GET /v1/sends?phone= and the conversation call), and as many of a number never sent to; p50
and p99 in milliseconds. The same again without the messages_by_number index (account, phone,
sent_at), to show what it is worth. The PostgreSQL run needs a server: --postgres, else
$ASSISTANT_TEST_POSTGRES; a fresh schema there, dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import knowledge  # noqa: E402
from assistant.actions import accounts, sending, signatures, templates  # noqa: E402
from assistant.clock import FixedClock  # noqa: E402
from assistant.context import Context  # noqa: E402
from assistant.storage import open_store  # noqa: E402
from assistant.stories import png  # noqa: E402

ASKED = "13598765432"
NEVER = "13912345678"


def _clock(when: dt.datetime) -> FixedClock:
    return FixedClock(when)


def prepare(ctx: Context, folder: Path, recipients: int, sends: int) -> float:
    """The account with RECIPIENTS + 2 * SENDS messages; seconds the setup took."""
    started = time.perf_counter()
    (folder / "banner.png").write_bytes(png())
    ctx.clock = _clock(dt.datetime(2026, 3, 2, 10))
    accounts.ensure_demo(ctx)
    accounts.enable(ctx)
    accounts.topup(ctx, "demo", recipients + 10 * sends, None)
    signatures.submit(ctx, "AcmeShop", "trademark")
    ctx.clock = _clock(dt.datetime(2026, 3, 17, 10))
    templates.create(ctx, "Spring sale", "AcmeShop", "e-commerce", "Hi ${name}, the sale is on", [str(folder / "banner.png")])
    ctx.clock = _clock(dt.datetime(2026, 3, 20, 10))
    numbers = [f"138{n:08d}" for n in range(recipients - 1)] + [ASKED]
    sending.send(ctx, "DIGITAL_SMS_0001", [(n, {"name": "Tom"}) for n in numbers], from_file=True)
    for day in range(sends):
        ctx.clock = _clock(dt.datetime(2026, 3, 21, 10) + dt.timedelta(days=day))
        sending.send(ctx, "DIGITAL_SMS_0001", [(ASKED, {"name": "Tom"}), (f"1331234{day:04d}", {"name": "Ann"})])
    return time.perf_counter() - started


def timed(ctx: Context, phone: str, queries: int) -> tuple[float, float, int]:
    """p50 and p99 (ms) of QUERIES look-ups of PHONE, and how many sends the last one found."""
    took, found = [], []
    for _ in range(queries):
        started = time.perf_counter()
        found = sending.recent(ctx, phone=phone)
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return statistics.median(took), took[min(len(took) - 1, int(len(took) * 0.99))], len(found)


def bench(name: str, target: str, kb: knowledge.KnowledgeBase, folder: Path, args: argparse.Namespace) -> None:
    store = open_store(target)
    try:
        ctx = Context(store, kb, _clock(dt.datetime(2026, 3, 2, 10)), "demo", "admin:bench", "admin")
        setup = prepare(ctx, folder, args.recipients, args.sends)
        messages = store.row("SELECT COUNT(*) AS n FROM messages WHERE account = ?", ("demo",))["n"]
        print(f"{name}: {messages:,} messages in account demo (set up in {setup:.0f} s)")
        print(f"  {'index':<28}{'number':<14}{'sends':>6}{'p50 ms':>9}{'p99 ms':>9}")
        for label in ("messages_by_number", "none (dropped)"):
            if label.startswith("none"):
                store.atomically(lambda: store.execute("DROP INDEX messages_by_number"))
            for phone in (ASKED, NEVER):
                p50, p99, count = timed(ctx, phone, args.queries)
                print(f"  {label:<28}{phone:<14}{count:>6}{p50:>9.2f}{p99:>9.2f}")
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="`send list --phone` on an account with many messages")
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--sends", type=int, default=30)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--postgres", default=os.environ.get("ASSISTANT_TEST_POSTGRES"))
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args()
    kb = knowledge.load()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.only != "postgres":
            bench("sqlite", str(folder / "bench.db"), kb, folder, args)
        if args.only != "sqlite" and args.postgres:
            _on_postgres(args.postgres, kb, folder, args)


def _on_postgres(url: str, kb: knowledge.KnowledgeBase, folder: Path, args: argparse.Namespace) -> None:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        bench("postgres", f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}", kb, folder, args)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
