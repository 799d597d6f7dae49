"""Knowledge gaps: the questions the assistant could not answer well, grouped for whoever keeps
the FAQ, and the feedback loop that closes them.

Every fallback, every "did you mean" and every answer below the low-confidence threshold is
logged with its best candidate and score. When a person picks one of the "did you mean"
suggestions, the pick is logged too (`log_pick`: kind `pick`, the chosen intent as `best`):
`kb gaps` shows those as proposed phrasings with counts, and `kb learn --proposals` accepts
them, so they join the training data at the next index build. Phone numbers are masked before
anything is stored; the account name is the only personal data kept. The log is bounded: after
each write, rows beyond `thresholds.gap_log_rows` (knowledge/matcher.yaml) are deleted, oldest first.

Each row names its source, who asked: one `ask` run, one conversation (the REPL's, a web chat's), or
one token of the service's `POST /v1/ask` (`source`); `kb gaps` counts a question's distinct
sources beside its times, so a script asking one question fifty times is one asker, not fifty.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

from .router import Reply

if TYPE_CHECKING:
    import datetime as dt

    from .storage.sqlite import Store
from .text import LazyPattern, fold, stem

# compiled when a gap is logged: a confident answer never needs it
_PHONE = LazyPattern(r"(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}"
                    # a mainland landline: an area code (010, 0755, "(021)") and 7 or 8 digits
                    r"|(?<![\dA-Za-z_])\(?0[1-9]\d{1,2}\)?[\s-]?\d{3,4}[\s-]?\d{4}(?!\d)")
SIMILAR = 70  # token-set similarity (0-100) for two questions to count as the same question


def entry_for(reply: Reply, low_confidence: float) -> dict | None:
    """The log row for REPLY, or None when it was a confident answer or an action."""
    if reply.error or reply.kind == "small_talk":   # "hello" is no gap in the knowledge
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




def new_source(kind: str) -> str:
    """A source of its own for one run or session of KIND ("ask", "repl"): its questions count as one asker."""
    return f"{kind}:{os.urandom(8).hex()}"   # what secrets.token_hex(8) gives; importing secrets cost a start 1.5 ms


def source_of(kind: str, handle: str | int) -> str:
    """The source of a conversation or a token (KIND) known by HANDLE: a digest, never the handle
    itself (a web chat's conversation id is what its cookie holds)."""
    import hashlib  # here, not at the top: 2.7 ms of a cached `ask`'s start, which never needs it

    return f"{kind}:{hashlib.sha256(str(handle).encode('utf-8')).hexdigest()[:16]}"


def _write(store: Store, account: str, at: str, rows: list[dict], keep: int, source: str | None = None) -> None:
    """Insert ROWS (of ACCOUNT, at AT, asked by SOURCE) and prune the log to its KEEP newest rows, in one transaction."""
    _insert(store, [{"at": at, "account": account, "source": source, **row} for row in rows], keep)


def _insert(store: Store, rows: list[dict], keep: int) -> None:
    """Insert ROWS (each with its "at", "account" and "source") and prune the log to its KEEP newest
    rows, in one transaction."""
    def work() -> None:
        store.insert_all("gaps", [{"at": row["at"], "account": row["account"], "question": row["question"],
                                   "best": row["best"], "score": row["score"], "kind": row["kind"],
                                   "source": row.get("source")} for row in rows])
        # Finding the newest row that falls out of the window walks KEEP rows of the index; while the
        # ids span no more than KEEP the log cannot hold more (two ends of the index say so).
        span = store.row("SELECT MAX(id) - MIN(id) AS span FROM gaps")
        if span is not None and span["span"] is not None and span["span"] >= keep:
            store.execute("DELETE FROM gaps WHERE id <= (SELECT id FROM gaps ORDER BY id DESC LIMIT 1 OFFSET ?)",
                          (keep,))
    store.atomically(work)  # on a server, writers of the shared log that collide are run again


def record(store: Store, account: str, at: str, reply: Reply, low_confidence: float,
           keep: int = 100_000, source: str | None = None) -> None:
    """Log one reply if it is a gap, asked by SOURCE (the REPL logs as it goes; `ask` batches with GapLog)."""
    row = entry_for(reply, low_confidence)
    if row:
        _write(store, account, at, [row], keep, source)


def log_pick(store: Store, account: str, question: str, intent: str, at: str, keep: int = 100_000,
             source: str | None = None) -> None:
    """Log that QUESTION, answered with "did you mean", was meant as INTENT (an intent key such
    as "faq:opt-out" or "action:send"): a proposed phrasing for `kb gaps` and `kb learn`."""
    row = {"question": _PHONE.sub("<phone>", question)[:500], "kind": "pick", "score": 1.0, "best": intent}
    _write(store, account, at, [row], keep, source)


class SharedLog:
    """The gap log of a service: the rows of requests answered at the same time are written in one
    transaction. One transaction a row made every request that logs a gap wait its turn at the
    database (16 clients asking questions never seen before: most of their time). Each `record`
    returns once its row is committed, so a reply is never ahead of its log row.

    STORE gives the calling thread's store (a service keeps one a thread), KEEP the rows the log
    keeps (`thresholds.gap_log_rows` of the knowledge base the service answers with now)."""

    def __init__(self, store: Callable[[], Store], keep: Callable[[], int]):
        from .together import Together

        self._store, self._keep = store, keep
        self._together = Together(self._insert_rows)

    def record(self, account: str, at: str, reply: Reply, low_confidence: float, source: str | None = None) -> None:
        """Log REPLY (asked by SOURCE) if it is a gap, with whatever other threads log meanwhile;
        UserError if it cannot be."""
        row = entry_for(reply, low_confidence)
        if row:
            self._together.one({"at": at, "account": account, "source": source, **row})

    def _insert_rows(self, rows: list[dict]) -> list[None]:
        _insert(self._store(), rows, self._keep())
        return [None] * len(rows)


class GapLog:
    """Buffers gap rows and writes them in a few transactions (a batch of 10,000 questions stays fast).

    OPEN gives (store, account, now) and is called only when there is something to write, so a
    run of confident answers never opens the database. Its rows share one SOURCE (one `ask` run:
    a new one of its own unless given).
    """

    def __init__(self, open: Callable[[], tuple[Store, str, str]], low_confidence: float, batch: int = 500,
                 keep: int = 100_000, source: str | None = None):
        self.open, self.low, self.batch, self.keep = open, low_confidence, batch, keep
        self.source = source or new_source("ask")
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
        _write(store, account, now, self.rows, self.keep, self.source)
        self.rows = []


BLOCK_WORDS = 2    # a question is compared with the groups that share one of its BLOCK_WORDS rarest words
BLOCK_RECENT = 50  # ... and, of those, only with the BLOCK_RECENT most recently started per word


def _group_keys(keys: list[str]) -> dict[str, int]:
    """Group number of each distinct folded question: greedy leaders, each question compared
    (rapidfuzz token-set ratio) only with the leaders sharing one of its rarest stemmed words."""
    # imported here: every `ask` logs gaps through this module, only `kb gaps` groups them
    from rapidfuzz import fuzz, process

    unique = list(dict.fromkeys(keys))
    stems = {key: {stem(w) for w in key.split()} for key in unique}
    df = Counter(w for words in stems.values() for w in words)
    group_of: dict[str, int] = {}
    leaders: list[str] = []
    postings: dict[str, list[int]] = defaultdict(list)
    for key in unique:
        words = stems[key]
        rare = sorted(words, key=lambda w: (df[w], w))[:BLOCK_WORDS]
        near = sorted({g for w in rare for g in postings.get(w, ())[-BLOCK_RECENT:]})
        found = process.extractOne(key, [leaders[g] for g in near], scorer=fuzz.token_set_ratio,
                                   score_cutoff=SIMILAR) if near else None
        if found is not None:
            group_of[key] = near[found[2]]
            continue
        group_of[key] = len(leaders)
        leaders.append(key)
        for w in words:
            postings[w].append(group_of[key])
    return group_of


def report(store: Store, since: dt.datetime | None = None) -> list[dict]:
    """Logged questions grouped by similarity, asked by the most sources first (then most asked),
    with counts (COUNT the times asked, SESSIONS the distinct sources that asked: one `ask` run,
    one conversation, one token), examples and the phrasings proposed by "did you mean" picks.

    Fast on a large log: identical questions are compared once, and a question only with the
    groups that share one of its rarest words (see `_group_keys`).
    """
    rows = store.rows("SELECT id, at, question, best, kind, source FROM gaps" + (" WHERE at >= ?" if since else "") +
                      " ORDER BY id", (since.isoformat(sep=" "),) if since else ())
    keys = [fold(row["question"]) for row in rows]
    group_of = _group_keys(keys)
    leaders = max(group_of.values(), default=-1) + 1
    groups = [{"questions": [], "sources": set(), "best": Counter(), "kinds": Counter(), "picks": Counter(), "last": ""}
              for _ in range(leaders)]
    for row, key in zip(rows, keys):
        group = groups[group_of[key]]
        group["last"] = max(group["last"], row["at"])
        if row["kind"] == "pick":
            group["picks"][(row["question"], row["best"])] += 1
            continue
        group["questions"].append(row["question"])
        group["sources"].add(row["source"] if row["source"] is not None else row["id"])   # a row logged before sources: one asker
        group["best"][row["best"]] += 1
        group["kinds"][row["kind"]] += 1
    out = []
    for group in groups:
        proposals = [{"question": q, "intent": intent, "count": n} for (q, intent), n in group["picks"].most_common()]
        best = group["best"].most_common(1)[0][0] if group["best"] else (proposals[0]["intent"] if proposals else None)
        out.append({"count": len(group["questions"]), "sessions": len(group["sources"]),
                    "examples": list(dict.fromkeys(group["questions"]))[:3],
                    "best": best, "kinds": dict(group["kinds"]), "last": group["last"], "proposals": proposals})
    out.sort(key=lambda g: (-g["sessions"], -g["count"], -sum(p["count"] for p in g["proposals"]), g["last"]))
    return out


def proposals(groups: list[dict], minimum: int = 1) -> list[dict]:
    """The proposed phrasings of a `report`, picked at least MINIMUM times, most picked first."""
    found = [p for g in groups for p in g["proposals"] if p["count"] >= minimum]
    return sorted(found, key=lambda p: -p["count"])
