"""POST /v1/ask: one question, one `ask --json` object."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import Field

from ...ops import LocalOps
from ..deps import operations
from ..strict import Body, StrictRoute

router = APIRouter(tags=["questions"], route_class=StrictRoute)


class Question(Body):
    # no length here: the router refuses a long line in its own words, as `ask` does; the body limit bounds it
    question: str = Field(description="the line, as a person typed it")
    text: bool = Field(False, description="also return the answer as people read it, under 'text'")
    lang: Literal["auto", "en", "zh"] = Field("auto", description="answer in this language; auto: the question's own")


@router.post("/ask", summary="Answer one question (the `ask --json` object)")
def ask(body: Question, ops: LocalOps = Depends(operations("ask", "asks"))) -> dict:
    return ops.ask(body.question, body.text, body.lang)
