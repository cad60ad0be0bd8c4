"""Forked kernels on Dask workers: the local pool's fast path (:mod:`govinfo.publish.kernels`)
where the workers are a Dask cluster's.

A local batch starts one kernel fork server and each pool worker keeps the next agency's
kernel booting (:func:`govinfo.batch.workers._init_worker`). A Dask worker is not started by
the batch, so this plugin, registered by the ``dask`` executor for the length of a batch,
does the same inside each worker: it starts a fork server there (its address in that
process's environment, as the local workers inherit it) and sets the worker's
:data:`govinfo.batch.workers.KERNELS_AHEAD`. Every agency still runs through papermill in a
fresh kernel used for it alone, forked instead of launched: measured, the launch was two
thirds of a Dask batch's time (``benchmarks/dask.py``). On teardown (the batch's end) the
server stops and its kernels with it; a killed worker takes its server along (parent-death
signal). Imported only with the ``dask`` executor: it needs ``distributed``.
"""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

NAME = "govinfo-forked-kernels"


class ForkedKernels(WorkerPlugin):
    name = NAME

    def __init__(self) -> None:
        self.server: Any = None

    def setup(self, worker: Any) -> None:
        import sys

        from ..publish.forkserver import ForkServer
        from ..publish.kernels import KernelsAhead, fork_available
        from . import workers

        if not fork_available() or workers.KERNELS_AHEAD is not None:
            return
        # As the local workers do (_init_worker): nbformat's schemas need no IRI checker.
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
        try:
            self.server = ForkServer()
            self.server.start(timeout=None)  # it imports while the first task starts
        except OSError:
            self.server = None  # kernels are launched the usual way: slower, same pages
            return
        workers.KERNELS_AHEAD = KernelsAhead()

    def teardown(self, worker: Any) -> None:
        from . import workers

        if self.server is None:
            return
        if workers.KERNELS_AHEAD is not None:
            workers.KERNELS_AHEAD.close()
            workers.KERNELS_AHEAD = None
        self.server.stop()
        self.server = None
