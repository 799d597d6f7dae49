"""Load and validate the YAML knowledge base.

The knowledge base is a directory of YAML files (`faq.yaml` is the only one required; see the
README for the format). Loading checks everything a person could get wrong while editing it and
reports each problem as one line, `file:line: what is wrong; how to fix it`, so that
`assistant kb check` can be run after every edit. The shipped knowledge base is loaded through
`importlib.resources`, so it is found from an installed wheel wherever the command runs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from .errors import UserError
from .linemap import LineMap as _Map
from .matcher import EncoderSettings, Weights
from .paths import stamp
from .records import NamedTuple
from .rules import Rules, RulesError
from .rules import parse as parse_rules
from .text import LazyPattern, Synonyms, fold

ACTION_NAMES = ("enable", "signature.submit", "signature.update", "signature.status", "template.create",
                "template.status", "send", "send.list", "error.lookup", "handoff", "handoff.answer", "handoff.claim",
                "handoff.list", "handoff.reply", "handoff.resolve", "account.status", "help")
_ID = LazyPattern(r"^[a-z0-9][a-z0-9-]*$")


class Problem(NamedTuple):
    """One thing wrong with a knowledge-base file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class KnowledgeError(UserError):
    """The knowledge base has problems; `problems` lists them all.

    Its message is one line (a refusal is one line wherever it is shown): the first problem, and how
    to list every one (`assistant kb check`).
    """

    def __init__(self, problems: list[Problem], directory: str | os.PathLike | None = None):
        where = f" in {directory}" if directory else ""
        first = str(problems[0]) if problems else "it cannot be read"
        if len(problems) > 1:
            command = f"assistant kb check {directory}" if directory else "assistant kb check"
            told = f"has {len(problems)} problems, the first: {first}; `{command}` lists them all"
        else:
            told = f"has a problem: {first}"
        super().__init__(f"the knowledge base{where} {told}")
        self.problems = problems


class Entry(NamedTuple):
    """One FAQ question with its answer and the ways customers ask it."""

    id: str
    question: str
    answer: str
    tags: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    source: str = ""        # the documentation page or reference section the answer comes from
    kind: str = "faq"       # faq | undocumented (the documentation does not say: where to look, a person)
    question_zh: str = ""
    answer_zh: str = ""

    def said(self, field: str, lang: str) -> str:
        """FIELD ('question' or 'answer') in language LANG; English is the plain field."""
        return (getattr(self, f"{field}_{lang}", "") if lang != "en" else "") or getattr(self, field)


ENTRY_KINDS = ("faq", "undocumented")
LANGUAGES = ("en", "zh")
_RULE_REF = LazyPattern(r"\{rules\.([a-z0-9_.-]+)\}")


class SlotType(NamedTuple):
    """How values of one kind are found in a request: regexes, or fixed choices with their words."""

    name: str
    patterns: tuple[re.Pattern[str], ...] = ()
    choices: dict[str, tuple[str, ...]] = {}  # never mutated: always passed explicitly
    exclude: frozenset[str] = frozenset()     # matches that are never a value (folded)


class Slot(NamedTuple):
    name: str
    type: str
    required: bool
    prompt: str
    many: bool = False


class Action(NamedTuple):
    """Something the assistant does, with its slots and example requests."""

    name: str
    description: str
    command: str
    changes_state: bool
    slots: tuple[Slot, ...]
    examples: tuple[str, ...]


ERROR_KINDS = ("api", "application", "gateway", "receipt")


class ErrorCode(NamedTuple):
    code: str
    meaning: str
    fix: str
    aliases: tuple[str, ...] = ()
    handoff: bool = False
    kind: str = "api"
    meaning_zh: str = ""                 # the meaning in simplified Chinese (searched, like the English)
    keywords_zh: tuple[str, ...] = ()    # Chinese words people use for it ("余额不足")
    fix_zh: str = ""                     # the fix in simplified Chinese; required with meaning_zh


class Thresholds(NamedTuple):
    answer: float = 0.5
    clarify: float = 0.36
    margin: float = 0.04
    suggestions: int = 3
    low_confidence: float = 0.6
    gap_log_rows: int = 100_000  # the knowledge-gap log keeps at most this many rows, oldest pruned first
    out_of_scope: float = 0.5    # fall back when the out-of-scope class has at least this probability
    lead_answer: float = 1.0     # below `answer`, an intent this likely ...
    lead: float = 0.0            # ... and this many times as likely as the next is answered too (1.0: never)
    alike: float = 1000.0        # two intents no word tells apart are asked about while the first is <= this x the second


class Check(NamedTuple):
    """One check of matcher.yaml `routing.checks`: its NAME (what it reads), the ENTRY that states
    the rule, and the CUES: words of a line that say what a value is (folded, lower case)."""

    name: str
    entry: str
    cues: tuple[str, ...]
    formats: tuple[str, ...] = ()  # for `media`: the file formats people name (those rules.yaml lacks are refused)
    also: tuple[str, ...] = ()     # entries that answer it as well, when the model chose one ("which carrier is 19212345678")
    unless: tuple[str, ...] = ()   # words that make it another question ("change the name of my signature "Acme Shop"")
    # for `industry`: the words naming each industry of rules.yaml (or `banned`: what the specification bans)
    words: tuple[tuple[str, tuple[str, ...]], ...] = ()


