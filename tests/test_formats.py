"""The formats registry and its place in a render: every file made before any is written, a
failing format writes nothing, a format not asked for any more is removed, and the CLI's
``--to`` / ``--formats`` refuse unknown names in one line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SEED, run_govinfo

from govinfo.publish import formats as F
from govinfo.publish.pipeline import RenderError, render


def test_parse_formats_keeps_html_first_and_each_once() -> None:
    assert F.parse_formats("pdf,docx,pdf") == ("html", "docx", "pdf")
    assert F.parse_formats("html") == ("html",)
    assert F.parse_formats(" PDF ") == ("html", "pdf")  # the page is always written
    with pytest.raises(F.UnknownFormat, match="unknown format odt: choose from html, docx, pdf"):
        F.parse_formats("html,odt")


def test_cli_refuses_an_unknown_format_in_one_line(tmp_path: Path) -> None:
    code, _out, err, _ = run_govinfo("render", SEED, "-o", tmp_path, "--to", "html,odt")
    assert code == 2
    assert "unknown format odt" in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())


@pytest.fixture
def fake_formats() -> Iterator[dict[str, list[str]]]:
    """Two formats for the test: ``echo`` writes the page's title, ``boom`` fails."""
    calls: dict[str, list[str]] = {"echo": []}

    def echo(report, findings, html):  # type: ignore[no-untyped-def]
        calls["echo"].append(report.agency_id)
        assert "<html" in html  # it gets the finished page
        return report.title.encode()

    def boom(report, findings, html):  # type: ignore[no-untyped-def]
        raise RuntimeError("printer on fire\nsecond line")

    F.register_format(F.Format("echo", ".echo", "Echo", echo))
    F.register_format(F.Format("boom", ".boom", "Boom", boom))
    yield calls
    del F.FORMATS["echo"], F.FORMATS["boom"]


def test_a_failing_format_writes_nothing_and_keeps_the_last_good_files(
    tmp_path: Path, fake_formats: dict[str, list[str]]
) -> None:
    good = render(SEED, tmp_path, formats=("html", "echo"))
    assert good.documents == {"echo": good.html.with_suffix(".echo")}
    assert good.documents["echo"].read_text() == good.report.title
    page = good.html.read_bytes()
    notebook = good.notebook.read_bytes()
    with pytest.raises(RenderError) as caught:
        render(SEED, tmp_path, formats=("html", "echo", "boom"))
    assert str(caught.value) == f"{SEED}: boom not written: RuntimeError: printer on fire"
    # Nothing of the failed run was written: the page, notebook and echo file are the old ones.
    assert good.html.read_bytes() == page and good.notebook.read_bytes() == notebook
    assert not good.html.with_suffix(".boom").exists()
    names = sorted(p.name for p in good.html.parent.iterdir())
    assert names == ["zezhou-xzsp.echo", "zezhou-xzsp.html", "zezhou-xzsp.ipynb"]


def test_a_format_no_longer_asked_for_is_removed(
    tmp_path: Path, fake_formats: dict[str, list[str]]
) -> None:
    first = render(SEED, tmp_path, formats=("html", "echo"))
    assert first.documents["echo"].is_file()
    second = render(SEED, tmp_path)  # html only: an old .echo would describe old data
    assert second.documents == {}
    assert not first.documents["echo"].exists()


def test_a_county_batch_writes_word_and_pdf_for_every_agency(tmp_path: Path) -> None:
    """Issue 16's done-means: ``govinfo batch parameters -o site --formats html,docx,pdf``
    writes the three formats of the seed and of every example agency, records their hashes,
    links them from the index, and a second run finds everything up to date."""
    import json
    import shutil

    from bs4 import BeautifulSoup
    from conftest import ROOT

    shutil.copytree(ROOT / "parameters", tmp_path / "parameters")
    site = tmp_path / "site"
    args = ("batch", tmp_path / "parameters", "-o", site, "--formats", "html,docx,pdf")
    code, _out, err, _ = run_govinfo(*args, "--no-progress")
    assert code == 0, err
    manifest = json.loads((site / "manifest.json").read_text("utf-8"))
    agencies = manifest["agencies"]
    assert len(agencies) == 27
    index = BeautifulSoup((site / "index.html").read_text("utf-8"), "lxml")
    for entry in agencies:
        stem = f"{entry['year']}/{entry['agency_id']}"
        assert entry["documents"] == {"docx": f"{stem}.docx", "pdf": f"{stem}.pdf"}
        for suffix in ("html", "docx", "pdf"):
            assert f"{stem}.{suffix}" in entry["outputs"], stem
        assert (site / f"{stem}.pdf").read_bytes().startswith(b"%PDF-")
        assert (site / f"{stem}.docx").read_bytes().startswith(b"PK")
        assert index.find("a", href=f"{stem}.pdf") is not None
        assert index.find("a", href=f"{stem}.docx") is not None
    code, out, err, _ = run_govinfo(*args, "--no-progress")
    assert code == 0 and "up to date, nothing rendered" in out, err


def test_render_to_pdf_closes_its_browser_cleanly_at_exit(tmp_path: Path) -> None:
    """The printer closes its browser when the process exits (an atexit callback), after
    the interpreter has stopped thread pools taking work: that once ended every
    ``govinfo render --to pdf`` with a traceback on stderr."""
    code, _out, err, _ = run_govinfo("render", SEED, "-o", tmp_path, "--to", "html,pdf")
    assert code == 0, err
    assert next(tmp_path.glob("*/*.pdf")).read_bytes().startswith(b"%PDF-")
    assert "Traceback" not in err and "Exception ignored" not in err, err
