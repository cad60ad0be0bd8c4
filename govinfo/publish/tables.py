"""The official tables 二, 三 and 四 as HTML and as pandas DataFrames.

Rows, columns, labels and spans all come from :mod:`govinfo.layout`. The HTML is plain
(no script, no inline style): structure here, looks in ``templates/govinfo/report.css``, which the
report template, the index, the summary and the editor preview reuse. Every text is
escaped; every cell carries ``data-section``/``data-row``/``data-col`` so tests, the importer
and the editor can find it, and cells with findings get a class and a title.

Made for a phone as much as for paper: each table comes in its own scroll box
(:func:`wrap_table`), its column headers break only between words (:func:`header_html`) and
表三's label cells name the label column they start in, which report.css keeps in view.

A cell holding no number (:attr:`Report.marks`) never shows as 0: a missing one shows 未填
(class ``gi-missing``), an unread one 未读出 (``gi-unread``), a published blank its own text
such as ``/`` (``gi-blank``). Pass ``marks=report.marks`` to the table functions. Such a report
is invalid (MISSING / UNREAD errors), so 未填 and 未读出 appear only on stamped drafts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cache
from html import escape
from importlib import resources
from typing import TYPE_CHECKING

from .. import layout as L
from ..findings import Finding
from ..model import ActiveDisclosure, Applications, Cell, CellMark, Number, Report, ReviewLitigation
from ..rules import cells_of

if TYPE_CHECKING:
    import pandas as pd

Marks = dict[tuple[str, str | None, str | None], list[Finding]]
CellMarks = Mapping[Cell, CellMark]
NO_MARKS: CellMarks = {}
# What a cell holding no number shows, by its state (a blank shows its own text).
SHOWN = {"missing": "未填", "unread": "未读出"}


@cache
def stylesheet() -> str:
    """The one report stylesheet (screen and print)."""
    return resources.files(__package__).joinpath("templates/govinfo/report.css").read_text("utf-8")


def _marks(findings: Iterable[Finding]) -> Marks:
    marks: Marks = {}
    for finding in findings:
        for cell in cells_of(finding):
            marks.setdefault(cell, []).append(finding)
    return marks


def _lookup(marks: Marks, section: str, row: str, column: str | None) -> list[Finding]:
    # A finding naming a whole row or a whole column marks its cells; one naming neither
    # (an unknown key in the section) marks none, even in 表二's single-value rows.
    keys: list[tuple[str, str | None, str | None]] = [(section, row, column), (section, row, None)]
    if column is not None:
        keys.append((section, None, column))
    keys = list(dict.fromkeys(keys))
    return [finding for key in keys for finding in marks.get(key, [])]


def format_number(value: Number) -> str:
    """Zero shows as 0, never blank; decimals as given (24457.4 stays 24457.4).

    ``format(…, "f")`` because ``str(Decimal)`` may use exponent notation (``1.0E+2``).
    """
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def shown(value: Number, mark: CellMark | None) -> str:
    """A cell's text: its number, or what stands in the file for a cell with no number."""
    if mark is None:
        return format_number(value)
    return mark.text if mark.state in ("blank", "invalid") else SHOWN[mark.state]


def _td(
    value: Number,
    section: str,
    row: str,
    column: str | None,
    marks: Marks,
    span: int = 1,
    cell_marks: CellMarks = NO_MARKS,
) -> str:
    attrs = [f'data-section="{section}"', f'data-row="{escape(row)}"']
    if column:
        attrs.append(f'data-col="{escape(column)}"')
    if span > 1:
        attrs.append(f'colspan="{span}"')
    classes = []
    mark = cell_marks.get((section, row, column))
    if mark is not None:
        classes.append(f"gi-{mark.state}")
    found = _lookup(marks, section, row, column)
    if found:
        severity = "error" if any(f.is_error for f in found) else "warning"
        classes[:0] = ["gi-flag", f"gi-{severity}"]
    if classes:
        attrs.append(f'class="{" ".join(classes)}"')
    if found:
        title = "\n".join(f"{f.rule}: {f.zh}" for f in found)
        attrs.append(f'title="{escape(title)}"')
    return f"<td {' '.join(attrs)}>{escape(shown(value, mark))}</td>"


