"""Batch speed, measured side by side in one run (issue 5).

Generates N agency files from the bundled examples, then times, on the same machine and
template:

  (a) the naive sequential CLI loop: ``papermill … -f agency.yaml`` then
      ``jupyter nbconvert --to html --template govinfo`` per agency;
  (b) the same loop with 2 jobs in parallel;
  (c) ``govinfo batch DIR -o OUT --force`` with default settings;
  (d) the in-process content floor: the library building the same page (tables, charts,
      the same nbconvert template) with no kernel at all.

For (c) against (d) it prints core-seconds per report two ways: over the whole run (the
batch's start-up, fork server, workers and the year summaries included), and marginal: the
difference between a run over 2N agencies and one over the first N, divided by N, which is
what each further report costs and what the in-process floor, measured after a warm-up
page, also is. (d)'s CPU time is its process's, so contention inflates neither.

and prints seconds per report for each, the ratios (a)/(c), (b)/(c), (c)/(d), and the peak
memory (RSS of the batch process tree). For (c) it also prints core-seconds per report: the
CPU time of the whole process tree (batch, workers, fork server, kernels, Chromium), sampled
every 20 ms, against (d)'s one core.

With ``--formats``, (c) is run three ways one after the other in each repeat, on fresh
output folders, so a busy machine inflates them alike: html alone, html+docx and
html+docx+pdf (issue 16's target: all three within 2x of html alone, per report).

Short runs are repeated and the median is taken.

    python benchmarks/batch.py            # N=40
    python benchmarks/batch.py -n 12 --repeat 3
    python benchmarks/batch.py -n 27 --skip-naive --formats --repeat 2
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "notebooks" / "annual_report.ipynb"


def generate(n: int, folder: Path) -> list[Path]:
    """N parameter files, cycling through the bundled examples with fresh agency ids."""
    from govinfo.params import load, save

    sources = sorted(p for p in (ROOT / "parameters").rglob("*.yaml"))
    files = []
    for i in range(n):
        report = load(sources[i % len(sources)], follow_previous=False)
        report = report.replace(
            agency_id=f"bench-{i:03d}", agency=f"示例基准单位{i:03d}", previous_path=None
        )
        files.append(save(report, folder / "params" / str(report.year) / f"bench-{i:03d}.yaml"))
    return files


def naive_one(params: Path, out: Path) -> None:
    executed = out / f"{params.stem}.ipynb"
    subprocess.run(
        ["papermill", str(TEMPLATE), str(executed), "-f", str(params), "--no-progress-bar"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["jupyter", "nbconvert", "--to", "html", "--template", "govinfo", str(executed)],
        check=True,
        capture_output=True,
    )


def naive_loop(files: list[Path], out: Path, jobs: int) -> float:
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(lambda p: naive_one(p, out), files))
    return time.perf_counter() - started


PEAK_RSS = [0]
SETTINGS = ("html", "html,docx", "html,docx,pdf")


def govinfo_batch(folder: Path, out: Path, formats: str = "html") -> tuple[float, float]:
    """Run the batch on a fresh ``out``, sampling its whole process tree (workers, fork
    server, kernels, Chromium) every 20 ms: the peak of the summed RSS goes to PEAK_RSS, and
    each process's CPU time as last seen is summed. (``getrusage(RUSAGE_CHILDREN)`` would
    miss the kernels: the fork server ignores SIGCHLD, and Linux adds the times of children
    reaped so to no one.) Returns (wall seconds, CPU seconds of the tree); the CPU figure
    misses at most the last 20 ms of each process."""
    import psutil

    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    proc = subprocess.Popen(
        ["govinfo", "batch", str(folder), "-o", str(out), "--force", "--formats", formats],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    root = psutil.Process(proc.pid)
    cpu: dict[tuple[int, float], float] = {}
    while proc.poll() is None:
        total = 0
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            tree = []
        for p in tree:
            try:
                with p.oneshot():
                    total += p.memory_info().rss
                    times = p.cpu_times()
                    cpu[(p.pid, p.create_time())] = times.user + times.system
            except psutil.Error:
                pass
        PEAK_RSS[0] = max(PEAK_RSS[0], total)
        time.sleep(0.02)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"govinfo batch failed with exit code {proc.returncode}")
    return wall, sum(cpu.values())


def content_floor(files: list[Path]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of building the pages in this process, after one page
    built to warm up (imports, fonts, the exporter): what a page costs with no kernel."""
    from govinfo.params import load
    from govinfo.publish.document import standalone_html

    standalone_html(load(files[0]))  # warm: imports, fonts, exporter
    started, cpu = time.perf_counter(), time.process_time()
    for path in files:
        standalone_html(load(path))
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=40, help="number of agencies (default 40)")
    parser.add_argument("--repeat", type=int, default=1, help="repetitions of (c) and (d)")
    parser.add_argument("--skip-naive", action="store_true", help="skip (a) and (b)")
    parser.add_argument(
        "--formats", action="store_true", help="also html+docx and html+docx+pdf for (c)"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="govinfo-bench-"))
    try:
        files = generate(args.n, work)
        params = work / "params"
        n = len(files)
        results: dict[str, float] = {}
        if not args.skip_naive:
            results["a"] = naive_loop(files, work / "naive1", 1) / n
            results["b"] = naive_loop(files, work / "naive2", 2) / n
        settings = SETTINGS if args.formats else SETTINGS[:1]
        runs: dict[str, list[tuple[float, float]]] = {setting: [] for setting in settings}
        # Twice as many agencies, the first N the same: the difference of the two runs is
        # what N more reports cost, without the batch's fixed costs (start-up, summaries).
        double = work / "double"
        generate(2 * n, double)
        doubled: list[tuple[float, float]] = []
        floors: list[tuple[float, float]] = []
        for _ in range(args.repeat):
            for setting in settings:
                runs[setting].append(govinfo_batch(params, work / "site", setting))
            doubled.append(govinfo_batch(double / "params", work / "site", "html"))
            floors.append(content_floor(files))
        walls = {s: statistics.median(w for w, _ in runs[s]) / n for s in settings}
        cores = {s: statistics.median(c for _, c in runs[s]) / n for s in settings}
        marginal = statistics.median(
            (c2 - c1) / n for (_, c1), (_, c2) in zip(runs["html"], doubled, strict=True)
        )
        results["c"] = walls["html"]
        results["d"] = statistics.median(w for w, _ in floors) / n
        floor_cpu = statistics.median(c for _, c in floors) / n
        print(f"agencies: {n}   (python {sys.version.split()[0]}, 2 cores shared)")
        names = {
            "a": "naive CLI loop, sequential",
            "b": "naive CLI loop, 2 jobs",
            "c": "govinfo batch (default)",
            "d": "in-process content floor",
        }
        for key, label in names.items():
            if key in results:
                print(f"({key}) {label:<30} {results[key]:7.3f} s/report")
        if "a" in results:
            print(f"(a)/(c) = {results['a'] / results['c']:.1f}")
            print(f"(b)/(c) = {results['b'] / results['c']:.1f}")
        print(f"(c)/(d) = {results['c'] / results['d']:.1f}")
        print(f"(d) CPU seconds per report (one core): {floor_cpu:.3f}")
        print(
            f"(c) core-seconds per report, whole run (start-up, summaries): {cores['html']:.3f}"
            f" = {cores['html'] / floor_cpu:.2f}x (d)"
        )
        print(
            f"(c) core-seconds per report, marginal ({2 * n} agencies less {n}): "
            f"{marginal:.3f} = {marginal / floor_cpu:.2f}x (d)"
        )
        if args.formats:
            print("formats, s/report (ratio to html alone), core-s/report:")
            for setting in settings:
                ratio = walls[setting] / walls["html"]
                print(f"  {setting:15} {walls[setting]:6.3f}  ({ratio:.2f}x)  {cores[setting]:.3f}")
        print(f"peak RSS of the batch process tree: {PEAK_RSS[0] / 2**20:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
