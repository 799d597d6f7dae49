"""`assistant send`: a template to numbers or a recipients file, and `send list` / `send show`."""

from __future__ import annotations

import argparse

from ..sanitize import one_line
from .parser import UsageError
from .shell import Shell, command


def _params(pairs: list[str]) -> dict[str, str]:
    """The --param pairs NAME=VALUE; a name given twice with two values is refused, as the API refuses
    it, rather than one of the values silently dropped."""
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        name = key.strip()
        if not sep or not name:
            raise UsageError(f"--param {pair!r} is not NAME=VALUE")
        if name in params and params[name] != value:
            raise UsageError(f"--param '{name}' is given twice ({params[name]!r}, then {value!r}); give each "
                             "variable one --param")
        params[name] = value
    return params


@command("send")
def cmd_send(opts: argparse.Namespace, sh: Shell) -> int:
    from ..render import send_text

    if opts.code in ("list", "show"):
        return _send_lookup(opts, sh)
    if opts.offset is not None or opts.limit is not None:
        raise UsageError("--offset and --limit page the failures of `assistant send show REQUEST_ID`")
    if opts.template or opts.day:
        raise UsageError("--template and --day choose the sends `assistant send list` shows; a send takes neither")
    if opts.phone is not None:
        raise UsageError("--phone chooses the sends `assistant send list` shows; a send takes its numbers "
                         "as arguments: `assistant send CODE NUMBERS`")
    common = _params(opts.param)
    file_text = None
    if opts.file:  # read here, on the caller's machine, even in remote mode
        from ..files import read_text
        from ..recipients import MAX_FILE_BYTES

        file_text = read_text(opts.file, MAX_FILE_BYTES, "recipients")
    from ..progress import Bar

    show_bar = not opts.json and getattr(sh.stderr, "isatty", lambda: False)()

    def draw(text: str) -> None:
        sh.stderr.write(text)
        sh.stderr.flush()
    # only a send that takes more than a second gets a bar; checking and recording count half each
    result = sh.ops.send(opts.code, opts.phones, common, file_text, progress=Bar(draw) if show_bar else None,
                         source=one_line(opts.file) if opts.file else None)
    sh.emit(result, lambda r: send_text(r, sh.carriers))
    return 0 if result["sent"] else 1


def _send_lookup(opts: argparse.Namespace, sh: Shell) -> int:
    """`send list` (the latest sends) and `send show REQUEST_ID` (one send, its failures included)."""
    from ..render import send_list_text, send_record_text

    if opts.code == "list":
        if opts.phones or opts.file or opts.param or opts.offset is not None or opts.limit is not None:
            raise UsageError("`send list` takes no numbers, --file, --param, --offset or --limit")
        sends = sh.ops.send_list(opts.template, opts.day, opts.phone)
        sh.emit(sends, lambda found: send_list_text(found, opts.template, opts.day, opts.phone,
                                                    _account(sh) if opts.phone is not None and not found else None,
                                                    sh.carriers))
        return 0
    if len(opts.phones) != 1 or opts.file or opts.param or opts.template or opts.day or opts.phone is not None:
        raise UsageError("say which send: `assistant send show REQUEST_ID` (see `assistant send list`)")
    offset = 0 if opts.offset is None else opts.offset
    limit = 50 if opts.limit is None else opts.limit
    if offset < 0 or not 1 <= limit <= 1000:
        raise UsageError("--offset is 0 or more and --limit 1 to 1000 (e.g. --offset 50 --limit 50)")
    sh.emit(sh.ops.send_show(opts.phones[0], offset, limit), lambda r: send_record_text(r, sh.carriers))
    return 0


def _account(sh: Shell) -> str:
    """The account the command acts for: the local context's, or the one the service's token is of."""
    return sh.ops.account_show()["name"] if sh.remote else sh.ctx.account
