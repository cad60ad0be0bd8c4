"""Hostile text in every text field: escaped or sanitised in the report, the index and the
summary, harmless in the kernel, inert in a real browser.

One batch (with ``--allow-invalid``, because a hostile ``published`` is a DATE error and the
file also carries a key written to be run as code) publishes a report whose agency, region,
every narrative part and ``published`` are full of script tags, event handlers,
``javascript:`` links, iframes, CSS injection and Markdown link tricks. The pages are checked
as text (parsed: no element or attribute that could run or load anything), then in headless
Chromium (no dialog, no request leaving the page). Property tests (hypothesis) then feed
arbitrary Unicode to every field of the page built in-process and of papermill's
parameters cell.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import write_yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govinfo import layout as L
from govinfo.cli import main
from govinfo.params import parse
from govinfo.publish.document import standalone_html
from govinfo.publish.page_kit import CSP, SORT_SCRIPT

# Each is tried in every text field. Markdown fields also get the link tricks' Markdown forms.
PAYLOADS = (
    '<script>alert("script")</script>',
    "<img src=x onerror=alert('img')>",
    '" onmouseover="alert(1)" data-x="',
    "' onfocus='alert(2)' autofocus x='",
    '<iframe src="https://evil.example/frame"></iframe>',
    "<svg onload=alert(3)>",
    "</title><script>alert(4)</script>",
    "</style><style>body{background:url(https://evil.example/css.png)}</style>",
    'x" style="background:url(https://evil.example/attr.png)',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<object data="https://evil.example/x.swf"></object>',
    '<form action="https://evil.example/"><button>提交</button></form>',
    "<!-- --><script>alert(5)</script>",
    "javascript:alert(6)",
    "$\\frac{$ {{ 7*7 }} {% raw %} ${7*7}",  # TeX in chart labels, template syntax
    "\u202e\u200b\ufeff\\\"\"\"'''",  # bidi override, zero width, quotes for papermill
)
MARKDOWN_TRICKS = (
    "[点击查看](javascript:alert(7))",
    "[x](jav&#x61;script:alert(8))",
    "[x](JaVaScRiPt:alert(9))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMCk8L3NjcmlwdD4=)",
    "[x](vbscript:msgbox(11))",
    "<javascript:alert(12)>",
    '[x](https://example.org "t\\" onmouseover=\\"alert(13)")',
    "![跟踪](https://evil.example/track.png)",
    "[a][r]\n\n[r]: javascript:alert(14)",
    '<div onclick="alert(15)">块</div>',
)
LINE = " ".join(PAYLOADS)  # single-line fields: agency, region, published
TEXT = "\n\n".join((*PAYLOADS, *MARKDOWN_TRICKS))  # Markdown fields
AGENCY = f"示例县{LINE}局"
REGION = f"示例省{LINE}县"
INJECTED_KEY = 'x = open(r"{marker}", "w") #'
PARTS = (*L.OVERVIEW_KEYS, "problems", "other")  # every narrative text
SAFE_HREF = re.compile(r"(https?:|mailto:|#|data:image/(png|gif|jpeg|webp);|[\w%./-]*$)", re.I)
VOID = {"meta", "link", "img", "br", "hr", "input", "source", "col", "wbr", "area", "base"}
FORBIDDEN_TAGS = {
    "iframe", "frame", "object", "embed", "form", "input", "base", "link", "svg", "math",
    "video", "audio", "source", "template", "noscript", "applet", "frameset",
}  # fmt: skip
FORBIDDEN_ATTRS = {"style", "srcdoc", "formaction", "action", "background", "data", "xlink:href"}


# --------------------------------------------------------------------------- page inspection


@dataclass
class Page:
    """What an HTML page contains, read with the standard library's tolerant parser."""

    tags: Counter[str] = field(default_factory=Counter)
    attrs: list[tuple[str, str, str]] = field(default_factory=list)
    raw: dict[str, list[str]] = field(default_factory=dict)  # script/style/title contents
    text: list[str] = field(default_factory=list)  # everything a reader sees, unescaped
    problems: list[str] = field(default_factory=list)  # nesting errors


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.tags[tag] += 1
        self.page.attrs += [(tag, name, value or "") for name, value in attrs]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.tags[tag] += 1
        self.page.attrs += [(tag, name, value or "") for name, value in attrs]

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.page.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else ''}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] in ("script", "style", "title"):
            self.page.raw.setdefault(self.stack[-1], []).append(data)
        else:
            self.page.text.append(data)


