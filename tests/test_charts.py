"""Charts: a real CJK font, no missing glyphs, numbers in the alt text, stable bytes; and, on
the drawn figures of a busy page, legends clear of the bars, whole ticks, no small text and
year colours apart in grey."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from matplotlib.ft2font import FT2Font

from govinfo import layout as L
from govinfo.model import Report
from govinfo.params import load
from govinfo.publish.charts import bar_chart, configure_fonts, find_cjk_font, grouped_bar_chart

if TYPE_CHECKING:
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.figure import Figure
    from matplotlib.transforms import Bbox


def chinese_text() -> str:
    labels = [row.label for row in L.APPLICATION_ROWS] + [c.label for c in L.APPLICATION_COLUMNS]
    labels += [g.full_label for g in L.CASE_GROUPS] + [o.label for o in L.REVIEW_OUTCOMES]
    return "".join(ch for ch in "".join(labels) if ord(ch) > 0x2E80)


def test_font_file_covers_every_chinese_character_of_the_layout() -> None:
    font = FT2Font(str(find_cjk_font()))
    charmap = font.get_charmap()
    missing = {ch for ch in chinese_text() if ord(ch) not in charmap}
    assert missing == set()
    assert "CJK" in configure_fonts() or "WenQuanYi" in configure_fonts()


def test_charts_draw_every_glyph_and_state_their_numbers() -> None:
    labels = [c.short for c in L.APPLICATION_COLUMNS[:-1]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" would raise
        bars = bar_chart("本年新收申请（按申请人类型）", labels, [5, 2, 0, 0, 1, 0], "件")
        groups = [g.label for g in L.CASE_GROUPS]
        series = [(o.label, [1.0, 0.0, 2.0]) for o in L.REVIEW_OUTCOMES[:-1]]
        grouped = grouped_bar_chart("行政复议、行政诉讼案件结果", groups, series, "件")
    assert bars.png.startswith(b"\x89PNG")
    assert "自然人 5 件" in bars.alt and "其他 0 件" in bars.alt
    assert "复议后起诉：结果维持 2 件" in grouped.alt
    html = bars.to_html()
    pixels = int.from_bytes(bars.png[16:20], "big")
    assert 'src="data:image/png;base64,' in html
    assert f'width="{bars.width}"' in html and bars.width == round(pixels / 2)  # drawn at 2×


def test_same_numbers_give_the_same_bytes() -> None:
    a = bar_chart("行政许可", ["行政许可", "行政处罚"], [3, 1], "件")
    b = bar_chart("行政许可", ["行政许可", "行政处罚"], [3, 1], "件")
    assert a.png == b.png


# --------------------------------------------------------------------------- drawn figures
# The charts a page shows, caught as drawn: ``_finish`` (figure → PNG) is wrapped so the
# tests can measure the very figures of the page, with the renderer's own text extents.

EXAMPLE = Path(__file__).resolve().parents[1] / "parameters/2022/shili-zrzyj.yaml"


def page_figures(report: Report, monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """Every chart figure of the report's page, in page order."""
    from govinfo.publish import charts, document

    caught: list[Figure] = []
    finish = charts._finish

    def catch(fig: Figure, alt: str) -> charts.Chart:
        caught.append(fig)
        return finish(fig, alt)

    monkeypatch.setattr(charts, "_finish", catch)
    for name in (*document.PARTS, *document.OPTIONAL_PARTS):
        document.part_html(report, name)
    return caught


