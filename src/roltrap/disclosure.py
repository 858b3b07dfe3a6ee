"""Statistical disclosure control for every table roltrap shows or exports.

Follows the CBS output rules for microdata-derived tables: a cell built from fewer than
``min_cell`` persons is suppressed (primary suppression); where published figures would let a
reader recompute a suppressed cell, further cells are suppressed (secondary suppression); and
amounts (income) are withheld where one or two persons dominate the cell (dominance rule).
A suppressed cell is ``NA`` (shown as "onderdrukt"), never 0.

Two tools:

* :func:`protect_table` — one two-way table with its margins (the caseload overviews): while a
  line of the table holds exactly one hidden cell, hide the smallest visible cell of that line.
* :class:`LinearAudit` — **the rule for everything one cohort run publishes** (retention,
  destinations, trajectories, newcomers, turnover, on the CLI, the Roltrap page and its JSON
  together). Every published count is a cell; every linear relation a reader can know between
  cells — sums within a table, the same persons counted in two tables, identities such as
  population(y) − population(y−1) = settlers(y) − leavers(y) or retention(k = follow) = blijver +
  teruggekeerd, and inequalities such as "with income ≤ persons" — is a constraint. For each
  suppressed cell (and each unpublished small group that a difference of two published cells would
  show, e.g. cohort − still in the wijk), a linear programme (HiGHS via ``scipy.optimize.linprog``)
  finds the smallest and largest value the cell can take given every published cell, every
  relation and non-negativity. **Rule: the cell is protected when that interval is at least
  ``2 × protection + 1`` persons wide (default protection 2: width ≥ 5), so no reader can pin it
  within ±2 persons.** While some cell is not protected, one more published cell is suppressed:
  among the published cells in the relations around it, the cheapest (fewest persons) that widens
  its interval, else the cheapest. This is the linear-programming audit of τ-ARGUS / sdcTable
  ("protection intervals"), solved on the LP relaxation: integer bounds are never wider than the
  LP's, so a cell the LP cannot pin, integer reasoning cannot pin either only up to rounding —
  the width margin absorbs that.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

SUPPRESSED_LABEL = "onderdrukt"
PROTECTION = 2  # persons: a suppressed cell may not be known to within ± this many


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


Key = Hashable


@dataclass(frozen=True)
class Relation:
    """``lo ≤ Σ coeff·cell ≤ hi`` — something a reader knows about the cells."""

    coeffs: tuple[tuple[Key, float], ...]
    lo: float
    hi: float


@dataclass
class AuditReport:
    primary: int = 0
    secondary: int = 0
    lps: int = 0
    unprotected: list[Key] = field(default_factory=list)  # after protect(): always empty


class LinearAudit:
    """Joint secondary suppression of many tables over all their linear relations (see module doc).

    Usage: register every published count with :meth:`cell` (the same persons under one key, even
    when two tables show them), every small group that is not published but follows from published
    cells with :meth:`implicit`, every relation with :meth:`relate`; then :meth:`protect` and read
    :meth:`hidden`.
    """

    def __init__(self, *, min_cell: int = 10, protection: int = PROTECTION) -> None:
        self.min_cell = min_cell
        self.width = 2 * protection + 1
        self.values: dict[Key, float] = {}
        self.published: dict[Key, bool] = {}  # False: hidden, or implicit (never shown)
        self.implicit_keys: set[Key] = set()  # small implicit groups: must be protected
        self._implicit_registered: set[Key] = set()
        self.primary: set[Key] = set()
        self.relations: list[Relation] = []
        self._lps = 0
        self._by_key: dict[Key, list[int]] = {}

    # -- building the system ---------------------------------------------------------------
    def cell(self, key: Key, value: float, *, hide: bool = False) -> None:
        """A published count; hidden from the start when below ``min_cell`` or when ``hide``."""
        value = float(value)
        if key in self.values:
            if self.values[key] != value:
                raise ValueError(f"cell {key!r} registered with two values")
            if hide or value < self.min_cell:
                self._hide_primary(key)
            return
        self.values[key] = value
        self.published[key] = True
        self._by_key.setdefault(key, [])
        if hide or value < self.min_cell:
            self._hide_primary(key)

    def _hide_primary(self, key: Key) -> None:
        if self.published.get(key):
            self.published[key] = False
            self.primary.add(key)

    def implicit(self, key: Key, value: float) -> None:
        """A group that is never shown but a reader could compute; protected when below ``min_cell``."""
        if key in self.values:
            return
        self.values[key] = float(value)
        self.published[key] = False
        self._implicit_registered.add(key)
        self._by_key.setdefault(key, [])
        if value < self.min_cell:
            self.implicit_keys.add(key)

    def relate(self, coeffs: Mapping[Key, float], lo: float = 0.0, hi: float | None = None) -> None:
        """Add ``lo ≤ Σ coeff·cell ≤ hi`` (``hi`` defaults to ``lo``: an equality)."""
        items = tuple((k, float(c)) for k, c in coeffs.items() if c != 0)
        for k, _ in items:
            if k not in self.values:
                raise KeyError(f"relation names unknown cell {k!r}")
        idx = len(self.relations)
        self.relations.append(Relation(items, float(lo), float(lo if hi is None else hi)))
        for k, _ in items:
            self._by_key[k].append(idx)

    def equal(self, total: Key, parts: Iterable[Key]) -> None:
        """``total = Σ parts``."""
        coeffs: dict[Key, float] = {total: -1.0}
        for p in parts:
            coeffs[p] = coeffs.get(p, 0.0) + 1.0
        self.relate(coeffs, 0.0)

    def at_most(self, small: Key, big: Key) -> None:
        """``small ≤ big``."""
        self.relate({small: 1.0, big: -1.0}, -np.inf, 0.0)

    # -- reading ---------------------------------------------------------------------------
    def hidden(self, key: Key) -> bool:
        return not self.published.get(key, True)

    def targets(self) -> list[Key]:
        """Cells that must be protected: every suppressed cell and every small implicit group."""
        return [
            k
            for k, pub in self.published.items()
            if not pub and (k not in self._implicit_registered or k in self.implicit_keys)
        ]

    # -- solving ---------------------------------------------------------------------------
    def component(self, key: Key) -> list[Key]:
        """The unknown cells linked to ``key`` through relations with two or more unknowns."""
        seen = {key}
        stack = [key]
        while stack:
            k = stack.pop()
            for r in self._by_key[k]:
                for other, _ in self.relations[r].coeffs:
                    if other not in seen and not self.published[other]:
                        seen.add(other)
                        stack.append(other)
        return sorted(seen, key=repr)

    def _model(self, comp: list[Key]) -> tuple[Any, dict[Key, int]]:
        """A HiGHS model over the unknown cells ``comp``: every relation touching them, published
        cells as constants, every cell ≥ 0."""
        import highspy

        inf = highspy.kHighsInf
        pos = {k: i for i, k in enumerate(comp)}
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.addVars(len(comp), np.zeros(len(comp)), np.full(len(comp), inf))
        for r in sorted({r for k in comp for r in self._by_key[k]}):
            rel = self.relations[r]
            idx: list[int] = []
            val: list[float] = []
            const = 0.0
            for k, c in rel.coeffs:
                if k in pos:
                    idx.append(pos[k])
                    val.append(c)
                else:
                    const += c * self.values[k]
            lo = rel.lo - const if np.isfinite(rel.lo) else -inf
            hi = rel.hi - const if np.isfinite(rel.hi) else inf
            h.addRow(lo, hi, len(idx), np.array(idx, dtype=np.int32), np.array(val))
        return h, pos

    def _solve(self, h: Any, j: int) -> tuple[float, float]:
        import highspy

        bounds = []
        for sense in (1.0, -1.0):
            h.changeColCost(j, sense)
            h.run()
            status = h.getModelStatus()
            value = float(h.getInfo().objective_function_value)  # read before the cost changes again
            h.changeColCost(j, 0.0)
            self._lps += 1
            if status == highspy.HighsModelStatus.kOptimal:
                bounds.append(sense * value)
            elif status == highspy.HighsModelStatus.kInfeasible:  # cannot happen: true values fit
                raise RuntimeError("disclosure audit: relations inconsistent with the cell values")
            else:  # unbounded
                bounds.append(-np.inf if sense < 0 else 0.0)
        return bounds[0], (np.inf if bounds[1] == -np.inf else bounds[1])

    def interval(self, key: Key) -> tuple[float, float]:
        """Smallest and largest value of ``key`` given everything published (LP relaxation)."""
        h, pos = self._model(self.component(key))
        return self._solve(h, pos[key])

    def protect(self) -> AuditReport:
        """Suppress more cells (cheapest first) until every target is protected; see the module doc."""
        self._lps = 0
        secondary = self._prepass()
        ok: set[Key] = set()
        while True:
            bad: tuple[Key, list[Key], float] | None = None
            done: set[Key] = set()
            for t in self.targets():
                if t in ok or t in done:
                    continue
                comp = self.component(t)
                h, pos = self._model(comp)
                for k in comp:  # every target of this component with one model (warm starts)
                    if k in ok or not self._is_target(k):
                        continue
                    lo, hi = self._solve(h, pos[k])
                    if hi - lo >= self.width - 1e-6:
                        ok.add(k)
                    elif bad is None:
                        bad = (k, comp, hi - lo)
                        break
                done.update(comp)
                if bad is not None:
                    break
            if bad is None:
                break
            t, comp, width = bad
            cands = self._candidates(t, comp)
            if not cands:
                raise RuntimeError(f"disclosure audit: cannot protect {t!r}")
            pick = cands[0]
            for c in cands[:4]:  # the cheapest that widens the interval, else the cheapest
                self.published[c] = False
                lo, hi = self.interval(t)
                self.published[c] = True
                if hi - lo > width + 1e-6:
                    pick = c
                    break
            self.published[pick] = False
            secondary += 1
            # Hiding a cell only widens intervals, so cells found protected stay protected.
        return AuditReport(primary=len(self.primary), secondary=secondary, lps=self._lps)

    def _is_target(self, k: Key) -> bool:
        return not self.published[k] and (k not in self._implicit_registered or k in self.implicit_keys)

    def _prepass(self) -> int:
        """The cheap part first: an equality holding a single unknown cell gives that cell away, so
        while a target is alone in an equality, hide the cheapest published cell next to it."""
        hidden = 0
        changed = True
        while changed:
            changed = False
            for rel in self.relations:
                if rel.lo != rel.hi:
                    continue
                unknown = [k for k, _ in rel.coeffs if not self.published[k]]
                if len(unknown) != 1 or not self._is_target(unknown[0]):
                    continue
                cands = [k for k, _ in rel.coeffs if self.published[k]]
                if cands:
                    pick = min(cands, key=lambda k: (self.values[k], repr(k)))
                    self.published[pick] = False
                    hidden += 1
                    changed = True
        return hidden

    def _candidates(self, target: Key, comp: list[Key]) -> list[Key]:
        """Published cells next to ``target`` (its own relations first), cheapest first."""
        near: set[Key] = set()
        for r in self._by_key[target]:
            near.update(k for k, _ in self.relations[r].coeffs if self.published[k])
        if near:
            return sorted(near, key=lambda k: (self.values[k], repr(k)))
        found: set[Key] = set()
        for k in comp:
            for r in self._by_key[k]:
                found.update(o for o, _ in self.relations[r].coeffs if self.published[o])
        return sorted(found, key=lambda k: (self.values[k], repr(k)))
