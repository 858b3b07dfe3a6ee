"""Replacement speed (rekenkundige vervangingssnelheid) and newcomer share.

vervangingssnelheid (years) = population / mean settlers per year; newcomer share = settlers / population.
Pure: works on plain frames (flows in the canonical shape, district populations and moves).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Settlers come from another municipality, from abroad and (where a source has it) from another
# district of the same municipality. "totaal" is used only when no split is held.
SETTLER_ORIGINS: tuple[str, ...] = ("gemeente", "buitenland", "wijk")

#: The one default period of every turnover figure (web, CLI, PDF, comparisons): the last this many
#: full years with settlers in the store. Two years as in the syllabus's own figures (§7–§8).
DEFAULT_PERIOD_YEARS = 2


def full_years(flows: pd.DataFrame) -> list[int]:
    """Years held for all twelve months (settlers, any region)."""
    f = flows[flows["direction"] == "in"]
    if f.empty:
        return []
    months = f.groupby("year")["months"].max()
    return sorted(int(y) for y, m in months.items() if m >= 12)


def default_period(flows: pd.DataFrame) -> tuple[int, int] | None:
    """The default turnover period: the last :data:`DEFAULT_PERIOD_YEARS` full years in ``flows``."""
    years = full_years(flows)
    if not years:
        return None
    last = years[-1]
    first = min(y for y in years if y >= last - DEFAULT_PERIOD_YEARS + 1)
    return first, last


def period_text(years: list[int] | tuple[int, int]) -> str:
    """``2015–2016`` (or ``2016`` for one year)."""
    ys = sorted(int(y) for y in years)
    return f"{ys[0]}–{ys[-1]}" if ys[0] != ys[-1] else str(ys[0])


@dataclass(frozen=True)
class SettlerSummary:
    """Mean settlers per year per region over the years used, and which years were left out."""

    per_region: pd.DataFrame  # index region_code: settlers (mean/yr), years (list), origins (list)
    excluded: dict[int, str] = field(default_factory=dict)  # year → why it was left out
    annualised: dict[int, int] = field(default_factory=dict)  # year → months held


def annual_settlers(flows: pd.DataFrame, *, years: list[int] | None = None,
                    partial: str = "exclude") -> SettlerSummary:
    """Mean settlers per year per region from canonical flows.

    ``flows`` columns: region_code, year, direction (``in``/``out``), origin, persons, months.
    A year held for fewer than 12 months (CBS 37230 has 2017-01…03 only) is left out with
    ``partial="exclude"`` or scaled by 12/months with ``partial="annualise"`` (seasonality ignored).
    """
    if partial not in ("exclude", "annualise"):
        raise ValueError("partial must be 'exclude' or 'annualise'")
    f = flows[flows["direction"] == "in"].copy()
    if years is not None:
        f = f[f["year"].isin(years)]
    excluded: dict[int, str] = {}
    annualised: dict[int, int] = {}
    short = f[f["months"] < 12]
    for yr, months in short.groupby("year")["months"].max().items():
        if partial == "exclude":
            excluded[int(yr)] = f"{int(months)} maanden beschikbaar"
        else:
            annualised[int(yr)] = int(months)
    f = f[f["months"] >= 12] if partial == "exclude" else f.assign(persons=f["persons"] * 12.0 / f["months"])
    split = f[f["origin"].isin(SETTLER_ORIGINS)]
    has_split = set(split["region_code"].unique())
    total = f[(f["origin"] == "totaal") & ~f["region_code"].isin(has_split)]
    use = pd.concat([split, total])
    if use.empty:
        per = pd.DataFrame(columns=["settlers", "years", "origins"], index=pd.Index([], name="region_code"))
        return SettlerSummary(per, excluded, annualised)
    # min_count=1: a year whose every origin is missing stays missing instead of becoming 0.
    by_year = use.groupby(["region_code", "year"])["persons"].sum(min_count=1).dropna()
    grouped = by_year.groupby(level="region_code")
    per = pd.DataFrame({
        "settlers": grouped.mean(),
        "years": grouped.apply(lambda s: sorted(int(y) for y in s.index.get_level_values("year"))),
    })
    per["origins"] = use.groupby("region_code")["origin"].agg(lambda s: sorted(set(s)))
    per.index.name = "region_code"
    return SettlerSummary(per, excluded, annualised)


def replacement_speed(population: pd.Series | float, settlers: pd.Series | float) -> pd.Series | float:
    """Years for settlers to equal the population: population / settlers; NaN if settlers ≤ 0."""
    if isinstance(population, pd.Series) or isinstance(settlers, pd.Series):
        pop = pd.Series(population, dtype=float) if not isinstance(population, pd.Series) \
            else population.astype(float)
        st = settlers.astype(float) if isinstance(settlers, pd.Series) else float(settlers)
        out = pop / st
        return out.where(np.isfinite(out) & (out > 0))
    if not settlers or settlers <= 0 or pd.isna(settlers) or pd.isna(population):
        return float("nan")
    return float(population) / float(settlers)


def newcomer_share(population: pd.Series, settlers: pd.Series) -> pd.Series:
    """Settlers per year as a percentage of the population."""
    out = 100.0 * settlers.astype(float) / population.astype(float)
    return out.where(np.isfinite(out))


def district_settlers(districts: pd.DataFrame, *, municipal_settlers: float | pd.Series,
                      method: str = "scaled", by: pd.Series | None = None) -> pd.Series:
    """Estimated settlers per year per district from moves per inhabitant (ELAN, per wijk).

    ``districts``: index code; columns ``population`` and ``moves_pp`` (mean address moves per
    inhabitant per year).

    - ``scaled``: S_d = S_gm × (m_d·P_d) / Σ(m·P). Spreads the municipal settlers (from elsewhere
      and abroad) over districts in proportion to their moves; districts add up to the municipality.
      Moves between districts of the same city are not counted, so speeds come out longer than
      where they are.
    - ``direct``: S_d = m_d·P_d: every address move ending in the district, including moves from
      elsewhere in the city and within the district itself; an upper bound on settlers.

    ``by`` (municipality per district) with ``municipal_settlers`` a Series by municipality estimates
    the districts of many municipalities in one pass.
    """
    if method not in ("scaled", "direct"):
        raise ValueError("method must be 'scaled' or 'direct'")
    weight = districts["population"].astype(float) * districts["moves_pp"].astype(float)
    if method == "direct":
        return weight
    if by is not None:
        groups = by.reindex(districts.index)
        total_g = weight.groupby(groups).transform("sum")  # all-missing → 0 → NaN below
        settlers = groups.map(municipal_settlers if isinstance(municipal_settlers, pd.Series)
                              else lambda _: municipal_settlers).astype(float)
        out = settlers * weight / total_g
        return out.where(total_g > 0)
    if isinstance(municipal_settlers, pd.Series):
        raise ValueError("a Series of municipal settlers needs by=")
    total = weight.sum(min_count=1)
    if pd.isna(total) or total <= 0 or pd.isna(municipal_settlers):
        return pd.Series(np.nan, index=districts.index)
    # Districts without moves get NaN (not 0); the others share the municipal total.
    return municipal_settlers * weight / total
