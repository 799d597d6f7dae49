"""Sending: every recipient is checked the way the service checks it, and each failure carries
the service's error code.

Per recipient, in order: a mainland mobile number with a known carrier; the template approved
by that carrier; the signature Registered and Active with it; every template variable given a
short, plain value; per-number flow control; a message left in the digital-message package
(SMS packages never pay for digital messages). One send, however many recipients, is one
transaction with one request id. Digital messages carry no opt-out line. `preview` runs the
same checks without sending, so what the REPL shows before a send is what the send does.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from ..context import Context, perform
from ..errors import NotFound, UserError
from ..numbers import lookup, unique
from . import signatures, templates

Progress = Callable[[int, int], None]
_URL = re.compile(r"(https?://|www\.|\b[a-z0-9-]+\.(com|cn|net|org|io|top|xyz)\b)", re.IGNORECASE)


class _FlowControl:
    """Per-number limits over the account's recent sends (rolling windows)."""

    def __init__(self, ctx: Context, now: dt.datetime):
        self.limits = ctx.rules.sending["flow_control"]
        self.now = now
        self.sent: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
        since = (now - dt.timedelta(hours=24)).isoformat(sep=" ")
        for row in ctx.store.rows(
                "SELECT phone, template, sent_at FROM messages WHERE account = ? AND status = 'sent' AND sent_at > ?",
                (ctx.account, since)):
            self.sent[row["phone"]].append((dt.datetime.fromisoformat(row["sent_at"]), row["template"]))

    def problem(self, phone: str, template: str) -> str | None:
        history = self.sent.get(phone, ())
        if sum(1 for _, t in history if t == template) >= self.limits["same_template_per_24h"]:
            return f"{phone} already got template {template} in the last 24 hours (limit {self.limits['same_template_per_24h']})"
        for window, key, label in ((dt.timedelta(minutes=1), "any_template_per_minute", "a minute"),
                                   (dt.timedelta(hours=1), "any_template_per_hour", "an hour"),
                                   (dt.timedelta(hours=24), "any_template_per_24h", "24 hours")):
            if sum(1 for at, _ in history if self.now - at < window) >= self.limits[key]:
                return f"{phone} reached {self.limits[key]} digital messages in {label}"
        return None

    def record(self, phone: str, template: str) -> None:
        self.sent[phone].append((self.now, template))


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


def _param_problem(ctx: Context, variables: list[str], params: Mapping[str, str]) -> tuple[str, str] | None:
    params = bind(variables, params)
    missing = [v for v in variables if not str(params.get(v, "")).strip()]
    if missing:
        listed = ", ".join("${" + m + "}" for m in missing)
        return "isv.TEMPLATE_MISSING_PARAMETERS", f"no value for {listed}; pass --param {missing[0]}=VALUE"
    longest = ctx.rules.template["max_variable_length"]
    banned = [str(w).casefold() for w in ctx.rules.template.get("banned_words", ())]
    for name in variables:
        value = str(params[name])
        if len(value) > longest:
            return "isv.PARAM_LENGTH_LIMIT", f"${{{name}}} has {len(value)} characters; at most {longest}"
        if _URL.search(value):
            return "isv.PARAM_NOT_SUPPORT_URL", f"${{{name}}} holds a link; put links in the reviewed template text"
        if any(word in value.casefold() for word in banned):
            return "isv.BLACK_KEY_CONTROL_LIMIT", f"${{{name}}} holds a blocked keyword; move fixed wording into the template"
    return None


def message_text(ctx: Context, signature: str, text: str, params: Mapping[str, str]) -> str:
    """The message as its recipient sees it: the signature in front as the service puts it, then the
    template's text with each variable filled (a variable without a value stays as ${name})."""
    params = bind(templates.VARIABLE.findall(text), params)  # the same binding the checks used
    filled = templates.VARIABLE.sub(lambda m: str(params.get(m.group(1)) or m.group(0)), text)
    return ctx.rules.sending["shown_as"].format(signature=signature, text=filled)


