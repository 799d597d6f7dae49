"""Templates: the specification checked at once, then a review by each carrier.

Format problems (name length, brackets, traditional characters and emoji, variables, media
frames, an unreadable commitment letter) refuse the template before it exists. Everything else
is a carrier's call: each carrier decides a fixed number of business days after submission
(rules.yaml), and rejects for banned words, industries it does not take, live-streaming content
without the live-streaming industry and letter, or a signature not registered with it. A
support manager can record a real carrier decision by hand (`admin review`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from .. import media
from ..choices import pick
from ..clock import add_business_days
from ..context import Context, check_count, perform
from ..errors import NotFound, Unsupported, UserError, coded, hinted, refused, said
from ..formats import characters_fault
from ..messages import say
from ..text import clean, echoed, fold, longest_first, mentioned, typed
from . import signatures

# The service's codes for refused template applications.
COUNT_OVER_LIMIT = "isv.TEMPLATE_COUNT_OVER_LIMIT"
UNSUPPORTED = "isv.UNSUPPORTED_CONTENT"
CONTENT_ILLEGAL = "isv.SMS_CONTENT_ILLEGAL"
SIGNATURE_ILLEGAL = "isv.SMS_SIGNATURE_ILLEGAL"
NOT_ENABLED = "isv.PRODUCT_UN_SUBSCRIPT"

VARIABLE = re.compile(r"\$\{([^{}]*)\}")
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")


def variables_of(text: str) -> list[str]:
    """The ${name} variables of a template text, in order, each once."""
    names: list[str] = []
    for name in VARIABLE.findall(text):
        if name not in names:
            names.append(name)
    return names


def read_industry(ctx: Context, industry: str) -> str | None:
    """The template industry of rules.yaml INDUSTRY names: its key in any spelling ("E-Commerce"), a word the
    conversation takes for it (actions.yaml slot type `industry`: 电商, online shop) or its label in any language
    (messages.yaml `label.industry.*`, what the REPL shows); None when it names none."""
    known = ctx.rules.template_industries
    words = ctx.kb.slot_types["industry"].choices if "industry" in ctx.kb.slot_types else {}
    labels = {i: [t for t in ctx.kb.messages.get(f"label.industry.{i}", {}).values()] for i in known}
    chosen = pick(industry, known) or pick(industry, words) or pick(industry, labels)
    return chosen if chosen in known else None


def _industry(ctx: Context, industry: str) -> str:
    chosen = read_industry(ctx, industry)
    if chosen is None:
        known = ", ".join(ctx.rules.template_industries)
        raise said(UserError(f"unknown template industry '{industry}'; use one of: {known}"), "template.unknown_industry",
                   industry=industry, known=known)
    return chosen


def check_text(ctx: Context, text: str) -> list[str]:
    """The variables of TEXT, if it meets the specification; else a UserError saying what to change."""
    spec = ctx.rules.template
    if not text.strip():
        raise said(hinted(UserError("the template has no text; give the text frame with --text"), "the template has no text",
                          "text"), "template.no_text")
    reserved = [ch for ch in spec["reserved_characters"] if ch in text]
    if reserved:
        chars = " ".join(reserved)
        raise refused(CONTENT_ILLEGAL, f"the text contains {chars}, reserved for the signature the service puts in front; "
                      "remove them", "template.reserved", chars=chars)
    _check_characters(ctx, text)
    if "${" in VARIABLE.sub("", text):
        raise said(UserError("the text has an unclosed ${ ; write variables as ${name}"), "template.unclosed_variable")
    names = variables_of(text)
    bad = [n for n in names if not _VARIABLE_NAME.match(n)]
    if bad:
        raise said(UserError(f"variable name {bad[0]!r} is not valid; use letters, digits and underscores, e.g. ${{order_id}}"),
                   "template.variable_name", name=repr(bad[0]))
    if len(names) > spec["max_variables"]:
        raise said(UserError(f"the text has {len(names)} variables; at most {spec['max_variables']} are allowed"),
                   "template.variables", count=len(names), most=spec["max_variables"])
    return names


def _check_characters(ctx: Context, text: str) -> None:
    """Refuse TEXT's traditional characters and emoji (`characters_fault`) in the catalogue's English, said in
    every language as a question quoting the text is answered (`note.template_characters.FAULT`)."""
    found = characters_fault(ctx.rules.template, text)
    if found is not None:
        kind, fields = found
        raise refused(UNSUPPORTED, say(ctx.kb, f"note.template_characters.{kind}", **fields),
                      f"note.template_characters.{kind}", **fields)


def _check_media(ctx: Context, text: str, files: list[media.MediaFile]) -> list[media.MediaFile]:
    spec = ctx.rules.template
    kinds = [spec["media_kinds"].get(f.format) for f in files]
    if not any(k in ("image", "video") for k in kinds):
        raise said(hinted(UserError("a digital message needs text plus at least one image or video; add one with --media FILE"),
                          "a digital message needs text plus at least one image or video", "media"), "template.no_media")
    if kinds.count("video") > spec["max_videos"]:
        raise said(UserError(f"the template has {kinds.count('video')} videos; at most {spec['max_videos']} is allowed"),
                   "template.videos", count=kinds.count("video"), most=spec["max_videos"])
    frames = 1 + len(files)
    if frames > spec["max_frames"]:
        raise said(UserError(f"the template has {frames} frames (text included); at most {spec['max_frames']} are allowed"),
                   "template.frames", count=frames, most=spec["max_frames"])
    total = len(text.encode("utf-8")) + sum(f.size for f in files)
    if total >= spec["max_total_kb"] * 1024:
        raise said(UserError(f"the frames come to {total / 1024:.0f} KB; keep them under {spec['max_total_kb']} KB in all"),
                   "template.size", size=f"{total / 1024:.0f}", most=spec["max_total_kb"])
    return files


def check_letter(ctx: Context, path: str | None) -> media.MediaFile | None:
    """The commitment letter at PATH, if it is a legible image (None when no letter is given)."""
    if path is None:
        return None
    return check_letter_file(ctx, media.read(path))


def check_letter_file(ctx: Context, letter: media.MediaFile) -> media.MediaFile:
    """LETTER (read or uploaded), if it is a legible image; else a UserError saying what to send instead."""
    path = letter.path
    if letter.format not in ("png", "jpg", "gif"):
        # no documented code for it (isv.UNSUPPORTED_CONTENT is about characters): the assistant's own refusal
        raise said(Unsupported(f"the commitment letter {path} is not an image; save it as a clear PNG or JPG"),
                   "letter.not_an_image", file=path)
    least = ctx.rules.template["letter_min_pixels"]
    if min(letter.width or 0, letter.height or 0) < least:
        raise said(UserError(f"the commitment letter is {letter.width}x{letter.height} pixels, too small to be legible; "
                             f"use an image at least {least} pixels each way"),
                   "letter.too_small", width=str(letter.width), height=str(letter.height), least=str(least))
    return letter


def _verdicts(ctx: Context, text: str, industry: str, signature: str, has_letter: bool) -> dict[str, str | None]:
    """Each carrier's reason to reject (None: approve), decided on the template as submitted: recorded in
    English, rules.yaml's or the catalogue's (`reason.template.*`), said again in a reader's language
    (render.reason_sentence)."""
    spec = ctx.rules.template
    folded = text.casefold()
    verdicts: dict[str, str | None] = {c: None for c in ctx.rules.carriers}

    def reject(carriers, reason: str) -> None:
        for carrier in carriers:
            verdicts[carrier] = verdicts[carrier] or reason

    banned = [w for w in spec.get("banned_words", ()) if str(w).casefold() in folded]
    if banned:
        reject(ctx.rules.carriers, say(ctx.kb, "reason.template.banned_word", word=banned[0]))
    for carrier, own in ctx.rules.carrier_rules.items():
        rule = own.industries.get(industry)
        if rule and rule.rejects:
            reject([carrier], rule.rejects)
        if rule and rule.requires_letter and not has_letter:
            reject([carrier], rule.requires_letter)
        if rule and any(str(w).casefold() in folded for w in rule.banned_words):
            reject([carrier], rule.reason or "")
        for content in own.content:
            if industry != content.unless_industry and any(w.casefold() in folded for w in content.words):
                reject([carrier], content.reason)
    ready = signatures.usable_with(ctx, signature)
    for carrier, label in ctx.rules.carriers.items():
        if carrier not in ready:
            reject([carrier], say(ctx.kb, "reason.template.signature_inactive", signature=signature, carrier=label))
    return verdicts


def _opened(item: str | media.MediaFile) -> media.MediaFile:
    """A media file already identified (an upload the service received), or the one at a local path, read now."""
    return item if isinstance(item, media.MediaFile) else media.read(item)


def create(ctx: Context, name: str, signature: str, industry: str, text: str,
           media_paths: Sequence[str | media.MediaFile], letter: str | media.MediaFile | None = None) -> dict:
    """Create a template and submit it for review; returns its status with the new code.

    MEDIA_PATHS and LETTER are paths on this machine (the CLI, the embedded REPL) or files already
    identified from their bytes (`media.identify`, for a conversation held by the service, which
    never opens a path a client names). Paths are read before the transaction starts, so a slow or
    stuck file never holds the database's write lock; a file that cannot be used is still refused
    (and audited) in order.
    """
    unreadable: UserError | None = None
    read: list[media.MediaFile] = []
    letter_read: media.MediaFile | None = None
    try:
        read = [_opened(p) for p in media_paths]
        letter_read = _opened(letter) if letter is not None else None
    except UserError as exc:
        unreadable = exc

    def work() -> dict:
        account = ctx.account_row()
        if not account["enabled_at"]:
            raise refused(NOT_ENABLED, f"digital messages are not enabled for account '{ctx.account}'; "
                          "run `assistant enable` first", "account.not_enabled", account=ctx.account)
        check_count(ctx, "templates", int(ctx.rules.template["max_per_account"]), COUNT_OVER_LIMIT)
        title = clean(name)
        limit = ctx.rules.template["max_name_length"]
        if not title or len(title) > limit:
            raise said(UserError(f"template name '{title}' has {len(title)} characters; use 1 to {limit}"),
                       "template.name_length", title=title, count=len(title), limit=limit)
        try:
            signatures._find(ctx, signature)
        except NotFound as exc:  # the service's code for "no such signature in this account"
            raise coded(NotFound(f"{SIGNATURE_ILLEGAL}: {exc}", code=SIGNATURE_ILLEGAL), exc) from None
        ready = signatures.usable_with(ctx, signature)
        if not ready:
            sig = signatures.status(ctx, signature)[0]
            raise _not_ready(signature, sig["expected_by"] if sig["registration"] == "under_review" else None)
        chosen = _industry(ctx, industry)
        names = check_text(ctx, text)
        if unreadable is not None:
            raise unreadable
        files = _check_media(ctx, text, read)
        letter_file = check_letter_file(ctx, letter_read) if letter_read else None
        code = f"DIGITAL_SMS_{ctx.store.next_number('template'):04d}"
        ctx.store.insert("templates", {
            "code": code, "account": ctx.account, "name": title, "signature": signature, "industry": chosen,
            "text": text, "variables": json.dumps(names),
            "frames": json.dumps([{"file": Path(f.path).name, "format": f.format, "size": f.size} for f in files]),
            "letter": json.dumps({"file": Path(letter_file.path).name, "width": letter_file.width,
                                  "height": letter_file.height}) if letter_file else None,
            "created_at": ctx.now()})
        today = ctx.clock.today()
        verdicts = _verdicts(ctx, text, chosen, signature, letter_file is not None)
        for carrier, reason in verdicts.items():
            days = ctx.rules.carrier_rules[carrier].template_review_business_days
            ctx.store.insert("template_reviews", {
                "code": code, "carrier": carrier, "outcome": "rejected" if reason else "approved", "reason": reason,
                "decided_on": add_business_days(today, days, ctx.rules.calendar).isoformat(),
                "decided_by": "carrier"})
        # what the review will say is known now (an industry refused, a letter missing): said at once
        return {**status_of(ctx, find(ctx, code)), "warnings": ctx.rules.rejections(verdicts)}
    return perform(ctx, "template.create", name, work)


def _not_ready(signature: str, expected_by: str | None) -> UserError:
    """The refusal of a template whose SIGNATURE is not yet registered with any carrier (its decision
    EXPECTED_BY when it is under review)."""
    if expected_by is None:
        return refused(SIGNATURE_ILLEGAL, f"signature '{signature}' is not registered and active with any carrier yet; "
                       f"a template needs one that is: check `assistant signature status {signature}`",
                       "template.signature_not_ready", signature=signature)
    return refused(SIGNATURE_ILLEGAL, f"signature '{signature}' is not registered and active with any carrier yet "
                   f"(decision expected by {expected_by}); a template needs one that is: check "
                   f"`assistant signature status {signature}`", "template.signature_under_review",
                   signature=signature, expected_by=expected_by)


def exists(ctx: Context, code: str) -> bool:
    """Whether the account has a template of code CODE (any case)."""
    return bool(ctx.store.row("SELECT 1 AS x FROM templates WHERE account = ? AND UPPER(code) = ?", (ctx.account, code.upper())))


def find(ctx: Context, code: str, any_account: bool = False) -> dict:
    """The template CODE of this account (of any account for a manager), or a UserError. CODE may
    also be the template's name in this account ("Winter sale 2026", any case), as people say it."""
    wanted = clean(code)
    code = wanted.upper()
    row = ctx.store.row("SELECT * FROM templates WHERE code = ?" + ("" if any_account else " AND account = ?"),
                        (code,) if any_account else (code, ctx.account))
    if row is None:
        named = [r for r in ctx.store.rows("SELECT * FROM templates WHERE account = ? ORDER BY code", (ctx.account,))
                 if r["name"].casefold() == wanted.casefold()]
        if len(named) > 1:
            codes = ", ".join(r["code"] for r in named)
            raise said(UserError(f"{len(named)} templates are named '{wanted}' ({codes}); say which by its code"),
                       "template.named_twice", count=len(named), name=wanted, codes=codes)
        row = named[0] if named else None
    if row is None:
        wanted = echoed(wanted)
        if not any_account:
            ctx.account_row()     # no such account: that is what to say, never that it has no such template
        known = [r["code"] for r in ctx.store.rows("SELECT code FROM templates WHERE account = ? ORDER BY code",
                                                   (ctx.account,))]
        if known:
            has = ", ".join(known)
            raise said(NotFound(f"no template {wanted} in account '{ctx.account}'; this account has: {has}"),
                       "template.not_found", code=wanted, account=ctx.account, known=has)
        raise said(NotFound(f"no template {wanted} in account '{ctx.account}'; create one with `assistant template create`"),
                   "template.not_found.none", code=wanted, account=ctx.account)
    return row


