"""Bin a share into map classes: the syllabus's five fixed classes, or quantiles.

Pure: takes a Series of values (percent), returns class labels/colours and the legend.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from roltrap import fmt as nl

# Syllabus §8 legend: lichtgeel < 10 %, geel 10–15, lichtoranje 15–20, donkeroranje 20–25, rood > 25.
# Colours from ColorBrewer YlOrRd (sequential, colour-blind safe, light → dark keeps the order readable
# in grey print too).
SYLLABUS_BREAKS: tuple[float, ...] = (10.0, 15.0, 20.0, 25.0)
SYLLABUS_LABELS: tuple[str, ...] = ("< 10%", "10 tot 15%", "15 tot 20%", "20 tot 25%", "> 25%")
SYLLABUS_NAMES: tuple[str, ...] = ("lichtgeel", "geel", "lichtoranje", "donkeroranje", "rood")
COLOURS: tuple[str, ...] = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
MISSING_COLOUR = "#d9d9d9"


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: str
    lower: float | None
    upper: float | None
    count: int


def _assign(values: pd.Series, breaks: list[float]) -> pd.Series:
    """Class index 0..len(breaks) per value; a value equal to a break goes to the upper class."""
    idx = np.searchsorted(np.asarray(breaks, dtype=float), values.to_numpy(dtype=float), side="right")
    out = pd.Series(idx, index=values.index, dtype="Int64")
    return out.mask(values.isna())


def classify_values(values: pd.Series, *, scheme: str = "syllabus", k: int = 5
                    ) -> tuple[pd.DataFrame, list[LegendEntry]]:
    """Class index, label and colour per value plus the legend.

    ``syllabus``: fixed breaks 10/15/20/25 (percent). ``quantile``: ``k`` classes with (about) equal
    counts; breaks at the empirical quantiles of the non-missing values. Missing values get no class.
    """
    vals = pd.to_numeric(values, errors="coerce").astype(float)
    present = vals.dropna()
    if scheme == "syllabus":
        breaks = list(SYLLABUS_BREAKS)
        labels = list(SYLLABUS_LABELS)
        colours = list(COLOURS)
    elif scheme == "quantile":
        if k < 2 or k > len(COLOURS):
            raise ValueError(f"k must be between 2 and {len(COLOURS)}")
        if present.empty:
            breaks = []
        else:
            qs = np.quantile(present.to_numpy(), np.linspace(0, 1, k + 1)[1:-1])
            breaks = sorted({float(q) for q in qs})
        n = len(breaks) + 1
        colours = [COLOURS[round(i * (len(COLOURS) - 1) / max(n - 1, 1))] for i in range(n)]
        edges = [None, *breaks, None]
        labels = []
        for lo, hi in pairwise(edges):
            if lo is None and hi is None:
                labels.append("alle waarden")
            elif lo is None:
                labels.append(f"< {_fmt(hi)}")
            elif hi is None:
                labels.append(f"≥ {_fmt(lo)}")
            else:
                labels.append(f"{_fmt(lo)} tot {_fmt(hi)}")
    else:
        raise ValueError(f"unknown scheme {scheme!r}; use 'syllabus' or 'quantile'")
    idx = _assign(vals, breaks)
    label = idx.map(lambda i: labels[int(i)] if pd.notna(i) else None)
    colour = idx.map(lambda i: colours[int(i)] if pd.notna(i) else MISSING_COLOUR)
    frame = pd.DataFrame({"value": vals, "class_index": idx, "class": label, "color": colour},
                         index=values.index)
    lowers: list[float | None] = [None, *breaks]
    uppers: list[float | None] = [*breaks, None]
    legend = [LegendEntry(label=labels[i], colour=colours[i], lower=lowers[i], upper=uppers[i],
                          count=int((idx == i).sum())) for i in range(len(labels))]
    return frame, legend


def _fmt(x: float | None) -> str:
    return "" if x is None else nl.number(x, 1)