def _recipients(ctx: Context, recipients: Iterable[tuple[str, Mapping[str, str]]], from_file: bool) -> list:
    """RECIPIENTS checked for count, each number once: a number written twice in two ways
    ("139-1234-5621", "0086 13912345621") is one person, who gets one message (see `repeats`)."""
    recipients = list(recipients)
    kept, _ = unique([raw for raw, _ in recipients])
    recipients = [recipients[n] for n in kept]
    limit = ctx.rules.sending["max_numbers_per_request"]
    if not recipients:
        raise UserError("no recipients; give mobile numbers or --file FILE")
    if len(recipients) > limit and not from_file:
        raise UserError(f"isv.MOBILE_COUNT_OVER_LIMIT: {len(recipients)} numbers in one request, at most {limit}; "
                        "split them or send from a file with --file", code="isv.MOBILE_COUNT_OVER_LIMIT")
    return recipients


def _outcomes(ctx: Context, code: str, recipients: list[tuple[str, Mapping[str, str]]],
              progress: Progress | None = None) -> dict:
    """What sending CODE to RECIPIENTS does, number by number, in the order the service checks.

    Writes nothing: `send` records the outcomes, `preview` shows them before the person
    confirms. One function for both, so a preview can never promise what the send refuses.
    """
    account = ctx.account_row()
    template = templates.find(ctx, code)
    status = templates.status_of(ctx, template)
    ready_signature = set(signatures.usable_with(ctx, template["signature"]))
    variables = status["variables"]
    flow = _FlowControl(ctx, ctx.clock.now())
    balance = account["digital_balance"]
    results = []
    by_carrier: dict[str, dict[str, int]] = {c: {"sent": 0, "failed": 0} for c in ctx.rules.carriers}
    for done, (raw, params) in enumerate(recipients, 1):
        number = lookup(raw, ctx.rules)
        error = detail = None
        if not account["enabled_at"]:
            error = "isv.PRODUCT_UN_SUBSCRIPT"
            detail = f"digital messages are not enabled for '{ctx.account}'; run `assistant enable`"
        elif number.problem:
            error, detail = "isv.MOBILE_NUMBER_ILLEGAL", number.problem
        elif number.carrier not in status["ready_for"]:
            review = status["carriers"][number.carrier]
            label = ctx.rules.carriers[number.carrier]
            why = (f"pending, expected by {review['expected_by']}" if review["status"] == "pending"
                   else f"rejected: {review['reason']}")
            error, detail = "isv.SMS_TEMPLATE_ILLEGAL", f"template {template['code']} is not approved by {label} ({why})"
        elif number.carrier not in ready_signature:
            error, detail = ("isv.SMS_SIGNATURE_ILLEGAL", f"signature '{template['signature']}' is not registered "
                             f"and active with {ctx.rules.carriers[number.carrier]}")
        elif problem := _param_problem(ctx, variables, params):
            error, detail = problem
        elif problem := flow.problem(number.phone, template["code"]):
            error, detail = "isv.BUSINESS_LIMIT_CONTROL", problem
        elif balance <= 0:
            error, detail = ("isv.AMOUNT_NOT_ENOUGH", f"the digital-message package is empty; SMS packages "
                             f"({account['sms_balance']} left) do not apply to digital messages; top up the digital package")
        else:
            balance -= 1
            flow.record(number.phone, template["code"])
        outcome = "failed" if error else "sent"
        if number.carrier:
            by_carrier[number.carrier][outcome] += 1
        results.append({"phone": number.phone or raw, "carrier": number.carrier, "status": outcome,
                        "error_code": error, "detail": detail})
        if progress and (done % 1000 == 0 or done == len(recipients)):
            progress(done, len(recipients))
    sent = sum(1 for r in results if r["status"] == "sent")
    return {"template": template["code"], "results": results, "sent": sent, "failed": len(results) - sent,
            "by_carrier": by_carrier, "charged": sent,
            "balance": {"digital": balance, "sms": account["sms_balance"]},
            "balance_before": account["digital_balance"]}


def repeats(recipients: Iterable[tuple[str, Mapping[str, str]]]) -> list[dict]:
    """The numbers of RECIPIENTS written again (in any format): each is sent once."""
    return [{"written": r.written, "phone": r.phone, "first": r.first, "note": r.note()}
            for r in unique([raw for raw, _ in recipients])[1]]


