"""Signatures: format checks at once, then real-name registration with each carrier.

A carrier's decision falls a deterministic number of business days after submission (within
the window of rules.yaml, by a hash of the signature), and is decided on the real-name profile
as it stood when the signature was submitted: the name must be the full name or an
abbreviation of a registered name of the chosen source. Status is derived from the clock, so a
support agent can move `--now` forward and watch the review complete.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from typing import NamedTuple

from ..choices import pick
from ..clock import add_business_days
from ..context import Context, check_count, perform
from ..errors import NotFound, UserError, refused, said
from ..formats import control_characters, name_faults, name_sentence
from ..knowledge import KnowledgeBase
from ..messages import said as said_in
from ..messages import say
from ..rules import SOURCES
from ..text import clean, echoed, mentioned

# The service's codes for refused signature applications.
SOURCE_ILLEGAL = "isv.SIGN_SOURCE_ILLEGAL"
COUNT_OVER_LIMIT = "isv.SIGN_COUNT_OVER_LIMIT"
NOT_MODIFY = "isv.ERROR_SIGN_NOT_MODIFY"
NOT_ENABLED = "isv.PRODUCT_UN_SUBSCRIPT"

_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]|[^\W_]+", re.UNICODE)


def read_source(ctx: Context, source: str) -> str:
    """SOURCE in any spelling ("APP", "Trade mark") or any word the conversation takes for it (企业,
    商标, 应用: actions.yaml's slot type `source`), as its key; as given when it is none of them."""
    words = ctx.kb.slot_types["source"].choices if "source" in ctx.kb.slot_types else {}
    return pick(source, SOURCES) or pick(source, words) or source


def check_name(ctx: Context, name: str) -> str:
    """NAME if it meets the service's format rules, else a UserError saying which rule and how to fix it."""
    found = name_faults(ctx.rules.signature, name)
    if found is not None:
        sentence = name_sentence(found[1], found[2])    # the catalogue's: its English is the refusal's
        raise refused(found[0], said_in(ctx.kb, sentence, "en"), sentence["say"], **sentence["fields"])
    return unicodedata.normalize("NFKC", name)


def _words(registered: str, suffixes: set[str]) -> tuple[list[str], set[int]]:
    words = [w.casefold() for w in _WORD.findall(unicodedata.normalize("NFKC", registered))]
    return words, {i for i, w in enumerate(words) if w in suffixes}


def is_abbreviation(name: str, registered: str, suffixes: set[str]) -> bool:
    """Whether NAME is REGISTERED in full or abbreviated.

    An abbreviation takes a leading part of each word it keeps, in order, starting with the
    first word ("AcmeTech" and "ATC" from "Acme Technology Co., Ltd."); words such as "Co" or
    "Ltd" may also be dropped. Chinese names count each character as a word ("阿里" from "阿里巴巴").
    """
    target = name.casefold()
    words, optional = _words(registered, suffixes)
    if not words or target == "".join(words):
        return bool(words)
    seen: set[tuple[int, int]] = set()

    first = min((i for i in range(len(words)) if i not in optional), default=0)

    def walk(pos: int, word: int) -> bool:  # can target[pos:] be made from words[word:]?
        if pos == len(target):
            return True
        if word >= len(words) or (pos, word) in seen:
            return False
        seen.add((pos, word))
        text = words[word]
        for size in range(len(text), 0, -1):
            if target.startswith(text[:size], pos) and walk(pos + size, word + 1):
                return True
        return word > first and walk(pos, word + 1)  # a later word may be left out, the first kept one not

    return walk(0, first)


def _decision_day(ctx: Context, submitted: dt.date, account: str, name: str, carrier: str, round_: int) -> dt.date:
    low, high = ctx.rules.carrier_rules[carrier].signature_review_business_days
    digest = hashlib.sha256(f"{account}/{name}/{carrier}/{round_}".encode()).digest()
    return add_business_days(submitted, low + digest[0] % (high - low + 1), ctx.rules.calendar)


class Reason(NamedTuple):
    """Why a carrier will reject a signature: the catalogue's message ID (`reason.signature.*` in
    knowledge/messages.yaml) with its FIELDS, so that a conversation says it in its own language; the
    account model records and reports it in English (`said`)."""

    id: str
    fields: dict[str, str | list[str]]

    def said(self, kb: KnowledgeBase, lang: str = "en") -> str:
        """The reason in LANG: a carrier's or a source's field named as the catalogue names it in LANG
        (`label.carrier.*`, `label.source.*`), a list of sources joined with the catalogue's "or"."""
        def named(kind: str, value: str) -> str:
            key = f"label.{kind}.{value}"
            return say(kb, key, lang) if key in kb.messages else value

        def field(key: str, value: str | list[str]) -> str:
            if isinstance(value, str):
                return named(key, value)
            names = [named(key.rstrip("s"), v) for v in value]
            return names[0] if len(names) == 1 else say(kb, "choices.or", lang, listed=", ".join(names[:-1]),
                                                         name=names[-1])
        return say(kb, self.id, lang, **{k: field(k, v) for k, v in self.fields.items()})


def _verdict(ctx: Context, name: str, source: str) -> tuple[str, Reason | None]:
    registered = [r["name"] for r in ctx.store.rows(
        "SELECT name FROM profile_names WHERE account = ? AND source = ? ORDER BY name", (ctx.account, source))]
    suffixes = {str(s).casefold() for s in ctx.rules.signature.get("name_suffixes", ())}
    if any(is_abbreviation(name, r, suffixes) for r in registered):
        return "registered", None
    if not registered:
        return "failed", Reason("reason.signature.no_profile_name", {"source": source, "flag": source,
                                                                  "account": ctx.account})
    return "failed", Reason("reason.signature.not_profile_name",
                            {"name": name, "source": source, "registered": ", ".join(registered)})


def _carrier_verdict(ctx: Context, carrier: str, name: str, source: str) -> tuple[str, Reason | None]:
    accepted = ctx.rules.carrier_rules[carrier].signature_sources
    if source not in accepted:  # the carrier's own real-name rule
        return "failed", Reason("reason.signature.source_not_taken", {"carrier": carrier, "sources": list(accepted)})
    return _verdict(ctx, name, source)


def foreseen_reasons(ctx: Context, name: str, source: str) -> dict[str, Reason | None]:
    """Each carrier's reason to reject signature NAME from SOURCE (None: none foreseen), as far as the
    account's real-name profile and the carriers' rules already tell."""
    return {carrier: _carrier_verdict(ctx, carrier, name, source)[1] for carrier in ctx.rules.carriers}


def foreseen(ctx: Context, name: str, source: str) -> list[str]:
    """Why carriers will reject signature NAME from SOURCE (`foreseen_reasons`), in English, one line a
    reason: said when it is submitted, not days later."""
    return ctx.rules.rejections(_english(ctx, foreseen_reasons(ctx, name, source)))


def _english(ctx: Context, reasons: dict[str, Reason | None]) -> dict[str, str | None]:
    return {carrier: reason.said(ctx.kb) if reason else None for carrier, reason in reasons.items()}


def _start_review(ctx: Context, signature_id: int, name: str, source: str, round_: int) -> list[str]:
    """Record each carrier's coming decision; returns the rejections it foresees (`foreseen`)."""
    submitted = ctx.clock.today()
    reasons = {}
    for carrier in ctx.rules.carriers:
        outcome, why = _carrier_verdict(ctx, carrier, name, source)
        reasons[carrier] = reason = why.said(ctx.kb) if why else None
        ctx.store.upsert("signature_reviews", {
            "signature_id": signature_id, "carrier": carrier, "outcome": outcome, "reason": reason,
            "decided_on": _decision_day(ctx, submitted, ctx.account, name, carrier, round_).isoformat()},
            pk=("signature_id", "carrier"))
    return ctx.rules.rejections(reasons)


def exists(ctx: Context, name: str) -> bool:
    """Whether the account has a signature named NAME (as written)."""
    return bool(ctx.store.row("SELECT 1 AS x FROM signatures WHERE account = ? AND name = ?", (ctx.account, name)))


def _find(ctx: Context, name: str) -> dict:
    row = ctx.store.row("SELECT * FROM signatures WHERE account = ? AND name = ?", (ctx.account, name))
    if row is None:
        name = echoed(name)
        known = [r["name"] for r in ctx.store.rows("SELECT name FROM signatures WHERE account = ? ORDER BY name",
                                                   (ctx.account,))]
        if known:
            has = ", ".join(known)
            raise said(NotFound(f"no signature '{name}' in account '{ctx.account}'; this account has: {has}"),
                       "signature.not_found", name=name, account=ctx.account, known=has)
        raise said(NotFound(f"no signature '{name}' in account '{ctx.account}'; "
                            "submit one with `assistant signature submit NAME --source S`"),
                   "signature.not_found.none", name=name, account=ctx.account)
    return row


def _unknown_source(source: str) -> UserError:
    known = ", ".join(SOURCES)
    return refused(SOURCE_ILLEGAL, f"unknown source '{source}'; use one of: {known}", "signature.unknown_source",
                   source=source, known=known)


def submit(ctx: Context, name: str, source: str) -> dict:
    """Submit signature NAME from SOURCE for carrier real-name registration; returns its status."""
    # a name with a control character is refused as it was given (check_name), never cleaned into another
    name = clean(name) if name == name.strip() and not control_characters(name) else name
    source = read_source(ctx, source)
    if source not in SOURCES:
        raise _unknown_source(source)

    def work() -> dict:
        account = ctx.account_row()
        if not account["enabled_at"]:
            raise refused(NOT_ENABLED, f"digital messages are not enabled for account '{ctx.account}'; "
                          "run `assistant enable` first", "account.not_enabled", account=ctx.account)
        checked = check_name(ctx, name)
        check_count(ctx, "signatures", int(ctx.rules.signature["max_per_account"]), COUNT_OVER_LIMIT)
        if exists(ctx, checked):
            raise refused(NOT_MODIFY, f"signature '{checked}' was already submitted; see `assistant signature status "
                          f"{checked}`, or resubmit a rejected one with `assistant signature update {checked}`",
                          "signature.submitted_already", checked=checked)
        signature_id = ctx.store.insert("signatures",
            {"account": ctx.account, "name": checked, "source": source, "submitted_at": ctx.now(), "round": 1})
        warnings = _start_review(ctx, signature_id, checked, source, 1)
        return {**status_of(ctx, _find(ctx, checked)), "warnings": warnings}
    return perform(ctx, "signature.submit", name, work)


def resubmitted_source(ctx: Context, name: str, source: str | None = None) -> str | None:
    """The source resubmitting signature NAME with SOURCE (None: the one it has) would be reviewed
    with, for its rejections to be foreseen before the go-ahead; None when the account has no such
    signature or SOURCE is none (the resubmission itself says so)."""
    row = ctx.store.row("SELECT source FROM signatures WHERE account = ? AND name = ?", (ctx.account, name))
    chosen = read_source(ctx, source) if source else row["source"] if row else None
    return chosen if row and chosen in SOURCES else None


def _resubmittable(ctx: Context, row: dict, name: str) -> None:
    """Nothing when signature ROW may be resubmitted; else the refusal: one under review or registered
    cannot change (isv.ERROR_SIGN_NOT_MODIFY)."""
    current = status_of(ctx, row)
    if current["registration"] == "under_review":
        raise refused(NOT_MODIFY, f"signature '{name}' is still under review (decision expected by "
                      f"{current['expected_by']}); resubmit only after a rejection", "signature.under_review",
                      name=name, expected_by=current["expected_by"])
    if current["registration"] == "registered":
        raise refused(NOT_MODIFY, f"signature '{name}' is already registered with every carrier; nothing to resubmit",
                      "signature.registered", name=name)


def check_resubmittable(ctx: Context, name: str) -> None:
    """Nothing when signature NAME may be resubmitted now, else the refusal its resubmission would meet, said
    before anything is asked ("can I change it?" of one under review)."""
    _resubmittable(ctx, _find(ctx, name), name)


def update(ctx: Context, name: str, source: str | None = None) -> dict:
    """Resubmit a rejected signature (after the profile was updated): a new review starts."""
    def work() -> dict:
        row = _find(ctx, name)
        # the request first: a source it names that is none is said as such, whatever the signature's state
        chosen = read_source(ctx, source) if source else row["source"]
        if chosen not in SOURCES:
            raise _unknown_source(chosen)
        _resubmittable(ctx, row, name)
        round_ = row["round"] + 1
        ctx.store.update("signatures", {"id": row["id"]}, {"source": chosen, "submitted_at": ctx.now(), "round": round_})
        warnings = _start_review(ctx, row["id"], name, chosen, round_)
        return {**status_of(ctx, _find(ctx, name)), "warnings": warnings}
    return perform(ctx, "signature.update", name, work)


def status_of(ctx: Context, row: dict) -> dict:
    """The status object of one signature row, as of the clock's today."""
    today = ctx.clock.today()
    carriers = {}
    reviews = {r["carrier"]: r for r in ctx.store.rows(
        "SELECT * FROM signature_reviews WHERE signature_id = ?", (row["id"],))}
    for carrier in ctx.rules.carriers:
        review = reviews.get(carrier)
        if review is None:
            carriers[carrier] = {"registration": "not_registered", "availability": "inactive", "reason": None}
        elif dt.date.fromisoformat(review["decided_on"]) > today:
            carriers[carrier] = {"registration": "registering", "availability": "inactive", "reason": None,
                                 "expected_by": review["decided_on"]}
        else:
            ok = review["outcome"] == "registered"
            carriers[carrier] = {"registration": review["outcome"], "availability": "active" if ok else "inactive",
                                 "reason": review["reason"], "decided_on": review["decided_on"]}
    states = {c["registration"] for c in carriers.values()}
    overall = "rejected" if "failed" in states else "under_review" if states - {"registered"} else "registered"
    ready_for = [c for c, s in carriers.items() if s["registration"] == "registered" and s["availability"] == "active"]
    submitted = dt.date.fromisoformat(row["submitted_at"][:10])
    low = min(r.signature_review_business_days[0] for r in ctx.rules.carrier_rules.values())
    reason = next((s["reason"] for s in carriers.values() if s["reason"]), None)
    return {
        "name": row["name"], "source": row["source"], "registration": overall,
        "availability": "active" if ready_for else "inactive",
        "ready": len(ready_for) == len(carriers), "ready_for": ready_for,
        "submitted": submitted.isoformat(),
        "expected_from": add_business_days(submitted, low, ctx.rules.calendar).isoformat(),
        "expected_by": max((r["decided_on"] for r in reviews.values()), default=None),
        "reason": reason, "carriers": carriers,
    }


def named_in(ctx: Context, text: str) -> str | None:
    """The account's signature TEXT mentions ("has AcmeShop been approved?"), the longest name
    first; None when it names none."""
    return mentioned(text, [r["name"] for r in ctx.store.rows("SELECT name FROM signatures WHERE account = ?",
                                                              (ctx.account,))])


def status(ctx: Context, name: str | None = None) -> list[dict]:
    """Status of signature NAME, or of every signature of the account (newest first)."""
    ctx.account_row()
    if name:
        return [status_of(ctx, _find(ctx, name))]
    rows = ctx.store.rows("SELECT * FROM signatures WHERE account = ? ORDER BY submitted_at DESC, id DESC", (ctx.account,))
    return [status_of(ctx, r) for r in rows]


def usable_with(ctx: Context, name: str) -> list[str]:
    """Carriers with which signature NAME is Registered and Active today (empty if unknown)."""
    row = ctx.store.row("SELECT * FROM signatures WHERE account = ? AND name = ?", (ctx.account, name))
    return status_of(ctx, row)["ready_for"] if row else []
