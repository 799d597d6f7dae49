"""Reading lines from a stream that may carry anything: each line comes back as text, or as a
ValueError saying why it cannot be read, and the reading goes on with the next line.

Used by `ask` on standard input and by the REPL when standard input is not a terminal, so that
one line of Latin-1 in a batch neither ends the batch nor the session.

Text in UTF-16 or UTF-32 (what Windows' PowerShell pipes, or `iconv -t UTF-16`) is told by its
byte-order mark, or by the NUL byte beside every ASCII character of its start, and read as the
text it is: split on the byte of a newline, its lines came back as a line that was not UTF-8 and a
stray "\x00" after each.
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
    if pairs and max(low, high) * 4 >= pairs:
        return "utf-16-le" if low > high else "utf-16-be" if high > low else None
    return None


def _wide_lines(chunks: Iterable[bytes], codec: str) -> Iterator[list[str]]:
    """The complete lines of each chunk of CHUNKS (input in CODEC), the last line when the input ends."""
    decoder = codecs.getincrementaldecoder(codec)("replace")
    pending = ""
    for chunk in chunks:
        *complete, pending = (pending + decoder.decode(chunk)).split("\n")
        yield [line.rstrip("\r") for line in complete]
    pending += decoder.decode(b"", final=True)
    if pending:
        yield [pending.rstrip("\r")]


def not_utf8(text: str) -> ValueError | None:
    """A ValueError when TEXT carries undecodable bytes (surrogate-escaped), else None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return ValueError(f"line is not valid UTF-8 (character {exc.start + 1}); send UTF-8 text")
    return None


def read_lines(stream: IO) -> Iterator[str | ValueError]:
    """Lines of STREAM without their line ends, one at a time; undecodable ones come back as a ValueError."""
    binary = getattr(stream, "buffer", None)
    if binary is None and isinstance(stream, io.TextIOBase):
        try:
            for line in stream:
                line = line.rstrip("\r\n")
                yield not_utf8(line) or line
        except UnicodeDecodeError as exc:  # a text stream that cannot decode: the rest is unreadable
            yield ValueError(f"input is not valid UTF-8 (byte {exc.start + 1}); send UTF-8 text")
        return
    lines = iter(binary or stream)
    first = next(lines, None)
    if isinstance(first, bytes) and first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8):]
    elif isinstance(first, bytes) and (codec := wide(first)):
        for batch in _wide_lines(_chain(first, lines), codec):
            yield from batch
        return
    for raw in _chain(first, lines):
        if isinstance(raw, str):
            yield not_utf8(raw.rstrip("\r\n")) or raw.rstrip("\r\n")
            continue
        try:
            yield raw.rstrip(b"\r\n").decode("utf-8")
        except UnicodeDecodeError as exc:
            yield ValueError(f"line is not valid UTF-8 (byte {exc.start + 1}); send UTF-8 text")


def _chain(first, rest: Iterator) -> Iterator:
    if first is not None:
        yield first
    yield from rest


def _decode(raw: bytes) -> str | ValueError:
    raw = raw.rstrip(b"\r")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ValueError(f"line is not valid UTF-8 (byte {exc.start + 1}); send UTF-8 text")


def read_batches(stream: IO, size: int = 512) -> Iterator[list[str | ValueError]]:
    """The lines of STREAM (as `read_lines` gives them) in groups of those that arrived together,
    at most SIZE: a file or a pipe fed by a program gives many lines per read, a person typing
    one. A caller can then prepare a group at once (the sentence encoder reads a batch of
    questions several times faster than one at a time) and still answer a typed line at once.
    Only a stream nothing has read from yet may be given: it is read below its buffer."""
    for batch, _ in _batches(stream, size, None):
        yield batch


def read_groups(stream: IO, size: int = 512, most: int = 1 << 15, long: int = 500,
                patience: float = 0.1) -> Iterator[list[list[str | ValueError]]]:
    """The batches `read_batches` gives, in lists of those that were waiting to be read together
    (a whole file, or what a program has written to a pipe so far), up to MOST lines a list: a
    caller can tell a long batch, worth sharing out, from a line typed now and then, and still
    handle each batch as it would have, batch by batch. A list that holds LONG lines or more
    ends only once no more input comes for PATIENCE seconds: a program writing a long input into
    a pipe (which holds 64 KiB) then gives it in a few long lists, not in many pieces."""
    group: list[list[str | ValueError]] = []
    lines = 0

    def wait(new: int) -> float:
        return patience if lines + new >= long else 0.0
    for batch, waiting in _batches(stream, size, wait):
        group.append(batch)
        lines += len(batch)
        if not waiting or lines >= most:
            yield group
            group, lines = [], 0
    if group:
        yield group


def _batches(stream: IO, size: int, wait: Callable[[int], float] | None
             ) -> Iterator[tuple[list[str | ValueError], bool]]:
    """`read_batches`' batches, each with whether more input was waiting to be read after it,
    asked of the stream only with WAIT, which says how long to wait for it, given how many lines
    the last read gave (an in-memory stream has all of it waiting)."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        fd = None
    if fd is None:  # an in-memory stream: everything has arrived
        batch: list[str | ValueError] = []
        for line in read_lines(stream):
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
        for complete in _wide_lines(chunks, codec):
            waiting = wait is not None and _ready(fd, wait(len(complete)))
            for low in range(0, len(complete), size):
                yield [not_utf8(line) or line for line in complete[low:low + size]], waiting or low + size < len(complete)
        return
    for chunk in _chain(first or None, iter(lambda: os.read(fd, 1 << 16), b"")):
        *complete, pending = (pending + chunk).split(b"\n")
        waiting = wait is not None and _ready(fd, wait(len(complete)))
        for low in range(0, len(complete), size):
            yield [_decode(raw) for raw in complete[low:low + size]], waiting or low + size < len(complete)
    if pending:
        yield [_decode(pending)], False


def _ready(fd: int, timeout: float) -> bool:
    """Whether FD has input (or its end) to be read within TIMEOUT seconds."""
    import select

    try:
        return bool(select.select([fd], [], [], timeout)[0])
    except (OSError, ValueError):  # not a descriptor select can watch: take it as nothing waiting
        return False
