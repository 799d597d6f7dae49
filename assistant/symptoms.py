"""Symptoms: values a question names that the account model's own rules refuse.

"I tried to name my signature "ACME-China!" and the console would not accept it. Why?" asks about
the signature name rules, though few of its words are theirs: the name it quotes breaks them.
Customers ask about a documented rule this way, through what went wrong, far more often than by
the rule's name. Each check of matcher.yaml `routing.checks` reads one kind of value out of a
question (a quoted name, a size, a count of images, a file format, a phone number or prefix) and
tests it with the figures of rules.yaml, and for a signature's name with the account model's own
check; a refused value names the FAQ entry that states the rule, and what is wrong with it.

The checks are code (each reads its kind of value); which entry answers, and the words that say
what a value is ("signature", 模板名), are data.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import numbers
from .formats import characters_fault, name_faults, name_sentence
from .records import NamedTuple
from .rules import Rules
from .text import LazyPattern, clean, read_number

if TYPE_CHECKING:
    # (records of the knowledge base; knowledge.py reads the checks that exist here)
    from .knowledge import Check


class Finding(NamedTuple):
    """A VALUE, as written, that CHECK decides (mostly refuses), and what the rules say of it: NOTE,
    the id of a message of messages.yaml filled with FIELDS (said in the customer's language with
    `messages.said`: a carrier is its catalogue label), or one line of English from the account
    model's own checks (a signature's name)."""

    check: str
    entry: str
    value: str
    note: str
    fields: tuple[tuple[str, Any], ...] = ()


Said = tuple[str, tuple[tuple[str, Any], ...]]   # a message id of messages.yaml and its fields


def _said(msg_id: str, **fields: Any) -> Said:
    return msg_id, tuple(fields.items())


def _finding(check: str, entry: str, value: str, note: str | Said) -> Finding:
    if isinstance(note, str):
        return Finding(check, entry, value, note)
    return Finding(check, entry, value, note[0], note[1])


# A value quoted or named: "ACME-China!", “Joy&Fun游戏”, 'A&B', 「阿克米」, like 12306, 叫A&B
_QUOTED = LazyPattern(r'"([^"\n]{1,60})"|“([^”\n]{1,60})”|‘([^’\n]{1,60})’|「([^」\n]{1,60})」|『([^』\n]{1,60})』'
                     r"|(?<![A-Za-z])'([^'\n]{1,40})'(?![A-Za-z])")
_NAMED = LazyPattern(r"(?:\blike|\bsuch as|\be\.g\.|\bcalled|\bnamed|\bname it|叫做|名为|名叫|比如|例如|叫)\s*"
                    r"([^\s,;?!，。？！、\"“”']{1,39}[^\s,;?!，。？！、\"“”'.:])", re.IGNORECASE)
_NAME_WORDS = ("name", "title", "名", "叫")   # a template's quoted value is its name, not its text
# a name's length stated: "17 chars", "21 characters", 25个字, 18个字符
_LENGTH = LazyPattern(r"(?<![\d.])(\d{1,3})\s*(?:chars?\b|characters?\b|letters?\b|个字符|个字|字符|字)")
_BRACKETED = LazyPattern(r"\[[^\[\]\n]{0,30}\]|【[^【】\n]{0,30}】")
# (not a bare G or a lower-case m: 5G and 4G are networks, "5m users" five million)
_SIZE = LazyPattern(r"(?<![A-Za-z0-9_.])(\d+(?:[.,]\d+)*)\s*([kK][bB]|[kK]|[mM][bB]|M|兆|[gG][bB])(?![A-Za-z])")
_UNITS = {"kb": 1, "k": 1, "mb": 1024, "m": 1024, "兆": 1024, "gb": 1024 * 1024}
# a count of what a template is made of: "12 images", "ten slides", 十张图片, 2段视频
# (a count stands alone: the 4 of "mp4视频" counts nothing; a format may stand between: 两个mp4视频, 3 png images)
_COUNT = LazyPattern(r"(?<![A-Za-z0-9])(\d{1,3}|[a-z]+|[零一二两三四五六七八九十]{1,3})\s*(?:张|个|段|帧|页|幅)?\s*"
                    r"(?:(?:mp4|mp3|gif|jpe?g|png|mov|avi|hd|4k)\s*)?(images?|pictures?|photos?|pics?|slides?|frames?|pages?|videos?|clips?|图片|图|照片|帧|页|视频)",
                    re.IGNORECASE)
_VIDEOS = frozenset({"video", "videos", "clip", "clips", "视频"})
_FRAMES = frozenset({"slide", "slides", "frame", "frames", "page", "pages", "帧", "页"})
# a time of day: 10:25, 3pm, 3 p.m., 下午3点, 10点半
_TIME = LazyPattern(r"(?<![\d:])(\d{1,2}):(\d{2})(?![\d:])\s*(am|pm|a\.m\.|p\.m\.)?|(?<![\d:])(\d{1,2})\s*(am|pm|a\.m\.|p\.m\.)"
                   r"|(上午|中午|下午|晚上|早上)?(\d{1,2})点(半)?")
_YESTERDAY = ("yesterday", "昨天", "昨晚", "昨日")
# a phone number as people paste it, or a prefix named ("numbers starting with 192", 192开头)
_PHONEISH = LazyPattern(r"(?<![A-Za-z0-9_.:/-])\+?\d[\d\- ]{5,16}\d(?![A-Za-z0-9_:/])")
_DAYISH = LazyPattern(r"\d{4}-\d{1,2}-\d{1,2}")
# a prefix named as one: "numbers starting with 192", "prefix 1703", 192开头, 以146开头, 1440号段, "192 numbers"
_PREFIX = LazyPattern(r"(?:start(?:s|ing|ed)? with|begin(?:s|ning)? with|prefix(?:es)?|segments?|以)\s*(?:of\s+|is\s+)?"
                     r"(1\d{2,4})(?!\d)|(?<!\d)(1\d{2,4})\s*(?:开头|打头|号段|-prefix|\sprefix|\ssegment|的号)")


def findings(text: str, rules: Rules, checks: Sequence[Check],
             skip: Callable[[str], bool] = lambda value: False, asks: bool = False) -> list[Finding]:
    """The values TEXT names that CHECKS refuse, by RULES, in the order found. SKIP says which
    quoted values are something else (a template code, an error code), never checked as names.
    ASKS: TEXT is a question, so a number no message reaches is read though no word speaks of
    numbers ("can I send to 19212345678?"; the number alone, typed at a prompt, asks nothing)."""
    low = text.lower()
    by_name = {c.name: c for c in checks}
    found: list[Finding] = []
    cues = {cue for c in checks for cue in c.cues}
    naming = [c for c in checks if c.name in _NAME_CHECKS]
    for value, start in _values(text):
        if skip(value) or value.lower() in cues:   # 'signature' in quotes is the word, not a name
            continue
        subject = _subject(low, start, naming)
        if subject is not None and _cued(low, subject) and (problem := _NAME_CHECKS[subject.name](rules, value, low)):
            found.append(_finding(subject.name, subject.entry, value, problem))
    for match in _LENGTH.finditer(low):   # "signaturename 17 chars rejected why", 模板名称写了25个字
        subject = _subject(low, match.start(), naming)
        if subject is not None and _cued(low, subject) and (note := _length(rules, subject.name, int(match.group(1)), low)):
            found.append(_finding(subject.name, subject.entry, match.group(0), note))
    if (check := by_name.get("brackets")) and _cued(low, check):
        found += [_finding(check.name, check.entry, b, _reserved(rules, b)) for b in _BRACKETED.findall(text)]
    if (check := by_name.get("media")) and _cued(low, check):
        found += [_finding(check.name, check.entry, value, problem) for value, problem in _media(rules, text, low, check)]
    if (check := by_name.get("number")) and ((cued := _cued(low, check)) or asks):
        # a number no digital message reaches, asked about, says what it is by itself ("can I send to 19212345678?")
        found += [_finding(check.name, check.entry, value, problem) for value, problem in _numbers(rules, text, low, cued)]
    if (check := by_name.get("repeat")) and _cued(low, check):
        found += [_finding(check.name, check.entry, value, note) for value, note in _repeats(rules, low, check)]
    if (check := by_name.get("industry")) and _cued(low, check) and not found:
        found += [_finding(check.name, check.entry, value, note) for value, note in _industries(rules, low, check)]
    if (check := by_name.get("segment")) and _cued(low, check) and not found:
        found += [_finding(check.name, check.entry, value, note) for value, note in _segments(rules, low)]
    return found


def _values(text: str) -> Iterator[tuple[str, int]]:
    """The values TEXT quotes or names, each with where it starts."""
    for match in _QUOTED.finditer(text):
        value = next(g for g in match.groups() if g is not None)
        yield value, match.start()
    for match in _NAMED.finditer(text):
        yield match.group(1), match.start(1)


def _cued(low: str, check: Check) -> bool:
    """Whether LOW says what CHECK reads (a cue, even run together: "signaturename") and none of
    its `unless` words (a whole word: "signaturename" renames nothing)."""
    return any(cue in low for cue in check.cues) and not any(_word_in(low, word) for word in check.unless)


def _word_in(low: str, word: str) -> bool:
    if not word.isascii():
        return word in low   # Chinese has no spaces between words
    return re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", low) is not None


def _subject(low: str, start: int, checks: Sequence[Check]) -> Check | None:
    """Of CHECKS, the one whose cue comes nearest before START (else nearest after it): what the
    value is ("template name ... "X" with signature ..." names a template)."""
    before, after = [], []
    for check in checks:
        for cue in check.cues:
            at = low.rfind(cue, 0, start)
            if at >= 0:
                before.append((at + len(cue), check))
            at = low.find(cue, start)
            if at >= 0:
                after.append((-at, check))
    chosen = max(before, default=None, key=lambda x: x[0]) or max(after, default=None, key=lambda x: x[0])
    return chosen[1] if chosen else None


def _signature_name(rules: Rules, value: str, low: str) -> Said | None:
    """What the account model's check (`formats.name_faults`) finds wrong with a signature's name, as
    the catalogue's `note.signature_name`: the faults (`signature_name.FAULT`) and each one's fix
    (`signature_name.FAULT.fix`), in English word for word the account model's refusal."""
    found = name_faults(rules.signature, value.strip())
    if found is None:
        return None
    _, shown, faults = found
    sentence = name_sentence(shown, faults)
    return _said(sentence["say"], **sentence["fields"])


