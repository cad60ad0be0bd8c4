"""Fresh kernels at fork cost: a fork server plugged into jupyter_client's provisioner API.

Starting a kernel the usual way costs a new interpreter plus importing pandas, matplotlib
and govinfo (about a second of CPU) for every agency. The fork server is one process that
has imported all of that once, started no threads, and then forks a brand-new kernel
process per request. Each agency still gets its own kernel process that no other agency's
code has touched (the child starts from the server's pristine post-import state), and
papermill still executes the notebook through nbclient and jupyter_client.

Plumbing, all standard:

* :class:`ForkServer` starts ``python -m govinfo.kernels SOCKET`` and publishes the socket
  path in the ``GOVINFO_FORK_SERVER`` environment variable (inherited by batch workers).
* :class:`ForkProvisioner` is a ``LocalProvisioner`` (registered as the ``govinfo-fork``
  entry point of ``jupyter_client.kernel_provisioners``) whose ``launch_kernel`` asks the
  server to fork instead of running the kernel command. Without a server, or on a platform
  without ``fork``, it launches the kernel command like the local provisioner does.
* :class:`ForkKernelManager` selects that provisioner and uses IPC sockets in a private
  folder (no TCP port races between parallel kernels). Hand it to papermill as
  ``kernel_manager_class`` (see :func:`fast_engine_kwargs`).
* :class:`KernelsAhead` keeps one forked kernel booting ahead of need in each batch worker,
  handed to papermill as ``km``: the next agency's kernel starts while this one's runs.

Two fixed waits of jupyter_client are cut, since they are latency paid per kernel: the
client's 0.2 s of IOPub silence before it calls a kernel ready (:class:`PromptKernelClient`)
and the manager's 0.1 s polling for a killed kernel's exit (:meth:`ForkProvisioner.kill`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import run_sync
from traitlets import Type

ENV_VAR = "GOVINFO_FORK_SERVER"
PROVISIONER_NAME = "govinfo-fork"
# Libraries the kernels need, imported once in the server; BLAS kept single-threaded so
# that no thread exists at fork time and parallel kernels do not oversubscribe the cores.
# ipykernel.ipkernel and .debugger (debugpy) are otherwise imported by every kernel's
# initialisation: 0.06 s of each kernel's 0.16 s.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",
    "govinfo.document",
    "govinfo.pipeline",
)
SERVER_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # debugpy's import-time warning about frozen modules
}


def fork_available() -> bool:
    return hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and sys.platform != "win32"


# --------------------------------------------------------------------------- client side


class ForkedKernel:
    """The Popen-like handle LocalProvisioner expects, for a kernel the server forked.

    The kernel is the server's child, not ours, so liveness is probed with signal 0; the
    server reaps its children, so a finished kernel disappears.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
            except PermissionError:
                pass
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.01)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def request_fork(
    address: str,
    connection_file: str,
    cwd: str,
    env: dict[str, str],
    argv: list[str] | None = None,
    wait: float = 60,
) -> int:
    """Ask the server at ``address`` for a kernel on ``connection_file``; returns its pid.

    The server may still be importing (it starts alongside the batch's workers): wait up to
    ``wait`` seconds for its socket to appear; the ready file says it died instead."""
    deadline = time.monotonic() + wait
    while not os.path.exists(address):
        if os.path.exists(address + ".failed") or time.monotonic() > deadline:
            raise OSError("fork server did not start")
        time.sleep(0.02)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(30)
        conn.connect(address)
        request = {"connection_file": connection_file, "cwd": cwd, "env": env, "argv": argv}
        conn.sendall(json.dumps(request).encode("utf-8") + b"\n")
        reply = json.loads(conn.makefile("rb").readline() or b"{}")
    if "pid" not in reply:
        raise OSError(f"fork server refused: {reply.get('error', 'no reply')}")
    return int(reply["pid"])


