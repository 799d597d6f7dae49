"""The line reader: every line is text or a reason it cannot be read, and reading goes on."""

import io
import os
import threading
import time

import pytest

from assistant.lines import not_utf8, read_batches, read_groups, read_lines


def test_a_line_that_is_not_utf8_is_reported_and_the_next_is_read():
    stream = io.TextIOWrapper(io.BytesIO(b"first\ncaf\xe9\r\nlast"), encoding="utf-8")
    lines = list(read_lines(stream))
    assert lines[0] == "first" and isinstance(lines[1], ValueError) and lines[2] == "last"
    assert "byte 4" in str(lines[1])


def test_a_text_stream_with_surrogate_escapes_is_reported_per_line():
    lines = list(read_lines(io.StringIO("ok\nbad \udcff\n")))
    assert lines[0] == "ok" and isinstance(lines[1], ValueError)
    assert not_utf8("fine") is None


def _shown(lines):
    return [str(x) if isinstance(x, ValueError) else x for x in lines]


def test_the_lines_of_a_file_come_in_one_batch_read_as_read_lines_reads_them(tmp_path):
    path = tmp_path / "questions.txt"
    path.write_bytes(b"first\ncaf\xe9\r\n\nwith crlf\r\nlast")
    with open(path, encoding="utf-8", errors="surrogateescape") as stream:
        batches = list(read_batches(stream))
    with open(path, encoding="utf-8", errors="surrogateescape") as stream:
        expected = list(read_lines(stream))
    assert len(batches) <= 2 and len(batches[0]) >= 4  # the last line has no line end: it may come once EOF is seen
    lines = [line for batch in batches for line in batch]
    assert _shown(lines) == _shown(expected)
    assert lines[0] == "first" and lines[2] == "" and lines[3] == "with crlf" and lines[4] == "last"


def test_a_batch_holds_at_most_size_lines():
    batches = list(read_batches(io.StringIO("".join(f"q{n}\n" for n in range(7))), size=3))
    assert [len(b) for b in batches] == [3, 3, 1] and batches[2] == ["q6"]


def _typed(read, first: bytes, then: bytes) -> list:
    """What READ (`read_batches`, `read_groups`) gives from a pipe holding FIRST, where THEN is
    written only once READ has given its first item (a person typing, or a program waiting for
    each answer)."""
    read_end, write_end = os.pipe()
    got, given = [], threading.Event()
    with os.fdopen(read_end, encoding="utf-8") as stream:
        os.write(write_end, first)

        def finish():
            given.wait(timeout=10)
            os.write(write_end, then)
            os.close(write_end)
        writer = threading.Thread(target=finish)
        writer.start()
        for item in read(stream):
            got.append(item)
            given.set()  # only now does THEN exist
        writer.join()
    return got


def test_a_line_typed_into_a_pipe_is_given_before_the_next_arrives():
    """A person typing (or a program waiting for each answer) is answered line by line."""
    assert _typed(read_batches, b"first\n", b"second\n") == [["first"], ["second"]]


def test_a_line_longer_than_the_limit_is_refused_as_soon_as_it_is_read_past_it_and_its_rest_dropped():
    """Refused before its end has even been written: the reader never waits for (or keeps) a whole
    line of 50 MB; the next line is read as usual."""
    from assistant.lines import TooLong

    got = _typed(lambda stream: read_batches(stream, most=1000), b"what is td " * 5000, b"x" * 5000 + b"\nwhat is td\n")
    assert len(got) == 2 and len(got[0]) == 1 and isinstance(got[0][0], TooLong) and got[1] == ["what is td"]
    assert got[0][0].head == ("what is td " * 8)[:80] and "over 1,000 bytes" in str(got[0][0])


