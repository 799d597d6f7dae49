"""`assistant serve` in a process of its own on a free loopback port: for the tests and the benchmark.

Both need the real service (a real uvicorn, real sockets) rather than an in-process client, and
both must wait for it to answer before they start, and stop it whatever happens.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from ..errors import UserError

# Settings of the calling environment that would point the service somewhere else.
_NOT_INHERITED = ("ASSISTANT_NOW", "ASSISTANT_SERVER", "ASSISTANT_TOKEN")


class ServiceProcess:
    """`assistant serve --db DB FLAGS...` on 127.0.0.1 and a free port; `stop()` ends it.

    With DB None no --db is passed, so the service finds its database as a user's would ($ASSISTANT_DB
    in ENV, else the default file); CWD is the directory it runs in (default: this process's).
    """

    def __init__(self, db: str | None, *flags: str, env: dict[str, str] | None = None, wait_s: float = 30,
                 cwd: str | os.PathLike | None = None):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.db, self.url = db, f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop); a file, not a pipe nobody reads
        environ = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
        where = ["--db", db] if db else []
        self.process = subprocess.Popen([sys.executable, "-m", "assistant", *where, "--role", "admin", "serve",
                                         "--port", str(self.port), *flags], env={**environ, **(env or {})},
                                        stdout=subprocess.DEVNULL, stderr=self.log, cwd=cwd)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise UserError(f"the service did not start: {self.stderr()}")
            try:
                urllib.request.urlopen(self.url + "/openapi.json", timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise UserError(f"the service did not answer within {wait_s:g} s; see `assistant serve --help`")

    def stderr(self) -> str:
        """What the service has written to its standard error so far."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace").strip()

    def stop(self) -> None:
        """End the service (terminate, then kill after 10 s) and close its log."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
