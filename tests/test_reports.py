"""The support figures (`assistant kb report`, the desk's reports page): read from the service's
conversations, the gap log, the chat's feedback and the tickets."""

from __future__ import annotations

import json

import pytest

from assistant import reports, tokens
from assistant.actions import handoff
from assistant.errors import Forbidden


def conversation(ctx, token_id: int, conv_id: str, questions: list[str], start: str, end: str) -> None:
    turns = [{"role": "user", "text": q, "at": start} for q in questions]
    turns.append({"role": "user", "text": "yes", "at": end, "reply": True})  # an answer to an offer is no question
    turns.append({"role": "user", "text": "/status", "at": end})               # nor is a slash command
    with ctx.store.transaction():
        ctx.store.insert("conversations", {"id": conv_id, "account": "demo", "token": token_id,
                                           "state": json.dumps({"turns": turns}), "version": 1,
                                           "created_at": start, "updated_at": end})


@pytest.fixture
def busy(ctx):
    """Three conversations on Monday 2 March 2026, one of which ended in a ticket answered after 90 minutes."""
    token = tokens.create(ctx, account="demo")["id"]
    conversation(ctx, token, "c1", ["how long does signature review take", "How long does signature review take?"],
                 "2026-03-02 09:00:00", "2026-03-02 09:05:00")
    conversation(ctx, token, "c2", ["what is the price"], "2026-03-02 09:30:00", "2026-03-02 10:30:00")
    conversation(ctx, token, "c3", ["how long does signature review take"], "2026-03-02 11:00:00", "2026-03-02 11:01:00")
    ticket = handoff.create(ctx, "what is the price")  # at 10:00, inside c2
    manager = type(ctx)(ctx.store, ctx.kb, ctx.clock, "demo", "manager:lin", "manager")
    manager.later(minutes=90)
    handoff.reply(manager, ticket["id"], "See the price list.", "lin")
    with ctx.store.transaction():
        ctx.store.insert("answer_feedback", {"at": "2026-03-02 09:01:00", "account": "demo", "question": "q",
                                             "answer": "Reviews take 7-10 business days.", "verdict": "yes"})
        ctx.store.insert("answer_feedback", {"at": "2026-03-02 09:02:00", "account": "demo", "question": "q",
                                             "answer": "Reviews take 7-10 business days.", "verdict": "not_answered"})
    ctx.at("2026-03-03T12:00")
    return ctx


def test_the_resolution_rate_counts_conversations_that_ended_without_a_ticket(busy):
    r = reports.figures(busy.store, busy.clock, days=7)
    assert (r["conversations"], r["resolved_without_person"], r["resolution_rate"]) == (3, 2, 0.667)


def test_top_questions_are_counted_whatever_their_case_and_punctuation(busy):
    top = reports.figures(busy.store, busy.clock, days=7)["top_questions"]
    assert top[0] == {"question": "how long does signature review take", "count": 3}
    assert {q["question"] for q in top} == {"how long does signature review take", "what is the price"}


def test_tickets_per_day_and_time_to_first_reply(busy):
    r = reports.figures(busy.store, busy.clock, days=7)
    assert r["tickets"] == 1
    assert {d["day"]: d["count"] for d in r["tickets_per_day"]}["2026-03-02"] == 1
    assert sum(d["count"] for d in r["tickets_per_day"]) == 1 and len(r["tickets_per_day"]) == 8
    assert r["first_reply_minutes"] == {"replied": 1, "median": 90.0, "p90": 90.0}


def test_feedback_is_counted_per_answer(busy):
    feedback = reports.figures(busy.store, busy.clock, days=7)["feedback"]
    assert feedback == [{"answer": "Reviews take 7-10 business days.", "yes": 1, "not_related": 0, "not_answered": 1}]


def test_nothing_happened_is_said_as_no_figure_not_as_zero_percent(ctx):
    r = reports.figures(ctx.store, ctx.clock, days=30)
    assert r["resolution_rate"] is None and r["first_reply_minutes"]["median"] is None
    assert r["top_questions"] == [] and r["top_unanswered"] == [] and r["tickets"] == 0


