"""The importer: format detection, what it loads and reports, and all-or-nothing writes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from _replay import RECORDED

from roltrap.core import Roltrap
from roltrap.errors import InputError
from roltrap.io.importer import FORMATS, ImportReport, detect_format, import_file
from roltrap.store import KEYS, ORDER, Store

DATA = Path(__file__).parent / "data" / "formats"
LEIDEN = DATA / "statline_leiden_2021.csv"


def snapshot(store: Store) -> dict[str, pd.DataFrame]:
    """Every canonical table, sorted on its key (for before/after comparisons)."""
    return {t: store.query(f"SELECT * FROM {t} ORDER BY {', '.join(KEYS[t])}") for t in ORDER}


def assert_unchanged(before: dict[str, pd.DataFrame], store: Store) -> None:
    after = snapshot(store)
    for name in ORDER:
        pd.testing.assert_frame_equal(before[name], after[name], check_exact=True)


def _odata_json(tmp_path: Path) -> Path:
    doc = {name: json.loads((RECORDED / "85984NED" / f"{name}.json").read_text(encoding="utf-8"))["value"]
           for name in ("TableInfos", "DataProperties", "WijkenEnBuurten", "TypedDataSet")}
    p = tmp_path / "85984NED_leiden.json"
    p.write_text(json.dumps(doc), encoding="utf-8")
    return p


@pytest.mark.parametrize(("name", "content", "fmt"), [
    ("kwb-2021.csv", "gwb_code_10,gwb_code_8,regio,a_inw\nGM0546,546,Leiden,124093\n", "kwb"),
    ("37230.csv", "regiocode,jaar,aantal_maanden,births,deaths,im_gm,em_gm,im_nl,em_nl\n", "cbs37230"),
    ("wijk_2022.csv", "WK_CODE,WK_NAAM,GM_CODE,H2O,AANT_INW\nWK054600,Binnenstad-Zuid,GM0546,NEE,8360\n",
     "wbk"),
    ("elan.csv", "WKC,gem_name,WKN,YEAR,Moving_Count_MEAN\n", "elan"),
    ("bev.csv", "Regio's,Onderwerp,2012,2016\nLeiden,Bevolking aan het einde van de periode,1,2\n",
     "bevolking"),
    ("won.csv", "Regio's,Perioden,Beginstand voorraad,Nieuwbouw,Eindstand voorraad\n", "woningen"),
    ("kwb2024.csv", "regiocode,soort_regio,AantalInwoners_5,Mannen_6\nGM0546,Gemeente,130108,62577\n",
     "odata-csv"),
    ("grenzen.geojson", '{"type": "FeatureCollection", "features": []}', "boundaries"),
    ("grenzen.json", '{"type": "FeatureCollection", "features": []}', "boundaries"),
    ("tabel.json", '{"TypedDataSet": []}', "odata"),
])
def test_detect_format(tmp_path: Path, name: str, content: str, fmt: str) -> None:
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    assert detect_format(p) == fmt
    assert fmt in FORMATS


def test_detect_statline_fixture_and_unknown(tmp_path: Path) -> None:
    assert detect_format(LEIDEN) == "statline"
    p = tmp_path / "iets.csv"
    p.write_text("foo;bar\n1;2\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        detect_format(p)
    # The hint names the parameter; the CLI words it as its option.
    assert exc.value.param == "format" and "het formaat" in str(exc.value)
    assert "--format" in (exc.value.hint_for({"format": "--format"}) or "")


def test_import_statline_reports_what_it_loaded(rt: Roltrap) -> None:
    sql = "SELECT code, name FROM regions WHERE code LIKE 'WK0546%'"
    names_before = dict(rt.store.query(sql).values)
    report = rt.import_file(LEIDEN)
    assert isinstance(report, ImportReport)
    assert report.format == "statline"
    assert report.years == [2021]
    assert report.indicators == ["a_hh", "a_inw", "a_opl_lg", "a_soz_wb", "p_hh_110",
                                 "u_opleidingsniveau_laag"]
    # Not a KWB variable (a share, not the count a_opl_lg): kept as a user indicator, not skipped.
    assert report.user_indicators == ["u_opleidingsniveau_laag"]
    assert report.regions == ["GM0546", "WK054600", "WK054603", "WK054609"]
    assert report.new_regions == []  # all known: the stored names are kept
    # The bundle already holds the 2021 KWB figures: the import finds them equal and changes nothing;
    # only the user indicators' figures are new.
    assert report.rows == 24
    assert report.result.unchanged["observations"] == 20
    assert report.result.added["observations"] == 4
    # Only the column without a single figure is left out (nothing to keep).
    assert [p.column for p in report.skipped] == ["Motorvoertuigen/Fietsen (aantal)"]
    text = str(report.summary())
    assert "Geïmporteerd: statline_leiden_2021.csv" in text and "Overgeslagen (1)" in text
    assert "Eigen indicatoren (1" in text
    assert "CC BY 4.0" in text and "Bron: CBS" in text
    assert dict(rt.store.query(sql).values) == names_before
    shown = rt.show("WK054603", year=2021)["indicators"]
    assert shown["p_hh_110"]["value"] == pytest.approx(15.7)
    assert shown["p_hh_110"]["label"] == rt.indicator("p_hh_110")["label"]  # catalogue label, not the title
    src = rt.sources().set_index("id").loc[report.source["id"]]
    assert src["licence"] == "CC BY 4.0" and src["attribution"] == "Bron: CBS" and src["rows_loaded"] == 24
    assert src["file"] == "statline_leiden_2021.csv"


def test_import_odata_json(rt: Roltrap, tmp_path: Path) -> None:
    report = import_file(rt.store, _odata_json(tmp_path))
    assert report.format == "odata" and report.years == [2024]
    assert rt.show("GM0546", year=2024)["indicators"]["a_inw"]["value"] == 130108


def test_import_odata_csv_from_flattened_2024_keys(rt: Roltrap, tmp_path: Path) -> None:
    p = tmp_path / "kwb2024_leiden.csv"
    p.write_text("regiocode,soort_regio,gemeentecode,AantalInwoners_5,Woningvoorraad_35\n"
                 "GM0546,Gemeente,GM0546,130108,63853\nWK054600,Wijk,GM0546,8915,4377\n", encoding="utf-8")
    report = rt.import_file(p)
    assert report.format == "odata-csv"
    assert rt.show("WK054600", year=2024)["indicators"]["a_woning"]["value"] == 4377


def test_new_regions_are_added_with_their_names(rt: Roltrap, tmp_path: Path) -> None:
    p = tmp_path / "nieuw_2021.csv"
    p.write_text('"Wijken en buurten";"Regioaanduiding/Codering (code)";'
                 '"Bevolking/Aantal inwoners (aantal)"\n"Testbuurt";"BU05460099";"  15"\n', encoding="utf-8")
    report = rt.import_file(p)
    assert report.new_regions == ["BU05460099"]
    reg = rt.region("BU05460099")
    assert (reg["name"], reg["level"], reg["parent"]) == ("Testbuurt", "buurt", "WK054600")


def test_failed_import_changes_nothing(rt: Roltrap, tmp_path: Path) -> None:
    # 3 good rows and one bad cell: validation rejects the file as a whole
    text = LEIDEN.read_text(encoding="utf-8").replace('"      170"', '"  honderd"')
    p = tmp_path / "fout_2021.csv"
    p.write_text(text, encoding="utf-8")
    before = snapshot(rt.store)
    with pytest.raises(InputError) as exc:
        rt.import_file(p)
    prob = exc.value.problems[0]
    assert (prob.row, prob.value) == (5, "  honderd")
    assert prob.column == "Sociale zekerheid/Personen per soort uitkering; Bijstand (aantal)"
    assert_unchanged(before, rt.store)


def test_a_write_that_fails_midway_is_rolled_back(rt: Roltrap, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(rt.store)
    original = Store.apply

    def failing_apply(self: Store, batch, *, dry_run=False, staged=None):  # type: ignore[no-untyped-def]
        # a write that has begun and is then interrupted (Ctrl-C, disk full)
        with self.transaction() as con:
            con.execute("DELETE FROM observations WHERE region_code = 'GM0546'")
            raise KeyboardInterrupt

    monkeypatch.setattr(Store, "apply", failing_apply)
    with pytest.raises(KeyboardInterrupt):
        rt.import_file(LEIDEN)
    monkeypatch.setattr(Store, "apply", original)
    assert_unchanged(before, rt.store)


def test_unknown_format_option(rt: Roltrap) -> None:
    with pytest.raises(InputError, match="Onbekend formaat"):
        rt.import_file(LEIDEN, format="parquet")


def test_progress_does_not_change_the_result(bundled_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    shutil.copy(bundled_db, db)
    with Roltrap(db) as rt:
        report = rt.import_file(LEIDEN, progress=True)
    assert report.rows == 24
