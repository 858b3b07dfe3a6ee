"""The questionnaire: JSON Schema export and answer parsing."""

from __future__ import annotations

import jsonschema
import pytest

from roltrap.errors import InputError
from roltrap.triage.questionnaire import Questionnaire, json_schema, parse_answers

REQUIRED_TOPICS = {"leeftijd", "opleiding", "startkwalificatie", "werk", "uren", "inkomen", "schulden",
                   "gezondheid",
                   "migratie", "taalniveau", "justitie", "levensgebeurtenis", "wonen", "netwerk"}


def test_questionnaire_covers_the_brief(q: Questionnaire) -> None:
    assert set(q.ids) >= REQUIRED_TOPICS
    assert {o.value for o in q.question("opleiding").options} == {"laag", "middelbaar", "hoog"}
    assert {"lvb", "evb", "neurologisch", "ggz_verleden", "lichamelijk"} <= \
        {o.value for o in q.question("gezondheid").options}
    assert {"eerste_generatie", "tweede_generatie", "arbeidsmigrant", "statushouder"} <= \
        {o.value for o in q.question("migratie").options}
    assert {"echtscheiding", "rouw"} <= {o.value for o in q.question("levensgebeurtenis").options}
    assert {"zzp_platform", "zzp_overig", "oproep"} <= {o.value for o in q.question("werk").options}
    assert q.decline.label == "Wil ik niet zeggen"


def test_schema_is_valid_and_lists_codes_labels_and_decline(q: Questionnaire) -> None:
    schema = json_schema(q)
    jsonschema.Draft202012Validator.check_schema(schema)
    lft = schema["properties"]["leeftijd"]
    assert lft["title"] == "Leeftijdsgroep"
    consts = [c.get("const") for c in lft["oneOf"]]
    assert consts[:2] == ["onder_18", "18_26"]
    assert "wil_ik_niet_zeggen" in consts
    assert {"const": "laag", "title": "Laag"} in schema["properties"]["opleiding"]["oneOf"]
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"leeftijd": "27_49", "werk": ["geen_werk"], "netwerk": "wil_ik_niet_zeggen"})
    assert not validator.is_valid({"leeftijd": "veertig"})
    assert not validator.is_valid({"schoenmaat": "43"})
    assert not validator.is_valid({"werk": "geen_werk"})  # several answers → a list


def test_labels_are_accepted_and_answers_round_trip(q: Questionnaire) -> None:
    a = parse_answers({"opleiding": "Hoog", "werk": "Tijdelijk contract; Uitzendwerk", "netwerk": None,
                       "leeftijd": ""}, q)
    assert a.given("opleiding") == ("hoog",)
    assert a.given("werk") == ("tijdelijk", "uitzend")
    assert a.given("netwerk") == () and a.given("leeftijd") == ()
    assert a.as_dict(q) == {"opleiding": "hoog", "werk": ["tijdelijk", "uitzend"]}


def test_decline_is_kept_but_gives_no_answer(q: Questionnaire) -> None:
    a = parse_answers({"migratie": "wil_ik_niet_zeggen", "gezondheid": ["Wil ik niet zeggen"]}, q)
    assert a.given("migratie") == () and a.declined == {"migratie", "gezondheid"}
    assert a.as_dict(q) == {"gezondheid": ["wil_ik_niet_zeggen"], "migratie": "wil_ik_niet_zeggen"}


def test_every_problem_is_reported_at_once(q: Questionnaire) -> None:
    with pytest.raises(InputError) as exc:
        parse_answers({"schoenmaat": 43, "leeftijd": ["18_26", "27_49"], "opleiding": "universiteit",
                       "gezondheid": ["geen", "lvb"], "netwerk": ["sterk", "wil_ik_niet_zeggen"]}, q)
    problems = exc.value.problems
    # An unknown key is named by its position, never repeated (it may be anything a user typed).
    assert [p.column for p in problems] == [None, "leeftijd", "opleiding", "gezondheid", "netwerk"]
    assert "veld 1" in problems[0].message and "schoenmaat" not in str(exc.value)
    assert "universiteit" not in str(exc.value)
    assert "kies uit laag, middelbaar, hoog, wil_ik_niet_zeggen" in problems[2].message


def test_answers_must_be_an_object(q: Questionnaire) -> None:
    with pytest.raises(InputError, match="JSON-object"):
        parse_answers(["leeftijd"], q)
