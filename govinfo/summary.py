"""The region summary of a year (OUTDIR/<year>/summary.html): what a 本行政区域汇总 report needs.

A county's disclosure office publishes its departments' reports and the government's own
report, whose three tables sum its units. This page gives that office the sums, compares
the units in charts, lists the units that failed or are missing compared with last year,
and checks the government's ``scope: region`` report against the sums (rule C18).

Regions are kept apart. The batch may hold agencies of several regions (the example county
and the real 泽州县 seed): units are grouped by their exact ``region`` text, each region gets
its own section with its own sums, and C18 compares a region report with the units of its
own region only. A unit is a ``scope: agency`` report; a region report is never summed.
Units whose file could not be read, or that share a (year, agency_id) with another file,
cannot be summed and are listed instead; units whose numbers break a rule are summed as
reported and flagged.

The notebook ``notebooks/summary.ipynb`` only calls :func:`build` and :func:`show`; the batch
runs it through papermill like the reports (:func:`render_summary`). Like
:mod:`govinfo.document`, every part is a plain function returning an HTML fragment, and the
official tables and charts come from :mod:`govinfo.tables` and :mod:`govinfo.charts`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from . import layout as L
from .findings import WARNING, Finding
from .model import (
    ActiveDisclosure,
    Applications,
    ProcessingFees,
    Report,
    ReviewLitigation,
    frozen_mapping,
)

DEFAULT_TEMPLATE = Path(__file__).resolve().parent.parent / "notebooks" / "summary.ipynb"
SUMMARY_NAME = "summary"  # OUTDIR/<year>/summary.html; reserved as an agency_id by the batch
REGION_SUMMARY_ID = "region-summary"

STATUS_LABELS = {"published": "已发布", "invalid": "未通过校验", "failed": "生成失败"}
TOTAL_LABEL = "合计"
UNIT_LABEL = "单位"
STATUS_LABEL = "状态"
TOP = 10  # agencies shown in a ranking chart
# Page-specific looks on top of the report stylesheet (the nbconvert template inlines that).
SUMMARY_CSS = (
    ".gi-units td { white-space: nowrap; } .gi-units th[scope=row] { min-width: 9em; } "
    ".gi-region > p.gi-note-empty { text-indent: 0; }"
)


def summary_title(year: int) -> str:
    return f"{year}年{L.TITLE_SUFFIX}汇总"


# --------------------------------------------------------------------------- sums


def sum_reports(reports: Sequence[Report], *, year: int, region: str) -> Report:
    """A report whose every table cell is the sum over ``reports`` (the layout's cells)."""
    active: dict[tuple[str, str | None], int | Decimal] = {}
    for cell in L.active_cells():
        start: int | Decimal = Decimal(0) if cell[0] == L.FEE_KEY else 0
        active[cell] = sum((r.active.cells[cell] for r in reports), start=start)

    def columns(values: Sequence[tuple[int, ...]], size: int) -> tuple[int, ...]:
        return tuple(sum(column) for column in zip(*values, strict=True)) if values else (0,) * size

    rows = {
        key: columns([r.applications.rows[key] for r in reports], 7)
        for key in L.APPLICATION_ROW_KEYS
    }
    groups = {
        key: columns([r.review_litigation.groups[key] for r in reports], 5)
        for key in L.CASE_GROUP_KEYS
    }
    given = [r.processing_fees for r in reports if r.processing_fees is not None]
    fees = None
    if given:
        fees = ProcessingFees(
            notices=sum(f.notices for f in given),
            notice_amount_yuan=sum((f.notice_amount_yuan for f in given), start=Decimal(0)),
            collected_yuan=sum((f.collected_yuan for f in given), start=Decimal(0)),
        )
    return Report(
        agency=f"{region}{L.SCOPES['region']}",
        agency_id=REGION_SUMMARY_ID,
        year=year,
        region=region,
        kind="government",
        scope="region",
        processing_fees=fees,
        active=ActiveDisclosure(frozen_mapping(active)),
        applications=Applications(frozen_mapping(rows)),
        review_litigation=ReviewLitigation(frozen_mapping(groups)),
    )


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Member:
    """One parameter file of the year as the batch saw it (the notebook's parameters)."""

    file: str
    agency: str = ""
    agency_id: str = ""
    region: str = ""
    kind: str = "department"
    scope: str = "agency"
    status: str = "published"
    reason: str = ""
    html: str | None = None  # link relative to OUTDIR/<year>/
    summable: bool = True  # loaded, and not one of two files with the same (year, id)

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Member:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names and v is not None})

    @property
    def name(self) -> str:
        return self.agency or Path(self.file).name


