"""What the conversation says about numbers and empty lists, in its own language.

The checks themselves (assistant/numbers.py, the send's preview) word what is wrong with a number
in English, for the CLI and the service; a conversation says the same sentence from the message
catalogue (`number.*`, which `numbers.detail_said` names) in the language it speaks. A reason
that is the rules' own words (an unsupported segment's) is said in the language rules.yaml gives it
in (`number.unsupported`). The notes on the numbers
a request names come from the router already in the conversation's language (`numbers.Reading.said`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..numbers import detail_said, lookup

if TYPE_CHECKING:
    from ..conversation import Conversation


def problem(conv: Conversation, raw: str, english: str | None) -> str | None:
    """ENGLISH, what `numbers.lookup(RAW)` found wrong, in the conversation's language (as it is where
    the catalogue does not say it: `numbers.detail_said`)."""
    said = detail_said(raw, english, conv.ctx.rules)
    if said is None:
        return english
    msg_id, fields = said
    return conv.say(msg_id, **fields)


def named_problem(conv: Conversation, raw: str) -> str:
    """What is wrong with number RAW, naming it as written (`Number.named_problem`), in the conversation's language."""
    number = lookup(raw, conv.ctx.rules)
    said = problem(conv, raw, number.problem) or ""
    return said if raw in said else conv.say("number.problem", number=raw, problem=said)


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
