"""Agencies compared on the region summary: a table of each counted unit's main figures and
ranking charts (applications, outcome mix, cases, licensing and penalties).

Split from :mod:`govinfo.publish.summary` to keep that module about what is counted and why; both
take a :class:`~govinfo.publish.summary.RegionSummary` and return an HTML fragment. Only counted
units (valid, published) appear: a unit that is not counted is listed on the page instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from .. import layout as L

if TYPE_CHECKING:
    from .region import Member, RegionSummary

TOTAL_LABEL = "合计"
UNIT_LABEL = "单位"
TOP = 10  # agencies shown in a ranking chart


def member_link(member: Member) -> str:
    """A unit's name, linked to its page when it has one."""
    if member.html:
        return f'<a href="{escape(member.html)}">{escape(member.name)}</a>'
    return escape(member.name)


def unit_table(summary: RegionSummary) -> str:
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
        f'<th scope="col">{escape(label)}</th>' for label in (UNIT_LABEL, *(c[0] for c in columns))
    )
    body = []
    for member, report in units:  # all counted, so all 已发布: no status column
        cells = "".join(f"<td>{value(report)}</td>" for _, value in columns)
        body.append(
            f'<tr data-agency="{escape(report.agency_id)}">'
            f'<th scope="row">{member_link(member)}</th>{cells}</tr>'
        )
    totals = "".join(f"<td>{value(summary.total)}</td>" for _, value in columns)
    foot = f'<tfoot><tr><th scope="row">{TOTAL_LABEL}</th>{totals}</tr></tfoot>'
    return (
        f'<table class="gi-table gi-units"><caption>计入汇总的各单位主要数据</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>{foot}</table>"
    )


def _short_names(names: Sequence[str]) -> list[str]:
    """Agency names without the county name they all share (示例县公安局 → 公安局)."""
    prefix = os.path.commonprefix(list(names)) if len(names) > 1 else ""  # noqa: RUF071
    cut = prefix.rfind("县") + 1 or prefix.rfind("市") + 1 or prefix.rfind("区") + 1
    return [name[cut:] or name for name in names]


def unit_charts(summary: RegionSummary) -> str:
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
