"""The editor notebook's front page: choose a parameter file (打开) or create one (新建).

``notebooks/editor.ipynb`` shows an :class:`EditorLauncher`; 新建 runs the same code as
``govinfo new`` (:func:`govinfo.params.new.new_report`: every cell not filled in yet) and
then opens the new file in a :class:`~govinfo.editor.widget.ReportEditor`.
Neither replaces an editor holding unsaved edits without asking (放弃修改 / 取消).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as W

from ..findings import ParameterError
from ..params.new import NewReportError, new_report, save_new
from .fields import BASIC_LABELS
from .grid import ConfirmBar
from .widget import ReportEditor


def close_tree(widget: W.Widget) -> None:
    """Close a widget and everything inside it (a replaced editor must not leak comms)."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    widget.close()


def new_report_file(path: str | Path, agency: str, agency_id: str, year: int) -> Path:
    """What ``govinfo new -o path`` does (the same function): a blank report written
    atomically; never overwrites. Raises NewReportError (its ``zh`` is the message shown)."""
    report = new_report({"agency": agency.strip(), "agency_id": agency_id, "year": int(year)})
    return save_new(report, path)


class EditorLauncher(W.VBox):
    """The notebook's front page: choose a parameter file (打开) or create one (新建).

    Relative paths are resolved against ``root`` (the repository root for
    ``notebooks/editor.ipynb``). The default file is opened at once when it exists.
    """

    def __init__(
        self,
        default: str = "parameters/2021/zezhou-xzsp.yaml",
        *,
        root: str | Path = ".",
        outdir: str | Path | None = None,
        **editor_options: Any,
    ) -> None:
        super().__init__()
        self.add_class("gi-launcher")
        self.root = Path(root)
        self.outdir = Path(outdir) if outdir else self.root / "site"
        self.editor_options = editor_options
        self.editor: ReportEditor | None = None
        self.path_text = W.Text(
            value=default,
            description="参数文件",
            layout=W.Layout(width="40em"),
            style={"description_width": "5em"},
        )
        self.path_text.add_class("gi-path")
        stem = Path(default).stem
        year_dir = Path(default).parent.name
        self.new_agency = W.Text(
            description=BASIC_LABELS["agency"], style={"description_width": "5em"}
        )
        self.new_id = W.Text(
            value=stem, description=BASIC_LABELS["agency_id"], style={"description_width": "5em"}
        )
        self.new_year = W.IntText(
            value=int(year_dir) if year_dir.isdigit() else dt.date.today().year - 1,
            description=BASIC_LABELS["year"],
            style={"description_width": "5em"},
        )
        self.open_button = W.Button(description="打开", icon="folder-open")
        self.open_button.add_class("gi-open-button")
        self.new_button = W.Button(description="新建", icon="file")
        self.new_button.add_class("gi-new-button")
        self.open_button.on_click(lambda _: self.open_file())
        self.new_button.on_click(lambda _: self.create())
        self.message = W.HTML()
        self.confirm = ConfirmBar()
        self.area = W.Box()
        self.children = [
            W.HBox([self.path_text, self.open_button]),
            W.HBox([self.new_agency, self.new_id, self.new_year, self.new_button]),
            self.message,
            self.confirm,
            self.area,
        ]
        if self.target().is_file():
            self.open_file()

    def target(self) -> Path:
        path = Path(self.path_text.value.strip())
        return path if path.is_absolute() else self.root / path

    def open_file(self, *, discard: bool = False) -> ReportEditor | None:
        """Open the file named in the path box; a one-line message if it cannot be read.

        With unsaved edits in the open editor, nothing happens until the user chooses
        放弃修改 (or the call passes ``discard=True``).
        """
        if self._ask_first("打开", lambda: self.open_file(discard=True), discard):
            return None
        try:
            editor = ReportEditor.from_file(
                self.target(), outdir=self.outdir, **self.editor_options
            )
        except ParameterError as exc:
            self._say(str(exc), ok=False)
            return None
        if self.editor is not None:
            close_tree(self.editor)
        self.editor = editor
        self.area.children = [editor]
        self._say("")
        return editor

    def create(self, *, discard: bool = False) -> ReportEditor | None:
        """Write a blank report at the path (like ``govinfo new``), then open it."""
        if self._ask_first("新建", lambda: self.create(discard=True), discard):
            return None
        try:
            path = new_report_file(
                self.target(), self.new_agency.value, self.new_id.value, self.new_year.value
            )
        except NewReportError as exc:
            self._say(exc.zh, ok=False)
            return None
        except (ParameterError, OSError) as exc:
            self._say(str(exc), ok=False)
            return None
        editor = self.open_file(discard=True)
        self._say(f"已新建 {path}", ok=True)
        return editor

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
        cls = "gi-status-ok" if ok else "gi-status-error"
        self.message.value = f'<span class="{cls}">{escape(text)}</span>' if text else ""
