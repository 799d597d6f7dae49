"""Conversations kept between turns, and a web chat's verdict on an answer (assistant/chat/stored.py)."""

import json

import pytest

from assistant import tokens
from assistant.chat import stored
from assistant.conversation import Conversation
from assistant.errors import NotFound

QUESTION = "what is a digital message"


@pytest.fixture
def chat(ctx, router):
    """A web chat of the demo account's customer token that asked QUESTION: its holder, id and answer."""
    holder = stored.Holder(ctx, lambda: router, "customer", tokens.create(ctx, account="demo")["id"])
    conv = Conversation(ctx, router, "customer", files="upload", shell="web")
    lines = conv.handle(QUESTION)
    answer = next(line.text for line in lines if line.kind == "answer" and line.entry)
    row = {"id": "chat-1", "account": "demo", "token": holder.token, "version": 1, "created_at": ctx.now(),
           "updated_at": ctx.now(), "state": stored.state(conv, stored.shown_lines(ctx, QUESTION, lines))}
    ctx.store.atomically(lambda: ctx.store.insert("conversations", row))
    return holder, "chat-1", answer


def verdicts(ctx) -> list[tuple[str, str, str]]:
    return [(r["question"], r["answer"], r["verdict"]) for r in ctx.store.rows(
        "SELECT question, answer, verdict FROM answer_feedback ORDER BY id")]


def kept(ctx, conv_id: str) -> tuple[list[dict], int]:
    row = ctx.store.row("SELECT state, version FROM conversations WHERE id = ?", (conv_id,))
    return json.loads(row["state"])["shown"], row["version"]


def test_a_verdict_is_recorded_and_marked_on_the_answer_in_the_transcript(ctx, chat):
    holder, conv_id, answer = chat
    assert stored.judge(holder, conv_id, f" {QUESTION} ", f"{answer}\n", "yes") is None
    assert verdicts(ctx) == [(QUESTION, answer, "yes")]
    shown, version = kept(ctx, conv_id)
    assert version == 2 and [line.get("feedback") for line in shown if line.get("text") == answer] == ["yes"]


def test_an_answer_takes_one_verdict_the_second_is_refused_with_the_first_and_recorded_nowhere(ctx, chat):
    holder, conv_id, answer = chat
    stored.judge(holder, conv_id, QUESTION, answer, "not_related")
    assert stored.judge(holder, conv_id, QUESTION, answer, "yes") == "not_related"
    assert verdicts(ctx) == [(QUESTION, answer, "not_related")] and kept(ctx, conv_id)[1] == 2


@pytest.mark.parametrize("conv_id", [None, "", "no-such-chat"])
def test_a_verdict_without_its_conversation_still_counts(ctx, chat, conv_id):
    holder, _, answer = chat
    assert stored.judge(holder, conv_id, QUESTION, answer, "not_answered") is None
    assert verdicts(ctx) == [(QUESTION, answer, "not_answered")]
    assert kept(ctx, "chat-1")[1] == 1


def test_a_verdict_on_an_answer_the_transcript_does_not_show_is_recorded_and_leaves_the_transcript(ctx, chat):
    holder, conv_id, _ = chat
    before = kept(ctx, conv_id)
    assert stored.judge(holder, conv_id, "q", "an answer never shown", "yes") is None
    assert verdicts(ctx) == [("q", "an answer never shown", "yes")] and kept(ctx, conv_id) == before


def test_another_tokens_or_an_idle_conversation_is_not_found_and_its_verdict_marks_nothing(ctx, router, chat):
    holder, conv_id, answer = chat
    other = holder._replace(token=tokens.create(ctx, account="demo")["id"])
    with pytest.raises(NotFound, match="no conversation chat-1"):
        stored.load(other, conv_id)
    ctx.later(minutes=ctx.rules.conversations["idle_expiry_minutes"] + 1)
    with pytest.raises(NotFound):
        stored.load(holder, conv_id)
    assert stored.judge(holder, conv_id, QUESTION, answer, "yes") is None and kept(ctx, conv_id)[1] == 1


def test_a_save_of_a_version_another_window_moved_on_is_refused(ctx, chat):
    holder, conv_id, _ = chat
    found = stored.load(holder, conv_id)
    ctx.store.atomically(lambda: stored.save(ctx, conv_id, found, found.shown))
    with pytest.raises(stored.MovedOn, match="moved on in another window"):
        ctx.store.atomically(lambda: stored.save(ctx, conv_id, found, found.shown))
    assert kept(ctx, conv_id)[1] == found.version + 1


