"""``govinfo import report.docx`` (issue 18): Word documents rebuilt as pages with tables.

Every example published as Word by our own pipeline imports back to the same tables and
narrative; so does the official 2021 template filled in by a script (python-docx writing
numbers into its empty cells), and a document whose 表三 sits in a layout table and whose
section 五 sits in a text box (with the fallback copy Word writes beside it). Word 97-2003
and WPS files get one line saying how to convert them.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, Run
from test_importer import plain

from govinfo import layout as L
from govinfo.importer import ImportResult, import_bytes
from govinfo.model import Report
from govinfo.params import load
from govinfo.publish.docx_report import report_docx

EXAMPLES = sorted((ROOT / "parameters").glob("**/*.yaml"))
TEMPLATE = Path(__file__).resolve().parent / "data" / "official-template-2021.docx"


def narrative_of(report: Report) -> dict[str, str]:
    o = report.narrative.overview
    out = {key: plain(getattr(o, key)) for key in L.OVERVIEW_KEYS}
    out["problems"] = plain(report.narrative.problems)
    return out


def assert_same_tables(result: ImportResult, report: Report) -> None:
    assert result.unread == 0, result.summary()
    imported = result.report
    assert imported.active == report.active
    assert imported.applications == report.applications
    assert imported.review_litigation == report.review_litigation
    assert (imported.agency, imported.year) == (report.agency, report.year)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_example_as_word_imports_back(path: Path) -> None:
    """Our Word document carries no 发布日期 line: ``published`` is the 落款's date."""
    report = load(path)
    result = import_bytes(report_docx(report), name=f"{path.stem}.docx")
    assert result.form == "docx"
    assert result.report.published == report.published
    assert_same_tables(result, report)
    assert result.report.processing_fees == report.processing_fees
    assert narrative_of(result.report) == narrative_of(report)


# --------------------------------------------------------------------------- the template


def filled_template(report: Report) -> bytes:
    """The official template as an agency fills it in: the title, and the numbers typed
    into the empty cells (python-docx, as a script would)."""
    import docx

    document = docx.Document(str(TEMPLATE))
    for p in document.paragraphs:
        if p.text.strip() == "政府信息公开工作年度报告格式模板":
            for run in p.runs[1:]:
                run.text = ""
            p.runs[0].text = report.title
    active, apps, review = document.tables
    a = report.active
    for r, item in ((2, "rules"), (3, "normative_docs")):
        for c, measure in enumerate(("issued", "repealed", "in_force"), start=1):
            active.rows[r].cells[c].text = str(a.get(item, measure))
    for r, item in ((6, "licensing"), (9, "punishment"), (10, "coercion"), (13, "fees_10k_yuan")):
        active.rows[r].cells[1].text = str(a.get(item))  # a merged cell: its first slot
    for r, row in enumerate(L.APPLICATION_ROWS, start=3):
        for c, column in enumerate(L.APPLICATION_COLUMN_KEYS, start=3):
            apps.rows[r].cells[c].text = str(report.applications.cell(row.key, column))
    for g, group in enumerate(L.CASE_GROUPS):
        for o, outcome in enumerate(L.REVIEW_OUTCOME_KEYS):
            review.rows[3].cells[5 * g + o].text = str(
                report.review_litigation.cell(group.key, outcome)
            )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_the_official_template_filled_in_by_a_script_imports_exactly() -> None:
    report = load(ROOT / "parameters/2022/shili-xzf.yaml")
    result = import_bytes(filled_template(report), name="official-template.docx")
    assert_same_tables(result, report)
    assert result.sections == tuple(s.key for s in L.SECTIONS)


# --------------------------------------------------------------------------- odd structures

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "v": "urn:schemas-microsoft-com:vml",
}


def _el(tag: str, *children: Any) -> Any:
    from lxml import etree

    prefix, name = tag.split(":")
    el = etree.Element(f"{{{NS[prefix]}}}{name}", nsmap=NS)
    el.extend(children)
    return el


