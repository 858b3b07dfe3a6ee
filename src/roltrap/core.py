"""The one core object. The CLI and the web app are thin shells around :class:`Roltrap`.

``Roltrap`` opens the store (creating it from the bundled Leiden data on first use) and answers
questions about regions and their figures. Analyses hang off it as attributes:
``rt.monitor`` (districts, issue "district monitor"), ``rt.triage`` (coach's aid) and
``rt.cohort`` (escalator measured on person-year records).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from roltrap import bundle
from roltrap.errors import NotFoundError
from roltrap.jsonable import jsonable
from roltrap.settings import Settings
from roltrap.store import Store

if TYPE_CHECKING:
    # pandas is imported by the methods that return frames: opening the store and `show` need none.
    import geopandas as gpd
    import pandas as pd

    from roltrap.access.service import AccessService, ImportSummary
    from roltrap.cohort.service import CohortService
    from roltrap.io.importer import ImportReport
    from roltrap.monitor.service import DistrictMonitor
    from roltrap.triage.service import TriageService


class Roltrap:
    """Open (and on first use create) the store and answer questions about it.

    >>> rt = Roltrap()                       # default store in the user's data folder
    >>> rt.show("GM0546", year=2021)["indicators"]["a_inw"]["value"]
    124093.0
    """

    def __init__(self, path: Path | str | None = None, *, settings: Settings | None = None,
                 read_only: bool | None = None, hold: bool = True) -> None:
        """``hold=False`` (the web server) keeps no connection open between uses: the store is
        built or refreshed first, then read through short sessions (see :class:`Store`), so other
        processes can read and import into the same file meanwhile."""
        self.settings = settings or Settings()
        db = Path(path) if path is not None else self.settings.db_path
        ro = self.settings.read_only if read_only is None else read_only
        if str(db) == ":memory:":
            ro, hold = False, True  # a private in-memory store must be filled, so it cannot be read-only
        elif not db.exists():
            # First use: a copy of this installation's store filled from the bundle (built once).
            bundle.create_store(db, template_dir=self.settings.template_dir)
        if (ro or not hold) and (not db.exists() or not ro):
            # Build (first use) or refresh (a rebuilt bundle) with a short writable connection, closed
            # before reopening read-only: DuckDB refuses two configurations of one file in a process.
            tmp = Store(db)
            bundle.refresh_if_stale(tmp)
            tmp.close()
        if not hold:
            ro = True  # a server never writes; imports come from the CLI
        self.store = Store(db, read_only=ro, hold=hold)
        if not ro:
            # First use, or a roltrap upgrade that ships a rebuilt bundle: (re)load it.
            bundle.refresh_if_stale(self.store)
        self.path = db

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Roltrap:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- regions ----------------------------------------------------------------------------
    def regions(self, *, gemeente: str | None = None, level: str | None = None) -> pd.DataFrame:
        """Regions with code, name, level, parent and the years for which figures are held."""
        sql = """
            SELECT r.code, r.name, r.level, r.parent, r.boundary_year,
                   list_sort(list_distinct(list(o.year) FILTER (WHERE o.year IS NOT NULL))) AS years
            FROM regions r LEFT JOIN observations o ON o.region_code = r.code
            WHERE 1=1"""
        params: list[object] = []
        if gemeente:
            gm = self.region(gemeente)["code"]
            sql += (" AND (r.code = ? OR r.parent = ?"
                    " OR r.parent IN (SELECT code FROM regions WHERE parent = ?))")
            params += [gm, gm, gm]
        if level:
            sql += " AND r.level = ?"
            params.append(level)
        sql += (" GROUP BY r.code, r.name, r.level, r.parent, r.boundary_year"
                " ORDER BY r.level = 'land' DESC, r.level = 'gemeente' DESC, r.code")
        return self.store.query(sql, params)

    def region(self, code: str) -> dict[str, Any]:
        """One region by code; codes are normalised (``546`` → ``GM0546``, padding stripped)."""
        from roltrap.io.codes import normalise_code

        try:
            norm = normalise_code(code)
        except ValueError:
            norm = ""  # not shaped like a code: try it as a name below
        rows = self.store.rows("SELECT * FROM regions WHERE code = ?", [norm])
        if not rows:
            by_name = self.store.rows("SELECT * FROM regions WHERE lower(name) = lower(?)", [code.strip()])
            if len(by_name) == 1:
                rows = by_name
            else:
                raise NotFoundError(
                    f"Onbekende regio '{code}'.",
                    hint="Bekijk de bekende regio's met `roltrap regions`; "
                         "codes zien eruit als GM0546 of WK054608.")
        return {k: jsonable(v) for k, v in rows[0].items()}

    def children(self, code: str, *, level: str | None = None) -> pd.DataFrame:
        code = self.region(code)["code"]
        sql = "SELECT code, name, level, parent FROM regions WHERE parent = ?"
        params: list[object] = [code]
        if level:
            sql += " AND level = ?"
            params.append(level)
        return self.store.query(sql + " ORDER BY code", params)

    # -- figures ----------------------------------------------------------------------------
    def years(self, code: str) -> list[int]:
        code = self.region(code)["code"]
        rows = self.store.rows("SELECT DISTINCT year FROM observations WHERE region_code = ? ORDER BY year",
                               [code])
        return [int(str(r["year"])) for r in rows]

    def show(self, code: str, *, year: int | None = None) -> dict[str, Any]:
        """Every indicator held for a region and year (default: the latest year with KWB data)."""
        reg = self.region(code)
        years = self.years(reg["code"])
        if not years:
            raise NotFoundError(f"Er zijn geen cijfers voor {reg['code']} ({reg['name']}).")
        if year is None:
            counts = self.store.rows(
                "SELECT year, count(value) AS n FROM observations WHERE region_code = ? GROUP BY year "
                "ORDER BY n DESC, year DESC LIMIT 1", [reg["code"]])
            year = int(str(counts[0]["year"]))
        elif year not in years:
            raise NotFoundError(f"Geen cijfers voor {reg['code']} in {year}.",
                                hint=f"Beschikbare jaren: {', '.join(map(str, years))}.")
        rows = self.store.rows(
            """SELECT o.indicator_id, o.value, i.unit, i.label, i.kind, i.decimals, s.title AS source,
                      s.estimate
               FROM observations o JOIN indicators i ON i.id = o.indicator_id
               JOIN sources s ON s.id = o.source_id
               WHERE o.region_code = ? AND o.year = ? ORDER BY i.theme, o.indicator_id""",
            [reg["code"], year])
        indicators = {
            str(r["indicator_id"]): {"value": jsonable(r["value"]), "unit": r["unit"], "label": r["label"],
                                     "source": r["source"], "estimate": bool(r["estimate"]),
                                     "decimals": r["decimals"]}
            for r in rows
        }
        return {"code": reg["code"], "name": reg["name"], "level": reg["level"], "parent": reg["parent"],
                "year": year, "indicators": indicators}

    def observations(self, *, codes: list[str] | None = None, indicators: list[str] | None = None,
                     years: list[int] | None = None, level: str | None = None,
                     gemeente: str | None = None) -> pd.DataFrame:
        """Long table: region_code, name, level, parent, year, indicator_id, value, source_id, estimate."""
        sql = """SELECT o.region_code, r.name, r.level, r.parent, o.year, o.indicator_id, o.value,
                        o.source_id, s.estimate
                 FROM observations o JOIN regions r ON r.code = o.region_code
                 JOIN sources s ON s.id = o.source_id WHERE 1=1"""
        params: list[object] = []
        if codes is not None:
            sql += " AND o.region_code IN (SELECT unnest(?))"
            params.append(list(codes))
        if indicators is not None:
            sql += " AND o.indicator_id IN (SELECT unnest(?))"
            params.append(list(indicators))
        if years is not None:
            sql += " AND o.year IN (SELECT unnest(?))"
            params.append([int(y) for y in years])
        if level is not None:
            sql += " AND r.level = ?"
            params.append(level)
        if gemeente is not None:
            gm = self.region(gemeente)["code"]
            sql += " AND (r.code = ? OR r.parent = ?)"
            params += [gm, gm]
        return self.store.query(sql + " ORDER BY o.region_code, o.year, o.indicator_id", params)

    def wide(self, *, year: int, indicators: list[str] | None = None, level: str | None = None,
             gemeente: str | None = None, codes: list[str] | None = None) -> pd.DataFrame:
        """One row per region (index: code; columns name, level, parent, then one per indicator)."""
        long = self.observations(codes=codes, indicators=indicators, years=[year], level=level,
                                 gemeente=gemeente)
        if long.empty:
            import pandas as pd

            return pd.DataFrame(columns=["name", "level", "parent", *(indicators or [])])
        # Pivot on the code alone: a multi-column index with dropna=False would form every combination
        # of code, name, level and parent, and a NULL parent (the country) would drop the row.
        values = long.pivot_table(index="region_code", columns="indicator_id", values="value",
                                  aggfunc="first", dropna=False)
        values.columns.name = None
        meta = long.drop_duplicates("region_code").set_index("region_code")[["name", "level", "parent"]]
        wide = meta.join(values)
        for ind in indicators or []:
            if ind not in wide.columns:
                wide[ind] = float("nan")
        return wide

    def flows(self, *, codes: list[str] | None = None, years: list[int] | None = None) -> pd.DataFrame:
        """Settlers (direction ``in``) and leavers (``out``) per region, year and origin."""
        sql = "SELECT f.*, r.name FROM flows f JOIN regions r ON r.code = f.region_code WHERE 1=1"
        params: list[object] = []
        if codes is not None:
            sql += " AND f.region_code IN (SELECT unnest(?))"
            params.append(list(codes))
        if years is not None:
            sql += " AND f.year IN (SELECT unnest(?))"
            params.append([int(y) for y in years])
        return self.store.query(sql + " ORDER BY region_code, year, direction, origin", params)

    def catalogue(self) -> pd.DataFrame:
        return self.store.query("SELECT * FROM indicators ORDER BY theme, id")

    def indicator(self, indicator_id: str) -> dict[str, Any]:
        rows = self.store.rows("SELECT * FROM indicators WHERE id = ?", [indicator_id])
        if not rows:
            raise NotFoundError(f"Onbekende indicator '{indicator_id}'.",
                                hint="Bekijk de catalogus met `roltrap indicators`.")
        return {k: jsonable(v) for k, v in rows[0].items()}

    def sources(self) -> pd.DataFrame:
        return self.store.query("SELECT * FROM sources ORDER BY id")

    def source_coverage(self) -> pd.DataFrame:
        """Per source: first and last year of its figures, how many, and its boundaries' years."""
        return self.store.query(
            """SELECT s.id AS source_id, o.first_year, o.last_year, coalesce(o.n, 0) AS observations,
                      g.first_boundary, g.last_boundary, coalesce(g.n, 0) AS geometries
               FROM sources s
               LEFT JOIN (SELECT source_id, min(year) AS first_year, max(year) AS last_year, count(*) AS n
                          FROM observations GROUP BY source_id) o ON o.source_id = s.id
               LEFT JOIN (SELECT source_id, min(boundary_year) AS first_boundary,
                                 max(boundary_year) AS last_boundary, count(*) AS n
                          FROM geometries GROUP BY source_id) g ON g.source_id = s.id
               ORDER BY s.id""")

    def geometries(self, *, gemeente: str | None = None, level: str = "wijk",
                   boundary_year: int | None = None) -> gpd.GeoDataFrame:
        """Region polygons in RD New (EPSG:28992), newest boundary year unless asked otherwise."""
        import geopandas as gpd
        import shapely

        sql = """SELECT g.region_code AS code, r.name, r.parent, g.boundary_year, g.geom_wkb
                 FROM geometries g JOIN regions r ON r.code = g.region_code WHERE r.level = ?"""
        params: list[object] = [level]
        if gemeente:
            gm = self.region(gemeente)["code"]
            sql += " AND (r.parent = ? OR r.code = ?)"
            params += [gm, gm]
        if boundary_year is not None:
            sql += " AND g.boundary_year = ?"
            params.append(boundary_year)
        else:
            sql += (" QUALIFY g.boundary_year = max(g.boundary_year) OVER (PARTITION BY g.region_code)")
        df = self.store.query(sql, params)
        geom = shapely.from_wkb(df.pop("geom_wkb").map(bytes).to_numpy())
        return gpd.GeoDataFrame(df, geometry=geom, crs="EPSG:28992")

    # -- imports ----------------------------------------------------------------------------
    def import_file(self, path: Path | str, *, format: str = "auto", progress: bool = False,
                    dry_run: bool = False, year: int | None = None, new_region: bool = False,
                    gemeente: str | None = None) -> ImportReport | ImportSummary:
        """Read, validate and merge one file; nothing changes when validation fails (see
        :func:`roltrap.io.importer.import_file`).

        OSM extracts (``.osm.pbf``, Overpass GeoJSON) and vindplaatsen lists go to ``rt.access``;
        an OSM extract needs ``gemeente`` (the municipality it is clipped to).
        """
        from roltrap.access.detect import import_kind

        kind = import_kind(Path(path), format)
        if kind is not None:
            return self.access.import_any(Path(path), kind=kind, gemeente=gemeente, progress=progress)
        from roltrap.io.importer import import_file

        return import_file(self.store, Path(path), format=format, progress=progress, dry_run=dry_run,
                           year=year, new_region=new_region, settings=self.settings)

    # -- analyses ---------------------------------------------------------------------------
    @cached_property
    def monitor(self) -> DistrictMonitor:
        from roltrap.monitor.service import DistrictMonitor

        return DistrictMonitor(self)

    @cached_property
    def triage(self) -> TriageService:
        from roltrap.triage.service import TriageService

        return TriageService(self)

    @cached_property
    def access(self) -> AccessService:
        from roltrap.access.service import AccessService

        return AccessService(self)

    @cached_property
    def cohort(self) -> CohortService:
        from roltrap.cohort.service import CohortService

        return CohortService(self)
