"""Shared fixtures: the seed report and modified copies of it, written under tmp_path; and
the session's expensive ones — the rendered site, the county batch, a started browser.

Most rule tests start from the published seed (every cell zero) or from ``busy`` (a
balanced ledger with non-zero cells, so a broken identity shows two different sums), change
one thing, write the file and load it through :func:`govinfo.params.load` like a user would.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from govinfo.findings import Finding
from govinfo.model import Report
from govinfo.params import load, read_mapping

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "parameters" / "2021" / "zezhou-xzsp.yaml"

# A balanced 表三 (every identity holds) with non-zero numbers in several columns:
#             自然人 商业 科研 公益 法律 其他 总计
BUSY_ROWS: dict[str, list[int]] = {
    "new": [5, 2, 0, 0, 1, 0, 8],
    "carried_over": [1, 0, 0, 0, 0, 0, 1],
    "granted": [3, 1, 0, 0, 0, 0, 4],
    "partially_granted": [1, 0, 0, 0, 0, 0, 1],
    "unable_not_held": [1, 0, 0, 0, 1, 0, 2],
    "other_other": [0, 1, 0, 0, 0, 0, 1],
    "total": [5, 2, 0, 0, 1, 0, 8],
    "carried_forward": [1, 0, 0, 0, 0, 0, 1],
}

Data = dict[str, Any]
Edit = Callable[[Data], object]


class _Dumper(yaml.SafeDumper):
    """Writes raw mappings as read by read_mapping (fees come back as Decimal)."""


_Dumper.add_representer(
    Decimal,
    lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:float", format(value, "f")),
)


def write_yaml(path: Path, data: Data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def rule_findings(report: Report, rule: str) -> list[Finding]:
    """The findings of one rule, after every check has run."""
    from govinfo.rules import check

    return [f for f in check(report) if f.rule == rule]


@cache
def _seed_mapping() -> Data:
    return read_mapping(SEED)  # parsing YAML is the slow part: once per session


@pytest.fixture
def seed_data() -> Data:
    """A fresh raw mapping of the seed, safe to change."""
    return copy.deepcopy(_seed_mapping())


@pytest.fixture
def busy_data(seed_data: Data) -> Data:
    """A copy of the seed with a non-zero, balanced 表三 (``seed_data`` stays the seed)."""
    data = copy.deepcopy(seed_data)
    data["applications"]["rows"].update(copy.deepcopy(BUSY_ROWS))
    return data


@pytest.fixture
def write_copy(tmp_path: Path) -> Callable[..., Path]:
    """``write_copy(data, edit=None, name="report.yaml")``: apply ``edit`` to a copy, write it."""

    def write(data: Data, edit: Edit | None = None, name: str = "report.yaml") -> Path:
        data = copy.deepcopy(data)
        if edit is not None:
            edit(data)
        return write_yaml(tmp_path / name, data)

    return write


@pytest.fixture
def load_copy(write_copy: Callable[..., Path]) -> Callable[..., Report]:
    """``load_copy(data, edit=None, name=...)``: write a changed copy and load it back."""

    def load_it(data: Data, edit: Edit | None = None, name: str = "report.yaml") -> Report:
        return load(write_copy(data, edit, name))

    return load_it


# --------------------------------------------------------------------------- rendered site
# Rendering needs a real kernel (seconds per report): do it once per test session and let
# the pipeline, document and browser tests read the same files.


@pytest.fixture(scope="session")
def rendered_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed and the 2022 example (with applications, cases, previous) rendered."""
    from govinfo.publish.pipeline import render

    out = tmp_path_factory.mktemp("rendered-site")
    render(SEED, out)
    render(ROOT / "parameters" / "2022" / "shili-zrzyj.yaml", out)
    return out


# --------------------------------------------------------------------------- browser
# One headless Chromium (Debian's, driven by Playwright) for every browser test of the
# session. The flags keep it off the closed network.

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One browser per test module: Playwright's sync API keeps an event loop running in the
    main thread while it is started, and the editor's tests (which run their own loop, and
    refresh at once only when none runs) must not find one left by an earlier module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# --------------------------------------------------------------------------- the county
# The full batch over a copy of parameters/ (~27 reports): once per session, shared by the
# batch, site and summary tests. Tests that change files work on copies of it.


@dataclass(frozen=True)
class County:
    params: Path
    site: Path
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    # SHA-256 of every page as the batch first wrote them (later tests edit and re-render).
    pages: dict[str, str]


def page_hashes(site: Path) -> dict[str, str]:
    """SHA-256 of every HTML page under ``site``, keyed by its path relative to it."""
    import hashlib

    return {
        path.relative_to(site).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(site.rglob("*.html"))
    }


def run_govinfo(*args: object, cwd: Path | None = None) -> tuple[int, str, str, float]:
    """``python -m govinfo ARGS`` in a subprocess: (exit code, stdout, stderr, seconds)."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "govinfo", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=900,
    )
    return proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - started


@pytest.fixture(scope="session")
def county(tmp_path_factory: pytest.TempPathFactory) -> County:
    root = tmp_path_factory.mktemp("county")
    shutil.copytree(ROOT / "parameters", root / "parameters")
    code, out, err, seconds = run_govinfo(
        "batch", root / "parameters", "-o", root / "site", "--no-progress"
    )
    pages = page_hashes(root / "site")
    return County(root / "parameters", root / "site", seconds, code, out, err, pages)


# --------------------------------------------------------------------------- the CLI

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``run("validate", path, ...)`` → (exit code, stdout, stderr) of ``govinfo`` in-process."""
    from govinfo.cli import main

    def call(*argv: str | Path) -> tuple[int, str, str]:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return call
