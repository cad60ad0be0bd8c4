"""``govinfo batch``: every agency of a county rendered, plus an index, region summaries and a
manifest, incrementally and in parallel.

Reads top to bottom::

    files = discover(paths)                 # parameter files, never the output folder
    if up_to_date(manifest, files): done    # hashes only: no YAML parsed, no heavy import
    entries = validate(files)               # every file, before anything renders
    run(tasks, executor)                    # changed agencies, then each year's summary
    write manifest.json and index.html      # atomically

Why it is built this way:

* **One task, one place.** :func:`govinfo.batch.workers.run_task` is the only function that
  renders an agency (through :func:`govinfo.publish.pipeline.render`, papermill in a fresh kernel);
  the local process pool and a Dask cluster (:mod:`govinfo.batch.executors`) both call it, in
  long-lived workers. Tasks and results are frozen dataclasses (:mod:`govinfo.batch.tasks`).
* **Freeze-like cache.** Each agency's hash covers everything its page depends on: the
  parameter file, its ``previous`` file, the template notebook, govinfo's version and source,
  and the chart font. An agency is rendered again only when that hash changed, its outputs
  are gone, or its last render failed (failures may be transient: a timeout, a dead kernel).
  A year's summary has its own hash over its members and their statuses. Hashes and the
  manifest live in :mod:`govinfo.batch.manifest`. Pages are not trusted because they exist: the
  manifest records each output's SHA-256, and a page that no longer matches is rendered again.
* **One site, one writer.** A batch (or ``govinfo render``) holds ``OUTDIR/.govinfo.lock``
  while it runs (:func:`govinfo.files.site_lock`): a second one is refused in one line
  naming the holder, and a killed holder leaves no lock behind.
* **The whole site, whatever the batch was given.** A batch over some files keeps the other
  agencies' entries, index rows and summary membership; a year's summary is built over every
  agency the site knows for that year. Only entries whose file is gone from a folder the
  batch was given are dropped (:func:`govinfo.batch.manifest.split_entries`). ``govinfo render``
  into a batch's site records its page in the manifest (:func:`record_render`).
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

import os
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import SiteBusy, output_path, remove_stale_scratch, site_lock
from ..findings import ERROR
from ..publish.site import INDEX
from ..status import FAILED, INVALID, PUBLISHED
from ..terminal import safe
from .executors import Engine, executor_kind
from .manifest import (
    MANIFEST,
    Entry,
    RegionEntry,
    SummaryEntry,
    digest,
    entry_order,
    environment,
    file_shas,
    manifest_data,
    outputs_match,
    read_manifest,
    record_outputs,
    region_entries,
    report_hash,
    split_entries,
    superseded,
    up_to_date,
    write_manifest,
)
from .options import BatchError, BatchResult, Options
from .plan import discover, source, validate
from .record import relative, timestamp
from .regions import Hierarchy, RegionTask, run_region
from .tasks import ReportTask, SummaryTask, Task, TaskResult

if TYPE_CHECKING:
    from tqdm import tqdm

CRASH_RETRIES = 1  # a task in flight when a worker process died is retried this often
# The manifest is saved at most this often while a batch runs (and once at the end): often
# enough that a killed batch loses little, rarely enough to stay cheap for 20,000 agencies.
SAVE_INTERVAL = 2.0
RECORD_SAVE_SECONDS = 25e-6  # about what one agency's record adds to a manifest save
# How often the run loop wakes up when no result arrives: to save the manifest and to look
# at the executor's workers (a Dask cluster whose workers all died never answers).
TICK = 0.5


class Runner:
    """Submits tasks, keeps the pool busy, records results, schedules summaries per year."""

    def __init__(
        self,
        options: Options,
        entries: list[Entry],
        old_summaries: dict[int, SummaryEntry],
        env: dict[str, Any],
        kept: Sequence[Entry] = (),
        old_regions: Sequence[RegionEntry] = (),
    ) -> None:
        self.options = options
        self.outdir = options.outdir
        self.given = entries  # this run's files; ``kept``: the site's other agencies
        self.entries = sorted([*entries, *kept], key=entry_order)  # summaries see them all
        self.by_key = {e.source: e for e in self.entries}
        self.old_summaries = old_summaries
        self.env = env
        self.summaries: dict[int, SummaryEntry] = {}
        self.years = sorted({e.year for e in self.entries if e.year})
        self.queue: deque[Task | RegionTask] = deque()
        self.hierarchy = Hierarchy(options, old_regions, env)  # pages of region_code regions
        self.pending: dict[int, int] = dict.fromkeys(self.years, 0)
        self.crashes: dict[str, int] = {}
        self.done = self.failed = 0
        self.bar: tqdm[Any] | None = None
        self.abandoned: str | None = None  # why the executor was given up, if it was
        self.abandon_said = False

    # -- planning

    def plan_reports(self, old: dict[str, Entry]) -> None:
        for e in self.given:
            e.hash = report_hash(e, self.env, self.options.allow_invalid, self.options.formats)
            year = e.year
            wants_page = e.summable and (not e.errors or self.options.allow_invalid)
            if not year or not wants_page:
                e.status, e.run = INVALID, "skipped"
                continue
            before = old.get(e.source)
            if (
                self.options.force
                or before is None
                or before.hash != e.hash
                or before.status == FAILED
                or not outputs_match(self.outdir, before)
            ):
                self.queue.append(self._report_task(e, year))
                self.pending[year] += 1
                # Until its result arrives it counts as failed, so an interrupted run
                # leaves a manifest that the next run does not mistake for up to date.
                e.status, e.run = FAILED, "queued"
            else:
                e.status = PUBLISHED if not e.errors else INVALID
                e.html, e.notebook = before.html, before.notebook
                e.documents = before.documents
                e.seconds, e.rendered_at = before.seconds, before.rendered_at
                e.outputs = before.outputs
                e.run = "unchanged"
        # Earlier years first: their summaries can run while later years render.
        self.queue = deque(sorted(self.queue, key=lambda t: (t.year, t.key)))

    def _report_task(self, e: Entry, year: int) -> ReportTask:
        o = self.options
        return ReportTask(
            key=e.source,
            year=year,
            agency_id=e.agency_id,
            file=e.source,
            outdir=str(self.outdir.resolve()),
            allow_invalid=o.allow_invalid,
            template=str(o.template) if o.template else None,
            timeout=o.timeout,
            engine_kwargs=o.engine_kwargs,
            formats=o.formats,
        )

    def members(
        self, year: int, *, brief: bool = False, coded: bool = False
    ) -> list[dict[str, Any]]:
        """The summary notebook's view of a year's files (see summary.Member). ``brief``:
        identity only, for last year's files (their renders may still be running).
        ``coded``: the files with a region_code (the region pages'), else those without
        (the year summary's)."""
        if brief:
            keys = ("file", "agency", "agency_id", "region", "scope", "region_code")
            return [{k: m[k] for k in keys if k in m} for m in self.members(year, coded=coded)]
        return [
            {
                **({"region_code": e.region_code} if coded else {}),
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
                # Only valid, published reports are summed; the first error says why not.
                "errors": e.errors,
                "error": next((f for f in e.findings if f.get("severity") == ERROR), None),
            }
            for e in self.entries
            if e.year == year and bool(e.region_code) == coded
        ]

    def summary_task(self, year: int) -> SummaryTask | None:
        """The year's summary task, or None when its last page is still current."""
        agencies = self.members(year)
        previous = self.members(year - 1, brief=True) if year - 1 in self.pending else None
        shas = sorted(e.file_sha for e in self.entries if e.year == year and not e.region_code)
        env = {k: self.env[k] for k in ("govinfo", "library", "font", "summary_template")}
        key = digest({"agencies": agencies, "previous": previous, "shas": shas, "env": env})
        before = self.old_summaries.get(year)
        if (
            not self.options.force
            and before is not None
            and before.hash == key
            and before.status == PUBLISHED
            and outputs_match(self.outdir, before)
        ):
            before.run = "unchanged"
            self.summaries[year] = before
            return None
        regions = sorted({a["region"] for a in agencies})
        self.summaries[year] = SummaryEntry(year, hash=key, regions=regions, run="queued")
        o = self.options
        return SummaryTask(
            key=f"summary:{year}",
            year=year,
            agencies=agencies,
            previous_agencies=previous,
            outdir=str(self.outdir.resolve()),
            template=str(o.summary_template) if o.summary_template else None,
            timeout=o.timeout,
            engine_kwargs=o.engine_kwargs,
        )

    # -- running

    def _year_finished(self, year: int) -> None:
        # The pages of the regions by code, bottom-up (govinfo.batch.regions); none without.
        coded = self.members(year, coded=True)
        last = self.members(year - 1, brief=True, coded=True) if year - 1 in self.pending else None
        shas = {e.source: e.file_sha for e in self.entries if e.year == year and e.region_code}
        ready, planned = self.hierarchy.plan(year, coded, last, shas)
        self.queue.extend(ready)
        if self.bar is not None and planned:
            self.bar.total += planned
            self._counts(self.bar)
            self.bar.refresh()
        task = self.summary_task(year)
        if task is not None:
            self.queue.append(task)
        elif self.bar is not None:
            self.bar.total -= 1
            self._counts(self.bar)
            self.bar.refresh()

    def run(self, save: Callable[[], None], engine: Engine | None = None) -> None:
        """Render the queue (and what it releases) on ``engine``, started here when not
        given; the engine is closed when this returns, also when nothing had to render."""
        try:
            for year in self.years:
                if not self.pending[year]:
                    self._year_finished(year)
        except BaseException:
            if engine is not None:
                engine.close()
            raise
        if not self.queue:
            if engine is not None:
                engine.close()
            return
        import concurrent.futures.process as cfp

        from .executors import make_pool, start_engine
        from .workers import run_task

        total = (
            len(self.queue) + self.hierarchy.held + sum(1 for y in self.years if self.pending[y])
        )
        self.bar = _progress_bar(total, self.options.progress)
        engine = engine or start_engine(self.options, total)
        pool = engine.pool
        in_flight: dict[Future[TaskResult], Task | RegionTask] = {}
        dirty, last_save = False, time.monotonic()
        # Until a save has been timed, guess its time from the site's size (a province's
        # 20,000 records take about half a second): a short run saves only at its end.
        interval = max(SAVE_INTERVAL, 20 * RECORD_SAVE_SECONDS * len(self.entries))
        try:
            while self.queue or in_flight:
                while self.queue and len(in_flight) < pool.capacity and not self.abandoned:
                    task = self.queue.popleft()
                    if isinstance(task, RegionTask):
                        in_flight[pool.executor.submit(run_region, task)] = task
                    else:
                        in_flight[pool.executor.submit(run_task, task)] = task
                if self.abandoned:  # no worker left: what is not done failed
                    self._abandon([*in_flight.values()])
                    in_flight.clear()
                    continue
                finished, _ = wait(in_flight, timeout=TICK, return_when=FIRST_COMPLETED)
                for future in finished:
                    task = in_flight.pop(future)
                    try:
                        result = future.result()
                    except cfp.BrokenProcessPool:
                        self._crashed([task, *in_flight.values()])
                        in_flight.clear()
                        pool.close()
                        pool = engine.pool = make_pool(self.options, total)
                        break
                    except Exception as exc:  # a Dask worker lost for good, a cancelled task …
                        result = TaskResult(task.key, False, reason=f"{exc!r}")
                    self._record(task, result)
                dirty = dirty or bool(finished)
                if not finished and in_flight:
                    self.abandoned = pool.watch()
                if dirty and time.monotonic() - last_save >= interval:
                    began = time.monotonic()
                    try:
                        save()
                    except OSError as exc:  # e.g. disk full: keep rendering, the end retries
                        print(f"warning: manifest not saved: {exc}", file=sys.stderr)
                    dirty, last_save = False, time.monotonic()
                    # A province's manifest takes a second or two to write: save it no more
                    # than 5% of the time, so the batch process leaves the cores to renders.
                    interval = max(SAVE_INTERVAL, 20 * (last_save - began))
        finally:
            engine.close()
            if self.bar is not None:
                self.bar.close()

    def _abandon(self, tasks: list[Task | RegionTask]) -> None:
        """Record every unfinished task as failed (the executor has no worker left); the
        queue drains through here, summaries included, so the batch ends."""
        if not self.abandon_said:
            print(f"error: {self.abandoned}", file=sys.stderr)
            self.abandon_said = True
        while self.queue:
            tasks.append(self.queue.popleft())
        reason = "not rendered: the executor had no worker left (see the error above)"
        for task in tasks:
            self._record(task, TaskResult(task.key, False, reason=reason))

    def _crashed(self, tasks: list[Task | RegionTask]) -> None:
        """A worker process died (killed, out of memory): every task in flight is lost.
        Retry each once in a fresh pool; a task lost twice is the likely culprit."""
        for lost in tasks:
            self.crashes[lost.key] = self.crashes.get(lost.key, 0) + 1
            if self.crashes[lost.key] > CRASH_RETRIES:
                reason = "the worker process died while rendering (killed or out of memory?)"
                self._record(lost, TaskResult(lost.key, False, reason=reason))
            else:
                self.queue.appendleft(lost)

    def _record(self, task: Task | RegionTask, result: TaskResult) -> None:
        ok = result.ok
        if isinstance(task, RegionTask):  # a region page: the region above may now be ready
            region, released = self.hierarchy.record(task, result)
            self.queue.extend(released)
            self.done += ok
            self.failed += not ok
            self._log(region, ok)
            return
        if isinstance(task, ReportTask):
            e = self.by_key[task.key]
            target: Entry | SummaryEntry = e
            e.status = (PUBLISHED if not e.errors else INVALID) if ok else FAILED
        else:
            target = self.summaries[task.year]
            target.status = PUBLISHED if ok else FAILED
        target.run = "rendered" if ok else "failed"
        target.seconds = result.seconds
        target.rendered_at = timestamp()
        if ok:
            assert result.html and result.notebook  # an ok result names both (workers.run_task)
            target.html = relative(self.outdir, result.html)
            target.notebook = relative(self.outdir, result.notebook)
            documents = {k: relative(self.outdir, v) for k, v in result.documents.items()}
            target.documents = documents
            target.outputs = record_outputs(
                self.outdir, target.html, target.notebook, *documents.values()
            )
            if isinstance(task, SummaryTask):
                target.reason = ""
        else:
            target.html, target.outputs, target.documents = None, {}, {}
            try:  # the id may be the reason it failed: never look outside OUTDIR with it
                failed = output_path(
                    self.outdir, task.year, task.stem, ".failed.ipynb", site_page=task.site_page
                )
            except ValueError:
                failed = None
            found = failed is not None and failed.is_file()
            target.notebook = relative(self.outdir, str(failed)) if found else None
            target.reason = result.reason
        self.done += ok
        self.failed += not ok
        self._log(target, ok)
        if isinstance(task, ReportTask):
            self.pending[task.year] -= 1
            if not self.pending[task.year]:
                self._year_finished(task.year)

    def _counts(self, bar: tqdm[Any]) -> None:
        """The bar's counts, drawn with its next refresh: drawn at once they would show
        beside the old position for a moment ("0/27 … done 1")."""
        left = bar.total - self.done - self.failed
        postfix = f"done {self.done} · failed {self.failed} · left {left}"
        bar.set_postfix_str(postfix, refresh=False)

    def _log(self, target: Entry | SummaryEntry, ok: bool) -> None:
        seconds = f" ({target.seconds:.1f} s)" if target.seconds else ""
        if ok:
            line = f"rendered {target.label}{seconds}"
        else:
            line = f"FAILED {target.label}: {target.reason}"
        line = safe(line)  # the reason may quote a file's text (terminal.py)
        if self.bar is not None:
            self._counts(self.bar)
            self.bar.update(1)
            self.bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr)


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
    """Discover, validate, render what changed, write summaries, manifest and index: all
    under the site lock (a second batch or render on OUTDIR is refused, BatchError)."""
    started = time.perf_counter()
    outdir = options.outdir
    files = discover(paths, outdir)
    if not files:
        raise BatchError(f"no parameter files found in {' '.join(map(str, paths))}")
    for template in (options.template, options.summary_template):
        if template and not Path(template).is_file():
            raise BatchError(f"template notebook not found: {template}")
    try:
        with site_lock(outdir):
            return _locked_batch(paths, files, options, started)
    except SiteBusy as exc:
        raise BatchError(str(exc)) from None


def _locked_batch(
    paths: Sequence[str | Path], files: list[Path], options: Options, started: float
) -> BatchResult:
    outdir = options.outdir
    given_folders = [Path(p).resolve() for p in paths if Path(p).is_dir()]
    manifest = read_manifest(outdir)
    shas, stats = file_shas(files, [source(p) for p in files], manifest)
    env = {
        **environment(options.template, options.summary_template),
        "allow_invalid": str(options.allow_invalid),
    }
    current = (
        None if options.force else up_to_date(manifest, outdir, files, shas, env, given_folders)
    )
    if current is not None:
        entries, kept, summaries = current
        for e in entries:  # a touched file hashed again: remember its new stat
            e.file_stat = stats.get(e.source)
        regions = region_entries(manifest)
        for region in regions:  # checked by up_to_date; this keeps a new stat after a copy
            outputs_match(outdir, region)
            region.run = "unchanged"
        data = manifest_data(outdir, env, [*entries, *kept], summaries, regions)
        if data != manifest:  # outputs hashed again after a copy: remember their new stat
            write_manifest(outdir, data)
        return BatchResult(
            entries,
            [*summaries, *regions],
            outdir / MANIFEST,
            outdir / INDEX,
            time.perf_counter() - started,
            True,
            kept,
        )

    engine = None
    if executor_kind(options.executor).local:  # kernels run here: refuse a folder not private
        from ..publish.ipc import private_folder
        from .executors import start_engine
        from .workers import warm_up

        private_folder()
        # Something changed: the pool and the kernel fork server start now, importing while
        # the files are checked and the work planned (Runner.run closes it). The server warms
        # up on the last file found: the latest year's, likely to name last year's file.
        jobs = options.jobs or os.cpu_count() or 1
        engine = start_engine(options, jobs, warm_up, files[-1])
    try:
        # Entries made under the same rules and code spare reading files that did not change.
        same = all(manifest.get("environment", {}).get(k) == env[k] for k in ("govinfo", "library"))
        known = [Entry.from_json(e) for e in manifest.get("agencies", [])]
        entries = validate(files, shas, {e.source: e for e in known} if same else None)
        for e in entries:
            e.file_stat = stats.get(e.source)  # hashed with this stat: see manifest.file_shas
        for e in entries:
            if e.errors and (not options.allow_invalid or not e.summable):
                print(safe(f"invalid {e.file}: {e.reason}"), file=sys.stderr)
        old, kept, dropped = split_entries(known, shas, given_folders)
        gone = {id(e) for e in superseded(kept, entries)}
        kept = [e for e in kept if id(e) not in gone]
        if dropped:
            labels = ", ".join(e.label for e in dropped)
            line = f"dropped from the site (parameter file deleted; pages left in place): {labels}"
            print(safe(line), file=sys.stderr)
        old_summaries = {
            s["year"]: SummaryEntry.from_json(s) for s in manifest.get("summaries", [])
        }
        outdir.mkdir(parents=True, exist_ok=True)
        folders = [outdir, *(d for d in outdir.iterdir() if d.is_dir() and d.name.isdigit())]
        stale = [path for folder in folders for path in remove_stale_scratch(folder)]
        if stale:
            print(
                f"removed {len(stale)} scratch file(s) left by an interrupted run", file=sys.stderr
            )
        runner = Runner(options, entries, old_summaries, env, kept, region_entries(manifest))
        runner.plan_reports(old)
    except BaseException:  # a bad folder, Ctrl-C …: no engine left behind
        if engine is not None:
            engine.close()
        raise

    def save() -> None:
        summaries = {**old_summaries, **runner.summaries}
        regions = runner.hierarchy.all_entries(runner.years)
        write_manifest(
            outdir, manifest_data(outdir, env, runner.entries, list(summaries.values()), regions)
        )

    try:
        runner.run(save, engine)
    finally:
        years = set(runner.years)
        summaries = [s for y, s in {**old_summaries, **runner.summaries}.items() if y in years]
        regions = runner.hierarchy.all_entries(runner.years)
        data = manifest_data(outdir, env, runner.entries, summaries, regions)
        if data != manifest:
            write_manifest(outdir, data)
    index = outdir / INDEX
    if data != manifest or not index.is_file():
        from ..publish.site import write_index

        write_index(outdir, data)
    seconds = time.perf_counter() - started
    return BatchResult(
        entries, [*summaries, *regions], outdir / MANIFEST, index, seconds, kept=kept
    )