def _template_name(rules: Rules, value: str, low: str) -> Said | None:
    limit = int(rules.template["max_name_length"])
    title = clean(value)
    if len(title) > limit and any(word in low for word in _NAME_WORDS):
        return _said("note.template_name_long", title=title, count=len(title), limit=limit)
    if any(ch in value for ch in rules.template["reserved_characters"]):
        return _reserved(rules, value)
    found = characters_fault(rules.template, value)
    return None if found is None else _said(f"note.template_characters.{found[0]}", **found[1])


_NAME_CHECKS: dict[str, Callable[[Rules, str, str], str | Said | None]] = {
    "signature_name": _signature_name, "template_name": _template_name}
CHECKS = frozenset({*_NAME_CHECKS, "brackets", "media", "number", "segment", "repeat", "industry"})


def _length(rules: Rules, check: str, count: int, low: str) -> Said | None:
    """What the rules say of a name COUNT characters long, when they refuse it."""
    if check == "signature_name":
        short, long = rules.signature["min_length"], rules.signature["max_length"]
        if not short <= count <= long:
            return _said(f"note.signature_length_{'long' if count > long else 'short'}", short=short, long=long, count=count)
    elif check == "template_name" and any(word in low for word in _NAME_WORDS):
        limit = rules.template["max_name_length"]
        if count > limit:
            return _said("note.template_name_length", limit=limit, count=count)
    return None


