"""ELAN series: elan_ ids, estimates, shares in percent, counts in the shares file kept apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from roltrap.errors import InputError
from roltrap.io.elan import read_elan

ELAN = Path(__file__).parent / "data" / "a1" / "elan-wijkprofielen"


def test_wijk_means() -> None:
    b = read_elan(ELAN / "elan_wijk_gemiddelden_2009_2022.csv")
    assert b.source["estimate"] is True and "geen officieel" in str(b.source["provenance"])
    o = b.observations.set_index(["region_code", "year", "indicator_id"])["value"]
    assert o[("WK054603", 2013, "elan_moves_pp")] == pytest.approx(0.15369, abs=1e-5)
    assert set(b.observations["indicator_id"]) >= {"elan_moves_pp", "elan_income_mean", "elan_age_mean"}
    assert all(i.startswith("elan_") for i in b.observations["indicator_id"])
    reg = b.regions.set_index("code")
    assert reg.loc["WK054603", "name"] == "Leiden-Noord" and reg.loc["GM0546", "level"] == "gemeente"
    # Income is empty for 2009–2010: no rows of NULLs for a year without any value.
    inc = b.observations[b.observations.indicator_id == "elan_income_mean"]
    assert inc["year"].min() == 2011


def test_gemeente_shares_quirk() -> None:
    b = read_elan(ELAN / "elan_gemeente_aandelen_2009_2022.csv")
    o = b.observations.set_index(["region_code", "year", "indicator_id"])["value"]
    assert o[("GM0546", 2013, "elan_a_laag_ink")] == 9320  # a count in a shares column
    assert ("GM0546", 2013, "elan_p_laag_ink") not in o.index  # never stored as a share
    assert o[("GM0546", 2013, "elan_p_opl_mid")] == pytest.approx(19.3034, abs=1e-3)  # 0.193 → percent
    assert o[("GM0546", 2013, "elan_pop")] == 125056
    # raw Welfare_benefit_user 0.026468142272262025 (a fraction) → 2.6468 %
    assert o[("GM0546", 2013, "elan_p_bijstand")] == pytest.approx(2.6468142, abs=1e-6)


def test_not_elan(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("code,year\nGM0546,2013\n", encoding="utf-8")
    with pytest.raises(InputError, match="geen ELAN"):
        read_elan(f)
