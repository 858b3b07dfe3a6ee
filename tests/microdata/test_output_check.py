"""--output-check: every table with a Dutch note; no person-level value reaches the folder."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from roltrap.cohort.microdata import output_check
from roltrap.core import Roltrap
from roltrap.errors import PrivacyError

PLANTED = "PLANTEDID"
PLANTED_VALUE = 73.137  # one person's income percentile: a value no aggregate should show


@pytest.fixture(scope="module")
def planted(rt_ro: Roltrap, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    base = tmp_path_factory.mktemp("oc")
    syn = rt_ro.cohort.synth(base / "syn", scale=0.05, seed=4, escalator=1.0, years=(2005, 2012)).out
    df = pd.concat([pd.read_parquet(p) for p in sorted(syn.glob("*.parquet"))], ignore_index=True)
    codes = {pid: f"{PLANTED}{i:07d}" for i, pid in enumerate(sorted(df["person_id"].unique()))}
    df["person_id"] = df["person_id"].map(codes)
    first = df["person_id"] == f"{PLANTED}0000000"
    df.loc[first, "income_percentile"] = PLANTED_VALUE
    (base / "py").mkdir()
    df.to_parquet(base / "py" / "person_years.parquet", index=False)
    res = rt_ro.cohort.analyse(base / "py", base_year=2005, follow=7, reps=99)
    output_check.write(res, base / "check", command="roltrap cohort analyse --input py")
    return res, base / "check"


def _all_text(folder: Path) -> str:
    parts = []
    for f in folder.rglob("*"):
        if f.suffix == ".xlsx":
            with zipfile.ZipFile(f) as z:
                parts += [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
        elif f.is_file():
            parts.append(f.read_text(encoding="utf-8-sig"))
    return "\n".join(parts)


def test_no_person_level_value_in_folder(planted: tuple[dict, Path]) -> None:
    _, folder = planted
    text = _all_text(folder)
    assert PLANTED not in text.upper()
    assert "73.137" not in text and "73,137" not in text


def test_every_table_with_note_rules_and_suppressed_cells(planted: tuple[dict, Path]) -> None:
    _, folder = planted
    names = sorted(p.name for p in folder.iterdir())
    for spec in output_check.SPECS:
        csv = [n for n in names if n.endswith(f"_{spec.key}.csv")]
        assert len(csv) == 1, spec.key
        note = (folder / csv[0].replace(".csv", "_toelichting.md")).read_text(encoding="utf-8")
        assert "Wat telt de tabel" in note and "ten minste 10 personen" in note
        assert "Dominantieregel" in note and "Secundaire onderdrukking" in note and "roltrap 0.1.0" in note
    ret = pd.read_csv(folder / "tabel_02_retention.csv", sep=";", decimal=",", encoding="utf-8-sig")
    shown = ret["persons"].dropna()
    assert (shown >= 10).all()
    note = (folder / "tabel_02_retention_toelichting.md").read_text(encoding="utf-8")
    assert f"kleinste getoonde cel:** {int(shown.min())}" in note
    n_hidden = int(ret["persons"].isna().sum())
    assert (
        f"Onderdrukte cellen ({n_hidden + int(ret['share'].isna().sum())})" in note
    )
    assert (folder / "uitvoercontrole.xlsx").exists()
    assert "primary: " in (folder / output_check.MARKER).read_text(encoding="utf-8")
    # every count cell of every CSV is ≥ 10 or empty
    for spec in output_check.SPECS:
        df = pd.read_csv(next(folder.glob(f"*_{spec.key}.csv")), sep=";", decimal=",", encoding="utf-8-sig")
        for c in spec.count_cols:
            if c in df:
                assert (pd.to_numeric(df[c], errors="coerce").dropna() >= 10).all(), (spec.key, c)


def test_dominance_reason_is_named(planted: tuple[dict, Path]) -> None:
    spec = next(s for s in output_check.SPECS if s.key == "trajectories")
    row = pd.Series(
        {
            "wijk": "WK054601",
            "group": "blijver",
            "persons": 40.0,
            "with_income": 40.0,
            "mean_gain": None,
            "climbed": None,
            "climbed_share": None,
        }
    )
    assert "dominantieregel" in output_check._reason(spec, row, "mean_gain", 10)


def test_refuses_a_small_shown_cell(planted: tuple[dict, Path], tmp_path: Path) -> None:
    res, _ = planted
    bad = {**res, "cohort": [{**res["cohort"][0], "persons": 3}]}
    with pytest.raises(PrivacyError):
        output_check.write(bad, tmp_path / "bad")
    assert not (tmp_path / "bad").exists()
