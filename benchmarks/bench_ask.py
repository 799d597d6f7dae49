"""How fast `assistant ask` answers (run by hand; prints a table).

    python benchmarks/bench_ask.py [--sizes 1000,10000,100000] [--queries 2000] [--runs 30]
                                   [--process-entries 20000] [--no-table] [--encoder none|use-m3|PATH]
                                   [--distinct FILE]

1. In-process latency of one question (p50, p99) and batch throughput (questions a second,
   routing plus JSON), on the shipped knowledge base and on generated ones of 1,000, 10,000 and
   100,000 entries (five phrasings each). Generated KBs are written as YAML and loaded the way
   the CLI loads them: the first load parses YAML and builds the index, later loads read the
   cached, prebuilt index.
2. Whole-process time of `assistant ask "q"` (the console script, and `python -m assistant`) on a
   cached index beside `python -c "import rapidfuzz, yaml"`, interleaved, medians of --runs each.
   Run it with a regular install's python for the figure the start-time bar is about:
       python3 -m venv ../bench-venv && ../bench-venv/bin/pip install .
       ../bench-venv/bin/python benchmarks/bench_ask.py --sizes ""
3. Whole-process `assistant ask --json` over a batch of --batch questions on standard input,
   on the shipped knowledge base: wall clock and CPU time; once with the held-out questions
   repeated, once with distinct ones (--distinct FILE, one a line; by default the first distinct
   utterances of CLINC150's train and validation splits, if that data set is beside the checkout).
4. Whole-process `assistant ask "q"` on a generated knowledge base (`--process-entries`, by
   default 20,000 entries, that is 100,000 phrasings): the first ask parses the YAML, builds the
   index and writes the cache; later asks read the cache (the median of `--runs`).

Builds are also given in CPU time (`cpu`): on a shared machine the wall clock counts the other jobs too.
With the `[encoder]` extra installed every figure includes the encoder (the first line says which);
`--encoder none` (or `ASSISTANT_ENCODER=none`) measures the lexical model alone. The first line
also gives the load average: on a shared machine compare CPU times, or interleaved runs.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import encoder as encoders  # noqa: E402
from assistant import knowledge  # noqa: E402
from assistant.cache import load_router  # noqa: E402
from assistant.evaluate import read_cases  # noqa: E402
from assistant.render import to_json  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CLINC = ROOT.parent / "shared" / "benchmarks" / "clinc150" / "clinc150_train_val.json"
COMMON = tuple("how do i can what is the my to a of for in with when why does it not where get use set up change "
               "check send receive account message number code order delivery payment refund".split())


def _script() -> str:
    # the script installed beside this interpreter: run the benchmark with an installed (not editable)
    # package's python, or every run also compiles the package's modules
    beside = Path(sys.executable).with_name("assistant")
    return str(beside) if beside.exists() else shutil.which("assistant")


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(4, 9))))
    return sorted(words)


def generate_kb(folder: Path, entries: int, seed: int = 7) -> list[tuple[str, str]]:
    """Write a knowledge base of ENTRIES entries; return (question, expected id) probes."""
    rng = random.Random(seed)
    vocab = _vocabulary(rng, max(2000, entries // 2))
    lines = ["entries:"]
    probes = []
    for n in range(entries):
        topic = rng.sample(vocab, 3)
        phrasings = []
        for _ in range(5):
            words = topic + rng.sample(COMMON, 4) + [rng.choice(vocab)]
            rng.shuffle(words)
            phrasings.append(" ".join(words))
        lines += [f"  - id: e{n}", f"    question: {phrasings[0]}", f"    answer: answer {n}", "    source: generated",
                  "    alternatives:"] + [f"      - {p}" for p in phrasings[1:]]
        if n % max(1, entries // 500) == 0:
            words = phrasings[rng.randint(0, 4)].split()
            words.pop(rng.randrange(len(words)))
            probes.append((" ".join(words), f"e{n}"))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "faq.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return probes


def latency(router, questions: list[str], count: int) -> tuple[float, float, float, float]:
    """(p50 ms, p99 ms, questions/s for a JSON batch, p50 CPU ms)."""
    times, cpu = [], []
    for n in range(count):
        q = questions[n % len(questions)]
        started, used = time.perf_counter(), time.process_time()
        router.route(q)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    times.sort()
    started = time.perf_counter()
    for n in range(count):
        to_json(router.route(questions[n % len(questions)]).to_json())
    rate = count / (time.perf_counter() - started)
    return statistics.median(times), times[int(len(times) * 0.99) - 1], rate, statistics.median(cpu)


QUESTION = "how long does signature review take"


def _installed_from(python: str, cwd: str) -> str:
    """Where PYTHON imports the assistant package from, run outside the checkout."""
    done = subprocess.run([python, "-c", "import assistant; print(assistant.__file__)"], cwd=cwd,
                          capture_output=True, text=True)
    return done.stdout.strip()


def whole_process(runs: int = 30) -> dict[str, tuple[float, float]]:
    """Median ms of whole-process runs (wall clock, CPU), interleaved round by round (the order
    rotates each round).

    The bar is `assistant ask "q"` on a cached index beside `python -c "import rapidfuzz, yaml"`,
    both through a regular (non-editable) install: run this script with that install's python
    (`.venv/bin/python benchmarks/bench_ask.py`). The console script is how the README runs the
    assistant; `python -m assistant` is timed too. The children run in an empty directory, so
    `python -m` cannot pick up the checkout instead of the install.
    """
    script = _script()
    work = tempfile.mkdtemp(prefix="assistant-bench-run-")
    env = {k: v for k, v in os.environ.items() if k not in ("ASSISTANT_KB", "ASSISTANT_SERVER", "ASSISTANT_DB")}
    env.update(ASSISTANT_NOW="2026-03-02", ASSISTANT_DB=str(Path(work) / "bench.db"))
    package = _installed_from(sys.executable, work)
    if not package or Path(package).resolve().is_relative_to(ROOT):
        print(f"note: {sys.executable} imports the assistant from the checkout ({package or 'not installed'}), "
              "not from a regular install; the whole-process figures below do not measure the bar")
    commands = {"python -c 'import rapidfuzz, yaml'": [sys.executable, "-c", "import rapidfuzz, yaml"],
                "assistant ask (console script)": [script, "ask", QUESTION],
                "python -m assistant ask": [sys.executable, "-m", "assistant", "ask", QUESTION]}
    for cmd in commands.values():  # build the index, warm the OS's caches
        subprocess.run(cmd, env=env, cwd=work, capture_output=True, check=True)
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for n in range(runs):
        for name in names[n % len(names):] + names[:n % len(names)]:
            started, used = time.perf_counter(), _children_cpu()
            subprocess.run(commands[name], env=env, cwd=work, capture_output=True, check=True)
            times[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((_children_cpu() - used) * 1000)
    shutil.rmtree(work, ignore_errors=True)
    return {name: (statistics.median(times[name]), statistics.median(cpu[name])) for name in times}


def distinct_questions(path: Path | None, count: int) -> list[str]:
    """COUNT distinct questions: the lines of PATH, or by default the utterances of CLINC150's
    train and validation splits beside the checkout (none if neither can be read)."""
    try:
        if path is not None:
            rows = path.read_text(encoding="utf-8").splitlines()
        else:
            import json

            data = json.loads(CLINC.read_text(encoding="utf-8"))
            rows = [u for u, _ in data["train"] + data["val"]]
    except (OSError, ValueError, KeyError):
        return []
    return list(dict.fromkeys(r.strip() for r in rows if r.strip()))[:count]


def batch_process(count: int, questions: list[str] | None = None) -> tuple[float, float]:
    """(wall s, CPU s) of one `assistant ask --json` answering COUNT questions read from standard
    input (QUESTIONS, repeated if fewer; by default the held-out questions), on the shipped
    knowledge base with its index cached."""
    questions = questions or [q for q, _ in read_cases(ROOT / "tests" / "data" / "eval.yaml")]
    lines = "".join(questions[n % len(questions)] + "\n" for n in range(count))
    work = tempfile.mkdtemp(prefix="assistant-bench-batch-")
    env = {k: v for k, v in os.environ.items() if k not in ("ASSISTANT_KB", "ASSISTANT_SERVER", "ASSISTANT_DB")}
    env.update(ASSISTANT_NOW="2026-03-02", ASSISTANT_DB=str(Path(work) / "bench.db"))
    try:
        subprocess.run([_script(), "ask", QUESTION], env=env, cwd=work, capture_output=True, check=True)  # the cache
        started, used = time.perf_counter(), _children_cpu()
        done = subprocess.run([_script(), "ask", "--json"], input=lines, env=env, cwd=work, capture_output=True,
                              text=True, check=True)
        wall, cpu = time.perf_counter() - started, _children_cpu() - used
        assert done.stdout.count("\n") >= count, "not every question was answered"
        return wall, cpu
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _children_cpu() -> float:
    """CPU seconds (user and system) of the finished child processes: on a machine shared with other
    jobs the wall clock of a run says as much about the others as about the run."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def generated_process(entries: int, runs: int) -> tuple[float, float, float, float]:
    """Whole-process ms of `assistant ask "q"` on a generated knowledge base of ENTRIES entries, in
    a cache directory of its own: the first run (it builds) and the median of the later ones (they
    load the cache), wall clock, then the same two in CPU time."""
    work = Path(tempfile.mkdtemp(prefix=f"assistant-bench-process-{entries}-"))
    try:
        folder = work / "kb"
        probes = generate_kb(folder, entries)
        env = {**os.environ, "ASSISTANT_NOW": "2026-03-02", "ASSISTANT_KB": str(folder),
               "ASSISTANT_CACHE_DIR": str(work / "cache"), "ASSISTANT_DB": str(work / "assistant.db")}
        cmd = [_script(), "ask", probes[len(probes) // 2][0]]
        times, cpu = [], []
        for _ in range(1 + runs):
            started, used = time.perf_counter(), _children_cpu()
            subprocess.run(cmd, env=env, capture_output=True, check=True)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((_children_cpu() - used) * 1000)
        return times[0], statistics.median(times[1:]), cpu[0], statistics.median(cpu[1:])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def table(sizes: list[int], queries: int, distinct: list[str]) -> None:
    """Print the in-process table: the shipped knowledge base (the held-out questions, repeated, then
    DISTINCT questions, each asked once), then generated ones of SIZES entries."""
    rows = []
    shipped = knowledge.shipped_dir()
    started, cpu = time.perf_counter(), time.process_time()
    router = load_router(shipped)
    build, build_cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    router = load_router(shipped)
    cached = time.perf_counter() - started
    questions = [q for q, _ in read_cases(ROOT / "tests" / "data" / "eval.yaml")]
    p50, p99, rate, p50_cpu = latency(router, questions, queries)
    rows.append(("shipped", len(router.kb.entries), build, build_cpu, cached, p50, p99, rate, None, p50_cpu))
    if len(distinct) >= queries:
        p50, p99, rate, p50_cpu = latency(router, distinct[:queries], queries)
        rows.append(("shipped, distinct q", len(router.kb.entries), build, build_cpu, cached, p50, p99, rate, None,
                     p50_cpu))
    for size in sizes:
        folder = Path(tempfile.mkdtemp(prefix=f"assistant-bench-{size}-"))
        probes = generate_kb(folder, size)
        started, cpu = time.perf_counter(), time.process_time()
        router = load_router(folder)
        build, build_cpu = time.perf_counter() - started, time.process_time() - cpu
        started = time.perf_counter()
        router = load_router(folder)
        cached = time.perf_counter() - started
        p50, p99, rate, p50_cpu = latency(router, [q for q, _ in probes], min(queries, 1000))
        hits = sum(router.route(q).entry == e for q, e in probes) / len(probes)
        rows.append((f"generated {size:,}", size, build, build_cpu, cached, p50, p99, rate, hits, p50_cpu))
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{'knowledge base':<20} {'entries':>8} {'build s':>8} {'(cpu s)':>8} {'cached s':>8} {'p50 ms':>7} "
          f"{'p99 ms':>7} {'q/s':>7} {'top-1':>6} {'p50 cpu ms':>10}")
    for name, n, b, b_cpu, c, p50, p99, rate, hits, p50_cpu in rows:
        print(f"{name:<20} {n:>8,} {b:>8.2f} {b_cpu:>8.2f} {c:>8.3f} {p50:>7.2f} {p99:>7.2f} {rate:>7.0f} "
              f"{'' if hits is None else f'{hits:.3f}':>6} {p50_cpu:>10.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description="latency and throughput of assistant ask")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--process-entries", type=int, default=20_000,
                        help="entries of the generated knowledge base for the whole-process first and later "
                             "`assistant ask` (five phrasings each; 0: skip)")
    parser.add_argument("--runs", type=int, default=30,
                        help="whole-process runs of each command (interleaved) of which the median is taken")
    parser.add_argument("--batch", type=int, default=10_000,
                        help="questions in the whole-process `assistant ask --json` batch (0: skip)")
    parser.add_argument("--no-table", action="store_true",
                        help="only the whole-process figures, not the in-process table")
    parser.add_argument("--encoder", help=f"the model: none, {encoders.PACKAGED} or a model directory "
                                          f"(default: ${encoders.ENV}, else the packaged encoder if installed)")
    parser.add_argument("--distinct", type=Path, help="questions, one a line, for the batch of distinct questions "
                                                      "(default: CLINC150's utterances beside the checkout)")
    args = parser.parse_args()
    if args.encoder is not None:
        os.environ[encoders.ENV] = args.encoder
    cache = tempfile.mkdtemp(prefix="assistant-bench-cache-")
    os.environ["ASSISTANT_CACHE_DIR"] = cache
    choice = encoders.chosen()
    print(f"model: {'lexical, fused with the encoder ' + choice.name if choice else 'lexical alone'} "
          f"({encoders.ENV}={os.environ.get(encoders.ENV, '')!r}); "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    distinct = distinct_questions(args.distinct, max(args.batch, args.queries))
    if not args.no_table:
        table([int(s) for s in args.sizes.split(",") if s], args.queries, distinct)
    medians = whole_process(args.runs)
    bare = medians["python -c 'import rapidfuzz, yaml'"][0]
    print(f"\nwhole process, median of {args.runs} interleaved runs each, cached index:")
    for name, (ms, cpu_ms) in medians.items():
        print(f"  {name:<36} {ms:6.1f} ms  ({ms / bare:.2f}x; cpu {cpu_ms:.1f} ms)")
    if args.batch > 0:
        wall, cpu = batch_process(args.batch)
        print(f"whole process, assistant ask --json over {args.batch:,} questions on standard input "
              f"(the held-out questions, repeated): {wall:.2f} s (cpu {cpu:.2f} s)")
        if len(distinct) < args.batch:
            print(f"  (no batch of {args.batch:,} distinct questions: pass --distinct FILE with as many lines)")
        else:
            wall, cpu = batch_process(args.batch, distinct[:args.batch])
            print(f"whole process, assistant ask --json over {args.batch:,} distinct questions on standard input: "
                  f"{wall:.2f} s (cpu {cpu:.2f} s)")
    if args.process_entries > 0:
        first, later, first_cpu, later_cpu = generated_process(args.process_entries, args.runs)
        print(f"whole process, generated KB of {args.process_entries:,} entries ({5 * args.process_entries:,} phrasings): "
              f"first assistant ask \"q\" {first / 1000:.2f} s (parse, build, cache write; cpu {first_cpu / 1000:.2f} s); "
              f"later {later / 1000:.3f} s (cpu {later_cpu / 1000:.3f} s)")
    shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
