"""Where the batch's work runs: one task in, one page out, in a worker process.

:func:`run_task` is the only function that renders an agency or a year's summary for the
batch (through :mod:`govinfo.pipeline`, papermill in a fresh kernel); the local process pool
and a Dask cluster both call it. Tasks are plain dicts and return small dicts (paths,
seconds, reason): never notebooks, so results pickle cheaply. Workers are long-lived, so
govinfo, papermill and nbconvert are imported once per worker and the HTML exporter is
reused; with the fork server (:mod:`govinfo.kernels`) each worker also keeps the next
agency's kernel booting while the current one runs.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .batch import BatchError, Options

if TYPE_CHECKING:
    from .kernels import KernelsAhead

# A worker's kernel source when the batch runs a fork server: one kernel booting ahead.
KERNELS_AHEAD: KernelsAhead | None = None


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Render one agency or one year's summary, in a worker: a dict in, a small dict out.

    This is the single place where the batch renders an agency. Every failure (bad data,
    a cell that raises, a kernel that dies, a timeout) becomes ``status: failed`` with the
    reason; nothing propagates, so one agency never stops the others.
    """
    started = time.perf_counter()
    engine_kwargs = task["engine_kwargs"]
    if not engine_kwargs and KERNELS_AHEAD is not None:  # the parent started a fork server
        from .kernels import fast_engine_kwargs

        engine_kwargs = {**fast_engine_kwargs(), "kernels": KERNELS_AHEAD}
    try:
        if task["kind"] == "report":
            from .pipeline import render

            result = render(
                task["file"],
                task["outdir"],
                allow_invalid=task["allow_invalid"],
                template=task["template"],
                timeout=task["timeout"],
                **engine_kwargs,
            )
            html, notebook = result.html, result.notebook
        else:
            from .summary import render_summary

            html, notebook = render_summary(
                task["year"],
                task["agencies"],
                task["previous_agencies"],
                task["outdir"],
                template=task["template"],
                timeout=task["timeout"],
                **engine_kwargs,
            )
    except Exception as exc:
        text = str(exc).strip() or type(exc).__name__
        return {"key": task["key"], "ok": False, "reason": text.splitlines()[0], "seconds": 0.0}
    return {
        "key": task["key"],
        "ok": True,
        "html": str(html),
        "notebook": str(notebook),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _init_worker() -> None:
    """Worker initializer: Ctrl-C is the parent's to handle (it stops the pool; the worker
    only kills its kernels, which the terminal's Ctrl-C misses, so that the page in
    progress ends now rather than at its timeout), and a worker ends with the batch even
    when the batch is killed with -9. With a fork server, the worker keeps the next
    agency's kernel booting (closed when the worker exits)."""
    import signal
    from multiprocessing import util

    from .kernels import ENV_VAR, KernelsAhead, die_with, kill_kernels

    global KERNELS_AHEAD
    # jsonschema (under nbformat) imports rfc3987-syntax, when installed, to check "iri"
    # formats, and that package compiles a grammar at import: 1.4 s of every worker's
    # start-up. nbformat's schemas use no such format, so the workers go without it.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    signal.signal(signal.SIGINT, lambda *_: kill_kernels())
    die_with(os.getppid())
    if os.environ.get(ENV_VAR):  # set only when the parent started a fork server
        KERNELS_AHEAD = KernelsAhead()
        util.Finalize(KERNELS_AHEAD, KERNELS_AHEAD.close, exitpriority=10)


@dataclass
class Pool:
    """Where tasks are submitted: an executor, how many tasks to keep in flight, how to close
    it, and :meth:`watch`, asked by the batch whenever no result arrived for a while."""

    executor: Executor
    capacity: int
    close: Callable[[], None]
    live_workers: Callable[[], int] | None = None  # None: the executor replaces its own
    grace: float = 60.0
    description: str = ""
    _empty_since: float | None = None

    def watch(self) -> str | None:
        """None while work can progress; else why not, in one line. A process pool restarts
        its workers itself (a dead one breaks the pool, which the batch replaces); a Dask
        cluster whose workers all died keeps the tasks waiting forever, so after ``grace``
        seconds with no worker the batch gives up on what is unfinished."""
        if self.live_workers is None:
            return None
        try:
            alive = self.live_workers()
        except Exception as exc:  # the scheduler itself is gone
            return f"lost the Dask scheduler {self.description}: {exc}"
        if alive:
            self._empty_since = None
            return None
        now = time.monotonic()
        if self._empty_since is None:
            self._empty_since = now
        if now - self._empty_since < self.grace:
            return None
        return (
            f"no Dask worker left at {self.description} for {self.grace:g} s: "
            "the unfinished agencies are recorded as failed"
        )


def make_executor(options: Options, tasks: int) -> Pool:
    """A process pool, or a Dask cluster's executor, wrapped as a :class:`Pool`."""
    if options.executor == "dask":
        return _dask_pool(options)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = max(1, min(options.jobs or os.cpu_count() or 1, tasks))
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker
    )
    return Pool(pool, workers, lambda: pool.shutdown(wait=True, cancel_futures=True))


def _dask_pool(options: Options) -> Pool:
    if not options.scheduler:
        raise BatchError("--executor dask needs --scheduler tcp://HOST:PORT")
    try:
        from distributed import Client
    except ImportError:
        raise BatchError("--executor dask needs the 'distributed' package") from None
    try:
        client = Client(options.scheduler, timeout="15s")
    except OSError as exc:
        raise BatchError(f"cannot reach Dask scheduler {options.scheduler}: {exc}") from None
    try:
        client.wait_for_workers(1, timeout=options.worker_grace)
    except Exception:  # distributed raises TimeoutError (its own or asyncio's)
        client.close()
        raise BatchError(
            f"no Dask worker joined the scheduler {options.scheduler} within "
            f"{options.worker_grace:g} s"
        ) from None
    outdir = str(options.outdir.resolve())
    blind = [w for w, seen in client.run(os.path.isdir, outdir).items() if not seen]
    if blind:
        client.close()
        raise BatchError(
            f"Dask worker(s) {', '.join(blind)} cannot see {outdir}: the dask executor "
            "needs OUTDIR and the parameter files on a folder shared at the same path"
        )
    capacity = options.jobs or sum(client.nthreads().values()) or 1

    def live_workers() -> int:
        return len(client.scheduler_info(n_workers=-1).get("workers", {}))

    def close() -> None:
        with contextlib.suppress(Exception):  # closing a client of a dead scheduler
            client.close()

    return Pool(
        client.get_executor(pure=False),
        capacity,
        close,
        live_workers,
        options.worker_grace,
        options.scheduler,
    )


def start_fork_server(options: Options) -> Any:
    """Start the kernel fork server for a local pool (see govinfo.kernels), or None.

    Workers inherit its address through the environment, so it must run before the pool
    spawns them. Any failure falls back to the plain kernel launch: slower, same pages."""
    if options.executor != "process" or options.kernels != "fork" or options.engine_kwargs:
        return None
    from .kernels import ForkServer, fork_available

    if not fork_available():
        return None
    try:
        server = ForkServer()  # its socket in the private folder: kernels.private_folder
    except OSError as exc:
        print(f"note: {exc}; launching kernels normally", file=sys.stderr)
        return None
    try:
        # It imports while the workers start; the first kernel waits. Ctrl-C stops it first,
        # so that workers busy with a page stop at once (kernels.ForkServer.start).
        server.start(timeout=None, stop_on_interrupt=True)
    except OSError as exc:
        server.stop()
        print(f"note: {exc}; launching kernels normally", file=sys.stderr)
        return None
    return server
