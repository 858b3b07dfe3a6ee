"""A synthetic population of person-years whose marginals follow the bundled district figures.

No real person is in it: ids are random-looking hex pseudonyms, every value is drawn from seeded
rules. The output folder holds one Parquet part per year (``synthetic-person-years-<year>-<n>.parquet``),
a ``SYNTHETIC`` marker file with the parameters, and ``roltrap.synthetic=true`` in each file's
metadata.

Rules (one step per year, the state describes 1 January):

* start: each wijk gets ``a_inw × scale`` persons with its age structure (a_00_14 … a_65_oo) and
  an income percentile ~ N(μ_d, 20), μ_d from the wijk's mean income (ranked among the wijken);
  an outside pool (other municipalities) of 20 % of that size;
* every year: age +1; percentile += N(0, 3); death and emigration by age (the person's records stop);
* moving out of the wijk with probability ``elan_moves_pp`` of that wijk and year × an age factor;
  45 % go to another wijk of the municipality (chosen by size), 55 % to a wijk of another
  municipality (or, when the store knows none, out of the register);
* **escalator**: a person leaving a *low-income wijk* (mean income below the median wijk) for
  the first time gains ``escalator × ESCALATOR_POINTS`` percentile points at the move; stayers
  do not. So the true escalator score (mean gain of leavers minus stayers) in low-income wijken
  is ``escalator × 10`` points; elsewhere it is small but not zero (some leavers later leave a
  low-income wijk they moved to);
* births (1.1 % a year) and settlers fill each wijk up to its target size (growing 0.6 % a year);
  settlers come from abroad (share from CBS flows) or from the outside pool.

Memory holds one year of persons (the state), never the whole output; the folder is written
under a temporary name and renamed when complete, so an interrupted run leaves nothing half-done.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from roltrap.cohort.schema import SYNTHETIC_MARKER
from roltrap.errors import ConfigError

ESCALATOR_POINTS = 10.0
AGE_BANDS = ((0, 14), (15, 24), (25, 44), (45, 64), (65, 94))
PART_ROWS = 4_000_000  # rows per Parquet part; bounds the memory of one write
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_ID_BITS = 48


@dataclass(frozen=True)
class District:
    code: str
    name: str
    population: float
    age_shares: tuple[float, ...]  # a_00_14, a_15_24, a_25_44, a_45_64, a_65_oo
    income: float  # mean income (any unit); only its rank among the districts matters
    move_rates: dict[int, float] = field(default_factory=dict)  # year → moves per inhabitant

    def move_rate(self, year: int) -> float:
        if not self.move_rates:
            return 0.1
        nearest = min(self.move_rates, key=lambda y: abs(y - year))
        return float(self.move_rates[nearest])


@dataclass(frozen=True)
class Marginals:
    """What the synthetic population must reproduce, read from the store by the service."""

    gemeente: str
    districts: tuple[District, ...]
    abroad_share: float = 0.35  # of settlers from outside the municipality
    outside_wijken: tuple[str, ...] = ()


@dataclass(frozen=True)
class SynthParams:
    years: tuple[int, int] = (2005, 2022)
    scale: float = 1.0
    seed: int = 42
    escalator: float = 0.5


@dataclass
class SynthReport:
    out: Path
    rows: int
    persons: int
    files: int
    params: dict[str, object]


class _Ids:
    """Unique opaque ids: a seeded bijection of a counter on 48 bits, printed as 12 hex digits."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.mult = np.uint64(int(rng.integers(1, 2**47)) * 2 + 1)
        self.key = np.uint64(int(rng.integers(0, 2**_ID_BITS)))
        self.next = 0

    def take(self, n: int) -> np.ndarray:
        c = np.arange(self.next, self.next + n, dtype=np.uint64)
        self.next += n
        mask = np.uint64(2**_ID_BITS - 1)
        with np.errstate(over="ignore"):
            return ((c * self.mult) & mask) ^ self.key


def hex_ids(ids: np.ndarray) -> pa.Array:
    """uint64 ids → Arrow strings of 12 lowercase hex digits (vectorised, no Python loop)."""
    shifts = np.arange(_ID_BITS - 4, -1, -4, dtype=np.uint64)
    nib = (ids[:, None] >> shifts) & np.uint64(0xF)
    chars = _HEX[nib.astype(np.intp)].ravel()
    n = len(ids)
    offsets = np.arange(0, 12 * n + 1, 12, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(chars.tobytes()))


