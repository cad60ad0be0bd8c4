"""The import graph: layers point downward, nothing imports the CLI, no cycle (issue 14).

``lint-imports`` checks the contracts of pyproject's ``[tool.importlinter]``; these tests run
it on the package as it is, and on a copy with one planted upward import, which it must
refuse. The batch's cache key hashes the files pages are built from by layer
(:func:`govinfo.batch.manifest.rendering_files`): checked here against the import graph.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp

from govinfo.batch.manifest import rendering_files

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` in ``cwd`` (its pyproject.toml), importing the ``govinfo`` found there."""
    code = "import sys; from importlinter.cli import lint_imports_command; lint_imports_command()"
    return subprocess.run(
        [sys.executable, "-c", code, "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )


def test_the_contracts_are_kept() -> None:
    proc = lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: 3 kept, 0 broken." in proc.stdout


def planted_copy(tmp_path: Path, module: str, line: str) -> Path:
    """The package and its pyproject copied under ``tmp_path``, ``line`` added to ``module``."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "govinfo", tmp_path / "govinfo", ignore=shutil.ignore_patterns("*.pyc"))
    path = tmp_path / module
    path.write_text(path.read_text("utf-8") + f"\n{line}\n", "utf-8")
    return tmp_path


def test_an_upward_import_breaks_the_build(tmp_path: Path) -> None:
    # The model reaching up to its renderer: the circle issue 14 removed.
    copy = planted_copy(tmp_path, "govinfo/model.py", "from .publish import tables  # noqa")
    proc = lint_imports(copy)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "BROKEN" in proc.stdout
    assert "govinfo.model -> govinfo.publish.tables" in proc.stdout


def test_importing_the_cli_breaks_the_build(tmp_path: Path) -> None:
    copy = planted_copy(tmp_path, "govinfo/batch/runner.py", "from ..cli import main  # noqa")
    proc = lint_imports(copy)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Nothing imports the command line BROKEN" in proc.stdout


def strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
    """Tarjan's algorithm: the import cycles (components of more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = set()
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.add(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(component)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_is_part_of_an_import_cycle() -> None:
    """Function-level and TYPE_CHECKING imports included: no two modules import each other,
    even indirectly (the root package aside: it only re-exports)."""
    graph = grimp.build_graph("govinfo", cache_dir=None)
    graph.remove_module("govinfo")
    assert strongly_connected(graph) == []


def test_the_cache_hashes_every_module_a_page_is_built_from() -> None:
    """Everything publishing imports, directly or not, is in the batch's cache key: editing
    any of it renders the pages again."""
    graph = grimp.build_graph("govinfo", cache_dir=None)
    package = ROOT / "govinfo"
    publishing = {"govinfo.publish", *graph.find_descendants("govinfo.publish")}
    needed = set(publishing)
    for module in publishing:
        needed |= graph.find_upstream_modules(module)
    hashed = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in rendering_files(package)
        if path.suffix == ".py"
    }
    assert sorted(needed - hashed) == []
    # ... and the templates and notebooks the pages come from.
    names = {path.relative_to(package).as_posix() for path in rendering_files(package)}
    assert "publish/notebooks/annual_report.ipynb" in names
    assert "publish/templates/govinfo/index.html.j2" in names
    assert "publish/templates/site/sort.js" in names
    # The layers above publishing change no page.
    assert not {"govinfo.cli", "govinfo.batch.runner", "govinfo.editor.widget"} & hashed
