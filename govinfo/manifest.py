"""The batch manifest (OUTDIR/manifest.json) and the content hashes it is keyed on.

The manifest is the batch's memory between runs: per parameter file its content hash, the
``previous`` file it names, the hash of everything its page depends on, status, findings,
duration and output paths; per year the summary's hash and status. A later run compares
hashes, not times, so copying or touching files renders nothing, while an edit anywhere a
page depends on renders that page again. :func:`up_to_date` answers "is there anything to
do?" from bytes and the manifest alone: no YAML is parsed and nothing heavy is imported.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from . import __version__
from .files import atomic_write
from .site import INDEX
from .summary import SUMMARY_NAME

MANIFEST = "manifest.json"
MANIFEST_SCHEMA = "govinfo/batch-manifest@1"
PUBLISHED, INVALID, FAILED = "published", "invalid", "failed"
# Where the modules that build a page are found from (see rendering_modules).
RENDER_ROOTS = ("__init__.py", "pipeline.py", "document.py", "summary.py")


class _Record:
    """JSON round trip of a manifest record; ``run`` describes this run only, never saved."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Any:
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)  # type: ignore[call-overload]
        del data["run"]
        return data


@dataclass
class Entry(_Record):
    """One parameter file: what validation found and what rendering did (a manifest row)."""

    file: str  # as found (relative to where the batch ran)
    source: str  # absolute path: the key between runs
    file_sha: str
    year: int | None = None
    agency_id: str = ""
    agency: str = ""
    region: str = ""
    kind: str = "department"
    scope: str = "agency"
    previous: str | None = None  # absolute path of the ``previous`` file
    previous_sha: str | None = None
    hash: str = ""
    status: str = INVALID
    reason: str = ""
    errors: int = 0
    warnings: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)
    html: str | None = None  # relative to OUTDIR
    notebook: str | None = None
    seconds: float | None = None
    rendered_at: str | None = None
    summable: bool = True
    run: str = ""  # this run only (not saved): rendered | unchanged | skipped

    @property
    def label(self) -> str:
        return f"{self.year or '????'}/{self.agency_id or Path(self.file).name}"

    @property
    def ok(self) -> bool:
        """Published, or (with --allow-invalid) published as a stamped draft."""
        return self.status == PUBLISHED or (self.status == INVALID and self.html is not None)


@dataclass
class SummaryEntry(_Record):
    year: int
    hash: str = ""
    status: str = FAILED
    reason: str = ""
    html: str | None = None
    notebook: str | None = None
    seconds: float | None = None
    rendered_at: str | None = None
    regions: list[str] = field(default_factory=list)
    run: str = ""

    @property
    def label(self) -> str:
        return f"{self.year}/{SUMMARY_NAME}"


# --------------------------------------------------------------------------- hashing


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha(path: str | Path) -> str | None:
    """SHA-256 of a regular file, read in blocks; None for anything else. ``previous`` may
    name a device such as /dev/zero: reading it whole would never end (or fill memory)."""
    h = hashlib.sha256()
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # before open: a FIFO would block it
            return None
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


def digest(data: Any) -> str:
    return sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode())


RELATIVE_IMPORT = re.compile(r"^[ \t]*from \.(\w*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]+)", re.M)


def rendering_modules(root: Path) -> list[Path]:
    """The package modules a page is built from: the modules the template notebooks and the
    pipeline import, followed through their relative imports (read with a regular
    expression: parsing each module would cost more than the rest of a no-change run).
    Editing anything else (the CLI, the batch, the editor) re-renders nothing."""
    seen: set[Path] = set()
    todo = [root / name for name in RENDER_ROOTS]
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        for module, names in RELATIVE_IMPORT.findall(path.read_text("utf-8")):
            found = [module] if module else re.findall(r"(\w+)(?:\s+as\s+\w+)?", names)
            todo.extend(root / f"{name}.py" for name in found)
    return sorted(seen)


