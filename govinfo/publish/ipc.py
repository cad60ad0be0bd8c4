"""The private folder for kernel sockets and connection files, ``govinfo-ipc-<uid>``.

Connection files hold the key that lets a client run code in a kernel, so the folder is
mode 0700 and refused when it is not private (:class:`UnsafeFolderError`). It sits under
TMPDIR or, when TMPDIR is too long for an AF_UNIX socket path, under /tmp. Every name starts
with ``<pid>@<host>.`` of the process that made it, so that a later run removes what a
killed one left (:func:`remove_stale`), as :func:`govinfo.files.remove_stale_scratch` does
for pages. Used by the kernel managers (:mod:`.kernels`), the fork server
(:mod:`.forkserver`) and the CLI's ``render``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import sys
import tempfile
from functools import cache
from pathlib import Path

from ..files import _host, _running

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
