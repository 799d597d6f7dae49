"""Teaching the knowledge base phrasings (`assistant kb learn`), and exporting the merged knowledge base.

The shipped knowledge base is never written to. Learned phrasings are kept in the database they
were taught on (table `learned_phrasings`, see `learned.py`) and merged into the FAQ entries and
actions when the router is loaded; `kb export DIR` writes the merged result as YAML for whoever
maintains the FAQ.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import knowledge, learned
from .errors import UserError
from .text import clean, echoed, fold


def _check(kb: knowledge.KnowledgeBase, taught: learned.Learned, question: str, target: str) -> bool:
    """Whether QUESTION may be learned for TARGET (an FAQ entry id or action name): a UserError if
    not (empty, unknown target, a phrasing of another entry or action, learned for another target,
    an out-of-scope example); False if TARGET already has it, True if it is new. TAUGHT: what the
    database has learned so far (the knowledge base KB may have been loaded before the last lesson)."""
    if not question:
        raise UserError("the question to learn is empty")
    if target not in kb.entries and target not in kb.actions:
        raise UserError(f"no entry '{echoed(target)}'; the entries are: {', '.join(kb.entries)} "
                        f"(or an action: {', '.join(kb.actions)})")
    key = kb.synonyms.apply(fold(question))

    def folded(phrasings) -> set[str]:
        return {kb.synonyms.apply(fold(p)) for p in phrasings}
    for entry in kb.entries.values():
        if entry.id != target and key in folded((entry.question, *entry.alternatives)):
            raise UserError(f"'{question}' is already a phrasing of entry '{entry.id}'; an entry's phrasings must be its own")
    for action in kb.actions.values():
        if action.name != target and key in folded(action.examples):
            raise UserError(f"'{question}' is already an example of action '{action.name}'")
    for other, phrasings in taught.items():
        if other != target and key in folded(phrasings):
            raise UserError(f"'{question}' was already learned for '{other}'; an entry's phrasings must be its own")
    for group, examples in kb.out_of_scope.items():
        if key in folded(examples):
            raise UserError(f"'{question}' is an out-of-scope example (group '{group}'); edit out_of_scope.yaml instead")
    known = kb.entries[target].alternatives if target in kb.entries else kb.actions[target].examples
    return question not in taught.get(target, []) and question not in known


def _teach(store: Any, kb: knowledge.KnowledgeBase, taught: learned.Learned, question: str, target: str,
           at: str, by: str | None) -> int:
    """Check QUESTION for TARGET and record it (inside the caller's transaction); TARGET's count of learned phrasings."""
    if _check(kb, taught, question, target):
        learned.add(store, target, question, at, by)
        taught.setdefault(target, []).append(question)
    return len(taught.get(target, []))


def learn(store: Any, kb: knowledge.KnowledgeBase, question: str, entry_id: str, at: str, by: str | None = None) -> dict:
    """Add QUESTION to the phrasings of ENTRY_ID (an FAQ entry or an action) in the database STORE,
    at time AT by BY (a staff member's name, if known), in one transaction; the mirror that a
    cached `ask` reads is written at once."""
    question = clean(question)

    def work() -> int:
        return _teach(store, kb, learned.read(store).learned, question, entry_id, at, by)
    count = store.atomically(work)
    learned.sync(store)
    return {"entry": entry_id, "question": question, "learned": count}


def learn_proposals(store: Any, kb: knowledge.KnowledgeBase, proposals: list[dict], at: str,
                    by: str | None = None) -> list[dict]:
    """Accept the phrasings proposed by "did you mean" picks (`gaps.proposals`), all in one transaction.

    A proposal that cannot be learned (its intent is gone, or the phrasing belongs elsewhere) is
    skipped; the others are learned.
    """
    def work() -> list[dict]:
        taught, done = learned.read(store).learned, []
        for proposal in proposals:
            target, question = proposal["intent"].partition(":")[2], clean(proposal["question"])
            try:
                _teach(store, kb, taught, question, target, at, by)
            except UserError:
                continue
            done.append({"entry": target, "question": question, "count": proposal["count"]})
        return done
    done = store.atomically(work)
    if done:
        learned.sync(store)
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
