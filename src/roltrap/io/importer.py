"""Import one file into the store: detect the format, read, validate, write in one transaction, report.

The order matters: everything that can fail (reading, schema validation, references to regions and
indicators) happens before :meth:`roltrap.store.Store.apply`, which writes all tables in one
transaction. A failed import therefore changes nothing; an interrupted one (Ctrl-C) is rolled back.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from roltrap.errors import ConfigError, InputError, NotAvailableError, Problem, printable
from roltrap.io._read import (
    Limits,
    check_file,
    check_whole,
    head_text,
    iter_table,
    limits,
    read_table,
    sniff_separator,
    use_limits,
)
from roltrap.io.catalogue import read_catalogue
from roltrap.settings import Settings
from roltrap.store import COLUMNS, ApplyResult, Batch, Store, sql_literal

Reader = Callable[[Path, Store, int | None], Batch]


def _kwb(path: Path, store: Store, year: int | None) -> Batch:
    from roltrap.io.kwb import read_kwb

    return read_kwb(path, year=year)


def _statline(path: Path, store: Store, year: int | None) -> Batch:
    from roltrap.io.statline import read_statline

    return read_statline(path, year=year)


def _odata(path: Path, store: Store, year: int | None) -> Batch:
    from roltrap.io.odata import read_odata

    return read_odata(path, year=year)


def _odata_csv(path: Path, store: Store, year: int | None) -> Batch:
    from roltrap.io.odata import read_odata_csv

    return read_odata_csv(path, year=year)


def _known_regions(store: Store) -> pd.DataFrame:
    return store.query("SELECT code, name, level FROM regions")


def _cbs37230(path: Path, store: Store, year: int | None) -> Batch:
    from roltrap.io.population import read_population_changes

    return read_population_changes(path, regions=_known_regions(store))


def _bevolking(path: Path, store: Store, year: int | None) -> Batch:
    from roltrap.io.population import read_population_stock

    return read_population_stock(path, regions=_known_regions(store))


def _woningen(path: Path, store: Store, year: int | None) -> Batch:
    from roltrap.io.population import read_housing_stock

    return read_housing_stock(path, regions=_known_regions(store))


def _boundaries(path: Path, store: Store, year: int | None) -> Batch:
    from roltrap.io.boundaries import read_boundaries

    return read_boundaries(path, boundary_year=year)


def _wbk(path: Path, store: Store, year: int | None) -> Batch:
    from roltrap.io.wbk import read_wbk

    return read_wbk(path, year=year)


def _elan(path: Path, store: Store, year: int | None) -> Batch:
    from roltrap.io.elan import read_elan

    return read_elan(path)


#: Every format ``roltrap import --format`` accepts, with a Dutch description.
FORMATS: dict[str, tuple[str, Reader]] = {
    "kwb": ("CBS Kerncijfers wijken en buurten (kwb-JJJJ.csv/.xlsx, kolommen gwb_code_10, a_inw, …)", _kwb),
    "statline": ("StatLine-CSV met statistische symbolen (;-gescheiden, 'Regioaanduiding/Codering (code)')",
                 _statline),
    "odata": ("StatLine OData-tabel als JSON (roltrap fetch, cbsodata)", _odata),
    "odata-csv": ("CSV met OData-sleutels (regiocode, AantalInwoners_5, …)", _odata_csv),
    "cbs37230": ("CBS 37230ned bevolkingsontwikkeling (vestiging/vertrek per gemeente)", _cbs37230),
    "bevolking": ("CBS bevolking aan het einde van de periode per gemeentenaam", _bevolking),
    "woningen": ("CBS voorraad woningen en nieuwbouw per gemeentenaam (81955NED)", _woningen),
    "boundaries": ("Wijk-/buurtgrenzen (GeoJSON, GeoPackage, shapefile)", _boundaries),
    "wbk": ("Wijk- en Buurtkaart attributen (WK_CODE, AANT_INW, …)", _wbk),
    "elan": ("ELAN/LUMC wijkprofielen (WKC/GMC, YEAR, …_MEAN)", _elan),
}
_GEO_SUFFIXES = {".geojson", ".gpkg", ".shp", ".fgb"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


def detect_format(path: Path) -> str:
    """The format of ``path``, from its extension and first lines; :class:`InputError` when unknown."""
    suffix = path.suffix.lower()
    if suffix in _GEO_SUFFIXES:
        return "boundaries"
    if suffix in _EXCEL_SUFFIXES:
        return "kwb"
    head = head_text(path)
    stripped = head.lstrip()
    if suffix == ".json" or stripped.startswith(("{", "[")):
        if '"FeatureCollection"' in head or '"Feature"' in head:
            return "boundaries"
        return "odata"
    fields = _header_fields(head, path)
    names = {f.strip() for f in fields}
    lower = {n.lower() for n in names}
    from roltrap.io.odata import key_stem, norm
    from roltrap.io.statline import is_statline_header

    if lower & {"gwb_code_10", "gwb_code_8", "gwb_code"}:
        return "kwb"
    if {"regiocode", "im_gm", "em_gm"} <= lower:
        return "cbs37230"
    if {"WK_CODE", "GM_CODE", "BU_CODE"} & names and ({"AANT_INW", "H2O", "JAAR", "WATER"} & names):
        return "wbk"
    if ({"WKC", "GMC"} & names and "YEAR" in names) or any(n.endswith("_MEAN") for n in names):
        return "elan"
    first = fields[0].strip() if fields else ""
    if first == "Onderwerp":  # a StatLine download in the transposed layout (one row per variable)
        return "statline"
    if first == "Regio's" and "Onderwerp" in names:
        return "bevolking"
    if first == "Regio's" and "Beginstand voorraad" in names:
        return "woningen"
    if is_statline_header(fields):
        return "statline"
    odata_keys = [n for n in names if key_stem(n) != n and n[-1].isdigit()]
    if odata_keys and ({"regiocode"} & lower or any(norm(key_stem(n)) == "codering" for n in names)):
        return "odata-csv"
    raise InputError(
        f"{path.name}: het formaat is niet herkend (kop: {', '.join(list(names)[:6])}…).", file=path,
        problems=[Problem("onbekende kolommen in de kop", file=str(path), row=1)],
        hint="Geef {format} op; mogelijk: " + ", ".join(FORMATS) + ".", param="format")


def _header_fields(head: str, path: Path) -> list[str]:
    lines = [ln for ln in head.splitlines() if ln.strip()]
    if not lines:
        raise InputError(f"{path.name} bevat geen gegevens.", file=path, hint="Download het bestand opnieuw.")
    try:
        sep = sniff_separator("\n".join(lines[:20]))
    except InputError:
        sep = ","
    # The header is the first line with the most common field count (title lines above it).
    rows = list(csv.reader(io.StringIO("\n".join(lines[:20])), delimiter=sep))
    widths = [len(r) for r in rows]
    width = max(set(widths), key=widths.count)
    return next(r for r in rows if len(r) == width)


# -- the report -----------------------------------------------------------------------------------

#: Tables whose rows are figures (what "waarden" counts in the report).
_FIGURES = ("observations", "flows", "geometries")
_FIGURE_NAMES = {"observations": "waarden", "flows": "verhuisstromen", "geometries": "grenzen"}


@dataclass
class ImportReport:
    """What one import found in the file and what it did with the store.

    ``as_dict()`` is the JSON shape (``roltrap import --json``); stable keys:

    - ``file``, ``format``, ``dry_run`` (bool), ``no_change`` (bool: the store is as it was),
      ``source`` (the ``sources`` row), ``rank`` (the source's precedence, see
      :func:`roltrap.store.source_rank`);
    - ``in_file``: ``rows`` (figures read), ``regions``, ``new_regions``, ``years``, ``indicators``,
      ``user_indicators`` (variables kept with their StatLine title, not in the catalogue);
    - ``added`` / ``filled`` / ``changed`` / ``unchanged`` / ``kept`` / ``outranked`` / ``empty``:
      per table (``observations``, ``flows``, ``geometries``, ``regions``, …) a count — ``filled``:
      the store had the key without a value; ``kept``: the file had no value and the stored one
      stays; ``outranked``: another value in the file, the stored one from a source of higher rank
      stays; ``empty``: of ``added``, keys without a value;
    - ``examples``: up to five changes per table, ``{"table", "key", "column", "old", "new"}``;
    - ``skipped``: every column or row left out, ``{"message", "file", "row", "column", "value"}``;
    - ``notes``: remarks on how the file was read (encoding, title lines).
    """

    file: str
    format: str
    source: dict[str, object]
    result: ApplyResult
    regions: list[str] = field(default_factory=list)
    new_regions: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    user_indicators: list[str] = field(default_factory=list)
    rows: int = 0
    skipped: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def written(self) -> dict[str, int]:
        """Rows added, filled or changed per table."""
        return self.result.written()

    @property
    def dry_run(self) -> bool:
        return self.result.dry_run

    @property
    def no_change(self) -> bool:
        return self.result.total_written() == 0

    def as_dict(self) -> dict[str, object]:
        res = self.result.as_dict()
        return {
            "file": self.file, "format": self.format, "dry_run": self.dry_run, "no_change": self.no_change,
            "source": {k: v for k, v in self.source.items() if k in COLUMNS["sources"]},
            "rank": res["rank"],
            "in_file": {"rows": self.rows, "regions": self.regions, "new_regions": self.new_regions,
                        "years": self.years, "indicators": self.indicators,
                        "user_indicators": self.user_indicators},
            **{k: res[k] for k in ("added", "filled", "changed", "unchanged", "kept", "outranked", "empty")},
            "examples": res["examples"],
            "skipped": [{"message": p.message, "file": p.file, "row": p.row, "column": p.column,
                         "value": p.value} for p in self.skipped],
            "notes": list(self.notes),
        }

    def lines(self, *, shown: int = 10, verbose: bool = False) -> list[str]:
        """The report as Dutch text lines; ``verbose`` lists every skipped column or row."""
        src = self.source
        r = self.result
        head = "Proefimport (--dry-run), er is niets opgeslagen" if self.dry_run else "Geïmporteerd"
        out = [f"{head}: {self.file} (formaat {self.format})",
               f"Bron: {src.get('title')} [{src.get('id')}], {src.get('publisher')}, licentie "
               f"{src.get('licence')}" + (f" — {src.get('attribution')}" if src.get("attribution") else "")]
        if src.get("estimate"):
            out.append("Let op: schattingen uit microdata, geen officiële StatLine-cijfers.")
        yrs = _ranges(self.years)
        out.append(f"{'Gelezen' if self.dry_run else 'Geladen'}: {_n(self.rows)} rijen — {len(self.regions)} "
                   f"regio's ({len(self.new_regions)} nieuw), jaren {yrs or '—'}, {len(self.indicators)} "
                   f"indicatoren")
        if self.indicators:
            limit = len(self.indicators) if verbose else 20
            ind = ", ".join(self.indicators[:limit]) + (" …" if len(self.indicators) > limit else "")
            out.append(f"Indicatoren: {ind}")
        if self.user_indicators:
            users = self.user_indicators if verbose else self.user_indicators[:10]
            out.append(f"Eigen indicatoren ({len(self.user_indicators)}, niet in de KWB-catalogus, bewaard "
                       f"met titel en eenheid van CBS): {', '.join(users)}"
                       + (" …" if len(users) < len(self.user_indicators) else ""))
        for t in _FIGURES:
            if not r.offered.get(t):
                continue
            what = _FIGURE_NAMES[t]
            added, empty = r.added.get(t, 0), r.empty.get(t, 0)
            out.append(f"{what.capitalize()}: {_n(added - empty)} toegevoegd"
                       + (f" (en {_n(empty)} nieuwe zonder cijfer)" if empty else "")
                       + f", {_n(r.filled.get(t, 0))} aangevuld waar de opslag geen cijfer had, "
                       f"{_n(r.changed.get(t, 0))} gewijzigd")
            left = [f"{_n(r.unchanged.get(t, 0))} al gelijk"]
            if r.kept.get(t):
                left.append(f"{_n(r.kept[t])} zonder cijfer in het bestand (opgeslagen cijfer blijft)")
            if r.outranked.get(t):
                left.append(f"{_n(r.outranked[t])} anders in het bestand, maar een bron met voorrang "
                            f"blijft gelden")
            lead = "  Zou ongemoeid laten: " if self.dry_run else "  Ongemoeid gelaten: "
            out.append(lead + ", ".join(left))
        parts = [f"{k} {v}" for k, v in self.written.items() if v and k != "sources"]
        if parts:
            out.append(("Zou schrijven per tabel: " if self.dry_run else "Per tabel: ") + ", ".join(parts))
        if r.added.get("regions") or r.changed.get("regions"):
            out.append(f"Regio's: {_n(r.added.get('regions', 0))} nieuw, "
                       f"{_n(r.changed.get('regions', 0))} met een andere naam")
        if r.examples:
            out.append("Wijzigingen (eerste):" if not self.dry_run else "Zou wijzigen (eerste):")
            for ex in r.examples:
                key = " ".join(str(v) for v in dict(ex["key"]).values())  # type: ignore[call-overload]
                out.append(f"  - {key}: {_value(ex['old'])} → {_value(ex['new'])}")
        if self.no_change:
            out.append("Niets veranderd: alles uit dit bestand stond al zo in de opslag."
                       if not self.dry_run else "Deze import zou niets veranderen.")
        out += [f"Opmerking: {n}" for n in self.notes]
        if self.skipped:
            out.append(f"Overgeslagen ({len(self.skipped)}):")
            limit = len(self.skipped) if verbose else shown
            out += [f"  - {p}" for p in self.skipped[:limit]]
            if len(self.skipped) > limit:
                out.append(f"  … en nog {len(self.skipped) - limit} (alles tonen: --verbose)")
        else:
            out.append("Niets overgeslagen.")
        return out

    def summary(self, *, verbose: bool = False) -> Text:
        """A Rich renderable (plain text, no markup interpretation); ``str()`` of it is the text."""
        return Text(printable("\n".join(self.lines(verbose=verbose))))

    def __str__(self) -> str:
        return printable("\n".join(self.lines()))


def _n(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _value(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "leeg"
    if isinstance(v, float):
        return f"{v:,.6g}".replace(",", " ").replace(".", ",").replace(" ", ".") if abs(v) < 1e15 else str(v)
    return str(v)


def _ranges(years: list[int]) -> str:
    if not years:
        return ""
    ys = sorted(set(years))
    out, start, prev = [], ys[0], ys[0]
    for y in [*ys[1:], None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        out.append(str(start) if start == prev else f"{start}–{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(out)


# -- the import -----------------------------------------------------------------------------------


class _Steps:
    """A Rich progress bar over the import steps (or nothing when not wanted)."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.task = progress.add_task("Importeren", total=total) if progress else None

    def step(self, what: str) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, description=what)

    def done(self) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task)


