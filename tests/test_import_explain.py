"""``govinfo import --explain`` (issue 18, item 5): where every cell was read, checked
against the file itself, and the short per-file summary.

Every place the importer names is looked up in the original: the line of a text file must
show the value (or the digit run it was split from), the grid position of an HTML table
must hold it and its ``<td>`` must start on the line named. A page rebuilt from a PDF or a
Word file names the reader's own ``data-gi-where`` instead.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from govinfo import layout as L
from govinfo.cli import main
from govinfo.importer import import_file, import_text
from govinfo.importer.assemble import expected_cells
from govinfo.importer.decode import decode
from govinfo.importer.digits import BLANK
from govinfo.importer.explain import cell_value, lines
from govinfo.importer.fields import Field
from govinfo.importer.origins import align, expand

DATA = Path(__file__).resolve().parent / "data"
PORTAL = DATA / "import" / "shili-jtys-2022.portal.html"
ONE_LINE = DATA / "import" / "shili-jtys-2022.one-line.txt"
TEXTS = [
    DATA / "import" / "shili-jtys-2022.pdf.md",
    DATA / "import" / "zezhou-xzsp-2021.gb18030.txt",
    ONE_LINE,
    *sorted((DATA / "import_layouts").glob("*.txt")),
    *sorted((DATA / "import_layouts").glob("huaian-2024.*.md")),
]
LOCATED = re.compile(r"line (\d+)(?: char (\d+))?(?: \(in (\d+)\))?")
IN_TABLE = re.compile(r"line (\d+), table (\d+) row (\d+) col (\d+)")


def _shown(value: Any) -> str:
    return str(value)


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_each_line_named_shows_the_value(path: Path) -> None:
    result = import_file(path)
    text = decode(path.read_bytes())[0].replace("\r\n", "\n").split("\n")
    placed = 0
    for key, where in result.where.items():
        value = cell_value(result.mapping, key)
        if where.endswith("(row)") or value in ("unread", "-"):
            continue
        m = LOCATED.fullmatch(where)
        assert m, (key, where)
        line = text[int(m.group(1)) - 1]
        run = m.group(3)
        if m.group(2):  # a long line: the value (or its digit run) starts at that character
            start = int(m.group(2)) - 1
            assert line[start:].startswith(run or _shown(value)), (key, where, line[start:][:20])
        elif run:
            assert run in re.sub(r"\s", "", line), (key, where, line)
        else:
            tokens = re.findall(r"\d+(?:\.\d+)?|[-/—]", line.translate(_HALF))
            assert _shown(value) in tokens, (key, where, value, line)
        if run:  # the value is a piece of the run
            assert _shown(value) in run, (key, where)
        placed += 1
    # every cell read is placed, but for the （六） sub-rows filled from one row of zeros
    filled = any(p.rule == "IMPORT-OTHER-ROW" for p in result.problems)

    def filled_row(key: tuple[str, str, str | None]) -> bool:
        return filled and key[0] == L.APPLICATIONS and L.OTHER in L.ROW_BY_KEY[key[1]].groups

    read = [k for k, v in result.cells.items() if v not in (None, BLANK) and not filled_row(k)]
    assert placed == len(read), f"{len(read) - placed} cells read but not placed"


_HALF = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}  # full-width digits


def test_split_runs_are_named_with_their_digits() -> None:
    result = import_file(ONE_LINE)
    key = (L.APPLICATIONS, "new", "natural_person")
    assert result.cells[key] == 202
    assert result.where[key].endswith("(in 202698513276111675)")
    assert re.fullmatch(r"line 1 char \d+ \(in 202698513276111675\)", result.where[key])


def test_rows_not_found_have_no_place_and_unread_cells_keep_their_row() -> None:
    result = import_file(DATA / "import_layouts" / "huaian-2024.detached-sum-off.md")
    unread = [k for k, v in result.cells.items() if v is None]
    assert unread
    assert all(result.where[k].endswith("(row)") for k in unread)


# --------------------------------------------------------------------------- HTML


def _data_tables(page: str) -> list[Any]:
    doc = lxml.html.document_fromstring(page)
    return [t for t in doc.iter("table") if not t.xpath(".//td//table | .//th//table")]


def _grid(table: Any) -> list[dict[int, Any]]:
    rows = [r for r in table.iter("tr")]
    grid: list[dict[int, Any]] = [{} for _ in rows]
    for r, row in enumerate(rows):
        col = 0
        for cell in row:
            if cell.tag not in ("td", "th"):
                continue
            while col in grid[r]:
                col += 1
            span_r, span_c = int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))
            for dr in range(min(span_r, len(rows) - r)):
                for dc in range(span_c):
                    grid[r + dr][col + dc] = cell
            col += span_c
    return grid


def test_html_cells_name_the_table_row_column_and_source_line() -> None:
    result = import_file(PORTAL)
    page = decode(PORTAL.read_bytes())[0]
    tables = _data_tables(page)
    for key in expected_cells():
        m = IN_TABLE.fullmatch(result.where[key])
        assert m, (key, result.where[key])
        line, table, row, col = map(int, m.groups())
        cell = _grid(tables[table - 1])[row - 1][col - 1]
        assert cell.sourceline == line
        value = result.cells[key]
        text = re.sub(r"\s", "", cell.text_content())
        assert (text in ("", "-", "/", "—")) if value is BLANK else text == str(value), key


def test_a_page_spread_over_lines_names_each_cell_line() -> None:
    """One ``<td>`` per source line: the line named is the cell's own, row by row."""
    page = decode(PORTAL.read_bytes())[0]
    spread = re.sub(r"(<td|<th|<tr)", r"\n\1", page)
    result = import_text(spread, name="spread.html")
    tables = _data_tables(spread)
    for key in expected_cells():
        line, table, row, col = map(int, IN_TABLE.fullmatch(result.where[key]).groups())  # type: ignore[union-attr]
        assert _grid(tables[table - 1])[row - 1][col - 1].sourceline == line


