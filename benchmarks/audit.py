"""Speed of ``govinfo audit`` (issue 19): N generated agencies audited, in seconds.

Generates N departments per year with ``govinfo.examples`` (twelve to a county, each county
with its government report, both example years: N=1000 gives 2,168 reports), writes them as
parameter files, then runs ``govinfo audit DIR -o OUT`` in a process of its own (reading
every file, today's rules, the audit's checks, the MinHash LSH index, the pages, the
workbook, the CSV and the JSON) and prints the wall time. Target: under 60 s on 2 cores.

    python benchmarks/audit.py            # N=1000
    python benchmarks/audit.py -n 120
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="departments per year (default 1000)")
    parser.add_argument("--pack", default="national")
    args = parser.parse_args()
    from govinfo.examples import example_reports, write_reports

    with tempfile.TemporaryDirectory(prefix="govinfo-audit-bench-") as tmp:
        params, out = Path(tmp) / "params", Path(tmp) / "audit"
        start = time.perf_counter()
        files = write_reports(example_reports(args.n), params)
        generated = time.perf_counter() - start
        command = [
            sys.executable,
            "-m",
            "govinfo",
            "audit",
            str(params),
            "-o",
            str(out),
            "--pack",
            args.pack,
            "--no-progress",
        ]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if done.returncode not in (0, 1):
            print(done.stderr, file=sys.stderr)
            return 1
        data = json.loads((out / "audit.json").read_text("utf-8"))
        problems: dict[str, int] = {}
        for report in data["reports"]:
            for p in report["problems"]:
                problems[p["rule"]] = problems.get(p["rule"], 0) + 1
        print(f"generated {len(files)} parameter files for N={args.n} in {generated:.1f} s")
        print(
            f"govinfo audit: {len(data['reports'])} reports in {seconds:.1f} s "
            f"({seconds / len(data['reports']) * 1000:.1f} ms/report), exit {done.returncode}"
        )
        print("problems by rule:", dict(sorted(problems.items(), key=lambda kv: -kv[1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
