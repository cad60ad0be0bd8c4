"""The editor notebook's front page: choose a parameter file (打开) or create one (新建).

``notebooks/editor.ipynb`` shows an :class:`EditorLauncher`. 新建 takes the 机关名称, 文件标识
and 报告年度 typed beside it, writes ``<folder>/<年度>/<文件标识>.yaml`` (the layout of
``parameters/``) with the same code as ``govinfo new`` (:func:`govinfo.params.new.new_report`:
every cell not filled in yet, each key labelled in Chinese) and opens it in a
:class:`~govinfo.editor.widget.ReportEditor`. When last year's file of that 文件标识 exists,
it offers to start from it (``govinfo new --from``: 上年结转, 现行有效件数, the agency's
details and last year's text as a starting point). The line under the fields always says
which file 新建 will write. Opening a file fills the fields in for its next year.
Neither 打开 nor 新建 replaces an editor holding unsaved edits without asking (放弃修改 / 取消).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as W

from .. import layout as L
from ..findings import ParameterError
from ..params import SUFFIXES
from ..params.new import NewReportError, new_report, save_new
from . import messages
from .fields import BASIC_LABELS
from .grid import ConfirmBar
from .panel import DOCK_CSS
from .widget import ReportEditor

LABEL = {"description_width": "4.5em"}

IN_FORCE = L.ACTIVE_MEASURES[2][1]  # 现行有效件数, carried from last year


def close_tree(widget: W.Widget) -> None:
    """Close a widget and everything inside it (a replaced editor must not leak comms)."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    widget.close()


def new_report_file(
    path: str | Path,
    agency: str,
    agency_id: str,
    year: int,
    last_year: str | Path | None = None,
) -> Path:
    """What ``govinfo new -o path [--from last_year]`` does (the same functions): a blank
    report, or one started from last year's file, written atomically; never overwrites.
    Raises NewReportError (its ``zh`` is the message shown); ParameterError when last
    year's file cannot be read."""
    path = Path(path)
    fields: dict[str, Any] = {"agency_id": agency_id.strip(), "year": int(year)}
    if agency.strip() or not last_year:
        fields["agency"] = agency.strip()
    report = new_report(fields, last_year=last_year, base=path.parent)
    return save_new(report, path)


