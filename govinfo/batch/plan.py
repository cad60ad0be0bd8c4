"""What a batch works on, decided before anything renders: the parameter files found
(never inside the output folder) and each one validated, continuity across the years given
included, with two files of the same year and agency_id both refused, each naming the other.

Kept apart from :mod:`govinfo.batch.runner` (which runs what this plans) so that each module
holds one concern: these functions read files and rules, and start no process.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..findings import ERROR, Finding, ParameterError
from .manifest import BATCH, Entry, file_sha
from .record import first_error

# --------------------------------------------------------------------------- discovery


def discover(paths: Iterable[str | Path], outdir: Path) -> list[Path]:
    """Parameter files under ``paths`` (as ``govinfo validate`` finds them), outside OUTDIR."""
    from ..params.collect import find_parameter_files

    _folder.cache_clear()  # a batch sees its folders as they are now
    _SOURCES.clear()
    root = os.path.join(outdir.resolve(), "")
    return [p for p in find_parameter_files(paths) if not source(p).startswith(root)]


def source(path: Path) -> str:
    """A parameter file's absolute, resolved path: the batch's key for it. Its folder is
    resolved once for all the files in it (20,000 files, a handful of folders); only a file
    that is itself a link is resolved on its own. Remembered until the next discover()."""
    key = os.fspath(path)
    found = _SOURCES.get(key)
    if found is None:
        if os.path.islink(key):
            found = str(path.resolve())
        else:
            found = os.path.join(_folder(os.path.dirname(key) or "."), os.path.basename(key))
        _SOURCES[key] = found
    return found


_SOURCES: dict[str, str] = {}


@functools.cache
def _folder(folder: str) -> str:
    return str(Path(folder).resolve())


# --------------------------------------------------------------------------- validation


def validate(
    files: Sequence[Path], shas: dict[str, str | None], known: Mapping[str, Entry] | None = None
) -> list[Entry]:
    """Load and check every file (continuity across years included) before any rendering.

    One file at a time, keeping no report: memory does not grow with the number of files
    (a province's 20,000). Continuity between years found side by side (files that name no
    ``previous``) is checked in a second pass that reads just those pairs again.

    ``known``: the manifest's entries, when the rules are the same as when they were made
    (same govinfo version and source). A file whose bytes, and its ``previous`` file's, are
    those its entry recorded is taken from the entry without being read (so that one
    changed file among 20,000 costs one file's checks), unless it shares an agency with a
    file that changed, came or went, or it was a duplicate: those are checked again."""
    reused = {source(p): e for p in files if (e := _reusable(p, shas, known)) is not None}
    touched: set[str] = set()  # agency ids and names of files that changed, came or went
    for key, old in (known or {}).items():
        if key not in reused:
            touched.update(k for k in (old.agency_id, old.agency) if k)
    entries: dict[Path, Entry] = {}
    lonely: dict[Path, list[Finding]] = {}  # no ``previous``: a partner year may be checked
    for path in files:
        if source(path) not in reused:
            entries[path] = _checked(path, shas, lonely)
            touched.update(k for k in (entries[path].agency_id, entries[path].agency) if k)
    for path in files:
        kept = reused.get(source(path))
        if kept is None:
            continue
        if {kept.agency_id, kept.agency} & touched:
            entries[path] = _checked(path, shas, lonely)
        else:
            entries[path] = _copy(kept, path)
    _continuity([(path, entries[path]) for path in files], lonely)
    ordered = [entries[path] for path in files]
    _mark_duplicates(ordered)
    return ordered


def _reusable(
    path: Path, shas: dict[str, str | None], known: Mapping[str, Entry] | None
) -> Entry | None:
    old = (known or {}).get(source(path))
    if old is None or old.written_by != BATCH or old.file != str(path) or not old.summable:
        return None
    if old.file_sha != shas.get(old.source) or any(
        f.get("rule") == "DUPLICATE" for f in old.findings
    ):
        return None
    if old.previous and (shas.get(old.previous) or file_sha(old.previous)) != old.previous_sha:
        return None
    return old


def _copy(old: Entry, path: Path) -> Entry:
    """What validation recorded for ``old``, as a fresh entry (the run sets the rest)."""
    keys = ("year", "agency_id", "agency", "region", "region_code", "kind", "scope", "previous")
    entry = Entry(file=str(path), source=old.source, file_sha=old.file_sha)
    for key in (*keys, "previous_sha", "reason", "errors", "warnings", "summable", "file_stat"):
        setattr(entry, key, getattr(old, key))
    entry.findings = [dict(f) for f in old.findings]
    return entry


def _checked(path: Path, shas: dict[str, str | None], lonely: dict[Path, list[Finding]]) -> Entry:
    """One file loaded and checked on its own (continuity with ``previous`` included)."""
    from ..divisions import problem
    from ..params import load, read_mapping
    from ..rules import check

    entry = Entry(file=str(path), source=source(path), file_sha=shas[source(path)] or "")
    try:
        report = load(path)
    except ParameterError as exc:
        entry.reason = str(exc)
        entry.errors, entry.summable = 1, False
        try:  # still show year and name in the index when the mapping can be read
            raw = read_mapping(path)
            year = raw.get("year")
            entry.year = year if isinstance(year, int) and 1900 <= year <= 2999 else None
            entry.agency = str(raw.get("agency") or "")
            entry.agency_id = str(raw.get("agency_id") or "")
            entry.region = str(raw.get("region") or "")
            code = str(raw.get("region_code") or "")
            entry.region_code = code if code and problem(code) is None else ""
        except ParameterError:
            pass
        return entry
    findings = check(report)
    entry.year, entry.agency_id, entry.agency = report.year or None, report.agency_id, report.agency
    entry.region, entry.kind, entry.scope = report.region, report.kind, report.scope
    entry.region_code = report.region_code
    if report.previous_path:
        entry.previous = str((path.parent / report.previous_path).resolve())
        entry.previous_sha = shas.get(entry.previous) or file_sha(entry.previous)
    elif report.previous is None:
        lonely[path] = findings
    _set_findings(entry, findings)
    return entry


def _set_findings(entry: Entry, findings: Sequence[Finding]) -> None:
    entry.findings = [f.to_dict() for f in findings]
    entry.errors = sum(f.is_error for f in findings)
    entry.warnings = len(findings) - entry.errors
    entry.reason = first_error(findings)


def _continuity(entries: Sequence[tuple[Path, Entry]], lonely: dict[Path, list[Finding]]) -> None:
    """C05/C11 between a file that names no ``previous`` and last year's file of the same
    agency_id (or name) among those given, as :func:`govinfo.params.collect.check_all` does,
    reading just the two files of each such pair again."""
    from ..params import load
    from ..rules import check_continuity

    by_year: dict[tuple[str, int], Path] = {}
    for path, e in entries:
        if e.summable:  # read (duplicates are marked later)
            for key in (e.agency_id, e.agency):
                by_year.setdefault((key, e.year or 0), path)
    by_path = dict(entries)
    for path, findings in lonely.items():
        entry = by_path[path]
        year = entry.year or 0
        earlier = by_year.get((entry.agency_id, year - 1)) or by_year.get((entry.agency, year - 1))
        if earlier is None:
            continue
        try:
            report, before = load(path), load(earlier)
        except ParameterError:
            continue
        _set_findings(entry, [*findings, *check_continuity(report, before)])


def _duplicate_finding(file: str, other: str) -> Finding:
    zh = f"与 {other} 的年度和 agency_id 相同，输出文件会互相覆盖"
    en = f"same year and agency_id as {other}: their pages would overwrite each other"
    return Finding("DUPLICATE", ERROR, "agency_id", None, None, zh, en, file)


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
            finding = _duplicate_finding(e.file, others)
            e.findings.append(finding.to_dict())
            e.errors += 1
            e.summable = False
            e.reason = f"DUPLICATE: {e.year}/{e.agency_id} also in {others}"
