"""How fast a send from a recipients file goes, and what the crash-safe transaction costs
(run by hand; prints a table).

    python benchmarks/bench_send_file.py [--recipients 100000] [--runs 3]

For each run: reading and checking a `PHONE;Name` CSV of N recipients (the sniffed delimiter,
the case-insensitive header), then the send itself (every recipient checked, one transaction,
one request id), on a fresh database file in a temporary directory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import png_bytes  # noqa: E402

from assistant import knowledge  # noqa: E402
from assistant.actions import accounts, signatures, templates  # noqa: E402
from assistant.actions.sending import send  # noqa: E402
from assistant.clock import FixedClock  # noqa: E402
from assistant.context import Context  # noqa: E402
from assistant.recipients import read  # noqa: E402
from assistant.storage.sqlite import Store  # noqa: E402


def one_run(kb: knowledge.KnowledgeBase, folder: Path, count: int) -> tuple[float, float]:
    (folder / "banner.png").write_bytes(png_bytes())
    with open(folder / "r.csv", "w", encoding="utf-8") as handle:
        handle.write("PHONE;Name\n")
        handle.writelines(f"138{n:08d};Tom\n" for n in range(count))
    ctx = Context(Store(folder / "bench.db"), kb, FixedClock(dt.datetime(2026, 3, 2, 10)), "demo", "admin:bench", "admin")
    accounts.ensure_demo(ctx)
    accounts.enable(ctx)
    signatures.submit(ctx, "AcmeShop", "trademark")
    ctx.clock = FixedClock(dt.datetime(2026, 3, 17, 10))
    templates.create(ctx, "Sale", "AcmeShop", "e-commerce", "Hi ${name}", [str(folder / "banner.png")])
    accounts.topup(ctx, "demo", count, None)
    ctx.clock = FixedClock(dt.datetime(2026, 3, 20, 10))
    start = time.perf_counter()
    recipients = read(str(folder / "r.csv"))
    parsed = time.perf_counter()
    result = send(ctx, "DIGITAL_SMS_0001", recipients, from_file=True)
    done = time.perf_counter()
    assert result["sent"] == count, result["failed"]
    ctx.store.close()
    return parsed - start, done - parsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    kb = knowledge.load()
    reads, sends = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            r, s = one_run(kb, Path(folder), args.recipients)
            reads.append(r)
            sends.append(s)
    print(f"{args.recipients:,} recipients, {args.runs} runs (median, min)")
    print(f"  read and check the CSV  {statistics.median(reads):6.2f} s  {min(reads):6.2f} s")
    print(f"  send (one transaction)  {statistics.median(sends):6.2f} s  {min(sends):6.2f} s")


if __name__ == "__main__":
    main()
