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


def _read(text, whole=False):
    from assistant import knowledge
    from assistant.numbers import read

    return read(text, knowledge.load().slot_types["phone"].patterns, whole)


def test_the_reader_reports_every_number_like_token_it_cannot_read_and_drops_none():
    reading = _read("please send the winter sale one to 138 0013 8000, 13312345678, 12345, 15600001111 "
                    "and +86 186-1234-5678, 1381234567")
    assert reading.phones == ["138 0013 8000", "13312345678", "15600001111", "+86 186-1234-5678"]
    assert reading.unread == ["12345", "1381234567"]
    notes = reading.notes()
    assert notes[0].startswith("12345: not a mobile number (5 digits") and notes[1].startswith("1381234567: not a mobile")


@pytest.mark.parametrize("text, typo", [("用会员生日模板发给13800138000，1330000000o", "1330000000o"),
                                        ("send it to 13800138000 and 1380013800O", "1380013800O"),
                                        ("给13800138000、1380013800l发", "1380013800l")])
def test_a_number_mistyped_with_a_letter_for_a_digit_is_named_not_dropped(text, typo):
    reading = _read(text)
    assert reading.phones == ["13800138000"] and reading.unread == [typo]
    assert reading.notes()[0].startswith(f"{typo}: not a mobile number")


@pytest.mark.parametrize("text", ["order 2345678901ol arrived", "tracking 1ooooooooool", "hello1234567890", "ticket_1234567890o",
                                  "DIGITAL_SMS_00010000ol"])
def test_words_with_digits_in_them_are_no_mistyped_numbers(text):
    assert _read(text).unread == []


@pytest.mark.parametrize("text", ["send DIGITAL_SMS_0001 on 2026-03-20 at 10:00", "send 3 messages, 100 in all",
                                  "request 7947EDCA-3DBC-421E-B2DF-72BA1A3C1B3D", "with name=12345678"])
def test_codes_dates_times_counts_and_values_are_not_taken_for_numbers(text):
    assert _read(text).unread == [] and _read(text).phones == []


def test_one_number_written_twice_in_two_formats_is_one_recipient_and_said_so():
    reading = _read("send it to 139-1234-5621 and 0086 13912345621")
    assert reading.phones == ["139-1234-5621"] and reading.written == ["139-1234-5621", "0086 13912345621"]
    assert reading.notes() == ["0086 13912345621: the same number as 139-1234-5621 (13912345621); "
                               "it is one recipient, sent once"]


def test_a_number_written_again_as_it_was_is_said_once_with_how_many_times():
    assert _read("send it to 13800138000 and 13800138000").notes() == [
        "13800138000: written twice; it is one recipient, sent once"]
    assert _read("send it to 13800138000, 13800138000, 13800138000 and 138 0013 8000").notes() == [
        "13800138000: written 3 times; it is one recipient, sent once",
        "138 0013 8000: the same number as 13800138000 (13800138000); it is one recipient, sent once"]


def test_at_a_numbers_prompt_every_leftover_word_is_unread_but_and():
    assert _read("13800138000 and 12345, abc", whole=True).unread == ["12345", "abc"]


def test_numbers_written_side_by_side_are_read_apart_not_joined_into_one():
    assert _read("send it to 1461234567890 00861380013800").unread == ["1461234567890", "00861380013800"]
    assert _read("send it to 138 0013 800").unread == ["138 0013 800"]   # one number's groups stay one token
    assert _read("send it to 12345 67890 12345 67890").unread == ["12345 67890 12345", "67890"]   # no digit lost


def test_a_number_that_is_none_written_against_chinese_text_is_reported_not_dropped():
    reading = _read("给13800138000、13912345678、1861234567发DIGITAL_SMS_0001")
    assert reading.phones == ["13800138000", "13912345678"] and reading.unread == ["1861234567"]
    assert _read("18612345678、1234567", whole=True).unread == ["1234567"]   # 、 separates, it is no part of a number


def test_a_short_token_written_in_a_list_of_numbers_is_named_not_dropped(kb):
    from assistant.router import phone_reading

    reading = phone_reading(kb, "send DIGITAL_SMS_0002 to 13700137000, 123 name=Li")
    assert (reading.phones, reading.unread) == (["13700137000"], ["123"])
    assert reading.notes()[0].startswith("123: not a mobile number (3 digits")


