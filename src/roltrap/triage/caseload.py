"""An anonymous caseload (one row per client: wijk + questionnaire answers) summarised per district.

Privacy first: before any row is classified, every column name and cell is screened for things that
identify a person (names, BSN, dates of birth, addresses, contact details, free text); one hit
refuses the whole file with :class:`PrivacyError`, and no message ever repeats the offending value.
Every person count that leaves this module passes ``roltrap.disclosure.protect_table``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

import pandas as pd

from roltrap.disclosure import SuppressionReport, protect_table
from roltrap.errors import InputError, PrivacyError, Problem
from roltrap.jsonable import jsonable
from roltrap.triage.engine import suggest
from roltrap.triage.frameworks import Frameworks
from roltrap.triage.questionnaire import Questionnaire, read_answers

WIJK_COLUMN = "wijk"
NO_TYPE = "geen_passend_type"
NO_TYPE_LABEL = "Geen passend type"
NO_STYLE = "onbekend"
DISTRICT_INDICATORS = ("a_inw", "p_hh_110")

# Column names (lower case, letters and digits only) that point at a person. Long words match
# anywhere in the name, short ones only as the whole name.
_NAME_PARTS = ("naam", "name", "geboorte", "birth", "adres", "address", "straat", "street", "huisnummer",
               "postcode", "zipcode", "bsn", "burgerservice", "sofinummer", "email", "mail", "telefoon",
               "phone", "mobiel", "mobile", "iban", "rekeningnummer", "opmerking", "notitie", "toelichting",
               "comment", "notes", "omschrijving", "beschrijving", "vrijetekst", "freetext", "woonplaats",
               "initialen", "clientnummer", "dossiernummer")
_NAME_EXACT = ("dob", "tel", "zip", "gbd", "note")
# A district name column ("wijknaam") is not about a person.
_REGION_PREFIXES = ("wijk", "buurt", "gemeente")

_DATE_PATTERNS = (re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$"),
                  re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$"),
                  re.compile(r"^(\d{4})(\d{2})(\d{2})$"))
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_POSTCODE = re.compile(r"^[1-9]\d{3}\s?[A-Za-z]{2}$")
_PHONE = re.compile(r"^(?:\+31|0031|0)\d{9}$")


def normalise_column(name: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).casefold())


def identifying_column(name: object) -> bool:
    norm = normalise_column(name)
    if norm.startswith(_REGION_PREFIXES) and norm != WIJK_COLUMN + "adres":
        return False
    return norm in _NAME_EXACT or any(part in norm for part in _NAME_PARTS)


def passes_elfproef(digits: str) -> bool:
    """The BSN check: 9·d1 + 8·d2 + … + 2·d8 − d9 is a multiple of 11 (and not all zeros)."""
    if len(digits) != 9 or not digits.isdigit() or int(digits) == 0:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


def looks_like_bsn(value: str) -> bool:
    digits = re.sub(r"[\s.\-]", "", value)
    # Spreadsheets drop a leading zero: an 8-digit number may be a BSN too.
    if len(digits) == 8 and digits.isdigit():
        digits = "0" + digits
    return passes_elfproef(digits)


def looks_like_date(value: str) -> bool:
    text = value.strip()
    for i, pat in enumerate(_DATE_PATTERNS):
        m = pat.match(text)
        if not m:
            continue
        a, b, c = (int(x) for x in m.groups())
        y, mo, d = (c, b, a) if i == 0 else (a, b, c)
        if not 1900 <= y <= 2100:
            continue
        try:
            date(y, mo, d)
        except ValueError:
            continue
        return True
    return False


def looks_like_contact(value: str) -> bool:
    text = value.strip()
    compact = re.sub(r"[\s\-()]", "", text)
    return bool(_EMAIL.match(text) or _POSTCODE.match(text) or _PHONE.match(compact))


def _free_text(value: str) -> bool:
    return len(value) > 40 or len(value.split()) >= 4


def _rows(mask: pd.Series) -> str:
    rows = [int(i) + 2 for i in mask[mask].index[:5]]  # header is row 1
    more = int(mask.sum()) - len(rows)
    return ", ".join(map(str, rows)) + (f" en nog {more}" if more > 0 else "")


def check_privacy(df: pd.DataFrame, *, questionnaire: Questionnaire, file: str | None = None) -> None:
    """Refuse a caseload that could identify someone. Values are never echoed in the message."""
    problems: list[Problem] = []
    known = {WIJK_COLUMN, *questionnaire.ids}
    for col in df.columns:
        if identifying_column(col) and normalise_column(col) not in known:
            problems.append(Problem("de kolomnaam wijst op persoonsgegevens (naam, geboortedatum, adres, "
                                    "BSN, contactgegevens of vrije tekst)", file=file, column=str(col)))
    for col in df.columns:
        cells = df[col].fillna("").astype(str).str.strip()
        filled = cells != ""
        checks: list[tuple[str, Callable[[str], bool]]] = [
            ("lijkt op een BSN (9 cijfers die de elfproef doorstaan)", looks_like_bsn),
            ("lijkt op een (geboorte)datum", looks_like_date),
            ("lijkt op contactgegevens (e-mail, telefoon of postcode)", looks_like_contact),
        ]
        if col not in known:
            checks.append(("lijkt op vrije tekst", _free_text))
        else:
            checks.append(("lijkt op vrije tekst", _free_text_answer(questionnaire, str(col))))
        for what, test in checks:
            mask = filled & cells.map(test).astype(bool)
            if mask.any():
                problems.append(Problem(f"{int(mask.sum())} cel(len) {what} (rij {_rows(mask)})", file=file,
                                        column=str(col)))
    if problems:
        raise PrivacyError(
            "Dit bestand bevat mogelijk gegevens die iemand herkenbaar maken; er is niets verwerkt.\n"
            + "\n".join(f"  - {p}" for p in problems),
            hint="Lever alleen de kolom 'wijk' en de anonieme vragen uit `roltrap triage --schema` aan; "
                 "haal namen, nummers, datums, adressen en toelichtingen weg.")


def _free_text_answer(questionnaire: Questionnaire, column: str) -> Callable[[str], bool]:
    """Free text in an answer column: long or wordy, and not one of that question's labels."""
    if column == WIJK_COLUMN:
        return lambda v: len(v) > 40
    q = questionnaire.question(column)
    labels = {o.label.casefold() for o in q.options} | {questionnaire.decline.label.casefold()}

    def test(value: str) -> bool:
        parts = [p.strip().casefold() for p in re.split(r"[;|]", value) if p.strip()]
        return _free_text(value) and not all(p in labels for p in parts)

    return test


