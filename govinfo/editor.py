"""The JupyterLab widget editor: fill in the official tables, see every broken rule at once.

``ReportEditor.from_file(path)`` (or ``ReportEditor(report)``) is an ipywidgets ``VBox``
with a toolbar (保存 / 还原 / 生成报告 / 重算总计), one tab per part of the report laid out
like the official tables (:mod:`govinfo.editor_grid`), a findings panel and a live preview
of the official HTML tables (:mod:`govinfo.tables`). It needs nothing beyond core ipywidgets.

How it works:

* The model is immutable. Every edit produces a new :class:`~govinfo.model.Report`
  through :func:`govinfo.editor_fields.set_value` (``Report.with_cell`` for table cells);
  ``.report`` is always the current one, and Save writes exactly that.
* Totals are computed and read-only: the 总计 column of 表三 and 表四 and the （七）总计 row
  of 表三 follow the cells that feed them. Totals read from a file that do not add up are
  shown as read and flagged until a cell feeding them changes (or 重算总计 is pressed), so
  a wrong published total is never fixed silently. A pasted 总计 is compared, not applied.
* Findings are what ``govinfo validate`` would say about the saved file
  (:func:`govinfo.editor_fields.editor_findings`). ``.findings`` is always current; the
  panel, the highlight classes (``gi-error`` / ``gi-warning`` on the inputs) and the
  preview follow after a short debounce in a running kernel, or at once with no event
  loop (tests); :meth:`ReportEditor.refresh` brings them up to date synchronously.
* Save is atomic (:func:`govinfo.params.save`, canonical key order, readable YAML; the
  comments of a hand-written file are not kept). Revert reloads the file. Render saves
  pending changes, then runs ``govinfo.pipeline.render`` and links the HTML it wrote.

The notebook's front page (a path box with 打开 and 新建) is :mod:`govinfo.editor_launcher`.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as W

from . import layout as L
from .editor_fields import (
    APPS,
    BASIC_LABELS,
    NARRATIVE,
    CellKey,
    cell_label,
    concerns,
    editor_findings,
    flags,
    get_value,
    is_computed,
    is_decimal,
    recompute_all,
    set_value,
    with_totals,
)
from .editor_grid import (
    EDITOR_CSS,
    Fields,
    active_grid,
    applications_grid,
    basic_form,
    closing_form,
    overview_form,
    review_grid,
)
from .editor_paste import PasteResult, read_paste
from .findings import Finding, ParameterError
from .model import Report
from .params import load, save
from .tables import active_html, applications_html, review_html, stylesheet

SEVERITIES = ("error", "warning")

# The tabs: (title, heading shown in the tab). Numerals and headings come from the layout.
_S = L.SECTION_BY_KEY
TABS: tuple[tuple[str, str], ...] = (
    ("基本信息", "基本信息"),
    (f"{_S['overview'].numeral} 总体情况", _S["overview"].heading),
    (f"{_S['active'].numeral} 主动公开", _S["active"].heading),
    (f"{_S['applications'].numeral} 申请情况", _S["applications"].heading),
    (f"{_S['review_litigation'].numeral} 复议诉讼", _S["review_litigation"].heading),
    (
        f"{_S['problems'].numeral}/{_S['other'].numeral} 信息处理费",
        f"{_S['problems'].heading}；{_S['other'].heading}",
    ),
)


def tab_of(key: CellKey) -> int:
    """The index of the tab that holds the field ``key``."""
    section, row, _ = key
    if section in BASIC_LABELS:
        return 0
    if section == NARRATIVE:
        return 1 if row == "overview" else 5
    return {"active": 2, APPS: 3, "review_litigation": 4}.get(section, 5)


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
    tables = (
        active_html(report.active, findings)
        + applications_html(report.applications, findings)
        + review_html(report.review_litigation, findings)
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


class ReportEditor(W.VBox):
    """Edit one report in JupyterLab: official-table inputs, live findings and preview.

    Parameters
    ----------
    report : Report
        The report to edit (``ReportEditor.from_file(path)`` loads one).
    path : path, optional
        The parameter file Save, Revert and Render use (default: ``report.source``).
    outdir : path
        Where Render publishes (``OUTDIR/<year>/<agency_id>.html``), as ``govinfo render -o``.
    debounce : float
        Seconds to wait after the last keystroke before the panel and preview update.
    """

    def __init__(
        self,
        report: Report,
        *,
        path: str | Path | None = None,
        outdir: str | Path = "site",
        debounce: float = 0.3,
    ) -> None:
        super().__init__()
        self.add_class("gi-editor")
        self.path: Path | None = Path(path) if path else report.source
        self.outdir = Path(outdir)
        self.debounce = debounce
        self._report = report
        self._saved = report
        self._file_findings = report.load_findings
        self._cache: tuple[Report, list[Finding]] | None = None
        self._fields: Fields = {}
        self._previews: dict[CellKey, W.HTML] = {}
        self._syncing = False
        self._pending: asyncio.TimerHandle | None = None
        self._shown_findings: list[Finding] | None = None
        self._shown_markdown: dict[CellKey, str] = {}
        self._focused: list[CellKey] = []
        self._build()
        self.refresh()

    @classmethod
    def from_file(cls, path: str | Path, **kwargs: Any) -> ReportEditor:
        """An editor on a parameter file (ParameterError when it cannot be read)."""
        return cls(load(path), path=path, **kwargs)

    # ------------------------------------------------------------------ public API

    @property
    def report(self) -> Report:
        """The current model, with every edit so far."""
        return self._report

    @property
    def findings(self) -> list[Finding]:
        """The current findings (always up to date, whatever the debounce)."""
        if self._cache is None or self._cache[0] is not self._report:
            self._cache = (self._report, editor_findings(self._report, self._file_findings))
        return self._cache[1]

    @property
    def dirty(self) -> bool:
        """True when the current values differ from the file as last loaded or saved."""
        return self._report != self._saved

    def field(self, section: str, row: str | None = None, column: str | None = None) -> W.Widget:
        """The input widget of one field.

        ``field("applications", "new", "natural_person")`` is 表三 本年新收 × 自然人,
        ``field("active", "licensing")`` 表二 行政许可, ``field("agency")`` the agency name.
        """
        key = (section, row, column)
        if key not in self._fields:
            raise KeyError(f"no field {'/'.join(p for p in key if p)}")
        return self._fields[key]

    def fields(self) -> dict[CellKey, W.Widget]:
        """All input widgets by cell key."""
        return dict(self._fields)

    def refresh(self) -> None:
        """Bring the findings panel, the highlights and the previews up to date now."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        findings = self.findings
        self._highlight(findings)
        self._show_findings(findings)
        self.preview.value = preview_html(self._report, findings)
        self._show_markdown()
        self._show_title()

    def save(self, path: str | Path | None = None) -> Path:
        """Write the current report atomically to ``path`` (default: the editor's file).

        Saving to another path makes it the editor's file, like "Save as".
        """
        target = Path(path) if path else self.path
        if target is None:
            raise ValueError("no file to save to: pass a path")
        save(self._report, target)
        self.path = target
        self._report = self._saved = self._report.replace(source=target)
        errors = sum(f.is_error for f in self.findings)
        note = f"（{errors} 个错误尚未解决）" if errors else ""
        self._status(f"已保存 {target}{note}", ok=not errors)
        self.refresh()
        return target

    def revert(self) -> None:
        """Reload the file from disk, dropping unsaved edits."""
        if self.path is None:
            raise ValueError("no file to revert to")
        self.load(load(self.path))
        self._status(f"已从 {self.path} 重新读取")

    def load(self, report: Report) -> None:
        """Show ``report`` in every field (as read, totals included) and refresh."""
        self._report = self._saved = report
        self._file_findings = report.load_findings
        self._sync(list(self._fields))
        self.refresh()

    def recompute_totals(self) -> list[CellKey]:
        """Recompute every total from its parts; returns the totals that changed."""
        self._report, changed = recompute_all(self._report)
        self._sync(changed)
        self.refresh()
        return changed

    def paste(self, text: str, start_row: str | None = None) -> PasteResult:
        """Fill 表三 from tab-separated text (see :mod:`govinfo.editor_paste`).

        All or nothing: with any unreadable value nothing changes and the result's
        ``errors`` name each one. Pasted totals are compared with the computed ones.
        """
        result = read_paste(text, start_row or self.paste_row.value)
        if result.ok:
            report = self._report
            edited: list[CellKey] = []
            for pasted in result.rows:
                if pasted.row == L.TOTAL:
                    continue  # computed: checked below
                for column, value in zip(L.APPLICANT_KEYS, pasted.values, strict=True):
                    key = (APPS, pasted.row, column)
                    report = set_value(report, key, value)
                    edited.append(key)
            report, totals = with_totals(report, edited)
            self._report = report
            self._sync([*edited, *totals])
            result = PasteResult(result.rows, (), (*result.notes, *self._total_notes(result)))
            self._schedule()
        self._show_paste(result)
        return result

    def render(self) -> Path:
        """Save pending edits, publish with ``govinfo.pipeline.render``; the HTML's path.

        Raises ``govinfo.pipeline.RenderError`` (the message is for the user), including
        its ``InvalidReport`` when an error rule fails.
        """
        from . import pipeline  # the publishing pipeline is heavy and only needed here

        if self.path is None or self.dirty:
            self.save()
        result = pipeline.render(self.path, self.outdir, allow_invalid=False)
        return Path(result.html)

    def show_finding(self, finding: Finding) -> list[CellKey]:
        """Switch to the finding's tab, outline its inputs and focus the first editable one.

        The outline (class ``gi-focus``) always shows. Keyboard focus follows where the
        widget's browser view supports ``focus()``: text fields do; ipywidgets 8.1's
        number inputs do not (their view focuses the wrapper, not the ``<input>``).
        """
        keys = [key for key in self._fields if concerns(finding, key)]
        for key in self._focused:
            self._fields[key].remove_class("gi-focus")
        self._focused = keys
        if not keys:
            return keys
        self.tabs.selected_index = tab_of(keys[0])
        for key in keys:
            self._fields[key].add_class("gi-focus")
        target = self._fields[next((k for k in keys if not is_computed(k)), keys[0])]
        try:  # the browser shows the new tab on its next frame; focus once it is visible
            asyncio.get_running_loop().call_later(0.25, target.focus)
        except RuntimeError:
            target.focus()
        return keys

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        report, fields, previews = self._report, self._fields, self._previews
        self.title = W.HTML()
        self.title.add_class("gi-title")
        self.save_button = self._button("保存", "save", "Save the parameter file (atomic)")
        self.revert_button = self._button("还原", "undo", "Reload the file, dropping edits")
        self.render_button = self._button("生成报告", "file-export", "Publish the HTML report")
        self.recompute_button = self._button("重算总计", "calculator", "Recompute every total")
        self.status = W.HTML()
        self.status.add_class("gi-status")
        self.save_button.on_click(lambda _: self._guard(self.save))
        self.revert_button.on_click(lambda _: self._guard(self.revert))
        self.render_button.on_click(lambda _: self._on_render())
        self.recompute_button.on_click(lambda _: self._guard(self.recompute_totals))
        toolbar = W.HBox(
            [self.save_button, self.revert_button, self.render_button, self.recompute_button]
        )

        pages = [
            basic_form(report, fields),
            overview_form(report, fields, previews),
            active_grid(report, fields),
            W.VBox([applications_grid(report, fields), self._paste_box()]),
            review_grid(report, fields),
            closing_form(report, fields, previews),
        ]
        self.tabs = W.Tab(
            [
                W.VBox([W.HTML(f"<h3>{escape(heading)}</h3>"), page])
                for page, (_, heading) in zip(pages, TABS, strict=True)
            ],
            titles=[title for title, _ in TABS],
        )
        self.tabs.add_class("gi-tabs")

        self.findings_summary = W.HTML()
        self.findings_list = W.VBox()
        self.findings_panel = W.VBox(
            [W.HTML("<h3>校验结果</h3>"), self.findings_summary, self.findings_list]
        )
        self.findings_panel.add_class("gi-findings-panel")

        self.preview = W.HTML()
        self.preview.add_class("gi-preview-box")
        preview = W.Accordion([self.preview], titles=["预览：官方表格（二、三、四）"])
        preview.selected_index = 0

        self.children = [
            W.HTML(f"<style>{EDITOR_CSS}</style>"),
            self.title,
            toolbar,
            self.status,
            self.tabs,
            self.findings_panel,
            preview,
        ]
        for key, widget in fields.items():
            widget.observe(partial(self._on_change, key), names="value")

    @staticmethod
    def _button(text: str, icon: str, tooltip: str) -> W.Button:
        button = W.Button(description=text, icon=icon, tooltip=tooltip)
        button.add_class(f"gi-{icon.split('-')[0]}-button")
        return button

    def _paste_box(self) -> W.VBox:
        self.paste_text = W.Textarea(
            placeholder="从 Excel / WPS 复制表三的一行（6 或 7 个数）或整块（可含行标题），"
            "粘贴到这里",
            rows=5,
            layout=W.Layout(width="100%"),
        )
        self.paste_text.add_class("gi-paste-text")
        self.paste_row = W.Dropdown(
            options=[(row.label, row.key) for row in L.APPLICATION_ROWS],
            value=L.APPLICATION_ROW_KEYS[0],
            description="无行标题时从",
            style={"description_width": "7em"},
            layout=W.Layout(width="40em"),
        )
        self.paste_button = W.Button(description="粘贴", icon="paste")
        self.paste_button.add_class("gi-paste-button")
        self.paste_button.on_click(lambda _: self._guard(lambda: self.paste(self.paste_text.value)))
        self.paste_status = W.HTML()
        self.paste_status.add_class("gi-paste-status")
        return W.VBox(
            [
                W.HTML("<b>粘贴</b>"),
                self.paste_text,
                W.HBox([self.paste_row, self.paste_button]),
                self.paste_status,
            ]
        )

    # ------------------------------------------------------------------ events

    def _on_change(self, key: CellKey, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        if is_computed(key):  # read-only: keep showing the model's value
            self._sync([key])
            return
        value = change["new"]
        if is_decimal(key) and isinstance(value, float) and not Decimal(repr(value)).is_finite():
            self._sync([key])
            self._status(f"{cell_label(*key)}：无法识别的数字", ok=False)
            return
        report = set_value(self._report, key, value)
        report, totals = with_totals(report, [key])
        self._report = report
        self._sync(totals)
        self._schedule()

    def _schedule(self) -> None:
        """Refresh after ``debounce`` seconds of quiet in a running loop, else right away."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or self.debounce <= 0:
            self.refresh()
            return
        if self._pending is not None:
            self._pending.cancel()
        self._pending = loop.call_later(self.debounce, self._guard, self.refresh)

    def _guard(self, action: Callable[[], Any], *_: Any) -> None:
        """Run a button action; user-facing failures become a status line, not a traceback."""
        try:
            action()
        except (ParameterError, OSError, ValueError) as exc:
            self._status(str(exc), ok=False)

    def _on_render(self) -> None:
        from .pipeline import RenderError

        self._status("正在生成报告……")
        try:
            html = self.render()
        except (RenderError, ParameterError, OSError, ValueError) as exc:
            self._status(f"生成失败：{exc}", ok=False)
            return
        url = served_url(html)
        link = f'<a href="{escape(url)}" target="_blank">{escape(html.name)}</a> ' if url else ""
        self._status(f"已生成：{link}<code>{escape(str(html))}</code>", ok=True, markup=True)

    # ------------------------------------------------------------------ display

    def _sync(self, keys: list[CellKey]) -> None:
        """Show the model's value in the widgets of ``keys`` without triggering edits."""
        self._syncing = True
        try:
            for key in keys:
                widget = self._fields.get(key)
                if widget is None:
                    continue
                value = get_value(self._report, key)
                if is_decimal(key):
                    value = float(value)
                if widget.value != value:
                    widget.value = value
        finally:
            self._syncing = False

    def _highlight(self, findings: list[Finding]) -> None:
        marked = flags(findings, self._fields)
        for key, widget in self._fields.items():
            found = marked.get(key, [])
            severity = "error" if any(f.is_error for f in found) else "warning" if found else ""
            for name in SEVERITIES:
                if name == severity:
                    widget.add_class(f"gi-{name}")
                else:
                    widget.remove_class(f"gi-{name}")
            tip = "\n".join(f"{f.rule}: {f.zh}" for f in found) or cell_label(*key)
            if widget.tooltip != tip:
                widget.tooltip = tip

    def _show_findings(self, findings: list[Finding]) -> None:
        ordered = sorted(findings, key=lambda f: (not f.is_error, f.rule))
        if ordered == self._shown_findings:
            return
        self._shown_findings = ordered
        errors = sum(f.is_error for f in ordered)
        if ordered:
            text = f"{errors} 个错误，{len(ordered) - errors} 个警告（点击规则名定位到单元格）"
        else:
            text = "未发现问题（所有勾稽关系均成立）。"
        self.findings_summary.value = escape(text)
        old = self.findings_list.children
        self.findings_list.children = [self._finding_row(f) for f in ordered]
        for row in old:
            for child in row.children:
                child.close()
            row.close()

    def _finding_row(self, finding: Finding) -> W.HBox:
        button = W.Button(description=finding.rule, tooltip=finding.en)
        button.add_class(f"gi-finding-{finding.severity}")
        button.add_class(f"gi-finding-{finding.rule}")
        button.on_click(lambda _: self.show_finding(finding))
        place = escape(finding_place(finding))
        text = W.HTML(f"<b>{place}</b>：{escape(finding.zh)}")
        row = W.HBox([button, text])
        row.add_class("gi-finding")
        return row

    def _show_markdown(self) -> None:
        from .document import markdown_html

        for key, widget in self._previews.items():
            text = get_value(self._report, key)
            if self._shown_markdown.get(key) != text:
                self._shown_markdown[key] = text
                widget.value = markdown_html(text)

    def _show_title(self) -> None:
        report = self._report
        mark = " <span class='gi-dirty'>● 未保存</span>" if self.dirty else ""
        where = f"<br><code>{escape(str(self.path))}</code>" if self.path else ""
        self.title.value = f"<h2>{escape(report.title)}{mark}</h2>{where}"

    def _status(self, text: str, ok: bool | None = None, markup: bool = False) -> None:
        cls = {True: "gi-status-ok", False: "gi-status-error", None: ""}[ok]
        body = text if markup else escape(text)
        self.status.value = f'<span class="{cls}">{body}</span>'

    def _total_notes(self, result: PasteResult) -> list[str]:
        notes = []
        for pasted in result.rows:
            if pasted.row != L.TOTAL:
                continue
            for column, value in zip(L.APPLICANT_KEYS, pasted.values, strict=True):
                computed = self._report.applications.cell(L.TOTAL, column)
                if computed != value:
                    notes.append(
                        f"粘贴内容第 {pasted.line} 行（{L.ROW_BY_KEY[L.TOTAL].label}）"
                        f"{L.COLUMN_BY_KEY[column].label}列：粘贴 {value}，按各项计算为 {computed}"
                    )
        return notes

    def _show_paste(self, result: PasteResult) -> None:
        if result.errors:
            items = "".join(f"<li>{escape(e)}</li>" for e in result.errors)
            body = f'<span class="gi-status-error">未粘贴任何数字：</span><ul>{items}</ul>'
        else:
            names = "、".join(dict.fromkeys(L.ROW_BY_KEY[r.row].short for r in result.rows))
            notes = "".join(f"<li>{escape(n)}</li>" for n in result.notes)
            body = (
                f'<span class="gi-status-ok">已粘贴 {len(result.rows)} 行：{escape(names)}</span>'
            )
            body += f"<ul>{notes}</ul>" if notes else ""
        self.paste_status.value = body
