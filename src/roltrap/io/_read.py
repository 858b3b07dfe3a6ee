"""Opening user files robustly: size and shape limits, encoding, separator, header and ragged rows.

Every loader of delimited text goes through :func:`read_table` (or :func:`iter_table`, which yields
the rows in chunks), so every user gets the same clear message for the same mistake (file, line,
what was expected, how to fix it) instead of a traceback or, worse, a silently misread file.

Policy, on purpose:

* **Limits** (:class:`Limits`, set from the settings object with :func:`use_limits`): file size,
  rows, columns, characters per cell and the unzipped size of an Excel workbook. Each is checked on
  what is actually read (an Excel workbook: on its zip directory, before anything is unpacked), so a
  hostile file is refused quickly instead of exhausting the machine.
* **Only regular files**: a folder, FIFO or device is named as such (reading a FIFO would hang).
* **Streaming**: text is read and split in chunks of rows (:func:`iter_table`); memory depends on
  the chunk size, not on the file size.
* **Encoding**: UTF-8 (with or without BOM) first; UTF-16 (Excel's "Unicode-tekst", with or without
  BOM) is decoded and noted. CBS and Excel also write Windows-1252; such a file is read as
  Windows-1252 and a note says so. Bytes that are none of these (or NUL bytes: a binary file) give
  an error naming the byte offset and line.
* **Separator**: sniffed among ``;`` ``,`` and tab from the first lines (quotes respected).
* **Header**: the first line with as many fields as the data; title lines above it are skipped
  (and noted), footer lines with one field below the data (``Bron: CBS``) are dropped and noted.
* **Ragged rows**: a row with too few or too many fields (a truncated download) is an error; all
  such rows are collected in one pass.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import stat
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from roltrap.errors import InputError, NotFoundError, Problem

#: Largest file roltrap reads (bytes). Larger files are refused with a clear message.
MAX_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What an import file may be; the defaults hold every real CBS file with room to spare.

    The national KWB file of all buurten is about 30 MB, 17,000 rows and 230 columns; Excel itself
    holds at most 32,767 characters in a cell and 1,048,576 rows in a sheet.
    """

    max_bytes: int = MAX_BYTES
    max_rows: int = 5_000_000
    max_columns: int = 2_000
    max_cell_chars: int = 32_767
    max_unzipped_bytes: int = 512 * 1024 * 1024  # sum of an .xlsx's parts after unzipping
    chunk_cells: int = 200_000  # cells per chunk when a file is read in chunks (memory per chunk)
    min_chunk_rows: int = 1_000  # fewer rows per chunk only in tests (chunk borders everywhere)
    #: Cells of a text or Excel file that is read whole (every format but the chunked text ones):
    #: about 200 bytes each while it is parsed and checked, so the default keeps such an import
    #: under about 1.4 GB (a 24 MB Wijk- en Buurtkaart file of 4.96M cells peaked at 1,369 MB). The
    #: national KWB workbook of all buurten (17,000 rows × 230 columns) fits.
    max_whole_cells: int = 5_000_000

    def chunk_rows(self, columns: int) -> int:
        return max(self.min_chunk_rows, self.chunk_cells // max(columns, 1))


DEFAULT_LIMITS = Limits()
_LIMITS: ContextVar[Limits | None] = ContextVar("roltrap_import_limits", default=None)


def limits() -> Limits:
    """The limits in force (see :func:`use_limits`)."""
    return _LIMITS.get() or DEFAULT_LIMITS


@contextlib.contextmanager
def use_limits(value: Limits | None) -> Iterator[Limits]:
    """Apply ``value`` to every read inside the block (the importer sets the settings' limits)."""
    token = _LIMITS.set(value or limits())
    try:
        yield limits()
    finally:
        _LIMITS.reset(token)
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
    last: bool = True  # in a chunked read: is this the file's last chunk?

    def frame(self) -> pd.DataFrame:
        """All cells as strings; the index is the file line number of each row (for messages)."""
        df = pd.DataFrame(self.rows, columns=self.header, dtype="string")
        if not self.rows:
            df = pd.DataFrame({c: pd.Series(dtype="string") for c in self.header})
        df.index = pd.Index(self.lines, name="line")
        return df


def check_file(path: Path, *, max_bytes: int | None = None) -> int:
    """The file's size in bytes after checking it exists, is a regular file and is not too large."""
    max_bytes = limits().max_bytes if max_bytes is None else max_bytes
    try:
        st = path.stat()
    except FileNotFoundError:
        raise NotFoundError(f"Bestand niet gevonden: {path}",
                            hint="Controleer de naam en de map; gebruik een pad dat bestaat.") from None
    except OSError as exc:
        raise InputError(f"{path.name} kan niet worden geopend: {exc.strerror}.", file=path,
                         hint="Controleer of u het bestand mag lezen.") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path.name} is een map, geen bestand.", file=path,
                         hint="Geef één bestand op, bijvoorbeeld kwb-2021.csv.")
    if not stat.S_ISREG(st.st_mode):
        # Opening a FIFO blocks until someone writes to it; a device never ends: never read them.
        kind = ("een named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else
                "een apparaat" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                "een socket" if stat.S_ISSOCK(st.st_mode) else "geen gewoon bestand")
        raise InputError(f"{path.name} is {kind}, geen gewoon bestand; er is niets gelezen.", file=path,
                         hint="Sla de gegevens eerst op als bestand (CSV of Excel) en geef dat bestand op.")
    size = st.st_size
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


