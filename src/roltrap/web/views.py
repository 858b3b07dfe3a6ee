"""Page data for the web app: plain dicts from the core object (no HTTP here).

One :class:`Views` per app; results are cached per arguments and per store version
(:meth:`Views.version`), so a new import is shown on the next request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd

from roltrap import fmt
from roltrap.disclosure import SUPPRESSED_LABEL
from roltrap.errors import InputError, NotAvailableError, NotFoundError, Problem
from roltrap.report import charts
from roltrap.report.profile import (
    count_kinds,
    district_geojson,
    district_profile,
    key_figures,
    monitor_section,
    safe_value,
)
from roltrap.web.deps import jsonable

SCHEMES = {"syllabus": "Syllabus: vijf klassen (< 10, 10–15, 15–20, 20–25, > 25 %)",
           "quantile": "Kwantielen: vijf even grote groepen"}
DEFAULT_MAP_INDICATOR = "p_hh_110"
PEER_FIGURES = [("p_hh_110", "Huishoudens tot 110% sociaal minimum", "%", None),
                ("vervangingssnelheid", "Vervangingssnelheid", "jaren", None)]
COMPARE_INDICATORS = ["a_inw", "p_hh_110", "p_hh_120", "a_soz_wb", "p_wmo_t", "p_jz_tn", "g_ink_pi",
                      "p_koopw", "p_huurw", "bev_dich"]


def _fmt(value: Any, unit: str | None, decimals: int | None = None) -> str:
    return fmt.quantity(value, unit, decimals, missing="geen gegevens")


class Views:
    def __init__(self, rt: Any) -> None:
        self.rt = rt
        self.min_cell: int = rt.settings.min_cell
        self.default_gemeente: str = rt.settings.gemeente
        # Per-instance caches keyed on the store's version, so an import shows up without a restart.
        self.city = self._versioned(self._city, 32)
        self.kaart = self._versioned(self._kaart, 64)
        self.wijk = self._versioned(self._wijk, 64)
        self.vergelijk = self._versioned(self._vergelijk, 64)
        self.bronnen = self._versioned(self._bronnen, 2)
        self.wijken = self._versioned(self._wijken, 16)
        self.catalogue = self._versioned(self._catalogue, 2)

    def version(self) -> tuple[int, ...]:
        """What changes when data are imported, here or by another process (no query needed)."""
        return self.rt.store.version_key()

    def _versioned(self, fn: Callable[..., Any], maxsize: int) -> Callable[..., Any]:
        store = self.rt.store

        def compute(_version: tuple[int, ...], *args: Any) -> Any:
            with store.session():  # one short connection for the whole page
                return fn(*args)

        cached = functools.lru_cache(maxsize=maxsize)(compute)

        def call(*args: Any) -> Any:
            return cached(self.version(), *args)

        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call

    # -- shared --------------------------------------------------------------------------------
    def _catalogue(self) -> dict[str, dict[str, Any]]:
        cat = self.rt.catalogue()
        return {str(r["id"]): {k: jsonable(v) for k, v in r.items()} for r in cat.to_dict("records")}

    def region(self, code: str) -> dict[str, Any]:
        """A region by code or name (unknown text is a NotFoundError raised by the core)."""
        return dict(self.rt.region(code))

    def _gemeente(self, code: str | None) -> dict[str, Any]:
        reg = self.region(code or self.default_gemeente)
        if reg["level"] != "gemeente":
            raise NotFoundError(f"{reg['code']} ({reg['name']}) is geen gemeente.",
                                hint=f"Voor een wijk: /wijk/{reg['code']}.")
        return reg

    # -- Stad ----------------------------------------------------------------------------------
    def _city(self, code: str | None, year: int | None) -> dict[str, Any]:
        reg = self._gemeente(code)
        gm = reg["code"]
        shown = self.rt.show(gm, year=year)
        year = int(shown["year"])
        figures = key_figures(self.rt, gm, city=None, year=year)
        inh = shown["indicators"].get("a_inw", {})
        pop = self.rt.observations(codes=[gm], indicators=["a_inw"]).dropna(subset=["value"])
        pop_chart = None
        if pop["year"].nunique() >= 2:
            frame = pd.DataFrame({"series": pop["name"], "year": pop["year"], "value": pop["value"]})
            pop_chart = charts.trend_lines(frame, title="Inwoners", unit="aantal")
        vulnerable = monitor_section(self.rt, "vulnerable", gemeente=gm, year=year)
        compare = monitor_section(self.rt, "compare", gemeente=gm, auto=3)
        wijken = self._wijken(gm)
        return {
            "code": gm, "name": reg["name"], "year": year, "years": self.rt.years(gm),
            "inhabitants": {"value": inh.get("value"), "year": year, "source": inh.get("source")},
            "figures": figures,
            "population_chart": pop_chart,
            "population_table": [{"year": int(r.year), "value": r.value} for r in pop.itertuples()],
            "turnover": monitor_section(self.rt, "turnover", gemeente=gm),
            "classify": monitor_section(self.rt, "classify", gemeente=gm, year=year),
            "vulnerable": vulnerable,
            "vulnerable_chart": self._lens_chart(vulnerable),
            "compare": compare,
            "compare_charts": self._peer_charts(compare, gm),
            "wijken": wijken["wijken"],
        }

    @staticmethod
    def _peer_charts(section: dict[str, Any], gm: str) -> list[dict[str, Any]]:
        """One bar chart per headline figure of the peer comparison, the city itself highlighted."""
        if not section.get("available") or not section.get("rows"):
            return []
        df = pd.DataFrame(section["rows"])
        focus = df.loc[df["code"] == gm, "name"]
        out = []
        for col, title, unit, ref in PEER_FIGURES:
            if col not in df.columns or pd.to_numeric(df[col], errors="coerce").isna().all():
                continue
            df[col] = pd.to_numeric(df[col], errors="coerce")
            out.append({"id": col, "title": title, "spec": charts.bar_compare(
                df, value=col, title=title, unit=unit,
                highlight=str(focus.iloc[0]) if not focus.empty else None,
                reference=None, reference_label=ref)})
        return out

    @staticmethod
    def _lens_chart(section: dict[str, Any]) -> dict[str, Any] | None:
        """Three lenses with the triangulated range, from the monitor's ``extra``."""
        if not section.get("available"):
            return None
        extra = section.get("extra") or {}
        lenses = extra.get("gemeente")
        tri = extra.get("triangulatie") or {}
        if not isinstance(lenses, list) or not lenses:
            return None
        df = pd.DataFrame(lenses).rename(columns={"laag": "low", "hoog": "high", "centraal": "central"})
        if not {"lens", "low", "high", "central"} <= set(df.columns):
            return None
        df["lens"] = df["lens"].astype(str).str.capitalize()
        return charts.range_chart(df, low=tri.get("laag"), high=tri.get("hoog"),
                                  title="Kwetsbare groep", unit="personen")

    # -- Wijken --------------------------------------------------------------------------------
    def _wijken(self, gemeente: str | None) -> dict[str, Any]:
        reg = self._gemeente(gemeente)
        kids = self.rt.children(reg["code"], level="wijk")
        return {"code": reg["code"], "name": reg["name"],
                "wijken": [{"code": r.code, "name": r.name, "url": f"/wijk/{r.code}"}
                           for r in kids.itertuples()]}

    def _wijk(self, code: str, year: int | None) -> dict[str, Any]:
        reg = self.region(code)
        if reg["level"] == "gemeente":  # the profile covers gemeenten too; this page is for areas
            raise NotFoundError(f"{reg['code']} ({reg['name']}) is geen wijk maar een gemeente.",
                                hint=f"Open /gemeente/{reg['code']} voor het stadsoverzicht.")
        return district_profile(self.rt, reg["code"], year=year)

    # -- Kaart ---------------------------------------------------------------------------------
    def map_indicators(self, gemeente: str) -> list[dict[str, Any]]:
        """Indicators held for the municipality's districts, with their Dutch labels."""
        obs = self.rt.observations(gemeente=gemeente, level="wijk")
        held = obs.dropna(subset=["value"]).groupby("indicator_id")["year"].max()
        cat = self.catalogue()
        out = [{"id": i, "label": cat.get(i, {}).get("label") or i, "unit": cat.get(i, {}).get("unit"),
                "theme": cat.get(i, {}).get("theme"), "decimals": cat.get(i, {}).get("decimals"),
                "latest": int(y)} for i, y in held.items()]
        return sorted(out, key=lambda d: (str(d["theme"] or ""), str(d["label"])))

    def _kaart(self, gemeente: str | None, indicator: str | None, scheme: str | None,
               year: int | None) -> dict[str, Any]:
        from roltrap.monitor.mapclass import classify_values

        reg = self._gemeente(gemeente)
        gm = reg["code"]
        options = self.map_indicators(gm)
        if not options:
            raise NotAvailableError(f"Er zijn geen wijkcijfers voor {reg['name']}.")
        ids = [o["id"] for o in options]
        indicator = indicator or (DEFAULT_MAP_INDICATOR if DEFAULT_MAP_INDICATOR in ids else ids[0])
        if indicator not in ids:
            raise InputError(
                f"Indicator '{indicator}' heeft geen wijkcijfers voor {reg['name']}.",
                problems=[Problem("onbekende of lege indicator", column="indicator", value=indicator)],
                hint="Kies een indicator uit de lijst op /kaart (of /kaart.json).")
        meta = next(o for o in options if o["id"] == indicator)
        is_share = meta["unit"] in ("%", "percent")
        scheme = scheme or ("syllabus" if is_share else "quantile")
        if scheme not in SCHEMES:
            raise InputError(f"Onbekende indeling '{scheme}'.",
                             problems=[Problem("kies syllabus of quantile", column="scheme", value=scheme)])
        if scheme == "syllabus" and not is_share:
            raise InputError(
                f"De vijfklassenlegenda van de syllabus geldt voor percentages; '{meta['label']}' is in "
                f"{meta['unit']}.", hint="Kies de indeling 'Kwantielen'.")
        year = year or int(meta["latest"])
        wide = self.rt.wide(year=year, indicators=[indicator], level="wijk", gemeente=gm)
        values = wide[indicator] if indicator in wide.columns else pd.Series(dtype=float)
        if indicator in count_kinds(self.rt):
            values = values.map(lambda v: safe_value(v, is_count=True, min_cell=self.min_cell))
        values = pd.to_numeric(values, errors="coerce").astype(float)
        if values.dropna().empty:
            raise NotFoundError(f"Geen wijkcijfers voor '{meta['label']}' in {year}.",
                                hint=f"Laatste jaar met cijfers: {meta['latest']}.")
        classes, legend = classify_values(values, scheme=scheme)
        dec = meta.get("decimals")
        texts = {str(c): _fmt(v, meta["unit"], None if dec is None else int(dec)) for c, v in values.items()}
        cls_map = {str(c): (None if pd.isna(v) else str(v)) for c, v in classes["class"].items()}
        geo = district_geojson(self.rt, gm, values=values.to_dict(), classes=cls_map, texts=texts)
        spec = charts.choropleth(geo, title=str(meta["label"]), unit=meta["unit"], year=year,
                                 labels=[e.label for e in legend], colours=[e.colour for e in legend])
        names = wide["name"].to_dict() if "name" in wide.columns else {}
        rows = sorted(
            [{"code": str(c), "name": names.get(c, c), "value": jsonable(v), "value_text": texts[str(c)],
              "class": cls_map.get(str(c)), "url": f"/wijk/{c}"} for c, v in values.items()],
            key=lambda r: (r["value"] is None, -(r["value"] or 0)))
        return {
            "gemeente": gm, "gemeente_name": reg["name"], "indicator": indicator,
            "indicator_label": meta["label"], "unit": meta["unit"], "year": year, "scheme": scheme,
            "schemes": [{"id": k, "label": v} for k, v in SCHEMES.items()],
            "options": options, "legend": [jsonable(e.__dict__) for e in legend],
            "rows": rows, "spec": spec, "suppressed_label": SUPPRESSED_LABEL,
        }

    # -- Vergelijk -----------------------------------------------------------------------------
    def _vergelijk(self, codes: tuple[str, ...], year: int | None) -> dict[str, Any]:
        if not 2 <= len(codes) <= 4:
            raise InputError(
                f"Vergelijk 2 tot 4 wijken of gemeenten; u gaf er {len(codes)}.",
                problems=[Problem("2 tot 4 codes, gescheiden door komma's", column="codes",
                                  value=",".join(codes))],
                hint="Bijvoorbeeld /vergelijk?codes=WK054603,WK054608.")
        regions = [self.region(c) for c in codes]
        if len({r["code"] for r in regions}) != len(regions):
            raise InputError("Elke code mag maar één keer voorkomen.",
                             problems=[Problem("dubbele code", column="codes", value=",".join(codes))])
        cat = self.catalogue()
        counts = count_kinds(self.rt)
        shown = [self.rt.show(r["code"], year=year) for r in regions]
        ids = [i for i in COMPARE_INDICATORS if any(i in s["indicators"] for s in shown)]
        ids += sorted({i for s in shown for i in s["indicators"]} - set(ids))
        rows: list[dict[str, Any]] = []
        for ind in ids:
            vals = []
            for s in shown:
                rec = s["indicators"].get(ind)
                vals.append(None if rec is None else
                            safe_value(rec["value"], is_count=ind in counts, min_cell=self.min_cell))
            info = cat.get(ind, {})
            dec = info.get("decimals")
            rows.append({"id": ind, "label": info.get("label") or ind, "unit": info.get("unit"),
                         "decimals": None if dec is None else int(dec),
                         "values": vals, "key": ind in COMPARE_INDICATORS})
        chart_rows = [
            {"series": s["name"], "group": r["label"], "value": v}
            for r in rows if r["key"] and r["unit"] in ("%", "percent")
            for s, v in zip(shown, r["values"], strict=True)]
        chart = charts.grouped_bars(pd.DataFrame(chart_rows, columns=["series", "group", "value"]),
                                    title="Percentages", unit="%") if chart_rows else None
        return {
            "regions": [{"code": s["code"], "name": s["name"], "level": s["level"], "year": s["year"],
                         "url": (f"/wijk/{s['code']}" if s["level"] == "wijk" else f"/gemeente/{s['code']}")}
                        for s in shown],
            "rows": rows, "chart": chart,
        }

    # -- Bronnen -------------------------------------------------------------------------------
    def _bronnen(self) -> dict[str, Any]:
        src = self.rt.sources()
        obs_years = self.rt.store.query(
            "SELECT source_id, min(year) AS first, max(year) AS last, count(*) AS n FROM observations "
            "GROUP BY source_id")
        years = {r.source_id: (int(r.first), int(r.last), int(r.n)) for r in obs_years.itertuples()}
        # Boundary files hold shapes, not figures: their years are the boundary years.
        geo = self.rt.store.query(
            "SELECT source_id, min(boundary_year) AS first, max(boundary_year) AS last, count(*) AS n "
            "FROM geometries GROUP BY source_id")
        shapes = {r.source_id: (int(r.first), int(r.last), int(r.n)) for r in geo.itertuples()}
        sources = []
        for r in src.to_dict("records"):
            first, last, n = years.get(r["id"], (None, None, 0))
            g_first, g_last, n_geo = shapes.get(r["id"], (None, None, 0))
            if first is None:
                first, last = g_first, g_last
            sources.append({**{k: jsonable(v) for k, v in r.items() if k != "provenance"},
                            "provenance": jsonable(r.get("provenance")),
                            "first_year": first, "last_year": last, "observations": n,
                            "geometries": n_geo})
        cat = [{k: jsonable(v) for k, v in r.items()} for r in self.rt.catalogue().to_dict("records")]
        return {"sources": sources, "indicators": cat, "min_cell": self.min_cell,
                "generated": date.today().isoformat()}
