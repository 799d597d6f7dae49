"""The `assistant` command line's grammar: global options, commands and their options.

Only the parser of the command being run is built (`_Commands`): the top-level parser knows each
command's name and help line, and builds the command's own parser (and its subcommands') when
argparse reaches it. Building all of them took longer than answering a question, and `ask` is
run once per question by scripts. Nothing here imports a command's implementation.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from .. import __version__
from ..errors import UsageError
from ..roles import ROLES
from ..rules import SOURCES


def _columns() -> int:
    """The terminal's width as `shutil.get_terminal_size` reads it ($COLUMNS, the terminal, else 80)."""
    try:
        columns = int(os.environ.get("COLUMNS", 0))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, sized without importing shutil (and with it bz2 and lzma).

    argparse makes a formatter for every argument it adds, so its own `import shutil` was paid
    by every command, help or not.
    """

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of exiting, so usage errors are one clean line. An option
    it does not know is named as such, with the one meant ("--acount hamburg" read "hamburg" as the
    command: "unknown option --acount; did you mean --account?"), never as what it made of the rest."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self._said: list[str] = []

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        self._said = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> None:  # type: ignore[override]
        if "invalid choice" in message or message.startswith("unrecognized arguments"):
            unknown = self._unknown_option()
            if unknown is not None:
                raise UsageError(unknown)
            # The root parser tells of words a command left over: that command's help says what it takes.
            raise UsageError(f"{message}; see `{self._command_parser().prog} --help`")
        raise UsageError(f"{message}; see `{self.prog} --help`")

    def _command_parser(self) -> argparse.ArgumentParser:
        """The parser of the deepest command the line names (`kb learn` of `kb learn x y`); this one if none."""
        parser: argparse.ArgumentParser = self
        for word in self._said:
            commands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
            child = commands[0]._name_parser_map.get(word) if commands else None
            if isinstance(child, argparse.ArgumentParser):
                parser = child
        return parser

    def _options(self) -> set[str]:
        """The option strings of this parser and of every command parser built under it."""
        known = set(self._option_string_actions)
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                for parser in action._name_parser_map.values():
                    if isinstance(parser, _Parser):
                        known |= parser._options()
        return known

    def _unknown_option(self) -> str | None:
        """"unknown option --X; did you mean --Y?" for the first option the line gives that no parser takes."""
        import difflib

        known = self._options()
        for word in self._said:
            if word == "--":
                break
            option = word.split("=", 1)[0]
            if not option.startswith("-") or option == "-" or option in known or _negative(option):
                continue
            close = difflib.get_close_matches(option, sorted(o for o in known if o.startswith("--")), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]}?" if close else f"see `{self._command_parser().prog} --help`"
            return f"unknown option {option}; {hint}"
        return None


def _negative(word: str) -> bool:
    """A negative number given as a value ("-5"), which is no option."""
    try:
        float(word)
    except ValueError:
        return False
    return True


class _Commands(argparse._SubParsersAction):
    """Subcommands whose parsers are built on first use; the help lists them all the same."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._builders: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None] | None]] = {}

    def add_lazy(self, name: str, help_text: str, build: Callable[[argparse.ArgumentParser], None] | None) -> None:
        """Offer command NAME; BUILD adds its arguments to its parser when the command is used."""
        self._choices_actions.append(self._ChoicesPseudoAction(name, (), help_text))
        self._name_parser_map[name] = None  # a choice argparse checks; the parser comes in parser_for
        self._builders[name] = (help_text, build)

    def parser_for(self, name: str) -> argparse.ArgumentParser:
        """The parser of command NAME, built now if it was not yet (what `add_parser` would have made)."""
        parser = self._name_parser_map[name]
        if parser is None:
            help_text, build = self._builders[name]
            parser = self._parser_class(prog=f"{self._prog_prefix} {name}", description=help_text)
            _global_options(parser, suppress=True)
            if build is not None:
                build(parser)
            self._name_parser_map[name] = parser
        return parser

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        if values and values[0] in self._builders:
            self.parser_for(values[0])
        super().__call__(parser, namespace, values, option_string)


GLOBAL_DEFAULTS = {"kb": None, "db": None, "account": None, "now": None, "json": False, "role": "customer", "user": None,
                   "server": None, "token": None, "lang": None}


def _global_options(parser: argparse.ArgumentParser, suppress: bool, role: bool = True) -> None:
    """The options every command takes, before or after the command name (--role: unless ROLE is false)."""
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
    parser.add_argument("--lang", choices=("auto", "en", "zh"), default=default,
                        help="language of answers and of the assistant's own sentences: auto (the question's own: "
                             "Chinese when a quarter of its letters are Chinese characters), en or zh "
                             "(default: $ASSISTANT_LANG, else auto)")
    if role:
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
    """The `assistant` parser; each command's own parser is built when the command is parsed."""
    parser = _Parser(prog="assistant", description="Support assistant for the Digital Message service. "
                     "With no command it opens the interactive assistant.")
    _global_options(parser, suppress=False)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser, action=_Commands)
    for name, help_text, build in _COMMANDS:
        commands.add_lazy(name, help_text, build)
    return parser


