"""CBS cell parsing: symbols are missing (never 0), padding and number formats are read right."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from roltrap.io._parse import SYMBOLS, is_symbol, parse_number, parse_series

SYMBOL_TEXT = [".", "x", "-", "?", "", "  .  ", " x"]


@pytest.mark.parametrize("text", SYMBOL_TEXT)
def test_symbols_are_missing_not_zero(text: str) -> None:
    assert math.isnan(parse_number(text))
    assert is_symbol(text)


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("  19340 ", ".", 19340.0),
        ("19340.0", ".", 19340.0),
        ("06", ".", 6.0),
        ("-3419", ".", -3419.0),
        ("9.159354448698455e-05", ".", 9.159354448698455e-05),
        ("11,3", ",", 11.3),
        ("1.234,5", ",", 1234.5),
        ("124.093", ",", 124093.0),
        ("\u00a012\u00a0", ".", 12.0),
    ],
)
def test_numbers(text: str, decimal: str, expected: float) -> None:
    assert parse_number(text, decimal=decimal) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "decimal"), [("abc", "."), ("1,5", "."), ("1.23,4", ","), ("12.3.4", "."), ("1,2,3", ",")]
)
def test_bad_text_raises(text: str, decimal: str) -> None:
    with pytest.raises(ValueError, match="geen getal"):
        parse_number(text, decimal=decimal)


def test_series_reports_bad_rows_by_index() -> None:
    s = pd.Series([" 12 ", ".", "abc", "1.5", "x", "7q"], index=[10, 11, 12, 13, 14, 15])
    values, bad = parse_series(s)
    assert bad == [12, 15]
    assert values[10] == 12.0 and values[13] == 1.5
    assert values[[11, 12, 14, 15]].isna().all()


def test_series_numeric_passthrough() -> None:
    values, bad = parse_series(pd.Series([1, 2, 3]))
    assert bad == [] and values.dtype == "float64" and values.tolist() == [1.0, 2.0, 3.0]


def test_unknown_decimal_rejected() -> None:
    with pytest.raises(ValueError):
        parse_number("1", decimal=";")


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)


@given(finite, st.integers(0, 3), st.integers(0, 3))
def test_padding_never_changes_the_value(x: float, left: int, right: int) -> None:
    assert parse_number(" " * left + repr(x) + " " * right) == x


@given(st.integers(-(10**12), 10**12), st.integers(0, 99))
def test_dutch_format_round_trip(whole: int, cents: int) -> None:
    sign = "-" if whole < 0 else ""
    grouped = f"{abs(whole):,}".replace(",", ".")
    text = f"{sign}{grouped},{cents:02d}"
    expected = abs(whole) + cents / 100
    assert parse_number(text, decimal=",") == pytest.approx(-expected if whole < 0 else expected)


@given(st.lists(st.one_of(st.sampled_from(sorted(SYMBOLS)), finite.map(repr)), max_size=30))
def test_series_agrees_with_scalar(cells: list[str]) -> None:
    values, bad = parse_series(pd.Series(cells, dtype="object"))
    assert bad == []
    for cell, value in zip(cells, values, strict=True):
        expected = parse_number(cell)
        assert (math.isnan(value) and math.isnan(expected)) or value == expected
