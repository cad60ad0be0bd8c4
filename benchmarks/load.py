"""Load: one `govinfo batch` over N generated agencies (issue 8), with bounded memory and a
progress bar that stays accurate. A script, not a test: it takes a long time at N=1000.

Generates N departments for 2021 with ``govinfo.examples`` (twelve to a county, plus each
county's government report, so N=1000 gives 1,084 reports and one summary), runs
``govinfo batch DIR -o OUT --progress`` in a process of its own, samples the RSS of its whole
process tree (batch, workers, fork server, kernels) every 0.1 s, and at the end checks the
progress bar's last state against the manifest: every page counted once, done + failed =
total, nothing left.

    python benchmarks/load.py               # N=1000
    python benchmarks/load.py -n 60 -j 2    # smaller; per-page figures extrapolate linearly
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The bar's line: "govinfo batch: ████ 27/27 [00:41<00:00], done 27 · failed 0 · left 0"
BAR = re.compile(r"(\d+)/(\d+) \[[^\]]*\],? ?done (\d+) · failed (\d+) · left (-?\d+)")


def generate(n: int, folder: Path) -> int:
    """N departments' 2021 reports and their counties' government reports."""
    from govinfo.examples import example_reports, write_reports

    reports = [r for r in example_reports(n) if r.year == 2021]
    return len(write_reports(reports, folder))


def run_batch(params: Path, site: Path, jobs: int | None, log: Path) -> dict[str, float]:
    """Run the batch; returns wall time, peak RSS of the tree and of one process, peak
    process count."""
    import psutil

    command = [sys.executable, "-m", "govinfo", "batch", str(params), "-o", str(site)]
    command += ["--progress", *(["-j", str(jobs)] if jobs else [])]
    started = time.perf_counter()
    peak_tree = peak_one = peak_count = 0
    peaks: dict[str, int] = {}  # by role: batch, worker, kernel (fork server and its kernels)
    with log.open("w") as handle:
        proc = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT)
        root = psutil.Process(proc.pid)
        while proc.poll() is None:
            sizes = []
            try:
                for p in [root, *root.children(recursive=True)]:
                    rss = p.memory_info().rss
                    sizes.append(rss)
                    role = _role(p, root)
                    peaks[role] = max(peaks.get(role, 0), rss)
            except psutil.Error:
                pass
            if sizes:
                peak_tree = max(peak_tree, sum(sizes))
                peak_one = max(peak_one, max(sizes))
                peak_count = max(peak_count, len(sizes))
            time.sleep(0.1)
    for role, rss in sorted(peaks.items()):
        print(f"peak RSS, one {role} process: {rss / 2**20:.0f} MB")
    return {
        "seconds": time.perf_counter() - started,
        "exit": proc.returncode,
        "peak_tree_mb": peak_tree / 2**20,
        "peak_one_mb": peak_one / 2**20,
        "processes": peak_count,
    }


def _role(process: object, root: object) -> str:
    if process is root:
        return "batch"
    line = " ".join(process.cmdline())  # type: ignore[attr-defined]
    if "govinfo.publish.forkserver" in line:
        return "kernel or fork server"
    return "worker" if "spawn_main" in line else "other"


def check_progress(log: Path, site: Path) -> tuple[bool, str]:
    """The bar's last state against the manifest."""
    text = log.read_text("utf-8", "replace").replace("\r", "\n")
    states = BAR.findall(text)
    if not states:
        return False, "no progress bar state found"
    counts = [tuple(map(int, state)) for state in states]
    steady = all(n == done + failed == total - left for n, total, done, failed, left in counts)
    rising = all(a[0] <= b[0] for a, b in itertools.pairwise(counts))
    n, total, done, failed, left = counts[-1]
    data = json.loads((site / "manifest.json").read_text("utf-8"))
    pages = len(data["agencies"]) + len(data["summaries"])
    rendered = sum(e["status"] == "published" for e in data["agencies"])
    rendered += sum(s["status"] == "published" for s in data["summaries"])
    ok = steady and rising and n == total == pages and left == 0 and done == rendered
    return ok, (
        f"{len(counts)} states, each n = done + failed = total - left: {steady}; "
        f"last: {n}/{total}, done {done}, failed {failed}, left {left}; "
        f"manifest: {pages} pages, {rendered} published"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="departments (default 1000)")
    parser.add_argument("-j", "--jobs", type=int, help="parallel renders (default: cores)")
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="govinfo-load-"))
    try:
        files = generate(args.n, work / "params")
        figures = run_batch(work / "params", work / "site", args.jobs, work / "batch.log")
        ok, progress = check_progress(work / "batch.log", work / "site")
        pages = files + 1  # and the year's summary
        per_page = figures["seconds"] / pages
        print(f"agencies: {args.n} departments -> {files} reports + 1 summary = {pages} pages")
        print(f"exit code: {figures['exit']:.0f}")
        print(f"wall time: {figures['seconds']:.0f} s ({per_page:.2f} s/page)")
        print(f"peak RSS, whole process tree: {figures['peak_tree_mb']:.0f} MB")
        print(f"peak RSS, largest process: {figures['peak_one_mb']:.0f} MB")
        print(f"peak processes in the tree: {figures['processes']:.0f}")
        print(f"progress bar: {'accurate' if ok else 'WRONG'} ({progress})")
        if args.n != 1000:
            estimate = per_page * (1000 + -(-1000 // 12) + 1) / 60
            print(f"extrapolated to 1000 departments (1,085 pages): ~{estimate:.0f} min")
        if args.keep:
            print(f"kept: {work}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