def test_data_gi_where_of_a_rebuilt_page_is_honoured() -> None:
    """A reader that builds the page (PDF, Word) records each cell's origin; it is named."""
    doc = lxml.html.document_fromstring(decode(PORTAL.read_bytes())[0])
    tables = [t for t in doc.iter("table") if not t.xpath(".//td//table | .//th//table")]
    for table in tables:
        for r, row in enumerate(table.iter("tr")):
            for c, cell in enumerate(x for x in row if x.tag in ("td", "th")):
                cell.set("data-gi-where", f"p7 r{r} c{c}")
    for p in doc.iter("p"):
        p.set("data-gi-where", "p1 l3")
    result = import_text(lxml.html.tostring(doc, encoding="unicode"), name="rebuilt.html")
    where = result.where[(L.APPLICATIONS, "new", "natural_person")]
    assert re.fullmatch(r"page 7, table 2 row \d+ col \d+", where), where
    assert all(w.startswith("page 7, table ") for w in result.where.values())


def test_expand_reader_places() -> None:
    assert expand("p4 r3 c2", 2) == "page 4, table 2 row 4 col 3"
    assert expand("t2 r5 c3", 1) == "table 2 row 6 col 4"
    assert expand("p3 l12") == "page 3, line 12"
    assert expand("somewhere else") == "somewhere else"


# --------------------------------------------------------------------------- align


def _fields(*items: tuple[str, str, int]) -> list[Field]:
    return [Field(kind, text, pos) for kind, text, pos in items]  # type: ignore[arg-type]


def test_align_matches_cells_to_their_fields() -> None:
    published = _fields(("num", "3", 10), ("num", "0", 12), ("num", "3", 14))
    assert align(published, [(3, 0, 3)], 3) == [10, 12, 14]
    run = _fields(("num", "12315", 20), ("num", "7", 30))  # 1|2|3|15 then 7
    assert align(run, [(1, 2, 3, 15, 7)], 5) == [20, 20, 20, 20, 30]
    # a page number dropped: where it was is ambiguous only if it equals a kept value
    dropped = _fields(("num", "1", 0), ("num", "5", 2), ("num", "1", 4), ("num", "2", 6))
    assert align(dropped, [(1, 1, 2)], 3, dropped=True) == [0, 4, 6]
    same = _fields(("num", "1", 0), ("num", "1", 2), ("num", "2", 4))
    assert align(same, [(1, 2)], 2, dropped=True) == [None, 4]
    # cells left unread by the reading, and readings that disagree on a field
    placed = _fields(("empty", "", 0), ("num", "4", 2), ("num", "4", 4))
    assert align(placed, [(None, 4, 4)], 3) == [None, 2, 4]
    two = _fields(("num", "1110", 0))
    assert align(two, [(1, 1, 10), (11, 1, 0)], 3) == [0, 0, 0]  # one field: no doubt
    assert align(_fields(("num", "9", 0)), [(1,)], 1) == [0]  # (one field holds the row)
    assert align(_fields(("num", "3", 0), ("num", "4", 2)), [(3, 5)], 2) == [None, None]