class ForkProvisioner(LocalProvisioner):  # type: ignore[misc]
    """Launches each kernel by asking the fork server; falls back to the kernel command."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        address = os.environ.get(ENV_VAR)
        connection_file = cmd[cmd.index("-f") + 1] if "-f" in cmd else None
        if not (address and connection_file and fork_available()):
            return await super().launch_kernel(cmd, **kwargs)
        cwd = str(kwargs.get("cwd") or Path.cwd())
        env = {k: v for k, v in (kwargs.get("env") or os.environ).items() if isinstance(v, str)}
        argv = cmd[cmd.index("-f") :]  # the kernel's own arguments, e.g. hist_file=:memory:
        try:
            pid = request_fork(address, connection_file, cwd, env, argv)
        except OSError as exc:
            self.log.warning("fork server unavailable (%s); launching the kernel normally", exc)
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedKernel(pid)
        self.pid = pid
        self.pgid = pid  # the child calls setsid(): it leads its own process group
        self.cwd = cwd
        return self.connection_info

    async def kill(self, restart: bool = False) -> None:
        """SIGKILL, then watch for the exit in 2 ms steps. The kernel manager polls every
        0.1 s after a kill, which would add 0.1 s to each report for an exit that takes a
        few milliseconds; it now finds the kernel already gone."""
        await super().kill(restart=restart)
        deadline = time.monotonic() + 1
        while self.process and self.process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.002)


class PromptKernelClient(AsyncKernelClient):  # type: ignore[misc]
    """A client that is ready as soon as its kernel is.

    jupyter_client's ``wait_for_ready`` ends by waiting for 0.2 s of silence on IOPub: a
    fixed 0.2 s per kernel. nbclient ignores IOPub messages that answer other requests, so
    that wait buys nothing here. What matters is kept: the kernel answered ``kernel_info``
    and IOPub is connected (one of its messages arrived), else ask again."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass  # IOPub not subscribed yet: the kernel's status went unseen
                else:
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


class IpcKernelManager(AsyncKernelManager):  # type: ignore[misc]
    """A kernel manager on IPC sockets in a private folder: no TCP ports, so parallel
    kernels cannot race for a port, and nothing listens on the network."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if fork_available():  # IPC needs Unix sockets; elsewhere keep TCP on localhost
            self.transport = "ipc"
            folder = Path(tempfile.gettempdir()) / f"govinfo-ipc-{os.getuid()}"
            folder.mkdir(mode=0o700, exist_ok=True)
            self.ip = str(folder / f"kernel-{uuid.uuid4().hex[:12]}")

    async def start_kernel(self, **kw: Any) -> None:
        """Start the kernel with its console output discarded, as forked kernels have it.
        Cell output travels over the sockets and failures reach the user as one line; the
        kernel's own log (a traceback when a timed-out cell is interrupted) would only
        clutter the terminal."""
        kw.setdefault("stdout", subprocess.DEVNULL)
        kw.setdefault("stderr", subprocess.DEVNULL)
        await super().start_kernel(**kw)


class ForkKernelManager(IpcKernelManager):
    """A kernel manager that uses :class:`ForkProvisioner` (and IPC transport) and
    :class:`PromptKernelClient`. It remembers its clients so that whoever started the
    kernel (nbclient does not, when handed a running ``km``) can close their sockets."""

    client_factory = Type(PromptKernelClient, klass=AsyncKernelClient)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clients: list[Any] = []

    def client(self, **kwargs: Any) -> Any:
        kc = super().client(**kwargs)
        self.clients.append(kc)
        return kc

    def finish(self) -> None:
        """Close the clients' channels and kill the kernel without a graceful wait."""
        for kc in self.clients:
            kc.stop_channels()
        self.clients.clear()
        with contextlib.suppress(RuntimeError):  # already dead
            run_sync(self.shutdown_kernel)(now=True)

    @property
    def kernel_spec(self) -> Any:
        spec = super().kernel_spec
        if spec is not None and "kernel_provisioner" not in spec.metadata:
            spec.metadata["kernel_provisioner"] = {"provisioner_name": PROVISIONER_NAME}
        return spec