def _add(parent, name: str, help_text: str, role: bool = True) -> argparse.ArgumentParser:
    p = parent.add_parser(name, help=help_text, description=help_text)
    _global_options(p, suppress=True, role=role)
    return p


def _children(p: argparse.ArgumentParser, dest: str = "sub_command"):
    children = p.add_subparsers(dest=dest, metavar="COMMAND", parser_class=_Parser)
    children.required = True
    return children


def _group(parent, name: str, help_text: str, dest: str = "sub_command"):
    return _children(_add(parent, name, help_text), dest)


def _ask(p: argparse.ArgumentParser) -> None:
    p.add_argument("question", nargs="*", help="the question (omit to read questions from stdin)")
    p.add_argument("--jobs", type=_positive, metavar="N", help="processes that route a long batch from stdin "
                   "(500 lines or more that arrived together; default: one a processor; 1: this process alone)")


def _eval(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", help="YAML with cases: [{question: ..., expect: ENTRY|ACTION|fallback}]")
    p.add_argument("--stories", metavar="DIR", help="play every conversation story (*.yaml) in DIR; "
                   "exits 1 when one fails")


def _kb(parent: argparse.ArgumentParser) -> None:
    kb = _children(parent)
    p = _add(kb, "check", "validate a knowledge-base directory; exits 1 when it has problems")
    p.add_argument("dir", nargs="?", help="directory to check (default: the one in use)")
    p = _add(kb, "gaps", "questions the assistant could not answer well, grouped, most asked first")
    p.add_argument("--since", metavar="DATE", help="only questions logged since DATE")
    p = _add(kb, "report", "the support figures: resolution rate, top questions, top unanswered, feedback, tickets")
    p.add_argument("--days", type=int, default=30, metavar="N", help="the last N days (default: 30)")
    p = _add(kb, "learn", "teach an entry a new phrasing (kept in the database, merged at load)")
    p.add_argument("question", nargs="?", help="the phrasing to learn (quote it: \"how do I ...\")")
    p.add_argument("--entry", help="the FAQ entry id or action name")
    p.add_argument("--proposals", action="store_true",
                   help="learn every phrasing proposed by 'did you mean' picks (see kb gaps)")
    p.add_argument("--min-count", type=_positive, default=1, metavar="N",
                   help="with --proposals: only those picked N times or more")
    p = _add(kb, "export", "write the knowledge base with learned phrasings merged, as YAML")
    p.add_argument("dir", type=_directory, help="a new or empty directory")
    p.add_argument("--force", action="store_true", help="overwrite the YAML files of a non-empty directory")


def _signature(parent: argparse.ArgumentParser) -> None:
    sig = _children(parent)
    p = _add(sig, "submit", "submit a signature for carrier real-name registration")
    p.add_argument("name", help="2-16 Chinese characters, letters and digits")
    p.add_argument("--source", required=True, choices=SOURCES, type=_source, help="what the name is the name of")
    p = _add(sig, "status", "review and registration status, per carrier")
    p.add_argument("name", nargs="?", help="signature (default: all of the account's)")
    p = _add(sig, "update", "resubmit a rejected signature after updating the real-name profile")
    p.add_argument("name", help="the signature to resubmit")
    p.add_argument("--source", choices=SOURCES, type=_source, help="change the source too")


def _template(parent: argparse.ArgumentParser) -> None:
    tpl = _children(parent)
    p = _add(tpl, "create", "create a template and submit it for carrier review")
    p.add_argument("--name", required=True, help="at most 20 characters")
    p.add_argument("--signature", required=True, help="a signature Registered and Active with a carrier")
    p.add_argument("--industry", required=True, help="template industry, e.g. e-commerce or 'live streaming'")
    p.add_argument("--text", required=True, help="the text frame; ${name} marks a parameter")
    p.add_argument("--media", action="append", default=[], metavar="FILE", help="image, video or audio frame (repeatable)")
    p.add_argument("--letter", metavar="FILE", help="live-streaming commitment letter, a clear image")
    p = _add(tpl, "status", "each carrier's review and who the template can reach now")
    p.add_argument("code", nargs="?", help="template code (default: all of the account's)")


def _send(p: argparse.ArgumentParser) -> None:
    p.add_argument("code", help="template code, e.g. DIGITAL_SMS_0001; or `list` (the latest sends) or "
                   "`show REQUEST_ID` (one past send)")
    p.add_argument("phones", nargs="*", metavar="PHONE", help="mainland mobile numbers")
    p.add_argument("--param", action="append", default=[], metavar="K=V", help="template parameter (repeatable)")
    p.add_argument("--file", metavar="CSV", help="recipients: one number a line, or a CSV with a 'phone' column "
                   "and one column per parameter")
    p.add_argument("--offset", type=int, metavar="N", help="`send show`: the failures from the N-th on, counted from 0")
    p.add_argument("--limit", type=int, metavar="N", help="`send show`: N failures (default 50, at most 1000)")
    p.add_argument("--template", metavar="CODE", help="`send list`: only the sends of this template")
    p.add_argument("--day", metavar="DAY", help="`send list`: only the sends made that day: 2026-03-02, April 2, "
                   "today, yesterday, 3 days ago, Monday, last Monday or this Monday")
    p.add_argument("--phone", metavar="NUMBER", help="`send list`: only the sends that included this number, "
                   "each with its result there (sent, or failed and why)")


def _error(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="+", help="code or words, e.g. isv.AMOUNT_NOT_ENOUGH or 'amount not enough'")


def _admin(parent: argparse.ArgumentParser) -> None:
    admin = _children(parent)
    acct = _group(admin, "account", "accounts", dest="sub_sub_command")
    p = _add(acct, "create", "create an account")
    p.add_argument("name", help="the account's name")
    p.add_argument("--industry", required=True, help="the account's industry, e.g. e-commerce (an unknown one is "
                   "refused with the list)")
    _profile_options(p)
    p.add_argument("--digital", type=int, metavar="N", help="digital-message package size")
    p.add_argument("--sms", type=int, metavar="N", help="SMS package size")
    p = _add(acct, "show", "show an account")
    p.add_argument("name", nargs="?", help="the account (default: --account's)")
    _add(acct, "list", "list accounts")
    p = _add(acct, "update", "change the industry or add real-name profile names")
    p.add_argument("name", help="the account")
    p.add_argument("--industry", help="the new industry")
    _profile_options(p)
    p = _add(admin, "topup", "add messages to an account's packages")
    p.add_argument("name", help="the account")
    p.add_argument("--digital", type=int, metavar="N", help="messages added to the digital-message package")
    p.add_argument("--sms", type=int, metavar="N", help="messages added to the SMS package")
    p = _add(admin, "migrate", "copy this embedded database into an empty PostgreSQL database")
    p.add_argument("--to", required=True, metavar="URL", help="postgresql://USER@HOST:PORT/DBNAME")
    p = _add(admin, "review", "record a carrier's decision on a template")
    p.add_argument("code", help="the template code")
    p.add_argument("--carrier", required=True, help="china_mobile, china_unicom or china_telecom")
    verdict = p.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--approve", action="store_true", help="the carrier approved it (this or --reject)")
    verdict.add_argument("--reject", action="store_true", help="the carrier rejected it; --reason says why")
    p.add_argument("--reason", help="why (shown to the customer)")
    tok = _group(admin, "token", "access tokens for the service: create, list, revoke", dest="sub_sub_command")
    # --role after `token create` once named the role granted; the global --role (who is at the
    # keyboard) goes before the command here, and --grant names the token's role.
    p = _add(tok, "create", "a new token, printed once: --account NAME (a customer of it) or --user NAME --grant "
             "agent|manager|admin", role=False)
    p.add_argument("--grant", choices=ROLES, metavar="ROLE",
                   help="the role the token grants: agent, manager or admin for a person (--user); a token for "
                        "an account (--account) grants customer, the default there")
    p.add_argument("--role", dest="deprecated_grant", choices=ROLES, default=None,
                   help="deprecated spelling of --grant, kept for one release")
    _add(tok, "list", "every token (id, prefix, who, role, created, revoked); never the secrets")
    p = _add(tok, "revoke", "revoke a token at once")
    p.add_argument("secret", metavar="TOKEN", help="the token itself, or its id from `admin token list`")


def _handoff(parent: argparse.ArgumentParser) -> None:
    hand = _children(parent)
    p = _add(hand, "create", "open a ticket; templates, signatures and sends named are looked up and attached")
    p.add_argument("--reason", help="what the manager should know, in your words")
    p.add_argument("--template", metavar="CODE", help="a template to attach")
    p.add_argument("--signature", metavar="NAME", help="a signature to attach")
    p.add_argument("--request-id", metavar="ID", help="request id of a failed send")
    p.add_argument("--send-date", metavar="DATE", help="planned send date (a pending review close to it is urgent)")
    p = _add(hand, "list", "the queue: urgent first, then oldest")
    p.add_argument("--status", choices=("open", "claimed", "waiting", "resolved"),
                   help="only the tickets of this status (default: every one not resolved)")
    for name, help_text in (("show", "the whole case, conversation included"), ("claim", "take a ticket"),
                            ("reply", "answer the customer"), ("answer", "the customer answers the manager"),
                            ("resolve", "close a ticket with a note"), ("export", "the case as Markdown or JSON"),
                            ("note", "an internal note for colleagues (never shown to the customer)"),
                            ("assign", "give a ticket to a colleague"), ("reopen", "put a resolved ticket back in the queue")):
        p = _add(hand, name, help_text)
        p.add_argument("id", help="ticket number")
        if name == "claim":
            p.add_argument("--by", metavar="NAME", help="who takes it (default: --user, else $USER; "
                                                         "through a service, the token's user)")
        if name == "reply":
            p.add_argument("text", nargs="+", help="what the customer reads")
            p.add_argument("--by", metavar="NAME", help="who replies (default as for `claim`)")
        if name == "answer":
            p.add_argument("text", nargs="+", help="what the manager reads")
        if name == "resolve":
            p.add_argument("--note", required=True, help="how it was solved (the customer reads it)")
            p.add_argument("--by", metavar="NAME", help="who resolves it (default as for `claim`)")
        if name == "export":
            p.add_argument("--format", choices=("md", "json"), default="md", help="Markdown (default) or JSON")
        if name == "note":
            p.add_argument("text", nargs="+", help="the note, for colleagues only")
            p.add_argument("--by", metavar="NAME", help="who writes it (default as for `claim`)")
        if name == "assign":
            p.add_argument("--to", metavar="NAME", required=True, help="the colleague who takes it")
        if name == "reopen":
            p.add_argument("--by", metavar="NAME", help="who reopens it (default as for `claim`)")


def _serve(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default: 8080)")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default: 1)")
    p.add_argument("--allow-simulated-clock", action="store_true",
                   help="let clients send their own time (--now), for demos and tests")
    p.add_argument("--notify", action="append", default=[], metavar="URL",
                   help="POST ticket events to URL (repeatable); FORMAT:URL picks the body: json, dingtalk, wecom, "
                        "feishu, slack (default: from the webhook's host, else json)")
    p.add_argument("--notify-secret", metavar="SECRET",
                   help="sign each notification (X-Assistant-Signature: sha256=HMAC); default $ASSISTANT_NOTIFY_SECRET")


