"""The account model's rules, read from `knowledge/rules.yaml` into typed values.

Code never holds a figure of the service: carriers, number segments, eligible industries,
holidays, signature and template rules and flow-control limits all come from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .clock import DayWords, WorkCalendar
from .records import NamedTuple

# Where a signature's name may come from (the FAQ's three kinds, enterprise and institution apart).
SOURCES = ("enterprise", "institution", "trademark", "app")


class TemplateIndustry(NamedTuple):
    rejected_by: dict[str, str] = {}  # never mutated: always passed explicitly
    requires_letter: dict[str, str] = {}  # never mutated: always passed explicitly


class IndustryRule(NamedTuple):
    """What one carrier makes of one template industry."""
    rejects: str | None = None           # the carrier does not take the industry: the reason
    requires_letter: str | None = None   # it takes it with a legible supporting image: what it must show
    banned_words: tuple[str, ...] = ()   # products it refuses within the industry ...
    reason: str | None = None            # ... and the reason it gives


class ContentRule(NamedTuple):
    """Words a carrier refuses in a template's text unless it is filed under UNLESS_INDUSTRY."""
    words: tuple[str, ...]
    unless_industry: str | None
    reason: str


class CarrierRules(NamedTuple):
    """Everything one carrier decides on its own (rules.yaml `carrier_rules`)."""
    signature_sources: tuple[str, ...]   # where a signature's name may come from, for this carrier
    signature_review_business_days: tuple[int, int]
    template_review_business_days: int
    industries: dict[str, IndustryRule]
    content: tuple[ContentRule, ...]


class Rules(NamedTuple):
    carriers: dict[str, str]
    segments: dict[str, str]            # prefix -> carrier key
    unsupported: dict[str, str]         # prefix -> reason (in English: the account model's words)
    account_industries: dict[str, bool]  # industry -> may enable
    calendar: WorkCalendar              # mainland China's working days (library + overrides)
    signature: dict[str, Any]
    template: dict[str, Any]
    template_industries: dict[str, TemplateIndustry]
    sending: dict[str, Any]
    demo_account: dict[str, Any]
    handoff: dict[str, Any]
    carrier_rules: dict[str, CarrierRules]
    conversations: dict[str, Any] = {"per_token_per_minute": 20, "idle_expiry_minutes": 1440, "shown_lines": 400}  # the service's
    day_words: DayWords = DayWords()    # how a day is named in words ("3 days ago", 上周一): clock.parse_day
    number_words: dict[str, int] = {}   # "three": 3, 三: 3 (`text.read_number`; never mutated)
    unsupported_said: dict[str, dict[str, str]] = {}   # prefix -> the reason in each language rules.yaml gives
    reasons_said: dict[str, dict[str, str]] = {}   # a carrier rule's English reason -> it in each language given

    @property
    def holidays(self) -> WorkCalendar:
        """The calendar, under its old name: `day in rules.holidays` still means a day off."""
        return self.calendar

    @property
    def eligible_industries(self) -> list[str]:
        return [name for name, ok in self.account_industries.items() if ok]

    def reason_said(self, reason: str, lang: str) -> str:
        """REASON (a template's rejection, recorded in English) in LANG when it is one of the carrier rules'
        reasons and rules.yaml gives it in LANG; else REASON as it is (a reason a person typed stays as typed)."""
        texts = self.reasons_said.get(reason)
        return (texts.get(lang) or reason) if texts else reason

    def rejections(self, reasons: Mapping[str, str | None]) -> list[str]:
        """REASONS (carrier -> why it will reject, or None) as one line a reason, naming the carriers
        that give it ("every carrier" when all do)."""
        grouped: dict[str, list[str]] = {}
        for carrier, reason in reasons.items():
            if reason:
                grouped.setdefault(reason, []).append(self.carriers[carrier])
        return [f"{'Every carrier' if len(labels) == len(self.carriers) else ', '.join(labels)} will reject it: "
                f"{reason}" for reason, labels in grouped.items()]


