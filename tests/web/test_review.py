"""First-user review fixes: whole persons on screen, short tables with Dutch headers, fresh caches."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from web_html import Page

from roltrap.core import Roltrap
from roltrap.report.profile import PERSON_COLUMNS, SECTION_LAYOUT, section_tables
from roltrap.store import Batch
from roltrap.web.app import create_app

SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


def _page(client: TestClient, path: str) -> Page:
    r = client.get(path)
    assert r.status_code == 200, r.text[:300]
    return Page(r.text)


def test_three_lenses_show_whole_persons_json_keeps_decimals(client: TestClient) -> None:
    body = client.get("/gemeente/GM0546.json?year=2021").json()
    leiden = next(r for r in body["vulnerable"]["rows"] if r["code"] == "GM0546")
    assert leiden["inkomen_110"] == pytest.approx(13846.8618)  # full precision in JSON
    page = _page(client, "/gemeente/GM0546?year=2021")
    cells = [c for t in page.tables for r in t for c in r]
    assert "13.847" in cells  # the same figure, whole, in the detail table
    assert "13.846,9" not in cells
    assert "15.562" in cells and "15.562,4" not in cells  # the central estimate


def test_monitor_tables_are_short_and_dutch(client: TestClient) -> None:
    for path in ("/gemeente/GM0546?year=2021", "/wijk/WK054608?year=2021"):
        page = _page(client, path)
        for table in page.tables:
            header = table[0] if table else []
            assert len(header) <= 7, header  # at most a name and six figures per table
            for cell in header:
                assert not SNAKE.match(cell), f"snake_case header {cell!r} on {path}"


def test_layout_keeps_every_column_and_splits_detail() -> None:
    present = ["inwoners", "opleiding", "bereik_min", "centraal", "bereik_max", "pct_centraal", "nieuw"]
    tables = section_tables("vulnerable", present)
    keys = [c["key"] for t in tables for c in t["columns"] if c["key"] != "name"]
    assert sorted(keys) == sorted(present)  # nothing dropped, nothing doubled
    assert [c["key"] for c in tables[0]["columns"]] == ["name", "inwoners", "bereik_min", "centraal",
                                                         "bereik_max", "pct_centraal"]
    assert all(c["decimals"] == 0 for t in tables for c in t["columns"] if c["key"] in PERSON_COLUMNS)
    assert tables[-1]["columns"][-1]["label"] == "Nieuw"  # unknown ids still read as words
    assert set(SECTION_LAYOUT) >= {"turnover", "classify", "vulnerable", "rank", "compare", "conditions"}


def test_lens_names_capitalised(client: TestClient) -> None:
    body = client.get("/gemeente/GM0546.json?year=2021").json()
    values = [v for layer in body["vulnerable_chart"]["layer"] if "data" in layer
              for v in layer["data"].get("values", [])] or \
        [v for ds in body["vulnerable_chart"].get("datasets", {}).values() for v in ds]
    lenses = {v["lens"] for v in values if "lens" in v}
    assert lenses == {"Opleiding", "Voorzieningen", "Inkomen"}


def test_wijk_rank_row_is_highlighted_and_explained(client: TestClient) -> None:
    r = client.get("/wijk/WK054608?year=2021")
    assert r.status_code == 200
    assert re.search(r'<tr class="focus">\s*<th scope="row"><a href="/wijk/WK054608">', r.text)
    page = Page(r.text)
    rank_table = next(t for t in page.tables if t and t[0][:2] == ["Regio", "Rang (1 = zwakste)"])
    assert [row[1] for row in rank_table[1:]] == [str(i) for i in range(1, 11)]


def test_cache_follows_an_import(bundled_db: Path, tmp_path: Path) -> None:
    import shutil

    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, db)
    rt = Roltrap(db)
    try:
        with TestClient(create_app(rt)) as client:
            before = client.get("/gemeente/GM0546.json?year=2021").json()
            assert before["inhabitants"]["value"] == 124093
            rt.store.apply(Batch(
                source={"id": "test-correctie", "title": "Correctie", "publisher": "test", "licence": "CC0",
                        "estimate": False, "rows_loaded": 1},
                observations=pd.DataFrame([{"region_code": "GM0546", "year": 2021, "indicator_id": "a_inw",
                                            "value": 125000.0}])))
            after = client.get("/gemeente/GM0546.json?year=2021").json()
            assert after["inhabitants"]["value"] == 125000
            titles = [s["title"] for s in client.get("/bronnen.json").json()["sources"]]
            assert "Correctie" in titles
    finally:
        rt.close()


def test_printed_profile_shows_whole_persons_and_numbered_sources(rt_ro: Roltrap) -> None:
    from roltrap.report.profile import district_profile
    from roltrap.report.render import profile_html

    html = profile_html(district_profile(rt_ro, "WK054608", year=2021))
    cells = [c for t in Page(html).tables for r in t for c in r]
    assert "1.605" in cells and "1.604,8" not in cells  # central estimate of the three lenses
    assert "1.433" in cells and "1.432,9" not in cells  # income lens, 110 %
    assert "[1]" in cells  # sources as short references under the key figures table
    assert "Onderdelen als z-score" not in html  # the print keeps the ranking short
