"""A local HTTP server on loopback that answers like CBS's OData services, from recorded answers.

The client under test makes real HTTP requests (requests → socket → this server); nothing is mocked
above the network. ``recorded/fetch/manifest.json`` maps each request (path and query, exactly as
CBS receives it) to a recorded answer; the host in ``odata.nextLink`` is rewritten to this server.
A request that matches no recording answers 404, as CBS does for an unknown table. Tests can make a
path fail (``fail[path] = 500``), answer something else (``body[path] = b"<html>…"``), slow it
down (``delay[path] = seconds``) or stop the server.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

RECORDED = Path(__file__).parent / "recorded" / "fetch"
CBS = "https://opendata.cbs.nl"


class RecordedOData:
    def __init__(self, root: Path = RECORDED) -> None:
        self.root = root
        self.manifest: list[dict[str, Any]] = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.fail: dict[str, int] = {}
        self.body: dict[str, bytes] = {}  # path → what to send instead, with status 200
        self.delay: dict[str, float] = {}
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> RecordedOData:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, bytes]:
        self.requests.append((path, query))
        if path in self.delay:
            time.sleep(self.delay[path])
        if path in self.fail:
            return self.fail[path], b'{"odata.error": {"code": "", "message": {"lang": "nl-NL", ' \
                                    b'"value": "Er is een fout opgetreden."}}}'
        if path in self.body:
            return 200, self.body[path]
        for entry in self.manifest:
            if entry["path"] == path and entry["query"] == query:
                text = (self.root / entry["file"]).read_text(encoding="utf-8")
                return 200, text.replace(CBS, self.url).encode("utf-8")
        return 404, b"<html><body>Not Found</body></html>"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                status, body = server.answer(parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)))
                self.send_response(status)
                ctype = "application/json;odata=minimalmetadata;streaming=true;charset=utf-8"
                self.send_header("Content-Type", ctype if body.startswith(b"{") else "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]


@pytest.fixture
def cbs() -> Iterator[RecordedOData]:
    """A recorded CBS on loopback; ``cbs.url`` is its base address, ``cbs.requests`` what it got."""
    server = RecordedOData().start()
    try:
        yield server
    finally:
        server.stop()
