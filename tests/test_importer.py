"""Tests for ``govinfo import`` (issue 7): published reports read back into parameter files.

The corpus is generated: every example parameter file (``parameters/**/*.yaml``, picked up
automatically), the seed text and a synthetic non-zero report are published through our own
pipeline and then degraded the way portals, scrapers and PDF converters degrade reports
(perturbation generators below). The share of cells read exactly over the whole corpus is
measured and must reach 98%, no cell may be read wrong, and every cell not read must be
reported with its location.
"""

from __future__ import annotations

import html as html_lib
import random
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govinfo import layout as L
from govinfo.cli import main
from govinfo.importer import ImportResult, import_bytes, import_file, import_text
from govinfo.importer.decode import decode
from govinfo.importer.digits import BLANK, read_row
from govinfo.importer.fields import tokenise
from govinfo.importer.normalise import Source, fold
from govinfo.model import (
    ActiveDisclosure,
    Applications,
    CellMark,
    Narrative,
    Overview,
    ProcessingFees,
    Report,
    ReviewLitigation,
    frozen_mapping,
)
from govinfo.params import load

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "import"
EXAMPLES = sorted((ROOT / "parameters").glob("**/*.yaml"))
SEED = DATA / "zezhou-xzsp-2021.txt"
SEED_YAML = ROOT / "parameters" / "2021" / "zezhou-xzsp.yaml"
SAMPLE_YAML = DATA / "shili-jtys-2022.yaml"

# --------------------------------------------------------------------------- the page helper


def page_html(report: Report, *, charts: bool = True) -> str:
    """The report as our pipeline publishes it (the one place the tests get their HTML).

    ``charts=False`` keeps each chart's ``<figure>`` and alt text but skips drawing the PNG
    (matplotlib costs about a second per page), so that the corpus of every example file
    and the property test stay fast; the seed and the sample are published with real charts.
    """
    from govinfo.publish import charts as C
    from govinfo.publish import document

    if charts:
        return document.standalone_html(report)

    def bar(title: str, labels: list[str], values: list[float], unit: str) -> C.Chart:
        return C.Chart(b"", f"条形图：{title}。{C._describe(labels, values, unit)}", 640, 300)

    def grouped(
        title: str, groups: list[str], series: list[tuple[str, list[float]]], unit: str
    ) -> C.Chart:
        text = "；".join(f"{name}：{C._describe(groups, values, unit)}" for name, values in series)
        return C.Chart(b"", f"分组条形图：{title}。{text}", 640, 300)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(document, "bar_chart", bar)
        mp.setattr(document, "grouped_bar_chart", grouped)
        return document.standalone_html(report)


# --------------------------------------------------------------------------- comparison

Cell = tuple[str, str, str | None]


def expected_cells(report: Report) -> dict[Cell, object]:
    cells: dict[Cell, object] = {}
    for (item, measure), value in report.active.cells.items():
        cells[("active", item, measure)] = value
    for row, values in report.applications.rows.items():
        for column, value in zip(L.APPLICATION_COLUMN_KEYS, values, strict=True):
            cells[("applications", row, column)] = value
    for group, values in report.review_litigation.groups.items():
        for outcome, value in zip(L.REVIEW_OUTCOME_KEYS, values, strict=True):
            cells[("review_litigation", group, outcome)] = value
    return cells


def compare(result: ImportResult, expected: Report) -> tuple[int, int, list[Cell]]:
    """(exact, wrong, unread cells). A published blank where the truth is 0 is exact (C07).

    A blank is held as BLANK (never None) with exactly one CELL-BLANK problem, so that the
    counts (cells read, blanks, not read) add up to the cells expected, no blank counted twice."""
    exact, wrong, unread = 0, 0, []
    blanks = [(p.section, p.row, p.column) for p in result.problems if p.rule == "CELL-BLANK"]
    assert sorted(blanks) == sorted(c for c, v in result.cells.items() if v is BLANK)
    assert result.read + result.blanks + result.unread == result.expected == len(result.cells)
    assert result.unread == sum(1 for v in result.cells.values() if v is None)
    for cell, truth in expected_cells(expected).items():
        got = result.cells[cell]
        if got is BLANK:
            exact += truth == 0
            wrong += truth != 0
        elif got is None:
            unread.append(cell)
        elif isinstance(got, str) or Decimal(got) != Decimal(truth):
            wrong += 1
        else:
            exact += 1
    return exact, wrong, unread


def table_values(mapping: dict[str, Any]) -> list[object]:
    """Every table cell of a parameter-file mapping (二, 三, 四), as written."""
    values: list[object] = []
    for value in mapping["active"].values():
        values += list(value.values()) if isinstance(value, dict) else [value]
    for row in mapping["applications"]["rows"].values():
        values += row
    for group in mapping["review_litigation"].values():
        values += group
    return values


def reported(result: ImportResult, cell: Cell) -> bool:
    """A problem names this cell, its row, or its whole section."""
    section, row, column = cell
    return any(
        p.section == section and p.row in (row, None) and p.column in (column, None)
        for p in result.problems
    )


def plain(markdown: str) -> str:
    """Narrative as a reader sees it: rendered, tags gone, whitespace and widths ignored."""
    from govinfo.publish.document import markdown_html

    text = re.sub(r"<[^>]+>", "", markdown_html(markdown))
    return re.sub(r"\s+", "", fold(html_lib.unescape(text)))


