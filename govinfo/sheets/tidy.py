"""The county's data in long, tidy form: one row per agency, year and table cell, for
researchers and pandas (``govinfo export --to csv|parquet``), and the reports behind it.

Columns: year, region, region_code, agency_id, agency, table, row, column, value, status,
then scope, row_label and column_label. ``region_code`` is the GB/T 2260 code as text
(``320813``: a string column in Parquet), empty (null) when the file gives none. ``table``,
``row`` and ``column`` are the keys of model.md (``column`` empty for single cells), the
labels the official Chinese text. ``value`` is empty whenever the report holds no number
(never 0), and ``status`` says why:

========== ===============================================================================
published  the report has no error: this is the number it publishes
invalid    the report has an error (it is not published as final, and not summed)
duplicate  two files give the same year and agency_id (neither is summed)
missing    the cell is not filled in
blank      a published blank (``/``, ``-``): the report counts it as 0
unread     an import could not read it
bad-number a number written so that readers disagree (``010727``): NUMBER-FORMAT
========== ===============================================================================

``scope`` is ``agency`` or ``region``: a region's report (本行政区域汇总) already sums its
units, so add up ``scope == "agency"`` rows only. Region sums are not rows here (the
workbook has them): a dataset of reports stays one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .. import layout as L
from ..findings import Finding
from ..model import Cell, Number, Report, all_cells
from .numbers import value_of

COLUMNS = (
    "year", "region", "region_code", "agency_id", "agency", "table", "row", "column", "value",
    "status", "scope", "row_label", "column_label",
)  # fmt: skip
MARK_STATUS = {"missing": "missing", "blank": "blank", "unread": "unread", "invalid": "bad-number"}


@dataclass(frozen=True)
class Entry:
    """One parameter file of the export: its report and all its findings."""

    report: Report
    findings: tuple[Finding, ...] = ()
    duplicate: bool = False

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def status(self) -> str:
        if self.duplicate:
            return "duplicate"
        return "invalid" if self.errors else "published"


def labels(cell: Cell) -> tuple[str, str]:
    """(row label, column label) of a cell, in the official words."""
    section, row, column = cell
    if section == L.ACTIVE:
        item = L.active_label(str(row))
        if column is None:
            group = next(g for g in L.ACTIVE_GROUPS if any(i.key == row for i in g.items))
            return item, group.measures[0][1]
        return item, dict(L.ACTIVE_MEASURES)[column]
    if section == L.APPLICATIONS:
        return " ".join(L.ROW_BY_KEY[str(row)].path), L.COLUMN_BY_KEY[str(column)].label
    if section == L.REVIEW_LITIGATION:
        return L.CASE_GROUP_BY_KEY[str(row)].full_label, L.REVIEW_OUTCOME_BY_KEY[str(column)].label
    return dict(L.PROCESSING_FEES)[str(row)], ""


def cell_value(report: Report, cell: Cell) -> tuple[Number | None, str | None]:
    """(the number, None) or (None, the mark's state): a cell as data."""
    mark = report.mark(*cell)
    if mark is not None:
        return None, MARK_STATUS[mark.state]
    if cell[0] == L.PROCESSING_FEES_KEY and report.processing_fees is None:
        return None, "missing"
    return value_of(report, cell), None


def rows(entries: Sequence[Entry]) -> Iterator[dict[str, Any]]:
    """Every cell of every report as one tidy row."""
    cells = all_cells()
    for entry in entries:
        r = entry.report
        for cell in cells:
            value, state = cell_value(r, cell)
            row_label, column_label = labels(cell)
            yield {
                "year": r.year,
                "region": r.region,
                "region_code": r.region_code or None,
                "agency_id": r.agency_id,
                "agency": r.agency,
                "table": cell[0],
                "row": cell[1],
                "column": cell[2] or "",
                "value": value,
                "status": state or entry.status,
                "scope": r.scope,
                "row_label": row_label,
                "column_label": column_label,
            }


def _csv_field(value: Any) -> str:
    """A CSV field that no spreadsheet opening the file takes for a formula."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def csv_bytes(entries: Sequence[Entry]) -> bytes:
    """UTF-8 with a BOM (Excel opens it as UTF-8), header first, numbers as written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows(entries):
        writer.writerow([_csv_field(row[key]) for key in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def parquet_bytes(entries: Sequence[Entry]) -> bytes:
    """Parquet with typed columns: year int32, value float64 (null when there is no number;
    counts are exact below 2^53), every other column text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [("year", pa.int32()), ("value", pa.float64())]
        + [(key, pa.string()) for key in COLUMNS if key not in ("year", "value")]
    )
    data: dict[str, list[Any]] = {key: [] for key in COLUMNS}
    for row in rows(entries):
        for key in COLUMNS:
            value = row[key]
            data[key].append(float(value) if key == "value" and value is not None else value)
    table = pa.table(
        {key: data[key] for key in COLUMNS},
        schema=pa.schema([schema.field(key) for key in COLUMNS]),
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()
