"""CBS region codes in every shape they come in, and the level each code denotes.

Seen in the wild: ``"GM0546"``, padded ``"WK054600  "``, numeric with lost zeros (``546`` for a
gemeente, ``54600`` for a wijk, ``5460000`` for a buurt), ``"NL00"``/``"NL01"`` for the country.
"""

from __future__ import annotations

import re

_PREFIX_LEVEL = {"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}
_DIGITS = {"GM": 4, "WK": 6, "BU": 8}
_CODE = re.compile(r"^(NL|GM|WK|BU)(\d+)$")
# Since 2022 some municipalities (Amsterdam: WK0363AA, BU0363AA01) use letters after the gemeente digits.
_ALNUM = re.compile(r"^(WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$")
_EXAMPLE = {"GM": "GM0546", "WK": "WK054600", "BU": "BU05460000"}
# Every message starts the same way, so callers can show it as is or after a cell location.
_BAD = "geen geldige regiocode"
_EXPECTED = "verwacht bijv. GM0546 (gemeente), WK054600 (wijk) of BU05460000 (buurt)"


def normalise_code(raw: object, *, level: str | None = None) -> str:
    """Return the canonical code (``GM0546``, ``WK054600``, ``BU05460000``, ``NL00``).

    Numbers without prefix need ``level`` unless their length tells it (≤4 digits: gemeente,
    5–6: wijk, 7–8: buurt — the ``gwb_code_8`` convention of the KWB files).
    Raises ``ValueError`` with the reason (in Dutch, for the user) when the value cannot be a
    region code.
    """
    if raw is None:
        raise ValueError(f"{_BAD}: de cel is leeg ({_EXPECTED})")
    if isinstance(raw, float):
        if raw != raw:
            raise ValueError(f"{_BAD}: de cel is leeg ({_EXPECTED})")
        if not raw.is_integer():
            raise ValueError(f"{_BAD}: {raw} is een getal met decimalen ({_EXPECTED})")
        raw = int(raw)
    text = str(raw).strip().upper().replace(" ", "")
    if not text:
        raise ValueError(f"{_BAD}: de cel is leeg ({_EXPECTED})")
    if text in {"NL", "NL0", "NL00", "NL01", "NEDERLAND"}:
        return "NL00"
    if _ALNUM.match(text):
        return text
    m = _CODE.match(text)
    if m:
        prefix, digits = m.groups()
        width = _DIGITS.get(prefix)
        if width is None:
            return prefix + digits.zfill(2)
        if len(digits) > width:
            raise ValueError(
                f"{_BAD}: '{text}' heeft {len(digits)} cijfers, een {_PREFIX_LEVEL[prefix]}code heeft er "
                f"{width} (bijv. {_EXAMPLE[prefix]})"
            )
        return prefix + digits.zfill(width)
    if text.isdigit():
        n = len(text)
        lvl = level or ("gemeente" if n <= 4 else "wijk" if n <= 6 else "buurt" if n <= 8 else None)
        prefix = {"gemeente": "GM", "wijk": "WK", "buurt": "BU"}.get(lvl or "")
        if prefix is None:
            raise ValueError(f"{_BAD}: '{text}' heeft te veel cijfers ({_EXPECTED})")
        return prefix + text.zfill(_DIGITS[prefix])
    raise ValueError(f"{_BAD}: '{str(raw).strip()}' is geen CBS-regiocode ({_EXPECTED})")


def level_of(code: str) -> str:
    """The level a canonical code denotes."""
    return _PREFIX_LEVEL[code[:2]]


def parent_of(code: str) -> str | None:
    """Municipality of a wijk, wijk of a buurt, country of a municipality."""
    prefix = code[:2]
    if prefix == "WK":
        return "GM" + code[2:6]
    if prefix == "BU":
        return "WK" + code[2:8]
    if prefix == "GM":
        return "NL00"
    return None


def gemeente_of(code: str) -> str | None:
    if code[:2] in ("WK", "BU"):
        return "GM" + code[2:6]
    return code if code.startswith("GM") else None


_NAME_FIXES = {
    "'s-gravenhage": "'s-Gravenhage", "s-gravenhage": "'s-Gravenhage", "den haag": "'s-Gravenhage",
    "'s-hertogenbosch": "'s-Hertogenbosch", "s-hertogenbosch": "'s-Hertogenbosch",
    "den bosch": "'s-Hertogenbosch",
}


def canonical_name(name: str) -> str:
    """Gemeente names as CBS writes them (``'s-Gravenhage``), whatever quote or alias came in."""
    text = " ".join(str(name).replace("\u2019", "'").replace("`", "'").split())
    return _NAME_FIXES.get(text.lower(), text)
