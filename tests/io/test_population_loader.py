"""CBS 37230 population development → flows; population and housing stocks matched by name."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from roltrap.errors import InputError
from roltrap.io.population import (
    name_key,
    read_housing_stock,
    read_population_changes,
    read_population_stock,
)

DATA = Path(__file__).parent / "data" / "a1"
C37230 = DATA / "cbs37230-maand-2012-2017"
STOCK = DATA / "cbs-gemeenten-bevolking-woningen"
KNOWN = pd.DataFrame(
    {
        "code": ["NL00", "GM0546", "GM0518", "GM0484", "GM0344"],
        "name": ["Nederland", "Leiden", "'s-Gravenhage", "Alphen aan den Rijn", "Utrecht"],
        "level": ["land", "gemeente", "gemeente", "gemeente", "gemeente"],
    }
)


def flow(b, code: str, year: int, direction: str, origin: str) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    f = b.flows
    hit = f[(f.region_code == code) & (f.year == year) & (f.direction == direction) & (f.origin == origin)]
    assert len(hit) == 1
    return float(hit["persons"].iloc[0]), int(hit["months"].iloc[0])


def test_yearly_flows() -> None:
    b = read_population_changes(C37230 / "bevolkingsontwikkeling_jaar_alle_regios.csv", regions=KNOWN)
    # vestigingen_totaal Leiden 2016 = 11,324 (PROVENANCE) = from other gemeenten + from abroad
    assert (
        flow(b, "GM0546", 2016, "in", "gemeente")[0] + flow(b, "GM0546", 2016, "in", "buitenland")[0] == 11324
    )
    assert flow(b, "GM0546", 2017, "in", "gemeente")[1] == 3  # only January–March 2017
    assert flow(b, "NL00", 2012, "in", "buitenland")[1] == 12
    assert set(b.flows["origin"]) == {"gemeente", "buitenland"}  # no totaal beside its parts
    # Provinces and COROP areas are reported, not loaded.
    assert {"PV28", "CR01"} <= {p.value for p in b.skipped}
    assert not b.flows["region_code"].str.startswith(("PV", "CR")).any()
    # GM0499 (Boskoop, merged 2014) is unknown: added with a placeholder that says so.
    reg = b.regions.set_index("code")
    assert list(reg.index) == ["GM0499"] and "opgeheven" in reg.loc["GM0499", "name"]
    # Births only for complete years.
    o = b.observations
    assert set(o.loc[o.region_code == "GM0546", "year"]) == {2012, 2013, 2014, 2015, 2016}


def test_monthly_equals_yearly() -> None:
    m = read_population_changes(C37230 / "bevolkingsontwikkeling_maand_selectie.csv", regions=KNOWN)
    y = read_population_changes(C37230 / "bevolkingsontwikkeling_jaar_alle_regios.csv", regions=KNOWN)
    for year, months in ((2016, 12), (2017, 3)):
        for direction, origin in (("in", "gemeente"), ("out", "buitenland")):
            assert flow(m, "GM0546", year, direction, origin) == flow(y, "GM0546", year, direction, origin)
            assert flow(m, "GM0546", year, direction, origin)[1] == months


def test_not_a_37230_file(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("regiocode,jaar,births\nGM0546,2016,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="im_gm"):
        read_population_changes(f)


def test_bad_cell_located(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text(
        "regiocode,jaar,im_gm,em_gm,im_nl,em_nl\nGM0546,2016,1,2,3,4\nGM0546,2017,1,zes,3,4\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_population_changes(f)
    assert [(p.row, p.column, p.value) for p in info.value.problems] == [(3, "em_gm", "zes")]


@pytest.mark.parametrize(
    ("raw", "known"),
    [("s-Gravenhage (gemeente)", "'s-Gravenhage"), ("Utrecht (gemeente)", "Utrecht"), ("LEIDEN", "Leiden")],
)
def test_name_keys(raw: str, known: str) -> None:
    assert name_key(raw) == name_key(known)


def test_population_stock() -> None:
    b = read_population_stock(STOCK / "Bevolkingsontwikkeling_per_jaar.csv", regions=KNOWN)
    o = b.observations.set_index(["region_code", "year"])["value"]
    assert o[("GM0546", 2020)] == 124093 and o[("GM0546", 2024)] == 130613
    assert o[("GM0518", 2012)] == 505856  # 's-Gravenhage written without apostrophe upstream
    assert o[("GM0344", 2016)] == 343038
    assert {p.value for p in b.skipped} == {"Aalburg"}  # historical name: reported
    assert set(b.observations["indicator_id"]) == {"bev_eind"}


def test_housing_stock() -> None:
    b = read_housing_stock(STOCK / "Voorraad_woningen_en_nieuwbouw.csv", regions=KNOWN)
    o = b.observations.set_index(["region_code", "year", "indicator_id"])["value"]
    assert o[("GM0546", 2012, "won_eind")] == 54400 and o[("GM0546", 2024, "won_eind")] == 65079
    assert o[("GM0546", 2024, "won_nieuw")] == 1052
