"""The report data model: immutable, typed, shaped by :mod:`govinfo.layout`.

Dataclasses rather than pydantic: the model must hold data that breaks the rules (so the
rules can report it, all at once, with bilingual messages) instead of refusing it at
construction, and frozen dataclasses keep it immutable like great_tables' ``GTData`` with no
extra dependency. Reading and writing parameter files is in :mod:`govinfo.params`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from . import layout as L
from .findings import Finding

if TYPE_CHECKING:
    import pandas as pd

Number = int | Decimal
Cell = tuple[str, str | None, str | None]  # (section, row, column), as findings name cells
CellState = Literal["missing", "blank", "unread", "invalid"]

# The Jupyter and pandas views of the tables (``_repr_html_``, ``to_frame``) render with
# govinfo.publish.tables, which sits above the model. ``import govinfo`` registers those
# renderers here (govinfo.publish.display), so that the arrow points downward: the model
# imports nothing above it.
VIEWS: dict[str, Callable[..., Any]] = {}


def _view(name: str) -> Callable[..., Any]:
    try:
        return VIEWS[name]
    except KeyError:
        raise RuntimeError(f"no {name} view: import govinfo.publish.display first") from None


# What ``govinfo import`` writes for a cell it could not read: an error of its own (UNREAD)
# until someone fills it in, never a blank and never a zero.
UNREAD_MARKER = "unread"


def frozen_mapping(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """A read-only copy of ``mapping``: what every table of a :class:`Report` holds, so a
    report can be shared (between cells, threads, caches) without being changed under it."""
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class CellMark:
    """Why a table cell holds no number: ``missing`` (not filled in: left out or ``null``),
    ``blank`` (a published blank such as ``/`` or ``-``, kept as ``text`` so that pages show
    it and saves write it back), ``unread`` (an import could not read it) or ``invalid`` (a
    number literal other readers would read differently, e.g. ``010727``: kept as ``text`` so
    that a save writes it back unchanged and its NUMBER-FORMAT error stays).

    The tables keep 0 in such a cell so that arithmetic code works unchanged; the mark, in
    :attr:`Report.marks`, is what says the 0 is not a reported zero."""

    state: CellState
    text: str = ""


MISSING = CellMark("missing")
UNREAD = CellMark("unread")


@dataclass(frozen=True)
class Contact:
    """The contact details real reports end with (地址、邮编、电话、电子邮箱). The postcode is
    text: ``048012`` keeps its leading zero."""

    address: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, key).strip() for key in L.CONTACT_KEYS)


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
        return _view("active_frame")(self)

    def _repr_html_(self) -> str:
        return _view("active_html")(self)


@dataclass(frozen=True)
class Applications:
    """表三: ``rows`` maps each of the 25 row keys to its 7 values (总计 last)."""

    rows: Mapping[str, tuple[int, ...]] = field(
        default_factory=lambda: frozen_mapping({key: (0,) * 7 for key in L.APPLICATION_ROW_KEYS})
    )

    def cell(self, row: str, column: str) -> int:
        return self.rows[row][L.APPLICATION_COLUMN_KEYS.index(column)]

    def total(self, row: str) -> int:
        return self.rows[row][-1]

    @property
    def is_empty(self) -> bool:
        return not any(any(values) for values in self.rows.values())

    def to_frame(self) -> pd.DataFrame:
        return _view("applications_frame")(self)

    def _repr_html_(self) -> str:
        return _view("applications_html")(self)


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
        return _view("review_frame")(self)

    def _repr_html_(self) -> str:
        return _view("review_html")(self)


@dataclass(frozen=True)
class Report:
    """One agency's annual report for one year.

    ``load_findings`` are the shape problems met while reading the file (unknown keys,
    wrong row lengths …); :func:`govinfo.rules.check` adds the arithmetic rules to them.
    ``previous`` is last year's report when the file names one. ``marks`` says which table
    cells hold no number (missing, a published blank, unread), keyed like findings: the
    tables hold 0 there. processing_fees cells are ``("processing_fees", key, None)``.
    """

    agency: str
    agency_id: str
    year: int
    region: str = ""
    # GB/T 2260 code (320813): which region's sums the report counts in (govinfo.divisions)
    region_code: str = ""
    kind: str = "department"
    scope: str = "agency"
    published: dt.date | None = None
    contact: Contact | None = None
    narrative: Narrative = field(default_factory=Narrative)
    processing_fees: ProcessingFees | None = None
    active: ActiveDisclosure = field(default_factory=ActiveDisclosure)
    applications: Applications = field(default_factory=Applications)
    review_litigation: ReviewLitigation = field(default_factory=ReviewLitigation)
    marks: Mapping[Cell, CellMark] = field(default_factory=lambda: frozen_mapping({}))
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

    def mark(self, section: str, row: str | None, column: str | None = None) -> CellMark | None:
        """The cell's mark, None when it holds a number as given."""
        return self.marks.get((section, row, column))

    def is_filled(self, section: str, row: str | None, column: str | None = None) -> bool:
        """True unless the cell is missing or unread (a published blank is filled in)."""
        mark = self.mark(section, row, column)
        return mark is None or mark.state == "blank"

    @property
    def incomplete(self) -> bool:
        """Whether any cell is missing or unread: such a report cannot be published final."""
        return any(mark.state != "blank" for mark in self.marks.values())

    def with_cell(self, section: str, row: str, column: str | None, value: Number) -> Report:
        """A copy with one table cell set to a number: the editor's single way to edit
        numbers. The cell's mark (missing, blank, unread) goes: it now holds a number."""
        report = self._set_number(section, row, column, value)
        return report.with_mark(section, row, column, None)

    def with_mark(
        self, section: str, row: str, column: str | None, mark: CellMark | None
    ) -> Report:
        """A copy with one cell's mark set (its number becomes 0) or cleared (``None``)."""
        key = (section, row, column)
        marks = dict(self.marks)
        if mark is None:
            if key not in marks:
                return self
            del marks[key]
            return self.replace(marks=frozen_mapping(marks))
        marks[key] = mark
        return self._set_number(section, row, column, 0).replace(marks=frozen_mapping(marks))

    def _set_number(self, section: str, row: str, column: str | None, value: Number) -> Report:
        try:
            set_cell = _CELL_SETTERS[section]
        except KeyError:
            raise KeyError(section) from None
        return set_cell(self, row, column, value)

    # Views for Jupyter and pandas: renderers of govinfo.publish.tables, registered by
    # govinfo.publish.display (see VIEWS).

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """The three official tables as DataFrames, keyed by section; a cell not filled in
        (missing or unread) is ``pd.NA``, never 0."""
        return {
            "active": _view("active_frame")(self.active, self.marks),
            L.APPLICATIONS: _view("applications_frame")(self.applications, self.marks),
            L.REVIEW_LITIGATION: _view("review_frame")(self.review_litigation, self.marks),
        }

    def _repr_html_(self) -> str:
        return _view("report_html")(self)


