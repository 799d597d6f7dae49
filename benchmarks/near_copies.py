"""Which of a new round's questions are near-copies of earlier ones, without showing the earlier ones.

    python benchmarks/near_copies.py tests/data/validation_realN_questions.txt

A blind round's writer runs this before reading the knowledge base: it prints only the writer's own
lines that score 80 or more (rapidfuzz ratio on lower-cased text without punctuation) against any
earlier question or phrasing (every validation set and question list, eval sets, knowledge/*.yaml),
so each can be rewritten blind, as a new situation, and the round stays unseen.
"""

from __future__ import annotations

import glob
import re
import sys
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent


def norm(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def strings(node: object):
    """Every string in a YAML document."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def earlier(new: Path) -> list[str]:
    """The earlier questions and phrasings, normalised: all but NEW's own round."""
    found: set[str] = set()
    paths = glob.glob(str(ROOT / "tests/data/validation*")) + glob.glob(str(ROOT / "tests/data/eval*.yaml")) \
        + glob.glob(str(ROOT / "knowledge/*.yaml"))
    for name in paths:
        path = Path(name).resolve()
        if path == new or path.stem == new.stem.replace("_questions", ""):
            continue
        if path.suffix in (".txt", ".tsv"):
            lines = [line.rstrip("\n").split("\t")[-1] for line in path.open(encoding="utf-8") if not line.startswith("#")]
            found.update(norm(line) for line in lines if line.strip())
        else:
            found.update(norm(s) for s in strings(yaml.safe_load(path.read_text(encoding="utf-8"))) if len(s) >= 8)
    return [text for text in found if text]


def main() -> int:
    new = Path(sys.argv[1]).resolve()
    known, hits = earlier(new), 0
    for number, line in enumerate(new.open(encoding="utf-8"), 1):
        if line.startswith("#") or not line.strip():
            continue
        question = line.rstrip("\n").split("\t")[-1]
        best = process.extractOne(norm(question), known, scorer=fuzz.ratio)
        if best and best[1] >= 80:
            hits += 1
            print(f"line {number}: {best[1]:.0f}  {question}")
    print(f"{hits} near-copies (score >= 80) against {len(known)} earlier strings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
