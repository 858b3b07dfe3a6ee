"""The web app factory: a thin HTTP shell around one :class:`~roltrap.core.Roltrap`.

``create_app`` wires templates, static files, error pages, the JSON access log and the route
modules (each exposes ``router: fastapi.APIRouter``). The web layer never touches a database
connection: the store owns them (see :class:`roltrap.store.Store`); a server opens its store with
``hold=False``, so the CLI can read and import into the same file while it runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections import OrderedDict
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
from roltrap.web import routes_access, routes_cohort, routes_pages, routes_triage
from roltrap.web.deps import STATIC_DIR, templates, wants_json

access_log = logging.getLogger("roltrap.web.access")
error_log = logging.getLogger("roltrap.web")

# Vega compiles expressions with Function(), hence 'unsafe-eval'; everything else comes from us.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
                   Awaitable[None]]


class _StaticFiles(StaticFiles):
    """Static files where an odd path (a NUL byte, an overlong or undecodable name) is a plain 404.

    Starlette hands such paths to ``os.stat``, which raises ``ValueError``/``OSError`` instead of
    answering "not found"."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if "\x00" in path or len(path) > 255:
            raise StarletteHTTPException(status_code=404)
        try:
            return await super().get_response(path, scope)
        except (ValueError, OSError) as exc:
            raise StarletteHTTPException(status_code=404) from exc


