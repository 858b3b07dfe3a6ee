"""Path options accept Windows forms (G:\\…, backslashes, quotes)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

from roltrap.cohort.microdata.paths import option, parse


def test_windows_flavour_keeps_drive_and_parts() -> None:
    p = parse(r'"G:\Bevolking\GBAADRESOBJECTBUS\"', windows=True)
    assert isinstance(p, PureWindowsPath)
    assert p.drive == "G:" and p.parts == ("G:\\", "Bevolking", "GBAADRESOBJECTBUS")
    assert parse(r"G:/Onderwijs\HOOGSTEOPLTAB", windows=True).parts == ("G:\\", "Onderwijs", "HOOGSTEOPLTAB")
    assert parse(r"\\server\share\map", windows=True).drive == "\\\\server\\share"


def test_backslashes_become_slashes_elsewhere() -> None:
    assert parse(r"data\microdata\VSLGWBTAB", windows=False) == PurePosixPath("data/microdata/VSLGWBTAB")
    assert parse(r"G:\Bevolking", windows=False) == PurePosixPath("G:/Bevolking")
    assert parse("/srv/md", windows=False) == PurePosixPath("/srv/md")


def test_option_gives_a_usable_path(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert option(str(tmp_path) + r"\a\b").is_dir()