@contextmanager
def _progress(enabled: bool) -> Iterator[_Steps]:
    if not enabled:
        yield _Steps(None, 4)
        return
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as prog:
        yield _Steps(prog, 4)


def limits_from(settings: Settings | None) -> Limits:
    """The import limits of a settings object (without one: the limits in force, see
    :func:`roltrap.io._read.use_limits`)."""
    if settings is None:
        return limits()
    mib = 1024 * 1024
    return Limits(max_bytes=settings.import_max_mb * mib, max_rows=settings.import_max_rows,
                  max_columns=settings.import_max_columns, max_cell_chars=settings.import_max_cell,
                  max_unzipped_bytes=settings.import_max_unzipped_mb * mib,
                  max_whole_cells=settings.import_max_whole_cells)


def import_file(store: Store, path: Path | str, *, format: str = "auto", progress: bool = False,
                dry_run: bool = False, year: int | None = None, new_region: bool = False,
                settings: Settings | None = None) -> ImportReport:
    """Read, validate and merge one file in one transaction; nothing changes when any check fails.

    ``dry_run`` reports what the import would do and writes nothing; ``year`` is the year of a file
    whose name and columns carry none; ``new_region`` allows gemeenten the store does not know;
    ``settings`` gives the limits on the file (rows, columns, cell size, unzipped size).
    """
    with use_limits(limits_from(settings)):
        return _import_file(store, Path(path), format=format, progress=progress, dry_run=dry_run, year=year,
                            new_region=new_region,
                            memory_mb=(settings or Settings.model_construct()).import_memory_mb)


