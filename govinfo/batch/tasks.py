"""What the batch sends to a worker and what comes back: small frozen dataclasses.

A task names files and folders by path and carries the few options a render needs; a result
carries paths, seconds and a one-line reason. Never a notebook or a report: both cross a
process (or a Dask cluster) boundary by pickle for every agency, so they must stay small.
Each task kind has a name (``kind``) under which :mod:`govinfo.batch.workers` registers the
function that renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..publish.summary import SUMMARY_NAME


@dataclass(frozen=True)
class ReportTask:
    """Render one agency's page (:func:`govinfo.publish.pipeline.render`)."""

    kind: ClassVar[str] = "report"
    site_page: ClassVar[bool] = False  # written as OUTDIR/<year>/<agency_id>.html

    key: str  # the parameter file's absolute path: the batch's key for this agency
    year: int
    agency_id: str
    file: str
    outdir: str
    allow_invalid: bool = False
    template: str | None = None
    timeout: float | None = None
    engine_kwargs: dict[str, Any] = field(default_factory=dict)
    formats: tuple[str, ...] = ("html",)  # html plus any of govinfo.publish.formats

    @property
    def stem(self) -> str:
        """The output file's name without suffix."""
        return self.agency_id


@dataclass(frozen=True)
class SummaryTask:
    """Render one year's summary page (:func:`govinfo.publish.summary.render_summary`)."""

    kind: ClassVar[str] = "summary"
    site_page: ClassVar[bool] = True  # a page of the site, not of an agency

    key: str  # "summary:<year>"
    year: int
    agencies: list[dict[str, Any]]  # the members as the summary notebook reads them
    previous_agencies: list[dict[str, Any]] | None
    outdir: str
    template: str | None = None
    timeout: float | None = None
    engine_kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        return SUMMARY_NAME


Task = ReportTask | SummaryTask


@dataclass(frozen=True)
class TaskResult:
    """What a worker answers: the pages written, or why none was (first line of the error).

    ``seconds`` is None when the task never reported (its worker or the executor failed)."""

    key: str
    ok: bool
    reason: str = ""
    html: str | None = None
    notebook: str | None = None
    seconds: float | None = None
    documents: dict[str, str] = field(default_factory=dict)  # format name → file written
