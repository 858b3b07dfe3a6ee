"""Dutch number formatting: the one module every shell writes numbers through."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from roltrap import fmt
from roltrap.report.fmt import nl_number


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (124093, None, "124.093"), (11.3, None, "11,3"), (1234.5, None, "1.234,5"), (0, None, "0"),
    (None, None, "n.b."), (float("nan"), None, "n.b."), (pd.NA, None, "n.b."), (np.float64(2.25), 2, "2,25"),
    (np.int64(356927), None, "356.927"), (1234567.891, 2, "1.234.567,89"), (-0.04, 1, "0,0"),
    (-1234.5, 1, "-1.234,5"), (37.0, 1, "37,0"), (float("inf"), None, "n.b."), (True, None, "Ja"),
    ("onderdrukt", None, "onderdrukt"),
])
def test_number(value: object, decimals: int | None, text: str) -> None:
    assert fmt.number(value, decimals) == text


def test_old_name_is_the_same_function() -> None:
    assert nl_number(1234.5) == fmt.number(1234.5) == "1.234,5"


def test_units_percent_points_counts() -> None:
    assert fmt.percent(12.44) == "12,4 %"
    assert fmt.share_percent(0.625) == "62,5 %"
    assert fmt.percent(None) == "n.b."
    assert fmt.quantity(12.4, "%") == "12,4 %"
    assert fmt.quantity(3.26, "km", 1) == "3,3 km"
    assert fmt.quantity(None, "km", missing="geen gegevens") == "geen gegevens"
    assert fmt.count(356927, "persoonsjaar", "persoonsjaren") == "356.927 persoonsjaren"
    assert fmt.count(1, "persoon", "personen") == "1 persoon"
    assert fmt.points(4.44) == "4,4 procentpunten"
    assert fmt.points(1.0) == "1,0 procentpunt"
    assert fmt.signed(0.25, 2) == "+0,25" and fmt.signed(-0.25, 2) == "−0,25"
    assert fmt.signed(0.0) == "0,0" and fmt.signed(0, 0) == "0"
    assert fmt.number_range(24392, 40495) == "24.392 tot 40.495"
    assert fmt.yes_no(False) == "Nee" and fmt.yes_no(None) == "n.b."
    assert fmt.year(2021.0) == "2021" and fmt.cell(2021, "year") == "2021" and fmt.cell(2021, "a") == "2.021"
    assert fmt.with_unit("Inwoners", "personen") == "Inwoners (personen)"
    assert fmt.with_unit("Huurwoningen (%)", "%") == "Huurwoningen (%)"


def test_column_decimals_follow_the_labels() -> None:
    assert fmt.column_decimals("inwoners") == 0
    assert fmt.column_decimals("score") == 2
    assert fmt.column_decimals("nog_in_wijk") == 3
    assert fmt.column_decimals("p_hh_110") is None


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_integers_round_trip(n: int) -> None:
    assert int(fmt.number(n).replace(".", "")) == n


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(min_value=0, max_value=4))
def test_decimals_round_trip(x: float, d: int) -> None:
    text = fmt.number(x, d)
    back = float(text.replace(".", "").replace(",", "."))
    assert math.isclose(back, round(x, d), abs_tol=10 ** -d)
    assert "," in text if d else "," not in text
