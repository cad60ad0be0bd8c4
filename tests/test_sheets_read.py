"""Reading filled collection workbooks back (issue 17): a department's workbook gives the
same report as the YAML file, for every example; numbers typed as text, blanks, ``/``,
overwritten formulas, formulas typed into inputs, cached totals that disagree; and the
refusals: another template or year, .xls/.et, password, damaged, too large."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from govinfo import layout as L
from govinfo.findings import ParameterError
from govinfo.model import MISSING, UNREAD_MARKER, Report, blank_report
from govinfo.params import load, parse
from govinfo.rules import check
from govinfo.sheets import layout_cells as C
from govinfo.sheets.basic import field_text
from govinfo.sheets.numbers import value_of
from govinfo.sheets.read import WorkbookImport, read_workbook
from govinfo.sheets.unpack import CFB_MAGIC, ENCRYPTED
from govinfo.sheets.workbook import write_workbook

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "parameters/2021/zezhou-xzsp.yaml"
EXAMPLES = sorted((ROOT / "parameters").glob("*/*.yaml"))


def saved(wb: Any) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def department_fills(report: Report) -> bytes:
    """What a department does: gets the workbook of an empty report for its agency and
    year, types every number and text of ``report`` into it, saves it."""
    skeleton = blank_report(
        report.agency, report.agency_id, report.year, region=report.region, kind=report.kind,
        scope=report.scope, previous_path=report.previous_path,
    )  # fmt: skip
    wb = openpyxl.load_workbook(io.BytesIO(write_workbook(skeleton)))
    for cell in C.INPUT_CELLS:
        place = C.NUMBER_PLACES[cell]
        mark = report.mark(*cell)
        value = value_of(report, cell) if mark is None else (mark.text or None)
        wb[place.sheet][place.ref].value = value
    for path, place in C.BASIC_PLACES.items():
        if path[0] == "published":
            wb[place.sheet][place.ref].value = report.published
        elif C.BASIC_KINDS[path] in ("text", "choice", "long"):
            wb[place.sheet][place.ref].value = field_text(report, path) or None
    return saved(wb)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_round_trip_every_example(path: Path) -> None:
    original = load(path, follow_previous=False)
    result = read_workbook(department_fills(original), name="filled.xlsx")
    assert result.findings == ()
    assert result.report == original.replace(source=None)
    again = parse(yaml.safe_load(result.text()))  # the parameter file it writes
    assert again == original.replace(source=None)


def seed_workbook() -> Any:
    return openpyxl.load_workbook(io.BytesIO(department_fills(load(SEED))))


def by_place(result: WorkbookImport) -> dict[str, str]:
    out = {}
    for f in result.findings:
        match = re.match(r"([^!（]+![A-Z]+\d+)", f.zh)
        assert match, f.zh  # every finding names its sheet and cell
        out[match.group(1)] = f.rule
    return out


def test_a_department_typed_it_messily() -> None:
    wb = seed_workbook()
    three, two = wb["三 依申请"], wb["二 主动公开"]
    three["D7"], three["E7"], three["F7"] = "１２", "3件", " 7 "
    three["G7"], three["H7"], three["I7"] = "/", "   ", "abc"
    three["J8"] = 99  # a total typed over its formula
    three["D9"] = "=5+7"  # a formula never calculated
    three["E9"] = "='[other.xlsx]Sheet1'!A1"
    two["B17"], two["B10"], two["B13"] = "455.2万元", "010727", 1.5
    result = read_workbook(saved(wb), name="dept.xlsx")
    rows = result.mapping["applications"]["rows"]
    assert rows["new"] == [12, 3, 7, "/", None, UNREAD_MARKER, None]  # total: parts missing
    assert rows["carried_over"][-1] == 99
    assert rows["granted"][:2] == [UNREAD_MARKER, UNREAD_MARKER]
    assert result.mapping["active"]["licensing"] == "010727"
    assert result.mapping["active"]["punishment"] == Decimal("1.5")
    assert by_place(result) == {
        "三 依申请!D7": "SHEET-TEXT-NUMBER",
        "三 依申请!E7": "SHEET-TEXT-NUMBER",
        "三 依申请!F7": "SHEET-TEXT-NUMBER",
        "三 依申请!I7": "SHEET-NOT-A-NUMBER",
        "三 依申请!J8": "SHEET-FORMULA",
        "三 依申请!D9": "SHEET-INPUT-FORMULA",
        "三 依申请!E9": "SHEET-EXTERNAL",
    }
    text = next(f for f in result.findings if f.rule == "SHEET-TEXT-NUMBER")
    assert "“１２”" in text.zh and "按 12 读取" in text.zh and text.row == "new"
    report = result.report
    assert report.mark(L.APPLICATIONS, "new", "legal_services") == MISSING
    assert report.mark(L.APPLICATIONS, "new", "social_welfare").state == "blank"
    rules = {f.rule for f in check(report)}
    assert {"CELL-BLANK", "MISSING", "UNREAD", "FEE-UNIT", "NUMBER-FORMAT", "NOT-INTEGER",
            "APP-TOTAL-COL"} <= rules  # fmt: skip


def test_empty_cells_are_not_filled_in_never_zero() -> None:
    skeleton = blank_report("示例县教育局", "shili-jyj", 2022)
    result = read_workbook(write_workbook(skeleton), name="empty.xlsx")
    assert result.findings == ()
    assert result.mapping["applications"]["rows"]["new"] == [None] * 7
    assert result.mapping["processing_fees"] == dict.fromkeys(L.PROCESSING_FEE_KEYS)
    report = result.report
    assert report.incomplete and all(m.state == "missing" for m in report.marks.values())
    assert "MISSING" in {f.rule for f in check(report)}


def with_cached(data: bytes, sheet_xml: str, ref: str, value: int) -> bytes:
    """The package with a cached value for the formula in ``ref``, as a spreadsheet that
    calculated it would have saved it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == sheet_xml:
                pattern = rf'(<c r="{ref}"[^>]*><f>[^<]*</f>)(<v\s*/>|<v></v>)'
                text, n = re.subn(pattern, rf"\g<1><v>{value}</v>", payload.decode())
                assert n == 1
                payload = text.encode()
            target.writestr(info, payload)
    return out.getvalue()


