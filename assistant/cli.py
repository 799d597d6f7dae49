"""The `assistant` command: argument parsing and output, over the core functions.

Nothing here decides anything; each command parses its options, calls one core function and
renders the result as aligned text for people or as JSON with `--json`. Errors meant for people
are `UserError`s, printed once as `error: ...` with exit status 1 (2 for usage errors).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from . import __version__, knowledge
from .errors import UserError
from .render import reply_text, to_json
from .roles import ROLES, require
from .rules import SOURCES
from .sanitize import one_line
from .storage import is_server_url

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
        self._router = None
        self._ctx = None
        self._ops = None

    @property
    def remote(self) -> bool:
        """Whether commands go to a service (--server / $ASSISTANT_SERVER) instead of a local database."""
        return bool(self.opts.server or os.environ.get("ASSISTANT_SERVER"))

    @property
    def ops(self):
        """The operations, on the local database or through the service."""
        if self._ops is None:
            if self.remote:
                from .client import RemoteOps

                self._ops = RemoteOps.from_options(self.opts)
            else:
                from .ops import LocalOps

                self._ops = LocalOps(lambda: self.ctx, lambda: self.router, self.opts.role,
                                     self.opts.user or os.environ.get("USER"))
        return self._ops

    @property
    def kb(self) -> knowledge.KnowledgeBase:
        return self.router.kb

    @property
    def ctx(self):
        """The account context: database, clock, account and actor, opened on first use."""
        if self._ctx is None:
            if self.remote:
                raise UserError("this command works on a local database only; unset ASSISTANT_SERVER (or drop --server)")
            from .actions.accounts import ensure_demo
            from .clock import from_setting
            from .context import Context
            from .storage import open_store

            self._ctx = Context(open_store(self.opts.db), self.kb, from_setting(self.opts.now),
                                self.opts.account or os.environ.get("ASSISTANT_ACCOUNT") or "demo",
                                self.opts.actor, self.opts.role)
            ensure_demo(self._ctx)
        return self._ctx

    @property
    def carriers(self) -> dict[str, str]:
        from .ops import carriers_of

        return carriers_of(self.kb)

    @property
    def router(self):
        if self._router is None:
            from .cache import load_router

            directory = knowledge.resolve_dir(self.opts.kb)
            if not (directory / "faq.yaml").is_file():
                raise UserError(f"no faq.yaml in {directory}; point --kb at a knowledge-base directory")
            self._router = load_router(directory, self.overlay_file)
        return self._router

    @property
    def overlay_file(self):
        from .paths import learned_file

        return learned_file(self.opts.db)

    def gap_log(self):
        """A buffer for knowledge-gap rows; the database is opened only if a gap is logged."""
        from .gaps import GapLog

        def open_store():
            return self.ctx.store, self.ctx.account, self.ctx.now()
        return GapLog(open_store, self.kb.thresholds.low_confidence, keep=self.kb.thresholds.gap_log_rows)

    def out(self, text: str = "") -> None:
        """Write TEXT and a newline; every control character not a line break is neutralised on the way."""
        from .sanitize import safe

        self.stdout.write(safe(text) + "\n")

    def emit(self, data: Any, text: Callable[[Any], str]) -> None:
        """Print DATA as JSON with --json, else as TEXT(DATA)."""
        self.out(to_json(data) if self.opts.json else text(data))


# --- ask ---------------------------------------------------------------------------------

@command("ask")
def cmd_ask(opts: argparse.Namespace, sh: Shell) -> int:
    if sh.remote:
        def answer(question: str) -> None:
            obj = sh.ops.ask(question, text=not opts.json)
            sh.out(to_json(obj) if opts.json else obj.pop("text"))
        if opts.question:
            answer(" ".join(opts.question))
        else:
            _answer_lines(sh, answer)
        return 0
    gaps = sh.gap_log()

    def answer(question: str) -> None:
        reply = sh.router.route(question)
        gaps.note(reply)
        result = _carry_out(sh, reply)
        if opts.json:
            from .ops import ask_object

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
    from .lines import read_lines
    from .router import Reply

    for n, line in enumerate(read_lines(sh.stdin), 1):
        if isinstance(line, ValueError):
            reply = Reply(f"<line {n}>", "fallback", error=str(line))
            sh.out(to_json(reply.to_json()) if sh.opts.json else reply_text(reply, sh.kb))
        else:
            answer(line)
            if not sh.opts.json:
                sh.out()
        sh.stdout.flush()


def _carry_out(sh: Shell, reply) -> dict:
    """What `ask` does for an action it recognised (see ops.carry_out); the database opens only if needed."""
    from .ops import carry_out

    return carry_out(lambda: sh.ctx, sh.kb, reply)


# --- eval and kb ---------------------------------------------------------------------------

@command("eval")
def cmd_eval(opts: argparse.Namespace, sh: Shell) -> int:
    from .evaluate import evaluate, read_cases

    if opts.stories:
        return _eval_stories(opts, sh)
    if not opts.file:
        raise UsageError("give a YAML file of labelled questions, or --stories DIR")
    report = evaluate(sh.router, read_cases(opts.file)).to_json()
    sh.emit(report, _eval_text)
    return 0


def _eval_stories(opts: argparse.Namespace, sh: Shell) -> int:
    """Play every conversation story of a folder; exit 1 when one fails."""
    from .stories import run_dir

    results = run_dir(opts.stories, sh.router)
    failed = [r for r in results if not r.ok]
    summary = f"{len(results)} stories: {len(results) - len(failed)} passed, {len(failed)} failed"
    if opts.json:
        sh.out(to_json({"stories": len(results), "passed": len(results) - len(failed), "failed": len(failed),
                        "results": [r.to_json() for r in results]}))
    else:
        for r in failed:
            sh.out(f"FAIL {r.name} ({r.path})")
            sh.out("\n".join(f"  {f}" for f in r.failures))
        sh.out(summary)
    return 1 if failed else 0


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
        sh.out(to_json({"dir": str(directory), "ok": not problems, "problems": [p._asdict() for p in problems]}))
    elif problems:
        for problem in problems:
            sh.out(str(problem))
    else:
        sh.out(f"{directory}: OK ({len(kb.entries)} entries, {len(kb.actions)} actions, "
               f"{len(kb.error_codes)} error codes, {len(kb.synonyms.table)} synonyms)")
    return 1 if problems else 0


# --- the account model ----------------------------------------------------------------------

def _statuses(sh: Shell, items: list[dict], one: bool, text: Callable[[dict], str], empty: str) -> int:
    """Status objects: one JSON object when ONE was asked for by name, else a list; text for people."""
    if sh.opts.json:
        sh.out(to_json(items[0] if one else items))
    elif not items:
        sh.out(empty)
    else:
        sh.out("\n\n".join(text(item) for item in items))
    return 0


@command("enable")
def cmd_enable(opts: argparse.Namespace, sh: Shell) -> int:
    result = sh.ops.enable()
    sh.emit(result, lambda r: f"Digital messages are {'now' if r['changed'] else 'already'} enabled for "
                              f"'{r['account']}'. Next: submit a signature (`assistant signature submit NAME --source S`).")
    return 0


@command("signature submit")
def cmd_signature_submit(opts: argparse.Namespace, sh: Shell) -> int:
    from .render import signature_text

    status = sh.ops.signature_submit(opts.name, opts.source)
    sh.emit(status, lambda s: "Submitted for real-name registration with all three carriers.\n"
                              + signature_text(s, sh.carriers))
    return 0


@command("signature update")
def cmd_signature_update(opts: argparse.Namespace, sh: Shell) -> int:
    from .render import signature_text

    status = sh.ops.signature_update(opts.name, opts.source)
    sh.emit(status, lambda s: "Resubmitted; a new review has started.\n" + signature_text(s, sh.carriers))
    return 0


@command("signature status")
def cmd_signature_status(opts: argparse.Namespace, sh: Shell) -> int:
    from .render import signature_text

    return _statuses(sh, sh.ops.signature_status(opts.name), bool(opts.name),
                     lambda s: signature_text(s, sh.carriers),
                     "No signatures yet. Submit one with `assistant signature submit NAME --source S`.")


@command("template create")
def cmd_template_create(opts: argparse.Namespace, sh: Shell) -> int:
    from .render import template_text

    status = sh.ops.template_create(opts.name, opts.signature, opts.industry, opts.text, opts.media, opts.letter)
    sh.emit(status, lambda s: f"Created {s['code']} and submitted it to the three carriers.\n"
                              + template_text(s, sh.carriers))
    return 0


@command("template status")
def cmd_template_status(opts: argparse.Namespace, sh: Shell) -> int:
    from .render import template_text

    return _statuses(sh, sh.ops.template_status(opts.code), bool(opts.code),
                     lambda s: template_text(s, sh.carriers),
                     "No templates yet. Create one with `assistant template create`.")


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
    from .render import send_text

    if opts.code in ("list", "show"):
        return _send_lookup(opts, sh)
    common = _params(opts.param)
    file_text = None
    if opts.file:  # read here, on the caller's machine, even in remote mode
        from .files import read_text
        from .recipients import MAX_FILE_BYTES

        file_text = read_text(opts.file, MAX_FILE_BYTES, "recipients file", "save the CSV as UTF-8")
    show_bar = not opts.json and getattr(sh.stderr, "isatty", lambda: False)()

    def bar(done: int, total: int) -> None:
        filled = int(30 * done / total)
        sh.stderr.write(f"\rSending {done:,}/{total:,} [{'#' * filled}{'.' * (30 - filled)}] {done * 100 // total}%")
        if done == total:
            sh.stderr.write("\n")
        sh.stderr.flush()

    result = sh.ops.send(opts.code, opts.phones, common, file_text, progress=bar if show_bar else None,
                         source=one_line(opts.file) if opts.file else None)
    sh.emit(result, lambda r: send_text(r, sh.carriers))
    return 0 if result["sent"] else 1


def _send_lookup(opts: argparse.Namespace, sh: Shell) -> int:
    """`send list` (the latest sends) and `send show REQUEST_ID` (one send, its failures included)."""
    from .render import send_list_text, send_record_text

    if opts.code == "list":
        if opts.phones or opts.file or opts.param:
            raise UsageError("`send list` takes no numbers, --file or --param")
        sh.emit(sh.ops.send_list(), send_list_text)
        return 0
    if len(opts.phones) != 1 or opts.file or opts.param:
        raise UsageError("say which send: `assistant send show REQUEST_ID` (see `assistant send list`)")
    sh.emit(sh.ops.send_show(opts.phones[0]), lambda r: send_record_text(r, sh.carriers))
    return 0


@command("error")
def cmd_error(opts: argparse.Namespace, sh: Shell) -> int:
    from .render import error_text

    sh.emit(sh.ops.error(" ".join(opts.query)), error_text)
    return 0


@command("admin account create")
def cmd_account_create(opts: argparse.Namespace, sh: Shell) -> int:
    from .render import account_text

    names = {s: getattr(opts, s) for s in SOURCES}
    sh.emit(sh.ops.account_create(opts.name, opts.industry, names, opts.digital, opts.sms), account_text)
    return 0


@command("admin account update")
def cmd_account_update(opts: argparse.Namespace, sh: Shell) -> int:
    from .render import account_text

    names = {s: getattr(opts, s) for s in SOURCES}
    sh.emit(sh.ops.account_update(opts.name, opts.industry, names), account_text)
    return 0


@command("admin account show")
def cmd_account_show(opts: argparse.Namespace, sh: Shell) -> int:
    from .render import account_text

    sh.emit(sh.ops.account_show(opts.name), account_text)
    return 0


@command("admin account list")
def cmd_account_list(opts: argparse.Namespace, sh: Shell) -> int:
    from .render import table

    items = sh.ops.account_list()
    sh.emit(items, lambda rows: table([(a["name"], a["industry"], "yes" if a["enabled"] else "no",
                                        a["packages"]["digital"], a["packages"]["sms"]) for a in rows],
                                      ("account", "industry", "enabled", "digital", "sms")))
    return 0


@command("admin topup")
def cmd_topup(opts: argparse.Namespace, sh: Shell) -> int:
    from .render import account_text

    sh.emit(sh.ops.topup(opts.name, opts.digital, opts.sms), account_text)
    return 0


@command("admin migrate")
def cmd_migrate(opts: argparse.Namespace, sh: Shell) -> int:
    """Copy the embedded database (--db) into an empty PostgreSQL database (--to)."""
    from .paths import database_target
    from .render import table
    from .storage import is_server_url, open_store

    source_path = database_target(opts.db)
    if is_server_url(source_path):
        raise UserError("admin migrate copies an embedded database file into PostgreSQL; point --db at the file")
    if not is_server_url(opts.to):
        raise UserError(f"--to must be a postgresql:// URL, not '{opts.to}'")
    if not source_path.is_file():
        raise UserError(f"no database file at {source_path}; point --db at the file to copy")
    source, target = open_store(source_path), open_store(opts.to)
    try:
        from .storage.transfer import copy_database, shown

        counts = copy_database(source, target)
    finally:
        source.close()
        target.close()
    result = {"source": str(source_path), "target": shown(opts.to), "tables": counts, "rows": sum(counts.values())}
    sh.emit(result, lambda r: table(sorted(r["tables"].items()), ("table", "rows")) +
            f"\ncopied {r['rows']} rows from {r['source']} to {r['target']}; every count checked")
    return 0


@command("admin review")
def cmd_review(opts: argparse.Namespace, sh: Shell) -> int:
    from .render import template_text

    sh.emit(sh.ops.review(opts.code, opts.carrier, opts.approve, opts.reason),
            lambda s: template_text(s, sh.carriers))
    return 0


# --- handoff and knowledge gaps --------------------------------------------------------------

@command("handoff create")
def cmd_handoff_create(opts: argparse.Namespace, sh: Shell) -> int:
    ticket = sh.ops.handoff_create(opts.reason, opts.template, opts.signature, opts.request_id, opts.send_date)
    sh.emit(ticket, lambda t: f"Ticket #{t['id']} ({t['priority']}) is with the support managers: {t['summary']}\n"
                              "Their reply will show in `assistant inbox` and when you next open the assistant.")
    return 0


@command("handoff list")
def cmd_handoff_list(opts: argparse.Namespace, sh: Shell) -> int:
    from .render import queue_text

    sh.emit(sh.ops.handoff_list(opts.status, opts.account), queue_text)
    return 0


@command("handoff show")
def cmd_handoff_show(opts: argparse.Namespace, sh: Shell) -> int:
    from .render import ticket_text

    sh.emit(sh.ops.handoff_show(opts.id), ticket_text)
    return 0


@command("handoff claim")
def cmd_handoff_claim(opts: argparse.Namespace, sh: Shell) -> int:
    sh.emit(sh.ops.handoff_claim(opts.id, opts.by), lambda t: f"Ticket #{t['id']} is now claimed by {t['owner']}.")
    return 0


@command("handoff reply")
def cmd_handoff_reply(opts: argparse.Namespace, sh: Shell) -> int:
    ticket = sh.ops.handoff_reply(opts.id, " ".join(opts.text), opts.by)
    sh.emit(ticket, lambda t: f"Reply sent on ticket #{t['id']}; it now waits for the customer.")
    return 0


@command("handoff answer")
def cmd_handoff_answer(opts: argparse.Namespace, sh: Shell) -> int:
    ticket = sh.ops.handoff_answer(opts.id, " ".join(opts.text))
    sh.emit(ticket, lambda t: f"Sent to the support managers on ticket #{t['id']}.")
    return 0


@command("handoff resolve")
def cmd_handoff_resolve(opts: argparse.Namespace, sh: Shell) -> int:
    sh.emit(sh.ops.handoff_resolve(opts.id, opts.note, opts.by), lambda t: f"Ticket #{t['id']} is resolved.")
    return 0


@command("handoff export")
def cmd_handoff_export(opts: argparse.Namespace, sh: Shell) -> int:
    sh.out(sh.ops.handoff_export(opts.id, "json" if opts.json else opts.format).rstrip())
    return 0


@command("inbox")
def cmd_inbox(opts: argparse.Namespace, sh: Shell) -> int:
    messages = sh.ops.inbox()
    sh.emit(messages, lambda ms: "\n".join(f"Ticket #{m['ticket']} ({one_line(m['summary'])})\n  {m['at']} "
                                           f"{one_line(m['author'])}: {one_line(m['text'])}" for m in ms)
            or "No new replies.")
    return 0


@command("kb gaps")
def cmd_kb_gaps(opts: argparse.Namespace, sh: Shell) -> int:
    from .render import gaps_text

    sh.emit(sh.ops.gaps(opts.since), gaps_text)
    return 0


@command("admin token create")
def cmd_token_create(opts: argparse.Namespace, sh: Shell) -> int:
    if bool(opts.account) == bool(opts.user):
        raise UsageError("say who the token is for: --account NAME (a customer) or --user NAME --role agent|manager|admin")
    if opts.user and opts.role == "customer":
        # also with --role customer given: the role is the global option, its default not told apart
        raise UsageError("a person's token (--user) is for an agent, a manager or an admin; add --role agent, "
                         "manager or admin (a customer's token is made with --account NAME)")
    if opts.account and opts.role != "customer":
        raise UsageError("a customer token (--account) takes no --role; drop --role, or use --user NAME --role ROLE")
    if not sh.remote:  # the owner of the database file is the root of trust
        sh.ctx.actor = f"admin:{os.environ.get('USER') or 'owner'}"
    result = sh.ops.token_create(opts.account, opts.user, None if opts.account else opts.role)
    if opts.json:
        sh.out(to_json({"token": result["token"]}))
    else:
        sh.out(result["token"])
        who = f"a customer of {result['account']}" if result["account"] else f"{result['user']} ({result['role']})"
        sh.stderr.write(f"Token #{result['id']} for {who}; it is shown only this once, keep it secret.\n")
    return 0


@command("admin token list")
def cmd_token_list(opts: argparse.Namespace, sh: Shell) -> int:
    from .render import table

    sh.emit(sh.ops.token_list(), lambda rows: table(
        [(r["id"], r["prefix"] + "...", r["role"], r["account"] or r["user"], r["created_at"], r["revoked_at"] or "")
         for r in rows], ("id", "token", "role", "for", "created", "revoked")) if rows else "No tokens yet.")
    return 0


@command("admin token revoke")
def cmd_token_revoke(opts: argparse.Namespace, sh: Shell) -> int:
    sh.emit(sh.ops.token_revoke(opts.secret), lambda r: f"Token #{r['id']} ({r['prefix']}...) is revoked.")
    return 0


@command("serve")
def cmd_serve(opts: argparse.Namespace, sh: Shell) -> int:
    try:
        from .server.app import run
        from .server.settings import Settings
    except ImportError:
        from .server import MISSING

        sh.stderr.write(MISSING + "\n")
        return 1
    if sh.remote:
        raise UserError("`serve` runs a service on a local database; unset ASSISTANT_SERVER (or drop --server)")
    if opts.workers < 1 or not 0 < opts.port < 65536:
        raise UsageError("--workers must be 1 or more and --port between 1 and 65535")
    if opts.now:
        raise UsageError("the service keeps the real time; drop --now (clients may send theirs with --allow-simulated-clock)")
    import dataclasses

    from .paths import default_db

    db = opts.db or str(default_db())
    settings = dataclasses.replace(Settings.from_env(), db=db, kb=opts.kb, allow_simulated_clock=opts.allow_simulated_clock)
    return run(opts.host, opts.port, opts.workers, settings, lambda text: sh.stderr.write(text + "\n"))


@command("kb learn")
def cmd_kb_learn(opts: argparse.Namespace, sh: Shell) -> int:
    from .overlay import learn, learn_proposals

    if sh.remote:
        raise UserError("`kb learn` teaches the knowledge base of a local database; run it where the service runs, "
                        "without --server")
    if opts.proposals:
        if opts.question or opts.entry:
            raise UserError("give either QUESTION --entry ID or --proposals, not both")
        from .gaps import proposals, report

        learned = learn_proposals(sh.overlay_file, sh.kb, proposals(report(sh.ctx.store), opts.min_count))
        sh.emit(learned, lambda rs: "\n".join(f"Learned: '{r['question']}' now answers with '{r['entry']}'." for r in rs)
                or "No proposed phrasings to learn.")
        return 0
    if not opts.question or not opts.entry:
        raise UserError("say what to learn: kb learn QUESTION --entry ID (or kb learn --proposals)")
    result = learn(sh.overlay_file, sh.kb, opts.question, opts.entry)
    sh.emit(result, lambda r: f"Learned: '{r['question']}' now answers with '{r['entry']}'.")
    return 0


@command("kb export")
def cmd_kb_export(opts: argparse.Namespace, sh: Shell) -> int:
    from .overlay import export

    target = export(sh.kb, Path(opts.dir), force=opts.force)
    sh.emit({"dir": str(target)}, lambda r: f"Wrote the merged knowledge base to {r['dir']}; "
                                            f"check it with `assistant kb check {r['dir']}`.")
    return 0


# --- parser ------------------------------------------------------------------------------

GLOBAL_DEFAULTS = {"kb": None, "db": None, "account": None, "now": None, "json": False, "role": "customer", "user": None,
                   "server": None, "token": None}


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """The options every command takes, before or after the command name."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--db", metavar="PATH|URL", default=default,
                        help="database file, or postgresql://USER@HOST:PORT/DBNAME for a shared server "
                             "(default: $ASSISTANT_DB, else a file in the user's data directory)")
    parser.add_argument("--account", metavar="NAME", default=default,
                        help="account to act for (default: $ASSISTANT_ACCOUNT, else demo)")
    parser.add_argument("--now", metavar="TIME", default=default,
                        help="pretend it is this date or time, e.g. 2026-03-16 (default: $ASSISTANT_NOW, else now)")
    parser.add_argument("--kb", metavar="DIR", default=default,
                        help="knowledge-base directory (default: $ASSISTANT_KB, else the shipped one)")
    parser.add_argument("--role", choices=ROLES, default=argparse.SUPPRESS if suppress else "customer",
                        help="who is at the keyboard: a customer acts in its own account only; an agent in a "
                             "customer's account; a manager works every account's tickets and the knowledge gaps; "
                             "an admin manages accounts, top-ups and reviews (declared, not proven, in this mode)")
    parser.add_argument("--user", metavar="NAME", default=default, help="your name in the audit trail (default: $USER)")
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS if suppress else False,
                        help="print JSON (one object per line)")
    parser.add_argument("--server", metavar="URL", default=default,
                        help="act through the service at URL (default: $ASSISTANT_SERVER; none: the local database)")
    parser.add_argument("--token", metavar="TOKEN", default=default,
                        help="access token for --server (default: $ASSISTANT_TOKEN)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="assistant", description="Support assistant for the Digital Message service. "
                     "With no command it opens the interactive assistant.")
    _global_options(parser, suppress=False)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, help_text: str, parent=sub) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help_text, description=help_text)
        _global_options(p, suppress=True)
        return p

    def group(name: str, help_text: str, parent=sub, dest: str = "sub_command"):
        children = add(name, help_text, parent).add_subparsers(dest=dest, metavar="COMMAND", parser_class=_Parser)
        children.required = True
        return children

    p = add("ask", "answer questions: one given as arguments, or one per line from standard input")
    p.add_argument("question", nargs="*", help="the question (omit to read questions from stdin)")

    p = add("eval", "measure the matcher on a YAML file of labelled questions, or play conversation stories")
    p.add_argument("file", nargs="?", help="YAML with cases: [{question: ..., expect: ENTRY|ACTION|fallback}]")
    p.add_argument("--stories", metavar="DIR", help="play every conversation story (*.yaml) in DIR; "
                   "exits 1 when one fails")

    kb = group("kb", "knowledge-base tools")
    p = add("check", "validate a knowledge-base directory; exits 1 when it has problems", kb)
    p.add_argument("dir", nargs="?", help="directory to check (default: the one in use)")
    p = add("gaps", "questions the assistant could not answer well, grouped, most asked first", kb)
    p.add_argument("--since", metavar="DATE", help="only questions logged since DATE")
    p = add("learn", "teach an entry a new phrasing (kept beside the database, merged at load)", kb)
    p.add_argument("question", nargs="?")
    p.add_argument("--entry", help="the FAQ entry id or action name")
    p.add_argument("--proposals", action="store_true",
                   help="learn every phrasing proposed by 'did you mean' picks (see kb gaps)")
    p.add_argument("--min-count", type=int, default=1, metavar="N", help="with --proposals: only those picked N times or more")
    p = add("export", "write the knowledge base with learned phrasings merged, as YAML", kb)
    p.add_argument("dir", help="a new or empty directory")
    p.add_argument("--force", action="store_true", help="overwrite the YAML files of a non-empty directory")

    add("enable", "enable digital messages for the account (eligible industries only)")

    sig = group("signature", "signatures: submit, status, update")
    p = add("submit", "submit a signature for carrier real-name registration", sig)
    p.add_argument("name", help="2-16 Chinese characters, letters and digits")
    p.add_argument("--source", required=True, choices=SOURCES, type=_source, help="what the name is the name of")
    p = add("status", "review and registration status, per carrier", sig)
    p.add_argument("name", nargs="?", help="signature (default: all of the account's)")
    p = add("update", "resubmit a rejected signature after updating the real-name profile", sig)
    p.add_argument("name")
    p.add_argument("--source", choices=SOURCES, type=_source, help="change the source too")

    tpl = group("template", "templates: create, status")
    p = add("create", "create a template and submit it for carrier review", tpl)
    p.add_argument("--name", required=True, help="at most 20 characters")
    p.add_argument("--signature", required=True, help="a signature Registered and Active with a carrier")
    p.add_argument("--industry", required=True, help="template industry, e.g. e-commerce or 'live streaming'")
    p.add_argument("--text", required=True, help="the text frame; ${name} marks a parameter")
    p.add_argument("--media", action="append", default=[], metavar="FILE", help="image, video or audio frame (repeatable)")
    p.add_argument("--letter", metavar="FILE", help="live-streaming commitment letter, a clear image")
    p = add("status", "each carrier's review and who the template can reach now", tpl)
    p.add_argument("code", nargs="?", help="template code (default: all of the account's)")

    p = add("send", "send a template to mobile numbers")
    p.add_argument("code", help="template code, e.g. DIGITAL_SMS_0001; or `list` (the latest sends) or "
                   "`show REQUEST_ID` (one past send)")
    p.add_argument("phones", nargs="*", metavar="PHONE", help="mainland mobile numbers")
    p.add_argument("--param", action="append", default=[], metavar="K=V", help="template parameter (repeatable)")
    p.add_argument("--file", metavar="CSV", help="recipients: one number a line, or a CSV with a 'phone' column "
                   "and one column per parameter")

    p = add("error", "explain an error code (or find one from its description)")
    p.add_argument("query", nargs="+", help="code or words, e.g. isv.AMOUNT_NOT_ENOUGH or 'amount not enough'")

    admin = group("admin", "administration: accounts, packages, carrier decisions")
    acct = group("account", "accounts", admin, dest="sub_sub_command")
    p = add("create", "create an account", acct)
    p.add_argument("name")
    p.add_argument("--industry", required=True)
    _profile_options(p)
    p.add_argument("--digital", type=int, help="digital-message package size")
    p.add_argument("--sms", type=int, help="SMS package size")
    p = add("show", "show an account", acct)
    p.add_argument("name", nargs="?")
    add("list", "list accounts", acct)
    p = add("update", "change the industry or add real-name profile names", acct)
    p.add_argument("name")
    p.add_argument("--industry")
    _profile_options(p)
    p = add("topup", "add messages to an account's packages", admin)
    p.add_argument("name")
    p.add_argument("--digital", type=int)
    p.add_argument("--sms", type=int)
    p = add("migrate", "copy this embedded database into an empty PostgreSQL database", admin)
    p.add_argument("--to", required=True, metavar="URL", help="postgresql://USER@HOST:PORT/DBNAME")
    p = add("review", "record a carrier's decision on a template", admin)
    p.add_argument("code")
    p.add_argument("--carrier", required=True)
    verdict = p.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--approve", action="store_true")
    verdict.add_argument("--reject", action="store_true")
    p.add_argument("--reason")
    tok = group("token", "access tokens for the service: create, list, revoke", admin, dest="sub_sub_command")
    add("create", "a new token, printed once: --account NAME (a customer of it) or --user NAME --role "
        "agent|manager|admin", tok)
    add("list", "every token (id, prefix, who, role, created, revoked); never the secrets", tok)
    p = add("revoke", "revoke a token at once", tok)
    p.add_argument("secret", metavar="TOKEN", help="the token itself, or its id from `admin token list`")

    hand = group("handoff", "hand a case to a support manager, and the manager's queue")
    p = add("create", "open a ticket; templates, signatures and sends named are looked up and attached", hand)
    p.add_argument("--reason", help="what the manager should know, in your words")
    p.add_argument("--template", metavar="CODE")
    p.add_argument("--signature", metavar="NAME")
    p.add_argument("--request-id", metavar="ID", help="request id of a failed send")
    p.add_argument("--send-date", metavar="DATE", help="planned send date (a pending review close to it is urgent)")
    p = add("list", "the queue: urgent first, then oldest", hand)
    p.add_argument("--status", choices=("open", "claimed", "waiting", "resolved"))
    for name, help_text in (("show", "the whole case, conversation included"), ("claim", "take a ticket"),
                            ("reply", "answer the customer"), ("answer", "the customer answers the manager"),
                            ("resolve", "close a ticket with a note"), ("export", "the case as Markdown or JSON")):
        p = add(name, help_text, hand)
        p.add_argument("id", help="ticket number")
        if name == "claim":
            p.add_argument("--by", metavar="NAME", help="who takes it (default: --user, else $USER; "
                                                         "through a service, the token's user)")
        if name == "reply":
            p.add_argument("text", nargs="+")
            p.add_argument("--by", metavar="NAME")
        if name == "answer":
            p.add_argument("text", nargs="+")
        if name == "resolve":
            p.add_argument("--note", required=True)
            p.add_argument("--by", metavar="NAME")
        if name == "export":
            p.add_argument("--format", choices=("md", "json"), default="md")
    add("inbox", "support managers' replies you have not read yet")

    p = add("serve", "run the HTTP service (needs the extra: pip install '.[server]')")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default: 8080)")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default: 1)")
    p.add_argument("--allow-simulated-clock", action="store_true",
                   help="let clients send their own time (--now), for demos and tests")
    return parser


