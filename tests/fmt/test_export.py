"""CSV and Excel exports: opened back with pandas/openpyxl, values, formats and neutralisation."""

from __future__ import annotations

import csv
import io
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from roltrap.export import SUPPRESSION_NOTE, csv_bytes, neutralise, xlsx_bytes

HOSTILE = ['=HYPERLINK("http://x","klik")', "+31 6 1234", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "code": ["WK054608", "WK054600", "WK054601"],
        "name": ["Merenwijk", '=HYPERLINK("http://x","klik")', "twee\nregels"],
        "inwoners": [14190.4, 9.0, np.nan],
        "p_hh_110": [12.3456, 7.0, 10.05],
        "score": [0.2549, -0.3, None],
        "estimate": [True, False, True],
        "years": [np.array([2019, 2020]), [2021], []],
        "year": [2021, 2021, 2021],
    })


def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig", dtype=str,
                       keep_default_na=False)


def test_csv_is_dutch_excel_csv() -> None:
    data = csv_bytes(frame())
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "code;name;inwoners;p_hh_110;score;estimate;years;year"
    df = read_csv(data)
    assert len(df) == 3  # the embedded newline did not split a row
    row = df.iloc[0]
    assert row["inwoners"] == "14190"  # persons: whole, no thousands point (every program reads it)
    assert row["p_hh_110"] == "12,3"  # rounded to one decimal, decimal comma
    assert row["score"] == "0,25"  # two decimals for a score
    assert row["estimate"] == "Ja" and df.iloc[1]["estimate"] == "Nee"
    assert row["years"] == "2019, 2020" and df.iloc[1]["years"] == "2021"
    assert row["year"] == "2021"
    assert df.iloc[2]["inwoners"] == ""  # missing: empty, never 0
    assert df.iloc[2]["name"] == "twee regels"
    assert df.iloc[1]["name"].startswith("'=")  # formula neutralised
    assert df.iloc[1]["score"] == "-0,30"  # a negative number stays a number


def test_csv_labels_decimals_and_suppressed() -> None:
    df = frame()
    data = csv_bytes(df, labels={"name": "Regio", "inwoners": "Inwoners"}, decimals={"p_hh_110": 2},
                     suppressed=["inwoners"])
    back = read_csv(data)
    assert list(back.columns[:3]) == ["code", "Regio", "Inwoners"]
    assert back.iloc[0]["p_hh_110"] == "12,35"
    assert back.iloc[2]["Inwoners"] == "onderdrukt"
    mask = pd.DataFrame({"p_hh_110": [False, True, False]})
    assert read_csv(csv_bytes(df, suppressed=mask)).iloc[1]["p_hh_110"] == "onderdrukt"
    per_row = csv_bytes(df[["p_hh_110"]], decimals={"p_hh_110": [0, 1, 2]})
    assert read_csv(per_row)["p_hh_110"].tolist() == ["12", "7,0", "10,05"]


@pytest.mark.parametrize("bad", HOSTILE)
def test_every_formula_start_is_neutralised(bad: str) -> None:
    df = pd.DataFrame({"name": [bad], "x": [1.5]})
    cell = read_csv(csv_bytes(df)).iloc[0]["name"]
    assert cell.startswith("'") or cell.lstrip().startswith("'") or cell[0] not in "=+-@\t\r"
    assert neutralise(bad)[0] == "'"


@given(st.text(min_size=1, max_size=30))
def test_csv_never_starts_a_cell_with_a_formula(text: str) -> None:
    df = pd.DataFrame({"t": [text], "n": [1]})
    rows = list(csv.reader(io.StringIO(csv_bytes(df).decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(rows) == 2 and rows[0] == ["t", "n"]  # one header, one row: no line break escaped a cell
    cell = rows[1][0]
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert "\n" not in cell and "\r" not in cell


def test_xlsx_sheets_formats_and_sources() -> None:
    data = xlsx_bytes({"Kerncijfers": frame(), "Tweede": frame().head(1)},
                      sources=["CBS KWB 2021", "CBS KWB 2021", "ELAN"],
                      note=SUPPRESSION_NOTE.format(min_cell=10),
                      labels={"name": "Regio", "inwoners": "Inwoners", "p_hh_110": "Huishoudens tot 110%"},
                      units={"p_hh_110": "%"}, suppressed={"Kerncijfers": ["inwoners"]}, title="Wijkprofiel")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Kerncijfers", "Tweede", "Bronnen"]
    ws = wb["Kerncijfers"]
    assert [c.value for c in ws[1]][:4] == ["code", "Regio", "Inwoners", "Huishoudens tot 110%"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    assert ws["C2"].value == 14190 and ws["C2"].number_format == "#,##0"
    assert ws["D2"].value == pytest.approx(12.3) and ws["D2"].number_format == '#,##0.0" %"'
    assert ws["E2"].value == pytest.approx(0.25) and ws["E2"].number_format == "#,##0.00"
    assert ws["H2"].value == 2021 and ws["H2"].number_format == "0"
    assert ws["F2"].value == "Ja" and ws["G2"].value == "2019, 2020"
    assert ws["C4"].value == "onderdrukt"
    assert ws["B3"].value == '=HYPERLINK("http://x","klik")' and ws["B3"].data_type == "s"
    assert ws["B3"].quotePrefix
    assert ws["B4"].value == "twee regels"
    # No formula anywhere in the file: the sheet XML has no <f> element.
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in z.read(n) for n in sheets)
    src = [c.value for c in wb["Bronnen"]["A"] if c.value]
    assert src[0] == "Wijkprofiel"
    assert src.count("[1] CBS KWB 2021") == 1 and "[2] ELAN" in src  # deduplicated
    assert any("onderdrukt" in s and "10 personen" in s for s in src)
    back = pd.read_excel(io.BytesIO(data), sheet_name="Kerncijfers")
    assert back["Inwoners"].tolist()[:2] == [14190, 9]


def test_xlsx_sheet_names_are_valid_and_unique() -> None:
    df = pd.DataFrame({"a": [1]})
    long = "Per lens, in % van de inwoners: a/b [c]"
    data = xlsx_bytes({long + "?": df, long + "!": df}, sources=[])
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert len(names) == 3 and all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert len({n.lower() for n in names}) == 3
