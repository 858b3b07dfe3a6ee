"""The vulnerable part of the population through three lenses, and a triangulated range (§2–§4).

- Opleiding: adults (15–75) without a startkwalificatie, KWB ``a_opl_lg``.
- Voorzieningen: persons with bijstand (``a_soz_wb``), WMO (``a_wmo_t``) or jeugdzorg (``a_jz_tn``).
  No overlap table is held, so the count lies between the largest of the three (full overlap) and
  their sum (no overlap).
- Inkomen: households up to 110 % / 120 % of the social minimum (``p_hh_110``, ``p_hh_120`` × ``a_hh``),
  turned into persons with an assumed number of persons per low-income household.

Triangulation: each lens gives a central value (education: the count; provisions: midpoint of the
bounds; income: mean of the 110 % and 120 % persons). The range runs from the smallest to the largest
lens value; the central value is their median. Pure: frames in, frame out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

PROVISIONS: tuple[str, ...] = ("a_soz_wb", "a_wmo_t", "a_jz_tn")

# The syllabus's figures for Leiden are in data/syllabus.yaml (monitor.syllabus).


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return pd.to_numeric(frame[name], errors="coerce").astype(float)
    return pd.Series(np.nan, index=frame.index, dtype=float)


def lenses(frame: pd.DataFrame, *, persons_per_household: pd.Series | float | None = None) -> pd.DataFrame:
    """Per region the three lenses, their bounds and the triangulated range.

    ``frame`` columns: a_inw, a_hh, a_opl_lg, a_soz_wb, a_wmo_t, a_jz_tn, p_hh_110, p_hh_120, g_hhgro.
    ``persons_per_household``: persons per low-income household; default the region's mean household
    size ``g_hhgro`` (one figure per region).

    Computed on arrays, column by column, and made a frame once at the end: it runs for a handful of
    regions per request (a municipality and its peers), where pandas' overhead per operation was most
    of the time; the figures are the same operations in the same order.
    """
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 inhabitants, inf - inf: NaN, as in pandas
        return _lenses(frame, persons_per_household)


def _lenses(frame: pd.DataFrame, persons_per_household: pd.Series | float | None) -> pd.DataFrame:
    def col(name: str) -> np.ndarray:
        return _col(frame, name).to_numpy(dtype=float)

    index = frame.index
    inw = col("a_inw")
    out: dict[str, Any] = {"a_inw": inw}

    # (a) education
    opleiding = col("a_opl_lg")
    out["opleiding"] = opleiding

    # (b) provisions: bounds from the counts that are held
    prov = np.column_stack([col(p) for p in PROVISIONS]) if len(index) else np.empty((0, len(PROVISIONS)))
    missing = np.isnan(prov)
    held = (~missing).sum(axis=1)
    some = held > 0
    v_min = np.where(some, np.max(np.where(missing, -np.inf, prov), axis=1, initial=-np.inf), np.nan)
    v_max = np.where(some, np.where(missing, 0.0, prov).sum(axis=1), np.nan)
    out["voorzieningen_min"] = v_min
    out["voorzieningen_max"] = v_max
    out["voorzieningen_compleet"] = held == len(PROVISIONS)
    text = [", ".join(p for p, gap in zip(PROVISIONS, row, strict=True) if gap) for row in missing]
    out["voorzieningen_ontbreekt"] = np.array(text, dtype=object) if text else np.array([], dtype=object)
    voorzieningen = (v_min + v_max) / 2
    out["voorzieningen"] = voorzieningen

    # (c) income: households → persons
    if persons_per_household is None:
        pph = col("g_hhgro")
    elif isinstance(persons_per_household, pd.Series):
        pph = persons_per_household.astype(float).reindex(index).to_numpy(dtype=float)
    else:
        pph = np.full(len(index), float(persons_per_household))
    hh = col("a_hh")
    out["personen_per_hh"] = pph
    hh_110 = hh * col("p_hh_110") / 100
    hh_120 = hh * col("p_hh_120") / 100
    out["hh_110"] = hh_110
    out["hh_120"] = hh_120
    ink_110 = hh_110 * pph
    ink_120 = hh_120 * pph
    out["inkomen_110"] = ink_110
    out["inkomen_120"] = ink_120
    inkomen = (ink_110 + ink_120) / 2
    out["inkomen"] = inkomen

    centrals = np.column_stack([opleiding, voorzieningen, inkomen]) if len(index) else np.empty((0, 3))
    gaps = np.isnan(centrals)
    n = (~gaps).sum(axis=1)
    any_lens = n > 0
    out["n_lenzen"] = n.astype(np.int64)
    out["bereik_min"] = np.where(any_lens, np.min(np.where(gaps, np.inf, centrals), axis=1, initial=np.inf),
                                 np.nan)
    out["bereik_max"] = np.where(any_lens, np.max(np.where(gaps, -np.inf, centrals), axis=1,
                                                  initial=-np.inf), np.nan)
    out["centraal"] = np.where(any_lens, _median_of_held(centrals, gaps, n), np.nan)
    for c in ("opleiding", "voorzieningen_min", "voorzieningen_max", "inkomen_110", "inkomen_120",
              "bereik_min", "bereik_max", "centraal"):
        out[f"pct_{c}"] = 100 * out[c] / inw
    for k, v in out.items():  # ±inf (a division by 0 inhabitants, an infinite input) counts as missing
        if v.dtype == float:
            out[k] = np.where(np.isinf(v), np.nan, v)
    return pd.DataFrame(out, index=index)


def _median_of_held(values: np.ndarray, gaps: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Row-wise median of the held values (of at most three): the middle one, or the mean of two."""
    ordered = np.sort(np.where(gaps, np.inf, values), axis=1)  # held values first, ascending
    rows = np.arange(len(values))
    lo = ordered[rows, np.maximum((n - 1) // 2, 0)]
    hi = ordered[rows, np.maximum(n // 2, 0)]
    return np.where(n % 2 == 1, lo, (lo + hi) / 2)
