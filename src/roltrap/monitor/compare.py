"""Municipality vs peers: the syllabus's comparison set and automatically found look-alikes.

Peers are found by a standardised Euclidean distance on a documented feature set (size, density,
income, education, housing, household and origin profile). Pure: frames in, frames out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Syllabus §3/§4/§7 comparison set (CBS codes).
SYLLABUS_PEERS: tuple[str, ...] = (
    "GM0484", "GM0344", "GM0518", "GM0363", "GM0599", "GM0513", "GM0855", "GM0153", "GM0200", "GM0637",
    "GM0547", "GM0579", "GM0638",
)

# The syllabus's own figures, shown beside the computed ones (provisions 2019 %, income 110/120 %,
# replacement speed 2018–2020 in years).
SYLLABUS_FIGURES: dict[str, dict[str, float]] = {
    "GM0484": {"voorzieningen_pct": 8.5, "p_hh_110": 7.1, "p_hh_120": 9.4, "vervangingssnelheid": 21.9},
    "GM0546": {"voorzieningen_pct": 11.3, "p_hh_110": 12.0, "p_hh_120": 15.1, "vervangingssnelheid": 11.4},
    "GM0344": {"voorzieningen_pct": 11.6, "p_hh_110": 11.8, "p_hh_120": 14.4},
    "GM0518": {"voorzieningen_pct": 15.0, "p_hh_110": 16.7, "p_hh_120": 20.0},
    "GM0363": {"voorzieningen_pct": 15.9, "p_hh_110": 17.3, "p_hh_120": 20.5},
    "GM0599": {"voorzieningen_pct": 16.6, "p_hh_110": 19.4, "p_hh_120": 23.3, "vervangingssnelheid": 15.4},
    "GM0855": {"vervangingssnelheid": 15.8},
    "GM0153": {"vervangingssnelheid": 17.5},
    "GM0513": {"vervangingssnelheid": 17.8},
    "GM0200": {"vervangingssnelheid": 23.0},
    "GM0637": {"vervangingssnelheid": 23.7},
}

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
