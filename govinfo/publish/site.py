"""The site's public index page (OUTDIR/index.html), built from the batch manifest.

Public and internal apart: the index is what the public sees, so it lists the published
reports only (status published, no error) with a link to each page, and each year's region
summary when it was published. It names no status, finding, failure or missing agency and
links no notebook and no draft: all that is the office's work and is on the internal page
(:mod:`govinfo.publish.internal`, OUTDIR/internal.html), which :func:`write_index` writes alongside.

One self-contained file like the reports: the report stylesheet and page look inlined, no
external script, stylesheet, font or image, and a Content-Security-Policy that forbids
loading any. Agencies are grouped by year (newest first); columns sort on click through a
few lines of inline script (no library); without script the page still reads in its natural
order. All links are relative, so the folder can be copied to any web server.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from ..files import atomic_write
from ..status import PUBLISHED
from .page_kit import (
    INDEX,
    INDEX_TITLE,
    Columns,
    Entry,
    cell,
    document_links,
    kind_cells,
    link,
    name_cell,
    page_html,
    table,
)
from .summary import summary_title

# (header, sortable) — the data cells of public_row follow this order.
COLUMNS: Columns = (
    ("机关", True),
    ("行政区域", True),
    ("类型", True),
    ("范围", True),
)


def public_row(entry: Entry) -> str:
    """The agency's name, linked to its report, and what kind of report it is."""
    return f"<tr>{name_cell(entry, href=entry.get('html'))}{''.join(kind_cells(entry))}</tr>"


def public_row_with_documents(entry: Entry) -> str:
    """:func:`public_row` and a 下载 cell: the Word and PDF files of the report."""
    downloads = cell("", html=document_links(entry) or "—")
    return public_row(entry).removesuffix("</tr>") + downloads + "</tr>"


def is_public(entry: Entry) -> bool:
    """Published without an error and with a page: the only reports the public index lists
    (a stamped draft made with --allow-invalid is an invalid entry with a page)."""
    return entry.get("status") == PUBLISHED and not entry.get("errors") and bool(entry.get("html"))


def _summary_link(summary: Mapping[str, Any] | None, year: int) -> str:
    if summary is None or summary.get("status") != PUBLISHED or not summary.get("html"):
        return ""
    title = link(summary["html"], summary_title(year))
    return f'<p class="gi-summary-link">{title}（按行政区域汇总表二、表三、表四）</p>'


def _region_links(manifest: Mapping[str, Any], year: int) -> str:
    """The top of each region hierarchy of the year (a province's page, which links down
    level by level): the index stays one link per hierarchy however many regions there are."""
    from .hierarchy import title

    regions = [r for r in manifest.get("regions", []) if r.get("year") == year]
    codes = {r.get("code") for r in regions}
    links = [
        f'<p class="gi-summary-link">{link(r["html"], title(year, str(r.get("name") or "")))}'
        "（按行政区划逐级汇总）</p>"
        for r in regions
        if r.get("parent") not in codes and r.get("status") == PUBLISHED and r.get("html")
    ]
    return "".join(links)


def index_html(manifest: Mapping[str, Any]) -> str:
    """The public index for a batch manifest (see :func:`govinfo.batch.manifest.manifest_data`)."""
    entries = [e for e in manifest.get("agencies", []) if is_public(e)]
    summaries = {s["year"]: s for s in manifest.get("summaries", [])}
    years = {e["year"] for e in entries if e.get("year")}
    years |= {y for y, s in summaries.items() if _summary_link(s, y)}
    sections, toc = [], []
    for year in sorted(years, reverse=True):
        mine = [e for e in entries if e.get("year") == year]
        caption = f"{year}年度各单位报告（{len(mine)} 份）"
        if any(e.get("documents") for e in mine):
            reports = table(mine, caption, (*COLUMNS, ("下载", False)), public_row_with_documents)
        else:
            reports = table(mine, caption, COLUMNS, public_row)
        sections.append(
            f'<section class="gi-section gi-year" id="y{year}" data-year="{year}">'
            f"<h2>{year}年度</h2>{_summary_link(summaries.get(year), year)}"
            f"{_region_links(manifest, year)}"
            f"{reports if mine else ''}</section>"
        )
        toc.append(f'<li><a href="#y{year}">{year}年度</a></li>')
    body = (
        f'<header class="gi-header"><h1>{escape(INDEX_TITLE)}</h1>'
        f'<p class="gi-meta"><span>共 {len(entries)} 份</span></p></header>'
        f'<nav class="gi-toc" aria-label="年度"><ol>{"".join(toc)}</ol></nav>'
        f"{''.join(sections)}"
    )
    return page_html(INDEX_TITLE, body)


def write_index(outdir: Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``OUTDIR/index.html`` (public) and ``OUTDIR/internal.html`` (the office's),
    each atomically; returns the index's path. The internal page first: a crash between
    the two never leaves a fresh public index beside a stale internal one."""
    from .internal import write_internal

    write_internal(outdir, manifest)
    path = Path(outdir) / INDEX
    atomic_write(path, index_html(manifest))
    return path
