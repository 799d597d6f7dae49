"""Sends: a template to numbers given in the form and in an uploaded recipients file."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile

from ...errors import UserError
from ...files import decode_text
from ...ops import LocalOps
from ...recipients import MAX_FILE_BYTES
from ...sanitize import one_line
from ..deps import operations
from ..strict import StrictRoute

router = APIRouter(tags=["sends"], route_class=StrictRoute)


def _params(pairs: list[str]) -> dict[str, str]:
    """The `param` fields NAME=VALUE; one without its "=", or a name given twice, is refused (never a value dropped)."""
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        name = key.strip()
        if not sep or not name:
            raise UserError(f"param {pair!r} is not NAME=VALUE; write it as "
                            + (f"{name}=VALUE" if name and not sep else "NAME=VALUE, the variable's name first"))
        if name in params and params[name] != value:
            raise UserError(f"param '{name}' is given twice ({params[name]!r}, then {value!r}); give each variable "
                            "one `param` field")
        params[name] = value
    return params


def _phones(phones: list[str]) -> list[str]:
    """The `phone` fields; a blank one is refused, never dropped unsaid."""
    blank = [n for n, phone in enumerate(phones, 1) if not phone.strip()]
    if blank:
        which = ", ".join(f"#{n}" for n in blank[:5]) + (f" and {len(blank) - 5:,} more" if len(blank) > 5 else "")
        raise UserError(f"{len(blank):,} `phone` field{'s are' if len(blank) > 1 else ' is'} blank ({which} of "
                        f"{len(phones):,}); give a number in each, or leave the field out")
    return phones


@router.post("/sends", summary="Send a template (multipart: code, phone..., param NAME=VALUE..., file)")
def send(code: str = Form(max_length=200), phone: list[str] = Form(default=[]), param: list[str] = Form(default=[]),
         file: UploadFile | None = File(default=None), ops: LocalOps = Depends(operations("send"))) -> dict:
    text, source = None, None
    if file is not None:
        source = one_line(file.filename) if file.filename else None     # None: "the recipients file"
        text = _text(file.file.read(MAX_FILE_BYTES + 1), source)
    return ops.send(code, _phones(phone), _params(param), text, source=source)


def _text(data: bytes, source: str | None) -> str:
    """An uploaded recipients file's text, held to the embedded CLI's limits; SOURCE names it (None: the
    catalogue's "the recipients file", said in every language)."""
    return decode_text(data, source if source is not None else {"say": "recipients.unnamed"}, MAX_FILE_BYTES, "recipients")


@router.get("/sends", summary="The latest sends of the account (`send list`)")
def listing(template: str | None = Query(None, max_length=64, description="only the sends of this template code"),
            day: str | None = Query(None, max_length=32, description="only the sends made that day: 2026-03-02, "
                                    "April 2, today, yesterday, 3 days ago, Monday, last Monday or 上周一 "
                                    "(counted from the service's clock)"),
            phone: str | None = Query(None, max_length=32, description="only the sends that included this "
                                      "mainland mobile number (13598765432, +86 135 9876 5432); each then has "
                                      "`recipient`: the number's own result (phone, status, carrier, error_code, "
                                      "detail)"),
            ops: LocalOps = Depends(operations("send.list"))) -> list[dict]:
    return ops.send_list(template, day, phone)


@router.get("/sends/{request_id}", summary="A past send of the account, with its failures (`send show`); "
            "a running send's progress")
def show(request_id: str,
         offset: int | None = Query(None, ge=0, le=10**9, description="the page of failures starts at this one, "
                                    "counted from 0 (the answer's failures_next)"),
         limit: int = Query(50, ge=1, le=1000, description="failures in the page"),
         failures_from: int = Query(0, ge=0, le=10**9, description="the same as offset (its first name)"),
         ops: LocalOps = Depends(operations("send.show"))) -> dict:
    return ops.send_show(request_id, failures_from if offset is None else offset, limit)