class RulesError(ValueError):
    """rules.yaml is missing a section or holds a value of the wrong kind."""


def _section(data: dict, key: str) -> Any:
    if key not in data:
        raise RulesError(f"no '{key}' section; add it (see the shipped rules.yaml)")
    return data[key]


def _plain(value: Any) -> Any:
    """VALUE with the loader's line-tracking dicts and lists turned into plain ones (they pickle lightly)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _days(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RulesError(f"{what} must be a whole number of business days, not {value!r}")
    return value


def _reason(value: Any, where: str, said: dict[str, dict[str, str]]) -> str | None:
    """A carrier rule's reason as its English (None when not given): VALUE is a plain string (the English
    alone) or {en: ..., zh: ...}, whose texts are kept in SAID under the English."""
    if value is None:
        return None
    texts = {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {"en": str(value)}
    if not texts.get("en", "").strip():
        raise RulesError(f"{where} needs its reason in English (en: ...)")
    said.setdefault(texts["en"], {}).update(texts)
    return texts["en"]


def _carrier_rules(data: Any, carriers: dict[str, str], industries: list[str],
                   said: dict[str, dict[str, str]]) -> dict[str, CarrierRules]:
    """Each carrier's own rules; every carrier needs an entry, and every industry named must exist. Each
    reason's texts in every language go into SAID (English -> texts: `Rules.reasons_said`)."""
    if not isinstance(data, dict) or set(data) != set(carriers):
        raise RulesError(f"carrier_rules needs one entry per carrier: {', '.join(carriers)}")
    out = {}
    for carrier, spec in data.items():
        where = f"carrier_rules {carrier}"
        window = spec.get("signature_review_business_days")
        if not isinstance(window, list) or len(window) != 2:
            raise RulesError(f"{where}: signature_review_business_days must be [fewest, most]")
        low, high = (_days(v, f"{where} signature_review_business_days") for v in window)
        if low > high:
            raise RulesError(f"{where}: signature_review_business_days [{low}, {high}] must be [fewest, most]")
        rules = {}
        for name, rule in (spec.get("industries") or {}).items():
            if name not in industries:
                raise RulesError(f"{where} names unknown industry '{name}'; use one of template industries")
            at = f"{where} industry '{name}'"
            rule = IndustryRule(_reason(rule.get("rejects"), f"{at} rejects", said),
                                _reason(rule.get("requires_letter"), f"{at} requires_letter", said),
                                tuple(str(w) for w in rule.get("banned_words") or ()),
                                _reason(rule.get("reason"), f"{at} reason", said))
            if rule.banned_words and not rule.reason:
                raise RulesError(f"{where} industry '{name}' has banned_words but no reason to give")
            rules[str(name)] = rule
        content = []
        for rule in spec.get("content") or ():
            unless = rule.get("unless_industry")
            if unless is not None and unless not in industries:
                raise RulesError(f"{where} content rule names unknown industry '{unless}'")
            if not rule.get("words") or not rule.get("reason"):
                raise RulesError(f"{where}: a content rule needs words and a reason")
            content.append(ContentRule(tuple(str(w) for w in rule["words"]), unless,
                                       _reason(rule["reason"], f"{where} content rule", said) or ""))
        sources = tuple(str(x) for x in spec.get("signature_sources") or SOURCES)
        unknown = [x for x in sources if x not in SOURCES]
        if unknown:
            raise RulesError(f"{where}: unknown signature source '{unknown[0]}'; use some of {', '.join(SOURCES)}")
        out[carrier] = CarrierRules(sources, (low, high), _days(spec.get("template_review_business_days"),
                                                       f"{where} template_review_business_days"), rules, tuple(content))
    return out


def _dates(values: Any, what: str) -> set[dt.date]:
    days = set()
    for day in values or ():
        if not isinstance(day, dt.date):
            raise RulesError(f"{what} '{day}' must be a date written YYYY-MM-DD")
        days.add(day)
    return days


