"""An anonymous caseload (one row per client: wijk or buurt + questionnaire answers) summarised per district.

Privacy first. The header row must consist of known column names (the wijk or buurt column and the
questions, by id, Dutch label or alias, ignoring case and accents); a first row that looks like
data is refused as data. Then every cell is screened for things that identify a person (BSN, dates,
contact details, free text); one hit refuses the whole file with :class:`PrivacyError`. No message
ever repeats a cell or an unknown column name: columns are named by their letter (and, when known,
their label), rows by their spreadsheet number. Every person count that leaves this module passes
``roltrap.disclosure.protect_table``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import IO, Any

import pandas as pd

from roltrap.disclosure import SuppressionReport, protect_table
from roltrap.errors import InputError, PrivacyError, Problem
from roltrap.jsonable import jsonable
from roltrap.triage.engine import suggest
from roltrap.triage.frameworks import Frameworks
from roltrap.triage.questionnaire import Questionnaire, fold, read_answers
from roltrap.triage.upload import DEFAULT_LIMITS, Limits, RawTable, column_letter, display_name, read_table

WIJK_COLUMN = "wijk"
BUURT_COLUMN = "buurt"
LEVELS = (WIJK_COLUMN, BUURT_COLUMN)
NO_TYPE = "geen_passend_type"
NO_TYPE_LABEL = "Geen passend type"
NO_STYLE = "onbekend"
DISTRICT_INDICATORS = ("a_inw", "p_hh_110")
#: Column headings (folded) that name the district column of each level.
REGION_HEADINGS = {
    WIJK_COLUMN: {"wijk", "wijkcode", "wijknaam", "wijkofwijkcode", "codewijk", "naamwijk"},
    BUURT_COLUMN: {"buurt", "buurtcode", "buurtnaam", "buurtofbuurtcode", "codebuurt", "naambuurt"},
}
REGION_LABELS = {WIJK_COLUMN: "Wijk", BUURT_COLUMN: "Buurt"}
TEMPLATE_HINT = ("Gebruik het caseloadsjabloon (Excel): daarin staan de kolomnamen in rij 1 en de "
                 "toegestane antwoorden als keuzelijst.")

# Column names (folded) that point at a person. Long words match anywhere in the name, short ones
# only as the whole name.
_NAME_PARTS = ("naam", "name", "geboorte", "birth", "adres", "address", "straat", "street", "huisnummer",
               "postcode", "zipcode", "bsn", "burgerservice", "sofinummer", "email", "mail", "telefoon",
               "phone", "mobiel", "mobile", "iban", "rekeningnummer", "opmerking", "notitie", "toelichting",
               "comment", "notes", "omschrijving", "beschrijving", "vrijetekst", "freetext", "woonplaats",
               "initialen", "clientnummer", "dossiernummer", "voornaam", "achternaam", "roepnaam")
_NAME_EXACT = ("dob", "tel", "zip", "gbd", "note", "id", "nr", "nummer")
# A district name column ("wijknaam") is not about a person.
_REGION_PREFIXES = ("wijk", "buurt", "gemeente")

_DATE_PATTERNS = (re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$"),
                  re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$"),
                  re.compile(r"^(\d{4})(\d{2})(\d{2})$"))
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_POSTCODE = re.compile(r"^[1-9]\d{3}\s?[A-Za-z]{2}$")
_PHONE = re.compile(r"^(?:\+31|0031|0)\d{9}$")
_CODE_LIKE = re.compile(r"^(?:GM|WK|BU)\s*\d[0-9A-Z]*$|^\d+$", re.IGNORECASE)


def normalise_column(name: object) -> str:
    return fold(name)


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


def looks_personal(value: str) -> bool:
    return looks_like_bsn(value) or looks_like_date(value) or looks_like_contact(value)


def _free_text(value: str) -> bool:
    return len(value) > 40 or len(value.split()) >= 4


def _rows(numbers: list[int]) -> str:
    shown = numbers[:5]
    more = len(numbers) - len(shown)
    return ", ".join(map(str, shown)) + (f" en nog {more}" if more > 0 else "")


# -- the header row ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """One column of the file: its position and, when its heading is known, the field it holds."""

    position: int  # 0-based
    field: str | None  # "wijk", "buurt", a question id; None = unknown heading

    @property
    def letter(self) -> str:
        return column_letter(self.position)


@dataclass(frozen=True)
class Caseload:
    """A caseload whose header row is understood: one column per field, spreadsheet row numbers."""

    frame: pd.DataFrame  # columns: field ids; cells: stripped text
    columns: dict[str, Column]
    rows: list[int]
    file: str | None
    labels: dict[str, str] = field(default_factory=dict)  # field → how the user sees the column

    def column_name(self, field_id: str) -> str:
        return self.labels.get(field_id, field_id)


def _heading_fields(questionnaire: Questionnaire) -> dict[str, str]:
    keys = {k: q.id for q in questionnaire.questions for k in q.header_keys()}
    for level, headings in REGION_HEADINGS.items():
        keys.update(dict.fromkeys(headings, level))
    return keys


def _field_label(field_id: str, questionnaire: Questionnaire) -> str:
    if field_id in REGION_LABELS:
        return REGION_LABELS[field_id]
    return questionnaire.question(field_id).label


def _looks_like_data(cell: str, questionnaire: Questionnaire) -> bool:
    """A heading that is really a value: personal data, a code or number, or one of the answers."""
    if looks_personal(cell) or _CODE_LIKE.match(cell.strip()):
        return True
    key = fold(cell)
    answers = {fold(t) for q in questionnaire.questions for o in q.options for t in (o.value, o.label)}
    answers |= {fold(questionnaire.decline.value), fold(questionnaire.decline.label)}
    return key in answers


def read_header(table: RawTable, *, questionnaire: Questionnaire, file: str | None = None) -> Caseload:
    """Understand row 1 and screen every cell; raises without ever repeating what the file holds."""
    header, *body = table.rows
    first_row = table.numbers[0]
    fields = _heading_fields(questionnaire)
    matched: dict[int, str] = {}
    data_like: list[int] = []
    identifying: list[int] = []
    unknown: list[int] = []
    nameless: list[int] = []  # cells filled below an empty heading, or beyond the last one
    width = max(len(r) for r in table.rows)
    for i, cell in enumerate(header + [""] * (width - len(header))):
        key = fold(cell)
        if not key:
            if any(i < len(r) and r[i] for r in body):
                nameless.append(i)
            continue
        if key in fields:
            matched[i] = fields[key]
        elif _looks_like_data(cell, questionnaire):
            data_like.append(i)
        elif identifying_column(cell):
            identifying.append(i)
        else:
            unknown.append(i)
    letters = lambda ix: ", ".join(column_letter(i) for i in ix)  # noqa: E731
    if data_like or not matched:
        personal = [i for i in data_like if looks_personal(header[i])]
        where = f" (kolom {letters(data_like)})" if data_like else ""
        message = (f"Rij {first_row} lijkt gegevens van een cliënt te bevatten in plaats van kolomnamen"
                   f"{where}; er is niets verwerkt." if data_like else
                   f"Rij {first_row} bevat geen bekende kolomnamen; er is niets verwerkt.")
        error = PrivacyError if personal or identifying else InputError
        raise error(message, hint="Zet in rij 1 de kolomnamen: Wijk (of Buurt) en de vragen, zoals "
                                  "Leeftijdsgroep of Geslacht. " + TEMPLATE_HINT)
    labels = {f: f"{column_letter(i)} ({_field_label(f, questionnaire)})" for i, f in matched.items()}
    problems: list[Problem] = []
    if identifying:
        for i in identifying:
            problems.append(Problem("de kolomnaam wijst op persoonsgegevens (naam, geboortedatum, adres, "
                                    "BSN, contactgegevens of vrije tekst)", file=file,
                                    column=column_letter(i)))
    # Cells next: a BSN or date of birth in any column refuses the file, known column or not.
    problems += _screen_cells(table, matched=matched, labels=labels, questionnaire=questionnaire, file=file)
    if problems:
        raise PrivacyError(
            "Dit bestand bevat mogelijk gegevens die iemand herkenbaar maken; er is niets verwerkt.\n"
            + "\n".join(f"  - {p}" for p in problems),
            hint="Lever alleen de kolom Wijk (of Buurt) en de anonieme vragen aan; haal namen, nummers, "
                 "datums, adressen en toelichtingen weg.")
    by_field: dict[str, list[int]] = {}
    for i, f in matched.items():
        by_field.setdefault(f, []).append(i)
    twice = [Problem(f"kolommen {letters(ix)} zijn allebei '{_field_label(f, questionnaire)}'", file=file)
             for f, ix in by_field.items() if len(ix) > 1]
    strangers = [Problem("onbekende kolomnaam (verwacht Wijk, Buurt of een van de vragen)", file=file,
                         column=column_letter(i)) for i in unknown]
    strangers += [Problem("deze kolom heeft gegevens maar geen kolomnaam in rij 1", file=file,
                          column=column_letter(i)) for i in nameless]
    if twice or strangers:
        raise InputError("De kolommen van de caseload kloppen niet; er is niets verwerkt.",
                         problems=twice + strangers, file=file, hint=TEMPLATE_HINT)
    frame = pd.DataFrame({f: [r[i] if i < len(r) else "" for r in body] for i, f in matched.items()},
                         dtype=object)
    columns = {f: Column(position=i, field=f) for i, f in matched.items()}
    return Caseload(frame=frame, columns=columns, rows=table.numbers[1:], file=file, labels=labels)


def _screen_cells(table: RawTable, *, matched: Mapping[int, str], labels: Mapping[str, str],
                  questionnaire: Questionnaire, file: str | None) -> list[Problem]:
    checks: list[tuple[str, Callable[[str], bool]]] = [
        ("lijkt op een BSN (9 cijfers die de elfproef doorstaan)", looks_like_bsn),
        ("lijkt op een (geboorte)datum", looks_like_date),
        ("lijkt op contactgegevens (e-mail, telefoon of postcode)", looks_like_contact),
    ]
    width = max(len(r) for r in table.rows)
    problems: list[Problem] = []
    for i in range(width):
        f = matched.get(i)
        column = labels.get(f, column_letter(i)) if f else column_letter(i)
        free = _free_text_answer(questionnaire, f) if f else _free_text
        cells = [(n, r[i]) for n, r in zip(table.numbers[1:], table.rows[1:], strict=True)
                 if i < len(r) and r[i]]
        for what, test in [*checks, ("lijkt op vrije tekst", free)]:
            hits = [n for n, v in cells if test(v)]
            if hits:
                problems.append(Problem(f"{len(hits)} cel(len) {what} (rij {_rows(hits)})", file=file,
                                        column=column))
    return problems


def _free_text_answer(questionnaire: Questionnaire, field_id: str) -> Callable[[str], bool]:
    """Free text in a known column: long or wordy, and not one of that question's labels."""
    if field_id in LEVELS:
        return lambda v: len(v) > 80
    q = questionnaire.question(field_id)
    labels = {fold(o.label) for o in q.options} | {fold(questionnaire.decline.label)}

    def test(value: str) -> bool:
        parts = [fold(p) for p in re.split(r"[;|]", value) if p.strip()]
        return _free_text(value) and not all(p in labels for p in parts)

    return test


