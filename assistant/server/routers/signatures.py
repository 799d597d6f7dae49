"""Signatures of the caller's account: submit, resubmit, status."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import Field

from ...ops import LocalOps
from ...rules import SOURCES
from ..deps import operations
from ..strict import Body, StrictRoute

router = APIRouter(tags=["signatures"], route_class=StrictRoute)
Source = Literal[SOURCES]  # type: ignore[valid-type]


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