def narrative_of(report: Report) -> dict[str, str]:
    o = report.narrative.overview
    out = {key: plain(getattr(o, key)) for key in L.OVERVIEW_KEYS}
    out["problems"] = plain(report.narrative.problems)
    other = report.narrative.other
    if report.processing_fees is not None and other.strip().strip("。.") == "无":
        other = ""  # the page states the fees instead of a bare 无
    out["other"] = plain(other)
    return out


def assert_same_model(result: ImportResult, original: Report) -> None:
    """Tables cell for cell, agency, year, fees and narrative as published."""
    _, wrong, unread = compare(result, original)
    assert (wrong, unread) == (0, []), result.summary()
    imported = result.report
    assert imported.active == original.active
    assert imported.applications == original.applications
    assert imported.review_litigation == original.review_litigation
    assert (imported.agency, imported.year) == (original.agency, original.year)
    assert imported.published == original.published
    assert imported.processing_fees == original.processing_fees
    assert narrative_of(imported) == narrative_of(original)


# --------------------------------------------------------------------------- perturbations
# Each generator degrades a published report the way a portal, a scraper or a PDF converter
# does. They take text (or a report) and a seeded Random, so every example file gets the
# same treatment and failures are reproducible.

CJK = "\u4e00-\u9fff"


def strip_attributes(page: str) -> str:
    """Real portals have none of our data-*, class or id attributes."""
    return re.sub(r'\s(?:data-[\w-]+|class|id|scope|title|role|aria-[\w-]+)="[^"]*"', "", page)


def portal_text(page: str, sep: str = "\t") -> str:
    """The page stripped to text the way portals do: tags removed, cells separated by
    ``sep``, rows and blocks by newlines (no placeholders for spanned cells)."""
    body = re.sub(r"(?is)<(head|style|script|nav)\b.*?</\1>", "", page)
    body = re.sub(r"(?i)</t[dh]>", sep, body)
    body = re.sub(
        r"(?i)</tr>|<br\s*/?>|</(?:p|h\d|li|div|caption|section|header|aside)>", "\n", body
    )
    return html_lib.unescape(re.sub(r"<[^>]+>", "", body))


def spaced_labels(text: str, rng: random.Random) -> str:
    """Spaces inside words (``自 然 人``, ``商业 企业``) as Word tables scrape."""
    return re.sub(f"(?<=[{CJK}])(?=[{CJK}])", lambda m: " " if rng.random() < 0.15 else "", text)


def wrapped_rows(text: str, rng: random.Random) -> str:
    """Rows wrapped over two lines; row labels on a line of their own."""
    out = []
    for line in text.split("\n"):
        tabs = [m.start() for m in re.finditer("\t", line)]
        if len(tabs) >= 3 and rng.random() < 0.4:
            cut = rng.choice(tabs[:1] if rng.random() < 0.5 else tabs)
            out.extend([line[:cut], line[cut:]])
        else:
            out.append(line)
    return "\n".join(out)


def tabs_to_spaces(text: str, rng: random.Random) -> str:
    return re.sub("\t", lambda m: " " * rng.randint(1, 3), text)


def one_line(text: str, rng: random.Random) -> str:
    """The whole page on one line with no separators at all: digits run together."""
    return "".join(text.split())


def full_width(text: str, rng: random.Random) -> str:
    table = {ord(d): chr(ord(d) + 0xFEE0) for d in "0123456789()"}
    return text.translate(table)


def numbering_variants(text: str, rng: random.Random) -> str:
    """（一） → (一) or 1、; 1. → 1、 or (1)."""
    text = re.sub(
        r"（([一二三四五六七])）", lambda m: rng.choice(["(%s)", "（%s）"]) % m.group(1), text
    )
    return re.sub(
        r"(?<![\d.])([1-8])\.(?=[" + CJK + "])",
        lambda m: rng.choice(["%s、", "%s.", "(%s)"]) % m.group(1),
        text,
    )


def remnants(text: str, rng: random.Random) -> str:
    """HTML remnants and Markdown headings left in scraped text."""
    text = re.sub(r"(?m)^(第二十条第\S+项)", r"<b>\1</b>", text)
    return re.sub(
        r"(?m)^([一二三四五六]、)", lambda m: rng.choice(["### ", "## ", ""]) + m.group(1), text
    )


def ocr_slips(text: str, rng: random.Random) -> str:
    """One wrong character in a few long labels, as OCR leaves them."""
    labels = [L.strip_numbering(r.label) for r in L.APPLICATION_ROWS if len(r.label) >= 10]
    for label in rng.sample(labels, 3):
        i = rng.randrange(2, len(label) - 2)
        text = text.replace(label, label[:i] + "囗" + label[i + 1 :], 1)
    return text


TEXT_PERTURBATIONS: dict[str, Callable[[str, random.Random], str]] = {
    "spaced": spaced_labels,
    "wrapped": wrapped_rows,
    "spaces": tabs_to_spaces,
    "one-line": one_line,
    "full-width": full_width,
    "numbering": numbering_variants,
    "remnants": remnants,
    "ocr": ocr_slips,
    "mixed": lambda t, r: numbering_variants(wrapped_rows(spaced_labels(t, r), r), r),
}


