"""Sending: every recipient is checked the way the service checks it, and each failure carries
the service's error code.

Per recipient, in order: a mainland mobile number with a known carrier; the template approved
by that carrier; the signature Registered and Active with it; every template variable given a
short, plain value; per-number flow control; a message left in the digital-message package
(SMS packages never pay for digital messages). One send, however many recipients, is one
transaction with one request id. Digital messages carry no opt-out line.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from ..context import Context, perform
from ..errors import NotFound, UserError
from ..numbers import lookup
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


def _param_problem(ctx: Context, variables: list[str], params: Mapping[str, str]) -> tuple[str, str] | None:
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


def send(ctx: Context, code: str, recipients: Iterable[tuple[str, Mapping[str, str]]],
         progress: Progress | None = None, total: int | None = None, from_file: bool = False) -> dict:
    """Send template CODE to RECIPIENTS, pairs of (number as written, template parameters).

    Numbers given directly are one API request, at most `max_numbers_per_request`; a file is
    split into such requests but recorded as one batch. PROGRESS(done, total) is called as
    recipients are processed.
    """
    recipients = list(recipients)
    limit = ctx.rules.sending["max_numbers_per_request"]
    if not recipients:
        raise UserError("no recipients; give mobile numbers or --file FILE")
    if len(recipients) > limit and not from_file:
        raise UserError(f"isv.MOBILE_COUNT_OVER_LIMIT: {len(recipients)} numbers in one request, at most {limit}; "
                        "split them or send from a file with --file")

    def work() -> dict:
        account = ctx.account_row()
        template = templates.find(ctx, code)
        status = templates.status_of(ctx, template)
        ready_signature = set(signatures.usable_with(ctx, template["signature"]))
        variables = status["variables"]
        now = ctx.clock.now()
        sent_at = now.isoformat(sep=" ")
        flow = _FlowControl(ctx, now)
        request_id = str(uuid.uuid4()).upper()
        balance = account["digital_balance"]
        results, rows = [], []
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
            phone = number.phone or raw
            outcome = "failed" if error else "sent"
            if number.carrier:
                by_carrier[number.carrier][outcome] += 1
            results.append({"phone": phone, "carrier": number.carrier, "status": outcome, "error_code": error,
                            "detail": detail})
            rows.append({"request_id": request_id, "account": ctx.account, "phone": phone, "carrier": number.carrier,
                         "template": template["code"], "status": outcome, "error_code": error, "detail": detail,
                         "sent_at": sent_at})
            if progress and (done % 1000 == 0 or done == len(recipients)):
                progress(done, len(recipients))
        sent = sum(1 for r in results if r["status"] == "sent")
        ctx.store.insert("requests", {"request_id": request_id, "account": ctx.account, "template": template["code"],
                                         "created_at": sent_at, "total": len(results), "sent": sent,
                                         "failed": len(results) - sent, "actor": ctx.actor})
        ctx.store.insert_all("messages", rows)
        ctx.store.update("accounts", {"name": ctx.account}, {"digital_balance": balance})
        return {"request_id": request_id, "template": template["code"], "results": results, "sent": sent,
                "failed": len(results) - sent, "by_carrier": by_carrier, "charged": sent,
                "balance": {"digital": balance, "sms": account["sms_balance"]}}
    return perform(ctx, "send", code, work)


def plan(ctx: Context, code: str, phones: Iterable[str]) -> dict:
    """What a send would do, without doing it: recipients per carrier and what each may receive.

    The REPL shows this before it asks to confirm a send.
    """
    template = templates.find(ctx, code)
    status = templates.status_of(ctx, template)
    ready_signature = set(signatures.usable_with(ctx, template["signature"]))
    per_carrier: dict[str, list[str]] = defaultdict(list)
    invalid = []
    for raw in phones:
        number = lookup(raw, ctx.rules)
        if number.problem:
            invalid.append({"phone": raw, "problem": number.problem})
        else:
            per_carrier[number.carrier].append(number.phone)
    carriers = {c: {"numbers": per_carrier.get(c, []),
                    "allowed": c in status["ready_for"] and c in ready_signature} for c in ctx.rules.carriers}
    deliverable = sum(len(v["numbers"]) for v in carriers.values() if v["allowed"])
    account = ctx.account_row()
    return {"template": template["code"], "variables": status["variables"], "carriers": carriers, "invalid": invalid,
            "charge": deliverable, "balance": {"digital": account["digital_balance"], "sms": account["sms_balance"]}}


def request(ctx: Context, request_id: str) -> dict:
    """A past send of this account, with its per-number results (for handoffs and context)."""
    row = ctx.store.row("SELECT * FROM requests WHERE request_id = ? AND account = ?", (request_id.upper(), ctx.account))
    if row is None:
        raise NotFound(f"no send with request id {request_id} in account '{ctx.account}'")
    failures = ctx.store.rows("SELECT phone, carrier, error_code, detail FROM messages WHERE request_id = ? "
                              "AND status = 'failed' ORDER BY id LIMIT 50", (row["request_id"],))
    return {**row, "failures": failures}
