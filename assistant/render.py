"""Plain-text rendering of core results for people. The core returns data; this makes lines.

Everything shown that came from a user or the database goes through `safe`, so a signature
named with an escape sequence cannot repaint a terminal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from .knowledge import KnowledgeBase
from .router import Reply

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f]")


def safe(value: Any) -> str:
    """VALUE as text with control, escape and bidi characters shown as visible escapes."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 256 else f"\\u{ord(m.group(0)):04x}",
                       str(value))


def to_json(data: Any) -> str:
    """One line of JSON, UTF-8 text kept readable."""
    return json.dumps(data, ensure_ascii=False, default=str)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """An aligned plain-text table."""
    cells = [[safe(h) for h in headers]] + [[safe("" if v is None else v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def reply_text(reply: Reply, kb: KnowledgeBase) -> str:
    """A reply as a person reads it in `assistant ask`."""
    if reply.error:
        return f"Sorry, I can't read that: {reply.error}."
    if reply.type == "answer":
        entry = kb.entries[reply.entry]
        parts = [entry.answer]
        related = [kb.entries[r].question for r in entry.related if r in kb.entries]
        if related:
            parts.append("Related questions:\n" + "\n".join(f"  - {q}" for q in related))
        commands = [kb.actions[a].command for a in entry.actions if a in kb.actions and kb.actions[a].command]
        if commands:
            parts.append("You can also run:\n" + "\n".join(f"  {c}" for c in commands))
        return "\n".join(parts)
    if reply.type == "clarify":
        lines = ["I'm not sure what you mean. Did you mean:"]
        lines += [f"  {n}. {safe(s.question)}" for n, s in enumerate(reply.suggestions, 1)]
        return "\n".join(lines)
    if reply.type == "action":
        action = kb.actions[reply.action]
        args = ", ".join(f"{k}: {safe(v if not isinstance(v, list) else ' '.join(v))}" for k, v in reply.args.items())
        line = f"That is a request to {action.description[0].lower()}{action.description[1:]}"
        line += f" ({args})" if args else ""
        return f"{line}\nRun: {action.command}"
    return ("Sorry, I don't know the answer to that. A support manager can help: "
            "run `assistant handoff create --reason \"...\"`, or ask again in other words.")


def lines_of(items: Iterable[str]) -> str:
    return "\n".join(items)
