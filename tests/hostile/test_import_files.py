"""Hostile import files: each ends in one Dutch message and exit 2, with the store exactly as it was."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from roltrap.cli.main import app


def fingerprint(db: Path) -> tuple[object, ...]:
    """What an import could change: row counts and a checksum of every value."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        obs = con.execute("SELECT count(*), sum(hash(region_code, year, indicator_id, value)) "
                          "FROM observations").fetchone()
        other = [con.execute(f"SELECT count(*) FROM {t}").fetchone()
                 for t in ("regions", "sources", "indicators", "geometries", "flows")]
    finally:
        con.close()
    return (obs, *other)


def zip_without_sheet(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "geen werkblad")
    return path


def deeply_nested_json(path: Path) -> Path:
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    return path


CASES = {
    "xlsx zonder werkblad": (zip_without_sheet, "kwb-2023.xlsx", "zonder Excel-werkblad"),
    "diep geneste JSON": (deeply_nested_json, "tabel.json", "te diep genest"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_file_is_refused_and_changes_nothing(case: str, bundled_db: Path, tmp_path: Path) -> None:
    make, name, expected = CASES[case]
    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, db)
    before = fingerprint(db)
    result = CliRunner().invoke(app, ["--db", str(db), "import", str(make(tmp_path / name))],
                                catch_exceptions=False)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert name in result.output and expected in result.output
    assert fingerprint(db) == before
