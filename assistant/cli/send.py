"""`assistant send`: a template to numbers or a recipients file, and `send list` / `send show`."""

from __future__ import annotations

import argparse
import time

from ..sanitize import one_line
from .parser import UsageError
from .shell import Shell, command


def _params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param {pair!r} is not NAME=VALUE")
        params[key.strip()] = value
    return params


@command("send")
def cmd_send(opts: argparse.Namespace, sh: Shell) -> int:
    from ..render import send_text

    if opts.code in ("list", "show"):
        return _send_lookup(opts, sh)
    common = _params(opts.param)
    file_text = None
    if opts.file:  # read here, on the caller's machine, even in remote mode
        from ..files import read_text
        from ..recipients import MAX_FILE_BYTES

        file_text = read_text(opts.file, MAX_FILE_BYTES, "recipients file", "save the CSV as UTF-8")
    show_bar = not opts.json and getattr(sh.stderr, "isatty", lambda: False)()
    started, drawn = time.monotonic(), []

    def bar(done: int, total: int) -> None:
        # only a send that takes more than a second gets a bar; checking and recording count half each
        if not drawn and time.monotonic() - started < 1.0:
            return
        drawn.append(done)
        filled = int(30 * done / total)
        sh.stderr.write(f"\rSending to {total:,} numbers [{'#' * filled}{'.' * (30 - filled)}] {done * 100 // total}%")
        if done == total:
            sh.stderr.write("\n")
        sh.stderr.flush()

    result = sh.ops.send(opts.code, opts.phones, common, file_text, progress=bar if show_bar else None,
                         source=one_line(opts.file) if opts.file else None)
    sh.emit(result, lambda r: send_text(r, sh.carriers))
    return 0 if result["sent"] else 1


def _send_lookup(opts: argparse.Namespace, sh: Shell) -> int:
    """`send list` (the latest sends) and `send show REQUEST_ID` (one send, its failures included)."""
    from ..render import send_list_text, send_record_text

    if opts.code == "list":
        if opts.phones or opts.file or opts.param:
            raise UsageError("`send list` takes no numbers, --file or --param")
        sh.emit(sh.ops.send_list(), send_list_text)
        return 0
    if len(opts.phones) != 1 or opts.file or opts.param:
        raise UsageError("say which send: `assistant send show REQUEST_ID` (see `assistant send list`)")
    sh.emit(sh.ops.send_show(opts.phones[0]), lambda r: send_record_text(r, sh.carriers))
    return 0
