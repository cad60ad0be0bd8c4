"""C09 (TEXT-TABLE): figures of the narrative against the tables, read from sentences."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BUSY_ROWS, SEED

from govinfo.audit.numbers import check_numbers, claims
from govinfo.audit.text import chinese_number
from govinfo.importer import import_file
from govinfo.model import Report
from govinfo.params import load

FIXTURE = Path(__file__).parent / "data" / "audit" / "hongze-qzf-2024.txt"


def busy(requests: str = "", other: str = "无", **overview: str) -> Report:
    """The seed with BUSY_ROWS in 表三 (新收 8, 上年结转 1, 办结 8, 结转 1; 予以公开 4 …)."""
    report = load(SEED)
    for row, values in BUSY_ROWS.items():
        for column, value in zip(
            (
                "natural_person",
                "commercial",
                "research",
                "social_welfare",
                "legal_services",
                "other",
                "total",
            ),
            values,
            strict=True,
        ):
            report = report.with_cell("applications", row, column, value)
    o = report.narrative.overview
    o = o.__class__(**{**vars(o), "requests": requests, **overview})
    return report.replace(narrative=report.narrative.__class__(o, "问题" * 10, other))


def said(report: Report) -> set[tuple[str, int]]:
    return {(c.said, c.number) for c in claims(report)}


def problems(report: Report) -> list[tuple[str, int, int]]:
    return [(p.data["said"], p.data["text"], p.data["table"]) for p in check_numbers(report)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十七", 17),
        ("九十五", 95),
        ("一百零三", 103),
        ("两", 2),
        ("十", 10),
        ("二十", 20),
        ("一万二千", 12000),
        ("三", 3),
        ("一二三", 123),
        ("是", None),
    ],
)
def test_chinese_numerals(text: str, value: int | None) -> None:
    assert chinese_number(text) == value


def test_sentences_that_agree_with_the_table_give_no_problem() -> None:
    report = busy(
        "全年共收到政府信息公开申请8件，上年结转1件，办结8件（含上年结转1件），结转下年度1件。"
        "其中予以公开4件，部分公开1件，无法提供2件。"
    )
    assert said(report) == {
        ("新收申请", 8),
        ("上年结转", 1),
        ("办结（答复）", 8),
        ("结转下年度", 1),
        ("予以公开", 4),
        ("部分公开", 1),
        ("无法提供", 2),
    }
    assert problems(report) == []


def test_chinese_numerals_and_spaces_from_a_pdf_are_read() -> None:
    report = busy("本年度受理政府信息公开申请 十七 件，\n依法作出答复九件。")
    assert problems(report) == [("新收申请", 17, 8), ("办结（答复）", 9, 8)]


def test_number_before_its_keyword() -> None:
    assert problems(busy("新收申请8件，另有3件跨年度结转办理。")) == [("结转下年度", 3, 1)]


def test_received_including_carried_over_is_accepted() -> None:
    # 共受理9件（含上年结转1件）: 新收 8 + 上年结转 1
    assert problems(busy("共受理政府信息公开申请9件（含上年结转1件）。")) == []


def test_changes_other_years_and_other_things_are_not_claims() -> None:
    report = busy(
        "受理政府信息公开申请较上年增加3件。2019年受理申请30件。受理群众咨询50件。"
        "主动公开信息125条。对6件涉及群众切身利益的文件进行了解读。",
        oversight="组织业务培训4次，整改问题9项。",
    )
    assert said(report) == set()


def test_a_sentence_about_something_else_does_not_borrow_application_keywords() -> None:
    # no 申请 in the sentence and not in （二）依申请公开: 办结 is about something else
    report = busy("", oversight="全年办结群众来信12件。")
    assert said(report) == set()


def test_statements_of_zero() -> None:
    report = busy("本年度未收到政府信息公开申请，亦无上年结转申请。")
    assert problems(report) == [("新收申请", 0, 8), ("上年结转", 0, 1)]
    cases = busy("全年新收申请8件。", other="本年度未发生政府信息公开行政复议、行政诉讼案件。")
    cases = cases.with_cell("review_litigation", "review", "maintained", 2)
    cases = cases.with_cell("review_litigation", "review", "total", 2)
    assert problems(cases) == [("行政复议", 0, 2)]


def test_review_outcomes_and_documents() -> None:
    report = busy(
        "全年新收申请8件。",
        oversight="本年度因答复超期被行政复议纠正1件。",
        management="本年制发行政规范性文件3件，废止2件。",
    )
    report = report.with_cell("active", "normative_docs", "issued", 3)
    report = report.with_cell("active", "normative_docs", "repealed", 1)
    assert set(problems(report)) == {("行政复议纠正", 1, 0), ("行政规范性文件废止", 2, 1)}


def test_hongze_2024_says_17_where_table_three_prints_95() -> None:
    """The real report (pdftotext -layout of the published PDF, kept as a fixture)."""
    report = import_file(FIXTURE).report
    found = check_numbers(report)
    assert len(found) == 1
    problem = found[0]
    assert problem.rule == "TEXT-TABLE"
    assert (problem.data["text"], problem.data["table"]) == (17, 95)
    text, table = dict(problem.evidence)["正文"], dict(problem.evidence)["表格"]
    assert "受理政府信息公开申请17件" in text  # the sentence, quoted (spaces of the PDF gone)
    assert "一、本年新收政府信息公开申请数量" in table and table.endswith("95")
    assert "（二）依申请公开" in problem.where
