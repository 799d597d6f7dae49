"""Recipient lists: a file of numbers, one a line, or a CSV with a phone column and one column per
template parameter. The whole file is read and checked before anything is sent, so a file that
fails as a whole records no send.

The header is recognised whatever its case (`PHONE,Name`), the delimiter is sniffed (comma,
semicolon, tab or bar), and a file whose phone column cannot be found, or that has two, is
refused with the columns it has named. Rows that are no recipient are skipped and counted: a row
of nothing but separators and spaces (",,"), and a comment, a line opening with "#" (with no number
in its phone column); an empty line is no row at all.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from typing import NamedTuple

from .errors import UserError, said
from .files import read_text
from .messages import english
from .sanitize import one_line

# Header names taken for the phone column, compared case-insensitively.
PHONE_COLUMNS = frozenset({"phone", "phones", "mobile", "phone_number", "phone number", "phonenumber",
                           "mobile_number", "mobile number", "手机", "手机号", "手机号码", "电话", "号码"})
DELIMITERS = (",", ";", "\t", "|")
MAX_FILE_BYTES = 64 * 1024 * 1024  # ~1,000,000 recipients with a few parameters each
_NUMBER_LIKE = re.compile(r"[+\d][\d\s().\-]*")

Recipient = tuple[str, dict[str, str]]
Source = str | dict    # a file's name as it is, or the catalogue's words for an unnamed one (`_named`)


class Found(NamedTuple):
    """A recipients file read: its RECIPIENTS, and how many rows were SKIPPED as blank or comments."""

    recipients: list[Recipient]
    skipped: int


def _looks_like_number(cell: str) -> bool:
    return bool(_NUMBER_LIKE.fullmatch(cell)) and sum(ch.isdigit() for ch in cell) >= 5


def _delimiter(line: str) -> str | None:
    counts = {d: line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else None


def _shown(cells: list[str]) -> str | dict:
    """CELLS as a refusal names them ("'tel', 'nom'"), or the catalogue's word for none."""
    return ", ".join(f"'{one_line(c)}'" for c in cells) or {"say": "recipients.no_columns"}


def _named(source: str | None) -> Source:
    """The file SOURCE as its refusals name it: its name as given, else the catalogue's "the recipients file"."""
    return source if source is not None else {"say": "recipients.unnamed"}


def _comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def parse(text: str, common: Mapping[str, str] | None = None, source: str | None = None) -> list[Recipient]:
    """The (number as written, parameters) pairs of a recipients file's TEXT; COMMON parameters apply to all.

    A UserError names the line and what to change when the file cannot be used as a whole, and the file by
    SOURCE (its name; "the recipients file" when it has none), said in every language (messages.yaml
    `recipients.*`).
    """
    return parse_file(text, common, source).recipients


def parse_file(text: str, common: Mapping[str, str] | None = None, source: str | None = None) -> Found:
    """`parse`, with the count of the rows skipped as blank or comments (`Found`)."""
    common = dict(common or {})
    named = _named(source)
    lines = [line.rstrip("\r") for line in text.split("\n")]
    first = next((n for n, line in enumerate(lines) if line.strip() and not _comment(line)), None)
    if first is None:
        raise said(UserError(english("recipients.none", source=named)), "recipients.none", source=named)
    ahead = sum(1 for line in lines[:first] if line.strip())      # comments above the header or the first number
    delimiter = _delimiter(lines[first])
    if delimiter is None:
        found = _plain(lines, first, common, named)
    else:
        found = _table("\n".join(lines[first:]), delimiter, first, common, named)
    return found._replace(skipped=found.skipped + ahead)


def _plain(lines: list[str], first: int, common: dict[str, str], source: Source) -> Found:
    """One number a line, under an optional one-word 'phone' header."""
    head = lines[first].strip()
    if head.casefold() in PHONE_COLUMNS:
        first += 1
    elif not _looks_like_number(head):
        line, cell, seen = str(first + 1), one_line(head[:60]), _shown([head[:60]])
        raise said(UserError(english("recipients.not_a_header", source=source, line=line, cell=cell, seen=seen)),
                   "recipients.not_a_header", source=source, line=line, cell=cell, seen=seen)
    rows = [line.strip() for line in lines[first:] if line.strip()]
    out = [(row, dict(common)) for row in rows if not _comment(row)]
    return Found(out, len(rows) - len(out))


