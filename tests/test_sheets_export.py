"""The county's export (issue 17): a workbook with one row per agency for each table, the
region sums of valid reports only, which units they count and why not the others, every
finding; CSV and Parquet in tidy form with empty values (never 0) where nothing was
given; text that never becomes a formula."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from govinfo import layout as L
from govinfo.findings import ParameterError
from govinfo.model import all_cells
from govinfo.params import load
from govinfo.publish.region import sum_reports
from govinfo.sheets.export import FIXED, export_paths
from govinfo.sheets.tidy import COLUMNS

ROOT = Path(__file__).resolve().parents[1]
REGION = "示例省示例市示例县"
HOSTILE = '=HYPERLINK("http://example.invalid/x","点此")'
CODE = "140525"  # given in one file (shili-zrzyj 2022): a GB/T 2260 code, text
N = len(FIXED)  # the fixed columns before the cells
CODE_AT, ID_AT, STATUS_AT = (FIXED.index(h) for h in ("行政区划代码", "文件标识", "状态"))


def edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples, with one report made invalid, one hostile and incomplete, one
    duplicate id and one unreadable file."""
    root = tmp_path_factory.mktemp("county") / "parameters"
    shutil.copytree(ROOT / "parameters", root)
    edit(root / "2022/shili-jyj.yaml",
         lambda d: d["applications"]["rows"]["new"].__setitem__(0, 999))  # fmt: skip
    edit(root / "2022/shili-zrzyj.yaml", lambda d: d.__setitem__("region_code", CODE))

    def hostile(d: dict[str, Any]) -> None:
        d["agency"], d["agency_id"] = HOSTILE, "shili-evil"
        d["applications"]["rows"]["granted"][0] = None

    shutil.copy(root / "2022/shili-mzj.yaml", root / "2022/evil.yaml")
    edit(root / "2022/evil.yaml", hostile)
    shutil.copy(root / "2022/shili-fgj.yaml", root / "2022/fgj-copy.yaml")
    (root / "2022/broken.yaml").write_text("agency: [unclosed\n", "utf-8")
    return root


