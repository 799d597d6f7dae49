"""The interactive assistant. Until the prompt-toolkit REPL lands, it answers lines one by one."""

from __future__ import annotations

from .render import reply_text


def run(sh) -> int:
    """Answer each line of standard input in plain text until end of input."""
    if sh.stdin.isatty():
        sh.out("Digital Message assistant. Ask a question; Ctrl-D to quit.")
    while True:
        if sh.stdin.isatty():
            sh.stdout.write("> ")
            sh.stdout.flush()
        line = sh.stdin.readline()
        if not line:
            return 0
        if line.strip():
            sh.out(reply_text(sh.router.route(line.strip()), sh.kb))
            sh.out()