# The commands in the order `assistant --help` lists them: name, help line, what adds its arguments.
_COMMANDS: tuple[tuple[str, str, Callable[[argparse.ArgumentParser], None] | None], ...] = (
    ("ask", "answer questions: one given as arguments, or one per line from standard input", _ask),
    ("eval", "measure the matcher on a YAML file of labelled questions, or play conversation stories", _eval),
    ("kb", "knowledge-base tools", _kb),
    ("enable", "enable digital messages for the account (eligible industries only)", None),
    ("signature", "signatures: submit, status, update", _signature),
    ("template", "templates: create, status", _template),
    ("send", "send a template to mobile numbers", _send),
    ("error", "explain an error code (or find one from its description)", _error),
    ("admin", "administration: accounts, packages, carrier decisions", _admin),
    ("handoff", "hand a case to a support manager, and the manager's queue", _handoff),
    ("inbox", "support managers' replies you have not read yet", None),
    ("serve", "run the HTTP service (needs the extra: pip install '.[server]')", _serve),
)


def _source(value: str) -> str:
    """A --source value in any spelling ("Trademark", "trade mark") or any word the conversation
    takes for it (企业, 商标, 应用: actions.yaml's slot type `source`); argparse then checks the choice."""
    from ..choices import pick

    return pick(value, {s: () for s in SOURCES}) or pick(value, _source_words()) or value


def _source_words() -> dict[str, tuple[str, ...]]:
    """The words for each signature source in the knowledge base ($ASSISTANT_KB, else the shipped
    one): read only when a --source is no English spelling, from actions.yaml alone (the whole
    knowledge base is not loaded to parse the command line); {} when it cannot be read."""
    import yaml

    from ..knowledge import resolve_dir

    try:
        data = yaml.safe_load((resolve_dir() / "actions.yaml").read_text(encoding="utf-8"))
        choices = data["slot_types"]["source"]["choices"]
        return {str(k): tuple(str(w) for w in v or ()) for k, v in choices.items() if str(k) in SOURCES}
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError):
        return {}


def _profile_options(p: argparse.ArgumentParser) -> None:
    for source in SOURCES:
        p.add_argument(f"--{source}", action="append", default=[], metavar="NAME",
                       help=f"registered {source} name (repeatable)")


def _directory(value: str) -> str:
    """A directory's name, never empty: an empty one would be read as the current directory."""
    if not value.strip():
        raise argparse.ArgumentTypeError("empty; name the directory to write to, e.g. merged-kb")
    return value


def _positive(value: str) -> int:
    """A whole number of 1 or more (argparse says the usage error with the option's name)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number}: give 1 or more")
    return number
