"""What both engines share: how long to wait for other writers, and the retry of a conflicting transaction."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TypeVar

from ..errors import UserError

T = TypeVar("T")

BUSY_TIMEOUT_S = 10


class Conflict(UserError):
    """A transaction lost to a concurrent one and was rolled back; running it again may succeed."""


def retrying(transaction: Callable[[], AbstractContextManager], work: Callable[[], T], budget_s: float) -> T:
    """Run WORK inside TRANSACTION, again from the start after each Conflict, for up to BUDGET_S seconds.

    The whole unit of work is re-run, reads included, so a retried action decides on what the
    winner committed (a second claimer sees the first owner, a second sender the lower balance).
    """
    deadline = time.monotonic() + budget_s
    pause = 0.005
    while True:
        try:
            with transaction():
                return work()
        except Conflict:
            if time.monotonic() + pause > deadline:
                raise
        time.sleep(pause * random.uniform(0.5, 1.5))
        pause = min(pause * 2, 0.2)
