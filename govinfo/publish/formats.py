"""The formats a report is published in besides its page: a registry, like papermill's engines.

The HTML page is always written: it is the site's page, the one the index links, and the
document the PDF is printed from. Every other format is a *producer* registered under a
name (``docx``, ``pdf``): it gets the report, its findings and the finished page, and returns
the file's bytes. :func:`govinfo.publish.pipeline.render` asks every requested producer for
its bytes before anything is written, so a format that fails fails the whole render and
leaves the last good files in place (never a new page beside an old Word file).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..findings import Finding
from ..model import Report

HTML = "html"


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str  # the file written beside the page: OUTDIR/<year>/<agency_id><suffix>
    label: str  # as the index links it (Chinese: the site is for readers)
    produce: Callable[[Report, list[Finding], str], bytes]
    # Optional: begin producing in the background and return what waits for the bytes, so
    # that a format made by another process (Chromium) runs while the others are made.
    start: Callable[[Report, list[Finding], str], Callable[[], bytes]] | None = None


FORMATS: dict[str, Format] = {}


def register_format(fmt: Format) -> None:
    """Make ``govinfo render --to NAME`` and ``batch --formats NAME`` produce ``fmt``."""
    FORMATS[fmt.name] = fmt


class UnknownFormat(ValueError):
    """A format name nobody registered: the message lists the known ones."""


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    """``"html,docx,pdf"`` → ``("html", "docx", "pdf")``: known names only, html first and
    always there, each once, in the registry's order (so equal requests hash alike)."""
    names = [n.strip().lower() for n in (text.split(",") if isinstance(text, str) else text)]
    known = (HTML, *FORMATS)
    unknown = [n for n in names if n and n not in known]
    if unknown:
        raise UnknownFormat(
            f"unknown format {', '.join(unknown)!s}: choose from {', '.join(known)}"
        )
    return tuple(n for n in known if n == HTML or n in names)


def extra_formats(formats: Iterable[str]) -> list[Format]:
    """The registered producers of ``formats`` (everything but the page itself)."""
    return [FORMATS[name] for name in formats if name != HTML]


def produce_all(
    wanted: Iterable[Format], report: Report, findings: list[Finding], html: str
) -> dict[str, bytes]:
    """Every format of ``wanted`` made from the finished page, by name: the ones that can
    start in the background start first, then the others are made while they run. The first
    failure is raised as :class:`FormatFailed` naming the format."""
    wanted = list(wanted)
    pending: dict[str, Callable[[], bytes]] = {}
    made: dict[str, bytes] = {}
    for fmt in wanted:
        if fmt.start is not None:
            with _failing(fmt):
                pending[fmt.name] = fmt.start(report, findings, html)
    for fmt in wanted:
        with _failing(fmt):
            made[fmt.name] = (
                pending[fmt.name]()
                if fmt.name in pending
                else (fmt.produce(report, findings, html))
            )
    return made


class FormatFailed(RuntimeError):
    """A producer raised: ``format`` names it, the message is the cause's first line."""

    def __init__(self, format_name: str, reason: str) -> None:
        super().__init__(reason)
        self.format = format_name


@contextlib.contextmanager
def _failing(fmt: Format) -> Iterator[None]:
    try:
        yield
    except Exception as exc:  # a broken browser, a library error: the render fails
        text = str(exc).strip().splitlines()
        reason = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
        raise FormatFailed(fmt.name, reason) from None


def _docx(report: Report, findings: list[Finding], html: str) -> bytes:
    from .docx_report import report_docx

    return report_docx(report, findings, html)


def _pdf(report: Report, findings: list[Finding], html: str) -> bytes:
    return _start_pdf(report, findings, html)()


def _start_pdf(report: Report, findings: list[Finding], html: str) -> Callable[[], bytes]:
    from .printing import shared_printer

    return shared_printer().start(html).result


register_format(Format("docx", ".docx", "Word", _docx))
register_format(Format("pdf", ".pdf", "PDF", _pdf, start=_start_pdf))
