"""Disclosure control: hand-checked tables and invariants (no small cell ever leaks)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from roltrap.disclosure import dominated, protect_table, suppress_small


def test_suppress_small_masks_below_threshold_and_keeps_na_not_zero() -> None:
    s = pd.Series([0, 3, 9, 10, 250])
    out = suppress_small(s, min_cell=10)
    assert out.isna().tolist() == [True, True, True, False, False]
    assert out.iloc[3] == 10


def test_protect_table_hand_checked() -> None:
    # Row "A" has one small cell (4): with its row total shown, 4 = 34 - 30, so the next-smallest
    # cell of that row (12) must go too; then columns x and y each hold one hidden cell, so their
    # other cells (20, 50) go as well, and row B then hides two cells: stable.
    counts = pd.DataFrame({"x": [4, 20], "y": [12, 50], "z": [18, 30]}, index=["A", "B"])
    out, rep = protect_table(counts, min_cell=10)
    assert rep.primary == 1
    assert out.loc["A", "x"] is pd.NA
    assert out.loc["A", "y"] is pd.NA
    # totals are published
    assert out.loc["A", "Totaal"] == 34
    assert out.loc["Totaal", "Totaal"] == 134
    # every row/column with a hidden cell hides at least two
    body = out.drop(index="Totaal", columns="Totaal")
    for _, row in body.iterrows():
        assert row.isna().sum() != 1
    for col in body.columns:
        assert body[col].isna().sum() != 1
    assert body.isna().sum().sum() == 4
    assert rep.secondary == 3
    assert out.loc["B", "z"] == 30


@settings(max_examples=200, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=st.integers(0, 60)))
def test_protect_table_never_leaks(values: np.ndarray) -> None:
    counts = pd.DataFrame(values, index=[f"r{i}" for i in range(values.shape[0])],
                          columns=[f"c{j}" for j in range(values.shape[1])])
    out, _ = protect_table(counts, min_cell=10)
    body = out.drop(index="Totaal", columns="Totaal")
    shown = body.to_numpy(dtype=float, na_value=np.nan)
    # 1. no shown cell is small
    assert not np.any(shown[~np.isnan(shown)] < 10)
    # 2. no shown total is small
    margins = pd.concat([out["Totaal"], out.loc["Totaal"]]).astype(float)
    assert not np.any(margins.dropna() < 10)
    # 3. no line of the table with its margins holds exactly one hidden cell, so no hidden cell
    #    (or hidden total) follows from subtracting the published ones
    ext = out.to_numpy(dtype=float, na_value=np.nan)
    for line in [*ext, *ext.T]:
        if len(line) >= 3:
            assert int(np.isnan(line).sum()) != 1


def test_dominance_rule() -> None:
    assert dominated([1000, 900, 10, 10, 10, 10]) is True
    assert dominated([10] * 20) is False
    assert dominated([]) is False
