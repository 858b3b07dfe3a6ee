"""Page data for the web app: plain dicts from the core object (no HTTP, no SQL here).

One :class:`Views` per app; results are cached per arguments and per store version
(:meth:`roltrap.store.Store.version_key`), so a new import is shown on the next request. Every figure
comes from a core call (``rt.show``, ``rt.wide``, ``rt.monitor.*``, :mod:`roltrap.report.profile`);
this module only picks, labels and arranges. :meth:`Views.tables` turns a page's data into the
tables its CSV and Excel downloads hold: the same rows the page shows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from roltrap import fmt
from roltrap.disclosure import SUPPRESSED_LABEL
from roltrap.errors import InputError, NotAvailableError, NotFoundError, RoltrapError
from roltrap.jsonable import jsonable
from roltrap.monitor import mapclass
from roltrap.monitor.labels import column_label
from roltrap.monitor.service import DERIVED
from roltrap.report import charts
from roltrap.report.profile import (
    KEY_INDICATORS,
    count_kinds,
    district_profile,
    key_figures,
    monitor_section,
    safe_value,
)

if TYPE_CHECKING:
    from roltrap.core import Roltrap

LEVELS = {"wijk": "Wijken", "buurt": "Buurten"}
DEFAULT_MAP_INDICATOR = "p_hh_110"
PEER_FIGURES = [
    ("p_hh_110", "Huishoudens tot 110% sociaal minimum", "%", None),
    ("vervangingssnelheid", "Vervangingssnelheid", "jaren", None),
]
COMPARE_INDICATORS = [
    "a_inw",
    "p_hh_110",
    "p_hh_120",
    "a_soz_wb",
    "p_wmo_t",
    "p_jz_tn",
    "g_ink_pi",
    "p_koopw",
    "p_huurw",
    "bev_dich",
]
# Columns of the buurten table on a Wijk page (shown when held).
BUURT_COLUMNS = ["a_inw", "a_hh", "p_hh_110", "g_ink_pi", "a_soz_wb", "p_wmo_t"]
# What a section needs and where it comes from, in one Dutch sentence per missing framework.
MISSING_DATA = {
    "turnover": (
        "Voor de vervangingssnelheid zijn vestigers per jaar nodig (CBS-tabel 37230, "
        "Bevolkingsontwikkeling per regio per maand); importeer dat bestand met "
        "roltrap import, of haal het op met roltrap fetch."
    ),
    "classify": (
        "Voor de typering aankomst/bestemming zijn de kerncijfers van de wijken nodig "
        "(Kerncijfers wijken en buurten); haal ze op met roltrap fetch kwb."
    ),
    "vulnerable": (
        "Voor de drie lenzen zijn opleiding, voorzieningen (Participatiewet, Wmo, Jeugdwet) en "
        "inkomen per wijk nodig (Kerncijfers wijken en buurten); haal ze op met roltrap fetch kwb."
    ),
    "rank": (
        "Voor de rangorde zijn inkomen, minima, bijstand en opleiding per wijk nodig (Kerncijfers "
        "wijken en buurten); haal ze op met roltrap fetch kwb."
    ),
    "compare": (
        "Voor de vergelijking zijn kerncijfers van meer gemeenten nodig (Kerncijfers wijken en "
        "buurten, alle gemeenten)."
    ),
    "conditions": (
        "Voor de roltrapcondities zijn bedrijven, woningvoorraad en afstanden tot voorzieningen "
        "per wijk nodig (Kerncijfers wijken en buurten en CBS Nabijheid voorzieningen); haal ze op "
        "met roltrap fetch kwb en roltrap fetch nabijheid."
    ),
}


def region_url(code: str, level: str | None = None) -> str:
    """Each region's own page: a gemeente its Stad page, a wijk and a buurt their profiles."""
    lvl = level or {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}.get(code[:2], "gemeente")
    return {"wijk": f"/wijk/{code}", "buurt": f"/buurt/{code}"}.get(lvl, f"/gemeente/{code}")


