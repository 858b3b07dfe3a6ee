"""Opening user files robustly: size guard, encoding, separator, header and ragged rows.

Every loader of delimited text goes through :func:`read_table`, so every user gets the same clear
message for the same mistake (file, line, what was expected, how to fix it) instead of a traceback
or, worse, a silently misread file.

Policy, on purpose:

* **Size**: files larger than :data:`MAX_BYTES` (256 MiB) are refused before a byte is read. The
  biggest CBS file roltrap knows (KWB for all buurten of NL) is about 30 MB; a larger file is
  almost always the wrong file, and reading it whole would exhaust memory on small machines.
* **Encoding**: UTF-8 (with or without BOM) first. CBS and Excel also write Windows-1252; such a
  file is read as Windows-1252 and a note says so. Bytes that are neither (or NUL bytes: a binary
  file) give an error naming the byte offset and line.
* **Separator**: sniffed among ``;`` ``,`` and tab from the first lines (quotes respected).
* **Header**: the first line with as many fields as the data; title lines above it are skipped
  (and noted), footer lines with one field below the data (``Bron: CBS``) are dropped and noted.
* **Ragged rows**: a row with too few or too many fields (a truncated download) is an error; all
  such rows are collected in one pass.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from roltrap.errors import InputError, NotFoundError, Problem

#: Largest file roltrap reads (bytes). Larger files are refused with a clear message.
MAX_BYTES = 256 * 1024 * 1024
SEPARATORS = (";", ",", "\t")
_SNIFF_LINES = 50
_SEP_NAMES = {";": "puntkomma (;)", ",": "komma (,)", "\t": "tab"}
# Bytes undefined in Windows-1252: a file holding them is neither UTF-8 nor cp1252 text.
_CP1252_UNDEFINED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


@dataclass
class TextTable:
    """A delimited text file, decoded and split; every cell still text."""

    path: Path
    encoding: str
    separator: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]  # 1-based line number in the file of each data row
    header_line: int = 1
    notes: list[str] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        """All cells as strings; the index is the file line number of each row (for messages)."""
        df = pd.DataFrame(self.rows, columns=self.header, dtype="string")
        if not self.rows:
            df = pd.DataFrame({c: pd.Series(dtype="string") for c in self.header})
        df.index = pd.Index(self.lines, name="line")
        return df


def check_file(path: Path, *, max_bytes: int = MAX_BYTES) -> int:
    """The file's size in bytes after checking it exists, is a file and is not too large."""
    if not path.exists():
        raise NotFoundError(f"Bestand niet gevonden: {path}",
                            hint="Controleer de naam en de map; gebruik een pad dat bestaat.")
    if path.is_dir():
        raise InputError(f"{path.name} is een map, geen bestand.", file=path,
                         hint="Geef één bestand op, bijvoorbeeld kwb-2021.csv.")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"{path.name} is te groot: {_mib(size)} MiB, de grens is {_mib(max_bytes)} MiB.",
            file=path,
            hint="Is dit het goede bestand? Selecteer bij CBS alleen de gemeenten of wijken die u nodig "
                 "hebt, of splits het bestand.")
    if size == 0:
        raise InputError(f"{path.name} is leeg (0 bytes).", file=path,
                         hint="Download het bestand opnieuw; de download is waarschijnlijk mislukt.")
    return size


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f}".replace(",", ".")  # Dutch thousands point


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, *, path: Path) -> tuple[str, str, list[str]]:
    """Text, encoding name and notes; UTF-8 (BOM or not) first, then Windows-1252."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(
            f"{path.name} is geen tekstbestand (NUL-byte op positie {nul}, regel {_line_of(data, nul)}).",
            file=path, problems=[Problem("binaire inhoud; verwacht tekst (CSV)", file=str(path),
                                         row=_line_of(data, nul))],
            hint="Is het een Excel-bestand? Sla het op als CSV, of geef het .xlsx-bestand zelf op.")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig", []
        except UnicodeDecodeError as exc:
            raise _decode_error(data, exc.start + 3, path) from None
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    bad = [i for i, b in enumerate(data) if b in _CP1252_UNDEFINED]
    if bad:
        raise _decode_error(data, bad[0], path)
    line = _line_of(data, first_bad)
    note = (f"{path.name} is geen UTF-8 (eerste afwijkende byte op positie {first_bad}, regel {line}); "
            f"gelezen als Windows-1252.")
    return data.decode("cp1252"), "cp1252", [note]


def _decode_error(data: bytes, offset: int, path: Path) -> InputError:
    line = _line_of(data, offset)
    return InputError(
        f"{path.name} kan niet worden gelezen: byte 0x{data[offset]:02x} op positie {offset} (regel {line}) "
        f"is geen UTF-8 en geen Windows-1252.",
        file=path, problems=[Problem("onleesbare tekens", file=str(path), row=line,
                                     value=data[max(0, offset - 10): offset + 10].decode("latin-1"))],
        hint="Sla het bestand opnieuw op als 'CSV UTF-8' (Excel) of download het opnieuw bij CBS.")


def _split(text: str, sep: str, *, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=sep, quotechar='"', strict=False)
    out: list[list[str]] = []
    for row in reader:
        out.append(row)
        if limit is not None and len(out) >= limit:
            break
    return out


def sniff_separator(text: str) -> str:
    """The separator that splits the first lines into the most consistent number of fields (> 1)."""
    sample_lines = [ln for ln in text.splitlines()[:_SNIFF_LINES] if ln.strip()]
    sample = "\n".join(sample_lines)
    best: tuple[float, int, str] | None = None
    for sep in SEPARATORS:
        # A separator that breaks the quoting (``"11,3"`` split on ``,``) is not the separator; the
        # last sample line is left out of that test, as a truncated download may cut it anywhere.
        try:
            list(csv.reader(io.StringIO("\n".join(sample_lines[:-1])), delimiter=sep, strict=True))
        except csv.Error:
            continue
        counts = [len(r) for r in _split(sample, sep) if any(c.strip() for c in r)]
        if not counts:
            continue
        modal, freq = Counter(counts).most_common(1)[0]
        if modal < 2:
            continue
        score = (freq / len(counts), modal, sep)
        if best is None or score[:2] > best[:2]:
            best = score
    if best is None:
        raise InputError(
            "Geen scheidingsteken gevonden: elke regel is één kolom (verwacht ; , of tab).",
            hint="Is dit een CSV-bestand? Exporteer het als CSV met puntkomma's of komma's.")
    return best[2]


def read_table(path: Path | str, *, max_bytes: int = MAX_BYTES, separator: str | None = None,
               required: tuple[str, ...] = ()) -> TextTable:
    """Read a delimited text file into a :class:`TextTable`, or raise a clear :class:`InputError`.

    ``required`` names header fields that must be present (compared after stripping spaces).
    """
    path = Path(path)
    check_file(path, max_bytes=max_bytes)
    data = path.read_bytes()
    text, encoding, notes = decode(data, path=path)
    if not text.strip():
        raise InputError(f"{path.name} bevat geen gegevens (alleen witruimte).", file=path,
                         hint="Download het bestand opnieuw.")
    try:
        sep = separator or sniff_separator(text)
    except InputError as exc:
        raise InputError(f"{path.name}: {exc.message}", file=path, hint=exc.hint) from None
    table = _table(text, sep, path=path)
    table.encoding = encoding
    table.notes = notes + table.notes
    missing = [c for c in required if c not in table.header]
    if missing:
        raise missing_columns(path, missing, table.header, sep)
    return table


#: Spreadsheet files the loaders accept besides delimited text.
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})


def read_frame(path: Path | str, *, max_bytes: int = MAX_BYTES) -> pd.DataFrame:
    """A loader's input file (delimited text, or the first sheet of an Excel file) as text cells.

    Cells stay text so that CBS symbols, padding and leading zeros survive; the index is the line
    (or spreadsheet row) number of each data row, for messages.
    """
    path = Path(path)
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        return read_table(path, max_bytes=max_bytes).frame()
    check_file(path, max_bytes=max_bytes)
    try:
        df = pd.read_excel(path, dtype=str).fillna("")
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"{path.name} kan niet als Excel-bestand worden gelezen: {exc}", file=path,
                         hint="Sla het bestand opnieuw op als .xlsx, of als CSV.") from None
    except KeyError:  # pandas finds no workbook in the zip (its OptionError is a KeyError)
        raise InputError(f"{path.name} is een zip-bestand zonder Excel-werkblad.", file=path,
                         hint="Sla het bestand opnieuw op als .xlsx, of als CSV.") from None
    if df.empty and len(df.columns) == 0:
        raise InputError(f"{path.name} bevat geen gegevens.", file=path,
                         hint="Het eerste werkblad is leeg; zet de tabel op het eerste werkblad.")
    df.columns = [str(c).strip() for c in df.columns]
    df.index = pd.RangeIndex(2, len(df) + 2, name="line")  # row 1 is the header
    return df.astype("string")


def missing_columns(path: Path, missing: list[str], header: list[str], sep: str) -> InputError:
    """The error for required columns that are absent (also hints at a wrong separator)."""
    hint = f"Gevonden kolommen: {', '.join(header[:12])}{' …' if len(header) > 12 else ''}."
    if len(header) == 1:
        hint += " Er is maar één kolom: is het scheidingsteken goed?"
    return InputError(
        f"{path.name} mist verplichte kolom(men): {', '.join(missing)} "
        f"(scheidingsteken {_SEP_NAMES.get(sep, repr(sep))}).",
        file=path, problems=[Problem("kolom ontbreekt", file=str(path), row=1, column=c) for c in missing],
        hint=hint)


def _table(text: str, sep: str, *, path: Path) -> TextTable:
    rows: list[list[str]] = []
    lines: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', strict=True)
    problems: list[Problem] = []
    try:
        start = 1
        for row in reader:
            if any(c.strip() for c in row):
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(
            f"{path.name} is afgebroken of onjuist geciteerd rond regel {reader.line_num}: {exc}.",
            file=path, problems=[Problem("aanhalingsteken niet afgesloten", file=str(path),
                                         row=reader.line_num)],
            hint="Het bestand is waarschijnlijk niet volledig gedownload; download het opnieuw.") from None
    counts = Counter(len(r) for r in rows)
    width = max(counts, key=lambda n: (counts[n], n))
    # Header: first row with the data width; rows above it are title lines.
    head = next(i for i, r in enumerate(rows) if len(r) == width)
    notes = []
    if head:
        notes.append(f"{head} titelregel(s) boven de kop overgeslagen.")
    header = [h.strip().lstrip("\ufeff") for h in rows[head]]
    body, body_lines = rows[head + 1:], lines[head + 1:]
    # Footer: trailing one-field lines (``Bron: CBS``) after the data.
    end = len(body)
    while end and len(body[end - 1]) == 1 and width > 1:
        end -= 1
    if end < len(body):
        notes.append(f"{len(body) - end} voetregel(s) onder de gegevens overgeslagen.")
    body, body_lines = body[:end], body_lines[:end]
    for r, ln in zip(body, body_lines, strict=True):
        if len(r) < width:  # name the first column that is missing
            problems.append(Problem(f"te weinig velden: {len(r)} in plaats van {width}", file=str(path),
                                    row=ln, column=header[len(r)]))
        elif len(r) > width:
            problems.append(Problem(f"te veel velden: {len(r)} in plaats van {width}", file=str(path),
                                    row=ln))
    if problems:
        raise InputError(
            f"{path.name}: {len(problems)} rij(en) met een afwijkend aantal velden "
            f"(scheidingsteken {_SEP_NAMES.get(sep, repr(sep))}).",
            file=path, problems=problems,
            hint="Een afgebroken download of een scheidingsteken in een niet-geciteerde waarde; "
                 "download het bestand opnieuw of zet de waarde tussen aanhalingstekens.")
    dupes = [h for h, n in Counter(header).items() if n > 1 and h]
    if dupes:
        raise InputError(f"{path.name}: kolomnaam komt meer dan eens voor: {', '.join(dupes)}.", file=path,
                         problems=[Problem("dubbele kolom", file=str(path), row=lines[head], column=d)
                                   for d in dupes],
                         hint="Geef elke kolom een eigen naam.")
    return TextTable(path=path, encoding="", separator=sep, header=header, rows=body, lines=body_lines,
                     header_line=lines[head], notes=notes)


def head_text(path: Path, *, max_bytes: int = 64 * 1024) -> str:
    """The first bytes of a file as text (for format detection); never fails on encoding."""
    with path.open("rb") as fh:
        data = fh.read(max_bytes)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start > len(data) - 4:  # a multi-byte character cut off at the end of the sample
            return data[: exc.start].decode("utf-8", errors="replace")
        return data.decode("cp1252", errors="replace")
