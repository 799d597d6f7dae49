"""From a line a person typed to a decision: an answer, an action with its slots, a "did you
mean", or an honest "I don't know".

The FAQ entries, the actions and the out-of-scope examples share one intent model, so "how do I
create a signature", "submit a signature called Acme Tech" and "how do I reset my password"
compete on equal terms; routing cues from `knowledge/matcher.yaml` then tip the balance (a
question form leans to the FAQ, a value the action needs, such as a template code or a phone
number, leans to the action). The decision: answer when the best intent is clear (confident and
ahead of the next by a margin); "did you mean" only when the best two are close; otherwise, or
when the out-of-scope class wins, fall back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from . import lang as language
from . import numbers, symptoms
from .knowledge import Action, KnowledgeBase
from .matcher import FORM_WORDS, Candidate, Index
from .records import NamedTuple
from .text import LazyPattern, clean, fold, plain, spaced, stem

NEGATIVE = "none:out-of-scope"  # the intent of the out-of-scope examples
# A sentence ends at . ! ? ; followed by a space or written against a Chinese character (the router
# reads ？ and ！ as ? and !), at a Chinese full stop, question or exclamation mark
# ("isv.AMOUNT_NOT_ENOUGH" and "1.5" are not split), or at a line break.
_SENTENCE_END = LazyPattern(r"(?<=[.!?;])\s+|(?<=[!?;])(?=[^\x00-\x7f])|(?<=[。！？；])\s*|\n+")
# Of the readings of a long message, an answer or action beats a "did you mean", which beats a fallback.
_RANK = {"answer": 3, "action": 3, "clarify": 2, "fallback": 1}
MAX_QUESTION = 1000  # characters; longer input is refused for that line, not truncated silently
_UNSPOKEN = LazyPattern(r"[\W_]+")   # spaces and punctuation, ASCII and Chinese: not compared in a code's words
_PARTICLES = "了啊呀呢吗"           # sentence particles around a code's words ("余额不足了怎么办呢")


_BETWEEN = " \t,.!:;~-，。！：；～"  # what may stand between an opener or a closer and the message
_TRAILING = " \t.!~。！～"          # what a line may end with after its last word (not a question mark)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")  # keeps every length


def _after_opener(text: str, openers: Sequence[str]) -> str | None:
    """TEXT after the first of OPENERS (the longest first, case-blind) it opens with and the
    separators after it, or None. An English opener must be followed by a separator ("hi, ...",
    not "history ..."); a Chinese one need not ("您好我想问...")."""
    low = text.translate(_ASCII_LOWER)
    for opener in openers:
        if low.startswith(opener):
            rest = text[len(opener):]
            if opener.isascii() and rest[:1] not in tuple(_BETWEEN):
                continue
            return rest.lstrip(_BETWEEN)
    return None


_CLAUSE_END = LazyPattern(r"[,;.!?，；。！？]")


def _opens_with(low: str, phrases: Sequence[str]) -> bool:
    """Whether LOW (lower-cased) opens with one of PHRASES, an English one as whole words."""
    return any(low.startswith(p) and (not p.isascii() or not low[len(p):len(p) + 1].isalnum()) for p in phrases)


def _only_refused(taken: Mapping[str, Any], found: list[symptoms.Finding]) -> bool:
    """Whether every value a request TAKEN from a line is one the rules refuse (FOUND): the line asks
    whether that value can be used, not for the request."""
    refused = {f.value for f in found}
    values = [v for value in taken.values() for v in (value if isinstance(value, list) else [value])]
    return bool(values) and all(isinstance(v, str) and v in refused for v in values)


def _says_any(folded: str, phrases: Sequence[str]) -> str | None:
    """The first of PHRASES (folded) that FOLDED says as whole words, anywhere; None when it says none."""
    padded = f" {folded.strip()} "
    return next((p for p in phrases if f" {p} " in padded), None)


def _declined(text: str, refusals: Sequence[str]) -> str | None:
    """TEXT without a clause declining something that it opens or closes with ("I don't need a
    human, just tell me how long review takes", "审核要多久？不需要转人工"), or None. A clause
    that is itself a question ("不用签名也可以吗，…", "no need for a signature?") declines nothing."""
    if _opens_with(text.translate(_ASCII_LOWER), refusals):
        end = _CLAUSE_END.search(text)
        if end is not None and end.group() not in "?？" and not _asks_back(text[:end.start()]):
            return text[end.end():].lstrip(_BETWEEN)
        return None
    body = text.rstrip(_TRAILING)
    last = max(_CLAUSE_END.finditer(body), key=lambda m: m.start(), default=None)
    if last is None:
        return None
    tail = body[last.end():].strip()
    if tail and _opens_with(tail.translate(_ASCII_LOWER), refusals) and not _asks_back(tail):
        return body[:last.end()].rstrip(" ,;，；")
    return None


def _asks_back(clause: str) -> bool:
    """Whether CLAUSE is a question by its last character (吗, 呢, a question mark)."""
    return clause.rstrip(_TRAILING).endswith(("吗", "呢", "?", "？", "么"))


def _before_closer(text: str, closers: Sequence[str]) -> str | None:
    """TEXT before the first of CLOSERS (the longest first, case-blind) it closes with, and the
    separators before it, or None. An English closer must stand apart from the word before it
    ("...party" is no "...p" + "arty")."""
    body = text.rstrip(_TRAILING)
    low = body.translate(_ASCII_LOWER)
    for closer in closers:
        if low.endswith(closer) and len(low) > len(closer):
            before = body[:-len(closer)]
            if closer.isascii() and before[-1].isascii() and before[-1].isalnum():
                continue
            return before.rstrip(_BETWEEN)
    return None


def _bare(text: str) -> str:
    """TEXT without spaces or punctuation, in any case: how a code's Chinese words are compared."""
    return _UNSPOKEN.sub("", text).casefold()


def _strength(reply: Reply) -> tuple[int, float]:
    """How much a reading of a message says: an answer or action (an undocumented entry's honest
    fallback counts as one), then a "did you mean", then a fallback; then its confidence."""
    return (_RANK[reply.type] if reply.kind != "undocumented" else _RANK["answer"], reply.confidence)


class _Readings(NamedTuple):
    """A message's readings (`Router._readings`): IN_CONTEXT, the whole message and each asking sentence
    with the sentences before it; ALONE, each asking sentence by itself; STATED, the sentence just before
    one that asks, when it only states a problem."""
    in_context: list[Reply]
    alone: list[Reply]
    stated: list[Reply]


def _shown(confidence: float) -> float:
    """A confidence as the JSON contract gives it: within 0..1, four decimals (rules that move
    likelihood between intents add floats)."""
    return round(min(1.0, max(0.0, confidence)), 4)


class Suggestion(NamedTuple):
    key: str
    question: str
    confidence: float

    def to_json(self) -> dict[str, Any]:
        kind, _, name = self.key.partition(":")
        return {"entry" if kind == "faq" else "action": name, "question": self.question,
                "confidence": _shown(self.confidence)}


class Reply(NamedTuple):
    """What the assistant makes of one line; `to_json` is the contract of `ask --json`."""

    question: str
    type: str  # answer | action | clarify | fallback
    confidence: float = 0.0
    entry: str | None = None
    answer: str | None = None
    action: str | None = None
    args: dict[str, Any] | None = None   # the slots, for actions
    suggestions: tuple[Suggestion, ...] = ()
    best: Candidate | None = None
    error: str | None = None
    lang: str = "en"                     # the language the answer (and the words around it) is in
    kind: str | None = None              # a fallback's: "undocumented" says where to look, "small_talk" greets back
    notes: tuple[str, ...] = ()          # what the values leave unsaid ("12345: not a mobile number ...")
    outside: bool = False                # a fallback because the question is out of scope (not in `to_json`)
    also: tuple[Reply, ...] = ()         # the other questions of a message that asks two or three (`Router.also_asked`)

    def to_plain(self) -> tuple:
        """The reply as plain data (tuples, lists, dicts, strings, numbers: what `forked` sends
        back from a worker), `from_plain` makes it again."""
        best = tuple(self.best) if self.best is not None else None
        return (*self[:7], tuple(tuple(s) for s in self.suggestions), best, *self[9:14],
                tuple(other.to_plain() for other in self.also))

    @classmethod
    def from_plain(cls, data: Sequence[Any]) -> Reply:
        fields = list(data)
        fields[7] = tuple(Suggestion(*s) for s in fields[7])
        fields[8] = Candidate(*fields[8]) if fields[8] is not None else None
        fields[12] = tuple(fields[12])
        fields[14] = tuple(cls.from_plain(other) for other in fields[14])
        return cls(*fields)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"question": self.question, "type": self.type, "confidence": _shown(self.confidence),
                               "lang": self.lang}
        if self.type == "answer" or self.kind == "undocumented":
            out.update(entry=self.entry, answer=self.answer)
            if self.kind:
                out["kind"] = self.kind
            if self.notes:   # what the rules say of a value the question names (symptoms)
                out["notes"] = list(self.notes)
        elif self.kind == "small_talk":
            out.update(kind=self.kind, answer=self.answer)
        elif self.type == "action":
            out.update(action=self.action, args=self.args)
            if self.notes:
                out["notes"] = list(self.notes)
        elif self.type == "clarify":
            out["suggestions"] = [s.to_json() for s in self.suggestions]
        if self.error:
            out["error"] = self.error
        if self.also:
            out["also"] = [other.to_json() for other in self.also]
        return out


def extract(kb: KnowledgeBase, type_name: str, text: str) -> list[str]:
    """Every value of slot type TYPE_NAME found in TEXT, in order, without repeats."""
    slot_type = kb.slot_types.get(type_name)
    if slot_type is None:
        return []
    found: list[str] = []
    for pattern in slot_type.patterns:
        for match in pattern.finditer(text):
            value = (match.groupdict().get("value") or match.group(0)).strip()
            if value and value not in found:
                found.append(value)
    if slot_type.choices:
        folded = f" {fold(text)} "
        for value, words in slot_type.choices.items():
            if any(f" {fold(w)} " in folded for w in (value, *words)) and value not in found:
                found.append(value)
    return found


_CODE_NAMES: dict[int, tuple[object, dict[str, str]]] = {}   # id(catalogue) -> (catalogue, `_code_names`)


def _code_names(kb: KnowledgeBase) -> dict[str, str]:
    """Each name of the catalogue's codes (code and aliases, bare or prefixed), folded, to its code.
    Built once per catalogue: every request's slots read it (the catalogue is kept beside its names,
    so an id reused after it is gone never finds another's)."""
    held = _CODE_NAMES.get(id(kb.error_codes))
    if held is not None and held[0] is kb.error_codes:
        return held[1]
    known = {}
    for code in kb.error_codes.values():
        for name in (code.code, *code.aliases):
            known[name.casefold()] = code.code
            known[name.split(".", 1)[-1].casefold()] = code.code
    if len(_CODE_NAMES) >= 8:   # knowledge bases reloaded by a long-lived process
        _CODE_NAMES.clear()
    _CODE_NAMES[id(kb.error_codes)] = (kb.error_codes, known)
    return known


def _as_code(known: dict[str, str], value: str) -> str | None:
    """VALUE (read by the `error_code` slot type) as the code it names: a catalogue code, or any
    isv./isp. code; None for other words with underscores ("bill_type", an account "nailsalon_sh")."""
    key = value.casefold()
    return known.get(key, value) if key in known or key.startswith(("isv.", "isp.")) else None


def _error_codes_in(kb: KnowledgeBase, text: str) -> list[str]:
    """Error codes in TEXT that the knowledge base knows, bare or prefixed, any case."""
    known = _code_names(kb)
    return [code for value in extract(kb, "error_code", text) if (code := _as_code(known, value))]


def _looked_up(question: str, code: str, lang: str) -> Reply:
    """QUESTION read surely as the look-up of error CODE."""
    return Reply(question, "action", 1.0, action="error.lookup", args={"code": code},
                 best=Candidate("action:error.lookup", 1.0, ""), lang=lang)


def _code_words(folded: str, stop: frozenset[str]) -> frozenset[str]:
    """FOLDED's words for comparing with a code's meaning: English words of three letters or more (stemmed),
    outside STOP, and each pair of Chinese characters next to each other (folded Chinese is a character a word)."""
    words = folded.split()
    english = {stem(w) for w in words if len(w) >= 3 and w.isascii() and w.isalpha() and w not in stop}
    chinese = {a + b for a, b in zip(words, words[1:]) if not a.isascii() and not b.isascii()}
    return frozenset(english | chinese)


