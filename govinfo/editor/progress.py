"""A long job run beside the kernel, with progress shown: 生成报告 takes seconds.

A render starts a kernel, runs the template and writes the page. Run on the kernel's own
thread it would freeze the editor, and the status would say 已保存 until it ended. Here the
job runs in a thread of its own (:func:`in_background`) while :class:`Progress` shows a
spinner, what is being done and the seconds so far; the result comes back to the kernel's
event loop, where the editor shows the link or the message. Without a running event loop
(plain Python, the tests) the job runs at once, in the caller's thread.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

import ipywidgets as W


@dataclass(frozen=True)
class Outcome:
    """What a background job returned, or the exception it raised."""

    value: Any = None
    error: Exception | None = None


def _run(job: Callable[[], Any]) -> Outcome:
    try:
        return Outcome(job())
    except Exception as exc:  # handed to the editor, which says what happened
        return Outcome(error=exc)


def in_background(
    job: Callable[[], Any], finish: Callable[[Outcome], Any]
) -> threading.Thread | None:
    """Run ``job`` in a thread and call ``finish(outcome)`` on the event loop when it is
    done; without a running loop, run both now. Returns the thread (None when run now)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        finish(_run(job))
        return None

    def work() -> None:
        outcome = _run(job)
        loop.call_soon_threadsafe(finish, outcome)

    thread = threading.Thread(target=work, name="govinfo-editor-job", daemon=True)
    thread.start()
    return thread


class Progress(W.HTML):
    """正在生成报告……: a spinner, the step and the seconds so far; hidden when idle."""

    def __init__(self) -> None:
        super().__init__(layout=W.Layout(display="none"))
        self.add_class("gi-progress")
        self.running = False
        self._text = ""
        self._started = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def start(self, text: str) -> None:
        self.running = True
        self._text = text
        self._started = time.monotonic()
        self.layout.display = "flex"
        self._show(0)
        self._tick()

    def stop(self) -> None:
        self.running = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.layout.display = "none"
        self.value = ""

    def _tick(self) -> None:
        """Count the seconds while a loop runs (the count is shown, never relied on)."""
        if not self.running:
            return
        self._show(int(time.monotonic() - self._started))
        try:
            self._timer = asyncio.get_running_loop().call_later(1.0, self._tick)
        except RuntimeError:
            self._timer = None

    def _show(self, seconds: int) -> None:
        spent = f"已用 {seconds} 秒" if seconds else "刚开始"
        self.value = (
            '<span class="gi-spinner" aria-hidden="true"></span>'
            f'<span class="gi-progress-text">{escape(self._text)}</span>'
            f'<span class="gi-progress-time">（{spent}，通常需要几秒到一分钟；'
            "可以继续编辑，但请不要关闭本页）</span>"
        )
