"""`roltrap regions`, `show`, `sources`, `indicators` on the bundled Leiden data."""

from __future__ import annotations

import json
from typing import Any

LEIDEN_WIJKEN = [f"WK0546{i:02d}" for i in range(10)]


def test_show_leiden_2021_json_matches_published_kwb(cli: Any) -> None:
    result = cli("show", "GM0546", "--year", "2021", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["code"], data["name"], data["level"], data["year"]) == ("GM0546", "Leiden", "gemeente", 2021)
    ind = data["indicators"]
    # Published CBS Kerncijfers wijken en buurten 2021, Leiden
    assert ind["a_inw"]["value"] == 124093
    assert ind["a_hh"]["value"] == 68077
    assert ind["a_opl_lg"]["value"] == 19340
    assert ind["p_hh_110"]["value"] == 11.3
    assert ind["a_soz_wb"]["value"] == 3270
    assert ind["a_inw"]["label"] and ind["a_inw"]["unit"]
    assert "CBS" in ind["a_inw"]["source"]


def test_missing_value_is_null_not_zero(cli: Any) -> None:
    # 2022 is CBS's first release: income and benefit columns are still empty for every region.
    result = cli("show", "GM0546", "--year", "2022", "--format", "json")
    assert result.exit_code == 0, result.output
    ind = json.loads(result.stdout)["indicators"]
    assert ind["a_inw"]["value"] is not None
    empty = [k for k, v in ind.items() if v["value"] is None]
    assert empty, "expected first-release gaps to show as null"
    assert all(ind[k]["value"] != 0 for k in empty)


def test_every_leiden_wijk_has_2021_figures(cli: Any) -> None:
    for code in LEIDEN_WIJKEN:
        result = cli("show", code, "--year", "2021", "--format", "json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["level"] == "wijk" and data["parent"] == "GM0546"
        assert data["indicators"]["a_inw"]["value"] > 1000
        assert data["indicators"]["p_hh_110"]["value"] is not None


def test_padded_and_numeric_codes_are_understood(cli: Any) -> None:
    for raw in ("WK054603  ", "54603", "wk054603"):
        result = cli("show", raw, "--year", "2021", "--format", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["code"] == "WK054603"


def test_regions_of_leiden(cli: Any) -> None:
    result = cli("regions", "--gemeente", "GM0546", "--level", "wijk", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["code"] for r in rows] == LEIDEN_WIJKEN
    assert all(r["parent"] == "GM0546" and 2021 in r["years"] for r in rows)
    names = {r["code"]: r["name"] for r in rows}
    assert names["WK054608"].startswith("Merenwijk")


def test_unknown_region_is_a_clear_error_without_traceback(cli: Any) -> None:
    result = cli("show", "GM9998")
    assert result.exit_code == 2
    assert "Onbekende regio" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_text_that_is_no_code_is_a_clear_error(cli: Any) -> None:
    result = cli("show", "Atlantis?")
    assert result.exit_code == 2
    assert "Onbekende regio" in result.stderr


def test_region_by_exact_name(cli: Any) -> None:
    result = cli("show", "Leiden", "--year", "2021", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["code"] == "GM0546"


def test_unknown_year_names_the_years_held(cli: Any) -> None:
    result = cli("show", "GM0546", "--year", "1850")
    assert result.exit_code == 2
    assert "2021" in result.stderr


def test_sources_carry_licence_and_attribution(cli: Any) -> None:
    result = cli("sources", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    cbs = [r for r in rows if r["publisher"].startswith("CBS")]
    assert cbs and all(r["licence"] == "CC BY 4.0" and "Bron: CBS" in r["attribution"] for r in cbs)
    assert any(r["estimate"] for r in rows), "the ELAN microdata series must be marked as estimates"


def test_indicator_catalogue_has_dutch_labels(cli: Any) -> None:
    result = cli("indicators", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert rows["p_hh_110"]["kind"] == "share"
    assert rows["p_hh_110"]["aggregation"] == "weighted_mean"
    assert rows["a_inw"]["aggregation"] == "sum"
    assert "inwoners" in rows["a_inw"]["label"].lower()


def test_import_help_lists_every_format() -> None:
    from roltrap.cli.main import IMPORT_FORMATS
    from roltrap.io.importer import FORMATS

    assert tuple(FORMATS) == IMPORT_FORMATS


def test_error_text_with_brackets_is_printed_verbatim(cli: Any) -> None:
    # User input is quoted in messages; Rich must not eat "[b]" as markup.
    result = cli("show", "[b]Nergens[/b]")
    assert result.exit_code == 2
    assert "[b]Nergens[/b]" in result.stderr
