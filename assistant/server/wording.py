"""The service's own way of saying how to fix a refusal: the fields of its requests, not the flags
of the command line. A refusal marked with the kind of its fix (`errors.hinted`) is said with the
wording of HINTS; any other keeps its message."""

from __future__ import annotations

import re

from ..errors import UserError

# The kind of a fix (errors.hinted's HINT) as a client of the service applies it, {name}: its field.
HINTS = {
    "recipients": "give one or more `phone` fields, or a `file` of recipients",
    "split": "split them over several requests, or send them as a `file` of recipients",
    "param": "give a `param` field NAME=VALUE for each of the template's variables",
    "column": "name a column '{name}' in the file, or give a `param` field {name}=VALUE",
    "role": "it needs a token of the {role} role",
    "send_running": "send again when it is done (GET /v1/sends/{request} shows its progress)",
    "text": "give the text frame in the `text` field",
    "media": "add an image or a video as a `media` file",
    "reason": "give the carrier's reason in the `reason` field",
    "token_for": "give either `account` (a customer's token) or `user` and `role` (a person's)",
    "token_role": "drop `role`, or give `user` and `role` instead of `account`",
    "token_staff_role": "give `role`, one of: {roles}",
    "token_user": "give the person's name in `user`",
    "topup": "give `digital`, `sms` or both: the messages to add (0 to 1,000,000,000)",
}


# The command line's commands a refusal names, as a client of the service does the same: its route,
# marked as an administrator's when only one may call it. Read top down; the verb before a command
# ("run `assistant enable` first") becomes the service's ("call POST /v1/account/enable first").
ROUTES: list[tuple[re.Pattern[str], str]] = [(re.compile(r"(?:(?P<verb>run|with) )?`assistant " + p + "`"), r)
                                             for p, r in (
    (r"send list[^`]*", "GET /v1/sends"),
    (r"send show (?P<id>[^`\s]+)", "GET /v1/sends/{id}"),
    (r"handoff list[^`]*", "GET /v1/tickets"),
    (r"handoff create[^`]*", "POST /v1/tickets"),
    (r"inbox", "GET /v1/inbox"),
    (r"enable", "POST /v1/account/enable"),
    (r"signature submit[^`]*", "POST /v1/signatures"),
    (r"signature update (?P<name>[^`\s]+)[^`]*", "POST /v1/signatures/{name}/resubmit"),
    (r"signature status (?P<name>[^`\s]+)", "GET /v1/signatures?name={name}"),
    (r"signature status", "GET /v1/signatures"),
    (r"template create[^`]*", "POST /v1/templates"),
    (r"template status[^`]*", "GET /v1/templates"),
    (r"error (?P<code>[^`\s]+)", "GET /v1/error-codes/{code}"),
    (r"ask[^`]*", "POST /v1/ask"),
    (r"admin account list[^`]*", "GET /v1/admin/accounts (an administrator\'s)"),
    (r"admin account create[^`]*", "POST /v1/admin/accounts (an administrator\'s)"),
    (r"admin account update[^`]*", "PATCH /v1/admin/accounts/NAME (an administrator\'s)"),
    (r"admin token create[^`]*", "POST /v1/admin/tokens (an administrator\'s)"),
    (r"admin token list[^`]*", "GET /v1/admin/tokens (an administrator\'s)"),
)]


def _routed(message: str) -> str:
    def fill(pattern_text: str):
        def one(match: re.Match) -> str:
            said = pattern_text.format(**{k: v for k, v in match.groupdict().items() if k != "verb"})
            verb = {"run": "call ", "with": "with "}.get(match.group("verb") or "", "")
            return verb + said
        return one
    for pattern, route in ROUTES:
        message = pattern.sub(fill(route), message)
    return message


def said(error: UserError, cli: bool = False) -> str:
    """ERROR's message as the service says it: its fix in the service's words where it is marked
    with a kind of fix the service words its own way, and a command line's command it names as
    the service's route (`ROUTES`). CLI: the caller is this project's command line in remote mode
    (`client.py`), whose user runs the commands: they are kept."""
    if error.hint in HINTS and error.what:
        return f"{error.what}; {HINTS[error.hint].format(**error.hint_fields)}"
    return str(error) if cli else _routed(str(error))
