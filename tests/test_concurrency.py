"""Several processes at once on one database: claims, balances, flow control and top-ups stay right.

Each worker is a separate process with its own connection (a forked child opens the store
again), released together by a barrier, as agents on different machines would be. The tests run
on the SQLite file and, with ASSISTANT_TEST_POSTGRES set, on PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import os
import signal

from assistant.actions import accounts, handoff, sending
from assistant.context import Context
from assistant.errors import UserError
from assistant.storage import open_store

FORK = multiprocessing.get_context("fork")


def _worker(target, kb, clock, actor, barrier, results, index, job):
    store = open_store(target)
    ctx = Context(store, kb, clock, "demo", actor, actor.split(":", 1)[0])
    barrier.wait()
    try:
        results.put((index, "ok", job(ctx, index)))
    except UserError as exc:
        results.put((index, "refused", str(exc)))
    except Exception as exc:  # reported to the parent, which fails the test with it
        results.put((index, "crashed", f"{type(exc).__name__}: {exc}"))
    finally:
        store.close()


def at_once(ctx: Context, count: int, job, actor: str = "customer") -> list[tuple[int, str, object]]:
    """Run JOB(ctx, index) in COUNT processes released together; (index, outcome, value) of each."""
    barrier, results = FORK.Barrier(count), FORK.Queue()
    workers = [FORK.Process(target=_worker, args=(ctx.store.target, ctx.kb, ctx.clock, actor, barrier, results, i, job))
               for i in range(count)]
    for worker in workers:
        worker.start()
    outcomes = sorted(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    assert [o for o in outcomes if o[1] == "crashed"] == []
    return outcomes


def _claim(ctx: Context, index: int) -> str:
    return handoff.claim(ctx, 1, f"agent{index}")["owner"]


def test_one_owner_per_claimed_ticket_among_eight_processes(ctx):
    ticket = handoff.create(ctx, "my template is stuck")
    assert ticket["id"] == 1
    outcomes = at_once(ctx, 8, _claim, actor="manager")
    winners = [value for _, outcome, value in outcomes if outcome == "ok"]
    assert len(winners) == 1
    owner = handoff.get(ctx, 1)["owner"]
    assert winners == [owner]
    assert all(value == f"ticket #1 is already claimed by {owner}" for _, outcome, value in outcomes if outcome == "refused")
    assert [e["event"] for e in handoff.get(ctx, 1)["events"]].count("claimed") == 1


def _send_one(ctx: Context, index: int) -> int:
    return sending.send(ctx, "DIGITAL_SMS_0001", [(f"1380013{index:04d}", {"name": "Tom"})])["sent"]


def test_a_balance_of_five_pays_for_exactly_five_of_twelve_simultaneous_sends(live):
    live.store.update("accounts", {"name": "demo"}, {"digital_balance": 5})
    outcomes = at_once(live, 12, _send_one)
    assert [value for _, outcome, value in outcomes if outcome == "ok"] == [1] * 5
    refusals = [value for _, outcome, value in outcomes if outcome == "refused"]
    assert len(refusals) == 7 and all(v.startswith("isv.AMOUNT_NOT_ENOUGH: the number cannot be sent to") for v in refusals)
    assert accounts.account_info(live)["packages"]["digital"] == 0
    assert live.store.row("SELECT COUNT(*) AS n FROM messages WHERE status = 'sent'") == {"n": 5}
    assert live.store.row("SELECT COUNT(*) AS n FROM messages") == {"n": 5}    # the sends that could not go: none recorded


def _send_same(ctx: Context, index: int) -> int:
    return sending.send(ctx, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom"})])["sent"]


def test_flow_control_lets_one_of_six_simultaneous_sends_to_one_number_through(live):
    outcomes = at_once(live, 6, _send_same)
    assert [value for _, outcome, value in outcomes if outcome == "ok"] == [1]
    refusals = [value for _, outcome, value in outcomes if outcome == "refused"]
    assert len(refusals) == 5 and all(v.startswith("isv.BUSINESS_LIMIT_CONTROL: ") for v in refusals)
    assert live.store.row("SELECT COUNT(*) AS n FROM messages") == {"n": 1}
    assert accounts.account_info(live)["packages"]["digital"] == 999


def _topup(ctx: Context, index: int) -> int:
    return accounts.topup(ctx, "demo", index + 1, 1)["packages"]["digital"]


def test_simultaneous_top_ups_add_up(ctx):
    before = accounts.account_info(ctx)["packages"]
    outcomes = at_once(ctx, 10, _topup, actor="admin")
    assert [outcome for _, outcome, _ in outcomes] == ["ok"] * 10
    after = accounts.account_info(ctx)["packages"]
    assert after == {"digital": before["digital"] + sum(range(1, 11)), "sms": before["sms"] + 10}
    assert ctx.store.row("SELECT COUNT(*) AS n FROM audit WHERE action = 'admin.topup' AND result = 'ok'") == {"n": 10}


def _die_mid_transaction(target, kb, clock, ready):
    store = open_store(target)
    ctx = Context(store, kb, clock, "demo", "admin")
    with store.transaction():
        store.update("accounts", {"name": "demo"}, {"digital_balance": 0})
        store.insert("audit", {"at": ctx.now(), "actor": "admin", "account": "demo", "action": "half", "target": None,
                               "result": "ok", "detail": None})
        ready.set()
        multiprocessing.Event().wait(60)  # killed here, inside the transaction


def test_a_client_killed_inside_a_transaction_leaves_nothing_and_blocks_no_one(ctx):
    before = accounts.account_info(ctx)["packages"]["digital"]
    ready = FORK.Event()
    child = FORK.Process(target=_die_mid_transaction, args=(ctx.store.target, ctx.kb, ctx.clock, ready))
    child.start()
    assert ready.wait(30)
    os.kill(child.pid, signal.SIGKILL)
    child.join(30)
    assert accounts.account_info(ctx)["packages"]["digital"] == before
    assert ctx.store.row("SELECT COUNT(*) AS n FROM audit WHERE action = 'half'") == {"n": 0}
    assert accounts.topup(ctx, "demo", 1, None)["packages"]["digital"] == before + 1


def _create_same(ctx: Context, index: int) -> str:
    return accounts.create_account(ctx, "globex", "retail", {"enterprise": [f"Globex {index}"]})["profile"]["enterprise"][0]


def test_of_six_processes_creating_one_account_one_does_and_the_rest_are_told(ctx):
    outcomes = at_once(ctx, 6, _create_same, actor="admin")
    created = [value for _, outcome, value in outcomes if outcome == "ok"]
    assert len(created) == 1
    assert all("already exists" in value for _, outcome, value in outcomes if outcome == "refused")
    assert accounts.account_info(ctx, "globex")["profile"]["enterprise"] == created


def _reply_or_read(ctx: Context, index: int) -> int:
    """Two managers reply to the account's tickets while four customers' windows read the inbox."""
    done = 0
    for n in range(15):
        if index < 2:  # the ticket's manager, in two windows
            ctx.role, ctx.actor = "manager", "manager:lin"
            handoff.reply(ctx, 1, f"reply {n} from window {index}", by="lin")
        else:
            ctx.role, ctx.actor = "customer", "customer"
            handoff.inbox(ctx)
        done += 1
    return done


def test_inbox_reads_under_concurrent_replies_never_fail_busy(ctx):
    # inbox reads mark replies seen: on a server they conflict with the replies and are run again
    handoff.create(ctx, "help")
    ctx.role = "manager"
    handoff.claim(ctx, 1, "lin")
    ctx.role = "customer"
    outcomes = at_once(ctx, 6, _reply_or_read)
    assert [o for o in outcomes if o[1] != "ok"] == [] and sum(o[2] for o in outcomes) == 90
    assert ctx.store.row("SELECT COUNT(*) AS n FROM ticket_messages WHERE seen_at IS NULL")["n"] <= 30
