"""Signatures: the service's format rules at once, then 7-10 business days of carrier review."""

import datetime as dt

import pytest

from assistant.actions import accounts, signatures
from assistant.actions.signatures import is_abbreviation
from assistant.errors import UserError

SUFFIXES = {"co", "ltd", "the", "company"}


@pytest.fixture
def enabled(ctx):
    accounts.enable(ctx)
    return ctx


@pytest.mark.parametrize("name,message", [
    ("Acme Tech", "has spaces"), ("A", "has 1 characters"), ("AcmeTechnologyShop1", "has 19 characters"),
    ("Acme-Tech", "contains '-'"), ("Acme😀", "contains"), ("12345678", "digits only"), ("test", "generic word"),
    ("TEST", "generic word"),
])
def test_format_rules_refuse_at_once(enabled, name, message):
    with pytest.raises(UserError, match=message):
        signatures.submit(enabled, name, "trademark")
    assert enabled.store.rows("SELECT * FROM signatures") == []


def test_submitting_needs_the_service_enabled(ctx):
    with pytest.raises(UserError, match="run `assistant enable` first"):
        signatures.submit(ctx, "AcmeShop", "trademark")


@pytest.mark.parametrize("name,registered,expected", [
    ("AcmeTech", "Acme Technology Co., Ltd.", True), ("ATC", "Acme Technology Co., Ltd.", True),
    ("Acme", "Acme Technology Co., Ltd.", True), ("Tech", "Acme Technology Co., Ltd.", False),
    ("Globex", "Acme Technology Co., Ltd.", False), ("AcmeShop", "AcmeShop", True),
    ("Shop", "AcmeShop", False), ("阿里", "阿里巴巴", True), ("Acme", "The Acme Company", True),
])
def test_full_names_and_abbreviations(name, registered, expected):
    assert is_abbreviation(name, registered, SUFFIXES) is expected


def test_each_carrier_decides_within_seven_to_ten_business_days(enabled):
    status = signatures.submit(enabled, "AcmeShop", "trademark")
    assert status["registration"] == "under_review" and not status["ready"]
    assert status["expected_from"] == "2026-03-11"                       # 7 business days after Monday 2 March
    assert "2026-03-11" <= status["expected_by"] <= "2026-03-16"          # at most 10
    assert all(c["registration"] == "registering" for c in status["carriers"].values())
    enabled.at(dt.datetime(2026, 3, 16, 18))
    done = signatures.status(enabled, "AcmeShop")[0]
    assert done["registration"] == "registered" and done["availability"] == "active" and done["ready"]


def test_the_decision_day_is_the_same_every_time(enabled, tmp_path, kb):
    first = signatures.submit(enabled, "AcmePay", "app")["carriers"]
    again = signatures.status(enabled, "AcmePay")[0]["carriers"]
    assert first == again


def test_a_name_not_in_the_profile_is_rejected_with_the_reason_and_fixed_by_resubmitting(enabled):
    signatures.submit(enabled, "Globex", "enterprise")
    with pytest.raises(UserError, match="still under review"):
        signatures.update(enabled, "Globex")
    enabled.at("2026-03-17T09:00")
    rejected = signatures.status(enabled, "Globex")[0]
    assert rejected["registration"] == "rejected" and rejected["availability"] == "inactive"
    assert "not the full or abbreviated name of a registered enterprise" in rejected["reason"]
    accounts.update_account(enabled, "demo", None, {"enterprise": ["Globex Trading Co., Ltd."]})
    resubmitted = signatures.update(enabled, "Globex")
    assert resubmitted["registration"] == "under_review" and resubmitted["submitted"] == "2026-03-17"
    enabled.at("2026-03-31T09:00")
    assert signatures.status(enabled, "Globex")[0]["ready"]


def test_a_rejection_the_profile_already_tells_is_said_when_the_signature_is_submitted(enabled):
    submitted = signatures.submit(enabled, "Globex", "enterprise")
    assert len(submitted["warnings"]) == 1 and submitted["warnings"][0].startswith(
        "Every carrier will reject it: 'Globex' is not the full or abbreviated name of a registered enterprise")
    assert signatures.submit(enabled, "AcmeShop", "trademark")["warnings"] == []


