"""The fork-server fast path: same page as the plain kernel launch, a fresh process per
agency with nothing left over from the previous one, and a fallback without a server."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from govinfo.kernels import ENV_VAR, ForkKernelManager, ForkServer, fast_engine_kwargs
from govinfo.pipeline import render

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "parameters/2022/shili-zrzyj.yaml"

PROBE = """
import os, sys, govinfo.document as doc
assert "leaked" not in globals(), "a variable survived from another agency's kernel"
assert not hasattr(doc, "LEAKED"), "a module attribute survived from another kernel"
leaked = doc.LEAKED = True
print(os.getpid(), os.getppid(), "govinfo.document" in sys.modules)
"""


@pytest.fixture(scope="module")
def server() -> ForkServer:
    with ForkServer() as running:
        yield running


def run_probe(tmp_path: Path, name: str) -> list[str]:
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
    nb = papermill.execute_notebook(
        str(source), str(tmp_path / f"{name}.ipynb"), progress_bar=False, **fast_engine_kwargs()
    )
    return nb.cells[0].outputs[0].text.split()


def test_each_kernel_is_a_fresh_fork_of_the_server(server: ForkServer, tmp_path: Path) -> None:
    first = run_probe(tmp_path, "a")
    second = run_probe(tmp_path, "b")
    server_pid = str(server.process.pid)
    assert first[1] == server_pid and second[1] == server_pid  # forked by the server
    assert first[0] != second[0]  # two different kernel processes
    assert first[2] == "True"  # preloaded: the import cost was paid once, in the server


def test_fast_path_page_is_byte_identical_to_plain_path(
    server: ForkServer, rendered_site: Path, tmp_path: Path
) -> None:
    fast = render(EXAMPLE, tmp_path, **fast_engine_kwargs())
    assert fast.html.read_bytes() == (rendered_site / "2022/shili-zrzyj.html").read_bytes()


def test_without_a_server_the_kernel_is_launched_normally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    _pid, parent, _ = run_probe(tmp_path, "plain")
    assert parent == str(os.getpid())  # launched by us, not forked by a server
    assert ForkKernelManager().transport == "ipc"
