"""Hostile input for `roltrap import`: every bad file ends in exit 2, a Dutch message naming the file
(and row/column where there is one), no traceback, and a store exactly as it was (a digest of every
table). A few real-world variants that must be *accepted* (BOM, `;`, decimal comma, UTF-16, CBS
missing markers) are checked against the values they hold; Ctrl-C is checked on a real process."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from roltrap.cli.main import app
from roltrap.store import ORDER

KWB_HEAD = "gwb_code_10;regio;recs;a_inw;p_hh_110\n"
Make = Callable[[Path], Path]


def digest(db: Path) -> tuple[object, ...]:
    """Row count and an order-free hash of every row of every canonical table."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out: list[object] = []
        for name in ORDER:
            out += list(con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {name} t").fetchone() or ())
        return tuple(out)
    finally:
        con.close()


@pytest.fixture(scope="module")
def db(bundled_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("hostile") / "store.duckdb"
    shutil.copy(bundled_db, copy)
    return copy


# -- file makers ----------------------------------------------------------------------------------


def _kwb(rows: str, name: str = "kwb-2021.csv", head: str = KWB_HEAD) -> Make:
    def make(d: Path) -> Path:
        p = d / name
        p.write_text(head + rows, encoding="utf-8")
        return p

    return make


def _text(name: str, text: str, encoding: str = "utf-8") -> Make:
    def make(d: Path) -> Path:
        p = d / name
        p.write_text(text, encoding=encoding)
        return p

    return make


def _bytes(name: str, data: bytes) -> Make:
    def make(d: Path) -> Path:
        p = d / name
        p.write_bytes(data)
        return p

    return make


def _sparse_kwb(size: int) -> Make:
    def make(d: Path) -> Path:
        p = d / "kwb-2021.csv"
        with p.open("wb") as fh:  # sparse: large on paper, a few bytes on disk
            fh.write((KWB_HEAD + "GM0546;Leiden;Gemeente;1;2\n").encode())
            fh.truncate(size)
        return p

    return make


def _statline_rows(edit: Callable[[int, str], str]) -> Make:
    """A StatLine CSV of 90 new Leiden wijken (WK054610–99) and 90,000 buurten (9,000 a year from
    1995), four count columns: read in four chunks of 28,571 rows. ``edit(line, text)`` may change
    any file line (1-based)."""

    def make(d: Path) -> Path:
        p = d / "statline_buurten.csv"
        with p.open("w", encoding="utf-8") as fh:
            fh.write('"Wijken en buurten";"Regioaanduiding/Codering (code)";"Perioden";'
                     + ";".join(f'"Bevolking/Testvariabele {c} (aantal)"' for c in range(4)) + "\n")
            line = 2
            for w in range(10, 100):
                fh.write(edit(line, f'"Wijk {w}";"WK0546{w}  ";"1995JJ00";"   ."' + ';"   ."' * 3) + "\n")
                line += 1
            for i in range(90_000):
                year, rest = divmod(i, 9000)
                w, b = divmod(rest, 100)
                vals = ";".join(f'"{(i * 7 + c) % 5000:>6}"' for c in range(4))
                fh.write(edit(line, f'"Buurt {w + 10}-{b}";"BU0546{w + 10:02d}{b:02d}";"{1995 + year}JJ00";'
                                    f"{vals}") + "\n")
                line += 1
        return p

    return make


def _cell(at: int, column: int, value: str) -> Callable[[int, str], str]:
    """Replace figure ``column`` (0-based) on file line ``at``."""
    def edit(line: int, text: str) -> str:
        if line != at:
            return text
        cells = text.split(";")
        cells[3 + column] = f'"{value}"'
        return ";".join(cells)

    return edit


def _repeat(at: int, of: int) -> Callable[[int, str], str]:
    """File line ``at`` gets the region and period of line ``of`` (a buurt line)."""
    code, year = _buurt_at(of)

    def edit(line: int, text: str) -> str:
        if line != at:
            return text
        cells = text.split(";")
        cells[1], cells[2] = f'"{code}"', f'"{year}JJ00"'
        return ";".join(cells)

    return edit


def _buurt_at(line: int) -> tuple[str, int]:
    year, rest = divmod(line - 92, 9000)
    w, b = divmod(rest, 100)
    return f"BU0546{w + 10:02d}{b:02d}", 1995 + year


def _nested_json(d: Path) -> Path:
    p = d / "diep.json"
    p.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    return p


def _not_a_zip(d: Path) -> Path:
    p = d / "kwb-2021.xlsx"
    p.write_text(KWB_HEAD + "GM0546;Leiden;Gemeente;124093;14\n", encoding="utf-8")
    return p


def _zip_without_sheet(d: Path) -> Path:
    p = d / "kwb-2021.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("iets.txt", "geen werkblad")
    return p


def _xlsx(frames: dict[str, pd.DataFrame], name: str = "kwb-2021.xlsx", *, header: bool = True) -> Make:
    def make(d: Path) -> Path:
        p = d / name
        with pd.ExcelWriter(p, engine="openpyxl") as xw:
            for sheet, df in frames.items():
                df.to_excel(xw, sheet_name=sheet, index=False, header=header)
        return p

    return make


_KWB_ROW = pd.DataFrame(
    {
        "gwb_code_10": ["GM0546"],
        "regio": ["Leiden"],
        "recs": ["Gemeente"],
        "a_inw": ["-7"],
        "p_hh_110": ["14"],
    }
)


def _truncated_xlsx(d: Path) -> Path:
    p = _xlsx({"kwb": _KWB_ROW})(d)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    return p


def _zip_bomb(size_mb: int) -> Make:
    """A workbook whose sheet unpacks to ``size_mb`` MiB of zeros (about a thousandth of that zipped)."""

    def make(d: Path) -> Path:
        p = d / "kwb-2021.xlsx"
        with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
                block = b"\0" * (1 << 20)
                for _ in range(size_mb):
                    fh.write(block)
        return p

    return make


def _xlsx_claiming_rows(rows: int) -> Make:
    """A small, valid-looking workbook whose sheet states a used range of ``rows`` rows."""

    def make(d: Path) -> Path:
        p = _xlsx({"kwb": _KWB_ROW})(d)
        buf = io.BytesIO()
        with zipfile.ZipFile(p) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == "xl/worksheets/sheet1.xml":
                    data = data.replace(b'<dimension ref="A1:E2"', f'<dimension ref="A1:E{rows}"'.encode())
                dst.writestr(info, data)
        p.write_bytes(buf.getvalue())
        return p

    return make


def _directory(d: Path) -> Path:
    p = d / "map.csv"
    p.mkdir()
    return p


def _fifo(d: Path) -> Path:
    p = d / "pijp.csv"
    os.mkfifo(p)
    return p


def _device(d: Path) -> Path:
    p = d / "apparaat.csv"
    p.symlink_to("/dev/zero")
    return p


def _escape_in_name(d: Path) -> Path:
    p = d / "kwb-2021\x1b[2J\x1b]0;gehackt\x07.csv"
    p.write_text(KWB_HEAD + "GM0546;Leiden;Gemeente;honderd;14\n", encoding="utf-8")
    return p


def _huge_cell(d: Path) -> Path:
    p = d / "kwb-2021.csv"
    p.write_text("x" * 200_000 + "\n", encoding="utf-8")
    return p


def _huge_cell_in_table(d: Path) -> Path:
    p = d / "kwb-2021.csv"
    p.write_text(KWB_HEAD + "GM0546;" + "L" * 200_000 + ";Gemeente;1;2\n", encoding="utf-8")
    return p


def _square(x: float, y: float, step: float) -> list[list[float]]:
    return [[x, y], [x + step, y], [x + step, y + step], [x, y + step], [x, y]]


def _geojson(
    ring: list[list[float]] | str,
    crs: str | None = None,
    props: dict[str, str] | None = None,
    name: str = "grenzen_2022.geojson",
    kind: str = "Polygon",
) -> Make:
    def make(d: Path) -> Path:
        geometry = {"type": kind, "coordinates": [ring] if kind == "Polygon" else ring}
        doc: dict[str, object] = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": props or {"WK_CODE": "WK054608", "WK_NAAM": "Merenwijk"},
                    "geometry": geometry,
                }
            ],
        }
        if crs:
            doc["crs"] = {"type": "name", "properties": {"name": crs}}
        text = json.dumps(doc)
        if isinstance(ring, str):  # a raw token JSON cannot hold (1e999, NaN)
            text = json.dumps(doc).replace(json.dumps(ring), ring)
        p = d / name
        p.write_text(text, encoding="utf-8")
        return p

    return make


