"""The district monitor: fetches canonical tables from the core object and calls the pure modules.

Constructed as ``DistrictMonitor(rt)`` by ``Roltrap.monitor``. Every method returns a
:class:`~roltrap.monitor.result.MonitorResult` (rows + method + assumptions + sources + notes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from roltrap import fmt as nl
from roltrap.disclosure import suppress_small
from roltrap.errors import ConfigError, InputError, NotAvailableError, NotFoundError, Problem
from roltrap.monitor import classify as classify_mod
from roltrap.monitor import compare as compare_mod
from roltrap.monitor import conditions as conditions_mod
from roltrap.monitor import mapclass
from roltrap.monitor import rank as rank_mod
from roltrap.monitor import trend as trend_mod
from roltrap.monitor import turnover as turnover_mod
from roltrap.monitor import vulnerable as vulnerable_mod
from roltrap.monitor.result import NOT_AVAILABLE, MonitorResult

if TYPE_CHECKING:
    from roltrap.core import Roltrap

# The syllabus's district replacement speeds (§8). Some are buurten or sub-areas, not CBS wijken:
# they are matched to the wijk that contains them and flagged.
SYLLABUS_DISTRICTS: list[dict[str, Any]] = [
    {"name": "Boerhaavedistrict", "code": "WK054607", "years": 3.6, "cbs_wijk": True},
    {"name": "Binnenstad-Zuid", "code": "WK054600", "years": 4.0, "cbs_wijk": True},
    {"name": "Binnenstad-Noord", "code": "WK054601", "years": 4.3, "cbs_wijk": True},
    {"name": "Stationsdistrict", "code": "WK054602", "years": 4.5, "cbs_wijk": True},
    {"name": "Morsdistrict", "code": "WK054606", "years": 6.4, "cbs_wijk": True},
    {"name": "Leiden Noord", "code": "WK054603", "years": 6.5, "cbs_wijk": True},
    {"name": "Leiden Zuidwest", "code": "WK054605", "years": 8.2, "cbs_wijk": False},
    {"name": "Slaaghwijk", "code": "WK054608", "years": 9.5, "cbs_wijk": False},
    {"name": "Roodenburgerdistrict", "code": "WK054604", "years": 10.1, "cbs_wijk": True},
    {"name": "Stevenshof", "code": "WK054609", "years": 15.5, "cbs_wijk": True},
    {"name": "Overig Merenwijk", "code": "WK054608", "years": 16.5, "cbs_wijk": False},
]
SYLLABUS_DESTINATION = ("WK054608", "WK054609")  # Merenwijk (without Slaaghwijk), Stevenshof

# Derived shares (percent) that several views use: id → (label, inputs, formula).
DERIVED: dict[str, tuple[str, tuple[str, ...], Callable[[pd.DataFrame], pd.Series]]] = {
    "p_internationaal": ("internationale achtergrond (% inw.)", ("a_w_all", "a_nw_all", "a_inw"),
                         lambda d: 100 * (d["a_w_all"] + d["a_nw_all"]) / d["a_inw"]),
    "p_laagopgeleid": ("laagopgeleiden (% inw.)", ("a_opl_lg", "a_inw"),
                       lambda d: 100 * d["a_opl_lg"] / d["a_inw"]),
    "p_bijstand": ("bijstand (% inw.)", ("a_soz_wb", "a_inw"), lambda d: 100 * d["a_soz_wb"] / d["a_inw"]),
    "p_jong": ("15–44 jaar (% inw.)", ("a_15_24", "a_25_44", "a_inw"),
               lambda d: 100 * (d["a_15_24"] + d["a_25_44"]) / d["a_inw"]),
    "p_65_oo": ("65 jaar en ouder (% inw.)", ("a_65_oo", "a_inw"), lambda d: 100 * d["a_65_oo"] / d["a_inw"]),
    "p_1p_hh": ("eenpersoonshuishoudens (% hh)", ("a_1p_hh", "a_hh"),
                lambda d: 100 * d["a_1p_hh"] / d["a_hh"]),
}


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
            raise ConfigError(f"Periode '{period}' niet begrepen.",
                              hint="Geef een jaar of twee jaren, bijvoorbeeld 2015-2016.")
    else:
        nums = [int(p) for p in period]
    start, end = nums[0], nums[-1]
    if start > end:
        raise ConfigError(f"Periode '{period}': beginjaar ligt na eindjaar.", hint="Bijvoorbeeld 2015-2016.")
    return start, end


class DistrictMonitor:
    """District-monitor computations for one store (see the module docstring)."""

    def __init__(self, rt: Roltrap) -> None:
        self.rt = rt

    # -- helpers ---------------------------------------------------------------------------
    def _gemeente(self, gemeente: str | None) -> dict[str, Any]:
        reg = self.rt.region(gemeente or self.rt.settings.gemeente)
        if reg["level"] != "gemeente":
            raise ConfigError(f"{reg['code']} ({reg['name']}) is geen gemeente maar een {reg['level']}.",
                              hint="Geef een gemeentecode zoals GM0546.")
        return reg

    def _wijken(self, gm: str) -> pd.DataFrame:
        return self.rt.children(gm, level="wijk")

    def _wijk_gemeente(self, wijk: str | None, gemeente: str | None) -> str | None:
        """With ``wijk=``: the municipality to compute over (the district's own, unless given)."""
        if wijk is None:
            return gemeente
        reg = self.rt.region(wijk)
        if reg["level"] != "wijk":
            raise InputError(f"{reg['code']} ({reg['name']}) is geen wijk maar een {reg['level']}.",
                             problems=[Problem("een wijkcode zoals WK054608", column="wijk", value=wijk)],
                             hint="Laat --wijk weg voor alle wijken van de gemeente.")
        if gemeente is not None and self._gemeente(gemeente)["code"] != reg["parent"]:
            raise InputError(f"Wijk {reg['code']} ({reg['name']}) ligt niet in {gemeente}.",
                             problems=[Problem(f"een wijk van {gemeente}", column="wijk", value=wijk)],
                             hint="Laat --gemeente weg: de gemeente volgt uit de wijk.")
        return str(reg["parent"]) if reg["parent"] else gemeente

    def _only_wijk(self, result: MonitorResult, wijk: str | None) -> MonitorResult:
        """Keep one district's row plus its municipality's row (for reference), when ``wijk`` is set."""
        if wijk is None:
            return result
        reg = self.rt.region(wijk)
        keep = {reg["code"], reg["parent"]}
        rows = result.rows[result.rows["code"].isin(keep)].reset_index(drop=True)
        extra = {**result.extra, "wijk": reg["code"], "n_wijken": int(result.rows["code"].astype(str)
                                                                        .str.startswith("WK").sum())}
        notes = list(result.notes)
        if result.kind == "rank" and not rows.empty and pd.notna(rows["rank"].iloc[0]):
            notes.append(f"{reg['name']} staat op plaats {int(rows['rank'].iloc[0])} van "
                         f"{extra['n_wijken']} wijken (1 = zwakste positie).")
        return replace(result, title=f"{result.title} — {reg['name']}", rows=rows, extra=extra, notes=notes)

    def _pick_year(self, codes: list[str], indicators: list[str], year: int | None) -> int:
        """The asked year, or the year in which most of ``indicators`` are held for ``codes``."""
        obs = self.rt.observations(codes=codes, indicators=indicators)
        obs = obs[obs["value"].notna()]
        if year is not None:
            if obs.empty or year not in set(obs["year"]):
                held = sorted(set(obs["year"])) if not obs.empty else []
                raise NotFoundError(
                    f"Geen cijfers voor {', '.join(indicators[:4])}… in {year}.",
                    hint=f"Jaren met cijfers: {', '.join(map(str, held)) or 'geen'}.")
            return int(year)
        if obs.empty:
            raise NotAvailableError(
                f"Geen van de benodigde indicatoren ({', '.join(indicators)}) is beschikbaar voor "
                f"{', '.join(codes[:3])}.", hint="Importeer Kerncijfers wijken en buurten met `roltrap "
                                                 "import`.")
        counts = obs.groupby("year").size()
        best = counts[counts == counts.max()].index.max()
        return int(best)

    def _region_table(self) -> pd.DataFrame:
        """code → name, level, parent for every region (plain lookup, no figures)."""
        return self.rt.store.query("SELECT code, name, level, parent FROM regions").set_index("code")

    def _wide(self, codes: list[str], indicators: list[str], year: int) -> pd.DataFrame:
        # Pivot the long table on the code alone (one row per region, whatever its parent).
        long = self.rt.observations(codes=codes, indicators=indicators, years=[year])
        wide = long.pivot_table(index="region_code", columns="indicator_id", values="value", aggfunc="first")
        wide.columns.name = None
        names = self._region_table()
        wide = wide.reindex(codes)
        wide["name"] = names["name"].reindex(codes).to_numpy()
        wide["level"] = names["level"].reindex(codes).to_numpy()
        for ind in indicators:
            if ind not in wide.columns:
                wide[ind] = np.nan
        return wide

    def _sources(self, codes: list[str], indicators: list[str], years: list[int] | None = None) -> list[str]:
        obs = self.rt.observations(codes=codes, indicators=indicators, years=years)
        ids = sorted(set(obs.loc[obs["value"].notna(), "source_id"]))
        src = self.rt.sources().set_index("id")
        return [f"{src.at[i, 'title']} ({src.at[i, 'publisher']})" if i in src.index else str(i) for i in ids]

    def _flow_sources(self, codes: list[str]) -> list[str]:
        fl = self.rt.flows(codes=codes)
        src = self.rt.sources().set_index("id")
        return [f"{src.at[i, 'title']} ({src.at[i, 'publisher']})" if i in src.index else str(i)
                for i in sorted(set(fl["source_id"]))]

    def _series(self, code: str, indicator: str) -> pd.DataFrame:
        obs = self.rt.observations(codes=[code], indicators=[indicator])
        return obs[obs["value"].notna()][["year", "value", "source_id", "estimate"]]

    def _population(self, code: str, target: float) -> tuple[float, int | None]:
        """Inhabitants in the year nearest to ``target``: KWB ``a_inw`` or end-of-year ``bev_eind``."""
        obs = self.rt.observations(codes=[code], indicators=["a_inw", "bev_eind"])
        obs = obs[obs["value"].notna()]
        if obs.empty:
            return float("nan"), None
        obs = obs.assign(_d=(obs["year"] - target).abs(), _pref=(obs["indicator_id"] != "a_inw").astype(int))
        best = obs.sort_values(["_d", "_pref", "year"], kind="stable").iloc[0]
        return float(best["value"]), int(best["year"])

    def _nearest(self, code: str, indicator: str, target: float) -> tuple[float, int | None]:
        s = self._series(code, indicator)
        if s.empty:
            return float("nan"), None
        idx = (s["year"] - target).abs().sort_values(kind="stable").index[0]
        return float(s.at[idx, "value"]), int(s.at[idx, "year"])

    # -- 1. turnover -----------------------------------------------------------------------
    def turnover(self, *, gemeente: str | None = None, period: str | tuple[int, int] | None = None,
                 level: str = "wijk", partial: str = "exclude", method: str = "scaled",
                 wijk: str | None = None) -> MonitorResult:
        """Replacement speed and newcomer share for the municipality and (estimated) its districts."""
        gemeente = self._wijk_gemeente(wijk, gemeente)
        reg = self._gemeente(gemeente)
        gm = reg["code"]
        flows = self.rt.flows(codes=[gm])
        if flows.empty:
            raise NotAvailableError(
                f"Geen vestigingscijfers voor {reg['name']} ({gm}).",
                hint="Vestiging/vertrek komt uit CBS 37230; importeer die tabel.")
        per = parse_period(period)
        held_years = sorted(int(y) for y in flows["year"].unique())
        years = [y for y in held_years if per is None or per[0] <= y <= per[1]]
        if not years:
            raise NotFoundError(f"Geen vestigingscijfers voor {reg['name']} in {period}.",
                                hint=f"Jaren met cijfers: {held_years[0]}–{held_years[-1]}.")
        summ = turnover_mod.annual_settlers(flows, years=years, partial=partial)
        if gm not in summ.per_region.index:
            raise NotAvailableError(f"Alle jaren in {period} zijn onvolledig voor {gm}.",
                                    hint="Gebruik --partial annualise of kies volledige jaren.")
        used = summ.per_region.at[gm, "years"]
        settlers = float(summ.per_region.at[gm, "settlers"])
        mid = float(used[-1])
        pop, pop_year = self._population(gm, mid)
        speed = turnover_mod.replacement_speed(pop, settlers)
        period_txt = f"{used[0]}–{used[-1]}" if len(used) > 1 else str(used[0])
        rows: list[dict[str, Any]] = [{
            "code": gm, "name": reg["name"], "level": "gemeente", "period": period_txt,
            "inwoners": pop, "vestigers_per_jaar": settlers,
            "vervangingssnelheid": speed, "nieuwkomers_pct": 100 * settlers / pop if pop else np.nan,
            "unit": "jaar", "estimate": False, "method": "CBS-vestigingen (andere gemeente + buitenland)",
            "available": not np.isnan(speed), "reason": None if not np.isnan(speed) else
            "inwonertal ontbreekt" if np.isnan(pop) else "geen vestigers",
        }]
        notes: list[str] = []
        for yr, why in summ.excluded.items():
            notes.append(f"{yr} weggelaten: {why} (onvolledig jaar).")
        for yr, months in summ.annualised.items():
            notes.append(f"{yr} opgehoogd naar een jaar: ×12/{months} (seizoenspatroon genegeerd).")
        if pop_year is not None and pop_year not in used:
            notes.append(f"Inwonertal uit {pop_year}: het dichtstbijzijnde jaar met een inwonertal bij "
                         f"{used[-1]}.")
        syllabus: list[dict[str, Any]] = []
        if level == "wijk":
            wijken = self._wijken(gm)
            codes = list(wijken["code"])
            moves_years = list(range(used[0], used[-1] + 1))
            mv = self.rt.observations(codes=[*codes, gm], indicators=["elan_moves_pp"])
            mv = mv[mv["value"].notna()]
            mv_in = mv[mv["year"].isin(moves_years)]
            if mv_in.empty and not mv.empty:
                near = int(mv.loc[(mv["year"] - mid).abs().idxmin(), "year"])
                mv_in = mv[mv["year"] == near]
                notes.append(f"Verhuizingen per inwoner niet voor {period_txt}; gebruikt: {near}.")
            moves = mv_in.groupby("region_code")["value"].mean()
            pops = {c: self._population(c, mid) for c in codes}
            dist = pd.DataFrame({
                "population": pd.Series({c: p[0] for c, p in pops.items()}, dtype=float),
                "moves_pp": moves.reindex(codes).astype(float),
            }, index=codes)
            est = turnover_mod.district_settlers(dist, municipal_settlers=settlers, method=method)
            wijk_pop_years = sorted({p[1] for p in pops.values() if p[1] is not None})
            for code in codes:
                p = dist.at[code, "population"]
                s = est.get(code, np.nan)
                sp = turnover_mod.replacement_speed(p, s)
                reason = None
                if np.isnan(p):
                    reason = "inwonertal van de wijk ontbreekt"
                elif np.isnan(dist.at[code, "moves_pp"]):
                    reason = "verhuizingen per inwoner (ELAN) ontbreken voor deze wijk"
                rows.append({
                    "code": code, "name": wijken.set_index("code").at[code, "name"], "level": "wijk",
                    "period": period_txt, "inwoners": p, "vestigers_per_jaar": s,
                    "vervangingssnelheid": sp, "nieuwkomers_pct": 100 * s / p if p else np.nan,
                    "unit": "jaar", "estimate": True,
                    "method": f"schatting ({method}) uit ELAN-verhuizingen per inwoner",
                    "available": reason is None, "reason": reason,
                })
            if wijk_pop_years:
                notes.append(f"Inwonertal van de wijken uit {', '.join(map(str, wijk_pop_years))}.")
            if gm == "GM0546":
                syllabus = SYLLABUS_DISTRICTS
                notes.append("Syllabus (§8, 2018–2020): Leiden Zuidwest, Slaaghwijk en Overig Merenwijk zijn "
                             "buurten/deelgebieden, geen CBS-wijken; ze zijn gekoppeld aan de wijk waarin ze "
                             "liggen en niet één-op-één vergelijkbaar.")
        df = pd.DataFrame(rows)
        for c in ("vestigers_per_jaar", "inwoners"):
            # Person counts: a cell under the minimum is withheld (estimates of tiny districts too).
            df[c] = suppress_small(df[c], min_cell=self.rt.settings.min_cell).astype(float)
        df.loc[df["inwoners"].isna() | df["vestigers_per_jaar"].isna(),
               ["vervangingssnelheid", "nieuwkomers_pct"]] = np.nan
        method_txt = (
            "Rekenkundige vervangingssnelheid = inwoners / gemiddeld aantal vestigers per jaar. Vestigers "
            "gemeente = vestiging uit een andere gemeente + uit het buitenland (CBS 37230), gemiddeld over "
            f"{period_txt}. Nieuwkomers = vestigers per jaar als % van de inwoners.")
        assumptions = [
            "Verhuizingen binnen de gemeente tellen niet als vestiging van de gemeente.",
        ]
        if level == "wijk":
            if method == "scaled":
                method_txt += (" Wijken: geen gepubliceerde vestigers; geschat als vestigers gemeente × "
                               "(verhuizingen per inwoner × inwoners van de wijk) / som over de wijken "
                               "(ELAN, CBS-microdata). De wijken tellen op tot de gemeente.")
                assumptions.append("Een wijk trekt vestigers van buiten de stad naar rato van het aantal "
                                   "verhuizingen van haar bewoners; verhuizingen tussen wijken van dezelfde "
                                   "stad tellen niet mee, dus wijksnelheden zijn eerder te lang dan te kort.")
            else:
                method_txt += (" Wijken: vestigers ≈ verhuizingen per inwoner × inwoners (alle "
                               "adreswijzigingen, "
                               "ook binnen de stad en binnen de wijk): een bovengrens voor vestigers.")
                assumptions.append("Elke verhuizing van een bewoner eindigt in de wijk waar hij woont; "
                                   "verhuizingen binnen de wijk tellen mee (snelheid = ondergrens).")
        result = MonitorResult(
            kind="turnover", title=f"Vervangingssnelheid {reg['name']} ({period_txt})", rows=df, unit="jaar",
            method=method_txt, assumptions=assumptions,
            sources=self._flow_sources([gm]) + self._sources([gm, *([r["code"] for r in rows[1:]])],
                                                             ["a_inw", "elan_moves_pp"]),
            notes=notes,
            extra={"period": used, "excluded_years": summ.excluded, "annualised_years": summ.annualised,
                   "population_year": pop_year, "method": method, "syllabus": syllabus,
                   "syllabus_gemeente": {"GM0546": 11.4}.get(gm)},
        )
        return self._only_wijk(result, wijk)

    # -- 2. arrival vs destination --------------------------------------------------------


    def classify(self, *, gemeente: str | None = None, year: int | None = None,
                 period: str | tuple[int, int] | None = None,
                 thresholds: classify_mod.Thresholds | None = None,
                 wijk: str | None = None) -> MonitorResult:
        """Wijk van aankomst / bestemming / gemengd, with the evidence per district."""
        gemeente = self._wijk_gemeente(wijk, gemeente)
        reg = self._gemeente(gemeente)
        gm = reg["code"]
        codes = list(self._wijken(gm)["code"])
        need = ["a_inw", "a_15_24", "a_25_44", "a_65_oo", "a_hh", "a_1p_hh", "a_hh_m_k",
                "p_huurw", "p_koopw", "p_mgezw", "p_1gezw"]
        yr = self._pick_year([gm, *codes], need, year)
        wide = self._wide([gm, *codes], need, yr)
        notes: list[str] = []
        # mobility: newcomer share from the turnover estimate (if flows and moves are held)
        try:
            to = self.turnover(gemeente=gm, period=period).rows.set_index("code")
            wide["nieuwkomers"] = to["nieuwkomers_pct"].reindex(wide.index)
        except (NotAvailableError, NotFoundError) as exc:
            notes.append(f"Verhuismobiliteit niet meegenomen: {exc.message}")
        # growth: mean annual % change of a_inw between the first and last year held
        pop = self.rt.observations(codes=[gm, *codes], indicators=["a_inw"])
        pop = pop[pop["value"].notna()]
        growth = {}
        for code, g in pop.groupby("region_code"):
            g = g.sort_values("year")
            if len(g) >= 2 and g["year"].iloc[-1] > g["year"].iloc[0] and g["value"].iloc[0] > 0:
                span = g["year"].iloc[-1] - g["year"].iloc[0]
                growth[code] = 100 * ((g["value"].iloc[-1] / g["value"].iloc[0]) ** (1 / span) - 1)
        if growth:
            wide["groei"] = pd.Series(growth).reindex(wide.index)
            years_held = sorted(set(pop["year"]))
            notes.append(f"Groei: gemiddelde jaarlijkse verandering van het inwonertal {years_held[0]}–"
                         f"{years_held[-1]} (gemeten waar beide jaren aanwezig zijn).")
        prof = classify_mod.profile(wide)
        result, evidence = classify_mod.classify(prof.loc[codes], prof.loc[gm], thresholds=thresholds)
        th = thresholds or classify_mod.Thresholds()
        rows = []
        for code in codes:
            ev = evidence.get(code, [])
            top = "; ".join(f"{e['label']} {nl.number(e['value'], 1)} (stad {nl.number(e['city_value'], 1)})"
                            for e in ev[:3])
            r = result.loc[code]
            rows.append({
                "code": code, "name": wide.at[code, "name"], "class": r["class"],
                "score": r["score"], "n_indicatoren": int(r["n_components"]),
                "vervangingssnelheid": (to["vervangingssnelheid"].get(code, np.nan)
                                        if "nieuwkomers" in wide.columns else np.nan),
                "belangrijkste_kenmerken": top, "evidence": ev, "unit": "score",
                "estimate": "nieuwkomers" in wide.columns,
                "available": pd.notna(r["score"]),
                "reason": None if pd.notna(r["score"]) else
                f"te weinig indicatoren (minder dan {th.min_components})",
            })
        df = pd.DataFrame(rows)
        syl = {c: ("wijk van bestemming" if c in SYLLABUS_DESTINATION else "wijk van aankomst")
               for c in codes} if gm == "GM0546" else {}
        if syl:
            df["syllabus"] = df["code"].map(syl)
        result = MonitorResult(
            kind="classify", title=f"Wijken van aankomst en bestemming, {reg['name']} ({yr})", rows=df,
            unit="score",
            method=("Per indicator van de matrix (§9): z = (wijk − stad) / spreiding tussen de wijken, met "
                    "teken + voor 'aankomst' (jong, alleenstaand, huur, appartementen, veel nieuwkomers, "
                    "groei) "
                    "en − voor 'bestemming' (gezinnen, 65+, koop, eengezinswoningen). Score = gemiddelde "
                    f"z. Score ≥ {nl.number(th.aankomst, 2)} → wijk van aankomst, "
                    f"≤ {nl.signed(th.bestemming, 2)} → wijk van bestemming, "
                    "anders gemengd."),
            assumptions=["Alle indicatoren wegen even zwaar.",
                         "De stad als geheel is het referentiepunt; de klassen zijn dus relatief binnen "
                         "de stad.",
                         "Nieuwkomers per wijk zijn een schatting (zie vervangingssnelheid)."],
            sources=self._sources([gm, *codes], need, [yr]), notes=notes,
            extra={"year": yr, "thresholds": {"aankomst": th.aankomst, "bestemming": th.bestemming,
                                              "min_components": th.min_components},
                   "components": [c.__dict__ for c in classify_mod.COMPONENTS],
                   "city_profile": prof.loc[gm].to_dict(), "syllabus": syl},
        )
        return self._only_wijk(result, wijk)

    # -- 3. vulnerable population ---------------------------------------------------------


    def vulnerable(self, *, gemeente: str | None = None, year: int | None = None,
                   persons_per_household: float | None = None,
                   wijk: str | None = None) -> MonitorResult:
        """Three lenses (education, provisions, income) and the triangulated range."""
        gemeente = self._wijk_gemeente(wijk, gemeente)
        reg = self._gemeente(gemeente)
        gm = reg["code"]
        codes = list(self._wijken(gm)["code"])
        need = ["a_inw", "a_hh", "a_opl_lg", "a_soz_wb", "a_wmo_t", "a_jz_tn", "p_hh_110", "p_hh_120",
                "g_hhgro"]
        yr = self._pick_year([gm], need, year)
        wide = self._wide([gm, *codes], need, yr)
        lens = vulnerable_mod.lenses(wide, persons_per_household=persons_per_household)
        min_cell = self.rt.settings.min_cell
        count_cols = ["opleiding", "voorzieningen_min", "voorzieningen_max", "voorzieningen",
                      "inkomen_110", "inkomen_120", "inkomen", "bereik_min", "bereik_max", "centraal"]
        for c in count_cols:
            supp = suppress_small(lens[c], min_cell=min_cell).astype(float)
            lens.loc[supp.isna(), f"pct_{c}" if f"pct_{c}" in lens.columns else c] = np.nan
            lens[c] = supp
        rows = []
        for code in [gm, *codes]:
            r = lens.loc[code]
            missing = []
            if pd.isna(r["opleiding"]):
                missing.append("opleiding (a_opl_lg)")
            if pd.isna(r["voorzieningen"]):
                missing.append("voorzieningen")
            if pd.isna(r["inkomen"]):
                missing.append("inkomen (p_hh_110/120)")
            reason = (f"{NOT_AVAILABLE}: {', '.join(missing)}" if missing else None)
            if not r["voorzieningen_compleet"] and pd.notna(r["voorzieningen"]):
                extra = f"voorzieningen zonder {r['voorzieningen_ontbreekt']}"
                reason = f"{reason}; {extra}" if reason else extra
            rows.append({
                "code": code, "name": wide.at[code, "name"], "level": wide.at[code, "level"],
                "inwoners": r["a_inw"],
                "opleiding": r["opleiding"], "pct_opleiding": r["pct_opleiding"],
                "voorzieningen_min": r["voorzieningen_min"], "voorzieningen_max": r["voorzieningen_max"],
                "pct_voorzieningen_min": r["pct_voorzieningen_min"],
                "pct_voorzieningen_max": r["pct_voorzieningen_max"],
                "inkomen_110": r["inkomen_110"], "inkomen_120": r["inkomen_120"],
                "pct_inkomen_110": r["pct_inkomen_110"], "pct_inkomen_120": r["pct_inkomen_120"],
                "personen_per_hh": r["personen_per_hh"],
                "bereik_min": r["bereik_min"], "centraal": r["centraal"], "bereik_max": r["bereik_max"],
                "pct_centraal": r["pct_centraal"], "n_lenzen": int(r["n_lenzen"]),
                "unit": "personen", "estimate": True, "available": int(r["n_lenzen"]) > 0,
                "reason": reason,
            })
        df = pd.DataFrame(rows)
        pph_txt = (f"{persons_per_household:g} personen per huishouden (opgegeven)"
                   if persons_per_household is not None else
                   "de gemiddelde huishoudensgrootte van het gebied (g_hhgro)")
        g = lens.loc[gm]
        syllabus = {
            "educated_guess": {"personen": 15000, "pct": 12.0, "jaar": 2020},
            "voorzieningen": {"2018": {"personen": 14450, "pct": 11.6},
                              "2019": {"personen": 14105, "pct": 11.3}},
            "inkomen": {"p_hh_110": 12.0, "p_hh_120": 15.1},
        } if gm == "GM0546" else {}
        lenses_long = [
            {"lens": "opleiding", "omschrijving": "volwassenen (15–75) zonder startkwalificatie",
             "laag": g["opleiding"], "hoog": g["opleiding"], "centraal": g["opleiding"]},
            {"lens": "voorzieningen", "omschrijving": "bijstand, WMO, jeugdzorg (overlap onbekend)",
             "laag": g["voorzieningen_min"], "hoog": g["voorzieningen_max"], "centraal": g["voorzieningen"]},
            {"lens": "inkomen", "omschrijving": "huishoudens tot 110% / 120% sociaal minimum, in personen",
             "laag": g["inkomen_110"], "hoog": g["inkomen_120"], "centraal": g["inkomen"]},
        ]
        result = MonitorResult(
            kind="vulnerable", title=f"Kwetsbare bevolking {reg['name']} ({yr}): drie lenzen", rows=df,
            unit="personen",
            method=("Drie lenzen. Opleiding: laagopgeleiden 15–75 jaar (a_opl_lg). Voorzieningen: "
                    "personen met "
                    "bijstand, WMO of jeugdzorg; zonder overlaptabel ligt het aantal tussen het grootste "
                    "van de "
                    "drie (volledige overlap) en de som (geen overlap); centraal = midden. Inkomen: "
                    "huishoudens "
                    f"tot 110% en 120% van het sociaal minimum × aantal huishoudens × {pph_txt}; centraal = "
                    "gemiddelde. Driehoeksmeting: bereik = kleinste tot grootste lens, centraal = "
                    "mediaan van de "
                    "drie lenzen; aandeel = centraal / inwoners."),
            assumptions=[
                f"Personen per huishouden met laag inkomen = {pph_txt}. Lage-inkomenshuishoudens zijn vaker "
                "alleenstaanden (dan te hoog) maar ook vaker eenoudergezinnen (dan te laag).",
                "Laagopgeleiden omvatten ook scholieren en gepensioneerden van 15–75 jaar.",
                "Jeugdzorg telt jongeren; WMO telt cliënten; bijstand telt personen (KWB).",
            ],
            sources=self._sources([gm, *codes], need, [yr]),
            notes=["Syllabus: educated guess ≈15.000 personen (12%); voorzieningen 14.450 (11,6%) in 2018 en "
                   "14.105 (11,3%) in 2019; inkomen 110%/120%: 12,0%/15,1%."] if syllabus else [],
            extra={"year": yr, "gemeente": lenses_long, "syllabus": syllabus,
                   "triangulatie": {"laag": g["bereik_min"], "centraal": g["centraal"],
                                    "hoog": g["bereik_max"],
                                    "pct_centraal": g["pct_centraal"]}},
        )
        return self._only_wijk(result, wijk)

    # -- 4. ranking -------------------------------------------------------------------------


    def rank(self, *, gemeente: str | None = None, year: int | None = None,
             wijk: str | None = None) -> MonitorResult:
        """Districts ranked on a socio-economic composite (rank 1 = weakest position)."""
        gemeente = self._wijk_gemeente(wijk, gemeente)
        reg = self._gemeente(gemeente)
        gm = reg["code"]
        codes = list(self._wijken(gm)["code"])
        need = ["a_inw", "g_ink_pi", "p_hh_osm", "p_hh_110", "a_soz_wb", "a_opl_lg"]
        yr = self._pick_year(codes, need, year)
        wide = self._wide(codes, need, yr)
        minima = "p_hh_osm" if wide["p_hh_osm"].notna().any() else "p_hh_110"
        ranked = rank_mod.rank(rank_mod.components(wide, minima=minima))
        df = ranked.reset_index(names="code")
        df.insert(1, "name", wide["name"].reindex(df["code"]).to_numpy())
        df["unit"] = "z-score"
        df["estimate"] = False
        df["available"] = df["score"].notna()
        df["reason"] = [None if ok else "te weinig componenten beschikbaar" for ok in df["score"].notna()]
        df = df.sort_values(["rank", "code"], na_position="last").reset_index(drop=True)
        labels = {c.key: c.label for c in rank_mod.RANK_COMPONENTS}
        result = MonitorResult(
            kind="rank", title=f"Sociaal-economische rangorde wijken {reg['name']} ({yr})", rows=df,
            unit="z-score",
            method=("Per component een z-score over de wijken (gemiddelde 0, spreiding 1), zo gericht "
                    "dat hoger = "
                    "zwakkere positie: inkomen per inwoner (−), " + labels["minima"] + f" [{minima}] (+), "
                    "bijstand per 100 inwoners (+), laagopgeleiden per 100 inwoners (+). Score = gemiddelde; "
                    "rang 1 = zwakste positie."),
            assumptions=["Componenten wegen even zwaar.", "Ongewogen: elke wijk telt één keer, ongeacht "
                                                          "grootte."],
            sources=self._sources(codes, need, [yr]), notes=[],
            extra={"year": yr, "minima": minima, "components": labels},
        )
        return self._only_wijk(result, wijk)

    # -- 5. comparison ---------------------------------------------------------------------


    def compare(self, *, gemeente: str | None = None, peers: list[str] | None = None, auto: int = 0,
                year: int | None = None, period: str | tuple[int, int] | None = "2015-2016") -> MonitorResult:
        """The municipality beside its peers (syllabus set by default) and automatically found look-alikes."""
        reg = self._gemeente(gemeente)
        gm = reg["code"]
        need = ["a_inw", "a_hh", "p_hh_110", "p_hh_120", "a_soz_wb", "a_wmo_t", "a_jz_tn", "a_opl_lg",
                "a_opl_hg", "bev_dich", "p_huurw", "a_1p_hh", "a_w_all", "a_nw_all", "a_65_oo"]
        yr = self._pick_year([gm], need, year)
        peer_codes = [self.rt.region(p)["code"] for p in peers] if peers is not None \
            else [c for c in compare_mod.SYLLABUS_PEERS if c != gm]
        kind = {c: "syllabus" if peers is None else "gekozen" for c in peer_codes}
        notes: list[str] = []
        distances: dict[str, float] = {}
        if auto > 0:
            long = self.rt.observations(indicators=need, years=[yr], level="gemeente")
            allgm = long.pivot_table(index="region_code", columns="indicator_id", values="value",
                                     aggfunc="first")
            feats = compare_mod.peer_features(allgm)
            if gm not in feats.index:
                raise NotAvailableError(f"Geen kenmerken voor {gm} in {yr}.")
            near = compare_mod.similar(feats, gm, k=auto)
            for c, d in near["distance"].items():
                distances[str(c)] = float(d)
                if c not in kind:
                    peer_codes.append(str(c))
                    kind[str(c)] = "automatisch"
                else:
                    kind[str(c)] += " + automatisch"
        codes = [gm, *peer_codes]
        regs = self._region_table()
        known = set(regs.index[regs["level"] == "gemeente"])
        missing = [c for c in codes if c not in known]
        codes = [c for c in codes if c in known]
        if missing:
            notes.append(f"Niet in de database: {', '.join(missing)}.")
        wide = self._wide(codes, need, yr)
        prov = vulnerable_mod.lenses(wide)
        flows = self.rt.flows(codes=codes)
        per = parse_period(period)
        speed: dict[str, float] = {}
        period_txt = ""
        if not flows.empty:
            yrs = sorted(int(y) for y in flows["year"].unique() if per is None or per[0] <= y <= per[1])
            summ = turnover_mod.annual_settlers(flows, years=yrs)
            for c in codes:
                if c in summ.per_region.index:
                    used = summ.per_region.at[c, "years"]
                    pop, _ = self._population(c, used[-1])
                    speed[c] = float(turnover_mod.replacement_speed(pop, summ.per_region.at[c, "settlers"]))
                    period_txt = f"{used[0]}–{used[-1]}"
        rows = []
        for c in codes:
            syl = compare_mod.SYLLABUS_FIGURES.get(c, {})
            rows.append({
                "code": c, "name": wide.at[c, "name"], "vergelijking": "gemeente" if c == gm else kind.get(c),
                "afstand": distances.get(c, np.nan),
                "inwoners": wide.at[c, "a_inw"],
                "p_hh_110": wide.at[c, "p_hh_110"], "p_hh_120": wide.at[c, "p_hh_120"],
                "pct_voorzieningen_min": prov.at[c, "pct_voorzieningen_min"],
                "pct_voorzieningen_max": prov.at[c, "pct_voorzieningen_max"],
                "pct_laagopgeleid": prov.at[c, "pct_opleiding"],
                "vervangingssnelheid": speed.get(c, np.nan),
                "syllabus_voorzieningen_pct": syl.get("voorzieningen_pct", np.nan),
                "syllabus_p_hh_110": syl.get("p_hh_110", np.nan),
                "syllabus_p_hh_120": syl.get("p_hh_120", np.nan),
                "syllabus_vervangingssnelheid": syl.get("vervangingssnelheid", np.nan),
                "unit": "%", "estimate": False, "available": pd.notna(wide.at[c, "a_inw"]),
                "reason": None if pd.notna(wide.at[c, "a_inw"]) else f"geen KWB-cijfers in {yr}",
            })
        df = pd.DataFrame(rows)
        return MonitorResult(
            kind="compare", title=f"{reg['name']} vergeleken ({yr})", rows=df, unit="%",
            method=("KWB-cijfers van hetzelfde jaar naast elkaar. Voorzieningen: bijstand, WMO, "
                    "jeugdzorg als % "
                    "van de inwoners, ondergrens (grootste) en bovengrens (som). Vervangingssnelheid: "
                    "inwoners / "
                    f"vestigers per jaar {period_txt or '(geen vestigingscijfers)'}. Automatische "
                    f"vergelijkers: "
                    "kleinste gestandaardiseerde afstand (z-scores over alle gemeenten) op "
                    + ", ".join(compare_mod.PEER_FEATURES.values()) + "."),
            assumptions=["Syllabuscijfers gelden voor andere jaren (voorzieningen 2019, vervangingssnelheid "
                         "2018–2020) en andere definities (cliënten met minstens één voorziening)."],
            sources=self._sources(codes, need, [yr]) + self._flow_sources(codes), notes=notes,
            extra={"year": yr, "period": period_txt, "features": compare_mod.PEER_FEATURES,
                   "distances": distances},
        )

    # -- 6. trend and projection -----------------------------------------------------------
    def _indicator_series(self, code: str, indicator: str) -> tuple[pd.DataFrame, str, list[str]]:
        """Yearly series (year, value, estimate, source) of an indicator or a derived share."""
        notes: list[str] = []
        if indicator in DERIVED:
            label, inputs, fn = DERIVED[indicator]
            obs = self.rt.observations(codes=[code], indicators=list(inputs))
            wide = obs.pivot_table(index="year", columns="indicator_id", values="value", aggfunc="first")
            for i in inputs:
                if i not in wide.columns:
                    wide[i] = np.nan
            val = fn(wide).dropna()
            est = obs.groupby("year")["estimate"].any().reindex(val.index).fillna(False)
            series = pd.DataFrame({"year": val.index.astype(int), "value": val.to_numpy(),
                                   "estimate": est.to_numpy().astype(bool), "bron": "KWB"})
            if indicator == "p_internationaal":
                elan = self._elan_international(code)
                if not elan.empty:
                    notes.append("Reeks aangevuld met ELAN-aandelen westers + niet-westers (CBS-microdata, "
                                 "schatting; andere definitie dan KWB). Waar beide bestaan wint KWB.")
                    elan = elan[~elan["year"].isin(series["year"])]
                    series = pd.concat([series, elan]).sort_values("year").reset_index(drop=True)
            return series, label, notes
        ind = self.rt.indicator(indicator)
        s = self._series(code, indicator)
        series = pd.DataFrame({"year": s["year"].astype(int), "value": s["value"].astype(float),
                               "estimate": s["estimate"].astype(bool), "bron": s["source_id"]})
        return series.reset_index(drop=True), f"{ind['label']} ({ind['unit']})", notes

    def _elan_international(self, code: str) -> pd.DataFrame:
        cat = self.rt.catalogue()
        ids = [i for i in cat["id"] if str(i).startswith("elan_") and "west" in str(i).lower()]
        if not ids:
            return pd.DataFrame(columns=["year", "value", "estimate", "bron"])
        obs = self.rt.observations(codes=[code], indicators=ids)
        if obs.empty:
            return pd.DataFrame(columns=["year", "value", "estimate", "bron"])
        tot = obs.groupby("year")["value"].sum(min_count=len(ids)).dropna()
        if not tot.empty and tot.max() <= 1.0:  # shares held as fractions: to percent
            tot = tot * 100
        return pd.DataFrame({"year": tot.index.astype(int), "value": tot.to_numpy(), "estimate": True,
                             "bron": "ELAN"})

    def trend(self, *, code: str, indicator: str) -> MonitorResult:
        """An indicator over the years held, with the linear trend per year."""
        reg = self.rt.region(code)
        series, label, notes = self._indicator_series(reg["code"], indicator)
        if series.empty:
            raise NotAvailableError(f"Geen reeks voor {indicator} in {reg['name']} ({reg['code']}).",
                                    hint="Kijk met `roltrap show` welke indicatoren er zijn.")
        rows = series.assign(code=reg["code"], name=reg["name"], unit=label, kind="waarneming")
        extra: dict[str, Any] = {"indicator": indicator, "label": label}
        method = "Waarnemingen per jaar."
        if series["year"].nunique() >= 2:
            fit = trend_mod.fit_linear(series["year"], series["value"])
            extra.update(slope=fit.slope, intercept=fit.intercept, r2=fit.r2, n=fit.n)
            method += (f" Lineaire trend (kleinste kwadraten): {nl.signed(fit.slope, 3)} per jaar, "
                       f"R² = {nl.number(fit.r2, 2)}.")
        else:
            notes.append("Maar één jaar beschikbaar: geen trend.")
        return MonitorResult(kind="trend", title=f"{label}: {reg['name']}", rows=rows.reset_index(drop=True),
                             unit=label, method=method, assumptions=[],
                             sources=self._sources([reg["code"]], [indicator]) if indicator not in DERIVED
                             else self._sources([reg["code"]], list(DERIVED[indicator][1])),
                             notes=notes, extra=extra)

    def project(self, *, code: str, indicator: str = "p_internationaal", target: float | None = None,
                level: float = 0.95, from_year: int | None = None, horizon: int = 15) -> MonitorResult:
        """Linear projection of a series with a prediction interval; the year a target is reached."""
        reg = self.rt.region(code)
        series, label, notes = self._indicator_series(reg["code"], indicator)
        if from_year is not None:
            series = series[series["year"] >= from_year]
        if series["year"].nunique() < 3:
            raise NotAvailableError(
                f"Te weinig jaren voor een projectie van {indicator} in {reg['name']} "
                f"({series['year'].nunique()} jaar).", hint="Een projectie vraagt minstens drie jaren.")
        fit = trend_mod.fit_linear(series["year"], series["value"])
        last = series.sort_values("year").iloc[-1]
        last_year, last_value = int(last["year"]), float(last["value"])
        tgt = None
        if target is not None:
            tgt = trend_mod.target_year(fit, target, last_year=last_year, last_value=last_value, level=level,
                                        horizon=max(horizon, 50))
        end = last_year + horizon
        if tgt is not None and tgt.latest is not None:
            end = max(end, int(np.ceil(tgt.latest)))
        future = np.arange(last_year + 1, end + 1)
        pred, lo, hi = fit.predict(future, level=level)
        obs_rows = series.assign(kind="waarneming", ondergrens=np.nan, bovengrens=np.nan)
        proj_rows = pd.DataFrame({"year": future, "value": pred, "ondergrens": lo, "bovengrens": hi,
                                  "estimate": True, "bron": "projectie", "kind": "projectie"})
        rows = pd.concat([obs_rows, proj_rows], ignore_index=True).assign(code=reg["code"], name=reg["name"],
                                                                           unit=label)
        pct = round(level * 100)
        extra: dict[str, Any] = {
            "indicator": indicator, "label": label, "model": "OLS lineair op jaar",
            "slope": fit.slope, "intercept": fit.intercept, "se": fit.se, "r2": fit.r2, "n": fit.n,
            "fit_years": [int(series["year"].min()), int(series["year"].max())], "level": level,
        }
        if tgt is not None:
            extra["target"] = {"value": tgt.target, "year": tgt.year, "earliest": tgt.earliest,
                               "latest": tgt.latest, "reached": tgt.reached}
            if tgt.reached:
                notes.append(f"Doel {target:g} is al bereikt in {last_year}.")
            elif tgt.year is None:
                notes.append(f"Volgens de trend wordt {target:g} niet bereikt binnen {max(horizon, 50)} "
                             f"jaar.")
            else:
                both = tgt.earliest is not None and tgt.latest is not None
                span = (f"{tgt.earliest:.0f}–{tgt.latest:.0f}" if both
                        else f"vanaf {tgt.earliest:.0f}" if tgt.earliest is not None else "onbepaald")
                notes.append(f"Doel {nl.number(target)} bereikt rond "
                             f"{nl.number(tgt.year, 1, grouping=False)} ({pct}%-voorspelinterval: {span}); "
                             f"dat is {nl.number(tgt.year - last_year, 1)} jaar na {last_year}.")
        if indicator == "p_internationaal" and reg["code"] == "GM0546":
            notes.append("Syllabus (§16): Leiden 32% in 2020; 'reële aanname' 40% binnen zeven à acht jaar.")
        return MonitorResult(
            kind="project", title=f"Projectie {label}: {reg['name']}", rows=rows, unit=label,
            method=(f"Lineaire trend (kleinste kwadraten) op {fit.n} jaren {extra['fit_years'][0]}–"
                    f"{extra['fit_years'][1]}: {nl.signed(fit.slope, 3)} per jaar "
                    f"(R² = {nl.number(fit.r2, 2)}); {pct}%-"
                    "voorspelinterval met Student-t (n − 2 vrijheidsgraden)."),
            assumptions=["De groei van de afgelopen jaren zet lineair door (geen versnelling, geen "
                         "trendbreuk).",
                         "Jaren zijn onafhankelijke waarnemingen rond de trendlijn."],
            sources=self._sources([reg["code"]], list(DERIVED[indicator][1]) if indicator in DERIVED
                                  else [indicator]), notes=notes, extra=extra)

    # -- 7. escalator conditions -----------------------------------------------------------
    def conditions(self, *, gemeente: str | None = None, year: int | None = None,
                   wijk: str | None = None) -> MonitorResult:
        """Success factors of a roltrapwijk per district, side by side."""
        gemeente = self._wijk_gemeente(wijk, gemeente)
        reg = self._gemeente(gemeente)
        gm = reg["code"]
        codes = list(self._wijken(gm)["code"])
        need = ["a_inw", "a_bedv", "p_koopw", "p_huurw", "p_1gezw", "p_mgezw", "g_afs_hp", "g_afs_gs",
                "g_afs_kv", "g_afs_sc", "g_afs_ov", "p_ink_hi", "p_ink_li"]
        yr = self._pick_year([gm, *codes], need, year)
        wide = self._wide([gm, *codes], need, yr)
        cond = conditions_mod.conditions(wide)
        # Where CBS publishes no station distance, the street network gives one (rt.access, issue 13).
        station = self.rt.access.station_km(gemeente=gm)
        filled = cond["g_afs_ov"].isna() & cond.index.isin(station.index)
        cond["g_afs_ov"] = cond["g_afs_ov"].fillna(station.reindex(cond.index))
        df = cond.reset_index(names="code")
        df.insert(1, "name", wide["name"].to_numpy())
        df.insert(2, "level", wide["level"].to_numpy())
        missing_cols = [c for c in conditions_mod.CONDITIONS if cond[c].isna().all()]
        df["unit"] = ""
        df["estimate"] = False
        df["available"] = cond.notna().any(axis=1).to_numpy()
        df["reason"] = [
            (f"{NOT_AVAILABLE}: " + ", ".join(v[0] for c, v in conditions_mod.CONDITIONS.items()
                                              if pd.isna(cond.at[code, c])))
            if cond.loc[code].isna().any() else None for code in cond.index]
        notes = [f"{conditions_mod.CONDITIONS[c][0]}: {NOT_AVAILABLE} in {yr}." for c in missing_cols]
        if filled.any():
            notes.append("Afstand tot treinstation: gemiddelde loopafstand van de bewoners over het "
                         "OpenStreetMap-straatnetwerk (roltrap access, © OpenStreetMap-bijdragers (ODbL)); "
                         "geen CBS-cijfer.")
        result = MonitorResult(
            kind="conditions", title=f"Voorwaarden voor een roltrapwijk, {reg['name']} ({yr})", rows=df,
            unit="",
            method=("Ondernemerschap: bedrijfsvestigingen per 1.000 inwoners. Wooncarrière: menging van "
                    "koop/huur "
                    "en eengezins/meergezins als entropie (0 = één soort, 1 = half om half). Voorzieningen: "
                    "gemiddelde afstand over de weg (km). Rolmodellen: % inwoners met hoog en laag "
                    "inkomen en "
                    "hun verhouding."),
            assumptions=["Een gemengde woningvoorraad maakt een wooncarrière binnen de wijk mogelijk.",
                         "Afstanden zijn CBS-gemiddelden per adres, geen reistijden."],
            sources=self._sources([gm, *codes], need, [yr]), notes=notes,
            extra={"year": yr, "factors": {c: {"label": v[0], "factor": v[1], "unit": v[2]}
                                           for c, v in conditions_mod.CONDITIONS.items()}},
        )
        return self._only_wijk(result, wijk)

    # -- 8. map classes --------------------------------------------------------------------


    def map_classes(self, *, gemeente: str | None = None, indicator: str, year: int | None = None,
                    scheme: str = "syllabus", k: int = 5) -> MonitorResult:
        """Districts binned into the syllabus's five classes (or quantiles), with the legend."""
        if scheme not in ("syllabus", "quantile"):
            raise ConfigError(f"Onbekende indeling '{scheme}'.", hint="Kies syllabus of quantile.")
        reg = self._gemeente(gemeente)
        gm = reg["code"]
        codes = list(self._wijken(gm)["code"])
        if indicator in DERIVED:
            label, inputs, fn = DERIVED[indicator]
            yr = self._pick_year(codes, list(inputs), year)
            wide = self._wide(codes, list(inputs), yr)
            values = fn(wide).astype(float)
            unit = "%"
        else:
            info = self.rt.indicator(indicator)
            label, unit = info["label"], info["unit"]
            if scheme == "syllabus" and info["kind"] != "share":
                raise ConfigError(
                    f"De syllabusklassen (< 10% … > 25%) gelden voor aandelen; {indicator} is een "
                    f"{info['kind']} ({unit}).",
                    hint="Kies een aandeel (bijv. p_hh_110 of p_internationaal) of --scheme quantile.")
            yr = self._pick_year(codes, [indicator], year)
            wide = self._wide(codes, [indicator], yr)
            values = wide[indicator].astype(float)
        classes, legend = mapclass.classify_values(values, scheme=scheme, k=k)
        df = pd.DataFrame({"code": codes, "name": wide["name"].to_numpy(),
                           "value": classes["value"].to_numpy(),
                           "class": classes["class"].to_numpy(), "color": classes["color"].to_numpy()})
        df["unit"] = unit
        df["estimate"] = False
        df["available"] = df["value"].notna()
        why = f"{indicator} ontbreekt voor deze wijk in {yr}"
        df["reason"] = [None if ok else why for ok in df["value"].notna()]
        return MonitorResult(
            kind="map", title=f"{label}, wijken {reg['name']} ({yr})", rows=df, unit=unit,
            method=("Vijf vaste klassen van de syllabus: < 10%, 10–15%, 15–20%, 20–25%, > 25% (een "
                    "waarde op de "
                    "grens valt in de hogere klasse)." if scheme == "syllabus" else
                    f"{k} kwantielklassen: ongeveer evenveel wijken per klasse."),
            assumptions=[], sources=self._sources(codes, list(DERIVED[indicator][1]) if indicator in DERIVED
                                                  else [indicator], [yr]), notes=[],
            extra={"year": yr, "indicator": indicator, "scheme": scheme,
                   "legend": [e.__dict__ for e in legend]},
        )