def read_caseload(source: Path | str | bytes | IO[bytes] | pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """The caseload as a frame of strings (no type guessing) and the file name, if any."""
    if isinstance(source, pd.DataFrame):
        return source.astype("string").astype(object).where(source.notna(), ""), None
    name: str | None = None
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = str(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InputError(f"Kan {path.name} niet lezen: {exc.strerror}.", file=path,
                             hint="Controleer het pad naar het CSV-bestand.") from None
    elif isinstance(source, bytes):
        raw = source
    else:
        raw = source.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if not text.strip():
        raise InputError("Het caseloadbestand is leeg.", file=name,
                         hint="Eén rij per cliënt met een kolom 'wijk' en de vragen als kolommen.")
    first = text.splitlines()[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                         quoting=csv.QUOTE_MINIMAL, skip_blank_lines=True)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError("Het caseloadbestand is geen leesbare CSV.",
                         problems=[Problem(str(exc).splitlines()[0], file=name)], file=name) from None
    df.columns = [str(c).strip() for c in df.columns]
    return df, name


@dataclass(frozen=True)
class Classified:
    """One row per client: district, primary type and style. Never leaves this module unprotected."""

    rows: pd.DataFrame  # columns: wijk, type, style
    type_labels: dict[str, str]


def classify(df: pd.DataFrame, *, questionnaire: Questionnaire, frameworks: Frameworks,
             wijk_codes: Callable[[str], str | None], file: str | None = None) -> Classified:
    """Each client's primary (top-ranked) type and its style; every bad cell reported at once.

    ``wijk_codes`` maps a cell of the wijk column to a canonical district code, or None if unknown.
    """
    problems: list[Problem] = []
    cols = {c: normalise_column(c) for c in df.columns}
    known = set(questionnaire.ids)
    wijk_col = next((c for c, n in cols.items() if n == WIJK_COLUMN), None)
    if wijk_col is None:
        problems.append(Problem("kolom 'wijk' ontbreekt (wijkcode zoals WK054600 of de wijknaam)", file=file,
                                column=WIJK_COLUMN))
    for c, n in cols.items():
        if n != WIJK_COLUMN and c not in known:
            problems.append(Problem(f"onbekende kolom; toegestaan zijn 'wijk' en {', '.join(sorted(known))}",
                                    file=file, column=c))
    if problems:
        raise InputError("De kolommen van de caseload kloppen niet.", problems=problems, file=file)
    if df.empty:
        raise InputError("De caseload bevat geen cliënten.", file=file)
    assert wijk_col is not None
    out: list[tuple[str, str, str]] = []
    for i, rec in enumerate(df.to_dict("records")):
        row = i + 2
        wijk_raw = str(rec.pop(wijk_col, "")).strip()
        code = wijk_codes(wijk_raw) if wijk_raw else None
        if code is None:
            problems.append(Problem("onbekende of lege wijk (verwacht een wijkcode zoals WK054600 of de "
                                    "wijknaam)", file=file, row=row, column=wijk_col))
        answers, answer_problems = read_answers(rec, questionnaire, file=file, row=row)
        # The value is not repeated: a caseload cell may hold something personal.
        problems += [Problem(p.message, file=p.file, row=p.row, column=p.column) for p in answer_problems]
        if code is None or answer_problems:
            continue
        result = suggest(answers, frameworks=frameworks, questionnaire=questionnaire)
        if result.suggestions:
            top = result.suggestions[0]
            out.append((code, top.type, top.style.id))
        else:
            style = result.person_style.id if result.person_style else NO_STYLE
            out.append((code, NO_TYPE, style))
    if problems:
        raise InputError(f"{len(problems)} cel(len) in de caseload kloppen niet; er is niets verwerkt.",
                         problems=problems, file=file,
                         hint="Zie `roltrap triage --schema` voor de toegestane antwoorden.")
    labels = {t.id: t.label for t in frameworks.types} | {NO_TYPE: NO_TYPE_LABEL}
    return Classified(rows=pd.DataFrame(out, columns=["wijk", "type", "style"]), type_labels=labels)


@dataclass
class CaseloadResult:
    """Protected tables: types × districts, styles × districts, and district figures."""

    n_clients: int | None
    types: pd.DataFrame
    styles: pd.DataFrame
    districts: pd.DataFrame
    suppression: dict[str, SuppressionReport]
    min_cell: int
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def table(df: pd.DataFrame, index_name: str) -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = jsonable(df.reset_index().rename(columns={"index": index_name}))
            return rows

        return {
            "n_clients": self.n_clients,
            "min_cell": self.min_cell,
            "types": table(self.types, "type"),
            "styles": table(self.styles, "style"),
            "districts": table(self.districts, "wijk"),
            "suppression": {k: {"primary": v.primary, "secondary": v.secondary}
                            for k, v in self.suppression.items()},
            "notes": self.notes,
        }


def summarise(classified: Classified, *, frameworks: Frameworks, min_cell: int,
              districts: pd.DataFrame | None = None) -> CaseloadResult:
    """Counts per type and per style and district, with primary and secondary suppression.

    ``districts`` (index: wijk code; columns ``name`` and indicators such as a_inw, p_hh_110) adds
    the district figures; clients per 1,000 inhabitants is only shown where the count is.
    """
    rows = classified.rows
    wijken = sorted(rows["wijk"].unique())
    type_order = [t.id for t in frameworks.types if t.id in set(rows["type"])]
    if NO_TYPE in set(rows["type"]):
        type_order.append(NO_TYPE)
    counts = pd.crosstab(rows["type"], rows["wijk"]).reindex(index=type_order, columns=wijken, fill_value=0)

    style_order: list[str] = [s.id for s in frameworks.styles if s.id in set(rows["style"])]
    if NO_STYLE in set(rows["style"]):
        style_order.append(NO_STYLE)
    scounts = pd.crosstab(rows["style"], rows["wijk"]).reindex(index=style_order, columns=wijken,
                                                                fill_value=0)
    # Both tables publish the same column totals (clients per district): a total hidden in one
    # must be hidden in the other, or it could be read there.
    hidden: frozenset[str] = frozenset()
    while True:
        types, type_rep = protect_table(counts, min_cell=min_cell, hidden_totals=hidden)
        styles, style_rep = protect_table(scounts, min_cell=min_cell, hidden_totals=hidden)
        now = frozenset(str(c) for t in (types, styles) for c in t.columns if pd.isna(t.loc["Totaal", c]))
        if now == hidden:
            break
        hidden = now
    types.index = [classified.type_labels.get(i, i) for i in types.index]
    labels = {s.id: s.label for s in frameworks.styles} | {NO_STYLE: "Onbekend"}
    styles.index = [labels.get(i, i) for i in styles.index]

    # Clients per district are the protected column totals, so the tables cannot contradict each other.
    dist = pd.DataFrame({"clienten": types.loc["Totaal", wijken].astype("Float64")}, index=wijken)
    if districts is not None:
        figures = districts.reindex(wijken)
        cols = ["name", *[c for c in figures.columns if c != "name"]]
        dist = figures[cols].join(dist)
        if "a_inw" in dist.columns:
            inw = pd.to_numeric(dist["a_inw"], errors="coerce").astype("Float64")
            dist["clienten_per_1000_inw"] = (dist["clienten"] / inw * 1000).round(1)
    notes = [
        "Per cliënt telt alleen het best passende type (de eerste suggestie) en de stijl daarvan.",
        f"Aantallen onder de {min_cell} zijn onderdrukt, plus zo nodig een extra cel zodat ze niet "
        "uit de totalen terug te rekenen zijn.",
    ]
    grand = types.loc["Totaal", "Totaal"]
    return CaseloadResult(n_clients=None if pd.isna(grand) else int(grand), types=types, styles=styles,
                          districts=dist, suppression={"types": type_rep, "styles": style_rep},
                          min_cell=min_cell, notes=notes)


def district_lookup(regions: pd.DataFrame) -> Callable[[str], str | None]:
    """A wijk cell → code resolver over a regions frame (columns code, name): codes or exact names."""
    from roltrap.io.codes import normalise_code

    codes = set(regions["code"])
    by_name: Mapping[str, str] = {str(n).casefold(): str(c) for c, n in zip(regions["code"], regions["name"],
                                                                             strict=True)}

    def resolve(cell: str) -> str | None:
        try:
            code = normalise_code(cell, level="wijk")
        except ValueError:
            code = None
        if code in codes:
            return code
        return by_name.get(cell.strip().casefold())

    return resolve
