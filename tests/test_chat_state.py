"""A conversation as plain JSON (chat/state.py): reloaded from its dump, on a fresh context, it goes
on exactly as the original would have; the dump survives json.dumps and holds no callables."""

import json

import pytest

from assistant.actions import accounts
from assistant.conversation import Conversation
from assistant.errors import UserError
from assistant.router import Reply, Suggestion


def _again(conv: Conversation, ctx, router) -> Conversation:
    """CONV through JSON text and back, as the service keeps it between requests."""
    return Conversation.load(ctx, router, json.loads(json.dumps(conv.dump())), conv.role)


def test_a_request_half_filled_in_continues_after_a_reload(ctx, router):
    accounts.enable(ctx)
    conv = Conversation(ctx, router)
    conv.handle("submit a signature")
    conv.handle("AcmeShop")
    reloaded = _again(conv, ctx, router)
    assert reloaded.waiting == conv.waiting and reloaded.waiting.prompt.startswith("Source of the name")
    assert [line.text for line in reloaded.handle("trademark")] == [line.text for line in conv.handle("trademark")]
    assert reloaded.waiting.kind == "confirm"


def test_an_offer_survives_a_reload_and_yes_runs_it(ctx, router):
    accounts.enable(ctx)
    conv = Conversation(ctx, router)
    assert [line.text for line in conv.handle("AcmeShop")] == ["Submit a new signature named AcmeShop now? [y/N]"]
    reloaded = _again(conv, ctx, router)
    assert reloaded.waiting.kind == "offer"
    reloaded.handle("y")
    assert reloaded.waiting.prompt.startswith("Source of the name")


def test_did_you_mean_choices_survive_a_reload(ctx, router):
    accounts.enable(ctx)
    conv = Conversation(ctx, router)
    question = "submit signature AcmeShop from trademark"
    conv.reply(Reply(question, "clarify", 0.5, suggestions=(
        Suggestion("action:signature.status", "Show the status of signatures.", 0.5),
        Suggestion("action:signature.submit", "Submit a signature.", 0.49))))
    reloaded = _again(conv, ctx, router)
    lines = reloaded.handle("2")
    assert reloaded.waiting.kind == "confirm"
    assert any("Submit signature AcmeShop (trademark)" in line.text for line in lines)


def test_the_turns_counters_and_objects_talked_about_are_kept(ctx, router):
    conv = Conversation(ctx, router)
    conv.handle("what does isv.BUSINESS_LIMIT_CONTROL mean")
    conv.handle("qwertyuiop asdf")
    data = conv.dump()
    reloaded = _again(conv, ctx, router)
    assert reloaded.dump() == json.loads(json.dumps(data))
    assert reloaded.turns == conv.turns and reloaded.fallbacks == conv.fallbacks == 1
    assert reloaded.last == conv.last


def test_a_dump_of_another_version_is_refused_with_one_line(ctx, router):
    data = Conversation(ctx, router).dump()
    with pytest.raises(UserError, match="another version of the assistant; start a new one"):
        Conversation.load(ctx, router, {**data, "version": 99})


def test_failures_in_a_row_are_counted_across_a_reload_and_an_answer_between_them_breaks_the_row(ctx, router):
    conv = Conversation(ctx, router)
    conv.handle("/show 999")
    reloaded = _again(conv, ctx, router)
    assert reloaded.in_a_row == 1 and "This keeps failing" in " ".join(line.text for line in reloaded.handle("/show 998"))
    conv.handle("how long does signature review take")
    again = _again(conv, ctx, router)
    assert again.in_a_row == 0 and again.failures == 1   # the failed requests a ticket carries are kept as they were
    assert "This keeps failing" not in " ".join(line.text for line in again.handle("/show 998"))