def _reserved(rules: Rules, value: str) -> Said:
    return _said("note.reserved", reserved=" ".join(ch for ch in rules.template["reserved_characters"] if ch in value))


def _media(rules: Rules, text: str, low: str, check: Check) -> Iterator[tuple[str, Said]]:
    """Sizes, counts and file formats in TEXT (LOW, lower case) a template may not carry."""
    spec: Mapping[str, Any] = rules.template
    for match in _SIZE.finditer(text if len(text) == len(low) else low):
        try:
            kb = float(match.group(1).replace(",", "")) * _UNITS[match.group(2).lower()]
        except ValueError:
            continue
        if kb >= spec["max_total_kb"]:
            said = text[match.start():match.end()] if len(text) == len(low) else match.group(0)
            yield said, _said("note.size", size=said, limit=f"{spec['max_total_kb']:,}")
    for match in _COUNT.finditer(low):
        count, what = read_number(match.group(1), rules.number_words), match.group(2).lower()
        if count is None:
            continue
        if what in _VIDEOS and count > spec["max_videos"]:
            yield match.group(0), _said("note.videos", limit=spec["max_videos"])
        elif what not in _VIDEOS and (count if what in _FRAMES else count + 1) > spec["max_frames"]:
            yield match.group(0), _said("note.frames", limit=spec["max_frames"])
    # `words.alone`: "只放一张海报，一个字都不写", "text only": a template of one kind of frame
    if (said := next((w for w in dict(check.words).get("alone", ()) if _word_in(low, w)), None)) is not None:
        yield said, _said("note.alone")
    kinds = spec["media_kinds"]
    for match in _formats(check.formats).finditer(low):
        name = match.group(1)
        if name not in kinds:
            yield name, _said("note.format", format=name.upper(), formats=", ".join(k.upper() for k in kinds))


