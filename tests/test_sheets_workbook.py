"""The collection workbook (issue 17): the official tables laid out exactly, labels locked
and inputs open and validated, totals as formulas, the 校验 area, the hidden template id,
``--from`` carrying, safe text, stable bytes, and, in LibreOffice Calc, the same totals and
the same failing checks as :func:`govinfo.rules.check` for every example agency."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from govinfo import layout as L
from govinfo.model import Report, all_cells, blank_report
from govinfo.params import load
from govinfo.rules import check
from govinfo.sheets import formulas as F
from govinfo.sheets import layout_cells as C
from govinfo.sheets.numbers import value_of
from govinfo.sheets.read import read_workbook
from govinfo.sheets.workbook import write_workbook
from govinfo.sheets.xlsx import UnsafeText

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "parameters/2021/zezhou-xzsp.yaml"
EXAMPLES = sorted((ROOT / "parameters").glob("*/*.yaml"))
HOSTILE = '=HYPERLINK("http://example.invalid/x","点此")'
CHECK_RULES = {"APP-BALANCE", "APP-TOTAL-ROW", "APP-TOTAL-COL", "REVIEW-TOTAL", "CONTINUITY",
               "ACTIVE-CONTINUITY"}  # fmt: skip


def book(report: Report, **kwargs: Any) -> Any:
    return openpyxl.load_workbook(io.BytesIO(write_workbook(report, **kwargs)))


def unbalanced() -> Report:
    """A 2022 example with planted errors: a new application not followed through, a 表四
    total typed wrong, 上年结转 that last year's report does not carry forward."""
    report = load(ROOT / "parameters/2022/shili-zrzyj.yaml")
    report = report.with_cell(L.APPLICATIONS, "new", "natural_person", 30)
    report = report.with_cell(L.REVIEW_LITIGATION, "review", "total", 9)
    return report.with_cell(L.APPLICATIONS, "carried_over", "commercial", 5)


# --------------------------------------------------------------------------- layout


def test_sheets_and_hidden_template() -> None:
    wb = book(load(SEED))
    assert wb.sheetnames == [
        "基本信息",
        "二 主动公开",
        "三 依申请",
        "四 复议诉讼",
        "填表说明",
        "govinfo",
    ]
    assert wb["govinfo"].sheet_state == "hidden"
    assert wb["govinfo"]["B1"].value == "govinfo-workbook@2"  # @2: 行政区划代码
    assert wb["govinfo"]["B2"].value == 2021
    assert wb.defined_names["GOVINFO_TEMPLATE"].attr_text == "govinfo!$B$1"
    assert wb.defined_names["GOVINFO_YEAR"].attr_text == "govinfo!$B$2"
    assert wb.security.lockStructure


def test_no_macros() -> None:
    names = zipfile.ZipFile(io.BytesIO(write_workbook(load(SEED)))).namelist()
    assert not [n for n in names if "vba" in n.lower() or n.endswith(".bin")]
    types = zipfile.ZipFile(io.BytesIO(write_workbook(load(SEED)))).read("[Content_Types].xml")
    assert b"macroEnabled" not in types


def merged(ws: Any) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def test_table_three_as_the_official_one() -> None:
    ws = book(load(SEED))["三 依申请"]
    assert ws["A1"].value == "三、收到和处理政府信息公开申请情况"
    assert ws["A4"].value == L.APPLICATION_NOTE and "A4:C6" in merged(ws)
    assert ws["D4"].value == "申请人情况" and "D4:J4" in merged(ws)
    assert ws["D5"].value == "自然人" and "D5:D6" in merged(ws)
    assert ws["E5"].value == "法人或其他组织" and "E5:I5" in merged(ws)
    assert ws["J5"].value == "总计" and "J5:J6" in merged(ws)
    assert [ws.cell(6, c).value for c in range(5, 10)] == [
        L.COLUMN_BY_KEY[k].label for k in L.ORGANISATION_KEYS
    ]
    assert ws["A9"].value == "三、本年度办理结果" and "A9:A30" in merged(ws)
    assert ws["B11"].value == "（三）不予公开" and "B11:B18" in merged(ws)
    assert ws["B27"].value == "（六）其他处理" and "B27:B29" in merged(ws)
    for row in L.APPLICATION_ROWS:  # every row's own label, character for character
        r = C.APPS_ROW[row.key]
        assert ws.cell(r, len(row.groups) + 1).value == row.label
        if len(row.groups) < 2:
            assert f"{'ABC'[len(row.groups)]}{r}:C{r}" in merged(ws)


