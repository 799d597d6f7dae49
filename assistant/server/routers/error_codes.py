"""Error codes: the meaning and the fix of a code, or of its description."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ...ops import LocalOps
from ..deps import operations
from ..strict import StrictRoute

router = APIRouter(tags=["error codes"], route_class=StrictRoute)


@router.get("/error-codes/{query}", summary="Explain an error code (or find one from its description)")
def lookup(query: str, ops: LocalOps = Depends(operations("error"))) -> dict:
    return ops.error(query)
