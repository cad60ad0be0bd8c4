"""Rule packs: the built-in ones load, a bad pack is refused naming file and field, and the
score is the maximum minus deductions traceable to problems."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from govinfo.audit.packs import PackError, builtin_names, load_pack
from govinfo.audit.problems import Problem
from govinfo.audit.score import apply_pack, score


def test_builtin_packs_load_cite_their_notice_and_have_a_full_calendar() -> None:
    assert {"national", "suqian", "yueyang", "wuwei"} <= set(builtin_names())
    for name in builtin_names():
        pack = load_pack(name)
        assert pack.notice.strip() and pack.title.strip()
        assert set(pack.calendar) == {"department", "county", "city", "province"}
    yueyang = load_pack("yueyang")
    assert yueyang.calendar["county"].publish_date(2024) == dt.date(2025, 2, 20)
    assert yueyang.calendar["county"].date(2024, "file_by") == dt.date(2025, 1, 31)
    assert load_pack("national").calendar["county"].publish_date(2024) == dt.date(2025, 3, 31)
    assert load_pack("suqian").check("REPEAT-PREVIOUS").deduction == 0.5
    assert load_pack("wuwei").threshold("overview_max_chars") == 1000
    assert load_pack("national").check("IMPORT-SOMETHING-NEW").severity == "info"
    assert not load_pack("national").check("PUBLISHED").apply


GOOD = """schema: govinfo/audit-pack@1
name: test
title: 测试
notice: 某通知
extends: national
"""


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ("colour: red\n", "colour", "unknown key"),
        ("checks:\n  TEXT-TABLE: {severity: fatal}\n", "checks.TEXT-TABLE.severity", "one of"),
        ("checks:\n  TEXT-TABLE: {deduction: -1}\n", "checks.TEXT-TABLE.deduction", "≥ 0"),
        ("checks:\n  TEXT-TABLE: {points: 1}\n", "checks.TEXT-TABLE.points", "unknown field"),
        ("checks:\n  text-table: {deduction: 1}\n", "checks.text-table", "upper case"),
        ("calendar:\n  county: {publish_by: '02-30'}\n", "calendar.county.publish_by", "MM-DD"),
        ("calendar:\n  town: {publish_by: '02-20'}\n", "calendar.town", "unknown level"),
        ("thresholds:\n  peer_rate: 1.5\n", "thresholds.peer_rate", "between 0 and 1"),
        ("thresholds:\n  speed: 1\n", "thresholds.speed", "unknown threshold"),
        ("max_score: lots\n", "max_score", "number"),
    ],
)
def test_a_bad_pack_is_refused_naming_file_and_field(
    tmp_path: Path, extra: str, field: str, words: str
) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(GOOD + extra, encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert caught.value.file == str(path)
    assert caught.value.field == field
    assert words in caught.value.message
    assert "\n" not in str(caught.value)


def test_missing_notice_cycles_and_unknown_names(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(GOOD.replace("notice: 某通知\n", ""), encoding="utf-8")
    with pytest.raises(PackError, match="notice"):
        load_pack(path)
    path.write_text(GOOD.replace("extends: national", f"extends: {path}"), encoding="utf-8")
    with pytest.raises(PackError, match="cycle"):
        load_pack(path)
    with pytest.raises(PackError, match="national"):
        load_pack("no-such-pack")
    path.write_text("schema: [", encoding="utf-8")
    with pytest.raises(PackError, match="YAML"):
        load_pack(path)


def test_a_local_pack_changes_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(GOOD + "checks:\n  TEXT-TABLE: {deduction: 3}\n", encoding="utf-8")
    pack, national = load_pack(path), load_pack("national")
    assert pack.check("TEXT-TABLE").deduction == 3
    assert pack.check("TEXT-TABLE").category == national.check("TEXT-TABLE").category
    assert pack.check("HEADINGS") == national.check("HEADINGS")


def _problem(rule: str, n: int = 0) -> Problem:
    return Problem(rule, f"问题{n}", "位置", severity="warning")


def test_score_is_max_minus_deductions_each_traced_to_a_problem() -> None:
    pack = load_pack("national")  # TEXT-TABLE: 2, then 0.5 each, at most 4
    found = [_problem("TEXT-TABLE", n) for n in range(6)]
    found += [_problem("PUBLISHED"), _problem("CELL-BLANK"), _problem("DEADLINE")]
    applied = apply_pack(found, pack)
    assert "PUBLISHED" not in {p.rule for p in applied}  # apply: false
    value, deductions, scored = score(applied, pack)
    assert {d.rule: d.points for d in deductions} == {"TEXT-TABLE": 4.0, "DEADLINE": 1.0}
    assert value == 95.0
    assert sum(p.deduction for p in scored) == pytest.approx(100 - value)
    assert [p.deduction for p in scored if p.rule == "TEXT-TABLE"] == [2, 0.5, 0.5, 0.5, 0.5, 0]
    assert all(p.severity == "error" for p in scored if p.rule == "TEXT-TABLE")
    assert {p.category for p in scored} == {"文表一致", "数据", "时效"}
