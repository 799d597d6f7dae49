"""The `assistant` command: argument parsing and output, over the core functions.

Nothing here decides anything; each command parses its options, calls one core function and
renders the result as aligned text for people or as JSON with `--json`. Errors meant for people
are `UserError`s, printed once as `error: ...` with exit status 1 (2 for usage errors).

The package keeps start-up short, because scripts run `assistant ask` once per question: the
grammar (`parser.py`) names every command without importing any, only the parser of the command
being run is built, and only the module that implements it is imported (`COMMANDS`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import UserError
from ..paths import database_target, is_server_url
from ..render import to_json
from ..roles import require
from ..sanitize import one_line
from .parser import GLOBAL_DEFAULTS, UsageError, build_parser
from .shell import IMPLEMENTATIONS, Shell

__all__ = ["COMMANDS", "Shell", "UsageError", "build_parser", "implementation", "main"]

# Which module of this package runs each command: `parser.py` names the commands without importing
# any of these, and `implementation` imports only the one being run.
COMMANDS: dict[str, str] = {
    "ask": "ask",
    "eval": "kb", "kb check": "kb", "kb gaps": "kb", "kb report": "kb", "kb learn": "kb", "kb export": "kb",
    "enable": "account", "signature submit": "account", "signature update": "account", "signature status": "account",
    "template create": "account", "template status": "account", "error": "account",
    "send": "send",
    "admin account create": "admin", "admin account update": "admin", "admin account show": "admin",
    "admin account list": "admin", "admin topup": "admin", "admin migrate": "admin", "admin review": "admin",
    "admin token create": "admin", "admin token list": "admin", "admin token revoke": "admin",
    "handoff create": "handoff", "handoff list": "handoff", "handoff show": "handoff", "handoff claim": "handoff",
    "handoff reply": "handoff", "handoff answer": "handoff", "handoff resolve": "handoff", "handoff export": "handoff",
    "handoff note": "handoff", "handoff assign": "handoff", "handoff reopen": "handoff",
    "inbox": "handoff",
    "serve": "serve",
}


def implementation(name: str) -> Callable[[argparse.Namespace, Any], int]:
    """The function that runs command NAME, its module imported now."""
    import importlib

    importlib.import_module(f"{__name__}.{COMMANDS[name]}")
    return IMPLEMENTATIONS[name]


def _actor(opts: argparse.Namespace) -> str:
    """Who acts, for the audit trail: "ROLE:NAME" (--user, else $USER), or just the role when no name is known."""
    name = opts.user or os.environ.get("USER")
    return f"{opts.role}:{name}" if name else opts.role


def _check_global_options(opts: argparse.Namespace) -> None:
    """A bad --now, a --db/$ASSISTANT_DB that is neither a file path nor a postgresql:// URL, or a
    --db in a directory that does not exist is a usage error (exit 2).

    Only the default database location is created on first use; an explicit path is taken as
    typed, so a mistyped directory is reported instead of silently getting a fresh database.
    """
    from ..clock import parse_time
    from ..lang import setting

    try:
        setting(opts.lang)
    except ValueError as exc:
        raise UsageError(f"$ASSISTANT_LANG: {exc}; use auto, en or zh") from None
    if opts.now:
        try:
            parse_time(opts.now)
        except UserError as exc:
            raise UsageError(f"--now: {exc}") from None
    target = database_target(opts.db)
    if opts.db and not is_server_url(target) and not Path(target).expanduser().parent.is_dir():
        raise UsageError(f"--db: no directory {Path(opts.db).parent}; create it first, or leave out --db "
                         "to use the default location")


def _command_name(opts: argparse.Namespace) -> str | None:
    name = opts.command
    for attr in ("sub_command", "sub_sub_command"):
        if getattr(opts, attr, None):
            name = f"{name} {getattr(opts, attr)}"
    return name


# Commands whose role check the core makes after finding the object, so that another account's
# ticket is "not found" to a customer, exactly like a ticket that does not exist.
_CHECKED_BY_THE_CORE = {"handoff.claim", "handoff.reply", "handoff.resolve"}
# `admin token create --account NAME | --user NAME --grant ROLE`: its --account, --user and --grant name
# the token, not the caller, so there is no declared role to check. On a local database the owner of
# the file is the root of trust (that is how the first admin token is made); through a service the
# caller's token must be an admin's.
_NO_DECLARED_ROLE = {"admin.token.create"}


def _check_text(argv: Sequence[str]) -> None:
    """Refuse arguments and settings that are not valid UTF-8 (Python hands them over surrogate-escaped)."""
    from ..sanitize import one_line

    for n, arg in enumerate(argv, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raise UsageError(f"argument {n} ({one_line(arg)}) is not valid UTF-8; "
                             "pass UTF-8 text (check the terminal's or the script's encoding)") from None
    for key in ("ASSISTANT_DB", "ASSISTANT_ACCOUNT", "ASSISTANT_NOW", "ASSISTANT_KB", "ASSISTANT_LANG", "USER"):
        try:
            os.environ.get(key, "").encode("utf-8")
        except UnicodeEncodeError:
            raise UsageError(f"${key} is not valid UTF-8; set it to UTF-8 text") from None


def _require(sh: Shell, command: str) -> None:
    """The roles table's verdict on COMMAND; a refusal is audited when the database already exists."""
    from ..errors import Forbidden

    try:
        require(sh.opts.role, command)
    except Forbidden as exc:
        target = database_target(sh.opts.db)
        if is_server_url(target) or Path(target).is_file():
            try:
                with sh.ctx.store.transaction():
                    sh.ctx.audit(command, None, "refused", str(exc))
            except UserError:
                pass  # the refusal stands whether or not it could be recorded
        raise


