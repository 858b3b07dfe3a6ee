"""Time walk/bike access on the bundled Leiden network: every node → nearest place, per kind and mode.

Run: ``python bench/bench_access.py`` (uses a private in-memory store filled from the bundle).

1. Nearest destination for every network node, for every kind × mode: roltrap's one multi-source
   Dijkstra per kind (scipy ``csgraph``, a virtual source joined to every place with its snap
   distance) beside the baseline, networkx ``single_source_dijkstra_path_length`` from the same
   virtual source on the same graph (built once, not timed). Results are compared node by node.
2. The city's answers after the network is loaded: ``rt.access.answers`` for all wijken × kinds ×
   modes, and the pure area step (``compute.area_answers``) for a buurt-sized partition.
   The bundle has no buurt boundaries for Leiden; the buurt-sized partition is a square grid over
   the network (about 50 non-empty cells, the order of Leiden's CBS buurten), used for timing only.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import networkx as nx
import numpy as np
import pandas as pd

from roltrap.access import compute
from roltrap.access.network import MODES
from roltrap.core import Roltrap


def timed(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def nx_graph(rt: Roltrap, mode: str) -> nx.Graph:
    ln = rt.access.network("GM0546")
    net = ln.net
    m = net.mode_mask(mode)
    g = nx.Graph()
    g.add_nodes_from(range(net.n_nodes))
    cost = net.cost(mode)
    for a, b, w in zip(net.u[m], net.v[m], cost[m], strict=True):
        w = max(float(w), 1e-3)
        if not g.has_edge(a, b) or g[a][b]["weight"] > w:
            g.add_edge(int(a), int(b), weight=w)
    return g


def nx_nearest(g: nx.Graph, nodes: np.ndarray, offsets: np.ndarray, n: int) -> np.ndarray:
    """Baseline: a virtual source joined to every place, then one networkx single-source Dijkstra."""
    src = -1
    g.add_node(src)
    for node, off in zip(nodes, offsets, strict=True):
        w = max(float(off), 1e-9)
        if not g.has_edge(src, int(node)) or g[src][int(node)]["weight"] > w:
            g.add_edge(src, int(node), weight=w)
    try:
        dist = nx.single_source_dijkstra_path_length(g, src, weight="weight")
    finally:
        g.remove_node(src)
    out = np.full(n, np.inf)
    for k, v in dist.items():
        if k != src:
            out[k] = v
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best is printed)")
    args = parser.parse_args(argv)
    rt = Roltrap(":memory:")
    t0 = time.perf_counter()
    ln = rt.access.network("GM0546")
    places = rt.access.places(gemeente="GM0546")
    t_load = time.perf_counter() - t0
    net = ln.net
    kinds = rt.access.kinds("GM0546")
    print(
        f"network: {net.n_nodes} nodes, {len(net.u)} edges, {net.length.sum() / 1000:.0f} km; "
        f"kinds: {', '.join(kinds)}; load {t_load:.2f} s"
    )
    print()
    print(
        f"{'kind':14s} {'mode':6s} {'places':>6s} {'scipy s':>9s} {'networkx s':>11s} {'ratio':>7s} "
        f"{'max diff m':>11s}"
    )
    total_ours = total_nx = 0.0
    for mode in MODES:
        g = nx_graph(rt, mode)
        for kind in kinds:
            pl = places[(places["soort"] == kind) & places["reachable"]]
            nodes, offs = pl["node"].to_numpy(np.int64), pl["snap_m"].to_numpy(float)
            def ours_fn(nodes: np.ndarray = nodes, mode: str = mode, offs: np.ndarray = offs) -> np.ndarray:
                return net.distances_from(nodes, mode=mode, offsets=offs)

            t_ours, ours = timed(ours_fn, args.repeat)
            t_nx, base = timed(lambda g=g, nodes=nodes, offs=offs: nx_nearest(g, nodes, offs, net.n_nodes), 1)
            ours_a, base_a = np.asarray(ours), np.asarray(base)
            both = np.isfinite(ours_a) & np.isfinite(base_a)
            assert (np.isfinite(ours_a) == np.isfinite(base_a)).all(), "reachability differs"
            diff = float(np.abs(ours_a[both] - base_a[both]).max())
            total_ours += t_ours
            total_nx += t_nx
            print(
                f"{kind:14s} {mode:6s} {len(pl):6d} {t_ours:9.4f} {t_nx:11.4f} {t_nx / t_ours:7.1f} "
                f"{diff:11.2e}"
            )
    print(f"{'all':14s} {'':6s} {'':6s} {total_ours:9.4f} {total_nx:11.4f} {total_nx / total_ours:7.1f}")
    print()

    # The city's answers after load (cold: first call computes every kind × mode; warm: cached).
    rt.access._networks.clear()
    rt.access.network("GM0546")
    t0 = time.perf_counter()
    res = rt.access.answers(gemeente="GM0546")
    t_cold = time.perf_counter() - t0
    t_warm, _ = timed(lambda: rt.access.answers(gemeente="GM0546"), args.repeat)
    rows = res.rows
    print(
        f"rt.access.answers, all wijken × kinds × modes ({len(rows)} rows, "
        f"{(rows['method'] == 'netwerk').sum()} on the network): cold {t_cold:.3f} s, warm {t_warm:.3f} s "
        f"(target < 1 s after load: {'met' if t_cold < 1 else 'NOT met'})"
    )

    # Buurt-sized partition (timing only, see the docstring): pure area step for every kind × mode.
    side = (net.x.max() - net.x.min()) * (net.y.max() - net.y.min()) / 60
    cell = float(np.sqrt(side))
    gx = ((net.x - net.x.min()) // cell).astype(int)
    gy = ((net.y - net.y.min()) // cell).astype(int)
    node_area = np.array([f"C{a:02d}{b:02d}" for a, b in zip(gx, gy, strict=True)], dtype=object)
    codes = sorted(set(node_area))
    areas = pd.DataFrame({"code": codes, "name": codes})
    weight = np.ones(net.n_nodes)
    mins = {(k, m): rt.access.node_minutes(gemeente="GM0546", mode=m, soort=k) for k in kinds for m in MODES}
    t_area, out = timed(
        lambda: compute.area_answers(mins, node_area=node_area, weight=weight, areas=areas), args.repeat
    )
    t_nodes, _ = timed(
        lambda: [
            net.distances_from(
                places.loc[(places["soort"] == k) & places["reachable"], "node"],
                mode=m,
                offsets=places.loc[(places["soort"] == k) & places["reachable"], "snap_m"],
            )
            for k in kinds
            for m in MODES
        ],
        args.repeat,
    )
    print(
        f"buurt-sized grid ({len(codes)} cells × {len(kinds)} kinds × 2 modes = {len(out)} rows): "
        f"area step {t_area:.3f} s + node times {t_nodes:.3f} s = {t_area + t_nodes:.3f} s"
    )
    rt.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
