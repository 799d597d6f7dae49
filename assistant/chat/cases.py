"""A ticket's whole case as aligned text, for the manager's `/show`."""

from __future__ import annotations

from ..actions.handoff import REASONS, RECENT_SEND, REFUSED_SEND
from ..render import safe, table


def case_text(ticket: dict, carriers: dict[str, str]) -> str:
    """The case the way a person reads it at a terminal: facts, objects, conversation, history."""
    t = ticket
    facts = [("ticket", f"#{t['id']}"), ("summary", t["summary"]), ("account", t["account"]),
             ("reason", REASONS.get(t["reason"], t["reason"])), ("priority", t["priority"]),
             ("status", t["status"] + (f" (owner {t['owner']})" if t["owner"] else "")), ("opened", t["created_at"])]
    if t["send_date"]:
        facts.append(("send date", t["send_date"]))
    if t["detail"]:
        facts.append(("customer said", t["detail"]))
    if t["resolution"]:
        facts.append(("resolution", t["resolution"]))
    width = max(len(k) for k, _ in facts)
    lines = [f"{k.ljust(width)}  {safe(v)}" for k, v in facts]
    context = t["context"]
    if "template" in context:
        tpl = context["template"]
        lines += ["", f"Template {tpl['code']} ({safe(tpl['name'])})",
                  table([(carriers.get(c, c), s["status"], s.get("reason") or "") for c, s in tpl["carriers"].items()],
                        ("carrier", "review", "reason"))]
    if "signature" in context:
        sig = context["signature"]
        lines += ["", f"Signature {safe(sig['name'])}: {sig['registration']}",
                  table([(carriers.get(c, c), v["registration"], v["availability"], v.get("reason") or "")
                         for c, v in sig["carriers"].items()], ("carrier", "registration", "availability", "reason"))]
    if "refused_send" in context:
        r = context["refused_send"]
        lines += ["", f"Send of {safe(r['template'])} ({REFUSED_SEND}) at {r['at']}",
                  f"  numbers: {safe(', '.join(r['phones'] or []))}", f"  {safe(r['code'])}: {safe(r['reason'])}"]
    if "send" in context:
        s = context["send"]
        recent = f" ({RECENT_SEND})" if context.get("send_recent") else ""
        lines += ["", f"Send {s['request_id']}{recent}: {s['sent']} sent, {s['failed']} failed at {s['created_at']}"]
        if s["failures"]:
            lines.append(table([(f["phone"], carriers.get(f["carrier"], "-"), f["error_code"], f["detail"])
                                for f in s["failures"]], ("phone", "carrier", "error", "why")))
    if t["conversation"]:
        lines += ["", "Conversation:"] + [f"  {turn['role']:>9}: " + safe(turn["text"]).replace("\n", "\n" + " " * 13)
                                          for turn in t["conversation"]]
    if t["messages"]:
        lines += ["", "Messages:"] + [f"  {m['at']}  {safe(m['author'])}: {safe(m['text'])}" for m in t["messages"]]
    lines += ["", "History:"] + [f"  {e['at']}  {safe(e['actor'])} {e['event']}"
                                 + (f": {safe(e['detail'])}" if e["detail"] else "") for e in t["events"]]
    return "\n".join(lines)
