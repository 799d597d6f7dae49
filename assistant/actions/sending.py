"""Sending: every recipient is checked the way the service checks it, and each failure carries
the service's error code.

Per recipient, in order: a mainland mobile number with a known carrier; the template approved
by that carrier; the signature Registered and Active with it; every template variable given a
short, plain value; per-number flow control; a message left in the digital-message package
(SMS packages never pay for digital messages). Digital messages carry no opt-out line. `preview`
runs the same checks without sending, so what the REPL shows before a send is what the send does.

One send, however many recipients, has one request id and is all or nothing, yet never holds the
database for long (other accounts keep being served during a 100,000-number send):

1. the numbers and parameters are checked with no transaction open (they depend on nothing stored);
   a file the package cannot pay for (an empty digital package) is refused before that;
2. one short transaction decides what depends on the account (approvals, flow control, balance),
   charges the package and records the request, 'recording' (a small send records its messages
   here too and is 'done' at once);
3. the messages are recorded in chunks of `chunk_messages`, a short transaction each; the last one
   marks the request 'done'. The send is answered only then.

A writer killed between 2 and 3 leaves a 'recording' request that makes no progress; after
`stale_after_s` the account's next send, `send list` or `send show` rolls it back whole: its
messages deleted, the charge refunded, the request removed, the rollback audited.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .. import errors
from ..context import Context, perform
from ..errors import Conflict, NotFound, Unprocessable, UserError, hinted, refused
from ..messages import said
from ..numbers import Repeat, Said, lookup, unique
from ..pacing import Pace, unpaced
from ..text import echoed
from . import signatures, templates

Progress = Callable[[int, int], None]
AMOUNT_NOT_ENOUGH = "isv.AMOUNT_NOT_ENOUGH"   # the digital-message package is empty
_URL = re.compile(r"(https?://|www\.|\b[a-z0-9-]+\.(com|cn|net|org|io|top|xyz)\b)", re.IGNORECASE)


class _FlowControl:
    """Per-number limits over the account's recent sends (rolling windows)."""

    def __init__(self, ctx: Context, now: dt.datetime):
        self.limits = ctx.rules.sending["flow_control"]
        self.kb, self.now = ctx.kb, now
        self.sent: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
        self.here: dict[str, int] = {}  # this send's own messages: by number, and by "number template"
        since = (now - dt.timedelta(hours=24)).isoformat(sep=" ")
        for row in ctx.store.rows(
                "SELECT phone, template, sent_at FROM messages WHERE account = ? AND status = 'sent' AND sent_at > ?",
                (ctx.account, since)):
            self.sent[row["phone"]].append((dt.datetime.fromisoformat(row["sent_at"]), row["template"]))

    def held(self, phone: str, template: str) -> Said | None:
        """Why PHONE may not get TEMPLATE now, as a sentence of messages.yaml (`send.held.*`) and its
        fields, for each reader's language; None when it may."""
        history = self.sent.get(phone, ())
        here = self.here.get(phone, 0)
        if not history and not here:  # most numbers of a large send: nothing to count
            return None
        same = sum(1 for _, t in history if t == template) + self.here.get(f"{phone} {template}", 0)
        if same >= self.limits["same_template_per_24h"]:
            return {"say": "send.held.same_template",
                    "fields": {"phone": phone, "template": template, "limit": self.limits["same_template_per_24h"]}}
        for window, key in ((dt.timedelta(minutes=1), "any_template_per_minute"),
                            (dt.timedelta(hours=1), "any_template_per_hour"), (dt.timedelta(hours=24), "any_template_per_24h")):
            if sum(1 for at, _ in history if self.now - at < window) + here >= self.limits[key]:
                return {"say": f"send.held.{key}", "fields": {"phone": phone, "limit": self.limits[key]}}
        return None

    def problem(self, held: Said) -> str:
        """HELD (`held`) as the send records it: in English, the service's words."""
        return said(self.kb, held, "en")

    def record(self, phone: str, template: str) -> None:
        """A message of this send to PHONE, sent now: counted by number and by number and template.
        (Plain counts: a send's 100,000 numbers as lists of tuples were 200,000 more objects for the
        garbage collector's full passes to walk, and those pause every thread of the service.)"""
        self.here[phone] = self.here.get(phone, 0) + 1
        self.here[f"{phone} {template}"] = self.here.get(f"{phone} {template}", 0) + 1


def bind(variables: list[str], params: Mapping[str, str]) -> Mapping[str, str]:
    """PARAMS keyed by the template's own variable names: a column `Name` fills `${name}` when the
    template has no variable spelt `Name` exactly (spreadsheets capitalise headers)."""
    if all(v in params for v in variables):
        return params
    folded = {str(k).casefold(): v for k, v in params.items()}
    bound = dict(params)
    for v in variables:
        if v not in bound and v.casefold() in folded:
            bound[v] = folded[v.casefold()]
    return bound