def _set_active(report: Report, row: str, column: str | None, value: Number) -> Report:
    cells = dict(report.active.cells)
    cells[(row, column)] = value
    return report.replace(active=ActiveDisclosure(frozen_mapping(cells)))


def _set_application(report: Report, row: str, column: str | None, value: Number) -> Report:
    rows = dict(report.applications.rows)
    values = list(rows[row])
    values[L.APPLICATION_COLUMN_KEYS.index(column or "")] = int(value)
    rows[row] = tuple(values)
    return report.replace(applications=Applications(frozen_mapping(rows)))


def _set_review(report: Report, row: str, column: str | None, value: Number) -> Report:
    groups = dict(report.review_litigation.groups)
    values = list(groups[row])
    values[L.REVIEW_OUTCOME_KEYS.index(column or "")] = int(value)
    groups[row] = tuple(values)
    return report.replace(review_litigation=ReviewLitigation(frozen_mapping(groups)))


def _set_fee(report: Report, row: str, column: str | None, value: Number) -> Report:
    if row not in L.PROCESSING_FEE_KEYS:
        raise KeyError("processing_fees")
    # notices is a count; the amounts are in 元 (Decimal): the field named by ``row``.
    change: dict[str, Any] = {row: int(value) if row == "notices" else Decimal(value)}
    fees = replace(report.processing_fees or ProcessingFees(), **change)
    return report.replace(processing_fees=fees)


