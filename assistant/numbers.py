"""Mainland mobile numbers: normalise any common way of writing one, and find its carrier.

The carrier comes from the number segments of rules.yaml (longest prefix wins). Numbers have
been portable since 2019-12-01, so this is the carrier that issued the number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .records import NamedTuple
from .rules import Rules
from .text import LazyPattern

_SEPARATORS = LazyPattern(r"[\s\-().]")
_LIST = LazyPattern(r"[,，;；、]")   # what separates the numbers of one argument or form field


def listed(raw: str) -> list[str]:
    """The numbers of one argument RAW, separated by commas, semicolons or 、 of either width
    ("13800138000,13912345672;18612345679")."""
    return _LIST.split(raw)

Said = dict[str, Any]   # a sentence of messages.yaml to be said in a reader's language: {"say": id, "fields": {...}}


class Number(NamedTuple):
    """A checked number: `phone` is the 11 digits, `carrier` a key of rules.carriers, or `problem`.

    A tuple of plain strings, which Python's garbage collector stops tracking: a 100,000-number
    send's checked numbers add nothing to the full collections that pause every thread."""

    raw: str
    phone: str | None
    carrier: str | None
    problem: str | None = None

    def named_problem(self) -> str:
        """What is wrong with the number, naming it as written (once: a problem may name it already)."""
        problem = self.problem or ""
        return problem if self.raw in problem else f"{self.raw}: {problem}"

    def said(self, rules: Rules) -> Said | None:
        """`named_problem` as the catalogue's sentence (`number.*`, in `number.problem` where the sentence
        does not name the number), for `messages.said` in a reader's language; None for a number with no
        problem, or one the catalogue cannot say (`detail_said`)."""
        known = detail_said(self.raw, self.problem, rules)
        if known is None:
            return None
        sentence = {"say": known[0], "fields": known[1]}
        if self.raw in (self.problem or ""):   # the sentence names the number already ('010-62345678' is a landline ...)
            return sentence
        return {"say": "number.problem", "fields": {"number": self.raw, "problem": sentence}}


def normalise(raw: str) -> str | None:
    """The 11 digits of RAW ("+86 138-0013-8000" -> "13800138000"), or None if it is not that shape."""
    text = _digits(raw)
    for prefix in ("+86", "0086", "86"):
        if text.startswith(prefix) and len(text) == 11 + len(prefix):
            text = text[len(prefix):]
            break
    return text if len(text) == 11 and text.isascii() and text.isdigit() and text[0] == "1" else None


def key(raw: str) -> str:
    """RAW as digits to tell whether two numbers are one, however each is written: a mobile's 11 digits
    ("+86 138-0013-8000" -> "13800138000"), any other's digits without a country code (+86, 0086) or
    leading zeros ("028-85551234", "+86 28 8555 1234" and "02885551234" -> "2885551234")."""
    phone = normalise(raw)
    if phone:
        return phone
    digits = re.sub(r"\D", "", raw)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) > 11:
            digits = digits[len(prefix):]
            break
    return digits.lstrip("0")


def _digits(raw: str) -> str:
    """RAW without spaces, dashes, brackets and dots (a file's plain "13800138000" as it is, at once)."""
    return raw if len(raw) == 11 and raw.isascii() and raw.isdigit() else _SEPARATORS.sub("", raw.strip())


def lookup(raw: str, rules: Rules) -> Number:
    """Check RAW and find its carrier; a problem says in words what is wrong with it."""
    digits = _digits(raw)
    for size in (5, 4, 3):
        reason = rules.unsupported.get(digits[:size])
        if reason and len(digits) in (11, 13):
            return Number(raw, None, None, reason)
    phone = normalise(raw)
    if phone is None and landline(raw):
        return Number(raw, None, None, f"'{raw}' is {LANDLINE}")
    if phone is None and abroad(raw):
        return Number(raw, None, None, f"'{raw}' is {ABROAD}")
    if phone is None:
        return Number(raw, None, None, f"'{raw}' is not an 11-digit mainland mobile number (e.g. 13800138000, +86 138 0013 8000)")
    for size in (5, 4, 3):
        reason = rules.unsupported.get(phone[:size])
        if reason:
            return Number(raw, phone, None, reason)
        carrier = rules.segments.get(phone[:size])
        if carrier:
            return Number(raw, phone, carrier)
    return Number(raw, phone, None, f"{phone} is not in an assigned mainland mobile number segment")


