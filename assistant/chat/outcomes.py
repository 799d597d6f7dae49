"""Running an action the conversation has all the values for, and saying how it went."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import render
from ..actions import accounts, error_codes, handoff, sending, signatures, templates
from ..errors import NotFound, UserError, said
from ..numbers import lookup
from . import commands, notes, offers, previews
from .lines import Line

if TYPE_CHECKING:
    from ..conversation import Conversation
    from ..knowledge import Entry
    from ..router import Reply


def run(conv: Conversation, name: str, args: dict[str, Any]) -> list[Line]:
    """Do action NAME with ARGS; the lines say what happened."""
    if name in TICKET_MOVES:
        return ticket_move(conv, name, args)
    does = _RUNS.get(name)
    if does is None:
        raise said(UserError(f"I can't do '{name}' here yet"), "request.not_here", name=name)
    return does(conv, args)


def _done(conv: Conversation, lines: list[Line]) -> list[Line]:
    """LINES of a change made or a status shown: the failures before it are no longer in a row, and leave
    no failed request for a ticket (`Conversation.succeeded`)."""
    conv.succeeded()
    return lines


def _enable(conv: Conversation, args: dict[str, Any]) -> list[Line]:
    """Digital messages enabled (or said to be already), and a signature offered when there is none yet."""
    result = accounts.enable(conv.ctx)
    lines = [Line("ok", conv.say("done.enabled" if result["changed"] else "done.already_enabled"))]
    if not signatures.status(conv.ctx):
        lines.append(offers.action(conv, "signature.submit", said="offer.next_signature"))
    return _done(conv, lines)


def _signature_submitted(conv: Conversation, args: dict[str, Any], again: bool = False) -> list[Line]:
    """A signature submitted (AGAIN: updated and resubmitted): said, with its status; it is now the
    object spoken of."""
    ctx = conv.ctx
    status = (signatures.update(ctx, args["name"], args.get("source")) if again
              else signatures.submit(ctx, args["name"], args["source"]))
    conv.last.update(signature=status["name"], object=f"signature:{status['name']}")
    return _done(conv, [Line("ok", conv.say("done.resubmitted" if again else "done.submitted")),
                        Line("answer", render.signature_text(status, ctx.rules.carriers, conv.kb, conv.lang))])


def _signature_status(conv: Conversation, args: dict[str, Any]) -> list[Line]:
    """The account's signatures' statuses (or the one named); a name only being submitted now is said
    not to be submitted yet."""
    try:
        items = signatures.status(conv.ctx, args.get("name"))
    except NotFound:
        pending = conv.flow.args.get("name") if conv.flow and conv.flow.action == "signature.submit" else None
        if pending and args.get("name") == pending:   # "is it approved yet?" at this very submission's go-ahead
            return [Line("info", conv.say("not_submitted_yet", name=pending))]
        raise
    if len(items) == 1:
        conv.last.update(signature=items[0]["name"], object=f"signature:{items[0]['name']}",
                         shown=f"signature:{items[0]['name']}")   # its status: "why was it rejected?" reads it
    carriers = conv.ctx.rules.carriers
    return _done(conv, [Line("answer", render.signature_text(s, carriers, conv.kb, conv.lang)) for s in items] or
                 [Line("info", conv.say("none.signatures"))])


def _template_created(conv: Conversation, args: dict[str, Any]) -> list[Line]:
    """A template created: said with its code and status; it is now the object spoken of."""
    files = conv.files   # paths on this machine, or the uploads' records: never a client's path on the service
    status = templates.create(conv.ctx, args["name"], args["signature"], args["industry"], args["text"],
                              files.opened(conv.ctx, args["media"]), files.opened(conv.ctx, args.get("letter")))
    conv.last.update(template=status["code"], object=f"template:{status['code']}")
    return _done(conv, [Line("ok", conv.say("done.created", code=status["code"])),
                        Line("answer", render.template_text(status, conv.ctx.rules.carriers, conv.kb, conv.lang))])


def _template_status(conv: Conversation, args: dict[str, Any]) -> list[Line]:
    """The account's templates' statuses (or the one named)."""
    items = templates.status(conv.ctx, args.get("code"))
    if len(items) == 1:
        conv.last.update(template=items[0]["code"], object=f"template:{items[0]['code']}",
                         shown=f"template:{items[0]['code']}")
    # no template yet: what making one needs first, when something is missing ("那我现在能建模板了吗" just after
    # a signature was submitted: it must be registered first), never "say create a template"
    carriers = conv.ctx.rules.carriers
    return _done(conv, [Line("answer", render.template_text(t, carriers, conv.kb, conv.lang)) for t in items] or
                 conv.lacks("template.create") or [Line("info", conv.say("none.templates"))])


def _send(conv: Conversation, args: dict[str, Any]) -> list[Line]:
    """The send made and its report; a send refused whole is kept for a handoff of this session."""
    try:
        result = sending.send(conv.ctx, args["code"], [(p, args.get("params", {})) for p in args["phones"]],
                              progress=conv.progress)
    except UserError as exc:
        refused(conv, args, exc)
        raise
    conv.last["sent_with"] = {"code": args["code"], "params": dict(args.get("params") or {})}   # "the same again"
    return sent(conv, result)


def _error_looked_up(conv: Conversation, args: dict[str, Any]) -> list[Line]:
    """An error code's meaning and fix (and a person offered when the code says so); a code not known
    exactly gives the closest codes to pick from, since a guess is never the answer."""
    found = error_codes.lookup(conv.kb, args["code"])
    if found["matched"] == "closest":
        conv.picks = [conv.pick(f"{c['code']}: {render.candidate_meaning(c, conv.lang, conv.kb)}",
                                {"do": "run", "name": "error.lookup", "args": {"code": c["code"]}})
                      for c in found["candidates"]]
        return [Line("info", conv.say("error.not_a_code", query=found["query"]))] + [
            Line("choice", f"  {n}. {p.label}") for n, p in enumerate(conv.picks, 1)]
    conv.last["error"] = found["code"]
    lines = [Line("answer", render.error_text(found, conv.lang, conv.kb))]
    if found["handoff"]:
        lines += offers.handoff(conv, "handoff.code")
    return lines


def _queue(conv: Conversation, args: dict[str, Any]) -> list[Line]:
    """The staff's queue of open tickets, or that there are none."""
    tickets = handoff.queue(conv.ctx, lang=None if conv.lang == "en" else conv.lang)   # English: the staff's line
    return [Line("answer", render.queue_text(tickets, conv.kb, conv.lang) if tickets else conv.say("tickets.none"))]


