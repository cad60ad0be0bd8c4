"""The report as a Word document: what an agency edits, signs, stamps and files (python-docx).

python-docx writes real Word structures (styles, headings, tables with merged cells, fields,
inline pictures with alt text) that Word, WPS and LibreOffice all open and edit; docxtpl would
add a template language on top of it that the fixed official format does not need.

Same content and order as the page (:mod:`govinfo.publish.document`): title, preamble with
统计期限, the six sections (Heading 1; the overview's parts Heading 2), the narrative's Markdown
as paragraphs and lists, the three official tables (:mod:`.docx_tables`, merged as the official
template), the page's charts with their alt text, the 信息处理费 statement, the comparison with last
year, the 落款 (agency and date, right-aligned) and the contact details. A draft (a report with
errors, ``--allow-invalid``) starts with the page's red stamp.

Type and page follow GB/T 9704-2012 (党政机关公文格式): A4; margins 37/35/28/26 mm;
title 2号 方正小标宋简体; 一级标题 3号 黑体, 二级标题 3号 楷体_GB2312; body 3号 仿宋_GB2312 at
a fixed 28.95 pt line (22 lines a page); page numbers "— 1 —" centred in 4号 宋体. Those are
the fonts of an agency's Windows PC with WPS or Word: 方正小标宋简体 ships with WPS and the
公文 font packs; 黑体 SimHei, 楷体_GB2312 / 楷体 KaiTi, 仿宋_GB2312 / 仿宋 FangSong and
宋体 SimSun ship with Windows. Elsewhere the office suite substitutes (LibreOffice here
draws them in Noto CJK). The bytes are the same for the same report: the zip's dates and
the core properties are fixed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from .. import layout as L
from ..findings import Finding
from ..model import Report
from ..rules import check, is_blank_text
from . import docx_tables as T
from .charts import Chart, charts_in_page
from .document import UNCHANGED, _trend_rows, chinese_date, fees_statement, section_charts

TITLE_FONT, HEADING_FONT, SUBHEADING_FONT, BODY_FONT, PAGE_FONT = (
    "方正小标宋简体",
    "黑体",
    "楷体_GB2312",
    "仿宋_GB2312",
    "宋体",
)
# Characters XML 1.0 cannot hold (python-docx refuses them): a narrative pasted from elsewhere
# may carry a vertical tab or a form feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FIXED_TIME = dt.datetime(2000, 1, 1)


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _font(run_or_style: Any, name: str, size: float | None = None, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font
    font.name = name
    font.bold = bold
    if size:
        font.size = Pt(size)
    element = run_or_style.element
    properties = element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.append(fonts)
    for attribute in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), name)


def _setup(document: Any) -> None:
    from docx.shared import Mm, Pt

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    styles = document.styles
    _font(styles["Normal"], BODY_FONT, 16)
    styles["Normal"].paragraph_format.line_spacing = Pt(28.95)
    _font(styles["Title"], TITLE_FONT, 22)
    _font(styles["Heading 1"], HEADING_FONT, 16)
    _font(styles["Heading 2"], SUBHEADING_FONT, 16)
    for name in ("Title", "Heading 1", "Heading 2"):
        style = styles[name]
        style.font.color.rgb = None
        style.paragraph_format.line_spacing = Pt(28.95)
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(0)
    _page_numbers(section)


def _page_numbers(section: Any) -> None:
    """ "— 1 —" centred at the foot: em dashes around a PAGE field."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), PAGE_FONT, 14)
    run = paragraph.add_run()
    _font(run, PAGE_FONT, 14)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    _font(paragraph.add_run(" —"), PAGE_FONT, 14)


def _paragraph(document: Any, text: str, indent: bool = True) -> Any:
    from docx.shared import Pt

    paragraph = document.add_paragraph(clean(text))
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters of 3号
    return paragraph


def markdown(document: Any, text: str) -> None:
    """Narrative Markdown as Word paragraphs: paragraphs, bullet and numbered lists, bold and
    italic; a link is its text. Parsed as the page parses it (no raw HTML, no images)."""
    from .document import _markdown

    if not text.strip():
        return
    list_style: str | None = None
    paragraph = None
    for token in _markdown().parse(text):
        if token.type == "bullet_list_open":
            list_style = "List Bullet"
        elif token.type == "ordered_list_open":
            list_style = "List Number"
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_style = None
        elif token.type == "paragraph_open":
            paragraph = (
                document.add_paragraph(style=list_style) if list_style else _paragraph(document, "")
            )
        elif token.type in ("inline",) and paragraph is not None:
            bold = italic = False
            for child in token.children or []:
                if child.type == "strong_open":
                    bold = True
                elif child.type == "strong_close":
                    bold = False
                elif child.type == "em_open":
                    italic = True
                elif child.type == "em_close":
                    italic = False
                elif child.type in ("text", "code_inline"):
                    run = paragraph.add_run(clean(child.content))
                    run.bold, run.italic = bold or None, italic or None
                elif child.type in ("softbreak", "hardbreak"):
                    paragraph.add_run("\n")
        elif token.type in ("code_block", "fence"):
            _paragraph(document, token.content)