def test_a_source_with_no_registered_name_says_what_to_add(enabled):
    signatures.submit(enabled, "AcmeUni", "institution")
    enabled.at("2026-03-17T09:00")
    assert "has no registered institution name" in signatures.status(enabled, "AcmeUni")[0]["reason"]


def test_a_name_is_submitted_once(enabled):
    signatures.submit(enabled, "AcmeShop", "trademark")
    with pytest.raises(UserError, match="isv.ERROR_SIGN_NOT_MODIFY: signature .AcmeShop. was already submitted"):
        signatures.submit(enabled, "AcmeShop", "trademark")


def test_status_json_contract(enabled):
    status = signatures.submit(enabled, "AcmeShop", "trademark")
    assert {"name", "registration", "availability", "ready", "submitted", "expected_by", "reason", "carriers"} <= set(status)
    assert set(status["carriers"]) == {"china_mobile", "china_unicom", "china_telecom"}
    assert set(status["carriers"]["china_mobile"]) >= {"registration", "availability", "reason"}


@pytest.mark.parametrize("name,code", [
    ("Acme Tech", "isv.SIGN_NAME_ILLEGAL"), ("A", "isv.SIGN_NAME_ILLEGAL"), ("Acme-Tech", "isv.SIGN_NAME_ILLEGAL"),
    ("12345678", "isv.SIGN_NAME_ILLEGAL"), ("test", "isv.SIGN_NAME_ILLEGAL"), ("Acme😀", "isv.SMS_SIGN_EMOJI_ILLEGAL"),
])
def test_a_refused_name_carries_the_services_code_in_text_and_as_data(enabled, name, code):
    with pytest.raises(UserError) as caught:
        signatures.submit(enabled, name, "trademark")
    assert caught.value.code == code and str(caught.value).startswith(f"{code}: ")


def test_an_unknown_source_is_sign_source_illegal(enabled):
    with pytest.raises(UserError) as caught:
        signatures.submit(enabled, "AcmeShop", "website")
    assert caught.value.code == "isv.SIGN_SOURCE_ILLEGAL"


def test_submitting_before_enabling_is_product_un_subscript(ctx):
    with pytest.raises(UserError) as caught:
        signatures.submit(ctx, "AcmeShop", "trademark")
    assert caught.value.code == "isv.PRODUCT_UN_SUBSCRIPT"


def test_changing_a_signature_under_review_or_registered_is_error_sign_not_modify(enabled):
    signatures.submit(enabled, "AcmeShop", "trademark")
    with pytest.raises(UserError) as caught:
        signatures.update(enabled, "AcmeShop")
    assert caught.value.code == "isv.ERROR_SIGN_NOT_MODIFY" and "still under review" in str(caught.value)
    enabled.at("2026-03-17T10:00")
    with pytest.raises(UserError) as caught:
        signatures.update(enabled, "AcmeShop")
    assert caught.value.code == "isv.ERROR_SIGN_NOT_MODIFY" and "already registered" in str(caught.value)


def test_one_signature_past_the_limit_of_rules_yaml_is_sign_count_over_limit(enabled):
    limit = enabled.rules.signature["max_per_account"]
    for n in range(limit):
        enabled.store.insert("signatures", {"account": "demo", "name": f"Acme{n}", "source": "trademark",
                                            "submitted_at": enabled.now(), "round": 1})
    with pytest.raises(UserError) as caught:
        signatures.submit(enabled, "AcmeShop", "trademark")
    assert caught.value.code == "isv.SIGN_COUNT_OVER_LIMIT" and f"({limit})" in str(caught.value)
    assert len(enabled.store.rows("SELECT id FROM signatures")) == limit


