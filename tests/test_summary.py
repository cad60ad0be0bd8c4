"""Region summaries: sums checked against the parameter files read independently (plain YAML),
regions kept apart, C18, failed and missing units, and the charts."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import County

from govinfo import layout as L
from govinfo.model import ActiveDisclosure, Report, frozen_mapping
from govinfo.publish.region import build, sum_reports
from govinfo.publish.summary import region_part

ROOT = Path(__file__).resolve().parents[1]
PARAMETERS = ROOT / "parameters"
COUNTY = "示例省示例市示例县"
ZEZHOU = "山西省晋城市泽州县"


def expected_sums(folder: Path, region: str) -> dict[tuple[str, str, str], Decimal]:
    """Every table cell summed over the region's scope: agency files, straight from YAML."""
    sums: dict[tuple[str, str, str], Decimal] = {}

    def add(key: tuple[str, str, str], value: object) -> None:
        sums[key] = sums.get(key, Decimal(0)) + Decimal(str(value))

    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        if data["region"] != region or data.get("scope", "agency") != "agency":
            continue
        for item, value in data["active"].items():
            if isinstance(value, dict):
                for measure, number in value.items():
                    add(("active", item, measure), number)
            else:
                add(("active", item, ""), value)
        columns = data["applications"]["columns"]
        for row, values in data["applications"]["rows"].items():
            for column, number in zip(columns, values, strict=True):
                add(("applications", row, column), number)
        outcomes = ["maintained", "corrected", "other", "pending", "total"]
        for group, values in data["review_litigation"].items():
            for outcome, number in zip(outcomes, values, strict=True):
                add(("review_litigation", group, outcome), number)
    return sums


def section(site: Path, year: int, region: str) -> BeautifulSoup:
    soup = BeautifulSoup((site / str(year) / "summary.html").read_text("utf-8"), "lxml")
    found = soup.select_one(f'section[data-region="{region}"]')
    assert found is not None, region
    return found


@pytest.mark.parametrize("year", [2021, 2022])
def test_summed_tables_equal_the_inputs(county: County, year: int) -> None:
    expected = expected_sums(county.params / str(year), COUNTY)
    shown = section(county.site, year, COUNTY)
    cells = shown.select("table.gi-t2 td, table.gi-t3 td, table.gi-t4 td")
    assert len(cells) == 10 + 7 * 25 + 15
    seen = {
        (td["data-section"], td["data-row"], td.get("data-col", "")): Decimal(td.get_text())
        for td in cells
    }
    assert seen == expected
    assert seen[("applications", "new", "total")] > 100  # the numbers are not all zero


def test_regions_are_summed_apart_and_checked_against_their_own_report(county: County) -> None:
    ours = section(county.site, 2021, COUNTY)
    theirs = section(county.site, 2021, ZEZHOU)
    licensing = 'td[data-section="active"][data-row="licensing"]'
    assert theirs.select_one(licensing).get_text() == "10727"
    expected = expected_sums(county.params / "2021", COUNTY)[("active", "licensing", "")]
    assert Decimal(ours.select_one(licensing).get_text()) == expected
    # C18: the county government's report equals its departments' sums …
    assert "示例县人民政府" in ours.get_text()
    assert ours.select_one(".gi-findings-ok") is not None
    assert not ours.select("td.gi-flag")
    # … and 泽州 has no region report, so nothing is checked there.
    assert "未作 C18 核对" in theirs.get_text()


def test_missing_units_are_listed_against_last_year(county: County) -> None:
    gone = section(county.site, 2022, ZEZHOU)
    assert "上年有报告、本年缺失的单位" in gone.get_text()
    assert "泽州县行政审批服务管理局" in gone.get_text()
    assert not gone.select("table")  # nothing to sum
    assert "没有缺失报告的单位" in section(county.site, 2022, COUNTY).get_text()
    assert "未比较缺失单位" in section(county.site, 2021, COUNTY).get_text()


def test_units_are_compared_in_a_table_and_charts(county: County) -> None:
    shown = section(county.site, 2022, COUNTY)
    rows = shown.select("table.gi-units tbody tr")
    assert len(rows) == 12
    news = [int(row.select("td")[0].get_text()) for row in rows]
    assert news == sorted(news, reverse=True)
    for link in shown.select("table.gi-units a[href]"):
        assert (county.site / "2022" / link["href"]).is_file()
    charts = shown.select("figure.gi-chart img")
    assert len(charts) == 5
    assert all(img["src"].startswith("data:image/png;base64,") for img in charts)
    captions = [c.get_text() for c in shown.select("figure.gi-chart figcaption")]
    for caption, title in zip(
        captions,
        ("本年新收", "本年度办理结果构成", "行政复议、行政诉讼案件", "行政许可", "行政处罚"),
        strict=True,
    ):
        assert caption.startswith(title)
    assert "公安局" in " ".join(img["alt"] for img in charts)


def test_a_chart_of_some_units_says_so_and_names_the_rest(county: County) -> None:
    """Issue 15: 本年新收…（按单位） drew 10 of 12 units and 办理结果构成 6 of 12, silently."""
    shown = section(county.site, 2022, COUNTY)
    units = [th.get_text() for th in shown.select("table.gi-units tbody th")]
    assert len(units) == 12
    partial = 0
    for figure in shown.select("figure.gi-chart"):
        caption, alt = figure.figcaption.get_text(), figure.img["alt"]
        assert alt.startswith(f"{'堆积' if '构成' in caption or '案件' in caption else ''}条形图：")
        assert caption in alt  # the alt text says what the title says
        drawn, _, rest = alt.partition("其余")
        n = sum(f"{name} " in drawn for name in units)
        assert 0 < n <= 10  # at most the top ten drawn
        if n == len(units):
            assert caption.endswith("（按单位）") and not rest
            continue
        partial += 1
        assert caption.endswith(f"（前{n}个单位，共{len(units)}个）"), caption
        assert rest.startswith(f"{len(units) - n}个单位：")
        assert all(name in rest for name in units if f"{name} " not in drawn)
    assert partial == 5  # 12 units: every chart shows some of them


