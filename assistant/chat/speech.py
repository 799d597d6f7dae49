"""Hints said the conversation's way.

The actions' messages name shell commands (`assistant error CODE`), right for the CLI; inside
the conversation the same hint is a slash command or a thing to say. One table, read top down.
"""

from __future__ import annotations

import re

_VERB = r"(?P<verb>(?:run|with) )?"
_SAY: list[tuple[re.Pattern[str], str]] = [(re.compile(p), r) for p, r in (
    (_VERB + r"`assistant enable`", 'say "enable digital messages"'),
    (_VERB + r"`assistant signature submit [^`]*`", 'say "submit a signature"'),
    (_VERB + r"`assistant signature update (?P<name>[^`\s]+)`", r'say "update signature \g<name>"'),
    (_VERB + r"`assistant template create[^`]*`", 'say "create a template"'),
    (r"`assistant signature status ?([^`]*)`", r"/signature \1"),
    (r"`assistant template status ?([^`]*)`", r"/template \1"),
    (r"`assistant error ([^`]*)`", r"/error \1"),
    (r"`assistant handoff create[^`]*`", "/handoff"),
    (r"`assistant handoff list[^`]*`", "/queue"),
    (r"`assistant inbox`", "/inbox"),
    (r"submit a new template with --industry '([^']+)' --letter FILE",
     r"create a new template with industry '\1' and a commitment letter"),
    (r"pass --param (\w+)=VALUE", r"give a value for \1"),
    (r"for example --param (\w+=\S+?)\.?$", r"for example /send CODE PHONE \1."),
    (r"\(`assistant send CODE --file ([^`]+)`\)", r"(a file is sent from the command line: `assistant send CODE --file \1`)"),
    (r"add one with --media FILE", "give an image or video file"),
    (r"add --note TEXT", "add a note: /resolve ID NOTE"),
    (r"with --letter FILE and submit a new template", "to a new template (at its commitment letter prompt)"),
    (r"--letter FILE", "a commitment letter image"),
    (r" \(use --json for all\)", ""),
)]


def _replace(replacement: str):
    def fill(match: re.Match) -> str:
        said = match.expand(replacement)
        verb = match.groupdict().get("verb")
        return f"by saying {said[4:]}" if verb == "with " else said
    return fill


def say(text: str) -> str:
    """TEXT with the CLI's command hints turned into the conversation's."""
    for pattern, replacement in _SAY:
        text = pattern.sub(_replace(replacement), text)
    return re.sub(r"/(\w+) (?=[;,.)]|$)", r"/\1", text)
