"""A long piece of work that leaves room for everyone else in the process.

Python runs one thread at a time; a thread that never waits is made to hand over only every few
milliseconds, and then competes with every other thread for its next turn, so a 100,000-number
send in the service takes about half the worker's time while it runs and every other request
waits twice as long. A `Pacer` keeps such work to a share of the time: after each slice of work
it sleeps (holding no lock and no transaction) long enough for the others to run.

Work is counted in the thread's own CPU time (`time.thread_time`), not on the wall clock: waiting on
the database (a PostgreSQL round trip, an fsync) or for a CPU the machine's other processes hold
takes nothing from the worker's other threads, so it earns no pause.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Pace = Callable[..., None]  # pace() at each step, pace(True) at a natural break


def unpaced(now: bool = False) -> None:
    """The pace of work with nobody to make room for (the CLI, the REPL)."""


class Pacer:
    """Called often by a long piece of work; sleeps so that the work takes about SHARE of the time.

    After SLICE_S seconds of work (CLOCK: the thread's CPU time by default; checked every CHECK_EVERY
    calls, so a call costs next to nothing) it sleeps SLICE * (1 - SHARE) / SHARE, if BUSY() says
    other work is waiting (by default always). SLEEP is the pause (a test gives its own clock and
    pause). A SHARE of 1 or more never sleeps.
    """

    CHECK_EVERY = 64

    def __init__(self, share: float, busy: Callable[[], bool] | None = None, slice_s: float = 0.005,
                 clock: Callable[[], float] = time.thread_time, sleep: Callable[[float], None] = time.sleep):
        self.share = share
        self.busy = busy or (lambda: True)
        self.slice_s = slice_s
        self.clock = clock
        self.sleep = sleep
        self.calls = 0
        self.started = clock()
        self.slept = 0.0

    def __call__(self, now: bool = False) -> None:
        """One step of the work done; NOW: a natural break (between two transactions), check at once."""
        self.calls += 1
        if self.share >= 1 or (not now and self.calls % self.CHECK_EVERY):
            return
        worked = self.clock() - self.started
        if worked < self.slice_s:
            return
        if self.busy():
            pause = worked * (1 - self.share) / self.share
            self.sleep(pause)
            self.slept += pause
        self.started = self.clock()