# What each action the conversation runs does (the ticket's moves are TICKET_MOVES, `ticket_move`).
_RUNS: dict[str, Callable[[Conversation, dict[str, Any]], list[Line]]] = {
    "enable": _enable,
    "signature.submit": _signature_submitted,
    "signature.update": lambda conv, args: _signature_submitted(conv, args, again=True),
    "signature.status": _signature_status,
    "template.create": _template_created,
    "template.status": _template_status,
    "send": _send,
    "error.lookup": _error_looked_up,
    "handoff": lambda conv, args: conv.handoff(args.get("reason"), said=args.get("said")),
    "account.status": lambda conv, args: commands.run(conv, "/status"),
    "send.list": lambda conv, args: commands.sends(conv, args.get("template"), args.get("day"), args.get("phone")),
    "help": lambda conv, args: commands.run(conv, "/help"),
    "handoff.list": _queue,
}


# A ticket's moves in the conversation: the message each says once done ({id}: the ticket's number).
TICKET_MOVES = {"handoff.answer": "ticket.answered", "handoff.claim": "ticket.claimed",
                "handoff.reply": "ticket.replied", "handoff.resolve": "ticket.resolved"}


def ticket_move(conv: Conversation, name: str, args: dict[str, Any]) -> list[Line]:
    """Move NAME of TICKET_MOVES on ARGS["ticket"]: the customer's answer, or the staff member's
    (named by the conversation's actor) claim, reply or resolution with ARGS["text"]."""
    ctx, ticket = conv.ctx, args["ticket"]
    by = ctx.actor.split(":", 1)[-1]
    if name == "handoff.answer":
        done = handoff.answer(ctx, ticket, args["text"])
    elif name == "handoff.claim":
        done = handoff.claim(ctx, ticket, by)
    elif name == "handoff.reply":
        done = handoff.reply(ctx, ticket, args["text"], by)
    else:
        done = handoff.resolve(ctx, ticket, args["text"], by)
    said = "ticket.claimed_already" if done.get("already") else TICKET_MOVES[name]   # (a claim of one's own ticket)
    return [Line("ok", conv.say(said, id=done["id"]))]


def refused(conv: Conversation, args: dict[str, Any], exc: UserError) -> None:
    """A send refused whole with the service's code (flow control, an empty package, not approved):
    kept for a handoff of this session, as no table records it (Conversation.handoff)."""
    if not exc.code:
        return
    reason = str(exc).removeprefix(f"{exc.code}: ")
    conv.last["refused_send"] = {"template": args["code"], "phones": list(args["phones"]), "code": exc.code,
                                 "reason": reason, "at": conv.ctx.now()}
    conv.last.pop("failed_send", None)      # the latest trouble of the session is this one


