"""Wijk- en Buurtkaart attribute tables: sentinels are missing, water parts are skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from roltrap.errors import InputError
from roltrap.io.wbk import read_wbk

DATA = Path(__file__).parent / "data" / "a1"


def test_gemeente_2022() -> None:
    b = read_wbk(DATA / "kwb-2021-2022-wijken-gemeenten" / "gemeente_2022_v1_attributen_nl.csv")
    o = b.observations.set_index(["region_code", "year", "indicator_id"])["value"]
    assert o[("GM0546", 2022, "a_inw")] == 125074
    assert o[("GM0546", 2022, "g_hhgro")] == 1.8
    assert o[("GM0546", 2022, "p_nw_all")] == 17
    assert (b.observations["value"].dropna() > -99990).all()  # no sentinel leaks as a number
    water = [p for p in b.skipped if p.column == "H2O"]
    assert {p.value for p in water} >= {"GM0599"}
    assert b.regions["code"].is_unique


def test_gemeente_2023_herkomst() -> None:
    b = read_wbk(DATA / "kwb2023-gemeenten-wijkbuurtkaart" / "gemeenten_2023_v1_attributen.csv")
    o = b.observations.set_index(["region_code", "year", "indicator_id"])["value"]
    assert (
        o[("GM0546", 2023, "p_nl_all")],
        o[("GM0546", 2023, "p_eur_al")],
        o[("GM0546", 2023, "p_neu_al")],
    ) == (64, 13, 23)
    assert o[("GM0546", 2023, "a_inw")] == 127089


def test_wijk_2022_parents() -> None:
    b = read_wbk(DATA / "kwb-2021-2022-wijken-gemeenten" / "wijk_2022_v1_attributen_nl.csv")
    reg = b.regions.set_index("code")
    assert reg.loc["WK054603", "parent"] == "GM0546" and reg.loc["GM0546", "name"] == "Leiden"
    assert "WK057599" not in set(b.observations["region_code"])  # water wijk


def test_sentinels_and_bad_cells(tmp_path: Path) -> None:
    f = tmp_path / "gemeente_2022_v1.csv"
    f.write_text(
        "GM_CODE,GM_NAAM,H2O,AANT_INW,P_HH_M_K,JAAR\nGM0546,Leiden,NEE,-99997,22,2022\n"
        "GM0547,Leiderdorp,NEE,27000,veel,2022\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_wbk(f)
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "P_HH_M_K")]
    f.write_text("GM_CODE,GM_NAAM,H2O,AANT_INW,JAAR\nGM0546,Leiden,NEE,-99997,2022\n", encoding="utf-8")
    b = read_wbk(f)
    assert b.observations["value"].isna().all()