def _charts(document: Any, report: Report, key: str, page: dict[str, list[Chart]] | None) -> None:
    from docx.shared import Mm

    number = f"s{[s.key for s in L.SECTIONS].index(key) + 1}"
    charts = section_charts(report, key) if page is None else page.get(number, [])
    for chart in charts:
        document.add_picture(io.BytesIO(chart.png), width=Mm(min(150, chart.width * 0.3)))
        shape = document.inline_shapes[-1]
        shape._inline.docPr.set("descr", clean(chart.alt))
        document.paragraphs[-1].alignment = 1  # centred


# Grid column widths in mm (the 156 mm text width): 表三's label columns wide enough to read.
WIDTHS = {
    "active": (54.0, 34.0, 34.0, 34.0),
    L.APPLICATIONS: (12.0, 17.0, 43.0, *([12.0] * 7)),
    L.REVIEW_LITIGATION: (10.4,) * 15,
}


def _table(document: Any, key: str, caption: str, grid: list[list[T.Slot]], header: int) -> None:
    title = document.add_paragraph()
    _font(title.add_run(clean(caption)), HEADING_FONT, 12)
    title.paragraph_format.keep_with_next = True
    size = 9.0 if key == L.REVIEW_LITIGATION else 10.5
    T.add_table(document, grid, header_rows=header, size=size, widths=WIDTHS[key])


def _stamp(document: Any, errors: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import RGBColor

    paragraph = document.add_paragraph()
    run = paragraph.add_run(L.INVALID_STAMP.format(errors=errors))
    run.bold = True
    run.font.color.rgb = RGBColor(0xC8, 0x1E, 0x1E)
    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        border = OxmlElement(f"w:{side}")
        for name, value in (("val", "single"), ("sz", "18"), ("color", "C81E1E"), ("space", "4")):
            border.set(qn(f"w:{name}"), value)
        borders.append(border)
    paragraph._p.get_or_add_pPr().append(borders)


def _trends(document: Any, report: Report) -> None:
    previous = report.previous
    if previous is None:
        return
    document.add_heading(L.TRENDS_HEADING, level=1)
    rows = _trend_rows(report, previous)
    y0, y1 = f"{previous.year}年", f"{report.year}年"
    grid = [[T.Slot(text, header=True) for text in ("项目", y0, y1, "增减")]]
    for label, now, then in rows:
        change = UNCHANGED if now == then else f"{now - then:+g}".replace("-", "−")
        numbers = (f"{then:g}", f"{now:g}", change)
        grid.append([T.Slot(label), *(T.Slot(n, number=True) for n in numbers)])
    T.add_table(document, grid, header_rows=1, size=10.5)


def report_docx(
    report: Report, findings: list[Finding] | None = None, page: str | None = None
) -> bytes:
    """The Word document of ``report`` (bytes of a .docx). Given the report's published
    ``page``, its charts are the page's PNGs (:func:`charts_in_page`), not drawn again."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    findings = check(report) if findings is None else findings
    charts = None if page is None else charts_in_page(page)
    document = Document()
    _setup(document)
    errors = sum(f.is_error for f in findings)
    document.add_heading(clean(report.title), level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    if errors:
        _stamp(document, errors)
    titles = [s.title for s in L.SECTIONS]
    _paragraph(
        document, L.PREAMBLE.format(parts="、".join(titles), count="六", period=report.period)
    )
    for section in L.SECTIONS:
        document.add_heading(section.heading, level=1)
        if section.key == "overview":
            overview = report.narrative.overview
            markdown(document, overview.intro)
            for label, text in overview.parts():
                if not is_blank_text(text):
                    document.add_heading(label, level=2)
                    markdown(document, text)
        elif section.key == "active":
            _table(document, "active", section.title, T.active_grid(report), 0)
            _charts(document, report, "active", charts)
        elif section.key == L.APPLICATIONS:
            _table(document, L.APPLICATIONS, section.title, T.applications_grid(report), 3)
            _charts(document, report, L.APPLICATIONS, charts)
        elif section.key == L.REVIEW_LITIGATION:
            _table(document, L.REVIEW_LITIGATION, section.title, T.review_grid(report), 3)
            _charts(document, report, L.REVIEW_LITIGATION, charts)
        elif section.key == "problems":
            markdown(document, report.narrative.problems)
        elif section.key == "other":
            statement = fees_statement(report)
            if statement:
                _paragraph(document, statement)
            if not (statement and report.narrative.other.strip().strip("。.") == "无"):
                markdown(document, report.narrative.other)
    _trends(document, report)
    _closing(document, report)
    properties = document.core_properties
    properties.title, properties.author = clean(report.title), clean(report.agency)
    when = dt.datetime.combine(report.published, dt.time()) if report.published else FIXED_TIME
    properties.created = properties.modified = when
    properties.last_modified_by, properties.revision = "govinfo", 1
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _closing(document: Any, report: Report) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    lines = [report.agency.strip()] if report.agency.strip() else []
    if report.published:
        lines.append(chinese_date(report.published))
    for line in lines:
        paragraph = document.add_paragraph(clean(line))
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    contact = report.contact
    for key, label in L.CONTACT_FIELDS:
        value = getattr(contact, key).strip() if contact is not None else ""
        if value:
            document.add_paragraph(clean(f"{label}：{value}"))


def _fixed_zip(data: bytes) -> bytes:
    """The package with every member dated 1980-01-01: the same report, the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
