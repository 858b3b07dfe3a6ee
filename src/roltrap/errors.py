"""The one place where roltrap's errors live.

Every error a user can cause is a :class:`RoltrapError`. Its message says what went wrong, where
(file, row, column) and how to fix it; the CLI prints it without a traceback and exits non-zero,
the web app turns it into a 4xx response via ``http_status``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One validation failure, located as precisely as the source allows."""

    message: str
    file: str | None = None
    row: int | None = None  # 1-based line number in the file, header = 1
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(Path(self.file).name)
        if self.row is not None:
            where.append(f"rij {self.row}")
        if self.column:
            where.append(f"kolom '{self.column}'")
        loc = ", ".join(where)
        val = f" (waarde: {self.value!r})" if self.value is not None else ""
        return f"{loc}: {self.message}{val}" if loc else f"{self.message}{val}"


# How a parameter is named where no shell says otherwise (the library, JSON answers). The CLI names
# its option (``--wijk``), the web app its form field; see :meth:`RoltrapError.message_for`.
PARAM_NAMES: dict[str, str] = {
    "gemeente": "de gemeente", "wijk": "de wijk", "buurt": "de buurt", "code": "de regiocode",
    "level": "het niveau", "year": "het jaar", "period": "de periode", "indicator": "de indicator",
    "format": "het formaat", "path": "het bestand", "engine": "de rekenmachine", "age": "de leeftijd",
    "follow": "de volgperiode", "base_year": "het basisjaar", "years": "de jaren", "scale": "de schaal",
    "out": "het uitvoerbestand", "out_dir": "de uitvoermap", "target": "het doel", "scheme": "de indeling",
    "partial": "de deeljaren", "peildatum": "de peildatum", "file_format": "het bestandsformaat",
    "output_check": "de map voor de outputcontrole", "new_region": "de optie nieuwe gemeenten toestaan",
    "memory_limit": "de geheugengrens",
    "db": "het databasebestand",
}
_PARAM_TOKEN = re.compile(r"\{([a-z][a-z0-9_]*)\}")
# Control characters (ESC starts terminal escape sequences) and bidi overrides (which reorder what a
# terminal shows): a file name or cell value holding them must never reach a terminal raw.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with control characters written as visible escapes (ESC → ``\\x1b``); newlines and
    tabs stay. Every message and hint goes through it, so user input quoted in one is harmless."""
    def one(m: re.Match[str]) -> str:
        code = ord(m.group(0))
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNPRINTABLE.sub(one, text)


def render_params(text: str, names: Mapping[str, str] | None = None) -> str:
    """Replace ``{wijk}``-style parameter tokens by how this shell names them.

    Only tokens of known parameters (``names`` or :data:`PARAM_NAMES`) are replaced; any other
    brace in the text (a quoted file name, a value) is left alone, so user text is never formatted.
    """
    table = {**PARAM_NAMES, **(names or {})}

    def one(m: re.Match[str]) -> str:
        return table.get(m.group(1), m.group(0))

    return _PARAM_TOKEN.sub(one, text)


def _first_up(text: str, template: str) -> str:
    """A message that opens with a parameter ("{follow} moet …") starts with a capital once named
    ("De volgperiode moet …"); any other opening (a file name) is left as it is."""
    return text[:1].upper() + text[1:] if template.startswith("{") else text


class RoltrapError(Exception):
    """Base class: a mistake in input or usage, reported to the user without traceback.

    ``param`` names the parameter at fault (``"wijk"``, ``"year"``; ``None`` when no one parameter
    is) and ``value`` what the user gave for it, so each shell words the fix in its own terms.
    A message or hint may mention parameters as ``{wijk}``, ``{year}``: :attr:`message` and
    :attr:`hint` read them as plain Dutch ("de wijk"); :meth:`message_for` / :meth:`hint_for`
    take the shell's names (the CLI: ``--wijk``; the web app: its form field). Core code should
    write ``{wijk}``, never ``--wijk``.
    """

    http_status = 400
    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None, param: str | None = None,
                 value: Any = None) -> None:
        self.template = printable(message)
        self.hint_template = printable(hint) if hint is not None else None
        self.param = param
        self.value = value
        self.message = _first_up(render_params(self.template), self.template)
        self.hint = render_params(self.hint_template) if self.hint_template is not None else None
        super().__init__(self.message if self.hint is None else f"{self.message}\nTip: {self.hint}")

    def message_for(self, names: Mapping[str, str]) -> str:
        """The message with parameters named as a shell names them (e.g. ``{"wijk": "--wijk"}``)."""
        return _first_up(render_params(self.template, names), self.template)

    def hint_for(self, names: Mapping[str, str]) -> str | None:
        return render_params(self.hint_template, names) if self.hint_template is not None else None


class ConfigError(RoltrapError):
    """Settings or options that cannot work together."""


class NotFoundError(RoltrapError, KeyError):
    """An unknown region, indicator, year, source or page."""

    http_status = 404

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return Exception.__str__(self)


class NotAvailableError(RoltrapError):
    """The data needed for a figure are not in the store."""

    http_status = 404


@dataclass
class _Collected:
    problems: list[Problem] = field(default_factory=list)


class InputError(RoltrapError):
    """A file that cannot be read or that fails validation.

    Carries every problem found in one pass; the message shows the first few and a count.
    """

    http_status = 422
    shown = 10

    def __init__(
        self, message: str, *, problems: list[Problem] | None = None, file: str | Path | None = None,
        hint: str | None = None, param: str | None = None, value: Any = None,
    ) -> None:
        self.problems = list(problems or [])
        self.file = str(file) if file is not None else None
        lines = [message]
        for p in self.problems[: self.shown]:
            lines.append(f"  - {p}")
        if len(self.problems) > self.shown:
            lines.append(f"  ... en nog {len(self.problems) - self.shown} problemen "
                         f"({len(self.problems)} in totaal)")
        super().__init__("\n".join(lines), hint=hint, param=param, value=value)


class PrivacyError(RoltrapError):
    """Input that would store or reveal who a person is (names, BSN, addresses, free text)."""

    http_status = 422


class NetworkError(RoltrapError):
    """An online source (CBS OData) that cannot be reached or answers with an error.

    Exit code 2 like any failed import: a fetch is an import from the network, and the way out is the
    same (retry, or download the file by hand and import it)."""

    http_status = 502
    exit_code = 2


class EngineError(RoltrapError):
    """A compute engine (DuckDB, Spark) that is missing or failed to start."""

    http_status = 503
    exit_code = 3


# pydantic's error types in Dutch (its own messages are English: "Input should be a valid integer").
_VALIDATION_DUTCH: dict[str, str] = {
    "missing": "ontbreekt",
    "int_parsing": "moet een geheel getal zijn",
    "int_from_float": "moet een geheel getal zijn",
    "int_type": "moet een geheel getal zijn",
    "float_parsing": "moet een getal zijn",
    "float_type": "moet een getal zijn",
    "finite_number": "moet een eindig getal zijn",
    "bool_parsing": "moet ja of nee zijn (true/false, 1/0)",
    "bool_type": "moet ja of nee zijn (true/false, 1/0)",
    "string_type": "moet tekst zijn",
    "greater_than": "moet groter zijn dan {gt}",
    "greater_than_equal": "moet minstens {ge} zijn",
    "less_than": "moet kleiner zijn dan {lt}",
    "less_than_equal": "mag hoogstens {le} zijn",
    "string_too_short": "moet minstens {min_length} tekens lang zijn",
    "string_too_long": "mag hoogstens {max_length} tekens lang zijn",
    "too_short": "moet minstens {min_length} elementen hebben",
    "too_long": "mag hoogstens {max_length} elementen hebben",
    "string_pattern_mismatch": "heeft niet de goede vorm",
    "literal_error": "moet een van deze zijn: {expected}",
    "enum": "moet een van deze zijn: {expected}",
    "extra_forbidden": "is onbekend",
    "path_type": "moet een bestandspad zijn",
    "url_parsing": "moet een geldig webadres zijn",
    "json_invalid": "is geen geldige JSON",
}


def validation_messages(errors: list[dict[str, Any]], *, names: Mapping[str, str] | None = None) -> list[str]:
    """pydantic's ``ValidationError.errors()`` (or FastAPI's) as Dutch sentences, one per error:
    "de poort (ROLTRAP_PORT): moet een geheel getal zijn, niet 'abc'"."""
    from roltrap import fmt

    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        key = loc[-1] if loc else ""
        where = (names or {}).get(key) or PARAM_NAMES.get(key) or (f"'{key}'" if key else "de invoer")
        # A bound like a year (1900) reads without a thousands point; larger ones with it (50.000).
        ctx = {k: (fmt.number(v, grouping=abs(v) >= 10_000) if isinstance(v, (int, float))
                   and not isinstance(v, bool) else str(v).replace("' or '", "' of '"))  # pydantic's "or"
               for k, v in (err.get("ctx") or {}).items()}
        text = _VALIDATION_DUTCH.get(str(err.get("type")), "is ongeldig")
        try:
            text = text.format(**ctx)
        except (KeyError, IndexError):
            text = _VALIDATION_DUTCH.get(str(err.get("type")), "is ongeldig").split(" {")[0]
        given = err.get("input")
        shown = "" if err.get("type") == "missing" or isinstance(given, (dict, list)) or given is None \
            else f", niet '{str(given)[:40]}'"
        out.append(f"{where}: {text}{shown}")
    return out


def from_validation(exc: Any, *, names: Mapping[str, str] | None = None,
                    what: str = "De instellingen kloppen niet") -> ConfigError:
    """A :class:`ConfigError` in Dutch from a pydantic ``ValidationError`` (``param``: the first
    field at fault)."""
    errors = list(exc.errors()) if hasattr(exc, "errors") else []
    lines = validation_messages(errors, names=names)
    first = errors[0] if errors else {}
    loc = [str(p) for p in first.get("loc", ())]
    return ConfigError(f"{what}: " + "; ".join(lines) + "." if lines else f"{what}.",
                       param=loc[-1] if loc else None, value=first.get("input"))
