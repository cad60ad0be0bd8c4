"""Where the batch's work runs: one task in, one page out, in a worker process.

:func:`run_task` is the only function that renders an agency or a year's summary for the
batch (through :mod:`govinfo.publish.pipeline`, papermill in a fresh kernel); the local process
pool and a Dask cluster (:mod:`govinfo.batch.executors`) both call it. It looks the task's
``kind`` up in a registry (:func:`register_task_kind`), so a new kind of page plugs in without
an if-chain. Tasks and results are small frozen dataclasses (:mod:`govinfo.batch.tasks`):
never notebooks, so they pickle cheaply. Workers are long-lived, so govinfo, papermill and
nbconvert are imported once per worker and the HTML exporter is reused; with the fork server
(:mod:`govinfo.publish.kernels`) each worker also keeps the next agency's kernel booting while
the current one runs.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .tasks import ReportTask, SummaryTask, Task, TaskResult

if TYPE_CHECKING:
    from ..publish.kernels import KernelsAhead

# A worker's kernel source when the batch runs a fork server: one kernel booting ahead.
KERNELS_AHEAD: KernelsAhead | None = None

# A task kind's renderer: the task and the engine's keyword arguments in, the page, its
# executed notebook and its other documents (format name → file) out; it raises on any
# failure (run_task turns that into a result).
Rendered = tuple[str | Path, str | Path, dict[str, Path]] | tuple[str | Path, str | Path]
_T = TypeVar("_T")  # the task dataclass of one kind
TASK_KINDS: dict[str, Callable[[Any, dict[str, Any]], Rendered]] = {}


def register_task_kind(kind: str, render: Callable[[_T, dict[str, Any]], Rendered]) -> None:
    """Make :func:`run_task` render tasks whose ``kind`` is ``kind`` with ``render``."""
    TASK_KINDS[kind] = render


def _render_report(task: ReportTask, engine_kwargs: dict[str, Any]) -> Rendered:
    from ..publish.pipeline import render

    result = render(
        task.file,
        task.outdir,
        allow_invalid=task.allow_invalid,
        template=task.template,
        timeout=task.timeout,
        formats=task.formats,
        **engine_kwargs,
    )
    return result.html, result.notebook, result.documents


def _render_summary(task: SummaryTask, engine_kwargs: dict[str, Any]) -> Rendered:
    from ..publish.summary import render_summary

    html, notebook = render_summary(
        task.year,
        task.agencies,
        task.previous_agencies,
        task.outdir,
        template=task.template,
        timeout=task.timeout,
        **engine_kwargs,
    )
    return html, notebook, {"xlsx": _county_workbook(task, Path(html).parent)}


def _county_workbook(task: SummaryTask, folder: Path) -> Path:
    """The year's numbers of every agency, one row each, with the region sums and every
    finding (:mod:`govinfo.sheets.export`), beside the summary page, which links it."""
    from ..publish.summary import WORKBOOK_NAME
    from ..sheets.export import export_paths

    return export_paths([m["file"] for m in task.agencies], "xlsx", folder / WORKBOOK_NAME).path


register_task_kind(ReportTask.kind, _render_report)
register_task_kind(SummaryTask.kind, _render_summary)


def run_task(task: Task) -> TaskResult:
    """Render one agency or one year's summary, in a worker: a task in, a small result out.

    This is the single place where the batch renders an agency. Every failure (bad data,
    a cell that raises, a kernel that dies, a timeout) becomes ``ok=False`` with the
    reason; nothing propagates, so one agency never stops the others.
    """
    started = time.perf_counter()
    engine_kwargs = task.engine_kwargs
    if not engine_kwargs and KERNELS_AHEAD is not None:  # the parent started a fork server
        from ..publish.kernels import fast_engine_kwargs

        engine_kwargs = {**fast_engine_kwargs(), "kernels": KERNELS_AHEAD}
    try:
        # (A kind registered before Word and PDF existed answers the page and notebook only.)
        html, notebook, *more = TASK_KINDS[task.kind](task, engine_kwargs)
        documents = more[0] if more else {}
    except Exception as exc:
        text = str(exc).strip() or type(exc).__name__
        return TaskResult(task.key, False, reason=text.splitlines()[0], seconds=0.0)
    seconds = round(time.perf_counter() - started, 2)
    return TaskResult(
        task.key,
        True,
        html=str(html),
        notebook=str(notebook),
        seconds=seconds,
        documents={name: str(path) for name, path in documents.items()},
    )


def warm_up() -> None:
    """A no-op task the batch submits while it is still planning: the worker process
    spawns and imports papermill, nbconvert and the renderers meanwhile (a second or two),
    so that one changed agency among 20,000 does not wait for them after planning."""
    import papermill  # noqa: F401

    from ..publish import hierarchy, pipeline  # noqa: F401
    from ..publish.export import html_exporter

    html_exporter()


def _init_worker() -> None:
    """Worker initializer: Ctrl-C is the parent's to handle (it stops the pool; the worker
    only kills its kernels, which the terminal's Ctrl-C misses, so that the page in
    progress ends now rather than at its timeout), and a worker ends with the batch even
    when the batch is killed with -9. With a fork server, the worker keeps the next
    agency's kernel booting (closed when the worker exits)."""
    import signal
    from multiprocessing import util

    from ..publish.forkserver import die_with
    from ..publish.kernels import ENV_VAR, KernelsAhead, kill_kernels

    global KERNELS_AHEAD
    # jsonschema (under nbformat) imports rfc3987-syntax, when installed, to check "iri"
    # formats, and that package compiles a grammar at import: 1.4 s of every worker's
    # start-up. nbformat's schemas use no such format, so the workers go without it.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None: import fails
    signal.signal(signal.SIGINT, lambda *_: kill_kernels())
    die_with(os.getppid())
    if os.environ.get(ENV_VAR):  # set only when the parent started a fork server
        KERNELS_AHEAD = KernelsAhead()
        util.Finalize(KERNELS_AHEAD, KERNELS_AHEAD.close, exitpriority=10)
