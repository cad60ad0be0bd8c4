"""Widget-level tests of the JupyterLab editor (no browser): edits, findings, save, paste.

The editor never loses or invents data: the tests under "files" and "asking first" save
hand-written files (comments, an unknown key, published blanks, odd scalars) and check the
bytes; a file changed on disk, a symbolic link, unsaved edits before 打开 / 新建 / 还原 and
an invalid edit before 生成报告 each wait for the user's choice.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import os
import re
import shutil
from decimal import Decimal
from html import unescape
from pathlib import Path

import ipywidgets as W
import pytest
from bs4 import BeautifulSoup

from govinfo import layout as L
from govinfo.editor.fields import css_class
from govinfo.editor.launcher import EditorLauncher
from govinfo.editor.state import UnsavedChangesError
from govinfo.editor.widget import ReportEditor, preview_html, served_url, tab_of
from govinfo.params import load, read_mapping
from govinfo.params.roundtrip import FileChangedError

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "parameters" / "2021" / "zezhou-xzsp.yaml"
COLUMNS = L.APPLICATION_COLUMN_KEYS


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    target = tmp_path / "parameters" / "2021" / "zezhou-xzsp.yaml"
    target.parent.mkdir(parents=True)
    shutil.copy(SEED, target)
    return target


@pytest.fixture
def editor(seed: Path) -> ReportEditor:
    return ReportEditor.from_file(seed, outdir=seed.parents[2] / "site")


@pytest.fixture
def editor_of():
    return lambda path: ReportEditor.from_file(path, outdir=Path(path).parent / "site")


def rules(editor: ReportEditor) -> list[tuple[str, str]]:
    return sorted((f.rule, f.where) for f in editor.findings)


def panel_rules(editor: ReportEditor) -> list[str]:
    """The rules' rows of 校验结果 (the live audit's rows, tagged 体检, follow them)."""
    rows = editor.findings_list.children
    return [row.finding.rule for row in rows if "gi-finding-audit" not in classes(row)]


def classes(widget: W.Widget) -> set[str]:
    return set(widget._dom_classes)


def changed_lines(before: str, after: str) -> list[str]:
    """The lines of a unified diff that differ (no headers, no context)."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("---", "+++")]


# A hand-written file: the seed's provenance comment, an inline comment, a misspelt row
# with its numbers (UNKNOWN-KEY), published blanks as the agency wrote them (CELL-BLANK).
HANDWRITTEN = {
    "  punishment: 0\n": "  punishment: /   # 公开版为“/”\n",
    "  coercion: 0\n": "  coercion: '-'\n",
    "    granted: [0, 0, 0, 0, 0, 0, 0]\n": (
        "    granted: [0, 0, 0, 0, 0, 0, 0]\n    grantd: [2, 0, 0, 0, 0, 0, 2]\n"
    ),
    "  review: [0, 0, 0, 0, 0]\n": "  review: [0, -, 0, 0, 0]\n",
}


@pytest.fixture
def handwritten(seed: Path) -> Path:
    text = seed.read_text("utf-8")
    for old, new in HANDWRITTEN.items():
        assert old in text, old
        text = text.replace(old, new)
    seed.write_text(text, "utf-8")
    return seed


# --------------------------------------------------------------------------- editing


def test_widgets_module_exposes_the_editor() -> None:
    from govinfo import widgets

    assert widgets.ReportEditor is ReportEditor
    assert widgets.EditorLauncher is EditorLauncher


def test_seed_opens_clean_with_every_cell(editor: ReportEditor) -> None:
    assert editor.findings == []
    assert panel_rules(editor) == []
    assert "未发现问题" in editor.findings_summary.value
    cells = editor.fields()
    assert sum(1 for key in cells if key[0] == "applications") == 25 * 7
    assert sum(1 for key in cells if key[0] == "active") == 10
    assert sum(1 for key in cells if key[0] == "review_litigation") == 15
    widget = editor.field("applications", "new", "natural_person")
    assert isinstance(widget, W.Text) and widget.value == "0"  # typed text, read by the editor
    assert "gi-cell-applications-new-natural_person" in classes(widget)
    assert editor.field("active", "licensing").value == "10727"
    assert editor.field("active", "fees_10k_yuan").value == "24457.4"  # as written, no float
    with pytest.raises(KeyError, match="applications/nowhere"):
        editor.field("applications", "nowhere", "total")


def test_unbalancing_a_column_flags_it_and_fixing_it_clears_it(editor: ReportEditor) -> None:
    new = editor.field("applications", "new", "natural_person")
    new.value = 3
    assert editor.report.applications.rows["new"] == (3, 0, 0, 0, 0, 0, 3)
    assert editor.field("applications", "new", "total").value == "3"  # computed at once
    assert rules(editor) == [
        ("APP-BALANCE", "applications/natural_person"),
        ("APP-BALANCE", "applications/total"),
    ]
    assert panel_rules(editor) == ["APP-BALANCE", "APP-BALANCE"]
    # the balance concerns the four ledger rows of the column, and nothing else
    for row in ("new", "carried_over", "total", "carried_forward"):
        assert "gi-error" in classes(editor.field("applications", row, "natural_person")), row
    assert "gi-error" not in classes(editor.field("applications", "granted", "natural_person"))
    assert "gi-error" not in classes(editor.field("applications", "new", "commercial"))
    assert "APP-BALANCE" in new.tooltip
    cell = BeautifulSoup(editor.preview.value, "lxml").select_one(
        'td[data-row="new"][data-col="natural_person"]'
    )
    assert cell is not None and cell.text == "3" and "gi-error" in cell["class"]

    editor.field("applications", "granted", "natural_person").value = 3
    assert editor.report.applications.rows["total"] == (3, 0, 0, 0, 0, 0, 3)
    assert editor.report.applications.rows["granted"] == (3, 0, 0, 0, 0, 0, 3)
    assert editor.findings == []
    assert panel_rules(editor) == []
    assert not any("gi-error" in classes(w) for w in editor.fields().values())