def _import_file(store: Store, path: Path, *, format: str, progress: bool, dry_run: bool, year: int | None,
                 new_region: bool, memory_mb: int | None = None) -> ImportReport:
    if format != "auto" and format not in FORMATS:
        raise InputError(f"Onbekend formaat '{format}'.",
                         hint="Mogelijk: auto, " + ", ".join(FORMATS) + ".")
    check_file(path)
    notes: list[str] = []
    text = _is_text_table(path, format)
    try:
        fmt = detect_format(path) if format == "auto" else format
    except InputError:
        if text:
            read_table(path)  # a malformed file: its own message (encoding, ragged rows) comes first
        raise
    if text and fmt in CHUNKED:
        # Read in chunks of rows into a staging table: memory stays bounded whatever the file size.
        return _import_chunked(store, path, fmt=fmt, progress=progress, dry_run=dry_run, year=year,
                               new_region=new_region, memory_mb=memory_mb)
    if text and fmt == "statline":
        try:
            return _import_statline_chunked(store, path, progress=progress, dry_run=dry_run, year=year,
                                            new_region=new_region, memory_mb=memory_mb)
        except _Transposed:
            pass  # one row per variable: as many rows as variables (bounded by the column limit)
    if text:
        # Read whole below (twice, as text and by the loader): the cell limit bounds its memory.
        check_whole(path, columns=len(_header_fields(head_text(path), path)), what=fmt)
        # The same clear messages for every delimited text format, before anything else: encoding
        # (with the Windows-1252 fallback noted), separator, title/footer lines, ragged rows.
        notes += read_table(path).notes
    with _progress(progress) as steps:
        steps.step(f"Lezen: {escape(printable(path.name))}")
        try:
            batch = FORMATS[fmt][1](path, store, year)
        except ImportError as exc:  # a loader module that is not installed in this build
            raise NotAvailableError(
                f"Formaat '{fmt}' wordt in deze versie niet ondersteund ({exc}).") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{path.name} kan niet worden gelezen als {fmt}: {exc}", file=path,
                             hint="Controleer {format} en de codering (UTF-8).", param="format") from None
        steps.done()
        if not any(len(getattr(batch, t)) for t in (*_FIGURES, "regions")):
            raise _nothing_to_import(path)
        steps.step("Controleren")
        known_regions = set(store.query("SELECT code FROM regions")["code"])
        prepared = prepare(store, batch, file=path, new_region=new_region)
        steps.done()
        steps.step("Opslaan" if not dry_run else "Vergelijken met de opslag")
        rows = sum(len(getattr(prepared, t)) for t in _FIGURES)
        prepared.source = {**prepared.source, "rows_loaded": rows, "file": path.name,
                           **precedence(path, fmt, prepared.source)}
        with store.session():
            restore = _bound_memory(store.con, memory_mb)  # the merge's joins: capped as for a large file
            try:
                result = store.apply(prepared, dry_run=dry_run)
            except duckdb.OutOfMemoryException:
                raise _out_of_memory(path, memory_mb) from None
            finally:
                for sql in restore:
                    store.con.execute(sql)
        steps.done()
    known_ind = set(read_catalogue()["id"])
    indicators = sorted(set(batch.observations.get("indicator_id", pd.Series(dtype=str))))
    return ImportReport(
        file=path.name, format=fmt, source=prepared.source, result=result,
        regions=sorted(set(batch.regions.get("code", pd.Series(dtype=str)))
                       | set(batch.observations.get("region_code", pd.Series(dtype=str)))
                       | set(batch.flows.get("region_code", pd.Series(dtype=str)))),
        new_regions=sorted(set(prepared.regions.get("code", [])) - known_regions),
        years=sorted({int(y) for t in (batch.observations, batch.flows) if "year" in t for y in t["year"]}),
        indicators=indicators, user_indicators=[i for i in indicators if i not in known_ind],
        rows=rows, skipped=list(batch.skipped), notes=notes)


