"""Real published layouts in text and Markdown (issue 18, item 3), cell by cell.

The fixtures in ``tests/data/import_layouts/`` (see its README) are the text layers of the
three real PDFs in ``shared/real-reports`` as poppler's ``pdftotext -layout`` and pdfplumber
give them, and Markdown and text made from the real 淮安市 2024 report and the 泽州县 seed in
the shapes PDF converters and portals publish. Every cell is compared with the hand
transcription (``*.json``, ``null`` = not printed): read exactly, or not read and reported,
never a wrong number.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from govinfo import layout as L
from govinfo.importer import ImportResult, import_file, import_text
from govinfo.importer.digits import BLANK
from govinfo.rules import check as check_report

DATA = Path(__file__).resolve().parent / "data" / "import_layouts"
HUAIAN = "huaian-szf-2024"
Cell = tuple[str, str, str | None]
OTHER_ROWS = tuple(r.key for r in L.APPLICATION_ROWS if r.groups and r.groups[-1] == L.OTHER)
WITHHELD = tuple(r.key for r in L.APPLICATION_ROWS if r.groups and r.groups[-1] == L.WITHHELD)


@cache
def truth(name: str) -> dict[Cell, Any]:
    """The transcription's cells; a row it gives as null (not printed) is None."""
    j = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    cells: dict[Cell, Any] = {}
    for item, measure in L.active_cells():
        value = j["active"][item]
        cells[("active", item, measure)] = value[measure] if measure else value
    for r in L.APPLICATION_ROWS:
        row = j["applications"]["rows"][r.key]
        for i, c in enumerate(L.APPLICATION_COLUMN_KEYS):
            cells[(L.APPLICATIONS, r.key, c)] = None if row is None else row[i]
    for g in L.CASE_GROUPS:
        for i, o in enumerate(L.REVIEW_OUTCOME_KEYS):
            cells[(L.REVIEW_LITIGATION, g.key, o)] = j["review_litigation"][g.key][i]
    return cells


def same(got: Any, want: Any) -> bool:
    return got is not None and got is not BLANK and Decimal(str(got)) == Decimal(str(want))


def check(result: ImportResult, want: dict[Cell, Any], unread: set[Cell] = frozenset()) -> None:
    """Every cell as ``want`` has it, but for ``unread``: those are not read, and reported."""
    wrong = {k: (result.cells[k], v) for k, v in want.items() if k not in unread}
    wrong = {k: gv for k, gv in wrong.items() if not same(*gv)}
    assert wrong == {}, result.summary()
    assert {k for k, v in result.cells.items() if v is None} == set(unread), result.summary()
    for section, row, column in unread:
        assert any(
            p.section == section and p.row == row and p.column in (column, None)
            for p in result.problems
            if p.rule in ("IMPORT-UNREAD", "IMPORT-AMBIGUOUS", "OLD-FORMAT")
        ), (section, row, column)


def rows(*keys: str, section: str = L.APPLICATIONS) -> set[Cell]:
    columns = L.APPLICATION_COLUMN_KEYS if section == L.APPLICATIONS else L.REVIEW_OUTCOME_KEYS
    return {(section, k, c) for k in keys for c in columns}


def with_zero_other(name: str) -> dict[Cell, Any]:
    """The 洪泽区 truth with the three （六） sub-rows 0, as the single row of zeros gives."""
    return {k: (0 if k[1] in OTHER_ROWS and v is None else v) for k, v in truth(name).items()}


def rules(result: ImportResult, rule: str) -> list[str]:
    return [p.where for p in result.problems if p.rule == rule]


# --------------------------------------------------------------------------- real text layers


@pytest.mark.parametrize("layer", ["pdftotext-layout", "pdfplumber"])
@pytest.mark.parametrize("name", ["hongze-qzf-2023", "hongze-qzf-2024", HUAIAN])
def test_the_text_layers_of_the_real_pdfs_are_read_exactly(name: str, layer: str) -> None:
    """Page numbers inside tables, （四）无 / 法提供 split by the page break, the applicant
    header in loose lines, a row's numbers before or between the lines of its wrapped label,
    the printed slip 2.其他法律行政止公开: every cell read exactly."""
    result = import_file(DATA / f"{name}.{layer}.txt")
    want = truth(name) if name == HUAIAN else with_zero_other(name)
    check(result, want)
    assert result.mapping["year"] == int(name[-4:])
    assert "OLD-FORMAT" not in {p.rule for p in result.problems}  # a 2021-format report
    if layer == "pdfplumber" and name != HUAIAN:
        # numbers printed before their label in text order are taken by the official order
        moved = rules(result, "IMPORT-ORDER")
        assert "applications/withheld_three_safety_one_stability" in moved
        assert "applications/unable_needs_creation" in moved


