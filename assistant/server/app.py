"""The FastAPI application: routers under /v1, one exception handler for errors meant for people,
a bound on every request body, and the health probes. `run` starts uvicorn with one or more workers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import gc
import logging
import os
import sys

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import (
    CLI_AGENT,
    Conflict,
    Forbidden,
    NotFound,
    TooLarge,
    Unavailable,
    Unprocessable,
    Unsupported,
    UserError,
    split_fix,
)
from ..paths import database_target, shown_target
from . import wording
from .deps import Service, Unauthenticated
from .limits import RateLimited, form_fields, too_many_fields, upload_bytes
from .settings import Settings
from .strict import Refusal, unknown_fields

STATUS = ((Unauthenticated, 401), (Forbidden, 403), (NotFound, 404), (Conflict, 409), (TooLarge, 413),
          (Unsupported, 415), (Unprocessable, 422), (RateLimited, 429), (Unavailable, 503), (UserError, 400))
RETRY_AFTER_S = 2          # what a 503 tells a client to wait before trying again
READY_WITHIN_S = 2.0       # /readyz answers 503 when the database has not answered a trivial query by then
UNAVAILABLE = "the service cannot reach its database right now; nothing was changed; try again in a few seconds"
NO_SUCH_ENDPOINT = "no such endpoint; see /openapi.json"
log = logging.getLogger("assistant.server")


def error_body(message: str, code: str | None = None) -> dict:
    """{"error": the CLI's one line, "hint": its "how to fix it" part (None when it has none), and
    "error_code" for a refusal that carries the service's code (as the CLI's --json prints it).
    Every error response is built here, so every one splits its line the same way."""
    body = {"error": message, "hint": split_fix(message)[1]}
    if code:
        body["error_code"] = code
    return body


class PlainSlashes:
    """An ASGI middleware answering 404 for an address whose slash or backslash is percent-encoded
    (`/v1/tickets/1%2Fclaim`): the server decodes it before routing, so it would reach the endpoint
    the plain path names (`/v1/tickets/1/claim`), or a redirect to it, past a proxy's rule that reads
    the address as one segment. A browser gets the "Page not found" page, the rest the API's 404."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        raw = (scope.get("raw_path") or b"").lower() if scope["type"] == "http" else b""
        if b"%2f" not in raw and b"%5c" not in raw:
            return await self.app(scope, receive, send)
        from starlette.concurrency import run_in_threadpool

        from ..web import pages

        request = Request(scope, receive)
        if pages.wants_page(request):
            response = await run_in_threadpool(pages.not_found, request)
        else:
            response = JSONResponse(error_body(NO_SUCH_ENDPOINT), 404)
        await response(scope, receive, send)


def upload_limit(service: Service) -> int:
    """The largest multipart body: a template's frames (the spec's total) plus a letter of the same bound."""
    return upload_bytes(service.kb.rules.template if service.kb.rules else {"max_total_kb": 1900})


class InFlight:
    """An ASGI middleware counting the requests being answered (`Service.in_flight`): a large send
    makes room for the others only while there are others (`pacing.Pacer`)."""

    def __init__(self, app, service: Service):
        self.app, self.service = app, service

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        self.service.in_flight += 1
        try:
            return await self.app(scope, receive, send)
        finally:
            self.service.in_flight -= 1


