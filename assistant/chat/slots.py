"""Filling a request's values, one prompt at a time, with what it needs checked first.

A request starts with the values it already named (each checked), after its preconditions
(enabled, a ready signature, an approved template, a balance): when one is missing the person
is told what and offered the next onboarding step, before any value is asked. At a value
prompt a question, a slash command or another request is never taken as the value: it is
answered and the prompt comes back, or the request is dropped and said so. A change is
confirmed once: by "Go ahead?" after its preview, or by the yes to the offer that started it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import lang as language
from .. import roles
from ..actions import accounts, handoff, sending, signatures, templates
from ..choices import answer_first, pick, yes_or_no
from ..clock import read_day
from ..errors import Conflict, NotFound, UserError
from ..files import paths_in
from ..knowledge import Slot
from ..messages import joined, say, small_talk
from ..messages import said as catalogue_said
from ..numbers import lookup
from ..router import Reply, extract, phone_reading
from ..rules import SOURCES
from ..text import clean, fold, shorten
from . import attachments, cases, commands, notes, offers, outcomes, previews, values
from .lines import Line, Waiting, after_correction, after_leaving, lead_in, leaves, says, yes_or_no_again

if TYPE_CHECKING:
    from ..conversation import Conversation

FREE_TEXT = {"name", "text"}   # values that are any text (so are parameters and error descriptions):
                               # a question there must be told apart
FILES = {"media", "letter"}


@dataclass
class Flow:
    """A request being filled in. CONFIRMED: yes to an offer already confirmed it."""

    action: str
    args: dict[str, Any]
    slots: list[Slot]
    confirming: bool = False
    confirmed: bool = False
    params_asked: bool = False
    asked: list[str] = field(default_factory=list)   # the values asked for (not given up front)
    said: str = ""                                     # the request as typed: template parameters are read from it



def title(conv: Conversation, flow: Flow) -> str:
    """The request FLOW by name, in the conversation's language ("template", "创建模板"); an action
    the catalogue does not name (a knowledge base's own) by its name."""
    msg_id = f"request.{flow.action}"
    return conv.say(msg_id) if msg_id in conv.kb.messages else flow.action.replace(".", " ")


def prompt(conv: Conversation, action: str, slot: Slot) -> str:
    """SLOT's prompt in the conversation's language, from the catalogue (`prompt.ACTION.SLOT`; a
    template parameter's is `prompt.send.param`); the slot's own English when the catalogue lacks it."""
    if slot.name.startswith("param:"):
        return conv.say("prompt.send.param", name=slot.name.split(":", 1)[1])
    msg_id = f"prompt.{action}.{slot.name}"
    said = conv.say(msg_id) if msg_id in conv.kb.messages else slot.prompt
    if slot.name == "industry":   # the values the check takes, each in the conversation's words
        said = conv.say("choices.prompt", prompt=said, choices=industries(conv))
    return said


def industries(conv: Conversation) -> str:
    """The template industries of rules.yaml (what the industry prompt takes), as the conversation
    names them (`label.industry.*`), in one line."""
    names = [previews.label(conv, "industry", i) for i in conv.ctx.rules.template_industries]
    listed = names[0]
    for name in names[1:]:
        listed = conv.say("choices.more", listed=listed, name=name)
    return listed


def go_ahead(conv: Conversation) -> str:
    """The one confirmation of a change, with the yes/no marker: "Go ahead? [y/N]"."""
    return conv.yes_no(conv.say("go_ahead"))


def waiting(conv: Conversation) -> Waiting | None:
    flow = conv.flow
    if flow is None:
        return None
    if flow.confirming:
        return Waiting(go_ahead(conv), ["yes", "no"], "confirm")
    slot = flow.slots[0]
    asked = prompt(conv, flow.action, slot)
    if slot.name in FILES and conv.files.kind == "upload":
        return Waiting(asked, [], "file", slot=slot.name, accept=attachments.accept(conv.ctx, slot.name),
                       multiple=slot.name == "media", required=slot.required)
    default = _default(conv, slot)
    return Waiting(asked + (f" [{default}]" if default else ""), choices(conv, slot), "slot",
                   paths=slot.name in FILES, slot=slot.name, required=slot.required)


# --- starting ----------------------------------------------------------------------------------

def start(conv: Conversation, name: str, args: dict[str, Any], said: str = "", confirmed: bool = False) -> list[Line]:
    """Begin action NAME with the values ARGS already known; SAID is what the person typed."""
    args = values.normalise(name, {k: v for k, v in args.items() if v not in (None, "", [], {})})
    if said and (fields := values.said_fields(conv.kb, name, said)):
        args.update(fields)                                # "签名用长沙星辰娱乐，…，内容是 ${name}您好，…": each as said
    if name == "send" and said and args.get("phones"):     # "第二个号码换成18612345678": the one taken back is not sent to
        args["phones"] = values.withdrawn(conv.kb, said, args["phones"])
    if said and name in ("signature.submit", "signature.update") and (source := values.said_source(conv.kb, said)):
        args["source"] = source                            # "来源是商标" wins over "我们公司叫…"
    name, args = _referent(conv, name, args, said)
    args = values.known_objects(conv.ctx, name, args, said)
    if said and "name" not in args and (named := values.name_before(conv.kb, name, said)):
        args["name"] = named                               # "帮我建一个会员日模板": its name is 会员日
    if said:
        args = values.spoken_args(conv.kb, args, said)     # "名字叫周末狂欢咯": the name is 周末狂欢
    if name == "send" and said and (last := conv.last.get("sent_with")) and extract(conv.kb, "send_same", said):
        # "同样的再发给139 1234 5678": the last send's template and values, with what this line gives anew
        params = {**last["params"], **(args.get("params") or {})}
        args = {**args, "code": args.get("code") or last["code"], **({"params": params} if params else {})}
    if name == "send" and not args.get("code") and said and len(named := values.template_in(conv.ctx, said)[1]) > 1:
        return _which_template(conv, args, said, named)
    several = _the_errors(conv, name, args, said)
    if several:
        return outcomes.explain_errors(conv, several)      # "what does that mean?" after a send with two codes
    action = conv.kb.actions[name]
    missing = preconditions(conv, name)
    if missing:
        if name == "send":
            _refused_before_preview(conv, args)
        return missing
    lines: list[Line] = []
    if name == "send" and not args.get("code") and args.get("phones") and said and \
            not values.template_in(conv.ctx, said)[1] and (only := values.only_ready_template(conv.ctx)) is not None:
        args["code"] = only["code"]                        # "帮我发给138…" with one approved template: that one
        lines.append(Line("muted", conv.say("send.only_template", code=only["code"], name=only["name"])))
    for slot in action.slots:                              # values given in the request are checked too
        if slot.name in args:
            try:
                args[slot.name] = check(conv, name, slot, args[slot.name])
            except UserError as exc:
                conv.remember_refusal(exc)
                lines.append(Line("warn", conv.told(exc)))
                del args[slot.name]
    if lines and not action.changes_state:
        # a view's values are what it is kept to ("last week's send records"): without the one
        # refused, it would show everything as if it were what was asked for
        return lines
    if name == "handoff" and said and not args.get("reason") and (words := cases.person_words(conv, said)):
        args["said"] = words                               # "我要找人工，周五活动很急": the case in their words
    todo = [s for s in action.slots if s.required and s.name not in args]
    if name == "template.create" and "letter" not in args:
        todo.append(Slot("letter", "quoted", False, say(conv.kb, "prompt.template.create.letter")))
    conv.flow = Flow(name, args, todo, confirmed=confirmed, said=said)
    return lines + advance(conv)


def _refused_before_preview(conv: Conversation, args: dict[str, Any]) -> None:
    """A send naming its template and numbers (ARGS) that cannot go on for what the account lacks (an empty
    package, no approved template): when its own preview would send none of its numbers, it is kept as a send
    refused whole at its preview (`outcomes.refused_at_preview`), so that a person asked for later names it
    ("ok, get me a person" after an empty package), never the asking line."""
    if not args.get("code") or not args.get("phones"):
        return
    try:
        result = sending.preview(conv.ctx, args["code"], [(p, args.get("params") or {}) for p in args["phones"]])
    except UserError:
        return                          # a template the account lacks, a wrong value: nothing that would be sent
    if result["results"] and all(r["status"] == "failed" for r in result["results"]):
        outcomes.refused_at_preview(conv, args, result)


def made(conv: Conversation, text: str, reply: Reply) -> Reply | None:
    """TEXT says it makes a template and gives its values with their fields' words ("重新建模板，名字叫周末狂欢，
    签名用…，内容是 ${name}您好，…": `values.makes`), though the model read it as something else (an answer about a
    template's contents, REPLY): that request, with every value of TEXT. None when it is read surely as a request
    that changes something already, or TEXT asks something ("名字叫会员日的模板内容是什么？")."""
    from ..router import slots_for

    if reply.type == "action" and conv.kb.actions[reply.action].changes_state and \
            (reply.action == "template.create" or reply.confidence >= conv.kb.thresholds.low_confidence):
        return None   # (another request read unsurely, "签名是长沙星辰娱乐" leaning to a signature's submission, is not it)
    if not values.makes(conv.kb, "template.create", text) or asks_something(conv, text):
        return None
    action = conv.kb.actions["template.create"]
    return Reply(text, "action", reply.confidence, action=action.name, args=slots_for(conv.kb, action, text),
                 best=reply.best, lang=reply.lang)


def _which_template(conv: Conversation, args: dict[str, Any], said: str, codes: list[str]) -> list[Line]:
    """A send whose line names several templates and points at none: which one, as numbered
    choices (each starts the send with that template and the rest of the line's values)."""
    names = {r["code"]: r["name"] for r in conv.ctx.store.rows(
        "SELECT code, name FROM templates WHERE account = ?", (conv.ctx.account,))}
    conv.picks = [conv.pick(conv.say("pick.send_named", code=code, name=names.get(code, code)),
                            {"do": "start", "name": "send", "args": {**args, "code": code}, "said": said})
                  for code in codes]
    listed = joined(conv.kb, [f"{names.get(c, c)} ({c})" for c in codes], conv.lang)
    return [Line("info", conv.say("send.which_template", templates=listed))] + [
        Line("choice", f"  {n}. {p.label}") for n, p in enumerate(conv.picks, 1)]


# Words about a ticket mean one thing for each side of it: "reply on ticket 1 ..." from a customer
# answers the manager; "tell them ..." from a manager replies to the customer.
_SIDES = {"handoff.reply": "handoff.answer", "handoff.answer": "handoff.reply"}


def beyond_role(conv: Conversation, name: str) -> bool:
    """Whether the conversation's role may not make request NAME, nor its other side's (`_SIDES`: a
    customer's "reply on ticket 1" is an answer to the manager)."""
    return not roles.allowed(conv.role, name) and not (name in _SIDES and roles.allowed(conv.role, _SIDES[name]))


def _referent(conv: Conversation, name: str, args: dict[str, Any], said: str) -> tuple[str, dict[str, Any]]:
    """"is it approved yet?" and "what does that mean?": the object of the conversation."""
    if name in _SIDES and not roles.allowed(conv.role, name) and roles.allowed(conv.role, _SIDES[name]):
        name = _SIDES[name]
    other = {"template.status": "signature.status", "signature.status": "template.status"}.get(name)
    if other and not args:
        if own := values.named_for(conv.ctx, name, said):
            return name, own   # the object it names, whatever the conversation spoke of last
        named = values.named_for(conv.ctx, other, said)   # "has AcmeShop been approved?": AcmeShop is a signature
        if named:
            return other, named
    if name in ("template.status", "signature.status") and not args:
        kind = name.split(".")[0]
        named = kind in conv.kb.synonyms.apply(fold(said)).split()   # "is my template approved?"
        pending = conv.flow.action.split(".")[0] if conv.flow else ""
        if pending in ("signature", "template") and not named:
            # asked at a request being filled in ("is it approved yet?" at "submit signature AcmeShop? Go ahead?"):
            # "it" is what that request is about
            kind, name = pending, f"{pending}.status"
            if kind == "signature" and conv.flow.args.get("name"):
                return name, {"name": conv.flow.args["name"]}
        elif not conv.last.get(kind) and conv.last.get("object") and not named:
            kind = outcomes.spoken_of(conv)[0]
            name = f"{kind}.status"
        if conv.last.get(kind):
            args = {"code" if kind == "template" else "name": conv.last[kind]}
    if name == "error.lookup" and "code" not in args and conv.last.get("error"):
        args["code"] = conv.last["error"]
    if name == "signature.update" and not args.get("name") and (rejected := _rejected_spoken_of(conv)):
        args = {**args, "name": rejected}   # "能帮我重新提交吗", "please resubmit it" after its rejection was shown
    return name, args


def _rejected_spoken_of(conv: Conversation) -> str | None:
    """The signature the conversation spoke of last, when it is rejected (the one a resubmission
    that names none is about); None when there is none, or it is not rejected (the name is asked)."""
    name = conv.last.get("signature")
    if not name or not signatures.exists(conv.ctx, name):
        return None
    return name if signatures.status(conv.ctx, name)[0]["registration"] == "rejected" else None


def looked_up(conv: Conversation, reply: Reply) -> list[Line]:
    """The look-up REPLY reads a message's sentence as, beside the message's request (`Reply.also`), done at
    once with the conversation's object ("模板审过了没得嘛？" after the account's template was spoken of); a
    refusal said as a line; [] when it needs a value no one gave (the request comes next all the same)."""
    name, args = _referent(conv, reply.action, dict(reply.args or {}), reply.question)
    if any(s.required and s.name not in args for s in conv.kb.actions[name].slots):
        return []
    try:
        return conv.run(name, args)
    except UserError as exc:
        return [Line("error", conv.told(exc))]


def _the_errors(conv: Conversation, name: str, args: dict[str, Any], said: str) -> list[str]:
    """The codes "what does that mean?" (SAID, read as action NAME with ARGS) asks about when the last
    send, or a preview no number of which could be sent, met several; [] otherwise."""
    several = conv.last.get("errors", "").split()
    if name == "error.lookup" and args.get("code") == conv.last.get("error") and len(several) > 1 \
            and not _error_named(conv, said):
        return several
    return []


def _error_named(conv: Conversation, said: str) -> bool:
    """SAID names an error code itself (rather than "that")."""
    from ..router import slots_for

    return bool(said) and "code" in slots_for(conv.kb, conv.kb.actions["error.lookup"], said)


def preconditions(conv: Conversation, name: str) -> list[Line]:
    """What NAME needs that the account lacks, with the next step on offer; [] when all is there."""
    ctx = conv.ctx
    if name == "handoff" and conv.role == "manager":   # a manager would be handing the case to themselves
        return [Line("warn", offers.MANAGER_HANDOFF)]
    if name in ("handoff.answer", "handoff.claim", "handoff.reply", "handoff.resolve") and not roles.allowed(conv.role, name):
        # a customer cannot claim or close; a manager replies, never answers: said in the conversation's words
        if conv.role != "customer":
            roles.require(conv.role, name)   # staff are told the role that may (an agent, an admin answering)
        return [Line("info", conv.say("needs.role", request=conv.say(f"request.{name}")))]
    if name == "handoff.answer" and not handoff.queue(ctx, account=ctx.account):
        return [Line("info", conv.say("needs.no_ticket"))]
    if name == "enable" and accounts.account_info(ctx)["enabled"]:   # nothing to ask a go-ahead for
        lines = [Line("ok", conv.say("needs.already_enabled", account=ctx.account))]
        if not signatures.status(ctx):
            lines.append(offers.action(conv, "signature.submit", said="offer.next_signature"))
        return lines
    needs_enabled = name in ("signature.submit", "signature.update", "template.create", "send")
    if needs_enabled and not accounts.account_info(ctx)["enabled"]:
        return [Line("warn", conv.say("needs.enable", account=ctx.account)),
                offers.action(conv, "enable", left=name)]
    if name == "template.create":
        sigs = signatures.status(ctx)
        if not any(s["ready_for"] for s in sigs):
            if not sigs:
                return [Line("warn", conv.say("needs.signature")),
                        offers.action(conv, "signature.submit", said="offer.first_signature", left=name)]
            pending = conv.say("needs.signature_ready.separator").join(
                conv.say("needs.signature_ready.item_expected", name=s["name"], expected=s["expected_by"],
                         registration=previews.label(conv, "registration", s["registration"]))
                if s.get("expected_by") and s["registration"] == "under_review" else
                conv.say("needs.signature_ready.item", name=s["name"],
                         registration=previews.label(conv, "registration", s["registration"]))
                for s in sigs)
            return [Line("warn", conv.say("needs.signature_ready", pending=pending)),
                    offers.action(conv, "signature.status", said="offer.show_signatures", left=name)]
    if name == "send":
        tpls = templates.status(ctx)
        if not any(t["ready_for"] for t in tpls):
            if not tpls:
                return [Line("warn", conv.say("needs.template")),
                        offers.action(conv, "template.create", said="offer.first_template", left=name)]
            return [Line("warn", conv.say("needs.template_approved")),
                    offers.action(conv, "template.status", said="offer.show_templates", left=name)]
        if accounts.account_info(ctx)["packages"]["digital"] <= 0:
            conv.last["error"] = sending.AMOUNT_NOT_ENOUGH   # "how do I top up then?": that code's fix
            return [Line("warn", conv.say("needs.topup"))] + offers.handoff(
                conv, "offer.topup", "digital-message package empty")
    return []


def can_send(conv: Conversation, text: str) -> list[Line] | None:
    """"so can I send now?", "现在可以发了吗" (messages.yaml `follow_ups.can_send`): what sending still needs for this
    account, as "I want to send a message" says it, and what the step it offers needs in turn ("no template yet", and a
    template needs a ready signature: AcmeShop under review), the offer being the first step that can run now;
    that it can, when nothing is missing. None for any other line."""
    from ..messages import follow_up

    if follow_up(conv.kb, text) != "can_send":
        return None
    missing = preconditions(conv, "send")
    if not missing:
        return [Line("ok", conv.say("send.can_now"))]
    lines, seen = [line for line in missing if line.kind != "choice"], {"send"}
    offered = missing[-1] if missing[-1].kind == "choice" else None
    while offered is not None and conv.offer is not None:
        step = offers.pending_action(conv.offer)
        if step is None or step in seen or not (more := preconditions(conv, step)):
            break                       # the step on offer can run now (or is no request): it is the one offered
        seen.add(step)
        lines += [line for line in more if line.kind != "choice"]
        offered = more[-1] if more[-1].kind == "choice" else None
    return [Line("warn", conv.say("send.can_not_yet")), *lines, *([offered] if offered else [])]


def advance(conv: Conversation) -> list[Line]:
    """Ask the next value, or (all given) preview and confirm a change, or run a look-up."""
    flow = conv.flow
    assert flow is not None
    if flow.action == "send" and "code" in flow.args and not flow.slots and not flow.params_asked:
        variables = templates.status(conv.ctx, flow.args["code"])[0]["variables"]
        named = values.said_params(conv.kb, flow.said, variables)
        given = flow.args["params"] = {**{k: values.spoken(conv.kb, v, flow.said) for k, v in named.items()},
                                       **values.params(flow.args.get("params"))}
        flow.slots += _param_slots(conv, [v for v in variables if v not in given])
        flow.params_asked = True
    if flow.action == "template.create" and flow.slots and flow.slots[0].name == "letter":
        industry = conv.ctx.rules.template_industries.get(flow.args.get("industry", ""))
        if industry is None or not industry.requires_letter:   # only an industry a carrier takes with a letter
            flow.slots.pop(0)
    if flow.slots:
        flow.asked.append(flow.slots[0].name)
        return []
    if not conv.kb.actions[flow.action].changes_state:
        conv.flow = None
        return conv.run(flow.action, flow.args)
    try:
        if flow.action == "send":
            result = previews.verdicts(conv, flow.args)
            shown = previews.send(conv, flow.args, result)
            if not result["sent"]:      # nothing to confirm: each number is named with why; others are asked for
                return shown + _numbers_again(conv, result)
        else:
            shown = previews.preview(conv, flow.action, flow.args)
    except UserError:
        conv.flow = None            # what the change would refuse is refused now: nothing waits for a yes
        raise
    changed = [line for line in shown if line.kind == "warn"]
    if flow.confirmed and not changed:  # yes to the offer was the one confirmation: say what is done, and do it
        conv.flow = None
        return (shown if flow.asked else []) + conv.run(flow.action, flow.args)
    flow.confirming = True
    if flow.confirmed:              # what will happen is not what was offered (a rejection, a failure): ask again
        shown.append(Line("info", conv.say("go_ahead.again")))
    return shown + [Line("choice", go_ahead(conv))]


# The codes of a send's parameter values: the same values go to every number of a conversation's send
PARAM_CODES = frozenset({"isv.TEMPLATE_MISSING_PARAMETERS", "isv.PARAM_LENGTH_LIMIT", "isv.PARAM_NOT_SUPPORT_URL",
                         "isv.BLACK_KEY_CONTROL_LIMIT"})


def _numbers_again(conv: Conversation, result: dict) -> list[Line]:
    """A send none of whose numbers can be sent (RESULT, its preview): no go-ahead is asked and
    nothing is recorded. The template's values are asked for again when they are why (other
    numbers would fail the same way), else the numbers ('cancel' drops the request either way);
    "what does that mean?" then explains the codes the preview gave."""
    flow = conv.flow
    assert flow is not None
    outcomes.refused_at_preview(conv, flow.args, result)   # a handoff now names this send
    codes = list(dict.fromkeys(r["error_code"] for r in result["results"] if r["error_code"]))
    if codes:
        conv.last.update(error=codes[0], errors=" ".join(codes))
    flow.confirming = flow.confirmed = False   # what will be sent is no longer what a yes to an offer accepted
    if PARAM_CODES.intersection(codes):
        variables = templates.status(conv.ctx, flow.args["code"])[0]["variables"]
        flow.args["params"] = {}
        flow.slots[:0] = _param_slots(conv, variables)
        flow.asked += [s.name for s in flow.slots]
        return [Line("warn", conv.say("preview.send.none_params"))]
    flow.args.pop("phones", None)
    flow.slots.insert(0, next(s for s in conv.kb.actions[flow.action].slots if s.name == "phones"))
    flow.asked.append("phones")
    return [Line("warn", conv.say("preview.send.none"))]


def _param_slots(conv: Conversation, variables: list[str]) -> list[Slot]:
    """A prompt for each of a template's VARIABLES."""
    return [Slot(f"param:{v}", "param", True, say(conv.kb, "prompt.send.param", name=v)) for v in variables]


# --- a bare word typed at an offer -------------------------------------------------------------

BARE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9._-]*")   # a Latin name or code, one word ("AcmeShop", "Acme-Shop")
# a Chinese name, one word, maybe with Latin letters in it ("阿克米科技", "Acme科技")
CHINESE_WORD = re.compile(r"(?=[A-Za-z0-9]*[\u4e00-\u9fff])[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9]*")


