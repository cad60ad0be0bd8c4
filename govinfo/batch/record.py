"""One page into a batch's site: ``govinfo render -o SITE`` and the editor's 生成报告.

:func:`render_into_site` renders under the site lock and :func:`record_render` puts the page
into the site's manifest and index, so that the next batch starts from what is on disk. The
small helpers shared with the runner (:func:`first_error`, :func:`relative`,
:func:`timestamp`) live here because both write entries the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import site_lock
from ..findings import Finding
from ..status import INVALID, PUBLISHED
from .manifest import (
    RENDER,
    Entry,
    SummaryEntry,
    environment,
    file_sha,
    manifest_data,
    read_manifest,
    record_outputs,
    region_entries,
    report_hash,
    write_manifest,
)

if TYPE_CHECKING:
    from ..publish.pipeline import RenderResult


def first_error(findings: Sequence[Finding]) -> str:
    errors = [f for f in findings if f.is_error]
    if not errors:
        return ""
    first = errors[0]
    more = f"（共 {len(errors)} 项错误）" if len(errors) > 1 else ""
    return f"{first.rule} {first.where}: {first.zh}{more}"


def timestamp() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def relative(outdir: Path, path: str) -> str:
    return Path(path).resolve().relative_to(outdir.resolve()).as_posix()


# --------------------------------------------------------------------------- govinfo render


def render_recorded(
    path: str | Path,
    outdir: str | Path,
    *,
    allow_invalid: bool = False,
    template: str | Path | None = None,
    timeout: float | None = None,
    **engine_kwargs: Any,
) -> RenderResult:
    """:func:`govinfo.publish.pipeline.render` into a site whose lock the caller holds, then the
    page is recorded in the site's manifest (:func:`record_render`). The parameter file is
    hashed before it is read: if it changes while the page renders, the manifest keeps the
    old hash and the next batch renders the page again."""
    from ..publish.pipeline import render

    sha = file_sha(path) or ""
    result = render(
        path,
        outdir,
        allow_invalid=allow_invalid,
        template=template,
        timeout=timeout,
        **engine_kwargs,
    )
    record_render(Path(outdir), Path(path), result, sha, allow_invalid, template)
    return result


def render_into_site(path: str | Path, outdir: str | Path, **options: Any) -> RenderResult:
    """One page as ``govinfo render`` publishes it (for the editor's 生成报告): under the
    site lock (:class:`govinfo.files.SiteBusy` while a batch or render holds it) and
    recorded in the site's manifest. ``options`` as for :func:`render_recorded`."""
    with site_lock(Path(outdir)):
        return render_recorded(path, outdir, **options)


def record_render(
    outdir: Path,
    path: Path,
    result: RenderResult,
    sha: str,
    allow_invalid: bool,
    template: str | Path | None = None,
) -> bool:
    """Put a page ``govinfo render`` just wrote into a batch's site manifest (and index), so
    that the next batch starts from what is on disk: the file's hash, findings, status and
    the outputs' hashes. Any other entry for the same file or the same page (year and
    agency_id) is replaced. The year's summary is marked stale (its hash cleared) and is
    rendered again by the next batch, which also validates the entry again
    (``written_by: render``: a batch checks continuity across the files it is given).

    Returns False, writing nothing, when OUTDIR has no manifest: not a batch's site."""
    manifest = read_manifest(outdir)
    if not manifest:
        return False
    report = result.report
    entry = Entry(file=str(path), source=str(path.resolve()), file_sha=sha, written_by=RENDER)
    entry.year, entry.agency_id, entry.agency = report.year, report.agency_id, report.agency
    entry.region, entry.kind, entry.scope = report.region, report.kind, report.scope
    entry.region_code = report.region_code  # its regions' pages: their hashes see the new file
    if report.previous_path:
        entry.previous = str((path.parent / report.previous_path).resolve())
        entry.previous_sha = file_sha(entry.previous)
    findings = result.findings
    entry.findings = [f.to_dict() for f in findings]
    entry.errors = sum(f.is_error for f in findings)
    entry.warnings = len(findings) - entry.errors
    entry.reason = first_error(findings)
    formats = ("html", *result.documents)
    entry.hash = report_hash(entry, environment(template), allow_invalid, formats)
    entry.status = PUBLISHED if not entry.errors else INVALID
    entry.html = relative(outdir, str(result.html))
    entry.notebook = relative(outdir, str(result.notebook))
    entry.documents = {k: relative(outdir, str(v)) for k, v in result.documents.items()}
    entry.outputs = record_outputs(outdir, entry.html, entry.notebook, *entry.documents.values())
    entry.seconds, entry.rendered_at = round(result.seconds, 2), timestamp()

    def replaced(e: Entry) -> bool:
        return e.source == entry.source or (e.year, e.agency_id) == (entry.year, report.agency_id)

    entries = [Entry.from_json(e) for e in manifest.get("agencies", [])]
    stale = {entry.year, *(e.year for e in entries if replaced(e))}
    entries = [e for e in entries if not replaced(e)] + [entry]
    summaries = [SummaryEntry.from_json(s) for s in manifest.get("summaries", [])]
    for s in summaries:
        if s.year in stale:
            s.hash = ""  # its sums may have changed: up_to_date and summary_task see it
    regions = region_entries(manifest)
    data = manifest_data(outdir, manifest.get("environment", {}), entries, summaries, regions)
    write_manifest(outdir, data)
    from ..publish.site import write_index

    write_index(outdir, data)
    return True