def read_caseload(source: Path | str | bytes | IO[bytes] | pd.DataFrame, *, questionnaire: Questionnaire,
                  limits: Limits = DEFAULT_LIMITS) -> Caseload:
    """Read, understand and screen a caseload (CSV or .xlsx bytes, a path, or a frame)."""
    name: str | None = None
    if isinstance(source, pd.DataFrame):
        header = [str(c) for c in source.columns]
        body = [["" if pd.isna(v) else str(v).strip() for v in row] for row in source.itertuples(index=False)]
        rows = [header, *body]
        keep = [i for i, r in enumerate(rows) if i == 0 or any(r)]
        table = RawTable(rows=[rows[i] for i in keep], numbers=[i + 1 for i in keep], kind="frame")
    else:
        if isinstance(source, (str, Path)):
            path = Path(source)
            name = display_name(str(path))
            try:
                with path.open("rb") as fh:
                    raw = fh.read(limits.max_bytes + 1)  # never more than the limit allows
            except OSError as exc:
                raise InputError(f"Kan {display_name(path.name)} niet lezen: {exc.strerror}.", file=name,
                                 hint="Controleer het pad naar het caseloadbestand (CSV of Excel).") from None
        elif isinstance(source, bytes):
            raw = source
        else:
            raw = source.read(limits.max_bytes + 1)
        table = read_table(raw, name=name, limits=limits)
    return read_header(table, questionnaire=questionnaire, file=name)


