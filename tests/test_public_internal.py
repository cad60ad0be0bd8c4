"""Public and internal apart (issue 13, item 7).

The published report carries no findings (no panel, no flagged cells) and ends with a 落款
and the contact details; a stamped draft keeps every finding, in Chinese. The public index
lists published reports only and links no notebook; the internal page (OUTDIR/internal.html)
shows the office every agency's status, every finding, failures and missing agencies.

One small real batch (``--allow-invalid``: three agencies over two years, one a draft, one
missing in the second year) is rendered once for the module; synthetic manifests cover the
states a batch seldom produces (failed notebooks, unreadable files, hostile text).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from conftest import SEED, run_govinfo, write_yaml

from govinfo import layout as L
from govinfo import load
from govinfo.model import Contact
from govinfo.params import read_mapping
from govinfo.places import place_label
from govinfo.publish.document import part_html, standalone_html
from govinfo.publish.internal import INTERNAL, internal_html
from govinfo.publish.site import index_html, write_index
from govinfo.rules import check

CONTACT = {
    "address": "示例省示例县人民路1号",
    "postcode": "048012",
    "phone": "0356-1234567",
    "email": "gk@example.gov.cn",
}
OTHER = "示例县其他局"


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "lxml")


def seed() -> dict[str, Any]:
    return copy.deepcopy(read_mapping(SEED))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2021: the seed and 其他局 (published with warnings, a date and contact details);
    2022: the seed again, with errors (a stamped draft), and no 其他局 (missing)."""
    root = tmp_path_factory.mktemp("public-internal")
    params = root / "params"
    write_yaml(params / "2021" / "zezhou-xzsp.yaml", seed())
    other = seed()
    other.update(agency=OTHER, agency_id="other-ju", published="2022-01-20", contact=CONTACT)
    other["narrative"]["problems"] = "无"  # PROBLEMS-EMPTY: a warning
    other["applications"]["rows"]["granted"] = ["/", 0, 0, 0, 0, 0, 0]  # CELL-BLANK: a warning
    write_yaml(params / "2021" / "other-ju.yaml", other)
    draft = seed()
    draft["year"] = 2022
    draft["applications"]["rows"]["new"] = [3, 0, 0, 0, 0, 0, 0]  # APP-BALANCE, APP-TOTAL-COL
    write_yaml(params / "2022" / "zezhou-xzsp.yaml", draft)
    out = root / "site"
    _code, _, err, _ = run_govinfo(
        "batch", params, "-o", out, "--allow-invalid", "--no-progress", "-j", "2"
    )
    assert "Traceback" not in err, err[-3000:]
    assert (out / "2022" / "zezhou-xzsp.html").is_file(), err[-3000:]
    return out


def manifest(site: Path) -> dict[str, Any]:
    return json.loads((site / "manifest.json").read_text("utf-8"))


def entry(site: Path, year: int, agency_id: str) -> dict[str, Any]:
    return next(
        e for e in manifest(site)["agencies"] if e["year"] == year and e["agency_id"] == agency_id
    )


# --------------------------------------------------------------------------- the report page


def test_published_page_with_warnings_shows_no_findings(site: Path) -> None:
    warnings = entry(site, 2021, "other-ju")["findings"]
    assert entry(site, 2021, "other-ju")["status"] == "published"
    assert {"PROBLEMS-EMPTY", "CELL-BLANK"} <= {f["rule"] for f in warnings}  # the setting
    html = (site / "2021" / "other-ju.html").read_text("utf-8")
    soup = BeautifulSoup(html, "lxml")
    assert soup.select(".gi-findings-panel, .gi-findings, .gi-flag, .gi-stamp") == []
    assert L.FINDINGS_HEADING not in html
    for finding in warnings:  # neither rule id, nor key path, nor either message
        for text in (finding["rule"], finding["where"], finding["zh"], finding["en"]):
            assert text not in soup.get_text(), text
    assert [td for td in soup.find_all("td") if td.has_attr("title")] == []
    # Otherwise the page is the page: six sections, the three tables, the blank as given.
    assert [h.get_text() for h in soup.find_all("h2")][:6] == [s.heading for s in L.SECTIONS]
    assert len(soup.select("table.gi-t2, table.gi-t3, table.gi-t4")) == 3


