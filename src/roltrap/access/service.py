"""``rt.access``: walk and bike access from where people live, per wijk/buurt and kind of place.

Fetches the network (an imported OSM extract in the store, else the bundled one), the places
(bundled stations, bus stops and centre; the user's vindplaatsen), area polygons and figures from
the core object, and calls the pure modules :mod:`~roltrap.access.network` and
:mod:`~roltrap.access.compute`. Every answer is a :class:`~roltrap.monitor.result.MonitorResult`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from roltrap.access import compute
from roltrap.access.kinds import BY_ID, CBS_DISTANCE_KINDS, SOORTEN, label
from roltrap.access.network import MODES, Network, build_network, residential_weight
from roltrap.errors import ConfigError, InputError, NotAvailableError, NotFoundError, Problem
from roltrap.monitor.result import NOT_AVAILABLE, MonitorResult

if TYPE_CHECKING:
    from roltrap.core import Roltrap

ATTRIBUTION = "© OpenStreetMap-bijdragers (ODbL)"
BUNDLE_DIR = Path(__file__).resolve().parents[1] / "data" / "bundle" / "access"
MODE_LABELS = {"lopen": "lopen", "fiets": "fiets"}
#: Need groups: id → (Dutch label, how it is counted from CBS figures).
NEED_GROUPS: dict[str, str] = {
    "inwoners": "alle inwoners",
    "laag_inkomen_hh": "huishoudens tot 110% van het sociaal minimum",
    "bijstand": "personen met bijstand",
    "laagopgeleid": "laagopgeleide inwoners (15–75 jaar)",
}
_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS access_networks (
        gemeente VARCHAR PRIMARY KEY, source_ids VARCHAR, note VARCHAR, nodes BIGINT, edges BIGINT,
        length_km DOUBLE, largest_component_share DOUBLE, largest_component_share_raw DOUBLE,
        connectors BIGINT, connectors_m DOUBLE, complete BOOLEAN,
        imported_at TIMESTAMP DEFAULT current_timestamp)""",
    "CREATE TABLE IF NOT EXISTS access_nodes (gemeente VARCHAR, node BIGINT, x DOUBLE, y DOUBLE)",
    """CREATE TABLE IF NOT EXISTS access_edges (gemeente VARCHAR, u BIGINT, v BIGINT, length_m DOUBLE,
        walk BOOLEAN, bike BOOLEAN, highway VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS access_places (id VARCHAR PRIMARY KEY, name VARCHAR, soort VARCHAR,
        x DOUBLE, y DOUBLE, year INTEGER, stale BOOLEAN, note VARCHAR, source_id VARCHAR)""",
]


@dataclass
class LoadedNetwork:
    gemeente: str
    net: Network
    meta: dict[str, Any]
    bundled: bool
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ImportSummary:
    """What an access import stored, for the CLI and the web app."""

    kind: str
    file: str
    source_id: str
    rows: int
    notes: list[str]

    def summary(self) -> str:
        what = {"network": "wegen in het netwerk", "places": "vindplaatsen"}[self.kind]
        return "\n".join(
            [f"{self.file}: {self.rows} {what} opgeslagen (bron {self.source_id}).", *self.notes]
        )


