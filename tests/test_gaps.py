"""Knowledge gaps are logged without personal data, grouped, and closed with `kb learn`."""

import json

import pytest

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


@pytest.mark.parametrize("said", ["010-62345678", "(0755) 8888 6666", "02162345678"])
def test_landline_numbers_are_masked_too_and_template_codes_are_not(ctx, said):
    log = GapLog(lambda: (ctx.store, ctx.account, ctx.now()), 0.6)
    log.note(Reply(f"why can't {said} get DIGITAL_SMS_0001", "fallback", 0.1))
    log.flush()
    assert ctx.store.rows("SELECT question FROM gaps") == [{"question": "why can't <phone> get DIGITAL_SMS_0001"}]


def test_gaps_group_similar_questions_most_asked_first(ctx, router):
    _log(ctx, router, ["how much does a digital message cost", "what is the weather today",
                       "how much does one digital message cost", "how much do digital messages cost?",
                       "what's the weather today"])
    groups = report(ctx.store)
    assert [g["count"] for g in groups] == [3, 2]
    assert "cost" in groups[0]["examples"][0] and "weather" in groups[1]["examples"][0]


def test_kb_learn_makes_a_failing_question_match_and_export_passes_check(run, tmp_path):
    question = "can the packages be shared between two accounts"  # no entry answers it (prices are an entry of their own)
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


def test_the_gap_log_is_bounded_and_prunes_the_oldest_first(ctx, router):
    log = GapLog(lambda: (ctx.store, ctx.account, ctx.now()), router.kb.thresholds.low_confidence, batch=3, keep=5)
    for n in range(8):
        log.note(Reply(f"question number {n}", "fallback", 0.1))
    log.flush()
    rows = ctx.store.rows("SELECT question FROM gaps ORDER BY id")
    assert [r["question"] for r in rows] == [f"question number {n}" for n in range(3, 8)]


def test_a_pick_is_a_proposed_phrasing_beside_the_unanswered_questions(ctx):
    from assistant.gaps import log_pick, proposals

    log = GapLog(lambda: (ctx.store, ctx.account, ctx.now()), 0.6)
    log.note(Reply("status please", "clarify", 0.4))
    log.note(Reply("status please", "clarify", 0.4))
    log.flush()
    for _ in range(2):
        log_pick(ctx.store, ctx.account, "status please", "action:template.status", ctx.now())
    groups = report(ctx.store)
    assert len(groups) == 1 and groups[0]["count"] == 2
    assert groups[0]["proposals"] == [{"question": "status please", "intent": "action:template.status", "count": 2}]
    assert proposals(groups, minimum=3) == [] and len(proposals(groups, minimum=2)) == 1


def test_kb_gaps_shows_picks_and_kb_learn_accepts_them_for_the_next_build(run, tmp_path):
    from assistant.gaps import log_pick
    from assistant.storage import open_store

    assert json.loads(run("ask", "--json", "status").out)["type"] == "clarify"
    store = open_store()  # where the CLI's database is: $ASSISTANT_DB, else the default file
    log_pick(store, "demo", "status", "action:template.status", "2026-03-02 10:00:00")
    store.close()
    shown = run("--role", "manager", "kb", "gaps").out
    assert "asked 1x" in shown and "proposed: 'status' -> template.status (picked 1x)" in shown
    learned = run("--role", "manager", "kb", "learn", "--proposals")
    assert learned.code == 0 and "'status' now answers with 'template.status'" in learned.out
    reply = json.loads(run("ask", "--json", "status").out)
    assert (reply["type"], reply["action"], reply["confidence"]) == ("action", "template.status", 1.0)


def test_kb_learn_needs_a_question_and_entry_or_proposals(run):
    assert "say what to learn" in run("--role", "manager", "kb", "learn", "just a question").err
    assert "not both" in run("--role", "manager", "kb", "learn", "q", "--entry", "opt-out", "--proposals").err


