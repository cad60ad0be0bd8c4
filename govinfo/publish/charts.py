"""Charts for the published pages: matplotlib with a real CJK font, embedded as 2× PNG.

Each chart function takes plain numbers and labels (taken from :mod:`govinfo.layout` by the
caller) and returns a :class:`Chart`: the PNG bytes plus alt text that states every number,
so the figure is readable by screen readers and in text-only copies. A chart is never drawn
for all-zero data: the caller writes a sentence instead (see :mod:`govinfo.publish.document`).

Drawn for a phone first. Bars are horizontal, so a chart is as wide as its text and grows
in height with its rows; it is :data:`WIDTH` inches (CSS px / 100) wide with no text under
:data:`TEXT_PT`, so that on a 390 px phone, scaled to the column, its smallest text is still
about 12 CSS px; on a wide screen two charts stand side by side. Whole numbers get whole
ticks; the legend stands between the title and the bars, never over them; with two series
(last year and this year) the first is a light grey and the second a dark red, which stay
apart in grey print. A chart of the top N says so in ``note`` and names the rest in ``more``.

Fonts: a configured path (``GOVINFO_CJK_FONT``), else a system Noto Sans CJK / WenQuanYi
font, else the Noto Sans CJK SC bundled by the ``mplfonts`` package (added with ``addfont``;
``mplfonts init`` is never run). Without any, :class:`FontError` says what to install.
Charts are drawn with the Agg backend and no text metadata, so the same numbers always give
the same bytes (the batch's fast path relies on it).
"""

from __future__ import annotations

import base64
import io
import math
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from glob import glob
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SYSTEM_FONT_PATTERNS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/**/NotoSansCJK*-Regular.tt[cf]",
    "/usr/share/fonts/**/NotoSansSC-Regular.[ot]tf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
PREFERRED_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
)
# Series colours in an order whose neighbours differ in lightness, so that they stay apart
# printed in grey: dark red, amber, steel blue, light grey, dark green, lilac, dark grey.
PALETTE = ("#8c1c1c", "#e0a030", "#4a78b0", "#c8c8c8", "#2f6b3a", "#b07cc6", "#5c5c5c")
# Two series are a before and an after (last year, this year): light grey, then dark red.
PAIR = ("#b3b3b3", PALETTE[0])
INK = "#1a1a1a"
DPI = 200  # 2× of matplotlib's 100 dpi: sharp on high-density screens and in print
PNG_COMPRESS_LEVEL = 4  # zlib level: see _finish
WIDTH = 4.0  # inches: 400 CSS px, the width a phone's column almost gives it
TEXT_PT = 10.0  # the smallest text in a chart (ticks, values, legend, unit, note)
TITLE_PT = 11.5
LINE = 1.4  # line height, in ems
LABEL_INCHES = 1.5  # a longer axis label is cut with "…" in the picture (the alt text keeps it)
PAD = 0.1  # inches of white around the drawing


class FontError(RuntimeError):
    """No font with Chinese glyphs could be found."""


def find_cjk_font() -> Path:
    """The font file charts use, in the documented order of preference."""
    configured = os.environ.get("GOVINFO_CJK_FONT")
    if configured:
        if Path(configured).is_file():
            return Path(configured)
        raise FontError(f"GOVINFO_CJK_FONT={configured} is not a file")
    for pattern in SYSTEM_FONT_PATTERNS:
        for match in sorted(glob(pattern, recursive=True)):
            return Path(match)
    try:
        import mplfonts

        bundled = sorted(Path(mplfonts.__file__).parent.rglob("NotoSansCJKsc-Regular.otf"))
        if bundled:
            return bundled[0]
    except ImportError:
        pass
    raise FontError(
        "no CJK font found: install Debian's fonts-noto-cjk (bash .ci/setup does), "
        "or `pip install mplfonts`, or set GOVINFO_CJK_FONT to a .ttf/.otf/.ttc file"
    )


# The first four bytes of a TrueType, OpenType (CFF) and collection font file.
FONT_SIGNATURES = (b"\x00\x01\x00\x00", b"true", b"OTTO", b"ttcf")