def _calendar(data: dict) -> WorkCalendar:
    """The working-day calendar: the official one, overridden by rules.yaml's `calendar` lists."""
    section = data.get("calendar") or {}
    if not isinstance(section, dict):
        raise RulesError("'calendar' must be a mapping with 'holidays' and 'workdays' lists")
    holidays = _dates(section.get("holidays"), "calendar holiday") | _dates(data.get("holidays"), "holiday")
    workdays = _dates(section.get("workdays"), "calendar working day")
    try:
        return WorkCalendar(holidays, workdays, official=bool(section.get("official", True)))
    except ValueError as exc:
        raise RulesError(f"calendar: {exc}") from None


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _counts(table: Any, where: str, example: str) -> dict[str, int]:
    """TABLE (words to whole numbers) as the readers compare its words: lower case, single spaces."""
    table = table or {}
    if not isinstance(table, dict) or any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in table.values()):
        raise RulesError(f"{where} must map words to whole numbers, e.g. {example}")
    return {_day_word(w): n for w, n in table.items()}


def _number_words(data: dict) -> dict[str, int]:
    """Numbers written as words (`number_words`: "three", 三), for every reader of one (`text.read_number`)."""
    return _counts(data.get("number_words"), "number_words", "three: 3")


def _day_words(data: dict, numbers: dict[str, int]) -> DayWords:
    """The words of days (`day_words`): each weekday once, whole numbers of days, lists of words;
    a number of days is read with NUMBERS (`number_words`)."""
    section = data.get("day_words") or {}
    if not isinstance(section, dict):
        raise RulesError("'day_words' must be a mapping (days_back, ago, weekdays, last_week, this_week)")

    def counts(key: str) -> dict[str, int]:
        return _counts(section.get(key), f"day_words {key}", "yesterday: 1")

    def words(key: str) -> tuple[str, ...]:
        # longest first, so that 上个 is tried before 上 and "days ago" before "day ago"
        return tuple(sorted((_day_word(w) for w in section.get(key) or ()), key=len, reverse=True))

    weekdays = section.get("weekdays") or {}
    if not isinstance(weekdays, dict) or (weekdays and set(weekdays) != set(WEEKDAYS)):
        raise RulesError(f"day_words weekdays needs one list of words for each of: {', '.join(WEEKDAYS)}")
    names = {_day_word(w): WEEKDAYS.index(day) for day, said in weekdays.items() for w in (day, *(said or ()))}
    return DayWords(counts("days_back"), numbers, words("ago"), names, words("last_week"), words("this_week"))


def _day_word(word: Any) -> str:
    """WORD as `clock.parse_day` compares it: lower case, single spaces."""
    return " ".join(str(word).lower().split())


def _conversations(data: dict) -> dict[str, Any]:
    """The service's conversation limits: whole numbers of at least 1."""
    limits = {"per_token_per_minute": 20, "idle_expiry_minutes": 1440, "shown_lines": 400,
              **(data.get("conversations") or {})}
    for key in ("per_token_per_minute", "idle_expiry_minutes", "shown_lines"):
        if not isinstance(limits[key], int) or isinstance(limits[key], bool) or limits[key] < 1:
            raise RulesError(f"conversations {key} must be a whole number of at least 1, not {limits[key]!r}")
    return limits


def _sending(data: dict) -> dict[str, Any]:
    sending = {"shown_as": "[{signature}]{text}", **_section(data, "sending")}
    try:
        sending["shown_as"].format(signature="S", text="T")
    except (KeyError, IndexError, ValueError, AttributeError):
        raise RulesError("sending shown_as may use only {signature} and {text}, e.g. '[{signature}]{text}'") from None
    return sending


def _traditional(value: Any) -> dict[str, str]:
    """The table of traditional-only characters, {traditional: simplified}, one character each side."""
    if not isinstance(value, dict):
        raise RulesError("traditional_characters must be a mapping of traditional: simplified characters")
    table = {}
    for old, new in value.items():
        old, new = str(old), str(new)
        if len(old) != 1 or len(new) != 1 or old == new:
            raise RulesError(f"traditional_characters '{old}: {new}' must pair two different single characters")
        table[old] = new
    return table


