"""`assistant serve`: the HTTP service over a local database."""

from __future__ import annotations

import argparse
import os

from ..errors import UserError
from .parser import UsageError
from .shell import Shell, command


@command("serve")
def cmd_serve(opts: argparse.Namespace, sh: Shell) -> int:
    try:
        from ..server.app import run
        from ..server.settings import Settings
    except ImportError:
        from ..server import MISSING

        sh.stderr.write(MISSING + "\n")
        return 1
    if sh.remote:
        raise UserError("`serve` runs a service on a local database; unset ASSISTANT_SERVER (or drop --server)")
    if not 0 < opts.port < 65536:
        raise UsageError(f"--port {opts.port} is no port; give one between 1 and 65535 (default 8080)")
    if opts.workers < 1:
        raise UsageError(f"--workers {opts.workers} is too few; give 1 or more (default 1)")
    if opts.now:
        raise UsageError("the service keeps the real time; drop --now (clients may send theirs with --allow-simulated-clock)")
    if os.environ.get("ASSISTANT_NOW"):   # read by every other command: here it would be ignored, silently
        raise UsageError("the service keeps the real time; unset ASSISTANT_NOW "
                         "(clients may send theirs as X-Assistant-Now with --allow-simulated-clock)")
    import dataclasses

    from ..paths import database_target

    db = str(database_target(opts.db))  # a URL as given (from --db or $ASSISTANT_DB), never folded into a path

    from ..notify import targets as notify_targets

    targets = notify_targets(opts.notify)
    secret = opts.notify_secret or os.environ.get("ASSISTANT_NOTIFY_SECRET") or None
    settings = dataclasses.replace(Settings.from_env(), db=db, kb=opts.kb, allow_simulated_clock=opts.allow_simulated_clock)
    return run(opts.host, opts.port, opts.workers, settings, lambda text: sh.stderr.write(text + "\n"),
               notify=targets, notify_secret=secret)