def test_totals_are_computed_and_read_only(editor: ReportEditor) -> None:
    total = editor.field("applications", "total", "natural_person")
    grand = editor.field("applications", "total", "total")
    assert total.disabled and grand.disabled and "gi-computed" in classes(total)
    total.value = 9  # programmatic write to a read-only total: the file's value wins
    assert total.value == "0"
    assert editor.report.applications.cell("total", "natural_person") == 0
    editor.field("applications", "withheld_third_party", "research").value = 2
    editor.field("applications", "unable_not_held", "research").value = 1
    assert editor.report.applications.rows["total"] == (0, 0, 3, 0, 0, 0, 3)
    assert grand.value == "3"
    assert editor.field("applications", "withheld_third_party", "total").value == "2"
    assert {f.rule for f in editor.findings} == {"APP-BALANCE"}  # no total can be wrong


def test_loaded_total_mismatch_is_shown_until_recomputed(seed: Path) -> None:
    text = seed.read_text("utf-8").replace(
        "new: [0, 0, 0, 0, 0, 0, 0]", "new: [1, 0, 0, 0, 0, 0, 2]"
    )
    seed.write_text(text, "utf-8")
    editor = ReportEditor.from_file(seed)
    assert editor.report.applications.total("new") == 2  # as read, not silently fixed
    assert ("APP-TOTAL-COL", "applications/new/total") in rules(editor)
    assert "gi-error" in classes(editor.field("applications", "new", "total"))
    changed = editor.recompute_totals()
    assert ("applications", "new", "total") in changed
    assert editor.field("applications", "new", "total").value == "1"
    assert "APP-TOTAL-COL" not in {f.rule for f in editor.findings}


def test_negative_count_is_kept_and_flagged_not_clamped(editor: ReportEditor) -> None:
    widget = editor.field("review_litigation", "review", "maintained")
    widget.value = "-1"
    assert widget.value == "-1"
    assert editor.report.review_litigation.cell("review", "maintained") == -1
    assert editor.field("review_litigation", "review", "total").value == "-1"
    negative = [f for f in editor.findings if f.rule == "NEGATIVE"]
    assert [f.where for f in negative] == [
        "review_litigation/review/maintained",
        "review_litigation/review/total",
    ]
    assert "gi-error" in classes(widget)


def test_active_cells_counts_and_amounts(editor: ReportEditor) -> None:
    editor.field("active", "rules", "issued").value = 2
    editor.field("active", "fees_10k_yuan").value = 1.25
    assert editor.report.active.get("rules", "issued") == 2
    assert editor.report.active.get("fees_10k_yuan") == Decimal("1.25")
    editor.field("active", "fees_10k_yuan").value = "2000000000"  # 20 万亿元: the wrong unit
    assert [f.rule for f in editor.findings] == ["FEE-UNIT"]
    assert "gi-error" in classes(editor.field("active", "fees_10k_yuan"))


def test_basic_information_and_title(editor: ReportEditor) -> None:
    editor.field("agency_id").value = "Bad Id"
    assert [f.rule for f in editor.findings] == ["AGENCY-ID"]
    assert "gi-error" in classes(editor.field("agency_id"))
    editor.field("agency_id").value = "zezhou-xzsp"
    editor.field("year").value = 2022
    assert editor.report.year == 2022
    assert "2022年政府信息公开工作年度报告" in editor.title.value
    assert "未保存" in editor.title.value
    editor.field("kind").value = "government"
    assert editor.report.kind == "government"
    assert editor.findings == []


def test_narrative_markdown_preview_and_warning(editor: ReportEditor) -> None:
    problems = editor.field("narrative", "problems")
    problems.value = "无"
    assert [f.rule for f in editor.findings] == ["PROBLEMS-EMPTY"]
    assert "gi-warning" in classes(problems)
    assert "gi-error" not in classes(problems)
    problems.value = "**培训不足**：已组织两次集中业务培训。<script>alert(1)</script>"
    assert editor.findings == []
    preview = editor._previews[("narrative", "problems", None)].value
    assert "<strong>培训不足</strong>" in preview
    assert "<script>" not in preview
    intro = editor.field("narrative", "overview", "intro")
    intro.value = "一年来……"
    assert editor.report.narrative.overview.intro == "一年来……"


def test_processing_fees_switch(editor: ReportEditor) -> None:
    switch = editor.field("processing_fees")
    assert switch.value is True
    switch.value = False
    assert editor.report.processing_fees is None
    assert [f.rule for f in editor.findings] == ["FEES-STATEMENT"]
    notices = editor.field("processing_fees", "notices")
    assert "gi-warning" in classes(notices) and notices.disabled
    switch.value = True  # the file's own figures come back, as they were
    assert not editor.dirty and notices.value == "0" and not notices.disabled
    notices.value = 2
    assert editor.report.processing_fees is not None
    assert editor.report.processing_fees.notices == 2


def test_processing_fees_switched_on_start_not_filled_in(seed: Path) -> None:
    text = seed.read_text("utf-8")
    start, end = text.index("\nprocessing_fees:"), text.index("\nactive:")
    seed.write_text(text[:start] + text[end:], "utf-8")
    editor = ReportEditor.from_file(seed)
    assert [f.rule for f in editor.findings] == ["FEES-STATEMENT"]
    editor.field("processing_fees").value = True
    notices = editor.field("processing_fees", "notices")
    assert notices.value == "" and notices.placeholder == "未填"  # never a silent 0
    assert {f.rule for f in editor.findings} == {"MISSING"}
    for key in L.PROCESSING_FEE_KEYS:
        editor.field("processing_fees", key).value = "0"
    assert editor.findings == []


def test_clicking_a_finding_shows_its_cells(editor: ReportEditor) -> None:
    editor.tabs.selected_index = 0
    editor.field("applications", "carried_forward", "other").value = 1
    row = editor.findings_list.children[0]
    assert "三 其他列" in row.children[1].value  # the cell is named in Chinese
    row.children[0].click()
    assert editor.tabs.selected_index == tab_of(("applications", "new", "other")) == 3
    for name in ("new", "carried_over", "total", "carried_forward"):
        assert "gi-focus" in classes(editor.field("applications", name, "other"))
    assert "gi-focus" not in classes(editor.field("applications", "new", "natural_person"))


