"""The three real reports (their pdftotext text, tests/data/audit) and the 泽州县 seed
audited; every problem listed here was checked by hand against the published PDF:

- 洪泽区 2024: 一（二） says 受理政府信息公开申请 17 件, 表三 prints 95 new applications; 一（五）
  mentions 考核 but neither 社会评议 nor 责任追究 (条例第五十条（四）); four passages of 一 and
  五 are 2023's text with a few words changed (门户网站日常管理, 政务新媒体监管, 下一步工作).
- 洪泽区 2023: 表四 as printed does not add up (复议 10/1/0/0 with 总计 0; 复议后起诉 5/0/0/0
  with 总计 0); no 考核、社会评议、责任追究 in 一（五）.
- 淮安市 2024: none of 考核、社会评议、责任追究 anywhere in the report; 表三 has 6 applications
  lapsed for unpaid fees while 六 states only the 3,940 元 collected, no fee notices.
- 泽州县 2021 (the seed): nothing but its unknown publication date.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEED

from govinfo.audit import AuditRun, Problem, audit_paths, load_pack

DATA = Path(__file__).parent / "data" / "audit"
EXPECTED = {
    ("hongze-qzf", 2024): ["COPIED-PASSAGE", "GOV-ASSESSMENT", "TEXT-TABLE"],
    ("hongze-qzf", 2023): ["GOV-ASSESSMENT", "REVIEW-TOTAL", "REVIEW-TOTAL"],
    ("huaian-szf", 2024): ["FEES-STATEMENT", "GOV-ASSESSMENT"],
    ("zezhou-xzsp", 2021): [],
}


@pytest.fixture(scope="module")
def run() -> AuditRun:
    return audit_paths([DATA, SEED], load_pack("national"))


def test_every_problem_is_one_checked_by_hand(run: AuditRun) -> None:
    assert run.unreadable == {}
    found = {
        (r.agency_id, r.year): sorted(p.rule for p in r.problems if p.severity != "info")
        for r in run.results
    }
    assert found == EXPECTED
    for r in run.results:  # no publication date in any of them: said, not deducted
        assert [p.rule for p in r.problems if p.rule == "DATE-UNKNOWN"] == ["DATE-UNKNOWN"]


def _problem(run: AuditRun, key: tuple[str, int], rule: str) -> Problem:
    result = next(r for r in run.results if (r.agency_id, r.year) == key)
    return next(p for p in result.problems if p.rule == rule)


def test_the_evidence_quotes_both_sides(run: AuditRun) -> None:
    text_table = _problem(run, ("hongze-qzf", 2024), "TEXT-TABLE")
    evidence = dict(text_table.evidence)
    assert "区政府办代表区政府受理政府信息公开申请17件" in evidence["正文"]
    assert evidence["表格"] == "表三 · 一、本年新收政府信息公开申请数量 · 总计：95"
    copied = _problem(run, ("hongze-qzf", 2024), "COPIED-PASSAGE")
    assert copied.data["source_year"] == 2023 and copied.data["kind"] == "previous"
    pairs = copied.evidence
    assert pairs[2][0] == "本报告 · 一、总体情况（三）政府信息管理"
    assert "新增信息审核发布报备制度" in pairs[2][1] and "执行信息审核发布制度" in pairs[3][1]
    assert pairs[3][0] == "本单位 2023 年报告"
    assessment = _problem(run, ("hongze-qzf", 2024), "GOV-ASSESSMENT")
    assert dict(assessment.evidence)["缺少"] == "社会评议、责任追究"


def test_scores_and_levels(run: AuditRun) -> None:
    scores = {(r.agency_id, r.year): (r.score, r.level) for r in run.results}
    # TEXT-TABLE 2 + GOV-ASSESSMENT 1; REVIEW-TOTAL 1 (+0 for the second) + 1; 1 + 0.5
    assert scores == {
        ("hongze-qzf", 2024): (97.0, "county"),
        ("hongze-qzf", 2023): (98.0, "county"),
        ("huaian-szf", 2024): (98.5, "city"),
        ("zezhou-xzsp", 2021): (100.0, "department"),
    }
    suqian = audit_paths([DATA], load_pack("suqian"))
    assert {r.agency_id: r.score for r in suqian.results if r.year == 2024}["hongze-qzf"] == 97.0
