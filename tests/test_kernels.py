"""The fork-server fast path: same page as the plain kernel launch, a fresh process per
agency with nothing left over from the previous one (also when kernels are started ahead),
kernels gone as soon as they are shut down, and a fallback without a server."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import nbformat
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from govinfo.publish.forkserver import ForkServer
from govinfo.publish.kernels import ENV_VAR, ForkKernelManager, KernelsAhead, fast_engine_kwargs
from govinfo.publish.pipeline import execute, render

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "parameters/2022/shili-zrzyj.yaml"

PROBE = """
import os, sys, govinfo.publish.document as doc
assert "leaked" not in globals(), "a variable survived from another agency's kernel"
assert not hasattr(doc, "LEAKED"), "a module attribute survived from another kernel"
leaked = doc.LEAKED = True
history = get_ipython().history_manager.hist_file  # the kernel's own arguments reached it
print(os.getpid(), os.getppid(), "govinfo.publish.document" in sys.modules, history)
"""


@pytest.fixture(scope="module")
def server() -> ForkServer:
    with ForkServer() as running:
        yield running


def run_probe(tmp_path: Path, name: str, kernels: KernelsAhead | None = None) -> list[str]:
    source = tmp_path / "probe.ipynb"
    nbformat.write(
        new_notebook(
            cells=[new_code_cell(PROBE)],
            metadata={
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
            },
        ),
        source,
    )
    output = tmp_path / f"{name}.ipynb"
    if kernels is None:
        nb = papermill.execute_notebook(
            str(source), str(output), progress_bar=False, **fast_engine_kwargs()
        )
    else:  # the batch's way: the pipeline takes a kernel started ahead
        nb = execute(source, {}, output, kernels=kernels, **fast_engine_kwargs())
    return nb.cells[0].outputs[0].text.split()


def gone(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    return False


def test_each_kernel_is_a_fresh_fork_of_the_server(server: ForkServer, tmp_path: Path) -> None:
    first = run_probe(tmp_path, "a")
    second = run_probe(tmp_path, "b")
    server_pid = str(server.process.pid)
    assert first[1] == server_pid and second[1] == server_pid  # forked by the server
    assert first[0] != second[0]  # two different kernel processes
    assert first[2] == "True"  # preloaded: the import cost was paid once, in the server
    assert first[3] == ":memory:"  # nbclient's kernel arguments are passed to the fork
    assert gone(first[0]) and gone(second[0])  # shut down means gone, not "exiting soon"


def test_kernels_started_ahead_are_fresh_and_used_once(server: ForkServer, tmp_path: Path) -> None:
    ahead = KernelsAhead()
    try:
        first = run_probe(tmp_path, "a", ahead)
        assert ahead.spare is not None  # the next kernel boots while this one works
        started_ahead = ahead.spare[1].provisioner.pid
        second = run_probe(tmp_path, "b", ahead)
        last_spare = ahead.spare[1].provisioner.pid
    finally:
        ahead.close()
    assert second[0] == str(started_ahead)  # the kernel started ahead served the next run
    assert first[0] != second[0] != str(last_spare)  # one kernel per run: the probe's
    # assertions (no variable or module attribute left by another run) passed in both
    server_pid = str(server.process.pid)
    assert first[1] == second[1] == server_pid and first[3] == second[3] == ":memory:"
    assert gone(first[0]) and gone(second[0]) and gone(str(last_spare))
    assert ahead.spare is None


def test_fast_path_page_is_byte_identical_to_plain_path(
    server: ForkServer, rendered_site: Path, tmp_path: Path
) -> None:
    plain = (rendered_site / "2022/shili-zrzyj.html").read_bytes()
    fast = render(EXAMPLE, tmp_path / "fast", **fast_engine_kwargs())
    assert fast.html.read_bytes() == plain
    with contextlib.closing(KernelsAhead()) as ahead:  # the batch's path
        ahead_started = render(EXAMPLE, tmp_path / "ahead", kernels=ahead, **fast_engine_kwargs())
    assert ahead_started.html.read_bytes() == plain


def test_without_a_server_the_kernel_is_launched_normally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    _pid, parent, _, history = run_probe(tmp_path, "plain")
    assert parent == str(os.getpid())  # launched by us, not forked by a server
    assert history == ":memory:"
    assert ForkKernelManager().transport == "ipc"
