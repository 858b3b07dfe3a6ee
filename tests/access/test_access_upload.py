"""Eigen vindplaatsen on the web: upload a list on the Nabijheid page, get the answers recomputed.

The app runs on a read-only store, as ``roltrap serve`` does: an upload is checked row by row and
used for the answer only; nothing is stored. The body is read in chunks with a byte cap.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from test_access_web import table

from roltrap.core import Roltrap
from roltrap.io.osm import to_wgs84
from roltrap.io.vindplaatsen import template_csv, template_xlsx
from roltrap.web.app import create_app
from roltrap.web.routes_access import MAX_PLACES_BYTES, _upload_name

OSM = "© OpenStreetMap-bijdragers (ODbL)"


@pytest.fixture(scope="module")
def ro(bundled_db: Path) -> Iterator[Roltrap]:
    rt = Roltrap(bundled_db, read_only=True)
    yield rt
    rt.close()


@pytest.fixture(scope="module")
def app(ro: Roltrap) -> FastAPI:
    return create_app(ro)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def merenwijk_point(rt: Roltrap) -> tuple[float, float]:
    """A point inside the Merenwijk polygon (WGS84 lat, lon), on its streets."""
    geo = rt.geometries(gemeente="GM0546", level="wijk").set_index("code")
    pt = geo.loc["WK054608", "geometry"].representative_point()
    lon, lat = to_wgs84([pt.x], [pt.y])
    return float(lat[0]), float(lon[0])


def post(client: TestClient, body: bytes, name: str, path: str = "/nabijheid/vindplaatsen", **form: str):  # type: ignore[no-untyped-def]
    return client.post(path, files={"bestand": (name, body, "application/octet-stream")},
                       data={"gemeente": "GM0546", "level": "wijk", **form})


def test_a_new_station_cuts_the_minutes_where_it_stands_and_nowhere_adds(client: TestClient,
                                                                        ro: Roltrap) -> None:
    before = ro.access.answers(gemeente="GM0546", soort="treinstation").rows
    before = before[before["method"] == "netwerk"].set_index(["code", "mode"])["minutes"]
    lat, lon = merenwijk_point(ro)
    csv = f"naam;soort;breedtegraad;lengtegraad\nStation Merenwijk (plan);station;{lat:.6f};{lon:.6f}\n"
    r = post(client, csv.encode(), "plan.csv", path="/nabijheid/vindplaatsen.json")
    assert r.status_code == 200, r.text
    up = r.json()["upload"]
    assert up["stored"] is False and up["n_places"] == 1
    assert [k["id"] for k in up["kinds"]] == ["treinstation"]
    assert up["places"][0]["reachable"] and r.json()["attribution"] == OSM
    rows = {x["code"]: x for x in up["tables"][0]["rows"]}
    assert len(rows) == 10
    for code, x in rows.items():
        for mode in ("lopen", "fiets"):
            assert x[f"{mode}_minutes"] <= before[(code, mode)] + 1e-9  # a place added never lengthens a trip
    # Merenwijk gets a station among its streets: from 39 minutes' walk to well under 15.
    assert before[("WK054608", "lopen")] > 35 and rows["WK054608"]["lopen_minutes"] < 15
    assert rows["WK054608"]["lopen_share_15"] > 0.5
    # The store is as it was: the read-only app stored nothing, the answers without the list are unchanged.
    again = ro.access.answers(gemeente="GM0546", soort="treinstation").rows
    again = again[again["method"] == "netwerk"].set_index(["code", "mode"])["minutes"]
    assert again.equals(before)
    assert "Station Merenwijk (plan)" not in set(ro.access.places(gemeente="GM0546")["name"])


def test_template_in_excel_csv_and_geojson_gives_the_same_answers(client: TestClient) -> None:
    url = "/nabijheid/vindplaatsen.json"
    csv = post(client, template_csv(), "sjabloon.csv", path=url).json()["upload"]
    xlsx = post(client, template_xlsx(), "sjabloon.xlsx", path=url).json()["upload"]
    # The same two places as GeoJSON points (WGS84); the RD one converted with the projection's inverse.
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    assert wb.sheetnames == ["vindplaatsen", "soorten"]
    lon, lat = to_wgs84([93330.0], [463890.0])
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"naam": "Buurthuis De Kooi (voorbeeld)", "soort": "buurthuis"},
         "geometry": {"type": "Point", "coordinates": [4.4962, 52.1661]}},
        {"type": "Feature",
         "properties": {"naam": "Bibliotheek Nieuwstraat (voorbeeld)", "soort": "bibliotheek"},
         "geometry": {"type": "Point", "coordinates": [float(lon[0]), float(lat[0])]}}]}
    gj = post(client, json.dumps(geo).encode(), "lijst.geojson", path=url)
    assert gj.status_code == 200, gj.text
    for up in (xlsx, gj.json()["upload"]):
        kinds = [k["id"] for k in up["kinds"]]
        assert kinds == [k["id"] for k in csv["kinds"]] == ["buurthuis", "bibliotheek"]
        for a, b in zip(up["tables"], csv["tables"], strict=True):
            for x, y in zip(a["rows"], b["rows"], strict=True):
                assert x["lopen_minutes"] == pytest.approx(y["lopen_minutes"], abs=0.05)


def test_the_page_shows_the_answers_per_kind(client: TestClient) -> None:
    r = post(client, template_csv(), "mijn lijst.csv", mode="fiets")
    assert r.status_code == 200
    assert "Uitkomst voor mijn lijst.csv: 2 vindplaatsen" in r.text
    assert "Buurthuis: 1 eigen plaats(en), roltrap kende er nog geen." in r.text
    assert 'name="mode" value="fiets"' in r.text  # the user's choices stay
    html_rows = [r for r in table_by_class(r.text, "buurthuis") if r]
    assert html_rows[0] == ["Gebied", "Lopen", "≤ 15 min", "Fiets", "≤ 15 min"]
    assert len(html_rows) == 11 and all(row[1].endswith(" min") for row in html_rows[1:])
    assert OSM in r.text and "roltrap import" not in r.text  # nothing about the CLI on the web


def table_by_class(html: str, soort: str) -> list[list[str]]:
    marker = f'data-soort="{soort}"'
    start = html.index(marker)
    chunk = "<table " + html[start:html.index("</table>", start) + 8]
    return table(chunk.replace(marker, 'id="t"', 1), "t")


def test_bad_rows_name_row_and_column_and_store_nothing(client: TestClient, ro: Roltrap) -> None:
    before = ro.store.version_key()
    bad = (b"naam;soort;breedtegraad;lengtegraad\n"
           b"Buurthuis;kerk;52,16;4,49\n"
           b";school;4,49;52,16\n"
           b"Bieb;bibliotheek;abc;4,5\n")
    r = post(client, bad, "fout.csv", level="wijk")
    assert r.status_code == 422
    assert 'id="fout-bestand"' in r.text and 'aria-invalid="true"' in r.text
    assert "fout.csv: 3 rij(en) met fouten; er is niets opgeslagen." in r.text
    for line in ("Rij 2, kolom ‘soort’: onbekende soort", "Rij 3, kolom ‘naam’: naam ontbreekt",
                 "Rij 4, kolom ‘breedtegraad’: geen getal (ingevuld: ‘abc’)"):
        assert line in r.text
    assert r.text.index("Rij 2,") < r.text.index("Rij 3,") < r.text.index("Rij 4,")  # in file order
    j = post(client, bad, "fout.csv", path="/nabijheid/vindplaatsen.json")
    assert j.status_code == 422
    assert {(p["row"], p["column"]) for p in j.json()["error"]["problems"]} >= {(2, "soort"), (3, "naam"),
                                                                             (4, "breedtegraad")}
    assert ro.store.version_key() == before
    missing = post(client, b"naam;soort\nA;school\n", "kort.csv", path="/nabijheid/vindplaatsen.json")
    assert missing.status_code == 422 and "mist kolom" in missing.json()["error"]["message"]
    assert "roltrap access" not in missing.json()["error"]["hint"]


def test_no_file_empty_file_and_not_a_form(client: TestClient) -> None:
    r = client.post("/nabijheid/vindplaatsen", data={"gemeente": "GM0546"},
                    files={"x": ("a", b"", "text/plain")})
    assert r.status_code == 422 and "Kies een bestand met vindplaatsen" in r.text
    r = post(client, b"", "leeg.csv")
    assert r.status_code == 422 and "leeg" in r.text
    r = client.post("/nabijheid/vindplaatsen.json", content=b"naam;soort",
                    headers={"content-type": "text/csv"})
    assert r.status_code == 422 and "multipart" in r.json()["error"]["message"]
    r = post(client, b"\x00\x01PK garbage", "lijst.xlsx", path="/nabijheid/vindplaatsen.json")
    assert r.status_code == 422 and "Excel" in r.json()["error"]["message"]


def test_other_municipality_without_network_says_so(client: TestClient) -> None:
    r = client.post("/nabijheid/vindplaatsen.json", files={"bestand": ("l.csv", template_csv(), "text/csv")},
                    data={"gemeente": "GM0518"})
    assert r.status_code == 404
    msg = r.json()["error"]["message"]
    assert msg.startswith("Eigen vindplaatsen vragen een straatnetwerk; voor 's-Gravenhage is dat er niet")


def test_byte_cap_holds_on_the_bytes_read_chunked_or_not(client: TestClient) -> None:
    big = b"naam;soort;breedtegraad;lengtegraad\n" + b"x" * (MAX_PLACES_BYTES + 100_000)
    r = post(client, big, "groot.csv", path="/nabijheid/vindplaatsen.json")
    assert r.status_code == 422 and "te groot" in r.json()["error"]["message"]
    assert "Splits de lijst" in r.json()["error"]["hint"]
    boundary = "grens"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"bestand\"; filename=\"g.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode()
    sent = []

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must count what it reads
        yield head
        for _ in range(200):
            sent.append(1)
            yield b"y" * 65_536
        yield f"\r\n--{boundary}--\r\n".encode()

    r = client.post("/nabijheid/vindplaatsen.json", content=chunks(),
                    headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 422 and "te groot" in r.json()["error"]["message"]
    r = client.post("/nabijheid/vindplaatsen.json", content=b"",
                    headers={"content-type": f"multipart/form-data; boundary={boundary}",
                             "content-length": str(10 * MAX_PLACES_BYTES)})
    assert r.status_code == 422 and "te groot" in r.json()["error"]["message"]


@pytest.mark.parametrize(("given", "data", "expected"), [
    ("../../etc/passwd.csv", b"naam", "passwd.csv"),
    ("C:\\Users\\coach\\Mijn lijst.xlsx", b"PK\x03\x04", "Mijn lijst.xlsx"),
    ("lijst", b'{"type": "FeatureCollection"}', "lijst.geojson"),
    ("<script>.csv", b"naam", "script.csv"),
    (None, b"naam;soort", "vindplaatsen.csv"),
])
def test_upload_names_are_safe(given: str | None, data: bytes, expected: str) -> None:
    assert _upload_name(given, data) == expected
