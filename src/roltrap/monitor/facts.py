"""What the district monitor reads from the store: regions, figures and flows, fetched set-based.

Every read is one query for the whole store (all regions of all levels) for the indicators a
computation needs, cached per store version (``Store.version_key``: an import by this process or
any other, such as the CLI while ``serve`` runs, empties the cache); a call for one municipality slices
that table in memory instead of querying region by region. Figures a level lacks are filled in here,
flagged by ``src``:

- ``"buurten"`` / ``"wijken"``: a wijk (gemeente) without a figure gets the aggregate of its buurten
  (wijken) with the catalogue's rule — ``sum`` for counts, ``weighted_mean`` with the catalogue's
  weight for shares and means — but only when every child that has figures that year has this one
  (a partial sum would be an undercount);
- ``"wijk"``: a buurt without a share, mean, ratio or distance takes its wijk's value (a stand-in,
  not the buurt's own figure). Counts are never copied down.

Knows SQL and frames, nothing of files, HTTP or the CLI.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import feather

if TYPE_CHECKING:
    from roltrap.store import Store

#: How a derived figure's origin is named to the user (row column ``derived_from``).
SRC_LABELS = {"buurten": "buurten", "wijken": "wijken", "wijk": "wijk"}
_INTENSIVE_KINDS = ("share", "mean", "ratio", "distance", "duration")
_CHILD = {"gemeente": "wijk", "wijk": "buurt"}
_CHILD_SRC = {"wijk": "wijken", "buurt": "buurten"}


@dataclass
class Long:
    """Long table of figures (code, year, ind, value, estimate, src, level, gm) with a per-gemeente index."""

    frame: pd.DataFrame
    by_gm: dict[str, np.ndarray] = field(default_factory=dict)

    def for_gemeenten(self, gms: tuple[str, ...] | None) -> pd.DataFrame:
        """Rows of these municipalities (their own row, wijken and buurten); ``None`` = all."""
        if gms is None:
            return self.frame
        parts = [self.by_gm[g] for g in gms if g in self.by_gm]
        if not parts:
            return self.frame.iloc[0:0]
        idx = np.concatenate(parts) if len(parts) > 1 else parts[0]
        return self.frame.iloc[np.sort(idx)]


class Facts:
    """Cached, set-based reads of one store; invalidated when the store changes."""

    def __init__(self, store: Store, *, together: Iterable[str] = (), disk: Path | None = None) -> None:
        self.store = store
        #: Indicators read in one pass (see :meth:`long`); empty = each request reads its own.
        self.together: frozenset[str] = frozenset(together)
        #: Folder where derived figures are kept per store content (see :meth:`_read_long`); None = not.
        self.disk = disk
        self._version: tuple[int, ...] | None = None
        self._cache: dict[Any, Any] = {}

    def _fresh(self) -> dict[Any, Any]:
        version = self.store.version_key()  # two stat calls
        if self._version != version:
            self._cache = {}
            self._version = version
        return self._cache

    # -- regions ---------------------------------------------------------------------------
    def regions(self) -> pd.DataFrame:
        """Every region: index code; name, level, parent, gm (its municipality)."""
        cache = self._fresh()
        if "regions" not in cache:
            reg = self.store.query("SELECT code, name, level, parent FROM regions").set_index("code")
            gm = pd.Series(None, index=reg.index, dtype=object)
            is_gm = reg["level"] == "gemeente"
            gm[is_gm] = reg.index[is_gm]
            wijk = reg["level"] == "wijk"
            gm[wijk] = reg.loc[wijk, "parent"]
            buurt = reg["level"] == "buurt"
            grand = reg["parent"].map(reg["parent"])
            fallback = pd.Series(
                ["GM" + c[2:6] for c in reg.index[buurt]], index=reg.index[buurt], dtype=object
            )
            gm[buurt] = grand[buurt].where(grand[buurt].notna(), fallback)
            reg["gm"] = gm
            cache["regions"] = reg
        out: pd.DataFrame = cache["regions"]
        return out

    def exists(self) -> pd.DataFrame:
        """(code, year) pairs with any observation (also a missing one), with level and parent."""
        return self._exists()[0]

    def _exists(self) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
        cache = self._fresh()
        if "exists" not in cache:
            ex = self.store.query("SELECT DISTINCT region_code AS code, year FROM observations")
            reg = self.regions()
            ex["level"] = reg["level"].reindex(ex["code"]).to_numpy()
            ex["parent"] = reg["parent"].reindex(ex["code"]).to_numpy()
            ex["gm"] = reg["gm"].reindex(ex["code"]).to_numpy()
            cache["exists"] = ex
            cache["exists_by_gm"] = {str(g): np.asarray(ix) for g, ix in ex.groupby("gm").indices.items()}
        return cache["exists"], cache["exists_by_gm"]

    def exists_for(self, gms: tuple[str, ...] | None) -> pd.DataFrame:
        """:meth:`exists` for these municipalities only (``None`` = all)."""
        ex, by = self._exists()  # one version: an import meanwhile cannot split the pair
        if gms is None:
            return ex
        parts = [by[g] for g in gms if g in by]
        return ex.iloc[np.sort(np.concatenate(parts))] if parts else ex.iloc[0:0]

    def catalogue(self) -> pd.DataFrame:
        cache = self._fresh()
        if "catalogue" not in cache:
            cache["catalogue"] = self.store.query("SELECT * FROM indicators").set_index("id")
        out: pd.DataFrame = cache["catalogue"]
        return out

    def sources(self) -> pd.DataFrame:
        cache = self._fresh()
        if "sources" not in cache:
            cache["sources"] = self.store.query("SELECT * FROM sources").set_index("id")
        out: pd.DataFrame = cache["sources"]
        return out

    def flows(self) -> pd.DataFrame:
        cache = self._fresh()
        if "flows" not in cache:
            cache["flows"] = self.store.query(
                "SELECT * FROM flows ORDER BY region_code, year, direction, origin"
            )
        out: pd.DataFrame = cache["flows"]
        return out

    def source_ids(self, codes: list[str], indicators: list[str], years: list[int] | None) -> list[str]:
        """Sources of the (own) figures held for these regions, indicators and years."""
        sql = (
            "SELECT DISTINCT source_id FROM observations WHERE value IS NOT NULL "
            "AND indicator_id IN (SELECT unnest(?))"
        )
        params: list[object] = [list(indicators)]
        if years is not None:
            sql += " AND year IN (SELECT unnest(?))"
            params.append([int(y) for y in years])
        if len(codes) < 5000:
            sql += " AND region_code IN (SELECT unnest(?))"
            params.append(list(codes))
        return sorted(self.store.query(sql, params)["source_id"])

    # -- figures ---------------------------------------------------------------------------
    def long(self, indicators: list[str] | tuple[str, ...]) -> Long:
        """All figures of these indicators (plus the weights their aggregation needs), every level.

        When they are all among :attr:`together`, the figures of all of those are read and derived in
        one pass (cached) and this request's rows are taken from it: a page that shows several
        computations (the city page: four) then pays one pass instead of one each. The rows are the
        same either way, because every derivation works indicator by indicator, with only the
        aggregation weight of each (counts, which have no weight of their own; where a weight is
        itself a weighted mean the request is read on its own).
        """
        cat = self.catalogue()
        wanted = sorted(set(indicators))
        weights = sorted({str(w) for w in cat.reindex(wanted)["weight"].dropna()} - set(wanted))
        key = ("long", tuple(wanted))
        cache = self._fresh()
        if key in cache:
            out: Long = cache[key]
            return out
        ids = wanted + weights
        flat = cat.reindex(weights)["weight"].isna().all()
        if self.together and set(wanted) <= self.together and flat and set(wanted) != self.together:
            base = self.long(sorted(self.together)).frame
            part = base[base["ind"].isin(ids).to_numpy()].reset_index(drop=True)
            out = Long(part, _by_gm(part))
        else:
            out = self._read_long(ids, cat)
        cache[key] = out
        return out

    def _read_long(self, ids: list[str], cat: pd.DataFrame) -> Long:
        """The figures of ``ids`` with those derived up and down (module docstring).

        Deriving them costs a few tenths of a second, and every new process (a server's start, each
        CLI command) paid it again for the same data: a new store is a copy of the installation's
        template, so its figures are the same for every first use. They are therefore kept on disk
        (:attr:`disk`), keyed by what they are made of: the store's content (a digest of every
        observation, source, region and indicator rule: :meth:`content_key`), the indicators asked
        for, and this module's code and the library versions. Any import changes the key; a missing
        or unreadable folder only means the figures are derived here.
        """
        file = self._disk_file(ids)
        if file is not None:
            with contextlib.suppress(OSError, ValueError, KeyError, pa.ArrowException):
                df = feather.read_table(file, memory_map=False).to_pandas()
                if list(df.columns) == _LONG_COLUMNS:
                    # Arrow gives None for a missing text; the derived frame holds NaN (the country's gm).
                    df["gm"] = df["gm"].where(df["gm"].notna(), np.nan)
                    with contextlib.suppress(OSError):
                        os.utime(file)  # in use: not pruned
                    return Long(df, _by_gm(df))
        long = self._derive_long(ids, cat)
        if file is not None and len(long.frame) >= DISK_MIN_ROWS:
            _write_quietly(file, long.frame)
        return long

    def content_key(self) -> str:
        """A digest of everything the derived figures depend on in the store (one query, ~15 ms)."""
        cache = self._fresh()
        if "content_key" not in cache:
            row = self.store.rows(
                """SELECT (SELECT count(*) FROM observations) AS n_obs,
                          (SELECT coalesce(sum(hash(region_code, year, indicator_id, value, source_id)), 0)
                           FROM observations)::VARCHAR AS obs,
                          (SELECT coalesce(sum(hash(id, estimate)), 0) FROM sources)::VARCHAR AS src,
                          (SELECT count(*) FROM regions) AS n_reg,
                          (SELECT coalesce(sum(hash(code, level, parent)), 0) FROM regions)::VARCHAR AS reg,
                          (SELECT coalesce(sum(hash(id, kind, aggregation, weight)), 0)
                           FROM indicators)::VARCHAR AS ind""")[0]
            cache["content_key"] = hashlib.sha256(json.dumps(row, sort_keys=True).encode()).hexdigest()
        out: str = cache["content_key"]
        return out

    def _disk_file(self, ids: list[str]) -> Path | None:
        if self.disk is None:
            return None
        key = hashlib.sha256(json.dumps([_code_key(), self.content_key(), sorted(ids)]).encode())
        return self.disk / f"long-{key.hexdigest()[:32]}.arrow"

    def _derive_long(self, ids: list[str], cat: pd.DataFrame) -> Long:
        df = self.store.query(
            """SELECT o.region_code AS code, o.year, o.indicator_id AS ind, o.value, s.estimate,
                      o.source_id AS source
               FROM observations o JOIN sources s ON s.id = o.source_id
               WHERE o.value IS NOT NULL AND o.indicator_id IN (SELECT unnest(?))""",
            [ids],
        )
        reg = self.regions()
        df["year"] = df["year"].astype(int)
        df["estimate"] = df["estimate"].astype(bool)
        df["src"] = ""
        df["level"] = reg["level"].reindex(df["code"]).to_numpy()
        df = df[df["level"].notna()]
        extra = [self._aggregate(df, cat, parent_level) for parent_level in ("wijk", "gemeente")]
        # Aggregate buurten → wijken first, so gemeenten can be built from (partly derived) wijken.
        if not extra[0].empty:
            df = pd.concat([df, extra[0]], ignore_index=True)
            extra[1] = self._aggregate(df, cat, "gemeente")
        if not extra[1].empty:
            df = pd.concat([df, extra[1]], ignore_index=True)
        nulls = self.store.query(
            """SELECT region_code AS code, year, indicator_id AS ind FROM observations
               WHERE value IS NULL AND indicator_id IN (SELECT unnest(?))""", [ids])
        down = self._fill_down(df, cat, nulls)
        if not down.empty:
            df = pd.concat([df, down], ignore_index=True)
        df["gm"] = reg["gm"].reindex(df["code"]).to_numpy()
        df = df.sort_values(["code", "year", "ind"], kind="stable").reset_index(drop=True)
        return Long(df, _by_gm(df))

    def _aggregate(self, df: pd.DataFrame, cat: pd.DataFrame, parent_level: str) -> pd.DataFrame:
        """Figures for ``parent_level`` regions that lack them, from their children (see module doc)."""
        child_level = _CHILD[parent_level]
        child = df[(df["level"] == child_level)]
        if child.empty:
            return df.iloc[0:0]
        reg = self.regions()
        child = child.assign(parent=reg["parent"].reindex(child["code"]).to_numpy())
        child = child[child["parent"].notna()]
        ex = self.exists()
        n_children = ex[ex["level"] == child_level].groupby(["parent", "year"]).size().rename("n_children")
        rules = cat.reindex(child["ind"].unique())
        parts = []
        sums = [i for i, r in rules.iterrows() if r["aggregation"] == "sum"]
        if sums:
            s = (
                child[child["ind"].isin(sums)]
                .groupby(["parent", "year", "ind"])
                .agg(value=("value", "sum"), n=("value", "size"), estimate=("estimate", "any"),
                     source=("source", "first"))
            )
            parts.append(s.assign(exempt=0))
        wmeans = rules[(rules["aggregation"] == "weighted_mean") & rules["weight"].notna()]
        for wid, group in wmeans.groupby("weight"):
            w = child[child["ind"] == wid].set_index(["code", "year"])["value"].rename("w")
            part = child[child["ind"].isin(list(group.index))].join(w, on=["code", "year"])
            # A child with weight 0 (a buurt without households) adds nothing and is not required.
            zero = child[(child["ind"] == wid) & (child["value"] == 0)].groupby(["parent", "year"]).size()
            part = part[part["w"].notna() & (part["w"] != 0)]
            if part.empty:
                continue
            part = part.assign(vw=part["value"] * part["w"])
            g = part.groupby(["parent", "year", "ind"]).agg(
                vw=("vw", "sum"), w=("w", "sum"), n=("value", "size"), estimate=("estimate", "any"),
                source=("source", "first"),
            )
            g = g[g["w"] > 0]
            exempt = zero.reindex(g.index.droplevel("ind")).fillna(0).to_numpy()
            parts.append(pd.DataFrame({"value": g["vw"] / g["w"], "n": g["n"], "estimate": g["estimate"],
                                       "source": g["source"], "exempt": exempt}, index=g.index))
        if not parts:
            return df.iloc[0:0]
        agg = pd.concat(parts).reset_index()
        agg = agg.join(n_children, on=["parent", "year"])
        agg = agg[agg["n"] >= agg["n_children"].fillna(np.inf) - agg["exempt"]]
        agg = agg.rename(columns={"parent": "code"})
        agg = agg[agg["code"].isin(reg.index[reg["level"] == parent_level])]
        own = pd.MultiIndex.from_frame(df[["code", "year", "ind"]])
        keys = pd.MultiIndex.from_frame(agg[["code", "year", "ind"]])
        agg = agg[~keys.isin(own)]
        return pd.DataFrame(
            {
                "code": agg["code"].to_numpy(),
                "year": agg["year"].astype(int).to_numpy(),
                "ind": agg["ind"].to_numpy(),
                "value": agg["value"].astype(float).to_numpy(),
                "estimate": agg["estimate"].astype(bool).to_numpy(),
                "source": agg["source"].to_numpy(),
                "src": _CHILD_SRC[child_level],
                "level": parent_level,
            }
        )

    def _fill_down(self, df: pd.DataFrame, cat: pd.DataFrame, nulls: pd.DataFrame) -> pd.DataFrame:
        """A buurt without a share/mean/ratio/distance takes its wijk's value (flagged ``wijk``).

        Only where the buurt has no row at all: a figure CBS left empty or suppressed for the buurt
        (a NULL in the store) stays empty.
        """
        ex = self.exists()
        buurten = ex[ex["level"] == "buurt"][["code", "year", "parent"]]
        if buurten.empty:
            return df.iloc[0:0]
        kinds = cat["kind"].reindex(df["ind"].unique())
        intensive = list(kinds.index[kinds.isin(_INTENSIVE_KINDS)])
        wijk = df[(df["level"] == "wijk") & df["ind"].isin(intensive)][
            ["code", "year", "ind", "value", "estimate", "source"]
        ]
        if wijk.empty:
            return df.iloc[0:0]
        cand = buurten.merge(wijk.rename(columns={"code": "parent"}), on=["parent", "year"])
        own = pd.MultiIndex.from_frame(df[["code", "year", "ind"]])
        held = own.append(pd.MultiIndex.from_frame(nulls[["code", "year", "ind"]])) if len(nulls) else own
        cand = cand[~pd.MultiIndex.from_frame(cand[["code", "year", "ind"]]).isin(held)]
        return pd.DataFrame(
            {
                "code": cand["code"].to_numpy(),
                "year": cand["year"].astype(int).to_numpy(),
                "ind": cand["ind"].to_numpy(),
                "value": cand["value"].astype(float).to_numpy(),
                "estimate": cand["estimate"].astype(bool).to_numpy(),
                "source": cand["source"].to_numpy(),
                "src": "wijk",
                "level": "buurt",
            }
        )


_LONG_COLUMNS = ["code", "year", "ind", "value", "estimate", "source", "src", "level", "gm"]
#: Only this many figures or more are kept on disk: a small store (a test's, a single town's) derives in
#: a few hundredths of a second; the national bundle holds 10,000–75,000 per request and takes 0.1–0.3 s.
DISK_MIN_ROWS = 5_000
#: At most this much on disk (MiB); the files unused for longest go first.
DISK_MAX_MB = 256


@functools.cache
def _code_key() -> str:
    """What else the derived figures depend on: this module's code and the libraries that compute."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(f"{pd.__version__} {np.__version__} {pa.__version__}".encode())
    return digest.hexdigest()