@pytest.mark.parametrize("text", ["send 100 messages to 13800138000", "use template 2 for 13800138000",
                                  "send DIGITAL_SMS_0001 to 13800138000 at 10:25"])
def test_a_short_number_said_in_the_sentence_is_no_recipient(kb, text):
    from assistant.router import phone_reading

    assert phone_reading(kb, text).unread == []


@pytest.mark.parametrize("raw", ["010-62345678", "(0755) 8888 6666", "021 1234 5678", "0571-8765432"])
def test_a_number_with_an_area_code_is_said_to_be_a_landline_without_contradicting_itself(kb, raw):
    from assistant.numbers import unread_note

    said = "a landline, not a mobile number: digital messages reach only mainland mobiles"
    assert lookup(raw, kb.rules).problem == f"'{raw}' is {said} (e.g. 13800138000)"
    assert unread_note(raw) == f"{raw}: {said} (e.g. 13800138000)"
    assert "11 digits" not in unread_note(raw)


@pytest.mark.parametrize("raw", ["0086 138 0013 8000", "12345", "0123"])
def test_an_international_prefix_or_a_short_number_is_no_landline(raw):
    from assistant.numbers import landline

    assert not landline(raw)


def test_a_landline_in_a_request_is_named_as_one(kb):
    reading = _read("send DIGITAL_SMS_0001 to 13800138000 and 010-62345678")
    assert reading.phones == ["13800138000"] and reading.unread == ["010-62345678"]
    assert reading.notes(kb.rules) == ["010-62345678: a landline, not a mobile number: digital messages reach only "
                                       "mainland mobiles (e.g. 13800138000)"]


@pytest.mark.parametrize("text", [
    "send DIGITAL_SMS_0001 to 138 0013 8000, 13800138000, 12345, 1, 010-62345678 and 19212345678",
    "给13800138000、+86 138-0013-8000、1861234567和(0755) 8888 6666发DIGITAL_SMS_0001",
    "send it to 10012345678 and 1461234567890 00861380013800, 0086 13912345621 and 139-1234-5621"])
def test_the_notes_as_catalogue_sentences_say_in_english_word_for_word_what_the_reader_notes(kb, text):
    from assistant.messages import said
    from assistant.router import phone_reading

    reading = phone_reading(kb, text)
    assert len(reading.notes(kb.rules)) >= 3
    assert [said(kb, note, "en") for note in reading.said(kb.rules)] == reading.notes(kb.rules)
    assert [said(kb, note, "en") for note in reading.said()] == reading.notes()


def test_the_notes_as_catalogue_sentences_are_said_in_chinese_and_a_rules_own_reason_in_its_chinese(kb):
    from assistant.messages import said
    from assistant.router import phone_reading

    reading = phone_reading(kb, "给13800138000、138 0013 8000、12345、010-62345678和19212345678发DIGITAL_SMS_0001")
    chinese = [said(kb, note, "zh") for note in reading.said(kb.rules)]
    assert chinese[:2] == ["12345：不是手机号码（5 位数字；中国内地手机号码为 11 位，例如 13800138000 或 +86 138 0013 8000）",
                           "010-62345678：是固定电话，不是手机号码：数字短信只能发往中国内地手机号码（例如 13800138000）"]
    assert chinese[-1] == "138 0013 8000：与 13800138000 是同一个号码（13800138000），只算一个接收方，只发送一次"
    broadnet = kb.rules.unsupported_said["192"]["zh"]       # rules.yaml's own words, in Chinese
    assert chinese[2] == f"19212345678：{broadnet}" and lookup("19212345678", kb.rules).problem not in chinese[2]


def test_one_number_written_in_different_ways_has_one_key():
    from assistant.numbers import key

    assert key("+86 138-0013-8000") == key("13800138000") == "13800138000"
    assert key("028-85551234") == key("02885551234") == key("+86 28 8555 1234") == key("0086 28 85551234")
    assert key("028-85551234") != key("028-85551235")


@pytest.mark.parametrize("text, word", [
    ("send DIGITAL_SMS_0001 to 13800138000, abc, 010-12345678, 10086, 13800138000", "abc"),
    ("send it to 13800138000,abc,13900139000", "abc"),
    ("send it to 13800138000, abc and 13900139000", "abc"),
    ("给13800138000、张三、13900139000发DIGITAL_SMS_0001", "张三"),
    ("用会员日模板发给 13800138000，abc，13900139000", "abc")])
