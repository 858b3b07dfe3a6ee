"""Web benchmark: requests/s and p50/p95 per page against /health, at 1, 4 and 16 clients, in one run.

The app runs as ``roltrap serve`` in a second process (loopback, a free port, an empty data folder in
a temp directory, so the run also times first use: store built from the bundle, first page answered);
this process drives it over plain keep-alive connections (a lean client, so the client's own CPU does not
flatten the ratios). Each route is measured in short slices, each right after a slice of /health, and its
ratio is the median of those adjacent ratios (the machine is shared; load drifts).

    .venv/bin/python bench/bench_web.py                       # pages × 1/4/16 clients, 3 s each
    .venv/bin/python bench/bench_web.py --seconds 10 --workers 2
    .venv/bin/python bench/bench_web.py --load                # 50 clients for 60 s over every page
    .venv/bin/python bench/bench_web.py --startup             # first use and CLI start-up times only
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import httpx

ROUTES = ["/health", "/", "/gemeente/GM0546.json", "/wijk/WK054608", "/wijk/WK054608.json", "/nabijheid",
          "/nabijheid.json", "/roltrap", "/roltrap.json",
          "/kaart", "/kaart.json", "/vergelijk?codes=WK054603,WK054608,GM0546", "/bronnen"]
ROLTRAP = [sys.executable, "-m", "roltrap"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _server(workers: int) -> Iterator[tuple[str, float, float]]:
    """Start ``roltrap serve`` on an empty data folder; yield (base URL, s to /health, s to first page)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ROLTRAP_DATA_DIR": tmp}
        for name in ("ROLTRAP_DB", "ROLTRAP_READ_ONLY"):
            env.pop(name, None)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        t0 = time.perf_counter()
        proc = subprocess.Popen([*ROLTRAP, "serve", "--port", str(port), "--workers", str(workers)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            up = first = 0.0
            while True:
                try:
                    if httpx.get(f"{base}/", timeout=30).status_code == 200:
                        first = time.perf_counter() - t0
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.perf_counter() - t0 > 120:
                    raise SystemExit("the app did not start")
                time.sleep(0.02)
            up = first
            yield base, up, first
        finally:
            proc.terminate()
            proc.wait(timeout=20)


class _Conn:
    """One keep-alive HTTP/1.1 connection with just enough parsing to time the server, not the client.

    httpx spends more CPU per request than a cached page costs the server, and it shares the same two
    cores, so it flattened every ratio toward 1. This reads the status line, the headers up to the blank
    line and exactly Content-Length bytes (every roltrap page has one); anything else is an error."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            sock = self.writer.get_extra_info("socket")
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        assert self.reader is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nAccept: */*\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = next((int(v) for k, _, v in (ln.partition(b":") for ln in lines[1:])
                       if k.strip().lower() == b"content-length"), None)
        if length is None:
            raise ValueError("no Content-Length")
        await self.reader.readexactly(length)
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()


async def _drive(base: str, paths: list[str], *, seconds: float, clients: int) -> dict[str, float]:
    """``clients`` connections requesting ``paths`` in turn for ``seconds``: req/s, p50/p95/max, errors."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = 0
    conns = [_Conn(host, int(port)) for _ in range(clients)]
    for p in paths:
        await conns[0].get(p)  # warm the caches: we measure steady state
    stop = time.perf_counter() + seconds

    async def worker(i: int) -> None:
        nonlocal errors
        n = i
        conn = conns[i]
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                if await conn.get(paths[n % len(paths)]) != 200:
                    errors += 1
            except (OSError, ValueError, asyncio.IncompleteReadError):
                errors += 1
                await conn.close()
                conns[i] = conn = _Conn(host, int(port))
            latencies.append(time.perf_counter() - t0)
            n += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(clients)))
    elapsed = time.perf_counter() - t0
    for c in conns:
        await c.close()
    qs = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "p50_ms": qs[49] * 1000,
            "p95_ms": qs[94] * 1000, "max_ms": max(latencies) * 1000, "errors": errors}


