"""Import benchmark: `roltrap import` of a KWB-layout CSV against plain DuckDB, in the same run.

    python bench/bench_import.py                       # 100k, 1M and 10M observations
    python bench/bench_import.py --sizes 1e5,1e6       # quicker
    python bench/bench_import.py --sizes 4.5e7         # a 250 MB file: the stated memory bound (< 1 GB)
    python bench/bench_import.py --layout statline     # a StatLine CSV met statistische symbolen

``--layout statline`` writes the same rows as a StatLine download instead (quoted cells padded with
spaces, region codes padded to 10 characters, ``1995JJ00`` periods, 50 user indicators
``Bevolking/Testvariabele N (aantal)``); it is read in chunks like a KWB file.

For each size a KWB-layout CSV (``;``, one row per buurt and year, one column per count indicator) is
written once into the work folder. Each measurement runs in a fresh child process on a fresh copy of a
store filled from the bundle, and reports the import's wall time and the child's peak memory (VmHWM):

- ``roltrap``: :meth:`roltrap.Roltrap.import_file` (read in chunks, every check, merge rules, report),
  with the default settings, so DuckDB is capped at ``import_memory_mb`` (400 MB) and spills beyond;
- ``duckdb``: the baseline, plain DuckDB ``read_csv`` + ``UNPIVOT`` + ``INSERT`` of the same file into
  the same observations table (no checks, no merge rules, no report).

The table shows observations per second, the ratios roltrap / DuckDB, and seconds per million
observations per size (constant when the import time is linear in the size).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "src" / "roltrap" / "data" / "catalogue.csv"
COLUMNS = 50
FIRST_YEAR = 1995


def count_indicators(n: int) -> list[str]:
    """The first ``n`` count indicators of the catalogue that cannot be negative."""
    sys.path.insert(0, str(ROOT / "src"))
    from roltrap.io.validate import signed_indicator

    out = []
    with CATALOGUE.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            text = f"{row['label']} {row['description']}"
            if row["kind"] == "count" and not signed_indicator(row["id"], text):
                out.append(row["id"])
    return out[:n]


#: Municipalities of the bench files (Leiden first); the others have no wijken numbered 10-99 and no
#: buurten in the bundle, so every row of a file is a new region.
GEMEENTEN = ("0546", "0003", "0005", "0007", "0009", "0010")
YEARS = 30  # 1995-2024: no year the importer refuses as in the future
PER_GEMEENTE = 9000 * YEARS


def write_file(path: Path, observations: int, columns: list[str]) -> int:
    """A KWB-layout CSV with about ``observations`` figures: 90 new wijken (WK….10-99, one row each
    without figures) and their buurten (100 each) over up to 30 years, first of Leiden, then of further
    municipalities as needed (up to 81M figures). Returns the number of observations (rows × columns)."""
    rnd = random.Random(42)
    rows = max(1, observations // len(columns))
    if rows > PER_GEMEENTE * len(GEMEENTEN):
        raise SystemExit(f"at most {PER_GEMEENTE * len(GEMEENTEN) * len(columns):,} observations")
    used = -(-rows // PER_GEMEENTE)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("gwb_code_10;regio;recs;jaar;" + ";".join(columns) + "\n")
        for gm in GEMEENTEN[:used]:
            for w in range(10, 100):
                fh.write(f"WK{gm}{w};Wijk {w};Wijk;1990;" + ";".join(["."] * len(columns)) + "\n")
        for i in range(rows):
            g, rest = divmod(i, PER_GEMEENTE)
            year, rest = divmod(rest, 9000)
            w, b = divmod(rest, 100)
            values = ";".join(str(rnd.randint(0, 5000)) for _ in columns)
            fh.write(f"BU{GEMEENTEN[g]}{w + 10:02d}{b:02d};Buurt {w + 10}-{b};Buurt;{FIRST_YEAR + year};"
                     f"{values}\n")
    return (rows + 90 * used) * len(columns)


def write_statline(path: Path, observations: int, columns: list[str]) -> int:
    """The rows of :func:`write_file` in the layout of a StatLine CSV met statistische symbolen
    (the columns are user indicators: their titles are not in the KWB catalogue)."""
    rnd = random.Random(42)
    rows = max(1, observations // len(columns))
    if rows > PER_GEMEENTE * len(GEMEENTEN):
        raise SystemExit(f"at most {PER_GEMEENTE * len(GEMEENTEN) * len(columns):,} observations")
    used = -(-rows // PER_GEMEENTE)
    empty = ";".join(['"        ."'] * len(columns))
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write('"Wijken en buurten";"Regioaanduiding/Codering (code)";"Perioden";'
                 + ";".join(f'"Bevolking/Testvariabele {c} (aantal)"' for c in range(len(columns))) + "\n")
        for gm in GEMEENTEN[:used]:
            for w in range(10, 100):
                fh.write(f'"Wijk {w}";"WK{gm}{w}  ";"1990JJ00";{empty}\n')
        for i in range(rows):
            g, rest = divmod(i, PER_GEMEENTE)
            year, rest = divmod(rest, 9000)
            w, b = divmod(rest, 100)
            values = ";".join(f'"{rnd.randint(0, 5000):>9}"' for _ in columns)
            fh.write(f'"Buurt {w + 10}-{b}";"BU{GEMEENTEN[g]}{w + 10:02d}{b:02d}";"{FIRST_YEAR + year}JJ00";'
                     f"{values}\n")
    return (rows + 90 * used) * len(columns)


_BASELINE = {
    "kwb": """
        INSERT INTO observations (region_code, year, indicator_id, value, source_id)
        SELECT gwb_code_10, CAST(jaar AS INTEGER), indicator_id, TRY_CAST(value AS DOUBLE), 'baseline'
        FROM (UNPIVOT (SELECT * EXCLUDE (regio, recs)
                       FROM read_csv(?, delim = ';', header = true, all_varchar = true))
              ON COLUMNS(* EXCLUDE (gwb_code_10, jaar)) INTO NAME indicator_id VALUE value)""",
    "statline": """
        INSERT INTO observations (region_code, year, indicator_id, value, source_id)
        SELECT trim(code), CAST(left(Perioden, 4) AS INTEGER), indicator_id, TRY_CAST(trim(value) AS DOUBLE),
               'baseline'
        FROM (UNPIVOT (SELECT * EXCLUDE ("Wijken en buurten", "Regioaanduiding/Codering (code)"),
                              "Regioaanduiding/Codering (code)" AS code
                       FROM read_csv(?, delim = ';', header = true, all_varchar = true))
              ON COLUMNS(* EXCLUDE (code, Perioden)) INTO NAME indicator_id VALUE value)""",
}


def _hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(kind: str, db: Path, path: Path, layout: str) -> None:
    """One measurement in this (fresh) process; prints a JSON line."""
    if kind == "roltrap":
        from roltrap import Roltrap

        rt = Roltrap(db)
        start = time.perf_counter()
        report = rt.import_file(path)
        took = time.perf_counter() - start
        rows = report.rows
        rt.close()
    else:
        import duckdb

        con = duckdb.connect(str(db))
        start = time.perf_counter()
        con.execute(_BASELINE[layout], [str(path)])
        took = time.perf_counter() - start
        row = con.execute("SELECT count(*) FROM observations WHERE source_id = 'baseline'").fetchone()
        rows = int(row[0]) if row else 0
        con.close()
    print(json.dumps({"seconds": took, "rows": rows, "hwm_mb": _hwm_mb()}))


def measure(kind: str, template: Path, path: Path, work: Path, layout: str) -> dict[str, float]:
    db = work / f"run-{kind}.duckdb"
    shutil.copy(template, db)
    env_python = sys.executable
    out = subprocess.run([env_python, __file__, "--child", kind, "--db", str(db), "--file", str(path),
                          "--layout", layout],
                         capture_output=True, text=True, check=False)
    db.unlink(missing_ok=True)
    if out.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1e5,1e6,1e7", help="observations per file, comma-separated")
    ap.add_argument("--workdir", type=Path, default=None, help="folder for the files (kept between runs)")
    ap.add_argument("--layout", choices=["kwb", "statline"], default="kwb",
                    help="file layout: KWB CSV (default) or StatLine CSV met statistische symbolen")
    ap.add_argument("--child", choices=["roltrap", "duckdb"], help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.db, args.file, args.layout)
        return
    sys.path.insert(0, str(ROOT / "src"))
    from roltrap import Roltrap

    work = args.workdir or Path(tempfile.mkdtemp(prefix="roltrap-bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    template = work / "template.duckdb"
    if not template.exists():
        Roltrap(template).close()
    columns = count_indicators(COLUMNS)
    from roltrap.settings import Settings

    what = "KWB-layout CSV" if args.layout == "kwb" else "StatLine CSV met statistische symbolen"
    print(f"{what}, {len(columns)} count columns; fresh child process and store copy per run; "
          f"roltrap with import_memory_mb={Settings().import_memory_mb}; work folder {work}")
    header = (f"{'observations':>12} {'file MB':>8} {'tool':>8} {'seconds':>8} {'obs/s':>10} {'peak MB':>8} "
              f"{'s per 1M':>9} {'× time':>7} {'× memory':>9}")
    print(header)
    print("-" * len(header))
    for size in (int(float(s)) for s in args.sizes.split(",")):
        path = work / f"{args.layout}-bench-{size}.csv"
        writer = write_file if args.layout == "kwb" else write_statline
        obs = writer(path, size, columns) if not path.exists() else \
            ((sum(1 for _ in path.open(encoding="utf-8")) - 1) * len(columns))
        mb = path.stat().st_size / 1e6
        base = measure("duckdb", template, path, work, args.layout)
        ours = measure("roltrap", template, path, work, args.layout)
        for kind, m in (("duckdb", base), ("roltrap", ours)):
            ratio_t = m["seconds"] / base["seconds"]
            ratio_m = m["hwm_mb"] / base["hwm_mb"]
            print(f"{obs:>12,} {mb:>8.1f} {kind:>8} {m['seconds']:>8.2f} {obs / m['seconds']:>10,.0f} "
                  f"{m['hwm_mb']:>8.0f} {m['seconds'] / obs * 1e6:>9.2f} {ratio_t:>7.2f} {ratio_m:>9.2f}")


if __name__ == "__main__":
    main()
