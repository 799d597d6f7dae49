"""What the conversation says about numbers and empty lists, in its own language.

The checks themselves (assistant/numbers.py, the send's preview, the router's notes) word what
is wrong with a number in English, for the CLI and the service; a conversation says the same
sentence from the message catalogue (`number.*`) in the language it speaks. A sentence it does
not recognise (an unsupported segment's reason, which is the rules' own words) is said as it is.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..numbers import lookup, note_said, problem_said, unread_note

if TYPE_CHECKING:
    from ..conversation import Conversation

_REPEAT = re.compile(r"(?P<written>.+): the same number as (?P<first>.+) \((?P<phone>\d{11})\); "
                     r"it is one recipient, sent once")


def problem(conv: Conversation, raw: str, english: str | None) -> str | None:
    """ENGLISH, what `numbers.lookup(RAW)` found wrong, in the conversation's language."""
    said = problem_said(raw, conv.ctx.rules)
    if english is None or said is None or english != lookup(raw, conv.ctx.rules).problem:
        return english
    msg_id, fields = said
    return conv.say(msg_id, **fields)


def named_problem(conv: Conversation, raw: str) -> str:
    """What is wrong with number RAW, naming it as written (`Number.named_problem`), in the conversation's language."""
    number = lookup(raw, conv.ctx.rules)
    said = problem(conv, raw, number.problem) or ""
    return said if raw in said else conv.say("number.problem", number=raw, problem=said)


def note(conv: Conversation, text: str) -> str:
    """A note on the numbers a line names (the router's `notes`, a preview's repeats: "12345: not a
    mobile number ...", "010-62345678: a landline ...", "138...: the same number as ..."), in the
    conversation's language; any other note as it is."""
    if repeat := _REPEAT.fullmatch(text):
        return conv.say("number.repeat", **repeat.groupdict())
    token, sep, rest = text.partition(": ")
    if not sep:
        return text
    if text == unread_note(token):
        msg_id, fields = note_said(token)
        return conv.say(msg_id, **fields)
    english = lookup(token, conv.ctx.rules).problem
    if english is not None and rest == english:
        return conv.say("number.problem", number=token, problem=problem(conv, token, english))
    return text


def no_sends(conv: Conversation, template: str | None, day: str | None) -> str:
    """"No sends yet." (or none of TEMPLATE, none made on DAY) in the conversation's language."""
    made = "made" if day in ("today", "yesterday") else "on"
    if made == "made":                        # the words of the day the request read ("昨天" is "yesterday")
        day = conv.say(f"sends.day.{day}")
    if template and day:
        return conv.say(f"sends.none.of_{made}", template=template, day=day)
    if template:
        return conv.say("sends.none.of", template=template)
    if day:
        return conv.say(f"sends.none.{made}", day=day)
    return conv.say("sends.none")
