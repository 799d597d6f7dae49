"""The progress bar the shells draw on a long send: the CLI on standard error, the REPL on its terminal.

Core functions never print; they call a PROGRESS(done, total) callback (`sending.send`) or, through
the service, the shell follows the send's recorded state. This is the shells' end of that callback.
"""

from __future__ import annotations

import time
from collections.abc import Callable

WIDTH = 30
AFTER_S = 1.0   # work quicker than this draws no bar


def bar_text(done: int, total: int, width: int = WIDTH) -> str:
    """`Sending to 100,000 numbers [#########.....] 30%`: DONE of TOTAL as a line of WIDTH marks."""
    total = max(total, 1)
    done = min(max(done, 0), total)
    filled = width * done // total
    return f"Sending to {total:,} numbers [{'#' * filled}{'.' * (width - filled)}] {done * 100 // total}%"


class Bar:
    """PROGRESS(done, total) drawn with WRITE, redrawn in place (a carriage return), once the work
    has taken more than AFTER_S seconds (a quick send draws nothing); the last step ends the line."""

    def __init__(self, write: Callable[[str], None], after_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.write, self.clock = write, clock
        self.after_s = AFTER_S if after_s is None else after_s
        self.started = clock()
        self.drawn = False
        self.ended = False

    def __call__(self, done: int, total: int) -> None:
        if self.ended or (not self.drawn and self.clock() - self.started < self.after_s):
            return
        self.drawn = True
        self.write("\r" + bar_text(done, total))
        if done >= total:
            self.write("\n")
            self.ended = True
