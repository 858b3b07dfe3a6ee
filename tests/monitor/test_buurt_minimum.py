"""Buurt-level turnover and classes only where they mean something (issue 9).

Turnover spreads a municipality's settlers over its buurten: it is withheld when the buurten with an
estimate hold under 90 % of the municipality's inhabitants, and for a buurt under 100 inhabitants.
Classes and ranks compare a buurt with the spread between the municipality's buurten: withheld with
fewer than 5 scored buurten. Checked on Buurtstad (5 buurten, by hand), Buurtstad with only two buurten held,
the bundled Amsterdam (479) and Aa en Hunze (4) buurten.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from monitor_fixtures import BGM, BUURT_INW_2022, build_buurt_store

from roltrap.core import Roltrap
from roltrap.monitor.service import BUURT_MIN_AREAS, BUURT_MIN_COVERAGE, BUURT_MIN_INHABITANTS
from roltrap.store import Batch, Store

B1, B2, B3, B4, B5 = "BU99900000", "BU99900001", "BU99900100", "BU99900101", "BU99900102"


def rows(result: object) -> pd.DataFrame:
    return result.rows.set_index("code")  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def full_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("buurtstad") / "full.duckdb"
    build_buurt_store(path)
    return path


def _variant(full_db: Path, tmp: Path, sql: list[str]) -> Iterator[Roltrap]:
    db = tmp / "variant.duckdb"
    shutil.copy(full_db, db)
    store = Store(db)
    for statement in sql:
        store.con.execute(statement)
    store.close()
    rt = Roltrap(db, read_only=True)
    yield rt
    rt.close()


@pytest.fixture
def two_held(full_db: Path, tmp_path: Path) -> Iterator[Roltrap]:
    """Buurtstad with only Havenbuurt and Parkbuurt (wijk Noord) held: 2,450 of 5,900 inhabitants."""
    gone = "('BU99900100', 'BU99900101', 'BU99900102')"
    yield from _variant(full_db, tmp_path, [f"DELETE FROM observations WHERE region_code IN {gone}",
                                            f"DELETE FROM regions WHERE code IN {gone}"])


@pytest.fixture
def tiny_buurt(full_db: Path, tmp_path: Path) -> Iterator[Roltrap]:
    """Buurtstad with Dorpskern at 95 inhabitants in 2022 (the municipality's count follows)."""
    total = sum(BUURT_INW_2022.values()) - BUURT_INW_2022[B5] + 95
    yield from _variant(full_db, tmp_path, [
        f"UPDATE observations SET value = 95 WHERE region_code = '{B5}' AND year = 2022 "
        "AND indicator_id = 'a_inw'",
        f"UPDATE observations SET value = {total} WHERE region_code = '{BGM}' AND year = 2022 "
        "AND indicator_id = 'a_inw'"])


def test_the_rules_are_the_stated_ones() -> None:
    assert (BUURT_MIN_COVERAGE, BUURT_MIN_INHABITANTS, BUURT_MIN_AREAS) == (0.9, 100, 5)


def test_all_five_buurten_keep_their_figures(full_db: Path) -> None:
    rt = Roltrap(full_db, read_only=True)
    try:
        t = rt.monitor.turnover(gemeente=BGM, level="buurt")
        assert rows(t).loc[[B1, B2, B3, B4, B5], "available"].all()
        assert not any("alleen waar die iets zegt" in n for n in t.notes)
        c = rt.monitor.classify(gemeente=BGM, level="buurt")
        assert rows(c).loc[[B1, B2, B3, B4, B5], "score"].notna().all()
        assert not any("ten minste 5 buurten" in n for n in c.notes)
    finally:
        rt.close()


def test_two_buurten_of_a_municipality_give_no_turnover(two_held: Roltrap, full_db: Path) -> None:
    t = two_held.monitor.turnover(gemeente=BGM, level="buurt")
    r = rows(t)
    # Before the rule: 600 settlers a year spread over 2,450 inhabitants, Havenbuurt 980 / 240 = 4.1 years.
    for code in (B1, B2):
        assert not r.at[code, "available"]
        assert pd.isna(r.at[code, "vervangingssnelheid"]) and pd.isna(r.at[code, "vestigers_per_jaar"])
        assert r.at[code, "reason"].startswith("de buurten met cijfers hebben samen 42 % van de inwoners")
        assert "minder dan 90 %" in r.at[code, "reason"]
    rule = next(n for n in t.notes if "alleen waar die iets zegt" in n)
    assert "ten minste 90 % van de inwoners" in rule and "100 inwoners" in rule and "Weggelaten: 2" in rule
    # The municipality's own figure is untouched: 5,900 / 600.
    assert r.at[BGM, "vervangingssnelheid"] == pytest.approx(5900 / 600)


def test_two_buurten_give_no_class(two_held: Roltrap) -> None:
    c = two_held.monitor.classify(gemeente=BGM, level="buurt")
    r = rows(c)
    for code in (B1, B2):
        assert pd.isna(r.at[code, "score"]) and r.at[code, "class"] is None and not r.at[code, "available"]
        assert r.at[code, "reason"] == "te weinig buurten met cijfers in de gemeente (minder dan 5)"
        assert r.at[code, "belangrijkste_kenmerken"] == ""
    rule = next(n for n in c.notes if "ten minste 5 buurten" in n)
    assert "Buurtstad" in rule and "Weggelaten: 2 buurt(en)" in rule
    # The rule is for buurten: a wijk-level result never carries it.
    w = two_held.monitor.classify(gemeente=BGM)
    assert not any("ten minste 5 buurten" in n for n in w.notes)
    assert not (w.rows["reason"].fillna("").str.contains("buurten met cijfers")).any()


def test_five_buurten_are_ranked_two_are_not(full_db: Path, two_held: Roltrap) -> None:
    rt = Roltrap(full_db, read_only=True)
    try:
        full = rt.monitor.rank(gemeente=BGM, level="buurt")
    finally:
        rt.close()
    assert sorted(rows(full).loc[[B1, B2, B3, B4, B5], "rank"]) == [1, 2, 3, 4, 5]
    assert not any("ten minste 5 buurten" in n for n in full.notes)
    # Two buurten held: before the rule they were ranked 1 and 2 ("rangorde van 2 buurten").
    res = two_held.monitor.rank(gemeente=BGM, level="buurt")
    r = rows(res)
    for code in (B1, B2):
        assert pd.isna(r.at[code, "rank"]) and pd.isna(r.at[code, "score"]) and not r.at[code, "available"]
        assert r.at[code, "reason"] == "te weinig buurten met cijfers in de gemeente (minder dan 5)"
        assert pd.notna(r.at[code, "z_inkomen"])  # the components are still shown
    rule = next(n for n in res.notes if "rangorde van buurten alleen bij ten minste 5 buurten" in n)
    assert "Buurtstad" in rule and "Weggelaten: 2 buurt(en)" in rule
    # The rule is for buurten: a wijk-level result never carries it.
    w = two_held.monitor.rank(gemeente=BGM)
    assert not any("ten minste 5 buurten" in n for n in w.notes)
    assert not (w.rows["reason"].fillna("").str.contains("buurten met cijfers")).any()


def test_a_buurt_under_100_inhabitants_gets_no_speed(tiny_buurt: Roltrap) -> None:
    r = rows(tiny_buurt.monitor.turnover(gemeente=BGM, level="buurt"))
    assert not r.at[B5, "available"]
    assert r.at[B5, "reason"] == "te weinig inwoners (minder dan 100) voor een betekenisvolle snelheid"
    assert r.loc[[B1, B2, B3, B4], "available"].all()


def test_amsterdam_buurten_keep_their_own_reasons(rt_ro: Roltrap) -> None:
    # The bundle holds too few classify figures for Amsterdam's buurten: that reason stays, not the rule.
    c = rt_ro.monitor.classify(gemeente="GM0363", level="buurt")
    r = c.rows[c.rows["level"] == "buurt"]
    assert len(r) == 479
    assert (r["reason"] == "te weinig indicatoren (minder dan 3)").all()
    assert not any("ten minste 5 buurten" in n for n in c.notes)
    # No buurt inhabitants in the bundle: the reason stays the missing count, not the rule.
    t = rows(rt_ro.monitor.turnover(gemeente="GM0363", level="buurt"))
    assert (t.loc[t["level"] == "buurt", "reason"] == "inwonertal van de buurt ontbreekt").all()


def test_aa_en_hunze_four_buurten_give_no_class(rt: Roltrap) -> None:
    """Aa en Hunze's 4 bundled buurten with KWB-style figures imported: fewer than 5, so no class."""
    # a_inw, a_hh, a_15_24, a_25_44, a_65_oo, a_1p_hh, a_hh_m_k, p_huurw, p_koopw, p_mgezw, p_1gezw
    figures = {
        "BU16800000": (3500, 1500, 350, 800, 800, 400, 450, 30, 70, 10, 90),
        "BU16800009": (400, 170, 30, 80, 110, 30, 60, 10, 90, 0, 100),
        "BU16800100": (1200, 500, 110, 250, 300, 120, 160, 20, 80, 5, 95),
        "BU16800109": (300, 120, 20, 50, 90, 20, 40, 5, 95, 0, 100),
    }
    ids = ["a_inw", "a_hh", "a_15_24", "a_25_44", "a_65_oo", "a_1p_hh", "a_hh_m_k", "p_huurw", "p_koopw",
           "p_mgezw", "p_1gezw"]
    obs = pd.DataFrame([{"region_code": c, "year": 2021, "indicator_id": i, "value": float(v)}
                        for c, vals in figures.items() for i, v in zip(ids, vals, strict=True)])
    rt.store.apply(Batch(source={"id": "kwb-aa-en-hunze-test", "title": "KWB 2021 buurten (test)",
                                 "publisher": "CBS", "licence": "CC BY 4.0", "estimate": False},
                         observations=obs))
    c = rt.monitor.classify(gemeente="GM1680", level="buurt", year=2021)
    r = rows(c)
    assert set(r.index) >= set(figures)
    assert r.loc[list(figures), "score"].isna().all()
    few = "te weinig buurten met cijfers in de gemeente (minder dan 5)"
    assert (r.loc[list(figures), "reason"] == few).all()
    assert any("ten minste 5 buurten" in n and "Aa en Hunze" in n for n in c.notes)
