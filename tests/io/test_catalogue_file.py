"""The shipped indicator catalogue is consistent and covers every id the loaders produce."""

from __future__ import annotations

from pathlib import Path

import pytest

from roltrap.errors import InputError
from roltrap.io.catalogue import indicators_for, read_catalogue
from roltrap.io.elan import MEANS, SHARES
from roltrap.io.kwb import META_COLUMNS
from roltrap.io.odata import STEM_TO_KWB
from roltrap.io.population import EVENT_COLUMNS, HOUSING_COLUMNS
from roltrap.io.wbk import ATTRIBUTES


def test_catalogue_consistent() -> None:
    cat = read_catalogue()
    assert cat["id"].is_unique
    row = cat.set_index("id").loc["p_hh_110"]
    assert (row["kind"], row["aggregation"], row["weight"], row["decimals"]) == (
        "share",
        "weighted_mean",
        "a_hh",
        1,
    )
    assert cat.set_index("id").loc["a_inw", "label"] == "Aantal inwoners"


def test_every_loader_id_is_catalogued() -> None:
    ids = set(read_catalogue()["id"])
    # Region metadata (pst_dekp) is not an indicator; the OData reader defines it from CBS metadata.
    produced = set(STEM_TO_KWB.values()) - META_COLUMNS
    produced |= set(ATTRIBUTES.values()) | set(MEANS.values())
    produced |= {i for pair in SHARES.values() for i in pair if i} | set(EVENT_COLUMNS.values())
    produced |= set(HOUSING_COLUMNS.values()) | {"bev_eind"}
    assert produced <= ids, produced - ids
    assert {i for i in ids if i.startswith("elan_")} <= set(MEANS.values()) | {
        i for p in SHARES.values() for i in p
    }


def test_indicators_for_adds_weights() -> None:
    assert set(indicators_for({"p_hh_110"})["id"]) == {"p_hh_110", "a_hh"}


def test_inconsistent_catalogue(tmp_path: Path) -> None:
    f = tmp_path / "catalogue.csv"
    f.write_text(
        "id,label,unit,kind,aggregation,weight,decimals,theme,description\n"
        "a,A,x,count,sum,,0,,\nb,B,%,percentage,weighted_mean,zz,een,,\na,A,x,count,sum,,0,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_catalogue(f)
    cols = sorted({p.column or "" for p in info.value.problems})
    assert cols == ["decimals", "id", "kind", "weight"]
