"""The editor's fields: one key per input, its Chinese name, its value, and how to edit it.

Every input of the widget editor is addressed by a cell key ``(section, row, column)`` in the
same vocabulary as :class:`~govinfo.findings.Finding`, so a finding leads straight to the
inputs it concerns and an input straight to the model. This module is pure (no widgets):
reading a field from a :class:`~govinfo.model.Report`, producing the edited copy, deriving
the computed totals, and the findings the editor shows. The widgets live in
:mod:`govinfo.editor_grid` and :mod:`govinfo.editor`.

Totals are computed, not typed: the 总计 column of 表三 and 表四 and the （七）总计 row of 表三
are read-only in the editor and recomputed whenever a cell that feeds them changes. Totals
read from a file are kept as they are until then, so a file whose totals do not add up shows
its APP-TOTAL-ROW / APP-TOTAL-COL / REVIEW-TOTAL findings instead of being silently fixed;
:func:`recompute_all` fixes them on request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

from . import layout as L
from .findings import Finding
from .model import Number, ProcessingFees, Report
from .params import parse, to_mapping
from .rules import cells_of, check

CellKey = tuple[str, str | None, str | None]

APPS, ACTIVE, REVIEW, FEES, NARRATIVE = (
    "applications",
    "active",
    "review_litigation",
    "processing_fees",
    "narrative",
)

# 基本信息: top-level keys of the parameter file with the editor's label for each.
BASIC_FIELDS: tuple[tuple[str, str], ...] = (
    ("agency", "机关名称"),
    ("agency_id", "文件标识"),
    ("region", "所在地区"),
    ("kind", "机关类别"),
    ("scope", "报告范围"),
    ("year", "报告年度"),
    ("published", "发布日期"),
)
BASIC_LABELS = dict(BASIC_FIELDS)
INTRO_LABEL = "导语（小标题前的文字）"
FEES_SWITCH_LABEL = "报告信息处理费"

# Load findings that describe the file rather than the values: a round trip through
# to_mapping/parse cannot reproduce them, so the editor keeps them from the original load.
FILE_RULES = frozenset({"UNKNOWN-KEY", "EXTRA-SUBTOTAL", "PREVIOUS"})


def table_keys() -> Iterator[CellKey]:
    """Every numeric cell of 二, 三 and 四, in the official order."""
    for item, measure in L.active_cells():
        yield (ACTIVE, item, measure)
    for row in L.APPLICATION_ROW_KEYS:
        for column in L.APPLICATION_COLUMN_KEYS:
            yield (APPS, row, column)
    for group in L.CASE_GROUP_KEYS:
        for outcome in L.REVIEW_OUTCOME_KEYS:
            yield (REVIEW, group, outcome)


def is_computed(key: CellKey) -> bool:
    """True for the read-only totals (总计 column of 三 and 四, （七）总计 row of 三)."""
    section, row, column = key
    if section == APPS:
        return row == L.TOTAL or column == L.TOTAL
    return section == REVIEW and column == "total"


def is_decimal(key: CellKey) -> bool:
    """Amounts (万元, 元) are decimals; every other number is a count."""
    section, row, _ = key
    return (section == ACTIVE and row == L.FEE_KEY) or (
        section == FEES and row in ("notice_amount_yuan", "collected_yuan")
    )


# --------------------------------------------------------------------------- names


def row_name(row: str) -> str:
    """A row of 表三 named by its group and own label, e.g. ``（三）不予公开1.属于国家秘密``."""
    spec = L.ROW_BY_KEY[row]
    inner = spec.groups[1:]  # 三、本年度办理结果 is implied by the numbering of its rows
    return "".join((*(g.label for g in inner), spec.label))


def cell_label(section: str, row: str | None = None, column: str | None = None) -> str:
    """The Chinese name of a field or cell.

    For example ``三 一、本年新收政府信息公开申请数量 · 自然人``, or ``三 自然人列`` for a
    finding about a whole column.
    """
    if section in BASIC_LABELS:
        return BASIC_LABELS[section]
    if section == NARRATIVE:
        if row == "overview":
            parts = dict(L.OVERVIEW_PARTS)
            part = INTRO_LABEL if column == "intro" else parts.get(column or "", "")
            return " ".join(p for p in (L.SECTION_BY_KEY["overview"].heading, part) if p)
        if row in ("problems", "other"):
            return L.SECTION_BY_KEY[row].heading
        return "正文"
    if section == FEES:
        return dict(L.PROCESSING_FEES).get(row or "", "信息处理费")
    numeral = L.SECTION_BY_KEY[section].numeral if section in L.SECTION_BY_KEY else ""
    names: list[str] = []
    if section == ACTIVE and row:
        names.append(L.active_label(row, column))
    elif section == APPS:
        if row:
            names.append(row_name(row))
        if column:
            names.append(L.COLUMN_BY_KEY[column].label + ("" if row else "列"))
    elif section == REVIEW:
        if row:
            names.append(L.CASE_GROUP_BY_KEY[row].full_label)
        if column:
            names.append(dict((o.key, o.label) for o in L.REVIEW_OUTCOMES)[column])
    return " ".join((numeral, " · ".join(names))).strip() or section


def css_class(key: CellKey) -> str:
    """The stable CSS class of an input, e.g. ``gi-cell-applications-new-natural_person``."""
    return "gi-cell-" + "-".join(part for part in key if part)


# --------------------------------------------------------------------------- values


def get_value(report: Report, key: CellKey) -> Any:
    """The value a field shows for ``report``."""
    section, row, column = key
    if section in (ACTIVE, APPS, REVIEW):
        if section == ACTIVE:
            return report.active.get(row or "", column)
        if section == APPS:
            return report.applications.cell(row or "", column or "")
        return report.review_litigation.cell(row or "", column or "")
    if section == NARRATIVE:
        if row == "overview":
            return getattr(report.narrative.overview, column or "")
        return getattr(report.narrative, row or "")
    if section == FEES:
        fees = report.processing_fees
        if row is None:
            return fees is not None
        return getattr(fees or ProcessingFees(), row)
    return getattr(report, section)


def to_number(key: CellKey, value: Any) -> Number:
    """A widget's number as the model keeps it: exact Decimal for amounts, else int."""
    if is_decimal(key):
        if isinstance(value, float):
            return Decimal(repr(value))  # the shortest text of the float: 24457.4 stays so
        return Decimal(value)
    return int(value)


