"""The audit as data to send back: ``audit.xlsx`` (总览, 问题清单, 规则包), ``problems.csv``
(every problem, one row each) and ``audit.json``.

Every text from a report (an agency's name, a quoted sentence) is stored so that no
spreadsheet takes it for a formula: the workbook through :func:`govinfo.sheets.xlsx.put_text`
(quote prefix), the CSV with a leading apostrophe, as ``govinfo export`` writes its CSV.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ..sheets.xlsx import escaped_text, put_text, workbook_bytes
from .engine import AgencyResult, AuditRun
from .pages import SEVERITY_LABELS, agency_file, categories

PROBLEM_COLUMNS = (
    "机关",
    "文件标识",
    "年度",
    "序号",
    "严重程度",
    "类别",
    "规则",
    "问题",
    "位置",
    "证据",
    "整改建议",
    "扣分",
    "文件",
)


def evidence_text(pairs: Any) -> str:
    return "\n".join(f"{label}：{text}" for label, text in pairs)


def problem_rows(run: AuditRun) -> list[list[Any]]:
    rows = []
    for r in run.ranked():
        for n, p in enumerate(r.problems, start=1):
            rows.append(
                [
                    r.agency,
                    r.agency_id,
                    r.year,
                    n,
                    SEVERITY_LABELS[p.severity],
                    p.category,
                    p.rule,
                    p.what,
                    p.where,
                    evidence_text(p.evidence),
                    p.fix,
                    p.deduction,
                    r.path,
                ]
            )
    return rows


def summary_rows(run: AuditRun) -> tuple[list[str], list[list[Any]]]:
    cats = categories(run)
    header = [
        "排名",
        "机关",
        "文件标识",
        "年度",
        "层级",
        "预测得分",
        "满分",
        "扣分合计",
        *(f"扣分·{c}" for c in cats),
        "错误",
        "警告",
        "提示",
        "来源",
        "文件",
    ]
    rows = []
    for rank, r in _ranks(run):
        by_cat = _by_category(r)
        counts = r.counts
        rows.append(
            [
                rank,
                r.agency,
                r.agency_id,
                r.year,
                r.level,
                r.score,
                r.max_score,
                round(r.max_score - r.score, 2),
                *(by_cat.get(c, 0) for c in cats),
                counts["error"],
                counts["warning"],
                counts["info"],
                "参数文件" if r.form == "parameters" else "已发布报告",
                r.path,
            ]
        )
    return header, rows


def _ranks(run: AuditRun) -> list[tuple[int, AgencyResult]]:
    """Rank within each year (1 = best predicted score; ties share a rank)."""
    out, year, rank, last = [], None, 0, None
    for n, r in enumerate(run.ranked()):
        if r.year != year:
            year, start, last = r.year, n, None
        if r.score != last:
            rank, last = n - start + 1, r.score
        out.append((rank, r))
    return out


def _by_category(r: AgencyResult) -> dict[str, float]:
    out: dict[str, float] = {}
    for d in r.deductions:
        out[d.category] = round(out.get(d.category, 0) + d.points, 2)
    return out


def _put_row(ws: Any, row: int, values: list[Any], bold: bool = False) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col)
        if isinstance(value, str):
            put_text(cell, escaped_text(value))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        else:
            cell.value = value
        if bold:
            cell.font = Font(bold=True)


def xlsx_bytes(run: AuditRun) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "总览"
    header, rows = summary_rows(run)
    _put_row(ws, 1, header, bold=True)
    for i, row in enumerate(rows, start=2):
        _put_row(ws, i, row)
    ws.freeze_panes = "C2"
    ws = wb.create_sheet("问题清单")
    _put_row(ws, 1, list(PROBLEM_COLUMNS), bold=True)
    for i, row in enumerate(problem_rows(run), start=2):
        _put_row(ws, i, row)
    for col, width in zip(
        "ABCDEFGHIJKLM", (22, 14, 6, 5, 8, 9, 16, 40, 36, 60, 36, 6, 30), strict=True
    ):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:M{max(1, ws.max_row)}"
    ws = wb.create_sheet("规则包")
    pack = run.pack
    _put_row(ws, 1, ["规则包", f"{pack.title}（{pack.name}）"], bold=True)
    _put_row(ws, 2, ["依据", pack.notice])
    _put_row(ws, 3, ["满分", pack.max_score])
    _put_row(
        ws, 5, ["规则", "类别", "严重程度", "扣分", "每增一项", "上限", "适用", "依据"], bold=True
    )
    for i, check in enumerate(sorted(pack.checks.values(), key=lambda c: c.rule), start=6):
        _put_row(
            ws,
            i,
            [
                check.rule,
                check.category,
                check.severity,
                check.deduction,
                check.per_finding,
                check.max if check.max is not None else "",
                "是" if check.apply else "否",
                check.basis,
            ],
        )
    return workbook_bytes(wb)


def _csv_field(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_bytes(run: AuditRun) -> bytes:
    """Every problem, UTF-8 with a BOM (Excel opens it as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(PROBLEM_COLUMNS)
    for row in problem_rows(run):
        writer.writerow([_csv_field(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def json_bytes(run: AuditRun) -> bytes:
    pack = run.pack
    data = {
        "pack": {
            "name": pack.name,
            "title": pack.title,
            "notice": pack.notice,
            "max_score": pack.max_score,
            "source": pack.source,
        },
        # Each report's 问题清单 page, relative to the folder: the batch's internal page links it.
        "reports": [{**r.to_dict(), "page": agency_file(r)} for r in run.ranked()],
        "unreadable": run.unreadable,
        "notes": run.notes,
    }
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