def slots_for(kb: KnowledgeBase, action: Action, text: str) -> dict[str, Any]:
    """The slot values of ACTION that TEXT already gives. A value one slot took is not given to a
    later slot too: 'create a template "Autumn sale"' names the template, not its industry, text
    and media as well (all of them take a quoted value)."""
    args: dict[str, Any] = {}
    taken: set[str] = set()
    for slot in action.slots:
        if slot.type == "phone":
            values = [re.sub(r"[\s-]", "", v) for v in phone_reading(kb, text).recipients]
        elif slot.type == "industry_said":
            values = industries_in(kb, text)
        else:
            values = _error_codes_in(kb, text) if slot.type == "error_code" else extract(kb, slot.type, text)
        never = kb.slot_types[slot.type].exclude if slot.type in kb.slot_types else ()
        values = [v for v in values if fold(v) not in never and v not in taken]
        if values:
            args[slot.name] = values if slot.many else values[0]
            taken.update(values if slot.many else values[:1])
    return args


def industries_in(kb: KnowledgeBase, text: str) -> list[str]:
    """The template industries TEXT names with the field's word (slot type `industry_said`: "餐饮行业",
    "行业：餐饮", "industry catering"), each as rules.yaml names it (catering): the longest word of an
    industry (slot type `industry`'s, or its own name) in what is read there; then quoted values, as any
    quoted value was read before."""
    slot_type, words = kb.slot_types.get("industry_said"), kb.slot_types.get("industry")
    named = {name: (name,) for name in (kb.rules.template_industries if kb.rules else ())}
    for name, others in (words.choices if words else {}).items():
        named[name] = (*named.get(name, (name,)), *others)
    found: list[str] = []
    for pattern in slot_type.patterns if slot_type else ():
        for match in pattern.finditer(text):
            said = f" {fold(match.group('value'))} "
            best = max(((len(fold(w)), name) for name, ws in named.items() for w in ws if f" {fold(w)} " in said),
                       default=None)
            if best and best[1] not in found:
                found.append(best[1])
    return found + [v for v in extract(kb, "quoted", text) if v not in found]


def phone_reading(kb: KnowledgeBase, text: str, whole: bool = False) -> numbers.Reading:
    """The mobile numbers of TEXT by the one reader (`numbers.read`) with the knowledge base's patterns."""
    slot_type = kb.slot_types.get("phone")
    return numbers.read(text, slot_type.patterns if slot_type else [], whole)


def notes_for(kb: KnowledgeBase, action: Action, text: str, lang: str | None = None) -> tuple[str, ...]:
    """What a request's values leave unsaid, in LANG (by default TEXT's language): numbers that are
    none, numbers written twice (`numbers.Reading.said`), and a time it asks for
    (`routing.later_words`: "tomorrow", 明天), since a send goes out at once."""
    if not any(slot.type == "phone" for slot in action.slots):
        return ()
    from .messages import said, say

    lang = lang or language.detect(text)
    notes = [said(kb, note, lang) for note in phone_reading(kb, text).said(kb.rules)]
    if (when := _says_any(fold(text), kb.routing.later_words)) is not None:
        # folded Chinese is a character a word ("明 天"): said again as written
        notes.append(say(kb, "send.not_scheduled", lang, when=when.replace(" ", "") if lang == "zh" else when))
    return tuple(notes)


_PRONOUNS = frozenset({"it", "its", "that", "this", "they", "them", "它"})   # 它: a Chinese character is a word once folded
_REFERS_ZH = LazyPattern("[这那它此该]")
# what a sentence speaks of only by a pronoun: 它, "这个能用吗" (a measure word before a verb), "这个东西",
# "这是…"; not "那模板审核要几天" (那 opening a sentence: "then"), "这个签名" (it names what) or "该怎么办"
_UNNAMED_ZH = LazyPattern("它|[这那此](?:[个些种样条次批]|[几两三]个)?(?:东西|事情?|问题|情况|玩意儿?)"
                          "|[这那此](?:[个些种条次批]|[几两三]个)(?=[能可要会是有怎咋需行算该也还就在不没都得吗呢啊?？,，.。!！]|$)"
                          "|[这那](?:是|样)")
_RESPONSE = LazyPattern(r"\{[^{}]*\}")   # a pasted JSON object (an API response), one level
_SURELY_OUTSIDE = 0.9   # this surely out of scope, a line is so though it names a number ("my friend at +86 138 ...")
_ALSO_ASKED = 2   # a message asking more than three things is answered for three (a person can ask again)
_ALSO_NEAR = 5    # ... and its entry among the whole message's likeliest (validation sets: 1 doubtful extra in 3,502)
_POINTS_BACK_ZH = LazyPattern("它|[这那](?:些|几个|两个|三个)|[这那]个?(?![\u4e00-\u9fff])")   # "列一下这些", not "这个签名"


def _within(phrase: tuple[str, ...], words: Sequence[str]) -> bool:
    """Whether PHRASE occurs, its words in a row, in WORDS."""
    n = len(phrase)
    return any(tuple(words[i:i + n]) == phrase for i in range(len(words) - n + 1))


def _given_to(ranked: list[Candidate], unable: set[str], taker: str) -> list[Candidate]:
    """RANKED with the likelihood of the intents UNABLE to be meant given to TAKER, best first."""
    moved = sum(c.confidence for c in ranked if c.key in unable)
    ranked = [c._replace(confidence=0.0) if c.key in unable else
              c._replace(confidence=round(min(1.0, c.confidence + moved), 4)) if c.key == taker else c
              for c in ranked]
    return sorted(ranked, key=lambda c: c.confidence, reverse=True)


def _refers(sentence: str) -> bool:
    """Whether SENTENCE speaks of something by a pronoun ("when will it be approved?")."""
    return not _PRONOUNS.isdisjoint(fold(sentence).split())