def test_findings_panel_is_debounced_in_a_running_loop(seed: Path) -> None:
    async def scenario() -> None:
        editor = ReportEditor.from_file(seed, debounce=0.05)
        editor.field("applications", "new", "natural_person").value = 1
        editor.field("applications", "new", "natural_person").value = 2
        assert [f.rule for f in editor.findings][:1] == ["APP-BALANCE"]  # model: at once
        assert panel_rules(editor) == []  # panel: after the pause
        await asyncio.sleep(0.2)
        assert panel_rules(editor) == ["APP-BALANCE", "APP-BALANCE"]
        editor.field("applications", "new", "natural_person").value = 0
        editor.refresh()  # synchronous flush, no waiting
        assert panel_rules(editor) == []

    asyncio.run(scenario())


def test_grid_labels_come_from_the_layout(editor: ReportEditor) -> None:
    page = editor.tabs.children[3].children[1].children[0]
    texts = [unescape(w.value) for w in page.children if isinstance(w, W.HTML)]
    for row in L.APPLICATION_ROWS:
        assert texts.count(row.label) == 1, row.label
    for group in {g for row in L.APPLICATION_ROWS for g in row.groups}:
        assert texts.count(group.label) == 1, group.label
    assert L.APPLICATION_NOTE in texts
    results = next(
        w for w in page.children if isinstance(w, W.HTML) and unescape(w.value) == L.RESULTS.label
    )
    assert results.layout.grid_area == "6 / 1 / span 22 / span 1"  # rowspan 22, as on paper


# --------------------------------------------------------------------------- files


def test_saving_an_unchanged_seed_keeps_every_value(editor: ReportEditor, seed: Path) -> None:
    before = load(seed)
    assert editor.save() == seed
    after = load(seed)
    assert after == before  # every number, every narrative text, every field
    assert after.narrative == before.narrative
    assert list(read_mapping(seed)) == [k for k in L.TOP_LEVEL_KEYS if k in read_mapping(seed)]
    text = seed.read_text("utf-8")
    assert "    new: [0, 0, 0, 0, 0, 0, 0]\n" in text  # rows stay one readable line
    assert "fees_10k_yuan: 24457.4\n" in text
    assert "泽州县行政审批服务管理局" in text  # not \u-escaped


def test_save_then_reload_and_revert(editor: ReportEditor, seed: Path) -> None:
    editor.field("applications", "new", "legal_services").value = 4
    editor.field("applications", "granted", "legal_services").value = 4
    assert editor.dirty
    editor.save_button.click()
    assert not editor.dirty
    assert "已保存" in editor.status.value
    saved = load(seed)
    assert saved.applications.rows["new"] == (0, 0, 0, 0, 4, 0, 4)
    assert saved.applications.rows["total"] == (0, 0, 0, 0, 4, 0, 4)
    editor.field("applications", "new", "legal_services").value = 7
    editor.revert_button.click()  # asks first (see test_revert_asks_before_discarding_edits)
    editor.confirm.choose("discard")
    assert editor.field("applications", "new", "legal_services").value == "4"
    assert editor.report.applications.rows["new"] == (0, 0, 0, 0, 4, 0, 4)
    assert editor.findings == [] and not editor.dirty
    assert "重新读取" in editor.status.value


def test_save_as_and_unreadable_revert_give_one_line(editor: ReportEditor, tmp_path: Path) -> None:
    other = tmp_path / "copy.json"
    editor.save(other)
    assert editor.path == other and load(other) == editor.report
    other.write_text("{not json", "utf-8")
    editor.revert_button.click()
    assert "copy.json" in editor.status.value and "格式错误" in editor.status.value
    assert "再点“还原”" in editor.status.value
    assert "gi-status-error" in editor.status.value


# --------------------------------------------------------------------------- never loses data


def test_saving_an_untouched_file_keeps_every_byte(editor_of, handwritten: Path) -> None:
    before = handwritten.read_text("utf-8")
    editor = editor_of(handwritten)
    found = {(f.rule, f.where) for f in editor.findings}
    assert ("UNKNOWN-KEY", "applications/grantd") in found
    assert {("CELL-BLANK", "active/punishment"), ("CELL-BLANK", "active/coercion")} <= found
    assert editor.field("active", "punishment").value == "/"  # the blank as written
    assert editor.field("review_litigation", "review", "corrected").value == "-"
    assert not editor.dirty
    editor.save()
    assert handwritten.read_text("utf-8") == before  # comments, the misspelt row, the blanks
    assert {(f.rule, f.where) for f in editor_of(handwritten).findings} == found


def test_saving_an_edit_changes_only_its_line(editor_of, handwritten: Path) -> None:
    before = handwritten.read_text("utf-8")
    editor = editor_of(handwritten)
    editor.field("active", "licensing").value = "10728"
    editor.field("narrative", "other").value = "本年度无其他需要报告的事项。"
    editor.save()
    after = handwritten.read_text("utf-8")
    assert sorted(changed_lines(before, after)) == [
        "+  licensing: 10728",
        "+  other: 本年度无其他需要报告的事项。",
        "-  licensing: 10727",
        "-  other: 无",
    ]
    assert after.startswith("# 泽州县行政审批服务管理局 2021年政府信息公开工作年度报告")


def test_odd_scalars_survive_a_save(editor_of, seed: Path) -> None:
    text = (
        seed.read_text("utf-8")
        .replace("  licensing: 10727\n", "  licensing: 010727\n")  # NUMBER-FORMAT, kept
        .replace("  punishment: 0\n", "  punishment: ~\n")  # not filled in, as written
        .replace(
            "rules: {issued: 0, repealed: 0, in_force: 0}",
            "rules: {issued: 0, repealed: -, in_force: +0}",
        )
    )
    seed.write_bytes(("\ufeff" + text).replace("\n", "\r\n").encode("utf-8"))
    before = seed.read_bytes()
    editor = editor_of(seed)
    assert editor.field("active", "licensing").value == "010727"
    assert editor.field("active", "punishment").value == ""
    assert {"NUMBER-FORMAT", "MISSING", "CELL-BLANK"} <= {f.rule for f in editor.findings}
    editor.save()
    assert seed.read_bytes() == before  # BOM, CRLF, ~, +0, - and 010727 as written
    editor.field("active", "coercion").value = "3"
    editor.save()
    lines = changed_lines(before.decode("utf-8-sig"), seed.read_bytes().decode("utf-8-sig"))
    assert lines == ["-  coercion: 0", "+  coercion: 3"]
    assert seed.read_bytes().count(b"\r\n") == before.count(b"\r\n")


