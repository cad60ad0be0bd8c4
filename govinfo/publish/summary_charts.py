"""Agencies compared on the region summary: a table of each counted unit's main figures and
charts across the units (applications, outcome mix, cases, licensing and penalties).

Split from :mod:`govinfo.publish.summary` to keep that module about what is counted and why; both
take a :class:`~govinfo.publish.summary.RegionSummary` and return an HTML fragment. Only counted
units (valid, published) appear: a unit that is not counted is listed on the page instead.

The charts are drawn here rather than with :mod:`.charts`' report charts because they compare
many units on a page read on phones: horizontal bars (one agency name per line, never rotated),
drawn :data:`WIDTH_INCHES` wide so that a 390 px phone shows them at their own size, with no
text under :data:`MIN_POINTS` (11.8 CSS px). Composition is one stacked bar per unit with the
legend in its own band above the plot, never over a bar. The title is real text in the
``<figcaption>`` (it wraps on a phone); a chart that shows only some units says so in its title
and names the rest, with their numbers, in its alt text.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from .. import layout as L
from .page_kit import scroll_box

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..model import Report
    from .charts import Chart
    from .region import Member, RegionSummary

TOTAL_LABEL = "合计"
UNIT_LABEL = "单位"
UNIT = "件"
TOP = 10  # units shown in a chart; the others are named in its alt text

WIDTH_INCHES = 3.5  # 350 CSS px: a 390 px phone shows the chart unscaled
MIN_POINTS = 8.5  # the smallest text drawn: 11.8 CSS px at that width
NAME_POINTS = 9.0  # agency names on the axis
NAME_INCHES = 1.35  # a longer name is cut with "…" (the alt text keeps it)
ROW_INCHES = 0.3  # one bar per row


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
    caption = "计入汇总的各单位主要数据"
    return scroll_box(
        f'<table class="gi-table gi-units"><caption>{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>{foot}</table>",
        caption,
        len(body) + 2,
    )


def _short_names(names: Sequence[str]) -> list[str]:
    """Agency names without the county name they all share (示例县公安局 → 公安局)."""
    prefix = os.path.commonprefix(list(names)) if len(names) > 1 else ""  # noqa: RUF071
    cut = prefix.rfind("县") + 1 or prefix.rfind("市") + 1 or prefix.rfind("区") + 1
    return [name[cut:] or name for name in names]


# --------------------------------------------------------------------------- drawing


def _number(value: float) -> str:
    return f"{value:g}"


def stacked_figure(
    names: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], unit: str = UNIT
) -> Figure:
    """Horizontal bars, one per name, stacked by series (one series: plain bars), the total
    at each bar's end; with several series, the legend in a band above the plot."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from .charts import DPI, PALETTE, configure_fonts, fit_label, text_inches

    configure_fonts()
    shown = [fit_label(name, NAME_POINTS, NAME_INCHES) for name in names]
    legend_rows, columns = 0, 1
    if len(series) > 1:
        entry = max(text_inches(label, MIN_POINTS) for label, _ in series) + 0.45
        columns = max(1, min(len(series), int((WIDTH_INCHES - 0.1) // entry)))
        legend_rows = -(-len(series) // columns)
    # The legend's band: 0.16 in a row (8.5 pt text and its leading), then a gap.
    top = 0.06 + legend_rows * 0.16 + 0.08 if legend_rows else 0.1
    bottom = 0.45
    height = top + bottom + ROW_INCHES * len(names) + 0.1
    fig = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
    left = max(text_inches(name, NAME_POINTS) for name in shown) + 0.15
    fig.subplots_adjust(
        left=left / WIDTH_INCHES,
        right=1 - 0.1 / WIDTH_INCHES,
        bottom=bottom / height,
        top=1 - top / height,
    )
    ax = fig.add_subplot()
    positions = list(range(len(names)))
    starts = [0.0] * len(names)
    bars = None
    for i, (label, values) in enumerate(series):
        color = PALETTE[i % len(PALETTE)] if len(series) > 1 else PALETTE[0]
        bars = ax.barh(positions, values, left=starts, height=0.62, color=color, label=label)
        starts = [s + v for s, v in zip(starts, values, strict=True)]
    if bars is not None:
        ax.bar_label(bars, labels=[_number(t) for t in starts], padding=3, fontsize=MIN_POINTS)
    ax.set_yticks(positions, labels=shown)
    ax.invert_yaxis()
    ax.set_xlim(0, max(max(starts, default=0), 1) * 1.2)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    ax.tick_params(axis="y", labelsize=NAME_POINTS, length=0)
    ax.tick_params(axis="x", labelsize=MIN_POINTS)
    ax.set_xlabel(unit, fontsize=MIN_POINTS, labelpad=2)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if legend_rows:
        fig.legend(
            loc="upper left",
            bbox_to_anchor=(0.02, 1 - 0.06 / height),
            ncols=columns,
            fontsize=MIN_POINTS,
            frameon=False,
            handlelength=1.0,
            handletextpad=0.3,
            columnspacing=0.8,
            borderaxespad=0,
            borderpad=0,
        )
    return fig


def encode(fig: Figure, alt: str) -> Chart:
    """The figure as a 2× PNG (no text metadata: same numbers, same bytes)."""
    from .charts import DPI, PNG_COMPRESS_LEVEL, Chart

    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format="png",
        dpi=DPI,
        metadata={"Software": None},
        pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL},
    )
    width, height = (round(v * 100) for v in fig.get_size_inches())
    return Chart(buffer.getvalue(), alt, width, height)


def figure_html(title: str, chart: Chart) -> str:
    """The chart with its title as text above it (it wraps on a phone)."""
    import base64

    data = base64.b64encode(chart.png).decode("ascii")
    return (
        f'<figure class="gi-chart gi-unit-chart"><figcaption>{escape(title)}</figcaption>'
        f'<img src="data:image/png;base64,{data}" width="{chart.width}" '
        f'height="{chart.height}" alt="{escape(chart.alt)}"></figure>'
    )


# --------------------------------------------------------------------------- the charts

Series = Callable[["Report"], Sequence[float]]  # a unit's numbers in a chart


def compare(subject: str, units: Sequence[Report], parts: Sequence[str], values: Series) -> str:
    """Units compared by ``values`` (one number per part; one part: a ranking), the largest
    totals first, at most :data:`TOP`, units with nothing to show left out. The title says
    （按单位）, or when any unit is left out how many are shown of how many
    （前9个单位，共12个）, and the alt text then names the rest with their numbers."""
    totals = [(sum(values(r)), i) for i, r in enumerate(units)]
    order = [i for _, i in sorted(totals, key=lambda p: (-p[0], p[1]))]
    shown = [i for i in order if totals[i][0]][:TOP]
    if not shown:
        return ""
    rest = [i for i in order if i not in shown]
    names = [r.agency for r in units]
    short = _short_names(names)
    shares = f"前{len(shown)}个单位，共{len(units)}个" if rest else "按单位"
    title = f"{subject}（{shares}）"

    def described(indices: Sequence[int]) -> str:
        def one(i: int) -> str:
            numbers = values(units[i])
            if len(parts) == 1:
                return f"{names[i]} {_number(numbers[0])} {UNIT}"
            split = "，".join(f"{p} {_number(n)}" for p, n in zip(parts, numbers, strict=True))
            return f"{names[i]} 共 {_number(sum(numbers))} {UNIT}（{split}）"

        return "；".join(one(i) for i in indices)

    kind = "条形图" if len(parts) == 1 else "堆积条形图"
    alt = f"{kind}：{title}。{described(shown)}。"
    if rest:
        alt += f"其余{len(rest)}个单位：{described(rest)}。"
    series = [(p, [float(values(units[i])[k]) for i in shown]) for k, p in enumerate(parts)]
    fig = stacked_figure([short[i] for i in shown], series)
    return figure_html(title, encode(fig, alt))


def unit_charts(summary: RegionSummary) -> str:
    """Units compared: new applications, outcome mix, cases, licensing and penalties."""
    units = [r for _, r in summary.units]
    if not units:
        return ""
    new = L.ROW_BY_KEY["new"].short
    categories = [
        (name, keys)
        for name, keys in L.OUTCOME_CATEGORIES
        if any(r.applications.total(k) for r in units for k in keys)
    ]
    charts = [
        compare(
            f"{new}政府信息公开申请",
            units,
            [new],
            lambda r: [r.applications.total("new")],
        ),
        compare(
            f"{L.strip_numbering(L.RESULTS.label)}构成",
            units,
            [name for name, _ in categories],
            lambda r: [sum(r.applications.total(k) for k in keys) for _, keys in categories],
        ),
        compare(
            f"{L.REVIEW_HEADER}、{L.LITIGATION_HEADER}案件",
            units,
            [g.full_label for g in L.CASE_GROUPS],
            lambda r: [r.review_litigation.cell(g, L.TOTAL) for g in L.CASE_GROUP_KEYS],
        ),
    ]
    for group in L.ACTIVE_GROUPS[1:3]:
        item = group.items[0]
        title = f"{item.label}{group.measures[0][1]}"
        charts.append(compare(title, units, [item.label], _active(item.key)))
    figures = "".join(charts)
    return f'<div class="gi-charts">{figures}</div>' if figures else ""


def _active(key: str) -> Series:
    return lambda report: [float(report.active.get(key))]