def fast_engine_kwargs() -> dict[str, Any]:
    """papermill engine arguments for the fast path: forked kernels, no graceful wait."""
    return {"kernel_manager_class": ForkKernelManager, "shutdown_kernel": "immediate"}


class KernelsAhead:
    """One fresh kernel kept booting ahead of need, for a process that renders one agency
    after another (a batch worker).

    :meth:`kernel` hands out the kernel started on the previous call and at once starts
    the next one, so a kernel's start-up (fork, IPKernelApp initialisation, first reply)
    overlaps the previous agency's work instead of adding to it. Each kernel is still a
    fresh fork of the server used for exactly one agency, then killed."""

    def __init__(self, kernel_name: str = "python3") -> None:
        self.kernel_name = kernel_name
        self.spare: tuple[str, ForkKernelManager] | None = None

    def _start(self, cwd: str) -> ForkKernelManager:
        """Start a kernel as nbclient starts the ones it owns (same kernel arguments)."""
        from nbclient import NotebookClient

        history = NotebookClient.ipython_hist_file.default_value  # in memory, not on disk
        arguments = [f"--HistoryManager.hist_file={history}"]
        km = ForkKernelManager(kernel_name=self.kernel_name)
        run_sync(km.start_kernel)(extra_arguments=arguments, cwd=cwd)
        return km

    @contextlib.contextmanager
    def kernel(self, cwd: str | Path) -> Iterator[ForkKernelManager]:
        """A started kernel whose working folder is ``cwd`` (the notebook's folder), for
        papermill's ``km``; it is killed when the block ends."""
        cwd = str(cwd)
        spare, self.spare = self.spare, None
        if spare and spare[0] == cwd and run_sync(spare[1].is_alive)():
            km = spare[1]
        else:
            if spare:
                spare[1].finish()
            km = self._start(cwd)
        try:
            self.spare = (cwd, self._start(cwd))
        except Exception:  # the next agency starts its own kernel
            self.spare = None
        try:
            yield km
        finally:
            km.finish()

    def close(self) -> None:
        if self.spare:
            self.spare[1].finish()
            self.spare = None


class ForkServer:
    """Runs the fork server process for the lifetime of a ``with`` block."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="govinfo-fork-"))
        self.address = str(self.folder / "server.sock")
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ForkServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout: float | None = 60) -> None:
        """Launch the server and publish its address. With ``timeout=None`` return at once:
        the server imports while the caller starts its workers, and the first kernel
        request waits for the socket (see :func:`request_fork`)."""
        env = {**os.environ, **SERVER_ENV}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "govinfo.kernels", self.address], env=env
        )
        os.environ[ENV_VAR] = self.address
        if timeout is None:
            return
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.address):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise OSError("the govinfo fork server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if os.environ.get(ENV_VAR) == self.address:
            del os.environ[ENV_VAR]
        if self.process and self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)
        for leftover in (self.address, self.address + ".failed"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)
        with contextlib.suppress(OSError):
            self.folder.rmdir()


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


def serve(address: str) -> None:
    """Preload, then fork kernels; if preloading fails, leave a marker so clients stop
    waiting for the socket and fall back to the plain launch."""
    try:
        _serve(address)
    except Exception:
        Path(address + ".failed").touch()
        raise


def _serve(address: str) -> None:
    """The server loop: preload, then fork one kernel per request, reaping finished ones."""
    import importlib
    import threading

    for module in PRELOAD:
        importlib.import_module(module)
    from govinfo import layout
    from govinfo.charts import bar_chart

    # Warm up: the font file parsed, glyph and text-layout caches filled with the
    # layout's labels, so each forked kernel inherits them instead of rebuilding them.
    labels = [row.short for row in layout.APPLICATION_ROWS]
    bar_chart("预热", labels, [float(i) for i in range(len(labels))], "件")
    if threading.active_count() != 1:
        raise SystemExit("fork server: a thread was started during preload; refusing to fork")
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
    serve(sys.argv[1])
