"""Region summaries a county can publish (issue 13, item 6): only valid, published reports are
summed and the others are listed with why; missing agencies come first; the sums are checked
with the report rules; the sums are offered as CSV and as a 本行政区域汇总 parameter file.

The invalid-members cases build a small folder (four agencies) and call the summary functions
directly; the published files are read from the session's rendered county."""

from __future__ import annotations

import csv
import io
import re
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import County
from test_summary import COUNTY, PARAMETERS, expected_sums, members, section

from govinfo import layout as L
from govinfo.batch.manifest import file_sha
from govinfo.batch.options import Options
from govinfo.batch.runner import Runner, validate
from govinfo.files import AGENCY_ID_PATTERN
from govinfo.params import load
from govinfo.publish.region import build, check_sums, sum_reports
from govinfo.publish.summary import region_part, render_summary, title_part
from govinfo.publish.summary_data import data_files, plan_data, write_data, yaml_name
from govinfo.rules import check, check_region

ARITHMETIC = {"APP-BALANCE", "APP-TOTAL-ROW", "APP-TOTAL-COL", "REVIEW-TOTAL", "CONTINUITY"}
BOM = "\ufeff".encode()


def four_agencies(folder: Path) -> Path:
    """A year folder of four 2022 agencies: one valid, one with a wrong （七）总计 (APP-BALANCE,
    APP-TOTAL-ROW, APP-TOTAL-COL), one with a misspelt row key (UNKNOWN-KEY) and one with a
    negative count (NEGATIVE). Without ``previous``: continuity is not what is tested."""
    year = folder / "2022"
    year.mkdir(parents=True)
    edits = {
        "shili-fgj": None,
        "shili-jyj": ("    total: [", "    total: [2"),  # 自然人 total off
        "shili-mzj": ("    granted: [", "    grantd: [0, 0, 0, 0, 0, 0, 0]\n    granted: ["),
        "shili-gaj": ("  licensing: ", "  licensing: -"),
    }
    for name, edit in edits.items():
        text = (PARAMETERS / "2022" / f"{name}.yaml").read_text("utf-8")
        text = re.sub(r"(?m)^previous: .*\n", "", text)
        if edit is not None:
            assert edit[0] in text, name
            text = text.replace(*edit, 1)
        (year / f"{name}.yaml").write_text(text, "utf-8")
    return year


def counted_and_not(folder: Path, agencies: list[dict]) -> tuple:
    (ours,) = build(2022, agencies)
    assert ours.region == COUNTY
    return ours, {x.member.agency_id: x for x in ours.excluded}


def test_only_valid_reports_are_summed_and_the_others_say_why(tmp_path: Path) -> None:
    year = four_agencies(tmp_path)
    ours, excluded = counted_and_not(year, members(year))  # as run by hand: statuses all
    assert [m.agency_id for m, _ in ours.units] == ["shili-fgj"]  # published, so checked here
    assert set(excluded) == {"shili-jyj", "shili-mzj", "shili-gaj"}
    assert {x.kind for x in excluded.values()} == {"invalid"}
    why = {key: x.why for key, x in excluded.items()}
    assert why["shili-jyj"].startswith("表三 自然人列：自然人：新收 ")
    assert why["shili-jyj"].endswith("（APP-BALANCE，共 3 项错误）")
    assert (
        why["shili-mzj"]
        == "表三：未知字段 applications.rows.grantd，是否应为 granted？（UNKNOWN-KEY）"
    )
    assert (
        why["shili-gaj"].startswith("表二 行政许可：数值不能为负：-")
        and "NEGATIVE" in why["shili-gaj"]
    )
    assert not any(re.search(r"[a-z]{3,} [a-z]{3,}", text) for text in why.values())  # no English
    fgj = load(year / "shili-fgj.yaml")
    assert ours.total.applications == fgj.applications and ours.total.active == fgj.active
    assert ours.sum_findings == ()
    html = region_part(ours, 1)
    text = BeautifulSoup(html, "lxml").get_text()
    assert "本年度 4 个单位报告，1 个计入汇总，3 个未计入" in text
    assert "未计入汇总的报告（3 份）" in text and "未通过校验的单位" in text
    assert all(reason in text for reason in why.values())
    assert html.index("未计入汇总的报告") < html.index("<table")
    assert "汇总表已按报告的勾稽关系校验，全部成立" in text


