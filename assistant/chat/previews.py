"""What a change will do, shown before it is confirmed.

The send preview is a dry run of the send's own checks (`sending.preview`): per number, what
will happen and why, flow control and balance included, so it cannot promise what the send
then refuses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import render
from ..actions import handoff, sending, signatures, templates
from ..messages import joined, said
from ..numbers import Repeat
from .lines import Line

if TYPE_CHECKING:
    from ..conversation import Conversation

SHOWN = 20  # numbers listed one by one; the rest are counted


def preview(conv: Conversation, name: str, args: dict[str, Any]) -> list[Line]:
    """What the state-changing action NAME will do with ARGS (the question comes after)."""
    ctx = conv.ctx
    carriers = ctx.rules.carriers
    say = conv.say
    if name == "enable":
        return [Line("info", say("preview.enable", account=ctx.account))]
    if name == "signature.submit":
        windows = [r.signature_review_business_days for r in ctx.rules.carrier_rules.values()]
        fewest, most = min(w[0] for w in windows), max(w[1] for w in windows)
        return [Line("info", say("preview.signature.submit", name=args["name"], source=label(conv, "source", args["source"]),
                                 carriers=_carriers(conv, carriers), fewest=fewest, most=most))] + \
            _will_reject(conv, args["name"], args["source"])
    if name == "signature.update":
        source = say("preview.with_source", source=label(conv, "source", args["source"])) if args.get("source") else ""
        # what the new review will decide, foreseen as for a first submission: a profile still not naming
        # it is the same rejection again, said before the yes rather than days later
        chosen = signatures.resubmitted_source(ctx, args["name"], args.get("source"))
        return [Line("info", say("preview.signature.update", name=args["name"], source=source))] + \
            (_will_reject(conv, args["name"], chosen) if chosen else [])
    if name == "template.create":
        letter = say("preview.with_letter") if args.get("letter") else ""
        lines = [Line("info", say("preview.template.create", name=args["name"], signature=args["signature"],
                                  industry=label(conv, "industry", args["industry"]), text=args["text"],
                                  count=len(args["media"]), letter=letter))]
        industry = ctx.rules.template_industries[args["industry"]]
        needs = industry.requires_letter
        if needs and not args.get("letter"):
            lines.append(Line("warn", say("preview.no_letter", carriers=_carriers(conv, needs))))
        lines += [Line("warn", say("preview.rejects", reason=_rejects(conv, reason)))
                  for reason in industry.rejected_by.values()]
        return lines
    if name == "handoff":   # said before the yes: a new ticket, or the account's open one added to
        ticket = handoff.open_id(ctx)
        return [Line("info", say("preview.handoff") if ticket is None else say("preview.handoff.add", ticket=ticket))]
    if name == "send":
        return send(conv, args)
    if name == "handoff.answer":
        return [Line("info", say("preview.handoff.answer", ticket=args["ticket"], text=args["text"]))]
    if name == "handoff.reply":
        return [Line("info", say("preview.handoff.reply", ticket=args["ticket"], text=args["text"]))]
    if name == "handoff.resolve":
        return [Line("info", say("preview.handoff.resolve", ticket=args["ticket"], text=args["text"]))]
    if name == "handoff.claim":
        ticket = handoff.get(ctx, args["ticket"])
        return [Line("info", say("preview.handoff.claim", ticket=ticket["id"], account=ticket["account"],
                                 summary=handoff.summary_in(conv.kb, ticket, conv.lang)))]
    return [Line("info", f"{conv.kb.actions[name].description}")]


def label(conv: Conversation, kind: str, value: str) -> str:
    """VALUE of the account model (a source, an industry, a carrier) in the conversation's words
    (`label.KIND.VALUE` in messages.yaml), or as it is when the catalogue has no name for it."""
    key = f"label.{kind}.{value}"
    return conv.say(key) if key in conv.kb.messages else value


def _will_reject(conv: Conversation, name: str, source: str) -> list[Line]:
    """The rejections the review of signature NAME from SOURCE will give, foreseen from the account's
    profile (`signatures.foreseen_reasons`) and said before the yes: one line a reason, in the
    conversation's language, naming the carriers that give it ("every carrier" when all do)."""
    foreseen = signatures.foreseen_reasons(conv.ctx, name, source)
    given = {carrier: why for carrier, reason in foreseen.items() if reason and (why := reason.said(conv.kb, conv.lang))}
    return [Line("warn", conv.say("preview.will_reject", reason=reason, carriers=carriers))
            for reason, carriers in by_reason(conv, given, "preview.every_carrier")]


