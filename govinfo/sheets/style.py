"""How the collection workbook looks: fonts, borders, fills, merged label cells, protection,
data validation and the colours of the 校验 cells. Kept apart from what goes where
(:mod:`.layout_cells`) and what is written (:mod:`.workbook`).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import formulas as F

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")  # the cells to fill in: pale yellow
HEAD_FILL = PatternFill("solid", fgColor="F2F2F2")
FAIL_FILL = PatternFill("solid", fgColor="F8D7DA")
WARN_FILL = PatternFill("solid", fgColor="FFE8CC")
PASS_FONT = Font(color="1E7B34")
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)
UNLOCKED = Protection(locked=False)

COUNT_RULE = "请填写不小于 0 的整数（没有的填 0），不要写单位"
AMOUNT_RULE = "请填写不小于 0 的数，可有小数，不要写单位"


def label(
    ws: Any,
    row: int,
    col: int,
    text: str,
    *,
    rows: int = 1,
    cols: int = 1,
    head: bool = True,
    align: Alignment = CENTER,
) -> None:
    """A label cell of the official table (merged over ``rows`` × ``cols``), bordered."""
    cell = ws.cell(row, col)
    cell.value = text
    cell.alignment = align
    for r in range(row, row + rows):
        for c in range(col, col + cols):
            ws.cell(r, c).border = BORDER
            if head:
                ws.cell(r, c).fill = HEAD_FILL
    if rows > 1 or cols > 1:
        ws.merge_cells(
            start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + cols - 1
        )


def title(ws: Any, text: str, width: int) -> None:
    ws.cell(1, 1).value = text
    ws.cell(1, 1).font = TITLE_FONT
    ws.cell(1, 1).alignment = CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 28


def input_cell(ws: Any, row: int, col: int, *, cols: int = 1, number: str = "General") -> Any:
    """A cell to fill in: unlocked, pale yellow, bordered (merged over ``cols``)."""
    for c in range(col, col + cols):
        ws.cell(row, c).border = BORDER
        ws.cell(row, c).fill = INPUT_FILL
    if cols > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + cols - 1)
    cell = ws.cell(row, col)
    cell.protection = UNLOCKED
    cell.number_format = number
    cell.alignment = CENTER
    return cell


def formula_cell(ws: Any, row: int, col: int, formula: str, *, cols: int = 1) -> Any:
    """A computed cell: locked, bordered, bold (a 总计) or plain (a check)."""
    for c in range(col, col + cols):
        ws.cell(row, c).border = BORDER
    if cols > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + cols - 1)
    cell = ws.cell(row, col)
    cell.value = formula
    cell.alignment = CENTER
    return cell


def validations(ws: Any) -> tuple[DataValidation, DataValidation]:
    """(whole numbers ≥ 0, decimals ≥ 0) for the sheet's number inputs."""
    count = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle="件数有误",
        error=COUNT_RULE,
        promptTitle="件数",
        prompt=COUNT_RULE,
    )
    amount = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle="金额有误",
        error=AMOUNT_RULE,
        promptTitle="金额",
        prompt=AMOUNT_RULE,
    )
    ws.add_data_validation(count)
    ws.add_data_validation(amount)
    return count, amount


def choice(ws: Any, ref: str, options: list[str]) -> None:
    rule = DataValidation(
        type="list",
        formula1='"' + ",".join(options) + '"',
        allow_blank=True,
        showErrorMessage=True,
        error="请从列表中选择",
    )
    ws.add_data_validation(rule)
    rule.add(ref)


def check_colours(ws: Any, ranges: list[str]) -> None:
    """Red for an error, orange for a warning, green for 通过, in the given check ranges."""
    for ref in ranges:
        top = ref.split(":")[0]
        for word, fill in ((F.FAIL, FAIL_FILL), (F.DIFFERENT, FAIL_FILL), (F.REVIEW_ME, WARN_FILL)):
            rule = FormulaRule(formula=[f'LEFT({top},3)="{word}"'], fill=fill)
            ws.conditional_formatting.add(ref, rule)
        ws.conditional_formatting.add(
            ref, FormulaRule(formula=[f'{top}="{F.PASS}"'], font=PASS_FONT)
        )


def protect(ws: Any) -> None:
    """Sheet protection without a password: labels and formulas cannot be overwritten by
    accident; columns and rows can still be resized."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def fit_width(ws: Any, *, landscape: bool = False) -> None:
    """Print on A4, as many pages down as needed but one page across."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit_rows(ws: Any, default_width: float = 10.0) -> None:
    """Rows tall enough for their wrapped labels: spreadsheets do not grow a row for text in
    merged cells, and LibreOffice does not for any row of a file it did not write."""
    spans = {(m.min_row, m.min_col): m for m in ws.merged_cells.ranges}
    for row in ws.iter_rows():
        for cell in row:
            if not isinstance(cell.value, str) or cell.data_type == "f" or not cell.value:
                continue
            merged = spans.get((cell.row, cell.column))
            cols = range(cell.column, (merged.max_col if merged else cell.column) + 1)
            rows = (merged.max_row - merged.min_row + 1) if merged else 1
            width = sum(
                ws.column_dimensions[get_column_letter(c)].width or default_width for c in cols
            )
            lines = sum(
                -(-_display_width(part) // max(1, int(width * 0.95))) or 1
                for part in cell.value.split("\n")
            )
            need = min(409.0, (15.0 * lines + 3) / rows)
            dim = ws.row_dimensions[cell.row]
            if need > (dim.height or 15.0):
                dim.height = need
