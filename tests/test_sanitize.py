"""The one output sanitiser: controls, escapes and bidi marks shown, never obeyed."""

import json

import pytest

from assistant.render import to_json
from assistant.sanitize import one_line, safe


@pytest.mark.parametrize("raw,shown", [("a\x1b]0;X\x07b", "a\\x1b]0;X\\x07b"), ("\x9b2J", "\\x9b2J"),
                                       ("abc\u202edef", "abc\\u202edef"), ("caf\udce9", "caf\\udce9"),
                                       ("line\r\x00", "line\\x0d\\x00")])
def test_safe_shows_controls_as_escapes(raw, shown):
    assert safe(raw) == shown


def test_safe_keeps_line_breaks_and_one_line_shows_them():
    assert safe("a\nb\tc") == "a\nb\tc"
    assert one_line("a\nb\tc") == "a\\nb\\tc"
    assert one_line("上海 café") == "上海 café"


def test_json_is_valid_and_carries_no_raw_control_or_bidi_character():
    data = {"q": "x\u202ey\x9b\x1b\udcff"}
    text = to_json(data)
    assert all(ch not in text for ch in "\u202e\x9b\x1b\udcff")
    assert json.loads(text)["q"][:4] == "x\u202ey\x9b"