def check_whole(path: Path, *, columns: int, what: str) -> None:
    """Refuse a text file that is read whole (``what``: its format) when it holds more cells than
    :attr:`Limits.max_whole_cells`, before reading it: the lines are counted, not parsed."""
    lim = limits().max_whole_cells
    lines = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            lines += block.count(b"\n")
    rows = max(lines - 1, 0)
    if rows * max(columns, 1) > lim:
        raise whole_too_large(path, rows=rows, columns=columns, what=what)


def whole_too_large(path: Path, *, rows: int, columns: int, what: str) -> InputError:
    def n(x: int) -> str:
        return f"{x:,}".replace(",", ".")

    return InputError(
        f"{path.name} heeft ongeveer {n(rows * max(columns, 1))} cellen ({n(rows)} rijen × {n(columns)} "
        f"kolommen); een bestand in dit formaat ({what}) wordt in zijn geheel gelezen en mag ten hoogste "
        f"{n(limits().max_whole_cells)} cellen hebben, zodat de import het geheugen niet uitput. Er is "
        f"niets opgeslagen.", file=path,
        hint="Splits het bestand, bijvoorbeeld per gemeente of per jaar, of download de cijfers als "
             "KWB-CSV of als StatLine-CSV met één rij per regio: die worden in delen gelezen en kennen "
             "deze grens niet.")


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f}".replace(",", ".")  # Dutch thousands point


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le``/``-be`` when ``head`` looks like UTF-16 text without a BOM (a zero byte beside
    every ASCII character), else None."""
    even, odd = head[0::2], head[1::2]
    if not odd:
        return None
    if odd.count(0) > 0.3 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.3 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _utf16(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return _utf16_without_bom(data[:4096]) if b"\x00" in data[:4096] else None


def decode(data: bytes, *, path: Path) -> tuple[str, str, list[str]]:
    """Text, encoding name and notes; UTF-8 (BOM or not) first, then UTF-16, then Windows-1252."""
    utf16 = _utf16(data)
    if utf16:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            raise _utf16_error(path) from None
        return text.lstrip("\ufeff"), utf16, [_utf16_note(path)]
    nul = data.find(b"\x00")
    if nul >= 0:
        raise _binary_error(path, nul, _line_of(data, nul))
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
    return data.decode("cp1252"), "cp1252", [_cp1252_note(path, first_bad, _line_of(data, first_bad))]


def _utf16_note(path: Path) -> str:
    return f"{path.name} is UTF-16 (Excel: 'Unicode-tekst'); zo gelezen."


def _utf16_error(path: Path) -> InputError:
    return InputError(f"{path.name} begint als UTF-16-tekst, maar is verderop geen geldige UTF-16.",
                      file=path, hint="UTF-16: sla het bestand op als UTF-8 CSV ('CSV UTF-8' in Excel).")


def _cp1252_note(path: Path, offset: int, line: int) -> str:
    return (f"{path.name} is geen UTF-8 (eerste afwijkende byte op positie {offset}, regel {line}); "
            f"gelezen als Windows-1252.")


def _binary_error(path: Path, offset: int, line: int) -> InputError:
    return InputError(
        f"{path.name} is geen tekstbestand (NUL-byte op positie {offset}, regel {line}).",
        file=path, problems=[Problem("binaire inhoud; verwacht tekst (CSV)", file=str(path), row=line)],
        hint="Is het een Excel-bestand? Sla het op als CSV, of geef het .xlsx-bestand zelf op.")


def _decode_error(data: bytes, offset: int, path: Path, *, base: int = 0, line: int | None = None
                  ) -> InputError:
    """``offset`` is into ``data``; ``base`` is where ``data`` starts in the file and ``line`` the
    file line of ``offset`` when ``data`` is only a block of the file."""
    line = _line_of(data, offset) if line is None else line
    return InputError(
        f"{path.name} kan niet worden gelezen: byte 0x{data[offset]:02x} op positie {base + offset} "
        f"(regel {line}) is geen UTF-8 en geen Windows-1252.",
        file=path, problems=[Problem("onleesbare tekens", file=str(path), row=line,
                                     value=data[max(0, offset - 10): offset + 10].decode("latin-1"))],
        hint="Sla het bestand opnieuw op als 'CSV UTF-8' (Excel) of download het opnieuw bij CBS.")


_BLOCK = 1 << 20


def detect_encoding(path: Path) -> tuple[str, list[str]]:
    """The encoding of a text file and notes, reading it block by block (never whole).

    UTF-16 is recognised from its first bytes; otherwise every block is checked as UTF-8 (a
    multi-byte character may straddle two blocks), NUL bytes mean binary, and the first non-UTF-8
    byte switches to Windows-1252 unless a byte undefined there shows it is not text either.
    """
    with path.open("rb") as fh:
        head = fh.read(4096)
        utf16 = _utf16(head)
        if utf16:
            return utf16, [_utf16_note(path)]
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        base, lines = 0, 0
        first_bad: tuple[int, int] | None = None
        bom = head.startswith(b"\xef\xbb\xbf")
        while block := fh.read(_BLOCK):
            nul = block.find(b"\x00")
            if nul >= 0:
                raise _binary_error(path, base + nul, lines + _line_of(block, nul))
            if first_bad is None:
                try:
                    decoder.decode(block, final=False)
                except UnicodeDecodeError as exc:
                    if bom:
                        raise _decode_error(block, exc.start, path, base=base,
                                            line=lines + _line_of(block, exc.start)) from None
                    first_bad = (base + exc.start, lines + _line_of(block, exc.start))
            if first_bad is not None:
                bad = next((i for i, b in enumerate(block) if b in _CP1252_UNDEFINED), -1) \
                    if any(bytes([b]) in block for b in _CP1252_UNDEFINED) else -1
                if bad >= 0:
                    raise _decode_error(block, bad, path, base=base, line=lines + _line_of(block, bad))
            lines += block.count(b"\n")
            base += len(block)
        if first_bad is None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                first_bad = (base - 1, lines + 1)
    if first_bad is None:
        return ("utf-8-sig" if bom else "utf-8"), []
    return "cp1252", [_cp1252_note(path, *first_bad)]


def _split(text: str, sep: str, *, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=sep, quotechar='"', strict=False)
    out: list[list[str]] = []
    try:
        for row in reader:
            out.append(row)
            if limit is not None and len(out) >= limit:
                break
    except csv.Error:  # a field over the csv module's size limit: the caller names the cell
        pass
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


def read_table(path: Path | str, *, max_bytes: int | None = None, separator: str | None = None,
               required: tuple[str, ...] = ()) -> TextTable:
    """Read a delimited text file into a :class:`TextTable`, or raise a clear :class:`InputError`.

    ``required`` names header fields that must be present (compared after stripping spaces). The
    whole table is in memory: large files go through :func:`iter_table`.
    """
    chunks = list(iter_table(path, max_bytes=max_bytes, separator=separator, required=required,
                             chunk_rows=None))
    table = chunks[0]
    for more in chunks[1:]:
        table.rows += more.rows
        table.lines += more.lines
        table.notes = more.notes
    return table


_SAMPLE_CHARS = 256 * 1024
# The csv module stops at 128 kB per field with an error that names no column; roltrap's own cell
# limit (Limits.max_cell_chars, far lower) names it, so the module's bound only has to be a bound.
csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))


def iter_table(path: Path | str, *, max_bytes: int | None = None, separator: str | None = None,
               required: tuple[str, ...] = (), chunk_rows: int | None = 0) -> Iterator[TextTable]:
    """The rows of a delimited text file in chunks (:class:`TextTable` each, the same header).

    ``chunk_rows``: rows per chunk; 0 picks it from the limits' ``chunk_cells`` and the number of
    columns, None reads everything into one chunk. Problems with the file's shape (ragged rows) are
    collected over the whole file and raised after the last row, so a caller that writes only after
    the iteration has ended never writes a malformed file. The last chunk carries the notes (title
    and footer lines skipped) and ``last=True``; a file with a header only yields one empty chunk.
    """
    path = Path(path)
    lim = limits()
    check_file(path, max_bytes=max_bytes)
    encoding, notes = detect_encoding(path)
    with path.open("r", encoding=encoding, newline="") as fh:
        sample = fh.read(_SAMPLE_CHARS)
    sample = sample.lstrip("\ufeff")
    if not sample.strip():
        raise InputError(f"{path.name} bevat geen gegevens (alleen witruimte).", file=path,
                         hint="Download het bestand opnieuw.")
    sample_lines = sample.splitlines()
    complete = sample_lines[:-1] if len(sample) == _SAMPLE_CHARS and len(sample_lines) > 1 else sample_lines
    long_line = next((i for i, ln in enumerate(sample_lines, 1) if len(ln) > lim.max_cell_chars), None)
    try:
        sep = separator or sniff_separator("\n".join(complete))
    except InputError as exc:
        if long_line is not None:
            raise cell_too_large(path, line=long_line) from None
        raise InputError(f"{path.name}: {exc.message}", file=path, hint=exc.hint) from None
    # The data width: the most common field count of the sample's rows; the header is the first
    # row that wide (title lines above it are skipped).
    # On a tie the width seen first wins (a header and one row with an extra field: the header).
    sample_rows = [r for r in _split("\n".join(complete[:_SNIFF_LINES * 4]), sep)
                   if any(c.strip() for c in r)]
    counts = Counter(len(r) for r in sample_rows)
    first = {n: i for i, n in reversed(list(enumerate(len(r) for r in sample_rows)))}
    width = max(counts, key=lambda n: (counts[n], n > 1, -first[n])) if counts else 1
    with path.open("r", encoding=encoding, newline="") as fh:
        yield from _chunks(fh, path=path, sep=sep, width=width, encoding=encoding, notes=notes,
                           required=required, chunk_rows=chunk_rows, lim=lim)


def cell_too_large(path: Path, *, line: int, column: str | None = None) -> InputError:
    lim = limits()
    where = f"regel {line}" + (f", kolom '{column}'" if column else "")
    return InputError(
        f"{path.name}: cel te groot op {where} (meer dan {lim.max_cell_chars:,} tekens; "
        f"Excel houdt per cel hoogstens 32.767 tekens).".replace(",", "."),
        file=path, problems=[Problem("cel te groot", file=str(path), row=line, column=column)],
        hint="Is dit het goede bestand? Een CBS-bestand heeft korte cellen: getallen, codes en namen.")


def _chunks(fh: io.TextIOBase, *, path: Path, sep: str, width: int, encoding: str, notes: list[str],
            required: tuple[str, ...], chunk_rows: int | None, lim: Limits) -> Iterator[TextTable]:
    reader = csv.reader(fh, delimiter=sep, quotechar='"', strict=True)
    problems: list[Problem] = []
    n_problems = 0
    header: list[str] | None = None
    header_line = 1
    skipped_titles = 0
    rows: list[list[str]] = []
    lines: list[int] = []
    pending: list[tuple[list[str], int]] = []  # one-field rows: footer lines, or ragged rows
    footer = 0
    n_rows = 0
    size = chunk_rows
    start = 1

    def table(body: list[list[str]], body_lines: list[int], *, last: bool) -> TextTable:
        assert header is not None
        return TextTable(path=path, encoding=encoding, separator=sep, header=header, rows=body,
                         lines=body_lines, header_line=header_line, last=last,
                         notes=notes + _shape_notes(skipped_titles, footer) if last else list(notes))

    def ragged(r: list[str], ln: int) -> None:
        nonlocal n_problems
        n_problems += 1
        if len(problems) < 1_000:
            assert header is not None
            if len(r) < width:  # name the first column that is missing
                problems.append(Problem(f"te weinig velden: {len(r)} in plaats van {width}", file=str(path),
                                        row=ln, column=header[len(r)]))
            else:
                problems.append(Problem(f"te veel velden: {len(r)} in plaats van {width}", file=str(path),
                                        row=ln))

    try:
        for row in reader:
            line = start
            start = reader.line_num + 1
            if not any(c.strip() for c in row):
                continue
            if max(map(len, row)) > lim.max_cell_chars:
                big = next(i for i, c in enumerate(row) if len(c) > lim.max_cell_chars)
                col = header[big] if header is not None and big < len(header) else None
                raise cell_too_large(path, line=line, column=col)
            if header is None:
                if len(row) != width:
                    skipped_titles += 1
                    continue
                header = [h.strip().lstrip("\ufeff") for h in row]
                header_line = line
                _check_header(header, path=path, line=line, sep=sep, required=required, lim=lim)
                if size == 0:
                    size = lim.chunk_rows(width)
                continue
            if len(row) == 1 and width > 1:
                pending.append((row, line))
                continue
            for r, ln in pending:  # one-field rows followed by data: not a footer
                ragged(r, ln)
            pending.clear()
            if len(row) != width:
                ragged(row, line)
                continue
            n_rows += 1
            if n_rows > lim.max_rows:
                raise InputError(
                    f"{path.name} heeft meer dan {lim.max_rows:,} rijen; de grens is bereikt op regel "
                    f"{line}.".replace(",", "."), file=path,
                    problems=[Problem("te veel rijen", file=str(path), row=line)],
                    hint="Selecteer bij CBS alleen de regio's en jaren die u nodig hebt, of splits het "
                         "bestand.")
            if problems:  # the file fails anyway: count on, keep nothing
                continue
            rows.append(row)
            lines.append(line)
            if size and len(rows) >= size:
                yield table(rows, lines, last=False)
                rows, lines = [], []
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise cell_too_large(path, line=start) from None
        raise InputError(
            f"{path.name} is afgebroken of onjuist geciteerd rond regel {reader.line_num}: {exc}.",
            file=path, problems=[Problem("aanhalingsteken niet afgesloten", file=str(path),
                                         row=reader.line_num)],
            hint="Het bestand is waarschijnlijk niet volledig gedownload; download het opnieuw.") from None
    except UnicodeDecodeError as exc:  # UTF-16 that breaks off
        raise InputError(f"{path.name} kan niet worden gelezen als {encoding}: {exc.reason}.", file=path,
                         hint="Sla het bestand opnieuw op als 'CSV UTF-8' (Excel).") from None
    if header is None:
        raise InputError(f"{path.name} bevat geen kopregel.", file=path,
                         hint="Zet de kolomnamen op de eerste regel.")
    footer = len(pending)
    if problems:
        raise InputError(
            f"{path.name}: {n_problems} rij(en) met een afwijkend aantal velden "
            f"(scheidingsteken {_SEP_NAMES.get(sep, repr(sep))}).",
            file=path, problems=problems,
            hint="Een afgebroken download of een scheidingsteken in een niet-geciteerde waarde; "
                 "download het bestand opnieuw of zet de waarde tussen aanhalingstekens.")
    yield table(rows, lines, last=True)


def _shape_notes(titles: int, footer: int) -> list[str]:
    out = []
    if titles:
        out.append(f"{titles} titelregel(s) boven de kop overgeslagen.")
    if footer:
        out.append(f"{footer} voetregel(s) onder de gegevens overgeslagen.")
    return out


def _check_header(header: list[str], *, path: Path, line: int, sep: str, required: tuple[str, ...],
                  lim: Limits) -> None:
    if len(header) > lim.max_columns:
        raise InputError(
            f"{path.name} heeft {len(header):,} kolommen; de grens is {lim.max_columns:,}.".replace(",", "."),
            file=path, problems=[Problem("te veel kolommen", file=str(path), row=line)],
            hint="Selecteer bij CBS alleen de onderwerpen die u nodig hebt.")
    dupes = [h for h, n in Counter(header).items() if n > 1 and h]
    if dupes:
        raise InputError(f"{path.name}: kolomnaam komt meer dan eens voor: {', '.join(dupes)}.", file=path,
                         problems=[Problem("dubbele kolom", file=str(path), row=line, column=d)
                                   for d in dupes],
                         hint="Geef elke kolom een eigen naam.")
    missing = [c for c in required if c not in header]
    if missing:
        raise missing_columns(path, missing, header, sep)


#: Rows an Excel sheet can hold; a workbook claiming more was not written by Excel.
EXCEL_MAX_ROWS = 1_048_576
#: Spreadsheet files the loaders accept besides delimited text.
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})


def read_frame(path: Path | str, *, max_bytes: int | None = None, sheet: int | str = 0) -> pd.DataFrame:
    """A loader's input file (delimited text, or one sheet of an Excel file, default the first) as
    text cells.

    Cells stay text so that CBS symbols, padding and leading zeros survive; the index is the line
    (or spreadsheet row) number of each data row, for messages.
    """
    path = Path(path)
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        return read_table(path, max_bytes=max_bytes).frame()
    check_workbook(path, max_bytes=max_bytes)
    lim = limits()
    try:
        raw = pd.read_excel(path, dtype=str, header=None, sheet_name=sheet).fillna("")
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise InputError(f"{path.name} kan niet als Excel-bestand worden gelezen: {exc}", file=path,
                         hint="Sla het bestand opnieuw op als .xlsx, of als CSV.") from None
    except KeyError:  # pandas finds no workbook in the zip (its OptionError is a KeyError)
        raise InputError(f"{path.name} is een zip-bestand zonder Excel-werkblad.", file=path,
                         hint="Sla het bestand opnieuw op als .xlsx, of als CSV.") from None
    except ImportError as exc:  # an engine (xlrd for .xls) that is not installed
        raise InputError(f"{path.name} kan niet worden gelezen: {exc}.", file=path,
                         hint="Open het in Excel en kies Opslaan als → Excel-werkmap (.xlsx).") from None
    if raw.empty:
        raise InputError(f"{path.name} bevat geen gegevens.", file=path,
                         hint="Het eerste werkblad is leeg; zet de tabel op het eerste werkblad.")
    header = [str(c).strip() for c in raw.iloc[0]]
    header = [h or f"Unnamed: {i}" for i, h in enumerate(header)]
    _check_header(header, path=path, line=1, sep="", required=(), lim=lim)
    df = raw.iloc[1:]
    if len(df) > lim.max_rows:
        raise InputError(f"{path.name} heeft {len(df):,} rijen; de grens is {lim.max_rows:,}."
                         .replace(",", "."), file=path,
                         hint="Selecteer alleen de regio's en jaren die u nodig hebt.")
    lengths = df.apply(lambda c: c.str.len().max()) if not df.empty else pd.Series(dtype=float)
    if not lengths.empty and lengths.max() > lim.max_cell_chars:
        col = int(lengths.to_numpy().argmax())
        row = int(df.iloc[:, col].str.len().to_numpy().argmax()) + 2
        raise cell_too_large(path, line=row, column=header[col])
    df.columns = header
    df.index = pd.RangeIndex(2, len(df) + 2, name="line")  # row 1 is the header
    return df.astype("string")


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+:([A-Z]+)(\d+)"')


def check_workbook(path: Path, *, max_bytes: int | None = None) -> None:
    """Refuse an Excel file before parsing it when it is no workbook or too big once unzipped.

    A zip states the unpacked size of every part in its directory, and Python's zip reader never
    unpacks more than that; summing those sizes stops a "zip bomb" (a few MB that unpack to
    gigabytes) in milliseconds. A sheet's ``<dimension>`` (the used range) gives its rows and
    columns without reading it.
    """
    check_file(path, max_bytes=max_bytes)
    lim = limits()
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic == b"\xd0\xcf\x11\xe0":
        raise InputError(f"{path.name} is een oud Excel-bestand (.xls); dat kan niet worden gelezen.",
                         file=path, hint="Open het in Excel en kies Opslaan als → Excel-werkmap (.xlsx).")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            unzipped = sum(i.file_size for i in infos)
            if len(infos) > 10_000 or unzipped > lim.max_unzipped_bytes:
                raise InputError(
                    f"{path.name} is uitgepakt te groot: {_mib(unzipped)} MiB in {len(infos)} delen, de "
                    f"grens is {_mib(lim.max_unzipped_bytes)} MiB; er is niets gelezen.", file=path,
                    hint="Is dit het goede bestand? Sla alleen de tabel op, of bewaar haar als CSV.")
            sheets = sorted(i.filename for i in infos
                            if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml"))
            for name in sheets:
                with zf.open(name) as sheet:
                    head = sheet.read(4096)
                m = _DIMENSION.search(head)
                if m is None:
                    continue
                rows, cols = int(m.group(2)), _column_number(m.group(1).decode())
                if rows - 1 > min(lim.max_rows, EXCEL_MAX_ROWS) or cols > lim.max_columns:
                    raise InputError(
                        f"{path.name}: werkblad {Path(name).stem} heeft {rows:,} rijen en {cols:,} kolommen; "
                        f"de grens is {min(lim.max_rows, EXCEL_MAX_ROWS):,} rijen en {lim.max_columns:,} "
                        f"kolommen."
                        .replace(",", "."), file=path,
                        hint="Selecteer alleen de regio's, jaren en onderwerpen die u nodig hebt.")
                if (rows - 1) * cols > lim.max_whole_cells:
                    raise whole_too_large(path, rows=rows - 1, columns=cols, what="Excel")
    except zipfile.BadZipFile as exc:
        raise InputError(f"{path.name} kan niet als Excel-bestand worden gelezen: {exc} (afgebroken "
                         f"download, of geen .xlsx).", file=path,
                         hint="Download het bestand opnieuw, of sla het opnieuw op als .xlsx of als CSV.") \
            from None
    except (OSError, EOFError, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise InputError(f"{path.name} kan niet als Excel-bestand worden gelezen: {exc}.", file=path,
                         hint="Download het bestand opnieuw, of sla het opnieuw op als .xlsx of als CSV.") \
            from None


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


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


def head_text(path: Path, *, max_bytes: int = 64 * 1024) -> str:
    """The first bytes of a file as text (for format detection); never fails on encoding."""
    with path.open("rb") as fh:
        data = fh.read(max_bytes)
    utf16 = _utf16(data)
    if utf16:
        return data[: len(data) // 2 * 2].decode(utf16, errors="replace").lstrip("\ufeff")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start > len(data) - 4:  # a multi-byte character cut off at the end of the sample
            return data[: exc.start].decode("utf-8", errors="replace")
        return data.decode("cp1252", errors="replace")
