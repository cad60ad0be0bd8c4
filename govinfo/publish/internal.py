"""The office's internal page (OUTDIR/internal.html): everything the public index leaves out.

The public index (:mod:`govinfo.publish.site`) lists published reports only. The office preparing
them needs the rest, on one page built from the same batch manifest: every agency with its
status, every finding of every report in Chinese (rule, place, message: not just the first),
the failures with their reasons, the links to executed and failed notebooks and to stamped
drafts, the region summaries' status, files that could not be read, and the agencies that
had a report last year but have no file this year: each a row of its year's table with the
status 缺失, first (nothing else points at a file that does not exist), linking last year's
report, and counted with the statuses. Every row that is not plainly published links to its
details, where all its findings are listed in Chinese; the row shows the first error in
Chinese (its place named by :mod:`govinfo.places`, never the key path) and how many there are.

It is marked ``noindex`` for search engines and says in its heading that it is internal,
but it sits in the output folder: whoever copies the folder to a public server must leave
it out (with ``manifest.json``, the notebooks and the drafts); see the README.
"""

from __future__ import annotations

import json
import re
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
    document_links,
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
MISSING = "missing"  # a row's status (this page only): reported last year, no file this year
MISSING_LABEL = "缺失"
MISSING_NOTE = "上年有报告、本年没有参数文件"
AUDIT_COLUMN = "体检得分"
ROBOTS = '<meta name="robots" content="noindex, nofollow">\n'
# (header, sortable) — the data cells of the rows below follow this order.
# What the office acts on first (on a phone, what shows beside the name before scrolling).
COLUMNS: Columns = (
    ("机关", True),
    ("状态", True),
    ("错误", True),
    ("警告", True),
    ("说明", False),
    ("报告", False),
    ("笔记本", False),
    ("行政区域", True),
    ("类型", True),
    ("范围", True),
)


def _anchor(index: int) -> str:
    """The id of an agency's details: by position, never from the (untrusted) agency id."""
    return f"a{index}"


def _status(entry: Entry) -> str:
    status = str(entry.get("status") or INVALID)
    return MISSING_LABEL if status == MISSING else STATUS_LABELS.get(status, status)


def _report_link(entry: Entry) -> str:
    """The page: 报告 when published, 草稿 for a stamped draft (--allow-invalid), last
    year's report for a missing agency."""
    if entry.get("status") == MISSING:
        return link(entry.get("html"), f"{entry['year'] - 1}年度报告")
    text = "报告" if entry.get("status") == PUBLISHED and not entry.get("errors") else "草稿"
    documents = document_links(entry)
    return link(entry.get("html"), text) + (f" {documents}" if documents else "")


def _notebook_link(entry: Entry) -> str:
    notebook = entry.get("notebook")
    failed = bool(notebook) and str(notebook).endswith(".failed.ipynb")
    return link(notebook, "失败的笔记本" if failed else "笔记本")


def _has_details(entry: Entry) -> bool:
    return bool(entry.get("findings") or entry.get("reason") or entry.get("status") != PUBLISHED)


# A reason the batch wrote from a finding: "APP-BALANCE applications/total: 新收…".
RAW_REASON = re.compile(r"^[A-Z][A-Z0-9-]* (\w+(?:/\w+){0,2}): (.+)$", re.DOTALL | re.ASCII)


# Columns of a table by section: a two-part key path names a column when it is one of these
# and no row (applications/natural_person, a whole column's finding).
COLUMN_KEYS: dict[str, frozenset[str]] = {
    L.APPLICATIONS: frozenset(L.COLUMN_BY_KEY),
    L.REVIEW_LITIGATION: frozenset(L.REVIEW_OUTCOME_BY_KEY),
}
ROW_KEYS: dict[str, frozenset[str]] = {
    L.APPLICATIONS: frozenset(L.ROW_BY_KEY),
    L.REVIEW_LITIGATION: frozenset(L.CASE_GROUP_BY_KEY),
}


def _in_chinese(reason: str) -> str:
    """A reason written from a finding, its key path named in Chinese; any other as it is."""
    match = RAW_REASON.match(reason)
    if not match:
        return reason
    section, *rest = match.group(1).split("/")
    row, column = [*rest, None, None][:2]
    if column is None and row not in ROW_KEYS.get(section, frozenset()):
        row, column = (None, row) if row in COLUMN_KEYS.get(section, frozenset()) else (row, None)
    return f"{place_label(section, row, column)}：{match.group(2)}"


