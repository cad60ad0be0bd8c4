"""``govinfo batch``: every agency of a county rendered, plus an index, region summaries and a
manifest, incrementally and in parallel.

Reads top to bottom::

    files = discover(paths)                 # parameter files, never the output folder
    if up_to_date(manifest, files): done    # hashes only: no YAML parsed, no heavy import
    entries = validate(files)               # every file, before anything renders
    run(tasks, executor)                    # changed agencies, then each year's summary
    write manifest.json and index.html      # atomically

Why it is built this way:

* **One task, one place.** :func:`govinfo.workers.run_task` is the only function that
  renders an agency (through :func:`govinfo.pipeline.render`, papermill in a fresh kernel);
  the local process pool and a Dask cluster both call it, in long-lived workers.
* **Freeze-like cache.** Each agency's hash covers everything its page depends on: the
  parameter file, its ``previous`` file, the template notebook, govinfo's version and source,
  and the chart font. An agency is rendered again only when that hash changed, its outputs
  are gone, or its last render failed (failures may be transient: a timeout, a dead kernel).
  A year's summary has its own hash over its members and their statuses. Hashes and the
  manifest live in :mod:`govinfo.manifest`.
* **Fast when nothing changed.** Hashing reads bytes only; the manifest remembers each file's
  ``previous`` so nothing is parsed. pandas, matplotlib, papermill, nbconvert, tqdm and dask
  are imported only once something has to be rendered.
* **Dask.** ``--executor dask --scheduler ADDR`` submits the same tasks through
  ``distributed.Client(ADDR).get_executor()``. Workers write the pages themselves, so they
  must see the parameter files and OUTDIR at the same absolute paths (a shared folder) and
  have govinfo and the CJK font installed; run them with one thread each
  (``dask worker ADDR --nthreads 1``), since papermill changes the working directory.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .files import output_path, remove_stale_scratch
from .findings import ERROR, Finding, ParameterError
from .manifest import (
    FAILED,
    INVALID,
    MANIFEST,
    PUBLISHED,
    Entry,
    SummaryEntry,
    digest,
    entry_order,
    environment,
    file_sha,
    manifest_data,
    outputs_exist,
    read_manifest,
    report_hash,
    up_to_date,
    write_manifest,
)
from .site import INDEX
from .summary import STATUS_LABELS, SUMMARY_NAME

RESERVED_IDS = frozenset({SUMMARY_NAME, "index"})
CRASH_RETRIES = 1  # a task in flight when a worker process died is retried this often


class BatchError(Exception):
    """The batch cannot start (no files, unreachable scheduler …): one line for the user."""


@dataclass(frozen=True)
class Options:
    outdir: Path
    jobs: int | None = None  # default: os.cpu_count() (local) or the cluster's threads (dask)
    timeout: float | None = 600.0  # seconds per notebook cell
    force: bool = False
    allow_invalid: bool = False
    template: Path | None = None  # the report template notebook
    summary_template: Path | None = None
    executor: str = "process"  # process | dask
    scheduler: str | None = None
    progress: bool | None = None  # None: a bar when stderr is a terminal
    engine_kwargs: dict[str, Any] = field(default_factory=dict)  # → pipeline.render
    kernels: str = "fork"  # fork: kernels forked from a preloaded server (local pool only)


@dataclass
class BatchResult:
    entries: list[Entry]
    summaries: list[SummaryEntry]
    manifest: Path
    index: Path
    seconds: float
    up_to_date: bool = False

    @property
    def exit_code(self) -> int:
        good = all(e.ok for e in self.entries) and all(
            s.status == PUBLISHED for s in self.summaries
        )
        return 0 if good else 1


# --------------------------------------------------------------------------- discovery


def discover(paths: Iterable[str | Path], outdir: Path) -> list[Path]:
    """Parameter files under ``paths`` (as ``govinfo validate`` finds them), outside OUTDIR."""
    from .cli import find_parameter_files

    root = outdir.resolve()
    return [p for p in find_parameter_files(paths) if root not in p.resolve().parents]


# --------------------------------------------------------------------------- validation


def _first_error(findings: Sequence[Finding]) -> str:
    errors = [f for f in findings if f.is_error]
    if not errors:
        return ""
    first = errors[0]
    more = f"（共 {len(errors)} 项错误）" if len(errors) > 1 else ""
    return f"{first.rule} {first.where}: {first.zh}{more}"


def validate(files: Sequence[Path], shas: dict[str, str | None], options: Options) -> list[Entry]:
    """Load and check every file (continuity across years included) before any rendering."""
    from .cli import check_all, load_all
    from .params import read_mapping

    reports, problems = load_all(files)
    results = check_all(reports)
    entries: list[Entry] = []
    for path in files:
        source = str(path.resolve())
        entry = Entry(file=str(path), source=source, file_sha=shas[source] or "")
        if path in problems:
            entry.reason = str(problems[path])
            entry.errors, entry.summable = 1, False
            try:  # still show year and name in the index when the mapping can be read
                raw = read_mapping(path)
                year = raw.get("year")
                entry.year = year if isinstance(year, int) and 1900 <= year <= 2999 else None
                entry.agency = str(raw.get("agency") or "")
                entry.agency_id = str(raw.get("agency_id") or "")
                entry.region = str(raw.get("region") or "")
            except ParameterError:
                pass
            entries.append(entry)
            continue
        report = reports[path]
        findings = results[path]
        entry.year, entry.agency_id, entry.agency = (
            report.year or None,
            report.agency_id,
            report.agency,
        )
        entry.region, entry.kind, entry.scope = report.region, report.kind, report.scope
        if report.previous_path:
            entry.previous = str((path.parent / report.previous_path).resolve())
            entry.previous_sha = shas.get(entry.previous) or file_sha(entry.previous)
        if report.agency_id in RESERVED_IDS:
            findings = [*findings, _id_finding(report.agency_id, str(path), None)]
        entry.findings = [f.to_dict() for f in findings]
        entry.errors = sum(f.is_error for f in findings)
        entry.warnings = len(findings) - entry.errors
        entry.reason = _first_error(findings)
        entries.append(entry)
    _mark_duplicates(entries)
    return entries


def _id_finding(agency_id: str, file: str, other: str | None) -> Finding:
    if other is None:
        zh = f"agency_id {agency_id!r} 为汇总页保留，不能用作机关代码"
        en = f"agency_id {agency_id!r} is reserved for the year's summary page"
    else:
        zh = f"与 {other} 的年度和 agency_id 相同，输出文件会互相覆盖"
        en = f"same year and agency_id as {other}: their pages would overwrite each other"
    return Finding(
        "DUPLICATE" if other else "AGENCY-ID", ERROR, "agency_id", None, None, zh, en, file
    )


def _mark_duplicates(entries: list[Entry]) -> None:
    """Two files with the same (year, agency_id) are both errors, each naming the other."""
    groups: dict[tuple[int, str], list[Entry]] = {}
    for e in entries:
        if e.year and e.agency_id and e.file_sha and e.summable:
            groups.setdefault((e.year, e.agency_id), []).append(e)
    for same in groups.values():
        if len(same) < 2:
            continue
        for e in same:
            others = ", ".join(o.file for o in same if o is not e)
            finding = _id_finding(e.agency_id, e.file, others)
            e.findings.append(finding.to_dict())
            e.errors += 1
            e.summable = False
            e.reason = f"DUPLICATE: {e.year}/{e.agency_id} also in {others}"


def _timestamp() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _relative(outdir: Path, path: str) -> str:
    return Path(path).resolve().relative_to(outdir.resolve()).as_posix()


class Runner:
    """Submits tasks, keeps the pool busy, records results, schedules summaries per year."""

    def __init__(
        self,
        options: Options,
        entries: list[Entry],
        old_summaries: dict[int, SummaryEntry],
        env: dict[str, Any],
    ) -> None:
        self.options = options
        self.outdir = options.outdir
        self.entries = entries
        self.by_key = {e.source: e for e in entries}
        self.old_summaries = old_summaries
        self.env = env
        self.summaries: dict[int, SummaryEntry] = {}
        self.years = sorted({e.year for e in entries if e.year})
        self.queue: deque[dict[str, Any]] = deque()
        self.pending: dict[int, int] = dict.fromkeys(self.years, 0)
        self.crashes: dict[str, int] = {}
        self.done = self.failed = 0
        self.bar: Any = None
        self.last_save = time.monotonic()

    # -- planning

    def plan_reports(self, old: dict[str, Entry]) -> None:
        for e in self.entries:
            e.hash = report_hash(e, self.env, self.options.allow_invalid)
            wants_page = e.summable and e.year and (not e.errors or self.options.allow_invalid)
            if not wants_page:
                e.status, e.run = INVALID, "skipped"
                continue
            before = old.get(e.source)
            if (
                self.options.force
                or before is None
                or before.hash != e.hash
                or before.status == FAILED
                or not outputs_exist(self.outdir, before.html, before.notebook)
            ):
                self.queue.append(self._report_task(e))
                self.pending[e.year] += 1
                # Until its result arrives it counts as failed, so an interrupted run
                # leaves a manifest that the next run does not mistake for up to date.
                e.status, e.run = FAILED, "queued"
            else:
                e.status = PUBLISHED if not e.errors else INVALID
                e.html, e.notebook = before.html, before.notebook
                e.seconds, e.rendered_at = before.seconds, before.rendered_at
                e.run = "unchanged"
        # Earlier years first: their summaries can run while later years render.
        self.queue = deque(sorted(self.queue, key=lambda t: (t["year"], t["file"])))

    def _report_task(self, e: Entry) -> dict[str, Any]:
        o = self.options
        return {
            "kind": "report",
            "key": e.source,
            "year": e.year,
            "agency_id": e.agency_id,
            "file": e.source,
            "outdir": str(self.outdir.resolve()),
            "allow_invalid": o.allow_invalid,
            "template": str(o.template) if o.template else None,
            "timeout": o.timeout,
            "engine_kwargs": o.engine_kwargs,
        }

    def members(self, year: int, *, brief: bool = False) -> list[dict[str, Any]]:
        """The summary notebook's view of a year's files (see summary.Member). ``brief``:
        identity only, for last year's files (their renders may still be running)."""
        if brief:
            keys = ("file", "agency", "agency_id", "region", "scope")
            return [{k: m[k] for k in keys} for m in self.members(year)]
        return [
            {
                "file": e.source,
                "agency": e.agency,
                "agency_id": e.agency_id,
                "region": e.region,
                "kind": e.kind,
                "scope": e.scope,
                "status": e.status,
                "reason": e.reason,
                "html": Path(e.html).name if e.html else None,
                "summable": e.summable,
            }
            for e in self.entries
            if e.year == year
        ]

    def summary_task(self, year: int) -> dict[str, Any] | None:
        """The year's summary task, or None when its last page is still current."""
        agencies = self.members(year)
        previous = self.members(year - 1, brief=True) if year - 1 in self.pending else None
        shas = sorted(e.file_sha for e in self.entries if e.year == year)
        env = {k: self.env[k] for k in ("govinfo", "library", "font", "summary_template")}
        key = digest({"agencies": agencies, "previous": previous, "shas": shas, "env": env})
        before = self.old_summaries.get(year)
        if (
            not self.options.force
            and before is not None
            and before.hash == key
            and before.status == PUBLISHED
            and outputs_exist(self.outdir, before.html, before.notebook)
        ):
            before.run = "unchanged"
            self.summaries[year] = before
            return None
        regions = sorted({a["region"] for a in agencies})
        self.summaries[year] = SummaryEntry(year, hash=key, regions=regions, run="queued")
        o = self.options
        return {
            "kind": "summary",
            "key": f"summary:{year}",
            "year": year,
            "agencies": agencies,
            "previous_agencies": previous,
            "outdir": str(self.outdir.resolve()),
            "template": str(o.summary_template) if o.summary_template else None,
            "timeout": o.timeout,
            "engine_kwargs": o.engine_kwargs,
        }

    # -- running

    def _year_finished(self, year: int) -> None:
        task = self.summary_task(year)
        if task is not None:
            self.queue.append(task)
        elif self.bar is not None:
            self.bar.total -= 1
            self._counts()
            self.bar.refresh()

    def run(self, save: Callable[[], None]) -> None:
        for year in self.years:
            if not self.pending[year]:
                self._year_finished(year)
        if not self.queue:
            return
        import concurrent.futures.process as cfp

        from .workers import make_executor, run_task, start_fork_server

        total = len(self.queue) + sum(1 for y in self.years if self.pending[y])
        self.bar = _progress_bar(total, self.options.progress)
        server = start_fork_server(self.options)
        executor, capacity, close = make_executor(self.options, total)
        in_flight: dict[Future[dict[str, Any]], dict[str, Any]] = {}
        try:
            while self.queue or in_flight:
                while self.queue and len(in_flight) < capacity:
                    task = self.queue.popleft()
                    in_flight[executor.submit(run_task, task)] = task
                finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in finished:
                    task = in_flight.pop(future)
                    try:
                        result = future.result()
                    except cfp.BrokenProcessPool:
                        self._crashed([task, *in_flight.values()])
                        in_flight.clear()
                        close()
                        executor, capacity, close = make_executor(self.options, total)
                        break
                    except Exception as exc:  # a Dask worker lost for good, a cancelled task …
                        result = {"key": task["key"], "ok": False, "reason": f"{exc!r}"}
                    self._record(task, result)
                if time.monotonic() - self.last_save > 2:
                    try:
                        save()
                    except OSError as exc:  # e.g. disk full: keep rendering, the end retries
                        print(f"warning: manifest not saved: {exc}", file=sys.stderr)
                    self.last_save = time.monotonic()
        finally:
            close()
            if server is not None:
                server.stop()
            if self.bar is not None:
                self.bar.close()

    def _crashed(self, tasks: list[dict[str, Any]]) -> None:
        """A worker process died (killed, out of memory): every task in flight is lost.
        Retry each once in a fresh pool; a task lost twice is the likely culprit."""
        for lost in tasks:
            self.crashes[lost["key"]] = self.crashes.get(lost["key"], 0) + 1
            if self.crashes[lost["key"]] > CRASH_RETRIES:
                reason = "the worker process died while rendering (killed or out of memory?)"
                self._record(lost, {"key": lost["key"], "ok": False, "reason": reason})
            else:
                self.queue.appendleft(lost)

    def _record(self, task: dict[str, Any], result: dict[str, Any]) -> None:
        ok = result["ok"]
        if task["kind"] == "report":
            e = self.by_key[task["key"]]
            target: Entry | SummaryEntry = e
            e.status = (PUBLISHED if not e.errors else INVALID) if ok else FAILED
        else:
            target = self.summaries[task["year"]]
            target.status = PUBLISHED if ok else FAILED
        target.run = "rendered" if ok else "failed"
        target.seconds = result.get("seconds")
        target.rendered_at = _timestamp()
        if ok:
            target.html = _relative(self.outdir, result["html"])
            target.notebook = _relative(self.outdir, result["notebook"])
            if task["kind"] == "summary":
                target.reason = ""
        else:
            target.html = None
            try:  # the id may be the reason it failed: never look outside OUTDIR with it
                failed = output_path(self.outdir, task["year"], _stem(task), ".failed.ipynb")
            except ValueError:
                failed = None
            found = failed is not None and failed.is_file()
            target.notebook = _relative(self.outdir, str(failed)) if found else None
            target.reason = result["reason"]
        self.done += ok
        self.failed += not ok
        self._log(target, ok)
        if task["kind"] == "report":
            self.pending[task["year"]] -= 1
            if not self.pending[task["year"]]:
                self._year_finished(task["year"])

    def _counts(self) -> None:
        """The bar's counts, drawn with its next refresh: drawn at once they would show
        beside the old position for a moment ("0/27 … done 1")."""
        left = self.bar.total - self.done - self.failed
        postfix = f"done {self.done} · failed {self.failed} · left {left}"
        self.bar.set_postfix_str(postfix, refresh=False)

    def _log(self, target: Entry | SummaryEntry, ok: bool) -> None:
        seconds = f" ({target.seconds:.1f} s)" if target.seconds else ""
        if ok:
            line = f"rendered {target.label}{seconds}"
        else:
            line = f"FAILED {target.label}: {target.reason}"
        if self.bar is not None:
            self._counts()
            self.bar.update(1)
            self.bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr)


