"""Parameter files by the folder: discovery, loading and checking many files at once.

``govinfo validate`` and the batch both start here, so that both find the same files and
check continuity between years the same way; unreadable files are returned apart, never
raised, so that one broken file does not hide the findings of the others.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..findings import Finding, ParameterError
from ..model import Report
from ..rules import check, check_continuity
from .parse import load
from .read import SUFFIXES


def find_parameter_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus every .yaml/.yml/.json below each folder (sorted)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(_below(path))
        else:
            found.append(path)
    return found


def _below(folder: Path) -> list[Path]:
    """The parameter files below ``folder``, hidden files and folders left out, in the order
    of ``sorted(folder.rglob("*"))`` (by path parts; links to folders not followed). With
    ``os.walk``, one directory listing a folder: a province's 20,000 files in a tenth of
    the time pathlib takes."""
    top = os.fspath(folder)
    found: list[tuple[tuple[str, ...], Path]] = []
    for where, folders, names in os.walk(top):
        folders[:] = [name for name in folders if not name.startswith(".")]
        relative = os.path.relpath(where, top)
        parts = () if relative == os.curdir else tuple(relative.split(os.sep))
        for name in names:
            if name.startswith(".") or os.path.splitext(name)[1].lower() not in SUFFIXES:
                continue
            path = os.path.join(where, name)
            if os.path.isfile(path):
                found.append(((*parts, name), Path(path)))
    found.sort(key=lambda item: item[0])
    return [path for _, path in found]


def load_all(files: Sequence[Path]) -> tuple[dict[Path, Report], dict[Path, ParameterError]]:
    """Load every file; unreadable ones are returned apart, never raised."""
    reports: dict[Path, Report] = {}
    problems: dict[Path, ParameterError] = {}
    for path in files:
        try:
            reports[path] = load(path)
        except ParameterError as exc:
            problems[path] = exc
    return reports, problems


def check_all(reports: dict[Path, Report]) -> dict[Path, list[Finding]]:
    """All findings per file, including continuity between years found side by side."""
    by_year: dict[tuple[str, int], Report] = {}
    for report in reports.values():
        for key in (report.agency_id, report.agency):
            by_year.setdefault((key, report.year), report)
    results = {}
    for path, report in reports.items():
        findings = check(report)
        if report.previous is None and report.previous_path is None:
            earlier = by_year.get((report.agency_id, report.year - 1)) or by_year.get(
                (report.agency, report.year - 1)
            )
            if earlier is not None:
                findings.extend(check_continuity(report, earlier))
        results[path] = findings
    return results
