"""The command line speaks Dutch: headers, Click's and pydantic's messages, numbers; files via
``--format csv|xlsx --out``, safe for Excel."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from roltrap.cli.main import app


def _headers(text: str) -> list[str]:
    line = next(ln for ln in text.splitlines() if ln.startswith("┃"))
    return [h.strip() for h in line.strip("┃").split("┃")]


@pytest.mark.parametrize(("cmd", "expected"), [
    (["show", "WK054608", "--year", "2021"],
     ["Indicator", "Omschrijving", "Waarde", "Eenheid", "Jaar", "Bron"]),
    (["regions", "--gemeente", "GM0546"], ["Code", "Naam", "Niveau", "Ligt in", "Grenzen van",
                                           "Jaren met cijfers"]),
    (["sources"], ["Bron-id", "Titel", "Uitgever", "Licentie", "Naamsvermelding", "Schatting",
                   "Rijen geladen", "Geladen op"]),
])
def test_table_headers_are_dutch(cli: Any, cmd: list[str], expected: list[str]) -> None:
    res = cli(*cmd)
    assert res.exit_code == 0, res.output
    assert _headers(res.stdout) == expected


def test_show_numbers_are_dutch(cli: Any) -> None:
    res = cli("show", "GM0546", "--year", "2021")
    assert res.exit_code == 0, res.output
    row = next(ln for ln in res.stdout.splitlines() if "│ a_inw " in ln)
    assert "124.093" in row and "124,093" not in row
    assert "│ 2021 " in row  # a year is not a number with a thousands point
    p110 = next(ln for ln in res.stdout.splitlines() if "│ p_hh_110 " in ln)
    assert "11,3" in p110


@pytest.mark.parametrize(("args", "dutch"), [
    (["show"], "Ontbrekend argument 'CODE'"),
    (["show", "GM0546", "--year", "abc"], "'abc' is geen geldig geheel getal"),
    (["regions", "--frob"], "Onbekende optie '--frob'"),
    (["show", "GM0546", "--format", "pdf"], "Ongeldige waarde voor '--format'"),
    (["nocommand"], "Onbekend commando 'nocommand'"),
    (["report", "--year"], "Optie '--year' heeft een waarde nodig"),
])
def test_click_messages_are_dutch(cli: Any, args: list[str], dutch: str) -> None:
    res = cli(*args)
    assert res.exit_code == 2
    assert dutch in res.output, res.output
    for english in ("Missing", "No such", "is not a valid", "Invalid value", "Try '", "Usage:", "Error"):
        assert english not in res.output


def test_help_is_dutch(cli: Any) -> None:
    res = cli("show", "--help")
    assert res.exit_code == 0
    assert "Toon deze hulp en stop." in res.stdout and "Opties" in res.stdout
    assert "Show this message" not in res.stdout and "Options" not in res.stdout


def test_bad_environment_setting_is_a_dutch_message(bundled_db: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLTRAP_MIN_CELL", "veel")
    res = CliRunner().invoke(app, ["--db", str(bundled_db), "sources"])
    assert res.exit_code == 2
    assert "ROLTRAP_MIN_CELL: moet een geheel getal zijn, niet 'veel'" in res.output
    assert "Input should" not in res.output and "Traceback" not in res.output and "pydantic" not in res.output


def test_core_hint_names_the_cli_flag(cli: Any) -> None:
    """The core raises with a parameter token; the CLI turns it into the option the user typed."""
    from roltrap.cli._common import ErrorHandlingGroup, _flags
    from roltrap.errors import ConfigError

    names = _flags(app_group())
    assert names["wijk"] == "--wijk" and names["gemeente"] == "--gemeente" and names["out"] == "--out"
    exc = ConfigError("x", hint="Laat {wijk} weg.", param="wijk")
    assert exc.hint_for(names) == "Laat --wijk weg."
    assert isinstance(app_group(), ErrorHandlingGroup)


def app_group() -> Any:
    import typer

    return typer.main.get_group(app)


def test_csv_out_file_is_dutch_excel_csv(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "merenwijk.csv"
    res = cli("show", "WK054608", "--year", "2021", "--format", "csv", "--out", str(out))
    assert res.exit_code == 0, res.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(io.BytesIO(data), sep=";", encoding="utf-8-sig", dtype=str)
    assert list(df.columns) == ["indicator", "label", "value", "unit", "year", "source"]
    assert df.set_index("indicator").at["a_inw", "value"] == "14190"
    assert df.set_index("indicator").at["p_hh_110", "value"] == "10,0"  # the catalogue's one decimal
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


def test_xlsx_out_file(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "leiden.xlsx"
    res = cli("show", "GM0546", "--year", "2021", "--format", "xlsx", "--out", str(out))
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out)
    ws = wb[wb.sheetnames[0]]
    assert [c.value for c in ws[1]] == ["Indicator", "Omschrijving", "Waarde", "Eenheid", "Jaar", "Bron"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "a_inw")
    assert row[2].value == 124093 and row[2].number_format == "#,##0" and row[4].value == 2021
    assert wb.sheetnames[-1] == "Bronnen"
    assert any("CBS" in str(c.value) for c in wb["Bronnen"]["A"])


def test_table_cannot_go_to_a_file(cli: Any, tmp_path: Path) -> None:
    res = cli("sources", "--out", str(tmp_path / "x.txt"))
    assert res.exit_code == 2
    assert "--format" in res.output and "--out" in res.output and "{" not in res.output


def test_region_name_with_a_formula_is_neutralised(cli: Any, tmp_path: Path) -> None:
    con = duckdb.connect(str(cli.db))
    con.execute("""UPDATE regions SET name = '=HYPERLINK("http://x","Merenwijk")' WHERE code = 'WK054608'""")
    con.close()
    res = cli("regions", "--gemeente", "GM0546", "--format", "csv")
    assert res.exit_code == 0, res.output
    line = next(ln for ln in res.stdout.splitlines() if ln.startswith("WK054608"))
    assert ";\"'=HYPERLINK(" in line
    # Years are a list: written as text on one line, never a numpy repr with a line break.
    assert "2009, 2010" in line and "[" not in line
    out = tmp_path / "r.xlsx"
    assert cli("regions", "--gemeente", "GM0546", "--format", "xlsx", "--out", str(out)).exit_code == 0
    ws = openpyxl.load_workbook(out).worksheets[0]
    cell = next(r[1] for r in ws.iter_rows(min_row=2) if r[0].value == "WK054608")
    assert cell.data_type == "s" and cell.quotePrefix