@pytest.mark.parametrize("name", ["hongze-qzf-2023", "hongze-qzf-2024"])
def test_a_single_other_row_of_zeros_fills_its_three_sub_rows(name: str) -> None:
    result = import_file(DATA / f"{name}.pdftotext-layout.txt")
    for row in OTHER_ROWS:
        assert result.mapping[L.APPLICATIONS]["rows"][row] == [0] * 7
    (note,) = [p for p in result.problems if p.rule == "IMPORT-OTHER-ROW"]
    assert (note.severity, note.where) == ("warning", "applications")
    assert "已各填 0" in note.zh and "each is written 0" in note.en
    # the sub-rows now take part in the arithmetic: the 洪泽区 2024 table adds up
    if name == "hongze-qzf-2024":
        assert check_report(result.report) == []


@pytest.mark.parametrize("row", ["1 0 0 0 0 0 1", "- - - - - - -", "0 0 0 0 0 0 3"])
def test_a_single_other_row_that_is_not_zeros_leaves_the_three_unread(row: str) -> None:
    text = (DATA / "hongze-qzf-2024.pdftotext-layout.txt").read_text(encoding="utf-8")
    text, n = re.subn(r"(（六）其他处理\s+)0(?:\s+0){6}", lambda m: m.group(1) + row, text)
    assert n == 1
    result = import_text(text, name="hongze-qzf-2024.txt")
    check(result, with_zero_other("hongze-qzf-2024"), rows(*OTHER_ROWS))
    assert "IMPORT-OTHER-ROW" not in {p.rule for p in result.problems}
    assert set(rules(result, "OLD-FORMAT")) == {f"applications/{k}" for k in OTHER_ROWS}


def test_a_published_review_total_that_does_not_add_up_is_read_as_printed() -> None:
    """洪泽区 2023 prints 行政复议 10/1/0/0 with 总计 0: read as printed, reported by validation."""
    result = import_file(DATA / "hongze-qzf-2023.pdftotext-layout.txt")
    assert result.mapping[L.REVIEW_LITIGATION]["review"] == [10, 1, 0, 0, 0]
    sums = [f.where for f in check_report(result.report) if f.rule == "REVIEW-TOTAL"]
    assert sums == [
        "review_litigation/review/total",
        "review_litigation/litigation_after_review/total",
    ]


def test_review_numbers_strewn_among_the_header_labels_are_not_read() -> None:
    """pdftotext without -layout puts 表四's numbers between its header labels, out of order
    (72 64 178 37 … 12 1 1 6 总计 351 …): not read, and said why; nothing read is wrong."""
    result = import_file(DATA / f"{HUAIAN}.pdftotext-raw.txt")
    wrong = [k for k, v in truth(HUAIAN).items() if result.cells[k] is not None]
    wrong = [k for k in wrong if not same(result.cells[k], truth(HUAIAN)[k])]
    assert wrong == []
    assert all(
        result.cells[k] is None for k in rows(*L.CASE_GROUP_BY_KEY, section=L.REVIEW_LITIGATION)
    )
    why = [p.zh for p in result.problems if p.section == L.REVIEW_LITIGATION]
    assert len(why) == 3 and all("散在表头文字之间" in z for z in why)


# --------------------------------------------------------------------------- Markdown from PDF


def test_loose_labels_then_unlabelled_rows_are_assigned_in_the_official_order() -> None:
    """规章 / 行政规范性文件 and 1.…8. of （三）不予公开 as loose (wrapped) lines, their numbers
    after them as unlabelled pipe rows: count and sums fit, so the official order decides."""
    result = import_file(DATA / "huaian-2024.detached-labels.md")
    check(result, truth(HUAIAN))
    assert set(rules(result, "IMPORT-ORDER")) == {
        "active/rules",
        "active/normative_docs",
        *(f"applications/{k}" for k in WITHHELD),
    }


