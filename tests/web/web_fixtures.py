"""Fixture data shared by the web tests (a module of its own: conftest.py names clash across folders)."""

# A second municipality with buurten: Groningen's first two wijken split into two buurten each, whose
# counts sum to the wijk's real 2022 figures (a_inw, a_hh) and whose shapes are the wijk's halves.
BUURTEN = {  # code: (name, wijk, a_inw, a_hh, p_hh_110, a_soz_wb)
    "BU00140000": ("Binnenstad-Noord", "WK001400", 12000, 9000, 12.5, 40),
    "BU00140001": ("Binnenstad-Zuid", "WK001400", 11065, 9300, 8.0, 5),
    "BU00140100": ("Herewegbuurt", "WK001401", 10250, 7000, 15.0, 30),
    "BU00140101": ("Oosterpoort", "WK001401", 10000, 7680, 22.0, 60),
}
