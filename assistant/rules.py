"""The account model's rules, read from `knowledge/rules.yaml` into typed values.

Code never holds a figure of the service: carriers, number segments, eligible industries,
holidays, signature and template rules and flow-control limits all come from here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

# Where a signature's name may come from (the FAQ's three kinds, enterprise and institution apart).
SOURCES = ("enterprise", "institution", "trademark", "app")


class TemplateIndustry(NamedTuple):
    rejected_by: dict[str, str] = {}  # never mutated: always passed explicitly
    requires_letter: dict[str, str] = {}  # never mutated: always passed explicitly


class Rules(NamedTuple):
    carriers: dict[str, str]
    segments: dict[str, str]            # prefix -> carrier key
    unsupported: dict[str, str]         # prefix -> reason
    account_industries: dict[str, bool]  # industry -> may enable
    holidays: frozenset[dt.date]
    signature: dict[str, Any]
    template: dict[str, Any]
    template_industries: dict[str, TemplateIndustry]
    sending: dict[str, Any]
    demo_account: dict[str, Any]
    handoff: dict[str, Any]

    @property
    def eligible_industries(self) -> list[str]:
        return [name for name, ok in self.account_industries.items() if ok]


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
    unsupported = {str(k): str(v) for k, v in (data.get("unsupported_segments") or {}).items()}
    industries = {str(k): bool((v or {}).get("enable", False)) for k, v in _section(data, "account_industries").items()}
    holidays = set()
    for day in data.get("holidays") or ():
        if not isinstance(day, dt.date):
            raise RulesError(f"holiday '{day}' must be a date written YYYY-MM-DD")
        holidays.add(day)
    template = dict(_section(data, "template"))
    template_industries = {
        str(name): TemplateIndustry(dict((spec or {}).get("rejected_by") or {}), dict((spec or {}).get("requires_letter") or {}))
        for name, spec in (template.pop("industries", None) or {}).items()
    }
    for name, industry in template_industries.items():
        for carrier in (*industry.rejected_by, *industry.requires_letter):
            if carrier not in carriers:
                raise RulesError(f"template industry '{name}' names unknown carrier '{carrier}'")
    review = template.get("review_business_days") or {}
    if set(review) != set(carriers):
        raise RulesError("template review_business_days needs one figure per carrier")
    return Rules(carriers, segments, unsupported, industries, frozenset(holidays), dict(_section(data, "signature")),
                 template, template_industries, dict(_section(data, "sending")), dict(data.get("demo_account") or {}),
                 {"urgent_within_business_days": 2, "kept_turns": 20, "max_text_chars": 4000, **(data.get("handoff") or {})})