def at_offer(conv: Conversation, text: str) -> list[Line] | None:
    """A bare Latin word (a name, a code) typed at the pending offer, which is no yes or no, or a
    Chinese one where the offered request asks a signature name first ("阿克米科技" at "现在提交签名吗？").

    It is not a new question: when the offered request has a value to fill and the word reads as a
    name (`_a_name`), it fills the first one and the request starts with it (confirmed after its
    preview: a name is not a yes); a word that value refuses, an ordinary word ("wait"), or any word
    at an offer with no value keeps the offer pending with a hint. None (the line is
    handled as any other) for a word with a meaning of its own: a command's name, small talk, a
    question or request the router reads surely, or, at an offer with no value, one of the account's
    signatures or templates (a name of its real-name profile that is neither keeps the offer).
    """
    offer, word = conv.offer, text.strip()
    chinese = bool(CHINESE_WORD.fullmatch(word))
    if offer is None or not (chinese or BARE_WORD.fullmatch(word)):
        return None
    reply = conv.router.route(word, conv.lang)
    if _means_itself(conv, word, reply):
        return None
    deed = offer.deed or {}
    # "阿克米科技": a name only where the offer asks one first, it asks nothing ("怎么办"), and the model
    # reads nothing else in it
    if chinese and not (_fills_a_name(conv, deed) and not conv.router.form(word) and reply.type == "fallback"):
        return None
    if chinese and (_wants(conv, word) or asks_something(conv, word)):
        return None                     # "我想发个通知", "签名好了吗": a request or a question, never a name
    if deed.get("do") == "start" and deed.get("name") in conv.kb.actions and _a_name(conv, word):
        name, args = deed["name"], dict(deed.get("args") or {})
        slot = next((s for s in conv.kb.actions[name].slots if s.name not in args and s.name not in FILES), None)
        if slot is not None:
            try:
                value = check(conv, name, slot, word)
            except UserError as exc:
                conv.remember_refusal(exc)
                again = yes_or_no_again(conv.yes_no(offers.asked(conv, offer)), conv.say("answer_yes_no"))
                return [Line("warn", conv.told(exc)), *again]
            conv.offer = None
            return start(conv, name, {**args, slot.name: value}, word)
    if signatures.exists(conv.ctx, word) or templates.exists(conv.ctx, word):
        return None                     # "AcmeShop" at an offer to enable: what to do with that signature
    # any other word, a name of the real-name profile too (no signature yet), keeps an offer with no value
    return yes_or_no_again(conv.yes_no(offers.asked(conv, offer)), conv.say("offer.bare_word", word=word))


