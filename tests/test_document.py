"""Report parts built in-process: narrative sanitised, sentences for empty tables, the stamp,
and the in-process page identical to the page a kernel run publishes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from govinfo import layout as L
from govinfo import load
from govinfo.model import Narrative, Overview, ProcessingFees
from govinfo.publish.document import fees_statement, markdown_html, part_html, standalone_html

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "parameters/2021/zezhou-xzsp.yaml"


def test_markdown_renders_text_but_no_markup_or_remote_content() -> None:
    html = markdown_html(
        "**加粗** <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n"
        "[链接](javascript:alert(1)) ![图](http://example.com/x.png) [官网](https://www.gov.cn)"
    )
    assert "<strong>加粗</strong>" in html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert 'href="https://www.gov.cn"' in html


def test_fee_statement_and_empty_sentences() -> None:
    seed = load(SEED)
    assert fees_statement(seed) == L.FEES_NONE.format(year=2021)
    charged = seed.replace(processing_fees=ProcessingFees(2, Decimal("150.5"), Decimal("100")))
    text = fees_statement(charged)
    assert "发出收费通知2件" in text and "150.5元" in text and "100元" in text
    assert fees_statement(seed.replace(processing_fees=None)) == ""
    other = part_html(charged, "other")
    assert text in other and ">无<" not in other  # "无" is dropped when the fee statement stands
    assert L.NO_APPLICATIONS in part_html(seed, "applications")
    assert L.NO_CASES in part_html(seed, "review_litigation")


def test_errors_stamp_the_title_part() -> None:
    seed = load(SEED)
    broken = seed.with_cell("applications", "new", "natural_person", 3)
    title = part_html(broken, "title")
    assert L.INVALID_STAMP.format(errors=2) in title
    assert "gi-stamp" not in part_html(seed, "title")
    findings = part_html(broken, "findings")
    assert "APP-BALANCE" in findings and "新收 3 + 上年结转 0 = 3" in findings


def test_hostile_agency_and_narrative_are_escaped() -> None:
    seed = load(SEED)
    hostile = seed.replace(
        agency='<script>alert("x")</script>局',
        narrative=Narrative(Overview(intro='<iframe src="//evil"></iframe>'), "问题" * 10, "无"),
    )
    page = standalone_html(hostile)
    assert "<script" not in page and "<iframe" not in page
    assert "&lt;script&gt;" in page


def test_in_process_page_equals_the_published_page(rendered_site: Path) -> None:
    published = (rendered_site / "2021/zezhou-xzsp.html").read_text("utf-8")
    assert standalone_html(load(SEED)) == published
    example = ROOT / "parameters/2022/shili-zrzyj.yaml"
    assert standalone_html(load(example)) == (rendered_site / "2022/shili-zrzyj.html").read_text(
        "utf-8"
    )


def test_narrative_cannot_add_headings_to_the_page() -> None:
    """Found by hypothesis: 六 holding "#" gave the page a second <h1>."""
    import re

    for text in ("#", "# 标题", "###### 小标题", "标题\n===", "标题\n---"):
        html = markdown_html(text)
        assert not re.search(r"<h[1-6]", html), (text, html)
    assert markdown_html("# 标题") == "<p># 标题</p>\n"


def test_charts_worth_their_place() -> None:
    """A chart per thing the tables do not show at a glance, the page shows exactly
    ``section_charts`` (which the Word document embeds too), and no chart repeats a table:
    none for 本年处理决定数量 (three numbers) nor for the year-over-year table."""
    from bs4 import BeautifulSoup

    example = load(ROOT / "parameters/2022/shili-zrzyj.yaml")
    page = BeautifulSoup(standalone_html(example), "lxml")
    assert page.select("#s2 img") == [] and page.select(".gi-trends-section img") == []
    alts = [img["alt"] for img in page.select("figure.gi-chart img")]
    assert len(alts) == 3

    from govinfo.publish.document import section_charts

    charts = {key: section_charts(example, key) for key in ("active", *SECTIONS_WITH_CHARTS)}
    assert {key: len(found) for key, found in charts.items()} == {
        "active": 0,
        "applications": 2,
        "review_litigation": 1,
        "trends": 0,
    }
    assert alts == [chart.alt for key in charts for chart in charts[key]]
    applicants, outcomes = charts["applications"]
    assert applicants.alt.startswith("条形图：本年新收申请（按申请人类型）。自然人 24 件")
    assert (
        "2021年与2022年" in outcomes.alt and "予以公开：2021年 11 件，2022年 14 件" in outcomes.alt
    )
    # Without a previous report the outcomes stand alone.
    alone = section_charts(example.replace(previous=None), "applications")[1]
    assert alone.alt.startswith("条形图：本年度办理结果（按类别）。予以公开 14 件")


SECTIONS_WITH_CHARTS = ("applications", "review_litigation", "trends")


def test_comparison_is_headed_once_and_says_unchanged() -> None:
    from bs4 import BeautifulSoup

    example = load(ROOT / "parameters/2022/shili-zrzyj.yaml")
    assert example.previous is not None
    previous = example.previous.with_cell("active", "licensing", None, 1030)  # 2022: 1024
    page = BeautifulSoup(part_html(example.replace(previous=previous), "trends"), "lxml")
    assert page.get_text().count(L.TRENDS_HEADING) == 1
    change = {tr.th.get_text(): tr.find_all("td")[-1].get_text() for tr in page.select("tbody tr")}
    assert change["其他处理"] == "持平"  # 1 and 1, not "+0"
    assert change["予以公开"] == "+3"
    assert change["行政许可"] == "\u22126"  # a true minus sign
    assert "+0" not in page.get_text()
