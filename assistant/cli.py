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

from . import __version__, knowledge
from .errors import UserError
from .render import reply_text, to_json
from .rules import SOURCES

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

    @property
    def kb(self) -> knowledge.KnowledgeBase:
        return self.router.kb

    @property
    def ctx(self):
        """The account context: database, clock, account and actor, opened on first use."""
        if self._ctx is None:
            from .actions.accounts import ensure_demo
            from .clock import from_setting
            from .context import Context
            from .store import Store

            self._ctx = Context(Store(self.opts.db), self.kb, from_setting(self.opts.now),
                                self.opts.account or os.environ.get("ASSISTANT_ACCOUNT") or "demo",
                                self.opts.actor)
            ensure_demo(self._ctx)
        return self._ctx

    @property
    def carriers(self) -> dict[str, str]:
        return self.ctx.rules.carriers

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
        from .paths import default_db, learned_file

        return learned_file(self.opts.db or default_db())

    def gap_log(self):
        """A buffer for knowledge-gap rows; the database is opened only if a gap is logged."""
        from .gaps import GapLog

        def open_store():
            return self.ctx.store, self.ctx.account, self.ctx.now()
        return GapLog(open_store, self.kb.thresholds.low_confidence, keep=self.kb.thresholds.gap_log_rows)

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
    gaps = sh.gap_log()

    def answer(question: str) -> None:
        reply = sh.router.route(question)
        gaps.note(reply)
        result = _carry_out(sh, reply)
        if opts.json:
            sh.out(to_json({**reply.to_json(), **{k: v for k, v in result.items() if k != "text"}}))
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
            sh.stderr.write(f"warning: knowledge gaps not logged: {exc}\n")


def _answer_lines(sh: Shell, answer: Callable[[str], None]) -> None:
    from .router import Reply

    for n, line in enumerate(_lines(sh.stdin), 1):
        if isinstance(line, ValueError):
            reply = Reply(f"<line {n}>", "fallback", error=str(line))
            sh.out(to_json(reply.to_json()) if sh.opts.json else reply_text(reply, sh.kb))
        else:
            answer(line)
            if not sh.opts.json:
                sh.out()
        sh.stdout.flush()


def _carry_out(sh: Shell, reply) -> dict:
    """What `ask` does for an action it recognised: {"result", "text"}, {"error", "text"} or nothing.

    Read-only actions (statuses, error lookup) are answered from the account. Asking for a person
    opens a ticket, the one change `ask` makes: it touches no signature, template or package.
    Other state-changing actions are only named (the reply says which command does them).
    """
    if reply.type != "action":
        return {}
    from .actions import error_codes, handoff, signatures, templates
    from .render import error_text, signature_text, template_text

    try:
        if reply.action == "handoff":
            ticket = handoff.create(sh.ctx, reply.args.get("reason") or reply.question,
                                    conversation=[{"role": "user", "text": reply.question, "at": sh.ctx.now()}],
                                    trigger="asked_for_person")
            return {"result": {"ticket": ticket["id"], "priority": ticket["priority"], "summary": ticket["summary"]},
                    "text": f"Ticket #{ticket['id']} is with the support managers: {ticket['summary']}"}
        if sh.kb.actions[reply.action].changes_state:
            return {}
        if reply.action == "error.lookup":
            if "code" not in reply.args:
                return {}
            found = error_codes.lookup(sh.kb, reply.args["code"])
            return {"result": found, "text": error_text(found)}
        if reply.action == "signature.status":
            items = signatures.status(sh.ctx, reply.args.get("name"))
            return {"result": items, "text": "\n\n".join(signature_text(i, sh.carriers) for i in items) or "No signatures yet."}
        if reply.action == "template.status":
            items = templates.status(sh.ctx, reply.args.get("code"))
            return {"result": items, "text": "\n\n".join(template_text(i, sh.carriers) for i in items) or "No templates yet."}
    except UserError as exc:
        return {"error": str(exc), "text": f"Sorry: {exc}"}
    return {}


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
    from .actions.accounts import enable

    result = enable(sh.ctx)
    sh.emit(result, lambda r: f"Digital messages are {'now' if r['changed'] else 'already'} enabled for "
                              f"'{r['account']}'. Next: submit a signature (`assistant signature submit NAME --source S`).")
    return 0