def _stem(task: dict[str, Any]) -> str:
    return SUMMARY_NAME if task["kind"] == "summary" else task["agency_id"]


def _progress_bar(total: int, enabled: bool | None) -> Any:
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread
    return tqdm(
        total=total,
        desc="govinfo batch",
        unit="page",
        file=sys.stderr,
        disable=None if enabled is None else not enabled,
        bar_format="{desc}: {bar:20} {n_fmt}/{total_fmt} [{elapsed}<{remaining}]{postfix}",
        dynamic_ncols=True,
    )


# --------------------------------------------------------------------------- the batch


def run_batch(paths: Sequence[str | Path], options: Options) -> BatchResult:
    """Discover, validate, render what changed, write summaries, manifest and index."""
    started = time.perf_counter()
    outdir = options.outdir
    files = discover(paths, outdir)
    if not files:
        raise BatchError(f"no parameter files found in {' '.join(map(str, paths))}")
    for template in (options.template, options.summary_template):
        if template and not Path(template).is_file():
            raise BatchError(f"template notebook not found: {template}")
    shas = {str(p.resolve()): file_sha(p) for p in files}
    env = {
        **environment(options.template, options.summary_template),
        "allow_invalid": str(options.allow_invalid),
    }
    manifest = read_manifest(outdir)
    current = None if options.force else up_to_date(manifest, outdir, files, shas, env)
    if current is not None:
        entries, summaries = current
        return BatchResult(
            entries,
            summaries,
            outdir / MANIFEST,
            outdir / INDEX,
            time.perf_counter() - started,
            True,
        )

    entries = validate(files, shas, options)
    for e in entries:
        if e.errors and (not options.allow_invalid or not e.summable):
            print(f"invalid {e.file}: {e.reason}", file=sys.stderr)
    old = {e["source"]: Entry.from_json(e) for e in manifest.get("agencies", [])}
    old_summaries = {s["year"]: SummaryEntry.from_json(s) for s in manifest.get("summaries", [])}
    outdir.mkdir(parents=True, exist_ok=True)
    folders = [outdir, *(d for d in outdir.iterdir() if d.is_dir() and d.name.isdigit())]
    stale = [path for folder in folders for path in remove_stale_scratch(folder)]
    if stale:
        print(f"removed {len(stale)} scratch file(s) left by an interrupted run", file=sys.stderr)
    runner = Runner(options, entries, old_summaries, env)
    runner.plan_reports(old)

    def save() -> None:
        summaries = {**old_summaries, **runner.summaries}
        write_manifest(outdir, manifest_data(outdir, env, entries, list(summaries.values())))

    try:
        runner.run(save)
    finally:
        years = set(runner.years)
        summaries = [s for y, s in {**old_summaries, **runner.summaries}.items() if y in years]
        data = manifest_data(outdir, env, entries, summaries)
        if data != manifest:
            write_manifest(outdir, data)
    index = outdir / INDEX
    if data != manifest or not index.is_file():
        from .site import write_index

        write_index(outdir, data)
    return BatchResult(entries, summaries, outdir / MANIFEST, index, time.perf_counter() - started)