def test_tables_two_and_four_as_the_official_ones() -> None:
    wb = book(load(SEED))
    two, four = wb["二 主动公开"], wb["四 复议诉讼"]
    captions = [two.cell(r, 1).value for r in C.ACTIVE_CAPTION_ROWS]
    assert captions == [g.caption for g in L.ACTIVE_GROUPS]
    assert two["B16"].value == "本年收费金额（单位：万元）" and "B16:D16" in merged(two)
    assert two["A17"].value == "行政事业性收费" and "B17:D17" in merged(two)
    assert [two.cell(5, c).value for c in (2, 3, 4)] == [
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
    ]
    assert four["A4"].value == "行政复议" and "A4:E4" in merged(four)
    assert four["F4"].value == "行政诉讼" and "F4:O4" in merged(four)
    assert four["F5"].value == "未经复议直接起诉" and four["K5"].value == "复议后起诉"
    assert [four.cell(5, c).value for c in range(1, 6)] == [o.label for o in L.REVIEW_OUTCOMES]
    assert [four.cell(6, c).value for c in range(6, 16)] == [o.label for o in L.REVIEW_OUTCOMES] * 2


def test_region_code_is_a_text_cell_under_the_region() -> None:
    """320813 as a string cell formatted as text, never a number: a spreadsheet keeps it as
    typed, whatever digits it starts with; six characters asked for when it is selected."""
    ws = book(load(SEED).replace(region_code="320813"))["基本信息"]
    region, code = C.BASIC_PLACES[("region",)], C.BASIC_PLACES[("region_code",)]
    assert (code.sheet, code.row, code.col) == (region.sheet, region.row + 1, region.col)
    assert code.name == "基本信息!B7"
    assert ws.cell(code.row, 1).value == "行政区划代码（选填）"
    cell = ws[code.ref]
    assert (cell.value, cell.data_type, cell.number_format) == ("320813", "s", "@")
    assert not cell.protection.locked
    rule = validations(ws)[code.ref]
    assert (rule.type, rule.operator, rule.formula1) == ("textLength", "equal", "6")
    assert "GB/T 2260" in rule.prompt and rule.errorStyle == "stop"
    # not given: an empty text cell, open to fill in
    empty = book(load(SEED))["基本信息"][code.ref]
    assert empty.value is None and empty.number_format == "@" and not empty.protection.locked


def test_values_written_where_the_map_says() -> None:
    report = load(ROOT / "parameters/2022/shili-zrzyj.yaml")
    wb = book(report)
    for cell in C.INPUT_CELLS:
        place = C.NUMBER_PLACES[cell]
        shown = wb[place.sheet][place.ref].value
        assert Decimal(str(shown)) == value_of(report, cell), cell


# --------------------------------------------------------------------------- protection


def validations(ws: Any) -> dict[str, Any]:
    out = {}
    for rule in ws.data_validations.dataValidation:
        for rng in rule.sqref.ranges:
            for row in ws[rng.coord] if ":" in rng.coord else [[ws[rng.coord]]]:
                for cell in row:
                    out[cell.coordinate] = rule
    return out


