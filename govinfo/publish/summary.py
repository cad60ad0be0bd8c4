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

The sums are also offered as data (:mod:`govinfo.publish.summary_data`): a CSV per table and, per
region, a parameter file for its 本行政区域汇总 report, written next to the page by
:func:`render_summary` once the page is published and linked from its 下载数据 list.

The sums and the membership are :mod:`.region`'s. The notebook ``notebooks/summary.ipynb``
only calls :func:`~.region.build` and :func:`show`; the batch runs it through papermill like
the reports (:func:`render_summary`). Like :mod:`.document`, every part is a plain function
returning an HTML fragment; the official tables come from :mod:`.tables` (each in its own
scroll box), the units compared and their charts (drawn for a phone) from
:mod:`.summary_charts`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from .. import layout as L
from ..findings import Finding
from .page_kit import asset, scroll_box
from .region import EXCLUDED_LABELS, RegionSummary, build
from .summary_charts import TOTAL_LABEL, member_link, unit_charts, unit_table

# In the package like the report template (notebooks/summary.ipynb links here).
DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "notebooks" / "summary.ipynb"
SUMMARY_NAME = "summary"  # OUTDIR/<year>/summary.html; reserved as an agency_id by the batch
# Every agency's numbers and findings in one workbook (written by the batch beside the page).
WORKBOOK_NAME = f"{SUMMARY_NAME}.xlsx"


def summary_title(year: int) -> str:
    return f"{year}年{L.TITLE_SUFFIX}汇总"


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
        f'<li><a href="{WORKBOOK_NAME}" download>各单位数据及区域合计（Excel 工作簿：'
        "每个表一个工作表、每个单位一行，附校验结果）</a></li>"
    ]
    items += [
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
    if not regions:  # every report of the year gives a region_code: summed by the hierarchy
        note = (
            f"{year}年度没有未填写行政区划代码（region_code）的报告。填写了行政区划代码的报告"
            "按省、市、县逐级汇总，各级汇总页见网站首页（../index.html）。"
        )
    return (
        f"<style>{asset('summary.css')}</style>"
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


TABLE_KEYS = ("active", L.APPLICATIONS, L.REVIEW_LITIGATION)  # 表二, 表三, 表四
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
    headings = {key: f"{L.SECTION_BY_KEY[key].heading}（{TOTAL_LABEL}）" for key in TABLE_KEYS}
    tables = "".join(
        f"<h3>{escape(headings[key])}</h3>{scroll_box(html, headings[key])}"
        for key, html in (
            ("active", active_html(summary.total.active, findings)),
            (L.APPLICATIONS, applications_html(summary.total.applications, findings)),
            (L.REVIEW_LITIGATION, review_html(summary.total.review_litigation, findings)),
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
    then the data files the page links (:mod:`govinfo.publish.summary_data`).

    As for reports, a failed run leaves the last good page alone and keeps the executed
    notebook as ``summary.failed.ipynb``; :class:`govinfo.publish.pipeline.RenderError` says why.
    The data files are built here, from the same :func:`build` as the page, and every path
    is checked before the notebook runs; they are written once the page is published, so a
    failed run leaves the last good page and its data together.
    """
    from ..files import output_path
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
