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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from roltrap.errors import InputError, Problem
from roltrap.io._common import year_from_name
from roltrap.io._read import missing_columns, read_table
from roltrap.io.odata import REGION_STEMS, cbs_source, frame_batch, kwb_id, map_column, norm
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
    parts = tuple(p.strip() for p in path.split("/") if p.strip())
    while len(parts) > 1 and norm(parts[-1]) in _GENERIC:
        parts = parts[:-1]
    return Header(raw=raw, parts=parts, unit=unit)


def header_kwb_id(h: Header) -> str | None:
    """The KWB id of a header: its title (with the parent as group), else parent + title joined."""
    if not h.parts:
        return None
    group = h.parts[-2] if len(h.parts) > 1 else None
    kid = kwb_id(h.title, group=group)
    if kid is None and group is not None:
        kid = kwb_id(group + h.title)
    return kid


def _role(h: Header) -> str | None:
    t = norm(h.title)
    if t == "codering" or t == "regiocode":
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


def read_statline(path: Path | str, *, year: int | None = None, source_id: str | None = None,
                  table_id: str | None = None) -> Batch:
    """A StatLine CSV download → :class:`Batch` (regions, observations, indicators; skipped columns)."""
    path = Path(path)
    table = read_table(path)
    headers = [parse_header(h) for h in table.header]
    roles: dict[str, str] = {}
    for h in headers:
        role = _role(h)
        if role and role not in roles:
            roles[role] = h.raw.strip()
    if "code" not in roles:
        raise missing_columns(path, ["Regioaanduiding/Codering (code)"], table.header, table.separator)
    df = table.frame()
    df.columns = [h.strip() for h in table.header]
    yr = year if year is not None else year_from_name(path)
    if "period" not in roles and yr is None:
        raise InputError(f"{path.name}: het jaar is onbekend (geen kolom Perioden, geen jaar in de naam).",
                         file=path,
                         problems=[Problem("kolom ontbreekt", file=str(path), row=table.header_line,
                                           column="Perioden")],
                         hint="Kies bij het downloaden ook 'Perioden', of zet het jaar in de bestandsnaam.")
    skipped: list[Problem] = []
    mapped: dict[str, str] = {}
    labels: dict[str, str] = {}
    units: dict[str, str] = {}
    for h in headers:
        col = h.raw.strip()
        if col in roles.values() or norm(h.title) in REGION_STEMS:
            continue
        why = map_column(header_kwb_id(h), stem=norm(h.title), unit=h.unit, taken=set(mapped.values()))
        if isinstance(why, Problem):
            skipped.append(Problem(why.message, file=str(path), column=col))
            continue
        mapped[col] = why
        labels[why] = h.title
        units[why] = h.unit or ""
    decimal = _decimal(df, list(mapped), table.separator)
    sid = source_id or (f"cbs-{table_id.lower()}" if table_id else f"cbs-statline-{_slug(path.stem)}")
    src = cbs_source(sid, f"CBS StatLine {table_id or path.stem}", file=path,
                     provenance=f"StatLine CSV met statistische symbolen ({path.name})")
    batch = frame_batch(df, file=path, source=src, code_col=roles["code"], period_col=roles.get("period"),
                        year=yr, mapped=mapped, region_name_col=roles.get("name"),
                        gemeente_name_col=roles.get("gemeente"), kind_col=roles.get("kind"), skipped=skipped,
                        labels=labels, units=units, decimal=decimal)
    if not mapped:
        raise InputError(f"{path.name}: geen enkele kolom is een bekende KWB-variabele.", file=path,
                         problems=batch.skipped, hint="Zie `roltrap indicators` voor wat roltrap kent.")
    return batch


def _decimal(df: pd.DataFrame, cols: list[str], sep: str) -> str:
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


__all__ = ["Header", "header_kwb_id", "is_statline_header", "parse_header", "read_statline"]
