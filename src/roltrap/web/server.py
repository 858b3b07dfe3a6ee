"""Running the web app: import and warm it once, then fork the workers.

``uvicorn --workers N`` starts every worker as a fresh interpreter ("spawn"): each imports FastAPI,
pandas, Altair and the monitor again (about a second of CPU each) and computes the first page
itself, so on a busy two-core machine the first page of a new server took many seconds. Here the
parent process imports the app and renders the start page into the page cache once; the workers are
forked from it (POSIX), so they start at once, share those pages in memory (copy on write) and
answer the first request from the cache. On systems without ``fork`` uvicorn's own workers are used.

The store is not held open across the fork: the app opens it with ``hold=False`` (short read-only
sessions), so no DuckDB connection is shared between processes.

Garbage collection follows the recipe of the ``gc`` documentation for servers that fork: off while
the app is imported and warmed (start-up creates some 240,000 objects that live as long as the
server; collecting them as they appear cost about 0.2 s CPU), then ``gc.freeze()`` before the fork.
Frozen objects are never scanned again: without it, every full collection in a worker walked them
all, a 30–80 ms pause that made an occasional monitor request four times as slow as the others
(issue 12), and touching them would also unshare the workers' copy-on-write memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from roltrap.settings import Settings

#: Seconds a worker waits for requests in flight when told to stop; then the parent kills what is left.
GRACE_S = 5

#: Paths rendered before the workers start: the first page a visitor (or a browser test) asks for.
WARM_PATHS = ("/",)

log = logging.getLogger("roltrap.web")


def warm(app: FastAPI, paths: tuple[str, ...] = WARM_PATHS) -> dict[str, int]:
    """Answer ``paths`` once in this process (status per path), filling the app's page cache."""
    status: dict[str, int] = {}

    async def one(path: str) -> None:
        scope: dict[str, Any] = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
            "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
            "headers": [(b"host", b"localhost"), (b"accept", b"text/html")],
            "client": ("127.0.0.1", 0), "server": ("127.0.0.1", 80), "state": {},
        }
        sent = False

        async def receive() -> MutableMapping[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await asyncio.sleep(3600)  # no disconnect while the page is computed
            return {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[path] = int(message["status"])

        await app(scope, receive, send)

    async def all_paths() -> None:
        for p in paths:
            await one(p)

    access = logging.getLogger("roltrap.web.access")
    was, access.disabled = access.disabled, True  # the warm-up is not a visitor's request
    try:
        asyncio.run(all_paths())
    finally:
        access.disabled = was
    return status


def settle() -> None:
    """End of start-up: everything alive now lives as long as the process, so keep the collector
    off it (``gc.freeze``) and switch collection (back) on for what requests allocate. The little
    garbage start-up leaves (about 3,000 objects after the warm page) is frozen with it: a fixed
    cost, shared by the workers, instead of a full collection (0.1 s) before the first page."""
    gc.freeze()
    gc.enable()


def serve(settings: Settings, *, workers: int, ready: Callable[[], None] = lambda: None) -> None:
    """Serve on ``settings.host:port`` with ``workers`` processes until SIGINT or SIGTERM; ``ready``
    is called once the app is warm, just before it listens."""
    gc.disable()  # until settle(): start-up only allocates what the server keeps (module docstring)
    import uvicorn

    # A signal stops the server within seconds, also while a page is still being computed.
    options: dict[str, Any] = {"host": settings.host, "port": settings.port, "access_log": False,
                               "log_level": "warning", "timeout_graceful_shutdown": GRACE_S}
    if workers > 1 and not hasattr(os, "fork"):
        # Workers are fresh interpreters here: they read their settings from the environment.
        os.environ.update({"ROLTRAP_DB": str(settings.db_path), "ROLTRAP_DATA_DIR": str(settings.data_dir),
                           "ROLTRAP_READ_ONLY": "true", "ROLTRAP_GEMEENTE": settings.gemeente,
                           "ROLTRAP_MIN_CELL": str(settings.min_cell)})
        ready()
        settle()
        uvicorn.run("roltrap.web.app:create_app", factory=True, workers=workers, **options)
        return
    from roltrap.web.app import create_app

    app = create_app(settings=settings.model_copy(update={"read_only": True}))
    warm(app)
    config = uvicorn.Config(app, **options)
    settle()  # before the fork: the workers inherit the frozen heap
    ready()
    if workers == 1:
        uvicorn.Server(config).run()
        return
    sock = config.bind_socket()
    # The socket uvicorn binds has protocol 0, so asyncio does not switch Nagle's algorithm off on the
    # connections it accepts (it checks for IPPROTO_TCP): a small answer written as headers + body
    # then waits for the client's delayed ACK, 40 ms per request (/health ran at 22 requests/s).
    # Accepted sockets inherit TCP_NODELAY from the listening one.
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        _supervise(config, sock, workers)
    finally:
        sock.close()


def _supervise(config: Any, sock: socket.socket, workers: int) -> None:
    """Fork ``workers`` servers on one listening socket; restart one that dies; stop all on a signal."""
    import uvicorn

    children: dict[int, float] = {}  # pid → start time
    stopping = False
    quick_deaths: list[float] = []

    def start() -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            code = 0
            try:
                uvicorn.Server(config).run(sockets=[sock])
            except KeyboardInterrupt:
                pass
            except BaseException:
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children[pid] = time.monotonic()

    def stop(sig: int, _frame: Any) -> None:
        nonlocal stopping
        if not stopping:
            signal.setitimer(signal.ITIMER_REAL, GRACE_S + 5)  # a worker that does not stop: killed
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def kill_late(_sig: int, _frame: Any) -> None:
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    previous[signal.SIGALRM] = signal.signal(signal.SIGALRM, kill_late)
    try:
        for _ in range(workers):
            start()
        while children:
            try:
                pid, _status = os.wait()
            except ChildProcessError:
                break
            started = children.pop(pid, None)
            if stopping or started is None:
                continue
            now = time.monotonic()
            if now - started < 5:
                quick_deaths = [t for t in quick_deaths if now - t < 60] + [now]
                if len(quick_deaths) >= 5:  # a worker that cannot start: stop instead of looping
                    log.error("roltrap serve: workers stop right after starting; giving up")
                    stop(signal.SIGTERM, None)
                    continue
            start()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        for s, handler in previous.items():
            signal.signal(s, handler)