def test_a_cached_total_that_disagrees_is_kept_and_reported() -> None:
    report = load(ROOT / "parameters/2022/shili-zrzyj.yaml", follow_previous=False)
    data = department_fills(report)
    sheet = f"xl/worksheets/sheet{1 + list(C.TABLE_SHEETS.values()).index(C.APPS_SHEET) + 1}.xml"
    stale = read_workbook(with_cached(data, sheet, "J7", 30), name="stale.xlsx")
    assert stale.mapping["applications"]["rows"]["new"][-1] == 30  # as the spreadsheet showed
    [finding] = stale.findings
    assert finding.rule == "SHEET-CACHED" and finding.is_error
    assert "三 依申请!J7" in finding.zh and "30" in finding.zh and "31" in finding.zh
    assert "APP-TOTAL-COL" in {f.rule for f in check(stale.report)}
    fresh = read_workbook(with_cached(data, sheet, "J7", 31), name="fresh.xlsx")
    assert fresh.findings == () and fresh.report == report.replace(source=None)


# --------------------------------------------------------------------------- refusals


def refused(data: bytes, name: str = "x.xlsx", **kwargs: Any) -> str:
    with pytest.raises(ParameterError) as info:
        read_workbook(data, name=name, **kwargs)
    return str(info.value)


def test_another_template_is_refused_naming_the_cell() -> None:
    wb = seed_workbook()
    wb["govinfo"]["B1"] = "govinfo-workbook@0"
    message = refused(saved(wb))
    assert "govinfo!B1" in message and "govinfo-workbook@0" in message