def test_the_batch_hands_over_status_and_first_error(tmp_path: Path) -> None:
    """The batch's own validation decides (it also sees continuity and duplicates): the
    members carry errors and the first error; a report not published is not counted."""
    year = four_agencies(tmp_path)
    files = sorted(year.glob("*.yaml"))
    shutil.copy(PARAMETERS / "2022" / "shili-rsj.yaml", year / "shili-rsj.yaml")
    files.append(year / "shili-rsj.yaml")  # valid, but its page failed to render
    (year / "shili-rsj.yaml").write_text(
        re.sub(r"(?m)^previous: .*\n", "", (year / "shili-rsj.yaml").read_text("utf-8")), "utf-8"
    )
    shas = {str(p.resolve()): file_sha(p) for p in files}
    options = Options(outdir=tmp_path / "site")
    entries = validate(files, shas)
    for e in entries:  # what rendering would have recorded
        e.status = "published" if not e.errors else "invalid"
        if e.agency_id == "shili-rsj":
            e.status, e.reason = "failed", "notebook failed in cell 3: ValueError: boom"
    given = Runner(options, entries, {}, {}).members(2022)
    by_id = {m["agency_id"]: m for m in given}
    assert by_id["shili-gaj"]["errors"] == 1 and by_id["shili-gaj"]["error"]["rule"] == "NEGATIVE"
    assert by_id["shili-fgj"]["errors"] == 0 and by_id["shili-fgj"]["error"] is None
    ours, excluded = counted_and_not(year, given)
    assert [m.agency_id for m, _ in ours.units] == ["shili-fgj"]
    assert excluded["shili-gaj"].why.startswith("表二 行政许可：数值不能为负")
    assert (
        excluded["shili-rsj"].kind == "failed" and "ValueError: boom" in excluded["shili-rsj"].why
    )
    html = region_part(ours, 1)
    assert "生成失败的单位" in html and "未通过校验的单位" in html


def test_summed_tables_are_checked_and_a_bad_sum_is_shown_prominently(tmp_path: Path) -> None:
    year = four_agencies(tmp_path)
    valid = load(year / "shili-fgj.yaml")
    broken = load(year / "shili-jyj.yaml")
    assert check_sums(sum_reports([valid, valid], year=2022, region=COUNTY)) == []
    forced = sum_reports([valid, broken], year=2022, region=COUNTY)
    found = check_sums(forced)
    assert {f.rule for f in found} == {"APP-BALANCE", "APP-TOTAL-ROW", "APP-TOTAL-COL"}
    # The summary as it would look had the broken report been counted.
    (ours,) = build(2022, members(year))
    shown = replace(ours, total=forced, sum_findings=tuple(found))
    html = region_part(shown, 1)
    soup = BeautifulSoup(html, "lxml")
    alert = soup.select_one(".gi-sums-invalid")
    assert alert is not None and "汇总表未通过校验" in alert.get_text()
    assert len(alert.select("li")) == len(found)
    assert all(f.zh in alert.get_text() for f in found)
    assert html.index("汇总表未通过校验") < html.index("<table")
    assert soup.select('td.gi-flag.gi-error[data-section="applications"]')
    assert f"汇总表未通过校验（{len(found)} 项）" in title_part(2022, [shown])


def test_missing_agencies_come_before_c18_tables_and_charts(tmp_path: Path) -> None:
    this_year = [m for m in members(PARAMETERS / "2022") if m["agency_id"] != "shili-gaj"]
    (ours,) = [
        s for s in build(2022, this_year, members(PARAMETERS / "2021")) if s.region == COUNTY
    ]
    assert [m.agency_id for m in ours.missing] == ["shili-gaj"]
    assert len(ours.findings) > 10  # the region report no longer adds up: many C18 findings
    html = region_part(ours, 1)
    first = html.index("上年有报告、本年缺失的单位")
    assert first < html.index('class="gi-findings"') and first < html.index("<table")
    assert first < html.index("gi-chart")
    top = title_part(2022, [ours])
    assert "上年有报告、本年缺失 1 个单位" in top and 'href="#r1"' in top


