"""The formats a report is published in besides its page: a registry, like papermill's engines.

The HTML page is always written: it is the site's page, the one the index links, and the
document the PDF is printed from. Every other format is a *producer* registered under a
name (``docx``, ``pdf``): it gets the report, its findings and the finished page, and returns
the file's bytes. :func:`govinfo.publish.pipeline.render` asks every requested producer for
its bytes before anything is written, so a format that fails fails the whole render and
leaves the last good files in place (never a new page beside an old Word file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


def _docx(report: Report, findings: list[Finding], html: str) -> bytes:
    from .docx_report import report_docx

    return report_docx(report, findings)


def _pdf(report: Report, findings: list[Finding], html: str) -> bytes:
    from .printing import shared_printer

    return shared_printer().pdf(html)


register_format(Format("docx", ".docx", "Word", _docx))
register_format(Format("pdf", ".pdf", "PDF", _pdf))