def test_inputs_open_and_validated_labels_and_formulas_locked() -> None:
    wb = book(load(SEED))
    for name in ("基本信息", "二 主动公开", "三 依申请", "四 复议诉讼", "填表说明"):
        assert wb[name].protection.sheet, name
    rules = {name: validations(wb[name]) for name in wb.sheetnames}
    for cell in all_cells():
        place = C.NUMBER_PLACES[cell]
        target = wb[place.sheet][place.ref]
        if C.is_total(cell):
            assert target.protection.locked and str(target.value).startswith("=IF(COUNTA(")
            continue
        assert not target.protection.locked, place.name
        rule = rules[place.sheet][place.ref]
        assert (rule.type, rule.operator, rule.formula1) == (
            "decimal" if C.is_decimal(cell) else "whole",
            "greaterThanOrEqual",
            "0",
        ), place.name
    three = wb["三 依申请"]
    assert three["C7"].protection.locked and three["A4"].protection.locked
    assert wb["二 主动公开"]["B17"].number_format == "General"
    assert rules["二 主动公开"]["B17"].type == "decimal"  # the fee, in 万元


def test_totals_are_formulas_and_checks_are_written() -> None:
    wb = book(load(SEED))
    three = wb["三 依申请"]
    assert three["J7"].value == '=IF(COUNTA(D7:I7)<6,"",SUM(D7:I7))'
    assert three["D30"].value == '=IF(COUNTA(D9:D29)<21,"",SUM(D9:D29))'
    assert three["J30"].value == '=IF(COUNTA(D9:I29)<126,"",SUM(D30:I30))'
    assert wb["四 复议诉讼"]["E7"].value == '=IF(COUNTA(A7:D7)<4,"",SUM(A7:D7))'
    for check_ in F.all_checks(None):
        assert wb[check_.place.sheet][check_.place.ref].value == check_.formula
    assert three["D34"].value.startswith('=IF(OR(D7="",D8="",D30="",D31=""),"未填完"')


def test_a_total_that_disagrees_is_kept_as_given() -> None:
    report = unbalanced()
    wb = book(report)
    assert wb["三 依申请"]["J7"].value == 31  # the file's 31, though the row adds up to 37
    assert wb["四 复议诉讼"]["E7"].value == 9
    assert str(wb["三 依申请"]["J9"].value).startswith("=")  # the others stay formulas


def test_missing_cells_stay_empty_and_marks_stay_text(load_copy: Any, seed_data: Any) -> None:
    def edit(data: Any) -> None:
        data["applications"]["rows"]["new"][0] = None
        data["applications"]["rows"]["granted"][1] = "/"
        data["active"]["licensing"] = "unread"

    wb = book(load_copy(seed_data, edit))
    assert wb["三 依申请"]["D7"].value is None
    assert wb["三 依申请"]["E9"].value == "/" and wb["三 依申请"]["E9"].data_type == "s"
    assert wb["二 主动公开"]["B10"].value == "unread"


# --------------------------------------------------------------------------- --from, text, bytes


def test_from_last_year_carries_like_new_from() -> None:
    last = load(ROOT / "parameters/2021/shili-zrzyj.yaml")
    skeleton = blank_report("示例县自然资源局", "shili-zrzyj", 2022, region=last.region)
    wb = book(skeleton, previous=last)
    three, two = wb["三 依申请"], wb["二 主动公开"]
    for column in L.APPLICATION_COLUMN_KEYS:
        place = C.NUMBER_PLACES[(L.APPLICATIONS, "carried_over", column)]
        if column != L.TOTAL:
            assert three[place.ref].value == last.applications.cell("carried_forward", column)
    for column in L.APPLICANT_KEYS:
        assert three[C.NUMBER_PLACES[(L.APPLICATIONS, "new", column)].ref].value is None
    for item in L.ACTIVE_DOC_ITEMS:
        place = C.NUMBER_PLACES[(L.ACTIVE, item, "in_force")]
        assert two[place.ref].value == last.active.get(item, "in_force")
        assert two[C.NUMBER_PLACES[(L.ACTIVE, item, "issued")].ref].value is None
    continuity = [c for c in F.all_checks(last) if c.rule == "CONTINUITY"]
    assert len(continuity) == 7 and three[continuity[0].place.ref].value == continuity[0].formula
    assert [c.rule for c in F.active_checks(last)] == ["ACTIVE-CONTINUITY"] * 2