def _emoji(value: Any) -> tuple[tuple[int, int], ...]:
    """The code-point ranges counted as emoji ("1F000-1FAFF" or one point "FE0F"), as (first, last)."""
    ranges = []
    for item in value or ():
        first, _, last = str(item).partition("-")
        try:
            low, high = int(first, 16), int(last or first, 16)
        except ValueError:
            raise RulesError(f"template emoji range '{item}' must be hexadecimal code points, e.g. 1F000-1FAFF") from None
        if low > high:
            raise RulesError(f"template emoji range '{item}' must run from the lower code point to the higher")
        ranges.append((low, high))
    return tuple(ranges)


def parse(data: Any) -> Rules:
    """Rules from the parsed rules.yaml; raise RulesError naming the first thing wrong."""
    data = _plain(data)
    if not isinstance(data, dict):
        raise RulesError("rules.yaml must be a mapping of sections")
    carriers = {str(k): str(v) for k, v in _section(data, "carriers").items()}
    segments: dict[str, str] = {}
    for carrier, prefixes in _section(data, "number_segments").items():
        if carrier not in carriers:
            raise RulesError(f"number_segments names unknown carrier '{carrier}'; use one of {', '.join(carriers)}")
        for prefix in prefixes:
            prefix = str(prefix)
            if not prefix.isdigit() or not prefix.startswith("1"):
                raise RulesError(f"number segment '{prefix}' of {carrier} must be digits starting with 1")
            if prefix in segments:
                raise RulesError(f"number segment '{prefix}' is listed under {segments[prefix]} and {carrier}; keep one")
            segments[prefix] = carrier
    unsupported_said = _unsupported(data.get("unsupported_segments") or {})
    unsupported = {prefix: texts["en"] for prefix, texts in unsupported_said.items()}
    industries = {str(k): bool((v or {}).get("enable", False)) for k, v in _section(data, "account_industries").items()}
    calendar = _calendar(data)
    template = dict(_section(data, "template"))
    template["emoji"] = _emoji(template.get("emoji"))
    template["traditional_characters"] = _traditional(data.get("traditional_characters") or {})
    template_names = [str(name) for name in (template.pop("industries", None) or ())]
    if not template_names:
        raise RulesError("template industries must list the industries a template may be filed under")
    reasons_said: dict[str, dict[str, str]] = {}
    carrier_rules = _carrier_rules(_section(data, "carrier_rules"), carriers, template_names, reasons_said)
    template_industries = {name: TemplateIndustry(
        {c: r.industries[name].rejects for c, r in carrier_rules.items() if name in r.industries and r.industries[name].rejects},
        {c: r.industries[name].requires_letter for c, r in carrier_rules.items()
         if name in r.industries and r.industries[name].requires_letter}) for name in template_names}
    return Rules(carriers, segments, unsupported, industries, calendar, dict(_section(data, "signature")),
                 template, template_industries, _sending(data), dict(data.get("demo_account") or {}),
                 {"urgent_within_business_days": 2, "kept_turns": 20, "max_text_chars": 4000,
                  "recent_failed_send_hours": 24, **(data.get("handoff") or {})},
                 carrier_rules, _conversations(data), _day_words(data, numbers := _number_words(data)), numbers,
                 unsupported_said, reasons_said)


def _unsupported(items: Any) -> dict[str, dict[str, str]]:
    """`unsupported_segments`: each prefix with its reason by language ({en: ..., zh: ...}; a plain
    string is the English alone)."""
    if not isinstance(items, dict):
        raise RulesError("unsupported_segments must map each prefix to the reason it is not reached")
    out: dict[str, dict[str, str]] = {}
    for prefix, reason in items.items():
        texts = {str(k): str(v) for k, v in reason.items()} if isinstance(reason, dict) else {"en": str(reason)}
        if not texts.get("en", "").strip():
            raise RulesError(f"unsupported segment '{prefix}' needs its reason in English (en: ...)")
        out[str(prefix)] = texts
    return out