def failed(ctx: Context, why: str, /, **fields: object) -> str:
    """Why a number fails, as the send records it: the catalogue's `send.failed.WHY` in English (the
    service's words), which a reader's language says again from the same sentence (render.detail_sentence)."""
    return said(ctx.kb, {"say": f"send.failed.{why}", "fields": fields}, "en")


def _param_problem(ctx: Context, variables: list[str], params: Mapping[str, str]) -> tuple[str, str] | None:
    params = bind(variables, params)
    missing = [v for v in variables if not str(params.get(v, "")).strip()]
    if missing:
        listed = ", ".join("${" + m + "}" for m in missing)
        # the refusal, or the code's fix, says how
        return "isv.TEMPLATE_MISSING_PARAMETERS", failed(ctx, "no_value", listed=listed)
    longest = ctx.rules.template["max_variable_length"]
    banned = [str(w).casefold() for w in ctx.rules.template.get("banned_words", ())]
    for name in variables:
        value = str(params[name])
        if len(value) > longest:
            return "isv.PARAM_LENGTH_LIMIT", failed(ctx, "too_long", name=name, count=len(value), longest=longest)
        if _URL.search(value):
            return "isv.PARAM_NOT_SUPPORT_URL", failed(ctx, "link", name=name)
        if any(word in value.casefold() for word in banned):
            return "isv.BLACK_KEY_CONTROL_LIMIT", failed(ctx, "blocked_keyword", name=name)
    return None


def message_text(ctx: Context, signature: str, text: str, params: Mapping[str, str]) -> str:
    """The message as its recipient sees it: the signature in front as the service puts it, then the
    template's text with each variable filled (a variable without a value stays as ${name})."""
    params = bind(templates.VARIABLE.findall(text), params)  # the same binding the checks used
    filled = templates.VARIABLE.sub(lambda m: str(params.get(m.group(1)) or m.group(0)), text)
    return ctx.rules.sending["shown_as"].format(signature=signature, text=filled)


def _recipients(ctx: Context, recipients: Iterable[tuple[str, Mapping[str, str]]], from_file: bool,
                pace: Pace = unpaced) -> tuple[list, list[Repeat]]:
    """RECIPIENTS checked for count, each number once: a number written twice in two ways
    ("139-1234-5621", "0086 13912345621") is one person, who gets one message; and those repeats."""
    recipients = list(recipients)
    kept, repeated = unique([raw for raw, _ in recipients], pace)
    recipients = [recipients[n] for n in kept]
    limit = ctx.rules.sending["max_numbers_per_request"]
    if not recipients:
        raise errors.said(hinted(UserError("no recipients; give mobile numbers or --file FILE"), "no recipients", "recipients"),
                          "send.no_recipients")
    if len(recipients) > limit and not from_file:
        what = f"isv.MOBILE_COUNT_OVER_LIMIT: {len(recipients)} numbers in one request, at most {limit}"
        error = errors.said(UserError(f"isv.MOBILE_COUNT_OVER_LIMIT: {len(recipients)} numbers in one request, at most "
                                      f"{limit}; split them or send from a file with --file", code="isv.MOBILE_COUNT_OVER_LIMIT"),
                            "send.too_many", count=len(recipients), limit=limit)
        raise hinted(error, what, "split")
    most = ctx.rules.sending.get("max_recipients_per_file", 500000)
    if from_file and len(recipients) > most:
        raise refused("isv.MOBILE_COUNT_OVER_LIMIT", f"the file has {len(recipients):,} recipients, more than the "
                      f"{most:,} one send takes; split it into files of at most {most:,}", "send.file_too_many",
                      count=f"{len(recipients):,}", most=f"{most:,}")
    return recipients, repeated


def _static_checks(ctx: Context, variables: list[str], recipients: list[tuple[str, Mapping[str, str]]],
                   progress: Progress | None = None, pace: Pace = unpaced) -> list[tuple]:
    """(number, parameter problem) of each recipient: the checks that depend on nothing stored, so
    a send runs them before its transaction (PROGRESS(done, total) as they go, PACE at each number)."""
    checked, problems = [], {}  # recipients of a file mostly share their parameters: each set checked once
    for done, (raw, params) in enumerate(recipients, 1):
        key = _params_key(params)
        if key not in problems:
            problems[key] = _param_problem(ctx, variables, params)
        checked.append((lookup(raw, ctx.rules), problems[key]))
        pace()
        if progress and (done % 1000 == 0 or done == len(recipients)):
            progress(done, len(recipients))
    return checked


def _params_key(params: Mapping[str, str]) -> tuple:
    return tuple(params.items())


@dataclass
class _Situation:
    """What a send's verdicts depend on in the database, read at one moment; KEY changes whenever any
    of it does (the account's balances or enabling, the template and its approvals, the signature's
    registrations, the account's sends of the last 24 hours, which flow control counts)."""

    account: dict
    template: dict
    status: dict
    ready_signature: set
    now: dt.datetime
    key: tuple