def test_a_save_that_would_change_unedited_values_writes_nothing(
    editor_of, seed: Path, monkeypatch
) -> None:
    import govinfo.params.roundtrip as roundtrip

    real = roundtrip.yaml_round_trip

    def lossy(text: str, edits: object, **options: object) -> str:  # a library bug, say
        return real(text, edits, **options).replace("  coercion: 0\n", "")

    monkeypatch.setattr(roundtrip, "yaml_round_trip", lossy)
    before = seed.read_bytes()
    editor = editor_of(seed)
    editor.field("active", "licensing").value = "1"
    editor.save_button.click()
    assert seed.read_bytes() == before
    assert "active.coercion" in editor.status.value and "未写入" in editor.status.value
    assert editor.dirty


def test_cells_not_filled_in_show_empty_and_stay_so(editor_of, seed: Path) -> None:
    text = seed.read_text("utf-8").replace("    granted: [0, 0, 0, 0, 0, 0, 0]\n", "")
    seed.write_text(text.replace("  coercion: 0\n", "  coercion: null\n"), "utf-8")
    editor = editor_of(seed)
    granted = editor.field("applications", "granted", "natural_person")
    assert granted.value == "" and granted.placeholder == "未填"  # never shown as 0
    assert editor.field("active", "coercion").value == ""
    assert {(f.rule, f.where) for f in editor.findings if f.rule == "MISSING"} == {
        ("MISSING", "applications/granted"),
        ("MISSING", "active/coercion"),
    }
    assert "gi-error" in classes(granted)
    preview = BeautifulSoup(editor.preview.value, "lxml")
    shown = preview.select_one('td[data-row="granted"][data-col="natural_person"]')
    assert shown is not None and shown.text == "未填"
    granted.value = "0"  # one cell filled in: the row is written around it, the rest null
    editor.save()
    text = seed.read_text("utf-8")
    assert "    granted: [0, null, null, null, null, null, null]\n" in text
    assert "  coercion: null\n" in text
    # the totals it feeds follow: its column's （七）总计 is 0, the grand total has holes
    assert "    total: [0, 0, 0, 0, 0, 0, null]\n" in text
    assert {f.where for f in editor.findings if f.rule == "MISSING"} == {
        "applications/granted",
        "active/coercion",
    }


def test_a_decimal_in_a_count_stays_visible_as_an_error(editor_of, seed: Path) -> None:
    editor = editor_of(seed)
    cell = editor.field("applications", "new", "natural_person")
    cell.value = "1.5"
    assert cell.value == "1.5"  # as typed, never 15 or 1
    assert ("NOT-INTEGER", "applications/new/natural_person") in rules(editor)
    assert "gi-error" in classes(cell)
    total = editor.field("applications", "new", "total")
    assert total.value == "" and total.placeholder == "未填"  # no total of a fraction
    editor.save()
    assert "    new: [1.5, 0, 0, 0, 0, 0, null]\n" in seed.read_text("utf-8")
    assert ("NOT-INTEGER", "applications/new/natural_person") in rules(editor_of(seed))


def test_text_that_is_no_number_is_kept_and_not_saved(editor_of, seed: Path) -> None:
    before = seed.read_bytes()
    editor = editor_of(seed)
    cell = editor.field("review_litigation", "review", "maintained")
    cell.value = "3件"
    assert cell.value == "3件" and "gi-error" in classes(cell)
    assert ("NOT-A-NUMBER", "review_litigation/review/maintained") in rules(editor)
    editor.save_button.click()
    assert seed.read_bytes() == before
    assert "未保存" in editor.status.value and "3件" in editor.status.value
    cell.value = "3"
    editor.save_button.click()
    assert load(seed).review_litigation.groups["review"] == (3, 0, 0, 0, 3)


def test_a_file_changed_on_disk_is_not_overwritten_silently(editor_of, seed: Path) -> None:
    editor = editor_of(seed)
    editor.field("active", "licensing").value = "1"
    theirs = seed.read_text("utf-8").replace("  punishment: 0\n", "  punishment: 9\n")
    seed.write_text(theirs, "utf-8")  # another program (or another editor) saved meanwhile
    with pytest.raises(FileChangedError, match="changed on disk"):
        editor.save()
    editor.save_button.click()
    assert seed.read_text("utf-8") == theirs
    assert set(editor.confirm.buttons) == {"reload", "overwrite"}
    assert "重新读取" in editor.confirm.buttons["reload"].description
    assert editor.confirm.buttons["overwrite"].description == "仍然覆盖"
    editor.confirm.choose("reload")  # their file, our edit gone (the user chose so)
    assert editor.field("active", "punishment").value == "9"
    assert editor.field("active", "licensing").value == "10727" and not editor.dirty

    editor.field("active", "licensing").value = "2"
    seed.write_text(theirs.replace("  coercion: 0\n", "  coercion: 8\n"), "utf-8")
    editor.save_button.click()
    editor.confirm.choose("overwrite")
    saved = load(seed)
    assert saved.active.get("licensing") == 2 and saved.active.get("coercion") == 0
    assert "已保存" in editor.status.value
    editor.field("active", "licensing").value = "3"
    assert editor.save() == seed  # our own save is no change on disk


def test_saving_through_a_symbolic_link_writes_its_target(
    editor_of, seed: Path, tmp_path: Path
) -> None:
    link = tmp_path / "current.yaml"
    link.symlink_to(seed)
    editor = editor_of(link)
    editor.field("active", "licensing").value = "5"
    editor.save()
    assert link.is_symlink() and os.readlink(link) == str(seed)
    assert load(seed).active.get("licensing") == 5
    assert editor.path == link


