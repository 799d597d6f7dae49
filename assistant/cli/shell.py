"""What every command gets (`Shell`) and how a command's function is registered (`command`)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from .. import knowledge
from ..errors import UserError
from ..render import to_json

# Filled as each command module is imported: "kb check" -> its function (the table of which module
# holds which command is `assistant.cli.COMMANDS`).
IMPLEMENTATIONS: dict[str, Callable[[argparse.Namespace, Any], int]] = {}


def command(name: str) -> Callable:
    """Register the function that runs command NAME (e.g. "kb check")."""
    def register(fn: Callable) -> Callable:
        IMPLEMENTATIONS[name] = fn
        return fn
    return register


class Shell:
    """What a command gets: the parsed options, the streams, and lazily built core objects."""

    def __init__(self, opts: argparse.Namespace, stdin: IO, stdout: IO, stderr: IO):
        self.opts = opts
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self._router = None
        self._learned = None
        self._ctx = None
        self._ops = None

    @property
    def remote(self) -> bool:
        """Whether commands go to a service (--server / $ASSISTANT_SERVER) instead of a local database."""
        return bool(self.opts.server or os.environ.get("ASSISTANT_SERVER"))

    @property
    def lang(self) -> str:
        """--lang, else $ASSISTANT_LANG, else auto (checked as a usage error before any command runs)."""
        from ..lang import setting

        return setting(self.opts.lang)

    @property
    def ops(self):
        """The operations, on the local database or through the service."""
        if self._ops is None:
            if self.remote:
                from ..client import RemoteOps

                self._ops = RemoteOps.from_options(self.opts)
            else:
                from ..ops import LocalOps

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
            from ..actions.accounts import ensure_demo
            from ..clock import from_setting
            from ..context import Context
            from ..learned import sync
            from ..storage import open_store

            store = open_store(self.opts.db)
            try:
                mirror = sync(store)  # one cheap query: the mirror a cached `ask` reads is kept current
                if self._router is None:
                    self._learned = mirror.learned
                self._ctx = Context(store, self.kb, from_setting(self.opts.now),
                                    self.opts.account or os.environ.get("ASSISTANT_ACCOUNT") or "demo",
                                    self.opts.actor, self.opts.role)
            except BaseException:
                store.close()
                raise
            ensure_demo(self._ctx)
        return self._ctx

    @property
    def carriers(self) -> dict[str, str]:
        from ..ops import carriers_of

        return carriers_of(self.kb)

    @property
    def router(self):
        if self._router is None:
            from ..cache import load_router

            directory = knowledge.resolve_dir(self.opts.kb)
            if not (directory / "faq.yaml").is_file():
                raise UserError(f"no faq.yaml in {directory}; point --kb at a knowledge-base directory")
            self._router = load_router(directory, self.learned)
            if self._router.warning:
                self.stderr.write(f"warning: {self._router.warning}\n")
        return self._router

    @property
    def learned(self) -> dict[str, list[str]]:
        """The phrasings the database has learned (`kb learn`), from its local mirror: a start that
        answers from the cached index opens no database. Empty for a shell working through a service
        (the service answers with its database's)."""
        if self._learned is None:
            self._learned = {} if self.remote else self._mirrored()
        return self._learned

    def _mirrored(self) -> dict[str, list[str]]:
        from ..errors import Unavailable
        from ..learned import mirrored
        from ..paths import database_target

        def open_store():
            from ..storage import open_store

            return open_store(self.opts.db)
        try:
            return mirrored(database_target(self.opts.db), open_store).learned
        except Unavailable as exc:  # a server down: still answer, from the knowledge base alone
            from ..sanitize import one_line

            self.stderr.write(f"warning: learned phrasings not read: {one_line(exc)}\n")
            return {}

    def read_learned(self) -> None:
        """Read the learned phrasings from the database itself (the mirror refreshed), before the router
        is built: for `kb export`, which must not miss one taught on another machine."""
        if self.remote:
            return
        from ..learned import sync
        from ..paths import database_target, is_server_url
        from ..storage import open_store

        target = database_target(self.opts.db)
        if not is_server_url(target) and not os.path.exists(target):
            self._learned = {}
            return
        store = open_store(self.opts.db)
        try:
            self._learned = sync(store).learned
        finally:
            store.close()
        self._router = None

    def gap_log(self):
        """A buffer for knowledge-gap rows; the database is opened only if a gap is logged."""
        from ..gaps import GapLog

        def open_store():
            return self.ctx.store, self.ctx.account, self.ctx.now()
        return GapLog(open_store, self.kb.thresholds.low_confidence, keep=self.kb.thresholds.gap_log_rows)

    def out(self, text: str = "") -> None:
        """Write TEXT and a newline; every control character not a line break is neutralised on the way."""
        from ..sanitize import safe

        self.stdout.write(safe(text) + "\n")

    @contextmanager
    def gathered(self) -> Iterator[None]:
        """What `out` writes meanwhile, written at the end in one piece and flushed (even when
        something raised): lines answered together are shown together."""
        import io

        real, self.stdout = self.stdout, io.StringIO()
        try:
            yield
        finally:
            text, self.stdout = self.stdout.getvalue(), real
            real.write(text)
            real.flush()

    def emit(self, data: Any, text: Callable[[Any], str]) -> None:
        """Print DATA as JSON with --json, else as TEXT(DATA)."""
        self.out(to_json(data) if self.opts.json else text(data))
