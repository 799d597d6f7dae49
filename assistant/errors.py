"""The one exception type meant for people: the CLI and the REPL print it as a single line."""


class UserError(Exception):
    """Something the user asked for cannot be done; the message says what and how to fix it."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


class Forbidden(UserError):
    """The caller's role may not do this (the service answers 403)."""


class NotFound(UserError):
    """No such object in the caller's reach; another account's objects are reported the same way (404)."""


def refused(code: str, message: str) -> UserError:
    """A refusal that carries the service's error code, shown in front as the service shows it."""
    return UserError(f"{code}: {message}", code=code)
