"""Safe file writing: atomic replacement, output paths that cannot leave their folder, and the
lock that lets one batch or render at a time write a site."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shlex
import socket
import sys
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

AGENCY_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
# Device names Windows reserves in every folder, whatever the extension (``con.html`` is the
# console): a site copied to a Windows server or share could not hold such a page, so these
# ids are refused although they match the pattern.
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"{d}{i}" for d in ("com", "lpt") for i in range(10))}
)

# Names the site writes for itself: OUTDIR/index.html, manifest.json, <year>/summary.html and
# the office's internal pages. An agency with one of these ids would overwrite them (or be
# overwritten), so no report may use them, even as a stamped draft.
RESERVED_NAMES = frozenset({"summary", "index", "manifest", "internal", "audit", "site"})


def is_safe_id(agency_id: object) -> bool:
    """True for an id that can name an agency's files in any folder on any system, without
    taking a name the site uses for its own pages (rule AGENCY-ID)."""
    return (
        isinstance(agency_id, str)
        and AGENCY_ID_PATTERN.fullmatch(agency_id) is not None
        and agency_id not in WINDOWS_RESERVED
        and agency_id not in RESERVED_NAMES
    )


@cache
def _host() -> str:
    """This machine's name as it may appear in a file name (first label, [A-Za-z0-9-])."""
    return re.sub(r"[^A-Za-z0-9-]", "", socket.gethostname().split(".")[0]) or "host"


def scratch_file(folder: Path, name: str, suffix: str) -> tuple[int, str]:
    """A new hidden file ``.<name>.<pid>@<host>.XXXXXXXX<suffix>`` in ``folder`` (as
    ``tempfile.mkstemp``). The name says which process writes it, so that a later run can
    remove what a killed one left behind (:func:`remove_stale_scratch`)."""
    return tempfile.mkstemp(prefix=f".{name}.{os.getpid()}@{_host()}.", suffix=suffix, dir=folder)


SCRATCH_NAME = re.compile(
    r"\..+\.(?P<pid>\d+)@(?P<host>[A-Za-z0-9-]+)\.[A-Za-z0-9_]{6,}\.(tmp|ipynb)"
)


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (a killed writer whose parent was
    killed too may stay a zombie until init reaps it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process
        return True
    with contextlib.suppress(OSError, IndexError):  # Linux: the state after "(command)"
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2] != "Z"
    return True


def remove_stale_scratch(folder: Path) -> list[Path]:
    """Remove the scratch files in ``folder`` whose writer is gone: a process of this host
    that no longer runs (a batch killed with -9, a power cut). Files of live processes, or
    of other hosts sharing the folder, are left alone. Returns the files removed.

    Only on POSIX, where signal 0 tests a pid (on Windows it would be sent as Ctrl-C)."""
    removed: list[Path] = []
    if os.name != "posix" or not folder.is_dir():
        return removed
    host = _host()
    for path in folder.iterdir():
        match = SCRATCH_NAME.fullmatch(path.name)
        if match and match["host"] == host and not _running(int(match["pid"])):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new, never half.

    The bytes go to a temporary file in the same folder, are flushed to disk, and then
    replace the target with ``os.replace`` (atomic on POSIX and Windows). On any failure
    the temporary file is removed and the previous file is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = scratch_file(path.parent, path.name, ".tmp")
    try:
        # mkstemp creates 0600; published files must stay readable by a web server.
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename is None:  # e.g. ENOSPC from write
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise


def output_path(
    outdir: Path, year: int, agency_id: str, suffix: str, *, site_page: bool = False
) -> Path:
    """``OUTDIR/<year>/<agency_id><suffix>``, refusing ids that could escape ``outdir`` or
    take one of the site's own names (:data:`RESERVED_NAMES`; only the site's own pages,
    ``site_page=True``, may use those).

    Validation already rejects such ids (rule AGENCY-ID); this is the last line of defence
    so that no data value can ever name a file outside the output folder or over a page of
    the site, whatever ``--allow-invalid`` says.

    Symbolic links: OUTDIR itself may be a link (it is followed: the site lives where it
    points). Below OUTDIR, the resolved target must stay inside the resolved OUTDIR, so a
    year folder or a page that is a link to somewhere else (``OUTDIR/2021 -> /elsewhere``)
    is refused rather than written through.
    """
    if site_page and agency_id in RESERVED_NAMES:
        pass
    elif agency_id in RESERVED_NAMES:
        raise ValueError(f"agency_id {agency_id!r} is reserved for the site's own pages")
    elif not is_safe_id(agency_id):
        raise ValueError(f"agency_id {agency_id!r} is not a safe file name")
    if not isinstance(year, int) or not 1900 <= year <= 2999:
        raise ValueError(f"year {year!r} is not a four-digit year")
    root = Path(outdir).resolve()
    target = (root / str(year) / f"{agency_id}{suffix}").resolve()
    if root not in target.parents:
        raise ValueError(
            f"{Path(outdir) / str(year) / (agency_id + suffix)} leads outside the output "
            f"folder {root} (through a symbolic link?)"
        )
    return target


