"""Offers: "... now? [y/N]" after an answer, a failure or a missing precondition.

Yes to an offer is the confirmation: the action starts as confirmed, so it is not asked again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import lang as language
from ..choices import after_yes, answer_first, yes_or_no
from .lines import Line, after_correction, after_leaving

if TYPE_CHECKING:
    from ..conversation import Conversation


@dataclass
class Offer:
    question: str
    run: Callable[[], list[Line]]
    deed: dict | None = None    # RUN as plain data (see Conversation.deed), so the offer survives dump/load
    # the catalogue's id of QUESTION and its fields ({"id": "offer.topup", "fields": {}}), so that it is
    # asked again in the conversation's language of the moment ("谢谢" at an English offer)
    said: dict | None = None


def asked(conv: Conversation, offer: Offer) -> str:
    """OFFER's question as the conversation asks it now: from the catalogue in its language, when
    the offer was made from it."""
    return conv.say(offer.said["id"], **offer.said["fields"]) if offer.said else offer.question


def phrase(text: str) -> str:
    """TEXT as a yes/no question ending in "now?", with no word said twice in a row."""
    words = text.strip().rstrip(".?!").split()
    if not words or words[-1].casefold() != "now":
        words.append("now")
    kept = [w for n, w in enumerate(words) if n == 0 or w.casefold() != words[n - 1].casefold()]
    return " ".join(kept) + "?"


def make(conv: Conversation, said: str, deed: dict, **fields: Any) -> Line:
    """Put the catalogue's question SAID (with FIELDS) on offer (the DEED it runs on yes) and return
    the line that asks it."""
    return _made(conv, Offer(conv.say(said, **fields), conv.deed(deed), deed, {"id": said, "fields": fields}))


def _made(conv: Conversation, offer: Offer) -> Line:
    conv.offer = offer
    return Line("choice", conv.yes_no(offer.question))


def action(conv: Conversation, name: str, args: dict[str, Any] | None = None, said: str | None = None,
           left: str | None = None, fields: dict[str, Any] | None = None) -> Line:
    """Offer action NAME, asked with the catalogue's SAID (and FIELDS), else its `offer.NAME`, else the
    action's description as a question; yes starts it already confirmed. LEFT: the request that could
    not go on without it ("回去继续" at the offer takes that one up again, chat/slots.py `resumed_at_offer`)."""
    deed = {"do": "start", "name": name, "args": dict(args or {}), "confirmed": True, **({"left": left} if left else {})}
    said = said or (f"offer.{name}" if f"offer.{name}" in conv.kb.messages else None)
    if said is None:
        return _made(conv, Offer(phrase(conv.kb.actions[name].description), conv.deed(deed), deed))
    return make(conv, said, deed=deed, **(fields or {}))


MANAGER_HANDOFF = "You are the support manager here: the tickets are in /queue, and /show ID opens one."


def handoff(conv: Conversation, said: str, reason: str | None = None, trigger: str | None = None,
            **fields: Any) -> list[Line]:
    """Offer a support manager, asked with the catalogue's SAID; never to a manager, who is the
    support manager."""
    if conv.role == "manager":
        return []
    return [make(conv, said, deed={"do": "handoff", "reason": reason, "trigger": trigger}, **fields)]


def pending_action(offer: Offer) -> str | None:
    """The action an offer would run or start ("handoff" for a handoff), from its deed."""
    deed = offer.deed or {}
    return "handoff" if deed.get("do") == "handoff" else deed.get("name")


def reading(conv: Conversation, text: str, pending: str | None) -> tuple[str | None, str]:
    """How TEXT answers a yes/no question about action PENDING, and the rest of it to handle as
    the person's next line.

    A yes or a no that opens a sentence answers ("no. I want to talk to a person" is no, then a
    request for a person); a yes followed by words restating what was offered is a yes ("sure,
    go ahead and enable it"); a yes followed by a question or request the assistant understands
    is a yes, then that line ("ok what do I need to do to start sending?"), unless the yes word is the
    question's own ("can you escalate it to someone?": no answer, a request); a first sentence or clause that
    drops it ("no, never mind. what's ...", `lines.after_leaving`) is a no, then the rest; a change of mind ("不对", "wait, no":
    messages.yaml `leaving.correct`) and then a question or request is a no, then that line. Anything else is
    `yes_or_no`'s reading (None: not an answer at all).
    """
    if (dropped := after_leaving(text, conv.kb.leaving)) is not None:
        return "no", dropped            # "no, never mind. what's the per-number limit?": a no, then that question
    answer, rest = answer_first(text, conv.kb.answers)
    if answer not in ("yes", "no") and (changed := after_correction(text, conv.kb.leaving)) and \
            yes_or_no(changed, conv.kb.answers) is None:
        reply = conv.router.route(changed, conv.lang)
        if (reply.type in ("answer", "action") and reply.confidence >= conv.kb.thresholds.answer) \
                or conv.router.form(changed) == "question" or language.asks_in_chinese(changed):
            return "no", changed            # "不对，我想先看下余额": a change of mind, then that line
    if answer == "yes" and rest:
        said_again = after_yes(text, conv.kb.answers) or rest
        reply = conv.router.route(said_again)
        if reply.type == "action" and reply.action == pending:
            # "sure, go ahead and enable it": the offer said again; with its values ("好，那就用AcmeShop申请签名，
            # 来源是商标"), those are the request's, so the rest goes on to fill it
            return "yes", rest if reply.args else ""
    if answer in ("yes", "no") or answer is None:
        return answer, rest
    words = after_yes(text, conv.kb.answers)
    if not words:
        return answer, ""
    if conv.router.form(text) != conv.router.form(words):
        return None, ""                     # "can you escalate it to someone?": the yes word opens the question
    if yes_or_no(words, conv.kb.answers) not in (None, "yes"):
        return answer, ""                   # "sure, but later today": a no or a doubt in it
    reply = conv.router.route(words)
    if reply.type == "action" and (reply.action == pending or (pending == "handoff" and reply.action == "handoff")):
        return "yes", ""                    # the offer said again
    if reply.type in ("answer", "action") and reply.confidence >= conv.kb.thresholds.answer:
        return "yes", words
    return answer, ""
