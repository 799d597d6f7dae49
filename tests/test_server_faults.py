"""The service when its database fails (a real uvicorn on loopback, a real SQLite file or PostgreSQL):
503 with Retry-After and no URL, host, port or path; the event loop never waits on the database;
the health probes; stale connections after a restart; a turn's action and state kept together."""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from conftest import Server, fresh_database

pytest.importorskip("fastapi", reason="the service needs the extra: pip install '.[server]'")

UNAVAILABLE = "the service cannot reach its database right now; nothing was changed; try again in a few seconds"
NOW = {"X-Assistant-Now": "2026-03-20T10:00"}


def fetch(server, method: str, path: str, token: str | None = None, body=None, timeout: float = 60):
    """METHOD PATH: (status, headers, decoded JSON or None, seconds taken)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    request = urllib.request.Request(server.url + path, data=data, method=method, headers={**headers, **NOW})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw, status, got = response.read(), response.status, response.headers
    except urllib.error.HTTPError as exc:
        raw, status, got = exc.read(), exc.code, exc.headers
    text = raw.decode()
    answer = json.loads(text) if got.get("content-type", "").startswith("application/json") else text
    return status, got, answer, time.monotonic() - started


def assert_quick_probes(server) -> None:
    """The documents and liveness answer in under a second, whatever the database does."""
    for path in ("/healthz", "/openapi.json", "/docs"):
        status, _, _, took = fetch(server, "GET", path, timeout=5)
        assert status == 200 and took < 1.0, (path, status, took)


def test_health_probes_answer_and_readiness_checks_the_database(serve):
    server = serve()
    status, _, answer, _ = fetch(server, "GET", "/healthz")
    assert status == 200 and answer == {"status": "ok"}
    status, _, answer, _ = fetch(server, "GET", "/readyz")
    assert status == 200 and answer == {"status": "ready"}


@pytest.fixture
def sqlite_server(tmp_path):
    server = Server(str(tmp_path / "service.db"), "--allow-simulated-clock")
    yield server
    server.stop()


def test_a_database_held_by_another_writer_is_a_503_naming_no_path_and_blocks_nothing_else(sqlite_server):
    server = sqlite_server
    token = server.token("--account", "demo")
    holder = sqlite3.connect(server.db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing for longer than the busy timeout
    try:
        result: list = []
        writer = threading.Thread(target=lambda: result.append(
            fetch(server, "POST", "/v1/tickets", token, {"reason": "help"})))
        writer.start()
        time.sleep(0.5)
        assert_quick_probes(server)            # the write waits in the thread pool, not on the event loop
        status, _, answer, _ = fetch(server, "GET", "/v1/account", token)
        assert status == 200 and answer["name"] == "demo"   # readers are not held up either
        writer.join(60)
        status, headers, answer, took = result[0]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert status == 503 and headers["Retry-After"] == "2" and answer["error"] == UNAVAILABLE
    assert answer["hint"] == "try again in a few seconds" and 9 <= took < 30
    assert "service.db" not in json.dumps(answer) and "/" not in answer["error"]
    assert "service.db" in server.stderr() and "Traceback" not in server.stderr()  # the log keeps the detail
    assert fetch(server, "POST", "/v1/tickets", token, {"reason": "help"})[0] == 200


# --- PostgreSQL: a server that hangs, a server that restarts ------------------------------------------


class FreezableProxy:
    """A TCP relay on loopback in front of the PostgreSQL server, that can stop relaying (a hung
    server, as a SIGSTOP leaves it: connections accepted, nothing answered) or cut every connection
    (a restart). The shared server itself is never touched."""

    def __init__(self, host: str, port: int):
        self.upstream = (host, port)
        self.relaying = threading.Event()
        self.relaying.set()
        self.links: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.links += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self.relaying.wait()
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Close every relayed connection, as a server restart does."""
        for link in self.links:
            with contextlib.suppress(OSError):
                link.shutdown(socket.SHUT_RDWR)
        self.links.clear()

    def close(self) -> None:
        self.relaying.set()
        self.listener.close()
        self.cut()


@pytest.fixture
def proxied(tmp_path):
    """A service whose database URL goes through a FreezableProxy: (server, proxy)."""
    import os

    if not os.environ.get("ASSISTANT_TEST_POSTGRES"):
        pytest.skip("needs ASSISTANT_TEST_POSTGRES")
    with fresh_database(tmp_path) as direct:
        parts = urllib.parse.urlsplit(direct)
        proxy = FreezableProxy(parts.hostname, parts.port)
        via = urllib.parse.urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))
        server = Server(via, "--allow-simulated-clock")
        server.db = direct  # tokens are made directly, not through the proxy
        try:
            yield server, proxy
        finally:
            proxy.close()
            server.stop()