def test_review_days_follow_the_official_calendar_across_spring_festival(enabled):
    enabled.at("2026-02-13T10:00")
    status = signatures.submit(enabled, "AcmeShop", "trademark")
    assert status["expected_from"] == "2026-03-02"  # the working Saturdays 14 and 28 February count


def test_a_carrier_that_does_not_take_a_source_fails_alone(enabled, kb, monkeypatch):
    own = kb.rules.carrier_rules["china_unicom"]
    monkeypatch.setitem(kb.rules.carrier_rules, "china_unicom", own._replace(signature_sources=("enterprise", "trademark")))
    signatures.submit(enabled, "AcmePay", "app")
    enabled.at("2026-03-17T10:00")
    status = signatures.status(enabled, "AcmePay")[0]
    assert status["ready_for"] == ["china_mobile", "china_telecom"]
    assert status["carriers"]["china_unicom"]["reason"].startswith(
        "China Unicom registers only signatures whose source is enterprise or trademark")


def test_the_hint_for_a_name_with_spaces_is_a_name_that_passes(ctx):
    from assistant.actions import accounts

    accounts.enable(ctx)
    with pytest.raises(UserError) as refused:
        signatures.submit(ctx, "Acme Shop!", "trademark")
    hint = str(refused.value).split("e.g. '")[1].split("'")[0]
    assert hint == "AcmeShop" and signatures.check_name(ctx, hint) == hint


def test_a_foreseen_rejection_is_recorded_in_english_and_said_in_chinese_from_the_catalogue(ctx):
    accounts.enable(ctx)
    reasons = signatures.foreseen_reasons(ctx, "Globex", "enterprise")
    assert set(reasons) == set(ctx.rules.carriers) and len({r.id for r in reasons.values()}) == 1
    reason = reasons["china_mobile"]
    english = ("'Globex' is not the full or abbreviated name of a registered enterprise (Acme Technology Co., Ltd.); "
               "update the real-name profile or choose a matching name, then resubmit")
    assert reason.said(ctx.kb) == english and signatures.foreseen(ctx, "Globex", "enterprise") == [
        f"Every carrier will reject it: {english}"]
    assert reason.said(ctx.kb, "zh") == ("“Globex”不是已登记企业（Acme Technology Co., Ltd.）的全称或简称；"
                                         "请更新实名资料或改用相符的名称，然后重新提交")
    status = signatures.submit(ctx, "Globex", "enterprise")
    assert status["warnings"] == [f"Every carrier will reject it: {english}"]


def test_every_fault_of_a_signature_name_is_named_at_once(ctx):
    with pytest.raises(UserError) as refused:
        signatures.check_name(ctx, "Acme Shop!")
    said = str(refused.value)
    assert refused.value.code == "isv.SIGN_NAME_ILLEGAL"
    assert said.startswith("isv.SIGN_NAME_ILLEGAL: signature 'Acme Shop!' has spaces and contains '!'; "
                           "write it without spaces, e.g. 'AcmeShop'")
    assert "use only Chinese characters, letters and digits" in said
    with pytest.raises(UserError) as refused:
        signatures.check_name(ctx, "Acme Technology Co., Ltd.")
    said = str(refused.value)
    assert "has spaces, has 25 characters and contains ',' '.'" in said and "e.g." not in said   # no hint that fails too


@pytest.mark.parametrize("name,chars", [("\x00ab", r"'\x00'"), ("\tAcme", r"'\t'"), ("Ac\x01me", r"'\x01'"),
                                        ("Acme\u200b", r"'\u200b'")])
def test_a_control_character_in_a_name_is_refused_as_such_and_never_stripped_silently(enabled, name, chars):
    from assistant.messages import said

    with pytest.raises(UserError) as refused:
        signatures.submit(enabled, name, "trademark")
    assert f"has control characters ({chars}); type it again without them" in str(refused.value)
    assert "spaces" not in str(refused.value)
    msg_id, fields = refused.value.said
    assert "含有控制字符" in said(enabled.kb, {"say": msg_id, "fields": fields}, "zh")
    assert enabled.store.rows("SELECT * FROM signatures") == []
