"""Phrasings learned locally (`assistant kb learn`), and exporting the merged knowledge base.

The shipped knowledge base is never written to. Learned phrasings live in `learned.json`
beside the database and are merged into the FAQ entries when the knowledge base is loaded;
`kb export DIR` writes the merged result as YAML for whoever maintains the FAQ.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from . import knowledge
from .errors import UserError
from .text import clean, fold


def learn(path: Path, kb: knowledge.KnowledgeBase, question: str, entry_id: str) -> dict:
    """Add QUESTION to the alternatives of ENTRY_ID in the overlay at PATH."""
    question = clean(question)
    if not question:
        raise UserError("the question to learn is empty")
    if entry_id not in kb.entries:
        raise UserError(f"no entry '{entry_id}'; the entries are: {', '.join(kb.entries)}")
    key = kb.synonyms.apply(fold(question))
    for entry in kb.entries.values():
        if entry.id != entry_id and key in {kb.synonyms.apply(fold(p)) for p in (entry.question, *entry.alternatives)}:
            raise UserError(f"'{question}' is already a phrasing of entry '{entry.id}'; an entry's phrasings must be its own")
    for action in kb.actions.values():
        if key in {kb.synonyms.apply(fold(p)) for p in action.examples}:
            raise UserError(f"'{question}' is already an example of action '{action.name}'")
    learned = knowledge.read_overlay(path)
    phrasings = learned.setdefault(entry_id, [])
    if question not in phrasings and question not in kb.entries[entry_id].alternatives:
        phrasings.append(question)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as handle:
        json.dump(learned, handle, ensure_ascii=False, indent=2)
    os.replace(handle.name, path)
    return {"entry": entry_id, "question": question, "learned": len(phrasings)}


def export(kb: knowledge.KnowledgeBase, target: Path, force: bool = False) -> Path:
    """Write the merged knowledge base (shipped or --kb, plus learned phrasings) into TARGET.

    TARGET must be a new or empty directory; with FORCE the YAML files of a non-empty one are
    overwritten. A file in the way is always refused.
    """
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
    entries = []
    for e in kb.entries.values():
        item = {"id": e.id, "question": e.question, "answer": e.answer, "tags": list(e.tags),
                "alternatives": list(e.alternatives)}
        if e.actions:
            item["actions"] = list(e.actions)
        if e.related:
            item["related"] = list(e.related)
        entries.append(item)
    data = {"version": 1, **({"intro": kb.intro} if kb.intro else {}), "entries": entries}
    header = "# Exported by `assistant kb export`: the knowledge base with locally learned phrasings merged.\n"
    (target / "faq.yaml").write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100),
                                     encoding="utf-8")
    return target
