"""The spreadsheet commands as a county office runs them: ``govinfo workbook`` (one per agency,
``--from`` last year's files), ``govinfo import x.xlsx`` back to a parameter file, ``govinfo
export`` of a folder, and the batch's county workbook linked from the summary page."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from bs4 import BeautifulSoup
from conftest import ROOT, County, Run, page_hashes, run_govinfo

from govinfo.params import load
from govinfo.rules import check


def test_workbook_import_round_trip_through_the_commands(run: Run, tmp_path: Path) -> None:
    source = ROOT / "parameters/2022/shili-zrzyj.yaml"
    code, _, err = run("workbook", source, "-o", tmp_path / "x.xlsx")
    assert code == 0, err
    code, _out, err = run("import", tmp_path / "x.xlsx", "-o", tmp_path / "x.yaml")
    assert code == 0, err
    back, original = load(tmp_path / "x.yaml"), load(source)
    assert back.applications == original.applications
    assert back.active == original.active and back.review_litigation == original.review_litigation
    # A second run does not replace the workbook silently.
    code, _, err = run("workbook", source, "-o", tmp_path / "x.xlsx")
    assert code == 2 and "exists; use --force" in err


def test_region_code_from_new_through_the_workbook_and_back(run: Run, tmp_path: Path) -> None:
    """``govinfo new --region-code`` → ``govinfo workbook`` → (filled) → ``govinfo import``:
    the same code, as text, at each step; next year's workbook (``--from``) carries it."""
    made = tmp_path / "p/2023/hz-jyj.yaml"
    new = ("new", "--agency", "洪泽区教育局", "--id", "hz-jyj", "--year", "2023")
    code, _, err = run(*new, "--region-code", "320813", "-o", made)
    assert code == 0, err
    code, _, err = run("workbook", made, "-o", tmp_path / "hz.xlsx")
    assert code == 0, err
    cell = openpyxl.load_workbook(tmp_path / "hz.xlsx")["基本信息"]["B7"]
    assert (cell.value, cell.data_type) == ("320813", "s")
    code, _, err = run("import", tmp_path / "hz.xlsx", "-o", tmp_path / "back.yaml")
    assert code == 0, err  # nothing filled in yet: MISSING for validate, not an import error
    assert "region_code: '320813'" in (tmp_path / "back.yaml").read_text("utf-8").splitlines()
    assert load(tmp_path / "back.yaml").region_code == "320813"
    code, _, err = run("workbook", "--from", tmp_path / "p", "-o", tmp_path / "next")
    assert code == 0, err
    code, _, err = run("import", tmp_path / "next/2024/hz-jyj.xlsx", "-o", tmp_path / "n.yaml")
    assert code == 0, err
    assert load(tmp_path / "n.yaml", follow_previous=False).region_code == "320813"


def test_workbooks_from_last_year_carry_the_balance(run: Run, tmp_path: Path) -> None:
    code, _out, err = run("workbook", "--from", ROOT / "parameters/2022", "-o", tmp_path)
    assert code == 0, err
    made = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.xlsx"))
    assert "2023/shili-zrzyj.xlsx" in made and len(made) == 13
    last = load(ROOT / "parameters/2022/shili-zrzyj.yaml")
    code, _, err = run("import", tmp_path / "2023/shili-zrzyj.xlsx", "-o", tmp_path / "n.yaml")
    assert code == 0, err
    new = load(tmp_path / "n.yaml")
    assert new.year == 2023
    for column in ("natural_person", "total"):
        expected = last.applications.cell("carried_forward", column)
        assert new.applications.cell("carried_over", column) == expected
    # Everything else is still to be filled in: not given, never zero.
    assert any(f.rule == "MISSING" for f in check(new))


def test_export_refuses_an_unknown_format_and_writes_a_workbook(run: Run, tmp_path: Path) -> None:
    code, _, err, _ = run_govinfo(
        "export", ROOT / "parameters", "--to", "ods", "-o", tmp_path / "x"
    )
    assert code == 2 and "invalid choice: 'ods'" in err and not (tmp_path / "x").exists()
    code, out, err = run("export", ROOT / "parameters", "-o", tmp_path / "all.xlsx")
    assert code == 0, err
    assert "27 report(s)" in out
    book = openpyxl.load_workbook(tmp_path / "all.xlsx", read_only=True)
    assert {"表三 依申请", "区域合计", "校验结果"} <= set(book.sheetnames)


def test_the_summary_page_links_the_county_workbook(county: County) -> None:
    page = county.site / "2022" / "summary.html"
    soup = BeautifulSoup(page.read_text("utf-8"), "lxml")
    assert soup.find("a", href="summary.xlsx") is not None
    book = openpyxl.load_workbook(county.site / "2022" / "summary.xlsx", read_only=True)
    rows = list(book["表三 依申请"].iter_rows(values_only=True))
    assert any("示例县自然资源局" in map(str, row) for row in rows)


def test_workbooks_filled_and_imported_publish_the_same_site(
    run: Run, county: County, tmp_path: Path
) -> None:
    """The county office's loop: a workbook per agency → (filled in a spreadsheet: here, as
    written) → ``govinfo import`` → ``govinfo batch`` gives every page byte for byte as the
    YAML files do (the county fixture's pages)."""
    # From the repository's files: other tests edit the county's copies after its first batch.
    code, _, err = run("workbook", ROOT / "parameters", "-o", tmp_path / "wb")
    assert code == 0, err
    books = sorted(str(p) for p in (tmp_path / "wb").rglob("*.xlsx"))
    assert len(books) == 27
    code, _, err = run("import", *books, "-o", tmp_path / "imported/")
    assert code == 0, err
    code, _, err, _ = run_govinfo(
        "batch", tmp_path / "imported", "-o", tmp_path / "site", "--no-progress"
    )
    assert code == 0, err
    assert page_hashes(tmp_path / "site") == county.pages
