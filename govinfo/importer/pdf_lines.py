"""Characters into lines and text: what a cell or a paragraph of a PDF page says.

A PDF holds characters with positions, not words or lines. Lines are characters whose
boxes overlap vertically; a gap becomes a space only where a reader would see one between
Latin letters or digits (Chinese needs none, and a space inside ``455.2`` would make two
numbers of it); a cell's lines are one text again (a label wrapped in its cell).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from .pdf_page import Char


def lines_of(chars: Sequence[Char]) -> list[list[Char]]:
    """Characters grouped into visual lines, top to bottom, each line left to right.

    A character joins the line when it overlaps the line's mean box (top to bottom) by
    half its own height or the line's; comparing with the mean, not a growing extent,
    keeps two tight rows of a table apart, and a small mark (、) still joins its line."""
    lines: list[list[Char]] = []
    top = bottom = 0.0
    for ch in sorted(chars, key=lambda c: (c.cy, c.x0)):
        if lines:
            overlap = min(bottom, ch.bottom) - max(top, ch.top)
            if overlap > 0.5 * min(bottom - top, ch.bottom - ch.top):
                line = lines[-1]
                line.append(ch)
                top += (ch.top - top) / len(line)
                bottom += (ch.bottom - bottom) / len(line)
                continue
        lines.append([ch])
        top, bottom = ch.top, ch.bottom
    return [sorted(line, key=lambda c: c.x0) for line in lines]


_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f“”‘’]")
_DIGITISH = re.compile(r"[\d.,，．%]")


def gap_space(prev: Char, ch: Char, size: float) -> bool:
    """Whether the gap between two characters of a line whose characters are ``size``
    high is a space. Never next to a Chinese character or full-width mark (their glyphs
    are narrower than their advance, and Chinese needs no spaces); between parts of a
    number only when wide (``455.2``'s point is a narrow glyph with room around it, and
    ``455 2`` would read as two numbers)."""
    if _WIDE.match(prev.text) or _WIDE.match(ch.text) or prev.text.isspace():
        return False
    gap = ch.x0 - prev.x1
    if _DIGITISH.match(prev.text) and _DIGITISH.match(ch.text):
        return gap > 0.8 * size
    return gap > 0.33 * size


def line_size(line: Sequence[Char]) -> float:
    """The height of a line's characters (the median: a mark PDFium boxes tightly is
    smaller than its line)."""
    sizes = sorted(c.size for c in line)
    return sizes[len(sizes) // 2] if sizes else 10.0


def line_text(line: Sequence[Char]) -> str:
    """A line's text, with a space where :func:`gap_space` sees one."""
    size = line_size(line)
    out: list[str] = []
    prev: Char | None = None
    for ch in line:
        if prev is not None and gap_space(prev, ch, size) and not ch.text.isspace():
            out.append(" ")
        out.append(ch.text)
        prev = ch
    return re.sub(r"\s+", " ", "".join(out)).strip()


def is_tabular(line: Sequence[Char]) -> bool:
    """A line with a wide gap (two ems) between characters: columns, not running text."""
    size = line_size(line)
    return any(b.x0 - a.x1 > 2.0 * size for a, b in itertools.pairwise(line))


def text_of(chars: Sequence[Char]) -> str:
    """A cell's text: its lines joined (a label wrapped in its cell is one label again);
    a space between lines only where both sides are Latin letters or digits."""
    text = ""
    for line in lines_of(chars):
        part = line_text(line)
        if text and part and text[-1].isascii() and text[-1].isalnum() and part[0].isascii():
            text += " "
        text += part
    return text


def words_of(line: Sequence[Char]) -> list[list[Char]]:
    """A line cut where :func:`gap_space` sees a space."""
    size = line_size(line)
    words: list[list[Char]] = []
    for ch in line:
        if ch.text.isspace():
            if words and words[-1]:
                words.append([])
            continue
        if words and words[-1] and gap_space(words[-1][-1], ch, size):
            words.append([])
        if not words:
            words.append([])
        words[-1].append(ch)
    return [w for w in words if w]


def is_number(text: str) -> bool:
    """A count or an amount as printed in a table cell (``3119``, ``96171.6``, ``1,024``)."""
    return bool(re.fullmatch(r"-?\d[\d,，]*(?:[.．]\d+)?", text))
