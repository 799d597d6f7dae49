"""Sends: a template to numbers given in the form and in an uploaded recipients file."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, UploadFile

from ...errors import UserError
from ...ops import LocalOps
from ..deps import operations

router = APIRouter(tags=["sends"])


def _params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"param {pair!r} is not NAME=VALUE")
        params[key.strip()] = value
    return params


@router.post("/sends", summary="Send a template (multipart: code, phone..., param NAME=VALUE..., file)")
def send(code: str = Form(max_length=200), phone: list[str] = Form(default=[]), param: list[str] = Form(default=[]),
         file: UploadFile | None = File(default=None), ops: LocalOps = Depends(operations("send"))) -> dict:
    text = None
    if file is not None:
        try:
            text = file.file.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UserError("the recipients file is not UTF-8 text; save the CSV as UTF-8") from None
    return ops.send(code, phone, _params(param), text)


@router.get("/sends/{request_id}", summary="A past send of the account, with its failures")
def show(request_id: str, ops: LocalOps = Depends(operations("send"))) -> dict:
    return ops.send_show(request_id)
