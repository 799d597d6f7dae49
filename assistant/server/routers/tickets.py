"""Handoff tickets: a customer opens and answers their own; managers work the queue. Also the
customer's inbox of replies and the knowledge gaps managers review."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from ...ops import LocalOps
from ..deps import as_staff, operations
from ..strict import Body, StrictRoute

router = APIRouter(tags=["tickets"], route_class=StrictRoute)
Status = Literal["open", "claimed", "waiting", "resolved"]


# The texts carry no length here: the core checks them against rules.yaml (handoff.max_text_chars)
# and refuses in its own words, exactly as for the CLI; the service's body limit bounds the request.
class NewTicket(Body):
    reason: str | None = None
    template: str | None = Field(None, max_length=200)
    signature: str | None = Field(None, max_length=200)
    request_id: str | None = Field(None, max_length=200)
    send_date: str | None = Field(None, max_length=40)


class Claim(Body):
    by: str | None = Field(None, max_length=200, description="must be the token's own name when given")


class Reply(Body):
    text: str
    by: str | None = Field(None, max_length=200)


class Answer(Body):
    text: str


class Resolution(Body):
    note: str
    by: str | None = Field(None, max_length=200)


@router.post("/tickets", summary="Open a ticket; the objects named are looked up and attached")
def create(body: NewTicket, ops: LocalOps = Depends(operations("handoff.create"))) -> dict:
    # the limit on requests for a person is taken once the ticket it goes on is known (`ops.before_ticket`)
    return ops.handoff_create(body.reason, body.template, body.signature, body.request_id, body.send_date)


@router.get("/tickets", summary="The managers' queue: urgent first, then oldest")
def queue(status: Status | None = None, account: str | None = None,
          ops: LocalOps = Depends(operations("handoff.list"))) -> list[dict]:
    return ops.handoff_list(status, account)


@router.get("/tickets/{ticket}", summary="The whole case (a customer sees only their own)")
def show(ticket: str, ops: LocalOps = Depends(operations("handoff.show"))) -> dict:
    return ops.handoff_show(ticket)


@router.get("/tickets/{ticket}/export", summary="The case as Markdown or JSON text")
def export(ticket: str, format: Literal["md", "json"] = "md",
           ops: LocalOps = Depends(operations("handoff.export"))) -> dict:
    return {"format": format, "text": ops.handoff_export(ticket, format)}


@router.post("/tickets/{ticket}/claim", summary="Take a ticket")
def claim(ticket: str, body: Claim | None = None, ops: LocalOps = Depends(operations("handoff.claim"))) -> dict:
    # no body at all is the token's own person, as an empty JSON object is (like /account/enable)
    return ops.handoff_claim(ticket, as_staff(ops, body.by if body else None))


@router.post("/tickets/{ticket}/reply", summary="Answer the customer")
def reply(ticket: str, body: Reply, ops: LocalOps = Depends(operations("handoff.reply"))) -> dict:
    return ops.handoff_reply(ticket, body.text, as_staff(ops, body.by))


@router.post("/tickets/{ticket}/answer", summary="The customer answers the manager")
def answer(ticket: str, body: Answer, ops: LocalOps = Depends(operations("handoff.answer"))) -> dict:
    return ops.handoff_answer(ticket, body.text)


@router.post("/tickets/{ticket}/resolve", summary="Close a ticket with a note")
def resolve(ticket: str, body: Resolution, ops: LocalOps = Depends(operations("handoff.resolve"))) -> dict:
    return ops.handoff_resolve(ticket, body.note, as_staff(ops, body.by))


class Note(Body):
    text: str
    by: str | None = Field(None, max_length=200)


class Assignment(Body):
    to: str = Field(max_length=200, description="the colleague who takes the ticket")


class Reopening(Body):
    by: str | None = Field(None, max_length=200)


@router.post("/tickets/{ticket}/note", summary="An internal note for colleagues; never shown to the customer")
def note(ticket: str, body: Note, ops: LocalOps = Depends(operations("handoff.note"))) -> dict:
    return ops.handoff_note(ticket, body.text, as_staff(ops, body.by))


@router.post("/tickets/{ticket}/assign", summary="Give a ticket to a colleague")
def assign(ticket: str, body: Assignment, ops: LocalOps = Depends(operations("handoff.assign"))) -> dict:
    return ops.handoff_assign(ticket, body.to)


@router.post("/tickets/{ticket}/reopen", summary="Put a resolved ticket back in the queue")
def reopen(ticket: str, body: Reopening | None = None, ops: LocalOps = Depends(operations("handoff.reopen"))) -> dict:
    return ops.handoff_reopen(ticket, as_staff(ops, body.by if body else None))


@router.get("/inbox", summary="Managers' replies not read yet (reading marks them read)")
def inbox(ops: LocalOps = Depends(operations("inbox"))) -> list[dict]:
    return ops.inbox()


@router.get("/reports", summary="The support figures: resolution rate, top questions and unanswered, feedback, tickets")
def reports(days: int = Query(30, ge=1, le=3660), ops: LocalOps = Depends(operations("kb.report"))) -> dict:
    return ops.report(days)


class Lesson(Body):
    question: str = Field(max_length=500)
    entry: str = Field(max_length=200, description="an FAQ entry id or an action name")


class Proposals(Body):
    min_count: int = Field(1, ge=1, le=1_000_000, strict=True)


@router.post("/gaps/learn", summary="Teach an entry a phrasing (what `kb learn` does); answers use it at once")
def learn(body: Lesson, ops: LocalOps = Depends(operations("kb.learn"))) -> dict:
    return ops.learn(body.question, body.entry)


@router.post("/gaps/learn-proposals", summary="Learn the phrasings proposed by 'did you mean' picks (`kb learn --proposals`)")
def learn_proposals(body: Proposals, ops: LocalOps = Depends(operations("kb.learn"))) -> list[dict]:
    return ops.learn_proposals(body.min_count)


@router.get("/gaps", summary="Questions the assistant could not answer well, grouped")
def gaps(since: str | None = None, ops: LocalOps = Depends(operations("kb.gaps"))) -> list[dict]:
    return ops.gaps(since)
