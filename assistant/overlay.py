"""Phrasings learned locally (`assistant kb learn`), and exporting the merged knowledge base.

The shipped knowledge base is never written to. Learned phrasings live in `learned.json`
beside the database and are merged into the FAQ entries when the knowledge base is loaded;
`kb export DIR` writes the merged result as YAML for whoever maintains the FAQ.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from . import knowledge
from .errors import UserError
from .paths import private_dirs
from .text import clean, fold


def _add(learned: dict[str, list[str]], kb: knowledge.KnowledgeBase, question: str, target: str) -> int:
    """Add QUESTION to the phrasings of TARGET (an FAQ entry id or action name) in LEARNED."""
    question = clean(question)
    if not question:
        raise UserError("the question to learn is empty")
    if target not in kb.entries and target not in kb.actions:
        raise UserError(f"no entry '{target}'; the entries are: {', '.join(kb.entries)} (or an action: {', '.join(kb.actions)})")
    key = kb.synonyms.apply(fold(question))
    for entry in kb.entries.values():
        if entry.id != target and key in {kb.synonyms.apply(fold(p)) for p in (entry.question, *entry.alternatives)}:
            raise UserError(f"'{question}' is already a phrasing of entry '{entry.id}'; an entry's phrasings must be its own")
    for action in kb.actions.values():
        if action.name != target and key in {kb.synonyms.apply(fold(p)) for p in action.examples}:
            raise UserError(f"'{question}' is already an example of action '{action.name}'")
    for group, examples in kb.out_of_scope.items():
        if key in {kb.synonyms.apply(fold(p)) for p in examples}:
            raise UserError(f"'{question}' is an out-of-scope example (group '{group}'); edit out_of_scope.yaml instead")
    phrasings = learned.setdefault(target, [])
    known = kb.entries[target].alternatives if target in kb.entries else kb.actions[target].examples
    if question not in phrasings and question not in known:
        phrasings.append(question)
    return len(phrasings)


def _save(path: Path, learned: dict[str, list[str]]) -> None:
    import tempfile  # only when learning: it pulls in shutil and more, which `ask` never needs

    private_dirs(path.parent)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as handle:
        json.dump(learned, handle, ensure_ascii=False, indent=2)
    os.replace(handle.name, path)


def learn(path: Path, kb: knowledge.KnowledgeBase, question: str, entry_id: str) -> dict:
    """Add QUESTION to the phrasings of ENTRY_ID (an FAQ entry or an action) in the overlay at PATH."""
    learned = knowledge.read_overlay(path)
    count = _add(learned, kb, question, entry_id)
    _save(path, learned)
    return {"entry": entry_id, "question": clean(question), "learned": count}


def learn_proposals(path: Path, kb: knowledge.KnowledgeBase, proposals: list[dict]) -> list[dict]:
    """Accept the phrasings proposed by "did you mean" picks (`gaps.proposals`), all in one write.

    A proposal that cannot be learned (its intent is gone, or the phrasing belongs elsewhere) is
    skipped; the others are learned.
    """
    learned = knowledge.read_overlay(path)
    done = []
    for proposal in proposals:
        target = proposal["intent"].partition(":")[2]
        try:
            _add(learned, kb, proposal["question"], target)
        except UserError:
            continue
        done.append({"entry": target, "question": clean(proposal["question"]), "count": proposal["count"]})
    if done:
        _save(path, learned)
    return done


def _written_answers(path: Path) -> dict[str, dict]:
    """The answers of faq.yaml as written, by entry id, for those that name a rule ({rules.PATH})."""
    import yaml

    try:
        items = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("entries") or []
    except (OSError, yaml.YAMLError, AttributeError):
        return {}
    return {str(i.get("id")): {k: v for k, v in i.items() if k.startswith("answer") and "{rules." in str(v)}
            for i in items if isinstance(i, dict)}


def export(kb: knowledge.KnowledgeBase, target: Path, force: bool = False) -> Path:
    """Write the merged knowledge base (shipped or --kb, plus learned phrasings) into TARGET.

    TARGET must be a new or empty directory; with FORCE the YAML files of a non-empty one are
    overwritten. A file in the way is always refused.
    """
    import shutil

    import yaml

    source = Path(kb.source)
    if target.resolve() == source.resolve():
        raise UserError("export into another directory, not over the knowledge base in use")
    if target.exists() and not target.is_dir():
        raise UserError(f"{target} is a file, not a directory; export into a new or empty directory")
    if target.exists() and any(target.iterdir()) and not force:
        raise UserError(f"{target} is not empty; export into a new or empty directory, or pass --force to overwrite "
                        "its YAML files")
    target.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.yaml"):
        if path.name != "faq.yaml":
            shutil.copyfile(path, target / path.name)
    written = _written_answers(source / "faq.yaml")
    entries = []
    for e in kb.entries.values():
        raw = written.get(e.id, {})
        # an answer naming a rule ({rules.PATH}) is exported as written, so the export keeps one source of truth
        item = {"id": e.id, **({"kind": e.kind} if e.kind != "faq" else {}), "question": e.question,
                "answer": raw.get("answer") or e.answer, "source": e.source}
        for lang in kb.languages[1:]:
            item[f"question_{lang}"] = e.said("question", lang)
            item[f"answer_{lang}"] = raw.get(f"answer_{lang}") or e.said("answer", lang)
        item.update(tags=list(e.tags), alternatives=list(e.alternatives))
        if e.actions:
            item["actions"] = list(e.actions)
        if e.related:
            item["related"] = list(e.related)
        entries.append(item)
    data = {"version": 1, **({"languages": list(kb.languages)} if len(kb.languages) > 1 else {}),
            **({"intro": kb.intro} if kb.intro else {}), "entries": entries}
    header = "# Exported by `assistant kb export`: the knowledge base with locally learned phrasings merged.\n"
    (target / "faq.yaml").write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100),
                                     encoding="utf-8")
    return target