def test_revert_asks_before_discarding_edits(editor_of, seed: Path) -> None:
    editor = editor_of(seed)
    cell = editor.field("applications", "new", "other")
    cell.value = "4"
    editor.revert_button.click()
    assert set(editor.confirm.buttons) == {"discard", "cancel"}
    assert editor.confirm.buttons["discard"].description == "放弃修改"
    assert cell.value == "4" and editor.dirty
    editor.confirm.choose("cancel")
    assert cell.value == "4" and editor.dirty and not editor.confirm.asking
    with pytest.raises(UnsavedChangesError):
        editor.revert()
    editor.revert_button.click()
    editor.confirm.choose("discard")
    assert cell.value == "0" and not editor.dirty


def test_launcher_asks_before_open_or_new_discards_edits(seed: Path) -> None:
    root = seed.parents[2]
    launcher = EditorLauncher(root=root)
    editor = launcher.editor
    assert editor is not None
    editor.field("applications", "new", "other").value = "4"
    launcher.path_text.value = "parameters/2021/zezhou-xzsp.yaml"
    launcher.open_button.click()
    assert launcher.editor is editor and set(launcher.confirm.buttons) == {"discard", "cancel"}
    launcher.confirm.choose("cancel")
    assert launcher.editor is editor and editor.field("applications", "new", "other").value == "4"

    launcher.path_text.value = "parameters/2024/shili-jyj.yaml"
    launcher.new_agency.value = "示例县教育局"
    launcher.new_id.value = "shili-jyj"
    launcher.new_year.value = 2024
    launcher.new_button.click()
    assert launcher.editor is editor and not (root / "parameters/2024/shili-jyj.yaml").exists()
    launcher.confirm.choose("discard")
    assert launcher.editor is not editor and launcher.editor.report.agency == "示例县教育局"
    assert load(seed).applications.rows["new"] == (0,) * 7  # the discarded edit, never saved


def test_json_files_keep_unknown_keys_and_blanks(editor_of, seed: Path) -> None:
    data = json.loads(json.dumps(read_mapping(seed), default=float))
    data["applications"]["rows"]["grantd"] = [2, 0, 0, 0, 0, 0, 2]
    data["active"]["punishment"] = "/"
    target = seed.with_suffix(".json")
    target.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    editor = editor_of(target)
    editor.field("active", "licensing").value = "1"
    editor.save()
    saved = json.loads(target.read_text("utf-8"))
    assert saved["applications"]["rows"]["grantd"] == [2, 0, 0, 0, 0, 0, 2]
    assert saved["active"]["punishment"] == "/" and saved["active"]["licensing"] == 1
    assert ("UNKNOWN-KEY", "applications/grantd") in rules(editor_of(target))


def test_pasted_blanks_are_flagged_not_zeros(editor_of, seed: Path) -> None:
    editor = editor_of(seed)
    result = editor.paste("1\t-\t\t/\t0\t0\n", "new")
    assert result.ok
    assert [editor.field("applications", "new", c).value for c in COLUMNS] == [
        "1", "-", "", "/", "0", "0", "",
    ]  # fmt: skip
    line = "粘贴内容第 1 行（一、本年新收政府信息公开申请数量）"
    assert result.notes == (
        f"{line}商业企业列“-”：按公布的空白保留（按 0 计）",
        f"{line}科研机构列为空：记为未填写，请补填",
        f"{line}社会公益组织列“/”：按公布的空白保留（按 0 计）",
    )
    found = rules(editor)
    assert ("CELL-BLANK", "applications/new/commercial") in found
    assert ("CELL-BLANK", "applications/new/social_welfare") in found
    assert ("MISSING", "applications/new") in found
    assert "未填写" in editor.paste_status.value
    editor.save()
    assert "    new: [1, '-', null, /, 0, 0, null]\n" in seed.read_text("utf-8")


# --------------------------------------------------------------------------- paste


def test_paste_one_row_into_the_chosen_row(editor: ReportEditor) -> None:
    result = editor.paste("1\t2\t3\t4\t5\t6\n", "new")
    assert result.ok
    assert editor.report.applications.rows["new"] == (1, 2, 3, 4, 5, 6, 21)
    assert editor.field("applications", "new", "total").value == "21"
    assert {f.rule for f in editor.findings} == {"APP-BALANCE"}
    editor.paste_row.value = "granted"
    editor.paste_text.value = "1\t2\t3\t4\t5\t6\t21"
    editor.paste_button.click()
    assert "已粘贴 1 行" in editor.paste_status.value
    assert editor.report.applications.rows["total"] == (1, 2, 3, 4, 5, 6, 21)
    assert editor.findings == []


def test_paste_block_with_official_labels_from_excel(editor: ReportEditor) -> None:
    block = (
        f"{L.APPLICATION_NOTE}\t\t\t{L.APPLICANT_HEADER}\n"
        '\t\t\t自然人\t法人或其他组织\t\t\t\t\t总计\n\t\t\t\t"商业\n企业"\t科研机构\t社会公益组织'
        "\t法律服务机构\t其他\t\n"
        "一、本年新收政府信息公开申请数量\t\t\t5\t1\t0\t0\t0\t0\t6\n"
        "二、上年结转政府信息公开申请数量\t\t\t0\t0\t0\t0\t0\t0\t0\n"
        "三、本年度办理结果\t（一）予以公开\t\t3\t1\t0\t0\t0\t0\t4\n"
        '\t（三）不予公开\t3.危及"三安全一稳定"\t1\t0\t0\t0\t0\t0\t1\n'
        "\t（七）总计\t\t4\t1\t0\t0\t0\t0\t5\n"
        "四、结转下年度继续办理\t\t\t1\t0\t0\t0\t0\t0\t1\n"
    )
    result = editor.paste(block, "granted")  # labels win over the chosen row
    assert result.ok, result.errors
    rows = editor.report.applications.rows
    assert rows["new"] == (5, 1, 0, 0, 0, 0, 6)
    assert rows["granted"] == (3, 1, 0, 0, 0, 0, 4)
    assert rows["withheld_three_safety_one_stability"] == (1, 0, 0, 0, 0, 0, 1)
    assert rows["total"] == (4, 1, 0, 0, 0, 0, 5)
    assert rows["carried_forward"] == (1, 0, 0, 0, 0, 0, 1)
    assert result.notes == ()
    assert editor.findings == []


