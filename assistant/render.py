"""Plain-text rendering of core results for people. The core returns data; this makes lines.

Everything shown that came from a user or the database goes through `sanitize.safe` (or
`one_line` inside a line), so a signature named with an escape sequence cannot repaint a terminal
and a question with a newline cannot forge a line; JSON goes out with the same characters escaped.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .knowledge import Action, KnowledgeBase
from .messages import heard, joined, said, say
from .numbers import detail_said
from .router import Reply
from .sanitize import one_line, safe, safe_json_text

__all__ = ["one_line", "safe", "to_json"]


def to_json(data: Any) -> str:
    """One line of JSON, UTF-8 text kept readable, with no raw control or bidi character in it."""
    import json

    return safe_json_text(json.dumps(data, ensure_ascii=False, default=str))


# The width tables are fitted to: the shells set it from the terminal (None: no limit, as in a pipe).
WIDTH: int | None = None
GAP = 2              # columns between two columns of a table
# Never at the start of a line (closing marks) and never at its end (opening marks): a line is not
# broken between them and the character beside them, as Chinese typesetting does (禁则).
_NO_START = frozenset("，。、；：！？）」』”’》〉】…—,.;:!?)]}%")
_NO_END = frozenset("（「『“‘《〈【([{")


def columns(text: str) -> int:
    """How many terminal columns TEXT takes, as a terminal (and prompt-toolkit) counts them: a Chinese
    character or full-width mark two, a combining mark none."""
    if text.isascii():   # the usual case, without importing prompt-toolkit (`ask` starts without it)
        return len(text)
    from prompt_toolkit.utils import get_cwidth

    return get_cwidth(text)


def clipped(text: str, width: int) -> str:
    """TEXT cut to at most WIDTH columns, never through a wide character."""
    out, used = "", 0
    for ch in text:
        used += columns(ch)
        if used > width:
            break
        out += ch
    return out


def _breaks(before: str, after: str) -> bool:
    """Whether a line may break between two characters with no space between them: beside a wide
    (Chinese) character, as Chinese text is written without spaces, unless a mark forbids it. Between
    two narrow ones never: a word, a code, a number or "028-85551234" stays whole."""
    if after in _NO_START or before in _NO_END:
        return False
    return columns(before) > 1 or columns(after) > 1


def _pieces(text: str) -> list[tuple[str, str]]:
    """TEXT as (the spaces before it, a piece no line may break inside) pairs."""
    out: list[tuple[str, str]] = []
    space = piece = ""
    for ch in text:
        if ch == " ":
            if piece:
                out.append((space, piece))
                space = piece = ""
            space += ch
            continue
        if piece and _breaks(piece[-1], ch):
            out.append((space, piece))
            space = piece = ""
        piece += ch
    if piece:
        out.append((space, piece))
    return out


def longest_piece(text: str) -> int:
    """The columns of TEXT's longest part that no line may break inside (its longest word)."""
    return max((columns(piece) for _, piece in _pieces(text)), default=0)


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """TEXT (one line) in lines of at most WIDTH columns, broken at spaces and beside Chinese
    characters, never inside a word; the lines after the first start with INDENT. A word longer
    than a whole line is the one thing cut (a terminal would cut it anyway)."""
    if width <= 0 or columns(text) <= width:
        return [text]
    lead = text[:len(text) - len(text.lstrip(" "))]
    lines: list[str] = []
    line, used, fresh = lead, columns(lead), True      # FRESH: nothing on the line but its indentation
    for space, piece in _pieces(text[len(lead):]):
        size = columns(piece)
        if not fresh:
            if used + len(space) + size <= width:
                line, used = line + space + piece, used + len(space) + size
                continue
            lines.append(line)
            line, used = indent, columns(indent)
        while size > max(width - used, 1):           # longer than a whole line: cut
            part = clipped(piece, max(width - used, 1)) or piece[0]
            lines.append(line + part)
            piece, line, used = piece[len(part):], indent, columns(indent)
            size = columns(piece)
        line, used, fresh = line + piece, used + size, False
    if not fresh:
        lines.append(line)
    return lines


def _fit(natural: list[int], least: list[int], width: int) -> list[int]:
    """NATURAL widths narrowed, the column with most to spare first, never below LEAST (a column's
    longest word), until the columns and their gaps fit in WIDTH."""
    widths = list(natural)
    while sum(widths) + GAP * (len(widths) - 1) > width:
        widest = max(range(len(widths)), key=lambda i: widths[i] - least[i])
        if widths[widest] <= least[widest]:
            break
        widths[widest] -= 1
    return widths


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], width: int | None = None) -> str:
    """An aligned plain-text table, its columns counted as a terminal counts them (a Chinese character
    takes two). Within WIDTH columns (default: `WIDTH`), long cells are wrapped inside their column,
    never inside a word; when even the columns' longest words do not fit side by side, each row is
    shown as "label: value" lines instead (`records`)."""
    cells = [[one_line(h) for h in headers]] + [[one_line("" if v is None else v) for v in row] for row in rows]
    text = _laid(cells, WIDTH if width is None else width)
    if (kept := getattr(_KEPT, "tables", None)) is not None:
        kept.append((text, cells))
    return text


