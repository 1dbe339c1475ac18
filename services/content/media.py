"""Attachments and images for articles: what a file really is, its text, its sizes.

`inspect` decides from the bytes alone whether an upload is a PDF, DOCX, XLSX or
image (JPEG, PNG, WebP, GIF), refuses everything else with a Vietnamese message
that editors see as-is, and extracts plain text for search. `image_variants`
makes the responsive WebP copies, `validate_alt_text` enforces alt text.
`FileStorage` is the only I/O here: a small adapter behind `MediaStorage`, which
production replaces with object storage.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from io import BytesIO
from pathlib import Path
from typing import Protocol, runtime_checkable

import docx
import openpyxl
import pypdf
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph
from PIL import ExifTags, Image, ImageCms, ImageOps
from pypdf.errors import DependencyError, FileNotDecryptedError


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
IMAGE_WIDTHS = (480, 960, 1600)
MAX_IMAGE_PIXELS = 40_000_000

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
ALT_MAX_CHARS = 300

_WEBP_QUALITY = 80
_WEBP_MAX_SIDE = 16383  # the WebP format cannot store a larger side

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


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    media_type: str
    extension: str
    data: bytes


# --- inspection -------------------------------------------------------------------


def inspect(data: bytes, filename: str) -> Inspected:
    """What `data` really is, checked by content; Rejected (Vietnamese message) otherwise.

    `filename` only feeds the messages: a photo named .png that is a JPEG is accepted
    as a JPEG, an executable named .pdf is refused and the message says so.
    """
    name = _display_name(filename)
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
    if data.startswith(b"%PDF-"):
        return _inspect_pdf(data, name)
    if data.startswith(b"PK\x03\x04"):
        return _inspect_zip(data, name)
    if _image_magic(data):
        return _inspect_image(data, name)
    raise _not_allowed(name, _hint(data))


def _inspect_pdf(data: bytes, name: str) -> Inspected:
    _check_size(MediaKind.pdf, data, name)
    try:
        pages, text = _read_pdf(data, name)
    except Rejected:
        raise
    except (FileNotDecryptedError, DependencyError) as exc:
        # DependencyError: AES needs the `cryptography` package, which we do not ship.
        raise _encrypted(name) from exc
    except Exception as exc:  # pypdf raises many types on broken input; all mean the same
        raise _damaged(name, MediaKind.pdf) from exc
    return _result(MediaKind.pdf, "application/pdf", ".pdf", data, text=text, pages=pages)


def _read_pdf(data: bytes, name: str) -> tuple[int, str]:
    reader = pypdf.PdfReader(BytesIO(data))
    # An empty user password only restricts printing/copying; the text stays readable.
    if reader.is_encrypted and not reader.decrypt(""):
        raise _encrypted(name)
    pages = len(reader.pages)
    if pages == 0:
        raise _damaged(name, MediaKind.pdf)
    text = _collect(reader.pages[i].extract_text() or "" for i in range(min(pages, PDF_MAX_PAGES)))
    return pages, text


def _inspect_zip(data: bytes, name: str) -> Inspected:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise _damaged(name, None) from exc
    with archive:
        members = archive.infolist()
        _check_zip_bomb(members, name)
        names = {m.filename for m in members}
        if len(names) != len(members):
            # Two members with one name: readers disagree about which one is the content.
            raise _damaged(name, None)
        kind = _office_kind(names)
        if kind is None:
            raise _not_allowed(name, _zip_hint(archive, names))
        _check_size(kind, data, name)
        try:
            content_types = archive.read("[Content_Types].xml")
        except Exception as exc:  # bad CRC, unsupported compression, encrypted member...
            raise _damaged(name, kind) from exc
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
        raise _damaged(name, kind) from exc
    media_type, ext = (_DOCX_TYPE, ".docx") if kind is MediaKind.docx else (_XLSX_TYPE, ".xlsx")
    return _result(kind, media_type, ext, data, text=text)


def _inspect_image(data: bytes, name: str) -> Inspected:
    _check_size(MediaKind.image, data, name)
    im, (width, height) = _open_image(data, name, scan_only=True)
    with im:
        fmt = im.format or ""
        try:
            swapped = im.getexif().get(ExifTags.Base.Orientation) in (5, 6, 7, 8)
        except Exception as exc:  # malformed EXIF block
            raise _damaged(name, MediaKind.image) from exc
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
    limit = LIMITS[kind]
    if len(data) > limit:
        # Round the size up so the message never shows a size equal to the limit.
        size_mb = math.ceil(len(data) / _MB * 10) / 10
        raise Rejected(
            f"Tệp “{name}” nặng {_number(size_mb)} MB, vượt giới hạn "
            f"{_number(limit / _MB)} MB cho {_KIND_LABELS[kind]}."
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
    return _clean_text(" ".join(kept))[:TEXT_MAX_CHARS]


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # exactly Unicode category Cc


def _clean_text(text: str) -> str:
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


def _open_image(
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
        raise _damaged(name, MediaKind.image) from exc
    return im, size


def _check_pixels(size: tuple[int, int], name: str) -> None:
    if size[0] * size[1] > MAX_IMAGE_PIXELS:
        raise _too_many_pixels(name, size)


def image_variants(data: bytes) -> list[Variant]:
    """Responsive copies: each IMAGE_WIDTHS width below the original, then the original size.

    All are WebP (every browser the portal supports decodes it, and it is much smaller
    than JPEG/PNG at equal quality); a side over WebP's 16383 px limit falls back to
    JPEG, or PNG when there is transparency. EXIF orientation is applied and all
    metadata (EXIF, GPS, ICC, comments) dropped; colours are converted to sRGB first.
    """
    opened, _ = _open_image(data, "ảnh")
    try:
        with opened:
            return _variants(opened)
    except Exception as exc:  # e.g. a malformed EXIF block; _open_image caught the rest
        raise _damaged("ảnh", MediaKind.image) from exc


def _variants(opened: Image.Image) -> list[Variant]:
    im = ImageOps.exif_transpose(opened)
    im = _to_srgb(im)
    im = _web_mode(im)
    im.info = {}  # nothing from the upload rides along into the copies
    variants = []
    for width in IMAGE_WIDTHS:
        if width < im.width:
            height = max(1, round(im.height * width / im.width))
            variants.append(_encode(im.resize((width, height), Image.Resampling.LANCZOS)))
    variants.append(_encode(im))
    return variants


_SRGB = ImageCms.createProfile("sRGB")


def _to_srgb(im: Image.Image) -> Image.Image:
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "RGBA", "CMYK"):
        return im
    try:
        converted = ImageCms.profileToProfile(
            im,
            ImageCms.ImageCmsProfile(BytesIO(icc)),
            _SRGB,
            outputMode="RGBA" if im.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A broken profile is no reason to refuse the picture; plain conversion follows.
        return im
    return converted or im


def _web_mode(im: Image.Image) -> Image.Image:
    """RGB, or RGBA when the image has any transparency (palette, LA, tRNS...)."""
    if im.mode in ("I", "F") or im.mode.startswith("I;16"):
        # 16-bit/float greyscale: scale to 8 bits instead of letting convert() clip.
        im = im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    alpha = im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info
    target = "RGBA" if alpha else "RGB"
    return im if im.mode == target else im.convert(target)


def _encode(im: Image.Image) -> Variant:
    out = BytesIO()
    if max(im.size) <= _WEBP_MAX_SIDE:
        im.save(out, "WEBP", quality=_WEBP_QUALITY)
        media_type, ext = "image/webp", ".webp"
    elif im.mode == "RGBA":
        im.save(out, "PNG", optimize=True)
        media_type, ext = "image/png", ".png"
    else:
        im.save(out, "JPEG", quality=85, optimize=True, progressive=True)
        media_type, ext = "image/jpeg", ".jpg"
    return Variant(im.width, im.height, media_type, ext, out.getvalue())


# --- alt text ---------------------------------------------------------------------

_FILENAME_ALT = re.compile(
    r"""
    ^[^/\\]*\.(jpe?g|png|webp|gif|bmp|tiff?|heic|heif|avif|svg)$   # photo.jpg
    | ^(img|dsc[nf]?|pxl|mvimg|dji|gopr|screenshot|ảnh)[\s_-]*[\d_-]+$  # IMG_1234
    """,
    re.IGNORECASE | re.VERBOSE,
)
_PLACEHOLDER_ALTS = {"ảnh", "hình", "hình ảnh", "image", "img", "photo", "picture", "alt"}


def validate_alt_text(alt: str) -> str:
    """The alt text, NFC and whitespace collapsed; Rejected if missing, too long or a filename."""
    cleaned = _clean_text(alt)
    if not cleaned:
        raise Rejected(
            "Ảnh phải có mô tả (alt): hãy viết ngắn gọn ảnh thể hiện gì, "
            "để người dùng trình đọc màn hình cũng hiểu."
        )
    if len(cleaned) > ALT_MAX_CHARS:
        raise Rejected(
            f"Ảnh phải có mô tả (alt) ngắn gọn, tối đa {ALT_MAX_CHARS} ký tự "
            f"(hiện có {len(cleaned)} ký tự)."
        )
    if _FILENAME_ALT.match(cleaned):
        raise Rejected(
            f"Ảnh phải có mô tả (alt) nói rõ nội dung ảnh; “{cleaned}” là tên tệp, "
            "không phải mô tả."
        )
    if cleaned.casefold() in _PLACEHOLDER_ALTS:
        raise Rejected(
            f"Ảnh phải có mô tả (alt) nói rõ nội dung ảnh; “{cleaned}” chưa phải là mô tả."
        )
    return cleaned


# --- messages ---------------------------------------------------------------------


def _display_name(filename: str) -> str:
    """The last path part, without control/format characters (a U+202E can disguise
    “exe.pdf”), NFC, shortened; only ever shown inside messages."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(c for c in base if unicodedata.category(c) not in ("Cc", "Cf")).strip()
    if len(base) > 80:
        base = base[:79] + "…"
    return base or "(không tên)"


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def _number(value: float) -> str:
    """Vietnamese style: decimal comma, no trailing zeros."""
    if value == int(value):
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".").replace(".", ",")