def renderer(fig: Figure) -> RendererAgg:
    """The figure drawn on an Agg canvas (a bare ``Figure`` has none until saved)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def legend_boxes(fig: Figure) -> list[Bbox]:
    drawn = renderer(fig)
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes)]
    return [legend.get_window_extent(drawn) for legend in legends if legend is not None]


def drawn_boxes(fig: Figure) -> list[tuple[str, Bbox]]:
    """Bars, value labels, tick labels and titles: what a legend must never cover."""
    drawn = renderer(fig)
    boxes: list[tuple[str, Bbox]] = []
    for ax in fig.axes:
        boxes += [
            (f"bar {p.get_width():g}×{p.get_height():g}", p.get_window_extent(drawn))
            for p in ax.patches
            if p.get_width() and p.get_height()
        ]
        texts = [*ax.texts, ax.title, *ax.get_xticklabels(), *ax.get_yticklabels()]
        boxes += [(t.get_text(), t.get_window_extent(drawn)) for t in texts if t.get_text()]
    boxes += [(t.get_text(), t.get_window_extent(drawn)) for t in fig.texts if t.get_text()]
    return boxes


def value_ticks(fig: Figure) -> list[str]:
    """The tick labels along each value axis (the one the bars grow along), within limits."""
    labels = []
    for ax in fig.axes:
        horizontal = any(p.get_width() > p.get_height() for p in ax.patches)
        axis = ax.xaxis if horizontal or not ax.patches else ax.yaxis
        renderer(fig)
        low, high = sorted(axis.get_view_interval())
        labels += [
            t.get_text()
            for t, v in zip(axis.get_ticklabels(), axis.get_ticklocs(), strict=True)
            if low <= v <= high
        ]
    return labels


def luma(colour: object) -> float:
    """Lightness as printed in grey (Rec. 601 weights), 0–255."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)  # type: ignore[arg-type]
    return 255 * (0.299 * r + 0.587 * g + 0.114 * b)


def test_legends_never_cover_bars_or_labels_and_counts_have_whole_ticks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    figures = page_figures(load(EXAMPLE), monkeypatch)
    # Bars as tall as the axes everywhere: no corner inside the axes is free for a legend.
    from govinfo.publish import charts

    caught: list[Figure] = []
    finish = charts._finish
    monkeypatch.setattr(charts, "_finish", lambda fig, alt: caught.append(fig) or finish(fig, alt))
    groups = [g.label for g in L.CASE_GROUPS]
    grouped_bar_chart(
        "案件结果", groups, [(o.label, [3.0, 3.0, 3.0]) for o in L.REVIEW_OUTCOMES[:-1]], "件"
    )
    grouped_bar_chart(
        "两年对比", ["予以公开", "部分公开"], [("2021年", [1.0, 2.0]), ("2022年", [2.0, 1.0])], "件"
    )
    figures += caught
    with_legend = [fig for fig in figures if legend_boxes(fig)]
    assert len(with_legend) >= 3
    for fig in with_legend:
        (legend,) = legend_boxes(fig)
        covered = [name for name, box in drawn_boxes(fig) if legend.overlaps(box)]
        assert covered == []
    for fig in figures:
        ticks = value_ticks(fig)
        assert ticks and all(t.lstrip("−-").isdigit() for t in ticks), ticks


PHONE_COLUMN = 390 - 2 * 12  # CSS px: a 390 px phone less the page's padding (page.css)


def test_chart_text_is_readable_on_a_phone_and_two_years_differ_in_grey(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A chart is drawn at 100 CSS px per inch and shown at most as wide as the phone's
    column: its smallest text, scaled so, is at least 11 CSS px (the browser test measures
    the page too)."""
    from matplotlib.text import Text

    figures = page_figures(load(EXAMPLE), monkeypatch)
    for fig in figures:
        sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]
        scale = min(1.0, PHONE_COLUMN / (fig.get_figwidth() * 100))
        assert min(sizes) * 100 / 72 * scale >= 11
    yearly = [fig for fig in figures if any("年" in n for n in legend_texts(fig))]
    assert len(yearly) == 1  # the outcomes beside last year's, once
    ax = yearly[0].axes[0]
    lights = {round(luma(p.get_facecolor())) for p in ax.patches}
    assert len(lights) == 2 and max(lights) - min(lights) >= 100


def legend_texts(fig: Figure) -> list[str]:
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes)]
    return [t.get_text() for legend in legends if legend is not None for t in legend.get_texts()]


def test_a_top_n_chart_says_so_and_lists_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    from govinfo.publish import charts

    caught: list[Figure] = []
    finish = charts._finish
    monkeypatch.setattr(charts, "_finish", lambda fig, alt: caught.append(fig) or finish(fig, alt))
    chart = bar_chart(
        "本年新收申请（按单位）",
        ["公安局", "教育局"],
        [5, 3],
        "件",
        note="前2个，共4个",
        more="其余：民政局 1 件，财政局 0 件。",
    )
    assert "（前2个，共4个）" in chart.alt and chart.alt.endswith(
        "其余：民政局 1 件，财政局 0 件。"
    )
    assert "前2个，共4个" in [t.get_text() for t in caught[0].texts]
