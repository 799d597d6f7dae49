"""Other accounts' latency while one account sends to 100,000 numbers (run by hand; prints a table).

    python benchmarks/bench_big_send.py [--recipients 100000] [--clients 16] [--db URL]

Starts `assistant serve` (one worker) on a free loopback port over a fresh SQLite file (or the
PostgreSQL database of --db), makes the account `demo` able to send (enabled, a registered
signature, an approved template, a package of RECIPIENTS messages) and an account `globex` for the
others. CLIENTS clients of globex, each on a kept-alive connection, send the mixed load of
bench_server.py (asks, template and signature status, the inbox, now and then a new ticket) back to
back, while demo posts one file send of RECIPIENTS numbers. Prints how long the send took and the
other accounts' requests during it: requests a second, p50 and p99 latency, errors (any status
other than 200). Then an account with an empty package posts a file of 400,000 numbers: prints how
long the refusal took and how many sends it recorded (goal: under 2 s, none).
Goal: p99 <= 250 ms and no errors for the other accounts, 16 clients, one worker.
"""

from __future__ import annotations

import argparse
import datetime as dt
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

from bench_server import Server, _questions, _requests  # noqa: E402

from assistant.cli import main  # noqa: E402
from assistant.stories import png  # noqa: E402


def _cli(db: str, *args: str, now: str | None = None) -> str:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", db, *(["--now", now] if now else []), *args], stdout=out, stderr=err)
    if code != 0:
        sys.exit(f"error: setting up the benchmark: {' '.join(args[:3])}: {err.getvalue().strip()}")
    return out.getvalue().strip()


def _prepare(db: str, recipients: int, tmp: Path) -> dict[str, str]:
    """demo ready to send RECIPIENTS messages (reviews done weeks ago), globex and `empty` for the others."""
    signed, created = ((dt.datetime.now() - dt.timedelta(days=d)).strftime("%Y-%m-%dT10:00") for d in (60, 30))
    image = tmp / "banner.png"
    image.write_bytes(png())
    _cli(db, "enable")
    _cli(db, "signature", "submit", "AcmeShop", "--source", "trademark", now=signed)
    _cli(db, "template", "create", "--name", "Sale", "--signature", "AcmeShop", "--industry", "e-commerce",
         "--text", "Hi ${name}, the sale is on", "--media", str(image), now=created)
    _cli(db, "--role", "admin", "admin", "topup", "demo", "--digital", str(recipients))
    _cli(db, "--role", "admin", "admin", "account", "create", "globex", "--industry", "e-commerce", "--digital", "10")
    _cli(db, "--role", "admin", "admin", "account", "create", "empty", "--industry", "e-commerce", "--digital", "0")
    return {"demo": _cli(db, "admin", "token", "create", "--account", "demo"),
            "empty": _cli(db, "admin", "token", "create", "--account", "empty")}


def _multipart(numbers: int) -> tuple[bytes, str]:
    boundary = "bench-boundary"
    lines = "phone\n" + "".join(f"138{n:08d}\n" for n in range(numbers))
    parts = [("code", None, b"DIGITAL_SMS_0001"), ("param", None, b"name=Tom"), ("file", "recipients.csv", lines.encode())]
    body = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _post_send(port: int, token: str, numbers: int) -> tuple[int, dict, float]:
    body, kind = _multipart(numbers)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    conn.request("POST", "/v1/sends", body=body, headers={"Authorization": f"Bearer {token}", "Content-Type": kind})
    response = conn.getresponse()
    answer = json.loads(response.read())
    took = time.perf_counter() - started
    conn.close()
    return response.status, answer, took


def _others(port: int, token: str, stop: threading.Event, seed: int, questions: list[str],
            samples: list[tuple[float, float, int, str]]) -> None:
    """A client of another account: (start, seconds, status, what) of each request until STOP."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    while not stop.is_set():
        method, path, body = _requests("mix", rng, questions)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        samples.append((started, time.perf_counter() - started, status, f"{method} {path}"))
    conn.close()


def _stats(samples: list[tuple[float, float, int, str]], since: float, until: float) -> dict:
    inside = [(took, status) for started, took, status, _ in samples if since <= started <= until]
    ordered = sorted(took for took, _ in inside)
    return {"requests": len(inside), "rps": len(inside) / max(until - since, 1e-9),
            "p50": statistics.median(ordered) * 1000 if ordered else 0.0,
            "p99": ordered[max(int(len(ordered) * 0.99) - 1, 0)] * 1000 if ordered else 0.0,
            "errors": sum(1 for _, status in inside if status != 200)}


def _by_kind(samples: list[tuple[float, float, int, str]], since: float, until: float) -> dict[str, dict]:
    """_stats of each kind of request (method and path) started between SINCE and UNTIL."""
    kinds = sorted({what for started, _, _, what in samples if since <= started <= until})
    return {kind: _stats([s for s in samples if s[3] == kind], since, until) for kind in kinds}


def main_() -> None:
    parser = argparse.ArgumentParser(description="other accounts' latency during a large send")
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--db", help="an empty PostgreSQL database's URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    questions = _questions()
    env = {"ASSISTANT_SERVE_ASKS_PER_MINUTE": "100000000", "ASSISTANT_SERVE_TICKETS_PER_MINUTE": "100000000"}
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "bench.db")
        server = Server(db, env=env)
        try:
            tokens = _prepare(db, args.recipients, Path(tmp))
            others = [_cli(db, "admin", "token", "create", "--account", "globex") for _ in range(args.clients)]
            stop, samples = threading.Event(), []
            threads = [threading.Thread(target=_others, args=(server.port, t, stop, n, questions, samples))
                       for n, t in enumerate(others)]
            for t in threads:
                t.start()
            time.sleep(3)  # the load settles before the send
            before = _stats(samples, time.perf_counter() - 3, time.perf_counter())
            since = time.perf_counter()
            status, answer, took = _post_send(server.port, tokens["demo"], args.recipients)
            during = _stats(samples, since, time.perf_counter())
            kinds = _by_kind(samples, since, time.perf_counter())
            refused_status, refused, refused_took = _post_send(server.port, tokens["empty"], 400_000)
            stop.set()
            for t in threads:
                t.join()
            recorded = _cli(db, "--account", "empty", "--json", "send", "list")
        finally:
            server.stop()
    backend = "postgres" if "://" in db else "sqlite"
    print(f"backend {backend}; load average {os.getloadavg()[0]:.1f} at the end; {args.clients} clients of another "
          "account, one worker")
    print(f"send of {args.recipients:,}: status {status}, {took:.1f} s, sent {answer.get('sent')}, "
          f"answer {len(json.dumps(answer)) // 1024} KB")
    print(f"{'others':7} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for label, r in (("before", before), ("during", during)):
        print(f"{label:7} {r['requests']:>9} {r['rps']:>7.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['errors']:>6}")
    for kind, r in kinds.items():
        print(f"  {kind:20} {r['requests']:>6} requests, p50 {r['p50']:6.1f} ms, p99 {r['p99']:6.1f} ms, "
              f"{r['errors']} errors")
    print(f"empty package, 400,000 numbers: status {refused_status} in {refused_took:.2f} s "
          f"({refused.get('error_code')}); sends recorded: {len(json.loads(recorded))}")


if __name__ == "__main__":
    os.environ.pop("ASSISTANT_NOW", None)
    main_()
