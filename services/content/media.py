"""Attachments and images for articles: what a file really is, its text, its sizes.

`inspect` (from runtime.uploads, shared with other services) decides from the bytes
alone whether an upload is a PDF, DOCX, XLSX or image, refuses everything else with
a Vietnamese message that editors see as-is, and extracts plain text for search.
`image_variants` makes the responsive WebP copies, `validate_alt_text` enforces alt
text. `FileStorage` is the only I/O here: a small adapter behind `MediaStorage`,
which a cluster replaces with object storage (`S3Storage`, in objectstore.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from stat import S_ISREG
from typing import BinaryIO, Protocol, runtime_checkable

from PIL import Image, ImageCms, ImageOps

from runtime.uploads import (
    LIMITS,
    Inspected,
    MediaKind,
    Rejected,
    clean_text,
    damaged,
    inspect,
    open_image,
)

__all__ = [
    "CHUNK_BYTES",
    "LIMITS",
    "FileStorage",
    "Inspected",
    "MediaKind",
    "MediaStorage",
    "Rejected",
    "Variant",
    "image_variants",
    "inspect",
    "key_parts",
    "validate_alt_text",
]

IMAGE_WIDTHS = (480, 960, 1600)
ALT_MAX_CHARS = 300

_WEBP_QUALITY = 80
_WEBP_MAX_SIDE = 16383  # the WebP format cannot store a larger side


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    media_type: str
    extension: str
    data: bytes


# --- images -----------------------------------------------------------------------


def image_variants(data: bytes) -> list[Variant]:
    """Responsive copies: each IMAGE_WIDTHS width below the original, then the original size.

    All are WebP (every browser the portal supports decodes it, and it is much smaller
    than JPEG/PNG at equal quality); a side over WebP's 16383 px limit falls back to
    JPEG, or PNG when there is transparency. EXIF orientation is applied and all
    metadata (EXIF, GPS, ICC, comments) dropped; colours are converted to sRGB first.
    """
    opened, _ = open_image(data, "ảnh")
    try:
        with opened:
            return _variants(opened)
    except Exception as exc:  # e.g. a malformed EXIF block; open_image caught the rest
        raise damaged("ảnh", MediaKind.image) from exc


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
    cleaned = clean_text(alt)
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


# --- storage ----------------------------------------------------------------------


@runtime_checkable
class MediaStorage(Protocol):
    """Where uploaded files live: FileStorage here, S3Storage (objectstore.py) in a cluster.

    A missing key is None, never an exception; keys are checked with `key_parts`.
    """

    async def put(self, key: str, data: bytes) -> None: ...
    async def get(self, key: str) -> bytes | None: ...
    async def delete(self, key: str) -> None: ...
    async def stat(self, key: str) -> int | None:
        """The object's size in bytes, or None if there is none."""
        ...

    async def read_range(
        self, key: str, start: int = 0, stop: int | None = None
    ) -> AsyncIterator[bytes] | None:
        """Bytes [start, stop) of the object in chunks of at most CHUNK_BYTES (stop None:
        to the end), or None if there is none. Only what is asked for is read."""
        ...


#: Largest piece read_range hands out at once.
CHUNK_BYTES = 256 * 1024

# Keys are made by the service ("hanoi/<sha256>/original.pdf"); an allow-list per part
# rules out "." and "..", absolute paths, backslashes, NUL, and hidden names such as
# our own temp files.
_KEY_PART = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


def key_parts(key: str) -> list[str]:
    """The parts of a valid key; ValueError for anything the allow-list refuses."""
    parts = key.split("/") if isinstance(key, str) and len(key) <= 1024 else []
    if not parts or not all(_KEY_PART.fullmatch(p) for p in parts):
        raise ValueError(f"invalid media key: {key!r}")
    return parts


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

    async def stat(self, key: str) -> int | None:
        return await asyncio.to_thread(self._size, key)

    async def read_range(
        self, key: str, start: int = 0, stop: int | None = None
    ) -> AsyncIterator[bytes] | None:
        if start < 0 or (stop is not None and stop < start):
            raise ValueError(f"invalid range: {start}-{stop}")
        opened = await asyncio.to_thread(self._open, key)
        return None if opened is None else _file_chunks(opened, start, stop)

    # Below: blocking, run in a worker thread (resolve() too touches the disk).

    def _path(self, key: str) -> Path:
        path = self._root.joinpath(*key_parts(key))
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

    def _size(self, key: str) -> int | None:
        try:
            info = self._path(key).stat()
        except FileNotFoundError:
            return None
        return info.st_size if S_ISREG(info.st_mode) else None

    def _open(self, key: str) -> BinaryIO | None:
        try:
            return self._path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError):
            return None


async def _file_chunks(file: BinaryIO, start: int, stop: int | None) -> AsyncIterator[bytes]:
    # The file is closed however the reader stops (end, error, client gone).
    try:
        await asyncio.to_thread(file.seek, start)
        left = None if stop is None else stop - start
        while left is None or left > 0:
            size = CHUNK_BYTES if left is None else min(CHUNK_BYTES, left)
            chunk = await asyncio.to_thread(file.read, size)
            if not chunk:
                return
            if left is not None:
                left -= len(chunk)
            yield chunk
    finally:
        file.close()


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
