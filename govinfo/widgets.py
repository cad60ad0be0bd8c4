"""``govinfo.widgets.ReportEditor``: the widget editor, importable under the name the issue uses.

The implementation lives in :mod:`govinfo.editor` (:mod:`govinfo.editor.widget`,
:mod:`govinfo.editor.launcher`); this module only re-exports it.
"""

from __future__ import annotations

from .editor.launcher import EditorLauncher
from .editor.widget import ReportEditor

__all__ = ["EditorLauncher", "ReportEditor"]