class Routing(NamedTuple):
    question_starts: frozenset[str] = frozenset()
    command_starts: frozenset[str] = frozenset()
    question_penalty: float = 0.0
    slot_bonus: float = 0.0
    slot_bonus_types: frozenset[str] = frozenset()
    command_phrases: tuple[str, ...] = ()
    mask_types: tuple[str, ...] = ()
    question_ends: tuple[str, ...] = ()
    salient_words: tuple[str, ...] = ()  # words that change what is asked ("delete"): see Router.uncovered
    referents: tuple[str, ...] = ()  # what "it" in a long message may stand for: see Router.resolved
    question_phrases: tuple[str, ...] = ()  # "can you tell me ...": asks, though it starts like a request
    code_questions: tuple[str, ...] = ()  # "怎么办": with an error code's Chinese words, asks of it (Router.code_asked)
    openers: tuple[str, ...] = ()  # "hi team,", "您好，": what a message may open with, read past (Router.unframed)
    closers: tuple[str, ...] = ()  # ", thanks", "谢谢": what a message may close with, read past (Router.unframed)
    view_verbs: tuple[str, ...] = ()  # "show", "列出": a line that starts so changes nothing (Router.viewing)
    sent_words: tuple[str, ...] = ()  # "received", "收到": a line asking after a send made changes nothing (Router.viewing)
    # a line that is only one of these words names no object: "status" -> which of these intents (Router.decide)
    bare_lines: tuple[tuple[str, tuple[str, ...]], ...] = ()
    refusals: tuple[str, ...] = ()  # "I don't need a human, ...", "不需要人工，...": a declining clause (Router.unframed)
    later_words: tuple[str, ...] = ()  # "tomorrow", "明天": a send asked for later is said to go at once (notes_for)
    checks: tuple[Check, ...] = ()  # values a question names that the rules refuse: see assistant/symptoms.py
    acceptance_words: tuple[str, ...] = ()  # "will it pass review": no salient word beside a refused value
    closing_requests: tuple[str, ...] = ()  # requests a long message closes with, worded as a question too
    wanting: tuple[str, ...] = ()  # "i want", "我要": a sentence so opened asks for one of closing_requests
    # a request that changes the account -> the one that shows what it made, for a line that changes nothing
    viewed_as: tuple[tuple[str, str], ...] = ()
    trial_words: tuple[str, ...] = ()  # "看看效果": to see a send on a phone, not the records (Router.viewing)
    connectives: tuple[str, ...] = ()  # "also", "另外": a sentence so opened is read past them for its form (Router.form)
    # "的时候", "失败", "了": after a command verb, what happened or when ("提交的时候…"), no request (Router.form)
    verb_tellings: tuple[str, ...] = ()
    fate_words: tuple[str, ...] = ()  # "why", "失败": beside a phone number, asks what happened to it (Router.fate_asked)
    # "就", "的话": a request after a condition inside a sentence ("审过了就帮我发给…") makes it one (Router.form)
    conditions: tuple[str, ...] = ()
    # "..., do it", "... for me": a line without a question mark that closes so asks for something (Router.form)
    command_ends: tuple[str, ...] = ()
    # "会返回哪个错误码", "which error code": a line asking which code a situation gets (Router.code_wanted)
    code_wanted: tuple[str, ...] = ()
    # salient words naming what the documentation does not give ("resolution", 像素): a question naming one that the
    # entry it lands on never speaks of is the undocumented entry's that does (Router.unpublished)
    unpublished_words: tuple[str, ...] = ()
    # "还是", ", or": what parts a question offering a choice ("删了重建还是改资料再提交？") apart (Router._one_choice_covered)
    choice_words: tuple[str, ...] = ()
    # "那…呢", "what about …": words that make a short line a follow-up of the answer before (Conversation._topic_again)
    topic_again: tuple[str, ...] = ()


class KnowledgeBase(NamedTuple):
    """Everything the assistant knows, as loaded from one directory (plus an optional overlay)."""

    source: str
    entries: dict[str, Entry]
    synonyms: Synonyms
    slot_types: dict[str, SlotType]
    actions: dict[str, Action]
    error_codes: dict[str, ErrorCode]
    thresholds: Thresholds
    weights: Weights
    routing: Routing
    stopwords: tuple[str, ...]
    rules: Rules | None
    intro: str = ""
    out_of_scope: dict[str, tuple[str, ...]] = {}  # group -> examples; never mutated
    encoder: EncoderSettings = EncoderSettings()  # the optional sentence encoder's classifier, fusion and thresholds
    languages: tuple[str, ...] = ("en",)            # every entry answers in each (faq.yaml `languages`)
    messages: dict[str, dict[str, str]] = {}        # the conversation's own sentences: id -> {lang: text}
    small_talk: dict[str, tuple[str, ...]] = {}     # greetings, thanks...: kind -> what people type (messages.yaml)
    follow_ups: dict[str, tuple[str, ...]] = {}     # "how do I fix it"...: kind -> what people type (messages.yaml)
    answers: dict[str, tuple[str, ...]] = {}        # yes, no, unsure, polite -> what people type at "[y/N]" (messages.yaml)
    leaving: dict[str, tuple[str, ...]] = {}        # leave, around -> the words that drop a request (messages.yaml)
    # customers' questions learned as phrasings (customers.yaml): entry id or action -> questions, and
    # out-of-scope examples; trained at `weights.customers` of a curated phrasing's weight
    customers: dict[str, tuple[str, ...]] = {}
    customers_out_of_scope: tuple[str, ...] = ()


