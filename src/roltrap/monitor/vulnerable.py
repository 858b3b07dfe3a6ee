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
    """
    inw = _col(frame, "a_inw")
    out = pd.DataFrame(index=frame.index)
    out["a_inw"] = inw

    # (a) education
    out["opleiding"] = _col(frame, "a_opl_lg")

    # (b) provisions: bounds from the counts that are held
    prov = pd.DataFrame({p: _col(frame, p) for p in PROVISIONS})
    held = prov.notna().sum(axis=1)
    out["voorzieningen_min"] = prov.max(axis=1, skipna=True).where(held > 0)
    out["voorzieningen_max"] = prov.sum(axis=1, min_count=1)
    out["voorzieningen_compleet"] = held == len(PROVISIONS)
    missing = prov.isna()
    text = pd.Series("", index=frame.index, dtype=object)
    for c in PROVISIONS:  # column by column: this runs for every district and year of the country
        text = text.where(~missing[c], text + np.where(text == "", "", ", ") + c)
    out["voorzieningen_ontbreekt"] = text
    out["voorzieningen"] = (out["voorzieningen_min"] + out["voorzieningen_max"]) / 2

    # (c) income: households → persons
    if persons_per_household is None:
        pph = _col(frame, "g_hhgro")
    elif isinstance(persons_per_household, pd.Series):
        pph = persons_per_household.astype(float).reindex(frame.index)
    else:
        pph = pd.Series(float(persons_per_household), index=frame.index)
    hh = _col(frame, "a_hh")
    out["personen_per_hh"] = pph
    out["hh_110"] = hh * _col(frame, "p_hh_110") / 100
    out["hh_120"] = hh * _col(frame, "p_hh_120") / 100
    out["inkomen_110"] = out["hh_110"] * pph
    out["inkomen_120"] = out["hh_120"] * pph
    out["inkomen"] = out[["inkomen_110", "inkomen_120"]].mean(axis=1, skipna=False)

    centrals = out[["opleiding", "voorzieningen", "inkomen"]]
    out["n_lenzen"] = centrals.notna().sum(axis=1)
    out["bereik_min"] = centrals.min(axis=1, skipna=True).where(out["n_lenzen"] > 0)
    out["bereik_max"] = centrals.max(axis=1, skipna=True).where(out["n_lenzen"] > 0)
    out["centraal"] = centrals.median(axis=1, skipna=True).where(out["n_lenzen"] > 0)
    for c in ("opleiding", "voorzieningen_min", "voorzieningen_max", "inkomen_110", "inkomen_120",
              "bereik_min", "bereik_max", "centraal"):
        out[f"pct_{c}"] = 100 * out[c] / inw
    return out.replace([np.inf, -np.inf], np.nan)
