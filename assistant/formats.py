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


# What is wrong with a signature's name, and its fix, in the account model's English (the faults of
# `name_faults`); the message catalogue says the same as `signature_name.FAULT` and `signature_name.FAULT.fix`
# in every language (tests/test_symptoms.py keeps the English the same).
NAME_FAULTS = {
    "spaces": ("has spaces", "write it without spaces"),
    "spaces_hint": ("has spaces", "write it without spaces, e.g. '{usable}'"),
    "length": ("has {count} characters", "use {low} to {high}"),
    "symbols": ("contains {chars}", "use only Chinese characters, letters and digits (no symbols or emoji)"),
    "digits": ("is digits only", "include letters or Chinese characters"),
    "letters": ("is letters only", "include Chinese characters or digits"),
    "generic": ("is a generic word", "use the name of your enterprise, institution, trademark or app"),
}


def name_faults(rules: Mapping[str, Any], name: str) -> tuple[str, str, list[tuple[str, dict[str, Any]]]] | None:
    """(the service's code, the name as shown, its faults) when NAME breaks the signature name RULES
    (rules.yaml `signature`), else None: each fault a key of NAME_FAULTS with its fields, every one
    named at once so that a name is corrected in one go."""
    faults: list[tuple[str, dict[str, Any]]] = []
    shown = name
    if name != name.strip() or any(ch.isspace() for ch in name):
        usable = "".join(ch for ch in name if is_cjk(ch) or (ch.isascii() and ch.isalnum()))
        hint = usable and name_problem(rules, usable) is None     # a hint that is itself valid
        faults.append(("spaces_hint", {"usable": usable}) if hint else ("spaces", {}))
    else:
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


def name_problem(rules: Mapping[str, Any], name: str) -> tuple[str, str] | None:
    """(the service's code, what is wrong and how to fix it) when NAME breaks the signature name
    RULES (rules.yaml `signature`), else None. Every fault is named at once ("has spaces and
    contains '!'"), each with its fix, so a name is corrected in one go. The assistant also says
    this of a name a question quotes ("the console won't take "ACME-China!""): see assistant/symptoms.py."""
    found = name_faults(rules, name)
    if found is None:
        return None
    code, shown, faults = found
    said = [NAME_FAULTS[kind][0].format(**fields) for kind, fields in faults]
    what = said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
    return code, f"signature '{shown}' {what}; " + "; ".join(NAME_FAULTS[kind][1].format(**fields) for kind, fields in faults)


def name_sentence(shown: str, faults: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """What `name_problem` says of the name SHOWN with FAULTS (`name_faults`), as the catalogue's sentence
    `note.signature_name` ({"say": id, "fields": ...}, said with `messages.said`): the faults
    (`signature_name.FAULT`) and each one's fix (`signature_name.FAULT.fix`), so that a question quoting
    the name and the refusal of the name itself say it alike in every language."""
    said = [{"say": f"signature_name.{kind}", "fields": fields} for kind, fields in faults]
    fixes = [{"say": f"signature_name.{kind}.fix", "fields": fields} for kind, fields in faults]
    what = said[0] if len(said) == 1 else {"say": "list.and", "fields": {"listed": said[:-1], "last": said[-1]}}
    then = fixes[-1]
    for fix in reversed(fixes[:-1]):
        then = {"say": "signature_name.fixes", "fields": {"first": fix, "then": then}}
    return {"say": "note.signature_name", "fields": {"name": shown, "what": what, "fixes": then}}


# What is wrong with a template's characters, in the account model's English (the faults of
# `characters_fault`); the message catalogue says the same as `note.template_characters.FAULT` in every
# language (tests/test_symptoms.py keeps the English the same).
CHARACTER_FAULTS = {
    "traditional": "the text uses traditional Chinese {chars}; write them in simplified Chinese: {simplified}",
    "emoji": ("the text contains emoji {emoji}; remove them (a template's text is Chinese, letters, "
              "digits and punctuation only)"),
}


def characters_fault(spec: Mapping[str, Any], text: str) -> tuple[str, dict[str, str]] | None:
    """(a key of CHARACTER_FAULTS, its fields) when TEXT has traditional characters or emoji, which the
    service does not take (isv.UNSUPPORTED_CONTENT), naming each and, for a traditional one, its
    simplified form; None when it has none."""
    table = spec.get("traditional_characters") or {}
    traditional = list(dict.fromkeys(ch for ch in text if ch in table))
    if traditional:
        return "traditional", {"chars": " ".join(traditional), "simplified": " ".join(table[ch] for ch in traditional)}
    emoji = _emoji_in(text, spec.get("emoji") or ())
    if emoji:
        return "emoji", {"emoji": " ".join(emoji)}
    return None


def characters_problem(spec: Mapping[str, Any], text: str) -> str | None:
    """What is wrong with TEXT's traditional characters or emoji (`characters_fault`), in English; None
    when it has none. A template's text a question quotes gets the same in the question's language
    (assistant/symptoms.py)."""
    found = characters_fault(spec, text)
    return None if found is None else CHARACTER_FAULTS[found[0]].format(**found[1])


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