def refused_at_preview(conv: Conversation, args: dict[str, Any], result: dict) -> None:
    """A send whose preview (RESULT) finds no number that can be sent: refused whole before any
    go-ahead, as `refused` is after one, and kept the same way for a handoff of this session."""
    failed = [r for r in result["results"] if r["status"] == "failed" and r["error_code"]]
    if not failed:
        return
    code = failed[0]["error_code"]

    def why(r: dict) -> str:   # "13800138000 already got template ..." names its number already
        said = r["detail"] if r["phone"] in r["detail"] else f"{r['phone']}: {r['detail']}"
        return said if r["error_code"] == code else f"{r['error_code']}: {said}"
    reason = "; ".join(why(r) for r in failed[:3]) + ("; …" if len(failed) > 3 else "")

    def why_said(r: dict) -> Any:   # the same, with flow control's reason as the catalogue says it in each language
        held = result.get("held", {}).get(r["phone"])
        if held is None:
            return why(r)
        if r["error_code"] == code:
            return held
        return {"say": "send.reason_of_code", "fields": {"code": r["error_code"], "reason": held}}
    said: Any = "…" if len(failed) > 3 else None
    for r in reversed(failed[:3]):            # "A; B; C; …" as nested pairs, each language joining them its way
        said = why_said(r) if said is None else {"say": "send.reasons", "fields": {"first": why_said(r), "rest": said}}
    conv.last["refused_send"] = {"template": args["code"], "phones": [r["phone"] for r in result["results"]],
                                 "code": code, "reason": reason, "said": said, "at": conv.ctx.now(),
                                 # each number's own reason: "why did 02885551234 fail?" explains its code only
                                 "failed": [{"phone": r["phone"], "carrier": r["carrier"], "code": r["error_code"],
                                             "detail": r["detail"]} for r in failed[:KEPT_REFUSALS]]}
    conv.last.pop("failed_send", None)      # the latest trouble of the session is this one
    conv.last["error"] = code               # met, though maybe unsaid (an empty package): "what does that mean?" explains it


def sent(conv: Conversation, result: dict) -> list[Line]:
    conv.last.pop("refused_send", None)     # a send made since is newer than any refusal
    conv.last.update(request=result["request_id"], template=result["template"], object=f"template:{result['template']}")
    conv.last.pop("shown", None)            # "why" now asks about the send, not a status shown before it
    # the account model's report in the conversation's language: its headings, carriers and each number's
    # reason and repeat as the catalogue says them (a reason it does not say, as the send recorded it)
    report = render.send_text(result, conv.ctx.rules.carriers, look_up=False, kb=conv.kb, lang=conv.lang)
    if result["failed"]:
        report += "\n" + conv.say("send.look_up")       # the CLI's hint, said in the conversation's language
    # all sent: ok; some failed: a warning (partly done); none sent: an error
    lines = [Line("ok" if not result["failed"] else "warn" if result["sent"] else "error", report)]
    codes = list(dict.fromkeys(r["error_code"] for r in result["results"] if r["error_code"]))
    conv.last["errors"] = " ".join(codes)          # "what does that mean?" explains every one of them
    if result["failed"]:
        conv.last["failed_send"] = result["request_id"]     # named by a handoff of this session (Conversation.handoff)
    else:
        conv.last.pop("failed_send", None)
    if codes:
        conv.last["error"] = codes[0]
        what = conv.say("send.the_error") if len(codes) == 1 else conv.say("send.the_errors", count=len(codes))
        failed = result.get("failures") or [r for r in result["results"] if r["status"] == "failed"]
        lines.append(Line("muted", conv.say("send.ask_why", what=what, number=failed[0]["phone"])))
        lines += conv.after_failure()
    else:
        conv.succeeded()
    return lines


def explain_errors(conv: Conversation, codes: list[str]) -> list[Line]:
    """Each of CODES explained, in the order the last send met them."""
    lines: list[Line] = []
    for code in codes:
        lines.append(Line("answer", render.error_text(error_codes.lookup(conv.kb, code), conv.lang, conv.kb)))
    return lines


def _just_said(conv: Conversation, code: str) -> bool:
    """Whether the assistant's reply to the line before this one named CODE (its explanation, a send's report)."""
    for turn in reversed(conv.turns[:-1]):
        if turn["role"] == "user" and not turn.get("reply"):
            return False
        if turn["role"] == "assistant" and code in turn["text"]:
            return True
    return False


