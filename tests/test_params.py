"""Parameter files: reading (with findings for shape problems), writing, round trips."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SEED, write_yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govinfo import layout as L
from govinfo.findings import ParameterError
from govinfo.model import CellMark, Narrative, Report, blank_report
from govinfo.params import dumps_json, dumps_yaml, load, parse, save, to_mapping
from govinfo.rules import check

# --------------------------------------------------------------------------- the seed


def test_seed_is_transcribed_and_validates_without_findings() -> None:
    report = load(SEED)
    assert check(report) == []
    assert report.title == "泽州县行政审批服务管理局2021年政府信息公开工作年度报告"
    assert (report.agency_id, report.year, report.kind, report.scope) == (
        "zezhou-xzsp",
        2021,
        "department",
        "agency",
    )
    assert report.active.get("licensing") == 10727
    assert report.active.fees_10k_yuan == Decimal("24457.4")
    assert isinstance(report.active.get("fees_10k_yuan"), Decimal)
    assert report.applications.is_empty and report.review_litigation.is_empty
    assert report.narrative.other == "无"
    assert report.narrative.overview.requests == "本年度我局未收到要求公开政府信息的申请。"
    assert report.narrative.problems.startswith("2021年，我局政府信息公开工作虽取得了较好成绩")


# --------------------------------------------------------------------------- reading


def test_totals_left_out_are_derived(seed_data: dict[str, Any]) -> None:
    rows = seed_data["applications"]["rows"]
    rows["new"] = [2, 1, 0, 0, 0, 0]  # six numbers: total left out
    rows["granted"] = [2, 1, 0, 0, 0, 0]
    del rows["total"]  # the （七）总计 row left out: derived from the 21 outcome rows
    seed_data["review_litigation"]["review"] = [1, 0, 0, 2]
    report = parse(seed_data)
    apps = report.applications
    assert apps.rows["new"] == (2, 1, 0, 0, 0, 0, 3)
    assert apps.rows["total"] == (2, 1, 0, 0, 0, 0, 3)
    assert report.review_litigation.groups["review"] == (1, 0, 0, 2, 3)
    assert report.marks == {} and check(report) == []


def test_rows_left_out_are_missing_not_zero(seed_data: dict[str, Any]) -> None:
    """Rows left out used to mean zero; now each is an error naming it, and a derived total
    with a hole in its parts is missing too (no APP-* finding on a partial sum)."""
    rows = seed_data["applications"]["rows"]
    rows["granted"] = [2, 1, 0, 0, 0, 0]
    del rows["withheld_state_secret"], rows["total"]
    seed_data["review_litigation"] = {"review": [1, 0, 0, 2]}
    report = parse(seed_data)
    assert report.applications.rows["withheld_state_secret"] == (0,) * 7
    assert report.mark("applications", "withheld_state_secret", "other") == CellMark("missing")
    assert not report.is_filled("applications", "total", "natural_person")  # derived: a hole
    assert not report.is_filled("review_litigation", "litigation_direct", "total")
    assert report.is_filled("review_litigation", "review", "total") and report.incomplete
    found = [(f.rule, f.where) for f in check(report)]
    assert found == [
        ("MISSING", "applications/withheld_state_secret"),
        ("MISSING", "review_litigation/litigation_direct"),
        ("MISSING", "review_litigation/litigation_after_review"),
    ]


def test_total_is_kept_as_given_so_it_can_be_checked(seed_data: dict[str, Any]) -> None:
    seed_data["applications"]["rows"]["new"] = [2, 1, 0, 0, 0, 0, 4]
    report = parse(seed_data)
    assert report.applications.rows["new"][-1] == 4
    assert [f.rule for f in check(report) if f.row == "new"] == ["APP-TOTAL-COL"]


def test_overview_as_a_single_text_becomes_the_intro(seed_data: dict[str, Any]) -> None:
    seed_data["narrative"]["overview"] = "全年工作概述。"
    overview = parse(seed_data).narrative.overview
    assert overview.intro == "全年工作概述。" and overview.active == ""


def test_blank_marks_count_as_zero_and_null_is_missing(seed_data: dict[str, Any]) -> None:
    seed_data["applications"]["rows"]["new"] = ["/", "—", None, "", "-", 0, 0]
    report = parse(seed_data)
    assert report.applications.rows["new"] == (0,) * 7
    assert len([f for f in report.load_findings if f.rule == "CELL-BLANK"]) == 4
    assert report.mark("applications", "new", "commercial") == CellMark("blank", "—")
    (missing,) = [f for f in report.load_findings if f.rule == "MISSING"]  # null: not a blank
    assert missing.is_error and missing.where == "applications/new" and "科研机构" in missing.zh


def test_published_with_a_time_of_day_is_a_date(seed_data: dict[str, Any]) -> None:
    seed_data["published"] = dt.datetime(2022, 1, 20, 9, 30)
    report = parse(seed_data)
    assert report.published == dt.date(2022, 1, 20)
    assert check(report) == []  # used to crash comparing datetime with the deadline date


def test_previous_is_resolved_relative_to_the_file(
    tmp_path: Path, seed_data: dict[str, Any]
) -> None:
    last = dict(seed_data, year=2020)
    write_yaml(tmp_path / "2020" / "zezhou-xzsp.yaml", last)
    report = load(
        write_yaml(
            tmp_path / "2021" / "zezhou-xzsp.yaml",
            dict(seed_data, previous="../2020/zezhou-xzsp.yaml"),
        )
    )
    assert report.previous is not None and report.previous.year == 2020
    assert report.previous_path == "../2020/zezhou-xzsp.yaml"
    assert load(tmp_path / "2021" / "zezhou-xzsp.yaml", follow_previous=False).previous is None


# -- unreadable files: ParameterError naming file and field


def _error(path: Path) -> str:
    with pytest.raises(ParameterError) as info:
        load(path)
    text = str(info.value)
    assert str(path) in text and "\n" not in text
    return text


def test_missing_file(tmp_path: Path) -> None:
    assert "file not found" in _error(tmp_path / "nope.yaml")


def test_malformed_yaml_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("schema: govinfo/annual-report@1\nagency: [泽州\nyear: 2021\n", "utf-8")
    text = _error(path)
    assert "malformed YAML" in text and "line 3, column" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("", "file is empty"),
        ("- 1\n- 2\n", "top level must be a mapping"),
        ("\tagency: x\n", "malformed YAML"),
    ],
)
def test_unreadable_yaml(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, "utf-8")
    assert expected in _error(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"agency": "a", "agency": "b"}', "duplicate key 'agency'"),
        ('{"year": NaN}', "NaN is not a number"),
        ('{"year": 2021,', "malformed JSON"),
    ],
)
def test_unreadable_json(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, "utf-8")
    assert expected in _error(path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("agency: 泽州县\n".encode("gbk"))
    assert "not UTF-8" in _error(path)


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (
            lambda d: d["applications"]["rows"].__setitem__("new", ["三", 0, 0, 0, 0, 0, 0]),
            "applications.rows.new[0]",
        ),
        (
            lambda d: d["review_litigation"].__setitem__("review", [0, 0, True, 0, 0]),
            "review_litigation.review[2]",
        ),
        (lambda d: d["active"]["rules"].__setitem__("issued", "两件"), "active.rules.issued"),
        (lambda d: d["active"].__setitem__("licensing", {"count": 1}), "active.licensing"),
        (lambda d: d.__setitem__("active", [1, 2]), "active"),
        (
            lambda d: d["applications"]["rows"].__setitem__("granted", 5),
            "applications.rows.granted",
        ),
        (lambda d: d.__setitem__("agency", ["a"]), "agency"),
    ],
)
def test_wrong_type_names_the_field(
    seed_data: dict[str, Any],
    write_copy: Callable[..., Path],
    edit: Callable[[Any], None],
    field: str,
) -> None:
    path = write_copy(seed_data, edit)
    assert f"{path}: {field}: " in _error(path)


# --------------------------------------------------------------------------- writing


def test_yaml_keeps_key_order_and_flow_style_rows(tmp_path: Path) -> None:
    text = save(load(SEED), tmp_path / "out.yaml").read_text("utf-8")
    keys = [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()]
    optional = ("region_code", "published", "contact", "previous")  # the seed gives none
    assert keys == [k for k in L.TOP_LEVEL_KEYS if k not in optional]
    assert "    new: [0, 0, 0, 0, 0, 0, 0]\n" in text
    columns = ", ".join(L.APPLICATION_COLUMN_KEYS)
    assert f"  columns: [{columns}]\n" in text
    assert "  review: [0, 0, 0, 0, 0]\n" in text
    assert "  rules: {issued: 0, repealed: 0, in_force: 0}\n" in text
    assert "  fees_10k_yuan: 24457.4\n" in text
    rows = yaml.safe_load(text)["applications"]["rows"]
    assert list(rows) == list(L.APPLICATION_ROW_KEYS)


def test_yaml_json_round_trip(tmp_path: Path) -> None:
    report = load(SEED)
    as_json = load(save(report, tmp_path / "r.json"))
    assert as_json == report
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["active"]["licensing"] == 10727
    back = load(save(as_json, tmp_path / "r.yaml"))
    assert back == report
    assert (tmp_path / "r.yaml").read_text("utf-8") == dumps_yaml(report)


def test_save_and_load_keep_every_field(tmp_path: Path, busy_data: dict[str, Any]) -> None:
    busy_data.update(published=dt.date(2022, 1, 20), region="", kind="government", scope="region")
    busy_data["active"]["fees_10k_yuan"] = Decimal("12345678901234.567891")  # beyond float
    busy_data["processing_fees"] = {
        "notices": 2,
        "notice_amount_yuan": Decimal("150.50"),
        "collected_yuan": 100,
    }
    report = parse(busy_data)
    for name in ("r.yaml", "r.json"):
        back = load(save(report, tmp_path / name))
        assert back == report, name
        assert back.active.fees_10k_yuan == Decimal("12345678901234.567891")
        assert back.processing_fees is not None
        assert back.processing_fees.notice_amount_yuan == Decimal("150.50")
        assert back.published == dt.date(2022, 1, 20)


def test_blank_report_round_trips(tmp_path: Path) -> None:
    report = blank_report("示例县教育局", "shili-jyj", 2024)
    assert load(save(report, tmp_path / "new.yaml")) == report
    assert to_mapping(report)["narrative"]["overview"]["active"] == L.NARRATIVE_PLACEHOLDER


def test_save_is_atomic_and_json_by_suffix(tmp_path: Path) -> None:
    path = save(load(SEED), tmp_path / "deep" / "r.JSON")
    assert json.loads(path.read_text("utf-8"))["agency_id"] == "zezhou-xzsp"
    assert sorted(p.name for p in path.parent.iterdir()) == ["r.JSON"]


# Text people type or paste: several lines, trailing spaces (a Markdown line break), quotes,
# colons, CR, and the YAML 1.1 line breaks NEL / U+2028 that web pages carry.
texts = st.text(
    alphabet=st.sampled_from(list("政府信息公开 \n\r\t:#-“”'\"a1\x85\u2028")), max_size=40
)
counts = st.integers(min_value=0, max_value=10**6)


@cache
def _seed() -> Report:
    return load(SEED)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    problems=texts,
    other=texts,
    cells=st.lists(counts, min_size=7, max_size=7),
    fee=st.decimals(min_value=0, max_value=10**8, places=4, allow_nan=False),
)
def test_any_report_round_trips_through_yaml_and_json(
    tmp_path: Path, problems: str, other: str, cells: list[int], fee: Decimal
) -> None:
    report = _seed()
    for column, value in zip(L.APPLICATION_COLUMN_KEYS, cells, strict=True):
        report = report.with_cell("applications", "withheld_third_party", column, value)
    report = report.with_cell("active", L.FEE_KEY, None, fee)
    report = report.replace(narrative=Narrative(report.narrative.overview, problems, other))
    for suffix, dump in ((".yaml", dumps_yaml), (".json", dumps_json)):
        path = tmp_path / f"r{suffix}"
        path.write_text(dump(report), "utf-8")
        assert load(path) == report, suffix


# --------------------------------------------------------------------------- number literals


@pytest.mark.parametrize(
    ("literal", "yaml_11_reads"),
    [
        ("010727", 4567),  # octal
        ("0120", 80),
        ("1:30", 90),  # base 60
        ("0b101", 5),
        ("0x1F", 31),
        ("1_000", 1000),
        ("089", "089"),  # not octal: text, which used to be "expected a number"
    ],
)
def test_counts_must_be_plain_decimal_literals(
    tmp_path: Path, literal: str, yaml_11_reads: object
) -> None:
    """Each literal means another number to a YAML 1.1 reader (papermill's included) than
    it shows a person: an error naming the field, never a silently changed count."""
    text = SEED.read_text("utf-8").replace("  licensing: 10727", f"  licensing: {literal}")
    assert f"licensing: {literal}\n" in text
    path = tmp_path / "report.yaml"
    path.write_text(text, "utf-8")
    assert yaml.safe_load(text)["active"]["licensing"] == yaml_11_reads
    report = load(path)
    (finding,) = [f for f in check(report) if f.rule == "NUMBER-FORMAT"]
    assert finding.is_error and finding.where == "active/licensing"
    assert literal in finding.zh and "active.licensing" in finding.en


def test_a_postcode_written_with_a_leading_zero_keeps_its_digits(tmp_path: Path) -> None:
    text = SEED.read_text("utf-8").replace("region: 山西省晋城市泽州县", "region: 041000")
    path = tmp_path / "report.yaml"
    path.write_text(text, "utf-8")
    assert load(path).region == "041000"  # YAML 1.1 alone would give 16896


@pytest.mark.parametrize("literal", ["0", "7", "-3", "+5", "10727"])
def test_plain_decimal_counts_read_as_written(tmp_path: Path, literal: str) -> None:
    text = SEED.read_text("utf-8").replace("  licensing: 10727", f"  licensing: {literal}")
    path = tmp_path / "report.yaml"
    path.write_text(text, "utf-8")
    report = load(path)
    assert report.active.get("licensing") == int(literal)
    assert not [f for f in check(report) if f.rule == "NUMBER-FORMAT"]


@pytest.mark.parametrize("literal", ["010727", "1:30", "0b101", "0x1F", "1_000", "089"])
def test_an_odd_literal_survives_a_save_with_its_error(tmp_path: Path, literal: str) -> None:
    """Saving the model must not turn the odd literal into 0 and so drop its error."""
    text = SEED.read_text("utf-8").replace("  licensing: 10727", f"  licensing: {literal}")
    path = tmp_path / "report.yaml"
    path.write_text(text, "utf-8")
    saved = save(load(path), tmp_path / "saved.yaml")
    again = load(saved)
    assert again.mark("active", "licensing").text == literal
    assert [f.rule for f in check(again) if f.where == "active/licensing"] == ["NUMBER-FORMAT"]
    assert literal in saved.read_text("utf-8")