def test_agency_named_like_a_formula_stays_text() -> None:
    report = load(SEED).replace(agency=HOSTILE, region="+86 @地区")
    data = write_workbook(report)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cell = wb["基本信息"]["B3"]
    assert cell.value == HOSTILE and cell.data_type == "s" and cell.quotePrefix
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>HYPERLINK" not in sheet and "HYPERLINK" in sheet  # text, not a formula
    back = read_workbook(data, name="x.xlsx").report
    assert (back.agency, back.region) == (HOSTILE, "+86 @地区")


def test_control_characters_are_refused() -> None:
    with pytest.raises(UnsafeText, match=r"agency.*\\x1b"):
        write_workbook(load(SEED).replace(agency="示例\x1b[2J局"))


def test_same_report_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    report = load(SEED)
    first = write_workbook(report)

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return dt.datetime(2031, 5, 6, 7, 8, 9, tzinfo=tz)

    import openpyxl.packaging.core as core
    import openpyxl.writer.excel as excel

    monkeypatch.setattr(excel.datetime, "datetime", Later)
    monkeypatch.setattr(core.datetime, "datetime", Later)
    assert write_workbook(report) == first


def test_write_to_a_path(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "x.xlsx"
    data = write_workbook(load(SEED), out)
    assert out.read_bytes() == data


# --------------------------------------------------------------------------- LibreOffice


def soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is not installed: .ci/setup installs it")
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recalculate(files: list[Path], out: Path, profile: Path) -> dict[str, Any]:
    """Every file through LibreOffice Calc in one call (xlsx → xlsx, recalculated on load);
    the results opened with the values Calc computed."""
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, "utf-8")
    subprocess.run(
        [soffice(), "--headless", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return {f.stem: openpyxl.load_workbook(out / f.name, data_only=True) for f in files}


@pytest.fixture(scope="module")
def calc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Report, Any, Path]]:
    """name → (report, workbook as Calc recalculated it, the recalculated file)."""
    folder = tmp_path_factory.mktemp("calc")
    reports = {f"{p.parent.name}-{p.stem}": load(p) for p in EXAMPLES}
    reports["unbalanced"] = unbalanced()
    reports["hostile"] = load(SEED).replace(agency=HOSTILE)
    reports["coded"] = load(SEED).replace(region_code="320813")
    files = []
    for name, report in reports.items():
        files.append(folder / f"{name}.xlsx")
        write_workbook(report, files[-1])
    books = recalculate(files, folder / "out", folder / "profile")
    return {name: (r, books[name], folder / "out" / f"{name}.xlsx") for name, r in reports.items()}


def difference(report: Report, rule: str, where: Any) -> int:
    """Left side minus right side of the identity a check cell shows, from the report."""
    _, row, column = where
    apps, review, prev = report.applications, report.review_litigation, report.previous
    if rule == "APP-BALANCE":
        left = apps.cell("new", column) + apps.cell("carried_over", column)
        return left - apps.cell(L.TOTAL, column) - apps.cell("carried_forward", column)
    if rule == "APP-TOTAL-ROW":
        return apps.cell(L.TOTAL, column) - sum(apps.cell(k, column) for k in L.OUTCOME_KEYS)
    if rule == "APP-TOTAL-COL":
        return apps.rows[row][-1] - sum(apps.rows[row][:-1])
    if rule == "REVIEW-TOTAL":
        return review.groups[row][-1] - sum(review.groups[row][:-1])
    assert prev is not None
    if rule == "CONTINUITY":
        return apps.cell("carried_over", column) - prev.applications.cell("carried_forward", column)
    get = report.active.get
    before = prev.active.get(row, "in_force")
    return int(get(row, "in_force") - (before + get(row, "issued") - get(row, "repealed")))


