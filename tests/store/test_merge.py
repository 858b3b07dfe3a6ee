"""Merge rules of Store.apply: a value is replaced only by a value, order of imports does not matter,
a re-import changes nothing, a dry run writes nothing (property tests with Hypothesis)."""

from __future__ import annotations

import itertools

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from roltrap.store import Batch, Store, source_rank

REGIONS = ["GM0546", "WK054600", "WK054601"]
INDICATORS = ["a_inw", "p_hh_110"]
YEARS = [2023, 2024]
KEYS = [(r, y, i) for r in REGIONS for y in YEARS for i in INDICATORS]


def _base() -> Store:
    store = Store(":memory:")
    store.apply(Batch(
        source={"id": "basis", "title": "Basis", "publisher": "test", "licence": "CC BY 4.0",
                "estimate": False},
        regions=pd.DataFrame([{"code": "GM0546", "name": "Leiden", "level": "gemeente", "parent": "NL00",
                               "boundary_year": 2024},
                              {"code": "WK054600", "name": "Binnenstad-Zuid", "level": "wijk",
                               "parent": "GM0546", "boundary_year": 2024},
                              {"code": "WK054601", "name": "Binnenstad-Noord", "level": "wijk",
                               "parent": "GM0546", "boundary_year": 2024}]),
        indicators=pd.DataFrame([{"id": i, "label": i, "unit": "", "kind": "count", "aggregation": "sum",
                                  "weight": None, "decimals": 0, "theme": None, "description": None}
                                 for i in INDICATORS])))
    return store


def _batch(sid: str, cells: dict[tuple[str, int, str], float | None], *, specificity: int = 1,
           edition: str = "") -> Batch:
    obs = pd.DataFrame([{"region_code": r, "year": y, "indicator_id": i, "value": v}
                        for (r, y, i), v in sorted(cells.items())],
                       columns=["region_code", "year", "indicator_id", "value"])
    return Batch(source={"id": sid, "title": sid, "publisher": "test", "licence": "CC BY 4.0",
                         "estimate": False, "specificity": specificity, "edition": edition},
                 observations=obs)


def _observations(store: Store) -> pd.DataFrame:
    return store.query("SELECT region_code, year, indicator_id, value, source_id FROM observations "
                       "ORDER BY ALL")


values = st.one_of(st.none(), st.integers(min_value=0, max_value=5).map(float))
cells = st.dictionaries(st.sampled_from(KEYS), values, min_size=1, max_size=len(KEYS))
batches = st.lists(st.tuples(cells, st.integers(min_value=1, max_value=2),
                             st.sampled_from(["", "2024-01-01T00:00:00", "2025-06-01T00:00:00"])),
                   min_size=2, max_size=4)


@settings(max_examples=40)
@given(batches)
def test_import_order_does_not_change_the_store(specs: list[tuple[dict, int, str]]) -> None:
    made = [_batch(f"bron{n}", c, specificity=s, edition=e) for n, (c, s, e) in enumerate(specs)]
    results = []
    for order in itertools.islice(itertools.permutations(made), 6):
        store = _base()
        for b in order:
            store.apply(b)
        results.append(_observations(store))
        store.close()
    for other in results[1:]:
        pd.testing.assert_frame_equal(results[0], other)


@settings(max_examples=40)
@given(cells, st.integers(min_value=0, max_value=2), st.sampled_from(["", "2030-01-01T00:00:00"]))
def test_a_missing_value_never_removes_a_stored_value(first: dict, specificity: int, edition: str) -> None:
    store = _base()
    store.apply(_batch("eerst", first))
    before = _observations(store)
    # A newer, more specific file in which every one of these cells is missing (a column of ".").
    empty = _batch("later", dict.fromkeys(first, None), specificity=specificity, edition=edition)
    result = store.apply(empty)
    after = _observations(store)
    had = before[before["value"].notna()]
    merged = had.merge(after, on=["region_code", "year", "indicator_id"], suffixes=("", "_na"))
    assert (merged["value"] == merged["value_na"]).all()
    assert len(merged) == len(had)
    assert result.kept["observations"] == len(had)
    assert result.changed["observations"] == 0 and result.filled["observations"] == 0


