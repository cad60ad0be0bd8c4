"""Issue 13, "a value not given is not filled in, never zero".

A table cell is a number, *missing* (left out or ``null``: an error, one finding per row or
block), a published *blank* (``/``, ``-`` …: a warning, kept as written) or *unread* (what
``govinfo import`` writes for a cell it could not read: an error of its own). Each case of
the issue's "What was found" list for silent zeros is here, on the committed example county,
as a user would meet it: edit a file, run ``govinfo``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT, SEED, Run, write_yaml

from govinfo import layout as L
from govinfo.findings import Finding
from govinfo.model import MISSING, UNREAD, CellMark, Contact, blank_report
from govinfo.params import load, parse, save
from govinfo.publish.tables import active_html, applications_html, review_html
from govinfo.rules import check, check_region

Data = dict[str, Any]
EXAMPLE = ROOT / "parameters" / "2022" / "shili-jyj.yaml"
LAST_YEAR = ROOT / "parameters" / "2021" / "shili-jyj.yaml"


def edited(tmp_path: Path, *lines: str) -> Path:
    """The 2022 example with ``lines`` (each present once) deleted, written where its
    ``previous`` still resolves."""
    text = EXAMPLE.read_text("utf-8")
    for line in lines:
        assert text.count(line) == 1, line
        text = text.replace(line, "")
    (tmp_path / "2021").mkdir(parents=True)
    (tmp_path / "2021" / LAST_YEAR.name).write_bytes(LAST_YEAR.read_bytes())
    path = tmp_path / "2022" / EXAMPLE.name
    path.parent.mkdir()
    path.write_text(text, "utf-8")
    return path


def errors(run: Run, path: Path) -> list[dict[str, Any]]:
    code, out, err = run("validate", "--format", "json", path)
    assert err == ""
    [entry] = json.loads(out)
    found = [f for f in entry["findings"] if f["severity"] == "error"]
    assert code == (1 if found else 0)
    return found


# --------------------------------------------------------------------------- what was found


def test_a_deleted_value_is_an_error_naming_it_not_a_zero(run: Run, tmp_path: Path) -> None:
    path = edited(tmp_path, "  punishment: 4\n", "previous: ../2021/shili-jyj.yaml\n")
    [finding] = errors(run, path)
    assert (finding["rule"], finding["where"]) == ("MISSING", "active/punishment")
    assert "行政处罚" in finding["zh"] and "未填写" in finding["zh"]
    assert "not filled in" in finding["en"]
    report = load(path)
    assert report.mark("active", "punishment") == MISSING and report.incomplete


def test_a_deleted_block_is_one_finding_for_the_block(run: Run, tmp_path: Path) -> None:
    block = "review_litigation:\n  review: [0, 0, 0, 1, 1]\n  litigation_direct: [1, 0, 0, 0, 1]\n"
    path = edited(tmp_path, block + "  litigation_after_review: [0, 0, 0, 0, 0]\n")
    [finding] = errors(run, path)  # not 15 findings, one per cell
    assert (finding["rule"], finding["where"]) == ("MISSING", "review_litigation")
    assert "四、政府信息公开行政复议、行政诉讼情况" in finding["zh"]


def test_a_deleted_row_is_one_finding_naming_the_row(run: Run, tmp_path: Path) -> None:
    path = edited(tmp_path, "    granted: [4, 0, 0, 0, 0, 0, 4]\n")
    # The given （七）总计 can no longer be checked against a sum with a hole: no APP-TOTAL-ROW.
    [finding] = errors(run, path)
    assert (finding["rule"], finding["where"]) == ("MISSING", "applications/granted")
    assert "予以公开" in finding["zh"] and "granted" in finding["en"]


def test_new_then_render_is_refused_and_only_a_stamped_draft_shows_the_holes(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "2024" / "shili-new.yaml"
    args = ("--agency", "示例县新建局", "--id", "shili-new", "--year", "2024", "-o", path)
    assert run("new", *args)[0] == 0
    site = tmp_path / "site"
    code, out, err = run("render", path, "-o", site)
    assert code == 1 and "MISSING error active:" in out and "NARRATIVE-EMPTY" in out, err
    assert not (site / "2024" / "shili-new.html").exists()
    code, out, err = run("render", path, "-o", site, "--allow-invalid")
    assert code == 0 and "STAMPED" in out, err
    page = BeautifulSoup((site / "2024" / "shili-new.html").read_text("utf-8"), "html.parser")
    assert page.find(class_="gi-stamp") is not None
    for section, row, column in [
        ("active", "punishment", None),
        ("applications", "granted", "natural_person"),
        ("review_litigation", "review", "total"),
    ]:
        attrs = {"data-section": section, "data-row": row}
        if column:
            attrs["data-col"] = column
        cell = page.find("td", attrs=attrs)
        assert cell is not None and cell.get_text() == "未填", (section, row, column)
        assert "gi-missing" in cell["class"]


def test_new_from_last_year_carries_what_last_year_settled(run: Run, tmp_path: Path) -> None:
    last = yaml.safe_load(EXAMPLE.read_text("utf-8"))
    last["contact"] = {"address": "示例县人民路1号", "postcode": "048012", "phone": "0356-1"}
    last_path = tmp_path / "2022" / "shili-jyj.yaml"
    write_yaml(last_path, last)
    target = tmp_path / "2023" / "shili-jyj.yaml"
    code, out, err = run("new", "--from", last_path, "-o", target)
    assert (code, out, err) == (0, f"wrote {target}\n", "")
    report = load(target)
    assert (report.agency, report.agency_id, report.year) == ("示例县教育局", "shili-jyj", 2023)
    assert report.previous_path == "../2022/shili-jyj.yaml"
    assert report.previous is not None and report.previous.year == 2022
    assert report.region == last["region"]
    assert report.contact == Contact("示例县人民路1号", "048012", "0356-1", "")
    carried = tuple(last["applications"]["rows"]["carried_forward"])
    assert report.applications.rows["carried_over"] == carried == (1, 0, 0, 0, 0, 0, 1)
    assert report.is_filled("applications", "carried_over", "total")
    assert report.active.get("normative_docs", "in_force") == 7
    assert report.is_filled("active", "rules", "in_force")
    assert report.mark("active", "normative_docs", "issued") == MISSING
    assert report.mark("applications", "new", "natural_person") == MISSING
    overview = report.narrative.overview
    assert overview.active.startswith("（待更新）一年来累计主动公开政府信息113条")
    assert report.narrative.problems.startswith("（待更新）对照年度考核反馈")
    rules = {(f["rule"], f["where"]) for f in errors(run, target)}
    assert ("NARRATIVE-EMPTY", "narrative/overview") in rules
    assert ("NARRATIVE-EMPTY", "narrative/problems") in rules
    assert ("NARRATIVE-EMPTY", "narrative/other") in rules
    assert not any(rule == "CONTINUITY" for rule, _ in rules)  # 上年结转 matches last year


def test_new_refuses_a_reserved_id_in_one_line(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "x.yaml"
    code, out, err = run(
        "new", "--agency", "示例局", "--id", "summary", "--year", "2024", "-o", target
    )
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("error: --id 'summary': rule AGENCY-ID:")
    assert not target.exists()


def test_blanks_unread_and_null_are_written_back_as_written(tmp_path: Path) -> None:
    text = SEED.read_text("utf-8")
    for old, new in [
        ("  licensing: 10727\n", "  licensing: /\n"),
        ("  punishment: 0\n", "  punishment: '-'\n"),
        ("  coercion: 0\n", "  coercion: unread\n"),
        ("    new: [0, 0, 0, 0, 0, 0, 0]\n", "    new: [unread, /, '-', null, —, ~, 0]\n"),
        ("  notices: 0\n", "  notices: null\n"),
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "report.yaml"
    path.write_text(text, "utf-8")
    report = load(path)
    assert report.mark("active", "licensing") == CellMark("blank", "/")
    assert report.mark("active", "coercion") == UNREAD
    assert report.mark("applications", "new", "legal_services") == CellMark("blank", "—")
    assert report.mark("applications", "new", "other") == MISSING  # ~ is null
    saved = save(report, tmp_path / "saved.yaml").read_text("utf-8")
    assert "  licensing: /\n" in saved and "  punishment: '-'\n" in saved
    assert "  coercion: unread\n" in saved and "  notices: null\n" in saved
    assert "    new: [unread, /, '-', null, —, null, 0]\n" in saved
    assert load(tmp_path / "saved.yaml") == report
    again = save(load(save(report, tmp_path / "r.json")), tmp_path / "again.yaml")
    assert again.read_text("utf-8") == saved
    rules = sorted((f.rule, f.where) for f in check(report) if f.rule != "CELL-BLANK")
    assert rules == [
        ("MISSING", "applications/new"),
        ("MISSING", "processing_fees/notices"),
        ("UNREAD", "active/coercion"),
        ("UNREAD", "applications/new"),
    ]
    assert len([f for f in check(report) if f.rule == "CELL-BLANK"]) == 5


def test_contact_is_read_and_written_back(tmp_path: Path, seed_data: Data) -> None:
    seed_data["contact"] = {
        "address": "山西省晋城市泽州县丹河新城",
        "postcode": "048012",
        "phone": "0356-3695000",
        "email": "zzxsp@example.cn",
    }
    path = write_yaml(tmp_path / "report.yaml", seed_data)
    path.write_text(path.read_text("utf-8").replace("'048012'", "048012"), "utf-8")
    assert "postcode: 048012\n" in path.read_text("utf-8")  # unquoted: still text
    report = load(path)
    assert report.contact == Contact(
        "山西省晋城市泽州县丹河新城", "048012", "0356-3695000", "zzxsp@example.cn"
    )
    assert check(report) == []
    saved = save(report, tmp_path / "saved.yaml").read_text("utf-8")
    assert "contact:\n  address: 山西省晋城市泽州县丹河新城\n  postcode: '048012'\n" in saved
    assert load(tmp_path / "saved.yaml") == report
    seed_data["contact"]["fax"] = "0356-1"
    [finding] = check(parse(seed_data))
    assert (finding.rule, finding.where) == ("UNKNOWN-KEY", "contact")
    assert "contact.fax" in finding.en


# --------------------------------------------------------------------------- reading


def test_unread_is_an_error_of_its_own_never_a_blank(seed_data: Data) -> None:
    seed_data["applications"]["rows"]["new"][0] = "unread"
    report = parse(seed_data)
    [finding] = check(report)
    assert (finding.rule, finding.severity, finding.where) == (
        "UNREAD",
        "error",
        "applications/new",
    )
    assert "自然人" in finding.zh and "导入时未能读出，请对照原文填写" in finding.zh
    assert report.mark("applications", "new", "natural_person") == UNREAD


def test_a_derived_total_with_a_hole_is_missing(busy_data: Data) -> None:
    rows = busy_data["applications"]["rows"]
    rows["granted"] = [3, None, 0, 0, 0, 0]  # total left out, one part not filled in
    del rows["total"]
    report = parse(busy_data)
    assert report.mark("applications", "granted", "total") == MISSING
    assert report.mark("applications", "total", "commercial") == MISSING
    assert report.mark("applications", "total", "total") == MISSING
    assert report.applications.rows["total"][0] == 5  # filled columns still derived
    assert report.is_filled("applications", "total", "natural_person")
    [finding] = check(report)
    assert (finding.rule, finding.where) == ("MISSING", "applications/granted")
    assert finding.zh.endswith("（一）予以公开 的 商业企业 未填写（无则填 0）")


def test_saving_a_report_with_holes_keeps_the_same_findings(
    busy_data: Data, tmp_path: Path
) -> None:
    """A derived total with a hole is written back as null; read again, it names no
    finding of its own: the part to fill in is still the one finding."""
    rows = busy_data["applications"]["rows"]
    del rows["granted"], rows["total"]
    rows["new"] = [5, 2, 0, 0, 1, None]
    report = parse(busy_data)
    before = [(f.rule, f.where, f.zh) for f in check(report)]
    assert [where for _, where, _ in before] == ["applications/new", "applications/granted"]
    saved = save(report, tmp_path / "saved.yaml").read_text("utf-8")
    assert "    total: [null, null, null, null, null, null, null]\n" in saved
    assert "    new: [5, 2, 0, 0, 1, null, null]\n" in saved
    again = load(tmp_path / "saved.yaml")
    assert [(f.rule, f.where, f.zh) for f in check(again)] == before
    assert again.marks == report.marks


def test_the_whole_table_missing_is_one_finding_per_block(seed_data: Data) -> None:
    del seed_data["active"], seed_data["applications"]
    seed_data["review_litigation"] = None
    seed_data["processing_fees"] = {"notices": None}
    found = [(f.rule, f.where) for f in check(parse(seed_data))]
    assert found == [
        ("MISSING", "processing_fees"),
        ("MISSING", "active"),
        ("MISSING", "applications"),
        ("MISSING", "review_litigation"),
    ]


# --------------------------------------------------------------------------- rules


def test_arithmetic_skips_identities_with_a_hole_but_counts_a_blank(busy_data: Data) -> None:
    holed = copy.deepcopy(busy_data)
    holed["applications"]["rows"]["new"][0] = None
    assert [f.rule for f in check(parse(holed))] == ["MISSING"]  # no APP-BALANCE, APP-TOTAL-COL
    blank = copy.deepcopy(busy_data)
    blank["applications"]["rows"]["new"][0] = "/"  # a published blank is 0 in every sum
    rules = sorted({f.rule for f in check(parse(blank))})
    assert rules == ["APP-BALANCE", "APP-TOTAL-COL", "CELL-BLANK"]


def test_continuity_skips_a_carried_over_not_filled_in(seed_data: Data) -> None:
    last = parse(dict(copy.deepcopy(seed_data), year=2020))
    seed_data["applications"]["rows"]["carried_over"][0] = None
    seed_data["active"]["rules"]["in_force"] = None
    report = parse(seed_data).replace(previous=last)
    assert [(f.rule, f.where) for f in check(report) if f.is_error] == [
        ("MISSING", "active/rules"),
        ("MISSING", "applications/carried_over"),
    ]
    assert not [f for f in check(report) if "CONTINUITY" in f.rule]


def test_region_sum_skips_a_cell_a_unit_left_missing(seed_data: Data) -> None:
    unit = parse(seed_data)
    region = parse(dict(copy.deepcopy(seed_data), scope="region"))
    for item in ("licensing", "fees_10k_yuan"):  # the seed's two non-zero cells, doubled
        region = region.with_cell("active", item, None, 2 * unit.active.get(item))
    assert check_region(region, [unit, unit]) == []
    zero, holed = copy.deepcopy(seed_data), copy.deepcopy(seed_data)
    zero["active"]["licensing"], holed["active"]["licensing"] = 0, None
    assert [f.row for f in check_region(region, [unit, parse(zero)])] == ["licensing"]
    assert check_region(region, [unit, parse(holed)]) == []  # not a sum that lacks a unit's 0


@pytest.mark.parametrize("part", ["intro", "active", "oversight"])
def test_a_part_still_marked_as_last_years_text_is_an_error(seed_data: Data, part: str) -> None:
    seed_data["narrative"]["overview"][part] = "（待更新）上年的文字。"
    [finding] = check(parse(seed_data))
    assert (finding.rule, finding.severity) == ("NARRATIVE-EMPTY", "error")
    assert finding.where == f"narrative/overview/{part}" and "（待更新）" in finding.zh


# --------------------------------------------------------------------------- model


def test_blank_report_has_every_cell_missing_and_with_cell_fills_one() -> None:
    report = blank_report("示例局", "shili", 2024)
    assert len(report.marks) == 10 + 25 * 7 + 3 * 5 + 3 and report.incomplete
    filled = report.with_cell("active", "licensing", None, 0)
    assert filled.mark("active", "licensing") is None and filled.active.get("licensing") == 0
    assert len(filled.marks) == len(report.marks) - 1
    blank = filled.with_mark("active", "licensing", None, CellMark("blank", "/"))
    assert blank.is_filled("active", "licensing") and blank.mark("active", "licensing").text == "/"
    fees = report.with_cell("processing_fees", "notices", None, 2)
    assert fees.processing_fees is not None and fees.processing_fees.notices == 2
    assert fees.is_filled("processing_fees", "notices")


# --------------------------------------------------------------------------- tables, frames


def test_tables_show_marks_as_written_and_frames_hold_na(seed_data: Data) -> None:
    seed_data["active"]["licensing"] = None
    seed_data["active"]["punishment"] = "unread"
    seed_data["active"]["coercion"] = "—"
    seed_data["applications"]["rows"]["granted"] = [None, "/", 0, 0, 0, 0, 0]
    seed_data["review_litigation"]["review"][4] = "unread"
    report = parse(seed_data)
    marks = report.marks

    def td(html: str, row: str, column: str | None = None) -> Any:
        attrs = {"data-row": row, **({"data-col": column} if column else {})}
        return BeautifulSoup(html, "html.parser").find("td", attrs=attrs)

    active = active_html(report.active, check(report), marks)
    assert td(active, "licensing").get_text() == "未填"
    assert {"gi-missing", "gi-error"} <= set(td(active, "licensing")["class"])
    assert td(active, "punishment").get_text() == "未读出"
    assert "gi-unread" in td(active, "punishment")["class"]
    assert td(active, "coercion").get_text() == "—"
    apps = applications_html(report.applications, (), marks)
    assert td(apps, "granted", "natural_person").get_text() == "未填"
    assert td(apps, "granted", "commercial").get_text() == "/"
    assert td(apps, "granted", "commercial")["class"] == ["gi-blank"]
    review = review_html(report.review_litigation, (), marks)
    assert td(review, "review", "total").get_text() == "未读出"
    frames = report.to_frames()
    assert frames["active"].loc[("第二十条第（五）项", "行政许可"), "本年处理决定数量"] is pd.NA
    granted = frames["applications"].iloc[L.APPLICATION_ROW_KEYS.index("granted")]
    assert granted.iloc[0] is pd.NA and granted.iloc[1] == 0  # a blank stays 0
    assert frames["review_litigation"].iloc[0, 4] is pd.NA
    assert str(frames["applications"].dtypes.iloc[0]) == "Int64"


def test_a_valid_reports_tables_are_unchanged_by_marks() -> None:
    report = load(EXAMPLE)
    findings: list[Finding] = check(report)
    assert report.marks == {}
    assert active_html(report.active, findings, report.marks) == active_html(
        report.active, findings
    )
    assert applications_html(report.applications, findings, report.marks) == applications_html(
        report.applications, findings
    )
