"""The bundled network's detour check is measured, not written down: the stored figures equal a fresh
run of the same check, and the answers carry them in their JSON and their Dutch note."""

from __future__ import annotations

import json

import pytest

from roltrap.access.service import BUNDLE_DIR
from roltrap.core import Roltrap


def test_stored_detours_equal_a_fresh_check(rt_ro: Roltrap) -> None:
    stored = json.loads((BUNDLE_DIR / "network_check.json").read_text(encoding="utf-8"))
    fresh = rt_ro.access.detour_check(gemeente=stored["gemeente"], pairs=stored["pairs"], seed=stored["seed"],
                                      min_m=stored["min_m"])
    q = fresh["ratio"].quantile([0, 0.1, 0.25, 0.5, 0.75, 0.9, 1])
    got = dict(zip(["min", "p10", "p25", "mediaan", "p75", "p90", "max"], q, strict=True))
    assert got == pytest.approx(stored["ratio"], abs=0.0005)
    assert int((fresh["ratio"] > 1.8).sum()) == stored["above_1_8"] == 7
    assert (fresh["ratio"] >= 1.0).all()  # never shorter than the straight line
    # The note says the same figures, in Dutch.
    for text in ("mediaan 1,35", "ten hoogste 1,84", "hoogste 2,01", "7 van de 50 paren liggen boven 1,8"):
        assert text in stored["note"]


def test_answers_carry_the_check_in_json_and_note(rt_ro: Roltrap) -> None:
    res = rt_ro.access.answers(gemeente="GM0546", soort="treinstation", mode="lopen")
    check = res.extra["network_check"]
    assert check["above_1_8"] == 7 and check["pairs"] == 50
    assert any("7 van de 50 paren liggen boven 1,8" in n for n in res.notes)
    other = rt_ro.access.answers(gemeente="GM0518", soort="huisarts")  # no network: nothing to check
    assert other.extra["network_check"] is None
