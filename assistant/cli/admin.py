"""`assistant admin`: accounts, top-ups, carrier decisions, the move to PostgreSQL and access tokens."""

from __future__ import annotations

import argparse
import os

from ..errors import UserError
from ..render import to_json
from ..rules import SOURCES
from .parser import UsageError
from .shell import Shell, command


@command("admin account create")
def cmd_account_create(opts: argparse.Namespace, sh: Shell) -> int:
    from ..render import account_text

    names = {s: getattr(opts, s) for s in SOURCES}
    sh.emit(sh.ops.account_create(opts.name, opts.industry, names, opts.digital, opts.sms), account_text)
    return 0


@command("admin account update")
def cmd_account_update(opts: argparse.Namespace, sh: Shell) -> int:
    from ..render import account_text

    names = {s: getattr(opts, s) for s in SOURCES}
    sh.emit(sh.ops.account_update(opts.name, opts.industry, names), account_text)
    return 0


@command("admin account show")
def cmd_account_show(opts: argparse.Namespace, sh: Shell) -> int:
    from ..render import account_text

    sh.emit(sh.ops.account_show(opts.name), account_text)
    return 0


@command("admin account list")
def cmd_account_list(opts: argparse.Namespace, sh: Shell) -> int:
    from ..render import table

    items = sh.ops.account_list()
    sh.emit(items, lambda rows: table([(a["name"], a["industry"], "yes" if a["enabled"] else "no",
                                        a["packages"]["digital"], a["packages"]["sms"]) for a in rows],
                                      ("account", "industry", "enabled", "digital", "sms")))
    return 0


@command("admin topup")
def cmd_topup(opts: argparse.Namespace, sh: Shell) -> int:
    from ..render import account_text

    sh.emit(sh.ops.topup(opts.name, opts.digital, opts.sms), account_text)
    return 0


@command("admin migrate")
def cmd_migrate(opts: argparse.Namespace, sh: Shell) -> int:
    """Copy the embedded database (--db) into an empty PostgreSQL database (--to)."""
    from ..paths import database_target
    from ..render import table
    from ..storage import is_server_url, open_store

    source_path = database_target(opts.db)
    if is_server_url(source_path):
        raise UserError("admin migrate copies an embedded database file into PostgreSQL; point --db at the file")
    if not is_server_url(opts.to):
        raise UserError(f"--to must be a postgresql:// URL, not '{opts.to}'")
    if not source_path.is_file():
        raise UserError(f"no database file at {source_path}; point --db at the file to copy")
    source, target = open_store(source_path), open_store(opts.to)
    try:
        from ..storage.transfer import copy_database, shown

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
    from ..render import template_text

    sh.emit(sh.ops.review(opts.code, opts.carrier, opts.approve, opts.reason),
            lambda s: template_text(s, sh.carriers))
    return 0


@command("admin token create")
def cmd_token_create(opts: argparse.Namespace, sh: Shell) -> int:
    """A new token for an account (--account, a customer) or a person (--user, the role --grant names).

    The global --role says who is at the keyboard (through a service it must match the caller's
    token); the role the new token grants is --grant. `--role` after `token create` once meant the
    latter and is kept for a release with a warning.
    """
    grant = _granted_role(opts, sh)
    if bool(opts.account) == bool(opts.user):
        raise UsageError("say who the token is for: --account NAME (a customer) or --user NAME --grant agent|manager|admin")
    if opts.user and grant in (None, "customer"):
        raise UsageError("a person's token (--user) is for an agent, a manager or an admin; add --grant agent, "
                         "manager or admin (a customer's token is made with --account NAME)")
    if opts.account and grant not in (None, "customer"):
        raise UsageError(f"a customer token (--account) cannot grant {grant}; drop --grant, "
                         "or use --user NAME --grant ROLE")
    if not sh.remote:  # the owner of the database file is the root of trust
        sh.ctx.actor = f"admin:{os.environ.get('USER') or 'owner'}"
    result = sh.ops.token_create(opts.account, opts.user, None if opts.account else grant)
    if opts.json:
        sh.out(to_json({"token": result["token"]}))
    else:
        sh.out(result["token"])
        who = f"a customer of {result['account']}" if result["account"] else f"{result['user']} ({result['role']})"
        sh.stderr.write(f"Token #{result['id']} for {who}; it is shown only this once, keep it secret.\n")
    return 0


def _granted_role(opts: argparse.Namespace, sh: Shell) -> str | None:
    """--grant, else the deprecated command-level --role (with a warning on stderr); None when neither."""
    grant, old = getattr(opts, "grant", None), getattr(opts, "deprecated_grant", None)
    if old is None:
        return grant
    sh.stderr.write("warning: --role on `admin token create` is deprecated; use --grant\n")
    if grant is not None and grant != old:
        raise UsageError(f"--grant {grant} and --role {old} disagree; give --grant only")
    return old


@command("admin token list")
def cmd_token_list(opts: argparse.Namespace, sh: Shell) -> int:
    from ..render import table

    sh.emit(sh.ops.token_list(), lambda rows: table(
        [(r["id"], r["prefix"] + "...", r["role"], r["account"] or r["user"], r["created_at"], r["revoked_at"] or "")
         for r in rows], ("id", "token", "role", "for", "created", "revoked")) if rows else "No tokens yet.")
    return 0


@command("admin token revoke")
def cmd_token_revoke(opts: argparse.Namespace, sh: Shell) -> int:
    sh.emit(sh.ops.token_revoke(opts.secret), lambda r: f"Token #{r['id']} ({r['prefix']}...) is revoked.")
    return 0