# The words of the official column headers. A header breaks only between two of them
# (``<wbr>`` with ``word-break: keep-all`` in report.css): 商业/企业, never 商业企/业. An
# unknown character stays with the word before it; an opening bracket starts a new piece.
# Every break is also a word boundary for ICU's Chinese dictionary (Chromium's
# Intl.Segmenter), which keeps 行政诉讼 whole: so 诉讼 is not listed.
WORDS = (
    "商业 企业 科研 机构 社会 公益 组织 法律 服务 申请人 情况 法人或 其他 结果 维持 纠正 尚未 "
    "审结 行政 复议 未经 直接 起诉 复议后 本年 制发 废止 现行 有效 件数 处理 决定 数量 "
    "收费 金额 信息 内容"
)
HEADER_WORDS = frozenset(WORDS.split())
LONGEST_WORD = max(map(len, HEADER_WORDS))


def header_words(text: str) -> list[str]:
    """``text`` cut where a header may break (greedy longest match on HEADER_WORDS)."""
    pieces: list[str] = []
    i = 0
    while i < len(text):
        word = next(
            (
                text[i : i + n]
                for n in range(LONGEST_WORD, 1, -1)
                if text[i : i + n] in HEADER_WORDS
            ),
            None,
        )
        if word is None and pieces and text[i] not in "（(":
            pieces[-1] += text[i]
            i += 1
            continue
        word = word or text[i]
        pieces.append(word)
        i += len(word)
    return pieces


def header_html(text: str) -> str:
    """A column header's text, escaped, with ``<wbr>`` between its words (none in a label of
    three characters or fewer: 自然人 and 总计 stay whole)."""
    if len(text) <= 3:
        return escape(text)
    return "<wbr>".join(escape(word) for word in header_words(text))


def wrap_table(table: str, label: str, keep: bool = True) -> str:
    """A table in its own scroll box, so that a wide table scrolls inside it on a phone
    instead of widening the page; focusable and named, as a scrollable region must be.
    ``keep``: the table fits on an A4 page and is never split in print (report.css)."""
    classes = "gi-table-wrap gi-keep" if keep else "gi-table-wrap"
    return (
        f'<div class="{classes}" role="region" tabindex="0" aria-label="{escape(label)}">'
        f"{table}</div>"
    )


def _th(text: str, scope: str, rowspan: int = 1, colspan: int = 1, cls: str = "") -> str:
    attrs = [f'scope="{scope}"']
    if rowspan > 1:
        attrs.append(f'rowspan="{rowspan}"')
    if colspan > 1:
        attrs.append(f'colspan="{colspan}"')
    if cls:
        attrs.append(f'class="{cls}"')
    inner = header_html(text) if scope in ("col", "colgroup") else escape(text)
    return f"<th {' '.join(attrs)}>{inner}</th>"


def _caption(section: str) -> str:
    return f"<caption>{escape(L.SECTION_BY_KEY[section].title)}</caption>"


# --------------------------------------------------------------------------- 表二


def active_html(
    active: ActiveDisclosure, findings: Iterable[Finding] = (), marks: CellMarks = NO_MARKS
) -> str:
    flags = _marks(findings)
    parts = ['<table class="gi-table gi-t2">', _caption("active")]
    for group in L.ACTIVE_GROUPS:
        parts.append("<tbody>")
        parts.append(f"<tr>{_th(group.caption, 'colgroup', colspan=4, cls='gi-group')}</tr>")
        header = [_th(L.ACTIVE_ITEM_HEADER, "col")]
        if group.is_single:
            header.append(_th(group.measures[0][1], "col", colspan=3))
        else:
            header.extend(_th(label, "col") for _, label in group.measures)
        parts.append(f"<tr>{''.join(header)}</tr>")
        for item in group.items:
            cells = [_th(item.label, "row")]
            if group.is_single:
                value = active.get(item.key)
                cells.append(_td(value, "active", item.key, None, flags, 3, marks))
            else:
                cells.extend(
                    _td(active.get(item.key, m), "active", item.key, m, flags, 1, marks)
                    for m, _ in group.measures
                )
            parts.append(f"<tr>{''.join(cells)}</tr>")
        parts.append("</tbody>")
    parts.append("</table>")
    return wrap_table("".join(parts), L.SECTION_BY_KEY["active"].title)


# --------------------------------------------------------------------------- 表三


