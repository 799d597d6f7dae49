"""The operations a person can ask for, as one interface with two implementations.

`LocalOps` runs them on the core functions against a database this process opens (the embedded
CLI, and the service's handlers); `assistant.client.RemoteOps` sends them to a service over HTTP.
The CLI calls one or the other and renders what comes back the same way, so text and `--json`
output do not depend on where the work was done. Every method returns plain data (what `--json`
prints); none prints, reads a terminal, or knows its transport.

Who may run what is not decided here (see roles.py). What a *confined* caller (a customer of the
service, proven by a token) sees is: only their own account and its tickets. The embedded mode's
user owns the database file and is not confined.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import NoAccount, NotFound, UserError

if TYPE_CHECKING:  # kept out of the import path: `assistant ask` and `error` start without the store
    from .context import Context
    from .gaps import SharedLog
    from .knowledge import KnowledgeBase
    from .router import Reply, Router


def carry_out(ctx: Callable[[], Context], kb: KnowledgeBase, reply: Reply,
              before_ticket: Callable[[int | None], None] | None = None) -> dict:
    """What `ask` does for REPLY (`_carried_out`), and for each look-up its message asks beside a request
    (`Reply.also`: "模板审过了没得嘛？审过了就帮我发给…" shows the template's status): each one's result in
    "also" (the reply's own list, with what it found), and the text for people said with them."""
    looks = {i: _carried_out(ctx, kb, other) for i, other in enumerate(reply.also)
             if other.type == "action" and not kb.actions[other.action].changes_state}
    if not looks:
        return _carried_out(ctx, kb, reply, before_ticket)
    # a look-up done is said by what it found (its text as the reply's `answer`)
    reply = reply._replace(also=tuple(other._replace(answer=looks[i].get("text")) if i in looks else other
                                      for i, other in enumerate(reply.also)))
    outcome = _carried_out(ctx, kb, reply, before_ticket)
    from .render import reply_text

    also = [{**other.to_json(), **{k: v for k, v in looks.get(i, {}).items() if k != "text"}}
            for i, other in enumerate(reply.also)]
    return {**outcome, "also": also, "text": outcome.get("text") or reply_text(reply, kb)}


def _carried_out(ctx: Callable[[], Context], kb: KnowledgeBase, reply: Reply,
                 before_ticket: Callable[[int | None], None] | None = None) -> dict:
    """What `ask` does for an action it recognised: {"result", "text"}, {"error", "text"} or nothing.

    Read-only actions (statuses, error lookup) are answered from the account. Asking for a person
    opens a ticket, the one change `ask` makes: it touches no signature, template or package.
    Other state-changing actions are only named (the reply says which command does them).
    CTX is called only when the account is needed, so a plain answer opens no database.
    BEFORE_TICKET may refuse the ticket (the service's rate limit) with a UserError: it is given the
    account's open ticket the request goes on (None: it opens one).
    """
    if reply.type != "action":
        return {}
    from .actions import error_codes, signatures, templates
    from .render import error_text, signature_text, template_text

    try:
        if reply.action == "handoff":
            return _ticket_opened(ctx, kb, reply, before_ticket)
        if reply.action == "send":
            return _send_hint(ctx, kb, reply)
        if kb.actions[reply.action].changes_state:
            return {}
        if reply.action == "error.lookup":
            if "code" not in reply.args:
                return {}
            found = error_codes.lookup(kb, reply.args["code"])
            return {"result": found, "text": error_text(found, reply.lang, kb)}
        carriers = kb.rules.carriers if kb.rules else {}
        if reply.action == "signature.status":
            items = signatures.status(ctx(), reply.args.get("name"))
            return {"result": items, "text": "\n\n".join(signature_text(i, carriers, kb, reply.lang) for i in items)
                    or "No signatures yet."}
        if reply.action == "account.status":
            from .actions import accounts
            from .render import account_text

            info = accounts.account_info(ctx())
            return {"result": info, "text": account_text(info, kb, reply.lang)}
        if reply.action == "send.list":
            return _sends_listed(ctx, kb, reply)
        if reply.action == "template.status":
            items = templates.status(ctx(), reply.args.get("code"))
            return {"result": items, "text": "\n\n".join(template_text(i, carriers, kb, reply.lang) for i in items)
                    or "No templates yet."}
    except NoAccount:   # no line's answer: the account acted for is wrong (`ask` stops, the service says 404)
        raise
    except UserError as exc:
        return {"error": str(exc), "text": f"Sorry: {exc}"}
    return {}


def _ticket_opened(ctx: Callable[[], Context], kb: KnowledgeBase, reply: Reply,
                   before_ticket: Callable[[int | None], None] | None) -> dict:
    """A person asked for (`handoff`): the account's open ticket, or a new one, said in the question's language."""
    from .actions import handoff
    from .messages import say

    c = ctx()
    if before_ticket is not None:
        before_ticket(handoff.open_id(c))
    ticket = handoff.create(c, reply.args.get("reason") or reply.question,
                            conversation=[{"role": "user", "text": reply.question, "at": c.now()}],
                            trigger="asked_for_person", reuse=True, lang=reply.lang)
    summary = handoff.summary_in(kb, ticket, reply.lang)    # in the question's language, as the answer
    said = say(kb, "ticket.reused", reply.lang, id=ticket["id"], summary=summary) if ticket["reused"] else \
        say(kb, "ticket.created", reply.lang, id=ticket["id"], summary=summary,
            priority=say(kb, f"ticket.priority.{ticket['priority']}", reply.lang))
    return {"result": {"ticket": ticket["id"], "priority": ticket["priority"], "summary": summary,
                       "reused": ticket["reused"]}, "text": said}


def _sends_listed(ctx: Callable[[], Context], kb: KnowledgeBase, reply: Reply) -> dict:
    """The account's recent sends (`send.list`), or the sends to the one number the question names."""
    from .actions import sending
    from .render import number_sends_text, send_list_text

    args = reply.args or {}
    c = ctx()
    phone = args.get("phone")
    phone = (phone[0] if phone else None) if isinstance(phone, list) else phone   # the first number named
    try:
        sends = sending.recent(c, template=args.get("template"), day=args.get("day"),  # `assistant send list`'s
                               phone=phone)
    except UserError as exc:   # a number no send can reach, said in the question's language
        if phone is None or (text := _unreachable_text(kb, reply.lang, str(phone))) is None:
            raise
        return {"error": str(exc), "text": text}
    if phone is not None:  # "did my message to 13598765432 go through?", in the question's language
        return {"result": sends, "text": number_sends_text(sends, phone, kb, reply.lang, c.account,
                                                           args.get("template"),
                                                           sending.day_named(c, args.get("day")))}
    return {"result": sends, "text": send_list_text(sends, args.get("template"), args.get("day"),
                                                     kb=kb, lang=reply.lang)}


def _unreachable_text(kb: KnowledgeBase, lang: str, phone: str) -> str | None:
    """Why no send can have reached PHONE (a landline, an unsupported segment), in LANG from the
    catalogue (`Number.said`); None for a number the catalogue finds nothing wrong with."""
    from .messages import said, say
    from .numbers import lookup

    problem = lookup(phone, kb.rules).said(kb.rules) if kb.rules is not None else None
    if problem is None:
        return None
    return say(kb, "sends.number.unreachable", lang, why=said(kb, problem, lang).rstrip("。."))


def _send_hint(ctx: Callable[[], Context], kb: KnowledgeBase, reply: Reply) -> dict:
    """A send request's command line with `--param NAME=VALUE` for each variable of its template.
    A template named by its name ("send Spring sale to ... with name Tom") is looked up, and its
    code and the values the words give its variables are the request's `args`; {} when the
    request names no template of the account."""
    from .actions import templates
    from .messages import say
    from .render import command_for, reply_text

    by_name = not reply.args.get("code")
    if by_name:
        from .chat.values import template_in

        code, several = template_in(ctx(), reply.question)
        if code is None and len(several) > 1:    # two templates named, neither pointed at: which, never a guess
            from .messages import said

            c = ctx()
            names = {r["code"]: r["name"] for r in c.store.rows("SELECT code, name FROM templates WHERE account = ?",
                                                                (c.account,))}
            listed = said(kb, [f"{names.get(n, n)} ({n})" for n in several], reply.lang)
            notes = (*reply.notes, say(kb, "send.which_template", reply.lang, templates=listed))
            return {"text": reply_text(reply._replace(notes=notes), kb), "notes": list(notes)}
        if code is None:
            return {}
        reply = reply._replace(args={**reply.args, "code": code})
    try:
        variables = templates.status(ctx(), reply.args["code"])[0]["variables"]
    except UserError:
        return {}
    from .chat.values import said_params

    given = list(reply.args.get("params") or [])
    named = {p.split("=", 1)[0] for p in given}
    # the values the words give the template's variables ("with name Tom", 名字填张三), as the conversation reads them
    worded = [f"{k}={v}" for k, v in said_params(kb, reply.question, variables).items() if k not in named]
    if worded:
        given += worded
        reply = reply._replace(args={**reply.args, "params": given})
    named = {p.split("=", 1)[0] for p in given}
    args = {**reply.args, "params": given + [f"{v}=VALUE" for v in variables if v not in named]}
    lines = reply_text(reply, kb).splitlines()
    hint = {"text": "\n".join(lines[:-1] + [say(kb, "run.ask", reply.lang, command=command_for(kb.actions["send"], args))])}
    return {**hint, "args": reply.args} if by_name or worded else hint


def ask_object(reply: Reply, outcome: dict) -> dict:
    """The `ask --json` object: the reply and what was carried out, without the text for people."""
    return {**reply.to_json(), **{k: v for k, v in outcome.items() if k != "text"}}


class LocalOps:
    """The operations on this process's own database. CTX and ROUTER are built on first use."""

    remote = False

    def __init__(self, ctx: Callable[[], Context], router: Callable[[], Router], role: str = "customer",
                 user: str | None = None, confined: bool = False):
        self._ctx, self._router = ctx, router
        self.role, self.user, self.confined = role, user, confined
        # the service's limit on requests for a person, given the open ticket one goes on (None: a new one)
        self.before_ticket: Callable[[int | None], None] | None = None
        self.send_share = 1.0  # the share of the process's time a large send may take (the service: less)
        self.others_waiting: Callable[[], bool] | None = None  # whether other work wants the process now
        self.gap_log: SharedLog | None = None  # the service's: gap rows of concurrent requests written together
        self.gap_source: str | None = None  # who asks, for the gap log (the service: the token); else one of its own

    @property
    def ctx(self) -> Context:
        return self._ctx()

    @property
    def kb(self) -> KnowledgeBase:
        return self._router().kb

    def _staff_as(self, by: str | None) -> str | None:
        """The name staff act under: BY (the CLI's --by), else the user this runs as (--user, $USER,
        or the service token's); "ROLE:NAME" is set on the context as the audit name. One name
        whether a manager claims, replies or resolves first."""
        by = by or self.user
        if by and not self.ctx.actor.endswith(f":{by}"):  # the service's staff already act under their own name
            self.ctx.actor = f"{self.ctx.role}:{by}"
        return by

    # --- questions ---------------------------------------------------------------------------

    def ask(self, question: str, text: bool = False, lang: str | None = None) -> dict:
        """One `ask --json` object for QUESTION (with the people's text under "text" when TEXT),
        answered in LANG (auto, en, zh; None: auto)."""
        from .gaps import new_source, record
        from .render import reply_text

        ctx = self.ctx
        ctx.account_row()   # a staff token naming an account that does not exist: a 404, as every endpoint's
        router = self._router()
        reply = router.route(question, lang)
        low = router.kb.thresholds.low_confidence
        source = self.gap_source = self.gap_source or new_source("ask")
        try:
            if self.gap_log is not None:
                self.gap_log.record(ctx.account, ctx.now(), reply, low, source)
            else:
                record(ctx.store, ctx.account, ctx.now(), reply, low, source=source)
        except UserError as exc:  # the gap log is best effort, as in the CLI: the answer is still given
            import logging  # only when a gap cannot be logged: `ask` starts without it

            logging.getLogger("assistant.gaps").warning("knowledge gap not logged: %s", exc)
        outcome = carry_out(lambda: ctx, router.kb, reply, self.before_ticket)
        obj = ask_object(reply, outcome)
        if text:
            obj["text"] = outcome.get("text") or reply_text(reply, router.kb)
        return obj

    # --- the knowledge base's learned phrasings ------------------------------------------------

    after_learning: Callable[[], None] | None = None  # set by a shell whose router must see a lesson at once

    def learn(self, question: str, entry: str) -> dict:
        """Teach ENTRY (an FAQ entry id or an action) the phrasing QUESTION, in this database; used from the next question on."""
        from .overlay import learn
        from .roles import require

        require(self.role, "kb.learn")
        result = learn(self.ctx.store, self.kb, question, entry, self.ctx.now(), self.user)
        self._learned()
        return result

    def learn_proposals(self, min_count: int = 1) -> list[dict]:
        """Learn every phrasing "did you mean" picks proposed at least MIN_COUNT times (see `gaps`)."""
        from .gaps import proposals, report
        from .overlay import learn_proposals
        from .roles import require

        require(self.role, "kb.learn")
        store = self.ctx.store
        done = learn_proposals(store, self.kb, proposals(report(store), min_count), self.ctx.now(), self.user)
        if done:
            self._learned()
        return done

    def _learned(self) -> None:
        if self.after_learning is not None:
            self.after_learning()

    def error(self, query: str) -> dict:
        from .actions.error_codes import lookup

        return lookup(self.kb, query)

    # --- the account model ---------------------------------------------------------------------

    def enable(self) -> dict:
        from .actions.accounts import enable

        return enable(self.ctx)

    def signature_submit(self, name: str, source: str) -> dict:
        from .actions import signatures

        return signatures.submit(self.ctx, name, source)

    def signature_update(self, name: str, source: str | None = None) -> dict:
        from .actions import signatures

        return signatures.update(self.ctx, name, source)

    def signature_status(self, name: str | None = None) -> list[dict]:
        from .actions import signatures

        return signatures.status(self.ctx, name)

    def template_create(self, name: str, signature: str, industry: str, text: str, media: list[str],
                        letter: str | None = None) -> dict:
        """Create a template from media files at paths this process chose (the service's own copies)."""
        from .actions import templates

        return templates.create(self.ctx, name, signature, industry, text, media, letter)

    def template_status(self, code: str | None = None) -> list[dict]:
        from .actions import templates

        return templates.status(self.ctx, code)

    def send(self, code: str, phones: list[str], params: dict[str, str], file_text: str | None = None,
             progress: Callable[[int, int], None] | None = None, source: str | None = None) -> dict:
        """Send CODE to PHONES and to the recipients of a file's text (numbers, or CSV with a phone column).

        The file's text goes through recipients.parse_file, the embedded CLI's own reader; SOURCE
        names the file in its error messages. The answer of a send from a file says the rows skipped
        as blank or comments (`skipped`: how many, and the sentence that says so).
        """
        from .actions.sending import payable, send
        from .messages import said
        from .numbers import listed
        from .pacing import Pacer
        from .recipients import parse_file, with_given

        recipients = [(p, dict(params)) for raw in phones for p in listed(raw) if p.strip()]
        skipped = 0
        if file_text is not None:
            payable(self.ctx, code)  # an empty package refuses the file before a line of it is read
            found = parse_file(file_text, params, source)   # no SOURCE: "the recipients file"
            recipients = with_given(recipients, found.recipients)
            skipped = found.skipped
        result = send(self.ctx, code, recipients, progress=progress, from_file=file_text is not None,
                      pace=Pacer(self.send_share, busy=self.others_waiting), common=params)
        if skipped:
            note = said(self.ctx.kb, {"say": "recipients.skipped",
                                      "fields": {"rows": skipped, "s": "" if skipped == 1 else "s"}}, "en")
            result = {**result, "skipped": {"rows": skipped, "note": note}}
        return result

    def send_list(self, template: str | None = None, day: str | None = None, phone: str | None = None) -> list[dict]:
        """The latest sends of the account (`send list`), of one TEMPLATE or made on one DAY if given;
        with PHONE, those that included that number, each with the number's result as `recipient`."""
        from .actions.sending import recent

        return recent(self.ctx, template=template, day=day, phone=phone)

    def send_show(self, request_id: str, failures_from: int = 0, limit: int = 50) -> dict:
        """One past send with its failures (LIMIT from FAILURES_FROM) and what its messages carried (`send show`)."""
        from .actions.sending import request

        return request(self.ctx, request_id, failures_from, limit)

    # --- administration ------------------------------------------------------------------------

    def account_create(self, name: str, industry: str, names: dict[str, list[str]], digital: int | None,
                       sms: int | None) -> dict:
        from .actions.accounts import create_account

        return create_account(self.ctx, name, industry, names, digital, sms)

    def account_update(self, name: str, industry: str | None, names: dict[str, list[str]]) -> dict:
        from .actions.accounts import update_account

        return update_account(self.ctx, name, industry, names)

    def account_show(self, name: str | None = None) -> dict:
        from .actions.accounts import account_info

        if self.confined and name and name != self.ctx.account:
            raise NotFound(f"no account '{name}'; a customer sees only their own (drop the name)")
        return account_info(self.ctx, name)

    def account_list(self) -> list[dict]:
        from .actions.accounts import list_accounts

        return list_accounts(self.ctx)

    def topup(self, name: str, digital: int | None, sms: int | None) -> dict:
        from .actions.accounts import topup

        return topup(self.ctx, name, digital, sms)

    def review(self, code: str, carrier: str, approve: bool, reason: str | None) -> dict:
        from .actions.templates import record_review

        return record_review(self.ctx, code, carrier, approve, reason)

    def token_create(self, account: str | None, user: str | None, role: str | None) -> dict:
        from . import tokens

        return tokens.create(self.ctx, account, user, role)

    def token_list(self) -> list[dict]:
        from . import tokens

        return tokens.listing(self.ctx)

    def token_revoke(self, token: str) -> dict:
        from . import tokens

        return tokens.revoke(self.ctx, token)

    # --- handoff -------------------------------------------------------------------------------

    def handoff_create(self, reason: str | None = None, template: str | None = None, signature: str | None = None,
                       request_id: str | None = None, send_date: str | None = None) -> dict:
        from .actions import handoff

        # as a request for a person in words (`ask`, the conversation): on the account's open ticket if it has one
        if self.before_ticket is not None:
            self.before_ticket(handoff.open_id(self.ctx))
        return handoff.create(self.ctx, reason, template, signature, request_id, send_date, reuse=True)

    def handoff_list(self, status: str | None = None, account: str | None = None) -> list[dict]:
        from .actions import handoff

        return handoff.queue(self.ctx, status, account)

    def handoff_show(self, ticket: str) -> dict:
        """The whole case; the role decides the reach (a customer's and an agent's is their account)."""
        from .actions import handoff

        return handoff.get(self.ctx, ticket)

    def handoff_export(self, ticket: str, fmt: str) -> str:
        from .actions import handoff

        return handoff.export(self.handoff_show(ticket), fmt)

    def handoff_claim(self, ticket: str, by: str | None = None) -> dict:
        """BY (else the user this runs as: --user, $USER, or the service token's) claims TICKET."""
        from .actions import handoff

        return handoff.claim(self.ctx, ticket, self._staff_as(by) or "")

    def handoff_reply(self, ticket: str, text: str, by: str | None = None) -> dict:
        from .actions import handoff

        return handoff.reply(self.ctx, ticket, text, self._staff_as(by))

    def handoff_answer(self, ticket: str, text: str) -> dict:
        from .actions import handoff

        return handoff.answer(self.ctx, ticket, text)

    def handoff_resolve(self, ticket: str, note: str, by: str | None = None) -> dict:
        from .actions import handoff

        return handoff.resolve(self.ctx, ticket, note, self._staff_as(by))

    def handoff_note(self, ticket: str, text: str, by: str | None = None) -> dict:
        from .actions import handoff

        return handoff.note(self.ctx, ticket, text, self._staff_as(by))

    def handoff_assign(self, ticket: str, to: str) -> dict:
        from .actions import handoff

        return handoff.assign(self.ctx, ticket, to, self._staff_as(None))

    def handoff_reopen(self, ticket: str, by: str | None = None) -> dict:
        from .actions import handoff

        return handoff.reopen(self.ctx, ticket, self._staff_as(by))

    def inbox(self) -> list[dict]:
        from .actions import handoff

        return handoff.inbox(self.ctx)

    def news(self, after: int) -> list[dict]:
        """The managers' replies newer than message id AFTER, seen or not (each web chat page's own poll)."""
        from .actions import handoff

        return handoff.news(self.ctx, after)

    def latest(self) -> int:
        """The newest message id from the support side: where a chat page starts reading `news`."""
        from .actions import handoff

        return handoff.latest(self.ctx)

    def replies(self, since: str) -> list[dict]:
        """The managers' replies already shown, from SINCE on (the web chat's transcript)."""
        from .actions import handoff

        return handoff.replies(self.ctx, since)

    def report(self, days: int = 30) -> dict:
        """The support figures of the last DAYS days (`assistant kb report`, the desk's reports page)."""
        from .reports import figures
        from .roles import require

        require(self.role, "kb.report")
        return figures(self.ctx.store, self.ctx.clock, days)

    def gaps(self, since: str | None = None) -> list[dict]:
        from .clock import parse_time
        from .gaps import report

        return report(self.ctx.store, parse_time(since) if since else None)


def carriers_of(kb: KnowledgeBase | None) -> dict[str, Any]:
    """Carrier ids to names, for rendering (empty without an account model)."""
    return kb.rules.carriers if kb is not None and kb.rules is not None else {}
