"""Elements and form (HEADINGS, OVERVIEW-PARTS, GOV-ASSESSMENT, PERIOD, WRONG-YEAR,
BLANKS-MIXED, OVERVIEW-LENGTH) and deadlines by level (DEADLINE, FILING)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import SEED

from govinfo import layout as L
from govinfo.audit.deadlines import check_deadlines, level_of, read_dates
from govinfo.audit.elements import (
    check_assessment,
    check_blanks,
    check_headings,
    check_length,
    check_overview_parts,
    check_period,
    check_years,
)
from govinfo.audit.packs import load_pack
from govinfo.findings import ParameterError
from govinfo.model import CellMark, Report
from govinfo.params import load

FIXTURE = Path(__file__).parent / "data" / "audit" / "hongze-qzf-2024.txt"


def seed(**overview: str) -> Report:
    report = load(SEED)
    o = report.narrative.overview
    o = o.__class__(**{**vars(o), **overview})
    return report.replace(narrative=report.narrative.__class__(o, "问题" * 10, "无"))


def text_with(headings: list[str], preamble: str = "") -> str:
    body = preamble or f"本报告所列数据的统计期限为{L.period(2021)}。"
    return "\n".join(
        ["某局2021年政府信息公开工作年度报告", body] + [f"  {h}\n正文。" for h in headings]
    )


def test_the_real_report_has_its_six_headings_and_its_period() -> None:
    text = FIXTURE.read_text("utf-8")
    report = load(SEED).replace(year=2024)
    assert check_headings(text) == []
    assert check_period(report, text) == []
    assert check_period(report.replace(year=2025), text)[0].rule == "PERIOD"


def test_headings_missing_inexact_and_out_of_order() -> None:
    exact = [s.heading for s in L.SECTIONS]
    assert check_headings(text_with(exact)) == []
    missing = check_headings(text_with(exact[:3] + exact[4:]))
    assert [p.what for p in missing] == ["缺少标题：应为“四、政府信息公开行政复议、行政诉讼情况”"]
    variant = [*exact[:4], "五、存在问题及改进情况", *exact[5:]]
    inexact = check_headings(text_with(variant))
    assert len(inexact) == 1 and dict(inexact[0].evidence)["正文"] == "五、存在问题及改进情况"
    swapped = check_headings(text_with([exact[0], exact[2], exact[1], *exact[3:]]))
    assert [p.what for p in swapped] == [
        "六个部分的顺序与格式不一致：正文中依次为 一、三、二、四、五、六"
    ]


def test_period_missing_or_of_another_year() -> None:
    report = load(SEED)
    assert (
        check_period(report, text_with([], "统计期限为2020年1月1日至2020年12月31日。"))[0].what
        == "统计期限“2020年1月1日至2020年12月31日”与报告年度 2021 不符"
    )
    assert (
        check_period(report, text_with([], "本报告由办公室编制。"))[0].what == "开头未写明统计期限"
    )


def test_overview_parts_and_length() -> None:
    assert check_overview_parts(seed()) == []
    found = check_overview_parts(seed(platform="", oversight="（待填写）"))
    assert [p.key for p in found] == [
        ("narrative", "overview", "platform"),
        ("narrative", "overview", "oversight"),
    ]
    assert check_length(seed(), None) == []
    long = check_length(seed(), 500)
    assert long and long[0].data["limit"] == 500 and long[0].data["chars"] > 500


def test_a_government_must_report_assessment_evaluation_and_accountability() -> None:
    gov = seed(oversight="将政务公开纳入年度考核。").replace(kind="government")
    found = check_assessment(gov)
    assert dict(found[0].evidence)["缺少"] == "社会评议、责任追究"
    ok = seed(oversight="纳入考核；开展社会评议；本年度无责任追究情况。").replace(kind="government")
    assert check_assessment(ok) == []
    assert check_assessment(gov.replace(kind="department")) == []


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("2020年，我局认真贯彻落实《条例》。", True),
        ("对照本县2020年政务公开工作要点，逐项落实。", True),
        ("截至2020年底，现行有效文件12件。", True),
        ("2021年，我局认真贯彻落实《条例》。", False),
        ("2022年，将继续推进政务公开。", False),
        ("与2020年相比，申请量有所增加。", False),
        ("较2020年增长一成。", False),
        ("2019年以来，持续推进基层政务公开标准化。", False),
        ("根据2019年修订的《条例》开展工作。", False),
        ("2020年12月召开专题会议。", False),
        ("到2035年基本建成法治政府。", False),
        ("2020年度报告中提出的问题已整改。", False),
    ],
)
def test_wrong_year(sentence: str, flagged: bool) -> None:
    found = check_years(seed(intro=sentence))
    assert bool(found) is flagged, found
    if flagged:
        assert sentence.rstrip("。") in found[0].where


def test_blanks_mixed_with_zeros_in_one_table() -> None:
    report = load(SEED)  # every cell given as 0
    assert check_blanks(report) == []
    mixed = report.with_mark("applications", "granted", "research", CellMark("blank", "/"))
    found = check_blanks(mixed)
    assert len(found) == 1 and found[0].where == "表三" and "“/”" in found[0].what


def test_levels_and_deadlines_by_pack() -> None:
    national, yueyang = load_pack("national"), load_pack("yueyang")
    gov = load(SEED).replace(kind="government")
    names = {
        "淮安市洪泽区人民政府": "county",
        "淮安市人民政府": "city",
        "江苏省人民政府": "province",
        "上海市人民政府": "province",
        "石家庄市新乐市人民政府": "county",
        "示例县人民政府": "county",
    }
    for name, level in names.items():
        assert level_of(gov.replace(agency=name), national) == level
    assert level_of(load(SEED), national) == "department"
    county = gov.replace(agency="示例县人民政府", year=2024, published=dt.date(2025, 3, 1))
    assert check_deadlines(county, national) == []
    late = check_deadlines(county, yueyang)
    assert late[0].rule == "DEADLINE" and "2025-02-20" in late[0].what and "迟 9 天" in late[0].what
    dept = load(SEED).replace(published=dt.date(2022, 2, 3))
    assert "迟 3 天" in check_deadlines(dept, national)[0].what
    assert check_deadlines(load(SEED).replace(published=None), national)[0].rule == "DATE-UNKNOWN"
    early = check_deadlines(load(SEED).replace(published=dt.date(2021, 12, 30)), national)
    assert "早于报告年度结束" in early[0].what


def test_filing_dates_from_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text("agency_id,year,published,filed\nzezhou-xzsp,2021,2022-01-20,2022-02-02\n")
    dates = read_dates(path)
    report = load(SEED).replace(kind="government", agency="示例县人民政府")
    found = check_deadlines(report, load_pack("yueyang"), dates[("zezhou-xzsp", 2021)])
    assert [p.rule for p in found] == ["FILING"] and "迟 2 天" in found[0].what
    path.write_text("agency_id,year,published\nx,2021,20-01-2022\n")
    with pytest.raises(ParameterError) as caught:
        read_dates(path)
    assert caught.value.field == "line 2: published"
