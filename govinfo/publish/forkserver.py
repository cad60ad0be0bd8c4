"""The fork server: one process that has imported ipykernel, pandas, matplotlib and govinfo
once (:func:`preload`), started no threads, and forks a brand-new kernel per request.

:class:`ForkServer` runs ``python -m govinfo.publish.forkserver SOCKET`` for the lifetime of
a ``with`` block and publishes the socket path in ``GOVINFO_FORK_SERVER`` (inherited by the
batch's workers); the client side, which asks it for kernels, is :mod:`.kernels`. A server
that cannot start leaves a ``.failed`` marker and the kernels are launched normally.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from .ipc import owner_tag, private_folder, sockets_fit
from .kernels import ENV_VAR

# Libraries the kernels need, imported once in the server (see :func:`preload`); BLAS kept
# single-threaded so that no thread exists at fork time and parallel kernels do not
# oversubscribe the cores. ipykernel.ipkernel and .debugger (debugpy) are otherwise imported
# by every kernel's initialisation: 0.06 s of each kernel's 0.16 s.
KERNEL_LIBRARIES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger")
# The module run as the server process: this one, named by itself (``__main__`` there).
SERVER_MODULE = __spec__.name if __spec__ else __name__
SERVER_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # debugpy's import-time warning about frozen modules
}


class ForkServer:
    """Runs the fork server process for the lifetime of a ``with`` block.

    Its socket lives in a folder of its own in the private folder, named after this
    process (``<pid>@<host>.XXXXXXXX.fork``): removed by :meth:`stop`, or by a later run
    when this process was killed (:func:`remove_stale`). Raises OSError when no private
    folder is short enough for a socket path."""

    def __init__(self, warm_up: str | Path | None = None) -> None:
        self.warm_up = warm_up  # a parameter file the server builds a page from (_warm_up)
        base = private_folder()
        if base is None or not sockets_fit(base):
            raise OSError(f"no private folder short enough for a socket (tried {base})")
        self.folder = Path(tempfile.mkdtemp(prefix=f"{owner_tag()}.", suffix=".fork", dir=base))
        self.address = str(self.folder / "server.sock")
        self.process: subprocess.Popen[bytes] | None = None
        self._previous_sigint: Any = None

    def __enter__(self) -> ForkServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout: float | None = 60, *, stop_on_interrupt: bool = False) -> None:
        """Launch the server and publish its address. With ``timeout=None`` return at once:
        the server imports while the caller starts its workers, and the first kernel
        request waits for the socket (see :func:`request_fork`).

        The server ignores SIGINT: Ctrl-C is the caller's. With ``stop_on_interrupt`` (the
        batch), Ctrl-C first stops the server, which ends its kernels, so that workers
        busy with a page give up at once instead of finishing it, then raises
        KeyboardInterrupt as usual."""
        env = {**os.environ, **SERVER_ENV}
        with _sigint_ignored():  # inherited from the start: no KeyboardInterrupt in imports
            self.process = subprocess.Popen(
                [
                    sys.executable, "-m", SERVER_MODULE, self.address,
                    *([str(self.warm_up)] if self.warm_up else []),
                ],
                env=env,
            )  # fmt: skip
        os.environ[ENV_VAR] = self.address
        default = signal.getsignal(signal.SIGINT) is signal.default_int_handler
        if stop_on_interrupt and default and _in_main_thread():
            self._previous_sigint = signal.signal(signal.SIGINT, self._interrupted)
        if timeout is None:
            return
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.address):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise OSError("the govinfo fork server did not start")
            time.sleep(0.02)

    def _interrupted(self, signum: int, frame: Any) -> None:
        self.stop()
        raise KeyboardInterrupt

    def stop(self) -> None:
        """End the server (its kernels follow by their parent-death signal) and remove its
        folder; restore the SIGINT handler :meth:`start` replaced."""
        if self._previous_sigint is not None and _in_main_thread():
            signal.signal(signal.SIGINT, self._previous_sigint)
            self._previous_sigint = None
        if os.environ.get(ENV_VAR) == self.address:
            del os.environ[ENV_VAR]
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _in_main_thread() -> bool:
    """Signal handlers can be changed in the main thread only."""
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored in this process for the block, so that a child started in it begins
    with SIGINT ignored: an ignored signal stays ignored across exec, and Python then
    installs no KeyboardInterrupt handler. (Off the main thread: nothing changes.)"""
    if not _in_main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


