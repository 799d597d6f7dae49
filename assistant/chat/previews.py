"""What a change will do, shown before it is confirmed.

The send preview is a dry run of the send's own checks (`sending.preview`): per number, what
will happen and why, flow control and balance included, so it cannot promise what the send
then refuses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..actions import handoff, sending
from .lines import Line

if TYPE_CHECKING:
    from ..conversation import Conversation

SHOWN = 20  # numbers listed one by one; the rest are counted


def preview(conv: Conversation, name: str, args: dict[str, Any]) -> list[Line]:
    """What the state-changing action NAME will do with ARGS (the question comes after)."""
    ctx = conv.ctx
    carriers = ctx.rules.carriers
    if name == "enable":
        return [Line("info", f"Enable digital messages for account {ctx.account}.")]
    if name == "signature.submit":
        windows = [r.signature_review_business_days for r in ctx.rules.carrier_rules.values()]
        fewest, most = min(w[0] for w in windows), max(w[1] for w in windows)
        return [Line("info", f"Submit signature {args['name']} ({args['source']}) for real-name registration with "
                             f"{', '.join(carriers.values())}; each decides within {fewest}-{most} business days.")]
    if name == "signature.update":
        source = f" with source {args['source']}" if args.get("source") else ""
        return [Line("info", f"Resubmit signature {args['name']}{source}; a new review starts with each carrier.")]
    if name == "template.create":
        letter = " and a commitment letter" if args.get("letter") else ""
        lines = [Line("info", f"Create template \"{args['name']}\" with signature {args['signature']}, industry "
                              f"{args['industry']}, text \"{args['text']}\" and {len(args['media'])} media file(s)"
                              f"{letter}, and submit it to the three carriers.")]
        industry = ctx.rules.template_industries[args["industry"]]
        needs = industry.requires_letter
        if needs and not args.get("letter"):
            lines.append(Line("warn", f"Without a commitment letter {', '.join(carriers[c] for c in needs)} "
                                      "will reject it."))
        lines += [Line("warn", f"{reason}: it will reject this template.") for reason in industry.rejected_by.values()]
        return lines
    if name == "handoff":
        return [Line("info", "Hand this case to a support manager, with our conversation and your account's "
                             "details attached.")]
    if name == "send":
        return send(conv, args)
    if name == "handoff.answer":
        return [Line("info", f"Tell the support managers on ticket #{args['ticket']}: {args['text']}")]
    if name == "handoff.reply":
        return [Line("info", f"Reply on ticket #{args['ticket']}: {args['text']}")]
    if name == "handoff.resolve":
        return [Line("info", f"Resolve ticket #{args['ticket']}: {args['text']} (the customer reads this note)")]
    if name == "handoff.claim":
        ticket = handoff.get(ctx, args["ticket"])
        return [Line("info", f"Take ticket #{ticket['id']} ({ticket['account']}: {ticket['summary']}).")]
    return [Line("info", f"{conv.kb.actions[name].description}")]


def send(conv: Conversation, args: dict[str, Any]) -> list[Line]:
    """Each number's verdict from the send's own checks, then the charge."""
    carriers = conv.ctx.rules.carriers
    result = sending.preview(conv.ctx, args["code"], [(p, args.get("params", {})) for p in args["phones"]])
    lines = [Line("info", f"Send {result['template']} to {len(result['results'])} number(s):")]
    for r in result["results"][:SHOWN]:
        where = carriers.get(r["carrier"], "no carrier")
        verdict = "will be sent" if r["status"] == "sent" else f"will fail, {r['error_code']}: {r['detail']}"
        lines.append(Line("info" if r["status"] == "sent" else "warn", f"  {r['phone']} ({where}): {verdict}"))
    rest = result["results"][SHOWN:]
    if rest:
        fails = sum(r["status"] == "failed" for r in rest)
        lines.append(Line("info", f"  ... and {len(rest)} more: {len(rest) - fails} will be sent, {fails} will fail"))
    lines += [Line("warn", f"  {r['note']}") for r in result["repeats"]]
    lines.append(Line("info", f"{result['sent']} will be sent, {result['failed']} will fail. Charge: {result['charged']} "
                              f"message(s) from the digital-message package ({result['balance_before']} left); "
                              "SMS packages are never used."))
    return lines
