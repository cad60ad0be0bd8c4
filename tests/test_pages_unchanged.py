"""The example county's pages, byte for byte: a guard while the code moves between modules.

``tests/data/pages.sha256.json`` holds the SHA-256 of every page (27 reports, 2 summaries,
index.html, internal.html) as the code rendered them before issue 14's reorganisation. No
page embeds a path, a time or a version, so the hashes hold on any machine. When a change
is meant to alter pages, re-render (``govinfo batch parameters -o SITE``), look at the
difference, and rewrite the file with the new hashes in the same commit.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import County

EXPECTED = Path(__file__).parent / "data" / "pages.sha256.json"


def test_county_pages_are_byte_identical(county: County) -> None:
    assert county.returncode == 0, county.stderr
    expected = json.loads(EXPECTED.read_text("utf-8"))
    assert len(expected) == 31
    actual = county.pages  # hashed as the batch wrote them, before other tests re-render
    assert sorted(actual) == sorted(expected)
    changed = sorted(name for name in expected if actual[name] != expected[name])
    assert changed == []