def library_digest() -> str:
    """govinfo's version, the source of the modules pages come from, and the templates."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256(__version__.encode())
    templates = sorted(p for p in (root / "templates").rglob("*") if p.is_file())
    for path in [*rendering_modules(root), *templates]:
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def font_id() -> str:
    """The chart font, by path, size and time (hashing 20 MB of font each run is too slow)."""
    from .charts import FontError, find_cjk_font

    try:
        path = find_cjk_font()
    except FontError:
        return "none"
    stat = path.stat()
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


def environment(
    template: Path | None = None, summary_template: Path | None = None
) -> dict[str, str | None]:
    """What every page depends on besides its own files."""
    from .pipeline import DEFAULT_NOTEBOOK
    from .summary import DEFAULT_TEMPLATE

    return {
        "govinfo": __version__,
        "library": library_digest(),
        "font": font_id(),
        "template": file_sha(template or DEFAULT_NOTEBOOK),
        "summary_template": file_sha(summary_template or DEFAULT_TEMPLATE),
    }


def report_hash(entry: Entry, env: dict[str, Any], allow_invalid: bool) -> str:
    """Everything one agency's page depends on."""
    keys = ("govinfo", "library", "font", "template")
    return digest(
        {
            "file": entry.file_sha,
            "previous": entry.previous_sha,
            "env": {k: env[k] for k in keys},
            "draft": bool(allow_invalid and entry.errors),
        }
    )


# --------------------------------------------------------------------------- reading


def read_manifest(outdir: Path) -> dict[str, Any]:
    try:
        data = json.loads((outdir / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        print(f"warning: ignoring unreadable {outdir / MANIFEST}: {exc}", file=sys.stderr)
        return {}
    return data if isinstance(data, dict) and data.get("schema") == MANIFEST_SCHEMA else {}


def outputs_exist(outdir: Path, *relative: str | None) -> bool:
    return all(r is not None and (outdir / r).is_file() for r in relative)


def up_to_date(
    manifest: dict[str, Any],
    outdir: Path,
    files: Sequence[Path],
    shas: dict[str, str | None],
    env: dict[str, Any],
) -> tuple[list[Entry], list[SummaryEntry]] | None:
    """The manifest's entries when nothing has to be done, else None. Reads no YAML."""
    if not manifest or manifest.get("environment") != env:
        return None
    entries = [Entry.from_json(e) for e in manifest.get("agencies", [])]
    summaries = [SummaryEntry.from_json(s) for s in manifest.get("summaries", [])]
    if {e.source for e in entries} != set(shas) or len(entries) != len(files):
        return None
    for e in entries:
        if shas[e.source] != e.file_sha or e.status == FAILED:
            return None
        if e.previous and shas.get(e.previous, file_sha(e.previous)) != e.previous_sha:
            return None
        if e.html and not outputs_exist(outdir, e.html, e.notebook):
            return None
    for s in summaries:
        if s.status != PUBLISHED or not outputs_exist(outdir, s.html, s.notebook):
            return None
    if not (outdir / INDEX).is_file():
        return None
    for item in (*entries, *summaries):
        item.run = "unchanged"
    return entries, summaries


# --------------------------------------------------------------------------- manifest


def manifest_data(
    outdir: Path, env: dict[str, Any], entries: Sequence[Entry], summaries: Sequence[SummaryEntry]
) -> dict[str, Any]:
    return {
        "schema": MANIFEST_SCHEMA,
        "outdir": str(outdir.resolve()),
        "environment": env,
        "agencies": [e.to_json() for e in sorted(entries, key=entry_order)],
        "summaries": [s.to_json() for s in sorted(summaries, key=lambda s: s.year)],
    }


def entry_order(e: Entry) -> tuple[int, str, str]:
    return (e.year or 0, e.agency_id, e.file)


def write_manifest(outdir: Path, data: dict[str, Any]) -> Path:
    path = outdir / MANIFEST
    atomic_write(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    return path
