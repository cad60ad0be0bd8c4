"""The office's internal page (OUTDIR/internal.html): everything the public index leaves out.

The public index (:mod:`govinfo.publish.site`) lists published reports only. The office preparing
them needs the rest, on one page built from the same batch manifest: every agency with its
status, every finding of every report in Chinese (rule, place, message: not just the first),
the failures with their reasons, the links to executed and failed notebooks and to stamped
drafts, the region summaries' status, files that could not be read, and the agencies that
had a report last year but have no file this year (first in each year: the easiest to miss).

It is marked ``noindex`` for search engines and says in its heading that it is internal,
but it sits in the output folder: whoever copies the folder to a public server must leave
it out (with ``manifest.json``, the notebooks and the drafts); see the README.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from .. import layout as L
from ..files import atomic_write
from ..places import findings_list_html, place_label
from ..status import FAILED, INVALID, PUBLISHED, STATUS_LABELS
from .page_kit import (
    INDEX,
    INDEX_TITLE,
    Columns,
    Entry,
    asset,
    cell,
    kind_cells,
    link,
    name_cell,
    page_html,
)
from .page_kit import table as sortable_table
from .summary import summary_title

INTERNAL = "internal.html"
NOTICE = "内部工作页面，请勿公开"
INTERNAL_TITLE = f"{L.TITLE_SUFFIX}（{NOTICE}）"
UNREADABLE = "未能读取的文件"
MISSING_LABEL = "缺报"
ROBOTS = '<meta name="robots" content="noindex, nofollow">\n'
# (header, sortable) — the data cells of the rows below follow this order.
COLUMNS: Columns = (
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


def _anchor(index: int) -> str:
    """The id of an agency's details: by position, never from the (untrusted) agency id."""
    return f"a{index}"


def _status(entry: Entry) -> str:
    status = str(entry.get("status") or INVALID)
    return STATUS_LABELS.get(status, status)


def _report_link(entry: Entry) -> str:
    """The page: 报告 when published, 草稿 for a stamped draft (--allow-invalid)."""
    text = "报告" if entry.get("status") == PUBLISHED and not entry.get("errors") else "草稿"
    return link(entry.get("html"), text)


def _notebook_link(entry: Entry) -> str:
    notebook = entry.get("notebook")
    failed = bool(notebook) and str(notebook).endswith(".failed.ipynb")
    return link(notebook, "失败的笔记本" if failed else "笔记本")


def _has_details(entry: Entry) -> bool:
    return bool(entry.get("findings") or entry.get("reason") or entry.get("status") != PUBLISHED)


def _first_error(entry: Entry) -> str:
    """The first error in Chinese (rule, place, message) with the count of the others; the
    manifest's ``reason`` for a failure or an unreadable file, which has no findings."""
    findings = entry.get("findings") or []
    errors = [f for f in findings if f.get("severity") == "error"]
    if not errors:
        return "" if findings else str(entry.get("reason") or "")
    first = errors[0]
    place = place_label(str(first.get("section") or ""), first.get("row"), first.get("column"))
    more = f"（共 {len(errors)} 项错误）" if len(errors) > 1 else ""
    return f"{first.get('rule')} {place}：{first.get('zh')}{more}"


def _row(anchors: Mapping[int, str]) -> Callable[[Entry], str]:
    def row(entry: Entry) -> str:
        status = escape(str(entry.get("status") or INVALID))
        note = _first_error(entry) if entry.get("status") != FAILED else entry.get("reason")
        html = escape(str(note or ""))
        anchor = anchors.get(id(entry))
        if anchor:
            count = len(entry.get("findings") or [])
            more = f'<a href="#{anchor}">{f"全部 {count} 项" if count else "详情"}</a>'
            html += f"<br>{more}" if html else more
        cells = [
            name_cell(entry, slug=True),
            *kind_cells(entry),
            cell(_status(entry), sort=status, cls="gi-status"),
            cell(str(entry.get("errors", 0)), cls="gi-num"),
            cell(str(entry.get("warnings", 0)), cls="gi-num"),
            cell("", html=_report_link(entry)),
            cell("", html=_notebook_link(entry)),
            cell(str(note or ""), cls="gi-reason", html=html),
        ]
        return f'<tr class="gi-status-{status}" data-status="{status}">{"".join(cells)}</tr>'

    return row


def _details(entries: Sequence[Entry], anchors: Mapping[int, str]) -> str:
    """Per agency with anything to say: status, reason, every finding in Chinese, links."""
    blocks = []
    for entry in sorted(entries, key=lambda e: e.get("agency_id") or ""):
        anchor = anchors.get(id(entry))
        if not anchor:
            continue
        name = entry.get("agency") or Path(entry.get("file") or "").name
        # A failure's reason (or an unreadable file's): the findings say the rest.
        reason = entry.get("reason") if entry.get("status") == FAILED else ""
        reason = reason or ("" if entry.get("findings") else entry.get("reason") or "")
        parts = [
            f"<h4>{escape(name)}（{escape(_status(entry))}）</h4>",
            f'<p class="gi-where">{escape(str(entry.get("file") or ""))}</p>',
        ]
        if reason:
            parts.append(f'<p class="gi-reason">{escape(str(reason))}</p>')
        parts.append(findings_list_html(entry.get("findings") or []))
        links = [x for x in (_report_link(entry), _notebook_link(entry)) if x != "—"]
        if links:
            parts.append(f"<p>{'　'.join(links)}</p>")
        blocks.append(f'<article class="gi-agency" id="{anchor}">{"".join(parts)}</article>')
    if not blocks:
        return ""
    return f"<h3>校验结果与失败原因</h3>{''.join(blocks)}"


