"""Strict reading of requests: text is valid UTF-8 with no lone surrogates, numbers are numbers, and
a body comes in the media type its endpoint takes.

Python's JSON decoder accepts `"\\ud800"` (a lone UTF-16 surrogate no UTF-8 text can hold) and
starlette decodes a multipart field that is not UTF-8 as Latin-1; either reached the core as text
it could not store (a 500) or as mojibake. Here both are refused as a 422, before any handler runs,
for every endpoint: the routers are built with `StrictRoute` and their bodies with `Body`.

A JSON body sent as a form (curl's `-d` default) or a form sent as JSON was read as no fields at
all, and refused for the wrong reason ("code: Field required" of a body that held a code, "request:
Input should be a valid dictionary"): a body of the wrong media type is a 415 naming the one the
endpoint takes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import aclosing
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import Request, Response, params
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict
from python_multipart.multipart import parse_options_header
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser

from ..errors import Unprocessable, UserError
from ..lines import wide


class Body(BaseModel):
    """A JSON body with strict types: `true` or `"10"` is not a count, `1` is not a yes; and only its
    own fields: a misspelt one ("sorce") is refused, not ignored while its default is used."""

    model_config = ConfigDict(strict=True, extra="forbid")


def fields_taken(route: Any) -> list[str]:
    """The body fields ROUTE (an APIRoute) takes, in their order: a JSON body model's, or its form's."""
    params = list(getattr(getattr(route, "dependant", None), "body_params", ()) or ())
    if len(params) == 1:
        model = params[0].field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            return [info.alias or name for name, info in model.model_fields.items()]
    return [param.alias for param in params]


def unknown_fields(unknown: list[str], route: Any, form: bool = False) -> str:
    """The refusal of UNKNOWN body fields, naming those ROUTE takes."""
    listed = ", ".join(repr(name) for name in unknown)
    where = f"unknown form field{'s' if len(unknown) > 1 else ''} {listed}" if form else \
        f"unknown field{'s' if len(unknown) > 1 else ''} {listed} in the body"
    taken = fields_taken(route)
    return f"{where}; this request takes {', '.join(taken)} (see /openapi.json)" if taken else \
        f"{where}; this request takes no body (see /openapi.json)"


def query_taken(dependant: Any) -> list[str]:
    """The query parameters a route's DEPENDANT (FastAPI's) reads, its dependencies' included, in order."""
    names = [param.alias for param in dependant.query_params]
    for sub in dependant.dependencies:
        names += query_taken(sub)
    return list(dict.fromkeys(names))


def unknown_query(unknown: list[str], taken: list[str]) -> str:
    """The refusal of UNKNOWN query parameters, naming those the endpoint takes (TAKEN)."""
    listed = ", ".join(repr(name) for name in unknown)
    where = f"unknown query parameter{'s' if len(unknown) > 1 else ''} {listed}"
    return f"{where}; this request takes {', '.join(taken)} (see /openapi.json)" if taken else \
        f"{where}; this request takes no query parameters (see /openapi.json)"


def lone_surrogate(value: Any) -> bool:
    """Whether VALUE (parsed JSON: a string, or lists and objects of them) holds text UTF-8 cannot encode."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(lone_surrogate(k) or lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(lone_surrogate(v) for v in value)
    return False


class Refusal(HTTPException):
    """The product's own refusal (REFUSAL, a UserError) met while the request's body is read: the
    framework turns any other exception there into "There was an error parsing the body", so it
    travels as an HTTPException and the app's handler says it as it says every UserError."""

    def __init__(self, refusal: UserError):
        super().__init__(400, str(refusal))
        self.refusal = refusal


def _not_text(what: str) -> HTTPException:
    return HTTPException(422, f"{what} is not valid UTF-8 text (a lone surrogate or a byte that is not UTF-8)")


class _StrictParts(MultiPartParser):
    """starlette's multipart parser, refusing a text field that is not UTF-8 instead of reading it as Latin-1."""

    def on_part_end(self) -> None:
        part = self._current_part
        if part.file is None:
            try:
                bytes(part.data).decode(self._charset or "utf-8")
            except (UnicodeDecodeError, LookupError):
                raise _not_text(f"form field '{part.field_name}'") from None
        super().on_part_end()


