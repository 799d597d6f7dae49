"""The welcome and the bottom toolbar: the account at a glance, and the clock when it is simulated."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..actions import accounts, handoff, signatures, templates
from ..clock import FixedClock
from .lines import Line

if TYPE_CHECKING:
    from ..conversation import Conversation

SHORT = {"china_mobile": "CM", "china_unicom": "CU", "china_telecom": "CT"}


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
    said = conv.say("welcome.role", role=role) if role != "customer" else ""
    out = [Line("info", conv.say("welcome.title", account=account["name"], role=said)),
           Line("muted", conv.say("welcome.how"))]
    if keys:
        out.append(Line("muted", conv.say("welcome.keys")))
    when = simulated(conv)
    if when:
        out.append(Line("warn", conv.say("welcome.simulated", when=when)))
    if not account["enabled"] and role != "manager":
        out.append(Line("muted", conv.say("welcome.enable")))
    if role != "manager":
        out += inbox(conv)
    if role == "manager":
        out.append(Line("info", conv.say("welcome.queue", count=len(handoff.queue(ctx)))))
    return out


def inbox(conv: Conversation) -> list[Line]:
    """Managers' replies and resolutions not shown yet (each shown once)."""
    out = []
    for m in handoff.inbox(conv.ctx):
        if m["text"].startswith(handoff.RESOLVED):
            note = m["text"][len(handoff.RESOLVED):]
            out.append(Line("ok", conv.say("inbox.resolved", ticket=m["ticket"], author=m["author"], note=note)))
        else:
            out.append(Line("ok", conv.say("inbox.reply", ticket=m["ticket"], author=m["author"], text=m["text"])))
    return out


def toolbar(conv: Conversation, width: int | None = None) -> str:
    """Account, signatures ready, templates approved per carrier, open tickets, simulated clock:
    the longest wording that fits WIDTH columns."""
    ctx = conv.ctx
    sigs = signatures.status(ctx)
    tpls = templates.status(ctx)
    ready = f"{sum(s['ready'] for s in sigs)}/{len(sigs)}"
    per = [(SHORT.get(c, c), sum(c in t["ready_for"] for t in tpls)) for c in ctx.rules.carriers]
    tickets = handoff.open_count(ctx)
    when = simulated(conv)
    long = f" {ctx.account} | signatures ready {ready} | templates approved: " + " ".join(f"{k} {n}" for k, n in per) \
        + f" | open tickets {tickets}" + (f" | clock {when} (simulated)" if when else "")
    short = f" {ctx.account} | sig {ready} | tpl " + " ".join(f"{k}{n}" for k, n in per) + f" | tickets {tickets}" \
        + (f" | sim {when}" if when else "")
    shorter = f" {ctx.account} | sig {ready} | " + " ".join(f"{k}{n}" for k, n in per) + f" | tickets {tickets}" \
        + (" | sim" if when else "")
    tiny = f" {ctx.account} | sig {ready} | tickets {tickets}" + (" | sim" if when else "")
    for text in (long, short, shorter, tiny):
        if width is None or len(text) <= width:
            return text
    return tiny[:max(width, 0)]