def problem_said(raw: str, rules: Rules) -> tuple[str, dict[str, str]] | None:
    """Which sentence of the message catalogue (knowledge/messages.yaml, `number.*`) says what
    `lookup(RAW)` finds wrong, with its fields, so that a conversation says it in its language; None
    for a number without a problem. An unsupported segment's reason is the rules' own words, which
    rules.yaml gives in each language (`number.unsupported` says the reader's; None for rules made
    with the English alone, said as it is)."""
    digits = _digits(raw)
    if len(digits) in (11, 13) and (prefix := _unsupported_prefix(digits, rules)):
        return segment_said(prefix, rules)
    phone = normalise(raw)
    if phone is None:
        return ("number.landline", {"number": raw}) if landline(raw) else \
            ("number.abroad", {"number": raw}) if abroad(raw) else ("number.not_11_digits", {"number": raw})
    if prefix := _unsupported_prefix(phone, rules):
        return segment_said(prefix, rules)
    if any(rules.segments.get(phone[:size]) for size in (5, 4, 3)):
        return None
    return "number.unassigned", {"phone": phone}


def detail_said(raw: str, detail: str | None, rules: Rules) -> tuple[str, dict[str, str]] | None:
    """The catalogue sentence (`problem_said`) that says DETAIL, an English problem given or stored
    with number RAW (a send's preview, a failed message's row, a checked `Number`), in a reader's
    language, when DETAIL is what `lookup(RAW)` finds wrong with it; None for any other detail (none,
    a carrier's words, a detail already in another language, one stored under other rules) and
    for a reason the catalogue cannot say (rules made with the English alone), said as it is. The
    one test of "is this detail that problem?" the conversation, the router's notes and `ask` share."""
    if not detail:
        return None
    said = problem_said(raw, rules)
    return said if said is not None and lookup(raw, rules).problem == detail else None


def _unsupported_prefix(digits: str, rules: Rules) -> str | None:
    """The unsupported segment DIGITS start with (the longest), or None."""
    return next((digits[:size] for size in (5, 4, 3) if rules.unsupported.get(digits[:size])), None)


def segment_said(prefix: str, rules: Rules) -> tuple[str, dict[str, str]] | None:
    """Why the unsupported segment PREFIX is not reached, as the catalogue's `number.unsupported` and
    its fields (rules.yaml's reason in each language); None for rules made with the English alone."""
    texts = rules.unsupported_said.get(prefix)
    return ("number.unsupported", dict(texts)) if texts else None


def note_said(token: str) -> tuple[str, dict[str, str]]:
    """`unread_note(TOKEN)` as a catalogue sentence and its fields (see `problem_said`)."""
    if landline(token):
        return "number.landline_note", {"number": token}
    if abroad(token):
        return "number.abroad_note", {"number": token}
    digits = sum(ch.isdigit() for ch in token)
    if not digits:
        return "number.not_a_number", {"number": token}
    return "number.not_mobile", {"number": token, "digits": str(digits), "s": "s" if digits != 1 else ""}


