"""What the conversation says about numbers and empty lists, in its language (assistant/chat/notes.py)."""

import pytest

from assistant import render
from assistant.chat import notes
from assistant.context import Context
from assistant.conversation import Conversation
from assistant.messages import said
from assistant.numbers import Reading, Repeat, lookup, unread_note

PROBLEMS = ["010-62345678", "12345", "1380013800a", "10012345678", "+852 9123 4567"]
UNREAD = ["010-62345678", "12345", "1", "+852 9123 4567"]


@pytest.fixture
def talk(ctx: Context, router):
    def conversation(lang: str) -> Conversation:
        return Conversation(ctx, router, lang=lang)
    return conversation


@pytest.mark.parametrize("raw", PROBLEMS)
def test_the_catalogues_english_of_a_numbers_problem_is_what_the_check_says(talk, raw, ctx):
    english = lookup(raw, ctx.rules).problem
    assert english and notes.problem(talk("en"), raw, english) == english
    assert notes.named_problem(talk("en"), raw) == lookup(raw, ctx.rules).named_problem()


@pytest.mark.parametrize("token", UNREAD)
def test_the_catalogues_english_of_an_unread_number_is_the_routers_note(kb, token):
    assert said(kb, Reading([], [token], [], []).said()[0], "en") == unread_note(token)


def test_a_numbers_problem_is_said_in_chinese_in_a_chinese_conversation(talk, ctx, kb):
    zh = talk("zh")
    assert notes.problem(zh, "010-62345678", lookup("010-62345678", ctx.rules).problem) == \
        "'010-62345678' 是固定电话，不是手机号码：数字短信只能发往中国内地手机号码（例如 13800138000）"
    assert said(kb, Reading([], ["12345"], [], []).said()[0], "zh").startswith("12345：不是手机号码（5 位数字；")
    repeat = Repeat("138 0013 8000", "13800138000", "13800138000")
    assert said(kb, repeat.said(), "en") == repeat.note()
    assert said(kb, repeat.said(), "zh") == \
        "138 0013 8000：与 13800138000 是同一个号码（13800138000），只算一个接收方，只发送一次"


def test_a_rules_own_reason_is_said_in_the_language_rules_yaml_gives_it_in(talk, ctx, kb):
    """An unsupported segment's reason is rules.yaml's own words, which it gives in every language:
    the English is the account model's, the conversation says its own language's."""
    broadnet = lookup("19212345678", ctx.rules).problem       # rules.yaml's own words
    chinese = "数字短信无法送达中国广电号码（只支持中国移动、中国联通和中国电信）"
    assert notes.problem(talk("en"), "19212345678", broadnet) == broadnet
    assert notes.problem(talk("zh"), "19212345678", broadnet) == chinese
    assert notes.named_problem(talk("zh"), "14612345678") == "14612345678：146 号段是 13 位物联网号码，不是手机号码"
    reading = Reading(["19212345678"], [], [], [])
    assert said(kb, reading.said(ctx.rules)[0], "en") == reading.notes(ctx.rules)[0]
    assert said(kb, reading.said(ctx.rules)[0], "zh") == f"19212345678：{chinese}"


def test_a_reason_rules_made_with_the_english_alone_give_is_said_as_it_is(ctx):
    from assistant.numbers import problem_said

    rules = ctx.rules._replace(unsupported_said={})
    assert problem_said("19212345678", rules) is None and problem_said("19212345678", ctx.rules)[0] == "number.unsupported"
    assert problem_said("010-62345678", rules) == ("number.landline", {"number": "010-62345678"})


@pytest.mark.parametrize("raw", ["010-62345678", "10012345678", "19212345678", "14612345678"])
@pytest.mark.parametrize("english_only", [False, True])
def test_the_conversation_the_routers_notes_and_ask_say_a_numbers_refusal_alike(talk, ctx, kb, raw, english_only):
    """One test decides whether a stored detail is the number's problem (`numbers.detail_said`): the
    conversation (`notes`), the router's notes (`symptoms`) and `ask`'s answer about a send
    (`render.failure_said`) say the same sentence in Chinese, or all keep the English."""
    from assistant import symptoms

    rules = ctx.rules._replace(unsupported_said={}) if english_only else ctx.rules
    ctx.kb = kb = kb._replace(rules=rules)
    conv = talk("zh")
    detail = lookup(raw, rules).problem
    chinese = notes.problem(conv, raw, detail)
    assert render.failure_said(kb, "zh", raw, None, detail) == chinese
    english = english_only and raw.startswith(("192", "146"))       # a reason rules.yaml gives in English alone
    assert (chinese == detail) is english
    finding = next(f for f in symptoms.findings(f"can I send to {raw}?", rules, kb.routing.checks, asks=True) if f.value == raw)
    note = said(kb, {"say": finding.note, "fields": dict(finding.fields)}, "zh") if finding.note in kb.messages else finding.note
    # the same reason; where it stays English the conversation names the number with its own colon ("146...：")
    assert chinese in note and (note == notes.named_problem(conv, raw) or english)
    assert (note == lookup(raw, rules).named_problem()) is english
    assert notes.problem(conv, raw, detail + ".") == render.failure_said(kb, "zh", raw, None, detail + ".") == detail + "."


def test_a_chinese_send_requests_notes_and_its_previews_repeat_are_said_in_chinese(live, router):
    conv = Conversation(live, router, lang="zh")
    said_ = "\n".join(line.text for line in conv.handle("给13800138000、138 0013 8000和12345发DIGITAL_SMS_0001，name=张三"))
    assert "与 13800138000 是同一个号码" in said_ and "the same number" not in said_ and "not a mobile" not in said_, said_


@pytest.mark.parametrize("lang, template, day, said", [
    ("en", None, None, "No sends yet."), ("en", "DIGITAL_SMS_0001", "yesterday", "No sends of DIGITAL_SMS_0001 made yesterday."),
    ("en", None, "last monday", "No sends on last monday."), ("zh", None, None, "还没有发送记录。"),
    ("zh", "DIGITAL_SMS_0001", "yesterday", "昨天没有模板 DIGITAL_SMS_0001 的发送记录。"),
    ("zh", None, "上周一", "上周一没有发送记录。")])
def test_no_sends_is_said_in_the_conversations_language(talk, lang, template, day, said):
    assert notes.no_sends(talk(lang), template, day) == said
    if lang == "en":                                  # the CLI's words, the same
        assert render.send_list_text([], template, day) == said
