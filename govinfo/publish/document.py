"""The content of the published report, as HTML fragments the template notebook displays.

The notebook (``notebooks/annual_report.ipynb``) holds no logic: each of its cells calls
:func:`show` with a part name, and this module builds that part from the report — the
title and preamble, the six sections in the official order with their tables and charts,
the year-over-year comparison, the 落款 (agency, date, contact details) and, on a draft only,
the findings panel. The charts of a section are :func:`section_charts` (the Word document
embeds the same ones). Because the parts are plain functions, the same page can also be
produced in-process (:func:`standalone_html`), which the importer's round-trip tests and
the speed benchmark use.

Public and internal apart: a report without errors is the published page, and validation
is internal work, so such a page carries no findings at all (no panel, no flagged cells
with rule ids in their titles). A report with errors can only be rendered as a draft
(``--allow-invalid``): it is stamped, its cells are flagged and it ends with every finding
in Chinese (:mod:`govinfo.places`), for the office to check against.

Narrative is Markdown rendered by markdown-it-py in CommonMark mode with raw HTML and
images switched off: officers' text can format but never inject markup or load anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from .. import layout as L
from ..findings import Finding
from ..model import Number, Report
from ..places import findings_list_html
from ..rules import check, is_blank_text
from .charts import Chart, bar_chart, grouped_bar_chart
from .tables import active_html, applications_html, format_number, review_html, wrap_table

PARTS = ("title", "overview", "active", L.APPLICATIONS, L.REVIEW_LITIGATION, "problems", "other")
# After the six sections, in page order: trends (empty without a previous report), the 落款,
# the findings panel (empty unless the page is a draft).
OPTIONAL_PARTS = ("trends", "closing", "findings")
UNCHANGED = "持平"  # the 增减 of an unchanged number in the year-over-year table


# --------------------------------------------------------------------------- inputs


def report_from_namespace(namespace: Mapping[str, Any], source_file: str | None = None) -> Report:
    """The report from the notebook's parameter variables (one per top-level key)."""
    from ..params import attach_previous, parse

    data = {key: namespace[key] for key in L.TOP_LEVEL_KEYS if namespace.get(key) is not None}
    report = parse(data, Path(source_file) if source_file else None)
    return attach_previous(report) if report.previous_path else report


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})
    md.disable("image")  # an image would be a request to another host
    # The format fixes the page's headings: a narrative's "# x" or "x\n===" would add a second
    # <h1> (or an <h2> beside the six sections), so such lines stay text.
    md.disable(["heading", "lheading"])
    return md


def markdown_html(text: str) -> str:
    """Narrative Markdown → HTML; raw HTML is shown as text, ``javascript:`` links dropped."""
    return _markdown().render(text) if text.strip() else ""


def _section(key: str, body: str) -> str:
    number = [s.key for s in L.SECTIONS].index(key) + 1
    heading = escape(L.SECTION_BY_KEY[key].heading)
    return f'<section class="gi-section" id="s{number}"><h2>{heading}</h2>{body}</section>'


def _note(text: str) -> str:
    return f'<p class="gi-note-empty">{escape(text)}</p>'


def is_draft(findings: list[Finding]) -> bool:
    """A page with an error is a stamped draft (only ``--allow-invalid`` renders one)."""
    return any(f.is_error for f in findings)


def shown(findings: list[Finding]) -> list[Finding]:
    """The findings a page may show: all of them on a draft, none on a published page."""
    return findings if is_draft(findings) else []


def chinese_date(date: dt.date) -> str:
    """A date as reports write it: 2022年1月20日."""
    return f"{date.year}年{date.month}月{date.day}日"


# --------------------------------------------------------------------------- parts


