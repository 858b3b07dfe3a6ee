"""Socio-economic ranking of districts on a composite of visible components (syllabus §12).

Each component is oriented so that a higher value means a weaker socio-economic position, turned into
a z-score over the districts (population sd) and averaged; rank 1 is the weakest district. Ties are
broken by code so the ranking never depends on row order. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class RankComponent:
    key: str
    label: str
    sign: int  # +1: higher = weaker position


RANK_COMPONENTS: tuple[RankComponent, ...] = (
    RankComponent("inkomen", "gem. inkomen per inwoner (× € 1.000)", -1),
    RankComponent("minima", "huishoudens rond/onder sociaal minimum (%)", +1),
    RankComponent("bijstand", "bijstand per 100 inwoners", +1),
    RankComponent("laagopgeleid", "laagopgeleiden per 100 inwoners", +1),
)


def components(frame: pd.DataFrame, *, minima: str = "p_hh_osm") -> pd.DataFrame:
    """Component values from KWB columns: g_ink_pi, p_hh_osm (or p_hh_110), a_soz_wb, a_opl_lg, a_inw."""
    def col(name: str) -> pd.Series:
        if name in frame.columns:
            return pd.to_numeric(frame[name], errors="coerce").astype(float)
        return pd.Series(np.nan, index=frame.index, dtype=float)

    inw = col("a_inw")
    out = pd.DataFrame(index=frame.index)
    out["inkomen"] = col("g_ink_pi")
    out["minima"] = col(minima)
    out["bijstand"] = 100 * col("a_soz_wb") / inw
    out["laagopgeleid"] = 100 * col("a_opl_lg") / inw
    return out.replace([np.inf, -np.inf], np.nan)


def rank(values: pd.DataFrame, *, comps: tuple[RankComponent, ...] = RANK_COMPONENTS,
         min_components: int = 2, by: pd.Series | None = None) -> pd.DataFrame:
    """z per component (oriented), composite = mean of available z's, rank 1 = weakest.

    ``by`` (group label per row, e.g. the municipality) ranks within each group in one pass.
    """
    original = values.index
    # Compute on rows sorted by code: floating-point sums then do not depend on the input order,
    # and "first" ranking breaks ties by code.
    values = values.loc[sorted(values.index, key=str)]
    groups = (by.reindex(values.index) if by is not None
              else pd.Series("all", index=values.index)).astype(str)
    out = pd.DataFrame(index=values.index)
    zcols = []
    for comp in comps:
        v = values[comp.key].astype(float)
        out[comp.key] = v
        g = v.groupby(groups)
        mean = groups.map(g.mean())
        sd = groups.map(g.std(ddof=0))
        n = groups.map(g.count())
        ok = (sd > 0) & (n >= 2)
        out[f"z_{comp.key}"] = (comp.sign * (v - mean) / sd).where(ok)
        zcols.append(f"z_{comp.key}")
    n_comp = out[zcols].notna().sum(axis=1)
    out["n_components"] = n_comp
    out["score"] = out[zcols].mean(axis=1, skipna=True).where(n_comp >= min_components)
    out["rank"] = out["score"].groupby(groups).rank(method="first", ascending=False).astype("Int64")
    return out.loc[original]
