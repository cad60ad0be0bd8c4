"""Faults while publishing: a kernel killed mid-notebook, a cell that times out, a full disk
for one write, and ``kill -9`` of a running batch. After each, every page that was good
before is byte-identical, nothing half-written is left where a reader looks, the error is
one line, and the next run completes the rest.

The good pages come from the session's ``rendered_site`` (rendering is deterministic, so a
page rendered again equals them byte for byte). Kernel runs: one killed, one timed out, and
the batch's (three agencies and their summary, over two runs on fork-server kernels).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import ROOT, SEED, Run

from govinfo import files
from govinfo.publish import pipeline
from govinfo.publish.pipeline import RenderError, render

PAGES = ("2021/zezhou-xzsp.html", "2021/zezhou-xzsp.ipynb")
KILL_CELL = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)  # the kernel dies here"
SLEEP_CELL = "import time\ntime.sleep(300)  # far beyond --timeout"


@pytest.fixture
def site(rendered_site: Path, tmp_path: Path) -> Path:
    """A site holding the seed's good page and notebook (copied from the session's)."""
    out = tmp_path / "site"
    for name in PAGES:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(rendered_site / name, out / name)
    return out


def good(rendered_site: Path, name: str) -> bytes:
    return (rendered_site / name).read_bytes()


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def template_with(cell: str, folder: Path) -> Path:
    """The report template with ``cell`` inserted after its set-up cell."""
    nb = nbformat.read(pipeline.DEFAULT_NOTEBOOK, as_version=4)
    setup = next(i for i, c in enumerate(nb.cells) if c.get("id") == "setup")
    nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(cell, metadata={"tags": ["remove_cell"]}))
    path = folder / "faulty.ipynb"
    nbformat.write(nb, path)
    return path


def gate_template(gate: Path, agency_id: str, folder: Path) -> Path:
    """The report template with a cell that, for ``agency_id`` only, says it was reached and
    then waits while ``gate/hold`` exists: the test decides when that render may go on, so
    what it observes never depends on how fast the machine is."""
    cell = (
        "import pathlib, time\n"
        f"_gate = pathlib.Path({str(gate)!r})\n"
        f"if agency_id == {agency_id!r}:\n"
        "    (_gate / f'reached-{agency_id}').touch()\n"
        "    while (_gate / 'hold').exists():\n"
        "        time.sleep(0.05)"
    )
    return template_with(cell, folder)


# --------------------------------------------------------------------------- one report


def test_kernel_killed_mid_notebook_keeps_the_good_page(
    site: Path, rendered_site: Path, tmp_path: Path
) -> None:
    killer = template_with(KILL_CELL, tmp_path)
    with pytest.raises(RenderError) as caught:
        render(SEED, site, template=killer, timeout=120)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    assert message.startswith(f"{SEED}: notebook execution failed: DeadKernelError"), message
    for name in PAGES:
        assert (site / name).read_bytes() == good(rendered_site, name), name
    # No scratch file left (papermill wrote no notebook to keep as .failed.ipynb).
    assert listing(site / "2021") == ["zezhou-xzsp.html", "zezhou-xzsp.ipynb"]


def test_cell_timeout_keeps_the_good_page(
    site: Path,
    rendered_site: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``govinfo render --timeout 3`` on a template whose cell sleeps for five minutes.
    Output is captured at the file descriptors: the kernel's own log must not show either."""
    from govinfo.cli import main

    monkeypatch.setattr(pipeline, "DEFAULT_NOTEBOOK", template_with(SLEEP_CELL, tmp_path))
    code = main(["render", str(SEED), "-o", str(site), "--timeout", "3"])
    out, err = capfd.readouterr()
    assert code == 1 and out == "" and "Traceback" not in err
    (line,) = err.splitlines()
    assert line.startswith(f"error: {SEED}: notebook execution failed: CellTimeoutError"), line
    for name in PAGES:
        assert (site / name).read_bytes() == good(rendered_site, name), name
    assert listing(site / "2021") == ["zezhou-xzsp.html", "zezhou-xzsp.ipynb"]


