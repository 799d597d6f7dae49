"""The line reader: every line is text or a reason it cannot be read, and reading goes on."""

import io

from assistant.lines import not_utf8, read_lines


def test_a_line_that_is_not_utf8_is_reported_and_the_next_is_read():
    stream = io.TextIOWrapper(io.BytesIO(b"first\ncaf\xe9\r\nlast"), encoding="utf-8")
    lines = list(read_lines(stream))
    assert lines[0] == "first" and isinstance(lines[1], ValueError) and lines[2] == "last"
    assert "byte 4" in str(lines[1])


def test_a_text_stream_with_surrogate_escapes_is_reported_per_line():
    lines = list(read_lines(io.StringIO("ok\nbad \udcff\n")))
    assert lines[0] == "ok" and isinstance(lines[1], ValueError)
    assert not_utf8("fine") is None