@functools.lru_cache(maxsize=8)
def _formats(names: tuple[str, ...]) -> re.Pattern:
    """One pattern finding any of NAMES as a word (each line asks once, not once a format)."""
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) or "(?!)"
    return re.compile(rf"(?<![a-z0-9])({alternatives})(?![a-z0-9])")


def _numbers(rules: Rules, text: str, low: str, cued: bool = True) -> Iterator[tuple[str, str | Said]]:
    """Phone numbers in TEXT that cannot receive, and (CUED: LOW speaks of numbers) how a number is
    read and the prefixes named that digital messages do not reach."""
    seen = set()
    for match in _PHONEISH.finditer(text):
        raw = match.group(0).strip()
        digits = re.sub(r"\D", "", raw)
        digits = digits[4:] if digits.startswith("0086") else digits[2:] if raw.startswith("+86") else digits
        if _DAYISH.fullmatch(raw) or not 10 <= len(digits) <= 13:   # an order number, a date, a short code
            continue
        number = numbers.lookup(raw, rules)
        if number.problem:
            seen.add(raw)
            yield raw, _number_problem(rules, number)
        elif cued and number.phone != raw and number.carrier:   # "+86 138-1234-5678, will that be accepted?": how it is read
            yield raw, _said("note.read_as", raw=raw, phone=number.phone, carrier=_carriers([number.carrier])[0])
    if not cued:
        return
    for prefix in _prefixes(low):
        if prefix in rules.unsupported and not any(prefix in raw for raw in seen):
            said = numbers.segment_said(prefix, rules)
            yield prefix, _said(said[0], **said[1]) if said else rules.unsupported[prefix]


