"""Recipient files: the header found whatever its case and delimiter, refused when it cannot be."""

import os

import pytest

from assistant.errors import UserError
from assistant.recipients import parse, parse_file, read


@pytest.mark.parametrize("text", ["PHONE,Name\n13800138000,Tom\n", "phone;name\n13800138000;Tom\n",
                                  "Phone\tName\n13800138000\tTom\n", "Mobile|name\n13800138000|Tom\n",
                                  "name,phone\nTom,13800138000\n"])
def test_the_header_is_found_whatever_its_case_and_delimiter(text):
    assert parse(text) == [("13800138000", {"Name" if "Name" in text else "name": "Tom"})]


def test_common_parameters_apply_and_the_file_overrides_them():
    assert parse("phone,name\n13800138000,Tom\n13312345678,\n", {"name": "all", "shop": "A"}) == [
        ("13800138000", {"name": "Tom", "shop": "A"}), ("13312345678", {"name": "all", "shop": "A"})]


def test_a_plain_list_of_numbers_with_or_without_a_phone_header():
    assert [p for p, _ in parse("13800138000\n\n133 1234 5678\n")] == ["13800138000", "133 1234 5678"]
    assert [p for p, _ in parse("phone\n13800138000\n")] == ["13800138000"]


def test_a_file_without_a_phone_column_is_refused_naming_the_columns_it_saw():
    with pytest.raises(UserError, match="no phone column \\(seen columns: 'tel', 'nom'\\)"):
        parse("tel;nom\n13800138000;Tom\n")


def test_two_phone_columns_are_refused():
    with pytest.raises(UserError, match="2 phone columns \\('phone', 'Mobile'\\)"):
        parse("phone,Mobile\n13800138000,13312345678\n")


def test_a_row_with_more_fields_than_the_header_is_refused_with_its_line():
    with pytest.raises(UserError, match="line 3 has 3 fields but the header has 2"):
        parse("phone,name\n13800138000,Tom\n13312345678,Ann,extra\n")


def test_a_csv_without_a_header_line_is_refused():
    with pytest.raises(UserError, match="no header line"):
        parse("13800138000,Tom\n")


def test_a_first_line_that_is_neither_a_number_nor_a_header_is_refused():
    with pytest.raises(UserError, match="neither a mobile number nor a header"):
        parse("tel\n13800138000\n")


@pytest.mark.parametrize("text", ["", "\n \n", "phone,name\n"])
def test_a_file_with_no_recipients_is_refused(text):
    with pytest.raises(UserError, match="no recipients"):
        parse(text)


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "r.csv"
    os.mkfifo(fifo)
    with pytest.raises(UserError, match="not a regular file"):
        read(str(fifo))


def test_a_binary_file_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff")
    with pytest.raises(UserError, match="not UTF-8"):
        read(str(path))


def test_a_rows_own_value_beats_a_common_parameter_whatever_its_capitals():
    rows = parse("Phone;Name\n13800138000;Ann\n13312345678;\n", {"name": "X"})
    assert rows == [("13800138000", {"name": "Ann"}), ("13312345678", {"name": "X"})]


def test_blank_and_comment_rows_are_skipped_and_counted_never_recipients():
    found = parse_file("# exported from the shop\nphone,name,id\n13800138000,Tom,P1\n,,\n# a note\n  ,  ,\n"
                       "13312345678,Ann,P2\n")
    assert found.recipients == [("13800138000", {"name": "Tom", "id": "P1"}), ("13312345678", {"name": "Ann", "id": "P2"})]
    assert found.skipped == 4
    plain = parse_file("13800138000\n# the shop's staff\n\n13312345678\n")
    assert [p for p, _ in plain.recipients] == ["13800138000", "13312345678"] and plain.skipped == 1   # (an empty line is no row)


def test_a_row_whose_name_opens_with_a_hash_is_a_recipient_when_it_has_a_number():
    found = parse_file("name,phone\n#1 customer,13800138000\n")
    assert found.recipients == [("13800138000", {"name": "#1 customer"})] and found.skipped == 0


