"""年报体检 (``govinfo audit``): the checks evaluators apply to published annual reports,
run before the evaluator does, with a predicted score and a 问题清单 per agency.

On top of today's rules (:mod:`govinfo.rules`): figures in the text against the tables
(:mod:`.numbers`, C09), repetition against last year's and other agencies' reports after the
boilerplate is removed (:mod:`.repetition`, MinHash LSH), elements and form
(:mod:`.elements`), deadlines by level (:mod:`.deadlines`). A rule pack (:mod:`.packs`, YAML)
says which checks apply, how severe each is and what it costs; :mod:`.score` turns the
problems into the pack's maximum minus deductions, each traceable to a problem. Pages
(:mod:`.pages`), the workbook, CSV and JSON (:mod:`.workbook`) are written by
:mod:`.output`; :mod:`.command` is the CLI's ``govinfo audit``.

    from govinfo.audit import audit_paths, load_pack
    run = audit_paths(["parameters"], load_pack("national"))
    for result in run.ranked():
        print(result.agency, result.score)
"""

from __future__ import annotations

from .engine import AgencyResult, AuditRun, audit_inputs, audit_paths
from .packs import Pack, PackError, builtin_names, load_pack
from .problems import Problem

__all__ = [
    "AgencyResult",
    "AuditRun",
    "Pack",
    "PackError",
    "Problem",
    "audit_inputs",
    "audit_paths",
    "builtin_names",
    "load_pack",
]