def portal_page(page: str, report: Report, rng: random.Random) -> bytes:
    """The page as a portal serves it: GBK, site chrome around it, no attributes, and
    Word-pasted cells whose numbers are split across several tags."""
    page = strip_attributes(page)

    def pasted(m: re.Match[str]) -> str:
        digits = m.group(2)
        if len(digits) > 1 and rng.random() < 0.5:
            cut = rng.randrange(1, len(digits))
            digits = f"<p><span>{digits[:cut]}</span><span>{digits[cut:]}</span></p>"
        return f"{m.group(1)}{digits}</td>"

    page = re.sub(r"(<td[^>]*>)([\d.]+)</td>", pasted, page)
    title = report.title
    chrome_top = (
        '<div class="top-nav"><ul><li><a href="/">首页</a></li><li><a>政务公开</a></li>'
        "<li><a>政府信息公开年度报告</a></li></ul></div>"
        '<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 年度报告</div>'
    )
    sidebar = (
        '<div class="sidebar"><h3>相关报告</h3><ul>'
        f"<li><a>{report.agency}{report.year - 1}年政府信息公开工作年度报告</a></li>"
        f"<li><a>{report.agency}{report.year - 2}年政府信息公开工作年度报告</a></li></ul></div>"
    )
    footer = (
        '<div class="footer">主办单位：示例市人民政府办公室 网站标识码：1234567890 '
        "晋ICP备12345678号</div>"
    )
    page = page.replace("<body>", f"<body>{chrome_top}{sidebar}", 1)
    page = page.replace("</body>", f"{footer}</body>", 1)
    page = page.replace(
        '<meta charset="utf-8"/>',
        '<meta http-equiv="Content-Type" content="text/html; charset=gbk"/>',
    )
    assert title in page
    return page.encode("gb18030")


def markdown_pdf(report: Report, rng: random.Random) -> str:
    """The report as PDF-to-Markdown converters write it: one table per block with generic
    column names, a stray header row from another table, page-number lines inside tables,
    labels split across cells, labels detached from their numbers, and 四 in three tables."""
    from govinfo.publish.document import fees_statement

    out = [f"# {report.title}", ""]
    o = report.narrative.overview

    def para(text: str) -> None:
        if text.strip():
            out.extend([text, ""])

    out += [f"## {L.SECTIONS[0].heading}", ""]
    para(o.intro)
    for key, label in L.OVERVIEW_PARTS:
        if getattr(o, key).strip():
            out.extend([f"**{label}**", ""])
            para(getattr(o, key))

    def table(rows: list[list[object]]) -> None:
        width = max(len(r) for r in rows)
        out.append("| " + " | ".join(f"数据{i + 1}" for i in range(width)) + " |")
        out.append("|" + "---|" * width)
        for i, row in enumerate(rows):
            out.append("| " + " | ".join(str(c) for c in row) + " |")
            if i == len(rows) // 2:
                out.append(str(rng.randint(2, 9)))  # a page number inside the table
        out.append("")

    out += [f"## {L.SECTIONS[1].heading}", ""]
    rows: list[list[object]] = []
    for group in L.ACTIVE_GROUPS:
        rows.append([group.caption])
        rows.append([L.ACTIVE_ITEM_HEADER, *(label for _, label in group.measures)])
        for item in group.items:
            if group.is_single:
                rows.append([item.label, report.active.get(item.key)])
            else:
                rows.append(
                    [item.label, *(report.active.get(item.key, m) for m, _ in group.measures)]
                )
    table(rows)

    out += [f"## {L.SECTIONS[2].heading}", ""]
    rows = [[L.ACTIVE_ITEM_HEADER, L.ACTIVE_GROUPS[1].measures[0][1]]]  # another table's header
    rows.append([L.APPLICATION_NOTE, L.APPLICANT_HEADER])
    rows.append([*(c.label for c in L.APPLICATION_COLUMNS)])
    detached = [r for r in L.APPLICATION_ROWS if r.groups and r.groups[-1] == L.WITHHELD]
    for row in L.APPLICATION_ROWS:
        values = list(report.applications.rows[row.key])
        label = row.label
        if row in detached:
            rows.append([label])
            if row == detached[-1]:
                rows.extend(list(report.applications.rows[r.key]) for r in detached)
            continue
        if len(label) > 12 and rng.random() < 0.5:
            rows.append([label[:8], label[8:], *values])  # a label split across cells
        else:
            rows.append([label, *values])
    table(rows)

    out += [f"## {L.SECTIONS[3].heading}", ""]
    for group in L.CASE_GROUPS:
        table(
            [
                [group.full_label],
                [o.label for o in L.REVIEW_OUTCOMES],
                list(report.review_litigation.groups[group.key]),
            ]
        )

    out += [f"## {L.SECTIONS[4].heading}", ""]
    para(report.narrative.problems)
    out += [f"## {L.SECTIONS[5].heading}", ""]
    para(fees_statement(report))
    other = report.narrative.other
    if not (report.processing_fees is not None and other.strip().strip("。.") == "无"):
        para(other)
    return "\n".join(out)


Doc = str | bytes


