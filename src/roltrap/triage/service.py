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
from roltrap.triage.upload import DEFAULT_LIMITS, Limits

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

    def caseload(self, source: Path | str | bytes | IO[bytes] | pd.DataFrame, *, gemeente: str | None = None,
                 level: str | None = None, year: int | None = None,
                 limits: Limits = DEFAULT_LIMITS) -> cl.CaseloadResult:
        """Types and styles per wijk or buurt of an anonymous caseload, joined to district figures.

        ``gemeente`` (code or name; default the configured one) is where the wijk and buurt names
        are looked up; ``level`` is ``"wijk"`` or ``"buurt"`` (default: buurt when the file has a
        buurt column). The file is screened for identifying data before anything else happens.
        """
        if self.rt is None:
            raise ConfigError("Voor een caseload is de database met wijkgegevens nodig.",
                              hint="Maak de coachhulp met een Roltrap-object: Roltrap().triage.")
        case = cl.read_caseload(source, questionnaire=self.questionnaire, limits=limits)
        gm = self._gemeente(gemeente)
        regions = self.rt.regions(gemeente=gm["code"])
        regions = regions[regions["level"].isin(cl.LEVELS)][["code", "name", "level", "parent",
                                                            "boundary_year"]]
        index = cl.RegionIndex(gemeente=gm["code"], gemeente_name=gm["name"], regions=regions,
                               elsewhere=self._municipality_of)
        lvl, source_col = cl.choose_level(case, level)
        for needed in {lvl, source_col}:
            if not (regions["level"] == needed).any():
                what = "wijken" if needed == cl.WIJK_COLUMN else "buurten"
                raise NotAvailableError(f"Er zijn geen {what} van {gm['name']} in de database.",
                                        hint=f"Laad eerst de {what} van {gm['name']} (een KWB-bestand met "
                                             f"{what}), of kies een ander niveau.")
        classified = cl.classify(case, questionnaire=self.questionnaire, frameworks=self.frameworks,
                                 index=index, level=lvl)
        districts = self._district_figures(regions[regions["level"] == lvl], year=year)
        res = cl.summarise(classified, frameworks=self.frameworks, min_cell=self.rt.settings.min_cell,
                           districts=districts)
        res.gemeente = str(gm["code"])
        return res

    def template(self, *, gemeente: str | None = None) -> bytes:
        """The caseload template (Excel) for a municipality: its wijk and buurt names as drop-downs."""
        from roltrap.triage.template import caseload_template

        if self.rt is None:
            regions = pd.DataFrame(columns=["code", "name", "level"])
            name = "uw gemeente"
            min_cell = 10
        else:
            gm = self._gemeente(gemeente)
            regions = self.rt.regions(gemeente=gm["code"])
            regions = regions[regions["level"].isin(cl.LEVELS)]
            name = str(gm["name"])
            min_cell = self.rt.settings.min_cell
        return caseload_template(self.questionnaire, gemeente_name=name, regions=regions, min_cell=min_cell)

    def _gemeente(self, gemeente: str | None) -> dict[str, Any]:
        """The municipality by code or name; the refusal repeats nothing and names no command."""
        from roltrap.errors import NotFoundError

        assert self.rt is not None
        try:
            gm = self.rt.region(gemeente or self.rt.settings.gemeente)
        except NotFoundError:
            raise NotFoundError("Deze gemeente staat niet in de database.", param="gemeente",
                                hint="Geef {gemeente} als naam (zoals Leiden) of als CBS-code (zoals "
                                     "GM0546).") from None
        if gm["level"] != "gemeente":
            raise ConfigError(f"{gm['name']} ({gm['code']}) is geen gemeente.", param="gemeente",
                              hint="Kies de gemeente waar de wijken en buurten van de caseload liggen.")
        return gm

    def _municipality_of(self, code: str) -> str | None:
        """Name of the municipality a known wijk or buurt code belongs to (for "not in Leiden")."""
        from roltrap.errors import NotFoundError
        from roltrap.io.codes import gemeente_of

        assert self.rt is not None
        gm = gemeente_of(code)
        if gm is None:
            return None
        try:
            self.rt.region(code)
            return str(self.rt.region(gm)["name"])
        except NotFoundError:
            return None

    def _district_figures(self, regions: pd.DataFrame, *, year: int | None) -> pd.DataFrame:
        """Name plus, per indicator, its value in ``year`` or else in the district's latest year with one."""
        assert self.rt is not None
        codes = [str(c) for c in regions["code"]]
        long = self.rt.observations(indicators=list(cl.DISTRICT_INDICATORS), codes=codes)
        long = long.dropna(subset=["value"])
        out = regions.set_index("code")[["name"]].copy()
        for ind in cl.DISTRICT_INDICATORS:
            held = long[long["indicator_id"] == ind]
            if year is not None:
                held = held[held["year"] == year]
            # Each district's own latest year: old and new district codes have figures in different years.
            latest = held.sort_values("year").drop_duplicates("region_code", keep="last")
            latest = latest.set_index("region_code")
            out[ind] = latest["value"].reindex(out.index).astype("Float64")
            out[f"{ind}_jaar"] = latest["year"].reindex(out.index).astype("Int64")
        return out
