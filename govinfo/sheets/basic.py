"""The sheet 基本信息 (who reports, contact, 信息处理费, the narrative, and how far each table
is filled in) and the hidden sheet ``govinfo`` (template id, year, agency_id, previous,
schema) of the collection workbook.

The 行政区划代码 (``region_code``, GB/T 2260) sits under 所在地区 as a text cell (number
format ``@``, a string cell): typed into it, 320813 stays the text a parameter file holds,
and a spreadsheet never shows or stores it as a number. A validation asks for 6 characters;
whether it is a code is the reader's to say (rule REGION-CODE, naming the cell).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openpyxl.worksheet.datavalidation import DataValidation

from .. import divisions
from .. import layout as L
from ..model import Report
from ..params.write import FIELD_LABELS
from . import layout_cells as C
from . import style as S
from .numbers import put_number
from .xlsx import checked_text, put_text

FEES = L.PROCESSING_FEES_KEY
BLOCKS = {
    ("contact", "address"): "联系方式（选填）",
    (FEES, "notices"): f"信息处理费（在{L.SECTION_BY_KEY['other'].heading}中报告，即使为零）",
    (L.NARRATIVE, "overview", "intro"): "正文（可用 Markdown 格式；也可以以后在参数文件中填写）",
}
REGION_CODE_LABEL = "行政区划代码"
REGION_CODE_RULE = (
    f"选填：6 位数字的行政区划代码（GB/T 2260），如 {divisions.EXAMPLE}；"
    "汇总按它逐级归属（县、市、省）。不知道的可以不填"
)


def field_label(path: tuple[str, ...]) -> str:
    """The Chinese label of a field of 基本信息."""
    head = path[0]
    if path == ("region_code",):
        return f"{REGION_CODE_LABEL}（选填）"
    if len(path) == 1:
        return FIELD_LABELS[head]
    if head == L.CONTACT:
        return dict(L.CONTACT_FIELDS)[path[1]]
    if head == FEES:
        return dict(L.PROCESSING_FEES)[path[1]]
    if path[1] == "overview":
        overview = L.SECTION_BY_KEY["overview"].heading
        return (
            f"{overview}：导语"
            if path[2] == "intro"
            else f"{overview}{dict(L.OVERVIEW_PARTS)[path[2]]}"
        )
    return L.SECTION_BY_KEY[path[1]].heading


def field_text(report: Report, path: tuple[str, ...]) -> str | None:
    """A text field of ``report`` as the workbook shows it (None: empty)."""
    head = path[0]
    if head == "kind":
        return L.KINDS.get(report.kind, report.kind)
    if head == "scope":
        return L.SCOPES.get(report.scope, report.scope)
    if head in ("agency", "region", "region_code"):
        return getattr(report, head)
    if head == L.CONTACT:
        return getattr(report.contact, path[1]) if report.contact else None
    if head == L.NARRATIVE:
        node: Any = report.narrative
        for key in path[1:]:
            node = getattr(node, key)
        return str(node)
    return None


def write_basic(ws: Any, report: Report, status_cols: dict[str, int]) -> None:
    S.title(ws, f"{report.year}年政府信息公开工作年度报告 数据填报表", 2)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 70
    S.fit_width(ws)
    count, amount = S.validations(ws)
    for path, place in C.BASIC_PLACES.items():
        if path in BLOCKS:
            S.label(ws, place.row - 1, 1, BLOCKS[path], cols=2, align=S.LEFT)
        kind = C.BASIC_KINDS[path]
        S.label(ws, place.row, 1, field_label(path), head=False, align=S.LEFT)
        if kind == "locked":
            meta = C.META[path[0]]
            S.formula_cell(ws, place.row, 2, f"={meta.sheet}!{meta.ref}").alignment = S.LEFT
            continue
        cell = S.input_cell(ws, place.row, 2)
        cell.alignment = S.TOP_LEFT if kind == "long" else S.LEFT
        if kind in ("count", "amount"):
            continue  # the fees: written with the table cells (.workbook), validated here
        if kind == "date":
            cell.number_format = "yyyy-mm-dd"
            if report.published is not None:
                cell.value = dt.datetime.combine(report.published, dt.time())
            continue
        cell.number_format = "@"  # text as typed: a postcode keeps its leading zero
        text = field_text(report, path)
        if text:
            put_text(cell, checked_text(text, ".".join(path)))
        if kind == "choice":
            options = list((L.KINDS if path[0] == "kind" else L.SCOPES).values())
            S.choice(ws, place.ref, options)
        if kind == "code":
            _code_rule(ws, place.ref)
        if kind == "long":
            ws.row_dimensions[place.row].height = 45  # room to write; fit_rows grows it
    for cell, place in C.NUMBER_PLACES.items():
        if place.sheet == C.BASIC:
            (amount if C.is_decimal(cell) else count).add(place.ref)
            _fee(ws, report, cell, place)
    _status(ws, status_cols)


def _code_rule(ws: Any, ref: str) -> None:
    """Six characters, explained when the cell is selected (Excel, WPS and LibreOffice)."""
    rule = DataValidation(
        type="textLength",
        operator="equal",
        formula1="6",
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle="行政区划代码有误",
        error=REGION_CODE_RULE,
        promptTitle=REGION_CODE_LABEL,
        prompt=REGION_CODE_RULE,
    )
    ws.add_data_validation(rule)
    rule.add(ref)


def _fee(ws: Any, report: Report, cell: Any, place: C.Place) -> None:
    ws.cell(place.row, place.col).alignment = S.LEFT
    put_number(ws, report, cell, place)


def _status(ws: Any, status_cols: dict[str, int]) -> None:
    """How far each table is filled in: the status line of each sheet, repeated here."""
    row = C.BASIC_STATUS_ROW
    S.label(ws, row, 1, "填写情况（自动计算）", cols=2, align=S.LEFT)
    for n, (section, sheet) in enumerate(C.TABLE_SHEETS.items(), start=1):
        S.label(ws, row + n, 1, L.SECTION_BY_KEY[section].heading, head=False, align=S.LEFT)
        source = C.Place(sheet, C.STATUS_ROW, status_cols[sheet])
        S.formula_cell(ws, row + n, 2, f"={source.formula_ref}").alignment = S.LEFT
    fees = [C.BASIC_PLACES[(FEES, key)] for key in L.PROCESSING_FEE_KEYS]  # one under another
    first, last = fees[0].ref, fees[-1].ref
    n = len(C.TABLE_SHEETS) + 1
    S.label(ws, row + n, 1, "信息处理费", head=False, align=S.LEFT)
    S.formula_cell(
        ws,
        row + n,
        2,
        f'=IF(COUNTA({first}:{last})<{len(fees)},"尚有"&({len(fees)}-COUNTA({first}:{last}))'
        f'&"格未填写（没有的填 0）","已填完")',
    ).alignment = S.LEFT


def write_meta(ws: Any, report: Report) -> None:
    """What the reader checks before reading anything: the template and the year."""
    values: dict[str, Any] = {
        "template": C.TEMPLATE,
        "year": report.year,
        "agency_id": report.agency_id,
        "previous": report.previous_path or "",
        "schema": report.schema,
    }
    for key, place in C.META.items():
        ws.cell(place.row, 1).value = key
        value = values[key]
        if isinstance(value, str):
            if value:
                put_text(ws.cell(place.row, place.col), checked_text(value, key))
        else:
            ws.cell(place.row, place.col).value = value
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 40
