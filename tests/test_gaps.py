"""Knowledge gaps are logged without personal data, grouped, and closed with `kb learn`."""

import json

from assistant.gaps import GapLog, report
from assistant.knowledge import check
from assistant.router import Reply


def _log(ctx, router, questions):
    log = GapLog(lambda: (ctx.store, ctx.account, ctx.now()), router.kb.thresholds.low_confidence, batch=2)
    for q in questions:
        log.note(router.route(q))
    log.flush()


def test_fallbacks_are_logged_and_confident_answers_are_not(ctx, router):
    _log(ctx, router, ["how long does signature review take", "what is the weather in shanghai"])
    rows = ctx.store.rows("SELECT account, question, kind FROM gaps")
    assert rows == [{"account": "demo", "question": "what is the weather in shanghai", "kind": "fallback"}]


def test_phone_numbers_are_masked_before_logging(ctx):
    log = GapLog(lambda: (ctx.store, ctx.account, ctx.now()), 0.6)
    log.note(Reply("my friend at +86 138 0013 8000 wants recipes", "fallback", 0.1))
    log.flush()
    assert ctx.store.rows("SELECT question FROM gaps") == [{"question": "my friend at <phone> wants recipes"}]


def test_gaps_group_similar_questions_most_asked_first(ctx, router):
    _log(ctx, router, ["how much does a digital message cost", "what is the weather today",
                       "how much does one digital message cost", "how much do digital messages cost?",
                       "what's the weather today"])
    groups = report(ctx.store)
    assert [g["count"] for g in groups] == [3, 2]
    assert "cost" in groups[0]["examples"][0] and "weather" in groups[1]["examples"][0]


def test_kb_learn_makes_a_failing_question_match_and_export_passes_check(run, tmp_path):
    question = "how much does a digital message cost"
    assert json.loads(run("ask", "--json", question).out)["type"] == "fallback"
    assert "asked 1x" in run("--role", "manager", "kb", "gaps").out
    result = run("--role", "manager", "kb", "learn", question, "--entry", "sms-package-offset")
    assert result.code == 0
    reply = json.loads(run("ask", "--json", question).out)
    assert (reply["type"], reply["entry"], reply["confidence"]) == ("answer", "sms-package-offset", 1.0)
    target = tmp_path / "exported"
    assert run("kb", "export", str(target)).code == 0
    kb, problems = check(target)
    assert problems == [] and question in kb.entries["sms-package-offset"].alternatives


def test_kb_learn_refuses_a_phrasing_of_another_entry_and_unknown_entries(run):
    result = run("--role", "manager", "kb", "learn", "Is there an unsubscribe option?", "--entry", "enable-sending")
    assert "already a phrasing of entry 'opt-out'" in result.err
    assert "no entry 'nope'" in run("--role", "manager", "kb", "learn", "hello", "--entry", "nope").err


def test_the_shipped_knowledge_base_is_never_written(run, kb):
    before = {p.name: p.read_bytes() for p in __import__("pathlib").Path(kb.source).glob("*.yaml")}
    run("--role", "manager", "kb", "learn", "cost of one message", "--entry", "sms-package-offset")
    after = {p.name: p.read_bytes() for p in __import__("pathlib").Path(kb.source).glob("*.yaml")}
    assert before == after
