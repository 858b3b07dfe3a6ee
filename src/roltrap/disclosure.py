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
        self._sys: _System | None = None

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
    # The system is frozen into index arrays once (relations as a sparse row matrix and its
    # transpose), so a component's model is cut out with a few numpy operations and handed to HiGHS
    # in one call. Every LP solution is a feasible point of the whole system (the cells outside the
    # component keep their true values), and hiding a cell keeps it feasible, so the smallest and
    # largest value each cell has taken in any solution so far is a proven inner bound of its
    # interval: a target whose seen range is already wide enough is protected without its own LPs.
    # The rule is unchanged — a cell counts as protected only when its LP interval is that wide.
    def _frozen(self) -> _System:
        sys = self._sys
        if sys is None or sys.n_keys != len(self.values) or sys.n_rel != len(self.relations):
            sys = self._sys = _System.build(self.values, self.relations)
        return sys

    def _unknown(self, sys: _System) -> np.ndarray:
        return np.fromiter((not self.published[k] for k in sys.keys), dtype=bool, count=len(sys.keys))

    def _component_idx(self, sys: _System, start: int, unknown: np.ndarray) -> np.ndarray:
        """Indices of the unknown cells linked to ``start``, in the order of their ``repr``."""
        seen = np.zeros(len(sys.keys), dtype=bool)
        seen[start] = True
        frontier = np.array([start])
        while len(frontier):
            rows = np.unique(_gather(sys.col_ptr, sys.col_rows, frontier))
            nxt = np.unique(_gather(sys.row_ptr, sys.row_cols, rows))
            nxt = nxt[unknown[nxt] & ~seen[nxt]]
            seen[nxt] = True
            frontier = nxt
        comp = np.flatnonzero(seen)
        return comp[np.argsort(sys.rank[comp], kind="stable")]

    def component(self, key: Key) -> list[Key]:
        """The unknown cells linked to ``key`` through relations with two or more unknowns."""
        sys = self._frozen()
        comp = self._component_idx(sys, sys.index[key], self._unknown(sys))
        return [sys.keys[i] for i in comp]

    def _model(self, sys: _System, comp: np.ndarray) -> Any:
        """A HiGHS model over the unknown cells ``comp``: every relation touching them, published
        cells as constants, every cell ≥ 0."""
        import highspy

        inf = highspy.kHighsInf
        rows = np.unique(_gather(sys.col_ptr, sys.col_rows, comp))
        starts = sys.row_ptr[rows]
        lens = sys.row_ptr[rows + 1] - starts
        ent = _ranges(starts, lens)
        row_of = np.repeat(np.arange(len(rows)), lens)
        cols = sys.row_cols[ent]
        coef = sys.row_vals[ent]
        pos = np.full(len(sys.keys), -1, dtype=np.int64)
        pos[comp] = np.arange(len(comp))
        p = pos[cols]
        inside = p >= 0
        out = ~inside
        const = np.bincount(row_of[out], weights=coef[out] * sys.values[cols[out]], minlength=len(rows))
        lo = np.where(np.isfinite(sys.lo[rows]), sys.lo[rows] - const, -inf)
        hi = np.where(np.isfinite(sys.hi[rows]), sys.hi[rows] - const, inf)
        nnz_row = np.bincount(row_of[inside], minlength=len(rows))
        row_starts = np.concatenate(([0], np.cumsum(nnz_row)[:-1])).astype(np.int32)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.addVars(len(comp), np.zeros(len(comp)), np.full(len(comp), inf))
        h.addRows(
            len(rows), lo, hi, int(inside.sum()), row_starts, p[inside].astype(np.int32), coef[inside]
        )
        return h

    def _solve(
        self, h: Any, j: int, seen: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    ) -> tuple[float, float]:
        """(min, max) of column ``j``; with ``seen`` = (lo, hi, comp) the solutions widen the seen ranges."""
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
                if seen is not None:
                    x = np.asarray(h.getSolution().col_value)
                    s_lo, s_hi, comp = seen
                    s_lo[comp] = np.minimum(s_lo[comp], x)
                    s_hi[comp] = np.maximum(s_hi[comp], x)
            elif status == highspy.HighsModelStatus.kInfeasible:  # cannot happen: true values fit
                raise RuntimeError("disclosure audit: relations inconsistent with the cell values")
            else:  # unbounded
                bounds.append(-np.inf if sense < 0 else 0.0)
        return bounds[0], (np.inf if bounds[1] == -np.inf else bounds[1])

    def interval(self, key: Key) -> tuple[float, float]:
        """Smallest and largest value of ``key`` given everything published (LP relaxation)."""
        sys = self._frozen()
        comp = self._component_idx(sys, sys.index[key], self._unknown(sys))
        h = self._model(sys, comp)
        return self._solve(h, int(np.flatnonzero(comp == sys.index[key])[0]))

    def protect(self) -> AuditReport:
        """Suppress more cells (cheapest first) until every target is protected; see the module doc."""
        self._lps = 0
        secondary = self._prepass()
        sys = self._frozen()
        seen_lo = sys.values.copy()  # the true values are a feasible point
        seen_hi = sys.values.copy()
        ok: set[Key] = set()
        unknown = self._unknown(sys)
        known: dict[Key, tuple[float | None, float]] = {}  # (min or None, max) in the current state
        while True:
            bad: tuple[Key, np.ndarray, float] | None = None
            done: set[Key] = set()
            for t in self.targets():
                if t in ok or t in done:
                    continue
                comp = self._component_idx(sys, sys.index[t], unknown)
                comp_keys = [sys.keys[i] for i in comp]
                h = None
                for j, k in enumerate(comp_keys):  # every target of this component with one model
                    if k in ok or not self._is_target(k):
                        continue
                    i = comp[j]
                    if seen_hi[i] - seen_lo[i] >= self.width - 1e-6:
                        ok.add(k)  # two feasible points already this far apart
                        continue
                    if k in known:  # solved while choosing the last hidden cell
                        k_lo, k_hi = known[k]
                        if k_hi - (seen_lo[i] if k_lo is None else k_lo) >= self.width - 1e-6:
                            ok.add(k)
                            continue
                        if k_lo is not None:
                            bad = (k, comp, k_hi - k_lo)
                            break
                    if h is None:
                        h = self._model(sys, comp)
                    lo, hi = self._solve(h, j, (seen_lo, seen_hi, comp))
                    if hi - lo >= self.width - 1e-6:
                        ok.add(k)
                    elif bad is None:
                        bad = (k, comp, hi - lo)
                        break
                done.update(comp_keys)
                if bad is not None:
                    break
            if bad is None:
                break
            t, comp, width = bad
            cands = self._candidates(t, [sys.keys[i] for i in comp])
            if not cands:
                raise RuntimeError(f"disclosure audit: cannot protect {t!r}")
            pick, p_lo, p_hi, sols, ext = self._widening(sys, t, cands, unknown, width)
            self.published[pick] = False
            unknown[sys.index[pick]] = True
            secondary += 1
            # The LPs that chose the cell were ``t``'s LPs in the new state: keep what they found.
            known = {t: (p_lo, p_hi)}
            for x in sols:
                seen_lo[ext] = np.minimum(seen_lo[ext], x)
                seen_hi[ext] = np.maximum(seen_hi[ext], x)
            # Hiding a cell only widens intervals, so cells found protected stay protected, and
            # every solution seen so far stays feasible.
        return AuditReport(primary=len(self.primary), secondary=secondary, lps=self._lps)

    def _widening(
        self, sys: _System, t: Key, cands: list[Key], unknown: np.ndarray, width: float
    ) -> tuple[Key, float | None, float, list[np.ndarray], np.ndarray]:
        """Among the four cheapest candidates, the first whose hiding widens ``t``'s interval beyond
        ``width``, else the cheapest; with ``t``'s min (None when not solved) and max once that
        cell is hidden, the LP solutions found then, and the model's cells they are values of.

        One model serves every candidate: it holds ``t``'s component, the candidates and whatever
        hiding one of them would link in; a candidate's column is pinned to its value (published)
        and freed (hidden) in turn, so each check is a warm-started re-solve of the LP that
        :meth:`interval` would build with that candidate hidden.
        """
        import highspy

        check = cands[:4]
        idx = np.array([sys.index[c] for c in check])
        ext_unknown = unknown.copy()
        ext_unknown[idx] = True
        comp = self._component_idx(sys, sys.index[t], ext_unknown)
        where = {int(i): j for j, i in enumerate(comp)}
        h = self._model(sys, comp)
        for i in idx:
            h.changeColBounds(where[int(i)], sys.values[i], sys.values[i])
        jt = where[sys.index[t]]
        first: tuple[Key, float | None, float, list[np.ndarray], np.ndarray] | None = None
        for c, i in zip(check, idx, strict=True):
            h.changeColBounds(where[int(i)], 0.0, highspy.kHighsInf)
            sols: list[np.ndarray] = []
            hi = self._bound(h, jt, -1.0, sols)
            lo: float | None = None
            widened = hi == np.inf or hi - sys.values[sys.index[t]] > width + 1e-6
            if not widened:  # the upper bound alone did not show it: the lower one decides
                lo = self._bound(h, jt, 1.0, sols)
                widened = hi - lo > width + 1e-6
            h.changeColBounds(where[int(i)], sys.values[i], sys.values[i])
            if widened:
                return c, lo, hi, sols, comp
            if first is None:
                first = (c, lo, hi, sols, comp)
        assert first is not None and first[0] == cands[0]
        return first

    def _bound(self, h: Any, j: int, sense: float, sols: list[np.ndarray] | None = None) -> float:
        """min (``sense`` 1) or max (−1) of column ``j``; ``inf`` when the max is unbounded. The
        solution is appended to ``sols``."""
        import highspy

        h.changeColCost(j, sense)
        h.run()
        status = h.getModelStatus()
        value = float(h.getInfo().objective_function_value)
        h.changeColCost(j, 0.0)
        self._lps += 1
        if status == highspy.HighsModelStatus.kOptimal:
            if sols is not None:
                sols.append(np.asarray(h.getSolution().col_value))
            return sense * value
        if status == highspy.HighsModelStatus.kInfeasible:  # cannot happen: true values fit
            raise RuntimeError("disclosure audit: relations inconsistent with the cell values")
        return np.inf if sense < 0 else 0.0

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


