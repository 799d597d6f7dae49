"""kill -9 during 100,000-recipient sends: no half-charged send, nothing acknowledged lost (run by hand).

    python benchmarks/crash_big_send.py [--recipients 100000] [--kills 10] [--db URL] [--seed 1]

Makes the account `demo` able to send (as bench_big_send.py does) with a package for every send,
over a fresh SQLite file (or the empty PostgreSQL database of --db). One send of RECIPIENTS numbers
runs to the end first, timed; then KILLS times: `assistant send --file` starts in a process of its
own and gets SIGKILL at a random moment of a send's duration (odd rounds: checking, the charge, the
recording or after the answer) or of its recording (even rounds: within 15% of a send's time after it began),
each round to new numbers (flow control would refuse the same ones again).
After each kill the database is looked at as it was left, then `assistant send list` runs once the
killed writer is stale (rules.yaml `stale_after_s`, 1 s here through a copy of the knowledge base),
which rolls back a send whose recording was cut. Then, and at the end, it checks:

- every send kept has all its messages, `sent` of them sent (no half-recorded send);
- the digital balance is the top-up minus the messages of the sends kept, exactly (no half charge);
- every send whose answer the killed process had printed is kept whole (nothing acknowledged lost);
- on SQLite, `PRAGMA integrity_check` is ok.

Prints where each kill landed and the totals; exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_big_send import _cli, _prepare  # noqa: E402

from assistant.knowledge import resolve_dir  # noqa: E402
from assistant.storage import open_store  # noqa: E402


def _knowledge_copy(tmp: Path) -> Path:
    """The shipped knowledge base with `stale_after_s: 1`, so a cut send is rolled back in a second."""
    kb = tmp / "kb"
    shutil.copytree(resolve_dir(None), kb)
    rules = kb / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    lines = [("  stale_after_s: 1" if line.strip().startswith("stale_after_s:") else line) for line in text.splitlines()]
    rules.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return kb


def _recipients(tmp: Path, round_: int, count: int) -> Path:
    path = tmp / f"round{round_}.csv"
    path.write_text("phone\n" + "".join(f"138{round_:02d}{n:06d}\n" for n in range(count)), encoding="utf-8")
    return path


def _start(db: str, recipients: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "assistant", "--db", db, "--json", "send", "DIGITAL_SMS_0001",
                             "--file", str(recipients), "--param", "name=Tom"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _state(db: str) -> dict:
    """The sends, their messages and the balance as the database holds them now."""
    store = open_store(db)
    try:
        sends = store.rows("SELECT r.request_id, r.state, r.total, r.sent, r.written, "
                           "(SELECT COUNT(*) FROM messages m WHERE m.request_id = r.request_id) AS messages, "
                           "(SELECT COUNT(*) FROM messages m WHERE m.request_id = r.request_id AND m.status = 'sent') "
                           "AS delivered FROM requests r WHERE r.account = 'demo'")
        balance = store.row("SELECT digital_balance AS b FROM accounts WHERE name = 'demo'")["b"]
        orphans = store.row("SELECT COUNT(*) AS n FROM messages m WHERE m.account = 'demo' AND NOT EXISTS "
                            "(SELECT 1 FROM requests r WHERE r.request_id = m.request_id)")["n"]
        check = "ok" if "://" in db else next(iter(store.row("PRAGMA integrity_check").values()))
        return {"sends": sends, "balance": balance, "orphans": orphans, "integrity": check}
    finally:
        store.close()


def _until_recording(db: str, child: subprocess.Popen, limit_s: float) -> None:
    """Wait (up to LIMIT_S) until CHILD's send is charged and being recorded, or CHILD has ended."""
    store = open_store(db)
    try:
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline and child.poll() is None:
            if store.row("SELECT 1 AS x FROM requests WHERE state = 'recording'"):
                return
            time.sleep(0.02)
    finally:
        store.close()


