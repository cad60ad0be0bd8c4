"""The site's index page (OUTDIR/index.html), built from the batch manifest.

One self-contained file like the reports: the report stylesheet and page look inlined, no
external script, stylesheet, font or image, and a Content-Security-Policy that forbids
loading any. Agencies are grouped by year (newest first), each year with a link to its
region summary; every row shows kind, scope, status (已发布 / 未通过校验 / 生成失败), the
numbers of errors and warnings, and links to the report and the executed notebook. Columns
sort on click through a few lines of inline script (no library); without script the page
still reads in its natural order. All links are relative, so the folder can be copied to
any web server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from . import layout as L
from .files import atomic_write
from .summary import STATUS_LABELS, summary_title

INDEX = "index.html"
INDEX_TITLE = f"{L.TITLE_SUFFIX}索引"
UNREADABLE = "未能读取的文件"
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
# (header, sortable) — the data cells below follow this order.
COLUMNS: tuple[tuple[str, bool], ...] = (
    ("机关", True),
    ("行政区域", True),
    ("类型", True),
    ("范围", True),
    ("状态", True),
    ("错误", True),
    ("警告", True),
    ("报告", False),
    ("笔记本", False),
    ("说明", False),
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


def _cell(text: str, sort: str | int | None = None, cls: str = "", html: str | None = None) -> str:
    attrs = f' data-sort="{escape(str(text if sort is None else sort))}"'
    if cls:
        attrs += f' class="{cls}"'
    return f"<td{attrs}>{html if html is not None else escape(text)}</td>"


def _link(href: str | None, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>' if href else "—"


def _row(entry: Mapping[str, Any]) -> str:
    status = entry.get("status", "invalid")
    notebook = entry.get("notebook")
    notebook_text = "失败的笔记本" if notebook and notebook.endswith(".failed.ipynb") else "笔记本"
    name = entry.get("agency") or Path(entry["file"]).name
    slug = entry.get("agency_id") or entry["file"]
    cells = [
        f'<th scope="row" data-sort="{escape(name)}">{escape(name)}'
        f'<br><small class="gi-where">{escape(slug)}</small></th>',
        _cell(entry.get("region") or ""),
        _cell(L.KINDS.get(entry.get("kind", ""), entry.get("kind", ""))),
        _cell(L.SCOPES.get(entry.get("scope", ""), entry.get("scope", ""))),
        _cell(STATUS_LABELS.get(status, status), sort=status, cls="gi-status"),
        _cell(str(entry.get("errors", 0)), cls="gi-num"),
        _cell(str(entry.get("warnings", 0)), cls="gi-num"),
        _cell("", html=_link(entry.get("html"), "报告")),
        _cell("", html=_link(notebook, notebook_text)),
        _cell(entry.get("reason") or "", cls="gi-reason"),
    ]
    marks = f'class="gi-status-{escape(status)}" data-status="{escape(status)}"'
    return f"<tr {marks}>{''.join(cells)}</tr>"


def _table(entries: Sequence[Mapping[str, Any]], caption: str) -> str:
    head = "".join(
        f'<th scope="col" aria-sort="none"><button type="button" data-col="{i}">'
        f"{escape(label)}</button></th>"
        if sortable
        else f'<th scope="col">{escape(label)}</th>'
        for i, (label, sortable) in enumerate(COLUMNS)
    )
    body = "".join(_row(e) for e in sorted(entries, key=lambda e: e.get("agency_id") or ""))
    return (
        f'<table class="gi-table gi-sortable"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _summary_link(summary: Mapping[str, Any] | None, year: int) -> str:
    if summary is None:
        return ""
    status = summary.get("status", "failed")
    if summary.get("html"):
        link = _link(summary["html"], summary_title(year))
        return f'<p class="gi-summary-link">{link}（按行政区域汇总表二、表三、表四）</p>'
    reason = escape(summary.get("reason") or "")
    return (
        f'<p class="gi-summary-link">{escape(summary_title(year))}：'
        f"{escape(STATUS_LABELS.get(status, status))} {reason}</p>"
    )


def index_html(manifest: Mapping[str, Any]) -> str:
    """The index page for a batch manifest (see :func:`govinfo.batch.manifest_data`)."""
    entries = list(manifest.get("agencies", []))
    summaries = {s["year"]: s for s in manifest.get("summaries", [])}
    years = sorted({e["year"] for e in entries if e.get("year")}, reverse=True)
    counts = [
        f"<span>{escape(label)} {sum(e.get('status') == status for e in entries)}</span>"
        for status, label in STATUS_LABELS.items()
    ]
    sections = []
    for year in years:
        mine = [e for e in entries if e.get("year") == year]
        sections.append(
            f'<section class="gi-section gi-year" id="y{year}" data-year="{year}">'
            f"<h2>{year}年度</h2>{_summary_link(summaries.get(year), year)}"
            f"{_table(mine, f'{year}年度各单位报告（{len(mine)} 份）')}</section>"
        )
    unknown = [e for e in entries if not e.get("year")]
    if unknown:
        sections.append(
            f'<section class="gi-section gi-year" id="unreadable"><h2>{UNREADABLE}</h2>'
            f"{_table(unknown, UNREADABLE)}</section>"
        )
    toc = "".join(f'<li><a href="#y{y}">{y}年度</a></li>' for y in years)
    if unknown:
        toc += f'<li><a href="#unreadable">{UNREADABLE}</a></li>'
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="govinfo">\n'
        f"<title>{escape(INDEX_TITLE)}</title>\n<style>{_css()}</style>\n</head>\n<body>\n"
        '<main class="gi-page gi-index">'
        f'<header class="gi-header"><h1>{escape(INDEX_TITLE)}</h1>'
        f'<p class="gi-meta"><span>共 {len(entries)} 份</span>{"".join(counts)}</p></header>'
        f'<nav class="gi-toc" aria-label="年度"><ol>{toc}</ol></nav>'
        f"{''.join(sections)}</main>\n<script>{SORT_SCRIPT}</script>\n</body>\n</html>\n"
    )


def write_index(outdir: Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``OUTDIR/index.html`` atomically."""
    path = Path(outdir) / INDEX
    atomic_write(path, index_html(manifest))
    return path