# --- reading numbers out of what a person typed ---------------------------------------------------
# A number-like token: digits, maybe a leading +, grouped by spaces, dashes or brackets; not part
# of a word, a code, a date, a time or a name=value pair.
# (ASCII word characters only: Chinese text runs straight into a number, "给1861234567发")
_NUMBERISH = LazyPattern(r"(?<![A-Za-z0-9_=:./+-])\+?\d[\d \-()]*\d(?![A-Za-z0-9_=:/])(?!\.[A-Za-z0-9_])")
# A number mistyped with a letter for a digit (O or o for 0, l or I for 1) inside it or at its end
# ("1330000000o", "1380013800O"): 10 to 12 characters, at least 8 of them digits, from a mobile
# number's 1; named as no number, never dropped
_TYPED_WITH_LETTERS = LazyPattern(r"(?<![A-Za-z0-9_=:./+-])1[\dOoIl]{9,11}(?![A-Za-z0-9_=:/])")
_DATE = LazyPattern(r"\d{4}-\d{1,2}-\d{1,2}")
_FILLER = {"and", "or", "to", "plus", "also", "&", "和", "、"}


class Repeat(NamedTuple):
    """WRITTEN is number PHONE again, first written as FIRST: one recipient, sent once. TIMES: how
    often WRITTEN was written when it is FIRST as it was (said once: "written twice")."""

    written: str
    phone: str
    first: str
    times: int = 2

    @classmethod
    def of(cls, shown: Mapping[str, Any]) -> Repeat:
        """The repeat a send's answer shows (`written`, `phone`, `first`, `times`)."""
        return cls(shown["written"], shown["phone"], shown["first"], int(shown.get("times", 2)))

    @property
    def again(self) -> bool:
        """Whether WRITTEN is the first writing again, character for character."""
        return self.written.strip() == self.first.strip()

    def note(self) -> str:
        if self.again:
            return f"{self.written}: written {'twice' if self.times == 2 else f'{self.times} times'}; " \
                   "it is one recipient, sent once"
        return f"{self.written}: the same number as {self.first} ({self.phone}); it is one recipient, sent once"

    def said(self) -> Said:
        """`note` as the catalogue's sentence (`number.repeat`, `number.written_twice`, `number.written_times`)
        and its fields."""
        if self.again:
            return {"say": "number.written_twice" if self.times == 2 else "number.written_times",
                    "fields": {"written": self.written, "times": self.times}}
        return {"say": "number.repeat", "fields": {"written": self.written, "first": self.first, "phone": self.phone}}


class Reading(NamedTuple):
    """The numbers of a text: each recipient once (PHONES, as written), the tokens that look like
    a number but are none (UNREAD), the repeats left out, and every number found (WRITTEN)."""

    phones: list[str]
    unread: list[str]
    repeats: list[Repeat]
    written: list[str]

    @property
    def recipients(self) -> list[str]:
        """The numbers and the unreadable tokens: a send reports each of the latter as refused
        (isv.MOBILE_NUMBER_ILLEGAL) rather than dropping it unseen."""
        return self.phones + self.unread

    def notes(self, rules: Rules | None = None) -> list[str]:
        """One line for every token that is not a number the service takes, and every repeat."""
        out = [unread_note(token) for token in self.unread]
        if rules is not None:
            out += [f"{raw}: {problem}" for raw in self.phones if (problem := lookup(raw, rules).problem)]
        return out + [r.note() for r in self.repeats]

    def said(self, rules: Rules | None = None) -> list[Said]:
        """`notes` as the catalogue's sentences (messages.yaml `number.*`) and their fields, in the
        same order, for `messages.said` to say in the reader's language (in English, word for word
        the `notes`)."""
        out: list[Said] = []
        for token in self.unread:
            msg_id, fields = note_said(token)
            out.append({"say": msg_id, "fields": fields})
        for raw in self.phones if rules is not None else ():
            if (problem := lookup(raw, rules).problem) is None:
                continue
            known = problem_said(raw, rules)
            out.append({"say": "number.problem", "fields": {
                "number": raw, "problem": problem if known is None else {"say": known[0], "fields": known[1]}}})
        return out + [r.said() for r in self.repeats]


