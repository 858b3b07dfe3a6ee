"""Answers → ranked suggestions. Pure and deterministic: no files, no clock, no randomness.

A type fits when its rule (``all``/``any``/``none`` in frameworks.yaml) holds; its score is the
number of conditions that held, and those conditions are its reasons. Ties keep the file's order.
The style (Van der Lans, §19) of each suggestion is the most intensive of: the type's usual style,
the person's style (the matrix column whose situation signals match most answers) and the style
of any signpost raised (acute or piled-up problems point to activeren).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from roltrap.triage.frameworks import Condition, Frameworks, Match, Style
from roltrap.triage.questionnaire import Answers, Questionnaire


@dataclass(frozen=True)
class Reason:
    """One answer that made a rule hold."""

    question: str
    question_label: str
    answers: tuple[str, ...]
    answer_labels: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"{self.question_label}: {', '.join(self.answer_labels)}"


@dataclass(frozen=True)
class StyleAdvice:
    id: str
    label: str
    section: str
    relation: str
    problem_intensity: str
    work_forms: tuple[str, ...]
    attitude: str
    identity: str
    availability: str
    contact_level: str
    contact_places: tuple[str, ...]
    buzz_role: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    rank: int
    type: str
    label: str
    section: str
    row: str
    description: str
    perspective: str
    score: int
    reasons: tuple[Reason, ...]
    style: StyleAdvice
    vindplaatsen: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class SignpostResult:
    id: str
    label: str
    section: str
    text: str
    style: str | None
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class TriageResult:
    frameworks_version: str
    questionnaire_version: str
    disclaimer: str
    suggestions: tuple[Suggestion, ...]
    signposts: tuple[SignpostResult, ...]
    no_match: str | None
    person_style: StyleAdvice | None
    answers: dict[str, Any] = field(default_factory=dict)

    @property
    def outside_buzz(self) -> bool:
        """True when a signpost points away from development work (activeren / hulpverlening)."""
        return bool(self.signposts)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for s, src in zip(out["suggestions"], self.suggestions, strict=True):
            s["reasons"] = [_reason_dict(r) for r in src.reasons]
        for s, sp in zip(out["signposts"], self.signposts, strict=True):
            s["reasons"] = [_reason_dict(r) for r in sp.reasons]
        out["outside_buzz"] = self.outside_buzz
        return _lists(out)


def _reason_dict(r: Reason) -> dict[str, Any]:
    return {"question": r.question, "question_label": r.question_label, "answers": list(r.answers),
            "answer_labels": list(r.answer_labels), "text": r.text}


def _lists(value: Any) -> Any:
    """Tuples → lists all the way down, so the dict is plain JSON."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    return value


def _holds(cond: Condition, answers: Answers, questionnaire: Questionnaire) -> Reason | None:
    hit = tuple(v for v in answers.given(cond.question) if v in cond.values)
    if not hit:
        return None
    q = questionnaire.question(cond.question)
    return Reason(question=q.id, question_label=q.label, answers=hit,
                  answer_labels=tuple(q.option_label(v) for v in hit))


def evaluate(match: Match, answers: Answers, questionnaire: Questionnaire) -> tuple[Reason, ...] | None:
    """The reasons a rule holds (all + matching any conditions), or None when it does not hold.

    Unanswered and declined questions never hold, so they cannot exclude a type via ``none`` either.
    """
    reasons: list[Reason] = []
    for cond in match.all:
        r = _holds(cond, answers, questionnaire)
        if r is None:
            return None
        reasons.append(r)
    any_hits = [r for c in match.any if (r := _holds(c, answers, questionnaire)) is not None]
    if len(any_hits) < match.required_any:
        return None
    if any(_holds(c, answers, questionnaire) is not None for c in match.none):
        return None
    return tuple(reasons + any_hits)


def _advice(style: Style, reasons: list[str]) -> StyleAdvice:
    return StyleAdvice(id=style.id, label=style.label, section=style.section, relation=style.relation,
                       problem_intensity=style.problem_intensity, work_forms=style.work_forms,
                       attitude=style.attitude, identity=style.identity, availability=style.availability,
                       contact_level=style.contact_level, contact_places=style.contact_places,
                       buzz_role=style.buzz_role, reasons=tuple(reasons))


def person_style(answers: Answers, *, frameworks: Frameworks,
                 questionnaire: Questionnaire) -> tuple[Style, tuple[Reason, ...]] | None:
    """The matrix column whose situation signals most answers match (ties → more intensive)."""
    best: tuple[int, int, Style, tuple[Reason, ...]] | None = None
    for style in frameworks.styles:
        hits = tuple(r for c in style.signals if (r := _holds(c, answers, questionnaire)) is not None)
        if not hits:
            continue
        key = (len(hits), style.intensity)
        if best is None or key > best[:2]:
            best = (*key, style, hits)
    return None if best is None else (best[2], best[3])


def suggest(answers: Answers, *, frameworks: Frameworks, questionnaire: Questionnaire) -> TriageResult:
    """Ranked type suggestions, signposts and styles for one person's anonymous answers."""
    signposts = []
    for sp in frameworks.signposts:
        reasons = evaluate(sp.match, answers, questionnaire)
        if reasons is not None:
            signposts.append(SignpostResult(id=sp.id, label=sp.label, section=sp.section, text=sp.text,
                                            style=sp.style, reasons=reasons))

    personal = person_style(answers, frameworks=frameworks, questionnaire=questionnaire)
    personal_advice = None
    if personal is not None:
        pstyle, preasons = personal
        personal_advice = _advice(pstyle, [f"Situatie past bij {pstyle.label.lower()} ({pstyle.section}): "
                                           f"{r.text}" for r in preasons])

    fits: list[tuple[int, int, Any, tuple[Reason, ...]]] = []
    for order, t in enumerate(frameworks.types):
        reasons = evaluate(t.match, answers, questionnaire)
        if reasons is not None:
            fits.append((-len(reasons), order, t, reasons))
    fits.sort(key=lambda f: (f[0], f[1]))

    suggestions = []
    for rank, (_, _, t, reasons) in enumerate(fits, start=1):
        style = frameworks.style(t.style)
        why = [f"Voor dit type ligt {style.label.lower()} voor de hand ({style.section})."]
        if personal is not None and personal[0].intensity > style.intensity:
            style = personal[0]
            why.append(f"De situatie van de persoon vraagt om {style.label.lower()}.")
            why += [f"Signaal: {r.text}" for r in personal[1]]
        for raised in signposts:
            if raised.style is not None and frameworks.style(raised.style).intensity > style.intensity:
                style = frameworks.style(raised.style)
                why.append(f"Wegwijzer '{raised.label}' wijst naar {style.label.lower()}.")
        vps = tuple({"id": v, "label": frameworks.vindplaats(v).label} for v in t.vindplaatsen)
        suggestions.append(Suggestion(rank=rank, type=t.id, label=t.label, section=t.section, row=t.row,
                                      description=t.description, perspective=t.perspective,
                                      score=len(reasons), reasons=reasons, style=_advice(style, why),
                                      vindplaatsen=vps))

    return TriageResult(
        frameworks_version=frameworks.version, questionnaire_version=questionnaire.version,
        disclaimer=frameworks.disclaimer, suggestions=tuple(suggestions), signposts=tuple(signposts),
        no_match=None if suggestions else frameworks.no_match, person_style=personal_advice,
        answers=answers.as_dict(questionnaire))
