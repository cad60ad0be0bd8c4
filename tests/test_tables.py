"""The official HTML tables parsed back: spans, labels and every cell.

Each table is laid out as a grid (rowspan/colspan honoured) so that the tests check the
shape a reader sees: every row as wide as the table, every header column's label path, every
body row's label path. Header texts and spans are copied from format.md §2–§4 (the
independent check); row labels are compared with layout.py, which test_layout checks.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag

from govinfo import layout as L
from govinfo.findings import Finding
from govinfo.model import Report
from govinfo.params import load, parse
from govinfo.publish.tables import (
    active_frame,
    active_html,
    applications_frame,
    applications_html,
    findings_html,
    format_number,
    report_html,
    review_frame,
    review_html,
    stylesheet,
)
from govinfo.rules import check

Data = dict[str, Any]


def table_of(html: str) -> Tag:
    tables = BeautifulSoup(html, "lxml").find_all("table")
    assert len(tables) == 1
    return tables[0]


def grid(rows: list[Tag]) -> list[list[Tag]]:
    """The rows as a rectangle of cells: a spanning cell fills every slot it covers."""
    slots: dict[tuple[int, int], Tag] = {}
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.find_all(["th", "td"], recursive=False):
            while (r, c) in slots:
                c += 1
            for dr in range(int(cell.get("rowspan", 1))):
                for dc in range(int(cell.get("colspan", 1))):
                    assert (r + dr, c + dc) not in slots, "overlapping cells"
                    slots[(r + dr, c + dc)] = cell
            c += int(cell.get("colspan", 1))
    height = max(r for r, _ in slots) + 1
    width = max(c for _, c in slots) + 1
    assert len(slots) == height * width, "the table is not rectangular"
    return [[slots[(r, c)] for c in range(width)] for r in range(height)]


def path(cells: list[Tag]) -> tuple[str, ...]:
    """The distinct texts along a line of grid slots (a spanning cell counts once)."""
    unique = list(dict.fromkeys(cells))
    return tuple(cell.get_text() for cell in unique)


def spans(tr: Tag) -> list[tuple[str, int, int]]:
    return [
        (th.get_text(), int(th.get("rowspan", 1)), int(th.get("colspan", 1)))
        for th in tr.find_all("th", recursive=False)
    ]


def distinct_report() -> Report:
    """Every table cell a different number, so a misplaced value cannot pass."""
    data: Data = {"agency": "示例局", "agency_id": "shili", "year": 2021, "processing_fees": {}}
    data["applications"] = {
        "rows": {
            key: [100 * r + c for c in range(7)] for r, key in enumerate(L.APPLICATION_ROW_KEYS)
        }
    }
    data["review_litigation"] = {
        key: [10 * g + o for o in range(5)] for g, key in enumerate(L.CASE_GROUP_KEYS)
    }
    data["active"] = {
        "rules": {"issued": 1, "repealed": 2, "in_force": 3},
        "normative_docs": {"issued": 4, "repealed": 5, "in_force": 6},
        "licensing": 7,
        "punishment": 8,
        "coercion": 9,
        "fees_10k_yuan": Decimal("10.25"),
    }
    return parse(data)


# --------------------------------------------------------------------------- 表三

T3_HEAD_SPANS = [
    [
        ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3),
        ("申请人情况", 1, 7),
    ],
    [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
    [
        ("商业企业", 1, 1),
        ("科研机构", 1, 1),
        ("社会公益组织", 1, 1),
        ("法律服务机构", 1, 1),
        ("其他", 1, 1),
    ],
]
T3_COLUMN_PATHS = [
    ("申请人情况", "自然人"),
    ("申请人情况", "法人或其他组织", "商业企业"),
    ("申请人情况", "法人或其他组织", "科研机构"),
    ("申请人情况", "法人或其他组织", "社会公益组织"),
    ("申请人情况", "法人或其他组织", "法律服务机构"),
    ("申请人情况", "法人或其他组织", "其他"),
    ("申请人情况", "总计"),
]


def test_table_three_header_spans_exactly_as_format_md() -> None:
    table = table_of(applications_html(distinct_report().applications))
    head = table.thead.find_all("tr")
    assert [spans(tr) for tr in head] == T3_HEAD_SPANS
    layout = grid(head)
    assert len(layout) == 3 and len(layout[0]) == 10
    assert {id(cell) for line in layout for cell in line[:3]} == {id(layout[0][0])}  # the note
    assert [path([line[c] for line in layout]) for c in range(3, 10)] == T3_COLUMN_PATHS
    assert all(th.get("scope") in ("col", "colgroup") for th in table.thead.find_all("th"))
    assert table.caption.get_text() == "收到和处理政府信息公开申请情况"


def test_table_three_has_25_labelled_rows_and_175_cells() -> None:
    report = distinct_report()
    table = table_of(applications_html(report.applications))
    body = table.tbody.find_all("tr")
    layout = grid(body)
    assert len(layout) == 25 and all(len(line) == 10 for line in layout)
    assert [path(line[:3]) for line in layout] == [row.path for row in L.APPLICATION_ROWS]
    assert [tr["data-row"] for tr in body] == list(L.APPLICATION_ROW_KEYS)
    group_heads = table.tbody.find_all("th", scope="rowgroup")
    assert [(th.get_text(), int(th["rowspan"])) for th in group_heads] == [
        ("三、本年度办理结果", 22),
        ("（三）不予公开", 8),
        ("（四）无法提供", 3),
        ("（五）不予处理", 5),
        ("（六）其他处理", 3),
    ]
    cells = table.tbody.find_all("td")
    assert len(cells) == 175
    for r, row in enumerate(L.APPLICATION_ROWS):
        for c, column in enumerate(L.APPLICATION_COLUMNS):
            td = layout[r][3 + c]
            assert (td.name, td["data-section"], td["data-row"], td["data-col"]) == (
                "td",
                "applications",
                row.key,
                column.key,
            )
            assert td.get_text() == str(report.applications.cell(row.key, column.key))
            assert td.get_text() == str(100 * r + c)


def test_zeros_show_as_0_never_blank() -> None:
    html = applications_html(load_seed().applications)
    texts = [td.get_text() for td in table_of(html).find_all("td")]
    assert texts == ["0"] * 175


def load_seed() -> Report:
    from conftest import SEED

    return load(SEED)


# --------------------------------------------------------------------------- 表二


def test_table_two_caption_groups_headers_and_ten_cells() -> None:
    report = distinct_report()
    table = table_of(active_html(report.active))
    assert table.caption.get_text() == "主动公开政府信息情况"
    layout = grid(table.find_all("tr"))
    assert all(len(line) == 4 for line in layout)
    groups = table.find_all("tbody")
    assert [spans(tb.find("tr")) for tb in groups] == [
        [("第二十条第（一）项", 1, 4)],
        [("第二十条第（五）项", 1, 4)],
        [("第二十条第（六）项", 1, 4)],
        [("第二十条第（八）项", 1, 4)],
    ]
    assert [spans(tb.find_all("tr")[1]) for tb in groups] == [
        [
            ("信息内容", 1, 1),
            ("本年制发件数", 1, 1),
            ("本年废止件数", 1, 1),
            ("现行有效件数", 1, 1),
        ],
        [("信息内容", 1, 1), ("本年处理决定数量", 1, 3)],
        [("信息内容", 1, 1), ("本年处理决定数量", 1, 3)],
        [("信息内容", 1, 1), ("本年收费金额（单位：万元）", 1, 3)],
    ]
    items = [[th.get_text() for th in tb.find_all("th", scope="row")] for tb in groups]
    assert items == [
        ["规章", "行政规范性文件"],
        ["行政许可"],
        ["行政处罚", "行政强制"],
        ["行政事业性收费"],
    ]
    cells = table.find_all("td")
    assert len(cells) == 10
    got = [
        (td["data-row"], td.get("data-col"), td.get_text(), int(td.get("colspan", 1)))
        for td in cells
    ]
    assert got == [
        ("rules", "issued", "1", 1),
        ("rules", "repealed", "2", 1),
        ("rules", "in_force", "3", 1),
        ("normative_docs", "issued", "4", 1),
        ("normative_docs", "repealed", "5", 1),
        ("normative_docs", "in_force", "6", 1),
        ("licensing", None, "7", 3),
        ("punishment", None, "8", 3),
        ("coercion", None, "9", 3),
        ("fees_10k_yuan", None, "10.25", 3),
    ]


def test_fee_is_shown_as_given_without_exponent() -> None:
    assert format_number(Decimal("24457.4")) == "24457.4"
    assert format_number(Decimal("1.0E+2")) == "100"
    assert format_number(Decimal("24457.40")) == "24457.40"
    assert format_number(0) == "0"
    report = load_seed().with_cell("active", L.FEE_KEY, None, Decimal("1E+3"))
    td = table_of(active_html(report.active)).find("td", attrs={"data-row": L.FEE_KEY})
    assert td.get_text() == "1000"


# --------------------------------------------------------------------------- 表四

T4_HEAD_SPANS = [
    [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
    [
        ("结果维持", 2, 1),
        ("结果纠正", 2, 1),
        ("其他结果", 2, 1),
        ("尚未审结", 2, 1),
        ("总计", 2, 1),
        ("未经复议直接起诉", 1, 5),
        ("复议后起诉", 1, 5),
    ],
    [(label, 1, 1) for label in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2],
]


def test_table_four_header_spans_and_15_cells() -> None:
    report = distinct_report()
    table = table_of(review_html(report.review_litigation))
    assert table.caption.get_text() == "政府信息公开行政复议、行政诉讼情况"
    head = table.thead.find_all("tr")
    assert [spans(tr) for tr in head] == T4_HEAD_SPANS
    layout = grid(head)
    assert len(layout) == 3 and len(layout[0]) == 15
    columns = [path([line[c] for line in layout]) for c in range(15)]
    assert columns[0] == ("行政复议", "结果维持")
    assert columns[4] == ("行政复议", "总计")
    assert columns[5] == ("行政诉讼", "未经复议直接起诉", "结果维持")
    assert columns[14] == ("行政诉讼", "复议后起诉", "总计")
    cells = table.tbody.find_all("td")
    assert len(cells) == 15
    expected = [
        (g.key, o.key, str(10 * gi + oi))
        for gi, g in enumerate(L.CASE_GROUPS)
        for oi, o in enumerate(L.REVIEW_OUTCOMES)
    ]
    assert [(td["data-row"], td["data-col"], td.get_text()) for td in cells] == expected


# --------------------------------------------------------------------------- findings marks


def marked(html: str) -> dict[tuple[str, str | None], tuple[list[str], str]]:
    return {
        (td["data-row"], td.get("data-col")): (td["class"], td["title"])
        for td in table_of(html).find_all("td")
        if td.get("class")
    }


def test_cells_with_findings_carry_class_and_title(busy_data: Data) -> None:
    busy_data["applications"]["rows"]["carried_forward"][0] = 2  # APP-BALANCE on 自然人
    busy_data["applications"]["rows"]["new"][6] = 9  # APP-TOTAL-COL on new, APP-BALANCE on 总计
    report = parse(busy_data)
    found = check(report)
    marks = marked(applications_html(report.applications, found))
    ledger = ("new", "carried_over", "total", "carried_forward")
    expected_cells = {(row, "natural_person") for row in ledger} | {
        (row, "total") for row in ledger
    }
    assert set(marks) == expected_cells | {("carried_forward", "total")}
    classes, title = marks[("carried_over", "natural_person")]
    assert classes == ["gi-flag", "gi-error"]
    assert title.startswith("APP-BALANCE: 自然人：新收 5 + 上年结转 1 = 6")
    _, title = marks[("new", "total")]
    assert "APP-BALANCE" in title and "APP-TOTAL-COL" in title  # one line per finding
    assert len(title.splitlines()) == 2


def test_warning_cells_and_whole_row_findings(seed_data: Data) -> None:
    seed_data["applications"]["rows"]["granted"] = [0, 0, "/", 0, 0, 0, 0]  # CELL-BLANK warning
    seed_data["applications"]["rows"]["new"] = [0, 0, 0]  # ROW-LENGTH marks the whole row
    seed_data["active"]["licencing"] = 1  # an unknown key marks no cell
    seed_data["active"]["punishment"] = -1
    report = parse(seed_data)
    found = check(report)
    apps = marked(applications_html(report.applications, found))
    assert apps[("granted", "research")][0] == ["gi-flag", "gi-warning"]
    assert {key for key in apps if key[0] == "new"} == {
        ("new", c) for c in L.APPLICATION_COLUMN_KEYS
    }
    assert "ROW-LENGTH" in apps[("new", "total")][1]
    assert set(marked(active_html(report.active, found))) == {("punishment", None)}


def test_review_total_marks_the_total_cell() -> None:
    finding = Finding(
        "REVIEW-TOTAL", "error", "review_litigation", "review", "total", "总计 <3>", "x"
    )
    marks = marked(review_html(load_seed().review_litigation, [finding]))
    assert marks == {("review", "total"): (["gi-flag", "gi-error"], "REVIEW-TOTAL: 总计 <3>")}


def test_no_marks_without_findings() -> None:
    html = applications_html(load_seed().applications)
    assert marked(html) == {}


# --------------------------------------------------------------------------- plain, safe HTML


def test_html_is_plain_and_accessible() -> None:
    report = load_seed()
    for html in (
        active_html(report.active),
        applications_html(report.applications),
        review_html(report.review_litigation),
    ):
        soup = BeautifulSoup(html, "lxml")
        assert soup.find("script") is None and soup.find(attrs={"style": True}) is None
        assert soup.find("caption") is not None
        assert all(
            th.get("scope") in ("col", "colgroup", "row", "rowgroup") for th in soup.find_all("th")
        )


def test_findings_list_escapes_and_orders() -> None:
    items = [
        Finding("PROBLEMS-EMPTY", "warning", "narrative", "problems", None, "五 太短", "too short"),
        Finding(
            "APP-BALANCE", "error", "applications", None, "total", "<script>x</script>", "a & b"
        ),
    ]
    soup = BeautifulSoup(findings_html(items), "lxml")
    assert soup.find("script") is None
    lis = soup.find_all("li")
    assert [li["class"] for li in lis] == [["gi-error"], ["gi-warning"]]
    assert "<script>x</script>" in lis[0].get_text() and "a & b" in lis[0].get_text()
    assert "未发现问题" in findings_html([])


def test_report_html_has_title_findings_and_three_tables(busy_data: Data) -> None:
    busy_data["applications"]["rows"]["carried_forward"][0] = 2
    report = parse(busy_data)
    soup = BeautifulSoup(report._repr_html_(), "lxml")
    assert soup.h1.get_text() == "泽州县行政审批服务管理局2021年政府信息公开工作年度报告"
    assert [h.get_text() for h in soup.find_all("h2")] == [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]
    assert len(soup.find_all("table")) == 3
    assert soup.find("li", class_="gi-error") is not None
    assert soup.find("td", class_="gi-error") is not None
    assert report_html(report) == report._repr_html_()
    assert ".gi-table" in stylesheet() and ".gi-error" in stylesheet()


def test_each_table_displays_itself_in_jupyter() -> None:
    report = load_seed()
    assert report.active._repr_html_() == active_html(report.active)
    assert report.applications._repr_html_() == applications_html(report.applications)
    assert report.review_litigation._repr_html_() == review_html(report.review_litigation)


# --------------------------------------------------------------------------- DataFrames


def test_applications_frame_has_the_official_header_and_labels() -> None:
    report = distinct_report()
    frame = applications_frame(report.applications)
    assert frame.shape == (25, 7)
    assert list(frame.columns) == [
        ("申请人情况", "自然人", ""),
        ("申请人情况", "法人或其他组织", "商业企业"),
        ("申请人情况", "法人或其他组织", "科研机构"),
        ("申请人情况", "法人或其他组织", "社会公益组织"),
        ("申请人情况", "法人或其他组织", "法律服务机构"),
        ("申请人情况", "法人或其他组织", "其他"),
        ("申请人情况", "总计", ""),
    ]
    labels = [tuple(part for part in index if part) for index in frame.index]
    assert labels == [row.path for row in L.APPLICATION_ROWS]
    assert frame.iloc[4, 1] == 401
    assert frame.to_numpy().tolist() == [
        list(report.applications.rows[k]) for k in L.APPLICATION_ROW_KEYS
    ]
    assert report.applications.to_frame().equals(frame)


def test_active_and_review_frames() -> None:
    report = distinct_report()
    active = active_frame(report.active)
    assert active.shape == (6, 5)
    assert active.loc[("第二十条第（一）项", "规章"), "现行有效件数"] == 3
    assert active.loc[
        ("第二十条第（八）项", "行政事业性收费"), "本年收费金额（单位：万元）"
    ] == Decimal("10.25")
    assert active.loc[("第二十条第（五）项", "行政许可"), "本年制发件数"] is None
    review = review_frame(report.review_litigation)
    assert review.shape == (1, 15)
    assert review.loc["件数", ("行政诉讼", "复议后起诉", "总计")] == 24
    assert review.loc["件数", ("行政复议", "", "结果纠正")] == 1
    assert set(report.to_frames()) == {"active", "applications", "review_litigation"}


@pytest.mark.parametrize("bad", ['<b onmouseover="x">', "a&b"])
def test_text_is_escaped_in_cells_and_titles(bad: str) -> None:
    finding = Finding("NEGATIVE", "error", "active", "licensing", None, bad, bad)
    td = table_of(active_html(load_seed().active, [finding])).find(
        "td", attrs={"data-row": "licensing"}
    )
    assert td["title"] == f"NEGATIVE: {bad}"
    assert td.find("b") is None


# --------------------------------------------------------------------------- narrow screens

# Where each column header may break, written out here (the independent check of
# tables.header_words): between words only, never inside 商业企业 as 商业企/业.
HEADER_BREAKS = {
    "商业企业": "商业|企业",
    "科研机构": "科研|机构",
    "社会公益组织": "社会|公益|组织",
    "法律服务机构": "法律|服务|机构",
    "法人或其他组织": "法人或|其他|组织",
    "申请人情况": "申请人|情况",
    "结果维持": "结果|维持",
    "结果纠正": "结果|纠正",
    "其他结果": "其他|结果",
    "尚未审结": "尚未|审结",
    "行政复议": "行政|复议",
    "行政诉讼": "行政诉讼",  # one word to ICU's dictionary too
    "未经复议直接起诉": "未经|复议|直接|起诉",
    "复议后起诉": "复议后|起诉",
    "信息内容": "信息|内容",
    "本年制发件数": "本年|制发|件数",
    "本年废止件数": "本年|废止|件数",
    "现行有效件数": "现行|有效|件数",
    "本年处理决定数量": "本年|处理|决定|数量",
    "本年收费金额（单位：万元）": "本年|收费|金额|（单位：万元）",
}


def column_headers(html: str) -> list[Tag]:
    table = BeautifulSoup(html, "html.parser").table  # lxml's parser nests text in <wbr>
    assert table is not None
    return [th for th in table.find_all("th") if th.get("scope") in ("col", "colgroup")]


def test_column_headers_break_only_between_words() -> None:
    report = distinct_report()
    pages = [
        active_html(report.active),
        applications_html(report.applications),
        review_html(report.review_litigation),
    ]
    seen: dict[str, str] = {}
    for html in pages:
        for th in column_headers(html):
            text = th.get_text()
            seen[text] = "|".join(part.get_text() for part in pieces_of(th))
    notes = {L.APPLICATION_NOTE, *(g.caption for g in L.ACTIVE_GROUPS)}
    shown = {text: pieces for text, pieces in seen.items() if text not in notes}
    short = {text: pieces for text, pieces in shown.items() if len(text) <= 3}
    assert all(text == pieces for text, pieces in short.items())  # 自然人, 总计, 其他 whole
    assert {t: p for t, p in shown.items() if t not in short} == HEADER_BREAKS


def pieces_of(th: Tag) -> list[BeautifulSoup]:
    """The header's content cut at its ``<wbr>`` elements (each piece parsed back)."""
    return [BeautifulSoup(part, "html.parser") for part in th.decode_contents().split("<wbr/>")]


def test_tables_scroll_in_their_own_named_box() -> None:
    report = distinct_report()
    for key, html in (
        ("active", active_html(report.active)),
        (L.APPLICATIONS, applications_html(report.applications)),
        (L.REVIEW_LITIGATION, review_html(report.review_litigation)),
    ):
        box = BeautifulSoup(html, "lxml").body.contents
        assert len(box) == 1 and box[0].name == "div"
        wrap = box[0]
        assert wrap["class"] == ["gi-table-wrap", "gi-keep"] and wrap["role"] == "region"
        assert wrap["tabindex"] == "0"  # a scrollable region is reachable by keyboard
        assert wrap["aria-label"] == L.SECTION_BY_KEY[key].title
        assert [c.name for c in wrap.children] == ["table"]


def test_table_three_label_cells_name_the_column_they_start_in() -> None:
    """gi-c1…gi-c3: report.css keeps the three label columns in view from these."""
    table = table_of(applications_html(distinct_report().applications))
    layout = grid(table.find_all("tr"))
    for line in layout:
        for column, cell in enumerate(line[:3], 1):
            starts = column == 1 or line[column - 2] is not cell
            if cell.name == "th" and starts:
                assert f"gi-c{column}" in cell["class"], cell.get_text()