def landline(raw: str) -> bool:
    """Whether RAW is a mainland landline: an area code (a 0, then 2 or 3 digits: 010, 0755) and the
    local number, 10 to 12 digits in all ("010-62345678", "(0755) 8888 6666"). "00" opens an
    international prefix instead ("0086 138 ...")."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    return digits.startswith("0") and not digits.startswith("00") and 10 <= len(digits) <= 12


LANDLINE = "a landline, not a mobile number: digital messages reach only mainland mobiles (e.g. 13800138000)"


def abroad(raw: str) -> bool:
    """Whether RAW is written with an international prefix (+ or 00) other than mainland China's 86
    ("+852 9123 4567", "0044 7700 900123"): a number of another country or region, which may have 11
    digits too, so its digits never say what is wrong with it."""
    written = raw.strip()
    digits = "".join(ch for ch in written if ch.isdigit())
    if written.startswith("+"):
        return bool(digits) and not digits.startswith("86")
    return digits.startswith("00") and not digits.startswith("0086")


ABROAD = ("a number outside mainland China (its country code is not +86): digital messages reach only mainland "
          "mobiles (e.g. 13800138000)")


def unread_note(token: str) -> str:
    """What is wrong with TOKEN, which looks like a number but is no mainland mobile number."""
    if landline(token):
        return f"{token}: {LANDLINE}"
    if abroad(token):
        return f"{token}: {ABROAD}"
    digits = sum(ch.isdigit() for ch in token)
    if not digits:   # a word written among the numbers ("13800138000, abc, 10086")
        return f"{token}: not a number (no digits; a mainland mobile number has 11, e.g. 13800138000 or +86 138 0013 8000)"
    return (f"{token}: not a mobile number ({digits} digit{'s' if digits != 1 else ''}; a mainland mobile number "
            "has 11, e.g. 13800138000 or +86 138 0013 8000)")


def one_recipient(raw: str) -> str:
    """What RAW is as a recipient: two numbers with the same are one person, who gets one message
    (`unique`): a mobile's 11 digits, any other as written without its separators."""
    return normalise(raw) or _SEPARATORS.sub("", raw.strip())


def unique(raws: list[str], pace: Callable[[], None] | None = None) -> tuple[list[int], list[Repeat]]:
    """The positions of RAWS to keep, each number once (by its normalised 11 digits, so that
    "139-1234-5621" and "0086 13912345621" are one), and the repeats left out. PACE, if given, is
    called at each number (a large file's send leaves room for other work)."""
    kept: list[int] = []
    repeats: list[Repeat] = []
    first: dict[str, str] = {}
    said: dict[tuple[str, str], int] = {}     # (written, key): its place in REPEATS, said once however often
    for n, raw in enumerate(raws):
        key = one_recipient(raw)
        if pace:
            pace()
        if key in first:
            at = said.get((raw.strip(), key))
            if at is None:
                said[(raw.strip(), key)] = len(repeats)
                repeats.append(Repeat(raw, key, first[key]))
            else:
                repeats[at] = repeats[at]._replace(times=repeats[at].times + 1)
            continue
        first[key] = raw
        kept.append(n)
    return kept, repeats


def _apart(start: int, token: str) -> list[tuple[int, str]]:
    """TOKEN (found at START) as the numbers it may hold: one number grouped by spaces ("138 0013
    800") is one token, but a run of more digits than any number has (15, with 0086) is several
    numbers written side by side ("1461234567890 00861380013800"), cut at its spaces."""
    if sum(ch.isdigit() for ch in token) <= 15:
        return [(start, token.strip())]
    out: list[tuple[int, str]] = []
    begin = digits = 0
    groups = list(re.finditer(r"\S+", token))
    for n, group in enumerate(groups):   # groups gathered until they make a number's worth of digits
        if not digits:
            begin = group.start()
        digits += sum(ch.isdigit() for ch in group.group(0))
        if digits >= 11 or n == len(groups) - 1:
            out.append((start + begin, token[begin:group.end()]))
            digits = 0
    return out