def _number_problem(rules: Rules, number: numbers.Number) -> str | Said:
    """What is wrong with NUMBER, naming it as written, as the catalogue's sentence (`Number.said`) to be
    said in the reader's language; the account model's English (`Number.named_problem`) where the
    catalogue has none."""
    said = number.said(rules)
    return number.named_problem() if said is None else _said(said["say"], **said["fields"])


def _segments(rules: Rules, low: str) -> Iterator[tuple[str, Said]]:
    """Prefixes named in LOW ("numbers starting with 1703") that a carrier issues: whose they are."""
    for prefix in _prefixes(low):
        if prefix in rules.segments:
            yield prefix, _said("note.segment", prefix=prefix, carrier=_carriers([rules.segments[prefix]])[0])


def _industries(rules: Rules, low: str, check: Check) -> Iterator[tuple[str, Said]]:
    """The industries LOW names that a carrier refuses or takes only with documents (rules.yaml
    `carrier_rules`), and what the specification bans (`banned`): asked whether it may be sent."""
    named: list[str] = []
    for key, words in check.words:
        said = next((w for w in words if _word_in(low, w)), None)
        if said is None or any(said in other for other in named):
            continue   # "medical" of "medical beauty" names no second industry
        named.append(said)
        if key == "banned":
            yield said, _said("note.banned_content", content=said)
        elif (industry := rules.template_industries.get(key)) is not None and (industry.rejected_by or industry.requires_letter):
            refused, letters = _carriers(industry.rejected_by), _carriers(industry.requires_letter)
            yield said, _said(f"note.industry{'_refused' if refused else ''}{'_letters' if letters else ''}",
                              industry={"say": f"label.industry.{key}"}, refused=refused, letters=letters)


def _carriers(keys: Iterable[str]) -> tuple[dict[str, str], ...]:
    """Carriers by their names in the reader's language (catalogue labels, said with `messages.said`)."""
    return tuple({"say": f"label.carrier.{key}"} for key in keys)


def _prefixes(low: str) -> list[str]:
    return list(dict.fromkeys(m.group(1) or m.group(2) for m in _PREFIX.finditer(low)))


def _clock_times(low: str) -> list[int]:
    """The times of day LOW names, in minutes after midnight, in the order written."""
    times = []
    for m in _TIME.finditer(low):
        if m.group(1):
            hour, minute, half = int(m.group(1)), int(m.group(2)), m.group(3) or ""
        elif m.group(4):
            hour, minute, half = int(m.group(4)), 0, m.group(5)
        else:
            hour, minute, half = int(m.group(7)), 30 if m.group(8) else 0, m.group(6) or ""
        if half.startswith("p") or half in ("下午", "晚上") or (half == "中午" and hour < 11):
            hour += 12 if hour < 12 else 0
        if hour < 24 and minute < 60:
            times.append(hour * 60 + minute)
    return times


def _repeats(rules: Rules, low: str, check: Check) -> Iterator[tuple[str, Said]]:
    """One template sent to a number twice within 24 hours ("at 10:00 ... the same template again
    at 15:00"; "at 10:25 yesterday, and today at 09:00"), or once at a time with the question when it
    may go again (`words.again`: "got it at 10:25 yesterday. When can we send the same template
    again?"): flow control holds the second; when it may go."""
    times = _clock_times(low)
    if len(times) == 1:
        if not any(_word_in(low, word) for word in dict(check.words).get("again", ())):
            return
    elif len(times) < 2:
        return
    elif not 0 < times[1] - times[0] + (24 * 60 if any(word in low for word in _YESTERDAY) else 0) < 24 * 60:
        return   # 25 hours apart: flow control is not what held it
    limit = rules.sending["flow_control"]["same_template_per_24h"]
    first = f"{times[0] // 60:02d}:{times[0] % 60:02d}"
    yield first, _said("note.repeat", limit=limit, first=first)