def fix_asked(conv: Conversation, text: str) -> list[Line] | None:
    """"how do I fix it", "那怎么办" (messages.yaml `follow_ups.error_fix`) right after an error code
    was explained or met: that code's fix (each one's, after a send that met several), in the
    conversation's language. None for any other line, and when the reply before named no code."""
    from ..messages import follow_up

    code = conv.last.get("error")
    if not code or follow_up(conv.kb, text) != "error_fix" or not _just_said(conv, code):
        return None
    several = conv.last.get("errors", "").split()
    lines = []
    for each in several if code in several and len(several) > 1 else [code]:
        found = render.in_language(error_codes.lookup(conv.kb, each), conv.lang)
        lines.append(Line("answer", conv.say("error.fix_of", code=found["code"], fix=found["fix"])))
    return lines


# words of a question that say nothing of its topic ("how do I top up then?": only "top", "up" do)
_ASKING_WORDS = frozenset("""how do does did i we you can could should would will what then now so it this that
the a an to my our me us is are be please again about for of with in on and or""".split())
_ASKING_ZH = re.compile(r"怎么样|怎么|如何|怎样|咋个|咋|那么|那|要|该|我们|我|可以|能|去|呢|吗|啊|呀|办|做|[？?。！!，,\s]")


def fix_named(conv: Conversation, text: str) -> list[Line] | None:
    """A question the router could not read whose topic words are in the fix of the error code the conversation
    met last ("how do I top up then?" after an empty package, isv.AMOUNT_NOT_ENOUGH: "Top up the account"): that
    code's fix, in the conversation's language. None when no code was met or the fix says none of its words."""
    code = conv.last.get("error")
    if not code:
        return None
    found = render.in_language(error_codes.lookup(conv.kb, code), conv.lang)
    fix = (found.get("fix") or "").casefold()
    if not fix:
        return None
    if re.search(r"[\u4e00-\u9fff]", text):
        topic = _ASKING_ZH.sub("", text)
        named = len(topic) >= 2 and topic in fix
    else:
        words = [w for w in re.findall(r"[a-z]+", text.casefold()) if w not in _ASKING_WORDS]
        named = bool(words) and all(re.search(rf"\b{re.escape(w)}\b", fix) for w in words)
    if not named:
        return None
    return [Line("answer", conv.say("error.fix_of", code=found["code"], fix=found["fix"]))]


def on_topic(conv: Conversation, text: str, reply: Reply) -> Reply:
    """REPLY (the router's reading of TEXT), unless TEXT is a question asked right after an error code was
    named (explained, or met by a send or a number's result) and the router, unsure or leaning elsewhere by less
    than its `lead`, has among its first candidates an FAQ entry whose answer names that code: the code names the
    topic, so that entry answers ("when can they send to it again?" and "这个限制是按号码算的吗" after
    isv.BUSINESS_LIMIT_CONTROL are flow control's, never the numbers a send carries nor "I don't know").
    A request read surely, and a question read surely by another entry well ahead, keep their reading."""
    code = conv.last.get("error")
    if not code or not _just_said(conv, code):
        return reply
    codes = {code, *conv.last.get("errors", "").split()}
    return _of_the_topic(conv, text, reply, lambda entry: _names_any(conv, entry, codes))


def of_the_request(conv: Conversation, text: str, reply: Reply) -> Reply:
    """REPLY (the router's reading of TEXT), unless TEXT is a question typed at a prompt of a pending request
    about a signature or a template and the router, unsure or leaning elsewhere by less than its `lead`, has
    among its first candidates an FAQ entry tagged with that kind: the request names the topic, so that entry
    answers ("how long will the review take?" at a signature's go-ahead is the signature's review, never the
    template's). A question naming no kind of object (their words read through synonyms.yaml) whose best
    reading is the other kind's side of it is the request's whatever the lead; one naming the other kind
    ("how long does template review take?") keeps its reading. A request read surely keeps its reading."""
    from ..text import fold

    flow = conv.flow
    kind = flow.action.split(".", 1)[0] if flow is not None else ""
    if kind not in _OBJECT_KINDS:
        return reply
    named = _OBJECT_KINDS & set(conv.kb.synonyms.apply(fold(text)).split())
    if named - {kind}:
        return reply
    entries = conv.kb.entries
    return _of_the_topic(conv, text, reply, lambda entry: entry in entries and kind in entries[entry].tags,
                         gives_way=lambda key: not named and _of_another_kind(conv, key, kind))


