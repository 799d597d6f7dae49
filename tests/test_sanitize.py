"""The one output sanitiser: controls, escapes and bidi marks shown, never obeyed."""

import json

import pytest

from assistant.render import to_json
from assistant.sanitize import markdown_text, one_line, safe


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


@pytest.mark.parametrize("raw,shown", [
    ("DIGITAL_SMS_0001 china_telecom", "DIGITAL_SMS_0001 china_telecom"),     # inside a word: no emphasis
    ("__x__ *y* `z` ~~w~~", r"\_\_x\_\_ \*y\* \`z\` \~\~w\~\~"),
    ("[AcmeShop]Hi Bo", "[AcmeShop]Hi Bo"),                                     # a bracket alone is text
    ("![i](https://e.example/x.png) [a][b]", r"![i\](https://e.example/x.png) [a\][b]"),
    ("<b>&amp;</b> a|b", r"\<b>\&amp;\</b> a\|b"),                                # a tag and an entity
    ("nobody -> lin, R&D", "nobody -> lin, R&D"),                               # no tag, no entity: as typed
    ("a\nb", r"a\\nb"),                                                          # one_line's escape shown as typed
])
def test_markdown_text_shows_markup_as_itself(raw, shown):
    assert markdown_text(raw) == shown


@pytest.mark.parametrize("raw,shown", [("# h", r"\# h"), ("  - item", r"  \- item"), ("12. item", r"12\. item"),
                                       ("[x]: https://e.example", r"\[x]: https://e.example"), ("=====", r"\====="),
                                       ("plain - text", "plain - text"), ("> quoted", r"\> quoted")])
def test_markdown_text_at_a_lines_start_starts_no_block(raw, shown):
    assert markdown_text(raw, line_start=True) == shown
