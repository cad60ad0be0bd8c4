"""The JupyterLab widget editor: fill in the official tables, see every broken rule at once.

``ReportEditor.from_file(path)`` (or ``ReportEditor(report)``) is an ipywidgets ``VBox``
with a toolbar (保存 / 还原 / 生成报告 / 重算总计), one tab per part of the report laid out
like the official tables (:mod:`govinfo.editor.grid`), a findings panel and a live preview
of the official HTML tables (:mod:`govinfo.publish.tables`). It needs nothing beyond core
ipywidgets.

How it works:

* The editor never loses or invents data. Its session (:mod:`govinfo.editor.state`) keeps
  the file as read and the fields the user changed; Save writes only those, as a round trip
  that keeps comments, unknown keys, blanks and every value as written
  (:mod:`govinfo.params.roundtrip`, atomic, through symbolic links). A file changed on disk
  since it was opened is not overwritten without a choice (重新读取 / 仍然覆盖), and unsaved
  edits are never dropped by 还原 without one (放弃修改 / 取消).
* Numbers are typed as text and read by the editor: ``1.5`` in a count stays on screen as
  ``1.5`` (NOT-INTEGER), ``/`` stays a published blank (CELL-BLANK), an empty cell is not
  filled in (MISSING, placeholder 未填), text that is no number is flagged (NOT-A-NUMBER) and
  Save refuses it.
* Totals are computed and read-only: the 总计 column of 表三 and 表四 and the （七）总计 row
  of 表三 follow the cells that feed them. Totals read from a file that do not add up are
  shown as read and flagged until a cell feeding them changes (or 重算总计 is pressed), so
  a wrong published total is never fixed silently. A pasted 总计 is compared, not applied.
* Findings are what ``govinfo validate`` will say about the saved file. ``.findings`` is
  always current; the panel, the highlight classes (``gi-error`` / ``gi-warning``) and the
  preview follow after a short debounce in a running kernel, or at once with no event loop
  (tests); :meth:`ReportEditor.refresh` brings them up to date synchronously.
* Findings stay in view: the toolbar, the status line and 校验结果 (a count and the
  findings, errors first) sit in a dock above the tables that stays at the top of the
  notebook while the tables scroll, so a cell edited in the first rows of 表三 shows its
  finding at once.
* 生成报告 saves pending edits (an invalid edit only if the user confirms 仍然保存, and then
  no report is made), says what it saved, then publishes like ``govinfo render`` (under the
  site lock, recorded in the site's manifest: :func:`govinfo.batch.record.render_into_site`)
  in a thread beside the kernel (:mod:`govinfo.editor.progress`): a spinner and the seconds
  so far while it runs, then a link to the page.
* Every message is Chinese and says what to do next (:mod:`govinfo.editor.messages`): the
  pipeline's command-line lines ("use --allow-invalid") are never shown.

The notebook's front page (a path box with 打开 and 新建) is :mod:`govinfo.editor.launcher`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from .. import layout as L
from ..findings import Finding
from ..model import Report
from ..params.roundtrip import RoundTripError
from .actions import FileActions, render_saved
from .fields import (
    APPS,
    BASIC_LABELS,
    FEES,
    NARRATIVE,
    PLACEHOLDERS,
    CellKey,
    cell_label,
    cell_state,
    concerns,
    flags,
    is_computed,
    is_number,
)
from .grid import (
    EDITOR_CSS,
    ConfirmBar,
    Fields,
    active_grid,
    applications_grid,
    basic_form,
    closing_form,
    overview_form,
    review_grid,
)

if TYPE_CHECKING:
    from ..audit.live import Checkup
from .panel import (
    DOCK_CSS,
    FindingsPanel,
    finding_place,
    paste_status_html,
    preview_html,
    served_url,
)
from .paste import PasteResult, paste_notes, read_paste
from .progress import Progress
from .state import EditSession, UnsavedChangesError

SEVERITIES = ("error", "warning")

# The tabs: (title, heading shown in the tab). Numerals and headings come from the layout.
_S = L.SECTION_BY_KEY
TABS: tuple[tuple[str, str], ...] = (
    ("基本信息", "基本信息"),
    (f"{_S['overview'].numeral} 总体情况", _S["overview"].heading),
    (f"{_S['active'].numeral} 主动公开", _S["active"].heading),
    (f"{_S['applications'].numeral} 申请情况", _S[L.APPLICATIONS].heading),
    (f"{_S['review_litigation'].numeral} 复议诉讼", _S[L.REVIEW_LITIGATION].heading),
    (
        f"{_S['problems'].numeral}/{_S['other'].numeral} 信息处理费",
        f"{_S['problems'].heading}；{_S['other'].heading}",
    ),
)


def tab_of(key: CellKey) -> int:
    """The index of the tab that holds the field ``key``."""
    section, row, _ = key
    if section in BASIC_LABELS or section == "contact":
        return 0
    if section == NARRATIVE:
        return 1 if row == "overview" else 5
    return {"active": 2, APPS: 3, L.REVIEW_LITIGATION: 4}.get(section, 5)


class ReportEditor(W.VBox):
    """Edit one report in JupyterLab: official-table inputs, live findings and preview.

    Parameters
    ----------
    report : Report, optional
        A report not (yet) in a file; ``ReportEditor.from_file(path)`` edits a file.
    path : path, optional
        The parameter file Save, Revert and Render use (default: ``report.source``).
    outdir : path
        Where Render publishes (``OUTDIR/<year>/<agency_id>.html``), as ``govinfo render -o``.
    debounce : float
        Seconds to wait after the last keystroke before the panel and preview update.
    session : EditSession, optional
        The edit session (what ``from_file`` passes).
    pack : str or path, optional
        The rule pack of the live 年报体检 (``govinfo audit --pack``): its predicted score
        and problems are shown under the findings as the officer types. ``None`` for none.
    """

    def __init__(
        self,
        report: Report | None = None,
        *,
        path: str | Path | None = None,
        outdir: str | Path = "site",
        debounce: float = 0.3,
        session: EditSession | None = None,
        pack: str | Path | None = "national",
    ) -> None:
        super().__init__()
        if session is None:
            if report is None:
                raise ValueError("ReportEditor needs a report or a session")
            session = EditSession.of_report(report, path)
        if pack is not None:
            from ..audit.packs import load_pack

            session.pack = load_pack(pack)  # PackError (one line) for a pack that is no good
        self.add_class("gi-editor")
        self.session = session
        self.outdir = Path(outdir)
        self.debounce = debounce
        self._fields: Fields = {}
        self._previews: dict[CellKey, W.HTML] = {}
        self._syncing = False
        self._pending: asyncio.TimerHandle | None = None
        self._shown_markdown: dict[CellKey, str] = {}
        self._focused: list[CellKey] = []
        self._build()
        self._sync(list(self._fields))
        self.refresh()

    @classmethod
    def from_file(cls, path: str | Path, **kwargs: Any) -> ReportEditor:
        """An editor on a parameter file (ParameterError when it cannot be read)."""
        return cls(session=EditSession.open(path), **kwargs)

    # ------------------------------------------------------------------ public API

    @property
    def report(self) -> Report:
        """The current model, with every edit so far."""
        return self.session.report

    @property
    def path(self) -> Path | None:
        return self.session.path

    @property
    def findings(self) -> list[Finding]:
        """The current findings (always up to date, whatever the debounce)."""
        return self.session.findings

    @property
    def checkup(self) -> Checkup | None:
        """The live 年报体检 of the current report (score and problems), None without a pack."""
        return self.session.checkup

    @property
    def dirty(self) -> bool:
        """True when saving would change the file (there are unsaved edits)."""
        return self.session.dirty

    def field(self, section: str, row: str | None = None, column: str | None = None) -> W.Widget:
        """The input widget of one field.

        ``field("applications", "new", "natural_person")`` is 表三 本年新收 × 自然人,
        ``field("active", "licensing")`` 表二 行政许可, ``field("agency")`` the agency name.
        Numbers are text fields: ``.value = "3"`` (or ``3``) types 3.
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
        self.findings_panel.show(findings, self.session.checkup)
        self.preview.value = preview_html(self.report, findings)
        self._show_markdown()
        self._show_title()

    def save(self, path: str | Path | None = None, *, overwrite: bool = False) -> Path:
        """Write the edits (only they change in the file) atomically to ``path`` or the
        editor's file; saving to another path makes it the editor's file ("Save as").

        Raises FileChangedError when the file changed on disk since it was opened
        (FileExistsError for another existing file) unless ``overwrite``; ValueError while a
        number field holds text that is no number.
        """
        changes = len(self.session.edits)
        target = self.session.save(path, overwrite=overwrite)
        self.confirm.dismiss()
        errors = sum(f.is_error for f in self.findings)
        note = f"，{errors} 个错误尚未解决，改正后才能生成报告" if errors else ""
        self._status(f"已保存 {target}（修改 {changes} 处{note}）", ok=not errors)
        self.refresh()
        return target

    def revert(self, *, discard: bool = False) -> None:
        """Read the file again. With unsaved edits, UnsavedChangesError unless ``discard``."""
        if self.path is None:
            raise ValueError("这份报告还没有文件，无法还原")
        if self.dirty and not discard:
            raise UnsavedChangesError(f"{self.path} 有未保存的修改：先保存，或选择放弃修改")
        self.session = EditSession.open(self.path)
        self.confirm.dismiss()
        self._sync(list(self._fields))
        self.refresh()
        self._status(f"已从 {self.path} 重新读取")

    def recompute_totals(self) -> list[CellKey]:
        """Recompute every total from its parts; returns the totals that changed."""
        changed = self.session.recompute_totals()
        self._sync(changed)
        self.refresh()
        return changed

    def paste(self, text: str, start_row: str | None = None) -> PasteResult:
        """Fill 表三 from tab-separated text (see :mod:`govinfo.editor.paste`).

        All or nothing: with any unreadable value nothing changes and the result's
        ``errors`` name each one. Pasted blanks are kept as published blanks (``-`` …,
        CELL-BLANK) and empty cells are not filled in (MISSING), each named in the notes;
        pasted totals are compared with the computed ones.
        """
        result = read_paste(text, start_row or self.paste_row.value)
        if result.ok:
            edited: list[CellKey] = []
            for pasted in result.rows:
                if pasted.row == L.TOTAL:
                    continue  # computed: checked below
                for column, value in zip(L.APPLICANT_KEYS, pasted.values, strict=True):
                    key = (APPS, pasted.row, column)
                    edited += [key, *self.session.set(key, value)]
            self._sync(edited)
            notes = (*result.notes, *paste_notes(result, self.session.value))
            result = PasteResult(result.rows, (), notes)
            self._schedule()
        self.paste_status.value = paste_status_html(result)
        return result

    def render(self) -> Path:
        """Save pending edits, publish like ``govinfo render``; the HTML's path.

        Pending edits with errors are not saved (ValueError: the pipeline would refuse
        them; 生成报告 asks whether to save them anyway). Raises
        ``govinfo.publish.pipeline.RenderError`` (the message is for the user), including its
        ``InvalidReport`` when an error rule fails.
        """
        if self.path is None or self.dirty:
            errors = sum(f.is_error for f in self.findings)
            if errors:
                raise ValueError(
                    f"有 {errors} 个错误：未保存，未生成报告。请先改正校验结果中的错误"
                )
            self.save()
        assert self.path is not None
        return render_saved(self.path, self.outdir)

    @property
    def rendering(self) -> bool:
        """True while 生成报告 runs in the background."""
        return self.progress.running

    def show_finding(self, finding: Finding) -> list[CellKey]:
        """Switch to the finding's tab, outline its inputs and focus the first editable one."""
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
        fields, previews = self._fields, self._previews
        self.title = W.HTML()
        self.title.add_class("gi-title")
        self.save_button = self._button("保存", "save", "Save the parameter file (atomic)")
        self.revert_button = self._button("还原", "undo", "Read the file again")
        self.render_button = self._button("生成报告", "file-export", "Publish the HTML report")
        self.recompute_button = self._button("重算总计", "calculator", "Recompute every total")
        self.status = W.HTML()
        self.status.add_class("gi-status")
        self.progress = Progress()
        self.confirm = ConfirmBar()
        self.actions = FileActions(self)
        act = self.actions
        self.save_button.on_click(lambda _: act.guard(act.on_save, "保存"))
        self.revert_button.on_click(lambda _: act.guard(act.on_revert, "还原"))
        self.render_button.on_click(lambda _: act.guard(act.on_render, "生成报告"))
        self.recompute_button.on_click(lambda _: act.guard(self.recompute_totals))
        toolbar = W.HBox(
            [self.save_button, self.revert_button, self.render_button, self.recompute_button]
        )
        pages = [
            basic_form(fields),
            overview_form(fields, previews),
            active_grid(fields),
            W.VBox([applications_grid(fields), self._paste_box()]),
            review_grid(fields),
            closing_form(fields, previews),
        ]
        self.tabs = W.Tab(
            [
                W.VBox([W.HTML(f"<h3>{escape(heading)}</h3>"), page])
                for page, (_, heading) in zip(pages, TABS, strict=True)
            ],
            titles=[title for title, _ in TABS],
        )
        self.tabs.add_class("gi-tabs")

        self.findings_panel = FindingsPanel(self.show_finding)
        self.findings_summary = self.findings_panel.summary
        self.findings_list = self.findings_panel.rows
        # What must stay in view while the tables scroll: the buttons, what they did, the
        # question they ask, and 校验结果.
        self.dock = W.VBox([toolbar, self.status, self.progress, self.confirm, self.findings_panel])
        self.dock.add_class("gi-dock")

        self.preview = W.HTML()
        self.preview.add_class("gi-preview-box")
        preview = W.Accordion([self.preview], titles=["预览：官方表格（二、三、四）"])
        preview.selected_index = 0

        self.children = [
            W.HTML(f"<style>{EDITOR_CSS}{DOCK_CSS}</style>"),
            self.title,
            self.dock,
            self.tabs,
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
        if is_computed(key):  # read-only: keep showing the file's value
            self._sync([key])
            return
        self._sync(self.session.set_field(key, change["new"]))
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
        """Run an action; a failure the user can resolve becomes a Chinese status line."""
        self.actions.guard(action)

    # ------------------------------------------------------------------ display

    def _sync(self, keys: list[CellKey]) -> None:
        """Show the file's values in the widgets of ``keys`` without triggering edits."""
        self._syncing = True
        try:
            for key in keys:
                widget = self._fields.get(key)
                if widget is None:
                    continue
                value = self.session.shown(key)
                if isinstance(widget, W.Dropdown):
                    self._choices(widget, value)
                if widget.value != value:
                    widget.value = value
                if key[0] == FEES and key[1] is not None:
                    widget.disabled = not isinstance(self.session.value((FEES, None, None)), dict)
        finally:
            self._syncing = False

    @staticmethod
    def _choices(widget: W.Dropdown, value: Any) -> None:
        """A value the file holds but the rules refuse (CHOICE) is shown as it is, marked."""
        options = [o for o in widget.options if not str(o[0]).startswith("（无效）")]
        if value not in [v for _, v in options]:
            options.append((f"（无效）{value}", value))
        if list(widget.options) != options:
            widget.options = options

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
            if is_number(key):
                holder = PLACEHOLDERS.get(cell_state(self.session.value(key)) or "", "")
                if widget.placeholder != holder:
                    widget.placeholder = holder

    def _show_markdown(self) -> None:
        from ..publish.document import markdown_html

        for key, widget in self._previews.items():
            text = self.session.shown(key)
            if self._shown_markdown.get(key) != text:
                self._shown_markdown[key] = text
                widget.value = markdown_html(text)

    def _show_title(self) -> None:
        mark = " <span class='gi-dirty'>● 未保存</span>" if self.dirty else ""
        where = f"<code>{escape(str(self.path))}</code>" if self.path else ""
        self.title.value = f"<h2>{escape(self.report.title)}{mark}</h2>{where}"

    def _status(self, text: str, ok: bool | None = None) -> None:
        self.actions.say(text, ok)


__all__ = [
    "ReportEditor",
    "RoundTripError",
    "UnsavedChangesError",
    "finding_place",
    "preview_html",
    "served_url",
    "tab_of",
]