def variants(report: Report, rng: random.Random, charts: bool = False) -> Iterator[tuple[str, Doc]]:
    """Every degraded form of one report that the corpus covers."""
    page = page_html(report, charts=charts)
    yield "html", page
    yield "html-no-attributes", strip_attributes(page)
    yield "portal-gbk", portal_page(page, report, rng)
    text = portal_text(page)
    yield "text-tabs", text
    yield "text-one-space", portal_text(page, " ")
    for name, perturb in TEXT_PERTURBATIONS.items():
        yield f"text-{name}", perturb(text, rng)
    yield "text-gb18030", text.encode("gb18030")
    yield "text-bom", b"\xef\xbb\xbf" + text.encode("utf-8")
    markdown = markdown_pdf(report, rng)
    yield "markdown-pdf", markdown
    yield "markdown-pdf-gb18030", spaced_labels(markdown, rng).encode("gb18030")


def seed_variants(rng: random.Random) -> Iterator[tuple[str, Doc]]:
    text = SEED.read_text("utf-8")
    yield "seed", text
    for name in ("spaced", "wrapped", "one-line", "full-width", "numbering", "ocr", "mixed"):
        yield f"seed-{name}", TEXT_PERTURBATIONS[name](text, rng)
    yield "seed-gb18030", text.encode("gb18030")
    yield "seed-bom", b"\xef\xbb\xbf" + text.encode("utf-8")


def run(doc: Doc, name: str) -> ImportResult:
    if isinstance(doc, bytes):
        return import_bytes(doc, name=name)
    return import_text(doc, name=name)


@cache
def corpus() -> tuple[tuple[str, ImportResult, Report], ...]:
    """(name, import result, truth) over every example, the seed and the sample."""
    items = []
    for path in [*EXAMPLES, SAMPLE_YAML]:
        report = load(path)
        rng = random.Random(path.name)
        for name, doc in variants(report, rng, charts=path == SAMPLE_YAML):
            label = f"{path.parent.name}/{path.stem}:{name}"
            items.append((label, run(doc, f"{path.stem}.txt"), report))
    seed_truth = load(SEED_YAML)
    for name, doc in seed_variants(random.Random(7)):
        items.append((name, run(doc, "zezhou-xzsp-2021.txt"), seed_truth))
    return tuple(items)


# --------------------------------------------------------------------------- random reports

SENTENCES = (
    "本年度共收到政府信息公开申请{n}件，均在法定期限内答复。",
    "全年主动公开政府信息{n}条，其中政策文件{m}条。",
    "开展政务公开业务培训{n}次，参训{m}人次。",
    "一是公开内容的解读质量有待提高；二是答复文书的规范性需进一步加强。",
    "进一步落实“三审三校”制度，严把信息发布关。",
    "门户网站政务公开专栏访问量{n}万人次。",
    "下一步将加强业务培训，完善答复文书模板。",
    "本年度行政复议{n}件、行政诉讼{m}件，均已按期办结。",
)
AGENCIES = ("示例市交通运输局", "示例县人民政府", "示例区市场监督管理局", "示例市生态环境局")


@st.composite
def texts(draw: st.DrawFn, empty: bool = True) -> str:
    count = draw(st.integers(0 if empty else 1, 3))
    paragraphs = []
    for _ in range(count):
        sentences = draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=3))
        n, m = draw(st.integers(0, 9999)), draw(st.integers(0, 99))
        paragraphs.append("".join(s.format(n=n, m=m) for s in sentences))
    return "\n\n".join(paragraphs)


