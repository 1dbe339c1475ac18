"""Public events: the facts services tell each other, as Pydantic models.

Each event carries the state its consumers need (event-carried state transfer),
so a consumer never calls the producer back. Models are the source of truth; the
JSON Schemas and the AsyncAPI document under `contracts/` are generated from them
and checked for drift and backward compatibility in CI.

Rules for changing a model (see docs/adr/0004-event-envelope-and-versioning.md):
add optional fields only; never remove, rename or retype a field, and never add
a required one. A breaking change is a new model on a new `.v2` topic.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

TYPE_PREFIX = "vn.gov.hanoi.portal"

TenantSlug = str
TenantKind = Literal["city", "department", "ward", "commune", "special"]


class Event(BaseModel):
    """Base of every public event.

    `extra="ignore"` lets an older consumer read a newer producer's event, which
    may carry optional fields the consumer does not know yet.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    #: CloudEvents `type`, e.g. "vn.gov.hanoi.portal.content.ArticlePublished.v1".
    ce_type: ClassVar[str]
    #: Name of the field holding the aggregate id: the Kafka key and `ce_subject`.
    key_field: ClassVar[str]

    tenant: TenantSlug = Field(description="Slug of the site (tenant) the fact belongs to.")

    def key(self) -> str:
        return str(getattr(self, self.key_field))


def _ce_type(service: str, name: str) -> str:
    return f"{TYPE_PREFIX}.{service}.{name}.v1"


# --- admin -------------------------------------------------------------------


class TenantUpserted(Event):
    """A site was created or changed. Compacted topic: the latest per slug wins."""

    ce_type: ClassVar[str] = _ce_type("admin", "TenantUpserted")
    key_field: ClassVar[str] = "tenant"

    kind: TenantKind
    name: str = Field(min_length=1, description="Official Vietnamese name of the site.")
    domain: str = Field(min_length=1, description="Public host name, e.g. hoankiem.hanoi.gov.vn.")
    languages: list[str] = Field(min_length=1, description="Language codes, Vietnamese first.")
    parent: TenantSlug | None = Field(description="Portal this site is a component of.")
    owner: TenantSlug = Field(description="Tenant whose editorial board runs this site.")
    active: bool = True
    sequence: int = Field(ge=1, description="Version of the tenant record; higher wins.")


# --- content -----------------------------------------------------------------


class RevisionSubmitted(Event):
    """An editor sent a revision of an article to the editorial board."""

    ce_type: ClassVar[str] = _ce_type("content", "RevisionSubmitted")
    key_field: ClassVar[str] = "article_id"

    article_id: str
    revision_id: str
    revision_number: int = Field(ge=1)
    category: str
    title: str
    summary: str
    body_html: str = Field(description="Sanitised HTML of the body.")
    author: str = Field(description="Display name of the author.")
    submitted_by: str = Field(description="Account name of the editor who submitted.")
    submitted_at: AwareDatetime


class ArticlePublished(Event):
    """A revision is live: everything a reader needs to show the article."""

    ce_type: ClassVar[str] = _ce_type("content", "ArticlePublished")
    key_field: ClassVar[str] = "article_id"

    article_id: str
    revision_id: str
    sequence: int = Field(ge=1, description="Per-article version; consumers ignore older ones.")
    category: str = Field(description="Slug of the article's category on its site.")
    category_name: str = Field(description="Vietnamese name of the category.")
    slug: str
    path: str = Field(description="Path of the article page on its site, e.g. /tin-tuc/abc.")
    title: str
    summary: str
    body_html: str = Field(description="Sanitised HTML of the body.")
    author: str
    approved_by: str
    published_at: AwareDatetime = Field(description="First publication.")
    updated_at: AwareDatetime = Field(description="This revision's publication.")


class ArticleWithdrawn(Event):
    """An article was taken off its site."""

    ce_type: ClassVar[str] = _ce_type("content", "ArticleWithdrawn")
    key_field: ClassVar[str] = "article_id"

    article_id: str
    sequence: int = Field(ge=1)
    path: str
    reason: str
    withdrawn_by: str
    withdrawn_at: AwareDatetime


# --- editorial ---------------------------------------------------------------


class RevisionApproved(Event):
    """The editorial board (Ban Biên tập) approved a revision for publication."""

    ce_type: ClassVar[str] = _ce_type("editorial", "RevisionApproved")
    key_field: ClassVar[str] = "article_id"

    article_id: str
    revision_id: str
    decided_by: str
    decided_at: AwareDatetime
    note: str = ""


class RevisionRejected(Event):
    """The editorial board refused a revision, with the reason the editor will read."""

    ce_type: ClassVar[str] = _ce_type("editorial", "RevisionRejected")
    key_field: ClassVar[str] = "article_id"

    article_id: str
    revision_id: str
    decided_by: str
    decided_at: AwareDatetime
    reason: str = Field(min_length=1)
