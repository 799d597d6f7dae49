"""The benchmark scripts run on a regular install: they need the package's extras, not the test suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _without_pytest(tmp_path: Path) -> dict[str, str]:
    """An environment in which `import pytest` fails, as on an install without the test extra."""
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "pytest.py").write_text("raise ImportError('pytest is not installed here')\n", encoding="utf-8")
    (shim / "_pytest.py").write_text("raise ImportError('pytest is not installed here')\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "PYTEST"))}
    return {**env, "PYTHONPATH": os.pathsep.join([str(shim), *filter(None, [os.environ.get("PYTHONPATH")])])}


def test_bench_server_help_needs_no_test_suite(tmp_path):
    done = subprocess.run([sys.executable, str(BENCHMARKS / "bench_server.py"), "--help"], env=_without_pytest(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("usage: bench_server.py"), done.stderr


def test_bench_server_starts_its_own_service_and_prints_a_row(tmp_path):
    pytest.importorskip("fastapi", reason="the service needs the extra: pip install '.[server]'")
    done = subprocess.run([sys.executable, str(BENCHMARKS / "bench_server.py"), "--clients", "1", "--workers", "1",
                           "--modes", "asks", "--duration", "0.5"], env=_without_pytest(tmp_path),
                          capture_output=True, text=True, timeout=120)
    rows = [line.split() for line in done.stdout.splitlines()[1:]]
    assert done.returncode == 0 and [row[:4] for row in rows] == [["sqlite", "1", "1", "asks"]], (done.stdout, done.stderr)
    assert int(rows[0][4]) > 0 and rows[0][-1] == "0"   # requests answered, none in error


def test_crash_big_send_kills_sends_and_finds_none_half_done(tmp_path):
    """The kill -9 campaign, small: it starts real CLI processes, kills them, and checks the file."""
    pytest.importorskip("fastapi", reason="the script shares bench_big_send.py's setup: pip install '.[server]'")
    done = subprocess.run([sys.executable, str(BENCHMARKS / "crash_big_send.py"), "--recipients", "3000", "--kills", "2"],
                          env=_without_pytest(tmp_path), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "all checks passed" in done.stdout, (done.stdout, done.stderr)
    assert "lost 0" in done.stdout and "integrity ok" in done.stdout