class AccessService:
    """Walk/bike access answers for one store. Construct via ``Roltrap.access``."""

    def __init__(self, rt: Roltrap) -> None:
        self.rt = rt
        self._networks: dict[tuple[str, tuple[int, ...]], LoadedNetwork] = {}
        self._station_km: dict[tuple[Any, ...], pd.Series] = {}
        self._with_network: tuple[tuple[int, ...], frozenset[str]] | None = None

    # -- settings ----------------------------------------------------------------------------
    @property
    def speeds(self) -> dict[str, float]:
        return {"lopen": self.rt.settings.walk_kmh, "fiets": self.rt.settings.bike_kmh}

    def _mpm(self, mode: str) -> float:
        return compute.metres_per_minute(self.speeds[mode])

    # -- store tables --------------------------------------------------------------------------
    def _has_tables(self) -> bool:
        df = self.rt.store.query(
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'access_networks'"
        )
        return bool(df["n"].iloc[0])

    def _ensure_tables(self) -> None:
        if self.rt.store.read_only:
            raise ConfigError(
                "De opslag is alleen-lezen geopend; er kan niets worden geïmporteerd.",
                hint="Zet ROLTRAP_READ_ONLY uit om te importeren.",
            )
        with self.rt.store.session():
            for sql in _SCHEMA:
                self.rt.store.con.execute(sql)

    def _gemeente(self, gemeente: str | None) -> dict[str, Any]:
        reg = self.rt.region(gemeente or self.rt.settings.gemeente)
        if reg["level"] != "gemeente":
            raise ConfigError(
                f"{reg['code']} ({reg['name']}) is geen gemeente maar een {reg['level']}.",
                hint="Geef een gemeentecode zoals GM0546.",
            )
        return reg

    # -- network ------------------------------------------------------------------------------
    def has_network(self, gemeente: str | None = None) -> bool:
        try:
            self.network(gemeente)
        except NotAvailableError:
            return False
        return True

    def network_gemeenten(self) -> frozenset[str]:
        """Codes of the municipalities with a street network (imported or bundled); cached per store
        version, so asking about one without a network costs nothing."""
        version = self.rt.store.version_key()
        if self._with_network is None or self._with_network[0] != version:
            codes: set[str] = set()
            if self._has_tables():
                codes |= {str(r["gemeente"]) for r in self.rt.store.rows(
                    "SELECT DISTINCT gemeente FROM access_networks")}
            meta_path = BUNDLE_DIR / "networks.parquet"
            if meta_path.exists():
                codes |= {str(g) for g in pd.read_parquet(meta_path, columns=["gemeente"])["gemeente"]}
            self._with_network = (version, frozenset(codes))
        return self._with_network[1]

    def network(self, gemeente: str | None = None) -> LoadedNetwork:
        """The network of a gemeente: an imported extract wins over the bundled one."""
        gm = self._gemeente(gemeente)["code"]
        key = (gm, self.rt.store.version_key())
        if key in self._networks:
            return self._networks[key]
        loaded: LoadedNetwork | None = None
        if self._has_tables():
            meta = self.rt.store.query("SELECT * FROM access_networks WHERE gemeente = ?", [gm])
            if not meta.empty:
                nodes = self.rt.store.query(
                    "SELECT node, x, y FROM access_nodes WHERE gemeente = ? ORDER BY node", [gm]
                )
                edges = self.rt.store.query(
                    "SELECT u, v, length_m, walk, bike, highway FROM access_edges WHERE gemeente = ?", [gm]
                )
                loaded = LoadedNetwork(gm, Network.from_frames(nodes, edges), meta.iloc[0].to_dict(), False)
        if loaded is None:
            meta_path = BUNDLE_DIR / "networks.parquet"
            metas = pd.read_parquet(meta_path) if meta_path.exists() else pd.DataFrame(columns=["gemeente"])
            hit = metas[metas["gemeente"] == gm]
            if hit.empty:
                raise NotAvailableError(
                    f"Er is geen straatnetwerk voor {gm}: roltrap levert alleen dat van Leiden mee.",
                    hint=f"Importeer een OSM-uittreksel: `roltrap import gebied.osm.pbf --gemeente {gm}`; "
                         "tot "
                    "dan gelden de CBS-afstanden omgerekend naar minuten.",
                )
            edges = pd.read_parquet(BUNDLE_DIR / "network_edges.parquet")
            nodes = pd.read_parquet(BUNDLE_DIR / "network_nodes.parquet")
            loaded = LoadedNetwork(
                gm, Network.from_frames(nodes, edges[edges["gemeente"] == gm]), hit.iloc[0].to_dict(), True
            )
            check = _bundled_check(gm)
            if check:  # the measured detours, said in the network's own note
                loaded.meta["check"] = check
                loaded.meta["note"] = f"{loaded.meta.get('note') or ''} {check['note']}".strip()
        loaded.net.push_factor = self.speeds["fiets"] / self.speeds["lopen"]
        self._networks = {key: loaded}  # one gemeente at a time: networks are large
        return loaded

    def network_sources(self, gemeente: str | None = None) -> list[str]:
        ln = self.network(gemeente)
        ids = [s for s in str(ln.meta.get("source_ids") or "").split(",") if s]
        src = self.rt.sources().set_index("id")
        return [
            f"{src.at[i, 'title']} ({src.at[i, 'publisher']}, {src.at[i, 'licence']})"
            if i in src.index
            else i
            for i in ids
        ]

    # -- places -------------------------------------------------------------------------------
    def places(self, *, gemeente: str | None = None, soort: str | None = None) -> pd.DataFrame:
        """Bundled and imported places with their nearest network node and the distance to it (m).

        ``reachable`` is False for places farther than ``access_snap_m`` from the network (outside
        the area it covers).
        """
        ln = self.network(gemeente)
        key = ("places", self.rt.store.version_key())
        if key not in ln._cache:
            ln._cache[key] = self._load_places(ln)
        df: pd.DataFrame = ln._cache[key]
        if soort is not None:
            df = df[df["soort"] == self._soort(soort)].reset_index(drop=True)
        return df

    def _load_places(self, ln: LoadedNetwork) -> pd.DataFrame:
        parts = []
        path = BUNDLE_DIR / "places.parquet"
        if path.exists():
            parts.append(pd.read_parquet(path).drop(columns=["gemeente"], errors="ignore"))
        if self._has_tables():
            parts.append(self.rt.store.query("SELECT * FROM access_places"))
        parts = [p for p in parts if not p.empty]
        df = (
            pd.concat(parts, ignore_index=True)
            if parts
            else pd.DataFrame(columns=["id", "name", "soort", "x", "y", "year", "stale", "note", "source_id"])
        )
        # A user's list wins over a bundled place with the same id (none share ids today).
        df = df.drop_duplicates("id", keep="last")
        if df.empty:
            return df.assign(
                node=pd.Series(dtype="int64"),
                snap_m=pd.Series(dtype=float),
                reachable=pd.Series(dtype=bool),
                lon=pd.Series(dtype=float),
                lat=pd.Series(dtype=float),
            )
        node, snap = ln.net.nearest_node(df["x"].to_numpy(float), df["y"].to_numpy(float))
        from roltrap.io.osm import to_wgs84

        lon, lat = to_wgs84(df["x"].to_numpy(float), df["y"].to_numpy(float))
        df = df.assign(
            node=node, snap_m=snap, reachable=snap <= self.rt.settings.access_snap_m, lon=lon, lat=lat
        )
        return df.sort_values(["soort", "name", "id"]).reset_index(drop=True)

    def _soort(self, soort: str) -> str:
        from roltrap.access.kinds import normalise_kind

        k = normalise_kind(soort)
        if k is None:
            raise InputError(
                f"Onbekende soort '{soort}'.",
                problems=[Problem(f"kies uit: {', '.join(SOORTEN)}", column="soort", value=soort)],
                hint="`roltrap access soorten` toont de lijst.",
            )
        return k

    def kinds(self, gemeente: str | None = None) -> list[str]:
        """The kinds with at least one reachable place on this gemeente's network, in list order."""
        df = self.places(gemeente=gemeente)
        have = set(df.loc[df["reachable"], "soort"])
        return [k for k in SOORTEN if k in have]

    # -- travel times per node -------------------------------------------------------------------
    def node_minutes(self, *, gemeente: str | None = None, mode: str, soort: str) -> np.ndarray:
        """Minutes from every network node to the nearest reachable place of ``soort`` (inf: none)."""
        mode = self._mode(mode)
        ln = self.network(gemeente)
        key = ("min", mode, soort, self.rt.store.version_key())
        if key not in ln._cache:
            pl = self.places(gemeente=gemeente, soort=soort)
            pl = pl[pl["reachable"]]
            ln._cache[key] = self._minutes_from(ln.net, pl, mode)
        return ln._cache[key]  # type: ignore[no-any-return]

    def _minutes_from(self, net: Network, pl: pd.DataFrame, mode: str) -> np.ndarray:
        if pl.empty:
            return np.full(net.n_nodes, np.inf)
        # The way from a place to its nearest node is walked/cycled too: exact offsets in one Dijkstra.
        dist = net.distances_from(
            pl["node"].to_numpy(np.int64), mode=mode, offsets=pl["snap_m"].to_numpy(float)
        )
        return dist / self._mpm(mode)

    def _mode(self, mode: str) -> str:
        m = {
            "lopen": "lopen",
            "loop": "lopen",
            "walk": "lopen",
            "fiets": "fiets",
            "fietsen": "fiets",
            "bike": "fiets",
        }.get(str(mode).strip().lower())
        if m is None:
            raise InputError(
                f"Onbekende vervoerswijze '{mode}'.",
                problems=[Problem("kies lopen of fiets", column="mode", value=str(mode))],
                hint="Kies lopen (5 km/u) of fiets (15 km/u).",
            )
        return m

    # -- areas ----------------------------------------------------------------------------------
    def _areas(self, gm: str, level: str) -> pd.DataFrame:
        if level not in ("wijk", "buurt"):
            raise InputError(
                f"Onbekend niveau '{level}'.",
                problems=[Problem("kies wijk of buurt", column="level", value=level)],
            )
        # Plain code lookups (rt.regions also lists every region's years, which is slow).
        regions = self.rt.children(gm, level="wijk")
        if level == "buurt":
            parts = [self.rt.children(w, level="buurt") for w in regions["code"]]
            regions = pd.concat(parts, ignore_index=True) if parts else regions.iloc[0:0]
        if regions.empty:
            raise NotAvailableError(
                f"Er zijn geen {level}en van {gm} in de opslag.",
                hint=f"Importeer een KWB-bestand met deze {level}en (`roltrap import kwb-2021.csv`).",
            )
        return regions[["code", "name"]].reset_index(drop=True)

    def _polygons(self, gm: str, level: str, codes: list[str]) -> Any:
        geo = (
            self.rt.geometries(level=level)
            if level == "buurt"
            else self.rt.geometries(gemeente=gm, level=level)
        )
        return geo[geo["code"].isin(codes)]

    def _latest(
        self, codes: list[str], indicators: list[str], year: int | None
    ) -> tuple[pd.DataFrame, dict[str, int]]:
        """Newest value (up to ``year``) per area and indicator, and the year used per indicator."""
        obs = self.rt.observations(codes=codes, indicators=indicators)
        obs = obs[obs["value"].notna()]
        if year is not None:
            obs = obs[obs["year"] <= year]
        years: dict[str, int] = {}
        cols = {}
        for ind in indicators:
            part = obs[obs["indicator_id"] == ind]
            if part.empty:
                cols[ind] = pd.Series(np.nan, index=codes)
                continue
            yr = int(part["year"].max())
            years[ind] = yr
            cols[ind] = part[part["year"] == yr].set_index("region_code")["value"].reindex(codes)
        return pd.DataFrame(cols, index=codes), years

    def _origins(
        self, ln: LoadedNetwork, gm: str, level: str, areas: pd.DataFrame
    ) -> tuple[np.ndarray, np.ndarray]:
        key = ("origins", level, tuple(areas["code"]))
        if key not in ln._cache:
            poly = self._polygons(gm, level, list(areas["code"]))
            if poly.empty:
                raise NotAvailableError(
                    f"Er zijn geen {level}grenzen van {gm} in de opslag; zonder grenzen weet roltrap niet "
                    "welke "
                    f"straten bij welke {level} horen.",
                    hint=f"Importeer de {level}grenzen (Wijk- en Buurtkaart, GeoJSON/GeoPackage) met "
                    "`roltrap import`; tot dan gelden de CBS-afstanden omgerekend naar minuten.",
                )
            node_area = compute.node_areas(ln.net.x, ln.net.y, list(poly["code"]), list(poly.geometry))
            ln._cache[key] = (node_area, residential_weight(ln.net, mode="lopen"))
        return ln._cache[key]  # type: ignore[no-any-return]

    # -- answers ---------------------------------------------------------------------------------
    def answers(
        self,
        *,
        gemeente: str | None = None,
        level: str = "wijk",
        mode: str | None = None,
        soort: str | None = None,
        year: int | None = None,
    ) -> MonitorResult:
        """Per area × kind × mode: minutes to the nearest place and shares within 5/10/15 minutes.

        With a network: computed on it for every kind with places. Always: the CBS road distances
        (``g_afs_*``) of the store converted to minutes at the stated speeds, as separate rows
        (``method`` says which). Without a network only the CBS rows remain, and a note says so.
        """
        reg = self._gemeente(gemeente)
        gm = reg["code"]
        areas = self._areas(gm, level)
        codes = list(areas["code"])
        modes = [self._mode(mode)] if mode else list(MODES)
        kind = self._soort(soort) if soort else None
        notes: list[str] = []
        sources: list[str] = []
        parts = []
        network_ok = False
        figures, years = self._latest(codes, ["a_inw"], year)
        try:
            ln = self.network(gm)
            node_area, weight = self._origins(ln, gm, level, areas)
            network_ok = True
        except NotAvailableError as exc:
            notes.append(exc.message + (f" {exc.hint}" if exc.hint else ""))
        if network_ok:
            kinds = [kind] if kind else self.kinds(gm)
            mins = {(k, m): self.node_minutes(gemeente=gm, mode=m, soort=k) for k in kinds for m in modes}
            rows = compute.area_answers(mins, node_area=node_area, weight=weight, areas=areas)
            parts.append(rows)
            notes.append(str(ln.meta.get("note") or ""))
            sources += self.network_sources(gm)
            pl = self.places(gemeente=gm)
            for k in kinds:
                sub = pl[(pl["soort"] == k)]
                if sub["stale"].fillna(False).astype(bool).any():
                    yrs = sorted({int(y) for y in sub["year"].dropna()})
                    notes.append(
                        f"{label(k)}: haltes uit {', '.join(map(str, yrs))} — verouderd; routes en "
                        "haltes zijn sindsdien veranderd."
                    )
                far = int((~sub["reachable"]).sum())
                if far:
                    notes.append(
                        f"{label(k)}: {far} plaats(en) verder dan {self.rt.settings.access_snap_m:.0f} m "
                        "van het netwerk tellen niet mee."
                    )
            if kind and kind not in self.kinds(gm):
                notes.append(
                    f"Er zijn geen {BY_ID[kind].plural} op het netwerk van {reg['name']}; importeer "
                    "vindplaatsen (sjabloon: `roltrap access sjabloon`)."
                )
        cbs_kinds = {i: k for i, k in CBS_DISTANCE_KINDS.items() if kind is None or k == kind}
        cbs_kinds |= self._catalogue_distance_kinds(kind)
        if cbs_kinds:
            wide, cyears = self._latest(codes, list(cbs_kinds), year)
            wide = wide.dropna(axis=1, how="all")
            if not wide.empty and len(wide.columns):
                wide.insert(0, "name", areas.set_index("code")["name"].reindex(codes).to_numpy())
                cbs = compute.cbs_answers(
                    wide,
                    kinds={i: cbs_kinds[i] for i in wide.columns if i != "name"},
                    speeds={m: self.speeds[m] for m in modes},
                )
                parts.append(cbs)
                used = ", ".join(f"{i} ({cyears[i]})" for i in wide.columns if i in cyears)
                notes.append(
                    f"CBS-afstanden over de weg ({used}) omgerekend naar minuten met "
                    f"{self.speeds['lopen']:g} km/u lopend en {self.speeds['fiets']:g} km/u per fiets; "
                    "CBS geeft alleen een gemiddelde, dus geen aandelen binnen 5/10/15 minuten."
                )
                years |= cyears
                sources.append("CBS Kerncijfers wijken en buurten (CBS, CC BY 4.0)")
        if not parts:
            raise NotAvailableError(
                f"Voor de {level}en van {reg['name']} is geen straatnetwerk en geen CBS-afstand in de "
                "opslag.",
                hint=f"Importeer een OSM-uittreksel (`roltrap import gebied.osm.pbf --gemeente {gm}`) of de "
                     "KWB "
                "met afstanden (g_afs_*).",
            )
        rows = (
            pd.concat([p for p in parts if not p.empty], ignore_index=True)
            if any(not p.empty for p in parts)
            else parts[0]
        )
        rows.insert(4, "soort_label", rows["soort"].map(label))
        rows["residents"] = rows["code"].map(figures["a_inw"]).astype(float)
        rows["level"] = level
        stale = self._stale_kinds(gm) if network_ok else set()
        rows["stale"] = rows["soort"].isin(stale) & (rows["method"] == "netwerk")
        rows["unit"] = "min"
        rows["estimate"] = rows["method"] == "netwerk"
        if network_ok:
            sources.insert(0, ATTRIBUTION)
        return MonitorResult(
            kind="access",
            title=f"Nabijheid: lopen en fietsen naar voorzieningen, {reg['name']} ({level})",
            rows=rows,
            unit="min",
            method=self.method_text(),
            sources=list(dict.fromkeys(sources)),
            assumptions=[
                f"Lopen {self.speeds['lopen']:g} km/u, fietsen {self.speeds['fiets']:g} km/u, zonder "
                "wachten bij kruisingen of stoplichten.",
                "Bewoners wonen langs de straten van hun gebied, naar rato van de straatlengte.",
                f"De 15-minutennorm is gehaald als ten minste {compute.BAR_SHARE:.0%} van de bewoners "
                "binnen 15 minuten een plaats van deze soort bereikt.",
            ],
            notes=[n for n in notes if n],
            extra={
                "gemeente": gm,
                "level": level,
                "years": years,
                "network": network_ok,
                "attribution": ATTRIBUTION if network_ok else None,
                "modes": modes,
                "speeds_kmh": self.speeds,
                "kinds": sorted(set(rows["soort"]), key=_kind_order),
                # How far the network's detours are from straight lines (bundled network: measured
                # with `detour_check`, stored beside it; an imported extract: none measured).
                "network_check": ln.meta.get("check") if network_ok else None,
            },
        )

    def answers_with_places(
        self,
        places: pd.DataFrame,
        *,
        gemeente: str | None = None,
        level: str = "wijk",
        year: int | None = None,
    ) -> MonitorResult:
        """The answers for the kinds in ``places`` (validated rows of
        :func:`roltrap.io.vindplaatsen.read_vindplaatsen`) as if they were added to the store's places
        of those kinds; nothing is stored and the store's caches are not touched (a web upload).

        Needs a street network with area boundaries (minutes from CBS distances cannot take new
        places); ``extra["places"]`` says per uploaded place whether it lies on the network.
        """
        reg = self._gemeente(gemeente)
        gm = reg["code"]
        areas = self._areas(gm, level)
        try:
            ln = self.network(gm)
        except NotAvailableError:
            raise NotAvailableError(
                f"Eigen vindplaatsen vragen een straatnetwerk; voor {reg['name']} is dat er niet, dus "
                "kan roltrap er geen reistijden voor berekenen.",
                hint="Een beheerder kan een OSM-uittreksel van deze gemeente importeren.",
            ) from None
        node_area, weight = self._origins(ln, gm, level, areas)
        mine = places.copy()
        node, snap = ln.net.nearest_node(mine["x"].to_numpy(float), mine["y"].to_numpy(float))
        mine = mine.assign(node=node, snap_m=snap, reachable=snap <= self.rt.settings.access_snap_m)
        stored = self.places(gemeente=gm)
        kinds = [k for k in SOORTEN if k in set(mine["soort"])]
        mins = {}
        for k in kinds:
            cols = ["node", "snap_m"]  # all the routing needs
            known = stored.loc[(stored["soort"] == k) & stored["reachable"], cols]
            new = mine.loc[(mine["soort"] == k) & mine["reachable"], cols]
            pl = pd.concat([part for part in (known, new) if not part.empty], ignore_index=True)
            for m in MODES:
                mins[(k, m)] = self._minutes_from(ln.net, pl, m)
        rows = compute.area_answers(mins, node_area=node_area, weight=weight, areas=areas)
        figures, years = self._latest(list(areas["code"]), ["a_inw"], year)
        rows.insert(4, "soort_label", rows["soort"].map(label))
        rows["residents"] = rows["code"].map(figures["a_inw"]).astype(float)
        rows["level"] = level
        rows["unit"] = "min"
        far = int((~mine["reachable"]).sum())
        counts = {k: int(((stored["soort"] == k) & stored["reachable"]).sum()) for k in kinds}
        notes = []
        for k in kinds:
            n = int(((mine["soort"] == k) & mine["reachable"]).sum())
            known = f"bij de {counts[k]} die roltrap al kent" if counts[k] else "roltrap kende er nog geen"
            notes.append(f"{_sentence_start(label(k))}: {n} eigen plaats(en), {known}.")
        if far:
            notes.append(
                f"{far} eigen plaats(en) liggen verder dan {self.rt.settings.access_snap_m:.0f} m van het "
                "straatnetwerk en tellen niet mee."
            )
        return MonitorResult(
            kind="access",
            title=f"Nabijheid met eigen vindplaatsen, {reg['name']} ({level})",
            rows=rows,
            unit="min",
            method=self.method_text(),
            sources=[ATTRIBUTION, *self.network_sources(gm), "Eigen vindplaatsen (niet opgeslagen)"],
            assumptions=[],
            notes=notes,
            extra={
                "gemeente": gm,
                "level": level,
                "years": years,
                "network": True,
                "attribution": ATTRIBUTION,
                "kinds": kinds,
                "speeds_kmh": self.speeds,
                "places": [
                    {
                        "name": str(r["name"]),
                        "soort": str(r["soort"]),
                        "reachable": bool(r["reachable"]),
                        "snap_m": float(r["snap_m"]),
                    }
                    for r in mine.to_dict("records")
                ],
            },
        )

    def _stale_kinds(self, gm: str) -> set[str]:
        pl = self.places(gemeente=gm)
        return set(pl.loc[pl["stale"].fillna(False).astype(bool), "soort"])

    def _catalogue_distance_kinds(self, kind: str | None) -> dict[str, str]:
        """Distance indicators in the catalogue (e.g. Nabijheid variables) mapped to a kind by their label."""
        cat = self.rt.catalogue()
        dist = cat[
            (cat["kind"] == "distance") & (cat["unit"] == "km") & ~cat["id"].isin(list(CBS_DISTANCE_KINDS))
        ]
        out: dict[str, str] = {}
        words = {
            "bibliotheek": "bibliotheek",
            "treinstation": "treinstation",
            "huisarts": "huisarts",
            "apotheek": "apotheek",
            "supermarkt": "supermarkt",
            "kinderdagverblijf": "kinderdagverblijf",
            "school": "school",
        }
        # Labels that hold one of the words but name another amenity (Nabijheid voorzieningen has a
        # huisartsenpost beside the huisartsenpraktijk, and vo/vmbo/havo-vwo schools beside primary ones).
        other = ("huisartsenpost", "buitenschoolse", "voortgezet", "vmbo", "havo", "overstap")
        for rec in dist.itertuples():
            text = str(rec.label).lower()
            if any(w in text for w in other):
                continue
            for word, k in words.items():
                if word in text and (kind is None or kind == k):
                    out[str(rec.id)] = k
                    break
        return out

    def method_text(self) -> str:
        return (
            "Reistijd over het straatnetwerk uit OpenStreetMap (kortste route, Dijkstra van scipy) van elk "
            "knooppunt naar de dichtstbijzijnde plaats van een soort; de weg van een plaats naar het "
            "netwerk telt "
            "mee. Herkomst: de knooppunten binnen de grens van de wijk of buurt, elk gewogen met de helft "
            "van de "
            "lengte van zijn straten (geen fiets- of voetpaden, dienstwegen of snelwegen); de inwoners van "
            "het "
            "gebied zijn zo over de straten verdeeld. Minuten = gemiddelde over de bewoners. Snelwegen en "
            "wegen "
            "die volgens OSM gesloten zijn voor voetgangers of fietsers tellen voor die wijze niet mee; "
            "waar fietsen niet "
            "mag maar lopen wel (voetpad, voetgangersgebied) gaat de fiets aan de hand, op loopsnelheid. "
            "Waar alleen CBS-afstanden bestaan: gemiddelde afstand over de weg ÷ snelheid."
        )

    def area(self, code: str, *, year: int | None = None) -> MonitorResult:
        """The access rows of one wijk or buurt (every kind and mode): for the Wijk page and the PDF."""
        reg = self.rt.region(code)
        if reg["level"] not in ("wijk", "buurt"):
            raise InputError(
                f"{reg['code']} is geen wijk of buurt.",
                problems=[Problem("een code zoals WK054603", column="code", value=code)],
            )
        gm = reg["parent"] if reg["level"] == "wijk" else self.rt.region(reg["parent"])["parent"]
        res = self.answers(gemeente=gm, level=reg["level"], year=year)
        rows = res.rows[res.rows["code"] == reg["code"]].reset_index(drop=True)
        return MonitorResult(
            kind="access",
            title=f"Nabijheid: {reg['name']}",
            rows=rows,
            unit="min",
            method=res.method,
            assumptions=res.assumptions,
            sources=res.sources,
            notes=res.notes,
            extra={**res.extra, "code": reg["code"]},
        )

    def need(
        self,
        *,
        gemeente: str | None = None,
        level: str = "wijk",
        mode: str = "lopen",
        soort: str | None = None,
        year: int | None = None,
    ) -> MonitorResult:
        """All residents, low-income households, bijstand recipients and low-educated residents beyond 15 min.

        Estimated per area as the group's CBS count × the share of residents beyond 15 minutes
        (assumes the group lives spread like all residents of the area); every count passes
        :func:`roltrap.disclosure.protect_table` (cells under ``min_cell`` hidden, also against
        differencing with the published area totals).
        """
        res = self.answers(gemeente=gemeente, level=level, mode=mode, soort=soort, year=year)
        net = res.rows[res.rows["method"] == "netwerk"]
        if net.empty:
            raise NotAvailableError(
                "Tellingen naar behoefte vragen reistijden over een straatnetwerk; dat is er hier niet.",
                hint=res.notes[0] if res.notes else None,
            )
        codes = sorted(set(net["code"]))
        figures, years = self._latest(codes, ["a_inw", "a_hh", "p_hh_110", "a_soz_wb", "a_opl_lg"], year)
        groups = pd.DataFrame(
            {
                "inwoners": figures["a_inw"],
                "laag_inkomen_hh": (figures["a_hh"] * figures["p_hh_110"] / 100).round(),
                "bijstand": figures["a_soz_wb"],
                "laagopgeleid": figures["a_opl_lg"],
            },
            index=codes,
        )
        rows = compute.need_beyond(net, groups, labels=NEED_GROUPS, min_cell=self.rt.settings.min_cell)
        rows.insert(3, "soort_label", rows["soort"].map(label))
        hidden = int(rows["beyond_15"].isna().sum() - (~rows["available"]).sum())
        notes = [
            f"{hidden} telling(en) onderdrukt (minder dan {self.rt.settings.min_cell}, of terug te rekenen "
            "uit het gebiedstotaal)."
            if hidden
            else "Geen tellingen onderdrukt."
        ]
        notes.append("Jaren: " + ", ".join(f"{k} {v}" for k, v in sorted(years.items())) + ".")
        return MonitorResult(
            kind="access-need",
            title="Bewoners met de grootste behoefte verder dan 15 minuten",
            rows=rows,
            unit="aantal",
            method=(
                "Aantal per gebied × aandeel bewoners dat verder dan 15 minuten woont; "
                "huishoudens tot 110% van het sociaal minimum = a_hh × p_hh_110."
            ),
            assumptions=["De groep woont even verspreid over de straten van het gebied als alle bewoners."],
            sources=[*res.sources, "CBS Kerncijfers wijken en buurten (CBS, CC BY 4.0)"],
            notes=notes + res.notes,
            extra={**res.extra, "years": years, "groups": NEED_GROUPS},
        )

    # -- escalator conditions ---------------------------------------------------------------------
    def station_km(self, *, gemeente: str | None = None, level: str = "wijk") -> pd.Series:
        """Mean walking-network distance (km) from the residents of each area to the nearest station.

        For the escalator conditions' "afstand tot treinstation" (``g_afs_ov``) where CBS has none;
        an empty series when there is no network, no area polygons or no station.

        Cached per store version and walking speed: every call of the monitor's ``conditions`` asks
        for it, and computing the answers costs 40–100 ms per municipality.
        """
        key = (gemeente or self.rt.settings.gemeente, level, self._mpm("lopen"), self.rt.store.version_key())
        hit = self._station_km.get(key)
        if hit is not None:
            return hit.copy()
        gm = key[0] if str(key[0]).startswith("GM") else self._gemeente(str(key[0]))["code"]
        if gm not in self.network_gemeenten():  # no network: nothing to add to CBS's distance
            return pd.Series(dtype=float, name="g_afs_ov")
        try:
            res = self.answers(gemeente=gemeente, level=level, mode="lopen", soort="treinstation")
        except (NotAvailableError, NotFoundError):
            out = pd.Series(dtype=float, name="g_afs_ov")
        else:
            rows = res.rows[(res.rows["method"] == "netwerk") & res.rows["available"].astype(bool)]
            out = (rows.set_index("code")["minutes"] * self._mpm("lopen") / 1000).rename("g_afs_ov")
        if len(self._station_km) > 1024:  # bounded: every municipality × level, a few store versions
            self._station_km.clear()
        self._station_km[key] = out
        return out.copy()

    # -- isochrone -------------------------------------------------------------------------------
    def isochrone(
        self,
        *,
        place: str,
        mode: str = "lopen",
        gemeente: str | None = None,
        limits: tuple[int, ...] = compute.THRESHOLDS,
    ) -> dict[str, Any]:
        """Streets reachable from one place within 5/10/15 minutes, as GeoJSON (WGS84) per band."""
        from roltrap.io.osm import to_wgs84

        mode = self._mode(mode)
        pl = self.places(gemeente=gemeente)
        hit = pl[pl["id"] == place]
        if hit.empty:
            raise NotFoundError(
                f"Onbekende plaats '{place}'.", hint="Kies een plaats uit de lijst op de pagina."
            )
        ln = self.network(gemeente)
        minutes = self._minutes_from(ln.net, hit, mode)
        m = ln.net.mode_mask(mode)
        t_edge = np.maximum(minutes[ln.net.u], minutes[ln.net.v])
        lon, lat = to_wgs84(ln.net.x, ln.net.y)
        features = []
        lower = 0
        for lim in limits:
            sel = m & (t_edge <= lim) & (t_edge > lower)
            lines = [
                [
                    [round(float(lon[a]), 5), round(float(lat[a]), 5)],
                    [round(float(lon[b]), 5), round(float(lat[b]), 5)],
                ]
                for a, b in zip(ln.net.u[sel], ln.net.v[sel], strict=True)
            ]
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "band": f"{lower}–{lim} min",
                        "limit": lim,
                        "length_km": round(float(ln.net.length[sel].sum()) / 1000, 2),
                    },
                    "geometry": {"type": "MultiLineString", "coordinates": lines},
                }
            )
            lower = lim
        rec = hit.iloc[0]
        return {
            "place": {
                "id": rec["id"],
                "name": rec["name"],
                "soort": rec["soort"],
                "lon": float(rec["lon"]),
                "lat": float(rec["lat"]),
            },
            "mode": mode,
            "speed_kmh": self.speeds[mode],
            "attribution": ATTRIBUTION,
            "bands": {"type": "FeatureCollection", "features": features},
        }

    # -- checks ------------------------------------------------------------------------------------
    def detour_check(
        self,
        *,
        gemeente: str | None = None,
        pairs: int = 50,
        min_m: float = 500,
        seed: int = 546,
        mode: str = "lopen",
    ) -> pd.DataFrame:
        """Network ÷ straight-line distance for random node pairs farther apart than ``min_m``."""
        from scipy.sparse import csgraph

        ln = self.network(gemeente)
        net = ln.net
        labels = net.components(mode)
        main = np.bincount(labels).argmax()
        cand = np.where(labels == main)[0]
        rng = np.random.default_rng(seed)
        chosen: list[tuple[int, int]] = []
        while len(chosen) < pairs:
            a, b = rng.choice(cand, 2, replace=False)
            if np.hypot(net.x[a] - net.x[b], net.y[a] - net.y[b]) > min_m:
                chosen.append((int(a), int(b)))
        arr = np.asarray(chosen)
        dist = csgraph.dijkstra(net.graph(mode), directed=False, indices=arr[:, 0])
        return compute.detour_ratios(net.x, net.y, dist[np.arange(len(arr)), arr[:, 1]], arr)

    # -- imports -----------------------------------------------------------------------------------
    def import_network(
        self, path: Path | str, *, gemeente: str, on_progress: Callable[[str], None] | None = None
    ) -> ImportSummary:
        """Import an OSM extract (``.osm.pbf`` or Overpass GeoJSON), clipped to the gemeente + margin.

        Replaces the gemeente's network in one transaction; a failure leaves the store as it was.
        """
        import shapely

        from roltrap.io.osm import is_osm_pbf, osm_source, read_osm_geojson, read_osm_pbf, to_wgs84

        path = Path(path)
        gm = self._gemeente(gemeente)["code"]
        clip = self._clip_area(gm)
        lon, lat = to_wgs84(np.array(clip.bounds[0::2]), np.array(clip.bounds[1::2]))
        bbox = (float(lon[0]), float(lat[0]), float(lon[1]), float(lat[1]))
        if on_progress:
            on_progress("OSM-wegen lezen")
        ways = read_osm_pbf(path, bbox=bbox) if is_osm_pbf(path) else read_osm_geojson(path)
        if on_progress:
            on_progress("Knippen op gemeente + marge")
        inside = np.array([shapely.intersects(clip, shapely.linestrings(c)) for c in ways["coords"]], bool)
        ways = ways[inside].sort_values("way_id", kind="stable").reset_index(drop=True)
        if ways.empty:
            raise InputError(
                f"{path.name} bevat geen wegen binnen {gm} (plus {self.rt.settings.access_margin_m:.0f} m).",
                file=path,
                hint="Controleer of het uittreksel deze gemeente dekt.",
            )
        if on_progress:
            on_progress("Netwerk bouwen")
        net, flags = build_network(ways)
        share = net.largest_component_share(None)
        sid = f"osm-{gm.lower()}-{path.name.split('.')[0].lower()}"
        src = osm_source(
            sid,
            f"OpenStreetMap-uittreksel {path.name} ({gm})",
            path,
            provenance=f"geïmporteerd met roltrap; geknipt op {gm} + "
            f"{self.rt.settings.access_margin_m:.0f} m",
            rows_loaded=len(ways),
        )
        closed = int((~flags["walk"] & ~flags["bike"]).sum())
        pct = f"{100 * share:.1f}".replace(".", ",")
        note = (
            f"Straatnetwerk uit {path.name}: {len(ways)} OSM-wegen binnen {gm} plus "
            f"{self.rt.settings.access_margin_m:.0f} m; {closed} wegen zijn dicht voor voetgangers en "
            "fietsers "
            f"(snelwegen, access=no). Grootste samenhangende deel: {pct} % van de lengte."
        )
        nodes, edges = net.frames()
        meta = pd.DataFrame(
            [
                {
                    "gemeente": gm,
                    "source_ids": sid,
                    "note": note,
                    "nodes": len(nodes),
                    "edges": len(edges),
                    "length_km": float(edges["length_m"].sum()) / 1000,
                    "largest_component_share": share,
                    "largest_component_share_raw": share,
                    "connectors": 0,
                    "connectors_m": 0.0,
                    "complete": True,
                }
            ]
        )
        if on_progress:
            on_progress("Opslaan")
        self._ensure_tables()
        with self._transaction() as con:
            self._upsert_source(con, src)
            for t in ("access_networks", "access_nodes", "access_edges"):
                con.execute(f"DELETE FROM {t} WHERE gemeente = ?", [gm])
            for t, df in (
                ("access_networks", meta),
                ("access_nodes", nodes.assign(gemeente=gm)),
                ("access_edges", edges.assign(gemeente=gm)),
            ):
                con.register("_in", df)
                cols = ", ".join(df.columns)
                con.execute(f"INSERT INTO {t} ({cols}) SELECT {cols} FROM _in")
                con.unregister("_in")
        return ImportSummary("network", path.name, sid, len(ways), [note])

    def _clip_area(self, gm: str) -> Any:
        import shapely

        geo = self.rt.geometries(gemeente=gm, level="gemeente")
        if geo.empty:
            geo = self.rt.geometries(gemeente=gm, level="wijk")
        if geo.empty:
            raise NotAvailableError(
                f"Er zijn geen grenzen van {gm} (of zijn wijken) in de opslag om het "
                "OSM-uittreksel op te knippen.",
                hint="Importeer eerst de wijkgrenzen (Wijk- en Buurtkaart) met `roltrap import`.",
            )
        return shapely.union_all(list(geo.geometry)).buffer(self.rt.settings.access_margin_m)

    def import_any(
        self, path: Path, *, kind: str, gemeente: str | None, progress: bool = False
    ) -> ImportSummary:
        """An access import from ``rt.import_file``: a network (needs ``gemeente``) or a place list."""
        if kind == "places":
            return self.import_places(path)
        if not gemeente:
            raise ConfigError(
                f"{path.name} is een OSM-uittreksel: geef aan voor welke gemeente het netwerk geldt.",
                hint=f"`roltrap import {path.name} --gemeente GM0546` (het netwerk wordt op die "
                "gemeente plus een marge geknipt).",
            )
        if not progress:
            return self.import_network(path, gemeente=gemeente)
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as bar:
            task = bar.add_task("Netwerk importeren", total=None)
            return self.import_network(
                path, gemeente=gemeente, on_progress=lambda step: bar.update(task, description=step)
            )

    def import_places(self, path: Path | str) -> ImportSummary:
        """Import a vindplaatsen list (CSV/Excel/GeoJSON); every row is checked before anything is stored."""
        from roltrap.io.vindplaatsen import read_vindplaatsen

        path = Path(path)
        rows, sid = read_vindplaatsen(path)
        src = {
            "id": sid,
            "title": f"Vindplaatsen uit {path.name}",
            "publisher": "gebruiker",
            "licence": "eigen gegevens",
            "attribution": None,
            "provenance": "geïmporteerd met roltrap",
            "file": path.name,
            "estimate": False,
            "rows_loaded": len(rows),
        }
        self._ensure_tables()
        with self._transaction() as con:
            self._upsert_source(con, src)
            # Re-importing a list replaces its earlier rows; other lists stay.
            con.execute("DELETE FROM access_places WHERE source_id = ?", [sid])
            con.register("_in", rows)
            cols = ", ".join(rows.columns)
            con.execute(f"INSERT INTO access_places ({cols}) SELECT {cols} FROM _in")
            con.unregister("_in")
        counts = rows.groupby("soort").size()
        return ImportSummary(
            "places",
            path.name,
            sid,
            len(rows),
            ["Per soort: " + ", ".join(f"{label(k)} {n}" for k, n in counts.items()) + "."],
        )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self.rt.store.transaction() as con:
            yield con
        self.rt.store.changes += 1  # caches keyed on the store's version see the import

    @staticmethod
    def _upsert_source(con: Any, src: Mapping[str, object]) -> None:
        cols = list(src)
        con.execute(
            f"INSERT INTO sources ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)}) "
            f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in cols if c != 'id')}",
            [src[c] for c in cols],
        )


def _bundled_check(gemeente: str) -> dict[str, Any] | None:
    """The stored network check of a bundled network (``network_check.json``), if any."""
    import json

    path = BUNDLE_DIR / "network_check.json"
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data if data.get("gemeente") == gemeente else None


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def _kind_order(k: str) -> int:
    return SOORTEN.index(k) if k in SOORTEN else len(SOORTEN)


__all__ = ["ATTRIBUTION", "NOT_AVAILABLE", "AccessService", "ImportSummary"]
