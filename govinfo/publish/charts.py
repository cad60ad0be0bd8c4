"""Charts for the published report: matplotlib with a real CJK font, embedded as 2× PNG.

Each chart function takes plain numbers and labels (taken from :mod:`govinfo.layout` by the
caller) and returns a :class:`Chart`: the PNG bytes plus alt text that states every number,
so the figure is readable by screen readers and in text-only copies. A chart is never drawn
for all-zero data: the caller writes a sentence instead (see :mod:`govinfo.publish.document`).

Fonts: a configured path (``GOVINFO_CJK_FONT``), else a system Noto Sans CJK / WenQuanYi
font, else the Noto Sans CJK SC bundled by the ``mplfonts`` package (added with ``addfont``;
``mplfonts init`` is never run). Without any, :class:`FontError` says what to install.
Charts are drawn with the Agg backend and no text metadata, so the same numbers always give
the same bytes (the batch's fast path relies on it).
"""

from __future__ import annotations

import base64
import io
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from glob import glob
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
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
PALETTE = ("#9b1c1c", "#c2410c", "#b7791f", "#2f855a", "#2b6cb0", "#6b46c1", "#718096")
DPI = 200  # 2× of matplotlib's 100 dpi: sharp on high-density screens and in print
PNG_COMPRESS_LEVEL = 4  # zlib level: see _finish
LABEL_INCHES = 3.0  # a longer axis label is cut with "…" in the picture (the alt text keeps it)


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
    png: bytes
    alt: str
    width: int  # CSS pixels: half the PNG's pixels (drawn at 2×)
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


def _figure(width: float = 6.4, height: float = 3.0) -> tuple[Figure, Axes]:
    configure_fonts()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI)
    return fig, fig.add_subplot()


def text_inches(text: str, points: float) -> float:
    """Width of one line of ``text`` at ``points`` size: CJK glyphs are square (1 em),
    Latin letters and digits about 0.6 em. An estimate is enough to place margins."""
    ems = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)
    return ems * points / 72


def fit_label(text: str, points: float = 9, inches: float = LABEL_INCHES) -> str:
    """``text`` as drawn on an axis: whole when it fits, else cut with "…". Labels can be
    agency names of any length, and margins are computed from them: an unbounded name
    would leave the plot no room at all (matplotlib refuses: "left cannot be >= right")."""
    if text_inches(text, points) <= inches:
        return text
    while text and text_inches(text + "…", points) > inches:
        text = text[:-1]
    return text + "…"


def _margins(
    fig: Figure, left: float, bottom: float, top: float = 0.45, right: float = 0.2
) -> None:
    """Fixed margins in inches, computed from the labels. A layout engine (constrained or
    ``bbox_inches="tight"``) would draw the figure again just to measure it: twice the cost
    of the chart, for the same picture."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(
        left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height
    )


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


def _style(ax: Axes, title: str) -> None:
    ax.set_title(title, fontsize=11, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=9)


def _describe(labels: Sequence[str], values: Sequence[float], unit: str) -> str:
    pairs = zip(labels, values, strict=True)
    return "，".join(f"{label} {value:g} {unit}" for label, value in pairs)


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float], unit: str) -> Chart:
    """Horizontal bars with the value printed at each bar's end."""
    fig, ax = _figure(height=max(1.6, 0.45 * len(labels) + 0.9))
    positions = range(len(labels))
    bars = ax.barh(positions, values, color=PALETTE[0], height=0.6)
    shown = [fit_label(label) for label in labels]
    ax.set_yticks(list(positions), labels=shown)
    ax.invert_yaxis()
    ax.bar_label(bars, labels=[f"{v:g}" for v in values], padding=3, fontsize=9)
    ax.set_xlabel(unit, fontsize=9)
    ax.margins(x=0.15)
    _style(ax, title)
    _margins(fig, left=max(text_inches(label, 9) for label in shown) + 0.25, bottom=0.55)
    return _finish(fig, f"条形图：{title}。{_describe(labels, values, unit)}。")


def grouped_bar_chart(
    title: str,
    groups: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    unit: str,
) -> Chart:
    """Vertical bars: one cluster per group, one colour per series, with a legend."""
    fig, ax = _figure()
    n = len(series)
    width = 0.8 / max(n, 1)
    for i, (name, values) in enumerate(series):
        offsets = [g + (i - (n - 1) / 2) * width for g in range(len(groups))]
        bars = ax.bar(offsets, values, width=width, label=name, color=PALETTE[i % len(PALETTE)])
        ax.bar_label(bars, labels=[f"{v:g}" for v in values], padding=2, fontsize=8)
    crowded = len(groups) > 4
    shown = [fit_label(group) for group in groups]
    ax.set_xticks(
        list(range(len(groups))),
        labels=shown,
        rotation=30 if crowded else 0,
        ha="right" if crowded else "center",
        rotation_mode="anchor",
    )
    ax.set_ylabel(unit, fontsize=9)
    ax.margins(y=0.15)
    ax.legend(fontsize=8, frameon=False, ncols=min(n, 4), loc="upper right")
    _style(ax, title)
    longest = max(text_inches(group, 9) for group in shown)
    _margins(fig, left=0.6, bottom=(longest * 0.5 + 0.35) if crowded else 0.45)
    described = "；".join(
        f"{group}：" + "，".join(f"{name} {values[g]:g} {unit}" for name, values in series)
        for g, group in enumerate(groups)
    )
    return _finish(fig, f"分组柱状图：{title}。{described}。")
