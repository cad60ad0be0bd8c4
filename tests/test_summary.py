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
    assert len(charts) >= 5
    assert all(img["src"].startswith("data:image/png;base64,") for img in charts)
    alts = " ".join(img["alt"] for img in charts)
    for title in ("本年新收", "办理结果构成", "行政复议、行政诉讼案件", "行政许可", "行政处罚"):
        assert title in alts
    assert "公安局" in alts


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
