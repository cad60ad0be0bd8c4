"""What the editor says when something cannot be done: Chinese, and what to do next.

The layers below speak to the command line: ``InvalidReport`` says "use --allow-invalid",
``SiteBusy`` and ``RenderError`` are English lines, ``ParameterError`` is "中文 / English".
A disclosure officer at the editor can use none of that. Each function here turns one such
failure, from the structure it carries (the findings of ``InvalidReport``, the ``errno`` of
an ``OSError``, the Chinese half of a bilingual message), into one Chinese message as HTML:
what happened, then what to do. A technical detail that only a technician can use (a
notebook's traceback line) is kept, folded away under 技术信息, never in place of the advice.
"""

from __future__ import annotations

import errno
import re
from html import escape
from pathlib import Path

from ..findings import ParameterError
from ..params.new import NewReportError
from ..params.roundtrip import FileChangedError, RoundTripError
from .fields import cell_label
from .state import NotANumberError, UnsavedChangesError

# The errors a button can meet that are the user's to resolve (anything else is a bug).
USER_ERRORS: tuple[type[Exception], ...] = (
    ParameterError,
    OSError,
    ValueError,
    FileChangedError,
    UnsavedChangesError,
)

_OS_REASONS = {
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENOSPC: "磁盘已满",
    errno.EROFS: "所在磁盘只读",
    errno.ENOENT: "文件或文件夹不存在",
    errno.EISDIR: "这是一个文件夹，不是文件",
}
TECHNICIAN = "若仍不成功，请把下面的技术信息交给技术人员。"
_LINE = re.compile(r"line (\d+), column (\d+)")


def code(path: str | Path) -> str:
    """A path or file name as shown in a message (set apart: it is not prose)."""
    return f"<code>{escape(str(path))}</code>"


def details(text: str) -> str:
    """A technical detail, folded away: for a technician, not the message itself."""
    body = f"<summary>技术信息</summary><code>{escape(text)}</code>"
    return f'<details class="gi-technical">{body}</details>'


def chinese(message: str) -> str:
    """The Chinese half of a bilingual ``中文 / English`` message."""
    return message.split(" / ", 1)[0].strip()


def html(text: str, ok: bool | None = False) -> str:
    """A status line: ``text`` is already HTML; ``ok`` picks the colour (None: neutral)."""
    cls = {True: "gi-status-ok", False: "gi-status-error", None: "gi-status-info"}[ok]
    return f'<span class="{cls}">{text}</span>'


def open_failed(path: str | Path, exc: ParameterError, again: str = "打开") -> str:
    """A parameter file that cannot be opened: where, why, and what to do (then press
    ``again``)."""
    reason = chinese(exc.message)
    if "不存在" in reason:
        return (
            f"找不到文件 {code(path)}。请检查“参数文件”中的路径（相对于仓库根目录），"
            "或在下方填写机关名称、文件标识和报告年度后点“新建”。"
        )
    where = ""
    if exc.field:
        place = _LINE.fullmatch(exc.field)
        where = f"（第 {place[1]} 行第 {place[2]} 列）" if place else f"（{code(exc.field)}）"
    reason = re.sub(r"^(YAML|JSON) ", "", reason)  # the file's name says which
    return (
        f"无法打开 {code(path)}{where}：{escape(reason)}。"
        f"请用文本编辑器改正该处后再点“{escape(again)}”，或打开另一个文件。"
    )


def os_failed(exc: OSError, doing: str) -> str:
    """A file that could not be read or written (``doing``: 保存, 新建 …)."""
    reason = _OS_REASONS.get(exc.errno or 0, "系统拒绝了操作")
    where = code(exc.filename) if exc.filename else "文件"
    return (
        f"{escape(doing)}失败：{where} {reason}。"
        "请检查该文件夹是否存在、能否写入、磁盘是否还有空间，然后再试一次。"
        + details(f"{type(exc).__name__}: {exc}")
    )


def new_failed(exc: NewReportError) -> str:
    """新建 refused (an id the site cannot use, a year out of range …)."""
    # a value the user typed is quoted as Python writes it ('Shili_X'): shown as typed
    text = re.sub(r"'([^']*)'", lambda m: code(m[1]), escape(exc.zh, quote=False))
    return f"未新建：{text}。请改正上面的填写后再点“新建”。"


def render_failed(exc: Exception) -> str:
    """生成报告 failed: from the structure the pipeline gives, never its command-line line."""
    from ..files import SiteBusy
    from ..publish.pipeline import InvalidReport, RenderError

    if isinstance(exc, InvalidReport):
        errors = sum(f.is_error for f in exc.findings)
        return (
            f"未生成报告：文件有 {errors} 个错误。请按下面“校验结果”逐条改正（点“定位”可跳到"
            "出错的单元格），点“保存”，再点“生成报告”。"
        )
    if isinstance(exc, SiteBusy):
        return (
            "未生成报告：输出文件夹正被另一个生成任务使用（例如正在批量生成全县的报告）。"
            "请等它完成后再点“生成报告”。" + details(str(exc))
        )
    if isinstance(exc, OSError):
        return os_failed(exc, "生成报告")
    if isinstance(exc, RenderError):
        return (
            "未生成报告：生成网页时出错，已发布的网页保持不变。请再点一次“生成报告”；"
            + TECHNICIAN
            + details(str(exc))
        )
    return explain(exc, "生成报告")


def explain(exc: Exception, doing: str = "操作") -> str:
    """Any user-facing failure of a button as one Chinese message (HTML)."""
    if isinstance(exc, FileChangedError):
        return (
            f"未保存：{code(exc.path)} 在打开后已被其他程序修改。"
            "请选择“重新读取”（显示磁盘上的内容）或“仍然覆盖”。"
        )
    if isinstance(exc, UnsavedChangesError):
        return escape(str(exc))
    if isinstance(exc, ParameterError):
        return open_failed(exc.file or "", exc, "还原" if doing == "还原" else "打开")
    if isinstance(exc, FileExistsError):
        return (
            f"未保存：{code(exc.filename or '')} 已存在，没有覆盖。请换一个文件名再保存。"
            if exc.filename
            else f"未保存：{escape(chinese(str(exc)))}。请换一个文件名再保存。"
        )
    if isinstance(exc, OSError):
        return os_failed(exc, doing)
    if isinstance(exc, NotANumberError):
        named = "；".join(f"{escape(cell_label(*k))}：{code(u.text)}" for k, u in exc.cells.items())
        return f"未保存：以下单元格的内容不是数字：{named}。请改正（或清空）后再点“保存”。"
    if isinstance(exc, RoundTripError):
        return (
            "未保存：这份文件无法在只改动所改数值的前提下写回，文件保持原样。"
            "请用文本编辑器检查该文件的格式；" + TECHNICIAN + details(str(exc))
        )
    return escape(chinese(str(exc)))