def _situation(ctx: Context, code: str, now: dt.datetime) -> _Situation:
    account = ctx.account_row()
    template = templates.find(ctx, code)
    status = templates.status_of(ctx, template)
    ready_signature = set(signatures.usable_with(ctx, template["signature"]))
    since = (now - dt.timedelta(hours=24)).isoformat(sep=" ")
    sends = ctx.store.rows("SELECT request_id, written, state FROM requests WHERE account = ? AND created_at > ? "
                           "ORDER BY request_id", (ctx.account, since))
    key = (account["enabled_at"], account["digital_balance"], account["sms_balance"], template["code"],
           template["text"], template["signature"], tuple(sorted(status["ready_for"])),
           repr(status["carriers"]), tuple(sorted(ready_signature)),
           tuple((r["request_id"], r["written"], r["state"]) for r in sends))
    return _Situation(account, template, status, ready_signature, now, key)


def _outcomes(ctx: Context, code: str, recipients: list[tuple[str, Mapping[str, str]]],
              progress: Progress | None = None, checked: list[tuple] | None = None,
              held: dict[str, Said] | None = None) -> dict:
    """What sending CODE to RECIPIENTS does, number by number, in the order the service checks.

    Writes nothing: `send` records the outcomes, `preview` shows them before the person
    confirms. One function for both, so a preview can never promise what the send refuses.
    CHECKED: the recipients' `_static_checks`, when already made; HELD, if given, is filled with the
    reason (`_FlowControl.held`) of each number flow control holds back, by number.
    """
    seen = _situation(ctx, code, ctx.clock.now())
    if checked is None:
        checked = _static_checks(ctx, seen.status["variables"], recipients, progress)
    return _verdicts(ctx, seen, recipients, checked, held=held)


def _verdicts(ctx: Context, seen: _Situation, recipients: list[tuple[str, Mapping[str, str]]],
              checked: list[tuple], pace: Pace = unpaced, held: dict[str, Said] | None = None) -> dict:
    """Each recipient's outcome in SEEN, the numbers' CHECKED static verdicts given (PACE at each
    number); HELD as for `_outcomes`."""
    account, template, status = seen.account, seen.template, seen.status
    flow = _FlowControl(ctx, seen.now)
    balance = account["digital_balance"]
    results = []
    by_carrier: dict[str, dict[str, int]] = {c: {"sent": 0, "failed": 0} for c in ctx.rules.carriers}
    for (raw, _), (number, param_problem) in zip(recipients, checked):
        error = detail = None
        if not account["enabled_at"]:
            error = "isv.PRODUCT_UN_SUBSCRIPT"
            detail = failed(ctx, "not_enabled", account=ctx.account)
        elif number.problem:
            error, detail = "isv.MOBILE_NUMBER_ILLEGAL", number.problem
        elif number.carrier not in status["ready_for"]:
            review = status["carriers"][number.carrier]
            label = ctx.rules.carriers[number.carrier]
            error, detail = "isv.SMS_TEMPLATE_ILLEGAL", (
                failed(ctx, "template_pending", code=template["code"], carrier=label, date=review["expected_by"])
                if review["status"] == "pending" else
                failed(ctx, "template_rejected", code=template["code"], carrier=label, reason=review["reason"]))
        elif number.carrier not in seen.ready_signature:
            error, detail = ("isv.SMS_SIGNATURE_ILLEGAL", failed(ctx, "signature", signature=template["signature"],
                                                                 carrier=ctx.rules.carriers[number.carrier]))
        elif param_problem:
            error, detail = param_problem
        elif reason := flow.held(number.phone, template["code"]):
            error, detail = "isv.BUSINESS_LIMIT_CONTROL", flow.problem(reason)
            if held is not None:
                held[number.phone] = reason
        elif balance <= 0:
            error, detail = AMOUNT_NOT_ENOUGH, failed(ctx, "package_empty", sms=account["sms_balance"])
        else:
            balance -= 1
            flow.record(number.phone, template["code"])
        outcome = "failed" if error else "sent"
        if number.carrier:
            by_carrier[number.carrier][outcome] += 1
        results.append({"phone": number.phone or raw, "carrier": number.carrier, "status": outcome,
                        "error_code": error, "detail": detail})
        pace()
    sent = sum(1 for r in results if r["status"] == "sent")
    return {"template": template["code"], "results": results, "sent": sent, "failed": len(results) - sent,
            "by_carrier": by_carrier, "charged": sent,
            "balance": {"digital": balance, "sms": account["sms_balance"]},
            "balance_before": account["digital_balance"]}


def repeats(recipients: Iterable[tuple[str, Mapping[str, str]]]) -> list[dict]:
    """The numbers of RECIPIENTS written again (in any format): each is sent once."""
    return _shown(unique([raw for raw, _ in recipients])[1])


