"""The /roltrap page and its JSON twin, in-process (TestClient), on a small synthetic Leiden."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from roltrap.core import Roltrap
from roltrap.settings import Settings
from roltrap.web import routes_cohort
from roltrap.web.app import create_app

PARAMS = {"base_year": 2005, "age_min": 25, "age_max": 44, "follow": 7}


@pytest.fixture(scope="module")
def client(rt_ro: Roltrap, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("web-cohort") / "syn"
    rt_ro.cohort.synth(folder, scale=0.03, seed=3, escalator=1.0, years=(2005, 2012))
    settings = rt_ro.settings.model_copy(update={"cohort_input": folder})
    with TestClient(create_app(rt_ro, settings=settings)) as c:
        yield c


def test_page_explains_marks_synthetic_and_shows_tables(client: TestClient) -> None:
    r = client.get("/roltrap", params=PARAMS)
    assert r.status_code == 200
    html = r.text
    assert "SYNTHETISCHE GEGEVENS" in html and "Slaaghwijk" in html and "40%" in html
    assert 'class="vl-spec" data-target="chart-retentie"' in html
    assert 'id="bestemmingen"' in html and 'id="roltrap-tabel"' in html
    assert "onderdrukt" in html  # a small synthetic city has suppressed cells, shown as such
    assert 'href="/roltrap"' in html  # the app's nav picked the router up


def test_json_twin_matches_page_and_hides_small_cells(client: TestClient) -> None:
    r = client.get("/roltrap.json", params=PARAMS)
    assert r.status_code == 200
    data = r.json()
    assert data["synthetic"] is True and data["demo"] is False
    assert data["parameters"]["end_year"] == 2012
    res = data["result"]
    assert data["suppressed"]["total"] == res["suppressed"]["total"] > 0
    html = client.get("/roltrap", params=PARAMS).text
    assert f'id="suppressed-total">{data["suppressed"]["total"]}<' in html
    for row in res["retention"] + res["destinations"]:
        for key in ("persons", "blijver", "andere_wijk", "andere_gemeente", "onbekend", "teruggekeerd"):
            v = row.get(key)
            assert v is None or v >= 10, (key, row)


def test_results_are_cached_per_parameter_set(client: TestClient) -> None:
    client.get("/roltrap.json", params=PARAMS)
    n = len(routes_cohort._results)
    client.get("/roltrap.json", params=PARAMS)
    assert len(routes_cohort._results) == n
    client.get("/roltrap.json", params={**PARAMS, "follow": 5})
    assert len(routes_cohort._results) == n + 1


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"follow": 0}, 422),
        ({"age_min": "veel"}, 422),
        ({"age_min": 50, "age_max": 30}, 400),
        ({"base_year": 2010, "follow": 7}, 404),  # input ends in 2012
    ],
)
def test_bad_params_are_4xx(client: TestClient, params: dict[str, object], status: int) -> None:
    r = client.get("/roltrap.json", params={**PARAMS, **params})
    assert r.status_code == status
    assert r.json()["error"]["message"]
    page = client.get("/roltrap", params={**PARAMS, **params}, headers={"accept": "text/html"})
    # The page re-shows its form with the message beside the field (422), also for a range that
    # is reversed; an input without the years asked stays 404.
    assert page.status_code == (422 if status == 400 else status)


def test_demo_is_generated_once_into_data_dir(rt_ro: Roltrap, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, db=rt_ro.settings.db_path)
    with TestClient(create_app(rt_ro, settings=settings)) as c:
        r = c.get("/roltrap.json", params={"base_year": 2010, "follow": 12})
    assert r.status_code == 200, r.text
    assert (tmp_path / "cohort-demo" / "SYNTHETIC").exists()
    assert r.json()["demo"] is True and r.json()["synthetic"] is True


def test_page_never_shows_nan_and_chart_has_a_colour_per_wijk(client: TestClient) -> None:
    html = client.get("/roltrap", params=PARAMS).text
    assert ">nan" not in html.lower() and "nan %" not in html.lower()  # suppressed cells read "onderdrukt"
    data = client.get("/roltrap.json", params=PARAMS).json()
    for row in data["wijken"]:
        assert row["retention_text"] == "onderdrukt" or row["retention_text"].endswith(" %")
    names = [f"Wijk met een lange naam {i}" for i in range(10)]
    curve = pd.DataFrame({"series": names, "year": 2006, "value": [float(i) for i in range(10)]})
    spec = routes_cohort._retention_chart(curve)
    colour = spec["encoding"]["color"]
    assert colour["scale"]["range"] == routes_cohort.LINE_COLOURS
    assert len(set(routes_cohort.LINE_COLOURS)) == 10
    assert colour["legend"]["labelLimit"] == 0  # full names, never cut to "Steve…"
