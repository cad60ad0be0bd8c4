"""The batch manifest (OUTDIR/manifest.json) and the content hashes it is keyed on.

The manifest is the batch's memory between runs: per parameter file its content hash, the
``previous`` file it names, the hash of everything its page depends on, status, findings,
duration and output paths; per year the summary's hash and status. A later run compares
hashes, not times, so copying or touching files renders nothing, while an edit anywhere a
page depends on renders that page again. :func:`up_to_date` answers "is there anything to
do?" from bytes and the manifest alone: no YAML is parsed and nothing heavy is imported.

Outputs are not trusted because they exist: the manifest records the SHA-256 of every page
and notebook written (``outputs``), and a page whose file no longer matches is rendered
again. So that a no-change run need not read every page, each record keeps the file's size,
mtime, ctime and inode as they were when hashed; a file whose stat still matches is taken as
unchanged (any write, or ``touch``, changes its ctime), the rest are hashed again.

The manifest covers the whole site, not one run: a batch over some files keeps the entries
of the others (:func:`split_entries`), and ``govinfo render`` into the site records its page
too (``written_by: render``, see :func:`govinfo.batch.record_render`).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .. import __version__
from ..divisions import lineage
from ..files import atomic_write
from ..publish.site import INDEX
from ..publish.summary import SUMMARY_NAME
from ..status import FAILED, INVALID, PUBLISHED

MANIFEST = "manifest.json"
MANIFEST_SCHEMA = "govinfo/batch-manifest@1"
BATCH, RENDER = "batch", "render"  # who wrote an entry (Entry.written_by)
# The subpackages pages are built from, and the top-level modules above publishing: the
# layers of pyproject's [tool.importlinter] (see rendering_files).
# sheets: the summary's county workbook (govinfo.batch.workers) is written from it.
RENDERING_PACKAGES = ("publish", "params", "sheets")
ABOVE_PUBLISH = frozenset({"__main__.py", "cli.py", "examples.py", "province.py", "widgets.py"})


class _Record:
    """JSON round trip of a manifest record; ``run`` describes this run only, never saved."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Any:
        names = _NAME_SETS.get(cls) or _NAME_SETS.setdefault(cls, frozenset(_names(cls)))
        if data.keys() <= names:  # the usual case: a manifest this version wrote
            return cls(**data)
        return cls(**{k: v for k, v in data.items() if k in names})

    def to_json(self) -> dict[str, Any]:
        # Shallow (the lists and dicts are the record's own): a province's 20,000 records
        # are written every few seconds, and ``asdict`` copies everything deeply, 10× slower.
        return {name: getattr(self, name) for name in _names(type(self)) if name != "run"}


_NAMES: dict[type, tuple[str, ...]] = {}  # a record class's field names, in order
_NAME_SETS: dict[type, frozenset[str]] = {}


def _names(cls: type) -> tuple[str, ...]:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


@dataclass
class Entry(_Record):
    """One parameter file: what validation found and what rendering did (a manifest row)."""

    file: str  # as found (relative to where the batch ran)
    source: str  # absolute path: the key between runs
    file_sha: str
    # [size, mtime_ns, ctime_ns, inode] of the file when hashed: unchanged, its bytes are
    # (see outputs_match), so the next run takes file_sha without reading the file.
    file_stat: list[int] | None = None
    year: int | None = None
    agency_id: str = ""
    agency: str = ""
    region: str = ""
    region_code: str = ""  # GB/T 2260: the region hierarchy it is summed in (govinfo.divisions)
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
    documents: dict[str, str] = field(default_factory=dict)  # docx, pdf … → relative path
    seconds: float | None = None
    rendered_at: str | None = None
    summable: bool = True
    # relative path → {"sha256": …, "stat": [size, mtime_ns, ctime_ns, inode]} of each output
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    # render: recorded by ``govinfo render`` (or the editor); the next batch validates it again
    written_by: str = BATCH
    run: str = ""  # this run only (not saved): rendered | unchanged | skipped | kept

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
    documents: dict[str, str] = field(default_factory=dict)  # the county workbook (xlsx)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    run: str = ""

    @property
    def label(self) -> str:
        return f"{self.year}/{SUMMARY_NAME}"