def set_value(report: Report, key: CellKey, value: Any) -> Report:
    """A copy of ``report`` with one field changed (the model itself is immutable)."""
    section, row, column = key
    if section in (ACTIVE, APPS, REVIEW):
        return report.with_cell(section, row or "", column, to_number(key, value))
    if section == NARRATIVE:
        narrative = report.narrative
        if row == "overview":
            overview = replace(narrative.overview, **{column or "": str(value)})
            return report.replace(narrative=replace(narrative, overview=overview))
        return report.replace(narrative=replace(narrative, **{row or "": str(value)}))
    if section == FEES:
        fees = report.processing_fees
        if row is None:
            return report.replace(processing_fees=(fees or ProcessingFees()) if value else None)
        fees = replace(fees or ProcessingFees(), **{row: to_number(key, value)})
        return report.replace(processing_fees=fees)
    if section == "year":
        return report.replace(year=int(value))
    if section == "published":
        return report.replace(published=value if isinstance(value, dt.date) else None)
    return report.replace(**{section: "" if value is None else str(value)})


# --------------------------------------------------------------------------- totals


def _derived(report: Report, keys: Iterable[CellKey]) -> dict[CellKey, int]:
    """The totals that the cells ``keys`` feed, computed from ``report``."""
    apps, review = report.applications, report.review_litigation
    values: dict[CellKey, int] = {}
    for section, row, column in keys:
        if section == REVIEW and row:
            values[(REVIEW, row, "total")] = sum(review.groups[row][:-1])
        if section != APPS or not row or not column:
            continue
        if row != L.TOTAL:
            values[(APPS, row, L.TOTAL)] = sum(apps.rows[row][:-1])
        if row in L.OUTCOME_KEYS and column != L.TOTAL:
            values[(APPS, L.TOTAL, column)] = sum(apps.cell(k, column) for k in L.OUTCOME_KEYS)
    return values


def with_totals(report: Report, keys: Iterable[CellKey]) -> tuple[Report, list[CellKey]]:
    """``report`` with the totals fed by ``keys`` recomputed; also the totals that changed."""
    changed: list[CellKey] = []

    def apply(values: dict[CellKey, int]) -> None:
        nonlocal report
        for key, value in values.items():
            if get_value(report, key) != value:
                report = set_value(report, key, value)
                changed.append(key)

    keys = list(keys)
    apply(_derived(report, keys))
    if any(k[0] == APPS and k[1] in L.OUTCOME_KEYS for k in keys):  # the grand total
        grand = sum(report.applications.rows[L.TOTAL][:-1])
        apply({(APPS, L.TOTAL, L.TOTAL): grand})
    return report, changed


def recompute_all(report: Report) -> tuple[Report, list[CellKey]]:
    """Every total recomputed from its parts (the editor's 重算总计 button)."""
    parts = [k for k in table_keys() if k[0] in (APPS, REVIEW) and not is_computed(k)]
    return with_totals(report, parts)


# --------------------------------------------------------------------------- findings


def editor_findings(report: Report, file_findings: Iterable[Finding] = ()) -> list[Finding]:
    """What ``govinfo validate`` would report once the current values are saved.

    The values go through the same writer and reader as a saved file (to_mapping → parse),
    so the shape rules (NEGATIVE, AGENCY-ID, YEAR …) judge exactly what Save would write;
    ``file_findings`` are the original load's findings about the file itself (FILE_RULES).
    """
    shape = parse(to_mapping(report), source=report.source).load_findings
    kept = tuple(f for f in file_findings if f.rule in FILE_RULES)
    return check(report.replace(load_findings=(*kept, *shape)))


def concerns(finding: Finding, key: CellKey) -> bool:
    """Does ``finding`` concern the field ``key``? A None row or column means all of them."""
    section, row, column = key
    for f_section, f_row, f_column in cells_of(finding):
        if f_section != section:
            continue
        if (f_row is None or f_row == row) and (f_column is None or f_column == column):
            return True
    return False


def flags(findings: Iterable[Finding], keys: Iterable[CellKey]) -> dict[CellKey, list[Finding]]:
    """The findings of each field that has any, for highlighting."""
    findings = list(findings)
    marked: dict[CellKey, list[Finding]] = {}
    for key in keys:
        found = [f for f in findings if concerns(f, key)]
        if found:
            marked[key] = found
    return marked
