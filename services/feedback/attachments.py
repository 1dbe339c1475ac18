"""Files a citizen attaches to a question or feedback.

Checked by their content, never by their name or declared type (runtime.uploads:
an executable named .pdf, a script, SVG or HTML is refused): at most MAX_FILES
files, each at most MAX_FILE_BYTES, together at most MAX_TOTAL_BYTES, and only PDF,
DOCX, XLSX or JPEG, PNG and WebP images. Names are made safe to store and to send
back. The files are private: stored with the question in its transaction, shown
only to the board and the unit handling it, never published.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from runtime.uploads import (
    PARSING,
    Rejected,
    display_name,
    inspect,
    number_vi,
    safe_filename,
)
from services.feedback.domain import Invalid

_MB = 1024 * 1024
MAX_FILES = 3
MAX_FILE_BYTES = 10 * _MB
MAX_TOTAL_BYTES = 20 * _MB
ALLOWED_TYPES = frozenset(
    {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "image/jpeg",
        "image/png",
        "image/webp",
    }
)
ALLOWED_VI = "tệp PDF, DOCX, XLSX hoặc ảnh JPEG, PNG, WebP"


@dataclass(frozen=True)
class Attachment:
    """A checked file: its safe name, its real type, and its bytes."""

    filename: str
    media_type: str
    size: int
    sha256: str
    data: bytes = field(repr=False)


class Upload(Protocol):
    """An uploaded file as web frameworks give it (Litestar's UploadFile is one)."""

    filename: str

    async def read(self, size: int = -1) -> bytes: ...


def chosen(files: Iterable[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The files actually chosen: a form's file field left empty still sends a part
    with no name and no bytes, which is no attachment."""
    return [(name, data) for name, data in files if name or data]


def check_count_and_total(sizes: Sequence[int]) -> None:
    """Invalid (Vietnamese) for too many files or too many bytes together."""
    if len(sizes) > MAX_FILES:
        raise Invalid(f"Chỉ được đính kèm tối đa {MAX_FILES} tệp; Quý vị đã chọn {len(sizes)} tệp.")
    total = sum(sizes)
    if total > MAX_TOTAL_BYTES:
        total_mb = math.ceil(total / _MB * 10) / 10
        raise Invalid(
            f"Tổng dung lượng các tệp đính kèm là {number_vi(total_mb)} MB, vượt giới hạn "
            f"{number_vi(MAX_TOTAL_BYTES / _MB)} MB."
        )


def check_one(filename: str, data: bytes) -> Attachment:
    """One file checked by its content; Invalid with the reason otherwise. CPU work
    (a PDF or DOCX is parsed): run it off the event loop."""
    try:
        found = inspect(data, filename, max_bytes=MAX_FILE_BYTES, pdf_text=False)
    except Rejected as exc:
        raise Invalid(str(exc)) from exc
    if found.media_type not in ALLOWED_TYPES:
        raise Invalid(
            f"Tệp “{display_name(filename)}” có định dạng {found.media_type}; "
            f"chỉ nhận {ALLOWED_VI}."
        )
    return Attachment(
        filename=safe_filename(filename, found.extension),
        media_type=found.media_type,
        size=found.size,
        sha256=found.sha256,
        data=data,
    )


def check(files: Iterable[tuple[str, bytes]]) -> list[Attachment]:
    """(name, bytes) pairs as checked Attachments; Invalid at the first problem."""
    picked = chosen(files)
    check_count_and_total([len(data) for _, data in picked])
    return [check_one(name, data) for name, data in picked]


async def from_uploads(uploads: Sequence[Upload]) -> list[Attachment]:
    """Uploaded files (e.g. a form's `attachments` field) as checked Attachments;
    raises domain Invalid with a Vietnamese message. The request's size limit bounds
    what is read; parsing runs in a worker thread."""
    async with PARSING.take():  # read and parse within the process's bound
        files = [(upload.filename or "", await upload.read()) for upload in uploads]
        return await asyncio.to_thread(check, files)