#: Text formats read in chunks (:func:`_import_chunked`): the ones that come large.
CHUNKED = frozenset({"kwb"})
# The staging table holds the file's rows wide (one column per indicator: a sixth of the memory of
# one row per figure); the view unpivots it into observations for the merge.
_STAGE = "_import_stage"
_STAGE_LONG = "_import_stage_observations"
_MAX_PROBLEMS = 1_000


def _import_chunked(store: Store, path: Path, *, fmt: str, progress: bool, dry_run: bool, year: int | None,
                    new_region: bool, memory_mb: int | None) -> ImportReport:
    """A large text file: chunks of rows are parsed and checked one by one and staged in a
    temporary DuckDB table, then merged in one transaction (:meth:`Store.apply` with ``staged``).

    Memory: one chunk of text cells (:attr:`Limits.chunk_cells`), the staged rows (wide: about 8
    bytes per figure) and what DuckDB needs to merge them; ``memory_mb`` caps DuckDB while the
    import runs and it spills beyond (an import that does not fit is refused with a clear message).
    Problems are collected over the whole file before anything is written, as for a small file.
    """
    from roltrap.io.catalogue import indicators_for
    from roltrap.io.kwb import empty_column, kwb_batch, kwb_source
    from roltrap.io.validate import validate_batch

    cat = read_catalogue()
    known_ind = store.query("SELECT id, kind, concat_ws(' ', label, description) AS text FROM indicators")
    kinds = dict(zip(known_ind["id"], known_ind["kind"], strict=True))
    labels = dict(zip(known_ind["id"], known_ind["text"], strict=True))
    problems: list[Problem] = []
    first: InputError | None = None
    regions: list[pd.DataFrame] = []
    skipped: dict[tuple[str, str | None], Problem] = {}
    notes: list[str] = []
    decimal: str | None = None
    with store.session(), _progress(progress) as steps:
        con = store.con
        restore = _bound_memory(con, memory_mb)
        ids: list[str] | None = None
        try:
            n_rows = 0
            name = escape(printable(path.name))
            steps.step(f"Lezen: {name}")
            for table in iter_table(path):
                notes = table.notes
                n_rows += len(table.rows)
                steps.step(f"Lezen en controleren: {name}, {n_rows:,} rijen".replace(",", "."))
                try:
                    part = kwb_batch(table.frame(), file=path, year=year, decimal=decimal, catalogue=cat,
                                     whole_file=False)
                    decimal = decimal or str(part.source.get("decimal") or "") or None
                    validate_batch(part, file=path, kinds=kinds, labels=labels)
                except InputError as exc:
                    first = first or exc
                    problems += exc.problems or [Problem(exc.template.split("\n")[0], file=str(path))]
                    if len(problems) >= _MAX_PROBLEMS or not exc.problems:
                        break
                    continue
                if problems:
                    continue  # the file fails anyway: only collect what else is wrong
                regions.append(part.regions)
                if len(regions) >= 16:  # a region recurs in every year's rows: keep one row per code
                    regions = [_latest_regions(regions)]
                for p in part.skipped:
                    skipped.setdefault((p.message, p.column), p)
                obs = part.observations
                if ids is None:
                    ids = list(dict.fromkeys(obs["indicator_id"]))
                    _create_stage(con, ids)
                wide = obs.pivot(index=["_line", "region_code", "year"], columns="indicator_id",
                                 values="value")
                wide = wide.reindex(columns=ids).reset_index()[["region_code", "year", "_line", *ids]]
                con.register("_import_chunk", wide)
                try:
                    con.execute(f"INSERT INTO {_STAGE} SELECT * FROM _import_chunk")
                finally:
                    con.unregister("_import_chunk")
            if ids is None:
                _create_stage(con, [])
            steps.done()
            if not problems:
                problems = _duplicate_rows(con, path)
            if problems:
                head = first.template.split("\n")[0] if first is not None else \
                    f"{path.name} is geen geldig KWB-bestand; er is niets geïmporteerd."
                raise InputError(head, problems=sorted(problems, key=lambda p: (p.row or 0, p.column or "")),
                                 file=path, hint=first.hint if first is not None else
                                 "Laat per regio en jaar één rij staan en importeer opnieuw.")
            steps.step("Controleren")
            stats = con.execute(f"SELECT count(*), list(DISTINCT year) FROM {_STAGE}").fetchone()
            rows = int(stats[0]) * len(ids or []) if stats else 0
            years = [int(y) for y in stats[1] or []] if stats else []
            loaded = set(ids or []) if rows else set()
            all_regions = _latest_regions(regions) if regions else pd.DataFrame(columns=COLUMNS["regions"])
            if rows == 0 and all_regions.empty:
                raise _nothing_to_import(path)
            empty = [r[0] for r in con.execute(f"SELECT indicator_id FROM {_STAGE_LONG} GROUP BY 1 "
                                               f"HAVING count(value) = 0 ORDER BY 1").fetchall()]
            skipped_list = [*skipped.values(), *(empty_column(str(path), c) for c in empty)]
            batch = Batch(source=kwb_source(set(years), path), regions=all_regions,
                          indicators=indicators_for(loaded, cat), skipped=skipped_list)
            known_regions = set(store.query("SELECT code FROM regions")["code"])
            prepared = prepare(store, batch, file=path, new_region=new_region)
            prepared.source = {**prepared.source, "rows_loaded": rows, "file": path.name,
                               **precedence(path, fmt, prepared.source)}
            steps.done()
            steps.step("Opslaan" if not dry_run else "Vergelijken met de opslag")
            result = store.apply(prepared, dry_run=dry_run, staged={"observations": _STAGE_LONG})
            steps.done()
        except duckdb.OutOfMemoryException:  # staging, the checks or the merge: nothing was written
            raise _out_of_memory(path, memory_mb) from None
        finally:
            con.execute(f"DROP VIEW IF EXISTS {_STAGE_LONG}")
            con.execute(f"DROP TABLE IF EXISTS {_STAGE}")
            for sql in restore:
                con.execute(sql)
    codes = set(all_regions["code"])
    indicators = sorted(loaded)
    return ImportReport(
        file=path.name, format=fmt, source=prepared.source, result=result, regions=sorted(codes),
        new_regions=sorted(set(prepared.regions.get("code", [])) - known_regions), years=sorted(years),
        indicators=indicators, user_indicators=[i for i in indicators if i not in set(cat["id"])],
        rows=rows, skipped=skipped_list, notes=notes)