def _laid(cells: list[list[str]], width: int | None) -> str:
    """`table`'s text of CELLS (the header first) within WIDTH."""
    widths = [max(columns(r[i]) for r in cells) for i in range(len(cells[0]))]
    if width and sum(widths) + GAP * (len(widths) - 1) > width:
        least = [max(longest_piece(r[i]) for r in cells) for i in range(len(cells[0]))]
        if sum(least) + GAP * (len(least) - 1) > width:
            return records(cells[1:], cells[0], width)
        widths = _fit(widths, least, width)
    lines = []
    for n, r in enumerate(cells):
        wrapped = [wrap(c, w) for c, w in zip(r, widths)]
        for k in range(max(len(parts) for parts in wrapped)):
            lines.append((" " * GAP).join(padded(parts[k] if k < len(parts) else "", w)
                                          for parts, w in zip(wrapped, widths)).rstrip())
        if n == 0:
            lines.append((" " * GAP).join("-" * w for w in widths))
    return "\n".join(lines)


def padded(text: str, width: int) -> str:
    """TEXT padded with spaces to WIDTH terminal columns (a Chinese character takes two)."""
    return text + " " * max(width - columns(text), 0)


# `tables`: the tables this thread laid out while `tables_kept` runs, each as (its text, its cells); none outside it.
# A thread's, not a context variable's: the service answers a request in one thread (and `contextvars` would be
# one more import for every `ask`).
_KEPT = threading.local()


@contextmanager
def tables_kept() -> Iterator[None]:
    """While in it, each table laid out (`table`) is kept with its cells, so that the lines said meanwhile
    can be handed on as `table_parts`: a client at another width (the remote REPL) lays the tables out at its own."""
    before, _KEPT.tables = getattr(_KEPT, "tables", None), []
    try:
        yield
    finally:
        _KEPT.tables = before


def table_parts(text: str) -> list[dict] | None:
    """TEXT as its plain text and the tables it holds that were laid out in `tables_kept`, in turn: each part
    {"text": ...} or {"table": {"headers": [...], "rows": [[...], ...]}} (the cells as the table shows them);
    None when it holds none. `laid_out` makes the text again, its tables within a width of its own."""
    kept = getattr(_KEPT, "tables", None) or []
    found, at = [], 0
    while True:
        starts = [(start, laid, cells) for laid, cells in kept if laid and (start := _line_start(text, laid, at)) >= 0]
        if not starts:
            break
        start, laid, cells = min(starts, key=lambda s: (s[0], -len(s[1])))
        found += [{"text": text[at:start]}] if start > at else []
        found.append({"table": {"headers": cells[0], "rows": cells[1:]}})
        at = start + len(laid)
    return found + ([{"text": text[at:]}] if at < len(text) else []) if found else None


def _line_start(text: str, laid: str, at: int) -> int:
    """Where in TEXT, from AT on, LAID stands as whole lines; -1 where it does not."""
    start = text.find(laid, at)
    while start >= 0:
        end = start + len(laid)
        if (start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end] == "\n"):
            return start
        start = text.find(laid, start + 1)
    return -1


def laid_out(shown: list[dict], width: int | None = None) -> str:
    """The text of SHOWN (`table_parts`), each table laid out within WIDTH (default: `WIDTH`) by `table`."""
    return "".join(part["text"] if "text" in part else table(part["table"]["rows"], part["table"]["headers"], width)
                   for part in shown)


def records(rows: Sequence[Sequence[Any]], labels: Sequence[str], width: int | None = None) -> str:
    """ROWS for a terminal too narrow for their table: each row as "label: value" lines, the values
    lined up and wrapped under each other, a blank line between two rows."""
    return "\n\n".join(fields(list(zip(labels, row)), width, sep=": ") for row in rows)


def fields(pairs: Sequence[tuple[str, Any]], width: int | None = None, sep: str = "  ") -> str:
    """PAIRS of label and value as lines "label<SEP>value" (`each_field`)."""
    return "\n".join(each_field(pairs, width, sep))


def each_field(pairs: Sequence[tuple[str, Any]], width: int | None = None, sep: str = "  ") -> list[str]:
    """Each of PAIRS of label and value as "label<SEP>value", the values starting in one column and
    wrapped within WIDTH (default: `WIDTH`) under each other; a value whose longest word would not
    fit there (or that would get too little room) goes on the lines under its label, indented."""
    width = WIDTH if width is None else width
    heads = [one_line(label) + sep.rstrip() for label, _ in pairs]
    at = max((columns(h) for h in heads), default=0) + max(len(sep) - len(sep.rstrip()), 1)
    texts = []
    for head, (_, value) in zip(heads, pairs):
        value = one_line("" if value is None else value)
        if not width:
            lines = [(padded(head, at) + value).rstrip()]
        elif width - at >= min(max(at, 12), columns(value)) and longest_piece(value) <= width - at:
            lines = wrap(padded(head, at) + value, width, " " * at)
        else:
            under = " " * (len(head) - len(head.lstrip(" ")) + 2)
            lines = [head, *(wrap(under + value, width, under) if value else [])]
        texts.append("\n".join(lines))
    return texts


_PLACEHOLDER = re.compile(r"\{(\w+)(\??)\}")
_CODE = re.compile(r"[A-Za-z]{2,10}(?:_[A-Za-z]{2,10})*_\d{3,}")   # a template's code as typed, any case ("digital_sms_0001")
_FLAGS = {"params": "--param", "reason": "--reason", "template": "--template", "day": "--day", "phone": "--phone"}