def _of_the_topic(conv: Conversation, text: str, reply: Reply, of_topic: Callable[[str], bool],
                  gives_way: Callable[[str], bool] = lambda key: False) -> Reply:
    """REPLY (the router's reading of TEXT), or the answer of the FAQ entry OF_TOPIC picks (by its name) among the
    router's first candidates, when the conversation names the topic TEXT asks about (`on_topic`, `of_the_request`):
    TEXT is a question, REPLY no request read surely nor that entry's answer, and the best reading is not well
    ahead of the entry (by the router's `lead`) unless it GIVES_WAY (its key) to the topic whatever the lead."""
    from .. import lang as language

    form = conv.router.form(text)
    if not (form == "question" or language.asks_in_chinese(text)):
        return reply
    t = conv.router.thresholds
    if reply.type == "action" and reply.confidence >= t.answer:
        return reply
    ranked = conv.router.index.rank(conv.router.prepare(text, form), limit=8)
    topics = [c for c in ranked[:t.suggestions] if c.key.startswith("faq:") and of_topic(c.key[4:])]
    if not topics or (reply.type == "answer" and f"faq:{reply.entry}" == topics[0].key):
        return reply
    topic = topics[0]
    if ranked[0].confidence >= t.lead * topic.confidence and not gives_way(ranked[0].key):
        return reply                    # another reading well ahead: the line is about something else
    return conv.router.resolve(reply.question, text, topic, conv.lang)


_OBJECT_KINDS = frozenset({"signature", "template"})   # a request's kind, its action's first word, and an FAQ tag


def _of_another_kind(conv: Conversation, key: str, kind: str) -> bool:
    """Whether candidate KEY is an FAQ entry tagged with an object kind other than KIND, and not with KIND."""
    entry = conv.kb.entries.get(key[4:]) if key.startswith("faq:") else None
    return entry is not None and kind not in entry.tags and bool(_OBJECT_KINDS & set(entry.tags))


def _names_any(conv: Conversation, entry: str, codes: set[str]) -> bool:
    """Whether FAQ entry ENTRY's answer names one of CODES (the codes of its topic)."""
    found = conv.kb.entries.get(entry)
    return found is not None and found.kind != "undocumented" and any(code in found.answer for code in codes)


def why_asked(conv: Conversation, text: str) -> list[Line] | None:
    """"why?", "为什么" (messages.yaml `follow_ups.error_reason`) typed at a value prompt right after the
    value was refused with an error code: that code explained, as "what does that mean?" does; after a refusal
    with no code (a template's text with 4 variables), that refusal's reason again, never the value. None for
    any other line, and when the reply before said no refusal."""
    from ..messages import follow_up

    if follow_up(conv.kb, text) != "error_reason":
        return None
    code, refusal = conv.last.get("error"), conv.last.get("refusal")
    if code and _just_said(conv, code):
        return [Line("answer", render.error_text(error_codes.lookup(conv.kb, code), conv.lang, conv.kb))]
    if refusal and _just_said(conv, refusal):   # a rule the service gives no code ("4 variables; at most 3"): its reason
        return [Line("answer", refusal)]
    return None


def send_asked(conv: Conversation, text: str) -> list[Line] | None:
    """"刚才发的成功了吗", "did my last send go through?" (messages.yaml `follow_ups.send_result`): how
    the conversation's last send went, from its record (or its refusal, when it was refused whole:
    nothing records that one); said so when this conversation has made none. None for any other line."""
    from ..messages import follow_up

    if follow_up(conv.kb, text) != "send_result":
        return None
    refused, request = conv.last.get("refused_send"), conv.last.get("request")
    if refused:       # kept only while it is newer than any send made (see `refused`, `sent`)
        return [Line("warn", conv.say("send.last_refused", template=refused["template"],
                                      phones=", ".join(refused["phones"][:3]) + (" …" if len(refused["phones"]) > 3 else ""),
                                      code=refused["code"], reason=refused["reason"]))]
    if not request:
        return [Line("info", conv.say("send.none_in_session"))]
    found = sending.request(conv.ctx, request)
    said = conv.say("send.last_result", request=request[:8], template=found["template"], sent=found["sent"],
                    failed=found["failed"])
    return [Line("ok" if not found["failed"] else "warn", said),
            Line("answer", render.send_record_text(found, conv.ctx.rules.carriers,
                                                   by=lambda actor: commands.actor_label(conv, actor),
                                                   kb=conv.kb, lang=conv.lang))] + _delivered(conv, found)


SHOWN_DELIVERED = 5


