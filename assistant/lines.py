"""Reading lines from a stream that may carry anything: each line comes back as text, or as a
ValueError saying why it cannot be read, and the reading goes on with the next line.

Used by `ask` on standard input and by the REPL when standard input is not a terminal, so that
one line of Latin-1 in a batch neither ends the batch nor the session.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO


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
    for raw in binary or stream:
        if isinstance(raw, str):
            yield not_utf8(raw.rstrip("\r\n")) or raw.rstrip("\r\n")
            continue
        try:
            yield raw.rstrip(b"\r\n").decode("utf-8")
        except UnicodeDecodeError as exc:
            yield ValueError(f"line is not valid UTF-8 (byte {exc.start + 1}); send UTF-8 text")


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
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        fd = None
    if fd is None:  # an in-memory stream: everything has arrived
        batch: list[str | ValueError] = []
        for line in read_lines(stream):
            batch.append(line)
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch
        return
    import os

    pending = b""
    while chunk := os.read(fd, 1 << 16):
        *complete, pending = (pending + chunk).split(b"\n")
        for low in range(0, len(complete), size):
            yield [_decode(raw) for raw in complete[low:low + size]]
    if pending:
        yield [_decode(pending)]