def test_draft_keeps_every_finding_in_chinese(site: Path) -> None:
    findings = check(load(entry(site, 2022, "zezhou-xzsp")["source"]))  # what the kernel saw
    soup = soup_of(site / "2022" / "zezhou-xzsp.html")
    assert soup.select_one(".gi-stamp") is not None
    panel = soup.select_one("aside.gi-findings-panel")
    assert panel.h2.get_text() == L.FINDINGS_HEADING
    assert [li.select_one(".gi-rule").get_text() for li in panel.select("li")] == sorted(
        f.rule for f in findings
    )
    assert {"APP-BALANCE", "APP-TOTAL-COL"} <= {f.rule for f in findings}
    text = panel.get_text()
    assert "表三 · 自然人列" in text  # the place in Chinese, not applications/natural_person
    for finding in findings:
        assert finding.zh in text
        assert finding.en not in text and finding.where not in text
    assert soup.select_one('td.gi-flag[data-row="new"][data-col="natural_person"]') is not None


def test_page_ends_with_the_signature_and_the_contact_details(site: Path) -> None:
    soup = soup_of(site / "2021" / "other-ju.html")
    closing = soup.main.find_all(recursive=False)[-1]
    assert closing.name == "footer" and "gi-closing" in closing["class"]
    signature = closing.select_one(".gi-signature")
    assert [s for s in signature.stripped_strings] == [OTHER, "2022年1月20日"]
    assert signature.time["datetime"] == "2022-01-20"
    lines = [p.get_text() for p in closing.select("address.gi-contact p")]
    assert lines == [
        "地址：示例省示例县人民路1号",
        "邮编：048012",
        "联系电话：0356-1234567",
        "电子邮箱：gk@example.gov.cn",
    ]


def test_without_a_date_the_date_line_is_left_out(site: Path) -> None:
    soup = soup_of(site / "2021" / "zezhou-xzsp.html")  # the seed: no published, no contact
    closing = soup.main.find_all(recursive=False)[-1]
    assert "gi-closing" in closing["class"]
    assert list(closing.select_one(".gi-signature").stripped_strings) == [
        "泽州县行政审批服务管理局"
    ]
    assert closing.time is None and closing.address is None


def test_signature_and_contact_are_escaped() -> None:
    report = load(SEED).replace(
        agency="<script>alert(1)</script>局",
        contact=Contact('<img src=x onerror="alert(2)">', "0480", "<b>1</b>", "a@b.cn"),
    )
    closing = part_html(report, "closing")
    assert "<script" not in closing and "<img" not in closing and "<b>" not in closing
    assert "&lt;script&gt;alert(1)&lt;/script&gt;局" in closing
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in closing
    page = standalone_html(report)
    assert "<script" not in page and "<img src=x" not in page
    assert part_html(load(SEED), "findings") == ""  # the seed is valid: no panel at all


def test_places_are_named_in_chinese() -> None:
    assert place_label("applications", "withheld_state_secret", "natural_person") == (
        "表三 · （三）不予公开1.属于国家秘密 · 自然人"
    )
    assert place_label("active", "rules", "in_force") == "表二 · 规章·现行有效件数"
    assert place_label("review_litigation", "litigation_direct", "total") == (
        "表四 · 行政诉讼·未经复议直接起诉 · 总计"
    )
    assert (
        place_label("narrative", "overview", "platform")
        == "一、总体情况 · （四）政府信息公开平台建设"
    )
    assert place_label("published") == "发布日期"
    assert place_label("contact", "postcode") == "联系方式 · 邮编"
    assert place_label("applications", "grantd") == "表三 · grantd"  # unknown: as written


# --------------------------------------------------------------------------- the public index


def test_public_index_lists_published_reports_only_and_no_notebook(site: Path) -> None:
    html = (site / "index.html").read_text("utf-8")
    soup = BeautifulSoup(html, "lxml")
    rows = soup.select("tbody tr")
    assert sorted(r.th.get_text() for r in rows) == sorted([OTHER, "泽州县行政审批服务管理局"])
    hrefs = [a["href"] for a in soup.select("a[href]")]
    assert hrefs and not [h for h in hrefs if ".ipynb" in h]
    assert "2022/zezhou-xzsp.html" not in hrefs  # the draft
    assert INTERNAL not in html
    for internal in ("未通过校验", "生成失败", "缺失", "APP-BALANCE", "错误", "警告", "笔记本"):
        assert internal not in soup.get_text(), internal
    for href in hrefs:
        if not href.startswith("#"):
            assert (site / unquote(href)).is_file(), href