def test_a_word_written_in_a_list_of_numbers_is_named_not_dropped(kb, text, word):
    from assistant.router import phone_reading

    reading = phone_reading(kb, text)
    assert word in reading.unread and word in reading.recipients
    assert f"{word}: not a number" in "\n".join(reading.notes(kb.rules))


@pytest.mark.parametrize("text", ["replace 13800138000 with 13900139000", "send it to 13800138000, thanks",
                                  "send it to 13800138000, 13900139000, thanks", "okay, 13800138000, then",
                                  "send it to 13800138000, and to 13900139000 also, please",
                                  "13800138000, name=Tom, 13900139000"])
def test_words_around_numbers_but_in_no_list_of_them_are_no_recipients(kb, text):
    from assistant.router import phone_reading

    assert [t for t in phone_reading(kb, text).unread if not any(ch.isdigit() for ch in t)] == []


def test_a_word_that_is_no_number_is_said_to_be_none_in_each_language(kb):
    from assistant.messages import said
    from assistant.numbers import unread_note

    reading = _read("13800138000, abc, 13900139000")
    assert reading.notes() == [unread_note("abc")]
    assert unread_note("abc").startswith("abc: not a number (no digits; a mainland mobile number has 11")
    assert said(kb, reading.said()[0], "en") == unread_note("abc")
    assert said(kb, reading.said()[0], "zh").startswith("abc：不是号码（")


# --- a stored detail said again in a reader's language (`detail_said`) --------------------------------
REFUSED = ["010-62345678", "12345", "1380013800a", "10012345678", "19212345678", "14612345678", "+86 192 1234 5678"]


@pytest.mark.parametrize("raw", REFUSED)
def test_a_detail_that_is_what_the_check_finds_wrong_is_the_catalogues_sentence_for_it(kb, raw):
    from assistant.messages import say
    from assistant.numbers import detail_said, problem_said

    detail = lookup(raw, kb.rules).problem
    said = detail_said(raw, detail, kb.rules)
    assert said is not None and said == problem_said(raw, kb.rules)
    assert say(kb, said[0], "en", **said[1]) == detail          # the catalogue's English is the check's own
    assert say(kb, said[0], "zh", **said[1]) != detail


@pytest.mark.parametrize(("raw", "detail"), [
    ("010-62345678", None),
    ("010-62345678", ""),
    ("010-62345678", "carrier said no"),                                          # a carrier's words
    ("010-62345678", "'010-62345678' 是固定电话，不是手机号码"),                        # already in another language
    ("010-62345678", "'010-62345679' is a landline, not a mobile number: digital messages reach only mainland "
                     "mobiles (e.g. 13800138000)"),                                 # another number's problem
    ("13800138000", "13800138000 is not in an assigned mainland mobile number segment"),  # a good number: not its problem now
    ("13800138000", None),
])
def test_any_other_detail_is_no_catalogue_sentence_and_is_said_as_it_is(kb, raw, detail):
    from assistant.numbers import detail_said

    assert detail_said(raw, detail, kb.rules) is None


def test_a_reason_rules_made_with_the_english_alone_give_has_no_catalogue_sentence(kb):
    from assistant.numbers import detail_said

    english_only = kb.rules._replace(unsupported_said={})
    detail = lookup("19212345678", english_only).problem
    assert detail and detail_said("19212345678", detail, english_only) is None
    assert detail_said("19212345678", detail, kb.rules) is not None
    assert detail_said("010-62345678", lookup("010-62345678", english_only).problem, english_only)[0] == "number.landline"


@pytest.mark.parametrize("raw", ["+852 9123 4567", "+85291234567", "0044 7700 900123"])
def test_a_number_of_another_country_is_said_to_be_outside_mainland_china_without_contradicting_itself(kb, raw):
    """"+852 9123 4567" has 11 digits: "not a mobile number (11 digits; a mainland mobile number has 11" said nothing."""
    from assistant.numbers import unread_note

    said = "a number outside mainland China (its country code is not +86)"
    assert lookup(raw, kb.rules).problem.startswith(f"'{raw}' is {said}")
    assert unread_note(raw).startswith(f"{raw}: {said}")
    assert "11 digits" not in unread_note(raw)