def nested_and_boxed(report: Report) -> bytes:
    """Our Word document with 表三 moved into a one-cell layout table and section 五
    (heading and text) moved into a floating text box: a drawing (mc:Choice) and the VML
    copy Word writes for older readers (mc:Fallback)."""
    import docx

    document = docx.Document(io.BytesIO(report_docx(report)))
    body = document.element.body
    tables = body.findall(f"{{{NS['w']}}}tbl")
    outer = document.add_table(rows=1, cols=1)._tbl
    tables[1].addprevious(outer)
    cell = outer.findall(f".//{{{NS['w']}}}tc")[0]
    cell.append(tables[1])
    cell.append(_el("w:p"))
    paragraphs = list(body.iterchildren(f"{{{NS['w']}}}p"))
    start = next(i for i, p in enumerate(paragraphs) if "".join(p.itertext()).startswith("五、"))
    end = next(i for i, p in enumerate(paragraphs) if "".join(p.itertext()).startswith("六、"))
    moved = paragraphs[start:end]
    choice = _el("w:txbxContent", *moved)
    fallback = _el("w:txbxContent", *(copy.deepcopy(p) for p in moved))
    drawing = _el(
        "w:drawing",
        _el(
            "wp:anchor",
            _el("a:graphic", _el("a:graphicData", _el("wps:wsp", _el("wps:txbx", choice)))),
        ),
    )
    pict = _el("w:pict", _el("v:shape", _el("v:textbox", fallback)))
    alternate = _el("mc:AlternateContent", _el("mc:Choice", drawing), _el("mc:Fallback", pict))
    alternate[0].set("Requires", "wps")
    anchor = _el("w:p", _el("w:r", alternate))
    paragraphs[end].addprevious(anchor)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_table_in_a_layout_table_and_text_in_a_text_box_are_read_once() -> None:
    report = load(ROOT / "parameters/2022/shili-zrzyj.yaml")
    data = nested_and_boxed(report)
    result = import_bytes(data, name="shili-zrzyj.docx")
    assert_same_tables(result, report)
    assert narrative_of(result.report) == narrative_of(report)
    assert result.markup is not None
    assert result.markup.count("五、存在的主要问题及改进情况") == 1  # not the fallback again
    # the nested 表三 keeps its own cells' places (Word table 3: the layout table is 2)
    assert re.search(r'data-gi-where="t3 r3 c9">31<', result.markup)


def auto_numbered(report: Report) -> bytes:
    """Our Word document with the headings' 一、 and （一） typed by Word's automatic
    numbering instead (chineseCounting, two levels), as many agencies' files are."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document(io.BytesIO(report_docx(report)))
    numbering = document.part.numbering_part.element
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
            '<w:lvlText w:val="%1、"/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
            '<w:lvlText w:val="（%2）"/></w:lvl></w:abstractNum>'
        ),
    )
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    )
    numbered = 0
    for p in document.paragraphs:
        m = re.match(r"[一二三四五六]、|（[一二三四五]）", p.text)
        if not m or not p.style.name.startswith("Heading") or not p.runs:
            continue
        assert p.runs[0].text.startswith(m.group())
        p.runs[0].text = p.runs[0].text[m.end() :]
        level = 0 if m.group().endswith("、") else 1
        p._p.get_or_add_pPr().append(
            parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'
            )
        )
        numbered += 1
    assert numbered == 6 + 5  # the six sections and 一's five parts
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_headings_numbered_by_word_are_found() -> None:
    report = load(ROOT / "parameters/2022/shili-zrzyj.yaml")
    result = import_bytes(auto_numbered(report), name="shili-zrzyj.docx")
    assert result.markup is not None and "总体情况" in result.markup
    assert result.sections == tuple(s.key for s in L.SECTIONS)
    assert_same_tables(result, report)
    assert narrative_of(result.report) == narrative_of(report)


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (99, "九十九"), (105, "一百零五"),
     (110, "一百一十")],
)  # fmt: skip
def test_chinese_counting(n: int, text: str) -> None:
    from govinfo.importer.word_numbering import chinese

    assert chinese(n) == text


# --------------------------------------------------------------------------- refusals


def _ole2(stream: str) -> bytes:
    """An OLE2 compound file's header and a directory entry naming ``stream``."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".ljust(512, b"\x00")
    raw = stream.encode("utf-16-le") + b"\x00\x00"
    return header + raw.ljust(128, b"\x00") + bytes(1024)


@pytest.mark.parametrize(
    ("name", "what"),
    [("report.doc", "a Word 97-2003 document; govinfo import does not read DOC"),
     ("report.wps", "a WPS Writer document; govinfo import does not read WPS")],
)  # fmt: skip
def test_doc_and_wps_files_say_how_to_convert_them(
    tmp_path: Path, run: Run, name: str, what: str
) -> None:
    path = tmp_path / name
    path.write_bytes(_ole2("WordDocument"))
    code, out, err = run("import", path)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"error: {path}: {what}: convert it first, e.g. soffice --headless --convert-to docx FILE"
    ]


def test_a_wps_file_saved_as_ooxml_is_read_as_docx(tmp_path: Path, run: Run) -> None:
    report = load(ROOT / "parameters/2021/zezhou-xzsp.yaml")
    path = tmp_path / "zezhou-xzsp-2021.wps"
    path.write_bytes(report_docx(report))
    code, _, err = run("import", path, "-o", tmp_path / "out.yaml")
    assert code == 0, err
    assert "(docx, utf-8)" in err.splitlines()[0]
    assert load(tmp_path / "out.yaml").applications == report.applications


def test_a_damaged_docx_is_one_line(tmp_path: Path, run: Run) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", "<w:document/>")
    path = tmp_path / "report.docx"
    path.write_bytes(buffer.getvalue())
    code, out, err = run("import", path)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"error: {path}: 无法打开 Word 文档 / cannot open the DOCX: damaged, or not a Word document"
    ]
