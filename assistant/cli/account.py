"""The account model as a customer drives it: `enable`, signatures, templates, `error`."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ..render import to_json
from .shell import Shell, command


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
    from ..render import signature_text, warnings_text

    status = sh.ops.signature_submit(opts.name, opts.source)
    sh.emit(status, lambda s: "Submitted for real-name registration with all three carriers.\n"
                              + signature_text(s, sh.carriers) + warnings_text(s))
    return 0


@command("signature update")
def cmd_signature_update(opts: argparse.Namespace, sh: Shell) -> int:
    from ..render import signature_text, warnings_text

    status = sh.ops.signature_update(opts.name, opts.source)
    sh.emit(status, lambda s: "Resubmitted; a new review has started.\n" + signature_text(s, sh.carriers)
            + warnings_text(s))
    return 0


@command("signature status")
def cmd_signature_status(opts: argparse.Namespace, sh: Shell) -> int:
    from ..render import signature_text

    return _statuses(sh, sh.ops.signature_status(opts.name), bool(opts.name),
                     lambda s: signature_text(s, sh.carriers),
                     "No signatures yet. Submit one with `assistant signature submit NAME --source S`.")


@command("template create")
def cmd_template_create(opts: argparse.Namespace, sh: Shell) -> int:
    from ..render import template_text, warnings_text

    status = sh.ops.template_create(opts.name, opts.signature, opts.industry, opts.text, opts.media, opts.letter)
    sh.emit(status, lambda s: f"Created {s['code']} and submitted it to the three carriers.\n"
                              + template_text(s, sh.carriers) + warnings_text(s))
    return 0


@command("template status")
def cmd_template_status(opts: argparse.Namespace, sh: Shell) -> int:
    from ..render import template_text

    return _statuses(sh, sh.ops.template_status(opts.code), bool(opts.code),
                     lambda s: template_text(s, sh.carriers),
                     "No templates yet. Create one with `assistant template create`.")


@command("error")
def cmd_error(opts: argparse.Namespace, sh: Shell) -> int:
    from ..lang import choose
    from ..render import error_text

    query = " ".join(opts.query)
    lang = choose(sh.lang, query)   # "assistant error 余额不足" is answered in Chinese, as `ask` would
    found = sh.ops.error(query)
    # the catalogue's labels (a local lookup loaded it already; through a service, the same labels from the
    # knowledge base this CLI ships with)
    kb = None if lang == "en" else sh.kb
    sh.emit(found, lambda f: error_text(f, lang, kb))
    return 0
