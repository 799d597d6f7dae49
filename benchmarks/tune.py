"""Choose the intent model's settings, thresholds and margin on validation questions (run by hand).

    python benchmarks/tune.py [FILE ...] [--kb DIR] [--encoder]

FILE defaults to tests/data/validation.yaml, validation_v3.yaml, validation_facts.yaml, validation_plain.yaml
validation_real.yaml and validation_real2.yaml, read as one set.
Trains the model with the shipped weights (chosen on CLINC150's validation split, see
benchmarks/clinc150.py), then searches the routing penalty and bonus and the decision
thresholds of `knowledge/matcher.yaml`
(fall back below `clarify`, answer at `answer` or above when no other intent is within
`margin`) on the validation files, and prints the best settings with the figures they give. With
`--encoder` the router is built with the packaged sentence encoder and the thresholds searched are
those of matcher.yaml's `encoder` section (the question penalty and slot bonus stay the lexical
ones'). The objective is the issue's bar, FAQ answered right >= 0.97, out-of-scope fallback >= 0.93
and actions >= 0.95, taken as the worst of the three ratios. It also prints the share of the
questions written in Chinese that are answered in Chinese. Copy the winner into matcher.yaml by
hand; the held-out tests/data/eval.yaml and eval_v3.yaml are never used here.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import knowledge  # noqa: E402
from assistant.evaluate import evaluate, read_cases  # noqa: E402
from assistant.router import Router  # noqa: E402


def objective(report: dict) -> float:
    """The worst of the three figures against its bar; FAQ counts only questions answered right
    outright (a "did you mean" where one entry was right is not an answer)."""
    f, o, a = (report["faq"]["answered"] or 0), (report["out_of_scope"]["fallback"] or 0), (report["actions"]["accuracy"] or 0)
    return min(f / 0.97, o / 0.93, a / 0.95) + 0.01 * (f + o + a)


# "did you mean" is for two genuinely close intents ("status": a signature's or a template's?),
# so the margin is searched from 0.1 up, not down to where it never fires.
MARGINS = (0.1, 0.15, 0.2, 0.25, 0.3)


def _memoised(index):
    """INDEX.rank remembering its answers: the thresholds change, the model's scores do not."""
    seen: dict = {}
    rank = index.rank

    def cached(text: str, limit: int = 5):
        key = (text, limit)
        if key not in seen:
            seen[key] = rank(text, limit)
        return seen[key]
    index.rank = cached


def _router(kb, use_encoder: bool) -> Router:
    if not use_encoder:
        return Router(kb)
    from assistant import encoder as encoders

    choice = encoders.chosen("use-m3")
    return Router(kb, encoder=encoders.load(choice))


def chinese_share(router: Router, cases: list[tuple[str, str]]) -> tuple[int, int]:
    """(answered in Chinese, written in Chinese) over CASES: a question with a CJK character is
    written in Chinese; its reply's language is the router's `auto` choice."""
    from assistant.text import is_cjk

    chinese = [q for q, _ in cases if any(is_cjk(ch) for ch in q)]
    return sum(router.route(q).lang == "zh" for q in chinese), len(chinese)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", default=["tests/data/validation.yaml", "tests/data/validation_v3.yaml",
                                                  "tests/data/validation_facts.yaml", "tests/data/validation_plain.yaml",
                                                  "tests/data/validation_real.yaml", "tests/data/validation_real2.yaml"])
    parser.add_argument("--kb", default=None)
    parser.add_argument("--encoder", action="store_true", help="tune the thresholds used with the packaged encoder")
    args = parser.parse_args()
    cases = [case for name in args.files for case in read_cases(name)]
    base = knowledge.load(args.kb)
    best = None
    for char, l2 in itertools.product((base.weights.char,), (base.weights.l2,)):
        weights = base.weights._replace(char=char, l2=l2)
        router = _router(base._replace(weights=weights), args.encoder)
        _memoised(router.index)
        penalties = (base.routing.question_penalty,) if args.encoder else (0.2, 0.3, 0.4)
        bonuses = (base.routing.slot_bonus,) if args.encoder else (0.0, 0.1)
        for penalty, bonus in itertools.product(penalties, bonuses):
            routing = base.routing._replace(question_penalty=penalty, slot_bonus=bonus)
            for clarify in (x / 100 for x in range(10, 55, 2 if args.encoder else 5)):
                for answer in (x / 100 for x in range(round(clarify * 100), 70, 5)):
                    for margin, outside in itertools.product(MARGINS, (0.3, 0.4, 0.5, 0.6, 0.7)):
                        thresholds = base.thresholds._replace(clarify=clarify, answer=answer, margin=margin,
                                                              out_of_scope=outside)
                        router.kb = base._replace(weights=weights, routing=routing, thresholds=thresholds)
                        router.thresholds = thresholds  # what `decide` reads (the encoder's, when it is on)
                        report = evaluate(router, cases).to_json()
                        score = objective(report)
                        if best is None or score > best[0]:
                            best = (score, char, l2, penalty, bonus, thresholds, report)
    score, char, l2, penalty, bonus, t, report = best
    router.kb = base._replace(routing=base.routing._replace(question_penalty=penalty, slot_bonus=bonus), thresholds=t)
    router.thresholds = t
    print(f"weights: char={char} l2={l2}   routing: question_penalty={penalty} slot_bonus={bonus}")
    print(f"thresholds{' (encoder)' if args.encoder else ''}: clarify={t.clarify:.2f} answer={t.answer:.2f} "
          f"margin={t.margin} out_of_scope={t.out_of_scope}")
    print(f"validation: faq top-1 {report['faq']['top1']}  answered {report['faq']['answered']}  "
          f"out-of-scope fallback {report['out_of_scope']['fallback']}  actions {report['actions']['accuracy']}")
    answered_zh, written_zh = chinese_share(router, cases)
    print(f"questions in Chinese answered in Chinese: {answered_zh} of {written_zh}")
    for miss in report["misses"]:
        print(f"  miss: {miss['question']!r} expected {miss['expected']}, got {miss['got']} ({miss['type']})")


if __name__ == "__main__":
    main()
