"""Catalogue ids for KWB 2023/2024 and every Nabijheid voorzieningen variable; aliases for old names."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from roltrap.errors import InputError
from roltrap.io.catalogue import canonical_id, read_aliases, read_catalogue
from roltrap.io.kwb import kwb_batch
from roltrap.io.odata import NABIJHEID_VARIABLES, _group_titles, kwb_id
from roltrap.io.statline import read_statline
from roltrap.store import MIGRATIONS, Store

RAW = Path(__file__).parent / "recorded" / "fetch"
NABIJHEID_2021 = RAW / "Nabijheid_voorzieningen_2021_AaenHunze_getransponeerd.csv"
PROPS_2024 = json.loads((Path(__file__).parent / "recorded" / "85984NED" / "DataProperties.json")
                        .read_text(encoding="utf-8"))["value"]


def test_every_nabijheid_variable_is_catalogued_with_its_rule() -> None:
    cat = read_catalogue().set_index("id")
    for var in NABIJHEID_VARIABLES:
        row = cat.loc[var.id]
        assert row["theme"] == "nabijheid", var.id
        # Road distances and average numbers within a radius are means over all residents: they
        # aggregate upwards weighted by population, never summed.
        assert (row["aggregation"], row["weight"]) == ("weighted_mean", "a_inw"), var.id
        if var.id.startswith("g_afs_"):
            assert (row["unit"], row["kind"]) == ("km", "distance"), var.id
        else:
            assert row["kind"] == "mean" and row["unit"] in ("aantal", "scholen"), var.id


def test_real_nabijheid_2021_export_needs_no_user_indicators() -> None:
    """All 110 variables of the real StatLine export (transposed) map to catalogue ids."""
    b = read_statline(NABIJHEID_2021)
    ids = set(b.observations["indicator_id"])
    assert not {i for i in ids if i.startswith("u_")}
    empty = {p.column for p in b.skipped if "zonder cijfers" in p.message}
    assert len(ids) + len(empty) == 110  # 89 with figures, 21 that CBS left '.' everywhere
    assert not [p for p in b.skipped if "zonder cijfers" not in p.message]
    obs = b.observations.set_index(["region_code", "indicator_id"])["value"]
    # hand-read from the file (decimal comma)
    assert obs[("GM1680", "g_afs_hp")] == 2.5 and obs[("BU16800000", "g_afs_hp")] == 0.8
    assert obs[("GM1680", "g_afs_zi")] == 10.4 and obs[("GM1680", "g_afs_ze")] == 11.1  # incl./excl. poli
    assert obs[("GM1680", "g_afs_sc")] == 1.2 and obs[("GM1680", "g_afs_vo")] == 5.6  # basis vs vo
    assert obs[("BU16800009", "g_afs_oprit")] == 2.6
    assert obs[("GM1680", "g_50km_at")] == 26.9
    kinds = b.indicators.set_index("id")
    assert kinds.loc["g_afs_bib", "kind"] == "distance" and kinds.loc["g_3km_hp", "kind"] == "mean"


@pytest.mark.parametrize(("key", "group", "kid"), [
    ("Binnen1Km_6", "Aantal huisartsenpraktijken|Huisartsenpraktijk|Gezondheid en welzijn", "g_1km_hp"),
    ("Binnen3Km_62", "Aantal scholen|Basisonderwijs|Onderwijs", "g_3km_sc"),
    ("Binnen3Km_66", "Aantal scholen|Voortgezet onderwijs totaal|Voortgezet onderwijs|Onderwijs", "g_3km_vo"),
    ("Binnen3Km_70", "Aantal scholen|Vmbo|Voortgezet onderwijs|Onderwijs", "g_3km_vmbo"),
    ("AfstandTotSchool_72", "Havo/vwo|Voortgezet onderwijs|Onderwijs", "g_afs_hv"),
    ("AfstandTotSchool_60", "Basisonderwijs|Onderwijs", "g_afs_sc"),
    ("AfstandTotSchool_120", "Basisonderwijs|Nabijheid voorzieningen", "g_afs_sc"),  # KWB 2024
    ("AfstandTotCafeED_36", "Cafés en dergelijke|Horeca", "g_afs_ca"),
    ("Binnen1Km_37", "Aantal cafés|Cafés en dergelijke|Horeca", "g_1km_ca"),
    ("AfstandTotTreinstationsTotaal_90", "Treinstations|Verkeer en vervoer", "g_afs_ov"),
    ("AfstandTotBinnenzwembad_93", "Sport|Vrije tijd en cultuur", "g_afs_zw"),
    ("Binnen5Km_12", "Aantal ziekenhuizen|Ziekenhuis|Gezondheid en welzijn", "g_5km_zh"),
    ("Binnen5Km_12", None, None),  # a count without its group is never guessed
])
def test_nabijheid_keys_are_told_apart_by_their_group(key: str, group: str | None, kid: str | None) -> None:
    assert kwb_id(key, group=group) == kid


def test_2023_2024_ids_are_cbs_column_names() -> None:
    """The 85984NED keys map to the column names of CBS's kwb-2023/2024.xlsx."""
    groups = _group_titles(PROPS_2024)
    got = {p["Key"]: kwb_id(p["Key"], group=groups.get(p["Key"])) for p in PROPS_2024 if p.get("Key")}
    assert got["Nederland_20"] == "a_geb_nl" and got["BuitenEuropa_22"] == "a_geb_ne"
    assert got["EuropaExclusiefNederland_23"] == "a_gbl_eu" and got["BuitenEuropa_24"] == "a_gbl_ne"
    assert (got["NieuwbouwWoningen_36"], got["NietWoningvoorraad_37"], got["NieuwbouwNietWoningen_38"]) == (
        "a_nb_won", "a_vastg", "a_nb_vastg")
    assert got["PercentageVrijstaandeWoningEengezins_44"] == "p_1gezw_hvw"
    assert (got["BouwjaarMeerDanTienJaarGeleden_51"], got["BouwjaarAfgelopenTienJaar_52"]) == (
        "p_bj_me10", "p_bj_mi10")
    assert got["LeerlingenVoInclVavo_71"] == "a_ons_vovavo" and got["StudentenWo_74"] == "a_ons_wo"
    assert (got["MeestVoorkomendePostcode_125"], got["Dekkingspercentage_126"]) == ("pst_mvp", "pst_dekp")
    ids = set(read_catalogue()["id"])
    assert {v for v in got.values() if v} <= ids