def _geojson_bad_number(token: str) -> Make:
    def make(d: Path) -> Path:
        doc = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"WK_CODE": "WK054608"},
                    "geometry": {"type": "Polygon", "coordinates": [_square(95000, 463000, 100)]},
                }
            ],
        }
        p = d / "grenzen_2022.geojson"
        p.write_text(json.dumps(doc).replace("95100", token, 1), encoding="utf-8")
        return p

    return make


def _places(token: str, crs: str | None = None) -> Make:
    def make(d: Path) -> Path:
        doc: dict[str, object] = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"naam": "Buurthuis", "soort": "buurthuis"},
                    "geometry": {"type": "Point", "coordinates": [4.49, 52.16]},
                }
            ],
        }
        if crs:
            doc["crs"] = {"type": "name", "properties": {"name": crs}}
        p = d / "vindplaatsen.geojson"
        p.write_text(json.dumps(doc).replace("4.49", token, 1), encoding="utf-8")
        return p

    return make


RD_SQUARE = _square(95000, 463000, 500)  # in Leiden, RD New
WGS_SQUARE = _square(4.49, 52.16, 0.005)
STATLINE_HEAD = (
    '"Wijken en buurten";"Regioaanduiding/Codering (code)";"Perioden";"Bevolking/Aantal inwoners (aantal)"\n'
)