@command("signature submit")
def cmd_signature_submit(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions import signatures
    from .render import signature_text

    status = signatures.submit(sh.ctx, opts.name, opts.source)
    sh.emit(status, lambda s: "Submitted for real-name registration with all three carriers.\n"
                              + signature_text(s, sh.carriers))
    return 0


@command("signature update")
def cmd_signature_update(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions import signatures
    from .render import signature_text

    status = signatures.update(sh.ctx, opts.name, opts.source)
    sh.emit(status, lambda s: "Resubmitted; a new review has started.\n" + signature_text(s, sh.carriers))
    return 0


@command("signature status")
def cmd_signature_status(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions import signatures
    from .render import signature_text

    return _statuses(sh, signatures.status(sh.ctx, opts.name), bool(opts.name),
                     lambda s: signature_text(s, sh.carriers),
                     "No signatures yet. Submit one with `assistant signature submit NAME --source S`.")


@command("template create")
def cmd_template_create(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions import templates
    from .render import template_text

    status = templates.create(sh.ctx, opts.name, opts.signature, opts.industry, opts.text, opts.media, opts.letter)
    sh.emit(status, lambda s: f"Created {s['code']} and submitted it to the three carriers.\n"
                              + template_text(s, sh.carriers))
    return 0


@command("template status")
def cmd_template_status(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions import templates
    from .render import template_text

    return _statuses(sh, templates.status(sh.ctx, opts.code), bool(opts.code),
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


def _recipients_file(path: str, common: dict[str, str]) -> list[tuple[str, dict[str, str]]]:
    """Recipients from a file: plain numbers one a line, or CSV with a 'phone' column."""
    import csv

    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}; check the path") from None
    except UnicodeDecodeError:
        raise UserError(f"{path} is not UTF-8 text; save the CSV as UTF-8") from None
    lines = text.splitlines()
    if lines and "phone" in [c.strip().lower() for c in lines[0].split(",")]:
        reader = csv.DictReader(lines)
        out = []
        for row in reader:
            row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            phone = row.pop("phone", "")
            out.append((phone, {**common, **{k: v for k, v in row.items() if v}}))
        return out
    return [(line.strip(), common) for line in lines if line.strip()]


@command("send")
def cmd_send(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions.sending import send
    from .render import send_text

    common = _params(opts.param)
    recipients = [(p, common) for raw in opts.phones for p in raw.split(",") if p.strip()]
    if opts.file:
        recipients += _recipients_file(opts.file, common)
    show_bar = not opts.json and getattr(sh.stderr, "isatty", lambda: False)()

    def bar(done: int, total: int) -> None:
        filled = int(30 * done / total)
        sh.stderr.write(f"\rSending {done:,}/{total:,} [{'#' * filled}{'.' * (30 - filled)}] {done * 100 // total}%")
        if done == total:
            sh.stderr.write("\n")
        sh.stderr.flush()

    result = send(sh.ctx, opts.code, recipients, progress=bar if show_bar else None, from_file=bool(opts.file))
    sh.emit(result, lambda r: send_text(r, sh.carriers))
    return 0 if result["sent"] else 1


@command("error")
def cmd_error(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions.error_codes import lookup
    from .render import error_text

    sh.emit(lookup(sh.kb, " ".join(opts.query)), error_text)
    return 0


@command("admin account create")
def cmd_account_create(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions.accounts import create_account
    from .render import account_text

    names = {s: getattr(opts, s) for s in SOURCES}
    sh.emit(create_account(sh.ctx, opts.name, opts.industry, names, opts.digital, opts.sms), account_text)
    return 0


@command("admin account update")
def cmd_account_update(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions.accounts import update_account
    from .render import account_text

    names = {s: getattr(opts, s) for s in SOURCES}
    sh.emit(update_account(sh.ctx, opts.name, opts.industry, names), account_text)
    return 0


@command("admin account show")
def cmd_account_show(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions.accounts import account_info
    from .render import account_text

    sh.emit(account_info(sh.ctx, opts.name), account_text)
    return 0


@command("admin account list")
def cmd_account_list(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions.accounts import list_accounts
    from .render import table

    items = list_accounts(sh.ctx)
    sh.emit(items, lambda rows: table([(a["name"], a["industry"], "yes" if a["enabled"] else "no",
                                        a["packages"]["digital"], a["packages"]["sms"]) for a in rows],
                                      ("account", "industry", "enabled", "digital", "sms")))
    return 0


@command("admin topup")
def cmd_topup(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions.accounts import topup
    from .render import account_text

    sh.emit(topup(sh.ctx, opts.name, opts.digital, opts.sms), account_text)
    return 0


@command("admin review")
def cmd_review(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions.templates import record_review
    from .render import template_text

    if not sh.ctx.actor.startswith("manager"):
        sh.ctx.actor = f"manager:{opts.user or os.environ.get('USER') or 'unknown'}"
    sh.emit(record_review(sh.ctx, opts.code, opts.carrier, opts.approve, opts.reason),
            lambda s: template_text(s, sh.carriers))
    return 0


# --- handoff and knowledge gaps --------------------------------------------------------------

@command("handoff create")
def cmd_handoff_create(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions import handoff

    ticket = handoff.create(sh.ctx, opts.reason, opts.template, opts.signature, opts.request_id, opts.send_date)
    sh.emit(ticket, lambda t: f"Ticket #{t['id']} ({t['priority']}) is with the support managers: {t['summary']}\n"
                              "Their reply will show in `assistant inbox` and when you next open the assistant.")
    return 0


@command("handoff list")
def cmd_handoff_list(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions import handoff
    from .render import queue_text

    sh.emit(handoff.queue(sh.ctx, opts.status, opts.account), queue_text)
    return 0


@command("handoff show")
def cmd_handoff_show(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions import handoff
    from .render import ticket_text

    sh.emit(handoff.get(sh.ctx, opts.id), ticket_text)
    return 0


@command("handoff claim")
def cmd_handoff_claim(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions import handoff

    sh.ctx.actor = f"manager:{opts.by}"
    sh.emit(handoff.claim(sh.ctx, opts.id, opts.by), lambda t: f"Ticket #{t['id']} is now claimed by {t['owner']}.")
    return 0


@command("handoff reply")
def cmd_handoff_reply(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions import handoff

    if opts.by:
        sh.ctx.actor = f"manager:{opts.by}"
    ticket = handoff.reply(sh.ctx, opts.id, " ".join(opts.text), opts.by)
    sh.emit(ticket, lambda t: f"Reply sent on ticket #{t['id']}; it now waits for the customer.")
    return 0


@command("handoff answer")
def cmd_handoff_answer(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions import handoff

    ticket = handoff.answer(sh.ctx, opts.id, " ".join(opts.text))
    sh.emit(ticket, lambda t: f"Sent to the support managers on ticket #{t['id']}.")
    return 0


@command("handoff resolve")
def cmd_handoff_resolve(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions import handoff

    if opts.by:
        sh.ctx.actor = f"manager:{opts.by}"
    sh.emit(handoff.resolve(sh.ctx, opts.id, opts.note, opts.by), lambda t: f"Ticket #{t['id']} is resolved.")
    return 0


@command("handoff export")
def cmd_handoff_export(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions import handoff

    sh.out(handoff.export(handoff.get(sh.ctx, opts.id), "json" if opts.json else opts.format).rstrip())
    return 0


@command("inbox")
def cmd_inbox(opts: argparse.Namespace, sh: Shell) -> int:
    from .actions import handoff
    from .render import safe

    messages = handoff.inbox(sh.ctx)
    sh.emit(messages, lambda ms: "\n".join(f"Ticket #{m['ticket']} ({safe(m['summary'])})\n  {m['at']} {safe(m['author'])}: "
                                           f"{safe(m['text'])}" for m in ms) or "No new replies.")
    return 0


@command("kb gaps")
def cmd_kb_gaps(opts: argparse.Namespace, sh: Shell) -> int:
    from .clock import parse_time
    from .gaps import report
    from .render import gaps_text

    since = parse_time(opts.since) if opts.since else None
    sh.emit(report(sh.ctx.store, since), gaps_text)
    return 0


@command("kb learn")
def cmd_kb_learn(opts: argparse.Namespace, sh: Shell) -> int:
    from .overlay import learn, learn_proposals

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
    from pathlib import Path

    from .overlay import export

    target = export(sh.kb, Path(opts.dir))
    sh.emit({"dir": str(target)}, lambda r: f"Wrote the merged knowledge base to {r['dir']}; "
                                            f"check it with `assistant kb check {r['dir']}`.")
    return 0


# --- parser ------------------------------------------------------------------------------

GLOBAL_DEFAULTS = {"kb": None, "db": None, "account": None, "now": None, "json": False, "role": "customer", "user": None}
ROLES = ("customer", "agent", "manager")


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """The options every command takes, before or after the command name."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--db", metavar="PATH", default=default,
                        help="database file (default: $ASSISTANT_DB, else the user's data directory)")
    parser.add_argument("--account", metavar="NAME", default=default,
                        help="account to act for (default: $ASSISTANT_ACCOUNT, else demo)")
    parser.add_argument("--now", metavar="TIME", default=default,
                        help="pretend it is this date or time, e.g. 2026-03-16 (default: $ASSISTANT_NOW, else now)")
    parser.add_argument("--kb", metavar="DIR", default=default,
                        help="knowledge-base directory (default: $ASSISTANT_KB, else the shipped one)")
    parser.add_argument("--role", choices=ROLES, default=argparse.SUPPRESS if suppress else "customer",
                        help="who is at the keyboard (a manager works the handoff queue)")
    parser.add_argument("--user", metavar="NAME", default=default, help="your name in the audit trail (default: $USER)")
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS if suppress else False,
                        help="print JSON (one object per line)")


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

    p = add("eval", "measure the matcher on a YAML file of labelled questions")
    p.add_argument("file", help="YAML with cases: [{question: ..., expect: ENTRY|ACTION|fallback}]")

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

    add("enable", "enable digital messages for the account (eligible industries only)")

    sig = group("signature", "signatures: submit, status, update")
    p = add("submit", "submit a signature for carrier real-name registration", sig)
    p.add_argument("name", help="2-16 Chinese characters, letters and digits")
    p.add_argument("--source", required=True, choices=SOURCES, help="what the name is the name of")
    p = add("status", "review and registration status, per carrier", sig)
    p.add_argument("name", nargs="?", help="signature (default: all of the account's)")
    p = add("update", "resubmit a rejected signature after updating the real-name profile", sig)
    p.add_argument("name")
    p.add_argument("--source", choices=SOURCES, help="change the source too")

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
    p.add_argument("code", help="template code, e.g. DIGITAL_SMS_0001")
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
    p = add("review", "record a carrier's decision on a template", admin)
    p.add_argument("code")
    p.add_argument("--carrier", required=True)
    verdict = p.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--approve", action="store_true")
    verdict.add_argument("--reject", action="store_true")
    p.add_argument("--reason")

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
            p.add_argument("--by", required=True, metavar="NAME")
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
    return parser


def _profile_options(p: argparse.ArgumentParser) -> None:
    for source in SOURCES:
        p.add_argument(f"--{source}", action="append", default=[], metavar="NAME",
                       help=f"registered {source} name (repeatable)")


def _actor(opts: argparse.Namespace) -> str:
    """Who acts, for the audit trail: "customer", or "agent:NAME" / "manager:NAME"."""
    if opts.role == "customer":
        return "customer"
    return f"{opts.role}:{opts.user or os.environ.get('USER') or 'unknown'}"


def _command_name(opts: argparse.Namespace) -> str | None:
    name = opts.command
    for attr in ("sub_command", "sub_sub_command"):
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
        for key, value in GLOBAL_DEFAULTS.items():
            if not hasattr(opts, key):
                setattr(opts, key, value)
        opts.actor = _actor(opts)
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
