"""``TriageService``: the coach's aid as the core object, CLI and web app see it (``rt.triage``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pandas as pd

from roltrap.errors import ConfigError, NotAvailableError
from roltrap.triage import caseload as cl
from roltrap.triage.engine import TriageResult, suggest
from roltrap.triage.frameworks import Frameworks, load_frameworks
from roltrap.triage.questionnaire import (
    Answers,
    Questionnaire,
    json_schema,
    load_questionnaire,
    parse_answers,
)

if TYPE_CHECKING:
    from roltrap.core import Roltrap


class TriageService:
    """Suggest types and styles for anonymous answers; summarise an anonymous caseload per district.

    Suggestions need no store (``rt`` may be None); a caseload needs ``rt`` for the district list
    and figures.
    """

    def __init__(self, rt: Roltrap | None = None, *, frameworks: Frameworks | None = None,
                 questionnaire: Questionnaire | None = None) -> None:
        self.rt = rt
        self.questionnaire = questionnaire or load_questionnaire()
        if frameworks is None:
            # A custom questionnaire needs the rules re-checked against it; the default is cached.
            frameworks = load_frameworks(questionnaire=questionnaire) if questionnaire else load_frameworks()
        self.frameworks = frameworks

    def schema(self) -> dict[str, Any]:
        """JSON Schema of the answers: every question, its allowed codes and Dutch labels."""
        return json_schema(self.questionnaire)

    def types(self) -> list[dict[str, Any]]:
        """Every type of §6 with description, perspective, usual style and vindplaatsen."""
        fw = self.frameworks
        return [{"type": t.id, "label": t.label, "section": t.section, "row": t.row,
                 "description": t.description, "perspective": t.perspective, "style": t.style,
                 "vindplaatsen": [fw.vindplaats(v).label for v in t.vindplaatsen]} for t in fw.types]

    def overview(self) -> dict[str, Any]:
        """The frameworks as plain data (styles, history, principles) for pages and exports."""
        return self.frameworks.model_dump(mode="json", by_alias=True)

    def parse(self, answers: Mapping[str, Any] | Any, *, file: str | None = None) -> Answers:
        return parse_answers(answers, self.questionnaire, file=file)

    def suggest(self, answers: Mapping[str, Any] | Answers) -> TriageResult:
        """Ranked suggestions for one person's answers (codes or labels; see :meth:`schema`)."""
        parsed = answers if isinstance(answers, Answers) else self.parse(answers)
        return suggest(parsed, frameworks=self.frameworks, questionnaire=self.questionnaire)

    def caseload(self, source: Path | str | bytes | IO[bytes] | pd.DataFrame, *,
                 year: int | None = None) -> cl.CaseloadResult:
        """Types and styles per district of an anonymous caseload, joined to district figures.

        The file is screened for identifying data before anything else happens (PrivacyError).
        """
        if self.rt is None:
            raise ConfigError("Voor een caseload is de database met wijkgegevens nodig.",
                              hint="Gebruik `Roltrap().triage.caseload(...)`.")
        df, name = cl.read_caseload(source)
        cl.check_privacy(df, questionnaire=self.questionnaire, file=name)
        gemeente = self.rt.settings.gemeente
        regions = self.rt.children(gemeente, level="wijk")
        if regions.empty:
            raise NotAvailableError(f"Geen wijken van {gemeente} in de database.",
                                    hint="Laad wijkgegevens met `roltrap import`.")
        classified = cl.classify(df, questionnaire=self.questionnaire, frameworks=self.frameworks,
                                 wijk_codes=cl.district_lookup(regions), file=name)
        districts = self._district_figures(gemeente, year=year, regions=regions)
        return cl.summarise(classified, frameworks=self.frameworks, min_cell=self.rt.settings.min_cell,
                            districts=districts)

    def _district_figures(self, gemeente: str, *, year: int | None, regions: pd.DataFrame) -> pd.DataFrame:
        """Name plus, per indicator, its value in ``year`` or else its latest year with district values."""
        assert self.rt is not None
        long = self.rt.observations(indicators=list(cl.DISTRICT_INDICATORS), level="wijk", gemeente=gemeente)
        long = long.dropna(subset=["value"])
        out = regions.set_index("code")[["name"]].copy()
        for ind in cl.DISTRICT_INDICATORS:
            held = long[long["indicator_id"] == ind]
            ind_year = year if year is not None else (int(held["year"].max()) if not held.empty else None)
            values = held[held["year"] == ind_year].set_index("region_code")["value"]
            out[ind] = values.reindex(out.index).astype("Float64")
            out[f"{ind}_jaar"] = ind_year
        return out
