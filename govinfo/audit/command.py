"""``govinfo audit PATHS [--pack NAME|FILE] -o audit/``: the command's arguments and run.

Exit 0 when no report has a problem (notes such as an unknown publication date aside),
1 when any has, 2 when an input, the pack or the dates file cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..findings import ParameterError
from ..terminal import safe

EXIT_UNREADABLE = 2


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    from .packs import builtin_names

    p: argparse.ArgumentParser = subparsers.add_parser(
        "audit",
        help="年报体检: evaluators' checks, a predicted score and a 问题清单 per agency",
        description="Audit parameter files and published reports (HTML, text, Markdown, PDF "
        "and what else `govinfo import` reads) with a rule pack: today's rules plus text vs "
        "tables (C09), repetition against last year's and other agencies' reports after "
        "boilerplate is removed (MinHash LSH), elements and form, deadlines by level. Writes "
        "OUTDIR/index.html (ranked, filterable), OUTDIR/agencies/<year>-<id>.html (问题清单), "
        "OUTDIR/audit.xlsx, OUTDIR/problems.csv and OUTDIR/audit.json. Exit 0: no problem; "
        "1: problems found; 2: an input could not be read.",
    )
    p.add_argument(
        "paths", nargs="+", metavar="PATH", help="files or folders (searched recursively)"
    )
    p.add_argument(
        "--pack",
        default="national",
        metavar="NAME|FILE",
        help=f"rule pack: built-in {', '.join(builtin_names())}, or a YAML file "
        "(default: national)",
    )
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="folder to write")
    p.add_argument(
        "--dates",
        metavar="CSV",
        help="publication and filing dates: agency_id (or agency), year, published, filed",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        help="progress bar on standard error (default: when it is a terminal)",
    )
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from .deadlines import read_dates
    from .engine import audit_inputs, stderr_progress
    from .output import write_audit
    from .packs import load_pack
    from .sources import collect

    try:
        pack = load_pack(args.pack)
        dates = read_dates(args.dates) if args.dates else None
    except ParameterError as exc:
        print(safe(f"error: {exc}"), file=sys.stderr)
        return EXIT_UNREADABLE
    collected = collect(args.paths)
    for path, why in collected.unreadable.items():
        print(safe(f"error: {why if why.startswith(path) else f'{path}: {why}'}"), file=sys.stderr)
    for note in collected.notes:
        print(safe(f"note: {note}"), file=sys.stderr)
    if not collected.inputs and not collected.unreadable:
        print(safe(f"error: no report found in {' '.join(args.paths)}"), file=sys.stderr)
        return EXIT_UNREADABLE
    tick, close = stderr_progress(len(collected.inputs), args.progress)
    try:
        result = audit_inputs(collected, pack, dates=dates, progress=tick)
    finally:
        close()
    write_audit(result, args.output)
    problems = sum(1 for r in result.results for p in r.problems if p.severity != "info")
    print(
        safe(
            f"audited {len(result.results)} report(s) with pack {pack.name}: {problems} "
            f"problem(s), {len(result.unreadable)} unreadable → {args.output}/index.html"
        )
    )
    return result.exit_code
