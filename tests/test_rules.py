"""rules.yaml: per-carrier rules as data, checked when read."""

import copy
from pathlib import Path

import pytest
import yaml

from assistant import knowledge
from assistant.rules import RulesError, parse

SHIPPED = yaml.safe_load((Path(knowledge.shipped_dir()) / "rules.yaml").read_text(encoding="utf-8"))


def _parse_with(edit) -> object:
    data = copy.deepcopy(SHIPPED)
    edit(data)
    return parse(data)


def test_each_carrier_has_its_own_review_windows_and_industry_rules(kb):
    rules = kb.rules.carrier_rules
    assert set(rules) == set(kb.rules.carriers)
    assert all(r.signature_review_business_days == (7, 10) for r in rules.values())   # the FAQ's 7-10
    assert rules["china_telecom"].industries["live streaming"].requires_letter
    assert "live streaming" not in rules["china_mobile"].industries
    assert rules["china_unicom"].industries["finance"].rejects and not rules["china_mobile"].industries["finance"].rejects


def test_a_changed_figure_is_read_from_the_yaml():
    rules = _parse_with(lambda d: d["carrier_rules"]["china_unicom"].update(template_review_business_days=9))
    assert rules.carrier_rules["china_unicom"].template_review_business_days == 9


@pytest.mark.parametrize("edit,message", [
    (lambda d: d["carrier_rules"].pop("china_telecom"), "one entry per carrier"),
    (lambda d: d["carrier_rules"]["china_mobile"].update(signature_review_business_days=[10, 7]), "fewest, most"),
    (lambda d: d["carrier_rules"]["china_mobile"].update(template_review_business_days="soon"), "whole number"),
    (lambda d: d["carrier_rules"]["china_mobile"]["industries"].update(astrology={"rejects": "no"}), "unknown industry"),
    (lambda d: d["carrier_rules"]["china_mobile"]["industries"]["e-commerce"].pop("reason"), "no reason"),
    (lambda d: d["sending"].update(shown_as="[{sign}]{text}"), "shown_as"),
    (lambda d: d["calendar"].update(workdays=[d["calendar"]["holidays"][0]]), "both as a holiday and as a working day"),
    (lambda d: d["traditional_characters"].update({"體": "体体"}), "two different single characters"),
    (lambda d: d["traditional_characters"].update({"体": "体"}), "two different single characters"),
    (lambda d: d["template"].update(emoji=["1FAFF-1F000"]), "lower code point"),
    (lambda d: d["template"].update(emoji=["smileys"]), "hexadecimal"),
    (lambda d: d["day_words"]["weekdays"].pop("sunday"), "one list of words for each of: monday, tuesday"),
    (lambda d: d["number_words"].update(dozen="12"), "number_words must map words to whole numbers"),
    (lambda d: d["day_words"]["days_back"].update(tomorrow=-1), "day_words days_back must map words to whole numbers"),
])
def test_a_wrong_carrier_rule_is_reported(edit, message):
    with pytest.raises(RulesError, match=message):
        _parse_with(edit)


def test_an_unknown_signature_source_of_a_carrier_is_reported():
    with pytest.raises(RulesError, match="unknown signature source 'website'"):
        _parse_with(lambda d: d["carrier_rules"]["china_mobile"].update(signature_sources=["website"]))


def test_the_traditional_table_never_refuses_a_character_simplified_text_uses(kb):
    """GB 2312 is the simplified character set: no key of the table may be in it (惠 of 优惠 once was),
    and every simplified form given as the fix must be."""
    table = kb.rules.template["traditional_characters"]
    assert len(table) > 1000 and table["體"] == "体" and table["壽"] == "寿"   # the specification's examples
    in_gb2312 = [ch for ch in table if _encodes(ch, "gb2312")]
    assert in_gb2312 == []
    assert [s for s in table.values() if not _encodes(s, "gb2312")] == []


def _encodes(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def test_the_words_of_days_are_read_in_the_form_they_are_compared_in(kb):
    words = _parse_with(lambda d: d["day_words"]["last_week"].append("The  Previous")).day_words
    assert "the previous" in words.last_week and words.weekdays["monday"] == 0 and words.weekdays["周日"] == 6
    assert words.ago[0] == max(words.ago, key=len)       # the longest first: "days ago" before "day ago"


def test_each_carrier_rules_reason_is_given_in_english_and_chinese_and_said_in_the_language_asked(kb):
    """A template's rejection the account model writes from rules.yaml (an industry refused, a letter wanted,
    banned words, the live-streaming rule) is recorded in English and said in a Chinese conversation in
    Chinese: each reason of the shipped rules has both."""
    reasons = [text for own in kb.rules.carrier_rules.values() for rule in own.industries.values()
               for text in (rule.rejects, rule.requires_letter, rule.reason) if text]
    reasons += [content.reason for own in kb.rules.carrier_rules.values() for content in own.content]
    assert len(reasons) >= 10
    for reason in reasons:
        zh = kb.rules.reason_said(reason, "zh")
        assert zh != reason and not zh.isascii(), reason
        assert kb.rules.reason_said(reason, "en") == reason
    assert kb.rules.reason_said("China Telecom does not accept medicine digital messages", "zh") == "中国电信不接受医药类数字短信"
    typed = "wording not allowed, per the carrier's call"     # a person's own words stay as typed
    assert kb.rules.reason_said(typed, "zh") == typed


def test_a_carrier_rules_reason_written_plainly_is_its_english_alone_and_one_without_english_is_refused():
    plain = _parse_with(lambda d: d["carrier_rules"]["china_unicom"]["industries"].update(
        finance={"rejects": "China Unicom does not accept finance"}))
    assert plain.carrier_rules["china_unicom"].industries["finance"].rejects == "China Unicom does not accept finance"
    assert plain.reason_said("China Unicom does not accept finance", "zh") == "China Unicom does not accept finance"
    with pytest.raises(RulesError, match="finance' rejects needs its reason in English"):
        _parse_with(lambda d: d["carrier_rules"]["china_unicom"]["industries"].update(finance={"rejects": {"zh": "不接受"}}))
