"""A wheel that works: built from the source, installed in a fresh venv, used away from the tree.

Slow (a build, a venv, a render and two batches: under a minute) but in the default suite:
a user who runs ``pip install govinfo`` and every Dask worker installed that way get only what
the wheel carries, and the editable install every other test uses cannot show what is missing.

The build runs on a copy of the package (``python -m build`` writes ``build/`` and egg-info
next to the sources; the working tree is shared). The venv sees the system's site-packages for
the heavy dependencies, but its own govinfo shadows the editable one (checked), and every
command runs in a temporary folder holding only copies of the parameter files it needs.
JUPYTER_PATH lends the venv nbconvert's own templates (a venv with its own nbconvert has them).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_notebook

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "parameters" / "2021"
SEED = "zezhou-xzsp.yaml"
BATCH = ("shili-jyj.yaml", "shili-zrzyj.yaml")
PACKAGED = ("notebooks/annual_report.ipynb", "notebooks/summary.ipynb")
# Every file of the nbconvert template (data-files lists them by hand in pyproject.toml).
TEMPLATE_FILES = sorted(
    p.name for p in (ROOT / "govinfo/publish/templates/govinfo").iterdir() if p.is_file()
)
SHARE = "share/jupyter/nbconvert/templates/govinfo"
LIMIT = 900  # seconds: only so that a hang ends the test instead of CI (never an assertion)


@dataclass(frozen=True)
class Venv:
    root: Path
    wheel: Path
    work: Path  # the working folder: copies of parameter files, no access to the sources
    jupyter: Path  # JUPYTER_PATH: nbconvert's own templates, none of govinfo's

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        env["VIRTUAL_ENV"] = str(self.root)
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env["JUPYTER_PATH"] = str(self.jupyter)
        env["JUPYTER_DATA_DIR"] = str(self.jupyter.parent / "jupyter-data")  # not ~/.local
        return env

    def run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        """A command of the venv (``govinfo``, ``python``) run in the working folder."""
        return subprocess.run(
            [str(self.bin / str(args[0])), *map(str, args[1:])],
            cwd=self.work,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=LIMIT,
        )


def _system_install_state() -> dict[str, str]:
    """The hashes of the system's govinfo install (dist-info, .pth, finder, script): the
    files outside the source tree, which other helpers may be editing meanwhile."""
    state = {}
    for dist in metadata.distributions(name="govinfo"):
        for file in dist.files or []:
            path = Path(str(dist.locate_file(file))).resolve()
            if path.is_file() and path.suffix != ".pyc" and not path.is_relative_to(ROOT):
                state[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    assert state, "no installed govinfo found outside the source tree"
    return state


def _nbconvert_templates(target: Path) -> Path:
    """nbconvert's own templates (``base``, ``lab``, ...) for the venv, but not govinfo's.

    nbconvert installs them under the prefix of the Python it was installed into; the venv
    borrows the system's site-packages but jupyter_core searches only the venv's prefix, so
    without this the venv would lack what a venv with its own nbconvert has. govinfo's
    template is left out: the venv must find the copy the wheel installed."""
    from jupyter_core.paths import jupyter_path

    found = [Path(p) for p in jupyter_path("nbconvert", "templates") if (Path(p) / "base").is_dir()]
    assert found, "nbconvert's templates not found"
    templates = target / "nbconvert" / "templates"
    templates.mkdir(parents=True)
    for entry in found[0].iterdir():
        if entry.is_dir() and entry.name != "govinfo":
            (templates / entry.name).symlink_to(entry)
    return target


def _copy_sources(target: Path) -> Path:
    """What the build needs, without caches or the editable install's egg-info."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    shutil.copytree(
        ROOT / "govinfo", target / "govinfo", ignore=shutil.ignore_patterns("__pycache__")
    )
    return target


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Venv]:
    """Build the sdist and the wheel from it, make a fresh venv, install the wheel alone."""
    base = tmp_path_factory.mktemp("wheel")
    before = _system_install_state()
    source = _copy_sources(base / "source")
    build = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", base / "dist", source],
        capture_output=True,
        text=True,
        timeout=LIMIT,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    (wheel,) = (base / "dist").glob("govinfo-*.whl")
    root = base / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", root], check=True, timeout=LIMIT
    )
    work = base / "work"
    work.mkdir()
    made = Venv(root, wheel, work, _nbconvert_templates(base / "jupyter"))
    # --ignore-installed: the system's editable govinfo is never looked at, let alone removed.
    install = made.run(
        "python", "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed",
        "--disable-pip-version-check", wheel,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    yield made
    assert _system_install_state() == before, "installing into the venv changed the system"


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "lxml")


def copy_params(venv: Venv, folder: str, *names: str) -> list[Path]:
    (venv.work / folder).mkdir()
    return [Path(shutil.copy(PARAMS / name, venv.work / folder / name)) for name in names]


def test_wheel_carries_the_notebooks_and_the_nbconvert_template(venv: Venv) -> None:
    with zipfile.ZipFile(venv.wheel) as wheel:
        names = set(wheel.namelist())
        for name in PACKAGED:
            # One source: the top-level notebooks/ are links to the package's files, no copies.
            assert (ROOT / name).resolve() == (ROOT / "govinfo/publish" / name).resolve(), name
            assert wheel.read(f"govinfo/publish/{name}") == (ROOT / name).read_bytes(), name
        for name in TEMPLATE_FILES:
            assert f"govinfo/publish/templates/govinfo/{name}" in names
            assert any(n.endswith(f".data/data/{SHARE}/{name}") for n in names), name