class EditorLauncher(W.VBox):
    """The notebook's front page: choose a parameter file (打开) or create one (新建).

    Relative paths are resolved against ``root`` (the repository root for
    ``notebooks/editor.ipynb``); 新建 writes into ``folder`` (default: the folder above the
    default file's year, ``parameters``). The default file is opened at once when it exists.
    """

    def __init__(
        self,
        default: str = "parameters/2021/zezhou-xzsp.yaml",
        *,
        root: str | Path = ".",
        outdir: str | Path | None = None,
        folder: str | Path | None = None,
        **editor_options: Any,
    ) -> None:
        super().__init__()
        self.add_class("gi-launcher")
        self.root = Path(root)
        self.outdir = Path(outdir) if outdir else self.root / "site"
        parent = Path(default).parent
        self.folder = Path(folder) if folder else parent.parent if parent.name.isdigit() else parent
        self.editor_options = editor_options
        self.editor: ReportEditor | None = None
        self.path_text = W.Text(
            value=default, description="参数文件", layout=W.Layout(width="34em"), style=LABEL
        )
        self.path_text.add_class("gi-path")
        self.open_button = W.Button(description="打开", icon="folder-open")
        self.open_button.add_class("gi-open-button")
        self.new_agency = W.Text(
            description=BASIC_LABELS["agency"],
            placeholder="如 示例县教育局",
            style=LABEL,
            layout=W.Layout(width="22em"),
        )
        self.new_agency.add_class("gi-new-agency")
        self.new_id = W.Text(
            description=BASIC_LABELS["agency_id"],
            placeholder="如 shili-jyj",
            style=LABEL,
            layout=W.Layout(width="16em"),
        )
        self.new_id.add_class("gi-new-id")
        self.new_year = W.IntText(
            value=dt.date.today().year - 1,
            description=BASIC_LABELS["year"],
            style=LABEL,
            layout=W.Layout(width="10em"),
        )
        self.new_year.add_class("gi-new-year")
        self.from_last_year = W.Checkbox(value=True, indent=False, layout=W.Layout(width="auto"))
        self.from_last_year.add_class("gi-from-last-year")
        self.new_target = W.HTML()
        self.new_target.add_class("gi-launcher-target")
        self.new_button = W.Button(description="新建", icon="file")
        self.new_button.add_class("gi-new-button")
        self.open_button.on_click(lambda _: self.open_file())
        self.new_button.on_click(lambda _: self.create())
        for field in (self.new_agency, self.new_id, self.new_year, self.from_last_year):
            field.observe(lambda _: self._show_target(), names="value")
        self.message = W.HTML()
        self.message.add_class("gi-launcher-message")
        self.confirm = ConfirmBar()
        self.area = W.Box()
        rows = [
            W.HBox([self.path_text, self.open_button]),
            W.HBox([self.new_agency, self.new_id, self.new_year, self.new_button]),
            W.HBox([self.from_last_year]),
            self.new_target,
        ]
        for row in rows[:3]:
            row.add_class("gi-launcher-row")
        self.children = [
            W.HTML(f"<style>{DOCK_CSS}</style>"),
            *rows,
            self.message,
            self.confirm,
            self.area,
        ]
        if self.target().is_file():
            self.open_file()
        self._show_target()

    # ------------------------------------------------------------------ paths

    def target(self) -> Path:
        """The file named in the path box (what 打开 opens)."""
        return self._absolute(self.path_text.value.strip())

    def new_path(self) -> Path:
        """The file 新建 writes: ``<folder>/<报告年度>/<文件标识>.yaml``."""
        name = f"{self.new_id.value.strip()}.yaml"
        return self._absolute(self.folder / str(self.new_year.value) / name)

    def last_year_file(self) -> Path | None:
        """Last year's file of this 文件标识, if there is one to start from."""
        agency_id = self.new_id.value.strip()
        if not agency_id:
            return None
        folder = self._absolute(self.folder / str(self.new_year.value - 1))
        return next(
            (
                folder / f"{agency_id}{s}"
                for s in SUFFIXES
                if (folder / f"{agency_id}{s}").is_file()
            ),
            None,
        )

    def _absolute(self, path: str | Path) -> Path:
        path = Path(path)
        return path if path.is_absolute() else self.root / path

    def _shown(self, path: Path) -> str:
        """A path as the user knows it: relative to the root when under it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    # ------------------------------------------------------------------ actions

    def open_file(self, *, discard: bool = False) -> ReportEditor | None:
        """Open the file named in the path box; a message saying what to do if it cannot
        be read. The 新建 fields then offer this agency's next year.

        With unsaved edits in the open editor, nothing happens until the user chooses
        放弃修改 (or the call passes ``discard=True``).
        """
        if self._ask_first("打开", lambda: self.open_file(discard=True), discard):
            return None
        editor = self._open(self.target())
        if editor is not None:
            report = editor.report
            self.new_agency.value = report.agency
            self.new_id.value = report.agency_id
            self.new_year.value = report.year + 1
        return editor

    def _open(self, path: Path) -> ReportEditor | None:
        try:
            editor = ReportEditor.from_file(path, outdir=self.outdir, **self.editor_options)
        except ParameterError as exc:
            self._say(messages.open_failed(self.path_text.value.strip(), exc), ok=False)
            return None
        if self.editor is not None:
            close_tree(self.editor)
        self.editor = editor
        self.area.children = [editor]
        self._say("")
        return editor

    def create(self, *, discard: bool = False) -> ReportEditor | None:
        """Write the report the 新建 fields describe (like ``govinfo new``), then open it."""
        if self._ask_first("新建", lambda: self.create(discard=True), discard):
            return None
        last = self.last_year_file() if self.from_last_year.value else None
        problem = self._unfilled(last)
        if problem:
            self._say(problem, ok=False)
            return None
        path = self.new_path()
        if path.exists():
            self.path_text.value = self._shown(path)
            self._say(
                f"{messages.code(self._shown(path))} 已存在，没有新建。要编辑它请点“打开”"
                "（路径已填好）；要新建另一份，请改文件标识或报告年度。",
                ok=False,
            )
            return None
        try:
            new_report_file(
                path, self.new_agency.value, self.new_id.value, self.new_year.value, last
            )
        except NewReportError as exc:
            self._say(messages.new_failed(exc), ok=False)
            return None
        except ParameterError as exc:
            self._say(messages.open_failed(self._shown(last or path), exc), ok=False)
            return None
        except OSError as exc:
            self._say(messages.os_failed(exc, "新建"), ok=False)
            return None
        self.path_text.value = self._shown(path)
        editor = self._open(path)
        start = (
            f"以 {messages.code(self._shown(last))} 为基础：上年结转和{IN_FORCE}已带入，"
            "请改写标有“（待更新）”的正文，并填写本年度的数字。"
            if last
            else "请逐项填写：未填的单元格显示“未填”，没有的填 0。"
        )
        self._say(f"已新建 {messages.code(self._shown(path))}。{start}", ok=True)
        self._show_target()
        return editor

    def _unfilled(self, last: Path | None) -> str:
        """What must be typed before 新建 can write anything (empty when ready)."""
        if not self.new_agency.value.strip() and last is None:
            return "请先填写机关名称（如“示例县教育局”），再点“新建”。"
        if not self.new_id.value.strip():
            return (
                "请先填写文件标识：网页的文件名，只用小写字母、数字和连字符（如 "
                f"{messages.code('shili-jyj')}），再点“新建”。"
            )
        return ""

    def _show_target(self) -> None:
        """Say which file 新建 will write, and offer last year's as a starting point."""
        last = self.last_year_file()
        self.from_last_year.layout.display = "flex" if last else "none"
        if last:
            self.from_last_year.description = (
                f"以上年度报告为基础（{self._shown(last)}：带入上年结转、{IN_FORCE}、"
                "机关信息和正文）"
            )
        if not self.new_id.value.strip():
            self.new_target.value = "填写机关名称、文件标识和报告年度后点“新建”。"
            return
        path = self.new_path()
        shown = messages.code(self._shown(path))
        if self.editor is not None and self.editor.path == path:
            text = f"{shown} 已在下面打开。要新建另一份，请改文件标识或报告年度。"
        elif path.exists():
            text = f"{shown} 已存在：要编辑它，请把它填入“参数文件”后点“打开”。"
        else:
            text = f"“新建”将写入 {shown}。"
        self.new_target.value = text

    def _ask_first(self, action: str, proceed: Callable[[], Any], discard: bool) -> bool:
        """True (and the question shown) when the open editor has unsaved edits."""
        self.confirm.dismiss()
        if discard or self.editor is None or not self.editor.dirty:
            return False
        self.confirm.ask(
            f"{self.editor.path or '当前报告'} 有未保存的修改。{action}将放弃这些修改，是否继续？",
            [
                ("放弃修改", "discard", proceed),
                ("取消", "cancel", lambda: self._say("已取消：修改仍在编辑器中，尚未保存")),
            ],
        )
        return True

    def _say(self, text: str, ok: bool = True) -> None:
        """A message (HTML: paths already set apart with messages.code)."""
        self.message.value = messages.html(text, ok) if text else ""
