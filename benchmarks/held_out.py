"""Each validation round measured as if it were blind: learnt from every other round, never itself.

    python benchmarks/held_out.py [SET ...] [--json]
    ASSISTANT_ENCODER=none python benchmarks/held_out.py      # the base install's lexical model

`knowledge/customers.yaml` teaches the model every validation round but the newest, so on those
rounds `assistant eval` measures questions the model has learnt: it says how well they are
remembered, not how well the next round's will be answered. Only the newest round is blind, and
one round is small (about 90 FAQ questions: one question is 1.1 points). This runs each round
named (default: every tests/data/validation_real*.yaml) against the knowledge base with that
round left out of its customers' phrasings (`customer_phrasings.collect`, in a scratch copy of
the knowledge base; the shipped one is not touched), and prints each round's figures and their
sum: a blind estimate over some 1,400 FAQ questions instead of 90.

It is an estimate with a known lean: rules and phrasings written after reading a round's misses
still know that round (only its questions as phrasings are left out), so older rounds read a
little better than a truly new one. The newest round, whose misses were not read, is the honest
figure; this one is steadier, for choosing between two changes.
"""

from __future__ import annotations

import argparse
import glob
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from customer_phrasings import write  # noqa: E402

from assistant import knowledge  # noqa: E402
from assistant.cache import load_router  # noqa: E402
from assistant.evaluate import evaluate, read_cases  # noqa: E402

DATA = ROOT / "tests" / "data"


def held_out(name: str, kb_dir: Path, scratch: Path) -> dict[str, int]:
    """Round NAME's figures against KB_DIR's knowledge with NAME left out of the customers' phrasings
    (the knowledge base copied into SCRATCH)."""
    copy = scratch / name
    shutil.copytree(kb_dir, copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    write(copy, [name, *_kept_out(kb_dir)])
    result = evaluate(load_router(copy), read_cases(DATA / f"{name}.yaml"))
    return {"faq": result.faq_answered, "faq_of": result.faq, "oos": result.oos_fallback,
            "oos_of": result.oos, "act": result.actions_right, "act_of": result.actions}


def _kept_out(kb_dir: Path) -> list[str]:
    """The rounds the shipped customers.yaml keeps out (its header names them): still kept out here."""
    for line in (kb_dir / "customers.yaml").read_text(encoding="utf-8").splitlines()[:8]:
        if " kept out" in line and "with " in line:
            named = line.split("with ", 1)[1].split(" kept out", 1)[0]
            return [n.strip() for n in named.split(",") if n.strip().startswith("validation")]
    return []


def _pc(right: int, of: int) -> str:
    return f"{100 * right / of:5.1f}" if of else "   - "


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", metavar="SET", help="validation rounds (default: every validation_real*)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    kb_dir = knowledge.resolve_dir(None)
    kept = set(_kept_out(kb_dir))
    names = args.sets or [Path(p).stem for p in sorted(glob.glob(str(DATA / "validation_real*.yaml")))
                          if Path(p).stem not in kept]
    figures: dict[str, dict[str, int]] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            figures[name] = held_out(name, kb_dir, Path(scratch))
            if not args.json:
                f = figures[name]
                print(f"{name:22s} faq {_pc(f['faq'], f['faq_of'])}  oos {_pc(f['oos'], f['oos_of'])}  "
                      f"act {_pc(f['act'], f['act_of'])}", flush=True)
    total = {k: sum(f[k] for f in figures.values()) for k in ("faq", "faq_of", "oos", "oos_of", "act", "act_of")}
    if args.json:
        print(json.dumps({"sets": figures, "total": total}, indent=1))
    else:
        print(f"{'held out, all':22s} faq {_pc(total['faq'], total['faq_of'])}  oos {_pc(total['oos'], total['oos_of'])}  "
              f"act {_pc(total['act'], total['act_of'])}  ({total['faq']}/{total['faq_of']}, {total['oos']}/"
              f"{total['oos_of']}, {total['act']}/{total['act_of']}; {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
