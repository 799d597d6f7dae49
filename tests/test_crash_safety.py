"""Crash and concurrency regression tests, with real processes on a real database file.

A send killed with SIGKILL leaves all of it or none of it, with the balance exact; several
processes claiming one ticket at once end with exactly one owner.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

from assistant.actions import accounts, handoff, sending
from assistant.storage.sqlite import Store

# The file's own journal is under test here (integrity_check included); a killed client on the
# server is pinned, on both engines, by tests/test_concurrency.py.
pytestmark = [pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals"), pytest.mark.sqlite_only]

RECIPIENTS = 20_000

_SEND = textwrap.dedent("""
    import datetime as dt, sys, time
    from assistant import knowledge
    from assistant.actions.sending import send
    from assistant.clock import FixedClock
    from assistant.context import Context
    from assistant.storage.sqlite import Store

    db, count, pause, first = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    ctx = Context(Store(db), knowledge.load(), FixedClock(dt.datetime(2026, 3, 20, 10, 0)), "demo", "customer")
    recipients = [(f"138{n:08d}", {"name": "Tom"}) for n in range(first, first + count)]

    def progress(done, total):
        if done == 2000:
            print("sending", flush=True)
            time.sleep(pause)  # still inside the send's transaction

    result = send(ctx, "DIGITAL_SMS_0001", recipients, progress=progress, from_file=True)
    print("committed", result["sent"], flush=True)
""")


def _start_send(db: str, pause: float, first: int = 0) -> subprocess.Popen:
    """A send of RECIPIENTS numbers from 138 followed by FIRST (a send to numbers that already got
    the template today is refused by flow control, and records nothing)."""
    return subprocess.Popen([sys.executable, "-c", _SEND, db, str(RECIPIENTS), str(pause), str(first)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _state(db: str) -> tuple[int, int, int, str]:
    store = Store(db)
    try:
        requests = store.row("SELECT COUNT(*) AS n FROM requests")["n"]
        messages = store.row("SELECT COUNT(*) AS n FROM messages")["n"]
        balance = store.row("SELECT digital_balance AS b FROM accounts WHERE name = 'demo'")["b"]
        check = store.row("PRAGMA integrity_check")
        return requests, messages, balance, next(iter(check.values()))
    finally:
        store.close()


@pytest.fixture
def big_account(live):
    """The live demo account with enough digital messages for every recipient of two sends."""
    live.role = "admin"
    accounts.topup(live, "demo", 2 * RECIPIENTS, None)
    live.role = "customer"
    return live


def test_a_send_killed_inside_its_transaction_leaves_nothing_and_the_balance_untouched(big_account):
    db = str(big_account.store.path)
    before = _state(db)
    child = _start_send(db, pause=30)
    assert child.stdout.readline().strip() == "sending", child.stderr.read()
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert _state(db) == before
    assert before[:2] == (0, 0) and before[3] == "ok"


def test_a_send_killed_at_any_moment_is_all_or_nothing_and_the_balance_is_exact(big_account, monkeypatch):
    """A send is charged in one transaction and its messages recorded in chunks; a writer killed while
    recording leaves a 'recording' send nobody was told of, which the next look at the account's sends
    rolls back whole once its writer is stale (docs/operators.md, Large sends). After that: every send
    kept has all its messages, and the balance is exact."""
    db = str(big_account.store.path)
    start_balance = _state(db)[2]
    monkeypatch.setitem(big_account.rules.sending, "stale_after_s", 0)  # the killed writer is gone at once
    killed = []
    for delay in (0.05, 0.3):
        child = _start_send(db, pause=0)
        assert child.stdout.readline().strip() == "sending", child.stderr.read()
        try:
            child.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
            killed.append(delay)
        sending.recent(big_account)  # `send list`: a stale recording is rolled back here
        requests, messages, balance, check = _state(db)
        assert check == "ok"
        assert messages == requests * RECIPIENTS
        store = Store(db)
        sent = store.row("SELECT COALESCE(SUM(sent), 0) AS n FROM requests")["n"]
        store.close()
        assert balance == start_balance - sent
    assert 0.05 in killed  # 18,000 recipients were still to go: the kill landed mid-send
    # Whatever happened, the database still takes a whole send (to numbers no send has reached).
    finished = _start_send(db, pause=0, first=RECIPIENTS)
    out, err = finished.communicate(timeout=60)
    assert "committed" in out, err


_CLAIM = textwrap.dedent("""
    import datetime as dt, sys
    from assistant import knowledge
    from assistant.actions import handoff
    from assistant.clock import FixedClock
    from assistant.context import Context
    from assistant.errors import UserError
    from assistant.storage.sqlite import Store

    db, name = sys.argv[1], sys.argv[2]
    ctx = Context(Store(db), knowledge.load(), FixedClock(dt.datetime(2026, 3, 2, 10, 0)), "demo",
                  f"manager:{name}", "manager")
    print("ready", flush=True)
    sys.stdin.readline()  # the starting gun, given to every process at once
    try:
        handoff.claim(ctx, 1, name)
        print("won", flush=True)
    except UserError as exc:
        print("lost", exc, flush=True)
""")


def test_managers_in_separate_processes_claiming_one_ticket_give_it_one_owner(ctx):
    ticket = handoff.create(ctx, "please call me")
    db = str(ctx.store.path)
    names = ["lin", "wang", "zhao", "chen"]
    procs = [subprocess.Popen([sys.executable, "-c", _CLAIM, db, n], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for n in names]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    outcomes = {n: p.communicate(timeout=60)[0].strip() for n, p in zip(names, procs)}
    winners = [n for n, said in outcomes.items() if said == "won"]
    assert len(winners) == 1, outcomes
    owner = handoff.get(ctx, ticket["id"])["owner"]
    assert winners == [owner]
    assert all(said == f"lost ticket #{ticket['id']} is already claimed by {owner}"
               for n, said in outcomes.items() if n != owner), outcomes
    events = [e["event"] for e in handoff.get(ctx, ticket["id"])["events"]]
    assert events.count("claimed") == 1
    audit = ctx.store.rows("SELECT result FROM audit WHERE action = 'handoff.claim'")
    assert sorted(r["result"] for r in audit) == ["ok"] + ["refused"] * (len(names) - 1)
