"""The ``govinfo`` command line.

Subcommands stay thin: they parse arguments, call the library and turn its results into
exit codes. Heavy libraries (pandas, matplotlib, papermill) are imported only inside the
commands that render, so ``govinfo validate`` and an up-to-date ``govinfo batch`` start fast.

Exit codes: 0 success; 1 a rule failed (or a render failed); 2 an input could not be read.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .findings import Finding, ParameterError
from .params.collect import check_all, find_parameter_files, load_all
from .publish.charts import FontError
from .terminal import safe, safe_json

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2


def cmd_validate(args: argparse.Namespace) -> int:
    files = find_parameter_files(args.paths)
    if not files:
        print(safe(f"error: no parameter files found in {' '.join(args.paths)}"), file=sys.stderr)
        return EXIT_UNREADABLE
    reports, problems = load_all(files)
    results = check_all(reports)
    if args.pack:  # the audit's checks too, with the rule pack's severities (govinfo/audit/)
        from .audit import load_pack
        from .audit.validate import audit_findings

        for path, extra in audit_findings(reports, load_pack(args.pack)).items():
            results[path].extend(extra)
    any_error = any(f.is_error for fs in results.values() for f in fs)
    any_warning = any(not f.is_error for fs in results.values() for f in fs)
    if args.format == "json":
        out: list[dict[str, Any]] = [{"file": str(p), "error": str(e)} for p, e in problems.items()]
        for path, findings in results.items():
            out.append(
                {
                    "file": str(path),
                    "errors": sum(f.is_error for f in findings),
                    "warnings": sum(not f.is_error for f in findings),
                    "findings": [f.to_dict() for f in findings],
                }
            )
        print(safe_json(json.dumps(out, ensure_ascii=False, indent=2)))
    else:
        for exc in problems.values():
            print(safe(f"error: {exc}"), file=sys.stderr)
        for path, findings in results.items():
            errors = sum(f.is_error for f in findings)
            print(safe(f"{path}: {errors} error(s), {len(findings) - errors} warning(s)"))
            print_findings(findings)
    if problems:
        return EXIT_UNREADABLE
    if any_error or (args.strict and any_warning):
        return EXIT_FINDINGS
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    """A complete skeleton (:func:`govinfo.params.new.new_report`, as the editor's 新建);
    with ``--from``, started from last year's file."""
    from .params import dumps_yaml
    from .params.new import NewReportError, new_report, save_new

    target = Path(args.output) if args.output else None
    fields = {
        key: value
        for key, value in (("agency", args.agency), ("agency_id", args.id), ("year", args.year))
        if value is not None
    }
    if args.region is not None:
        fields["region"] = args.region
    if args.region_code is not None:
        fields["region_code"] = args.region_code
    missing = [
        flag
        for flag, key in (("--agency", "agency"), ("--id", "agency_id"), ("--year", "year"))
        if key not in fields
    ]
    if missing and not args.last_year:
        line = f"error: {', '.join(missing)} required (or --from LAST_YEAR.yaml)"
        print(line, file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        base = target.parent if target else Path.cwd()
        report = new_report(fields, last_year=args.last_year, base=base)  # unreadable: exit 2
        if target is None:
            sys.stdout.write(dumps_yaml(report, labels=True))
            return EXIT_OK
        save_new(report, target, force=args.force)
    except NewReportError as exc:
        print(safe(f"error: {exc}"), file=sys.stderr)
        return EXIT_UNREADABLE
    print(safe(f"wrote {target}"))
    return EXIT_OK


def print_findings(findings: Sequence[Finding]) -> None:
    for finding in sorted(findings, key=lambda f: not f.is_error):
        print(safe(f"  {finding}"))


def cmd_render(args: argparse.Namespace) -> int:
    """Publish each file into OUTDIR under the site lock; a batch's site also records each
    page in its manifest (govinfo.batch.record.render_recorded), so the next batch sees it."""
    from .files import SiteBusy, site_lock
    from .publish.charts import check_font
    from .publish.ipc import private_folder

    check_font()  # once, before any kernel: else every page would fail on its own
    private_folder()  # refuses a kernel folder that is not private (one line, exit 2)
    files = find_parameter_files(args.params)
    status = EXIT_OK
    try:
        with site_lock(Path(args.output)):
            for path in files:
                status = max(status, _render_one(path, args))
    except SiteBusy as exc:  # a batch or another render is writing this site
        print(safe(f"error: {exc}"), file=sys.stderr)
        return EXIT_UNREADABLE
    return status


def _render_one(path: Path, args: argparse.Namespace) -> int:
    from .batch.record import render_recorded
    from .publish.pipeline import InvalidReport, RenderError

    try:
        result = render_recorded(
            path,
            args.output,
            allow_invalid=args.allow_invalid,
            timeout=args.timeout,
            formats=args.to,
        )
    except ParameterError as exc:
        print(safe(f"error: {exc}"), file=sys.stderr)
        return EXIT_UNREADABLE
    except InvalidReport as exc:
        print(safe(f"error: {exc}"), file=sys.stderr)
        print_findings(exc.findings)
        return EXIT_FINDINGS
    except RenderError as exc:
        print(safe(f"error: {exc}"), file=sys.stderr)
        return EXIT_FINDINGS
    errors = sum(f.is_error for f in result.findings)
    note = f" (STAMPED: {errors} error(s))" if errors else ""
    print(safe(f"published {result.html}{note}  [{result.seconds:.1f} s]"))
    for name, document in result.documents.items():
        print(safe(f"  {name}: {document}"))
    print(safe(f"  executed notebook: {result.notebook}"))
    return EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch.executors import executor_kind
    from .batch.options import BatchError, Options, summary_table
    from .batch.runner import run_batch
    from .publish.charts import check_font

    if executor_kind(args.executor).local:  # (Dask workers have fonts of their own)
        check_font()  # once, before any worker or kernel: else every page would fail alone
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
        formats=args.formats,
    )
    pack = None
    if args.pack:
        from .audit import PackError, load_pack

        try:
            pack = load_pack(args.pack)
        except PackError as exc:
            print(safe(f"error: {exc}"), file=sys.stderr)
            return EXIT_UNREADABLE
    try:
        result = run_batch(args.paths, options)
    except BatchError as exc:
        print(safe(f"error: {exc}"), file=sys.stderr)
        return EXIT_UNREADABLE
    print(summary_table(result))
    if pack is not None:
        _audit_site(args.paths, pack, options.outdir)
    return result.exit_code


def _audit_site(paths: Sequence[str], pack: Any, outdir: Path) -> None:
    """``batch --pack``: the 年报体检 of the batch's files into OUTDIR/audit/ (as ``govinfo
    audit``), then the internal page again, now with each agency's score and 问题清单."""
    import json

    from .audit import audit_paths
    from .audit.output import write_audit
    from .publish.internal import AUDIT_FOLDER, write_internal

    run = audit_paths(paths, pack)
    write_audit(run, outdir / AUDIT_FOLDER)
    manifest = json.loads((outdir / "manifest.json").read_text("utf-8"))
    write_internal(outdir, manifest)
    problems = sum(p.severity != "info" for r in run.results for p in r.problems)
    print(
        f"年报体检 ({pack.name}): {len(run.results)} report(s), {problems} problem(s) → "
        f"{outdir / AUDIT_FOLDER / 'index.html'}"
    )


def cmd_install_template(args: argparse.Namespace) -> int:
    from .publish.pipeline import install_template

    print(f"installed nbconvert template: {install_template(args.prefix)}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """Read published reports (HTML, text, Markdown, PDF, Word) or filled collection
    workbooks (xlsx), files or folders, into parameter files, ``unread`` for gaps.

    Exit 0 when every table cell was read (and a workbook has no error), 1 when some were not
    (they are ``unread`` and listed), 2 when a file could not be read at all. Several files of
    one report (same agency_id and year) are not an error: the most complete is written.
    """
    import time

    from .files import atomic_write, is_safe_id, output_path
    from .importer import explain, many

    started = time.perf_counter()
    names, empty = many.inputs(args.files)
    status = EXIT_OK
    for folder in empty:
        line = f"error: {folder}: no reports found in the folder ({' '.join(many.SUFFIXES)})"
        print(safe(line), file=sys.stderr)
        status = EXIT_UNREADABLE
    if args.id and len(names) > 1:
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
        len(names) > 1
        or any(Path(p).is_dir() for p in args.files)
        or out.is_dir()
        or str(args.output).endswith(("/", "\\"))
    )
    bar = many.progress_bar(len(names), args.progress) if len(names) > 1 else None
    try:
        outcomes = many.read_all(
            names, args.id, args.jobs, (lambda _: bar.update(1)) if bar else None, form
        )
    finally:
        if bar is not None:
            bar.close()
    for outcome in outcomes:
        if outcome.error is not None:
            print(safe(f"error: {outcome.error}"), file=sys.stderr)
            status = EXIT_UNREADABLE
    # several files of one report: the most complete; then several years of one agency:
    # digit runs one year leaves ambiguous, decided by the next
    from .importer.years import resolve_years

    kept, duplicates = many.resolve([o for o in outcomes if o.result is not None])
    duplicate_of = {id(d.chosen): d for d in duplicates}
    results = resolve_years([o.result for o in kept])
    texts: list[str] = []
    explained = []
    for outcome, result in zip(kept, results, strict=True):
        name = outcome.name
        summary = result.summary(verbose=True) if args.verbose else result.summary()
        print(safe(summary, lines=True), file=sys.stderr)
        if args.explain:
            print(safe(explain.lines([result]), lines=True), file=sys.stderr, end="")
        if id(outcome) in duplicate_of:
            print(safe(f"  {duplicate_of[id(outcome)].line()}"), file=sys.stderr)
        if not result.complete:
            status = max(status, EXIT_FINDINGS)
        explained.append(result)
        # written by the worker, unless another year changed the result since
        text = outcome.text if result is outcome.result and outcome.text else None
        text = text or many.render(result, form)
        if out is None:
            texts.append(text)
            continue
        target = out
        if into_folder:
            year, ident = result.mapping.get("year"), result.mapping["agency_id"]
            if not isinstance(year, int):
                line = f"error: {name}: no year found, cannot name the output"
                print(safe(line), file=sys.stderr)
                status = EXIT_UNREADABLE
                continue
            try:  # refuses a year folder that is a link leading outside OUT
                target = output_path(out, year, ident, f".{form}")
            except (ValueError, OSError, RuntimeError) as exc:
                print(safe(f"error: {name}: {exc}"), file=sys.stderr)
                status = EXIT_UNREADABLE
                continue
        status = max(status, _write_new(target, text, args.force, atomic_write))
    if args.explain_csv:
        target = Path(args.explain_csv)
        status = max(
            status, _write_new(target, explain.csv_bytes(explained), args.force, atomic_write)
        )
    if form == "json" and len(texts) > 1:
        texts = ["[\n" + ",\n".join(t.rstrip("\n") for t in texts) + "\n]\n"]
    if texts:
        sys.stdout.write("---\n".join(texts))
    if len(names) > 1 and (args.jobs > 1 or any(Path(p).is_dir() for p in args.files)):
        print(  # a run over a folder, or in parallel: one line totalling it
            safe(_import_total(outcomes, kept, duplicates, time.perf_counter() - started)),
            file=sys.stderr,
        )
    return status


def _write_new(target: Path, data: str | bytes, force: bool, atomic_write: Any) -> int:
    """Write ``target`` unless it exists from before (then --force); the exit status."""
    if target.exists() and not force:
        print(safe(f"error: {target} exists; use --force to replace it"), file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        atomic_write(target, data)
    except OSError as exc:
        print(safe(f"error: {target}: cannot write: {exc.strerror or exc}"), file=sys.stderr)
        return EXIT_UNREADABLE
    print(safe(f"wrote {target}"), file=sys.stderr)
    return EXIT_OK


def _import_total(outcomes: Any, kept: Any, duplicates: Any, seconds: float) -> str:
    """The closing line of a run over several files."""
    failed = sum(1 for o in outcomes if o.error is not None)
    complete = sum(1 for o in kept if o.result.complete)
    dropped = sum(len(d.others) for d in duplicates)
    rate = len(outcomes) / seconds if seconds > 0 else 0.0
    return (
        f"imported {len(outcomes)} files in {seconds:.1f} s ({rate:.1f} files/s): "
        f"{complete} complete, {len(kept) - complete} with cells not read, {failed} not "
        f"readable, {dropped} duplicate(s) not written"
    )


def cmd_workbook(args: argparse.Namespace) -> int:
    """Collection workbooks (:mod:`govinfo.sheets.workbook`): one per parameter file given,
    and with ``--from`` one per last year's file, for the next year, carried over."""
    from .files import atomic_write, output_path
    from .params import load
    from .params.new import NewReportError, new_report
    from .sheets.workbook import write_workbook
    from .sheets.xlsx import UnsafeText

    made: list[tuple[Any, Any]] = []  # (report, previous report or None)
    try:
        for path in find_parameter_files(args.paths) if args.paths else []:
            made.append((load(path), None))
        for path in find_parameter_files(args.last_year) if args.last_year else []:
            previous = load(path)
            made.append((new_report({}, last_year=path, base=path.parent), previous))
    except (ParameterError, NewReportError) as exc:
        print(safe(f"error: {exc}"), file=sys.stderr)
        return EXIT_UNREADABLE
    if not made:
        print("error: no parameter file given (PATHS or --from)", file=sys.stderr)
        return EXIT_UNREADABLE
    out = Path(args.output)
    single = len(made) == 1 and out.suffix.lower() == ".xlsx"
    status = EXIT_OK
    for report, previous in made:
        try:
            target = out if single else output_path(out, report.year, report.agency_id, ".xlsx")
            if target.exists() and not args.force:
                raise ValueError(f"{target} exists; use --force to replace it")
            atomic_write(target, write_workbook(report, previous=previous))
        except UnsafeText as exc:
            print(safe(f"error: {report.agency_id}: {exc}"), file=sys.stderr)
            status = EXIT_UNREADABLE
            continue
        except (ValueError, OSError) as exc:
            print(safe(f"error: {report.agency_id}: {exc}"), file=sys.stderr)
            status = EXIT_UNREADABLE
            continue
        print(safe(f"wrote {target}"))
    return status


def cmd_export(args: argparse.Namespace) -> int:
    """Every agency's numbers as one workbook (with region sums and findings) or as tidy
    CSV/Parquet (:mod:`govinfo.sheets.export`)."""
    from .sheets.export import export_paths

    try:
        done = export_paths(args.paths, args.to, args.output)
    except ParameterError as exc:
        print(safe(f"error: {exc}"), file=sys.stderr)
        return EXIT_UNREADABLE
    except OSError as exc:
        print(safe(f"error: {args.output}: cannot write: {exc.strerror or exc}"), file=sys.stderr)
        return EXIT_UNREADABLE
    for name, problem in done.unreadable.items():
        print(safe(f"warning: {name}: left out: {problem}"), file=sys.stderr)
    print(
        safe(
            f"wrote {done.path}: {done.reports} report(s), {done.summed} summed into their "
            f"region (valid agency reports only), {len(done.unreadable)} unreadable"
        )
    )
    return EXIT_FINDINGS if done.unreadable else EXIT_OK


def seconds(text: str) -> float:
    """``--timeout``: a finite number of seconds above zero. nan and inf would switch the
    timeout off silently, 0 and below would fail every page."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, not {text!r}")
    return value


def jobs(text: str) -> int:
    """``-j``: at least one parallel render."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def formats(text: str) -> tuple[str, ...]:
    """``--to`` / ``--formats``: html,docx,pdf (the page is always written)."""
    from .publish.formats import UnknownFormat, parse_formats

    try:
        return parse_formats(text)
    except UnknownFormat as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


FORMATS_HELP = (
    "formats to write beside each page, comma-separated: html (always), docx (Word), pdf "
    "(printed by Chromium); default: html"
)

TRUST_NOTE = (
    "A template is a notebook govinfo executes: its code runs with your rights, so use only "
    "a template you trust."
)


def build_parser() -> argparse.ArgumentParser:
    from .batch.executors import executor_names

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
    p.add_argument(
        "--pack",
        metavar="NAME|FILE",
        help="also run govinfo audit's checks (text vs tables, repetition, elements, deadlines) "
        "with this rule pack's severities, e.g. national",
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "new",
        help="write a blank parameter file for one agency and year",
        description="Write a complete skeleton: every cell present and null (not filled in, "
        "an error until filled: 0 where none), every narrative part a placeholder. With "
        "--from, start from last year's file: previous set, the applications carried over = "
        "last year's carried forward, the documents in force carried, agency/id/region/"
        "region code/kind/scope/contact copied, last year's narrative kept as a starting "
        "text with a marker (an error until rewritten).",
    )
    p.add_argument(
        "--agency", help="the agency's published name (default with --from: last year's)"
    )
    p.add_argument("--id", help="ASCII slug used in file names, e.g. zezhou-xzsp")
    p.add_argument("--year", type=int, help="the reporting year (default with --from: the next)")
    p.add_argument(
        "--from", dest="last_year", metavar="LAST_YEAR.yaml", help="start from last year's file"
    )
    p.add_argument("--region", help="e.g. 山西省晋城市泽州县")
    p.add_argument(
        "--region-code",
        metavar="CODE",
        help="6-digit GB/T 2260 division code, e.g. 320813 (the region sums follow it up: "
        "320800, 320000); default with --from: last year's; '' for none",
    )
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser(
        "import",
        help="read published reports (HTML/text) or filled workbooks (xlsx) into parameter files",
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="a published report (HTML, text, Markdown, PDF, Word) or a filled workbook (xlsx), "
        "or a folder of them (walked for .html .htm .txt .md .pdf .docx .xlsx)",
    )
    p.add_argument("-o", "--output", help="output file, or a folder for several (default: stdout)")
    p.add_argument("--format", choices=("yaml", "json"), help="default: yaml; json for *.json")
    p.add_argument("--id", help="agency_id to write (default: from the file name)")
    p.add_argument("--force", action="store_true", help="replace existing output files")
    p.add_argument("-j", "--jobs", type=jobs, default=1, help="files read in parallel (default 1)")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        help="progress bar on standard error (default: when it is a terminal)",
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help="every table cell, its value and where it was read, on standard error",
    )
    p.add_argument(
        "--explain-csv", metavar="FILE", help="the same as CSV: one row per cell of every file"
    )
    p.add_argument(
        "-v", "--verbose", action="store_true", help="every finding in the summary, one a line"
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "workbook",
        help="collection workbooks (xlsx) for departments to fill in",
        description="Write the collection workbook (Excel/WPS, no macros) of each parameter "
        "file: the three official tables with protected labels, validated inputs, totals as "
        "formulas and a 校验 area that shows each failing 勾稽关系. With --from LAST (files or "
        "folders of last year), one workbook per agency for the next year, the applications "
        "carried over and the documents in force filled in. Read filled workbooks back with "
        "`govinfo import x.xlsx`.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="parameter files or folders")
    p.add_argument("--from", dest="last_year", nargs="+", metavar="LAST", help="last year's files")
    p.add_argument("-o", "--output", required=True, help="x.xlsx for one workbook, else a folder")
    p.add_argument("--force", action="store_true", help="replace existing workbooks")
    p.set_defaults(func=cmd_workbook)

    p = sub.add_parser(
        "export",
        help="every agency's numbers: xlsx (with region sums, findings), csv or parquet (tidy)",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="parameter files or folders")
    p.add_argument("--to", choices=("xlsx", "csv", "parquet"), default="xlsx")
    p.add_argument("-o", "--output", required=True, help="the file to write")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "render", help="publish reports: papermill + nbconvert → OUTDIR/<year>/<id>.html"
    )
    p.add_argument("params", nargs="+", help="parameter files or folders")
    p.add_argument("-o", "--output", required=True, help="output folder (the site)")
    p.add_argument(
        "--allow-invalid", action="store_true", help="publish despite errors, stamped as a draft"
    )
    p.add_argument("--timeout", type=seconds, default=600, help="seconds per notebook cell")
    p.add_argument("--to", type=formats, default=("html",), metavar="FORMATS", help=FORMATS_HELP)
    p.set_defaults(func=cmd_render)

    p = sub.add_parser(
        "batch",
        help="publish every agency found: reports, index, region summaries (incremental)",
        description="Render every parameter file found under PATH (in parallel, each in its "
        "own kernel) into OUTDIR/<year>/<agency_id>.html|.ipynb, with OUTDIR/index.html, "
        "OUTDIR/<year>/summary.html and OUTDIR/manifest.json. Only what changed since the "
        "last run is rendered again (or whose page no longer matches its recorded hash); "
        "the site's other agencies are kept. One batch or render at a time per OUTDIR: "
        "another is refused (exit 2). Exit 0 when every agency was published, 1 otherwise. "
        + TRUST_NOTE,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="parameter files or folders")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="the site folder")
    p.add_argument("-j", "--jobs", type=jobs, help="parallel renders (default: number of cores)")
    p.add_argument("--timeout", type=seconds, default=600, help="seconds per notebook cell")
    p.add_argument("--force", action="store_true", help="render everything again")
    p.add_argument("--formats", type=formats, default=("html",), help=FORMATS_HELP)
    p.add_argument(
        "--pack",
        metavar="NAME|FILE",
        help="also audit every file with this rule pack (govinfo audit) into OUTDIR/audit/; "
        "the internal page then shows each agency's predicted score and links its 问题清单",
    )
    p.add_argument(
        "--allow-invalid", action="store_true", help="publish invalid reports as stamped drafts"
    )
    p.add_argument(
        "--template",
        help="report template notebook (default: annual_report.ipynb); it runs as code with "
        "your rights: use only a template you trust",
    )
    p.add_argument(
        "--executor",
        choices=executor_names(),
        default="process",
        help="where pages render: the registered executors (govinfo.batch.executors)",
    )
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

    from .audit.command import add_parser as add_audit  # govinfo audit (govinfo/audit/)

    add_audit(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ParameterError as exc:
        print(safe(f"error: {exc}"), file=sys.stderr)
        return EXIT_UNREADABLE
    except FontError as exc:  # GOVINFO_CJK_FONT names no font, or no CJK font is installed
        print(safe(f"error: {exc}"), file=sys.stderr)
        return EXIT_UNREADABLE
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # a full disk, a folder not writable: one line, not a traceback
        print(safe(f"error: {exc}"), file=sys.stderr)
        return EXIT_UNREADABLE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
