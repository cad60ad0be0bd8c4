"""The ``govinfo`` command line.

Subcommands stay thin: they parse arguments, call the library and turn its results into
exit codes. Heavy libraries (pandas, matplotlib, papermill) are imported only inside the
commands that render, so ``govinfo validate`` and an up-to-date ``govinfo batch`` start fast.

Exit codes: 0 success; 1 a rule failed (or a render failed); 2 an input could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from . import __version__
from .findings import Finding, ParameterError
from .model import Report

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2


def find_parameter_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus every .yaml/.yml/.json below each folder (sorted)."""
    from .params import SUFFIXES

    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            found.append(path)
    return found


def load_all(files: Sequence[Path]) -> tuple[dict[Path, Report], dict[Path, ParameterError]]:
    """Load every file; unreadable ones are returned apart, never raised."""
    from .params import load

    reports: dict[Path, Report] = {}
    problems: dict[Path, ParameterError] = {}
    for path in files:
        try:
            reports[path] = load(path)
        except ParameterError as exc:
            problems[path] = exc
    return reports, problems


def check_all(reports: dict[Path, Report]) -> dict[Path, list[Finding]]:
    """All findings per file, including continuity between years found side by side."""
    from .rules import check, check_continuity

    by_year: dict[tuple[str, int], Report] = {}
    for report in reports.values():
        for key in (report.agency_id, report.agency):
            by_year.setdefault((key, report.year), report)
    results = {}
    for path, report in reports.items():
        findings = check(report)
        if report.previous is None and report.previous_path is None:
            earlier = by_year.get((report.agency_id, report.year - 1)) or by_year.get(
                (report.agency, report.year - 1)
            )
            if earlier is not None:
                findings.extend(check_continuity(report, earlier))
        results[path] = findings
    return results


