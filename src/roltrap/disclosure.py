"""Statistical disclosure control for every table roltrap shows or exports.

Follows the CBS output rules for microdata-derived tables: a cell built from fewer than
``min_cell`` persons is suppressed (primary suppression); where a published total would let a
reader recompute a suppressed cell, a further cell is suppressed (secondary suppression); and
amounts (income) are withheld where one or two persons dominate the cell (dominance rule).
A suppressed cell is ``NA`` (shown as "onderdrukt"), never 0.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SUPPRESSED_LABEL = "onderdrukt"


@dataclass(frozen=True)
class SuppressionReport:
    primary: int
    secondary: int

    @property
    def total(self) -> int:
        return self.primary + self.secondary


def suppress_small(counts: pd.Series, *, min_cell: int = 10) -> pd.Series:
    """Primary suppression of a series of person counts: values below ``min_cell`` become NA.

    Zero is a disclosure too (it says "nobody here has X") only when the group is small, so zeros are
    suppressed like any other small count.
    """
    out = counts.astype("Float64")
    return out.mask(out < min_cell)


def protect_table(
    counts: pd.DataFrame, *, min_cell: int = 10, margins: bool = True, hidden_totals: Collection[object] = ()
) -> tuple[pd.DataFrame, SuppressionReport]:
    """Suppress a two-way table of person counts whose row and column totals are published.

    The table is extended with its margins (row totals, column totals, grand total); every line of
    that extended table is an additive relation (cells sum to the line's total). Primary: every cell
    or total below ``min_cell``. Secondary: while some line holds exactly one hidden cell (which
    would follow from the others), also hide the smallest visible body cell of that line (a total
    only when no body cell is left). Returns the protected table (with ``Totaal`` row/column when
    ``margins``) and the counts of primary and secondary suppressions (body cells only).

    With ``margins=False`` the totals are not returned but are still treated as known to the reader
    (district populations are published elsewhere), so the same secondary suppression applies.

    ``hidden_totals`` names columns (``Totaal`` for the grand total) whose total must be hidden from
    the start: when two tables split the same persons by the same columns, a column total one table
    hides would otherwise be read in the other.
    """
    body = counts.to_numpy(dtype=float, copy=True)
    n, m = body.shape
    ext = np.zeros((n + 1, m + 1))
    ext[:n, :m] = body
    ext[:n, m] = body.sum(axis=1)
    ext[n, :m] = body.sum(axis=0)
    ext[n, m] = body.sum()
    mask = ext < min_cell
    if not margins:
        mask[n, :] = False
        mask[:, m] = False
    else:
        mask[n, :] |= [c in hidden_totals for c in [*counts.columns, "Totaal"]]
    primary = int(mask[:n, :m].sum())
    secondary = 0
    # Lines: each row (cells + its total) and each column (cells + its total).
    lines = [(np.full(m + 1, i), np.arange(m + 1)) for i in range(n + 1)]
    lines += [(np.arange(n + 1), np.full(n + 1, j)) for j in range(m + 1)]
    changed = True
    while changed:
        changed = False
        for rows, cols in lines:
            if not margins and (rows[0] == n or cols[0] == m):
                continue
            hidden = mask[rows, cols]
            # Two-entry lines count too: in a one-column table a row total equals its only cell.
            if int(hidden.sum()) != 1:
                continue
            is_body = (rows < n) & (cols < m)
            candidates = np.where(~hidden & is_body, ext[rows, cols], np.inf)
            if not np.isfinite(candidates).any():
                candidates = np.where(~hidden, ext[rows, cols], np.inf)
            k = int(np.argmin(candidates))
            if np.isfinite(candidates[k]):
                mask[rows[k], cols[k]] = True
                if is_body[k]:
                    secondary += 1
                changed = True
    out = pd.DataFrame(ext, index=[*counts.index, "Totaal"], columns=[*counts.columns, "Totaal"])
    out = out.astype("Float64").mask(mask)
    if not margins:
        out = out.iloc[:n, :m]
    return out, SuppressionReport(primary=primary, secondary=secondary)


def dominated(contributions: Sequence[float] | np.ndarray, *, n: int = 2, share: float = 0.5) -> bool:
    """True when the ``n`` largest contributions make up more than ``share`` of a cell's sum.

    Used for amounts such as income: a mean over 30 households of which two earn most of the
    total tells those two households' income to anyone who knows them.
    """
    arr = np.abs(np.asarray(contributions, dtype=float))
    arr = arr[~np.isnan(arr)]
    total = arr.sum()
    if total <= 0:
        return False
    top = np.sort(arr)[::-1][:n].sum()
    return bool(top > share * total)
