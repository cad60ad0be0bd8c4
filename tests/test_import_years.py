"""Several years of one agency imported together (issue 18, item 4): digit runs that stay
ambiguous in one year are decided by continuity with the neighbouring year.

``huaian-2024.years.txt`` is the real 淮安市 2024 report flattened onto one line, with
上年结转 = 结转下年度 = 11 0 0 0 0 0 11: alone, ``1011`` (规章), ``82666`` (行政规范性文件) and
both ``110000011`` rows (11|0… or 1|10…, the ledgers hold either way) cannot be split one
way. Its neighbours (see ``tests/data/import_layouts/README.md``) decide them.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import Run

from govinfo import layout as L
from govinfo.importer import ImportResult, import_file, import_text
from govinfo.importer.years import resolve_years

DATA = Path(__file__).resolve().parent / "data" / "import_layouts"
Y2023, Y2024, Y2025 = (
    DATA / f"huaian-{y}.years.{x}" for y, x in ((2023, "md"), (2024, "txt"), (2025, "md"))
)
BROKEN = DATA / "huaian-2023.years-broken.md"
APPS = L.APPLICATIONS
ELEVEN = [11, 0, 0, 0, 0, 0, 11]
# 表四's 复议后起诉 12|1|1|6|20 run together stays ambiguous: no other year bears on it
REVIEW_LEFT = {(L.REVIEW_LITIGATION, "litigation_after_review", o) for o in L.REVIEW_PARTS}
DOCS = {("active", item, m) for item in L.ACTIVE_DOC_ITEMS for m, _ in L.ACTIVE_MEASURES}
CARRIED = {
    (APPS, row, c)
    for row in ("carried_over", "carried_forward")
    for c in ("natural_person", "commercial")
}


def ambiguous(result: ImportResult) -> set[tuple[str, str, str | None]]:
    cells = {k for k, v in result.cells.items() if v is None}
    assert cells == {
        (p.section, p.row, p.column) for p in result.problems if p.rule == "IMPORT-AMBIGUOUS"
    }
    return cells


def continuity(result: ImportResult) -> dict[str, str]:
    return {p.where: p.zh for p in result.problems if p.rule == "IMPORT-CONTINUITY"}


def decided(result: ImportResult) -> None:
    """2024's real 表二 numbers and the 11s, written into the mapping as well."""
    m = result.mapping
    assert m["active"]["rules"] == {"issued": 1, "repealed": 0, "in_force": 11}
    assert m["active"]["normative_docs"] == {"issued": 8, "repealed": 26, "in_force": 66}
    assert m[APPS]["rows"]["carried_over"] == m[APPS]["rows"]["carried_forward"] == ELEVEN
    assert ambiguous(result) == REVIEW_LEFT


def test_alone_the_flattened_year_leaves_its_runs_ambiguous() -> None:
    result = import_file(Y2024)
    assert ambiguous(result) == DOCS | CARRIED | REVIEW_LEFT
    assert set(result.readings) == {
        ("active", "rules"),
        ("active", "normative_docs"),
        (APPS, "carried_over"),
        (APPS, "carried_forward"),
    }
    assert resolve_years([result]) == [result]


def test_last_year_decides_carried_over_and_in_force() -> None:
    before, now = resolve_years([import_file(Y2023), import_file(Y2024)])
    decided(now)
    assert before == import_file(Y2023)  # fully read already: nothing to change
    notes = continuity(now)
    assert set(notes) == {
        "active/rules",
        "active/normative_docs",
        "applications/carried_over",
        "applications/carried_forward",
    }
    assert (
        "2023 年报告的结转下年度继续办理（11 0 0 0 0 0 11）" in notes["applications/carried_over"]
    )
    assert "现行有效件数 = 2023 年的 10 + 本年制发 − 本年废止" in notes["active/rules"]
    assert "1 0 11" in notes["active/rules"] and "8 26 66" in notes["active/normative_docs"]
    # 结转下年度 follows from the ledgers once 上年结转 is known
    assert "勾稽关系" in notes["applications/carried_forward"]
    en = next(
        p.en
        for p in now.problems
        if p.where == "applications/carried_over" and p.rule == "IMPORT-CONTINUITY"
    )
    assert "2023 report's carried_forward" in en
    assert all(
        p.severity == "warning" and p.file == str(Y2024)
        for p in now.problems
        if p.rule == "IMPORT-CONTINUITY"
    )
    assert now.readings == {}
    assert "IMPORT-CONTINUITY active/rules" in now.summary()


