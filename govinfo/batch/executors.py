"""Where the batch's tasks run: executors in a small registry, as papermill registers engines.

An executor is a name and a factory, ``factory(options, tasks) -> Pool``: the local process
pool (``process``) and a Dask cluster (``dask``) are registered here; another engine plugs in
with :func:`register_executor` and becomes a choice of ``govinfo batch --executor``. A
:class:`Pool` wraps a :class:`concurrent.futures.Executor` with how many tasks to keep in
flight, how to close it and a watchdog (:meth:`Pool.watch`) for clusters that lose their
workers. An executor registered as ``local`` runs kernels on this machine: the batch then
checks the private kernel folder and may start the kernel fork server.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .options import BatchError, Options

if TYPE_CHECKING:
    from ..publish.forkserver import ForkServer


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


PoolFactory = Callable[[Options, int], Pool]


@dataclass(frozen=True)
class ExecutorKind:
    """A registered executor: its factory, and whether its kernels run on this machine."""

    name: str
    factory: PoolFactory
    local: bool = False


EXECUTORS: dict[str, ExecutorKind] = {}


def register_executor(name: str, factory: PoolFactory, *, local: bool = False) -> None:
    """Make ``name`` an executor of ``govinfo batch`` (``--executor NAME``)."""
    EXECUTORS[name] = ExecutorKind(name, factory, local)


def executor_names() -> list[str]:
    """The registered executors, for the CLI's ``--executor`` choices."""
    return list(EXECUTORS)


def executor_kind(name: str) -> ExecutorKind:
    """The registered executor ``name``; BatchError naming the known ones if there is none."""
    try:
        return EXECUTORS[name]
    except KeyError:
        known = ", ".join(EXECUTORS)
        raise BatchError(f"unknown executor {name!r} (known: {known})") from None


def make_pool(options: Options, tasks: int) -> Pool:
    """The pool of ``options.executor``, sized for at most ``tasks`` tasks."""
    return executor_kind(options.executor).factory(options, tasks)


def process_pool(options: Options, tasks: int) -> Pool:
    """A local pool of spawned worker processes (govinfo.batch.workers._init_worker)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .workers import _init_worker

    workers = max(1, min(options.jobs or os.cpu_count() or 1, tasks))
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker
    )
    return Pool(pool, workers, lambda: pool.shutdown(wait=True, cancel_futures=True))


def dask_pool(options: Options, tasks: int) -> Pool:
    """A Dask cluster's executor: its workers must see OUTDIR at the same path."""
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
    forked = options.kernels == "fork" and not options.engine_kwargs
    if forked:  # the local pool's forked kernels, in each Dask worker (batch.dask_kernels)
        from .dask_kernels import ForkedKernels

        client.register_plugin(ForkedKernels())

    def live_workers() -> int:
        return len(client.scheduler_info(n_workers=-1).get("workers", {}))

    def close() -> None:
        if forked:
            from .dask_kernels import NAME

            with contextlib.suppress(Exception):  # each worker stops its fork server
                client.unregister_worker_plugin(NAME)
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


register_executor("process", process_pool, local=True)
register_executor("dask", dask_pool)


@dataclass
class Engine:
    """Where one batch renders: the pool and, for a local pool, the kernel fork server."""

    pool: Pool
    server: ForkServer | None = None

    def close(self) -> None:
        try:
            self.pool.close()
        finally:
            if self.server is not None:
                self.server.stop()


def start_engine(
    options: Options,
    tasks: int,
    warm_up: Callable[[], None] | None = None,
    warm_file: Path | None = None,
) -> Engine:
    """The fork server (first: the workers inherit its address) and the pool. ``warm_up``,
    when given, is submitted at once to a local pool, so that a worker spawns and imports
    while the batch is still planning (the batch starts its engine that early when it
    knows something changed, before it knows what); the fork server builds ``warm_file``'s
    page before its first kernel (:func:`govinfo.publish.forkserver._warm_up`)."""
    server = start_fork_server(options, warm_file)
    try:
        pool = make_pool(options, tasks)
    except BaseException:
        if server is not None:
            server.stop()
        raise
    if warm_up is not None and executor_kind(options.executor).local:
        pool.executor.submit(warm_up)
    return Engine(pool, server)


def start_fork_server(options: Options, warm_file: Path | None = None) -> ForkServer | None:
    """Start the kernel fork server for a local pool (see govinfo.publish.kernels), or None.

    Workers inherit its address through the environment, so it must run before the pool
    spawns them. Any failure falls back to the plain kernel launch: slower, same pages."""
    local = executor_kind(options.executor).local
    if not local or options.kernels != "fork" or options.engine_kwargs:
        return None
    from ..publish.forkserver import ForkServer
    from ..publish.kernels import fork_available

    if not fork_available():
        return None
    try:
        server = ForkServer(warm_file)  # its socket in the private folder (kernels.private_folder)
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