def test_paste_with_a_bad_value_changes_nothing_and_names_it(editor: ReportEditor) -> None:
    before = editor.report
    result = editor.paste("0\t0\t0\t0\t0\t0\n1\t1O\t0\t0\t0\t0\n", "granted")
    assert not result.ok
    assert editor.report is before
    assert result.errors == (
        "粘贴内容第 2 行（（二）部分公开（区分处理的，只计这一情形，不计其他情形））商业企业列："
        "“1O”不是数字",
    )
    assert "1O" in editor.paste_status.value and "未粘贴任何数字" in editor.paste_status.value
    short = editor.paste("1\t2\t3", "new")
    assert short.errors == (
        "粘贴内容第 1 行（一、本年新收政府信息公开申请数量）：有 3 个数值，"
        "应为 6 个（不含总计）或 7 个",
    )
    unknown = editor.paste("本年新增\t1\t0\t0\t0\t0\t0")
    assert unknown.errors == ("粘贴内容第 1 行：无法识别行标题“本年新增”",)


def test_paste_with_a_wrong_total_computes_it_and_says_so(editor: ReportEditor) -> None:
    result = editor.paste("2\t0\t0\t0\t0\t0\t3", "carried_over")
    assert result.ok
    assert editor.report.applications.rows["carried_over"] == (2, 0, 0, 0, 0, 0, 2)
    assert result.notes == (
        "粘贴内容第 1 行（二、上年结转政府信息公开申请数量）：粘贴的总计 3 与六列之和 2 不符，"
        "总计按六列之和计算",
    )


# --------------------------------------------------------------------------- launcher


def test_launcher_opens_the_default_and_creates_new_files(seed: Path) -> None:
    root = seed.parents[2]
    launcher = EditorLauncher(root=root)
    assert launcher.editor is not None
    assert launcher.editor.report.agency == "泽州县行政审批服务管理局"

    launcher.path_text.value = "parameters/2024/shili-jyj.yaml"
    launcher.new_agency.value = "示例县教育局"
    launcher.new_id.value = "shili-jyj"
    launcher.new_year.value = 2024
    launcher.new_button.click()
    created = root / "parameters/2024/shili-jyj.yaml"
    assert created.is_file() and "已新建" in launcher.message.value
    assert launcher.editor.report.title == "示例县教育局2024年政府信息公开工作年度报告"
    assert load(created).applications.is_empty
    blank = launcher.editor.field("applications", "new", "natural_person")
    assert blank.value == "" and blank.placeholder == "未填"  # not filled in, not 0

    launcher.new_button.click()  # never overwrites
    assert "已存在" in launcher.message.value
    launcher.path_text.value = "parameters/nowhere.yaml"
    launcher.open_button.click()
    assert "nowhere.yaml" in launcher.message.value and "找不到文件" in launcher.message.value
    assert launcher.editor.report.agency == "示例县教育局"  # the open editor stays
    launcher.path_text.value = "parameters/2024/summary.yaml"
    launcher.new_id.value = "summary"  # the site's own page
    launcher.new_button.click()
    assert "网站自用" in launcher.message.value
    assert not (root / "parameters/2024/summary.yaml").exists()


def test_css_class_and_preview_scoping(editor: ReportEditor) -> None:
    assert css_class(("active", "licensing", None)) == "gi-cell-active-licensing"
    html = preview_html(editor.report, [])
    assert ":root" not in html and ".gi-preview {" in html


# --------------------------------------------------------------------------- render


def test_served_url_uses_the_parent_server(tmp_path: Path, monkeypatch) -> None:
    import jupyter_server.serverapp as serverapp

    servers = [
        {"pid": 1, "root_dir": "/elsewhere", "base_url": "/"},
        {"pid": 4242, "root_dir": str(tmp_path), "base_url": "/user/officer/"},
    ]
    monkeypatch.setattr(serverapp, "list_running_servers", lambda: iter(servers))
    page = tmp_path / "site" / "2021" / "zezhou-xzsp.html"
    monkeypatch.delenv("JPY_PARENT_PID", raising=False)
    assert served_url(page) is None  # not started by a Jupyter server
    monkeypatch.setenv("JPY_PARENT_PID", "4242")
    assert served_url(page) == "/user/officer/files/site/2021/zezhou-xzsp.html"
    assert served_url(Path("/tmp/outside.html")) is None  # not under the server's root


def test_render_failure_is_a_status_line(editor: ReportEditor, monkeypatch) -> None:
    import govinfo.publish.pipeline as pipeline

    def fail(*args: object, **kwargs: object) -> None:
        raise pipeline.RenderError("notebook failed in cell 3: KeyError: 'x'")

    monkeypatch.setattr(pipeline, "render", fail)
    editor.render_button.click()
    assert "未生成报告" in editor.status.value and "KeyError" in editor.status.value


def test_render_asks_before_saving_an_invalid_edit(editor: ReportEditor, seed: Path) -> None:
    before = seed.read_bytes()
    editor.field("applications", "new", "natural_person").value = 1
    editor.render_button.click()  # nothing written yet: the user is asked
    assert seed.read_bytes() == before
    assert editor.confirm.asking and set(editor.confirm.buttons) == {"save-invalid", "cancel"}
    assert "未保存，未生成报告" in editor.status.value and "文件有" not in editor.status.value
    editor.confirm.choose("cancel")
    assert seed.read_bytes() == before and editor.dirty
    assert "未保存，未生成报告" in unescape(editor.status.value)
    with pytest.raises(ValueError, match="未保存"):  # the Python API refuses too
        editor.render()
    assert seed.read_bytes() == before

    editor.render_button.click()
    editor.confirm.choose("save-invalid")  # the user's choice: saved, and said so
    assert load(seed).applications.total("new") == 1
    assert f"已保存 {seed}" in unescape(editor.status.value)
    assert not editor.dirty
    assert not (seed.parents[2] / "site").exists()
    editor.render_button.click()  # saved and invalid: the pipeline refuses, nothing new saved
    assert "未生成报告：文件有 2 个错误" in editor.status.value
    assert "已保存" not in editor.status.value


