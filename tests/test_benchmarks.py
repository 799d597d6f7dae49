"""The benchmark scripts run on a regular install: they need the package's extras, not the test suite."""

from __future__ import annotations

import json
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
    model, _header, *lines = done.stdout.splitlines()
    rows = [line.split() for line in lines]
    assert done.returncode == 0 and [row[:4] for row in rows] == [["sqlite", "1", "1", "asks"]], (done.stdout, done.stderr)
    assert model.startswith("model: lexical") and "load average" in model
    assert int(rows[0][4]) > 0 and rows[0][8] == "0"   # requests answered, none in error
    assert float(rows[0][9]) > 0   # the service's CPU time a request


def _tiny_clinc(path: Path, with_test: bool) -> Path:
    """A made-up data set in CLINC150's layout: three intents, out-of-scope rows, one split each."""
    topics = {"weather": "will it rain in {} tomorrow", "alarm": "set an alarm for {} in the morning",
              "recipe": "how do i cook {} for dinner"}
    words = ["paris", "seven", "rice", "boston", "eight", "pasta", "tokyo", "nine", "soup", "lima", "six", "fish"]
    rows = [[text.format(w), intent] for intent, text in topics.items() for w in words]
    oos = [[f"who wrote the book number {n}", "oos"] for n in range(6)]
    data = {"train": rows[::2], "val": rows[1::4], "oos_train": oos[:3], "oos_val": oos[3:]}
    if with_test:
        data.update(test=rows[3::4], oos_test=oos[4:])
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("with_test", [True, False])
def test_clinc150_decides_on_the_test_split_when_the_data_has_one(tmp_path, with_test):
    data = _tiny_clinc(tmp_path / "clinc.json", with_test)
    env = {**_without_pytest(tmp_path), "ASSISTANT_ENCODER": "none"}
    done = subprocess.run([sys.executable, str(BENCHMARKS / "clinc150.py"), "--data", str(data), "--json"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["split"] == ("test" if with_test else "val") and result["encoder"] is None
    assert list(result["models"]) == ["lexical"] and result["k10"] == result["models"]["lexical"]["k10"]
    figures = result["k100"]
    assert 0.0 <= figures["top1"] <= 1.0 and figures["oos_recall"] is not None
    assert ("val" in figures) is with_test  # beside the test figures, the validation split's


def test_crash_big_send_kills_sends_and_finds_none_half_done(tmp_path):
    """The kill -9 campaign, small: it starts real CLI processes, kills them, and checks the file."""
    pytest.importorskip("fastapi", reason="the script shares bench_big_send.py's setup: pip install '.[server]'")
    done = subprocess.run([sys.executable, str(BENCHMARKS / "crash_big_send.py"), "--recipients", "3000", "--kills", "2"],
                          env=_without_pytest(tmp_path), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "all checks passed" in done.stdout, (done.stdout, done.stderr)
    assert "lost 0" in done.stdout and "integrity ok" in done.stdout


def test_bench_send_list_phone_finds_the_number_in_every_send_and_prints_its_rows(tmp_path):
    done = subprocess.run([sys.executable, str(BENCHMARKS / "bench_send_list_phone.py"), "--recipients", "300",
                           "--sends", "3", "--queries", "2", "--only", "sqlite"], env=_without_pytest(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    title, _header, *rows = done.stdout.splitlines()
    assert title.startswith("sqlite: 306 messages in account demo")
    found = [(row.split()[-4], row.split()[-3]) for row in rows]   # (number, sends found)
    assert found == [("13598765432", "4"), ("13912345678", "0")] * 2, done.stdout


def test_held_out_answers_a_round_with_itself_left_out_and_leaves_the_shipped_knowledge_alone(tmp_path):
    """The round is answered from a scratch copy of the knowledge base (the shipped customers.yaml, which
    learns it, is never rewritten; the next test pins the leaving out), every one of its 150 questions counted."""
    shipped = (BENCHMARKS.parent / "knowledge" / "customers.yaml").read_bytes()
    env = {**_without_pytest(tmp_path), "ASSISTANT_ENCODER": "none", "ASSISTANT_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, str(BENCHMARKS / "held_out.py"), "validation_real16", "--json"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)["sets"]["validation_real16"]
    assert figures["faq_of"] + figures["oos_of"] + figures["act_of"] == 150
    assert 0 < figures["faq"] <= figures["faq_of"]
    assert (BENCHMARKS.parent / "knowledge" / "customers.yaml").read_bytes() == shipped


def test_customer_phrasings_write_keeps_the_named_rounds_out(tmp_path):
    """What held_out.py relies on: a round named to keep out gives customers.yaml none of its questions."""
    import shutil

    import yaml

    from assistant.evaluate import read_cases
    from assistant.text import fold

    sys.path.insert(0, str(BENCHMARKS))
    try:
        from customer_phrasings import write
    finally:
        sys.path.remove(str(BENCHMARKS))
    copy = tmp_path / "knowledge"
    shutil.copytree(BENCHMARKS.parent / "knowledge", copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    write(copy, ["validation_real16", "validation_real17"])
    written = yaml.safe_load((copy / "customers.yaml").read_text(encoding="utf-8"))
    learnt = {fold(q) for questions in written["phrasings"].values() for q in questions} | \
        {fold(q) for q in written["out_of_scope"]}
    kept_out = {fold(q) for q, _ in read_cases(BENCHMARKS.parent / "tests" / "data" / "validation_real16.yaml")}
    assert learnt and not learnt & kept_out
    assert "validation_real16, validation_real17 kept out" in (copy / "customers.yaml").read_text(encoding="utf-8")