def test_a_verdict_keeps_the_conversations_step_and_the_account_it_acts_for(ctx, chat):
    """A verdict's save stores the state again: the step a tab sends and a staff member's /account must
    survive it, or the tab's next line would be refused as stale and the agent put back on demo."""
    holder, conv_id, answer = chat
    row = ctx.store.row("SELECT state FROM conversations WHERE id = ?", (conv_id,))
    state = {**json.loads(row["state"]), "step": 4}
    ctx.store.atomically(lambda: ctx.store.execute("UPDATE conversations SET state = ? WHERE id = ?",
                                                   (json.dumps(state, ensure_ascii=False), conv_id)))
    assert stored.judge(holder, conv_id, QUESTION, answer, "yes") is None
    after = json.loads(ctx.store.row("SELECT state FROM conversations WHERE id = ?", (conv_id,))["state"])
    assert (after["step"], after["account"]) == (4, "demo") and stored.load(holder, conv_id).step == 4


def _lines_and_step(conv, lines, step):
    """A caller's view of a turn: the texts said and the step it leaves."""
    return [line.text for line in lines], step


def test_a_turn_acts_on_the_stored_conversation_keeps_the_line_and_its_reply_and_counts_a_step(ctx, chat):
    holder, conv_id, _ = chat
    texts, step = stored.turn(holder, conv_id, lambda conv: conv.handle("how long does signature review take"),
                              _lines_and_step, heard="how long does signature review take")
    assert step == 1 and any("business days" in text for text in texts)
    shown, version = kept(ctx, conv_id)
    assert version == 2 and shown[-len(texts) - 1]["text"] == "how long does signature review take"
    assert [line["text"] for line in shown[-len(texts):]] == texts and stored.load(holder, conv_id).step == 1


def test_a_turn_from_a_window_that_showed_an_older_step_is_refused_and_changes_nothing(ctx, chat):
    holder, conv_id, _ = chat
    stored.turn(holder, conv_id, lambda conv: conv.handle("hello"), _lines_and_step, heard="hello")
    before = kept(ctx, conv_id)
    with pytest.raises(stored.MovedOn):
        stored.turn(holder, conv_id, lambda conv: conv.handle("yes"), _lines_and_step, heard="yes", seen=0)
    assert kept(ctx, conv_id) == before


def test_a_refused_line_is_kept_in_the_transcript_with_its_refusal_at_the_same_step(ctx, chat):
    from assistant.chat.lines import Line

    holder, conv_id, _ = chat
    refusal = Line("error", "that cannot be done")
    assert stored.keep_refused(holder, conv_id, "/account acme", [refusal], _lines_and_step) == (
        ["that cannot be done"], 0)
    shown, version = kept(ctx, conv_id)
    assert version == 2 and [(line["from"], line["text"]) for line in shown[-2:]] == [
        ("customer", "/account acme"), ("assistant", "that cannot be done")]


def test_a_turn_another_window_took_while_the_request_waited_is_refused_not_answered_anew(ctx, chat):
    """The version the request found on arrival is the one it answers: a turn committed while it waited for
    the transaction makes it a 409 (MovedOn), not a reply to the conversation as the other turn left it."""
    holder, conv_id, _ = chat
    store, heard = ctx.store, []
    atomically = store.atomically

    def after_another_window(work, key=None):
        store.atomically = atomically   # the other window's turn goes first, then this request's transaction
        stored.turn(holder, conv_id, lambda conv: heard.append("other") or [], lambda *_: None)
        return atomically(work, key=key)

    store.atomically = after_another_window
    try:
        with pytest.raises(stored.MovedOn, match="moved on in another window"):
            stored.turn(holder, conv_id, lambda conv: heard.append("late") or [], lambda *_: None)
    finally:
        store.atomically = atomically
    assert heard == ["other"] and kept(ctx, conv_id)[1] == 2
    stored.turn(holder, conv_id, lambda conv: heard.append("next") or [], lambda *_: None)   # a later line is taken
    assert heard == ["other", "next"] and kept(ctx, conv_id)[1] == 3
