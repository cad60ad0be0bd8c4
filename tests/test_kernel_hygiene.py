"""Kernel hygiene: what the batch's kernels and fork server leave, and how they end.

* A bad chart font is one line before anything starts (not a traceback in the fork server
  and then one failure per page).
* Socket paths stay short under a long TMPDIR (AF_UNIX paths hold 107 bytes); without a
  short private folder, kernels use TCP on loopback and the batch notes it in one line.
* Connection files (they hold the kernel's key), kernel sockets and the fork server's socket
  live in a private folder (0700, refused when it is not private) under names that say which
  process made them, so the next run removes what a killed one left.
* Ctrl-C of a batch (SIGINT to the process group, as a terminal sends it) ends it with one
  line, ``interrupted``, from every process.

Tests that run a batch get a TMPDIR of their own (short, so their private folder is theirs
alone, not shared with other runs on the machine). Races are controlled with files: a
template cell creates ``reached`` and then waits for ``gate``; nothing waits on the clock
except a generous guard against hangs.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import SEED, Run

from govinfo import files
from govinfo.batch.executors import start_fork_server
from govinfo.batch.options import Options
from govinfo.publish import ipc, pipeline
from govinfo.publish.kernels import ENV_VAR, IpcKernelManager

UID = os.getuid()
HOST = files._host()[:16]  # as ipc.owner_tag writes it
# <pid>@<host>.<8 characters> then .json (connection file), .fork (the fork server's folder)
# or -N (a kernel's socket)
OWNED = re.compile(r"(?P<pid>\d+)@(?P<host>[A-Za-z0-9-]+)\.[A-Za-z0-9_]{8}(\.json|\.fork|-\d+)")
SAFETY = 300  # seconds: a guard against hangs, never a synchronisation
PAGE = "2021/zezhou-xzsp.html"


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A TMPDIR of this test's own, short enough for sockets below it."""
    folder = Path(tempfile.mkdtemp(prefix="gi-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def private(tmpdir: Path) -> Path:
    return tmpdir / f"govinfo-ipc-{UID}"


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def environment(tmpdir: Path, **extra: str) -> dict[str, str]:
    """This process's environment for a govinfo subprocess, without a fork server of this
    session (tests/test_kernels.py runs one) and without a font setting."""
    env = {k: v for k, v in os.environ.items() if k not in (ENV_VAR, "GOVINFO_CJK_FONT")}
    return {**env, "TMPDIR": str(tmpdir), **extra}


def govinfo(*args: object, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "govinfo", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=SAFETY)


def one_agency(tmp_path: Path) -> Path:
    params = tmp_path / "params"
    params.mkdir()
    shutil.copy(SEED, params)
    return params


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` (set by a file or a process state, not by time passing)."""
    deadline = time.monotonic() + SAFETY
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def ended(processes: list[Any]) -> bool:
    import psutil

    def alive(p: Any) -> bool:
        try:
            return bool(p.is_running() and p.status() != psutil.STATUS_ZOMBIE)
        except psutil.NoSuchProcess:
            return False

    return not [p for p in processes if alive(p)]


class GatedBatch:
    """``govinfo batch`` of one agency, in a session of its own, on a template whose first
    cell creates ``reached`` and then waits until ``gate`` exists."""

    def __init__(self, tmp_path: Path, tmpdir: Path, *options: str) -> None:
        self.reached, self.gate = tmp_path / "reached", tmp_path / "gate"
        template = tmp_path / "gated.ipynb"
        cell = (
            "import os, pathlib, time\n"
            f"pathlib.Path({str(self.reached)!r}).touch()\n"
            f"while not os.path.exists({str(self.gate)!r}):\n"
            "    time.sleep(0.02)"
        )
        nb = nbformat.read(pipeline.DEFAULT_NOTEBOOK, as_version=4)
        setup = next(i for i, c in enumerate(nb.cells) if c.get("id") == "setup")
        new = nbformat.v4.new_code_cell(cell, metadata={"tags": ["remove_cell"]})
        nb.cells.insert(setup + 1, new)
        nbformat.write(nb, template)
        self.out, self.err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
        command = [
            *(sys.executable, "-m", "govinfo", "batch", str(one_agency(tmp_path))),
            *("-o", str(tmp_path / "site"), "-j", "1", "--no-progress"),
            *("--template", str(template), *options),
        ]
        with self.out.open("w") as out, self.err.open("w") as err:
            self.proc = subprocess.Popen(
                command, stdout=out, stderr=err, env=environment(tmpdir), start_new_session=True
            )

    def wait_until_reached(self) -> list[Any]:
        """Wait for the gate cell; returns the batch's processes (workers, fork server,
        kernels)."""
        import psutil

        wait_for(lambda: self.reached.exists() or self.proc.poll() is not None, "the gate")
        assert self.reached.exists(), self.err.read_text()[-3000:]
        return psutil.Process(self.proc.pid).children(recursive=True)

    def output(self) -> tuple[str, str]:
        return self.out.read_text(), self.err.read_text()

    def close(self) -> None:
        """Open the gate (a kernel that outlived the batch would loop forever) and make
        sure the batch is gone."""
        self.gate.touch()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(SAFETY)


@pytest.fixture
def gated(tmp_path: Path, short_tmp: Path) -> Iterator[Callable[..., GatedBatch]]:
    started: list[GatedBatch] = []

    def start(*options: str) -> GatedBatch:
        started.append(GatedBatch(tmp_path, short_tmp, *options))
        return started[-1]

    yield start
    for batch in started:
        batch.close()


def nothing_in(site: Path) -> bool:
    """No page, manifest or scratch file (the site lock may have created the folder)."""
    return not site.exists() or not any(site.rglob("*"))


def dead_pid() -> int:
    """A pid that no process has: a child that ran and was reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# --------------------------------------------------------------------------- the chart font


@pytest.mark.parametrize("command", ["render", "batch"])
@pytest.mark.parametrize("font", ["missing", "not a font"])
def test_a_bad_font_is_one_line_before_anything_starts(
    command: str, font: str, tmp_path: Path, short_tmp: Path
) -> None:
    path = tmp_path / "font.ttf"
    if font == "not a font":
        path.write_text("这不是字体文件\n", "utf-8")
    site = tmp_path / "site"
    options = ["--no-progress"] if command == "batch" else []
    env = environment(short_tmp, GOVINFO_CJK_FONT=str(path))
    result = govinfo(command, one_agency(tmp_path), "-o", site, *options, env=env)
    problem = "is not a file" if font == "missing" else "is not a TrueType/OpenType font"
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: GOVINFO_CJK_FONT={path} {problem}"), line
    assert nothing_in(site)  # nothing rendered, nothing written
    assert not private(short_tmp).exists()  # no kernel and no fork server was started


# --------------------------------------------------------------------------- socket paths


def test_a_long_tmpdir_still_renders_with_the_fork_server(tmp_path: Path, short_tmp: Path) -> None:
    """AF_UNIX paths hold 107 bytes: below a TMPDIR of 120 characters no socket fits, so
    the private folder goes to /tmp (the fork server works: no note, no fallback)."""
    long = short_tmp / ("x" * (119 - len(str(short_tmp))))
    long.mkdir()
    assert len(str(long)) == 120
    site = tmp_path / "site"
    result = govinfo(
        "batch", one_agency(tmp_path), "-o", site, "-j", "1", "--no-progress",
        env=environment(long),
    )  # fmt: skip
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 0, result.stderr[-3000:]
    assert "note:" not in result.stderr  # the fork server started
    assert (site / PAGE).read_text("utf-8").rstrip().endswith("</html>")
    assert not [p for p in long.iterdir() if p.suffix == ".json"]  # no key in bare TMPDIR


def test_without_a_short_folder_kernels_use_tcp_and_the_batch_notes_it(
    tmp_path: Path, short_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    long = short_tmp / ("x" * 100)
    long.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(long))
    monkeypatch.setattr(ipc, "SHORT_BASE", long)  # no short folder anywhere
    km = IpcKernelManager()
    assert km.transport == "tcp" and km.ip in ("127.0.0.1", "localhost")
    assert Path(km.connection_file).parent == private(long)  # the key stays private
    assert start_fork_server(Options(outdir=tmp_path / "site")) is None
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("note: no private folder short enough for a socket")
    assert line.endswith("; launching kernels normally")
    result = pipeline.render(SEED, tmp_path / "site")  # a kernel on TCP
    assert result.html.read_text("utf-8").rstrip().endswith("</html>")
    assert listing(private(long)) == []  # its connection file removed with the kernel


# --------------------------------------------------------------------------- the private folder


def test_kernel_files_are_named_after_their_process_in_a_private_folder(
    short_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(short_tmp))
    km = IpcKernelManager()
    folder = private(short_tmp)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    connection = Path(km.connection_file)
    assert connection.parent == folder and connection.suffix == ".json"
    assert connection.name.startswith(f"{os.getpid()}@{HOST}.")
    assert km.transport == "ipc" and km.ip == str(connection.with_suffix(""))


@pytest.mark.parametrize("command", ["render", "batch"])
@pytest.mark.parametrize("flaw", ["mode 0777", "symbolic link", "other owner"])
def test_a_kernel_folder_that_is_not_private_is_refused(
    command: str,
    flaw: str,
    tmp_path: Path,
    short_tmp: Path,
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = private(short_tmp)
    if flaw == "symbolic link":  # even to a private folder of ours
        target = short_tmp / "elsewhere"
        target.mkdir(mode=0o700)
        folder.symlink_to(target)
        problem = "is a symbolic link"
    else:
        folder.mkdir()
        if flaw == "mode 0777":
            folder.chmod(0o777)
            problem = "has mode 0777, open to other users"
        else:
            folder.chmod(0o700)
            os.chown(folder, 65534, 65534)
            problem = f"belongs to uid 65534, not to you (uid {UID})"
    monkeypatch.setattr(tempfile, "tempdir", str(short_tmp))
    monkeypatch.delenv(ENV_VAR, raising=False)
    site = tmp_path / "site"
    options = ["--no-progress"] if command == "batch" else []
    code, out, err = run(command, one_agency(tmp_path), "-o", site, *options)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"error: {folder} {problem}: it holds kernel sockets and keys, so it must be your "
        "own folder with mode 0700 (remove it, or set TMPDIR to a folder of yours)"
    ]
    assert nothing_in(site)


# --------------------------------------------------------------------------- leftovers


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "SIGTERM"])
def test_leftovers_of_a_killed_batch_are_removed_by_the_next_run(
    signum: int, gated: Callable[..., GatedBatch], tmp_path: Path, short_tmp: Path
) -> None:
    batch = gated()
    tree = batch.wait_until_reached()
    os.killpg(batch.proc.pid, signum)
    batch.proc.wait(SAFETY)
    wait_for(lambda: ended(tree), "the batch's processes (kernels included) to end")
    folder = private(short_tmp)
    left = listing(folder)
    # What the kill left, each named after the process that made it: the fork server's
    # folder after the batch, connection files and sockets after the worker.
    assert any(n.startswith(f"{batch.proc.pid}@{HOST}.") and n.endswith(".fork") for n in left)
    assert [n for n in left if n.endswith(".json")], left
    pids = {str(batch.proc.pid), *(str(p.pid) for p in tree)}
    for name in left:
        match = OWNED.fullmatch(name)
        assert match and match["pid"] in pids and match["host"] == HOST, name
    assert not [p for p in short_tmp.iterdir() if p.suffix == ".json"]  # none in bare TMPDIR

    # Planted besides: a dead process's files, and some that must stay.
    dead = dead_pid()
    with socket.socket(socket.AF_UNIX) as planted:  # a socket file, as a kernel leaves it
        planted.bind(str(folder / f"{dead}@{HOST}.dead0000-1"))
    (folder / f"{dead}@{HOST}.dead0000.json").write_text('{"key": "secret"}')
    (folder / f"{dead}@{HOST}.dead1111.fork").mkdir()
    (folder / f"{dead}@{HOST}.dead1111.fork" / "server.sock").touch()
    kept = [
        f"{os.getpid()}@{HOST}.live0000.json",  # a live process's (this one)
        f"{dead}@otherhost.dead0000.json",  # another host's, sharing the folder
        "notes.txt",  # not govinfo's
    ]
    for name in kept:
        (folder / name).write_text("{}")

    result = govinfo("render", SEED, "-o", tmp_path / "next", env=environment(short_tmp))
    assert result.returncode == 0, result.stderr[-3000:]
    assert listing(folder) == sorted(kept)
    assert stat.S_IMODE(folder.stat().st_mode) & 0o777 == 0o700
    assert not [p for p in short_tmp.iterdir() if p.suffix == ".json"]


# --------------------------------------------------------------------------- Ctrl-C


@pytest.mark.parametrize("kernels_option", ["fork", "plain"])
def test_ctrl_c_of_a_batch_is_one_line_from_every_process(
    kernels_option: str, gated: Callable[..., GatedBatch], short_tmp: Path
) -> None:
    """SIGINT to the whole process group, as a terminal's Ctrl-C: the batch, its workers
    and the fork server all get it (kernels lead sessions of their own). The cell never
    ends by itself, so the batch must stop it rather than wait for it."""
    batch = gated("--kernels", kernels_option)
    tree = batch.wait_until_reached()
    os.killpg(batch.proc.pid, signal.SIGINT)
    code = batch.proc.wait(SAFETY)
    out, err = batch.output()
    assert "Traceback" not in out + err, err
    assert (code, out, err.splitlines()) == (130, "", ["interrupted"])
    wait_for(lambda: ended(tree), "the batch's processes (kernels included) to end")
    assert listing(private(short_tmp)) == []  # nothing left behind
