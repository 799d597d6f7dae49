from pathlib import Path

import pytest
import yaml

from assistant.actions.error_codes import lookup, raised_codes
from assistant.errors import UserError

DOCUMENTED = yaml.safe_load((Path(__file__).parent / "data" / "service_error_codes.yaml").read_text(encoding="utf-8"))
EVERY_DOCUMENTED_CODE = [code for kind in ("api", "gateway", "receipt") for code in DOCUMENTED[kind]]


def test_the_documented_list_is_the_whole_survey():
    assert len(DOCUMENTED["api"]) == 59 and len(set(EVERY_DOCUMENTED_CODE)) == len(EVERY_DOCUMENTED_CODE)


@pytest.mark.parametrize("code", EVERY_DOCUMENTED_CODE)
def test_every_documented_code_is_catalogued_and_found_exactly(kb, code):
    entry = kb.error_codes[code]
    assert entry.meaning and entry.fix
    found = lookup(kb, code)
    assert (found["matched"], found["code"], found["candidates"]) == ("exact", code, [])
    assert found["fix"] == entry.fix and found["handoff"] is entry.handoff


@pytest.mark.parametrize("query,code", [
    ("ISV.business_limit_control", "isv.BUSINESS_LIMIT_CONTROL"),
    ("BUSINESS_LIMIT_CONTROL", "isv.BUSINESS_LIMIT_CONTROL"),
    ('"isv.AMOUNT_NOT_ENOUGH".', "isv.AMOUNT_NOT_ENOUGH"),
    ("(isp.system_error),", "isp.SYSTEM_ERROR"),
    ("【isv.SIGN_NAME_ILLEGAL】", "isv.SIGN_NAME_ILLEGAL"),
    ("delivered", "DELIVERED"),
    ("DELIVRD", "DELIVERED"),              # the carriers' raw report behind the receipt
    ("ib:0008", "IB:0008"),
    ("invalidaccesskeyid.notfound", "InvalidAccessKeyId.NotFound"),
])
def test_case_prefix_and_surrounding_punctuation_are_forgiven(kb, query, code):
    found = lookup(kb, query)
    assert (found["matched"], found["code"]) == ("exact", code)


@pytest.mark.parametrize("query,first", [
    ("isv.BUSINES_LIMIT_CONTROLL", "isv.BUSINESS_LIMIT_CONTROL"),
    ("AMOUNT_NOT", "isv.AMOUNT_NOT_ENOUGH"),
    ("isv.MOBLE_NUMBER_ILEGAL", "isv.MOBILE_NUMBER_ILLEGAL"),
])
def test_a_misspelt_or_partial_code_is_never_the_answer_only_the_first_candidate(kb, query, first):
    found = lookup(kb, query)
    assert found["matched"] == "closest"
    assert found["code"] is found["meaning"] is found["fix"] is None
    assert found["candidates"][0]["code"] == first
    assert set(found["candidates"][0]) == {"code", "meaning", "score"}


@pytest.mark.parametrize("query", ["isv.BUSNESS_LIMIT", "isv.BUSINESS_LIMIT"])
def test_an_ambiguous_code_offers_every_near_code_best_first(kb, query):
    found = lookup(kb, query)
    assert found["matched"] == "closest" and found["code"] is None
    codes = [c["code"] for c in found["candidates"]]
    assert {"isv.BUSINESS_LIMIT_CONTROL", "isv.BUSINESS_LIMIT_HOUR", "isv.BUSINESS_LIMIT_DAY"} <= set(codes[:3])
    scores = [c["score"] for c in found["candidates"]]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    assert "isv.MOBILE_COUNT_OVER_LIMIT" not in codes


@pytest.mark.parametrize("query,code", [
    ("amount not enough", "isv.AMOUNT_NOT_ENOUGH"),
    ("a template variable was not given a value", "isv.TEMPLATE_MISSING_PARAMETERS"),
    ("too many numbers in one request", "isv.MOBILE_COUNT_OVER_LIMIT"),
    ("account frozen", "isv.SECURITY_FROZEN_ACCOUNT"),
    ("ip not allowed", "isv.DENY_IP_RANGE"),
    ("mobile terminal error", "MOBLLE_TERMINAL_ERROR"),
])
def test_a_description_finds_its_code_marked_as_found_by_description(kb, query, code):
    found = lookup(kb, query)
    assert (found["matched"], found["code"]) == ("description", code)
    assert found["fix"] == kb.error_codes[code].fix


