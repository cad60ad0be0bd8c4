"""What the editor shows besides its inputs: the findings panel, the table preview, the
paste report and the link to a published page. Widgets, but no state of their own beyond
what they show; :class:`govinfo.editor.widget.ReportEditor` decides when to show it."""

from __future__ import annotations

import os
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from .. import layout as L
from ..findings import Finding
from ..model import Report
from ..publish.tables import active_html, applications_html, review_html, stylesheet
from .fields import cell_label
from .paste import PasteResult

if TYPE_CHECKING:
    from ..audit.live import Checkup


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


# The editor's own additions to its stylesheet (templates/site/editor.css): the dock that
# stays in view, the findings list, the progress of a render, the launcher's rows.
DOCK_CSS = """
.gi-editor .gi-dock { position: sticky; top: 0; z-index: 10; padding: 4px 6px 6px;
  background: var(--jp-layout-color0, #fff); border-bottom: 1px solid #bbb;
  box-shadow: 0 2px 6px rgba(0, 0, 0, 0.08); }
.jp-OutputArea:has(.gi-editor), .jp-OutputArea-child:has(.gi-editor),
.jp-OutputArea-output:has(.gi-editor), .gi-launcher, .gi-launcher .widget-box:has(.gi-editor),
.gi-editor { overflow: visible !important; }
.gi-editor .gi-findings-summary { font-size: 1.05em; margin: 2px 0; }
.gi-editor .gi-findings-summary .gi-count-error { color: #9b1c1c; font-weight: 700; }
.gi-editor .gi-findings-summary .gi-count-warning { color: #7a5d00; font-weight: 700; }
.gi-editor .gi-findings-summary .gi-count-ok { color: #1e6b2f; font-weight: 700; }
.gi-editor .gi-findings-rows { max-height: 8em; overflow-y: auto; }
.gi-editor .gi-checkup { font-size: 0.95em; margin: 0 0 2px; }
.gi-editor .gi-checkup .gi-score { font-weight: 700; color: #1f4e8c; }
.gi-editor .gi-audit-tag { font-size: 0.8em; color: #fff; background: #1f4e8c;
  border-radius: 3px; padding: 0 4px; margin-right: 4px; }
.gi-editor .gi-findings-rows > .gi-finding { flex: none; min-height: 2em; }
.gi-editor .gi-finding { align-items: center; gap: 6px; }
.gi-editor .gi-findings-panel .gi-finding .widget-button { min-width: 4.5em; width: 4.5em; }
.gi-editor .gi-finding .widget-html-content { white-space: normal; line-height: 1.4; }
.gi-editor .gi-rule { color: #777; font-size: 0.85em; margin-left: 0.5em; }
.gi-editor .gi-progress { align-items: center; gap: 8px; padding: 4px 0; color: #1f4e8c; }
.gi-editor .gi-progress .widget-html-content { display: flex; align-items: center; gap: 8px; }
.gi-editor .gi-spinner { width: 14px; height: 14px; border: 3px solid #c9d8ef;
  border-top-color: #1f4e8c; border-radius: 50%; animation: gi-spin 0.9s linear infinite;
  display: inline-block; flex: none; }
@keyframes gi-spin { to { transform: rotate(360deg); } }
.gi-editor .gi-progress-time { color: #555; font-size: 0.9em; }
.gi-editor .gi-status-info { color: #1f4e8c; }
.gi-editor .gi-technical, .gi-launcher .gi-technical { font-size: 0.85em; color: #555; }
.gi-editor a.gi-report-link { font-weight: 700; color: #1f4e8c; text-decoration: underline; }
.jp-CodeCell:has(.gi-launcher) .jp-Cell-inputWrapper { display: none; }
.gi-editor .gi-title h2 { margin: 0.4em 0 0.1em; }
.gi-editor .gi-title code { color: #555; font-size: 0.85em; }
.gi-launcher .gi-launcher-row { align-items: center; flex-wrap: wrap; gap: 4px 8px; }
.gi-launcher .gi-launcher-target { color: #555; font-size: 0.9em; }
.gi-launcher .gi-status-error { color: #9b1c1c; }
.gi-launcher .gi-status-ok { color: #1e6b2f; }
"""