class _Checker:
    """Collects problems while one file is read."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.unreadable: Problem | None = None  # why the file could not be read or parsed at all

    def refuse(self, line: int, message: str) -> None:
        """The file cannot be read or parsed: every later problem of the load is a consequence."""
        self.add(line, message)
        self.unreadable = self.problems[-1]

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def load(self, text: str) -> Any:
        from . import yamlfile  # PyYAML is only needed when YAML is read, not for a cached index

        try:
            data, duplicates = yamlfile.load(text)
        except yamlfile.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else 1
            self.refuse(line, f"not valid YAML ({getattr(exc, 'problem', exc)}); fix the syntax")
            return None
        for line, key in duplicates:
            self.add(line, f"key '{key}' appears twice in one mapping; keep one")
        return data

    def mapping(self, value: Any, line: int, what: str, allowed: set[str], required: set[str] = frozenset()) -> bool:
        if not isinstance(value, dict):
            self.add(getattr(value, "line", line), f"{what} must be a mapping of keys to values")
            return False
        for key in value:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                self.add(value.key_lines.get(key, value.line), f"unknown key '{key}' in {what}; use one of: {hint}")
        for key in sorted(required - set(value)):
            self.add(value.line, f"{what} has no '{key}'; add it")
        return True

    def text(self, mapping: _Map, key: str, what: str, required: bool = True) -> str:
        value = mapping.get(key)
        line = mapping.key_lines.get(key, mapping.line)
        if value is None:
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.add(line, f"{what} '{key}' must be text")
            return ""
        value = str(value).strip()
        if required and not value:
            self.add(line, f"{what} '{key}' is empty; write it")
        return value

    def strings(self, mapping: _Map, key: str, what: str) -> tuple[str, ...]:
        value = mapping.get(key)
        line = mapping.key_lines.get(key, mapping.line)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.add(line, f"{what} '{key}' must be a list")
            return ()
        out = []
        for item, item_line in zip(value, value.item_lines):
            if not isinstance(item, (str, int, float)) or isinstance(item, bool) or not str(item).strip():
                self.add(item_line, f"{what} '{key}' has an empty or non-text item; remove it or write text")
            else:
                out.append(str(item).strip())
        return tuple(out)

    def number(self, mapping: _Map, key: str, what: str, default: float, low: float, high: float) -> float:
        value = mapping.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            self.add(mapping.key_lines.get(key, mapping.line), f"{what} '{key}' must be a number from {low} to {high}")
            return default
        return float(value)


# --- the files --------------------------------------------------------------------------

def _read_faq(c: _Checker, data: Any) -> tuple[dict[str, Entry], str, dict[str, int], tuple[str, ...]]:
    entries: dict[str, Entry] = {}
    lines: dict[str, int] = {}
    if not c.mapping(data, 1, "faq.yaml", {"version", "intro", "entries", "languages"}, {"entries"}):
        return entries, "", lines, ("en",)
    languages = _languages(c, data)
    items = data.get("entries")
    if not isinstance(items, list) or not items:
        c.add(data.key_lines.get("entries", 1), "'entries' must be a non-empty list of questions")
        return entries, "", lines, languages
    translated = [lang for lang in LANGUAGES if lang != "en"]
    allowed = {"id", "question", "answer", "tags", "alternatives", "actions", "related", "source", "kind"}
    allowed |= {f"{field}_{lang}" for lang in translated for field in ("question", "answer")}
    required = {"id", "question", "answer", "source"} | {f"{field}_{lang}" for lang in languages if lang != "en"
                                                          for field in ("question", "answer")}
    for item in items:
        if not c.mapping(item, items.line, "an entry", allowed, required):
            continue
        entry_id = c.text(item, "id", "entry")
        if entry_id and not _ID.match(entry_id):
            c.add(item.key_lines["id"], f"entry id '{entry_id}' must be lowercase letters, digits and dashes")
        if entry_id in entries:
            c.add(item.key_lines["id"], f"entry id '{entry_id}' is used twice; give each entry its own id")
            continue
        what = f"entry '{entry_id}'"
        kind = c.text(item, "kind", what, required=False) or "faq"
        if kind not in ENTRY_KINDS:
            c.add(item.key_lines.get("kind", item.line), f"{what} has kind '{kind}'; use one of: {', '.join(ENTRY_KINDS)}")
        entry = Entry(
            id=entry_id,
            question=c.text(item, "question", what),
            answer=c.text(item, "answer", what),
            tags=c.strings(item, "tags", what),
            alternatives=c.strings(item, "alternatives", what),
            actions=c.strings(item, "actions", what),
            related=c.strings(item, "related", what),
            source=c.text(item, "source", what),
            kind=kind,
            question_zh=c.text(item, "question_zh", what, required="question_zh" in required),
            answer_zh=c.text(item, "answer_zh", what, required="answer_zh" in required),
        )
        entries[entry_id] = entry
        lines[entry_id] = item.line
    return entries, c.text(data, "intro", "faq.yaml", required=False), lines, languages


def _languages(c: _Checker, data: _Map) -> tuple[str, ...]:
    """faq.yaml's `languages`: every entry answers in each of them (English always)."""
    said = c.strings(data, "languages", "faq.yaml") or ("en",)
    for lang in said:
        if lang not in LANGUAGES:
            c.add(data.key_lines.get("languages", 1), f"language '{lang}' is not one the assistant speaks; "
                                                      f"use: {', '.join(LANGUAGES)}")
    return tuple(dict.fromkeys(("en", *(lang for lang in said if lang in LANGUAGES))))


def _rule_value(rules_data: Any, path: str) -> str | None:
    """The value at dotted PATH of rules.yaml, as an answer shows it (1,000; a, b, c), or None."""
    value = rules_data
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    if isinstance(value, (bool, dict)):
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def _unsupported_languages(c: _Checker, rules: Rules, rules_data: Any, languages: tuple[str, ...]) -> None:
    """Each reason of rules.yaml `unsupported_segments` in every language the assistant answers in:
    it is said where a question or a conversation names such a number (numbers.problem_said)."""
    lines = getattr(rules_data.get("unsupported_segments"), "key_lines", {}) if isinstance(rules_data, dict) else {}
    for prefix, texts in rules.unsupported_said.items():
        missing = [lang for lang in languages if not texts.get(lang, "").strip()]
        if missing:
            c.add(lines.get(prefix, 1), f"unsupported segment '{prefix}' has no reason in {', '.join(missing)}; "
                  f"give it as {{{', '.join(f'{lang}: ...' for lang in languages)}}}")


def _render_rules(entries: dict[str, Entry], rules_data: Any, faq_lines: dict[str, int]) -> Iterator[Problem]:
    """Fill each `{rules.PATH}` of the answers from rules.yaml, in place: the figure a check enforces
    and the figure an answer states are then one value (change it in rules.yaml, both change)."""
    for entry_id, entry in list(entries.items()):
        filled = {}
        for field in ("answer", "answer_zh"):
            text = getattr(entry, field)
            for path in _RULE_REF.findall(text):
                value = _rule_value(rules_data, path)
                if value is None:
                    yield Problem("faq.yaml", faq_lines.get(entry_id, 1),
                                  f"entry '{entry_id}' names {{rules.{path}}}, which rules.yaml does not hold; "
                                  "use the dotted path of a value there")
                else:
                    text = text.replace(f"{{rules.{path}}}", value)
            filled[field] = text
        entries[entry_id] = entry._replace(**filled)


def _read_phrase_kinds(c: _Checker, data: Any, key: str, what: str,
                       wrong_kind: Callable[[str], str | None]) -> dict[str, tuple[str, ...]]:
    """messages.yaml's KEY (`small_talk`, `follow_ups`): each kind with the whole lines people type,
    folded. WRONG_KIND says what is wrong with a kind itself (no reply for it, a kind the
    conversation does not know), or None; WHAT names the section's kinds in a problem."""
    items = data.get(key) if isinstance(data, dict) else None
    if items is None:
        return {}
    if not isinstance(items, dict):
        c.add(data.key_lines.get(key, 1), f"'{key}' must map each kind to the phrases people type")
        return {}
    kinds: dict[str, tuple[str, ...]] = {}
    for kind, phrases in items.items():
        line = items.key_lines[kind]
        if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) and p.strip() for p in phrases):
            c.add(line, f"{what} '{kind}' must be a list of phrases")
        elif problem := wrong_kind(str(kind)):
            c.add(line, problem)
        else:
            kinds[str(kind)] = tuple(fold(p) for p in phrases)
    return kinds


def _read_small_talk(c: _Checker, data: Any, messages: dict[str, dict[str, str]]) -> dict[str, tuple[str, ...]]:
    """messages.yaml's `small_talk`: each kind ("greeting") with what people type, answered with
    the message `small_talk.KIND` instead of "I don't know"."""
    def no_reply(kind: str) -> str | None:
        return None if f"small_talk.{kind}" in messages else \
            f"small talk '{kind}' has no reply: add the message 'small_talk.{kind}'"
    return _read_phrase_kinds(c, data, "small_talk", "small talk", no_reply)