def command_for(action: Action, args: dict | None = None) -> str:
    """The action's command line with the values the request gave filled in (quoted for a shell)."""
    args = args or {}

    def fill(match: re.Match) -> str:
        name, optional = match.group(1), match.group(2)
        value = args.get(name)
        if value in (None, "", [], {}):
            return "" if optional else name.upper()
        import shlex  # only for a value to quote: an answer's "you can also run" lines have none

        values = [f"{k}={v}" for k, v in value.items()] if isinstance(value, dict) else \
            value if isinstance(value, list) else [value]
        flag = _FLAGS.get(name)
        return " ".join(f"{flag} {shlex.quote(str(v))}" if flag else shlex.quote(str(v)) for v in values)
    return " ".join(_PLACEHOLDER.sub(fill, action.command).split())


def reply_text(reply: Reply, kb: KnowledgeBase) -> str:
    """A reply as a person reads it in `assistant ask`, in the reply's language (`reply.lang`);
    the words around the answer come from the message catalogue (`knowledge/messages.yaml`)."""
    lang = reply.lang
    if reply.error:
        return say(kb, "unreadable.ask", lang, error=reply.error)
    if reply.type == "answer":
        entry = kb.entries[reply.entry]
        parts = [reply.answer or entry.said("answer", lang), *(one_line(note) for note in reply.notes)]
        related = [kb.entries[r].said("question", lang) for r in entry.related if r in kb.entries]
        if related:
            parts.append(say(kb, "related.ask", lang) + "\n" + "\n".join(f"  - {q}" for q in related))
        commands = [command_for(kb.actions[a]) for a in entry.actions if a in kb.actions and kb.actions[a].command]
        if commands:
            parts.append(say(kb, "also_run", lang) + "\n" + "\n".join(f"  {c}" for c in commands))
        return "\n".join(parts + _also(reply, kb))
    if reply.type == "clarify":
        lines = [say(kb, "clarify", lang)]
        lines += [f"  {n}. {one_line(s.question)}" for n, s in enumerate(reply.suggestions, 1)]
        return "\n".join(lines)
    if reply.type == "action" and reply.answer:
        return reply.answer   # a look-up `ask` did beside a request (`ops.carry_out`): what it found
    if reply.type == "action":
        action = kb.actions[reply.action]
        separator = say(kb, "requested.separator", lang)
        args = (separator + " " if separator.isascii() else separator).join(
            say(kb, "requested.value", lang, field=_field(kb, action, k, lang), value=one_line(_value(kb, action, k, v, lang)))
            for k, v in reply.args.items())
        what = say(kb, f"action.{action.name}", lang) if f"action.{action.name}" in kb.messages else action.description
        what = what[0].lower() + what[1:]   # "That is a request to send ..."
        lines = [say(kb, "requested.ask.values", lang, action=what.rstrip(".。"), values=args) if args else
                 say(kb, "requested.ask", lang, action=what.rstrip(".。"), values=""),
                 *(one_line(note) for note in reply.notes),
                 say(kb, "run.ask", lang, command=command_for(action, reply.args))]
        # the message's questions first, as the conversation says them before the request's first prompt
        return "\n".join([*_also(reply, kb)[1:], "", *lines] if reply.also else lines)
    if reply.kind == "small_talk" and reply.answer:
        return reply.answer
    if reply.kind == "undocumented" and reply.answer:
        return "\n".join([reply.answer, say(kb, "undocumented.ask", lang), *_also(reply, kb)])
    return say(kb, "fallback.ask", lang)


def _field(kb: KnowledgeBase, action: Action, slot: str, lang: str) -> str:
    """The name of ACTION's value SLOT in LANG (`field.ACTION.SLOT`, else `field.SLOT` of the catalogue),
    or the slot's own name."""
    key = next((k for k in (f"field.{action.name}.{slot}", f"field.{slot}") if k in kb.messages), None)
    return say(kb, key, lang) if key else slot


def _value(kb: KnowledgeBase, action: Action, slot: str, value: object, lang: str) -> str:
    """VALUE of ACTION's SLOT as `ask` names it: a list's items apart, a source or an industry by its
    label in LANG (`label.source.trademark`: 商标)."""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    kind = next((s.type for s in action.slots if s.name == slot), "")
    key = f"label.{'industry' if kind.startswith('industry') else kind}.{value}"
    return say(kb, key, lang) if kind in ("source", "industry", "industry_said") and key in kb.messages else str(value)


def _also(reply: Reply, kb: KnowledgeBase) -> list[str]:
    """The answers to the message's other questions (`Reply.also`), each under what it asked,
    after a blank line."""
    parts: list[str] = []
    for other in reply.also:
        parts += ["", say(kb, "also_asked", reply.lang, question=one_line(other.question)), reply_text(other, kb)]
    return parts


def _label(value: str | None) -> str:
    return (value or "").replace("_", " ").capitalize()