def _wants(conv: Conversation, text: str) -> bool:
    """TEXT opens with words that ask for something ("我想…", "我要…", "I want…": matcher.yaml
    `routing.wanting`, of two words or more, so that a name beginning with 要 or 想 is still one)."""
    words = fold(text).split()
    return any(words[:len(p.split())] == p.split() for p in conv.kb.routing.wanting if len(p.split()) > 1)


def _started_again(conv: Conversation, flow: Flow, text: str) -> list[Line] | None:
    """TEXT, typed at a value prompt, asks for the very request being filled in, with no value of its own,
    worded as a request (command form, or opening with `routing.wanting`: "我要发消息" at a send's prompts):
    the request starts again from its first value, said so. None for anything else ("AcmeShop" read as a
    signature's submission is a name)."""
    if not (conv.router.form(text) == "command" or _wants(conv, text)):
        return None
    reply = conv.router.route(text, conv.lang)
    if reply.type != "action" or reply.action != flow.action or reply.args or \
            reply.confidence < conv.router.thresholds.answer:
        return None
    conv.flow = None
    return [Line("muted", conv.say("request.restarted", request=title(conv, flow)))] + start(conv, flow.action, {}, text)


def _fills_a_name(conv: Conversation, deed: dict) -> bool:
    """Whether the request DEED starts (an offer's) asks a signature name first."""
    action = conv.kb.actions.get(deed.get("name", "")) if deed.get("do") == "start" else None
    args = deed.get("args") or {}
    slot = next((s for s in action.slots if s.name not in args and s.name not in FILES), None) if action else None
    return slot is not None and slot.type == "signature_name"


def at_picks(conv: Conversation, text: str) -> list[Line] | None:
    """A bare Latin word the assistant has no reading of, typed at numbered choices: the choices stay,
    with a hint (it is no question to take them away for). None for any other line."""
    word = text.strip()
    if not conv.picks or not BARE_WORD.fullmatch(word) or _known_word(conv, word) or \
            _means_itself(conv, word, conv.router.route(word, conv.lang)):
        return None
    return [Line("muted", conv.say("pick.number", count=len(conv.picks)))]


def _means_itself(conv: Conversation, word: str, reply: Reply) -> bool:
    """WORD is a command's name ("help"), small talk ("thanks"), a "cancel", or read surely as a
    question or request of its own (REPLY, the router's reading of it: an error code): never a value
    typed at an offer."""
    if commands.bare(word) or small_talk(conv.kb, word) or leaves(fold(word), conv.kb.leaving):
        return True
    return reply.type in ("answer", "action") and reply.confidence >= conv.kb.thresholds.answer


def _a_name(conv: Conversation, word: str) -> bool:
    """WORD reads as a name or a code, not as an ordinary word ("wait", "done", "submit"): the knowledge
    base's phrasings never use it, it has capitals or digits inside ("AcmeShop", "Shop2"), or it
    names something of the account."""
    return fold(word) not in conv.router.index.known or any(ch.isupper() or ch.isdigit() for ch in word[1:]) \
        or _known_word(conv, word)


def _known_word(conv: Conversation, word: str) -> bool:
    """WORD names one of the account's signatures or templates, or a name of its real-name profile."""
    ctx = conv.ctx
    return signatures.exists(ctx, word) or templates.exists(ctx, word) or accounts.in_profile(ctx, word)


# --- a line typed at a value prompt ------------------------------------------------------------

def answer(conv: Conversation, text: str) -> list[Line]:
    """TEXT typed while a value (or a go-ahead) is asked for: first what any prompt hears (a quoted word
    taken literally, a leaving, going back, a value changed), then the go-ahead's reading or the value's."""
    flow = conv.flow
    assert flow is not None
    said = _at_any_prompt(conv, flow, text)
    if said is not None:
        return said
    return _at_go_ahead(conv, flow, text) if flow.confirming else _at_value(conv, flow, text)


def _at_any_prompt(conv: Conversation, flow: Flow, text: str) -> list[Line] | None:
    """What TEXT means at a value's prompt and at the go-ahead alike: a literal, the request left or
    left for a question, a step back, the name or an earlier value changed. None when it is none of these."""
    folded = fold(text)
    asked = None if flow.confirming else flow.slots[0]
    if asked is not None and asked.type == "param" and (quoted := _quoted(text)) is not None:
        return _literal(conv, quoted)   # '"No"' at "Value for ${name}": the word itself, never a cancel
    if leaves(folded, conv.kb.leaving):
        return _dropped(conv) + _quote_hint(conv, text, asked)
    if (dropped := _dropped_then(conv, text, asked)) is not None:
        return dropped                  # "no, never mind. what's the per-number limit?": dropped, then that question
    if (went := went_back(conv, folded)) is not None:      # "上一步", "go back, wrong name": never the value
        return went
    if (renamed := _renamed(conv, text)) is not None:
        return renamed                  # "不对，叫厦门海鲜坊" at the source's prompt: the name changed, never the source
    if asked is not None and (changed := _earlier_changed(conv, text)) is not None:
        return changed                  # "不对，模板名称改成会员生日祝福" at a later prompt: that value changed
    return None


def _at_go_ahead(conv: Conversation, flow: Flow, text: str) -> list[Line]:
    """TEXT typed at FLOW's go-ahead: a change to what is shown, a no however worded, another question
    (answered, and the go-ahead kept), or the yes that runs the request; asked again when unclear."""
    if flow.action == "handoff.claim" and (kept := _reply_at_claim(conv, text)) is not None:
        return kept                     # "您好，模板审核需要7到10个工作日": a reply, not sent from here, and said so
    if (changed := correction(conv, text)) is not None:   # "no, send it to 13800138021 instead"
        return changed
    if (held := _yes_with_a_change(conv, text)) is not None:   # "yes, but remove 13800138071": never sent as shown
        return held
    if puts_off(conv, text):            # "call me later", "不了，回头再打给他": a no, never a value or "I don't know"
        return _not_done(conv)
    if (other := _mind_changed(conv, text)) is not None:   # "不对，我想先看下余额": that question, not a no
        return other
    if conv.signs_off(text):            # "算了不用了，我自己再看看": a no, and nothing after it is run
        return _not_done(conv)
    reading, conv.rest = offers.reading(conv, text, flow.action)
    if reading == "yes":
        conv.flow = None
        return conv.run(flow.action, flow.args)
    if reading == "no":
        return _not_done(conv)
    if reading is None:                 # a question or another request, answered; the go-ahead comes back
        return _asked_at_go_ahead(conv, flow, text)
    return yes_or_no_again(go_ahead(conv), conv.say("answer_yes_no"))  # asked again, never taken as a no


def _asked_at_go_ahead(conv: Conversation, flow: Flow, text: str) -> list[Line]:
    """TEXT, neither yes nor no at FLOW's go-ahead: the request itself said again runs it ("我要找真人，
    明天活动急用" at the handoff's go-ahead); anything else is answered aside, or said not understood."""
    reply = outcomes.of_the_request(conv, text, conv.router.route(text, conv.lang))
    if reply.type == "action" and reply.action == flow.action and not reply.args and \
            reply.confidence >= conv.kb.thresholds.low_confidence:
        conv.flow = None
        return conv.run(flow.action, flow.args)
    said = aside(conv, text, reply)
    return said if said is not None else unknown(conv, text)


def _at_value(conv: Conversation, flow: Flow, text: str) -> list[Line]:
    """TEXT typed at the prompt of FLOW's next value: another request or the same one again, a yes or
    a no, a question about what was just said or of its own, else the value, checked."""
    if (other := _mind_changed(conv, text)) is not None:   # "不对，我想先看下余额": never the template's name
        return other
    if resumed(conv, text):             # "回去继续建模板": the prompt again, never the value
        return back(conv)
    if (again := _started_again(conv, flow, text)) is not None:
        return again                    # "我要发消息" at the send's own prompts: the send from its start
    slot = flow.slots[0]
    if slot.type == "template_code" and (chosen := _template_chosen(conv, text)) is not None:
        return take(conv, check(conv, flow.action, slot, chosen))   # a choice offered: that template, never a question
    reading = yes_or_no(text, conv.kb.answers)
    if reading == "yes" or (reading == "no" and slot.required):
        return _yes_or_no_at_value(conv, flow, slot, text, reading)
    if reading == "no":
        text = ""                       # "no" to an optional value ("Enter to skip"): skipped
    if (asked := _asked_at_value(conv, flow, slot, text)) is not None:
        return asked
    return _given(conv, flow, slot, text)


def _yes_or_no_at_value(conv: Conversation, flow: Flow, slot: Slot, text: str, reading: str) -> list[Line]:
    """A yes, or a no to a value the request cannot do without (READING of TEXT), typed at SLOT's prompt:
    the no drops the request; the yes takes the default, or is said to be no value."""
    if reading == "no":                 # "no" to a value the request cannot do without: the request is dropped
        return _dropped(conv) + _quote_hint(conv, text, slot)
    if _default(conv, slot):            # "是" at "Template code [DIGITAL_SMS_0001]": the default
        return take(conv, check(conv, flow.action, slot, ""))
    asked = prompt(conv, flow.action, slot)   # a yes is never a name, a text or a choice
    wanted = conv.say("value.wanted_answer") if asked.endswith(("?", "？")) else \
        conv.say("value.wanted", what=_short(asked).lower())
    return [Line("warn", conv.say("value.not_a_yes", text=text.strip(), wanted=wanted))]


def _asked_at_value(conv: Conversation, flow: Flow, slot: Slot, text: str) -> list[Line] | None:
    """TEXT at SLOT's prompt asks rather than gives: about what was just said (an error code's fix, a
    refusal's reason, a number's fate), another request, or a question the value can never be; answered,
    and the prompt comes back. None when TEXT is to be read as the value."""
    if (fix := outcomes.fix_asked(conv, text)) is not None:
        # "how do I fix it" just after an error code was explained: that code's fix; an error lookup
        # waiting for a code has its answer, another request goes on
        if flow.action == "error.lookup":
            conv.flow = None
        return fix + back(conv)
    if (why := outcomes.why_asked(conv, text)) is not None:
        return why + back(conv)         # "why?" just after a name was refused: that refusal explained
    if (fate := outcomes.fate_asked(conv, text)) is not None:
        return fate + back(conv)        # "为什么02885551234失败" at the numbers' prompt: that number's own reason
    if (reply := _another_thing(conv, flow, slot, text)) is not None:
        # "签名状态给我看一下" at the signature name's prompt: that request, never the name
        # a question nothing answers is said so, never met with silence
        return aside(conv, text, reply) or unknown(conv, text)
    if (other := _request_not_value(conv, flow, slot, text)) is not None:
        return other                    # "帮我建模板" at the signature name's prompt: that request, never the name
    if _never_a_question(flow, slot) and _asks_rather_than_gives(conv, slot, text):
        # a template's value, a signature's name, a code is never a question ("what is this charge?",
        # "发到了没", "我们有几个签名了"): answered, or said not understood, and the prompt comes back
        return aside(conv, text) or unknown(conv, text)
    return None


