"""The report data model: immutable, typed, shaped by :mod:`govinfo.layout`.

Dataclasses rather than pydantic: the model must hold data that breaks the rules (so the
rules can report it, all at once, with bilingual messages) instead of refusing it at
construction, and frozen dataclasses keep it immutable like great_tables' ``GTData`` with no
extra dependency. Reading and writing parameter files is in :mod:`govinfo.params`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from . import layout as L
from .findings import Finding

if TYPE_CHECKING:
    import pandas as pd

Number = int | Decimal


def frozen_mapping(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """A read-only copy of ``mapping``: what every table of a :class:`Report` holds, so a
    report can be shared (between cells, threads, caches) without being changed under it."""
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Overview:
    """一、总体情况: an optional intro and the five customary subsections (Markdown)."""

    intro: str = ""
    active: str = ""
    requests: str = ""
    management: str = ""
    platform: str = ""
    oversight: str = ""

    def parts(self) -> list[tuple[str, str]]:
        """(subheading, text) for each subsection, in the official order."""
        return [(label, getattr(self, key)) for key, label in L.OVERVIEW_PARTS]

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, key).strip() for key in L.OVERVIEW_KEYS)


@dataclass(frozen=True)
class Narrative:
    overview: Overview = field(default_factory=Overview)
    problems: str = ""  # 五
    other: str = ""  # 六


@dataclass(frozen=True)
class ProcessingFees:
    """信息处理费 under 国办函〔2020〕109号, reported in 六 even when zero."""

    notices: int = 0
    notice_amount_yuan: Decimal = Decimal(0)
    collected_yuan: Decimal = Decimal(0)


@dataclass(frozen=True)
class ActiveDisclosure:
    """表二: ``cells`` maps (item, measure) to a value; measure is None for single values."""

    cells: Mapping[tuple[str, str | None], Number] = field(
        default_factory=lambda: frozen_mapping({cell: 0 for cell in L.active_cells()})
    )

    def get(self, item: str, measure: str | None = None) -> Number:
        return self.cells[(item, measure)]

    @property
    def fees_10k_yuan(self) -> Decimal:
        return Decimal(self.cells[(L.FEE_KEY, None)])

    def to_frame(self) -> pd.DataFrame:
        from .tables import active_frame

        return active_frame(self)

    def _repr_html_(self) -> str:
        from .tables import active_html

        return active_html(self)


@dataclass(frozen=True)
class Applications:
    """表三: ``rows`` maps each of the 25 row keys to its 7 values (总计 last)."""

    rows: Mapping[str, tuple[int, ...]] = field(
        default_factory=lambda: frozen_mapping({key: (0,) * 7 for key in L.APPLICATION_ROW_KEYS})
    )

    def cell(self, row: str, column: str) -> int:
        return self.rows[row][L.APPLICATION_COLUMN_KEYS.index(column)]

    def column(self, column: str) -> dict[str, int]:
        index = L.APPLICATION_COLUMN_KEYS.index(column)
        return {key: values[index] for key, values in self.rows.items()}

    def total(self, row: str) -> int:
        return self.rows[row][-1]

    @property
    def is_empty(self) -> bool:
        return not any(any(values) for values in self.rows.values())

    def to_frame(self) -> pd.DataFrame:
        from .tables import applications_frame

        return applications_frame(self)

    def _repr_html_(self) -> str:
        from .tables import applications_html

        return applications_html(self)


@dataclass(frozen=True)
class ReviewLitigation:
    """表四: ``groups`` maps review / litigation_direct / litigation_after_review to 5 values."""

    groups: Mapping[str, tuple[int, ...]] = field(
        default_factory=lambda: frozen_mapping({key: (0,) * 5 for key in L.CASE_GROUP_KEYS})
    )

    def cell(self, group: str, outcome: str) -> int:
        return self.groups[group][L.REVIEW_OUTCOME_KEYS.index(outcome)]

    @property
    def is_empty(self) -> bool:
        return not any(any(values) for values in self.groups.values())

    def to_frame(self) -> pd.DataFrame:
        from .tables import review_frame

        return review_frame(self)

    def _repr_html_(self) -> str:
        from .tables import review_html

        return review_html(self)


@dataclass(frozen=True)
class Report:
    """One agency's annual report for one year.

    ``load_findings`` are the shape problems met while reading the file (unknown keys,
    wrong row lengths …); :func:`govinfo.rules.check` adds the arithmetic rules to them.
    ``previous`` is last year's report when the file names one.
    """

    agency: str
    agency_id: str
    year: int
    region: str = ""
    kind: str = "department"
    scope: str = "agency"
    published: dt.date | None = None
    narrative: Narrative = field(default_factory=Narrative)
    processing_fees: ProcessingFees | None = None
    active: ActiveDisclosure = field(default_factory=ActiveDisclosure)
    applications: Applications = field(default_factory=Applications)
    review_litigation: ReviewLitigation = field(default_factory=ReviewLitigation)
    previous_path: str | None = None
    schema: str = L.SCHEMA
    source: Path | None = field(default=None, compare=False)
    previous: Report | None = field(default=None, compare=False, repr=False)
    load_findings: tuple[Finding, ...] = field(default=(), compare=False, repr=False)

    @property
    def title(self) -> str:
        return L.title(self.agency, self.year)

    @property
    def period(self) -> str:
        return L.period(self.year)

    def replace(self, **changes: Any) -> Report:
        """A copy with ``changes`` applied (the model is immutable)."""
        return replace(self, **changes)

    def with_cell(self, section: str, row: str, column: str | None, value: Number) -> Report:
        """A copy with one table cell changed: the editor's single way to edit numbers."""
        if section == "active":
            cells = dict(self.active.cells)
            cells[(row, column)] = value
            return self.replace(active=ActiveDisclosure(frozen_mapping(cells)))
        if section == "applications":
            rows = dict(self.applications.rows)
            values = list(rows[row])
            values[L.APPLICATION_COLUMN_KEYS.index(column or "")] = int(value)
            rows[row] = tuple(values)
            return self.replace(applications=Applications(frozen_mapping(rows)))
        if section == "review_litigation":
            groups = dict(self.review_litigation.groups)
            values = list(groups[row])
            values[L.REVIEW_OUTCOME_KEYS.index(column or "")] = int(value)
            groups[row] = tuple(values)
            return self.replace(review_litigation=ReviewLitigation(frozen_mapping(groups)))
        raise KeyError(section)

    # Views for Jupyter and pandas; the renderers live in govinfo.tables.

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """The three official tables as DataFrames, keyed by section."""
        return {
            "active": self.active.to_frame(),
            "applications": self.applications.to_frame(),
            "review_litigation": self.review_litigation.to_frame(),
        }

    def _repr_html_(self) -> str:
        from .tables import report_html

        return report_html(self)


def blank_report(agency: str, agency_id: str, year: int, **fields: Any) -> Report:
    """A complete report with every cell zero and placeholder narrative (``govinfo new``)."""
    placeholder = L.NARRATIVE_PLACEHOLDER
    overview = Overview(**{key: placeholder for key, _ in L.OVERVIEW_PARTS})
    return Report(
        agency=agency,
        agency_id=agency_id,
        year=year,
        narrative=Narrative(overview=overview, problems=placeholder, other=placeholder),
        processing_fees=ProcessingFees(),
        **fields,
    )
