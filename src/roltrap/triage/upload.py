"""Reading a caseload file (CSV or Excel) from bytes into rows of text, within fixed limits.

The bytes are already in memory (the web app reads its request body with a byte cap, the CLI reads
at most ``max_bytes + 1`` bytes of the file): nothing here touches the disk. Every limit is checked
on what is actually read or unpacked, not on what a header claims. Messages name rows and columns
the way a coach sees them in a spreadsheet (row 1 is the header row, columns A, B, C …) and never
repeat a cell's content: a caseload cell may hold something personal.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from roltrap.errors import InputError, Problem


@dataclass(frozen=True)
class Limits:
    """What a caseload may be: bytes read, rows, columns, characters per cell, unpacked Excel size."""

    max_bytes: int = 1_000_000
    max_rows: int = 20_000
    max_columns: int = 60
    max_cell_chars: int = 500
    max_unpacked_bytes: int = 40_000_000  # sum of an .xlsx's parts after unzipping
    max_zip_members: int = 200


DEFAULT_LIMITS = Limits()
#: The CLI reads local files; a team's caseload may be larger than one web upload.
CLI_LIMITS = Limits(max_bytes=10_000_000, max_rows=100_000)


@dataclass(frozen=True)
class RawTable:
    """Rows of text as a spreadsheet shows them: ``rows[i]`` is spreadsheet row ``numbers[i]``."""

    rows: list[list[str]]
    numbers: list[int]
    kind: str  # "csv" or "xlsx"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z0-9:]+)"')
_FORMATS_HINT = "Sla de caseload op als Excel-werkmap (.xlsx) of als CSV (UTF-8) en probeer het opnieuw."


def column_letter(index: int) -> str:
    """Spreadsheet column name of a 0-based position: 0 → A, 25 → Z, 26 → AA."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def display_name(name: str | None) -> str | None:
    """A file name safe to print: control characters (terminal escapes) removed."""
    return None if name is None else _CONTROL.sub("", name)


def read_table(data: bytes, *, name: str | None = None, limits: Limits = DEFAULT_LIMITS) -> RawTable:
    """Rows of text from CSV or .xlsx bytes; refuses other formats, oversized and malformed files."""
    name = display_name(name)
    if len(data) > limits.max_bytes:
        raise too_large(limits.max_bytes, file=name)
    if not data.strip():
        raise InputError("Het caseloadbestand is leeg.", file=name,
                         hint="Eén rij per cliënt met een kolom 'wijk' en de vragen als kolommen.")
    if data.startswith(b"PK\x03\x04"):
        table = _read_xlsx(data, name=name, limits=limits)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError("Dit is een oud Excel-bestand (.xls); dat kan niet worden gelezen.", file=name,
                         hint="Open het in Excel en kies Opslaan als → Excel-werkmap (.xlsx).")
    else:
        table = _read_csv(_decode(data, name=name), name=name, limits=limits)
    if not table.rows:
        raise InputError("Het caseloadbestand is leeg.", file=name,
                         hint="Eén rij per cliënt met een kolom 'wijk' en de vragen als kolommen.")
    return table


def too_large(max_bytes: int, *, file: str | None = None, what: str = "bestand") -> InputError:
    """The refusal of an upload over ``max_bytes``; ``what``: "bestand" (a caseload) or "verzoek"."""
    size = f"{max_bytes / 1_000_000:.0f} MB" if max_bytes >= 1_000_000 else f"{max_bytes // 1000} kB"
    hint = ("Splits de caseload in delen, bijvoorbeeld per team of per wijk." if what == "bestand"
            else "Stuur alleen de antwoorden: een paar regels, geen bestanden.")
    return InputError(f"Het {what} is te groot (meer dan {size}); er is niets verwerkt.", file=file,
                      hint=hint)


