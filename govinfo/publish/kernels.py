"""Fresh kernels at fork cost (client side): a fork server behind jupyter_client's provisioners.

Starting a kernel the usual way costs a new interpreter plus importing pandas, matplotlib
and govinfo (about a second of CPU) for every agency. The fork server is one process that
has imported all of that once, started no threads, and then forks a brand-new kernel
process per request. Each agency still gets its own kernel process that no other agency's
code has touched (the child starts from the server's pristine post-import state), and
papermill still executes the notebook through nbclient and jupyter_client.

Plumbing, all standard:

* :class:`~govinfo.publish.forkserver.ForkServer` starts the server process
  (:mod:`govinfo.publish.forkserver`) and publishes the socket path in the
  ``GOVINFO_FORK_SERVER`` environment variable (inherited by batch workers).
* :class:`ForkProvisioner` is a ``LocalProvisioner`` (registered as the ``govinfo-fork``
  entry point of ``jupyter_client.kernel_provisioners``) whose ``launch_kernel`` asks the
  server to fork instead of running the kernel command. Without a server, or on a platform
  without ``fork``, it launches the kernel command like the local provisioner does.
* :class:`ForkKernelManager` selects that provisioner and uses IPC sockets in a private
  folder (no TCP port races between parallel kernels). Hand it to papermill as
  ``kernel_manager_class`` (see :func:`fast_engine_kwargs`).
* :class:`KernelsAhead` keeps one forked kernel booting ahead of need in each batch worker,
  handed to papermill as ``km``: the next agency's kernel starts while this one's runs.
* Sockets and connection files (they hold kernel keys) live in the private folder of
  :mod:`govinfo.publish.ipc`.

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
import time
import uuid
import weakref
from collections.abc import Iterator
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import run_sync
from traitlets import Type

from ..files import _running
from .ipc import owner_tag, private_folder, sockets_fit

ENV_VAR = "GOVINFO_FORK_SERVER"
PROVISIONER_NAME = "govinfo-fork"


def fork_available() -> bool:
    return hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and sys.platform != "win32"


# --------------------------------------------------------------------------- client side


class ForkedKernel:
    """The Popen-like handle LocalProvisioner expects, for a kernel the server forked.

    The kernel is the server's child, not ours, so liveness is probed with signal 0; the
    server reaps its children, so a finished kernel disappears. A zombie counts as gone: a
    kernel whose server was stopped is reaped by init, which in a container may never do it.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not _running(self.pid):
            self.returncode = 0
        return self.returncode

    def vanished(self) -> bool:
        """Whether the pid is gone altogether (reaped), not only finished."""
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
        return False

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


class ServerStopped(OSError):
    """The batch stopped its fork server (it is ending): a kernel requested now is not
    launched the plain way either."""


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
    ``wait`` seconds for its socket to appear; the ``.failed`` marker says it died instead,
    and its folder gone says the batch stopped it (:class:`ServerStopped`)."""
    deadline = time.monotonic() + wait
    while not os.path.exists(address):
        if not os.path.isdir(os.path.dirname(address)):
            raise ServerStopped("the fork server was stopped")
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


class ForkProvisioner(LocalProvisioner):
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
        except ServerStopped:
            raise  # the batch is ending (Ctrl-C): no kernel to start, in any way
        except OSError as exc:
            self.log.warning("fork server unavailable (%s); launching the kernel normally", exc)
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedKernel(pid)  # type: ignore[assignment]  # duck-types Popen
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
        while time.monotonic() < deadline and not self._vanished():
            await asyncio.sleep(0.002)

    def _vanished(self) -> bool:
        if isinstance(self.process, ForkedKernel):
            return self.process.vanished()
        return self.process is None or self.process.poll() is not None


class PromptKernelClient(AsyncKernelClient):
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


class IpcKernelManager(AsyncKernelManager):
    """A kernel manager on IPC sockets in the private folder: no TCP ports, so parallel
    kernels cannot race for a port, and nothing listens on the network. The connection
    file (it holds the kernel's key) goes to the private folder too, not to bare /tmp; both
    are named after this process, so a later run removes them if it is killed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        STARTED.add(self)
        folder = private_folder()
        if folder is None:  # not POSIX: jupyter_client's defaults, TCP on localhost
            return
        stem = folder / f"{owner_tag()}.{uuid.uuid4().hex[:8]}"
        if not self.connection_file:
            self.connection_file = f"{stem}.json"
        # IPC needs Unix sockets and a short enough path; else TCP on the loopback address.
        if fork_available() and sockets_fit(folder):
            self.transport = "ipc"
            self.ip = str(stem)

    async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]  # stubs type it sync
        """Start the kernel with its console output discarded, as forked kernels have it.
        Cell output travels over the sockets and failures reach the user as one line; the
        kernel's own log (a traceback when a timed-out cell is interrupted) would only
        clutter the terminal."""
        kw.setdefault("stdout", subprocess.DEVNULL)
        kw.setdefault("stderr", subprocess.DEVNULL)
        try:
            await super().start_kernel(**kw)
        except Exception:
            self.cleanup_connection_file()  # a kernel that never started leaves no key behind
            raise


# The kernel managers of this process, for kill_kernels (a worker's Ctrl-C).
STARTED: weakref.WeakSet[IpcKernelManager] = weakref.WeakSet()


def kill_kernels() -> None:
    """SIGKILL every kernel this process started that still runs, so that the page being
    rendered fails at once. For a batch worker's Ctrl-C handler: the terminal's SIGINT
    misses kernels (each leads a session of its own), and a worker busy with a page would
    otherwise keep the interrupted batch waiting until the page's cell timeout. Safe in a
    signal handler: it only polls and signals processes."""
    for km in list(STARTED):
        process = getattr(km.provisioner, "process", None)
        if process is not None and process.poll() is None:
            with contextlib.suppress(OSError):
                process.kill()


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
