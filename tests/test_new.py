"""A new parameter file explains itself: each key carries its Chinese label as a comment.

``govinfo new`` (and the editor's 新建, the same code) writes each key with its label, e.g.
``withheld_three_safety_one_stability: [null, …]  # … （三）不予公开 3.危及“三安全一稳定”``,
so someone editing the file by hand knows what each English key stands for. The comments
change nothing that is read (the file loads back equal to the report), and they stay with
their keys when the editor saves edits into the file, fields it inserts included.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml

from govinfo import layout as L
from govinfo.editor.state import EditSession
from govinfo.params import dumps_yaml, load
from govinfo.params.new import new_report, new_text, save_new
from govinfo.params.write import key_labels

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "parameters" / "2021" / "zezhou-xzsp.yaml"
FIELDS = {"agency": "示例县教育局", "agency_id": "shili-jyj", "year": 2024}


def label_at(text: str, path: tuple[str, ...]) -> str | None:
    """The comment that labels the key at ``path``: at the end of its line or on the line
    just above it (None when the key is not in the file)."""
    lines = text.splitlines()
    index = 0
    for depth, key in enumerate(path):
        pattern = re.compile(rf"^{' ' * 2 * depth}{re.escape(key)}:")
        while index < len(lines) and not pattern.match(lines[index]):
            index += 1
        if index == len(lines):
            return None
    line = lines[index]
    at_end = re.search(r"\s+# ([^#]*)$", line)
    if at_end:
        return at_end.group(1)
    above = lines[index - 1].strip()
    return above[2:] if above.startswith("# ") else ""


def table_keys() -> list[tuple[tuple[str, ...], str]]:
    """Every key of 表二, 表三 and 表四 with the official label its comment must contain."""
    keys: list[tuple[tuple[str, ...], str]] = []
    for group in L.ACTIVE_GROUPS:
        for item in group.items:
            keys.append(((L.ACTIVE, item.key), item.label))
    for row in L.APPLICATION_ROWS:
        keys.append(((L.APPLICATIONS, "rows", row.key), row.label))
    for case in L.CASE_GROUPS:
        keys.append(((L.REVIEW_LITIGATION, case.key), case.label))
    return keys


def test_every_table_key_is_labelled_and_the_file_loads_back_equal(tmp_path: Path) -> None:
    report = new_report(FIELDS)
    path = save_new(report, tmp_path / "shili-jyj.yaml")
    text = path.read_text("utf-8")
    for key, label in table_keys():
        found = label_at(text, key)
        assert found and label in found, (key, found)
    assert (
        "    withheld_three_safety_one_stability: [null, null, null, null, null, null, null]"
        "  # 三、本年度办理结果 （三）不予公开 3.危及“三安全一稳定”"
    ) in text.splitlines()
    # the order of the numbers in a row is named where the rows start
    assert label_at(text, (L.APPLICATIONS, "columns")) == (
        "每行 7 个数：自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他、总计"
    )
    assert "结果维持、结果纠正、其他结果、尚未审结、总计" in (
        label_at(text, (L.REVIEW_LITIGATION,)) or ""
    )
    assert label_at(text, ("kind",)) == "机关类别：department 政府部门，government 人民政府"
    assert label_at(text, ("narrative", "problems")) == "五、存在的主要问题及改进情况"
    assert label_at(text, ("processing_fees", "notices")) == "发出收费通知的件数"
    for path_, label in key_labels().items():  # every key present is labelled
        if label_at(text, path_) is not None:
            assert label_at(text, path_) == label, path_
    assert load(path) == report
    assert new_text(report) == text  # what `govinfo new` prints is what it writes
    assert yaml.safe_load(text) == yaml.safe_load(dumps_yaml(report))  # comments only


def test_a_file_started_from_last_year_is_labelled_and_loads_back_equal(tmp_path: Path) -> None:
    folder = tmp_path / "2022"
    folder.mkdir()
    report = new_report({"year": 2022}, last_year=SEED, base=folder)
    path = save_new(report, folder / "zezhou-xzsp.yaml")
    text = path.read_text("utf-8")
    for key, label in table_keys():
        found = label_at(text, key)
        assert found and label in found, (key, found)
    # long narrative lines carry their label on the line above
    assert label_at(text, ("narrative", "overview", "oversight")) == "（五）监督保障"
    assert load(path) == report


def test_json_has_no_comments_and_stays_json(tmp_path: Path) -> None:
    report = new_report(FIELDS)
    path = save_new(report, tmp_path / "shili-jyj.json")
    json.loads(path.read_text("utf-8"))
    assert load(path) == report


def test_cli_new_writes_the_labels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from govinfo.cli import main

    target = tmp_path / "2024" / "shili-jyj.yaml"
    args = ["new", "--agency", "示例县教育局", "--id", "shili-jyj", "--year", "2024"]
    assert main([*args, "-o", str(target)]) == 0
    text = target.read_text("utf-8")
    assert "  licensing: null  # 行政许可：本年处理决定数量" in text.splitlines()


EDITS = [
    (("published", None, None), dt.date(2023, 1, 20)),
    (("region", None, None), "示例省示例县"),
    (("contact", "phone", None), "0356-1234567"),
    (("contact", "email", None), "gk@example.cn"),
    (("narrative", "overview", "intro"), "导语"),
    (("narrative", "overview", "active"), "第一段\n\n第二段"),
    (("applications", "new", "natural_person"), 3),
    (("active", "licensing", None), 5),
    (("review_litigation", "review", "maintained"), 1),
]


@pytest.mark.parametrize("last_year", [None, SEED], ids=["blank", "from-last-year"])
def test_labels_stay_with_their_keys_when_the_editor_saves(
    tmp_path: Path, last_year: Path | None
) -> None:
    """The editor inserts fields a new file leaves out (发布日期, 所在地区, 联系方式, 导语):
    no label moves to another key, and every edit reads back."""
    fields = {"year": 2022} if last_year else FIELDS
    path = save_new(new_report(fields, last_year=last_year, base=tmp_path), tmp_path / "x.yaml")
    session = EditSession.open(path)
    for key, value in EDITS:
        session.set(key, value)
    session.save()
    text = path.read_text("utf-8")
    for key, label in key_labels().items():
        found = label_at(text, key)
        assert found is None or found in (label, ""), (key, found, label)
    for key, label in table_keys():
        assert label in (label_at(text, key) or ""), key
    report = load(path)
    assert report.published == dt.date(2023, 1, 20) and report.region == "示例省示例县"
    assert report.contact is not None and report.contact.email == "gk@example.cn"
    assert report.narrative.overview.active == "第一段\n\n第二段"
    assert report.applications.cell("new", "natural_person") == 3
    assert report.active.get("licensing") == 5


# --------------------------------------------------------------------------- --region-code

NEW_ARGS = ["new", "--agency", "洪泽区教育局", "--id", "hz-jyj", "--year", "2024"]


def test_cli_new_writes_the_region_code_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from govinfo.cli import main

    target = tmp_path / "2024" / "hz-jyj.yaml"
    assert main([*NEW_ARGS, "--region-code", "320813", "-o", str(target)]) == 0
    text = target.read_text("utf-8")
    line = next(x for x in text.splitlines() if x.startswith("region_code:"))
    assert line.startswith("region_code: '320813'  # 行政区划代码")  # quoted: text, not a number
    assert yaml.safe_load(text)["region_code"] == "320813"
    assert load(target).region_code == "320813"
    # standard output: the same text
    capsys.readouterr()
    assert main([*NEW_ARGS, "--region-code", " 320813 "]) == 0
    assert capsys.readouterr().out == text


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("32081", "must be 6 digits"),
        ("３２０８１３", "must be 6 digits"),  # full-width digits
        ("3208130", "must be 6 digits"),
        ("990000", "99 is no province prefix"),
        ("320013", "needs a city part"),
    ],
)
def test_cli_new_refuses_a_bad_region_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], code: str, why: str
) -> None:
    from govinfo.cli import main

    target = tmp_path / "2024" / "hz-jyj.yaml"
    assert main([*NEW_ARGS, "--region-code", code, "-o", str(target)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1, err
    assert err.startswith(f"error: --region-code {code!r}: rule REGION-CODE: ") and why in err
    assert not target.exists() and not target.parent.exists()


def test_new_refuses_a_bad_region_code_in_chinese_too() -> None:
    from govinfo.params.new import NewReportError

    with pytest.raises(NewReportError) as info:
        new_report({**FIELDS, "region_code": "32081"})
    assert "行政区划代码 '32081' 有误" in info.value.zh and "应为 6 位数字" in info.value.zh


def test_new_from_last_year_carries_the_region_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from govinfo.cli import main

    last = tmp_path / "2023" / "hz-jyj.yaml"
    args = ["new", "--agency", "洪泽区教育局", "--id", "hz-jyj", "--year", "2023"]
    assert (
        main([*args, "--region", "江苏省淮安市洪泽区", "--region-code", "320813", "-o", str(last)])
        == 0
    )
    carried = tmp_path / "2024" / "carried.yaml"
    assert main(["new", "--from", str(last), "-o", str(carried)]) == 0
    report = load(carried, follow_previous=False)
    assert (report.year, report.region, report.region_code) == (
        2024,
        "江苏省淮安市洪泽区",
        "320813",
    )
    assert "region_code: '320813'" in carried.read_text("utf-8")
    # given on the command line, the code replaces last year's; '' leaves it out
    moved = tmp_path / "2024" / "moved.yaml"
    assert main(["new", "--from", str(last), "--region-code", "320800", "-o", str(moved)]) == 0
    assert load(moved, follow_previous=False).region_code == "320800"
    cleared = tmp_path / "2024" / "cleared.yaml"
    assert main(["new", "--from", str(last), "--region-code", "", "-o", str(cleared)]) == 0
    assert "region_code" not in yaml.safe_load(cleared.read_text("utf-8"))
    # a bad code with --from: refused before anything is written
    bad = tmp_path / "2024" / "bad.yaml"
    assert main(["new", "--from", str(last), "--region-code", "32081x", "-o", str(bad)]) == 2
    assert "REGION-CODE" in capsys.readouterr().err and not bad.exists()
