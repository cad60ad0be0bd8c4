"""``govinfo import`` speed over a folder of reports, one process against several (issue 18).

Generates a folder of N published reports: the bundled examples' pages built in-process
(:func:`govinfo.publish.document.standalone_html`, no kernel), each written under many file
names so that every copy gets its own agency_id (``bench-0042-2021.html``), and, one file
in 40, one of the three real PDFs of ``shared/real-reports`` when they are there. Then runs
the real command, ``govinfo import FOLDER -o OUT -j J``, for each J given, one after the
other in each repeat on fresh output folders (so a busy machine slows them alike), and
prints files per second side by side with the median of the repeats, and the CPU time of
each run (the command and its workers): on a machine shared with other work the wall
time says little, the CPU time per file does. The figures include starting Python and the
pool; the load average during the runs is printed with them.

    python benchmarks/import.py                 # N=1000, -j 1 and -j 2
    python benchmarks/import.py -n 200 --repeat 3 --jobs 1 2 4
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL_PDFS = ROOT.parent / "shared" / "real-reports"
PDF_EVERY = 40  # one file in 40 is a PDF (when the real PDFs are there)


def pages() -> list[tuple[str, int]]:
    """(page, year) of every bundled example, built without a kernel."""
    from govinfo.params import load
    from govinfo.publish.document import standalone_html

    out = []
    for path in sorted((ROOT / "parameters").rglob("*.yaml")):
        report = load(path)
        out.append((standalone_html(report), report.year))
    return out


def generate(n: int, folder: Path) -> dict[str, int]:
    """N report files in ``folder``; how many of each suffix."""
    folder.mkdir(parents=True, exist_ok=True)
    built = pages()
    pdfs = sorted(REAL_PDFS.glob("*.pdf")) if REAL_PDFS.is_dir() else []
    counts: dict[str, int] = {}
    for i in range(n):
        if pdfs and i % PDF_EVERY == PDF_EVERY - 1:
            source = pdfs[(i // PDF_EVERY) % len(pdfs)]
            year = next(int(p) for p in source.stem.split("-") if p.isdigit())
            shutil.copyfile(source, folder / f"bench-{i:04d}-{year}.pdf")
            counts[".pdf"] = counts.get(".pdf", 0) + 1
            continue
        page, year = built[i % len(built)]
        (folder / f"bench-{i:04d}-{year}.html").write_text(page, "utf-8")
        counts[".html"] = counts.get(".html", 0) + 1
    return counts


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(folder: Path, out: Path, jobs: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its workers) for ``govinfo import
    FOLDER -o OUT -j JOBS`` (exit 0 or 1 expected)."""
    cpu = _cpu()
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "govinfo", "import", str(folder), "-o", str(out), "-j", str(jobs)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    if proc.returncode not in (0, 1):
        sys.exit(f"govinfo import -j {jobs} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    print(f"  -j {jobs}: {proc.stderr.strip().splitlines()[-1]}")
    return seconds, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="reports in the folder")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="-j values")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the median")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="govinfo-import-bench-") as tmp:
        folder = Path(tmp) / "reports"
        started = time.perf_counter()
        counts = generate(args.n, folder)
        made = ", ".join(f"{n} {suffix}" for suffix, n in sorted(counts.items()))
        print(f"{args.n} reports ({made}) generated in {time.perf_counter() - started:.1f} s")
        times: dict[int, list[tuple[float, float]]] = {j: [] for j in args.jobs}
        loads = []
        for r in range(args.repeat):
            for j in args.jobs:
                out = Path(tmp) / f"out-{r}-{j}"
                times[j].append(run(folder, out, j))
                loads.append(os.getloadavg()[0])
        print(
            f"\ncores: {os.cpu_count()}, "
            f"load average during the runs: {min(loads):.1f}–{max(loads):.1f}"
        )
        print(
            f"{'':8}{'seconds':>10}{'files/s':>10}{'speed-up':>10}{'CPU s':>10}{'ms CPU/file':>13}"
        )
        base = statistics.median(t for t, _ in times[args.jobs[0]])
        for j in args.jobs:
            seconds = statistics.median(t for t, _ in times[j])
            cpu = statistics.median(c for _, c in times[j])
            print(
                f"-j {j:<5}{seconds:>10.1f}{args.n / seconds:>10.1f}{base / seconds:>9.2f}x"
                f"{cpu:>10.1f}{1000 * cpu / args.n:>13.1f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