@dataclass
class RegionEntry(SummaryEntry):
    """The summary page of one region of a hierarchy (``<year>/summary.<code>.html``, see
    :mod:`govinfo.batch.regions`): kept apart from the year summaries, under ``regions``."""

    code: str = ""
    name: str = ""
    parent: str = ""  # the code of the region above, "" at the top

    @property
    def label(self) -> str:
        return f"{self.year}/{SUMMARY_NAME}.{self.code}"


def region_entries(manifest: dict[str, Any]) -> list[RegionEntry]:
    return [RegionEntry.from_json(r) for r in manifest.get("regions", [])]


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


def file_shas(
    files: Sequence[Path], sources: Sequence[str], manifest: dict[str, Any]
) -> tuple[dict[str, str | None], dict[str, list[int]]]:
    """(SHA-256, stat) of each parameter file, by source. A file whose stat is the one its
    manifest entry recorded is not read: its recorded SHA-256 is taken, as for outputs
    (:func:`outputs_match`), so a run over 20,000 unchanged files reads none of them."""
    recorded = {e.get("source"): e for e in manifest.get("agencies", [])}
    shas: dict[str, str | None] = {}
    stats: dict[str, list[int]] = {}
    for path, source in zip(files, sources, strict=True):
        entry = recorded.get(source)
        try:
            st = os.stat(path)
        except OSError:
            st = None
        if st is None or not stat.S_ISREG(st.st_mode):  # a FIFO would block a read
            shas[source] = None
            continue
        now = _fingerprint(st)
        if entry and entry.get("file_stat") == now and entry.get("file_sha"):
            shas[source], stats[source] = entry["file_sha"], now
            continue
        record = output_record(path)
        shas[source] = record["sha256"] if record else None
        if record and "stat" in record:
            stats[source] = record["stat"]
    return shas, stats


def digest(data: Any) -> str:
    return sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode())


