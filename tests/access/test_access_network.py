"""The pure network layer on a hand-made grid: every time equals the hand computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from roltrap.access.network import (
    Network,
    allowed,
    bridge_gaps,
    build_network,
    join_dead_ends,
    residential_weight,
)


def grid(tags: dict[tuple[int, int], dict[str, str]] | None = None) -> tuple[Network, dict[str, int]]:
    """A 3 × 3 grid, 100 m east-west and 200 m north-south between nodes (RD metres).

    Nodes are named "c<col><row>"; every edge is one way so tags can close single edges.
    """
    tags = tags or {}
    ways = []
    for r in range(3):
        for c in range(3):
            if c < 2:
                ways.append(
                    {"coords": [(100 * c, 200 * r), (100 * (c + 1), 200 * r)], **tags.get((r, c), {})}
                )
            if r < 2:
                ways.append(
                    {"coords": [(100 * c, 200 * r), (100 * c, 200 * (r + 1))], **tags.get((r + 10, c), {})}
                )
    net, _ = build_network(pd.DataFrame(ways))
    names = {f"c{int(x // 100)}{int(y // 200)}": i for i, (x, y) in enumerate(zip(net.x, net.y, strict=True))}
    return net, names


def test_grid_distances_equal_the_hand_computation() -> None:
    net, n = grid()
    assert net.n_nodes == 9 and len(net.u) == 12
    d = net.distances_from([n["c00"]], mode="lopen")
    # Manhattan distance on the grid: 100 m per column, 200 m per row.
    for name, idx in n.items():
        col, row = int(name[1]), int(name[2])
        assert d[idx] == pytest.approx(100 * col + 200 * row)
    minutes = d / (5 * 1000 / 60)  # 5 km/h = 83.33 m/min
    assert minutes[n["c22"]] == pytest.approx(600 / (5000 / 60))  # 7.2 minutes


def test_nearest_of_several_sources_with_offsets() -> None:
    net, n = grid()
    # Two places: one 30 m off node c00, one on c22 exactly. Every node gets the nearer one.
    d = net.distances_from([n["c00"], n["c22"]], mode="fiets", offsets=[30.0, 0.0])
    assert d[n["c00"]] == pytest.approx(30.0)
    assert d[n["c22"]] == pytest.approx(0.0, abs=1e-6)
    assert d[n["c10"]] == pytest.approx(130.0)  # 30 + 100 from the first place
    assert d[n["c21"]] == pytest.approx(200.0)  # 200 from c22
    assert d[n["c11"]] == pytest.approx(min(30 + 300, 300))  # both 300 m routes: 330 vs 300


def test_places_sharing_a_node_count_the_nearest() -> None:
    net, n = grid()
    d = net.distances_from([n["c00"], n["c00"], n["c22"]], mode="lopen", offsets=[30.0, 10.0, 500.0])
    assert d[n["c00"]] == pytest.approx(10.0)
    assert d[n["c22"]] == pytest.approx(500.0)  # 600 m via c00 + 10 m is longer than its own 500 m


def test_closed_edges_force_a_detour_per_mode() -> None:
    # Close c00–c10 to bikes (a footway) and c00–c01 to everyone (motorway).
    net, n = grid({(0, 0): {"highway": "footway"}, (10, 0): {"highway": "motorway"}})
    walk = net.distances_from([n["c00"]], mode="lopen")
    assert walk[n["c10"]] == pytest.approx(100)
    assert walk[n["c01"]] == pytest.approx(100 + 200 + 100)  # round via c10, c11
    net.push_factor = 0  # no pushing: the footway is closed to bikes
    net._graphs.clear()
    bike = net.distances_from([n["c00"]], mode="fiets")
    assert np.isinf(bike[n["c10"]])  # c00 is cut off for bikes: both its edges are closed
    net.push_factor = 3.0  # push the bike along the footway: 100 m counts as 300 m at bike speed
    net._graphs.clear()
    bike = net.distances_from([n["c00"]], mode="fiets")
    assert bike[n["c10"]] == pytest.approx(300)
    assert bike[n["c01"]] == pytest.approx(300 + 200 + 100)


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({}, (True, True)),
        ({"highway": "residential"}, (True, True)),
        ({"highway": "motorway"}, (False, False)),
        ({"highway": "trunk", "motorroad": "yes"}, (False, False)),
        ({"highway": "trunk"}, (True, True)),
        ({"highway": "footway"}, (True, False)),
        ({"highway": "footway", "bicycle": "yes"}, (True, True)),
        ({"highway": "cycleway"}, (True, True)),
        ({"highway": "cycleway", "foot": "no"}, (False, True)),
        ({"highway": "service", "access": "private"}, (False, False)),
        ({"highway": "service", "access": "no", "foot": "yes"}, (True, False)),
        ({"highway": "pedestrian", "bicycle": "dismount"}, (True, False)),
        ({"highway": "steps"}, (True, False)),
        ({"highway": "construction"}, (False, False)),
    ],
)
def test_access_rules_follow_osm_tags(tags: dict[str, str], expected: tuple[bool, bool]) -> None:
    assert allowed(tags) == expected


def test_parallel_edges_keep_the_shortest() -> None:
    ways = pd.DataFrame({"coords": [[(0, 0), (100, 0)], [(0, 0), (50, 80), (100, 0)]]})
    net, _ = build_network(ways)
    d = net.distances_from([0], mode="lopen")
    assert d[1] == pytest.approx(100)
    assert d[2] == pytest.approx(np.hypot(50, 80))


def test_components_gap_bridging_and_dead_ends() -> None:
    ways = pd.DataFrame(
        {
            "coords": [
                [(0, 0), (1000, 0)],  # main street, 1000 m
                [(1000, 20), (1000, 300)],  # island 20 m from the main street's end: a dead-end near-miss
                [(5000, 5000), (5010, 5000)],  # far island, 10 m
            ]
        }
    )
    net, _ = build_network(ways)
    assert net.largest_component_share() == pytest.approx(1000 / 1290)
    joined, near = join_dead_ends(net, max_gap=25)
    assert len(near) == 1 and near["length_m"].iloc[0] == pytest.approx(20)
    bridged, islands = bridge_gaps(joined, max_gap=30)
    assert islands.empty  # the far island stays apart: 30 m is not enough
    assert bridged.largest_component_share() == pytest.approx(1300 / 1310)
    assert set(bridged.highway[-1:]) == {"verbinding"}


def test_residential_weight_is_half_the_incident_street_length() -> None:
    net, n = grid({(0, 0): {"highway": "footway"}})
    w = residential_weight(net)
    # c00 has the footway (not a street people live on) and one 200 m street: half = 100.
    assert w[n["c00"]] == pytest.approx(100)
    # c11 has two 100 m and two 200 m streets.
    assert w[n["c11"]] == pytest.approx((100 + 100 + 200 + 200) / 2)
    assert w.sum() == pytest.approx(net.length.sum() - 100)
