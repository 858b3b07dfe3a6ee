"""The anonymous questionnaire: load it, export it as JSON Schema, and parse answers against it."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from roltrap.errors import InputError, Problem

DATA_DIR = Path(__file__).parent / "data"
QUESTIONNAIRE_PATH = DATA_DIR / "questionnaire.yaml"
# A multi-answer cell in a CSV lists its values separated by ";" or "|" (labels may contain commas).
MULTI_SEPARATORS = (";", "|")


def fold(text: object) -> str:
    """A matching key: accents dropped, case folded, only letters and digits ("Geïsoleerd" → "geisoleerd")."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in plain.casefold() if ch.isalnum())


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1)


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1)
    help: str | None = None
    aliases: tuple[str, ...] = ()  # other column headings a coach may use in a caseload ("Leeftijd")
    multiple: bool = False
    options: tuple[Option, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _unique_values(self) -> Question:
        values = [o.value for o in self.options]
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            raise ValueError(f"answer codes occur twice: {', '.join(dupes)}")
        keys = [k for o in self.options for k in {fold(o.value), fold(o.label)}]
        clashes = sorted({k for k in keys if keys.count(k) > 1})
        if clashes:
            raise ValueError(f"answers cannot be told apart once case and accents are ignored: "
                             f"{', '.join(clashes)}")
        return self

    def option_label(self, value: str) -> str:
        for opt in self.options:
            if opt.value == value:
                return opt.label
        return value

    def header_keys(self) -> set[str]:
        """Folded column headings that name this question: its id, label and aliases."""
        return {fold(t) for t in (self.id, self.label, *self.aliases)}


class Questionnaire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    decline: Option
    questions: tuple[Question, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Questionnaire:
        ids = [q.id for q in self.questions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"question ids occur twice: {', '.join(dupes)}")
        for q in self.questions:
            if any(o.value == self.decline.value for o in q.options):
                raise ValueError(f"question '{q.id}' lists the decline code '{self.decline.value}' itself")
        seen: dict[str, str] = {}
        for q in self.questions:
            for key in q.header_keys():
                if seen.setdefault(key, q.id) != q.id:
                    raise ValueError(f"questions '{seen[key]}' and '{q.id}' share the heading '{key}'")
        return self

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"Kan {path.name} niet lezen: {exc.strerror}.", file=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise InputError(f"{path.name} is geen geldige YAML.",
                         problems=[Problem(str(getattr(exc, "problem", exc)), file=str(path), row=row)],
                         file=path,
                         hint="Controleer inspringing en aanhalingstekens rond die regel.") from None


def _entry_name(raw: Any, loc: tuple[int | str, ...]) -> str:
    """`questions[3] (leeftijd).options[1]` from a pydantic location, naming entries by their id."""
    parts: list[str] = []
    node = raw
    for key in loc:
        if isinstance(key, int):
            ident = node[key].get("id") if isinstance(node, list) and key < len(node) and \
                isinstance(node[key], dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{key}]" + (f" ({ident})" if ident else "")]
        else:
            parts.append(str(key))
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            node = None
    return ".".join(parts)


def validation_problems(exc: ValidationError, raw: Any, path: Path) -> list[Problem]:
    return [Problem(err["msg"], file=str(path), column=_entry_name(raw, tuple(err["loc"])) or None)
            for err in exc.errors()]


def load_questionnaire(path: Path | None = None) -> Questionnaire:
    """Read and check a questionnaire file (default: the one shipped with roltrap)."""
    if path is None:
        return _default_questionnaire()
    return _load(path)


@lru_cache(maxsize=1)
def _default_questionnaire() -> Questionnaire:
    return _load(QUESTIONNAIRE_PATH)


def _load(path: Path) -> Questionnaire:
    raw = _read_yaml(path)
    try:
        return Questionnaire.model_validate(raw)
    except ValidationError as exc:
        raise InputError(f"{path.name} klopt niet.", problems=validation_problems(exc, raw, path),
                         file=path) from None


def json_schema(questionnaire: Questionnaire) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of an answers object: keys, allowed codes and Dutch labels."""
    decline = {"const": questionnaire.decline.value, "title": questionnaire.decline.label}
    props: dict[str, Any] = {}
    for q in questionnaire.questions:
        choices = [{"const": o.value, "title": o.label} for o in q.options] + [decline]
        prop: dict[str, Any] = {"title": q.label}
        if q.help:
            prop["description"] = q.help
        if q.multiple:
            prop["anyOf"] = [{"type": "array", "uniqueItems": True, "items": {"oneOf": choices}},
                             {"type": "null"}]
        else:
            prop["oneOf"] = [*choices, {"type": "null", "title": "Niet beantwoord"}]
        props[q.id] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Antwoorden voor de coachhulp",
        "description": "Alle vragen zijn optioneel en anoniem; laat een vraag weg of kies "
                       f"'{questionnaire.decline.value}'.",
        "type": "object",
        "additionalProperties": False,
        "properties": props,
        "x-version": questionnaire.version,
    }


@dataclass(frozen=True)
class Answers:
    """Parsed answers: question id → the chosen codes (empty when declined or unanswered)."""

    values: Mapping[str, tuple[str, ...]]
    declined: frozenset[str] = frozenset()

    def given(self, question_id: str) -> tuple[str, ...]:
        return self.values.get(question_id, ())

    def as_dict(self, questionnaire: Questionnaire) -> dict[str, str | list[str]]:
        """Back to the JSON shape (single → string, multiple → list); declined questions included."""
        out: dict[str, str | list[str]] = {}
        for q in questionnaire.questions:
            if q.id in self.declined:
                out[q.id] = [questionnaire.decline.value] if q.multiple else questionnaire.decline.value
            elif self.given(q.id):
                out[q.id] = list(self.given(q.id)) if q.multiple else self.given(q.id)[0]
        return out


def _lookup(q: Question, decline: Option, text: str) -> str | None:
    """The answer code for a code or a label, case-insensitive; None when it is neither."""
    key = fold(text)
    if not key:
        return None
    for opt in (*q.options, decline):
        if key in (fold(opt.value), fold(opt.label)):
            return opt.value
    return None


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN from a CSV cell
        return True
    return isinstance(value, str) and not value.strip()


def read_answers(raw: Mapping[str, Any], questionnaire: Questionnaire, *, file: str | None = None,
                 row: int | None = None, columns: Mapping[str, str] | None = None
                 ) -> tuple[Answers, list[Problem]]:
    """Parse one answers mapping; returns the answers kept and every problem found.

    No problem repeats what was given (an unknown key or answer may be something personal).
    ``columns`` (question id → how the column is named to the user, e.g. "C (Leeftijdsgroep)")
    switches the messages to a caseload's terms: answers named by their labels, not their codes.
    """
    problems: list[Problem] = []
    values: dict[str, tuple[str, ...]] = {}
    declined: set[str] = set()
    known = set(questionnaire.ids)
    decline = questionnaire.decline

    def problem(message: str, key: str) -> None:
        column = columns.get(key, key) if columns is not None else key
        problems.append(Problem(message, file=file, row=row, column=column))

    def answer_name(q: Question, code: str) -> str:
        label = decline.label if code == decline.value else q.option_label(code)
        return f"'{label}'" if columns is not None else f"'{code}'"

    for position, (key, value) in enumerate(raw.items(), start=1):
        if not isinstance(key, str) or key not in known:
            problems.append(Problem(f"onbekende vraag (veld {position}); bekende vragen: "
                                    f"{', '.join(questionnaire.ids)}", file=file, row=row))
            continue
        q = questionnaire.question(key)
        if _is_blank(value):
            continue
        items: list[Any]
        if isinstance(value, (list, tuple)):
            items = list(value)
        elif isinstance(value, str) and q.multiple:
            items = list(_split(value))
        else:
            items = [value]
        if len(items) > 1 and not q.multiple:
            problem("deze vraag kent maar één antwoord", key)
            continue
        codes: list[str] = []
        unknown = 0
        for item in items:
            if _is_blank(item):
                continue
            code = _lookup(q, decline, str(item)) if isinstance(item, (str, int)) and \
                not isinstance(item, bool) else None
            if code is None:
                unknown += 1
            elif code not in codes:
                codes.append(code)
        if unknown:
            if columns is not None:
                allowed = "; ".join([o.label for o in q.options] + [decline.label])
            else:
                allowed = ", ".join([o.value for o in q.options] + [decline.value])
            problem(f"onbekend antwoord; kies uit {allowed}", key)
            continue
        if decline.value in codes:
            if len(codes) > 1:
                problem(f"{answer_name(q, decline.value)} kan niet samen met andere antwoorden", key)
            else:
                declined.add(key)
            continue
        if "geen" in codes and len(codes) > 1:
            problem(f"{answer_name(q, 'geen')} kan niet samen met andere antwoorden", key)
            continue
        if codes:
            values[key] = tuple(codes)
    return Answers(values=values, declined=frozenset(declined)), problems


def _split(text: str) -> list[str]:
    parts = [text]
    for sep in MULTI_SEPARATORS:
        parts = [p for chunk in parts for p in chunk.split(sep)]
    return [p.strip() for p in parts if p.strip()]


def parse_answers(raw: Mapping[str, Any] | Any, questionnaire: Questionnaire, *,
                  file: str | None = None) -> Answers:
    """Parse answers or raise :class:`InputError` listing every problem at once."""
    if not isinstance(raw, Mapping):
        raise InputError("De antwoorden moeten een JSON-object zijn ({\"vraag\": \"antwoord\", ...}).",
                         file=file, hint="Zie het JSON Schema van de vragenlijst voor de vragen en "
                                         "antwoorden.")
    answers, problems = read_answers(raw, questionnaire, file=file)
    if problems:
        raise InputError(f"{len(problems)} antwoord(en) kloppen niet.", problems=problems, file=file,
                         hint="Zie het JSON Schema van de vragenlijst voor de toegestane antwoorden.")
    return answers