def test_aliases_point_at_catalogue_ids() -> None:
    aliases = read_aliases()
    ids = set(read_catalogue()["id"])
    assert set(aliases.values()) <= ids and not set(aliases) & ids
    assert aliases["a_geb_neu"] == "a_geb_ne" and aliases["a_lpo"] == "a_ons_po"
    assert canonical_id("a_opl_bvm", aliases) == "a_opl_lg" and canonical_id("a_inw", aliases) == "a_inw"


def test_alias_that_is_an_id_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "catalogue.csv"
    f.write_text("id,label,unit,kind,aggregation,weight,decimals,theme,description,aliases\n"
                 "a,A,x,count,sum,,0,,,b\nb,B,x,count,sum,,0,,,\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_aliases(f)
    assert info.value.problems[0].row == 2 and info.value.problems[0].column == "aliases"


def test_kwb_2023_xlsx_columns_under_their_own_names() -> None:
    """kwb-2023.xlsx calls the education levels a_opl_bvm/hvm/hw: they load as a_opl_lg/md/hg."""
    frame = pd.DataFrame({"gwb_code_10": ["GM0344", "WK034401"], "recs": ["Gemeente", "Wijk"],
                          "a_inw": ["367947", "35175"], "a_opl_bvm": ["61000", "4100"],
                          "a_geb_ne": ["45000", "3000"], "p_1gezw_hvw": ["3", "1"]},
                         index=pd.Index([2, 3]))
    b = kwb_batch(frame, file="kwb-2023.xlsx")
    obs = b.observations.set_index(["region_code", "indicator_id"])["value"]
    assert obs[("GM0344", "a_opl_lg")] == 61000 and obs[("WK034401", "a_geb_ne")] == 3000
    assert obs[("WK034401", "p_1gezw_hvw")] == 1
    assert not [p for p in b.skipped if p.column in ("a_opl_bvm", "a_geb_ne", "p_1gezw_hvw")]


def test_stored_old_ids_move_to_the_corrected_ids(tmp_path: Path) -> None:
    """Migration 4: values stored under the guessed ids of the last release keep working."""
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE meta (version INTEGER, applied_at TIMESTAMP DEFAULT current_timestamp)")
    for v in (1, 2, 3):
        con.execute(MIGRATIONS[v - 1])
        con.execute("INSERT INTO meta (version) VALUES (?)", [v])
    con.execute("INSERT INTO indicators (id, label, unit, kind, aggregation) VALUES "
                "('a_geb_neu', 'Geboren in NL, buiten Europa', 'personen', 'count', 'sum'), "
                "('a_lpo', 'Leerlingen po', 'leerlingen', 'count', 'sum'), "
                "('u_gezondheid_en_welzijn_afstand_tot_apotheek', 'Gezondheid en welzijn / Afstand tot "
                "apotheek', 'km', 'distance', 'none')")
    con.execute("INSERT INTO observations (region_code, year, indicator_id, value, source_id) VALUES "
                "('GM0344', 2024, 'a_geb_neu', 41000, 's'), ('WK034401', 2024, 'a_geb_neu', 2900, 's'), "
                "('WK034401', 2024, 'a_geb_ne', 3000, 't'), ('GM0344', 2024, 'a_lpo', 30500, 's'), "
                "('BU16800000', 2021, 'u_gezondheid_en_welzijn_afstand_tot_apotheek', 0.8, 'n')")
    con.close()
    store = Store(db)
    store.migrate()
    with store.session():
        rows = dict(((r, i), v) for r, i, v in store.con.execute(
            "SELECT region_code, indicator_id, value FROM observations").fetchall())
        ind = {r[0] for r in store.con.execute("SELECT id FROM indicators").fetchall()}
    assert rows == {("GM0344", "a_geb_ne"): 41000, ("WK034401", "a_geb_ne"): 3000,  # the new id's value wins
                    ("GM0344", "a_ons_po"): 30500, ("BU16800000", "g_afs_ap"): 0.8}
    assert ind == {"a_geb_ne", "a_ons_po", "g_afs_ap"}


def test_migration_5_knows_every_nabijheid_user_id() -> None:
    """The user-indicator ids migration 5 moves are exactly those the StatLine importer made of the
    real 2021 export before the catalogue had these variables, each with its catalogue id now."""
    import csv

    from roltrap.io.statline import header_kwb_id, parse_header, user_indicator
    from roltrap.store import _NABIJHEID_USER_IDS

    with NABIJHEID_2021.open(encoding="utf-8-sig") as fh:
        lines = [ln for ln in csv.reader(fh, delimiter=";") if len(ln) > 2 and ln[1] in ("km", "aantal")]
    headers = [parse_header(f"{ln[0]} ({ln[1]})") for ln in lines]
    assert dict(_NABIJHEID_USER_IDS) == {user_indicator(h)[0]: header_kwb_id(h) for h in headers}
    assert set(dict(_NABIJHEID_USER_IDS).values()) <= set(read_catalogue()["id"])


def test_access_takes_each_nabijheid_distance_once(rt_ro: object) -> None:
    """Where only CBS distances exist (Aa en Hunze, no street network), each kind comes from one
    variable: the huisartsenpost, vo/vmbo/havo schools and buitenschoolse opvang are not taken for a
    huisarts, a school or anything else."""
    res = rt_ro.access.answers(gemeente="GM1680", level="buurt", mode="lopen")  # type: ignore[attr-defined]
    rows = res.rows
    methods = rows.groupby("soort")["method"].unique().map(list).to_dict()
    ids = {"apotheek": "g_afs_ap", "bibliotheek": "g_afs_bib", "huisarts": "g_afs_hp",
           "kinderdagverblijf": "g_afs_kv", "school": "g_afs_sc", "supermarkt": "g_afs_gs"}
    assert methods == {k: [f"cbs-afstand ({i})"] for k, i in ids.items()}
    annen = rows.set_index(["code", "soort"]).loc[("BU16800000", "apotheek")]
    assert annen["minutes"] == pytest.approx(0.8 * 60 / 5, abs=0.05)  # 0,8 km at 5 km/h
