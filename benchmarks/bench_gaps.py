"""How fast `kb gaps` groups a large log (run by hand; prints figures).

    python benchmarks/bench_gaps.py [--rows 100000] [--topics 3000]

Fills a temporary database with ROWS logged questions drawn from TOPICS generated questions,
each asked with small variations (a word dropped, a filler word added, a typo), plus some
"did you mean" picks, then times `gaps.report` (grouping and proposals) as `kb gaps` runs it.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.gaps import report  # noqa: E402
from assistant.storage.sqlite import Store  # noqa: E402

FILLER = "please now quickly again really today".split()


def _question(rng: random.Random, vocab: list[str]) -> str:
    return " ".join(rng.sample(["how", "do", "i", "what", "is", "the", "my", "can"], 3) + rng.sample(vocab, 4))


def _variant(rng: random.Random, question: str) -> str:
    words = question.split()
    roll = rng.random()
    if roll < 0.3:
        words.pop(rng.randrange(len(words)))
    elif roll < 0.6:
        words.insert(rng.randrange(len(words) + 1), rng.choice(FILLER))
    elif roll < 0.8:
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 3:
            j = rng.randrange(len(w) - 1)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--topics", type=int, default=3000)
    args = parser.parse_args()
    rng = random.Random(11)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(5000)})
    topics = [_question(rng, vocab) for _ in range(args.topics)]
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "gaps.db")
        with store.transaction():
            for n in range(args.rows):
                question = _variant(rng, rng.choice(topics))
                kind = "pick" if n % 10 == 0 else "fallback"
                store.execute("INSERT INTO gaps (at, account, question, best, score, kind) VALUES (?, ?, ?, ?, ?, ?)",
                              ("2026-03-02 10:00:00", "demo", question, "faq:opt-out", 0.2, kind))
        started = time.perf_counter()
        groups = report(store)
        seconds = time.perf_counter() - started
        store.close()
    print(f"{args.rows:,} logged questions from {args.topics:,} topics: {len(groups):,} groups in {seconds:.2f} s")


if __name__ == "__main__":
    main()