#: case → (how to make the file, words the output must contain, extra environment)
CASES: dict[str, tuple[Make, list[str], dict[str, str]]] = {
    # -- the file itself
    "empty-file": (_bytes("kwb-2021.csv", b""), ["leeg"], {}),
    "whitespace-only": (_text("kwb-2021.csv", "  \n\n \t\n"), ["geen gegevens"], {}),
    "directory": (_directory, ["map"], {}),
    "fifo": (_fifo, ["FIFO", "geen gewoon bestand"], {}),
    "device": (_device, ["apparaat", "geen gewoon bestand"], {}),
    "file-too-large": (
        _sparse_kwb(3 * 2**20),
        ["te groot", "3 MiB", "grens is 1 MiB"],
        {"ROLTRAP_IMPORT_MAX_MB": "1"},
    ),
    "escape-bytes-in-name": (_escape_in_name, ["\\x1b[2J", "rij 2", "a_inw"], {}),
    # -- encodings and shape
    "nul-bytes": (
        _bytes("kwb-2021.csv", b"gwb_code_10;a_inw\nGM0546;\x00\x01\x02\n"),
        ["NUL-byte", "regel 2"],
        {},
    ),
    "undefined-cp1252-byte": (
        _bytes("kwb-2021.csv", KWB_HEAD.encode() + b"GM0546;Leiden\x81;Gemeente;1;2\n"),
        ["regel 2", "Windows-1252"],
        {},
    ),
    "utf16-with-bad-cell": (
        _text("kwb-2021.csv", KWB_HEAD + "GM0546;Leiden;Gemeente;veel;14\n", "utf-16"),
        ["rij 2", "a_inw", "veel"],
        {},
    ),
    "unclosed-quote": (
        _text("kwb-2021.csv", KWB_HEAD + 'GM0546;"Leiden;Gemeente;1;2\nWK054600;x;Wijk;1;2\n'),
        ["regel"],
        {},
    ),
    "ragged-row": (_kwb("GM0546;Leiden;Gemeente;124093\n"), ["rij 2", "te weinig velden"], {}),
    "too-many-fields": (_kwb("GM0546;Leiden;Gemeente;124093;14;99;98\n"), ["rij 2", "te veel velden"], {}),
    "duplicate-column": (
        _text("kwb-2021.csv", "gwb_code_10;a_inw;a_inw\nGM0546;1;2\n"),
        ["a_inw", "meer dan eens"],
        {},
    ),
    "single-column": (_text("kwb-2021.csv", "gwb_code_10\nGM0546\n"), ["scheidingsteken"], {}),
    "cell-200kB-alone": (_huge_cell, ["cel te groot", "regel 1"], {}),
    "cell-200kB-in-table": (_huge_cell_in_table, ["cel te groot", "regel 2", "regio"], {}),
    "too-many-columns": (
        _kwb("GM0546;Leiden;Gemeente;1;2\n"),
        ["kolommen", "grens"],
        {"ROLTRAP_IMPORT_MAX_COLUMNS": "4"},
    ),
    "too-many-rows": (
        _kwb("GM0546;Leiden;Gemeente;1;2\nWK054600;B;Wijk;1;2\nWK054601;C;Wijk;1;2\n"),
        ["meer dan 2 rijen", "regel 4"],
        {"ROLTRAP_IMPORT_MAX_ROWS": "2"},
    ),
    "header-only": (_text("kwb-2021.csv", KWB_HEAD), ["niets te importeren"], {}),
    "header-only-xlsx": (_xlsx({"kwb": _KWB_ROW.iloc[:0]}), ["niets te importeren"], {}),
    "unknown-format": (_text("iets.csv", "foo;bar\n1;2\n"), ["niet herkend"], {}),
    # -- cells
    "number-is-text": (_kwb("GM0546;Leiden;Gemeente;honderd;14\n"), ["rij 2", "a_inw", "honderd"], {}),
    "negative-count": (
        _kwb("GM0546;Leiden;Gemeente;124093;14\nWK054600;Binnenstad-Zuid;Wijk;-500;12\n"),
        ["rij 3", "a_inw", "negatief aantal", "0 of meer"],
        {},
    ),
    "negative-households-xlsx": (_xlsx({"kwb": _KWB_ROW}), ["rij 2", "a_inw", "negatief aantal"], {}),
    "share-above-100": (
        _kwb("GM0546;Leiden;Gemeente;124093;113\n"),
        ["p_hh_110", "rij 2", "0 tot en met 100"],
        {},
    ),
    "share-below-0": (_kwb("GM0546;Leiden;Gemeente;124093;-3\n"), ["p_hh_110", "rij 2"], {}),
    "infinite-number": (
        _kwb("GM0546;Leiden;Gemeente;1e400;14\n"),
        ["oneindige waarde", "rij 2", "a_inw"],
        {},
    ),
    "mixed-decimal-marks": (
        _kwb("GM0546;Leiden;Gemeente;124093.5;14,5\n"),
        ["rij 2", "a_inw", "geen getal"],
        {},
    ),
    "bad-region-code": (_kwb("XX0546;Leiden;Gemeente;124093;14\n"), ["rij 2", "gwb_code_10"], {}),
    "region-code-of-another-level": (
        _kwb("WK054600;Binnenstad-Zuid;Gemeente;8595;19\n"),
        ["rij 2", "recs", "wijk"],
        {},
    ),
    "code-too-long-for-level": (_kwb("WK0546001;Binnenstad;Wijk;8595;19\n"), ["rij 2", "cijfers"], {}),
    "duplicate-region-different-values": (
        _kwb("GM0546;Leiden;Gemeente;1;2\nGM0546;Leiden;Gemeente;3;4\n"),
        ["rij 3", "meer dan eens"],
        {},
    ),
    "bad-year-text": (
        _kwb("GM0546;Leiden;Gemeente;1;2;twintig\n", head=KWB_HEAD.strip() + ";jaar\n"),
        ["rij 2", "jaar", "twintig"],
        {},
    ),
    "bad-year-1800": (
        _kwb("GM0546;Leiden;Gemeente;1;2;1800\n", head=KWB_HEAD.strip() + ";jaar\n"),
        ["onwaarschijnlijk jaar", "rij 2"],
        {},
    ),
    "no-year-anywhere": (
        _text("kerncijfers.csv", KWB_HEAD + "GM0546;Leiden;Gemeente;1;2\n"),
        ["geen jaar", "rij 2"],
        {},
    ),
    "year-in-the-future": (_text("kwb-2091.csv", KWB_HEAD + "GM0546;Leiden;Gemeente;1;2\n"), ["2091"], {}),
    "unknown-parent-wijk": (_kwb("BU99990000;Nergens;Buurt;10;2\n"), ["WK999900", "rij 2"], {}),
    "unknown-gemeente": (_kwb("GM9999;Fantasia;Gemeente;10;2\n"), ["GM9999", "--new-region", "rij 2"], {}),
    # -- StatLine and OData
    "statline-bad-cell": (
        _text("statline_2021.csv", STATLINE_HEAD + '"Leiden";"GM0546    ";"2021JJ00";"veel"\n'),
        ["rij 2", "veel"],
        {},
    ),
    # A StatLine file read in chunks: problems named by file line wherever they are.
    "statline-chunked-bad-cell-far": (
        _statline_rows(_cell(80_000, 1, "veel")),
        ["rij 80000", "Bevolking/Testvariabele 1 (aantal)", "veel"],
        {},
    ),
    "statline-chunked-duplicate-across-chunks": (
        _statline_rows(_repeat(85_000, 93)),
        ["rij 85000", "ook op regel 93", "meer dan eens"],
        {},
    ),
    "statline-chunked-bad-cell-last-chunk": (
        _statline_rows(_cell(90_091, 3, "12,3,4")),
        ["rij 90091", "Bevolking/Testvariabele 3 (aantal)", "12,3,4"],
        {},
    ),
    "statline-bad-code": (
        _text("statline_2021.csv", STATLINE_HEAD + '"Leiden";"Leiden";"2021JJ00";"1"\n'),
        ["rij 2", "Leiden"],
        {},
    ),
    "transposed-without-codes": (
        _text(
            "nabijheid_2021.csv", '"Onderwerp";"";"Leiden"\n"Gezondheid|Afstand tot huisarts";"km";"1,0"\n'
        ),
        ["Codering"],
        {},
    ),
    "invalid-json": (_text("tabel.json", '{"TypedDataSet": [{"a": 1},'), ["geen geldige JSON"], {}),
    "json-without-table": (_text("tabel.json", '{"hallo": "wereld"}'), ["TypedDataSet"], {}),
    "json-deeply-nested": (_nested_json, ["te diep genest"], {}),
    "odata-without-rows": (
        _text("tabel.json", '{"TypedDataSet": [], "DataProperties": []}'),
        ["geen rijen"],
        {},
    ),
    # -- Excel
    "xlsx-that-is-csv": (_not_a_zip, ["Excel"], {}),
    "xlsx-without-sheet": (_zip_without_sheet, ["zonder Excel-werkblad"], {}),
    "xlsx-truncated": (_truncated_xlsx, ["Excel", "afgebroken"], {}),
    "xls-old-format": (_bytes("kwb-2021.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 600), ["oud Excel-bestand"], {}),
    "xlsx-wrong-sheet": (
        _xlsx(
            {
                "Toelichting": pd.DataFrame({"Uitleg": ["Zie tabblad 2"]}),
                "Bronnen": pd.DataFrame({"Bron": ["CBS"]}),
            }
        ),
        ["geen kolom met regiocodes", "Toelichting", "Bronnen"],
        {},
    ),
    "xlsx-duplicate-headers": (
        _xlsx({"kwb": pd.DataFrame([["gwb_code_10", "a_inw", "a_inw"], ["GM0546", "1", "2"]])}, header=False),
        ["a_inw", "meer dan eens"],
        {},
    ),
    "xlsx-zip-bomb": (
        _zip_bomb(40),
        ["uitgepakt te groot", "40 MiB", "grens is 4 MiB"],
        {"ROLTRAP_IMPORT_MAX_UNZIPPED_MB": "4"},
    ),
    "xlsx-claims-too-many-rows": (_xlsx_claiming_rows(3_000_000), ["3.000.000 rijen", "1.048.576"], {}),
    # -- boundaries (GeoJSON)
    "geojson-without-features": (
        _text("grenzen_2022.geojson", '{"type": "FeatureCollection", "features": []}'),
        ["geen vlakken"],
        {},
    ),
    "geojson-coordinate-1e999": (
        _geojson_bad_number("1e999"),
        ["geen eindig getal", "rij 1", "geometrie"],
        {},
    ),
    "geojson-coordinate-nan": (_geojson_bad_number("NaN"), ["geen eindig getal", "rij 1"], {}),
    "geojson-unknown-epsg": (
        _geojson(RD_SQUARE, "urn:ogc:def:crs:EPSG::99999"),
        ["onbekend coördinatenstelsel", "99999"],
        {},
    ),
    "geojson-rd-declared-wgs84": (_geojson(RD_SQUARE, "EPSG:4326"), ["geen graden", "RD-meters"], {}),
    "geojson-wgs84-declared-rd": (
        _geojson(WGS_SQUARE, "urn:ogc:def:crs:EPSG::28992"),
        ["graden", "EPSG:4326"],
        {},
    ),
    "geojson-leiden-wijk-in-australia": (
        _geojson(_square(151.2, -33.9, 0.01)),
        ["buiten Nederland", "rij 1"],
        {},
    ),
    "geojson-rd-outside-nl": (_geojson(_square(900000, 463000, 100), "EPSG:28992"), ["buiten Nederland"], {}),
    "geojson-degenerate-polygon": (
        _geojson([[95000, 463000], [95100, 463000], [95200, 463000], [95000, 463000]], "EPSG:28992"),
        ["geen geldig vlak", "WK054608"],
        {},
    ),
    "geojson-point-as-boundary": (
        _geojson([95000, 463000], "EPSG:28992", kind="Point"),
        ["geen geldig vlak"],
        {},
    ),
    "geojson-bad-code": (
        _geojson(RD_SQUARE, "EPSG:28992", props={"WK_CODE": "Merenwijk"}),
        ["WK_CODE", "rij 1"],
        {},
    ),
    # -- places (vindplaatsen, GeoJSON)
    "places-unknown-crs": (_places("4.49", "EPSG:99999"), ["coördinatenstelsel", "99999"], {}),
    "places-coordinate-1e999": (_places("1e999"), ["geen getal", "rij 1"], {}),
    "places-in-australia": (_places("151.2"), ["niet in Nederland", "rij 1"], {}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_exit_2_clear_message_store_unchanged(case: str, db: Path, tmp_path: Path) -> None:
    make, words, env = CASES[case]
    path = make(tmp_path)
    before = digest(db)
    start = time.monotonic()
    res = CliRunner().invoke(app, ["--db", str(db), "import", str(path)], env=env)
    out = res.output
    assert res.exit_code == 2, f"{case}: exit {res.exit_code}\n{out}\n{res.exception!r}"
    assert "Traceback" not in out and isinstance(res.exception, SystemExit), out
    assert "Fout:" in out
    assert "\x1b" not in out and "\x07" not in out  # no raw terminal control bytes, ever
    shown_name = path.name.encode("unicode_escape").decode() if case == "escape-bytes-in-name" else path.name
    assert shown_name.replace("\\x07", "\\x07") in out or path.name in out, out  # the file is named
    for w in words:
        assert w in out, f"{case}: '{w}' not in\n{out}"
    assert "binair" not in out.lower() or case == "nul-bytes"
    assert digest(db) == before
    assert time.monotonic() - start < 20, "a hostile file must be refused quickly"


def test_zip_bomb_at_the_default_limit_is_refused_before_unpacking(db: Path, tmp_path: Path) -> None:
    """600 MB of sheet in well under 1 MB of zip: refused from the zip directory, in well under a second
    of work (unpacking it would take minutes and gigabytes)."""
    path = _zip_bomb(600)(tmp_path)
    assert path.stat().st_size < 2_000_000
    before = digest(db)
    start = time.monotonic()
    res = CliRunner().invoke(app, ["--db", str(db), "import", str(path)])
    took = time.monotonic() - start
    assert res.exit_code == 2 and "uitgepakt te groot" in res.output and "600 MiB" in res.output, res.output
    assert took < 10
    assert digest(db) == before


# -- variants that are not hostile: read right ------------------------------------------------------


def _value(db: Path, code: str, year: int, indicator: str) -> float | None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(
            "SELECT value FROM observations WHERE region_code = ? AND year = ? AND indicator_id = ?",
            [code, year, indicator],
        ).fetchone()
    finally:
        con.close()
    return None if row is None else row[0]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "bom-semicolon-decimal-comma",
            (
                "\ufeffgwb_code_10;regio;recs;a_inw;p_hh_110\nWK054600;Binnenstad-Zuid;Wijk;8.595;14,5\n"
            ).encode(),
        ),
        (
            "utf16-tab-excel-unicode-text",
            "gwb_code_10\tregio\trecs\ta_inw\tp_hh_110\nWK054600\tBinnenstad-Zuid\tWijk\t8595\t14,5\n".encode(
                "utf-16"
            ),
        ),
        (
            "comma-separated-decimal-point",
            b"gwb_code_10,regio,recs,a_inw,p_hh_110\nWK054600,Binnenstad-Zuid,Wijk,8595,14.5\n",
        ),
    ],
)
def test_real_world_variants_are_read_right(name: str, data: bytes, rt_store: Path, tmp_path: Path) -> None:
    path = tmp_path / "kwb-2026.csv"
    path.write_bytes(data)
    res = CliRunner().invoke(app, ["--db", str(rt_store), "import", str(path)])
    assert res.exit_code == 0, res.output
    assert _value(rt_store, "WK054600", 2026, "p_hh_110") == 14.5
    assert _value(rt_store, "WK054600", 2026, "a_inw") in (8595.0, 8.595)  # point file: a decimal point
    if name != "comma-separated-decimal-point":
        assert (
            _value(rt_store, "WK054600", 2026, "a_inw") == 8595.0
        )  # "8.595" with a decimal comma: thousands


@pytest.fixture
def rt_store(bundled_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, copy)
    return copy


def test_cbs_missing_markers_never_replace_a_value(rt_store: Path, tmp_path: Path) -> None:
    """`.` (not available) and `-` in a new download keep the stored figures; `x` as well."""
    stored = _value(rt_store, "GM0546", 2021, "a_inw")
    assert stored == 124093.0
    path = tmp_path / "kwb-2021.csv"
    path.write_text(KWB_HEAD + "GM0546;Leiden;Gemeente;.;-\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["--db", str(rt_store), "import", str(path)])
    assert res.exit_code == 0, res.output
    assert _value(rt_store, "GM0546", 2021, "a_inw") == 124093.0
    assert "opgeslagen cijfer blijft" in res.output


def test_a_buurt_file_with_wijk_codes_too_is_read_as_buurten(tmp_path: Path) -> None:
    from roltrap.io.boundaries import read_boundaries

    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:28992"}},
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "BU_CODE": f"BU054600{i:02d}",
                    "WK_CODE": "WK054600",
                    "GM_CODE": "GM0546",
                    "BU_NAAM": f"Buurt {i}",
                },
                "geometry": {"type": "Polygon", "coordinates": [_square(94000 + 100 * i, 463000, 100)]},
            }
            for i in range(3)
        ],
    }
    path = tmp_path / "buurten_2022.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    batch = read_boundaries(path)
    assert list(batch.geometries["region_code"]) == ["BU05460000", "BU05460001", "BU05460002"]
    assert set(batch.regions.set_index("code").loc[["BU05460000"], "level"]) == {"buurt"}
    # A wijk file whose BU_CODE column is there but empty is read as wijken.
    for f in doc["features"]:
        f["properties"]["BU_CODE"] = ""  # type: ignore[index]
        f["properties"]["WK_CODE"] = "WK0546" + f["properties"]["BU_NAAM"][-1].zfill(2)  # type: ignore[index]
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert list(read_boundaries(path).geometries["region_code"]) == ["WK054600", "WK054601", "WK054602"]


