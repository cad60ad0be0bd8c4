"""Charts: a real CJK font, no missing glyphs, numbers in the alt text, stable bytes."""

from __future__ import annotations

import warnings

from matplotlib.ft2font import FT2Font

from govinfo import layout as L
from govinfo.publish.charts import bar_chart, configure_fonts, find_cjk_font, grouped_bar_chart


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
