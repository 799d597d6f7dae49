"""Error-code lookup that never passes a guess off as the answer.

A code the catalogue holds is found whatever its case, with or without the `isv.`/`isp.`
prefix and with punctuation around it (`"isv.amount_not_enough".`): `matched: "exact"`. A
description ("amount not enough") may find its code when one code clearly fits it best:
`matched: "description"`. Anything else — a misspelt or partial code — is not answered:
`matched: "closest"` with the nearest codes as `candidates`, best first, for the person to
choose from ("Did you mean ...").

`raised_codes()` (in `assistant.codes`, with `code_key`) names every service code the actions can
produce, found by reading their source, so that `kb check` can insist that each one is in the catalogue.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from ..codes import EDGES as _EDGES
from ..codes import PREFIXES, code_key, raised_codes
from ..errors import UserError, said
from ..knowledge import ErrorCode, KnowledgeBase
from ..text import echoed, fold

__all__ = ["PREFIXES", "code_key", "lookup", "raised_codes"]

_CODE_SHAPED = re.compile(r"[A-Za-z0-9_.]+")

CANDIDATE_CUTOFF = 0.6    # similarity (0-1) a catalogue code needs to be offered as a candidate
DESCRIPTION_LEAD = 0.05   # how much a description's best code must beat the next one that fits every word
MAX_CANDIDATES = 5
CANDIDATE_SPREAD = 0.15   # candidates further than this below the best one are noise, not choices
_ASKING = {"error", "code", "codes", "mean", "means", "meaning"}  # words of the asking, not of the error
# The same in Chinese, taken out of a description before it is read ("余额不足是什么意思"), longest first.
_ASKING_ZH = ("是什么意思", "什么意思", "怎么回事", "怎么办", "错误码", "是什么", "意思", "报错", "提示", "返回", "出现",
              "显示", "的", "了", "吗", "呢")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
# Characters that only hold a Chinese sentence together ("账号被冻结"): not counted as words to find.
_FUNCTION_ZH = frozenset("被了的用把给在是我你他都也就还让")


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


def _content_words(kb: KnowledgeBase, text: str) -> list[str]:
    ignored = set(kb.stopwords) | _ASKING
    return [w for w in re.findall(r"\w+", fold(text)) if w not in ignored]


def _same_word(a: str, b: str) -> bool:
    """Whether two words are one ("allowed"/"allow", "numbers"/"number", a typo apart)."""
    if a == b:
        return True
    if min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)):
        return True
    return min(len(a), len(b)) >= 5 and fuzz.ratio(a, b) >= 85


def _chinese(text: str) -> tuple[str, list[tuple[str, ...]]]:
    """TEXT's Chinese, the asking words taken out, and for each character that counts, the pairs
    it makes with its neighbours (itself alone in a run of one). Chinese has no spaces, so
    "余额不足" is read as 余额 额不 不足: a character is found when one of its pairs is."""
    for asking in _ASKING_ZH:
        text = text.replace(asking, " ")
    runs = _CJK_RUN.findall(text)
    units = []
    for run in runs:
        for i, ch in enumerate(run):
            if ch not in _FUNCTION_ZH:
                units.append(tuple(run[j:j + 2] for j in (i - 1, i) if 0 <= j < len(run) - 1) or (ch,))
    return "".join(runs), units


def _by_description(kb: KnowledgeBase, text: str) -> dict[str, tuple[float, float]]:
    """For each code: the share of TEXT's words found in its name or meaning, and how close TEXT
    is to its name read as words (to order codes that cover the words equally). Chinese is read
    as pairs of characters against the Chinese meaning and keywords, and its closeness is to those."""
    words = [w for w in _content_words(kb, text) if not _CJK_RUN.search(w)]
    query = " ".join(words)
    chinese, units = _chinese(text)
    scores = {}
    for code in kb.error_codes.values():
        names = [_words(n) for n in (code.code, *code.aliases)]
        vocabulary = set(" ".join(names).split()) | set(_content_words(kb, code.meaning))
        said_zh = " ".join((code.meaning_zh, *code.keywords_zh))
        found = sum(any(_same_word(w, v) for v in vocabulary) for w in words) \
            + sum(any(p in said_zh for p in unit) for unit in units)
        covered = found / (len(words) + len(units)) if words or units else 0.0
        close = [max(fuzz.token_sort_ratio(query, n) for n in names) / 100] if words else []
        if units:
            close.append(max((fuzz.ratio(chinese, k) for k in (*code.keywords_zh, code.meaning_zh) if k), default=0) / 100)
        scores[code.code] = (covered, sum(close) / len(close) if close else 0.0)
    return scores


def _described(kb: KnowledgeBase, text: str) -> tuple[str | None, list[tuple[str, float]]]:
    """The code TEXT describes, if every word fits it and it fits clearly best, and the other near codes."""
    scores = _by_description(kb, text)
    ranked = sorted(((c, round(cov * (0.8 + 0.2 * close), 4)) for c, (cov, close) in scores.items() if cov >= 0.5),
                    key=lambda cs: (-cs[1], cs[0]))
    complete = [c for c, _ in ranked if scores[c][0] == 1.0]
    if complete and (len(complete) == 1 or ranked[0][1] - ranked[1][1] >= DESCRIPTION_LEAD):
        return ranked[0][0], ranked[1:]
    return None, ranked


def _result(kb: KnowledgeBase, query: str, matched: str, code: ErrorCode | None,
            candidates: list[tuple[str, float]]) -> dict:
    floor = (candidates[0][1] - CANDIDATE_SPREAD) if candidates else 0.0
    offered = [_candidate(kb.error_codes[c], s) for c, s in candidates[:MAX_CANDIDATES] if s >= floor]
    return {"query": query, "matched": matched,
            "code": code.code if code else None, "meaning": code.meaning if code else None,
            "meaning_zh": code.meaning_zh if code else None, "fix": code.fix if code else None,
            "fix_zh": code.fix_zh if code else None,
            "handoff": code.handoff if code else False,
            "kind": code.kind if code else None,
            "candidates": offered, "see_also": [c["code"] for c in offered]}


def _code_written_in(text: str) -> str | None:
    """The one code-shaped word of TEXT (AMOUNT_NOT, isv.busness_limit), if it has exactly one."""
    words = [w.strip(_EDGES) for w in text.split()]
    if len(words) == 1 and _CODE_SHAPED.fullmatch(words[0]):
        return words[0]
    shaped = [w for w in words if _CODE_SHAPED.fullmatch(w) and ("_" in w or w.casefold().startswith(PREFIXES))]
    return shaped[0] if len(shaped) == 1 else None


def lookup(kb: KnowledgeBase, query: str) -> dict:
    """What error code QUERY is, or the codes it might be; a UserError when nothing is close.

    The result always has `matched` ("exact", "description" or "closest") and `candidates`
    ([{"code", "meaning", "score"}], best first). `code`, `meaning` and `fix` (and their Chinese,
    `meaning_zh` and `fix_zh`) are filled only when the code is known: never for "closest", where
    the person has to choose.
    """
    text = query.strip()
    key = code_key(text)
    if not key:
        raise said(UserError("no error code given; pass a code such as isv.BUSINESS_LIMIT_CONTROL or a description"),
                   "error_code.none_given")
    exact = _exact_index(kb).get(key)
    if exact:
        return _result(kb, text, "exact", kb.error_codes[exact], [])
    written = _code_written_in(text)
    if written is not None:  # a code, alone or within words ("what does isv.X mean")
        key = code_key(written)
        exact = _exact_index(kb).get(key)
        if exact:
            return _result(kb, text, "exact", kb.error_codes[exact], [])
        ranked = _ranked(_by_code(kb, key), CANDIDATE_CUTOFF)
    else:
        described, ranked = _described(kb, text)
        if described:
            return _result(kb, text, "description", kb.error_codes[described], ranked)
    if not ranked:
        shown = echoed(text)
        raise said(UserError(f"no error code matches '{shown}'; give the code from the send result "
                             "(e.g. isv.AMOUNT_NOT_ENOUGH), or ask a support manager with `assistant handoff create`"),
                   "error_code.no_match", text=shown)
    return _result(kb, text, "closest", None, ranked)
