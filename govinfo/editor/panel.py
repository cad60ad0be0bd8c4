"""What the editor shows besides its inputs: the findings panel, the table preview, the
paste report and the link to a published page. Widgets, but no state of their own beyond
what they show; :class:`govinfo.editor.widget.ReportEditor` decides when to show it."""

from __future__ import annotations

import os
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as W

from .. import layout as L
from ..findings import Finding
from ..model import Report
from ..publish.tables import active_html, applications_html, review_html, stylesheet
from .fields import cell_label
from .paste import PasteResult


def finding_place(finding: Finding) -> str:
    """The Chinese name of the place a finding is about (its key path when unknown)."""
    try:
        return cell_label(finding.section, finding.row, finding.column)
    except KeyError:
        return finding.where


def preview_html(report: Report, findings: list[Finding]) -> str:
    """The three official tables with the findings marked, styled by the report CSS.

    The report stylesheet declares its colours on ``:root``; scoped here to the preview so
    that it cannot restyle JupyterLab around it.
    """
    css = stylesheet().replace(":root", ".gi-preview")
    marks = report.marks  # cells not filled in show 未填, published blanks as written
    tables = (
        active_html(report.active, findings, marks=marks)
        + applications_html(report.applications, findings, marks=marks)
        + review_html(report.review_litigation, findings, marks=marks)
    )
    return f'<div class="gi-preview"><style>{css}</style>{tables}</div>'


def served_url(path: Path) -> str | None:
    """The URL under which this kernel's Jupyter server serves ``path``, if it serves it.

    A kernel started by Jupyter Server knows its parent's pid; the server's runtime info
    file gives its root folder and base URL (only those two are read).
    """
    parent = os.environ.get("JPY_PARENT_PID")
    if not parent:
        return None
    try:
        from jupyter_server.serverapp import list_running_servers

        servers = list(list_running_servers())
    except Exception:  # no jupyter_server, unreadable runtime folder: no link, the path shows
        return None
    for info in servers:
        if str(info.get("pid")) != parent:
            continue
        root = Path(info.get("root_dir", "")).resolve()
        target = Path(path).resolve()
        if root in target.parents:
            rel = target.relative_to(root).as_posix()
            return f"{info.get('base_url', '/')}files/{rel}"
    return None


class FindingsPanel(W.VBox):
    """校验结果: a summary line and one row per finding, errors first; clicking a rule's
    button calls ``on_click(finding)`` (the editor shows its cells)."""

    def __init__(self, on_click: Callable[[Finding], Any]) -> None:
        self.summary = W.HTML()
        self.rows = W.VBox()
        super().__init__([W.HTML("<h3>校验结果</h3>"), self.summary, self.rows])
        self.add_class("gi-findings-panel")
        self.on_click = on_click
        self._shown: list[Finding] | None = None

    def show(self, findings: list[Finding]) -> None:
        ordered = sorted(findings, key=lambda f: (not f.is_error, f.rule))
        if ordered == self._shown:
            return
        self._shown = ordered
        errors = sum(f.is_error for f in ordered)
        if ordered:
            text = f"{errors} 个错误，{len(ordered) - errors} 个警告（点击规则名定位到单元格）"
        else:
            text = "未发现问题（所有勾稽关系均成立）。"
        self.summary.value = escape(text)
        old = self.rows.children
        self.rows.children = [self._row(f) for f in ordered]
        for row in old:
            for child in row.children:
                child.close()
            row.close()

    def _row(self, finding: Finding) -> W.HBox:
        button = W.Button(description=finding.rule, tooltip=finding.en)
        button.add_class(f"gi-finding-{finding.severity}")
        button.add_class(f"gi-finding-{finding.rule}")
        button.on_click(lambda _: self.on_click(finding))
        place = escape(finding_place(finding))
        text = W.HTML(f"<b>{place}</b>：{escape(finding.zh)}")
        row = W.HBox([button, text])
        row.add_class("gi-finding")
        return row


def paste_status_html(result: PasteResult) -> str:
    """What a paste did (rows, notes on blanks and totals), or why it did nothing."""
    if result.errors:
        items = "".join(f"<li>{escape(e)}</li>" for e in result.errors)
        return f'<span class="gi-status-error">未粘贴任何数字：</span><ul>{items}</ul>'
    names = "、".join(dict.fromkeys(L.ROW_BY_KEY[r.row].short for r in result.rows))
    notes = "".join(f"<li>{escape(n)}</li>" for n in result.notes)
    body = f'<span class="gi-status-ok">已粘贴 {len(result.rows)} 行：{escape(names)}</span>'
    return body + (f"<ul>{notes}</ul>" if notes else "")