def _dotted(opts: argparse.Namespace, name: str) -> str:
    """The command's name in the roles table: "handoff claim" -> "handoff.claim"; `send list|show` too."""
    if name == "send" and opts.code in ("list", "show"):
        return f"send.{opts.code}"
    return name.replace(" ", ".")


def _fit_tables(stdout: IO, name: str | None) -> None:
    """Tables printed on a terminal wrap their long cells to its width; in a pipe they keep their lines,
    and so do those of `serve` (its pages and conversations are read elsewhere, never on its terminal)."""
    from .. import render

    try:
        render.WIDTH = os.get_terminal_size(stdout.fileno()).columns if stdout.isatty() and name != "serve" else None
    except (OSError, ValueError, AttributeError):
        render.WIDTH = None


def main(argv: Sequence[str] | None = None, stdin: IO | None = None, stdout: IO | None = None,
         stderr: IO | None = None) -> int:
    """Run the assistant with ARGV; return the exit status. Streams default to the process's."""
    stdin = stdin if stdin is not None else sys.stdin
    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    opts = None
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        _check_text(argv)
        opts = build_parser().parse_args(argv)
        for key, value in GLOBAL_DEFAULTS.items():
            if not hasattr(opts, key):
                setattr(opts, key, value)
        opts.actor = _actor(opts)
        _check_global_options(opts)
        sh = Shell(opts, stdin, stdout, stderr)
        name = _command_name(opts)
        _fit_tables(stdout, name)
        # Remote mode: the token, not --role, is the caller's role, and the service applies the same table.
        if name is not None and not sh.remote and _dotted(opts, name) not in _CHECKED_BY_THE_CORE | _NO_DECLARED_ROLE:
            _require(sh, _dotted(opts, name))
        if name is None:
            from ..repl import run as run_repl
            return run_repl(sh)
        return implementation(name)(opts, sh)
    except UsageError as exc:
        stderr.write(f"error: {one_line(exc)}\n")
        return 2
    except UserError as exc:
        stderr.write(f"error: {one_line(exc)}\n")
        if getattr(opts, "json", False):  # a script gets one object: the refusal, with the service's code or null
            stdout.write(to_json({"error": str(exc), "error_code": exc.code}) + "\n")
        return 1
    except KeyboardInterrupt:
        stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (`assistant ask < big | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), getattr(stdout, "fileno", lambda: 1)())
        return 0
    except OSError as exc:  # a file the command writes or reads that the system refuses
        where = f" {one_line(exc.filename)}" if exc.filename else ""
        stderr.write(f"error: cannot use{where}: {exc.strerror or exc}; check the path and its permissions\n")
        return 1
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)

