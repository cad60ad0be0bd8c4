"""A report's views in Jupyter and pandas, rendered by the official tables.

The model cannot import its renderer (it sits below it), so this module hands the
renderers of :mod:`.tables` to :data:`govinfo.model.VIEWS`; ``import govinfo`` imports it.
Then ``report`` in a notebook shows the official tables with every failing rule marked,
and ``report.applications.to_frame()`` gives a DataFrame.
"""

from __future__ import annotations

from .. import model
from .tables import (
    active_frame,
    active_html,
    applications_frame,
    applications_html,
    report_html,
    review_frame,
    review_html,
)

model.VIEWS.update(
    active_frame=active_frame,
    active_html=active_html,
    applications_frame=applications_frame,
    applications_html=applications_html,
    review_frame=review_frame,
    review_html=review_html,
    report_html=report_html,
)
