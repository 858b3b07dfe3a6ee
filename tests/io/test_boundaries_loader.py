"""Boundaries: CRS detected (URN, WGS84, none), stored as WKB in RD New; broken features reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely

from roltrap.errors import InputError
from roltrap.io.boundaries import read_boundaries

DATA = Path(__file__).parent / "data" / "a1"
LEIDEN_2022 = DATA / "kwb-2021-2022-wijken-gemeenten" / "leiden_wijken_2022_wgs84.geojson"
NL_2016 = DATA / "elan-wijkprofielen" / "wijk_2016_nl_rd_vereenvoudigd.geojson"
# Areas (ha) in the KWB PROVENANCE (OppervlakteTotaal of the 2022 polygons).
AREAS_2022 = [73.8, 143.9, 34.1, 179.8, 475.8, 547.9, 204.3, 256.9, 204.6, 197.0]


def areas(batch) -> dict[str, float]:  # type: ignore[no-untyped-def]
    g = batch.geometries
    return {c: shapely.from_wkb(w).area / 1e4 for c, w in zip(g.region_code, g.geom_wkb, strict=True)}


def test_wgs84_reprojected_to_rd() -> None:
    b = read_boundaries(LEIDEN_2022, boundary_year=2022)
    a = areas(b)
    assert sorted(a) == [f"WK0546{i:02d}" for i in range(10)]
    for code, ha in zip(sorted(a), AREAS_2022, strict=True):
        assert a[code] == pytest.approx(ha, rel=0.01)  # metres: only true after reprojection
    x0, y0, _, _ = shapely.from_wkb(b.geometries.geom_wkb.iloc[0]).bounds
    assert 90000 < x0 < 100000 and 460000 < y0 < 470000  # Leiden in RD New
    reg = b.regions.set_index("code")
    assert reg.loc["WK054603", "name"] == "Leiden-Noord" and reg.loc["GM0546", "name"] == "Leiden"
    assert (b.geometries["boundary_year"] == 2022).all()


def test_rd_urn_and_broken_features() -> None:
    b = read_boundaries(NL_2016, boundary_year=2016)
    a = areas(b)
    assert a["WK054603"] == pytest.approx(181.4, rel=0.01)  # RD already: not reprojected twice
    skipped = {(p.message.split(";")[0], p.value) for p in b.skipped}
    assert ("vlak zonder geometrie", "WK024316") in skipped
    assert any(v == "WK191104" for _, v in skipped)
    assert list(b.geometries["region_code"]).count("WK191104") == 1  # two parts, one row
    assert b.regions.set_index("code").loc["GM0546", "level"] == "gemeente"


def test_no_crs_judged_by_coordinates(tmp_path: Path) -> None:
    g = json.loads(NL_2016.read_text())
    del g["crs"]
    g["features"] = [f for f in g["features"] if f["properties"]["WKC"] == "WK054603"]
    f = tmp_path / "wijken.json"
    f.write_text(json.dumps(g))
    b = read_boundaries(f, boundary_year=2016)
    assert areas(b)["WK054603"] == pytest.approx(181.4, rel=0.01)


def test_errors(tmp_path: Path) -> None:
    f = tmp_path / "x.geojson"
    f.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"naam":"x"},'
        '"geometry":{"type":"Point","coordinates":[4.5,52.1]}}]}'
    )
    with pytest.raises(InputError, match="geen eigenschap \\(kolom\\) met regiocodes"):
        read_boundaries(f, boundary_year=2020)
    with pytest.raises(InputError, match="jaar van de indeling"):
        read_boundaries(_copy(tmp_path))  # no year in the name, none passed
    bad = tmp_path / "kapot.geojson"
    bad.write_text("{ dit is geen json")
    with pytest.raises(InputError, match="kan niet worden gelezen"):
        read_boundaries(bad, boundary_year=2020)


def _copy(tmp_path: Path) -> Path:
    f = tmp_path / "leiden_wijken.geojson"
    f.write_text(LEIDEN_2022.read_text())
    return f