def _write_quietly(file: Path, frame: pd.DataFrame) -> None:
    """Keep ``frame`` in ``file`` (under a temporary name, then renamed); a cache, so errors are ignored."""
    tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        feather.write_feather(pa.Table.from_pandas(frame[_LONG_COLUMNS], preserve_index=False), tmp,
                              compression="lz4")
        os.replace(tmp, file)
        kept = sorted(((p.stat().st_mtime, p.stat().st_size, p) for p in file.parent.glob("long-*.arrow")),
                      reverse=True)
        total = 0
        for _mtime, size, path in kept:
            total += size
            if total > DISK_MAX_MB * 2**20 and path != file:
                path.unlink(missing_ok=True)
    except (OSError, pa.ArrowException):
        pass
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _by_gm(df: pd.DataFrame) -> dict[str, np.ndarray]:
    """Row positions per municipality (for :meth:`Long.for_gemeenten`)."""
    by_gm = {str(g): np.asarray(ix) for g, ix in df.groupby("gm", sort=False).indices.items()}
    # the country row belongs to no municipality; keep it reachable under its own code
    land = np.flatnonzero((df["level"] == "land").to_numpy())
    if len(land):
        by_gm["NL00"] = land
    return by_gm


def wide(
    long: pd.DataFrame, codes: list[str], indicators: list[str], year: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Values (one row per code, one column per indicator) and their ``src`` flags at ``year``."""
    part = long[(long["year"] == year) & long["ind"].isin(indicators)]
    part = part[part["code"].isin(codes)]
    if part.empty:
        values = pd.DataFrame(index=pd.Index(codes, name="code"))
        src = pd.DataFrame(index=pd.Index(codes, name="code"))
    else:
        values = part.pivot(index="code", columns="ind", values="value").reindex(codes)
        src = part.pivot(index="code", columns="ind", values="src").reindex(codes)
    values.columns.name = None
    src.columns.name = None
    for ind in indicators:
        if ind not in values.columns:
            values[ind] = np.nan
            src[ind] = None
    return values[indicators].astype(float), src[indicators]


def derived_from(src: pd.DataFrame) -> pd.Series:
    """Per row: which other level its derived figures come from (``None`` = all its own figures)."""
    if src.empty or src.shape[1] == 0:
        return pd.Series([None] * len(src), index=src.index, dtype=object)
    text = pd.Series("", index=src.index, dtype=object)
    for key in sorted(SRC_LABELS):  # column-wise, not row by row: this runs for the whole country
        has = (src == key).any(axis=1)
        text = text.where(~has, text + np.where(text == "", "", ", ") + SRC_LABELS[key])
    return text.where(text != "", None).astype(object)


def derived_detail(src: pd.DataFrame) -> dict[str, dict[str, str]]:
    """``{code: {indicator: "buurten"}}`` for every derived figure."""
    out: dict[str, dict[str, str]] = {}
    if src.empty:
        return out
    stacked = src.stack()
    stacked = stacked[stacked.astype(str) != ""]
    for (code, ind), s in stacked.items():
        out.setdefault(str(code), {})[str(ind)] = SRC_LABELS.get(str(s), str(s))
    return out


def coverage(
    long: pd.DataFrame, exists: pd.DataFrame, codes: list[str], indicators: list[str]
) -> pd.DataFrame:
    """Share (0–1) of the regions existing in a year that hold each indicator: index year, columns ids."""
    ex = exists[exists["code"].isin(codes)]
    n = ex.groupby("year").size()
    part = long[long["ind"].isin(indicators) & long["code"].isin(codes)]
    held = part.groupby(["year", "ind"])["code"].nunique().unstack("ind")
    held = held.reindex(columns=indicators)
    years = sorted(set(n.index) | set(held.index))
    held = held.reindex(years).fillna(0)
    return held.div(n.reindex(years).replace(0, np.nan), axis=0).fillna(0).clip(0, 1)


def pick_year(cov: pd.DataFrame, *, threshold: float = 0.5) -> tuple[int | None, list[int]]:
    """(default year, years with every indicator held) from a coverage table.

    Complete = every indicator held by at least ``threshold`` of the regions that year. Default: the
    latest complete year; without one, the year holding most of the figures (the latest on a tie).
    """
    if cov.empty:
        return None, []
    complete = [int(y) for y, row in cov.iterrows() if (row >= threshold).all() and len(row)]
    if complete:
        return max(complete), sorted(complete)
    score = cov.sum(axis=1)
    if score.max() <= 0:
        return None, []
    best = score[score == score.max()].index.max()
    return int(best), []


def latest_year_of(long: pd.DataFrame, codes: list[str], indicator: str) -> int | None:
    part = long[(long["ind"] == indicator) & long["code"].isin(codes)]
    return int(part["year"].max()) if not part.empty else None


def nearest(
    long: pd.DataFrame, codes: list[str], indicators: list[str], target: pd.Series | float
) -> pd.DataFrame:
    """Per code the value of the first of ``indicators`` in the year nearest to ``target``.

    ``target`` is one year or a year per code. Ties: the earlier indicator in the list, then the earlier
    year; a region's own figure wins over a derived one at the same distance. Returns index code: value,
    year, src.
    """
    part = long[long["ind"].isin(indicators) & long["code"].isin(codes)]
    if part.empty:
        return pd.DataFrame(
            {"value": np.nan, "year": pd.array([pd.NA] * len(codes), dtype="Int64"), "src": None},
            index=pd.Index(codes, name="code"),
        )
    tgt = (
        part["code"].map(target)
        if isinstance(target, pd.Series)
        else pd.Series(float(target), index=part.index)
    )
    pref = part["ind"].map({ind: i for i, ind in enumerate(indicators)})
    part = part.assign(_d=(part["year"] - tgt.astype(float)).abs(), _p=pref, _own=part["src"] != "")
    part = part.sort_values(["code", "_d", "_own", "_p", "year"], kind="stable").drop_duplicates("code")
    out = part.set_index("code")[["value", "year", "src"]].reindex(codes)
    out["year"] = out["year"].astype("Int64")
    return out
