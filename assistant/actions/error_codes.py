"""Error-code lookup that forgives: any case, with or without the `isv.` prefix, typos, parts of
a code ("LIMIT_CONTROL"), or a description ("amount not enough")."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from ..errors import UserError
from ..knowledge import ErrorCode, KnowledgeBase
from ..text import fold

CODE_CUTOFF = 75     # similarity (0-100) a written code needs to count as that code
MEANING_CUTOFF = 60  # similarity a description needs to the code's meaning


def _names(kb: KnowledgeBase) -> dict[str, str]:
    """Every spelling of every code, folded (isv.AMOUNT_NOT_ENOUGH -> "amount not enough"), to its code."""
    names = {}
    for code in kb.error_codes.values():
        for name in (code.code, *code.aliases):
            names[fold(name.split(".", 1)[-1].replace("_", " "))] = code.code
    return names


def _result(code: ErrorCode, matched: str, others: list[str]) -> dict:
    return {"code": code.code, "meaning": code.meaning, "fix": code.fix, "handoff": code.handoff,
            "kind": code.kind, "matched": matched, "see_also": others}


def lookup(kb: KnowledgeBase, query: str) -> dict:
    """The error code QUERY names or describes; a UserError when nothing is close enough."""
    text = query.strip()
    if not text:
        raise UserError("no error code given; pass a code such as isv.BUSINESS_LIMIT_CONTROL or a description")
    names = _names(kb)
    key = fold(text.split(".", 1)[-1].replace("_", " ")) if text.lower().startswith(("isv.", "isp.")) else \
        fold(text.replace("_", " "))
    if key in names:
        return _result(kb.error_codes[names[key]], "exact", [])
    by_code = process.extract(key, list(names), scorer=fuzz.WRatio, limit=3, score_cutoff=CODE_CUTOFF)
    meanings = {fold(c.meaning): c.code for c in kb.error_codes.values()}
    by_meaning = process.extract(fold(text), list(meanings), scorer=fuzz.token_set_ratio, limit=3,
                                 score_cutoff=MEANING_CUTOFF)
    ranked = sorted([(score, names[name], "code") for name, score, _ in by_code] +
                    [(score, meanings[m], "meaning") for m, score, _ in by_meaning], reverse=True)
    if not ranked:
        raise UserError(f"no error code matches '{query}'; give the code from the send result "
                        "(e.g. isv.AMOUNT_NOT_ENOUGH), or ask a support manager with `assistant handoff create`")
    best = ranked[0]
    others = [code for _, code, _ in ranked[1:] if code != best[1]]
    return _result(kb.error_codes[best[1]], best[2], list(dict.fromkeys(others)))
