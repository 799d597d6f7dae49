"""Measure the router on labelled questions (`assistant eval FILE.yaml`).

A case expects an FAQ entry id, an action name, or `fallback`. Three figures come out, because
they fail in different ways: top-1 on FAQ phrasings (the best candidate is the right entry,
whether answered outright or offered first in a "did you mean"), recall on out-of-scope
questions (the assistant fell back instead of answering), and accuracy on action requests.
A case expecting an undocumented entry (a `*-not-published` one) is out of scope, and right only
when the fallback is that entry's reply (it says where to look), not a bare "I don't know".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import UserError
from .router import Reply, Router

if TYPE_CHECKING:
    from .knowledge import KnowledgeBase


@dataclass
class Miss:
    question: str
    expected: str
    got: str
    type: str
    confidence: float


@dataclass
class Report:
    total: int = 0
    faq: int = 0
    faq_top1: int = 0
    faq_answered: int = 0
    oos: int = 0
    oos_fallback: int = 0
    actions: int = 0
    actions_right: int = 0
    misses: list[Miss] = field(default_factory=list)
    confusions: Counter = field(default_factory=Counter)

    @staticmethod
    def _rate(n: int, d: int) -> float | None:
        return round(n / d, 4) if d else None

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "faq": {"cases": self.faq, "top1": self._rate(self.faq_top1, self.faq),
                    "answered": self._rate(self.faq_answered, self.faq)},
            "out_of_scope": {"cases": self.oos, "fallback": self._rate(self.oos_fallback, self.oos)},
            "actions": {"cases": self.actions, "accuracy": self._rate(self.actions_right, self.actions)},
            "confusions": [{"expected": e, "got": g, "count": n} for (e, g), n in self.confusions.most_common()],
            "misses": [vars(m) for m in self.misses],
        }


FORM = "- {question: how long does signature review take, expect: ENTRY|ACTION|fallback}"   # one case, as YAML reads it


def read_cases(path: str | Path, kb: KnowledgeBase | None = None) -> list[tuple[str, str]]:
    """The (question, expected) pairs of an eval file: a list of cases, at the top or under `cases:`.
    With KB, each expected label is checked too. A UserError names what is wrong, in one line."""
    from .files import read_text

    text = read_text(path, 64 * 1024 * 1024, "eval")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        from .yamlfile import said

        raise UserError(said(path, exc)) from None
    cases = data.get("cases") if isinstance(data, dict) else data
    if not isinstance(cases, list):
        raise UserError(f"{path} has no list of cases; write one case per line, at the top or under 'cases:', "
                        f"as {FORM}")
    out = []
    for n, case in enumerate(cases, 1):
        if not isinstance(case, dict) or not case.get("question") or not case.get("expect"):
            raise UserError(f"{path}: case {n} needs 'question' and 'expect', as {FORM}")
        out.append((str(case["question"]), str(case["expect"])))
    if kb is not None:
        check(kb, out, f"{path}: ")
    return out


def check(kb: KnowledgeBase, cases: list[tuple[str, str]], where: str = "") -> None:
    """A UserError naming the first case whose expected label is no FAQ entry, no action and not
    `fallback` (a typo would count as a miss, silently, in every figure)."""
    for n, (question, expected) in enumerate(cases, 1):
        if expected != "fallback" and expected not in kb.entries and expected not in kb.actions:
            raise UserError(f"{where}case {n} ({question!r}) expects {expected!r}, which is no FAQ entry, action or "
                            "'fallback'; use an entry id (`assistant kb export`), an action name, or fallback")


def _label(reply: Reply) -> str:
    if reply.type == "answer":
        return reply.entry or ""
    if reply.type == "action":
        return reply.action or ""
    if reply.type == "clarify" and reply.best is not None:
        return reply.best.key.partition(":")[2]
    return "fallback"


def evaluate(router: Router, cases: list[tuple[str, str]]) -> Report:
    """Route every case and count what came out right."""
    check(router.kb, cases)
    report = Report()
    for question, expected in cases:
        reply = router.route(question)
        got = _label(reply)
        report.total += 1
        undocumented = expected in router.kb.entries and router.kb.entries[expected].kind == "undocumented"
        if expected == "fallback" or undocumented:
            # an undocumented entry replies as a fallback that says where to look: right only with that entry's reply
            report.oos += 1
            right = reply.type == "fallback" and (not undocumented or reply.entry == expected)
            report.oos_fallback += right
        elif expected in router.kb.actions:
            report.actions += 1
            right = got == expected and reply.type == "action"
            report.actions_right += right
        else:
            report.faq += 1
            right = got == expected
            report.faq_top1 += right
            report.faq_answered += right and reply.type == "answer"
        if not right:
            report.misses.append(Miss(question, expected, got, reply.type, reply.confidence))
            report.confusions[(expected, got)] += 1
    return report
