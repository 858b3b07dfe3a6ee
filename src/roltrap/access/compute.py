"""Access answers per area from travel times per network node. Pure: arrays and frames in, frames out.

Origins: every network node inside an area's polygon stands for the residents along the street
length it carries (half of each incident street edge, see
:func:`roltrap.access.network.residential_weight`); an area's residents are spread over its nodes in
proportion to that length. An area's ``minutes`` is the residents' mean travel time to the nearest
place of a kind (like CBS's mean distance per address); the shares say which part of the residents
reaches one within 5, 10 and 15 minutes. The 15-minute bar is met when at least
:data:`BAR_SHARE` of the residents reach the kind within 15 minutes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import shapely

from roltrap.disclosure import protect_table

THRESHOLDS = (5, 10, 15)
BAR_MINUTES = 15
BAR_SHARE = 0.9
ANSWER_COLUMNS = [
    "code",
    "name",
    "soort",
    "mode",
    "minutes",
    "share_5",
    "share_10",
    "share_15",
    "meets_15",
    "residents",
    "method",
    "available",
    "reason",
]


def metres_per_minute(kmh: float) -> float:
    return kmh * 1000 / 60


def node_areas(x: np.ndarray, y: np.ndarray, codes: list[str], polygons: list[object]) -> np.ndarray:
    """The code of the polygon holding each node ("" outside every polygon)."""
    out = np.full(len(x), "", dtype=object)
    if not len(x) or not polygons:
        return out
    tree = shapely.STRtree(polygons)
    pts = shapely.points(np.c_[x, y])
    pi, ai = tree.query(pts, predicate="within")
    out[pi] = np.asarray(codes, dtype=object)[ai]
    return out


def area_answers(
    minutes: Mapping[tuple[str, str], np.ndarray],
    *,
    node_area: np.ndarray,
    weight: np.ndarray,
    areas: pd.DataFrame,
) -> pd.DataFrame:
    """One row per area × (soort, mode): mean minutes over residents and shares within 5/10/15 min.

    ``minutes[(soort, mode)]`` holds the travel time per node (inf = unreachable); ``areas`` has
    ``code``, ``name``. Nodes outside every area are ignored. An area without nodes gets no figures
    and a reason.
    """
    inside = node_area != ""
    codes = node_area[inside]
    w = weight[inside]
    cat = pd.Categorical(codes, categories=list(areas["code"]))
    wsum = pd.Series(w).groupby(cat, observed=False).sum()
    rows = []
    names = dict(zip(areas["code"], areas["name"], strict=True))
    for (soort, mode), t in minutes.items():
        tt = t[inside]
        reach = np.isfinite(tt)
        frame = pd.DataFrame(
            {
                "w": w,
                "wt": np.where(reach, w * np.where(reach, tt, 0), 0.0),
                "wr": np.where(reach, w, 0.0),
                **{f"w{k}": np.where(tt <= k, w, 0.0) for k in THRESHOLDS},
            }
        )
        g = frame.groupby(cat, observed=False).sum()
        for code in areas["code"]:
            total = float(wsum.get(code, 0.0))
            row: dict[str, object] = {"code": code, "name": names[code], "soort": soort, "mode": mode}
            if total <= 0:
                row.update(
                    {
                        "minutes": np.nan,
                        **{f"share_{k}": np.nan for k in THRESHOLDS},
                        "meets_15": None,
                        "available": False,
                        "reason": "geen straten van het netwerk in dit gebied",
                    }
                )
            elif g.at[code, "wr"] <= 0:
                row.update(
                    {
                        "minutes": np.nan,
                        **{f"share_{k}": 0.0 for k in THRESHOLDS},
                        "meets_15": False,
                        "available": False,
                        "reason": "geen bereikbare plaats van deze soort",
                    }
                )
            else:
                shares = {f"share_{k}": float(g.at[code, f"w{k}"] / total) for k in THRESHOLDS}
                row.update(
                    {
                        "minutes": float(g.at[code, "wt"] / g.at[code, "wr"]),
                        **shares,
                        "meets_15": bool(shares["share_15"] >= BAR_SHARE),
                        "available": True,
                        "reason": _unreached(1 - g.at[code, "wr"] / total),
                    }
                )
            row["method"] = "netwerk"
            rows.append(row)
    out = pd.DataFrame(rows, columns=[c for c in ANSWER_COLUMNS if c != "residents"])
    return out


def _unreached(share: float) -> str | None:
    if share < 0.005:
        return None
    return f"{round(100 * share)} % van de straatlengte kan geen plaats van deze soort bereiken"


def cbs_answers(wide: pd.DataFrame, *, kinds: Mapping[str, str], speeds: Mapping[str, float]) -> pd.DataFrame:
    """CBS mean road distances (km) per area converted to minutes at the stated speeds.

    ``wide``: index code, column ``name`` and distance indicators; ``kinds`` maps indicator → soort;
    ``speeds`` maps mode → km/h. Shares are unknown (CBS publishes a mean only).
    """
    rows = []
    for ind, soort in kinds.items():
        if ind not in wide.columns:
            continue
        for code, rec in wide.iterrows():
            km = rec[ind]
            for mode, kmh in speeds.items():
                ok = pd.notna(km)
                rows.append(
                    {
                        "code": code,
                        "name": rec["name"],
                        "soort": soort,
                        "mode": mode,
                        "minutes": float(km) * 60 / kmh if ok else np.nan,
                        **{f"share_{k}": np.nan for k in THRESHOLDS},
                        "meets_15": bool(float(km) * 60 / kmh <= BAR_MINUTES) if ok else None,
                        "method": f"cbs-afstand ({ind})",
                        "available": bool(ok),
                        "reason": None if ok else f"CBS-afstand {ind} ontbreekt",
                    }
                )
    return pd.DataFrame(rows, columns=[c for c in ANSWER_COLUMNS if c != "residents"])


def need_beyond(
    answers: pd.DataFrame, groups: pd.DataFrame, *, labels: Mapping[str, str], min_cell: int
) -> pd.DataFrame:
    """How many of each need group live beyond 15 minutes of each kind, with disclosure control.

    ``answers``: network rows (code, name, soort, mode, share_15); ``groups``: index code, one column
    per need group (a count per area). Estimate per area = group count × (1 − share within 15 min),
    rounded to whole persons/households. Each (soort, mode, group) table of areas × (binnen, buiten)
    is protected with :func:`roltrap.disclosure.protect_table` (the area totals count as published,
    so a hidden cell cannot be recomputed as total minus the other).
    """
    rows = []
    net = answers[answers["method"] == "netwerk"]
    for (soort, mode), part in net.groupby(["soort", "mode"], sort=False):
        part = part.set_index("code")
        for group in groups.columns:
            total = groups[group].reindex(part.index)
            beyond = (total * (1 - part["share_15"])).round()
            within = total - beyond
            ok = total.notna() & part["share_15"].notna()
            table = pd.DataFrame({"binnen": within[ok], "buiten": beyond[ok]})
            if table.empty:
                protected = table
            else:
                protected, _rep = protect_table(table, min_cell=min_cell, margins=False)
            for code in part.index:
                hidden = code not in protected.index
                rows.append(
                    {
                        "code": code,
                        "name": part.at[code, "name"],
                        "soort": soort,
                        "mode": mode,
                        "group": group,
                        "group_label": labels.get(group, group),
                        "total": total.get(code),
                        "beyond_15": None if hidden else protected.at[code, "buiten"],
                        "within_15": None if hidden else protected.at[code, "binnen"],
                        "available": bool(ok.get(code, False)),
                    }
                )
    out = pd.DataFrame(rows)
    if not out.empty:
        for c in ("beyond_15", "within_15"):
            out[c] = pd.to_numeric(out[c], errors="coerce").astype("Float64")
    return out


def detour_ratios(net_x: np.ndarray, net_y: np.ndarray, dist: np.ndarray, pairs: np.ndarray) -> pd.DataFrame:
    """Network ÷ straight-line distance for node pairs (``dist[i]``: network metres for ``pairs[i]``)."""
    a, b = pairs[:, 0], pairs[:, 1]
    straight = np.hypot(net_x[a] - net_x[b], net_y[a] - net_y[b])
    return pd.DataFrame(
        {"from": a, "to": b, "straight_m": straight, "network_m": dist, "ratio": dist / straight}
    )