@dataclass(frozen=True)
class RegionSummary:
    year: int
    region: str
    members: tuple[Member, ...]  # this year's files of the region (not the region report)
    units: tuple[tuple[Member, Report], ...]  # the summed ones
    total: Report
    region_report: tuple[Member, Report] | None = None
    missing: tuple[Member, ...] = ()  # units of last year without a report this year
    compared: bool = False  # last year's files were part of the batch
    findings: tuple[Finding, ...] = field(default=())  # C18


def build(
    year: int,
    agencies: Sequence[Mapping[str, Any]],
    previous_agencies: Sequence[Mapping[str, Any]] | None = None,
) -> list[RegionSummary]:
    """Group the year's files by region, load and sum the units, and run C18."""
    from .params import load
    from .rules import check_region

    members = [Member.of(a) for a in agencies]
    before = [Member.of(a) for a in previous_agencies or ()]
    regions = dict.fromkeys(m.region for m in [*members, *before] if m.scope == "agency")
    regions.update(dict.fromkeys(m.region for m in members if m.scope == "region"))
    summaries = []
    for region in regions:
        mine = [m for m in members if m.region == region]
        units = tuple(
            (m, load(m.file, follow_previous=False))
            for m in mine
            if m.scope == "agency" and m.summable
        )
        total = sum_reports([r for _, r in units], year=year, region=region)
        heads = [m for m in mine if m.scope == "region" and m.summable]
        region_report = (heads[0], load(heads[0].file, follow_previous=False)) if heads else None
        present = {key for m in mine for key in (m.agency_id, m.agency) if key}
        missing = tuple(
            m
            for m in before
            if m.region == region
            and m.scope == "agency"
            and m.agency_id not in present
            and m.agency not in present
        )
        findings: list[Finding] = []
        if region_report is not None:
            findings = check_region(region_report[1], [r for _, r in units])
            if missing:
                findings.append(_missing_finding(region_report[1], missing))
        summaries.append(
            RegionSummary(
                year=year,
                region=region,
                members=tuple(m for m in mine if m.scope == "agency"),
                units=units,
                total=total,
                region_report=region_report,
                missing=missing,
                compared=previous_agencies is not None,
                findings=tuple(findings),
            )
        )
    summaries.sort(key=lambda s: (s.region_report is None, -len(s.units), s.region))
    return summaries


def _missing_finding(region_report: Report, missing: Sequence[Member]) -> Finding:
    names = "、".join(m.name for m in missing)
    return Finding(
        "REGION-SUM",
        WARNING,
        "region",
        None,
        None,
        f"上年有报告的 {len(missing)} 个单位本年没有报告：{names}",
        f"{len(missing)} unit(s) reported last year but not this year: {names}",
        str(region_report.source or ""),
    )


# --------------------------------------------------------------------------- parts


def title_part(year: int, regions: Sequence[RegionSummary]) -> str:
    toc = "".join(
        f'<li><a href="#r{i}">{escape(s.region or "（未填写行政区域）")}</a></li>'
        for i, s in enumerate(regions, 1)
    )
    count = sum(len(s.members) for s in regions)
    note = (
        f"本页汇总{year}年度各单位报告的表二、表三、表四数据（{L.SCOPES['region']}所需数字），"
        f"按行政区域分别汇总，共 {len(regions)} 个行政区域、{count} 个单位。"
    )
    return (
        f"<style>{SUMMARY_CSS}</style>"
        f'<header class="gi-header"><h1>{escape(summary_title(year))}</h1></header>'
        f'<p class="gi-preamble">{escape(note)}</p>'
        f'<nav class="gi-toc" aria-label="目录"><ol>{toc}</ol></nav>'
    )


def _link(member: Member) -> str:
    if member.html:
        return f'<a href="{escape(member.html)}">{escape(member.name)}</a>'
    return escape(member.name)