def _delivered(conv: Conversation, found: dict) -> list[Line]:
    """The numbers send FOUND reached and the message each got (the first SHOWN_DELIVERED): "what did you
    just send?", "刚才那条发给谁了" ask what went out and to whom, which the counts alone never say."""
    messages = found.get("sent_messages") or []
    if not messages:
        return []
    lines = [conv.say("send.record.delivered", count=found["sent"])]
    lines += [f"  {m['phone']}: {m['content'] or conv.say('send.record.no_content')}" for m in messages[:SHOWN_DELIVERED]]
    if found["sent"] > SHOWN_DELIVERED:
        lines.append("  " + conv.say("send.record.delivered_more", count=found["sent"] - SHOWN_DELIVERED))
    return [Line("answer", "\n".join(lines))]


SHOWN_FATES = 5


def _named_carrier(conv: Conversation, text: str) -> str | None:
    """The one carrier TEXT names ("the telecom numbers", "电信的"), or None."""
    from ..text import fold

    words = set(conv.kb.synonyms.apply(fold(text)).split())
    named = [carrier for carrier in conv.ctx.rules.carriers if carrier.replace("_", "") in words]
    return named[0] if len(named) == 1 else None


def _carriers_failures(conv: Conversation, carrier: str | None, request: str) -> list[str]:
    """The numbers that failed in send REQUEST at CARRIER (the one a question names: "what went
    wrong with the telecom number?", "电信的为什么失败"), at most SHOWN_FATES; [] for no carrier."""
    if carrier is None:
        return []
    rows = conv.ctx.store.rows("SELECT phone FROM messages WHERE account = ? AND request_id = ? AND carrier = ? "
                               "AND status = 'failed' ORDER BY id LIMIT ?", (conv.ctx.account, request, carrier, SHOWN_FATES))
    return [r["phone"] for r in rows]



def fate_asked(conv: Conversation, text: str) -> list[Line] | None:
    """"19212345678为什么失败", "为什么19212345678失败了", "why did 19212345678 fail": a line that names
    a number and asks why (or says it failed) asks what happened to it, in any word order, with or
    without a question mark, however the number is written ("028-85551234", "+86 138 0013 8000"); it
    never starts a send to that number; nor does "那19912345678呢" right after such a line (`_another_number`),
    which asks the same of that number. None for any other line, and for a request (a command, or a line
    naming a template code: "send DIGITAL_SMS_0001 to 19212345678")."""
    if not conv.router.asks_fate(text) and not _another_number(conv, text):
        return None
    reply = conv.router.route(text, conv.lang)
    if reply.type == "action" and reply.action == "handoff" and reply.confidence >= conv.router.thresholds.answer:
        return None                     # "13800138000还是收不到，我要找人工": a person asked for, the number its reason
    return number_fate(conv, text, numbers_only=True)


def spoken_of(conv: Conversation) -> tuple[str, str]:
    """The kind ("signature", "template") and name of the object the conversation spoke of last
    (`last["object"]`, "kind:name"); ("", "") when it spoke of none."""
    kind, _, name = (conv.last.get("object") or "").partition(":")
    return kind, name


def other_one(conv: Conversation, text: str) -> list[Line] | None:
    """"and the other one?", "那另一个呢" (messages.yaml `follow_ups.other_one`) when the conversation last spoke of
    one signature or template (`last["object"]`): the status of the account's other one of that kind (each of them,
    when there are several). None for any other line, or when the account has no other."""
    from ..messages import follow_up

    kind, name = spoken_of(conv)
    if kind not in ("signature", "template") or follow_up(conv.kb, text) != "other_one":
        return None
    if kind == "signature":
        action, key, others = "signature.status", "name", [s["name"] for s in signatures.status(conv.ctx)]
    else:
        action, key, others = "template.status", "code", [t["code"] for t in templates.status(conv.ctx)]
    others = [other for other in others if other != name]
    if not others:
        return None
    return [line for other in others for line in conv.run(action, {key: other})]


def change_asked(conv: Conversation, text: str) -> list[Line] | None:
    """"can I change it?", "还能改吗" (messages.yaml `follow_ups.change_it`) right after a signature was spoken of:
    one under review or registered cannot change (the refusal its resubmission would meet, isv.ERROR_SIGN_NOT_MODIFY,
    said at once); a rejected one is resubmitted (its request started). None for any other line, or another object."""
    from ..messages import follow_up

    kind, name = spoken_of(conv)
    if kind != "signature" or follow_up(conv.kb, text) != "change_it" or not signatures.exists(conv.ctx, name):
        return None
    try:
        signatures.check_resubmittable(conv.ctx, name)
    except UserError as exc:
        conv.remember_refusal(exc)
        return [Line("warn", conv.told(exc))]
    return conv.start("signature.update", {"name": name}, text)