class Router:
    """Decides what a line means, using one matcher index over FAQ entries and actions."""

    def __init__(self, kb: KnowledgeBase, index: Index | None = None, folded: Mapping[str, str] | None = None,
                 encoder: Any = None):
        """INDEX, when given, is a prebuilt one for KB (from the cache); else it is trained here,
        with ENCODER's classifier beside the lexical model when one is given (`encoder.load`).
        FOLDED may map phrasings of KB to their `fold`, computed while the knowledge base was
        checked (a large knowledge base need not fold each of its phrasings twice)."""
        self.kb = kb
        self._starts: tuple[tuple[str, ...], ...] | None = None  # `_prefixes`
        # the latest texts masked: a batch's line is masked when primed, then again when routed
        self._masked: dict[str, str] = {}
        self._code_spellings = _code_names(kb)   # which words `_mask` takes for a code (`_is_code`)
        if index is None:
            intents, read = self._phrasings(folded or {})
            index = Index(intents, kb.synonyms, kb.weights, kb.stopwords, negative=NEGATIVE, folded=read,
                          encoder=encoder, encoder_settings=kb.encoder, light=self._customers())
        self.index = index
        # the fused probabilities have their own thresholds, chosen on validation data like the lexical ones
        e = kb.encoder
        # (`low_confidence`, what "surely" means to the router's callers, scaled as `answer` is: the
        # fused probabilities are less peaked; the gap log keeps the knowledge base's own figure)
        t = kb.thresholds
        self.thresholds = t if index.semantic is None else \
            t._replace(answer=e.answer, clarify=e.clarify, out_of_scope=e.out_of_scope,
                       lead_answer=e.lead_answer or t.lead_answer,
                       low_confidence=round(t.low_confidence * e.answer / t.answer, 4) if t.answer else t.low_confidence)
        self.warning: str | None = None  # set by `cache.load_router` when the chosen encoder could not be used
        self._salient: dict[str, tuple[tuple[str, ...], ...]] | None = None  # salient words as read, by first
        self._unpublished: tuple[tuple[tuple[str, ...], ...], ...] | None = None  # routing.unpublished_words as read
        self._read_phrasings: dict[str, tuple[tuple[str, ...], ...]] = {}  # an FAQ entry's phrasings as read (speaks)
        self._code_words: dict[str, str | None] | None = None     # see code_asked
        self._code_names: re.Pattern | None = None                # the error codes, longest first (codes_apart)
        self._meanings: dict[str, frozenset[str]] | None = None    # each code's meaning as words (code_wanted)
        self._bare_lines: dict[str, tuple[str, ...]] | None = None   # routing.bare_lines, folded (Router._bare)
        self._stopwords: frozenset[str] | None = None   # the knowledge base's stopwords (Router._says_nothing)

    def intents(self) -> dict[str, list[str]]:
        """Every intent's phrasings, masked: FAQ entries, actions and the out-of-scope examples."""
        return self._phrasings({})[0]

    def _customers(self) -> dict[str, int]:
        """How many of each intent's last phrasings are customers' questions (`Index`'s LIGHT)."""
        kb = self.kb
        light = {(f"faq:{name}" if name in kb.entries else f"action:{name}"): len(questions)
                 for name, questions in kb.customers.items()}
        if kb.customers_out_of_scope:
            light[NEGATIVE] = len(kb.customers_out_of_scope)
        return light

    def _phrasings(self, folded: Mapping[str, str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """`intents`, and the same phrasings as `fold` reads them, each phrasing folded once."""
        kb = self.kb
        asked = kb.customers   # customers' questions come last in each group (`_customers`)
        groups = [(f"faq:{entry.id}", (entry.question, *entry.alternatives, *asked.get(entry.id, ())))
                  for entry in kb.entries.values()]
        groups += [(f"action:{action.name}", (*action.examples, *asked.get(action.name, ()))) for action in kb.actions.values()]
        negative = [p for examples in kb.out_of_scope.values() for p in examples] + list(kb.customers_out_of_scope)
        if negative:
            groups.append((NEGATIVE, negative))
        intents: dict[str, list[str]] = {}
        read: dict[str, list[str]] = {}
        for key, phrasings in groups:
            intents[key], read[key] = prepared, prepared_read = [], []
            for phrasing in phrasings:
                plain = folded.get(phrasing)
                if plain is None:
                    plain = fold(phrasing)
                word = f"{self.form(phrasing, plain) or 'plain'}form"
                masked = self._lead_in_off(self._mask(phrasing))  # once each: past `mask`'s memory of the latest questions
                prepared.append(f"{word} {masked}")
                # fold works word by word: the form word in front of a folded phrasing is the
                # folded prepared text, unless masking changed the words
                if masked != phrasing:
                    prepared_read.append(fold(prepared[-1]))
                else:
                    prepared_read.append(f"{word} {plain}" if plain else word)
        return intents, read

    def prepare(self, text: str, form: str | None = None) -> str:
        """TEXT as the model reads it: masked, with a word for its form ("how do I ..." reads as a
        question, "create a template" as a command), so that the model learns which intents are
        asked about and which are asked for."""
        form = self.form(text) if form is None else form
        return f"{form or 'plain'}form {self._lead_in_off(self.mask(text))}"

    def _lead_in_off(self, text: str) -> str:
        """TEXT without the words it opens with to ask ("请问", "顺便问下", "can you tell me"), which
        say how, not what, it asks (the form word says that): folded, when it opened so."""
        joined = fold(text) + " "
        lead_ins = self._prefixes()[0]
        if not joined.startswith(lead_ins):   # most lines: one test in C
            return text
        phrase = max((p for p in lead_ins if joined.startswith(p)), key=len)
        return joined[len(phrase):].strip() or text

    def mask(self, text: str) -> str:
        """TEXT with each value of a masked slot type replaced by the type's name.

        "send DIGITAL_SMS_0001 to 13800138000" and "send DIGITAL_SMS_0042 to 186-1234-5678" then
        read alike, and a code or number in an example never becomes a word to match on.
        """
        masked = self._masked.get(text)
        if masked is None:
            if len(self._masked) > 4096:
                self._masked.clear()
            masked = self._masked[text] = self._mask(text)
        return masked

    def _mask(self, text: str) -> str:
        for type_name in self.kb.routing.mask_types:
            slot_type = self.kb.slot_types.get(type_name)
            word = f" {type_name.replace('_', '')}slot "
            for pattern in slot_type.patterns if slot_type else ():
                if type_name == "error_code":   # only a code is one: "bill_type" and "acct nailsalon_sh" are words
                    text = pattern.sub(lambda m, w=word: w if self._is_code(m) else m.group(0), text)
                else:
                    text = pattern.sub(word, text)
        return text

    def _is_code(self, match: re.Match[str]) -> bool:
        """Whether MATCH (of an `error_code` pattern) names a code (see `_as_code`)."""
        return _as_code(self._code_spellings, match.groupdict().get("value") or match.group(0)) is not None

    def title(self, key: str, lang: str = "en") -> str:
        """What a "did you mean" shows for intent KEY: the entry's question in LANG, or the action
        (its description, in LANG from the catalogue's `action.NAME`)."""
        kind, _, name = key.partition(":")
        if kind == "faq":
            return self.kb.entries[name].said("question", lang)
        said = self.kb.messages.get(f"action.{name}") or {}
        return said.get(lang) or self.kb.actions[name].description

    def viewing(self, text: str) -> bool:
        """Whether TEXT asks to be shown something (`routing.view_verbs` first, after a polite
        opening of `command_phrases`: "please show my signatures", "能帮我列出模板"), or asks after
        a send already made (`routing.sent_words` anywhere: "did 13800138000 receive
        DIGITAL_SMS_0001", "帮我确认下收到了吗"): such a line changes nothing, so no request that
        changes the account is read in it (a send named by its values would be charged twice). A
        line that wants to see a send on a phone (`routing.trial_words`: "看看手机上的效果") asks for one."""
        joined = " ".join(fold(text).split()) + " "
        if _says_any(joined, self.kb.routing.trial_words):
            return False
        if _says_any(joined, self.kb.routing.sent_words):
            return True
        verbs = self.kb.routing.view_verbs
        if not verbs:
            return False
        for phrase in self.kb.routing.command_phrases:
            if joined.startswith(phrase + " "):
                joined = joined[len(phrase) + 1:]
                break
        return joined.startswith(tuple(v + " " for v in verbs))

    def _trying(self, text: str) -> bool:
        """Whether TEXT asks to send (again) or to see a send on a phone (`routing.trial_words`)."""
        return _says_any(" ".join(fold(text).split()), self.kb.routing.trial_words) is not None

    def _changing_nothing(self, ranked: list[Candidate]) -> list[Candidate]:
        """RANKED given that the line changes nothing: a request that changes the account gives its
        likelihood to the one that shows what it made (`routing.viewed_as`: "查下 13598765432 昨天那条
        发成功没有" leans to a send, and asks for the send records), where there is one; the other
        requests that change the account have none, and the other intents share theirs (each given
        in proportion)."""
        changing = {c.key for c in ranked if c.key.startswith("action:") and
                    self.kb.actions[c.key.partition(":")[2]].changes_state}
        if not changing:
            return ranked
        viewed = {f"action:{a}": f"action:{b}" for a, b in self.kb.routing.viewed_as if b in self.kb.actions}
        given: dict[str, float] = {}
        for c in ranked:
            if c.key in changing and c.key in viewed:
                given[viewed[c.key]] = given.get(viewed[c.key], 0.0) + c.confidence
        keep = 1.0 - sum(c.confidence for c in ranked if c.key in changing) + sum(given.values())
        if keep <= 0.0:
            return ranked
        def shared(c: Candidate) -> float:
            return round(min(1.0, (c.confidence + given.pop(c.key, 0.0)) / keep), 4)

        out = [c._replace(confidence=0.0) if c.key in changing else c if c.key == NEGATIVE else c._replace(confidence=shared(c))
               for c in ranked]
        out += [Candidate(key, round(min(1.0, value / keep), 4), "") for key, value in given.items()]
        return sorted(out, key=lambda c: c.confidence, reverse=True)

    def _adjust(self, candidate: Candidate, text: str, form: str, acting: float = 0.0) -> Candidate:
        """CANDIDATE's confidence for a line of FORM: an FAQ entry in a command, or a request that
        changes the account in a question, loses `routing.question_penalty`; ACTING is the best
        request's confidence, and an entry `thresholds.lead` times as sure as it keeps its own ("I
        want to start sending digital messages": onboarding 0.54, a send 0.33)."""
        kind, _, name = candidate.key.partition(":")
        routing = self.kb.routing
        if kind == "none":
            return candidate
        if kind != "action":
            if form != "command" or candidate.confidence >= self.thresholds.lead * acting:
                return candidate
            score = candidate.confidence - routing.question_penalty
            return Candidate(candidate.key, round(max(0.0, score), 4), candidate.phrasing)
        action = self.kb.actions[name]
        score = candidate.confidence
        # a request worded as a question all the same ("找个真人来跟我对接一下行不？") loses nothing
        is_question = form == "question" and name not in routing.closing_requests
        if is_question and action.changes_state:
            score -= routing.question_penalty
        # (the slots are only looked for when they can change the score: extracting them compiles patterns)
        if routing.slot_bonus and any(s.type in routing.slot_bonus_types for s in action.slots):
            found = slots_for(self.kb, action, text)
            if any(s.name in found and s.type in routing.slot_bonus_types for s in action.slots):
                score += routing.slot_bonus
        return Candidate(candidate.key, round(max(0.0, min(1.0, score)), 4), candidate.phrasing)

    def form(self, text: str, folded: str | None = None) -> str:
        """'question', 'command' or '' (neither) from the first word and a final question mark.
        FOLDED is `fold(text)` when the caller has it already."""
        words = (fold(text) if folded is None else folded).split()
        joined = " ".join(words) + " "
        question_phrases, command_phrases, question_starts, command_starts, tellings, connectives, _ = self._prefixes()
        if joined.startswith(question_phrases):
            return "question"  # "can you tell me how ..." asks for information, though it starts like a request
        if joined.startswith(command_phrases):
            return "command"  # "can you send ..." is a request, though it starts like a question
        if text.rstrip().endswith(("?", "？")) or (words and words[-1] in self.kb.routing.question_ends) or \
                joined.startswith(question_starts):
            return "question"
        if joined.startswith(command_starts):
            verb = max((p for p in command_starts if joined.startswith(p)), key=len)
            if not joined[len(verb):].startswith(tellings):
                return "command"  # a verb first; Chinese verbs are two characters ("开 通")
            return ""   # "提交的时候系统报错了", "发送失败": when or what happened, no request
        rest = next((joined[len(c):] for c in connectives if joined.startswith(c)), "")
        if rest.strip():   # "Also please create a template ...", "另外帮我建个模板": the form of what follows
            return self.form(text, rest)
        if f" {joined}".endswith(self.kb.routing.command_ends) and not _SENTENCE_END.search(text.strip().rstrip(".!。！")):
            return "command"   # "need digital msgs switched on, do it" (one sentence: "... What is the rule please.")
        return "command" if self._requests_after_condition(joined) else ""

    def _requests_after_condition(self, joined: str) -> bool:
        """Whether JOINED (folded, with a space after it) asks for something after a condition inside it
        (`routing.conditions`: "审过了就帮我发给这几个会员", "过了的话帮我建个模板嘛")."""
        padded = f" {joined}"
        for condition in self.kb.routing.conditions:
            at = padded.find(f" {condition} ")
            if at >= 0:
                after = padded[at + len(condition) + 2:]
                if after.strip() and self.form(after, after) == "command":
                    return True
        return False

    def _prefixes(self) -> tuple[tuple[str, ...], ...]:
        """The routing lists of words a line may open with (folded), each as one tuple of prefixes
        with the space after each, for `str.startswith`: question phrases, command phrases, question
        starts, command starts, what a verb tells after it (`verb_tellings`), connectives and wishes
        (`wanting`). Built on the first line read."""
        if self._starts is None:
            r = self.kb.routing
            self._starts = tuple(tuple(p + " " for p in phrases) for phrases in
                                 (r.question_phrases, r.command_phrases, r.question_starts, r.command_starts,
                                  r.verb_tellings, r.connectives, r.wanting))
        return self._starts

    def route(self, question: str, lang: str | None = None) -> Reply:
        """Decide what QUESTION means, answering in LANG ('en', 'zh', or 'auto'/None: the
        question's own language, see `lang.detect`). Never raises for bad text: it becomes a fallback.
        A fallback that is only a greeting, a thanks or a goodbye is kind "small_talk", its answer
        said in kind (`messages.yaml`), and no gap in the knowledge."""
        from .messages import small_talk

        if (talk := small_talk(self.kb, question, near=False)) or \
                (talk := small_talk(self.kb, self.read(question), near=False)):
            # the whole line is a greeting, a thanks, an "ok" (once a greeting before it is read past: "hi team, thanks")
            return self._in_kind(Reply(question, "fallback", lang=language.choose(lang, plain(question))), talk)
        reply = self._route(question, lang)
        # nothing reads the line surely: a code's Chinese words asked about ("余额不足怎么办"), or the
        # one error code it names ("A sub-account gets isp.RAM_PERMISSION_DENY when sending; why?")
        if self._unsure(reply) and not self._asked_apart_from_code(reply) and \
                (code := self.code_asked(question) or self.code_named(question)):
            return _looked_up(question, code, reply.lang)
        if self._unsure(reply) and (code := self.code_wanted(question)):
            # "变量里包含了被屏蔽的关键词，会返回哪个错误码？": the code of that situation, looked up
            return _looked_up(question, code, reply.lang)
        if self._unsure(reply) and (head := self._request_before_message(question, reply.lang)) is not None:
            # "reply to ticket 2: the # comment rows in your CSV are not numbers, remove them": what the customer
            # is to read is not what is asked for (its words read as out of scope)
            reply = head
        if self._unsure(reply) and (named := self.request_named(question, reply.lang)) is not None:
            # "can u send test to 13800138000 with template DM_100001": a template and a number, which
            # only a send takes, name the request when nothing reads the line surely
            return named._replace(lang=reply.lang)
        if (self._unsure(reply) and not reply.notes or reply.action == "send") and \
                (fate := self.fate_asked(question, reply.lang)) is not None:
            # "why did 13800138000 fail": the sends to that number, never a new send to it (a number no
            # message reaches is answered by its rule: "why did 028-85551234 fail" -> it is a landline;
            # read as a new send, surely or not, "给 19212345678 发数字短信为什么失败" is the sends to it,
            # which say why: a new send names no fate word)
            return fate
        if reply.action == "error.lookup" and not (reply.args or {}).get("code") and \
                (code := self.code_asked(question) or self.code_wanted(question)):
            return reply._replace(args={**(reply.args or {}), "code": code})   # "余额不足是什么意思": which code it is
        if reply.type == "fallback" and reply.kind is None and not reply.error and \
                (talk := small_talk(self.kb, reply.question)):   # near spellings ("thanx") too, where nothing answers
            return self._in_kind(reply, talk)
        if reply.type == "action" and self.refused(question):
            # "I don't need a human": a line declining something asks for nothing (it opened a ticket)
            return Reply(question, "fallback", reply.confidence, suggestions=reply.suggestions, best=reply.best, lang=reply.lang)
        if reply.type == "action" and reply.args:
            reply = reply._replace(args=self._as_typed(reply.action, reply.args, reply.question))
        if (reply.type in ("answer", "action") or reply.kind == "undocumented") and (also := self.also_asked(reply)):
            reply = reply._replace(also=also)
        return reply

    def also_asked(self, reply: Reply) -> tuple[Reply, ...]:
        """The other FAQ questions of the message REPLY answers (or whose request it starts:
        "模板多久能审完？帮我建一个会员日模板"), each answered when its sentence, read alone, is
        answered surely (at `low_confidence`) with an entry the whole message leans to as well:
        "视频最大多大？一次最多发多少个号码？" gets both answers, "... 怎么开通啊？顺便问下一条多少钱"
        the way to enable and that prices are not published; beside a request that changes the account, a
        sentence asking to look something up surely is that look-up ("签名审核过了没得？过了的话帮我建个模板嘛":
        the signature's status, then the template's request). A sentence that speaks of something
        by a pronoun is read with the object the sentence before names ("... Can I send while it is
        pending?"; not at all when, read after that sentence, it asks what the first answer
        answers), or not at all, as is one of a single word beyond the stopwords ("Can we get a
        refund? What's the procedure?": the refund's); what the first answer says already is left
        out. At most `_ALSO_ASKED` more."""
        text = self.read(reply.question)
        sentences = self.sentences(text)
        # beside a request that changes the account, read surely, a sentence asks by a Chinese question word
        # too ("帮我申请一个叫眼镜小铺的签名，来源是商标，审核要几天") and is answered when it reads as an answer at
        # all; beside an answer or a look-up, a sentence asks by its form and is answered only when sure
        request = reply.type == "action" and self.kb.actions[reply.action].changes_state
        asking = [(i, s) for i, s in enumerate(sentences) if self._asks(s) or (request and language.asks_in_chinese(s))] \
            if len(sentences) > 1 else []
        if len(asking) < (1 if reply.type == "action" else 2):   # a request may be no question ("我想申请个签名")
            return ()
        # what the message as a whole leans to: a sentence read alone out of its context ("流程是什么？"
        # after a question about refunds) is not answered with the onboarding process
        near = {c.key: c.confidence for c in self.index.rank(self.prepare(text, self.form(text)), limit=_ALSO_NEAR)}
        answered, found = {reply.entry}, []
        floor = self.thresholds.answer if request else self.thresholds.low_confidence
        for i, sentence in asking:
            said, alone = sentence, None
            if request and not _refers(sentence) and not self._referents_in(sentence) and \
                    (named := self._named_before(sentences[:i])):
                alone = self._route_one(sentence, sentence, reply.lang)
                if alone.confidence < self.thresholds.low_confidence:
                    # "帮我建个会员日模板，审核要多久", unsure alone (signature or template?): the template's review
                    sentence, alone = f"{named} {sentence}", None
            if _UNNAMED_ZH.search(sentence) or len(set(self._words(sentence)) - self._stop()) < 2:
                continue   # "What's the procedure?": what it asks of, only its context says
            if _refers(sentence) and (sentence := self.resolved(sentence, sentences[:i])) is None:
                continue
            other = self._route_one(sentence, sentence, reply.lang) if alone is None else alone
            if request and self._looks_up(other, reply, near) and other.action not in answered:
                # "模板审过了没得嘛？审过了就帮我发给…": the template's status, looked up before the send
                answered.add(other.action)
                found.append(other)
                continue
            if (other.type == "answer" or other.kind == "undocumented") and other.entry not in answered and \
                    f"faq:{other.entry}" in near and other.confidence >= floor:
                if _refers(said) and self._route_one(said, f"{sentences[i - 1]} {said}", reply.lang).entry == reply.entry:
                    continue   # "... it was blocked. When can I send it to myself again?": the question answered
                other = self._as_the_message_leans(other, sentence, near)
                if other.entry in answered:
                    continue
                answered.add(other.entry)
                found.append(other)
        return tuple(found[:_ALSO_ASKED])

    def _looks_up(self, other: Reply, request: Reply, near: Mapping[str, float]) -> bool:
        """Whether OTHER, a sentence's reading beside REQUEST (a request that changes the account), asks
        to look something up surely: a request that changes nothing, other than REQUEST's, that the whole
        message leans to as well (NEAR)."""
        return other.type == "action" and other.action != request.action and \
            not self.kb.actions[other.action].changes_state and other.confidence >= self.thresholds.answer and \
            f"action:{other.action}" in near

    def _as_the_message_leans(self, other: Reply, sentence: str, whole: Mapping[str, float]) -> Reply:
        """OTHER, the answer to SENTENCE read alone, or the entry the sentence reads second when the whole
        message (WHOLE: its likeliest intents) leans to that one rather than OTHER's: "How long does review
        take? Also please create a template ..." asks the template's review time, though "How long does
        review take?" alone leans to the signature's. A documented answer is never traded for an
        undocumented entry's "not published" so: "视频最大多大？一次最多发多少个号码？" leans as a whole
        to the unpublished limits (both ask "at most how many"), but its first sentence asks a size,
        which is published."""
        mine = f"faq:{other.entry}"
        ranked = [c for c in self.index.rank(self.prepare(sentence), limit=3) if c.key.startswith("faq:")][:2]
        second = next((c for c in ranked if c.key != mine), None)
        if second is None or whole.get(second.key, 0.0) <= whole.get(mine, 0.0) or \
                (other.type == "answer" and self._undocumented(second.key)):
            return other
        return self.resolve(sentence, sentence, second, other.lang or "en")

    def refused(self, text: str) -> bool:
        """Whether TEXT, as read, opens by declining something (`routing.refusals`: "I don't need a
        human", "不需要人工") and is no question."""
        read = self.read(text)
        return _opens_with(read.translate(_ASCII_LOWER), self.kb.routing.refusals) and not _asks_back(read)

    def _unsure(self, reply: Reply) -> bool:
        """Whether REPLY is no confident reading of its line: a fallback or a "did you mean" (not an
        error, not small talk), or an answer or a request below `low_confidence` (what the gap log
        calls unsure)."""
        if reply.error or reply.kind == "small_talk":
            return False
        answered = reply.type in ("answer", "action") or reply.kind == "undocumented"
        return not answered or reply.confidence < self.kb.thresholds.low_confidence

    def _asked_apart_from_code(self, reply: Reply) -> bool:
        """Whether REPLY answers what a sentence of its message asks apart from the error code another
        names ("We hit isv.MOBILE_COUNT_OVER_LIMIT on a send. What's the cap per request?" asks the
        figure, which that entry gives; "... returns isv.SMS_SIGNATURE_ILLEGAL. Why?" asks the code's meaning)."""
        if reply.type != "answer":
            return False
        text = self.read(reply.question)
        for sentence in self.asking(text):
            if self.mask(sentence) == sentence:
                alone = self._route_one(reply.question, sentence, reply.lang or "en")
                if alone.type == "answer" and alone.entry == reply.entry:
                    return True
        return False

    def code_asked(self, text: str) -> str | None:
        """The error code TEXT asks about in Chinese, or None. TEXT must be only a word of
        `routing.code_questions` ("怎么办", "是什么意思") before or after a code's own Chinese words:
        its whole `meaning_zh`, or one of its `keywords_zh` that no other code has and that no FAQ
        phrasing or out-of-scope example contains ("余额不足", but not "流控", an FAQ entry's word).
        Spaces, punctuation and sentence particles ("了", "呢") around them do not count."""
        said = _bare(text).rstrip(_PARTICLES)
        for word in self.kb.routing.code_questions:   # the longest first ("是什么意思" before "什么意思")
            asking = _bare(word)
            if not asking or len(said) <= len(asking):
                continue
            if said.endswith(asking):
                rest = said[:-len(asking)]
            elif said.startswith(asking):
                rest = said[len(asking):]
            else:
                continue
            words = self._codes_by_words()
            return words.get(rest) or words.get(rest.rstrip(_PARTICLES))
        return None

    def code_wanted(self, text: str) -> str | None:
        """The error code TEXT asks for by its situation (`routing.code_wanted`: "... 会返回哪个错误码？",
        "which error code do I get when my balance runs out?"), or None: the catalogue's code whose meaning
        and Chinese keywords share the most of the line's other words (Chinese read in pairs of characters; a
        keyword of its own said whole counts once more), when it shares at least two and no other code as many."""
        folded = " ".join(fold(self.read(text)).split())
        asking = next((w for w in self.kb.routing.code_wanted if f" {w} " in f" {folded} "), None)
        if asking is None or "error.lookup" not in self.kb.actions or _error_codes_in(self.kb, text):
            return None
        said = _code_words(folded.replace(asking, " "), self._stop())
        bare = _bare(text)   # a code's own Chinese keyword said whole counts once more ("余额不足": not any code about money)
        scores = sorted(((len(said & words) + any(_bare(k) in bare for k in self.kb.error_codes[code].keywords_zh), code)
                         for code, words in self._code_meanings().items()), reverse=True)
        if not scores or scores[0][0] < 2 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
            return None
        return scores[0][1]

    def _code_meanings(self) -> dict[str, frozenset[str]]:
        """Each catalogue code's meaning as `_code_words` reads it (English, Chinese and its keywords)."""
        if self._meanings is None:
            stop = self._stop()
            self._meanings = {code.code: _code_words(fold(" ".join((code.meaning, code.meaning_zh, *code.keywords_zh))), stop)
                              for code in self.kb.error_codes.values() if code.code != "OK"}
        return self._meanings

    def codes_apart(self, text: str) -> str:
        """TEXT with a space between a known error code and a word written against it, in any case
        ("whatdoesisv.out_of_servicemean"; `text.spaced` finds only upper-case codes by their case)."""
        if "isv." not in text.lower() and "isp." not in text.lower():
            return text
        if self._code_names is None:   # compiled on the first line that has a code: most have none
            names = sorted({n for c in self.kb.error_codes.values() for n in (c.code, *c.aliases) if "." in n},
                           key=len, reverse=True)
            self._code_names = re.compile("|".join(map(re.escape, names)), re.IGNORECASE) if names else re.compile(r"(?!)")

        def apart(found: re.Match) -> str:
            before = " " if found.start() and text[found.start() - 1].isalnum() else ""
            after = " " if found.end() < len(text) and (text[found.end()].isalnum() or text[found.end()] == "_") else ""
            return f"{before}{found.group()}{after}"

        return self._code_names.sub(apart, text)

    def request_named(self, question: str, lang: str | None = None) -> Reply | None:
        """The request QUESTION's values name on their own: values of two or more of the kinds only
        requests carry (`routing.slot_bonus_types`: a template code and a phone number) that one
        request alone takes (or alone requires, where several take them), with those values; else
        None. One kind alone names nothing (a number said in passing is no send), and a line with a
        sentence asking to be shown something names no request that changes the account."""
        text = self.read(question)
        given = {t for t in self.kb.routing.slot_bonus_types if extract(self.kb, t, text)}
        if len(given) < 2:
            return None
        takers = [a for a in self.kb.actions.values() if given <= {slot.type for slot in a.slots}]
        if len(takers) > 1:   # a send needs a template and numbers; its records only may be kept to them
            takers = [a for a in takers if given <= {slot.type for slot in a.slots if slot.required}]
        if len(takers) != 1:
            return None
        action = takers[0]
        if action.changes_state and any(self.viewing(s) for s in self.sentences(text)) and not self._trying(text):
            return None   # "... we sent DM_100001 to 13688889999. Could you check whether it was delivered?"
        found = Reply(question, "action", 1.0, action=action.name, best=Candidate(f"action:{action.name}", 1.0, ""),
                      lang=lang or language.detect(text))
        return self._with_values_of(found, text)

    def _request_before_message(self, question: str, lang: str) -> Reply | None:
        """The request QUESTION makes about a ticket it names, read without the message it carries (slot type
        `message`: the words after "reply to ticket 2:", "close ticket 3,", "回复工单1："), when that reading is a
        request taking a message, read surely; with every value of the line, and no notes on them: the numbers
        and days in the message are the customer's to read ("138 0013 800 不是手机号，明天再发"), not a
        send's. None otherwise."""
        text = self.read(question)
        if "message" not in self.kb.slot_types or "ticket" not in self.kb.slot_types or \
                not extract(self.kb, "ticket", text) or not (said := extract(self.kb, "message", text)):
            return None
        head = text[:text.rfind(said[0])].rstrip(" ,:;-")
        if not head or head == text:
            return None
        reply = self._route(head, lang)
        if reply.type != "action" or "message" not in self._slot_types(f"action:{reply.action}") or \
                reply.confidence < self.thresholds.answer:
            return None
        return self._with_values_of(reply._replace(question=question), text, notes=False)

    def fate_asked(self, question: str, lang: str | None = None) -> Reply | None:
        """"why did 028-85551234 fail", "13800138000为什么没收到": a line naming a phone number (however
        written) and a word of `routing.fate_words`, in no command form and naming no template code,
        asks what happened to that number: the account's sends to it (`send.list` by number; the
        conversation first looks in its own last send). None for any other line, and for one naming
        an error code ("isv.MOBILE_NUMBER_ILLEGAL for 19212345678, 192 not supported?" asks of the code)."""
        text = self.read(question)
        if "send.list" not in self.kb.actions or not self.asks_fate(text) or _error_codes_in(self.kb, text):
            return None
        reading = phone_reading(self.kb, text)
        asked = reading.phones + reading.unread
        if not asked:
            return None
        key = "action:send.list"
        return Reply(question, "action", 1.0, action="send.list", args={"phone": numbers.normalise(asked[0]) or asked[0]},
                     best=Candidate(key, 1.0, ""), lang=lang)

    def asks_fate(self, text: str) -> bool:
        """Whether TEXT asks what happened to a number it names, by a word of `routing.fate_words`: not
        in command form and naming no template code, which make it a request ("send DIGITAL_SMS_0001 to
        19212345678"). The conversation and `fate_asked` both decide by it."""
        return self.says_fate(text) is not None and self.form(text) != "command" and \
            not extract(self.kb, "template_code", text) and not self._requests_in_a_sentence(text)

    def _requests_in_a_sentence(self, text: str) -> bool:
        """Whether a sentence (or a Chinese clause) of TEXT asks for something that is no look
        ("模板审过了没得嘛？审过了就帮我发给这几个会员：13800138000…": 没 asks of the template, the numbers are
        a send's; "…为什么失败，帮我查一下" only asks to be shown)."""
        sentences = self.sentences(text)
        return len(sentences) > 1 and any(self.form(s) == "command" and not self.viewing(s) for s in sentences)

    def says_fate(self, text: str) -> str | None:
        """The first word of `routing.fate_words` TEXT says ("fail", 为什么), or None."""
        return _says_any(fold(text), self.kb.routing.fate_words)

    def code_named(self, text: str) -> str | None:
        """The one error code of the knowledge base TEXT names (any case, bare or prefixed), or None
        when it names none, or several."""
        known = {c for c in _error_codes_in(self.kb, self.read(text)) if c in self.kb.error_codes}
        return known.pop() if len(known) == 1 else None

    def _codes_by_words(self) -> dict[str, str | None]:
        """Each code's Chinese words that name it alone (see `code_asked`), bare, to the code; None
        for words two codes share."""
        if self._code_words is None:
            kb = self.kb
            taken = [_bare(p) for e in kb.entries.values() for p in (e.question, e.question_zh, *e.alternatives) if p]
            taken += [_bare(p) for examples in kb.out_of_scope.values() for p in examples]
            words: dict[str, str | None] = {}
            for code in kb.error_codes.values():
                named = [_bare(code.meaning_zh)] + [k for k in map(_bare, code.keywords_zh) if not any(k in p for p in taken)]
                for word in filter(None, named):
                    words[word] = code.code if words.get(word, code.code) == code.code else None
            self._code_words = words
        return self._code_words

    def _in_kind(self, reply: Reply, talk: str) -> Reply:
        """REPLY (a fallback) as small talk of kind TALK, answered in kind from the catalogue."""
        from .messages import say

        return reply._replace(kind="small_talk", answer=say(self.kb, f"small_talk.{talk}", reply.lang))

    def _as_typed(self, action: str, args: dict[str, Any], question: str) -> dict[str, Any]:
        """ARGS with the free texts (a reply, a reason) as the person typed them: the router reads
        Chinese punctuation as ASCII ("回复工单1：已经催审，请稍等"), the manager's words keep theirs."""
        shown = clean(question)
        if shown.isascii():
            return args
        read = plain(question)
        out = dict(args)
        for slot in self.kb.actions[action].slots:
            value = out.get(slot.name)
            if slot.type in ("message", "quoted", "template_name") and isinstance(value, str) and (at := read.find(value)) >= 0:
                out[slot.name] = shown[at:at + len(value)]
        return out

    def read(self, question: str) -> str:
        """QUESTION as the router reads it: Chinese punctuation as ASCII (`plain`), codes and numbers
        written against words apart (`spaced`, `codes_apart`), no greeting or thanks around it
        (`unframed`)."""
        return self.unframed(self.codes_apart(self.responses_as_codes(spaced(plain(question)))))

    def responses_as_codes(self, text: str) -> str:
        """TEXT with each pasted API response that names an error code read as that code alone
        ('{"Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"触发号码天级流控"} 这个报错啥意思' asks
        what the code means: the response's own words are not the question's)."""
        if "{" not in text or ("isv." not in text.lower() and "isp." not in text.lower()):
            return text

        def code_of(response: re.Match) -> str:
            codes = list(dict.fromkeys(_error_codes_in(self.kb, response.group())))
            return f" {codes[0]} " if len(codes) == 1 else response.group()

        return " ".join(_RESPONSE.sub(code_of, text).split())

    def unframed(self, text: str) -> str:
        """TEXT without the greetings and addresses it opens with and the thanks it closes with
        (`routing.openers`, `routing.closers`: "hi team, ", "您好，", ", thanks"), which say
        nothing of what it asks and would hide a request's verb ("hi, check signature AcmeMall")
        or its question mark ("How long does review take? Thanks"); TEXT itself when nothing
        else is left. Plain string work, no pattern: a one-off `ask` reads one line."""
        routing = self.kb.routing
        while (rest := _after_opener(text, routing.openers)) is not None and rest:
            text = rest
        while (rest := _before_closer(text, routing.closers)) is not None and rest:
            text = rest
        while (rest := _declined(text, routing.refusals)) is not None and rest:
            text = rest
        return text

    def _unreadable(self, msg_id: str, lang: str, **fields: object) -> str:
        """Why a line cannot be read (the catalogue's MSG_ID), in the reply's LANG."""
        from .messages import say

        return say(self.kb, msg_id, lang, **fields)

    def _route(self, question: str, lang: str | None) -> Reply:
        text = self.read(question)
        said = language.choose(lang, text)
        if not text:
            return Reply(question, "fallback", error=self._unreadable("question.empty", said), lang=said)
        if len(text) > MAX_QUESTION:
            return Reply(question[:80], "fallback", lang=said,
                         error=self._unreadable("question.too_long", said, count=len(text), most=MAX_QUESTION))
        sentences = self.sentences(text)
        # a sentence asking to be shown something ("... we sent DM_100001 to 13800138000. Please
        # check whether it arrived.") makes the whole message one that changes nothing
        shown = len(sentences) > 1 and any(self.viewing(s) for s in sentences) and not self._trying(text)
        whole = self._route_one(question, text, said, shown)
        if whole.type == "answer" and whole.notes:
            return whole   # a value the message names that its rule refuses decides what it asks (`symptoms`)
        clauses = [c.strip() for s in sentences for c in s.split(",") if c.strip()]
        if len(clauses) > 1 and (person := self._person_asked(question, text, clauses, said)):
            return person
        readings = self._readings(question, text, sentences, said, shown, whole)
        best = max(readings.in_context, key=_strength)
        if (request := self._request_over(question, text, sentences, said, shown, best, readings.alone)) is not None:
            return request
        # the whole message answered only because it leans to one entry (the `lead` rule, below
        # `answer`) is not decisive: the problem a sentence states may say more ("We got a new brand
        # name. Our template was rejected by all three carriers. What are the next steps?")
        leaning_whole = best is whole and whole.type == "answer" and whole.confidence < self.thresholds.answer
        if (_RANK[best.type] >= _RANK["answer"] and not leaning_whole) or not readings.alone:
            return best
        return self._asking_sentence_or_context(question, best, readings, said)

    def _readings(self, question: str, text: str, sentences: list[str], said: str, shown: bool,
                  whole: Reply) -> _Readings:
        """How each sentence of a message of several that asks is read: alone, with the problem
        stated just before it, and with the sentences before it that say what "it" is (the whole
        message WHOLE is the first reading in context). A request's values are the whole message's."""
        readings = _Readings([whole], [], [])
        for i, sentence in enumerate(sentences):
            if len(sentences) < 2 or not self._asks(sentence):
                continue
            parts = [(readings.alone, sentence)]
            if i and not self._asks(sentences[i - 1]):   # the problem stated just before the question
                parts.append((readings.stated, sentences[i - 1]))
            if i > 1 and _refers(sentence) and _refers(sentences[i - 1]):
                # "it" in the sentence before too: what it is was said before that ("... a signature
                # called AcmeShop. It's been 5 days. When will it be approved?")
                parts.append((readings.in_context, f"{sentences[i - 2]} {sentences[i - 1]} {sentence}"))
            elif i:  # with the sentence before it, which often says what "it" or "that" is
                parts.append((readings.in_context, f"{sentences[i - 1]} {sentence}"))
            if i and (named := self.resolved(sentence, sentences[:i])):
                parts.append((readings.in_context, named))
            for group, part in parts:
                reply = self._route_one(question, part, said, shown)
                if reply.type == "action":  # the values the message names anywhere are the request's
                    reply = self._with_values_of(reply, text)
                group.append(reply)
        return readings

    def _request_over(self, question: str, text: str, sentences: list[str], said: str, shown: bool,
                      best: Reply, alone: list[Reply]) -> Reply | None:
        """The request a message of several sentences makes over its best reading in context BEST: the
        one its values name, one its last sentence makes in command form, or one a sentence of its own
        makes beside a question (see each rule's docstring); None when there is none."""
        if (named := self._request_in_a_sentence(question, alone)) is not None:
            return named._replace(lang=said)
        if best.type == "action" and (request := self._closing_command(question, sentences, said, shown)) \
                and request.action != best.action and request.confidence > best.confidence:
            return self._with_values_of(request, text)
        if best.type in ("answer", "clarify", "fallback") and \
                (request := self._closing_request(question, text, sentences, said, shown)):
            return request
        if (best.type == "answer" or best.kind == "undocumented") and \
                (request := self._request_beside_question(question, text, said, shown)):
            return request
        return None

    def _asking_sentence_or_context(self, question: str, best: Reply, readings: _Readings, said: str) -> Reply:
        """A sentence read alone ("What are the next steps?") has few words, easily answered with
        confidence: where two questions are each answered alone, the first asked (the other rides along);
        where the message read with its context leans to another intent, ask which; where no reading
        with its context answers, the sentence alone is answered only when sure; else the strongest
        reading, BEST (in context) or a sentence alone."""
        alone = readings.alone
        alone_best = max(alone, key=_strength)
        # a problem the sentence before states plainly ("Our template was rejected by all three
        # carriers. What are the next steps?") says most; then that sentence with the question; then
        # the whole message
        leaning = self._stated(readings.stated) or self._leaning(readings.in_context[1:]) or \
            self._leaning(readings.in_context[:1])
        answered = [r for r in alone if r.type == "answer" and r.confidence >= self.thresholds.answer]
        if len(answered) > 1 and len({r.entry for r in answered}) > 1:
            # "这个状态是什么意思？什么时候才能用？": two questions, each answered alone: the first asked is
            # answered and the other rides along (`also_asked`), rather than "did you mean" between them
            return answered[0]
        if alone_best.type in ("answer", "action") and leaning is not None and leaning.key != alone_best.best.key:
            first = [leaning, alone_best.best]
            suggestions = tuple(Suggestion(c.key, self.title(c.key, said), c.confidence) for c in first)
            return Reply(question, "clarify", leaning.confidence, suggestions=suggestions, best=leaning, lang=said)
        if all(r.type == "fallback" for r in readings.in_context):
            # no reading with its context answers: a sentence alone ("Is there a data retention
            # policy for digital messages?" after two sentences about a legal team) is answered only
            # when sure, since its context said it is about something else
            alone = [r for r in alone if r.type not in ("answer", "action") or r.confidence >= self.kb.thresholds.low_confidence]
        strongest = max([best, *alone], key=_strength)
        # of two questions each read surely alone ("一次最多能发多少个号码?视频最大多大?"), the first asked is
        # answered and the other rides along (`also_asked`), however their confidences compare
        return next((r for r in alone if r.type == strongest.type == "answer" and
                     r.confidence >= self.thresholds.low_confidence), strongest)

    def _request_in_a_sentence(self, question: str, alone: list[Reply]) -> Reply | None:
        """The request the values of a message of several sentences name (`request_named`: a template
        and a number, which only a send takes), when a sentence that asks leans to it read alone (its
        best candidate, sure or not):
        "我们圣诞活动的模板DM_100003已经审核通过了，老板想先看看手机上的效果。能不能先帮我给13600001111发一条？"
        asks for a send, though the sentence naming the approved template leans to its status."""
        if not alone or (named := self.request_named(question)) is None:
            return None
        key = f"action:{named.action}"
        return named if any(r.best is not None and r.best.key == key for r in alone) else None

    def _closing_command(self, question: str, sentences: list[str], said: str, shown: bool) -> Reply | None:
        """The request the last of several SENTENCES makes in command form, read alone surely and naming
        values of its own ("... we want to send promos to our customers (13800138000 is our test phone).
        Please submit the signature AcmeShop for us, it's our registered trademark."): what the message
        asks for, though the background's values (a number) lean the whole message to another request."""
        last = sentences[-1] if len(sentences) > 1 else ""
        if not last or self.form(last) != "command":
            return None
        reply = self._route_one(question, last, said, shown)
        if reply.type != "action" or reply.confidence < self.thresholds.low_confidence:
            return None
        return reply if self._with_values_of(reply, last).args else None

    def _closing_request(self, question: str, text: str, sentences: list[str], said: str, shown: bool) -> Reply | None:
        """The request a message of several sentences closes with, in command form ("... the
        trademark name 安盾保. Can you file the signature application for us?", "... 能不能帮我们把签名
        申请提交一下？"), when it reads surely as one: what the context tells is the request's
        background, not a question the FAQ answers (surely: "Please advise." is no request). Its
        values are the whole message's."""
        last = sentences[-1]
        if len(sentences) < 2 or _refers(last) or _POINTS_BACK_ZH.search(last):
            return None   # "Can you list them?": what it asks for is in the context
        command = self.form(last) == "command"
        if not command and not self.kb.routing.closing_requests:
            return None
        readings = [self._route_one(question, last, said, shown)]
        if command:
            # "... would like to register a new signature for our brand, QuickRide. Our business licence
            # is ready. Can you start the application for me?": what the request is for, the context says
            readings.append(self._route_one(question, text, said, shown, form="command"))
        for reply in readings:
            if reply.type != "action" or not (command or reply.action in self.kb.routing.closing_requests):
                continue   # "... Can I please talk to a real person?" asks for one, though worded as a question
            named = self._with_values_of(reply, text)
            if reply.confidence >= self.thresholds.low_confidence or (named.args and reply.confidence >= self.thresholds.answer):
                return named   # surely, or naming its values
        return None

    def _request_beside_question(self, question: str, text: str, said: str, shown: bool) -> Reply | None:
        """The request a sentence of its own makes, in command form (or opening with
        `routing.wanting`: "我想申请个签名") and read surely, in a message another sentence of which
        asks a question ("submit a signature called AcmeMall. What are the rules for a signature
        name?", "签名审核要多久？我想申请个签名"): the request is the reply, and the question rides
        along with it (`also_asked`). Its values are the whole message's. Whole sentences only: a
        Chinese clause in command form is often the business told ("我们是代运营公司，帮客户发短信，
        签名用客户公司的名字需要什么材料吗")."""
        sentences = self.sentences(text, clauses=False)
        forms = [self.form(s) for s in sentences]
        if len(sentences) < 2 or "question" not in forms:
            return None
        wanting = self._prefixes()[-1]
        for sentence, form in zip(sentences, forms):
            wants = not form and (fold(sentence) + " ").startswith(wanting)   # "我想申请个签名", "we need a new template"
            if not (form == "command" or wants) or _refers(sentence):
                continue
            reply = self._route_one(question, sentence, said, shown, form="command")
            if reply.type == "action" and reply.confidence >= self.thresholds.low_confidence:
                return self._with_values_of(reply, text)
        return None

    def _person_asked(self, question: str, text: str, clauses: list[str], said: str) -> Reply | None:
        """A request for a person (`routing.closing_requests`) in any sentence or clause of a long message,
        read surely however it is worded, in a sentence that asks or opens with `routing.wanting`:
        "我要转人工，11月11日要发，模板还没过审" asks for a person, and the rest is what the person should
        know (the template's topic answered it before); "客服说可能是行业选择的问题" only tells. Read
        as changing something though another sentence asks to be shown something ("明天就要发了"):
        a ticket charges nothing."""
        wanted = self.kb.routing.closing_requests
        openers = self._prefixes()[-1]
        for clause in clauses:
            folded = " ".join(fold(clause).split()) + " "
            opener = next((o for o in openers if folded.startswith(o)), None)
            if not (self._asks(clause) or opener):
                continue
            # what is wanted, read without who wants it too ("客户要转人工": the customer's words pulled it off)
            wanted_alone = folded[len(opener):].strip() if opener else ""
            for part in [clause, wanted_alone] if wanted_alone else [clause]:
                reply = self._route_one(question, part, said)
                if reply.type == "action" and reply.action in wanted and reply.confidence >= self.thresholds.low_confidence:
                    return self._with_values_of(reply, text)
        return None

    def _with_values_of(self, reply: Reply, text: str, notes: bool = True) -> Reply:
        """Request REPLY, read in a part of a message, with the values the whole message TEXT names and, with
        NOTES, what they leave unsaid (`notes_for`: numbers that are none, a time asked for)."""
        action = self.kb.actions[reply.action]
        reply = reply._replace(args=slots_for(self.kb, action, text))
        return reply._replace(notes=notes_for(self.kb, action, text, reply.lang)) if notes else reply

    def resolved(self, sentence: str, before: Sequence[str]) -> str | None:
        """SENTENCE with its pronoun replaced by the object the nearest sentence BEFORE it names
        ("When will it be approved?" after "... submitted a signature called AcmeShop." is "When
        will the signature be approved?"), or None when it has no pronoun or nothing is named. Of
        two objects there the first is the one it is about ("a template named X with ..., signature
        Y. Can you create it?" creates the template).
        Chinese often drops the pronoun ("上个礼拜提交了个模板，叫秋冬新被上市。你帮我看看审核过了没有"):
        a Chinese request naming no object of its own is read with the object said before it (not a
        question: "这个能支持吗？" after a sentence on signatures asks of something else).
        The objects are the knowledge base's `routing.referents`, read after the synonym table."""
        words = fold(sentence).split()
        pronoun = next((w for w in words if w in _PRONOUNS), None)
        if pronoun is None:
            dropped = language.detect(sentence) == "zh" and self.form(sentence) == "command" and not self._referents_in(sentence)
            named = self._named_before(before) if dropped else None
            return None if named is None else f"{named} {sentence}"
        named = self._named_before(before)
        return None if named is None else " ".join(f"the {named}" if w == pronoun else w for w in words)

    def _named_before(self, before: Sequence[str]) -> str | None:
        """The object (`routing.referents`) the nearest of the sentences BEFORE that names one is about:
        the first it names."""
        for earlier in reversed(before):
            if found := self._referents_in(earlier):
                return found[0]
        return None

    def _referents_in(self, text: str) -> list[str]:
        """The objects (`routing.referents`) TEXT names, in order, read after the synonym table."""
        folded, synonyms = fold(text), self.index.synonyms
        return [w for w in (synonyms.apply(folded) if synonyms else folded).split() if w in self.kb.routing.referents]

    def _stated(self, replies: list[Reply]) -> Candidate | None:
        """The entry a statement among REPLIES is answered with outright, if any (the last one)."""
        answered = [r.best for r in replies if r.type == "answer" and r.best is not None
                    and r.confidence >= self.thresholds.answer]
        return answered[-1] if answered else None

    def _leaning(self, replies: list[Reply]) -> Candidate | None:
        """The intent the fallbacks among REPLIES lean to, when one is in scope and at least half as
        sure as `clarify` asks (a message whose context dilutes its question), else None."""
        floor = self.thresholds.clarify / 2
        leaning = [r.best for r in replies if r.type == "fallback" and not r.outside and r.best is not None
                   and r.best.confidence >= floor and not self._undocumented(r.best.key)]
        return max(leaning, key=lambda c: c.confidence, default=None)

    def _route_one(self, question: str, text: str, lang: str, shown: bool = False, form: str | None = None) -> Reply:
        """QUESTION read as TEXT (the whole of it, or a part of a long message); SHOWN when the
        message asks to be shown something, so that nothing in it changes the account; FORM when
        the caller knows it (a message closing with a request is one), else TEXT's own."""
        form = self.form(text) if form is None else form
        ranked = self._given_in_scope(self.index.rank(self.prepare(text, form), limit=max(8, self.thresholds.suggestions + 1)))
        shown = shown or self.viewing(text)
        if shown:
            ranked = self._changing_nothing(ranked)
        acting = max((c.confidence for c in ranked if c.key.startswith("action:")), default=0.0)
        ranked = sorted((self._adjust(c, text, form, acting) for c in ranked), key=lambda c: c.confidence, reverse=True)
        ranked = self._by_values(self._named(self._as_question(ranked, text, form), text, form), text, changing=not shown)
        ranked = self._ticket_named(ranked, text, form)
        found = self.symptoms(text, form, ranked)
        key = self._symptom_entry(found, ranked)
        # a salient word of the sentence that asks still counts ("how do I delete the signature "A&B"")
        if found and not self._uncovered_beside_symptom(text, key):
            own = next((c for c in ranked if c.key == key), None)
            sure = Candidate(key, max(self.thresholds.answer, own.confidence if own else 0.0), own.phrasing if own else "")
            notes = tuple(dict.fromkeys(self._note(f, lang) for f in found))
            return self.resolve(question, text, sure, lang)._replace(notes=notes)
        return self.decide(question, text, ranked, lang)

    def symptoms(self, text: str, form: str, ranked: list[Candidate]) -> list[symptoms.Finding]:
        """The values TEXT names that the rules refuse (`routing.checks`), when it asks about them:
        not in a request ("create signature A&B" is refused by the request itself; "We submitted
        the signature "Brightway Logistics" ... Could you check its status?" asks its status), nor in
        a line the model reads as a request about an object it names."""
        checks = self.kb.routing.checks
        if not checks or self.kb.rules is None or form == "command" or \
                ("ticket" in self.kb.slot_types and extract(self.kb, "ticket", text)):
            return []   # "回复工单3：视频请压缩到1900KB以内" replies on the ticket: no size asked about
        found = symptoms.findings(text, self.kb.rules, checks, skip=self._a_code, asks=form == "question")
        if not found or any(self.form(s) == "command" for s in self.asking(text)):
            return []
        if ranked and ranked[0].key.startswith("action:"):
            action = self.kb.actions[ranked[0].key.partition(":")[2]]
            taken = slots_for(self.kb, action, text)
            if form != "question" or (taken and not _only_refused(taken, found)):
                return []   # "能发给19212345678吗？": the one value the request takes is refused, and asked about
        return found

    def _note(self, finding: symptoms.Finding, lang: str) -> str:
        """FINDING's note in LANG (its message of messages.yaml filled in, a carrier by its name in
        LANG), or the account model's English line as it is."""
        from .messages import said

        if finding.note not in self.kb.messages:
            return finding.note
        return said(self.kb, {"say": finding.note, "fields": dict(finding.fields)}, lang)

    def _symptom_entry(self, found: list[symptoms.Finding], ranked: list[Candidate]) -> str:
        """The intent that answers FOUND: the first finding's entry, or another that answers it as
        well (`also`) where the model ranked that one first."""
        if not found:
            return ""
        top = next((c.key for c in ranked if c.key != NEGATIVE), "")
        checks = {c.name: c for c in self.kb.routing.checks}
        answering = {f"faq:{e}" for f in found for e in (f.entry, *checks[f.check].also)}
        return top if top in answering else f"faq:{found[0].entry}"

    def _uncovered_beside_symptom(self, text: str, key: str) -> list[str]:
        """The salient words of TEXT's asking sentences that intent KEY does not speak of, less
        `routing.acceptance_words`: "12 images in a slideshow. Will that pass review?" asks whether
        the value passes, which the rule answers ("how do I delete the signature "A&B"" does not).
        A message of several sentences none of which asks only reports what happened ("视频一直传不上去，
        提示格式不支持，我们导出来的是mov文件"): its salient words tell the story, and the value answers."""
        asking = self.asking(text)
        if not asking and len(self.sentences(text)) > 1:
            return []
        passing = {" ".join(self.index.analyse(fold(w))[0]) for w in self.kb.routing.acceptance_words}
        return [w for w in self.uncovered(" ".join(asking) or text, key) if w not in passing]

    def _a_code(self, value: str) -> bool:
        """Whether VALUE is a template code or an error code (quoted, it is no name to check)."""
        return any(extract(self.kb, t, value) for t in ("template_code", "error_code") if t in self.kb.slot_types)

    def sentences(self, text: str, clauses: bool = True) -> list[str]:
        """TEXT's sentences; with CLAUSES, a Chinese message's clauses too (split at its full-width
        commas), since its sentences often run on with commas ("我们是超市，想发视频短信，请问从哪里开始？");
        otherwise a question after a request and a comma is one (`_question_clauses`)."""
        sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
        if clauses and ("," in text or "，" in text) and language.detect(text) == "zh":
            sentences = [c.strip() for s in sentences for c in re.split("[,，]", s) if c.strip()]
        elif "," in text:
            sentences = [c for s in sentences for c in self._question_clauses(s)]
        return sentences

    def _question_clauses(self, sentence: str) -> list[str]:
        """SENTENCE split before a comma that opens a question after a request ("submit signature
        AcmeTech from the app, how long does review take" asks a question beside the request; "my
        telegram messages are not being sent, how to fix" is one question); else [SENTENCE]."""
        parts = sentence.split(", ")
        out = [parts[0]]
        starts = self._prefixes()[2]
        for part in parts[1:]:
            if (" ".join(fold(part).split()) + " ").startswith(starts) and self.form(out[-1]) == "command":
                out.append(part)
            else:
                out[-1] = f"{out[-1]}, {part}"
        return [p.strip() for p in out if p.strip()]

    def _asks(self, sentence: str) -> bool:
        return self.form(sentence) in ("question", "command") or self.mask(sentence) != sentence

    def asking(self, text: str) -> list[str]:
        """The sentences of a message of several that ask or request something (a question form,
        a command, or a code or number named): "Hi. We launch on Friday. Has DIGITAL_SMS_0001 been
        approved?" is read for its last sentence (and as a whole); one sentence gives none."""
        sentences = self.sentences(text)
        return [s for s in sentences if self._asks(s)] if len(sentences) > 1 else []

    def asked(self, text: str) -> str:
        """The part of TEXT that asks: its asking sentences, each with the one before it where it
        speaks of that by a pronoun ("... 给每个客户开子账号分开计费。这个能支持吗？"); the whole of a
        message of one sentence. A salient word only the context says ("剪辑师导出来的视频是mov格式的，
        能直接传到模板里用吗") changes nothing asked (see `uncovered`)."""
        sentences = self.sentences(text)
        if len(sentences) < 2:
            return text
        kept = []
        for i, sentence in enumerate(sentences):
            if self._asks(sentence):
                if i and (_refers(sentence) or _REFERS_ZH.search(sentence)):
                    kept.append(sentences[i - 1])
                kept.append(sentence)
        return " ".join(dict.fromkeys(kept)) or text

    def prime(self, questions: Sequence[str], here: bool = False) -> None:
        """Prepare QUESTIONS that are about to be routed, together: with an encoder, their vectors
        are computed in one batch (several times faster a question than one by one), in a thread
        of their own while the first ones are routed, or with HERE in this thread before this
        returns. Routing them afterwards gives exactly the replies it gives without this."""
        if self.index.semantic is None or not questions:
            return
        texts = [self.read(q) for q in questions]
        self.index.prime([self.prepare(t) for t in texts if t and len(t) <= MAX_QUESTION], here)

    @staticmethod
    def _given_in_scope(ranked: list[Candidate]) -> list[Candidate]:
        """The FAQ entries' and actions' probabilities given that the question is in scope (the
        out-of-scope class keeps its own): which intent is meant is judged apart from whether
        any is."""
        outside = next((c.confidence for c in ranked if c.key == NEGATIVE), 0.0)
        if not 0.0 < outside < 1.0:
            return ranked
        return [c if c.key == NEGATIVE else c._replace(confidence=round(min(1.0, c.confidence / (1 - outside)), 4))
                for c in ranked]

    def _as_question(self, ranked: list[Candidate], text: str, form: str) -> list[Candidate]:
        """"How do I submit a signature?" asks about something the assistant can also do: it is a
        question, answered by the FAQ entry that offers the action (the conversation then offers
        it). A request that already gives the action's values stays the request."""
        if form != "question" or not ranked:
            return ranked
        top = ranked[0]
        kind, _, name = top.key.partition(":")
        if kind != "action" or not self.kb.actions[name].changes_state or name in self.kb.routing.closing_requests or \
                slots_for(self.kb, self.kb.actions[name], text):
            return ranked   # ("can I talk to a person?" asks for one)
        for candidate in ranked[1:]:
            other, _, entry_id = candidate.key.partition(":")
            if other == "faq" and name in self.kb.entries[entry_id].actions:
                promoted = Candidate(candidate.key, top.confidence, candidate.phrasing)
                return [promoted] + [c for c in ranked[1:] if c.key != candidate.key]
        return ranked

    def _named(self, ranked: list[Candidate], text: str, form: str = "") -> list[Candidate]:
        """"When will DIGITAL_SMS_0003 be approved?" names a template: it asks about that one, so
        of the FAQ entry it lands on (template review time) the action offered for it (the
        template's status) answers. A value only a request carries (`routing.slot_bonus_types`:
        a template code, a phone number, an error code) turns the best FAQ entry into the action
        it offers that takes the value; in a line in command FORM, any value of that action does
        ("申请签名：阿克米" names the signature to submit)."""
        if ranked and (quoted := self._quoted_look_up(ranked[:2], text)) is not None:
            return [quoted, *ranked[2:]]   # the entry and the look-up, the first two, are one reading now
        if not ranked or not ranked[0].key.startswith("faq:"):
            return ranked
        top = ranked[0]
        strong = self.kb.routing.slot_bonus_types
        for name in self.kb.entries[top.key.partition(":")[2]].actions:
            action = self.kb.actions[name]
            takes = [s for s in action.slots if s.type in strong or form == "command" and s.required]
            found = slots_for(self.kb, action, text) if takes else {}
            if given := [s for s in takes if s.name in found]:
                key = f"action:{name}"
                # a command is the request, not also the question about it: the entry gives way
                gone = {key} if any(s.type in strong for s in given) else {key, top.key}
                return [Candidate(key, top.confidence, self.title(key))] + [c for c in ranked if c.key not in gone]
        return ranked

    def _quoted_look_up(self, first: list[Candidate], text: str) -> Candidate | None:
        """'Is the signature "青石茶社" ready yet?' asks about the object it names in quotes: of the
        first two intents, an FAQ entry and the look-up it offers that takes the quoted name, the
        look-up is meant, as sure as the two together (the entry's phrasings and the look-up's read
        alike, and split the line's likelihood between them); None for any other line, and for a
        message of several sentences or clauses, where a quoted name is often the story's ("签名“汉味早点”被
        电信打回来了，…下一步要怎么弄？" asks what to do)."""
        if len(first) < 2 or "quoted" not in self.kb.slot_types:
            return None
        entry = next((c for c in first if c.key.startswith("faq:")), None)
        look_up = next((c for c in first if c.key.startswith("action:")), None)
        if entry is None or look_up is None:
            return None
        name = look_up.key.partition(":")[2]
        action = self.kb.actions[name]
        # (the sentences are split last: every line routed comes here, few with an entry and its look-up first)
        if action.changes_state or name not in self.kb.entries[entry.key.partition(":")[2]].actions or \
                len(self.sentences(text)) > 1:
            return None
        quoted = extract(self.kb, "quoted", text)
        found = slots_for(self.kb, action, text) if quoted else {}
        if not any(found.get(s.name) in quoted for s in action.slots):
            return None
        return Candidate(look_up.key, round(min(1.0, entry.confidence + look_up.confidence), 4), self.title(look_up.key))

    def _by_values(self, ranked: list[Candidate], text: str, changing: bool = True) -> list[Candidate]:
        """A request's values choose between requests: "用模板DM_100002发给13600001111" names a
        template, which a template's status also takes, and a number, which only a send does. When
        the best candidate is a request and the line gives values only a request carries
        (`routing.slot_bonus_types`), a request that cannot take every one of them is not what
        was meant: its likelihood goes to the likeliest request that can take them all (one that
        changes nothing, unless CHANGING: a line asking to be shown something)."""
        if not ranked or not ranked[0].key.startswith("action:"):
            return ranked
        strong = self.kb.routing.slot_bonus_types
        given = {t for t in strong if extract(self.kb, t, text)}
        if not given:
            return ranked
        requests = [c for c in ranked if c.key.startswith("action:")]
        taker = next((c for c in requests if given <= self._slot_types(c.key) and (changing or not self._changes(c.key))), None)
        unable = {c.key for c in requests if not given <= self._slot_types(c.key)}
        if taker is None or not unable:
            return ranked
        return _given_to(ranked, unable, taker.key)

    def _ticket_named(self, ranked: list[Candidate], text: str, form: str) -> list[Candidate]:
        """A request naming a ticket ("reply to the customer on ticket 3 that template DM_100004 was
        approved", 帮我 claim 一下 ticket 20) is about that ticket: the requests that cannot take one
        (a template's status, for the template code it also names) give their likelihood to the
        likeliest that can, as `_by_values` does for a request's other values, and so do the FAQ
        entries in a line in command form ("Please close ticket 3 with the note: your signature is
        now registered" is no question about signatures). A question naming one ("I opened ticket
        3; how long does review take?") is asked as it is."""
        if form == "question" or not ranked or "ticket" not in self.kb.slot_types or not extract(self.kb, "ticket", text):
            return ranked
        requests = [c for c in ranked if c.key.startswith("action:")]
        taker = next((c for c in requests if "ticket" in self._slot_types(c.key)), None)
        if taker is None:
            return ranked
        unable = {c.key for c in requests if "ticket" not in self._slot_types(c.key)}
        if form == "command":   # "Please close ticket 3 with the note: your signature is now registered"
            unable |= {c.key for c in ranked if c.key.startswith("faq:")}
        return _given_to(ranked, unable, taker.key)

    def _changes(self, key: str) -> bool:
        return self.kb.actions[key.partition(":")[2]].changes_state

    def _slot_types(self, key: str) -> set[str]:
        return {s.type for s in self.kb.actions[key.partition(":")[2]].slots}

    def decide(self, question: str, text: str, ranked: list[Candidate], lang: str = "en") -> Reply:
        """Answer, clarify or fall back, from the ranked candidates (see the module's docstring)."""
        t = self.thresholds
        known = [c for c in ranked if c.key != NEGATIVE]
        best = known[0] if known else None
        outside = next((c.confidence for c in ranked if c.key == NEGATIVE), 0.0)
        if 0 < outside < _SURELY_OUTSIDE and best is not None and best.key.startswith("action:") and \
                self._names_request_values(text):
            outside = 0.0   # "查一下13312345678的发送记录": a number, a template code or an error code is the domain's
        if best is None or outside >= t.out_of_scope or self._says_nothing(text):
            return Reply(question, "fallback", best.confidence if best else 0.0, best=best, lang=lang, outside=True)
        if (named := self._bare_or_unpublished(question, text, best, known, lang)) is not None:
            return named
        alike = self._alike_intents(text, best, known)
        pair = bool(alike) and best.confidence + sum(c.confidence for c in alike) >= t.clarify
        second = known[1].confidence if len(known) > 1 else 0.0
        # well ahead of every other intent and of the out-of-scope class, though not `answer` sure
        # (the lexical model spreads a wordy question's probability thin): answered all the same;
        # but a line in command form ("申请签名：阿克米") that only leans to an FAQ entry is a request
        # misread more often than a question
        leads = self._reaches_lead_floor(text, best.confidence) and best.confidence >= t.lead * second and not pair and \
            best.confidence * (1 - outside) > outside and not (best.key.startswith("faq:") and self.form(text) == "command")
        if best.confidence < t.clarify and not pair and not leads:
            if self._undocumented(best.key) and best.confidence >= t.clarify / 2 and not self.uncovered(text, best.key):
                # leaning to what is not published ("official gem?"): saying so, and where to look, beats "I don't know"
                return self.resolve(question, text, best, lang)
            return Reply(question, "fallback", best.confidence, best=best, lang=lang)
        close = [c for c in known[1:] if best.confidence - c.confidence < t.margin and c.confidence >= t.clarify]
        if not close and pair:
            close = alike
        if (speaking := self._speaking(text, best, close)) is None:
            # a salient word none of them speaks of: a confident (or offered) wrong answer is worse than "I don't know"
            return Reply(question, "fallback", best.confidence, best=best, lang=lang)
        best, close = speaking[0], speaking[1:]
        if not close and (best.confidence >= t.answer or leads):
            return self.resolve(question, text, best, lang)
        if not close:
            return Reply(question, "fallback", best.confidence, best=best, lang=lang)
        if self._undocumented(best.key):
            # "did you mean: the price?" would only lead to "not published": say so at once (and offer a person)
            return self.resolve(question, text, best, lang)
        suggestions = [Suggestion(c.key, self.title(c.key, lang), c.confidence) for c in [best, *close][: t.suggestions]]
        return Reply(question, "clarify", best.confidence, suggestions=tuple(suggestions), best=best, lang=lang)

    def _bare_or_unpublished(self, question: str, text: str, best: Candidate, known: list[Candidate],
                             lang: str) -> Reply | None:
        """The reply a line gets whatever the model's confidences: a "did you mean" for a word alone
        that names no object, or the honest "not published" of what it asks; None for neither."""
        if best.confidence < 1.0 and (bare := self._bare(text, known)):
            # "status", 签名: a word alone names no object, whatever the model leans to (unless the line
            # is a phrasing of one intent word for word: a manager taught "status" with `kb learn`)
            suggestions = tuple(Suggestion(c.key, self.title(c.key, lang), c.confidence) for c in bare)
            return Reply(question, "clarify", bare[0].confidence, suggestions=suggestions, best=bare[0], lang=lang)
        if (unpublished := self.unpublished(text, best, known)) is not None:
            # "what resolution must the pictures be": a word naming what the documentation does not give, which the
            # entry the question lands on never speaks of, asks what is not published (the size entry is no answer)
            return self.resolve(question, text, unpublished, lang)
        return None

    def _alike_intents(self, text: str, best: Candidate, known: list[Candidate]) -> list[Candidate]:
        """The intents after BEST that no word of TEXT tells apart from it, and that share its confidence:
        together they may be enough to ask which (the second of such a pair may come after an FAQ entry
        about the same words: "status"; a bare "签名" spreads over what a signature is, how to create one
        and its requirements)."""
        t = self.thresholds
        alike = next(([c] for c in known[1:3] if best.confidence + c.confidence >= t.clarify and self._alike(text, best, c)), [])
        if not alike and len(known) > 2 and all(self._alike(text, best, c, share=3) for c in known[1:3]):
            alike = known[1:3]
        return alike

    def _speaking(self, text: str, best: Candidate, close: list[Candidate]) -> list[Candidate] | None:
        """BEST and the CLOSE intents beside it, less those that do not speak of a salient word of TEXT
        (`uncovered`): None when none of them does. The sentences that ask are found only for a line
        with a salient word: most lines have none."""
        if not (self.uncovered(text, best.key) and self.uncovered(asked := self.asked(text), best.key)):
            return [best, *close]
        speaking = [c for c in close if not self.uncovered(asked, c.key)]
        if not speaking and self._one_choice_covered(asked, best.key):
            speaking = [best, *close]   # "是删了重新建还是改一下资料再提交？": the entry speaks of one choice
        if not speaking and self._one_ask_answers(text, best.key):
            speaking = [best, *close]   # "… charged for failed ones? And where is the invoice?": the first is answered
        # "resubmit template X": of the status check and the entry on a failed template, only
        # the entry speaks of resubmitting; the others are not offered beside it
        return speaking or None

    def _reaches_lead_floor(self, text: str, confidence: float) -> bool:
        """Whether CONFIDENCE reaches the lead rule's floor (`thresholds.lead_answer`; with the encoder,
        `encoder.lead_answer`). A line of no word the knowledge base uses ("ลูกค้าไม่ได้รับข้อความ") is read
        by the encoder alone, weakly: it is held to the lexical model's floor, which the encoder's is below."""
        if confidence < self.thresholds.lead_answer:
            return False
        return confidence >= self.kb.thresholds.lead_answer or self.index.knows(self.prepare(text))

    def _one_ask_answers(self, text: str, key: str) -> bool:
        """Whether TEXT asks two questions or more and one of them, read alone, is FAQ entry KEY's with
        no salient word KEY does not speak of ("Can we get the money back for the failed ones? And
        where can I download last month's invoice?": the failed messages' entry answers the first,
        and the second is answered beside it, or said not documented, by `also_asked`)."""
        asking = [s for s in self.sentences(text) if self.form(s) == "question"]
        if len(asking) < 2 or not key.startswith("faq:"):
            return False
        for sentence in asking:
            if len(set(self._words(sentence)) - self._stop()) < 2 or self.uncovered(sentence, key):
                continue
            ranked = self.index.rank(self.prepare(sentence, "question"), limit=1)
            if ranked and ranked[0].key == key:
                return True
        return False

    def _one_choice_covered(self, asked: str, key: str) -> bool:
        """Whether ASKED offers a choice (`routing.choice_words`: "是删了重新建还是改一下资料再提交？") of which
        one part, of two words or more, has no salient word intent KEY does not speak of: KEY's answer
        tells which choice to make ("update the information and resubmit"), though the other part
        names what it never speaks of."""
        lowered = " ".join(asked.lower().split())
        marker = next((w for w in self.kb.routing.choice_words if w in lowered), None)
        if marker is None:
            return False
        parts = [p for p in lowered.split(marker) if len(set(self._words(p)) - self._stop()) >= 2]
        return len(parts) > 1 and any(not self.uncovered(p, key) for p in parts)

    def _says_nothing(self, text: str) -> bool:
        """Whether TEXT has no word but stopwords, names no value and is neither a question nor a
        request by its form ("the the the", "吧吧吧": tone, not content, though the characters of 吧
        leaned it to a handoff; "what can you do?" is all stopwords too, and asks), or has no word at
        all ("2": the encoder read it as claiming a ticket): nothing to answer or do."""
        if self.mask(text) != text or self.form(text):
            return False
        if not any(ch.isalpha() for ch in text):
            return True   # "2", "1.": a number alone, no value the knowledge base knows (a choice typed with none shown)
        words = self._words(text)
        return bool(words) and all(w in self._stop() for w in words)

    def _words(self, text: str) -> list[str]:
        """TEXT's words as the index reads them, without the form words."""
        return [w for w in self.index.words(self.prepare(text)) if w not in FORM_WORDS]

    def _stop(self) -> frozenset[str]:
        if self._stopwords is None:
            self._stopwords = frozenset(self.kb.stopwords)
        return self._stopwords

    def _names_request_values(self, text: str) -> bool:
        """Whether TEXT names a value only requests carry (`routing.slot_bonus_types`)."""
        return any(extract(self.kb, t, text) for t in self.kb.routing.slot_bonus_types if t in self.kb.slot_types)

    def _bare(self, text: str, known: list[Candidate]) -> list[Candidate]:
        """The intents `routing.bare_lines` gives for TEXT when it is only such a line, as
        candidates (the model's confidence, 0 for one it did not rank), in the order written
        (a near tie must not reorder a "did you mean" a person has learnt); else []."""
        if self._bare_lines is None:   # folded once, on the first line decided
            self._bare_lines = {" ".join(fold(line).split()): keys for line, keys in self.kb.routing.bare_lines}
        intents = self._bare_lines.get(" ".join(fold(text).split())) if self._bare_lines else None
        if not intents:
            return []
        scores = {c.key: c for c in known}
        return [scores.get(key, Candidate(key, 0.0, "")) for key in intents]

    def _undocumented(self, key: str) -> bool:
        kind, _, name = key.partition(":")
        return kind == "faq" and self.kb.entries[name].kind == "undocumented"

    def uncovered(self, text: str, key: str) -> list[str]:
        """The question's salient words that no phrasing of intent KEY uses. Salient words
        (`routing.salient_words` in matcher.yaml) change what is asked while sharing the FAQ's
        other words: "how do I delete a template" lands on the create-template entry, none of
        whose phrasings deletes anything, so it must not be answered confidently. Empty when the
        index keeps no word lists (a large knowledge base)."""
        uses = self.index.uses
        if uses is None or not self.kb.routing.salient_words or self._free_text(key):
            # a request that carries free words (a person asked for "... about my invoice", a ticket
            # closed "..., the customer resubmitted") is never refused for what those words say
            return []
        if self._salient is None:
            # read as the index reads words, without spelling repair (a cached `ask` never needs rapidfuzz for this);
            # a phrase of several words (a Chinese word is read a character a word: 导出 is 导 出) is salient only whole;
            # kept by first word, so a line is read once rather than once for each phrase
            salient: dict[str, set[tuple[str, ...]]] = {}
            for phrase in self.kb.routing.salient_words:
                words = tuple(self.index.analyse(fold(phrase))[0])
                if words:
                    salient.setdefault(words[0], set()).add(words)
            self._salient = {first: tuple(sorted(phrases)) for first, phrases in salient.items()}
        target = self.index.keys.index(key)
        words = self.index.words(self.prepare(text))
        found: dict[str, None] = {}
        for i, word in enumerate(words):
            for phrase in self._salient.get(word, ()):
                if words[i:i + len(phrase)] == phrase and any(target not in uses.get(w, ()) for w in phrase):
                    found[" ".join(phrase)] = None
        return list(found)

    def unpublished(self, text: str, best: Candidate, known: list[Candidate]) -> Candidate | None:
        """The undocumented entry TEXT asks about when it names what `routing.unpublished_words` says
        the documentation does not give (a video's duration, an image's resolution; "动图 + 几帧", a GIF's
        own frames, is named by both parts) and BEST, a documented FAQ entry, never speaks of it (no
        phrasing of it uses the word, or both words of a pair): the ranked undocumented entry that
        speaks of all of it, else the first such entry of the knowledge base. None when nothing of
        the kind is named. "视频最大多大" (a size) names none of them, and keeps its answer."""
        if not self.kb.routing.unpublished_words or not best.key.startswith("faq:") or self._undocumented(best.key):
            return None
        words = self.index.words(self.prepare(self.asked(text)))
        named = [item for item in self.unpublished_items() if all(part and _within(part, words) for part in item)
                 and not self.speaks(best.key, item)]
        if not named:
            return None
        ranked = {c.key: c for c in known}
        speaking = [key for key in self.index.keys if key.startswith("faq:") and self._undocumented(key)
                    and all(self.speaks(key, item) for item in named)]
        if not speaking:
            return None
        key = min(speaking, key=lambda k: (k not in ranked, -ranked[k].confidence if k in ranked else 0.0))
        return ranked.get(key) or Candidate(key, best.confidence, "")

    def unpublished_items(self) -> tuple[tuple[tuple[str, ...], ...], ...]:
        """`routing.unpublished_words` as the index reads them: each item's parts ("gif + how many
        frames" has two), each part its words."""
        if self._unpublished is None:
            self._unpublished = tuple(tuple(tuple(self.index.analyse(fold(part))[0]) for part in item.split(" + "))
                                      for item in self.kb.routing.unpublished_words)
        return self._unpublished

    def speaks(self, key: str, item: tuple[tuple[str, ...], ...]) -> bool:
        """Whether one phrasing of FAQ entry KEY names every part of ITEM (a salient word, or the
        words of a pair)."""
        if key not in self._read_phrasings:
            entry = self.kb.entries[key.partition(":")[2]]
            said = (entry.question, entry.question_zh, *entry.alternatives)
            self._read_phrasings[key] = tuple(self.index.words(self.prepare(p)) for p in said if p)
        return any(all(_within(part, words) for part in item) for words in self._read_phrasings[key])

    def _free_text(self, key: str) -> bool:
        return key == "action:handoff" or key.startswith("action:") and "message" in self._slot_types(key)

    def _alike(self, text: str, best: Candidate, second: Candidate, share: int = 2) -> bool:
        """Two intents the question cannot tell apart: the second has at least a SHARE'th of the
        `clarify` confidence (half, for a pair; a third, when three share it) and at least 1 / `alike`
        of the first's (`thresholds.alike`: "send DIGITAL_SMS_0001", a send at 0.72 and a template's
        status at 0.11, was no pair), and no word of the
        question is used by one's phrasings and not the other's ("status": a signature's or a
        template's?). An FAQ entry and an action are never such a pair: the entry answers, and
        offers its actions."""
        kinds = {best.key.partition(":")[0], second.key.partition(":")[0]}
        if kinds == {"faq", "action"}:
            return False
        # two requests split a short request's confidence more evenly than two answers do
        floor = self.thresholds.clarify / (max(3, share) if kinds == {"action"} else share)
        if second.confidence < floor or best.confidence >= 1.0 or best.confidence > self.thresholds.alike * second.confidence:
            return False
        words = self.index.words(self.prepare(text))
        if not any(w in self.index.known for w in words):
            return False   # the encoder alone read it (Thai, say): its near tie is no shared word
        return not self.index.tells_apart(words, best.key, second.key)

    def resolve(self, question: str, text: str, candidate: Candidate, lang: str = "en") -> Reply:
        """The reply for a chosen intent (also used when a person picks a suggestion). An entry of
        kind "undocumented" is no answer: a fallback that says where to look (and offers a person)."""
        kind, _, name = candidate.key.partition(":")
        if kind == "faq":
            entry = self.kb.entries[name]
            if entry.kind == "undocumented":
                return Reply(question, "fallback", candidate.confidence, entry=entry.id,
                             answer=entry.said("answer", lang), best=candidate, lang=lang, kind=entry.kind)
            return Reply(question, "answer", candidate.confidence, entry=entry.id, answer=entry.said("answer", lang),
                         best=candidate, lang=lang)
        action = self.kb.actions[name]
        return Reply(question, "action", candidate.confidence, action=name,
                     args=slots_for(self.kb, action, text), best=candidate, lang=lang,
                     notes=notes_for(self.kb, action, text, lang))
