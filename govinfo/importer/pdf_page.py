"""What a PDF page holds for reading a report: its characters with boxes, and its rulings.

The reading works on geometry, not on the order of the content stream: a WPS or Word export
writes a wrapped label's lines and the row's numbers in any order, so where a character is
decides which cell it belongs to. Pages are read with PDFium (pypdfium2: BSD-3/Apache-2.0,
a compiled library), which reads a six-page report in about a tenth of a second; pdfminer's
pure-Python content parser (under pdfplumber) needs about a second for the same file.

Coordinates are turned top-down (``top`` grows down the page, as a reader sees it) and
into the page's displayed orientation (``/Rotate``). Rulings are the visible straight lines
of the page: stroked segments and thin filled rectangles (how Word, WPS and Chromium draw
cell borders). White lines and filled areas are not rulings: WPS paints a white rectangle
behind every paragraph, which a ruling-based table finder would otherwise take for a table.
"""

from __future__ import annotations

import ctypes
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

THIN = 3.0  # a filled rectangle at most this thick (pt) is a ruling, not an area
WHITE = 235  # every channel at least this light: paper colour, not a visible line
MAX_OBJECTS = 200_000  # page objects looked at on one page (a report page has a few thousand)
MAX_SEGMENTS = 5_000  # segments of one path that may hold rulings


@dataclass(frozen=True)
class Char:
    """One character: its text, box (top-down points) and the height of its line box (the
    font's ascent to descent: every character of a line gets the same, digits included)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class Rule:
    """A horizontal (``at`` = y, from ``start`` to ``end`` in x) or vertical ruling."""

    horizontal: bool
    at: float
    start: float
    end: float


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    chars: list[Char]
    rules: list[Rule]
    images: int  # image objects drawn on the page (a scan is one image a page)
    unmapped: int  # characters whose font gives no Unicode (a text layer that cannot be read)


class PdfError(ValueError):
    """A PDF PDFium cannot open (damaged, encrypted): the message says which."""


def read_pages(data: bytes) -> list[Page]:
    """Every page of the PDF in ``data``."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text:
            raise PdfError("受密码保护 / the PDF is encrypted with a password") from None
        m = re.search(r"PDFium: ([^)]*)", str(exc))
        why = m.group(1) if m else str(exc)
        raise PdfError(f"无法打开 / PDFium cannot open it: {why} (a damaged PDF?)") from None
    pages: list[Page] = []
    try:
        for i in range(len(doc)):
            try:
                pages.append(_page(doc[i], i + 1))
            except pdfium.PdfiumError as exc:
                why = f"第 {i + 1} 页无法读取 / page {i + 1} cannot be read ({exc})"
                raise PdfError(why) from None
    finally:
        doc.close()
    return pages


def _page(page: Any, number: int) -> Page:
    import pypdfium2.raw as raw

    width, height = page.get_size()
    rotation = raw.FPDFPage_GetRotation(page.raw) % 4
    flip = _Flip(width, height, rotation)
    textpage = page.get_textpage()
    chars: list[Char] = []
    unmapped = 0
    try:
        tp = textpage.raw
        rect = raw.FS_RECTF()
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        for i in range(raw.FPDFText_CountChars(tp)):
            if raw.FPDFText_IsGenerated(tp, i) == 1:
                continue  # spaces and line breaks PDFium adds; not in the file
            code = raw.FPDFText_GetUnicode(tp, i)
            if raw.FPDFText_HasUnicodeMapError(tp, i) == 1:
                unmapped += 1
                continue
            text = _char(code)
            if not text:
                continue
            raw.FPDFText_GetCharBox(tp, i, left, right, bottom, top)
            raw.FPDFText_GetLooseCharBox(tp, i, rect)  # the font's line box: lines align
            box = _box(
                (left.value, bottom.value, right.value, top.value),
                (rect.left, rect.bottom, rect.right, rect.top),
            )
            x0, y0, x1, y1 = flip.box(*box)
            if text.isspace() and x1 - x0 <= 0:
                continue
            chars.append(Char(text, x0, y0, x1, y1, max(y1 - y0, 1.0)))
    finally:
        textpage.close()
    rules: list[Rule] = []
    images = 0
    for count, (obj, matrix) in enumerate(_objects(page.raw)):
        if count >= MAX_OBJECTS:
            break  # a drawing of that many objects holds no table of a report
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_PATH:
            rules.extend(flip.rule(r) for r in _path_rules(obj, matrix))
        elif kind == raw.FPDF_PAGEOBJ_IMAGE:
            images += 1
    w, h = (height, width) if rotation % 2 else (width, height)
    return Page(number, w, h, _without_overprint(chars), rules, images, unmapped)


