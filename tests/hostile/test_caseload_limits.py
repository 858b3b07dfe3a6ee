"""Upload limits on the bytes actually read, on a real server: a chunked 50 MB caseload (no
Content-Length) is refused after about 1 MB, with bounded memory and nothing written to the temp dir.

The server runs in this process (uvicorn on loopback), so ``tracemalloc`` sees its allocations and
``tempfile.tempdir`` can point at an empty folder: anything spooled to disk would land there. A
control shows that Starlette's own form parser does spool a large upload there, so the check can fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import socket
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from live_app import serve
from roltrap.core import Roltrap

FIFTY_MB = 50 * 1024 * 1024
ROW = b"WK054600,27_49,111222333\n"  # a valid BSN in every row: none may reach the disk


@pytest.fixture(scope="module")
def base_url(bundled_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from roltrap.web.app import create_app

    copy = tmp_path_factory.mktemp("limits") / "store.duckdb"
    shutil.copy(bundled_db, copy)
    rt = Roltrap(copy, read_only=True)
    with serve(create_app(rt)) as url:
        yield url
    rt.close()


@pytest.fixture
def empty_tempdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh temp dir that ``tempfile`` (and so Starlette's spooling) uses for this test."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    assert tempfile.gettempdir() == str(folder)
    return folder


def _files_open_in(folder: Path) -> list[str]:
    """Files this process holds open under ``folder``, also unnamed or deleted ones.

    Linux opens ``tempfile.TemporaryFile`` with O_TMPFILE: the file is on disk but has no name in
    the folder, so only ``/proc/self/fd`` shows it ("/tmp/x/#123 (deleted)").
    """
    out = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder)):
            out.append(target)
    return out


@contextlib.contextmanager
def disk_spy(folder: Path) -> Iterator[list[str]]:
    """Sample the open files under ``folder`` every millisecond while the block runs."""
    seen: list[str] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.extend(_files_open_in(folder))
            time.sleep(0.001)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        done.set()
        thread.join()


def _chunked_post(base: str, path: str, *, content_type: str, preamble: bytes = b"",
                  total: int = FIFTY_MB) -> tuple[int, str, int]:
    """Stream ``total`` bytes chunked until the server answers; (status, body, bytes sent)."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    sock.sendall(head)
    block = ROW * (65536 // len(ROW))
    frames = [preamble] if preamble else []
    sent = 0
    received = b""
    try:
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break  # the server has answered: stop sending, as a browser would
            data = frames.pop(0) if frames else block
            sock.sendall(b"%x\r\n" % len(data) + data + b"\r\n")
            sent += len(data)
        else:
            sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError, TimeoutError):
        pass  # the server closed the connection after refusing; its answer is in our buffer
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    sock.close()
    header, _, body = received.partition(b"\r\n\r\n")
    status = int(header.split(b" ")[1]) if header else 0
    return status, body.decode("utf-8", errors="replace"), sent


def _multipart_preamble(boundary: str) -> bytes:
    return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"bestand\"; filename=\"c.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\nwijk,leeftijd,kenmerk\n").encode()


@pytest.mark.parametrize("path, multipart", [
    ("/coach/caseload.json", False), ("/coach/caseload.json", True), ("/coach/caseload", True),
    ("/coach.json", False), ("/coach", False),
])
def test_chunked_50_mb_is_refused_early_in_memory(base_url: str, empty_tempdir: Path, path: str,
                                                  multipart: bool) -> None:
    boundary = "roltrapgrens"
    ctype = f"multipart/form-data; boundary={boundary}" if multipart else (
        "application/json" if path == "/coach.json" else
        "application/x-www-form-urlencoded" if path == "/coach" else "text/csv")
    before = list(empty_tempdir.iterdir())
    tracemalloc.start()
    try:
        with disk_spy(empty_tempdir) as opened:
            status, body, sent = _chunked_post(base_url, path, content_type=ctype,
                                               preamble=_multipart_preamble(boundary) if multipart else b"")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status in (413, 422), body[:300]
    assert "te groot" in body and "Traceback" not in body
    assert "111222333" not in body
    # The server stopped reading after its cap (1 MB for a caseload, 64 kB for a form) plus what the
    # kernel's socket buffers took: far from the 50 MB offered.
    assert sent < 12 * 1024 * 1024, f"{sent:,} bytes were accepted before the refusal"
    assert peak < 25 * 1024 * 1024, f"peak memory {peak:,} bytes while refusing"
    assert before == [] and list(empty_tempdir.iterdir()) == [], "nothing may be written to disk"
    assert opened == [], "no temporary file may be opened, not even an unnamed one"


def test_an_accepted_upload_is_not_spooled_either(base_url: str, empty_tempdir: Path) -> None:
    """An 840 kB multipart upload (below the cap, above what a small spool keeps) stays in memory."""
    import httpx

    rows = b"wijk,leeftijd,geslacht\n" + b"Binnenstad-Zuid,27 tot en met 49 jaar,Vrouw\n" * 19_000
    assert 800_000 < len(rows) < 1_000_000
    with disk_spy(empty_tempdir) as opened:
        res = httpx.post(f"{base_url}/coach/caseload.json", files={"bestand": ("c.csv", rows, "text/csv")},
                         timeout=60)
    assert res.status_code == 200, res.text[:300]
    assert res.json()["n_clients"] == 19_000
    assert list(empty_tempdir.iterdir()) == [] and opened == []


def test_control_starlette_form_parsing_would_spool_to_disk(empty_tempdir: Path) -> None:
    """The check above can fail: Starlette's ``request.form()`` spools a 2 MB file part to the temp dir."""
    import httpx

    seen: list[str] = []
    probe = FastAPI()

    @probe.post("/upload")
    async def upload(request: Request) -> PlainTextResponse:
        form = await request.form()
        seen.extend(_files_open_in(empty_tempdir))
        await form.close()
        return PlainTextResponse("ok")

    with serve(probe) as url:
        res = httpx.post(f"{url}/upload", files={"bestand": ("c.csv", b"x" * 2_000_000, "text/csv")},
                         timeout=60)
    assert res.status_code == 200
    assert seen, "Starlette no longer spools large parts to disk; the disk check would be vacuous"


def test_content_length_over_the_cap_is_refused_before_reading(base_url: str) -> None:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(f"POST /coach/caseload.json HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/csv\r\n"
                     f"Content-Length: {FIFTY_MB}\r\nConnection: close\r\n\r\n".encode())
        # No body bytes: a server that waited for the promised 50 MB would hang here until the timeout,
        # and bytes left unread when the server closes would make the kernel reset the connection
        # before the refusal can be read.
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    header, _, body = received.partition(b"\r\n\r\n")
    assert header.split(b" ")[1] in (b"413", b"422")
    assert "te groot" in json.loads(body)["error"]["message"]