def test_another_year_is_refused_naming_the_cell() -> None:
    data = department_fills(load(SEED))
    message = refused(data, year=2022)
    assert "govinfo!B2" in message and "2021" in message and "2022" in message
    assert read_workbook(data, name="x.xlsx", year=2021).mapping["year"] == 2021
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb["基本信息"]["B5"] = 2022  # the locked year typed over after unprotecting the sheet
    assert "基本信息!B5" in refused(saved(wb))


def test_a_workbook_that_is_not_ours_is_refused() -> None:
    assert "no sheet 'govinfo'" in refused(saved(openpyxl.Workbook()))
    wb = seed_workbook()
    del wb["三 依申请"]
    assert "三 依申请" in refused(saved(wb))


def test_old_and_foreign_formats_are_named() -> None:
    cfb = CFB_MAGIC + bytes(4096)
    assert ".xls" in refused(cfb, "report.xls")
    assert "WPS .et" in refused(cfb, "report.et")
    assert "password" in refused(cfb + ENCRYPTED + bytes(64), "report.xlsx")
    assert "not an .xlsx" in refused(b"<html>report</html>")
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    assert ".ods" in refused(ods.getvalue(), "report.ods")


def test_damaged_workbooks_are_refused() -> None:
    data = department_fills(load(SEED))
    assert "damaged" in refused(data[: len(data) // 2])
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("xl/workbook.xml", "<not-xml")
        z.writestr("[Content_Types].xml", "<also not")
    assert "cannot be read" in refused(broken.getvalue())


def test_too_large_is_refused_before_parsing() -> None:
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(1, 1_000_001))
    big = io.BytesIO()
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as z:  # a sheet of a million rows
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr(
            "xl/worksheets/sheet1.xml", f"<worksheet><sheetData>{rows}</sheetData></worksheet>"
        )
    assert len(big.getvalue()) < 20 * 1024 * 1024
    assert "too large" in refused(big.getvalue())
    assert "file too large" in refused(b"PK\x03\x04" + bytes(21 * 1024 * 1024))


def test_a_missing_file_a_pipe_or_a_huge_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="cannot read"):
        read_workbook(tmp_path / "nothing.xlsx")
    os.mkfifo(tmp_path / "pipe.xlsx")
    with pytest.raises(ParameterError, match="not a regular file"):
        read_workbook(tmp_path / "pipe.xlsx")  # never opened: it would wait for a writer
    huge = tmp_path / "huge.xlsx"
    with huge.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(100 * 1024 * 1024)  # 100 MB, sparse
    with pytest.raises(ParameterError, match="file too large"):
        read_workbook(huge)


def test_published_date_and_choices_read_back() -> None:
    report = load(ROOT / "parameters/2022/shili-zrzyj.yaml", follow_previous=False)
    wb = openpyxl.load_workbook(io.BytesIO(department_fills(report)))
    result = read_workbook(saved(wb), name="x.xlsx")
    assert result.mapping["published"] == "2023-01-20"
    assert (result.mapping["kind"], result.mapping["scope"]) == ("department", "agency")
    wb["基本信息"][C.BASIC_PLACES[("published",)].ref] = dt.datetime(2023, 1, 21)
    wb["基本信息"][C.BASIC_PLACES[("kind",)].ref] = "人民政府"
    changed = read_workbook(saved(wb), name="x.xlsx").report
    assert (changed.published, changed.kind) == (dt.date(2023, 1, 21), "government")


# --------------------------------------------------------------------------- 行政区划代码

CODE = C.BASIC_PLACES[("region_code",)]


def with_code(value: Any, report: Report | None = None) -> bytes:
    """The seed's filled workbook with ``value`` typed into 行政区划代码."""
    wb = openpyxl.load_workbook(io.BytesIO(department_fills(report or load(SEED))))
    wb[CODE.sheet][CODE.ref] = value
    return saved(wb)