def cmd_validate(args: argparse.Namespace) -> int:
    files = find_parameter_files(args.paths)
    if not files:
        print(f"error: no parameter files found in {' '.join(args.paths)}", file=sys.stderr)
        return EXIT_UNREADABLE
    reports, problems = load_all(files)
    results = check_all(reports)
    any_error = any(f.is_error for fs in results.values() for f in fs)
    any_warning = any(not f.is_error for fs in results.values() for f in fs)
    if args.format == "json":
        out = [{"file": str(p), "error": str(e)} for p, e in problems.items()]
        for path, findings in results.items():
            out.append(
                {
                    "file": str(path),
                    "errors": sum(f.is_error for f in findings),
                    "warnings": sum(not f.is_error for f in findings),
                    "findings": [f.to_dict() for f in findings],
                }
            )
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for exc in problems.values():
            print(f"error: {exc}", file=sys.stderr)
        for path, findings in results.items():
            errors = sum(f.is_error for f in findings)
            print(f"{path}: {errors} error(s), {len(findings) - errors} warning(s)")
            for finding in sorted(findings, key=lambda f: not f.is_error):
                print(f"  {finding}")
    if problems:
        return EXIT_UNREADABLE
    if any_error or (args.strict and any_warning):
        return EXIT_FINDINGS
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from .files import AGENCY_ID_PATTERN
    from .model import blank_report
    from .params import dumps_yaml, save

    if not AGENCY_ID_PATTERN.fullmatch(args.id):
        print(f"error: --id {args.id!r} must match [a-z0-9][a-z0-9-]*", file=sys.stderr)
        return EXIT_UNREADABLE
    report = blank_report(args.agency, args.id, args.year, region=args.region or "")
    # Refuse to write a file that would fail validation (year out of range, empty agency):
    # the parser and rules know the limits, so ask them rather than repeating them here.
    from .params import parse, to_mapping
    from .rules import check

    invalid = [f for f in check(parse(to_mapping(report))) if f.is_error]
    if invalid:
        print(f"error: {invalid[0].where}: {invalid[0].en}", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.output is None:
        sys.stdout.write(dumps_yaml(report))
        return EXIT_OK
    target = Path(args.output)
    if target.exists() and not args.force:
        print(f"error: {target} exists; use --force to replace it", file=sys.stderr)
        return EXIT_UNREADABLE
    save(report, target)
    print(f"wrote {target}")
    return EXIT_OK


def print_findings(findings: Sequence[Finding]) -> None:
    for finding in sorted(findings, key=lambda f: not f.is_error):
        print(f"  {finding}")


def cmd_render(args: argparse.Namespace) -> int:
    from .pipeline import InvalidReport, RenderError, render

    files = find_parameter_files(args.params)
    status = EXIT_OK
    for path in files:
        try:
            result = render(
                path, args.output, allow_invalid=args.allow_invalid, timeout=args.timeout
            )
        except ParameterError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = max(status, EXIT_UNREADABLE)
        except InvalidReport as exc:
            print(f"error: {exc}", file=sys.stderr)
            print_findings(exc.findings)
            status = max(status, EXIT_FINDINGS)
        except RenderError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = max(status, EXIT_FINDINGS)
        else:
            errors = sum(f.is_error for f in result.findings)
            note = f" (STAMPED: {errors} error(s))" if errors else ""
            print(f"published {result.html}{note}  [{result.seconds:.1f} s]")
            print(f"  executed notebook: {result.notebook}")
    return status


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import BatchError, Options, run_batch, summary_table

    options = Options(
        outdir=Path(args.output),
        jobs=args.jobs,
        timeout=args.timeout,
        force=args.force,
        allow_invalid=args.allow_invalid,
        template=Path(args.template) if args.template else None,
        executor=args.executor,
        scheduler=args.scheduler,
        progress=args.progress,
        kernels=args.kernels,
    )
    try:
        result = run_batch(args.paths, options)
    except BatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(summary_table(result))
    return result.exit_code


def cmd_install_template(args: argparse.Namespace) -> int:
    from .pipeline import install_template

    print(f"installed nbconvert template: {install_template(args.prefix)}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """Read published reports (HTML, text, Markdown) into parameter files, nulls for gaps.

    Exit 0 when every table cell was read, 1 when some were not (they are null and listed),
    2 when a file could not be read at all.
    """
    from .files import atomic_write, is_safe_id, output_path
    from .importer import import_file
    from .importer.output import dumps

    if args.id and len(args.files) > 1:
        print("error: --id names one agency; give one FILE with it", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.id is not None and not is_safe_id(args.id):
        print(
            f"error: --id {args.id!r} must match [a-z0-9][a-z0-9-]* and not be a reserved "
            "device name (con, nul, com1 …) (rule AGENCY-ID)",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    out = Path(args.output) if args.output else None
    form = args.format or ("json" if out and out.suffix.lower() == ".json" else "yaml")
    into_folder = out is not None and (
        len(args.files) > 1 or out.is_dir() or str(args.output).endswith(("/", "\\"))
    )
    status, texts = EXIT_OK, []
    for name in args.files:
        try:
            result = import_file(name, agency_id=args.id)
        except ParameterError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = EXIT_UNREADABLE
            continue
        print(result.summary(), file=sys.stderr)
        if not result.complete:
            status = max(status, EXIT_FINDINGS)
        text = dumps(result, form)
        if out is None:
            texts.append(text)
            continue
        target = out
        if into_folder:
            year, ident = result.mapping.get("year"), result.mapping["agency_id"]
            if not isinstance(year, int):
                print(f"error: {name}: no year found, cannot name the output", file=sys.stderr)
                status = EXIT_UNREADABLE
                continue
            target = output_path(out, year, ident, f".{form}")
        if target.exists() and not args.force:
            print(f"error: {target} exists; use --force to replace it", file=sys.stderr)
            status = EXIT_UNREADABLE
            continue
        atomic_write(target, text)
        print(f"wrote {target}", file=sys.stderr)
    if form == "json" and len(texts) > 1:
        texts = ["[\n" + ",\n".join(t.rstrip("\n") for t in texts) + "\n]\n"]
    if texts:
        sys.stdout.write("---\n".join(texts))
    return status


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govinfo",
        description="Government information disclosure annual reports (政府信息公开工作年度报告).",
    )
    parser.add_argument("--version", action="version", version=f"govinfo {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check parameter files against every rule (勾稽关系)")
    p.add_argument("paths", nargs="+", help="parameter files or folders (searched recursively)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("new", help="write a blank parameter file for one agency and year")
    p.add_argument("--agency", required=True, help="the agency's published name")
    p.add_argument("--id", required=True, help="ASCII slug used in file names, e.g. zezhou-xzsp")
    p.add_argument("--year", required=True, type=int, help="the reporting year")
    p.add_argument("--region", help="e.g. 山西省晋城市泽州县")
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("import", help="read published reports (HTML/text) into parameter files")
    p.add_argument("files", nargs="+", metavar="FILE", help="a published report: HTML or text")
    p.add_argument("-o", "--output", help="output file, or a folder for several (default: stdout)")
    p.add_argument("--format", choices=("yaml", "json"), help="default: yaml; json for *.json")
    p.add_argument("--id", help="agency_id to write (default: from the file name)")
    p.add_argument("--force", action="store_true", help="replace existing output files")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "render", help="publish reports: papermill + nbconvert → OUTDIR/<year>/<id>.html"
    )
    p.add_argument("params", nargs="+", help="parameter files or folders")
    p.add_argument("-o", "--output", required=True, help="output folder (the site)")
    p.add_argument(
        "--allow-invalid", action="store_true", help="publish despite errors, stamped as a draft"
    )
    p.add_argument("--timeout", type=float, default=600, help="seconds per notebook cell")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser(
        "batch",
        help="publish every agency found: reports, index, region summaries (incremental)",
        description="Render every parameter file found under PATH (in parallel, each in its "
        "own kernel) into OUTDIR/<year>/<agency_id>.html|.ipynb, with OUTDIR/index.html, "
        "OUTDIR/<year>/summary.html and OUTDIR/manifest.json. Only what changed since the "
        "last run is rendered again. Exit 0 when every agency was published, 1 otherwise.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="parameter files or folders")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="the site folder")
    p.add_argument("-j", "--jobs", type=int, help="parallel renders (default: number of cores)")
    p.add_argument("--timeout", type=float, default=600, help="seconds per notebook cell")
    p.add_argument("--force", action="store_true", help="render everything again")
    p.add_argument(
        "--allow-invalid", action="store_true", help="publish invalid reports as stamped drafts"
    )
    p.add_argument("--template", help="report template notebook (default: annual_report.ipynb)")
    p.add_argument("--executor", choices=("process", "dask"), default="process")
    p.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler, e.g. tcp://host:8786")
    p.add_argument(
        "--kernels",
        choices=("fork", "plain"),
        default="fork",
        help="fork: each kernel forked from a preloaded server (fast, default); "
        "plain: the usual kernel launch",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        help="progress bar on standard error (default: when it is a terminal)",
    )
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser(
        "install-template",
        help="install the nbconvert template for `jupyter nbconvert --template govinfo`",
    )
    p.add_argument("--prefix", help="Jupyter data prefix (default: this Python's sys.prefix)")
    p.set_defaults(func=cmd_install_template)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # a full disk, a folder not writable: one line, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