# the follow-ups the conversation knows what to do with
FOLLOW_UPS = ("error_fix", "error_reason", "ticket_asked", "ticket_reply", "ticket_tell", "ticket_open", "send_result",
              "number_again", "can_send", "other_one", "change_it")


def _read_follow_ups(c: _Checker, data: Any) -> dict[str, tuple[str, ...]]:
    """messages.yaml's `follow_ups`: each kind ("error_fix": "how do I fix it", "那怎么办") with what
    people type, whole lines that ask about what the conversation just talked of."""
    def unknown(kind: str) -> str | None:
        return None if kind in FOLLOW_UPS else f"unknown follow-up '{kind}'; use one of: {', '.join(FOLLOW_UPS)}"
    return _read_phrase_kinds(c, data, "follow_ups", "follow-up", unknown)


ANSWERS = ("yes", "no", "unsure", "polite")   # the kinds of what people type at a yes/no question


def _read_answers(c: _Checker, data: Any) -> dict[str, tuple[str, ...]]:
    """messages.yaml's `answers`: what people type at a "[y/N]" question, each kind of ANSWERS with
    its phrases (assistant/choices.py reads a line with them); a phrase of two kinds is a problem."""
    def unknown(kind: str) -> str | None:
        return None if kind in ANSWERS else f"unknown kind of answer '{kind}'; use one of: {', '.join(ANSWERS)}"
    kinds = _read_phrase_kinds(c, data, "answers", "answers", unknown)
    seen: dict[str, str] = {}
    for kind, phrases in kinds.items():
        for phrase in phrases:
            if seen.setdefault(phrase, kind) != kind:
                c.add(data.key_lines.get("answers", 1), f"answer '{phrase}' is both {seen[phrase]} and {kind}; keep one")
    return kinds


# the phrases that drop a request, and the words beside them that change nothing; the phrases that take
# a request back a step (`back`: "上一步", "go back"), that say a value is changed (`change`: "改成", "change"; between
# a template variable and its value, `changed_to`: "resort改成峨眉山"), and that open a change of mind (`correct`:
# "不对", "wait, no") or going on with the request (`resume`: "回去继续"), and that put a request off (`later`:
# "call me later", "回头再打")
LEAVING = ("leave", "around", "back", "change", "changed_to", "correct", "resume", "rename", "revalue", "revalue_named",
           "later")


def _read_leaving(c: _Checker, data: Any) -> dict[str, tuple[str, ...]]:
    """messages.yaml's `leaving`: the phrases a line that drops a request is made of (`leave`), and
    the words around them that change nothing (`around`); assistant/chat/lines.py reads a line with them."""
    def unknown(kind: str) -> str | None:
        return None if kind in LEAVING else f"unknown kind of leaving words '{kind}'; use one of: {', '.join(LEAVING)}"
    return _read_phrase_kinds(c, data, "leaving", "leaving words", unknown)


