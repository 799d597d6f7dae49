"""The one sanitiser of everything shown: text that came from people or from the database is
stored as typed and neutralised on the way out (terminal, exports, JSON, error lines).

Control characters, terminal escape sequences (ESC, CSI, OSC and the C1 range), bidi overrides
and invisible joiners become visible escapes such as `\\x1b`, so a name or a question can never
repaint a terminal, forge a line of output or hide text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# C0 controls except tab and newline, DEL, C1 controls, zero-width and bidi marks, line/paragraph
# separators, bidi isolates and invisible operators, the BOM, and lone surrogates.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]")


@lru_cache(maxsize=1)
def _unsafe_line() -> re.Pattern:
    # compiled on first use (about 1 ms: its class is beyond Latin-1), which `ask`'s answers never need
    return re.compile(_UNSAFE.pattern[:-1] + r"\t\n]")


def _escape(match: re.Match) -> str:
    code = ord(match.group(0))
    return {9: "\\t", 10: "\\n"}.get(code) or (f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}")


def safe(value: Any) -> str:
    """VALUE as text for a terminal or a file: line breaks and tabs kept, every other control shown as an escape."""
    return _UNSAFE.sub(_escape, str(value))


def one_line(value: Any) -> str:
    """VALUE as one line: like `safe`, and line breaks and tabs shown as `\\n` and `\\t` too.

    For a value embedded in a line of output (a name in a table, a question in a list), where a
    newline would forge a line of its own.
    """
    return _unsafe_line().sub(_escape, str(value))


# What Markdown (CommonMark with GitHub's tables and strikethrough) or the HTML it passes through
# would read as markup inside a line: emphasis, code, a link's or an image's `](`, a table's bar, raw
# HTML and entities; an underscore only where it can start or end emphasis (not inside a word:
# DIGITAL_SMS_0001). A bracket alone is text ("[AcmeShop]Hi Bo"): a reference needs a definition,
# which starts a line.
# A "<" opens a tag and a "&" an entity only before a name ("&amp;", "&#60;"): "nobody -> lin" and
# "R&D" stay as typed, which a terminal shows as they are.
_MD_INLINE = re.compile(r"[\\`*|~<]|&(?=#?\w+;)|\](?=[(\[])|(?<![^\W_])_|_(?![^\W_])")
# ... and at the start of a line: a heading, a list item, a setext underline, a link's definition, a
# numbered item, a block quote
_MD_BLOCK = re.compile(r"^(\s*)(?:([#+=\[>-])|(\d+)([.)]))")


def markdown_text(value: Any, line_start: bool = False) -> str:
    """VALUE as text in one line of Markdown: `one_line`, and every character Markdown or HTML would
    read as markup shown as itself (a backslash escape, which CommonMark takes before any ASCII
    punctuation, HTML's `<` and `&` included, and a terminal shows plainly), so a
    name or a customer's words can never become a link, a tag, emphasis or a table's column.
    LINE_START: the value starts a line (a list item's continued line), where a `#`, `-`, `+`, `=`,
    `[`, `>` or `1.` would start a heading, a list, a link's definition or a quote of its own."""
    text = _MD_INLINE.sub(lambda m: "\\" + m.group(0), one_line(value))
    if line_start:
        text = _MD_BLOCK.sub(lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}"),
                             text, count=1)
    return text


def safe_json_text(text: str) -> str:
    """JSON text with the characters `json.dumps(ensure_ascii=False)` leaves raw (C1, bidi) escaped as \\uXXXX."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
