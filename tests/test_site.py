"""The site index and the internal page: built from the manifest, self-contained, every link
resolving, sortable in a real browser (headless Debian Chromium through Playwright). The
public/internal split itself is tested in tests/test_public_internal.py."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from bs4 import BeautifulSoup
from conftest import County

from govinfo.publish.internal import INTERNAL, internal_html
from govinfo.publish.site import index_html, write_index


def entry(agency_id: str, year: int | None, **fields: object) -> dict:
    base = {
        "file": f"parameters/{year}/{agency_id}.yaml",
        "agency": f"示例县{agency_id}",
        "agency_id": agency_id,
        "year": year,
        "region": "示例省示例市示例县",
        "kind": "department",
        "scope": "agency",
        "status": "published",
        "errors": 0,
        "warnings": 0,
        "reason": "",
        "html": f"{year}/{agency_id}.html",
        "notebook": f"{year}/{agency_id}.ipynb",
    }
    return base | fields


SYNTHETIC = {
    "agencies": [
        entry("b-ju", 2022, warnings=10),
        entry("a-ju", 2022, warnings=9, agency="<script>alert(1)</script>局"),
        entry(
            "c-ju",
            2022,
            status="failed",
            warnings=2,
            html=None,
            notebook="2022/c-ju.failed.ipynb",
            reason="notebook failed in cell 4: RuntimeError: boom",
        ),
        entry(
            "d-ju", 2022, status="invalid", errors=3, html=None, notebook=None, reason="APP-BALANCE"
        ),
        entry("e-ju", 2021, kind="government", scope="region"),
        entry(
            "",
            None,
            file="parameters/bad.yaml",
            agency="",
            status="invalid",
            errors=1,
            html=None,
            notebook=None,
            reason="YAML 格式错误",
        ),
    ],
    "summaries": [
        {"year": 2022, "status": "published", "html": "2022/summary.html"},
        {"year": 2021, "status": "failed", "html": None, "reason": "kernel died"},
    ],
}


def test_index_groups_published_reports_by_year_with_links() -> None:
    soup = BeautifulSoup(index_html(SYNTHETIC), "lxml")
    assert [s["id"] for s in soup.select("section.gi-year")] == ["y2022", "y2021"]
    assert soup.select_one(".gi-meta").get_text(" ", strip=True) == "共 3 份"
    rows = soup.select("#y2022 tbody tr")
    assert [r.th.get_text() for r in rows] == ["<script>alert(1)</script>局", "示例县b-ju"]
    assert [a["href"] for a in soup.select("#y2022 tbody a")] == [
        "2022/a-ju.html",
        "2022/b-ju.html",
    ]
    assert soup.select_one('#y2022 a[href="2022/summary.html"]') is not None
    assert soup.select_one("#y2021 .gi-summary-link") is None  # failed: not public
    assert "人民政府" in soup.select_one("#y2021 tbody").get_text()  # kind label from the layout
    html = index_html(SYNTHETIC)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html


def test_internal_page_groups_every_agency_by_year_with_status_counts_and_links() -> None:
    soup = BeautifulSoup(internal_html(SYNTHETIC), "lxml")
    assert [s["id"] for s in soup.select("section.gi-year")] == ["y2022", "y2021", "unreadable"]
    assert (
        soup.select_one(".gi-meta").get_text(" ", strip=True)
        == "共 6 份 已发布 3 未通过校验 2 生成失败 1 缺失 1"  # e-ju: 2021, not 2022
    )
    rows = soup.select("#y2022 tbody tr")
    assert [r["data-status"] for r in rows] == [
        "missing",  # e-ju, first: nothing else points at a file that does not exist
        "published",
        "published",
        "failed",
        "invalid",
    ]
    failed = soup.select_one('#y2022 tr[data-status="failed"]')
    cells = [td.get_text(strip=True) for td in failed.select("td")]
    assert cells == [
        "生成失败",
        "0",
        "2",
        "notebook failed in cell 4: RuntimeError: boom查看详情",
        "—",
        "失败的笔记本",
        "示例省示例市示例县",
        "政府部门",
        "本机关",
    ]
    assert failed.select_one('a[href^="#"]')["href"] == "#a2"  # its details
    assert failed.select_one('a[href$=".ipynb"]')["href"] == "2022/c-ju.failed.ipynb"
    assert soup.select_one('#y2022 a[href="2022/summary.html"]') is not None
    assert "kernel died" in soup.select_one("#y2021 .gi-summary-link").get_text()
    assert "parameters/bad.yaml" in soup.select_one("#unreadable").get_text()
    html = internal_html(SYNTHETIC)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html


def finding(rule: str, section: str, row: str | None, column: str | None, zh: str) -> dict:
    where = "/".join(part for part in (section, row, column) if part)
    return {
        "rule": rule,
        "severity": "error",
        "section": section,
        "row": row,
        "column": column,
        "zh": zh,
        "en": f"{where}: in English",
        "where": where,
    }


INVALID = entry(
    "f-ju",
    2022,
    status="invalid",
    errors=3,
    html=None,
    notebook=None,
    reason=(  # as the batch writes it (batch/record.first_error)
        "APP-BALANCE applications/natural_person: 新收与结转之和不等于办理结果与结转之和"
        "（共 3 项错误）"
    ),
    findings=[
        finding(
            "APP-BALANCE",
            "applications",
            None,
            "natural_person",
            "新收与结转之和不等于办理结果与结转之和",
        ),
        finding("APP-TOTAL-COL", "applications", "new", None, "总计列不等于各列之和"),
        finding("MISSING", "active", "licensing", None, "未填写"),
    ],
)


def test_internal_rows_show_the_first_error_in_chinese_and_link_all_of_them() -> None:
    soup = BeautifulSoup(internal_html({"agencies": [INVALID]}), "lxml")
    row = soup.select_one('tr[data-status="invalid"]')
    note = row.select_one("td.gi-reason")
    assert note.get_text().startswith("表三 · 自然人列：新收与结转之和不等于办理结果与结转之和")
    assert "applications" not in note.get_text() and "APP-BALANCE" not in note.get_text()
    more = note.select_one("a")
    assert more.get_text() == "共3条，查看全部"
    details = soup.select_one(more["href"])  # the link lands on this agency's details …
    assert details.name == "article" and "示例县f-ju" in details.h4.get_text()
    items = details.select("li")  # … where every finding is, in Chinese
    assert len(items) == 3
    for f in INVALID["findings"]:
        assert f["zh"] in details.get_text() and f["en"] not in details.get_text()
    # A reason the batch wrote from a finding, with no findings beside it: in Chinese too.
    raw = INVALID | {"findings": [], "agency_id": "g-ju"}
    soup = BeautifulSoup(internal_html({"agencies": [raw]}), "lxml")
    text = soup.select_one("td.gi-reason").get_text()
    assert text.startswith("表三 · 自然人列：新收与结转之和") and "applications/" not in text
    assert soup.select_one("td.gi-reason a").get_text() == "查看详情"


def test_missing_agencies_are_rows_of_the_internal_page_only() -> None:
    soup = BeautifulSoup(internal_html(SYNTHETIC), "lxml")
    missing = soup.select('tr[data-status="missing"]')
    assert [(r.find_parent("section")["id"], r.th.get_text(" ", strip=True)) for r in missing] == [
        ("y2022", "示例县e-ju e-ju")
    ]
    cells = [td.get_text(strip=True) for td in missing[0].select("td")]
    assert cells[:6] == ["缺失", "—", "—", "上年有报告、本年没有参数文件", "2021年度报告", "—"]
    assert missing[0].select_one("a")["href"] == "2021/e-ju.html"  # last year's report
    assert "缺失 1" in soup.select_one("#y2022 caption").get_text()
    note = soup.select_one("#y2022 .gi-missing-note")
    assert "示例县e-ju" in note.get_text() and note.find_next("table") is not None
    public = BeautifulSoup(index_html(SYNTHETIC), "lxml")
    assert not public.select('tr[data-status="missing"]') and "缺失" not in public.get_text()
    assert "e-ju" not in public.select_one("#y2022").get_text()


@pytest.mark.parametrize("build", [index_html, internal_html])
def test_index_is_self_contained(build: object) -> None:
    soup = BeautifulSoup(build(SYNTHETIC), "lxml")  # type: ignore[operator]
    assert not soup.select("script[src], link, img, iframe, object, embed")
    assert len(soup.select("script")) == 1
    csp = soup.select_one('meta[http-equiv="Content-Security-Policy"]')["content"]
    assert "default-src 'none'" in csp
    for link in soup.select("a[href]"):
        assert not urlparse(link["href"]).scheme, link["href"]  # relative: the site moves


# --------------------------------------------------------------------------- browser


def open_page(browser: object, path: Path) -> tuple[object, list[str], list[str]]:
    page = browser.new_page()  # type: ignore[attr-defined]
    problems: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "request",
        lambda r: outside.append(r.url) if urlparse(r.url).scheme not in ("file", "data") else None,
    )
    page.goto(path.as_uri(), wait_until="load")
    return page, problems, outside


@pytest.mark.browser
def test_index_links_resolve_and_nothing_is_fetched(county: County, browser: object) -> None:
    page, problems, outside = open_page(browser, county.site / "index.html")
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    files = [Path(unquote(urlparse(h).path)) for h in hrefs if not urlparse(h).fragment]
    assert len(files) == 27 + 2  # a report per agency (no notebook), a summary per year
    missing = [str(f) for f in files if not f.is_file()]
    assert missing == []
    assert page.locator("section.gi-year").count() == 2
    assert page.locator("section.gi-year tbody tr").count() == 27
    page.get_by_role("link", name="2022年政府信息公开工作年度报告汇总").click()
    page.wait_for_load_state("load")
    assert page.title() == "2022年政府信息公开工作年度报告汇总"
    page.go_back()
    page.locator("#y2021 tr").get_by_role("link", name="泽州县行政审批服务管理局").click()
    page.wait_for_load_state("load")
    assert page.title() == "泽州县行政审批服务管理局2021年政府信息公开工作年度报告"
    assert problems == [] and outside == []
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("page_path", ["2021/summary.html", "2022/summary.html"])
def test_summary_pages_load_cleanly(county: County, browser: object, page_path: str) -> None:
    page, problems, outside = open_page(browser, county.site / page_path)
    images = page.locator("figure.gi-chart img")
    assert images.count() >= 5
    for i in range(images.count()):
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
    assert problems == [] and outside == []
    page.close()


@pytest.mark.browser
def test_columns_sort_in_the_browser(tmp_path: Path, browser: object) -> None:
    write_index(tmp_path, SYNTHETIC)
    page, problems, outside = open_page(browser, tmp_path / INTERNAL)
    table = page.locator("#y2022 table")

    def column(n: int) -> list[str]:
        return table.locator(f"tbody tr > :nth-child({n + 1})").all_inner_texts()

    warnings = table.get_by_role("button", name="警告")
    warnings.click()
    assert column(3) == ["—", "0", "2", "9", "10"]  # numbers as numbers; 缺失 has none
    assert warnings.locator("xpath=..").get_attribute("aria-sort") == "ascending"
    warnings.click()
    assert column(3) == ["10", "9", "2", "0", "—"]
    assert warnings.locator("xpath=..").get_attribute("aria-sort") == "descending"
    table.get_by_role("button", name="状态").click()
    assert column(1) == ["生成失败", "未通过校验", "缺失", "已发布", "已发布"]  # by status code
    assert warnings.locator("xpath=..").get_attribute("aria-sort") == "none"
    names = table.get_by_role("button", name="机关")
    names.click()
    ascending = column(0)
    names.click()
    assert column(0) == list(reversed(ascending))
    assert problems == [] and outside == []
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", ["index.html", INTERNAL])
def test_index_has_no_serious_accessibility_violation(
    county: County, browser: object, name: str
) -> None:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    page, _, _ = open_page(browser, county.site / name)
    results = axe.Axe().run(page)
    serious = [
        (v["id"], v["impact"])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    page.close()
