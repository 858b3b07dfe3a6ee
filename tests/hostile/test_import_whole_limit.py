"""Files read whole (every format but KWB text) are refused above a cell limit, before reading them:
that limit, not the file size, bounds the memory of such an import (about 200-250 bytes per cell)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from roltrap.cli.main import app
from roltrap.store import ORDER

WBK_HEAD = ["WK_CODE", "WK_NAAM", "GM_CODE", "GM_NAAM", "AANT_INW", "AANT_MAN", "AANT_VROUW", "JAAR"]
LIMIT = 400  # cells, set through the settings (ROLTRAP_IMPORT_MAX_WHOLE_CELLS)


def _digest(db: Path) -> tuple[object, ...]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out: list[object] = []
        for name in ORDER:
            out += list(con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {name} t").fetchone() or ())
        return tuple(out)
    finally:
        con.close()


@pytest.fixture
def db(bundled_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, copy)
    return copy


def _wbk(path: Path, rows: int) -> Path:
    """A Wijk- en Buurtkaart attribute file of Leiden's wijken WK054600.. (8 columns per row)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(WBK_HEAD)
        for i in range(rows):
            w.writerow([f"WK0546{i:02d}", f"Wijk {i}", "GM0546", "Leiden", 1000 + i, 500, 500 + i, 2022])
    return path


def _import(db: Path, path: Path) -> tuple[int, str]:
    res = CliRunner().invoke(app, ["--db", str(db), "import", str(path)],
                             env={"ROLTRAP_IMPORT_MAX_WHOLE_CELLS": str(LIMIT)})
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, res.output


def test_text_file_over_the_cell_limit_is_refused_and_nothing_changes(db: Path, tmp_path: Path) -> None:
    path = _wbk(tmp_path / "wijk_2022_v1_attributen_nl.csv", rows=51)  # 51 × 8 = 408 cells
    before = _digest(db)
    code, out = _import(db, path)
    assert code == 2, out
    assert path.name in out and "408 cellen" in out and "51 rijen × 8 kolommen" in out, out
    assert "ten hoogste 400 cellen hebben, zodat" in out and "Splits het bestand" in out, out
    assert _digest(db) == before


def test_text_file_at_the_cell_limit_is_imported(db: Path, tmp_path: Path) -> None:
    path = _wbk(tmp_path / "wijk_2022_v1_attributen_nl.csv", rows=50)  # exactly 400 cells
    code, out = _import(db, path)
    assert code == 0, out
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("SELECT value FROM observations WHERE region_code = 'WK054649' AND year = 2022 "
                          "AND indicator_id = 'a_inw'").fetchone()
    finally:
        con.close()
    assert row == (1049.0,)


def test_workbook_over_the_cell_limit_is_refused_before_it_is_parsed(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "kwb-2021.xlsx"
    frame = pd.DataFrame({"gwb_code_10": [f"WK0546{i:02d}" for i in range(60)],
                          "regio": [f"Wijk {i}" for i in range(60)], "recs": ["Wijk"] * 60,
                          "a_inw": range(60), "a_man": range(60), "a_vrouw": range(60),
                          "a_00_14": range(60)})
    frame.to_excel(path, index=False)  # 60 rows × 7 columns = 420 cells
    before = _digest(db)
    code, out = _import(db, path)
    assert code == 2, out
    assert "420 cellen" in out and "Excel" in out and path.name in out, out
    assert _digest(db) == before


def test_chunked_kwb_text_knows_no_cell_limit(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "kwb-2021.csv"
    lines = ["gwb_code_10;regio;recs;a_inw;a_man;a_vrouw;a_00_14"]
    lines += [f"WK0546{i:02d};Wijk {i};Wijk;{100 + i};{i};{i};{i}" for i in range(80)]  # 560 cells
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = _import(db, path)
    assert code == 0, out


def test_odata_json_over_the_cell_limit_is_refused(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "85984NED.json"
    rows = [{"ID": i, "WijkenEnBuurten": f"WK0546{i:02d}", "SoortRegio_2": "Wijk",
             "Codering_3": f"WK0546{i:02d}", "AantalInwoners_5": 1000 + i, "Mannen_6": 500,
             "Vrouwen_7": 500 + i, "Perioden": "2024JJ00"}
            for i in range(51)]  # 51 rows × 8 keys = 408 cells
    path.write_text(json.dumps(rows), encoding="utf-8")
    before = _digest(db)
    code, out = _import(db, path)
    assert code == 2, out
    assert "408 cellen" in out and "OData-JSON" in out and path.name in out and "niets opgeslagen" in out, out
    assert _digest(db) == before
    path.write_text(json.dumps(rows[:50]), encoding="utf-8")  # 400 cells: read
    code, out = _import(db, path)
    assert code == 0, out
