"""Many reports in one ``govinfo import`` run: folders walked, files read in parallel, and
several files of one report resolved to the most complete.

Researchers import a portal's whole year at once, and a report is often published twice
(the page and its PDF attachment, or a Word file beside the PDF). Reading is CPU-bound and
independent per file, so ``-j N`` reads in a process pool; results come back in input order
whatever order the workers finish in, so the output does not depend on timing.

Several files of one report (the same ``agency_id`` and year) are not an error: the most
complete one is written, chosen by the cells read, then the fewest findings, then the format
(:data:`FORMAT_ORDER`), then the file name; one line names the others with their counts.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from ..findings import ParameterError
from .assemble import expected_cells
from .explain import cell_value

SUFFIXES = (".html", ".htm", ".txt", ".md", ".pdf", ".docx", ".xlsx")
# Ties between equally complete files: a filled workbook holds typed numbers; a page's
# table markup keeps the grid; Word's table too; a PDF's grid is rebuilt from rulings;
# text has lost it.
FORMAT_ORDER = ("xlsx", "html", "docx", "pdf", "text")


@dataclass(frozen=True)
class Outcome:
    """One input: what it yielded (an ImportResult or a workbook read back), or why not."""

    name: str
    result: Any = None
    error: str | None = None
    text: str | None = None  # the parameter file, written by the worker (see :func:`read_one`)


def inputs(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """(files to read, folders with nothing to read): a folder is walked (links to folders
    not followed, hidden files and Office lock files ``~$…`` skipped) for the files of
    :data:`SUFFIXES`, in name order; a file is read as given, whatever its name."""
    files: list[str] = []
    empty: list[str] = []
    seen: set[str] = set()
    for path in paths:
        found = [path] if not os.path.isdir(path) else _walk(path)
        if os.path.isdir(path) and not found:
            empty.append(path)
        for name in found:
            key = os.path.realpath(name)
            if key not in seen:  # a file given twice (or inside a folder given) is read once
                seen.add(key)
                files.append(name)
    return files, empty


def _walk(folder: str) -> list[str]:
    out = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith((".", "~$")) or not name.lower().endswith(SUFFIXES):
                continue
            out.append(os.path.join(root, name))
    return out


def read_one(name: str, agency_id: str | None = None, form: str | None = None) -> Outcome:
    """A published report (:func:`govinfo.importer.import_file`) or a filled collection
    workbook (:mod:`govinfo.sheets.read`), told apart by their bytes; never raises. With
    ``form`` (yaml or json), its parameter file too: writing YAML costs about as much as
    reading a page, so it is done in the worker, not one file after another at the end."""
    from . import import_file
    from .formats import XLSX, sniff

    try:
        try:
            with open(name, "rb") as handle:  # the bytes decide, not the suffix
                is_workbook = sniff(handle.read(8), name, container=handle) == XLSX
        except OSError:
            is_workbook = False  # the importer says why it cannot be read
        if is_workbook:
            from ..sheets.read import read_workbook

            result: Any = read_workbook(name, agency_id=agency_id)
        else:
            result = import_file(name, agency_id=agency_id)
        return Outcome(name, result, text=render(result, form) if form else None)
    except ParameterError as exc:
        return Outcome(name, error=str(exc))
    except (MemoryError, RecursionError):  # a last guard: the importer bounds its work
        return Outcome(name, error=f"{name}: too large or too deeply nested to read")


def render(result: Any, form: str) -> str:
    """The parameter file of an import (``yaml`` or ``json``)."""
    from .output import dumps

    return str(result.text(form)) if hasattr(result, "text") else dumps(result, form)


def read_all(
    names: Sequence[str],
    agency_id: str | None = None,
    jobs: int = 1,
    done: Callable[[Outcome], None] | None = None,
    form: str | None = None,
) -> list[Outcome]:
    """Every file read (and with ``form`` written as text), in input order; ``jobs`` > 1
    reads in that many processes. ``done`` is called as each file finishes."""
    if jobs <= 1 or len(names) <= 1:
        out = []
        for name in names:
            out.append(read_one(name, agency_id, form))
            if done:
                done(out[-1])
        return out
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    # fork: the workers start with the importer already loaded (no threads run here)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    results: dict[int, Outcome] = {}
    queue = list(enumerate(names))[::-1]  # popped from the end: input order
    while queue:
        suspects: list[int] = []
        with ProcessPoolExecutor(jobs, mp_context=context) as pool:
            # a bounded window of work in flight: a thousand files are not a thousand futures
            pending: dict[Future[Outcome], int] = {}
            while queue or pending:
                while queue and len(pending) < 4 * jobs:
                    i, name = queue.pop()
                    pending[pool.submit(read_one, name, agency_id, form)] = i
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                try:
                    for future in finished:
                        i = pending[future]
                        results[i] = future.result()
                        del pending[future]
                        if done:
                            done(results[i])
                except BrokenProcessPool:  # a worker died (killed, out of memory?)
                    suspects = sorted(pending.values())
                    break
        for i in suspects:  # each alone, so that only the file that kills its reader fails
            results[i] = _alone(names[i], agency_id, form, context)
            if done:
                done(results[i])
    return [results[i] for i in range(len(names))]


def _alone(name: str, agency_id: str | None, form: str | None, context: Any) -> Outcome:
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(1, mp_context=context) as pool:
        try:
            return pool.submit(read_one, name, agency_id, form).result()
        except BrokenProcessPool:
            why = "the process reading it ended unexpectedly (killed, or out of memory?)"
            return Outcome(name, error=f"{name}: {why}")


# --------------------------------------------------------------------------- duplicates


def completeness(result: Any) -> tuple[int, int]:
    """(cells read, cells expected) of tables 二, 三, 四: a number or a published blank."""
    cells = expected_cells()
    read = sum(
        1
        for key in cells
        if (value := cell_value(result.mapping, key)) is not None and value != "unread"
    )
    return read, len(cells)


def _form(result: Any) -> str:
    form = getattr(result, "form", None)
    return str(form) if form else "xlsx"


def _findings(result: Any) -> int:
    return len(getattr(result, "problems", None) or getattr(result, "findings", None) or ())


def _rank(outcome: Outcome) -> tuple[int, int, int, str]:
    result = outcome.result
    form = _form(result)
    order = FORMAT_ORDER.index(form) if form in FORMAT_ORDER else len(FORMAT_ORDER)
    return (-completeness(result)[0], _findings(result), order, outcome.name)


@dataclass(frozen=True)
class Duplicates:
    """Files of one report: the one written and the others."""

    agency_id: str
    year: int
    chosen: Outcome
    others: tuple[Outcome, ...]

    def line(self) -> str:
        """``2024 shili-jyj: read from a.pdf (200/200); also given: a.html (198/200) — not
        written``."""

        def counted(o: Outcome) -> str:
            return f"{o.name} ({'/'.join(map(str, completeness(o.result)))})"

        others = ", ".join(counted(o) for o in self.others)
        return (
            f"{self.year} {self.agency_id}: read from {counted(self.chosen)}; "
            f"also given: {others} — not written"
        )


def resolve(outcomes: Sequence[Outcome]) -> tuple[list[Outcome], list[Duplicates]]:
    """The outcomes to write (input order; of each report only its most complete file)
    and the duplicate groups. Files that could not be read, or have no year or agency_id,
    are kept as they are (their own errors say what is wrong)."""
    groups: dict[tuple[str, int], list[Outcome]] = {}
    for o in outcomes:
        key = _key(o)
        if key is not None:
            groups.setdefault(key, []).append(o)
    dropped: set[int] = set()
    found: list[Duplicates] = []
    for (ident, year), group in groups.items():
        if len(group) < 2:
            continue
        ranked = sorted(group, key=_rank)
        found.append(Duplicates(ident, year, ranked[0], tuple(ranked[1:])))
        dropped.update(id(o) for o in ranked[1:])
    return [o for o in outcomes if id(o) not in dropped], found


def _key(outcome: Outcome) -> tuple[str, int] | None:
    if outcome.result is None:
        return None
    mapping = outcome.result.mapping
    year, ident = mapping.get("year"), mapping.get("agency_id")
    if isinstance(year, int) and isinstance(ident, str) and ident:
        return ident, year
    return None


# --------------------------------------------------------------------------- progress


def progress_bar(total: int, enabled: bool | None) -> Any:
    """The bar ``govinfo batch`` draws (tqdm on standard error; by default only when it is
    a terminal), counting files."""
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread (the pool forks)
    return tqdm(
        total=total,
        desc="govinfo import",
        unit="file",
        file=sys.stderr,
        disable=None if enabled is None else not enabled,
        bar_format="{desc}: {bar:20} {n_fmt}/{total_fmt} [{elapsed}<{remaining}]{postfix}",
        dynamic_ncols=True,
    )
