"""The region hierarchy (issue 20): codes and their parents, a region's sums (its own units
plus its sub-regions' sums, never a sub-region's 本行政区域汇总 report as well), C18 at each
level, bounded pages, links up and down. No kernel: the data and the page's HTML are built
directly (tests/test_province.py runs the batch)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from govinfo import divisions
from govinfo import layout as L
from govinfo import province as place
from govinfo.examples import PROFILES, department_reports, government_report
from govinfo.model import Report
from govinfo.params import dumps_yaml, load, parse
from govinfo.publish import hierarchy_page as page
from govinfo.publish.hierarchy import build_region, data_files, output_file
from govinfo.publish.region import sum_reports
from govinfo.rules import check

YEAR = 2021
CITY, COUNTY = "320800", "320813"


# --------------------------------------------------------------------------- codes


def test_parents_follow_from_the_code() -> None:
    assert divisions.lineage("320813") == ["320000", "320800", "320813"]
    assert divisions.parent("320800") == "320000"
    assert divisions.parent("320000") is None
    assert divisions.parent("429004") == "429000"  # a county-level city under the province
    assert [divisions.level(c) for c in ("320000", "320800", "320813")] == list(divisions.LEVELS)


@pytest.mark.parametrize("code", ["32081", "3208130", "32o813", "990813", "320013", "１２３４５６"])
def test_a_code_that_is_not_one_is_an_error_naming_the_file_and_field(
    code: str, write_copy: Callable[..., Path], seed_data: dict[str, Any]
) -> None:
    path = write_copy(seed_data, lambda data: data.update(region_code=code))
    found = [f for f in check(load(path)) if f.rule == "REGION-CODE"]
    assert len(found) == 1
    assert found[0].section == "region_code" and found[0].file == str(path) and found[0].is_error
    assert repr(code) in found[0].zh and "GB/T 2260" in found[0].en
    assert load(path).region_code == ""  # counted in no region


def test_a_code_read_as_a_number_is_kept_as_text_and_written_quoted(
    seed_data: dict[str, Any],
) -> None:
    report = parse({**seed_data, "region_code": 320813})
    assert report.region_code == "320813"
    assert [f for f in check(report) if f.rule == "REGION-CODE"] == []
    assert "region_code: '320813'" in dumps_yaml(report)
    assert parse({**seed_data}).region_code == ""


# --------------------------------------------------------------------------- a small hierarchy


def Place(code: str, name: str) -> place.Place:
    return place.Place.of(code, name, f"示例省{name}")


def _write(report: Report, folder: Path) -> dict[str, Any]:
    path = folder / f"{report.agency_id}.yaml"
    path.write_text(dumps_yaml(report), "utf-8")
    return {
        "file": str(path),
        "agency": report.agency,
        "agency_id": report.agency_id,
        "region": report.region,
        "region_code": report.region_code,
        "kind": report.kind,
        "scope": report.scope,
        "status": "published",
        "html": f"{report.agency_id}.html",
        "summable": True,
        "errors": 0,
    }


def _units(where: place.Place, keys: Sequence[int]) -> list[Report]:
    return [
        r.replace(region_code=where.code)
        for i in keys
        for r in department_reports(where, PROFILES[i])
        if r.year == YEAR
    ]


def _head(where: place.Place, parts: Sequence[Report], **changes: Any) -> Report:
    head = government_report(where, YEAR, parts)
    return head.replace(region_code=where.code, previous_path=None, **changes)


def _data(
    where: place.Place,
    members: Sequence[dict[str, Any]],
    out: Path,
    children: Sequence[place.Place] = (),
    lineage: Sequence[place.Place] = (),
) -> dict[str, Any]:
    data = build_region(
        YEAR,
        where.code,
        where.region,
        members,
        [{"code": c.code, "name": c.region, "ok": True} for c in children],
        out,
        lineage=[[p.code, p.region] for p in lineage],
    )
    path = output_file(out, YEAR, where.code, "json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data_files(data)["json"])  # what the region above reads
    return data


def _cells(report: Report) -> dict[tuple[str, str, str | None], object]:
    cells: dict[tuple[str, str, str | None], object] = {
        ("active", item, measure): value for (item, measure), value in report.active.cells.items()
    }
    for row, values in report.applications.rows.items():
        cells.update(
            {
                (L.APPLICATIONS, row, c): v
                for c, v in zip(L.APPLICATION_COLUMN_KEYS, values, strict=True)
            }
        )
    for group, values in report.review_litigation.groups.items():
        cells.update(
            {
                (L.REVIEW_LITIGATION, group, o): v
                for o, v in zip(L.REVIEW_OUTCOME_KEYS, values, strict=True)
            }
        )
    return cells


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Any]:
    """A county (two units and a 本行政区域汇总 report that is wrong in one cell) in a city
    (one unit, its own correct report); a second county with nothing but its report."""
    params, out = tmp_path / "params", tmp_path / "site"
    params.mkdir()
    city, county, lone = (
        Place(CITY, "示例市"),
        Place(COUNTY, "示例市示例县"),
        Place("320814", "示例市示例乙县"),
    )
    county_units = _units(county, [1, 3])
    wrong = _head(county, county_units)
    wrong = wrong.with_cell(L.APPLICATIONS, "new", "natural_person", 999_999)
    county_members = [_write(r, params) for r in [*county_units, wrong]]
    lone_head = _head(lone, _units(lone, [5]), agency_id="t320814-xzf")
    lone_members = [_write(lone_head, params)]
    city_units = _units(city, [2])
    city_head = _head(city, [*city_units, *county_units, lone_head])
    city_members = [_write(r, params) for r in [*city_units, city_head]]
    county_data = _data(county, county_members, out, lineage=[city])
    lone_data = _data(lone, lone_members, out, lineage=[city])
    city_data = _data(city, city_members, out, children=[county, lone])
    return {
        "county": county_data,
        "lone": lone_data,
        "city": city_data,
        "county_units": county_units,
        "city_units": city_units,
        "lone_head": lone_head,
        "wrong": wrong,
    }


def test_a_region_sums_its_units_and_its_sub_regions_never_their_reports_as_well(
    tree: dict[str, Any],
) -> None:
    county_total = parse(tree["county"]["total"])
    assert _cells(county_total) == _cells(sum_reports(tree["county_units"], year=YEAR, region=""))
    city_total = parse(tree["city"]["total"])
    everything = [*tree["city_units"], *tree["county_units"], tree["lone_head"]]
    assert _cells(city_total) == _cells(sum_reports(everything, year=YEAR, region=""))
    # The county's own report (999,999 new applications) is in no sum.
    assert city_total.applications.cell("new", "natural_person") < 999_999
    assert tree["county"]["counted"] == 2 and tree["county"]["contribution"] == "sums"
    # A county with nothing below its report: the report stands in, once.
    assert tree["lone"]["contribution"] == "region_report" and tree["lone"]["counted"] == 1
    assert tree["city"]["counted"] == 1 + 2 + 1


def test_c18_at_each_level_against_that_level_s_sums(tree: dict[str, Any]) -> None:
    county = tree["county"]["c18"]
    assert [(f["section"], f["row"], f["column"]) for f in county] == [
        (L.APPLICATIONS, "new", "natural_person")
    ]
    assert "2 个单位之和" in county[0]["zh"] and county[0]["rule"] == "REGION-SUM"
    assert tree["city"]["c18"] == []  # the city's report adds up over 4 reports below it
    assert tree["lone"]["c18"] == []  # nothing to check it against: said on the page
    html = page.body(tree["lone"])
    assert "本区域以下没有可汇总的单位报告" in html


def test_links_go_up_to_the_parent_and_down_to_the_sub_regions(tree: dict[str, Any]) -> None:
    soup = BeautifulSoup(page.title_part(tree["county"]) + page.body(tree["county"]), "lxml")
    crumbs = [a["href"] for a in soup.select("nav.gi-breadcrumb a")]
    assert crumbs == ["../index.html", f"summary.{CITY}.html"]
    assert soup.select_one("p.gi-up a")["href"] == f"summary.{CITY}.html"
    units = [a["href"] for a in soup.select("table.gi-units tbody th a")]
    assert sorted(units) == sorted(f"{r.agency_id}.html" for r in tree["county_units"])
    city = BeautifulSoup(page.body(tree["city"]), "lxml")
    down = {tr["data-region"]: tr.a["href"] for tr in city.select("tr[data-region]")}
    assert down == {COUNTY: f"summary.{COUNTY}.html", "320814": "summary.320814.html"}
    assert "（汇总报告）" in city.select_one('tr[data-region="320814"]').text


def test_a_failed_sub_region_is_named_and_not_counted(tree: dict[str, Any], tmp_path: Path) -> None:
    data = build_region(
        YEAR,
        CITY,
        "示例省示例市",
        [],
        [{"code": COUNTY, "name": "示例县", "ok": False}],
        tmp_path / "site",
    )
    assert data["counted"] == 0 and data["children"][0]["ok"] is False
    html = page.title_part(data) + page.body(data)
    assert "1 个下级行政区域汇总失败、未计入（示例县）" in html and "汇总失败，未计入" in html


# --------------------------------------------------------------------------- bounded pages


def _synthetic(units: int) -> dict[str, Any]:
    """A region's data with ``units`` counted units (figures only: what the page reads)."""
    report = sum_reports([], year=YEAR, region="示例省")
    from govinfo.publish.hierarchy import figures

    def unit(i: int) -> dict[str, Any]:
        numbers = {
            k: (Decimal(i) if isinstance(v, Decimal) else i) for k, v in figures(report).items()
        }
        return {
            "name": f"示例单位{i:04d}",
            "agency_id": f"u{i}",
            "html": f"u{i}.html",
            "figures": numbers,
        }

    from govinfo.params import to_mapping

    return {
        "year": YEAR, "code": "320000", "name": "示例省", "level": "province", "lineage": [],
        "total": to_mapping(report), "counted": units, "contribution": "sums", "members": units,
        "units": [unit(i) for i in range(units, 0, -1)], "excluded": [], "children": [],
        "head": None, "head_agency": None, "missing": [], "compared": False, "c18": [],
        "sum_findings": [],
    }  # fmt: skip


def test_a_page_stays_the_same_size_however_many_units() -> None:
    small, large = _synthetic(120), _synthetic(2_000)
    soup = BeautifulSoup(page.body(large), "lxml")
    assert len(soup.select("table.gi-units tbody tr")) == page.UNIT_ROWS
    assert "共 2000 个单位计入，列出新收申请最多的 100 个；全部单位见 CSV" in soup.text
    figure = soup.select_one("figure.gi-unit-chart")
    assert figure.figcaption.text == "本级单位本年新收政府信息公开申请（前10个，共2000个）"
    assert "其余1990个合计" in figure.img["alt"] and "示例单位0001" not in figure.img["alt"]
    sizes = [len(page.body(data)) for data in (small, large)]
    assert sizes[1] < 1.1 * sizes[0]  # 16 times the units: the same rows and bars


def test_the_hierarchy_page_has_no_script_and_escapes_names(tree: dict[str, Any]) -> None:
    data = {**tree["county"], "name": '<script>alert("x")</script>'}
    html = page.title_part(data) + page.body(data)
    assert "<script>" not in html and "&lt;script&gt;" in html
