"""The matcher on public data: CLINC150 intent classification with out-of-scope queries.

    python benchmarks/clinc150.py [--data FILE] [--json] [--fusion W]

Each of the 150 intents becomes a knowledge-base entry whose phrasings are K training
utterances (K=10, the first ten of each intent, close to a hand-written FAQ, and K=100, the full
set); CLINC150's out-of-scope training utterances (`oos_train`) become the negative class, as
knowledge/out_of_scope.yaml does for the assistant. The intent model is trained on those and
every utterance of the split decided on is decided with the settings and thresholds that
`assistant ask` uses (the shipped knowledge/matcher.yaml: fall back when the out-of-scope class
has at least `out_of_scope` probability or the best intent, given in scope, is below `clarify`;
those values were chosen on the validation split, never on the test split, see docs/matcher.md).

The split decided on: `test` + `oos_test` when the data file has them (CLINC150's data_full.json
does; the copy beside the checkout deliberately has not), else `val` + `oos_val`; the JSON's
`split` says which, and with a test split each figure also gives the validation one (`val`).
With the `[encoder]` extra installed the sentence encoder's classifier is trained beside the
lexical model and three models are measured on the same index: `lexical` (as
`ASSISTANT_ENCODER=none`, its own thresholds), `encoder` (the encoder alone, fusion 1) and `fused`
(as `assistant ask` fuses them, matcher.yaml's `encoder` section: its weight and thresholds);
`ASSISTANT_ENCODER=none` measures the lexical model alone. The top-level `k10`/`k100` are the
default model's (fused with the extra, else lexical). The JSON says which encoder ran, with build
and query times. Printed: top-1 accuracy over in-scope utterances (the best in-scope intent is
right); in-scope accuracy (that intent, and not a fallback) and out-of-scope recall (a
fallback) at that one set of thresholds.

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


def _split(data: dict, name: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(in-scope (utterance, intent) pairs, out-of-scope utterances) of split NAME (val or test)."""
    rows = data.get(name, [])
    in_scope = [(u, i) for u, i in rows if i != OOS]
    oos = [u for u, _ in data.get(f"oos_{name}", [])] + [u for u, i in rows if i == OOS]
    return in_scope, oos


def build(data: dict, k: int, kb: knowledge.KnowledgeBase, encoder=None) -> tuple[Index, float]:
    """An index trained on the first K phrasings of each intent of the train split (with ENCODER's
    classifier, if given), and the seconds it took."""
    by_intent: dict[str, list[str]] = defaultdict(list)
    for utterance, intent in data["train"]:
        if intent != OOS and len(by_intent[intent]) < k:
            by_intent[intent].append(utterance)
    # the out-of-scope training utterances are the negative class, as the knowledge base's own are
    by_intent[OOS] = [u for u, _ in data.get("oos_train", [])] + [u for u, i in data["train"] if i == OOS]
    started = time.perf_counter()
    index = Index(by_intent, None, kb.weights, kb.stopwords, negative=OOS, encoder=encoder, encoder_settings=kb.encoder)
    return index, time.perf_counter() - started


def score(index: Index, thresholds, in_scope: list[tuple[str, str]], oos: list[str]) -> dict:
    """Top-1, in-scope accuracy and out-of-scope recall of INDEX on a split, decided as the router
    decides at THRESHOLDS."""

    def decide(utterance: str) -> tuple[str | None, str | None]:
        """(best in-scope intent, the answer: that intent or None for a fallback)."""
        ranked = index.rank(utterance, limit=3)
        outside = next((c.confidence for c in ranked if c.key == OOS), 0.0)
        best = next((c for c in ranked if c.key != OOS), None)
        if best is None:
            return None, None
        given = best.confidence / (1 - outside) if outside < 1 else 0.0
        return best.key, (best.key if outside < thresholds.out_of_scope and given >= thresholds.clarify else None)

    right = right_above = 0
    started = time.perf_counter()
    for utterance, intent in in_scope:
        best, answer = decide(utterance)
        right += best == intent
        right_above += answer == intent
    rejected = sum(decide(u)[1] is None for u in oos)
    per_query = (time.perf_counter() - started) / (len(in_scope) + len(oos))
    return {"top1": round(right / len(in_scope), 4), "in_scope_acc": round(right_above / len(in_scope), 4),
            "oos_recall": round(rejected / len(oos), 4) if oos else None, "clarify": thresholds.clarify,
            "out_of_scope": thresholds.out_of_scope, "ms_per_query": round(1000 * per_query, 2)}