class Words:
    """The words around a result (headers, labels, status names): the catalogue's in LANG with a KB (the
    conversation's language, messages.yaml `table.*`, `status.*`, `result.*`), else the command line's
    English, word for word the catalogue's English (tests/test_render.py reads every twin written beside
    its id against the catalogue).

    The English twin stays because the command line renders without a knowledge base: the remote CLI has
    none, and the local one answers from the cached index (cache.py), never from messages.yaml. Reading the
    catalogue there (`messages.english`, as a refusal does on its way out) would cost every `status`, `send`
    or `handoff list` about 0.1 s of CPU, some 40% of a command's start; a refusal pays it once, on an error.
    The fallback is needed anyway where an id may be missing (`status.*` of a value the API adds, `label.*`
    of a carrier or a source rules.yaml names, `recipients.skipped`'s note said before)."""

    def __init__(self, kb: KnowledgeBase | None = None, lang: str = "en"):
        self.kb, self.lang = kb, lang

    def __call__(self, msg_id: str, english: str, **fields: Any) -> str:
        if self.kb is None or msg_id not in self.kb.messages:
            return english.format(**fields) if fields else english
        return say(self.kb, msg_id, self.lang, **fields)

    def status(self, kind: str, value: str | None) -> str:
        """A status VALUE of KIND (registration, availability, review) as the API shows it ("Registered"),
        glossed in Chinese for zh ("Registered（报备成功）")."""
        return self(f"status.{kind}.{value}", _label(value))

    def carrier(self, key: str | None, carriers: dict[str, str]) -> str:
        return self(f"label.carrier.{key}", carriers.get(key or "", "-")) if key in carriers else "-"

    def label(self, kind: str, value: str) -> str:
        """A source or an industry by its label in the language (`label.source.trademark`: 商标)."""
        return self(f"label.{kind}.{value}", value)

    def joined(self, items: list[str], last: str = "") -> str:
        """ITEMS as a list is written in the language ("A, B", "A、B"); with LAST, the English joining word."""
        if self.kb is None or self.lang == "en":
            return f" {last} ".join(items) if last else ", ".join(items)
        return joined(self.kb, items, self.lang)


def _note(carrier_status: dict, w: Words | None = None) -> str:
    """A carrier's reason (in W's language where it is one the account model gives: `reason_in`), or
    when it is expected to decide."""
    if carrier_status.get("reason"):
        reason = carrier_status["reason"]
        return reason if w is None or w.kb is None else reason_in(w.kb, reason, w.lang)
    if not carrier_status.get("expected_by"):
        return ""
    return (w or Words())("result.expected_by", "expected by {date}", date=carrier_status["expected_by"])


def warnings_text(result: dict) -> str:
    """A change's foreseen rejections ("every carrier will reject it: ..."), one line each, or nothing."""
    return "".join(f"\nWarning: {one_line(w)}" for w in result.get("warnings") or ())


def signature_text(status: dict, carriers: dict[str, str], kb: KnowledgeBase | None = None, lang: str = "en") -> str:
    """One signature's status for people: the command line's English, or with KB the conversation's LANG
    (its statuses as the API shows them, glossed in Chinese: "Registered（报备成功）")."""
    w = Words(kb, lang)
    fields = {"name": one_line(status["name"]), "source": w.label("source", status["source"]),
              "registration": w.status("registration", status["registration"])}
    if status["registration"] == "under_review":
        head = w("result.signature.head.expected", "{name} ({source}): {registration}; decision expected "
                 "{expected_from} to {expected_by}", expected_from=status["expected_from"],
                 expected_by=status["expected_by"], **fields)
    else:
        head = w("result.signature.head", "{name} ({source}): {registration}", **fields)
    rows = []
    reasons = {c.get("reason") for c in status["carriers"].values()}
    shared = reasons.pop() if len(reasons) == 1 else None  # one reason for all: say it once, below
    for key, c in status["carriers"].items():
        rows.append((w.carrier(key, carriers), w.status("registration", c["registration"]),
                     w.status("availability", c["availability"]), "" if shared else _note(c, w)))
    ready = w("result.signature.ready.all", "yes, with all three carriers") if status["ready"] else (
        w("result.signature.ready.some", "with {carriers} only",
          carriers=w.joined([w.carrier(c, carriers) for c in status["ready_for"]])) if status["ready_for"] else
        w("result.signature.ready.none", "not yet (ready when a carrier shows Registered and Active)"))
    headers = (w("table.carrier", "carrier"), w("table.registration", "registration"),
               w("table.availability", "availability"), w("table.note", "note"))
    lines = [head, w("result.submitted", "Submitted {date}", date=status["submitted"]), table(rows, headers)]
    if shared:
        lines.append(w("result.reason", "Reason: {reason}", reason=one_line(shared if w.kb is None else
                                                                         reason_in(w.kb, shared, w.lang))))
    lines.append(w("result.signature.ready", "Ready for production: {ready}", ready=ready))
    return "\n".join(lines)


def reach_said(status: dict, carriers: dict[str, str], w: Words) -> str:
    """Who a template (STATUS) can reach, in W's language: the core's English `reach` for the command line."""
    if w.kb is None:
        return status["reach"]
    ready_for = status["ready_for"]
    if not ready_for:
        return w("result.reach.none", "no one yet")
    if len(ready_for) == len(carriers):
        return w("result.reach.all", "users of all three carriers")
    return w("result.reach.some", "{carriers} users only",
             carriers=w.joined([w.carrier(c, carriers) for c in ready_for], "and"))


def template_text(status: dict, carriers: dict[str, str], kb: KnowledgeBase | None = None, lang: str = "en") -> str:
    """One template's status for people (the command line's English, or with KB the conversation's LANG)."""
    w = Words(kb, lang)
    head = w("result.template.head", '{code}  "{name}"  signature {signature}  industry {industry}',
             code=status["code"], name=one_line(status["name"]), signature=one_line(status["signature"]),
             industry=w.label("industry", status["industry"]))
    rows = [(w.carrier(k, carriers), w.status("review", c["status"]), _note(c, w)) for k, c in status["carriers"].items()]
    headers = (w("table.carrier", "carrier"), w("table.review", "review"), w("table.note", "note"))
    return "\n".join([head, table(rows, headers),
                      w("result.template.reach", "Can reach now: {reach}", reach=reach_said(status, carriers, w))])


