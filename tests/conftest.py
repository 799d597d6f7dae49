"""Shared fixtures: the real shipped knowledge base, a router over it, and a CLI runner."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest

from assistant import knowledge
from assistant.cli import main
from assistant.router import Router


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


@pytest.fixture
def run(tmp_path, monkeypatch) -> Runner:
    """A CLI runner whose database and data directory live in a fresh temp dir."""
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "ASSISTANT_NOW": "2026-03-02T10:00:00"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in ("ASSISTANT_DB", "ASSISTANT_ACCOUNT", "ASSISTANT_KB"):
        monkeypatch.delenv(key, raising=False)
    return Runner(env, monkeypatch)
