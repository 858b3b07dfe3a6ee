"""synth --layout cbs: real names and types; prepare rebuilds the person-year synth exactly; the
escalator strength is recovered on this path as on the person-year path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat
import pytest

from roltrap.cohort.microdata.prepare import prepare
from roltrap.cohort.microdata.synth_cbs import generate_cbs
from roltrap.cohort.synth import SynthParams
from roltrap.core import Roltrap


def _strip(res: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in res.items() if k != "seconds"}


@pytest.fixture(scope="module")
def small(rt_ro: Roltrap, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("cbs-small")
    params = SynthParams(years=(2005, 2012), scale=0.05, seed=3, escalator=1.0)
    m = rt_ro.cohort.marginals("GM0546")
    generate_cbs(m, base / "cbs", params=params, file_format="sav")
    prepare(base / "cbs", base / "py", memory_limit="1GB")
    ref = rt_ro.cohort.synth(
        base / "ref", years=params.years, scale=params.scale, seed=params.seed, escalator=params.escalator
    ).out
    return {"cbs": base / "cbs", "py": base / "py", "ref": ref}


def test_files_have_the_real_names_types_and_codes(small: dict[str, Path]) -> None:
    spells = next(small["cbs"].rglob("GBAADRESOBJECT2012BUSV1.sav"))
    df, meta = pyreadstat.read_sav(str(spells))
    assert list(df.columns) == [
        "RINPERSOONS",
        "RINPERSOON",
        "GBADATUMAANVANGADRESHOUDING",
        "GBADATUMEINDEADRESHOUDING",
        "SOORTOBJECTNUMMER",
        "RINOBJECTNUMMER",
    ]
    assert meta.readstat_variable_types["GBADATUMAANVANGADRESHOUDING"] == "string"
    assert df["GBADATUMAANVANGADRESHOUDING"].str.fullmatch(r"\d{8}").all()
    assert (df["GBADATUMEINDEADRESHOUDING"] == "88888888").any()  # open spells
    assert df["RINPERSOON"].str.fullmatch(r"\d{9}").all() and (df["RINPERSOONS"] == "R").all()
    ends = df["GBADATUMEINDEADRESHOUDING"]
    assert ends.str.endswith("1231").any() and df["GBADATUMAANVANGADRESHOUDING"].str.endswith("0101").any()
    assert "SYNTHETISCH" in meta.file_label
    reg, _ = pyreadstat.read_sav(str(next(small["cbs"].rglob("VSLGWB2012TAB03V1.sav"))))
    assert {"gem2005", "wc2005", "bc2005", "gem2012", "wc2012", "bc2012"} <= set(reg.columns)
    assert reg["gem2012"].str.fullmatch(r"\d{4}").all() and reg["bc2012"].str.len().eq(8).all()
    inc, imeta = pyreadstat.read_sav(str(next(small["cbs"].rglob("INHA2008TABV1.sav"))))
    assert imeta.readstat_variable_types["INHP100HBEST"] == "double"
    assert imeta.variable_value_labels["INHP100HBEST"][-2.0] == "Institutioneel huishouden"
    assert set(inc["INHBBIHJ"]) <= {"11", "22"}
    edu_old = next(small["cbs"].rglob("HOOGSTEOPL2018TABV1.sav"), None) or next(
        small["cbs"].rglob("HOOGSTEOPL2012TABV1.sav")
    )
    assert (
        "OPLNIVSOI2016AGG4HBMETNIRWO" in pyreadstat.read_sav(str(edu_old), metadataonly=True)[1].column_names
    )
    assert (small["cbs"] / "SYNTHETIC").exists()


def test_prepare_rebuilds_the_person_years_exactly(small: dict[str, Path]) -> None:
    ref = pd.concat([pd.read_parquet(p) for p in sorted(small["ref"].glob("*.parquet"))])
    got = pd.concat([pd.read_parquet(p) for p in sorted(small["py"].glob("*.parquet"))])
    assert len(got) == len(ref)
    key = ["year", "region_code", "age", "income_percentile", "benefit"]
    wijk = got["region_code"].str.slice(0, 8).str.replace("BU", "WK")  # buurt → its wijk
    a = got.assign(region_code=wijk)[key].sort_values(key).reset_index(drop=True)
    b = ref[key].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_cbs_path_gives_identical_analysis(rt_ro: Roltrap, small: dict[str, Path]) -> None:
    kw: dict[str, Any] = {"base_year": 2005, "age": (25, 44), "follow": 7, "reps": 199}
    a = rt_ro.cohort.analyse(small["ref"], **kw)
    b = rt_ro.cohort.analyse(small["py"], **kw)
    assert b["input"]["synthetic"] is True
    assert _strip(a) == _strip(b)


@pytest.fixture(scope="module")
def cbs_synth(rt_ro: Roltrap, tmp_path_factory: pytest.TempPathFactory) -> dict[float, Path]:
    """Mirrors the person-year recovery test (scale 0.2, seed 2, 2005–2022) on the CBS path."""
    base = tmp_path_factory.mktemp("cbs-recovery")
    m = rt_ro.cohort.marginals("GM0546")
    out = {}
    for e in (0.0, 1.0):
        generate_cbs(
            m, base / f"cbs{e}", params=SynthParams(scale=0.2, escalator=e, seed=2), file_format="csv"
        )
        out[e] = prepare(base / f"cbs{e}", base / f"py{e}", memory_limit="1GB").out
    return out


@pytest.mark.parametrize("strength", [0.0, 1.0])
def test_escalator_recovered_on_cbs_path(
    rt_ro: Roltrap, cbs_synth: dict[float, Path], strength: float
) -> None:
    res = rt_ro.cohort.analyse(cbs_synth[strength], base_year=2005, age=(25, 44), follow=13, reps=199)
    low = res["escalator_low_income"]
    assert low["score"] == pytest.approx(10 * strength, abs=2.0)
    assert low["ci_low"] < low["score"] < low["ci_high"]
    assert res["input"]["synthetic"] is True
