"""Mainland mobile numbers: normalise any common way of writing one, and find its carrier.

The carrier comes from the number segments of rules.yaml (longest prefix wins). Numbers have
been portable since 2019-12-01, so this is the carrier that issued the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .rules import Rules

_SEPARATORS = re.compile(r"[\s\-().]")


@dataclass(frozen=True)
class Number:
    """A checked number: `phone` is the 11 digits, `carrier` a key of rules.carriers, or `problem`."""

    raw: str
    phone: str | None
    carrier: str | None
    problem: str | None = None


def normalise(raw: str) -> str | None:
    """The 11 digits of RAW ("+86 138-0013-8000" -> "13800138000"), or None if it is not that shape."""
    text = _SEPARATORS.sub("", raw.strip())
    for prefix in ("+86", "0086", "86"):
        if text.startswith(prefix) and len(text) == 11 + len(prefix):
            text = text[len(prefix):]
            break
    return text if len(text) == 11 and text.isdigit() and text[0] == "1" else None


def lookup(raw: str, rules: Rules) -> Number:
    """Check RAW and find its carrier; a problem says in words what is wrong with it."""
    digits = _SEPARATORS.sub("", raw.strip())
    for size in (5, 4, 3):
        reason = rules.unsupported.get(digits[:size])
        if reason and len(digits) in (11, 13):
            return Number(raw, None, None, reason)
    phone = normalise(raw)
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