_BETWEEN_LISTED = LazyPattern(r"[\s,;，；、]*(?:(?:and|or|和)[\s,;，；、]*)?", re.IGNORECASE)


def _listed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether the short token at START..END of TEXT stands in a list of numbers: only separators
    (or one "and"/"or") between it and a mobile number found at one of SPANS ("13700137000, 123")."""
    for first, last in spans:
        between = text[last:start] if last <= start else text[end:first]
        if _BETWEEN_LISTED.fullmatch(between):
            return True
    return False


_WORD = LazyPattern(r"[^\s,;，；、]+")
_VALUE_SIGN = LazyPattern(r"[=:：]")    # name=Tom, 名字：张三: a value of the template's, no recipient
_LIST_SEPARATOR = LazyPattern(r"[,;，；、]|\b(?:and|or)\b|和", re.IGNORECASE)


def _between_numbers(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether the word at START..END of TEXT is an item of a list of numbers: a number at SPANS
    on either side, and between it and each only separators, with a comma (or "and", "or") among
    them ("13800138000, abc, 10086", "13800138000、张三、13900139000"). One side is not enough: a
    word after the numbers may be the sentence going on ("... to 13800138000, thanks"), and a word
    between them with only spaces is one ("replace 13800138000 with 13900139000")."""
    def listed(between: str) -> bool:
        return bool(_BETWEEN_LISTED.fullmatch(between) and _LIST_SEPARATOR.search(between))
    return any(last <= start and listed(text[last:start]) for _, last in spans) and \
        any(first >= end and listed(text[end:first]) for first, _ in spans)


def read(text: str, patterns: list[re.Pattern], whole: bool = False) -> Reading:
    """The numbers in TEXT, found by PATTERNS (the knowledge base's `phone` slot type), in order.

    Nothing that looks like a number is dropped unseen: a digit token that is no mobile number is
    returned as UNREAD. WHOLE means TEXT is only numbers (a value prompt): every leftover word is
    then unread, apart from "and"/"or" and separators; in a sentence only tokens of at least five
    digits count (a "3" or a "100" is no recipient), and shorter ones written in a list with a
    mobile number ("to 13700137000, 123": a number mistyped, named rather than dropped), and a
    word written as an item of a list of numbers ("13800138000, abc, 10086": named, not dropped).
    """
    found: list[tuple[int, str]] = []
    spans: list[tuple[int, int]] = []
    rest = text
    for pattern in patterns:
        for match in pattern.finditer(rest):
            found.append((match.start(), (match.groupdict().get("value") or match.group(0)).strip()))
            spans.append(match.span())
        rest = pattern.sub(lambda m: "," + " " * (len(m.group(0)) - 1), rest)
    if whole:
        leftovers = [(m.start(), m.group(0)) for m in re.finditer(r"[^\s,;，；、]+", rest)
                     if m.group(0).casefold() not in _FILLER]
    else:
        leftovers = [(start, token) for m in _NUMBERISH.finditer(rest)
                     for start, token in _apart(m.start(), m.group(0))
                     if not _DATE.fullmatch(token) and
                     (sum(ch.isdigit() for ch in token) >= 5 or _listed(text, start, start + len(token), spans))]
        leftovers += [(m.start(), m.group(0)) for m in _TYPED_WITH_LETTERS.finditer(rest)
                      if 8 <= sum(ch.isdigit() for ch in m.group(0)) < len(m.group(0))]
        numberish = spans + [(start, start + len(token)) for start, token in leftovers]
        leftovers += [(m.start(), m.group(0)) for m in _WORD.finditer(rest)
                      if m.group(0).casefold() not in _FILLER and not _VALUE_SIGN.search(m.group(0)) and
                      not any(start <= m.start() < end for start, end in numberish) and
                      _between_numbers(text, m.start(), m.end(), numberish)]
    written = [value for _, value in sorted(found)]
    kept, repeats = unique(written)
    return Reading([written[n] for n in kept], [t for _, t in sorted(leftovers)], repeats, written)
