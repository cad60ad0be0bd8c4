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
* :func:`private_folder`: sockets and connection files (they hold kernel keys) live in
  ``govinfo-ipc-<uid>`` (mode 0700, refused when not private), under TMPDIR or, when TMPDIR
  is too long for a socket path, /tmp; names carry ``<pid>@<host>`` so that the next run
  removes what a killed one left.

Two fixed waits of jupyter_client are cut, since they are latency paid per kernel: the
client's 0.2 s of IOPub silence before it calls a kernel ready (:class:`PromptKernelClient`)
and the manager's 0.1 s polling for a killed kernel's exit (:meth:`ForkProvisioner.kill`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import run_sync
from traitlets import Type

from .files import _host, _running

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


# --------------------------------------------------------------------------- private folder
# Kernel sockets, connection files (they hold the key that lets a client run code in the
# kernel) and the fork server's socket live in one folder per user, ``govinfo-ipc-<uid>``,
# mode 0700. Every name starts with ``<pid>@<host>.`` of the process that made it, so a later
# run can remove what a killed one left (as files.remove_stale_scratch does for pages).

# An AF_UNIX path holds at most 107 bytes on Linux (103 on macOS): the folder must leave room
# for the longest name bound in it, "/<pid>@<host>.XXXXXXXX.fork/server.sock.tmp" (pids have
# at most 7 digits; the host is cut to HOST_CHARS).
SUN_PATH_MAX = 103 if sys.platform == "darwin" else 107
SHORT_BASE = Path("/tmp")  # where the folder goes when TMPDIR is too long for sockets
HOST_CHARS = 16
LONGEST_NAME = len("/1234567@") + HOST_CHARS + len(".XXXXXXXX.fork/server.sock.tmp")
OWNED_NAME = re.compile(
    r"(?P<pid>\d+)@(?P<host>[A-Za-z0-9-]+)\.[A-Za-z0-9_]{8}(\.json|\.fork|-\d+)"
)


class UnsafeFolderError(PermissionError):
    """The private folder exists but is not private (another owner, open permissions, a
    symbolic link): refused rather than used, since whoever can enter it can take over the
    kernels. An OSError, so the command line reports it in one line (exit 2)."""


def owner_tag() -> str:
    """``<pid>@<host>``: who made a file in the private folder (see :func:`remove_stale`)."""
    return f"{os.getpid()}@{_host()[:HOST_CHARS]}"


def sockets_fit(folder: Path) -> bool:
    """Whether every socket govinfo binds in ``folder`` stays within the AF_UNIX limit."""
    return len(os.fsencode(folder)) + LONGEST_NAME <= SUN_PATH_MAX


def private_folder() -> Path | None:
    """The user's private folder for kernel sockets and connection files (None off POSIX).

    ``$TMPDIR/govinfo-ipc-<uid>`` when socket paths fit below it, else ``/tmp/govinfo-ipc-
    <uid>`` (a long TMPDIR would make every socket path too long), else the TMPDIR one with
    kernels on TCP (see :class:`IpcKernelManager`). Created with mode 0700; an existing one
    that is not private raises :class:`UnsafeFolderError`. The first call in a process
    removes what dead processes of this host left in it."""
    if os.name != "posix":
        return None
    name = f"govinfo-ipc-{os.getuid()}"
    candidates = [Path(tempfile.gettempdir()) / name, SHORT_BASE / name]
    fitting = [c for c in candidates if sockets_fit(c) and c.parent.is_dir()]
    folder = (fitting or candidates)[0]
    make_private(folder)
    _sweep_once(folder)
    return folder


def make_private(folder: Path) -> None:
    """Create ``folder`` with mode 0700, or check that the existing one is private: a
    folder (not a link) of this user that nobody else may enter. The sticky bit that
    jupyter_client sets on a connection file's folder is allowed."""
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    info = os.lstat(folder)
    problem = ""
    if stat.S_ISLNK(info.st_mode):
        problem = "is a symbolic link"
    elif not stat.S_ISDIR(info.st_mode):
        problem = "is not a folder"
    elif info.st_uid != os.getuid():
        problem = f"belongs to uid {info.st_uid}, not to you (uid {os.getuid()})"
    elif info.st_mode & 0o077:
        problem = f"has mode {stat.S_IMODE(info.st_mode):04o}, open to other users"
    if problem:
        raise UnsafeFolderError(
            f"{folder} {problem}: it holds kernel sockets and keys, so it must be your own "
            "folder with mode 0700 (remove it, or set TMPDIR to a folder of yours)"
        )


def remove_stale(folder: Path) -> list[Path]:
    """Remove what processes of this host that no longer run left in ``folder``: connection
    files, kernel sockets and fork-server folders of a batch killed with -9 or SIGTERM.
    Names of live processes, of other hosts, or not govinfo's are left alone."""
    host = _host()[:HOST_CHARS]
    removed: list[Path] = []
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            match = OWNED_NAME.fullmatch(entry.name)
            if not match or match["host"] != host or _running(int(match["pid"])):
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


@cache
def _sweep_once(folder: Path) -> None:
    remove_stale(folder)


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
        except ServerStopped:
            raise  # the batch is ending (Ctrl-C): no kernel to start, in any way
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
        while time.monotonic() < deadline and not self._vanished():
            await asyncio.sleep(0.002)

    def _vanished(self) -> bool:
        if isinstance(self.process, ForkedKernel):
            return self.process.vanished()
        return self.process is None or self.process.poll() is not None


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

    async def start_kernel(self, **kw: Any) -> None:
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


class ForkServer:
    """Runs the fork server process for the lifetime of a ``with`` block.

    Its socket lives in a folder of its own in the private folder, named after this
    process (``<pid>@<host>.XXXXXXXX.fork``): removed by :meth:`stop`, or by a later run
    when this process was killed (:func:`remove_stale`). Raises OSError when no private
    folder is short enough for a socket path."""

    def __init__(self) -> None:
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
                [sys.executable, "-m", "govinfo.kernels", self.address], env=env
            )
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


def serve(address: str) -> None:
    """Preload, then fork kernels. If that fails, say so in one line and leave a marker so
    that clients stop waiting for the socket and fall back to the plain launch.

    SIGINT is ignored (the batch starts this process with it ignored already): Ctrl-C
    reaches the whole process group, and the batch, which handles it, stops the server."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _serve(address)
    except Exception as exc:
        reason = (str(exc).strip() or type(exc).__name__).splitlines()[0]
        with contextlib.suppress(OSError):  # the batch may have removed the folder already
            Path(address + ".failed").write_text(reason, "utf-8")
        print(f"note: kernel fork server: {reason}; launching kernels normally", file=sys.stderr)
        sys.exit(1)


def _serve(address: str) -> None:
    """The server loop: preload, then fork one kernel per request, reaping finished ones."""
    import importlib

    for module in PRELOAD:
        importlib.import_module(module)
    from govinfo import layout
    from govinfo.charts import bar_chart

    # Warm up: the font file parsed, glyph and text-layout caches filled with the
    # layout's labels, so each forked kernel inherits them instead of rebuilding them.
    labels = [row.short for row in layout.APPLICATION_ROWS]
    bar_chart("预热", labels, [float(i) for i in range(len(labels))], "件")
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
    serve(sys.argv[1])