def _not_allowed(name: str, hint: str | None) -> Rejected:
    detail = f"nội dung là {hint}." if hint else "nội dung không khớp định dạng nào được phép."
    return Rejected(f"Tệp “{name}” không phải {_ALLOWED}: {detail}")


def _damaged(name: str, kind: MediaKind | None) -> Rejected:
    what = f" như {_KIND_LABELS[kind]}" if kind else ""
    return Rejected(f"Tệp “{name}” bị hỏng hoặc không đọc được{what}; hãy kiểm tra và tải lại.")


def _encrypted(name: str) -> Rejected:
    return Rejected(
        f"Tệp “{name}” là PDF đặt mật khẩu hoặc bị mã hoá nên không đọc được; "
        "hãy gỡ mật khẩu rồi tải lên lại."
    )


def _too_many_pixels(name: str, size: tuple[int, int] | None) -> Rejected:
    limit = f"{_number(MAX_IMAGE_PIXELS / 1_000_000)} triệu điểm ảnh"
    actual = f" ({size[0]}×{size[1]} điểm ảnh)" if size else ""
    return Rejected(
        f"Ảnh “{name}” quá lớn{actual}, vượt giới hạn {limit}; hãy thu nhỏ ảnh rồi tải lên lại."
    )


# --- storage ----------------------------------------------------------------------


