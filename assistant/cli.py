"""The `assistant` command: argument parsing and output, over the core functions.

Nothing here decides anything; each command parses its options, calls one core function and
renders the result as aligned text for people or as JSON with `--json`. Errors meant for people
are `UserError`s, printed once as `error: ...` with exit status 1 (2 for usage errors).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable, Sequence
from typing import IO, Any

from . import knowledge
from .errors import UserError
from .render import reply_text, to_json

COMMANDS: dict[str, Callable[[argparse.Namespace, Any], int]] = {}


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of exiting, so usage errors are one clean line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message}; see `{self.prog} --help`")


class UsageError(UserError):
    pass


def command(name: str) -> Callable:
    """Register the function that runs command NAME (e.g. "kb check")."""
    def register(fn: Callable) -> Callable:
        COMMANDS[name] = fn
        return fn
    return register


class Shell:
    """What a command gets: the parsed options, the streams, and lazily built core objects."""

    def __init__(self, opts: argparse.Namespace, stdin: IO, stdout: IO, stderr: IO):
        self.opts = opts
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self._kb: knowledge.KnowledgeBase | None = None
        self._router = None

    @property
    def kb(self) -> knowledge.KnowledgeBase:
        if self._kb is None:
            self._kb = knowledge.load(self.opts.kb)
        return self._kb

    @property
    def router(self):
        if self._router is None:
            from .router import Router
            self._router = Router(self.kb)
        return self._router

    def out(self, text: str = "") -> None:
        self.stdout.write(text + "\n")

    def emit(self, data: Any, text: Callable[[Any], str]) -> None:
        """Print DATA as JSON with --json, else as TEXT(DATA)."""
        self.out(to_json(data) if self.opts.json else text(data))


# --- ask ---------------------------------------------------------------------------------

def _lines(stream: IO) -> Any:
    """Lines of STREAM as text, one at a time; undecodable bytes come back as a ValueError."""
    binary = getattr(stream, "buffer", None)
    if binary is None and isinstance(stream, io.TextIOBase):
        for line in stream:
            yield line.rstrip("\r\n")
        return
    for raw in binary or stream:
        try:
            yield raw.rstrip(b"\r\n").decode("utf-8")
        except UnicodeDecodeError as exc:
            yield ValueError(f"line is not valid UTF-8 (byte {exc.start + 1}); send UTF-8 text")


@command("ask")
def cmd_ask(opts: argparse.Namespace, sh: Shell) -> int:
    from .router import Reply

    def answer(question: str) -> None:
        reply = sh.router.route(question)
        if opts.json:
            sh.out(to_json(reply.to_json()))
        else:
            sh.out(reply_text(reply, sh.kb))

    if opts.question:
        answer(" ".join(opts.question))
        return 0
    for n, line in enumerate(_lines(sh.stdin), 1):
        if isinstance(line, ValueError):
            reply = Reply(f"<line {n}>", "fallback", error=str(line))
            sh.out(to_json(reply.to_json()) if opts.json else reply_text(reply, sh.kb))
        else:
            answer(line)
            if not opts.json:
                sh.out()
        sh.stdout.flush()
    return 0


# --- eval and kb ---------------------------------------------------------------------------

@command("eval")
def cmd_eval(opts: argparse.Namespace, sh: Shell) -> int:
    from .evaluate import evaluate, read_cases

    report = evaluate(sh.router, read_cases(opts.file)).to_json()
    sh.emit(report, _eval_text)
    return 0


def _eval_text(r: dict) -> str:
    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{v * 100:.1f}%"
    lines = [f"{r['total']} questions",
             f"  FAQ phrasings   {r['faq']['cases']:>4}  top-1 {pct(r['faq']['top1'])}"
             f"  answered outright {pct(r['faq']['answered'])}",
             f"  out of scope    {r['out_of_scope']['cases']:>4}  fell back {pct(r['out_of_scope']['fallback'])}",
             f"  actions         {r['actions']['cases']:>4}  right {pct(r['actions']['accuracy'])}"]
    if r["confusions"]:
        lines.append("confusions (expected -> got):")
        lines += [f"  {c['expected']} -> {c['got']}  x{c['count']}" for c in r["confusions"]]
    if r["misses"]:
        lines.append("misses:")
        lines += [f"  [{m['expected']} -> {m['got']} ({m['type']} {m['confidence']:.2f})] {m['question']}" for m in r["misses"]]
    return "\n".join(lines)


@command("kb check")
def cmd_kb_check(opts: argparse.Namespace, sh: Shell) -> int:
    directory = knowledge.resolve_dir(opts.dir or opts.kb)
    kb, problems = knowledge.check(directory)
    if opts.json:
        sh.out(to_json({"dir": str(directory), "ok": not problems, "problems": [vars(p) for p in problems]}))
    elif problems:
        for problem in problems:
            sh.out(str(problem))
    else:
        sh.out(f"{directory}: OK ({len(kb.entries)} entries, {len(kb.actions)} actions, "
               f"{len(kb.error_codes)} error codes, {len(kb.synonyms.table)} synonyms)")
    return 1 if problems else 0


# --- parser ------------------------------------------------------------------------------

def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """The options every command takes, before or after the command name."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--kb", metavar="DIR", default=default,
                        help="knowledge-base directory (default: $ASSISTANT_KB, else the shipped one)")
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS if suppress else False,
                        help="print JSON (one object per line)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="assistant", description="Support assistant for the Digital Message service. "
                     "With no command it opens the interactive assistant.")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, help_text: str, parent=sub) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help_text, description=help_text)
        _global_options(p, suppress=True)
        return p

    p = add("ask", "answer questions: one given as arguments, or one per line from standard input")
    p.add_argument("question", nargs="*", help="the question (omit to read questions from stdin)")

    p = add("eval", "measure the matcher on a YAML file of labelled questions")
    p.add_argument("file", help="YAML with cases: [{question: ..., expect: ENTRY|ACTION|fallback}]")

    kb = add("kb", "knowledge-base tools").add_subparsers(dest="kb_command", metavar="KB_COMMAND", parser_class=_Parser)
    kb.required = True
    p = add("check", "validate a knowledge-base directory; exits 1 when it has problems", kb)
    p.add_argument("dir", nargs="?", help="directory to check (default: the one in use)")
    return parser


def _command_name(opts: argparse.Namespace) -> str | None:
    name = opts.command
    for attr in ("kb_command",):
        if getattr(opts, attr, None):
            name = f"{name} {getattr(opts, attr)}"
    return name


def main(argv: Sequence[str] | None = None, stdin: IO | None = None, stdout: IO | None = None,
         stderr: IO | None = None) -> int:
    """Run the assistant with ARGV; return the exit status. Streams default to the process's."""
    stdin = stdin if stdin is not None else sys.stdin
    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    try:
        opts = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        opts.json = getattr(opts, "json", False)
        opts.kb = getattr(opts, "kb", None)
        sh = Shell(opts, stdin, stdout, stderr)
        name = _command_name(opts)
        if name is None:
            from .repl import run as run_repl
            return run_repl(sh)
        return COMMANDS[name](opts, sh)
    except UsageError as exc:
        stderr.write(f"error: {exc}\n")
        return 2
    except UserError as exc:
        stderr.write(f"error: {exc}\n")
        return 1
    except KeyboardInterrupt:
        stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (`assistant ask < big | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), getattr(stdout, "fileno", lambda: 1)())
        return 0
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)


if __name__ == "__main__":
    sys.exit(main())