def _first_error(entry: Entry) -> str:
    """The first error in Chinese (its place, its message); else the manifest's ``reason``
    (a failure, an unreadable file), in Chinese when it names a finding."""
    errors = [f for f in entry.get("findings") or [] if f.get("severity") == "error"]
    if entry.get("status") == FAILED or not errors:
        return _in_chinese(str(entry.get("reason") or ""))
    first = errors[0]
    place = place_label(str(first.get("section") or ""), first.get("row"), first.get("column"))
    return f"{place}：{first.get('zh')}"


def _missing_row(entry: Entry, audited: bool = False) -> str:
    cells = [
        name_cell(entry, slug=True),
        cell(MISSING_LABEL, sort=MISSING, cls="gi-status"),
        cell("—", sort=-1, cls="gi-num"),
        cell("—", sort=-1, cls="gi-num"),
        *([cell("—", sort="", cls="gi-num")] if audited else []),
        cell(MISSING_NOTE, cls="gi-reason"),
        cell("", html=_report_link(entry)),
        cell("", html="—"),
        *kind_cells(entry),
    ]
    return f'<tr class="gi-status-{MISSING}" data-status="{MISSING}">{"".join(cells)}</tr>'


def _row(
    anchors: Mapping[int, str], scores: Mapping[tuple[Any, Any], Mapping[str, Any]]
) -> Callable[[Entry], str]:
    def row(entry: Entry) -> str:
        if entry.get("status") == MISSING:
            return _missing_row(entry, bool(scores))
        status = escape(str(entry.get("status") or INVALID))
        note = _first_error(entry)
        html = escape(note)
        anchor = anchors.get(id(entry))
        if anchor:
            count = len(entry.get("findings") or [])
            text = f"共{count}条，查看全部" if count else "查看详情"
            more = f'<a href="#{anchor}">{text}</a>'
            html += f"<br>{more}" if html else more
        cells = [
            name_cell(entry, slug=True),
            cell(_status(entry), sort=status, cls="gi-status"),
            cell(str(entry.get("errors", 0)), cls="gi-num"),
            cell(str(entry.get("warnings", 0)), cls="gi-num"),
            *([_audit_cell(entry, scores)] if scores else []),
            cell(note, cls="gi-reason", html=html),
            cell("", html=_report_link(entry)),
            cell("", html=_notebook_link(entry)),
            *kind_cells(entry),
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
            parts.append(f'<p class="gi-reason">{escape(_in_chinese(str(reason)))}</p>')
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


def _missing_rows(entries: Sequence[Entry], year: int) -> list[Entry]:
    """This year's 缺失 rows: last year's entry of each missing agency (its report linked)."""
    blank: dict[str, Any] = {
        "errors": None,
        "warnings": None,
        "notebook": None,
        "findings": [],
        "reason": "",
    }
    return [
        {**e, **blank, "year": year, "status": MISSING} for e in missing_agencies(entries, year)
    ]


def _missing_note(missing: Sequence[Entry]) -> str:
    if not missing:
        return ""
    names = "、".join(escape(e.get("agency") or e["agency_id"]) for e in missing)
    return (
        f'<p class="gi-missing-note" role="note">{MISSING_LABEL} {len(missing)} 个单位'
        f"（{MISSING_NOTE}）：{names}。见下表状态为“{MISSING_LABEL}”的行。</p>"
    )


def _order(entry: Entry) -> tuple[bool, str]:
    """Missing agencies first: they have no file, so nothing else points at them."""
    return entry.get("status") != MISSING, str(entry.get("agency_id") or "")


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


def _regions(manifest: Mapping[str, Any], year: int) -> str:
    """The region pages of the year (region_code): how many, and each that failed with why
    (the published ones link each other, from the top one the index links)."""
    regions = [r for r in manifest.get("regions", []) if r.get("year") == year]
    if not regions:
        return ""
    failed = [r for r in regions if r.get("status") != PUBLISHED]
    items = "".join(
        f"<li>{escape(str(r.get('name') or r.get('code')))}（{escape(str(r.get('code')))}）："
        f"{escape(str(r.get('reason') or STATUS_LABELS.get(FAILED, FAILED)))}</li>"
        for r in failed
    )
    note = f"按行政区划逐级汇总页 {len(regions)} 个，生成失败 {len(failed)} 个"
    return f'<p class="gi-summary-link">{escape(note)}</p>' + (f"<ul>{items}</ul>" if items else "")


def internal_html(
    manifest: Mapping[str, Any], audit: Mapping[tuple[Any, Any], Mapping[str, Any]] | None = None
) -> str:
    """The internal page for a batch manifest (see :func:`govinfo.batch.manifest.manifest_data`);
    with ``audit`` (:func:`audit_scores`), a 体检得分 column links each 问题清单."""
    entries = list(manifest.get("agencies", []))
    anchors = {id(e): _anchor(i) for i, e in enumerate(entries) if _has_details(e)}
    scores = audit or {}
    row = _row(anchors, scores)
    columns = (*COLUMNS[:4], (AUDIT_COLUMN, True), *COLUMNS[4:]) if scores else COLUMNS
    summaries = {s["year"]: s for s in manifest.get("summaries", [])}
    years = sorted({e["year"] for e in entries if e.get("year")}, reverse=True)
    missing = {year: _missing_rows(entries, year) for year in years}
    counts = [
        f"<span>{escape(label)} {sum(e.get('status') == status for e in entries)}</span>"
        for status, label in STATUS_LABELS.items()
    ]
    counts.append(f"<span>{MISSING_LABEL} {sum(map(len, missing.values()))}</span>")
    sections, toc = [], []
    for year in years:
        mine = [e for e in entries if e.get("year") == year]
        gone = missing[year]
        more = f"，{MISSING_LABEL} {len(gone)} 个" if gone else ""
        caption = f"{year}年度各单位状态（{len(mine)} 份{more}）"
        table = sortable_table([*gone, *mine], caption, columns, row, key=_order)
        sections.append(
            f'<section class="gi-section gi-year" id="y{year}" data-year="{year}">'
            f"<h2>{year}年度</h2>{_missing_note(gone)}{_summary(summaries.get(year), year)}"
            f"{_regions(manifest, year)}"
            f"{table}{_details(mine, anchors)}</section>"
        )
        toc.append(f'<li><a href="#y{year}">{year}年度</a></li>')
    unknown = [e for e in entries if not e.get("year")]
    if unknown:
        sections.append(
            f'<section class="gi-section gi-year" id="unreadable"><h2>{UNREADABLE}</h2>'
            f"{sortable_table(unknown, UNREADABLE, columns, row)}{_details(unknown, anchors)}"
            "</section>"
        )
        toc.append(f'<li><a href="#unreadable">{UNREADABLE}</a></li>')
    body = (
        f'<header class="gi-header"><h1>{escape(INTERNAL_TITLE)}</h1>'
        f'<p class="gi-notice" role="note">{NOTICE}：本页列出全部单位的状态、校验结果、'
        f"生成失败原因和{MISSING_LABEL}单位，供本机关核对，不得发布到公开网站。</p>"
        f'<p class="gi-meta"><span>共 {len(entries)} 份</span>{"".join(counts)}</p>'
        f'<p class="gi-meta"><a href="{INDEX}">{escape(INDEX_TITLE)}（公开）</a></p></header>'
        f'<nav class="gi-toc" aria-label="年度"><ol>{"".join(toc)}</ol></nav>'
        f"{''.join(sections)}"
    )
    return page_html(
        INTERNAL_TITLE, body, head=ROBOTS, css=asset("internal.css"), cls="gi-index gi-internal"
    )


def write_internal(outdir: Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``OUTDIR/internal.html`` atomically (with the scores of OUTDIR/audit/, if any)."""
    path = Path(outdir) / INTERNAL
    atomic_write(path, internal_html(manifest, audit_scores(Path(outdir))))
    return path


AUDIT_FOLDER = "audit"


def audit_scores(outdir: Path) -> dict[tuple[Any, Any], dict[str, Any]]:
    """The 年报体检 of the site's reports, by (year, agency_id): what ``govinfo batch --pack``
    (or ``govinfo audit … -o OUTDIR/audit``) wrote to OUTDIR/audit/audit.json. Read as data,
    so the page needs nothing of :mod:`govinfo.audit`; none when there is no audit."""
    try:
        data = json.loads((outdir / AUDIT_FOLDER / "audit.json").read_text("utf-8"))
        reports = data["reports"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    scores = {}
    for report in reports if isinstance(reports, list) else []:
        if isinstance(report, dict) and isinstance(report.get("page"), str):
            page = report["page"]
            if page.startswith("agencies/") and ".." not in page:  # stays in the folder
                scores[(report.get("year"), report.get("agency_id"))] = report
    return scores


def _audit_cell(entry: Entry, scores: Mapping[tuple[Any, Any], Mapping[str, Any]]) -> str:
    report = scores.get((entry.get("year"), entry.get("agency_id")))
    if report is None:
        return cell("—", sort="", cls="gi-num")
    score, most = report.get("score"), report.get("max_score")
    problems = sum((report.get("counts") or {}).get(k, 0) for k in ("error", "warning"))
    text = f"{score:g}/{most:g}" if isinstance(score, float | int) else "—"
    href = f"{AUDIT_FOLDER}/{report['page']}"
    html = link(href, text) + (f"<br>{problems}个问题" if problems else "")
    return cell(text, sort=str(score), cls="gi-num", html=html)
