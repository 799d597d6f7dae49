"""Shared fixtures: the real shipped knowledge base, a router over it, and a CLI runner."""

from __future__ import annotations

import contextlib
import io
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from assistant import knowledge
from assistant.cli import main
from assistant.router import Router


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    """Prebuilt indexes go to the test run's temp dir, never to the user's cache: one for the whole
    session (set before any module's service starts, so those share it too). The suite pins the
    lexical model (the answers its tests expect); tests/test_encoder.py opts in to the encoder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASSISTANT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
        patch.setenv("ASSISTANT_ENCODER", "none")
        patch.setenv("XDG_DATA_HOME", str(tmp_path_factory.getbasetemp() / "data"))  # never the user's own files
        yield


@pytest.fixture(scope="session")
def kb() -> knowledge.KnowledgeBase:
    return knowledge.load()


@pytest.fixture(scope="session")
def router(kb) -> Router:
    return Router(kb)


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


class Runner:
    """Runs `assistant` in-process, like click's CliRunner: argv and stdin in, exit code and output out."""

    def __init__(self, env: dict[str, str], monkeypatch):
        self.env = env
        self.monkeypatch = monkeypatch

    def __call__(self, *argv: str, input: str | bytes = b"") -> Result:
        data = input.encode("utf-8") if isinstance(input, str) else input
        stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        code = main(list(argv), stdin=stdin, stdout=out, stderr=err)
        return Result(code, out.getvalue(), err.getvalue())


# Tests that start a real service, found by the fixtures they use: `-m "not service"` leaves them out.
SERVICE_FIXTURES = {"serve", "module_serve", "service"}


def pytest_collection_modifyitems(items):
    """Mark every test that starts `assistant serve` with `service`."""
    for item in items:
        if SERVICE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.service)


# --- storage backends ------------------------------------------------------------------------
# Tests that touch storage run on the SQLite file, and also on PostgreSQL when
# ASSISTANT_TEST_POSTGRES holds the URL of a server they may use: each test then gets a schema
# of its own in that database, dropped afterwards.

TEST_POSTGRES = os.environ.get("ASSISTANT_TEST_POSTGRES")
BACKENDS = ["sqlite"] + (["postgres"] if TEST_POSTGRES else [])


def schema_url(url: str, schema: str) -> str:
    """URL with SCHEMA first on the search path of every connection it opens."""
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The engine under test; a test marked `sqlite_only` (it checks the file itself) skips the server."""
    if request.param != "sqlite" and request.node.get_closest_marker("sqlite_only"):
        pytest.skip("checks the SQLite file itself")
    return request.param


@pytest.fixture
def db_target(backend, tmp_path):
    """Where a fresh database for this test lives: a file in tmp_path, or an empty PostgreSQL schema."""
    if backend == "sqlite":
        yield str(tmp_path / "assistant.db")
        return
    with postgres_schema() as url:
        yield url


@contextlib.contextmanager
def postgres_schema() -> Iterator[str]:
    """An empty schema of its own on the test server, as a URL; dropped with all it holds afterwards."""
    import psycopg

    schema = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(TEST_POSTGRES, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema_url(TEST_POSTGRES, schema)
    finally:
        with psycopg.connect(TEST_POSTGRES, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def run(tmp_path, monkeypatch, backend, request) -> Runner:
    """A CLI runner whose database and data directory live in a fresh temp dir (or a fresh PostgreSQL schema)."""
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "ASSISTANT_NOW": "2026-03-02T10:00:00"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in ("ASSISTANT_DB", "ASSISTANT_ACCOUNT", "ASSISTANT_KB", "ASSISTANT_SERVER", "ASSISTANT_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    if backend == "postgres":
        monkeypatch.setenv("ASSISTANT_DB", request.getfixturevalue("db_target"))
    return Runner(env, monkeypatch)


# --- the account model -----------------------------------------------------------------------

import datetime as dt  # noqa: E402

from assistant.actions.accounts import ensure_demo  # noqa: E402
from assistant.clock import FixedClock  # noqa: E402
from assistant.context import Context  # noqa: E402
from assistant.storage import open_store  # noqa: E402
from assistant.stories import png  # noqa: E402

MONDAY = dt.datetime(2026, 3, 2, 10, 0)  # a Monday with no holiday near it


png_bytes = png  # a real, decodable PNG image of the given size (assistant.stories.png)


MP4_BYTES = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


@pytest.fixture
def media(tmp_path):
    """Paths of real media files: an image, a legible letter, a video, and a text file named .png."""
    return write_media(tmp_path / "media")


def write_media(folder) -> dict[str, str]:
    """Write the `media` fixture's files into FOLDER (made here); their paths by kind."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"image": png_bytes(), "letter": png_bytes(800, 1000), "small_letter": png_bytes(120, 90),
             "video": MP4_BYTES, "fake": b"just text, not an image"}
    names = {"image": "banner.png", "letter": "letter.png", "small_letter": "tiny.png", "video": "clip.mp4",
             "fake": "photo.png"}
    paths = {}
    for key, data in files.items():
        (folder / names[key]).write_bytes(data)
        paths[key] = str(folder / names[key])
    return paths


