"""The one normaliser for enumerated values: every spelling reaches the same choice."""

import pytest

from assistant.choices import pick

INDUSTRIES = ["general", "e-commerce", "real estate", "live streaming"]


@pytest.mark.parametrize("typed", ["e-commerce", "E-Commerce", "e commerce", "e_commerce", "ECOMMERCE", " e‐commerce "])
def test_every_spelling_of_e_commerce_is_e_commerce(typed):
    assert pick(typed, INDUSTRIES) == "e-commerce"


@pytest.mark.parametrize("typed", ["live-streaming", "live streaming", "live_streaming", "Live Streaming", "livestreaming"])
def test_every_spelling_of_live_streaming_is_live_streaming(typed):
    assert pick(typed, INDUSTRIES) == "live streaming"


def test_synonyms_name_their_choice_and_unknown_values_are_none():
    sources = {"enterprise": ("company", "business"), "trademark": ("brand", "trade mark")}
    assert pick("Trade-Mark", sources) == "trademark" and pick("Company", sources) == "enterprise"
    assert pick("bakery", INDUSTRIES) is None and pick("", INDUSTRIES) is None


def test_a_rules_mapping_of_settings_is_read_by_its_keys():
    assert pick("Live_Streaming", {"live streaming": {"enable": True}, "finance": {"enable": False}}) == "live streaming"