# --------------------------------------------------------------------------- the data files


def read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(BOM)  # Excel reads UTF-8 only with the mark
    return list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"))))


def test_county_sums_are_offered_as_csv(county: County) -> None:
    folder = county.site / "2022"
    expected = expected_sums(county.params / "2022", COUNTY)
    header, *rows = read_csv(folder / "summary.applications.csv")
    assert header == ["行政区域", "字段", "项目", *(c.label for c in L.APPLICATION_COLUMNS)]
    ours = [r for r in rows if r[0] == COUNTY]
    assert [r[1] for r in ours] == list(L.APPLICATION_ROW_KEYS)
    assert [r[2] for r in ours] == [row.full_label for row in L.APPLICATION_ROWS]
    for row in ours:
        for column, value in zip(L.APPLICATION_COLUMN_KEYS, row[3:], strict=True):
            assert int(value) == expected[("applications", row[1], column)]
    header, *rows = read_csv(folder / "summary.active.csv")
    assert header == ["行政区域", "字段", "栏目", "信息内容", "指标", "数值"]
    assert len(rows) == 10  # 泽州县 has no report in 2022: nothing summed, no lines
    for region, key, *_, value in rows:
        item, _, measure = key.partition(".")
        assert region == COUNTY and Decimal(value) == expected[("active", item, measure)]
    header, *rows = read_csv(folder / "summary.review_litigation.csv")
    assert header[3:] == [o.label for o in L.REVIEW_OUTCOMES]
    assert [r[2] for r in rows] == [g.full_label for g in L.CASE_GROUPS]
    outcomes = L.REVIEW_OUTCOME_KEYS
    assert all(
        int(v) == expected[("review_litigation", r[1], o)]
        for r in rows
        for o, v in zip(outcomes, r[3:], strict=True)
    )


def test_county_region_parameter_file_is_ready_for_its_narrative(county: County) -> None:
    folder = county.site / "2022"
    path = folder / yaml_name(COUNTY)
    report = load(path)
    assert (report.scope, report.kind, report.region, report.year) == (
        "region",
        "government",
        COUNTY,
        2022,
    )
    assert report.agency == "示例县人民政府" and report.agency_id == "shili-xzf"  # from its report
    findings = check(report)
    assert not [f for f in findings if f.rule in ARITHMETIC]
    assert "NARRATIVE-EMPTY" in {f.rule for f in findings}  # cannot go out unwritten
    assert {f.section for f in findings if f.is_error} <= {"narrative", "published"}
    expected = expected_sums(county.params / "2022", COUNTY)
    assert report.applications.cell("new", "total") == expected[("applications", "new", "total")]
    # It equals the county's own 本行政区域汇总 report cell for cell (rule C18 passes).
    units = [load(p) for p in (county.params / "2022").glob("*.yaml")]
    units = [u for u in units if u.scope == "agency" and u.region == COUNTY]
    assert check_region(report, units) == []
    assert check_region(load(county.params / "2022" / "shili-xzf.yaml"), [report]) == []


def test_summary_page_links_its_data(county: County) -> None:
    html = (county.site / "2022" / "summary.html").read_text("utf-8")
    soup = BeautifulSoup(html, "lxml")
    downloads = soup.select_one("nav.gi-downloads")
    assert downloads is not None and "下载数据" in downloads.get_text()
    links = [a["href"] for a in downloads.select("a[href]")]
    assert links[:4] == [
        "summary.xlsx",  # every agency's numbers, the sums and the findings (issue 17)
        "summary.active.csv",
        "summary.applications.csv",
        "summary.review_litigation.csv",
    ]
    assert yaml_name(COUNTY) in links and yaml_name("山西省晋城市泽州县") not in links
    assert all((county.site / "2022" / link).is_file() for link in links)
    assert html.index('class="gi-downloads"') < html.index("<table")
    ours = section(county.site, 2022, COUNTY)
    assert "汇总表已按报告的勾稽关系校验，全部成立" in ours.get_text()
    assert "12 个计入汇总" in ours.get_text()