def test_a_hung_database_server_blocks_neither_the_documents_nor_the_probes_and_ends_in_a_503(proxied):
    server, proxy = proxied
    token = server.token("--account", "demo")
    assert fetch(server, "GET", "/v1/account", token)[0] == 200
    proxy.relaying.clear()
    try:
        result: list = []
        caller = threading.Thread(target=lambda: result.append(fetch(server, "GET", "/v1/account", token)))
        caller.start()
        time.sleep(0.5)
        assert_quick_probes(server)
        status, headers, answer, took = fetch(server, "GET", "/readyz")
        assert status == 503 and headers["Retry-After"] == "2" and took < 3.5
        status, _, _, took = fetch(server, "GET", "/readyz")   # the first check is still stuck: no new wait
        assert status == 503 and took < 1.0
        caller.join(60)
        status, headers, answer, took = result[0]
        assert status == 503 and answer["error"] == UNAVAILABLE and took < 30
        assert str(proxy.port) not in json.dumps(answer) and "127.0.0.1" not in json.dumps(answer)
    finally:
        proxy.relaying.set()
    assert fetch(server, "GET", "/v1/account", token)[0] == 200     # and it recovers by itself
    assert "Traceback" not in server.stderr()


def test_after_a_database_restart_no_request_fails(proxied):
    server, proxy = proxied
    token = server.token("--account", "demo")
    assert fetch(server, "POST", "/v1/tickets", token, {"reason": "before"})[0] == 200
    for _ in range(3):
        proxy.cut()  # every pooled connection of the service is now stale
        assert [fetch(server, "GET", "/v1/inbox", token)[0], fetch(server, "GET", "/v1/account", token)[0],
                fetch(server, "POST", "/v1/ask", token, {"question": "what is td"})[0]] == [200, 200, 200]


def test_a_turn_whose_state_cannot_be_saved_keeps_nothing_and_a_repeated_yes_acts_once(sqlite_server):
    server = sqlite_server
    token = server.token("--account", "demo")
    conv = fetch(server, "POST", "/v1/conversations", token)[2]["id"]
    status, _, view, _ = fetch(server, "POST", f"/v1/conversations/{conv}/messages", token,
                               {"text": "enable digital messages"})
    assert status == 200 and view["waiting"]["kind"] == "confirm"
    db = sqlite3.connect(server.db, isolation_level=None)
    try:  # the state's save fails after the action ran in the same turn (injected: a trigger)
        db.execute("CREATE TRIGGER refuse_save BEFORE UPDATE ON conversations BEGIN SELECT RAISE(ABORT, 'injected'); END")
        status, _, answer, _ = fetch(server, "POST", f"/v1/conversations/{conv}/messages", token, {"text": "yes"})
        assert status == 500 and "injected" not in json.dumps(answer)
        assert fetch(server, "GET", "/v1/account", token)[2]["enabled_at"] is None   # the action went with it
        db.execute("DROP TRIGGER refuse_save")
        status, _, view, _ = fetch(server, "POST", f"/v1/conversations/{conv}/messages", token, {"text": "yes"})
        assert status == 200 and "Digital messages are now enabled." in json.dumps(view)
        status, _, view, _ = fetch(server, "POST", f"/v1/conversations/{conv}/messages", token, {"text": "yes"})
        assert status == 200 and "now enabled" not in json.dumps(view)    # a repeated yes does not act again
        done = db.execute("SELECT COUNT(*) FROM audit WHERE action = 'enable' AND result = 'ok'").fetchone()[0]
        assert done == 1 and fetch(server, "GET", "/v1/account", token)[2]["enabled_at"] is not None
    finally:
        db.close()


def test_stalled_uploads_are_answered_408_and_closed(serve):
    server = serve("--allow-simulated-clock", env={"ASSISTANT_SERVE_READ_TIMEOUT_S": "1"})
    token = server.token("--account", "demo")
    stalled = []
    for _ in range(20):  # each announces 1,000 bytes and sends 10, then nothing
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        raw.sendall(f"POST /v1/ask HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                    "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"questio".encode())
        stalled.append(raw)
    started = time.monotonic()
    for raw in stalled:
        reply = b""
        while chunk := raw.recv(4096):   # read to the end: the service closes the connection
            reply += chunk
        raw.close()
        head, _, body = reply.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408") and json.loads(body)["error"].startswith("the request body stalled for 1 s")
    assert time.monotonic() - started < 8
    assert fetch(server, "POST", "/v1/ask", token, {"question": "what is td"})[0] == 200   # others are served
