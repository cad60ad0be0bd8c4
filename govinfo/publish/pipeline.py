"""One parameter file in, one published report out: validate → papermill → nbconvert → write.

Reads top to bottom like papermill's ``execute_notebook``::

    report = load(path)            # ParameterError when unreadable
    findings = check(report)       # InvalidReport when an error rule fails (unless allowed)
    nb = execute(template, parameters_of(path))   # papermill, a fresh kernel
    html = export_html(nb)         # nbconvert with the govinfo template
    documents = produce(formats)   # Word, PDF … (govinfo.publish.formats), in memory
    write all atomically           # OUTDIR/<year>/<agency_id>.ipynb, .html, .docx, .pdf

The kernel side is injectable: ``engine_kwargs`` go to papermill's engine (for example
``kernel_manager_class`` or ``km``), so the batch can plug in faster kernel launchers while
every agency still runs through papermill in a kernel of its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .. import layout as L
from ..files import atomic_write, output_path, scratch_file
from ..findings import Finding
from ..model import Report
from ..params import load
from ..rules import check
from .export import PACKAGE_DIR, TEMPLATE_DIR, TEMPLATE_NAME, export_html
from .formats import FORMATS, HTML, FormatFailed, extra_formats, produce_all

# Inside the package, so that a wheel (and every Dask worker installed from one) carries it;
# the repository's notebooks/annual_report.ipynb is a symlink to this file.
NOTEBOOK_DIR = PACKAGE_DIR / "notebooks"
DEFAULT_NOTEBOOK = NOTEBOOK_DIR / "annual_report.ipynb"


class RenderError(Exception):
    """The notebook could not be executed or converted; the message is for the user."""


class InvalidReport(RenderError):
    """An error rule failed and publishing invalid reports was not allowed."""

    def __init__(self, path: Path, findings: list[Finding]) -> None:
        self.path = path
        self.findings = findings
        errors = sum(f.is_error for f in findings)
        super().__init__(
            f"{path}: {errors} error(s); not published (use --allow-invalid to publish a "
            "stamped draft)"
        )


@dataclass(frozen=True)
class RenderResult:
    report: Report
    findings: list[Finding]
    html: Path
    notebook: Path
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    documents: dict[str, Path] = field(default_factory=dict)  # format name → file (docx, pdf)


def template_notebook(template: str | Path | None = None) -> Path:
    """The papermill template: the given path, else the package's ``annual_report.ipynb``."""
    path = Path(template) if template else DEFAULT_NOTEBOOK
    if not path.is_file():
        raise RenderError(f"template notebook not found: {path}")
    return path


@cache
def _papermill_yaml_loader() -> Any:
    """The loader of papermill's ``read_yaml_file`` (safe, dates left as strings), on
    libyaml when PyYAML has it: 5× faster than papermill's pure-Python parser."""
    import yaml
    from papermill.iorw import NoDatesSafeLoader

    base = getattr(yaml, "CSafeLoader", None)
    if base is None:
        return NoDatesSafeLoader
    resolvers = NoDatesSafeLoader.yaml_implicit_resolvers
    return type("NoDatesCSafeLoader", (base,), {"yaml_implicit_resolvers": resolvers})


def parameters_of(path: Path) -> dict[str, Any]:
    """The parameters exactly as ``papermill -f path`` would read them, plus ``source_file``
    so that a relative ``previous`` resolves against the parameter file's folder.

    Only the report's own top-level keys are passed: papermill writes each key into the
    parameters cell as a Python name, unescaped, so an unknown key such as
    ``'x = open("/etc/x", "w") #'`` (an UNKNOWN-KEY error, but published anyway with
    --allow-invalid) would run as code in the kernel. Values are always escaped."""
    if path.suffix.lower() == ".json":
        data = json.loads(path.read_text("utf-8-sig"))
    else:
        import yaml

        data = yaml.load(path.read_text("utf-8"), Loader=_papermill_yaml_loader())
    data = {key: value for key, value in data.items() if key in L.TOP_LEVEL_KEYS}
    data["source_file"] = str(path.resolve())
    return data


