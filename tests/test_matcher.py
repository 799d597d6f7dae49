"""The matcher finds the right intent despite word order, typos, extra words and partial questions."""

import pytest

from assistant.matcher import Index
from assistant.text import Synonyms

INTENTS = {
    "review-time": ["how long does signature review take", "signature review duration"],
    "opt-out": ["can users unsubscribe", "is opt out supported"],
    "package": ["can my sms package pay for digital messages"],
}


@pytest.fixture(scope="module")
def index():
    return Index(INTENTS, Synonyms({"unsubscribe": "optout", "opt out": "optout"}))


@pytest.mark.parametrize("question", [
    "how long does signature review take",      # exact
    "signature review: how long does it take",  # word order
    "how long does signture reveiw take",       # typos
    "tell me please, how long does the signature review usually take for us",  # extra words
    "signature review how long",                # partial
])
def test_finds_the_intent_however_it_is_written(index, question):
    assert index.rank(question)[0].key == "review-time"


def test_synonyms_apply_to_both_sides(index):
    assert index.rank("is unsubscribe supported")[0].key == "opt-out"


def test_confidence_is_between_zero_and_one_and_ranked(index):
    ranked = index.rank("how long does signature review take", limit=3)
    assert all(0.0 <= c.confidence <= 1.0 for c in ranked)
    assert [c.confidence for c in ranked] == sorted((c.confidence for c in ranked), reverse=True)
    assert ranked[0].confidence > 0.8


def test_a_question_with_no_known_word_ranks_nothing(index):
    assert index.rank("weather forecast shanghai") == []


def test_unknown_words_lower_the_confidence(index):
    plain = index.rank("signature review time")[0].confidence
    padded = index.rank("signature review time laptop keyboard battery")[0].confidence
    assert padded < plain


def test_one_candidate_per_intent(index):
    keys = [c.key for c in index.rank("signature review how long duration", limit=5)]
    assert len(keys) == len(set(keys))


def test_the_fast_scores_equal_the_plain_feature_dot_product(index):
    from assistant.matcher import features
    from assistant.text import fold

    for question in ["how long does signture reveiw take", "is unsubscribe supported", "package package sms"]:
        words, surface = index.analyse(fold(question), index._correct)
        plain = index.model.logits(features(words, surface, index.weights, idf=index.idf))
        fast = index._scores(words, surface)
        assert max(abs(plain[k] - fast[k]) for k in plain) < 1e-9


@pytest.mark.parametrize("idf", [0.0, 0.5])
def test_the_remembered_weight_rows_give_the_sparse_dot_product_bit_for_bit(idf):
    """Each feature's dense row is kept (`_word_row`) and every intent's sum taken term by term in
    the features' order: the scores are exactly the plain ones, so no answer moves by a rounding."""
    from assistant.matcher import Weights, _word_vector, char_grams
    from assistant.text import fold

    built = Index(INTENTS, Synonyms({"unsubscribe": "optout"}), Weights(idf=idf))
    for question in ["how long does signture reveiw take", "is unsubscribe supported", "package package sms",
                     "weather forecast", "sms"]:
        for _ in range(2):  # rows computed, then rows remembered
            words, surface = built.analyse(fold(question), built._correct)
            plain = built.model.logits(_word_vector(words, built.weights.bigram, built.idf))
            assert built._word_scores(words) == [plain[k] for k in range(len(built.keys))]
            for word in surface:
                assert built._char_share(word) == built.model.dense_sum(char_grams(word))


def test_an_unknown_word_is_read_the_same_once_its_reading_is_remembered():
    index = Index(INTENTS, None)
    words = ["signaturereview", "reveiw", "laptop", "how"]
    first = index._correct(words)
    assert first == ["signature", "review", "review", "laptop", "how"]
    assert index._correct(words) == first
    assert set(index._repairs) == {"signaturereview", "reveiw", "laptop"}


def test_a_phrasing_word_for_word_is_its_intent_with_full_confidence(index):
    assert index.rank("signature review duration")[0] == ("review-time", 1.0, "how long does signature review take")


def test_a_budget_of_updates_sets_the_passes_whatever_the_size():
    """`steps` trains about that many minibatch updates: 10 rows are one batch, so 5 steps are
    5 passes, the same model as `epochs=5`, and a larger budget trains further."""
    from assistant import train

    rows = [{1: 1.0, 2: 0.5}, {3: 1.0}, {1: 0.2, 4: 1.0}, {5: 1.0}, {2: 1.0, 6: 1.0}] * 2
    labels = [0, 1, 0, 1, 2] * 2
    by_steps = train.softmax(rows, labels, 3, epochs=99, steps=5, prune=0.0)
    by_epochs = train.softmax(rows, labels, 3, epochs=5, prune=0.0)
    longer = train.softmax(rows, labels, 3, epochs=99, steps=50, prune=0.0)
    assert by_steps.values.tolist() == by_epochs.values.tolist()
    assert abs(longer.values).sum() > abs(by_steps.values).sum()


