"""The web app factory: a thin HTTP shell around one :class:`~roltrap.core.Roltrap`.

``create_app`` wires templates, static files, error pages, the JSON access log and the route
modules. The optional ``routes_triage`` and ``routes_cohort`` modules are included when present
(each exposes ``router: fastapi.APIRouter``).
"""

from __future__ import annotations

import importlib
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from roltrap.core import Roltrap
from roltrap.errors import RoltrapError
from roltrap.settings import Settings
from roltrap.web.deps import STATIC_DIR, templates, wants_json

access_log = logging.getLogger("roltrap.web.access")
error_log = logging.getLogger("roltrap.web")

OPTIONAL_ROUTERS = (("routes_triage", "Coach", "/coach"), ("routes_cohort", "Roltrap", "/roltrap"),
                    ("routes_access", "Nabijheid", "/nabijheid"))

# Vega compiles expressions with Function(), hence 'unsafe-eval'; everything else comes from us.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
                   Awaitable[None]]


class _PerThreadConnection:
    """A DuckDB connection is not thread-safe; every worker thread gets its own cursor on it.

    Sync routes run in a threadpool, so this keeps DuckDB reads off the event loop and lets them
    run side by side without a global lock.
    """

    def __init__(self, con: Any) -> None:
        self._base = con
        self._local = threading.local()
        self._lock = threading.Lock()

    def _con(self) -> Any:
        con = getattr(self._local, "con", None)
        if con is None:
            with self._lock:
                con = self._base.cursor()
            self._local.con = con
        return con

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con(), name)

    def close(self) -> None:
        self._base.close()


def _thread_safe(rt: Roltrap) -> None:
    if not isinstance(rt.store.con, _PerThreadConnection):
        rt.store.con = _PerThreadConnection(rt.store.con)  # type: ignore[assignment]


class AccessLogMiddleware:
    """One JSON line per request: method, path (never the query string), status, duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def _send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", CSP.encode()),
                            (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"no-referrer")]
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            access_log.info(json.dumps({
                "method": scope.get("method"), "path": scope.get("path"), "status": status,
                "duration_ms": round((time.perf_counter() - start) * 1000, 2)}))


def _error_response(request: Request, status: int, message: str, hint: str | None = None,
                    headers: Mapping[str, str] | None = None) -> Response:
    if wants_json(request):
        return JSONResponse({"error": {"status": status, "message": message, "hint": hint}},
                            status_code=status, headers=dict(headers or {}))
    return templates.TemplateResponse(
        request, "error.html", {"title": "Fout", "status": status, "message": message, "hint": hint},
        status_code=status, headers=dict(headers or {}))


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body")]
        name = ".".join(loc) or "invoer"
        parts.append(f"parameter '{name}': {err.get('msg', 'ongeldige waarde')}")
    return "Ongeldige invoer — " + "; ".join(parts) + "."


def _setup_logging() -> None:
    if not access_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False


def create_app(rt: Roltrap | None = None, *, settings: Settings | None = None) -> FastAPI:
    """Build the web app around ``rt`` (or a core object opened from ``settings``)."""
    owned = rt is None
    if rt is None:
        rt = Roltrap(settings=settings)
    settings = settings or rt.settings
    _thread_safe(rt)
    _setup_logging()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            rt.close()

    app = FastAPI(
        title="roltrap",
        version="0.1.0",
        description=("Wijkmonitor naar de syllabus van BuZz Leiden. Elke pagina is ook als JSON op te "
                     "vragen: hetzelfde pad met `.json`, of met `Accept: application/json`."),
        lifespan=lifespan,
    )
    app.state.rt = rt
    app.state.settings = settings
    app.state.min_cell = settings.min_cell
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    from roltrap.web import routes_pages

    app.include_router(routes_pages.router)
    nav = [{"label": "Stad", "href": "/"}, {"label": "Kaart", "href": "/kaart"},
           {"label": "Wijken", "href": "/wijk"}, {"label": "Vergelijk", "href": "/vergelijk"}]
    for module_name, label, href in OPTIONAL_ROUTERS:
        full = f"roltrap.web.{module_name}"
        try:
            module = importlib.import_module(full)
        except ModuleNotFoundError as exc:
            if exc.name != full:
                raise
            continue
        app.include_router(module.router)
        nav.append({"label": label, "href": href})
    nav.append({"label": "Bronnen", "href": "/bronnen"})
    app.state.nav = nav

    @app.exception_handler(RoltrapError)
    async def _roltrap_error(request: Request, exc: RoltrapError) -> Response:
        return _error_response(request, exc.http_status, exc.message, exc.hint)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return _error_response(request, 422, _validation_message(exc),
                               "Zie /docs voor de toegestane parameters.")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = {404: "Deze pagina bestaat niet.",
                   405: "Deze methode is hier niet toegestaan."}.get(exc.status_code, str(exc.detail))
        hint = "Kies een pagina in het menu." if exc.status_code == 404 else None
        return _error_response(request, exc.status_code, message, hint, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        error_log.error("unhandled error on %s %s: %s", request.method, request.url.path,
                        type(exc).__name__)
        return _error_response(request, 500, "Er ging iets mis aan onze kant.",
                               "Probeer het later opnieuw; meld het als het blijft gebeuren.")

    app.add_middleware(AccessLogMiddleware)  # type: ignore[arg-type]
    return app