def _source(value: str) -> str:
    """A --source value in any spelling ("Trademark", "trade mark"); argparse then checks the choice."""
    from .choices import pick

    return pick(value, {s: () for s in SOURCES}) or value


def _profile_options(p: argparse.ArgumentParser) -> None:
    for source in SOURCES:
        p.add_argument(f"--{source}", action="append", default=[], metavar="NAME",
                       help=f"registered {source} name (repeatable)")


def _actor(opts: argparse.Namespace) -> str:
    """Who acts, for the audit trail: "ROLE:NAME" (--user, else $USER), or just the role when no name is known."""
    name = opts.user or os.environ.get("USER")
    return f"{opts.role}:{name}" if name else opts.role


def _check_global_options(opts: argparse.Namespace) -> None:
    """A bad --now or an --db in a directory that does not exist is a usage error (exit 2).

    Only the default database location is created on first use; an explicit path is taken as
    typed, so a mistyped directory is reported instead of silently getting a fresh database.
    """
    from pathlib import Path

    from .clock import parse_time

    if opts.now:
        try:
            parse_time(opts.now)
        except UserError as exc:
            raise UsageError(f"--now: {exc}") from None
    if opts.db and not is_server_url(opts.db) and not Path(opts.db).expanduser().parent.is_dir():
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
# `admin token create --account NAME | --user NAME --role ROLE`: its --account, --user and --role name
# the token, not the caller, so there is no declared role to check. On a local database the owner of
# the file is the root of trust (that is how the first admin token is made); through a service the
# caller's token must be an admin's.
_NO_DECLARED_ROLE = {"admin.token.create"}