def title_part(report: Report, findings: list[Finding]) -> str:
    meta = [f"<span>{escape(report.agency)}</span>"]
    if report.region:
        meta.append(f"<span>{escape(report.region)}</span>")
    if report.published:
        meta.append(f"<span>发布日期：{chinese_date(report.published)}</span>")
    titles = [s.title for s in L.SECTIONS]
    preamble = L.PREAMBLE.format(parts="、".join(titles), count="六", period=report.period)
    toc = "".join(
        f'<li><a href="#s{i}">{escape(s.heading)}</a></li>' for i, s in enumerate(L.SECTIONS, 1)
    )
    errors = sum(f.is_error for f in findings)
    stamp = (
        f'<p class="gi-stamp" role="alert">{escape(L.INVALID_STAMP.format(errors=errors))}</p>'
        if errors
        else ""
    )
    return (
        f'<header class="gi-header"><h1>{escape(report.title)}</h1>'
        f'<p class="gi-meta">{"".join(meta)}</p></header>{stamp}'
        f'<p class="gi-preamble">{escape(preamble)}</p>'
        f'<nav class="gi-toc" aria-label="目录"><ol>{toc}</ol></nav>'
    )


def overview_part(report: Report, findings: list[Finding]) -> str:
    overview = report.narrative.overview
    body = [markdown_html(overview.intro)]
    for label, text in overview.parts():
        if not is_blank_text(text):
            body.append(f"<h3>{escape(label)}</h3>{markdown_html(text)}")
    return _section("overview", "".join(body))


# --------------------------------------------------------------------------- charts
# Each chart shows what its table does not make easy to see: the mix of applicants, the mix
# of outcomes (beside last year's, when there is a previous report), the results of the
# three kinds of case side by side. Tables of two or three numbers (本年处理决定数量) and the
# comparison table of the appendix are not drawn again: the numbers are right there.


def _applicant_chart(report: Report) -> Chart | None:
    applicants = [L.COLUMN_BY_KEY[k] for k in L.APPLICANT_KEYS]
    new = [float(report.applications.cell("new", c.key)) for c in applicants]
    if not any(new):
        return None
    title = f"{L.ROW_BY_KEY['new'].short}申请（按申请人类型）"
    return bar_chart(title, [c.short for c in applicants], new, "件")


def _outcome_totals(report: Report) -> list[float]:
    apps = report.applications
    return [float(sum(apps.total(key) for key in keys)) for _, keys in L.OUTCOME_CATEGORIES]


def _outcome_chart(report: Report) -> Chart | None:
    """The outcomes by category, beside last year's when there is a previous report; none
    when there are none this year (the section then says so in a sentence)."""
    outcomes = _outcome_totals(report)
    if not any(outcomes):
        return None
    labels = [name for name, _ in L.OUTCOME_CATEGORIES]
    title = f"{L.strip_numbering(L.RESULTS.label)}（按类别）"
    previous = report.previous
    before = _outcome_totals(previous) if previous is not None else []
    if any(before) and previous is not None:
        y0, y1 = f"{previous.year}年", f"{report.year}年"
        series = [(y0, before), (y1, outcomes)]
        return grouped_bar_chart(f"{title}：{y0}与{y1}", labels, series, "件")
    return bar_chart(title, labels, outcomes, "件")


def _cases_chart(report: Report) -> Chart | None:
    review = report.review_litigation
    if not any(review.cell(g.key, "total") for g in L.CASE_GROUPS):
        return None
    series = [
        (o.label, [float(review.cell(g.key, o.key)) for g in L.CASE_GROUPS])
        for o in L.REVIEW_OUTCOMES[:-1]
    ]
    title = f"{L.REVIEW_HEADER}、{L.LITIGATION_HEADER}案件结果"
    return grouped_bar_chart(title, [g.label for g in L.CASE_GROUPS], series, "件")


CHART_BUILDERS: dict[str, tuple[Callable[[Report], Chart | None], ...]] = {
    "active": (),
    L.APPLICATIONS: (_applicant_chart, _outcome_chart),
    L.REVIEW_LITIGATION: (_cases_chart,),
    "trends": (),
}


def section_charts(report: Report, key: str) -> list[Chart]:
    """The charts of one section (``active``, ``applications``, ``review_litigation``,
    ``trends``), in page order: the page and the Word document show exactly these."""
    charts = (build(report) for build in CHART_BUILDERS[key])
    return [chart for chart in charts if chart is not None]


