"""``govinfo.widgets.ReportEditor``: the widget editor, importable under the name the issue uses.

The implementation lives in :mod:`govinfo.editor`; this module only re-exports it.
"""

from __future__ import annotations

from .editor import ReportEditor
from .editor_launcher import EditorLauncher

__all__ = ["EditorLauncher", "ReportEditor"]
