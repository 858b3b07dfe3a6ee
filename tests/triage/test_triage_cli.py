"""`roltrap triage` through the real root app (CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from roltrap.cli.main import app

runner = CliRunner()


def test_schema_is_json_schema() -> None:
    res = runner.invoke(app, ["triage", "--schema"])
    assert res.exit_code == 0, res.output
    schema = json.loads(res.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "leeftijd" in schema["properties"]


def test_types_lists_every_type_with_perspective() -> None:
    res = runner.invoke(app, ["triage", "--types", "--format", "json"])
    assert res.exit_code == 0, res.output
    types = json.loads(res.stdout)
    assert len(types) == 22 and all(t["perspective"] for t in types)
    text = runner.invoke(app, ["triage", "--types"])
    assert "Kampers" in text.stdout


def test_answers_file_text_and_json(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"migratie": "statushouder", "opleiding": "hoog"}), encoding="utf-8")
    res = runner.invoke(app, ["triage", "--answers", str(path), "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["suggestions"][0]["type"] == "hooggeschoolde_statushouders"
    assert out["suggestions"][0]["style"]["id"] == "coachen"
    text = runner.invoke(app, ["triage", "--answers", str(path)])
    assert "Hooggeschoolde statushouders" in text.stdout and "geen diagnose" in text.stdout


def test_bad_answers_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"migratie": "mars",}', encoding="utf-8")
    res = runner.invoke(app, ["triage", "--answers", str(path)])
    assert res.exit_code == 2 and "geen geldige JSON" in res.stderr and "Traceback" not in res.output
    path.write_text('{"migratie": "mars"}', encoding="utf-8")
    res = runner.invoke(app, ["triage", "--answers", str(path)])
    assert res.exit_code == 2 and "kolom 'migratie'" in res.stderr


def test_interactive_prompts_can_be_skipped() -> None:
    # leeftijd: 4 (50 tot AOW); geslacht: skip; opleiding: "x" is rejected, then 0 (wil ik niet
    # zeggen); the rest skipped with Enter.
    from roltrap.triage.questionnaire import load_questionnaire

    n = len(load_questionnaire().questions)
    replies = ["4", "", "x", "0"] + [""] * (n - 3)
    res = runner.invoke(app, ["triage", "--format", "json"], input="\n".join(replies) + "\n")
    assert res.exit_code == 0, res.output
    start = res.stdout.index("{\n")
    out = json.loads(res.stdout[start:])
    assert out["answers"] == {"leeftijd": "50_66", "opleiding": "wil_ik_niet_zeggen"}
    # two answers match no type's rule: no suggestion, and the framework's "no match" advice instead
    assert out["suggestions"] == []
    assert out["no_match"].startswith("Geen passend type")


def test_caseload_and_privacy_refusal(tmp_path: Path, bundled_db: Path) -> None:
    import shutil

    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, db)
    csv = tmp_path / "caseload.csv"
    csv.write_text("wijk,gezondheid\n" + "WK054600,lvb\n" * 12 + "WK054601,lvb\n" * 11, encoding="utf-8")
    res = runner.invoke(app, ["--db", str(db), "triage", "--caseload", str(csv), "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["n_clients"] == 23
    assert out["types"][0] == {"type": "Lichte verstandelijke beperking", "WK054600": 12.0, "WK054601": 11.0,
                               "Totaal": 23.0}
    bad = tmp_path / "bad.csv"
    bad.write_text("wijk,bsn\nWK054600,111222333\n", encoding="utf-8")
    res = runner.invoke(app, ["--db", str(db), "triage", "--caseload", str(bad)])
    assert res.exit_code == 2 and "herkenbaar" in res.stderr and "111222333" not in res.output


def test_two_modes_at_once_are_refused(tmp_path: Path) -> None:
    res = runner.invoke(app, ["triage", "--schema", "--types"])
    assert res.exit_code == 2 and "Kies één van --schema, --types" in res.stderr
