"""Dask measured (issue 20): the same batch through a Dask cluster on 127.0.0.1 and through the
local pool, with the same number of worker processes; then a worker killed mid-batch.

Starts ``dask scheduler`` and W ``dask worker --nthreads 1`` processes (each in a session of
its own, so that a kill takes its kernels too), generates N agency files from the examples
(2021), and times, alternating on fresh output folders: (L) ``govinfo batch -j W`` (the local
pool), (D) ``govinfo batch --executor dask --scheduler ADDR -j W`` (both fork each agency's
kernel from a preloaded server: the Dask workers through the batch's worker plugin,
``govinfo/batch/dask_kernels.py``) and, for scale, (P) the local pool with ``--kernels plain``.
The ratio D/L is the cost of going through Dask (target: at most 1.2).

Then the kill: a batch through Dask with a template whose gate cell holds one agency's
render (``reached`` written, with its kernel's pid) until the benchmark removes the ``hold``
file; the benchmark kills the worker that kernel descends from (its whole session, SIGKILL)
while the render is held, then opens the gate. The scheduler gives the lost task to the
surviving worker: the batch must end with exit 0, every agency published, and its pages the
same bytes as the local pool's. No timing decides anything there: the gate does.

    python benchmarks/dask.py                 # N=26 agencies, 2 workers, 2 rounds
    python benchmarks/dask.py -n 40 --rounds 3
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# This file is dask.py: its folder must not shadow the dask package (python puts it first).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

GATED = "shili3-zfb"  # the agency the gate holds (generated below for N >= 25)


def generate(n: int, folder: Path) -> list[Path]:
    from govinfo.examples import example_reports, write_reports

    reports = [r for r in example_reports(n, government=False) if r.year == 2021]
    return write_reports(reports, folder)


def start_cluster(work: Path, workers: int, procs: list[subprocess.Popen[bytes]]) -> str:
    """A scheduler and ``workers`` single-threaded workers on 127.0.0.1, each its own session
    (appended to ``procs`` as they start, so that the caller stops them whatever happens)."""
    file = work / "scheduler.json"
    log = (work / "dask.log").open("ab")
    common = {"stdout": log, "stderr": log, "start_new_session": True}
    procs.append(
        subprocess.Popen(
            ["dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(file)],
            **common,  # type: ignore[call-overload]
        )
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not file.is_file() and time.monotonic() < deadline:
        time.sleep(0.1)
    address = json.loads(file.read_text())["address"]
    for _ in range(workers):
        procs.append(start_worker(address, common))
    return address


def wait_for_workers(address: str, workers: int) -> None:
    from distributed import Client

    with Client(address, timeout="30s") as client:
        client.wait_for_workers(workers, timeout=120)


def start_worker(address: str, common: dict[str, object]) -> subprocess.Popen[bytes]:
    command = ["dask", "worker", address, "--nthreads", "1", "--no-dashboard", "--no-nanny"]
    command += ["--host", "127.0.0.1"]
    return subprocess.Popen(command, **common)  # type: ignore[call-overload]


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in reversed(procs):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def batch(params: Path, site: Path, *extra: str) -> tuple[float, int, str]:
    shutil.rmtree(site, ignore_errors=True)
    command = [sys.executable, "-m", "govinfo", "batch", str(params), "-o", str(site)]
    started = time.perf_counter()
    proc = subprocess.run([*command, "--no-progress", *extra], capture_output=True, text=True)
    return time.perf_counter() - started, proc.returncode, proc.stdout + proc.stderr


def pages(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((site / "2021").glob("*.html"))
    }


def gate_template(gate: Path, folder: Path) -> Path:
    """The report template with a cell that holds ``GATED`` while ``gate/hold`` exists and
    writes its kernel's pid on arrival (the Dask worker is an ancestor of that kernel)."""
    import nbformat

    from govinfo.publish import pipeline

    nb = nbformat.read(pipeline.DEFAULT_NOTEBOOK, as_version=4)
    setup = next(i for i, c in enumerate(nb.cells) if c.get("id") == "setup")
    cell = (
        "import os, pathlib, time\n"
        f"_gate = pathlib.Path({str(gate)!r})\n"
        f"if agency_id == {GATED!r}:\n"
        "    (_gate / 'reached.tmp').write_text(str(os.getpid()))\n"
        "    (_gate / 'reached.tmp').rename(_gate / 'reached')\n"
        "    while (_gate / 'hold').exists():\n"
        "        time.sleep(0.05)"
    )
    nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(cell, metadata={"tags": ["remove_cell"]}))
    path = folder / "gated.ipynb"
    nbformat.write(nb, path)
    return path