# -- CSV ---------------------------------------------------------------------------------------------
def _decode(data: bytes, *, name: str | None) -> str:
    """Text of a CSV: UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode-tekst") or Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _strict(data, "utf-16", name=name)
    elif data.startswith(b"\xef\xbb\xbf"):
        text = _strict(data, "utf-8-sig", name=name)
    elif b"\x00" in data[:4096]:
        # UTF-16 without a BOM puts a zero byte beside every ASCII character; anything else is binary.
        head = data[:4096]
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > 0.3 * len(head[1::2]) and even == 0:
            text = _strict(data, "utf-16-le", name=name)
        elif even > 0.3 * len(head[0::2]) and odd == 0:
            text = _strict(data, "utf-16-be", name=name)
        else:
            raise _not_text(name)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # A Dutch Excel saves "CSV (gescheiden door lijstscheidingsteken)" in Windows-1252.
            text = data.decode("cp1252", errors="replace")
    if _CONTROL.search(text):  # NUL or escape bytes anywhere: binary, or a terminal trick
        raise _not_text(name)
    return text


def _strict(data: bytes, encoding: str, *, name: str | None) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _not_text(name) from None


def _not_text(name: str | None) -> InputError:
    return InputError("Dit bestand is geen CSV-tekstbestand en geen Excel-werkmap (.xlsx).", file=name,
                      hint=_FORMATS_HINT)


def _separator(text: str) -> str:
    """The field separator of the first non-empty line, counted outside quotes: ';', ',' or a tab."""
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    outside = re.sub(r'"[^"]*"', "", line)
    counts = {sep: outside.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _read_csv(text: str, *, name: str | None, limits: Limits) -> RawTable:
    sep = _separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    rows: list[list[str]] = []
    numbers: list[int] = []
    row = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The csv module reports a too-long field or an unclosed quote; the row is the next one.
            what = ("een cel is veel te lang" if "field larger" in str(exc)
                    else "aanhalingstekens kloppen niet (een cel opent met \" maar sluit niet)")
            raise InputError("Het caseloadbestand is geen leesbare CSV.", file=name,
                             problems=[Problem(what, file=name, row=row + 1)], hint=_FORMATS_HINT) from None
        row += 1
        _check_row(cells, row=row, name=name, limits=limits)
        if any(c.strip() for c in cells):
            rows.append([c.strip() for c in cells])
            numbers.append(row)
    return RawTable(rows=rows, numbers=numbers, kind="csv")


def _check_row(cells: list[Any], *, row: int, name: str | None, limits: Limits) -> None:
    if row > limits.max_rows + 1:
        raise InputError(f"De caseload heeft meer dan {limits.max_rows:,} rijen; er is niets "
                         "verwerkt.".replace(",", "."), file=name,
                         hint="Splits de caseload in delen, bijvoorbeeld per team of per wijk. Staan er "
                              "lege rijen onder de cliënten (een werkblad dat doorloopt), verwijder die.")
    if len(cells) > limits.max_columns:
        raise InputError(f"Rij {row} heeft {len(cells)} kolommen; een caseload heeft er hoogstens "
                         f"{limits.max_columns}.", file=name,
                         problems=[Problem("te veel kolommen", file=name, row=row)],
                         hint="Houd alleen de kolom voor de wijk (of buurt) en de vragen van het sjabloon "
                              "over.")
    for i, cell in enumerate(cells):
        if isinstance(cell, str) and len(cell) > limits.max_cell_chars:
            raise InputError("Een cel in de caseload is te lang; er is niets verwerkt.", file=name,
                             problems=[Problem(f"meer dan {limits.max_cell_chars} tekens (verwacht een kort "
                                               "antwoord uit het sjabloon)", file=name, row=row,
                                               column=column_letter(i))],
                             hint="Een caseload bevat alleen korte antwoorden, geen toelichtingen.")


# -- Excel -------------------------------------------------------------------------------------------
def _read_xlsx(data: bytes, *, name: str | None, limits: Limits) -> RawTable:
    """The caseload sheet of an .xlsx: the sheet named 'Caseload', else the first one.

    The zip is checked before openpyxl opens it (a small file can unpack to gigabytes); formulas
    and merged cells are refused, because what Excel shows there is not what the file holds.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _not_text(name) from None
    with zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names:
            what = ("een OpenDocument-werkblad (.ods)" if "mimetype" in names and "content.xml" in names
                    else "een zip-bestand maar geen Excel-werkmap")
            raise InputError(f"Dit is {what}; dat kan niet worden gelezen.", file=name, hint=_FORMATS_HINT)
        unpacked = sum(i.file_size for i in infos)
        if len(infos) > limits.max_zip_members or unpacked > limits.max_unpacked_bytes:
            # zipfile never returns more bytes than a member declares, so the declared sizes bound the work.
            raise InputError("Deze Excel-werkmap is uitgepakt veel te groot voor een caseload; er is niets "
                             "verwerkt.", file=name,
                             hint="Bewaar alleen het werkblad met de caseload (één rij per cliënt) in een "
                                  "nieuwe werkmap.")
        merged = _merged_ranges(zf)
    if merged:
        raise InputError("Het werkblad bevat samengevoegde cellen; er is niets verwerkt.", file=name,
                         problems=[Problem(f"samengevoegde cellen {ref}", file=name) for ref in merged[:5]],
                         hint="Maak de samenvoeging ongedaan en vul op elke rij de wijk en de antwoorden in.")
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of errors for damaged workbooks
        raise InputError("Deze Excel-werkmap is beschadigd of kan niet worden gelezen.", file=name,
                         hint=_FORMATS_HINT) from None
    try:
        sheet = wb["Caseload"] if "Caseload" in wb.sheetnames else wb.worksheets[0]
        rows: list[list[str]] = []
        numbers: list[int] = []
        formulas: list[Problem] = []
        for row, cells in enumerate(sheet.iter_rows(min_row=1), start=1):
            values = [getattr(c, "value", None) for c in cells]
            while values and values[-1] is None:  # trailing empty cells (formatting) are no columns
                values.pop()
            _check_row(values, row=row, name=name, limits=limits)
            for i, c in enumerate(cells[: len(values)]):
                if getattr(c, "data_type", None) == "f" and len(formulas) < 20:
                    formulas.append(Problem("bevat een formule", file=name, row=row, column=column_letter(i)))
            text = [_cell_text(v) for v in values]
            if any(text):
                rows.append(text)
                numbers.append(row)
    except InputError:
        raise
    except Exception:
        raise InputError("Deze Excel-werkmap is beschadigd of kan niet worden gelezen.", file=name,
                         hint=_FORMATS_HINT) from None
    finally:
        wb.close()
    if formulas:
        raise InputError("Het werkblad bevat formules; er is niets verwerkt.", file=name, problems=formulas,
                         hint="Kopieer de cellen en kies Plakken speciaal → Waarden, of typ de antwoorden "
                              "in.")
    return RawTable(rows=rows, numbers=numbers, kind="xlsx")


def _merged_ranges(zf: zipfile.ZipFile) -> list[str]:
    """Cell ranges merged on any worksheet (openpyxl's read-only mode does not report them)."""
    found: list[str] = []
    for info in zf.infolist():
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            with zf.open(info) as fh:
                xml = fh.read()
            found += [m.decode("ascii", "replace") for m in _MERGE.findall(xml)]
    return found


def _cell_text(value: object) -> str:
    """A cell as text; dates as ISO dates so the privacy screen recognises dates of birth."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