def test_the_cli_prints_the_figures_for_a_manager_only(busy, run, db_target):
    result = run("--db", str(db_target), "--role", "manager", "--now", "2026-03-03T12:00", "--json", "kb", "report",
                 "--days", "7")
    assert result.code == 0, result.err
    assert json.loads(result.out)["conversations"] == 3
    text = run("--db", str(db_target), "--role", "manager", "--now", "2026-03-03T12:00", "kb", "report", "--days", "7")
    assert "solved without a person: 2 (67%)" in text.out
    refused = run("--db", str(db_target), "kb", "report")
    assert refused.code != 0 and "the customer role may not run 'kb report'" in refused.err


def test_the_report_after_local_asks_says_which_channels_each_list_counts(run):
    """Local `ask` lines are in the gap log (every channel writes it) but no conversation of the
    service: the report said "conversations with a question: 0" and "Top questions: none" beside
    a "Top unanswered" full of them, as if they contradicted each other."""
    asked = run("ask", "--json", input="how do i bake bread\nhow do i bake bread\nwhat is td\n")
    assert asked.code == 0, asked.err
    text = run("--role", "manager", "kb", "report", "--days", "7").out
    assert "conversations held through the service (web chat, remote REPL) with a question: 0" in text, text
    questions = text[text.index("Top questions, in the service's conversations:"):]
    assert questions.splitlines()[1].startswith("  none (ask and the local REPL keep no questions; "
                                                "their unanswered ones are counted below)"), text
    unanswered = text[text.index("Top unanswered, from every channel (ask, the local REPL, the service):"):]
    assert "2  how do i bake bread" in unanswered, text


def test_a_customer_gets_no_figures_from_the_core(ctx):
    from assistant.ops import LocalOps

    with pytest.raises(Forbidden):
        LocalOps(lambda: ctx, lambda: None, "customer").report(7)


def _kept(ctx, conv_id: str, conv, start: str) -> None:
    """CONV's state stored as the service keeps a conversation."""
    with ctx.store.transaction():
        ctx.store.insert("conversations", {"id": conv_id, "account": "demo", "token": tokens.create(ctx, account="demo")["id"],
                                           "state": json.dumps(conv.dump()), "version": 1,
                                           "created_at": start, "updated_at": ctx.now()})


def test_top_questions_leave_out_values_typed_at_prompts_and_yes_or_no(live, router):
    from assistant.conversation import Conversation

    start = live.now()
    conv = Conversation(live, router)
    for line in ("I want to send a message", "DIGITAL_SMS_0001", "13800138000", "Tom", "yes", "no"):
        conv.handle(line)
    _kept(live, "c1", conv, start)
    conv = Conversation(live, router)
    for line in ("how long does signature review take", "thanks", "How long does signature review take?"):
        conv.handle(line)   # a question typed at the offer after an answer is asked; "thanks" there is not
    _kept(live, "c2", conv, start)
    top = reports.figures(live.store, live.clock, days=7)["top_questions"]
    assert top == [{"question": "how long does signature review take", "count": 2},
                   {"question": "I want to send a message", "count": 1}], top


def test_a_chat_whose_customer_asked_for_a_person_is_not_solved_without_one(live, router):
    from assistant.conversation import Conversation

    handoff.create(live, "an older case")              # open: the next request for a person is added to it
    live.later(minutes=5)
    conv = Conversation(live, router)
    start = live.now()
    conv.handle("how long does signature review take")
    conv.handle("/handoff")
    assert handoff.get(live, 1)["status"] == "open" and len(handoff.queue(live)) == 1   # no new ticket opened
    _kept(live, "c1", conv, start)
    r = reports.figures(live.store, live.clock, days=7)
    assert (r["conversations"], r["resolved_without_person"]) == (1, 0)