def by_reason(conv: Conversation, reasons: dict[str, str], every: str) -> list[tuple[str, str]]:
    """Each reason of REASONS (carrier -> reason) with the carriers that give it, as the conversation names
    them: the catalogue's EVERY when all of the rules' carriers do. A foreseen rejection and a past one
    are said alike."""
    grouped: dict[str, list[str]] = {}
    for carrier, reason in reasons.items():
        grouped.setdefault(reason, []).append(carrier)
    everyone = len(conv.ctx.rules.carriers)
    return [(reason, conv.say(every) if len(keys) == everyone else _carriers(conv, keys)) for reason, keys in grouped.items()]


def _rejects(conv: Conversation, reason: str) -> str:
    """Why a carrier rejects templates of an industry (REASON, rules.yaml's English) in the conversation's
    language, as rules.yaml gives it (`Rules.reason_said`), or REASON when it has none."""
    return conv.ctx.rules.reason_said(reason, conv.lang)


def _carriers(conv: Conversation, keys: Any) -> str:
    return joined(conv.kb, [label(conv, "carrier", c) for c in keys], conv.lang)


def verdicts(conv: Conversation, args: dict[str, Any]) -> dict:
    """What the send ARGS describe would do, number by number (`sending.preview`), sending nothing."""
    return sending.preview(conv.ctx, args["code"], [(p, args.get("params", {})) for p in args["phones"]])


def message(conv: Conversation, args: dict[str, Any]) -> str:
    """The message each number of the send ARGS gets, as its recipient sees it (the conversation
    gives every number the same values): a value typed wrong is seen before the go-ahead."""
    template = templates.find(conv.ctx, args["code"])
    return sending.message_text(conv.ctx, template["signature"], template["text"], args.get("params", {}))


def send(conv: Conversation, args: dict[str, Any], result: dict | None = None) -> list[Line]:
    """Each number's verdict from the send's own checks (RESULT, when `verdicts` already made them),
    then the charge (none when no number can be sent: the conversation asks again, see slots.advance)."""
    carriers = conv.ctx.rules.carriers
    result = result if result is not None else verdicts(conv, args)
    say = conv.say
    lines = [Line("info", say("preview.send", template=result["template"], count=len(result["results"]))),
             Line("info", say("preview.send.text", text=message(conv, args)))]
    for r in result["results"][:SHOWN]:
        where = label(conv, "carrier", r["carrier"]) if r["carrier"] in carriers else say("preview.send.no_carrier")
        held = result.get("held", {}).get(r["phone"])     # flow control's reason, said in the conversation's language
        detail = said(conv.kb, held, conv.lang) if held else \
            render.failure_said(conv.kb, conv.lang, r["phone"], r["error_code"], r["detail"])
        verdict = say("preview.send.will_send") if r["status"] == "sent" else \
            say("preview.send.will_fail", code=r["error_code"], detail=detail)
        lines.append(Line("info" if r["status"] == "sent" else "warn", f"  {r['phone']} ({where}): {verdict}"))
    rest = result["results"][SHOWN:]
    if rest:
        fails = sum(r["status"] == "failed" for r in rest)
        lines.append(Line("info", say("preview.send.more", count=len(rest), sent=len(rest) - fails, failed=fails)))
    lines += [Line("warn", "  " + said(conv.kb, Repeat.of(r).said(), conv.lang))
              for r in result["repeats"]]
    if not result["sent"]:
        return lines
    lines.append(Line("info", say("preview.send.total", sent=result["sent"], failed=result["failed"],
                                  charged=result["charged"], balance=result["balance_before"],
                                  after=result["balance_before"] - result["charged"])))
    return lines
