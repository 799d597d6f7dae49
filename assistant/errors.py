"""The one exception type meant for people: the CLI and the REPL print it as a single line."""


class UserError(Exception):
    """Something the user asked for cannot be done; the message says what and how to fix it."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code
        self.what: str | None = None    # with a HINT (`hinted`): the message without its fix
        self.hint: str | None = None    # the kind of fix, for a shell that words it its own way
        self.hint_fields: dict[str, str] = {}
        # the catalogue's sentence saying the same (a messages.yaml id and its fields), for a conversation
        # that speaks another language (`said`)
        self.said: tuple[str, dict[str, object]] | None = None


def said(error: UserError, msg_id: str, /, **fields: object) -> UserError:
    """ERROR marked with the catalogue's sentence MSG_ID (FIELDS filled in) that says it in every language.
    A field is a value as it is, or a sentence of the catalogue itself ({"say": id, "fields": ...}, as
    `messages.said` takes it) when the part it fills is worded differently in each language. ERROR and MSG_ID
    are positional only: a sentence's field may be named `error` (file.unreadable's)."""
    error.said = (msg_id, dict(fields))
    return error


class UsageError(UserError):
    """A malformed command line or setting (a flag, an environment variable): one line, exit status 2."""


class Forbidden(UserError):
    """The caller's role may not do this (the service answers 403)."""


class NotFound(UserError):
    """No such object in the caller's reach; another account's objects are reported the same way (404)."""


class NoAccount(NotFound):
    """The account acted for does not exist: no answer that needs it can be given, so a batch of
    questions (`ask`) stops here rather than repeat the refusal on every line that needs it."""


class Conflict(UserError):
    """The request does not fit the object's present state, e.g. a file sent to a conversation that
    is not asking for one (the service answers 409)."""


class TooLarge(UserError):
    """What was sent is over the limit for it (the service answers 413)."""


class Unsupported(UserError):
    """What was sent is not of a kind that is taken, judged by its content (the service answers 415)."""
class Unprocessable(UserError):
    """The request is well formed, yet nothing in it can be done: a send none of whose numbers can be
    sent, whether no number is one digital messages reach or each fails another check (the service
    answers 422)."""


class Unavailable(UserError):
    """The database cannot be reached, did not answer in time, or stayed busy: nothing was changed,
    and the same request may succeed in a moment (the service answers 503 with Retry-After and
    keeps this message, which may name the database, for its log only)."""


# Fixes the service words with its own headers and fields (server/deps.py) where the command line
# has flags: the remote CLI (client.py), whose user sets the flag, says the flag instead.
CLI_AGENT = "assistant-cli"   # the User-Agent of this project's command line in remote mode (client.py)
SERVICE_FIXES = {"account": "drop the X-Assistant-Account header",
                 "now": "drop the X-Assistant-Now header",
                 "by": "drop the `by` field (or give by={me})"}
CLI_FIXES = {"account": "drop --account (or $ASSISTANT_ACCOUNT)",
             "now": "drop --now (and $ASSISTANT_NOW)",
             "by": "drop --by (or use --by {me})"}


def hinted(error: UserError, what: str, hint: str, **fields: str) -> UserError:
    """ERROR (worded "WHAT; the command line's fix") marked with the kind of its fix, HINT, and the
    FIELDS that fill it: a shell whose way differs from the command line's (the service's JSON and
    multipart fields, server/wording.py) says WHAT with its own fix, never by rewriting flags."""
    error.what, error.hint, error.hint_fields = what, hint, dict(fields)
    return error


def refused(code: str, message: str, msg_id: str | None = None, /, **fields: object) -> UserError:
    """A refusal that carries the service's error code, shown in front as the service shows it; with MSG_ID,
    marked (`said`) with the catalogue's sentence that says MESSAGE in every language (FIELDS filled in),
    the code kept in front (messages.yaml `refusal.coded`)."""
    error = UserError(f"{code}: {message}", code=code)
    if msg_id is None:
        return error
    return said(error, "refusal.coded", code=code, reason={"say": msg_id, "fields": fields})


def coded(error: UserError, cause: UserError) -> UserError:
    """ERROR, "CODE: CAUSE's line" (the service's code in front of a refusal that has none), marked as CAUSE is
    (`said`) with the code kept in front (messages.yaml `refusal.coded`): said in every language as CAUSE is."""
    if cause.said is not None and error.code:
        said(error, "refusal.coded", code=error.code, reason={"say": cause.said[0], "fields": cause.said[1]})
    return error


def split_fix(message: str) -> tuple[str, str | None]:
    """MESSAGE ("what was wrong; how to fix it") as (what, fix); fix is None when there is no clear one.

    The fix is what follows the last "; " (or a Chinese line's "；") outside parentheses (a "; " inside a parenthesised aside
    belongs to the aside); failing that, a parenthesised aside closing the line, as in
    "... (--role agent)" or "the disk is full (free some space; nothing was changed)".
    """
    depth, cut = 0, None
    for i, ch in enumerate(message):
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(depth - 1, 0)
        elif depth == 0 and ((ch == ";" and message[i + 1:i + 2] == " ") or ch == "；"):   # a Chinese line's "；" too
            cut = i
    if cut is not None and message[cut + 1:].strip():
        return message[:cut].rstrip(), message[cut + 1:].strip()
    if message.endswith(")"):
        depth = 0
        for i in range(len(message) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(message[i], 0)
            if depth == 0:
                what, fix = message[:i].rstrip(), message[i + 1:-1].strip()
                return (what, fix) if what and fix else (message, None)
    return message, None