def preview(ctx: Context, code: str, recipients: Iterable[tuple[str, Mapping[str, str]]],
            from_file: bool = False) -> dict:
    """What `send` would do with the same arguments, number by number, without sending.

    The same checks as the send, in the same order (account, number, approvals, parameters,
    flow control, balance), so each number's verdict and error code are the ones the send gives.
    The REPL shows it before it asks to confirm. `held`: why flow control holds a number back
    (`_FlowControl.held`), by number, for the conversation to say in its language.
    """
    recipients = list(recipients)
    checked, repeated = _recipients(ctx, recipients, from_file)
    template = templates.find(ctx, code)
    _check_names(template["code"], templates.VARIABLE.findall(template["text"]),
                 (params for _, params in checked), from_file, {})
    held: dict[str, Said] = {}
    return {**_outcomes(ctx, code, checked, held=held), "repeats": _shown(repeated), "held": held}


def _shown(repeated: list[Repeat]) -> list[dict]:
    return [{"written": r.written, "phone": r.phone, "first": r.first, "times": r.times, "note": r.note()}
            for r in repeated]


def _check_names(code: str, variables: list[str], given: Iterable[Mapping[str, str]], from_file: bool,
                 common: Mapping[str, str]) -> None:
    """Refuse, before anything is recorded, parameters the template cannot take: a name it has no
    variable for (the service refuses a request whose names mismatch, isv.SMS_TEMPLATE_ILLEGAL;
    a file's own extra columns are allowed), and a file that gives some variable to no recipient
    at all (its column named otherwise: every message would fail)."""
    folded = {v.casefold() for v in variables}
    shapes = {tuple(params) for params in given}
    names = set(common) | (set() if from_file else {name for shape in shapes for name in shape})
    unknown = sorted(n for n in names if n.casefold() not in folded)
    if unknown:
        has = ", ".join("${" + v + "}" for v in variables) or "none"
        raise refused("isv.SMS_TEMPLATE_ILLEGAL", f"template {code} has no parameter '{unknown[0]}' "
                      f"(its parameters: {has}); drop it or check the spelling", "send.no_such_parameter",
                      code=code, name=unknown[0], has=has)
    if from_file and shapes:
        columns = {name.casefold() for shape in shapes for name in shape}
        missing = [v for v in variables if v.casefold() not in columns]
        if missing:
            named = ", ".join(sorted({name for shape in shapes for name in shape} - set(common))) or "the phone column only"
            what = f"the file gives no recipient a value for ${{{missing[0]}}} (its columns: {named})"
            raise hinted(refused("isv.TEMPLATE_MISSING_PARAMETERS",
                                 f"{what}; name a column '{missing[0]}' or pass --param {missing[0]}=VALUE"),
                         f"isv.TEMPLATE_MISSING_PARAMETERS: {what}", "column", name=missing[0])