# -- districts -------------------------------------------------------------------------------------------
_WIJK_PREFIX = re.compile(r"^(?:wijk|buurt)\s*\d+\s+", re.IGNORECASE)  # CBS's "Wijk 01 Oost"
_AREA_SUFFIX = ("district", "wijk", "buurt", "kwartier")


def _name_keys(name: str) -> tuple[set[str], set[str]]:
    """(exact, loose) keys of a region name: "Merenwijkdistrict" is also "Merenwijk"."""
    exact = {fold(name)}
    loose: set[str] = set()
    bare = fold(_WIJK_PREFIX.sub("", name))
    loose.add(bare)
    for suffix in _AREA_SUFFIX:
        if bare.endswith(suffix) and len(bare) > len(suffix) + 2:
            loose.add(bare[: -len(suffix)])
    words = re.split(r"[\s\-/]+", _WIJK_PREFIX.sub("", name).strip())
    if len(words) > 1:
        loose.add(fold(words[0]))  # "Binnenstad" for Binnenstad-Zuid and Binnenstad-Noord
    return exact, loose - exact


@dataclass(frozen=True)
class RegionIndex:
    """The wijken and buurten of one municipality, found by code or by name (case and accents ignored).

    Names match exactly first, then loosely (without "district" or CBS's "Wijk 01" prefix, or by
    their first word); a name that fits several districts is reported, never guessed. Where the
    store holds a district under an old and a new code (Amsterdam 2022), the newest boundaries win.
    """

    gemeente: str
    gemeente_name: str
    regions: pd.DataFrame  # code, name, level, parent (and boundary_year when known)
    elsewhere: Callable[[str], str | None] = lambda code: None  # code → its municipality's name

    @cached_property
    def _keys(self) -> dict[tuple[str, str, bool], list[int]]:
        keys: dict[tuple[str, str, bool], list[int]] = {}
        for i, (name, level) in enumerate(zip(self.regions["name"], self.regions["level"], strict=True)):
            exact, loose = _name_keys(str(name))
            for k in exact:
                keys.setdefault((level, k, True), []).append(i)
            for k in loose:
                keys.setdefault((level, k, False), []).append(i)
        return keys

    def _newest(self, hits: list[int]) -> list[int]:
        """Keep one district per name: where old and new codes share a name, the newest boundaries."""
        if "boundary_year" not in self.regions.columns or len(hits) < 2:
            return hits
        rows = self.regions.iloc[hits]
        names = {fold(n) for n in rows["name"]}
        if len(names) > 1:
            return hits
        years = pd.to_numeric(rows["boundary_year"], errors="coerce")
        newest = [h for h, y in zip(hits, years, strict=True) if y == years.max()]
        return newest or hits

    def resolve(self, cell: str, *, level: str) -> tuple[str | None, str | None]:
        """(code, None) or (None, why): the message repeats only names and codes the store holds."""
        from roltrap.io.codes import normalise_code

        what = "wijk" if level == WIJK_COLUMN else "buurt"
        held = self.regions[self.regions["level"] == level]
        codes = set(held["code"])
        text = cell.strip()
        example = sorted(codes)[0] if codes else ("WK054600" if level == WIJK_COLUMN else "BU05460000")
        if _CODE_LIKE.match(text):
            try:
                code = normalise_code(text.upper().replace(" ", ""), level=level)
            except ValueError:
                code = None
            if code in codes:
                return code, None
            other = self.elsewhere(code) if code else None
            if code and other:
                return None, f"{code} is een {what} van {other}, niet van {self.gemeente_name}"
            return None, (f"onbekende {what}code (verwacht een {what} van {self.gemeente_name}, zoals "
                          f"{example}, of de {what}naam)")
        key = fold(text)
        if key == fold(self.gemeente_name):
            return None, f"'{self.gemeente_name}' is de gemeente; vul de {what} in"
        for exact in (True, False):
            hits = self._newest(self._keys.get((level, key, exact), []))
            if len(hits) == 1:
                return str(self.regions["code"].iloc[hits[0]]), None
            if len(hits) > 1:
                rows = self.regions.iloc[hits].sort_values("code")
                options = ", ".join(f"{n} ({c})" for c, n in zip(rows["code"], rows["name"], strict=True))
                return None, (f"deze naam past bij meer dan één {what} in {self.gemeente_name}: {options}; "
                              f"vul de volledige {what}naam of de {what}code in")
        return None, f"onbekende {what} (verwacht een {what}naam of {what}code van {self.gemeente_name})"

    def parent(self, code: str) -> str | None:
        rows = self.regions[self.regions["code"] == code]
        return None if rows.empty else str(rows["parent"].iloc[0])