def _another_thing(conv: Conversation, flow: Flow, slot: Slot, text: str) -> Reply | None:
    """The reading of TEXT when, at the prompt of a free text, a variable's value or an error code, or
    worded as a sentence or asked in Chinese, it is a request or question of its own rather than SLOT's
    value; None when it is to be read as the value."""
    any_text = slot.name in FREE_TEXT or slot.type in ("param", "error_code")
    worded = slot.type == "phone" and len(re.findall(r"[^\W\d_]{3,}", text)) > 2   # a sentence, not a list of numbers
    asks = language.asks_in_chinese(text)   # "签名审核要多久" is no signature name, though it could be one
    if not (any_text or worded or asks):
        return None
    reply = _read_at_variable(conv, text)
    another = _is_request(conv, reply) or ((any_text or asks) and _is_question(conv, text, reply)) \
        or (slot.type == "param" and _surely_another(conv, reply)) \
        or (slot.name == "name" and reply.type == "action" and _surely_another(conv, reply)) \
        or (slot.type == "error_code" and _surely_not_a_lookup(conv, flow, reply))
    return reply if another else None


def _given(conv: Conversation, flow: Flow, slot: Slot, text: str) -> list[Line]:
    """TEXT as SLOT's value (a lead-in or a sentence around a code left out), checked and taken; a value
    refused is answered aside when it reads as something else, else refused with how to give it."""
    if (given := _accepted(conv, flow.action, slot, text)) is not None:
        text = given                    # "ok then AcmeShop", "好吧，那用阿克米科技": the name, never the lead-in
    elif slot.type == "template_code" and len(codes := extract(conv.kb, "template_code", text)) == 1:
        text = codes[0]                 # "sorry, typo, I meant DIGITAL_SMS_0002": the code, never the sentence
    try:
        value = check(conv, flow.action, slot, text)
    except UserError as exc:
        conv.remember_refusal(exc)
        # a file named wrongly is a wrong value, never a question; so is a template's text the
        # specification refuses (already read for a question above: "${name}您好，優惠" is a text)
        wrong_value = (flow.action == "template.create" and slot.name == "text") or \
            _names_files(text, every_word=slot.name in FILES) or \
            (slot.type == "template_code" and _a_phone_number(text)) or \
            _a_weak_lookup(conv, text)   # never a send restarted with it as the numbers; "不存在的模板": a wrong code
        said = None if wrong_value else aside(conv, text)
        if said is not None:            # answered, or the request restarted with its values (maybe silently)
            return said
        return [Line("warn", conv.say("value.try_again", error=conv.told(exc)))]
    return take(conv, value)


_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "「": "」", "『": "』"}


def _phrase_at(words: list[str], at: int, phrases: tuple[str, ...]) -> int:
    """How many of WORDS from AT one of PHRASES (folded) spans, the longest; 0 when none starts there."""
    return max((len(p.split()) for p in phrases if words[at:at + len(p.split())] == p.split()), default=0)


def _slot_of(conv: Conversation, flow: Flow, name: str) -> Slot:
    """The prompt of FLOW's value NAME, as it was asked."""
    if name.startswith("param:"):
        return _param_slots(conv, [name.split(":", 1)[1]])[0]
    if name == "letter":
        return Slot("letter", "quoted", False, say(conv.kb, "prompt.template.create.letter"))
    return next(s for s in conv.kb.actions[flow.action].slots if s.name == name)


def _labels(conv: Conversation, flow: Flow, name: str) -> list[str]:
    """What a person calls FLOW's value NAME, in every language: its prompt without the hint, and a
    template variable's name and other names ("名字" for ${name})."""
    if name.startswith("param:"):
        variable = name.split(":", 1)[1]
        return [variable, *values.variable_labels(conv.kb).get(variable, ())]
    texts = conv.kb.messages.get(f"prompt.{flow.action}.{name}") or {"en": _slot_of(conv, flow, name).prompt}
    return [_short(t) for t in texts.values()]


_CHINESE = re.compile("[\u4e00-\u9fff]+")


def _named_value(conv: Conversation, flow: Flow, rest: list[str], names: list[str]) -> str | None:
    """The one of NAMES (values of FLOW, the latest first) that the folded words REST name ("wrong
    name", "名称错了"): an English word of four letters or more of its label, or two Chinese characters."""
    said = "".join(rest)
    for name in names:
        for label in _labels(conv, flow, name):
            words = set(fold(label).split())
            if any(len(w) >= 4 and w in words for w in rest) or \
                    any(label[i:i + 2] in said for i in range(len(label) - 1) if _CHINESE.fullmatch(label[i:i + 2])):
                return name
    return None


def went_back(conv: Conversation, folded: str) -> list[Line] | None:
    """FOLDED ("上一步", "back", "go back, wrong name"; messages.yaml `leaving.back`) typed at a value
    prompt or the go-ahead: the value asked before (or the one the line names) is asked again, and
    then the request goes on where it was. None when the line is no such step back."""
    flow = conv.flow
    assert flow is not None
    words, around = folded.split(), set(conv.kb.leaving.get("around", ()))
    back_phrases, correct = conv.kb.leaving.get("back", ()), conv.kb.leaving.get("correct", ())
    at = 0
    while at < len(words) and (words[at] in around or _phrase_at(words, at, correct)):
        at += 1 if words[at] in around else _phrase_at(words, at, correct)   # "等等，", "不对，"
    step = _phrase_at(words, at, back_phrases)
    end = len(words)
    while end > at and words[end - 1] in around:
        end -= 1
    # the step back may close the line, after the value it names ("号码弄错了，重新来", "the numbers are wrong, redo")
    closing = 0 if step else next((n for p in back_phrases if (n := len(p.split())) < end - at and
                                   words[end - n:end] == p.split()), 0)
    if not step and not closing:
        return None
    rest = [w for w in (words[at + step:] if step else words[at:end - closing]) if w not in around]
    current = None if flow.confirming else flow.slots[0].name
    params = flow.args.get("params") or {}
    earlier = [n for n in dict.fromkeys(reversed(flow.asked)) if n != current and
               (params.get(n.split(":", 1)[1]) is not None if n.startswith("param:") else n in flow.args)]
    target = _named_value(conv, flow, rest, earlier) if rest else (earlier[0] if earlier else None)
    if rest and target is None:
        return None                     # "back to school sale": a value after all
    if target is None:
        return [Line("info", conv.say("value.no_step_back"))] + ([Line("choice", go_ahead(conv))] if flow.confirming else [])
    if target.startswith("param:"):
        del params[target.split(":", 1)[1]]
    else:
        del flow.args[target]
    flow.slots.insert(0, _slot_of(conv, flow, target))
    flow.asked.append(target)
    flow.confirming = flow.confirmed = False   # what the preview showed is confirmed anew
    return [Line("muted", conv.say("value.went_back"))]


def _earlier_changed(conv: Conversation, text: str) -> list[Line] | None:
    """A value given before changed at a later value prompt ("不对，模板名称改成会员生日祝福" at the media
    prompt; a no or a change word of messages.yaml `leaving.change` says it is a change): that value
    is changed and the prompt asked again. None when TEXT changes no value given before (it may be
    the value asked for now)."""
    flow = conv.flow
    assert flow is not None and not flow.confirming
    answer, rest = answer_first(text, conv.kb.answers)
    folded = fold(text).split()
    changes = answer == "no" and bool(rest.strip()) or \
        any(_phrase_at(folded, at, conv.kb.leaving.get("change", ())) for at in range(len(folded)))
    if not changes:
        return None
    said = rest if answer == "no" else text
    current = flow.slots[0].name
    given = {k: v for k, v in _values_in(conv, flow, said).items() if k != current}
    given.pop("params", None)           # a template's values are asked one by one: said at their own prompt
    if not given or not all(k in flow.args for k in given) or asks_something(conv, said):
        return None
    slots = {s.name: s for s in conv.kb.actions[flow.action].slots}
    try:
        checked = {name: check(conv, flow.action, slots[name], value) for name, value in given.items()}
    except UserError as exc:
        conv.remember_refusal(exc)
        return [Line("warn", conv.told(exc))] + back(conv)
    changed = [_changed_to(conv, flow.action, n, v) for n, v in checked.items() if v != flow.args.get(n)]
    other_template = flow.action == "send" and checked.get("code", flow.args.get("code")) != flow.args.get("code")
    flow.args.update(checked)
    said_lines = [Line("muted", conv.say("request.updated", request=title(conv, flow), changed=", ".join(changed)))] \
        if changed else []
    if other_template:                  # another template: its own variables are asked
        flow.slots = [s for s in flow.slots if not s.name.startswith("param:")]
        flow.args["params"], flow.params_asked = {}, False
        return said_lines + advance(conv)
    return said_lines + back(conv)


def _new_name(conv: Conversation, text: str) -> str | None:
    """The name TEXT says the request's value "name" is now: what follows messages.yaml `leaving.rename`
    ("叫厦门海鲜坊", "call it Batik Promo", "名字改成…"), maybe after a change of mind (`leaving.correct`: "不对，",
    "no, "). None when the request takes no name, TEXT opens with no such words, or what follows them is
    no name (nothing, or a question). Where any text is the value (the name itself, a template's text, a
    variable's), only after a change of mind: "叫我小王就行" may be a message's words, "叫了个鸡" a name."""
    flow = conv.flow
    assert flow is not None
    if not any(s.name == "name" for s in conv.kb.actions[flow.action].slots):
        return None
    opened = after_correction(text, conv.kb.leaving)
    said = after_correction(opened if opened is not None else text, conv.kb.leaving, "rename")
    asked = None if flow.confirming else flow.slots[0]
    if opened is None and asked is not None and (asked.name in FREE_TEXT or asked.type == "param"):
        return None                     # (at the name's own prompt "叫了个鸡" is a name as typed)
    name = _as_said(said or "")
    name = values.spoken(conv.kb, name, text)     # "名字改成周末狂欢咯": 周末狂欢; quoted, as written
    if not name or asks_something(conv, name) or yes_or_no(name, conv.kb.answers) is not None \
            or says(fold(name), conv.kb.leaving):   # "no, call it back later": put off, never named "back later"
        return None
    return name


def _renamed(conv: Conversation, text: str) -> list[Line] | None:
    """TEXT gives the request's name anew (`_new_name`): at a later prompt the name given before is changed,
    that is said, and the open prompt comes back ("不对，叫厦门海鲜坊" at the source's prompt); at the go-ahead the
    preview is shown again with it; at the name's own prompt it is the name. A name the request refuses is
    said, and the open prompt (or go-ahead) comes back. None when TEXT gives no name."""
    flow = conv.flow
    assert flow is not None
    name = _new_name(conv, text)
    if name is None:
        return None
    slot = next(s for s in conv.kb.actions[flow.action].slots if s.name == "name")
    here = not flow.confirming and flow.slots[0].name == "name"
    if not here and "name" not in flow.args:
        return None
    try:
        value = check(conv, flow.action, slot, name)
    except UserError as exc:
        conv.remember_refusal(exc)
        told = conv.told(exc)
        return [Line("warn", conv.say("value.try_again", error=told) if here else told)] + ([] if here else back(conv))
    if here:
        return take(conv, value)
    if value == flow.args["name"]:
        return back(conv)
    flow.args["name"] = value
    said = [Line("muted", conv.say("request.updated", request=title(conv, flow),
                                   changed=_changed_to(conv, flow.action, "name", value)))]
    if flow.confirming:                 # what the new preview shows is confirmed anew
        flow.confirming = flow.confirmed = False
        return said + advance(conv)
    return said + back(conv)


