"""Terminal tables show Dutch column labels with units; CSV and JSON keep the column ids."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from roltrap.cli._common import _word_widths
from roltrap.cohort.labels import COLUMN_LABELS as COHORT_LABELS
from roltrap.monitor.labels import COLUMN_LABELS, table_labels
from roltrap.report.profile import column_label

A, B = "WK054600", "WK054601"


def headers(stdout: str) -> list[str]:
    """The column headers of the (first) Rich table printed; a header wrapped over lines is joined."""
    lines = stdout.splitlines()
    top = next(i for i, line in enumerate(lines) if line.lstrip().startswith("┏"))
    rows = [line.strip().strip("┃").split("┃") for line in lines[top + 1:]
            if line.lstrip().startswith("┃")]
    return [" ".join(" ".join(cell.strip() for cell in col).split()) for col in zip(*rows, strict=True)]


def test_monitor_table_shows_dutch_headers(cli: Callable[..., Any]) -> None:
    res = cli("monitor", "vulnerable", "-g", "GM0546", "-w", "WK054608")
    assert res.exit_code == 0, res.output
    assert headers(res.stdout) == [
        "Code", "Regio", "Inwoners", "Opleiding (personen)", "Voorzieningen, laag (personen)",
        "Voorzieningen, hoog (personen)", "Inkomen tot 110% (personen)", "Inkomen tot 120% (personen)",
        "Ondergrens (personen)", "Centraal (personen)", "Bovengrens (personen)",
        "Centraal (% van de inwoners)"]
    assert "voorzieningen_min" not in res.stdout


def test_monitor_turnover_table_headers(cli: Callable[..., Any]) -> None:
    res = cli("monitor", "turnover", "-g", "GM0546", "-w", "WK054608")
    assert res.exit_code == 0, res.output
    shown = headers(res.stdout)
    assert "Vervangingssnelheid (jaren)" in shown and "Nieuwkomers (% per jaar)" in shown
    assert "Vestigers per jaar" in shown and not any("_" in h for h in shown)


def test_monitor_json_and_csv_keep_ids(cli: Callable[..., Any]) -> None:
    res = cli("monitor", "vulnerable", "-g", "GM0546", "-w", "WK054608", "--format", "json")
    assert res.exit_code == 0, res.output
    row = json.loads(res.stdout)["rows"][0]
    assert {"voorzieningen_min", "bereik_min", "pct_centraal"} <= set(row)
    assert "Voorzieningen, laag (personen)" not in res.stdout
    res = cli("monitor", "vulnerable", "-g", "GM0546", "-w", "WK054608", "--format", "csv")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("\ufeff")  # UTF-8 with BOM: a Dutch Excel reads it right
    header = next(csv.reader(io.StringIO(res.stdout.lstrip("\ufeff")), delimiter=";"))
    assert "voorzieningen_min" in header and "Regio" not in header


def test_web_labels_unchanged_and_terminal_adds_units() -> None:
    """The web keeps its labels (its section titles give the unit); the terminal adds the unit."""
    assert column_label("rank") == "Rang (1 = zwakste)"
    assert column_label("voorzieningen_min") == "Voorzieningen, laag"
    assert column_label("g_afs_hp") == "Huisarts"
    assert column_label("onbekende_kolom") == "Onbekende kolom"
    cli_labels = table_labels(["voorzieningen_min", "g_afs_hp", "class", "bereik_min"], kind="vulnerable")
    assert cli_labels == {"voorzieningen_min": "Voorzieningen, laag (personen)", "g_afs_hp": "Huisarts (km)",
                          "class": "Type", "bereik_min": "Ondergrens (personen)"}
    assert table_labels(["class"], kind="map") == {"class": "Klasse"}
    assert COHORT_LABELS["vervangingssnelheid"] == COLUMN_LABELS["vervangingssnelheid"]


def _person_years(folder: Path) -> Path:
    """Two wijken of 80 persons aged 30 in 2005, followed to 2008. In each: 40 stay, 10 leave in 2006
    and return in 2008, 10 move to the other wijk, 10 to another municipality, 10 disappear.

    At the end (2008) 50 of 80 are still in A: 62.5 %. Every destination group has 10 persons, so
    disclosure control (which also protects empty groups) leaves wijk A's row readable.
    """
    rows = []
    for home, other in ((A, B), (B, A)):
        for i in range(80):
            for k, year in enumerate(range(2005, 2009)):
                if i < 40 or k == 0:
                    wijk = home
                elif i < 50:
                    wijk = other if k < 3 else home  # away in 2006–2007, back in 2008
                elif i < 60:
                    wijk = other
                elif i < 70:
                    wijk = "WK015300"
                elif k >= 2:
                    continue
                else:
                    wijk = home
                rows.append({"person_id": f"{home[-1]}{i:02d}", "year": year, "region_code": wijk,
                             "age": 30 + k, "income_percentile": 20.0 + k + (4 * k if wijk != home else 0)})
    folder.mkdir()
    pd.DataFrame(rows).to_parquet(folder / "person_years.parquet", index=False)
    return folder


@pytest.fixture
def cohort_input(tmp_path: Path) -> Path:
    return _person_years(tmp_path / "py")


def _analyse(cli: Callable[..., Any], folder: Path, fmt: str) -> Any:
    return cli("cohort", "analyse", "--input", str(folder), "--base-year", "2005", "--age", "25-44",
               "--follow", "3", "--reps", "20", "--format", fmt)


def test_cohort_table_dutch_headers_share_in_percent(cli: Callable[..., Any], cohort_input: Path) -> None:
    res = _analyse(cli, cohort_input, "table")
    assert res.exit_code == 0, res.output
    assert headers(res.stdout) == [COHORT_LABELS[c] for c in (
        "wijk", "naam", "cohort", "nog_in_wijk", "andere_wijk", "andere_gemeente", "onbekend",
        "roltrapscore", "ci_laag", "ci_hoog", "lage_inkomenswijk", "vervangingssnelheid")]
    assert "Nog in wijk (% van cohort)" in headers(res.stdout)
    row_a = next(line for line in res.stdout.splitlines() if A in line)
    assert "62,5" in row_a  # 50 of 80 still in wijk A, shown as a percentage


def test_cohort_csv_keeps_ids_and_share(cli: Callable[..., Any], cohort_input: Path) -> None:
    res = _analyse(cli, cohort_input, "csv")
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout.lstrip("\ufeff")), delimiter=";"))
    assert "nog_in_wijk" in rows[0] and "vervangingssnelheid" in rows[0]
    a = next(r for r in rows if r["wijk"] == A)
    assert a["nog_in_wijk"] == "0,625"  # a share 0–1 keeps three decimals, with a decimal comma
    assert float(a["nog_in_wijk"].replace(",", ".")) == pytest.approx(50 / 80)


words = st.text(alphabet="abcdefghij%()", min_size=1, max_size=25)
texts = st.lists(words, min_size=1, max_size=4).map(" ".join)


@given(headers=st.lists(texts, min_size=1, max_size=14), cells=st.lists(texts, max_size=3),
       width=st.integers(min_value=40, max_value=240))
def test_word_widths_fit_and_keep_words_whole(headers: list[str], cells: list[str], width: int) -> None:
    rows = [[c] * len(headers) for c in cells]
    widths = _word_widths(headers, rows, width=width)
    if widths is None:
        return
    assert sum(widths) + 3 * len(widths) + 1 <= width  # never cropped
    for w, h in zip(widths, headers, strict=True):
        assert w >= max(len(x) for x in h.split())  # no word of a label is cut
