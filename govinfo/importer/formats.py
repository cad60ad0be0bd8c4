"""Which document format a file holds, told by its magic bytes, to read it or to refuse it
in a way that helps.

Portals publish many annual reports as PDF, Word, WPS or OFD files. PDF and DOCX are read
(:mod:`.pdf`, :mod:`.word`); a user who passes any other document to ``govinfo import``
should learn what it is, that it is not read, and how to convert it when LibreOffice can,
rather than "binary file". The bytes decide (a ``.doc`` that is really an HTML page, as
Word's "save as web page" makes, is read as HTML); the suffix only tells apart formats that
share a container (Word 97-2003 and WPS Writer files are both OLE2 compound files, and a
WPS ``.wps`` saved as OOXML is a DOCX).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

NOT_READ = "(HTML, text, Markdown, PDF and DOCX only)"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


@dataclass(frozen=True)
class Format:
    """A document format the importer recognises (and reads, for PDF and DOCX)."""

    what: str  # "a PDF document"
    short: str  # "PDF"
    convert: str = ""  # the LibreOffice target that makes it readable ("docx")

    def refusal(self) -> str:
        """The message after ``FILE:`` in the one-line error."""
        if self.convert:
            return (
                f"{self.what}; govinfo import does not read {self.short}: convert it first, "
                f"e.g. soffice --headless --convert-to {self.convert} FILE"
            )
        return f"{self.what}; govinfo import does not read {self.short} {NOT_READ}"


def sniff(
    head: bytes, name: str | None = None, container: IO[bytes] | None = None
) -> Format | None:
    """The format of a file starting with ``head``, or None for anything that may be text.

    ``container`` is the whole file, seekable, for looking inside ZIP containers (only the
    central directory is read, never a member); without it a ZIP is named from the suffix.
    """
    suffix = Path(name).suffix.lower() if name else ""
    start = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"%PDF-"):
        return PDF
    if head.startswith(OLE2):
        return _ole2(head, suffix)
    if head.startswith(ZIP):
        return _zip(container if container is not None else io.BytesIO(head), suffix)
    if start.startswith(b"{\\rtf"):
        return RTF
    for magic, fmt in _OTHER:
        if head.startswith(magic):
            return fmt
    return None


PDF = Format("a PDF document", "PDF")
DOC = Format("a Word 97-2003 document", "DOC", "docx")
WPS = Format("a WPS Writer document", "WPS", "docx")
RTF = Format("an RTF document", "RTF", "docx")
XLS = Format("an Excel 97-2003 workbook", "XLS", "xlsx")
ET = Format("a WPS Spreadsheets workbook", "ET", "xlsx")
PPT = Format("a PowerPoint 97-2003 presentation", "PPT")
DPS = Format("a WPS Presentation", "DPS")
DOCX = Format("a Word document (DOCX)", "DOCX")
XLSX = Format("an Excel workbook (XLSX)", "XLSX")
PPTX = Format("a PowerPoint presentation (PPTX)", "PPTX")
OFD = Format("an OFD document", "OFD")
ODT = Format("an OpenDocument text (ODT)", "ODT", "docx")
ODS = Format("an OpenDocument spreadsheet (ODS)", "ODS")
ODP = Format("an OpenDocument presentation (ODP)", "ODP")

READ = (PDF, DOCX)  # read by the importer (.pdf, .word); the others are refused
_OTHER = (
    (b"\x89PNG\r\n\x1a\n", Format("a PNG image", "images")),
    (b"\xff\xd8\xff", Format("a JPEG image", "images")),
    (b"GIF87a", Format("a GIF image", "images")),
    (b"GIF89a", Format("a GIF image", "images")),
    (b"\x1f\x8b", Format("a gzip archive", "archives")),
    (b"Rar!\x1a\x07", Format("a RAR archive", "archives")),
    (b"7z\xbc\xaf\x27\x1c", Format("a 7-Zip archive", "archives")),
)

# OLE2 compound files: the stream that names the application (its directory entry holds the
# name in UTF-16LE); WPS Office writes the same streams, so its own suffixes tell it apart.
_OLE2_STREAMS = (
    ("WordDocument", {".wps": WPS}, DOC),
    ("Workbook", {".et": ET}, XLS),
    ("Book", {".et": ET}, XLS),
    ("PowerPoint Document", {".dps": DPS}, PPT),
)
_OLE2_BY_SUFFIX = {".doc": DOC, ".wps": WPS, ".xls": XLS, ".et": ET, ".ppt": PPT, ".dps": DPS}
_OLE2_OTHER = Format("an OLE2 compound file (Office 97-2003 or WPS)", "Office 97-2003 files")


def _ole2(data: bytes, suffix: str) -> Format:
    for stream, wps, office in _OLE2_STREAMS:
        if stream.encode("utf-16-le") + b"\x00\x00" in data:
            return wps.get(suffix, office)
    return _OLE2_BY_SUFFIX.get(suffix, _OLE2_OTHER)


# ZIP containers: a member that names the format (OOXML, OFD), or the ODF ``mimetype``.
_ZIP_MEMBERS = (
    ("word/document.xml", DOCX),
    ("xl/workbook.xml", XLSX),
    ("ppt/presentation.xml", PPTX),
    ("OFD.xml", OFD),
)
_ODF = {
    "application/vnd.oasis.opendocument.text": ODT,
    "application/vnd.oasis.opendocument.spreadsheet": ODS,
    "application/vnd.oasis.opendocument.presentation": ODP,
}
_ZIP_BY_SUFFIX = {
    ".docx": DOCX, ".wps": WPS, ".xlsx": XLSX, ".et": ET, ".pptx": PPTX, ".dps": DPS,
    ".ofd": OFD, ".odt": ODT, ".ods": ODS, ".odp": ODP,
}  # fmt: skip
_ZIP_OTHER = Format("a ZIP archive", "ZIP archives")


def _zip(container: IO[bytes], suffix: str) -> Format:
    """Only the central directory is read (and a tiny ``mimetype``), never a large member."""
    names: set[str] = set()
    mimetype = ""
    try:
        with zipfile.ZipFile(container) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
    except Exception:  # any damage to the archive just leaves the suffix to tell
        pass
    for member, fmt in _ZIP_MEMBERS:
        if member in names:
            return fmt
    return _ODF.get(mimetype) or _ZIP_BY_SUFFIX.get(suffix, _ZIP_OTHER)
