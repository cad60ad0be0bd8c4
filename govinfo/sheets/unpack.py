"""Opening a filled workbook safely: what is not an xlsx is named and refused, what is too
big is refused before it is parsed, and what openpyxl cannot read ends in one line.

Every refusal is a :class:`~govinfo.findings.ParameterError` naming the file, in Chinese and
English, as for any other unreadable input (exit 2 at the command line). Bounds come from
the package's own directory, checked before any XML is parsed: a workbook of 100 MB, a sheet
of a million rows or a zip bomb takes a fraction of a second to refuse. (zipfile stops at
the size an entry declares, so a lying header cannot make an entry larger.)
"""

from __future__ import annotations

import io
import warnings
import zipfile
from typing import Any

from openpyxl import load_workbook

from ..findings import ParameterError
from . import layout_cells as C

MAX_FILE_BYTES = 20 * 1024 * 1024  # a collection workbook is about 25 KB
MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # all parts, uncompressed
MAX_SHEET_BYTES = 16 * 1024 * 1024  # one sheet's XML: ~200,000 filled cells
MAX_ENTRIES = 2000

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls, .et, encrypted xlsx
ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
SAVE_AS = "请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）后再导入"


def refuse(name: str | None, zh: str, en: str, field: str | None = None) -> ParameterError:
    return ParameterError(name, field, f"{zh} / {en}")


def sniff(data: bytes, name: str | None) -> None:
    """Refuse what is not an xlsx package, naming what it is."""
    suffix = (name or "").lower().rsplit(".", 1)[-1] if name and "." in name else ""
    if data.startswith(CFB_MAGIC):
        if ENCRYPTED in data:
            raise refuse(
                name,
                "工作簿设有打开密码（已加密），无法读取：请在 Excel 或 WPS 中取消密码后"
                "另存为 .xlsx",
                "the workbook is password-protected (encrypted): remove the password and save "
                "it again as .xlsx",
            )
        what = "WPS 表格 .et 文件" if suffix == "et" else "Excel 97-2003 .xls 文件（或 WPS .et）"
        kind = "a WPS .et file" if suffix == "et" else "an Excel 97-2003 .xls (or WPS .et) file"
        raise refuse(
            name,
            f"这是{what}，不能直接读取：{SAVE_AS}",
            f"this is {kind}, not .xlsx: save it as an Excel workbook (.xlsx) first",
        )
    if not data.startswith(b"PK\x03\x04"):
        raise refuse(name, f"不是 .xlsx 工作簿：{SAVE_AS}", "not an .xlsx workbook")


def check_package(data: bytes, name: str | None) -> None:
    """The zip's directory: an xlsx (not .ods or .docx), every part within bounds."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise refuse(
            name,
            "文件已损坏（不是完整的 .xlsx）",
            "the file is damaged (not a complete .xlsx package)",
        ) from None
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "xl/workbook.xml" not in names:
            if "mimetype" in names and b"spreadsheet" in archive.read("mimetype")[:100]:
                raise refuse(
                    name,
                    f"这是 OpenDocument 表格（.ods），{SAVE_AS}",
                    "this is an OpenDocument spreadsheet (.ods): save it as .xlsx",
                )
            raise refuse(
                name,
                "不是 .xlsx 工作簿（压缩包中没有工作簿）",
                "not an .xlsx workbook (no xl/workbook.xml in the package)",
            )
        if len(infos) > MAX_ENTRIES:
            raise refuse(
                name,
                f"工作簿包含的部件过多（{len(infos)} 个）",
                f"too many parts in the package ({len(infos)}, limit {MAX_ENTRIES})",
            )
        total = sum(info.file_size for info in infos)
        sheets = [i for i in infos if i.filename.startswith("xl/worksheets/")]
        biggest = max((i.file_size for i in sheets), default=0)
        if total > MAX_UNPACKED_BYTES or biggest > MAX_SHEET_BYTES:
            mb = max(total, biggest) / 1024 / 1024
            raise refuse(
                name,
                f"工作簿过大（解压后 {mb:.0f} MB）：填报表只需约 30 KB，请不要在表中加入大量行、"
                "图片或其他内容",
                f"workbook too large ({mb:.0f} MB unpacked; limits {MAX_SHEET_BYTES >> 20} MB "
                f"per sheet, {MAX_UNPACKED_BYTES >> 20} MB in all): a collection workbook is "
                "about 30 KB",
            )


def open_workbook(data: bytes, name: str | None) -> tuple[Any, Any]:
    """(formulas, cached values): the workbook loaded twice by openpyxl, once as written
    and once with the values the spreadsheet last calculated."""
    if len(data) > MAX_FILE_BYTES:
        raise refuse(
            name,
            f"文件过大（{len(data) >> 20} MB）：填报表只需约 30 KB",
            f"file too large ({len(data) >> 20} MB, limit {MAX_FILE_BYTES >> 20} MB)",
        )
    sniff(data, name)
    check_package(data, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # extensions openpyxl skips (slicers, x14 rules)
            formulas = load_workbook(io.BytesIO(data), data_only=False)
            values = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged package
        raise refuse(
            name,
            "文件已损坏，无法读取",
            f"the workbook cannot be read: {type(exc).__name__}: {exc}"[:300],
        ) from None
    return formulas, values


def check_identity(wf: Any, name: str | None, year: int | None) -> int:
    """The workbook's year, once it is known to be ours (template, sheets) and for the
    expected ``year``; else a refusal naming the sheet and cell."""

    def raw(place: C.Place) -> Any:
        return wf[place.sheet].cell(place.row, place.col).value

    def at(place: C.Place, zh: str, en: str) -> ParameterError:
        return refuse(name, zh, en, place.name)

    if C.META_SHEET not in wf.sheetnames:
        raise refuse(
            name,
            f"不是 govinfo 生成的填报表（没有工作表 {C.META_SHEET}）：请用 "
            "govinfo workbook 生成的表格填报",
            f"not a govinfo collection workbook (no sheet {C.META_SHEET!r})",
        )
    place = C.META["template"]
    template = raw(place)
    if template not in C.TEMPLATES:  # this one, or an older one the reader still reads
        raise at(
            place,
            f"填报表模板为 {_shown(template)!r}，应为 {C.TEMPLATE}：请用本版 "
            "govinfo workbook 重新生成",
            f"workbook template {_shown(template)!r}, expected {C.TEMPLATE}",
        )
    for sheet in C.TABLE_SHEETS.values():
        if sheet not in wf.sheetnames:
            raise refuse(name, f"缺少工作表“{sheet}”", f"sheet {sheet!r} is missing", sheet)
    place = C.META["year"]
    found = raw(place)
    if not isinstance(found, int) or isinstance(found, bool):
        raise at(
            place,
            f"报告年度无法识别：{_shown(found)!r}",
            f"the workbook's year is not a year: {_shown(found)!r}",
        )
    visible = C.basic_places(template)[("year",)]
    typed = raw(visible)
    if isinstance(typed, int | float) and typed != found:
        raise at(
            visible,
            f"报告年度被改为 {typed}，但本表是 {found} 年度的填报表："
            f"请用 {int(typed)} 年度的填报表",
            f"the year was changed to {typed}, but this workbook is for {found}",
        )
    if year is not None and found != year:
        raise at(
            place,
            f"这是 {found} 年度的填报表，应为 {year} 年度（{visible.name}）",
            f"this workbook is for {found}, expected {year}",
        )
    return found


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"
