"""Amsterdam's 99 wijken and 479 buurten from the real CBS SES-WOA export (85163NED, 2019).

The file's own wijk scores of Burgwallen-Oude Zijde and Burgwallen-Nieuwe Zijde are left out of the
store (conftest), so the monitor must derive them from the buurten (households-weighted); CBS's published
wijk score is the check.
"""

from __future__ import annotations

import pandas as pd
import pytest
from monitor_fixtures import SES_DROP_WIJK

from roltrap.core import Roltrap
from roltrap.errors import NotAvailableError


def test_map_of_a_user_score_at_buurt_level(ses: tuple[Roltrap, pd.DataFrame]) -> None:
    rt, data = ses
    r = rt.monitor.map_classes(gemeente="GM0363", level="buurt", indicator="ses_woa")
    assert r.extra["year"] == 2019 and r.extra["scheme"] == "quantile"  # a score, not a share
    buurten = data[data["code"].str.startswith("BU")]
    assert len(r.rows) == len(buurten) == 479
    held = buurten["ses_woa"].notna().sum()
    legend = r.extra["legend"]
    assert sum(e["count"] for e in legend) == held and all(e["count"] > 0 for e in legend)
    assert r.extra["missing"]["count"] == len(buurten) - held  # buurten without households: "."
    row = r.rows.set_index("code").loc["BU03630000"]  # Kop Zeedijk 0.045
    assert row["value"] == pytest.approx(0.045) and row["class"] is not None
    assert "Jaar 2019" in r.notes[0]


def test_share_at_buurt_level_uses_the_syllabus_classes(ses: tuple[Roltrap, pd.DataFrame]) -> None:
    rt, _ = ses
    r = rt.monitor.map_classes(gemeente="GM0363", wijk="WK036300", indicator="p_hh_opl_laag")
    got = r.rows.set_index("code")["class"].to_dict()
    # Burgwallen-Oude Zijde's buurten: 12.4, 14.8, 15.3, 5.2, 9.9 % of households with low education
    assert got == {"BU03630000": "10 tot 15%", "BU03630001": "10 tot 15%", "BU03630002": "15 tot 20%",
                   "BU03630003": "< 10%", "BU03630004": "< 10%"}
    assert [e["label"] for e in r.extra["legend"]] == ["< 10%", "10 tot 15%", "15 tot 20%"]


def test_wijk_score_derived_from_its_buurten_matches_cbs(ses: tuple[Roltrap, pd.DataFrame]) -> None:
    rt, data = ses
    r = rt.monitor.map_classes(gemeente="GM0363", level="wijk", indicator="ses_woa", scheme="natural")
    rows = r.rows.set_index("code")
    pub = data.set_index("code")
    for wijk in SES_DROP_WIJK:
        assert rows.at[wijk, "derived_from"] == "buurten"
        b = data[data["code"].str.startswith("BU" + wijk[2:8]) & data["ses_woa"].notna()]
        by_hand = (b["ses_woa"] * b["a_hh"]).sum() / b["a_hh"].sum()
        assert rows.at[wijk, "value"] == pytest.approx(by_hand)
        # CBS computes from unrounded household counts; the derived score lies close to the published one
        assert abs(rows.at[wijk, "value"] - pub.at[wijk, "ses_woa"]) < 0.02
    assert pd.isna(rows.at["WK036302", "derived_from"])  # a wijk with its own score keeps it
    assert any("berekend uit de buurten" in n for n in r.notes)
    assert r.extra["scheme"] == "natural" and len(r.extra["legend"]) == 5


def test_computations_without_their_figures_say_so(ses: tuple[Roltrap, pd.DataFrame]) -> None:
    rt, _ = ses
    with pytest.raises(NotAvailableError) as err:
        rt.monitor.rank(gemeente="GM0363", level="buurt")
    assert "a_inw" not in err.value.message and "ontbreken" in err.value.message
    assert rt.monitor.years("map", gemeente="GM0363", level="buurt", indicator="ses_woa") == [2019]