class BodyLimit:
    """An ASGI middleware refusing (413) a body over the limit, by header or as it streams in."""

    def __init__(self, app, limits):
        self.app, self.limits = app, limits

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limits(scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await _too_large(limit, send)
        seen, refused = 0, False

        async def counted():
            # Past the limit: answer 413 at once and tell the application the client has gone.
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                refused = True
                await _too_large(limit, send)
                return {"type": "http.disconnect"}
            return message

        async def guarded(message):
            if not refused:
                await send(message)
        await self.app(scope, counted, guarded)


async def _too_large(limit: int, send) -> None:
    await _answer(send, 413, f"the request is larger than {limit // 1024} KB; send less at once")


async def _answer(send, status: int, message: str) -> None:
    body = JSONResponse(error_body(message), status).body
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class ReadTimeout:
    """An ASGI middleware answering 408 (and closing the connection) when a request body stalls:
    no part of it for SECONDS while more was announced. uvicorn bounds the wait for headers itself
    only between requests (its keep-alive timeout); a stalled upload is bounded here."""

    def __init__(self, app, seconds: float):
        self.app, self.seconds = app, seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        state = {"body_done": False, "timed_out": False, "started": False}

        async def timed():
            if state["timed_out"]:
                return {"type": "http.disconnect"}
            if state["body_done"]:  # waiting for a disconnect after the body: not a stalled upload
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.seconds)
            except asyncio.TimeoutError:
                state["timed_out"] = True
                if not state["started"]:
                    await _answer(send, 408, f"the request body stalled for {self.seconds:g} s; send it again "
                                  "without pausing")
                return {"type": "http.disconnect"}
            if message["type"] != "http.request" or not message.get("more_body"):
                state["body_done"] = True
            return message

        async def guarded(message):
            if state["timed_out"]:
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)
        await self.app(scope, timed, guarded)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application for SETTINGS (by default those `assistant serve` put in the environment)."""
    settings = settings or Settings.from_env()
    # A large send is CPU work in one thread of this process: hand the interpreter to the other
    # requests' threads and the event loop every millisecond rather than every 5 (Python's default).
    sys.setswitchinterval(0.001)
    service = Service(settings)
    service.prepare()
    # The knowledge base and the models just loaded live as long as the process: out of the garbage
    # collector's full passes, which hold every thread (a 100,000-number send's allocations made
    # passes of 250 ms over them; 60 ms without them).
    gc.freeze()
    app = FastAPI(title="Digital Message assistant", version=__version__,
                  description="The assistant as a service: Bearer tokens from `assistant admin token create`.")
    app.state.service = service
    _mount_api(app, service)
    app.add_middleware(PlainSlashes)   # inside the pages' headers: its "Page not found" carries them
    _add_web(app)
    _add_error_handlers(app)
    add_probes(app, service)
    _add_bounds(app, service, settings)
    return app


def _mount_api(app: FastAPI, service: Service) -> None:
    """The API's routers under /v1, and the bounds on a send's form they read (`strict.StrictRequest`)."""
    from .routers import admin, ask, conversations, error_codes, sends, signatures, templates, tickets

    # a send's form holds a field per number: the documented 1,000 and the rest pass the parser;
    # more get the product's refusal (strict.StrictRequest reads both)
    sending = service.kb.rules.sending if service.kb.rules else {"max_numbers_per_request": 1000}
    app.state.form_fields, app.state.too_many_fields = form_fields(sending), too_many_fields(sending)
    for module in (ask, conversations, signatures, templates, sends, error_codes, tickets, admin):
        app.include_router(module.router, prefix="/v1")


def _add_error_handlers(app: FastAPI) -> None:
    """Every error answered as `error_body` says: the product's refusals, a bug, Starlette's own
    errors (an unknown endpoint, a wrong method) and a request that does not fit its schema."""
    app.add_exception_handler(UserError, _user_error)
    app.add_exception_handler(Exception, _bug)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)


async def _user_error(request: Request, exc: UserError) -> JSONResponse:
    """A refusal for people: its status by kind (STATUS), its line as the caller's shell says it."""
    status = next(code for kind, code in STATUS if isinstance(exc, kind))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, Unavailable):  # the detail names the database: the log keeps it, the client does not
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(error_body(UNAVAILABLE), 503, headers={"Retry-After": str(RETRY_AFTER_S)})
    cli = request.headers.get("user-agent") == CLI_AGENT   # the command line in remote mode: its commands
    return JSONResponse(error_body(wording.said(exc, cli), getattr(exc, "code", None)), status, headers=headers)


async def _bug(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(error_body("the service failed on this request (a bug, logged); try again, "
                                   "and tell the service's operator if it persists"), 500)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if isinstance(exc, Refusal):    # the product's refusal, met while the body was read
        return await _user_error(request, exc.refusal)
    from ..web import pages

    if exc.status_code == 404 and pages.wants_page(request):   # a browser's address: a page, not JSON
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(pages.not_found, request)
    message = {404: NO_SUCH_ENDPOINT, 405: "this endpoint does not take that method; "
               "see /openapi.json"}.get(exc.status_code, str(exc.detail))
    if split_fix(message)[1] is None:   # a detail that says no fix (a 415 says what to send)
        message += "; check the request against /openapi.json"
    return JSONResponse(error_body(message), exc.status_code, headers=getattr(exc, "headers", None))


async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    unknown = [str(e["loc"][-1]) for e in exc.errors() if e.get("type") == "extra_forbidden" and e.get("loc")]
    if unknown:   # a misspelt field first: what else is wrong may be its consequence ("source: Field required")
        return JSONResponse(error_body(unknown_fields(unknown, request.scope.get("route"))), 422)
    if first.get("type") == "json_invalid":  # say why (not UTF-8, a lone surrogate), not where
        return JSONResponse(error_body(f"the body is not JSON text: {(first.get('ctx') or {}).get('error')}; "
                                       "send UTF-8 JSON as /openapi.json describes"), 422)
    if tuple(first.get("loc", ())) == ("body",) and first.get("type") == "missing":   # no body at all
        return JSONResponse(error_body("the body is empty; send this endpoint's JSON (its fields in /openapi.json) "
                                       "with Content-Type: application/json, e.g. curl --json '{...}'"), 422)
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header"))
    texts = [[p for p in e["loc"] if isinstance(p, str) and p != "body"] for e in exc.errors()
             if "Expected UploadFile" in str(e.get("msg"))]
    if texts and texts[0]:   # a file field sent as a plain form value (-F file=../x, not -F file=@x): never a path
        name = texts[0][-1]   # a repeatable field's loc ends with the item's index
        return JSONResponse(error_body(f"`{name}` must be an uploaded file, not text; send the file's bytes as a "
                                       f"file part (curl -F {name}=@PATH)"), 422)
    return JSONResponse(error_body(f"{where or 'request'}: {first.get('msg', 'invalid')}; "
                                   "see /openapi.json for the request's shape"), 422)


def _add_bounds(app: FastAPI, service: Service, settings: Settings) -> None:
    """The bounds on every request: its body's size by path (BodyLimit), a stalled body (ReadTimeout),
    and the count of those being answered (InFlight). Added after the pages' headers, so outside them."""
    big = upload_limit(service)
    recipients = 16 * 1024 * 1024

    def limit(path: str) -> int:
        if path.startswith("/v1/templates") or (path.startswith("/v1/conversations/") and path.endswith("/files")):
            return big
        if path.startswith("/v1/sends"):
            return recipients
        return settings.max_body_bytes
    app.add_middleware(BodyLimit, limits=limit)
    app.add_middleware(ReadTimeout, seconds=settings.read_timeout_s)
    app.add_middleware(InFlight, service=service)


def _add_web(app: FastAPI) -> None:
    """The desk and the chat (`assistant.web`): pages, their static files, and the headers every page carries."""
    from fastapi.staticfiles import StaticFiles

    from ..web import pages

    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(pages.HERE / "static")), name="static")

    app.add_middleware(PageHeaders)


