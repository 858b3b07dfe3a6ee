"""Bin any indicator into map classes: the syllabus's five fixed classes, quantiles or natural breaks.

Pure: takes a Series of values, returns class labels/colours per value and the legend. The legend
holds only classes that have values in them (an empty or degenerate class is never shown), each with
its count; the counts add up to the number of values present. Ties are handled: every distinct value
lands in exactly one class (a value on a break belongs to the upper class), and when there are fewer
distinct values than classes each distinct value gets its own class.

Natural breaks use the Fisher–Jenks algorithm of the ``jenkspy`` library.
"""

from __future__ import annotations

from dataclasses import dataclass

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
MISSING_LABEL = "geen cijfer"

#: The schemes a user can choose; ``auto`` = syllabus for shares (percentages), quantiles otherwise.
SCHEMES: dict[str, str] = {
    "auto": "automatisch (syllabus voor percentages, anders kwantielen)",
    "syllabus": "vijf klassen van de syllabus (< 10% … > 25%)",
    "quantile": "kwantielen (ongeveer evenveel gebieden per klasse)",
    "natural": "natuurlijke grenzen (Fisher–Jenks)",
}


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: str
    lower: float | None  # class holds values ≥ lower (None: no lower bound)
    upper: float | None  # … and < upper (None: no upper bound)
    count: int
    min: float | None = None  # smallest and largest value in the class
    max: float | None = None


def resolve_scheme(scheme: str, *, is_share: bool) -> tuple[str, str | None]:
    """The scheme to use and, when the asked one does not fit the indicator, a Dutch note why not."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; use one of {', '.join(SCHEMES)}")
    if scheme == "auto":
        return ("syllabus" if is_share else "quantile"), None
    if scheme == "syllabus" and not is_share:
        return "quantile", (
            "De vijf klassen van de syllabus gelden voor percentages; deze indicator is geen "
            "percentage, dus zijn kwantielklassen gebruikt."
        )
    return scheme, None


def _assign(values: np.ndarray, breaks: list[float]) -> np.ndarray:
    """Class index 0..len(breaks) per value; a value equal to a break goes to the upper class."""
    return np.searchsorted(np.asarray(breaks, dtype=float), values, side="right")


def _quantile_breaks(present: np.ndarray, k: int) -> list[float]:
    qs = np.quantile(present, np.linspace(0, 1, k + 1)[1:-1])
    return sorted({float(q) for q in qs})


def _natural_breaks(present: np.ndarray, k: int) -> list[float]:
    """Fisher–Jenks classes turned into lower bounds: each break is the smallest value of its class."""
    import jenkspy

    distinct = np.unique(present)
    if len(distinct) <= k:
        return [float(v) for v in distinct[1:]]
    edges = jenkspy.jenks_breaks(present.tolist(), n_classes=k)
    # jenkspy's edges close classes from above (a class ends at its largest value): start the next
    # class at the next distinct value so the "value on a break goes up" rule holds for every scheme.
    out = []
    for e in edges[1:-1]:
        above = distinct[distinct > e]
        if len(above):
            out.append(float(above[0]))
    return sorted(set(out))


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    # enough decimals to tell class bounds apart: whole numbers from 100, two below 1
    decimals = 0 if abs(x) >= 100 or float(x).is_integer() else 1 if abs(x) >= 1 else 2
    return nl.number(x, decimals)


def _label(lo: float | None, hi: float | None, vmin: float, vmax: float) -> str:
    if vmin == vmax:
        return _fmt(vmin)  # one distinct value: name it, never "0,6 tot 0,6"
    if lo is None and hi is None:
        return f"{_fmt(vmin)} tot en met {_fmt(vmax)}"
    if lo is None:
        return f"< {_fmt(hi)}"
    if hi is None:
        return f"≥ {_fmt(lo)}"
    return f"{_fmt(lo)} tot {_fmt(hi)}"


def _spread(n: int) -> list[str]:
    return [COLOURS[round(i * (len(COLOURS) - 1) / max(n - 1, 1))] for i in range(n)]


def classify_values(
    values: pd.Series, *, scheme: str = "syllabus", k: int = 5
) -> tuple[pd.DataFrame, list[LegendEntry]]:
    """Class index, label and colour per value plus the legend (non-empty classes only).

    ``syllabus``: fixed breaks 10/15/20/25 (percent) with their fixed labels and colours.
    ``quantile``: ``k`` classes with (about) equal counts. ``natural``: ``k`` Fisher–Jenks classes.
    ``auto`` is resolved by the caller (:func:`resolve_scheme`); here it means quantiles.
    Missing values get no class (colour :data:`MISSING_COLOUR`).
    """
    if scheme == "auto":
        scheme = "quantile"
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; use one of {', '.join(SCHEMES)}")
    if scheme != "syllabus" and not 2 <= k <= len(COLOURS):
        raise ValueError(f"k must be between 2 and {len(COLOURS)}")
    vals = pd.to_numeric(values, errors="coerce").astype(float)
    arr = vals.to_numpy(dtype=float)
    ok = ~np.isnan(arr)
    present = arr[ok]
    if scheme == "syllabus":
        breaks = list(SYLLABUS_BREAKS)
    elif present.size == 0:
        breaks = []
    elif scheme == "quantile":
        breaks = _quantile_breaks(present, k)
    else:
        breaks = _natural_breaks(present, k)
    raw = np.full(arr.shape, -1, dtype=int)
    raw[ok] = _assign(arr[ok], breaks)
    used = sorted(set(raw[ok].tolist()))
    lowers: list[float | None] = [None, *breaks]
    uppers: list[float | None] = [*breaks, None]
    colours = [COLOURS[i] for i in used] if scheme == "syllabus" else _spread(len(used))
    legend: list[LegendEntry] = []
    new_index = {old: new for new, old in enumerate(used)}
    for new, old in enumerate(used):
        members = arr[raw == old]
        vmin, vmax = float(members.min()), float(members.max())
        if scheme == "syllabus":
            label = SYLLABUS_LABELS[old]
        else:
            # open ends where no class lies below / above: the legend's first and last class
            lo = lowers[old] if new > 0 else None
            hi = uppers[old] if new < len(used) - 1 else None
            label = _label(lo, hi, vmin, vmax)
        legend.append(
            LegendEntry(
                label=label,
                colour=colours[new],
                lower=lowers[old],
                upper=uppers[old],
                count=len(members),
                min=vmin,
                max=vmax,
            )
        )
    idx = pd.Series([new_index[i] if i >= 0 else pd.NA for i in raw], index=values.index, dtype="Int64")
    label_s = pd.Series(
        [legend[new_index[i]].label if i >= 0 else None for i in raw], index=values.index, dtype=object
    )
    colour_s = pd.Series(
        [legend[new_index[i]].colour if i >= 0 else MISSING_COLOUR for i in raw],
        index=values.index,
        dtype=object,
    )
    frame = pd.DataFrame(
        {"value": vals, "class_index": idx, "class": label_s, "color": colour_s}, index=values.index
    )
    return frame, legend


def breaks_of(legend: list[LegendEntry]) -> list[float]:
    """The class boundaries shown in a legend (between consecutive classes)."""
    return [float(e.lower) for e in legend[1:] if e.lower is not None]


__all__ = [
    "COLOURS",
    "MISSING_COLOUR",
    "SCHEMES",
    "LegendEntry",
    "breaks_of",
    "classify_values",
    "resolve_scheme",
]