def check_font() -> Path:
    """The chart font, checked once before anything renders (``govinfo render`` and
    ``batch``): without this, a bad ``GOVINFO_CJK_FONT`` surfaces in every kernel, and in
    the fork server's warm-up, as one failure per page. Reads four bytes: no matplotlib."""
    path = find_cjk_font()
    where = f"GOVINFO_CJK_FONT={path}" if os.environ.get("GOVINFO_CJK_FONT") else str(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise FontError(f"{where} cannot be read: {exc.strerror or exc}") from None
    if head not in FONT_SIGNATURES:
        raise FontError(f"{where} is not a TrueType/OpenType font (.ttf, .otf or .ttc)")
    return path


@cache
def configure_fonts() -> str:
    """Register the CJK font with matplotlib once; returns the family name used."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager, rcParams

    path = find_cjk_font()
    font_manager.fontManager.addfont(str(path))
    families = {f.name for f in font_manager.fontManager.ttflist if Path(f.fname) == path}
    family = next((f for f in PREFERRED_FAMILIES if f in families), sorted(families)[0])
    rcParams["font.family"] = [family, "DejaVu Sans"]
    rcParams["axes.unicode_minus"] = False
    # Labels are agency names and other data: "$" is a character, never TeX math (an odd
    # name like "$\frac{$" would otherwise stop the chart with a parse error).
    rcParams["text.parse_math"] = False
    rcParams["svg.fonttype"] = "path"
    return family


@dataclass(frozen=True)
class Chart:
    """A drawn chart: the PNG (also what the Word document embeds), its alt text and its
    size in CSS pixels (half the PNG's pixels: drawn at 2×)."""

    png: bytes
    alt: str
    width: int
    height: int

    def to_html(self) -> str:
        """A ``<figure>`` with the PNG as a data URI: one self-contained HTML fragment.

        The title is drawn in the image; the alt text states every number."""
        data = base64.b64encode(self.png).decode("ascii")
        return (
            f'<figure class="gi-chart"><img src="data:image/png;base64,{data}" '
            f'width="{self.width}" height="{self.height}" alt="{escape(self.alt)}"></figure>'
        )

    def _repr_html_(self) -> str:
        return self.to_html()


def charts_in_page(html: str) -> dict[str, list[Chart]]:
    """The charts a published page shows, by section number (``"s3"``), in page order.

    The Word document embeds the very PNGs of the page instead of drawing them again: drawing
    is most of what a Word document costs, and the two then cannot differ. Only our own
    ``<figure class="gi-chart">`` inside ``<section id="sN">`` count; the PNG's pixels are
    twice its CSS size."""
    reader = _PageCharts()
    reader.feed(html)
    reader.close()
    return reader.charts


class _PageCharts(HTMLParser):
    PNG = "data:image/png;base64,"

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.charts: dict[str, list[Chart]] = {}
        self._section = ""
        self._figure = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        classes = values.get("class", "").split()
        if tag == "section" and "gi-section" in classes:
            self._section = values.get("id", "")
        elif tag == "figure":
            self._figure = "gi-chart" in classes
        elif tag == "img" and self._figure and values.get("src", "").startswith(self.PNG):
            png = base64.b64decode(values["src"][len(self.PNG) :])
            width, height = int(values.get("width") or 0), int(values.get("height") or 0)
            chart = Chart(png, values.get("alt", ""), width, height)
            self.charts.setdefault(self._section, []).append(chart)

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self._figure = False
        elif tag == "section":
            self._section = ""


def text_inches(text: str, points: float) -> float:
    """Width of one line of ``text`` at ``points`` size: CJK glyphs are square (1 em),
    Latin letters and digits about 0.6 em. An estimate is enough to place margins."""
    ems = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)
    return ems * points / 72


def fit_label(text: str, points: float = TEXT_PT, inches: float = LABEL_INCHES) -> str:
    """``text`` as drawn on an axis: whole when it fits, else cut with "…". Labels can be
    agency names of any length, and margins are computed from them: an unbounded name
    would leave the plot no room at all (matplotlib refuses: "left cannot be >= right")."""
    if text_inches(text, points) <= inches:
        return text
    while text and text_inches(text + "…", points) > inches:
        text = text[:-1]
    return text + "…"


def wrap(text: str, points: float, inches: float) -> list[str]:
    """``text`` cut into lines no wider than ``inches`` (a title or a note; CJK text may
    break between any two characters)."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and text_inches(line + ch, points) > inches:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line else lines


def number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.0f}"


def _legend_grid(names: Sequence[str]) -> tuple[int, int]:
    """(columns, rows) of a legend that fits the chart's width in one block."""
    entry = max(text_inches(name, TEXT_PT) for name in names) + 2.6 * TEXT_PT / 72
    columns = max(1, min(len(names), int((WIDTH - 2 * PAD) // entry)))
    return columns, math.ceil(len(names) / columns)


def draw(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    unit: str,
    note: str = "",
) -> Figure:
    """Horizontal bars, one row per label and one bar per series in it, each with its value
    at its end. Margins are computed from the texts rather than by a layout engine (which
    would draw the figure twice, just to measure it)."""
    configure_fonts()
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    n = len(series)
    colours = PAIR if n == 2 else PALETTE
    shown = [fit_label(label) for label in labels]
    em_title, em = TITLE_PT * LINE / 72, TEXT_PT * LINE / 72
    title_lines = wrap(title, TITLE_PT, WIDTH - 2 * PAD)
    note_lines = wrap(note, TEXT_PT, WIDTH - 2 * PAD) if note else []
    columns, rows = _legend_grid([name for name, _ in series]) if n > 1 else (0, 0)
    top = PAD + len(title_lines) * em_title + len(note_lines) * em + rows * em + 0.12
    bar = 0.24 if n == 1 else 0.19  # inches per bar
    step = n * bar + (0.16 if n > 1 else 0.1)  # inches per row of the chart
    bottom = 0.5
    height = top + len(labels) * step + bottom
    left = max(text_inches(label, TEXT_PT) for label in shown) + 0.2 + PAD
    right = 0.1 + PAD

    fig = Figure(figsize=(WIDTH, height), dpi=DPI)
    fig.subplots_adjust(
        left=left / WIDTH, right=1 - right / WIDTH, bottom=bottom / height, top=1 - top / height
    )
    ax = fig.add_subplot()
    thickness = bar / step  # in rows
    values = [v for _, vs in series for v in vs]
    for i, (name, vs) in enumerate(series):
        offsets = [g + (i - (n - 1) / 2) * thickness for g in range(len(labels))]
        bars = ax.barh(offsets, vs, height=thickness * 0.92, label=name, color=colours[i % 7])
        ax.bar_label(bars, labels=[number(v) for v in vs], padding=3, fontsize=TEXT_PT, color=INK)
    ax.set_yticks(list(range(len(labels))), labels=shown)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.tick_params(labelsize=TEXT_PT, length=0, colors=INK)
    # Room at the right for the longest value label beside the longest bar.
    most = max(max(values), 0) or 1
    plot = WIDTH - left - right
    room = max(text_inches(number(v), TEXT_PT) for v in values) + 0.1
    # (A draft may hold a negative count: its bar grows left of 0.)
    ax.set_xlim(min(min(values), 0) * 1.15, most * plot / max(plot - room, plot / 2))
    if all(float(v).is_integer() for v in values):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.set_xlabel(unit, fontsize=TEXT_PT, loc="right", color=INK, labelpad=2)
    ax.grid(axis="x", color="#e2e2e2", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)

    y = 1 - PAD / height
    for line in title_lines:
        fig.text(PAD / WIDTH, y, line, fontsize=TITLE_PT, va="top", color=INK)
        y -= em_title / height
    for line in note_lines:
        fig.text(PAD / WIDTH, y, line, fontsize=TEXT_PT, va="top", color="#555555")
        y -= em / height
    if n > 1:
        fig.legend(
            loc="upper left",
            bbox_to_anchor=(PAD / WIDTH, y),
            ncols=columns,
            fontsize=TEXT_PT,
            frameon=False,
            borderaxespad=0,
            borderpad=0,
            handlelength=1.2,
            handletextpad=0.4,
            columnspacing=1.0,
        )
    return fig


def _finish(fig: Figure, alt: str) -> Chart:
    """Encode as PNG at zlib level 4: a quarter of a chart's time went into the encoder at
    the default level 6; level 4 takes a quarter less for files 1% larger (levels 1–3
    would halve it, but pages grow by a sixth: readers pay for that, on every visit)."""
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


def _describe(labels: Sequence[str], values: Sequence[float], unit: str) -> str:
    pairs = zip(labels, values, strict=True)
    return "，".join(f"{label} {number(value)} {unit}" for label, value in pairs)


def _alt(kind: str, title: str, note: str, described: str, more: str) -> str:
    noted = f"（{note}）" if note else ""
    return f"{kind}：{title}{noted}。{described}。" + (f"{more}" if more else "")


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    unit: str,
    note: str = "",
    more: str = "",
) -> Chart:
    """One bar per label. ``note`` is drawn under the title and said in the alt text (e.g.
    "前10个，共12个"); ``more`` is added to the alt text only (e.g. the units not drawn)."""
    fig = draw(title, labels, [("", values)], unit, note)
    return _finish(fig, _alt("条形图", title, note, _describe(labels, values, unit), more))


def grouped_bar_chart(
    title: str,
    groups: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    unit: str,
    note: str = "",
    more: str = "",
) -> Chart:
    """One row per group, one bar per series in it, with a legend above the bars. Two
    series read as last year (light grey) and this year (dark red)."""
    fig = draw(title, groups, series, unit, note)
    described = "；".join(
        f"{group}：" + "，".join(f"{name} {number(values[g])} {unit}" for name, values in series)
        for g, group in enumerate(groups)
    )
    return _finish(fig, _alt("分组条形图", title, note, described, more))
