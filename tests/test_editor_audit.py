"""The live 年报体检 in the editor (govinfo.audit.live): as the officer types, the pack's
predicted score and the audit's problems show under 校验结果, tagged 体检, apart from the
rules' findings (which alone decide whether the report may be published)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from govinfo.audit.packs import PackError
from govinfo.editor.widget import ReportEditor

SEED = ROOT / "parameters" / "2021" / "zezhou-xzsp.yaml"


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    target = tmp_path / "parameters" / "2021" / "zezhou-xzsp.yaml"
    target.parent.mkdir(parents=True)
    shutil.copy(SEED, target)
    return target


def audit_rows(editor: ReportEditor) -> list[str]:
    rows = editor.findings_list.children
    return [row.finding.rule for row in rows if "gi-finding-audit" in row._dom_classes]


def test_the_score_falls_as_the_text_stops_matching_the_table(seed: Path) -> None:
    editor = ReportEditor.from_file(seed)
    before = editor.checkup
    assert before is not None and before.max_score == 100
    assert "年报体检" in editor.findings_summary.value
    assert f"{before.score:g} / 100" in editor.findings_summary.value
    assert "TEXT-TABLE" not in audit_rows(editor)
    # 一 states the year's new applications; the table now says otherwise.
    new = editor.field("applications", "new", "natural_person")
    new.value = int(new.value) + 5
    editor.field("applications", "carried_forward", "natural_person").value = 5
    editor.refresh()
    after = editor.checkup
    assert after is not None and after.score < before.score
    assert "TEXT-TABLE" in audit_rows(editor)
    finding = next(f for f in after.findings if f.rule == "TEXT-TABLE")
    assert "扣" in finding.zh  # the deduction is traceable to the problem
    # The rules decide publishing: the audit's problems are not among the findings.
    assert not any(f.rule == "TEXT-TABLE" for f in editor.findings)


def test_no_pack_no_checkup_and_a_bad_pack_is_one_line(seed: Path, tmp_path: Path) -> None:
    editor = ReportEditor.from_file(seed, pack=None)
    assert editor.checkup is None and "年报体检" not in editor.findings_summary.value
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nchecks: [1, 2]\n", "utf-8")
    with pytest.raises(PackError) as caught:
        ReportEditor.from_file(seed, pack=bad)
    assert str(bad) in str(caught.value) and "\n" not in str(caught.value)