def rejection_asked(conv: Conversation, text: str) -> list[Line] | None:
    """"why was it rejected?", "为什么被驳回了？" (messages.yaml `follow_ups.error_reason`) and "what should I do
    now?", "那我现在该怎么办？" (`follow_ups.error_fix`) right after a rejected signature's or template's status
    (`last["object"]`, named in the reply before): "it" is that object, so why is its carriers' own reasons and
    what to do is the FAQ's answer on its kind's rejection (the one entry tagged with the kind, `review` and
    `rejected`). None for any other line, and when the object spoken of last is not rejected."""
    from ..messages import follow_up

    asked = follow_up(conv.kb, text)
    if asked not in ("error_reason", "error_fix"):
        return None
    kind, name = spoken_of(conv)
    shown = conv.last.get("shown") == conv.last.get("object")   # its status, not a send of it, was said last
    reasons = _rejections(conv, kind, name) if name and shown and _just_said(conv, name) else {}
    if not reasons:
        return None
    if asked == "error_reason":
        return _rejected_because(conv, name, reasons)
    entry = _rejection_entry(conv, kind)
    return [Line("answer", entry.said("answer", conv.lang), entry.id)] if entry else None


def _rejections(conv: Conversation, kind: str, name: str) -> dict[str, str]:
    """The carriers that rejected signature or template NAME (KIND), each with its reason in the conversation's
    language where the account model gave it (`render.reason_in`; one a person typed as typed); {} when none
    did (or it is no longer there)."""
    try:
        if kind == "signature":
            carriers = signatures.status(conv.ctx, name)[0]["carriers"]
            rejected = {c: s["reason"] or "" for c, s in carriers.items() if s["registration"] == "failed"}
        elif kind == "template":
            carriers = templates.status(conv.ctx, name)[0]["carriers"]
            rejected = {c: s["reason"] or "" for c, s in carriers.items() if s["status"] == "rejected"}
        else:
            return {}
    except NotFound:
        return {}
    return {c: reason and render.reason_in(conv.kb, reason, conv.lang) for c, reason in rejected.items()}


def _rejected_because(conv: Conversation, name: str, reasons: dict[str, str]) -> list[Line]:
    """NAME's rejection REASONS (carrier -> reason), one line a reason naming the carriers that gave it."""
    return [Line("answer", conv.say("rejected.why", name=name, reason=reason or conv.say("rejected.no_reason"),
                                    carriers=carriers))
            for reason, carriers in previews.by_reason(conv, reasons, "rejected.every_carrier")]


def _rejection_entry(conv: Conversation, kind: str) -> Entry | None:
    """The FAQ entry on what to do about a rejected object of KIND: the one tagged with it, `review` and
    `rejected`; None when no entry, or several, are."""
    found = [e for e in conv.kb.entries.values() if {kind, "review", "rejected"} <= set(e.tags)]
    return found[0] if len(found) == 1 else None


_NUMBER = re.compile(r"\+?\d[\d\s()-]*\d")   # a number as written: "19912345678", "+86 138 0013 8000"


def _another_number(conv: Conversation, text: str, after: bool = True) -> bool:
    """"那19912345678呢", "what about 19912345678?" (a line naming a number and, with its numbers taken out,
    messages.yaml `follow_ups.number_again`) right after a number's result was asked ("why did 19212345678
    fail?", or another such line): it asks the same of that number. AFTER: whether the line before must be one."""
    from ..messages import follow_up

    if not _NUMBER.search(text) or follow_up(conv.kb, _NUMBER.sub(" ", text)) != "number_again":
        return False
    if not after:
        return True
    before = next((t["text"] for t in reversed(conv.turns[:-1]) if t["role"] == "user"), None)
    return before is not None and (conv.router.asks_fate(before) or _another_number(conv, before, after=False))


# at most this many of a refused preview's numbers are kept with their reasons (`refused_at_preview`)
KEPT_REFUSALS = 100


def _messages_to(conv: Conversation, raw: str, request: str | None = None, limit: int = 1) -> list[dict]:
    """The account's messages to number RAW (in send REQUEST, or in any send, newest first), however RAW
    and the send wrote it: a mobile by its 11 digits, any other number by its digits (`numbers.key`)."""
    from ..numbers import key, normalise

    ctx = conv.ctx
    columns = ("SELECT m.phone, m.carrier, m.status, m.error_code, m.detail, m.request_id, r.created_at FROM messages m "
               "JOIN requests r ON r.request_id = m.request_id WHERE m.account = ? ")
    where, values = "", [ctx.account]
    if request:
        where, values = "AND m.request_id = ? ", [ctx.account, request]
    if phone := normalise(raw):          # a mobile is recorded by its 11 digits
        return ctx.store.rows(columns + where + "AND m.phone = ? ORDER BY r.created_at DESC, m.id DESC LIMIT ?",
                              (*values, phone, limit))
    wanted = key(raw)
    if len(wanted) < 4:
        return []
    rows = ctx.store.rows(columns + where + "AND m.phone LIKE ? ORDER BY r.created_at DESC, m.id DESC",
                          (*values, "%" + wanted[-4:]))    # any other is recorded as written: its last digits find it
    return [r for r in rows if key(r["phone"]) == wanted][:limit]


