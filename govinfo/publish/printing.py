"""The PDF of a report: the published page printed by Chromium, as a reader's browser would.

The page's print stylesheet (``page.css``: A4, tables kept whole, "— 1 —" in the footer) is
the layout, so the PDF and a page printed from the site are the same document. Chromium is
Debian's (``/usr/bin/chromium``, or ``GOVINFO_CHROMIUM``) driven by Playwright; a browser is
never downloaded. Pages are self-contained: every request the page would make is refused, so
a hostile page cannot reach the network while it is printed.

A :class:`PdfPrinter` keeps one browser for many documents: a batch worker prints every
report it renders with the browser :func:`shared_printer` started for that process (and
closes it when the process ends), instead of starting one per report.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import queue
import re
import threading
from collections.abc import Callable
from concurrent.futures import Future
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# Chromium stamps each PDF with the time it was printed; the batch hashes its outputs, so
# the same page must give the same bytes: the dates are written as the epoch instead.
_PDF_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:[0-9]{14}[^)]*\)")


_NODE_ID = re.compile(rb"\(node([0-9]{8})\)")
# A ToUnicode entry of a PDF font: "<source code> <destination text>" (UTF-16BE hex).
_CMAP_ENTRY = re.compile(rb"(<[0-9A-Fa-f]+>\s+)<([0-9A-Fa-f]+)>")
RADICALS = range(0x2E80, 0x2FE0)  # CJK Radicals Supplement and Kangxi Radicals


class PrinterError(RuntimeError):
    """Chromium or Playwright is missing or broke: one line saying what to install."""


def chromium_path() -> Path:
    path = Path(os.environ.get("GOVINFO_CHROMIUM") or CHROMIUM)
    if not path.is_file():
        raise PrinterError(
            f"Chromium not found at {path}: install Debian's chromium (bash .ci/setup does) "
            "or set GOVINFO_CHROMIUM to a Chromium executable"
        )
    return path


def fixed_dates(pdf: bytes) -> bytes:
    """``pdf`` with its creation and modification dates set to a fixed value (same length)."""
    return _PDF_DATES.sub(lambda m: b"/" + m.group(1) + b" (D:19700101000000+00'00')", pdf)


def fixed_node_ids(pdf: bytes) -> bytes:
    """``pdf`` with the tags' element ids counted from the document's first (same length).

    The ids are the DOM's node numbers, which keep counting in a tab that prints one
    document after another: the same page printed again would differ in them alone."""
    numbers = [int(m) for m in _NODE_ID.findall(pdf)]
    if not numbers:
        return pdf
    first = min(numbers)
    return _NODE_ID.sub(lambda m: b"(node%08d)" % (int(m.group(1)) - first), pdf)


@cache
def radical_map() -> dict[int, str]:
    """Radical code point → the ideograph that shares its glyph in the page's CJK font.

    Noto CJK draws 行 (U+884C) and the Kangxi radical ⾏ (U+2F8F) with one glyph, and Chromium's
    PDF writer maps each glyph back to one code point, the lower: the text layer of a page
    printed in Noto CJK reads ⾏政, ⻔户, ⼈民, so a search for 行政 finds nothing. The font's
    own cmap says which ideograph each radical's glyph also stands for."""
    from fontTools.ttLib import TTFont

    from .charts import PREFERRED_FAMILIES, find_cjk_font

    path = str(find_cjk_font())
    fonts = [TTFont(path, fontNumber=i, lazy=True) for i in range(_faces(path))]
    font = next((f for f in fonts if f["name"].getDebugName(1) in PREFERRED_FAMILIES), fonts[0])
    cmap = font.getBestCmap()
    ideographs: dict[str, int] = {}
    for point, glyph in sorted(cmap.items()):
        if 0x3400 <= point <= 0x9FFF:
            ideographs.setdefault(glyph, point)
    return {p: chr(ideographs[g]) for p, g in cmap.items() if p in RADICALS and g in ideographs}


def _faces(path: str) -> int:
    if not path.lower().endswith(".ttc"):
        return 1
    from fontTools.ttLib import TTCollection

    return len(TTCollection(path, lazy=True).fonts)


def _ideographs(match: re.Match[bytes]) -> bytes:
    try:
        text = bytes.fromhex(match.group(2).decode("ascii")).decode("utf-16-be")
    except (ValueError, UnicodeDecodeError):
        return match.group(0)
    mapped = "".join(radical_map().get(ord(c), c) for c in text)
    if mapped == text:
        return match.group(0)
    return match.group(1) + b"<" + mapped.encode("utf-16-be").hex().upper().encode() + b">"


