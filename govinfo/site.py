"""The site's public index page (OUTDIR/index.html), built from the batch manifest.

Public and internal apart: the index is what the public sees, so it lists the published
reports only (status published, no error) with a link to each page, and each year's region
summary when it was published. It names no status, finding, failure or missing agency and
links no notebook and no draft: all that is the office's work and is on the internal page
(:mod:`govinfo.internal`, OUTDIR/internal.html), which :func:`write_index` writes alongside.

One self-contained file like the reports: the report stylesheet and page look inlined, no
external script, stylesheet, font or image, and a Content-Security-Policy that forbids
loading any. Agencies are grouped by year (newest first); columns sort on click through a
few lines of inline script (no library); without script the page still reads in its natural
order. All links are relative, so the folder can be copied to any web server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from . import layout as L
from .files import atomic_write
from .summary import summary_title

INDEX = "index.html"
INDEX_TITLE = f"{L.TITLE_SUFFIX}索引"
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
Entry = Mapping[str, Any]
Columns = tuple[tuple[str, bool], ...]
# (header, sortable) — the data cells of public_row follow this order.
COLUMNS: Columns = (
    ("机关", True),
    ("行政区域", True),
    ("类型", True),
    ("范围", True),
    ("报告", False),
)

INDEX_CSS = """
.gi-index .gi-table td { text-align: left; }
.gi-index .gi-table td.gi-num { text-align: right; }
.gi-index th button {
  font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer;
  color: inherit;
}
.gi-index th button::after { content: " ↕"; color: #999; font-weight: normal; }
.gi-index th[aria-sort="ascending"] button::after { content: " ↑"; color: inherit; }
.gi-index th[aria-sort="descending"] button::after { content: " ↓"; color: inherit; }
.gi-index tr.gi-status-failed td.gi-status { color: #c81e1e; font-weight: 600; }
.gi-index tr.gi-status-invalid td.gi-status { color: #8a6100; font-weight: 600; }
.gi-index td.gi-reason { font-size: 0.85em; color: var(--gi-muted); max-width: 22em; }
.gi-index .gi-summary-link { text-indent: 0; }
.gi-index .gi-table-wrap { overflow-x: auto; }
.gi-index .gi-meta span { display: inline-block; }
"""

SORT_SCRIPT = """
document.querySelectorAll("table.gi-sortable").forEach(function (table) {
  table.querySelectorAll("thead button[data-col]").forEach(function (button) {
    button.addEventListener("click", function () {
      var th = button.parentNode, col = Number(button.getAttribute("data-col"));
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("thead th[aria-sort]").forEach(function (other) {
        other.setAttribute("aria-sort", "none");
      });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-sort"), y = b.cells[col].getAttribute("data-sort");
        var nx = parseFloat(x), ny = parseFloat(y);
        var d = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y, "zh-CN") : nx - ny;
        return ascending ? d : -d;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


def _css() -> str:
    from .tables import stylesheet

    page = resources.files("govinfo").joinpath("templates/govinfo/page.css").read_text("utf-8")
    return stylesheet() + page + INDEX_CSS


def cell(text: str, sort: str | int | None = None, cls: str = "", html: str | None = None) -> str:
    """A data cell: ``data-sort`` is what the sort script compares (the text by default)."""
    attrs = f' data-sort="{escape(str(text if sort is None else sort))}"'
    if cls:
        attrs += f' class="{cls}"'
    return f"<td{attrs}>{html if html is not None else escape(text)}</td>"


def link(href: str | None, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>' if href else "—"


def name_cell(entry: Entry, slug: bool = False) -> str:
    """The row header: the agency's name (the file's name when it has none)."""
    name = entry.get("agency") or Path(entry.get("file") or "").name
    small = ""
    if slug:
        small = (
            f'<br><small class="gi-where">{escape(entry.get("agency_id") or entry["file"])}</small>'
        )
    return f'<th scope="row" data-sort="{escape(name)}">{escape(name)}{small}</th>'


def kind_cells(entry: Entry) -> list[str]:
    """行政区域, 类型, 范围: the labels of the layout for the keys of the file."""
    kind, scope = entry.get("kind", ""), entry.get("scope", "")
    return [
        cell(entry.get("region") or ""),
        cell(L.KINDS.get(kind, kind)),
        cell(L.SCOPES.get(scope, scope)),
    ]


def public_row(entry: Entry) -> str:
    cells = [name_cell(entry), *kind_cells(entry), cell("", html=link(entry.get("html"), "报告"))]
    return f"<tr>{''.join(cells)}</tr>"


def table(
    entries: Sequence[Entry], caption: str, columns: Columns, row: Callable[[Entry], str]
) -> str:
    """A sortable table, one row per entry in agency id order, scrollable when narrow."""
    head = "".join(
        f'<th scope="col" aria-sort="none"><button type="button" data-col="{i}">'
        f"{escape(label)}</button></th>"
        if sortable
        else f'<th scope="col">{escape(label)}</th>'
        for i, (label, sortable) in enumerate(columns)
    )
    body = "".join(row(e) for e in sorted(entries, key=lambda e: e.get("agency_id") or ""))
    return (
        f'<div class="gi-table-wrap"><table class="gi-table gi-sortable">'
        f"<caption>{escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def page_html(title: str, body: str, head: str = "", css: str = "", cls: str = "gi-index") -> str:
    """A whole site page around ``body``: inlined styles (plus ``css``), the CSP, the sort
    script; ``head`` is more of the head (the internal page's robots tag)."""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="govinfo">\n{head}'
        f"<title>{escape(title)}</title>\n<style>{_css()}{css}</style>\n</head>\n<body>\n"
        f'<main class="gi-page {cls}">{body}</main>\n<script>{SORT_SCRIPT}</script>\n'
        "</body>\n</html>\n"
    )


def is_public(entry: Entry) -> bool:
    """Published without an error and with a page: the only reports the public index lists
    (a stamped draft made with --allow-invalid is an invalid entry with a page)."""
    return (
        entry.get("status") == "published" and not entry.get("errors") and bool(entry.get("html"))
    )


def _summary_link(summary: Mapping[str, Any] | None, year: int) -> str:
    if summary is None or summary.get("status") != "published" or not summary.get("html"):
        return ""
    title = link(summary["html"], summary_title(year))
    return f'<p class="gi-summary-link">{title}（按行政区域汇总表二、表三、表四）</p>'


def index_html(manifest: Mapping[str, Any]) -> str:
    """The public index for a batch manifest (see :func:`govinfo.batch.manifest_data`)."""
    entries = [e for e in manifest.get("agencies", []) if is_public(e)]
    summaries = {s["year"]: s for s in manifest.get("summaries", [])}
    years = {e["year"] for e in entries if e.get("year")}
    years |= {y for y, s in summaries.items() if _summary_link(s, y)}
    sections, toc = [], []
    for year in sorted(years, reverse=True):
        mine = [e for e in entries if e.get("year") == year]
        reports = table(mine, f"{year}年度各单位报告（{len(mine)} 份）", COLUMNS, public_row)
        sections.append(
            f'<section class="gi-section gi-year" id="y{year}" data-year="{year}">'
            f"<h2>{year}年度</h2>{_summary_link(summaries.get(year), year)}"
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