def send_text(result: dict, carriers: dict[str, str], shown: int = 20, look_up: bool = True,
              kb: KnowledgeBase | None = None, lang: str = "en") -> str:
    """A send's outcome: the summary, each carrier's count, and the failures (the first SHOWN).
    LOOK_UP: end with the CLI's hint to look a code up (a conversation says its own, in its language).
    With KB, in the conversation's LANG (messages.yaml `send.report.*`, `table.*`): each number's reason
    where the catalogue says it (`failure_said`), its repeats as the preview said them."""
    w = Words(kb, lang)
    lines = [w("send.report.head", "Request {request}: {sent} sent, {failed} failed "
               "(charged {charged}; digital package {balance} left)", request=result["request_id"],
               sent=result["sent"], failed=result["failed"], charged=result["charged"],
               balance=result["balance"]["digital"])]
    lines.append(table([(w.carrier(c, carriers), n["sent"], n["failed"]) for c, n in result["by_carrier"].items()],
                       (w("table.carrier", "carrier"), w("table.sent", "sent"), w("table.failed", "failed"))))
    lines += [_repeat_said(r, w) for r in result.get("repeats", [])]
    if result.get("skipped"):
        skipped = result["skipped"]
        lines.append(skipped["note"] if w.kb is None or "rows" not in skipped else
                     w("recipients.skipped", "", rows=skipped["rows"], s="" if skipped["rows"] == 1 else "s"))
    failures = result.get("failures") or [r for r in result["results"] if r["status"] == "failed"]
    counted = result.get("failures_total", len(failures))
    if failures:
        lines.append(w("send.report.failures", "Failures:"))
        lines.append(_failures_table(failures[:shown], carriers, w))
        if counted > shown:
            more = w("send.report.more.json", "use --json for all") if "failures_total" not in result else \
                w("send.report.more.show", "see `send show {request}`", request=result["request_id"][:8])
            lines.append(w("send.report.more", "... and {count} more ({more})", count=counted - shown, more=more))
        if look_up:
            lines.append("Look up a code with `assistant error CODE`.")
    return "\n".join(lines)


def _repeat_said(repeat: dict, w: Words) -> str:
    """A number written again (a send's `repeats`): its stored note, or with a catalogue in W's language."""
    if w.kb is None:
        return repeat["note"]
    from .numbers import Repeat

    return said(w.kb, Repeat.of(repeat).said(), w.lang)


def _failures_table(failures: list[dict], carriers: dict[str, str], w: Words) -> str:
    """The failed numbers of a send: number, carrier, code and why (in W's language where the catalogue says it)."""
    def why(f: dict) -> str | None:
        return f["detail"] if w.kb is None else failure_said(w.kb, w.lang, f["phone"], f["error_code"], f["detail"])
    rows = [(f["phone"], w.carrier(f["carrier"], carriers), f["error_code"], why(f)) for f in failures]
    return table(rows, (w("table.phone", "phone"), w("table.carrier", "carrier"), w("table.error", "error"),
                        w("table.why", "why")))


def send_list_text(sends: list[dict], template: str | None = None, day: str | None = None,
                   phone: str | None = None, account: str | None = None, carriers: dict[str, str] | None = None,
                   by: Callable[[str], str] | None = None, kb: KnowledgeBase | None = None, lang: str = "en") -> str:
    """The latest sends, newest first (`send list`), of TEMPLATE or on DAY when the list was kept to them;
    with PHONE, the sends to that number and its own result in each (ACCOUNT names the account when there is none).
    BY: who made a send as the reader names them (the audit's actor by default). With KB, the table's
    headings in LANG (a conversation's `/sends`; its empty list the conversation says itself)."""
    if phone is not None:
        return _number_sends_text(sends, phone, template, day, account, carriers or {})
    if not sends:
        kept = _kept(template, day)
        return f"No sends {kept}." if kept else "No sends yet."
    w = Words(kb, lang)
    return table([(s["request_id"], s["template"], s["created_at"], s["total"], s["sent"], s["failed"],
                   by(s["actor"]) if by else s["actor"]) for s in sends],
                 (w("table.request", "request"), w("table.template", "template"), w("table.at", "at"),
                  w("table.numbers", "numbers"), w("table.sent", "sent"), w("table.failed", "failed"),
                  w("table.by", "by")))


def code_shown(template: str) -> str:
    """TEMPLATE as a list names it: a code in capitals ("digital_sms_0001"), a name as written."""
    return template.upper() if _CODE.fullmatch(template.strip()) else template


def _kept(template: str | None, day: str | None) -> str:
    """What a send list was kept to, in words: "of DIGITAL_SMS_0001 made yesterday"."""
    named = code_shown(template) if template else template
    return " ".join(part for part in (f"of {one_line(named)}" if named else "",
                                      f"made {one_line(day)}" if day in ("today", "yesterday") else
                                      f"on {one_line(day)}" if day else "") if part)