def _fmt(value: Any, unit: str | None, decimals: int | None = None) -> str:
    value = jsonable(value)
    if value is None:
        return "geen gegevens"
    return fmt.quantity(value, unit, decimals)


class Views:
    def __init__(self, rt: Roltrap) -> None:
        self.rt = rt
        self.min_cell: int = rt.settings.min_cell
        self.default_gemeente: str = rt.settings.gemeente
        # Per-instance caches keyed on the store's version, so an import shows up without a restart.
        self.city = self._versioned(self._city, 32)
        self.kaart = self._versioned(self._kaart, 64)
        self.wijk = self._versioned(self._wijk, 64)
        self.buurt = self._versioned(self._buurt, 64)
        self.vergelijk = self._versioned(self._vergelijk, 64)
        self.bronnen = self._versioned(self._bronnen, 2)
        self.wijken = self._versioned(self._wijken, 16)
        self.catalogue = self._versioned(self._catalogue, 2)
        self.municipalities = self._versioned(self._municipalities, 2)
        self.gemeente = self._versioned(self._gemeente, 64)

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

    def label(self, indicator: str) -> str:
        """The catalogue's Dutch label (a derived figure's own label); never the bare id if avoidable."""
        info = self.catalogue().get(indicator)
        if info and info.get("label"):
            return str(info["label"])
        return column_label(indicator)

    def _municipalities(self) -> list[dict[str, str]]:
        """Every municipality in the store, for the chooser (name and code)."""
        df = self.rt.regions(level="gemeente")
        return sorted(
            ({"code": str(r.code), "name": str(r.name)} for r in df.itertuples()),
            key=lambda d: d["name"].lower(),
        )

    def region(self, code: str) -> dict[str, Any]:
        """A region by code or name (unknown text is a NotFoundError raised by the core)."""
        return dict(self.rt.region(code))

    def _gemeente(self, code: str | None) -> dict[str, Any]:
        text = (code or self.default_gemeente).strip()
        try:
            reg = self.region(text)
        except NotFoundError:
            # Typed in the chooser: a name as the list shows it ("Leiden (GM0546)") or part of one.
            hits = [
                m
                for m in self.municipalities()
                if text.lower() in (m["name"].lower(), f"{m['name']} ({m['code']})".lower())
            ]
            if len(hits) != 1:
                raise NotFoundError(
                    f"Geen gemeente gevonden voor '{text}'.",
                    param="gemeente",
                    value=text,
                    hint="Typ de naam of de code (bijv. GM0546) en kies uit de lijst.",
                ) from None
            reg = self.region(hits[0]["code"])
        if reg["level"] != "gemeente":
            raise NotFoundError(
                f"{reg['code']} ({reg['name']}) is geen gemeente.",
                param="gemeente",
                value=text,
                hint=f"Open {region_url(reg['code'], reg['level'])} voor deze regio.",
            )
        return {"code": reg["code"], "name": reg["name"]}

    def page_years(self, code: str) -> tuple[list[int], int | None]:
        """Years with figures for a region's page (the key indicators), and the latest of them."""
        obs = self.rt.observations(codes=[code], indicators=KEY_INDICATORS).dropna(subset=["value"])
        if obs.empty:
            return [], None
        per_year = obs.groupby("year")["indicator_id"].nunique()
        # A year with only a stray figure or two (2009: inhabitants only) is not a page worth opening.
        keep = sorted(int(y) for y, n in per_year.items() if n >= max(2, per_year.max() // 3))
        return keep, (keep[-1] if keep else None)

    def _pick_year(self, code: str, year: int | None) -> tuple[int, list[int], str]:
        years, latest = self.page_years(code)
        if not years:
            reg = self.region(code)
            raise NotAvailableError(
                f"Er zijn geen kerncijfers voor {reg['name']}.",
                hint="Haal ze op met roltrap fetch kwb, of importeer een KWB-bestand.",
            )
        if year is None:
            assert latest is not None
            return latest, years, f"Cijfers over {latest}, het laatste jaar met cijfers."
        if year not in years:
            raise NotFoundError(
                f"Geen cijfers voor dit gebied in {year}.",
                param="year",
                value=year,
                hint=f"Kies een jaar met cijfers: {', '.join(map(str, years))}.",
            )
        return year, years, f"Cijfers over {year}."

    def _section(self, method: str, name: str, **kwargs: Any) -> dict[str, Any]:
        """A monitor section; where it cannot be computed, one Dutch sentence on what is missing."""
        sec = monitor_section(self.rt, method, **kwargs)
        if not sec.get("available"):
            sec = {
                **sec,
                "reason": f"{MISSING_DATA.get(method, sec.get('reason') or '')}",
                "detail": sec.get("reason"),
            }
        return sec

    # -- Stad ----------------------------------------------------------------------------------
    def _city(self, code: str | None, year: int | None) -> dict[str, Any]:
        reg = self._gemeente(code)
        gm = reg["code"]
        year, years, year_note = self._pick_year(gm, year)
        shown = self.rt.show(gm, year=year)
        figures = key_figures(self.rt, gm, city=None, year=year)
        inh = shown["indicators"].get("a_inw", {})
        pop = self.rt.observations(codes=[gm], indicators=["a_inw"]).dropna(subset=["value"])
        pop_chart = None
        if pop["year"].nunique() >= 2:
            frame = pd.DataFrame({"series": pop["name"], "year": pop["year"], "value": pop["value"]})
            pop_chart = charts.trend_lines(frame, title="Inwoners", unit="aantal")
        vulnerable = self._section("vulnerable", reg["name"], gemeente=gm, year=year)
        compare = self._section("compare", reg["name"], gemeente=gm, auto=3)
        return {
            "code": gm,
            "name": reg["name"],
            "level": "gemeente",
            "gemeente": reg,
            "year": year,
            "years": years,
            "year_note": year_note,
            "inhabitants": {"value": inh.get("value"), "year": year, "source": inh.get("source")},
            "figures": figures,
            "population_chart": pop_chart,
            "population_table": [{"year": int(r.year), "value": r.value} for r in pop.itertuples()],
            "turnover": self._section("turnover", reg["name"], gemeente=gm),
            "classify": self._section("classify", reg["name"], gemeente=gm, year=year),
            "vulnerable": vulnerable,
            "vulnerable_chart": self._lens_chart(vulnerable),
            "compare": compare,
            "compare_charts": self._peer_charts(compare, gm),
            "wijken": self._wijken(gm)["wijken"],
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
            out.append(
                {
                    "id": col,
                    "title": title,
                    "spec": charts.bar_compare(
                        df,
                        value=col,
                        title=title,
                        unit=unit,
                        highlight=str(focus.iloc[0]) if not focus.empty else None,
                        reference=None,
                        reference_label=ref,
                    ),
                }
            )
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
        return charts.range_chart(
            df, low=tri.get("laag"), high=tri.get("hoog"), title="Kwetsbare groep", unit="personen"
        )

    # -- Wijken --------------------------------------------------------------------------------
    def _wijken(self, gemeente: str | None) -> dict[str, Any]:
        reg = self._gemeente(gemeente)
        kids = self.rt.children(reg["code"], level="wijk")
        return {
            "code": reg["code"],
            "name": reg["name"],
            "gemeente": reg,
            "wijken": [{"code": r.code, "name": r.name, "url": f"/wijk/{r.code}"} for r in kids.itertuples()],
        }

    def _district(self, code: str, year: int | None, level: str) -> dict[str, Any]:
        reg = self.region(code)
        if reg["level"] != level:
            what = {"wijk": "wijk", "buurt": "buurt"}[level]
            raise NotFoundError(
                f"{reg['code']} ({reg['name']}) is geen {what} maar een {reg['level']}.",
                param="code",
                value=code,
                hint=f"Open {region_url(reg['code'], reg['level'])} voor deze regio.",
            )
        year, years, year_note = self._pick_year(reg["code"], year)
        data = district_profile(self.rt, reg["code"], year=year)
        parent = reg.get("parent")
        gm_code = parent if level == "wijk" else (self.region(parent).get("parent") if parent else None)
        gm = self._gemeente(gm_code) if gm_code else None
        return {**data, "years": years, "year_note": year_note, "gemeente": gm}

    def _wijk(self, code: str, year: int | None) -> dict[str, Any]:
        data = self._district(code, year, "wijk")
        data["buurten"] = self._buurten_table(data["code"], int(data["year"]))
        return data

    def _buurt(self, code: str, year: int | None) -> dict[str, Any]:
        data = self._district(code, year, "buurt")
        wijk = self.region(str(data["parent"])) if data.get("parent") else None
        data["wijk"] = (
            {"code": wijk["code"], "name": wijk["name"], "url": f"/wijk/{wijk['code']}"} if wijk else None
        )
        return data

    def _buurten_table(self, wijk: str, year: int) -> dict[str, Any]:
        """The buurten of a wijk with their key figures (suppressed small counts): for the page's
        year, or else the latest year that has buurt figures (the table says which)."""
        kids = self.rt.children(wijk, level="buurt")
        if kids.empty:
            return {"columns": [], "rows": [], "year": year}
        codes = list(kids["code"])
        obs = self.rt.observations(codes=codes, indicators=BUURT_COLUMNS).dropna(subset=["value"])
        held_years = sorted({int(y) for y in obs["year"]})
        if held_years and year not in held_years:
            year = max([y for y in held_years if y <= year] or held_years)
        wide = self.rt.wide(year=year, indicators=BUURT_COLUMNS, codes=codes)
        counts = count_kinds(self.rt)
        cat = self.catalogue()
        held = [c for c in BUURT_COLUMNS if c in wide.columns and wide[c].notna().any()]
        rows = []
        for r in kids.itertuples():
            vals = wide.loc[r.code] if r.code in wide.index else None
            rows.append(
                {
                    "code": r.code,
                    "name": r.name,
                    "url": f"/buurt/{r.code}",
                    "values": [
                        None
                        if vals is None
                        else safe_value(vals[c], is_count=c in counts, min_cell=self.min_cell)
                        for c in held
                    ],
                }
            )
        columns = [
            {
                "id": c,
                "label": self.label(c),
                "unit": cat.get(c, {}).get("unit"),
                "decimals": cat.get(c, {}).get("decimals"),
            }
            for c in held
        ]
        return {"columns": columns, "rows": rows, "year": year}

    # -- Kaart ---------------------------------------------------------------------------------
    def map_indicators(self, gemeente: str, level: str) -> list[dict[str, Any]]:
        """Indicators held for the municipality's wijken or buurten, with their Dutch labels."""
        codes = self._area_codes(gemeente, level)
        obs = self.rt.observations(codes=codes).dropna(subset=["value"]) if codes else pd.DataFrame()
        if obs.empty:
            return []
        held = obs.groupby("indicator_id")["year"].agg(lambda s: sorted({int(y) for y in s}))
        # A figure the monitor derives from others (p_65_oo from a_65_oo and a_inw) is mapped from those.
        held = held[[i not in DERIVED or set(DERIVED[i][1]) <= set(held.index) for i in held.index]]
        cat = self.catalogue()
        out = [
            {
                "id": str(i),
                "label": self.label(str(i)),
                "unit": cat.get(str(i), {}).get("unit"),
                "kind": cat.get(str(i), {}).get("kind"),
                "theme": cat.get(str(i), {}).get("theme"),
                "years": ys,
                "latest": ys[-1],
            }
            for i, ys in held.items()
        ]
        return sorted(out, key=lambda d: (str(d["theme"] or ""), str(d["label"])))

    def _area_codes(self, gemeente: str, level: str) -> list[str]:
        wijken = self.rt.children(gemeente, level="wijk")
        if level == "wijk":
            return [str(c) for c in wijken["code"]]
        out: list[str] = []
        for w in wijken["code"]:
            out += [str(c) for c in self.rt.children(str(w), level="buurt")["code"]]
        return out

    def _kaart(
        self,
        gemeente: str | None,
        level: str | None,
        indicator: str | None,
        scheme: str | None,
        year: int | None,
    ) -> dict[str, Any]:
        reg = self._gemeente(gemeente)
        gm = reg["code"]
        levels = [lv for lv in LEVELS if self._area_codes(gm, lv)]
        notices: list[str] = []
        level = level or "wijk"
        if level not in levels:
            if not levels:
                raise NotAvailableError(
                    f"Er zijn geen wijken of buurten van {reg['name']} geladen.",
                    hint="Haal ze op met roltrap fetch kwb, of kies een andere gemeente.",
                )
            notices.append(
                f"Voor {reg['name']} zijn geen {LEVELS[level].lower()} geladen; de kaart toont de "
                f"{LEVELS[levels[0]].lower()}."
            )
            level = levels[0]
        options = self.map_indicators(gm, level)
        if not options:
            raise NotAvailableError(
                f"Er zijn geen cijfers voor de {LEVELS[level].lower()} van {reg['name']}.",
                hint="Haal ze op met roltrap fetch kwb.",
            )
        ids = [o["id"] for o in options]
        errors: dict[str, str] = {}
        if indicator and indicator not in ids:
            errors["indicator"] = (
                f"Voor de {LEVELS[level].lower()} van {reg['name']} zijn geen cijfers voor '{indicator}'; "
                "kies een indicator uit de lijst."
            )
            indicator = None
        indicator = indicator or (DEFAULT_MAP_INDICATOR if DEFAULT_MAP_INDICATOR in ids else ids[0])
        meta = next(o for o in options if o["id"] == indicator)
        years = self.rt.monitor.years("map", gemeente=gm, level=level, indicator=indicator) or meta["years"]
        if year is not None and year not in years:
            errors["year"] = (
                f"Voor {meta['label']} zijn er geen cijfers in {year}; "
                "gekozen is het laatste jaar met cijfers."
            )
            year = None
        wanted = scheme or "auto"
        try:
            result = self.rt.monitor.map_classes(
                gemeente=gm, level=level, indicator=indicator, year=year, scheme=wanted
            )
        except NotAvailableError as exc:  # never an error page: say why beside the field, show the default
            fallback = DEFAULT_MAP_INDICATOR if DEFAULT_MAP_INDICATOR in ids else ids[0]
            if indicator == fallback:
                raise
            errors["indicator"] = exc.message
            indicator, year = fallback, None
            meta = next(o for o in options if o["id"] == indicator)
            years = (
                self.rt.monitor.years("map", gemeente=gm, level=level, indicator=indicator) or meta["years"]
            )
            result = self.rt.monitor.map_classes(
                gemeente=gm, level=level, indicator=indicator, year=None, scheme=wanted
            )
        res = result.to_dict()
        extra = res["extra"]
        year = int(extra.get("year") or years[-1])
        used = str(extra.get("scheme") or wanted)
        unit = extra.get("unit") or meta["unit"]
        decimals = extra.get("decimals")
        rows = []
        for r in res["rows"]:
            suppressed = bool(r.get("suppressed"))
            value = None if suppressed else r.get("value")
            rows.append(
                {
                    "code": r["code"],
                    "name": r["name"],
                    "value": value,
                    "value_text": SUPPRESSED_LABEL
                    if suppressed
                    else _fmt(value, unit, None if decimals is None else int(decimals)),
                    "class": SUPPRESSED_LABEL if suppressed else r.get("class"),
                    "url": region_url(str(r["code"]), level),
                    "derived_from": r.get("derived_from"),
                }
            )
        rows.sort(key=lambda r: (r["value"] is None, -(r["value"] or 0)))
        legend = [e for e in extra.get("legend", []) if e.get("count")]  # the monitor lists non-empty ones
        notices += [str(n) for n in res.get("notes", []) if not str(n).startswith("Jaar ")]
        spec = self._choropleth(gm, level, rows, legend, title=str(meta["label"]), unit=unit, year=year)
        if spec is None:
            notices.append(
                f"Voor de {LEVELS[level].lower()} van {reg['name']} zijn geen grenzen geladen; importeer de "
                "Wijk- en Buurtkaart van CBS met roltrap import om de kaart te tekenen. "
                "De tabel geeft de waarden."
            )
        return {
            "gemeente": reg,
            "gemeente_code": gm,
            "gemeente_name": reg["name"],
            "level": level,
            "levels": [{"id": lv, "label": LEVELS[lv]} for lv in levels],
            "indicator": indicator,
            "indicator_label": meta["label"],
            "unit": unit,
            "year": year,
            "years": years,
            "scheme": wanted,
            "scheme_used": used,
            "schemes": [{"id": k, "label": v[:1].upper() + v[1:]} for k, v in mapclass.SCHEMES.items()],
            "options": [
                {k: o[k] for k in ("id", "label", "unit", "theme", "latest", "years")} for o in options
            ],
            "legend": legend,
            "rows": rows,
            "spec": spec,
            "suppressed_label": SUPPRESSED_LABEL,
            "method": res.get("method"),
            "sources": res.get("sources", []),
            "notices": notices,
            "errors": errors,
        }

    def _choropleth(
        self,
        gm: str,
        level: str,
        rows: list[dict[str, Any]],
        legend: list[dict[str, Any]],
        *,
        title: str,
        unit: str | None,
        year: int,
    ) -> dict[str, Any] | None:
        try:
            # Buurten hang under wijken, not under the municipality: take them all, keep this city's.
            gdf = self.rt.geometries(gemeente=gm if level == "wijk" else None, level=level)
        except RoltrapError:
            return None
        by_code = {r["code"]: r for r in rows}
        gdf = gdf[gdf["code"].isin(list(by_code))]
        if gdf.empty:
            return None
        gdf = gdf.copy()
        gdf["geometry"] = gdf.geometry.simplify(5.0)  # 5 m in RD: invisible at city scale, far smaller
        gdf = gdf.to_crs(4326)
        features = []
        for g in gdf.itertuples():
            r = by_code[str(g.code)]
            cls = r["class"] if r["class"] != SUPPRESSED_LABEL else None
            features.append(
                {
                    "type": "Feature",
                    "geometry": g.geometry.__geo_interface__,
                    "properties": {
                        "code": r["code"],
                        "name": r["name"],
                        "value": r["value"],
                        "value_text": r["value_text"],
                        "class": cls,
                        "class_text": r["class"] or "geen gegevens",
                        "url": r["url"],
                    },
                }
            )
        geo = {"type": "FeatureCollection", "features": features}
        return charts.choropleth(
            geo,
            title=title,
            unit=unit,
            year=year,
            labels=[e["label"] for e in legend],
            colours=[e["colour"] for e in legend],
        )

    # -- Vergelijk -----------------------------------------------------------------------------
    def _vergelijk(self, codes: tuple[str, ...], year: int | None) -> dict[str, Any]:
        if not 2 <= len(codes) <= 4:
            raise InputError(
                f"Vergelijk 2 tot 4 gebieden; u koos er {len(codes)}.",
                param="codes",
                value=",".join(codes),
                hint="Kies 2 tot 4 gemeenten, wijken of buurten.",
            )
        regions = []
        for c in codes:
            try:
                regions.append(self.region(c))
            except NotFoundError:
                raise NotFoundError(
                    f"Onbekend gebied '{c}'.",
                    param="codes",
                    value=c,
                    hint="Kies gemeenten, wijken of buurten uit de lijst.",
                ) from None
        if len({r["code"] for r in regions}) != len(regions):
            raise InputError("Elk gebied mag maar één keer voorkomen.", param="codes", value=",".join(codes))
        cat = self.catalogue()
        counts = count_kinds(self.rt)
        shown = []
        for r in regions:
            yr = year
            if yr is None:
                _, latest = self.page_years(r["code"])
                yr = latest
            try:
                shown.append(self.rt.show(r["code"], year=yr))
            except NotFoundError:
                shown.append(
                    {"code": r["code"], "name": r["name"], "level": r["level"], "year": yr, "indicators": {}}
                )
        ids = [i for i in COMPARE_INDICATORS if any(i in s["indicators"] for s in shown)]
        ids += sorted({i for s in shown for i in s["indicators"]} - set(ids))
        rows: list[dict[str, Any]] = []
        for ind in ids:
            vals = []
            for s in shown:
                rec = s["indicators"].get(ind)
                vals.append(
                    None
                    if rec is None
                    else safe_value(rec["value"], is_count=ind in counts, min_cell=self.min_cell)
                )
            info = cat.get(ind, {})
            dec = info.get("decimals")
            rows.append(
                {
                    "id": ind,
                    "label": self.label(ind),
                    "unit": info.get("unit"),
                    "decimals": None if dec is None else int(dec),
                    "values": vals,
                    "key": ind in COMPARE_INDICATORS,
                }
            )
        chart_rows = [
            {"series": s["name"], "group": r["label"], "value": v}
            for r in rows
            if r["key"] and r["unit"] in fmt.PERCENT_UNITS
            for s, v in zip(shown, r["values"], strict=True)
        ]
        chart = (
            charts.grouped_bars(
                pd.DataFrame(chart_rows, columns=["series", "group", "value"]), title="Percentages", unit="%"
            )
            if chart_rows
            else None
        )
        return {
            "regions": [
                {
                    "code": s["code"],
                    "name": s["name"],
                    "level": s["level"],
                    "year": s["year"],
                    "url": region_url(str(s["code"]), str(s["level"])),
                }
                for s in shown
            ],
            "rows": rows,
            "chart": chart,
        }

    def choices(self, gemeente: str | None) -> dict[str, Any]:
        """What the Vergelijk form offers: the municipality, its wijken and their buurten."""
        reg = self._gemeente(gemeente)
        wijken = self.rt.children(reg["code"], level="wijk")
        groups = []
        for w in wijken.itertuples():
            buurten = self.rt.children(str(w.code), level="buurt")
            groups.append(
                {
                    "code": w.code,
                    "name": w.name,
                    "buurten": [{"code": b.code, "name": b.name} for b in buurten.itertuples()],
                }
            )
        return {"code": reg["code"], "name": reg["name"], "wijken": groups}

    # -- Bronnen -------------------------------------------------------------------------------
    def _bronnen(self) -> dict[str, Any]:
        src = self.rt.sources()
        cover = self.rt.source_coverage()
        cov = {str(r["source_id"]): r for r in cover.to_dict("records")}
        sources = []
        for r in src.to_dict("records"):
            c = cov.get(str(r["id"]), {})
            first, last = jsonable(c.get("first_year")), jsonable(c.get("last_year"))
            if first is None:  # boundary files hold shapes, not figures: their years are the boundary years
                first, last = jsonable(c.get("first_boundary")), jsonable(c.get("last_boundary"))
            sources.append(
                {
                    **{k: jsonable(v) for k, v in r.items() if k != "provenance"},
                    "provenance": jsonable(r.get("provenance")),
                    "first_year": first,
                    "last_year": last,
                    "observations": int(jsonable(c.get("observations")) or 0),
                    "geometries": int(jsonable(c.get("geometries")) or 0),
                }
            )
        cat = [{k: jsonable(v) for k, v in r.items()} for r in self.rt.catalogue().to_dict("records")]
        return {
            "sources": sources,
            "indicators": cat,
            "min_cell": self.min_cell,
            "generated": date.today().isoformat(),
        }
