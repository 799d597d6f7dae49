"""Signatures of the caller's account: submit, resubmit, status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import Field

from ...ops import LocalOps
from ...rules import SOURCES
from ..deps import operations
from ..strict import Body, StrictRoute

router = APIRouter(tags=["signatures"], route_class=StrictRoute)
# any spelling the command line takes ("APP", "Trademark", 商标, 应用): the core reads it, and refuses
# another with the service's code (isv.SIGN_SOURCE_ILLEGAL) and the list of sources
Source = Annotated[str, Field(max_length=40, description="the source: " + ", ".join(SOURCES)
                              + " (any spelling, or a word for one: 企业, 商标, 应用 ...)", examples=list(SOURCES))]


class NewSignature(Body):
    name: str = Field(max_length=200)
    source: Source


class Resubmission(Body):
    source: Source | None = None


@router.get("/signatures", summary="Status of the account's signatures (or of one, by ?name=)")
def status(name: str | None = None, ops: LocalOps = Depends(operations("signature.status"))) -> list[dict]:
    return ops.signature_status(name)


@router.post("/signatures", summary="Submit a signature for carrier real-name registration")
def submit(body: NewSignature, ops: LocalOps = Depends(operations("signature.submit"))) -> dict:
    return ops.signature_submit(body.name, body.source)


@router.post("/signatures/{name}/resubmit", summary="Resubmit a rejected signature: a new review")
def update(name: str, body: Resubmission, ops: LocalOps = Depends(operations("signature.update"))) -> dict:
    return ops.signature_update(name, body.source)