def test_region_code_round_trip() -> None:
    """A parameter file's code → the workbook → back: the same report, the code as text."""
    report = load(SEED, follow_previous=False).replace(region_code="320813")
    result = read_workbook(write_workbook(report), name="coded.xlsx")
    assert result.findings == () and result.mapping["region_code"] == "320813"
    assert result.report.region_code == "320813"
    assert "region_code: '320813'" in result.text().splitlines()  # quoted: text in the file
    assert parse(yaml.safe_load(result.text())) == report.replace(source=None)


@pytest.mark.parametrize("typed", ["320813", " 320813 ", 320813, 320813.0])
def test_region_code_typed_by_a_department(typed: Any) -> None:
    """Typed into the text cell, or pasted as a number (the cell's text format lost)."""
    result = read_workbook(with_code(typed), name="dept.xlsx")
    assert result.findings == () and result.report.region_code == "320813"


def test_a_bad_region_code_names_the_file_the_cell_and_the_rule() -> None:
    result = read_workbook(with_code("32081"), name="dept.xlsx")
    assert by_place(result) == {"基本信息!B7": "REGION-CODE"}
    (found,) = result.findings
    assert found.is_error and found.file == "dept.xlsx" and found.section == "region_code"
    assert found.zh.startswith("基本信息!B7：行政区划代码“32081”不是 GB/T 2260 代码")
    assert "应为 6 位数字" in found.zh and found.en.startswith("基本信息!B7: region_code '32081'")
    assert not result.complete  # `govinfo import` exits 1
    assert "dept.xlsx" in result.summary() and "REGION-CODE error: 基本信息!B7" in result.summary()
    # kept as typed, so the parameter file shows it; the report counts nowhere until fixed
    assert result.mapping["region_code"] == "32081"
    assert result.report.region_code == ""
    assert "REGION-CODE" in {f.rule for f in result.report.load_findings}
    wrong = read_workbook(with_code(990000), name="dept.xlsx").findings
    assert [f.rule for f in wrong] == ["REGION-CODE"] and "99 不是省级代码" in wrong[0].zh


OLD = "govinfo-workbook@1"


def old_workbook(report: Report, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """A workbook as the template before 行政区划代码 wrote it: the same writer, with the
    places of that template."""
    with monkeypatch.context() as patch:
        patch.setattr(C, "TEMPLATE", OLD)
        patch.setattr(C, "BASIC_PLACES", C.basic_places(OLD))
        patch.setattr(C, "NUMBER_PLACES", dict(C.number_places(OLD)))
        return write_workbook(report)


def test_the_older_template_still_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workbooks handed out before 行政区划代码 existed come back filled in: read with their
    own places (every field below 所在地区 one row higher), no region_code given."""
    old = C.basic_places(OLD)
    assert ("region_code",) not in old
    assert {p: old[p].name for p in [("region",), ("kind",), ("published",)]} == {
        ("region",): "基本信息!B6",
        ("kind",): "基本信息!B7",
        ("published",): "基本信息!B9",
    }  # as govinfo-workbook@1 laid them out
    assert old[(L.PROCESSING_FEES_KEY, "notices")].ref == "B17"
    assert old[(L.NARRATIVE, "other")].ref == "B29"
    assert C.BASIC_PLACES[(L.NARRATIVE, "other")].ref == "B30"
    report = load(ROOT / "parameters/2022/shili-zrzyj.yaml", follow_previous=False)
    data = old_workbook(report, monkeypatch)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb["govinfo"]["B1"].value == OLD and wb["基本信息"]["A7"].value == "机关类别"
    result = read_workbook(data, name="old.xlsx")
    assert result.template == OLD and result.findings == ()
    assert "region_code" not in result.mapping and f"({OLD})" in result.text()
    assert result.report == report.replace(source=None)
    where = result.where[(L.PROCESSING_FEES_KEY, "notices", None)]
    assert where == "sheet 基本信息 cell B17"
    wb["基本信息"]["B7"] = "人民政府"  # 机关类别 where that template has it
    assert read_workbook(saved(wb), name="old.xlsx").report.kind == "government"
