"""What a batch works on, decided before anything renders: the parameter files found
(never inside the output folder) and each one validated, continuity across the years given
included, with two files of the same year and agency_id both refused, each naming the other.

Kept apart from :mod:`govinfo.batch.runner` (which runs what this plans) so that each module
holds one concern: these functions read files and rules, and start no process.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from ..findings import ERROR, Finding, ParameterError
from .manifest import Entry, file_sha
from .record import first_error

# --------------------------------------------------------------------------- discovery


def discover(paths: Iterable[str | Path], outdir: Path) -> list[Path]:
    """Parameter files under ``paths`` (as ``govinfo validate`` finds them), outside OUTDIR."""
    from ..params.collect import find_parameter_files

    root = outdir.resolve()
    return [p for p in find_parameter_files(paths) if root not in p.resolve().parents]


# --------------------------------------------------------------------------- validation


def validate(files: Sequence[Path], shas: dict[str, str | None]) -> list[Entry]:
    """Load and check every file (continuity across years included) before any rendering."""
    from ..params import read_mapping
    from ..params.collect import check_all, load_all

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
        entry.findings = [f.to_dict() for f in findings]
        entry.errors = sum(f.is_error for f in findings)
        entry.warnings = len(findings) - entry.errors
        entry.reason = first_error(findings)
        entries.append(entry)
    _mark_duplicates(entries)
    return entries


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
