"""What a batch is asked (:class:`Options`) and what it answers (:class:`BatchResult`, and
:func:`summary_table`, the end-of-run table the CLI prints); :class:`BatchError` for a batch
that cannot start. Kept apart from the runner so that the executors and workers import them
without it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..publish.summary import SUMMARY_NAME
from ..status import PUBLISHED, STATUS_LABELS
from ..terminal import safe
from .manifest import (
    Entry,
    SummaryEntry,
    entry_order,
)


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
    executor: str = "process"  # a name registered in govinfo.batch.executors: process, dask
    scheduler: str | None = None
    progress: bool | None = None  # None: a bar when stderr is a terminal
    engine_kwargs: dict[str, Any] = field(default_factory=dict)  # → pipeline.render
    kernels: str = "fork"  # fork: kernels forked from a preloaded server (local pool only)
    # Dask: seconds the batch waits with no worker left (or none joined) before it records
    # the unfinished agencies as failed and ends.
    worker_grace: float = 60.0
    formats: tuple[str, ...] = ("html",)  # the page plus any of govinfo.publish.formats


@dataclass
class BatchResult:
    entries: list[Entry]
    summaries: list[SummaryEntry]
    manifest: Path
    index: Path
    seconds: float
    up_to_date: bool = False
    kept: list[Entry] = field(default_factory=list)  # agencies of the site not given this run

    @property
    def exit_code(self) -> int:
        good = all(e.ok for e in self.entries) and all(
            s.status == PUBLISHED for s in self.summaries
        )
        return 0 if good else 1


# --------------------------------------------------------------------------- reporting


def _width(text: str) -> int:
    if text.isascii():  # most cells: 20,000 rows of a province are measured twice
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


# Above this many agencies (a province), those published before and unchanged this run are
# counted in one line instead of listed: what the table is read for is what happened.
TABLE_ROWS = 1000


def summary_table(result: BatchResult) -> str:
    """The end-of-run table: one line per agency and per summary, then the counts."""
    rows: list[tuple[str, ...]] = [
        ("year", "agency_id", "agency", "status", "err", "warn", "seconds", "this run", "note")
    ]
    listed = sorted(result.entries, key=entry_order)
    quiet = 0
    if len(listed) > TABLE_ROWS:
        shown = [e for e in listed if not (e.run == "unchanged" and e.status == PUBLISHED)]
        listed, quiet = shown, len(listed) - len(shown)
    for e in listed:
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
        name = s.label.partition("/")[2] or SUMMARY_NAME  # summary, or summary.<code> of a region
        rows.append((str(s.year), name, "", s.status, "", "", seconds, s.run, s.reason))
    rows = [tuple(safe(cell) for cell in row) for row in rows]  # escaped, then measured
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = [
        "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in rows
    ]
    counts = {s: sum(e.status == s for e in result.entries) for s in STATUS_LABELS}
    records: list[Entry | SummaryEntry] = [*result.entries, *result.summaries]
    rendered = sum(x.run == "rendered" for x in records)
    state = "up to date, nothing rendered" if result.up_to_date else f"{rendered} page(s) rendered"
    lines.append(
        f"{len(result.entries)} file(s): "
        + ", ".join(f"{n} {s}" for s, n in counts.items())
        + f"; {state} in {result.seconds:.2f} s; index: {safe(result.index)}"
    )
    if quiet:
        lines.insert(-1, f"({quiet} published agencies unchanged this run are not listed)")
    if result.kept:
        lines.append(f"{len(result.kept)} other file(s) of the site kept as they were")
    return "\n".join(line.rstrip() for line in lines)
