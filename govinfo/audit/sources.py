"""What the audit reads: parameter files (drafts) and published reports, each as a Report
plus, for a published one, its text (headings, preamble and 统计期限 are checked there).

Published reports go through :func:`govinfo.importer.import_file`, so every format the
importer reads is audited (HTML, text, Markdown, PDF, Word). A JSON or YAML file in a folder
that is not a parameter file (a transcription, a config) is skipped with a note; named
directly, it is read and refused like any bad input.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import layout as L
from ..findings import Finding, ParameterError
from ..model import Report
from ..params import SUFFIXES, load

PUBLISHED = (".html", ".htm", ".shtml", ".txt", ".md", ".pdf", ".docx")
NOT_A_REPORT = "no annual report recognised"  # the importer's refusal


@dataclass(frozen=True)
class Input:
    path: Path
    report: Report
    form: str  # parameters | published
    text: str | None = None  # a published report's text, as laid out
    problems: tuple[Finding, ...] = ()  # what the importer noted


@dataclass
class Collected:
    inputs: list[Input] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)  # path → one-line reason
    notes: list[str] = field(default_factory=list)


def find_files(paths: Iterable[str | Path], collected: Collected) -> list[tuple[Path, bool]]:
    """(file, named directly) for every candidate: parameter files and published reports."""
    out: list[tuple[Path, bool]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in p.relative_to(path).parts)
                if p.is_file() and not hidden and p.suffix.lower() in (*SUFFIXES, *PUBLISHED):
                    out.append((p, False))
        elif path.exists():
            out.append((path, True))
        else:
            collected.unreadable[str(path)] = "文件不存在 / no such file or folder"
    return out


def _is_parameter_file(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return True  # let load() name the problem
    return L.SCHEMA.split("@")[0].encode() in head


def collect(paths: Iterable[str | Path]) -> Collected:
    collected = Collected()
    seen: dict[tuple[str, int], Path] = {}
    names: dict[tuple[str, int], str] = {}
    for path, named in find_files(paths, collected):
        try:
            item = read_one(path, named)
        except ParameterError as exc:
            if not named and NOT_A_REPORT in str(exc):  # a README beside the reports
                collected.notes.append(f"{path}: not an annual report; skipped")
            else:
                collected.unreadable[str(path)] = str(exc)
            continue
        except (MemoryError, RecursionError):
            collected.unreadable[str(path)] = f"{path}: too large or too deeply nested to read"
            continue
        if item is None:
            collected.notes.append(f"{path}: not a parameter file (no schema: {L.SCHEMA}); skipped")
            continue
        key = (item.report.agency_id, item.report.year)
        if key in seen and names[key] != item.report.agency:  # report.pdf in two folders
            digest = hashlib.sha1(item.report.agency.encode("utf-8")).hexdigest()[:6]
            item = replace(item, report=item.report.replace(agency_id=f"{key[0]}-{digest}"))
            key = (item.report.agency_id, item.report.year)
        if key in seen:
            collected.notes.append(f"{path}: same agency and year as {seen[key]}; skipped")
            continue
        seen[key] = path
        names[key] = item.report.agency
        collected.inputs.append(item)
    return collected


def read_one(path: Path, named: bool = True) -> Input | None:
    """One input; None for a data file in a folder that is not a parameter file."""
    if path.suffix.lower() in SUFFIXES:
        if not named and not _is_parameter_file(path):
            return None
        return Input(path, load(path), "parameters")
    return _published(path)


def _published(path: Path) -> Input:
    from ..importer import import_file

    result = import_file(path)
    return Input(path, result.report, "published", published_text(path, result), result.problems)


def published_text(path: Path, result: Any) -> str | None:
    """The report's text as laid out (for headings and the preamble), None if unknown: a PDF
    or Word report's as the importer rebuilt it (``ImportResult.markup``)."""
    from ..importer.decode import decode
    from ..importer.html import html_to_text
    from ..importer.text import clean_text, looks_like_html

    try:
        if result.markup is not None:
            return clean_text(html_to_text(result.markup)[0])
        if result.form not in ("html", "text"):
            return None
        text, _ = decode(path.read_bytes())
        if looks_like_html(text):
            text, _ = html_to_text(text)
        return clean_text(text)
    except ParameterError:
        return None
    except Exception:  # the report itself was read; only its layout text is missing
        return None