def _status_lists(summary: RegionSummary) -> str:
    parts = []
    for status in ("failed", "invalid"):
        bad = [m for m in summary.members if m.status == status]
        if bad:
            items = "".join(
                f"<li>{_link(m)}：{escape(m.reason or STATUS_LABELS[status])}</li>" for m in bad
            )
            parts.append(f"<h3>{STATUS_LABELS[status]}的单位</h3><ul>{items}</ul>")
    not_summed = [m for m in summary.members if not m.summable]
    if not_summed:
        items = "".join(f"<li>{escape(m.file)}：{escape(m.reason)}</li>" for m in not_summed)
        parts.append(f"<h3>未计入汇总的文件</h3><ul>{items}</ul>")
    if summary.missing:
        items = "".join(f"<li>{escape(m.name)}</li>" for m in summary.missing)
        parts.append(f"<h3>上年有报告、本年缺失的单位</h3><ul>{items}</ul>")
    elif summary.compared:
        parts.append('<p class="gi-note-empty">与上年相比，没有缺失报告的单位。</p>')
    else:
        parts.append('<p class="gi-note-empty">本次未提供上年报告，未比较缺失单位。</p>')
    return "".join(parts)


def _region_check(summary: RegionSummary) -> str:
    from .tables import findings_html

    scope = L.SCOPES["region"]
    if summary.region_report is None:
        note = f"本区域未提供{scope}报告（scope: region），未作 C18 核对。"
        return f'<p class="gi-note-empty">{escape(note)}</p>'
    member = summary.region_report[0]
    head = f"<p>{_link(member)}（{scope}）与各单位之和逐格核对（C18）：</p>"
    return head + findings_html(summary.findings)


def _unit_table(summary: RegionSummary) -> str:
    """Each unit's main figures, largest number of new applications first."""
    review, direct, after = L.CASE_GROUPS
    columns: list[tuple[str, Any]] = [
        (L.ROW_BY_KEY["new"].short, lambda r: r.applications.total("new")),
        (L.ROW_BY_KEY[L.TOTAL].short, lambda r: r.applications.total(L.TOTAL)),
        (L.ROW_BY_KEY["granted"].short, lambda r: r.applications.total("granted")),
        *(
            (item.label, lambda r, key=item.key: r.active.get(key))
            for group in L.ACTIVE_GROUPS[1:]
            for item in group.items
        ),
        (review.label, lambda r: r.review_litigation.cell(review.key, L.TOTAL)),
        (
            L.LITIGATION_HEADER,
            lambda r: (
                r.review_litigation.cell(direct.key, L.TOTAL)
                + r.review_litigation.cell(after.key, L.TOTAL)
            ),
        ),
    ]
    units = sorted(summary.units, key=lambda u: -u[1].applications.total("new"))
    head = "".join(
        f'<th scope="col">{escape(label)}</th>'
        for label in (UNIT_LABEL, STATUS_LABEL, *(c[0] for c in columns))
    )
    body = []
    for member, report in units:
        cells = "".join(f"<td>{value(report)}</td>" for _, value in columns)
        status = STATUS_LABELS.get(member.status, member.status)
        body.append(
            f'<tr data-agency="{escape(report.agency_id)}"><th scope="row">{_link(member)}</th>'
            f"<td>{escape(status)}</td>{cells}</tr>"
        )
    totals = "".join(f"<td>{value(summary.total)}</td>" for _, value in columns)
    foot = f'<tfoot><tr><th scope="row" colspan="2">{TOTAL_LABEL}</th>{totals}</tr></tfoot>'
    return (
        f'<table class="gi-table gi-units"><caption>各单位主要数据</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>{foot}</table>"
    )


def _short_names(names: Sequence[str]) -> list[str]:
    """Agency names without the county name they all share (示例县公安局 → 公安局)."""
    prefix = os.path.commonprefix(list(names)) if len(names) > 1 else ""  # noqa: RUF071
    cut = prefix.rfind("县") + 1 or prefix.rfind("市") + 1 or prefix.rfind("区") + 1
    return [name[cut:] or name for name in names]