def _charts_html(charts: list[Chart]) -> str:
    if not charts:
        return ""
    return f'<div class="gi-charts">{"".join(chart.to_html() for chart in charts)}</div>'


# --------------------------------------------------------------------------- parts (cont.)


def active_part(report: Report, findings: list[Finding]) -> str:
    table = active_html(report.active, shown(findings), marks=report.marks)
    items = [item for g in L.ACTIVE_GROUPS[1:3] for item in g.items]
    decided = any(report.active.get(item.key) for item in items)
    note = "" if decided else _note(L.NO_DECISIONS)
    return _section("active", table + note + _charts_html(section_charts(report, "active")))


def applications_part(report: Report, findings: list[Finding]) -> str:
    apps = report.applications
    table = applications_html(apps, shown(findings), marks=report.marks)
    if not (apps.total("new") or apps.total("carried_over")) and apps.is_empty:
        return _section(L.APPLICATIONS, table + _note(L.NO_APPLICATIONS))
    note = (
        "" if any(apps.cell("new", k) for k in L.APPLICANT_KEYS) else _note(L.NO_NEW_APPLICATIONS)
    )
    charts = _charts_html(section_charts(report, L.APPLICATIONS))
    return _section(L.APPLICATIONS, table + note + charts)


def review_part(report: Report, findings: list[Finding]) -> str:
    review = report.review_litigation
    table = review_html(review, shown(findings), marks=report.marks)
    charts = section_charts(report, L.REVIEW_LITIGATION)
    return _section(L.REVIEW_LITIGATION, table + (_charts_html(charts) or _note(L.NO_CASES)))


def problems_part(report: Report, findings: list[Finding]) -> str:
    return _section("problems", markdown_html(report.narrative.problems))


def fees_statement(report: Report) -> str:
    """The 信息处理费 sentence of 六, from ``processing_fees`` (empty when not given)."""
    fees = report.processing_fees
    if fees is None:
        return ""
    if not (fees.notices or fees.notice_amount_yuan or fees.collected_yuan):
        return L.FEES_NONE.format(year=report.year)
    return L.FEES_STATEMENT.format(
        year=report.year,
        notices=fees.notices,
        notice_amount=_plain(fees.notice_amount_yuan),
        collected=_plain(fees.collected_yuan),
    )


def _plain(value: Decimal) -> str:
    return format(value, "f")


def other_part(report: Report, findings: list[Finding]) -> str:
    statement = fees_statement(report)
    text = report.narrative.other
    body = f'<p class="gi-fees">{escape(statement)}</p>' if statement else ""
    if not (statement and text.strip().strip("。.") == "无"):
        body += markdown_html(text)
    return _section("other", body)


def _trend_rows(report: Report, previous: Report) -> list[tuple[str, Number, Number]]:
    apps, before = report.applications, previous.applications
    rows: list[tuple[str, Number, Number]] = [
        (f"{L.ROW_BY_KEY['new'].short}申请", apps.total("new"), before.total("new")),
        (L.ROW_BY_KEY["total"].short, apps.total("total"), before.total("total")),
    ]
    rows += [
        (name, sum(apps.total(k) for k in keys), sum(before.total(k) for k in keys))
        for name, keys in L.OUTCOME_CATEGORIES
    ]
    rows += [
        (item.label, report.active.get(item.key), previous.active.get(item.key))
        for g in L.ACTIVE_GROUPS[1:3]
        for item in g.items
    ]
    return rows


def change(now: Number, then: Number) -> str:
    """The 增减 column: 持平 when equal, else a signed number (+3, −2; a true minus sign)."""
    difference = Decimal(now) - Decimal(then)
    if not difference:
        return UNCHANGED
    sign = "+" if difference > 0 else "\u2212"
    return sign + format_number(abs(difference))


