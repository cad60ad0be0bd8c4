"""The parts every site page shares (the public index and the internal page): one
self-contained HTML file with the report stylesheet and page look inlined, a
Content-Security-Policy that forbids loading anything, sortable tables and their few lines of
script (``templates/site/sort.js``, no library).

Kept apart from :mod:`.site` so that :mod:`.site` and :mod:`.internal` both build on it and
neither imports the other's page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from .. import layout as L


@cache
def asset(name: str) -> str:
    """A stylesheet or script of ``templates/site/`` (read once, exactly as written)."""
    return resources.files(__package__).joinpath("templates/site", name).read_text("utf-8")


INDEX = "index.html"
INDEX_TITLE = f"{L.TITLE_SUFFIX}索引"
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
Entry = Mapping[str, Any]
WRAP = '<div class="gi-table-wrap"'
Columns = tuple[tuple[str, bool], ...]


# The sort script every site page carries (the CSP allows inline script, nothing else).
SORT_SCRIPT = asset("sort.js")


def _css() -> str:
    from .tables import stylesheet

    page = resources.files(__package__).joinpath("templates/govinfo/page.css").read_text("utf-8")
    return stylesheet() + page + asset("index.css")


def cell(text: str, sort: str | int | None = None, cls: str = "", html: str | None = None) -> str:
    """A data cell: ``data-sort`` is what the sort script compares (the text by default)."""
    attrs = f' data-sort="{escape(str(text if sort is None else sort))}"'
    if cls:
        attrs += f' class="{cls}"'
    return f"<td{attrs}>{html if html is not None else escape(text)}</td>"


def link(href: str | None, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>' if href else "—"


def document_links(entry: Entry) -> str:
    """Links to the report's other formats (Word, PDF: ``batch --formats``), "" when none."""
    from .formats import FORMATS

    documents = entry.get("documents") or {}
    return " ".join(
        f'<a href="{escape(documents[name])}" download>{escape(fmt.label)}</a>'
        for name, fmt in FORMATS.items()
        if documents.get(name)
    )


def name_cell(entry: Entry, slug: bool = False, href: str | None = None) -> str:
    """The row header: the agency's name (the file's name when it has none), linked to
    ``href`` when given (the public index: the name is the way to the report)."""
    name = entry.get("agency") or Path(entry.get("file") or "").name
    shown = f'<a href="{escape(href)}">{escape(name)}</a>' if href else escape(name)
    small = ""
    if slug:
        small = (
            f'<br><small class="gi-where">{escape(entry.get("agency_id") or entry["file"])}</small>'
        )
    return f'<th scope="row" data-sort="{escape(name)}">{shown}{small}</th>'


# Where a place name may break: after the 省, 市 or 县 of 示例省示例市示例县, never inside one.
PLACE_END = re.compile(r"(?:(?<=[省市县区盟旗])|(?<=自治州))(?=.)")
# Where a scope label may break: 本行政区域 | 汇总.
SCOPE_BREAK = re.compile(r"(?<=本行政区域)(?=.)")


def word_breaks(text: str, where: re.Pattern[str]) -> str:
    """``text`` escaped, with ``<wbr>`` where ``where`` matches. The cells keep their words
    whole (``word-break: keep-all``) and break only there: narrow on a phone, unbroken names."""
    return "<wbr>".join(escape(part) for part in where.split(text))


def kind_cells(entry: Entry) -> list[str]:
    """行政区域, 类型, 范围: the labels of the layout for the keys of the file."""
    kind: str = entry.get("kind", "")
    scope: str = entry.get("scope", "")
    region = str(entry.get("region") or "")
    scope_label = L.SCOPES.get(scope, scope)
    return [
        cell(region, html=word_breaks(region, PLACE_END)),
        cell(L.KINDS.get(kind, kind)),
        cell(scope_label, html=word_breaks(scope_label, SCOPE_BREAK)),
    ]


# Rows a site table has at most to print on one A4 page: a longer one is marked gi-long and
# breaks across pages (its header repeated) instead of being pushed whole to the next page.
PAGE_ROWS = 30


def scroll_box(table_html: str, label: str, rows: int = 0) -> str:
    """A wide table in its own horizontally scrolling box, so that a phone scrolls the table
    and never the page. The box can take the keyboard focus and is a named region: a
    reader who cannot swipe scrolls it with the arrow keys (axe: scrollable-region-focusable).
    Printed, a table is kept on one page unless it has more than :data:`PAGE_ROWS` ``rows``.
    A table that comes in its box already (the official tables: ``tables.wrap_table``) is
    returned as it is: one box, never a box in a box."""
    if table_html.startswith(WRAP):
        return table_html
    long = " gi-long" if rows > PAGE_ROWS else ""
    return (
        f'{WRAP[:-1]}{long}" role="region" tabindex="0" aria-label="{escape(label)}">'
        f"{table_html}</div>"
    )


def table(
    entries: Sequence[Entry],
    caption: str,
    columns: Columns,
    row: Callable[[Entry], str],
    key: Callable[[Entry], Any] | None = None,
) -> str:
    """A sortable table, one row per entry (in agency id order, or by ``key``), in a
    :func:`scroll_box`. The sort buttons are screen controls: not printed."""
    head = "".join(
        f'<th scope="col" aria-sort="none"><button type="button" data-col="{i}">'
        f"{escape(label)}</button></th>"
        if sortable
        else f'<th scope="col">{escape(label)}</th>'
        for i, (label, sortable) in enumerate(columns)
    )
    order = key or (lambda e: e.get("agency_id") or "")
    body = "".join(row(e) for e in sorted(entries, key=order))
    return scroll_box(
        f'<table class="gi-table gi-sortable"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>",
        caption,
        len(entries),
    )


def page_html(title: str, body: str, head: str = "", css: str = "", cls: str = "gi-index") -> str:
    """A whole site page around ``body``: inlined styles (plus ``css``), the CSP, the sort
    script; ``head`` is more of the head (the internal page's robots tag)."""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="govinfo">\n{head}'
        f"<title>{escape(title)}</title>\n<style>{_css()}{css}</style>\n</head>\n<body>\n"
        f'<main class="gi-page {cls}">{body}</main>\n<script>{SORT_SCRIPT}</script>\n'
        "</body>\n</html>\n"
    )
