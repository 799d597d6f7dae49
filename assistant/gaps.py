"""Knowledge gaps: the questions the assistant could not answer well, grouped for whoever keeps
the FAQ.

Every fallback, every "did you mean" and every answer below the low-confidence threshold is
logged with its best candidate and score. Phone numbers are masked before anything is stored;
the account name is the only personal data kept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from .router import Reply

if TYPE_CHECKING:
    from .store import Store
from .text import fold

_PHONE = re.compile(r"(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}")
SIMILAR = 70  # token-set similarity (0-100) for two questions to count as the same question


def entry_for(reply: Reply, low_confidence: float) -> dict | None:
    """The log row for REPLY, or None when it was a confident answer or an action."""
    if reply.error:
        return None
    if reply.type == "fallback":
        kind = "fallback"
    elif reply.type == "clarify":
        kind = "clarify"
    elif reply.type == "answer" and reply.confidence < low_confidence:
        kind = "low_confidence"
    else:
        return None
    return {"question": _PHONE.sub("<phone>", reply.question)[:500], "kind": kind, "score": reply.confidence,
            "best": reply.best.key if reply.best else None}


def record(store: Store, account: str, at: str, reply: Reply, low_confidence: float) -> None:
    """Log one reply if it is a gap (the REPL logs as it goes; `ask` batches with GapLog)."""
    row = entry_for(reply, low_confidence)
    if row:
        with store.transaction():
            store.insert("gaps", {**row, "account": account, "at": at})


class GapLog:
    """Buffers gap rows and writes them in a few transactions (a batch of 10,000 questions stays fast).

    OPEN gives (store, account, now) and is called only when there is something to write, so a
    run of confident answers never opens the database.
    """

    def __init__(self, open: Callable[[], tuple[Store, str, str]], low_confidence: float, batch: int = 500):
        self.open, self.low, self.batch = open, low_confidence, batch
        self.rows: list[dict] = []

    def note(self, reply: Reply) -> None:
        row = entry_for(reply, self.low)
        if row:
            self.rows.append(row)
            if len(self.rows) >= self.batch:
                self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        store, account, now = self.open()
        with store.transaction():
            store.insert_all("gaps", [{**row, "account": account, "at": now} for row in self.rows])
        self.rows = []


def report(store: Store, since: dt.datetime | None = None) -> list[dict]:
    """Logged questions grouped by similarity, most asked first, with counts and examples."""
    rows = store.rows("SELECT at, question, best, kind FROM gaps" + (" WHERE at >= ?" if since else "") + " ORDER BY id",
                      (since.isoformat(sep=" "),) if since else ())
    groups: list[dict] = []
    keys: list[str] = []
    for row in rows:
        key = fold(row["question"])
        found = process.extractOne(key, keys, scorer=fuzz.token_set_ratio, score_cutoff=SIMILAR) if keys else None
        if found is None:
            keys.append(key)
            groups.append({"questions": [], "best": Counter(), "kinds": Counter(), "last": row["at"]})
            group = groups[-1]
        else:
            group = groups[found[2]]
        group["questions"].append(row["question"])
        group["best"][row["best"]] += 1
        group["kinds"][row["kind"]] += 1
        group["last"] = max(group["last"], row["at"])
    out = []
    for group in groups:
        examples = list(dict.fromkeys(group["questions"]))[:3]
        best = group["best"].most_common(1)[0][0]
        out.append({"count": len(group["questions"]), "examples": examples, "best": best,
                    "kinds": dict(group["kinds"]), "last": group["last"]})
    out.sort(key=lambda g: (-g["count"], g["last"]))
    return out
