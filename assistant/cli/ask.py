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
    """Answer the question given, else each line of standard input. A question that cannot be read
    is an error (exit 1): given as arguments, it is one line on standard error (and the error
    object with --json) instead of an answer; in a batch, every line still gets its reply, and one
    line on standard error says which could not be read, so that a script notices."""
    if opts.question and not " ".join(opts.question).strip():
        raise UsageError('empty question; ask one, e.g. assistant ask "how long does signature review take", '
                         "or give none to read one a line from standard input")
    if sh.remote:
        def answer_remote(question: str) -> tuple[str, str] | None:
            obj = sh.ops.ask(question, text=not opts.json, lang=sh.lang)
            if opts.question and obj.get("error"):
                raise UserError(obj["error"])
            sh.out(to_json(obj) if opts.json else obj.pop("text"))
            return (obj["error"], obj.get("lang") or "en") if obj.get("error") else None
        if opts.question:
            answer_remote(" ".join(opts.question))
            return 0
        return _unread(sh, _answer_lines(sh, answer_remote))
    gaps = sh.gap_log()

    def respond(reply) -> tuple[str, str] | None:
        gaps.note(reply)
        result = _carry_out(sh, reply)
        if opts.json:
            from ..ops import ask_object

            sh.out(to_json(ask_object(reply, result)))
        else:
            sh.out(result.get("text") or reply_text(reply, sh.kb))
        return (reply.error, reply.lang) if reply.error else None

    def answer(question: str) -> tuple[str, str] | None:
        return respond(sh.router.route(question, sh.lang))

    try:
        if opts.question:
            reply = sh.router.route(" ".join(opts.question), sh.lang)
            if reply.error:   # one line on standard error, not an answer (with --json, the error object)
                raise UserError(reply.error)
            respond(reply)
            return 0
        return _unread(sh, _answer_lines(sh, answer, respond))
    finally:
        try:
            gaps.flush()
        except UserError as exc:  # logging is best effort: the answers were given
            sh.stderr.write(f"warning: knowledge gaps not logged: {one_line(exc)}\n")


# What `_answer_line` gives back for a line that could not be read: its number, why, and the language
# the reason is in; a blank line is answered (a file may space its questions) but is not one of them.
Unread = tuple[int, str, str]
# How a line is answered: None, or why it could not be read and the language that says it.
Answer = Callable[[str], "tuple[str, str] | None"]


def _unread(sh: Shell, unread: list[Unread]) -> int:
    """The exit status of a batch: 1, with one line on standard error, when some lines could not be read."""
    if not unread:
        return 0
    from ..messages import say

    n, error, lang = unread[0]
    sh.stderr.write("error: " + one_line(say(sh.kb, "unreadable.lines", lang, count=len(unread), line=n,
                                              error=error)) + "\n")
    return 1


# The bytes of a line read before it is refused as too long, as soon as it is read past them, its rest
# read and dropped, never kept (a 50 MB line took 55 s to be refused by the router): far past
# router.MAX_QUESTION's characters, since a question read with its spaces and a pasted API response
# (`Router.read`) may be longer than what the router counts.
READ_AT_MOST = 1 << 16

# Lines that were waiting to be read together (a file) are routed in forked workers (`--jobs`)
# when they are at least SPLIT_MIN questions. At 500 distinct lines with the encoder, split and
# not split took the same time (eight interleaved runs each): the fork and the workers' empty
# caches cost about what the second processor wins.
SPLIT_MIN = 500


def _answer_lines(sh: Shell, answer: Answer, respond: Callable | None = None) -> list[Unread]:
    """Answer each line of standard input; the lines that could not be read."""
    from ..lines import read_batches, read_groups

    jobs = _jobs(sh.opts) if respond is not None and not sh.remote else 1
    groups = read_groups(sh.stdin, long=SPLIT_MIN, longest=READ_AT_MOST) if jobs > 1 else \
        ([batch] for batch in read_batches(sh.stdin, most=READ_AT_MOST))
    n, unread = 0, []
    for group in groups:
        if sh.remote:  # each answer takes a request: shown as it comes
            for line in group[0]:
                n += 1
                _answer_line(sh, answer, line, n, unread)
                sh.stdout.flush()
            continue
        if jobs > 1 and sum(isinstance(line, str) for batch in group for line in batch) >= SPLIT_MIN:
            from ..forked import can_fork

            if can_fork():
                n = _answer_split(sh, group, respond, jobs, n, unread)
                continue
        for batch in group:
            n = _answer_together(sh, answer, batch, n, unread, here=jobs > 1)
    return unread


