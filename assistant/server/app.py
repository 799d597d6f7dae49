"""The FastAPI application: routers under /v1, one exception handler for errors meant for people,
and a bound on every request body. `run` starts uvicorn with one or more workers.
"""

from __future__ import annotations

import os

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import Conflict, Forbidden, NotFound, TooLarge, Unsupported, UserError, split_fix
from ..paths import database_target, shown_target
from .deps import Service, Unauthenticated
from .limits import RateLimited, upload_bytes
from .settings import Settings

STATUS = ((Unauthenticated, 401), (Forbidden, 403), (NotFound, 404), (Conflict, 409), (TooLarge, 413),
          (Unsupported, 415), (RateLimited, 429), (UserError, 400))


def error_body(message: str, code: str | None = None) -> dict:
    """{"error": the CLI's one line, "hint": its "how to fix it" part (None when it has none), and
    "error_code" for a refusal that carries the service's code (as the CLI's --json prints it).
    Every error response is built here, so every one splits its line the same way."""
    body = {"error": message, "hint": split_fix(message)[1]}
    if code:
        body["error_code"] = code
    return body


def upload_limit(service: Service) -> int:
    """The largest multipart body: a template's frames (the spec's total) plus a letter of the same bound."""
    return upload_bytes(service.kb.rules.template if service.kb.rules else {"max_total_kb": 1900})


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
    body = JSONResponse(error_body(f"the request is larger than {limit // 1024} KB; send less at once"), 413).body
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application for SETTINGS (by default those `assistant serve` put in the environment)."""
    from .routers import admin, ask, conversations, error_codes, sends, signatures, templates, tickets

    settings = settings or Settings.from_env()
    service = Service(settings)
    service.prepare()
    app = FastAPI(title="Digital Message assistant", version=__version__,
                  description="The assistant as a service: Bearer tokens from `assistant admin token create`.")
    app.state.service = service
    for module in (ask, conversations, signatures, templates, sends, error_codes, tickets, admin):
        app.include_router(module.router, prefix="/v1")
    _add_web(app)

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError) -> JSONResponse:
        status = next(code for kind, code in STATUS if isinstance(exc, kind))
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if isinstance(exc, RateLimited):
            headers = {"Retry-After": str(exc.retry_after)}
        return JSONResponse(error_body(str(exc), getattr(exc, "code", None)), status, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = {404: "no such endpoint; see /openapi.json", 405: "this endpoint does not take that method; "
                   "see /openapi.json"}.get(exc.status_code, f"{exc.detail}; check the request")
        return JSONResponse(error_body(message), exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header"))
        return JSONResponse(error_body(f"{where or 'request'}: {first.get('msg', 'invalid')}; "
                                       "see /openapi.json for the request's shape"), 422)

    big = upload_limit(service)
    recipients = 16 * 1024 * 1024

    def limit(path: str) -> int:
        if path.startswith("/v1/templates") or (path.startswith("/v1/conversations/") and path.endswith("/files")):
            return big
        if path.startswith("/v1/sends"):
            return recipients
        return settings.max_body_bytes
    app.add_middleware(BodyLimit, limits=limit)
    return app


def _add_web(app: FastAPI) -> None:
    """The desk and the chat (`assistant.web`): pages, their static files, and the headers every page carries."""
    from fastapi.staticfiles import StaticFiles

    from ..web import pages

    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(pages.HERE / "static")), name="static")

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        if not request.url.path.startswith("/v1"):
            pages.security_headers(response)
        return response


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
        courier = Courier(lambda: open_store(settings.db), notify, notify_secret, first_reply=first_reply or {})
        courier.start()
        announce(f"Notifying {len(notify)} receiver(s) of ticket events" + (" (signed)" if notify_secret else ""))
    try:
        uvicorn.run("assistant.server.app:create_app", factory=True, host=host, port=port, workers=workers,
                    log_level="warning", access_log=False)
    finally:
        if courier:
            courier.stop()
    return 0