class Clocked(Context):
    """A context whose fixed clock the test can move."""

    def at(self, when: dt.datetime | str) -> Clocked:
        self.clock = FixedClock(when if isinstance(when, dt.datetime) else dt.datetime.fromisoformat(when))
        return self

    def later(self, **delta) -> Clocked:
        return self.at(self.clock.now() + dt.timedelta(**delta))


@pytest.fixture
def store(db_target):
    """A fresh database at the current schema, on each backend under test."""
    s = open_store(db_target)
    yield s
    s.close()


@pytest.fixture
def ctx(store, kb) -> Clocked:
    """The demo account on a fresh database file, at 10:00 on a Monday."""
    context = Clocked(store, kb, FixedClock(MONDAY), "demo", "customer")
    ensure_demo(context)
    return context


@pytest.fixture
def live(ctx, media):
    """Demo with AcmeShop registered and DIGITAL_SMS_0001 (Hi ${name}) approved by all three carriers;
    it is Friday 20 March 2026."""
    return made_live(ctx, media)


def made_live(ctx: Clocked, media: dict[str, str]) -> Clocked:
    """CTX (demo at 10:00 on a Monday, on any database: a service's too) made `live`."""
    from assistant.actions import accounts, signatures, templates

    accounts.enable(ctx)
    signatures.submit(ctx, "AcmeShop", "trademark")
    ctx.at("2026-03-17T10:00")
    templates.create(ctx, "Spring sale", "AcmeShop", "e-commerce", "Hi ${name}, the sale is on", [media["image"]])
    ctx.at("2026-03-20T10:00")
    return ctx


def on_a_terminal(conversation, keys: str, columns: int) -> list[str]:
    """The lines a terminal COLUMNS wide shows of CONVERSATION's answers (embedded or remote) while KEYS are
    typed into the real shell, its tables fitted to it as the CLI fits them (escape codes and the prompt's
    own lines taken out)."""
    import re

    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output

    from assistant import render
    from assistant.repl import Shell

    stream = io.StringIO()
    output = Vt100_Output(stream, lambda: Size(rows=40, columns=columns), term="xterm")
    render.WIDTH = columns          # as the CLI sets it from a terminal of that width
    try:
        with create_pipe_input() as pipe:
            shell = Shell(conversation, input=pipe, output=output)
            pipe.send_text(keys)
            pipe.close()
            shell.run()
    finally:
        render.WIDTH = None
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|[\r\x1b]", "", stream.getvalue())
    return [line for line in shown.split("\n") if "demo>" not in line and "[是/否]" not in line]


# --- the service -----------------------------------------------------------------------------