# --------------------------------------------------------------------------- server side


def die_with(parent: int) -> None:
    """End this process (SIGKILL) when ``parent`` ends, even by ``kill -9`` (Linux's
    parent-death signal; a no-op elsewhere). Used by kernels, which lead a session of their
    own and so escape a kill of the batch's process group (reparented to init, their client
    gone, they would run forever), and by the batch's workers."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent was gone before the signal was set
        os._exit(1)


def _run_kernel(request: dict[str, Any]) -> None:
    """In the forked child: become a kernel on the requested connection file."""
    server = os.getppid()
    die_with(server)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # how a cell is interrupted
    os.setsid()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # The kernel speaks through its sockets; its own console chatter would only clutter
    # the batch's progress display.
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.parent_handle = server  # elsewhere than Linux, ipykernel's poller ends it with the server
    app.initialize(request.get("argv") or ["-f", request["connection_file"]])
    app.start()


def serve(address: str, warm_up: str | None = None) -> None:
    """Preload, then fork kernels. If that fails, say so in one line and leave a marker so
    that clients stop waiting for the socket and fall back to the plain launch.

    SIGINT is ignored (the batch starts this process with it ignored already): Ctrl-C
    reaches the whole process group, and the batch, which handles it, stops the server."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _serve(address, warm_up)
    except Exception as exc:
        reason = (str(exc).strip() or type(exc).__name__).splitlines()[0]
        with contextlib.suppress(OSError):  # the batch may have removed the folder already
            Path(address + ".failed").write_text(reason, "utf-8")
        print(f"note: kernel fork server: {reason}; launching kernels normally", file=sys.stderr)
        sys.exit(1)


def preload() -> list[ModuleType]:
    """Import what every kernel needs: ipykernel, and govinfo's modules the template
    notebooks import (the document, and the pipeline with pandas and matplotlib), named by
    import statements so that a moved module fails here, not silently in a slower kernel."""
    import importlib

    from . import document, pipeline

    return [*(importlib.import_module(name) for name in KERNEL_LIBRARIES), document, pipeline]


def _warm_up(parameters: str | None) -> None:
    """Fill the caches every kernel would otherwise fill again for itself: the font parsed,
    glyph and text-layout caches. With a parameter file (the batch passes one of its own),
    build its whole page, its trends charts included when it names last year's file: each
    forked kernel then does a tenth less work on its page (measured); a file that cannot be
    read is no error here (the batch reports it), a single chart warms the font instead."""
    from .. import layout
    from ..findings import ParameterError
    from ..params import load
    from .charts import bar_chart
    from .document import all_parts

    labels = [row.short for row in layout.APPLICATION_ROWS]
    bar_chart("预热", labels, [float(i) for i in range(len(labels))], "件")
    if parameters:
        with contextlib.suppress(ParameterError, OSError):
            all_parts(load(parameters))


def _serve(address: str, warm_up: str | None = None) -> None:
    """The server loop: preload, then fork one kernel per request, reaping finished ones."""
    preload()
    _warm_up(warm_up)
    if threading.active_count() != 1:
        raise RuntimeError("a thread was started during preload; refusing to fork")
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    # Nothing to flush: end at once (its kernels follow by their parent-death signal).
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address + ".tmp")
    listener.listen(64)
    os.replace(address + ".tmp", address)  # the path appears only once we accept
    parent = os.getppid()
    listener.settimeout(1.0)  # wake up each second: a server whose batch was killed ends
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            if os.getppid() != parent:
                sys.exit(0)
            continue
        with conn:
            try:
                request = json.loads(conn.makefile("rb").readline())
                pid = os.fork()
            except Exception as exc:  # a malformed request must not stop the server
                conn.sendall(json.dumps({"error": str(exc)}).encode() + b"\n")
                continue
            if pid == 0:
                listener.close()
                conn.close()
                code = 0
                try:
                    _run_kernel(request)
                except BaseException:
                    code = 1
                os._exit(code)
            conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")


if __name__ == "__main__":
    serve(sys.argv[1], *sys.argv[2:3])
