"""Importers on real data: Overpass GeoJSON, a PBF written from the same OSM ways, vindplaatsen lists."""

from __future__ import annotations

import json
from pathlib import Path

import osmium
import pandas as pd
import pytest

from roltrap.core import Roltrap
from roltrap.errors import ConfigError, InputError
from roltrap.io.osm import read_osm_geojson, read_osm_pbf
from roltrap.io.vindplaatsen import read_vindplaatsen, template_csv, template_xlsx

# A real Overpass export (an excerpt of the centre file the bundle is built from; see data/README.md).
CENTRE = Path(__file__).parent / "data" / "leiden_centrum_noord_paden_2025-12-03.geojson"
N_WAYS = len(json.loads(CENTRE.read_text(encoding="utf-8"))["features"])  # 551


def write_pbf(geojson: Path, out: Path) -> int:
    """Write the ways of an Overpass GeoJSON as a real .osm.pbf with pyosmium's writer; returns ways written.

    Node ids are given per distinct coordinate (the export has none), so shared vertices stay shared.
    """
    data = json.loads(geojson.read_text(encoding="utf-8"))
    node_ids: dict[tuple[float, float], int] = {}
    ways = []
    for feat in data["features"]:
        geom = feat["geometry"]
        line = geom["coordinates"] if geom["type"] == "LineString" else geom["coordinates"][0]
        refs = []
        for lon, lat in line:
            key = (round(lon, 7), round(lat, 7))
            refs.append(node_ids.setdefault(key, len(node_ids) + 1))
        tags = {k: str(v) for k, v in feat["properties"].items() if not k.startswith("@") and v is not None}
        ways.append((int(feat["properties"]["@id"].split("/")[1]), refs, tags))
    with osmium.SimpleWriter(str(out)) as w:
        for (lon, lat), nid in sorted(node_ids.items(), key=lambda kv: kv[1]):
            w.add_node(osmium.osm.mutable.Node(id=nid, location=osmium.osm.Location(lon, lat)))
        for wid, refs, tags in sorted(ways):
            w.add_way(osmium.osm.mutable.Way(id=wid, nodes=refs, tags=tags))
    return len(ways)


@pytest.fixture(scope="module")
def pbf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pbf") / "leiden-binnenstad.osm.pbf"
    write_pbf(CENTRE, path)
    return path


def test_pbf_and_geojson_give_the_same_ways(pbf: Path) -> None:
    from_json = read_osm_geojson(CENTRE)
    from_pbf = read_osm_pbf(pbf)
    assert len(from_pbf) == len(from_json) == N_WAYS == 551
    a = from_json.set_index("way_id").sort_index()
    b = from_pbf.set_index("way_id").sort_index()
    assert (a["highway"] == b["highway"]).all()
    # Same vertices: pbf stores 7 decimals of a degree, about a centimetre.
    for wid in a.index[:200]:
        assert (
            pd.DataFrame(a.at[wid, "coords"]).sub(pd.DataFrame(b.at[wid, "coords"])).abs().max().max() < 0.02
        )


def test_import_pbf_replaces_the_bundled_network(rt: Roltrap, pbf: Path) -> None:
    before = rt.access.network("GM0546")
    assert before.bundled
    report = rt.import_file(pbf, gemeente="GM0546")
    assert report.kind == "network" and report.rows == N_WAYS
    after = rt.access.network("GM0546")
    assert not after.bundled and after.meta["complete"]
    assert after.net.n_nodes < before.net.n_nodes  # the centre only
    same = Roltrap(rt.path)  # stored, not only cached
    try:
        assert same.access.network("GM0546").net.n_nodes == after.net.n_nodes
    finally:
        same.close()
    src = rt.sources().set_index("id")
    assert src.loc[report.source_id, "attribution"] == "© OpenStreetMap-bijdragers (ODbL)"
    # Outer wijken have no streets in the centre extract: said plainly, not a zero.
    rows = rt.access.answers(gemeente="GM0546", soort="centrum", mode="lopen").rows
    rows = rows[rows["method"] == "netwerk"].set_index("code")
    assert rows.loc["WK054608", "reason"] == "geen straten van het netwerk in dit gebied"
    assert rows.loc["WK054601", "minutes"] < 15  # Binnenstad-Noord: the excerpt's own wijk


def test_import_geojson_equals_pbf(rt: Roltrap, pbf: Path) -> None:
    rt.import_file(CENTRE, gemeente="GM0546")
    a = rt.access.network("GM0546").net
    rt.import_file(pbf, gemeente="GM0546")
    b = rt.access.network("GM0546").net
    assert a.n_nodes == b.n_nodes and len(a.u) == len(b.u)
    assert a.length.sum() == pytest.approx(b.length.sum(), rel=1e-6)


