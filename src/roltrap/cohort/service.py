"""``rt.cohort``: synthetic populations and the escalator analysis, on DuckDB or Spark.

The service reads marginals and region codes through the core object, validates the input
(:mod:`.schema`), runs the Ibis metrics (:mod:`.metrics`) on the chosen engine (:mod:`.engines`)
and turns the aggregates into protected tables (:mod:`.tables`). The result is JSON-able.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from roltrap.cohort import engines, metrics, tables
from roltrap.cohort.metrics import CohortSpec
from roltrap.cohort.schema import PersonYearInput, out_of_memory, validate
from roltrap.cohort.synth import District, Marginals, SynthParams, SynthReport, generate
from roltrap.errors import ConfigError, NotAvailableError
from roltrap.jsonable import jsonable

if TYPE_CHECKING:
    from roltrap.core import Roltrap

Progress = Callable[[str, float, int], None]  # (step label, steps done — with a fraction —, steps)
AGE_COLS = ("a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo")
STEPS = ("cohort", "retentie", "bestemming", "trajecten", "doorstroom", "rolmodellen", "tabellen beveiligen")
CHECK_STEP = "invoer controleren"


def run_analysis(
    con: Any,
    inp: PersonYearInput,
    spec: CohortSpec,
    *,
    min_cell: int = 10,
    reps: int = 999,
    seed: int = 42,
    cache: bool = True,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The whole escalator analysis of ``inp`` on the Ibis backend ``con``; JSON-able result."""
    t0 = time.perf_counter()

    n = len(STEPS)
    running, part = [0], [0.0]  # the running step and the largest share of it seen

    def step(i: int) -> None:
        running[0], part[0] = i, 0.0
        if progress:
            progress(STEPS[min(i, n - 1)], min(i, n), n)

    def within(share: float) -> None:  # from the engine's watcher thread: the running query's share
        part[0] = max(part[0], min(share, 0.99))
        if progress and running[0] < n:
            progress(STEPS[running[0]], running[0] + part[0], n)

    with engines.watch(con, within if progress else None):
        raw = engines.load(con, inp.files, fmt=inp.format)
        py = metrics.prepare(
            raw, income=inp.income, spec=spec, clean_codes=inp.clean_codes, buurt_codes=inp.buurt_codes
        )
        step(0)
        crow = metrics.cohort_rows(py, spec)
        if cache:
            crow = crow.cache()  # the cohort's records: every cohort metric below reads only these
        levels = _sorted(_fetch(metrics.cohort_levels(crow, spec)))
        if levels.empty or int(levels["persons"].sum()) == 0:
            raise NotAvailableError(
                f"Geen personen van {spec.age_min}–{spec.age_max} jaar in {spec.gemeente} in "
                f"{spec.base_year}.",
                hint=f"De invoer loopt van {inp.years[0]} tot {inp.years[1]}; kies een ander basisjaar, "
                f"leeftijd of gemeente.",
            )
        step(1)
        ret = _sorted(_fetch(metrics.retention(crow, spec)))
        step(2)
        status = metrics.end_status(crow, spec)
        if cache:
            status = status.cache()  # one row per cohort member; read by destinations and gains
        dest = _sorted(_fetch(metrics.destinations(status)))
        step(3)
        # Engines return rows in any order; sort so sums and the seeded bootstrap are engine-independent.
        hist = _sorted(_fetch(metrics.gain_histogram(py, status, spec)))
        new_h = hist[hist["group"] == "nieuwkomer"]
        newl = new_h.groupby("wijk", as_index=False)[["persons", "pct_sum", "pct_n"]].sum()
        step(4)
        turn = tables.turnover_long(
            _fetch(metrics.turnover(py, spec)), base_year=spec.base_year, end_year=spec.end_year
        )
        turn = _sorted(turn)
        step(5)
        rm = _sorted(_fetch(metrics.role_model(crow, spec)))
        step(6)
    for t in (crow, status):
        if cache and hasattr(t, "release"):
            t.release()  # free the cached tables (a Spark session or DuckDB connection may be reused)

    tally = tables.Tally()
    wijken = sorted(levels["origin"])
    retention = tables.retention_table(ret, base_year=spec.base_year, follow=spec.follow)
    destinations = tables.destinations_table(dest, wijken=wijken)
    traj, esc, pooled = tables.trajectories_tables(
        hist, levels, min_cell=min_cell, reps=reps, seed=seed, tally=tally
    )
    nl_wijken = sorted(traj.loc[traj["group"] == "nieuwkomer", "wijk"])
    newl = newl.set_index("wijk").reindex(nl_wijken, fill_value=0).rename_axis("wijk").reset_index()
    newcomers = pd.DataFrame(
        {
            "wijk": newl["wijk"],
            "persons": newl["persons"].astype("int64"),
            "mean_pct": newl["pct_sum"] / newl["pct_n"].where(newl["pct_n"] > 0),
            "pct_n": newl["pct_n"],
        }
    )
    prot = tables.protect_run(
        retention=retention,
        destinations=destinations,
        trajectories=traj,
        newcomers=newcomers,
        turnover=tables.turnover_table(turn),
        base_year=spec.base_year,
        follow=spec.follow,
        min_cell=min_cell,
    )
    tally.primary += prot.primary
    tally.secondary += prot.secondary
    role = tables.role_model_table(rm, min_cell=min_cell, tally=tally)
    out = {
        "parameters": {
            "gemeente": spec.gemeente,
            "base_year": spec.base_year,
            "age_min": spec.age_min,
            "age_max": spec.age_max,
            "follow": spec.follow,
            "end_year": spec.end_year,
            "min_cell": min_cell,
            "bootstrap_reps": reps,
            "seed": seed,
            "climb_points": metrics.CLIMB_POINTS,
            "engine": con.name,
        },
        "input": {
            "rows": inp.rows,
            "persons": inp.persons,
            "years": list(inp.years),
            "synthetic": inp.synthetic,
            "income": inp.income,
        },
        "cohort": _records(prot.cohort),
        "retention": _records(prot.retention),
        "destinations": _records(prot.destinations),
        "trajectories": _records(prot.trajectories.sort_values(["wijk", "group"])),
        "newcomers": _records(prot.newcomers),
        "escalator": _records(esc),
        "escalator_low_income": pooled,
        "turnover": _records(prot.turnover.sort_values(["wijk", "year"])),
        "replacement_speed": _records(prot.replacement_speed),
        "role_model": _records(role),
        "suppressed": tally.as_dict(),
        "seconds": round(time.perf_counter() - t0, 3),
    }
    step(len(STEPS))
    return out


