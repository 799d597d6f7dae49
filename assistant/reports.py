"""The support managers' figures: how much the assistant solves alone, what people ask, what it
cannot answer, how the answers are judged, and how fast people answer the tickets.

Read from what the service keeps anyway, over the last DAYS days:
- conversations held through the service (the web chat and the remote REPL), and of those, how many
  ended without a ticket (the "resolution rate": no ticket of the account was opened between the
  conversation's first and last message);
- the questions typed in those conversations (their kept turns), most asked first;
- the gap log (fallbacks, "did you mean", low confidence), most asked first;
- the chat's "did this answer your question?" verdicts, per answer;
- tickets opened per day, and the time from a ticket's opening to its first reply (median and 90th percentile).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from statistics import median

from .clock import Clock
from .gaps import report as gap_report
from .storage.sqlite import Store
from .text import clean, fold

MAX_CONVERSATIONS = 5000  # the newest conversations read for the question counts


def _day(text: str) -> str:
    return text[:10]


def _asked(state: dict) -> list[str]:
    """The questions typed in a conversation's kept turns: those it read as a question or a request
    (marked `asked`: never a value typed at its prompts, a yes or a no); in a conversation kept
    before turns were marked, those that answer none of its own questions and are no slash command."""
    turns = [turn for turn in state.get("turns", []) if turn.get("role") == "user"]
    if any("asked" in turn for turn in turns):
        return [text for text in (clean(str(t.get("text", ""))) for t in turns if t.get("asked")) if text]
    said = (clean(str(turn.get("text", ""))) for turn in turns if not turn.get("reply"))
    return [text for text in said if text and not text.startswith("/")]


def _counted(questions: Iterable[str]) -> Counter:
    """QUESTIONS counted whatever their case and punctuation, each shown as first written."""
    counted: Counter = Counter()
    shown: dict[str, str] = {}
    for text in questions:
        counted[shown.setdefault(fold(text), text)] += 1
    return counted


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def figures(store: Store, clock: Clock, days: int = 30, top: int = 10) -> dict:
    """Every figure of the reports page for the last DAYS days (JSON-ready, as `kb report --json` prints)."""
    now = clock.now()
    since = (now - dt.timedelta(days=days)).replace(hour=0, minute=0, second=0)
    start = since.isoformat(sep=" ")
    conversations = store.rows("SELECT account, state, created_at, updated_at FROM conversations WHERE updated_at >= ? "
                               "ORDER BY updated_at DESC LIMIT ?", (start, MAX_CONVERSATIONS))
    tickets = store.rows("SELECT id, account, created_at, (SELECT MIN(m.at) FROM ticket_messages m WHERE m.ticket = t.id "
                         "AND m.role NOT IN ('customer', 'agent')) AS first_reply_at FROM tickets t "
                         "WHERE created_at >= ? ORDER BY id",
                         (start,))
    opened_by: dict[str, list[str]] = defaultdict(list)
    for t in tickets:
        opened_by[t["account"]].append(t["created_at"])
    states = [json.loads(c["state"]) for c in conversations]  # each state read once
    asked = [(c, _asked(state)) for c, state in zip(conversations, states)]
    person = {id(c) for c, state in zip(conversations, states) if (state.get("last") or {}).get("person")}
    asked_something = [c for c, questions in asked if questions]
    # solved alone: no person was asked into it (a ticket opened, or an open one added to), and no
    # ticket of the account was opened while it went on
    solved = [c for c in asked_something if id(c) not in person
              and not any(c["created_at"] <= at <= c["updated_at"] for at in opened_by[c["account"]])]
    waits = [(dt.datetime.fromisoformat(t["first_reply_at"]) - dt.datetime.fromisoformat(t["created_at"])).total_seconds() / 60
             for t in tickets if t["first_reply_at"]]
    per_day = Counter(_day(t["created_at"]) for t in tickets)
    feedback = store.rows("SELECT answer, verdict, COUNT(*) AS n FROM answer_feedback WHERE at >= ? GROUP BY answer, verdict",
                          (start,))
    judged: dict[str, Counter] = defaultdict(Counter)
    for row in feedback:
        judged[row["answer"]][row["verdict"]] += row["n"]
    return {
        "since": since.date().isoformat(), "until": now.date().isoformat(), "days": days,
        "conversations": len(asked_something),
        "resolved_without_person": len(solved),
        "resolution_rate": round(len(solved) / len(asked_something), 3) if asked_something else None,
        "top_questions": [{"question": q, "count": n} for q, n in
                          _counted(q for _, questions in asked for q in questions).most_common(top)],
        "top_unanswered": [{"question": g["examples"][0], "count": g["count"], "sessions": g["sessions"],
                            "examples": g["examples"]}
                           for g in gap_report(store, since) if g["count"]][:top],
        "feedback": sorted(({"answer": answer[:200], "yes": c["yes"], "not_related": c["not_related"],
                             "not_answered": c["not_answered"]} for answer, c in judged.items()),
                           key=lambda f: -(f["yes"] + f["not_related"] + f["not_answered"])),
        "tickets": len(tickets),
        "tickets_per_day": [{"day": (since + dt.timedelta(days=n)).date().isoformat(),
                             "count": per_day.get((since + dt.timedelta(days=n)).date().isoformat(), 0)}
                            for n in range((now.date() - since.date()).days + 1)],
        "first_reply_minutes": {"replied": len(waits), "median": round(median(waits), 1) if waits else None,
                                "p90": round(_percentile(waits, 0.9), 1) if waits else None},
    }
