"""The district monitor: selects areas and figures (set-based, see :mod:`facts`) and calls the pure modules.

Constructed as ``DistrictMonitor(rt)`` by ``Roltrap.monitor``. Every area computation takes keyword-only
``gemeente`` (code or name; ``"NL"`` = every municipality in the store), ``level`` (``"wijk"`` or
``"buurt"``), ``wijk`` (a WK code: the buurten of that wijk, with the wijk itself and its municipality
as reference rows) and ``year``/``period`` (``None`` = the latest year that has the figures it needs).
Every method returns a :class:`~roltrap.monitor.result.MonitorResult` whose ``extra`` says the
``year`` (or ``period``) and ``level`` used; rows carry ``code``, ``name``, ``level``, ``year`` and
``derived_from`` where a figure comes from another level.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from roltrap import fmt as nl
from roltrap.disclosure import SUPPRESSED_LABEL, suppress_small
from roltrap.errors import ConfigError, InputError, NotAvailableError, NotFoundError, Problem
from roltrap.monitor import classify as classify_mod
from roltrap.monitor import compare as compare_mod
from roltrap.monitor import conditions as conditions_mod
from roltrap.monitor import mapclass, syllabus
from roltrap.monitor import rank as rank_mod
from roltrap.monitor import trend as trend_mod
from roltrap.monitor import turnover as turnover_mod
from roltrap.monitor import vulnerable as vulnerable_mod
from roltrap.monitor.facts import (
    Facts,
    coverage,
    derived_detail,
    derived_from,
    nearest,
    pick_year,
    wide,
)
from roltrap.monitor.result import NOT_AVAILABLE, MonitorResult
from roltrap.monitor.scope import LEVELS, NOUNS, Scope, is_national

if TYPE_CHECKING:
    from roltrap.core import Roltrap

# Derived shares (percent) that several views use: id → (label, inputs, formula).
DERIVED: dict[str, tuple[str, tuple[str, ...], Callable[[pd.DataFrame], pd.Series]]] = {
    "p_internationaal": (
        "internationale achtergrond (% inw.)",
        ("a_w_all", "a_nw_all", "a_inw"),
        lambda d: 100 * (d["a_w_all"] + d["a_nw_all"]) / d["a_inw"],
    ),
    "p_laagopgeleid": (
        "laagopgeleiden (% inw.)",
        ("a_opl_lg", "a_inw"),
        lambda d: 100 * d["a_opl_lg"] / d["a_inw"],
    ),
    "p_bijstand": ("bijstand (% inw.)", ("a_soz_wb", "a_inw"), lambda d: 100 * d["a_soz_wb"] / d["a_inw"]),
    "p_jong": (
        "15–44 jaar (% inw.)",
        ("a_15_24", "a_25_44", "a_inw"),
        lambda d: 100 * (d["a_15_24"] + d["a_25_44"]) / d["a_inw"],
    ),
    "p_65_oo": ("65 jaar en ouder (% inw.)", ("a_65_oo", "a_inw"), lambda d: 100 * d["a_65_oo"] / d["a_inw"]),
    "p_1p_hh": (
        "eenpersoonshuishoudens (% hh)",
        ("a_1p_hh", "a_hh"),
        lambda d: 100 * d["a_1p_hh"] / d["a_hh"],
    ),
}

# The figures each computation needs (its default year is the latest year that holds all of them).
NEEDS: dict[str, list[str]] = {
    "classify": [
        "a_inw",
        "a_15_24",
        "a_25_44",
        "a_65_oo",
        "a_hh",
        "a_1p_hh",
        "a_hh_m_k",
        "p_huurw",
        "p_koopw",
        "p_mgezw",
        "p_1gezw",
    ],
    "vulnerable": [
        "a_inw",
        "a_hh",
        "a_opl_lg",
        "a_soz_wb",
        "a_wmo_t",
        "a_jz_tn",
        "p_hh_110",
        "p_hh_120",
        "g_hhgro",
    ],
    "rank": ["a_inw", "g_ink_pi", "p_hh_osm", "p_hh_110", "a_soz_wb", "a_opl_lg"],
    "conditions": [
        "a_inw",
        "a_bedv",
        "p_koopw",
        "p_huurw",
        "p_1gezw",
        "p_mgezw",
        "g_afs_hp",
        "g_afs_gs",
        "g_afs_kv",
        "g_afs_sc",
        "g_afs_ov",
        "p_ink_hi",
        "p_ink_li",
    ],
    "compare": [
        "a_inw",
        "a_hh",
        "p_hh_110",
        "p_hh_120",
        "a_soz_wb",
        "a_wmo_t",
        "a_jz_tn",
        "a_opl_lg",
        "a_opl_hg",
        "bev_dich",
        "p_huurw",
        "a_1p_hh",
        "a_w_all",
        "a_nw_all",
        "a_65_oo",
    ],
}
# Of those, the ones that decide the year (the rest are used where held).
CORE: dict[str, list[str]] = {
    "classify": ["a_inw", "a_15_24", "a_25_44", "a_65_oo", "a_hh", "a_1p_hh", "p_huurw", "p_koopw"],
    "rank": ["a_inw", "g_ink_pi", "a_soz_wb", "a_opl_lg"],
    "conditions": ["a_inw", "a_bedv", "p_koopw", "p_huurw", "g_afs_hp", "p_ink_hi", "p_ink_li"],
    "compare": ["a_inw", "a_hh", "p_hh_110", "p_hh_120", "a_soz_wb", "a_opl_lg"],
}
TURNOVER_FIGURES = ["a_inw", "bev_eind", "elan_moves_pp"]
#: Every figure the area computations read (see :meth:`DistrictMonitor.read_together`).
AREA_FIGURES = sorted({i for ids in NEEDS.values() for i in ids} | set(TURNOVER_FIGURES))

# Buurt-level figures only where they mean something (issue 9). A municipality's settlers are spread
# over its buurten in proportion to their moves, so buurten that hold only part of its inhabitants
# each get far too many (two buurten of Leiden: "vernieuwt zich in ongeveer 1 jaar"); a z-score over
# two buurten is always ±1, so the class comes out extreme. Wijken keep the rules they had.
BUURT_MIN_COVERAGE = 0.9    # turnover: the buurten with an estimate hold ≥ 90 % of the inhabitants
BUURT_MIN_INHABITANTS = 100  # turnover: a buurt's own replacement speed from 100 inhabitants
BUURT_MIN_AREAS = 5         # classify and rank: at least 5 buurten of the municipality with a score
LENS_LABELS = {"opleiding": "opleiding", "voorzieningen": "voorzieningen", "inkomen": "inkomen"}
_FETCH_HINT = (
    "Importeer Kerncijfers wijken en buurten (`roltrap import kwb-2023.xlsx`) of haal ze op met "
    "`roltrap fetch kwb --gemeente GM…`."
)


def parse_period(period: str | tuple[int, int] | Sequence[int] | None) -> tuple[int, int] | None:
    """``"2015-2016"``, ``"2016"`` or ``(2015, 2016)`` → (start, end)."""
    if period is None:
        return None
    if isinstance(period, str):
        parts = [p.strip() for p in period.replace("–", "-").split("-") if p.strip()]
        try:
            nums = [int(p) for p in parts]
        except ValueError:
            nums = []
        if len(nums) not in (1, 2):
            raise ConfigError(
                f"Periode '{period}' niet begrepen.",
                hint="Geef een jaar of twee jaren, bijvoorbeeld 2015-2016.",
            )
    else:
        nums = [int(p) for p in period]
    start, end = nums[0], nums[-1]
    if start > end:
        raise ConfigError(f"Periode '{period}': beginjaar ligt na eindjaar.", hint="Bijvoorbeeld 2015-2016.")
    return start, end


@lru_cache(maxsize=8192)
def _one_decimal(x: float) -> str:
    return nl.number(x, 1)


def _n1(x: float) -> str:
    """A figure with one decimal in Dutch (cached: the evidence of every district of the country)."""
    return _one_decimal(round(float(x), 1))


def _num(v: Any) -> float:
    return float(v) if v is not None and pd.notna(v) else float("nan")


class DistrictMonitor:
    """District-monitor computations for one store (see the module docstring)."""

    def __init__(self, rt: Roltrap) -> None:
        self.rt = rt
        # Derived figures are kept per store content next to the installation's store template.
        self.facts = Facts(rt.store, disk=rt.settings.template_dir / "figures")

    def read_together(self) -> None:
        """From now on read the figures of every area computation in one pass (per store version).

        For a caller that runs several of them, such as the web app (its city page shows four): one
        pass over the store costs about two thirds of four separate ones. A single command (the CLI)
        reads only what its computation needs."""
        self.facts.together = frozenset(AREA_FIGURES)

    # -- selection -------------------------------------------------------------------------
    def _gemeente(self, gemeente: str | None) -> dict[str, Any]:
        asked = gemeente or self.rt.settings.gemeente
        regions = self.facts.regions()  # cached per store version: a code needs no query
        code = asked.strip().upper()
        if code in regions.index:
            row = regions.loc[code]
            reg: dict[str, Any] = {"code": code, "name": str(row["name"]), "level": str(row["level"]),
                                   "parent": None if pd.isna(row["parent"]) else str(row["parent"])}
        else:  # a name, or a code written another way (546, "GM0546 "): the core object resolves it
            reg = self.rt.region(asked)
        if reg["level"] != "gemeente":
            raise ConfigError(
                f"{reg['code']} ({reg['name']}) is geen gemeente maar een {reg['level']}.",
                hint="Geef een gemeentecode zoals GM0546, of NL voor alle gemeenten.",
            )
        return reg

    def _wijk_region(self, wijk: str, gemeente: str | None) -> dict[str, Any]:
        reg = self.rt.region(wijk)
        if reg["level"] != "wijk":
            raise InputError(
                f"{reg['code']} ({reg['name']}) is geen wijk maar een {reg['level']}.",
                problems=[Problem("een wijkcode zoals WK054608", column="wijk", value=wijk)],
                hint="Laat --wijk weg voor alle wijken of buurten van de gemeente.",
            )
        if (
            gemeente is not None
            and not is_national(gemeente)
            and self._gemeente(gemeente)["code"] != reg["parent"]
        ):
            raise InputError(
                f"Wijk {reg['code']} ({reg['name']}) ligt niet in {gemeente}.",
                problems=[Problem(f"een wijk van {gemeente}", column="wijk", value=wijk)],
                hint="Laat --gemeente weg: de gemeente volgt uit de wijk.",
            )
        return reg

    def scope(self, *, gemeente: str | None = None, level: str = "wijk") -> Scope:
        """The areas (wijken or buurten) of a municipality, or of all municipalities (``"NL"``)."""
        if level not in LEVELS:
            raise ConfigError(f"Onbekend niveau '{level}'.", hint="Kies wijk of buurt.")
        reg = self.facts.regions()
        if is_national(gemeente):
            refs = reg[reg["level"] == "gemeente"]
            name, national = "Nederland", True
        else:
            g = self._gemeente(gemeente)
            refs = reg.loc[[g["code"]]]
            name, national = str(g["name"]), False
        areas = reg[(reg["level"] == level) & reg["gm"].isin(refs.index)].sort_index()
        if areas.empty:
            raise NotAvailableError(
                f"Er zijn geen {NOUNS[level]} van {name} in de opslag.",
                hint=_FETCH_HINT
                if level == "buurt"
                else "Importeer een KWB-bestand met de wijken van deze gemeente.",
            )
        if national:
            refs = refs[refs.index.isin(set(areas["gm"]))]
        return Scope(
            level=level,
            gemeenten=tuple(refs.index),
            national=national,
            name=name,
            areas=areas,
            refs=refs.sort_index(),
        )

    def _run(
        self,
        fn: Callable[..., MonitorResult],
        *,
        gemeente: str | None,
        level: str | None,
        wijk: str | None,
        **kw: Any,
    ) -> MonitorResult:
        """Run one computation on a scope; with ``wijk``: that wijk (among its wijken) plus its buurten."""
        if wijk is None:
            return fn(self.scope(gemeente=gemeente, level=level or "wijk"), **kw)
        w = self._wijk_region(wijk, gemeente)
        gm = str(w["parent"])
        keep = {w["code"], gm}
        wres = fn(self.scope(gemeente=gm, level="wijk"), **kw)
        wrows = wres.rows[wres.rows["code"].isin(keep)].reset_index(drop=True)
        n_wijken = int((wres.rows["level"] == "wijk").sum())
        notes = list(wres.notes)
        extra = {**wres.extra, "wijk": w["code"], "n_wijken": n_wijken}
        reg = self.facts.regions()
        buurten = reg[(reg["level"] == "buurt") & (reg["parent"] == w["code"])]
        if buurten.empty and level != "wijk":
            notes.append(
                f"Er zijn geen buurten van {w['name']} in de opslag; hierboven de wijk zelf. " + _FETCH_HINT
            )
        if wres.kind == "rank" and not wrows.empty and pd.notna(wrows["rank"].iloc[0]):
            notes.append(
                f"{w['name']} staat op plaats {int(wrows['rank'].iloc[0])} van {n_wijken} wijken "
                f"(1 = zwakste positie)."
            )
        if (level or "buurt") == "wijk" or buurten.empty:
            return replace(
                wres,
                title=f"{wres.title} — {w['name']}",
                rows=wrows,
                notes=notes,
                extra={**extra, "level": "wijk"},
            )
        asked = kw.get("year")
        bkw = dict(kw)
        if asked is None and "year" in kw and wres.extra.get("year") is not None:
            bkw["year"] = wres.extra["year"]  # the buurten in the same year as the wijk, where held
        try:
            bres = fn(self.scope(gemeente=gm, level="buurt"), **bkw)
        except (NotFoundError, NotAvailableError):
            bres = fn(self.scope(gemeente=gm, level="buurt"), **kw)
        brows = bres.rows[bres.rows["code"].isin(set(buurten.index))]
        if bres.extra.get("year") != wres.extra.get("year"):
            notes.append(
                f"Buurtcijfers uit {bres.extra.get('year')}, wijkcijfers uit {wres.extra.get('year')}."
            )
        notes += [n for n in bres.notes if n not in notes]
        rows = pd.concat([wrows, brows], ignore_index=True)
        return replace(
            bres,
            title=f"{bres.title} — {w['name']}",
            rows=rows,
            notes=notes,
            extra={
                **bres.extra,
                "wijk": w["code"],
                "n_wijken": n_wijken,
                "level": "buurt",
                "wijk_extra": {k: v for k, v in wres.extra.items() if k in ("year", "period")},
            },
            sources=sorted(set(wres.sources) | set(bres.sources)),
        )

    # -- helpers ---------------------------------------------------------------------------
    def _source_titles(self, ids: list[str]) -> list[str]:
        src = self.facts.sources()
        return [f"{src.at[i, 'title']} ({src.at[i, 'publisher']})" if i in src.index else str(i) for i in ids]

    def _sources(self, codes: list[str], indicators: list[str], years: list[int] | None = None, *,
                 long: pd.DataFrame | None = None) -> list[str]:
        """Titles of the sources of the figures used (from the cached figures, no extra query)."""
        part = self.facts.long(indicators).frame if long is None else long
        if years is not None:
            part = part[part["year"].isin(years)]
        part = part[part["ind"].isin(indicators)]
        part = part[part["code"].isin(codes)]
        return self._source_titles(sorted({str(x) for x in part["source"].dropna()}))

    def _flow_sources(self, codes: list[str]) -> list[str]:
        fl = self.facts.flows()
        return self._source_titles(sorted(set(fl.loc[fl["region_code"].isin(codes), "source_id"])))

    def _label(self, ind: str) -> str:
        if ind in DERIVED:
            return DERIVED[ind][0]
        cat = self.facts.catalogue()
        if ind in cat.index:
            return str(cat.at[ind, "label"]).lower()
        # not in this store's catalogue: the packaged catalogue's Dutch label, never the bare id
        from roltrap.io.catalogue import read_catalogue

        packaged = read_catalogue().set_index("id")
        return str(packaged.at[ind, "label"]).lower() if ind in packaged.index else ind

    def _year(
        self, scope: Scope, long: pd.DataFrame, name: str, year: int | None, codes: list[str] | None = None
    ) -> tuple[int, list[str]]:
        """The asked year (checked) or the latest year with the figures ``name`` needs, plus notes."""
        core = CORE.get(name, NEEDS.get(name, []))
        codes = codes if codes is not None else scope.area_codes
        cov = coverage(long, self.facts.exists_for(scope.gms), codes, core)
        default, complete = pick_year(cov)
        held = sorted(int(y) for y, row in cov.iterrows() if (row > 0).any())
        notes: list[str] = []
        if year is not None:
            if year not in held:
                raise NotFoundError(
                    f"Geen cijfers voor {scope.title} in {year}.",
                    hint=f"Jaren met cijfers: {', '.join(map(str, held)) or 'geen'}.",
                )
            yr = int(year)
        else:
            if default is None:
                raise NotAvailableError(
                    f"De benodigde cijfers ({', '.join(self._label(i) for i in core[:4])}, …) ontbreken voor "
                    f"{scope.title}.",
                    hint=_FETCH_HINT,
                )
            yr = default
            if complete:
                notes.append(f"Jaar {yr}: het laatste jaar met alle benodigde cijfers voor de {scope.noun}.")
            else:
                notes.append(
                    f"Jaar {yr}: geen jaar heeft alle benodigde cijfers; dit jaar heeft er de meeste."
                )
        if yr in cov.index:
            for ind in core:
                if cov.at[yr, ind] < 0.5:
                    others = [int(y) for y in cov.index if cov.at[y, ind] >= 0.5]
                    later = f" (laatste jaar met dit cijfer: {max(others)})" if others else ""
                    notes.append(
                        f"{self._label(ind).capitalize()}: in {yr} voor de meeste {scope.noun} "
                        f"{NOT_AVAILABLE}{later}."
                    )
        return yr, notes

    def _derived_note(self, src: pd.DataFrame, scope: Scope) -> list[str]:
        """One Dutch sentence per kind of derived figure."""
        notes: list[str] = []
        detail = derived_detail(src)
        if not detail:
            return notes
        by_src: dict[str, set[str]] = {}
        n_rows: dict[str, set[str]] = {}
        for code, per_ind in detail.items():
            for ind, s in per_ind.items():
                by_src.setdefault(s, set()).add(ind)
                n_rows.setdefault(s, set()).add(code)
        for s, inds in sorted(by_src.items()):
            labels = ", ".join(sorted(self._label(i) for i in inds)[:5])
            n = len(n_rows[s])
            if s == "wijk":
                notes.append(
                    f"Afgeleid: voor {n} buurten komt {labels} van de wijk waarin ze liggen "
                    "(geen eigen buurtcijfer; kolom 'afgeleid van')."
                )
            else:
                what = "gemeenten" if s == "wijken" else "wijken"
                notes.append(
                    f"Afgeleid: voor {n} {what} is {labels} berekend uit de {s} (opgeteld of "
                    "gewogen gemiddeld volgens de catalogus; kolom 'afgeleid van')."
                )
        return notes

    def _base(self, scope: Scope, codes: list[str] | None = None) -> pd.DataFrame:
        """code, name, level, parent columns for reference rows then areas."""
        meta = scope.meta()
        if codes is not None:
            meta = meta.loc[codes]
        return pd.DataFrame(
            {
                "code": meta.index.to_numpy(),
                "name": meta["name"].to_numpy(),
                "level": meta["level"].to_numpy(),
                "parent": meta["parent"].to_numpy(),
            }
        )

    def default_period(self) -> tuple[int, int] | None:
        """The one default turnover period of the store (see :data:`turnover.DEFAULT_PERIOD_YEARS`)."""
        cache = self.facts._fresh()
        if "default_period" not in cache:
            cache["default_period"] = turnover_mod.default_period(self.facts.flows())
        out: tuple[int, int] | None = cache["default_period"]
        return out

    # -- 1. turnover -----------------------------------------------------------------------
    def turnover(
        self,
        *,
        gemeente: str | None = None,
        level: str | None = None,
        wijk: str | None = None,
        period: str | tuple[int, int] | None = None,
        partial: str = "exclude",
        method: str = "scaled",
    ) -> MonitorResult:
        """Replacement speed and newcomer share for the municipality and (estimated) its wijken or buurten.

        ``level="gemeente"`` gives the municipality row(s) alone.
        """
        if level == "gemeente":
            return self._turnover(
                self.scope(gemeente=gemeente, level="wijk"),
                period=period,
                partial=partial,
                method=method,
                areas=False,
            )
        return self._run(
            self._turnover,
            gemeente=gemeente,
            level=level,
            wijk=wijk,
            period=period,
            partial=partial,
            method=method,
        )

    def _settlers(
        self, gms: list[str], period: str | tuple[int, int] | None, partial: str
    ) -> tuple[turnover_mod.SettlerSummary, tuple[int, int], list[int], bool]:
        all_flows = self.facts.flows()
        flows = all_flows[all_flows["region_code"].isin(gms)]
        if flows.empty:
            raise NotAvailableError(
                "Geen vestigingscijfers (vestiging uit een andere gemeente en het buitenland) voor "
                f"{', '.join(gms[:3])}{' …' if len(gms) > 3 else ''}.",
                hint="Die komen uit CBS 37230 (Bevolkingsontwikkeling; regio per maand); importeer die tabel "
                "met `roltrap import`.",
            )
        asked = parse_period(period)
        default = asked is None
        per = asked or self.default_period() or (int(flows["year"].min()), int(flows["year"].max()))
        held = sorted(int(y) for y in flows["year"].unique())
        years = [y for y in held if per[0] <= y <= per[1]]
        if not years:
            raise NotFoundError(
                f"Geen vestigingscijfers in {turnover_mod.period_text(per)}.",
                hint=f"Jaren met cijfers: {held[0]}–{held[-1]}.",
            )
        # One pass over every municipality's flows, cached; a municipality's call takes its rows.
        key = ("settlers", per, partial)
        cache = self.facts._fresh()
        if key not in cache:
            in_per = [int(y) for y in all_flows["year"].unique() if per[0] <= y <= per[1]]
            cache[key] = turnover_mod.annual_settlers(all_flows, years=in_per, partial=partial)
        every: turnover_mod.SettlerSummary = cache[key]
        mine = set(years)
        summ = turnover_mod.SettlerSummary(
            every.per_region[every.per_region.index.isin(gms)],
            {y: w for y, w in every.excluded.items() if y in mine},
            {y: m for y, m in every.annualised.items() if y in mine})
        if summ.per_region.empty:
            raise NotAvailableError(
                f"Alle jaren in {turnover_mod.period_text(per)} zijn onvolledig.",
                hint="Gebruik --annualise of kies volledige jaren.",
            )
        return summ, per, years, default

    def _turnover(
        self,
        scope: Scope,
        *,
        period: str | tuple[int, int] | None = None,
        partial: str = "exclude",
        method: str = "scaled",
        areas: bool = True,
    ) -> MonitorResult:
        if method not in ("scaled", "direct"):
            raise ConfigError(f"Onbekende methode '{method}'.", hint="Kies scaled of direct.")
        summ, per, _years, is_default = self._settlers(scope.ref_codes, period, partial)
        per_region = summ.per_region
        if not scope.national and scope.ref_codes[0] not in per_region.index:
            raise NotAvailableError(
                f"Alle jaren in {turnover_mod.period_text(per)} zijn onvolledig voor {scope.name}.",
                hint="Gebruik --annualise of kies volledige jaren.",
            )
        long = self.facts.long(TURNOVER_FIGURES).for_gemeenten(scope.gms)
        refs = scope.refs
        settlers = per_region["settlers"].reindex(refs.index).astype(float)
        used = per_region["years"].reindex(refs.index)
        last = used.map(lambda u: float(u[-1]) if isinstance(u, list) else np.nan)
        ptext = used.map(lambda u: turnover_mod.period_text(u) if isinstance(u, list) else None)
        pop_ref = nearest(long, list(refs.index), ["a_inw", "bev_eind"], last.fillna(float(per[1])))
        notes: list[str] = []
        if is_default:
            notes.append(
                f"Periode {turnover_mod.period_text(per)}: de standaardperiode, de laatste "
                f"{turnover_mod.DEFAULT_PERIOD_YEARS} volledige jaren met vestigingscijfers."
            )
        for yr, why in summ.excluded.items():
            notes.append(f"{yr} weggelaten: {why} (onvolledig jaar).")
        for yr, months in summ.annualised.items():
            notes.append(f"{yr} opgehoogd naar een jaar: ×12/{months} (seizoenspatroon genegeerd).")
        ref_rows = self._base(scope, list(refs.index))
        pop = pop_ref["value"].astype(float).to_numpy()
        st = settlers.to_numpy()
        ref_rows = ref_rows.assign(
            period=ptext.to_numpy(),
            inwoners=pop,
            vestigers_per_jaar=st,
            vervangingssnelheid=np.where((st > 0) & (pop > 0), pop / np.where(st > 0, st, np.nan), np.nan),
            nieuwkomers_pct=np.where(pop > 0, 100 * st / np.where(pop > 0, pop, np.nan), np.nan),
            unit="jaar",
            estimate=False,
            method="CBS-vestigingen (andere gemeente + buitenland)",
            year=pop_ref["year"].to_numpy(),
            derived_from=pop_ref["src"].map(lambda s: "wijken" if s == "wijken" else None).to_numpy(),
        )
        ref_rows["reason"] = [
            None
            if pd.notna(v)
            else ("geen vestigingscijfers in deze periode" if pd.isna(s) else "inwonertal ontbreekt")
            for v, s in zip(ref_rows["vervangingssnelheid"], st, strict=True)
        ]
        if not scope.national:
            py = pop_ref["year"].iloc[0]
            u = used.iloc[0]
            if pd.notna(py) and isinstance(u, list) and int(py) not in u:
                notes.append(
                    f"Inwonertal uit {int(py)}: het dichtstbijzijnde jaar met een inwonertal bij {u[-1]}."
                )
        rows = [ref_rows]
        syl: dict[str, Any] = {}
        assumptions = ["Verhuizingen binnen de gemeente tellen niet als vestiging van de gemeente."]
        method_txt = (
            "Rekenkundige vervangingssnelheid = inwoners / gemiddeld aantal vestigers per jaar. Vestigers "
            "gemeente = vestiging uit een andere gemeente + uit het buitenland (CBS 37230), gemiddeld over "
            f"{turnover_mod.period_text(per)}. Nieuwkomers = vestigers per jaar als % van de inwoners."
        )
        if areas:
            ref_pop = pd.Series(pop, index=refs.index, dtype=float)
            area_rows, area_notes = self._turnover_areas(scope, long, settlers, used, last, method,
                                                         ref_pop=ref_pop)
            rows.append(area_rows)
            notes += area_notes
            if not scope.national:
                sec = syllabus.section(scope.ref_codes[0], "turnover")
                if sec and scope.level == "wijk":
                    syl = {"districts": sec.get("districts", [])}
                    if sec.get("note"):
                        notes.append(sec["note"])
            if method == "scaled":
                method_txt += (
                    f" {scope.noun.capitalize()}: geen gepubliceerde vestigers; geschat als vestigers "
                    "gemeente × (verhuizingen per inwoner × inwoners) / som over de "
                    f"{scope.noun} (ELAN, CBS-microdata). De {scope.noun} tellen op tot de gemeente."
                )
                assumptions.append(
                    f"Een {scope.level} trekt vestigers van buiten de stad naar rato van het "
                    "aantal verhuizingen van haar bewoners; verhuizingen binnen de stad tellen "
                    "niet mee, dus deze snelheden zijn eerder te lang dan te kort."
                )
            else:
                method_txt += (
                    f" {scope.noun.capitalize()}: vestigers ≈ verhuizingen per inwoner × inwoners "
                    "(alle adreswijzigingen, ook binnen de stad): een bovengrens voor vestigers."
                )
                assumptions.append(
                    "Elke verhuizing van een bewoner eindigt in het gebied waar hij woont; "
                    "verhuizingen binnen het gebied tellen mee (snelheid = ondergrens)."
                )
        df = pd.concat(rows, ignore_index=True)
        min_cell = self.rt.settings.min_cell
        for c in ("vestigers_per_jaar", "inwoners"):
            # Person counts: a cell under the minimum is withheld (estimates of tiny areas too).
            df[c] = suppress_small(df[c].astype(float), min_cell=min_cell).astype(float)
        df.loc[
            df["inwoners"].isna() | df["vestigers_per_jaar"].isna(),
            ["vervangingssnelheid", "nieuwkomers_pct"],
        ] = np.nan
        df["available"] = df["vervangingssnelheid"].notna()
        df.loc[~df["available"] & df["reason"].isna(), "reason"] = f"{SUPPRESSED_LABEL} (kleine aantallen)"
        used0 = used.dropna()
        period_used = (
            list(used0.iloc[0]) if not scope.national and len(used0) else list(range(per[0], per[1] + 1))
        )
        ptxt = turnover_mod.period_text(period_used)
        gm0 = scope.ref_codes[0]
        return MonitorResult(
            kind="turnover",
            title=f"Vervangingssnelheid {scope.title if areas else scope.name} ({ptxt})",
            rows=df,
            unit="jaar",
            method=method_txt,
            assumptions=assumptions,
            sources=self._flow_sources(scope.ref_codes)
            + self._sources(scope.codes, ["a_inw", "bev_eind", "elan_moves_pp"], long=long),
            notes=notes,
            extra={
                "period": period_used,
                "period_text": ptxt,
                "year": None,
                "level": scope.level if areas else "gemeente",
                "default_period": list(self.default_period() or per),
                "excluded_years": summ.excluded,
                "annualised_years": summ.annualised,
                "population_year": (
                    None
                    if scope.national or pd.isna(pop_ref["year"].iloc[0])
                    else int(pop_ref["year"].iloc[0])
                ),
                "method": method,
                "syllabus": syl.get("districts", []),
                "syllabus_gemeente": (
                    None if scope.national else syllabus.figures(gm0).get("vervangingssnelheid")
                ),
            },
        )

    def _turnover_all(self, level: str, period: str | tuple[int, int] | None) -> MonitorResult:
        """Turnover of every municipality and its areas, once per store version (each area's estimate
        depends only on its own municipality, so a municipality's rows equal its own computation)."""
        key = ("turnover_all", level, parse_period(period))
        cache = self.facts._fresh()
        if key not in cache:
            cache[key] = self._turnover(self.scope(gemeente="NL", level=level), period=period)
        out: MonitorResult = cache[key]
        return out

    def _turnover_areas(
        self,
        scope: Scope,
        long: pd.DataFrame,
        settlers: pd.Series,
        used: pd.Series,
        last: pd.Series,
        method: str,
        ref_pop: pd.Series | None = None,
    ) -> tuple[pd.DataFrame, list[str]]:
        areas = scope.areas
        codes = list(areas.index)
        gm = areas["gm"]
        target = gm.map(last).astype(float)
        pop = nearest(long, codes, ["a_inw"], target.fillna(target.max() if target.notna().any() else 0))
        notes: list[str] = []
        mv = long[(long["ind"] == "elan_moves_pp") & long["code"].isin(codes)]
        first = gm.map(used.map(lambda u: u[0] if isinstance(u, list) else np.nan))
        lo = mv["code"].map(first)
        hi = mv["code"].map(target)
        in_per = mv[(mv["year"] >= lo) & (mv["year"] <= hi)]
        moves = in_per.groupby("code")["value"].mean().reindex(codes)
        moves_src = in_per.groupby("code")["src"].first().reindex(codes)
        missing = moves.index[moves.isna()]
        if len(missing) and not mv.empty:
            near = nearest(mv, list(missing), ["elan_moves_pp"], target)
            got = near["value"].dropna()
            if len(got):
                moves.loc[got.index] = got
                moves_src.loc[got.index] = near.loc[got.index, "src"]
                yrs = sorted({int(y) for y in near.loc[got.index, "year"].dropna()})
                notes.append(
                    f"Verhuizingen per inwoner niet in de periode voor {len(got)} {scope.noun}; "
                    f"gebruikt: {', '.join(map(str, yrs))} (dichtstbijzijnd jaar)."
                )
        dist = pd.DataFrame(
            {"population": pop["value"].astype(float), "moves_pp": moves.astype(float)}, index=codes
        )
        est = turnover_mod.district_settlers(dist, municipal_settlers=settlers, method=method, by=gm)
        p = dist["population"].to_numpy()
        s = est.reindex(codes).astype(float).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            speed = np.where((s > 0) & (p > 0), p / s, np.nan)
            share = np.where(p > 0, 100 * s / p, np.nan)
        base = self._base(scope, codes)
        src = pd.DataFrame(
            {"a_inw": pop["src"].to_numpy(), "elan_moves_pp": moves_src.to_numpy()}, index=codes
        )
        reasons: list[str | None] = []
        for pv, mvv in zip(p, dist["moves_pp"].to_numpy(), strict=True):
            if np.isnan(pv):
                reasons.append(f"inwonertal van de {scope.level} ontbreekt")
            elif np.isnan(mvv):
                reasons.append(f"verhuizingen per inwoner (ELAN) ontbreken voor deze {scope.level}")
            else:
                reasons.append(None)
        if scope.level == "buurt":
            s, speed, share, reasons, withheld = self._buurt_turnover_rule(
                gm, p, s, speed, share, reasons, ref_pop, method)
            if withheld:
                notes.append(withheld)
        out = base.assign(
            period=gm.map(
                used.map(lambda u: turnover_mod.period_text(u) if isinstance(u, list) else None)
            ).to_numpy(),
            inwoners=p,
            vestigers_per_jaar=s,
            vervangingssnelheid=speed,
            nieuwkomers_pct=share,
            unit="jaar",
            estimate=True,
            method=f"schatting ({method}) uit ELAN-verhuizingen per inwoner",
            year=pop["year"].to_numpy(),
            derived_from=derived_from(src).to_numpy(),
            reason=reasons,
        )
        wijk_years = sorted({int(y) for y in pop["year"].dropna()})
        if wijk_years and not scope.national:
            notes.append(f"Inwonertal van de {scope.noun} uit {', '.join(map(str, wijk_years))}.")
        notes += self._derived_note(src, scope)
        return out, notes

    @staticmethod
    def _buurt_turnover_rule(
        gm: pd.Series, p: np.ndarray, s: np.ndarray, speed: np.ndarray, share: np.ndarray,
        reasons: list[str | None], ref_pop: pd.Series | None, method: str,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str | None], str | None]:
        """Withhold buurt estimates that mean nothing (see :data:`BUURT_MIN_COVERAGE`); the note
        states the rule in Dutch, or is None when nothing was withheld."""
        has = np.isfinite(s) & np.isfinite(p)
        held = pd.Series(np.where(has, p, 0.0), index=gm.index).groupby(gm).sum()
        total = ref_pop if ref_pop is not None else pd.Series(dtype=float)
        coverage = (held / total.reindex(held.index)).reindex(gm.to_numpy()).to_numpy(dtype=float)
        # "scaled" spreads the municipality's settlers over the buurten held: they must hold nearly all
        # inhabitants (unknown municipal population: no check possible, so no estimate either).
        thin = has & (~(coverage >= BUURT_MIN_COVERAGE)) if method == "scaled" else np.zeros_like(has)
        small = has & ~thin & (p < BUURT_MIN_INHABITANTS)
        if not (thin.any() or small.any()):
            return s, speed, share, reasons, None
        least = f"{round(100 * BUURT_MIN_COVERAGE)} %"
        out = list(reasons)
        for i in np.flatnonzero(thin):
            out[i] = (f"de buurten met cijfers hebben samen {nl.number(100 * coverage[i], 0)} % van de "
                      f"inwoners van de gemeente (minder dan {least}); de vestigers van "
                      "de gemeente zijn dan niet over de buurten te verdelen"
                      if np.isfinite(coverage[i]) else
                      "het inwonertal van de gemeente ontbreekt, dus niet te toetsen of de buurten haar "
                      "inwoners dekken")
        for i in np.flatnonzero(small):
            out[i] = (f"te weinig inwoners (minder dan {BUURT_MIN_INHABITANTS}) voor een betekenisvolle "
                      "snelheid")
        gone = thin | small
        s, speed, share = (np.where(gone, np.nan, a) for a in (s, speed, share))
        note = (f"Vervangingssnelheid per buurt alleen waar die iets zegt: de buurten met cijfers hebben "
                f"samen ten minste {least} van de inwoners van de gemeente (anders krijgen de weinige "
                f"buurten alle vestigers van de gemeente), en een buurt heeft ten minste "
                f"{BUURT_MIN_INHABITANTS} inwoners. Weggelaten: {int(gone.sum())} buurt(en).")
        return s, speed, share, out, note

    # -- 2. arrival vs destination --------------------------------------------------------
    def classify(
        self,
        *,
        gemeente: str | None = None,
        level: str | None = None,
        wijk: str | None = None,
        year: int | None = None,
        period: str | tuple[int, int] | None = None,
        thresholds: classify_mod.Thresholds | None = None,
    ) -> MonitorResult:
        """Wijk van aankomst / bestemming / gemengd, with the evidence per area."""
        return self._run(
            self._classify,
            gemeente=gemeente,
            level=level,
            wijk=wijk,
            year=year,
            period=period,
            thresholds=thresholds,
        )

    def _classify(
        self,
        scope: Scope,
        *,
        year: int | None = None,
        period: str | tuple[int, int] | None = None,
        thresholds: classify_mod.Thresholds | None = None,
    ) -> MonitorResult:
        need = NEEDS["classify"]
        long = self.facts.long(need).for_gemeenten(scope.gms)
        yr, notes = self._year(scope, long, "classify", year)
        values, src = wide(long, scope.codes, need, yr)
        to: pd.DataFrame | None = None
        ptxt = None
        try:
            tres = self._turnover_all(scope.level, period)
            to = tres.rows.set_index("code").reindex(scope.codes)
            if to["nieuwkomers_pct"].isna().all():
                raise NotAvailableError(f"geen vestigingscijfers of verhuizingen voor {scope.title}.")
            values["nieuwkomers"] = to["nieuwkomers_pct"].reindex(values.index)
            ptxt = tres.extra["period_text"]
        except (NotAvailableError, NotFoundError) as exc:
            to = None
            notes.append(f"Verhuismobiliteit niet meegenomen: {exc.message}")
        # growth: mean annual % change of a_inw between the first and last year held
        pop = long[(long["ind"] == "a_inw") & (long["src"] == "")]
        pop = pop[pop["code"].isin(scope.codes)].sort_values(["code", "year"])
        if not pop.empty:
            g = pop.groupby("code").agg(
                y0=("year", "first"), y1=("year", "last"), v0=("value", "first"), v1=("value", "last")
            )
            ok = (g["y1"] > g["y0"]) & (g["v0"] > 0)
            g = g[ok]
            if not g.empty:
                growth = 100 * ((g["v1"] / g["v0"]) ** (1 / (g["y1"] - g["y0"])) - 1)
                values["groei"] = growth.reindex(values.index)
                notes.append(
                    f"Groei: gemiddelde jaarlijkse verandering van het inwonertal {int(g['y0'].min())}–"
                    f"{int(g['y1'].max())} (per gebied tussen zijn eerste en laatste jaar)."
                )
        prof = classify_mod.profile(values)
        areas = scope.area_codes
        result, evidence = classify_mod.classify(
            prof.loc[areas], prof.loc[scope.ref_codes], thresholds=thresholds, by=scope.areas["gm"]
        )
        th = thresholds or classify_mod.Thresholds()
        few: set[str] = set()
        if scope.level == "buurt":
            # z over the buurten of a municipality: with one or two of them every z is ±1 (issue 9)
            scored = result["score"].reindex(areas).notna().groupby(scope.areas["gm"].reindex(areas)).sum()
            thin = set(scored.index[scored < BUURT_MIN_AREAS])
            has_score = result["score"].reindex(areas).notna()
            few = {c for c in areas if has_score[c] and scope.areas.at[c, "gm"] in thin}
            if few:
                names = sorted(str(scope.refs.at[g, "name"]) for g in thin if g in scope.refs.index)
                result = result.copy()
                result.loc[result.index.isin(few), ["score", "class"]] = None
                evidence = {c: ([] if c in few else e) for c, e in evidence.items()}
                notes.append(
                    f"Aankomst of bestemming per buurt alleen bij ten minste {BUURT_MIN_AREAS} buurten met "
                    "cijfers in de gemeente: de score meet een buurt aan de spreiding tussen de buurten, en "
                    f"die zegt bij minder buurten niets. Weggelaten: {len(few)} buurt(en) in "
                    f"{', '.join(names)}."
                )
        df = self._base(scope, areas)
        df["class"] = result["class"].reindex(areas).to_numpy()
        df["score"] = result["score"].reindex(areas).astype(float).to_numpy()
        df["n_indicatoren"] = result["n_components"].reindex(areas).astype(int).to_numpy()
        df["vervangingssnelheid"] = (
            to["vervangingssnelheid"].reindex(areas).to_numpy() if to is not None else np.nan
        )
        df["period"] = ptxt
        df["belangrijkste_kenmerken"] = [
            "; ".join(
                f"{e['label']} {_n1(e['value'])} (stad {_n1(e['city_value'])})"
                for e in evidence.get(c, [])[:3]
            )
            for c in areas
        ]
        df["evidence"] = [evidence.get(c, []) for c in areas]
        df["unit"] = "score"
        df["estimate"] = to is not None
        df["available"] = df["score"].notna()
        df["reason"] = [
            None if ok else
            f"te weinig buurten met cijfers in de gemeente (minder dan {BUURT_MIN_AREAS})" if code in few else
            f"te weinig indicatoren (minder dan {th.min_components})"
            for ok, code in zip(df["available"], df["code"], strict=True)
        ]
        df["year"] = yr
        df["derived_from"] = derived_from(src.loc[areas]).to_numpy()
        notes += self._derived_note(src.loc[areas], scope)
        syl: dict[str, str] = {}
        if not scope.national and scope.level == "wijk":
            sec = syllabus.section(scope.ref_codes[0], "classify")
            if sec:
                dest = set(sec.get("destination", []))
                syl = {c: ("wijk van bestemming" if c in dest else str(sec.get("default"))) for c in areas}
                df["syllabus"] = df["code"].map(syl)
        city = prof.loc[scope.ref_codes[0]].to_dict() if not scope.national else {}
        return MonitorResult(
            kind="classify",
            title=f"Aankomst en bestemming, {scope.title} ({yr})",
            rows=df,
            unit="score",
            method=(
                "Per indicator van de matrix (§9): z = (gebied − stad) / spreiding tussen de "
                f"{scope.noun} van de gemeente, met teken + voor 'aankomst' (jong, alleenstaand, huur, "
                "appartementen, veel nieuwkomers, groei) en − voor 'bestemming' (gezinnen, 65+, koop, "
                f"eengezinswoningen). Score = gemiddelde z. Score ≥ {nl.number(th.aankomst, 2)} → wijk van "
                f"aankomst, ≤ {nl.signed(th.bestemming, 2)} → wijk van bestemming, anders gemengd."
            ),
            assumptions=[
                "Alle indicatoren wegen even zwaar.",
                "De stad als geheel is het referentiepunt; de klassen zijn dus relatief binnen de stad.",
                "Nieuwkomers per gebied zijn een schatting (zie vervangingssnelheid).",
            ],
            sources=self._sources(scope.codes, need, [yr], long=long),
            notes=notes,
            extra={
                "year": yr,
                "level": scope.level,
                "period_text": ptxt,
                "thresholds": {
                    "aankomst": th.aankomst,
                    "bestemming": th.bestemming,
                    "min_components": th.min_components,
                },
                "components": [c.__dict__ for c in classify_mod.COMPONENTS],
                "city_profile": city,
                "syllabus": syl,
                "derived": derived_detail(src.loc[areas]),
            },
        )

    # -- 3. vulnerable population ---------------------------------------------------------
    def vulnerable(
        self,
        *,
        gemeente: str | None = None,
        level: str | None = None,
        wijk: str | None = None,
        year: int | None = None,
        persons_per_household: float | None = None,
    ) -> MonitorResult:
        """Three lenses (education, provisions, income) and the triangulated range."""
        return self._run(
            self._vulnerable,
            gemeente=gemeente,
            level=level,
            wijk=wijk,
            year=year,
            persons_per_household=persons_per_household,
        )

    def _lenses_all_years(
        self, scope: Scope, persons_per_household: float | None
    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        need = NEEDS["vulnerable"]
        long = self.facts.long(need).for_gemeenten(scope.gms)
        part = long[long["ind"].isin(need) & long["code"].isin(scope.codes)]
        if part.empty:
            raise NotAvailableError(f"Geen cijfers voor de drie lenzen van {scope.title}.", hint=_FETCH_HINT)
        values = part.pivot(index=["code", "year"], columns="ind", values="value")
        src = part.pivot(index=["code", "year"], columns="ind", values="src")
        values.columns.name = None
        lens = vulnerable_mod.lenses(values, persons_per_household=persons_per_household)
        return lens, src, long

    def _vulnerable_year(self, scope: Scope, lens: pd.DataFrame) -> tuple[int, int | None]:
        """Default: the latest year with all three lenses for the municipality (or the most of them)."""
        n = lens["n_lenzen"]
        codes = n.index.get_level_values("code")
        y3 = None
        for tier in (3, 2, 1):
            for group in (scope.ref_codes, scope.area_codes):
                sel = n[codes.isin(group) & (n >= tier)]
                if sel.empty:
                    continue
                cnt = sel.groupby(level="year").size()
                best = int(cnt[cnt == cnt.max()].index.max())
                if tier == 3 and y3 is None:
                    y3 = best
                return best, y3
        raise NotAvailableError(
            f"Geen van de drie lenzen is beschikbaar voor {scope.title}.", hint=_FETCH_HINT
        )

    @staticmethod
    def _lens_reasons(lens: pd.DataFrame, held: pd.DataFrame) -> list[str | None]:
        """Why a row lacks a lens (column by column: this runs for every district of the country)."""
        text = pd.Series("", index=lens.index, dtype=object)
        for col, what in (("opleiding", "opleiding (laagopgeleiden)"), ("voorzieningen", "voorzieningen"),
                          ("inkomen", "inkomen (huishoudens tot 110/120% sociaal minimum)")):
            gap = ~held[col]
            text = text.where(~gap, text + np.where(text == "", "", ", ") + what)
        out = text.where(text == "", f"{NOT_AVAILABLE}: " + text)
        one = lens["n_lenzen"] == 1
        only = pd.Series("onderdrukt", index=lens.index, dtype=object)
        for col in reversed(list(LENS_LABELS)):
            only = only.where(~held[col], col)
        out = out.where(~one, "één lens (" + only + "): geen centrale schatting; " + out)
        partial = ~lens["voorzieningen_compleet"] & held["voorzieningen"]
        add = "voorzieningen zonder " + lens["voorzieningen_ontbreekt"].astype(str)
        out = out.where(~partial, np.where(out == "", add, out + "; " + add))
        return [v if v else None for v in out]

    def _vulnerable(
        self, scope: Scope, *, year: int | None = None, persons_per_household: float | None = None
    ) -> MonitorResult:
        need = NEEDS["vulnerable"]
        lens_all, src_all, _long = self._lenses_all_years(scope, persons_per_household)
        years_held = sorted({int(y) for y in lens_all.index.get_level_values("year")})
        default, y3 = self._vulnerable_year(scope, lens_all)
        notes: list[str] = []
        if year is not None:
            if year not in years_held:
                raise NotFoundError(
                    f"Geen cijfers voor de lenzen van {scope.title} in {year}.",
                    hint=f"Jaren met cijfers: {', '.join(map(str, years_held))}.",
                )
            yr = int(year)
        else:
            yr = default
            notes.append(f"Jaar {yr}: het laatste jaar met de meeste lenzen voor {scope.name}.")
        codes = scope.codes
        lens = lens_all.xs(yr, level="year").reindex(codes)
        src = src_all.xs(yr, level="year").reindex(codes) if yr in years_held else pd.DataFrame(index=codes)
        lens["n_lenzen"] = lens["n_lenzen"].fillna(0).astype(int)
        lens["voorzieningen_compleet"] = lens["voorzieningen_compleet"].eq(True)
        lens["voorzieningen_ontbreekt"] = lens["voorzieningen_ontbreekt"].fillna(
            ", ".join(vulnerable_mod.PROVISIONS)
        )
        # A central figure and a range need two lenses from the same year; one lens is shown as itself.
        one = lens["n_lenzen"] < 2
        for c in ("bereik_min", "bereik_max", "centraal", "pct_bereik_min", "pct_bereik_max", "pct_centraal"):
            lens.loc[one, c] = np.nan
        min_cell = self.rt.settings.min_cell
        count_cols = [
            "opleiding",
            "voorzieningen_min",
            "voorzieningen_max",
            "voorzieningen",
            "inkomen_110",
            "inkomen_120",
            "inkomen",
            "bereik_min",
            "bereik_max",
            "centraal",
        ]
        for c in count_cols:
            supp = suppress_small(lens[c].astype(float), min_cell=min_cell).astype(float)
            lens.loc[supp.isna(), f"pct_{c}" if f"pct_{c}" in lens.columns else c] = np.nan
            lens[c] = supp
        held_lenses = lens[["opleiding", "voorzieningen", "inkomen"]].notna()
        reasons = self._lens_reasons(lens, held_lenses)
        df = self._base(scope, codes)
        cols = [
            "opleiding",
            "pct_opleiding",
            "voorzieningen_min",
            "voorzieningen_max",
            "pct_voorzieningen_min",
            "pct_voorzieningen_max",
            "inkomen_110",
            "inkomen_120",
            "pct_inkomen_110",
            "pct_inkomen_120",
            "personen_per_hh",
            "bereik_min",
            "centraal",
            "bereik_max",
            "pct_centraal",
        ]
        df["inwoners"] = lens["a_inw"].to_numpy()
        for c in cols:
            df[c] = lens[c].astype(float).to_numpy()
        df["n_lenzen"] = lens["n_lenzen"].to_numpy()
        df["unit"] = "personen"
        df["estimate"] = True
        df["available"] = df["n_lenzen"] > 0
        df["reason"] = reasons
        df["year"] = yr
        df["derived_from"] = derived_from(src.reindex(columns=need)).to_numpy() if not src.empty else None
        notes += self._derived_note(src, scope) if not src.empty else []
        pph_txt = (
            f"{persons_per_household:g} personen per huishouden (opgegeven)"
            if persons_per_household is not None
            else "de gemiddelde huishoudensgrootte van het gebied"
        )
        gm0 = scope.ref_codes[0]
        lenses_long: list[dict[str, Any]] = []
        tri: dict[str, Any] = {}
        syl: dict[str, Any] = {}
        if not scope.national:
            g = lens.loc[gm0]
            n_g = int(g["n_lenzen"])
            lenses_long = [
                {
                    "lens": "opleiding",
                    "omschrijving": "volwassenen (15–75) zonder startkwalificatie",
                    "laag": g["opleiding"],
                    "hoog": g["opleiding"],
                    "centraal": g["opleiding"],
                },
                {
                    "lens": "voorzieningen",
                    "omschrijving": "bijstand, WMO, jeugdzorg (overlap onbekend)",
                    "laag": g["voorzieningen_min"],
                    "hoog": g["voorzieningen_max"],
                    "centraal": g["voorzieningen"],
                },
                {
                    "lens": "inkomen",
                    "omschrijving": "huishoudens tot 110% / 120% sociaal minimum, in personen",
                    "laag": g["inkomen_110"],
                    "hoog": g["inkomen_120"],
                    "centraal": g["inkomen"],
                },
            ]
            tri = {
                "laag": g["bereik_min"],
                "centraal": g["centraal"],
                "hoog": g["bereik_max"],
                "pct_centraal": g["pct_centraal"],
                "n_lenzen": n_g,
            }
            if n_g < 3:
                held = [k for k in LENS_LABELS if held_lenses.at[gm0, k]]
                txt = (
                    f"{scope.name} heeft in {yr} {n_g} van de drie lenzen"
                    f"{' (' + ', '.join(held) + ')' if held else ''}"
                )
                if n_g < 2:
                    txt += "; een centrale schatting vraagt minstens twee lenzen uit hetzelfde jaar"
                txt += (
                    f". Het laatste jaar met alle drie lenzen is {y3}."
                    if y3 is not None
                    else ". Geen jaar heeft alle drie lenzen."
                )
                notes.append(txt)
            sec = syllabus.section(gm0, "vulnerable")
            if sec:
                syl = dict(sec.get("figures", {}))
                if sec.get("note"):
                    notes.append(sec["note"])
        return MonitorResult(
            kind="vulnerable",
            title=f"Kwetsbare bevolking, {scope.title} ({yr}): drie lenzen",
            rows=df,
            unit="personen",
            method=(
                "Drie lenzen. Opleiding: laagopgeleiden 15–75 jaar. Voorzieningen: personen met "
                "bijstand, WMO of jeugdzorg; zonder overlaptabel ligt het aantal tussen het grootste van de "
                "drie (volledige overlap) en de som (geen overlap); centraal = midden. Inkomen: huishoudens "
                f"tot 110% en 120% van het sociaal minimum × aantal huishoudens × {pph_txt}; centraal = "
                "gemiddelde. Driehoeksmeting (alleen met minstens twee lenzen uit hetzelfde jaar): bereik = "
                "kleinste tot grootste lens, centraal = mediaan van de lenzen; aandeel = centraal / "
                "inwoners."
            ),
            assumptions=[
                f"Personen per huishouden met laag inkomen = {pph_txt}. Lage-inkomenshuishoudens zijn vaker "
                "alleenstaanden (dan te hoog) maar ook vaker eenoudergezinnen (dan te laag).",
                "Laagopgeleiden omvatten ook scholieren en gepensioneerden van 15–75 jaar.",
                "Jeugdzorg telt jongeren; WMO telt cliënten; bijstand telt personen (KWB).",
            ],
            sources=self._sources(codes, need, [yr], long=_long),
            notes=notes,
            extra={
                "year": yr,
                "level": scope.level,
                "lenses_complete_year": y3,
                "gemeente": lenses_long,
                "syllabus": syl,
                "triangulatie": tri,
                "derived": derived_detail(src) if not src.empty else {},
            },
        )

    # -- 4. ranking -------------------------------------------------------------------------
    def rank(
        self,
        *,
        gemeente: str | None = None,
        level: str | None = None,
        wijk: str | None = None,
        year: int | None = None,
    ) -> MonitorResult:
        """Areas ranked on a socio-economic composite within their municipality (rank 1 = weakest)."""
        return self._run(self._rank, gemeente=gemeente, level=level, wijk=wijk, year=year)

    def _rank(self, scope: Scope, *, year: int | None = None) -> MonitorResult:
        need = NEEDS["rank"]
        long = self.facts.long(need).for_gemeenten(scope.gms)
        yr, notes = self._year(scope, long, "rank", year)
        areas = scope.area_codes
        values, src = wide(long, areas, need, yr)
        minima = "p_hh_osm" if values["p_hh_osm"].notna().any() else "p_hh_110"
        ranked = rank_mod.rank(rank_mod.components(values, minima=minima), by=scope.areas["gm"])
        few: set[str] = set()
        if scope.level == "buurt":
            # As for classify: a z over one or two buurten is always ±1, a "rank 1 of 2" says nothing.
            scored = ranked["score"].notna()
            per_gm = scored.groupby(scope.areas["gm"].reindex(ranked.index)).sum()
            thin = set(per_gm.index[per_gm < BUURT_MIN_AREAS])
            few = {str(c) for c in ranked.index[scored] if scope.areas.at[c, "gm"] in thin}
            if few:
                names = sorted(str(scope.refs.at[g, "name"]) for g in thin if g in scope.refs.index)
                ranked = ranked.copy()
                ranked.loc[ranked.index.isin(few), ["score", "rank"]] = None
                notes.append(
                    f"Een rangorde van buurten alleen bij ten minste {BUURT_MIN_AREAS} buurten met cijfers "
                    "in de gemeente: de score meet een buurt aan de spreiding tussen de buurten, en die zegt "
                    f"bij minder buurten niets. Weggelaten: {len(few)} buurt(en) in {', '.join(names)}."
                )
        df = self._base(scope, areas)
        for c in ranked.columns:
            df[c] = ranked[c].reindex(areas).to_numpy()
        df["unit"] = "z-score"
        df["estimate"] = False
        df["available"] = df["score"].notna()
        df["reason"] = [
            None if ok else
            f"te weinig buurten met cijfers in de gemeente (minder dan {BUURT_MIN_AREAS})" if code in few else
            "te weinig componenten beschikbaar"
            for ok, code in zip(df["available"], df["code"], strict=True)
        ]
        df["year"] = yr
        df["derived_from"] = derived_from(src).to_numpy()
        df = df.sort_values(["rank", "code"], na_position="last").reset_index(drop=True)
        if scope.national:
            df = df.sort_values(
                ["parent" if scope.level == "wijk" else "code", "rank"], na_position="last"
            ).reset_index(drop=True)
        notes += self._derived_note(src, scope)
        labels = {c.key: c.label for c in rank_mod.RANK_COMPONENTS}
        return MonitorResult(
            kind="rank",
            title=f"Sociaal-economische rangorde, {scope.title} ({yr})",
            rows=df,
            unit="z-score",
            method=(
                f"Per component een z-score over de {scope.noun} van de gemeente (gemiddelde 0, spreiding "
                "1), zo gericht dat hoger = zwakkere positie: inkomen per inwoner (−), "
                + self._label(minima).removesuffix(" (%)")
                + " (+), bijstand per 100 inwoners (+), laagopgeleiden per "
                "100 inwoners (+). Score = gemiddelde; rang 1 = zwakste positie binnen de gemeente."
            ),
            assumptions=[
                "Componenten wegen even zwaar.",
                "Ongewogen: elk gebied telt één keer, ongeacht grootte.",
            ],
            sources=self._sources(areas, need, [yr], long=long),
            notes=notes,
            extra={
                "year": yr,
                "level": scope.level,
                "minima": minima,
                "components": labels,
                "derived": derived_detail(src),
            },
        )

    # -- 5. comparison ---------------------------------------------------------------------
    def compare(
        self,
        *,
        gemeente: str | None = None,
        peers: list[str] | None = None,
        auto: int = 0,
        year: int | None = None,
        period: str | tuple[int, int] | None = None,
        level: str | None = None,
        wijk: str | None = None,
    ) -> MonitorResult:
        """The municipality beside its peers (syllabus set by default) and automatically found look-alikes.

        With ``level="wijk"``/``"buurt"`` (or ``wijk``): the areas of the municipality side by side on the
        same figures, with the municipality as reference.
        """
        if level in LEVELS or wijk is not None:
            return self._run(
                self._compare_areas, gemeente=gemeente, level=level, wijk=wijk, year=year, period=period
            )
        if level not in (None, "gemeente"):
            raise ConfigError(f"Onbekend niveau '{level}'.", hint="Kies gemeente, wijk of buurt.")
        reg = self._gemeente(None if is_national(gemeente) else gemeente)
        gm = reg["code"]
        need = NEEDS["compare"]
        long_all = self.facts.long(need).frame
        gms_all = list(self.facts.regions().query("level == 'gemeente'").index)
        g_scope = Scope(
            level="wijk",
            gemeenten=(gm,),
            national=False,
            name=str(reg["name"]),
            areas=self.facts.regions().loc[[gm]],
            refs=self.facts.regions().loc[[gm]],
        )
        yr, notes = self._year(g_scope, long_all, "compare", year, codes=[gm])
        peer_codes = (
            [self.rt.region(p)["code"] for p in peers]
            if peers is not None
            else [c for c in syllabus.peers() if c != gm]
        )
        kind = {c: "syllabus" if peers is None else "gekozen" for c in peer_codes}
        distances: dict[str, float] = {}
        if auto > 0:
            allgm, _ = wide(long_all, gms_all, need, yr)
            feats = compare_mod.peer_features(allgm.dropna(how="all"))
            if gm not in feats.index:
                raise NotAvailableError(f"Geen kenmerken voor {reg['name']} in {yr}.", hint=_FETCH_HINT)
            near = compare_mod.similar(feats, gm, k=auto)
            for c, d in near["distance"].items():
                distances[str(c)] = float(d)
                if c not in kind:
                    peer_codes.append(str(c))
                    kind[str(c)] = "automatisch"
                else:
                    kind[str(c)] += " + automatisch"
        codes = [gm, *peer_codes]
        regs = self.facts.regions()
        known = set(regs.index[regs["level"] == "gemeente"])
        missing = [c for c in codes if c not in known]
        codes = [c for c in codes if c in known]
        if missing:
            notes.append(f"Niet in de database: {', '.join(missing)}.")
        values, src = wide(long_all, codes, need, yr)
        speed, ptxt = self._speeds(codes, period)
        rows = self._compare_rows(values, codes, speed, ptxt, yr)
        rows["vergelijking"] = ["gemeente" if c == gm else kind.get(c) for c in codes]
        rows["afstand"] = [distances.get(c, np.nan) for c in codes]
        for key in ("voorzieningen_pct", "p_hh_110", "p_hh_120", "vervangingssnelheid"):
            rows[f"syllabus_{key}"] = [syllabus.figures(c).get(key, np.nan) for c in codes]
        rows["derived_from"] = derived_from(src).to_numpy()
        return MonitorResult(
            kind="compare",
            title=f"{reg['name']} vergeleken ({yr})",
            rows=rows,
            unit="%",
            method=self._compare_method(ptxt),
            assumptions=[
                "Syllabuscijfers gelden voor andere jaren (voorzieningen 2019, vervangingssnelheid "
                "2018–2020) en andere definities (cliënten met minstens één voorziening)."
            ],
            sources=self._sources(codes, need, [yr], long=long_all) + self._flow_sources(codes),
            notes=notes,
            extra={
                "year": yr,
                "level": "gemeente",
                "period_text": ptxt,
                "features": compare_mod.PEER_FEATURES,
                "distances": distances,
            },
        )

    def _speeds(self, codes: list[str], period: str | tuple[int, int] | None) -> tuple[dict[str, float], str]:
        """Replacement speed per municipality over the (default) period, and the period as text."""
        try:
            summ, per, _y, _d = self._settlers(codes, period, "exclude")
        except (NotAvailableError, NotFoundError):
            return {}, ""
        long = self.facts.long(TURNOVER_FIGURES).frame
        pr = summ.per_region
        last = pr["years"].map(lambda u: float(u[-1]))
        pop = nearest(long, list(pr.index), ["a_inw", "bev_eind"], last)
        speed = {
            str(c): _num(
                turnover_mod.replacement_speed(_num(pop.at[c, "value"]), float(pr.at[c, "settlers"]))
            )
            for c in pr.index
        }
        return speed, turnover_mod.period_text(per)

    def _compare_rows(
        self, values: pd.DataFrame, codes: list[str], speed: dict[str, float], ptxt: str, yr: int
    ) -> pd.DataFrame:
        prov = vulnerable_mod.lenses(values)
        names = self.facts.regions()["name"]
        return pd.DataFrame(
            {
                "code": codes,
                "name": names.reindex(codes).to_numpy(),
                "level": self.facts.regions()["level"].reindex(codes).to_numpy(),
                "inwoners": values["a_inw"].to_numpy(),
                "p_hh_110": values["p_hh_110"].to_numpy(),
                "p_hh_120": values["p_hh_120"].to_numpy(),
                "pct_voorzieningen_min": prov["pct_voorzieningen_min"].to_numpy(),
                "pct_voorzieningen_max": prov["pct_voorzieningen_max"].to_numpy(),
                "pct_laagopgeleid": prov["pct_opleiding"].to_numpy(),
                "vervangingssnelheid": [speed.get(c, np.nan) for c in codes],
                "period": ptxt or None,
                "unit": "%",
                "estimate": False,
                "available": values["a_inw"].notna().to_numpy(),
                "reason": [None if pd.notna(v) else f"geen KWB-cijfers in {yr}" for v in values["a_inw"]],
                "year": yr,
            }
        )

    @staticmethod
    def _compare_method(ptxt: str) -> str:
        return (
            "KWB-cijfers van hetzelfde jaar naast elkaar. Voorzieningen: bijstand, WMO, jeugdzorg als % "
            "van de inwoners, ondergrens (grootste) en bovengrens (som). Vervangingssnelheid: inwoners / "
            f"vestigers per jaar {ptxt or '(geen vestigingscijfers)'}. Automatische vergelijkers: "
            "kleinste gestandaardiseerde afstand (z-scores over alle gemeenten) op "
            + ", ".join(compare_mod.PEER_FEATURES.values())
            + "."
        )

    def _compare_areas(
        self, scope: Scope, *, year: int | None = None, period: str | tuple[int, int] | None = None
    ) -> MonitorResult:
        need = NEEDS["compare"]
        long = self.facts.long(need).for_gemeenten(scope.gms)
        yr, notes = self._year(scope, long, "compare", year)
        values, src = wide(long, scope.codes, need, yr)
        speed: dict[str, float] = {}
        ptxt = ""
        try:
            t = self._turnover(scope, period=period)
            speed = {str(k): _num(v) for k, v in t.rows.set_index("code")["vervangingssnelheid"].items()}
            ptxt = t.extra["period_text"]
        except (NotAvailableError, NotFoundError) as exc:
            notes.append(f"Vervangingssnelheid niet beschikbaar: {exc.message}")
        rows = self._compare_rows(values, scope.codes, speed, ptxt, yr)
        rows["parent"] = scope.meta()["parent"].to_numpy()
        rows["vergelijking"] = ["gemeente" if lv == "gemeente" else scope.level for lv in rows["level"]]
        rows["derived_from"] = derived_from(src).to_numpy()
        notes += self._derived_note(src, scope)
        return MonitorResult(
            kind="compare",
            title=f"{scope.title.capitalize()} vergeleken ({yr})",
            rows=rows,
            unit="%",
            method=self._compare_method(ptxt),
            assumptions=[],
            sources=self._sources(scope.codes, need, [yr], long=long),
            notes=notes,
            extra={"year": yr, "level": scope.level, "period_text": ptxt, "features": {}, "distances": {}},
        )

    # -- 6. trend and projection -----------------------------------------------------------
    def _indicator_series(self, code: str, indicator: str) -> tuple[pd.DataFrame, str, list[str], str | None]:
        """Yearly series (year, value, estimate, bron) of an indicator or a derived share, and its origin."""
        notes: list[str] = []
        stored = indicator in self.facts.catalogue().index and bool(
            (self.facts.long([indicator]).frame["code"] == code).any())
        if indicator in DERIVED and not stored:
            label, inputs, fn = DERIVED[indicator]
            long = self.facts.long(list(inputs)).frame
            obs = long[(long["code"] == code) & long["ind"].isin(inputs)]
            wide_y = obs.pivot_table(index="year", columns="ind", values="value", aggfunc="first")
            for i in inputs:
                if i not in wide_y.columns:
                    wide_y[i] = np.nan
            val = fn(wide_y).replace([np.inf, -np.inf], np.nan).dropna()
            est = obs.groupby("year")["estimate"].any().reindex(val.index).fillna(False)
            src = obs.groupby("year")["src"].max().reindex(val.index)
            series = pd.DataFrame(
                {
                    "year": val.index.astype(int),
                    "value": val.to_numpy(),
                    "estimate": est.to_numpy().astype(bool),
                    "bron": "KWB",
                    "derived_from": [s or None for s in src.fillna("")],
                }
            )
            if indicator == "p_internationaal":
                elan = self._elan_international(code)
                if not elan.empty:
                    notes.append(
                        "Reeks aangevuld met ELAN-aandelen westers + niet-westers (CBS-microdata, "
                        "schatting; andere definitie dan KWB). Waar beide bestaan wint KWB."
                    )
                    elan = elan[~elan["year"].isin(series["year"])]
                    series = pd.concat([series, elan]).sort_values("year").reset_index(drop=True)
            return series, label, notes, None
        ind = self.rt.indicator(indicator)
        long = self.facts.long([indicator]).frame
        s = long[(long["code"] == code) & (long["ind"] == indicator)]
        srcs = self.rt.store.query(
            "SELECT year, source_id FROM observations WHERE region_code = ? AND indicator_id = ?",
            [code, indicator],
        ).set_index("year")["source_id"]
        series = pd.DataFrame(
            {
                "year": s["year"].astype(int).to_numpy(),
                "value": s["value"].astype(float).to_numpy(),
                "estimate": s["estimate"].astype(bool).to_numpy(),
                "bron": [srcs.get(y, s2 or "afgeleid") for y, s2 in zip(s["year"], s["src"], strict=True)],
                "derived_from": [x or None for x in s["src"]],
            }
        )
        return series.reset_index(drop=True), f"{ind['label']} ({ind['unit']})", notes, None

    def _elan_international(self, code: str) -> pd.DataFrame:
        cat = self.facts.catalogue()
        ids = [i for i in cat.index if str(i).startswith("elan_") and "west" in str(i).lower()]
        empty = pd.DataFrame(columns=["year", "value", "estimate", "bron", "derived_from"])
        if not ids:
            return empty
        long = self.facts.long(ids).frame
        obs = long[(long["code"] == code) & long["ind"].isin(ids)]
        if obs.empty:
            return empty
        tot = obs.groupby("year")["value"].sum(min_count=len(ids)).dropna()
        if not tot.empty and tot.max() <= 1.0:  # shares held as fractions: to percent
            tot = tot * 100
        return pd.DataFrame(
            {
                "year": tot.index.astype(int),
                "value": tot.to_numpy(),
                "estimate": True,
                "bron": "ELAN",
                "derived_from": None,
            }
        )

    def trend(self, *, code: str, indicator: str) -> MonitorResult:
        """An indicator over the years held for any region (GM, WK or BU), with the linear trend per year."""
        reg = self.rt.region(code)
        series, label, notes, _ = self._indicator_series(reg["code"], indicator)
        if series.empty:
            raise NotAvailableError(
                f"Geen reeks voor {label} in {reg['name']} ({reg['code']}).",
                hint="Kijk met `roltrap show` welke indicatoren er zijn.",
            )
        rows = series.assign(
            code=reg["code"], name=reg["name"], level=reg["level"], unit=label, kind="waarneming"
        )
        extra: dict[str, Any] = {
            "indicator": indicator,
            "label": label,
            "level": reg["level"],
            "year": int(series["year"].max()),
            "years": [int(y) for y in series["year"]],
        }
        method = "Waarnemingen per jaar."
        if series["year"].nunique() >= 2:
            fit = trend_mod.fit_linear(series["year"], series["value"])
            extra.update(slope=fit.slope, intercept=fit.intercept, r2=fit.r2, n=fit.n)
            method += (f" Lineaire trend (kleinste kwadraten): {nl.signed(fit.slope, 3)} per jaar, "
                       f"R² = {nl.number(fit.r2, 2)}.")
        else:
            notes.append("Maar één jaar beschikbaar: geen trend.")
        if series["derived_from"].notna().any():
            notes.append(
                "Afgeleid: jaren met een waarde in de kolom 'afgeleid van' zijn berekend uit een ander "
                "niveau."
            )
        inputs = list(DERIVED[indicator][1]) if indicator in DERIVED else [indicator]
        return MonitorResult(
            kind="trend",
            title=f"{label}: {reg['name']}",
            rows=rows.reset_index(drop=True),
            unit=label,
            method=method,
            assumptions=[],
            sources=self._sources([reg["code"]], inputs),
            notes=notes,
            extra=extra,
        )

    def project(
        self,
        *,
        code: str,
        indicator: str = "p_internationaal",
        target: float | None = None,
        level: float = 0.95,
        from_year: int | None = None,
        horizon: int = 15,
    ) -> MonitorResult:
        """Linear projection of a series with a prediction interval; the year a target is reached."""
        reg = self.rt.region(code)
        series, label, notes, _ = self._indicator_series(reg["code"], indicator)
        if from_year is not None:
            series = series[series["year"] >= from_year]
        if series["year"].nunique() < 3:
            raise NotAvailableError(
                f"Te weinig jaren voor een projectie van {label} in {reg['name']} "
                f"({series['year'].nunique()} jaar).",
                hint="Een projectie vraagt minstens drie jaren.",
            )
        fit = trend_mod.fit_linear(series["year"], series["value"])
        last = series.sort_values("year").iloc[-1]
        last_year, last_value = int(last["year"]), float(last["value"])
        tgt = None
        if target is not None:
            tgt = trend_mod.target_year(
                fit, target, last_year=last_year, last_value=last_value, level=level, horizon=max(horizon, 50)
            )
        end = last_year + horizon
        if tgt is not None and tgt.latest is not None:
            end = max(end, int(np.ceil(tgt.latest)))
        future = np.arange(last_year + 1, end + 1)
        pred, lo, hi = fit.predict(future, level=level)
        obs_rows = series.assign(kind="waarneming", ondergrens=np.nan, bovengrens=np.nan)
        proj_rows = pd.DataFrame(
            {
                "year": future,
                "value": pred,
                "ondergrens": lo,
                "bovengrens": hi,
                "estimate": True,
                "bron": "projectie",
                "kind": "projectie",
            }
        )
        rows = pd.concat([obs_rows, proj_rows], ignore_index=True).assign(
            code=reg["code"], name=reg["name"], level=reg["level"], unit=label
        )
        pct = round(level * 100)
        extra: dict[str, Any] = {
            "indicator": indicator,
            "label": label,
            "model": "OLS lineair op jaar",
            "level": reg["level"],
            "year": last_year,
            "interval": level,
            "slope": fit.slope,
            "intercept": fit.intercept,
            "se": fit.se,
            "r2": fit.r2,
            "n": fit.n,
            "fit_years": [int(series["year"].min()), int(series["year"].max())],
        }
        if tgt is not None:
            extra["target"] = {
                "value": tgt.target,
                "year": tgt.year,
                "earliest": tgt.earliest,
                "latest": tgt.latest,
                "reached": tgt.reached,
            }
            if tgt.reached:
                notes.append(f"Doel {nl.number(target)} is al bereikt in {last_year}.")
            elif tgt.year is None:
                notes.append(
                    f"Volgens de trend wordt {nl.number(target)} niet bereikt binnen {max(horizon, 50)} jaar."
                )
            else:
                both = tgt.earliest is not None and tgt.latest is not None
                span = (
                    f"{tgt.earliest:.0f}–{tgt.latest:.0f}"
                    if both
                    else f"vanaf {tgt.earliest:.0f}"
                    if tgt.earliest is not None
                    else "onbepaald"
                )
                notes.append(
                    f"Doel {nl.number(target)} bereikt rond {nl.number(tgt.year, 1, grouping=False)} "
                    f"({pct}%-voorspelinterval: {span}); dat is {nl.number(tgt.year - last_year, 1)} jaar na "
                    f"{last_year}."
                )
        syl_note = syllabus.section(reg["code"], "project").get(indicator)
        if syl_note:
            notes.append(str(syl_note))
        inputs = list(DERIVED[indicator][1]) if indicator in DERIVED else [indicator]
        return MonitorResult(
            kind="project",
            title=f"Projectie {label}: {reg['name']}",
            rows=rows,
            unit=label,
            method=(
                f"Lineaire trend (kleinste kwadraten) op {fit.n} jaren {extra['fit_years'][0]}–"
                f"{extra['fit_years'][1]}: {nl.signed(fit.slope, 3)} per jaar "
                f"(R² = {nl.number(fit.r2, 2)}); {pct}%-"
                "voorspelinterval met Student-t (n − 2 vrijheidsgraden)."
            ),
            assumptions=[
                "De groei van de afgelopen jaren zet lineair door (geen versnelling, geen trendbreuk).",
                "Jaren zijn onafhankelijke waarnemingen rond de trendlijn.",
            ],
            sources=self._sources([reg["code"]], inputs),
            notes=notes,
            extra=extra,
        )

    # -- 7. escalator conditions -----------------------------------------------------------
    def conditions(
        self,
        *,
        gemeente: str | None = None,
        level: str | None = None,
        wijk: str | None = None,
        year: int | None = None,
    ) -> MonitorResult:
        """Success factors of a roltrapwijk per area, side by side."""
        return self._run(self._conditions, gemeente=gemeente, level=level, wijk=wijk, year=year)

    def _conditions(self, scope: Scope, *, year: int | None = None) -> MonitorResult:
        need = NEEDS["conditions"]
        long = self.facts.long(need).for_gemeenten(scope.gms)
        yr, notes = self._year(scope, long, "conditions", year, codes=scope.codes)
        values, src = wide(long, scope.codes, need, yr)
        cond = conditions_mod.conditions(values)
        filled = pd.Series(False, index=cond.index)
        if not scope.national:
            # Where CBS publishes no station distance, the street network gives one (rt.access, issue 13).
            station = self.rt.access.station_km(gemeente=scope.ref_codes[0], level=scope.level)
            filled = cond["g_afs_ov"].isna() & cond.index.isin(station.index)
            cond["g_afs_ov"] = cond["g_afs_ov"].fillna(station.reindex(cond.index))
        df = self._base(scope)
        for c in cond.columns:
            df[c] = cond[c].to_numpy()
        missing_cols = [c for c in conditions_mod.CONDITIONS if cond[c].isna().all()]
        df["unit"] = ""
        df["estimate"] = False
        df["available"] = cond.notna().any(axis=1).to_numpy()
        labels = {c: v[0] for c, v in conditions_mod.CONDITIONS.items()}
        isna = cond.isna()
        df["reason"] = [
            (f"{NOT_AVAILABLE}: " + ", ".join(labels[c] for c in cond.columns if isna.at[code, c]))
            if isna.loc[code].any()
            else None
            for code in cond.index
        ]
        df["year"] = yr
        df["derived_from"] = derived_from(src).to_numpy()
        notes += [f"{conditions_mod.CONDITIONS[c][0]}: {NOT_AVAILABLE} in {yr}." for c in missing_cols]
        if filled.any():
            notes.append("Afstand tot treinstation: gemiddelde loopafstand van de bewoners over het "
                         "OpenStreetMap-straatnetwerk (roltrap access, © OpenStreetMap-bijdragers (ODbL)); "
                         "geen CBS-cijfer.")
        notes += self._derived_note(src, scope)
        return MonitorResult(
            kind="conditions",
            title=f"Voorwaarden voor een roltrapwijk, {scope.title} ({yr})",
            rows=df,
            unit="",
            method=(
                "Ondernemerschap: bedrijfsvestigingen per 1.000 inwoners. Wooncarrière: menging van "
                "koop/huur en eengezins/meergezins als entropie (0 = één soort, 1 = half om half). "
                "Voorzieningen: gemiddelde afstand over de weg (km). Rolmodellen: % inwoners met hoog en "
                "laag inkomen en hun verhouding."
            ),
            assumptions=[
                "Een gemengde woningvoorraad maakt een wooncarrière binnen de wijk mogelijk.",
                "Afstanden zijn CBS-gemiddelden per adres, geen reistijden.",
            ],
            sources=self._sources(scope.codes, need, [yr], long=long),
            notes=notes,
            extra={
                "year": yr,
                "level": scope.level,
                "factors": {
                    c: {"label": v[0], "factor": v[1], "unit": v[2]}
                    for c, v in conditions_mod.CONDITIONS.items()
                },
                "derived": derived_detail(src),
            },
        )

    # -- 8. map classes --------------------------------------------------------------------
    def map_classes(
        self,
        *,
        gemeente: str | None = None,
        level: str | None = None,
        wijk: str | None = None,
        indicator: str,
        year: int | None = None,
        scheme: str = "auto",
        k: int = 5,
    ) -> MonitorResult:
        """Areas binned into map classes with the legend: the one place map classes are computed.

        ``scheme``: ``auto`` (percentages → the syllabus's five classes, anything else → quantiles),
        ``syllabus``, ``quantile`` or ``natural`` (Fisher–Jenks). Rows carry code, name, level, value,
        class, colour; ``extra["legend"]`` lists the non-empty classes with their counts. Person counts
        under the minimum cell size are withheld (no value, no class).
        """
        if scheme not in mapclass.SCHEMES:
            raise ConfigError(
                f"Onbekende indeling '{scheme}'.", hint="Kies " + ", ".join(mapclass.SCHEMES) + "."
            )
        if not 2 <= k <= len(mapclass.COLOURS):
            raise ConfigError(f"Aantal klassen {k} kan niet.", hint=f"Kies 2 tot {len(mapclass.COLOURS)}.")
        if wijk is not None:
            w = self._wijk_region(wijk, gemeente)
            scope = self.scope(gemeente=str(w["parent"]), level=level or "buurt")
            scope = replace(
                scope,
                areas=scope.areas[scope.areas["parent"] == w["code"]]
                if scope.level == "buurt"
                else scope.areas,
            )
            if scope.areas.empty:
                raise NotAvailableError(
                    f"Er zijn geen buurten van {w['name']} in de opslag.", hint=_FETCH_HINT
                )
        else:
            scope = self.scope(gemeente=gemeente, level=level or "wijk")
        return self._map(scope, indicator=indicator, year=year, scheme=scheme, k=k)

    def _map_values(
        self, scope: Scope, indicator: str, year: int | None
    ) -> tuple[pd.Series, pd.DataFrame, int, list[str], dict[str, Any], list[str]]:
        derived = indicator in DERIVED and not self._held_anywhere(scope, indicator)
        if derived:
            label, inputs, fn = DERIVED[indicator]
            info: dict[str, Any] = {"label": label, "unit": "%", "kind": "share", "decimals": 1}
            need = list(inputs)
        else:
            info = self.rt.indicator(indicator)
            need = [indicator]
        long = self.facts.long(need).for_gemeenten(scope.gms)
        cov = coverage(long, self.facts.exists_for(scope.gms), scope.area_codes, need)
        held = [int(y) for y, row in cov.iterrows() if (row > 0).all()]
        notes: list[str] = []
        if not held:
            raise NotAvailableError(
                f"Er zijn geen cijfers voor '{info['label']}' voor de {scope.title}.",
                hint=f"Kies een andere indicator of importeer cijfers voor deze {scope.noun}.",
            )
        if year is not None:
            if year not in held:
                raise NotFoundError(
                    f"Geen cijfers voor '{info['label']}' voor de {scope.title} in {year}.",
                    hint=f"Jaren met cijfers: {', '.join(map(str, held))}.",
                )
            yr = int(year)
        else:
            good = [y for y in held if (cov.loc[y] >= 0.5).all()]
            yr = max(good) if good else max(held)
            notes.append(f"Jaar {yr}: het laatste jaar met cijfers voor '{info['label']}'.")
        values, src = wide(long, scope.area_codes, need, yr)
        vals = (fn(values) if derived else values[indicator]).astype(float)
        vals = vals.replace([np.inf, -np.inf], np.nan)
        return vals, src, yr, notes, info, need

    def _held_anywhere(self, scope: Scope, indicator: str) -> bool:
        """Whether the store holds ``indicator`` itself for these areas (a catalogue id wins over ours)."""
        if indicator not in self.facts.catalogue().index:
            return False
        long = self.facts.long([indicator]).for_gemeenten(scope.gms)
        return bool(((long["ind"] == indicator) & long["code"].isin(scope.area_codes)).any())

    def _map(self, scope: Scope, *, indicator: str, year: int | None, scheme: str, k: int) -> MonitorResult:
        vals, src, yr, notes, info, need = self._map_values(scope, indicator, year)
        is_share = info.get("kind") == "share" or info.get("unit") in ("%", "percent")
        used, why = mapclass.resolve_scheme(scheme, is_share=is_share)
        if why:
            notes.append(why)
        suppressed = pd.Series(False, index=vals.index)
        if info.get("kind") == "count" and info.get("unit") in ("personen", "huishoudens"):
            # Person counts: a small cell is withheld (and so gets no class), as everywhere else.
            kept = suppress_small(vals, min_cell=self.rt.settings.min_cell).astype(float)
            suppressed = vals.notna() & kept.isna()
            vals = kept
        classes, legend = mapclass.classify_values(vals, scheme=used, k=k)
        df = self._base(scope, scope.area_codes)
        df["value"] = vals.to_numpy()
        df["class"] = classes["class"].to_numpy()
        df["class_index"] = classes["class_index"].to_numpy()
        df["colour"] = classes["color"].to_numpy()
        df["color"] = df["colour"]
        df["unit"] = info.get("unit")
        df["estimate"] = False
        df["available"] = df["value"].notna()
        df["suppressed"] = suppressed.to_numpy()
        df["reason"] = [
            None
            if ok
            else f"{SUPPRESSED_LABEL} (minder dan {self.rt.settings.min_cell})"
            if sup
            else f"{info['label']} ontbreekt voor dit gebied in {yr}"
            for ok, sup in zip(df["available"], df["suppressed"], strict=True)
        ]
        df["year"] = yr
        df["derived_from"] = derived_from(src).to_numpy()
        notes += self._derived_note(src, scope)
        n_missing = int((~df["available"]).sum())
        method = {
            "syllabus": (
                "Vijf vaste klassen van de syllabus: < 10%, 10–15%, 15–20%, 20–25%, > 25% (een waarde "
                "op de grens valt in de hogere klasse)."
            ),
            "quantile": f"{k} kwantielklassen: ongeveer evenveel {scope.noun} per klasse.",
            "natural": f"{k} natuurlijke klassen (Fisher–Jenks, jenkspy): zo klein mogelijke spreiding "
            "binnen elke klasse.",
        }[used]
        method += (
            " Alleen klassen met gebieden staan in de legenda; gelijke waarden vallen in dezelfde klasse."
        )
        return MonitorResult(
            kind="map",
            title=f"{info['label']}, {scope.title} ({yr})",
            rows=df,
            unit=str(info.get("unit")),
            method=method,
            assumptions=[],
            sources=self._sources(scope.area_codes, need, [yr]),
            notes=notes,
            extra={
                "year": yr,
                "level": scope.level,
                "indicator": indicator,
                "label": info["label"],
                "unit": info.get("unit"),
                "decimals": info.get("decimals"),
                "scheme": used,
                "scheme_asked": scheme,
                "schemes": dict(mapclass.SCHEMES),
                "k": k,
                "legend": [e.__dict__ for e in legend],
                "missing": {
                    "label": mapclass.MISSING_LABEL,
                    "colour": mapclass.MISSING_COLOUR,
                    "count": n_missing,
                },
                "noun": scope.noun,
                "derived": derived_detail(src),
            },
        )

    # -- years for selectors ---------------------------------------------------------------
    def years(
        self,
        name: str,
        *,
        gemeente: str | None = None,
        level: str | None = None,
        wijk: str | None = None,
        indicator: str | None = None,
        code: str | None = None,
    ) -> list[int]:
        """The years that have the figures computation ``name`` needs, for this selection (for selectors).

        ``turnover``: the full years with settlers; ``map``/``map_classes``/``trend``/``project``: the years
        with the ``indicator`` (for ``code`` in trend/project); the others: years in which every figure
        that decides the year is held by at least half of the areas (``vulnerable``: at least two lenses).
        """
        if name in ("trend", "project"):
            reg = self.rt.region(code or gemeente or self.rt.settings.gemeente)
            series, *_ = self._indicator_series(reg["code"], indicator or "p_internationaal")
            return sorted({int(y) for y in series["year"]})
        if name == "turnover":
            if wijk is None:
                gms = self.scope(gemeente=gemeente, level="wijk").ref_codes
            else:
                gms = [str(self._wijk_region(wijk, gemeente)["parent"])]
            fl = self.facts.flows()
            return turnover_mod.full_years(fl[fl["region_code"].isin(gms)])
        scope = self._selection(gemeente, level, wijk)
        if name in ("map", "map_classes"):
            if not indicator:
                raise ConfigError("Geef een indicator voor de jaren van de kaart.")
            derived = indicator in DERIVED and not self._held_anywhere(scope, indicator)
            need = list(DERIVED[indicator][1]) if derived else [indicator]
            long = self.facts.long(need).for_gemeenten(scope.gms)
            cov = coverage(long, self.facts.exists_for(scope.gms), scope.area_codes, need)
            return [int(y) for y, row in cov.iterrows() if (row > 0).all()]
        if name == "vulnerable":
            lens, _src, _ = self._lenses_all_years(scope, None)
            n = lens["n_lenzen"]
            sel = n[n.index.get_level_values("code").isin(scope.codes) & (n >= 2)]
            return sorted({int(y) for y in sel.index.get_level_values("year")})
        if name not in CORE:
            raise ConfigError(
                f"Onbekende berekening '{name}'.",
                hint="Kies turnover, classify, vulnerable, rank, compare, conditions, map, trend of project.",
            )
        core = CORE[name]
        long = self.facts.long(NEEDS[name]).for_gemeenten(scope.gms)
        # the same regions the computation's own year choice looks at
        codes = {"compare": scope.ref_codes, "conditions": scope.codes}.get(name, scope.area_codes)
        cov = coverage(long, self.facts.exists_for(scope.gms), codes, core)
        _, complete = pick_year(cov)
        return complete

    def _selection(self, gemeente: str | None, level: str | None, wijk: str | None) -> Scope:
        if wijk is None:
            return self.scope(gemeente=gemeente, level=level or "wijk")
        w = self._wijk_region(wijk, gemeente)
        scope = self.scope(gemeente=str(w["parent"]), level=level or "buurt")
        if scope.level == "buurt":
            scope = replace(scope, areas=scope.areas[scope.areas["parent"] == w["code"]])
        return scope
