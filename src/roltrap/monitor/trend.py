"""Trends and projections of one series: ordinary least squares with a prediction interval.

Pure: takes years and values, returns numbers. No scipy: Student's t quantile comes from the
Cornish–Fisher expansion (Abramowitz & Stegun 26.7.5), accurate to about 1e-3 for df ≥ 3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd


def t_quantile(p: float, df: float) -> float:
    """Quantile of Student's t distribution (Cornish–Fisher expansion in 1/df)."""
    if not 0 < p < 1:
        raise ValueError("p must be in (0, 1)")
    if df <= 0:
        raise ValueError("df must be positive")
    z = NormalDist().inv_cdf(p)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return float(z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4)


@dataclass(frozen=True)
class LinearFit:
    """y = intercept + slope × year, fitted on ``n`` points; ``se`` is the residual standard error."""

    slope: float
    intercept: float
    se: float
    n: int
    x_mean: float
    sxx: float
    r2: float

    def predict(self, year: float | np.ndarray, *, level: float = 0.95
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Point forecast and prediction interval (a new observation, not the mean) at ``year``."""
        x = np.asarray(year, dtype=float)
        y = self.intercept + self.slope * x
        if self.n <= 2:
            nan = np.full_like(y, np.nan)
            return y, nan, nan
        t = t_quantile(0.5 + level / 2, self.n - 2)
        half = t * self.se * np.sqrt(1 + 1 / self.n + (x - self.x_mean) ** 2 / self.sxx)
        return y, y - half, y + half


def fit_linear(years: pd.Series | np.ndarray, values: pd.Series | np.ndarray) -> LinearFit:
    """OLS fit of values on year; missing values are left out. Needs two distinct years."""
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    if len(np.unique(x)) < 2:
        raise ValueError("a trend needs values in at least two different years")
    xm = float(x.mean())
    sxx = float(((x - xm) ** 2).sum())
    slope = float(((x - xm) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * xm)
    resid = y - (intercept + slope * x)
    n = len(x)
    se = float(math.sqrt((resid**2).sum() / (n - 2))) if n > 2 else float("nan")
    sst = float(((y - y.mean()) ** 2).sum())
    r2 = 1 - float((resid**2).sum()) / sst if sst > 0 else 1.0
    return LinearFit(slope=slope, intercept=intercept, se=se, n=n, x_mean=xm, sxx=sxx, r2=r2)


@dataclass(frozen=True)
class TargetYear:
    """When the trend reaches ``target``: point estimate and the span allowed by the interval."""

    target: float
    year: float | None        # trend line crosses the target (fractional year)
    earliest: float | None    # the optimistic interval bound crosses
    latest: float | None      # the pessimistic interval bound crosses (None: not within horizon)
    reached: bool             # already at/over the target in the last observation


def target_year(fit: LinearFit, target: float, *, last_year: float, last_value: float,
                level: float = 0.95, horizon: int = 50) -> TargetYear:
    """Year the series reaches ``target`` by the fitted trend, with the prediction-interval span.

    Direction follows the slope: a rising trend reaches a target at or below the last value at once
    (``reached``) and a higher one later; a falling trend the reverse. The span is read from a
    grid of 0.01 years up to ``horizon`` years after ``last_year``: ``earliest`` where the favourable
    interval bound first reaches the target, ``latest`` where the unfavourable bound does.
    """
    rising = fit.slope > 0
    if (rising and last_value >= target) or (fit.slope < 0 and last_value <= target):
        return TargetYear(target, last_year, last_year, last_year, True)
    if fit.slope == 0:
        return TargetYear(target, None, None, None, False)
    point = (target - fit.intercept) / fit.slope
    grid = np.arange(last_year, last_year + horizon + 0.005, 0.01)
    _, lo, hi = fit.predict(grid, level=level)
    fav, unfav = (hi, lo) if rising else (lo, hi)

    def first(band: np.ndarray) -> float | None:
        hit = band >= target if rising else band <= target
        return float(grid[np.argmax(hit)]) if hit.any() else None

    year = float(point) if point <= last_year + horizon else None
    return TargetYear(target, year, first(fav), first(unfav), False)