def test_averaging_keeps_the_mean_of_the_late_updates_not_the_last_and_most_extreme():
    """On separable rows the weights grow with every update, so the mean of the last half of
    them is smaller than the last one: averaging holds back the overconfidence of long training."""
    from assistant import train

    rows = [{1: 1.0}, {2: 1.0}, {3: 1.0}] * 4
    labels = [0, 1, 2] * 4
    last = train.softmax(rows, labels, 3, steps=200, prune=0.0)
    mean = train.softmax(rows, labels, 3, steps=200, prune=0.0, average=0.5)
    assert 0 < abs(mean.values).sum() < abs(last.values).sum()
    assert mean.values.argmax() == last.values.argmax()


def test_the_prune_weight_drops_the_trained_weights_below_it():
    """`weights.prune` (matcher.yaml) is the smallest weight an index keeps: a higher one keeps
    fewer, and none below it."""
    from assistant.matcher import Weights

    kept = {}
    for prune in (0.1, 0.3):
        model = Index(INTENTS, Synonyms({}), Weights(prune=prune)).model
        kept[prune] = len(model.values)
        assert min(abs(v) for v in model.values) >= prune
    assert kept[0.3] < kept[0.1]


def test_a_word_every_phrasing_uses_weighs_less_than_a_word_only_one_uses():
    from assistant.matcher import Idf

    idf = Idf.from_phrasings([{1, 2}, {1, 3}, {1, 4}], power=1.0)
    weighed = idf.weigh({1: 1.0, 2: 1.0})
    assert weighed[1] < weighed[2]


def test_a_word_no_phrasing_uses_is_left_out_of_the_word_block():
    """Its weight would be zero in the model anyway; kept, it would only shrink the known words."""
    from assistant.matcher import Idf

    idf = Idf.from_phrasings([{1, 2}, {1, 3}], power=0.5)
    assert set(idf.weigh({1: 1.0, 2: 1.0, 99: 1.0})) == {1, 2}


def test_with_idf_a_question_is_read_the_same_after_a_cache_round_trip():
    from assistant.matcher import Weights

    built = Index(INTENTS, None, Weights(idf=0.5))
    values, arrays = built.state()
    restored = Index.restore(values, arrays, None)
    for question in ["signature review how long", "is opt out supported", "sms package"]:
        assert restored.rank(question) == built.rank(question)


def test_a_word_one_intent_uses_and_the_other_not_tells_them_apart(index):
    from assistant.text import fold

    words, _ = index.analyse(fold("unsubscribe"))
    assert index.tells_apart(words, "opt-out", "package")
    assert not index.tells_apart(["weather"], "opt-out", "package")   # a word neither uses is no evidence


def test_the_word_lists_survive_a_cache_round_trip(index):
    values, arrays = index.state()
    restored = Index.restore(values, arrays, index.synonyms)
    assert restored.uses == index.uses


@pytest.mark.parametrize("question,parts", [
    ("signaturereview", ["signature", "review"]),
    ("optout", ["optout"]),                        # a known word stays whole
    ("laptopkeyboard", ["laptopkeyboard"]),        # unknown halves: no split (the spelling repair may still try)
])
def test_two_known_words_run_together_are_read_apart(index, question, parts):
    assert index._split_run_together(question) == (parts if len(parts) == 2 else [])


def test_a_question_with_words_run_together_finds_its_intent(index):
    assert index.rank("how long does signaturereview take")[0].key == "review-time"


@pytest.mark.parametrize("word,read", [
    ("howdo", ("how", "do")),                       # two short known words
    ("tochangethe", ("to", "change", "the")),       # three
    ("atemplate", ("a", "template")),               # "a" and "i" are words of one letter
    ("buton", ("button",)),                         # a split with a word of two letters gives way to a typo's fix
])
def test_the_shipped_index_reads_words_run_together_and_typos(router, word, read):
    assert router.index._repair(word) == read


@pytest.mark.parametrize("word,read", [
    ("enabel", ("enable",)),       # a typo keeps the word's first letter
    ("neable", ("enable",)),       # or swaps the first two
    ("state", ("state",)),         # a real word is no typo of one a letter longer at its start ("estate")
    ("preview", ("preview",)),     # nor of one it holds after a letter ("review")
])
def test_a_repair_keeps_the_first_letter_or_swaps_the_first_two(router, word, read):
    assert router.index._repair(word) == read
