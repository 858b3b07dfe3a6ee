"""StatLine "CSV met statistische symbolen" (the download button on opendata.cbs.nl / StatLine).

What such a file looks like::

    "Wijken en buurten";"Regioaanduiding/Codering (code)";"Perioden";"Bevolking/Aantal inwoners (aantal)"
    "Leiden";"GM0546    ";"2021JJ00";"   124093"
    "Binnenstad-Zuid";"WK054600  ";"2021JJ00";"     8595"

``;``-separated and quoted; region codes right-padded to 10 characters; numbers padded with spaces;
symbols ``.`` (unknown), ``x`` (secret), ``-`` (nil/not applicable), ``?`` (unreliable) for missing
figures; periods like ``2021JJ00`` (JJ = year). Headers are topic paths with the unit in brackets:
``Inkomen/Inkomen van huishoudens/Huishoudens tot 110% van sociaal minimum (%)``.

A column maps to a KWB id by its title (the last part of the path), with the parent part as the group
when a title is ambiguous (``Opleidingsniveau/Laag``), through the one mapping table in
:mod:`roltrap.io.odata` (:data:`~roltrap.io.odata.KWB_VARIABLES`). Unmapped columns end up in
``batch.skipped`` with the reason.

Variants CBS really writes, all read here:

* the region code header ``Regioaanduiding/Codering (code)`` or ``Regiocode (gemeente, wijk, buurt)
  (code)``, the name header ``Wijken en buurten`` or ``Regio's``; ``Perioden`` as ``2019JJ00`` or ``2019``;
* theme paths joined by ``/`` or by ``|`` (with doubled spaces: ``Binnen 3  km``);
* the **transposed** layout (one row per variable, ``Onderwerp`` and the unit in the first two
  columns, one column per region; the region rows ``Regioaanduiding|Codering`` etc. on top);
* buurt rows (``BU…`` codes; the parent is the wijk).

A variable that is not in the KWB catalogue is kept as a **user indicator** (id ``u_<path>``) with its
StatLine title, unit and kind, so it can be mapped and compared like any other; only text columns
and a second column for the same variable are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from roltrap.errors import InputError, Problem
from roltrap.io._common import year_from_name
from roltrap.io._parse import parse_series
from roltrap.io._read import TextTable, missing_columns, read_table
from roltrap.io.odata import REGION_STEMS, cbs_source, frame_batch, kind_of_unit, kwb_id, map_column, norm
from roltrap.store import Batch

_UNIT = re.compile(r"^(?P<path>.*?)\s*\((?P<unit>[^()]*)\)\s*$")
# Path parts that carry no meaning of their own (``…/Laag/Waarde (%)``).
_GENERIC = {"waarde", "totaal", "aantal"}
_NUMBER_COMMA = re.compile(r"^\s*[+-]?\d{1,3}(\.\d{3})*,\d+\s*$|^\s*[+-]?\d+,\d+\s*$")


@dataclass(frozen=True)
class Header:
    """One StatLine column header split into its topic path and unit."""

    raw: str
    parts: tuple[str, ...]
    unit: str | None

    @property
    def title(self) -> str:
        return self.parts[-1] if self.parts else self.raw


def parse_header(raw: str) -> Header:
    """``Bevolking/Aantal inwoners (aantal)`` → parts ``(Bevolking, Aantal inwoners)``, unit ``aantal``."""
    text = raw.strip()
    m = _UNIT.match(text)
    path, unit = (m.group("path"), m.group("unit").strip()) if m else (text, None)
    sep = "|" if "|" in path else "/"
    parts = tuple(" ".join(p.split()) for p in path.split(sep) if p.strip())
    while len(parts) > 1 and norm(parts[-1]) in _GENERIC:
        parts = parts[:-1]
    return Header(raw=raw, parts=parts, unit=unit)


def header_kwb_id(h: Header) -> str | None:
    """The KWB id of a header: its title (with the parent as group), else parent + title joined."""
    if not h.parts:
        return None
    group = h.parts[-2] if len(h.parts) > 1 else None
    ancestors = "|".join(reversed(h.parts[:-1])) or None
    kid = kwb_id(h.title, group=ancestors)
    if kid is None and group is not None:
        kid = kwb_id(group + h.title)
    return kid


def _role(h: Header) -> str | None:
    t = norm(h.title)
    if t == "codering" or t.startswith("regiocode"):
        return "code"
    if t == "perioden":
        return "period"
    if t in ("wijkenenbuurten", "regios", "regio"):
        return "name"
    if t == "gemeentenaam":
        return "gemeente"
    if t == "soortregio":
        return "kind"
    return None


@dataclass
class Plan:
    """What the header of a StatLine table (row layout) says: which column is what, read once and
    used for every row (the whole file, or each chunk of a large file)."""

    path: Path
    roles: dict[str, str]
    mapped: dict[str, str]  # column → indicator id
    labels: dict[str, str]
    units: dict[str, str]
    kinds: dict[str, str]
    skipped: list[Problem]  # columns left out, with the reason
    source: dict[str, object]
    year: int | None


def plan(path: Path, header: list[str], *, separator: str, header_line: int, year: int | None = None,
         source_id: str | None = None, table_id: str | None = None) -> Plan:
    """Map the columns of a StatLine header (row layout) to roles and indicators."""
    headers = [parse_header(h) for h in header]
    roles: dict[str, str] = {}
    for h in headers:
        role = _role(h)
        if role and role not in roles:
            roles[role] = h.raw.strip()
    if "code" not in roles:
        raise missing_columns(path, ["Regioaanduiding/Codering (code)"], header, separator)
    yr = year if year is not None else year_from_name(path)
    if "period" not in roles and yr is None:
        raise InputError(f"{path.name}: het jaar is onbekend (geen kolom Perioden, geen jaar in de naam).",
                         file=path,
                         problems=[Problem("kolom ontbreekt", file=str(path), row=header_line,
                                           column="Perioden")],
                         hint="Kies bij het downloaden ook 'Perioden', of zet het jaar in de bestandsnaam.")
    skipped: list[Problem] = []
    mapped: dict[str, str] = {}
    labels: dict[str, str] = {}
    units: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for h in headers:
        col = h.raw.strip()
        if col in roles.values() or norm(h.title) in REGION_STEMS:
            continue
        if (h.unit or "").strip().lower() in _TEXT_UNITS:
            skipped.append(Problem(f"tekstkolom ({h.unit}), geen cijfer; overgeslagen", file=str(path),
                                   column=col))
            continue
        why = map_column(header_kwb_id(h), stem=norm(h.title), unit=h.unit, taken=set(mapped.values()))
        if isinstance(why, Problem):
            # Not a KWB variable (or a second column with a KWB title, e.g. "Afstand tot school"
            # for vmbo next to basisonderwijs): keep it as a user indicator under its own path.
            if not h.parts:
                skipped.append(Problem(why.message, file=str(path), column=col))
                continue
            uid, label, unit, kind = user_indicator(h)
            if uid in mapped.values():
                skipped.append(Problem(f"tweede kolom voor {uid}; overgeslagen", file=str(path), column=col))
                continue
            mapped[col], labels[uid], units[uid], kinds[uid] = uid, label, unit, kind
            continue
        mapped[col] = why
        labels[why] = h.title
        units[why] = h.unit or ""
    sid = source_id or (f"cbs-{table_id.lower()}" if table_id else f"cbs-statline-{_slug(path.stem)}")
    src = cbs_source(sid, f"CBS StatLine {table_id or path.stem}", file=path,
                     provenance=f"StatLine CSV met statistische symbolen ({path.name})")
    return Plan(path=path, roles=roles, mapped=mapped, labels=labels, units=units, kinds=kinds,
                skipped=skipped, source=src, year=yr)


def rows_batch(p: Plan, df: pd.DataFrame, *, decimal: str, skipped: list[Problem] | None = None) -> Batch:
    """Rows of a StatLine table (all of them, or one chunk; index = file line) → :class:`Batch`.

    ``skipped`` starts the batch's list of what was left out (the plan's columns for a whole file).
    """
    stripped = [str(h).strip() for h in df.columns]
    if list(df.columns) != stripped:
        df = df.set_axis(stripped, axis=1)
    return frame_batch(df, file=p.path, source=p.source, code_col=p.roles["code"],
                       period_col=p.roles.get("period"), year=p.year, mapped=p.mapped,
                       region_name_col=p.roles.get("name"), gemeente_name_col=p.roles.get("gemeente"),
                       kind_col=p.roles.get("kind"), skipped=skipped, labels=p.labels, units=p.units,
                       kinds=p.kinds, decimal=decimal)


def no_figures(p: Plan, skipped: list[Problem]) -> InputError:
    return InputError(f"{p.path.name}: geen enkele kolom bevat cijfers.", file=p.path, problems=skipped,
                      hint="Zie `roltrap indicators` voor wat roltrap kent.")


def read_statline(path: Path | str, *, year: int | None = None, source_id: str | None = None,
                  table_id: str | None = None) -> Batch:
    """A StatLine CSV download → :class:`Batch` (regions, observations, indicators; skipped columns).

    The whole file in memory; the importer reads a large file of the row layout in chunks with the
    same :func:`plan` and :func:`rows_batch`.
    """
    path = Path(path)
    table = read_table(path)
    if is_transposed(table.header):
        table = transpose(table)
    p = plan(path, table.header, separator=table.separator, header_line=table.header_line, year=year,
             source_id=source_id, table_id=table_id)
    df = table.frame()
    df.columns = [h.strip() for h in table.header]
    decimal = decimal_of(df, list(p.mapped), table.separator)
    batch = rows_batch(p, df, decimal=decimal, skipped=list(p.skipped))
    if not p.mapped:
        raise no_figures(p, batch.skipped)
    return batch


#: Units of columns that hold text (names, codes, descriptions), never figures.
_TEXT_UNITS = frozenset({"code", "naam", "omschrijving", "tekst"})
#: StatLine unit → (unit shown by roltrap, kind) for user indicators.
_USER_UNITS = {"%": ("%", "share"), "aantal": ("aantal", "count"), "km": ("km", "distance"),
               "getal": ("", "mean"), "index": ("index", "mean")}


def user_indicator(h: Header) -> tuple[str, str, str, str]:
    """A variable that is not in the KWB catalogue as (id, label, unit, kind).

    The id is ``u_`` + the theme path in lower case (``SES-WOA/Totaalscore/Gemiddelde score`` →
    ``u_ses_woa_totaalscore_gemiddelde_score``; a path longer than that gets its last two parts and
    a digest of the whole path): the same variable gets the same id in every download of that table.
    The label is the StatLine path; the kind follows the unit (``%`` →
    share, ``aantal`` → count, ``km`` → distance, anything else → mean, which is never summed).
    """
    raw = list(h.parts)
    uid = "u_" + _slug_id("_".join(raw))
    if len(uid) > 50:  # long theme paths: the last two parts and a digest of the whole path
        import hashlib

        digest = hashlib.sha1("/".join(raw).encode()).hexdigest()[:6]
        uid = "u_" + _slug_id("_".join(raw[-2:]))[:40].rstrip("_") + "_" + digest
    unit_key = (h.unit or "").strip().lower()
    unit, kind = _USER_UNITS.get(unit_key, (h.unit or "", kind_of_unit(h.unit) or "mean"))
    if kind == "count" and unit_key != "aantal":
        kind = "mean"
    return uid, " / ".join(raw), unit, kind


def _slug_id(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower().replace("'", "")).strip("_")


def is_transposed(header: list[str]) -> bool:
    """A StatLine download in the transposed layout: ``Onderwerp`` heads the first column."""
    return bool(header) and norm(header[0]) == "onderwerp"


def transpose(table: TextTable) -> TextTable:
    """The transposed layout (one row per variable, one column per region) → one row per region.

    The region rows (``Regioaanduiding|Codering``, ``|Soort regio``, ``|Gemeentenaam``) become the
    code, kind and gemeente columns; every other row becomes a column ``path (unit)``. Cells that
    are not numbers are reported here, with the file line of the variable and the region's column,
    so the message points at the cell the user sees.
    """
    path = table.path
    names = table.header[2:]
    variables: list[tuple[str, list[str], int]] = []
    region_rows: dict[str, list[str]] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        label = " ".join(row[0].split())
        unit = row[1].strip() if len(row) > 1 else ""
        cells = row[2:]
        h = parse_header(label)
        role = _role(h)
        if role in ("code", "kind", "gemeente"):
            region_rows[role] = cells
            continue
        # Keep "|" as the path separator: parts such as "Havo/vwo" contain a slash of their own.
        variables.append((f"{label} ({unit})" if unit else label, cells, line))
    if "code" not in region_rows:
        raise InputError(f"{path.name}: getransponeerde StatLine-tabel zonder regel "
                         f"'Regioaanduiding|Codering'.", file=path,
                         problems=[Problem("regel met regiocodes ontbreekt", file=str(path),
                                           row=table.header_line, column="Onderwerp")],
                         hint="Kies bij het downloaden ook Regioaanduiding > Codering.")
    problems: list[Problem] = []
    for title, cells, line in variables:
        if (parse_header(title).unit or "").lower() in _TEXT_UNITS:
            continue
        series = pd.Series(cells, dtype="string")
        _, bad = parse_series(series, decimal="," if any("," in c for c in cells) else ".")
        for i in bad:
            n = int(str(i))
            problems.append(Problem("geen getal (verwacht een getal of een CBS-symbool . x - ?)",
                                    file=str(path), row=line, column=f"{names[n]} "
                                    f"({region_rows['code'][n].strip()})", value=cells[n]))
    if problems:
        raise InputError(f"{path.name}: {len(problems)} ongeldige cel(len); er is niets geïmporteerd.",
                         file=path, problems=problems,
                         hint="Verbeter de genoemde cellen (getallen met decimale komma of CBS-symbolen "
                              ". x - ?) en importeer opnieuw.")
    header = ["Wijken en buurten", "Regioaanduiding/Codering (code)"]
    cols: list[list[str]] = [list(names), region_rows["code"]]
    if "kind" in region_rows:
        header.append("Regioaanduiding/Soort regio (omschrijving)")
        cols.append(region_rows["kind"])
    if "gemeente" in region_rows:
        header.append("Regioaanduiding/Gemeentenaam (naam)")
        cols.append(region_rows["gemeente"])
    for title, cells, _ in variables:
        header.append(title)
        cols.append(cells)
    rows = [list(r) for r in zip(*cols, strict=True)]
    # Each region is a column of the file: its "line" for messages about the region is the code row.
    first = table.lines[0] if table.lines else table.header_line
    return TextTable(path=path, encoding=table.encoding, separator=table.separator, header=header,
                     rows=rows, lines=list(range(first, first + len(rows))), header_line=table.header_line,
                     notes=[*table.notes, "getransponeerde StatLine-tabel (één regel per variabele) gelezen"])


def decimal_of(df: pd.DataFrame, cols: list[str], sep: str) -> str:
    """``,`` when the numbers use a decimal comma (Dutch download), else ``.``."""
    if sep == ",":
        return "."
    for c in cols:
        if df[c].astype("string").str.match(_NUMBER_COMMA).fillna(False).any():
            return ","
    return "."


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "bestand"


def is_statline_header(fields: list[str]) -> bool:
    """Whether a header row looks like a StatLine download (topic paths with units, Codering)."""
    hs = [parse_header(f) for f in fields]
    units = sum(h.unit is not None for h in hs)
    paths = sum(len(h.parts) > 1 for h in hs)
    has_code = any(_role(h) == "code" for h in hs)
    return (has_code and units >= 1) or (units >= 2 and paths >= 2)


__all__ = ["Header", "Plan", "decimal_of", "header_kwb_id", "is_statline_header", "is_transposed",
           "no_figures", "parse_header", "plan", "read_statline", "rows_batch", "transpose", "user_indicator"]
