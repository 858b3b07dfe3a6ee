"""Start-up benchmark: CLI commands and the web app's first page, against interpreter baselines measured in
the same run (issue 12, target 4: `roltrap --help` and `roltrap show` under 0.5 s; `roltrap serve` on an
empty data folder answers its first page in under 2 s).

    .venv/bin/python bench/bench_startup.py                 # best of 5; serve with as many workers as cores
    .venv/bin/python bench/bench_startup.py --repeat 9 --workers 2
    .venv/bin/python bench/bench_startup.py --before OLD/src    # also an older roltrap, interleaved

Every figure is wall time of a fresh process. The baselines (`python -c pass`, `import duckdb`, `import
pandas`) show what the machine gives at this moment: on a busy machine every line grows by about the same
factor, so compare the ratios. "First use" starts `roltrap serve` on an empty data folder twice: with this
installation's store template in place (the normal case after the first run), and with an empty template
folder as well (a brand-new installation, which builds the template once); each against `import pandas`
timed just before it (the page needs pandas; idle, `import pandas` takes about 0.35 s here). Those runs
are repeated (``--serve-repeat``, the variants taking turns, the best counts), and each also gives the
CPU seconds the server's processes used until the first page: on a shared machine the wall time
follows the load, the CPU time much less.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PY = sys.executable
ROLTRAP = [PY, "-m", "roltrap"]
HEAVY = ("pandas", "numpy", "pyarrow", "ibis", "fastapi", "altair", "scipy", "pydantic")
PROBE = ("import json, sys\nfrom roltrap.cli.main import run\nsys.argv = ['roltrap', *sys.argv[1:]]\n"
         "try:\n    run()\nexcept SystemExit:\n    pass\n"
         f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)\n")


def _best(cmd: list[str], env: dict[str, str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return min(times)


def _loaded(args: list[str], env: dict[str, str]) -> list[str]:
    proc = subprocess.run([PY, "-c", PROBE, *args], env=env, capture_output=True, text=True, check=True)
    out: list[str] = json.loads(proc.stderr.strip().splitlines()[-1])
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its living children (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(stat.parent.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
                total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _first_page(env: dict[str, str], workers: int) -> tuple[float, float, float]:
    """Seconds from starting ``roltrap serve`` to the first 200 on /, that request's own time, and the
    CPU seconds the server's processes used until then (less sensitive to a busy machine)."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc = subprocess.Popen([*ROLTRAP, "serve", "--port", str(port), "--workers", str(workers)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            t1 = time.perf_counter()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/", timeout=60).status_code == 200:
                    now = time.perf_counter()
                    return now - t0, now - t1, _cpu_s(proc.pid)
            if proc.poll() is not None or time.perf_counter() - t0 > 180:
                raise SystemExit("roltrap serve did not start")
            time.sleep(0.01)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="runs per command (the best is shown)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="server processes")
    ap.add_argument("--serve-repeat", type=int, default=3,
                    help="first-use runs per variant (the best is shown)")
    ap.add_argument("--before", type=Path, help="the src folder of an older roltrap (from `git archive`); "
                                                "its commands are timed in the same run (PYTHONPATH)")
    args = ap.parse_args()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine load (1/5/15 min): {load} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ROLTRAP_DATA_DIR": str(Path(tmp) / "data")}
        for name in ("ROLTRAP_DB", "ROLTRAP_READ_ONLY"):
            env.pop(name, None)
        subprocess.run([*ROLTRAP, "show", "GM0546"], env=env, check=True, capture_output=True)  # build once
        variants = {"": env}
        if args.before is not None:
            old_env = {**env, "PYTHONPATH": str(args.before.resolve()),
                       "ROLTRAP_DATA_DIR": str(Path(tmp) / "data-before")}
            subprocess.run([*ROLTRAP, "show", "GM0546"], env=old_env, check=True, capture_output=True)
            variants["before: "] = old_env
        rows: list[tuple[str, float]] = []
        for label, cmd in (("python -c pass", [PY, "-c", "pass"]),
                           ("python -c 'import duckdb'", [PY, "-c", "import duckdb"]),
                           ("python -c 'import pandas'", [PY, "-c", "import pandas"]),
                           ("roltrap --help", [*ROLTRAP, "--help"]),
                           ("roltrap show GM0546", [*ROLTRAP, "show", "GM0546"]),
                           ("roltrap show WK054608 -f json", [*ROLTRAP, "show", "WK054608", "-f", "json"])):
            for prefix, var_env in variants.items():
                if prefix and not label.startswith("roltrap"):
                    continue
                rows.append((prefix + label, _best(cmd, var_env, args.repeat)))
        duck = dict(rows)["python -c 'import duckdb'"]
        print(f"\n{'command (best of ' + str(args.repeat) + ')':<42}{'s':>7}{'× import duckdb':>17}  target")
        for label, secs in rows:
            target = "< 0.5 s" if label.startswith("roltrap") else ""
            print(f"{label:<42}{secs:>7.3f}{secs / duck:>16.1f}×  {target}")
        print(f"heavy modules loaded by `roltrap --help`: {_loaded(['--help'], env) or 'none'}; "
              f"by `roltrap show GM0546`: {_loaded(['show', 'GM0546'], env) or 'none'}")

        print(f"\nfirst use: `roltrap serve --workers {args.workers}` on an empty data folder → first page "
              f"(best of {args.serve_repeat}, the variants taking turns)")
        runs = [("template in place", False, env), ("new installation", True, env)]
        if args.before is not None:
            # The older roltrap's own template folder: built by its first run, then in place.
            before_env = {**variants["before: "], "ROLTRAP_TEMPLATE_DIR": str(Path(tmp) / "template-before")}
            runs[1:1] = [("before, template in place", False, before_env)]
            runs.append(("before, new installation", True, before_env))
            with tempfile.TemporaryDirectory() as empty:
                _first_page({**before_env, "ROLTRAP_DATA_DIR": str(Path(empty) / "data")}, args.workers)
        best: dict[str, tuple[float, float, float, float]] = {}
        for _ in range(args.serve_repeat):
            for label, fresh_template, base_env in runs:
                with tempfile.TemporaryDirectory() as empty:
                    run_env = {**base_env, "ROLTRAP_DATA_DIR": str(Path(empty) / "data")}
                    if fresh_template:
                        run_env["ROLTRAP_TEMPLATE_DIR"] = str(Path(empty) / "template")
                    # The load drifts within a run: the baseline is taken right before each start.
                    pandas_s = _best([PY, "-c", "import pandas"], env, 3)
                    total, request, cpu = _first_page(run_env, args.workers)
                if label not in best or total < best[label][0]:
                    best[label] = (total, request, cpu, pandas_s)
        print(f"  {'':<26}{'s':>7}{'request ms':>12}{'server CPU s':>14}{'× import pandas':>17}  target")
        for label, (total, request, cpu, pandas_s) in best.items():
            print(f"  {label:<26}{total:7.2f}{request * 1000:12.0f}{cpu:14.2f}{total / pandas_s:16.1f}×  "
                  f"< 2 s (import pandas just before: {pandas_s:.2f} s)")
        print(f"machine load at the end (1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