def all_named_in(ctx: Context, text: str) -> list[str]:
    """The codes of every template of the account whose name TEXT mentions, in the order it names
    them. A name said only inside a longer one TEXT names ("会员生日祝福" holds "生日祝福") is not
    counted; a name said inside other words is ("发生日祝福" names "生日祝福"), so a line may name two."""
    said = f" {fold(text)} "
    codes: dict[str, str] = {}
    for row in ctx.store.rows("SELECT code, name FROM templates WHERE account = ? ORDER BY code", (ctx.account,)):
        codes.setdefault(row["name"], row["code"])
    taken: list[tuple[int, int]] = []
    first: dict[str, int] = {}
    for name in longest_first(text, codes):
        folded = fold(name)
        if not folded:
            continue
        at = said.find(f" {folded} ")
        while at >= 0:
            span = (at, at + len(folded) + 2)
            if not any(span[0] < end - 1 and start < span[1] - 1 for start, end in taken):
                taken.append(span)
                first.setdefault(codes[name], at)
            at = said.find(f" {folded} ", at + 1)
    return sorted(first, key=first.__getitem__)


def named_in(ctx: Context, text: str) -> str | None:
    """The code of the account's template whose name TEXT mentions ("send the winter sale 2026 one
    to ..."), the longest name first; None when it names none."""
    codes: dict[str, str] = {}
    for row in ctx.store.rows("SELECT code, name FROM templates WHERE account = ?", (ctx.account,)):
        codes.setdefault(row["name"], row["code"])     # two templates of one name: the first, as before
    name = mentioned(text, codes)
    return codes[name] if name is not None else None