def test_next_year_decides_carried_forward_and_in_force_backwards() -> None:
    now, after = resolve_years([import_file(Y2024), import_file(Y2025)])
    m = now.mapping
    assert m[APPS]["rows"]["carried_forward"] == m[APPS]["rows"]["carried_over"] == ELEVEN
    assert m["active"]["rules"] == {"issued": 1, "repealed": 0, "in_force": 11}
    # 2025 fixes 2024's 现行有效 66, which 8|26|66 and 82|6|66 share: the rest stays open
    assert m["active"]["normative_docs"] == {
        "issued": "unread",
        "repealed": "unread",
        "in_force": 66,
    }
    assert ambiguous(now) == REVIEW_LEFT | {
        ("active", "normative_docs", "issued"),
        ("active", "normative_docs", "repealed"),
    }
    assert "现行有效件数为 11 的读法（2025 年现行有效 12" in continuity(now)["active/rules"]
    assert after == import_file(Y2025)


def test_three_years_in_any_order() -> None:
    results = resolve_years([import_file(Y2025), import_file(Y2024), import_file(Y2023)])
    assert [r.mapping["year"] for r in results] == [2025, 2024, 2023]
    decided(results[1])


def test_a_neighbour_that_fits_no_reading_decides_nothing() -> None:
    """Carried forward 12 and in force 20 / 90 fit none of 2024's readings: left for
    validation (CONTINUITY) to report, never a reading the text does not allow."""
    alone = import_file(Y2024)
    _, now = resolve_years([import_file(BROKEN), alone])
    assert now == alone and continuity(now) == {}


def test_only_the_same_agency_and_the_year_before_count() -> None:
    text = Y2024.read_text(encoding="utf-8")
    other = import_text(Y2023.read_text(encoding="utf-8"), name="x.md", agency_id="another")
    alone = import_text(text, name=str(Y2024), agency_id="huaian")
    assert resolve_years([other, alone])[1] == alone
    gap = import_text(
        Y2023.read_text(encoding="utf-8").replace("2023", "2022"), name="y.md", agency_id="huaian"
    )
    assert gap.mapping["year"] == 2022
    assert resolve_years([gap, alone])[1] == alone
    twice = resolve_years([import_file(Y2023), import_file(Y2023), alone])  # duplicates
    assert twice[2] == alone


def test_anything_else_passes_through() -> None:
    marker = object()
    results = resolve_years([marker, import_file(Y2023), import_file(Y2024)])
    assert results[0] is marker
    decided(results[2])


def test_cli_imports_the_years_together(tmp_path: Path, run: Run) -> None:
    code, _, err = run("import", Y2023, Y2024, "-o", f"{tmp_path}/")
    assert code == 1  # 表四's 复议后起诉 is still not read
    assert "IMPORT-CONTINUITY applications/carried_over" in err
    text = (tmp_path / "2024" / "huaian.yaml").read_text(encoding="utf-8")
    assert "# IMPORT-CONTINUITY applications/carried_over: " in text  # said in the file too
    written = yaml.safe_load(text)
    assert written["active"]["rules"] == {"issued": 1, "repealed": 0, "in_force": 11}
    assert written[APPS]["rows"]["carried_over"] == ELEVEN
    assert written[L.REVIEW_LITIGATION]["litigation_after_review"][:4] == ["unread"] * 4
    code, _, err = run("import", Y2024, "-o", f"{tmp_path}/alone/")
    alone = yaml.safe_load(
        (tmp_path / "alone" / "2024" / "huaian.yaml").read_text(encoding="utf-8")
    )
    assert alone["active"]["rules"] == dict.fromkeys(("issued", "repealed", "in_force"), "unread")
    assert "IMPORT-CONTINUITY" not in err