def test_a_gap_log_that_cannot_be_written_leaves_the_services_answer_and_warns(ctx, router, caplog):
    import pytest

    from assistant.ops import LocalOps

    if not hasattr(ctx.store, "conn") or not hasattr(ctx.store.conn, "in_transaction"):
        pytest.skip("fills the SQLite file itself")
    pages = ctx.store.conn.execute("PRAGMA page_count").fetchone()[0]
    ctx.store.conn.execute(f"PRAGMA max_page_count = {pages}")   # the disk is full
    try:
        for _ in range(50):  # enough gap rows to need a new page
            answer = LocalOps(lambda: ctx, lambda: router).ask("what is the weather in shanghai")
            assert answer["type"] == "fallback"
    finally:
        ctx.store.conn.execute("PRAGMA max_page_count = 1073741823")
    assert any("knowledge gap not logged" in r.getMessage() and "disk is full" in r.getMessage() for r in caplog.records)


def test_the_services_log_writes_the_rows_of_concurrent_requests_together_each_once_committed(ctx, db_target,
                                                                                                monkeypatch):
    """The first request's row is written at once (held here at a gate); the fifteen that log
    meanwhile are written in one transaction after it, and each call returns with its row in the log."""
    import threading

    from assistant import gaps
    from assistant.storage import open_store

    local, batches, seen = threading.local(), [], []
    gate = threading.Event()
    insert = gaps._insert

    def store():
        if getattr(local, "store", None) is None:
            local.store = open_store(db_target)  # a store a thread, as the service keeps them
        return local.store

    def held(store, rows, keep):
        batches.append(len(rows))
        if len(batches) == 1:
            gate.wait(5)
        insert(store, rows, keep)

    monkeypatch.setattr(gaps, "_insert", held)
    log = gaps.SharedLog(store, lambda: 1000)

    def ask(n: int) -> None:
        log.record("demo", ctx.now(), Reply(f"unanswered question {n}", "fallback", 0.1), 0.6)
        seen.append(store().row("SELECT COUNT(*) AS n FROM gaps WHERE question = ?", (f"unanswered question {n}",))["n"])
        local.store.close()

    first = threading.Thread(target=ask, args=(0,))
    first.start()
    while not batches:
        threading.Event().wait(0.001)
    others = [threading.Thread(target=ask, args=(n,)) for n in range(1, 16)]
    for t in others:
        t.start()
    while len(log._together._waiting) < 15:
        threading.Event().wait(0.001)
    gate.set()
    for t in [first, *others]:
        t.join(10)
    assert batches == [1, 15] and seen == [1] * 16
    assert ctx.store.row("SELECT COUNT(*) AS n FROM gaps")["n"] == 16


def test_a_confident_answer_writes_nothing_to_the_services_log(ctx):
    from assistant.gaps import SharedLog

    def no_store():
        raise AssertionError("the database was opened for a confident answer")

    SharedLog(no_store, lambda: 1000).record("demo", ctx.now(), Reply("q", "answer", 0.9, entry="opt-out"), 0.6)


def test_a_question_one_script_asks_fifty_times_is_one_session_and_ranks_below_one_many_ask(ctx, router):
    script = GapLog(lambda: (ctx.store, ctx.account, ctx.now()), 0.6, batch=20)   # one `ask` run
    for _ in range(50):
        script.note(Reply("what is the weather in shanghai", "fallback", 0.1))
    script.flush()
    for said in ("how much does a digital message cost", "how much does one digital message cost",
                 "how much do digital messages cost?"):
        _log(ctx, router, [said])                                    # three runs, one question each
    groups = report(ctx.store)
    assert [(g["sessions"], g["count"]) for g in groups] == [(3, 3), (1, 50)]
    assert "cost" in groups[0]["examples"][0] and "weather" in groups[1]["examples"][0]
    assert ctx.store.row("SELECT COUNT(DISTINCT source) AS n FROM gaps")["n"] == 4


