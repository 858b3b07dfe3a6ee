"""Caseloads off the demo path: another municipality (Amsterdam), buurt level, headers and answers as a
coach writes them, and the same figures from the core, the JSON API and the CLI."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from roltrap.cli.main import app as cli_app
from roltrap.core import Roltrap
from roltrap.errors import InputError
from roltrap.io.codes import parent_of
from roltrap.store import Batch

AMSTERDAM = Path(__file__).parent / "data" / "amsterdam_buurten_2019.csv"
# The module's read-only core object holds the store open; the CLI opens it read-only beside it.
RO = CliRunner(env={"ROLTRAP_READ_ONLY": "1"})


@pytest.fixture(scope="module")
def ams_store(bundled_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled store plus the buurten of four Amsterdam wijken (codes and names from a CBS file)."""
    copy = tmp_path_factory.mktemp("ams") / "store.duckdb"
    shutil.copy(bundled_db, copy)
    raw = pd.read_csv(AMSTERDAM, sep=";", dtype=str, encoding="utf-8-sig")
    codes = raw["Regiocode (gemeente, wijk, buurt) (code)"].str.strip()
    buurt = codes.str.startswith("BU")
    regions = pd.DataFrame({"code": codes[buurt], "name": raw["Wijken en buurten"][buurt], "level": "buurt",
                            "parent": codes[buurt].map(parent_of), "boundary_year": 2019})
    with Roltrap(copy) as rt:
        rt.store.apply(Batch(source={"id": "test-85163NED-buurten", "title": "SES-WOA 2019 (buurten)",
                                     "publisher": "CBS", "licence": "CC BY 4.0"}, regions=regions))
    return copy


@pytest.fixture(scope="module")
def ams_rt(ams_store: Path) -> Iterator[Roltrap]:
    rt = Roltrap(ams_store, read_only=True)
    yield rt
    rt.close()


def _buurt_caseload() -> bytes:
    rows = (["Kop Zeedijk"] * 12 + ["oude kerk e.o."] * 3 + ["BU03630100"] * 10 + ["HEMELRIJK"] * 11)
    lines = ["Buurt;Migratieachtergrond;Opleidingsniveau"]
    lines += [f"{b};Statushouder (vluchteling met verblijfsvergunning);hoog" for b in rows]
    return ("\n".join(lines) + "\n").encode()


def _lone_hidden(table: pd.DataFrame) -> int:
    mask = table.isna().to_numpy()
    return int((mask.sum(axis=1) == 1).sum() + (mask.sum(axis=0) == 1).sum())


def test_buurt_level_in_another_municipality(ams_rt: Roltrap) -> None:
    res = ams_rt.triage.caseload(_buurt_caseload(), gemeente="Amsterdam")
    assert res.level == "buurt" and res.gemeente == "GM0363"
    t = res.types
    row = "Hooggeschoolde statushouders"
    # Oude Kerk e.o. (3) is below 10; it would follow from the total 36, so the smallest other cell
    # (Stationsplein e.o., 10) is hidden too. Kop Zeedijk 12 and Hemelrijk 11 are shown.
    assert t.loc[row, "BU03630000"] == 12 and t.loc[row, "BU03630101"] == 11
    assert pd.isna(t.loc[row, "BU03630001"]) and pd.isna(t.loc[row, "BU03630100"])
    assert t.loc["Totaal", "Totaal"] == 36 and res.n_clients == 36
    assert _lone_hidden(t) == 0
    shown = t.to_numpy(dtype=float, na_value=np.nan)
    assert np.all(np.isnan(shown) | (shown >= 10))
    assert list(res.districts.index) == ["BU03630000", "BU03630001", "BU03630100", "BU03630101"]
    assert res.districts.loc["BU03630100", "name"] == "Stationsplein e.o."
    # The store has no buurt figures for Amsterdam: shown as missing, never invented.
    assert res.districts["a_inw"].isna().all()


def test_buurt_column_summarised_per_wijk(ams_rt: Roltrap) -> None:
    res = ams_rt.triage.caseload(_buurt_caseload(), gemeente="GM0363", level="wijk")
    assert res.level == "wijk"
    row = "Hooggeschoolde statushouders"
    assert res.types.loc[row, "WK036300"] == 15 and res.types.loc[row, "WK036301"] == 21
    assert res.districts.loc["WK036300", "name"] == "Burgwallen-Oude Zijde"
    assert res.districts.loc["WK036300", "a_inw"] > 1000  # wijk figures are in the store


def test_wijk_names_codes_and_old_and_new_codes(ams_rt: Roltrap) -> None:
    text = ("Wijk,Migratie,Opleiding\n" + "Jordaan,statushouder,hoog\n" * 10
            + "WK036306,statushouder,hoog\n" * 10)
    res = ams_rt.triage.caseload(text.encode(), gemeente="Amsterdam")
    # "Jordaan" is held under the 2022 code WK036306 and the 2024 code WK0363AB: the newest wins.
    assert sorted(res.types.columns) == ["Totaal", "WK036306", "WK0363AB"]
    assert res.types.loc["Totaal", "WK0363AB"] == 10 and res.types.loc["Totaal", "WK036306"] == 10


