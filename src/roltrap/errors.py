"""The one place where roltrap's errors live.

Every error a user can cause is a :class:`RoltrapError`. Its message says what went wrong, where
(file, row, column) and how to fix it; the CLI prints it without a traceback and exits non-zero,
the web app turns it into a 4xx response via ``http_status``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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


class RoltrapError(Exception):
    """Base class: a mistake in input or usage, reported to the user without traceback."""

    http_status = 400
    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if hint is None else f"{message}\nTip: {hint}")


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
        hint: str | None = None,
    ) -> None:
        self.problems = list(problems or [])
        self.file = str(file) if file is not None else None
        lines = [message]
        for p in self.problems[: self.shown]:
            lines.append(f"  - {p}")
        if len(self.problems) > self.shown:
            lines.append(f"  ... en nog {len(self.problems) - self.shown} problemen "
                         f"({len(self.problems)} in totaal)")
        super().__init__("\n".join(lines), hint=hint)


class PrivacyError(RoltrapError):
    """Input that would store or reveal who a person is (names, BSN, addresses, free text)."""

    http_status = 422


class NetworkError(RoltrapError):
    """An online source (CBS OData) that cannot be reached or answers with an error."""

    http_status = 502
    exit_code = 3


class EngineError(RoltrapError):
    """A compute engine (DuckDB, Spark) that is missing or failed to start."""

    http_status = 503
    exit_code = 3
