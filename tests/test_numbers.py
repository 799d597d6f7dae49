import pytest

from assistant.numbers import lookup, normalise


@pytest.mark.parametrize("raw", ["13800138000", "+86 138 0013 8000", "+86-138-0013-8000", "0086 13800138000",
                                 "8613800138000", "138 0013 8000", "(138) 0013-8000"])
def test_common_ways_of_writing_a_number_normalise_to_eleven_digits(raw):
    assert normalise(raw) == "13800138000"


@pytest.mark.parametrize("raw", ["12345", "23800138000", "1380013800", "138001380001", "abc", "", "+1 415 555 0100"])
def test_malformed_numbers_do_not_normalise(raw):
    assert normalise(raw) is None


@pytest.mark.parametrize("phone,carrier", [
    ("13800138000", "china_mobile"), ("13412345678", "china_mobile"), ("13491234567", "china_telecom"),
    ("18612345678", "china_unicom"), ("13312345678", "china_telecom"), ("17401234567", "china_telecom"),
    ("17031234567", "china_mobile"), ("17041234567", "china_unicom"), ("17001234567", "china_telecom"),
    ("19712345678", "china_mobile"), ("19612345678", "china_unicom"), ("19012345678", "china_telecom"),
    ("14712345678", "china_mobile"), ("16512345678", "china_mobile"), ("16212345678", "china_telecom"),
])
def test_the_longest_matching_segment_names_the_carrier(kb, phone, carrier):
    assert lookup(phone, kb.rules).carrier == carrier


@pytest.mark.parametrize("phone,words", [
    ("19212345678", "China Broadnet"), ("1440123456789", "IoT"), ("14612345678", "IoT"),
    ("17491234567", "satellite"), ("14212345678", "not in an assigned"), ("555", "not an 11-digit"),
])
def test_numbers_digital_messages_do_not_reach_say_why(kb, phone, words):
    number = lookup(phone, kb.rules)
    assert number.carrier is None and words in number.problem