def _charts(summary: RegionSummary) -> str:
    """Agencies compared: applications, outcome mix, cases, licensing and penalties."""
    from .charts import bar_chart, grouped_bar_chart

    units = [r for _, r in summary.units]
    if not units:
        return ""
    charts: list[str] = []
    unit = "件"

    def ranking(title: str, value: Any) -> None:
        ranked = sorted(((value(r), r.agency) for r in units), key=lambda p: -p[0])[:TOP]
        ranked = [(v, name) for v, name in ranked if v]
        if ranked:
            labels = _short_names([name for _, name in ranked])
            charts.append(bar_chart(title, labels, [float(v) for v, _ in ranked], unit).to_html())

    new = L.ROW_BY_KEY["new"].short
    ranking(f"{new}政府信息公开申请（按单位）", lambda r: r.applications.total("new"))
    busy = sorted(units, key=lambda r: -r.applications.total(L.TOTAL))[:6]
    busy = [r for r in busy if r.applications.total(L.TOTAL)]
    categories = [
        (name, [float(sum(r.applications.total(k) for k in keys)) for r in busy])
        for name, keys in L.OUTCOME_CATEGORIES
    ]
    categories = [(name, values) for name, values in categories if any(values)]
    if busy and categories:
        title = f"{L.strip_numbering(L.RESULTS.label)}构成（按单位）"
        labels = _short_names([r.agency for r in busy])
        charts.append(grouped_bar_chart(title, labels, categories, unit).to_html())
    with_cases = [
        r for r in units if any(r.review_litigation.cell(g, L.TOTAL) for g in L.CASE_GROUP_KEYS)
    ]
    if with_cases:
        series = [
            (g.full_label, [float(r.review_litigation.cell(g.key, L.TOTAL)) for r in with_cases])
            for g in L.CASE_GROUPS
        ]
        title = f"{L.REVIEW_HEADER}、{L.LITIGATION_HEADER}案件（按单位）"
        labels = _short_names([r.agency for r in with_cases])
        charts.append(grouped_bar_chart(title, labels, series, unit).to_html())
    for group in L.ACTIVE_GROUPS[1:3]:
        for item in group.items[:1]:
            ranking(f"{item.label}{group.measures[0][1]}（前{TOP}个单位）", _getter(item.key))
    return "".join(charts)


def _getter(key: str) -> Any:
    return lambda report: report.active.get(key)


def region_part(summary: RegionSummary, number: int) -> str:
    from .tables import active_html, applications_html, review_html

    findings = list(summary.findings)
    counts = {s: sum(m.status == s for m in summary.members) for s in STATUS_LABELS}
    status = "，".join(f"{STATUS_LABELS[s]} {n} 个" for s, n in counts.items() if n)
    intro = f"本年度 {len(summary.members)} 个单位报告" + (f"（{status}）" if status else "")
    intro += f"，{len(summary.units)} 个计入汇总。"
    tables = "".join(
        f"<h3>{escape(L.SECTION_BY_KEY[key].heading)}（{TOTAL_LABEL}）</h3>{html}"
        for key, html in (
            ("active", active_html(summary.total.active, findings)),
            ("applications", applications_html(summary.total.applications, findings)),
            ("review_litigation", review_html(summary.total.review_litigation, findings)),
        )
    )
    body = f"<p>{escape(intro)}</p>{_region_check(summary)}{_status_lists(summary)}" + (
        tables + _unit_table(summary) + _charts(summary) if summary.units else ""
    )
    name = escape(summary.region or "（未填写行政区域）")
    return (
        f'<section class="gi-section gi-region" id="r{number}" '
        f'data-region="{escape(summary.region)}"><h2>{name}</h2>{body}</section>'
    )


def show(year: int, regions: Sequence[RegionSummary], name: str) -> None:
    """Display one part in the notebook: ``title`` (with the page title) or ``regions``."""
    from IPython.display import HTML, display

    if name == "title":
        metadata = {"govinfo": {"title": summary_title(year)}}
        display(HTML(title_part(year, regions)), metadata=metadata)
    elif name == "regions":
        for number, summary in enumerate(regions, 1):
            display(HTML(region_part(summary, number)))
    else:
        raise KeyError(name)


# --------------------------------------------------------------------------- rendering


def render_summary(
    year: int,
    agencies: Sequence[Mapping[str, Any]],
    previous_agencies: Sequence[Mapping[str, Any]] | None,
    outdir: str | Path,
    *,
    template: str | Path | None = None,
    timeout: float | None = None,
    **engine_kwargs: Any,
) -> tuple[Path, Path]:
    """Execute ``notebooks/summary.ipynb`` and write ``<year>/summary.html`` and ``.ipynb``.

    As for reports, a failed run leaves the last good page alone and keeps the executed
    notebook as ``summary.failed.ipynb``; :class:`govinfo.pipeline.RenderError` says why.
    """
    from .files import output_path
    from .pipeline import publish

    notebook = Path(template) if template else DEFAULT_TEMPLATE
    html_path = output_path(Path(outdir), year, SUMMARY_NAME, ".html")  # no link out of OUTDIR
    parameters = {
        "year": year,
        "agencies": list(agencies),
        "previous_agencies": None if previous_agencies is None else list(previous_agencies),
    }
    label = f"{year} summary"
    publish(notebook, parameters, html_path, label=label, timeout=timeout, **engine_kwargs)
    return html_path, html_path.with_suffix(".ipynb")
