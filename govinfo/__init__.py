"""govinfo: China's government information disclosure annual reports (政府信息公开工作年度报告).

Quick start in Jupyter::

    import govinfo
    report = govinfo.load("parameters/2021/zezhou-xzsp.yaml")
    report                      # the official tables, with every failing rule marked
    report.applications.to_frame()
    govinfo.check(report)       # the findings
"""

from __future__ import annotations

from .findings import Finding, ParameterError
from .model import Report
from .params import load, save
from .publish import display as _display  # noqa: F401  (the model's Jupyter views)
from .rules import check

__version__ = "0.1.0"
__all__ = ["Finding", "ParameterError", "Report", "__version__", "check", "load", "save"]
