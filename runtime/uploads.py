"""What an uploaded file really is, decided from its bytes: shared by every service
that accepts files (content's media, feedback's attachments).

`inspect` decides from the bytes alone whether an upload is a PDF, DOCX, XLSX or
image (JPEG, PNG, WebP, GIF), refuses everything else (executables whatever their
name, scripts, SVG, HTML, macros, ZIP bombs, damaged or encrypted files) with a
Vietnamese message shown to people as-is, and extracts plain text for search.
`safe_filename` makes a name fit to store and to send back in a header. No I/O here.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from io import BytesIO

import docx
import openpyxl
import pypdf
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph
from PIL import ExifTags, Image
from pypdf.errors import DependencyError, FileNotDecryptedError

from runtime.slots import Slots


class MediaKind(StrEnum):
    pdf = "pdf"
    docx = "docx"
    xlsx = "xlsx"
    image = "image"


class Rejected(ValueError):
    """An upload the portal will not keep; the message is Vietnamese, shown to editors as-is."""


_MB = 1024 * 1024

LIMITS: dict[MediaKind, int] = {
    MediaKind.pdf: 20 * _MB,
    MediaKind.docx: 20 * _MB,
    MediaKind.xlsx: 20 * _MB,
    MediaKind.image: 10 * _MB,
}
MAX_IMAGE_PIXELS = 40_000_000
#: Files parsed (and images decoded) at once per process, whoever sent them: a 40 MP
#: PNG decodes to 160 MB, a DOCX to its XML tree. Callers take a slot around the work
#: (`async with PARSING.take(): await asyncio.to_thread(inspect, ...)`); past the
#: wait the sender is asked to come back (503), the process stays within its memory.
PARSING = Slots("upload-parsing", 2, wait=20.0)

# ZIP-bomb guard. zipfile never inflates a member past its declared size, so checking
# the declared sizes bounds the work python-docx and openpyxl can be made to do.
ZIP_MAX_UNCOMPRESSED = 200 * _MB
ZIP_MAX_RATIO = 100
# Tiny members (a few KB of XML padding) legitimately compress more than 100:1 and
# cannot hurt; the ratio only matters once a member is big.
_ZIP_RATIO_FLOOR = 1 * _MB
_ZIP_MAX_MEMBERS = 10_000

TEXT_MAX_CHARS = 1_000_000
PDF_MAX_PAGES = 500
XLSX_MAX_CELLS = 200_000

_DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Pillow format name -> (media type, canonical extension)
_IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
    "GIF": ("image/gif", ".gif"),
}
_KIND_LABELS = {
    MediaKind.pdf: "tệp PDF",
    MediaKind.docx: "tệp DOCX",
    MediaKind.xlsx: "tệp XLSX",
    MediaKind.image: "ảnh",
}
_ALLOWED = "PDF, DOCX, XLSX hay ảnh (JPEG, PNG, WebP, GIF)"


@dataclass(frozen=True)
class Inspected:
    kind: MediaKind
    media_type: str
    extension: str
    size: int
    sha256: str
    text: str
    width: int | None
    height: int | None
    pages: int | None


# --- inspection -------------------------------------------------------------------


def inspect(
    data: bytes, filename: str, *, max_bytes: int | None = None, pdf_text: bool = True
) -> Inspected:
    """What `data` really is, checked by content; Rejected (Vietnamese message) otherwise.

    `filename` only feeds the messages: a photo named .png that is a JPEG is accepted
    as a JPEG, an executable named .pdf is refused and the message says so.
    `max_bytes`, when given, is a caller's own limit below the per-kind LIMITS; it is
    checked before any parsing. `pdf_text=False` skips the text of PDF pages, the
    costly part, for callers that only need the file checked (the PDF is still parsed).
    """
    name = display_name(filename)
    if not data:
        raise Rejected(f"Tệp “{name}” rỗng (0 byte); hãy chọn lại tệp.")
    executable = _executable_label(data)
    if executable:
        ext = _extension(name)
        if ext:
            raise Rejected(
                f"Tệp “{name}” có đuôi {ext} nhưng nội dung là tệp chạy được ({executable}); "
                "tệp bị từ chối."
            )
        raise Rejected(f"Tệp “{name}” là tệp chạy được ({executable}); tệp bị từ chối.")
    if _looks_like_svg(data):
        raise Rejected(
            f"Tệp “{name}” là ảnh SVG; SVG không được phép vì có thể chứa mã chạy (script). "
            "Hãy chuyển sang PNG hoặc JPEG."
        )
    if max_bytes is not None and len(data) > max_bytes:
        raise _too_large(name, len(data), max_bytes, "mỗi tệp")
    if data.startswith(b"%PDF-"):
        return _inspect_pdf(data, name, pdf_text)
    if data.startswith(b"PK\x03\x04"):
        return _inspect_zip(data, name)
    if _image_magic(data):
        return _inspect_image(data, name)
    raise _not_allowed(name, _hint(data))


def _inspect_pdf(data: bytes, name: str, with_text: bool) -> Inspected:
    _check_size(MediaKind.pdf, data, name)
    try:
        pages, text = _read_pdf(data, name, with_text)
    except Rejected:
        raise
    except (FileNotDecryptedError, DependencyError) as exc:
        # DependencyError: AES needs the `cryptography` package, which we do not ship.
        raise _encrypted(name) from exc
    except Exception as exc:  # pypdf raises many types on broken input; all mean the same
        raise damaged(name, MediaKind.pdf) from exc
    return _result(MediaKind.pdf, "application/pdf", ".pdf", data, text=text, pages=pages)


def _read_pdf(data: bytes, name: str, with_text: bool) -> tuple[int, str]:
    reader = pypdf.PdfReader(BytesIO(data))
    # An empty user password only restricts printing/copying; the text stays readable.
    if reader.is_encrypted and not reader.decrypt(""):
        raise _encrypted(name)
    pages = len(reader.pages)
    if pages == 0:
        raise damaged(name, MediaKind.pdf)
    if not with_text:
        return pages, ""
    text = _collect(reader.pages[i].extract_text() or "" for i in range(min(pages, PDF_MAX_PAGES)))
    return pages, text


def _inspect_zip(data: bytes, name: str) -> Inspected:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise damaged(name, None) from exc
    with archive:
        members = archive.infolist()
        _check_zip_bomb(members, name)
        names = {m.filename for m in members}
        if len(names) != len(members):
            # Two members with one name: readers disagree about which one is the content.
            raise damaged(name, None)
        kind = _office_kind(names)
        if kind is None:
            raise _not_allowed(name, _zip_hint(archive, names))
        _check_size(kind, data, name)
        try:
            content_types = archive.read("[Content_Types].xml")
        except Exception as exc:  # bad CRC, unsupported compression, encrypted member...
            raise damaged(name, kind) from exc
    if b"macroEnabled" in content_types or any(n.endswith("vbaProject.bin") for n in names):
        raise Rejected(
            f"Tệp “{name}” chứa macro (VBA), có thể chạy mã trên máy người đọc; "
            "hãy lưu lại dưới dạng DOCX hoặc XLSX thường."
        )
    try:
        if kind is MediaKind.docx:
            text = _collect(_docx_text(docx.Document(BytesIO(data))))
        else:
            # closing(): the generator's `finally` closes the workbook even when the
            # text cap stops reading early.
            with contextlib.closing(_xlsx_text(data)) as parts:
                text = _collect(parts)
    except Exception as exc:  # python-docx/openpyxl/lxml raise many types on broken input
        raise damaged(name, kind) from exc
    media_type, ext = (_DOCX_TYPE, ".docx") if kind is MediaKind.docx else (_XLSX_TYPE, ".xlsx")
    return _result(kind, media_type, ext, data, text=text)


def _inspect_image(data: bytes, name: str) -> Inspected:
    _check_size(MediaKind.image, data, name)
    im, (width, height) = open_image(data, name, scan_only=True)
    with im:
        fmt = im.format or ""
        try:
            swapped = im.getexif().get(ExifTags.Base.Orientation) in (5, 6, 7, 8)
        except Exception as exc:  # malformed EXIF block
            raise damaged(name, MediaKind.image) from exc
    if swapped:
        # Sizes as displayed: a portrait photo stored sideways with an EXIF rotation.
        width, height = height, width
    media_type, ext = _IMAGE_FORMATS[fmt]
    return _result(MediaKind.image, media_type, ext, data, width=width, height=height)


def _result(
    kind: MediaKind,
    media_type: str,
    extension: str,
    data: bytes,
    *,
    text: str = "",
    width: int | None = None,
    height: int | None = None,
    pages: int | None = None,
) -> Inspected:
    return Inspected(
        kind=kind,
        media_type=media_type,
        extension=extension,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        text=text,
        width=width,
        height=height,
        pages=pages,
    )


# --- sniffing ---------------------------------------------------------------------

_MACHO_MAGICS = (
    b"\xfe\xed\xfa\xce",
    b"\xce\xfa\xed\xfe",
    b"\xfe\xed\xfa\xcf",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # universal binary (also a Java class file: refused all the same)
)


def _executable_label(data: bytes) -> str | None:
    if data.startswith(b"\x7fELF"):
        return "chương trình Linux ELF"
    if data.startswith(b"MZ"):
        return "chương trình Windows .exe/.dll"
    if data.startswith(_MACHO_MAGICS):
        return "chương trình macOS Mach-O"
    if data.startswith(b"#!"):
        return "tập lệnh script"
    return None


def _looks_like_svg(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg", b"<!--")) and b"<svg" in head


def _image_magic(data: bytes) -> bool:
    return data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    )


def _hint(data: bytes) -> str | None:
    """A name for well-known formats we refuse, so the message helps the editor."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
        return "trang web (HTML)"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return (
            "tài liệu Office đời cũ (.doc, .xls) hoặc tệp Office đặt mật khẩu; "
            "hãy lưu lại dưới dạng DOCX hoặc XLSX không đặt mật khẩu"
        )
    # "BM" alone is too common a start for text; byte 14 is the BMP header's size field.
    bmp = data.startswith(b"BM") and len(data) > 14 and data[14] in (12, 40, 52, 56, 108, 124)
    if bmp or data.startswith((b"II*\x00", b"MM\x00*")) or data[4:12] in (b"ftypheic", b"ftypavif"):
        return "ảnh định dạng chưa được hỗ trợ (BMP, TIFF, HEIC, AVIF); hãy đổi sang JPEG, PNG"
    if data.startswith((b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")):
        return "tệp nén (RAR, 7z, gzip)"
    return None


def _office_kind(names: set[str]) -> MediaKind | None:
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return MediaKind.docx
    if "xl/workbook.xml" in names:
        return MediaKind.xlsx
    return None


def _zip_hint(archive: zipfile.ZipFile, names: set[str]) -> str:
    if "mimetype" in names:
        with contextlib.suppress(Exception):
            if archive.read("mimetype")[:64].startswith(b"application/vnd.oasis.opendocument"):
                return "tài liệu OpenDocument (ODT, ODS); hãy lưu lại dưới dạng DOCX hoặc XLSX"
    return "tệp nén ZIP"


def _check_zip_bomb(members: list[zipfile.ZipInfo], name: str) -> None:
    total = sum(m.file_size for m in members)
    if (
        len(members) > _ZIP_MAX_MEMBERS
        or total > ZIP_MAX_UNCOMPRESSED
        or any(
            m.file_size >= _ZIP_RATIO_FLOOR and m.file_size > ZIP_MAX_RATIO * m.compress_size
            for m in members
        )
    ):
        raise Rejected(
            f"Tệp “{name}” là tệp nén bất thường (giải nén ra quá lớn hoặc tỉ lệ nén "
            "quá cao), có thể là “bom nén”; tệp bị từ chối."
        )


def _check_size(kind: MediaKind, data: bytes, name: str) -> None:
    if len(data) > LIMITS[kind]:
        raise _too_large(name, len(data), LIMITS[kind], _KIND_LABELS[kind])


def _too_large(name: str, size: int, limit: int, what: str) -> Rejected:
    # Round the size up so the message never shows a size equal to the limit.
    size_mb = math.ceil(size / _MB * 10) / 10
    return Rejected(
        f"Tệp “{name}” nặng {number_vi(size_mb)} MB, vượt giới hạn "
        f"{number_vi(limit / _MB)} MB cho {what}."
    )


# --- text extraction --------------------------------------------------------------


def _collect(parts: Iterable[str]) -> str:
    """NFC, whitespace collapsed, capped; stops pulling parts once the cap is reached."""
    kept: list[str] = []
    length = 0
    for part in parts:
        if part:
            kept.append(part)
            length += len(part) + 1
        if length > TEXT_MAX_CHARS:
            break
    return clean_text(" ".join(kept))[:TEXT_MAX_CHARS]


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # exactly Unicode category Cc


def clean_text(text: str) -> str:
    """NFC, control characters dropped, every whitespace run made one space."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", text))
    return " ".join(text.split())


def _docx_text(document: DocxDocument) -> Iterator[str]:
    yield from _docx_blocks(document.iter_inner_content())


def _docx_blocks(blocks: Iterable[Paragraph | Table]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block.text
        else:
            # A merged cell shows up once per grid column it spans. The set holds the
            # elements themselves: lxml returns the same proxy for a node while it lives.
            seen: set[object] = set()
            for row in block.rows:
                for cell in row.cells:
                    if cell._tc in seen:
                        continue
                    seen.add(cell._tc)
                    yield from _docx_blocks(cell.iter_inner_content())


def _xlsx_text(data: bytes) -> Iterator[str]:
    workbook = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    try:
        cells = 0
        for sheet in workbook.worksheets:
            yield sheet.title
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    cells += 1
                    if cells > XLSX_MAX_CELLS:
                        return
                    if value is not None:
                        yield _cell_text(value)
    finally:
        workbook.close()  # read-only workbooks keep the archive open


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


# --- images -----------------------------------------------------------------------


def open_image(
    data: bytes, name: str, *, scan_only: bool = False
) -> tuple[Image.Image, tuple[int, int]]:
    """A decoded JPEG/PNG/WebP/GIF (first frame) and its stored size, or Rejected.

    `scan_only` lets a JPEG decode at 1/8 scale: the whole stream is still read, so
    truncation shows, at a fraction of the memory.
    """
    try:
        with Image.open(BytesIO(data), formats=tuple(_IMAGE_FORMATS)) as probe:
            _check_pixels(probe.size, name)
            probe.verify()
        im = Image.open(BytesIO(data), formats=tuple(_IMAGE_FORMATS))
        size = im.size
        if scan_only and im.format == "JPEG":
            im.draft("RGB", (max(1, im.width // 8), max(1, im.height // 8)))
        im.load()
    except Rejected:
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own, far higher, limit
        raise _too_many_pixels(name, None) from exc
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, ...
        raise damaged(name, MediaKind.image) from exc
    return im, size


def _check_pixels(size: tuple[int, int], name: str) -> None:
    if size[0] * size[1] > MAX_IMAGE_PIXELS:
        raise _too_many_pixels(name, size)


# --- messages ---------------------------------------------------------------------


def display_name(filename: str) -> str:
    """The last path part, without control/format characters (a U+202E can disguise
    “exe.pdf”), NFC, shortened; only ever shown inside messages."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(c for c in base if unicodedata.category(c) not in ("Cc", "Cf")).strip()
    if len(base) > 80:
        base = base[:79] + "…"
    return base or "(không tên)"


#: Characters no stored or downloaded name keeps: path separators, quotes, and what
#: Windows forbids in names.
_UNSAFE_NAME_CHARS = re.compile(r'[\\/:*?"<>|]')
_SAME_TYPE = {".jpg": (".jpg", ".jpeg")}
NAME_MAX_CHARS = 120


def safe_filename(filename: str, extension: str) -> str:
    """`filename` fit to store and to send back in a download: its last path part, NFC,
    without control, format or private-use characters (a U+202E can disguise “exe.pdf”)
    nor path separators, quotes or characters Windows forbids, no leading dot, shortened,
    and ending in `extension`, the type the content really is (“anh.png” holding a JPEG
    becomes “anh.jpg”, “hoso.exe” holding a PDF “hoso.pdf”)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(c for c in base if not unicodedata.category(c).startswith("C"))
    base = " ".join(_UNSAFE_NAME_CHARS.sub("_", base).split()).strip(" .")
    stem, ext = os.path.splitext(base)
    if not ext or ext.lower() not in _SAME_TYPE.get(extension, (extension,)):
        stem, ext = (stem if ext else base), extension
    stem = stem.strip(" .")[: NAME_MAX_CHARS - len(ext)].rstrip(" .") or "tep"
    return stem + ext.lower()


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def number_vi(value: float) -> str:
    """Vietnamese style: decimal comma, no trailing zeros."""
    if value == int(value):
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".").replace(".", ",")


def _not_allowed(name: str, hint: str | None) -> Rejected:
    detail = f"nội dung là {hint}." if hint else "nội dung không khớp định dạng nào được phép."
    return Rejected(f"Tệp “{name}” không phải {_ALLOWED}: {detail}")


def damaged(name: str, kind: MediaKind | None) -> Rejected:
    what = f" như {_KIND_LABELS[kind]}" if kind else ""
    return Rejected(f"Tệp “{name}” bị hỏng hoặc không đọc được{what}; hãy kiểm tra và tải lại.")


def _encrypted(name: str) -> Rejected:
    return Rejected(
        f"Tệp “{name}” là PDF đặt mật khẩu hoặc bị mã hoá nên không đọc được; "
        "hãy gỡ mật khẩu rồi tải lên lại."
    )


def _too_many_pixels(name: str, size: tuple[int, int] | None) -> Rejected:
    limit = f"{number_vi(MAX_IMAGE_PIXELS / 1_000_000)} triệu điểm ảnh"
    actual = f" ({size[0]}×{size[1]} điểm ảnh)" if size else ""
    return Rejected(
        f"Ảnh “{name}” quá lớn{actual}, vượt giới hạn {limit}; hãy thu nhỏ ảnh rồi tải lên lại."
    )
