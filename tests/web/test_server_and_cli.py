"""`roltrap serve` and the CLI on one store at once: reads, an import, and fresh figures without a restart.

The server runs as a real subprocess (two workers) on loopback; the CLI runs as further subprocesses
while a thread keeps requesting pages.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

ROLTRAP = [sys.executable, "-m", "roltrap"]
LEIDEN_2021 = ('"Wijken en buurten";"Regioaanduiding/Codering (code)";"Perioden";'
               '"Bevolking/Aantal inwoners (aantal)"\n"Leiden";"GM0546    ";"2021JJ00";"   125000"\n')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(bundled_db: Path, tmp_path: Path) -> tuple[str, dict[str, str]]:
    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, db)
    env = {**os.environ, "ROLTRAP_DB": str(db), "ROLTRAP_DATA_DIR": str(tmp_path)}
    env.pop("ROLTRAP_READ_ONLY", None)
    port = _free_port()
    # The server writes one access-log line per request to stderr: into a file, not an undrained
    # pipe, which fills after some 800 requests and then blocks the workers.
    log = (tmp_path / "serve.log").open("w+b")
    proc = subprocess.Popen([*ROLTRAP, "serve", "--port", str(port), "--workers", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, (tmp_path / "serve.log").read_text(errors="replace")
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield base, env
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def _inhabitants(base: str) -> float:
    r = httpx.get(f"{base}/gemeente/GM0546.json?year=2021", timeout=60)
    assert r.status_code == 200, r.text[:300]
    return float(r.json()["inhabitants"]["value"])


def test_cli_reads_and_imports_while_the_server_answers(served: tuple[str, dict[str, str]],
                                                        tmp_path: Path) -> None:
    base, env = served
    assert _inhabitants(base) == 124093
    statuses: list[int] = []
    stop = threading.Event()

    def hammer() -> None:
        paths = ["/gemeente/GM0546.json?year=2021", "/wijk/WK054608.json", "/kaart.json", "/bronnen.json"]
        with httpx.Client(base_url=base, timeout=60) as client:
            i = 0
            while not stop.is_set():
                statuses.append(client.get(paths[i % len(paths)]).status_code)
                i += 1

    thread = threading.Thread(target=hammer)
    thread.start()
    try:
        shown = subprocess.run([*ROLTRAP, "show", "GM0546", "--year", "2021", "--format", "json"], env=env,
                               capture_output=True, text=True, timeout=120)
        assert shown.returncode == 0, shown.stderr
        assert '"value": 124093' in shown.stdout.replace("124093.0", "124093")
        csv = tmp_path / "leiden-2021.csv"
        csv.write_text(LEIDEN_2021, encoding="utf-8")
        imported = subprocess.run([*ROLTRAP, "import", str(csv)], env=env, capture_output=True, text=True,
                                  timeout=120)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        time.sleep(0.5)  # the hammer keeps going across the import
    finally:
        stop.set()
        thread.join(timeout=120)
    assert statuses and set(statuses) == {200}, sorted(set(statuses))
    # The running server shows the imported figure at once: no restart, no stale cache.
    assert _inhabitants(base) == 125000
    # And the CLI reads the new figure while the server keeps running.
    again = subprocess.run([*ROLTRAP, "show", "GM0546", "--year", "2021", "--format", "json"], env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "125000" in again.stdout
