"""How the matcher holds up when the validation questions are written the way customers type (run by hand).

    python benchmarks/robustness.py [FILE ...] [--kb DIR] [--seed N] [--json]

FILE defaults to the validation sets (tests/data/validation*.yaml); the held-out eval*.yaml are
never read. Each question is rewritten in one way at a time, the labels kept, and the set is
measured again (`assistant eval`'s figures: FAQ top-1 / answered outright, out of scope fell back,
requests right):

- `as written`: the question itself;
- `greeting`: "hi, ", "hello team, ", "您好，" ... in front;
- `thanks`: its question mark dropped and ", thanks", "，谢谢" ... after it;
- `typos`: two words of five letters or more with one letter swapped, dropped, doubled or changed;
- `run together`: two pairs of neighbouring English words written without the space between them;
- `lower, bare`: lower case, no punctuation.

The rewriting is seeded (`--seed`, default 7), so two runs rewrite alike and a change to the matcher
is measured on the same questions. With the `[encoder]` extra installed the fused model is measured
(`ASSISTANT_ENCODER=none` for the lexical model alone).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import cache, knowledge  # noqa: E402
from assistant.evaluate import evaluate, read_cases  # noqa: E402

_CHINESE = re.compile("[\u4e00-\u9fff]")
GREETINGS = ["hi, ", "hello team, ", "您好，", "Dear support, ", "hey "]
THANKS = [" thanks", ", thank you", " thx", "，谢谢", ", thanks in advance", "。谢谢！"]


def greeting(q: str, rng: random.Random) -> str:
    return rng.choice(GREETINGS) + q


def thanks(q: str, rng: random.Random) -> str:
    return q.rstrip("?？.。 ") + rng.choice(THANKS)


def typos(q: str, rng: random.Random) -> str:
    words = q.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isascii() and w.isalpha()]
    for i in rng.sample(long, min(2, len(long))):
        w, j = words[i], rng.randrange(1, len(words[i]) - 1)
        kind = rng.choice(["swap", "drop", "double", "change"])
        if kind == "swap":
            w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        elif kind == "drop":
            w = w[:j] + w[j + 1:]
        elif kind == "double":
            w = w[:j] + w[j] + w[j:]
        else:
            w = w[:j] + rng.choice("aeiourstn") + w[j + 1:]
        words[i] = w
    return " ".join(words)


def run_together(q: str, rng: random.Random) -> str:
    if _CHINESE.search(q):
        return q
    words = q.split(" ")
    for _ in range(2):
        if len(words) < 3:
            break
        i = rng.randrange(len(words) - 1)
        words[i:i + 2] = [words[i] + words[i + 1]]
    return " ".join(words)


def lower_bare(q: str, rng: random.Random) -> str:
    return re.sub(r"[?.!,;:'\"？。！，]", "", q.lower())


REWRITES: dict[str, Callable[[str, random.Random], str]] = {
    "as written": lambda q, rng: q, "greeting": greeting, "thanks": thanks, "typos": typos,
    "run together": run_together, "lower, bare": lower_bare,
}


def figures(report: dict) -> dict[str, float | None]:
    f, o, a = report["faq"], report["out_of_scope"], report["actions"]
    return {"faq_top1": f["top1"], "faq_answered": f["answered"], "out_of_scope": o["fallback"], "actions": a["accuracy"]}


def _pct(value: float | None) -> str:
    return "  n/a" if value is None else f"{100 * value:5.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--kb", type=Path, default=None, help="knowledge-base directory (default: the shipped one)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    opts = parser.parse_args()
    files = opts.files or sorted((ROOT / "tests" / "data").glob("validation*.yaml"))
    router = cache.load_router(opts.kb or knowledge.shipped_dir())
    out: dict[str, dict[str, dict]] = {}
    for path in files:
        cases = read_cases(path)
        for name, rewrite in REWRITES.items():
            rng = random.Random(opts.seed)
            out.setdefault(path.name, {})[name] = figures(evaluate(router, [(rewrite(q, rng), e) for q, e in cases]).to_json())
    if opts.json:
        print(json.dumps({"encoder": router.index.semantic.encoder.name if router.index.semantic else None,
                          "seed": opts.seed, "sets": out}, indent=2))
        return 0
    model = f"fused with {router.index.semantic.encoder.name}" if router.index.semantic else "lexical"
    print(f"model: {model}; FAQ top-1 / answered, out of scope fell back, requests right (%)")
    for name, rows in out.items():
        print(name)
        for rewrite, f in rows.items():
            top1, answered, outside, actions = (_pct(f[k]) for k in ("faq_top1", "faq_answered", "out_of_scope", "actions"))
            print(f"  {rewrite:13} {top1} / {answered}  {outside}  {actions}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
