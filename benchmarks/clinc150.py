"""The matcher on public data: CLINC150 intent classification with out-of-scope queries.

    python benchmarks/clinc150.py [--data FILE] [--json]

Each of the 150 intents becomes a knowledge-base entry whose phrasings are K training
utterances (K=10, close to a hand-written FAQ, and K=100, the full set); CLINC150's
out-of-scope training utterances (`oos_train`) become the negative class, as
knowledge/out_of_scope.yaml does for the assistant. The intent model is trained on those and
every validation utterance is answered with the same settings and fallback threshold that
`assistant ask` uses (the shipped knowledge/matcher.yaml). Printed: top-1 accuracy over
in-scope validation utterances (the best in-scope intent is right); in-scope accuracy (the
model's first choice is that intent, at or above the threshold) and out-of-scope recall (the
first choice is the negative class, or below the threshold) at that one threshold.

Data: CLINC150 (Larson et al., EMNLP 2019, CC BY 3.0), by default from
../shared/benchmarks/clinc150/clinc150_train_val.json beside the checkout.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import knowledge  # noqa: E402
from assistant.matcher import Index  # noqa: E402

OOS = "oos"
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "clinc150" / "clinc150_train_val.json"


def measure(data: dict, k: int, kb: knowledge.KnowledgeBase, threshold: float | None = None) -> dict:
    """Build an index from K phrasings per intent and score the validation split."""
    by_intent: dict[str, list[str]] = defaultdict(list)
    for utterance, intent in data["train"]:
        if intent != "oos" and len(by_intent[intent]) < k:
            by_intent[intent].append(utterance)
    # the out-of-scope training utterances are the negative class, as the knowledge base's own are
    by_intent[OOS] = [u for u, _ in data.get("oos_train", [])] + [u for u, i in data["train"] if i == "oos"]
    index = Index(by_intent, None, kb.weights, kb.stopwords)
    threshold = kb.thresholds.clarify if threshold is None else threshold
    right = right_above = 0
    in_scope = [(u, i) for u, i in data["val"] if i != "oos"]
    for utterance, intent in in_scope:
        ranked = index.rank(utterance, limit=2)
        best = next((c for c in ranked if c.key != OOS), None)
        if best and best.key == intent:
            right += 1
            right_above += ranked[0].key == intent and ranked[0].confidence >= threshold
    oos = [u for u, i in data.get("oos_val", [])] + [u for u, i in data["val"] if i == "oos"]
    rejected = 0
    for utterance in oos:
        ranked = index.rank(utterance, limit=1)
        rejected += not ranked or ranked[0].key == OOS or ranked[0].confidence < threshold
    return {"top1": round(right / len(in_scope), 4), "in_scope_acc": round(right_above / len(in_scope), 4),
            "oos_recall": round(rejected / len(oos), 4) if oos else None}


def main() -> None:
    parser = argparse.ArgumentParser(description="CLINC150 benchmark of the matcher")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="JSON with train, val and oos_val")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    try:
        data = json.loads(args.data.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        sys.exit(f"cannot read {args.data}: {exc}; pass --data FILE with keys train, val, oos_val")
    kb = knowledge.load()
    results, seconds = {}, {}
    for k in (10, 100):
        started = time.perf_counter()
        results[f"k{k}"] = measure(data, k, kb)
        seconds[k] = time.perf_counter() - started
    if args.json:
        print(json.dumps(results))
        return
    print(f"CLINC150 validation, fallback threshold {kb.thresholds.clarify} (knowledge/matcher.yaml)")
    print(f"{'K':>4}  {'top-1':>6}  {'in-scope acc':>12}  {'oos recall':>10}  {'seconds':>7}")
    for k in (10, 100):
        r = results[f"k{k}"]
        print(f"{k:>4}  {r['top1']:>6.3f}  {r['in_scope_acc']:>12.3f}  {r['oos_recall']:>10.3f}  {seconds[k]:>7.1f}")


if __name__ == "__main__":
    main()
