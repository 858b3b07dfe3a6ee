"""A walk/bike street network as arrays, and shortest travel times on it (scipy's csgraph Dijkstra).

Pure: ways (coordinates in RD New, metres, plus their OSM tags) in, nodes and edges out; travel times
from a set of places to every node. No files, no store. The topology is rebuilt from shared
coordinates: two ways meet where they share a vertex (OSM junction nodes); crossings without a
shared vertex (bridges, tunnels) do not connect, as in OSM.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from scipy import sparse
    from scipy.spatial import cKDTree

# scipy is imported where a graph or a tree is built, not with this module: the web app imports the
# access layer at start-up, and scipy alone costs about 0.2 s there (issue 12, first use).

MODES = ("lopen", "fiets")

# Never walked or cycled whatever the other tags say (motorways, ways not built yet, rails for buses).
_NEVER = {
    "motorway",
    "motorway_link",
    "construction",
    "proposed",
    "abandoned",
    "raceway",
    "bus_guideway",
    "platform",
    "elevator",
    "escape",
    "corridor",
}
# Closed to bicycles unless tagged bicycle=yes/designated/permissive (Dutch rules: footways and
# pedestrian streets are not for cycling; steps cannot be ridden).
_NO_BIKE_DEFAULT = {"footway", "pedestrian", "steps", "bridleway", "corridor"}
_YES = {"yes", "designated", "permissive", "destination", "official", "use_sidepath"}
_NO = {"no", "private", "discouraged_no", "agricultural", "forestry", "delivery", "customers"}
# Ways that do not count as streets people live along when origins are weighted by street length.
NOT_RESIDENTIAL = {
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "footway",
    "cycleway",
    "path",
    "steps",
    "track",
    "bridleway",
    "service",
    "pedestrian_area",
}


def _tag(tags: Mapping[str, object], key: str) -> str:
    value = tags.get(key)
    return str(value).strip().lower() if value is not None and value == value else ""


def allowed(tags: Mapping[str, object]) -> tuple[bool, bool]:
    """(walk, bike) for one way's tags; a way without a ``highway`` tag is open to both.

    Follows OSM's access tags where present: ``foot``/``bicycle`` beat ``access``; ``access=no`` or
    ``private`` closes the way to both unless the mode is allowed explicitly; motorways and trunk roads
    tagged ``motorroad=yes`` (Dutch autowegen) are closed to both.
    """
    highway = _tag(tags, "highway")
    if highway in _NEVER:
        return False, False
    access = _tag(tags, "access")
    foot, bicycle = _tag(tags, "foot"), _tag(tags, "bicycle")
    closed = access in _NO
    if highway in {"trunk", "trunk_link"} and _tag(tags, "motorroad") == "yes":
        closed = True
    walk = not closed
    bike = not closed and highway not in _NO_BIKE_DEFAULT
    if foot in _YES:
        walk = True
    elif foot in _NO:
        walk = False
    if bicycle in _YES:
        bike = True
    elif bicycle in _NO or bicycle == "dismount":  # dismount: the bike is pushed, i.e. walked
        bike = False
    return walk, bike


@dataclass
class Network:
    """Nodes (RD x/y) and undirected edges with length and the modes allowed on them."""

    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray  # metres
    walk: np.ndarray  # bool per edge
    bike: np.ndarray
    highway: np.ndarray  # str per edge ("" = unknown road type)
    #: Cycling: a way open to walkers only (footway, pedestrian street) is taken on foot, pushing the
    #: bike, so it costs this many times its length (bike speed ÷ walking speed). 0 = never.
    push_factor: float = 3.0
    _graphs: dict[str, sparse.csr_matrix] = field(default_factory=dict, repr=False)
    _tree: cKDTree | None = field(default=None, repr=False)

    @property
    def n_nodes(self) -> int:
        return len(self.x)

    @classmethod
    def from_frames(cls, nodes: pd.DataFrame, edges: pd.DataFrame) -> Network:
        """From the stored tables: nodes (node, x, y; node = 0..n-1) and edges (u, v, length_m, …)."""
        nodes = nodes.sort_values("node")
        if len(nodes) and not np.array_equal(nodes["node"].to_numpy(), np.arange(len(nodes))):
            raise ValueError("node ids must be 0..n-1")
        return cls(
            x=nodes["x"].to_numpy(float),
            y=nodes["y"].to_numpy(float),
            u=edges["u"].to_numpy(np.int64),
            v=edges["v"].to_numpy(np.int64),
            length=edges["length_m"].to_numpy(float),
            walk=edges["walk"].to_numpy(bool),
            bike=edges["bike"].to_numpy(bool),
            highway=edges["highway"].fillna("").astype(str).to_numpy(),
        )

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        nodes = pd.DataFrame({"node": np.arange(self.n_nodes), "x": self.x, "y": self.y})
        edges = pd.DataFrame(
            {
                "u": self.u,
                "v": self.v,
                "length_m": self.length,
                "walk": self.walk,
                "bike": self.bike,
                "highway": self.highway,
            }
        )
        return nodes, edges

    def mode_mask(self, mode: str) -> np.ndarray:
        """Edges usable by ``mode`` (cycling includes walk-only ways when the bike may be pushed)."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        if mode == "lopen":
            return self.walk
        return self.bike | self.walk if self.push_factor > 0 else self.bike

    def cost(self, mode: str) -> np.ndarray:
        """Edge cost in metres at ``mode``'s own speed (pushed stretches count ``push_factor`` times)."""
        if mode == "fiets" and self.push_factor > 0:
            return np.where(self.bike, self.length, self.length * self.push_factor)
        return self.length

    def graph(self, mode: str) -> sparse.csr_matrix:
        """Symmetric sparse matrix of edge costs (metres at ``mode``'s speed), cheapest parallel edge kept."""
        from scipy import sparse

        if mode not in self._graphs:
            m = self.mode_mask(mode)
            u, v, w = self.u[m], self.v[m], self.cost(mode)[m]
            # Parallel edges: keep the shortest (csr would add them up).
            order = np.lexsort((w, np.minimum(u, v), np.maximum(u, v)))
            a, b, w = np.minimum(u, v)[order], np.maximum(u, v)[order], w[order]
            first = np.ones(len(a), bool)
            first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
            a, b, w = a[first], b[first], w[first]
            # A zero-length edge would vanish in a sparse matrix; give it a millimetre.
            w = np.maximum(w, 1e-3)
            n = self.n_nodes
            mat = sparse.coo_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(n, n)).tocsr()
            self._graphs[mode] = mat
        return self._graphs[mode]

    def nearest_node(
        self, x: np.ndarray, y: np.ndarray, *, mode: str | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Index of the nearest node (open to ``mode`` when given) and the straight-line distance (m)."""
        from scipy.spatial import cKDTree

        if mode is None:
            if self._tree is None:
                self._tree = cKDTree(np.c_[self.x, self.y])
            dist, idx = self._tree.query(np.c_[x, y])
            return np.asarray(idx, np.int64), np.asarray(dist, float)
        m = self.mode_mask(mode)
        usable = np.unique(np.r_[self.u[m], self.v[m]])
        tree = cKDTree(np.c_[self.x[usable], self.y[usable]])
        dist, idx = tree.query(np.c_[x, y])
        return usable[np.asarray(idx, np.int64)], np.asarray(dist, float)

    def distances_from(
        self, sources: Iterable[int], *, mode: str, offsets: Iterable[float] | None = None
    ) -> np.ndarray:
        """Metres from the nearest of ``sources`` to every node (inf: unreachable).

        ``offsets`` (metres per source, e.g. the walk from a place to its nearest node) are honoured
        exactly by adding one virtual node joined to every source by an edge of that length, so one
        Dijkstra run answers "nearest place" for all nodes at once.
        """
        from scipy import sparse
        from scipy.sparse import csgraph

        src = np.asarray(list(sources), np.int64)
        if src.size == 0:
            return np.full(self.n_nodes, np.inf)
        g = self.graph(mode)
        off = np.zeros(src.size) if offsets is None else np.asarray(list(offsets), float)
        if not off.any():
            return np.asarray(csgraph.dijkstra(g, directed=False, indices=src, min_only=True), float)
        # Several places on one node: only the nearest counts (a sparse matrix would add them up).
        best = pd.Series(off).groupby(src).min()
        src, off = best.index.to_numpy(np.int64), best.to_numpy(float)
        n = self.n_nodes
        # A sparse matrix drops explicit zeros: a zero offset becomes a nanometre.
        extra = sparse.coo_matrix((np.maximum(off, 1e-9), (np.full(src.size, n), src)), shape=(n + 1, n + 1))
        big = sparse.bmat([[g, None], [None, sparse.csr_matrix((1, 1))]]).tocsr() + extra.tocsr()
        dist = csgraph.dijkstra(big, directed=True, indices=n)
        return np.asarray(dist[:n], float)

    def components(self, mode: str | None = None) -> np.ndarray:
        """Connected-component label per node (all edges when ``mode`` is None)."""
        from scipy import sparse
        from scipy.sparse import csgraph

        if mode is None:
            n = self.n_nodes
            w = np.ones(len(self.u))
            g = sparse.coo_matrix((w, (self.u, self.v)), shape=(n, n)).tocsr()
        else:
            g = self.graph(mode)
        _, labels = csgraph.connected_components(g, directed=False)
        return np.asarray(labels)

    def largest_component_share(self, mode: str | None = None) -> float:
        """Share of the network's length (edges of ``mode``) in its largest connected component."""
        labels = self.components(mode)
        m = np.ones(len(self.u), bool) if mode is None else self.mode_mask(mode)
        lab = labels[self.u[m]]
        lengths = pd.Series(self.length[m]).groupby(lab).sum()
        return float(lengths.max() / lengths.sum()) if len(lengths) else 0.0


def build_network(ways: pd.DataFrame, *, precision: int = 2) -> tuple[Network, pd.DataFrame]:
    """Nodes and edges from ways with RD coordinates (``coords``: sequence of (x, y)) and tags.

    ``ways`` columns: ``coords`` and the tags ``highway``, ``access``, ``foot``, ``bicycle``,
    ``motorroad`` (missing columns count as untagged). Vertices are merged when their coordinates agree
    to ``precision`` decimals of a metre (1 cm: OSM stores 7 decimals of a degree, about 1 cm).
    Every consecutive vertex pair becomes an edge. Returns the network and the ways' (walk, bike) flags.
    """
    keys: dict[tuple[float, float], int] = {}
    xs: list[float] = []
    ys: list[float] = []
    us: list[int] = []
    vs: list[int] = []
    lens: list[float] = []
    walks: list[bool] = []
    bikes: list[bool] = []
    hws: list[str] = []
    tag_cols = [c for c in ("highway", "access", "foot", "bicycle", "motorroad") if c in ways.columns]
    flags = []
    for rec in ways[["coords", *tag_cols]].itertuples(index=False):
        tags = dict(zip(tag_cols, rec[1:], strict=True))
        walk, bike = allowed(tags)
        flags.append((walk, bike))
        if not (walk or bike):
            continue
        hw = _tag(tags, "highway")
        prev = -1
        px = py = 0.0
        for x, y in rec[0]:
            k = (round(float(x), precision), round(float(y), precision))
            idx = keys.get(k)
            if idx is None:
                idx = len(xs)
                keys[k] = idx
                xs.append(k[0])
                ys.append(k[1])
            if prev >= 0 and prev != idx:
                us.append(prev)
                vs.append(idx)
                lens.append(float(np.hypot(k[0] - px, k[1] - py)))
                walks.append(walk)
                bikes.append(bike)
                hws.append(hw)
            prev, px, py = idx, k[0], k[1]
    net = Network(
        x=np.asarray(xs, float),
        y=np.asarray(ys, float),
        u=np.asarray(us, np.int64),
        v=np.asarray(vs, np.int64),
        length=np.asarray(lens, float),
        walk=np.asarray(walks, bool),
        bike=np.asarray(bikes, bool),
        highway=np.asarray(hws, dtype=object).astype(str),
    )
    return net, pd.DataFrame(flags, columns=["walk", "bike"], index=ways.index)


def residential_weight(net: Network, *, mode: str = "lopen") -> np.ndarray:
    """Per node: half the length of its incident street edges (the street length it stands for).

    Streets people live along: every edge open to ``mode`` except the road types in
    :data:`NOT_RESIDENTIAL` (separate paths, service ways, motorways); an edge without a road type
    (the named-street layer) counts. Falls back to every open edge when none qualifies.
    """
    m = net.mode_mask(mode) & ~np.isin(net.highway, list(NOT_RESIDENTIAL))
    if not m.any():
        m = net.mode_mask(mode)
    w = np.zeros(net.n_nodes)
    np.add.at(w, net.u[m], net.length[m] / 2)
    np.add.at(w, net.v[m], net.length[m] / 2)
    return w


def bridge_gaps(net: Network, *, max_gap: float) -> tuple[Network, pd.DataFrame]:
    """Join small components to the largest one where the gap is at most ``max_gap`` metres.

    For a street layer that lacks the unnamed paths and crossings between named streets (OSM ways
    without a ``name``), each island is linked to the main network by one straight connector from its
    node closest to it, open to walking and cycling, with the road type ``verbinding``. Islands are
    taken largest first, so a joined island can carry the next one. Returns the network with the
    connectors and a table of them (from, to, length_m).
    """
    from scipy.spatial import cKDTree

    labels = net.components(None)
    lengths = pd.Series(net.length).groupby(labels[net.u]).sum().sort_values(ascending=False)
    if len(lengths) < 2:
        return net, pd.DataFrame(columns=["u", "v", "length_m"])
    main = np.zeros(net.n_nodes, bool)
    main[labels == lengths.index[0]] = True
    added: list[tuple[int, int, float]] = []
    for comp in lengths.index[1:]:
        inside = np.where(labels == comp)[0]
        cand = np.where(main)[0]
        tree = cKDTree(np.c_[net.x[cand], net.y[cand]])
        dist, idx = tree.query(np.c_[net.x[inside], net.y[inside]])
        k = int(np.argmin(dist))
        if dist[k] <= max_gap:
            added.append((int(inside[k]), int(cand[idx[k]]), float(dist[k])))
            main[inside] = True
    if not added:
        return net, pd.DataFrame(columns=["u", "v", "length_m"])
    extra = pd.DataFrame(added, columns=["u", "v", "length_m"])
    joined = Network(
        x=net.x,
        y=net.y,
        u=np.r_[net.u, extra["u"].to_numpy()],
        v=np.r_[net.v, extra["v"].to_numpy()],
        length=np.r_[net.length, extra["length_m"]],
        walk=np.r_[net.walk, np.ones(len(extra), bool)],
        bike=np.r_[net.bike, np.ones(len(extra), bool)],
        highway=np.r_[net.highway, np.full(len(extra), "verbinding")].astype(str),
    )
    return joined, extra


def join_dead_ends(
    net: Network, *, max_gap: float, min_detour: float = 4.0, batch: int = 256
) -> tuple[Network, pd.DataFrame]:
    """Link each dead end to the nearest node within ``max_gap`` metres when the network detour is long.

    Two exports of different dates (2021 named streets, 2025 centre) need not share the vertex where
    their ways meet; such a near-miss looks like a dead end beside another street. A connector is
    added when the way round over the network is more than ``min_detour`` times the gap (or there is
    none), so real dead ends beside a parallel street they connect to nearby stay as they are.
    """
    from scipy import sparse
    from scipy.sparse import csgraph
    from scipy.spatial import cKDTree

    deg = np.bincount(np.r_[net.u, net.v], minlength=net.n_nodes)
    dead = np.where(deg == 1)[0]
    tree = cKDTree(np.c_[net.x, net.y])
    pairs: list[tuple[int, int, float]] = []
    for d in dead:
        near = tree.query_ball_point([net.x[d], net.y[d]], r=max_gap)
        near = [int(j) for j in near if j != d]
        if not near:
            continue
        gaps = np.hypot(net.x[near] - net.x[d], net.y[near] - net.y[d])
        k = int(np.argmin(gaps))
        pairs.append((int(d), near[k], float(gaps[k])))
    if not pairs:
        return net, pd.DataFrame(columns=["u", "v", "length_m"])
    cand = pd.DataFrame(pairs, columns=["u", "v", "length_m"])
    # Two dead ends facing each other find each other: one connector for the pair.
    key = np.minimum(cand["u"], cand["v"]).astype(str) + "-" + np.maximum(cand["u"], cand["v"]).astype(str)
    cand = cand[~key.duplicated()].reset_index(drop=True)
    n = net.n_nodes
    g = sparse.coo_matrix(
        (np.r_[net.length, net.length], (np.r_[net.u, net.v], np.r_[net.v, net.u])), shape=(n, n)
    ).tocsr()
    keep = np.zeros(len(cand), bool)
    for start in range(0, len(cand), batch):
        part = cand.iloc[start : start + batch]
        dist = csgraph.dijkstra(
            g, directed=False, indices=part["u"].to_numpy(), limit=float(part["length_m"].max() * min_detour)
        )
        via = dist[np.arange(len(part)), part["v"].to_numpy()]
        keep[start : start + len(part)] = ~(via <= part["length_m"].to_numpy() * min_detour)
    extra = cand[keep].reset_index(drop=True)
    if extra.empty:
        return net, extra
    joined = Network(
        x=net.x,
        y=net.y,
        u=np.r_[net.u, extra["u"].to_numpy()],
        v=np.r_[net.v, extra["v"].to_numpy()],
        length=np.r_[net.length, extra["length_m"]],
        walk=np.r_[net.walk, np.ones(len(extra), bool)],
        bike=np.r_[net.bike, np.ones(len(extra), bool)],
        highway=np.r_[net.highway, np.full(len(extra), "verbinding")].astype(str),
    )
    return joined, extra
