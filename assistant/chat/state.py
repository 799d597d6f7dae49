"""A conversation's state as plain JSON data, so a service can hold the conversation the REPL holds
across requests (and workers) with nothing but the database in between. Never pickle.

What is kept: the turns, the request being filled in, the numbered choices and the offer awaiting
yes or no (each as the "deed" it does, plain data), the counters and the objects last talked about.
A choice or offer made without a deed cannot be rebuilt and is dropped rather than guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from ..errors import UserError
from ..knowledge import Slot
from .lines import Line, Pick
from .offers import Offer
from .slots import Flow

if TYPE_CHECKING:
    from ..conversation import Conversation

VERSION = 1


def deed(conv: Conversation, deed: dict[str, Any]) -> Callable[[], list[Line]]:
    """The callable a DEED describes: {"do": "run"|"start"|"handoff"|"resolve", ...}."""
    do = deed.get("do")
    if do == "run":
        return lambda: conv.run(deed["name"], dict(deed.get("args") or {}))
    if do == "start":
        return lambda: conv.start(deed["name"], dict(deed.get("args") or {}), str(deed.get("said") or ""),
                                  confirmed=bool(deed.get("confirmed")))
    if do == "handoff":
        return lambda: conv.handoff(deed.get("reason"), deed.get("trigger"))
    if do == "resolve":
        return lambda: conv.meant(deed["question"], deed["key"], deed["confidence"])
    raise ValueError(f"unknown deed {do!r}")


def dump(conv: Conversation) -> dict[str, Any]:
    """CONV's state as JSON-ready data."""
    flow = conv.flow
    return {
        "version": VERSION, "turns": conv.turns, "fallbacks": conv.fallbacks, "unanswered": conv.unanswered,
        "failures": conv.failures, "in_a_row": conv.in_a_row, "last": conv.last, "done": conv.done,
        "lang": conv.lang, "lang_setting": conv.lang_setting, "shell": conv.shell, "started": conv.started,
        # the numbers mean nothing if one choice is missing: all of them, or none
        "picks": [{"label": p.label, "key": p.key, "deed": p.deed} for p in conv.picks]
        if all(p.deed for p in conv.picks) else [],
        "offer": {"question": conv.offer.question, "deed": conv.offer.deed, "said": conv.offer.said}
        if conv.offer and conv.offer.deed else None,
        "flow": None if flow is None else {**asdict(flow), "slots": [list(s) for s in flow.slots]},
    }


def load(conv: Conversation, data: dict[str, Any]) -> Conversation:
    """Put DATA (from `dump`) back into CONV, a fresh conversation on the request's context."""
    if data.get("version") != VERSION:
        raise UserError("this conversation was kept by another version of the assistant; start a new one")
    conv.turns, conv.fallbacks = list(data["turns"]), data["fallbacks"]
    conv.unanswered, conv.failures = list(data["unanswered"]), data["failures"]
    conv.in_a_row = data.get("in_a_row", conv.failures)   # kept before it was: the failures, as they counted then
    conv.last, conv.done = dict(data["last"]), data["done"]
    conv.lang = data.get("lang", conv.lang)
    conv.lang_setting = data.get("lang_setting", conv.lang_setting)
    conv.shell = data.get("shell", conv.shell)
    conv.started = data.get("started")
    conv.picks = [Pick(p["label"], deed(conv, p["deed"]), p["key"], p["deed"]) for p in data["picks"]]
    offer = data["offer"]
    conv.offer = None if offer is None else Offer(offer["question"], deed(conv, offer["deed"]), offer["deed"],
                                                  offer.get("said"))   # stored before offers kept their id: none
    flow = data["flow"]
    conv.flow = None if flow is None else Flow(**{**flow, "slots": [Slot(*s) for s in flow["slots"]]})
    return conv
