"""jsonable: missing → None (never 0), numpy/pandas → Python, always valid JSON."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from roltrap.jsonable import jsonable


def test_missing_values_become_none() -> None:
    for missing in (None, pd.NA, pd.NaT, float("nan"), np.nan, np.float32("nan"), math.inf, -np.inf,
                    np.datetime64("NaT")):
        assert jsonable(missing) is None, missing


def test_numpy_scalars_become_python() -> None:
    out = jsonable([np.int64(2**53 + 1), np.float32(0.5), np.bool_(True), np.str_("Leiden")])
    assert out == [2**53 + 1, 0.5, True, "Leiden"]
    assert [type(v) for v in out] == [int, float, bool, str]
    assert jsonable(0) == 0 and jsonable(0.0) == 0.0  # zero is a figure, not a missing one


def test_dates_become_iso_text() -> None:
    assert jsonable(pd.Timestamp("2026-11-29 05:34")) == "2026-11-29T05:34:00"
    assert jsonable(datetime(2021, 1, 2, 3, 4)) == "2021-01-02T03:04:00"
    assert jsonable(date(2021, 1, 2)) == "2021-01-02"
    assert jsonable(np.array(["2021-01-02"], dtype="datetime64[ns]")) == ["2021-01-02T00:00:00"]


def test_containers_and_frames() -> None:
    frame = pd.DataFrame({"code": ["WK054600", "WK054601"], "a_inw": [8360.0, np.nan],
                          "n": pd.array([12, None], dtype="Int64")})
    assert jsonable(frame) == [{"code": "WK054600", "a_inw": 8360.0, "n": 12},
                               {"code": "WK054601", "a_inw": None, "n": None}]
    assert jsonable({1: (np.int64(1), {np.nan})}) == {"1": [1, [None]]}
    assert jsonable(pd.Series([1.5, None], dtype="Float64")) == [1.5, None]
    assert jsonable(np.array([[1, 2], [3, 4]])) == [[1, 2], [3, 4]]
    assert jsonable(np.array(7)) == 7
    assert jsonable(pd.array([True, None], dtype="boolean")) == [True, None]


def test_other_objects_become_text() -> None:
    assert jsonable(pd.Timedelta(hours=1)) == "0 days 01:00:00"


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5), st.just(pd.NA), st.just(pd.NaT),
    st.integers(-(2**31), 2**31 - 1).map(np.int64), st.floats(width=32).map(np.float32),
    st.booleans().map(np.bool_),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                            st.dictionaries(st.text(max_size=3), inner, max_size=3)),
    max_leaves=12,
)


@given(_values)
def test_result_is_strict_json_and_stable(value: Any) -> None:
    out = jsonable(value)
    text = json.dumps(out, allow_nan=False)  # no NaN/Infinity, no numpy types
    assert json.loads(text) == out
    assert jsonable(out) == out


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_finite_floats_pass_unchanged(x: float) -> None:
    assert jsonable(x) == x and jsonable(np.float64(x)) == x
