"""The service's format rules for a signature's name and a template's text, as plain functions.

The account model refuses with them (assistant/actions/signatures.py, templates.py), and the
assistant says with them what is wrong with a name or a text a question quotes
(assistant/symptoms.py): one check, so the answer and the refusal never disagree.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from .text import is_cjk

# The service's codes for refused signature names.
NAME_ILLEGAL = "isv.SIGN_NAME_ILLEGAL"
EMOJI_ILLEGAL = "isv.SMS_SIGN_EMOJI_ILLEGAL"


def control_characters(text: str) -> list[str]:
    """The control and invisible formatting characters of TEXT (a tab, a NUL, a zero-width space), each once."""
    return sorted({ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf")})


def name_faults(rules: Mapping[str, Any], name: str) -> tuple[str, str, list[tuple[str, dict[str, Any]]]] | None:
    """(the service's code, the name as shown, its faults) when NAME breaks the signature name RULES
    (rules.yaml `signature`), else None: each fault (`signature_name.FAULT` of the message catalogue, which
    words it in every language, the account model's English too: `name_sentence`) with its fields, every one
    named at once so that a name is corrected in one go."""
    faults: list[tuple[str, dict[str, Any]]] = []
    shown = name
    controls = control_characters(name)
    if controls:   # a tab or a NUL is named as what it is, never taken for a space or stripped
        faults.append(("control", {"chars": " ".join(repr(ch) for ch in controls)}))
        name = "".join(ch for ch in name if ch not in controls)
    if name != name.strip() or any(ch.isspace() for ch in name):
        usable = "".join(ch for ch in name if is_cjk(ch) or (ch.isascii() and ch.isalnum()))
        hint = usable and name_faults(rules, usable) is None     # a hint that is itself valid
        faults.append(("spaces_hint", {"usable": usable}) if hint else ("spaces", {}))
    elif not controls:
        shown = name = unicodedata.normalize("NFKC", name)
    low, high = rules["min_length"], rules["max_length"]
    if not low <= len(name) <= high:
        faults.append(("length", {"count": len(name), "low": low, "high": high}))
    bad = sorted({ch for ch in name if not (ch.isspace() or is_cjk(ch) or (ch.isascii() and ch.isalnum()))})
    if bad:
        faults.append(("symbols", {"chars": " ".join(repr(c) for c in bad)}))
    word = "".join(ch for ch in name if not ch.isspace())
    if word.isdigit():
        faults.append(("digits", {}))
    if not rules.get("allow_letters_only", True) and word.isascii() and word.isalpha():
        faults.append(("letters", {}))
    if word.casefold() in {str(w).casefold() for w in rules.get("generic_words", ())}:
        faults.append(("generic", {}))
    if not faults:
        return None
    code = EMOJI_ILLEGAL if any(unicodedata.category(ch) == "So" for ch in bad) else NAME_ILLEGAL
    return code, shown, faults


def name_sentence(shown: str, faults: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """What is wrong with the name SHOWN with FAULTS (`name_faults`) and how to fix it, as the catalogue's
    sentence `note.signature_name` ({"say": id, "fields": ...}, said with `messages.said`): the faults
    (`signature_name.FAULT`) and each one's fix (`signature_name.FAULT.fix`). The one wording: the account
    model refuses the name with its English (signatures.check_name), a question quoting the name is
    answered with it in the question's language (assistant/symptoms.py)."""
    said = [{"say": f"signature_name.{kind}", "fields": fields} for kind, fields in faults]
    fixes = [{"say": f"signature_name.{kind}.fix", "fields": fields} for kind, fields in faults]
    what = said[0] if len(said) == 1 else {"say": "list.and", "fields": {"listed": said[:-1], "last": said[-1]}}
    then = fixes[-1]
    for fix in reversed(fixes[:-1]):
        then = {"say": "signature_name.fixes", "fields": {"first": fix, "then": then}}
    return {"say": "note.signature_name", "fields": {"name": shown, "what": what, "fixes": then}}


def characters_fault(spec: Mapping[str, Any], text: str) -> tuple[str, dict[str, str]] | None:
    """(the fault, its fields) when TEXT has traditional characters or emoji, which the service does not
    take (isv.UNSUPPORTED_CONTENT), naming each and, for a traditional one, its simplified form; None when
    it has none. The catalogue words each fault (`note.template_characters.FAULT`) in every language: the
    account model's refusal (templates.check_text) and the answer to a question quoting the text alike."""
    table = spec.get("traditional_characters") or {}
    traditional = list(dict.fromkeys(ch for ch in text if ch in table))
    if traditional:
        return "traditional", {"chars": " ".join(traditional), "simplified": " ".join(table[ch] for ch in traditional)}
    emoji = _emoji_in(text, spec.get("emoji") or ())
    if emoji:
        return "emoji", {"emoji": " ".join(emoji)}
    return None


def _emoji_in(text: str, ranges: Sequence[tuple[int, int]]) -> list[str]:
    """The emoji of TEXT, each once, as shown: a character in RANGES, or one that an emoji
    variation selector (also in RANGES) follows, shown with it ("❤️"); a lone selector by its code."""
    found: list[str] = []
    for i, ch in enumerate(text):
        if not any(low <= ord(ch) <= high for low, high in ranges):
            continue
        if unicodedata.category(ch) == "Mn":       # the selector: the emoji is the character it follows
            ch = text[i - 1] + ch if i and unicodedata.category(text[i - 1]) != "Mn" else f"U+{ord(ch):04X}"
            if ch[:1] in found:
                found.remove(ch[:1])
        if ch not in found:
            found.append(ch)
    return found
