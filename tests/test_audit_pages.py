"""The audit's pages in a browser: readable on a phone (390 px, no sideways scroll, text at
least 11 px), the ranking sorts and filters, the scripts run under the page's CSP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from govinfo.cli import main

FIXTURE = Path(__file__).parent / "data" / "audit" / "hongze-qzf-2024.txt"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def audit_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("audit")
    main(["audit", str(ROOT / "parameters"), str(FIXTURE), "-o", str(out), "--no-progress"])
    return out


def _open(browser: Any, path: Path, width: int = 390) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    return page, errors


SMALLEST_TEXT = """() => Math.min(...Array.from(document.querySelectorAll('body *'))
  .filter(e => e.childNodes.length && Array.from(e.childNodes).some(n => n.nodeType === 3
    && n.textContent.trim()) && e.getClientRects().length)
  .map(e => parseFloat(getComputedStyle(e).fontSize)))"""


def test_index_on_a_phone_sorts_and_filters(browser: Any, audit_site: Path) -> None:
    page, errors = _open(browser, audit_site / "index.html")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(SMALLEST_TEXT) >= 11
    rows = page.locator("#ga-ranking tbody tr")
    total = rows.count()
    assert total == 28
    page.fill("input[name=q]", "洪泽")
    assert page.locator("#ga-ranking tbody tr:not([hidden])").count() == 1
    assert page.text_content("#ga-count") == "1"
    page.fill("input[name=q]", "")
    page.select_option("select[name=cat]", "文表一致")
    visible = page.locator("#ga-ranking tbody tr:not([hidden]) th a").all_text_contents()
    assert sorted(visible) == ["淮安市洪泽区人民政府", "示例县自然资源局"]
    page.select_option("select[name=cat]", "")
    page.click("#ga-ranking thead button[data-col='3']")  # 预测得分, ascending
    first = page.locator("#ga-ranking tbody tr").first.get_attribute("data-name")
    assert first is not None and "hongze-qzf" in first  # the lowest predicted score
    assert errors == []
    page.close()


def test_agency_page_on_a_phone(browser: Any, audit_site: Path) -> None:
    page, errors = _open(browser, audit_site / "agencies" / "2024-hongze-qzf.html")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(SMALLEST_TEXT) >= 11
    card = page.locator("article.ga-problem").first
    assert "正文称新收申请 17 件，表格为 95 件" in card.text_content()
    assert errors == []
    page.close()