class StrictRequest(Request):
    """A request whose JSON and multipart text must be valid UTF-8 (see the module's docstring)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            raw = await self.body()
            if codec := wide(raw):   # JSON's own rule (RFC 8259): UTF-8 only; said as what it is
                raise json.JSONDecodeError(f"the body is {codec[:6].upper()}, not UTF-8", "", 0)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise json.JSONDecodeError("the body is not valid UTF-8 text", raw.decode("utf-8", "replace"),
                                           exc.start) from None
            try:
                value = json.loads(text)
                surrogate = lone_surrogate(value)
            except RecursionError:   # Python's parser (and any walk of the value) has a depth limit
                raise json.JSONDecodeError("the body nests arrays or objects too deeply (hundreds of levels); "
                                           "no request of this API nests more than a few", "", 0) from None
            if surrogate:
                raise json.JSONDecodeError("the body holds a lone UTF-16 surrogate (\\ud800-\\udfff), "
                                           "which is not text", text, 0)
            self._json = value
        return self._json

    async def _get_form(self, **limits: Any):  # type: ignore[override]
        kind, _ = parse_options_header(self.headers.get("Content-Type"))
        state = self.app.state if "app" in self.scope else None
        fields = getattr(state, "form_fields", None)
        if fields:      # the app's own (a send's numbers, one field each), not the parser's default 1,000
            limits["max_fields"] = fields
        if self._form is None and kind == b"multipart/form-data":
            try:
                async with aclosing(self.stream()) as stream:
                    self._form = await _StrictParts(self.headers, stream, **limits).parse()
            except MultiPartException as exc:
                refusal = getattr(state, "too_many_fields", None)
                if refusal is not None and exc.message.startswith("Too many fields"):
                    raise Refusal(refusal) from None
                raise HTTPException(400, exc.message) from None
        form = await super()._get_form(**limits)
        route = self.scope.get("route")
        if getattr(route, "known_fields_only", False):   # a misspelt field ("phones") is refused, not ignored
            taken = set(fields_taken(route))
            unknown = list(dict.fromkeys(name for name in form if name not in taken))
            if unknown:
                raise Refusal(Unprocessable(unknown_fields(unknown, route, form=True)))   # said as it is, a 422
        return form


def check_url(scope: dict) -> None:
    """Refuse a path or query string whose %-escapes are not UTF-8 (they would be read as U+FFFD)."""
    raw_path = scope.get("raw_path") or b""
    for what, raw in (("the path", raw_path.split(b"?", 1)[0]), ("the query string", scope.get("query_string") or b"")):
        try:
            unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise _not_text(what) from None


FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")
UTF8_CHARSETS = ("utf-8", "utf8", "us-ascii", "ascii")   # a JSON body's charset, if it names one (ASCII is UTF-8)
# what each kind of endpoint takes, and how to send it: the 415's fix (its hint)
TAKES = {"form": ("a form", "send multipart/form-data (curl -F NAME=VALUE)"),
         "json": ("JSON", "send it with Content-Type: application/json (curl --json '{...}')")}


def check_media(headers: Any, takes: str) -> None:
    """Refuse a body whose Content-Type is not what the endpoint TAKES ("form" or "json") with a 415
    that says what to send; a request without a body is left to say which field it lacks."""
    if headers.get("content-length", "0" if "transfer-encoding" not in headers else None) == "0":
        return
    kind, options = parse_options_header(headers.get("content-type"))
    kind = kind.decode("latin-1").lower()
    if takes == "form":
        fits = kind in FORMS
    else:
        fits = kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))
    if not fits:
        what, how = TAKES[takes]
        sent = f", not {kind}" if kind else " and the body has no Content-Type"
        raise HTTPException(415, f"this endpoint takes {what}{sent}; {how}")
    charset = options.get(b"charset", b"utf-8").decode("latin-1").strip().lower()
    if takes == "json" and charset not in UTF8_CHARSETS:
        raise HTTPException(415, f"this endpoint takes JSON in UTF-8, not charset {charset}; {TAKES['json'][1]}")


class StrictRoute(APIRoute):
    """An APIRoute that reads its request strictly (see `StrictRequest`) and checks its URL and the
    body's media type first. A form field it does not take is refused (KNOWN_FIELDS_ONLY), as a JSON
    body's is (`Body`)."""

    known_fields_only = True

    def get_route_handler(self) -> Callable[[Request], Any]:
        handler = super().get_route_handler()
        takes = None if self.body_field is None else \
            "form" if isinstance(self.body_field.field_info, params.Form) else "json"
        query = query_taken(self.dependant)

        async def strict(request: Request) -> Response:
            check_url(request.scope)
            if self.known_fields_only:   # a misspelt filter ("?stauts=open") is refused, not ignored
                unknown = [name for name in dict.fromkeys(request.query_params) if name not in query]
                if unknown:
                    raise Unprocessable(unknown_query(unknown, query))
            if takes is not None:
                check_media(request.headers, takes)
            return await handler(StrictRequest(request.scope, request.receive))
        return strict


class PageRoute(StrictRoute):
    """A web page's route: read as strictly, but a form may carry fields the page does not use (a
    browser sends what the form holds)."""

    known_fields_only = False