def _fetch(expr: Any) -> pd.DataFrame:
    """An aggregate's rows as one Arrow table from the engine, then pandas (no per-row conversion)."""
    return expr.to_pyarrow().to_pandas()


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in df.columns if df[c].dtype == object or c in ("k", "year", "climbed", "gain")]
    return df.sort_values(keys, na_position="last").reset_index(drop=True)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts; NA → None (shown as 'onderdrukt' / null, never 0).

    Floats are rounded to 6 decimals: equal on every engine (sums in another order differ in the
    last bits) and ample for shares and percentile points.
    """
    out = []
    for rec in df.to_dict("records"):
        clean = {str(k): jsonable(v) for k, v in rec.items()}
        out.append({k: round(v, 6) if isinstance(v, float) else v for k, v in clean.items()})
    return out


class CohortService:
    """Escalator analysis of person-year records, and synthetic Leidens to try it on."""

    def __init__(self, rt: Roltrap) -> None:
        self.rt = rt

    # -- marginals from the store ------------------------------------------------------------
    def marginals(self, gemeente: str, *, year: int = 2021) -> Marginals:
        """District sizes, age structure, mobility, income and settler origins of ``gemeente``."""
        gm = self.rt.region(gemeente)["code"]
        inds = ["a_inw", *AGE_COLS, "g_ink_pi"]
        wide = self.rt.wide(year=year, indicators=inds, level="wijk", gemeente=gm)
        wide = wide[wide["a_inw"].notna() & (wide["a_inw"] > 0)] if "a_inw" in wide else wide.iloc[0:0]
        if wide.empty:
            raise NotAvailableError(
                f"Geen inwonertallen per wijk voor {gm} in {year}.",
                hint="Laad de KWB-cijfers per wijk (roltrap import) of kies een andere gemeente.",
            )
        moves = self.rt.observations(indicators=["elan_moves_pp"], level="wijk", gemeente=gm)
        income = self.rt.observations(indicators=["elan_income_mean"], level="wijk", gemeente=gm)
        inc_mean = income.dropna(subset=["value"]).groupby("region_code")["value"].mean()
        districts = []
        for code, r in wide.sort_index().iterrows():
            ages = tuple(float(r[c]) if pd.notna(r[c]) else 0.0 for c in AGE_COLS)
            if sum(ages) <= 0:
                ages = (0.15, 0.12, 0.3, 0.26, 0.17)
            mv = moves[moves["region_code"] == code].dropna(subset=["value"])
            rates = {int(y): float(v) for y, v in zip(mv["year"], mv["value"], strict=True)}
            inc = inc_mean.get(code)
            if inc is None or pd.isna(inc):
                inc = r.get("g_ink_pi")
            districts.append(
                District(
                    code=str(code),
                    name=str(r["name"]),
                    population=float(r["a_inw"]),
                    age_shares=ages,
                    income=float(inc) if pd.notna(inc) else 0.0,
                    move_rates=rates,
                )
            )
        flows = self.rt.flows(codes=[gm])
        inflow = flows[flows["direction"] == "in"]
        tot = inflow.loc[inflow["origin"] == "totaal", "persons"].sum()
        abroad = inflow.loc[inflow["origin"] == "buitenland", "persons"].sum()
        share = float(abroad / tot) if tot and tot > 0 else 0.35
        wijken = self.rt.regions(level="wijk")
        outside = tuple(sorted(c for c in wijken["code"] if not str(c).startswith("WK" + gm[2:6])))
        return Marginals(gemeente=gm, districts=tuple(districts), abroad_share=share, outside_wijken=outside)

    # -- synthetic population ----------------------------------------------------------------
    def synth(
        self,
        out: Path | str,
        *,
        gemeente: str | None = None,
        years: tuple[int, int] = (2005, 2022),
        scale: float = 1.0,
        seed: int = 42,
        escalator: float = 0.5,
        overwrite: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> SynthReport:
        """Write a synthetic person-year population of ``gemeente`` (marked synthetic) to ``out``."""
        m = self.marginals(gemeente or self.rt.settings.gemeente)
        return generate(
            m,
            Path(out),
            params=SynthParams(years=years, scale=scale, seed=seed, escalator=escalator),
            overwrite=overwrite,
            progress=progress,
        )

    # -- analysis ----------------------------------------------------------------------------
    def validate(
        self,
        input: Path | str,
        *,
        memory_limit: str | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> PersonYearInput:
        regions = self.rt.regions()
        wijken = set(regions.loc[regions["level"].isin(["wijk"]), "code"])
        gemeenten = set(regions.loc[regions["level"] == "gemeente", "code"])
        return validate(
            Path(input),
            known_wijken=wijken or None,
            known_gemeenten=gemeenten or None,
            memory_limit=memory_limit or self.rt.settings.duckdb_memory_limit,
            progress=progress,
        )

    def analyse(
        self,
        input: Path | str,
        *,
        gemeente: str | None = None,
        base_year: int = 2005,
        age: tuple[int, int] = (25, 44),
        follow: int = 13,
        engine: str | None = None,
        con: Any = None,
        reps: int = 999,
        seed: int = 42,
        progress: Progress | None = None,
        memory_limit: str | None = None,
    ) -> dict[str, Any]:
        """Retention, destinations, trajectories, escalator score, turnover and role-model departure.

        ``con`` reuses an Ibis backend (e.g. one Spark session for many runs); otherwise one is made
        for ``engine`` (default from settings). ``memory_limit`` (e.g. ``"4GB"``, default the
        setting ``duckdb_memory_limit``) caps DuckDB's memory; larger inputs spill to disk.
        """
        if age[0] > age[1]:
            raise ConfigError(
                f"Leeftijd {age[0]}-{age[1]}: de ondergrens ligt boven de bovengrens.",
                hint="Bijv. {age} 25-44.",
                param="age",
                value=f"{age[0]}-{age[1]}",
            )
        if follow < 1:
            raise ConfigError("{follow} moet minstens 1 jaar zijn.", param="follow", value=follow)
        gm = self.rt.region(gemeente or self.rt.settings.gemeente)["code"]
        settings = self.rt.settings
        limit = memory_limit or settings.duckdb_memory_limit
        if limit and not re.fullmatch(r"\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)\s*", limit.upper()):
            raise ConfigError(
                f"Geheugengrens '{limit}' wordt niet begrepen.",
                hint="Geef een getal met een eenheid, bijv. 4GB of 512MB.",
                param="memory_limit",
                value=limit,
            )
        if memory_limit:
            settings = settings.model_copy(update={"duckdb_memory_limit": memory_limit})
        total = len(STEPS) + 1
        if progress:
            progress(CHECK_STEP, 0, total)
        inp = self.validate(
            input,
            memory_limit=settings.duckdb_memory_limit,
            progress=(lambda share: progress(CHECK_STEP, min(share, 0.99), total)) if progress else None,
        )
        if not (inp.years[0] <= base_year and base_year + follow <= inp.years[1]):
            raise NotAvailableError(
                f"De invoer loopt van {inp.years[0]} tot {inp.years[1]}; basisjaar {base_year} met "
                f"{follow} jaar volgen vraagt {base_year}–{base_year + follow}.",
                hint="Kies {base_year} later of {follow} korter.",
                param="follow",
                value=follow,
            )
        spec = CohortSpec(gemeente=gm, base_year=base_year, age_min=age[0], age_max=age[1], follow=follow)
        if con is None:
            con = engines.connect(engine or settings.engine, settings=settings)
        after_check: Progress | None = None
        if progress:
            report = progress

            def after_check(label: str, done: float, steps: int) -> None:
                report(label, done + 1, steps + 1)

        try:
            result = run_analysis(
                con, inp, spec, min_cell=self.rt.settings.min_cell, reps=reps, seed=seed, progress=after_check
            )
        except Exception as exc:
            if type(exc).__name__ == "OutOfMemoryException":  # DuckDB, even after spilling to disk
                raise out_of_memory(exc) from None
            raise
        regions = self.rt.regions(gemeente=gm)
        names = dict(zip(regions["code"], regions["name"], strict=True))
        result["wijk_names"] = {w: names.get(w, w) for w in sorted({r["wijk"] for r in result["cohort"]})}
        return result
