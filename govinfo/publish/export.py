"""The executed notebook → the published page: nbconvert with the ``govinfo`` template.

Apart from :mod:`.pipeline` so that the in-process page (:func:`.document.standalone_html`)
uses the same exporter without importing the pipeline and, through it, the Word and PDF
producers that themselves build on the page's parts.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATE_DIR = PACKAGE_DIR / "templates"
TEMPLATE_NAME = "govinfo"


@cache
def _exporter() -> Any:
    """One HTMLExporter per process: building it costs ~0.2 s, reusing it ~0.01 s."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
    )


def export_html(notebook: Any) -> str:
    """The executed notebook as the published page (the ``govinfo`` nbconvert template)."""
    html, _ = _exporter().from_notebook_node(notebook)
    return html
