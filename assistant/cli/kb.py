"""`assistant eval` and the knowledge-base tools: `kb check`, `kb gaps`, `kb learn`, `kb export`."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import knowledge
from ..errors import UserError
from ..render import to_json
from .parser import UsageError
from .shell import Shell, command


@command("eval")
def cmd_eval(opts: argparse.Namespace, sh: Shell) -> int:
    from ..evaluate import evaluate, read_cases

    if opts.stories:
        return _eval_stories(opts, sh)
    if not opts.file:
        raise UsageError("give a YAML file of labelled questions, or --stories DIR")
    report = evaluate(sh.router, read_cases(opts.file, sh.router.kb)).to_json()
    sh.emit(report, _eval_text)
    return 0


def _eval_stories(opts: argparse.Namespace, sh: Shell) -> int:
    """Play every conversation story of a folder; exit 1 when one fails."""
    from ..stories import run_dir

    results = run_dir(opts.stories, sh.router)
    failed = [r for r in results if not r.ok]
    summary = f"{len(results)} stories: {len(results) - len(failed)} passed, {len(failed)} failed"
    if opts.json:
        sh.out(to_json({"stories": len(results), "passed": len(results) - len(failed), "failed": len(failed),
                        "results": [r.to_json() for r in results]}))
    else:
        for r in failed:
            sh.out(f"FAIL {r.name} ({r.path})")
            sh.out("\n".join(f"  {f}" for f in r.failures))
        sh.out(summary)
    return 1 if failed else 0


def _eval_text(r: dict) -> str:
    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{v * 100:.1f}%"
    lines = [f"{r['total']} questions",
             f"  FAQ phrasings   {r['faq']['cases']:>4}  top-1 {pct(r['faq']['top1'])}"
             f"  answered outright {pct(r['faq']['answered'])}",
             f"  out of scope    {r['out_of_scope']['cases']:>4}  fell back {pct(r['out_of_scope']['fallback'])}",
             f"  actions         {r['actions']['cases']:>4}  right {pct(r['actions']['accuracy'])}"]
    if r["confusions"]:
        lines.append("confusions (expected -> got):")
        lines += [f"  {c['expected']} -> {c['got']}  x{c['count']}" for c in r["confusions"]]
    if r["misses"]:
        lines.append("misses:")
        lines += [f"  [{m['expected']} -> {m['got']} ({m['type']} {m['confidence']:.2f})] {m['question']}" for m in r["misses"]]
    return "\n".join(lines)


@command("kb check")
def cmd_kb_check(opts: argparse.Namespace, sh: Shell) -> int:
    directory = knowledge.resolve_dir(opts.dir or opts.kb)
    kb, problems = knowledge.check(directory)
    if opts.json:
        sh.out(to_json({"dir": str(directory), "ok": not problems, "problems": [p._asdict() for p in problems]}))
    elif problems:
        for problem in problems:
            sh.out(str(problem))
    else:
        sh.out(f"{directory}: OK ({len(kb.entries)} entries, {len(kb.actions)} actions, "
               f"{len(kb.error_codes)} error codes, {len(kb.synonyms.table)} synonyms)")
    return 1 if problems else 0


@command("kb gaps")
def cmd_kb_gaps(opts: argparse.Namespace, sh: Shell) -> int:
    from ..render import gaps_text

    sh.emit(sh.ops.gaps(opts.since), gaps_text)
    return 0


@command("kb report")
def cmd_kb_report(opts: argparse.Namespace, sh: Shell) -> int:
    from ..render import report_text

    if not 1 <= opts.days <= 3660:
        raise UsageError("--days must be between 1 and 3660")
    sh.emit(sh.ops.report(opts.days), report_text)
    return 0


@command("kb learn")
def cmd_kb_learn(opts: argparse.Namespace, sh: Shell) -> int:
    if opts.proposals:
        if opts.question or opts.entry:
            raise UserError("give either QUESTION --entry ID or --proposals, not both")
        learned = sh.ops.learn_proposals(opts.min_count)
        sh.emit(learned, lambda rs: "\n".join(f"Learned: '{r['question']}' now answers with '{r['entry']}'." for r in rs)
                or "No proposed phrasings to learn.")
        return 0
    if not opts.question or not opts.entry:
        raise UserError("say what to learn: kb learn QUESTION --entry ID (or kb learn --proposals)")
    result = sh.ops.learn(opts.question, opts.entry)
    sh.emit(result, lambda r: f"Learned: '{r['question']}' now answers with '{r['entry']}'.")
    return 0


@command("kb export")
def cmd_kb_export(opts: argparse.Namespace, sh: Shell) -> int:
    from ..overlay import export

    sh.read_learned()
    target = export(sh.kb, Path(opts.dir), force=opts.force)
    sh.emit({"dir": str(target)}, lambda r: f"Wrote the merged knowledge base to {r['dir']}; "
                                            f"check it with `assistant kb check {r['dir']}`.")
    return 0