@settings(max_examples=40)
@given(cells)
def test_a_reimport_of_the_same_batch_is_a_no_op(c: dict) -> None:
    store = _base()
    batch = _batch("bron", c)
    first = store.apply(batch)
    before = store.query("SELECT * FROM observations ORDER BY ALL")
    src_before = store.query("SELECT * FROM sources ORDER BY ALL")
    again = store.apply(_batch("bron", c))
    assert again.total_written() == 0
    assert again.unchanged["observations"] == len(c)
    assert first.rank == again.rank
    pd.testing.assert_frame_equal(before, store.query("SELECT * FROM observations ORDER BY ALL"))
    pd.testing.assert_frame_equal(src_before, store.query("SELECT * FROM sources ORDER BY ALL"))


@settings(max_examples=25)
@given(cells, cells)
def test_a_dry_run_reports_the_same_and_writes_nothing(a: dict, b: dict) -> None:
    store = _base()
    store.apply(_batch("a", a))
    before = store.query("SELECT * FROM observations ORDER BY ALL")
    dry = store.apply(_batch("b", b, edition="2030-01-01T00:00:00"), dry_run=True)
    pd.testing.assert_frame_equal(before, store.query("SELECT * FROM observations ORDER BY ALL"))
    assert store.query("SELECT count(*) AS n FROM sources WHERE id = 'b'")["n"][0] == 0
    real = store.apply(_batch("b", b, edition="2030-01-01T00:00:00"))
    assert dry.dry_run and not real.dry_run
    for what in ("added", "filled", "changed", "unchanged", "kept", "outranked"):
        assert getattr(dry, what) == getattr(real, what), what
    assert dry.examples == real.examples


def test_a_value_from_a_higher_ranked_source_wins_and_the_change_is_shown() -> None:
    store = _base()
    key = ("GM0546", 2024, "a_inw")
    store.apply(_batch("kwb", {key: 100.0}, specificity=1, edition="2024-01-01T00:00:00"))
    # Older edition, same specificity: the stored value stays ("outranked").
    old = store.apply(_batch("oud", {key: 90.0}, specificity=1, edition="2023-01-01T00:00:00"))
    assert old.outranked["observations"] == 1 and old.changed["observations"] == 0
    # A more specific table wins over the compilation, whatever its edition.
    new = store.apply(_batch("thema", {key: 101.0}, specificity=2, edition="2020-01-01T00:00:00"))
    assert new.changed["observations"] == 1
    assert new.examples == [{"table": "observations", "key": {"region_code": "GM0546", "year": 2024,
                                                                "indicator_id": "a_inw"},
                             "column": "value", "old": 100.0, "new": 101.0}]
    row = _observations(store).iloc[0]
    assert (row["value"], row["source_id"]) == (101.0, "thema")


def test_a_value_fills_a_missing_cell_whatever_its_rank() -> None:
    store = _base()
    key = ("WK054600", 2024, "p_hh_110")
    store.apply(_batch("hoog", {key: None}, specificity=2, edition="2030-01-01T00:00:00"))
    res = store.apply(_batch("laag", {key: 7.0}, specificity=0))
    assert res.filled["observations"] == 1
    assert _observations(store)["value"].tolist() == [7.0]


def test_rank_sorts_like_its_parts() -> None:
    def rank(spec: int, edition: str, n: int) -> str:
        return source_rank(_batch("x", {KEYS[i]: 1.0 for i in range(n)}, specificity=spec, edition=edition))

    assert rank(2, "", 1) > rank(1, "2030-01-01T00:00:00", 9)  # specificity first
    assert rank(1, "2025-01-01T00:00:00", 1) > rank(1, "2024-12-31T23:59:59", 9)  # then the edition
    assert rank(1, "2025-01-01T00:00:00", 3) > rank(1, "2025-01-01T00:00:00", 2)  # then the figures