def searchable(pdf: bytes) -> bytes:
    """``pdf`` with radicals in its fonts' ToUnicode maps read as the ideographs they draw
    (see :func:`radical_map`): copy, search and screen readers get 行政, not ⾏政. pikepdf
    (qpdf) rewrites the few streams in about a fifth of the time pypdf takes."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        done: set[tuple[int, int]] = set()
        changed = False
        for page in document.pages:
            resources: Any = page.obj.get("/Resources", {})
            fonts: Any = resources.get("/Font", {})
            for name in list(fonts.keys()):
                cmap = fonts[name].get("/ToUnicode")
                if cmap is None or cmap.objgen in done:
                    continue
                done.add(cmap.objgen)
                old = cmap.read_bytes()
                new = _CMAP_ENTRY.sub(_ideographs, old)
                if new != old:
                    cmap.write(new)
                    changed = True
        if not changed:  # a page printed in a TrueType face: nothing to rewrite
            return pdf
        out = io.BytesIO()
        document.save(out, deterministic_id=True)
    return out.getvalue()


class _OwnThread:
    """One daemon thread that runs the calls given to it in order, each with a Future.

    Not a ThreadPoolExecutor: those refuse work once the interpreter starts to exit, which is
    exactly when a batch worker's printer closes its browser (an ``atexit`` callback)."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, call: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._jobs.put((future, call, args))
        return future

    def shutdown(self) -> None:
        self._jobs.put(None)
        self._thread.join()

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, call, args = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(call(*args))
                except BaseException as exc:  # handed to the caller through the future
                    future.set_exception(exc)


class PdfPrinter:
    """One headless Chromium that prints self-contained HTML pages to A4 PDF."""

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None
        self._page: Any = None
        # Playwright's sync API refuses to run where an asyncio loop runs (a Jupyter kernel,
        # the editor) or beside another sync Playwright in the same thread: every browser
        # call happens in this printer's own thread.
        self._thread = _OwnThread("govinfo-pdf")
        self._closed = False
        self.launches = 0  # how many browsers this printer started (one, unless one died)
        self.refused: list[str] = []  # requests a page tried to make (all refused)

    def _ensure_browser(self) -> Any:
        if self._browser is not None and self._browser.is_connected():
            return self._browser
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise PrinterError("playwright is not installed: pip install playwright") from None
        if self._playwright is None:
            self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=str(chromium_path()), args=list(CHROMIUM_ARGS)
        )
        self.launches += 1
        return self._browser

    def _refuse(self, route: Any) -> None:
        self.refused.append(route.request.url)
        route.abort()

    def pdf(self, html: str) -> bytes:
        """``html`` printed to PDF: A4 (the page's ``@page``), backgrounds, tagged text; the
        PDF's Title is the page's ``<title>`` (the report's title). Scripts are off: the
        report pages have none, and a hostile one must not run while printed."""
        return self.start(html).result()

    def start(self, html: str) -> Future[bytes]:
        """:meth:`pdf` begun in the printer's thread: the caller makes the Word document
        while Chromium prints (most of a print is Chromium's own processes at work)."""
        return self._thread.submit(self._finished, html)

    def _finished(self, html: str) -> bytes:
        return searchable(fixed_node_ids(fixed_dates(self._print(html))))

    def _ensure_page(self) -> Any:
        """One tab, kept for every document: a new tab per report costs a new renderer
        process that loads the CJK font again, more than half of a print. Each document
        replaces the last one whole; scripts never run, so nothing of it stays behind."""
        if self._page is not None and not self._page.is_closed():
            return self._page
        browser = self._ensure_browser()
        context = browser.new_context(java_script_enabled=False, offline=True)
        self._page = context.new_page()
        self._page.route(re.compile(r"^(?!data:)"), self._refuse)
        return self._page

    def _print(self, html: str) -> bytes:
        page = self._ensure_page()
        try:
            page.set_content(html, wait_until="load")
            data: bytes = page.pdf(
                format="A4", print_background=True, prefer_css_page_size=True, tagged=True
            )
        except Exception:
            self._drop_page()  # a crashed tab or browser: the next document starts afresh
            raise
        return data

    def _drop_page(self) -> None:
        page, self._page = self._page, None
        if page is not None:
            with contextlib.suppress(Exception):
                page.context.close()

    def close(self) -> None:
        """Close the browser (again: nothing to do)."""
        if self._closed:
            return
        self._closed = True
        self._thread.submit(self._close).result()
        self._thread.shutdown()

    def _close(self) -> None:
        self._drop_page()
        if self._browser is not None:
            with contextlib.suppress(Exception):  # already gone with its process
                self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None

    def __enter__(self) -> PdfPrinter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


_SHARED: tuple[int, PdfPrinter] | None = None


def shared_printer() -> PdfPrinter:
    """This process's printer, started on first use and closed at exit. A printer made
    before a fork belongs to the parent (its browser pipe is the parent's): a forked worker
    starts its own."""
    global _SHARED
    if _SHARED is None or _SHARED[0] != os.getpid():
        printer = PdfPrinter()
        _SHARED = (os.getpid(), printer)
        atexit.register(_close_shared, os.getpid())
    return _SHARED[1]


def _close_shared(pid: int) -> None:
    if _SHARED is not None and _SHARED[0] == pid == os.getpid():
        _SHARED[1].close()
