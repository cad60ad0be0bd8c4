"""The Word document (govinfo.publish.docx_report): the official tables merged cell for cell
as the official template, labels from layout.py, numbers where they belong, a draft's stamp,
hostile text written safely, the same bytes for the same report; and LibreOffice opens it and
prints every label and number in table order."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SEED
from test_printing import in_order, squeezed, table_sequence

from govinfo import layout as L
from govinfo.params import load
from govinfo.publish.docx_report import report_docx

# The blank official template as agencies receive it (a copy of shared/reference/).
REFERENCE = ROOT / "tests" / "data" / "official-template-2021.docx"
BUSY = ROOT / "parameters/2022/shili-zrzyj.yaml"


def document(data: bytes) -> Any:
    from docx import Document

    return Document(io.BytesIO(data))


def structure(table: Any) -> list[list[tuple[int, str | None]]]:
    """Per row, per ``<w:tc>``: its grid span and its vertical merge (restart / continue)."""
    from docx.oxml.ns import qn

    rows = []
    for tr in table._tbl.tr_lst:
        cells = []
        for tc in tr.tc_lst:
            pr = tc.tcPr
            span = pr.gridSpan.val if pr is not None and pr.gridSpan is not None else 1
            merge = pr.find(qn("w:vMerge")) if pr is not None else None
            vmerge = None if merge is None else (merge.get(qn("w:val")) or "continue")
            cells.append((span, vmerge))
        rows.append(cells)
    return rows


def test_tables_are_merged_cell_for_cell_as_the_official_template() -> None:
    ours = document(report_docx(load(BUSY))).tables
    reference = document(REFERENCE.read_bytes()).tables
    assert len(ours) >= 3
    for mine, official in zip(ours[:3], reference, strict=True):
        assert structure(mine) == structure(official)


def test_labels_and_numbers_sit_in_their_cells() -> None:
    report = load(BUSY)
    active, applications, review = document(report_docx(report)).tables[:3]
    assert applications.cell(0, 0).text == L.APPLICATION_NOTE
    assert applications.cell(0, 3).text == L.APPLICANT_HEADER
    assert applications.cell(1, 4).text == L.ORGANISATION_HEADER
    for r, row in enumerate(L.APPLICATION_ROWS, start=3):
        assert applications.cell(r, 2).text == row.label
        numbers = [applications.cell(r, 3 + c).text for c in range(7)]
        assert numbers == [
            str(report.applications.cell(row.key, c.key)) for c in L.APPLICATION_COLUMNS
        ]
    assert applications.cell(5, 0).text == L.RESULTS.label
    assert active.cell(6, 0).text == "行政许可" and active.cell(6, 1).text == "1024"
    values = [review.cell(3, c).text for c in range(15)]
    expected = [
        str(report.review_litigation.cell(g.key, o.key))
        for g in L.CASE_GROUPS
        for o in L.REVIEW_OUTCOMES
    ]
    assert values == expected
    assert (
        review.cell(0, 0).text == L.REVIEW_HEADER and review.cell(0, 5).text == L.LITIGATION_HEADER
    )


def test_headings_closing_same_bytes_and_page_numbers() -> None:
    report = load(BUSY)
    data = report_docx(report)
    assert data == report_docx(report)  # the batch hashes its outputs
    doc = document(data)
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[:6] == [s.heading for s in L.SECTIONS]
    right = [p.text for p in doc.paragraphs if p.alignment == 2]  # WD_ALIGN_PARAGRAPH.RIGHT
    assert right[-2:] == [report.agency, "2023年1月20日"]
    footer = doc.sections[0].footer._element.xml
    assert "PAGE" in footer and "— " in footer
    assert doc.sections[0].top_margin.mm == pytest.approx(37, abs=0.1)
    alts = [shape._inline.docPr.get("descr") for shape in doc.inline_shapes]
    assert len(alts) == 3 and any("自然人 24 件" in alt for alt in alts)
    assert doc.core_properties.title == report.title


def test_given_the_page_the_document_embeds_the_page_charts_and_is_the_same(
    rendered_site: Path,
) -> None:
    """The batch passes the finished page: its PNGs go in as they are, not drawn again."""
    from govinfo.publish.charts import charts_in_page

    page = (rendered_site / "2022/shili-zrzyj.html").read_text("utf-8")
    charts = charts_in_page(page)
    assert [len(charts.get(f"s{n}", [])) for n in range(1, 7)] == [0, 0, 2, 1, 0, 0]
    assert all(c.png.startswith(b"\x89PNG") and c.width == 400 for v in charts.values() for c in v)
    report = load(BUSY)
    assert report_docx(report, page=page) == report_docx(report)


def test_a_draft_is_stamped_and_hostile_text_is_safe(load_copy: Any, busy_data: Any) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["applications"]["rows"]["new"][0] = 99  # APP-BALANCE fails
        data["narrative"]["problems"] = "<w:p>&amp; \x0b见**附件**</w:p>"

    report = load_copy(busy_data, edit)
    doc = document(report_docx(report))
    texts = [p.text for p in doc.paragraphs]
    assert any(re.match(r"本页数据未通过勾稽关系校验（\d+项错误）", t) for t in texts)
    # As text, markup and all (Markdown reads the entity &amp; as "&"; the \x0b is dropped).
    assert any("<w:p>& 见附件</w:p>" in t for t in texts)


def unquoted(text: str) -> str:
    return re.sub('[“”"]', "", text)


@pytest.fixture(scope="module")
def libreoffice_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Our DOCX of the seed and of the busy example converted by LibreOffice (one call)."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: bash .ci/setup installs it")
    folder = tmp_path_factory.mktemp("docx")
    names = {"seed": SEED, "busy": BUSY}
    for name, path in names.items():
        (folder / f"{name}.docx").write_bytes(report_docx(load(path)))
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{folder}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *(str(folder / f"{n}.docx") for n in names),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {name: (folder / f"{name}.pdf").read_bytes() for name in names}


@pytest.mark.office
def test_libreoffice_prints_every_label_and_number_in_table_order(
    libreoffice_pdfs: dict[str, bytes],
) -> None:
    from pypdf import PdfReader

    for name, path in (("seed", SEED), ("busy", BUSY)):
        pdf = PdfReader(io.BytesIO(libreoffice_pdfs[name]))
        assert 3 <= len(pdf.pages) <= 12, (name, len(pdf.pages))
        # LibreOffice's text layer may give “” as straight quotes: compare without quotes.
        text = unquoted(squeezed("".join(page.extract_text() for page in pdf.pages)))
        sequence = [unquoted(item) for item in table_sequence(Path(path))]
        reached = in_order(text, sequence)
        assert reached == len(sequence), (name, sequence[reached])
        assert "—1—" in text
