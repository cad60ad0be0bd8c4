"""The official layout against format.md, character for character.

The expected strings below are copied by hand from spec/format.md (国办公开办函〔2021〕30号).
They are deliberately a second copy of the labels: the independent check that layout.py
says what the format says. Everything else in the code base derives from layout.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from govinfo import layout as L

HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]

T2 = [  # (caption, measures, items)
    (
        "第二十条第（一）项",
        ["本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "行政规范性文件"],
    ),
    ("第二十条第（五）项", ["本年处理决定数量"], ["行政许可"]),
    ("第二十条第（六）项", ["本年处理决定数量"], ["行政处罚", "行政强制"]),
    ("第二十条第（八）项", ["本年收费金额（单位：万元）"], ["行政事业性收费"]),
]

T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]

_R = "三、本年度办理结果"
_W, _U, _N, _O = "（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"
T3_ROWS: list[tuple[str, tuple[str, ...]]] = [  # (key, full label path)
    ("new", ("一、本年新收政府信息公开申请数量",)),
    ("carried_over", ("二、上年结转政府信息公开申请数量",)),
    ("granted", (_R, "（一）予以公开")),
    ("partially_granted", (_R, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")),
    ("withheld_state_secret", (_R, _W, "1.属于国家秘密")),
    ("withheld_law_prohibited", (_R, _W, "2.其他法律行政法规禁止公开")),
    ("withheld_three_safety_one_stability", (_R, _W, "3.危及“三安全一稳定”")),
    ("withheld_third_party", (_R, _W, "4.保护第三方合法权益")),
    ("withheld_internal_affairs", (_R, _W, "5.属于三类内部事务信息")),
    ("withheld_process_info", (_R, _W, "6.属于四类过程性信息")),
    ("withheld_enforcement_file", (_R, _W, "7.属于行政执法案卷")),
    ("withheld_administrative_query", (_R, _W, "8.属于行政查询事项")),
    ("unable_not_held", (_R, _U, "1.本机关不掌握相关政府信息")),
    ("unable_needs_creation", (_R, _U, "2.没有现成信息需要另行制作")),
    ("unable_unclear_after_correction", (_R, _U, "3.补正后申请内容仍不明确")),
    ("not_processed_petition", (_R, _N, "1.信访举报投诉类申请")),
    ("not_processed_duplicate", (_R, _N, "2.重复申请")),
    ("not_processed_publication", (_R, _N, "3.要求提供公开出版物")),
    ("not_processed_excessive", (_R, _N, "4.无正当理由大量反复申请")),
    ("not_processed_confirmation", (_R, _N, "5.要求行政机关确认或重新出具已获取信息")),
    (
        "other_no_correction",
        (_R, _O, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ),
    (
        "other_no_fee",
        (_R, _O, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ),
    ("other_other", (_R, _O, "3.其他")),
    ("total", (_R, "（七）总计")),
    ("carried_forward", ("四、结转下年度继续办理",)),
]

T4_GROUPS = [("行政复议", None), ("未经复议直接起诉", "行政诉讼"), ("复议后起诉", "行政诉讼")]
T4_OUTCOMES = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def test_six_sections_in_order_with_exact_headings() -> None:
    assert [s.heading for s in L.SECTIONS] == HEADINGS
    assert [s.key for s in L.SECTIONS] == [
        "overview",
        "active",
        "applications",
        "review_litigation",
        "problems",
        "other",
    ]


def test_overview_subsections_follow_practice() -> None:
    assert [label for _, label in L.OVERVIEW_PARTS] == [
        "（一）主动公开",
        "（二）依申请公开",
        "（三）政府信息管理",
        "（四）政府信息公开平台建设",
        "（五）监督保障",
    ]


def test_table_two_has_four_caption_groups_and_ten_cells() -> None:
    got = [
        (g.caption, [label for _, label in g.measures], [i.label for i in g.items])
        for g in L.ACTIVE_GROUPS
    ]
    assert got == T2
    assert L.ACTIVE_ITEM_HEADER == "信息内容"
    cells = L.active_cells()
    assert len(cells) == 10
    assert cells[:3] == (("rules", "issued"), ("rules", "repealed"), ("rules", "in_force"))
    assert cells[-4:] == (
        ("licensing", None),
        ("punishment", None),
        ("coercion", None),
        ("fees_10k_yuan", None),
    )
    assert L.active_label("normative_docs", "in_force") == "行政规范性文件·现行有效件数"
    assert L.active_label("licensing") == "行政许可"
    with pytest.raises(KeyError):
        L.active_label("nonsense")


def test_table_three_headers_and_columns() -> None:
    assert L.APPLICATION_NOTE == T3_NOTE
    assert L.APPLICANT_HEADER == "申请人情况"
    assert L.ORGANISATION_HEADER == "法人或其他组织"
    assert [c.label for c in L.APPLICATION_COLUMNS] == T3_COLUMNS
    assert [L.COLUMN_BY_KEY[k].label for k in L.ORGANISATION_KEYS] == T3_COLUMNS[1:6]
    assert L.APPLICATION_COLUMN_KEYS[-1] == L.TOTAL


def test_table_three_has_25_rows_with_exact_label_paths() -> None:
    assert [(r.key, r.path) for r in L.APPLICATION_ROWS] == T3_ROWS
    assert len(L.APPLICATION_ROWS) == 25
    assert L.ROW_BY_KEY["withheld_third_party"].full_label == _R + _W + "4.保护第三方合法权益"


def test_results_group_spans_22_rows_and_has_no_subtotals() -> None:
    spanned = [r.key for r in L.APPLICATION_ROWS if L.RESULTS in r.groups]
    assert len(spanned) == 22
    assert spanned[0] == "granted" and spanned[-1] == "total"
    assert not any("subtotal" in key for key in L.APPLICATION_ROW_KEYS)


def test_outcome_rows_are_the_21_leaves_summing_to_the_total() -> None:
    expected = [key for key, path in T3_ROWS if path[0] == _R and key != "total"]
    assert list(L.OUTCOME_KEYS) == expected
    assert len(L.OUTCOME_KEYS) == 21
    categories = dict(L.OUTCOME_CATEGORIES)
    assert list(categories) == [
        "予以公开",
        "部分公开",
        "不予公开",
        "无法提供",
        "不予处理",
        "其他处理",
    ]
    assert sum(len(keys) for keys in categories.values()) == 21
    assert categories["无法提供"] == (
        "unable_not_held",
        "unable_needs_creation",
        "unable_unclear_after_correction",
    )


@pytest.mark.parametrize(
    ("label", "bare"),
    [
        ("（三）不予公开", "不予公开"),
        ("三、本年度办理结果", "本年度办理结果"),
        ("8.属于行政查询事项", "属于行政查询事项"),
        ("规章", "规章"),
    ],
)
def test_strip_numbering(label: str, bare: str) -> None:
    assert L.strip_numbering(label) == bare


def test_table_four_has_15_columns_in_three_groups() -> None:
    assert [(g.label, g.parent) for g in L.CASE_GROUPS] == T4_GROUPS
    assert [o.label for o in L.REVIEW_OUTCOMES] == T4_OUTCOMES
    assert len(L.CASE_GROUPS) * len(L.REVIEW_OUTCOMES) == 15
    assert L.REVIEW_HEADER == "行政复议" and L.LITIGATION_HEADER == "行政诉讼"
    assert L.CASE_GROUP_BY_KEY["litigation_direct"].full_label == "行政诉讼·未经复议直接起诉"
    assert L.REVIEW_PARTS == ("maintained", "corrected", "other", "pending")


def test_title_and_period() -> None:
    assert L.title("泽州县行政审批服务管理局", 2021) == (
        "泽州县行政审批服务管理局2021年政府信息公开工作年度报告"
    )
    assert L.period(2021) == "2021年1月1日至2021年12月31日"


def test_model_keys_match_model_md() -> None:
    assert L.TOP_LEVEL_KEYS == (
        "schema",
        "agency",
        "agency_id",
        "region",
        "region_code",  # issue 20: the GB/T 2260 code, optional (model.md's keys otherwise)
        "kind",
        "scope",
        "year",
        "published",
        "contact",
        "narrative",
        "processing_fees",
        "active",
        "applications",
        "review_litigation",
        "previous",
    )
    assert L.PROCESSING_FEE_KEYS == ("notices", "notice_amount_yuan", "collected_yuan")
    assert L.CONTACT_KEYS == ("address", "postcode", "phone", "email")
    assert L.CASE_GROUP_KEYS == ("review", "litigation_direct", "litigation_after_review")
    assert L.SCHEMA == "govinfo/annual-report@1"


# The foundation modules must not type an official label again: they derive it from layout.
PACKAGE = Path(L.__file__).parent
# Every module but the layout itself, the importer's declaration of the *2019* labels, the
# example generator's prose (narrative sentences that mention document kinds) and the
# audit's reading of prose (the words 行政复议, 行政许可 … as writers use them in sentences).
EXEMPT = ("layout.py", "legacy.py", "examples.py")
CHECKED = sorted(
    p.relative_to(PACKAGE).as_posix()
    for p in PACKAGE.rglob("*.py")
    if p.name not in EXEMPT and p.relative_to(PACKAGE).as_posix() != "audit/numbers.py"
)


def _official_labels() -> set[str]:
    labels = {s.heading for s in L.SECTIONS} | {label for _, label in L.OVERVIEW_PARTS}
    for group in L.ACTIVE_GROUPS:
        labels |= {group.caption, *(m for _, m in group.measures), *(i.label for i in group.items)}
    labels |= {r.label for r in L.APPLICATION_ROWS} | {
        g.label for r in L.APPLICATION_ROWS for g in r.groups
    }
    labels |= {c.label for c in L.APPLICATION_COLUMNS} | {g.label for g in L.CASE_GROUPS}
    labels |= {o.label for o in L.REVIEW_OUTCOMES} | {L.APPLICATION_NOTE, L.APPLICANT_HEADER}
    labels.add(L.ORGANISATION_HEADER)
    return {label for label in labels if len(label) >= 4}  # 总计, 其他 … are ordinary words


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """String constants of a module, docstrings excluded (they may quote labels)."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


@pytest.mark.parametrize("module", CHECKED)
def test_no_official_label_is_typed_twice(module: str) -> None:
    path = PACKAGE / module
    labels = _official_labels()
    repeats = [
        (line, label) for line, text in _code_strings(path) for label in labels if label in text
    ]
    assert repeats == [], f"{path.name} types official labels; derive them from layout.py"