def _interleaved(base: str, routes: list[str], *, seconds: float, clients: int,
                 rounds: int) -> dict[str, dict[str, float]]:
    """Each route in ``rounds`` short slices, each slice right after one of /health (``routes[0]``).

    The machine is shared: a slow minute would otherwise fall on whichever route ran then. The ratio
    of a route is the median over its slices of (its req/s ÷ the adjacent /health req/s)."""
    health = routes[0]
    per = seconds / rounds
    slices: dict[str, list[dict[str, float]]] = {p: [] for p in routes}
    ratios: dict[str, list[float]] = {p: [] for p in routes}
    for _ in range(rounds):
        for p in routes[1:]:
            h = asyncio.run(_drive(base, [health], seconds=per, clients=clients))
            r = asyncio.run(_drive(base, [p], seconds=per, clients=clients))
            slices[health].append(h)
            slices[p].append(r)
            ratios[p].append(r["rps"] / h["rps"])
    out: dict[str, dict[str, float]] = {}
    for p, got in slices.items():
        lat_p95 = statistics.median(g["p95_ms"] for g in got)
        out[p] = {"rps": statistics.median(g["rps"] for g in got),
                  "p50_ms": statistics.median(g["p50_ms"] for g in got), "p95_ms": lat_p95,
                  "max_ms": max(g["max_ms"] for g in got), "errors": sum(g["errors"] for g in got),
                  "ratio": statistics.median(ratios[p]) if ratios[p] else 1.0}
    return out


def _cli_times(repeat: int = 3) -> dict[str, float]:
    """Median wall time of ``roltrap --help`` and ``roltrap show`` on a built store."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ROLTRAP_DATA_DIR": tmp}
        env.pop("ROLTRAP_DB", None)
        subprocess.run([*ROLTRAP, "show", "GM0546"], env=env, check=True, capture_output=True)
        out = {}
        for name, args in (("roltrap --help", ["--help"]), ("roltrap show GM0546", ["show", "GM0546"])):
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                subprocess.run([*ROLTRAP, *args], env=env, check=True, capture_output=True)
                times.append(time.perf_counter() - t0)
            out[name] = statistics.median(times)
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=3.0, help="time per route and client count")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved slices per route (with /health)")
    ap.add_argument("--clients", default="1,4,16", help="comma-separated client counts")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="server processes")
    ap.add_argument("--routes", default=" ".join(ROUTES), help="space-separated paths; /health first")
    ap.add_argument("--load", action="store_true", help="load test: 50 clients, 60 s, every route")
    ap.add_argument("--load-clients", type=int, default=50)
    ap.add_argument("--load-seconds", type=float, default=60.0)
    ap.add_argument("--startup", action="store_true", help="only first use and CLI start-up times")
    args = ap.parse_args()

    with _server(args.workers) as (base, _up, first):
        print(f"first use: empty data folder → first page answered in {first:.2f} s "
              f"(target < 2 s; workers {args.workers})")
        if args.startup:
            pass
        elif args.load:
            paths = args.routes.split()
            r = asyncio.run(_drive(base, paths, seconds=args.load_seconds, clients=args.load_clients))
            print(f"machine load (1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            print(f"load: {args.load_clients} clients, {args.load_seconds:.0f} s, {len(paths)} routes: "
                  f"{r['requests']:.0f} requests, {r['rps']:.1f} req/s, p50 {r['p50_ms']:.1f} ms, "
                  f"p95 {r['p95_ms']:.1f} ms, max {r['max_ms']:.0f} ms, errors {r['errors']:.0f}")
        else:
            routes = args.routes.split()
            clients = [int(c) for c in args.clients.split(",")]
            print(f"machine load (1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
                  f"{args.rounds} interleaved slices per route, ratio = median of (route ÷ adjacent /health)")
            print(f"{'route':<44}{'clients':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
                  f"{'vs health':>11}{'errors':>8}")
            for n in clients:
                results = _interleaved(base, routes, seconds=args.seconds, clients=n, rounds=args.rounds)
                for path, r in results.items():
                    print(f"{path:<44}{n:>8}{r['rps']:>9.1f}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}"
                          f"{r['max_ms']:>9.0f}{r['ratio']:>10.2f}x{r['errors']:>8.0f}")
    for name, secs in _cli_times().items():
        print(f"{name:<24} {secs:.2f} s (target < 0.5 s)")


if __name__ == "__main__":
    main()
