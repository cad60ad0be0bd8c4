"""``govinfo audit``: the outputs, escaping and formula safety, exit codes 0/1/2."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, write_yaml

from govinfo.cli import main

FIXTURE = Path(__file__).parent / "data" / "audit" / "hongze-qzf-2024.txt"


def test_parameters_and_a_published_report(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "audit"
    code = main(["audit", str(ROOT / "parameters"), str(FIXTURE), "-o", str(out), "--no-progress"])
    assert code == 1
    assert "audited 28 report(s) with pack national" in capsys.readouterr().out
    data = json.loads((out / "audit.json").read_text("utf-8"))
    assert data["pack"]["name"] == "national"
    reports = {(r["agency_id"], r["year"]): r for r in data["reports"]}
    hongze = reports[("hongze-qzf", 2024)]
    assert hongze["form"] == "published" and hongze["level"] == "county"
    text_table = [p for p in hongze["problems"] if p["rule"] == "TEXT-TABLE"]
    assert (
        len(text_table) == 1 and "受理政府信息公开申请17件" in text_table[0]["evidence"][0]["text"]
    )
    assert hongze["score"] == 100 - sum(d["points"] for d in hongze["deductions"])
    assert sum(p["deduction"] for p in hongze["problems"]) == pytest.approx(100 - hongze["score"])
    scores = [r["score"] for r in data["reports"] if r["year"] == 2022]
    assert scores == sorted(scores, reverse=True)  # ranked
    page = (out / "agencies" / "2024-hongze-qzf.html").read_text("utf-8")
    assert (
        "受理政府信息公开申请17件" in page
        and "表三 · 一、本年新收政府信息公开申请数量 · 总计：95" in page
    )
    index = (out / "index.html").read_text("utf-8")
    assert 'href="agencies/2024-hongze-qzf.html"' in index and 'id="ga-filter"' in index
    problems = sum(len(r["problems"]) for r in data["reports"])
    with (out / "problems.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["机关", "文件标识", "年度"] and len(rows) == problems + 1
    book = openpyxl.load_workbook(out / "audit.xlsx")
    assert book.sheetnames == ["总览", "问题清单", "规则包"]
    assert book["问题清单"].max_row == problems + 1
    assert book["总览"].max_row == len(data["reports"]) + 1


def test_hostile_text_is_escaped_and_never_a_formula(
    tmp_path: Path, seed_data: dict, capsys: pytest.CaptureFixture
) -> None:
    seed_data["agency"] = '<script>alert(1)</script>"示例局'
    seed_data["narrative"]["overview"]["intro"] = '=HYPERLINK("http://x")'
    seed_data["published"] = "2022-03-01"  # late: a problem whose row carries the name
    path = write_yaml(tmp_path / "in" / "x.yaml", seed_data)
    out = tmp_path / "audit"
    assert main(["audit", str(path), "-o", str(out), "--no-progress"]) == 1
    for page in [out / "index.html", *(out / "agencies").iterdir()]:
        html = page.read_text("utf-8")
        assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    sheet = openpyxl.load_workbook(out / "audit.xlsx")["总览"]
    assert sheet["B2"].value.startswith("<script>") and sheet["B2"].data_type == "s"
    text = (out / "problems.csv").read_text("utf-8-sig")
    assert "=HYPERLINK" not in text.replace("'=HYPERLINK", "")


def test_a_report_without_problems_exits_0(tmp_path: Path) -> None:
    path = ROOT / "parameters" / "2021" / "shili-fgj.yaml"
    assert main(["audit", str(path), "-o", str(tmp_path / "a"), "--no-progress"]) == 0
    data = json.loads((tmp_path / "a" / "audit.json").read_text("utf-8"))
    assert data["reports"][0]["score"] == 100 and data["reports"][0]["problems"] == []


def test_unreadable_input_and_bad_pack_exit_2_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ROOT / "parameters" / "2021" / "shili-fgj.yaml", folder)
    (folder / "broken.yaml").write_text("schema: govinfo/annual-report@1\nyear: [", "utf-8")
    out = tmp_path / "a"
    assert main(["audit", str(folder), "-o", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "broken.yaml" in err and "Traceback" not in err
    assert (out / "index.html").exists()  # the readable one is audited all the same
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "schema: govinfo/audit-pack@1\nname: x\ntitle: x\nnotice: x\nextends: national\n"
        "checks:\n  DEADLINE: {deduction: many}\n",
        "utf-8",
    )
    assert main(["audit", str(folder), "--pack", str(pack), "-o", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {pack}: checks.DEADLINE.deduction: must be a number ≥ 0, not 'many'"]
    assert not (tmp_path / "b").exists()
    assert main(["audit", str(tmp_path / "nothing"), "-o", str(tmp_path / "c")]) == 2


def test_validate_with_a_pack_adds_the_audit_checks(capsys: pytest.CaptureFixture) -> None:
    path = ROOT / "parameters" / "2022" / "shili-zrzyj.yaml"
    assert main(["validate", str(path)]) == 0
    assert "TEXT-TABLE" not in capsys.readouterr().out
    assert main(["validate", str(path), "--pack", "national", "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)[0]["findings"]
    text = [f for f in findings if f["rule"] == "TEXT-TABLE"]
    assert [(f["severity"], f["where"]) for f in text] == [
        ("error", "applications/total/total"),
        ("error", "applications/carried_forward/total"),
    ]
    assert "办结30件" in text[0]["zh"] and "扣 2 分" in text[0]["zh"]
    assert main(["validate", str(path), "--pack", "no-such-pack"]) == 2


def test_two_agencies_whose_files_have_the_same_name(tmp_path: Path) -> None:
    text = FIXTURE.read_text("utf-8")
    for folder, name in (("a", "淮安市洪泽区人民政府"), ("b", "淮安市淮阴区人民政府")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_text(text.replace("淮安市洪泽区人民政府", name))
    out = tmp_path / "audit"
    assert main(["audit", str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(out)]) == 1
    data = json.loads((out / "audit.json").read_text("utf-8"))
    assert sorted(r["agency"] for r in data["reports"]) == [
        "淮安市洪泽区人民政府",
        "淮安市淮阴区人民政府",
    ]
    assert len({r["agency_id"] for r in data["reports"]}) == 2
    assert len(list((out / "agencies").iterdir())) == 2


def test_the_command_line_starts_without_the_similarity_libraries() -> None:
    """datasketch brings numpy and scipy (about a second): every ``govinfo`` command built its
    parser through ``govinfo.audit`` and paid for them; they load when an audit runs."""
    import subprocess
    import sys

    code = (
        "import sys, govinfo.cli as c; c.build_parser(); "
        "print(sorted(m for m in ('datasketch', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
