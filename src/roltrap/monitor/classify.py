"""Arrival vs destination districts (wijk van aankomst / van bestemming / gemengd), syllabus §8–§9.

Each district gets a profile score: for every matrix row that the data can show, the district's
value is compared with the city's, standardised by the spread between districts, and signed so that
positive points to "aankomst" (young, singles, rent, apartments, high turnover, growth) and negative
to "bestemming" (families, 65+, owner-occupied, single-family homes). The score is the mean of the
available signed z-values; thresholds decide the class. Pure: works on a frame of ratios.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

AANKOMST = "wijk van aankomst"
BESTEMMING = "wijk van bestemming"
GEMENGD = "gemengd"


@dataclass(frozen=True)
class Component:
    key: str
    label: str        # Dutch, shown to users
    sign: int         # +1: higher = aankomst, -1: higher = bestemming
    matrix_row: str   # syllabus §9 matrix row


COMPONENTS: tuple[Component, ...] = (
    Component("p_jong", "jongvolwassenen 15–44 jaar (% inw.)", +1, "bevolkingssamenstelling"),
    Component("p_1p_hh", "eenpersoonshuishoudens (% hh)", +1, "bevolkingssamenstelling"),
    Component("p_hh_m_k", "huishoudens met kinderen (% hh)", -1, "bevolkingssamenstelling"),
    Component("p_65_oo", "65 jaar en ouder (% inw.)", -1, "bevolkingssamenstelling"),
    Component("nieuwkomers", "nieuwkomers per jaar (% inw.)", +1, "verhuismobiliteit"),
    Component("groei", "bevolkingsgroei (% per jaar)", +1, "bevolkingsontwikkeling"),
    Component("p_huurw", "huurwoningen (%)", +1, "woonmilieu"),
    Component("p_koopw", "koopwoningen (%)", -1, "woonmilieu"),
    Component("p_mgezw", "meergezinswoningen (%)", +1, "woonmilieu"),
    Component("p_1gezw", "eengezinswoningen (%)", -1, "woonmilieu"),
)


@dataclass(frozen=True)
class Thresholds:
    """Score ≥ ``aankomst`` → wijk van aankomst; ≤ ``bestemming`` → van bestemming; else gemengd."""

    aankomst: float = 0.25
    bestemming: float = -0.25
    min_components: int = 3


def profile(frame: pd.DataFrame) -> pd.DataFrame:
    """Derived ratios (percent) from KWB counts/shares: the matrix profile per district.

    Input columns (any may be missing): a_inw, a_15_24, a_25_44, a_65_oo, a_hh, a_1p_hh, a_hh_m_k,
    p_huurw, p_koopw, p_mgezw, p_1gezw, and optionally ``nieuwkomers`` and ``groei`` (percent).
    """
    def col(name: str) -> pd.Series:
        if name in frame.columns:
            return pd.to_numeric(frame[name], errors="coerce").astype(float)
        return pd.Series(np.nan, index=frame.index)

    out = pd.DataFrame(index=frame.index)
    inw, hh = col("a_inw"), col("a_hh")
    out["p_jong"] = 100 * (col("a_15_24") + col("a_25_44")) / inw
    out["p_1p_hh"] = 100 * col("a_1p_hh") / hh
    out["p_hh_m_k"] = 100 * col("a_hh_m_k") / hh
    out["p_65_oo"] = 100 * col("a_65_oo") / inw
    out["nieuwkomers"] = col("nieuwkomers")
    out["groei"] = col("groei")
    for c in ("p_huurw", "p_koopw", "p_mgezw", "p_1gezw"):
        out[c] = col(c)
    return out.replace([np.inf, -np.inf], np.nan)


def classify(districts: pd.DataFrame, city: pd.Series | pd.DataFrame, *, thresholds: Thresholds | None = None,
             components: tuple[Component, ...] = COMPONENTS, by: pd.Series | None = None
             ) -> tuple[pd.DataFrame, dict[str, list[dict]]]:
    """Score and class per district plus the evidence behind each.

    ``districts``: profile rows (see :func:`profile`), index = district code. ``city``: the same
    profile for the municipality (the reference) — or, with ``by`` (municipality per district), a
    frame of profiles indexed by municipality so a whole country is classified in one pass.
    z = (district − city) / sd over the districts of that city (population sd); a component without
    spread or without a city value is left out.
    Returns (frame with ``score``, ``n_components``, ``class``; evidence per code).
    """
    th = thresholds or Thresholds()
    if by is None:
        groups = pd.Series("all", index=districts.index)
        cities = pd.DataFrame([city], index=["all"]) if isinstance(city, pd.Series) else city
    else:
        groups = by.reindex(districts.index).astype(str)
        cities = city if isinstance(city, pd.DataFrame) else pd.DataFrame([city], index=groups.unique())
    signed = pd.DataFrame(index=districts.index)
    refs: dict[str, pd.Series] = {}
    one = groups.iloc[0] if len(groups) and (groups == groups.iloc[0]).all() else None
    for comp in components:
        if comp.key not in districts.columns or comp.key not in cities.columns:
            continue
        vals = districts[comp.key].astype(float)
        if one is not None:
            # One municipality (every per-gemeente call): the same z with plain arrays, no groupby.
            arr = vals.to_numpy()
            held = arr[~np.isnan(arr)]
            city_value = cities[comp.key].astype(float).get(one, np.nan)
            sd_one = float(held.std()) if len(held) else np.nan  # population sd, as ddof=0 below
            ref = pd.Series(city_value, index=vals.index, dtype=float)
            z = (comp.sign * (vals - city_value) / sd_one) if sd_one > 0 and len(held) >= 2 \
                and not np.isnan(city_value) else pd.Series(np.nan, index=vals.index)
        else:
            g = vals.groupby(groups)
            sd = groups.map(g.std(ddof=0))
            n = groups.map(g.count())
            ref = groups.map(cities[comp.key].astype(float))
            z = (comp.sign * (vals - ref) / sd).where((sd > 0) & (n >= 2) & ref.notna())
        if z.notna().any():
            signed[comp.key] = z
            refs[comp.key] = ref
    n = signed.notna().sum(axis=1)
    score = signed.mean(axis=1, skipna=True).where(n >= th.min_components)
    cls = pd.Series(GEMENGD, index=districts.index, dtype=object)
    cls[score >= th.aankomst] = AANKOMST
    cls[score <= th.bestemming] = BESTEMMING
    cls[score.isna()] = None
    result = pd.DataFrame({"score": score, "n_components": n, "class": cls})
    evidence: dict[str, list[dict]] = {}
    by_key = {c.key: c for c in components}
    keys = list(signed.columns)
    # Plain arrays, not row-by-row frame access: this runs for every district of the country.
    zs = signed.to_numpy(dtype=float)
    vals = districts.reindex(columns=keys).to_numpy(dtype=float)
    refs_a = (pd.DataFrame(refs, index=districts.index).reindex(columns=keys).to_numpy(dtype=float)
              if refs else np.full_like(zs, np.nan))
    for r, code in enumerate(districts.index):
        items = []
        for c, key in enumerate(keys):
            z = zs[r, c]
            if np.isnan(z):
                continue
            comp = by_key[key]
            items.append({
                "indicator": key, "label": comp.label, "matrix_row": comp.matrix_row,
                "value": float(vals[r, c]), "city_value": float(refs_a[r, c]),
                "z": float(z), "direction": AANKOMST if z > 0 else BESTEMMING if z < 0 else GEMENGD,
            })
        evidence[str(code)] = sorted(items, key=lambda e: -abs(e["z"]))
    return result, evidence