class _Transposed(Exception):
    """A StatLine file in the transposed layout: read whole (:func:`roltrap.io.statline.transpose`)."""


class _DecimalComma(Exception):
    """A later chunk shows the file's numbers use a decimal comma: read again with ``,``."""


def _import_statline_chunked(store: Store, path: Path, *, progress: bool, dry_run: bool, year: int | None,
                             new_region: bool, memory_mb: int | None) -> ImportReport:
    """A StatLine CSV in the row layout (one row per region and period), read in chunks of rows and
    staged like a large KWB file (:func:`_import_chunked`): the header is mapped once
    (:func:`roltrap.io.statline.plan`), each chunk's rows are parsed and checked, every problem in
    the file is collected before anything is written, and the rows are merged in one transaction.

    The result is that of :func:`roltrap.io.statline.read_statline` on the whole file: the same
    decimal sign (a decimal comma anywhere in the file; a comma seen only after the first chunk
    means one more read), columns without any figure in the whole file skipped, each region named
    by its first row.
    """
    decimal: str | None = None
    for _ in range(2):
        try:
            return _statline_chunks(store, path, progress=progress, dry_run=dry_run, year=year,
                                    new_region=new_region, memory_mb=memory_mb, decimal=decimal)
        except _DecimalComma:
            decimal = ","
    raise AssertionError("unreachable: the second read has its decimal sign fixed")


