"""The same Ibis metrics on PySpark give exactly the DuckDB result (one Spark session per run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from roltrap.cohort import engines
from roltrap.cohort.metrics import CohortSpec
from roltrap.cohort.schema import validate
from roltrap.cohort.service import run_analysis
from roltrap.core import Roltrap

pytestmark = pytest.mark.spark


def _strip(res: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in res.items() if k not in ("seconds", "parameters")}


def test_hand_fixture_same_on_spark(hand_dir: Path, spark_con: Any) -> None:
    spec = CohortSpec(gemeente="GM0546", base_year=2005, age_min=25, age_max=44, follow=3)
    inp = validate(hand_dir)
    d = run_analysis(engines.connect("duckdb"), inp, spec, min_cell=0, reps=99)
    s = run_analysis(spark_con, inp, spec, min_cell=0, reps=99)
    assert _strip(d) == _strip(s)


def test_small_synthetic_same_on_spark(rt_ro: Roltrap, tmp_path: Path, spark_con: Any) -> None:
    out = rt_ro.cohort.synth(tmp_path / "syn", scale=0.03, escalator=1.0, seed=5, years=(2005, 2012)).out
    d = rt_ro.cohort.analyse(out, base_year=2005, follow=7, reps=99)
    s = rt_ro.cohort.analyse(out, base_year=2005, follow=7, reps=99, con=spark_con)
    assert _strip(d) == _strip(s)
    assert d["suppressed"]["total"] > 0
