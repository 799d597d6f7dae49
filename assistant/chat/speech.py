"""Hints said the conversation's way.

The actions' messages name shell commands (`assistant error CODE`), right for the CLI; inside
the conversation the same hint is a slash command or a thing to say. One table, read top down.
A hint that is a thing to say is a message of the catalogue (`speech.*` in knowledge/messages.yaml),
said in the language of the text it is in (a Chinese fix in Chinese; an English refusal in English,
whatever the conversation's language); the patterns match the commands' own syntax, the same in a
Chinese sentence as in an English one.

The hint is chosen per shell (SHELLS): a conversation at a terminal (the REPL, local or remote)
sits beside the CLI, so what only the CLI does (a recipients file) is still said as a command; the
web chat has no CLI, so there the catalogue's `speech.ID.web` is said instead where it has one (the
chat's own way, or that the chat cannot do it). Every command hint of the knowledge base has a
chat's way (tests/test_chat.py checks none is left in a web chat's line).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from string import Formatter
from typing import TYPE_CHECKING, NamedTuple

from .. import lang, messages
from ..errors import split_fix

if TYPE_CHECKING:
    from ..knowledge import KnowledgeBase


SHELLS = ("terminal", "web")   # where a conversation is held: beside a CLI, or in the web chat


class Phrase(NamedTuple):
    """A replacement that is the catalogue's message MSG_ID, filled with the match's named groups."""
    msg_id: str


class Fix(NamedTuple):
    """The fix of the catalogue's refusal MSG_ID (its part after "; ", `errors.split_fix`) as written in any of
    its languages, its fields read back: the refusal's own words, never a copy of them here."""
    msg_id: str


_VERB = r"(?P<verb>(?:run|with) )?"
_SAY: list[tuple[re.Pattern[str] | Fix, str | Phrase]] = [(p if isinstance(p, Fix) else re.compile(p), r) for p, r in (
    (_VERB + r"`assistant enable`", Phrase("speech.enable")),
    (_VERB + r"`assistant signature submit [^`]*`", Phrase("speech.signature.submit")),
    (_VERB + r"`assistant signature update (?P<name>[^`\s]+)`", Phrase("speech.signature.update")),
    (_VERB + r"`assistant template create[^`]*`", Phrase("speech.template.create")),
    (r"`assistant signature status ?([^`]*)`", r"/signature \1"),
    (r"`assistant template status ?([^`]*)`", r"/template \1"),
    (r"`assistant error ([^`]*)`", r"/error \1"),
    (r"`assistant handoff create[^`]*`", "/handoff"),
    (r"`assistant handoff list[^`]*`", "/queue"),
    (r"`assistant inbox`", "/inbox"),
    (r"`assistant admin account update (?P<args>[^`]*)`", Phrase("speech.profile")),
    (Fix("account.missing"), Phrase("speech.account.missing")),     # the terminal's: the CLI's words as they are
    (r"`assistant send show ([^`]*)`", r"/sends \1"),
    (r"`assistant send list[^`]*`", "/sends"),
    (r"`assistant send CODE NUMBERS`", "/send CODE PHONE"),
    (r"submit a new template with --industry '([^']+)' --letter FILE",
     r"create a new template with industry '\1' and a commitment letter"),
    (r"pass --param (\w+)=VALUE", r"give a value for \1"),
    (r"for example --param (\w+=\S+?)\.?$", r"for example /send CODE PHONE \1."),
    (r"--param (\w+=[^\s。]+)(?=。$)", r"/send CODE PHONE \1"),    # a Chinese sentence's example
    (r"[(（]`assistant send CODE --file (?P<file>[^`]+)`[)）]", Phrase("speech.file")),
    (r"add one with --media FILE", "give an image or video file"),
    (r"add --note TEXT", "add a note: /resolve ID NOTE"),
    (r"with --letter FILE and submit a new template", "to a new template (at its commitment letter prompt)"),
    (r"用 --industry '(?P<industry>[^']+)' --letter FILE 提交新模板", Phrase("speech.template.industry_letter")),
    (r"用 --letter FILE 附上", Phrase("speech.letter.attach")),      # a carrier rule's Chinese reason (rules.yaml)
    (r"--letter FILE", "a commitment letter image"),
    (r" \(use --json for all\)", ""),
    (r"type help(?= to see)|输入 help(?= 查看)", Phrase("speech.help")),
)]


def _replace(replacement: str | Phrase, phrase: Callable[..., str | None]):
    def fill(match: re.Match) -> str:
        if isinstance(replacement, Phrase):
            fields = {k: v for k, v in match.groupdict().items() if k != "verb"}
            said = phrase(replacement.msg_id, **fields)
            if said is None:      # no words of the shell's own: the match stays as it is
                return match.group(0)
        else:
            said = match.expand(replacement)
        verb = match.groupdict().get("verb")
        return f"by saying {said[4:]}" if verb == "with " else said
    return fill


def say(text: str, kb: KnowledgeBase, shell: str = "terminal") -> str:
    """TEXT with the CLI's command hints turned into the conversation's, a thing to say in TEXT's
    own language (`lang.detect`) from KB's catalogue, as the SHELL (one of SHELLS) holds it."""
    said_in = lang.detect(text)

    def phrase(msg_id: str, **fields: object) -> str | None:
        own = f"{msg_id}.{shell}"
        chosen = own if own in kb.messages else msg_id if msg_id in kb.messages else None
        return None if chosen is None else messages.say(kb, chosen, said_in, **fields)
    for pattern, replacement in _SAY:
        for each in _fix_patterns(tuple(kb.messages[pattern.msg_id].values())) if isinstance(pattern, Fix) else (pattern,):
            text = each.sub(_replace(replacement, phrase), text)
    text = _IN_THE_CONVERSATION.sub(lambda m: " " if m.group(0).startswith("（") else "", text)   # "/sends ID 会显示"
    return re.sub(r"/(\w+) (?=[;,.)；，。）]|$)", r"/\1", text)


@functools.lru_cache(maxsize=8)
def _fix_patterns(texts: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """A pattern for the fix of each of a refusal's TEXTS (one a language), a field read as one word."""
    patterns = []
    for text in texts:
        fix = split_fix(text)[1]
        if fix:
            seen: set[str] = set()
            parts = []
            for literal, name, _, _ in Formatter().parse(fix):
                parts.append(re.escape(literal))
                if name:
                    parts.append(f"(?P={name})" if name in seen else rf"(?P<{name}>\S+)")
                    seen.add(name)
            patterns.append(re.compile("".join(parts)))
    return tuple(patterns)


# what a command line's sentence adds for the conversation ("`assistant send show ID` (or /sends in the
# conversation)"): said in a conversation (the REPL's, the web chat's: both take slash commands), where the
# command is already said as the slash command, it is dropped: "/sends ID shows ...", never "/sends ID (or /sends ...)"
_IN_THE_CONVERSATION = re.compile(r" ?\(or /\w+ in the conversation\)|（或对话中的 ?/\w+）")