def measure(data: dict, k: int, kb: knowledge.KnowledgeBase, encoder=None) -> dict[str, dict]:
    """Model name -> its figures at K phrasings an intent, on the test split if DATA has one (each
    with the validation split's under `val`), else on the validation split."""
    index, built = build(data, k, kb, encoder)
    splits = {name: _split(data, name) for name in ("val", "test") if data.get(name)}
    semantic = index.semantic
    if semantic is not None:  # every utterance encoded once, in batches, for the three models
        index.prime([u for in_scope, oos in splits.values() for u in [*(u for u, _ in in_scope), *oos]])
    models = {"lexical": (None, kb.thresholds)}
    if semantic is not None:
        fused = kb.thresholds._replace(clarify=kb.encoder.clarify, answer=kb.encoder.answer,
                                       out_of_scope=kb.encoder.out_of_scope)
        models = {**models, "encoder": (1.0, fused), "fused": (kb.encoder.fusion, fused)}
    results = {}
    for name, (fusion, thresholds) in models.items():
        index.semantic = semantic if fusion is not None else None
        index.encoder_settings = kb.encoder._replace(fusion=fusion if fusion is not None else kb.encoder.fusion)
        figures = {split: score(index, thresholds, *rows) for split, rows in splits.items()}
        decided = figures.get("test") or figures["val"]
        results[name] = {**decided, "build_s": round(built, 2), **({"val": figures["val"]} if "test" in figures else {})}
    index.semantic = semantic
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="CLINC150 benchmark of the matcher")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="JSON with train, val, oos_train and oos_val (and test, oos_test: decided on those)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--fusion", type=float, help="the encoder's weight instead of matcher.yaml's (1: the encoder alone)")
    args = parser.parse_args()
    try:
        data = json.loads(args.data.read_text(encoding="utf-8"))
        if not data.get("train") or not data.get("val"):
            raise ValueError("no train or val split")
    except (OSError, ValueError) as exc:
        sys.exit(f"cannot read {args.data}: {exc}; pass --data FILE with keys train, val, oos_train, oos_val "
                 "(and test, oos_test)")
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
    split = "test" if data.get("test") else "val"
    default = "fused" if encoder else "lexical"
    results: dict = {"split": split, "encoder": encoder.name if encoder else None,
                     "fusion": kb.encoder.fusion if encoder else 0.0,
                     "encoder_load_s": round(loaded, 2) if encoder else None, "models": {}}
    seconds = {}
    for k in (10, 100):
        started = time.perf_counter()
        for name, figures in measure(data, k, kb, encoder=encoder).items():
            results["models"].setdefault(name, {})[f"k{k}"] = figures
        results[f"k{k}"] = results["models"][default][f"k{k}"]
        seconds[k] = time.perf_counter() - started
    if args.json:
        print(json.dumps(results))
        return
    name = {"test": "test (+ oos_test)", "val": "validation (+ oos_val)"}[split]
    model = f"encoder {encoder.name}, fused at {kb.encoder.fusion}" if encoder else "lexical model alone"
    print(f"CLINC150 {name}, trained on train (first K of each intent), {model}; thresholds from "
          "knowledge/matcher.yaml (chosen on validation)")
    print(f"{'model':<8} {'K':>4}  {'top-1':>6}  {'in-scope acc':>12}  {'oos recall':>10}  {'clarify':>7}")
    for model_name, by_k in results["models"].items():
        for k in (10, 100):
            r = by_k[f"k{k}"]
            print(f"{model_name:<8} {k:>4}  {r['top1']:>6.3f}  {r['in_scope_acc']:>12.3f}  {r['oos_recall']:>10.3f}  "
                  f"{r['clarify']:>7}")
    print(f"seconds: K=10 {seconds[10]:.1f}, K=100 {seconds[100]:.1f}")


if __name__ == "__main__":
    main()