def parse_check(text: Any) -> tuple[str, int | None]:
    """('pass' | 'unfilled' | 'fail', difference)."""
    if text == F.PASS:
        return "pass", None
    if text == F.UNFILLED:
        return "unfilled", None
    match = re.fullmatch(rf"({F.FAIL}|{F.DIFFERENT}|{F.REVIEW_ME})：差(-?\d+)", str(text))
    assert match, text
    return "fail", int(match.group(2))


@pytest.mark.office
def test_calc_totals_equal_the_library(calc: dict[str, tuple[Report, Any, Path]]) -> None:
    assert len(calc) == len(EXAMPLES) + 3
    for name, (report, wb, _) in calc.items():
        for cell in C.TOTAL_CELLS:
            place = C.NUMBER_PLACES[cell]
            assert wb[place.sheet][place.ref].value == value_of(report, cell), (name, cell)


@pytest.mark.office
def test_calc_checks_fail_exactly_where_the_rules_do(
    calc: dict[str, tuple[Report, Any, Path]],
) -> None:
    failing_total = 0
    for name, (report, wb, _) in calc.items():
        found = {
            (f.rule, f.section, f.row, f.column) for f in check(report) if f.rule in CHECK_RULES
        }
        shown = set()
        for check_ in F.all_checks(report.previous):
            state, diff = parse_check(wb[check_.place.sheet][check_.place.ref].value)
            assert state != "unfilled", (name, check_.place.name)
            if state == "fail":
                shown.add((check_.rule, *check_.where))
                assert diff == difference(report, check_.rule, check_.where), check_
        assert shown == found, name
        failing_total += len(shown)
    assert failing_total == 6  # all in the unbalanced copy; every example passes every check
    _, wb, _ = calc["unbalanced"]
    three = wb["三 依申请"]
    assert three["D34"].value == "不平衡：差6"  # 30 + 2 − (23 + 3)
    assert three["E36"].value == "不一致：差5"  # 上年结转 5, last year carried forward 0
    assert three["K7"].value == "不平衡：差-6"  # 总计 31 − (30 + 4 + 1 + 0 + 2 + 0)
    assert wb["四 复议诉讼"]["A10"].value == "不平衡：差5"
    assert three["G2"].value == "有5项勾稽关系不平衡，见下方校验区"
    assert calc["2022-shili-zrzyj"][1]["三 依申请"]["G2"].value == "已填完，校验通过"


@pytest.mark.office
def test_calc_keeps_a_formula_like_name_as_text(calc: dict[str, tuple[Report, Any, Path]]) -> None:
    _, wb, _ = calc["hostile"]
    assert wb["基本信息"]["B3"].value == HOSTILE
    assert wb["三 依申请"]["A2"].value.startswith(f"填报单位：{HOSTILE}")


@pytest.mark.office
def test_calc_keeps_the_region_code_as_text(calc: dict[str, tuple[Report, Any, Path]]) -> None:
    _, wb, path = calc["coded"]
    cell = wb["基本信息"][C.BASIC_PLACES[("region_code",)].ref]
    assert (cell.value, cell.data_type) == ("320813", "s")  # saved again by Calc: still text
    assert read_workbook(path).report.region_code == "320813"


@pytest.mark.office
def test_recalculated_workbooks_read_back_unchanged(
    calc: dict[str, tuple[Report, Any, Path]],
) -> None:
    """Calc's cached values agree with the inputs: nothing to report, the same reports."""
    overwritten = {"三 依申请!J7", "三 依申请!J8", "四 复议诉讼!E7"}  # totals kept as given
    for name, (report, _, path) in calc.items():
        result = read_workbook(path)
        places = {f.zh.split("（")[0] for f in result.findings}
        assert places == (overwritten if name == "unbalanced" else set()), name
        assert {f.rule for f in result.findings} <= {"SHEET-FORMULA"}
        back = result.report
        assert back.replace(source=None) == report.replace(source=None, load_findings=()), name