def send(ctx: Context, code: str, recipients: Iterable[tuple[str, Mapping[str, str]]],
         progress: Progress | None = None, total: int | None = None, from_file: bool = False,
         pace: Pace = unpaced, common: Mapping[str, str] | None = None) -> dict:
    """Send template CODE to RECIPIENTS, pairs of (number as written, template parameters).

    Numbers given directly are one API request, at most `max_numbers_per_request`; a file is
    split into such requests but recorded as one batch, all or nothing (see the module's
    docstring for how a large one is recorded). PROGRESS(done, total) is called as recipients
    are checked and then recorded (each counting half). PACE is called at every step of the
    per-number work, never inside a transaction (the service's `pacing.Pacer` leaves room there
    for other requests). The answer holds the first `shown_results` per-number results; a larger
    send says how many there were and gives its first failures (`send show` pages through the rest).
    COMMON are the parameters given for every recipient (a file's `--param`): each must be one of
    the template's variables.
    """
    recover(ctx)
    _none_recording(ctx)   # at once, on a plain read: not after this send's checks nor behind the recording's writes
    recipients = list(recipients)
    checked, repeated = _recipients(ctx, recipients, from_file, pace)
    rules = ctx.rules.sending
    if from_file:
        payable(ctx, code, len(checked))
    template = templates.find(ctx, code)
    variables = templates.VARIABLE.findall(template["text"])
    _check_names(template["code"], variables, (params for _, params in checked), from_file, common or {})
    half = (lambda done, all_: progress(done // 2, all_)) if progress else None
    static = _static_checks(ctx, variables, checked, half, pace)
    chunk = max(1, int(rules.get("chunk_messages", 2000)))
    small = len(checked) <= chunk
    # Decided outside the transaction, on what the database holds now; the transaction only checks
    # that none of it changed meanwhile (else decides again, inside), so it stays short.
    seen = _situation(ctx, code, ctx.clock.now())
    if seen.account["enabled_at"]:   # else every number fails isv.PRODUCT_UN_SUBSCRIPT first, as the service checks
        _some_reachable(ctx, code, [number for number, _ in static])
    draft = _verdicts(ctx, seen, checked, static, pace)

    def decide() -> dict:
        _none_recording(ctx)
        now = _situation(ctx, code, seen.now)
        result = draft if now.key == seen.key else _verdicts(ctx, now, checked, static)
        _something_goes(ctx, result)
        result = {**result}
        result.pop("balance_before")
        sent_at = seen.now.isoformat(sep=" ")
        request_id = str(uuid.uuid4()).upper()
        ctx.store.insert("requests", {"request_id": request_id, "account": ctx.account,
                                      "template": result["template"], "created_at": sent_at,
                                      "total": len(checked), "sent": result["sent"], "failed": result["failed"],
                                      "actor": ctx.actor, "state": "done" if small else "recording",
                                      "written": len(checked) if small else 0, "lease": time.time()})
        if small:
            ctx.store.insert_all("messages", _rows(ctx, template, request_id, sent_at, result["results"], checked))
        ctx.store.update("accounts", {"name": ctx.account}, {"digital_balance": result["balance"]["digital"]})
        return {"request_id": request_id, "sent_at": sent_at, **result}
    result = perform(ctx, "send", code, decide)
    sent_at = result.pop("sent_at")
    if not small:
        def rows(start: int, end: int) -> list[dict]:
            return _rows(ctx, template, result["request_id"], sent_at, result["results"][start:end],
                         checked[start:end])
        try:
            _record(ctx, result["request_id"], rows, len(checked), chunk, progress, pace)
        except BaseException:  # a full disk, a lost database, Ctrl-C: undo the charge now, not in a minute
            with contextlib.suppress(Exception):
                _roll_back(ctx, result["request_id"], "its recording failed")
            raise
    elif progress:
        progress(len(checked), len(checked))
    return {**_answer(result, int(rules.get("shown_results", 1000))), "repeats": _shown(repeated)}


def _rows(ctx: Context, template: dict, request_id: str, sent_at: str, results: list[dict],
          recipients: list[tuple[str, Mapping[str, str]]]) -> list[dict]:
    """The messages rows of a send: each number's outcome and what its message carried."""
    texts: dict[tuple, str] = {}

    def content(params: Mapping[str, str]) -> str:
        key = _params_key(params)
        if key not in texts:
            texts[key] = message_text(ctx, template["signature"], template["text"], params)
        return texts[key]
    return [{"request_id": request_id, "account": ctx.account, "phone": r["phone"], "carrier": r["carrier"],
             "template": template["code"], "status": r["status"], "error_code": r["error_code"],
             "detail": r["detail"], "sent_at": sent_at, "signature": template["signature"],
             "content": content(params)}
            for r, (_, params) in zip(results, recipients)]


def _record(ctx: Context, request_id: str, rows: Callable[[int, int], list[dict]], total: int, chunk: int,
            progress: Progress | None, pace: Pace = unpaced) -> None:
    """Record a charged send's TOTAL messages (ROWS(start, end) gives them), CHUNK per transaction;
    the last one marks the send done. PACE is given a break after each transaction.

    Each chunk renews the send's lease; a send rolled back meanwhile (its writer taken for dead)
    stops the writing with an error rather than recording messages of a send that is no more.
    """
    for start in range(0, total, chunk):
        part = rows(start, start + chunk)
        written = start + len(part)

        def write(part: list[dict] = part, written: int = written) -> None:
            state = ctx.store.row("SELECT state FROM requests WHERE request_id = ?", (request_id,))
            if state is None or state["state"] != "recording":
                seconds = ctx.rules.sending.get("stale_after_s", 60)
                raise errors.said(UserError(f"send {request_id} was rolled back while it was being recorded (no progress for "
                                            f"{seconds} s); nothing of it was kept; send again"),
                                  "send.rolled_back", request_id=request_id, seconds=seconds)
            ctx.store.insert_all("messages", part)
            ctx.store.update("requests", {"request_id": request_id},
                             {"written": written, "lease": time.time(), "state": "done" if written == total else "recording"})
        ctx.store.atomically(write, key=ctx.account)
        ctx.store.settle()
        pace(True)
        if progress:
            progress((total + written) // 2, total)


def payable(ctx: Context, code: str, count: int | None = None) -> None:
    """Refuse (audited) a file send the digital package cannot pay for any of, before any number is
    read or checked (COUNT: the file's recipients, when known): an empty package would only record a
    failure per number. A package that pays for part of a file sends that part, number by number."""
    account = ctx.account_row()
    if account["digital_balance"] > 0:
        return
    what = f"none of the file's {count:,} recipients" if count is not None else "none of the file's recipients"
    why = refused(AMOUNT_NOT_ENOUGH, f"the digital-message package is empty, so {what} can be sent to "
                  f"(SMS packages, {account['sms_balance']:,} left, do not apply); nothing was sent; "
                  "top up the digital package")
    ctx.store.atomically(lambda: ctx.audit("send", code, "refused", str(why)), key=ctx.account)
    raise why


NAMED_NUMBERS = 3  # the unreachable numbers a refusal names one by one; the rest are counted


def _some_reachable(ctx: Context, code: str, numbers: list) -> None:
    """Refuse (audited) a send none of whose NUMBERS (`numbers.lookup`'s) is a mainland mobile number
    digital messages reach: it would only record a failure per number. Each named, up to NAMED_NUMBERS."""
    if not numbers or not all(n.problem for n in numbers):
        return
    named = [n.named_problem() for n in numbers[:NAMED_NUMBERS]]
    more = f"; and {len(numbers) - NAMED_NUMBERS:,} more" if len(numbers) > NAMED_NUMBERS else ""
    why = Unprocessable(f"isv.MOBILE_NUMBER_ILLEGAL: no number can be sent to ({'; '.join(named)}{more}); "
                        "nothing was sent or recorded; give 11-digit mainland mobile numbers of "
                        f"{', '.join(ctx.rules.carriers.values())}", code="isv.MOBILE_NUMBER_ILLEGAL")
    ctx.store.atomically(lambda: ctx.audit("send", code, "refused", str(why)), key=ctx.account)
    raise why


def _something_goes(ctx: Context, result: dict) -> None:
    """Refuse a send RESULT (`_verdicts`) none of whose numbers would be sent, whatever the reasons
    (not enabled, the template or signature not approved by any of the numbers' carriers, their
    values, flow control, an empty package): it would only record a failure per number, so nothing is
    charged or recorded. The code is the one most numbers failed with (the first of them in the
    service's order of checks on a tie); up to NAMED_NUMBERS reasons are named, each with its numbers
    and code. Raised inside the send's transaction, so `perform` audits it."""
    results = result["results"]
    if result["sent"] or not results:
        return
    main = Counter(r["error_code"] for r in results).most_common(1)[0][0]
    reasons: dict[tuple[str, str], list[str]] = {}
    for r in results:
        reasons.setdefault((r["error_code"], r["detail"]), []).append(r["phone"])
    named = [f"{_some(phones)}: {error}, {detail}" for (error, detail), phones in list(reasons.items())[:NAMED_NUMBERS]]
    rest = sum(len(phones) for phones in list(reasons.values())[NAMED_NUMBERS:])
    more = f"; and {rest:,} more number(s)" if rest else ""
    entry = ctx.kb.error_codes.get(main)
    fix = entry.fix if entry else f"see `assistant error {main}`"
    count = f"none of the {len(results):,} numbers can" if len(results) > 1 else "the number cannot"
    what = f"{main}: {count} be sent to ({'; '.join(named)}{more}); nothing was sent or recorded"
    error = Unprocessable(f"{what}; {fix[:1].lower()}{fix[1:].rstrip('.')}", code=main)
    # the code's fix names the command line's flag for a missing value: the service says its own field
    raise hinted(error, what, "param") if main == "isv.TEMPLATE_MISSING_PARAMETERS" else error


def _some(phones: list[str]) -> str:
    """PHONES as a refusal names them: up to NAMED_NUMBERS, the rest counted."""
    shown = ", ".join(phones[:NAMED_NUMBERS])
    return shown + (f" and {len(phones) - NAMED_NUMBERS:,} more" if len(phones) > NAMED_NUMBERS else "")


def _none_recording(ctx: Context) -> None:
    """Refuse a send while another of the account is still being recorded: flow control and the
    balance must see every message of the account's earlier sends."""
    running = ctx.store.row("SELECT request_id, written, total FROM requests WHERE account = ? AND state = 'recording' "
                            "ORDER BY created_at LIMIT 1", (ctx.account,))
    if running:   # the account's state, not the request, is in the way: a conflict (the service answers 409)
        what = (f"another send of account '{ctx.account}' is still being recorded (request "
                f"{running['request_id']}: {running['written'] or 0:,} of {running['total']:,} messages)")
        request, written, total = running["request_id"], f"{running['written'] or 0:,}", f"{running['total']:,}"
        error = errors.said(Conflict(f"another send of account '{ctx.account}' is still being recorded (request {request}: "
                                     f"{written} of {total} messages); send again when it is done (see `assistant send show "
                                     f"{request[:8]}`)"),
                            "send.recording", account=ctx.account, request=request, written=written, total=total,
                            short=request[:8])
        raise hinted(error, what, "send_running", request=request)


def recover(ctx: Context) -> list[str]:
    """Roll back the account's sends whose writer died while recording them (no progress for
    `stale_after_s`): messages deleted, the charge refunded, the request removed, audited. The ids."""
    before = time.time() - float(ctx.rules.sending.get("stale_after_s", 60))
    stuck = ctx.store.rows("SELECT request_id FROM requests WHERE account = ? AND state = 'recording' AND lease < ?",
                           (ctx.account, before))
    return [row["request_id"] for row in stuck if _roll_back(ctx, row["request_id"], "its writer stopped", before)]


def _roll_back(ctx: Context, request_id: str, why: str, stale_before: float | None = None) -> bool:
    """Undo a send still being recorded, in one transaction: its messages, its request, its charge.
    With STALE_BEFORE, only if it has made no progress since then. Whether it was undone."""
    def undo() -> bool:
        row = ctx.store.row("SELECT sent, state, lease, written FROM requests WHERE request_id = ?", (request_id,))
        if row is None or row["state"] != "recording" or (stale_before is not None and row["lease"] >= stale_before):
            return False  # done, or rolled back, meanwhile; or its writer came back to life
        ctx.store.execute("DELETE FROM messages WHERE request_id = ?", (request_id,))
        ctx.store.execute("DELETE FROM requests WHERE request_id = ?", (request_id,))
        ctx.store.execute("UPDATE accounts SET digital_balance = digital_balance + ? WHERE name = ?",
                          (row["sent"], ctx.account))
        ctx.audit("send.rollback", request_id, "ok", f"{why} after {row['written'] or 0} messages; "
                  f"{row['sent']} message(s) refunded")
        return True
    return ctx.store.atomically(undo, key=ctx.account)


def _answer(result: dict, shown: int) -> dict:
    """RESULT with at most SHOWN per-number results; a larger send gives its count and first failures."""
    results = result["results"]
    if len(results) <= shown:
        return result
    failures = [r for r in results if r["status"] == "failed"]
    return {**result, "results": results[:shown], "results_total": len(results),
            "failures": failures[:FAILURES_PAGE], "failures_total": len(failures)}


FAILURES_PAGE = 50        # failures in a page of `send show` by default
MAX_FAILURES_PAGE = 1000  # and at most: an answer stays small however large the send


def recent(ctx: Context, limit: int = 20, template: str | None = None, day: str | None = None,
           phone: str | None = None) -> list[dict]:
    """The account's latest sends, newest first: a send whose output was lost can always be found again.
    TEMPLATE keeps those of one template (its code, or its name as `templates.find` reads it: an
    unknown one is a NotFound naming the account's), DAY (2026-03-02, today, 3 days ago, last
    Monday, 上周一: `clock.parse_day` with rules.yaml's `day_words`) those made that day. A send
    still being recorded has `state` 'recording' and `written` messages so far (else 'done').
    PHONE ("did my message to 13598765432 go through?") keeps the sends that included that number,
    written in any way a send takes it (+86, spaces, dashes), each with that number's own result as
    `recipient` {phone, status, carrier, error_code, detail}; a number no send could reach (a landline)
    gives the sends that recorded its failure, and with none is refused as the send refuses it
    (isv.MOBILE_NUMBER_ILLEGAL)."""
    from ..clock import parse_day

    ctx.account_row()             # an account that does not exist has no sends: it is said so, never "No sends yet."
    limit = max(1, min(int(limit), 1000))
    number = lookup(str(phone), ctx.rules) if phone is not None else None
    where, values = ["r.account = ?"], [ctx.account]
    if template:
        where.append("r.template = ?")
        values.append(templates.find(ctx, template)["code"])
    if day:
        start = parse_day(day, ctx.clock.now().date(), ctx.rules.day_words)
        where.append("r.created_at >= ? AND r.created_at < ?")
        values += [f"{start.isoformat()} 00:00:00", f"{(start + dt.timedelta(days=1)).isoformat()} 00:00:00"]
    recover(ctx)
    columns = "r.request_id, r.template, r.created_at, r.total, r.sent, r.failed, r.actor, r.state, r.written"
    if number is not None and not number.problem:
        return _to_number(ctx, columns, where, values, number.phone, limit)
    if number is not None:   # a send records such a number as written, and its failure: found by its digits
        if found := _to_number(ctx, columns, where, values, str(phone), limit, as_written=True):
            return found
        raise Unprocessable(f"isv.MOBILE_NUMBER_ILLEGAL: {number.named_problem()}; no send can have reached it; "
                            f"give an 11-digit mainland mobile number of {', '.join(ctx.rules.carriers.values())}",
                            code="isv.MOBILE_NUMBER_ILLEGAL")
    # two sends of the same second: the later one (its messages written last) first
    return ctx.store.rows(f"SELECT {columns} FROM requests r WHERE {' AND '.join(where)} ORDER BY r.created_at DESC, "
                          "(SELECT MAX(m.id) FROM messages m WHERE m.request_id = r.request_id) DESC LIMIT ?",
                          (*values, limit))


def day_named(ctx: Context, day: str | None) -> str | None:
    """DAY as `recent` reads it ("yesterday", 上周一), as its date (2026-03-02): how an answer names the
    day it was kept to, in any language. None without a day."""
    from ..clock import parse_day

    return parse_day(day, ctx.clock.now().date(), ctx.rules.day_words).isoformat() if day else None


def _to_number(ctx: Context, columns: str, where: list[str], values: list, phone: str, limit: int,
               as_written: bool = False) -> list[dict]:
    """The sends (of WHERE) that included PHONE, newest first, each with its message to PHONE as `recipient`.
    (The messages_by_number index finds the number's messages; a send writes a number once.) AS_WRITTEN: PHONE
    is no mobile, recorded as its send was given it ("028-85551234"): its last digits find the candidates,
    and `numbers.key` tells which are the same number however written."""
    from ..numbers import key

    wanted = key(phone)
    if as_written and len(wanted) < 4:
        return []
    match, value = ("m.phone LIKE ?", "%" + wanted[-4:]) if as_written else ("m.phone = ?", phone)
    rows = ctx.store.rows(f"SELECT {columns}, m.phone AS m_phone, m.status AS m_status, m.carrier AS m_carrier, "
                          "m.error_code AS m_error_code, m.detail AS m_detail FROM messages m "
                          "JOIN requests r ON r.request_id = m.request_id "
                          f"WHERE m.account = ? AND {match} AND {' AND '.join(where)} "
                          "ORDER BY r.created_at DESC, m.id DESC" + ("" if as_written else " LIMIT ?"),
                          (ctx.account, value, *values) + (() if as_written else (limit,)))
    if as_written:
        rows = [row for row in rows if key(row["m_phone"]) == wanted][:limit]
    out = []
    for row in rows:
        recipient = {key[2:]: row.pop(key) for key in ("m_phone", "m_status", "m_carrier", "m_error_code", "m_detail")}
        out.append({**row, "recipient": recipient})
    return out


def latest_failed(ctx: Context, hours: float) -> str | None:
    """The request id of the account's latest send with a failure made in the HOURS before the
    context's clock (none made after it), or None: what a handoff naming no send carries."""
    now = ctx.clock.now()
    since = (now - dt.timedelta(hours=hours)).isoformat(sep=" ")
    row = ctx.store.row("SELECT request_id FROM requests WHERE account = ? AND failed > 0 AND state = 'done' "
                        "AND created_at > ? AND created_at <= ? ORDER BY created_at DESC, request_id DESC LIMIT 1",
                        (ctx.account, since, now.isoformat(sep=" ")))
    return row["request_id"] if row else None


def request(ctx: Context, request_id: str, failures_from: int = 0, limit: int = FAILURES_PAGE) -> dict:
    """A past send of this account, with its per-number results and what each message carried
    (for handoffs, context and `send show`): LIMIT failures (at most MAX_FAILURES_PAGE) from the
    FAILURES_FROM-th, counted from 0 (paged: `failures_next` is where the next page starts, or None;
    `failures_total` how many the send has) and the first 20 messages sent. A send still being
    recorded says so (`state` 'recording', `written` messages of `total` so far)."""
    recover(ctx)
    wanted = str(request_id).strip().upper()
    row = ctx.store.row("SELECT * FROM requests WHERE request_id = ? AND account = ?", (wanted, ctx.account))
    if row is None and 4 <= len(wanted) < 36:  # the start of an id, as `send list` and summaries show it
        found = ctx.store.rows("SELECT * FROM requests WHERE account = ? AND request_id LIKE ? ORDER BY created_at DESC "
                               "LIMIT 2", (ctx.account, wanted.replace("%", "").replace("_", "") + "%"))
        row = found[0] if len(found) == 1 else None
    if row is None:
        ctx.account_row()         # no such account: that is what to say
        request_id = echoed(request_id)
        raise errors.said(NotFound(f"no send with request id {request_id} in account '{ctx.account}'; see `assistant send list`"),
                          "send.not_found", request_id=request_id, account=ctx.account)
    row.pop("lease", None)
    start = max(0, int(failures_from))
    page = max(1, min(int(limit), MAX_FAILURES_PAGE))
    failures = ctx.store.rows("SELECT phone, carrier, error_code, detail, signature, content FROM messages "
                              "WHERE request_id = ? AND status = 'failed' ORDER BY id LIMIT ? OFFSET ?",
                              (row["request_id"], page + 1, start))
    delivered = ctx.store.rows("SELECT phone, carrier, signature, content FROM messages "
                               "WHERE request_id = ? AND status = 'sent' ORDER BY id LIMIT 20", (row["request_id"],))
    more = len(failures) > page
    return {**row, "failures": failures[:page], "failures_from": start, "failures_total": row["failed"],
            "failures_next": start + page if more else None, "sent_messages": delivered}
