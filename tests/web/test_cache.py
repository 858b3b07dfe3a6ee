"""Pages cached per store version: ETag, conditional GET (304), and a new import shown at once."""

from __future__ import annotations

import pandas as pd
from fastapi.testclient import TestClient

from roltrap.core import Roltrap
from roltrap.store import Batch
from roltrap.web.app import create_app


def _correction(value: float) -> Batch:
    return Batch(source={"id": "test-correctie", "title": "Correctie", "publisher": "test", "licence": "CC0",
                         "estimate": False, "rows_loaded": 1},
                 observations=pd.DataFrame([{"region_code": "GM0546", "year": 2021, "indicator_id": "a_inw",
                                             "value": value}]))


def test_etag_and_conditional_get_follow_the_store(rt: Roltrap) -> None:
    with TestClient(create_app(rt)) as client:
        first = client.get("/gemeente/GM0546.json?year=2021")
        assert first.status_code == 200
        etag = first.headers["etag"]
        assert first.headers["cache-control"] == "no-cache"
        again = client.get("/gemeente/GM0546.json?year=2021")
        assert again.headers["etag"] == etag and again.content == first.content
        unchanged = client.get("/gemeente/GM0546.json?year=2021", headers={"If-None-Match": etag})
        assert unchanged.status_code == 304 and unchanged.content == b""
        # The HTML page is cached apart from its JSON twin (same path, other format).
        html = client.get("/gemeente/GM0546?year=2021", headers={"Accept": "text/html"})
        as_json = client.get("/gemeente/GM0546?year=2021", headers={"Accept": "application/json"})
        assert html.headers["content-type"].startswith("text/html")
        assert as_json.headers["content-type"].startswith("application/json")
        assert html.headers["etag"] != as_json.headers["etag"]

        rt.store.apply(_correction(125000.0))
        changed = client.get("/gemeente/GM0546.json?year=2021", headers={"If-None-Match": etag})
        assert changed.status_code == 200
        assert changed.json()["inhabitants"]["value"] == 125000
        assert changed.headers["etag"] != etag


def test_errors_are_not_cached(rt: Roltrap) -> None:
    with TestClient(create_app(rt)) as client:
        for _ in range(2):
            r = client.get("/wijk/WK999999.json")
            assert r.status_code == 404
            assert "etag" not in r.headers