def test_data_names_stay_in_outdir_and_never_take_an_agency_name(tmp_path: Path) -> None:
    for region in ("../../etc", "a/b", "", "示例县\u202e", "C:\\x"):
        name = yaml_name(region)
        assert re.fullmatch(r"summary\.region-[0-9a-f]{8}\.yaml", name), name
        assert not AGENCY_ID_PATTERN.fullmatch(name.removesuffix(".yaml"))
    regions = build(2022, members(PARAMETERS / "2022"))
    site = tmp_path / "site"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    site.mkdir()
    (site / "2022").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(ValueError, match="leads outside the output folder"):
        plan_data(site, 2022, regions)
    assert list(elsewhere.iterdir()) == []


def test_data_written_only_with_the_page_and_stale_regions_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """render_summary with papermill replaced: data follow a published page, never a failed
    one; a region that no longer has sums loses its parameter file."""
    from govinfo.publish import pipeline

    agencies = members(PARAMETERS / "2022")
    site = tmp_path / "site"
    stale = site / "2022" / "summary.region-00000000.yaml"
    stale.parent.mkdir(parents=True)
    stale.write_text("old", "utf-8")

    def fail(*args: object, **kwargs: object) -> None:
        raise pipeline.RenderError("notebook failed")

    monkeypatch.setattr(pipeline, "publish", fail)
    with pytest.raises(pipeline.RenderError):
        render_summary(2022, agencies, None, site)
    assert sorted(p.name for p in (site / "2022").iterdir()) == [stale.name]
    monkeypatch.setattr(pipeline, "publish", lambda *args, **kwargs: None)
    render_summary(2022, agencies, None, site)
    written = {p.name: p.read_bytes() for p in (site / "2022").iterdir()}
    assert written == data_files(build(2022, agencies))  # stale gone, nothing else
    assert not [p for p in (site / "2022").iterdir() if p.name.startswith(".")]  # no scratch
    assert write_data(site, 2022, {}) == []
    assert sorted(p.name for p in (site / "2022").iterdir()) == sorted(
        n for n in written if n.endswith(".csv")
    )


def test_region_file_from_a_hand_run_without_region_report_adds_up(tmp_path: Path) -> None:
    year = four_agencies(tmp_path)
    (ours,) = build(2022, members(year))
    name, data = next((n, d) for n, d in data_files([ours]).items() if n.endswith(".yaml"))
    path = tmp_path / name
    path.write_bytes(data)
    report = load(path)
    assert report.agency == f"{COUNTY}人民政府" and report.scope == "region"
    assert report.applications == load(year / "shili-fgj.yaml").applications
    assert not [f for f in check(report) if f.rule in ARITHMETIC]
    assert yaml.safe_load(data)["narrative"]["problems"] == L.NARRATIVE_PLACEHOLDER


def test_a_counted_name_with_markup_stays_text_in_tables_and_charts(tmp_path: Path) -> None:
    """Valid reports may carry markup in their names (only control characters are refused):
    counted, they reach the unit table and the charts' labels, as text."""
    year = four_agencies(tmp_path)
    name = '示例县<img src=x onerror="alert(1)">局'
    path = year / "shili-jyj.yaml"
    text = (PARAMETERS / "2022" / "shili-jyj.yaml").read_text("utf-8")
    text = re.sub(r"(?m)^previous: .*\n", "", text).replace(
        "agency: 示例县教育局", f"agency: '{name}'"
    )
    path.write_text(text, "utf-8")
    (ours,) = build(2022, members(year))
    assert {m.agency for m, _ in ours.units} == {"示例县发展和改革局", name}
    soup = BeautifulSoup(region_part(ours, 1), "lxml")
    assert not soup.select("[onerror]") and all(i["src"].startswith("data:") for i in soup("img"))
    assert name in soup.select_one("table.gi-units").get_text()
    assert any("onerror" in img["alt"] for img in soup.select("figure.gi-chart img"))
