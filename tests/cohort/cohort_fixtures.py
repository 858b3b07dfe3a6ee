"""A hand-countable person-year fixture (imported by conftest and tests)."""

from __future__ import annotations

import pandas as pd

A, B, OUT = "WK054600", "WK054601", "WK015300"


def hand_rows() -> pd.DataFrame:
    """30 persons × 2005–2008, countable by hand.

    Wijk A: 20 persons aged 30 in 2005 — 12 stay; 4 move to B in 2006; 2 move to another
    municipality in 2007; 2 disappear from the register in 2007. Wijk B: 10 persons aged 40 stay.
    Income percentile: stayers +1 per year; leavers +5 per year after moving.
    """
    rows = []
    for i in range(20):
        pid = f"a{i:02d}"
        for k, year in enumerate(range(2005, 2009)):
            if i < 12:
                wijk, pct = A, 20 + k
            elif i < 16:
                wijk, pct = (A, 20.0) if k == 0 else (B, 20 + 5 * k)
            elif i < 18:
                wijk, pct = (A, 20 + k) if k < 2 else (OUT, 20 + 1 + 5 * (k - 1))
            else:
                if k >= 2:
                    continue
                wijk, pct = A, 20 + k
            rows.append(
                {
                    "person_id": pid,
                    "year": year,
                    "region_code": wijk,
                    "age": 30 + k,
                    "income_percentile": float(pct),
                }
            )
    for i in range(10):
        for k, year in enumerate(range(2005, 2009)):
            rows.append(
                {
                    "person_id": f"b{i:02d}",
                    "year": year,
                    "region_code": B,
                    "age": 40 + k,
                    "income_percentile": 60.0 + k,
                }
            )
    return pd.DataFrame(rows)
