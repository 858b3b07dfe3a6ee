"""The syllabus frameworks as data: typology (§6), Van der Lans (§18–§19), principles (§22).

Texts and matching rules live in ``data/frameworks.yaml`` so a reviewer can change them without code;
this module loads that file, checks its shape with pydantic and checks every rule against the
questionnaire, naming the entry at fault.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from roltrap.errors import InputError, Problem
from roltrap.triage.questionnaire import (
    DATA_DIR,
    Questionnaire,
    _read_yaml,
    load_questionnaire,
    validation_problems,
)

FRAMEWORKS_PATH = DATA_DIR / "frameworks.yaml"
StyleId = Literal["zelfsturen", "coachen", "activeren"]
_SECTION = r"^§\d+(, §\d+)*$"
_ID = r"^[a-z0-9_]+$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Condition(_Model):
    """One answer test: the answer to ``question`` is (or, for several answers, includes) one of ``in``."""

    question: str
    values: tuple[str, ...] = Field(alias="in", min_length=1)


class Match(_Model):
    all: tuple[Condition, ...] = ()
    any: tuple[Condition, ...] = ()
    none: tuple[Condition, ...] = ()
    min_any: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _sane(self) -> Match:
        if not self.all and not self.any:
            raise ValueError("a rule needs at least one condition under 'all' or 'any'")
        if self.min_any is not None and self.min_any > len(self.any):
            raise ValueError(f"min_any is {self.min_any} but 'any' lists only {len(self.any)} conditions")
        if not self.all and self.required_any == 0:
            raise ValueError("with no 'all' conditions, min_any must be at least 1 (else everyone matches)")
        return self

    @property
    def required_any(self) -> int:
        """How many ``any`` conditions must hold: ``min_any``, or 1 when there are any at all."""
        if self.min_any is not None:
            return self.min_any
        return 1 if self.any else 0


class Style(_Model):
    id: StyleId
    section: str = Field(pattern=_SECTION)
    label: str
    intensity: int = Field(ge=1)
    buzz_role: str
    relation: str
    situation_individual: tuple[str, ...]
    situation_neighbourhood: tuple[str, ...]
    problem_intensity: str
    work_forms: tuple[str, ...] = Field(min_length=1)
    attitude: str
    identity: str
    availability: str
    contact_level: str
    contact_places: tuple[str, ...] = Field(min_length=1)
    signals: tuple[Condition, ...] = ()


class Period(_Model):
    id: str = Field(pattern=_ID)
    section: str = Field(pattern=_SECTION)
    period: str
    era: str
    character: str
    relation: str
    summary: str


class Principle(_Model):
    id: str = Field(pattern=_ID)
    section: str = Field(pattern=_SECTION)
    label: str
    summary: str
    contrast: str


class Vindplaats(_Model):
    id: str = Field(pattern=_ID)
    section: str = Field(pattern=_SECTION)
    label: str


class Signpost(_Model):
    id: str = Field(pattern=_ID)
    section: str = Field(pattern=_SECTION)
    label: str
    text: str
    style: StyleId | None = None
    match: Match


class TypeEntry(_Model):
    id: str = Field(pattern=_ID)
    section: str = Field(pattern=_SECTION)
    row: str
    label: str
    description: str
    perspective: str
    style: StyleId
    vindplaatsen: tuple[str, ...] = Field(min_length=1)
    match: Match


class Frameworks(_Model):
    version: str = Field(min_length=1)
    source: str
    disclaimer: str
    no_match: str
    styles: tuple[Style, ...] = Field(min_length=3, max_length=3)
    history: tuple[Period, ...] = Field(min_length=1)
    principles: tuple[Principle, ...] = Field(min_length=1)
    vindplaatsen: tuple[Vindplaats, ...] = Field(min_length=1)
    signposts: tuple[Signpost, ...] = ()
    types: tuple[TypeEntry, ...] = Field(min_length=1)

    def style(self, style_id: str) -> Style:
        for s in self.styles:
            if s.id == style_id:
                return s
        raise KeyError(style_id)

    def type(self, type_id: str) -> TypeEntry:
        for t in self.types:
            if t.id == type_id:
                return t
        raise KeyError(type_id)

    def vindplaats(self, vp_id: str) -> Vindplaats:
        for v in self.vindplaatsen:
            if v.id == vp_id:
                return v
        raise KeyError(vp_id)


def check_against(fw: Frameworks, questionnaire: Questionnaire, *, file: str | None = None) -> list[Problem]:
    """Every reference in the frameworks that the questionnaire or the file itself does not define."""
    problems: list[Problem] = []

    def cond_problems(where: str, conds: tuple[Condition, ...]) -> None:
        for i, c in enumerate(conds):
            try:
                q = questionnaire.question(c.question)
            except KeyError:
                problems.append(Problem(f"onbekende vraag '{c.question}'", file=file, column=f"{where}[{i}]"))
                continue
            known = {o.value for o in q.options}
            for v in c.values:
                if v not in known:
                    problems.append(Problem(f"vraag '{q.id}' kent geen antwoord '{v}' (wel: "
                                            f"{', '.join(sorted(known))})", file=file,
                                            column=f"{where}[{i}]"))

    def match_problems(where: str, m: Match) -> None:
        for part in ("all", "any", "none"):
            cond_problems(f"{where}.match.{part}", getattr(m, part))

    for group in ("types", "signposts", "history", "principles", "vindplaatsen"):
        ids = [e.id for e in getattr(fw, group)]
        for dupe in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(Problem(f"id '{dupe}' komt twee keer voor", file=file, column=group))
    style_ids = [s.id for s in fw.styles]
    if sorted(style_ids) != sorted(["zelfsturen", "coachen", "activeren"]):
        problems.append(Problem("styles moet zelfsturen, coachen en activeren elk één keer bevatten",
                                file=file, column="styles"))
    if len({s.intensity for s in fw.styles}) != len(fw.styles):
        problems.append(Problem("elke stijl heeft een eigen intensity nodig", file=file, column="styles"))
    for s in fw.styles:
        cond_problems(f"styles ({s.id}).signals", s.signals)
    for sp in fw.signposts:
        match_problems(f"signposts ({sp.id})", sp.match)
    vp_ids = {v.id for v in fw.vindplaatsen}
    for t in fw.types:
        match_problems(f"types ({t.id})", t.match)
        for vp in t.vindplaatsen:
            if vp not in vp_ids:
                problems.append(Problem(f"onbekende vindplaats '{vp}' (wel: {', '.join(sorted(vp_ids))})",
                                        file=file, column=f"types ({t.id}).vindplaatsen"))
    return problems


def load_frameworks(path: Path | None = None, *, questionnaire: Questionnaire | None = None) -> Frameworks:
    """Read and check a frameworks file (default: the one shipped with roltrap)."""
    if path is None and questionnaire is None:
        return _default_frameworks()
    return _load(path or FRAMEWORKS_PATH, questionnaire or load_questionnaire())


@lru_cache(maxsize=1)
def _default_frameworks() -> Frameworks:
    return _load(FRAMEWORKS_PATH, load_questionnaire())


def _load(path: Path, questionnaire: Questionnaire) -> Frameworks:
    raw = _read_yaml(path)
    try:
        fw = Frameworks.model_validate(raw)
    except ValidationError as exc:
        raise InputError(f"{path.name} klopt niet.", problems=validation_problems(exc, raw, path),
                         file=path) from None
    problems = check_against(fw, questionnaire, file=str(path))
    if problems:
        raise InputError(f"{path.name} verwijst naar iets dat niet bestaat.", problems=problems, file=path,
                         hint="Gebruik de vraag- en antwoordcodes uit questionnaire.yaml.")
    return fw
