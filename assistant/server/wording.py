"""The service's own way of saying how to fix a refusal: the fields of its requests, not the flags
of the command line. A refusal marked with the kind of its fix (`errors.hinted`) is said with the
wording of HINTS; any other keeps its message."""

from __future__ import annotations

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
}


def said(error: UserError) -> str:
    """ERROR's message as the service says it: its fix in the service's words where it is marked
    with a kind of fix the service words its own way."""
    if error.hint in HINTS and error.what:
        return f"{error.what}; {HINTS[error.hint].format(**error.hint_fields)}"
    return str(error)