def preview(ctx: Context, code: str, recipients: Iterable[tuple[str, Mapping[str, str]]],
            from_file: bool = False) -> dict:
    """What `send` would do with the same arguments, number by number, without sending.

    The same checks as the send, in the same order (account, number, approvals, parameters,
    flow control, balance), so each number's verdict and error code are the ones the send gives.
    The REPL shows it before it asks to confirm.
    """
    recipients = list(recipients)
    return {**_outcomes(ctx, code, _recipients(ctx, recipients, from_file)), "repeats": repeats(recipients)}


def send(ctx: Context, code: str, recipients: Iterable[tuple[str, Mapping[str, str]]],
         progress: Progress | None = None, total: int | None = None, from_file: bool = False) -> dict:
    """Send template CODE to RECIPIENTS, pairs of (number as written, template parameters).

    Numbers given directly are one API request, at most `max_numbers_per_request`; a file is
    split into such requests but recorded as one batch. PROGRESS(done, total) is called as
    recipients are processed.
    """
    recipients = list(recipients)
    checked = _recipients(ctx, recipients, from_file)
    repeated = repeats(recipients)

    def work() -> dict:
        result = _outcomes(ctx, code, checked, progress)
        result.pop("balance_before")
        sent_at = ctx.clock.now().isoformat(sep=" ")
        request_id = str(uuid.uuid4()).upper()
        template = templates.find(ctx, code)
        rows = [{"request_id": request_id, "account": ctx.account, "phone": r["phone"], "carrier": r["carrier"],
                 "template": result["template"], "status": r["status"], "error_code": r["error_code"],
                 "detail": r["detail"], "sent_at": sent_at, "signature": template["signature"],
                 "content": message_text(ctx, template["signature"], template["text"], params)}
                for r, (_, params) in zip(result["results"], checked)]
        ctx.store.insert("requests", {"request_id": request_id, "account": ctx.account,
                                      "template": result["template"], "created_at": sent_at,
                                      "total": len(rows), "sent": result["sent"], "failed": result["failed"],
                                      "actor": ctx.actor})
        ctx.store.insert_all("messages", rows)
        ctx.store.update("accounts", {"name": ctx.account}, {"digital_balance": result["balance"]["digital"]})
        return {"request_id": request_id, **result, "repeats": repeated}
    return perform(ctx, "send", code, work)


def recent(ctx: Context, limit: int = 20) -> list[dict]:
    """The account's latest sends, newest first: a send whose output was lost can always be found again."""
    limit = max(1, min(int(limit), 1000))
    # two sends of the same second: the later one (its messages written last) first
    return ctx.store.rows("SELECT request_id, template, created_at, total, sent, failed, actor FROM requests "
                          "WHERE account = ? ORDER BY created_at DESC, (SELECT MAX(m.id) FROM messages m "
                          "WHERE m.request_id = requests.request_id) DESC LIMIT ?", (ctx.account, limit))


def request(ctx: Context, request_id: str) -> dict:
    """A past send of this account, with its per-number results and what each message carried
    (for handoffs, context and `send show`): the first 50 failures and the first 20 messages sent."""
    wanted = str(request_id).strip().upper()
    row = ctx.store.row("SELECT * FROM requests WHERE request_id = ? AND account = ?", (wanted, ctx.account))
    if row is None and 4 <= len(wanted) < 36:  # the start of an id, as `send list` and summaries show it
        found = ctx.store.rows("SELECT * FROM requests WHERE account = ? AND request_id LIKE ? ORDER BY created_at DESC "
                               "LIMIT 2", (ctx.account, wanted.replace("%", "").replace("_", "") + "%"))
        row = found[0] if len(found) == 1 else None
    if row is None:
        raise NotFound(f"no send with request id {request_id} in account '{ctx.account}'; "
                       "see `assistant send list`")
    failures = ctx.store.rows("SELECT phone, carrier, error_code, detail, signature, content FROM messages "
                              "WHERE request_id = ? AND status = 'failed' ORDER BY id LIMIT 50", (row["request_id"],))
    delivered = ctx.store.rows("SELECT phone, carrier, signature, content FROM messages "
                               "WHERE request_id = ? AND status = 'sent' ORDER BY id LIMIT 20", (row["request_id"],))
    return {**row, "failures": failures, "sent_messages": delivered}