# --------------------------------------------------------------------------- the site lock

LOCK_NAME = ".govinfo.lock"


class SiteBusy(Exception):
    """Another batch or render holds the output folder: one line naming it, for the user."""


def command_line() -> str:
    """This process's command as the user typed it, for the lock's message (shortened)."""
    argv = [Path(sys.argv[0]).name if sys.argv else "python", *sys.argv[1:]]
    if argv[0] == "__main__.py":  # python -m govinfo
        argv[0] = "govinfo"
    text = shlex.join(argv)
    return text if len(text) <= 200 else text[:199] + "…"


def _holder(path: Path) -> str:
    """Who holds the lock at ``path``, from what the holder wrote inside."""
    try:
        data = json.loads(path.read_text("utf-8"))
        return f"pid {data['pid']} on {data['host']}, since {data['since']}: {data['command']}"
    except (OSError, ValueError, KeyError, TypeError):  # taken a moment ago, not yet written
        return "a process that has not yet written its name"


@contextlib.contextmanager
def site_lock(outdir: Path, command: str | None = None) -> Iterator[Path]:
    """Hold ``OUTDIR/.govinfo.lock`` for a batch or a render: one writer per site at a time.

    The lock is ``flock`` on that file, so the kernel releases it when the holder ends in
    any way, ``kill -9`` and power cuts included: no lock is ever left stuck. The holder
    writes its pid, host, command and start time inside, for the message that refuses a
    second writer (:class:`SiteBusy`), and removes the file when it is done (while still
    holding it; a process that opened the old file notices and starts again).

    Shared folders (Dask): only the batch's own process takes the lock; its workers write
    under it. On Linux, ``flock`` on an NFS mount is carried out as an NFS byte-range lock,
    which the server arbitrates between hosts (unless the folder is mounted with
    ``local_lock=flock`` or ``all``); a file system without locks refuses with one line
    rather than running unprotected."""
    outdir = Path(outdir)
    created = []  # folders made for the lock, deepest first: removed again if left empty,
    folder = outdir  # so that a run that writes nothing (bad input) leaves nothing behind
    while not folder.exists() and folder != folder.parent:
        created.append(folder)
        folder = folder.parent
    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / LOCK_NAME
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by children
        try:
            _lock(fd)
        except BlockingIOError:
            os.close(fd)
            raise SiteBusy(
                f"{outdir} is in use by another govinfo run ({_holder(path)}); "
                "try again when it has finished"
            ) from None
        except OSError as exc:
            os.close(fd)
            raise OSError(
                exc.errno, f"cannot lock {path} ({exc.strerror}: no locks on this file system?)"
            ) from None
        try:  # the file we locked may have been removed by the holder that just ended
            if os.path.samestat(os.fstat(fd), os.stat(path)):
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        since = dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
        details = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": command or command_line(),
            "since": since,
        }
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, (json.dumps(details, ensure_ascii=False) + "\n").encode())
        yield path
    finally:
        with contextlib.suppress(OSError):  # removed while held, so no one locks a dead file
            os.unlink(path)
        os.close(fd)  # releases the lock
        for made in created:
            try:
                made.rmdir()
            except OSError:  # not empty: something was written there
                break


def _lock(fd: int) -> None:
    """Take an exclusive lock on ``fd`` without waiting: BlockingIOError when it is held."""
    if sys.platform != "win32":  # (mypy checks the branch of the platform it runs on)
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    import msvcrt  # Windows: lock one byte far past the details, so they stay readable

    os.lseek(fd, 1 << 30, os.SEEK_SET)
    try:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError as exc:
        raise BlockingIOError(*exc.args) from None
