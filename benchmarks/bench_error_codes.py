"""How long an error-code lookup and a review-date computation take (run by hand, prints figures).

    .venv/bin/python benchmarks/bench_error_codes.py
"""

from __future__ import annotations

import datetime as dt
import time

from assistant import knowledge
from assistant.actions.error_codes import lookup
from assistant.clock import WorkCalendar, add_business_days

QUERIES = ["isv.BUSINESS_LIMIT_CONTROL", "isv.BUSNESS_LIMIT", "AMOUNT_NOT", "amount not enough",
           "a template variable was not given a value", "limit reached", "what does isv.AMOUNT_NOT_ENOUGH mean"]


def per_call(fn, rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        fn()
    return (time.perf_counter() - start) / rounds * 1000


def main() -> None:
    kb = knowledge.load()
    print(f"{len(kb.error_codes)} codes in the catalogue")
    for query in QUERIES:
        found = lookup(kb, query)
        print(f"  {per_call(lambda q=query: lookup(kb, q), 50):7.2f} ms  {found['matched']:<11}  {query}")
    start = dt.date(2026, 2, 13)
    cold = per_call(lambda: add_business_days(start, 10, WorkCalendar()), 50)
    warm_calendar = WorkCalendar()
    warm = per_call(lambda: add_business_days(start, 10, warm_calendar), 2000)
    print(f"10 business days from {start}: {cold:.3f} ms on a new calendar, {warm:.4f} ms once its days are known")


if __name__ == "__main__":
    main()