class PageCache:
    """Rendered pages and their twins, cached per store version, with ETag and conditional GET.

    Sits in front of the routes: a hit is answered from memory without routing, threads or the
    store. The key is the path, the query string and whether JSON was asked for; the store's
    :meth:`~roltrap.store.Store.version_key` (two ``stat`` calls) is checked on every request, so
    an import by any process empties the cache and the next request shows the new figures. Only
    successful GET answers of the page routes are kept, never errors, uploads (POST) or an answer
    its route marks ``Cache-Control: no-store`` (the coach's pages). The Roltrap page follows its
    cohort input, which is fixed for a server's life.
    """

    PREFIXES = ("/gemeente/", "/kaart", "/wijk", "/buurt", "/vergelijk", "/bronnen", "/nabijheid",
                "/roltrap")

    def __init__(self, app: ASGIApp, *, version: Callable[[], tuple[int, ...]],
                 max_bytes: int = 256 * 1024 * 1024) -> None:
        self.app = app
        self.version = version
        self.max_bytes = max_bytes
        self.entries: OrderedDict[tuple[str, bytes, bool], tuple[list[tuple[bytes, bytes]], bytes]] = \
            OrderedDict()
        self.size = 0
        self.seen: tuple[int, ...] | None = None
        # Misses being computed: a second request for the same page waits for the first instead of
        # computing it again (50 clients on a cold page would otherwise run 50 computations at once).
        self.pending: dict[tuple[str, bytes, bool], asyncio.Future[Any]] = {}

    def _cacheable(self, scope: Scope) -> bool:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") != "GET":
            return False
        return path == "/" or path.startswith(self.PREFIXES)

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        version = self.version()
        if version != self.seen:
            self.entries.clear()
            self.size = 0
            self.seen = version
        headers = dict(scope.get("headers") or [])
        accept = headers.get(b"accept", b"").decode("latin-1")
        as_json = scope["path"].endswith(".json") or ("application/json" in accept
                                                      and "text/html" not in accept)
        key = (scope["path"], scope.get("query_string", b""), as_json)
        hit = self.entries.get(key)
        if hit is not None:
            self.entries.move_to_end(key)
            await self._answer(send, hit, headers.get(b"if-none-match"))
            return
        leader = self.pending.get(key)
        if leader is not None:
            entry = await asyncio.shield(leader)
            if entry is not None:
                await self._answer(send, entry, headers.get(b"if-none-match"))
                return
            # the first answer was not one to keep (an error): compute this one as usual
            await self.app(scope, receive, send)
            return
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[key] = future
        try:
            await self._fill(scope, receive, send, key, version, headers, future)
        finally:
            self.pending.pop(key, None)
            if not future.done():
                future.set_result(None)

    async def _fill(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                    send: Callable[[Message], Awaitable[None]], key: tuple[str, bytes, bool],
                    version: tuple[int, ...], headers: dict[bytes, bytes],
                    future: asyncio.Future[Any]) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        stored = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        status = int(start.get("status", 500))
        private = any(k.lower() == b"set-cookie" or (k.lower() == b"cache-control" and b"no-store" in v)
                      for k, v in stored)
        if status != 200 or private:
            await send({**start, "headers": [*stored, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        etag = b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'
        stored += [(b"etag", etag), (b"cache-control", b"no-cache"), (b"vary", b"Accept")]
        entry = (stored, body)
        future.set_result(entry)
        if len(body) <= self.max_bytes // 8 and self.version() == version:
            self.entries[key] = entry
            self.size += len(body)
            while self.size > self.max_bytes and self.entries:
                _, (_, old) = self.entries.popitem(last=False)
                self.size -= len(old)
        await self._answer(send, entry, headers.get(b"if-none-match"))

    @staticmethod
    async def _answer(send: Callable[[Message], Awaitable[None]],
                      entry: tuple[list[tuple[bytes, bytes]], bytes], if_none_match: bytes | None) -> None:
        stored, body = entry
        etag = next(v for k, v in stored if k == b"etag")
        if if_none_match is not None and etag in [t.strip() for t in if_none_match.split(b",")]:
            keep = [(k, v) for k, v in stored if k in (b"etag", b"cache-control", b"vary")]
            await send({"type": "http.response.start", "status": 304, "headers": keep})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [*stored, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


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


#: How the web app names a parameter in a message: the label of its form field (see
#: :func:`roltrap.errors.validation_messages`; the CLI names its options instead).
FIELD_NAMES = {
    "year": "Jaar", "base_year": "Basisjaar", "age_min": "Leeftijd vanaf", "age_max": "Leeftijd tot en met",
    "follow": "Jaren volgen", "mode": "Vervoer", "soort": "Soort", "level": "Niveau", "gemeente": "Gemeente",
    "code": "Regiocode", "codes": "Regio's", "indicator": "Indicator", "tabel": "Tabel", "plaats": "Vanaf",
    "gebied": "Gebied", "scheme": "Indeling", "niveau": "Niveau", "naar": "Pagina",
}


def _validation_fields(exc: RequestValidationError) -> dict[str, str]:
    """Per parameter (as the URL names it) its Dutch message, from pydantic's errors."""
    from roltrap.errors import validation_messages

    out: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body", "header")]
        key = loc[-1] if loc else ""
        out.setdefault(key, validation_messages([err], names=FIELD_NAMES)[0])
    return out


def _validation_message(exc: RequestValidationError) -> str:
    return "Ongeldige invoer: " + "; ".join(_validation_fields(exc).values()) + "."


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
        rt = Roltrap(settings=settings, hold=False)
    settings = settings or rt.settings
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
    rt.monitor.read_together()  # pages show several monitor computations: one pass over the figures
    app.state.rt = rt
    app.state.settings = settings
    app.state.min_cell = settings.min_cell
    app.mount("/static", _StaticFiles(directory=str(STATIC_DIR)), name="static")

    app.include_router(routes_pages.router)
    app.include_router(routes_triage.router)
    app.include_router(routes_cohort.router)
    app.include_router(routes_access.router)
    app.state.nav = [{"label": "Stad", "href": "/"}, {"label": "Kaart", "href": "/kaart"},
                     {"label": "Wijken", "href": "/wijk"}, {"label": "Vergelijk", "href": "/vergelijk"},
                     {"label": "Coach", "href": "/coach"}, {"label": "Roltrap", "href": "/roltrap"},
                     {"label": "Nabijheid", "href": "/nabijheid"}, {"label": "Bronnen", "href": "/bronnen"}]

    @app.exception_handler(RoltrapError)
    async def _roltrap_error(request: Request, exc: RoltrapError) -> Response:
        return _error_response(request, exc.http_status, exc.message, exc.hint)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = _validation_fields(exc)
        if wants_json(request):
            return JSONResponse({"error": {"status": 422, "message": _validation_message(exc),
                                           "hint": "Zie /docs voor de toegestane parameters.",
                                           "fields": fields}}, status_code=422)
        return templates.TemplateResponse(
            request, "error.html", {"title": "Fout", "status": 422, "message": _validation_message(exc),
                                    "hint": "Pas de gemarkeerde waarde aan en probeer het opnieuw.",
                                    "fields": fields}, status_code=422)

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

    store = rt.store
    app.add_middleware(PageCache, version=store.version_key)  # type: ignore[arg-type]
    app.add_middleware(AccessLogMiddleware)  # type: ignore[arg-type]
    return app
