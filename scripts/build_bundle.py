"""Build the bundled Leiden data: raw CBS/ELAN/PDOK files in, ``src/roltrap/data/bundle/*.parquet`` out.

    python scripts/build_bundle.py [RAW_DIR] [--out FOLDER]

RAW_DIR defaults to a ``shared/data/raw`` folder next to the repository. The loaders in
``roltrap.io`` read each file; the dataset-specific fixes below (documented here and in the bundle's
PROVENANCE.md) repair quirks of these particular copies, not of CBS formats in general:

1. ``kwb_2021_2022_*``: in the 2021 rows, one-decimal variables lost their decimal point upstream
   (``p_hh_110`` ``113`` = 11.3 %). Cells of the listed columns without a ``.`` are divided by 10.
2. The same files carry 25 StatLine "Jeugdzorg in natura per wijk" columns; ``a_jz_tn`` is empty, so it
   is filled from ``TotaalJongerenMetJeugdzorgInNatura_1`` where ``Perioden`` is the row's year.
3. ``kwb_2018_2021_wijkpanel_*`` is wide (``<var>_<year>``); it is made long and its 2018–2020 values
   become observations of those years (2021 comes from the full KWB 2021 file). Its ``p_jz_tn``
   columns were computed by the upstream author with a non-CBS denominator and are left out.
4. KWB 2024 (85984NED) keys are mapped by stem (``AantalInwoners_5`` → ``a_inw``); names of its
   regions come from the Wijk- en Buurtkaart 2023 code list.
5. Buurten: two real StatLine downloads at buurt level, read by the StatLine loader unchanged —
   ``amsterdam-ses-woa-2019/`` (85163NED, Amsterdam, 99 wijken and 479 buurten, 2019; SES-WOA score and
   households' education shares as user indicators) and ``cbs-nabijheid-voorzieningen-2021-voorbeeld/``
   (the transposed Nabijheid export: Aa en Hunze, 2 wijken and 4 buurten, 2021; all its distances and
   counts within x km map to catalogue ids). Missing folders are skipped (test excerpts).
Re-running on the same input gives byte-identical Parquet files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from roltrap.bundle import BUNDLE_DIR, write_tables
from roltrap.errors import RoltrapError
from roltrap.io._common import cbs_source
from roltrap.io._read import read_frame
from roltrap.io.boundaries import read_boundaries
from roltrap.io.elan import elan_source, read_elan
from roltrap.io.kwb import kwb_batch, read_kwb_frame
from roltrap.io.odata import read_odata_csv
from roltrap.io.osm_bundle import build_access
from roltrap.io.population import read_housing_stock, read_population_changes, read_population_stock
from roltrap.io.statline import read_statline
from roltrap.io.wbk import read_wbk
from roltrap.store import COLUMNS, Batch

DEFAULT_RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"

#: Fix 1: 2021 columns whose decimal point was lost upstream (see kwb PROVENANCE "Quirks").
LOST_DECIMAL_2021 = [
    "g_hhgro",
    "g_ink_po",
    "g_ink_pi",
    "p_ink_li",
    "p_ink_hi",
    "g_hh_sti",
    "p_hh_li",
    "p_hh_hi",
    "p_hh_lkk",
    "p_hh_osm",
    "p_hh_110",
    "p_hh_120",
    "m_hh_ver",
    "g_pau_hh",
    "g_afs_hp",
    "g_afs_gs",
    "g_afs_kv",
    "g_afs_sc",
    "g_3km_sc",
]
PANEL_YEARS = (2018, 2019, 2020)
PANEL_SKIP = {"p_jz_tn"}  # fix 3: author-computed share, not the CBS definition
COMPARISON = [
    "GM0546",
    "GM0484",
    "GM0344",
    "GM0518",
    "GM0363",
    "GM0599",
    "GM0547",
    "GM0579",
    "GM0638",
    "GM0513",
    "GM0855",
    "GM0153",
    "GM0200",
    "GM0637",
]

KWB_REPO = (
    "GitHub semkjaer/capybara1.0 (student project; no licence file), data.csv @ b4083be3, "
    "data_predictions.csv @ 4a3ade08, WijkBuurtkaart_2022_v1 dbf @ e3b9788b"
)


def fix_lost_decimals(frame: pd.DataFrame, *, year: str = "2021") -> pd.DataFrame:
    """Fix 1: divide the listed one-decimal columns by 10 in ``year`` rows whose cell has no point."""
    out = frame.copy()
    rows = out["year"].str.strip() == year
    for col in LOST_DECIMAL_2021:
        if col not in out.columns:
            continue
        cell = out[col].str.strip()
        hit = rows & (cell != "") & ~cell.str.contains(".", regex=False) & cell.str.fullmatch(r"-?\d+")
        out.loc[hit, col] = (cell[hit].astype("int64") / 10).map(repr)
    return out


def fill_jeugdzorg(frame: pd.DataFrame) -> pd.DataFrame:
    """Fix 2: ``a_jz_tn`` from the joined StatLine jeugdzorg total of the same year."""
    out = frame.copy()
    total = "TotaalJongerenMetJeugdzorgInNatura_1"
    if total not in out.columns:
        return out
    same_year = out["Perioden"].str.strip() == out["year"].str.strip() + "JJ00"
    empty = out["a_jz_tn"].str.strip() == ""
    use = same_year & empty
    out.loc[use, "a_jz_tn"] = out.loc[use, total]
    return out


def panel_long(path: Path) -> pd.DataFrame:
    """Fix 3: the wide ``<var>_<year>`` panel as a KWB text frame with a ``year`` column."""
    wide = read_frame(path)
    rows = []
    for year in PANEL_YEARS:
        cols = {c: c.rsplit("_", 1)[0] for c in wide.columns if c.endswith(f"_{year}")}
        cols = {c: v for c, v in cols.items() if v not in PANEL_SKIP}
        part = wide[["gwb_code_10", *cols]].rename(columns=cols)
        rows.append(part.assign(year=str(year), recs="Wijk"))
    return pd.concat(rows, ignore_index=True).fillna("")


def kwb_source(sid: str, title: str, path: Path, provenance: str) -> dict[str, object]:
    return cbs_source(sid, title, path, provenance=provenance)


def merge_regions(batches: list[Batch]) -> pd.DataFrame:
    """One row per code: the newest boundary year, and a real name rather than a placeholder."""
    parts = [b.regions.assign(_order=i) for i, b in enumerate(batches) if not b.regions.empty]
    reg = pd.concat(parts, ignore_index=True)
    reg["_year"] = pd.to_numeric(reg["boundary_year"], errors="coerce").fillna(0)
    reg["_named"] = (reg["name"] != reg["code"]) & ~reg["name"].str.contains(
        "(opgeheven of onbekend)", regex=False
    )
    reg = reg.sort_values(["code", "_named", "_year", "_order"])
    best = reg.drop_duplicates("code", keep="last").copy()
    best["boundary_year"] = best["_year"].where(best["_year"] > 0).astype("Int64")
    return best[COLUMNS["regions"]].sort_values("code").reset_index(drop=True)


def all_names(batches: list[Batch]) -> pd.DataFrame:
    """Every (code, name) pair seen, so that stocks match old and new spellings of a gemeente."""
    reg = pd.concat([b.regions for b in batches if not b.regions.empty], ignore_index=True)
    return reg.drop_duplicates(["code", "name"])[["code", "name", "level"]]


def build(raw: Path, out: Path, *, list_skipped: bool = False) -> dict[str, int]:
    kwb_dir = raw / "kwb-2021-2022-wijken-gemeenten"
    elan_dir = raw / "elan-wijkprofielen"
    steps: list[tuple[str, object]] = []
    batches: list[Batch] = []

    def kwb_files() -> None:
        for name, sid, title, where in (
            (
                "kwb_2021_2022_nl_gemeenten.csv",
                "cbs-kwb-2021-2022-gemeenten",
                "CBS Kerncijfers wijken en buurten 2021 en 2022 (Nederland en gemeenten)",
                "all NL gemeenten",
            ),
            (
                "kwb_2021_2022_wijken_leiden_en_vergelijking.csv",
                "cbs-kwb-2021-2022-wijken",
                "CBS Kerncijfers wijken en buurten 2021 en 2022 (wijken Leiden en vergelijkingsgemeenten)",
                "wijken of Leiden + 13 comparison gemeenten",
            ),
        ):
            path = kwb_dir / name
            frame = fill_jeugdzorg(fix_lost_decimals(read_kwb_frame(path)))
            prov = (
                f"KWB 2021/2022 ({where}) via {KWB_REPO}; fixes: 2021 decimals ×10 restored, a_jz_tn from "
                f"StatLine Jeugdzorg in natura per wijk."
            )
            batches.append(kwb_batch(frame, file=path, source=kwb_source(sid, title, path, prov)))

    def panel() -> None:
        path = kwb_dir / "kwb_2018_2021_wijkpanel_leiden_en_vergelijking.csv"
        prov = f"KWB 2018–2020 wijk panel (wide <var>_<year>) via {KWB_REPO}; p_jz_tn left out."
        batches.append(
            kwb_batch(
                panel_long(path),
                file=path,
                source=kwb_source(
                    "cbs-kwb-2018-2020-wijkpanel",
                    "CBS Kerncijfers wijken en buurten 2018–2020 (wijkpanel)",
                    path,
                    prov,
                ),
            )
        )

    def wbk() -> None:
        for path, sid, title, prov in (
            (
                kwb_dir / "gemeente_2022_v1_attributen_nl.csv",
                "cbs-wbk-2022-gemeente",
                "CBS/Kadaster Wijk- en Buurtkaart 2022 v1, gemeenten (attributen)",
                f"dbf → csv via {KWB_REPO}",
            ),
            (
                kwb_dir / "wijk_2022_v1_attributen_nl.csv",
                "cbs-wbk-2022-wijk",
                "CBS/Kadaster Wijk- en Buurtkaart 2022 v1, wijken (attributen)",
                f"dbf → csv via {KWB_REPO}",
            ),
            (
                raw / "kwb2023-gemeenten-wijkbuurtkaart" / "gemeenten_2023_v1_attributen.csv",
                "cbs-wbk-2023-gemeente",
                "CBS/Kadaster Wijk- en Buurtkaart 2023 v1, gemeenten (attributen)",
                "dbf → csv via GitHub mvbloois/verkiezingen tk2023/01_data/kaart @ 3d7aa698 "
                "(no licence file)",
            ),
        ):
            src = cbs_source(sid, title, path, publisher="CBS / Kadaster", provenance=prov)
            batches.append(read_wbk(path, source=src))

    def kwb2024() -> None:
        path = raw / "kwb2024-basic" / "kwb2024_gemeenten_wijken_basis.csv"
        names = read_frame(elan_dir / "wijk_2023_codes_namen_nl.csv")
        lookup = dict(zip(names["WK_CODE"], names["WK_NAAM"], strict=True))
        lookup |= dict(zip(names["GM_CODE"], names["GM_NAAM"], strict=True))
        for b in batches:
            lookup |= {c: n for c, n in zip(b.regions["code"], b.regions["name"], strict=True) if n != c}
        src = cbs_source(
            "cbs-85984ned-2024",
            "CBS Kerncijfers wijken en buurten 2024 (85984NED), basisvariabelen",
            path,
            provenance="StatLine OData TypedDataSet flattened, via GitHub niquedegraaff/"
            "Wikipedia-Generator-CBS-Kerncijfers-Wijken-en-Buurten @ 55981982 (MIT); keys mapped by stem.",
        )
        batches.append(read_odata_csv(path, year=2024, names=lookup, source=src, boundary_year=2024))

    def elan() -> None:
        for name in (
            "elan_gemeente_gemiddelden_2009_2022.csv",
            "elan_wijk_gemiddelden_2009_2022.csv",
            "elan_gemeente_aandelen_2009_2022.csv",
        ):
            path = elan_dir / name
            sid = "elan-" + name.removeprefix("elan_").removesuffix("_2009_2022.csv").replace("_", "-")
            src = {
                **elan_source(path),
                "id": sid,
                "title": f"ELAN/LUMC wijkprofielen 2009–2022: {name.split('_')[1]} {name.split('_')[2]}",
                "provenance": "schatting uit CBS-microdata (ELAN), geen officiële StatLine-cijfers; "
                "GitHub elan-dcc/wijkprofielen "
                "data/df_*_ver_6.csv @ e62729f8 (MIT)",
            }
            batches.append(read_elan(path, source=src))

    def boundaries() -> None:
        path16 = elan_dir / "wijk_2016_nl_rd_vereenvoudigd.geojson"
        batches.insert(
            0,
            read_boundaries(
                path16,
                boundary_year=2016,
                source={
                    "id": "cbs-wijkgrenzen-2016",
                    "title": "CBS/Kadaster wijkgrenzen 2016 (vereenvoudigd, heel Nederland)",
                    "publisher": "CBS / Kadaster",
                    "licence": "CC BY 4.0",
                    "attribution": "Bron: CBS, Kadaster",
                    "provenance": "GitHub elan-dcc/wijkprofielen data/wijk_2016_6.geojson (MIT); RD New",
                    "file": path16.name,
                    "estimate": False,
                    "rows_loaded": None,
                },
            ),
        )
        path22 = kwb_dir / "leiden_wijken_2022_wgs84.geojson"
        batches.append(
            read_boundaries(
                path22,
                boundary_year=2022,
                source={
                    "id": "cbs-wijkgrenzen-2022-leiden",
                    "title": "CBS/Kadaster Wijk- en Buurtkaart 2022 v1, wijken Leiden",
                    "publisher": "CBS / Kadaster",
                    "licence": "CC BY 4.0",
                    "attribution": "Bron: CBS, Kadaster",
                    "provenance": f"folium map GeoJSON (WGS84) via {KWB_REPO} (Leiden.html @ 6f28c4e3); "
                    "reprojected to RD New",
                    "file": path22.name,
                    "estimate": False,
                    "rows_loaded": None,
                },
            )
        )

    def population() -> None:
        known = merge_regions(batches)
        spellings = all_names(batches)
        pop_dir = raw / "cbs-gemeenten-bevolking-woningen"
        f37230 = raw / "cbs37230-maand-2012-2017" / "bevolkingsontwikkeling_jaar_alle_regios.csv"
        batches.append(
            read_population_changes(
                f37230,
                regions=known,
                source=cbs_source(
                    "cbs-37230",
                    "CBS Bevolkingsontwikkeling; regio per maand (37230ned), 2012-01 t/m 2017-03",
                    f37230,
                    provenance="JSON → long CSV, yearly sums; GitHub krevelen/epidemes "
                    "37230ned_TS_2012_2017.json @ b52df9c3 "
                    "(Apache-2.0); 2017 has 3 months (months=3)",
                ),
            )
        )
        prov = "GitHub Dave01293/EBEProgramming data/ (no licence file); names matched to codes"
        batches.append(
            read_population_stock(
                pop_dir / "Bevolkingsontwikkeling_per_jaar.csv",
                regions=spellings,
                source=cbs_source(
                    "cbs-37230-bevolking",
                    "CBS Bevolking aan het einde van het jaar (37230ned)",
                    pop_dir / "Bevolkingsontwikkeling_per_jaar.csv",
                    provenance=prov,
                ),
            )
        )
        batches.append(
            read_housing_stock(
                pop_dir / "Voorraad_woningen_en_nieuwbouw.csv",
                regions=spellings,
                source=cbs_source(
                    "cbs-81955",
                    "CBS Voorraad woningen en nieuwbouw; gemeenten (81955NED)",
                    pop_dir / "Voorraad_woningen_en_nieuwbouw.csv",
                    provenance=prov,
                ),
            )
        )

    def buurten() -> None:
        # Buurt-level StatLine downloads (see 5. above): the app has a buurt level out of the box.
        files = [
            ("amsterdam-ses-woa-2019", "SES_WOA_scores_per_wijk_en_buurt_Amsterdam_2019.csv",
             "cbs-85163ned-2019", "CBS StatLine 85163NED SES-WOA scores per wijk en buurt 2019 (Amsterdam)"),
            ("cbs-nabijheid-voorzieningen-2021-voorbeeld",
             "Nabijheid_voorzieningen_2021_AaenHunze_getransponeerd.csv", "cbs-nabijheid-2021-aaenhunze",
             "CBS StatLine Nabijheid voorzieningen 2021, wijk- en buurtcijfers (Aa en Hunze)"),
        ]
        for folder, name, sid, title in files:
            path = raw / folder / name
            if not path.exists():
                continue
            b = read_statline(path, year=None, source_id=sid)
            b.source = {**b.source, "title": title, "rows_loaded": len(b.observations),
                        "provenance": f"StatLine CSV met statistische symbolen; {folder}/PROVENANCE.md"}
            batches.append(b)

    def access() -> None:
        # Walk/bike network and destinations (own files in access/); their sources join sources.parquet.
        batches.extend(Batch(source=src) for src in build_access(raw, out))

    # Order matters for equal observation keys (later wins): map attributes < KWB rows; ELAN first.
    steps = [
        ("ELAN wijkprofielen", elan),
        ("Wijk- en Buurtkaart", wbk),
        ("KWB 2021/2022", kwb_files),
        ("KWB wijkpanel 2018–2020", panel),
        ("Grenzen 2016 en 2022", boundaries),
        ("KWB 2024", kwb2024),
        ("Buurten (StatLine)", buurten),
        ("Bevolking en woningen", population),
        ("Netwerk en bestemmingen (OSM)", access),
    ]
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    ) as progress:
        task = progress.add_task("Bundel bouwen", total=len(steps) + 1)
        for label, step in steps:
            progress.update(task, description=label)
            step()  # type: ignore[operator]
            progress.advance(task)
        progress.update(task, description="Parquet schrijven")
        regions = merge_regions(batches)
        for b in batches:
            b.regions = b.regions.iloc[0:0]
        batches.append(Batch(source=batches[0].source, regions=regions))
        check_references(batches, regions)
        check_coverage(batches)
        counts = write_tables(batches, out)
        (out / "PROVENANCE.md").write_text(provenance_md(batches, counts), encoding="utf-8")
        progress.advance(task)
    if list_skipped:
        for b in batches:
            for problem in b.skipped:
                print(f"{b.source['id']}: {problem}")
    return counts


def check_references(batches: list[Batch], regions: pd.DataFrame) -> None:
    known = set(regions["code"])
    for b in batches:
        for name in ("observations", "flows", "geometries"):
            df = getattr(b, name)
            missing = set(df["region_code"]) - known if not df.empty else set()
            if missing:
                raise SystemExit(f"{b.source['id']}: {name} refer to unknown regions {sorted(missing)[:10]}")


def check_coverage(batches: list[Batch]) -> None:
    """The bundle promises 2021 KWB figures for the wijken of Leiden and of every comparison gemeente."""
    obs = pd.concat([b.observations for b in batches if not b.observations.empty], ignore_index=True)
    wijk21 = obs[(obs["year"] == 2021) & obs["region_code"].str.startswith("WK")]
    have = set(wijk21["region_code"].str[2:6])
    missing = [gm for gm in COMPARISON if gm[2:] not in have]
    if missing and len(missing) < len(COMPARISON):  # an excerpt (tests) holds Leiden only: fine
        print(f"Warning: no 2021 wijk figures for {', '.join(missing)}", file=sys.stderr)


def provenance_md(batches: list[Batch], counts: dict[str, int]) -> str:
    lines = [
        "# Bundled data: provenance",
        "",
        "Built by `scripts/build_bundle.py` from the raw files (`shared/data/raw/`, each folder with its own "
        'PROVENANCE.md). CBS data: licence CC BY 4.0, attribution "Bron: CBS". ELAN series are '
        "microdata-derived estimates (`estimate = true`), not official StatLine figures.",
        "",
        "## Tables",
        "",
    ]
    lines += [f"- `{name}.parquet`: {n} rows" for name, n in counts.items()]
    lines += [
        "",
        "## Sources",
        "",
        "| id | title | publisher | licence | file | rows | provenance |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    seen: set[object] = set()
    for b in batches:
        s = b.source
        if s["id"] in seen:
            continue
        seen.add(s["id"])
        lines.append(
            f"| {s['id']} | {s['title']} | {s['publisher']} | {s['licence']} | {s['file']} | "
            f"{s['rows_loaded']} | {s.get('provenance') or ''} |"
        )
    lines += [
        "",
        "## Fixes applied (see the script's docstring)",
        "",
        "1. KWB 2021 rows: one-decimal columns that lost their decimal point upstream are divided by 10 "
        f"when the cell has no point: {', '.join(LOST_DECIMAL_2021)}.",
        "2. KWB 2021/2022: `a_jz_tn` filled from the joined StatLine column "
        "`TotaalJongerenMetJeugdzorgInNatura_1` of the same period; the other 24 jeugdzorg columns are not "
        "loaded.",
        "3. Wijk panel: wide `<var>_<year>` made long; years 2018–2020 loaded (2021 from the full KWB file); "
        "`p_jz_tn` (author-computed) left out. Panel values are keyed on the 2021 wijk code: wijken whose "
        "code or boundary changed may mix areas.",
        "4. KWB 2024 (85984NED): keys mapped by stem (`AantalInwoners_5` → `a_inw`, ...); "
        "wijk names from the "
        "Wijk- en Buurtkaart 2023 code list.",
        "5. Wijk- en Buurtkaart attributes: `-99999999` (and other codes ≤ -99990) = missing; water parts "
        "(`H2O = JA`) skipped.",
        "6. ELAN shares file: shares (0–1) stored in percent; cells above 1 are counts (upstream quirk) and "
        "are stored under `elan_a_*` ids where defined, else left out.",
        "7. CBS 37230: flows in/out × gemeente/buitenland per year; 2017 keeps `months = 3`. Births, deaths, "
        "corrections and growth as observations for complete years only. Gemeente codes that no longer exist "
        "and have no name in any loaded file get a placeholder name.",
        "8. Population and housing stocks (names only) matched to codes by name; unmatched (historical) "
        "names are not loaded.",
        "9. Wijk boundaries 2016: two features without geometry dropped (WK024316, WK099590); the two parts "
        "of WK191104 merged. Leiden 2022 wijken reprojected from WGS84 to RD New (EPSG:28992).",
        "10. Regions: one row per code with the newest boundary year in which the code occurs and the name "
        "from that source.",
        "11. Buurten: Amsterdam (85163NED, 2019: 479 buurten, 99 wijken) and Aa en Hunze (Nabijheid "
        "voorzieningen 2021, transposed export: 4 buurten, 2 wijken) read unchanged by the StatLine loader; "
        "variables outside the KWB catalogue are user indicators (`u_…`) with the StatLine title and unit.",
        "",
    ]
    skipped = sum(len(b.skipped) for b in batches)
    lines += [
        f"Rows or columns left out on purpose while building: {skipped} (run the script to list them).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("raw", nargs="?", type=Path, default=DEFAULT_RAW, help="folder with the raw data")
    parser.add_argument("--out", type=Path, default=BUNDLE_DIR, help="bundle folder to write")
    parser.add_argument("--list-skipped", action="store_true", help="print every row/column left out")
    args = parser.parse_args(argv)
    if not args.raw.is_dir():
        print(f"Raw data folder not found: {args.raw}", file=sys.stderr)
        return 2
    try:
        counts = build(args.raw, args.out, list_skipped=args.list_skipped)
    except RoltrapError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    for name, n in counts.items():
        print(f"{name:14s} {n:8d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
