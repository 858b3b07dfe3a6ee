"""Hostile person-year inputs for ``roltrap cohort analyse`` and bad ``cohort synth`` runs.

Each case: exit code 2, no traceback, a Dutch message naming the file, the row (file line number)
and the column, no identifying value echoed, and nothing written (the input folder and the store
are as they were).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from roltrap.cli.main import app

A, B = "WK054600", "WK054601"
# Nine-digit numbers that pass the elfproef (valid BSNs; 111222333 is the usual test number).
BSNS = ["111222333", "123456782", "999999990"]


def _elfproef(s: str) -> bool:
    s = s.zfill(9)
    return sum(int(d) * w for d, w in zip(s, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True)) % 11 == 0


def _rows(n: int = 30, years: range = range(2005, 2009)) -> pd.DataFrame:
    rows = []
    for i in range(n):
        for k, y in enumerate(years):
            rows.append({"person_id": f"p{i:04d}", "year": y, "region_code": A if i % 2 else B,
                         "age": 30 + k, "income_percentile": 40.0 + k})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def store(bundled_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("hostile-cohort") / "store.duckdb"
    shutil.copy(bundled_db, db)
    return db


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _analyse(store: Path, path: Path, *extra: str) -> tuple[int, str]:
    before_store = hashlib.sha256(store.read_bytes()).hexdigest()
    folder = path if path.is_dir() else path.parent
    before = _digest(folder) if folder.exists() else {}
    r = CliRunner().invoke(app, ["--db", str(store), "cohort", "analyse", "--input", str(path),
                                 "--follow", "3", "--reps", "10", "--format", "json", *extra])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert "Traceback" not in r.output
    assert (_digest(folder) if folder.exists() else {}) == before  # nothing written beside the input
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before_store
    return r.exit_code, r.output


def _refused(store: Path, path: Path, *needles: str) -> str:
    code, out = _analyse(store, path)
    assert code == 2, out
    flat = " ".join(out.split())
    assert path.name in flat, out
    for n in needles:
        assert n in flat, (n, out)
    return flat


def _csv(tmp_path: Path, df: pd.DataFrame, name: str = "py.csv") -> Path:
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


def test_valid_bsns_as_person_ids_refused_without_showing_them(store: Path, tmp_path: Path) -> None:
    assert all(_elfproef(b) for b in BSNS)
    df = _rows()
    df.loc[df["person_id"] == "p0003", "person_id"] = BSNS[0]  # 4 rows: lines 14–17
    df.loc[df["person_id"] == "p0007", "person_id"] = BSNS[1]
    out = _refused(store, _csv(tmp_path, df), "elfproef", "2 persoonsnummers", "rij 14", "person_id")
    assert not any(b in out for b in BSNS)


def test_bsns_in_an_integer_parquet_column_refused(store: Path, tmp_path: Path) -> None:
    df = _rows(n=12)
    df["person_id"] = [int(BSNS[2]) if i < 4 else 10_000 + i for i in range(len(df))]
    path = tmp_path / "ids.parquet"
    df.to_parquet(path, index=False)
    out = _refused(store, path, "elfproef", "rij 2", "person_id")
    assert BSNS[2] not in out


def test_pseudonyms_that_are_not_bsns_pass(store: Path, tmp_path: Path) -> None:
    df = _rows()
    def pseudonym(p: str) -> str:
        n = int(p[1:]) * 7 + 100000001
        return str(n + 1 if _elfproef(str(n)) else n)  # numeric, nine digits, but no BSN

    df["person_id"] = df["person_id"].map(pseudonym)
    assert not df["person_id"].map(_elfproef).any()
    code, out = _analyse(store, _csv(tmp_path, df))
    assert code == 0, out


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        (pa.array(list(range(120)), pa.int64()), "geheel getal"),
        (pa.array([{"code": "WK054600"}] * 120), "struct"),
        (pa.array([["WK054600"]] * 120), "lijst"),
    ],
    ids=["integer", "struct", "list"],
)
def test_region_code_of_another_type_in_parquet(store: Path, tmp_path: Path, values: pa.Array,
                                                needle: str) -> None:
    df = _rows()
    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.set_column(table.schema.get_field_index("region_code"), "region_code", values)
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)
    _refused(store, path, "region_code", needle, "verwacht")


def test_struct_age_in_parquet(store: Path, tmp_path: Path) -> None:
    df = _rows()
    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.set_column(table.schema.get_field_index("age"), "age", pa.array([{"v": 3}] * len(df)))
    path = tmp_path / "age.parquet"
    pq.write_table(table, path)
    _refused(store, path, "'age'", "struct")


def test_bad_age_on_line_250001_is_reported_as_line_250001_every_run(store: Path, tmp_path: Path) -> None:
    n = 300_000
    df = pd.DataFrame({"person_id": [f"q{i}" for i in range(n)], "year": 2005,
                       "region_code": A, "age": "30"})
    df.loc[250_000 - 1, "age"] = "dertig"  # data row 250,000 = file line 250,001 (line 1 is the header)
    path = _csv(tmp_path, df, "big.csv")
    for _ in range(3):
        _refused(store, path, "rij 250001", "'age'", "geen geheel getal")


def test_rows_in_the_second_file_of_a_folder_are_its_own_line_numbers(store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "parts"
    folder.mkdir()
    df = _rows()
    df[df["year"] < 2007].to_csv(folder / "a.csv", index=False)
    late = df[df["year"] >= 2007].reset_index(drop=True)
    late.loc[4, "age"] = 150  # line 6 of b.csv
    late.to_csv(folder / "b.csv", index=False)
    out = _refused(store, folder, "b.csv, rij 6", "onmogelijke leeftijd")
    assert "a.csv, rij" not in out


def _bad(tmp_path: Path, row: int, column: str, value: object) -> Path:
    df = _rows().astype({column: object})
    df.loc[row, column] = value
    return _csv(tmp_path, df, "bad.csv")


def test_age_not_a_number(store: Path, tmp_path: Path) -> None:
    _refused(store, _bad(tmp_path, 3, "age", "oud"), "rij 5", "'age'", "geen geheel getal")


def test_impossible_age(store: Path, tmp_path: Path) -> None:
    _refused(store, _bad(tmp_path, 0, "age", 150), "rij 2", "onmogelijke leeftijd")


def test_year_not_a_number(store: Path, tmp_path: Path) -> None:
    _refused(store, _bad(tmp_path, 7, "year", "twee"), "rij 9", "'year'")


def test_impossible_year(store: Path, tmp_path: Path) -> None:
    _refused(store, _bad(tmp_path, 2, "year", 3005), "rij 4", "onmogelijk jaar")


def test_region_code_not_a_code(store: Path, tmp_path: Path) -> None:
    _refused(store, _bad(tmp_path, 5, "region_code", "Leiden-Noord"), "rij 7", "'region_code'")


def test_unknown_wijk(store: Path, tmp_path: Path) -> None:
    _refused(store, _bad(tmp_path, 1, "region_code", "WK999999"), "rij 3", "onbekende wijk")


def test_income_percentile_out_of_range(store: Path, tmp_path: Path) -> None:
    _refused(store, _bad(tmp_path, 9, "income_percentile", 140), "rij 11", "'income_percentile'", "0–100")


def test_missing_person_id(store: Path, tmp_path: Path) -> None:
    _refused(store, _bad(tmp_path, 4, "person_id", ""), "rij 6", "persoonsnummer ontbreekt")


def test_duplicate_person_year_does_not_echo_the_id(store: Path, tmp_path: Path) -> None:
    df = _rows()
    df = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    df.loc[len(df) - 1, "person_id"] = "geheim-007"
    df.loc[0, "person_id"] = "geheim-007"
    out = _refused(store, _csv(tmp_path, df), "dubbel persoon-jaar", "rij 2")
    assert "geheim-007" not in out


def test_missing_columns_named(store: Path, tmp_path: Path) -> None:
    _refused(store, _csv(tmp_path, _rows().drop(columns=["region_code", "age"])), "region_code, age")


def test_header_only_file(store: Path, tmp_path: Path) -> None:
    _refused(store, _csv(tmp_path, _rows().iloc[0:0]), "geen rijen")


def test_ragged_csv_line_does_not_echo_the_line(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("person_id,year,region_code,age\np1,2005,WK054600,30\np2,2005,WK054600,31,111222333,extra\n",
                    encoding="utf-8")
    code, out = _analyse(store, path)
    assert code == 2, out
    assert "ragged.csv" in " ".join(out.split()) and "111222333" not in out


def test_not_a_parquet_file(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "fake.parquet"
    path.write_bytes(b"PK\x03\x04 this is a zip, not parquet" * 50)
    _refused(store, path, "niet lezen")


def test_mixed_formats_in_one_folder(store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    _rows().to_csv(folder / "a.csv", index=False)
    _rows().to_parquet(folder / "b.parquet", index=False)
    _refused(store, folder, "mengt Parquet- en CSV")


def test_input_that_does_not_exist(store: Path, tmp_path: Path) -> None:
    code, out = _analyse(store, tmp_path / "nergens")
    assert code == 2 and "bestaat niet" in out


def test_bad_gemeente_column(store: Path, tmp_path: Path) -> None:
    df = _rows().assign(gemeente="GM0546")
    df.loc[6, "gemeente"] = "Leiden"
    _refused(store, _csv(tmp_path, df), "rij 8", "'gemeente'", "geen gemeentecode")


# -- synth --------------------------------------------------------------------------------------

def _synth(store: Path, out: Path, *extra: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, ["--db", str(store), "cohort", "synth", "--out", str(out), *extra])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert "Traceback" not in r.output
    return r.exit_code, r.output


def test_synth_years_backwards_writes_nothing(store: Path, tmp_path: Path) -> None:
    code, out = _synth(store, tmp_path / "s", "--years", "2010-2005")
    assert code == 2 and "Jaren" in out
    assert list(tmp_path.iterdir()) == []


def test_synth_into_a_non_empty_folder_leaves_it_alone(store: Path, tmp_path: Path) -> None:
    target = tmp_path / "s"
    target.mkdir()
    (target / "keep.txt").write_text("mine", encoding="utf-8")
    code, out = _synth(store, target, "--scale", "0.01", "--years", "2005-2006")
    assert code == 2 and "niet leeg" in out
    assert _digest(target) == {"keep.txt": hashlib.sha256(b"mine").hexdigest()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]  # no hidden temp folder


def test_synth_cleans_temp_folders_of_killed_runs(store: Path, tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".s.tmp-{dead.pid}"
    (stale / "part").mkdir(parents=True)
    code, out = _synth(store, tmp_path / "s", "--scale", "0.01", "--years", "2005-2006")
    assert code == 0, out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


def _cli() -> list[str]:
    return [sys.executable, "-m", "roltrap"]


@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "term"]
)
def test_synth_interrupted_exits_promptly_and_leaves_nothing(store: Path, tmp_path: Path, sig: int,
                                                             code: int) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(store, db)
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "ROLTRAP_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "100"}
    proc = subprocess.Popen([*_cli(), "--db", str(db), "cohort", "synth", "--out", str(work / "big"),
                             "--scale", "3", "--years", "2005-2022"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 120
    while not any(work.iterdir()) and time.monotonic() < deadline:  # the temp folder exists: writing
        time.sleep(0.1)
    time.sleep(1.0)
    proc.send_signal(sig)
    t0 = time.monotonic()
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - t0 < 20  # promptly
    text = err.decode()
    assert proc.returncode == code, text
    assert "Traceback" not in text and "Afgebroken" in text
    assert list(work.iterdir()) == []  # neither the folder nor a hidden temp folder