def _read_messages(c: _Checker, data: Any, languages: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """messages.yaml: the conversation's own sentences, each in every language of the knowledge base."""
    messages: dict[str, dict[str, str]] = {}
    sections = {"version", "messages", "small_talk", "follow_ups", "answers", "leaving"}
    if data is None or not c.mapping(data, 1, "messages.yaml", sections, {"messages"}):
        return messages
    items = data.get("messages")
    if not isinstance(items, dict):
        c.add(data.key_lines.get("messages", 1), "'messages' must map each message id to its texts by language")
        return messages
    for msg_id, texts in items.items():
        line = items.key_lines[msg_id]
        if not c.mapping(texts, line, f"message '{msg_id}'", set(LANGUAGES), set(languages)):
            continue
        messages[str(msg_id)] = {lang: c.text(texts, lang, f"message '{msg_id}'") for lang in LANGUAGES if lang in texts}
    return messages


# Prompts of the catalogue that are the conversation's own, not a slot's of actions.yaml.
_OWN_PROMPTS = ("prompt.template.create.letter", "prompt.send.param")


def _prompt_messages(kb: KnowledgeBase) -> Iterator[Problem]:
    """Each `prompt.ACTION.SLOT` message names a slot of actions.yaml and says its prompt in English
    as actions.yaml does, and each `action.NAME` its description: one English text, translated in
    the catalogue."""
    slots = {f"prompt.{name}.{slot.name}": slot.prompt for name, action in kb.actions.items() for slot in action.slots}
    slots.update({f"action.{name}": action.description for name, action in kb.actions.items()})
    for msg_id, texts in kb.messages.items():
        if not msg_id.startswith(("prompt.", "action.")) or msg_id in _OWN_PROMPTS or not kb.actions:
            continue
        if msg_id not in slots:
            yield Problem("messages.yaml", 1, f"message '{msg_id}' names no slot or action of actions.yaml; "
                          "write prompt.ACTION.SLOT or action.NAME")
        elif texts.get("en") != slots[msg_id]:
            yield Problem("messages.yaml", 1, f"message '{msg_id}' says '{texts.get('en')}' in English, but actions.yaml "
                          f"says '{slots[msg_id]}'; make them the same")


def _read_synonyms(c: _Checker, data: Any) -> dict[str, str]:
    table: dict[str, str] = {}
    if data is None or not c.mapping(data, 1, "synonyms.yaml", {"version", "synonyms"}):
        return table
    groups = data.get("synonyms") or _Map()
    if not isinstance(groups, dict):
        c.add(data.key_lines.get("synonyms", 1), "'synonyms' must map each canonical word to a list of variants")
        return table
    for canonical, variants in groups.items():
        line = groups.key_lines[canonical]
        if not isinstance(variants, list):
            c.add(line, f"synonyms of '{canonical}' must be a list")
            continue
        for variant, vline in zip(variants, variants.item_lines):
            key = fold(str(variant)) if variant is not None else ""
            if not key:
                c.add(vline, f"an empty synonym under '{canonical}'; remove it")
            elif key in table and table[key] != str(canonical):
                c.add(vline, f"'{variant}' is listed under '{table[key]}' and '{canonical}'; keep it under one")
            else:
                table[key] = str(canonical)
    return table


def _read_actions(c: _Checker, data: Any) -> tuple[dict[str, SlotType], dict[str, Action]]:
    slot_types: dict[str, SlotType] = {}
    actions: dict[str, Action] = {}
    if data is None or not c.mapping(data, 1, "actions.yaml", {"version", "slot_types", "actions"}):
        return slot_types, actions
    for name, spec in (data.get("slot_types") or {}).items():
        line = data["slot_types"].key_lines[name]
        if not c.mapping(spec, line, f"slot type '{name}'", {"patterns", "choices", "exclude"}):
            continue
        patterns = []
        for source, pline in zip(c.strings(spec, "patterns", f"slot type '{name}'"),
                                 getattr(spec.get("patterns"), "item_lines", [])):
            try:
                patterns.append(re.compile(source, re.IGNORECASE))
            except re.error as exc:
                c.add(pline, f"bad regular expression in slot type '{name}': {exc}; fix the pattern")
        choices = {str(value): tuple(str(w) for w in words or ()) for value, words in (spec.get("choices") or {}).items()}
        exclude = frozenset(fold(w) for w in c.strings(spec, "exclude", f"slot type '{name}'"))
        slot_types[name] = SlotType(name, tuple(patterns), choices, exclude)
    for name, spec in (data.get("actions") or {}).items():
        line = data["actions"].key_lines[name]
        if name not in ACTION_NAMES:
            c.add(line, f"unknown action '{name}'; the assistant can perform: {', '.join(ACTION_NAMES)}")
            continue
        if not c.mapping(spec, line, f"action '{name}'", {"description", "command", "changes_state", "slots", "examples"},
                         {"description", "examples"}):
            continue
        slots = []
        for slot_name, slot in (spec.get("slots") or {}).items():
            sline = spec["slots"].key_lines[slot_name]
            if not c.mapping(slot, sline, f"slot '{slot_name}' of '{name}'", {"type", "required", "prompt", "many"}, {"type"}):
                continue
            if slot.get("type") not in slot_types:
                c.add(sline, f"slot '{slot_name}' of '{name}' has unknown type '{slot.get('type')}'; define it under slot_types")
            slots.append(Slot(slot_name, str(slot.get("type")), bool(slot.get("required", False)),
                              str(slot.get("prompt") or slot_name), bool(slot.get("many", False))))
        actions[name] = Action(name, c.text(spec, "description", f"action '{name}'"),
                               c.text(spec, "command", f"action '{name}'", required=False),
                               bool(spec.get("changes_state", False)), tuple(slots),
                               c.strings(spec, "examples", f"action '{name}'"))
    return slot_types, actions


def _read_error_codes(c: _Checker, data: Any) -> dict[str, ErrorCode]:
    codes: dict[str, ErrorCode] = {}
    if data is None or not c.mapping(data, 1, "error_codes.yaml", {"version", "codes"}, {"codes"}):
        return codes
    for code, spec in (data.get("codes") or {}).items():
        line = data["codes"].key_lines[code]
        if not c.mapping(spec, line, f"code '{code}'",
                         {"meaning", "fix", "aliases", "handoff", "kind", "meaning_zh", "keywords_zh", "fix_zh"},
                         {"meaning", "fix", "handoff"}):
            continue
        codes[str(code)] = ErrorCode(str(code), c.text(spec, "meaning", f"code '{code}'"), c.text(spec, "fix", f"code '{code}'"),
                                     c.strings(spec, "aliases", f"code '{code}'"), bool(spec.get("handoff", False)),
                                     str(spec.get("kind", "api")),
                                     c.text(spec, "meaning_zh", f"code '{code}'"),
                                     c.strings(spec, "keywords_zh", f"code '{code}'"),
                                     c.text(spec, "fix_zh", f"code '{code}'"))
        if codes[str(code)].meaning_zh and not codes[str(code)].fix_zh and "fix_zh" not in spec:
            # a Chinese customer told the meaning in Chinese must not be told the fix in English
            c.add(line, f"code '{code}' has meaning_zh but no fix_zh; add the fix in simplified Chinese")
        if codes[str(code)].kind not in ERROR_KINDS:
            c.add(line, f"code '{code}' has kind '{spec.get('kind')}'; use one of: {', '.join(ERROR_KINDS)}")
    return codes


_WEIGHT_RANGES = {"customers": 1, "typo_cutoff": 100, "bigram": 10, "char": 10, "epochs": 500, "rate": 1, "l2": 1,
                  "train_limit": 1_000_000, "centroid_scale": 100, "negative": 100, "steps": 100_000,
                  "average": 1, "idf": 4, "prune": 10}


def _read_out_of_scope(c: _Checker, data: Any) -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    if data is None or not c.mapping(data, 1, "out_of_scope.yaml", {"version", "groups"}, {"groups"}):
        return groups
    items = data.get("groups")
    if not isinstance(items, dict) or not items:
        c.add(data.key_lines.get("groups", 1), "'groups' must map each group name to a list of out-of-scope questions")
        return groups
    for name, examples in items.items():
        line = items.key_lines[name]
        if not isinstance(examples, list) or not examples:
            c.add(line, f"out-of-scope group '{name}' must be a non-empty list of questions")
            continue
        groups[str(name)] = c.strings(items, name, f"out-of-scope group '{name}'")
    return groups


def _read_customers(c: _Checker, data: Any, entries: Mapping[str, Entry], actions: Mapping[str, Action]
                    ) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """customers.yaml (optional): customers' questions learned as phrasings, by the entry or action
    they ask for, and as out-of-scope examples (written by benchmarks/customer_phrasings.py)."""
    if data is None or not c.mapping(data, 1, "customers.yaml", {"version", "phrasings", "out_of_scope"}):
        return {}, ()
    phrasings: dict[str, tuple[str, ...]] = {}
    items = data.get("phrasings") or {}
    if not isinstance(items, dict):
        c.add(data.key_lines.get("phrasings", 1), "'phrasings' must map an entry id or an action to a list of questions")
        return {}, ()
    for name, questions in items.items():
        line = items.key_lines[name]
        if name not in entries and name not in actions:
            c.add(line, f"customers.yaml names '{name}', which is no FAQ entry or action; use an id of faq.yaml or actions.yaml")
        elif not isinstance(questions, list) or not questions:
            c.add(line, f"the phrasings of '{name}' must be a non-empty list of questions")
        else:
            phrasings[str(name)] = c.strings(items, name, f"phrasings of '{name}'")
    negatives = c.strings(data, "out_of_scope", "customers.yaml")
    return phrasings, negatives


_ENCODER_RANGES = {"fusion": 1, "steps": 100_000, "rate": 1, "l2": 1, "average": 1, "negative": 100, "answer": 1,
                   "clarify": 1, "out_of_scope": 1, "limit": 1_000_000, "request_fusion": 1, "neighbours": 1,
                   "temperature": 10, "lead_answer": 1}


def _read_encoder(c: _Checker, data: Any) -> EncoderSettings:
    e = data.get("encoder") or _Map()
    d = EncoderSettings()
    settings = EncoderSettings(**{name: c.number(e, name, "encoder setting", getattr(d, name), 0, high)
                                  for name, high in _ENCODER_RANGES.items()})
    if settings.clarify > settings.answer:
        c.add(getattr(e, "line", 1), "encoder setting 'clarify' is above 'answer'; clarify must be the lower one")
    return settings


def _bare_lines(c: _Checker, routing: _Map) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`routing.bare_lines`: {line: [intent, ...]}, each line as written."""
    raw = routing.get("bare_lines")
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        c.add(routing.key_lines.get("bare_lines", routing.line), "routing 'bare_lines' must map a line to a list of intents")
        return ()
    return tuple((str(line), c.strings(raw, line, "routing bare_lines")) for line in raw)


def _viewed_as(c: _Checker, routing: _Map) -> tuple[tuple[str, str], ...]:
    """`routing.viewed_as`: {action: action}, a request that changes the account and the one that
    shows what it made (send -> send.list)."""
    raw = routing.get("viewed_as")
    if raw is None:
        return ()
    line = routing.key_lines.get("viewed_as", routing.line)
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        c.add(line, "routing 'viewed_as' must map a request to the request that shows what it made")
        return ()
    unknown = [name for pair in raw.items() for name in pair if name not in ACTION_NAMES]
    if unknown:
        c.add(line, f"routing 'viewed_as' names unknown actions: {', '.join(map(str, unknown))}; use the actions of actions.yaml")
        return ()
    return tuple((str(k), str(v)) for k, v in raw.items())


def _checks(c: _Checker, routing: _Map) -> tuple[Check, ...]:
    """`routing.checks`: {check: {entry: ENTRY_ID, cues: [word, ...], formats: [...]}}."""
    raw = routing.get("checks")
    if raw is None:
        return ()
    line = routing.key_lines.get("checks", routing.line)
    if not isinstance(raw, dict):
        c.add(line, "routing 'checks' must map a check to its entry and cues")
        return ()
    from .symptoms import CHECKS  # the checks that exist (read only when the YAML is)

    checks = []
    for name, spec in raw.items():
        if name not in CHECKS:
            c.add(line, f"routing checks: unknown check '{name}'; use one of: {', '.join(sorted(CHECKS))}")
        elif not isinstance(spec, dict) or not isinstance(spec.get("entry"), str):
            c.add(line, f"routing checks '{name}' needs an entry (an FAQ entry id) and cues")
        else:
            what = f"routing checks '{name}'"
            words = spec.get("words") or {}
            if not isinstance(words, dict):
                c.add(line, f"{what} words must map an industry (or `banned`) to the words that name it")
                words = {}
            checks.append(Check(str(name), spec["entry"], tuple(str(x).lower() for x in c.strings(spec, "cues", what)),
                                tuple(str(x).lower() for x in c.strings(spec, "formats", what)),
                                c.strings(spec, "also", what),
                                tuple(str(x).lower() for x in c.strings(spec, "unless", what)),
                                tuple((str(key), tuple(str(x).lower() for x in c.strings(words, key, what)))
                                      for key in words)))
    return tuple(checks)


def _read_matcher(c: _Checker, data: Any) -> tuple[Thresholds, Weights, Routing, tuple[str, ...], EncoderSettings]:
    if data is None or not c.mapping(data, 1, "matcher.yaml", {"version", "thresholds", "weights", "routing", "stopwords",
                                                               "encoder"}):
        return Thresholds(), Weights(), Routing(), (), EncoderSettings()
    t = data.get("thresholds") or _Map()
    d = Thresholds()
    thresholds = Thresholds(
        answer=c.number(t, "answer", "threshold", d.answer, 0, 1),
        clarify=c.number(t, "clarify", "threshold", d.clarify, 0, 1),
        margin=c.number(t, "margin", "threshold", d.margin, 0, 1),
        suggestions=int(c.number(t, "suggestions", "threshold", d.suggestions, 1, 10)),
        low_confidence=c.number(t, "low_confidence", "threshold", d.low_confidence, 0, 1),
        gap_log_rows=int(c.number(t, "gap_log_rows", "threshold", d.gap_log_rows, 100, 100_000_000)),
        out_of_scope=c.number(t, "out_of_scope", "threshold", d.out_of_scope, 0, 1),
        lead_answer=c.number(t, "lead_answer", "threshold", d.lead_answer, 0, 1),
        alike=c.number(t, "alike", "threshold", d.alike, 1, 1000),
        lead=c.number(t, "lead", "threshold", d.lead, 0, 100),
    )
    if thresholds.clarify > thresholds.answer:
        c.add(t.line, "threshold 'clarify' is above 'answer'; clarify must be the lower one")
    w = data.get("weights") or _Map()
    dw = Weights()
    weights = Weights(**{name: c.number(w, name, "weight", getattr(dw, name), 0, high)
                         for name, high in _WEIGHT_RANGES.items()})
    r = data.get("routing") or _Map()
    routing = Routing(frozenset(fold(x) for x in c.strings(r, "question_starts", "routing")),
                      frozenset(fold(x) for x in c.strings(r, "command_starts", "routing")),
                      c.number(r, "question_penalty", "routing", 0.0, 0, 1),
                      c.number(r, "slot_bonus", "routing", 0.0, 0, 1),
                      frozenset(c.strings(r, "slot_bonus_types", "routing")),
                      tuple(fold(x) for x in c.strings(r, "command_phrases", "routing")),
                      c.strings(r, "mask_types", "routing"),
                      c.strings(r, "question_ends", "routing"),
                      c.strings(r, "salient_words", "routing"),
                      tuple(fold(x) for x in c.strings(r, "referents", "routing")),
                      tuple(fold(x) for x in c.strings(r, "question_phrases", "routing")),
                      tuple(sorted(c.strings(r, "code_questions", "routing"), key=len, reverse=True)),
                      tuple(sorted(c.strings(r, "openers", "routing"), key=len, reverse=True)),
                      tuple(sorted(c.strings(r, "closers", "routing"), key=len, reverse=True)),
                      tuple(fold(x) for x in c.strings(r, "view_verbs", "routing")),
                      tuple(fold(x) for x in c.strings(r, "sent_words", "routing")),
                      _bare_lines(c, r),
                      tuple(sorted(c.strings(r, "refusals", "routing"), key=len, reverse=True)),
                      tuple(fold(x) for x in c.strings(r, "later_words", "routing")),
                      _checks(c, r),
                      c.strings(r, "acceptance_words", "routing"),
                      c.strings(r, "closing_requests", "routing"),
                      tuple(fold(x) for x in c.strings(r, "wanting", "routing")),
                      _viewed_as(c, r),
                      tuple(fold(x) for x in c.strings(r, "trial_words", "routing")),
                      tuple(fold(x) for x in c.strings(r, "connectives", "routing")),
                      tuple(fold(x) for x in c.strings(r, "verb_tellings", "routing")),
                      tuple(fold(x) for x in c.strings(r, "fate_words", "routing")),
                      tuple(fold(x) for x in c.strings(r, "conditions", "routing")),
                      tuple(f" {fold(x)} " for x in c.strings(r, "command_ends", "routing")),
                      tuple(fold(x) for x in c.strings(r, "code_wanted", "routing")),
                      c.strings(r, "unpublished_words", "routing"),
                      tuple(x.lower() for x in c.strings(r, "choice_words", "routing")),
                      tuple(fold(x) for x in c.strings(r, "topic_again", "routing")))
    stopwords = tuple(fold(w) for w in c.strings(data, "stopwords", "matcher.yaml"))
    return thresholds, weights, routing, stopwords, _read_encoder(c, data)


# --- putting it together ----------------------------------------------------------------

def shipped_dir() -> Path:
    """The knowledge base that ships with the package (a real directory inside the install)."""
    installed = Path(__file__).resolve().parent / "shipped_kb"
    if (installed / "faq.yaml").is_file():  # the usual case, without importing importlib.resources
        return installed
    from importlib import resources

    try:
        return Path(str(resources.files("assistant.shipped_kb")))
    except ModuleNotFoundError:  # running from a source checkout that was never installed
        return Path(__file__).resolve().parent.parent / "knowledge"


def resolve_dir(kb: str | os.PathLike | None = None) -> Path:
    """The knowledge-base directory: KB, else $ASSISTANT_KB, else the shipped one."""
    chosen = kb or os.environ.get("ASSISTANT_KB")
    return Path(chosen) if chosen else shipped_dir()


# The files a load reads (`check`); of those in `_SHIPPED_WHEN_MISSING` a directory lacks, the shipped copy.
FILES = ("faq.yaml", "messages.yaml", "synonyms.yaml", "actions.yaml", "error_codes.yaml", "matcher.yaml",
         "out_of_scope.yaml", "rules.yaml", "customers.yaml")
_SHIPPED_WHEN_MISSING = ("messages.yaml", "out_of_scope.yaml", "rules.yaml")


def sources(directory: str | os.PathLike) -> list[Path]:
    """The files a load of the knowledge base in DIRECTORY reads, whether there or not: each of `FILES`
    there, and the shipped catalogue, out-of-scope examples and rules in place of those it lacks. A
    prebuilt index is looked up by them (`cache`)."""
    directory = Path(directory)
    paths = [directory / name for name in FILES]
    return paths + [shipped_dir() / name for name in _SHIPPED_WHEN_MISSING if not (directory / name).is_file()]


def _file_text(directory: Path, name: str, as_read: list[str] | None) -> str | None:
    """The text of file NAME in DIRECTORY (None: there is none), and AS_READ told what was read (`paths.stamp`)."""
    path = directory / name
    if not path.is_file():
        text, info = None, None
    else:
        with path.open(encoding="utf-8") as handle:
            text, info = handle.read(), os.fstat(handle.fileno())   # the file read, whatever replaces it later
    if as_read is not None:
        as_read.append(stamp(path, info))
    return text


def _phrasing_clashes(kb: KnowledgeBase, faq_lines: dict[str, int], folded: dict[str, str]) -> Iterator[Problem]:
    """The same phrasing (after normalisation) under two entries or actions confuses the matcher.
    Each phrasing's `fold` is kept in FOLDED, for the index build that follows."""
    seen: dict[str, str] = {}
    owners = [(f"entry '{e.id}'", "faq.yaml", faq_lines.get(e.id, 1), (e.question, *e.alternatives))
              for e in kb.entries.values()]
    owners += [(f"action '{a.name}'", "actions.yaml", 1, a.examples) for a in kb.actions.values()]
    owners += [(f"out-of-scope group '{g}'", "out_of_scope.yaml", 1, examples) for g, examples in kb.out_of_scope.items()]
    owners += [(f"entry '{name}'" if name in kb.entries else f"action '{name}'", "customers.yaml", 1, questions)
               for name, questions in kb.customers.items()]
    owners.append(("out-of-scope group 'customers'", "customers.yaml", 1, kb.customers_out_of_scope))
    for owner, file, line, phrasings in owners:
        for phrasing in phrasings:
            plain = folded[phrasing] = fold(phrasing)
            key = kb.synonyms.apply(plain)
            if key in seen and seen[key] != owner:
                yield Problem(file, line, f"phrasing '{phrasing}' of {owner} is also under {seen[key]}; keep it in one place")
            seen.setdefault(key, owner)


def _cross_references(kb: KnowledgeBase, faq_lines: dict[str, int]) -> Iterator[Problem]:
    for entry in kb.entries.values():
        line = faq_lines.get(entry.id, 1)
        for name in entry.actions:
            if name not in kb.actions:
                yield Problem("faq.yaml", line, f"entry '{entry.id}' names unknown action '{name}'; use one from actions.yaml")
        for other in entry.related:
            if other not in kb.entries:
                yield Problem("faq.yaml", line, f"entry '{entry.id}' names unknown related entry '{other}'; use an existing id")
    for check in kb.routing.checks:
        for entry in (check.entry, *check.also):
            if entry not in kb.entries:
                yield Problem("matcher.yaml", 1, f"routing checks '{check.name}' names unknown entry '{entry}'; "
                                                 "use an existing id")
    for name in kb.routing.closing_requests:
        if name not in kb.actions:
            yield Problem("matcher.yaml", 1, f"routing closing_requests names unknown action '{name}'; use one from actions.yaml")
    for line, intents in kb.routing.bare_lines:
        for key in intents:
            kind, _, name = key.partition(":")
            if not (kind == "faq" and name in kb.entries or kind == "action" and name in kb.actions):
                yield Problem("matcher.yaml", 1, f"routing bare_lines '{line}' names unknown intent '{key}'; "
                                                 "write faq:ENTRY_ID or action:NAME")
    industries = kb.slot_types["industry"].choices if "industry" in kb.slot_types else {}
    known = kb.rules.template_industries if kb.rules else industries
    for name in industries:
        if name not in known:
            yield Problem("actions.yaml", 1, f"slot type 'industry' names '{name}', not a template industry of rules.yaml; "
                                             f"use one of: {', '.join(known)}")


def _missing_error_codes(kb: KnowledgeBase) -> Iterator[Problem]:
    """A code the actions can produce but the catalogue lacks: `assistant error` could not explain it."""
    from .codes import code_key, raised_codes

    known: dict[str, str] = {}
    for code in kb.error_codes.values():
        for name in (code.code, *code.aliases):
            other = known.setdefault(code_key(name), code.code)
            if other != code.code:
                yield Problem("error_codes.yaml", 1, f"'{name}' of {code.code} is, without case and prefix, also "
                                                     f"{other}; a lookup could not tell them apart")
    for code in sorted(raised_codes()):
        if code_key(code) not in known:
            yield Problem("error_codes.yaml", 1, f"the actions can raise {code} but it is not here; add it with meaning, "
                                                 "fix and handoff")


def check(directory: str | os.PathLike, overlay: dict[str, list[str]] | None = None,
          folded: dict[str, str] | None = None, as_read: list[str] | None = None) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Read the knowledge base in DIRECTORY and return it with every problem found.

    OVERLAY maps entry ids to extra phrasings a database learned (`assistant kb learn`). FOLDED, if
    given, is filled with every phrasing's `fold` (see `router.Router`). AS_READ, if given, is told each
    file of `sources` as it was read ("path|size|mtime", `paths.stamp`): what a prebuilt index of this
    knowledge base is keyed by (`cache`), not the files as they are by the time it is written.
    """
    directory = Path(directory)
    if not (directory / "faq.yaml").is_file():
        return None, [Problem(str(directory), 0, "no faq.yaml here; point --kb at a knowledge-base directory")]
    problems: list[Problem] = []

    read = partial(_read_file, directory, as_read=as_read)
    checkers = []
    c, data = read("faq.yaml")
    entries, intro, faq_lines, languages = _read_faq(c, data)
    checkers.append(c)
    c, data = read("messages.yaml", shipped=True)
    messages = _read_messages(c, data, languages)
    small_talk = _read_small_talk(c, data, messages)
    follow_ups = _read_follow_ups(c, data)
    answers = _read_answers(c, data)
    leaving = _read_leaving(c, data)
    checkers.append(c)
    c, data = read("synonyms.yaml")
    synonyms = _read_synonyms(c, data)
    checkers.append(c)
    c, data = read("actions.yaml")
    slot_types, actions = _read_actions(c, data)
    checkers.append(c)
    c, data = read("error_codes.yaml")
    error_codes = _read_error_codes(c, data)
    checkers.append(c)
    c, data = read("matcher.yaml")
    thresholds, weights, routing, stopwords, encoder = _read_matcher(c, data)
    checkers.append(c)
    c, data = read("out_of_scope.yaml", shipped=True)
    out_of_scope = _read_out_of_scope(c, data)
    checkers.append(c)
    c, rules_data = read("rules.yaml", shipped=True)
    rules = _read_rules(c, rules_data, languages)
    checkers.append(c)
    for checker in checkers:
        problems.extend(checker.problems)
    problems.extend(_render_rules(entries, rules_data, faq_lines))

    c, data = read("customers.yaml")
    customers, customers_out = _read_customers(c, data, entries, actions)
    problems.extend(c.problems)
    checkers.append(c)
    # A file that cannot be read empties what the others name: only its own reason is worth telling.
    unreadable = [checker.unreadable for checker in checkers if checker.unreadable is not None]
    if unreadable:
        return None, unreadable
    _learned(entries, actions, overlay or {})
    kb = KnowledgeBase(str(directory), entries, Synonyms(synonyms), slot_types, actions, error_codes,
                       thresholds, weights, routing, stopwords, rules, intro, out_of_scope, encoder, languages, messages,
                       small_talk, follow_ups, answers, leaving, customers, customers_out)
    problems.extend(_cross_references(kb, faq_lines))
    problems.extend(_prompt_messages(kb))
    if (directory / "error_codes.yaml").is_file():  # a plain FAQ without a catalogue has no account model to explain
        problems.extend(_missing_error_codes(kb))
    problems.extend(_phrasing_clashes(kb, faq_lines, {} if folded is None else folded))
    return kb, problems


def _read_file(directory: Path, name: str, shipped: bool = False, as_read: list[str] | None = None) -> tuple[_Checker, Any]:
    """File NAME of DIRECTORY: its checker and data (AS_READ: as for `check`); with SHIPPED, a file the
    directory lacks is the shipped knowledge base's (a plain FAQ takes its catalogue, out-of-scope examples
    and account model)."""
    checker = _Checker(name)
    try:
        text = _file_text(directory, name, as_read)
    except UnicodeDecodeError as exc:
        checker.refuse(1, f"not UTF-8 text (byte {exc.start + 1}); save the file as UTF-8")
        text = None
    except OSError as exc:
        checker.refuse(1, f"cannot be read ({exc.strerror or exc}); check the file")
        text = None
    data = checker.load(text) if text is not None else None
    if data is not None and not isinstance(data, dict):
        checker.refuse(getattr(data, "line", 1), f"{name} must be a mapping of keys to values")
    if shipped and data is None and not checker.problems:
        data = _Checker(name).load(_file_text(shipped_dir(), name, as_read) or "")
    return checker, data


def _read_rules(c: _Checker, data: Any, languages: tuple[str, ...]) -> Rules | None:
    """rules.yaml's account model from DATA, or None when there is none or it does not parse (the
    problem told to C, as one in a language the catalogue lacks)."""
    if data is None:
        return None
    try:
        rules = parse_rules(data)
    except RulesError as exc:
        c.add(getattr(data, "line", 1), str(exc))
        return None
    _unsupported_languages(c, rules, data, languages)
    return rules


def _learned(entries: dict[str, Entry], actions: dict[str, Action], overlay: dict[str, list[str]]) -> None:
    """The phrasings a database learned (OVERLAY, `assistant kb learn`) added to their FAQ entries'
    alternatives and their requests' examples, in place, each once."""
    for entry_id, extra in overlay.items():
        if entry_id in actions:
            action = actions[entry_id]
            actions[entry_id] = action._replace(examples=action.examples + tuple(p for p in extra if p not in action.examples))
        elif entry_id in entries:
            entry = entries[entry_id]
            merged = entry.alternatives + tuple(p for p in extra if p not in entry.alternatives)
            entries[entry_id] = entry._replace(alternatives=merged)


def load(kb: str | os.PathLike | None = None, overlay: dict[str, list[str]] | None = None,
         folded: dict[str, str] | None = None, as_read: list[str] | None = None) -> KnowledgeBase:
    """Load the knowledge base (see `resolve_dir`); raise KnowledgeError listing every problem.
    FOLDED, AS_READ: as for `check`."""
    directory = resolve_dir(kb)
    knowledge, problems = check(directory, overlay, folded, as_read)
    if problems or knowledge is None:
        raise KnowledgeError(problems, directory)
    return knowledge
