"""Opening user files: size guard, encodings, separators, header/footer lines, ragged rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roltrap.errors import InputError, NotFoundError
from roltrap.io._read import MAX_BYTES, decode, read_table, sniff_separator


def _write(tmp_path: Path, data: bytes | str, name: str = "f.csv") -> Path:
    p = tmp_path / name
    if isinstance(data, str):
        p.write_text(data, encoding="utf-8")
    else:
        p.write_bytes(data)
    return p


def test_utf8_with_bom_reads_clean_header(tmp_path: Path) -> None:
    p = _write(tmp_path, "\ufeffcode;naam\nGM0546;Leiden\n".encode())
    t = read_table(p)
    assert t.header == ["code", "naam"]
    assert t.encoding == "utf-8-sig"
    assert t.rows == [["GM0546", "Leiden"]]
    assert t.notes == []


def test_cp1252_falls_back_and_says_so(tmp_path: Path) -> None:
    # The real quirk of gm_changes_before_2018.csv: Windows-1252, ';'-separated.
    data = "Oude;Huidige naam\nGM1900;Súdwest-Fryslân\n".encode("cp1252")
    p = _write(tmp_path, data)
    t = read_table(p)
    assert t.encoding == "cp1252"
    assert t.rows == [["GM1900", "Súdwest-Fryslân"]]
    assert len(t.notes) == 1
    offset = data.index("ú".encode("cp1252"))
    assert f"positie {offset}" in t.notes[0] and "regel 2" in t.notes[0] and "Windows-1252" in t.notes[0]


def test_bytes_neither_utf8_nor_cp1252_name_offset_and_line(tmp_path: Path) -> None:
    data = b"a;b\n1;2\n3;\x81\x90\n"
    p = _write(tmp_path, data)
    with pytest.raises(InputError) as exc:
        read_table(p)
    msg = str(exc.value)
    assert "positie 10" in msg  # 4 + 4 + len("3;") and "regel 3" in msg
    assert exc.value.problems[0].row == 3


def test_binary_file_is_refused(tmp_path: Path) -> None:
    p = _write(tmp_path, b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InputError, match="geen tekstbestand"):
        read_table(p)


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_separator_is_sniffed(tmp_path: Path, sep: str) -> None:
    text = sep.join(["code", "naam", "a_inw"]) + "\n"
    text += sep.join(["GM0546", '"Leiden; stad, mooi"', "1"]) + "\n"
    t = read_table(_write(tmp_path, text))
    assert t.separator == sep
    assert t.rows[0][1] == "Leiden; stad, mooi"


def test_single_column_file_has_no_separator() -> None:
    with pytest.raises(InputError, match="Geen scheidingsteken"):
        sniff_separator("code|naam\nGM0546|Leiden\n")


def test_title_and_footer_lines_are_skipped_and_noted(tmp_path: Path) -> None:
    text = ('"Kerncijfers wijken en buurten 2021"\n"code";"a_inw"\n"GM0546";"124093"\n"WK054600";"8360"\n'
            '"Bron: CBS"\n')
    t = read_table(_write(tmp_path, text))
    assert t.header == ["code", "a_inw"]
    assert t.header_line == 2
    assert t.lines == [3, 4]
    assert len(t.notes) == 2


def test_ragged_rows_are_all_reported(tmp_path: Path) -> None:
    text = "a;b;c\n1;2;3\n4;5\n6;7;8\n9;10;11;12\n"
    with pytest.raises(InputError) as exc:
        read_table(_write(tmp_path, text))
    rows = [p.row for p in exc.value.problems]
    assert rows == [3, 5]
    assert "te weinig" in str(exc.value) and "te veel" in str(exc.value)


def test_truncated_inside_quotes(tmp_path: Path) -> None:
    text = '"a";"b"\n"1";"2"\n"3";"4 afgebr'
    with pytest.raises(InputError, match="afgebroken"):
        read_table(_write(tmp_path, text))


def test_empty_and_whitespace_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="leeg"):
        read_table(_write(tmp_path, b"", "leeg.csv"))
    with pytest.raises(InputError, match="geen gegevens"):
        read_table(_write(tmp_path, b"\n  \n\t\n", "wit.csv"))


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    p = tmp_path / "huge.csv"
    with p.open("wb") as fh:  # sparse: 1 GiB on paper, a few bytes on disk
        fh.write(b"a;b\n")
        fh.truncate(2**30)
    with pytest.raises(InputError) as exc:
        read_table(p)
    assert "te groot" in str(exc.value) and "1.024 MiB" in str(exc.value)
    assert MAX_BYTES < 2**30


def test_small_limit_is_respected(tmp_path: Path) -> None:
    p = _write(tmp_path, "a;b\n1;2\n")
    with pytest.raises(InputError, match="te groot"):
        read_table(p, max_bytes=4)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        read_table(tmp_path / "bestaat-niet.csv")
    with pytest.raises(InputError, match="map"):
        read_table(tmp_path)


def test_missing_required_column_names_it(tmp_path: Path) -> None:
    p = _write(tmp_path, "a;b\n1;2\n")
    with pytest.raises(InputError) as exc:
        read_table(p, required=("code",))
    assert exc.value.problems[0].column == "code"


def test_duplicate_header_names(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="meer dan eens"):
        read_table(_write(tmp_path, "a;a\n1;2\n"))


def test_decode_prefers_utf8() -> None:
    text, enc, notes = decode("é".encode(), path=Path("x.csv"))
    assert (text, enc, notes) == ("é", "utf-8", [])


_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sep=st.sampled_from([";", ",", "\t"]), ncol=st.integers(2, 5), data=st.data(),
       encoding=st.sampled_from(["utf-8", "utf-8-sig"]))
def test_round_trip_any_quoted_table(tmp_path: Path, sep: str, ncol: int, data: st.DataObject,
                                     encoding: str) -> None:
    header = [f"kol{i}" for i in range(ncol)]
    rows = data.draw(st.lists(st.lists(_cell, min_size=ncol, max_size=ncol).filter(
        lambda r: any(c.strip() for c in r)), min_size=1, max_size=8))
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    p = tmp_path / "rt.csv"
    p.write_bytes(buf.getvalue().encode(encoding))
    t = read_table(p)
    assert t.separator == sep
    assert t.header == header
    assert t.rows == rows


# -- every text loader reads through read_table ---------------------------------------------------

_FRYSLAN = "Súdwest-Fryslân"


def _cp1252_kwb(p: Path) -> tuple[str, float]:
    from roltrap.io.kwb import read_kwb

    b = read_kwb(p)
    return b.regions.set_index("code").loc["GM1900", "name"], b.observations["value"].iloc[0]


def _cp1252_wbk(p: Path) -> tuple[str, float]:
    from roltrap.io.wbk import read_wbk

    b = read_wbk(p)
    return b.regions.set_index("code").loc["GM1900", "name"], b.observations["value"].iloc[0]


def _cp1252_elan(p: Path) -> tuple[str, float]:
    from roltrap.io.elan import read_elan

    b = read_elan(p)
    return b.regions.set_index("code").loc["GM1900", "name"], b.observations["value"].iloc[0]


def _cp1252_stock(p: Path) -> tuple[str, float]:
    import pandas as pd

    from roltrap.io.population import read_population_stock

    known = pd.DataFrame({"code": ["GM1900"], "name": [_FRYSLAN], "level": ["gemeente"]})
    obs = read_population_stock(p, regions=known).observations
    assert list(obs["region_code"]) == ["GM1900"]  # matched by its name with â and ú
    return _FRYSLAN, obs["value"].iloc[0]


@pytest.mark.parametrize(("name", "text", "load", "expected"), [
    ("kwb-2021.csv", f"gwb_code_10;regio;recs;a_inw\nGM1900;{_FRYSLAN};Gemeente;91861\n", _cp1252_kwb, 91861),
    ("gemeente_2022.csv", f"GM_CODE;GM_NAAM;H2O;AANT_INW\nGM1900;{_FRYSLAN};NEE;91861\n", _cp1252_wbk, 91861),
    ("elan.csv", f"GMC;GMN;YEAR;AGE_MEAN\nGM1900;{_FRYSLAN};2020;42.5\n", _cp1252_elan, 42.5),
    ("bevolking.csv", f"Regio's;2020\n{_FRYSLAN};90228\n", _cp1252_stock, 90228),
])
def test_every_text_loader_reads_windows_1252(tmp_path: Path, name: str, text: str,
                                              load: Callable[[Path], tuple[str, float]], expected: float
                                              ) -> None:
    p = _write(tmp_path, text.encode("cp1252"), name)
    assert load(p) == (_FRYSLAN, expected)


def test_loader_problems_name_the_file_line(tmp_path: Path) -> None:
    from roltrap.io.kwb import read_kwb

    # A title line above the header and a blank line: the bad cell is on line 5 of the file.
    text = "Kerncijfers wijken en buurten 2021\ngwb_code_10;regio;recs;a_inw\nGM0546;Leiden;Gemeente;1\n\n" \
           "GM0518;'s-Gravenhage;Gemeente;12x\n"
    with pytest.raises(InputError) as exc:
        read_kwb(_write(tmp_path, text.encode("cp1252"), "kwb-2021.csv"))
    assert [(p.row, p.column) for p in exc.value.problems] == [(5, "a_inw")]