def test_the_venv_imports_its_own_govinfo(venv: Venv) -> None:
    proc = venv.run("python", "-c", "import govinfo, sys; print(govinfo.__file__, sys.prefix)")
    assert proc.returncode == 0, proc.stderr
    module, prefix = proc.stdout.split()
    assert Path(prefix) == venv.root
    assert Path(module).is_relative_to(venv.root / "lib"), module
    assert not Path(module).resolve().is_relative_to(ROOT), module


def test_render_of_the_seed_from_the_wheel(venv: Venv, rendered_site: Path) -> None:
    (seed,) = copy_params(venv, "render", SEED)
    proc = venv.run("govinfo", "render", seed.relative_to(venv.work), "-o", "out")
    assert proc.returncode == 0, proc.stderr
    page = venv.work / "out" / "2021" / "zezhou-xzsp.html"
    soup = soup_of(page)
    assert soup.h1.get_text() == "泽州县行政审批服务管理局2021年政府信息公开工作年度报告"
    licensing = soup.find("td", attrs={"data-section": "active", "data-row": "licensing"})
    assert licensing is not None and licensing.get_text() == "10727"
    # The same page, byte for byte, as the source tree renders (tests/conftest.py).
    assert page.read_bytes() == (rendered_site / "2021" / "zezhou-xzsp.html").read_bytes()


def test_batch_of_two_agencies_from_the_wheel(venv: Venv) -> None:
    copy_params(venv, "batch", *BATCH)
    proc = venv.run("govinfo", "batch", "batch", "-o", "site", "--no-progress", "-j", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = venv.work / "site"
    for name, agency, licensing in (
        ("shili-jyj", "示例县教育局", "241"),
        ("shili-zrzyj", "示例县自然资源局", "860"),
    ):
        soup = soup_of(site / "2021" / f"{name}.html")
        assert soup.h1.get_text() == f"{agency}2021年政府信息公开工作年度报告"
        cell = soup.find("td", attrs={"data-section": "active", "data-row": "licensing"})
        assert cell is not None and cell.get_text() == licensing
        assert (site / "2021" / f"{name}.ipynb").is_file()
    summary = soup_of(site / "2021" / "summary.html").get_text()
    assert "示例县教育局" in summary and "示例县自然资源局" in summary
    assert (site / "manifest.json").is_file()
    index = soup_of(site / "index.html")
    links = {a["href"] for a in index.find_all("a", href=True)}
    assert {"2021/shili-jyj.html", "2021/shili-zrzyj.html", "2021/summary.html"} <= links


PROBE = """import sys, govinfo
from IPython.display import HTML
HTML(f'<p id="probe">{govinfo.__file__}|{sys.executable}</p>')"""


def test_the_batch_kernels_run_the_wheel(venv: Venv) -> None:
    """The kernels a batch starts import the venv's govinfo, not the source tree's."""
    copy_params(venv, "probe", BATCH[0])
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    probe = new_notebook(cells=[new_code_cell(PROBE)], metadata={"kernelspec": kernel})
    nbformat.write(probe, venv.work / "probe.ipynb")
    proc = venv.run(
        "govinfo", "batch", "probe", "-o", "probe-site", "--template", "probe.ipynb",
        "--no-progress", "-j", "1",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    probe = soup_of(venv.work / "probe-site" / "2021" / "shili-jyj.html").find(id="probe")
    assert probe is not None
    module, executable = probe.get_text().split("|")
    assert Path(module).is_relative_to(venv.root / "lib"), module
    assert Path(executable).parent == venv.bin, executable


def test_the_nbconvert_template_is_installed_and_install_template_works(
    venv: Venv, rendered_site: Path
) -> None:
    package = venv.root / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    source = package / "site-packages" / "govinfo" / "publish" / "templates" / "govinfo"
    for name in TEMPLATE_FILES:  # the wheel's data-files, where nbconvert looks in the venv
        assert (venv.root / SHARE / name).read_bytes() == (source / name).read_bytes(), name
    # Plain nbconvert in the venv finds the template there and makes the same page.
    (venv.work / "plain").mkdir()
    executed = shutil.copy(rendered_site / "2021" / "zezhou-xzsp.ipynb", venv.work / "plain")
    proc = venv.run("python", "-m", "nbconvert", "--to", "html", "--template", "govinfo", executed)
    assert proc.returncode == 0, proc.stderr
    page = (venv.work / "plain" / "zezhou-xzsp.html").read_bytes()
    assert page == (rendered_site / "2021" / "zezhou-xzsp.html").read_bytes()
    proc = venv.run("govinfo", "install-template", "--prefix", "prefix")
    assert proc.returncode == 0, proc.stderr
    target = venv.work / "prefix" / SHARE
    assert proc.stdout.startswith("installed nbconvert template: "), proc.stdout
    for name in TEMPLATE_FILES:
        assert (target / name).read_bytes() == (source / name).read_bytes(), name