def _refused_to(conv: Conversation, raw: str) -> dict | None:
    """Why number RAW could not be sent in the preview refused last (`refused_at_preview`), or None."""
    from ..numbers import key

    refused = conv.last.get("refused_send") or {}
    return next((r for r in refused.get("failed", ()) if key(r["phone"]) == key(raw)), None)


def number_fate(conv: Conversation, text: str, numbers_only: bool = False) -> list[Line] | None:
    """"why did 19912345678 fail?": what happened to each number TEXT names, with its own error code
    explained: in the send whose preview was refused last (its reason there), else in the last send,
    else (with NUMBERS_ONLY: a line `fate_asked` reads) in the account's latest send to it, or that no
    send to it is on record. None when TEXT names no number of those (with NUMBERS_ONLY, a carrier
    named without a number is not looked at either)."""
    request = conv.last.get("request")
    if not request and not numbers_only and not conv.last.get("refused_send"):
        return None
    from ..router import phone_reading

    reading = phone_reading(conv.kb, text)
    carrier = _named_carrier(conv, text)
    asked = reading.phones + reading.unread
    if not asked and (numbers_only or not request):
        return None
    asked = asked or _carriers_failures(conv, carrier, request)
    lines: list[Line] = []
    explained: list[str] = []
    for phone in asked:
        said, code = _fate_of(conv, phone, request, numbers_only)
        lines += said
        if code and code not in explained:
            explained.append(code)
            lines += explain_errors(conv, [code])
    if not lines:
        if carrier is None or conv.router.says_fate(text) is None or not request:
            return None
        where = previews.label(conv, "carrier", carrier)   # "what went wrong with the telecom numbers?": nothing did
        return [Line("ok", conv.say("fate.none_failed", carrier=where, request=request[:8]))]
    if explained:
        conv.last["error"], conv.last["errors"] = explained[-1], " ".join(explained)
    return lines


def _fate_of(conv: Conversation, phone: str, request: str | None, records: bool) -> tuple[list[Line], str | None]:
    """What happened to number PHONE, and the error code to explain: in the preview refused last, in send
    REQUEST, else (RECORDS) in the account's latest send to it, or that none is on record. ([], None):
    none of those names it."""
    if refused := _refused_to(conv, phone):
        where = previews.label(conv, "carrier", refused["carrier"]) if refused.get("carrier") \
            else conv.say("preview.send.no_carrier")
        detail = render.failure_specific(conv.kb, conv.lang, refused["phone"], refused["code"], refused["detail"])
        return [Line("warn", conv.say("fate.refused" + ("" if detail else ".code"), phone=refused["phone"],
                                      carrier=where, code=refused["code"], detail=detail or ""))], refused["code"]
    rows = _messages_to(conv, phone, request) if request else []
    on_record = not rows and records
    if on_record:
        rows = _messages_to(conv, phone)
    if not rows:
        if not on_record:
            return [], None
        said = [Line("info", conv.say("fate.no_record", phone=phone, account=conv.ctx.account))]
        if lookup(phone, conv.ctx.rules).problem:     # and no send could have reached it: why
            said.append(Line("info", notes.named_problem(conv, phone)))
        return said, None
    row = rows[0]
    where = previews.label(conv, "carrier", row["carrier"]) if row["carrier"] else conv.say("preview.send.no_carrier")
    fields = {"phone": row["phone"], "carrier": where, "request": row["request_id"][:8], "at": row["created_at"]}
    suffix = ".on_record" if on_record else ""
    if row["status"] == "sent":
        return [Line("ok", conv.say("fate.sent" + suffix, **fields))], None
    # the code is explained right after: a detail the language could only say as its meaning is left to that
    detail = render.failure_specific(conv.kb, conv.lang, row["phone"], row["error_code"], row["detail"])
    return [Line("warn", conv.say("fate.failed" + suffix + ("" if detail else ".code"), code=row["error_code"],
                                  detail=detail or "", **fields))], row["error_code"]