def _group_span(group: L.Group) -> int:
    return sum(1 for row in L.APPLICATION_ROWS if group in row.groups)


def applications_html(
    apps: Applications, findings: Iterable[Finding] = (), marks: CellMarks = NO_MARKS
) -> str:
    flags = _marks(findings)
    cols = L.APPLICATION_COLUMNS
    head = [
        "<thead>",
        "<tr>",
        _th(L.APPLICATION_NOTE, "col", rowspan=3, colspan=3, cls="gi-note gi-c1"),
        _th(L.APPLICANT_HEADER, "colgroup", colspan=7),
        "</tr><tr>",
        _th(cols[0].label, "col", rowspan=2),
        _th(L.ORGANISATION_HEADER, "colgroup", colspan=len(L.ORGANISATION_KEYS)),
        _th(cols[-1].label, "col", rowspan=2),
        "</tr><tr>",
        *(_th(L.COLUMN_BY_KEY[k].label, "col") for k in L.ORGANISATION_KEYS),
        "</tr>",
        "</thead>",
    ]
    body = ["<tbody>"]
    opened: set[str] = set()
    for row in L.APPLICATION_ROWS:
        cells = []
        # gi-c1…gi-c3: the label column a cell starts in (kept in view when the table scrolls)
        for level, group in enumerate(row.groups, 1):  # open each group once, spanning its rows
            if group.key not in opened:
                opened.add(group.key)
                span = _group_span(group)
                cells.append(_th(group.label, "rowgroup", rowspan=span, cls=f"gi-c{level}"))
        label_span = 3 - len(row.groups)
        cells.append(_th(row.label, "row", colspan=label_span, cls=f"gi-c{len(row.groups) + 1}"))
        cells.extend(
            _td(apps.cell(row.key, c.key), L.APPLICATIONS, row.key, c.key, flags, 1, marks)
            for c in cols
        )
        body.append(f'<tr data-row="{row.key}">{"".join(cells)}</tr>')
    body.append("</tbody>")
    caption = _caption(L.APPLICATIONS)
    table = f'<table class="gi-table gi-t3">{caption}{"".join(head)}{"".join(body)}</table>'
    return wrap_table(table, L.SECTION_BY_KEY[L.APPLICATIONS].title)


# --------------------------------------------------------------------------- 表四


def review_html(
    review: ReviewLitigation, findings: Iterable[Finding] = (), marks: CellMarks = NO_MARKS
) -> str:
    flags = _marks(findings)
    outcomes = L.REVIEW_OUTCOMES
    review_group, *litigation = L.CASE_GROUPS
    n = len(outcomes)
    head = [
        "<thead><tr>",
        _th(review_group.label, "colgroup", colspan=n),
        _th(L.LITIGATION_HEADER, "colgroup", colspan=n * len(litigation)),
        "</tr><tr>",
        *(_th(o.label, "col", rowspan=2) for o in outcomes),
        *(_th(g.label, "colgroup", colspan=n) for g in litigation),
        "</tr><tr>",
        *(_th(o.label, "col") for _ in litigation for o in outcomes),
        "</tr></thead>",
    ]
    cells = [
        _td(review.cell(g.key, o.key), L.REVIEW_LITIGATION, g.key, o.key, flags, 1, marks)
        for g in L.CASE_GROUPS
        for o in outcomes
    ]
    body = f"<tbody><tr>{''.join(cells)}</tr></tbody>"
    caption = _caption(L.REVIEW_LITIGATION)
    table = f'<table class="gi-table gi-t4">{caption}{"".join(head)}{body}</table>'
    return wrap_table(table, L.SECTION_BY_KEY[L.REVIEW_LITIGATION].title)


# --------------------------------------------------------------------------- findings


def findings_html(findings: Iterable[Finding]) -> str:
    """A list of findings, errors first, each naming its rule, place and both numbers."""
    items = sorted(findings, key=lambda f: (not f.is_error, f.rule))
    if not items:
        return '<p class="gi-findings-ok">未发现问题（所有勾稽关系均成立）。</p>'
    rows = "".join(
        f'<li class="gi-{f.severity}"><span class="gi-rule">{escape(f.rule)}</span> '
        f'<span class="gi-where">{escape(f.where)}</span> {escape(f.zh)}'
        f'<span class="gi-en">{escape(f.en)}</span></li>'
        for f in items
    )
    return f'<ul class="gi-findings">{rows}</ul>'