def _check_text(argv: Sequence[str]) -> None:
    """Refuse arguments and settings that are not valid UTF-8 (Python hands them over surrogate-escaped)."""
    from .sanitize import one_line

    for n, arg in enumerate(argv, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raise UsageError(f"argument {n} ({one_line(arg)}) is not valid UTF-8; "
                             "pass UTF-8 text (check the terminal's or the script's encoding)") from None
    for key in ("ASSISTANT_DB", "ASSISTANT_ACCOUNT", "ASSISTANT_NOW", "ASSISTANT_KB", "USER"):
        try:
            os.environ.get(key, "").encode("utf-8")
        except UnicodeEncodeError:
            raise UsageError(f"${key} is not valid UTF-8; set it to UTF-8 text") from None


def _require(sh: Shell, command: str) -> None:
    """The roles table's verdict on COMMAND; a refusal is audited when the database already exists."""
    from .errors import Forbidden
    from .paths import default_db

    try:
        require(sh.opts.role, command)
    except Forbidden as exc:
        if Path(sh.opts.db or default_db()).is_file():
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
        # Remote mode: the token, not --role, is the caller's role, and the service applies the same table.
        if name is not None and not sh.remote and _dotted(opts, name) not in _CHECKED_BY_THE_CORE | _NO_DECLARED_ROLE:
            _require(sh, _dotted(opts, name))
        if name is None:
            from .repl import run as run_repl
            return run_repl(sh)
        return COMMANDS[name](opts, sh)
    except UsageError as exc:
        stderr.write(f"error: {one_line(exc)}\n")
        return 2
    except UserError as exc:
        stderr.write(f"error: {one_line(exc)}\n")
        if exc.code and getattr(opts, "json", False):  # a refusal with the service's code, as send results carry it
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


if __name__ == "__main__":
    sys.exit(main())