def resumed(conv: Conversation, text: str) -> bool:
    """TEXT says to go on with the request being filled in: it opens with messages.yaml `leaving.resume` ("回去继续",
    "back to") and the rest names that request ("回去继续建模板", "back to the template"). A bare "继续" is a yes."""
    flow = conv.flow
    assert flow is not None
    rest = after_correction(text, conv.kb.leaving, "resume")
    return bool(rest) and _request_named(conv, rest) == (flow.action, {})


def _request_named(conv: Conversation, rest: str) -> tuple[str, dict[str, Any]] | None:
    """The request REST names after words that say to go on ("建模板", "the template"), and the values it
    gives: the action the router reads, or the one the entry it is answered with (or leans to) offers
    first ("建模板": how to create one, or what one is?); after such words naming the request is enough."""
    reply = conv.router.route(rest, conv.lang)
    if reply.type == "action":
        return reply.action, dict(reply.args or {})
    # a "did you mean" between what a template is and how to create one: the first that offers a request
    leaning = [reply.best] if reply.best is not None else []
    if reply.type == "clarify":
        leaning += list(reply.suggestions or ())
    for key in dict.fromkeys(c.key for c in leaning):
        kind, _, name = key.partition(":")
        if kind == "action" and reply.type == "clarify":
            return name, {}
        entry = conv.kb.entries.get(name) if kind == "faq" else None
        if entry and entry.actions:
            return entry.actions[0], {}
    return None


def resumed_at_offer(conv: Conversation, text: str) -> list[Line] | None:
    """TEXT opens with words that say to go back to a request (messages.yaml `leaving.resume`: "回去继续建模板",
    "回到模板", "back to the template") at a yes/no offer ("现在查看签名的状态吗？", made when that request could not
    go on): never a name for the offered request to look up. The offer is dropped and the request named (or,
    naming none the router reads, the one the offer was made for: its deed's "left") is taken up again, and says
    again what it still lacks, if it does; with neither the offer's question is asked again. None when TEXT opens
    with no such words, or is a yes ("继续")."""
    offer = conv.offer
    assert offer is not None
    rest = after_correction(text, conv.kb.leaving, "resume")
    if rest is None or yes_or_no(text, conv.kb.answers) is not None or (rest and yes_or_no(rest, conv.kb.answers)):
        return None
    named = _request_named(conv, rest) if rest else None
    if named is None and (left := (offer.deed or {}).get("left")) in conv.kb.actions:
        named = (left, {})              # "回到模板", "回去继续": the request the offer was made for
    if named is None:
        return yes_or_no_again(conv.yes_no(offers.asked(conv, offer)), conv.say("answer_yes_no"))
    conv.offer = None
    return conv.start(named[0], named[1], rest)


def puts_off(conv: Conversation, text: str) -> bool:
    """TEXT, typed at a yes/no question (a go-ahead, an offer), puts it off: it says messages.yaml `leaving.later`
    ("call me later", "I'll call you back", "回头再打给他"), maybe after a no or a change of mind ("no, call him back
    later", "不对，叫他回头再打"), and the words that say it are no question and no request the router reads surely.
    Such a line is a no: nothing done, nothing changed, and never "I don't know" after it. A yes is never one."""
    answer, rest = answer_first(text, conv.kb.answers)
    if answer == "yes":
        return False
    said = rest if answer == "no" else (after_correction(text, conv.kb.leaving) or text)
    if not said or not says(fold(said), conv.kb.leaving) or asks_something(conv, said):
        return False
    reply = conv.router.route(said, conv.lang)
    # a person asked for "later" is still put off: "call me later" leans to a handoff under the encoder
    if reply.type in ("answer", "action") and reply.action != "handoff" and reply.confidence >= conv.router.thresholds.answer:
        return False
    return not _asks_beside_later(conv, said)


_CLAUSE_MARK = re.compile(r"[,，.。!！;；]")


def _asks_beside_later(conv: Conversation, said: str) -> bool:
    """Whether a clause of SAID that says no `leaving.later` phrase is a request the router reads surely:
    "I need to talk to a person, our campaign starts tomorrow" asks for a person, its "tomorrow" is the
    campaign's; "call me later" has no such clause."""
    for clause in (c.strip() for c in _CLAUSE_MARK.split(said)):
        if not clause or says(fold(clause), conv.kb.leaving):
            continue
        reply = conv.router.route(clause, conv.lang)
        if reply.type == "action" and reply.confidence >= conv.router.thresholds.answer:
            return True
    return False


def _mind_changed(conv: Conversation, text: str) -> list[Line] | None:
    """A change of mind opening TEXT (messages.yaml `leaving.correct`: "不对", "wait, no", "actually") and then
    a question or a request ("不对，我想先看下余额" at the template name's prompt): that question or request is
    handled as one typed at the prompt (`aside`: answered, or run, and the prompt comes back; another change
    drops the pending request and says so); the request itself named again ("不对，继续建模板") is its prompt
    back. None when TEXT opens with no such words, or what follows them is neither (a value, maybe)."""
    flow = conv.flow
    assert flow is not None
    rest = after_correction(text, conv.kb.leaving)
    if not rest or yes_or_no(rest, conv.kb.answers) is not None:   # "no, not sure": an answer, read as one
        return None
    reply = outcomes.of_the_request(conv, rest, conv.router.route(rest, conv.lang))   # "等一下，审核要多久？": the request's
    sure = reply.type in ("answer", "action") and reply.confidence >= conv.router.thresholds.answer
    if not sure and not asks_something(conv, rest):
        return None
    if reply.type == "action" and reply.action == flow.action and not reply.args:
        return back(conv)
    return aside(conv, rest, reply) or unknown(conv, rest)


def _a_weak_lookup(conv: Conversation, text: str) -> bool:
    """Whether TEXT, a value refused at its prompt, is no question and the router reads it only unsurely as a
    look-up ("不存在的模板" at a code prompt, near "template status"): a wrong value, said so, never that look-up."""
    if asks_something(conv, text):
        return False
    reply = conv.router.route(text, conv.lang)
    return reply.type == "action" and not conv.kb.actions[reply.action].changes_state \
        and reply.confidence < conv.router.thresholds.answer


def _request_not_value(conv: Conversation, flow: Flow, slot: Slot, text: str) -> list[Line] | None:
    """TEXT, typed where a name, a code or a choice is asked (SLOT), worded as a request ("帮我建模板", "帮我查下余额":
    command form, or opening with `routing.wanting`) that the router reads surely as another action: that request
    (`aside`; one that changes something drops the pending one, and says so). None for anything else: a name is
    never so worded ("阿克米优选", "AcmeShop"), and numbers or files are read as such."""
    if slot.type in ("phone", "param", *MAY_ASK_TYPES) or slot.name in (*FILES, "text") or \
            not (conv.router.form(text) == "command" or _wants(conv, text)):
        return None                     # numbers, files, a message's words, a parameter: read as such
    reply = conv.router.route(text, conv.lang)
    if reply.type != "action" or reply.action == flow.action or reply.confidence < conv.router.thresholds.answer:
        return None
    return aside(conv, text, reply) or unknown(conv, text)


def _reply_at_claim(conv: Conversation, text: str) -> list[Line] | None:
    """TEXT typed at a claim's go-ahead that reads as words for the customer ("Reviews take 7-10
    business days, please wait"): a go-ahead takes a yes or a no, so it is not sent, and the one
    line says how to send it; the go-ahead is asked again. None for anything else: a yes or a no
    (with a change: "no, take 2 instead"), a question, a request the router reads surely, small
    talk, or a few words (a ticket number)."""
    flow = conv.flow
    assert flow is not None
    answer, _ = answer_first(text, conv.kb.answers)
    if answer is not None or len(fold(text).split()) <= 3 or small_talk(conv.kb, text) or asks_something(conv, text):
        return None
    reply = conv.router.route(text, conv.lang)
    if reply.type == "action" and reply.confidence >= conv.router.thresholds.answer:
        return None
    return [Line("warn", conv.say("claim.reply_not_sent", ticket=flow.args.get("ticket"), text=text.strip())),
            Line("choice", go_ahead(conv))]


def _quoted(text: str) -> str | None:
    """What TEXT says inside the quotes it is wholly written in ('"No"', "“不要”"), or None when it is
    not one quoted value."""
    text = text.strip()
    if len(text) >= 2 and _QUOTES.get(text[0]) == text[-1] and text[-1] not in text[1:-1]:
        return text[1:-1].strip()
    return None


def _literal(conv: Conversation, value: str) -> list[Line]:
    """A quoted VALUE at a template variable's prompt: taken as written (a name like "No" or
    "Stop"), without reading it as a cancel, a no or a question."""
    flow = conv.flow
    assert flow is not None
    try:
        checked = check(conv, flow.action, flow.slots[0], value)
    except UserError as exc:
        conv.remember_refusal(exc)
        return [Line("warn", conv.say("value.try_again", error=conv.told(exc)))]
    return take(conv, checked)


def _quote_hint(conv: Conversation, text: str, slot: Slot | None) -> list[Line]:
    """After a send dropped by a cancel or a no (TEXT) typed at a template variable's prompt (SLOT):
    nothing was sent, and how to give such a word as the value."""
    if slot is None or slot.type != "param":
        return []
    return [Line("muted", conv.say("value.quoted_hint", word=text.strip(), name=slot.name.split(":", 1)[1]))]


def correction(conv: Conversation, text: str, variables: list[str] | None = None,
               renamed: bool = True) -> list[Line] | None:
    """A change of mind at the go-ahead ("no, send it to 13800138021 instead", "不对，改成发给13800138021",
    "change the number to ...", "use template DIGITAL_SMS_0002 instead"): the values TEXT gives the
    pending request replace those, every other value is kept, and the preview is shown again for
    a new go-ahead. None when TEXT is no such line: a yes, a bare no (which still cancels), a
    question ("no, what does 13800138000 cost?"), another request, or a line naming no value of
    this request. A value the request refuses is said, and the same go-ahead asked again. VARIABLES:
    the template's, when already looked up (`_variables`). RENAMED: a send's value may be changed by
    what it is ("张三改成李四", `_value_renamed`), and one the send lacks ("name=张三") is said so."""
    flow = conv.flow
    assert flow is not None and flow.confirming
    answer, rest = answer_first(text, conv.kb.answers)
    if answer == "yes" or (answer == "no" and not rest):
        return None
    said = rest if answer == "no" else text
    given = _values_in(conv, flow, said, variables)
    if not given and renamed and flow.action == "send" and not asks_something(conv, said):
        given, unknown = _value_renamed(conv, flow, said, variables)
        if not given and not unknown:   # "不对，叫李四", "no, call him Jerry", "change the name to Bob"
            given, unknown = _value_anew(conv, flow, said, variables, answer == "no")
        if unknown and not _another_request(conv, flow, said):
            return [Line("warn", unknown), Line("choice", go_ahead(conv))]   # "name=张三" for a template without ${name}
    if not given or asks_something(conv, said):
        return None
    if "phones" in given and flow.args.get("phones"):
        given["phones"] = _numbers_changed(conv, said, values.many(flow.args["phones"]), given["phones"])
    if _another_request(conv, flow, said):
        return None                     # "no, submit signature AcmeShop2 instead": another request
    slots = {s.name: s for s in conv.kb.actions[flow.action].slots}
    try:
        checked = {name: value if name == "params" else check(conv, flow.action, slots[name], value)
                   for name, value in given.items()}
    except UserError as exc:
        conv.remember_refusal(exc)
        return [Line("warn", conv.told(exc)), Line("choice", go_ahead(conv))]
    before = flow.args.get("params") or {}
    changed = [_changed_to(conv, flow.action, name, value)
               for name, value in checked.items() if name != "params" and value != flow.args.get(name)]
    changed += [_changed_to(conv, flow.action, f"param:{name}", value)
                for name, value in checked.get("params", {}).items() if before.get(name) != value]
    if "params" in checked:
        checked["params"] = {**before, **checked["params"]}
    flow.args.update(checked)
    if "code" in given:                 # another template: its variables not given yet are asked for
        flow.params_asked = False
    flow.confirming = flow.confirmed = False   # what the new preview shows is confirmed anew
    lines = [Line("muted", conv.say("request.updated", request=title(conv, flow), changed=", ".join(changed)))] \
        if changed else []
    return lines + advance(conv)


