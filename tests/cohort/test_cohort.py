"""Cohort analysis: hand-counted fixture, validation errors, disclosure, escalator recovery, CLI."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from adversary import recoverable
from cohort_fixtures import A, B, hand_rows
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from roltrap.cli.main import app
from roltrap.cohort import engines, tables
from roltrap.cohort.metrics import CohortSpec
from roltrap.cohort.schema import validate
from roltrap.cohort.service import run_analysis
from roltrap.core import Roltrap
from roltrap.errors import InputError, NotAvailableError

SPEC = CohortSpec(gemeente="GM0546", base_year=2005, age_min=25, age_max=44, follow=3)
COUNT_KEYS = {
    "persons",
    "blijver",
    "teruggekeerd",
    "andere_wijk",
    "andere_gemeente",
    "onbekend",
    "Totaal",
    "bevolking",
    "vestigers",
    "vertrekkers",
    "climbed",
    "with_income",
    "climbers_persons",
    "others_persons",
    "climbers_events",
    "others_events",
}


def _hand(hand_dir: Path, *, min_cell: int, con: Any = None) -> dict[str, Any]:
    return run_analysis(
        con or engines.connect("duckdb"), validate(hand_dir), SPEC, min_cell=min_cell, reps=99
    )


def test_retention_matches_hand_count(hand_dir: Path) -> None:
    res = _hand(hand_dir, min_cell=0)
    ret = {(r["wijk"], r["k"]): r["persons"] for r in res["retention"]}
    assert [ret[(A, k)] for k in range(4)] == [20, 16, 12, 12]
    assert [ret[(B, k)] for k in range(4)] == [10, 10, 10, 10]
    share = {(r["wijk"], r["k"]): r["share"] for r in res["retention"]}
    assert share[(A, 3)] == pytest.approx(0.6)


def test_destinations_and_gains_match_hand_count(hand_dir: Path) -> None:
    res = _hand(hand_dir, min_cell=0)
    dest = {r["wijk"]: r for r in res["destinations"]}[A]
    assert (dest["blijver"], dest["andere_wijk"], dest["andere_gemeente"], dest["onbekend"]) == (12, 4, 2, 2)
    traj = {(r["wijk"], r["group"]): r for r in res["trajectories"]}
    assert traj[(A, "blijver")]["mean_gain"] == pytest.approx(3.0)  # +1 a year for 3 years
    assert traj[(A, "vertrekker")]["mean_gain"] == pytest.approx((4 * 15 + 2 * 11) / 6)
    esc = {r["wijk"]: r for r in res["escalator"]}[A]
    assert esc["score"] == pytest.approx((4 * 15 + 2 * 11) / 6 - 3.0)


def test_turnover_matches_hand_count(hand_dir: Path) -> None:
    res = _hand(hand_dir, min_cell=0)
    t = {(r["wijk"], r["year"]): r for r in res["turnover"]}
    assert t[(B, 2006)]["bevolking"] == 14 and t[(B, 2006)]["vestigers"] == 4
    assert t[(B, 2006)]["vestigers_andere_wijk"] == 4
    assert t[(A, 2006)]["vertrekkers"] == 4 and t[(A, 2007)]["vertrekkers"] == 4
    assert t[(A, 2007)]["vertrekkers_niet_ingeschreven"] == 2
    assert t[(A, 2007)]["vertrekkers_andere_gemeente"] == 2


def _leaks(res: dict[str, Any], min_cell: int) -> list[tuple[str, str, float]]:
    bad = []
    for name, rows in res.items():
        if not isinstance(rows, list):
            continue
        for r in rows:
            for k, v in r.items():
                is_count = k in COUNT_KEYS or k.startswith(("vestigers_", "vertrekkers_"))
                if is_count and isinstance(v, (int, float)) and not isinstance(v, bool) and v < min_cell:
                    bad.append((name, k, v))
    return bad


def test_no_small_cell_in_hand_result(hand_dir: Path) -> None:
    res = _hand(hand_dir, min_cell=10)
    assert _leaks(res, 10) == []
    ret = {(r["wijk"], r["k"]): r["persons"] for r in res["retention"]}
    assert ret[(A, 1)] is None  # 16 stayed → 4 left: complement hidden
    assert res["suppressed"]["total"] > 0
    assert recoverable(res) == {}  # nothing a reader can solve back from the published tables


def test_validation_collects_every_problem(tmp_path: Path) -> None:
    df = hand_rows().astype({"year": object})
    df.loc[3, "age"] = 150
    df.loc[5, "region_code"] = "WK999999"
    df = pd.concat([df, df.iloc[[0]]])
    df.loc[7, "year"] = "twee"
    path = tmp_path / "bad.csv"
    df.to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        validate(path, known_wijken={A, B, "WK015300"})
    text = str(err.value)
    assert "leeftijd" in text and "onbekende wijk" in text and "dubbel persoon-jaar" in text
    assert "geen geheel getal" in text and "bad.csv, rij 5" in text  # age row: header + 4th data row


def test_missing_columns_named(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    pd.DataFrame({"person_id": ["a"], "year": [2005]}).to_csv(path, index=False)
    with pytest.raises(InputError, match="region_code, age"):
        validate(path)


@given(
    st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=8),
    st.integers(min_value=1, max_value=5),
)
@settings(max_examples=60, deadline=None)
def test_retention_never_shows_small_cells_or_complements(counts: list[int], follow: int) -> None:
    size = max(counts) + 5
    ret = pd.DataFrame(
        {
            "origin": "WK054600",
            "k": list(range(follow + 1)),
            "persons": [size] + [min(c, size) for c in (counts * 10)[:follow]],
        }
    )
    table = tables.retention_table(ret, base_year=2005, follow=follow)
    dest = pd.DataFrame({"origin": ["WK054600"], "status": ["onbekend"], "persons": [size]})
    destinations = tables.destinations_table(dest, wijken=["WK054600"])
    # everybody is "onbekend" at the end: retention(follow) must be 0 for the relations to hold
    table.loc[table["k"] == follow, "persons"] = 0
    empty_t = pd.DataFrame(columns=["wijk", "group", "persons", "with_income", "mean_gain", "climbed"])
    empty_n = pd.DataFrame(columns=["wijk", "persons", "mean_pct", "pct_n"])
    turn = tables.turnover_table(
        pd.DataFrame(columns=["wijk", "year", "kind", "detail", "persons"]).astype(
            {"year": "int64", "persons": "int64"}
        )
    )
    prot = tables.protect_run(
        retention=table,
        destinations=destinations,
        trajectories=empty_t,
        newcomers=empty_n,
        turnover=turn,
        base_year=2005,
        follow=follow,
        min_cell=10,
    )
    out = prot.retention
    shown = out["persons"].dropna().to_numpy(dtype=float)
    assert (shown >= 10).all()
    if out["persons"].iloc[0] is not pd.NA:
        comp = size - shown[1:] if len(shown) > 1 else np.array([])
        assert (comp >= 10).all()
    assert out["share"].isna().equals(out["persons"].isna()) or out["persons"].iloc[0] is pd.NA


def test_bootstrap_is_seeded_and_exact_for_constants() -> None:
    h = pd.DataFrame({"gain": [5.0], "persons": [40]})
    z = pd.DataFrame({"gain": [1.0], "persons": [30]})
    draws = tables.bootstrap_diff(h, z, reps=50, rng=np.random.default_rng(1))
    assert np.allclose(draws, 4.0)


@pytest.fixture(scope="module")
def rt_synth(rt_ro: Roltrap, tmp_path_factory: pytest.TempPathFactory) -> dict[float, Path]:
    base = tmp_path_factory.mktemp("synth")
    return {
        e: rt_ro.cohort.synth(base / f"e{e}", scale=0.2, escalator=e, seed=2).out for e in (0.0, 0.5, 1.0)
    }


@pytest.mark.parametrize("strength", [0.0, 0.5, 1.0])
def test_escalator_recovered(rt_ro: Roltrap, rt_synth: dict[float, Path], strength: float) -> None:
    res = rt_ro.cohort.analyse(rt_synth[strength], base_year=2005, age=(25, 44), follow=13, reps=199)
    low = res["escalator_low_income"]
    assert low["score"] == pytest.approx(10 * strength, abs=2.0)
    assert low["ci_low"] < low["score"] < low["ci_high"]
    assert res["input"]["synthetic"] is True
    assert _leaks(res, 10) == []


def test_synth_is_deterministic_and_marked(rt_ro: Roltrap, tmp_path: Path) -> None:
    a = rt_ro.cohort.synth(tmp_path / "a", scale=0.01, seed=7, years=(2005, 2008))
    b = rt_ro.cohort.synth(tmp_path / "b", scale=0.01, seed=7, years=(2005, 2008))
    assert a.rows == b.rows and (tmp_path / "a" / "SYNTHETIC").exists()
    fa = sorted((tmp_path / "a").glob("*.parquet"))
    fb = sorted((tmp_path / "b").glob("*.parquet"))
    assert all(pd.read_parquet(x).equals(pd.read_parquet(y)) for x, y in zip(fa, fb, strict=True))
    ids = pd.read_parquet(fa[0])["person_id"]
    assert ids.str.fullmatch(r"[0-9a-f]{12}").all() and ids.is_unique


def test_cli_synth_and_analyse(bundled_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, db)  # the session's read-only store is open in this process
    bundled_db = db
    runner = CliRunner()
    out = tmp_path / "syn"
    r = runner.invoke(
        app,
        [
            "--db",
            str(bundled_db),
            "cohort",
            "synth",
            "--out",
            str(out),
            "--scale",
            "0.02",
            "--years",
            "2005-2010",
        ],
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app,
        [
            "--db",
            str(bundled_db),
            "cohort",
            "analyse",
            "--input",
            str(out),
            "--follow",
            "5",
            "--reps",
            "50",
            "--format",
            "csv",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "roltrapscore" in r.stdout and "Onderdrukte cellen" in r.output
    r = runner.invoke(app, ["--db", str(bundled_db), "cohort", "analyse", "--input", str(tmp_path / "nope")])
    assert r.exit_code == 2 and "bestaat niet" in r.output


@pytest.mark.parametrize("limit", [None, "256MB"])
def test_validation_counts_persons_and_finds_duplicates_across_gaps(
    tmp_path: Path, limit: str | None
) -> None:
    """The one-pass person check (year bit mask) counts persons exactly and finds a duplicate year
    of a person who also has gaps (so min/max of the years alone would not reveal it); under a
    memory limit (the grouping on one thread) too."""
    df = hand_rows()
    ok = validate(_write(df, tmp_path / "ok"), memory_limit=limit)
    assert (ok.persons, ok.rows, ok.years) == (30, len(df), (2005, 2008))
    gap = df[~((df["person_id"] == "a00") & df["year"].isin([2006, 2007]))]  # a00: 2005, 2008
    dup = pd.concat([gap, gap[(gap["person_id"] == "a00") & (gap["year"] == 2008)]])  # 2008 twice
    with pytest.raises(InputError) as err:
        validate(_write(dup, tmp_path / "dup"), memory_limit=limit)
    text = str(err.value)
    assert "dubbel persoon-jaar" in text and "jaar 2008" in text
    assert "a00" not in text  # the pseudonym is not echoed
    assert "persoonsnummer ontbreekt" not in text


def test_validation_wide_year_span_uses_exact_fallback(tmp_path: Path) -> None:
    """Inputs spanning more than 62 years cannot use the bit mask; the plain queries give the same."""
    df = hand_rows()
    old = df[df["person_id"] == "b00"].assign(year=lambda d: d["year"] - 80)  # b00 also 1925–1928
    inp = validate(_write(pd.concat([df, old]), tmp_path / "wide"))
    assert (inp.persons, inp.years) == (30, (1925, 2008))
    dup = pd.concat([df, old, old.iloc[[1]]])
    with pytest.raises(InputError, match="jaar 1926"):
        validate(_write(dup, tmp_path / "widedup"))


def test_validation_reports_missing_person_id(tmp_path: Path) -> None:
    df = hand_rows().astype({"person_id": object})
    df.loc[2, "person_id"] = None
    with pytest.raises(InputError) as err:
        validate(_write(df, tmp_path / "noid"))
    assert "persoonsnummer ontbreekt" in str(err.value)


def _write(df: pd.DataFrame, folder: Path) -> Path:
    folder.mkdir()
    df.to_parquet(folder / "py.parquet", index=False)
    return folder


def test_empty_cohort_is_a_clear_error_and_the_connection_stays_usable(hand_dir: Path) -> None:
    """An empty cohort is a clear error, and the connection (with its cached tables released)
    then gives the full result."""
    con = engines.connect("duckdb")
    old = CohortSpec(gemeente="GM0546", base_year=2005, age_min=80, age_max=90, follow=3)
    with pytest.raises(NotAvailableError, match="Geen personen van 80–90 jaar"):
        run_analysis(con, validate(hand_dir), old, min_cell=0, reps=9)
    res = run_analysis(con, validate(hand_dir), SPEC, min_cell=0, reps=9)
    t = {(r["wijk"], r["year"]): r for r in res["turnover"]}
    assert t[(A, 2007)]["vertrekkers"] == 4 and t[(B, 2006)]["vestigers"] == 4