@pytest.mark.parametrize("codec", ["utf-8", "utf-16"])
def test_a_line_longer_than_the_limit_is_refused_in_a_file_in_memory_and_in_utf16_too(tmp_path, codec):
    from assistant.lines import TooLong

    data = ("short\n" + "签名" * 3000 + "\nlast\n").encode(codec)
    path = tmp_path / "questions.txt"
    path.write_bytes(data)
    with open(path, encoding="utf-8", errors="surrogateescape") as stream:
        lines = [line for batch in read_batches(stream, most=2000) for line in batch]
    assert lines[0] == "short" and isinstance(lines[1], TooLong) and lines[2:] == ["last"]
    lines = list(read_lines(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"), most=2000))
    assert lines[0] == "short" and isinstance(lines[1], TooLong) and lines[2:] == ["last"]
    assert list(read_lines(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")))[1] == "签名" * 3000   # no limit


def test_a_file_comes_in_one_group_of_the_batches_read_batches_gives(tmp_path):
    path = tmp_path / "questions.txt"
    path.write_bytes(b"".join(b"question number %d\n" % n for n in range(20_000)))  # several reads
    with open(path, encoding="utf-8") as stream:
        batches = list(read_batches(stream))
    with open(path, encoding="utf-8") as stream:
        groups = list(read_groups(stream))
    assert len(groups) == 1 and groups[0] == batches and len(batches) > 2


def test_a_group_holds_whole_batches_up_to_most_lines():
    groups = list(read_groups(io.StringIO("".join(f"q{n}\n" for n in range(7))), size=2, most=4))
    assert [[len(b) for b in g] for g in groups] == [[2, 2], [2, 1]]


def test_lines_typed_into_a_pipe_are_groups_of_their_own():
    assert _typed(read_groups, b"first\nsecond\n", b"third\n") == [[["first", "second"]], [["third"]]]


def test_a_long_group_from_a_pipe_waits_a_moment_for_the_rest_but_a_short_one_does_not():
    """A program writing a long input into a pipe gives it in pieces (the pipe holds 64 KiB): a
    group already long waits PATIENCE for more; lines typed now and then are never held back."""
    read_end, write_end = os.pipe()
    long_part = b"".join(b"question %d\n" % n for n in range(600))

    def write():
        os.write(write_end, b"hello\n")
        time.sleep(1.5)  # far longer than the patience: "hello" is a group of its own
        os.write(write_end, long_part)
        time.sleep(0.01)  # far shorter: the next piece joins the long group
        os.write(write_end, b"one more\n")
        time.sleep(1.5)
        os.write(write_end, b"late\n")
        os.close(write_end)
    writer = threading.Thread(target=write)
    writer.start()
    with os.fdopen(read_end, encoding="utf-8") as stream:
        groups = [[line for batch in group for line in batch] for group in read_groups(stream, patience=0.5)]
    writer.join()
    assert [len(g) for g in groups] == [1, 601, 1]
    assert groups[0] == ["hello"] and groups[1][-1] == "one more" and groups[2] == ["late"]


WIDE_TEXT = "how long review\n什么是数字短信\r\n\nwhat is td"
WIDE_LINES = ["how long review", "什么是数字短信", "", "what is td"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_utf16_or_utf32_input_is_read_as_the_text_it_is_with_no_stray_line(tmp_path, codec):
    """PowerShell pipes UTF-16 (`iconv -t UTF-16` too): split on a newline's byte, it was a line that
    was not UTF-8 and then a stray NUL line; told by its byte-order mark or its NULs, it is its text.
    UTF-8's own mark (Notepad's) is no part of the first line either."""
    data = (WIDE_TEXT + "\n").encode(codec)
    path = tmp_path / "questions.txt"
    path.write_bytes(data)
    assert list(read_lines(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))) == WIDE_LINES
    with open(path, encoding="utf-8", errors="surrogateescape") as stream:   # a real descriptor, as stdin
        assert [line for batch in read_batches(stream) for line in batch] == WIDE_LINES
    with open(path, encoding="utf-8", errors="surrogateescape") as stream:
        assert [line for group in read_groups(stream) for batch in group for line in batch] == WIDE_LINES


CHINESE_ONLY = ["签名审核要多久", "模板审核要多久？", "上传的视频最大多大", "什么是数字短信"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("end", ["\n", ""], ids=["newline", "no-newline"])
def test_utf16_without_a_mark_and_with_no_ascii_is_told_by_its_characters(tmp_path, codec, end):
    """Only Chinese text, so no NUL beside an ASCII character to tell it by (and none at all without a
    newline); not UTF-8, and read as UTF-16 of one byte order it is Chinese text, of the other no text."""
    # 上 (U+4E0A) holds a newline's byte; alone, without a newline, 上海 is also the UTF-8 text "\nNwm"
    for lines in (CHINESE_ONLY, CHINESE_ONLY[:1], ["上海", "要多久"]) + ((["上海"],) if end else ()):
        data = ("\n".join(lines) + end).encode(codec)
        path = tmp_path / "questions.txt"
        path.write_bytes(data)
        assert list(read_lines(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))) == lines, lines
        with open(path, encoding="utf-8", errors="surrogateescape") as stream:   # a real descriptor, as stdin
            assert [line for batch in read_batches(stream) for line in batch] == lines


@pytest.mark.parametrize("data", ["café au lait, please tell me about the template review\n".encode("latin-1"),
                                  "签名审核要多久\n模板审核要多久\n".encode("gbk"),
                                  "报价单\n".encode("gb18030"), b"\xff\xfe\xfd\n"[1:]])
def test_text_that_is_neither_utf8_nor_utf16_is_still_a_line_that_is_not_utf8(data):
    lines = list(read_lines(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")))
    assert lines and all(isinstance(line, ValueError) and "not valid UTF-8" in str(line) for line in lines), lines