class PageHeaders:
    """An ASGI middleware giving every response outside /v1 (the pages, their static files, a
    page's 404) the headers every page carries. Plain ASGI, not `@app.middleware("http")`, whose
    task and streams per request cost the API's every request a tenth of its time."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"].startswith("/v1"):
            return await self.app(scope, receive, send)
        from ..web import pages

        async def headed(message):
            if message["type"] == "http.response.start":
                pages.security_headers(MutableHeaders(scope=message))
            await send(message)
        await self.app(scope, receive, headed)


def add_probes(app: FastAPI, service: Service) -> None:
    """GET /healthz (the process answers; no database) and GET /readyz (the database answers a trivial
    query within READY_WITHIN_S). Neither waits on a hung database: /readyz checks on a thread of its
    own and, while an earlier check is still stuck there, answers 503 at once."""
    checker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="readyz")
    pending: list[concurrent.futures.Future] = []

    @app.get("/healthz", tags=["health"], summary="Liveness: the service process answers")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="Readiness: the database answers (503 otherwise)",
             responses={503: {"description": "the database did not answer in time"}})
    async def readyz() -> JSONResponse:
        if pending and not pending[0].done():
            return _not_ready("an earlier check is still waiting for the database")
        pending[:] = [checker.submit(service.ready)]
        try:
            await asyncio.wait_for(asyncio.wrap_future(pending[0]), READY_WITHIN_S)
        except (asyncio.TimeoutError, concurrent.futures.TimeoutError):
            return _not_ready(f"no answer within {READY_WITHIN_S:g} s")
        except UserError as exc:
            return _not_ready(str(exc))
        return JSONResponse({"status": "ready"})


def _not_ready(why: str) -> JSONResponse:
    log.warning("not ready: %s", why)
    return JSONResponse(error_body(UNAVAILABLE), 503, headers={"Retry-After": str(RETRY_AFTER_S)})


def run(host: str, port: int, workers: int, settings: Settings, announce=lambda text: None,
        notify: list | None = None, notify_secret: str | None = None) -> int:
    """Serve until interrupted. Workers are separate processes that read SETTINGS from the environment.

    With NOTIFY targets, one courier in this process (never one per worker) delivers the outbox.
    """
    import socket

    import uvicorn

    try:  # one clear line now rather than a log record from every worker
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:   # the host is wrong, not the port
            raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; give --host an address of this "
                            "machine (127.0.0.1: this machine only, 0.0.0.0: every interface)") from None
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; pick another with --port "
                        "(or stop what is using it)") from None
    os.environ.update(settings.to_env())
    service = Service(settings)
    service.prepare()    # fail here, in one clear line, rather than in every worker
    announce(f"Serving the assistant on http://{host}:{port}/v1 (database {shown_target(database_target(settings.db))}); "
             "Ctrl-C stops.")
    courier = None
    if notify:
        from ..notify import Courier
        from ..storage import open_store

        first_reply = service.kb.rules.handoff.get("first_reply_minutes") if service.kb.rules else None
        courier = Courier(lambda: open_store(settings.db), notify, notify_secret, first_reply=first_reply or {},
                          kb=service.kb)
        courier.start()
        announce(f"Notifying {len(notify)} receiver(s) of ticket events" + (" (signed)" if notify_secret else ""))
    # uvicorn answers a request it cannot parse (malformed request line or headers, headers over its
    # 16 KB h11 limit) itself, with a plain-text 400 "Invalid HTTP request received." before the app is
    # involved; keep-alive connections idle for 5 s are closed.
    try:
        uvicorn.run("assistant.server.app:create_app", factory=True, host=host, port=port, workers=workers,
                    log_level="warning", access_log=False, timeout_keep_alive=5)
    finally:
        if courier:
            courier.stop()
    return 0
