"""The page of one region of a hierarchy (``OUTDIR/<year>/summary.<code>.html``): its sums,
its sub-regions and units compared, who was not counted, C18, links up and down.

The data come from :func:`govinfo.publish.hierarchy.build_region` as JSON, handed to the
notebook ``notebooks/region_summary.ipynb`` as a parameter: the kernel draws and lays out,
it loads no report. The page is bounded whatever the size of the province: the official
tables once, one row per direct sub-region (at most :data:`CHILD_ROWS`), the direct units
with the most new applications (at most :data:`UNIT_ROWS`; every one of them in the CSV
beside the page), and charts of the largest :data:`TOP` that say so in their titles, their alt
text naming the others only by count and total. What reads like :mod:`.summary` is built
the same way and shares its stylesheet and chart drawing (:mod:`.summary_charts`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from html import escape
from typing import Any

from .. import layout as L
from ..divisions import LEVEL_LABELS
from ..findings import ERROR, WARNING, Finding
from .hierarchy import FIGURES, file_name, loads, title, total_report
from .page_kit import asset, scroll_box
from .region import EXCLUDED_LABELS
from .summary_charts import TOTAL_LABEL, UNIT, encode, figure_html, stacked_figure

UNIT_ROWS = 100  # direct units listed (largest number of new applications first)
CHILD_ROWS = 200  # direct sub-regions listed (a province has fewer than 30 cities)
TOP = 10  # bars in a chart
INDEX_LINK = "../index.html"


def _findings(rows: Sequence[Mapping[str, Any]]) -> list[Finding]:
    return [
        Finding(
            str(f["rule"]),
            ERROR if f.get("severity") == ERROR else WARNING,
            str(f.get("section") or ""),
            f.get("row"),
            f.get("column"),
            str(f.get("zh") or ""),
            str(f.get("en") or ""),
        )
        for f in rows
    ]


def _number(value: object) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _link(href: object, text: str) -> str:
    return f'<a href="{escape(str(href))}">{escape(text)}</a>' if href else escape(text)


# --------------------------------------------------------------------------- head


def breadcrumb(data: Mapping[str, Any]) -> str:
    """网站首页 › 江苏省 › 淮安市 › 洪泽区: up to the index and every region above."""
    steps = [_link(INDEX_LINK, "网站首页")]
    steps += [_link(file_name(code, "html"), name) for code, name in data["lineage"]]
    steps.append(f'<span aria-current="page">{escape(data["name"])}</span>')
    up = ""
    if data["lineage"]:
        code, name = data["lineage"][-1]
        up = f'<p class="gi-up">上级：{_link(file_name(code, "html"), f"{name}汇总")}</p>'
    return f'<nav class="gi-breadcrumb" aria-label="上级行政区域">{" › ".join(steps)}</nav>{up}'


def _attention(data: Mapping[str, Any]) -> str:
    notes = []
    if data["missing"]:
        notes.append(f"上年有报告、本年缺失 {len(data['missing'])} 个单位")
    if data["excluded"]:
        notes.append(f"本级 {len(data['excluded'])} 份报告未计入汇总")
    failed = [c for c in data["children"] if not c["ok"]]
    if failed:
        names = "、".join(c["name"] for c in failed[:5]) + ("等" if len(failed) > 5 else "")
        notes.append(f"{len(failed)} 个下级行政区域汇总失败、未计入（{names}）")
    if data["sum_findings"]:
        notes.append(f"汇总表未通过校验（{len(data['sum_findings'])} 项）")
    if data["c18"]:
        notes.append(f"本行政区域汇总报告与汇总数不一致（{len(data['c18'])} 处）")
    if not notes:
        return ""
    items = "".join(f"<li>{escape(n)}</li>" for n in notes)
    return f'<div class="gi-attention" role="note"><h2>请注意</h2><ul>{items}</ul></div>'


def _downloads(data: Mapping[str, Any]) -> str:
    code = data["code"]
    items = [
        f'<li><a href="{file_name(code, "csv")}" download>本级单位和下级行政区域主要数据'
        "（CSV，全部单位）</a></li>"
    ]
    if data["contribution"] == "sums":
        items.append(
            f'<li><a href="{file_name(code, "yaml")}" download>{L.SCOPES["region"]}报告参数文件'
            "（YAML，已填入汇总数和行政区划代码，正文待填写）</a></li>"
        )
    items.append(
        f'<li><a href="{file_name(code, "json")}" download>'
        "汇总数据（JSON，上级汇总据此计算）</a></li>"
    )
    return (
        '<nav class="gi-downloads" aria-label="下载数据"><h2>下载数据</h2>'
        f"<ul>{''.join(items)}</ul></nav>"
    )


def title_part(data: Mapping[str, Any]) -> str:
    own = len(data["units"])
    children = [c for c in data["children"] if c["ok"]]
    note = (
        f"本页汇总{data['year']}年度{data['name']}（行政区划代码 {data['code']}，"
        f"{LEVEL_LABELS[data['level']]}）的表二、表三、表四：本级 {data['members']} 个单位中 "
        f"{own} 个计入，加上 {len(children)} 个下级行政区域的汇总数，"
        f"共计入 {data['counted']} 份报告。"
        f"下级行政区域的{L.SCOPES['region']}报告不与其下各单位重复计入，只与它们之和逐格核对（C18）；"
        "只汇总已发布且通过校验的报告。"
    )
    if data["contribution"] == "region_report":
        note += f"本区域以下没有可汇总的单位报告，以本区域的{L.SCOPES['region']}报告计入上级。"
    return (
        f"<style>{asset('summary.css')}</style>"
        f'<header class="gi-header"><h1>{escape(title(data["year"], data["name"]))}</h1></header>'
        f"{breadcrumb(data)}"
        f'<p class="gi-preamble">{escape(note)}</p>{_attention(data)}{_downloads(data)}'
    )


# --------------------------------------------------------------------------- checks


def _findings_list(findings: Sequence[Finding]) -> str:
    items = "".join(
        f'<li class="gi-{"error" if f.is_error else "warning"}">'
        f"{escape(f.zh)}（{escape(f.rule)}）</li>"
        for f in findings
    )
    return f'<ul class="gi-findings">{items}</ul>'


def _checks(data: Mapping[str, Any]) -> str:
    parts = []
    sums = _findings(data["sum_findings"])
    if sums:
        parts.append(
            '<div class="gi-stamp gi-sums-invalid"><h3>汇总表未通过校验</h3>'
            f"<p>以下勾稽关系在汇总数中不成立，汇总数不能直接使用：</p>{_findings_list(sums)}</div>"
        )
    elif data["counted"]:
        parts.append(
            '<p class="gi-note-empty gi-sums-ok">汇总表已按报告的勾稽关系校验，全部成立。</p>'
        )
    scope = L.SCOPES["region"]
    head = data["head"]
    if head is None:
        note = f"本区域未提供{scope}报告（scope: region），未作 C18 核对。"
        parts.append(f'<p class="gi-note-empty">{note}</p>')
    elif data["contribution"] != "sums":
        note = f"本区域以下没有可汇总的单位报告，{scope}报告未作 C18 核对。"
        parts.append(f'<p class="gi-note-empty">{note}</p>')
    else:
        c18 = _findings(data["c18"])
        lead = (
            f"<p>{_link(head['html'], head['name'])}（{scope}）与本级单位及下级行政区域汇总数之和"
            f"（{data['counted']} 份报告）逐格核对（C18）："
        )
        if not c18:
            parts.append(f'{lead}</p><p class="gi-findings-ok">各格均与汇总数一致。</p>')
        else:
            listed = _findings_list(c18)
            if len(c18) > 10:
                fold = f"{len(c18)} 处不一致（展开查看；表中已标出各格）"
                listed = f"<details><summary>{escape(fold)}</summary>{listed}</details>"
            parts.append(f"{lead}{len(c18)} 处不一致。</p>{listed}")
    return "".join(parts)


def _tables(data: Mapping[str, Any]) -> str:
    from .tables import active_html, applications_html, review_html

    total = total_report(data)
    findings = [*_findings(data["sum_findings"]), *_findings(data["c18"])]
    parts = []
    for key, html in (
        ("active", active_html(total.active, findings)),
        (L.APPLICATIONS, applications_html(total.applications, findings)),
        (L.REVIEW_LITIGATION, review_html(total.review_litigation, findings)),
    ):
        heading = f"{L.SECTION_BY_KEY[key].heading}（{TOTAL_LABEL}）"
        parts.append(f"<h3>{escape(heading)}</h3>{scroll_box(html, heading)}")
    return "".join(parts)


# --------------------------------------------------------------------------- rows compared


def _table(caption: str, first: str, rows: Sequence[str], note: str = "") -> str:
    head = "".join(
        f'<th scope="col">{escape(label)}</th>'
        for label in (first, "计入报告", *(label for _, label in FIGURES))
    )
    table = (
        f'<table class="gi-table gi-units"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    extra = f'<p class="gi-note-empty">{escape(note)}</p>' if note else ""
    return scroll_box(table, caption, len(rows) + 1) + extra


def children_table(data: Mapping[str, Any]) -> str:
    """One row per direct sub-region, linked down to its page (a failed one says so)."""
    children = data["children"]
    if not children:
        return ""
    rows = []
    for child in children[:CHILD_ROWS]:
        if not child["ok"]:
            cells = f'<td colspan="{len(FIGURES) + 1}">汇总失败，未计入</td>'
            rows.append(f'<tr><th scope="row">{escape(child["name"])}</th>{cells}</tr>')
            continue
        counted = f"{child['counted']}" + ("（汇总报告）" if child["stand_in"] else "")
        numbers = "".join(f"<td>{_number(child['figures'][k])}</td>" for k, _ in FIGURES)
        rows.append(
            f'<tr data-region="{escape(child["code"])}"><th scope="row">'
            f"{_link(child['html'], child['name'])}</th><td>{counted}</td>{numbers}</tr>"
        )
    rest = len(children) - CHILD_ROWS
    note = f"另有 {rest} 个下级行政区域，见 CSV。" if rest > 0 else ""
    return _table(f"下级行政区域（{len(children)} 个）", "行政区域", rows, note)


def units_table(data: Mapping[str, Any]) -> str:
    """The direct units counted, the most new applications first, at most UNIT_ROWS."""
    units = data["units"]
    if not units:
        return ""
    rows = []
    for unit in units[:UNIT_ROWS]:
        numbers = "".join(f"<td>{_number(unit['figures'][k])}</td>" for k, _ in FIGURES)
        name = _link(unit["html"], unit["name"])
        rows.append(
            f'<tr data-agency="{escape(unit["agency_id"])}"><th scope="row">{name}</th>'
            f"<td>1</td>{numbers}</tr>"
        )
    shown = f"，列出新收申请最多的 {UNIT_ROWS} 个" if len(units) > UNIT_ROWS else ""
    note = f"共 {len(units)} 个单位计入{shown}；全部单位见 CSV。" if shown else ""
    return _table(f"本级计入汇总的单位（{len(units)} 个）", "单位", rows, note)


def _lists(data: Mapping[str, Any]) -> str:
    parts = []
    if data["missing"]:
        items = "".join(f"<li>{escape(name)}</li>" for name in data["missing"])
        parts.append(
            f'<div class="gi-attention"><h3>上年有报告、本年缺失的单位（{len(data["missing"])} 个）'
            f"</h3><ul>{items}</ul></div>"
        )
    excluded = data["excluded"]
    if excluded:
        groups = []
        for kind, label in EXCLUDED_LABELS.items():
            mine = [x for x in excluded if x["kind"] == kind]
            if mine:
                items = "".join(
                    f"<li>{_link(x['html'], x['name'])}：{escape(x['why'])}</li>" for x in mine
                )
                groups.append(f"<h4>{label}</h4><ul>{items}</ul>")
        heading = f"本级未计入汇总的报告（{len(excluded)} 份）"
        parts.append(
            f'<div class="gi-attention gi-excluded"><h3>{heading}</h3>{"".join(groups)}</div>'
        )
    return "".join(parts)


# --------------------------------------------------------------------------- charts


def compare(
    subject: str,
    rows: Sequence[Mapping[str, Any]],
    parts: Sequence[tuple[str, str]],
    within: str = "",
) -> str:
    """The rows with the largest totals over ``parts`` ((label, figure key) pairs), at most
    TOP, rows with nothing to show left out; the title says how many of how many, the alt
    text gives each bar's numbers and the others only as a count and a total. Bars are
    named without ``within``, the region they all lie in (示例省示例1市 → 示例1市)."""
    totals = [sum(float(r["figures"][k]) for _, k in parts) for r in rows]
    order = sorted(range(len(rows)), key=lambda i: (-totals[i], i))
    shown = [i for i in order if totals[i]][:TOP]
    if not shown:
        return ""
    rest = [i for i in order if i not in shown]
    heading = f"{subject}（前{len(shown)}个，共{len(rows)}个）" if rest else subject

    def one(i: int) -> str:
        figures = rows[i]["figures"]
        if len(parts) == 1:
            return f"{rows[i]['name']} {_number(figures[parts[0][1]])} {UNIT}"
        split = "，".join(f"{label} {_number(figures[k])}" for label, k in parts)
        return f"{rows[i]['name']} 共 {totals[i]:g} {UNIT}（{split}）"

    kind = "条形图" if len(parts) == 1 else "堆积条形图"
    alt = f"{kind}：{heading}。{'；'.join(one(i) for i in shown)}。"
    if rest:
        alt += f"其余{len(rest)}个合计 {sum(totals[i] for i in rest):g} {UNIT}。"
    series = [(label, [float(rows[i]["figures"][k]) for i in shown]) for label, k in parts]
    names = [str(rows[i]["name"]) for i in shown]
    fig = stacked_figure([name.removeprefix(within) or name for name in names], series)
    return figure_html(heading, encode(fig, alt))


def charts(data: Mapping[str, Any]) -> str:
    children = [c for c in data["children"] if c["ok"]]
    new = [(L.ROW_BY_KEY["new"].short, "new")]
    outcomes = [(name, f"outcome:{name}") for name, _ in L.OUTCOME_CATEGORIES]
    cases = [(g.full_label, f"case:{g.key}") for g in L.CASE_GROUPS]
    within = str(data["name"])
    figures = [
        compare("下级行政区域本年新收政府信息公开申请", children, new, within),
        compare(
            f"下级行政区域{L.strip_numbering(L.RESULTS.label)}构成", children, outcomes, within
        ),
        compare(
            f"下级行政区域{L.REVIEW_HEADER}、{L.LITIGATION_HEADER}案件", children, cases, within
        ),
        compare("本级单位本年新收政府信息公开申请", data["units"], new),
    ]
    html = "".join(figures)
    return f'<div class="gi-charts">{html}</div>' if html else ""


def body(data: Mapping[str, Any]) -> str:
    """Everything after the title: what to act on first, then the checks, the sums, the
    sub-regions and units compared, the charts."""
    return (
        f'<section class="gi-section gi-region" data-region="{escape(data["code"])}">'
        f"<h2>{escape(data['name'])}</h2>{_lists(data)}{_checks(data)}{_tables(data)}"
        f"{children_table(data)}{units_table(data)}{charts(data)}</section>"
    )


def show(data: str | Mapping[str, Any], name: str) -> None:
    """Display one part in the notebook: ``title`` (with the page title) or ``body``."""
    from IPython.display import HTML, display

    region = loads(data) if isinstance(data, str) else data
    if name == "title":
        metadata = {"govinfo": {"title": title(region["year"], region["name"])}}
        display(HTML(title_part(region)), metadata=metadata)
    elif name == "body":
        display(HTML(body(region)))
    else:
        raise KeyError(name)