def _statline_chunks(store: Store, path: Path, *, progress: bool, dry_run: bool, year: int | None,
                     new_region: bool, memory_mb: int | None, decimal: str | None) -> ImportReport:
    from roltrap.io.odata import indicator_rows
    from roltrap.io.statline import Plan, decimal_of, is_transposed, no_figures, plan, rows_batch
    from roltrap.io.validate import validate_batch

    known_ind = store.query("SELECT id, kind, concat_ws(' ', label, description) AS text FROM indicators")
    kinds = dict(zip(known_ind["id"], known_ind["kind"], strict=True))
    labels = dict(zip(known_ind["id"], known_ind["text"], strict=True))
    problems: list[Problem] = []
    first: InputError | None = None
    regions: dict[str, dict[str, object]] = {}  # code → its first row in the file
    row_skips: list[Problem] = []
    notes: list[str] = []
    p: Plan | None = None
    ids: list[str] = []
    with store.session(), _progress(progress) as steps:
        con = store.con
        restore = _bound_memory(con, memory_mb)
        try:
            n_rows = 0
            name = escape(printable(path.name))
            steps.step(f"Lezen: {name}")
            for table in iter_table(path):
                notes = table.notes
                if p is None:
                    if is_transposed(table.header):
                        raise _Transposed
                    p = plan(path, table.header, separator=table.separator, header_line=table.header_line,
                             year=year)
                    ids = list(p.mapped.values())
                    _create_stage(con, ids)
                n_rows += len(table.rows)
                steps.step(f"Lezen en controleren: {name}, {n_rows:,} rijen".replace(",", "."))
                df = table.frame()
                if decimal is None or decimal == ".":
                    found = decimal_of(df.set_axis([h.strip() for h in df.columns], axis=1), list(p.mapped),
                                       table.separator)
                    if found == "," and n_rows > len(table.rows):  # rows before were read with "."
                        raise _DecimalComma
                    decimal = found if found == "," else None
                try:
                    part = rows_batch(p, df, decimal=decimal or ".")
                    validate_batch(part, file=path, kinds=kinds, labels=labels)
                except InputError as exc:
                    first = first or exc
                    problems += exc.problems or [Problem(exc.template.split("\n")[0], file=str(path))]
                    if len(problems) >= _MAX_PROBLEMS or not exc.problems:
                        break
                    continue
                if problems:
                    continue  # the file fails anyway: only collect what else is wrong
                for rec in part.regions.to_dict("records"):
                    regions.setdefault(str(rec["code"]), rec)
                # Rows skipped (a period that is not a year); columns empty in this chunk are
                # judged over the whole file below.
                row_skips += [s for s in part.skipped if s.row is not None]
                obs = part.observations
                if not ids:
                    continue
                if obs.empty:  # only rows whose period is no year: nothing to stage
                    continue
                wide = obs.pivot(index=["_line", "region_code", "year"], columns="indicator_id",
                                 values="value")
                wide = wide.reindex(columns=ids).reset_index()[["region_code", "year", "_line", *ids]]
                con.register("_import_chunk", wide)
                try:
                    con.execute(f"INSERT INTO {_STAGE} SELECT * FROM _import_chunk")
                finally:
                    con.unregister("_import_chunk")
            steps.done()
            assert p is not None  # iter_table yields at least one chunk
            if not problems:
                problems = _duplicate_rows(con, path, column=p.roles["code"])
            if problems:
                head = _statline_head(first, problems, path)
                raise InputError(head, problems=sorted(problems, key=lambda q: (q.row or 0, q.column or "")),
                                 file=path, hint=first.hint if first is not None else
                                 "Laat per regio en periode één rij staan en importeer opnieuw.")
            steps.step("Controleren")
            # Columns without a figure anywhere in the file are skipped, as for a whole file.
            counts = con.execute("SELECT count(*)" + "".join(f', count("{i}")' for i in ids)
                                 + f" FROM {_STAGE}").fetchone() if ids else (0,)
            assert counts is not None
            n_staged = int(counts[0])
            filled = {i for i, c in zip(ids, counts[1:], strict=True) if c}
            loaded = [i for i in ids if i in filled]
            empty_skips = [Problem(f"kolom zonder cijfers voor {kid}; overgeslagen", file=str(path),
                                   column=col) for col, kid in p.mapped.items() if kid not in filled]
            skipped_list = [*p.skipped, *row_skips, *empty_skips]
            if not p.mapped:
                raise no_figures(p, skipped_list)
            _create_stage_view(con, loaded)
            rows = n_staged * len(loaded)
            years_row = con.execute(f"SELECT list(DISTINCT year) FROM {_STAGE}").fetchone()
            years = sorted(int(y) for y in (years_row[0] or [])) if years_row and loaded else []
            all_regions = pd.DataFrame(list(regions.values()),
                                       columns=["code", "name", "level", "parent", "boundary_year", "_kind",
                                                "_line"])
            if rows == 0 and all_regions.empty:
                raise _nothing_to_import(path)
            batch = Batch(source=p.source, regions=all_regions,
                          indicators=indicator_rows(loaded, labels=p.labels, units=p.units, kinds=p.kinds),
                          skipped=skipped_list)
            known_regions = set(store.query("SELECT code FROM regions")["code"])
            prepared = prepare(store, batch, file=path, new_region=new_region)
            prepared.source = {**prepared.source, "rows_loaded": rows, "file": path.name,
                               **precedence(path, "statline", prepared.source)}
            steps.done()
            steps.step("Opslaan" if not dry_run else "Vergelijken met de opslag")
            result = store.apply(prepared, dry_run=dry_run, staged={"observations": _STAGE_LONG})
            steps.done()
        except duckdb.OutOfMemoryException:  # staging, the checks or the merge: nothing was written
            raise _out_of_memory(path, memory_mb) from None
        finally:
            con.execute(f"DROP VIEW IF EXISTS {_STAGE_LONG}")
            con.execute(f"DROP TABLE IF EXISTS {_STAGE}")
            for sql in restore:
                con.execute(sql)
    known = set(read_catalogue()["id"])
    return ImportReport(
        file=path.name, format="statline", source=prepared.source, result=result,
        regions=sorted(set(all_regions["code"])),
        new_regions=sorted(set(prepared.regions.get("code", [])) - known_regions), years=years,
        indicators=sorted(loaded), user_indicators=[i for i in sorted(loaded) if i not in known],
        rows=rows, skipped=skipped_list, notes=notes)