def test_render_says_what_it_saved(editor: ReportEditor, seed: Path, monkeypatch) -> None:
    import govinfo.batch.record as batch

    published: list[Path] = []

    def render(path: Path, outdir: Path, allow_invalid: bool) -> object:
        published.append(Path(path))
        assert not allow_invalid and load(path).applications.total("new") == 2
        return type("Result", (), {"html": outdir / "2021" / "zezhou-xzsp.html"})()

    monkeypatch.setattr(batch, "render_into_site", render)
    editor.field("applications", "new", "research").value = 2
    editor.field("applications", "granted", "research").value = 2
    editor.render_button.click()
    status = unescape(editor.status.value)
    assert f"已保存 {seed}（修改 6 处）" in status and "已生成" in status  # 2 cells, 4 totals
    assert published == [seed] and not editor.dirty


def test_render_publishes_the_html(editor: ReportEditor, seed: Path) -> None:
    editor.render_button.click()
    html = seed.parents[2] / "site" / "2021" / "zezhou-xzsp.html"
    assert html.is_file()
    assert "已生成" in editor.status.value and str(html) in unescape(editor.status.value)
    assert "泽州县行政审批服务管理局" in html.read_text("utf-8")


# --------------------------------------------------------------------------- for a non-programmer
# (issue 15: each test here fails on the editor as it was)


def prose(html_text: str) -> str:
    """What a message says in words: paths (``<code>``) and the folded technical detail
    (``<details>``, for a technician) left out."""
    soup = BeautifulSoup(html_text, "html.parser")
    for tag in soup.find_all(["code", "details", "style"]):
        tag.decompose()
    return soup.get_text()


def assert_chinese_advice(html_text: str) -> None:
    """Chinese only, no command-line flag anywhere, and it says what to do (请 …)."""
    words = prose(html_text)
    assert words.strip(), html_text
    assert not re.search(r"[A-Za-z]{2,}", words), words
    assert not re.search(r"--[a-z]", words), words
    # Not even folded away: the flags the CLI's messages once told the officer to use. (The
    # technical detail may quote another process's command line, which has flags of its own.)
    assert not re.search(r"--(allow-invalid|force|from)\b", html_text), html_text
    assert "请" in words, words


def test_new_uses_the_fields_beside_it_not_the_open_file(seed: Path) -> None:
    """新建 beside an open file writes the file its fields name, in parameters/<年度>/."""
    root = seed.parents[2]
    before = seed.read_bytes()
    launcher = EditorLauncher(root=root)
    assert launcher.path_text.value == "parameters/2021/zezhou-xzsp.yaml"  # another file
    launcher.new_agency.value = "示例县测试局"
    launcher.new_id.value = "shili-csj"
    launcher.new_year.value = 2024
    assert "parameters/2024/shili-csj.yaml" in launcher.new_target.value  # said beforehand
    launcher.new_button.click()
    created = root / "parameters/2024/shili-csj.yaml"
    assert created.is_file() and seed.read_bytes() == before
    assert "已存在" not in launcher.message.value and "已新建" in launcher.message.value
    assert launcher.editor is not None and launcher.editor.path == created
    assert launcher.editor.report.title == "示例县测试局2024年政府信息公开工作年度报告"
    assert launcher.path_text.value == "parameters/2024/shili-csj.yaml"
    assert "# 机关名称" in created.read_text("utf-8")  # labelled, like `govinfo new`


def test_new_offers_to_start_from_last_years_file(seed: Path) -> None:
    """Opening 2021 offers its 2022 (govinfo new --from): carried figures, text to update."""
    root = seed.parents[2]
    launcher = EditorLauncher(root=root)
    assert (launcher.new_agency.value, launcher.new_id.value, launcher.new_year.value) == (
        "泽州县行政审批服务管理局",
        "zezhou-xzsp",
        2022,
    )
    box = launcher.from_last_year
    assert box.layout.display != "none" and box.value
    assert "以上年度报告为基础" in box.description and "2021/zezhou-xzsp.yaml" in box.description
    launcher.new_button.click()
    created = root / "parameters/2022/zezhou-xzsp.yaml"
    report = load(created)
    assert report.previous_path == "../2021/zezhou-xzsp.yaml"
    assert report.region == "山西省晋城市泽州县"
    assert report.narrative.problems.startswith(L.NARRATIVE_CARRIED)
    assert report.applications.cell("carried_over", "natural_person") == 0  # carried
    assert "待更新" in unescape(launcher.message.value)

    launcher.new_id.value = "shili-nothing"  # no file last year: nothing to offer
    assert box.layout.display == "none"
    launcher.new_agency.value = "示例县无上年局"
    launcher.new_button.click()
    blank = load(root / "parameters/2022/shili-nothing.yaml")
    assert blank.previous_path is None and blank.agency == "示例县无上年局"

    launcher.new_id.value = "zezhou-xzsp"
    launcher.new_year.value = 2023  # 2022 exists now: offered, and can be declined
    assert box.layout.display != "none"
    box.value = False
    launcher.new_button.click()
    assert load(root / "parameters/2023/zezhou-xzsp.yaml").previous_path is None