def execute(
    notebook: Path,
    parameters: dict[str, Any],
    output: Path,
    *,
    timeout: float | None = None,
    kernel_name: str = "python3",
    engine_name: str | None = None,
    kernels: Any = None,
    **engine_kwargs: Any,
) -> Any:
    """Run the template with papermill in a fresh kernel; the executed notebook goes to
    ``output`` (also when a cell fails, with papermill's error markers).

    ``kernels`` (a :class:`govinfo.publish.kernels.KernelsAhead`) supplies a kernel already started
    for this run, passed to papermill as ``km``; without it papermill starts its own."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .kernels import IpcKernelManager

    engine_kwargs.setdefault("kernel_manager_class", IpcKernelManager)
    _quiet_papermill_log()
    try:
        with kernels.kernel(notebook.parent) if kernels else contextlib.nullcontext() as km:
            if km is not None:
                engine_kwargs["km"] = km
            return papermill.execute_notebook(
                str(notebook),
                str(output),
                parameters=parameters,
                kernel_name=kernel_name,
                engine_name=engine_name,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                execution_timeout=timeout,
                cwd=str(notebook.parent),
                **engine_kwargs,
            )
    except PapermillExecutionError as exc:
        first = (exc.source or "").strip().splitlines()
        where = f"cell {exc.cell_index}" + (f" ({first[0][:60]})" if first else "")
        raise RenderError(f"notebook failed in {where}: {exc.ename}: {exc.evalue}") from None
    except Exception as exc:  # kernel died, timed out, could not start …
        name = type(exc).__name__
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise RenderError(f"notebook execution failed: {name}: {message}") from None


@cache
def _quiet_papermill_log() -> None:
    """papermill hands nbclient its logger, which logs a cell timeout as an error; with no
    logging configured, Python would print it beside our one-line RenderError. A
    NullHandler keeps it off the terminal; an application that configures logging sees it."""
    import logging

    logging.getLogger("papermill").addHandler(logging.NullHandler())


def install_template(prefix: str | Path | None = None) -> Path:
    """Copy the ``govinfo`` nbconvert template into ``<prefix>/share/jupyter/nbconvert/
    templates`` (default: this Python's prefix) so plain ``jupyter nbconvert --template
    govinfo`` finds it. Wheels install it there already; editable installs need this."""
    import sys

    target = Path(prefix or sys.prefix) / "share/jupyter/nbconvert/templates" / TEMPLATE_NAME
    target.mkdir(parents=True, exist_ok=True)
    for source in (TEMPLATE_DIR / TEMPLATE_NAME).iterdir():
        if source.is_file():
            atomic_write(target / source.name, source.read_bytes())
    return target


def publish(
    notebook: Path,
    parameters: dict[str, Any],
    html_path: Path,
    *,
    label: str,
    timeout: float | None = None,
    documents: Callable[[str], dict[Path, bytes]] | None = None,
    **engine_kwargs: Any,
) -> Path:
    """Execute ``notebook`` and write ``html_path`` and the executed ``.ipynb`` beside it.

    Shared by reports and summaries. Nothing is written over a good page unless the whole
    run succeeded: the executed notebook of a failed run is kept as ``*.failed.ipynb`` for
    diagnosis, and the error (prefixed with ``label``) names the cell. ``documents`` turns
    the finished page into the other files to write beside it (Word, PDF); they are all
    made in memory before the first file is written, so one that fails writes nothing."""
    notebook_path = html_path.with_suffix(".ipynb")
    failed = html_path.with_suffix(".failed.ipynb")
    html_path.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = scratch_file(html_path.parent, html_path.stem, ".ipynb")
    os.close(fd)
    scratch_path = Path(scratch)
    try:
        try:
            nb = execute(notebook, parameters, scratch_path, timeout=timeout, **engine_kwargs)
        except RenderError as exc:
            raise RenderError(f"{label}: {exc}{keep_failed(scratch_path, failed)}") from None
        html = export_html(nb)
        for path, data in (documents(html) if documents else {}).items():
            atomic_write(path, data)
        atomic_write(html_path, html)
        scratch_path.chmod(0o644)
        os.replace(scratch_path, notebook_path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            scratch_path.unlink()
    with contextlib.suppress(FileNotFoundError):
        failed.unlink()
    return notebook_path


def keep_failed(scratch: Path, failed: Path) -> str:
    """Keep the executed notebook of a failed run as ``failed``, whole or not at all, and
    say which for the error line (empty when papermill wrote nothing).

    papermill writes its output in place, so on a full disk ``scratch`` holds a truncated
    notebook: such a file is never kept under a name that promises a notebook. A whole one
    is copied with :func:`atomic_write`, so a disk that fills now leaves no half file either.
    An older ``failed`` goes in every case: it describes an earlier run, not this failure."""
    with contextlib.suppress(FileNotFoundError):
        failed.unlink()
    data = scratch.read_bytes()
    if not data:
        return ""
    try:
        whole = isinstance(json.loads(data), dict)
    except ValueError:  # truncated: papermill's write ran out of space (or was cut short)
        whole = False
    if not whole:
        return f" (executed notebook not kept: {failed} could not be written whole)"
    try:
        atomic_write(failed, data)
    except OSError as exc:
        return f" (executed notebook not kept: cannot write {failed}: {exc.strerror or exc})"
    return f" (executed notebook: {failed})"


def render(
    path: str | Path,
    outdir: str | Path,
    *,
    allow_invalid: bool = False,
    template: str | Path | None = None,
    timeout: float | None = None,
    formats: Sequence[str] = (HTML,),
    **engine_kwargs: Any,
) -> RenderResult:
    """Validate, execute and convert one parameter file; write ``.ipynb`` and ``.html``, and
    each other format asked for (``docx``, ``pdf``: :mod:`govinfo.publish.formats`).

    Nothing is written over a good report unless the whole run succeeded: the executed
    notebook of a failed run is kept as ``<agency_id>.failed.ipynb`` for diagnosis. A format
    not asked for this time is removed if an earlier run left it: it would describe old data.
    """
    started = time.perf_counter()
    path = Path(path)
    report = load(path)
    findings = check(report)
    if any(f.is_error for f in findings) and not allow_invalid:
        raise InvalidReport(path, findings)
    try:
        html_path = output_path(Path(outdir), report.year, report.agency_id, ".html")
    except ValueError as exc:  # reached only with --allow-invalid (rules AGENCY-ID, YEAR)
        raise RenderError(f"{path}: not published: {exc}") from None
    parameters = parameters_of(path)
    wanted = extra_formats(formats)
    targets = {fmt.name: html_path.with_suffix(fmt.suffix) for fmt in wanted}

    def documents(html: str) -> dict[Path, bytes]:
        try:
            made = produce_all(wanted, report, findings, html)
        except FormatFailed as exc:
            raise RenderError(f"{path}: {exc.format} not written: {exc}") from None
        return {targets[name]: data for name, data in made.items()}

    try:
        notebook_path = publish(
            template_notebook(template),
            parameters,
            html_path,
            label=str(path),
            timeout=timeout,
            documents=documents,
            **engine_kwargs,
        )
        for fmt in FORMATS.values():
            if fmt.name not in targets:
                with contextlib.suppress(FileNotFoundError):
                    html_path.with_suffix(fmt.suffix).unlink()
    except OSError as exc:  # a full disk, a folder not writable: the last good page stays
        target = exc.filename or html_path.parent
        raise RenderError(f"{path}: cannot write {target}: {exc.strerror or exc}") from None
    seconds = time.perf_counter() - started
    return RenderResult(report, findings, html_path, notebook_path, seconds, documents=targets)
