"""`roltrap serve --workers 2`: the parent warms the app and forks its workers; every worker answers
the start page with the same ETag; SIGTERM or SIGINT stops the parent and every worker, exit 0."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        out |= {int(c) for c in (task / "children").read_text().split()}
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_workers_share_the_warm_start_page_and_stop_with_the_parent(bundled_db: Path, tmp_path: Path,
                                                                      sig: signal.Signals) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, db)
    env = {**os.environ, "ROLTRAP_DB": str(db), "ROLTRAP_DATA_DIR": str(tmp_path)}
    env.pop("ROLTRAP_READ_ONLY", None)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "roltrap", "serve", "--port", str(port), "--workers", "2"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                first = httpx.get(f"{base}/", timeout=30)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)
        assert first.status_code == 200 and "Leiden" in first.text
        workers = _children(proc.pid)
        assert len(workers) == 2
        # A conditional request is a 304 whichever worker answers it.
        etag = first.headers["etag"]
        for _ in range(6):
            with httpx.Client(base_url=base) as fresh:  # a new connection: any worker may answer
                again = fresh.get("/", headers={"If-None-Match": etag})
            assert again.status_code == 304
    finally:
        proc.send_signal(sig)
        code = proc.wait(timeout=30)
    assert code == 0
    assert not any(_alive(w) for w in workers)
    out = proc.stdout.read().decode() if proc.stdout else ""
    assert f"http://localhost:{port}/" in out
    assert "Traceback" not in (proc.stderr.read().decode() if proc.stderr else "")
