"""StatLine OData: stem mapping (never the number), recorded responses, cache, fetch CLI offline."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import _odata_server
import pytest
from _odata_server import RecordedOData
from _replay import RECORDED
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from roltrap.cli.main import app
from roltrap.core import Roltrap
from roltrap.errors import InputError, NetworkError, NotFoundError
from roltrap.io.odata import (
    KWB_KIND,
    STEM_TO_KWB,
    fetch_table,
    key_stem,
    kwb_id,
    read_odata,
    unit_conflict,
)

cbs = _odata_server.cbs  # the fixture: a recorded CBS on loopback
PROPS = json.loads((RECORDED / "85984NED" / "DataProperties.json").read_text(encoding="utf-8"))["value"]


@pytest.mark.parametrize(("key", "kwb"), [
    ("AantalInwoners_5", "a_inw"),
    ("AantalInwoners_1", "a_inw"),
    ("HuishoudensTot110VanSociaalMinimum_91", "p_hh_110"),
    ("HuishoudensTot110VanSociaalMinimum_80", "p_hh_110"),
    ("PersonenPerSoortUitkeringBijstand_94", "a_soz_wb"),
    ("BasisonderwijsVmboMbo1_75", "a_opl_lg"),
    ("OpleidingsniveauLaag_64", "a_opl_lg"),
    ("k_40PersonenMetLaagsteInkomen_84", "p_ink_li"),
    ("k_0Tot15Jaar_8", "a_00_14"),
    ("Woningvoorraad_35", "a_woning"),
    ("Huishoudens tot 110% van sociaal minimum", "p_hh_110"),  # a StatLine title maps the same way
    ("Fietsen_3", None),
])
def test_kwb_id_by_stem(key: str, kwb: str | None) -> None:
    assert kwb_id(key) == kwb


def test_ambiguous_stem_needs_its_group() -> None:
    assert kwb_id("Nederland_17") is None
    assert kwb_id("Nederland_17", group="Herkomstland") == "a_nl_all"
    assert kwb_id("Nederland_20", group="Geboren in Nederland") == "a_geb_nl"
    assert kwb_id("Nederland_20", group="Bevolking naar herkomst") is None


def test_public_mapping_has_the_brief_examples() -> None:
    assert STEM_TO_KWB["AantalInwoners"] == "a_inw"
    assert STEM_TO_KWB["HuishoudensTot110VanSociaalMinimum"] == "p_hh_110"
    assert STEM_TO_KWB["PersonenPerSoortUitkeringBijstand"] == "a_soz_wb"
    assert key_stem("k_65JaarOfOuder_12") == "65JaarOfOuder"


def test_real_85984NED_metadata_maps_without_unit_conflicts() -> None:
    groups = {p["ID"]: p["Title"] for p in PROPS}
    mapped = {}
    for p in PROPS:
        if p.get("Type") != "Topic":
            continue
        kid = kwb_id(p["Key"], group=groups.get(p.get("ParentID")))
        if kid is not None:
            assert unit_conflict(kid, p.get("Unit")) is None, p["Key"]
            mapped[p["Key"]] = kid
    # every mapped id at most once, and the core of the syllabus lenses is there
    assert len(set(mapped.values())) == len(mapped)
    for kid in ("a_inw", "a_hh", "a_opl_lg", "p_hh_110", "p_hh_120", "a_soz_wb", "a_wmo_t", "a_jz_tn",
                "a_nl_all", "a_bedv", "g_afs_hp"):
        assert kid in mapped.values(), kid
    assert len(mapped) >= 80


def test_unit_conflict_only_for_share_mixups() -> None:
    assert unit_conflict("a_opl_lg", "%") is not None
    assert unit_conflict("p_hh_110", "aantal") is not None
    assert unit_conflict("g_hhgro", "aantal") is None  # CBS calls the mean household size "aantal"
    assert KWB_KIND["p_hh_110"] == "share"


@settings(max_examples=50, deadline=None)
@given(n=st.integers(min_value=1, max_value=9999), stem=st.sampled_from(sorted(STEM_TO_KWB)),
       guard=st.booleans())
def test_suffix_number_never_matters(n: int, stem: str, guard: bool) -> None:
    key = (f"k_{stem}" if guard and stem[0].isdigit() else stem) + f"_{n}"
    assert kwb_id(key) == STEM_TO_KWB[stem]


# -- recorded responses ---------------------------------------------------------------------------


def test_fetch_reads_recorded_leiden_2024(cbs: RecordedOData, tmp_path: Path) -> None:
    path = fetch_table("85984NED", gemeente="GM0546", cache_dir=tmp_path, base_url=cbs.url)
    filters = [q["$filter"] for p, q in cbs.requests if p.endswith("/TypedDataSet")]
    assert filters == ["substringof('GM0546',WijkenEnBuurten) or substringof('WK0546',WijkenEnBuurten) "
                       "or substringof('BU0546',WijkenEnBuurten)"]
    b = read_odata(path)
    obs = b.observations.set_index(["region_code", "indicator_id"])["value"]
    assert obs[("GM0546", "a_inw")] == 130108  # KWB 2024, 1 January
    assert obs[("WK054603", "a_inw")] == 15325
    assert obs[("WK054609", "a_woning")] == 4702
    assert set(b.observations["year"]) == {2024}  # from TableInfos.Period
    names = dict(zip(b.regions["code"], b.regions["name"], strict=True))
    assert names["WK054608"] == "Merenwijkdistrict" and names["GM0546"] == "Leiden"
    # columns without any figure in the response are reported, not loaded as NULLs
    assert any(p.column == "HuishoudensTot110VanSociaalMinimum_91" and "zonder cijfers" in p.message
               for p in b.skipped)
    assert "p_hh_110" not in set(b.observations["indicator_id"])
    assert b.source["id"] == "cbs-85984ned" and b.source["licence"] == "CC BY 4.0"
    assert not list(tmp_path.rglob("*.tmp"))


def test_cache_is_keyed_by_request_and_used_offline(cbs: RecordedOData, tmp_path: Path) -> None:
    first = fetch_table("85984NED", gemeente="GM0546", cache_dir=tmp_path, base_url=cbs.url)
    n = len(cbs.requests)
    cbs.stop()  # offline from here on
    again = fetch_table("85984ned", gemeente="546", cache_dir=tmp_path, base_url=cbs.url)  # other spelling
    assert again == first and len(cbs.requests) == n  # served from the cache, no request
    with pytest.raises(NetworkError, match="Geen verbinding"):
        fetch_table("85984NED", gemeente="GM0546", cache_dir=tmp_path, refresh=True, base_url=cbs.url)
    with pytest.raises(NetworkError):
        fetch_table("85984NED", gemeente="GM0599", cache_dir=tmp_path, base_url=cbs.url)  # not cached
    assert first.exists()  # a failed refresh leaves the cached answer in place


def test_unknown_table_and_bad_ids(cbs: RecordedOData, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="12345NED"):
        fetch_table("12345NED", gemeente="GM0546", cache_dir=tmp_path, base_url=cbs.url)
    with pytest.raises(InputError, match="tabelnummer"):
        fetch_table("kwb-2024", gemeente="GM0546", cache_dir=tmp_path, base_url=cbs.url)
    with pytest.raises(InputError, match="gemeentecode"):
        fetch_table("85984NED", gemeente="Leiden", cache_dir=tmp_path, base_url=cbs.url)
    assert not list(tmp_path.glob("*.json"))


def test_truncated_json_names_line_and_column(tmp_path: Path) -> None:
    src = (RECORDED / "85984NED" / "TypedDataSet.json").read_text(encoding="utf-8")
    p = tmp_path / "afgebroken.json"
    p.write_text(src[:5000], encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_odata(p)
    assert "geen geldige JSON" in str(exc.value)
    assert exc.value.problems[0].row is not None and exc.value.problems[0].row > 100


def test_bare_odata_response_without_metadata(tmp_path: Path) -> None:
    doc = json.loads((RECORDED / "85984NED" / "TypedDataSet.json").read_text(encoding="utf-8"))
    p = tmp_path / "kwb_2024_typed.json"
    p.write_text(json.dumps(doc), encoding="utf-8")
    b = read_odata(p)  # no DataProperties: keys map by stem, year from the file name
    assert set(b.observations["year"]) == {2024}
    assert "a_inw" in set(b.observations["indicator_id"])


# -- the fetch command ----------------------------------------------------------------------------


def _store_copy(bundled_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, db)
    return db


def test_fetch_cli_imports_into_the_store(cbs: RecordedOData, bundled_db: Path, tmp_path: Path) -> None:
    db = _store_copy(bundled_db, tmp_path)
    res = CliRunner().invoke(app, ["--db", str(db), "fetch", "85984NED", "--gemeente", "GM0546",
                                   "--cache-dir", str(tmp_path / "cache")],
                             env={"ROLTRAP_CBS_ODATA_URL": cbs.url})
    assert res.exit_code == 0, res.output
    assert "Geïmporteerd" in res.output and "CC BY 4.0" in res.output
    with Roltrap(db, read_only=True) as rt:
        assert rt.show("WK054603", year=2024)["indicators"]["a_inw"]["value"] == 15325
        assert rt.region("WK054603")["name"] == "Leiden-Noord"  # the stored name is kept
        src = rt.sources().set_index("id").loc["cbs-85984ned"]
        assert src["attribution"] == "Bron: CBS" and src["rows_loaded"] > 0


def test_fetch_cli_offline_is_a_clear_error(cbs: RecordedOData, bundled_db: Path, tmp_path: Path) -> None:
    cbs.stop()
    db = _store_copy(bundled_db, tmp_path)
    res = CliRunner().invoke(app, ["--db", str(db), "fetch", "85984NED", "--cache-dir", str(tmp_path / "c")],
                             env={"ROLTRAP_CBS_ODATA_URL": cbs.url})
    assert res.exit_code == NetworkError.exit_code == 2
    assert "Geen verbinding met CBS" in res.output
    assert "Traceback" not in res.output
    assert re.search(r"Tip: .*internetverbinding", res.output)


def test_fetch_cli_no_import_prints_cache_file(cbs: RecordedOData, bundled_db: Path, tmp_path: Path) -> None:
    db = _store_copy(bundled_db, tmp_path)
    res = CliRunner().invoke(app, ["--db", str(db), "fetch", "85984NED", "--no-import",
                                   "--cache-dir", str(tmp_path / "c")],
                             env={"ROLTRAP_CBS_ODATA_URL": cbs.url})
    assert res.exit_code == 0, res.output
    assert "85984NED-GM0546.json" in res.output
    with Roltrap(db, read_only=True) as rt:
        assert "cbs-85984ned" not in set(rt.sources()["id"])
