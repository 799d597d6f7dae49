"""How fast `assistant serve` answers many clients at once (run by hand; prints a table).

    python benchmarks/bench_server.py [--clients 16,64] [--workers 1,2] [--duration 30] [--db URL]
                                      [--encoder none|use-m3|PATH] [--distinct FILE]

For each number of workers and of clients: start the service on a free loopback port over a fresh
SQLite file (or the PostgreSQL database of --db), give every client its own customer token, and
let the clients, each on a kept-alive connection, send requests back to back for DURATION seconds:
`asks` only (POST /v1/ask with the FAQ's own phrasings) and a `mix` (asks, template and signature
status, the inbox, and now and then a new ticket). Prints requests a second, p50 and p99 latency
and the errors (any status other than 200), and the service's own CPU time a request (its
process and workers, read from /proc; on a machine shared with other jobs the requests a second
say as much about the others as about the service). The per-token rate limits are raised for the run (the
point is the service's ceiling, not the limiter's). Goal: 16 clients asking, one worker, SQLite:
>= 200 requests/s, p99 <= 250 ms, no errors. The service reads questions with the model
`ASSISTANT_ENCODER` (or --encoder) chooses: with the `[encoder]` extra installed, the lexical model
fused with the sentence encoder unless it is `none`; the first line says which. The asks are the
FAQ's own phrasings, picked at random (so they repeat, and the service's caches of a question's
reading and vector answer most of them), or with --distinct FILE the lines of FILE in turn, each
asked once (as long as there are lines enough).
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import encoder as encoders  # noqa: E402
from assistant import knowledge  # noqa: E402
from assistant.cache import load_router  # noqa: E402
from assistant.cli import main  # noqa: E402
from assistant.errors import UserError  # noqa: E402
from assistant.server.process import ServiceProcess  # noqa: E402


class Server(ServiceProcess):
    """The service under test; a start that fails ends the benchmark with its one-line reason."""

    def __init__(self, db: str, *flags: str, env: dict[str, str] | None = None):
        try:
            super().__init__(db, *flags, env=env)
        except UserError as exc:
            sys.exit(f"error: {exc}")


def _questions() -> list[str]:
    kb = knowledge.load()
    return [q for entry in kb.entries.values() for q in (entry.question, *entry.alternatives)]


class Distinct:
    """Questions handed out in turn, across the client threads: each asked once while they last."""

    def __init__(self, lines: list[str]):
        self._lines, self._next, self._lock = lines, 0, threading.Lock()

    def choice(self, _rng: random.Random) -> str:
        with self._lock:
            line = self._lines[self._next % len(self._lines)]
            self._next += 1
        return line


def _pick(rng: random.Random, questions) -> str:
    return questions.choice(rng) if isinstance(questions, Distinct) else rng.choice(questions)


def _requests(mode: str, rng: random.Random, questions) -> tuple[str, str, dict | None]:
    if mode == "asks":
        return "POST", "/v1/ask", {"question": _pick(rng, questions)}
    roll = rng.random()
    if roll < 0.6:
        return "POST", "/v1/ask", {"question": _pick(rng, questions)}
    if roll < 0.75:
        return "GET", "/v1/templates", None
    if roll < 0.9:
        return "GET", "/v1/signatures", None
    if roll < 0.98:
        return "GET", "/v1/inbox", None
    return "POST", "/v1/tickets", {"reason": "benchmark"}


def _client(port: int, token: str, mode: str, until: float, seed: int, questions: list[str],
            latencies: list[float], errors: list[str]) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    while time.perf_counter() < until:
        method, path, body = _requests(mode, rng, questions)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{response.status} {path}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{type(exc).__name__} {path}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append(time.perf_counter() - started)
    conn.close()


def _cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user and system) of process PID and its live children (the service's workers),
    from /proc; None where there is no /proc."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, found = 0.0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick
            found = True
    return total if found else None


def _run(server: Server, tokens: list[str], mode: str, duration: float, questions: list[str]) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    cpu_before = _cpu_seconds(server.process.pid)
    until = time.perf_counter() + duration
    threads = [threading.Thread(target=_client, args=(server.port, t, mode, until, n, questions, latencies, errors))
               for n, t in enumerate(tokens)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    cpu_after = _cpu_seconds(server.process.pid)
    ordered = sorted(latencies)
    cpu = (cpu_after - cpu_before) if cpu_before is not None and cpu_after is not None else None
    return {"requests": len(latencies), "rps": len(latencies) / elapsed,
            "cpu_ms": 1000 * cpu / len(latencies) if cpu is not None and latencies else None,
            "p50": statistics.median(ordered) * 1000 if ordered else 0.0,
            "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000 if ordered else 0.0, "errors": errors}


def main_() -> None:
    parser = argparse.ArgumentParser(description="throughput and latency of assistant serve")
    parser.add_argument("--clients", default="16,64")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--modes", default="asks,mix")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per run (default 30)")
    parser.add_argument("--db", help="a PostgreSQL URL (default: a fresh SQLite file per service)")
    parser.add_argument("--encoder", help=f"the service's model: none, {encoders.PACKAGED} or a model directory "
                                          f"(default: ${encoders.ENV}, else the packaged encoder if installed)")
    parser.add_argument("--distinct", type=Path, help="questions, one a line, asked in turn instead of the FAQ's "
                                                      "phrasings at random")
    args = parser.parse_args()
    if args.encoder is not None:
        os.environ[encoders.ENV] = args.encoder
    choice = encoders.chosen()
    print(f"model: {'lexical, fused with the encoder ' + choice.name if choice else 'lexical alone'}; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    questions: list[str] | Distinct = _questions()
    if args.distinct is not None:
        try:
            lines = [line.strip() for line in args.distinct.read_text(encoding="utf-8").splitlines() if line.strip()]
        except OSError as exc:
            sys.exit(f"error: cannot read {args.distinct}: {exc.strerror}")
        if not lines:
            sys.exit(f"error: {args.distinct} has no questions")
        questions = Distinct(list(dict.fromkeys(lines)))
    # the index is built here, once, not inside the service's start-up wait (a first build on a busy
    # machine took over the 30 s a start is given); the service then reads it from the cache
    load_router(knowledge.resolve_dir(None), {})
    clients = [int(c) for c in args.clients.split(",")]
    env = {"ASSISTANT_SERVE_ASKS_PER_MINUTE": "100000000", "ASSISTANT_SERVE_TICKETS_PER_MINUTE": "100000000"}
    print(f"{'backend':8} {'workers':>7} {'clients':>7} {'mode':5} {'requests':>9} {'req/s':>8} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'errors':>6} {'cpu ms/req':>10}")
    for workers in (int(w) for w in args.workers.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            db = args.db or str(Path(tmp) / "bench.db")
            server = Server(db, "--workers", str(workers), env=env)
            try:
                tokens = []
                for _ in range(max(clients)):
                    out = io.StringIO()
                    main(["--db", db, "admin", "token", "create", "--account", "demo"], stdout=out, stderr=io.StringIO())
                    tokens.append(out.getvalue().strip())
                _run(server, tokens[:4], "asks", 2.0, questions)  # warm up every worker
                for n in clients:
                    for mode in args.modes.split(","):
                        r = _run(server, tokens[:n], mode, args.duration, questions)
                        backend = "postgres" if "://" in db else "sqlite"
                        print(f"{backend:8} {workers:>7} {n:>7} {mode:5} {r['requests']:>9} {r['rps']:>8.0f} "
                              f"{r['p50']:>8.1f} {r['p99']:>8.1f} {len(r['errors']):>6} "
                              f"{'-' if r['cpu_ms'] is None else format(r['cpu_ms'], '.2f'):>10}", flush=True)
                        if r["errors"]:
                            print("   first errors:", ", ".join(sorted(set(r["errors"]))[:5]))
            finally:
                server.stop()


if __name__ == "__main__":
    os.environ.pop("ASSISTANT_NOW", None)
    main_()