def test_an_invalid_polygon_is_repaired_not_refused(tmp_path: Path) -> None:
    import shapely

    from roltrap.io.boundaries import read_boundaries

    bow_tie = [[95000, 463000], [95100, 463100], [95100, 463000], [95000, 463100], [95000, 463000]]
    path = _geojson(bow_tie, "EPSG:28992")(tmp_path)
    g = shapely.from_wkb(read_boundaries(path).geometries["geom_wkb"].iloc[0])
    assert g.is_valid and g.geom_type in ("Polygon", "MultiPolygon")
    assert g.area == pytest.approx(5000.0)  # two triangles of 50 × 100 m each
    assert shapely.get_coordinates(g).min() > 0  # finite RD numbers, no inf or null


# -- Ctrl-C --------------------------------------------------------------------------------------------


def _big_kwb(path: Path, rows: int) -> None:
    cols = ["a_inw", "a_man", "a_vrouw", "a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo"]
    with path.open("w", encoding="utf-8") as fh:
        fh.write("gwb_code_10;regio;recs;jaar;" + ";".join(cols) + "\n")
        for w in range(10):
            fh.write(f"WK05460{w};Wijk {w};Wijk;2020;" + ";".join(["."] * len(cols)) + "\n")
        for i in range(rows):
            w, b = divmod(i % 1000, 100)
            fh.write(
                f"BU05460{w}{b:02d};Buurt;Buurt;{1990 + i // 1000};" + ";".join(["7"] * len(cols)) + "\n"
            )


def _wait_until_reading(proc: subprocess.Popen[str], path: Path, timeout: float = 60.0) -> None:
    """Until the process has the input file open (past start-up, into the import proper)."""
    deadline = time.monotonic() + timeout
    fds = Path(f"/proc/{proc.pid}/fd")
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if any(os.path.realpath(f) == str(path.resolve()) for f in fds.iterdir()):
                time.sleep(0.2)
                return
        except OSError:
            pass
        time.sleep(0.02)


def test_ctrl_c_during_import_exits_130_promptly_and_changes_nothing(rt_store: Path, tmp_path: Path) -> None:
    path = tmp_path / "kwb-groot.csv"
    _big_kwb(path, 150_000)
    before = digest(rt_store)
    env = {**os.environ, "ROLTRAP_DATA_DIR": str(tmp_path / "data")}
    cmd = [sys.executable, "-m", "roltrap", "--db", str(rt_store), "import", str(path)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_until_reading(proc, path)
    assert proc.poll() is None, "the import finished before it could be interrupted: make the file bigger"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, (out, err)
    assert time.monotonic() - sent < 10, "Ctrl-C must end the import promptly"
    assert "Traceback" not in err and "Onderbroken" in err
    assert digest(rt_store) == before