def _ranges(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(s, s + n)`` for every (s, n)."""
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
    return offsets + np.arange(total)


def _gather(ptr: np.ndarray, items: np.ndarray, which: np.ndarray) -> np.ndarray:
    """The items of every list ``which`` of a compressed list-of-lists (``ptr``, ``items``)."""
    return items[_ranges(ptr[which], ptr[which + 1] - ptr[which])]


@dataclass
class _System:
    """The audit's cells and relations as arrays: relations × cells in compressed rows and columns."""

    keys: list[Key]
    index: dict[Key, int]
    rank: np.ndarray  # position of each key in ``repr`` order (the order components are solved in)
    values: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    row_ptr: np.ndarray
    row_cols: np.ndarray
    row_vals: np.ndarray
    col_ptr: np.ndarray
    col_rows: np.ndarray
    n_keys: int
    n_rel: int

    @classmethod
    def build(cls, values: Mapping[Key, float], relations: Sequence[Relation]) -> _System:
        keys = list(values)
        index = {k: i for i, k in enumerate(keys)}
        rank = np.empty(len(keys), dtype=np.int64)
        rank[sorted(range(len(keys)), key=lambda i: repr(keys[i]))] = np.arange(len(keys))
        lens = np.array([len(r.coeffs) for r in relations], dtype=np.int64)
        row_ptr = np.concatenate(([0], np.cumsum(lens))).astype(np.int64)
        row_cols = np.array([index[k] for r in relations for k, _ in r.coeffs], dtype=np.int64)
        row_vals = np.array([c for r in relations for _, c in r.coeffs], dtype=float)
        row_of = np.repeat(np.arange(len(relations)), lens)
        order = np.argsort(row_cols, kind="stable")
        col_rows = row_of[order]
        per_col = np.bincount(row_cols, minlength=len(keys))
        col_ptr = np.concatenate(([0], np.cumsum(per_col))).astype(np.int64)
        return cls(
            keys=keys,
            index=index,
            rank=rank,
            values=np.array([values[k] for k in keys], dtype=float),
            lo=np.array([r.lo for r in relations], dtype=float),
            hi=np.array([r.hi for r in relations], dtype=float),
            row_ptr=row_ptr,
            row_cols=row_cols,
            row_vals=row_vals,
            col_ptr=col_ptr,
            col_rows=col_rows,
            n_keys=len(keys),
            n_rel=len(relations),
        )