@runtime_checkable
class MediaStorage(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...
    async def get(self, key: str) -> bytes | None: ...
    async def delete(self, key: str) -> None: ...


# Keys are made by the service ("hanoi/<sha256>/original.pdf"); an allow-list per part
# rules out "." and "..", absolute paths, backslashes, NUL, and hidden names such as
# our own temp files.
_KEY_PART = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


class FileStorage:
    """MediaStorage on a local directory; writes are atomic (temp file + os.replace)."""

    def __init__(self, root: Path) -> None:
        self._root = Path(root).resolve()

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, key, data)

    async def get(self, key: str) -> bytes | None:
        return await asyncio.to_thread(self._read, key)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._delete, key)

    # Below: blocking, run in a worker thread (resolve() too touches the disk).

    def _path(self, key: str) -> Path:
        parts = key.split("/") if isinstance(key, str) and len(key) <= 1024 else []
        if not parts or not all(_KEY_PART.fullmatch(p) for p in parts):
            raise ValueError(f"invalid media key: {key!r}")
        path = self._root.joinpath(*parts)
        # A symlink inside the root could still lead out of it.
        if not path.resolve().is_relative_to(self._root):
            raise ValueError(f"media key escapes the storage root: {key!r}")
        return path

    def _write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, data)

    def _read(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return None

    def _delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