class FindingsPanel(W.VBox):
    """校验结果: a count line and one row per finding, errors first; 定位 on a row calls
    ``on_click(finding)`` (the editor shows its cells). Short enough to stay in view above
    the tables: the rows scroll inside their own box."""

    def __init__(self, on_click: Callable[[Finding], Any]) -> None:
        self.summary = W.HTML()
        self.summary.add_class("gi-findings-summary")
        self.rows = W.VBox()
        self.rows.add_class("gi-findings-rows")
        super().__init__([self.summary, self.rows])
        self.add_class("gi-findings-panel")
        self.on_click = on_click
        self._shown: tuple[list[Finding], Checkup | None] | None = None

    def show(self, findings: list[Finding], checkup: Checkup | None = None) -> None:
        """The rules' findings, then the live audit's (年报体检: its score and problems)."""
        ordered = sorted(findings, key=lambda f: (not f.is_error, f.rule))
        audit = sorted(checkup.findings, key=lambda f: (not f.is_error, f.rule)) if checkup else []
        if (ordered, checkup) == self._shown:
            return
        self._shown = (ordered, checkup)
        self.summary.value = findings_summary(ordered) + (
            checkup_summary(checkup) if checkup else ""
        )
        old = self.rows.children
        self.rows.children = [self._row(f) for f in ordered] + [
            self._row(f, audit=True) for f in audit
        ]
        for row in old:
            for child in row.children:
                child.close()
            row.close()

    def _row(self, finding: Finding, *, audit: bool = False) -> W.HBox:
        place = finding_place(finding)
        button = W.Button(description="定位", tooltip=f"跳到{place}")
        button.add_class(f"gi-finding-{finding.severity}")
        button.add_class(f"gi-finding-{finding.rule}")
        button.on_click(lambda _: self.on_click(finding))
        rule = f'<span class="gi-rule">{escape(finding.rule)}</span>'
        tag = '<span class="gi-audit-tag">体检</span>' if audit else ""
        text = W.HTML(f"{tag}<b>{escape(place)}</b>：{escape(finding.zh)}{rule}")
        row = W.HBox([button, text])
        row.add_class("gi-finding")
        if audit:
            row.add_class("gi-finding-audit")
        row.finding = finding  # for tests and tools
        return row


def findings_summary(findings: list[Finding]) -> str:
    """The count line of 校验结果 (HTML)."""
    errors = sum(f.is_error for f in findings)
    warnings = len(findings) - errors
    if not findings:
        return (
            '<b>校验结果</b>：<span class="gi-count-ok">未发现问题</span>（所有勾稽关系均成立）。'
        )
    counts = []
    if errors:
        counts.append(f'<span class="gi-count-error">{errors} 个错误</span>')
    if warnings:
        counts.append(f'<span class="gi-count-warning">{warnings} 个警告</span>')
    return f"<b>校验结果</b>：{'，'.join(counts)}（点“定位”跳到相应的单元格）"


def checkup_summary(checkup: Checkup) -> str:
    """The 年报体检 line under the count line: the pack's predicted score and how many of its
    problems are listed (after the rules' findings, tagged 体检)."""
    score = f"{checkup.score:g} / {checkup.max_score:g}"
    problems = len(checkup.findings)
    listed = f"，{problems} 个问题（标“体检”）" if problems else "，未发现问题"
    return (
        f'<div class="gi-checkup"><b>年报体检</b>（{escape(checkup.pack)}）：预测得分 '
        f'<span class="gi-score">{escape(score)}</span>{listed}</div>'
    )


def paste_status_html(result: PasteResult) -> str:
    """What a paste did (rows, notes on blanks and totals), or why it did nothing."""
    if result.errors:
        items = "".join(f"<li>{escape(e)}</li>" for e in result.errors)
        return f'<span class="gi-status-error">未粘贴任何数字：</span><ul>{items}</ul>'
    names = "、".join(dict.fromkeys(L.ROW_BY_KEY[r.row].short for r in result.rows))
    notes = "".join(f"<li>{escape(n)}</li>" for n in result.notes)
    body = f'<span class="gi-status-ok">已粘贴 {len(result.rows)} 行：{escape(names)}</span>'
    return body + (f"<ul>{notes}</ul>" if notes else "")
