"""Caseloads: privacy screening before anything else, and primary + secondary suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roltrap.core import Roltrap
from roltrap.errors import InputError, PrivacyError
from roltrap.triage.caseload import (
    Caseload,
    Classified,
    RegionIndex,
    classify,
    looks_like_bsn,
    looks_like_date,
    passes_elfproef,
    read_caseload,
    summarise,
)
from roltrap.triage.frameworks import Frameworks
from roltrap.triage.questionnaire import Questionnaire

VALID_BSN = "111222333"  # 9·1+8·1+7·1+6·2+5·2+4·2+3·3+2·3−3 = 66 = 6·11


def test_elfproef_by_hand() -> None:
    assert passes_elfproef(VALID_BSN)
    assert not passes_elfproef("111222334")
    assert not passes_elfproef("000000000")
    assert looks_like_bsn("111.222.333") and looks_like_bsn("11222333" if passes_elfproef("011222333")
                                                             else VALID_BSN)
    assert not looks_like_bsn("WK054600")


def test_dates_are_recognised() -> None:
    assert looks_like_date("12-03-1985") and looks_like_date("1985-03-12") and looks_like_date("19850312")
    assert not looks_like_date("31-02-1985") and not looks_like_date("18_26")


def _read(text: str, q: Questionnaire) -> Caseload:
    return read_caseload(text.encode(), questionnaire=q)


@pytest.mark.parametrize("text, column, secret", [
    ("wijk,Naam cliënt,leeftijd\nWK054600,x,27_49\n", "B", "Naam cliënt"),
    ("wijk,Geboortedatum,leeftijd\nWK054600,x,27_49\n", "B", "Geboortedatum"),
    ("wijk,E-mail\nWK054600,x\n", "B", "E-mail"),
    ("wijk,leeftijd,client_id\nWK054600,27_49,111222333\n", "C", "111222333"),
    ("wijk,leeftijd,kenmerk\nWK054600,27_49,12-03-1985\n", "C", "12-03-1985"),
    ("wijk,toelichting_coach\nWK054600,ok\n", "B", "toelichting_coach"),
    ("wijk,leeftijd,verhaal\nWK054600,27_49,woont sinds kort alleen na scheiding\n", "C", "woont sinds"),
    ("wijk,leeftijd,contact\nWK054600,27_49,0612345678\n", "C", "0612345678"),
])
def test_identifying_columns_and_values_are_refused_by_position(text: str, column: str, secret: str,
                                                                 q: Questionnaire) -> None:
    with pytest.raises(PrivacyError) as exc:
        _read(text, q)
    message = str(exc.value)
    assert f"kolom '{column}'" in message
    assert secret not in message, "neither a refused value nor an unknown column name is repeated"


def test_privacy_is_checked_before_answers_are_validated(service: object, triage_rt: Roltrap) -> None:
    # The file also has an invalid answer; the privacy refusal must come first.
    text = f"wijk,leeftijd,kenmerk_x\nWK054600,honderd,{VALID_BSN}\n"
    with pytest.raises(PrivacyError, match="elfproef") as exc:
        triage_rt.triage.caseload(text.encode())
    assert VALID_BSN not in str(exc.value) and "kenmerk_x" not in str(exc.value)


def test_district_name_column_and_labels_are_fine(q: Questionnaire) -> None:
    case = _read("Wijk,Werksituatie\nBinnenstad-Zuid,Tijdelijk contract; Uitzendwerk\n", q)
    assert list(case.frame.columns) == ["wijk", "werk"] and case.rows == [2]
    assert case.column_name("werk") == "B (Werksituatie)"


def _index() -> RegionIndex:
    regions = pd.DataFrame({"code": ["WK054600", "WK054601", "WK054608"],
                            "name": ["Binnenstad-Zuid", "Binnenstad-Noord", "Merenwijkdistrict"],
                            "level": "wijk", "parent": "GM0546"})
    return RegionIndex(gemeente="GM0546", gemeente_name="Leiden", regions=regions)


def test_bad_cells_are_all_reported_without_their_values(q: Questionnaire, fw: Frameworks) -> None:
    case = _read("wijk,leeftijd,werk\nWK054600,27_49,vast\nWK999999,oud,vast\nWK054601,27_49,kantoor\n", q)
    with pytest.raises(InputError) as exc:
        classify(case, questionnaire=q, frameworks=fw, index=_index())
    where = [(p.row, p.column) for p in exc.value.problems]
    assert where == [(3, "A (Wijk)"), (3, "B (Leeftijdsgroep)"), (4, "C (Werksituatie)")]
    assert all(p.value is None for p in exc.value.problems)
    for secret in ("WK999999", "oud", "kantoor"):
        assert f"'{secret}'" not in str(exc.value) and f" {secret} " not in str(exc.value)
    with pytest.raises(InputError, match="onbekende kolomnaam") as unknown:
        _read("wijk,schoenmaat\nWK054600,43\n", q)
    assert "schoenmaat" not in str(unknown.value)


def test_names_match_loosely_and_ambiguity_is_reported(q: Questionnaire, fw: Frameworks) -> None:
    index = _index()
    assert index.resolve("Merenwijk", level="wijk") == ("WK054608", None)
    assert index.resolve("MERENWIJKDISTRICT", level="wijk") == ("WK054608", None)
    assert index.resolve("54600", level="wijk") == ("WK054600", None)
    code, why = index.resolve("Binnenstad", level="wijk")
    assert code is None and why is not None
    assert "Binnenstad-Zuid (WK054600)" in why and "Binnenstad-Noord (WK054601)" in why
    code, why = index.resolve("Jan Jansen", level="wijk")
    assert code is None and why is not None and "Jan" not in why


def _classified(cells: dict[tuple[str, str], int]) -> Classified:
    rows: list[tuple[str, str, str]] = []
    for (type_id, wijk), n in cells.items():
        rows += [(wijk, type_id, "coachen")] * n
    df = pd.DataFrame(rows, columns=["wijk", "type", "style"])
    return Classified(rows=df, type_labels={})


def test_primary_and_secondary_suppression_by_hand(fw: Frameworks) -> None:
    # kampers: W1 20, W2 15; lvb: W1 12, W2 5. lvb/W2 is primary; its row and column each need a
    # second hidden cell (lvb/W1 = 12, kampers/W2 = 15), then column W1 needs kampers/W1 too.
    cl = _classified({("kampers", "W1"): 20, ("kampers", "W2"): 15,
                      ("lichte_verstandelijke_beperking", "W1"): 12,
                      ("lichte_verstandelijke_beperking", "W2"): 5})
    res = summarise(cl, frameworks=fw, min_cell=10)
    body = res.types.loc[["lichte_verstandelijke_beperking", "kampers"], ["W1", "W2"]]
    assert body.isna().all().all()
    assert res.types.loc["kampers", "Totaal"] == 35 and res.types.loc["lichte_verstandelijke_beperking",
                                                                      "Totaal"] == 17
    assert list(res.types.loc["Totaal"]) == [32, 20, 52]
    assert (res.suppression["types"].primary, res.suppression["types"].secondary) == (1, 3)
    assert res.n_clients == 52
    assert list(res.districts["clienten"]) == [32, 20]


def test_a_lone_small_row_total_is_protected_too(fw: Frameworks) -> None:
    # lvb has 3 + 4 = 7 clients: its total is hidden, but 107 − 60 − 40 would give it back, so the
    # smallest other row total (kampers, 40) is hidden as well.
    cl = _classified({("echte_vangnetter", "W1"): 30, ("echte_vangnetter", "W2"): 30,
                      ("lichte_verstandelijke_beperking", "W1"): 3,
                      ("lichte_verstandelijke_beperking", "W2"): 4,
                      ("kampers", "W1"): 20, ("kampers", "W2"): 20})
    res = summarise(cl, frameworks=fw, min_cell=10)
    totals = res.types["Totaal"]
    assert pd.isna(totals["lichte_verstandelijke_beperking"]) and pd.isna(totals["kampers"])
    assert totals["echte_vangnetter"] == 60 and totals["Totaal"] == 107


def _lone_hidden_lines(table: pd.DataFrame) -> int:
    mask = table.isna().to_numpy()
    return int((mask.sum(axis=1) == 1).sum() + (mask.sum(axis=0) == 1).sum())


@settings(max_examples=150, deadline=None)
@given(data=st.lists(st.tuples(st.sampled_from(["W1", "W2", "W3"]),
                               st.sampled_from(["kampers", "lichte_verstandelijke_beperking",
                                                "schuldenproblematiek", "geen_passend_type"]),
                               st.sampled_from(["zelfsturen", "coachen", "activeren"])),
                     min_size=1, max_size=120),
       min_cell=st.integers(min_value=1, max_value=15))
def test_no_table_lets_a_hidden_cell_be_recomputed(data: list[tuple[str, str, str]], min_cell: int,
                                                   fw: Frameworks) -> None:
    cl = Classified(rows=pd.DataFrame(data, columns=["wijk", "type", "style"]), type_labels={})
    res = summarise(cl, frameworks=fw, min_cell=min_cell)
    truth = pd.crosstab(cl.rows["type"], cl.rows["wijk"])
    for table in (res.types, res.styles):
        assert _lone_hidden_lines(table) == 0
        shown = table.to_numpy(dtype=float, na_value=np.nan)
        assert np.all(np.isnan(shown) | (shown >= min_cell))
    # Published cells are the true counts; the two tables hide the same district totals.
    for t in truth.index:
        label = t
        for w in truth.columns:
            v = res.types.loc[label, w]
            assert pd.isna(v) or v == truth.loc[t, w]
    assert list(res.types.loc["Totaal"].isna()) == list(res.styles.loc["Totaal"].isna())


def test_caseload_through_the_core_object(triage_rt: Roltrap) -> None:
    lines = ["wijk;migratie;opleiding;gezondheid;wonen"]
    lines += ["WK054600;statushouder;hoog;;"] * 30 + ["Stationsdistrict;statushouder;hoog;;"] * 25
    lines += ["WK054600;;;lvb;"] * 14 + ["Stationsdistrict;;;lvb;"] * 3
    lines += ["WK054600;;;;woonwagen"] * 20 + ["54602;;;;Woonwagen of standplaats"] * 20
    res = triage_rt.triage.caseload("\n".join(lines).encode())
    assert res.n_clients == 112
    # lvb/Stationsdistrict (3) is primary; lvb/WK054600 and both kampers cells follow as secondary.
    t = res.types
    assert t.loc["Hooggeschoolde statushouders", "WK054600"] == 30
    assert t.loc["Hooggeschoolde statushouders", "WK054602"] == 25
    lvb = "Lichte verstandelijke beperking"
    for cell in [(lvb, "WK054602"), (lvb, "WK054600"), ("Kampers", "WK054602"), ("Kampers", "WK054600")]:
        assert pd.isna(t.loc[cell])
    assert t.loc["Totaal", "WK054600"] == 64
    dist = res.districts
    assert list(dist.index) == ["WK054600", "WK054602"]
    assert dist.loc["WK054602", "name"] == "Stationsdistrict"
    assert dist.loc["WK054600", "a_inw"] > 1000 and 0 < dist.loc["WK054600", "p_hh_110"] < 100
    assert dist.loc["WK054600", "p_hh_110_jaar"] <= dist.loc["WK054600", "a_inw_jaar"]
    expected = round(64 / dist.loc["WK054600", "a_inw"] * 1000, 1)
    assert dist.loc["WK054600", "clienten_per_1000_inw"] == pytest.approx(expected)