def test_every_message_is_chinese_and_says_what_to_do(seed: Path, monkeypatch) -> None:
    import govinfo.batch.record as record
    import govinfo.publish.pipeline as pipeline
    from govinfo.files import site_lock

    root = seed.parents[2]
    (root / "parameters" / "bad.yaml").write_text("agency: [unclosed\n", "utf-8")
    launcher = EditorLauncher(root=root)
    said: list[str] = []

    def open_(path: str) -> None:
        launcher.path_text.value = path
        launcher.open_button.click()
        said.append(launcher.message.value)

    def new(agency: str, agency_id: str, year: int) -> None:
        launcher.new_agency.value, launcher.new_id.value = agency, agency_id
        launcher.new_year.value = year
        launcher.from_last_year.value = False
        launcher.new_button.click()
        said.append(launcher.message.value)

    open_("parameters/nowhere.yaml")
    open_("parameters/bad.yaml")
    new("", "shili-x", 2030)  # no agency
    new("示例局", "", 2030)  # no id
    new("示例局", "Shili_X", 2030)
    new("示例局", "shili-x", 1999)
    new("示例局", "zezhou-xzsp", 2021)  # exists
    launcher.path_text.value = "parameters/2021/zezhou-xzsp.yaml"
    editor = launcher.open_file()
    assert editor is not None

    def click(button: W.Button) -> None:
        button.click()
        said.append(editor.status.value)

    def failing_render(*args: object, **kwargs: object) -> None:
        raise pipeline.RenderError(f"{seed}: notebook failed in cell 3: KeyError: 'x'")

    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "render", failing_render)
        click(editor.render_button)
    with site_lock(editor.outdir):  # a batch holds the site
        click(editor.render_button)
    editor.field("applications", "new", "natural_person").value = "abc"
    click(editor.save_button)  # no number
    editor.field("applications", "new", "natural_person").value = "1"
    click(editor.render_button)  # invalid edit: asks first
    editor.confirm.choose("cancel")
    said.append(editor.status.value)
    editor.confirm.dismiss()
    editor.save()
    click(editor.render_button)  # saved and invalid: the pipeline refuses
    with monkeypatch.context() as patch:

        def no_room(*args: object, **kwargs: object) -> None:
            raise OSError(28, "No space left on device", str(seed))

        patch.setattr(editor.session, "save", no_room)
        editor.field("applications", "new", "natural_person").value = "0"
        click(editor.save_button)
    seed.write_text(seed.read_text("utf-8") + "\n# changed elsewhere\n", "utf-8")
    click(editor.save_button)  # changed on disk: asks
    assert not (root / "site" / "2021" / "zezhou-xzsp.html").exists()
    assert record.render_into_site  # the real one ran for the refusal above

    assert len(said) == 15
    for message in said:
        assert_chinese_advice(message)
    assert "找不到文件" in said[0] and "未生成报告：文件有 2 个错误" in said[12]


def test_choice_labels_have_no_english(editor: ReportEditor) -> None:
    dropdowns = [w for w in editor.fields().values() if isinstance(w, W.Dropdown)]
    dropdowns.append(editor.paste_row)
    assert len(dropdowns) == 3
    labels = [str(label) for dropdown in dropdowns for label, _ in dropdown.options]
    assert "政府部门" in labels and "本行政区域汇总" in labels
    assert not [label for label in labels if re.search(r"[A-Za-z]", label)]
    assert editor.field("kind").value == "department"  # the file's value is unchanged


def test_the_notebook_opens_with_the_code_folded_away() -> None:
    notebook = json.loads((ROOT / "notebooks" / "editor.ipynb").read_text("utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert len(code) == 1
    assert code[0]["metadata"]["jupyter"]["source_hidden"] is True
    first = code[0]["source"][0]  # what JupyterLab shows of a folded cell
    assert first.startswith("# ") and not re.search(r"[A-Za-z]", first)
    from govinfo.editor.panel import DOCK_CSS  # and once it runs, only the editor shows

    assert ".jp-CodeCell:has(.gi-launcher) .jp-Cell-inputWrapper { display: none; }" in DOCK_CSS


def test_findings_stay_in_view_above_the_tables(editor: ReportEditor) -> None:
    """校验结果 sits in a sticky dock with the buttons, above the tabs, not below 28 rows."""
    from govinfo.editor.panel import DOCK_CSS

    children = list(editor.children)
    assert children.index(editor.dock) < children.index(editor.tabs)
    assert editor.findings_panel in editor.dock.children
    assert editor.save_button in editor.dock.children[0].children
    assert re.search(r"\.gi-dock \{[^}]*position: sticky; top: 0", DOCK_CSS)
    editor.field("applications", "new", "natural_person").value = 3
    assert "2 个错误" in editor.findings_summary.value
    assert panel_rules(editor) == ["APP-BALANCE"] * 2


def test_render_runs_beside_the_kernel_with_progress_then_a_link(
    editor: ReportEditor, seed: Path, monkeypatch
) -> None:
    """While the render runs (held at a gate in its thread), the editor shows 正在生成报告
    with a spinner and its buttons wait; then a link to the page."""
    import threading

    import jupyter_server.serverapp as serverapp

    import govinfo.batch.record as record

    root = seed.parents[2]
    page = root / "site" / "2021" / "zezhou-xzsp.html"
    entered, gate = threading.Event(), threading.Event()

    def render(path: Path, outdir: Path, allow_invalid: bool) -> object:
        entered.set()
        assert threading.current_thread() is not threading.main_thread()
        assert gate.wait(timeout=300), "hang guard"
        return type("Result", (), {"html": page})()

    monkeypatch.setattr(record, "render_into_site", render)
    monkeypatch.setenv("JPY_PARENT_PID", "4242")
    servers = [{"pid": 4242, "root_dir": str(root), "base_url": "/"}]
    monkeypatch.setattr(serverapp, "list_running_servers", lambda: iter(servers))

    async def scenario() -> None:
        editor.render_button.click()
        await asyncio.to_thread(entered.wait, 300)
        assert editor.rendering and editor.progress.layout.display != "none"
        assert "正在生成报告" in editor.progress.value and "gi-spinner" in editor.progress.value
        assert editor.render_button.disabled and editor.save_button.disabled
        editor.field("applications", "new", "research").value = "0"  # editing goes on
        gate.set()
        await asyncio.to_thread(editor.actions.thread.join, 300)
        for _ in range(1000):  # the result comes back through the event loop
            if not editor.rendering:
                break
            await asyncio.sleep(0.01)

    asyncio.run(scenario())
    assert not editor.rendering and editor.progress.layout.display == "none"
    assert not editor.render_button.disabled and not editor.save_button.disabled
    link = BeautifulSoup(editor.status.value, "html.parser").find("a")
    assert link is not None and link["href"] == "/files/site/2021/zezhou-xzsp.html"
    assert link.get_text() == "打开报告 zezhou-xzsp.html" and "已生成报告" in editor.status.value