def _without_overprint(chars: list[Char]) -> list[Char]:
    """Characters drawn twice at (almost) the same place, kept once: a "bold" that WPS and
    Word fake for fonts without a bold face by printing the text again a fraction of a
    point aside, which would otherwise double every digit (``21`` read as ``2211``)."""
    kept: list[Char] = []
    seen: dict[tuple[str, int, int], list[Char]] = {}
    for ch in chars:
        gx, gy = int(ch.cx // 4), int(ch.cy // 4)
        near = [
            other
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for other in seen.get((ch.text, gx + dx, gy + dy), ())
        ]
        width = max(ch.x1 - ch.x0, 1.0)
        if any(abs(o.cx - ch.cx) < 0.3 * width and abs(o.cy - ch.cy) < 0.3 * ch.size for o in near):
            continue
        seen.setdefault((ch.text, gx, gy), []).append(ch)
        kept.append(ch)
    return kept


Box = tuple[float, float, float, float]


def _box(tight: Box, loose: Box) -> Box:
    """The loose box (the font's ascent to descent, so that a line's characters share one
    height), unless PDFium made it absurd (some fonts' loose boxes are two hundred points
    tall): then the glyph's own box, one em high around its middle."""
    tw, th = tight[2] - tight[0], tight[3] - tight[1]
    lw, lh = loose[2] - loose[0], loose[3] - loose[1]
    em = max(tw, th, 1.0)
    if lh <= 2.5 * em and lw <= 2.5 * em + 2 and loose[0] <= tight[2] and tight[0] <= loose[2]:
        return loose
    mid = (tight[1] + tight[3]) / 2
    return (tight[0], mid - em / 2, tight[2], mid + em / 2)


def _char(code: int) -> str:
    """The character for a code point; Kangxi radicals (Chromium maps CJK glyphs shared with
    them to the radicals) as the ideographs they look like."""
    if code <= 0 or code == 0xFFFE or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return ""
    text = chr(code)
    if 0x2F00 <= code <= 0x2FDF:
        text = unicodedata.normalize("NFKC", text)
    if text in "\r\n\x00\x02":
        return ""
    return text


Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _objects(page: Any) -> Iterator[tuple[Any, Matrix]]:
    """Every page object, those inside form XObjects included, with the matrix that takes
    the object's own coordinates (after its matrix) to page space."""
    import pypdfium2.raw as raw

    stack: list[tuple[Any, Matrix, int]] = [
        (raw.FPDFPage_GetObject(page, i), _IDENTITY, 0)
        for i in reversed(range(raw.FPDFPage_CountObjects(page)))
    ]
    while stack:
        obj, outer, depth = stack.pop()
        if raw.FPDFPageObj_GetType(obj) == raw.FPDF_PAGEOBJ_FORM and depth < 8:
            inner = _compose(_matrix(obj), outer)
            count = raw.FPDFFormObj_CountObjects(obj)
            stack.extend(
                (raw.FPDFFormObj_GetObject(obj, i), inner, depth + 1)
                for i in reversed(range(max(0, count)))
            )
            continue
        yield obj, outer


def _matrix(obj: Any) -> Matrix:
    import pypdfium2.raw as raw

    m = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, m):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """``inner`` then ``outer`` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    )


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _path_rules(obj: Any, outer: Matrix) -> list[tuple[float, float, float, float]]:
    """The visible straight lines of a path, as (x0, y0, x1, y1) in page space."""
    import pypdfium2.raw as raw

    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not raw.FPDFPath_GetDrawMode(obj, fill, stroke):
        return []
    stroked = bool(stroke.value) and _visible(obj, raw.FPDFPageObj_GetStrokeColor)
    filled = bool(fill.value) and _visible(obj, raw.FPDFPageObj_GetFillColor)
    if not stroked and not filled:
        return []
    matrix = _compose(_matrix(obj), outer)
    points: list[list[tuple[float, float]]] = []
    segments = raw.FPDFPath_CountSegments(obj)
    if segments > MAX_SEGMENTS:
        return []  # a drawing (a map, a chart), not cell borders
    for i in range(segments):
        segment = raw.FPDFPath_GetPathSegment(obj, i)
        x, y = ctypes.c_float(), ctypes.c_float()
        raw.FPDFPathSegment_GetPoint(segment, x, y)
        point = _apply(matrix, x.value, y.value)
        kind = raw.FPDFPathSegment_GetType(segment)
        if kind == raw.FPDF_SEGMENT_MOVETO or not points:
            points.append([point])
        elif kind == raw.FPDF_SEGMENT_BEZIERTO:
            points[-1].append((float("nan"), float("nan")))  # a curve is no ruling
            points[-1].append(point)
        else:
            points[-1].append(point)
        if raw.FPDFPathSegment_GetClose(segment) and points[-1]:
            points[-1].append(points[-1][0])
    lines: list[tuple[float, float, float, float]] = []
    for sub in points:
        if filled and not stroked:
            lines.extend(_thin_area(sub))
            continue
        for (x0, y0), (x1, y1) in itertools.pairwise(sub):
            if abs(y1 - y0) < 0.5 or abs(x1 - x0) < 0.5:  # NaN compares false: skipped
                lines.append((x0, y0, x1, y1))
    return lines


def _thin_area(sub: list[tuple[float, float]]) -> list[tuple[float, float, float, float]]:
    """A filled rectangle drawn as a border: its centre line when it is thin."""
    xs = [x for x, _ in sub]
    ys = [y for _, y in sub]
    if any(v != v for v in xs + ys) or len(sub) < 3:
        return []
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    if y1 - y0 <= THIN and x1 - x0 > y1 - y0:
        mid = (y0 + y1) / 2
        return [(x0, mid, x1, mid)]
    if x1 - x0 <= THIN and y1 - y0 > x1 - x0:
        mid = (x0 + x1) / 2
        return [(mid, y0, mid, y1)]
    return []


def _visible(obj: Any, getter: Any) -> bool:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(obj, r, g, b, a):
        return True
    return a.value > 0 and min(r.value, g.value, b.value) < WHITE


@dataclass(frozen=True)
class _Flip:
    """PDF space (y up, unrotated) to the displayed page, top-down."""

    width: float
    height: float
    rotation: int

    def point(self, x: float, y: float) -> tuple[float, float]:
        if self.rotation == 1:  # 90° clockwise
            return (y, x)
        if self.rotation == 2:
            return (self.width - x, y)
        if self.rotation == 3:
            return (self.height - y, self.width - x)
        return (x, self.height - y)

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, ...]:
        ax, ay = self.point(x0, y0)
        bx, by = self.point(x1, y1)
        return (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))

    def rule(self, line: tuple[float, float, float, float]) -> Rule:
        x0, y0, x1, y1 = self.box(*line)
        if y1 - y0 <= x1 - x0:
            return Rule(True, (y0 + y1) / 2, x0, x1)
        return Rule(False, (x0 + x1) / 2, y0, y1)
