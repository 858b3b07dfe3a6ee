"""``roltrap fetch kwb|nabijheid``: catalogue → table id per year, the municipality's rows, paging, cache,
Dutch errors; every answer comes from a recorded CBS on loopback (``_odata_server``), over real HTTP."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import _odata_server
import duckdb
import pytest
from _odata_server import RecordedOData
from typer.testing import CliRunner

from roltrap.cli.main import app
from roltrap.errors import NetworkError, NotFoundError
from roltrap.io.odata import SERIES, ODataClient, fetch_series, read_odata, resolve_table

cbs = _odata_server.cbs  # the fixture

UTRECHT = "substringof('GM0344',WijkenEnBuurten) or substringof('WK0344',WijkenEnBuurten) or " \
          "substringof('BU0344',WijkenEnBuurten)"


def _client(cbs: RecordedOData, tmp_path: Path) -> ODataClient:
    return ODataClient(cache_dir=tmp_path / "cache", base_url=cbs.url)


# -- the catalogue ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("series", "year", "table"), [
    ("kwb", 2021, "85039NED"), ("kwb", 2022, "85318NED"), ("kwb", 2023, "85618NED"),
    ("kwb", 2024, "85984NED"),
    ("nabijheid", 2021, "85231NED"), ("nabijheid", 2022, "85560NED"), ("nabijheid", 2023, "85830NED"),
    ("nabijheid", 2024, "86134NED"),
])
def test_catalogue_gives_the_table_of_each_year(cbs: RecordedOData, tmp_path: Path, series: str, year: int,
                                                table: str) -> None:
    t = resolve_table(SERIES[series], year=year, client=_client(cbs, tmp_path))
    assert (t.identifier, t.year) == (table, year)
    assert t.title.endswith(str(year)) and t.statline.endswith(f"/dataset/{table}/table")


def test_default_year_is_the_latest_the_catalogue_lists(cbs: RecordedOData, tmp_path: Path) -> None:
    client = _client(cbs, tmp_path)
    assert resolve_table(SERIES["kwb"], year=None, client=client).identifier == "86165NED"  # 2025
    assert resolve_table(SERIES["nabijheid"], year=None, client=client).identifier == "86270NED"
    # the catalogue was asked with a server-side title filter, once per series
    assert [q["$filter"] for p, q in cbs.requests if p == "/ODataCatalog/Tables"] == [
        "substringof('Kerncijfers wijken en buurten',Title)", "substringof('Nabijheid voorzieningen',Title)"]


def test_year_the_catalogue_lacks_names_the_years_it_has(cbs: RecordedOData, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError) as exc:
        resolve_table(SERIES["nabijheid"], year=2020, client=_client(cbs, tmp_path))
    assert exc.value.param == "year"
    assert "2019–2025" in exc.value.message and "2021" in str(exc.value.hint)
    # the yearless 2006-2016 table in the same answer is never taken for a year
    assert "80306" not in exc.value.message


# -- fetch into the store -----------------------------------------------------------------------------


def _store(bundled_db: Path, tmp_path: Path, *, drop: str) -> Path:
    """A copy of the bundled store without the rows ``drop`` (SQL condition) selects."""
    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, db)
    con = duckdb.connect(str(db))
    con.execute(f"DELETE FROM observations WHERE {drop}")
    con.close()
    return db


def _digest(db: Path) -> str:
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT region_code, year, indicator_id, value, source_id FROM observations "
                       "ORDER BY ALL").fetchall()
    regions = con.execute("SELECT code, name, level, parent FROM regions ORDER BY ALL").fetchall()
    sources = con.execute("SELECT id FROM sources ORDER BY ALL").fetchall()
    con.close()
    return hashlib.sha256(repr((rows, regions, sources)).encode()).hexdigest()


def _values(db: Path, sql: str) -> dict[tuple[str, str], float]:
    con = duckdb.connect(str(db), read_only=True)
    out = {(r, i): v for r, i, v in con.execute(sql).fetchall()}
    con.close()
    return out


def _run(db: Path, cbs_url: str, *args: str) -> object:
    return CliRunner().invoke(app, ["--db", str(db), "fetch", *args],
                              env={"ROLTRAP_CBS_ODATA_URL": cbs_url, "COLUMNS": "200"})


UTRECHT_2024 = "year = 2024 AND (region_code = 'GM0344' OR region_code LIKE 'WK0344%')"


def test_fetch_kwb_utrecht_2024_gemeente_and_wijken(cbs: RecordedOData, bundled_db: Path,
                                                     tmp_path: Path) -> None:
    db = _store(bundled_db, tmp_path, drop=UTRECHT_2024)
    res = _run(db, cbs.url, "kwb", "--gemeente", "GM0344", "--year", "2024",
               "--cache-dir", str(tmp_path / "c"))
    assert res.exit_code == 0, res.output
    assert "85984NED Kerncijfers wijken en buurten 2024, GM0344" in res.output
    vals = _values(db, f"SELECT region_code, indicator_id, value FROM observations WHERE {UTRECHT_2024}")
    # the real 2024 figures (kwb2024_gemeenten_wijken_basis.csv), from both pages
    assert vals[("GM0344", "a_inw")] == 374238 and vals[("GM0344", "a_vrouw")] == 191439
    assert vals[("WK034401", "a_inw")] == 29710  # first page
    assert vals[("WK034410", "a_woning")] == 18997 and vals[("WK034410", "a_wat_ha")] == 217  # second page
    assert vals[("WK034406", "bev_dich")] == 7785
    assert len({r for r, _ in vals}) == 11 and len(vals) == 11 * 8
    # paging: the second request is the first answer's odata.nextLink (host rewritten to loopback)
    data = [q for p, q in cbs.requests if p.endswith("/TypedDataSet")]
    assert data == [{"$format": "json", "$filter": UTRECHT},
                    {"$format": "json", "$filter": UTRECHT, "$skiptoken": "4305"}]
    assert "Waarden: 88 toegevoegd" in res.output and "11 regio's (0 nieuw)" in res.output


def test_second_fetch_is_answered_by_the_cache(cbs: RecordedOData, bundled_db: Path, tmp_path: Path) -> None:
    db = _store(bundled_db, tmp_path, drop=UTRECHT_2024)
    args = ("kwb", "-g", "GM0344", "--year", "2024", "--cache-dir", str(tmp_path / "c"))
    assert _run(db, cbs.url, *args).exit_code == 0
    made = len(cbs.requests)
    assert made == 6  # catalogue, TableInfos, DataProperties, WijkenEnBuurten, 2 pages
    before = _digest(db)
    cbs.stop()  # no CBS at all now
    res = _run(db, cbs.url, *args)
    assert res.exit_code == 0, res.output
    assert len(cbs.requests) == made and "uit de cache" in res.output
    assert "Waarden: 0 toegevoegd" in res.output and "88 al gelijk" in res.output
    assert _digest(db) == before  # the same figures again change nothing


def test_fetch_nabijheid_2021_down_to_buurten(cbs: RecordedOData, bundled_db: Path, tmp_path: Path) -> None:
    drop = "year = 2021 AND region_code LIKE '%1680%' AND indicator_id LIKE 'g\\_%' ESCAPE '\\'"
    db = _store(bundled_db, tmp_path, drop=drop)
    res = _run(db, cbs.url, "nabijheid", "--gemeente", "GM1680", "--year", "2021",
               "--cache-dir", str(tmp_path / "c"))
    assert res.exit_code == 0, res.output
    vals = _values(db, "SELECT region_code, indicator_id, value FROM observations WHERE year = 2021 "
                       "AND region_code LIKE '%1680%' AND source_id = 'cbs-85231ned'")
    # hand-read from the real export: gemeente, wijk and buurt level
    assert vals[("GM1680", "g_afs_hp")] == 2.5 and vals[("WK168000", "g_afs_hp")] == 0.9
    assert vals[("BU16800000", "g_afs_hp")] == 0.8 and vals[("BU16800109", "g_afs_hp")] == 3.6
    assert vals[("BU16800009", "g_3km_hp")] == 0.7 and vals[("GM1680", "g_afs_ze")] == 11.1
    assert vals[("GM1680", "g_50km_at")] == 26.9
    assert {r for r, _ in vals} == {"GM1680", "WK168000", "WK168001", "BU16800000", "BU16800009",
                                    "BU16800100", "BU16800109"}
    assert not [i for _, i in vals if i.startswith("u_")]  # every variable has a catalogue id
    assert len({i for _, i in vals}) == 89
    con = duckdb.connect(str(db), read_only=True)
    title = con.execute("SELECT title, licence FROM sources WHERE id = 'cbs-85231ned'").fetchone()
    con.close()
    assert title == ("Nabijheid voorzieningen; afstand locatie, wijk- en buurtcijfers 2021", "CC BY 4.0")


def test_dry_run_fetches_but_stores_nothing(cbs: RecordedOData, bundled_db: Path, tmp_path: Path) -> None:
    db = _store(bundled_db, tmp_path, drop=UTRECHT_2024)
    before = _digest(db)
    res = _run(db, cbs.url, "kwb", "-g", "GM0344", "--year", "2024", "--dry-run", "--json",
               "--cache-dir", str(tmp_path / "c"))
    assert res.exit_code == 0, res.output
    assert '"dry_run": true' in res.output
    assert _digest(db) == before


def test_library_fetch_reads_back(cbs: RecordedOData, tmp_path: Path) -> None:
    got = fetch_series("kwb", gemeente="344", year=2024, cache_dir=tmp_path, base_url=cbs.url)
    assert (got.table.identifier, got.gemeente, got.requests) == ("85984NED", "GM0344", 6)
    b = read_odata(got.path)
    names = dict(zip(b.regions["code"], b.regions["name"], strict=True))
    assert names["WK034409"] == "Wijk 09 Leidsche Rijn" and names["GM0344"] == "Utrecht"
    assert set(b.observations["year"]) == {2024}
    assert not list(tmp_path.rglob("*.tmp"))


# -- failures: Dutch messages, exit 2, the store as it was ------------------------------------------


def _fails(res: object, db: Path, before: str, *needles: str) -> None:
    out = res.output  # type: ignore[attr-defined]
    assert res.exit_code == 2, out  # type: ignore[attr-defined]
    assert "Traceback" not in out and "Fout:" in out
    for n in needles:
        assert n in out, (n, out)
    assert _digest(db) == before


def test_no_network_says_how_to_download_by_hand(bundled_db: Path, tmp_path: Path) -> None:
    db = _store(bundled_db, tmp_path, drop="false")
    before = _digest(db)
    closed = RecordedOData()  # bound, never started, then closed: the port refuses connections
    url = closed.url
    closed.httpd.server_close()
    res = _run(db, url, "nabijheid", "-g", "GM1680", "--year", "2021", "--cache-dir", str(tmp_path / "c"))
    _fails(res, db, before, "Geen verbinding met CBS", "opendata.cbs.nl/statline", "roltrap import")
    assert NetworkError.exit_code == 2


def test_http_500_is_a_dutch_error_and_leaves_nothing(cbs: RecordedOData, bundled_db: Path,
                                                       tmp_path: Path) -> None:
    db = _store(bundled_db, tmp_path, drop="false")
    before = _digest(db)
    cbs.fail["/ODataFeed/odata/85984NED/TypedDataSet"] = 500
    cache = tmp_path / "c"
    res = _run(db, cbs.url, "kwb", "-g", "GM0344", "--year", "2024", "--cache-dir", str(cache))
    _fails(res, db, before, "HTTP 500", "Probeer het later opnieuw", "85984NED")
    # the metadata answers are cached, the table itself is not assembled, no temporary file remains
    assert not (cache / "85984NED-GM0344.json").exists() and not list(cache.rglob("*.tmp"))
    del cbs.fail["/ODataFeed/odata/85984NED/TypedDataSet"]
    again = _run(db, cbs.url, "kwb", "-g", "GM0344", "--year", "2024", "--cache-dir", str(cache))
    assert again.exit_code == 0, again.output  # once CBS answers again, the fetch completes


def test_a_maintenance_page_instead_of_json(cbs: RecordedOData, bundled_db: Path, tmp_path: Path) -> None:
    db = _store(bundled_db, tmp_path, drop="false")
    before = _digest(db)
    cbs.body["/ODataFeed/odata/85231NED/TypedDataSet"] = b"<html><body>Onderhoud</body></html>"
    res = _run(db, cbs.url, "nabijheid", "-g", "GM1680", "--year", "2021", "--cache-dir", str(tmp_path / "c"))
    _fails(res, db, before, "Onverwacht antwoord van CBS", "geen OData-JSON", "85231NED")


def test_http_404_for_a_table_names_its_statline_page(cbs: RecordedOData, bundled_db: Path,
                                                       tmp_path: Path) -> None:
    db = _store(bundled_db, tmp_path, drop="false")
    before = _digest(db)
    # The catalogue lists KWB 2022 (85318NED), but this CBS has no answers for it: HTTP 404.
    res = _run(db, cbs.url, "kwb", "-g", "GM0344", "--year", "2022", "--cache-dir", str(tmp_path / "c"))
    _fails(res, db, before, "CBS kent tabel 85318NED", "/dataset/85318NED/table", "roltrap import")


def test_gemeente_without_rows_that_year(cbs: RecordedOData, bundled_db: Path, tmp_path: Path) -> None:
    db = _store(bundled_db, tmp_path, drop="false")
    before = _digest(db)
    res = _run(db, cbs.url, "nabijheid", "-g", "GM0003", "--year", "2021", "--cache-dir", str(tmp_path / "c"))
    _fails(res, db, before, "85231NED heeft geen rijen voor GM0003", "herindeling", "--gemeente")


def test_unknown_year_and_bad_gemeente(cbs: RecordedOData, bundled_db: Path, tmp_path: Path) -> None:
    db = _store(bundled_db, tmp_path, drop="false")
    before = _digest(db)
    res = _run(db, cbs.url, "kwb", "-g", "GM0344", "--year", "2031", "--cache-dir", str(tmp_path / "c"))
    _fails(res, db, before, "2015–2025", "--year")
    res = _run(db, cbs.url, "kwb", "-g", "Utrecht", "--cache-dir", str(tmp_path / "c"))
    _fails(res, db, before, "geen gemeentecode", "--gemeente")
    res = _run(db, cbs.url, "wijkcijfers", "-g", "GM0344", "--cache-dir", str(tmp_path / "c"))
    _fails(res, db, before, "tabelnummer")


def test_ctrl_c_exits_130_and_changes_nothing(cbs: RecordedOData, bundled_db: Path, tmp_path: Path) -> None:
    db = _store(bundled_db, tmp_path, drop=UTRECHT_2024)
    before = _digest(db)
    cache = tmp_path / "c"
    cbs.delay["/ODataFeed/odata/85984NED/TypedDataSet"] = 30
    env = {**os.environ, "ROLTRAP_CBS_ODATA_URL": cbs.url, "ROLTRAP_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen([sys.executable, "-m", "roltrap", "--db", str(db), "fetch", "kwb", "-g", "GM0344",
                             "--year", "2024", "--cache-dir", str(cache)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not any(p.endswith("/TypedDataSet") for p in cbs.paths()):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Afgebroken" in err and "Traceback" not in err
    assert _digest(db) == before
    assert not (cache / "85984NED-GM0344.json").exists() and not list(cache.rglob("*.tmp"))


def test_stale_catalogue_is_asked_again_and_kept_when_offline(cbs: RecordedOData, tmp_path: Path) -> None:
    client = _client(cbs, tmp_path)
    assert resolve_table(SERIES["kwb"], year=2023, client=client).identifier == "85618NED"
    resolve_table(SERIES["kwb"], year=2023, client=_client(cbs, tmp_path))
    assert len(cbs.requests) == 1  # a day-fresh catalogue answer comes from the cache
    (cached,) = (tmp_path / "cache" / "odata").glob("Tables-*.json")
    old = time.time() - 2 * 24 * 3600
    os.utime(cached, (old, old))
    resolve_table(SERIES["kwb"], year=2023, client=_client(cbs, tmp_path))
    assert len(cbs.requests) == 2  # older than a day: asked again (new tables appear a few times a year)
    os.utime(cached, (old, old))
    cbs.stop()
    t = resolve_table(SERIES["kwb"], year=2023, client=_client(cbs, tmp_path))
    assert t.identifier == "85618NED"  # no network: the old answer still serves


def test_unknown_variables_become_user_indicators_like_statline(tmp_path: Path) -> None:
    """A topic outside the catalogue is kept with its title, unit and kind, under the same id the
    StatLine CSV of the table gives it."""
    import json

    from roltrap.io.statline import read_statline

    rec = _odata_server.RECORDED / "85231NED"
    props = json.loads((rec / "DataProperties.json").read_text(encoding="utf-8"))["value"]
    rows = json.loads((rec / "TypedDataSet-GM1680.json").read_text(encoding="utf-8"))["value"]
    for p in props:  # CBS adds a variable the catalogue does not know
        if p.get("Key") == "AfstandTotZonnebank_109":
            p["Key"], p["Title"] = "AfstandTotKapsalon_109", "Afstand tot kapsalon"
    for r in rows:
        r["AfstandTotKapsalon_109"] = r.pop("AfstandTotZonnebank_109")
    doc = {"TableInfos": json.loads((rec / "TableInfos.json").read_text(encoding="utf-8"))["value"],
           "DataProperties": props, "TypedDataSet": rows}
    (tmp_path / "t.json").write_text(json.dumps(doc), encoding="utf-8")
    b = read_odata(tmp_path / "t.json")
    ind = b.indicators.set_index("id")
    user = [i for i in ind.index if i.startswith("u_")]
    assert len(user) == 1 and user[0].startswith("u_recreatie_afstand_tot_kapsalon_")  # + path digest
    assert ind.loc[user[0], ["label", "unit", "kind"]].tolist() == [
        "Vrije tijd en cultuur / Recreatie / Afstand tot kapsalon", "km", "distance"]
    obs = b.observations.set_index(["region_code", "indicator_id"])["value"]
    assert obs[("GM1680", user[0])] == 10.8  # the file's zonnebank figure, now under the new title
    # the StatLine CSV with that title gives the same id
    csv = (_odata_server.RECORDED / "Nabijheid_voorzieningen_2021_AaenHunze_getransponeerd.csv")
    text = csv.read_text(encoding="utf-8-sig").replace("Afstand tot zonnebank", "Afstand tot kapsalon")
    (tmp_path / "nabijheid_2021.csv").write_text(text, encoding="utf-8")
    assert user[0] in set(read_statline(tmp_path / "nabijheid_2021.csv").observations["indicator_id"])
