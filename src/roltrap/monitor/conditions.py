"""Escalator conditions per district (syllabus §10–§11, §15): the success factors side by side.

Room for enterprise, a housing ladder (mix of tenure and dwelling types), transport and amenities
(distances), and role models (income spread). Pure: frame in, frame out; missing stays missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# column → (Dutch label, success factor, unit)
CONDITIONS: dict[str, tuple[str, str, str]] = {
    "bedrijven_per_1000": ("bedrijfsvestigingen per 1.000 inwoners", "ruimte voor ondernemerschap",
                           "per 1.000 inw."),
    "mix_eigendom": ("menging koop/huur (entropie 0–1)", "wooncarrière in de wijk", "0–1"),
    "mix_woningtype": ("menging eengezins/meergezins (entropie 0–1)", "wooncarrière in de wijk", "0–1"),
    "g_afs_hp": ("afstand tot huisartsenpraktijk", "voorzieningen en verbindingen", "km"),
    "g_afs_gs": ("afstand tot grote supermarkt", "voorzieningen en verbindingen", "km"),
    "g_afs_kv": ("afstand tot kinderdagverblijf", "voorzieningen en verbindingen", "km"),
    "g_afs_sc": ("afstand tot school", "voorzieningen en verbindingen", "km"),
    "g_afs_ov": ("afstand tot treinstation/ov-knooppunt", "voorzieningen en verbindingen", "km"),
    "p_ink_hi": ("inwoners met hoog inkomen (%)", "rolmodellen", "%"),
    "p_ink_li": ("inwoners met laag inkomen (%)", "rolmodellen", "%"),
    "rolmodel_ratio": ("hoog / laag inkomen", "rolmodellen", "ratio"),
}


def mix_entropy(a: pd.Series, b: pd.Series) -> pd.Series:
    """Binary entropy (bits, 0–1) of two shares renormalised to sum to one: 1 = evenly mixed."""
    a = a.astype(float)
    b = b.astype(float)
    tot = a + b
    p = (a / tot).clip(0, 1)
    q = 1 - p
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -(np.where(p > 0, p * np.log2(p), 0.0) + np.where(q > 0, q * np.log2(q), 0.0))
    out = pd.Series(h, index=a.index, dtype=float)
    return out.where(tot > 0)


def conditions(frame: pd.DataFrame) -> pd.DataFrame:
    """Indicator per success factor per region (columns as in :data:`CONDITIONS`)."""
    def col(name: str) -> pd.Series:
        if name in frame.columns:
            return pd.to_numeric(frame[name], errors="coerce").astype(float)
        return pd.Series(np.nan, index=frame.index, dtype=float)

    out = pd.DataFrame(index=frame.index)
    out["bedrijven_per_1000"] = 1000 * col("a_bedv") / col("a_inw")
    out["mix_eigendom"] = mix_entropy(col("p_koopw"), col("p_huurw"))
    out["mix_woningtype"] = mix_entropy(col("p_1gezw"), col("p_mgezw"))
    for c in ("g_afs_hp", "g_afs_gs", "g_afs_kv", "g_afs_sc", "g_afs_ov", "p_ink_hi", "p_ink_li"):
        out[c] = col(c)
    out["rolmodel_ratio"] = col("p_ink_hi") / col("p_ink_li")
    return out.replace([np.inf, -np.inf], np.nan)