def read_page(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    if reader.stack:
        reader.page.problems.append(f"unclosed: {reader.stack}")
    return reader.page


def assert_inert(html: str, *, scripts: int = 0, styles: int = 1) -> Page:
    """Nothing in the page can run, load or submit anything the page did not put there."""
    page = read_page(html)
    assert page.problems == [], page.problems[:5]  # well-formed: every element closed in order
    assert not FORBIDDEN_TAGS & set(page.tags), FORBIDDEN_TAGS & set(page.tags)
    assert page.tags["script"] == scripts and page.tags["style"] == styles, page.tags
    assert len(re.findall(r"<script", html, re.I)) == scripts
    for tag, name, value in page.attrs:
        assert not name.startswith("on"), (tag, name, value)
        assert name not in FORBIDDEN_ATTRS, (tag, name, value)
        if name == "href":
            plain = re.sub(r"[\x00-\x20]", "", value)
            assert SAFE_HREF.match(plain), (tag, value)
        if name == "src":
            assert value.startswith("data:image/png;base64,"), (tag, value[:80])
        if tag == "meta":
            assert name in ("charset", "name", "content", "http-equiv"), (name, value)
            if name == "http-equiv":
                assert value == "Content-Security-Policy", value
    for text in page.raw.get("style", []):
        assert "evil.example" not in text and "<" not in text
    return page


# --------------------------------------------------------------------------- the site


def hostile_mapping(seed: dict[str, Any], marker: Path) -> dict[str, Any]:
    data = dict(seed)
    data.update(agency=AGENCY, region=REGION, agency_id="hostile-test", published=LINE)
    data["narrative"] = {
        "overview": {key: f"{key}：{TEXT}" for key in L.OVERVIEW_KEYS},
        "problems": f"problems：{TEXT}",
        "other": f"other：{TEXT}",
    }
    data[INJECTED_KEY.format(marker=marker)] = 1  # UNKNOWN-KEY, but must never run
    return data


@dataclass(frozen=True)
class HostileSite:
    site: Path
    marker: Path
    code: int
    out: str
    err: str

    def text(self, name: str) -> str:
        return (self.site / name).read_text("utf-8")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileSite:
    """The hostile report published by a real batch: report + summary (two kernel runs)."""
    from conftest import _seed_mapping

    root = tmp_path_factory.mktemp("hostile")
    marker = root / "INJECTED"
    write_yaml(
        root / "params" / "2021" / "hostile-test.yaml", hostile_mapping(_seed_mapping(), marker)
    )
    out, err = io.StringIO(), io.StringIO()
    argv = ["batch", str(root / "params"), "-o", str(root / "site"), "--allow-invalid"]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--no-progress", "-j", "1"])
    return HostileSite(root / "site", marker, code, out.getvalue(), err.getvalue())


def test_the_hostile_report_is_published_as_a_draft(hostile: HostileSite) -> None:
    assert hostile.code == 0, hostile.err[-2000:]
    assert "Traceback" not in hostile.out + hostile.err
    assert "rendered 2021/hostile-test" in hostile.err and "rendered 2021/summary" in hostile.err


def test_no_parameter_becomes_code_in_the_kernel(hostile: HostileSite) -> None:
    """An unknown top-level key is dropped before papermill (which writes keys unescaped);
    values with quotes and backslashes stay strings."""
    assert not hostile.marker.exists()
    notebook = hostile.text("2021/hostile-test.ipynb")
    assert "INJECTED" not in notebook


def test_report_page_is_inert_and_shows_the_text(hostile: HostileSite) -> None:
    html = hostile.text("2021/hostile-test.html")
    page = assert_inert(html)
    assert page.raw["title"] == [L.title(AGENCY, 2021)]  # the <title>, as text
    text = "".join(page.text)
    assert f"{AGENCY}{REGION}" in text  # the header, exactly as written
    assert escape(AGENCY, quote=False) in html  # <, > and & escaped (quotes need not be)
    for part in PARTS:
        assert f"{part}：<script>" in text  # each narrative part is there, as text
    assert "DATE" in text and "发布日期" in text  # the hostile date, named in the draft's findings
    assert "gi-stamp" in html  # published as a draft


def test_index_is_inert_and_lists_no_draft(hostile: HostileSite) -> None:
    html = hostile.text("index.html")
    page = assert_inert(html, scripts=1)
    assert page.raw["script"] == [SORT_SCRIPT]  # the page's own sort script, nothing more
    assert f'content="{CSP}"' in html
    assert "hostile-test" not in html  # the draft is not public


def test_internal_page_is_inert_and_shows_the_text(hostile: HostileSite) -> None:
    html = hostile.text("internal.html")
    page = assert_inert(html, scripts=1)
    assert page.raw["script"] == [SORT_SCRIPT]
    assert f'content="{CSP}"' in html
    text = "".join(page.text)
    assert AGENCY in text and REGION in text


def test_summary_is_inert_and_shows_the_text(hostile: HostileSite) -> None:
    html = hostile.text("2021/summary.html")
    page = assert_inert(html, styles=2)  # the page's and the summary's own
    text = "".join(page.text)
    assert AGENCY in text and REGION in text
    # An invalid draft is listed with why, never summed or charted (issue 13); chart labels
    # with markup are tested on a valid report in test_summary_publishable.py.
    assert "未计入汇总的报告（1 份）" in text


@pytest.mark.browser
@pytest.mark.parametrize(
    "name", ["2021/hostile-test.html", "index.html", "internal.html", "2021/summary.html"]
)
def test_pages_in_chromium_run_nothing_and_fetch_nothing(
    hostile: HostileSite, browser: Any, name: str
) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    requests: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    url = (hostile.site / name).as_uri()
    page.goto(url, wait_until="load")
    # Every element hovered, focused and animated: an injected handler would fire now.
    page.evaluate(
        """() => document.querySelectorAll("body *").forEach(el => {
            for (const type of ["mouseover", "mouseenter", "focus", "animationstart"])
                el.dispatchEvent(new Event(type, {bubbles: true}));
        })"""
    )
    if name == "internal.html":
        page.locator("thead button").first.click()  # the page's own script runs cleanly
    # A meta refresh or a delayed script would navigate later: none may be in the page.
    metas = page.evaluate(
        """() => [...document.querySelectorAll("meta[http-equiv]")].map(
            m => m.getAttribute("http-equiv").toLowerCase())"""
    )
    assert set(metas) <= {"content-security-policy"}, metas
    handlers = page.evaluate(
        """() => [...document.querySelectorAll("*")].flatMap(
            el => el.getAttributeNames().filter(n => n.startsWith("on")))"""
    )
    assert dialogs == [] and handlers == [] and errors == []
    assert page.url == url and len(page.frames) == 1
    assert [r for r in requests if r != url and not r.startswith("data:")] == []
    scripts = page.evaluate("() => document.scripts.length")
    assert scripts == (1 if name in ("index.html", "internal.html") else 0)
    if name != "index.html":  # the draft is not on the public index
        assert AGENCY in page.inner_text("body")  # shown as text, exactly
    page.close()


# --------------------------------------------------------------------------- properties


def _zero_mapping() -> dict[str, Any]:
    """A report with every number zero: no charts, so each example costs milliseconds."""
    return {"schema": L.SCHEMA, "agency_id": "prop-test", "year": 2021}


TEXTS = st.text(max_size=60)
FIELDS = st.fixed_dictionaries(
    {
        "agency": TEXTS,
        "region": TEXTS,
        "published": TEXTS,
        **{key: TEXTS for key in L.OVERVIEW_KEYS},
        "problems": TEXTS,
        "other": TEXTS,
    }
)


def _mapping_with(texts: dict[str, str]) -> dict[str, Any]:
    data = _zero_mapping()
    data.update(agency=texts["agency"], region=texts["region"], published=texts["published"])
    data["narrative"] = {
        "overview": {key: texts[key] for key in L.OVERVIEW_KEYS},
        "problems": texts["problems"],
        "other": texts["other"],
    }
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FIELDS)
def test_any_text_in_any_field_keeps_the_page_well_formed_and_inert(
    texts: dict[str, str],
) -> None:
    report = parse(_mapping_with(texts))
    html = standalone_html(report)
    page = assert_inert(html)
    assert page.tags["main"] == 1 and page.tags["h1"] == 1
    assert page.tags["section"] == len(L.SECTIONS)
    assert "".join(page.raw["title"]) == report.title

    # The header, exactly, up to line breaks: CR is a TEXT-CONTROL error (drafts only), and
    # nbconvert's and the parser's handling of a bare CR (kept, made LF, or a space when the
    # text node is only whitespace) is not what this test is about.
    def unbroken(text: str) -> str:
        return re.sub(r"[\r\n]", "", text)

    header = unbroken(f"{report.agency}{report.region}")
    assert header in unbroken("".join(page.text))


@settings(max_examples=200, deadline=None)
@given(FIELDS)
def test_any_text_stays_a_string_in_the_parameters_cell(texts: dict[str, str]) -> None:
    """papermill writes the parameters as Python source: each value must come back exactly,
    and the cell must hold nothing but assignments of literals."""
    from papermill.translators import PythonTranslator

    data = _mapping_with(texts)
    source = PythonTranslator.codify(data)
    tree = ast.parse(source)
    assert all(isinstance(node, ast.Assign) for node in tree.body)
    values = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body}  # type: ignore[attr-defined]
    assert values == data
