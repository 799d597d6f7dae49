"""Per-token rate limits: a token bucket per (token, kind), driven by a clock the caller gives."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from ..errors import UserError, said
from ..messages import english


def upload_bytes(template: dict) -> int:
    """The largest multipart body of files: a template's frames (the spec's total, rules.yaml) plus a
    letter of the same bound, and room for the form's fields."""
    return 2 * int(template["max_total_kb"]) * 1024 + 64 * 1024


# The fields of a send's form besides its numbers: the code, the template's NAME=VALUE pairs, a file.
FORM_HEADROOM = 100


def form_fields(sending: dict) -> int:
    """The most text fields a multipart form may have: a send's numbers, one field each, up to the
    documented limit (rules.yaml sending.max_numbers_per_request), and the send's other fields."""
    return int(sending["max_numbers_per_request"]) + FORM_HEADROOM


def too_many_fields(sending: dict) -> UserError:
    """The refusal of a form with more fields than `form_fields`: the product's own line, naming the
    limit on numbers as the send itself does (isv.MOBILE_COUNT_OVER_LIMIT), never the parser's."""
    limit = int(sending["max_numbers_per_request"])
    return UserError(f"isv.MOBILE_COUNT_OVER_LIMIT: more than {limit} numbers in one request (the form has more "
                     f"than {form_fields(sending)} fields), at most {limit}; split them over several requests, "
                     "or send them as a `file` of recipients", code="isv.MOBILE_COUNT_OVER_LIMIT")


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

    def take(self, key: object, what: object) -> None:
        """Spend one request of KEY, or raise RateLimited saying when to try again. WHAT names the requests
        refused ("new tickets"): a word, or a catalogue sentence ({"say": id, ...}, as `messages.said` takes
        it), so that a page can say the refusal in its own language (messages.yaml `limit.too_many`)."""
        with self._lock:
            now = self.clock()
            level, since = self._levels.get(key, (self.capacity, now))
            level = min(self.capacity, level + (now - since) * self.rate)
            if level < 1.0:
                # whole seconds, rounded up and never 0: a client that waits that long gets through
                wait = max(1, math.ceil((1.0 - level) / self.rate - 1e-9)) if self.rate else 24 * 3600
                self._levels[key] = (level, now)
                raise said(RateLimited(english("limit.too_many", what=what, wait=wait), wait),
                           "limit.too_many", what=what, wait=wait)
            self._levels[key] = (level - 1.0, now)