def _statline_head(first: InputError | None, problems: list[Problem], path: Path) -> str:
    """The first line of the message: the count of bad cells over the whole file."""
    if first is None:
        return f"{path.name}: dezelfde regio en periode staan meer dan eens in het bestand; er is niets " \
               f"geïmporteerd."
    head = first.template.split("\n")[0]
    if head.endswith("ongeldige cel(len)."):
        return f"{path.name}: {len(problems)} ongeldige cel(len)."
    return head


def _out_of_memory(path: Path, memory_mb: int | None) -> ConfigError:
    return ConfigError(
        f"{path.name} past niet in het geheugen dat een import mag gebruiken ({memory_mb} MB); "
        f"er is niets opgeslagen.", param="import_memory_mb", value=memory_mb,
        hint="Geef de import meer geheugen met de instelling ROLTRAP_IMPORT_MEMORY_MB, of "
             "splits het bestand.")


def _latest_regions(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """One row per region code: the one of the latest boundary year, the last in the file on a tie."""
    return (pd.concat(parts, ignore_index=True).sort_values(["code", "boundary_year"], kind="stable")
            .drop_duplicates("code", keep="last").reset_index(drop=True))


def _bound_memory(con: duckdb.DuckDBPyConnection, memory_mb: int | None) -> list[str]:
    """Cap DuckDB's memory for an import (``memory_mb``; None: DuckDB's own limit) and let it
    reorder rows, which streams inserts instead of buffering them in file order; returns the
    statements that restore the connection's settings.

    Joins, aggregates and the transaction's new rows spill to DuckDB's temporary folder beside the
    store when they do not fit, so the cap bounds the memory of an import of any size; only what
    cannot spill (a few buffers per thread) makes a far too small cap fail, and that is refused with
    a clear message.
    """
    restore = []
    for name in ("memory_limit", "preserve_insertion_order"):
        was = con.execute(f"SELECT current_setting('{name}')").fetchone()
        con.execute(f"RESET {name}")
        default = con.execute(f"SELECT current_setting('{name}')").fetchone()
        # RESET when it was DuckDB's default: SET of the shown value would round it (18.8 → 18.7 GiB)
        restore.append(f"RESET {name}" if was is None or was == default
                       else f"SET {name} = {sql_literal(was[0])}")
    if memory_mb:
        con.execute(f"SET memory_limit = '{int(memory_mb)}MB'")
    con.execute("SET preserve_insertion_order = false")
    return restore


def _create_stage(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    values = "".join(f', "{i}" DOUBLE' for i in ids)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_STAGE} (region_code VARCHAR, year INTEGER, _line BIGINT"
                f"{values})")
    _create_stage_view(con, ids)


def _create_stage_view(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    """The staged rows as observations, one per row and indicator of ``ids``."""
    if ids:
        cols = ", ".join(f'"{i}"' for i in ids)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {_STAGE_LONG} AS SELECT region_code, year, indicator_id, "
                    f"value, _line FROM {_STAGE} UNPIVOT INCLUDE NULLS (value FOR indicator_id IN ({cols}))")
    else:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {_STAGE_LONG} AS SELECT region_code, year, CAST(NULL AS "
                    f"VARCHAR) AS indicator_id, CAST(NULL AS DOUBLE) AS value, _line FROM {_STAGE} "
                    f"WHERE false")


def _duplicate_rows(con: object, path: Path, *, column: str = "regiocode") -> list[Problem]:
    """Rows of the same region and year in different chunks (within a chunk the reader finds them)."""
    import duckdb

    assert isinstance(con, duckdb.DuckDBPyConnection)
    found = con.execute(f"""
        SELECT region_code, year, list_sort(list(DISTINCT _line)) FROM {_STAGE}
        GROUP BY 1, 2 HAVING count(DISTINCT _line) > 1 ORDER BY 3 LIMIT 50""").fetchall()
    return [Problem(f"regio {code} staat meer dan eens in het bestand voor {year}; laat één rij staan "
                    f"(ook op regel {lines[0]})", file=str(path), row=int(lines[1]), column=column,
                    value=str(code)) for code, year, lines in found]


def _nothing_to_import(path: Path) -> InputError:
    return InputError(f"{path.name}: niets te importeren — het bestand heeft geen rijen met cijfers "
                      f"(alleen een kop?); er is niets opgeslagen.", file=path,
                      problems=[Problem("geen gegevensrijen onder de kop", file=str(path))],
                      hint="Download het bestand opnieuw, met de regio's en jaren die u nodig hebt.")


#: Formats whose tables compile figures published elsewhere first (lower specificity).
_COMPILATIONS = frozenset({"kwb", "wbk"})


def precedence(path: Path, fmt: str, source: dict[str, object]) -> dict[str, object]:
    """The fields :func:`roltrap.store.source_rank` orders sources by, for one file.

    Specificity: 1 for a compilation (KWB, Wijk- en Buurtkaart: figures first published in theme
    tables), 2 for everything else; estimates are 0 whatever the format. Edition: the release date a
    source states (``source["edition"]``, e.g. an OData table's ``Modified``), else the file's
    modification time (a newer download wins). Digest: of the file's bytes.
    """
    import datetime as dt
    import hashlib

    is_kwb_table = str(source.get("id", "")).lower().removeprefix("cbs-").upper() in _kwb_tables()
    spec = 1 if fmt in _COMPILATIONS or is_kwb_table or "kwb" in str(source.get("id", "")) else 2
    edition = source.get("edition")
    if not edition:
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        edition = mtime.strftime("%Y-%m-%dT%H:%M:%S")
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return {"specificity": spec, "edition": edition, "digest": digest.hexdigest()}


def _kwb_tables() -> set[str]:
    from roltrap.io.odata import KWB_TABLES

    return set(KWB_TABLES)


def _is_text_table(path: Path, format: str) -> bool:
    if format in ("odata", "boundaries") or path.suffix.lower() in _GEO_SUFFIXES | _EXCEL_SUFFIXES | {
            ".json"}:
        return False
    return not head_text(path, max_bytes=256).lstrip().startswith(("{", "["))


def prepare(store: Store, batch: Batch, *, file: Path | None = None, new_region: bool = True) -> Batch:
    """Validate ``batch`` against the schemas and the store; return what to write.

    Indicators already in the store keep their stored definition (a StatLine title must not overwrite
    a catalogue label); regions are merged by :meth:`roltrap.store.Store.apply`. A gemeente the store
    does not know is refused unless ``new_region`` (a typo in a code must not create a municipality).
    Every problem is collected first.
    """
    from roltrap.io.validate import validate_batch

    known_ind = store.query("SELECT id, kind, concat_ws(' ', label, description) AS text FROM indicators")
    kinds = dict(zip(known_ind["id"], known_ind["kind"], strict=True))
    labels = dict(zip(known_ind["id"], known_ind["text"], strict=True))
    validate_batch(batch, file=file, kinds=kinds, labels=labels)

    known_regions = set(store.query("SELECT code FROM regions")["code"])
    batch_regions = set(batch.regions["code"]) if not batch.regions.empty else set()
    fname = str(file) if file is not None else None
    problems: list[Problem] = []
    all_regions = known_regions | batch_regions
    if not batch.regions.empty:
        for rec in batch.regions.to_dict("records"):
            parent = rec.get("parent")
            if isinstance(parent, str) and parent and parent not in all_regions and parent != "NL00":
                problems.append(Problem(f"bovenliggende regio {parent} van {rec['code']} is onbekend",
                                        file=fname, row=_int(rec.get("_line")), column="regiocode",
                                        value=str(rec["code"])))
    if not new_region and not batch.regions.empty:
        lines = batch.regions["_line"] if "_line" in batch.regions else pd.Series([None] * len(batch.regions))
        for rec, line in zip(batch.regions.to_dict("records"), lines, strict=True):
            if rec.get("level") == "gemeente" and rec["code"] not in known_regions:
                problems.append(Problem(f"gemeente {rec['code']} ({rec.get('name')}) staat niet in de "
                                        f"opslag; nieuwe gemeenten alleen met --new-region",
                                        file=fname, row=_int(line), column="regiocode",
                                        value=str(rec["code"])))
    for name in ("observations", "flows", "geometries"):
        df = getattr(batch, name)
        if df.empty:
            continue
        unknown = df[~df["region_code"].isin(all_regions)]
        for rec in unknown.drop_duplicates("region_code").head(50).to_dict("records"):
            problems.append(Problem(f"onbekende regio {rec['region_code']} (niet in opslag of bestand)",
                                    file=fname, row=_int(rec.get("_line")), column="regiocode",
                                    value=str(rec["region_code"])))
    if problems:
        label = Path(fname).name if fname else "De import"
        raise InputError(f"{label} verwijst naar onbekende regio's; er is niets opgeslagen.",
                         problems=problems, file=file,
                         hint="Importeer eerst een KWB-bestand met deze gemeente en wijken, of verbeter "
                              "de codes. Is het echt een nieuwe gemeente (herindeling)? Sta nieuwe "
                              "gemeenten dan toe met {new_region}.", param="new_region")
    out = Batch(source=dict(batch.source), skipped=list(batch.skipped),
                observations=batch.observations, flows=batch.flows, geometries=batch.geometries)
    if not batch.regions.empty:
        out.regions = batch.regions.drop_duplicates("code")
    if not batch.indicators.empty:
        out.indicators = batch.indicators[~batch.indicators["id"].isin(set(kinds))].drop_duplicates("id")
    return out


def _int(v: object) -> int | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    try:
        return int(str(v))
    except ValueError:
        return None