def test_import_is_clipped_to_the_gemeente(rt: Roltrap, pbf: Path) -> None:
    # Utrecht is 40 km away: nothing of the Leiden centre is inside, and the store is left as it was.
    with pytest.raises(InputError, match="geen wegen binnen GM0344"):
        rt.import_file(pbf, gemeente="GM0344")
    assert not rt.access.has_network("GM0344")
    # Oegstgeest borders Leiden to the north-west: only ways within 1 km of its wijken are kept.
    report = rt.import_file(pbf, gemeente="GM0579")
    assert 0 < report.rows < N_WAYS


def test_import_network_needs_a_gemeente(rt: Roltrap, pbf: Path) -> None:
    with pytest.raises(ConfigError, match="--gemeente"):
        rt.import_file(pbf)


def test_corrupt_pbf_is_a_dutch_error(rt: Roltrap, tmp_path: Path) -> None:
    bad = tmp_path / "kapot.osm.pbf"
    bad.write_bytes(b"dit is geen pbf" * 100)
    with pytest.raises(InputError, match="geen leesbaar OSM-PBF-bestand"):
        rt.import_file(bad, gemeente="GM0546")
    assert rt.access.network("GM0546").bundled


# -- vindplaatsen ---------------------------------------------------------------------------------


def test_template_imports_as_is(rt: Roltrap, tmp_path: Path) -> None:
    path = tmp_path / "vindplaatsen.csv"
    path.write_bytes(template_csv())
    report = rt.import_file(path)
    assert report.kind == "places" and report.rows == 2
    places = rt.access.places(gemeente="GM0546")
    mine = places[places["source_id"] == report.source_id].set_index("soort")
    # WGS84 row and RD row both land in Leiden on the network.
    assert mine["reachable"].all()
    assert mine.loc["bibliotheek", "x"] == 93330 and mine.loc["bibliotheek", "y"] == 463890
    assert 52.16 < mine.loc["buurthuis", "lat"] < 52.17
    assert "buurthuis" in rt.access.kinds("GM0546")


def test_template_xlsx_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "vindplaatsen.xlsx"
    path.write_bytes(template_xlsx())
    rows, _sid = read_vindplaatsen(path)
    assert list(rows["soort"]) == ["buurthuis", "bibliotheek"]


def test_bad_rows_give_row_and_column_and_store_nothing(rt: Roltrap, tmp_path: Path) -> None:
    path = tmp_path / "fout.csv"
    path.write_text(
        "naam;soort;breedtegraad;lengtegraad;x_rd;y_rd\n"
        "Buurthuis Oost;buurthuis;52,16;4,50;;\n"  # line 2: fine
        ";bibliotheek;52,16;4,49;;\n"  # line 3: no name
        "Club;voetbal;52,16;4,49;;\n"  # line 4: unknown kind
        "Winkel;buurtwinkel;4,49;52,16;;\n"  # line 5: lat/lon swapped
        "School;school;;;abc;463000\n"  # line 6: not a number
        "Huisarts;huisarts;;;;\n"  # line 7: no coordinates
        "Parijs;buurthuis;48,85;2,35;;\n",  # line 8: outside NL
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        rt.import_file(path)
    found = {(p.row, p.column) for p in err.value.problems}
    assert {
        (3, "naam"),
        (4, "soort"),
        (5, "breedtegraad"),
        (6, "x_rd"),
        (7, "breedtegraad"),
        (8, "breedtegraad"),
    } <= found
    assert all(p.row != 2 for p in err.value.problems)
    assert "er is niets opgeslagen" in err.value.message
    assert not rt.store.query("SELECT * FROM sources WHERE id LIKE 'vindplaatsen-%'").shape[0]
    places = rt.access.places(gemeente="GM0546")
    assert not places["source_id"].astype(str).str.startswith("vindplaatsen").any()


def test_geojson_vindplaatsen(rt: Roltrap, tmp_path: Path) -> None:
    from roltrap.io.osm import to_wgs84

    geo = rt.geometries(gemeente="GM0546", level="wijk").set_index("code")
    inner = geo.loc["WK054603", "geometry"].representative_point()
    lon, lat = to_wgs84([inner.x], [inner.y])
    path = tmp_path / "plekken.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"naam": "BuZz Noord", "soort": "BuZz-locatie"},
                        "geometry": {"type": "Point", "coordinates": [float(lon[0]), float(lat[0])]},
                    },
                    {
                        "type": "Feature",
                        "properties": {"naam": "Bieb", "soort": "bieb"},
                        "geometry": {"type": "Point", "coordinates": [4.4870, 52.1610]},
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    report = rt.import_file(path)
    assert report.rows == 2
    res = rt.access.answers(gemeente="GM0546", soort="buzz-locatie", mode="lopen").rows
    noord = res[(res["code"] == "WK054603") & (res["method"] == "netwerk")].iloc[0]
    assert noord["minutes"] < 15 and noord["soort_label"] == "BuZz-locatie"