def rendering_files(root: Path) -> list[Path]:
    """What a page is built from, decided by the layers (pyproject's ``[tool.importlinter]``):
    everything in the publishing subpackage (sources, templates, notebooks) and in the
    parameter files subpackage, and the ground floor modules below them (every module at the
    package's top but those above publishing). Editing a layer above (the batch, the editor,
    the importer, the CLI) re-renders nothing; a new ground floor module is hashed at once.
    ``tests/test_architecture.py`` checks this against the import graph."""
    top = [p for p in root.glob("*.py") if p.name not in ABOVE_PUBLISH]
    below = [
        p
        for package in RENDERING_PACKAGES
        for p in (root / package).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    return sorted([*top, *below])


def library_digest() -> str:
    """govinfo's version and the bytes of every file pages come from (:func:`rendering_files`)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(__version__.encode())
    for path in rendering_files(root):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def font_id() -> str:
    """The chart font, by path, size and time (hashing 20 MB of font each run is too slow)."""
    from ..publish.charts import FontError, find_cjk_font

    try:
        path = find_cjk_font()
    except FontError:
        return "none"
    stat = path.stat()
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


def environment(
    template: str | Path | None = None, summary_template: str | Path | None = None
) -> dict[str, str | None]:
    """What every page depends on besides its own files."""
    from ..publish.pipeline import DEFAULT_NOTEBOOK
    from ..publish.summary import DEFAULT_TEMPLATE

    return {
        "govinfo": __version__,
        "library": library_digest(),
        "font": font_id(),
        "template": file_sha(template or DEFAULT_NOTEBOOK),
        "summary_template": file_sha(summary_template or DEFAULT_TEMPLATE),
    }


def report_hash(
    entry: Entry, env: dict[str, Any], allow_invalid: bool, formats: Sequence[str] = ("html",)
) -> str:
    """Everything one agency's page (and its Word and PDF files) depends on."""
    keys = ("govinfo", "library", "font", "template")
    data: dict[str, Any] = {
        "file": entry.file_sha,
        "previous": entry.previous_sha,
        "env": {k: env[k] for k in keys},
        "draft": bool(allow_invalid and entry.errors),
    }
    if tuple(formats) != ("html",):  # so that the hashes of html-only sites stay as they were
        data["formats"] = list(formats)
    return digest(data)


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


def _fingerprint(st: os.stat_result) -> list[int]:
    """What changes whenever a file's bytes do: ctime cannot be set back (``touch -r`` and
    ``cp -p`` restore mtime, not ctime), and a replaced file has a new inode."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def output_record(path: Path) -> dict[str, Any] | None:
    """SHA-256 of an output file and the stat it had while hashed; None when unreadable."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            before = os.fstat(handle.fileno())
            if not stat.S_ISREG(before.st_mode):
                return None
            while block := handle.read(1 << 20):
                h.update(block)
            after = os.fstat(handle.fileno())
    except OSError:
        return None
    record: dict[str, Any] = {"sha256": h.hexdigest()}
    if _fingerprint(before) == _fingerprint(after):  # else written meanwhile: hash next time
        record["stat"] = _fingerprint(after)
    return record


def record_outputs(outdir: Path, *relative: str | None) -> dict[str, dict[str, Any]]:
    """The ``outputs`` of a page just written (files that cannot be read are left out, so
    the next run renders the page again)."""
    records = {r: output_record(outdir / r) for r in relative if r is not None}
    return {r: rec for r, rec in records.items() if rec is not None}


def outputs_match(outdir: Path, item: Entry | SummaryEntry) -> bool:
    """Whether the page and notebook ``item`` names are the files it recorded, byte for byte.

    A file whose stat is the recorded one is not read; one whose stat changed (a copied or
    restored site) is hashed, and when it still matches its record takes the new stat, so
    it is read once, not on every run. No record (a manifest from before hashes were kept)
    means no match: the page is rendered again rather than trusted."""
    wanted = [r for r in (item.html, item.notebook, *item.documents.values()) if r is not None]
    if not wanted or not set(wanted) <= set(item.outputs):
        return False
    fresh: dict[str, dict[str, Any]] = {}
    base = os.fspath(outdir)  # os.path, not pathlib: called for 20,000 pages in a run
    for relative, record in item.outputs.items():
        try:
            st = os.stat(os.path.join(base, relative))
        except OSError:
            return False
        if record.get("stat") == _fingerprint(st):
            fresh[relative] = record
            continue
        now = output_record(outdir / relative)
        if now is None or now["sha256"] != record.get("sha256"):
            return False
        fresh[relative] = now
    item.outputs = fresh
    return True


def split_entries(
    entries: Sequence[Entry], shas: dict[str, str | None], folders: Sequence[Path]
) -> tuple[dict[str, Entry], list[Entry], list[Entry]]:
    """The manifest's entries as a batch over ``shas``' files sees them: (given, kept,
    dropped).

    * given: files of this batch (keyed by source);
    * kept: files not given, whose entries, pages, index rows and summary membership stay
      as they are: a batch over one file or one year leaves the rest of the site alone;
    * dropped: files that are gone from a folder the batch was given (``folders``,
      resolved): the agency was removed there. Their pages stay on disk (a published
      report is never deleted by govinfo), unlinked from the index and out of the summary.
    A file that is gone but was never under a given folder is kept: this batch was not
    asked about it."""
    given: dict[str, Entry] = {}
    kept: list[Entry] = []
    dropped: list[Entry] = []
    for e in entries:
        if e.source in shas:
            given[e.source] = e
        elif not Path(e.source).is_file() and any(f in Path(e.source).parents for f in folders):
            dropped.append(e)
        else:
            e.run = "kept"
            kept.append(e)
    return given, kept, dropped


def superseded(kept: Sequence[Entry], given: Sequence[Entry]) -> list[Entry]:
    """Kept entries whose page (year and agency_id) a given file now defines: a file moved
    or copied elsewhere is one agency, not two rows and two summary members."""
    taken = {(e.year, e.agency_id) for e in given if e.year and e.agency_id}
    return [e for e in kept if (e.year, e.agency_id) in taken]


def up_to_date(
    manifest: dict[str, Any],
    outdir: Path,
    files: Sequence[Path],
    shas: dict[str, str | None],
    env: dict[str, Any],
    folders: Sequence[Path] = (),
) -> tuple[list[Entry], list[Entry], list[SummaryEntry]] | None:
    """(given, kept, summaries) from the manifest when nothing has to be done, else None.
    Reads no YAML; reads an output only when its stat changed (see :func:`outputs_match`)."""
    if not manifest or manifest.get("environment") != env:
        return None
    entries = [Entry.from_json(e) for e in manifest.get("agencies", [])]
    summaries = [SummaryEntry.from_json(s) for s in manifest.get("summaries", [])]
    given, kept, dropped = split_entries(entries, shas, folders)
    if dropped or set(given) != set(shas) or len(given) != len(files):
        return None
    if superseded(kept, list(given.values())):
        return None
    for e in given.values():
        if shas[e.source] != e.file_sha or e.status == FAILED or e.written_by != BATCH:
            return None
        if e.previous and shas.get(e.previous, file_sha(e.previous)) != e.previous_sha:
            return None
        if e.html and not outputs_match(outdir, e):
            return None
    if {e.year for e in entries if e.year} != {s.year for s in summaries}:
        return None
    regions = region_entries(manifest)
    for s in (*summaries, *regions):  # an empty hash: made stale by ``govinfo render``
        if not s.hash or s.status != PUBLISHED or not outputs_match(outdir, s):
            return None
    coded = {
        (e.year, code)
        for e in entries
        if e.year and e.region_code
        for code in lineage(e.region_code)
    }
    if coded != {(r.year, r.code) for r in regions}:  # a region page never planned
        return None
    if not (outdir / INDEX).is_file():
        return None
    for item in (*given.values(), *summaries):
        item.run = "unchanged"
    return list(given.values()), kept, summaries


# --------------------------------------------------------------------------- manifest


def manifest_data(
    outdir: Path,
    env: dict[str, Any],
    entries: Sequence[Entry],
    summaries: Sequence[SummaryEntry],
    regions: Sequence[RegionEntry] = (),
) -> dict[str, Any]:
    data = {
        "schema": MANIFEST_SCHEMA,
        "outdir": str(outdir.resolve()),
        "environment": env,
        "agencies": [e.to_json() for e in sorted(entries, key=entry_order)],
        "summaries": [s.to_json() for s in sorted(summaries, key=lambda s: s.year)],
    }
    if regions:  # only a site with region codes has them
        data["regions"] = [r.to_json() for r in sorted(regions, key=lambda r: (r.year, r.code))]
    return data


def entry_order(e: Entry) -> tuple[int, str, str]:
    return (e.year or 0, e.agency_id, e.file)


def write_manifest(outdir: Path, data: dict[str, Any]) -> Path:
    path = outdir / MANIFEST
    atomic_write(path, manifest_text(data))
    return path


def manifest_text(data: dict[str, Any]) -> str:
    """The manifest as JSON, one record a line: ``json.dumps(indent=…)`` falls back to the
    pure-Python encoder, which took seconds for a province's 20,000 records, every save;
    without ``indent`` each record goes through the C encoder (and a diff shows records)."""
    fields = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            records = ",\n  ".join(json.dumps(v, ensure_ascii=False) for v in value)
            text = f"[\n  {records}\n ]"
        else:
            text = json.dumps(value, ensure_ascii=False)
        fields.append(f" {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(fields) + "\n}\n"