def trends_part(report: Report, findings: list[Finding]) -> str:
    """Year-over-year table under one heading; empty when there is no previous report. Not
    drawn again: its chart is the outcomes' in 三 (see :func:`section_charts`)."""
    previous = report.previous
    if previous is None:
        return ""
    rows = _trend_rows(report, previous)
    y0, y1 = f"{previous.year}年", f"{report.year}年"
    head = "".join(f'<th scope="col">{text}</th>' for text in ("项目", y0, y1, "增减"))
    body = "".join(
        f'<tr><th scope="row">{escape(label)}</th><td>{format_number(then)}</td>'
        f"<td>{format_number(now)}</td><td>{change(now, then)}</td></tr>"
        for label, now, then in rows
    )
    table = wrap_table(
        f'<table class="gi-table gi-trends"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>",
        L.TRENDS_HEADING,
    )
    charts = _charts_html(section_charts(report, "trends"))
    return (
        f'<section class="gi-section gi-trends-section"><h2>{escape(L.TRENDS_HEADING)}</h2>'
        f"{table}{charts}</section>"
    )


def closing_part(report: Report, findings: list[Finding]) -> str:
    """The 落款 as real reports end: the agency and the date, right-aligned, the date
    centred under the name; then the contact details given. The date is ``published``;
    without one the date line is left out rather than invented."""
    lines = []
    if report.agency.strip():
        lines.append(f'<span class="gi-sign-agency">{escape(report.agency)}</span>')
    if report.published:
        iso = report.published.isoformat()
        lines.append(f'<time datetime="{iso}">{escape(chinese_date(report.published))}</time>')
    signature = f'<p class="gi-signature">{"<br>".join(lines)}</p>' if lines else ""
    contact = report.contact
    given = [
        (label, getattr(contact, key).strip())
        for key, label in L.CONTACT_FIELDS
        if contact is not None and getattr(contact, key).strip()
    ]
    details = "".join(f"<p>{escape(label)}：{escape(value)}</p>" for label, value in given)
    address = f'<address class="gi-contact">{details}</address>' if details else ""
    if not (signature or address):
        return ""
    return f'<footer class="gi-closing">{signature}{address}</footer>'


def findings_part(report: Report, findings: list[Finding]) -> str:
    """Every finding, in Chinese, on a draft; nothing on a published page."""
    if not is_draft(findings):
        return ""
    return (
        f'<aside class="gi-section gi-findings-panel" aria-label="{escape(L.FINDINGS_HEADING)}">'
        f"<h2>{escape(L.FINDINGS_HEADING)}</h2>{findings_list_html(findings)}</aside>"
    )


PART_BUILDERS: dict[str, Callable[[Report, list[Finding]], str]] = {
    "title": title_part,
    "overview": overview_part,
    "active": active_part,
    L.APPLICATIONS: applications_part,
    L.REVIEW_LITIGATION: review_part,
    "problems": problems_part,
    "other": other_part,
    "trends": trends_part,
    "closing": closing_part,
    "findings": findings_part,
}


def part_html(report: Report, name: str, findings: list[Finding] | None = None) -> str:
    """One named part of the page (see ``PART_BUILDERS``)."""
    return PART_BUILDERS[name](report, check(report) if findings is None else findings)


def show(report: Report, name: str, findings: list[Finding] | None = None) -> None:
    """Display one part in the notebook; the title part also carries the page title."""
    from IPython.display import HTML, display

    html = part_html(report, name, findings)
    if html:
        metadata = {"govinfo": {"title": report.title}} if name == "title" else None
        display(HTML(html), metadata=metadata)


def all_parts(report: Report) -> list[tuple[str, str]]:
    findings = check(report)
    names = (*PARTS, *OPTIONAL_PARTS)
    return [(name, PART_BUILDERS[name](report, findings)) for name in names]


def standalone_html(report: Report) -> str:
    """The published page built in-process: the same parts through the same nbconvert
    template as a kernel run, without a kernel (used by tests and the speed benchmark)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    cells = []
    for name, html in all_parts(report):
        if not html:
            continue
        metadata = {"govinfo": {"title": report.title}} if name == "title" else {}
        output = new_output("display_data", data={"text/html": html}, metadata=metadata)
        cells.append(new_code_cell(source="", outputs=[output]))
    notebook = new_notebook(cells=cells)
    nbformat.validate(notebook)
    from .export import export_html

    return export_html(notebook)