@pytest.mark.parametrize("text", ["# only a comment\n", "phone,name\n,,\n# nothing\n"])
def test_a_file_of_nothing_but_blank_and_comment_rows_has_no_recipients(text):
    with pytest.raises(UserError, match="no recipients"):
        parse(text)


def test_a_number_repeated_with_different_values_is_refused_naming_both_lines_and_the_values(kb):
    """Each number gets one message per send: a second row of it with other values would be dropped unseen."""
    from assistant.messages import say

    with pytest.raises(UserError) as refused:
        parse("phone,name,parcel\n13800138000,Tom,P1\n13800138001,Al,P7\n138 0013 8000,Tom,P2\n", source="list.csv")
    assert str(refused.value) == ("list.csv: lines 2 and 4 give 13800138000 different values (parcel: 'P1' / 'P2'); "
                                  "each number gets one message per send: keep one of the two rows (and send the "
                                  "other's values in a send of their own)")
    msg_id, fields = refused.value.said
    assert say(kb, msg_id, "en", **fields) == str(refused.value)
    assert say(kb, msg_id, "zh", **fields).startswith(
        "list.csv：第 2 行和第 4 行给号码 13800138000 的取值不同（parcel: 'P1' / 'P2'）")


def test_several_numbers_repeated_with_different_values_are_counted_and_an_empty_value_is_one():
    with pytest.raises(UserError, match=r"^f: lines 2 and 4 give 13800138000 different values \(name: 'Tom' / ''\), "
                                        r"and 1 more number likewise; each number gets one message per send: keep one row"):
        parse("phone,name\n13800138000,Tom\n13800138001,Al\n13800138000,\n+86 138 0013 8001,Bo\n", source="f")


def test_a_number_repeated_with_the_same_values_is_one_recipient_and_no_refusal():
    assert parse("phone,name\n13800138000,Tom\n13800138000,Tom\n13800138000,\n", {"name": "Tom"}) == [
        ("13800138000", {"name": "Tom"})] * 3


def test_a_number_given_and_in_the_file_with_different_values_is_refused_as_the_catalogue_says_it(kb):
    from assistant.messages import say
    from assistant.recipients import with_given

    found = parse("phone,name\n13800138000,Jo\n", {"name": "Al"})
    assert with_given([("13900139000", {"name": "Al"})], found) == [("13900139000", {"name": "Al"}), *found]
    with pytest.raises(UserError) as refused:
        with_given([("138 0013 8000", {"name": "Al"})], found)
    assert str(refused.value) == ("138 0013 8000 is given twice with different values (name: 'Al' / 'Jo'); each number "
                                  "gets one message per send: give it once, with the values it should get")
    assert say(kb, refused.value.said[0], "en", **refused.value.said[1]) == str(refused.value)


@pytest.mark.parametrize(("text", "source", "chinese"), [
    ("", None, "收件人文件 里没有接收方；请每行写一个手机号码，或使用带“phone”列的 CSV"),
    ("tel,nom\n1,2\n", "list.csv", "list.csv 没有号码列（已有的列：'tel', 'nom'）；请把手机号码那一列命名为“phone”"),
    ("phone,name\n13512345678,a,b\n", "list.csv",
     "list.csv：第 2 行有 3 个字段，但表头只有 2 列；请给含有“,”的值加上引号，或补上缺少的列名"),
    ("phone,name\n# only\n", None, "收件人文件 只有表头，没有接收方；请每个手机号码写一行"),
])
def test_a_file_refused_as_a_whole_is_said_in_chinese_and_its_english_is_the_catalogues(text, source, chinese):
    from assistant.knowledge import load, resolve_dir
    from assistant.messages import said

    kb = load(resolve_dir(None))
    with pytest.raises(UserError) as caught:
        parse(text, None, source)
    sentence = {"say": caught.value.said[0], "fields": caught.value.said[1]}
    assert said(kb, sentence, "en") == str(caught.value)
    assert said(kb, sentence, "zh") == chinese
