"""The one normaliser for enumerated values and yes/no answers: every spelling reaches the same choice."""

import pytest

from assistant.choices import pick, yes_or_no

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


@pytest.mark.parametrize("typed", ["y", "Yes", "yes please", "Yes, please!", "sure", "sure thing", "sounds great",
                                   "ok go ahead", "yep", "please do",
                                   "yeah sure", "okay then", "go for it", "do it now", "YESSS", "absolutely", "please",
                                   "是的", "好的", "确定", "没问题",
                                   "要", "要的", "可", "可以", "行", "好", "嗯", "嗯嗯", "对", "对的", "好吧", "好啊",
                                   "ok lah", "ok la", "Okay lah", "can lah", "can", "can can", "好滴", "中",
                                   "发", "发吧", "发出去吧", "好吧，发"])
def test_natural_affirmatives_are_yes(typed):
    assert yes_or_no(typed) == "yes"


@pytest.mark.parametrize("typed", ["n", "No", "no thanks", "no, thank you", "nah", "nope", "not now", "don't",
                                   "please don't", "maybe later", "not yet", "nooo", "no no", "不要",
                                   "以后再说", "先不要", "暂时不用", "下次吧", "稍后", "取消", "cancel",
                                   "不行", "不可以", "别", "算了吧", "不要吧", "不中"])
def test_natural_negatives_are_no(typed):
    assert yes_or_no(typed) == "no"


@pytest.mark.parametrize("typed", ["maybe", "not sure", "hmm", "yes no", "no yes", "sure, but later today",
                                   "no, I want to send a message", "thanks", "I don't know", "等一下"])
def test_an_answer_that_is_not_surely_yes_or_no_is_unclear(typed):
    assert yes_or_no(typed) == "unclear"


@pytest.mark.parametrize("typed", ["how do I enable digital messages?", "what does that mean", "I want to talk to a person",
                                   "DIGITAL_SMS_0001", "2", "", "   "])
def test_a_question_or_a_value_is_no_answer_at_all(typed):
    assert yes_or_no(typed) is None


@pytest.mark.parametrize("typed,reading,rest", [
    ("no. I want to talk to a person", "no", "I want to talk to a person"),
    ("ok. what do I need to do to start sending?", "yes", "what do I need to do to start sending?"),
    ("Yes! how long does review take?", "yes", "how long does review take?"),
    ("Yes. Please.", "yes", ""), ("yes. no.", "unclear", ""),
    ("no, I want to send a message", "no", "I want to send a message"),
    ("no thanks, but what is a signature?", "no", "what is a signature?"), ("不用了，谢谢", "no", "谢谢"),
    ("yes, please", "yes", ""), ("好吧，发", "yes", ""), ("how do I enable it?", None, "")])
def test_a_yes_or_no_opening_a_sentence_answers_and_the_rest_is_the_next_line(typed, reading, rest):
    from assistant.choices import answer_first

    assert answer_first(typed) == (reading, rest)


@pytest.mark.parametrize("typed,words", [("sure, go ahead and enable it", "enable it"), ("ok, go ahead please", ""),
                                         ("no, enable it", None), ("enable it", None),
                                         ("I don't need a human", None), ("I do not want that", None)])
def test_the_words_after_an_opening_yes_are_found(typed, words):
    """The longest phrase decides: "I don't" is a no, never the yes "I do" and a "not ..." (which
    once read "I don't need a human" at a send's go-ahead as yes, and sent)."""
    from assistant.choices import after_yes

    assert after_yes(typed) == words


def test_the_words_read_are_the_knowledge_bases_own(kb):
    """The yes and no words are data (messages.yaml `answers`): a knowledge base that adds one is read with it."""
    assert kb.answers and yes_or_no("要的", kb.answers) == "yes" and yes_or_no("嗯", kb.answers) == "yes"
    own = {**kb.answers, "yes": (*kb.answers["yes"], "靠谱")}
    assert yes_or_no("靠谱", kb.answers) is None and yes_or_no("靠谱", own) == "yes"
    assert yes_or_no("靠谱吧", own) == "yes" and yes_or_no("不靠谱", own) == "unclear"
