import pytest

from assistant.text import Synonyms, clean, fold, plain, read_number, spaced, stem, tokens


def test_fold_turns_full_width_forms_and_case_into_plain_words():
    assert fold("ＨＯＷ Ｌｏｎｇ？") == "how long"


def test_fold_drops_punctuation_and_expands_contractions_typed_without_apostrophe():
    assert fold("Whats the status... dont know!") == "what is the status do not know"


def test_fold_reads_a_contraction_whose_letters_make_another_word_by_its_apostrophe():
    """"We're a company" states something; folded to "were a company" it read as a question."""
    assert fold("We're a bike-sharing company, we'll see") == "we are a bike sharing company we will see"
    assert fold("Were you told?") == "were you told"
    assert fold("我们We're好") == "我 们 we are 好"


def test_clean_removes_control_and_bidi_characters():
    assert clean("Acme\x1b[31mShop\u202e\x00 ") == "Acme [31mShop"


def test_synonyms_prefer_the_longest_phrase():
    table = Synonyms({"sign up": "enable", "sign": "signature"})
    assert table.apply(fold("how do I sign up")) == "how do i enable"
    assert table.apply(fold("how do I create a sign")) == "how do i create a signature"


def test_synonyms_match_whole_words_only():
    table = Synonyms({"td": "optout"})
    assert table.apply("td stop") == "optout stop"
    assert table.apply("tdx stop") == "tdx stop"


def test_a_chinese_canonical_word_reads_as_the_same_word_written_out():
    # "咋个解决" reads as "怎么解决" reads, a character a word ("怎么" whole was a word no phrasing has)
    table = Synonyms({"咋个": "怎么", "没得": "没有"})
    assert table.apply(fold("咋个解决")) == fold("怎么解决") == "怎 么 解 决"
    assert table.apply(fold("经理回复了没得")) == fold("经理回复了没有")


def test_what_a_synonym_made_is_read_again():
    # "啥子意思" is "什么意思", which is "mean"
    table = Synonyms({"啥子": "什么", "什么意思": "mean"})
    assert table.apply(fold("那是啥子意思")) == table.apply(fold("那是什么意思")) == "那 是 mean"


def test_stem_brings_inflections_together():
    assert stem("signatures") == stem("signature") == "signature"
    assert stem("messages") == stem("message") == "message"
    assert stem("statuses") == stem("status") == "status"
    assert stem("stopped") == stem("stop") == "stop"
    assert stem("sending") == stem("send") == "send"


def test_tokens_apply_correction_before_synonyms():
    table = Synonyms({"digital messages": "digitalmessage"})
    fixed = tokens("digital mesages", table, lambda words: ["messages" if w == "mesages" else w for w in words])
    assert fixed == ["digitalmessage"]


def test_plain_ascii_and_its_full_width_form_fold_alike():
    """ASCII text takes a shorter path (no NFKC, no CJK cutting); it must read as the rest does."""
    assert fold("What's DIGITAL_SMS_0001\x01 status?") == "what is digital sms 0001 status"
    assert fold("Ｗhat's ＤＩＧＩＴＡＬ＿ＳＭＳ＿０００１ status？") == fold("What's DIGITAL_SMS_0001 status?")
    assert fold("开通digital_sms吗") == "开 通 digital sms 吗"


def test_ascii_text_folds_to_the_words_the_full_normalisation_gives():
    """ASCII text takes a shorter road through `fold`; a non-ASCII mark (not a word character)
    sends the same text down the full one, and both must give the same words."""
    import random

    rng = random.Random(3)
    alphabet = "abcXYZ019 _'\t\n\x00\x1f\x7f-.,?!\"dontcantwhatsIM"
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24))) for _ in range(3000)]
    samples += ["don't", "Don'T stop", "whats_up", "'a'", "a''b", "_'_", "it's_me", "x_'y", "CAN'T_WON'T", ""]
    for text in samples:
        assert fold(text) == fold(text + " \u00b7"), repr(text)


def test_shorten_cuts_between_words_never_at_an_apostrophe():
    from assistant.text import shorten

    said = "it says 'I don't know' every time, get me a human please, right now"
    assert shorten(said, 200) == said
    cut = shorten(said, 24)
    assert len(cut) <= 24 and cut.endswith("…") and said.startswith(cut[:-1]) and said[len(cut) - 1] == " "
    assert shorten("x" * 50, 10) == "x" * 9 + "…"


def test_mentioned_finds_the_longest_name_a_text_names_as_whole_words():
    from assistant.text import mentioned

    names = ["Sale", "Winter sale 2026", "AcmeShop"]
    assert mentioned("send the winter sale 2026 one to 13800138000", names) == "Winter sale 2026"
    assert mentioned("has AcmeShop been approved?", names) == "AcmeShop"
    assert mentioned("is the wholesale price set", names) is None      # a name inside a word is no mention


def test_of_two_names_that_fold_alike_the_one_said_as_written_is_mentioned():
    from assistant.text import mentioned

    names = ["Delivery 🚚 notice", "Delivery notice"]         # an emoji is no word: both fold to "delivery notice"
    assert mentioned("send Delivery notice to 13800138030", names) == "Delivery notice"
    assert mentioned("send delivery 🚚 notice to 13800138030", names) == "Delivery 🚚 notice"
    assert mentioned("send delivery-notice to 13800138030", names) == "Delivery notice"   # neither: the plainer
    assert mentioned("send Delivery notice to 13800138030", list(reversed(names))) == "Delivery notice"


def test_clean_keeps_chinese_punctuation_that_plain_folds_for_the_router():
    typed = "您好${name}，欢迎（测试）！ＡＢＣ１２３"
    assert clean(typed) == "您好${name}，欢迎（测试）！ABC123"   # full-width letters and digits still fold
    assert plain(typed) == "您好${name},欢迎(测试)!ABC123"
    assert plain("签名审核要多久？") == "签名审核要多久?"


@pytest.mark.parametrize("typed,read", [
    ("whatdoesisv.OUT_OF_SERVICEmean", "whatdoes isv.OUT_OF_SERVICE mean"),
    ("isDIGITAL_SMS_0002approved by telecom", "is DIGITAL_SMS_0002 approved by telecom"),
    ("chk DM_100001status pls", "chk DM_100001 status pls"),
    ("send to13800138000", "send to 13800138000"),
])
def test_a_code_or_number_written_against_a_word_is_spaced_from_it(typed, read):
    assert spaced(typed) == read


@pytest.mark.parametrize("text", ["isv.MOBILE_NUMBER_ILLEGAL", "DIGITAL_SMS_0001的状态", "version 1.2", "AcmeShop2024"])
def test_codes_already_apart_and_other_words_are_left_as_they_are(text):
    assert spaced(text) == text


@pytest.mark.parametrize(("word", "number"), [
    ("3", 3), ("three", 3), ("twelve", 12), ("三", 3), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20),
    ("二十五", 25), ("百", None), ("十十", None), ("dozen", None)])
def test_a_number_written_as_a_word_is_read_with_the_words_of_the_rules(kb, word, number):
    assert read_number(word, kb.rules.number_words) == number
