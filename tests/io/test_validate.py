"""The declarative schemas: every failure of every table collected in one pass, located."""

from __future__ import annotations

import pandas as pd
import pytest

from roltrap.errors import InputError
from roltrap.io.validate import validate_batch
from roltrap.store import Batch

SRC = {"id": "t", "title": "t", "publisher": "t", "licence": "CC BY 4.0"}


def _obs(rows: list[tuple[str, int, str, float | None, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region_code", "year", "indicator_id", "value", "_line"])


def test_valid_batch_passes() -> None:
    b = Batch(source=SRC, observations=_obs([("GM0546", 2021, "p_hh_110", 11.3, 2),
                                             ("WK054600", 2021, "p_hh_110", None, 3)]))
    validate_batch(b, kinds={"p_hh_110": "share"})


def test_all_failures_in_one_pass_with_lines() -> None:
    obs = _obs([
        ("GM0546", 2021, "p_hh_110", 113.0, 2),   # share > 100 (the 2021 lost-decimal quirk)
        ("XX0546", 2021, "a_inw", 1.0, 3),        # not a region code
        ("GM0546", 1850, "a_inw", 1.0, 4),        # implausible year
        ("GM0546", 2021, "a_inw", 5.0, 5),
        ("GM0546", 2021, "a_inw", 6.0, 6),        # duplicate region-year-indicator
        ("GM0546", 2021, "a_inw", 1e6, 7),        # third duplicate
        ("WK054600", 2021, "p_hh_110", -0.1, 8),  # share < 0
    ])
    regions = pd.DataFrame({"code": ["WK054600", "GM0546"], "name": ["Binnenstad-Zuid", ""],
                            "level": ["gemeente", "gemeente"], "parent": ["GM0546", "NL00"],
                            "_line": [10, 11]})
    b = Batch(source=SRC, observations=obs, regions=regions)
    with pytest.raises(InputError) as exc:
        validate_batch(b, file="x_2021.csv", kinds={"p_hh_110": "share", "a_inw": "count"})
    by_row: dict[int | None, list[str]] = {}
    for p in exc.value.problems:
        by_row.setdefault(p.row, []).append(p.message)
    assert any("percentage buiten" in m for m in by_row[2])
    assert any("regiocode" in m for m in by_row[3])
    assert any("jaar" in m for m in by_row[4])
    assert all(any("dubbele rij" in m for m in by_row[r]) for r in (5, 6, 7))
    assert any("percentage buiten" in m for m in by_row[8])
    assert any("niveau past niet" in m for m in by_row[10])  # WK code with level gemeente
    assert any("lege naam" in m for m in by_row[11])
    assert len(exc.value.problems) == 9
    assert "9 probleem" in str(exc.value) and "decimale komma" in str(exc.value)


def test_flows_schema() -> None:
    flows = pd.DataFrame({"region_code": ["GM0546", "GM0546"], "year": [2015, 2015],
                          "direction": ["in", "sideways"], "origin": ["gemeente", "gemeente"],
                          "persons": [-5.0, 3.0], "months": [12, 13]})
    with pytest.raises(InputError) as exc:
        validate_batch(Batch(source=SRC, flows=flows))
    text = str(exc.value)
    assert "negatief aantal personen" in text and "richting" in text and "maanden" in text
