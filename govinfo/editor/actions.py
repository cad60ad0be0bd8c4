"""What the editor's buttons do with the file: 保存, 还原, 生成报告.

Each asks before anything is lost or overwritten (a file changed on disk: 重新读取 / 仍然覆盖;
unsaved edits: 放弃修改 / 取消; an invalid edit before 生成报告: 仍然保存 / 取消), says in
Chinese what it did or why it could not (:mod:`govinfo.editor.messages`), and 生成报告 runs
the render beside the kernel with its progress shown (:mod:`govinfo.editor.progress`), so the
editor stays usable and ends with a link to the page. The editor's Python methods
(``save``, ``revert``, ``render``) do the work and raise; these are the buttons around them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from html import escape
from pathlib import Path
from typing import Any, Protocol

import ipywidgets as W

from ..findings import Finding
from ..params.roundtrip import FileChangedError
from . import messages
from .grid import ConfirmBar
from .messages import USER_ERRORS
from .panel import served_url
from .progress import Outcome, Progress, in_background
from .state import EditSession


class Editor(Protocol):
    """What the buttons need of :class:`~govinfo.editor.widget.ReportEditor`."""

    session: EditSession
    outdir: Path
    status: W.HTML
    confirm: ConfirmBar
    progress: Progress
    save_button: W.Button
    revert_button: W.Button
    render_button: W.Button

    @property
    def path(self) -> Path | None: ...
    @property
    def dirty(self) -> bool: ...
    @property
    def findings(self) -> list[Finding]: ...
    @property
    def rendering(self) -> bool: ...
    def save(self, path: str | Path | None = None, *, overwrite: bool = False) -> Path: ...
    def revert(self, *, discard: bool = False) -> None: ...


def render_saved(path: Path, outdir: Path) -> Path:
    """Publish the saved file like ``govinfo render``: under the site lock and recorded in
    its manifest (:func:`govinfo.batch.record.render_into_site`); the page's path."""
    from ..batch import record  # the pipeline is heavy and only needed here

    return Path(record.render_into_site(path, outdir, allow_invalid=False).html)


class FileActions:
    """The buttons of one :class:`~govinfo.editor.widget.ReportEditor`."""

    def __init__(self, editor: Editor) -> None:
        self.editor = editor
        self.thread: Any = None  # the last render's thread (None: it ran at once)

    def guard(self, action: Callable[[], Any], doing: str = "操作") -> None:
        """Run a button's action; a failure the user can resolve becomes a Chinese status
        line that says what to do, not a traceback."""
        try:
            action()
        except USER_ERRORS as exc:
            self.editor.status.value = messages.html(messages.explain(exc, doing))

    def say(self, text: str, ok: bool | None = None) -> None:
        self.editor.status.value = messages.html(escape(text), ok)

    # ------------------------------------------------------------------ 保存

    def on_save(self, then: Callable[[], Any] | None = None) -> bool:
        """保存: a file changed on disk since it was opened is not overwritten without a choice."""
        ed = self.editor
        try:
            ed.save()
        except FileChangedError:
            ed.confirm.ask(
                f"{ed.path} 在打开后已被其他程序修改。重新读取：显示磁盘上的内容，"
                "放弃这里未保存的修改；仍然覆盖：用这里的内容替换磁盘上的文件。",
                [
                    ("重新读取", "reload", partial(self.guard, partial(ed.revert, discard=True))),
                    ("仍然覆盖", "overwrite", partial(self.guard, partial(self._overwrite, then))),
                ],
            )
            self.say("未保存：文件已被其他程序修改。请在下面选择“重新读取”或“仍然覆盖”", ok=False)
            return False
        if then is not None:
            then()
        return True

    def _overwrite(self, then: Callable[[], Any] | None) -> None:
        self.editor.save(overwrite=True)
        if then is not None:
            then()

    # ------------------------------------------------------------------ 还原

    def on_revert(self) -> None:
        """还原: unsaved edits are discarded only when the user says so."""
        ed = self.editor
        if not ed.dirty:
            ed.revert()
            return
        ed.confirm.ask(
            f"有未保存的修改。放弃这些修改并重新读取 {ed.path}？",
            [
                ("放弃修改", "discard", partial(self.guard, partial(ed.revert, discard=True))),
                (
                    "取消",
                    "cancel",
                    partial(self.say, "已取消：修改仍在，尚未保存；要保留请点“保存”"),
                ),
            ],
        )

    # ------------------------------------------------------------------ 生成报告

    def on_render(self) -> None:
        """生成报告: save (an invalid edit only when the user chooses to), say so, publish."""
        ed = self.editor
        if ed.session.unreadable:
            ed.save()  # refused with the cells named
        if not ed.dirty:
            self.publish(saved=False)
            return
        errors = sum(f.is_error for f in ed.findings)
        if not errors:
            self.on_save(then=partial(self.publish, saved=True))
            return
        cancelled = "已取消：未保存，未生成报告。请按校验结果改正后再点“生成报告”"
        ed.confirm.ask(
            f"当前修改有 {errors} 个错误，不能生成报告。仍然保存这些修改（不生成报告）？",
            [
                ("仍然保存", "save-invalid", partial(self.guard, self.on_save, "保存")),
                ("取消", "cancel", partial(self.say, cancelled)),
            ],
        )
        self.say(
            f"未保存，未生成报告：{errors} 个错误（见校验结果）。请改正后再点“生成报告”，"
            "或在下面选择“仍然保存”（只保存，不生成报告）",
            ok=False,
        )

    def publish(self, saved: bool) -> None:
        """Render the saved file in the background: progress while it runs, then a link
        to the page or what to do."""
        ed = self.editor
        if ed.rendering or ed.path is None:
            return
        done = ed.status.value if saved else ""
        self._busy(True)
        ed.progress.start("正在生成报告……")
        job = partial(render_saved, ed.path, ed.outdir)
        self.thread = in_background(job, partial(self._published, done))

    def _published(self, done: str, outcome: Outcome) -> None:
        ed = self.editor
        ed.progress.stop()
        self._busy(False)
        if outcome.error is not None:
            body = messages.html(messages.render_failed(outcome.error))
        else:
            html = Path(outcome.value)
            url = served_url(html)
            link = (
                f'<a class="gi-report-link" href="{escape(url)}" target="_blank">'
                f"打开报告 {escape(html.name)}</a> "
                if url
                else ""
            )
            body = messages.html(f"已生成报告：{link}{messages.code(html)}", ok=True)
        ed.status.value = (done + "<br>" if done else "") + body

    def _busy(self, on: bool) -> None:
        """While a render runs, the buttons that touch the file wait for it."""
        ed = self.editor
        for button in (ed.save_button, ed.revert_button, ed.render_button):
            button.disabled = on