def _another_request(conv: Conversation, flow: Flow, said: str) -> bool:
    """SAID is surely another request that changes something ("no, submit signature AcmeShop2 instead")."""
    reply = conv.router.route(said, conv.lang)
    return reply.type == "action" and reply.action != flow.action and conv.kb.actions[reply.action].changes_state \
        and reply.confidence >= conv.router.thresholds.answer


def _value_renamed(conv: Conversation, flow: Flow, said: str,
                   variables: list[str] | None = None) -> tuple[dict[str, Any], str | None]:
    """A send's template value changed by what it is now ("张三改成李四", "change Tom to Jerry":
    actions.yaml slot type `value_changed`), as the values to change ({"params": {...}}); or, when
    SAID names a variable the template lacks ("name=张三") or a value the send does not have, the
    sentence that says so. ({}, None): SAID is no such change."""
    slot_type = conv.kb.slot_types.get("value_changed")
    if slot_type is None:
        return {}, None
    variables = _variables(conv, flow) if variables is None else variables
    current = values.params(flow.args.get("params"))
    listed = joined(conv.kb, ["${" + v + "}" for v in variables], conv.lang) \
        or conv.say("confirm.no_variables")
    for pattern in slot_type.patterns:
        for match in pattern.finditer(said):
            found = match.groupdict()
            if found.get("variable") is not None:
                if found["variable"] in variables:
                    return {"params": {found["variable"]: found["new"]}}, None
                return {}, conv.say("confirm.no_such_variable", code=flow.args.get("code", ""),
                                    name=found["variable"], variables=listed)
            old = found.get("old") or ""
            labels = values.variable_labels(conv.kb)
            named = [v for v in variables if old == v or old in labels.get(v, ())]   # "名字改成李四"
            named += [v for v, value in current.items() if value == old]
            if named:
                return {"params": {named[0]: found["new"]}}, None
            if old and old not in values.many(flow.args.get("phones") or []) and old.upper() != flow.args.get("code"):
                return {}, conv.say("confirm.no_such_value", old=old, variables=listed)
    return {}, None


def _value_anew(conv: Conversation, flow: Flow, said: str, variables: list[str] | None,
                changed_mind: bool) -> tuple[dict[str, Any], str | None]:
    """A send's template variable given anew at its go-ahead by what follows messages.yaml `leaving.revalue_named`
    ("名字叫李四", "change the name to Bob": that variable), or, after a change of mind (`leaving.correct`, or a no:
    CHANGED_MIND), `leaving.revalue` ("不对，叫李四", "不对，是李四", "actually call him Jerry": the template's one
    variable; with several, the sentence asking which). ({}, None): SAID is no such line, or what follows the
    words is no value (nothing, a question, a yes or a no, another request)."""
    leaving = conv.kb.leaving
    variables = _variables(conv, flow) if variables is None else variables
    if not variables:
        return {}, None
    opened = after_correction(said, leaving)
    changed_mind = changed_mind or opened is not None
    said = opened if opened is not None else said
    labels = values.variable_labels(conv.kb)
    for variable in variables:
        for word in sorted({variable, *labels.get(variable, ())}, key=len, reverse=True):
            phrases = [p.replace("variable", fold(word)) for p in leaving.get("revalue_named", ())]
            if (rest := after_correction(said, {"correct": tuple(phrases)})) is not None:
                value = _new_value(conv, flow, rest)
                return ({"params": {variable: value}}, None) if value is not None else ({}, None)
    if not changed_mind or (rest := after_correction(said, leaving, "revalue")) is None:
        return {}, None
    if (value := _new_value(conv, flow, rest)) is None:
        return {}, None
    if len(variables) == 1:
        return {"params": {variables[0]: value}}, None
    listed = joined(conv.kb, ["${" + v + "}" for v in variables], conv.lang)
    return {}, conv.say("confirm.which_variable", code=flow.args.get("code", ""), value=value, variables=listed,
                        example=f"{variables[0]}={value}")


# the prompts whose value is a name, a code or a choice: words accepting something before it are no part of it
_ACCEPTING = ("signature_name", "template_name", "signature_ref", "source", "industry_said", "template_code")


def _accepted(conv: Conversation, action: str, slot: Slot, text: str) -> str | None:
    """The value TEXT gives after words that accept (a yes and polite words: "ok then AcmeShop", "好吧，那用阿克米
    科技" after a name was refused), where SLOT is a name, a code or a choice: what follows them, after
    `leaving.around` words and a `leaving.revalue` phrase ("那用…", "then use …"). Taken when a mark sets the
    words off ("好吧，…"), or when the line as typed is refused ("OK Mall" is a name as typed). None otherwise."""
    answers = conv.kb.answers
    if slot.type not in _ACCEPTING:
        return None
    rest, taken, marked = lead_in(text, (*answers.get("yes", ()), *answers.get("polite", ())), at_mark=True)
    if not rest or not set(taken) & set(answers.get("yes", ())):
        return None
    after, around, _ = lead_in(rest, conv.kb.leaving.get("around", ()))
    valued = after_correction(after, conv.kb.leaving, "revalue")
    if valued:                          # "那用阿克米科技", "then use AcmeShop"
        rest = valued
    elif around and all(word.isascii() for word in around):
        rest = after                    # "ok, then AcmeShop" (a Chinese 那 may open a name: "那拉提")
    given = _as_said(rest)
    if not given or asks_something(conv, given) or yes_or_no(given, conv.kb.answers) in ("yes", "no"):
        return None
    if not marked:
        try:
            check(conv, action, slot, text)
            return None                 # the line as typed is a good value: it is the value
        except UserError:
            pass
    return given


def _as_said(words: str) -> str:
    """WORDS given as a new name or value, without the full stop or the quotes around them."""
    return words.strip().rstrip("。.!！").strip().strip('"“”\'‘’「」『』').strip()


def _new_value(conv: Conversation, flow: Flow, rest: str) -> str | None:
    """REST as a template variable's new value: one short run of words, never a question, a yes or a no, or
    another request; None when it is none."""
    value = values.spoken(conv.kb, _as_said(rest), rest)
    if not value or len(value) > 40 or re.search(r"[，,。；;？?！!]", value) or asks_something(conv, value) \
            or yes_or_no(value, conv.kb.answers) is not None or says(fold(value), conv.kb.leaving) \
            or _another_request(conv, flow, value):   # "call him back later": put off, never the value "back later"
        return None
    return value


def _numbers_changed(conv: Conversation, said: str, current: list[str], named: list[str]) -> list[str]:
    """The numbers a correction at the go-ahead leaves: CURRENT with those SAID takes out or
    replaces ("remove 13800138001", "13800138098换成13800138099", "第二个号码换成…"), or with those it adds
    ("also add 13800138024"); else the NAMED ones alone ("no, send it to 13800138021 instead")."""
    kept = values.withdrawn(conv.kb, said, current)
    if kept != current or values.taken_back(conv.kb, said):   # (a number taken out that is not there: nothing to add)
        return kept
    if more := values.added(conv.kb, said):
        return current + [p for p in more if p not in current]
    return named


def _yes_with_a_change(conv: Conversation, text: str) -> list[Line] | None:
    """A yes at the go-ahead with a change in the same line ("yes, but remove 13800138071",
    "可以，不过名字改成李四", "好，但是换成13800138084"): the change is made and the preview shown again
    when it reads as one (`correction`); a change it cannot read (a value of the request, or one of
    the template's variables, named after the yes) keeps the go-ahead, with a hint. Nothing is sent
    on such a yes: the preview no longer shows what would go. None for a plain yes."""
    flow = conv.flow
    assert flow is not None and flow.confirming
    answer, rest = answer_first(text, conv.kb.answers)
    if answer != "yes" or not rest.strip():
        return None
    variables = _variables(conv, flow)      # looked up once, for every reading of the change below
    if (changed := correction(conv, rest, variables, renamed=False)) is not None:
        return changed
    named = _values_in(conv, flow, rest, variables)
    if not named and variables:
        labels = values.variable_labels(conv.kb)
        low = rest.lower()
        named = {v: v for v in variables if v.lower() in low or any(label in rest for label in labels.get(v, ()))}
    if not named:
        return None
    return [Line("warn", conv.say("confirm.yes_with_change")), Line("choice", go_ahead(conv))]


def _variables(conv: Conversation, flow: Flow) -> list[str]:
    """The variables of the template FLOW sends ([] for any other request, or a send with no template yet)."""
    if flow.action != "send" or not flow.args.get("code"):
        return []
    return templates.status(conv.ctx, flow.args["code"])[0]["variables"]


def _values_in(conv: Conversation, flow: Flow, said: str, variables: list[str] | None = None) -> dict[str, Any]:
    """The values of FLOW's request that SAID names: its slots' (numbers, a template code, a name)
    and, for a send, the template's variables ("name=Wang", "name是王五"); VARIABLES: those, when
    already looked up (`_variables`)."""
    from ..router import slots_for

    given = values.spoken_args(conv.kb, values.normalise(flow.action, slots_for(conv.kb, conv.kb.actions[flow.action],
                                                                                 said)), said)
    given.pop("params", None)
    if flow.action == "send" and given.get("phones") and (kept := values.withdrawn(conv.kb, said, given["phones"])):
        given["phones"] = kept          # "the number should be X, not Y": Y is taken back, not added
    if flow.action in ("signature.submit", "signature.update") and (source := values.said_source(conv.kb, said)):
        given["source"] = source        # "the source is app, not trademark": the one said in so many words
    variables = _variables(conv, flow) if variables is None else variables
    if variables and (named := values.said_params(conv.kb, said, variables)):
        given["params"] = values.spoken_args(conv.kb, {"params": named}, said)["params"]
    return {name: value for name, value in given.items() if value not in (None, "", [], {})}


# values that may well be worded as a question: a template's text ("您的快递到了吗？"), a handoff's
# reason, a note on a ticket, an error's description ("为什么发不出去？" finds its code)
MAY_ASK = {("template.create", "text"), ("handoff", "reason")}
MAY_ASK_TYPES = {"message", "error_code"}


def _never_a_question(flow: Flow, slot: Slot) -> bool:
    """Whether SLOT's value is never worded as a question (a name, a code, a source, a template's
    parameter): all but MAY_ASK, MAY_ASK_TYPES and the files (paths, read apart)."""
    return (flow.action, slot.name) not in MAY_ASK and slot.type not in MAY_ASK_TYPES and slot.name not in FILES


def _asks_rather_than_gives(conv: Conversation, slot: Slot, text: str) -> bool:
    """TEXT, typed where SLOT's value is asked, is worded as a question (`asks_something`) rather than
    giving the value with a doubt: numbers at the numbers' prompt, or one word and a question mark
    ("DIGITAL_SMS_0001?") where a name or a code is asked, are the value (a template's parameter
    keeps the stricter rule: any question there is one)."""
    if slot.type != "param":
        if slot.type == "phone" and any(ch.isdigit() for ch in text):
            return False
        bare = text.strip().rstrip("?？").strip()
        if bare != text.strip() and bare and len(bare.split()) == 1 and not language.asks_in_chinese(bare):
            return False
    return asks_something(conv, text)


def take(conv: Conversation, value: Any) -> list[Line]:
    """VALUE (checked) is the answer to the prompt the request waits at: on to the next step."""
    flow = conv.flow
    assert flow is not None
    slot = flow.slots[0]
    if slot.name.startswith("param:"):
        flow.args["params"][slot.name.split(":", 1)[1]] = value
    elif value is not None:
        flow.args[slot.name] = value
    flow.slots.pop(0)
    return advance(conv)


