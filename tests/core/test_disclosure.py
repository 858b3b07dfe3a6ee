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


def test_one_column_table_hides_the_row_total_of_a_secondary_cell() -> None:
    # Column W1 = 5 + 20 + 30: 5 is primary, 20 the secondary cell of the column. Each row total
    # equals its only cell, so the totals of rows a and b must go as well.
    out, rep = protect_table(pd.DataFrame({"W1": [5, 20, 30]}, index=["a", "b", "c"]), min_cell=10)
    assert out["Totaal"].isna().tolist() == [True, True, False, False]
    assert out["W1"].isna().tolist() == [True, True, False, False]
    assert (rep.primary, rep.secondary) == (1, 1)


def test_hidden_totals_are_hidden_and_protected() -> None:
    # Another table over the same persons had to hide the W1 total (50). Column W1 then holds one
    # hidden entry, so its smallest cell (a/W1 = 20) goes; row a needs a/W2 (25) as well; the Totaal
    # row then holds one hidden entry and no visible cell, so the W2 total (65) goes too.
    counts = pd.DataFrame({"W1": [20, 30], "W2": [25, 40]}, index=["a", "b"])
    out, rep = protect_table(counts, min_cell=10, hidden_totals={"W1"})
    assert out.isna().to_numpy().tolist() == [[True, True, False], [False, False, False], [True, True, False]]
    assert out.loc["Totaal", "Totaal"] == 115 and out.loc["a", "Totaal"] == 45
    assert (rep.primary, rep.secondary) == (0, 2)
    plain, _ = protect_table(counts, min_cell=10)
    assert not plain.isna().any().any()


@settings(max_examples=200, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=st.integers(0, 60)),
       st.sets(st.integers(0, 6), max_size=2))
def test_protect_table_never_leaks(values: np.ndarray, forced: set[int]) -> None:
    counts = pd.DataFrame(values, index=[f"r{i}" for i in range(values.shape[0])],
                          columns=[f"c{j}" for j in range(values.shape[1])])
    hidden_totals = {f"c{j}" for j in forced}
    out, _ = protect_table(counts, min_cell=10, hidden_totals=hidden_totals)
    assert out.loc["Totaal", sorted(hidden_totals & set(counts.columns))].isna().all()
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
        assert int(np.isnan(line).sum()) != 1


def test_dominance_rule() -> None:
    assert dominated([1000, 900, 10, 10, 10, 10]) is True
    assert dominated([10] * 20) is False
    assert dominated([]) is False


def test_threshold_is_strict_ten_is_shown_nine_is_not() -> None:
    # min_cell 10 means "at least 10 persons": a cell (or total) of exactly 10 is published.
    out, rep = protect_table(pd.DataFrame({"x": [10, 40], "y": [40, 30]}, index=["A", "B"]), min_cell=10)
    assert not out.isna().any().any() and (rep.primary, rep.secondary) == (0, 0)
    out, rep = protect_table(pd.DataFrame({"x": [9, 40], "y": [40, 30]}, index=["A", "B"]), min_cell=10)
    assert out.loc["A", "x"] is pd.NA and rep.primary == 1
    assert suppress_small(pd.Series([10, 9.999]), min_cell=10).isna().tolist() == [False, True]


def test_without_margins_no_totals_are_returned_and_nothing_small_shows() -> None:
    # margins=False still protects against the row/column totals (they may be known from elsewhere),
    # which here hides the whole 2×2 table: safe, if blunt (reported; no caller uses it yet).
    counts = pd.DataFrame({"x": [4, 20], "y": [12, 50]}, index=["A", "B"])
    out, rep = protect_table(counts, min_cell=10, margins=False)
    assert list(out.columns) == ["x", "y"] and list(out.index) == ["A", "B"]
    assert out.loc["A", "x"] is pd.NA and rep.primary == 1
    assert rep.total == rep.primary + rep.secondary == int(out.isna().sum().sum())


def test_dominance_rule_boundary() -> None:
    # two largest 30 + 25 = 55 of 100 → more than half: dominated; 25 + 25 = 50 of 100 → exactly half: not
    assert dominated([30, 25, 25, 20]) is True
    assert dominated([25, 25, 25, 25]) is False
    assert dominated([25, 25, 25, 25], n=3) is True  # 75 > 50
    assert dominated([30, 25, 25, 20], share=0.6) is False  # 55 ≤ 60
    assert dominated([np.nan, 80, 10, 10]) is True  # missing contributions are left out