@st.composite
def balanced_reports(draw: st.DrawFn) -> Report:
    """Random valid reports: rows sum to 总计, columns to （七）总计, the ledgers hold."""
    count = st.one_of(st.integers(0, 12), st.sampled_from([0, 0, 0, 27, 105, 1234]))
    rows: dict[str, tuple[int, ...]] = {}
    for key in L.OUTCOME_KEYS:
        values = draw(st.lists(count, min_size=6, max_size=6))
        rows[key] = (*values, sum(values))
    total = [sum(rows[k][i] for k in L.OUTCOME_KEYS) for i in range(6)]
    forward = draw(st.lists(st.integers(0, 5), min_size=6, max_size=6))
    carried = [draw(st.integers(0, t + f)) for t, f in zip(total, forward, strict=True)]
    new = [t + f - c for t, f, c in zip(total, forward, carried, strict=True)]
    for key, values in (
        ("new", new),
        ("carried_over", carried),
        ("total", total),
        ("carried_forward", forward),
    ):
        rows[key] = (*values, sum(values))
    groups = {}
    for group in L.CASE_GROUP_KEYS:
        parts = draw(st.lists(st.integers(0, 4), min_size=4, max_size=4))
        groups[group] = (*parts, sum(parts))
    active = {cell: draw(count) for cell in L.active_cells()}
    cents = draw(st.integers(0, 10**7))
    active[(L.FEE_KEY, None)] = Decimal(cents) / 100 if cents % 3 else Decimal(cents // 100)
    year = draw(st.integers(2021, 2024))
    overview = Overview(**{key: draw(texts()) for key in L.OVERVIEW_KEYS})
    fees = draw(
        st.none()
        | st.builds(
            ProcessingFees,
            st.integers(0, 20),
            st.integers(0, 9999).map(Decimal),
            st.integers(0, 999999).map(lambda c: Decimal(c) / 100),
        )
    )
    return Report(
        agency=draw(st.sampled_from(AGENCIES)),
        agency_id="random",
        year=year,
        narrative=Narrative(overview, draw(texts(empty=False)), draw(texts())),
        processing_fees=fees,
        active=ActiveDisclosure(frozen_mapping(active)),
        applications=Applications(frozen_mapping(rows)),
        review_litigation=ReviewLitigation(frozen_mapping(groups)),
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(balanced_reports())
def test_random_valid_reports_round_trip(report: Report) -> None:
    """Published by our pipeline, read back from the HTML, from the HTML without any of our
    attributes, and from the text portals strip it to: the same model every time. Flattened
    onto one line, nothing may be read wrong and every cell not read is reported."""
    page = page_html(report, charts=False)
    for doc in (page, strip_attributes(page), portal_text(page), portal_text(page, " ")):
        assert_same_model(import_text(doc, name="random.html"), report)
    flat = import_text(one_line(portal_text(page), random.Random(0)), name="flat.txt")
    _, wrong, unread = compare(flat, report)
    assert wrong == 0, flat.summary()
    assert all(reported(flat, cell) for cell in unread)


# --------------------------------------------------------------------------- the seed


def test_seed_imports_the_published_numbers_and_sections() -> None:
    """The real scraped report reads to exactly the transcribed numbers and narrative."""
    result = import_file(SEED)
    truth = load(SEED_YAML)
    imported = result.report
    assert imported.active == truth.active
    assert imported.applications == truth.applications
    assert imported.review_litigation == truth.review_litigation
    assert (imported.agency, imported.year, imported.agency_id) == (
        "泽州县行政审批服务管理局",
        2021,
        "zezhou-xzsp",
    )
    # The page says only 无 in 六 (the transcription's zero fees are inferred, not read).
    assert imported.processing_fees is None and imported.narrative.other == "无"
    assert narrative_of(imported) == narrative_of(truth.replace(processing_fees=None))
    assert result.sections == tuple(s.key for s in L.SECTIONS)
    assert set(result.mapping["narrative"]["overview"]) == set(L.OVERVIEW_KEYS)
    # 表四's 行政复议 cells are empty in the scrape: read as published blanks (C07), and
    # the stray value outside the header grid is reported, not used.
    blanks = [p.where for p in result.problems if p.rule == "CELL-BLANK"]
    assert blanks == [f"review_litigation/review/{o}" for o in L.REVIEW_OUTCOME_KEYS]
    assert result.mapping["review_litigation"]["review"] == ["-"] * 5
    review = [("review_litigation", "review", o) for o in L.REVIEW_OUTCOME_KEYS]
    assert all(result.cells[cell] is BLANK for cell in review)
    assert [f.rule for f in imported.load_findings] == ["CELL-BLANK"] * 5
    assert dict(imported.marks) == {cell: CellMark("blank", "-") for cell in review}
    assert any(p.rule == "IMPORT-EXTRA" for p in result.problems)
    assert (result.read, result.blanks, result.unread, result.expected) == (195, 5, 0, 200)
    assert result.complete


@pytest.mark.parametrize("name", ["zezhou-xzsp-2021.gb18030.txt", "zezhou-xzsp-2021.bom.txt"])
def test_seed_encodings(name: str) -> None:
    result = import_file(DATA / name)
    assert result.encoding == {"gb18030": "gbk/gb18030", "bom": "utf-8 (BOM)"}[name.split(".")[1]]
    assert result.cells == import_file(SEED).cells
    assert result.mapping["agency_id"] == "zezhou-xzsp"


# --------------------------------------------------------------------------- the corpus


def test_corpus_reads_98_percent_of_cells_exactly_and_reports_the_rest(
    record_property: Callable[[str, object], None],
) -> None:
    """Every example file, the seed and the sample, in every degraded form: at least 98% of
    all table cells read exactly, none read wrong, and every cell not read reported."""
    exact = total = 0
    failures = []
    for name, result, truth in corpus():
        got, wrong, unread = compare(result, truth)
        exact += got
        total += len(result.cells)
        unreported = [cell for cell in unread if not reported(result, cell)]
        if wrong or unreported:
            failures.append((name, wrong, unreported))
        assert (result.report.agency, result.report.year) == (truth.agency, truth.year), name
    share = exact / total
    record_property("cells_read_exactly", f"{share:.4%} of {total}")
    print(f"\ncorpus: {len(corpus())} documents, {total} cells, {share:.4%} read exactly")
    assert failures == []
    assert share >= 0.98
    assert len({name.split(":")[0] for name, _, _ in corpus()}) >= len(EXAMPLES) + 1


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_example_round_trips_through_html_and_portal_text(path: Path) -> None:
    """Published by our pipeline, with or without our attributes, and stripped to text."""
    report = load(path)
    for name, result, truth in corpus():
        if name.startswith(f"{path.parent.name}/{path.stem}:") and name.split(":")[1] in (
            "html",
            "html-no-attributes",
            "portal-gbk",
            "text-tabs",
            "text-one-space",
        ):
            assert truth == report
            assert_same_model(result, report)


def test_sample_with_real_charts_round_trips() -> None:
    report = load(SAMPLE_YAML)
    page = page_html(report)  # real PNG charts, alt text stating every number
    assert "data:image/png;base64," in page
    assert_same_model(import_text(page, name="sample.html"), report)
    assert_same_model(import_text(portal_text(page), name="sample.txt"), report)


# --------------------------------------------------------------------------- test data files


def test_portal_page_with_navigation_word_cells_and_blanks() -> None:
    """GBK page with site chrome, numbers split across tags, an empty cell and a '—'."""
    result = import_file(DATA / "shili-jtys-2022.portal.html")
    truth = load(SAMPLE_YAML)
    assert result.form == "html" and result.encoding == "gbk/gb18030"
    assert compare(result, truth)[1:] == (0, [])
    blanks = {p.where for p in result.problems if p.rule == "CELL-BLANK"}
    assert blanks == {
        "applications/other_other/natural_person",
        "applications/other_other/commercial",
    }
    assert result.mapping["applications"]["rows"]["other_other"][:2] == ["-", "-"]
    assert result.mapping["agency"] == truth.agency
    assert "首页" not in str(result.mapping["narrative"])
    loaded = result.report  # params turns the written '-' into CELL-BLANK findings
    assert [(f.rule, f.where) for f in loaded.load_findings] == [
        ("CELL-BLANK", "applications/other_other/natural_person"),
        ("CELL-BLANK", "applications/other_other/commercial"),
    ]
    assert (result.read, result.blanks, result.unread) == (198, 2, 0)


def test_markdown_from_pdf() -> None:
    result = import_file(DATA / "shili-jtys-2022.pdf.md")
    assert compare(result, load(SAMPLE_YAML)) == (200, 0, [])


def test_one_line_run_together_digits() -> None:
    """Digits run together: split by the identities; what stays ambiguous is reported."""
    result = import_file(DATA / "shili-jtys-2022.one-line.txt")
    _, wrong, unread = compare(result, load(SAMPLE_YAML))
    assert wrong == 0
    assert result.mapping["applications"]["rows"]["new"] == [202, 69, 85, 132, 76, 111, 675]
    # 规章 2|1|15 and 行政规范性文件 12|3|86 have no identity to split them by.
    assert set(unread) == {
        ("active", item, m)
        for item in L.ACTIVE_DOC_ITEMS
        for m in ("issued", "repealed", "in_force")
    }
    ambiguous = {p.where for p in result.problems if p.rule == "IMPORT-AMBIGUOUS"}
    assert "active/rules/issued" in ambiguous
    assert "2、21" in next(p.zh for p in result.problems if p.where == "active/rules/issued")


def test_2019_format() -> None:
    """Old format: what maps is read, the rest left empty, OLD-FORMAT reported."""
    result = import_file(DATA / "shili-mzj-2020.format-2019.txt")
    m = result.mapping
    assert (m["agency"], m["year"], m["published"]) == ("示例县民政局", 2020, "2021-01-28")
    assert {k: m["active"][k] for k in L.ACTIVE_SINGLE_ITEMS} == {
        "licensing": 356,
        "punishment": 42,
        "coercion": 3,
        "fees_10k_yuan": "unread",
    }
    assert m["active"]["normative_docs"] == dict.fromkeys(
        ("issued", "repealed", "in_force"), "unread"
    )
    rows = m["applications"]["rows"]
    assert rows["total"] == [5, 1, 0, 0, 0, 0, 6] and rows["unable_not_held"] == [
        1,
        0,
        0,
        0,
        0,
        0,
        1,
    ]
    assert rows["other_no_fee"] == ["unread"] * 7
    assert m["review_litigation"]["litigation_direct"] == [0, 0, 0, 1, 1]
    assert "信息公开的及时性有待提高" in m["narrative"]["problems"]
    old = [p for p in result.problems if p.rule == "OLD-FORMAT"]
    assert {p.where for p in old} >= {"year", "active/fees_10k_yuan", "applications/other_other"}
    assert all(reported(result, cell) for cell, v in result.cells.items() if v is None)
    assert None not in table_values(m)  # null would mean "not filled in"
    # Validated, the cells not read are UNREAD errors (one per row), never MISSING or blanks.
    findings = [(f.rule, f.severity, f.where) for f in result.report.load_findings]
    assert findings == [
        ("UNREAD", "error", where)
        for where in (
            "active/rules",
            "active/normative_docs",
            "active/fees_10k_yuan",
            "applications/other_no_correction",
            "applications/other_no_fee",
            "applications/other_other",
        )
    ]


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("text", "cells", "expected"),
    [
        ("640020470", 7, [(64, 0, 0, 2, 0, 4, 70)]),
        ("0\t0\t\t0\t5\t0\t5", 7, [(0, 0, BLANK, 0, 5, 0, 5)]),
        ("0 0 / 0 — 1 1", 7, [(0, 0, BLANK, 0, BLANK, 1, 1)]),
        ("3 0 0 0 0 0 3 7 注：", 7, [(3, 0, 0, 0, 0, 0, 3)]),  # 7 is a page number
        ("3 0 0 0 0 0 3 说明 1", 7, [(3, 0, 0, 0, 0, 0, 3)]),  # text ends the row
        ("１２\t０\t０\t０\t０\t０\t１２", 7, [(12, 0, 0, 0, 0, 0, 12)]),
    ],
)
def test_read_row(text: str, cells: int, expected: list[tuple[object, ...]]) -> None:
    src = Source(text)
    reading = read_row(tokenise(src, 0, len(text)), cells, ((0, cells),))
    assert list(reading.candidates) == expected


def test_run_together_rows_and_glued_numbering() -> None:
    """``…数量640020470二、…`` and ``…00000002.其他法律…`` as in a page flattened to one line."""
    rows = "".join(
        f"{r.label}{''.join(str(v) for v in values)}"
        for r, values in zip(
            L.APPLICATION_ROWS[:6],
            [
                (64, 0, 0, 2, 0, 4, 70),
                (0,) * 7,
                (12, 0, 0, 0, 0, 1, 13),
                (0,) * 7,
                (0,) * 7,
                (0,) * 7,
            ],
            strict=True,
        )
    )
    text = f"三、收到和处理政府信息公开申请情况{rows}四、政府信息公开行政复议、行政诉讼情况"
    assert "00000002.其他法律" in text
    result = import_text(text, name="x-2021.txt")
    got = result.mapping["applications"]["rows"]
    assert got["new"] == [64, 0, 0, 2, 0, 4, 70]
    assert got["granted"] == [12, 0, 0, 0, 0, 1, 13]
    assert got["withheld_law_prohibited"] == [0] * 7
    assert got["withheld_three_safety_one_stability"] == ["unread"] * 7  # not in the text
    assert any(
        p.where == "applications/withheld_three_safety_one_stability" for p in result.problems
    )


def test_ambiguous_split_is_reported_not_guessed() -> None:
    text = "二、主动公开政府信息情况规章3521行政规范性文件000三、收到和处理政府信息公开申请情况"
    result = import_text(text, name="x-2021.txt")
    rules = result.mapping["active"]["rules"]
    # 3|5|21 3|52|1 35|2|1
    assert rules == {"issued": "unread", "repealed": "unread", "in_force": "unread"}
    assert result.mapping["active"]["normative_docs"] == {"issued": 0, "repealed": 0, "in_force": 0}
    problem = next(p for p in result.problems if p.where == "active/rules/repealed")
    assert problem.rule == "IMPORT-AMBIGUOUS" and "2、5、52" in problem.zh
    report = result.report
    rows = [(f.rule, f.severity) for f in report.load_findings if f.where == "active/rules"]
    assert rows == [("UNREAD", "error")]
    assert report.mark("active", "rules", "repealed") == CellMark("unread")
    assert report.mark("active", "normative_docs", "issued") is None  # read: 0


def test_decode() -> None:
    text = "一、总体情况（一）主动公开"
    assert decode(text.encode("gb18030")) == (text, "gbk/gb18030")
    assert decode(text.encode("gbk")) == (text, "gbk/gb18030")
    assert decode(codecs_bom_utf16(text)) == (text, "utf-16")
    assert decode(b"\xef\xbb\xbf" + text.encode()) == (text, "utf-8 (BOM)")
    page = f'<meta charset="gb2312"><p>{text}</p>'.encode("gb18030")
    assert decode(page)[0].endswith(f"<p>{text}</p>")


def codecs_bom_utf16(text: str) -> bytes:
    return text.encode("utf-16")  # Python writes the BOM


def test_blank_marks_are_published_blanks() -> None:
    text = "二、主动公开政府信息情况\n规章\t-\t/\t—\n行政规范性文件\t1\t0\t3\n行政许可\t－\n"
    result = import_text(text, name="x-2021.txt")
    assert result.mapping["active"]["rules"] == {"issued": "-", "repealed": "-", "in_force": "-"}
    assert result.mapping["active"]["licensing"] == "-"
    blanks = {p.where for p in result.problems if p.rule == "CELL-BLANK"}
    assert blanks == {
        "active/rules/issued",
        "active/rules/repealed",
        "active/rules/in_force",
        "active/licensing",
    }
    assert result.mapping["active"]["normative_docs"] == {"issued": 1, "repealed": 0, "in_force": 3}
    assert (result.read, result.blanks, result.unread) == (3, 4, 193)
    blank_findings = {f.where for f in result.report.load_findings if f.rule == "CELL-BLANK"}
    assert blank_findings == blanks


def test_fee_value_not_stated_is_written_unread_not_null() -> None:
    """A 信息处理费 value 六 does not state is not read: ``unread`` (UNREAD), never ``null``
    (which would make it a MISSING "not filled in" cell) and never 0."""
    text = "六、其他需要报告的事项\n本年度发出收费通知3件，收费通知的总金额为120元。\n"
    result = import_text(text, name="x-2021.txt")
    fees = result.mapping["processing_fees"]
    assert fees == {"notices": 3, "notice_amount_yuan": Decimal("120"), "collected_yuan": "unread"}
    problem = next(p for p in result.problems if p.where == "processing_fees/collected_yuan")
    assert problem.rule == "IMPORT-UNREAD"
    report = result.report
    found = [(f.rule, f.severity) for f in report.load_findings if f.section == "processing_fees"]
    assert found == [("UNREAD", "error")]
    assert report.mark("processing_fees", "collected_yuan", None) == CellMark("unread")


def test_nothing_recognised_is_an_error() -> None:
    from govinfo.findings import ParameterError

    with pytest.raises(ParameterError, match="no annual report recognised"):
        import_text("hello world", name="note.txt")


# --------------------------------------------------------------------------- CLI


def test_cli_import_to_stdout_file_and_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(SEED)]) == 0
    out, err = capsys.readouterr()
    data = yaml.safe_load(out)
    assert data["agency_id"] == "zezhou-xzsp" and data["review_litigation"]["review"] == ["-"] * 5
    assert None not in table_values(data)
    assert "cells: 200/200 read, 5 published blank" in err

    target = tmp_path / "seed.json"
    assert main(["import", str(SEED), "-o", str(target)]) == 0
    assert load(target).applications == load(SEED_YAML).applications
    assert main(["import", str(SEED), "-o", str(target)]) == 2  # exists: refuse
    assert main(["import", str(SEED), "-o", str(target), "--force", "--id", "zz"]) == 0
    assert load(target).agency_id == "zz"
    capsys.readouterr()

    site = tmp_path / "params"
    files = [
        str(DATA / "shili-jtys-2022.one-line.txt"),
        str(DATA / "shili-mzj-2020.format-2019.txt"),
    ]
    assert main(["import", *files, "-o", str(site)]) == 1  # some cells not read
    written = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.yaml"))
    assert written == ["2020/shili-mzj.yaml", "2022/shili-jtys.yaml"]
    text = (site / "2022/shili-jtys.yaml").read_text("utf-8")
    assert "# IMPORT-AMBIGUOUS active/rules/issued" in text
    unread = dict.fromkeys(("issued", "repealed", "in_force"), "unread")
    assert yaml.safe_load(text)["active"]["rules"] == unread
    assert None not in table_values(yaml.safe_load(text))
    assert load(site / "2022/shili-jtys.yaml").applications == load(SAMPLE_YAML).applications