def _number_sends_text(sends: list[dict], phone: str, template: str | None, day: str | None,
                       account: str | None, carriers: dict[str, str]) -> str:
    """`send list --phone`: each send to the number and the number's result in it (sent, or failed and why)."""
    number = _phone_shown(phone)
    if not sends:
        kept = _kept(template, day)
        where = f" in account '{one_line(account)}'" if account else ""
        return f"No send to {number}{where}{' ' + kept if kept else ''}."
    rows = [(s["request_id"], s["template"], s["created_at"], s["recipient"]["status"],
             carriers.get(s["recipient"]["carrier"] or "", "-"), s["recipient"]["error_code"] or "-",
             one_line(s["recipient"]["detail"] or "-")) for s in sends]
    return f"Sends to {number}, newest first:\n" + table(rows, ("request", "template", "at", "result", "carrier",
                                                                 "error", "why"))


def _phone_shown(phone: str) -> str:
    """PHONE as its 11 digits when it is a number a send takes, else as written (on one line)."""
    from .numbers import normalise

    return normalise(str(phone)) or one_line(phone)


def failure_said(kb: KnowledgeBase, lang: str, phone: str, code: str | None, detail: str | None) -> str | None:
    """A failed message's DETAIL (the service's English, stored with it) in LANG: `failure_specific` where
    the catalogue says it, else CODE's meaning in Chinese (error_codes.yaml `meaning_zh`) for zh; DETAIL as it
    is otherwise (English, a detail already in another language, a code the catalogue does not know)."""
    specific = failure_specific(kb, lang, phone, code, detail)
    if specific is not None:
        return specific
    known = kb.error_codes.get(code or "")
    return known.meaning_zh if lang == "zh" and known and known.meaning_zh else detail


def failure_specific(kb: KnowledgeBase, lang: str, phone: str, code: str | None, detail: str | None) -> str | None:
    """A failed message's DETAIL in LANG where the catalogue says it (`detail_sentence`); DETAIL itself in
    English, or when it is no English; None when LANG can only say CODE's meaning for it (a reply that
    explains CODE right after then says that meaning once; `failure_said` says it)."""
    if lang == "en" or not detail:
        return detail
    sentence = detail_sentence(kb, phone, detail)
    if sentence is not None:
        return said(kb, sentence, lang)
    if not detail.isascii():
        return detail
    known = kb.error_codes.get(code or "")
    return None if lang == "zh" and known and known.meaning_zh else detail


def detail_sentence(kb: KnowledgeBase, phone: str, detail: str) -> dict | None:
    """DETAIL, why the account model failed number PHONE (stored in English), as the catalogue's sentence
    that says it in every language ({"say": id, "fields": ...}, as `messages.said` takes it): what is wrong
    with the number (`numbers.detail_said`), why flow control held it back (`send.held.*`) or any other of
    the model's reasons (`send.failed.*`), a carrier named in the reader's language and a template's
    rejection reason where the catalogue has it; None for a detail the catalogue does not say."""
    if kb.rules is not None and (known := detail_said(phone, detail, kb.rules)):
        return {"say": known[0], "fields": known[1]}
    for msg_id in kb.messages:
        if msg_id.startswith(("send.held.", "send.failed.")) and (fields := heard(kb, msg_id, detail)) is not None:
            return {"say": msg_id, "fields": {name: _named(kb, value, name) for name, value in fields.items()}}
    return None


def _named(kb: KnowledgeBase, value: str, field: str = "") -> Any:
    """A FIELD of a stored English reason (`detail_sentence`, `reason_sentence`) said in each language where
    the knowledge base names it: a carrier by its English name, a signature's source (`label.source.*`), a
    template's rejection reason (`reason_sentence`)."""
    carriers = kb.rules.carriers if kb.rules is not None else {}
    key = next((k for k, name in carriers.items() if name == value), None)
    if key is not None and f"label.carrier.{key}" in kb.messages:
        return {"say": f"label.carrier.{key}"}
    if field == "source" and f"label.source.{value}" in kb.messages:
        return {"say": f"label.source.{value}"}
    return reason_sentence(kb, value) if field == "reason" else value


# The reasons the account model records from the catalogue (in English) for a rejected template or signature
_REASONS = ("reason.template.", "reason.signature.")


def reason_sentence(kb: KnowledgeBase, reason: str) -> Any:
    """REASON, why a carrier rejected a template or a signature (recorded in English), as a value `messages.said`
    says in each language: a carrier rule's reason as rules.yaml gives it in each ({"texts": ...}), a reason of
    the account model's own as the catalogue's sentence (`reason.template.*`, `reason.signature.*`); any other
    (a reason an operator or agent typed in their own words) as it is."""
    if kb.rules is not None and reason in kb.rules.reasons_said:
        return {"texts": kb.rules.reasons_said[reason]}
    for msg_id in kb.messages:
        if msg_id.startswith(_REASONS) and (fields := heard(kb, msg_id, reason)) is not None:
            return {"say": msg_id, "fields": {name: _named(kb, value, name) for name, value in fields.items()}}
    return reason


def reason_in(kb: KnowledgeBase, reason: str, lang: str) -> str:
    """REASON (recorded in English) in LANG where the knowledge base says it (`reason_sentence`), else as it is."""
    return reason if lang == "en" else said(kb, reason_sentence(kb, reason), lang)