def kill_mid_batch(
    params: Path, work: Path, address: str, procs: list[subprocess.Popen[bytes]], jobs: int
) -> dict[str, object]:
    gate = work / "gate"
    shutil.rmtree(gate, ignore_errors=True)
    gate.mkdir()
    (gate / "hold").touch()
    template = gate_template(gate, work)
    site = work / "site-kill"
    shutil.rmtree(site, ignore_errors=True)
    command = [sys.executable, "-m", "govinfo", "batch", str(params), "-o", str(site)]
    command += ["--no-progress", "--executor", "dask", "--scheduler", address, "-j", str(jobs)]
    command += ["--template", str(template)]
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        while not (gate / "reached").is_file():
            if proc.poll() is not None:
                raise SystemExit(f"the batch ended before the gate: {proc.communicate()[0]}")
            time.sleep(0.05)
        import psutil

        kernel = psutil.Process(int((gate / "reached").read_text()))
        ancestors = {p.pid for p in kernel.parents()}  # its fork server, then the Dask worker
        victim = next(p for p in procs[1:] if p.pid in ancestors)
        worker_pid = victim.pid
        os.killpg(victim.pid, signal.SIGKILL)  # the worker and the kernels it started
        victim.wait()
        (gate / "hold").unlink()  # the re-run on the other worker goes through
        out, _ = proc.communicate()
    finally:
        if proc.poll() is None:  # this benchmark failed: do not leave the batch behind
            proc.kill()
            proc.wait()
    seconds = time.perf_counter() - started
    manifest = json.loads((site / "manifest.json").read_text("utf-8"))
    statuses = [e["status"] for e in manifest["agencies"]]
    return {
        "seconds": seconds,
        "exit": proc.returncode,
        "killed": worker_pid,
        "published": statuses.count("published"),
        "agencies": len(statuses),
        "site": site,
        "log": out,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=26, help="agencies (default 26, at least 25)")
    parser.add_argument("-w", "--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (default 2)")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    n = max(args.n, 25)
    work = Path(tempfile.mkdtemp(prefix="govinfo-dask-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        params = work / "params"
        files = generate(n, params)
        address = start_cluster(work, args.workers, procs)  # stopped in ``finally``
        wait_for_workers(address, args.workers)
        print(f"{len(files)} agencies; Dask scheduler {address}, {args.workers} workers x 1 thread")
        jobs = ["-j", str(args.workers)]
        times: dict[str, list[float]] = {"L": [], "P": [], "D": []}
        runs = {
            "L": jobs,
            "P": [*jobs, "--kernels", "plain"],
            "D": [*jobs, "--executor", "dask", "--scheduler", address],
        }
        hashes: dict[str, dict[str, str]] = {}
        for _ in range(args.rounds):
            for name, extra in runs.items():
                seconds, code, log = batch(params, work / f"site-{name}", *extra)
                if code != 0:
                    raise SystemExit(f"{name} failed (exit {code}):\n{log}")
                times[name].append(seconds)
                hashes[name] = pages(work / f"site-{name}")
                print(f"  {name}: {seconds:.1f} s")
        median = {name: statistics.median(t) for name, t in times.items()}
        same = hashes["D"] == hashes["L"] == hashes["P"]
        print(
            f"medians: local {median['L']:.1f} s, local plain kernels {median['P']:.1f} s, "
            f"dask {median['D']:.1f} s ({median['D'] / len(files):.2f} s/report)"
        )
        ratios = f"dask / local = {median['D'] / median['L']:.2f}x; "
        ratios += f"dask / local plain = {median['D'] / median['P']:.2f}x"
        print(f"{ratios}; pages identical: {same}")
        killed = kill_mid_batch(params, work, address, procs, args.workers)
        kill_pages = pages(killed["site"])  # type: ignore[arg-type]
        print(
            f"worker {killed['killed']} killed mid-render of {GATED}: exit {killed['exit']}, "
            f"{killed['published']}/{killed['agencies']} published in {killed['seconds']:.1f} s; "
            f"pages identical to the local pool's: {kill_pages == hashes['L']}"
        )
        if killed["exit"] != 0:
            print(killed["log"])
        if args.keep:
            print(f"kept: {work}")
    finally:
        stop(procs)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
