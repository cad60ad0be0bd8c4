"""The per-file summary of ``govinfo import``: a few lines, the frame in English and only the
report's labels in Chinese, whatever the file held.

A page that falls apart can leave dozens of cells unread and dozens of digit runs split; one
line each would bury what matters. Cells not read are grouped by table, split runs and any
rule with many findings are counted (``--verbose`` lists them all).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..findings import Finding
from ..publish.region import TABLE_NAMES, cell_name
from .assemble import CellKey
from .digits import Value

SPLIT = "IMPORT-SPLIT"
LISTED = 5  # findings of one rule listed one per line; more are counted (--verbose lists)


def unread_by_table(cells: Mapping[CellKey, Value]) -> list[str]:
    """``表三: 8 cells of 2 rows not read (（六）其他处理1.… …)``: one line per table."""
    by_table: dict[str, dict[str, None]] = {}
    counts: dict[str, int] = {}
    for (section, row, _), value in cells.items():
        if value is None:
            by_table.setdefault(section, {})[row] = None
            counts[section] = counts.get(section, 0) + 1
    lines: list[str] = []
    for section, rows in by_table.items():
        labels = [cell_name(section, row, None).partition(" ")[2] for row in rows]
        shown = "; ".join(labels[:LISTED]) + (" …" if len(labels) > LISTED else "")
        n, r = counts[section], len(rows)
        lines.append(
            f"  {TABLE_NAMES[section]}: {n} cell{'s' * (n != 1)} of {r} "
            f"row{'s' * (r != 1)} not read ({shown})"
        )
    return lines


def findings_lines(problems: list[Finding], verbose: bool) -> list[str]:
    """Other findings: listed when few of a rule, else counted; split digit runs counted."""
    by_rule: dict[str, list[Finding]] = {}
    for p in problems:
        by_rule.setdefault(p.rule, []).append(p)
    lines: list[str] = []
    for rule, found in by_rule.items():
        if verbose or (rule != SPLIT and len(found) <= LISTED):
            lines.extend(f"  {p.rule} {p.where}: {p.en}" for p in found)
        elif rule == SPLIT:
            lines.append(
                f"  {len(found)} digit run(s) printed without separators, split by the "
                f"arithmetic ({SPLIT}; --verbose lists them)"
            )
        else:
            lines.append(f"  {rule}: {len(found)} findings (--verbose lists them)")
    return lines
