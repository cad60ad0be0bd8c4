"""Every rule fires on a report that breaks it and stays quiet on one that keeps it.

Each firing test checks where the finding points (section, row, column) and that both sides
of the broken identity appear in the Chinese and the English message. Most tests start from
``busy_data`` (a balanced 表三 with non-zero cells) so the two sides differ visibly.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import write_yaml

from govinfo.findings import ERROR, WARNING, Finding
from govinfo.model import Report
from govinfo.params import load, parse
from govinfo.rules import cells_of, check, check_continuity, check_region, prose_overlap

Data = dict[str, Any]


def findings(data: Data, edit: Callable[[Data], object] | None = None) -> list[Finding]:
    data = copy.deepcopy(data)
    if edit is not None:
        edit(data)
    return check(parse(data, source=Path("report.yaml")))


def of(found: list[Finding], rule: str) -> list[Finding]:
    return [f for f in found if f.rule == rule]


def one(found: list[Finding], rule: str) -> Finding:
    matching = of(found, rule)
    assert len(matching) == 1, [str(f) for f in found]
    return matching[0]


def says(finding: Finding, *parts: str) -> None:
    """Each part appears in the Chinese and in the English message."""
    for part in parts:
        assert part in finding.zh, (part, finding.zh)
        assert part in finding.en, (part, finding.en)


def at(finding: Finding) -> tuple[str, str | None, str | None]:
    return finding.section, finding.row, finding.column


def set_cell(data: Data, row: str, index: int, value: Any) -> None:
    data["applications"]["rows"][row][index] = value


def test_the_busy_ledger_is_clean(busy_data: Data) -> None:
    assert findings(busy_data) == []


# --------------------------------------------------------------------------- 表三


def test_app_balance_fires(busy_data: Data) -> None:
    def edit(d: Data) -> None:
        set_cell(d, "carried_forward", 0, 2)  # 自然人: 5 + 1 = 6 but 5 + 2 = 7
        set_cell(d, "carried_forward", 6, 2)

    found = findings(busy_data, edit)
    balance = of(found, "APP-BALANCE")
    assert [at(f) for f in balance] == [
        ("applications", None, "natural_person"),
        ("applications", None, "total"),
    ]
    assert {f.rule for f in found} == {"APP-BALANCE"}
    first = balance[0]
    assert first.severity == ERROR and first.file == "report.yaml"
    says(first, "5", "1", "= 6", "2", "= 7")
    assert "natural_person" in first.en and "自然人" in first.zh
    assert cells_of(first) == [
        ("applications", "new", "natural_person"),
        ("applications", "carried_over", "natural_person"),
        ("applications", "total", "natural_person"),
        ("applications", "carried_forward", "natural_person"),
    ]


def test_app_balance_quiet_when_both_sides_grow(busy_data: Data) -> None:
    def edit(d: Data) -> None:
        for index in (0, 6):  # 3 more new applications, all still being processed
            set_cell(d, "new", index, d["applications"]["rows"]["new"][index] + 3)
            set_cell(
                d, "carried_forward", index, d["applications"]["rows"]["carried_forward"][index] + 3
            )

    assert findings(busy_data, edit) == []


def test_app_total_row_fires(busy_data: Data) -> None:
    def edit(d: Data) -> None:
        set_cell(d, "granted", 0, 4)  # outcomes of 自然人 now add up to 6, total row says 5
        set_cell(d, "granted", 6, 5)

    found = findings(busy_data, edit)
    assert {f.rule for f in found} == {"APP-TOTAL-ROW"}
    natural, total = found
    assert at(natural) == ("applications", "total", "natural_person")
    assert natural.severity == ERROR
    says(natural, "5", "6")
    assert at(total) == ("applications", "total", "total")
    says(total, "8", "9")


def test_app_total_row_quiet_when_the_total_row_is_derived(busy_data: Data) -> None:
    def edit(d: Data) -> None:
        del d["applications"]["rows"]["total"]

    assert findings(busy_data, edit) == []


def test_app_total_col_fires(busy_data: Data) -> None:
    found = findings(busy_data, lambda d: set_cell(d, "new", 6, 9))
    finding = one(found, "APP-TOTAL-COL")
    assert at(finding) == ("applications", "new", "total")
    says(finding, "9", "5 + 2 + 0 + 0 + 1 + 0 = 8")
    assert [at(f) for f in of(found, "APP-BALANCE")] == [("applications", None, "total")]


def test_app_total_col_quiet_when_the_total_column_is_left_out(busy_data: Data) -> None:
    def edit(d: Data) -> None:
        d["applications"]["rows"] = {k: v[:6] for k, v in d["applications"]["rows"].items()}

    assert findings(busy_data, edit) == []


# --------------------------------------------------------------------------- 表四


def test_review_total_fires() -> None:
    data = {"agency": "x", "agency_id": "x", "year": 2021, "processing_fees": {}}
    data["review_litigation"] = {
        "review": [1, 0, 0, 1, 3],
        "litigation_after_review": [0, 2, 0, 0, 1],
    }
    found = of(findings(data), "REVIEW-TOTAL")
    assert [at(f) for f in found] == [
        ("review_litigation", "review", "total"),
        ("review_litigation", "litigation_after_review", "total"),
    ]
    says(found[0], "3", "1 + 0 + 0 + 1 = 2")
    says(found[1], "1", "0 + 2 + 0 + 0 = 2")
    assert "行政复议" in found[0].zh and "复议后起诉" in found[1].zh


def test_review_total_quiet(seed_data: Data) -> None:
    def edit(d: Data) -> None:
        d["review_litigation"].update(review=[1, 0, 0, 1, 2], litigation_direct=[0, 1, 1, 0])

    assert findings(seed_data, edit) == []


# --------------------------------------------------------------------------- cells (C07, C08)


def test_cell_blank_fires_and_counts_zero(seed_data: Data) -> None:
    def edit(d: Data) -> None:
        set_cell(d, "new", 0, "/")
        d["active"]["punishment"] = "—"

    found = of(findings(seed_data, edit), "CELL-BLANK")
    assert [at(f) for f in found] == [
        ("active", "punishment", None),
        ("applications", "new", "natural_person"),
    ]
    assert all(f.severity == WARNING for f in found)


def test_cell_blank_quiet(seed_data: Data) -> None:
    assert of(findings(seed_data), "CELL-BLANK") == []


def test_negative_fires(seed_data: Data) -> None:
    def edit(d: Data) -> None:
        d["review_litigation"]["review"] = [-1, 0, 0, 1, 0]
        d["active"]["coercion"] = -4

    found = of(findings(seed_data, edit), "NEGATIVE")
    assert [at(f) for f in found] == [
        ("active", "coercion", None),
        ("review_litigation", "review", "maintained"),
    ]
    says(found[0], "-4")
    says(found[1], "-1")
    assert all(f.severity == ERROR for f in found)


def test_negative_quiet(seed_data: Data) -> None:
    assert of(findings(seed_data), "NEGATIVE") == []


def test_not_integer_fires(seed_data: Data) -> None:
    def edit(d: Data) -> None:
        d["active"]["licensing"] = Decimal("10727.5")
        d["active"]["rules"]["issued"] = 1.25

    found = of(findings(seed_data, edit), "NOT-INTEGER")
    assert [at(f) for f in found] == [("active", "rules", "issued"), ("active", "licensing", None)]
    says(found[0], "1.25")
    says(found[1], "10727.5")


def test_not_integer_quiet_for_whole_decimals_and_the_fee(seed_data: Data) -> None:
    seed_data["active"]["licensing"] = Decimal("10727.0")
    report = parse(seed_data)
    assert report.active.get("licensing") == 10727
    assert check(report) == []  # fees_10k_yuan 24457.4 is a decimal by right


@pytest.mark.parametrize("value", ["251000元", "2.5 万元"])
def test_fee_unit_fires_on_unit_text(seed_data: Data, value: str) -> None:
    found = findings(seed_data, lambda d: d["active"].__setitem__("fees_10k_yuan", value))
    finding = one(found, "FEE-UNIT")
    assert at(finding) == ("active", "fees_10k_yuan", None)
    assert finding.severity == ERROR
    says(finding, value, "万元")


def test_fee_unit_fires_on_an_implausible_amount(seed_data: Data) -> None:
    found = findings(seed_data, lambda d: d["active"].__setitem__("fees_10k_yuan", 251000000))
    finding = one(found, "FEE-UNIT")
    assert at(finding) == ("active", "fees_10k_yuan", None)
    assert "251000000 万元" in finding.zh and "1 万亿元" in finding.zh
    assert "251000000" in finding.en and "1 trillion" in finding.en


def test_fee_unit_names_yuan_for_processing_fees(seed_data: Data) -> None:
    found = findings(
        seed_data, lambda d: d["processing_fees"].__setitem__("collected_yuan", "100元")
    )
    finding = one(found, "FEE-UNIT")
    assert at(finding) == ("processing_fees", "collected_yuan", None)
    assert "万元" not in finding.zh and "以元填写" in finding.zh


@pytest.mark.parametrize("value", [Decimal("24457.4"), 100_000_000, 0])
def test_fee_unit_quiet(seed_data: Data, value: Any) -> None:
    assert findings(seed_data, lambda d: d["active"].__setitem__("fees_10k_yuan", value)) == []


# --------------------------------------------------------------------------- dates (C10, C15)


def test_old_format_fires(seed_data: Data) -> None:
    finding = one(findings(seed_data, lambda d: d.__setitem__("year", 2020)), "OLD-FORMAT")
    assert at(finding) == ("year", None, None) and finding.severity == WARNING
    says(finding, "2020")


def test_old_format_quiet(seed_data: Data) -> None:
    assert of(findings(seed_data), "OLD-FORMAT") == []


@pytest.mark.parametrize(
    ("kind", "published", "deadline"),
    [
        ("department", dt.date(2022, 2, 1), "2022-01-31"),
        ("government", dt.date(2022, 4, 1), "2022-03-31"),
        ("department", dt.date(2021, 12, 31), None),  # before the year ended
    ],
)
def test_published_fires(
    seed_data: Data, kind: str, published: dt.date, deadline: str | None
) -> None:
    seed_data.update(kind=kind, published=published)
    finding = one(findings(seed_data), "PUBLISHED")
    assert at(finding) == ("published", None, None)
    says(finding, published.isoformat(), *([deadline] if deadline else []))


@pytest.mark.parametrize(
    ("kind", "published"),
    [
        ("department", dt.date(2022, 1, 31)),
        ("government", dt.date(2022, 3, 31)),
        ("department", None),
    ],
)
def test_published_quiet(seed_data: Data, kind: str, published: dt.date | None) -> None:
    seed_data.update(kind=kind, published=published)
    assert findings(seed_data) == []


# --------------------------------------------------------------------------- narrative (C12, C13)


@pytest.mark.parametrize(("text", "length"), [("无", 1), ("问题较少。", 5)])
def test_problems_empty_fires(seed_data: Data, text: str, length: int) -> None:
    seed_data["narrative"]["problems"] = text
    finding = one(findings(seed_data), "PROBLEMS-EMPTY")
    assert at(finding) == ("narrative", "problems", None) and finding.severity == WARNING
    assert f"（{length} 字）" in finding.zh and f"({length} characters)" in finding.en


def test_problems_empty_quiet(seed_data: Data) -> None:
    seed_data["narrative"]["problems"] = "信息发布及时性不足，已建立周审核制度。"
    assert findings(seed_data) == []


def test_narrative_empty_fires(seed_data: Data) -> None:
    seed_data["narrative"]["overview"] = {"intro": "  ", "active": "（待填写）"}
    finding = one(findings(seed_data), "NARRATIVE-EMPTY")
    assert at(finding) == ("narrative", "overview", None) and finding.severity == ERROR
    assert "一、总体情况" in finding.zh


@pytest.mark.parametrize("key", ["problems", "other"])
@pytest.mark.parametrize("text", ["", "  ", "（待填写）", "（待更新）上年的文字。"])
def test_problems_and_other_empty_are_errors(seed_data: Data, key: str, text: str) -> None:
    """五 and 六 empty or unfilled cannot be published final (PROBLEMS-EMPTY is the warning
    for a 五 that says too little, not for one that says nothing)."""
    seed_data["narrative"][key] = text
    found = findings(seed_data)
    finding = one(found, "NARRATIVE-EMPTY")
    assert at(finding) == ("narrative", key, None) and finding.severity == ERROR
    heading = "五、存在的主要问题及改进情况" if key == "problems" else "六、其他需要报告的事项"
    assert heading in finding.zh and of(found, "PROBLEMS-EMPTY") == []


def test_narrative_empty_quiet_with_only_an_intro(seed_data: Data) -> None:
    seed_data["narrative"]["overview"] = "本年度全面推进政务公开。"
    assert findings(seed_data) == []


def test_fees_statement_fires_when_nothing_is_said(seed_data: Data) -> None:
    del seed_data["processing_fees"]
    finding = one(findings(seed_data), "FEES-STATEMENT")
    assert at(finding) == ("processing_fees", None, None) and finding.severity == WARNING
    assert "信息处理费" in finding.zh


def test_fees_statement_quiet_when_section_six_says_it(seed_data: Data) -> None:
    del seed_data["processing_fees"]
    seed_data["narrative"]["other"] = "本年度未收取信息处理费。"
    assert findings(seed_data) == []


def test_fees_statement_fires_on_unpaid_fees_without_notices(busy_data: Data) -> None:
    rows = busy_data["applications"]["rows"]
    rows["other_no_fee"], rows["other_other"] = rows["other_other"], [0] * 7
    finding = one(findings(busy_data), "FEES-STATEMENT")
    assert at(finding) == ("processing_fees", "notices", None)
    says(finding, "1", "0")
    assert "有 1 件申请" in finding.zh and "只报告了 0 件" in finding.zh


def test_fees_statement_quiet_when_notices_were_sent(busy_data: Data) -> None:
    rows = busy_data["applications"]["rows"]
    rows["other_no_fee"], rows["other_other"] = rows["other_other"], [0] * 7
    busy_data["processing_fees"].update(notices=1, notice_amount_yuan=150, collected_yuan=0)
    assert findings(busy_data) == []


def test_fees_statement_fires_when_more_is_collected_than_noticed(seed_data: Data) -> None:
    seed_data["processing_fees"] = {"notices": 1, "notice_amount_yuan": 150, "collected_yuan": 200}
    finding = one(findings(seed_data), "FEES-STATEMENT")
    assert at(finding) == ("processing_fees", "collected_yuan", None)
    says(finding, "200", "150")


# --------------------------------------------------------------------------- against last year


@pytest.fixture
def with_previous(tmp_path: Path, busy_data: Data) -> Callable[..., Report]:
    """``with_previous(edit_last, edit_this)``: write 2020 and 2021 files, load 2021."""

    def make(
        edit_last: Callable[[Data], object] | None = None,
        edit_this: Callable[[Data], object] | None = None,
    ) -> Report:
        last = copy.deepcopy(busy_data)
        last["year"] = 2020
        last["narrative"] = {
            "overview": "上一年度的概述，与今年的文字完全不同。",
            "problems": "去年的问题及整改措施另有说明。",
        }
        this = copy.deepcopy(busy_data)
        this["previous"] = "../2020/r.yaml"
        for data, edit in ((last, edit_last), (this, edit_this)):
            if edit is not None:
                edit(data)
        write_yaml(tmp_path / "2020" / "r.yaml", last)
        return load(write_yaml(tmp_path / "2021" / "r.yaml", this))

    return make


def test_continuity_quiet(with_previous: Callable[..., Report]) -> None:
    report = with_previous()
    assert report.previous is not None
    assert check(report) == []


def test_continuity_fires(with_previous: Callable[..., Report]) -> None:
    def last(d: Data) -> None:  # 2020 carried 2 forward; 2021 says 1 was carried over
        for index in (0, 6):
            d["applications"]["rows"]["carried_forward"][index] = 2
            d["applications"]["rows"]["granted"][index] -= 1

    found = of(check(with_previous(edit_last=last)), "CONTINUITY")
    assert [at(f) for f in found] == [
        ("applications", "carried_over", "natural_person"),
        ("applications", "carried_over", "total"),
    ]
    assert found[0].severity == ERROR
    says(found[0], "1", "2", "2020")
    assert "上年结转 1" in found[0].zh and "结转下年度继续办理为 2" in found[0].zh


def test_continuity_warns_when_previous_is_not_last_year(
    with_previous: Callable[..., Report],
) -> None:
    finding = one(
        check(with_previous(edit_last=lambda d: d.__setitem__("year", 2019))), "CONTINUITY"
    )
    assert at(finding) == ("previous", None, None) and finding.severity == WARNING
    says(finding, "2019", "2020")


def test_active_continuity_fires(with_previous: Callable[..., Report]) -> None:
    def last(d: Data) -> None:
        d["active"]["rules"] = {"issued": 0, "repealed": 0, "in_force": 10}

    def this(d: Data) -> None:
        d["active"]["rules"] = {"issued": 2, "repealed": 1, "in_force": 12}

    finding = one(check(with_previous(last, this)), "ACTIVE-CONTINUITY")
    assert at(finding) == ("active", "rules", "in_force") and finding.severity == WARNING
    says(finding, "12", "10", "2", "1", "= 11")
    assert "规章·现行有效件数" in finding.zh


def test_active_continuity_quiet(with_previous: Callable[..., Report]) -> None:
    def last(d: Data) -> None:
        d["active"]["normative_docs"] = {"issued": 0, "repealed": 0, "in_force": 10}

    def this(d: Data) -> None:
        d["active"]["normative_docs"] = {"issued": 2, "repealed": 1, "in_force": 11}

    assert check(with_previous(last, this)) == []


def test_prose_overlap_fires_on_a_copied_report(
    with_previous: Callable[..., Report], busy_data: Data
) -> None:
    report = with_previous(
        edit_last=lambda d: d.__setitem__("narrative", copy.deepcopy(busy_data["narrative"]))
    )
    finding = one(check(report), "PROSE-OVERLAP")
    assert at(finding) == ("narrative", None, None) and finding.severity == WARNING
    says(finding, "100%", "50%")


def test_prose_overlap_measure() -> None:
    assert prose_overlap("", "abc") == 0.0
    assert prose_overlap("完全相同的一段文字内容", "完全相同的一段文字内容") == 1.0
    assert prose_overlap("今年的文字与去年毫无关系", "上一年度另有一套说法和内容") == 0.0


@pytest.mark.parametrize(
    ("target", "message"),
    [("../2020/missing.yaml", "file not found"), ("r.yaml", "points to this same file")],
)
def test_previous_fires(tmp_path: Path, seed_data: Data, target: str, message: str) -> None:
    seed_data["previous"] = target
    report = load(write_yaml(tmp_path / "2021" / "r.yaml", seed_data))
    finding = one(check(report), "PREVIOUS")
    assert at(finding) == ("previous", None, None) and finding.severity == ERROR
    assert message in finding.en
    assert report.previous is None


def test_previous_quiet(with_previous: Callable[..., Report]) -> None:
    assert of(check(with_previous()), "PREVIOUS") == []


def test_check_continuity_directly(busy_data: Data) -> None:
    now = parse(busy_data)
    last = now.replace(year=2020).with_cell("applications", "carried_forward", "research", 4)
    found = list(check_continuity(now, last))
    assert [(f.rule, at(f)) for f in found if f.rule == "CONTINUITY"] == [
        ("CONTINUITY", ("applications", "carried_over", "research")),
    ]


# --------------------------------------------------------------------------- 本行政区域汇总 (C18)


def test_region_sum_quiet_and_fires(busy_data: Data, seed_data: Data) -> None:
    unit_a = parse(busy_data)
    unit_b = parse(seed_data).with_cell("review_litigation", "review", "pending", 1)
    unit_b = unit_b.with_cell("review_litigation", "review", "total", 1)
    region = unit_a.replace(scope="region", agency_id="shili-xian")
    region = region.with_cell("active", "licensing", None, 10727 * 2)
    region = region.with_cell("active", "fees_10k_yuan", None, Decimal("48914.8"))
    region = region.with_cell("review_litigation", "review", "pending", 1)
    region = region.with_cell("review_litigation", "review", "total", 1)
    assert check_region(region, [unit_a, unit_b]) == []

    wrong = region.with_cell("applications", "granted", "natural_person", 4)
    found = check_region(wrong, [unit_a, unit_b])
    assert len(found) == 1
    finding = found[0]
    assert (finding.rule, finding.severity, at(finding)) == (
        "REGION-SUM",
        WARNING,
        ("applications", "granted", "natural_person"),
    )
    says(finding, "4", "3", "2")  # region says 4, the 2 units add up to 3
    assert "汇总报告为 4" in finding.zh and "2 个单位之和为 3" in finding.zh


# --------------------------------------------------------------------------- shape rules


def test_schema_fires_on_another_version(seed_data: Data) -> None:
    finding = one(
        findings(seed_data, lambda d: d.__setitem__("schema", "govinfo/annual-report@2")), "SCHEMA"
    )
    assert at(finding) == ("schema", None, None) and finding.severity == ERROR
    says(finding, "govinfo/annual-report@2", "govinfo/annual-report@1")


def test_schema_warns_when_missing_and_is_quiet_when_right(seed_data: Data) -> None:
    assert one(findings(seed_data, lambda d: d.pop("schema")), "SCHEMA").severity == WARNING
    assert of(findings(seed_data), "SCHEMA") == []


@pytest.mark.parametrize(
    "value", ["Zezhou-XZSP", "../x", "-x", "a_b", "a\\b", "", "a" * 81, "泽州"]
)
def test_agency_id_fires(seed_data: Data, value: str) -> None:
    finding = one(findings(seed_data, lambda d: d.__setitem__("agency_id", value)), "AGENCY-ID")
    assert at(finding) == ("agency_id", None, None) and finding.severity == ERROR
    says(finding, repr(value))


@pytest.mark.parametrize("value", ["a", "zezhou-xzsp", "2021-x", "a" * 80])
def test_agency_id_quiet(seed_data: Data, value: str) -> None:
    assert findings(seed_data, lambda d: d.__setitem__("agency_id", value)) == []


@pytest.mark.parametrize("value", ["2021", 1999, 2101, True, None, Decimal("2021.5")])
def test_year_fires(seed_data: Data, value: Any) -> None:
    finding = one(findings(seed_data, lambda d: d.__setitem__("year", value)), "YEAR")
    assert at(finding) == ("year", None, None) and finding.severity == ERROR
    says(finding, repr(value))


@pytest.mark.parametrize("value", [2021, 2100])
def test_year_quiet(seed_data: Data, value: int) -> None:
    assert of(findings(seed_data, lambda d: d.__setitem__("year", value)), "YEAR") == []


@pytest.mark.parametrize("value", [None, "", "   "])
def test_required_fires(seed_data: Data, value: Any) -> None:
    finding = one(findings(seed_data, lambda d: d.__setitem__("agency", value)), "REQUIRED")
    assert at(finding) == ("agency", None, None) and finding.severity == ERROR
    assert "agency" in finding.zh and "agency is required" in finding.en


def test_required_quiet(seed_data: Data) -> None:
    assert of(findings(seed_data), "REQUIRED") == []


@pytest.mark.parametrize(("key", "value"), [("kind", "bureau"), ("scope", "city")])
def test_choice_fires(seed_data: Data, key: str, value: str) -> None:
    finding = one(findings(seed_data, lambda d: d.__setitem__(key, value)), "CHOICE")
    assert at(finding) == (key, None, None) and finding.severity == ERROR
    says(finding, repr(value))
    assert ("department / government" if key == "kind" else "agency / region") in finding.zh


def test_choice_quiet(seed_data: Data) -> None:
    seed_data.update(kind="government", scope="region")
    report = parse(seed_data)
    assert (report.kind, report.scope) == ("government", "region")
    assert check(report) == []


@pytest.mark.parametrize("value", ["2022/01/20", "2022年1月20日", 2022])
def test_date_fires(seed_data: Data, value: Any) -> None:
    finding = one(findings(seed_data, lambda d: d.__setitem__("published", value)), "DATE")
    assert at(finding) == ("published", None, None) and finding.severity == ERROR
    says(finding, repr(value), "YYYY-MM-DD")


def test_date_quiet_for_iso_text(seed_data: Data) -> None:  # JSON has no date type
    seed_data["published"] = "2022-01-20"
    report = parse(seed_data)
    assert report.published == dt.date(2022, 1, 20)
    assert check(report) == []


@pytest.mark.parametrize(
    ("edit", "where", "suggestion"),
    [
        (lambda d: d.__setitem__("previus", "x.yaml"), ("report", None, None), "previous"),
        (
            lambda d: d["applications"]["rows"].__setitem__("neww", [0] * 7),
            ("applications", "neww", None),
            "new",
        ),
        (
            lambda d: d["narrative"]["overview"].__setitem__("oversite", "x"),
            ("narrative", "oversite", None),
            "oversight",
        ),
        (
            lambda d: d["active"]["rules"].__setitem__("in_forse", 1),
            ("active", "in_forse", None),
            "in_force",
        ),
        (
            lambda d: d["processing_fees"].__setitem__("notice", 1),
            ("processing_fees", None, None),
            "notices",
        ),
    ],
)
def test_unknown_key_fires_with_did_you_mean(
    seed_data: Data,
    edit: Callable[[Data], object],
    where: tuple[str, str | None, str | None],
    suggestion: str,
) -> None:
    finding = one(findings(seed_data, edit), "UNKNOWN-KEY")
    assert at(finding) == where and finding.severity == ERROR
    assert f"did you mean {suggestion!r}?" in finding.en
    assert f"是否应为 {suggestion}？" in finding.zh


def test_unknown_key_without_a_close_match(seed_data: Data) -> None:
    finding = one(findings(seed_data, lambda d: d.__setitem__("zzz", 1)), "UNKNOWN-KEY")
    assert "unknown key report.zzz" in finding.en and "did you mean" not in finding.en


def test_unknown_key_quiet(seed_data: Data) -> None:
    assert of(findings(seed_data), "UNKNOWN-KEY") == []


@pytest.mark.parametrize(
    ("section", "row", "values", "size"),
    [
        ("applications", "new", [0, 0, 0, 0, 0], 7),
        ("applications", "granted", [0] * 8, 7),
        ("review_litigation", "review", [0, 0, 0], 5),
    ],
)
def test_row_length_fires(
    seed_data: Data, section: str, row: str, values: list[int], size: int
) -> None:
    def edit(d: Data) -> None:
        (d["applications"]["rows"] if section == "applications" else d[section])[row] = values

    finding = one(findings(seed_data, edit), "ROW-LENGTH")
    assert at(finding) == (section, row, None) and finding.severity == ERROR
    says(finding, str(size), str(size - 1), str(len(values)))


def test_row_length_quiet_for_rows_with_or_without_total(seed_data: Data) -> None:
    seed_data["applications"]["rows"]["new"] = [0] * 6
    seed_data["review_litigation"]["review"] = [0] * 4
    assert findings(seed_data) == []


@pytest.mark.parametrize(
    "columns",
    [
        [
            "commercial",
            "natural_person",
            "research",
            "social_welfare",
            "legal_services",
            "other",
            "total",
        ],
        [
            "natural_person",
            "commercial",
            "research",
            "social_welfare",
            "legal_services",
            "other",
            "subtotal",
            "total",
        ],
        5,
        "natural_person",
    ],
)
def test_columns_fires(seed_data: Data, columns: Any) -> None:
    finding = one(
        findings(seed_data, lambda d: d["applications"].__setitem__("columns", columns)), "COLUMNS"
    )
    assert at(finding) == ("applications", None, None) and finding.severity == ERROR
    assert "natural_person" in finding.zh and str(columns) in finding.en


def test_columns_quiet_without_the_total(seed_data: Data) -> None:
    seed_data["applications"]["columns"] = seed_data["applications"]["columns"][:6]
    assert findings(seed_data) == []


@pytest.mark.parametrize("key", ["withheld_subtotal", "不予公开小计"])
def test_extra_subtotal_fires(seed_data: Data, key: str) -> None:
    found = findings(seed_data, lambda d: d["applications"]["rows"].__setitem__(key, [0] * 7))
    finding = one(found, "EXTRA-SUBTOTAL")
    assert at(finding) == ("applications", key, None) and finding.severity == WARNING
    assert key in finding.zh and key in finding.en
    assert of(found, "UNKNOWN-KEY") == []


def test_extra_subtotal_quiet(seed_data: Data) -> None:
    assert of(findings(seed_data), "EXTRA-SUBTOTAL") == []


# --------------------------------------------------------------------------- helpers


def test_cells_of(busy_data: Data) -> None:
    found = findings(busy_data, lambda d: set_cell(d, "new", 6, 9))
    assert [f.severity for f in found] == ["error", "error"]
    col = one(found, "APP-TOTAL-COL")
    assert cells_of(col) == [("applications", "new", "total")]
    assert str(col).startswith("APP-TOTAL-COL error applications/new/total: ")
    assert col.to_dict()["where"] == "applications/new/total"