def account_codes(ctx: Context, written: Iterable[str]) -> list[str]:
    """Those of the codes WRITTEN (as a line writes them, any case: the `template_code` slot type's
    `router.extract`) that are the account's templates', as the account spells them, each once:
    "sorry, I meant digital_sms_0001" names DIGITAL_SMS_0001 though no phrasing reads the sentence."""
    known = {str(r["code"]).upper(): str(r["code"]) for r in
             ctx.store.rows("SELECT code FROM templates WHERE account = ?", (ctx.account,))}
    return list(dict.fromkeys(known[w.upper()] for w in written if w.upper() in known))


def reach_text(ctx: Context, ready_for: list[str]) -> str:
    """Who a template can reach, in words: "China Mobile users only", "all users", "no one yet"."""
    if not ready_for:
        return "no one yet"
    if len(ready_for) == len(ctx.rules.carriers):
        return "users of all three carriers"
    return " and ".join(ctx.rules.carriers[c] for c in ready_for) + " users only"


def status_of(ctx: Context, row: dict) -> dict:
    today = ctx.clock.today()
    reviews = {r["carrier"]: r for r in ctx.store.rows("SELECT * FROM template_reviews WHERE code = ?", (row["code"],))}
    carriers = {}
    for carrier in ctx.rules.carriers:
        review = reviews[carrier]
        if dt.date.fromisoformat(review["decided_on"]) > today and review["decided_by"] == "carrier":
            carriers[carrier] = {"status": "pending", "reason": None, "expected_by": review["decided_on"]}
        else:
            carriers[carrier] = {"status": review["outcome"], "reason": review["reason"],
                                 "decided_on": review["decided_on"], "decided_by": review["decided_by"]}
    ready_for = [c for c, s in carriers.items() if s["status"] == "approved"]
    return {"code": row["code"], "name": row["name"], "signature": row["signature"], "industry": row["industry"],
            "text": row["text"], "variables": json.loads(row["variables"]), "created": row["created_at"],
            "carriers": carriers, "ready_for": ready_for, "reach": reach_text(ctx, ready_for)}


