"""The shortcuts that make the cohort analysis fast give the same answers as the long way round.

Validation tells the analysis whether the codes need cleaning; a messy copy of the hand fixture
(lower case, blanks, buurt codes, in CSV) must take the cleaning path and give the same tables. A
DuckDB memory limit (out of core) changes nothing in the result. The progress callback moves
forward to the end. The multinomial bootstrap of large groups has the distribution of the person
draw. The disclosure audit's shortcuts (skipped LPs) still leave every target at least 5 wide.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from cohort_fixtures import hand_rows

from roltrap.cohort import engines, tables
from roltrap.cohort.metrics import CohortSpec
from roltrap.cohort.schema import validate
from roltrap.cohort.service import CHECK_STEP, STEPS, run_analysis
from roltrap.core import Roltrap
from roltrap.disclosure import LinearAudit
from roltrap.errors import ConfigError

SPEC = CohortSpec(gemeente="GM0546", base_year=2005, age_min=25, age_max=44, follow=3)
TABLES = ("cohort", "retention", "destinations", "trajectories", "newcomers", "turnover", "role_model")


def _tables(res: dict[str, Any]) -> str:
    return json.dumps({k: res[k] for k in (*TABLES, "escalator", "suppressed")}, sort_keys=True, default=str)


def test_clean_codes_are_seen_and_used_as_they_are(hand_dir: Path) -> None:
    inp = validate(hand_dir)
    assert inp.clean_codes and not inp.buurt_codes


def test_messy_codes_take_the_cleaning_path_and_agree(hand_dir: Path, tmp_path: Path) -> None:
    df = hand_rows()
    # A buurt code of the same wijk (BU05460000 → WK054600), lower case and blanks elsewhere.
    bu = df["region_code"] == "WK054600"
    df.loc[bu & (df["person_id"] < "a06"), "region_code"] = "BU05460003"
    df.loc[df["person_id"].str.startswith("b"), "region_code"] = " wk054601 "
    messy = tmp_path / "messy.csv"
    df.to_csv(messy, index=False)
    inp = validate(messy)
    assert not inp.clean_codes and inp.buurt_codes
    got = run_analysis(engines.connect("duckdb"), inp, SPEC, min_cell=0, reps=99)
    want = run_analysis(engines.connect("duckdb"), validate(hand_dir), SPEC, min_cell=0, reps=99)
    assert _tables(got) == _tables(want)
    assert {r["wijk"]: r["persons"] for r in got["cohort"]} == {"WK054600": 20, "WK054601": 10}


def test_memory_limit_changes_nothing(rt_ro: Roltrap, tmp_path: Path) -> None:
    folder = tmp_path / "py"
    rt_ro.cohort.synth(folder, scale=0.02, seed=7, years=(2005, 2012))
    free = rt_ro.cohort.analyse(folder, base_year=2005, follow=5, reps=49)
    capped = rt_ro.cohort.analyse(folder, base_year=2005, follow=5, reps=49, memory_limit="64MB")
    assert _tables(capped) == _tables(free)


@pytest.mark.parametrize("limit", ["veel", "4 GB extra", "-1GB"])
def test_bad_memory_limit_is_refused_in_dutch(rt_ro: Roltrap, hand_dir: Path, limit: str) -> None:
    with pytest.raises(ConfigError, match="Geheugengrens") as info:
        rt_ro.cohort.analyse(hand_dir, base_year=2005, follow=3, reps=9, memory_limit=limit)
    assert info.value.param == "memory_limit"


def test_progress_moves_forward_to_the_end(rt_ro: Roltrap, hand_dir: Path) -> None:
    seen: list[tuple[str, float, int]] = []
    rt_ro.cohort.analyse(
        hand_dir, base_year=2005, follow=3, reps=9, progress=lambda *a: seen.append(tuple(a))
    )
    labels = [s[0] for s in seen]
    assert labels[0] == CHECK_STEP and set(STEPS) <= set(labels)
    done = [s[1] for s in seen]
    assert done == sorted(done), done  # never backwards, also with the watcher thread reporting
    assert seen[-1][1] == seen[-1][2] == len(STEPS) + 1


def test_multinomial_bootstrap_has_the_persons_distribution() -> None:
    rng = np.random.default_rng(3)
    gains = np.round(np.arange(-20, 21) * 1.0, 1)  # 41 distinct gains
    a = pd.DataFrame({"gain": gains, "persons": rng.integers(100, 300, size=len(gains))})
    b = pd.DataFrame({"gain": gains, "persons": rng.integers(100, 300, size=len(gains))})
    assert a["persons"].sum() >= tables.MULTINOMIAL_FROM * len(a)  # the multinomial path
    draws = tables.bootstrap_diff(a, b, reps=4000, rng=np.random.default_rng(1))

    def moments(h: pd.DataFrame) -> tuple[float, float, int]:
        w = h["persons"].to_numpy(dtype=float)
        n = int(w.sum())
        m = float((h["gain"] * w).sum() / n)
        return m, float(((h["gain"] - m) ** 2 * w).sum() / n), n

    (ma, va, na), (mb, vb, nb) = moments(a), moments(b)
    assert draws.mean() == pytest.approx(ma - mb, abs=0.02)
    assert draws.std() == pytest.approx(np.sqrt(va / na + vb / nb), rel=0.06)


def test_audit_leaves_every_target_at_least_five_wide() -> None:
    """A table with row and column sums and many small cells: after protect(), every hidden cell's
    interval, solved afresh, is at least 5 wide, whatever LPs the audit skipped."""
    rng = np.random.default_rng(11)
    body = rng.integers(0, 30, size=(6, 5))
    a = LinearAudit(min_cell=10)
    for i in range(6):
        for j in range(5):
            a.cell((i, j), body[i, j])
        a.cell(("row", i), body[i].sum())
        a.equal(("row", i), [(i, j) for j in range(5)])
    for j in range(5):
        a.cell(("col", j), body[:, j].sum())
        a.equal(("col", j), [(i, j) for i in range(6)])
    a.protect()
    hidden = [k for k in a.targets()]
    assert len(hidden) > int((body < 10).sum())  # secondary cells too
    for k in hidden:
        lo, hi = a.interval(k)
        assert hi - lo >= 5 - 1e-6, (k, lo, hi)


def test_too_small_memory_limit_is_a_dutch_message_not_a_traceback(
    bundled_db: Path, tmp_path: Path, rt_ro: Roltrap
) -> None:
    import shutil

    from typer.testing import CliRunner

    from roltrap.cli.main import app

    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, db)  # the session's store is held open read-only
    folder = tmp_path / "py"
    rt_ro.cohort.synth(folder, scale=0.05, seed=3, years=(2005, 2010))
    r = CliRunner().invoke(
        app,
        ["--db", str(db), "cohort", "analyse", "--input", str(folder), "--follow", "5",
         "--reps", "9", "--memory-limit", "2MB"],
    )
    assert r.exit_code != 0 and r.exit_code != 1, r.output
    assert isinstance(r.exception, SystemExit), r.exception
    flat = " ".join(r.output.split())
    assert "te weinig geheugen" in flat and "Traceback" not in flat, r.output