import contextlib  # noqa: E402
import json as _json  # noqa: E402
import os  # noqa: E402
import urllib.error  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402

from assistant.server.process import ServiceProcess  # noqa: E402


class Server(ServiceProcess):
    """A real `assistant serve` on a free loopback port, in its own process, over database DB."""

    def token(self, *who: str) -> str:
        """A new token made against the database directly, e.g. token("--account", "demo")."""
        out = io.StringIO()
        assert main(["--db", self.db, "admin", "token", "create", *who], stdout=out, stderr=io.StringIO()) == 0
        return out.getvalue().strip()

    def call(self, method: str, path: str, token: str | None = None, body=None, headers: dict | None = None,
             data: bytes | None = None, content_type: str | None = None) -> tuple[int, object]:
        """METHOD PATH; the status and the decoded JSON answer."""
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        if body is not None:
            data, content_type = _json.dumps(body).encode(), "application/json"
        if content_type:
            sent["Content-Type"] = content_type
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, _json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, _json.loads(exc.read() or b"null")



@contextlib.contextmanager
def fresh_database(tmp_path):
    """A new, empty database for one service: a fresh PostgreSQL database on the server of
    $ASSISTANT_TEST_POSTGRES (dropped afterwards) when it is set, else a SQLite file in TMP_PATH."""
    base = os.environ.get("ASSISTANT_TEST_POSTGRES")
    if not base:
        tmp_path.mkdir(parents=True, exist_ok=True)  # an explicit --db must be in a directory that exists
        yield str(tmp_path / "service.db")
        return
    psycopg = pytest.importorskip("psycopg", reason="ASSISTANT_TEST_POSTGRES needs the postgres extra")
    name = f"assistant_service_{uuid.uuid4().hex[:16]}"  # unique across xdist workers and quick succession
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(base)
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# How long a test waits for its service to answer: the product's 30 s is too short for a start on a
# machine many test runs share; what the tests prove does not depend on how long the start takes.
SERVICE_START_S = 180


def _listening(db: str, *flags: str, env: dict[str, str] | None = None, tries: int = 3) -> Server:
    """A Server on DB; started again on another free port if one was taken between the probe and the
    service's own bind (another xdist worker, or another program, starting a service at that moment)."""
    from assistant.errors import UserError

    for _ in range(tries - 1):
        try:
            return Server(db, *flags, env=env, wait_s=SERVICE_START_S)
        except UserError as exc:
            if "already in use" not in str(exc):
                raise
    return Server(db, *flags, env=env, wait_s=SERVICE_START_S)


@contextlib.contextmanager
def _services(folder):
    """A `start(*flags, env=...) -> Server` on a fresh database under FOLDER; every service stopped on exit."""
    pytest.importorskip("fastapi", reason="the service needs the extra: pip install '.[server]'")
    started: list[Server] = []
    with contextlib.ExitStack() as stack:
        def start(*flags: str, env: dict[str, str] | None = None) -> Server:
            db = stack.enter_context(fresh_database(folder / f"s{len(started)}"))
            # its own data directory: what a service keeps beside a server database (learned phrasings)
            # is never another test's, nor the user's
            data = {"XDG_DATA_HOME": str(folder / f"s{len(started)}-data")}
            started.append(_listening(db, *flags, env={**data, **(env or {})}))
            stack.callback(started[-1].stop)
            return started[-1]
        yield start


@pytest.fixture
def serve(tmp_path):
    """Start services: serve(*flags, env=...) -> Server on a fresh database; all stopped at the end."""
    with _services(tmp_path) as start:
        yield start


@pytest.fixture(scope="module")
def module_serve(tmp_path_factory):
    """Like `serve`, for services the tests of one module share (each a process and a database fewer
    per test): only for tests that change nothing another test of the module looks at."""
    with _services(tmp_path_factory.mktemp("services")) as start:
        yield start