def status(ctx: Context, code: str | None = None) -> list[dict]:
    """Status of template CODE, or of every template of the account (newest first)."""
    ctx.account_row()
    if code:
        return [status_of(ctx, find(ctx, code))]
    rows = ctx.store.rows("SELECT * FROM templates WHERE account = ? ORDER BY created_at DESC, code DESC", (ctx.account,))
    return [status_of(ctx, r) for r in rows]


def record_review(ctx: Context, code: str, carrier: str, approve: bool, reason: str | None) -> dict:
    """A support manager records a carrier's real decision on a template (any account)."""
    if carrier not in ctx.rules.carriers:
        raise UserError(f"unknown carrier '{carrier}'; use one of: {', '.join(ctx.rules.carriers)}")
    if not approve and not (reason and reason.strip()):
        raise hinted(UserError("a rejection needs the carrier's reason; add --reason TEXT"),
                     "a rejection needs the carrier's reason", "reason")

    def work() -> dict:
        row = find(ctx, code, any_account=True)
        ctx.store.upsert("template_reviews", {
            "code": row["code"], "carrier": carrier, "outcome": "approved" if approve else "rejected",
            "reason": None if approve else typed(reason or ""), "decided_on": ctx.clock.today().isoformat(),
            "decided_by": ctx.actor}, pk=("code", "carrier"))
        owner = Context(ctx.store, ctx.kb, ctx.clock, row["account"], ctx.actor)
        return status_of(owner, row)
    return perform(ctx, "admin.review", f"{code}/{carrier}", work)
