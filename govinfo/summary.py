"""The region summary of a year (OUTDIR/<year>/summary.html): what a 本行政区域汇总 report needs.

A county's disclosure office publishes its departments' reports and the government's own
report, whose three tables sum its units. This page gives that office the sums, compares
the units in charts, lists the units that are missing compared with last year or were not
counted, and checks the government's ``scope: region`` report against the sums (rule C18).

Only what a county can stand behind is summed: a unit (a ``scope: agency`` report) counts
when it was read, published (the batch's status) and has no error finding, neither in the
batch's validation (carried in the member data: ``errors``, the first ``error``) nor when
this page checks it again with :func:`govinfo.rules.check`. Every other unit is listed as
not counted with the reason in Chinese, near the top of its region, after the units missing
compared with last year: both come before any table or chart, because they are what the
office has to act on. The summed tables are checked with the same arithmetic rules
(:func:`check_sums`): sums of valid reports always add up, so a finding there means a bug
or an input that escaped validation, and the page says so prominently (汇总表未通过校验).

Regions are kept apart. The batch may hold agencies of several regions (the example county
and the real 泽州县 seed): units are grouped by their exact ``region`` text, each region gets
its own section with its own sums, and C18 compares a region report with the counted units of
its own region only. A region report is never summed.

The sums are also offered as data (:mod:`govinfo.summary_data`): a CSV per table and, per
region, a parameter file for its 本行政区域汇总 report, written next to the page by
:func:`render_summary` once the page is published and linked from its 下载数据 list.

The notebook ``notebooks/summary.ipynb`` only calls :func:`build` and :func:`show`; the batch
runs it through papermill like the reports (:func:`render_summary`). Like
:mod:`govinfo.document`, every part is a plain function returning an HTML fragment, and the
official tables and charts come from :mod:`govinfo.tables` and :mod:`govinfo.charts`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from . import layout as L
from .findings import ERROR, WARNING, Finding
from .model import (
    ActiveDisclosure,
    Applications,
    ProcessingFees,
    Report,
    ReviewLitigation,
    frozen_mapping,
)
from .summary_charts import TOTAL_LABEL, member_link, unit_charts, unit_table

# In the package like the report template (notebooks/summary.ipynb links here).
DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "notebooks" / "summary.ipynb"
SUMMARY_NAME = "summary"  # OUTDIR/<year>/summary.html; reserved as an agency_id by the batch
REGION_SUMMARY_ID = "region-summary"

STATUS_LABELS = {"published": "已发布", "invalid": "未通过校验", "failed": "生成失败"}
# Page-specific looks on top of the report stylesheet (the nbconvert template inlines that).
SUMMARY_CSS = (
    ".gi-units td { white-space: nowrap; } .gi-units th[scope=row] { min-width: 9em; } "
    ".gi-region > p.gi-note-empty { text-indent: 0; } "
    ".gi-attention { border-left: 4px solid #c81e1e; background: var(--gi-error-bg); "
    "padding: 0.3em 1em; margin: 1em 0; } "
    ".gi-attention h2, .gi-attention h3 { margin-top: 0.4em; } "
    ".gi-downloads ul { padding-left: 1.5em; } .gi-stamp.gi-sums-invalid { text-align: left; }"
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
    """One parameter file of the year as the batch saw it (the notebook's parameters).

    ``errors`` and ``error`` (the first error finding, as :meth:`Finding.to_dict` gives it)
    come from the batch's validation, which also sees continuity across the years given and
    duplicate ids, and is trusted; a member without them (``errors`` None: the notebook run
    by hand) is checked here with :func:`govinfo.rules.check`."""

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
    errors: int | None = None  # None: not validated by a batch
    error: Finding | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Member:
        names = cls.__dataclass_fields__
        given = {k: v for k, v in data.items() if k in names and v is not None}
        if isinstance(given.get("error"), Mapping):
            error = given["error"]
            given["error"] = Finding(
                str(error.get("rule") or ""),
                ERROR,
                str(error.get("section") or ""),
                error.get("row"),
                error.get("column"),
                str(error.get("zh") or ""),
                str(error.get("en") or ""),
            )
        return cls(**given)

    @property
    def name(self) -> str:
        return self.agency or Path(self.file).name


@dataclass(frozen=True)
class Excluded:
    """A unit that is not counted, and why (Chinese, for the page): ``kind`` is
    ``unreadable`` (or a duplicate id), ``invalid`` (an error finding) or ``failed`` (its
    page was not published)."""

    member: Member
    kind: str
    why: str


EXCLUDED_LABELS = {
    "invalid": "未通过校验的单位",
    "failed": "生成失败的单位",
    "unreadable": "无法读取或重复的文件",
}


@dataclass(frozen=True)
class RegionSummary:
    year: int
    region: str
    members: tuple[Member, ...]  # this year's files of the region (not the region report)
    units: tuple[tuple[Member, Report], ...]  # the counted ones: valid and published
    total: Report
    region_report: tuple[Member, Report] | None = None
    missing: tuple[Member, ...] = ()  # units of last year without a report this year
    compared: bool = False  # last year's files were part of the batch
    findings: tuple[Finding, ...] = field(default=())  # C18
    excluded: tuple[Excluded, ...] = ()  # this year's units not counted, with why
    sum_findings: tuple[Finding, ...] = ()  # the summed tables checked like a report


def check_sums(total: Report) -> list[Finding]:
    """The arithmetic rules of a report (C02–C04, C06) on summed tables.

    Every identity is linear, so sums of reports that satisfy them satisfy them too: a
    finding here means a report that should not have been counted was."""
    from .rules import check_applications, check_review

    return [*check_applications(total), *check_review(total)]


def admit(member: Member) -> tuple[Report | None, Excluded | None]:
    """Load and judge one unit: (its report, None) when it counts, else (None, why not)."""
    from .findings import ParameterError
    from .params import load
    from .rules import check

    if not member.summable:
        why = error_text(member.error, member.errors or 1) if member.error else ""
        return None, Excluded(member, "unreadable", why or f"无法读取：{_zh(member.reason)}")
    if member.errors or member.status == "invalid":
        why = error_text(member.error, member.errors or 1) if member.error else member.reason
        return None, Excluded(member, "invalid", why or STATUS_LABELS["invalid"])
    if member.status != "published":
        reason = f"：{member.reason}" if member.reason else ""
        return None, Excluded(member, "failed", f"报告页面未能生成{reason}")
    validated = member.errors is not None  # by the batch: the file was read and checked
    try:
        report = load(member.file, follow_previous=not validated)
    except ParameterError as exc:
        return None, Excluded(member, "unreadable", f"无法读取：{_zh(str(exc))}")
    errors = [] if validated else [f for f in check(report) if f.is_error]
    if errors:
        return None, Excluded(member, "invalid", error_text(errors[0], len(errors)))
    return report, None


def _zh(message: str) -> str:
    """The Chinese half of a bilingual message (``文件不存在 / file not found``)."""
    return message.split(" / ", 1)[0]


def build(
    year: int,
    agencies: Sequence[Mapping[str, Any]],
    previous_agencies: Sequence[Mapping[str, Any]] | None = None,
) -> list[RegionSummary]:
    """Group the year's files by region, admit and sum the units, check the sums, run C18."""
    from .params import load
    from .rules import check_region

    members = [Member.of(a) for a in agencies]
    before = [Member.of(a) for a in previous_agencies or ()]
    before = [m for m in before if m.agency_id or m.agency]  # unnamed: nothing to miss
    regions = dict.fromkeys(m.region for m in [*members, *before] if m.scope == "agency")
    regions.update(dict.fromkeys(m.region for m in members if m.scope == "region"))
    summaries = []
    for region in regions:
        mine = [m for m in members if m.region == region]
        units: list[tuple[Member, Report]] = []
        excluded: list[Excluded] = []
        for member in (m for m in mine if m.scope == "agency"):
            report, why = admit(member)
            if report is not None:
                units.append((member, report))
            elif why is not None:
                excluded.append(why)
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
                units=tuple(units),
                total=total,
                region_report=region_report,
                missing=missing,
                compared=previous_agencies is not None,
                findings=tuple(findings),
                excluded=tuple(excluded),
                sum_findings=tuple(check_sums(total)),
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


# --------------------------------------------------------------------------- why, in Chinese

TABLE_NAMES = {"active": "表二", "applications": "表三", "review_litigation": "表四"}
FIELD_NAMES = {
    "agency": "机关名称",
    "agency_id": "机关代码",
    "region": "行政区域",
    "kind": "机关类型",
    "scope": "报告范围",
    "year": "年度",
    "published": "发布日期",
    "previous": "上年报告",
    "processing_fees": "信息处理费",
    "schema": "格式版本",
}


def cell_name(section: str, row: str | None, column: str | None) -> str:
    """The Chinese name of the place a finding names (``表三 （七）总计 · 自然人``); only the
    table when a row or column is not one of the layout's (a misspelt key)."""
    names: list[str] = []
    if section == "active" and row:
        with contextlib.suppress(KeyError):  # a misspelt key: the table alone
            names.append(L.active_label(row, column))
    elif section == "applications":
        if row in L.ROW_BY_KEY:
            spec = L.ROW_BY_KEY[row]
            names.append("".join((*(g.label for g in spec.groups[1:]), spec.label)))
        if column in L.COLUMN_BY_KEY:
            names.append(L.COLUMN_BY_KEY[column].label + ("" if row else "列"))
    elif section == "review_litigation":
        if row in L.CASE_GROUP_BY_KEY:
            names.append(L.CASE_GROUP_BY_KEY[row].full_label)
        outcomes = {o.key: o.label for o in L.REVIEW_OUTCOMES}
        if column in outcomes:
            names.append(outcomes[column])
    elif section == "processing_fees":
        return dict(L.PROCESSING_FEES).get(row or "", FIELD_NAMES[section])
    elif section == "narrative":
        key = row if row in L.SECTION_BY_KEY else "overview"
        return L.SECTION_BY_KEY[key].heading
    else:
        return FIELD_NAMES.get(section, "")
    return " ".join((TABLE_NAMES[section], " · ".join(names))).strip()


def error_text(error: Finding, count: int = 1) -> str:
    """Why a unit is not counted: its first error, placed and said in Chinese, with the rule
    id for looking it up (``表三 （七）总计 · 自然人：… （APP-TOTAL-ROW，共 3 项错误）``)."""
    place = cell_name(error.section, error.row, error.column)
    text = f"{place}：{error.zh}" if place else error.zh
    more = f"，共 {count} 项错误" if count > 1 else ""
    return f"{text}（{error.rule}{more}）"


# --------------------------------------------------------------------------- parts

NO_REGION = "（未填写行政区域）"


def _region_name(summary: RegionSummary) -> str:
    return summary.region or NO_REGION


def _attention(regions: Sequence[RegionSummary]) -> str:
    """Before anything else: per region, what the office has to act on, linking its section."""
    items = []
    for number, s in enumerate(regions, 1):
        notes = []
        if s.missing:
            notes.append(f"上年有报告、本年缺失 {len(s.missing)} 个单位")
        if s.excluded:
            notes.append(f"{len(s.excluded)} 份报告未计入汇总")
        if s.sum_findings:
            notes.append(f"汇总表未通过校验（{len(s.sum_findings)} 项）")
        if notes:
            name = escape(_region_name(s))
            items.append(f'<li><a href="#r{number}">{name}</a>：{escape("；".join(notes))}</li>')
    if not items:
        return ""
    return f'<div class="gi-attention" role="note"><h2>请注意</h2><ul>{"".join(items)}</ul></div>'


def _downloads(regions: Sequence[RegionSummary]) -> str:
    """下载数据: the CSV of each table (every region) and each region's parameter file."""
    from .summary_data import TABLES, csv_name, with_data, yaml_name

    items = [
        f'<li><a href="{csv_name(key)}" download>{escape(label)}（CSV）</a></li>'
        for key, label in TABLES
    ]
    items += [
        f'<li><a href="{escape(yaml_name(s.region))}" download>{escape(_region_name(s))}'
        f"{L.SCOPES['region']}报告参数文件（YAML，已填入汇总数，正文待填写）</a></li>"
        for s in with_data(regions)
    ]
    note = (
        "CSV 为 UTF-8 编码（可直接用 Excel 打开），每个表一个文件、按行政区域分行；"
        "只含计入汇总的报告之和。"
    )
    return (
        '<nav class="gi-downloads" aria-label="下载数据"><h2>下载数据</h2>'
        f'<ul>{"".join(items)}</ul><p class="gi-note-empty">{escape(note)}</p></nav>'
    )


def title_part(year: int, regions: Sequence[RegionSummary]) -> str:
    toc = "".join(
        f'<li><a href="#r{i}">{escape(_region_name(s))}</a></li>' for i, s in enumerate(regions, 1)
    )
    count = sum(len(s.members) for s in regions)
    counted = sum(len(s.units) for s in regions)
    note = (
        f"本页汇总{year}年度各单位报告的表二、表三、表四数据（{L.SCOPES['region']}所需数字），"
        f"按行政区域分别汇总，共 {len(regions)} 个行政区域、{count} 个单位；"
        f"只汇总已发布且通过校验的报告（{counted} 份），其余列为未计入汇总并说明原因。"
    )
    return (
        f"<style>{SUMMARY_CSS}</style>"
        f'<header class="gi-header"><h1>{escape(summary_title(year))}</h1></header>'
        f'<p class="gi-preamble">{escape(note)}</p>'
        f"{_attention(regions)}{_downloads(regions)}"
        f'<nav class="gi-toc" aria-label="目录"><ol>{toc}</ol></nav>'
    )


def _missing_list(summary: RegionSummary) -> str:
    if summary.missing:
        items = "".join(f"<li>{escape(m.name)}</li>" for m in summary.missing)
        return (
            f'<div class="gi-attention"><h3>上年有报告、本年缺失的单位（{len(summary.missing)} 个）'
            f"</h3><ul>{items}</ul></div>"
        )
    if summary.compared:
        return '<p class="gi-note-empty">与上年相比，没有缺失报告的单位。</p>'
    return '<p class="gi-note-empty">本次未提供上年报告，未比较缺失单位。</p>'


def _excluded_list(summary: RegionSummary) -> str:
    """The units not counted, grouped by why (invalid, failed, unreadable), each with its
    reason in Chinese."""
    if not summary.excluded:
        return ""
    parts = [f"<h3>未计入汇总的报告（{len(summary.excluded)} 份）</h3>"]
    for kind, label in EXCLUDED_LABELS.items():
        group = [x for x in summary.excluded if x.kind == kind]
        if not group:
            continue
        items = []
        for x in group:
            name = member_link(x.member)
            if kind == "unreadable":
                name += f"（{escape(x.member.file)}）"
            items.append(f"<li>{name}：{escape(x.why)}</li>")
        parts.append(f"<h4>{label}</h4><ul>{''.join(items)}</ul>")
    return f'<div class="gi-attention gi-excluded">{"".join(parts)}</div>'


def _findings_list(findings: Sequence[Finding]) -> str:
    """Findings for the office, in Chinese: each message with its rule id to look it up
    (the report's findings panel adds YAML paths and English, which this page does not need)."""
    items = "".join(
        f'<li class="gi-{"error" if f.is_error else "warning"}">{escape(f.zh)}'
        f"（{escape(f.rule)}）</li>"
        for f in findings
    )
    return f'<ul class="gi-findings">{items}</ul>'


def _sums_check(summary: RegionSummary) -> str:
    """The summed tables checked like a report: quiet when fine, prominent when not."""
    if not summary.units:
        return ""
    if summary.sum_findings:
        note = "以下勾稽关系在汇总数中不成立，汇总数不能直接使用："
        return (
            '<div class="gi-stamp gi-sums-invalid"><h3>汇总表未通过校验</h3>'
            f"<p>{escape(note)}</p>{_findings_list(summary.sum_findings)}</div>"
        )
    return '<p class="gi-note-empty gi-sums-ok">汇总表已按报告的勾稽关系校验，全部成立。</p>'


LONG_LIST = 10  # C18 findings shown folded beyond this many (the tables flag each cell)


def _region_check(summary: RegionSummary) -> str:
    scope = L.SCOPES["region"]
    if summary.region_report is None:
        note = f"本区域未提供{scope}报告（scope: region），未作 C18 核对。"
        return f'<p class="gi-note-empty">{escape(note)}</p>'
    member = summary.region_report[0]
    count = len(summary.units)
    head = f"<p>{member_link(member)}（{scope}）与计入汇总的 {count} 个单位之和逐格核对（C18）："
    if not summary.findings:
        return f'{head}</p><p class="gi-findings-ok">各格均与各单位之和一致。</p>'
    listed = _findings_list(summary.findings)
    if len(summary.findings) > LONG_LIST:
        fold = f"{len(summary.findings)} 处不一致（展开查看；表中已标出各格）"
        listed = f"<details><summary>{escape(fold)}</summary>{listed}</details>"
    return f"{head}{len(summary.findings)} 处不一致。</p>{listed}"


def region_part(summary: RegionSummary, number: int) -> str:
    """One region: first what needs acting on (missing units, units not counted, a failed
    check of the sums), then C18, the summed tables, the units compared and the charts."""
    from .tables import active_html, applications_html, review_html

    findings = [*summary.sum_findings, *summary.findings]
    intro = (
        f"本年度 {len(summary.members)} 个单位报告，{len(summary.units)} 个计入汇总"
        + (f"，{len(summary.excluded)} 个未计入（原因见上）" if summary.excluded else "")
        + "。"
    )
    tables = "".join(
        f"<h3>{escape(L.SECTION_BY_KEY[key].heading)}（{TOTAL_LABEL}）</h3>{html}"
        for key, html in (
            ("active", active_html(summary.total.active, findings)),
            ("applications", applications_html(summary.total.applications, findings)),
            ("review_litigation", review_html(summary.total.review_litigation, findings)),
        )
    )
    body = (
        _missing_list(summary)
        + _excluded_list(summary)
        + _sums_check(summary)
        + f"<p>{escape(intro)}</p>"
        + _region_check(summary)
        + (tables + unit_table(summary) + unit_charts(summary) if summary.units else "")
    )
    name = escape(_region_name(summary))
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
    """Execute ``notebooks/summary.ipynb`` and write ``<year>/summary.html`` and ``.ipynb``,
    then the data files the page links (:mod:`govinfo.summary_data`).

    As for reports, a failed run leaves the last good page alone and keeps the executed
    notebook as ``summary.failed.ipynb``; :class:`govinfo.pipeline.RenderError` says why.
    The data files are built here, from the same :func:`build` as the page, and every path
    is checked before the notebook runs; they are written once the page is published, so a
    failed run leaves the last good page and its data together.
    """
    from .files import output_path
    from .pipeline import publish
    from .summary_data import plan_data, write_data

    notebook = Path(template) if template else DEFAULT_TEMPLATE
    html_path = output_path(Path(outdir), year, SUMMARY_NAME, ".html", site_page=True)
    planned = plan_data(Path(outdir), year, build(year, agencies, previous_agencies))
    parameters = {
        "year": year,
        "agencies": list(agencies),
        "previous_agencies": None if previous_agencies is None else list(previous_agencies),
    }
    label = f"{year} summary"
    publish(notebook, parameters, html_path, label=label, timeout=timeout, **engine_kwargs)
    write_data(Path(outdir), year, planned)
    return html_path, html_path.with_suffix(".ipynb")
