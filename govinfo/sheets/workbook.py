"""The collection workbook: one xlsx per agency and year, sent to a department to fill in
(``govinfo workbook``) and read back by :mod:`.read` (``govinfo import x.xlsx``).

Sheets 基本信息, 二 主动公开, 三 依申请, 四 复议诉讼 and 填表说明 (and a hidden sheet,
``govinfo``, with the template id, year, agency_id, ``previous`` and schema, also as the
defined names GOVINFO_TEMPLATE and GOVINFO_YEAR). The three tables are the official ones:
labels from :mod:`govinfo.layout`, merged as in the format. Labels and formulas are locked
(sheet protection, no password), the cells to fill in are open, pale yellow and validated
(whole numbers ≥ 0; amounts ≥ 0 with decimals); 总计 cells are formulas, and a 校验 area
under each table shows every 勾稽关系 that fails and by how much (:mod:`.formulas`).

openpyxl rather than XlsxWriter: the same library must read the filled workbooks back
(XlsxWriter only writes), and openpyxl covers merged cells, protection, data validation,
conditional formatting, defined names and formulas, with no macros. Cell positions come
from :mod:`.layout_cells`, the one map the reader uses too.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection

from .. import layout as L
from ..files import atomic_write
from ..model import Report, all_cells, next_year
from ..params import parse
from . import formulas as F
from . import layout_cells as C
from . import style as S
from .basic import write_basic, write_meta
from .guide import write_guide
from .numbers import derived, put_number, value_of
from .xlsx import checked_text, workbook_bytes

APPS, REVIEW, FEES = L.APPLICATIONS, L.REVIEW_LITIGATION, L.PROCESSING_FEES_KEY


def write_workbook(
    source: Report | Mapping[str, Any],
    out: str | Path | None = None,
    *,
    previous: Report | None = None,
) -> bytes:
    """The collection workbook for one report (a Report or a parameter-file mapping), as
    bytes, also written atomically to ``out`` when given. With ``previous`` (last year's
    report), cells not filled in get what ``govinfo new --from`` carries (上年结转 from last
    year's 结转下年度, 现行有效件数) and the 校验 area also checks continuity; a report
    loaded with its ``previous`` file gets the continuity checks without the carrying.
    Text a cell cannot hold (a control character) raises :class:`.xlsx.UnsafeText`."""
    report = source if isinstance(source, Report) else parse(source)
    if previous is not None:
        report = carry_over(report, previous)
    data = workbook_bytes(build(report, previous or report.previous))
    if out is not None:
        atomic_write(Path(out), data)
    return data


def carry_over(report: Report, previous: Report) -> Report:
    """``report`` with each cell still missing taken from ``govinfo new --from``'s skeleton
    (:func:`govinfo.model.next_year`): the cells that skeleton fills are the carried ones."""
    skeleton = next_year(previous, report.previous_path or "", year=report.year)
    for cell in all_cells():
        mark = report.mark(*cell)
        if mark is not None and mark.state == "missing" and skeleton.is_filled(*cell):
            report = report.with_cell(cell[0], str(cell[1]), cell[2], value_of(skeleton, cell))
    return report


def _numbers(ws: Any, report: Report, sheet: str) -> None:
    count, amount = S.validations(ws)
    for cell, place in C.NUMBER_PLACES.items():
        if place.sheet != sheet:
            continue
        wide = 3 if cell[0] == L.ACTIVE and cell[2] is None else 1
        if not C.is_total(cell):
            S.input_cell(ws, place.row, place.col, cols=wide)
            (amount if C.is_decimal(cell) else count).add(place.ref)
            put_number(ws, report, cell, place)
            continue
        S.formula_cell(ws, place.row, place.col, F.total_formula(cell)).font = S.BOLD
        mark = report.mark(*cell)
        given = None if mark is not None else value_of(report, cell)
        if not (mark is not None and mark.state == "missing") and given != derived(report, cell):
            put_number(ws, report, cell, place)  # a total that disagrees: kept as given


def _checks(ws: Any, checks: list[F.Check], width: int = 1) -> None:
    for check in checks:
        S.formula_cell(ws, check.place.row, check.place.col, check.formula, cols=width)
    S.check_colours(ws, [ref for ref, _ in F.blocks(c.place for c in checks)])


def _counters(ws: Any, row: int, sheet: str, checks: list[F.Check], cols: int) -> None:
    """未填写的格数 and 不平衡的项数 at ``row``, and the sheet's status line (row 2)."""
    inputs = [cell for cell in C.INPUT_CELLS if C.NUMBER_PLACES[cell].sheet == sheet]
    S.label(ws, row, 1, "未填写的格数", cols=cols)
    S.formula_cell(ws, row, cols + 1, F.unfilled_formula(inputs))
    S.label(ws, row + 1, 1, "不平衡的项数", cols=cols)
    S.formula_cell(ws, row + 1, cols + 1, F.failing_formula(checks))
    unfilled, fails = f"{C.Place(sheet, row, cols + 1).ref}", C.Place(sheet, row + 1, cols + 1).ref
    status = ws.cell(C.STATUS_ROW, STATUS_COL[sheet])
    status.value = (
        f'=IF({fails}>0,"有"&{fails}&"项勾稽关系不平衡，见下方校验区",'
        f'IF({unfilled}>0,"尚有"&{unfilled}&"格未填写（没有的填 0）","已填完，校验通过"))'
    )
    status.font = S.BOLD
    status.alignment = S.LEFT


STATUS_COL = {C.ACTIVE_SHEET: 3, C.APPS_SHEET: 7, C.REVIEW_SHEET: 9}
_WIDTHS = {
    C.ACTIVE_SHEET: C.ACTIVE_WIDTH,
    C.APPS_SHEET: C.APPS_CHECK_COL,
    C.REVIEW_SHEET: C.REVIEW_WIDTH,
}


def _head(ws: Any, sheet: str, section: str) -> None:
    """Title, 填报单位 and the status line, the same on each table sheet."""
    width = _WIDTHS[sheet]
    S.title(ws, L.SECTION_BY_KEY[section].heading, width)
    agency, year = C.BASIC_PLACES[("agency",)], C.META["year"]
    ws.cell(
        C.STATUS_ROW, 1
    ).value = f'="填报单位："&{agency.formula_ref}&"　报告年度："&{year.formula_ref}&"年"'
    ws.merge_cells(
        start_row=C.STATUS_ROW,
        start_column=1,
        end_row=C.STATUS_ROW,
        end_column=STATUS_COL[sheet] - 1,
    )
    ws.merge_cells(
        start_row=C.STATUS_ROW,
        start_column=STATUS_COL[sheet],
        end_row=C.STATUS_ROW,
        end_column=width,
    )
    ws.row_dimensions[C.STATUS_ROW].height = 22


# --------------------------------------------------------------------------- tables


def _active(ws: Any, report: Report, checks: list[F.Check]) -> None:
    _head(ws, C.ACTIVE_SHEET, L.ACTIVE)
    for group, caption, header in zip(
        L.ACTIVE_GROUPS, C.ACTIVE_CAPTION_ROWS, C.ACTIVE_HEADER_ROWS, strict=True
    ):
        S.label(ws, caption, 1, group.caption, cols=C.ACTIVE_WIDTH)
        S.label(ws, header, 1, L.ACTIVE_ITEM_HEADER)
        if group.is_single:
            S.label(ws, header, 2, group.measures[0][1], cols=3)
        for col, (_, text) in enumerate(() if group.is_single else group.measures, start=2):
            S.label(ws, header, col, text)
        for n, item in enumerate(group.items, start=header + 1):
            S.label(ws, n, 1, item.label, head=False)
    _numbers(ws, report, C.ACTIVE_SHEET)
    top = C.ACTIVE_CHECK_TOP
    S.label(ws, top, 1, "校验（上年数据取自上年报告；“差”为左边减右边）", cols=C.ACTIVE_WIDTH)
    for check in checks:
        S.label(
            ws,
            check.place.row,
            1,
            f"{L.active_label(str(check.where[1]), 'in_force')}"
            " = 上年现行有效 + 本年制发 − 本年废止",
            head=False,
            align=S.LEFT,
        )
    if not checks:
        S.label(
            ws,
            top + 1,
            1,
            f"本表各项之间没有勾稽关系（由上年报告生成本表时，核对{L.ACTIVE_MEASURES[2][1]}）",
            cols=C.ACTIVE_WIDTH,
            head=False,
            align=S.LEFT,
        )
    _checks(ws, checks, width=3)
    _counters(ws, top + 1 + max(len(checks), 1) + 1, C.ACTIVE_SHEET, checks, 1)
    ws.column_dimensions["A"].width = 34
    for letter in "BCD":
        ws.column_dimensions[letter].width = 16
    S.fit_width(ws)


def _applications(ws: Any, report: Report, checks: list[F.Check]) -> None:
    _head(ws, C.APPS_SHEET, APPS)
    top, first = C.APPS_HEADER_TOP, C.APPS_FIRST_COL
    S.label(ws, top, 1, L.APPLICATION_NOTE, rows=3, cols=3)
    S.label(ws, top, first, L.APPLICANT_HEADER, cols=len(L.APPLICATION_COLUMNS))
    S.label(ws, top + 1, first, L.APPLICATION_COLUMNS[0].label, rows=2)
    S.label(ws, top + 1, first + 1, L.ORGANISATION_HEADER, cols=len(L.ORGANISATION_KEYS))
    S.label(ws, top + 1, C.APPS_TOTAL_COL, L.APPLICATION_COLUMNS[-1].label, rows=2)
    for key in L.ORGANISATION_KEYS:
        S.label(ws, top + 2, C.APPS_COL[key], L.COLUMN_BY_KEY[key].label)
    S.label(ws, top, C.APPS_CHECK_COL, "校验：总计 = 六类申请人之和", rows=3)
    opened: set[str] = set()
    for row in L.APPLICATION_ROWS:
        r = C.APPS_ROW[row.key]
        for level, group in enumerate(row.groups, start=1):
            if group.key not in opened:
                opened.add(group.key)
                span = sum(1 for other in L.APPLICATION_ROWS if group in other.groups)
                S.label(ws, r, level, group.label, rows=span)
        depth = len(row.groups)
        S.label(ws, r, depth + 1, row.label, cols=3 - depth, head=False, align=S.LEFT)
    _numbers(ws, report, C.APPS_SHEET)
    ledger = [L.ROW_BY_KEY[k].short for k in ("new", "carried_over", L.TOTAL, "carried_forward")]
    rows = {
        F.BALANCE_ROW: f"{ledger[0]} + {ledger[1]} = {ledger[2]} + {ledger[3]}",
        F.TOTAL_ROW_ROW: f"{L.ROW_BY_KEY[L.TOTAL].label} = 各项办理结果之和",
    }
    if any(c.rule == "CONTINUITY" for c in checks):
        rows[F.CONTINUITY_ROW] = f"{ledger[1]} = 上年报告的{ledger[3]}"
    S.label(ws, C.APPS_CHECK_TOP, 1, "校验（勾稽关系；“差”为左边减右边）", cols=C.APPS_CHECK_COL)
    for r, text in rows.items():
        S.label(ws, r, 1, text, cols=3, head=False, align=S.LEFT)
    _checks(ws, checks)
    _counters(ws, max(rows) + 2, C.APPS_SHEET, checks, 3)
    widths = {"A": 7, "B": 11, "C": 34, "K": 15}
    for col in range(1, C.APPS_CHECK_COL + 1):
        letter = C.Place("", 1, col).ref[:-1]
        ws.column_dimensions[letter].width = widths.get(letter, 10)
    ws.freeze_panes = ws.cell(C.APPS_FIRST_ROW, first)
    ws.print_title_rows = f"{top}:{top + 2}"  # the header again on the second page
    S.fit_width(ws, landscape=True)


def _review(ws: Any, report: Report, checks: list[F.Check]) -> None:
    _head(ws, C.REVIEW_SHEET, REVIEW)
    top, n = C.REVIEW_HEADER_TOP, len(L.REVIEW_OUTCOMES)
    review, *litigation = L.CASE_GROUPS
    S.label(ws, top, 1, review.label, cols=n)
    S.label(ws, top, n + 1, L.LITIGATION_HEADER, cols=n * len(litigation))
    for o, outcome in enumerate(L.REVIEW_OUTCOMES):
        S.label(ws, top + 1, 1 + o, outcome.label, rows=2)
    for g, group in enumerate(litigation, start=1):
        S.label(ws, top + 1, 1 + g * n, group.label, cols=n)
        for o, outcome in enumerate(L.REVIEW_OUTCOMES):
            S.label(ws, top + 2, 1 + g * n + o, outcome.label)
    _numbers(ws, report, C.REVIEW_SHEET)
    parts = " + ".join(o.label for o in L.REVIEW_OUTCOMES if o.key in L.REVIEW_PARTS)
    S.label(
        ws, C.REVIEW_CHECK_TOP, 1, f"校验：总计 = {parts}（“差”为左边减右边）", cols=C.REVIEW_WIDTH
    )
    _checks(ws, checks, width=n)
    _counters(ws, C.REVIEW_CHECK_TOP + 3, C.REVIEW_SHEET, checks, n)
    for col in range(1, C.REVIEW_WIDTH + 1):
        ws.column_dimensions[C.Place("", 1, col).ref[:-1]].width = 10
    S.fit_width(ws, landscape=True)


# --------------------------------------------------------------------------- the workbook


def build(report: Report, previous: Report | None = None) -> Workbook:
    """The openpyxl workbook for ``report`` (``previous``: last year's, for its checks)."""
    wb = Workbook()
    basic = wb.active
    basic.title = C.BASIC
    sheets = {name: wb.create_sheet(name) for name in C.TABLE_SHEETS.values()}
    guide = wb.create_sheet(C.GUIDE_SHEET)
    meta = wb.create_sheet(C.META_SHEET)
    checks = F.all_checks(previous)
    by_sheet = {name: [c for c in checks if c.place.sheet == name] for name in sheets}
    checked_text(report.agency, "agency")  # refused before anything is built
    _active(sheets[C.ACTIVE_SHEET], report, by_sheet[C.ACTIVE_SHEET])
    _applications(sheets[C.APPS_SHEET], report, by_sheet[C.APPS_SHEET])
    _review(sheets[C.REVIEW_SHEET], report, by_sheet[C.REVIEW_SHEET])
    write_basic(basic, report, STATUS_COL)
    write_guide(guide, report.year)
    write_meta(meta, report)
    for name, place in C.DEFINED_NAMES.items():
        wb.defined_names[name] = DefinedName(
            name, attr_text=f"{place.sheet}!${place.ref[0]}${place.ref[1:]}"
        )
    for ws in (basic, *sheets.values(), guide, meta):
        S.fit_rows(ws)
        S.protect(ws)
    meta.sheet_state = "hidden"
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.creator = "govinfo"
    wb.properties.title = f"{report.year}年政府信息公开工作年度报告 数据填报表"
    wb.active = 0
    return wb