def number_sends_text(sends: list[dict], phone: str, kb: KnowledgeBase, lang: str, account: str,
                      template: str | None = None, day: str | None = None) -> str:
    """The conversation's (and `ask`'s) answer to "did my message to 13598765432 go through?": each
    send to the number with its result there, in LANG from messages.yaml (a failure's detail too, where
    the catalogue says it: `failure_said`)."""
    number = _phone_shown(phone)
    if not sends:
        msg_id = "sends.number.none" + (".template" if template else "") + (".day" if day else "")
        return say(kb, msg_id, lang, phone=number, account=one_line(account), day=one_line(day or ""),
                   template=one_line(code_shown(template) if template else ""))
    lines = [say(kb, "sends.number.heading", lang, phone=number, count=len(sends))]
    for s in sends:
        got = s["recipient"]
        carrier = say(kb, f"label.carrier.{got['carrier']}", lang) if got["carrier"] else "-"
        fields = {"at": s["created_at"], "template": s["template"], "request": s["request_id"][:8], "carrier": carrier}
        if got["status"] == "sent":
            lines.append(say(kb, "sends.number.sent", lang, **fields))
        else:
            failed = "sends.number.failed" if got["carrier"] else "sends.number.failed.no_carrier"
            lines.append(say(kb, failed, lang, code=got["error_code"] or "-",
                             detail=one_line(failure_said(kb, lang, got["phone"], got["error_code"], got["detail"])
                                             or "-"), **fields))
    if any(s["recipient"]["status"] != "sent" for s in sends):
        lines.append(say(kb, "sends.number.look_up", lang))
    return "\n".join(lines)


