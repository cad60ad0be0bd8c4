"""Writing one audit into a folder: the pages, ``audit.xlsx``, ``problems.csv``,
``audit.json``; every file atomically."""

from __future__ import annotations

from pathlib import Path

from ..files import atomic_write
from .engine import AuditRun
from .pages import agency_file, agency_html, index_html
from .workbook import csv_bytes, json_bytes, xlsx_bytes


def write_audit(run: AuditRun, outdir: str | Path) -> list[Path]:
    out = Path(outdir)
    written = []
    for result in run.results:
        path = out / agency_file(result)
        atomic_write(path, agency_html(run, result))
        written.append(path)
    for name, data in (
        ("index.html", index_html(run)),
        ("audit.xlsx", xlsx_bytes(run)),
        ("problems.csv", csv_bytes(run)),
        ("audit.json", json_bytes(run)),
    ):
        atomic_write(out / name, data)
        written.append(out / name)
    return written
