"""Region codes in every shape they come in normalise to one canonical code."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roltrap.io.codes import canonical_name, gemeente_of, level_of, normalise_code, parent_of

gm_num = st.integers(1, 9999)
wk_num = st.integers(0, 99)


@given(gm_num, st.integers(0, 3), st.integers(0, 3))
def test_gemeente_round_trip(n: int, left: int, right: int) -> None:
    code = f"GM{n:04d}"
    assert normalise_code(code) == code
    assert normalise_code(" " * left + code.lower() + " " * right) == code
    assert normalise_code(n) == code
    assert normalise_code(str(n), level="gemeente") == code
    assert normalise_code(normalise_code(code)) == code


@given(gm_num, wk_num)
def test_wijk_round_trip(gm: int, wk: int) -> None:
    code = f"WK{gm:04d}{wk:02d}"
    assert normalise_code(code + "  ") == code  # StatLine pads codes to 10 characters
    assert normalise_code(int(code[2:]), level="wijk") == code
    assert normalise_code(float(int(code[2:])), level="wijk") == code
    assert level_of(code) == "wijk"
    assert parent_of(code) == f"GM{gm:04d}" == gemeente_of(code)


def test_numeric_codes_by_length() -> None:
    assert normalise_code(546) == "GM0546"
    assert normalise_code(54600) == "WK054600"
    assert normalise_code(5460000) == "BU05460000"
    assert normalise_code("NL01") == "NL00"


def test_alphanumeric_codes_since_2022() -> None:
    assert normalise_code("wk0363aa ") == "WK0363AA"
    assert normalise_code("BU0363AA01") == "BU0363AA01"
    assert parent_of("WK0363AA") == "GM0363"


@pytest.mark.parametrize("raw", ["", "GM12345", "XX0546", "12.5", float("nan"), None, "1234567890"])
def test_bad_codes(raw: object) -> None:
    with pytest.raises(ValueError):
        normalise_code(raw)


@pytest.mark.parametrize(
    "name", ["s-Gravenhage", "'s-Gravenhage", "\u2019s-Gravenhage", "Den Haag", " 's-Gravenhage "]
)
def test_den_haag_spellings(name: str) -> None:
    assert canonical_name(name) == "'s-Gravenhage"