def received(conv: Conversation, uploads: list[attachments.Upload]) -> Any:
    """UPLOADS, checked for the file prompt the request waits at: what the request keeps of them.

    Refused, changing nothing, when no file is wanted now (Conflict) or the files cannot be used.
    """
    flow = conv.flow
    if conv.done or flow is None or flow.confirming or flow.slots[0].name not in FILES:
        asked = conv.waiting
        now = conv.say("file.waits_for", prompt=asked.prompt) if asked else conv.say("file.nothing_waits")
        raise Conflict(conv.say("file.not_waiting", now=now))
    try:
        return conv.files.received(conv.ctx, flow.slots[0].name, uploads)
    except UserError as exc:
        raise _file_refused(conv, exc) from None


def _file_refused(conv: Conversation, exc: UserError) -> UserError:
    """A file's refusal EXC in the session's language (its catalogue sentence, `errors.said`), of the same kind (the
    service still answers an upload that is no media with 415); one that is no media says what a template takes
    (messages.yaml `media.taken`: the formats, and the sizes of rules.yaml template). EXC itself when it has no
    catalogue sentence."""
    if exc.said is None:
        return exc
    msg_id, fields = exc.said
    text = catalogue_said(conv.kb, {"say": msg_id, "fields": fields}, conv.lang)     # a field may be a sentence: a file's kind
    if msg_id == "media.not_media":
        spec = conv.ctx.rules.template
        text += conv.say("media.taken", videos=spec["max_videos"], total_kb=int(spec["max_total_kb"]))
    again = type(exc)(text, code=exc.code)
    again.said = exc.said
    return again


def _not_done(conv: Conversation) -> list[Line]:
    conv.flow = None
    return [Line("muted", conv.say("not_done"))]


def _names_files(text: str, every_word: bool = False) -> bool:
    """TEXT is a file name or path ("~/media/photo.png", "banner.png"), not words. At a file prompt
    (EVERY_WORD) a line with any such word names files (several media, a quoted name with spaces),
    and so does one word shaped like a file's name ("banner_final", see `files.shaped_like_a_file_name`):
    what the remote REPL would upload (client._named_files) is never answered as a question here."""
    from ..files import shaped_like_a_file_name
    from ..media import EXTENSIONS

    def file_like(word: str) -> bool:
        named = "/" in word or "\\" in word or word.startswith("~")
        return named or any(word.lower().endswith(ext) for exts in EXTENSIONS.values() for ext in exts)
    words = text.split()
    if every_word:
        return any(file_like(w.strip("'\"")) for w in words) or \
            (len(words) == 1 and shaped_like_a_file_name(words[0].strip("'\"")))
    return len(words) == 1 and file_like(words[0])


def _a_file_given(text: str) -> bool:
    """TEXT, typed where a template's words are asked, clearly gives a file rather than words: one word
    that is a media file's name ("banner.png"), or a path that exists here ("~/media/photo"). A folder
    separator alone makes no file: "满100减20\\n欢迎光临" and "买一送一/限时" are words."""
    from ..media import EXTENSIONS

    words = text.split()
    if len(words) != 1:
        return False
    word = words[0].strip("'\"")
    if any(word.lower().endswith(ext) for exts in EXTENSIONS.values() for ext in exts):
        return True
    return ("/" in word or "\\" in word or word.startswith("~")) and os.path.lexists(os.path.expanduser(word))


def _no_such_file(conv: Conversation, slot: str, value: str) -> None:
    """A typed path of VALUE that names no file, refused in the conversation's language: the
    message's words typed at the media prompt ("尊敬的${name}，…") said whole, as typed (never cut at
    its commas into "paths"); any other, the first missing path."""
    paths = paths_in(value) if slot == "media" else [value]
    missing = [p for p in paths if not os.path.lexists(p) and not os.path.lexists(os.path.expanduser(p))]
    if not missing:
        return
    if "${" in value or (language.detect(value) == "zh" and not _looks_like_path(value)):
        raise UserError(conv.say("value.file_is_text", text=shorten(value, 60)))
    raise UserError(conv.say("file.not_found", file=missing[0]))     # as files.py refuses it


def _looks_like_path(value: str) -> bool:
    """Whether VALUE reads as a file's path (a folder separator, or a name with an extension)."""
    return "/" in value or "\\" in value or bool(re.search(r"\.[A-Za-z0-9]{1,5}\b", value))


def asks_something(conv: Conversation, text: str) -> bool:
    """Whether TEXT is worded as a question, in either language: an English question's first words
    or its question mark (`Router.form`), or a Chinese question word or closing particle
    (`lang.asks_in_chinese`: "发到了没", "经理回复了吗"). A value ("张三", "A123") is neither."""
    return conv.router.form(text) == "question" or language.asks_in_chinese(text)


def _is_question(conv: Conversation, text: str, reply: Reply) -> bool:
    """A question the knowledge base answers well (REPLY, the router's reading of TEXT), rather
    than a value that ends in "?"."""
    return asks_something(conv, text) and reply.type in ("answer", "action") \
        and reply.confidence >= conv.router.thresholds.answer


def _surely_another(conv: Conversation, reply: Reply) -> bool:
    """A line the router reads as an answer or a request without doubt (REPLY, at least the
    confidence the gap log takes as sure: "查一下发送记录", "show my sends"), typed where a
    template's value is asked: the person asks something else; a name or an order number is
    read so by no intent. The router's `low_confidence` is scaled to the model in use ("show my
    sends" is the send list at 0.52 with the encoder, "Tom" a handoff at 0.30)."""
    return reply.type in ("answer", "action") and reply.confidence >= conv.router.thresholds.low_confidence


def _surely_not_a_lookup(conv: Conversation, flow: Flow, reply: Reply) -> bool:
    """REPLY reads surely as a request that does something (a person, a send), typed where an error code or its
    words are asked ("找人工" at "错误码或报错信息"): that request, never words to find a code by. A look-up is
    not one: "余额不足" reads as the balance, and is the words of isv.AMOUNT_NOT_ENOUGH."""
    return reply.type == "action" and reply.action != flow.action and conv.kb.actions[reply.action].changes_state \
        and reply.confidence >= conv.router.thresholds.answer


def _is_request(conv: Conversation, reply: Reply) -> bool:
    """A request that carries values of its own ("send the spring sale one to 13800138000 with
    name=Li", read as REPLY), typed where any text would do: the request, never the value."""
    return reply.type == "action" and bool(reply.args) and reply.confidence >= conv.router.thresholds.answer


def _dropped_then(conv: Conversation, text: str, asked: Slot | None) -> list[Line] | None:
    """TEXT opening with a sentence or clause that drops the request (`lines.after_leaving`: "no, never mind.
    what's the per-number sending limit?", "no thanks, but what is a signature?", "算了，签名审核要多久？") and saying
    more, typed at its go-ahead or at a prompt whose value is no message's words (ASKED): the request is dropped and the
    rest is the person's next line, never the value, nor a question answered with the request still pending.
    None for any other line, and for one that signs off ("never mind, I'll try myself", `signs_off`)."""
    if asked is not None and (asked.name == "text" or asked.type in ("param", "error_code")):
        return None                     # "Stop, the sale is on!" may be a message's own words
    rest = after_leaving(text, conv.kb.leaving)
    if rest is None or conv.signs_off(text):
        return None
    conv.rest = rest
    return _not_done(conv) if asked is None else _dropped(conv)


def _dropped(conv: Conversation) -> list[Line]:
    """The request being filled in, dropped ("never mind", or a no to a value it needs)."""
    assert conv.flow is not None
    request, conv.flow = title(conv, conv.flow), None
    return [Line("muted", conv.say("request.dropped", request=request))]


def aside(conv: Conversation, text: str, reply: Reply | None = None) -> list[Line] | None:
    """A question or another request typed at a prompt: answered, then back to the prompt.
    REPLY is the router's reading of TEXT, when it was read already.

    None when TEXT is neither (it is then a wrong value). Another change (a different request
    that writes) drops the pending one, and says so.
    """
    flow = conv.flow
    assert flow is not None
    if (about := cases.asked_about(conv, text)) is not None:
        return about + back(conv)       # "经理回复了吗" at a send's go-ahead: the ticket's state, as at the main prompt
    if asks_something(conv, text):      # a question has its language, as one typed with nothing pending ("签名审核要多久")
        said_in = language.follow(conv.lang_setting, text, conv.lang)
        if said_in != conv.lang:
            conv.lang, reply = said_in, None
    reply = reply or _read_at_variable(conv, text)
    if reply.type == "answer":
        lines = conv.answer_lines(reply, offer=False)
    elif reply.type == "action" and reply.action == flow.action:
        if not reply.args:
            return None                         # "AcmeShop" read as the request itself: a (wrong) value
        conv.flow = None                        # the same request, now with its values: start over with them
        changed = [_changed_to(conv, reply.action, name, value) for name, value in reply.args.items()
                   if flow.args.get(name) != value]
        said = [Line("muted", conv.say("request.updated", request=title(conv, flow), changed=", ".join(changed)))] \
            if changed and flow.args else []
        return said + start(conv, reply.action, {**flow.args, **reply.args}, text, flow.confirmed)
    elif reply.type == "action" and conv.kb.actions[reply.action].changes_state:
        conv.flow = None
        return [Line("muted", conv.say("request.dropped_for", request=title(conv, flow)))] + conv.reply(reply)
    elif reply.type == "action":
        name, args = _referent(conv, reply.action, dict(reply.args or {}), text)
        needed = [s for s in conv.kb.actions[name].slots if s.required and s.name not in args]
        if several := _the_errors(conv, name, args, text):
            lines = outcomes.explain_errors(conv, several)
        elif needed:
            lines = [Line("info", conv.say("request.later"))]
        else:
            try:
                lines = conv.run(name, args)
            except UserError as exc:
                lines = [Line("error", conv.told(exc))]
    elif asks_something(conv, text):
        lines = [Line("info", conv.say("request.unclear"))]
    else:
        return None
    return lines + back(conv)


def _read_at_variable(conv: Conversation, text: str) -> Reply:
    """The router's reading of TEXT, typed at a prompt; at a template variable's ("Value for ${name}"), a question
    naming that variable ("name 填什么都可以吗？", "名字能写什么", actions.yaml slot type `variable`) is read with it
    said as a variable (messages.yaml `label.variable`: "变量填什么都可以吗？"), whatever else its name means (a
    signature's name): a question about what the variable takes, which the template variables' entry answers."""
    flow = conv.flow
    slot = flow.slots[0] if flow is not None and not flow.confirming and flow.slots else None
    read = text
    if slot is not None and slot.type == "param" and asks_something(conv, text):
        variable = slot.name.partition(":")[2]
        names = sorted({variable, *values.variable_labels(conv.kb).get(variable, ())}, key=len, reverse=True)
        named = re.compile(r"(?<![A-Za-z0-9_])\$?\{?(?:" + "|".join(map(re.escape, names)) + r")\}?(?![A-Za-z0-9_])",
                           re.IGNORECASE)
        read = named.sub(" " + say(conv.kb, "label.variable", language.detect(text)) + " ", text).strip()
    return outcomes.of_the_request(conv, read, conv.router.route(read, conv.lang))._replace(question=text)


def unknown(conv: Conversation, text: str) -> list[Line]:
    """A line at a go-ahead that is neither an answer nor anything the assistant understands:
    said so, and the go-ahead comes back. It is no unanswered question ("张三" typed at "确定执行吗？"):
    a person asked for later never files it as the case."""
    return [Line("warn", conv.say("fallback.manager" if conv.role == "manager" else "fallback"))] + back(conv)


def back(conv: Conversation) -> list[Line]:
    """The line that brings the person back to the pending prompt. A value's prompt is not said in it: the
    shell asks it (the REPL's prompt, `Conversation.asked`), so it is shown once; a go-ahead, a yes/no
    question, follows as its own line, as wherever it is asked."""
    if conv.flow is None:
        return []
    said = [Line("muted", conv.say("request.back", request=title(conv, conv.flow)))]
    return said + [Line("choice", go_ahead(conv))] if conv.flow.confirming else said