def test_unit_charts_are_drawn_for_a_phone_with_the_legend_clear_of_the_bars() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.patches import Rectangle
    from matplotlib.text import Text

    from govinfo.publish.summary_charts import MIN_POINTS, stacked_figure

    names = ["人力资源和社会保障局", "住房和城乡建设局", "公安局", "教育局", "民政局"]
    categories = [name for name, _ in L.OUTCOME_CATEGORIES]
    series = [
        (c, [float((i + k) % 3) for i in range(len(names))]) for k, c in enumerate(categories)
    ]
    for drawn in (series, series[:1]):  # composition, and a ranking
        fig = stacked_figure(names, drawn)
        renderer = FigureCanvasAgg(fig).get_renderer()
        width, _ = fig.get_size_inches()
        assert width * 100 <= 358  # CSS px: a 390 px phone's column shows it unscaled
        texts = [t for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
        assert min(t.get_fontsize() for t in texts) >= MIN_POINTS
        (ax,) = fig.axes
        low, high = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if low <= t <= high]
        assert ticks and all(float(t).is_integer() for t in ticks)  # counts: whole ticks
        if len(drawn) == 1:
            assert not fig.legends
            continue
        legend = fig.legends[0].get_window_extent(renderer)
        bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0]
        assert len(bars) > len(names)
        for artist in [*bars, *ax.texts]:  # the bars and their value labels
            assert not legend.overlaps(artist.get_window_extent(renderer))
        assert legend.y0 >= ax.get_window_extent(renderer).y1  # above the plot, not in it
        assert fig.bbox.contains(legend.x0, legend.y0) and fig.bbox.contains(legend.x1, legend.y1)


# --------------------------------------------------------------------------- in-process


def members(folder: Path) -> list[dict]:
    out = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        out.append(
            {
                "file": str(path),
                "agency": data["agency"],
                "agency_id": data["agency_id"],
                "region": data.get("region", ""),
                "scope": data.get("scope", "agency"),
                "status": "published",
                "html": f"{data['agency_id']}.html",
            }
        )
    return out


def test_c18_flags_a_region_report_that_does_not_add_up(tmp_path: Path) -> None:
    folder = tmp_path / "2022"
    shutil.copytree(PARAMETERS / "2022", folder)
    shutil.copytree(PARAMETERS / "2021", tmp_path / "2021")  # their ``previous`` files
    region_file = folder / "shili-xzf.yaml"
    text = region_file.read_text("utf-8")
    region_file.write_text(text.replace("  licensing: ", "  licensing: 1", 1), "utf-8")
    (ours,) = [s for s in build(2022, members(folder)) if s.region == COUNTY]
    assert [(f.rule, f.section, f.row) for f in ours.findings] == [
        ("REGION-SUM", "active", "licensing")
    ]
    html = region_part(ours, 1)
    assert 'data-row="licensing"' in html and "gi-flag gi-warning" in html
    assert "REGION-SUM" in html


def test_missing_and_failed_units_are_named(tmp_path: Path) -> None:
    this_year = members(PARAMETERS / "2022")
    last_year = [
        *members(PARAMETERS / "2021"),
        {"file": "x.yaml", "agency": "示例县档案馆", "agency_id": "shili-daj", "region": COUNTY},
    ]
    this_year[0] |= {"status": "failed", "reason": "notebook failed in cell 3: ValueError: boom"}
    this_year.append(
        {
            "file": "/nowhere/bad.yaml",
            "region": COUNTY,
            "status": "invalid",
            "reason": "YAML 格式错误",
            "summable": False,
        }
    )
    (ours,) = [s for s in build(2022, this_year, last_year) if s.region == COUNTY]
    assert [m.agency_id for m in ours.missing] == ["shili-daj"]
    assert ours.findings[-1].rule == "REGION-SUM" and "示例县档案馆" in ours.findings[-1].zh
    html = region_part(ours, 1)
    assert "生成失败的单位" in html and "ValueError: boom" in html
    assert "未计入汇总的报告（2 份）" in html and "/nowhere/bad.yaml" in html
    assert len(ours.units) == 11  # neither the failed page nor the unreadable file is summed


def test_sum_reports_adds_every_cell_exactly() -> None:
    cells = {cell: 0 for cell in L.active_cells()}
    a = Report(
        "甲",
        "a",
        2021,
        active=ActiveDisclosure(frozen_mapping({**cells, (L.FEE_KEY, None): Decimal("0.1")})),
    )
    b = Report(
        "乙",
        "b",
        2021,
        active=ActiveDisclosure(frozen_mapping({**cells, (L.FEE_KEY, None): Decimal("0.2")})),
    )
    b = b.with_cell("applications", "new", "natural_person", 3).with_cell(
        "review_litigation", "review", "total", 2
    )
    total = sum_reports([a, b, b], year=2021, region=COUNTY)
    assert total.active.fees_10k_yuan == Decimal("0.5")
    assert total.applications.cell("new", "natural_person") == 6
    assert total.review_litigation.cell("review", "total") == 4
    assert total.scope == "region" and total.agency == f"{COUNTY}{L.SCOPES['region']}"
    empty = sum_reports([], year=2021, region=COUNTY)
    assert empty.applications.is_empty and empty.processing_fees is None
