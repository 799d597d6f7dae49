"""Plain-text tables fit the terminal: long cells wrap on words inside their column."""

import pytest

from assistant import render

ROWS = [("China Mobile", "approved", "-"),
        ("China Telecom", "rejected", "Live-streaming content needs the commitment letter: attach a clear image of "
                                      "the signed letter and submit the template again; the review then restarts "
                                      "and takes up to five business days")]


@pytest.mark.parametrize("width", [50, 120])
def test_a_table_with_a_long_cell_fits_the_width_and_keeps_every_word(width):
    text = render.table(ROWS, ("carrier", "review", "note"), width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert " ".join(text.split()).count("five business days") == 1
    assert text.splitlines()[1].startswith("-------------  --------  ---")


def test_without_a_width_a_table_keeps_one_line_per_row():
    assert len(render.table(ROWS, ("carrier", "review", "note")).splitlines()) == 4


def test_an_error_code_said_in_chinese_has_chinese_labels_around_it(kb):
    from assistant.actions import error_codes

    found = error_codes.lookup(kb, "余额不足")
    chinese = render.error_text(found, "zh", kb)
    assert chinese.startswith("按描述找到（“余额不足”）：\nisv.AMOUNT_NOT_ENOUGH: 余额不足")
    assert "\n解决方法：为数字短信套餐充值" in chinese and "Fix:" not in chinese
    assert "Fix: Top up" in render.error_text(found, "en", kb)
    assert "Fix: 为数字短信套餐充值" in render.error_text(found, "zh")   # no catalogue (the CLI): English labels


def test_codes_to_choose_from_are_explained_in_chinese_where_the_catalogue_has_it(kb):
    from assistant.actions import error_codes

    found = error_codes.lookup(kb, "isv.BUSNESS_LIMIT")
    assert found["matched"] == "closest"
    lines = render.error_text(found, "zh", kb).splitlines()
    assert lines[0] == "“isv.BUSNESS_LIMIT”不是服务的错误码。您是想找："
    first = kb.error_codes[found["candidates"][0]["code"]]
    assert lines[1] == f"  1. {first.code}: {first.meaning_zh}"