@pytest.fixture
def executed_seed(rendered_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """papermill replaced by the seed's executed notebook: these tests are about writing."""

    def execute(notebook: Path, parameters: dict[str, Any], output: Path, **_: Any) -> Any:
        nb = nbformat.read(rendered_site / "2021" / "zezhou-xzsp.ipynb", as_version=4)
        nbformat.write(nb, output)
        return nb

    monkeypatch.setattr(pipeline, "execute", execute)


def test_full_disk_for_one_write_keeps_the_good_page_and_the_next_run_writes_it(
    site: Path, rendered_site: Path, run: Run, monkeypatch: pytest.MonkeyPatch, executed_seed: None
) -> None:
    (site / "2021" / "zezhou-xzsp.failed.ipynb").write_text("{}", "utf-8")  # an old failure
    real_fsync, calls = os.fsync, []

    def fsync_once_full(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", fsync_once_full)
    code, out, err = run("render", SEED, "-o", site)
    assert code == 1 and out == "" and "Traceback" not in err
    page = (site / "2021" / "zezhou-xzsp.html").resolve()
    assert err.splitlines() == [f"error: {SEED}: cannot write {page}: No space left on device"]
    for name in PAGES:
        assert (site / name).read_bytes() == good(rendered_site, name), name
    assert listing(site / "2021") == [  # no temporary file, no half page
        "zezhou-xzsp.failed.ipynb",
        "zezhou-xzsp.html",
        "zezhou-xzsp.ipynb",
    ]

    code, out, err = run("render", SEED, "-o", site)  # the disk has room again
    assert code == 0 and err == "", err
    assert (site / PAGES[0]).read_bytes() == good(rendered_site, PAGES[0])
    assert listing(site / "2021") == ["zezhou-xzsp.html", "zezhou-xzsp.ipynb"]


def test_full_disk_for_the_manifest_is_one_line_and_the_next_run_recovers(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch's own files: a batch whose manifest cannot be written says so in one line
    and leaves the previous manifest; nothing needs a kernel here (the file is invalid)."""
    params = tmp_path / "params"
    params.mkdir()
    (params / "bad.yaml").write_text("schema: govinfo/annual-report@1\nagency: 示例\n", "utf-8")
    site = tmp_path / "site"
    code, _, err = run("batch", params, "-o", site, "--no-progress")
    assert code == 1, err
    before = (site / "manifest.json").read_bytes()
    (params / "bad.yaml").write_text("schema: govinfo/annual-report@1\nagency: 示例局\n", "utf-8")
    from govinfo.batch import manifest

    real = manifest.atomic_write

    def full(path: Path, data: str | bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(manifest, "atomic_write", full)
    code, out, err = run("batch", params, "-o", site, "--no-progress")
    assert code == 2 and "Traceback" not in out + err
    assert err.splitlines()[-1] == (
        f"error: [Errno 28] No space left on device: '{site / 'manifest.json'}'"
    )
    assert (site / "manifest.json").read_bytes() == before
    monkeypatch.setattr(manifest, "atomic_write", real)
    code, out, err = run("batch", params, "-o", site, "--no-progress")
    assert code == 1 and "Traceback" not in out + err
    (entry,) = json.loads((site / "manifest.json").read_text("utf-8"))["agencies"]
    assert entry["agency"] == "示例局"


# --------------------------------------------------------------------------- kill -9 of a batch


def batch_command(params: Path, site: Path, template: Path) -> list[str]:
    return [
        *(sys.executable, "-m", "govinfo", "batch", str(params), "-o", str(site), "-j", "1"),
        *("--template", str(template)),
    ]


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 300) -> None:
    """Poll until ``condition`` holds. The bound only turns a hang into a failure: every
    wait here is for an event the test itself causes, so no machine is too slow for it."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def manifest_of(site: Path) -> dict[str, Any]:
    return json.loads((site / "manifest.json").read_text("utf-8"))  # valid JSON, or fail


def published(site: Path) -> list[str]:
    try:
        data = manifest_of(site)
    except (FileNotFoundError, ValueError):
        return []
    return [e["agency_id"] for e in data["agencies"] if e["status"] == "published"]


def assert_consistent(site: Path) -> dict[str, Any]:
    """Each agency the manifest calls published has both files, complete; the rest are
    marked failed (to be rendered next time), never published without a page."""
    data = manifest_of(site)
    for e in data["agencies"]:
        if e["status"] == "published":
            html = (site / e["html"]).read_bytes()
            assert html.rstrip().endswith(b"</html>"), e["html"]
            nbformat.read(site / e["notebook"], as_version=4)  # a whole notebook
        else:
            assert e["status"] == "failed" and e["html"] is None, e
    return data


@pytest.fixture
def county(tmp_path: Path, rendered_site: Path) -> Iterator[tuple[Path, Path]]:
    """Three 2021 agencies; the seed's good page already published."""
    params = tmp_path / "params" / "2021"
    params.mkdir(parents=True)
    for name in ("shili-jyj.yaml", "shili-zrzyj.yaml", "zezhou-xzsp.yaml"):
        shutil.copy(ROOT / "parameters" / "2021" / name, params)
    site = tmp_path / "site"
    for name in PAGES:
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(rendered_site / name, site / name)
    yield tmp_path / "params", site


def test_kill_9_of_a_batch_loses_nothing_and_the_next_run_completes(
    county: tuple[Path, Path], rendered_site: Path, tmp_path: Path
) -> None:
    """The batch renders shili-jyj, then holds shili-zrzyj in a gated cell: the test kills
    the batch once the manifest records the first as published and the second's kernel is
    inside the gate, so every run kills at the same point, on any machine."""
    import psutil

    params, site = county
    gate = tmp_path / "gate"
    gate.mkdir()
    (gate / "hold").touch()
    template = gate_template(gate, "shili-zrzyj", tmp_path)
    log = (tmp_path / "killed.log").open("w")
    proc = subprocess.Popen(
        batch_command(params, site, template), stdout=log, stderr=log, start_new_session=True
    )
    try:

        def one_done_one_held() -> bool:
            if proc.poll() is not None:  # finished or crashed before it could be killed
                raise AssertionError((tmp_path / "killed.log").read_text("utf-8")[-3000:])
            return (gate / "reached-shili-zrzyj").exists() and published(site) == ["shili-jyj"]

        wait_for(one_done_one_held, "shili-jyj published and shili-zrzyj inside the gate")
        tree = psutil.Process(proc.pid).children(recursive=True)  # workers, server, kernels
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        log.close()
    wait_for(
        lambda: not [p for p in tree if p.is_running() and p.status() != "zombie"],
        "the batch's processes (kernels included) to end",
    )

    data = assert_consistent(site)
    assert published(site) == ["shili-jyj"]
    held = next(e for e in data["agencies"] if e["agency_id"] == "shili-zrzyj")
    assert held["status"] == "failed"  # in flight when killed: rendered by the next run
    for name in PAGES:  # last in the queue: its good page not replaced
        assert (site / name).read_bytes() == good(rendered_site, name), name
    linked = {e[k] for e in data["agencies"] for k in ("html", "notebook") if e[k]}
    leftovers = [p for p in (site / "2021").iterdir() if p.name.startswith(".")]
    assert not {f"2021/{p.name}" for p in leftovers} & linked  # scratch files are never linked

    # What a write cut by the kill leaves (planted too, so the clean-up is always exercised).
    (site / "2021" / f".shili-jyj.{proc.pid}@{files._host()}.cut0kill.ipynb").write_text("{")
    (gate / "hold").unlink()  # the next run goes through the gate
    finished = subprocess.run(
        [*batch_command(params, site, template), "--no-progress"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    data = assert_consistent(site)
    assert sorted(published(site)) == ["shili-jyj", "shili-zrzyj", "zezhou-xzsp"]
    # Scratch files the killed run left are removed by this run.
    assert "scratch file(s) left by an interrupted run" in finished.stderr
    assert not [p.name for p in (site / "2021").iterdir() if p.name.startswith(".")]
    assert not [p.name for p in site.iterdir() if p.name.startswith(".")]
    assert "rendered 2021/shili-jyj" not in finished.stderr  # finished before the kill
    assert "rendered 2021/shili-zrzyj" in finished.stderr
    # Rendered again: the same page byte for byte (the notebook records new timings).
    assert (site / PAGES[0]).read_bytes() == good(rendered_site, PAGES[0])
    assert data["summaries"][0]["status"] == "published"
    assert (site / "index.html").is_file() and (site / "2021" / "summary.html").is_file()


# --------------------------------------------------------------------------- Dask


def test_a_dask_batch_whose_workers_all_die_ends_with_the_rest_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The only worker is killed while it renders the first agency (held in a gated cell):
    the batch says so in one line, records both agencies and the summary as failed and ends,
    instead of waiting forever for a worker."""
    import threading

    distributed = pytest.importorskip("distributed")
    from govinfo.batch.options import Options
    from govinfo.batch.runner import run_batch

    params = tmp_path / "params" / "2021"
    params.mkdir(parents=True)
    for name in ("shili-jyj.yaml", "zezhou-xzsp.yaml"):
        shutil.copy(ROOT / "parameters" / "2021" / name, params)
    gate = tmp_path / "gate"
    gate.mkdir()
    (gate / "hold").touch()
    template = gate_template(gate, "shili-jyj", tmp_path)
    site = tmp_path / "site"
    outcome: dict[str, Any] = {}
    with distributed.LocalCluster(n_workers=0, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        worker = subprocess.Popen(
            [
                *(sys.executable, "-m", "distributed.cli.dask_worker", address),
                *("--nthreads", "1", "--no-nanny", "--no-dashboard"),
            ],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with distributed.Client(address) as client:
                client.wait_for_workers(1, timeout=300)
            options = Options(
                outdir=site,
                executor="dask",
                scheduler=address,
                progress=False,
                template=template,
                worker_grace=1,  # counted from the kill the test makes: no race
            )

            def batch() -> None:
                outcome["result"] = run_batch([tmp_path / "params"], options)

            runner = threading.Thread(target=batch, daemon=True)
            runner.start()
            wait_for(lambda: (gate / "reached-shili-jyj").exists(), "the gated cell")
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            runner.join(timeout=300)  # the flaw was a batch that never returns
            assert not runner.is_alive(), "the batch still waits for a worker"
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    result = outcome["result"]
    assert result.exit_code == 1
    assert {e.agency_id: e.status for e in result.entries} == {
        "shili-jyj": "failed",
        "zezhou-xzsp": "failed",
    }
    assert all("no worker left" in e.reason for e in result.entries)
    assert [s.status for s in result.summaries] == ["failed"]
    err = capsys.readouterr().err
    said = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(said) == 1 and said[0].startswith(f"error: no Dask worker left at {address}")
    assert "Traceback" not in err
    entries = manifest_of(site)["agencies"]
    assert {e["agency_id"]: e["status"] for e in entries} == {
        "shili-jyj": "failed",
        "zezhou-xzsp": "failed",
    }
