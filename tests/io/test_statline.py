"""StatLine "CSV met statistische symbolen": headers, padding, symbols, decimal commas, mapping."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roltrap.errors import InputError
from roltrap.io.statline import header_kwb_id, is_statline_header, parse_header, read_statline

DATA = Path(__file__).parent / "data" / "formats"
LEIDEN = DATA / "statline_leiden_2021.csv"


def _value(batch, code: str, ind: str) -> float:  # type: ignore[no-untyped-def]
    obs = batch.observations
    sel = obs[(obs.region_code == code) & (obs.indicator_id == ind)]
    assert len(sel) == 1, (code, ind)
    return float(sel["value"].iloc[0])


def test_leiden_file_values_match_kwb_2021() -> None:
    b = read_statline(LEIDEN)
    assert _value(b, "GM0546", "a_inw") == 124093
    assert _value(b, "GM0546", "a_hh") == 68077
    assert _value(b, "GM0546", "a_opl_lg") == 19340
    assert _value(b, "GM0546", "a_soz_wb") == 3270
    assert _value(b, "GM0546", "p_hh_110") == pytest.approx(11.3)  # decimal comma "11,3"
    assert _value(b, "WK054603", "p_hh_110") == pytest.approx(15.7)  # Leiden-Noord
    assert _value(b, "WK054609", "p_hh_110") == pytest.approx(7.8)  # Stevenshof
    assert set(b.observations["year"]) == {2021}  # from "2021JJ00"


def test_padded_codes_and_names_become_regions() -> None:
    b = read_statline(LEIDEN)
    regs = b.regions.set_index("code")
    assert list(regs.index) == ["GM0546", "WK054600", "WK054603", "WK054609"]
    assert regs.loc["WK054603", "name"] == "Leiden-Noord"
    assert regs.loc["WK054603", "parent"] == "GM0546"
    assert regs.loc["GM0546", "level"] == "gemeente"


def test_unmapped_and_mismatched_columns_become_user_indicators() -> None:
    b = read_statline(LEIDEN)
    # The bicycle column has no figure at all: nothing to keep, so it is the one column skipped.
    assert [(p.column, p.message) for p in b.skipped] == [
        ("Motorvoertuigen/Fietsen (aantal)",
         "kolom zonder cijfers voor u_motorvoertuigen_fietsen; overgeslagen")]
    ind = b.indicators.set_index("id")
    # A share is not the count a_opl_lg: it is kept under its own path, with its unit and kind.
    assert ind.loc["u_opleidingsniveau_laag", ["label", "unit", "kind", "aggregation", "theme"]].tolist() == [
        "Opleidingsniveau / Laag", "%", "share", "none", "eigen"]
    assert b.source["licence"] == "CC BY 4.0" and b.source["attribution"] == "Bron: CBS"


@pytest.mark.parametrize(("raw", "parts", "unit"), [
    ("Bevolking/Aantal inwoners (aantal)", ("Bevolking", "Aantal inwoners"), "aantal"),
    ("Opleidingsniveau/Laag/Waarde (%)", ("Opleidingsniveau", "Laag"), "%"),
    ("Wijken en buurten", ("Wijken en buurten",), None),
    ("Regioaanduiding/Gemeentenaam (naam)", ("Regioaanduiding", "Gemeentenaam"), "naam"),
    ("Inkomen/Inkomen van huishoudens/Huishoudens tot 110% van sociaal minimum (%)",
     ("Inkomen", "Inkomen van huishoudens", "Huishoudens tot 110% van sociaal minimum"), "%"),
])
def test_parse_header(raw: str, parts: tuple[str, ...], unit: str | None) -> None:
    h = parse_header(raw)
    assert h.parts == parts
    assert h.unit == unit


@pytest.mark.parametrize(("raw", "kwb"), [
    ("Bevolking/Aantal inwoners (aantal)", "a_inw"),
    ("Opleidingsniveau/Laag (aantal)", "a_opl_lg"),
    ("Hoogst behaald onderwijsniveau/Basisonderwijs, vmbo, mbo1 (aantal)", "a_opl_lg"),
    ("Sociale zekerheid/Personen per soort uitkering; Bijstand (aantal)", "a_soz_wb"),
    ("Inkomen/40% personen met laagste inkomen (%)", "p_ink_li"),
    ("Bevolking naar herkomst/Herkomstland/Nederland (aantal)", "a_nl_all"),
    ("Bevolking naar herkomst/Geboren in Nederland/Nederland (aantal)", "a_geb_nl"),
    ("Motorvoertuigen/Fietsen (aantal)", None),
])
def test_header_mapping(raw: str, kwb: str | None) -> None:
    assert header_kwb_id(parse_header(raw)) == kwb


def test_is_statline_header() -> None:
    assert is_statline_header(["Wijken en buurten", "Regioaanduiding/Codering (code)", "Perioden",
                               "Bevolking/Aantal inwoners (aantal)"])
    assert not is_statline_header(["gwb_code_10", "a_inw"])


def test_without_period_the_year_comes_from_the_name(tmp_path: Path) -> None:
    p = tmp_path / "kwb_statline_2019.csv"
    p.write_text('"Regioaanduiding/Codering (code)";"Bevolking/Aantal inwoners (aantal)"\n'
                 '"GM0546    ";"  123753"\n', encoding="utf-8")
    b = read_statline(p)
    assert b.observations["year"].tolist() == [2019]
    p2 = tmp_path / "zonder_jaar.csv"
    p2.write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(InputError, match="jaar is onbekend"):
        read_statline(p2)


def test_no_known_column_at_all(tmp_path: Path) -> None:
    p = tmp_path / "x_2021.csv"
    p.write_text('"Regioaanduiding/Codering (code)";"Perioden";"Regioaanduiding/Gemeentenaam (naam)"\n'
                 '"GM0546    ";"2021JJ00";"Leiden"\n', encoding="utf-8")
    with pytest.raises(InputError, match="geen enkele kolom"):
        read_statline(p)


# -- property: padding, symbols and number formats ------------------------------------------------

_SYMBOLS = [".", "x", "-", "?"]


def _dutch(x: float, decimals: int) -> str:
    text = f"{x:,.{decimals}f}"  # 1,234.5
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.one_of(st.sampled_from(_SYMBOLS),
                                st.floats(min_value=0, max_value=1_000_000, allow_nan=False).map(
                                    lambda v: round(v, 1))),
                      min_size=1, max_size=6),
       pad=st.integers(0, 12), code_pad=st.integers(0, 4), dutch=st.booleans())
def test_padding_symbols_and_number_formats(tmp_path: Path, cells: list[object], pad: int, code_pad: int,
                                            dutch: bool) -> None:
    lines = ['"Regioaanduiding/Codering (code)";"Perioden";'
             '"Inkomen/Gemiddeld inkomen per inwoner (x 1 000 euro)"']
    codes = []
    for i, cell in enumerate(cells):
        code = f"WK0546{i:02d}"
        codes.append(code)
        text = cell if isinstance(cell, str) else (_dutch(float(cell), 1) if dutch else f"{cell:.1f}")  # type: ignore[arg-type]
        lines.append(f'"{code.ljust(10 + code_pad)}";"2021JJ00";"{text.rjust(len(text) + pad)}"')
    if not any(isinstance(c, float) for c in cells):
        lines.append('"GM0546    ";"2021JJ00";"1,5"' if dutch else '"GM0546    ";"2021JJ00";"1.5"')
        codes.append("GM0546")
        cells = [*cells, 1.5]
    p = tmp_path / "prop.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    b = read_statline(p)
    got = dict(zip(b.observations["region_code"], b.observations["value"], strict=True))
    for code, cell in zip(codes, cells, strict=True):
        if isinstance(cell, str):
            assert math.isnan(got[code]), "a CBS symbol is a missing figure, never 0"
        else:
            assert got[code] == pytest.approx(float(cell))  # type: ignore[arg-type]