@pytest.mark.parametrize("query,code", [
    ("余额不足", "isv.AMOUNT_NOT_ENOUGH"),
    ("余额不足是什么意思", "isv.AMOUNT_NOT_ENOUGH"),
    ("发送太频繁", "isv.BUSINESS_LIMIT_CONTROL"),
    ("号码格式错误", "isv.MOBILE_NUMBER_ILLEGAL"),
    ("账号被冻结了", "isv.SECURITY_FROZEN_ACCOUNT"),
    ("模板用了繁体字", "isv.UNSUPPORTED_CONTENT"),
    ("变量没有赋值", "isv.TEMPLATE_MISSING_PARAMETERS"),
])
def test_a_chinese_description_finds_its_code_by_its_chinese_meaning(kb, query, code):
    found = lookup(kb, query)
    assert (found["matched"], found["code"]) == ("description", code)


def test_chinese_words_no_code_means_are_not_answered(kb):
    with pytest.raises(UserError, match="no error code matches"):
        lookup(kb, "今天天气很好")


def test_every_code_of_the_catalogue_has_a_chinese_meaning(kb):
    missing = [c.code for c in kb.error_codes.values() if not c.meaning_zh]
    assert missing == []
    assert kb.error_codes["isv.AMOUNT_NOT_ENOUGH"].meaning_zh.startswith("余额不足")


def test_every_code_of_the_catalogue_has_a_chinese_fix(kb):
    missing = [c.code for c in kb.error_codes.values() if not c.fix_zh]
    assert missing == []
    assert kb.error_codes["isv.AMOUNT_NOT_ENOUGH"].fix_zh == "为账户充值。短信套餐不能用于数字短信。"


def test_a_chinese_fix_keeps_the_commands_and_codes_of_its_english_fix(kb):
    """A translation changes the words, never a command, a code, an API name or a figure."""
    import re

    kept = re.compile(r"`[^`]+`|[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z0-9]+)+|\b[A-Z][a-z]+[A-Z]\w+|\d+(?:[,.]\d+)*")
    changed = {c.code: sorted(set(kept.findall(c.fix)) - set(kept.findall(c.fix_zh)))
               for c in kb.error_codes.values()}
    assert {code: lost for code, lost in changed.items() if lost} == {}

@pytest.mark.parametrize("query", ["limit reached", "too many numbers", "template not approved"])
def test_a_description_several_codes_fit_is_not_answered_but_offered(kb, query):
    found = lookup(kb, query)
    assert found["matched"] == "closest" and found["code"] is None and len(found["candidates"]) > 1


def test_a_description_answers_only_when_each_of_its_words_fits_the_code(kb):
    # "not allowed" is in the meaning of isv.PARAM_NOT_SUPPORT_URL, but "ip" is not
    assert lookup(kb, "ip not allowed")["code"] == "isv.DENY_IP_RANGE"


@pytest.mark.parametrize("query,matched,code", [
    ("what does isv.AMOUNT_NOT_ENOUGH mean", "exact", "isv.AMOUNT_NOT_ENOUGH"),
    ("what is isv.BUSNESS_LIMIT", "closest", None),
])
def test_a_code_written_inside_a_sentence_is_read_as_a_code(kb, query, matched, code):
    found = lookup(kb, query)
    assert (found["matched"], found["code"]) == (matched, code)


def test_codes_far_below_the_best_candidate_are_not_offered(kb):
    assert [c["code"] for c in lookup(kb, "AMOUNT_NOT")["candidates"]] == ["isv.AMOUNT_NOT_ENOUGH"]


def test_a_fix_that_may_not_help_points_to_the_support_manager(kb):
    assert lookup(kb, "isp.SYSTEM_ERROR")["handoff"] is True
    assert lookup(kb, "isv.AMOUNT_NOT_ENOUGH")["handoff"] is False


def test_nothing_close_is_a_clear_error(kb):
    with pytest.raises(UserError, match="no error code matches 'qwertyuiop'"):
        lookup(kb, "qwertyuiop")


def test_raised_codes_are_read_from_the_actions_source():
    codes = raised_codes()
    # one from each place a code is produced: a send result, a send refusal, a signature and a template refusal
    assert {"isv.AMOUNT_NOT_ENOUGH", "isv.MOBILE_COUNT_OVER_LIMIT", "isv.SIGN_NAME_ILLEGAL",
            "isv.TEMPLATE_COUNT_OVER_LIMIT"} <= codes
    assert all(c.startswith(("isv.", "isp.")) for c in codes)


def test_every_code_the_actions_raise_is_catalogued(kb):
    assert raised_codes() <= set(kb.error_codes)
