"""The installed console script, run as a separate process from an unrelated directory."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("assistant")
pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="the assistant console script is not installed")


@pytest.fixture(scope="session")
def _script_cache(tmp_path_factory) -> str:
    """The script's index under an $XDG_CACHE_HOME in the test run's temp dir (never the user's own),
    built once here, as the script builds it (with the encoder when the extra is installed), so that
    the terminal tests' 30 s waits time the conversation and not a first build on a busy machine."""
    folder = str(tmp_path_factory.getbasetemp() / "xdg-cache")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(XDG_CACHE_HOME=folder, XDG_DATA_HOME=str(tmp_path_factory.getbasetemp() / "xdg-data"))
    built = subprocess.run([str(SCRIPT), "ask", "--json", "how long does signature review take"], env=env,
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    return folder


@pytest.fixture(autouse=True)
def _shared_script_cache(_script_cache, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", _script_cache)


def _run(args, tmp_path, input=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), ASSISTANT_NOW="2026-03-02T10:00:00")
    return subprocess.run(args, cwd=tmp_path, env=env, input=input, capture_output=True, text=True, timeout=120)


def test_installed_script_finds_the_shipped_knowledge_base_from_anywhere(tmp_path):
    result = _run([str(SCRIPT), "ask", "--json", "how long does signature review take"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["entry"] == "signature-review-time"


def test_python_dash_m_runs_the_same_cli(tmp_path):
    result = _run([sys.executable, "-m", "assistant", "kb", "check"], tmp_path)
    assert result.returncode == 0 and "OK" in result.stdout


def test_piped_questions_are_answered_in_plain_text(tmp_path):
    result = _run([str(SCRIPT), "ask"], tmp_path, input="what is td\nhow do i enable digital messages\n")
    assert result.returncode == 0
    assert "do not support opt-out" in result.stdout and "Eligible industries" in result.stdout


def test_the_repl_in_a_pseudo_terminal_reads_like_a_conversation(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), ASSISTANT_NOW="2026-03-02T10:00:00", TERM="xterm", NO_COLOR="1",
               PROMPT_TOOLKIT_NO_CPR="1")  # pexpect is no terminal emulator: it cannot answer cursor queries
    child = pexpect.spawn(str(SCRIPT), cwd=str(tmp_path), env=env, encoding="utf-8", timeout=30,
                          dimensions=(40, 160))
    try:
        child.expect("Digital Message assistant")
        child.expect("demo>")
        child.sendline("how long does signature review take")
        child.expect("7–10 business days")
        child.expect(r"\[y/N\]")
        child.sendline("n")
        child.expect("OK.")
        child.expect("demo>")
        child.sendline("enable digital messages")
        child.expect("Go ahead")
        child.sendline("y")
        child.expect("now enabled")
        # the next step is offered, and a pending yes/no is the prompt itself ("... now? [y/N]: ");
        # Ctrl-D before the prompt is up would go to the line discipline, not to us
        child.expect(r"\[y/N\]:")
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_ctrl_d_quits_at_once_after_an_offer_on_a_terminal_that_never_answers_cursor_queries(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "PROMPT_TOOLKIT_"))}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), ASSISTANT_NOW="2026-03-02T10:00:00", TERM="xterm", NO_COLOR="1")
    for _ in range(3):
        child = pexpect.spawn(str(SCRIPT), cwd=str(tmp_path), env=env, encoding="utf-8", timeout=30,
                              dimensions=(30, 50))
        child.logfile_read = screen = io.StringIO()
        try:
            child.expect("demo>")
            child.sendline("how do I enable digital messages")
            child.expect(r"\[y/N\]:")   # the offer is the prompt itself (wrapped at 50 columns: match its end)
            started = time.monotonic()
            child.sendcontrol("d")
            child.expect(pexpect.EOF, timeout=3)
            assert time.monotonic() - started < 2
            assert "\x1b[6n" not in screen.getvalue()   # no cursor-position request the terminal would have to answer
        finally:
            child.close()


def test_a_line_that_is_not_utf8_at_the_terminal_does_not_end_the_session(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), ASSISTANT_NOW="2026-03-02T10:00:00", TERM="xterm", NO_COLOR="1",
               PROMPT_TOOLKIT_NO_CPR="1")
    child = pexpect.spawn(str(SCRIPT), cwd=str(tmp_path), env=env, timeout=30, dimensions=(40, 160))
    try:
        child.expect(b"demo>")
        child.send(b"caf\xe9 \xff\r")
        child.expect(b"can't read that")
        child.expect(b"demo>")
        child.send(b"what is td\r")
        child.expect(b"opt-out")
        child.expect(b"demo>")
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_a_50_mb_line_to_ask_json_is_refused_at_once_and_the_next_line_answered(tmp_path):
    """Read in bounded pieces, refused once read past the limit: it took 55 s through the router."""
    import time

    line = "what is td " * (50 * 1024 * 1024 // 11)
    started = time.monotonic()
    result = _run([str(SCRIPT), "ask", "--json"], tmp_path, input=line + "\nwhat is td\n")
    took = time.monotonic() - started
    replies = [json.loads(reply) for reply in result.stdout.splitlines()]
    assert result.returncode == 1 and len(replies) == 2 and result.stderr.startswith("error: 1 line(s) could not")
    assert replies[0]["type"] == "fallback" and replies[0]["question"] == line[:80] and replies[0]["lang"] == "en"
    assert replies[0]["error"] == "question too long (over 16,384 characters); ask in at most 1000"
    assert replies[1]["entry"] == "opt-out"
    assert took < 10, took       # about half a second, the script's start included, on a 2-core machine
