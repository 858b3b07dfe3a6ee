"""Municipality vs peers: automatically found look-alikes (the syllabus's set: ``monitor.syllabus``).

Peers are found by a standardised Euclidean distance on a documented feature set (size, density,
income, education, housing, household and origin profile). Pure: frames in, frames out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# The syllabus's comparison set and its published figures live in data/syllabus.yaml (monitor.syllabus).

# Features for "most similar municipality" with what each stands for.
PEER_FEATURES: dict[str, str] = {
    "log_inw": "omvang (log10 inwoners)",
    "bev_dich": "bevolkingsdichtheid",
    "p_hh_110": "huishoudens tot 110% sociaal minimum",
    "p_opl_hg": "hoogopgeleiden (% inw.)",
    "p_huurw": "huurwoningen (%)",
    "p_1p_hh": "eenpersoonshuishoudens (%)",
    "p_internationaal": "internationale achtergrond (%)",
    "p_65_oo": "65 jaar en ouder (%)",
}


def peer_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Feature values per municipality from KWB columns."""
    def col(name: str) -> pd.Series:
        if name in frame.columns:
            return pd.to_numeric(frame[name], errors="coerce").astype(float)
        return pd.Series(np.nan, index=frame.index, dtype=float)

    inw = col("a_inw")
    out = pd.DataFrame(index=frame.index)
    out["log_inw"] = np.log10(inw.where(inw > 0))
    out["bev_dich"] = col("bev_dich")
    out["p_hh_110"] = col("p_hh_110")
    out["p_opl_hg"] = 100 * col("a_opl_hg") / inw
    out["p_huurw"] = col("p_huurw")
    out["p_1p_hh"] = 100 * col("a_1p_hh") / col("a_hh")
    out["p_internationaal"] = 100 * (col("a_w_all") + col("a_nw_all")) / inw
    out["p_65_oo"] = 100 * col("a_65_oo") / inw
    return out.replace([np.inf, -np.inf], np.nan)


def similar(features: pd.DataFrame, target: str, *, k: int = 5) -> pd.DataFrame:
    """The ``k`` municipalities closest to ``target``: root mean squared difference of z-scores.

    Each feature is standardised over all municipalities (population sd). Features the target lacks
    are left out; a candidate is compared on the features both hold (at least half of them).
    """
    if target not in features.index:
        raise KeyError(target)
    sd = features.std(ddof=0)
    z = (features - features.mean()) / sd.replace(0, np.nan)
    z = z.loc[:, z.loc[target].notna()]
    diff = (z.drop(index=target) - z.loc[target]) ** 2
    n = diff.notna().sum(axis=1)
    dist = np.sqrt(diff.mean(axis=1, skipna=True)).where(n >= max(1, z.shape[1] // 2))
    out = pd.DataFrame({"distance": dist, "n_features": n}).dropna(subset=["distance"])
    out = out.assign(_code=out.index.astype(str)).sort_values(["distance", "_code"]).drop(columns="_code")
    return out.head(k)