@dataclass(frozen=True)
class Classified:
    """One row per client: district, primary type and style. Never leaves this module unprotected."""

    rows: pd.DataFrame  # columns: wijk (the district code, at ``level``), type, style
    type_labels: dict[str, str]
    level: str = WIJK_COLUMN


def choose_level(caseload: Caseload, level: str | None) -> tuple[str, str]:
    """(level of the summary, column that locates a client); a buurt column also serves wijk level."""
    has = set(caseload.columns)
    filled = {c for c in has & set(LEVELS) if caseload.frame[c].astype(bool).any()}
    if filled:  # the template has a Wijk and a Buurt column; an unused one does not count
        has = (has - set(LEVELS)) | filled
    if level is not None and level not in LEVELS:
        raise InputError("Onbekend niveau; kies wijk of buurt.", param="level")
    if level is None:
        level = BUURT_COLUMN if BUURT_COLUMN in has else WIJK_COLUMN
    if level == WIJK_COLUMN:
        source = WIJK_COLUMN if WIJK_COLUMN in has else BUURT_COLUMN if BUURT_COLUMN in has else ""
    else:
        source = BUURT_COLUMN if BUURT_COLUMN in has else ""
    if not source:
        need = "Wijk (wijkcode zoals WK054600 of de wijknaam)" if level == WIJK_COLUMN else \
            "Buurt (buurtcode zoals BU05460000 of de buurtnaam)"
        raise InputError(f"De kolom {need} ontbreekt; er is niets verwerkt.", file=caseload.file,
                         problems=[Problem(f"kolom {REGION_LABELS[level]} ontbreekt", file=caseload.file,
                                           row=1)], hint=TEMPLATE_HINT)
    return level, source