def test_a_conversation_is_one_session_and_its_picks_name_it_too(ctx, router):
    from assistant.conversation import Conversation

    first, second = Conversation(ctx, router), Conversation(ctx, router)
    for conv in (first, first, second):
        conv.handle("what is the weather in shanghai")
    assert [(g["sessions"], g["count"]) for g in report(ctx.store)] == [(2, 3)]
    conv = Conversation(ctx, router)
    conv.handle("status")
    conv.handle("1")                                                 # a "did you mean" pick
    sources = ctx.store.rows("SELECT kind, source FROM gaps WHERE question = 'status' ORDER BY id")
    assert [row["kind"] for row in sources] == ["clarify", "pick"] and sources[0]["source"] == sources[1]["source"]
    assert sources[0]["source"] not in {first.source, second.source} and sources[0]["source"].startswith("repl:")


def test_rows_logged_before_sources_were_kept_count_one_session_each(db_target, monkeypatch):
    from assistant.storage import open_store, schema

    steps = list(schema.MIGRATIONS)
    monkeypatch.setattr("assistant.storage.schema.MIGRATIONS", steps[:-1])
    old = open_store(db_target)
    for minute in range(3):
        old.insert("gaps", {"at": f"2026-03-02 10:0{minute}:00", "account": "demo", "question": "what is the weather",
                            "best": None, "score": 0.1, "kind": "fallback"})
    old.close()
    monkeypatch.setattr("assistant.storage.schema.MIGRATIONS", steps)
    upgraded = open_store(db_target)
    try:
        GapLog(lambda: (upgraded, "demo", "2026-03-02 11:00:00"), 0.6, source="ask:one").note(
            Reply("what is the weather", "fallback", 0.1))
        log = GapLog(lambda: (upgraded, "demo", "2026-03-02 11:00:00"), 0.6, source="ask:one")
        for _ in range(2):
            log.note(Reply("what is the weather", "fallback", 0.1))
        log.flush()
        assert [(g["sessions"], g["count"]) for g in report(upgraded)] == [(4, 5)]   # 3 old rows, then one run's 2
    finally:
        upgraded.close()


def test_kb_gaps_says_how_many_sessions_asked_in_text_and_json(run):
    asked = "what is the weather in shanghai"
    assert run("ask", input=f"{asked}\n{asked}\n{asked}\n").code == 0          # one run, three times
    assert run("ask", asked).code == 0                                          # another run
    shown = run("--role", "manager", "kb", "gaps")
    assert "1. asked 4x by 2 sessions (last " in shown.out, shown.out
    group = json.loads(run("--role", "manager", "kb", "gaps", "--json").out)[0]
    assert (group["count"], group["sessions"]) == (4, 2)
    assert {"count", "sessions", "examples", "best", "kinds", "last", "proposals"} <= set(group)


def test_the_services_askers_are_its_tokens_and_conversations(serve):
    from test_web import Browser, chat_say

    server = serve()
    script, person = server.token("--account", "demo"), server.token("--account", "demo")
    asked = "what is the weather in shanghai"
    for _ in range(3):
        assert server.call("POST", "/v1/ask", script, {"question": asked})[0] == 200   # a script's token: one asker
    assert server.call("POST", "/v1/ask", person, {"question": asked})[0] == 200
    status, conv = server.call("POST", "/v1/conversations", person)
    assert status == 200
    for _ in range(2):                                                              # the remote REPL's conversation
        assert server.call("POST", f"/v1/conversations/{conv['id']}/messages", person, {"text": asked})[0] == 200
    chat = Browser(server.url)                                                      # the web chat's conversation
    chat.sign_in(person)
    csrf = chat.csrf("/chat")
    for _ in range(2):
        chat_say(chat, csrf, asked)
    status, groups = server.call("GET", "/v1/gaps", server.token("--user", "lin", "--grant", "manager"))
    assert status == 200 and [(g["count"], g["sessions"]) for g in groups] == [(8, 4)], groups
