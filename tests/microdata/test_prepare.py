"""cohort prepare on hand fixtures in the real layouts (.sav, CSV, Parquet): hand-counted person-years."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from fixtures import EXPECTED_0101, write

from roltrap.cohort.microdata.prepare import MANIFEST, STAGING, prepare, year_file
from roltrap.cohort.schema import validate
from roltrap.errors import InputError


def _read(out: Path) -> pd.DataFrame:
    df = pd.concat(
        [pd.read_parquet(p) for p in sorted(out.glob("person_years_*.parquet"))], ignore_index=True
    )
    df["pid"] = df["person_id"].str[1:]
    return df.set_index(["pid", "year"]).sort_index()


@pytest.fixture(scope="module", params=["sav", "csv", "parquet"])
def prepared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    base = tmp_path_factory.mktemp(f"hand-{request.param}")
    write(base / "md", request.param)
    rep = prepare(base / "md", base / "py", memory_limit="512MB", threads=1)
    assert rep.years_written == [2005, 2006, 2007, 2008, 2009]
    assert rep.counts[2007]["without_region"] == 1  # person 8: object D has no region
    validate(base / "py")  # the output is valid input of cohort analyse
    return _read(base / "py")


def test_hand_counted_person_years(prepared: pd.DataFrame) -> None:
    got = {(p, int(y)): r for (p, y), r in prepared["region_code"].items()}
    assert got == EXPECTED_0101


def test_abroad_year_and_newborn(prepared: pd.DataFrame) -> None:
    assert ("000000006", 2007) not in prepared.index  # abroad on 1 January 2007
    assert prepared.loc[("000000007", 2007), "age"] == 0
    assert ("000000007", 2006) not in prepared.index  # not yet born on 1 January 2006


def test_ages_at_1_january(prepared: pd.DataFrame) -> None:
    assert prepared.loc[("000000001", 2005), "age"] == 24  # born March 1980
    assert prepared.loc[("000000003", 2005), "age"] == 14  # born January 1990: birthday after 1 Jan
    assert prepared.loc[("000000004", 2009), "age"] == 48


def test_income_through_breadwinner_and_missing_codes(prepared: pd.DataFrame) -> None:
    r = prepared.xs(2006, level="year")
    assert r.loc["000000001", "income_percentile"] == 37
    assert r.loc["000000002", "income_percentile"] == 37  # household of breadwinner 1
    assert r.loc["000000002", "benefit"] == "none"
    assert r.loc["000000003", "income_percentile"] == 4 and r.loc["000000003", "benefit"] == "bijstand"
    assert pd.isna(r.loc["000000004", "income_percentile"])  # -2: institutional household
    assert pd.isna(r.loc["000000005", "income_percentile"])  # no income record
    assert prepared.xs(2005, level="year")["income_percentile"].isna().all()  # no INHATAB 2005


def test_education_latest_edition(prepared: pd.DataFrame) -> None:
    assert prepared.loc[("000000001", 2008), "education_level"] == "hoog"  # 2006 edition carried on
    assert prepared.loc[("000000003", 2006), "education_level"] == "laag"
    assert pd.isna(prepared.loc[("000000002", 2006), "education_level"])  # '----'
    assert pd.isna(prepared.loc[("000000001", 2005), "education_level"])  # no edition yet


def test_household_type_from_the_spell_on_the_reference_date(prepared: pd.DataFrame) -> None:
    assert prepared.loc[("000000002", 2005), "household_type"] == "paar_met_kinderen"
    assert prepared.loc[("000000003", 2006), "household_type"] == "alleenstaand"  # spell ends 1 Jan
    assert prepared.loc[("000000003", 2007), "household_type"] == "institutioneel"
    assert pd.isna(prepared.loc[("000000004", 2007), "household_type"])  # no household record


def test_peildatum_30_september(tmp_path: Path) -> None:
    write(tmp_path / "md", "csv")
    prepare(tmp_path / "md", tmp_path / "py", peildatum="30-09", memory_limit="512MB")
    df = _read(tmp_path / "py")
    assert df.loc[("000000001", 2007), "region_code"] == "BU05460301"  # moved 16 March 2007
    assert df.loc[("000000001", 2005), "age"] == 25  # birthday in March passed
    assert ("000000006", 2006) not in df.index  # abroad on 30 September 2006
    assert df.loc[("000000006", 2007), "region_code"] == "BU05460301"
    assert df.loc[("000000007", 2006), "age"] == 0
    meta = json.loads((tmp_path / "py" / MANIFEST).read_text(encoding="utf-8"))
    assert meta["peildatum"] == "30-09"
    with pytest.raises(Exception, match="peildatum"):
        prepare(tmp_path / "md", tmp_path / "py", peildatum="01-01")  # no mixing in one folder


def test_resume_and_interrupt_leave_no_half_year(tmp_path: Path) -> None:
    write(tmp_path / "md", "parquet")

    def stop_after_2006(label: str, done: int, total: int) -> None:
        if label == "Jaar 2007" and done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        prepare(tmp_path / "md", tmp_path / "py", progress=stop_after_2006)
    names = sorted(p.name for p in (tmp_path / "py").iterdir() if not p.name.startswith("."))
    assert names == [MANIFEST, "person_years_2005.parquet", "person_years_2006.parquet"]
    assert (tmp_path / "py" / STAGING).exists()  # kept so the rerun need not read the sources again
    assert not list((tmp_path / "py").glob(".person_years_*"))  # no temporary year left
    before = year_file(tmp_path / "py", 2005).stat().st_mtime_ns
    rep = prepare(tmp_path / "md", tmp_path / "py")
    assert rep.years_skipped == [2005, 2006] and rep.years_written == [2007, 2008, 2009]
    assert year_file(tmp_path / "py", 2005).stat().st_mtime_ns == before
    assert {(p, int(y)) for p, y in _read(tmp_path / "py").index} == set(EXPECTED_0101)
    assert not (tmp_path / "py" / STAGING).exists()  # complete: no copy of the microdata left


def test_bad_date_names_file_row_and_column(tmp_path: Path) -> None:
    write(tmp_path / "md", "csv")
    f = tmp_path / "md" / "Bevolking/GBAADRESOBJECTBUS/GBAADRESOBJECT2009BUSV1.csv"
    lines = f.read_text().splitlines()
    lines[3] = lines[3].replace("20030101", "2003-13-45")
    f.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as exc:
        prepare(tmp_path / "md", tmp_path / "py")
    p = exc.value.problems[0]
    assert p.row == 4 and p.column == "GBADATUMAANVANGADRESHOUDING" and p.file and p.file.endswith(".csv")
    assert "JJJJMMDD" in str(exc.value)
    assert not list((tmp_path / "py").glob("person_years_*"))


def test_missing_table_is_named(tmp_path: Path) -> None:
    write(tmp_path / "md", "csv")
    (tmp_path / "md" / "Bevolking/GBAPERSOONTAB/GBAPERSOON2009TABV1.csv").unlink()
    with pytest.raises(InputError, match="GBAPERSOONTAB"):
        prepare(tmp_path / "md", tmp_path / "py")