def missing_agencies(entries: Sequence[Entry], year: int) -> list[Entry]:
    """Last year's entries whose agency has no file this year (by agency id)."""
    now = {e.get("agency_id") for e in entries if e.get("year") == year}
    before = [e for e in entries if e.get("year") == year - 1 and e.get("agency_id")]
    return sorted(
        (e for e in before if e.get("agency_id") not in now), key=lambda e: e["agency_id"]
    )


def _missing(entries: Sequence[Entry], year: int) -> str:
    missing = missing_agencies(entries, year)
    if not missing:
        return ""
    items = "".join(
        f"<li>{escape(e.get('agency') or e['agency_id'])}"
        f'（<span class="gi-where">{escape(e["agency_id"])}</span>）'
        f"{'：' + link(e['html'], f'{year - 1}年度报告') if e.get('html') else ''}</li>"
        for e in missing
    )
    return (
        f"<h3>{MISSING_LABEL}：上年有报告、本年没有参数文件的单位（{len(missing)} 个）</h3>"
        f'<ul class="gi-missing">{items}</ul>'
    )


def _summary(summary: Mapping[str, Any] | None, year: int) -> str:
    if summary is None:
        return ""
    status = str(summary.get("status") or FAILED)
    label = escape(STATUS_LABELS.get(status, status))
    if summary.get("html"):
        title = link(summary["html"], summary_title(year))
        return f'<p class="gi-summary-link">{title}：{label}</p>'
    reason = escape(str(summary.get("reason") or ""))
    return f'<p class="gi-summary-link">{escape(summary_title(year))}：{label} {reason}</p>'


def internal_html(manifest: Mapping[str, Any]) -> str:
    """The internal page for a batch manifest (see :func:`govinfo.batch.manifest.manifest_data`)."""
    entries = list(manifest.get("agencies", []))
    anchors = {id(e): _anchor(i) for i, e in enumerate(entries) if _has_details(e)}
    row = _row(anchors)
    summaries = {s["year"]: s for s in manifest.get("summaries", [])}
    years = sorted({e["year"] for e in entries if e.get("year")}, reverse=True)
    missing = sum(len(missing_agencies(entries, y)) for y in years)
    counts = [
        f"<span>{escape(label)} {sum(e.get('status') == status for e in entries)}</span>"
        for status, label in STATUS_LABELS.items()
    ]
    counts.append(f"<span>{MISSING_LABEL} {missing}</span>")
    sections, toc = [], []
    for year in years:
        mine = [e for e in entries if e.get("year") == year]
        caption = f"{year}年度各单位状态（{len(mine)} 份）"
        sections.append(
            f'<section class="gi-section gi-year" id="y{year}" data-year="{year}">'
            f"<h2>{year}年度</h2>{_missing(entries, year)}{_summary(summaries.get(year), year)}"
            f"{sortable_table(mine, caption, COLUMNS, row)}{_details(mine, anchors)}</section>"
        )
        toc.append(f'<li><a href="#y{year}">{year}年度</a></li>')
    unknown = [e for e in entries if not e.get("year")]
    if unknown:
        sections.append(
            f'<section class="gi-section gi-year" id="unreadable"><h2>{UNREADABLE}</h2>'
            f"{sortable_table(unknown, UNREADABLE, COLUMNS, row)}{_details(unknown, anchors)}"
            "</section>"
        )
        toc.append(f'<li><a href="#unreadable">{UNREADABLE}</a></li>')
    body = (
        f'<header class="gi-header"><h1>{escape(INTERNAL_TITLE)}</h1>'
        f'<p class="gi-notice" role="note">{NOTICE}：本页列出全部单位的状态、校验结果、'
        "生成失败原因和缺报单位，供本机关核对，不得发布到公开网站。</p>"
        f'<p class="gi-meta"><span>共 {len(entries)} 份</span>{"".join(counts)}</p>'
        f'<p class="gi-meta"><a href="{INDEX}">{escape(INDEX_TITLE)}（公开）</a></p></header>'
        f'<nav class="gi-toc" aria-label="年度"><ol>{"".join(toc)}</ol></nav>'
        f"{''.join(sections)}"
    )
    return page_html(
        INTERNAL_TITLE, body, head=ROBOTS, css=asset("internal.css"), cls="gi-index gi-internal"
    )


def write_internal(outdir: Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``OUTDIR/internal.html`` atomically."""
    path = Path(outdir) / INTERNAL
    atomic_write(path, internal_html(manifest))
    return path
