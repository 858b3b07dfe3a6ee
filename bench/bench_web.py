"""Load benchmark of the web app: requests/s and p50/p95 latency per route, /health as baseline.

The app runs in a second process (uvicorn on loopback, a free port, a fresh store built from the
bundle in a temp folder); this process drives it with httpx, one route at a time, for a bounded
time per route. Run: ``.venv/bin/python bench/bench_web.py [--seconds 10] [--concurrency 4]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROUTES = ["/health", "/wijk/WK054608", "/wijk/WK054608.json", "/kaart.json"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _drive(base: str, path: str, *, seconds: float, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            r = await client.get(path)
            latencies.append(time.perf_counter() - t0)
            if r.status_code != 200:
                errors += 1

    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await client.get(path)  # warm the caches: we measure steady state
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
    qs = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "p50_ms": qs[49] * 1000,
            "p95_ms": qs[94] * 1000, "errors": errors}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=10.0, help="time per route")
    ap.add_argument("--concurrency", type=int, default=4)
    args = ap.parse_args()
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ROLTRAP_DB": str(Path(tmp) / "bench.duckdb"), "ROLTRAP_DATA_DIR": tmp}
        # Build the store first (the server then opens it read-only, as a deployment would).
        subprocess.run([sys.executable, "-c", "from roltrap.core import Roltrap; Roltrap().close()"],
                       env=env, check=True)
        env["ROLTRAP_READ_ONLY"] = "true"
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "roltrap.web.app:create_app", "--factory", "--host",
             "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"],
            env=env, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("the app did not start")
                time.sleep(0.2)
            results = {p: asyncio.run(_drive(base, p, seconds=args.seconds, concurrency=args.concurrency))
                       for p in ROUTES}
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    base_rps = results["/health"]["rps"]
    print(f"{'route':<24}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'vs health':>11}"
          f"{'errors':>8}")
    for path, r in results.items():
        print(f"{path:<24}{r['requests']:>10.0f}{r['rps']:>10.1f}{r['p50_ms']:>10.1f}{r['p95_ms']:>10.1f}"
              f"{r['rps'] / base_rps:>10.2f}x{r['errors']:>8.0f}")


if __name__ == "__main__":
    main()
