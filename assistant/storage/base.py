"""What both engines share: how long to wait for other writers, and the one retry policy of a transaction."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, nullcontext
from typing import TypeVar

from ..errors import Unavailable

T = TypeVar("T")

BUSY_TIMEOUT_S = 10


class Conflict(Unavailable):
    """A transaction lost to a concurrent one and was rolled back; running it again may succeed."""


class Lost(Unavailable):
    """The connection to the database broke (a server restart, a stale connection) and was opened
    again; the statement or transaction that met it was not committed, so running it again is safe."""


def retrying(transaction: Callable[[], AbstractContextManager], work: Callable[[], T], budget_s: float,
             queue: Callable[[], AbstractContextManager] = nullcontext) -> T:
    """Run WORK inside TRANSACTION; the one retry policy of every transaction on a database server.

    After a Conflict (a serialization failure, a deadlock) the whole unit of work is run again,
    reads included, with a jittered backoff, for up to BUDGET_S seconds: a retried action decides
    on what the winner committed (a second claimer sees the first owner, a second sender the lower
    balance). From the first conflict on, the retries hold QUEUE (a lock that lines up the retries
    of one account, so none starves). After a Lost connection (already opened again) it is run
    once more at once; a second loss in a row is reported.
    """
    deadline = time.monotonic() + budget_s
    pause, reconnected = 0.005, False
    with ExitStack() as queued:
        while True:
            try:
                with transaction():
                    return work()
            except Lost:
                if reconnected:
                    raise
                reconnected = True
                continue
            except Conflict:
                if time.monotonic() + pause > deadline:
                    raise
                if pause == 0.005:
                    queued.enter_context(queue())
            time.sleep(pause * random.uniform(0.5, 1.5))
            pause = min(pause * 2, 0.2)
