"""Reading lines from a stream that may carry anything: each line comes back as text, or as a
ValueError saying why it cannot be read, and the reading goes on with the next line.

Used by `ask` on standard input and by the REPL when standard input is not a terminal, so that
one line of Latin-1 in a batch neither ends the batch nor the session.

Text in UTF-16 or UTF-32 (what Windows' PowerShell pipes, or `iconv -t UTF-16`) is told by its
byte-order mark, or by the NUL byte beside every ASCII character of its start, and read as the
text it is: split on the byte of a newline, its lines came back as a line that was not UTF-8 and a
stray "\x00" after each. UTF-16 with neither (only Chinese text) is told by its characters
(`_wide_without_ascii`), from what has arrived of the input, not from its first line.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterable, Iterator
from typing import IO

# UTF-32's marks first: UTF-32-LE's starts with UTF-16-LE's
_MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
          (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def wide(head: bytes) -> str | None:
    """The codec of input that starts with HEAD when it is UTF-16 or UTF-32 (by its byte-order mark,
    or by NUL bytes on one side of its pairs of bytes: ASCII's high byte), else None."""
    for mark, codec in _MARKS:
        if head.startswith(mark):
            return codec
    sample = head[:64]
    pairs = len(sample) // 2
    low, high = sample[1:2 * pairs:2].count(0), sample[0:2 * pairs:2].count(0)   # UTF-8 text holds no NUL
    if pairs and max(low, high) * 4 >= pairs and low != high:
        # a Chinese character's own NUL (一 is U+4E00, 退 U+9000) may outnumber a short line's ASCII
        # ones: the order whose reading is more of it text wins (ASCII is text in its own order only)
        codec, other = ("utf-16-le", "utf-16-be") if low > high else ("utf-16-be", "utf-16-le")
        shares = _shares(head[:WIDE_SAMPLE])
        return other if shares[other] > shares[codec] else codec
    return _wide_without_ascii(head[:WIDE_SAMPLE])


# How much of the input's start tells its encoding, and how much of it must be read as text: UTF-16
# without a mark or an ASCII character (only Chinese) has no NUL byte to be told by.
WIDE_SAMPLE = 512
WIDE_TEXT_SHARE = 0.9     # of its characters Chinese text, read in one byte order ...
WIDE_OTHER_SHARE = 0.5    # ... and at most this share, read in the other
# Chinese text's characters: CJK ideographs, CJK and full-width punctuation, the punctuation Chinese
# text borrows (“” ‘’ … — –), and ASCII (a NUL byte beside it, which no other 8-bit text holds)
_TEXT_RANGES = ((0x09, 0x0D), (0x20, 0x7E), (0x3000, 0x303F), (0x4E00, 0x9FFF), (0xFF00, 0xFFEF))
_TEXT_MARKS = frozenset("\u00b7\u2013\u2014\u2018\u2019\u201c\u201d\u2026")


def _textual(ch: str) -> bool:
    code = ord(ch)
    return ch in _TEXT_MARKS or any(low <= code <= high for low, high in _TEXT_RANGES)


def _shares(sample: bytes) -> dict[str, float]:
    """For each byte order, the share of SAMPLE's characters read as UTF-16 that are Chinese text
    (0 when it holds a lone surrogate, or fewer than two characters)."""
    shares = {}
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = codecs.getincrementaldecoder(codec)().decode(sample[:len(sample) // 2 * 2], final=False)
        except UnicodeDecodeError:   # a lone surrogate: not this order
            text = ""
        shares[codec] = sum(map(_textual, text)) / len(text) if len(text) >= 2 else 0.0
    return shares


def _wide_without_ascii(sample: bytes) -> str | None:
    """UTF-16 of either byte order that SAMPLE (the input's start) is when it is no UTF-8 and, read in
    that order, at least WIDE_TEXT_SHARE of its characters (two at least) are Chinese text, and in
    the other order at most WIDE_OTHER_SHARE: the other order of Chinese text is mostly other
    scripts. GBK read as UTF-16 is Hangul, Yi, surrogates or private use in either order; Latin-1
    (8-bit text with letters in pairs) is CJK ideographs in both orders or neither."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return None     # UTF-8 (its last character maybe cut off)
    except UnicodeDecodeError:
        pass
    shares = _shares(sample)
    best, other = sorted(shares, key=shares.get, reverse=True)
    return best if shares[best] >= WIDE_TEXT_SHARE and shares[other] <= WIDE_OTHER_SHARE else None


def _wide_lines(chunks: Iterable[bytes], codec: str, most: int | None = None) -> Iterator[list[str | ValueError]]:
    """The complete lines of each chunk of CHUNKS (input in CODEC), the last line when the input ends;
    one longer than MOST (see `TooLong`) as soon as it is, its rest dropped as it comes."""
    decoder = codecs.getincrementaldecoder(codec)("replace")
    pending, skipping = "", False
    for chunk in chunks:
        text = decoder.decode(chunk)
        if skipping:
            if (end := text.find("\n")) < 0:
                continue
            text, skipping = text[end + 1:], False
        *complete, pending = (pending + text).split("\n")
        lines = [_kept(line.rstrip("\r"), most) for line in complete]
        if most is not None and len(pending) > most:
            lines.append(TooLong(pending, most))
            pending, skipping = "", True
        yield [line if isinstance(line, ValueError) else not_utf8(line) or line for line in lines]
    pending += decoder.decode(b"", final=True)
    if pending and not skipping:
        yield [_kept(pending.rstrip("\r"), most)]


class TooLong(ValueError):
    """A line longer than MOST bytes (a reader's limit), refused as soon as it was read past it and
    never kept whole: its rest is read and dropped. HEAD: its first 80 characters."""

    def __init__(self, head: bytes | str, most: int):
        text = head if isinstance(head, str) else head[:320].decode("utf-8", "replace")
        self.head, self.most = text[:80], most
        super().__init__(f"line too long (over {most:,} bytes)")


def _kept(line: str | bytes, most: int | None) -> str | bytes | TooLong:
    """LINE, or a TooLong when it is longer than MOST bytes (a str: characters, each at least one byte)."""
    return TooLong(line, most) if most is not None and len(line) > most else line


def not_utf8(text: str) -> ValueError | None:
    """A ValueError when TEXT carries undecodable bytes (surrogate-escaped), else None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return ValueError(f"line is not valid UTF-8 (character {exc.start + 1}); send UTF-8 text")
    return None


def read_lines(stream: IO, most: int | None = None) -> Iterator[str | ValueError]:
    """Lines of STREAM without their line ends, one at a time; undecodable ones come back as a ValueError,
    and so does one longer than MOST bytes (a `TooLong`)."""
    binary = getattr(stream, "buffer", None)
    if binary is None and isinstance(stream, io.TextIOBase):
        try:
            for line in stream:
                line = line.rstrip("\r\n")
                yield TooLong(line, most) if most is not None and len(line) > most else not_utf8(line) or line
        except UnicodeDecodeError as exc:  # a text stream that cannot decode: the rest is unreadable
            yield ValueError(f"input is not valid UTF-8 (byte {exc.start + 1}); send UTF-8 text")
        return
    source = binary or stream
    lines = iter(source)
    read1 = getattr(source, "read1", None)
    # the input's encoding is told by what has arrived of it, not by its first line: UTF-16 split on
    # a newline's byte may leave a first "line" of one byte (上 is 0A 4E)
    first = read1(WIDE_SAMPLE) if read1 is not None else next(lines, None)
    if isinstance(first, bytes) and first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8):]
    elif isinstance(first, bytes) and (codec := wide(first)):
        for batch in _wide_lines(_chain(first, lines), codec, most):
            yield from batch
        return
    if isinstance(first, bytes) and read1 is not None:   # what was read ahead, as lines
        first, lines = None, _lines_from(first, lines)
    for raw in _chain(first, lines):
        if most is not None and len(raw.rstrip(b"\r\n" if isinstance(raw, bytes) else "\r\n")) > most:
            yield TooLong(raw, most)
            continue
        if isinstance(raw, str):
            yield not_utf8(raw.rstrip("\r\n")) or raw.rstrip("\r\n")
            continue
        try:
            yield raw.rstrip(b"\r\n").decode("utf-8")
        except UnicodeDecodeError as exc:
            yield ValueError(f"line is not valid UTF-8 (byte {exc.start + 1}); send UTF-8 text")


def _lines_from(head: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    """The lines of HEAD, read ahead, then REST's, the line HEAD ends inside completed by REST's first."""
    *complete, pending = head.split(b"\n")
    for raw in complete:
        yield raw + b"\n"
    if pending:
        yield pending + (next(rest, None) or b"")
    yield from rest


def _chain(first, rest: Iterator) -> Iterator:
    if first is not None:
        yield first
    yield from rest


def _decode(raw: bytes, most: int | None = None) -> str | ValueError:
    raw = raw.rstrip(b"\r")
    if most is not None and len(raw) > most:
        return TooLong(raw, most)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ValueError(f"line is not valid UTF-8 (byte {exc.start + 1}); send UTF-8 text")


def read_batches(stream: IO, size: int = 512, most: int | None = None) -> Iterator[list[str | ValueError]]:
    """The lines of STREAM (as `read_lines` gives them) in groups of those that arrived together,
    at most SIZE: a file or a pipe fed by a program gives many lines per read, a person typing
    one. A caller can then prepare a group at once (the sentence encoder reads a batch of
    questions several times faster than one at a time) and still answer a typed line at once.
    Only a stream nothing has read from yet may be given: it is read below its buffer. A line longer
    than MOST bytes is a `TooLong` as soon as it is read past them, its rest read and dropped."""
    for batch, _ in _batches(stream, size, None, most):
        yield batch


def read_groups(stream: IO, size: int = 512, most: int = 1 << 15, long: int = 500,
                patience: float = 0.1, longest: int | None = None) -> Iterator[list[list[str | ValueError]]]:
    """The batches `read_batches` gives, in lists of those that were waiting to be read together
    (a whole file, or what a program has written to a pipe so far), up to MOST lines a list: a
    caller can tell a long batch, worth sharing out, from a line typed now and then, and still
    handle each batch as it would have, batch by batch. A list that holds LONG lines or more
    ends only once no more input comes for PATIENCE seconds: a program writing a long input into
    a pipe (which holds 64 KiB) then gives it in a few long lists, not in many pieces. LONGEST:
    `read_batches`' MOST, the bytes a line may have."""
    group: list[list[str | ValueError]] = []
    lines = 0

    def wait(new: int) -> float:
        return patience if lines + new >= long else 0.0
    for batch, waiting in _batches(stream, size, wait, longest):
        group.append(batch)
        lines += len(batch)
        if not waiting or lines >= most:
            yield group
            group, lines = [], 0
    if group:
        yield group


def _batches(stream: IO, size: int, wait: Callable[[int], float] | None, most: int | None = None
             ) -> Iterator[tuple[list[str | ValueError], bool]]:
    """`read_batches`' batches, each with whether more input was waiting to be read after it,
    asked of the stream only with WAIT, which says how long to wait for it, given how many lines
    the last read gave (an in-memory stream has all of it waiting). A line longer than MOST bytes
    is a `TooLong` as soon as it is read past them: what is kept of a line is never more than MOST
    and a read, so a line of 50 MB costs its reading only."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        fd = None
    if fd is None:  # an in-memory stream: everything has arrived
        batch: list[str | ValueError] = []
        for line in read_lines(stream, most):
            batch.append(line)
            if len(batch) == size:
                yield batch, True
                batch = []
        if batch:
            yield batch, True
        return
    import os

    pending = b""
    first = os.read(fd, 1 << 16)
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8):] or os.read(fd, 1 << 16)
    elif codec := wide(first):
        chunks = _chain(first, iter(lambda: os.read(fd, 1 << 16), b""))
        for complete in _wide_lines(chunks, codec, most):
            waiting = wait is not None and _ready(fd, wait(len(complete)))
            for low in range(0, len(complete), size):
                yield complete[low:low + size], waiting or low + size < len(complete)
        return
    skipping = False     # reading past the rest of a line refused as too long
    for chunk in _chain(first or None, iter(lambda: os.read(fd, 1 << 16), b"")):
        if skipping:
            if (end := chunk.find(b"\n")) < 0:
                continue
            chunk, skipping = chunk[end + 1:], False
        *complete, pending = (pending + chunk).split(b"\n")
        lines = [_decode(raw, most) for raw in complete]
        if most is not None and len(pending) > most:
            lines.append(TooLong(pending, most))
            pending, skipping = b"", True
        waiting = wait is not None and _ready(fd, wait(len(lines)))
        for low in range(0, len(lines), size):
            yield lines[low:low + size], waiting or low + size < len(lines)
    if pending:
        yield [_decode(pending, most)], False


def _ready(fd: int, timeout: float) -> bool:
    """Whether FD has input (or its end) to be read within TIMEOUT seconds."""
    import select

    try:
        return bool(select.select([fd], [], [], timeout)[0])
    except (OSError, ValueError):  # not a descriptor select can watch: take it as nothing waiting
        return False
