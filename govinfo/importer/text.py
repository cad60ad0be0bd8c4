"""Plain text and Markdown as scraped from portals or converted from PDF, made readable.

Only what can never be report content is removed here: HTML tag remnants (``<b>``),
entities, Markdown table rule lines (``|---|---|``) and page-number lines. Everything else,
including the odd layout, is left for the label-anchored reading to cope with.
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
# Every run of blanks is possessive (*+): a blank may be taken by either of two neighbouring
# \s*, and on a long line of spaces backtracking would try every split (quadratic).
_RULE = re.compile(r"^\s*+\|?\s*+:?-{3,}+:?\s*+(?:\|\s*+:?-{3,}+:?\s*+)*+\|?\s*+$")
_PAGE = re.compile(  # alone on its line, or alone in a one-cell Markdown row (| — 5 — |)
    r"^\s*+\|?\s*+(?:[-—–－·]\s*+\d{1,3}\s*+[-—–－·]"  # - 3 -
    r"|第\s*+\d{1,3}\s*+页(?:\s*+[,，/]?\s*+共\s*+\d{1,3}\s*+页)?"  # 第3页 共10页
    r"|\d{1,3}\s*+/\s*+\d{1,3}"  # 3/10
    r"|(?:page|Page|PAGE)\s*+\d{1,3})\s*+\|?\s*+$"
)
_BARE_NUMBER = re.compile(r"^\s*+\d{1,3}\s*+$")


def looks_like_html(text: str) -> bool:
    """A page with real markup, not a text with a few leftover tags."""
    head = text[:20000].lower()
    return bool(re.search(r"<(?:html|body|table|div|p|tr|td)[\s>]", head)) and (
        "<table" in head or "<body" in head or "<html" in head or head.count("<p") > 3
    )


def clean_text(text: str) -> str:
    """Newlines unified, tag remnants and entities gone, rule and page-number lines dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        if _RULE.match(line) or _PAGE.match(line):
            out.append("")
            continue
        if _BARE_NUMBER.match(line) and _between_table_rows(lines, i):
            out.append("")  # a page number inside a Markdown table
            continue
        out.append(line)
    return "\n".join(out)


def _between_table_rows(lines: list[str], i: int) -> bool:
    def near(step: int) -> str:
        j = i + step
        while 0 <= j < len(lines) and not lines[j].strip():
            j += step
        return lines[j].strip() if 0 <= j < len(lines) else ""

    return near(-1).startswith("|") and near(1).startswith("|")
