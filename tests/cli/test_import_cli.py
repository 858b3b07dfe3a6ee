"""``roltrap import`` and ``roltrap sources`` end to end, on a private copy of the bundled store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from roltrap.cli.main import app

FORMATS = Path(__file__).parents[1] / "io" / "data" / "formats"
LEIDEN = FORMATS / "statline_leiden_2021.csv"


@pytest.fixture
def db(bundled_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, copy)
    return copy


def _run(db: Path, *args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, ["--db", str(db), *args])
    assert "Traceback" not in res.output
    return res.exit_code, res.output


def test_import_prints_a_dutch_report_and_sources_list_it(db: Path) -> None:
    code, out = _run(db, "import", str(LEIDEN))
    assert code == 0, out
    assert "Geïmporteerd: statline_leiden_2021.csv (formaat statline)" in out
    assert "Geladen: 24 rijen" in out and "jaren 2021" in out
    assert "Overgeslagen (1)" in out and "Motorvoertuigen/Fietsen (aantal)" in out
    code, out = _run(db, "sources", "--format", "json")
    assert code == 0
    src = {s["id"]: s for s in json.loads(out)}["cbs-statline-statline-leiden-2021"]
    assert (src["licence"], src["attribution"], src["rows_loaded"]) == ("CC BY 4.0", "Bron: CBS", 24)
    code, out = _run(db, "show", "WK054609", "--year", "2021", "--format", "json")
    assert json.loads(out)["indicators"]["p_hh_110"]["value"] == pytest.approx(7.8)


def test_explicit_format(db: Path) -> None:
    code, out = _run(db, "import", str(LEIDEN), "--format", "statline")
    assert code == 0, out


@pytest.mark.parametrize(("args", "message"), [
    (["import", "bestaat-niet.csv"], "Bestand niet gevonden"),
    (["import", str(LEIDEN), "--format", "parquet"], "Onbekend formaat 'parquet'"),
    (["import", str(FORMATS)], "is een map"),
])
def test_usage_mistakes_exit_non_zero(db: Path, args: list[str], message: str) -> None:
    code, out = _run(db, *args)
    assert code != 0
    assert message in out and "Tip:" in out


def test_wrong_explicit_format_is_a_clear_error(db: Path, tmp_path: Path) -> None:
    p = tmp_path / "kwb-2021.csv"
    p.write_text("gwb_code_10,regio,a_inw\nGM0546,Leiden,124093\n", encoding="utf-8")
    code, out = _run(db, "import", str(p), "--format", "statline")
    assert code == 2
    assert "mist verplichte kolom" in out and "Regioaanduiding/Codering (code)" in out


def test_windows_1252_kwb_excerpt_imports(db: Path, tmp_path: Path) -> None:
    # Excel on Windows saves "CSV" as Windows-1252 with semicolons; the names must survive intact.
    f = tmp_path / "kwb-2025.csv"
    f.write_bytes(
        "gwb_code_10;regio;recs;a_inw\n"
        "GM0518;'s-Gravenhage;Gemeente;566221\n"
        "GM1900;Súdwest-Fryslân;Gemeente;91861\n".encode("cp1252")
    )
    code, out = _run(db, "import", str(f))
    assert code == 0, out
    assert "formaat kwb" in out and "Windows-1252" in out
    assert "Geladen: 2 rijen" in out
    code, out = _run(db, "show", "GM1900", "--year", "2025", "--format", "json")
    assert code == 0, out
    shown = json.loads(out)
    assert shown["name"] == "Súdwest-Fryslân"
    assert shown["indicators"]["a_inw"]["value"] == 91861
