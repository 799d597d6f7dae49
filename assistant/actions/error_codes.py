"""Error-code lookup that never passes a guess off as the answer.

A code the catalogue holds is found whatever its case, with or without the `isv.`/`isp.`
prefix and with punctuation around it (`"isv.amount_not_enough".`): `matched: "exact"`. A
description ("amount not enough") may find its code when one code clearly fits it best:
`matched: "description"`. Anything else — a misspelt or partial code — is not answered:
`matched: "closest"` with the nearest codes as `candidates`, best first, for the person to
choose from ("Did you mean ...").

`raised_codes()` names every service code the actions can produce, found by reading their
source, so that `kb check` can insist that each one is in the catalogue.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from ..errors import UserError
from ..knowledge import ErrorCode, KnowledgeBase
from ..text import fold

PREFIXES = ("isv.", "isp.")
# Characters a person may leave around a code when pasting it from a log or a message.
_EDGES = " \t\r\n\"'`“”‘’()[]{}<>.,;:!?。，；：！？【】（）「」"
_CODE_SHAPED = re.compile(r"[A-Za-z0-9_.]+")
_SERVICE_CODE = re.compile(r"\b(?:isv|isp)\.[A-Z][A-Z0-9_]*[A-Z0-9]")

CANDIDATE_CUTOFF = 0.6    # similarity (0-1) a catalogue code needs to be offered as a candidate
DESCRIPTION_CUTOFF = 0.8  # similarity a description needs to be answered with a code
DESCRIPTION_LEAD = 0.05   # ... and by how much it must beat the next code
MAX_CANDIDATES = 5


def code_key(text: str) -> str:
    """TEXT as the catalogue compares codes: trimmed of surrounding punctuation, any case, no prefix."""
    key = text.strip().strip(_EDGES).casefold()
    for prefix in PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def _exact_index(kb: KnowledgeBase) -> dict[str, str]:
    index = {}
    for code in kb.error_codes.values():
        for name in (code.code, *code.aliases):
            index.setdefault(code_key(name), code.code)
    return index


def _words(name: str) -> str:
    """A code's name as words: isv.AMOUNT_NOT_ENOUGH -> "amount not enough"."""
    return fold(code_key(name).replace("_", " ").replace(".", " "))


def _candidate(code: ErrorCode, score: float) -> dict:
    return {"code": code.code, "meaning": code.meaning, "score": round(score, 2)}


def _ranked(scores: dict[str, float], cutoff: float) -> list[tuple[str, float]]:
    return sorted(((c, s) for c, s in scores.items() if s >= cutoff), key=lambda cs: (-cs[1], cs[0]))


def _by_code(kb: KnowledgeBase, key: str) -> dict[str, float]:
    """How close KEY, read as a (misspelt or partial) code, is to each code of the catalogue."""
    scores: dict[str, float] = {}
    for code in kb.error_codes.values():
        for name in (code.code, *code.aliases):
            other = code_key(name)
            score = max(fuzz.ratio(key, other), 0.9 * fuzz.partial_ratio(key, other) if len(key) >= 4 else 0) / 100
            scores[code.code] = max(scores.get(code.code, 0.0), score)
    return scores


def _by_description(kb: KnowledgeBase, text: str) -> dict[str, float]:
    """How well TEXT, read as words, describes each code (its name as words, or its meaning)."""
    query = fold(text)
    scores = {}
    for code in kb.error_codes.values():
        names = [_words(n) for n in (code.code, *code.aliases)]
        by_name = max(fuzz.token_sort_ratio(query, n) for n in names)
        by_meaning = fuzz.token_set_ratio(query, fold(code.meaning)) * 0.95
        scores[code.code] = max(by_name, by_meaning) / 100
    return scores


def _result(kb: KnowledgeBase, query: str, matched: str, code: ErrorCode | None,
            candidates: list[tuple[str, float]]) -> dict:
    offered = [_candidate(kb.error_codes[c], s) for c, s in candidates[:MAX_CANDIDATES]]
    return {"query": query, "matched": matched,
            "code": code.code if code else None, "meaning": code.meaning if code else None,
            "fix": code.fix if code else None, "handoff": code.handoff if code else False,
            "kind": code.kind if code else None,
            "candidates": offered, "see_also": [c["code"] for c in offered]}


def lookup(kb: KnowledgeBase, query: str) -> dict:
    """What error code QUERY is, or the codes it might be; a UserError when nothing is close.

    The result always has `matched` ("exact", "description" or "closest") and `candidates`
    ([{"code", "meaning", "score"}], best first). `code`, `meaning` and `fix` are filled only
    when the code is known: never for "closest", where the person has to choose.
    """
    text = query.strip()
    key = code_key(text)
    if not key:
        raise UserError("no error code given; pass a code such as isv.BUSINESS_LIMIT_CONTROL or a description")
    exact = _exact_index(kb).get(key)
    if exact:
        return _result(kb, text, "exact", kb.error_codes[exact], [])
    code_shaped = bool(_CODE_SHAPED.fullmatch(text.strip().strip(_EDGES)))
    if not code_shaped:
        ranked = _ranked(_by_description(kb, text), CANDIDATE_CUTOFF)
        if ranked and ranked[0][1] >= DESCRIPTION_CUTOFF and \
                (len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= DESCRIPTION_LEAD):
            return _result(kb, text, "description", kb.error_codes[ranked[0][0]], ranked[1:])
    else:
        ranked = _ranked(_by_code(kb, key), CANDIDATE_CUTOFF)
    if not ranked:
        raise UserError(f"no error code matches '{text}'; give the code from the send result "
                        "(e.g. isv.AMOUNT_NOT_ENOUGH), or ask a support manager with `assistant handoff create`")
    return _result(kb, text, "closest", None, ranked)


@lru_cache(maxsize=1)
def raised_codes() -> frozenset[str]:
    """Every `isv.`/`isp.` code written in the package's source: the codes the actions can produce.

    Read from the code itself (string constants, f-string parts included), so a refusal given
    a new code is covered without anyone keeping a list.
    """
    found: set[str] = set()
    package = Path(__file__).resolve().parent.parent  # the actions and the modules they use (media, numbers)
    for path in sorted(package.rglob("*.py")):
        if path.resolve() == Path(__file__).resolve():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                found.update(_SERVICE_CODE.findall(node.value))
    return frozenset(found)


def _docstrings(tree: ast.AST) -> set[int]:
    """Ids of the docstring nodes of TREE (they mention codes without producing them)."""
    docs = set()
    for parent in ast.walk(tree):
        if isinstance(parent, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and parent.body:
            first = parent.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docs.add(id(first.value))
    return docs