def _income_levels(districts: tuple[District, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Mean percentile per district (from the rank of its mean income) and the low-income flag."""
    inc = np.array([d.income for d in districts], dtype=float)
    if len(inc) == 1:
        return np.array([50.0]), np.array([False])
    ranks = inc.argsort().argsort() / (len(inc) - 1)  # 0 … 1
    mu = 30.0 + 40.0 * ranks
    return mu, inc < np.median(inc)


def _ages(rng: np.random.Generator, n: int, shares: np.ndarray) -> np.ndarray:
    band = rng.choice(len(AGE_BANDS), size=n, p=shares / shares.sum())
    lo = np.array([b[0] for b in AGE_BANDS])[band]
    hi = np.array([b[1] for b in AGE_BANDS])[band]
    return (lo + rng.integers(0, 1_000_000, size=n) % (hi - lo + 1)).astype(np.int16)


def _settler_ages(rng: np.random.Generator, n: int) -> np.ndarray:
    return _ages(rng, n, np.array([0.10, 0.40, 0.40, 0.07, 0.03]))


def _clip_pct(p: np.ndarray) -> np.ndarray:
    return np.clip(p, 0.5, 99.5).astype(np.float32)


def _move_age_factor(age: np.ndarray) -> np.ndarray:
    return np.select([age < 18, age < 30, age < 45, age < 65], [0.6, 2.0, 1.0, 0.5], 0.3)


def _death_prob(age: np.ndarray) -> np.ndarray:
    return np.select([age < 40, age < 65, age < 80, age < 100], [0.0003, 0.002, 0.015, 0.08], 1.0)


def generate(
    marginals: Marginals,
    out: Path,
    *,
    params: SynthParams,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> SynthReport:
    """Write the synthetic person-years for ``params.years`` into the folder ``out``."""
    y0, y1 = params.years
    if y1 < y0:
        raise ConfigError(
            f"Jaren {y0}-{y1}: het eindjaar ligt voor het beginjaar.", hint="Bijv. {years} 2005-2022.",
            param="years",
        )
    if params.scale <= 0:
        raise ConfigError("{scale} moet groter zijn dan 0.", hint="1.0 = even groot als de gemeente.",
                          param="scale", value=params.scale)
    if not marginals.districts:
        raise ConfigError(f"Geen wijken met inwonertallen voor {marginals.gemeente}.")
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise ConfigError(
            f"De map '{out}' bestaat al en is niet leeg.",
            hint="Kies voor {out} een andere map, of verwijder de map eerst.",
        )
    clean_stale(out)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        rows, persons, files = _simulate(marginals, tmp, params=params, progress=progress)
        meta = {
            "synthetic": True,
            "generator": "roltrap.cohort.synth",
            "gemeente": marginals.gemeente,
            **asdict(params),
            "escalator_points": params.escalator * ESCALATOR_POINTS,
            "low_income_wijken": [
                d.code
                for d, low in zip(marginals.districts, _income_levels(marginals.districts)[1], strict=True)
                if low
            ],
            "rows": rows,
            "persons": persons,
            "note": "Synthetische personen; geen echte gegevens. Synthetic persons; no real data.",
        }
        (tmp / SYNTHETIC_MARKER).write_text(json.dumps(meta, indent=2, default=list) + "\n", encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return SynthReport(out=out, rows=rows, persons=persons, files=files, params=meta)


def clean_stale(out: Path) -> list[Path]:
    """Remove temporary folders ``.NAME.tmp-PID`` beside ``out`` left by a run that was killed
    (its process no longer exists); a run still going keeps its own. Returns what was removed."""
    removed = []
    for tmp in out.parent.glob(f".{out.name}.tmp-*"):
        try:
            pid = int(tmp.name.rsplit("-", 1)[1])
        except ValueError:
            continue
        if pid != os.getpid() and _alive(pid):
            continue
        shutil.rmtree(tmp, ignore_errors=True)
        removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _simulate(
    m: Marginals, folder: Path, *, params: SynthParams, progress: Callable[[int, int], None] | None
) -> tuple[int, int, int]:
    rng = np.random.default_rng(params.seed)
    ids = _Ids(rng)
    y0, y1 = params.years
    d_codes = np.array([d.code for d in m.districts] + list(m.outside_wijken) + [""], dtype=object)
    n_d = len(m.districts)
    mu, low = _income_levels(m.districts)
    targets0 = np.array([d.population for d in m.districts]) * params.scale
    n_out_codes = len(m.outside_wijken)

    def target(year: int) -> np.ndarray:
        return targets0 * 1.006 ** (year - 2021)

    # State arrays; loc: 0..n_d-1 = a wijk of the municipality, n_d.. = an outside wijk.
    start = np.maximum(np.round(target(y0)).astype(np.int64), 1)
    parts_loc, parts_age, parts_pct = [], [], []
    for i, d in enumerate(m.districts):
        parts_loc.append(np.full(start[i], i, dtype=np.int32))
        parts_age.append(_ages(rng, int(start[i]), np.array(d.age_shares, dtype=float)))
        parts_pct.append(_clip_pct(rng.normal(mu[i], 20.0, size=start[i])))
    pool_n = round(0.2 * int(start.sum())) if n_out_codes else 0
    if pool_n:
        parts_loc.append(n_d + rng.integers(0, n_out_codes, size=pool_n).astype(np.int32))
        parts_age.append(_ages(rng, pool_n, np.array([0.16, 0.12, 0.27, 0.27, 0.18])))
        parts_pct.append(_clip_pct(rng.normal(50.0, 20.0, size=pool_n)))
    loc = np.concatenate(parts_loc)
    age = np.concatenate(parts_age)
    pct = np.concatenate(parts_pct)
    pid = ids.take(len(loc))
    boosted = np.zeros(len(loc), dtype=bool)

    gm_of_code = np.array([m.gemeente] * n_d + ["GM" + c[2:6] for c in m.outside_wijken] + [""], dtype=object)
    rows = files = 0
    n_years = y1 - y0 + 1
    for step, year in enumerate(range(y0, y1 + 1)):
        files += _write_year(folder, year, pid, loc, age, pct, d_codes, gm_of_code)
        rows += len(pid)
        if progress:
            progress(step + 1, n_years)
        if year == y1:
            break
        # -- evolve to 1 January of next year -----------------------------------------------
        age = (age + 1).astype(np.int16)
        pct = _clip_pct(pct + rng.normal(0.0, 3.0, size=len(pct)))
        emig = np.where((age >= 18) & (age <= 40), 0.008, 0.003)
        gone = rng.random(len(age)) < (_death_prob(age) + emig)
        pid, loc, age, pct, boosted = pid[~gone], loc[~gone], age[~gone], pct[~gone], boosted[~gone]

        inside = loc < n_d
        rate = np.array([d.move_rate(year) for d in m.districts])
        p_move = np.zeros(len(loc))
        p_move[inside] = np.clip(rate[loc[inside]] * _move_age_factor(age[inside]), 0.0, 0.9)
        movers = np.flatnonzero(rng.random(len(loc)) < p_move)
        origin = loc[movers]
        to_inside = (rng.random(len(movers)) < 0.45) & (n_d > 1)
        new_loc = np.empty(len(movers), dtype=np.int32)
        k_in = int(to_inside.sum())
        if k_in:
            w = targets0 / targets0.sum()
            pick = rng.choice(n_d, size=k_in, p=w).astype(np.int32)
            same = pick == origin[to_inside]
            pick[same] = (pick[same] + 1 + rng.integers(0, max(n_d - 1, 1), size=int(same.sum()))) % n_d
            new_loc[to_inside] = pick
        k_out = len(movers) - k_in
        if k_out:
            new_loc[~to_inside] = n_d + rng.integers(0, n_out_codes, size=k_out) if n_out_codes else -1
        # The escalator lifts a person once: at the first move out of a low-income wijk.
        lift = low[origin] & ~boosted[movers]
        pct[movers] = _clip_pct(pct[movers] + params.escalator * ESCALATOR_POINTS * lift)
        boosted[movers] |= lift
        loc[movers] = new_loc
        keep = loc >= 0  # leavers without an outside wijk leave the register
        pid, loc, age, pct, boosted = pid[keep], loc[keep], age[keep], pct[keep], boosted[keep]

        # births and settlers up to next year's target size
        counts = np.bincount(loc[loc < n_d], minlength=n_d)
        births = rng.poisson(0.011 * counts)
        b_loc = np.repeat(np.arange(n_d, dtype=np.int32), births)
        new_loc_parts = [b_loc]
        new_age_parts = [np.zeros(len(b_loc), dtype=np.int16)]
        new_pct_parts = [_clip_pct(rng.normal(mu[b_loc], 20.0))]
        deficit = np.maximum(np.round(target(year + 1)).astype(np.int64) - counts - births, 0)
        s_loc = np.repeat(np.arange(n_d, dtype=np.int32), deficit)
        rng.shuffle(s_loc)
        from_pool = rng.random(len(s_loc)) >= m.abroad_share
        pool_idx = np.flatnonzero(loc >= n_d)
        k_pool = min(int(from_pool.sum()), len(pool_idx))
        if k_pool:
            chosen = rng.choice(pool_idx, size=k_pool, replace=False)
            loc[chosen] = s_loc[from_pool][:k_pool]
            fresh_pool = k_pool  # replenish the pool so it keeps its size
            new_loc_parts.append(n_d + rng.integers(0, n_out_codes, size=fresh_pool).astype(np.int32))
            new_age_parts.append(_settler_ages(rng, fresh_pool))
            new_pct_parts.append(_clip_pct(rng.normal(50.0, 20.0, size=fresh_pool)))
        abroad_loc = np.concatenate([s_loc[~from_pool], s_loc[from_pool][k_pool:]])
        new_loc_parts.append(abroad_loc)
        new_age_parts.append(_settler_ages(rng, len(abroad_loc)))
        new_pct_parts.append(_clip_pct(rng.normal(mu[abroad_loc] - 10.0, 18.0)))
        add_loc = np.concatenate(new_loc_parts).astype(np.int32)
        loc = np.concatenate([loc, add_loc])
        age = np.concatenate([age, *new_age_parts]).astype(np.int16)
        pct = np.concatenate([pct, *new_pct_parts]).astype(np.float32)
        pid = np.concatenate([pid, ids.take(len(add_loc))])
        boosted = np.concatenate([boosted, np.zeros(len(add_loc), dtype=bool)])
    return rows, ids.next, files


def _write_year(
    folder: Path,
    year: int,
    pid: np.ndarray,
    loc: np.ndarray,
    age: np.ndarray,
    pct: np.ndarray,
    codes: np.ndarray,
    gm_of_code: np.ndarray,
) -> int:
    """One year's person rows as Parquet part(s), sorted by wijk (good row-group statistics)."""
    order = np.argsort(loc, kind="stable")
    n = len(order)
    parts = 0
    dict_codes = pa.array(list(codes), type=pa.string())
    dict_gm = pa.array(list(gm_of_code), type=pa.string())
    schema_meta = {b"roltrap.synthetic": b"true"}
    for start in range(0, max(n, 1), PART_ROWS):
        idx = order[start : start + PART_ROWS]
        loc_i = loc[idx]
        pct_i = np.round(pct[idx].astype(np.float64), 1)
        table = pa.table(
            {
                "person_id": hex_ids(pid[idx]),
                "year": pa.array(np.full(len(idx), year, dtype=np.int32)),
                "region_code": pa.DictionaryArray.from_arrays(
                    pa.array(loc_i, type=pa.int32()), dict_codes
                ).cast(pa.string()),
                "gemeente": pa.DictionaryArray.from_arrays(pa.array(loc_i, type=pa.int32()), dict_gm).cast(
                    pa.string()
                ),
                "age": pa.array(age[idx].astype(np.int32)),
                "income_percentile": pa.array(pct_i),
                "benefit": pa.array(np.where(pct_i < 8.0, "bijstand", "none")),
            }
        )
        table = table.replace_schema_metadata(schema_meta)
        pq.write_table(
            table,
            folder / f"synthetic-person-years-{year}-{parts:03d}.parquet",
            compression="zstd",
            row_group_size=1_000_000,
        )
        parts += 1
    return parts
