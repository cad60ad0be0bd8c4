"""Seconds per report of `govinfo batch` for html, html+docx and html+docx+pdf, side by side.

    python benchmarks/formats.py --repeat 2

Each repeat runs the three settings one after the other, alternating, on a fresh output folder
over the bundled examples (27 reports), so a busy machine inflates them alike; medians and
the ratios to html alone are printed. The issue's target: all three within 2× of html alone.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ("html", "html,docx", "html,docx,pdf")


def run(params: Path, formats: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        command = [sys.executable, "-m", "govinfo", "batch", str(params), "-o", f"{tmp}/site"]
        subprocess.run(
            [*command, "--formats", formats, "--no-progress"], check=True, capture_output=True
        )
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        params = Path(tmp) / "parameters"
        shutil.copytree(ROOT / "parameters", params)
        reports = len(list(params.rglob("*.yaml")))
        times: dict[str, list[float]] = {s: [] for s in SETTINGS}
        for _ in range(args.repeat):
            for setting in SETTINGS:
                times[setting].append(run(params, setting) / reports)
    base = statistics.median(times["html"])
    print(f"{reports} reports, medians of {args.repeat}, s/report (ratio to html alone)")
    for setting in SETTINGS:
        median = statistics.median(times[setting])
        print(f"  {setting:15} {median:6.3f}  ({median / base:.2f}×)")


if __name__ == "__main__":
    main()