def test_cli_import_unreadable_input_is_one_line_error(tmp_path: Path) -> None:
    binary = tmp_path / "x.pdf"
    binary.write_bytes(b"%PDF-1.7\x00\x01\x02" * 50)
    proc = subprocess.run(
        [sys.executable, "-m", "govinfo", "import", str(binary), str(tmp_path / "missing.txt")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("error: ") for line in lines)
    assert "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- continuity


def _write(
    path: Path, agency: str, agency_id: str, year: int, carried_over: int, forward: int
) -> None:
    report = load(SEED_YAML)
    data = yaml.safe_load(SEED_YAML.read_text("utf-8"))
    data.update(agency=agency, agency_id=agency_id, year=year)
    rows = data["applications"]["rows"]
    rows["carried_over"] = [carried_over, 0, 0, 0, 0, 0, carried_over]
    rows["new"] = [0] * 7
    rows["granted"] = [carried_over - forward, 0, 0, 0, 0, 0, carried_over - forward]
    rows["total"] = list(rows["granted"])
    rows["carried_forward"] = [forward, 0, 0, 0, 0, 0, forward]
    assert report.year == 2021
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def _continuity(capsys: pytest.CaptureFixture[str], *paths: Path) -> list[dict[str, object]]:
    import json

    main(["validate", "--format", "json", *map(str, paths)])
    out = json.loads(capsys.readouterr().out)
    return [f for entry in out for f in entry.get("findings", []) if f["rule"] == "CONTINUITY"]


def test_validate_dir_checks_continuity_without_previous(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """上年结转 against last year's 结转下年度, matched by agency_id, else by agency name,
    whenever both years are in the folders given; no ``previous`` key needed."""
    _write(tmp_path / "2020" / "a.yaml", "甲局", "jia", 2020, 5, 3)
    _write(tmp_path / "2021" / "a.yaml", "甲局", "jia", 2021, 4, 0)  # 4 ≠ 3
    found = _continuity(capsys, tmp_path)
    assert [(f["row"], f["column"]) for f in found] == [
        ("carried_over", "natural_person"),
        ("carried_over", "total"),
    ]
    assert "2021" in found[0]["file"]

    # Matched by name when the ids differ; in two folders given separately.
    other = tmp_path / "other"
    _write(other / "2020.yaml", "乙局", "yi-old", 2020, 5, 2)
    _write(other / "2021.yaml", "乙局", "yi-new", 2021, 3, 0)
    assert len(_continuity(capsys, other / "2020.yaml", other / "2021.yaml")) == 2
    _write(other / "2021.yaml", "乙局", "yi-new", 2021, 2, 0)
    assert _continuity(capsys, other / "2020.yaml", other / "2021.yaml") == []

    # Different agencies are never compared.
    _write(tmp_path / "c" / "2021.yaml", "丙局", "bing", 2021, 9, 0)
    assert len(_continuity(capsys, tmp_path)) == 2  # still only 甲局's two columns


def test_page_laid_out_with_tables() -> None:
    """Old portals lay the whole page out in a table; the report's tables sit inside it."""
    report = load(SAMPLE_YAML)
    page = strip_attributes(page_html(report, charts=False))
    body = page[page.index("<body>") + 6 : page.index("</body>")]
    layout = (
        '<table width="100%"><tr><td>首页 | 政务公开</td></tr>'
        f'<tr><td><table><tr><td width="900">{body}</td></tr></table></td></tr>'
        "<tr><td>版权所有：示例市人民政府</td></tr></table>"
    )
    page = page[: page.index("<body>") + 6] + layout + page[page.index("</body>") :]
    assert_same_model(import_text(page, name="layout.html"), report)
