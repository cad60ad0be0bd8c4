"""Findings: what validation says about a report, and the error for unreadable input.

A finding is data (rule id, severity, location, bilingual message) so that the CLI, the
notebook's findings panel, the editor and the HTML tables can each present it their own way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"


@dataclass(frozen=True)
class Finding:
    """One broken rule, located at (section, row, column) of the report.

    ``section`` is a top-level key of the parameter file (``applications``, ``active``,
    ``review_litigation``, ``narrative``, ``agency_id`` …); ``row`` and ``column`` are the
    canonical keys of the official layout, or None where the rule concerns a whole row or
    column.
    """

    rule: str
    severity: Severity
    section: str
    row: str | None
    column: str | None
    zh: str
    en: str
    file: str | None = None

    @property
    def where(self) -> str:
        return "/".join(part for part in (self.section, self.row, self.column) if part)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        return f"{self.rule} {self.severity} {self.where}: {self.zh} | {self.en}"

    def to_dict(self) -> dict[str, str | None]:
        data = asdict(self)
        data["where"] = self.where
        return data


class ParameterError(Exception):
    """A parameter file that cannot be read at all: names the file, the field and the rule.

    Raised for problems that leave no report to check (missing file, malformed YAML, a
    string where a number belongs); everything else becomes a :class:`Finding`.
    """

    def __init__(self, file: str | None, field: str | None, message: str) -> None:
        self.file = file
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        place = ": ".join(part for part in (self.file, self.field) if part)
        return f"{place}: {self.message}" if place else self.message
