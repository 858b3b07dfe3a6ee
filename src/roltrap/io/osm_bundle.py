"""Build the bundled Leiden walk/bike network and destinations (called by ``scripts/build_bundle.py``).

Raw in (``osm-leiden-straten-2021``, ``osm-leiden-binnenstad-paden``, ``treinstations-nl-en-gemeentegrens-
leiden``, ``ov-haltes-2015-leiden``), ``data/bundle/access/*.parquet`` out:

* ``network_nodes`` / ``network_edges``: the merged network (see :data:`NETWORK_NOTE`);
* ``networks``: one row per gemeente network with its sources and the Dutch note users see;
* ``places``: stations (CHB, Feb 2026), bus stops (GTFS July 2015, marked stale), the centre.

Re-running on the same input writes byte-identical files (sorted rows, rounded coordinates).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from roltrap.access.network import bridge_gaps, build_network, join_dead_ends
from roltrap.io.osm import merge_ways, osm_source, read_osm_geojson
from roltrap.io.osm_places import centre_place, read_chb_stations, read_gtfs_stops

GEMEENTE = "GM0546"
MAX_GAP_M = 30.0  # islands of the named layer joined to the main network up to this gap
DEAD_END_GAP_M = 15.0  # near-misses between the 2021 and 2025 exports joined up to this gap
#: Leiden's bounding box (lon0, lat0, lon1, lat1) plus about 1.5 km, for stations and stops nearby.
BBOX = (4.41, 52.11, 4.56, 52.20)
STREETS_ID = "osm-leiden-benoemde-straten-2021"
CENTRE_ID = "osm-leiden-binnenstad-paden-2025"
STATIONS_ID = "dova-chb-treinstations-2026"
STOPS_ID = "ovapi-gtfs-haltes-2015-leiden"


def _nl(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _pct(share: float) -> str:
    return f"{100 * share:.1f}".replace(".", ",") + " %"


def _write(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    df.to_parquet(tmp, index=False)
    tmp.replace(path)  # an interrupted build leaves the old file


def build_access(raw: Path, out: Path) -> list[dict[str, object]]:
    """Write the access bundle into ``out/access``; returns the sources rows it uses.

    A raw folder without the OSM files (an excerpt used in tests) builds no network: a warning, no files.
    """
    streets_dir = raw / "osm-leiden-straten-2021"
    centre_dir = raw / "osm-leiden-binnenstad-paden"
    if not (streets_dir.is_dir() and centre_dir.is_dir()):
        print(f"Warning: no OSM folders in {raw}: the bundle gets no walk/bike network", file=sys.stderr)
        return []
    named = read_osm_geojson(streets_dir / "leiden_benoemde_straten_osm_2021-05-05.geojson")
    paden = read_osm_geojson(centre_dir / "leiden_binnenstad_paden_2025-12-03.geojson")
    wegen = read_osm_geojson(centre_dir / "leiden_binnenstad_wegen_2025-11-23.geojson")
    centre = merge_ways(paden, wegen)  # the newer export wins on equal way ids
    ways = merge_ways(centre, named)  # tagged centre records beat untagged named ones
    ways = ways.sort_values("way_id", kind="stable").reset_index(drop=True)
    raw_net, _flags = build_network(ways)
    raw_share = raw_net.largest_component_share(None)
    joined, near = join_dead_ends(raw_net, max_gap=DEAD_END_GAP_M)
    net, islands = bridge_gaps(joined, max_gap=MAX_GAP_M)
    connectors = pd.concat([near, islands], ignore_index=True)
    share = net.largest_component_share(None)
    nodes, edges = net.frames()
    edges["length_m"] = edges["length_m"].round(3)
    note = (
        f"Straatnetwerk Leiden uit OpenStreetMap: alle wegen met een naam (stand mei 2021, "
        f"{_nl(len(named))} wegen) "
        f"samengevoegd met het volledig getagde netwerk van de binnenstad (nov.–dec. 2025, "
        f"{_nl(len(centre))} wegen, "
        "met voet- en fietspaden). Buiten de binnenstad ontbreken naamloze fiets- en voetpaden, steegjes en "
        "oversteken, en is het wegtype onbekend: daar geldt elke benoemde weg als begaanbaar te voet en per "
        "fiets (ook een weg die in werkelijkheid voor fietsers of voetgangers verboden is). Reistijden zijn "
        "daardoor eerder te lang (omwegen) dan te kort. "
        f"{len(connectors)} korte verbindingen (samen {_nl(round(connectors['length_m'].sum()))} m) "
        "koppelen doodlopende "
        f"einden aan een straat binnen {DEAD_END_GAP_M:.0f} m waar de omweg meer dan vier keer zo lang is, "
        "en losse "
        f"stukken binnen {MAX_GAP_M:.0f} m aan het netwerk; de grootste samenhangende component bevat "
        "daarmee "
        f"{_pct(share)} van de netwerklengte (zonder verbindingen {_pct(raw_share)}). Vervang dit netwerk "
        "door een "
        "echt OSM-uittreksel met alle paden: `roltrap import zuid-holland-latest.osm.pbf --gemeente GM0546`."
    )
    networks = pd.DataFrame(
        [
            {
                "gemeente": GEMEENTE,
                "source_ids": f"{STREETS_ID},{CENTRE_ID}",
                "note": note,
                "nodes": len(nodes),
                "edges": len(edges),
                "length_km": round(float(edges["length_m"].sum()) / 1000, 3),
                "largest_component_share": round(share, 6),
                "largest_component_share_raw": round(raw_share, 6),
                "connectors": len(connectors),
                "connectors_m": round(float(connectors["length_m"].sum()), 2),
                "complete": False,
            }
        ]
    )

    st_dir = raw / "treinstations-nl-en-gemeentegrens-leiden"
    stations = read_chb_stations(st_dir / "stations_nl_chb.json", bbox=BBOX, source_id=STATIONS_ID)
    stops = read_gtfs_stops(
        raw / "ov-haltes-2015-leiden" / "stops_leiden_bbox_2015.txt", year=2015, source_id=STOPS_ID, bbox=BBOX
    )
    centrum = centre_place(
        centre, name="Vismarkt", label="Centrum (Vismarkt)", source_id=CENTRE_ID, year=2025
    )
    places = pd.concat([stations, stops, centrum], ignore_index=True).sort_values("id").reset_index(drop=True)
    places["year"] = places["year"].astype("Int64")
    places["gemeente"] = GEMEENTE

    folder = out / "access"
    folder.mkdir(parents=True, exist_ok=True)
    _write(nodes, folder / "network_nodes.parquet")
    _write(edges.assign(gemeente=GEMEENTE), folder / "network_edges.parquet")
    _write(networks, folder / "networks.parquet")
    _write(places, folder / "places.parquet")
    (folder / "PROVENANCE.md").write_text(_provenance(networks.iloc[0], places), encoding="utf-8")

    return [
        osm_source(
            STREETS_ID,
            "OpenStreetMap: benoemde wegen van Leiden (EqualStreetNames-Leiden, mei 2021)",
            streets_dir / "leiden_benoemde_straten_osm_2021-05-05.geojson",
            provenance="GitHub RobinLinde/equalstreetnames-leiden data/ways.geojson @ 022dcb34 "
            "(Overpass, 2021-05-05); zonder wegtype en zonder naamloze paden",
            rows_loaded=len(named),
        ),
        osm_source(
            CENTRE_ID,
            "OpenStreetMap: wegen, fiets- en voetpaden van de binnenstad van Leiden (2025)",
            centre_dir / "leiden_binnenstad_paden_2025-12-03.geojson",
            provenance="GitHub Zawezu/leiden_quest (overpass-turbo, 2025-11-23 en 2025-12-03); "
            "volledig getagd",
            rows_loaded=len(centre),
        ),
        {
            "id": STATIONS_ID,
            "title": "DOVA Centraal Haltebestand: treinstations (februari 2026)",
            "publisher": "DOVA",
            "licence": "open data (DOVA/NDOV Loket)",
            "attribution": "Bron: DOVA CHB",
            "provenance": "GitHub albertsikkema/niet-toegankelijke-bushaltes data/stations.json @ 8317fe8c",
            "file": "stations_nl_chb.json",
            "estimate": False,
            "rows_loaded": len(stations),
        },
        {
            "id": STOPS_ID,
            "title": "OVapi GTFS bushaltes Leiden e.o. (juli 2015, verouderd)",
            "publisher": "OVapi / NDOV Loket",
            "licence": "open data (OVapi/NDOV Loket)",
            "attribution": "Bron: OVapi / NDOV Loket, GTFS juli 2015",
            "provenance": "GitHub aiolos/haltes data/setup/*/stops.txt @ 589c65d5; haltes van 2015: routes "
                          "en "
            "haltes zijn sindsdien veranderd",
            "file": "stops_leiden_bbox_2015.txt",
            "estimate": False,
            "rows_loaded": len(stops),
        },
    ]


def _provenance(meta: pd.Series, places: pd.DataFrame) -> str:
    counts = places.groupby("soort").size()
    return "\n".join(
        [
            "# Bundled walk/bike network and destinations (Leiden)",
            "",
            "Built by `scripts/build_bundle.py` (`roltrap.io.osm_bundle.build_access`). OSM data: "
            "© OpenStreetMap contributors, ODbL 1.0 — this derived network is offered under the ODbL too.",
            "",
            f"- `network_nodes.parquet`: {meta['nodes']} nodes (RD New x/y, metres)",
            f"- `network_edges.parquet`: {meta['edges']} edges, {meta['length_km']} km; `walk`/`bike` flags "
            "from OSM "
            "tags where known (`highway`, `access`, `foot`, `bicycle`, `motorroad`); road type empty for "
            "the named "
            "2021 layer",
            f"- largest connected component: {meta['largest_component_share']:.2%} of the length "
            f"({meta['largest_component_share_raw']:.2%} before {meta['connectors']} connectors, "
            f"{meta['connectors_m']} m in total, road type `verbinding`: a dead end joined to the nearest "
            "node within "
            f"{DEAD_END_GAP_M:.0f} m when the network detour is over four times the gap — near-misses "
            "between the 2021 "
            f"and 2025 exports — and islands joined to the main network within {MAX_GAP_M:.0f} m)",
            "- `places.parquet`: " + ", ".join(f"{k} {v}" for k, v in counts.items()),
            "",
            "## What the named-street layer means",
            "",
            "Outside the centre only OSM ways **with a name** (May 2021) are present: unnamed cycle tracks, "
            "footpaths through parks, alleys and crossings are missing, and no road type is known, so every "
            "named "
            "way counts as open to walking and cycling. Travel times tend to be too long (detours), rarely "
            "too "
            "short. A user replaces it with a real extract: `roltrap import <area>.osm.pbf --gemeente "
            "GM0546`.",
            "",
            "## Destinations",
            "",
            "- treinstation: DOVA Centraal Haltebestand, February 2026, stations inside lon 4.41–4.56, lat "
            "52.11–52.20.",
            "- bushalte: OVapi GTFS of July 2015 (boarding points, `location_type` 0) — **stale**, shown as "
            "such.",
            "- centrum: centroid of the OSM square `Vismarkt` (market square by the Stadhuis).",
            "",
        ]
    )


def snap_stats(nodes: pd.DataFrame, places: pd.DataFrame) -> pd.Series:
    """Distance (m) from each place to the nearest network node (a check used by tests)."""
    from scipy.spatial import cKDTree

    tree = cKDTree(nodes[["x", "y"]].to_numpy())
    d, _ = tree.query(places[["x", "y"]].to_numpy())
    return pd.Series(np.asarray(d), index=places["id"])