# --------------------------------------------------------------------------- reporting


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def summary_table(result: BatchResult) -> str:
    """The end-of-run table: one line per agency and per summary, then the counts."""
    rows = [("year", "agency_id", "agency", "status", "err", "warn", "seconds", "this run", "note")]
    for e in sorted(result.entries, key=entry_order):
        rows.append(
            (
                str(e.year or "?"),
                e.agency_id or "?",
                e.agency or e.file,
                e.status,
                str(e.errors),
                str(e.warnings),
                f"{e.seconds:.1f}" if e.seconds else "",
                e.run,
                e.reason if e.status != PUBLISHED else "",
            )
        )
    for s in result.summaries:
        seconds = f"{s.seconds:.1f}" if s.seconds else ""
        rows.append((str(s.year), SUMMARY_NAME, "", s.status, "", "", seconds, s.run, s.reason))
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = [
        "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in rows
    ]
    counts = {s: sum(e.status == s for e in result.entries) for s in STATUS_LABELS}
    rendered = sum(x.run == "rendered" for x in (*result.entries, *result.summaries))
    state = "up to date, nothing rendered" if result.up_to_date else f"{rendered} page(s) rendered"
    lines.append(
        f"{len(result.entries)} file(s): "
        + ", ".join(f"{n} {s}" for s, n in counts.items())
        + f"; {state} in {result.seconds:.2f} s; index: {result.index}"
    )
    return "\n".join(line.rstrip() for line in lines)