@pytest.fixture(scope="module")
def workbook(county: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    out = tmp_path_factory.mktemp("out") / "county.xlsx"
    result = export_paths([county], "xlsx", out)
    return openpyxl.load_workbook(out), result


def rows_of(ws: Any) -> list[list[Any]]:
    return [list(r) for r in ws.iter_rows(min_row=3, values_only=True)]


def test_sheets_and_official_headers(workbook: tuple[Any, Any]) -> None:
    wb, result = workbook
    tables = ["表二 主动公开", "表三 依申请", "表四 复议诉讼", "信息处理费"]
    assert wb.sheetnames == [*tables, "区域合计", "校验结果"]
    assert result.reports == 29 and [Path(p).name for p in result.unreadable] == ["broken.yaml"]
    three = wb["表三 依申请"]
    assert [three.cell(1, c).value for c in range(1, 8)] == [
        "年度", "所在地区", "行政区划代码", "文件标识", "机关名称", "报告范围", "状态"
    ]  # fmt: skip
    apps = [c for c in all_cells() if c[0] == L.APPLICATIONS]
    assert three.cell(1, 8).value == " ".join(L.ROW_BY_KEY["new"].path)
    assert [three.cell(2, 8 + n).value for n in range(7)] == [
        c.label for c in L.APPLICATION_COLUMNS
    ]
    assert three.max_column == 7 + len(apps) == 7 + 175
    last = L.ROW_BY_KEY["carried_forward"]
    assert three.cell(1, 7 + 175 - 6).value == " ".join(last.path)
    assert three.freeze_panes == "F3"  # 年度 … 机关名称 stay in view
    four = wb["表四 复议诉讼"]
    assert (
        four.cell(1, 13).value == "行政诉讼·未经复议直接起诉"
        and four.cell(2, 13).value == "结果维持"
    )


def test_one_row_per_report_and_status(workbook: tuple[Any, Any]) -> None:
    wb, _ = workbook
    rows = [r for r in rows_of(wb["表三 依申请"]) if isinstance(r[0], int)]
    units = [r for r in rows if not str(r[STATUS_AT]).startswith("合计")]
    assert len(units) == 29
    status = {(r[0], r[ID_AT]): r[STATUS_AT] for r in units}
    assert status[(2022, "shili-jyj")] == "未通过校验"
    assert status[(2022, "shili-fgj")] == "重复的文件"
    assert status[(2022, "shili-zrzyj")] == "通过校验"
    zrzyj = next(r for r in units if r[:4] == [2022, REGION, CODE, "shili-zrzyj"])
    assert zrzyj[N : N + 7] == [24, 4, 1, 0, 2, 0, 31]  # new, in the official column order
    evil = next(r for r in units if r[ID_AT] == "shili-evil")
    assert evil[N + 2 * 7] is None  # granted · 自然人 not filled in: empty, not 0
    # the code only where a file gives it: never a number, never made up
    assert [r[CODE_AT] for r in units if r[CODE_AT] is not None] == [CODE]


def test_region_sums_count_only_valid_reports(workbook: tuple[Any, Any], county: Path) -> None:
    wb, _ = workbook
    valid = [
        load(p) for p in sorted((county / "2022").glob("shili-*.yaml"))
        if p.stem not in ("shili-jyj", "shili-fgj", "shili-xzf")  # invalid, duplicate, region
    ]  # fmt: skip
    expected = sum_reports(valid, year=2022, region=REGION)
    rows = rows_of(wb["表三 依申请"])
    total = next(
        r for r in rows if r[:2] == [2022, REGION] and str(r[STATUS_AT]).startswith("合计")
    )
    assert total[STATUS_AT] == f"合计 {len(valid)} 个单位" and total[CODE_AT] is None
    assert total[N : N + 7] == list(expected.applications.rows["new"])
    assert 999 not in total[N : N + 7]
    regions = {(r[0], r[1]): r for r in wb["区域合计"].iter_rows(min_row=2, values_only=True)}
    counted = regions[(2022, REGION)]
    assert counted[2] == len(valid) and "示例县教育局" not in counted[3]
    assert "示例县教育局：表三" in counted[4] and "APP-" in counted[4]
    assert "重复的文件" in counted[4]


def test_findings_sheet(workbook: tuple[Any, Any]) -> None:
    wb, _ = workbook
    ws = wb["校验结果"]
    assert [c.value for c in ws[1]] == [
        "年度", "所在地区", "行政区划代码", "文件标识", "机关名称", "文件", "规则", "级别", "位置",
        "说明", "English",
    ]  # fmt: skip
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    jyj = [r for r in rows if r[3] == "shili-jyj"]
    assert {r[6] for r in jyj} >= {"APP-BALANCE", "APP-TOTAL-COL"} and jyj[0][7] == "错误"
    assert any(r[6] == "UNREADABLE" and str(r[5]).endswith("broken.yaml") for r in rows)
    assert any(r[3] == "shili-evil" and r[6] == "MISSING" for r in rows)
    assert all(r[2] is None for r in jyj)  # no code given


def test_hostile_text_stays_text(workbook: tuple[Any, Any]) -> None:
    wb, _ = workbook
    ws = wb["表三 依申请"]
    cell = next(c for c in ws["E"] if c.value == HOSTILE)
    assert cell.data_type == "s" and cell.quotePrefix
    code = next(c for c in ws["C"] if c.value == CODE)  # text: Excel keeps it as written
    assert code.data_type == "s" and ws.cell(code.row, ID_AT + 1).value == "shili-zrzyj"


def test_csv_tidy(county: Path, tmp_path: Path) -> None:
    result = export_paths([county], "csv", tmp_path / "county.csv")
    raw = (tmp_path / "county.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == result.reports * len(all_cells())
    evil = [r for r in rows if r["agency_id"] == "shili-evil"]
    assert evil[0]["agency"] == "'" + HOSTILE  # a spreadsheet opening the CSV shows text
    hole = next(r for r in evil if (r["table"], r["row"], r["column"]) ==
                ("applications", "granted", "natural_person"))  # fmt: skip
    assert (hole["value"], hole["status"]) == ("", "missing")
    fee = next(r for r in rows if r["agency_id"] == "shili-zrzyj" and r["year"] == "2022"
               and r["row"] == "fees_10k_yuan")  # fmt: skip
    assert (fee["value"], fee["status"], fee["column"]) == ("455.2", "published", "")
    assert fee["region"] == REGION and fee["region_code"] == CODE
    assert {r["region_code"] for r in rows} == {"", CODE}
    assert COLUMNS[:4] == ("year", "region", "region_code", "agency_id")
    assert {r["status"] for r in rows if r["agency_id"] == "shili-jyj" and r["year"] == "2022"} == {
        "invalid"
    }


def test_parquet_tidy(county: Path, tmp_path: Path) -> None:
    export_paths([county], "parquet", tmp_path / "county.parquet")
    frame = pd.read_parquet(tmp_path / "county.parquet")
    assert tuple(frame.columns) == COLUMNS
    assert str(frame["year"].dtype) == "int32" and str(frame["value"].dtype) == "float64"
    table = pq.read_table(tmp_path / "county.parquet")
    assert table.schema.field("region_code").type == pa.string()
    coded = frame[frame.region_code.notna()]
    assert set(coded["region_code"]) == {CODE} and set(coded["agency_id"]) == {"shili-zrzyj"}
    assert set(coded["year"]) == {2022}  # not given elsewhere: null, never "" or 0
    hole = frame[(frame.agency_id == "shili-evil") & (frame.row == "granted")
                 & (frame.column == "natural_person")]  # fmt: skip
    assert hole["value"].isna().all() and list(hole["status"]) == ["missing"]
    units = frame[(frame.year == 2022) & (frame.scope == "agency") & (frame.status == "published")
                  & (frame.table == "applications") & (frame.row == "new")
                  & (frame.column == "total")]  # fmt: skip
    valid = [load(p) for p in sorted((ROOT / "parameters/2022").glob("shili-*.yaml"))]
    expected = sum(
        r.applications.total("new") for r in valid
        if r.scope == "agency" and r.agency_id not in ("shili-jyj", "shili-fgj")
    )  # fmt: skip
    assert units["value"].sum() == expected


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="format must be one of"):
        export_paths([ROOT / "parameters/2021/zezhou-xzsp.yaml"], "ods", tmp_path / "x.ods")
    assert not (tmp_path / "x.ods").exists()