def classify(caseload: Caseload, *, questionnaire: Questionnaire, frameworks: Frameworks,
             index: RegionIndex, level: str | None = None) -> Classified:
    """Each client's primary (top-ranked) type and its style; every bad cell reported at once."""
    level, source = choose_level(caseload, level)
    file = caseload.file
    df = caseload.frame
    if df.empty:
        raise InputError("De caseload bevat geen cliënten (alleen de rij met kolomnamen).", file=file,
                         hint="Vul vanaf rij 2 één rij per cliënt in.")
    questions = [c for c in df.columns if c not in LEVELS]
    problems: list[Problem] = []
    out: list[tuple[str, str, str]] = []
    for row, rec in zip(caseload.rows, df.to_dict("records"), strict=True):
        cell = str(rec.get(source, "")).strip()
        code: str | None = None
        if not cell:
            problems.append(Problem(f"lege {source} (vul de {source}naam of {source}code in)", file=file,
                                    row=row, column=caseload.column_name(source)))
        else:
            code, why = index.resolve(cell, level=source)
            if code is None:
                problems.append(Problem(why or "onbekend", file=file, row=row,
                                        column=caseload.column_name(source)))
            elif source != level:
                code = index.parent(code)
        answers, answer_problems = read_answers({q: rec[q] for q in questions}, questionnaire, file=file,
                                                row=row, columns=caseload.labels)
        problems += answer_problems
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
                         problems=_grouped(problems), file=file, hint=TEMPLATE_HINT)
    labels = {t.id: t.label for t in frameworks.types} | {NO_TYPE: NO_TYPE_LABEL}
    return Classified(rows=pd.DataFrame(out, columns=["wijk", "type", "style"]), type_labels=labels,
                      level=level)


def _grouped(problems: list[Problem]) -> list[Problem]:
    """One problem per column and message, naming its rows: 500 rows with the same mistake are one line."""
    groups: dict[tuple[str | None, str], list[int]] = {}
    for p in problems:
        groups.setdefault((p.column, p.message), []).append(p.row or 0)
    out = []
    for (column, message), rows in groups.items():
        if len(rows) == 1:
            out.append(Problem(message, file=problems[0].file, row=rows[0] or None, column=column))
        else:
            out.append(Problem(f"{message} (rij {_rows(rows)})", file=problems[0].file, column=column))
    return out


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
    level: str = WIJK_COLUMN  # the districts are wijken or buurten
    gemeente: str | None = None

    def to_dict(self) -> dict[str, Any]:
        def table(df: pd.DataFrame, index_name: str) -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = jsonable(df.reset_index(names=index_name))
            return rows

        return {
            "n_clients": self.n_clients,
            "gemeente": self.gemeente,
            "level": self.level,
            "min_cell": self.min_cell,
            "types": table(self.types, "type"),
            "styles": table(self.styles, "style"),
            "districts": table(self.districts, self.level),
            "suppression": {k: {"primary": v.primary, "secondary": v.secondary}
                            for k, v in self.suppression.items()},
            "notes": self.notes,
        }


def summarise(classified: Classified, *, frameworks: Frameworks, min_cell: int,
              districts: pd.DataFrame | None = None) -> CaseloadResult:
    """Counts per type and per style and district, with primary and secondary suppression.

    ``districts`` (index: district code; columns ``name`` and indicators such as a_inw, p_hh_110) adds
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
                          min_cell=min_cell, notes=notes, level=classified.level)