def report_html(report: Report) -> str:
    """The report in Jupyter: title, findings, and the three official tables."""
    from ..rules import check

    findings = check(report)
    tables = (
        ("active", active_html(report.active, findings, report.marks)),
        (L.APPLICATIONS, applications_html(report.applications, findings, report.marks)),
        (L.REVIEW_LITIGATION, review_html(report.review_litigation, findings, report.marks)),
    )
    sections = [f"<h2>{escape(L.SECTION_BY_KEY[key].heading)}</h2>{html}" for key, html in tables]
    return (
        f'<div class="gi-report"><style>{stylesheet()}</style>'
        f"<h1>{escape(report.title)}</h1>{findings_html(findings)}{''.join(sections)}</div>"
    )


# --------------------------------------------------------------------------- DataFrames
#
# A missing or unread cell is ``pd.NA`` (表三 and 表四 use pandas' nullable ``Int64``), never
# 0: a reader summing the frame sees the hole. A published blank stays 0, as every rule and
# sum of govinfo counts it; its text is in ``Report.marks``. Pass ``marks=report.marks``
# (``Report.to_frames`` does).


def _value(value: Number, marks: CellMarks, cell: Cell) -> object:
    import pandas as pd

    mark = marks.get(cell)
    return pd.NA if mark is not None and mark.state != "blank" else value


def active_frame(active: ActiveDisclosure, marks: CellMarks = NO_MARKS) -> pd.DataFrame:
    """表二 as rows (caption, item) × measure columns; cells a row lacks are None, cells not
    filled in ``pd.NA``."""
    import pandas as pd

    measures = [label for _, label in L.ACTIVE_MEASURES]
    extra = [g.measures[0][1] for g in L.ACTIVE_GROUPS if g.is_single]
    columns = list(dict.fromkeys(measures + extra))
    index, data = [], []
    for group in L.ACTIVE_GROUPS:
        for item in group.items:
            index.append((group.caption, item.label))
            row: dict[str, object] = {}
            for key, label in group.measures:
                cell = ("active", item.key, key or None)
                row[label] = _value(active.get(item.key, key or None), marks, cell)
            data.append([row.get(c) for c in columns])
    frame = pd.DataFrame(
        data,
        index=pd.MultiIndex.from_tuples(index, names=["", L.ACTIVE_ITEM_HEADER]),
        columns=columns,
        dtype=object,
    )
    return frame


def applications_frame(apps: Applications, marks: CellMarks = NO_MARKS) -> pd.DataFrame:
    """表三: 25 rows labelled by their official path × the 7 applicant columns."""
    import pandas as pd

    columns = pd.MultiIndex.from_tuples(
        [
            (
                L.APPLICANT_HEADER,
                L.ORGANISATION_HEADER if c.key in L.ORGANISATION_KEYS else c.label,
                c.label if c.key in L.ORGANISATION_KEYS else "",
            )
            for c in L.APPLICATION_COLUMNS
        ]
    )
    index = pd.MultiIndex.from_tuples(
        [tuple(list(row.path) + [""] * (3 - len(row.path))) for row in L.APPLICATION_ROWS]
    )
    data = [
        [
            _value(value, marks, (L.APPLICATIONS, row.key, column))
            for column, value in zip(L.APPLICATION_COLUMN_KEYS, apps.rows[row.key], strict=True)
        ]
        for row in L.APPLICATION_ROWS
    ]
    return pd.DataFrame(data, index=index, columns=columns, dtype="Int64")


def review_frame(review: ReviewLitigation, marks: CellMarks = NO_MARKS) -> pd.DataFrame:
    """表四: one row of 15 cells under the three-level official header."""
    import pandas as pd

    columns = pd.MultiIndex.from_tuples(
        [
            (g.parent or g.label, g.label if g.parent else "", o.label)
            for g in L.CASE_GROUPS
            for o in L.REVIEW_OUTCOMES
        ]
    )
    values = [
        _value(review.cell(g.key, o.key), marks, (L.REVIEW_LITIGATION, g.key, o.key))
        for g in L.CASE_GROUPS
        for o in L.REVIEW_OUTCOMES
    ]
    return pd.DataFrame([values], index=["件数"], columns=columns, dtype="Int64")
