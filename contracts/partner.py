"""Events for partner systems (iHanoi, HanoiWork, QLVB, the press, the Government
portal): the curated `partner.*` topics and the bodies of the webhooks.

They carry public fields only: what any reader of the site can see, with absolute
URLs, never an account name, a revision id or anything of the editorial process. A
partner reads them with its own credentials (its Kafka user may read `partner.*` and
nothing else) or receives them as signed webhooks.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.content import ContentKind
from contracts.events import TYPE_PREFIX, Event


def _ce_type(name: str) -> str:
    return f"{TYPE_PREFIX}.partner.{name}.v1"


class PublicImage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    url: str = Field(description="Absolute URL of the largest copy.")
    alt: str
    caption: str = ""
    width: int = Field(ge=1)
    height: int = Field(ge=1)


class PublicAttachment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    url: str = Field(description="Absolute URL of the file.")
    filename: str
    title: str = ""
    media_type: str
    size: int = Field(ge=1)


class PartnerArticlePublished(Event):
    """An article is live on a site, or changed there: what a reader sees of it."""

    ce_type: ClassVar[str] = _ce_type("ArticlePublished")
    key_field: ClassVar[str] = "article_id"

    article_id: str
    version: int = Field(ge=1, description="Higher is newer; ignore an older one.")
    site_name: str
    url: str = Field(description="Absolute URL of the article.")
    canonical_url: str = Field(description="The original's URL: itself, or the origin site's.")
    kind: ContentKind = "news"
    language: str = "vi"
    category: str
    category_name: str
    title: str
    summary: str
    body_html: str = Field(description="Sanitised HTML, links absolute.")
    author: str
    published_at: AwareDatetime
    updated_at: AwareDatetime
    images: list[PublicImage] = Field(default_factory=list)
    attachments: list[PublicAttachment] = Field(default_factory=list)


class PartnerArticleWithdrawn(Event):
    """An article is no longer on the site (its address answers 410 or a notice)."""

    ce_type: ClassVar[str] = _ce_type("ArticleWithdrawn")
    key_field: ClassVar[str] = "article_id"

    article_id: str
    version: int = Field(ge=1)
    url: str
    withdrawn_at: AwareDatetime
    notice: str = Field(default="", description="The public notice, when the site shows one.")


class PartnerAnswerPublished(Event):
    """A citizen's question was answered and the answer is public (personal data removed)."""

    ce_type: ClassVar[str] = _ce_type("AnswerPublished")
    key_field: ClassVar[str] = "question_id"

    question_id: str
    code: str
    kind: Literal["question", "feedback"]
    field: str
    title: str
    question_text: str
    answer_html: str
    url: str
    received_at: AwareDatetime
    published_at: AwareDatetime
    on_time: bool


#: What a webhook's `type` is, per partner event: the names partners subscribe to.
WEBHOOK_TYPES: dict[type[Event], str] = {
    PartnerArticlePublished: "article.published",
    PartnerArticleWithdrawn: "article.withdrawn",
    PartnerAnswerPublished: "answer.published",
}