def send_record_text(send: dict, carriers: dict[str, str], by: Callable[[str], str] | None = None,
                     kb: KnowledgeBase | None = None, lang: str = "en") -> str:
    """One past send (`send show`): its counts and its first failures. BY: who made it as the reader
    names them (the audit's actor by default: `send show` is the audit's reader). With KB, in the
    conversation's LANG, as its send's report is (`send_text`)."""
    w = Words(kb, lang)
    who = by(send["actor"]) if by else send["actor"]
    lines = [w("send.record.head", "Request {request}: template {template} at {at}, {total} number(s): "
               "{sent} sent, {failed} failed (by {who})", request=one_line(send["request_id"]),
               template=one_line(send["template"]), at=send["created_at"], total=send["total"], sent=send["sent"],
               failed=send["failed"], who=one_line(who))]
    if send.get("state") == "recording":
        written = send.get("written") or 0
        lines.append(w("send.record.recording", "Still being recorded: {written} of {total} messages ({percent}%)",
                       written=f"{written:,}", total=f"{send['total']:,}",
                       percent=written * 100 // max(send["total"], 1)))
    if send["failures"]:
        start = send.get("failures_from") or 0
        paged = send["failed"] > len(send["failures"])
        lines.append(w("send.record.failures.paged", "Failures ({first}-{last} of {total}):", first=start + 1,
                       last=start + len(send["failures"]), total=send["failed"]) if paged
                     else w("send.report.failures", "Failures:"))
        lines.append(_failures_table(send["failures"], carriers, w))
    if send.get("failures_next") is not None:
        lines.append(w("send.record.more", "More failures: assistant send show {request} --offset {offset}",
                       request=one_line(send["request_id"][:8]), offset=send["failures_next"]))
    return "\n".join(lines)


def in_language(found: dict, lang: str) -> dict:
    """An error-code lookup FOUND with its meaning and fix in LANG: the Chinese ones for zh where
    the catalogue has them, the English ones otherwise."""
    if lang != "zh":
        return found
    return {**found, "meaning": found.get("meaning_zh") or found["meaning"], "fix": found.get("fix_zh") or found["fix"]}


def error_text(found: dict, lang: str = "en", kb: KnowledgeBase | None = None) -> str:
    """An error-code lookup: the code when it is known, else the closest codes to choose from. In
    Chinese (LANG zh) the meaning and the fix are said in Chinese where the catalogue has them
    (the catalogue's check insists on a Chinese fix wherever there is a Chinese meaning), and with
    KB the labels around them too ("Fix:", "See also:"), from `messages.yaml`; without it (the
    CLI's `assistant error`) they stay English."""
    if found["matched"] != "closest":
        found = in_language(found, lang)

    def label(msg_id: str, english: str, **fields: str) -> str:
        return say(kb, msg_id, lang, **fields) if kb is not None else english.format(**fields)

    if found["matched"] == "closest":
        lines = [label("error.not_a_code", "'{query}' is not an error code of the service. Did you mean:",
                       query=safe(found["query"]))]
        lines += [f"  {n}. {c['code']}: {candidate_meaning(c, lang, kb)}" for n, c in enumerate(found["candidates"], 1)]
        lines.append(label("error.look_up", "Look one up with `assistant error CODE`."))
        return "\n".join(lines)
    lines = [f"{found['code']}: {found['meaning']}", label("error.fix", "Fix: {fix}", fix=found["fix"])]
    if found["matched"] == "description":
        lines.insert(0, label("error.found_by", "Found by description ('{query}'):", query=safe(found["query"])))
    if found["handoff"]:
        lines.append(label("error.handoff",
                           "If that does not help, hand the case to a support manager: `assistant handoff create`."))
    if found["see_also"]:
        lines.append(label("error.see_also", "See also: {codes}", codes=", ".join(found["see_also"])))
    return "\n".join(lines)


def candidate_meaning(candidate: dict, lang: str, kb: KnowledgeBase | None) -> str:
    """A candidate code's meaning, in Chinese where asked for and the catalogue has it."""
    code = kb.error_codes.get(candidate["code"]) if kb is not None and lang == "zh" else None
    return (code.meaning_zh if code is not None else "") or candidate["meaning"]


def account_text(info: dict, kb: KnowledgeBase | None = None, lang: str = "en") -> str:
    """An account for people (`admin account show`, /status): the command line's English, or with KB in LANG."""
    w = Words(kb, lang)
    separator = w("result.separator", ";")
    profile = (separator + " " if separator.isascii() else separator).join(
        w("result.account.profile_item", "{source}: {names}", source=w.label("source", k),
          names=w.joined([one_line(n) for n in v])) for k, v in info["profile"].items() if v)
    enabled = w("result.account.enabled.since", "yes (since {at})", at=info["enabled_at"]) if info["enabled"] \
        else w("result.account.enabled.no", "no")
    pairs = [(w("result.account.industry", "industry"), w.label("industry", info["industry"])),
             (w("result.account.enabled", "enabled"), enabled),
             (w("result.account.packages", "packages"),
              w("result.account.packages.value", "digital {digital}, SMS {sms} (SMS packages do not pay for digital messages)",
                digital=info["packages"]["digital"], sms=info["packages"]["sms"])),
             (w("result.account.profile", "real-name profile"), profile or w("result.account.profile.none", "none"))]
    at = max(columns(label) for label, _ in pairs) + 1
    return "\n".join([w("result.account.head", "Account {name}", name=one_line(info["name"])),
                      *(f"  {padded(label, at)}{value}" for label, value in pairs)])


def queue_text(tickets: list[dict], kb: KnowledgeBase | None = None, lang: str = "en") -> str:
    """The handoff queue (`handoff list`, the REPL's /queue): the command line's English, or with KB the
    conversation's LANG (its headings, priorities and statuses the desk's words: messages.yaml `queue.*`)."""
    w = Words(kb, lang)
    if not tickets:
        return w("tickets.none", "The queue is empty.")
    rows = [(f"#{t['id']}", w(f"ticket.priority.{t['priority']}", t["priority"]),
             w("queue.answered", "{status}, customer answered", status=w(f"queue.status.{t['status']}", t["status"]))
             if t.get("customer_answered") else w(f"queue.status.{t['status']}", t["status"]),
             t["owner"] or "-", t["account"], _age_in(w, t["age"]), t["summary"]) for t in tickets]
    headers = [w(f"queue.{h}", h) for h in ("ticket", "priority", "status", "owner", "account", "age", "summary")]
    return table(rows, headers)


def _age_in(w: Words, age: str) -> str:
    """A ticket's AGE as the command line says it ("2h", `handoff._age`: messages.yaml `ticket.age.*`'s
    English), said again in W's language ("2小时")."""
    if w.kb is None or w.lang == "en":
        return age
    for msg_id in ("ticket.age.days", "ticket.age.hours", "ticket.age.minutes"):
        fields = heard(w.kb, msg_id, age)
        if fields is not None:
            return say(w.kb, msg_id, w.lang, **fields)
    return age


def ticket_text(ticket: dict) -> str:
    """A whole case, for the manager (`handoff show`)."""
    from .actions.handoff import export

    return safe(export(ticket, "md").rstrip())


def gaps_text(groups: list[dict]) -> str:
    if not groups:
        return "No knowledge gaps logged."
    lines = []
    for n, g in enumerate(groups, 1):
        best = g["best"].partition(":")[2] if g["best"] else "nothing close"
        by = g.get("sessions", g["count"])   # distinct askers: an `ask` run, a conversation, a token
        lines.append(f"{n}. asked {g['count']}x by {by} session{'' if by == 1 else 's'} (last {g['last']}), closest: {best}")
        lines += [f"     - {one_line(q)}" for q in g["examples"]]
        lines += [f"     proposed: '{one_line(p['question'])}' -> {p['intent'].partition(':')[2]} (picked {p['count']}x)"
                  for p in g.get("proposals", ())]
    return "\n".join(lines)


def report_text(r: dict) -> str:
    """`kb report` for people: the headline figures, then the lists, each naming what it counts: the
    conversations and their questions are the service's (web chat, remote REPL); the unanswered
    questions come from the gap log, which every channel writes (`ask`, the local REPL, the service)."""
    rate = f"{r['resolution_rate']:.0%}" if r["resolution_rate"] is not None else "n/a"
    reply = r["first_reply_minutes"]
    lines = [f"Support figures, {r['since']} to {r['until']}:",
             f"  conversations held through the service (web chat, remote REPL) with a question: {r['conversations']}; "
             f"solved without a person: {r['resolved_without_person']} ({rate})",
             f"  tickets: {r['tickets']}; first reply: median {reply['median'] if reply['median'] is not None else 'n/a'} min, "
             f"90th percentile {reply['p90'] if reply['p90'] is not None else 'n/a'} min ({reply['replied']} replied)"]
    none = "  none (ask and the local REPL keep no questions; their unanswered ones are counted below)" \
        if r["top_unanswered"] else "  none"
    for title, key in (("Top questions, in the service's conversations", "top_questions"),
                       ("Top unanswered, from every channel (ask, the local REPL, the service)", "top_unanswered")):
        lines += ["", f"{title}:"] + ([f"  {q['count']:>4}  {one_line(q['question'])}" for q in r[key]] or
                                      [none if key == "top_questions" else "  none"])
    lines += ["", "Answer feedback (yes / not related / related but not answered):"]
    lines += [f"  {f['yes']:>3} / {f['not_related']:>3} / {f['not_answered']:>3}  {one_line(f['answer'])[:80]}"
              for f in r["feedback"]] or ["  none yet"]
    return "\n".join(lines)
