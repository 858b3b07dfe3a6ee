"""Every page in process: status, JSON figures, parsed HTML, errors as 4xx with a clear message."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from web_html import Page

from roltrap.core import Roltrap
from roltrap.web.app import create_app


def _json(client: TestClient, path: str) -> dict:
    r = client.get(path)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def _page(client: TestClient, path: str) -> Page:
    r = client.get(path)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    return Page(r.text)


def test_health(client: TestClient) -> None:
    body = _json(client, "/health")
    assert body["status"] == "ok"
    assert body["read_only"] is True


def test_stad_json_has_leiden_2021_inhabitants(client: TestClient) -> None:
    body = _json(client, "/gemeente/GM0546.json?year=2021")
    assert body["name"] == "Leiden"
    assert body["year"] == 2021
    assert body["inhabitants"]["value"] == 124093
    assert {w["code"] for w in body["wijken"]} == {f"WK0546{i:02d}" for i in range(10)}


def test_stad_html_shows_inhabitants_and_nav(client: TestClient) -> None:
    page = _page(client, "/gemeente/GM0546?year=2021")
    assert page.by_id["inwoners"] == "124.093"
    assert page.h1.strip() == "Leiden"
    for href in ("/", "/kaart", "/wijk", "/vergelijk", "/bronnen"):
        assert href in page.nav
    assert page.links[0] == "#inhoud"  # skip link comes first
    assert "inhoud" in page.by_id


def test_home_is_default_gemeente_and_accept_header_gives_json(client: TestClient) -> None:
    r = client.get("/", headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert r.json()["code"] == "GM0546"


def test_stad_triangulated_range_is_ordered(client: TestClient) -> None:
    body = _json(client, "/gemeente/GM0546.json?year=2021")
    vul = body["vulnerable"]
    assert vul["available"] is True
    tri = vul["extra"]["triangulatie"]
    assert tri["laag"] <= tri["centraal"] <= tri["hoog"]
    assert len(vul["extra"]["gemeente"]) == 3  # three lenses


def test_wijk_json_key_figures_against_city(client: TestClient) -> None:
    body = _json(client, "/wijk/WK054608.json?year=2021")
    assert body["name"] == "Merenwijkdistrict"
    assert body["parent"] == "GM0546"
    fig = {f["id"]: f for f in body["figures"]}
    assert fig["a_inw"]["value"] == 14190
    assert fig["a_inw"]["city_value"] == 124093
    assert fig["a_inw"]["year"] == 2021
    assert fig["a_inw"]["source"]
    assert fig["p_hh_110"]["value"] == pytest.approx(10.0)
    assert fig["p_hh_110"]["city_value"] == pytest.approx(11.3)


def test_wijk_html_has_pdf_link_and_sections(client: TestClient) -> None:
    page = _page(client, "/wijk/WK054608?year=2021")
    assert page.h1.strip() == "Merenwijkdistrict"
    assert "/wijk/WK054608.pdf?year=2021" in page.links
    specs = [s for s in page.scripts if s.get("class") == "vl-spec"]
    assert specs, "charts are embedded as Vega-Lite specs"
    for s in specs:
        spec = json.loads(s["text"])
        assert spec["description"]  # a text alternative for screen readers
    key_table = next(t for t in page.tables if t and t[0][:2] == ["Indicator", "Merenwijkdistrict"])
    row = next(r for r in key_table if r[0].startswith("Aantal inwoners"))
    assert row[1:4] == ["14.190", "124.093", "2021"]


def test_wijk_list_and_goto_redirect(client: TestClient) -> None:
    page = _page(client, "/wijk")
    assert "/wijk/WK054608" in page.links
    r = client.get("/wijk?code=WK054601", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/wijk/WK054601"


def test_kaart_syllabus_classes(client: TestClient) -> None:
    body = _json(client, "/kaart.json?indicator=p_hh_110&year=2021")
    assert body["scheme_used"] == "syllabus"
    rows = {r["code"]: r for r in body["rows"]}
    assert rows["WK054603"]["value"] == pytest.approx(15.7)
    assert rows["WK054603"]["class"] == "15 tot 20%"
    assert rows["WK054602"]["class"] == "< 10%"
    assert rows["WK054608"]["class"] == "10 tot 15%"  # 10.0 sits on a break: upper class
    counts = {e["label"]: e["count"] for e in body["legend"]}
    # the legend shows only classes with districts in them (issue 9: no empty classes)
    assert counts == {"< 10%": 4, "10 tot 15%": 5, "15 tot 20%": 1}
    assert all(r["url"] == f"/wijk/{r['code']}" for r in body["rows"])


def test_kaart_geojson_is_wgs84(client: TestClient) -> None:
    body = _json(client, "/kaart.json?indicator=p_hh_110")
    spec = body["spec"]
    data = spec["datasets"][spec["data"]["name"]]  # Altair hoists shared inline data
    feats = data["features"] if isinstance(data, dict) else data[0]["features"]
    assert len(feats) == 10
    lon, lat = feats[0]["geometry"]["coordinates"][0][0][:2] if feats[0]["geometry"]["type"] == "Polygon" \
        else feats[0]["geometry"]["coordinates"][0][0][0][:2]
    assert 4.3 < lon < 4.6 and 52.0 < lat < 52.3  # Leiden, not RD metres


def test_kaart_html_select_has_dutch_labels(client: TestClient) -> None:
    page = _page(client, "/kaart?indicator=a_inw")
    assert "Aantal inwoners" in page.h1
    assert "/wijk/WK054608" in page.links
    table = next(t for t in page.tables if t and t[0] == ["Wijk", "Waarde", "Klasse"])
    assert len(table) == 11


def test_kaart_counts_use_quantiles(client: TestClient) -> None:
    body = _json(client, "/kaart.json?indicator=a_inw")
    assert body["scheme_used"] == "quantile"
    # Asking for the syllabus's classes for a count is no error page: quantiles, and a note why.
    body = _json(client, "/kaart.json?indicator=a_inw&scheme=syllabus")
    assert body["scheme_used"] == "quantile"
    assert any("percentages" in n for n in body["notices"])


def test_vergelijk_side_by_side(client: TestClient) -> None:
    body = _json(client, "/vergelijk.json?codes=WK054603,WK054608,GM0546&year=2021")
    assert [r["code"] for r in body["regions"]] == ["WK054603", "WK054608", "GM0546"]
    inw = next(r for r in body["rows"] if r["id"] == "a_inw")
    assert inw["values"] == [15140, 14190, 124093]


def test_vergelijk_form_without_codes(client: TestClient) -> None:
    page = _page(client, "/vergelijk")
    assert page.h1.strip() == "Vergelijk"
    page = _page(client, "/vergelijk?c=WK054603&c=WK054608")
    assert any(t and "Leiden-Noord" in " ".join(t[0]) for t in page.tables)


def test_bronnen_lists_sources_with_licence(client: TestClient) -> None:
    body = _json(client, "/bronnen.json")
    assert body["sources"]
    assert all(s["licence"] for s in body["sources"])
    assert body["min_cell"] == 10
    page = _page(client, "/bronnen")
    assert len(page.tables[0]) == len(body["sources"]) + 1


@pytest.mark.parametrize(("path", "status", "words"), [
    ("/wijk/WK999999.json", 404, "WK999999"),
    ("/wijk/foo.json", 404, "foo"),
    ("/wijk/GM0546.json", 404, "geen wijk"),
    ("/gemeente/WK054608.json", 404, "geen gemeente"),
    ("/kaart.json?indicator=zzz", 422, "zzz"),
    ("/kaart.json?scheme=rainbow", 422, "indeling: moet een van deze zijn: 'auto', 'syllabus', 'quantile' "
                                        "of 'natural'"),
    ("/kaart.json?year=abc", 422, "jaar: moet een geheel getal zijn, niet 'abc'"),
    ("/wijk/WK054608.json?year=1800", 422, "jaar: moet minstens 1900 zijn, niet '1800'"),
    ("/wijk/WK054608.json?year=2005", 404, "2005"),
    ("/vergelijk.json?codes=WK054603", 422, "2 tot 4"),
    ("/vergelijk.json?codes=A,B,C,D,E", 422, "2 tot 4"),
    ("/vergelijk.json?codes=WK054603,WK054603", 422, "één keer"),
    ("/vergelijk.json", 422, "codes"),
    ("/bestaat-niet.json", 404, "bestaat niet"),
])
def test_bad_requests_are_4xx_with_message(client: TestClient, path: str, status: int, words: str) -> None:
    r = client.get(path)
    assert r.status_code == status, r.text[:300]
    err = r.json()["error"]
    assert err["status"] == status
    assert words.lower() in err["message"].lower()


def test_invalid_parameters_answer_in_dutch_per_field(client: TestClient) -> None:
    """pydantic's own (English) messages never reach a user: the 422 names the field the way the
    page does, in Dutch, and the JSON says which parameter it was."""
    r = client.get("/nabijheid.json?mode=auto&level=stad")
    assert r.status_code == 422
    err = r.json()["error"]
    assert set(err["fields"]) == {"mode", "level"}
    assert err["fields"]["mode"].startswith("Vervoer: ") and "niet 'auto'" in err["fields"]["mode"]
    assert err["message"].startswith("Ongeldige invoer: ")
    for english in ("Input should", "String should", "valid integer", "Field required"):
        assert english not in r.text
    page = client.get("/kaart?year=abc")  # an HTML page re-shows its form with the message beside it
    assert page.status_code == 422 and 'id="fout-year"' in page.text and "abc" in page.text


def test_bad_request_html_is_error_page(client: TestClient) -> None:
    r = client.get("/wijk/WK999999")
    assert r.status_code == 404
    page = Page(r.text)
    assert page.h1.strip() == "Niet gevonden"
    assert "WK999999" in r.text


def test_security_headers_and_no_cookies(client: TestClient) -> None:
    r = client.get("/kaart")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "set-cookie" not in r.headers


def test_static_vendor_files_are_served(client: TestClient) -> None:
    for name in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "LICENSE-vega"):
        r = client.get(f"/static/vendor/{name}")
        assert r.status_code == 200 and len(r.content) > 1000


def test_access_log_has_path_without_query(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("roltrap.web.access")
    logger.propagate = True
    try:
        with caplog.at_level(logging.INFO, logger="roltrap.web.access"):
            client.get("/kaart.json?indicator=p_hh_110")
    finally:
        logger.propagate = False
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "roltrap.web.access"]
    assert lines[-1]["path"] == "/kaart.json"
    assert lines[-1]["status"] == 200
    assert lines[-1]["method"] == "GET"
    assert "p_hh_110" not in caplog.text


def test_openapi_documents_json_routes_only(client: TestClient) -> None:
    paths = _json(client, "/openapi.json")["paths"]
    assert "/wijk/{code}.json" in paths and "/kaart.json" in paths and "/health" in paths
    assert "/wijk/{code}" not in paths and "/" not in paths


@pytest.mark.parametrize("path", ["/static/x%00.json", "/static/x%00", "/static/%00/roltrap.css",
                                  "/static/" + "a" * 300 + ".json", "/static/..%2f..%2fpyproject.toml",
                                  "/static/vendor/%ff%fe.js", "/static/roltrap.css%00.json"])
def test_odd_static_paths_are_404_without_traceback(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404, (path, r.status_code)
    assert "Traceback" not in r.text
    if path.endswith(".json"):
        assert r.json()["error"]["status"] == 404


# -- form errors beside their field, the user's choices kept ---------------------------------------
@pytest.fixture(scope="module")
def cohort_client(rt_ro: Roltrap, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("web-form") / "syn"
    rt_ro.cohort.synth(folder, scale=0.03, seed=3, years=(2005, 2012))
    settings = rt_ro.settings.model_copy(update={"cohort_input": folder})
    with TestClient(create_app(rt_ro, settings=settings)) as c:
        yield c


def test_roltrap_form_shows_each_error_beside_its_field(cohort_client: TestClient) -> None:
    r = cohort_client.get("/roltrap", params={"base_year": "abc", "age_min": "50", "age_max": "30",
                                              "follow": "7"})
    assert r.status_code == 422
    page = Page(r.text)
    assert page.h1.startswith("Roltrap")  # the page itself, not an error page
    assert 'id="fout-base_year"' in r.text and "Basisjaar: 'abc' is geen geheel getal" in r.text.replace(
        "&#39;", "'")
    assert 'id="fout-age_min"' in r.text and 'id="fout-age_max"' in r.text
    # What the user typed stays in the fields; a good field keeps its value.
    for name, value in (("base_year", "abc"), ("age_min", "50"), ("age_max", "30"), ("follow", "7")):
        assert re.search(rf'name="{name}"[^>]*value="{value}"', r.text), name
    assert 'aria-invalid="true" aria-describedby="fout-base_year"' in r.text
    assert 'id="roltrap-tabel"' in r.text  # the analysis with the defaults is still shown
    ok = cohort_client.get("/roltrap", params={"base_year": "2005", "age_min": "25", "age_max": "44",
                                               "follow": "7"})
    assert ok.status_code == 200 and "field-error" not in ok.text


def test_nabijheid_form_shows_each_error_beside_its_field(client: TestClient) -> None:
    r = client.get("/nabijheid", params={"soort": "kroeg", "mode": "auto", "level": "buurt"})
    assert r.status_code == 422
    text = r.text.replace("&#39;", "'")
    assert "Soort: 'kroeg' staat niet in de lijst" in text and "Vervoer: 'auto' bestaat niet" in text
    assert "Niveau: er zijn geen buurten van" in text  # Leiden has no buurten in the bundle
    assert 'id="nabijheid-tabel"' in text  # the default view is shown under the form
    for name in ("soort", "mode", "level"):
        assert f'aria-describedby="fout-{name}"' in text