def _table(text: str, delimiter: str, offset: int, common: dict[str, str], source: Source) -> Found:
    """A CSV whose first row is a header with exactly one phone column."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    skipped = 0
    try:
        header = [cell.strip() for cell in next(reader)]
        folded = [cell.casefold() for cell in header]
        phones = [n for n, cell in enumerate(folded) if cell in PHONE_COLUMNS]
        seen = _shown(header)
        if not phones:
            if any(_looks_like_number(cell) for cell in header):
                line = str(offset + 1)
                raise said(UserError(english("recipients.no_header", source=source, line=line, seen=seen)),
                           "recipients.no_header", source=source, line=line, seen=seen)
            raise said(UserError(english("recipients.no_phone_column", source=source, seen=seen)),
                       "recipients.no_phone_column", source=source, seen=seen)
        if len(phones) > 1:
            count, named = str(len(phones)), _shown([header[n] for n in phones])
            raise said(UserError(english("recipients.phone_columns", source=source, count=count, named=named)),
                       "recipients.phone_columns", source=source, count=count, named=named)
        names = [cell for n, cell in enumerate(header) if n != phones[0]]
        if len({name.casefold() for name in names if name}) != len([name for name in names if name]):
            raise said(UserError(english("recipients.column_twice", source=source, seen=seen)),
                       "recipients.column_twice", source=source, seen=seen)
        phone = phones[0]
        named = [(n, name) for n, name in enumerate(header) if n != phone and name]
        unnamed = [n for n, name in enumerate(header) if n != phone and not name]
        width = len(header)
        out: list[Recipient] = []
        lines: list[int] = []
        spelt = {str(key).casefold(): key for key in (common or {})}
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if not any(cell.strip() for cell in row) or (
                    _comment(row[0]) and not (phone < len(row) and _looks_like_number(row[phone].strip()))):
                skipped += 1                # ",," or "# exported on Monday": no recipient
                continue
            if len(row) > width:
                line, count, most, mark = str(offset + reader.line_num), str(len(row)), str(width), one_line(delimiter)
                raise said(UserError(english("recipients.too_many_fields", source=source, line=line, count=count,
                                             most=most, mark=mark)),
                           "recipients.too_many_fields", source=source, line=line, count=count, most=most, mark=mark)
            if len(row) < width:
                row = row + [""] * (width - len(row))
            if any(row[n].strip() for n in unnamed):
                line = str(offset + reader.line_num)
                raise said(UserError(english("recipients.unnamed_column", source=source, line=line)),
                           "recipients.unnamed_column", source=source, line=line)
            params = dict(common)
            for n, name in named:
                value = row[n].strip()
                if value:  # a row's own value beats --param, whatever the column's capitals
                    params[spelt.get(name.casefold(), name)] = value
            out.append((row[phone].strip(), params))
            lines.append(offset + reader.line_num)
    except csv.Error as exc:
        error, line = str(exc), str(offset + reader.line_num)
        raise said(UserError(english("recipients.not_csv", source=source, error=error, line=line)),
                   "recipients.not_csv", source=source, error=error, line=line) from None
    if not out:
        raise said(UserError(english("recipients.header_only", source=source)), "recipients.header_only", source=source)
    _agreeing(out, lines, source)
    return Found(out, skipped)


def values_apart(first: Mapping[str, str], again: Mapping[str, str]) -> str:
    """How parameters FIRST and AGAIN differ, each parameter's two values: "name: 'Tom' / 'Ann'" ('' for none)."""
    names = list(dict.fromkeys([*first, *again]))
    return ", ".join(f"{one_line(name)}: '{one_line(first.get(name, ''))}' / '{one_line(again.get(name, ''))}'"
                     for name in names if first.get(name, "") != again.get(name, ""))


def _agreeing(recipients: list[Recipient], lines: list[int], source: Source) -> None:
    """Refuse a file that gives one number (however written: `numbers.one_recipient`) in two rows with other
    values: each number gets one message per send, so one row's values would be dropped, unseen, from a send
    that cannot be taken back. Rows that repeat a number with the same values are one recipient, sent once."""
    from .numbers import one_recipient

    first: dict[str, int] = {}
    apart: list[tuple[int, int]] = []     # (the row first naming a number, a later one with other values)
    named: set[str] = set()
    for n, (raw, params) in enumerate(recipients):
        at = first.setdefault(one_recipient(raw), n)
        if at != n and recipients[at][1] != params and one_recipient(raw) not in named:
            named.add(one_recipient(raw))
            apart.append((at, n))
    if not apart:
        return
    at, n = apart[0]
    fields = {"source": source, "first": str(lines[at]), "again": str(lines[n]), "phone": one_line(recipients[at][0]),
              "values": values_apart(recipients[at][1], recipients[n][1])}
    if len(apart) == 1:
        raise said(UserError(english("recipients.disagree", **fields)), "recipients.disagree", **fields)
    more, s = str(len(apart) - 1), "" if len(apart) == 2 else "s"
    raise said(UserError(english("recipients.disagree.more", more=more, s=s, **fields)),
               "recipients.disagree.more", more=more, s=s, **fields)


def with_given(given: list[Recipient], found: list[Recipient]) -> list[Recipient]:
    """The numbers GIVEN on the command line (or in the form), then a file's FOUND recipients; refused when a
    number of GIVEN is in the file with different values (the file's own value against --param's): it gets
    one message, so one of the two would be dropped unseen. (A file's own rows are checked as it is read.)"""
    from .numbers import one_recipient

    first = {one_recipient(raw): (raw, params) for raw, params in reversed(given)}
    for raw, params in found:
        seen = first.get(one_recipient(raw))
        if seen is not None and seen[1] != params:
            fields = {"phone": one_line(seen[0]), "values": values_apart(seen[1], params)}
            raise said(UserError(f"{fields['phone']} is given twice with different values ({fields['values']}); "
                                 "each number gets one message per send: give it once, with the values it should get"),
                       "recipients.disagree.given", **fields)
    return given + found


def read(path: str, common: Mapping[str, str] | None = None) -> list[Recipient]:
    """The recipients of the file at PATH (a regular UTF-8 file of at most MAX_FILE_BYTES)."""
    text = read_text(path, MAX_FILE_BYTES, "recipients")
    return parse(text, common, one_line(path))
