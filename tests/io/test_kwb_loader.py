"""KWB reader on real excerpts (quirks kept) and on hand-made malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from roltrap.errors import InputError
from roltrap.io.kwb import kwb_batch, read_kwb, read_kwb_frame
from roltrap.io.odata import key_stem, read_odata_csv

DATA = Path(__file__).parent / "data" / "a1"
KWB = DATA / "kwb-2021-2022-wijken-gemeenten"


def value(batch, code: str, year: int, ind: str) -> float:  # type: ignore[no-untyped-def]
    o = batch.observations
    hit = o[(o.region_code == code) & (o.year == year) & (o.indicator_id == ind)]
    assert len(hit) == 1, (code, year, ind)
    return float(hit["value"].iloc[0])


def test_gemeenten_excerpt() -> None:
    b = read_kwb(KWB / "kwb_2021_2022_nl_gemeenten.csv")
    assert value(b, "GM0546", 2021, "a_inw") == 124093
    assert value(b, "GM0546", 2021, "a_opl_lg") == 19340  # written as 19340.0 upstream
    assert value(b, "GM0546", 2022, "a_inw") == 125074
    assert value(b, "NL00", 2021, "a_inw") == 17475415
    # The loader does not guess: the lost decimal point is a fix of the bundle script, not of the format.
    assert value(b, "GM0546", 2021, "p_hh_110") == 113
    regions = b.regions.set_index("code")
    assert regions.loc["GM0546", "name"] == "Leiden" and regions.loc["GM0546", "parent"] == "NL00"
    assert regions.loc["NL00", "level"] == "land"
    assert regions.loc["GM0546", "boundary_year"] == 2022
    # Extra StatLine columns are reported, not silently dropped.
    assert "TotaalJongerenMetJeugdzorgInNatura_1" in {p.column for p in b.skipped}
    # A first-release 2022 column with no value at all is kept as NULLs (missing), never 0.
    o = b.observations
    first_release = o[(o.year == 2022) & (o.indicator_id == "p_hh_110")]
    assert len(first_release) == 5 and first_release["value"].isna().all()  # NL + 4 gemeenten
    assert b.source["licence"] == "CC BY 4.0" and b.source["attribution"] == "Bron: CBS"
    assert set(b.indicators["id"]) >= {"a_inw", "p_hh_110", "a_hh"}


def test_herkomst_both_classifications(tmp_path: Path) -> None:
    f = tmp_path / "kwb-2023.csv"
    f.write_text(
        "gwb_code_10,regio,recs,a_inw,a_w_all,a_nl_all,a_eur_al,a_neu_al\n"
        "GM0546,Leiden,Gemeente,127089,.,81337,16521,29231\n",
        encoding="utf-8",
    )
    b = read_kwb(f)
    o = b.observations
    ids = set(o.loc[o["value"].notna(), "indicator_id"])
    assert {"a_nl_all", "a_eur_al", "a_neu_al"} <= ids
    assert o.loc[o["indicator_id"] == "a_w_all", "value"].isna().all()  # '.': missing, never 0
    assert value(b, "GM0546", 2023, "a_neu_al") == 29231


def test_year_from_keyword_and_symbols(tmp_path: Path) -> None:
    f = tmp_path / "kerncijfers.csv"
    f.write_text(
        "gwb_code_8,regio,recs,a_inw,a_soz_wb\n546,Leiden,Gemeente,  124093 ,x\n"
        "54600,Binnenstad-Zuid,Wijk,8360,90\n",
        encoding="utf-8",
    )
    b = read_kwb(f, year=2021)
    assert value(b, "GM0546", 2021, "a_inw") == 124093
    o = b.observations
    suppressed = o[(o.region_code == "GM0546") & (o.indicator_id == "a_soz_wb")]["value"]
    assert suppressed.isna().all()  # 'x' = secret: NULL, never 0
    assert set(b.regions["code"]) == {"GM0546", "WK054600"}
    assert b.regions.set_index("code").loc["WK054600", "parent"] == "GM0546"


def test_all_problems_collected(tmp_path: Path) -> None:
    f = tmp_path / "kwb-2021.csv"
    f.write_text(
        "gwb_code_10,regio,recs,a_inw,p_hh_110\nGM0546,Leiden,Gemeente,12x4,11.3\n"
        "XX12,Nergens,Gemeente,5,5\nWK054600,Binnenstad-Zuid,Gemeente,8360,abc\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_kwb(f)
    where = {(p.row, p.column) for p in info.value.problems}
    assert {(2, "a_inw"), (3, "gwb_code_10"), (4, "p_hh_110"), (4, "recs")} <= where
    assert all(p.file and p.file.endswith("kwb-2021.csv") for p in info.value.problems)
    assert "kwb-2021.csv" in str(info.value)


def test_no_year_anywhere(tmp_path: Path) -> None:
    f = tmp_path / "kerncijfers.csv"
    f.write_text("gwb_code_10,regio,recs,a_inw\nGM0546,Leiden,Gemeente,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="geen geldig KWB-bestand"):
        read_kwb(f)


def test_duplicate_region_year(tmp_path: Path) -> None:
    f = tmp_path / "kwb-2021.csv"
    f.write_text(
        "gwb_code_10,regio,recs,a_inw\nGM0546,Leiden,Gemeente,1\nGM0546,Leiden,Gemeente,2\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as info:
        read_kwb(f)
    assert any("meer dan eens" in p.message for p in info.value.problems)


def test_no_code_column(tmp_path: Path) -> None:
    f = tmp_path / "kwb-2021.csv"
    f.write_text("naam,a_inw\nLeiden,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="geen kolom met regiocodes"):
        read_kwb(f)


def test_xlsx(tmp_path: Path) -> None:
    frame = read_kwb_frame(KWB / "kwb_2021_2022_wijken_leiden_en_vergelijking.csv")
    f = tmp_path / "kwb-2021.xlsx"
    frame[frame["year"] == "2021"].to_excel(f, index=False)
    b = read_kwb(f)
    assert value(b, "WK054603", 2021, "a_inw") == 15140


def test_kwb_batch_on_frame_keeps_text() -> None:
    frame = read_kwb_frame(KWB / "kwb_2021_2022_wijken_leiden_en_vergelijking.csv")
    assert frame.loc[frame["gwb_code_10"] == "WK054600", "g_afs_hp"].iloc[0] == "05"  # leading zero kept
    b = kwb_batch(frame, file=KWB / "x.csv")
    assert len(b.regions) == 10  # the ten wijken of Leiden


def test_odata_stems_and_2024_csv() -> None:
    assert key_stem("AantalInwoners_5") == "AantalInwoners"
    assert key_stem("Woningvoorraad_35") == key_stem("Woningvoorraad_34") == "Woningvoorraad"
    b = read_odata_csv(
        DATA / "kwb2024-basic" / "kwb2024_gemeenten_wijken_basis.csv",
        year=2024,
        names={"GM0546": "Leiden", "WK054601": ""},
        boundary_year=2024,
    )
    assert value(b, "GM0546", 2024, "a_inw") == 130108
    assert value(b, "WK0363AA", 2024, "a_inw") > 0
    assert set(b.observations["indicator_id"]) == {
        "a_inw",
        "a_man",
        "a_vrouw",
        "bev_dich",
        "a_woning",
        "a_opp_ha",
        "a_lan_ha",
        "a_wat_ha",
    }
    names = b.regions.set_index("code")["name"]
    assert names["GM0546"] == "Leiden" and names["WK054600"] == "WK054600"
    assert names["WK054601"] == "WK054601"  # an empty name is no name
    assert (b.regions["boundary_year"] == 2024).all()
    assert b.source["rows_loaded"] == len(b.observations) > 0
