"""The matcher on public data: CLINC150 intent classification with out-of-scope queries.

    python benchmarks/clinc150.py [--data FILE] [--json] [--fusion W]

Each of the 150 intents becomes a knowledge-base entry whose phrasings are K training
utterances (K=10, close to a hand-written FAQ, and K=100, the full set); CLINC150's
out-of-scope training utterances (`oos_train`) become the negative class, as
knowledge/out_of_scope.yaml does for the assistant. The intent model is trained on those and
every validation utterance is decided with the same settings and thresholds that `assistant
ask` uses (the shipped knowledge/matcher.yaml: fall back when the out-of-scope class has at
least `out_of_scope` probability or the best intent, given in scope, is below `clarify`; those
values were chosen on this validation split, see docs/matcher.md).
With the `[encoder]` extra installed the sentence encoder's classifier is trained beside the
lexical model and the two are fused as `assistant ask` fuses them (matcher.yaml's `encoder`
section: its weight and thresholds); `ASSISTANT_ENCODER=none` measures the lexical model alone,
`--fusion 1` the encoder alone. The JSON says which encoder ran, with build and query times.
Printed: top-1 accuracy over in-scope validation utterances (the best in-scope intent is
right); in-scope accuracy (that intent, and not a fallback) and out-of-scope recall (a
fallback) at those one set of thresholds.

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

from assistant import encoder as encoders  # noqa: E402
from assistant import knowledge  # noqa: E402
from assistant.matcher import Index  # noqa: E402

OOS = "oos"
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "clinc150" / "clinc150_train_val.json"


def measure(data: dict, k: int, kb: knowledge.KnowledgeBase, threshold: float | None = None, encoder=None) -> dict:
    """Build an index from K phrasings per intent (with ENCODER's classifier fused in, if given)
    and score the validation split."""
    by_intent: dict[str, list[str]] = defaultdict(list)
    for utterance, intent in data["train"]:
        if intent != "oos" and len(by_intent[intent]) < k:
            by_intent[intent].append(utterance)
    # the out-of-scope training utterances are the negative class, as the knowledge base's own are
    by_intent[OOS] = [u for u, _ in data.get("oos_train", [])] + [u for u, i in data["train"] if i == "oos"]
    started = time.perf_counter()
    index = Index(by_intent, None, kb.weights, kb.stopwords, negative=OOS, encoder=encoder, encoder_settings=kb.encoder)
    built = time.perf_counter() - started
    t = kb.thresholds
    if index.semantic is not None:  # the fused model's own thresholds, as the router uses them
        t = t._replace(clarify=kb.encoder.clarify, answer=kb.encoder.answer, out_of_scope=kb.encoder.out_of_scope)
    clarify = t.clarify if threshold is None else threshold

    def decide(utterance: str) -> tuple[str | None, str | None]:
        """(best in-scope intent, the answer: that intent or None for a fallback), as the router decides."""
        ranked = index.rank(utterance, limit=3)
        outside = next((c.confidence for c in ranked if c.key == OOS), 0.0)
        best = next((c for c in ranked if c.key != OOS), None)
        if best is None:
            return None, None
        given = best.confidence / (1 - outside) if outside < 1 else 0.0
        return best.key, (best.key if outside < t.out_of_scope and given >= clarify else None)

    right = right_above = 0
    in_scope = [(u, i) for u, i in data["val"] if i != "oos"]
    started = time.perf_counter()
    for utterance, intent in in_scope:
        best, answer = decide(utterance)
        right += best == intent
        right_above += answer == intent
    oos = [u for u, i in data.get("oos_val", [])] + [u for u, i in data["val"] if i == "oos"]
    rejected = sum(decide(u)[1] is None for u in oos)
    per_query = (time.perf_counter() - started) / (len(in_scope) + len(oos))
    return {"top1": round(right / len(in_scope), 4), "in_scope_acc": round(right_above / len(in_scope), 4),
            "oos_recall": round(rejected / len(oos), 4) if oos else None, "clarify": clarify,
            "out_of_scope": t.out_of_scope, "build_s": round(built, 2), "ms_per_query": round(1000 * per_query, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description="CLINC150 benchmark of the matcher")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="JSON with train, val and oos_val")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--fusion", type=float, help="the encoder's weight instead of matcher.yaml's (1: the encoder alone)")
    args = parser.parse_args()
    try:
        data = json.loads(args.data.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        sys.exit(f"cannot read {args.data}: {exc}; pass --data FILE with keys train, val, oos_val")
    kb = knowledge.load()
    if args.fusion is not None:
        kb = kb._replace(encoder=kb.encoder._replace(fusion=args.fusion))
    choice = encoders.chosen()
    started = time.perf_counter()
    try:
        encoder = encoders.load(choice) if choice is not None else None
    except encoders.EncoderError as exc:
        sys.exit(f"error: {exc}")
    loaded = time.perf_counter() - started
    results: dict = {"encoder": encoder.name if encoder else None,
                     "fusion": kb.encoder.fusion if encoder else 0.0,
                     "encoder_load_s": round(loaded, 2) if encoder else None}
    seconds = {}
    for k in (10, 100):
        started = time.perf_counter()
        results[f"k{k}"] = measure(data, k, kb, encoder=encoder)
        seconds[k] = time.perf_counter() - started
    if args.json:
        print(json.dumps(results))
        return
    r = results["k100"]
    model = f"encoder {encoder.name} fused at {kb.encoder.fusion}" if encoder else "lexical model alone"
    print(f"CLINC150 validation, {model}; thresholds out_of_scope {r['out_of_scope']}, clarify {r['clarify']} "
          "(knowledge/matcher.yaml)")
    print(f"{'K':>4}  {'top-1':>6}  {'in-scope acc':>12}  {'oos recall':>10}  {'seconds':>7}")
    for k in (10, 100):
        r = results[f"k{k}"]
        print(f"{k:>4}  {r['top1']:>6.3f}  {r['in_scope_acc']:>12.3f}  {r['oos_recall']:>10.3f}  {seconds[k]:>7.1f}")


if __name__ == "__main__":
    main()
