"""The parts every site page shares (the public index and the internal page): one
self-contained HTML file with the report stylesheet and page look inlined, a
Content-Security-Policy that forbids loading anything, sortable tables and their few lines of
script (``templates/site/sort.js``, no library).

Kept apart from :mod:`.site` so that :mod:`.site` and :mod:`.internal` both build on it and
neither imports the other's page.
"""

from __future__ import annotations

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


def name_cell(entry: Entry, slug: bool = False) -> str:
    """The row header: the agency's name (the file's name when it has none)."""
    name = entry.get("agency") or Path(entry.get("file") or "").name
    small = ""
    if slug:
        small = (
            f'<br><small class="gi-where">{escape(entry.get("agency_id") or entry["file"])}</small>'
        )
    return f'<th scope="row" data-sort="{escape(name)}">{escape(name)}{small}</th>'


def kind_cells(entry: Entry) -> list[str]:
    """行政区域, 类型, 范围: the labels of the layout for the keys of the file."""
    kind: str = entry.get("kind", "")
    scope: str = entry.get("scope", "")
    return [
        cell(entry.get("region") or ""),
        cell(L.KINDS.get(kind, kind)),
        cell(L.SCOPES.get(scope, scope)),
    ]


def table(
    entries: Sequence[Entry], caption: str, columns: Columns, row: Callable[[Entry], str]
) -> str:
    """A sortable table, one row per entry in agency id order, scrollable when narrow."""
    head = "".join(
        f'<th scope="col" aria-sort="none"><button type="button" data-col="{i}">'
        f"{escape(label)}</button></th>"
        if sortable
        else f'<th scope="col">{escape(label)}</th>'
        for i, (label, sortable) in enumerate(columns)
    )
    body = "".join(row(e) for e in sorted(entries, key=lambda e: e.get("agency_id") or ""))
    return (
        f'<div class="gi-table-wrap"><table class="gi-table gi-sortable">'
        f"<caption>{escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
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
