"""The welcome and the bottom toolbar: the account at a glance, and the clock when it is simulated."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..actions import accounts, handoff, sending, signatures, templates
from ..clock import FixedClock
from ..messages import say
from ..render import clipped, columns
from .lines import Line

if TYPE_CHECKING:
    from ..conversation import Conversation


def simulated(conv: Conversation) -> str | None:
    """The pretended time (`--now`, ASSISTANT_NOW), or None on the real clock."""
    if isinstance(conv.ctx.clock, FixedClock):
        return conv.ctx.clock.now().isoformat(sep=" ", timespec="minutes")
    return None


def lines(conv: Conversation, keys: bool = True) -> list[Line]:
    """The first lines of a session: who, how to ask, what is waiting (replies, resolutions, the queue).
    KEYS: say the terminal's keys (an interactive shell; the web chat has none of them)."""
    ctx, role = conv.ctx, conv.role
    account = accounts.account_info(ctx)
    # the role by its word in the conversation's language (messages.yaml role.ROLE: "manager", 经理)
    said = conv.say("welcome.role", role=conv.say(f"role.{role}") if f"role.{role}" in conv.kb.messages else role) \
        if role != "customer" else ""
    out = [Line("info", conv.say("welcome.title", account=account["name"], role=said)),
           Line("muted", conv.say("welcome.how.web" if conv.shell == "web" else "welcome.how"))]
    if keys:
        out.append(Line("muted", conv.say("welcome.keys")))
    when = simulated(conv)
    if when:
        out.append(Line("warn", conv.say("welcome.simulated", when=when)))
    if not account["enabled"] and role != "manager":
        out.append(Line("muted", conv.say("welcome.enable")))
    elif role != "manager" and (step := next_step(conv)):
        out.append(Line("muted", step))
    if role != "manager" and conv.shell != "web":   # the web chat's page shows them itself, as they arrive
        out += inbox(conv)
    if role == "manager":
        out.append(Line("info", conv.say("welcome.queue", count=len(handoff.queue(ctx)))))
    return out


def next_step(conv: Conversation) -> str | None:
    """The next step of an enabled account's onboarding, from its state, in the conversation's
    language: a signature, its review, a template, its review, the first send; None once it has sent."""
    ctx = conv.ctx
    sigs = signatures.status(ctx)
    if not any(s["ready_for"] for s in sigs):
        if not sigs:
            return conv.say("welcome.next.signature")
        waiting = [s for s in sigs if s["registration"] == "under_review"]
        if waiting:
            return conv.say("welcome.next.signature_review", name=waiting[0]["name"], expected=waiting[0]["expected_by"])
        return conv.say("welcome.next.signature_rejected", name=sigs[0]["name"])
    tpls = templates.status(ctx)
    approved = [t for t in tpls if t["ready_for"]]
    if not approved:
        if not tpls:
            return conv.say("welcome.next.template")
        for t in tpls:
            pending = [c["expected_by"] for c in t["carriers"].values() if c["status"] == "pending"]
            if pending:
                return conv.say("welcome.next.template_review", code=t["code"], expected=max(pending))
        return conv.say("welcome.next.template_rejected", code=tpls[0]["code"])
    if not sending.recent(ctx, 1):
        return conv.say("welcome.next.send", code=approved[0]["code"])
    return None


def inbox(conv: Conversation) -> list[Line]:
    """Managers' replies and resolutions not shown yet (each shown once). Before the customer has
    said anything in a session whose language follows theirs, each is said in the language of its
    ticket (the one the customer wrote in): a script's first lines are a Chinese customer's news."""
    out = []
    unknown = conv.lang_setting == "auto" and not any(t["role"] == "user" for t in conv.turns)
    for m in handoff.inbox(conv.ctx):
        lang = m["lang"] if unknown else conv.lang
        if (note := handoff.resolution_note(m["text"])) is not None:
            out.append(Line("ok", say(conv.kb, "inbox.resolved", lang, ticket=m["ticket"], author=m["author"], note=note)))
        else:
            out.append(Line("ok", say(conv.kb, "inbox.reply", lang, ticket=m["ticket"], author=m["author"], text=m["text"])))
            out.append(Line("muted", say(conv.kb, "inbox.reply_hint", lang, author=m["author"])))
            conv.last["replied"] = m["ticket"]   # the customer's next line may be the answer to it
    return out


def toolbar(conv: Conversation, width: int | None = None) -> str:
    """Account, signatures ready, templates approved per carrier, open tickets, simulated clock, in
    the conversation's language: the longest wording of the catalogue (`toolbar.*`) that fits WIDTH
    terminal columns (a Chinese character takes two)."""
    ctx = conv.ctx
    sigs = signatures.status(ctx)
    tpls = templates.status(ctx)
    ready = f"{sum(s['ready'] for s in sigs)}/{len(sigs)}"
    per = [(_carrier(conv, c), sum(c in t["ready_for"] for t in tpls)) for c in ctx.rules.carriers]
    spaced, joined = " ".join(f"{k} {n}" for k, n in per), " ".join(f"{k}{n}" for k, n in per)
    tickets, when = handoff.open_count(ctx), simulated(conv)
    sig, tix = conv.say("toolbar.signatures.short", ready=ready), conv.say("toolbar.tickets.short", tickets=tickets)
    sim = [conv.say("toolbar.clock.tiny")] if when else []
    wordings = (
        [conv.say("toolbar.signatures", ready=ready), conv.say("toolbar.templates", carriers=spaced),
         conv.say("toolbar.tickets", tickets=tickets)] + ([conv.say("toolbar.clock", when=when)] if when else []),
        [sig, conv.say("toolbar.templates.short", carriers=joined), tix]
        + ([conv.say("toolbar.clock.short", when=when)] if when else []),
        [sig, joined, tix] + sim,
        [sig, tix] + sim)
    texts = [" " + " | ".join([ctx.account, *parts]) for parts in wordings]
    for text in texts:
        if width is None or columns(text) <= width:
            return text
    return clipped(texts[-1], max(width, 0))


def _carrier(conv: Conversation, carrier: str) -> str:
    """CARRIER's short name in the toolbar (`toolbar.carrier.KEY`), or its key when the catalogue has none."""
    msg_id = f"toolbar.carrier.{carrier}"
    return conv.say(msg_id) if msg_id in conv.kb.messages else carrier
