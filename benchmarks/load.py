"""Load: one `govinfo batch` over N generated agencies (issue 8), with bounded memory and a
progress bar that stays accurate; with ``--province``, a synthetic province (issue 20) and its
rebuilds. A script, not a test: it takes a long time at N=1000 (an hour at 20,000).

Generates N departments for 2021 with ``govinfo.examples`` (twelve to a county, plus each
county's government report, so N=1000 gives 1,084 reports and one summary), runs
``govinfo batch DIR -o OUT --progress`` in a process of its own, samples the RSS of its whole
process tree (batch, workers, fork server, kernels) every 0.1 s, and at the end checks the
progress bar's last state against the manifest: every page counted once, done + failed =
total, nothing left.

    python benchmarks/load.py               # N=1000
    python benchmarks/load.py -n 60 -j 2    # smaller; per-page figures extrapolate linearly

``--province`` generates about N reports (default 20,000) with ``python -m govinfo.examples
DIR --province N``: a province, its cities and counties, departments at every level and
townships, each with its region_code, so the batch renders a page per region bottom-up.
After the full build it times two more runs: one with nothing changed (target under 3 s),
and one after one county department's file changed (target under 10 s), and lists what that
run rendered: the department's page and the pages of the regions above it, nothing else.

    python benchmarks/load.py --province            # 20,000 reports: about an hour
    python benchmarks/load.py --province -n 1000    # ~1,000 reports
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


def generate_province(n: int, folder: Path) -> int:
    """About N reports of a synthetic province (2021), written as they are made."""
    from govinfo.examples import write_province
    from govinfo.province import shape_for

    shape = shape_for(n)
    print(
        f"province: {shape.cities} cities x {shape.counties} counties, {shape.departments} "
        f"departments a region, {shape.townships} townships a county"
    )
    return len(write_province(shape, folder))


def snapshot(work: Path) -> dict[str, str]:
    """A copy of govinfo for the batches to run from (PYTHONPATH): the pages' cache key
    covers govinfo's source, so an edit made in the working tree while the benchmark runs
    (other work in the same tree) would otherwise make the rebuilds render everything."""
    import os

    import govinfo

    source = Path(govinfo.__file__).parent
    shutil.copytree(source, work / "src" / "govinfo", ignore=shutil.ignore_patterns("__pycache__"))
    path = os.pathsep.join(filter(None, [str(work / "src"), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    # Run from the work folder: ``python -m`` puts the working folder first on sys.path.
    where = subprocess.run(
        [sys.executable, "-c", "import govinfo; print(govinfo.__file__)"],
        capture_output=True, text=True, env=env, cwd=work, check=True,
    ).stdout.strip()  # fmt: skip
    assert where.startswith(str(work / "src")), where
    return env


ENV: dict[str, str] | None = None  # the batches' environment (snapshot)


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
        proc = subprocess.Popen(
            command, stdout=handle, stderr=subprocess.STDOUT, env=ENV, cwd=params.parent
        )
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
    summaries = [*data["summaries"], *data.get("regions", [])]
    pages = len(data["agencies"]) + len(summaries)
    rendered = sum(e["status"] == "published" for e in data["agencies"])
    rendered += sum(s["status"] == "published" for s in summaries)
    ok = steady and rising and n == total == pages and left == 0 and done == rendered
    return ok, (
        f"{len(counts)} states, each n = done + failed = total - left: {steady}; "
        f"last: {n}/{total}, done {done}, failed {failed}, left {left}; "
        f"manifest: {pages} pages, {rendered} published"
    )


def rebuild(params: Path, site: Path, jobs: int | None) -> tuple[float, list[str], int]:
    """Run the batch again: (seconds, the pages this run rendered, exit code)."""
    command = [sys.executable, "-m", "govinfo", "batch", str(params), "-o", str(site)]
    command += ["--no-progress", *(["-j", str(jobs)] if jobs else [])]
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=ENV, cwd=params.parent)
    seconds = time.perf_counter() - started
    rendered = [
        f"{fields[0]}/{fields[1]}"
        for fields in (line.split() for line in proc.stdout.splitlines())
        if len(fields) > 3 and re.fullmatch(r"20\d\d", fields[0]) and "rendered" in fields
    ]
    return seconds, rendered, proc.returncode


def touch_one(params: Path) -> Path:
    """Change one county's government office's file the way a correction does (its 六): its
    page and the pages of its county, city and province must render again, nothing else."""
    path = next(p for p in sorted(params.glob("2021/sl*-zfb.yaml")) if p.name[6:8] != "00")
    text = path.read_text("utf-8")
    marker = "other: "
    assert marker in text, path
    path.write_text(text.replace(marker, marker + "（更正）", 1), "utf-8")
    return path


def province_rebuilds(params: Path, site: Path, jobs: int | None) -> None:
    seconds, rendered, code = rebuild(params, site, jobs)
    print(f"no-change rebuild: {seconds:.2f} s (exit {code}), rendered: {rendered or 'nothing'}")
    changed = touch_one(params)
    seconds, rendered, code = rebuild(params, site, jobs)
    print(f"one-change rebuild ({changed.name}): {seconds:.2f} s (exit {code})")
    print(f"  rendered {len(rendered)} page(s): {', '.join(rendered)}")


# --------------------------------------------------------------------------- skeleton

HEAD = re.compile(r"^(agency|agency_id|region|region_code|kind|scope|year): ?'?([^'\n]*)'?$", re.M)


def build_skeleton(params: Path, site: Path) -> None:
    """A site as a full batch over ``params`` leaves it, but with placeholder pages: the
    manifest (hashes, statuses, region pages, the year summary) is the batch's own, computed
    by its own code (run under the snapshot), so the batch takes it as up to date. It times
    the rebuilds at 20,000 without the hour of rendering; the one-change run renders real
    pages (the changed agency's and its regions', reading the placeholders' sums as zero)."""
    from govinfo.batch.manifest import (
        Entry,
        environment,
        file_shas,
        manifest_data,
        record_outputs,
        report_hash,
        write_manifest,
    )
    from govinfo.batch.options import Options
    from govinfo.batch.plan import discover, source
    from govinfo.batch.runner import Runner
    from govinfo.params import to_mapping
    from govinfo.publish.hierarchy import dumps, file_name
    from govinfo.publish.region import sum_reports
    from govinfo.publish.site import write_index
    from govinfo.status import PUBLISHED

    env = {**environment(), "allow_invalid": "False"}
    files = discover([params], site)
    sources = [source(p) for p in files]
    shas, stats = file_shas(files, sources, {})

    def placeholder(year: int, *names: str) -> list[str]:
        folder = site / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            (folder / name).write_text(f"placeholder {name}\n", "utf-8")
        return [f"{year}/{name}" for name in names]

    entries = []
    for path, key in zip(files, sources, strict=True):
        head = dict(HEAD.findall(path.read_text("utf-8")[:2000]))
        e = Entry(file=str(path), source=key, file_sha=shas[key] or "", file_stat=stats.get(key))
        e.year, e.agency_id, e.agency = int(head["year"]), head["agency_id"], head["agency"]
        e.region, e.region_code = head["region"], head.get("region_code", "")
        e.kind, e.scope = head.get("kind", "department"), head.get("scope", "agency")
        e.hash = report_hash(e, env, False)
        e.status = PUBLISHED
        e.html, e.notebook = placeholder(e.year, f"{e.agency_id}.html", f"{e.agency_id}.ipynb")
        e.outputs = record_outputs(site, e.html, e.notebook)
        entries.append(e)
    runner = Runner(Options(outdir=site), entries, {}, env)
    for year in runner.years:
        coded = runner.members(year, coded=True)
        year_shas = {e.source: e.file_sha for e in entries if e.year == year and e.region_code}
        runner.hierarchy.plan(year, coded, None, year_shas)
        runner.summary_task(year)
    empty = to_mapping(sum_reports([], year=runner.years[0], region=""))
    for r in runner.hierarchy.entries.values():
        r.html, r.notebook, data = placeholder(
            r.year, *(file_name(r.code, kind) for kind in ("html", "ipynb", "json"))
        )
        zero = {"year": r.year, "code": r.code, "total": empty, "counted": 0}
        (site / data).write_text(dumps(zero), "utf-8")
        r.documents = {"json": data}
        r.status, r.run = PUBLISHED, ""
        r.outputs = record_outputs(site, r.html, r.notebook, data)
    for s in runner.summaries.values():
        s.html, s.notebook = placeholder(s.year, "summary.html", "summary.ipynb")
        s.status, s.run = PUBLISHED, ""
        s.outputs = record_outputs(site, s.html, s.notebook)
    regions = list(runner.hierarchy.entries.values())
    data = manifest_data(site, env, entries, list(runner.summaries.values()), regions)
    write_manifest(site, data)
    write_index(site, data)


def skeleton_rebuilds(n: int, work: Path, jobs: int | None) -> None:
    params, site = work / "params", work / "site"
    started = time.perf_counter()
    command = [sys.executable, str(Path(__file__).resolve()), "--build-skeleton"]
    subprocess.run([*command, str(params), str(site)], env=ENV, cwd=work, check=True)
    print(f"skeleton site (placeholder pages) written in {time.perf_counter() - started:.0f} s")
    province_rebuilds(params, site, jobs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-n", type=int, help="departments (default 1000; --province: reports, 20000)"
    )
    parser.add_argument("-j", "--jobs", type=int, help="parallel renders (default: cores)")
    parser.add_argument("--province", action="store_true", help="a synthetic province (issue 20)")
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    parser.add_argument(
        "--skeleton",
        action="store_true",
        help="with --province: no full build; time the rebuilds of a site whose pages are "
        "placeholders (its manifest the batch's own)",
    )
    parser.add_argument(
        "--build-skeleton", nargs=2, metavar=("PARAMS", "SITE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.build_skeleton:
        build_skeleton(*map(Path, args.build_skeleton))
        return
    n = args.n or (20_000 if args.province else 1000)
    work = Path(tempfile.mkdtemp(prefix="govinfo-load-"))
    global ENV
    ENV = snapshot(work)
    try:
        started = time.perf_counter()
        if args.province:
            files = generate_province(n, work / "params")
        else:
            files = generate(n, work / "params")
        print(f"generated {files} files in {time.perf_counter() - started:.0f} s")
        if args.province and args.skeleton:
            skeleton_rebuilds(n, work, args.jobs)
            return
        figures = run_batch(work / "params", work / "site", args.jobs, work / "batch.log")
        ok, progress = check_progress(work / "batch.log", work / "site")
        data = json.loads((work / "site" / "manifest.json").read_text("utf-8"))
        summaries = len(data["summaries"]) + len(data.get("regions", []))
        pages = files + summaries
        per_page = figures["seconds"] / pages
        what = f"{n} reports asked" if args.province else f"{n} departments"
        print(f"agencies: {what} -> {files} reports + {summaries} summaries = {pages} pages")
        print(f"exit code: {figures['exit']:.0f}")
        print(f"wall time: {figures['seconds']:.0f} s ({per_page:.2f} s/page)")
        print(f"peak RSS, whole process tree: {figures['peak_tree_mb']:.0f} MB")
        print(f"peak RSS, largest process: {figures['peak_one_mb']:.0f} MB")
        print(f"peak processes in the tree: {figures['processes']:.0f}")
        print(f"progress bar: {'accurate' if ok else 'WRONG'} ({progress})")
        if args.province:
            province_rebuilds(work / "params", work / "site", args.jobs)
        elif n != 1000:
            estimate = per_page * (1000 + -(-1000 // 12) + 1) / 60
            print(f"extrapolated to 1000 departments (1,085 pages): ~{estimate:.0f} min")
        if args.keep:
            print(f"kept: {work}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