# Report.with_cell and with_mark: how to set a number in each section's table.
_CELL_SETTERS: Mapping[str, Callable[[Report, str, str | None, Number], Report]] = {
    L.ACTIVE: _set_active,
    L.APPLICATIONS: _set_application,
    L.REVIEW_LITIGATION: _set_review,
    "processing_fees": _set_fee,
}


def all_cells() -> tuple[Cell, ...]:
    """Every cell of 表二、三、四 and of processing_fees, as (section, row, column) keys."""
    cells: list[Cell] = [("active", item, measure) for item, measure in L.active_cells()]
    cells += [
        (L.APPLICATIONS, row, column)
        for row in L.APPLICATION_ROW_KEYS
        for column in L.APPLICATION_COLUMN_KEYS
    ]
    cells += [
        (L.REVIEW_LITIGATION, group, outcome)
        for group in L.CASE_GROUP_KEYS
        for outcome in L.REVIEW_OUTCOME_KEYS
    ]
    cells += [("processing_fees", key, None) for key in L.PROCESSING_FEE_KEYS]
    return tuple(cells)


def blank_report(agency: str, agency_id: str, year: int, **fields: Any) -> Report:
    """A complete report with every cell missing (not filled in: never a silent 0) and
    placeholder narrative: ``govinfo new`` and the editor's 新建. It cannot be published
    final until every cell and 一、五、六 are filled in."""
    placeholder = L.NARRATIVE_PLACEHOLDER
    overview = Overview(**{key: placeholder for key, _ in L.OVERVIEW_PARTS})
    fields.setdefault("marks", frozen_mapping({cell: MISSING for cell in all_cells()}))
    return Report(
        agency=agency,
        agency_id=agency_id,
        year=year,
        narrative=Narrative(overview=overview, problems=placeholder, other=placeholder),
        processing_fees=ProcessingFees(),
        **fields,
    )


def carry_text(text: str) -> str:
    """Last year's text as the start of this year's, marked （待更新） so that it cannot be
    published unedited (NARRATIVE-EMPTY until the marker is removed). Empty stays the
    placeholder; text already marked is not marked twice."""
    stripped = text.strip()
    if stripped in ("", L.NARRATIVE_PLACEHOLDER):
        return L.NARRATIVE_PLACEHOLDER
    return text if stripped.startswith(L.NARRATIVE_CARRIED) else L.NARRATIVE_CARRIED + text


def next_year(last: Report, previous_path: str, **fields: Any) -> Report:
    """This year's skeleton started from last year's report (``govinfo new --from``).

    Carried over: agency, id, region(_code), kind, scope and contact (``fields`` override them);
    ``previous``; 表三 上年结转 = last year's 结转下年度继续办理 and 表二 现行有效件数 = last
    year's (a cell last year left missing or unread stays missing; a blank counts 0, as in
    every sum); the narrative as a starting text, each part marked （待更新）. Everything
    else is missing, to be filled in."""
    o, n = last.narrative.overview, last.narrative
    base: dict[str, Any] = {
        "agency": last.agency,
        "agency_id": last.agency_id,
        "year": last.year + 1,
        "region": last.region,
        "region_code": last.region_code,
        "kind": last.kind,
        "scope": last.scope,
        "contact": last.contact,
    }
    base.update(fields)
    report = blank_report(previous_path=previous_path, **base)
    parts = {key: carry_text(getattr(o, key)) for key, _ in L.OVERVIEW_PARTS}
    intro = carry_text(o.intro) if o.intro.strip() else ""
    narrative = Narrative(Overview(intro, **parts), carry_text(n.problems), carry_text(n.other))
    report = report.replace(narrative=narrative)
    for column in L.APPLICATION_COLUMN_KEYS:
        if last.is_filled(L.APPLICATIONS, "carried_forward", column):
            value = last.applications.cell("carried_forward", column)
            report = report.with_cell(L.APPLICATIONS, "carried_over", column, value)
    for item in L.ACTIVE_DOC_ITEMS:
        if last.is_filled("active", item, "in_force"):
            in_force = last.active.get(item, "in_force")
            report = report.with_cell("active", item, "in_force", in_force)
    return report