SYNTHETIC: dict[str, Any] = {
    "agencies": [
        {
            "file": "p/2022/a-ju.yaml",
            "year": 2022,
            "agency_id": "a-ju",
            "agency": "<script>alert(1)</script>局",
            "status": "published",
            "errors": 0,
            "warnings": 1,
            "findings": [
                {
                    "rule": "PROBLEMS-EMPTY",
                    "severity": "warning",
                    "section": "narrative",
                    "row": "problems",
                    "column": None,
                    "zh": "<b>五</b> 内容过少",
                    "en": "section 五 is too short",
                }
            ],
            "html": "2022/a-ju.html",
            "notebook": "2022/a-ju.ipynb",
        },
        {
            "file": "p/2022/c-ju.yaml",
            "year": 2022,
            "agency_id": "c-ju",
            "agency": "示例县c局",
            "status": "failed",
            "errors": 0,
            "warnings": 0,
            "reason": "notebook failed in cell 4: RuntimeError: boom",
            "html": None,
            "notebook": "2022/c-ju.failed.ipynb",
        },
        {
            "file": "p/2022/d-ju.yaml",
            "year": 2022,
            "agency_id": "d-ju",
            "agency": "示例县d局",
            "status": "published",  # a manifest that says published but has an error
            "errors": 1,
            "warnings": 0,
            "html": "2022/d-ju.html",
        },
        {
            "file": "p/bad.yaml",
            "year": None,
            "agency_id": "",
            "agency": "",
            "status": "invalid",
            "errors": 1,
            "reason": "p/bad.yaml: YAML syntax error",
            "html": None,
            "notebook": None,
        },
    ],
    "summaries": [{"year": 2022, "status": "failed", "html": None, "reason": "kernel died"}],
}


def test_public_index_leaves_out_failures_errors_unreadable_files_and_failed_summaries() -> None:
    soup = BeautifulSoup(index_html(SYNTHETIC), "lxml")
    assert [r.th.get_text() for r in soup.select("tbody tr")] == ["<script>alert(1)</script>局"]
    text = soup.get_text()
    for internal in ("c局", "d局", "bad.yaml", "boom", "kernel died", "未能读取", "汇总"):
        assert internal not in text, internal
    assert [a["href"] for a in soup.select("a[href]")] == ["#y2022", "2022/a-ju.html"]


# --------------------------------------------------------------------------- the internal page


def test_batch_writes_the_internal_page_marked_noindex(site: Path) -> None:
    soup = soup_of(site / INTERNAL)
    assert "noindex" in soup.select_one('meta[name="robots"]')["content"]
    assert "内部工作页面，请勿公开" in soup.h1.get_text()
    assert "内部工作页面，请勿公开" in soup.title.get_text()


