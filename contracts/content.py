"""Content types: what each kind of published work carries besides its title and body.

Every article has the common fields of `ArticlePublished` (title, summary, body,
category, author …). Its `kind` says which extra fields it has; those are the
`details` models below, one per kind, so a renderer or a partner knows exactly
what a legal document or a photo gallery holds. JSON Schemas for each are
generated into `contracts/schemas/content/` and checked like the events.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

ContentKind = Literal[
    "news",  # tin tức
    "direction",  # chỉ đạo điều hành
    "announcement",  # thông báo
    "document",  # văn bản
    "gallery",  # ảnh
    "video",
    "audio",
    "infographic",
    "page",  # trang tĩnh: giới thiệu, cơ cấu tổ chức, chức năng, lãnh đạo, liên hệ
]
CONTENT_KINDS: tuple[str, ...] = ContentKind.__args__  # type: ignore[attr-defined]

KIND_LABELS_VI: dict[str, str] = {
    "news": "Tin tức",
    "direction": "Chỉ đạo điều hành",
    "announcement": "Thông báo",
    "document": "Văn bản",
    "gallery": "Ảnh",
    "video": "Video",
    "audio": "Âm thanh",
    "infographic": "Infographic",
    "page": "Trang giới thiệu",
}

#: Language codes a translation may have: English and the ethnic-minority
#: languages of the city's communities (ISO 639: Mường, Dao, Tày, H'Mông).
LANGUAGES: dict[str, str] = {
    "vi": "Tiếng Việt",
    "en": "English",
    "mtq": "Tiếng Mường",
    "ium": "Tiếng Dao",
    "tyz": "Tiếng Tày",
    "hmn": "Tiếng H'Mông",
}


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class ImageSource(_Part):
    url: str = Field(description="Path of one resized copy, e.g. /media/hanoi/<id>/w960.webp.")
    width: int = Field(ge=1)


class Image(_Part):
    """An uploaded image with the text a screen reader speaks (alt is required)."""

    media_id: str
    alt: str = Field(min_length=1, max_length=300)
    caption: str = ""
    url: str = Field(description="Path of the largest copy.")
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    sources: list[ImageSource] = Field(default_factory=list, description="For srcset.")


class Attachment(_Part):
    """A document attached to an article (PDF, DOCX, XLSX), checked by content."""

    media_id: str
    filename: str
    title: str = ""
    media_type: str
    size: int = Field(ge=1)
    url: str


class Author(_Part):
    """One author of a work and their share of it, for royalties (nhuận bút)."""

    name: str = Field(min_length=1, max_length=200)
    share: Decimal = Field(gt=0, le=1)


ValidityStatus = Literal["in_force", "not_yet_in_force", "partly_in_force", "expired"]
VALIDITY_LABELS_VI: dict[str, str] = {
    "in_force": "Còn hiệu lực",
    "not_yet_in_force": "Chưa có hiệu lực",
    "partly_in_force": "Hết hiệu lực một phần",
    "expired": "Hết hiệu lực toàn bộ",
}


class DocumentDetails(_Part):
    """A legal or administrative document (văn bản); its full text is the body."""

    kind: Literal["document"] = "document"
    number: str = Field(min_length=1, max_length=100, description="Số, ký hiệu: 12/QĐ-UBND.")
    doc_type: str = Field(min_length=1, max_length=100, description="Quyết định, Chỉ thị …")
    issuer: str = Field(min_length=1, max_length=300, description="Cơ quan ban hành.")
    signer: str = Field(default="", max_length=200, description="Người ký.")
    issued_on: date
    effective_on: date | None = None
    field: str = Field(default="", max_length=200, description="Lĩnh vực.")
    validity: ValidityStatus = "in_force"


class GalleryDetails(_Part):
    kind: Literal["gallery"] = "gallery"
    photos: list[Image] = Field(min_length=1, max_length=200)


class VideoDetails(_Part):
    kind: Literal["video"] = "video"
    source_url: HttpUrl = Field(description="The video file or its page on the city's host.")
    duration_seconds: int | None = Field(default=None, ge=1)
    poster: Image | None = None
    transcript: str = Field(default="", description="Text alternative (WCAG 1.2).")


class AudioDetails(_Part):
    kind: Literal["audio"] = "audio"
    source_url: HttpUrl
    duration_seconds: int | None = Field(default=None, ge=1)
    transcript: str = Field(default="", description="Text alternative (WCAG 1.2).")


class InfographicDetails(_Part):
    kind: Literal["infographic"] = "infographic"
    image: Image
    long_description: str = Field(
        min_length=1, description="Everything the picture says, in text (WCAG 1.1)."
    )


PageKind = Literal["introduction", "organisation", "functions", "leadership", "contacts", "other"]
PAGE_KIND_LABELS_VI: dict[str, str] = {
    "introduction": "Giới thiệu chung",
    "organisation": "Cơ cấu tổ chức",
    "functions": "Chức năng, nhiệm vụ",
    "leadership": "Lãnh đạo",
    "contacts": "Thông tin liên hệ",
    "other": "Trang khác",
}


class Leader(_Part):
    name: str = Field(min_length=1, max_length=200)
    position: str = Field(min_length=1, max_length=300)
    bio: str = ""
    photo: Image | None = None
    phone: str = ""
    email: str = ""


class Contact(_Part):
    unit: str = Field(min_length=1, max_length=300)
    address: str = ""
    phone: str = ""
    email: str = ""


class PageDetails(_Part):
    kind: Literal["page"] = "page"
    page_kind: PageKind
    leaders: list[Leader] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)


Details = Annotated[
    DocumentDetails
    | GalleryDetails
    | VideoDetails
    | AudioDetails
    | InfographicDetails
    | PageDetails,
    Field(discriminator="kind"),
]

#: Kinds whose articles must carry details of that kind.
DETAILS_OF_KIND: dict[str, type[_Part]] = {
    "document": DocumentDetails,
    "gallery": GalleryDetails,
    "video": VideoDetails,
    "audio": AudioDetails,
    "infographic": InfographicDetails,
    "page": PageDetails,
}

CONTENT_TYPE_MODELS: tuple[type[BaseModel], ...] = (
    DocumentDetails,
    GalleryDetails,
    VideoDetails,
    AudioDetails,
    InfographicDetails,
    PageDetails,
    Image,
    Attachment,
    Author,
)
