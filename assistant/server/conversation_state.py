"""A conversation's state as plain JSON, so a web chat holds the same conversation the REPL holds
across requests (and workers) with nothing but the database in between. Never pickle.

What is kept: the turns, the request being filled in (action, values, slots still to ask, whether
it waits for "go ahead"), the numbered choices, the offer awaiting yes or no, the counters and the
objects last talked about. An offer is kept by its question and rebuilt from it: the offers are the
conversation's own few kinds (hand to a manager, or run the action an FAQ answer suggests).
"""

from __future__ import annotations

from typing import Any

from ..conversation import Conversation, _Flow, _Offer
from ..knowledge import Slot
from ..router import Suggestion


def dump(conv: Conversation) -> dict[str, Any]:
    """CONV's state as JSON-ready data."""
    flow = conv.flow
    return {
        "turns": conv.turns, "fallbacks": conv.fallbacks, "unanswered": conv.unanswered,
        "failures": conv.failures, "last": conv.last, "done": conv.done,
        "picks": [list(s) for s in conv.picks],
        "offer": conv.offer.question if conv.offer else None,
        "flow": None if flow is None else {"action": flow.action, "args": flow.args, "confirming": flow.confirming,
                                           "slots": [list(s) for s in flow.slots]},
    }


def load(conv: Conversation, state: dict[str, Any]) -> Conversation:
    """Put STATE (from `dump`) back into CONV, a fresh conversation on the request's context."""
    conv.turns, conv.fallbacks = list(state["turns"]), state["fallbacks"]
    conv.unanswered, conv.failures = list(state["unanswered"]), state["failures"]
    conv.last, conv.done = dict(state["last"]), state["done"]
    conv.picks = [Suggestion(*s) for s in state["picks"]]
    flow = state["flow"]
    conv.flow = None if flow is None else _Flow(flow["action"], flow["args"], [Slot(*s) for s in flow["slots"]],
                                                flow["confirming"])
    conv.offer = _offer(conv, state["offer"]) if state["offer"] else None
    return conv


def _offer(conv: Conversation, question: str) -> _Offer | None:
    handoffs = {
        "Shall I hand this to a support manager, with our conversation attached?":
            lambda: conv._handoff(" / ".join(conv.unanswered[-3:]), "unanswered_question"),
        "This keeps failing. Hand it to a support manager, with our conversation attached?": lambda: conv._handoff(),
        "Hand this to a support manager now?": lambda: conv._handoff(),
    }
    if question in handoffs:
        return _Offer(question, handoffs[question])
    for action in conv.kb.actions.values():  # the offer after an FAQ answer: "<description> now?"
        described = action.description[:-1] if action.description.endswith(".") else action.description
        if question == f"{described} now?":
            return _Offer(question, lambda name=action.name: conv._start(name, {}))
    return None  # an offer this code does not know is dropped rather than guessed