def test_internal_page_shows_status_every_finding_notebooks_and_missing(site: Path) -> None:
    soup = soup_of(site / INTERNAL)
    rows = [
        (section["id"], r.th.get_text(" ", strip=True), r["data-status"])
        for section in soup.select("section.gi-year")
        for r in section.select("tbody tr")
    ]
    assert rows == [
        ("y2022", f"{OTHER} other-ju", "missing"),  # no 2022 file: first in its year
        ("y2022", "泽州县行政审批服务管理局 zezhou-xzsp", "invalid"),  # the draft
        ("y2021", f"{OTHER} other-ju", "published"),
        ("y2021", "泽州县行政审批服务管理局 zezhou-xzsp", "published"),
    ]
    # Every finding of every agency, in Chinese, with its place: all, not just the first.
    for year, agency_id in ((2022, "zezhou-xzsp"), (2021, "other-ju")):
        findings = entry(site, year, agency_id)["findings"]
        blocks = [
            b for b in soup.select(f"#y{year} article.gi-agency") if agency_id in b.get_text()
        ]
        assert len(blocks) == 1
        items = blocks[0].select("li")
        assert len(items) == len(findings) > 0
        text = blocks[0].get_text()
        for f in findings:
            assert f["rule"] in text and f["zh"] in text and f["en"] not in text
    assert "表三 · 自然人列" in soup.select_one("#y2022").get_text()
    # The notebooks and the draft are linked, and every link resolves.
    hrefs = [a["href"] for a in soup.select("a[href]") if not a["href"].startswith("#")]
    assert "2022/zezhou-xzsp.ipynb" in hrefs and "2021/other-ju.ipynb" in hrefs
    draft = soup.select_one('#y2022 a[href="2022/zezhou-xzsp.html"]')
    assert draft.get_text() == "草稿"
    for href in hrefs:
        assert (site / unquote(href)).is_file(), href
    # 其他局 reported for 2021 and has no 2022 file: missing, a row of 2022 (its 2021 report
    # linked), named before the table and counted with the statuses.
    year = soup.select_one("#y2022")
    note = year.select_one(".gi-missing-note")
    assert OTHER in note.get_text()
    assert note.find_next("table") is year.select_one("table")
    row = year.select_one('tr[data-status="missing"]')
    assert row.select_one("td.gi-status").get_text() == "缺失"
    assert row.select_one('a[href="2021/other-ju.html"]').get_text() == "2021年度报告"
    assert "缺失 1" in soup.select_one(".gi-meta").get_text()
    # The draft's row: its first error in Chinese and a link to all its findings.
    draft_row = year.select_one('tr[data-status="invalid"]')
    more = draft_row.select_one("td.gi-reason a")
    count = len(entry(site, 2022, "zezhou-xzsp")["findings"])
    assert more.get_text() == f"共{count}条，查看全部"
    assert len(soup.select_one(more["href"]).select("li")) == count
    assert "applications/" not in draft_row.get_text()


def test_internal_page_shows_failures_unreadable_files_and_escapes_everything() -> None:
    html = internal_html(SYNTHETIC)
    soup = BeautifulSoup(html, "lxml")
    failed = soup.select_one('tr[data-status="failed"]')
    assert "notebook failed in cell 4: RuntimeError: boom" in failed.get_text()
    assert failed.select_one('a[href="2022/c-ju.failed.ipynb"]').get_text() == "失败的笔记本"
    assert "kernel died" in soup.select_one("#y2022 .gi-summary-link").get_text()
    unreadable = soup.select_one("#unreadable")
    assert "p/bad.yaml: YAML syntax error" in unreadable.get_text()
    warning = soup.select_one("#y2022 article.gi-agency li.gi-warning")
    assert warning.get_text(" ", strip=True) == (
        "警告 PROBLEMS-EMPTY 五、存在的主要问题及改进情况 ：<b>五</b> 内容过少"
    )
    assert "<script>alert(1)" not in html and "<b>五" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;局" in html
    assert len(soup.select("script")) == 1  # the page's own sort script


def test_write_index_writes_both_pages(tmp_path: Path) -> None:
    index = write_index(tmp_path, SYNTHETIC)
    assert index == tmp_path / "index.html"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", INTERNAL]
    assert (tmp_path / INTERNAL).read_text("utf-8") == internal_html(SYNTHETIC)


# --------------------------------------------------------------------------- in Chromium


def _box(page: Any, selector: str) -> dict[str, float]:
    return page.locator(selector).first.bounding_box()


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_pages_in_chromium_at_phone_and_desktop_width(
    site: Path, browser: Any, tmp_path: Path, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    for name in ("2021/other-ju.html", "2022/zezhou-xzsp.html", "index.html", INTERNAL):
        url = (site / name).as_uri()
        page.goto(url, wait_until="load")
        page.screenshot(
            path=str(tmp_path / f"{name.replace('/', '-')}-{width}.png"), full_page=True
        )
        if name == "2021/other-ju.html":
            main, signature = _box(page, "main"), _box(page, ".gi-signature")
            agency, date = _box(page, ".gi-sign-agency"), _box(page, ".gi-signature time")
            assert signature["x"] > main["x"] + main["width"] / 2  # right-aligned
            assert signature["x"] + signature["width"] <= main["x"] + main["width"]
            centre = agency["x"] + agency["width"] / 2
            assert abs(centre - (date["x"] + date["width"] / 2)) < 2  # date under the name
            assert page.locator("address.gi-contact").is_visible()
        if name in ("index.html", INTERNAL):  # tables scroll inside the page, not the page
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, (name, overflow)
    assert [r for r in requests if not r.startswith("file:")] == []
    page.close()
