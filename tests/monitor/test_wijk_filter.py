"""``wijk=`` / ``--wijk``: one district's row plus its city's row, checked by hand on the bundled store.

Merenwijkdistrict (WK054608), KWB 2021: a_inw 14190, a_hh 6230, a_opl_lg 2220, a_soz_wb 420, a_wmo_t 870,
a_jz_tn 735, p_hh_110 10.0, p_hh_120 12.4, g_hhgro 2.3, a_bedv 1195.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from roltrap.cli.main import app
from roltrap.core import Roltrap
from roltrap.errors import InputError

WIJK = "WK054608"


def test_vulnerable_one_district_by_hand(rt_ro: Roltrap) -> None:
    res = rt_ro.monitor.vulnerable(wijk=WIJK, year=2021)
    assert list(res.rows["code"]) == ["GM0546", WIJK]
    row = res.rows.set_index("code").loc[WIJK]
    assert row["opleiding"] == 2220
    assert row["voorzieningen_min"] == 870  # largest of 420, 870, 735 (full overlap)
    assert row["voorzieningen_max"] == 420 + 870 + 735  # no overlap
    assert row["inkomen_110"] == pytest.approx(0.100 * 6230 * 2.3)  # 1432.9
    assert row["inkomen_120"] == pytest.approx(0.124 * 6230 * 2.3)  # 1776.796
    # range over the three lens centres: 2220, (870 + 2025) / 2 = 1447.5, (1432.9 + 1776.796) / 2
    assert row["bereik_min"] == pytest.approx(1447.5)
    assert row["centraal"] == pytest.approx((1432.9 + 1776.796) / 2)
    assert row["bereik_max"] == 2220
    assert res.title.endswith("Merenwijkdistrict")
    assert res.extra["wijk"] == WIJK


def test_filtered_rows_equal_the_unfiltered_ones(rt_ro: Roltrap) -> None:
    full = rt_ro.monitor.vulnerable(year=2021).rows.set_index("code")
    one = rt_ro.monitor.vulnerable(year=2021, wijk=WIJK).rows.set_index("code")
    assert one.loc[WIJK, "centraal"] == full.loc[WIJK, "centraal"]
    assert one.loc["GM0546", "centraal"] == full.loc["GM0546", "centraal"]


def test_rank_conditions_turnover_classify(rt_ro: Roltrap) -> None:
    rank = rt_ro.monitor.rank(wijk=WIJK, year=2021)
    assert list(rank.rows["code"]) == [WIJK]  # the ranking has no city row
    assert int(rank.rows["rank"].iloc[0]) == 5
    assert rank.extra["n_wijken"] == 10
    assert "plaats 5 van 10 wijken" in rank.notes[-1]

    cond = rt_ro.monitor.conditions(wijk=WIJK, year=2021).rows.set_index("code")
    assert list(cond.index) == ["GM0546", WIJK]
    assert cond.loc[WIJK, "bedrijven_per_1000"] == pytest.approx(1000 * 1195 / 14190)  # 84.2

    turn = rt_ro.monitor.turnover(wijk=WIJK)
    assert set(turn.rows["code"]) == {"GM0546", WIJK}
    city = turn.rows.set_index("code").loc["GM0546"]
    assert city["vervangingssnelheid"] == pytest.approx(city["inwoners"] / city["vestigers_per_jaar"])

    cls = rt_ro.monitor.classify(wijk=WIJK, year=2021)
    assert list(cls.rows["code"]) == [WIJK]
    assert cls.rows["class"].iloc[0] == "wijk van bestemming"


def test_wijk_must_be_a_district_of_the_gemeente(rt_ro: Roltrap) -> None:
    with pytest.raises(InputError, match="geen wijk"):
        rt_ro.monitor.rank(wijk="GM0546")
    with pytest.raises(InputError, match="ligt niet in"):
        rt_ro.monitor.rank(wijk=WIJK, gemeente="GM0599")


@pytest.fixture
def cli_db(bundled_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "cli.duckdb"
    shutil.copy(bundled_db, db)
    return db


def test_cli_wijk_json_keeps_precision(cli_db: Path) -> None:
    res = CliRunner().invoke(app, ["--db", str(cli_db), "monitor", "vulnerable", "--wijk", WIJK, "--year",
                                   "2021", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = {r["code"]: r for r in json.loads(res.stdout)["rows"]}
    assert set(rows) == {"GM0546", WIJK}
    assert rows[WIJK]["inkomen_110"] == pytest.approx(1432.9)  # JSON keeps the decimals


@pytest.mark.parametrize("command", ["turnover", "classify", "vulnerable", "rank", "conditions"])
def test_cli_wijk_table_whole_persons(cli_db: Path, command: str) -> None:
    res = CliRunner().invoke(app, ["--db", str(cli_db), "monitor", command, "--wijk", WIJK],
                             env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    assert "Merenwijkdistrict" in res.stdout
    assert "Binnenstad-Zuid" not in res.stdout  # other districts are left out
    if command == "vulnerable":
        assert "1.433" in res.stdout and "1.432,9" not in res.stdout  # persons as whole numbers
        assert "1.448" in res.stdout and "1.447,5" not in res.stdout


def test_cli_wijk_wrong_code_is_a_clear_error(cli_db: Path) -> None:
    res = CliRunner().invoke(app, ["--db", str(cli_db), "monitor", "rank", "--wijk", "GM0546"])
    assert res.exit_code != 0
    assert "geen wijk" in res.output
    assert "Traceback" not in res.output
