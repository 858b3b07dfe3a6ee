"""The /coach pages and JSON API, in process against the bundled store; HTML parsed, not string-matched."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient


class Page(HTMLParser):
    """Collects elements by tag with their attributes and text, enough to check a page's structure."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[dict[str, Any]] = []
        self._open: list[dict[str, Any]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(el)
        if tag not in ("input", "meta", "link", "br", "img"):
            self._open.append(el)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i]["tag"] == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        for el in self._open:
            el["text"] += data

    def find(self, tag: str, **attrs: str) -> list[dict[str, Any]]:
        return [e for e in self.elements if e["tag"] == tag
                and all(e["attrs"].get(k.rstrip("_")) == v for k, v in attrs.items())]


def test_form_has_one_fieldset_per_question_with_decline(client: TestClient) -> None:
    from roltrap.triage.questionnaire import load_questionnaire

    q = load_questionnaire()
    res = client.get("/coach")
    assert res.status_code == 200
    assert "set-cookie" not in res.headers and res.headers["cache-control"] == "no-store"
    page = Page(res.text)
    fieldsets = [f["attrs"]["id"] for f in page.find("fieldset")]
    assert fieldsets == [f"q-{qid}" for qid in q.ids]
    declines = page.find("input", name="netwerk", value="wil_ik_niet_zeggen")
    assert len(declines) == 1
    assert page.find("form", id="coach-form")[0]["attrs"]["method"] == "post"
    assert any(a["attrs"].get("href") == "/coach" for a in page.find("a")), "nav links to the coach page"


def test_form_post_shows_ranked_suggestions_with_reasons(client: TestClient) -> None:
    res = client.post("/coach", data={"leeftijd": "50_66", "inkomen": ["ww"], "werkloosheidsduur": "kort",
                                      "verwachtingen": "te_hoog", "netwerk": ""})
    assert res.status_code == 200 and "set-cookie" not in res.headers
    page = Page(res.text)
    items = page.find("li", class_="suggestion")
    assert [i["attrs"]["data-type"] for i in items] == ["oudere_vangnetter"]
    assert "Omdat:" in items[0]["text"] and "WW-uitkering" in items[0]["text"]
    assert "Coachen" in items[0]["text"]
    assert page.find("p", id="disclaimer")


def test_form_post_with_nothing_says_no_type(client: TestClient) -> None:
    page = Page(client.post("/coach", data={}).text)
    assert page.find("p", id="no-match")[0]["text"].strip().startswith("Geen passend type")


def test_form_post_with_a_forged_value_rerenders_the_form(client: TestClient) -> None:
    res = client.post("/coach", data={"leeftijd": "999"})
    assert res.status_code == 422
    page = Page(res.text)
    assert page.find("form", id="coach-form")
    assert "leeftijd" in page.find("p", class_="error-message")[0]["text"]


def test_json_api(client: TestClient) -> None:
    meta = client.get("/coach.json").json()
    assert len(meta["types"]) == 22 and [s["id"] for s in meta["styles"]] == ["zelfsturen", "coachen",
                                                                            "activeren"]
    res = client.post("/coach.json", json={"acuut": ["verslaving"], "gezondheid": ["lvb"]})
    body = res.json()
    assert res.status_code == 200 and body["outside_buzz"] is True
    assert body["signposts"][0]["id"] == "acute_problemen"
    assert body["suggestions"][0]["style"]["id"] == "activeren"
    bad = client.post("/coach.json", json={"schoenmaat": "43"})
    assert bad.status_code == 422 and "onbekende vraag (veld 1)" in bad.json()["error"]["message"]
    assert "schoenmaat" not in bad.text


def test_caseload_upload_page_and_privacy_refusal(client: TestClient) -> None:
    csv = ("wijk,gezondheid\n" + "WK054600,lvb\n" * 12 + "WK054601,lvb\n" * 3).encode()
    res = client.post("/coach/caseload", files={"bestand": ("c.csv", csv, "text/csv")})
    assert res.status_code == 200
    page = Page(res.text)
    cells = [td["text"].strip() for td in page.find("td")]
    # 3 is primary; 12 is then the only other cell of its row (total 15), so it is hidden too.
    assert cells[:3] == ["onderdrukt", "onderdrukt", "15"]
    assert "12" not in cells and "3" not in cells
    refused = client.post("/coach/caseload", files={"bestand": ("c.csv", b"wijk,naam\nWK054600,Piet\n",
                                                                "text/csv")})
    assert refused.status_code == 422
    assert "herkenbaar" in Page(refused.text).find("p", class_="error-message")[0]["text"]
    assert "Piet" not in refused.text


def test_caseload_json_takes_a_csv_body(client: TestClient) -> None:
    csv = "wijk,migratie,opleiding\n" + "Stevenshofdistrict,statushouder,hoog\n" * 10
    res = client.post("/coach/caseload.json", content=csv.encode(), headers={"content-type": "text/csv"})
    assert res.status_code == 200
    body = res.json()
    assert body["n_clients"] == 10 and body["types"][0]["WK054609"] == 10
    assert body["districts"][0]["name"] == "Stevenshofdistrict"
    as_file = client.post("/coach/caseload.json", files={"bestand": ("c.csv", csv.encode(), "text/csv")})
    assert as_file.status_code == 200 and as_file.json()["n_clients"] == 10
    too_big = client.post("/coach/caseload.json", content=b"x" * 1_000_001,
                          headers={"content-type": "text/csv"})
    assert too_big.status_code == 422 and "te groot" in too_big.json()["error"]["message"]