def test_buurt_level_asked_without_a_buurt_column(ams_rt: Roltrap) -> None:
    with pytest.raises(InputError, match="kolom Buurt"):
        ams_rt.triage.caseload(b"Wijk,Opleiding\nJordaan,hoog\n", gemeente="Amsterdam", level="buurt")


def test_headers_and_answers_as_a_coach_writes_them(triage_rt: Roltrap) -> None:
    text = ("WIJK;Léeftijd;Bron van Inkomen;migratieachtergrond;OPLEIDINGSNIVEAU;Sociaal netwerk\n"
            + "merenwijk;27 TOT EN MET 49 JAAR;Bijstand (participatiewet) | ww-uitkering;"
              "statushouder (vluchteling met verblijfsvergunning);Hoog;geisoleerd\n" * 10)
    res = triage_rt.triage.caseload(text.encode())
    assert res.types.loc["Hooggeschoolde statushouders", "WK054608"] == 10


def test_core_json_api_and_cli_give_the_same_figures(ams_rt: Roltrap, ams_store: Path) -> None:
    from roltrap.web.app import create_app

    core = ams_rt.triage.caseload(_buurt_caseload(), gemeente="Amsterdam").to_dict()
    with TestClient(create_app(ams_rt)) as client:
        api = client.post("/coach/caseload.json", data={"gemeente": "Amsterdam", "niveau": "buurt"},
                          files={"bestand": ("c.csv", _buurt_caseload(), "text/csv")})
        page = client.post("/coach/caseload", data={"gemeente": "Amsterdam"},
                           files={"bestand": ("c.csv", _buurt_caseload(), "text/csv")})
    assert api.status_code == 200 and api.json()["types"] == core["types"]
    assert api.json()["districts"][0]["buurt"] == "BU03630000"
    assert page.status_code == 200 and "Kop Zeedijk" in page.text and "Buurt" in page.text
    path = ams_store.parent / "c.csv"
    path.write_bytes(_buurt_caseload())
    cli = RO.invoke(cli_app, ["--db", str(ams_store), "triage", "--caseload", str(path),
                                       "--gemeente", "Amsterdam", "--format", "json"])
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.stdout)["types"] == core["types"]
    csv = RO.invoke(cli_app, ["--db", str(ams_store), "triage", "--caseload", str(path),
                                       "--gemeente", "Amsterdam", "--format", "csv"])
    assert csv.exit_code == 0
    lines = csv.stdout.lstrip("\ufeff").splitlines()
    assert lines[0] == "tabel;rij;buurt;aantal"
    assert "typen;Hooggeschoolde statushouders;BU03630001;onderdrukt" in lines
    assert "typen;Hooggeschoolde statushouders;BU03630000;12" in lines


def test_cli_excel_export_keeps_suppressed_cells_suppressed(ams_store: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "c.csv"
    path.write_bytes(_buurt_caseload())
    out = tmp_path / "overzicht.xlsx"
    res = RO.invoke(cli_app, ["--db", str(ams_store), "triage", "--caseload", str(path),
                                       "--gemeente", "Amsterdam", "--format", "xlsx", "--out", str(out)])
    assert res.exit_code == 0, res.output
    wb = load_workbook(out)
    assert wb.sheetnames[:3] == ["Typen per buurt", "Stijlen per buurt", "Buurtcijfers"]
    ws = wb["Typen per buurt"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "Hooggeschoolde statushouders")
    cells = dict(zip(header, row, strict=True))
    assert cells["BU03630000"] == 12 and cells["BU03630001"] == "onderdrukt"
    assert cells["BU03630100"] == "onderdrukt" and cells["Totaal"] == 36
    no_out = RO.invoke(cli_app, ["--db", str(ams_store), "triage", "--caseload", str(path),
                                          "--gemeente", "Amsterdam", "--format", "xlsx"])
    assert no_out.exit_code == 2 and "--out" in no_out.output


def test_web_form_keeps_choices_and_puts_the_gemeente_error_beside_its_field(client: TestClient) -> None:
    res = client.post("/coach/caseload", data={"gemeente": "Nergenshuizen", "niveau": "buurt"},
                      files={"bestand": ("c.csv", b"Wijk,Leeftijd\nMerenwijk,27_49\n", "text/csv")})
    assert res.status_code == 404
    # The message sits beside the field; what was typed there is not repeated (it may be anything).
    assert 'id="gemeente-error"' in res.text and "Nergenshuizen" not in res.text
    assert '<option value="buurt" selected>' in res.text