def _problems(state: dict, topup: int, acknowledged: set[str]) -> list[str]:
    """What is wrong with STATE after recovery: half-recorded sends, a wrong balance, lost answers."""
    found = []
    kept = {s["request_id"]: s for s in state["sends"]}
    for s in state["sends"]:
        if s["state"] != "done" or s["messages"] != s["total"] or s["delivered"] != s["sent"]:
            found.append(f"half-recorded send {s['request_id'][:8]}: {s['state']}, {s['messages']} of {s['total']} "
                         f"messages, {s['delivered']} of {s['sent']} sent")
    charged = sum(s["sent"] for s in state["sends"])
    if state["balance"] != topup - charged:
        found.append(f"balance {state['balance']:,}, expected {topup - charged:,} (top-up {topup:,} - {charged:,} sent)")
    found += [f"acknowledged send {r[:8]} lost" for r in acknowledged if r not in kept]
    if state["orphans"]:
        found.append(f"{state['orphans']} messages of no send")
    if state["integrity"] != "ok":
        found.append(f"integrity check: {state['integrity']}")
    return found


def _landed(before: dict, after: dict, printed: bool) -> str:
    """Where a kill landed, from the database as the killed process left it."""
    old = {s["request_id"] for s in before["sends"]}
    new = [s for s in after["sends"] if s["request_id"] not in old]
    if not new:
        return "before the charge"
    if new[0]["state"] == "recording":
        return f"recording ({new[0]['messages']:,} of {new[0]['total']:,} written)"
    return "after the answer" if printed else "after the last chunk, before the answer"


def main_() -> int:
    parser = argparse.ArgumentParser(description="kill -9 during large sends; checks all-or-nothing")
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--db", help="an empty PostgreSQL database's URL (default: a fresh SQLite file)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        os.environ["ASSISTANT_KB"] = str(_knowledge_copy(tmp))
        db = args.db or str(tmp / "crash.db")
        _prepare(db, args.recipients * (args.kills + 1), tmp)
        topup = _state(db)["balance"]  # the demo's own package and the top-up
        acknowledged: set[str] = set()
        started = time.perf_counter()
        child = _start(db, _recipients(tmp, 0, args.recipients))
        out, err = child.communicate(timeout=1800)
        whole = time.perf_counter() - started
        if child.returncode != 0:
            sys.exit(f"error: the uninterrupted send failed: {err.strip()}")
        acknowledged.add(json.loads(out)["request_id"])
        print(f"backend {'postgres' if '://' in db else 'sqlite'}; {args.recipients:,} recipients a send; an "
              f"uninterrupted send took {whole:.1f} s (process start included); load average {os.getloadavg()[0]:.1f}")
        failures: list[str] = []
        landings: dict[str, int] = {}
        for round_ in range(1, args.kills + 1):
            before = _state(db)
            child = _start(db, _recipients(tmp, round_, args.recipients))
            # odd rounds: at any moment of a send; even rounds: once its recording has begun
            if round_ % 2 == 0:
                _until_recording(db, child, whole * 3)
            delay = rng.uniform(0.0, whole * 0.15) if round_ % 2 == 0 else rng.uniform(0.2, whole * 1.1)
            try:
                out, _ = child.communicate(timeout=delay)
            except subprocess.TimeoutExpired:
                child.send_signal(signal.SIGKILL)
                out, _ = child.communicate()
            printed = bool(out.strip())
            if printed:
                acknowledged.add(json.loads(out)["request_id"])
            after = _state(db)
            where = _landed(before, after, printed)
            time.sleep(1.2)  # the killed writer is stale now
            _cli(db, "send", "list")
            problems = _problems(_state(db), topup, acknowledged)
            failures += [f"kill {round_}: {p}" for p in problems]
            kind = where.split(" (")[0]
            landings[kind] = landings.get(kind, 0) + 1
            moment = f"{delay:4.2f} s into the recording" if round_ % 2 == 0 else f"at {delay:4.1f} s"
            print(f"kill {round_:2} {moment}: {where}; " + ("ok" if not problems else "; ".join(problems)))
        final = _state(db)
        kept = sum(1 for s in final["sends"])
        print(f"{args.kills} kills: " + ", ".join(f"{n} {k}" for k, n in sorted(landings.items())))
        print(f"sends kept {kept} (all whole: {not any('half' in f for f in failures)}), acknowledged "
              f"{len(acknowledged)}, lost {sum('lost' in f for f in failures)}; balance {final['balance']:,} "
              f"= {topup:,} - {sum(s['sent'] for s in final['sends']):,} sent: "
              f"{final['balance'] == topup - sum(s['sent'] for s in final['sends'])}; integrity {final['integrity']}")
        print("all checks passed" if not failures else f"{len(failures)} problems")
        return 1 if failures else 0


if __name__ == "__main__":
    os.environ.pop("ASSISTANT_NOW", None)
    sys.exit(main_())
