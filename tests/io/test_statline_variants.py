"""Real StatLine exports as users download them: header variants, Perioden '2019', the transposed
layout, buurt rows, variables outside the KWB catalogue kept as user indicators, and a complete 2023/2024
catalogue."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from roltrap.cli.main import app
from roltrap.core import Roltrap
from roltrap.errors import InputError
from roltrap.io.catalogue import read_catalogue
from roltrap.io.odata import _group_titles, kwb_id
from roltrap.io.statline import read_statline

SES = Path(__file__).parent / "data" / "statline" / "ses_woa_amsterdam_2019.csv"
NAB = Path(__file__).parent / "data" / "statline" / "nabijheid_2021_aaenhunze_getransponeerd.csv"
KWB24 = Path(__file__).parent / "recorded" / "85984NED" / "DataProperties.json"


def test_ses_woa_file_makes_buurten_with_their_wijk_as_parent(rt: Roltrap) -> None:
    report = rt.import_file(SES)
    assert report.format == "statline" and report.years == [2019]
    regions = rt.store.query("SELECT code, name, level, parent FROM regions WHERE code LIKE 'BU0363%' "
                             "OR code LIKE 'WK0363%'")
    buurten = regions[regions["level"] == "buurt"]
    assert len(buurten) == 479 and len(report.regions) == 1 + 99 + 479
    assert (buurten["parent"] == "WK0363" + buurten["code"].str[6:8]).all()
    kop = buurten.set_index("code").loc["BU03630000"]
    assert (kop["name"], kop["parent"]) == ("Kop Zeedijk", "WK036300")
    # Perioden "2019" (not 2019JJ00) is the year; the header "Regiocode (gemeente, wijk, buurt) (code)".
    shown = rt.show("BU03630000", year=2019)["indicators"]
    ses = shown["u_ses_woa_totaalscore_gemiddelde_score"]
    assert ses["value"] == pytest.approx(0.045)
    assert ses["label"] == "SES-WOA / Totaalscore / Gemiddelde score"
    ind = rt.store.query("SELECT * FROM indicators "
                         "WHERE id = 'u_ses_woa_totaalscore_gemiddelde_score'").iloc[0]
    assert (ind["kind"], ind["aggregation"], ind["theme"]) == ("mean", "none", "eigen")
    # "." for a buurt with no households is missing, never 0.
    empty = rt.store.query("SELECT value FROM observations WHERE region_code = 'BU03630100' AND year = 2019 "
                           "AND indicator_id = 'u_ses_woa_totaalscore_gemiddelde_score'")
    assert empty["value"].isna().all()


def test_a_user_indicator_can_be_mapped_at_buurt_level(rt: Roltrap) -> None:
    rt.import_file(SES)
    res = rt.monitor.map_classes(gemeente="GM0363", level="buurt", wijk="WK036300",
                                 indicator="u_ses_woa_totaalscore_gemiddelde_score", year=2019)
    rows = res.rows if hasattr(res, "rows") else res.table
    codes = set(rows["code"])
    assert codes == {"BU03630000", "BU03630001", "BU03630002", "BU03630003", "BU03630004"}
    assert rows.set_index("code").loc["BU03630003", "value"] == pytest.approx(0.192)


def test_transposed_nabijheid_file_is_read_per_region(rt: Roltrap) -> None:
    report = rt.import_file(NAB)
    assert report.format == "statline" and report.years == [2021]
    hp = rt.store.query("SELECT region_code, value FROM observations WHERE indicator_id = 'g_afs_hp' "
                        "AND year = 2021 AND region_code LIKE '%1680%' ORDER BY region_code")
    # The file's row "Afstand tot huisartsenpraktijk": 2,5 (gemeente) 0,9 0,8 2,6 (Annen) 3,8 3,8 3,6 (Eext).
    assert dict(hp.values) == {"BU16800000": 0.8, "BU16800009": 2.6, "BU16800100": 3.8, "BU16800109": 3.6,
                               "GM1680": 2.5, "WK168000": 0.9, "WK168001": 3.8}
    parents = dict(rt.store.query("SELECT code, parent FROM regions WHERE code LIKE 'BU1680%'").values)
    assert parents == {"BU16800000": "WK168000", "BU16800009": "WK168000", "BU16800100": "WK168001",
                       "BU16800109": "WK168001"}
    # Every Nabijheid variable has a catalogue id (the counts within x km told apart by their group).
    ind = rt.store.query("SELECT id, label, unit, kind FROM indicators WHERE id = 'g_afs_ap'")
    assert ind.iloc[0].tolist() == ["g_afs_ap", "Afstand tot apotheek", "km", "distance"]
    within = rt.store.query("SELECT value FROM observations WHERE indicator_id = 'g_3km_hp' "
                            "AND region_code = 'BU16800009' AND year = 2021")
    assert within["value"].tolist() == [0.7]
    # Columns of "." only (huisartsenpost, fysiotherapeut, groen …) are reported, never stored as values.
    assert any("huisartsenpost" in str(p.column) for p in report.skipped)


def test_transposed_bad_cell_names_line_and_region(tmp_path: Path) -> None:
    row = '"Gezondheid en welzijn|Afstand tot apotheek";"km";"1,2";'
    text = NAB.read_text(encoding="utf-8-sig").replace(row + '"2,5"', row + '"ver"')
    bad = tmp_path / "nabijheid_2021.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_statline(bad)
    prob = exc.value.problems[0]
    line = next(n for n, ln in enumerate(text.splitlines(), start=1) if "Afstand tot apotheek" in ln)
    assert (prob.row, prob.column, prob.value) == (line, "Aa en Hunze (GM1680)", "ver")


def test_header_variants_and_bare_year(tmp_path: Path) -> None:
    p = tmp_path / "download.csv"
    p.write_text('"Perioden";"Wijken en buurten";"Regiocode (gemeente, wijk, buurt) (code)";'
                 '"Bevolking/Aantal inwoners (aantal)"\n'
                 '"2019";"Leiden";"GM0546    ";"  124000"\n'
                 '"2020JJ00";"Binnenstad-Zuid";"WK054600  ";"    8600"\n'
                 '"2020JJ00";"Kern";"BU05460000";"    1200"\n', encoding="utf-8")
    b = read_statline(p)
    obs = b.observations.set_index("region_code")
    assert obs.loc["GM0546", "year"] == 2019 and obs.loc["BU05460000", "year"] == 2020
    reg = b.regions.set_index("code")
    assert (reg.loc["BU05460000", "level"], reg.loc["BU05460000", "parent"]) == ("buurt", "WK054600")


def test_verbose_lists_every_skipped_column(bundled_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    shutil.copy(bundled_db, db)
    short = CliRunner().invoke(app, ["--db", str(db), "import", str(NAB), "--dry-run"])
    full = CliRunner().invoke(app, ["--db", str(db), "import", str(NAB), "--dry-run", "--verbose"])
    assert short.exit_code == 0 and full.exit_code == 0, short.output + full.output
    n = int(full.output.split("Overgeslagen (")[1].split(")")[0])
    assert n > 10
    assert "alles tonen: --verbose" in short.output and "alles tonen" not in full.output
    assert full.output.count("\n  - ") >= n


def test_every_2024_kwb_variable_maps_to_the_catalogue() -> None:
    props = json.loads(KWB24.read_text(encoding="utf-8"))["value"]
    groups = _group_titles(props)
    ids = set(read_catalogue()["id"])
    missing = []
    for p in props:
        if p.get("Type") != "Topic" or p.get("Datatype") == "String":
            continue
        key = str(p["Key"])
        if key.split("_")[0] in ("Gemeentenaam", "SoortRegio", "Codering") or key.startswith("Indelings"):
            continue
        kid = kwb_id(key, group=groups.get(key))
        if kid is None or kid not in ids:
            missing.append((key, kid))
    assert missing == []


def test_every_2023_map_attribute_is_catalogued() -> None:
    from roltrap.io.wbk import ATTRIBUTES

    # The header line of the Wijk- en Buurtkaart 2023 v1 gemeente attributes (KWB 2023 first release).
    header = Path(__file__).parent / "data" / "statline" / "gemeenten_2023_v1_attributen_kop.csv"
    cols = header.read_text(encoding="utf-8").strip().split(",")
    assert len(cols) == 36
    meta = {"GM_CODE", "GM_NAAM", "H2O", "JRSTATCODE", "JAAR"}
    ids = set(read_catalogue()["id"])
    assert [c for c in cols if c not in meta and ATTRIBUTES.get(c) not in ids] == []
