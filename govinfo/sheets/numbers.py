"""A number cell of the collection workbook, both ways: the value a report holds for a cell
(:func:`value_of`), what a 总计 formula gives (:func:`derived`), and how a cell is written
(:func:`put_number`): the value, empty when not filled in, or the text of a mark."""

from __future__ import annotations

from typing import Any

from .. import layout as L
from ..model import Cell, Number, Report
from . import formulas as F
from . import layout_cells as C
from .xlsx import put_text

APPS, REVIEW = L.APPLICATIONS, L.REVIEW_LITIGATION


def value_of(report: Report, cell: Cell) -> Number:
    section, row, column = cell
    if section == L.ACTIVE:
        return report.active.get(str(row), column)
    if section == APPS:
        return report.applications.cell(str(row), str(column))
    if section == REVIEW:
        return report.review_litigation.cell(str(row), str(column))
    fees = report.processing_fees
    return getattr(fees, str(row)) if fees is not None else 0


def derived(report: Report, cell: Cell) -> Number | None:
    """What a total's formula gives for ``report``: the sum of its parts, None while one
    is not filled in."""
    total: Number = 0
    for part in F.parts(cell):
        if not report.is_filled(*part):
            return None
        total += value_of(report, part)
    return total


def put_number(ws: Any, report: Report, cell: Cell, place: C.Place) -> None:
    """A number as the report holds it: the value, empty when not filled in, or the text
    of a published blank, an unread cell or a number written oddly, kept as written."""
    target = ws.cell(place.row, place.col)
    mark = report.mark(*cell)
    if mark is None:
        target.value = value_of(report, cell)
    elif mark.state == "unread":
        put_text(target, "unread")
    elif mark.state != "missing":
        put_text(target, mark.text)
