"""Safe file writing: atomic replacement and output paths that cannot leave their folder."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import tempfile
from functools import cache
from pathlib import Path

AGENCY_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
# Device names Windows reserves in every folder, whatever the extension (``con.html`` is the
# console): a site copied to a Windows server or share could not hold such a page, so these
# ids are refused although they match the pattern.
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"{d}{i}" for d in ("com", "lpt") for i in range(10))}
)


def is_safe_id(agency_id: object) -> bool:
    """True for an id that can name a file in any folder on any system (rule AGENCY-ID)."""
    return (
        isinstance(agency_id, str)
        and AGENCY_ID_PATTERN.fullmatch(agency_id) is not None
        and agency_id not in WINDOWS_RESERVED
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
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def output_path(outdir: Path, year: int, agency_id: str, suffix: str) -> Path:
    """``OUTDIR/<year>/<agency_id><suffix>``, refusing ids that could escape ``outdir``.

    Validation already rejects such ids (rule AGENCY-ID); this is the last line of defence
    so that no data value can ever name a file outside the output folder.

    Symbolic links: OUTDIR itself may be a link (it is followed: the site lives where it
    points). Below OUTDIR, the resolved target must stay inside the resolved OUTDIR, so a
    year folder or a page that is a link to somewhere else (``OUTDIR/2021 -> /elsewhere``)
    is refused rather than written through.
    """
    if not is_safe_id(agency_id):
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