@pytest.mark.parametrize(
    ("fixture", "why"),
    [("detached-rows-short", "one unlabelled row missing"), ("detached-sum-off", "a total off")],
)
def test_loose_labels_whose_rows_do_not_fit_stay_unread(fixture: str, why: str) -> None:
    """Eight labels and seven rows, or eight rows of which one does not add up: no guess."""
    result = import_file(DATA / f"huaian-2024.{fixture}.md")
    check(result, truth(HUAIAN), rows(*WITHHELD))
    found = [p for p in result.problems if p.row in WITHHELD and p.rule == "IMPORT-UNREAD"]
    assert len(found) == len(WITHHELD), why
    assert all("未按顺序分配" in p.zh or "无法确定取舍" in p.zh for p in found)
    assert sum("未按顺序分配" in p.zh for p in found) >= len(WITHHELD) - 1


@pytest.mark.parametrize(
    "fixture", ["huaian-2024.page-numbers.md", "zezhou-xzsp-2021.page-numbers.txt"]
)
def test_page_number_lines_inside_tables_are_not_cells(fixture: str) -> None:
    """— 3 —, 第3页, - 4 -, | — 5 — |, 第 5 页 共 6 页 and a bare 5 between pipe rows."""
    result = import_file(DATA / fixture)
    if fixture.startswith("huaian"):
        check(result, truth(HUAIAN))
        assert "IMPORT-EXTRA" not in {p.rule for p in result.problems}
    else:
        seed = import_file(DATA.parent / "import" / "zezhou-xzsp-2021.txt")
        assert result.cells == seed.cells and result.unread == 0


@pytest.mark.parametrize("fixture", ["loose-header", "loose-header-words"])
def test_the_applicant_header_split_into_loose_lines(fixture: str) -> None:
    """The header word by word or in PDF lines (社会 法律 / 公益 服务 / 组织 机构), and
    repeated after the page break that splits （四）无 / 法提供."""
    check(import_file(DATA / f"huaian-2024.{fixture}.md"), truth(HUAIAN))


def test_review_as_one_row_of_15_under_a_6_cell_header() -> None:
    check(import_file(DATA / "huaian-2024.review-one-row.md"), truth(HUAIAN))


def test_review_one_row_with_a_value_lost_stays_unread() -> None:
    result = import_file(DATA / "huaian-2024.review-one-row-short.md")
    check(result, truth(HUAIAN), rows(*L.CASE_GROUP_BY_KEY, section=L.REVIEW_LITIGATION))
    assert all("14 个数" in p.zh for p in result.problems if p.section == L.REVIEW_LITIGATION)


@pytest.mark.parametrize(
    "fixture", ["huaian-2024.active-reordered.md", "zezhou-xzsp-2021.reordered-no-heading.txt"]
)
def test_items_five_to_eight_printed_before_item_one(fixture: str) -> None:
    """表二 with 第二十条第（五）～（八）项 before 第（一）项: each block read on its own."""
    result = import_file(DATA / fixture)
    if fixture.startswith("huaian"):
        check(result, truth(HUAIAN))
    else:  # the seed's own numbers, and its 二 heading is missing as well
        seed = import_file(DATA.parent / "import" / "zezhou-xzsp-2021.txt")
        assert result.cells == seed.cells and result.mapping["active"]["licensing"] == 10727
        assert rules(result, "IMPORT-SECTION") == ["active"]
        assert result.mapping["narrative"]["overview"] == seed.mapping["narrative"]["overview"]


@pytest.mark.parametrize("missing", ["2", "3", "4"])
def test_a_missing_section_heading_with_its_table_present(missing: str) -> None:
    result = import_file(DATA / f"huaian-2024.no-heading-{missing}.md")
    check(result, truth(HUAIAN))
    key = L.SECTIONS[int(missing) - 1].key
    assert rules(result, "IMPORT-SECTION") == [key]
    narrative = result.mapping["narrative"]
    # 一 ends where its text ends, not with the table that follows it
    assert narrative["overview"]["oversight"] == "全年组织4次政府信息公开栏目全覆盖检查。"
    assert narrative["problems"].startswith("对照上级新要求和公众新期待")


def test_a_number_before_a_label_with_no_sum_to_check_it_is_not_guessed() -> None:
    """表二 rows have no 总计: a stray number line (a bare page number) before a label that
    lost its own number could be taken for it in the official order. It is not: both rows
    around it stay unread, with a finding, and nothing is read wrong."""
    text = (DATA / "huaian-2024.loose-header.md").read_text(encoding="utf-8")
    text = text.replace("| 行政强制 | 88283 |", "7\n行政强制")
    result = import_text(text, name="huaian-2024.md")
    unread = {("active", "punishment", None), ("active", "coercion", None)}
    check(result, truth(HUAIAN), unread)
    assert "IMPORT-ORDER" not in {p.rule for p in result.problems}