def _answer_together(sh: Shell, answer: Answer, batch: list, n: int, unread: list[Unread],
                     here: bool = False) -> int:
    """Answer BATCH, lines numbered from N + 1, in this process; the number of the last one.
    HERE encodes the batch in this thread (`Router.prime`), so that no thread keeps a later long
    batch from being split across workers (a pipe gives a long input in pieces)."""
    # The lines that came together are read by the encoder, if any, as one batch, and their
    # answers written in one piece: a write a line is a system call (one a line with
    # PYTHONUNBUFFERED), and during each the encoder's thread takes the interpreter's lock.
    sh.router.prime([line for line in batch if isinstance(line, str)], here=here)
    with sh.gathered():
        for line in batch:
            n += 1
            _answer_line(sh, answer, line, n, unread)
    return n


def _answer_split(sh: Shell, group: list[list], respond: Callable, jobs: int, n: int,
                  unread: list[Unread]) -> int:
    """Answer the batches of GROUP, their questions routed in JOBS forked workers, a batch at a
    time, as `_answer_together` routes them (`forked.split_map`); the tickets, the gap log and the
    output stay here, in the lines' order. The number of the last line."""
    from ..forked import split_map
    from ..router import Reply

    router, lang = sh.router, sh.lang  # loaded before the fork: the workers start with them

    def route(questions: list[str]) -> list:
        router.prime(questions, here=True)  # a worker has processors enough: no second thread
        return [router.route(question, lang).to_plain() for question in questions]

    routed = split_map(route, [[line for line in batch if isinstance(line, str)] for batch in group], jobs)
    for batch, replies in zip(group, routed):
        ahead = (Reply.from_plain(reply) for reply in replies)

        def answer(_question: str, ahead=ahead) -> tuple[str, str] | None:  # the reply, routed in a worker
            return respond(next(ahead))
        with sh.gathered():
            for line in batch:
                n += 1
                _answer_line(sh, answer, line, n, unread)
    return n


def _jobs(opts: argparse.Namespace) -> int:
    """--jobs, else one worker a processor."""
    if getattr(opts, "jobs", None) is not None:
        return opts.jobs
    from ..forked import auto_jobs

    return auto_jobs()


def _answer_line(sh: Shell, answer: Answer, line: str | ValueError, n: int, unread: list[Unread]) -> None:
    """Answer LINE, the Nth; a line that could not be read is one reply saying so, and noted in UNREAD."""
    if isinstance(line, ValueError):
        from ..lang import choose
        from ..lines import TooLong
        from ..router import MAX_QUESTION, Reply

        if isinstance(line, TooLong):   # as the router refuses a long question, by its start
            reply = Reply(line.head, "fallback", lang=choose(sh.lang, line.head), error=f"question too long (over "
                          f"{line.most // 4:,} characters); ask in at most {MAX_QUESTION}")
        else:
            reply = Reply(f"<line {n}>", "fallback", error=str(line), lang=choose(sh.lang))
        sh.out(to_json(reply.to_json()) if sh.opts.json else reply_text(reply, sh.kb))
        unread.append((n, reply.error, reply.lang))
        return
    error = answer(line)
    if error and line.strip():
        unread.append((n, *error))
    if not sh.opts.json:
        sh.out()


def _carry_out(sh: Shell, reply) -> dict:
    """What `ask` does for an action it recognised (see ops.carry_out); the database opens only if needed."""
    if reply.type != "action":  # nothing to carry out: a plain answer does not import the operations
        return {}
    from ..ops import carry_out

    return carry_out(lambda: sh.ctx, sh.kb, reply)
