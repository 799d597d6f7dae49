"""The answer's language: the documented share-of-CJK rule, a conversation's short answers, the setting."""

import pytest

from assistant import lang


@pytest.mark.parametrize("text,expected", [
    ("签名审核要多久", "zh"),
    ("DIGITAL_SMS_0001 审核通过了吗", "zh"),
    ("模板 template 的大小限制", "zh"),          # 6 ideographs of 14 letters
    ("how long does signature review take", "en"),
    ("how long does 签名 review take", "en"),     # 2 ideographs of 24 letters
    ("13800138000", "en"),                       # no letters: English
    ("", "en"),
])
def test_a_question_is_chinese_when_a_quarter_of_its_letters_are_ideographs(text, expected):
    assert lang.detect(text) == expected


def test_a_named_language_wins_over_the_questions_own():
    assert lang.choose("en", "签名审核要多久") == "en"
    assert lang.choose("zh", "how long") == "zh"
    assert lang.choose("auto", "签名审核要多久") == "zh"
    assert lang.choose(None, "how long") == "en"


@pytest.mark.parametrize("text", ["y", "ok", "2", "/help", "no", "AcmeShop", "banner.png", "DIGITAL_SMS_0001"])
def test_a_short_answer_one_word_or_a_slash_command_keeps_the_conversations_language(text):
    assert lang.follow("auto", text, "zh") == "zh"


def test_a_conversation_follows_the_customers_switch_of_language():
    assert lang.follow("auto", "签名审核要多久", "en") == "zh"
    assert lang.follow("auto", "how long does review take", "zh") == "en"
    assert lang.follow("en", "签名审核要多久", "en") == "en"


def test_the_setting_comes_from_the_option_else_the_environment(monkeypatch):
    monkeypatch.setenv("ASSISTANT_LANG", "zh")
    assert lang.setting(None) == "zh"
    assert lang.setting("EN") == "en"
    monkeypatch.setenv("ASSISTANT_LANG", "fr")
    with pytest.raises(ValueError, match="auto, en, zh"):
        lang.setting(None)


@pytest.mark.parametrize("text,expected", [
    ("怎么 create template", "zh"),               # 2 ideographs of 16 letters, asked in Chinese
    ("template 最多几个 frame", "zh"),
    ("SMS 套餐能抵扣 digital message", "zh"),
    ("how long does 签名 review take", "en"),     # a Chinese term in an English sentence
    ("what is 数字短信 exactly and how do i use it", "en"),
])
def test_a_question_asked_in_chinese_grammar_around_english_terms_is_chinese(text, expected):
    assert lang.detect(text) == expected


@pytest.mark.parametrize("text", ["发到了没", "经理回复了没有？", "收到了么", "经理回复了吗", "这是什么意思"])
def test_a_chinese_line_closing_on_a_question_particle_asks(text):
    assert lang.asks_in_chinese(text)


@pytest.mark.parametrize("text", ["张三", "李四先生", "A123", "没问题", "没有", "王先生", "did it arrive"])
def test_a_value_or_a_word_with_a_particle_inside_asks_nothing(text):
    assert not lang.asks_in_chinese(text)


@pytest.mark.parametrize("text,expected", [
    ("SignSource 取值", "zh"),                          # one term of 10 letters, 2 ideographs
    ("CreateDigitalSmsTemplate 参数", "zh"),
    ("QPS 上限", "zh"),
    ("API 文档 download", "zh"),                        # two terms, two ideographs
    ("refund policy for 退款", "en"),                   # three English words: an English phrase
    ("what is SignSource 取值", "en"),                 # an English sentence around them
])
def test_a_line_of_one_or_two_english_terms_and_as_many_ideographs_is_chinese(text, expected):
    assert lang.detect(text) == expected


def test_a_chinese_question_word_makes_a_line_mostly_of_a_code_chinese():
    assert lang.detect("isv.BUSINESS_LIMIT_CONTROL 这个报错啥意思") == "zh"
    assert lang.detect("isv.BUSINESS_LIMIT_CONTROL means what? 签名") == "en"


@pytest.mark.parametrize("text", [
    "send 温泉会员日 to 13800138000 with name=Tom and resort=Emei",   # 会 of 会员 is no modal verb here
    "send 温泉会员日特惠活动模板 to 13800138000",                       # however long the value
    "create a template called 会员日 with signature 阿克米",
    "check the status of signature 星辰娱乐",
    "create template “会员日特惠” please",                              # a quoted value
    "send DIGITAL_SMS_0001 to 13800138000 with name=张老师",
])
def test_an_english_sentence_naming_a_chinese_value_is_english(text):
    assert lang.detect(text) == "en"


@pytest.mark.parametrize("text", [
    "能不能 send a message to 13800138000",      # opens in Chinese
    "the template 会员日 was rejected, 为什么",   # a run of ideographs that asks
    "“会员日特惠”审核通过了吗",                  # the quoted value aside, a Chinese question
    "name填张老师",
])
def test_a_line_asking_in_chinese_beside_english_words_or_a_value_stays_chinese(text):
    assert lang.detect(text) == "zh"
