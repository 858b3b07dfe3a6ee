"""The frameworks file: complete against the syllabus, and checked with errors that name the entry."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from roltrap.errors import InputError
from roltrap.triage.frameworks import FRAMEWORKS_PATH, Frameworks, load_frameworks
from roltrap.triage.questionnaire import Questionnaire

# Every row of the §6 table, as the syllabus names it (some rows hold two groups).
SYLLABUS_ROWS = [
    "De echte vangnetter", "De oudere vangnetter", "Werkende armen", "Slachtoffers van eigen mispercepties",
    "Met werkloosheid bedreigden", "Schijnzelfstandigen", "Personen met een lichte verstandelijke beperking",
    "Personen met een ernstige verstandelijke beperking", "Beperkende neurologische aandoening",
    "(Ex-)ggz cliënten", "Schuldenproblematiek",
    "Eerste generatie migranten en blijvers uit tweede generatie",
    "Uitgebuite arbeidsmigranten", "Hooggeschoolde statushouders", "Laaggeschoolde statushouders",
    "Jeugddelinquenten", "Vrouwelijke school drop-outs en tienermoeders",
    "Levensincidenten (echtscheiding, onverwerkte rouw)", "Kampers",
]
SPLIT_ROWS = {"Eerste generatie migranten en blijvers uit tweede generatie",
              "Vrouwelijke school drop-outs en tienermoeders",
              "Levensincidenten (echtscheiding, onverwerkte rouw)"}


def test_every_typology_row_is_encoded_and_split_rows_twice(fw: Frameworks) -> None:
    rows = [t.row for t in fw.types]
    assert set(rows) == set(SYLLABUS_ROWS)
    for row in SYLLABUS_ROWS:
        assert rows.count(row) == (2 if row in SPLIT_ROWS else 1), row
    assert len(fw.types) == 22
    assert all(t.section == "§6" for t in fw.types)
    assert all(t.perspective and t.description for t in fw.types)


def test_van_der_lans_matrix_history_and_principles(fw: Frameworks) -> None:
    assert [s.id for s in fw.styles] == ["zelfsturen", "coachen", "activeren"]
    assert [s.intensity for s in fw.styles] == [1, 2, 3]
    for s in fw.styles:
        assert s.section == "§19"
        for cell in (s.relation, s.problem_intensity, s.attitude, s.identity, s.availability,
                     s.contact_level):
            assert cell.strip()
        assert s.situation_individual and s.situation_neighbourhood and s.work_forms and s.contact_places
    assert [p.relation for p in fw.history] == ["Er bovenop", "Er naast", "Er vandaan", "Er op af"]
    assert all(p.section == "§18" for p in fw.history)
    assert [p.id for p in fw.principles] == ["vindplaatsbenadering", "hengel", "ontwikkeling"]
    assert all(p.section == "§22" for p in fw.principles)
    assert fw.version


def test_texts_are_paraphrased_not_copied(fw: Frameworks) -> None:
    syllabus_phrases = ["Geen actie nodig", "Volledig beschutte werkplek in een sociale werkplaats",
                        "Re-integratieplannen maken in samenwerking met reclassering"]
    texts = " ".join(t.perspective for t in fw.types)
    for phrase in syllabus_phrases:
        assert phrase not in texts


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "frameworks.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_unknown_question_in_a_rule_names_the_entry(tmp_path: Path, q: Questionnaire) -> None:
    data = yaml.safe_load(FRAMEWORKS_PATH.read_text(encoding="utf-8"))
    kampers = next(t for t in data["types"] if t["id"] == "kampers")
    kampers["match"]["all"] = [{"question": "woning", "in": ["woonwagen"]}]
    with pytest.raises(InputError) as exc:
        load_frameworks(_write(tmp_path, data), questionnaire=q)
    assert "types (kampers).match.all[0]" in str(exc.value)
    assert "onbekende vraag 'woning'" in str(exc.value)


def test_unknown_answer_code_and_missing_field_are_both_reported(tmp_path: Path, q: Questionnaire) -> None:
    data = yaml.safe_load(FRAMEWORKS_PATH.read_text(encoding="utf-8"))
    data["types"][0]["match"]["all"][0]["in"] = ["eeuwig"]
    with pytest.raises(InputError, match="kent geen antwoord 'eeuwig'"):
        load_frameworks(_write(tmp_path, data), questionnaire=q)
    del data["types"][2]["perspective"]
    with pytest.raises(InputError) as exc:
        load_frameworks(_write(tmp_path, data), questionnaire=q)
    assert "types[2] (werkende_armen).perspective" in str(exc.value)


def test_a_rule_that_matches_everyone_is_refused(tmp_path: Path, q: Questionnaire) -> None:
    data = yaml.safe_load(FRAMEWORKS_PATH.read_text(encoding="utf-8"))
    data["types"][0]["match"] = {"any": [{"question": "leeftijd", "in": ["aow"]}], "min_any": 0}
    with pytest.raises(InputError, match="min_any must be at least 1"):
        load_frameworks(_write(tmp_path, data), questionnaire=q)


def test_broken_yaml_names_the_line(tmp_path: Path, q: Questionnaire) -> None:
    path = tmp_path / "frameworks.yaml"
    path.write_text("version: 1\ntypes:\n  - id: x\n    label: a: b\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_frameworks(path, questionnaire=q)
    assert "rij 4" in str(exc.value)
