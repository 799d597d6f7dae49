"""Per-token rate limits: a token bucket per (token, kind), driven by a clock the caller gives."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from ..errors import UserError


def upload_bytes(template: dict) -> int:
    """The largest multipart body of files: a template's frames (the spec's total, rules.yaml) plus a
    letter of the same bound, and room for the form's fields."""
    return 2 * int(template["max_total_kb"]) * 1024 + 64 * 1024


class RateLimited(UserError):
    """Too many requests of one kind from one token (the service answers 429, with Retry-After)."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class Buckets:
    """RATE requests a minute per key, with bursts up to RATE; refills continuously."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.rate, self.capacity, self.clock = per_minute / 60.0, float(per_minute), clock
        self._levels: dict[object, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: object, what: str) -> None:
        """Spend one request of KEY, or raise RateLimited saying when to try again."""
        with self._lock:
            now = self.clock()
            level, since = self._levels.get(key, (self.capacity, now))
            level = min(self.capacity, level + (now - since) * self.rate)
            if level < 1.0:
                # whole seconds, rounded up and never 0: a client that waits that long gets through
                wait = max(1, math.ceil((1.0 - level) / self.rate - 1e-9)) if self.rate else 24 * 3600
                self._levels[key] = (level, now)
                raise RateLimited(f"too many {what} from this token; wait {wait} s and try again", wait)
            self._levels[key] = (level - 1.0, now)
