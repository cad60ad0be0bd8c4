"""The county's export (``govinfo export PATHS --to xlsx|csv|parquet -o OUT``).

The workbook is for the disclosure office, to use as it is: one sheet per table with one
row per agency and year (年度, 所在地区, 行政区划代码, 文件标识, 机关名称, 报告范围, 状态, then
every cell in the official column order, under the official labels), the region sums below
them, a sheet 区域合计 saying which units each sum counts and why the others are left out,
and a sheet 校验结果 with every finding (the same first columns). Only valid reports are
summed, as on the summary page (:mod:`govinfo.publish.region`): a report with an error is
neither published as final nor summed; nor is either of two files with the same year and
agency_id. CSV and Parquet are the tidy rows of :mod:`.tidy`.

Text from the files (agency, region, messages quoting them) is written as text cells that
never become formulas, and control characters as escapes (:mod:`.xlsx`). The 行政区划代码 is
a text cell too (320813 is a code, not a number), empty when the file gives none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from .. import layout as L
from ..files import atomic_write
from ..findings import ParameterError
from ..model import Cell, Report, all_cells
from ..params.collect import check_all, find_parameter_files, load_all
from ..publish.region import cell_name, error_text, sum_reports
from ..rules import check_region
from . import style as S
from .tidy import Entry, cell_value, csv_bytes, labels, parquet_bytes
from .xlsx import escaped_text, put_text, workbook_bytes

FORMATS = ("xlsx", "csv", "parquet")
FIXED = ("年度", "所在地区", "行政区划代码", "文件标识", "机关名称", "报告范围", "状态")
CODE_COL = FIXED.index("行政区划代码") + 1  # the same column in 校验结果
STATUS_ZH = {"published": "通过校验", "invalid": "未通过校验", "duplicate": "重复的文件"}
MARK_ZH = {"unread": "未读出"}
SHEETS = {L.ACTIVE: "表二 主动公开", L.APPLICATIONS: "表三 依申请",
          L.REVIEW_LITIGATION: "表四 复议诉讼", L.PROCESSING_FEES_KEY: "信息处理费"}  # fmt: skip


@dataclass(frozen=True)
class Exported:
    """What an export wrote: the file, and what it counted."""

    path: Path
    reports: int
    summed: int
    unreadable: dict[str, str] = field(default_factory=dict)


def load_entries(paths: Sequence[str | Path]) -> tuple[list[Entry], dict[str, str]]:
    """The parameter files under ``paths``, checked as ``govinfo validate`` checks them
    (continuity across the years found); unreadable files apart, with their message."""
    reports, problems = load_all(find_parameter_files(paths))
    findings = check_all(reports)
    seen = Counter((r.year, r.agency_id) for r in reports.values())
    entries = [
        Entry(report, tuple(findings[path]), seen[(report.year, report.agency_id)] > 1)
        for path, report in sorted(reports.items(), key=lambda item: _order(item[1]))
    ]
    return entries, {str(path): str(exc) for path, exc in problems.items()}


def _order(report: Report) -> tuple[int, str, bool, str]:
    return (report.year, report.region, report.scope == "region", report.agency_id)


def export_paths(paths: Sequence[str | Path], fmt: str, out: str | Path) -> Exported:
    """Load every parameter file under ``paths`` and write the export; the command's one
    call. An unreadable file is listed (in 校验结果) and left out, never fatal."""
    entries, unreadable = load_entries(paths)
    return export(entries, fmt, out, unreadable=unreadable)


def export(
    entries: Sequence[Entry],
    fmt: str,
    out: str | Path,
    *,
    unreadable: dict[str, str] | None = None,
) -> Exported:
    """Write ``entries`` as ``fmt`` (xlsx, csv or parquet) to ``out``, atomically."""
    if fmt not in FORMATS:
        raise ParameterError(
            None,
            "--to",
            f"格式应为 {' / '.join(FORMATS)} / format must be one of {', '.join(FORMATS)}: {fmt!r}",
        )
    unreadable = unreadable or {}
    groups = region_units(entries)
    if fmt == "csv":
        data = csv_bytes(entries)
    elif fmt == "parquet":
        data = parquet_bytes(entries)
    else:
        data = workbook_bytes(county_workbook(entries, groups, unreadable))
    atomic_write(Path(out), data)
    summed = sum(len(units) for units in groups.values())
    return Exported(Path(out), len(entries), summed, dict(unreadable))


def region_units(entries: Sequence[Entry]) -> dict[tuple[int, str], list[Entry]]:
    """The units each (year, region) sum counts: valid ``scope: agency`` reports, never a
    duplicate. Every (year, region) with a report appears, even with no unit counted."""
    groups: dict[tuple[int, str], list[Entry]] = {}
    for entry in entries:
        units = groups.setdefault((entry.report.year, entry.report.region), [])
        if entry.report.scope == "agency" and entry.status == "published":
            units.append(entry)
    return groups


# --------------------------------------------------------------------------- the workbook


def _text(ws: Any, row: int, col: int, text: str, *, optional: bool = False) -> Any:
    """A text cell; with ``optional``, empty text leaves the cell empty (not given)."""
    cell = ws.cell(row, col)
    if text or not optional:
        put_text(cell, escaped_text(text))
    return cell


def _cells(section: str) -> list[Cell]:
    return [cell for cell in all_cells() if cell[0] == section]


def _header(ws: Any, section: str) -> int:
    """The fixed columns and two header rows (the cell's row, then its column label);
    returns the first data row."""
    for col, text in enumerate(FIXED, start=1):
        S.label(ws, 1, col, text, rows=2)
    cells = _cells(section)
    col = len(FIXED) + 1
    while cells:
        row_label = labels(cells[0])[0]
        run = [c for c in cells if labels(c)[0] == row_label]
        S.label(ws, 1, col, row_label, cols=len(run))
        for n, cell in enumerate(run):
            S.label(ws, 2, col + n, labels(cell)[1] or row_label)
            ws.column_dimensions[get_column_letter(col + n)].width = 11
        cells = [c for c in cells if c not in run]
        col += len(run)
    ws.freeze_panes = ws.cell(3, 6)  # 年度 … 机关名称 stay in view
    ws.print_title_rows, ws.print_title_cols = "1:2", "A:E"  # on every printed page
    ws.page_setup.orientation = "landscape"
    for letter, width in zip("ABCDEFG", (6, 20, 10, 16, 28, 14, 12), strict=True):
        ws.column_dimensions[letter].width = width
    ws.row_dimensions[1].height = 60
    return 3


def _values(ws: Any, row: int, report: Report, section: str) -> None:
    for col, cell in enumerate(_cells(section), start=len(FIXED) + 1):
        value, state = cell_value(report, cell)
        target = ws.cell(row, col)
        if value is not None:
            target.value = value
        elif state in ("blank", "bad-number"):
            mark = report.mark(*cell)
            _text(ws, row, col, mark.text if mark else "")
        elif state == "unread":
            _text(ws, row, col, MARK_ZH["unread"])


def _fixed(ws: Any, row: int, report: Report, status: str) -> None:
    ws.cell(row, 1).value = report.year
    for col, text in enumerate(
        (
            report.region,
            report.region_code,
            report.agency_id,
            report.agency,
            L.SCOPES.get(report.scope, report.scope),
            status,
        ),
        start=2,
    ):
        _text(ws, row, col, text, optional=col == CODE_COL)


def _table_sheet(
    ws: Any, section: str, entries: Sequence[Entry], groups: dict[tuple[int, str], list[Entry]]
) -> None:
    row = _header(ws, section)
    for entry in entries:
        _fixed(ws, row, entry.report, STATUS_ZH[entry.status])
        _values(ws, row, entry.report, section)
        row += 1
    last = row - 1
    ws.auto_filter.ref = f"A2:{get_column_letter(len(FIXED) + len(_cells(section)))}{max(last, 2)}"
    row += 1
    S.label(
        ws,
        row,
        1,
        "区域合计（只计通过校验的本机关报告；见“区域合计”表）",
        cols=len(FIXED),
        align=S.LEFT,
    )
    for (year, region), units in groups.items():
        row += 1
        total = sum_reports([u.report for u in units], year=year, region=region)
        _fixed(ws, row, total, f"合计 {len(units)} 个单位")
        _values(ws, row, total, section)
        for col in range(1, len(FIXED) + len(_cells(section)) + 1):
            ws.cell(row, col).font = S.BOLD


def _regions_sheet(
    ws: Any, entries: Sequence[Entry], groups: dict[tuple[int, str], list[Entry]]
) -> None:
    heads = ("年度", "所在地区", "计入合计的单位数", "计入合计的单位", "未计入的报告及原因")
    for col, text in enumerate(heads, start=1):
        S.label(ws, 1, col, text)
    for row, ((year, region), units) in enumerate(groups.items(), start=2):
        ws.cell(row, 1).value = year
        _text(ws, row, 2, region)
        ws.cell(row, 3).value = len(units)
        _text(ws, row, 4, "、".join(u.report.agency for u in units))
        left_out = [
            e
            for e in entries
            if (e.report.year, e.report.region) == (year, region)
            and e.report.scope == "agency"
            and e not in units
        ]
        why = [
            f"{e.report.agency}："
            + (STATUS_ZH["duplicate"] if e.duplicate else error_text(e.errors[0], len(e.errors)))
            for e in left_out
        ]
        _text(ws, row, 5, "\n".join(why) or "无")
        for col in range(1, 6):
            ws.cell(row, col).alignment = S.TOP_LEFT
    for letter, width in zip("ABCDE", (6, 22, 10, 50, 80), strict=True):
        ws.column_dimensions[letter].width = width
    S.fit_rows(ws)
    S.fit_width(ws, landscape=True)


def _findings_sheet(
    ws: Any,
    entries: Sequence[Entry],
    unreadable: dict[str, str],
    groups: dict[tuple[int, str], list[Entry]],
) -> None:
    heads = (
        "年度",
        "所在地区",
        "行政区划代码",
        "文件标识",
        "机关名称",
        "文件",
        "规则",
        "级别",
        "位置",
        "说明",
        "English",
    )
    for col, text in enumerate(heads, start=1):
        S.label(ws, 1, col, text)
    row = 2
    for entry in entries:
        r = entry.report
        found = list(entry.findings)
        if r.scope == "region":
            found += check_region(r, [u.report for u in groups.get((r.year, r.region), [])])
        for f in found:
            ws.cell(row, 1).value = r.year
            texts = (
                r.region,
                r.region_code,
                r.agency_id,
                r.agency,
                str(r.source or ""),
                f.rule,
                "错误" if f.is_error else "警告",
                cell_name(f.section, f.row, f.column),
                f.zh,
                f.en,
            )
            for col, text in enumerate(texts, start=2):
                cell = _text(ws, row, col, text, optional=col == CODE_COL)
                cell.alignment = S.TOP_LEFT
            ws.cell(row, 1).alignment = S.TOP_LEFT
            row += 1
    for path, message in unreadable.items():
        for col, text in ((6, path), (7, "UNREADABLE"), (8, "错误"), (10, message)):
            _text(ws, row, col, text)
        row += 1
    ws.auto_filter.ref = f"A1:K{max(row - 1, 1)}"
    ws.freeze_panes = "A2"
    S.fit_rows(ws)
    S.fit_width(ws, landscape=True)
    widths = (6, 18, 10, 14, 24, 30, 16, 6, 30, 70, 50)
    for letter, width in zip("ABCDEFGHIJK", widths, strict=True):
        ws.column_dimensions[letter].width = width


def county_workbook(
    entries: Sequence[Entry], groups: dict[tuple[int, str], list[Entry]], unreadable: dict[str, str]
) -> Workbook:
    wb = Workbook()
    first = wb.active
    for n, (section, name) in enumerate(SHEETS.items()):
        ws = first if n == 0 else wb.create_sheet(name)
        ws.title = name
        _table_sheet(ws, section, entries, groups)
    _regions_sheet(wb.create_sheet("区域合计"), entries, groups)
    _findings_sheet(wb.create_sheet("校验结果"), entries, unreadable, groups)
    wb.properties.creator = "govinfo"
    wb.properties.title = "政府信息公开工作年度报告数据汇总"
    return wb