# --------------------------------------------------------------------------- workbooks


def test_workbook_cells_name_their_sheet_and_cell(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from govinfo.params import load
    from govinfo.sheets.read import read_workbook
    from govinfo.sheets.workbook import write_workbook

    report = load(Path(__file__).resolve().parents[1] / "parameters/2022/shili-jyj.yaml")
    path = tmp_path / "shili-jyj.xlsx"
    path.write_bytes(write_workbook(report))
    result = read_workbook(path)
    book = load_workbook(path)
    text = lines([result])
    key = (L.APPLICATIONS, "new", "natural_person")
    where = result.where[key]
    sheet, ref = re.fullmatch(r"sheet (.+) cell ([A-Z]+\d+)", where).groups()  # type: ignore[union-attr]
    assert book[sheet][ref].value == report.applications.rows["new"][0]
    assert f"= {report.applications.rows['new'][0]}  ← {where}" in text


# --------------------------------------------------------------------------- the CLI


def test_explain_lines_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "cells.csv"
    assert main(["import", str(PORTAL), "--explain", "--explain-csv", str(table)]) == 0
    err = capsys.readouterr().err
    cells = [line for line in err.splitlines() if "  ← " in line]
    assert len(cells) == len(expected_cells()) == 200
    assert "  表三 一、本年新收政府信息公开申请数量 · 自然人 = 202  ← line " in err
    data = table.read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 200 and {r["agency_id"] for r in rows} == {"shili-jtys"}
    first = next(r for r in rows if r["key"] == "applications/new/natural_person")
    assert (first["table"], first["value"]) == ("表三", "202")
    assert IN_TABLE.fullmatch(first["where"])
    assert main(["import", str(PORTAL), "--explain-csv", str(table)]) == 2  # exists
    assert "exists; use --force" in capsys.readouterr().err


def test_explain_names_how_a_cell_was_decided(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(ONE_LINE), "--explain"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"规章·本年制发件数 = unread  ← line 1 char \d+ .*IMPORT-AMBIGUOUS", err)
    assert "[IMPORT-SPLIT]" in err


# --------------------------------------------------------------------------- summary


def test_summary_counts_split_runs_and_groups_unread_cells() -> None:
    result = import_file(ONE_LINE)
    short = result.summary().splitlines()
    assert len(short) <= 6, short
    assert "  表二: 6 cells of 2 rows not read (规章; 行政规范性文件)" in short
    assert any(
        re.fullmatch(r"  28 digit run\(s\) .* \(IMPORT-SPLIT; --verbose lists them\)", s)
        for s in short
    )
    assert not any(s.startswith("  IMPORT-SPLIT ") for s in short)
    long = result.summary(verbose=True).splitlines()
    assert sum(s.startswith("  IMPORT-SPLIT ") for s in long) == 28
    assert (
        "    active/rules/issued: 规章·本年制发件数 (line 1): could be 2、21; written unread"
        in long
    )


def test_summary_lines_are_english_but_for_labels_and_quoted_text() -> None:
    """One language per line: no Chinese words of the frame (第 N 行, 未读取 …) in a line;
    Chinese appears only as labels or quotes of the report."""
    for path in (ONE_LINE, DATA / "import" / "shili-mzj-2020.format-2019.txt"):
        for verbose in (False, True):
            text = import_file(path).summary(verbose=verbose)
            assert not re.search(r"第 \d+ 行|未读取|无法|已按", text), text
