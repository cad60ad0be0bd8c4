"""The editor's input widgets, laid out like the official tables and built from the layout.

Each table is a CSS grid (``GridBox``) whose header cells, merged row labels and inputs
are placed with ``grid_area`` spans computed from :mod:`govinfo.layout`,
the same way :mod:`govinfo.publish.tables` computes ``rowspan`` / ``colspan`` for the HTML tables,
so the grid on screen is the table on paper. Numbers are typed as text
(:class:`NumberText`) and read by the editor (:func:`govinfo.editor.fields.read_typed`):
``IntText`` turned ``1.5`` into 15 and ``BoundedIntText`` clamps −1 to 0, while typed text
stays exactly as typed and the rules flag it. A cell not filled in is empty with the
placeholder 未填. Every input gets the stable CSS class of its cell
(:func:`govinfo.editor.fields.css_class`) for tests and for highlighting.

The builders only create widgets and register them in ``fields``; the editor fills them in
and wires them to its session (:class:`govinfo.editor.widget.ReportEditor`). :class:`ConfirmBar`
asks before anything is discarded or overwritten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape
from typing import Any

import ipywidgets as W
import traitlets

from .. import layout as L
from ..publish.page_kit import asset
from .fields import (
    APPS,
    BASIC_FIELDS,
    CONTACT,
    FEES,
    FEES_SWITCH_LABEL,
    NARRATIVE,
    REVIEW,
    CellKey,
    cell_label,
    css_class,
    is_computed,
)

Fields = dict[CellKey, W.Widget]
LABEL_STYLE = {"description_width": "9em"}

# The editor's own look: flagged inputs, computed totals, grid labels. Scoped to .gi-editor.
# The editor's looks (templates/site/editor.css, beside the site pages' styles).
EDITOR_CSS = asset("editor.css")


def _place(row: int, column: int, rows: int = 1, columns: int = 1) -> dict[str, str]:
    """A grid placement as ``grid_area``, the one placement trait that survives in the browser.

    ipywidgets applies the layout traits in order and removes the ``grid-area`` shorthand
    when ``grid_area`` is None, which also clears ``grid-row`` and ``grid-column``.
    """
    return {"grid_area": f"{row} / {column} / span {rows} / span {columns}"}


def label_cell(
    text: str, row: int, column: int, rows: int = 1, columns: int = 1, head: bool = True
) -> W.HTML:
    """A (possibly merged) header or row-label cell of a grid."""
    cell = W.HTML(escape(text), layout=W.Layout(**_place(row, column, rows, columns)))
    cell.add_class("gi-head" if head else "gi-rowhead")
    return cell


class _NumberValue(traitlets.Unicode):
    """Text, and a number given from Python becomes its text (``field.value = 3``)."""

    def validate(self, obj: Any, value: Any) -> Any:
        if isinstance(value, Decimal):
            value = format(value, "f")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        return super().validate(obj, value)


class NumberText(W.Text):
    """A number field: the text as typed, read by the editor (never rewritten by a widget)."""

    value = _NumberValue(help="String value").tag(sync=True)


def number_input(key: CellKey, **place: str) -> NumberText:
    """The input of one numeric cell; totals are read-only."""
    widget = NumberText(
        continuous_update=True,
        disabled=is_computed(key),
        tooltip=cell_label(*key),
        layout=W.Layout(width="auto", **place),
    )
    widget.add_class("gi-input")
    widget.add_class(css_class(key))
    if is_computed(key):
        widget.add_class("gi-computed")
    return widget


def _grid(children: list[W.Widget], columns: str, name: str) -> W.GridBox:
    grid = W.GridBox(children, layout=W.Layout(grid_template_columns=columns))
    grid.add_class("gi-grid")
    grid.add_class(f"gi-grid-{name}")
    return grid


def _cell(fields: Fields, key: CellKey, **place: str) -> W.Widget:
    widget = number_input(key, **place)
    fields[key] = widget
    return widget


# --------------------------------------------------------------------------- 表二


def active_grid(fields: Fields) -> W.GridBox:
    """表二: four caption rows, each followed by its header row and its items."""
    children: list[W.Widget] = []
    row = 1
    for group in L.ACTIVE_GROUPS:
        children.append(label_cell(group.caption, row, 1, columns=4))
        children.append(label_cell(L.ACTIVE_ITEM_HEADER, row + 1, 1))
        if group.is_single:
            children.append(label_cell(group.measures[0][1], row + 1, 2, columns=3))
        else:
            children.extend(
                label_cell(label, row + 1, 2 + i) for i, (_, label) in enumerate(group.measures)
            )
        row += 2
        for item in group.items:
            children.append(label_cell(item.label, row, 1, head=False))
            if group.is_single:
                children.append(_cell(fields, ("active", item.key, None), **_place(row, 2, 1, 3)))
            else:
                children.extend(
                    _cell(fields, ("active", item.key, m), **_place(row, 2 + i))
                    for i, (m, _) in enumerate(group.measures)
                )
            row += 1
    return _grid(children, "minmax(9em, 14em) repeat(3, 9em)", "active")


# --------------------------------------------------------------------------- 表三


def _group_span(group: L.Group) -> int:
    return sum(1 for row in L.APPLICATION_ROWS if group in row.groups)


def applications_grid(fields: Fields) -> W.GridBox:
    """表三: the 3 × 3 note corner, the three header rows, 25 rows of 7 inputs."""
    cols = L.APPLICATION_COLUMNS
    first = 4  # grid column of 自然人
    children: list[W.Widget] = [
        label_cell(L.APPLICATION_NOTE, 1, 1, rows=3, columns=3),
        label_cell(L.APPLICANT_HEADER, 1, first, columns=len(cols)),
        label_cell(cols[0].label, 2, first, rows=2),
        label_cell(L.ORGANISATION_HEADER, 2, first + 1, columns=len(L.ORGANISATION_KEYS)),
        label_cell(cols[-1].label, 2, first + len(cols) - 1, rows=2),
        *(
            label_cell(L.COLUMN_BY_KEY[key].label, 3, first + 1 + i)
            for i, key in enumerate(L.ORGANISATION_KEYS)
        ),
    ]
    opened: set[str] = set()
    for index, row in enumerate(L.APPLICATION_ROWS):
        line = 4 + index
        for depth, group in enumerate(row.groups):  # each group label once, spanning its rows
            if group.key not in opened:
                opened.add(group.key)
                span = _group_span(group)
                children.append(label_cell(group.label, line, 1 + depth, rows=span, head=False))
        depth = len(row.groups)
        children.append(label_cell(row.label, line, 1 + depth, columns=3 - depth, head=False))
        children.extend(
            _cell(fields, (APPS, row.key, c.key), **_place(line, first + i))
            for i, c in enumerate(cols)
        )
    # Narrow enough that the 总计 column shows beside JupyterLab's file browser at 1280 px.
    return _grid(children, "4.6em 5.6em minmax(10em, 20em) repeat(7, 4.8em)", L.APPLICATIONS)


# --------------------------------------------------------------------------- 表四


def review_grid(fields: Fields) -> W.GridBox:
    """表四: 行政复议 | 行政诉讼 (未经复议直接起诉, 复议后起诉), five outcomes each."""
    outcomes = L.REVIEW_OUTCOMES
    review, *litigation = L.CASE_GROUPS
    n = len(outcomes)
    children: list[W.Widget] = [
        label_cell(review.label, 1, 1, columns=n),
        label_cell(L.LITIGATION_HEADER, 1, n + 1, columns=n * len(litigation)),
        *(label_cell(o.label, 2, 1 + i, rows=2) for i, o in enumerate(outcomes)),
    ]
    for g, group in enumerate(litigation):
        start = n + 1 + g * n
        children.append(label_cell(group.label, 2, start, columns=n))
        children.extend(label_cell(o.label, 3, start + i) for i, o in enumerate(outcomes))
    for g, group in enumerate(L.CASE_GROUPS):
        children.extend(
            _cell(fields, (REVIEW, group.key, o.key), **_place(4, 1 + g * n + i))
            for i, o in enumerate(outcomes)
        )
    return _grid(children, f"repeat({n * len(L.CASE_GROUPS)}, minmax(3.6em, 5em))", "review")


# --------------------------------------------------------------------------- forms


def basic_form(fields: Fields) -> W.VBox:
    """基本信息: the top-level keys of the parameter file, then the contact details."""
    rows: list[W.Widget] = []
    for key, label in BASIC_FIELDS:
        common: dict[str, Any] = {"description": label, "style": LABEL_STYLE}
        if key in ("kind", "scope"):
            choices = L.KINDS if key == "kind" else L.SCOPES
            options = [(text, k) for k, text in choices.items()]  # the file's key stays hidden
            widget: W.Widget = W.Dropdown(options=options, **common)
        elif key == "year":
            widget = NumberText(continuous_update=True, **common)
        elif key == "published":
            widget = W.DatePicker(**common)
        else:
            widget = W.Text(continuous_update=True, **common)
            widget.layout.width = "36em"
        widget.add_class(css_class((key, None, None)))
        fields[(key, None, None)] = widget
        rows.append(widget)
    rows.append(W.HTML(f"<b>{escape(cell_label(CONTACT))}</b>"))
    for key, label in L.CONTACT_FIELDS:
        cell: CellKey = (CONTACT, key, None)
        widget = W.Text(
            continuous_update=True, description=label, style=LABEL_STYLE, placeholder="（选填）"
        )
        widget.layout.width = "36em"
        widget.add_class(css_class(cell))
        fields[cell] = widget
        rows.append(widget)
    return W.VBox(rows)


def text_area(fields: Fields, key: CellKey, rows: int = 6) -> W.Textarea:
    widget = W.Textarea(rows=rows, continuous_update=True, layout=W.Layout(width="100%"))
    widget.add_class(css_class(key))
    fields[key] = widget
    return widget


def narrative_block(fields: Fields, previews: dict[CellKey, W.HTML], key: CellKey) -> W.VBox:
    """A heading, the Markdown text area and its live preview, side by side."""
    title = W.HTML(f"<b>{escape(cell_label(*key))}</b>")
    preview = W.HTML(layout=W.Layout(width="50%"))
    preview.add_class("gi-md")
    previews[key] = preview
    area = text_area(fields, key)
    area.layout.width = "50%"
    return W.VBox([title, W.HBox([area, preview], layout=W.Layout(width="100%"))])


def overview_form(fields: Fields, previews: dict[CellKey, W.HTML]) -> W.VBox:
    """一、总体情况: the intro and the five subsections, Markdown with preview."""
    keys = [(NARRATIVE, "overview", key) for key in L.OVERVIEW_KEYS]
    return W.VBox([narrative_block(fields, previews, key) for key in keys])


def closing_form(fields: Fields, previews: dict[CellKey, W.HTML]) -> W.VBox:
    """五、六 and the 信息处理费 figures reported in 六."""
    switch = W.Checkbox(description=FEES_SWITCH_LABEL)
    switch.add_class(css_class((FEES, None, None)))
    fields[(FEES, None, None)] = switch
    inputs: list[W.Widget] = [switch]
    for key, label in L.PROCESSING_FEES:
        cell: CellKey = (FEES, key, None)
        widget = number_input(cell)
        widget.description = label
        widget.style = {"description_width": "13em"}
        widget.layout.width = "30em"
        widget.tooltip = None
        fields[cell] = widget
        inputs.append(widget)
    return W.VBox(
        [
            narrative_block(fields, previews, (NARRATIVE, "problems", None)),
            narrative_block(fields, previews, (NARRATIVE, "other", None)),
            W.HTML(f"<b>{escape(cell_label(FEES))}</b>"),
            *inputs,
        ]
    )


# --------------------------------------------------------------------------- asking


Choice = tuple[str, str, Callable[[], Any]]  # (button text, CSS name, action)


class ConfirmBar(W.HBox):
    """A question and its answers, shown in place until one is chosen.

    ``ask("……", [("放弃修改", "discard", act), ("取消", "cancel", lambda: None)])`` shows
    the buttons (CSS classes ``gi-confirm-discard`` …); a click hides the bar and runs
    its action. Nothing is discarded or overwritten before a click.
    """

    def __init__(self) -> None:
        super().__init__(layout=W.Layout(display="none"))
        self.add_class("gi-confirm")
        self.text = W.HTML()
        self.text.add_class("gi-confirm-text")
        self.buttons: dict[str, W.Button] = {}

    @property
    def asking(self) -> bool:
        return bool(self.buttons)

    def ask(self, question: str, choices: Sequence[Choice]) -> None:
        self.dismiss()
        self.text.value = escape(question)
        for label, name, action in choices:
            button = W.Button(description=label)
            button.add_class(f"gi-confirm-{name}")
            button.on_click(lambda _, act=action: self._answer(act))
            self.buttons[name] = button
        self.children = [self.text, *self.buttons.values()]
        self.layout.display = "flex"

    def choose(self, name: str) -> None:
        """Press the answer ``name`` (as a click does)."""
        self.buttons[name].click()

    def dismiss(self) -> None:
        for button in self.buttons.values():
            button.close()
        self.buttons = {}
        self.children = []
        self.layout.display = "none"

    def _answer(self, action: Callable[[], Any]) -> None:
        self.dismiss()
        action()
