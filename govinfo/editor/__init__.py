"""The JupyterLab editor: :class:`~.widget.ReportEditor` (public as
``govinfo.widgets.ReportEditor``) with its fields, grid, paste, panel and session state, and
the notebook's front page (:mod:`.launcher`).

The editor sits above the batch (its 生成报告 renders into the site like ``govinfo render``)
and never imports the CLI.
"""