# --- values ------------------------------------------------------------------------------------

# the slot types whose values name a signature: a new one's name, or the one a new template uses
SIGNATURE_TYPES = frozenset({"signature_name", "signature_ref"})


def _short(prompt: str) -> str:
    """A prompt without its parenthesised hint: "Template name (at most 20 characters)" -> "Template name"."""
    return prompt.split(" (")[0].split("（")[0]


def _changed_to(conv: Conversation, action: str, name: str, value: Any) -> str:
    """Value NAME of request ACTION changed to VALUE, for "Updated the … request: …": its prompt's words (a
    template variable's "${name}") and, when it is one word or name, what it is now ("template name now
    "Weekend party"", "模板名称改为“周末狂欢”"); a list (numbers, files) by its words alone, since the preview or
    the prompt that follows shows it."""
    if name.startswith("param:"):
        label = "${" + name.split(":", 1)[1] + "}"
    else:
        slot = next((s for s in conv.kb.actions[action].slots if s.name == name), None)
        label = _short(prompt(conv, action, slot)).lower() if slot is not None else name
    if not isinstance(value, str) or not value:
        return label
    if name == "industry":
        value = previews.label(conv, "industry", value)
    return conv.say("request.changed_to", label=label, value=shorten(value, 40))


def _default(conv: Conversation, slot: Slot) -> str | None:
    """What Enter means at SLOT's prompt: the template talked about, else for a send the account's
    only approved template (the one a send naming numbers but no template takes); for a new
    template, the signature talked about, or the account's one signature that is ready."""
    if slot.type == "template_code":
        if conv.last.get("template") or conv.flow is None or conv.flow.action != "send":
            return conv.last.get("template")
        only = values.only_ready_template(conv.ctx)
        return only["code"] if only is not None else None
    if slot.type in SIGNATURE_TYPES and conv.flow is not None and conv.flow.action == "template.create":
        ready = [s["name"] for s in signatures.status(conv.ctx) if s["ready_for"]]
        if conv.last.get("signature") in ready:
            return conv.last["signature"]
        return ready[0] if len(ready) == 1 else None
    return None


def choices(conv: Conversation, slot: Slot) -> list[str]:
    """Completions for a slot, from the account's own data and the rules."""
    store, account = conv.ctx.store, conv.ctx.account
    if slot.type == "template_code":      # one choice a template, naming it as the conversation does
        return list(template_choices(conv))
    if slot.type in SIGNATURE_TYPES and conv.flow is not None and conv.flow.action == "template.create":
        # a new template takes only a signature it can use: never a rejected or pending one
        return sorted(s["name"] for s in signatures.status(conv.ctx) if s["ready_for"])
    if slot.type in SIGNATURE_TYPES and (conv.flow is None or conv.flow.action != "signature.submit"):
        return [r["name"] for r in store.rows("SELECT name FROM signatures WHERE account = ? ORDER BY name", (account,))]
    if slot.type == "source":
        return list(SOURCES)
    if slot.name == "industry":
        return list(conv.ctx.rules.template_industries)
    if slot.type == "error_code":
        return list(conv.kb.error_codes)
    return []


def template_choices(conv: Conversation, lang: str | None = None) -> dict[str, str]:
    """The account's templates as choices in LANG (the conversation's by default): each one's label, its
    name and code as the conversation says a template (`template.named`: "Sale (DIGITAL_SMS_0001)"), and
    its code."""
    rows = conv.ctx.store.rows("SELECT code, name FROM templates WHERE account = ? ORDER BY code", (conv.ctx.account,))
    return {say(conv.kb, "template.named", lang or conv.lang, name=r["name"], code=r["code"]): r["code"] for r in rows}


def _template_chosen(conv: Conversation, text: str) -> str | None:
    """The code of the template whose choice TEXT is, as offered in any language ("Sale（DIGITAL_SMS_0001）"
    from a Chinese page's button, said after an English line), else None."""
    said = clean(text)
    for lang in conv.kb.messages["template.named"]:
        if (code := template_choices(conv, lang).get(said)) is not None:
            return code
    return None


def check(conv: Conversation, action: str, slot: Slot, value: Any) -> Any:
    """VALUE for SLOT, checked and normalised; a UserError says what is wrong with it."""
    ctx = conv.ctx
    if isinstance(value, str):
        value = clean(value)
    if not value:
        default = _default(conv, slot)
        if default:
            return default
        if not slot.required:
            return None
        raise UserError(conv.say("value.needed", prompt=prompt(conv, action, slot)))
    if slot.type in SIGNATURE_TYPES:
        return _checked_signature(conv, action, value)
    if slot.type == "source":
        choices = conv.kb.slot_types["source"].choices
        chosen = pick(value, choices) or pick(values.spoken(conv.kb, value), choices) \
            or values.source_named(conv.kb, value)   # "商标撒": a closing particle; "it's our app": a sentence
        if chosen is None:
            raise UserError(conv.say("value.not_a_source", value=value))
        return chosen
    if slot.type == "template_code":
        if _a_phone_number(value):      # "13800138000" at "Template code": the numbers come next, not now
            raise UserError(_phone_at_code(conv, value))
        try:
            return templates.find(ctx, value)["code"]
        except NotFound:
            raise _not_in_account(conv, "template", "code", value) from None
    if slot.type == "day":   # as the words were said ("No sends made last monday."), once known to name a day
        if read_day(value, ctx.clock.today(), ctx.rules.day_words) is None:
            raise UserError(conv.say("value.not_a_day", value=value))
        return value
    if slot.type == "phone":
        return _checked_phones(conv, value)
    if slot.type == "param" and slot.name.startswith("param:"):
        variable = slot.name.split(":", 1)[1]
        # "name是张三", "name: Tom" at the ${name} prompt: the value it names (it was sent as typed)
        return values.said_params(conv.kb, str(value), [variable]).get(variable, value)
    if slot.name == "industry":
        return _checked_industry(conv, value)
    if slot.name in FILES:
        return _checked_file(conv, slot.name, value)
    if action == "template.create":
        _check_template_words(conv, slot.name, value)
    return value


def _checked_signature(conv: Conversation, action: str, value: Any) -> str:
    """A signature's name: a new one's (`signature.submit`: refused at once when it exists), else one of the account's."""
    if action == "signature.submit":
        name = signatures.check_name(conv.ctx, value)
        if signatures.exists(conv.ctx, name):   # said as soon as the name is known, never after a source and a go-ahead
            raise UserError(conv.say("signature.already_submitted", code=signatures.NOT_MODIFY, name=name),
                            code=signatures.NOT_MODIFY)
        return name
    try:
        return signatures.status(conv.ctx, value)[0]["name"]
    except NotFound:
        raise _not_in_account(conv, "signature", "name", value) from None


def _checked_phones(conv: Conversation, value: Any) -> list[str]:
    """The numbers a send goes to, each as written; refused only when none of them can be sent to."""
    # "13800138000 13312345678，第二个换成18612345678" typed at the prompt: the one taken back is not sent to
    given = value if isinstance(value, list) else values.withdrawn(conv.kb, value, phones_in(conv, value))
    numbers = [lookup(p, conv.ctx.rules) for p in given]
    if not numbers or all(n.problem for n in numbers):   # each named, with what is wrong with it
        raise UserError(joined(conv.kb, [notes.named_problem(conv, n.raw) for n in numbers], conv.lang, "result.separator")
                        if numbers else conv.say("value.no_number"))
    # Numbers the service would refuse stay in: the preview names each with its error code,
    # as the send itself would, instead of dropping them unseen; each as written, so that a
    # number written twice is named as the person wrote it.
    return [str(raw).strip() for raw in given]


def _checked_industry(conv: Conversation, value: Any) -> str:
    """A template's industry, as the rules name it (or as the knowledge base's other words for it say)."""
    others = conv.kb.slot_types["industry"].choices if "industry" in conv.kb.slot_types else {}
    plain = values.spoken(conv.kb, value)   # "餐饮嘛": the closing particle is no part of the industry
    rules = conv.ctx.rules
    chosen = next(filter(None, (pick(v, rules.template_industries) or pick(v, others) for v in (value, plain))), None)
    if chosen is None:
        raise UserError(conv.say("value.not_an_industry", value=value, industries=industries(conv)))
    return chosen


def _checked_file(conv: Conversation, name: str, value: Any) -> Any:
    """A file slot's value: a path on this machine, or (the service) never a path: the file source decides."""
    if conv.files.kind == "local" and isinstance(value, str):
        _no_such_file(conv, name, value)
    try:
        return conv.files.typed(conv.ctx, name, value)
    except UserError as exc:
        raise _file_refused(conv, exc) from None


def _check_template_words(conv: Conversation, name: str, value: Any) -> None:
    """A new template's name (not too long) and text (words the specification takes, never a file's name)."""
    if name == "name" and len(value) > conv.ctx.rules.template["max_name_length"]:
        raise UserError(conv.say("value.name_too_long", count=conv.ctx.rules.template["max_name_length"]))
    if name == "text":
        if _a_file_given(value):   # "banner.png" typed at the text prompt: a file, not the message's words
            raise UserError(conv.say("value.text_is_a_file", name=value))
        templates.check_text(conv.ctx, value)


def _not_in_account(conv: Conversation, kind: str, column: str, value: str) -> NotFound:
    """VALUE typed at a prompt for a KIND ("signature", "template") the account has none of by that name:
    said in the conversation's language, with the account's own (by COLUMN) or how to make one."""
    known = [r[column] for r in conv.ctx.store.rows(f"SELECT {column} FROM {kind}s WHERE account = ? ORDER BY {column}",
                                                    (conv.ctx.account,))]
    listed = joined(conv.kb, known, conv.lang)
    return NotFound(conv.say(f"value.no_{kind}" if known else f"value.no_{kind}.none", name=value,
                             account=conv.ctx.account, known=listed))


# at most this many of the account's templates are named where a template code is wanted
TEMPLATES_LISTED = 5


def _a_phone_number(value: Any) -> bool:
    """VALUE is written as one or more phone numbers ("13800138000", "+86 138 0013 8000", "010-62345678"):
    digits and their separators only, enough of them to be a number rather than a code's digits."""
    text = str(value)
    return bool(re.fullmatch(r"[\d\s+\-().,，、]+", text)) and sum(ch.isdigit() for ch in text) >= 7


def _phone_at_code(conv: Conversation, value: str) -> str:
    """What to say to a phone number typed where a template code is wanted: that it looks like one,
    what the prompt wants, and the account's templates (named when there are few)."""
    rows = conv.ctx.store.rows("SELECT code, name FROM templates WHERE account = ? ORDER BY code", (conv.ctx.account,))
    if len(rows) > TEMPLATES_LISTED:
        return conv.say("value.phone_at_code.many", value=value, count=len(rows))
    if rows:
        listed = ", ".join(f"{r['code']} ({r['name']})" for r in rows)
        return conv.say("value.phone_at_code.listed", value=value, templates=listed)
    return conv.say("value.phone_at_code", value=value)


def phones_in(conv: Conversation, text: str) -> list[str]:
    """The numbers in TEXT, each however it is grouped ("138 0013 8000, +86-186-1234-5678");
    anything left over with a digit in it is returned too, so that it is reported rather than
    dropped (a word around the numbers, "好的，不过把13800138001换成…", is no number), and so is a
    word written as an item of the list ("13800138000, abc, 10086")."""
    reading = phone_reading(conv.kb, text, whole=True)
    if not any(ch.isdigit() for ch in text):   # words, not numbers: nothing to send to (and nothing reported)
        return []
    listed = phone_reading(conv.kb, text).unread   # read as a sentence: the words that stand in the list
    # a number written twice stays: the send says it is sent once
    return reading.written + [part for part in reading.unread if any(ch.isdigit() for ch in part) or part in listed]
