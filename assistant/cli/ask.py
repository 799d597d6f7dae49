"""`assistant ask`: answer questions given as arguments or one per line, locally or through a service."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ..errors import UsageError, UserError
from ..render import reply_text, to_json
from ..sanitize import one_line
from .shell import Shell, command


@command("ask")
def cmd_ask(opts: argparse.Namespace, sh: Shell) -> int:
    if opts.question and not " ".join(opts.question).strip():
        raise UsageError('empty question; ask one, e.g. assistant ask "how long does signature review take", '
                         "or give none to read one a line from standard input")
    if sh.remote:
        def answer(question: str) -> None:
            obj = sh.ops.ask(question, text=not opts.json, lang=sh.lang)
            sh.out(to_json(obj) if opts.json else obj.pop("text"))
        if opts.question:
            answer(" ".join(opts.question))
        else:
            _answer_lines(sh, answer)
        return 0
    gaps = sh.gap_log()

    def answer(question: str) -> None:
        reply = sh.router.route(question, sh.lang)
        gaps.note(reply)
        result = _carry_out(sh, reply)
        if opts.json:
            from ..ops import ask_object

            sh.out(to_json(ask_object(reply, result)))
        else:
            sh.out(result.get("text") or reply_text(reply, sh.kb))

    try:
        if opts.question:
            answer(" ".join(opts.question))
            return 0
        _answer_lines(sh, answer)
        return 0
    finally:
        try:
            gaps.flush()
        except UserError as exc:  # logging is best effort: the answers were given
            sh.stderr.write(f"warning: knowledge gaps not logged: {one_line(exc)}\n")


def _answer_lines(sh: Shell, answer: Callable[[str], None]) -> None:
    from ..lines import read_batches

    n = 0
    for batch in read_batches(sh.stdin):
        if sh.remote:  # each answer takes a request: shown as it comes
            for line in batch:
                n += 1
                _answer_line(sh, answer, line, n)
                sh.stdout.flush()
            continue
        # The lines that came together are read by the encoder, if any, as one batch, and their
        # answers written in one piece: a write a line is a system call (one a line with
        # PYTHONUNBUFFERED), and during each the encoder's thread takes the interpreter's lock.
        sh.router.prime([line for line in batch if isinstance(line, str)])
        with sh.gathered():
            for line in batch:
                n += 1
                _answer_line(sh, answer, line, n)


def _answer_line(sh: Shell, answer: Callable[[str], None], line: str | ValueError, n: int) -> None:
    """Answer LINE, the Nth; a line that could not be read is one reply saying so."""
    if isinstance(line, ValueError):
        from ..lang import choose
        from ..router import Reply

        reply = Reply(f"<line {n}>", "fallback", error=str(line), lang=choose(sh.lang))
        sh.out(to_json(reply.to_json()) if sh.opts.json else reply_text(reply, sh.kb))
        return
    answer(line)
    if not sh.opts.json:
        sh.out()


def _carry_out(sh: Shell, reply) -> dict:
    """What `ask` does for an action it recognised (see ops.carry_out); the database opens only if needed."""
    from ..ops import carry_out

    return carry_out(lambda: sh.ctx, sh.kb, reply)
