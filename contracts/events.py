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

from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.content import Attachment, Author, ContentKind, Details, Image

TYPE_PREFIX = "vn.gov.hanoi.portal"

TenantSlug = str
#: editor: the normal path; forced: the board head published without review,
#: to be reviewed afterwards; migrated: imported from the old portal, where it
#: had been approved already.
Origin = Literal["editor", "forced", "migrated"]
WithdrawalKind = Literal["notice", "redirect", "gone"]
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


class SiteProfile(BaseModel):
    """Facts every site must show in its footer (TT 22/2023; NĐ 42/2022 Điều 4.1.a),
    and the tenant's slots for the EMC monitoring code and the network-trust badge."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    governing_body: str = Field(default="", description="Cơ quan chủ quản.")
    responsible_person: str = Field(default="", description="Người chịu trách nhiệm chính.")
    licence: str = Field(default="", description="Giấy phép (số, ngày, nơi cấp).")
    address: str = ""
    phone: str = ""
    email: str = ""
    name_en: str = Field(default="", description="The site's name in English, if it has one.")
    emc_site_id: str = Field(default="", description="Mã theo dõi EMC (tín nhiệm mạng).")
    trust_badge_id: str = Field(default="", description="Mã chứng nhận tín nhiệm mạng.")


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
    profile: SiteProfile | None = Field(default=None, description="Footer facts and slots.")


class TokensRevoked(Event):
    """Every token an account holds up to `version` stops working now: the account
    logged out, was deactivated, or its roles, password or second factor changed.
    Each service refuses a token whose version is below the latest one it knows.
    Compacted topic keyed by username: the latest version per account wins.
    `tenant` is "" (an account is platform-wide)."""

    ce_type: ClassVar[str] = _ce_type("admin", "TokensRevoked")
    key_field: ClassVar[str] = "username"

    username: str = Field(min_length=1)
    version: int = Field(ge=1, description="The account's token version from now on.")
    reason: Literal["logout", "deactivated", "roles_changed", "password_changed", "totp_reset"] = (
        Field(description="Why the account's tokens were revoked.")
    )
    at: AwareDatetime


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
    kind: ContentKind = "news"
    details: Details | None = Field(default=None, description="Extra fields of the kind.")
    language: str = Field(default="vi", description="Language code of this text.")
    translation_of: str | None = Field(default=None, description="Article id of the original.")
    images: list[Image] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)
    authors: list[Author] = Field(default_factory=list, description="For royalties.")
    origin: Origin = Field(default="editor", description="How the revision came to the board.")
    force_reason: str = Field(default="", description="Why the board head forced publication.")
    original_published_at: AwareDatetime | None = Field(
        default=None, description="First publication on the old portal (origin=migrated)."
    )


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
    kind: ContentKind = "news"
    details: Details | None = Field(default=None, description="Extra fields of the kind.")
    language: str = Field(default="vi", description="Language code of this text.")
    translation_of: str | None = Field(default=None, description="Article id of the original.")
    images: list[Image] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)
    authors: list[Author] = Field(default_factory=list)
    origin: Origin = "editor"
    previous_paths: list[str] = Field(
        default_factory=list, description="Where the article lived before; redirect from there."
    )


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
    kind: WithdrawalKind = Field(
        default="gone",
        description="notice: the page shows a public notice; redirect: it moves readers to "
        "redirect_to; gone: 410.",
    )
    notice: str = Field(default="", description="Public text shown where the article was.")
    redirect_to: str | None = Field(default=None, description="Path on the same site.")


#: Why an approval no longer applies: newer_revision, a newer revision of the article
#: was made (a forced publication, say); edited, the working copy was changed after the
#: approved revision was frozen (a scheduled article edited before its time, or one
#: edited after being withdrawn during its review); withdrawn, the article was taken off
#: the site; schedule_cancelled, the board cancelled the scheduled publication.
SupersessionReason = Literal["newer_revision", "edited", "withdrawn", "schedule_cancelled"]


class ApprovalSuperseded(Event):
    """An approval will not be published: the article changed between the board's
    decision and its publication, so content did not (and will not) publish the
    approved revision. The compensating fact for RevisionApproved: editorial stops
    waiting for the publication and tells the editors the text needs review again."""

    ce_type: ClassVar[str] = _ce_type("content", "ApprovalSuperseded")
    key_field: ClassVar[str] = "article_id"

    article_id: str
    revision_id: str = Field(description="The approved revision that will not be published.")
    current_revision_id: str = Field(
        description="The article's newest revision when the approval lapsed."
    )
    article_state: str = Field(description="The article's state then, e.g. draft, withdrawn.")
    reason: SupersessionReason
    approved_by: str = Field(default="", description="Who approved, when content knows.")
    superseded_by: str = Field(
        default="", description="Account whose action made the approval lapse; empty: none."
    )
    superseded_at: AwareDatetime


RejectionGround = Literal["policy", "secret", "untrue", "unclear_origin", "unlawful"]


class CategoryItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    slug: str
    name: str
    parent: str | None = None
    position: int = Field(ge=0)
    name_en: str = ""


class CategoryTreeUpdated(Event):
    """A site's category tree, whole. Compacted topic: the latest per site wins."""

    ce_type: ClassVar[str] = _ce_type("content", "CategoryTreeUpdated")
    key_field: ClassVar[str] = "tenant"

    categories: list[CategoryItem]
    sequence: int = Field(ge=1, description="Version of the tree; higher wins.")


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
    publish_at: AwareDatetime | None = Field(
        default=None, description="When to publish; none or past: at once."
    )
    royalty_coefficient: Decimal | None = Field(default=None, gt=0)
    forced: bool = Field(default=False, description="Published by the board head without review.")


class RevisionRejected(Event):
    """The editorial board refused a revision, with the reason the editor will read."""

    ce_type: ClassVar[str] = _ce_type("editorial", "RevisionRejected")
    key_field: ClassVar[str] = "article_id"

    article_id: str
    revision_id: str
    decided_by: str
    decided_at: AwareDatetime
    reason: str = Field(min_length=1)
    ground: RejectionGround | None = Field(
        default=None, description="Ground of Quy chế 004 Điều 14.3 (a–đ)."
    )


# --- receipts and audit (every service) -------------------------------------


DeliveryStep = Literal["site", "search", "syndication", "partners"]


class DeliveryConfirmed(Event):
    """A consumer took a published or withdrawn article: the publish receipt's evidence."""

    ce_type: ClassVar[str] = _ce_type("platform", "DeliveryConfirmed")
    key_field: ClassVar[str] = "article_id"

    article_id: str
    sequence: int = Field(ge=1, description="The article's publish sequence it applied.")
    step: DeliveryStep
    consumer: str = Field(description="Service that confirms.")
    action: Literal["published", "withdrawn"] = "published"
    confirmed_at: AwareDatetime
    detail: str = ""


class PagesChanged(Event):
    """renderer changed what some of a site's pages show: caches drop every page that
    carries one of these surrogate keys. Sent in the transaction that changed the read
    model, so a page fetched after it shows the change."""

    ce_type: ClassVar[str] = _ce_type("renderer", "PagesChanged")
    key_field: ClassVar[str] = "tenant"

    keys: list[str] = Field(min_length=1, description="Surrogate keys, e.g. article:<id>.")
    reason: str = Field(default="", description="What changed, for logs.")


class AuditRecorded(Event):
    """Someone did something: who, when, what, before and after. `tenant` is "" for
    platform-wide actions. admin appends these to its hash-chained audit log."""

    ce_type: ClassVar[str] = _ce_type("platform", "AuditRecorded")
    key_field: ClassVar[str] = "entry_id"

    entry_id: str
    actor: str
    action: str = Field(description="e.g. article.submit, review.reject, auth.login_failed.")
    subject: str = Field(description="e.g. article:<id>.")
    at: AwareDatetime
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


# --- feedback (citizens' questions) --------------------------------------------

QuestionKind = Literal["question", "feedback"]
DeadlineClock = Literal["classification", "answer"]


class QuestionSubmitted(Event):
    """A citizen's question or feedback was received (the sender confirmed it by the
    email link), with its legal deadlines. Carries no personal data and not the text,
    which stays private until an answer is published."""

    ce_type: ClassVar[str] = _ce_type("feedback", "QuestionSubmitted")
    key_field: ClassVar[str] = "question_id"

    question_id: str
    code: str = Field(description="Tracking code the citizen follows the question with.")
    kind: QuestionKind
    field: str = Field(description="Lĩnh vực, as the citizen chose it.")
    received_at: AwareDatetime
    out_of_scope_notice_due: AwareDatetime
    classification_due: AwareDatetime
    answer_due: AwareDatetime


class QuestionClassified(Event):
    """The editorial board classified the question and forwarded it to the unit that
    will answer it."""

    ce_type: ClassVar[str] = _ce_type("feedback", "QuestionClassified")
    key_field: ClassVar[str] = "question_id"

    question_id: str
    code: str
    field: str
    unit: str = Field(description="Slug of the site whose editors draft the answer.")
    classified_at: AwareDatetime
    answer_due: AwareDatetime | None = Field(description="None while the clock is paused.")


class QuestionRejectedOutOfScope(Event):
    """The question lies outside the agency's remit; the sender was told so, with the
    competent body when known."""

    ce_type: ClassVar[str] = _ce_type("feedback", "QuestionRejectedOutOfScope")
    key_field: ClassVar[str] = "question_id"

    question_id: str
    code: str
    competent_body: str = ""
    note: str
    rejected_at: AwareDatetime
    on_time: bool = Field(description="Within the same working day, as Điều 13.1.e asks.")


class AnswerPublished(Event):
    """The board approved the answer and it is public, with personal data removed."""

    ce_type: ClassVar[str] = _ce_type("feedback", "AnswerPublished")
    key_field: ClassVar[str] = "question_id"

    question_id: str
    code: str
    kind: QuestionKind
    field: str
    unit: str
    title: str
    question_text: str = Field(description="The question, personal data removed.")
    answer_html: str = Field(description="Sanitised HTML.")
    received_at: AwareDatetime
    published_at: AwareDatetime
    path: str = Field(description="Where the answer reads on the tenant's site.")
    on_time: bool


class QuestionDeadlineNear(Event):
    """One working day is left before a deadline of a question still open."""

    ce_type: ClassVar[str] = _ce_type("feedback", "QuestionDeadlineNear")
    key_field: ClassVar[str] = "question_id"

    question_id: str
    code: str
    clock: DeadlineClock
    due_at: AwareDatetime
    unit: str | None = None


class QuestionOverdue(Event):
    """A deadline of a question passed with the step not done. Sent once per missed
    deadline."""

    ce_type: ClassVar[str] = _ce_type("feedback", "QuestionOverdue")
    key_field: ClassVar[str] = "question_id"

    question_id: str
    code: str
    clock: DeadlineClock
    due_at: AwareDatetime
    detected_at: AwareDatetime
    unit: str | None = None


# --- syndication (cross-posting between sites) -----------------------------------

CopyStatus = Literal["live", "withdrawn"]


class SyndicatedCopy(BaseModel):
    """One site's copy of an article from another site (Quy chế 004 Điều 12)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    copy_id: str = Field(description="Id of the copy: its page's id on the target site.")
    tenant: TenantSlug = Field(description="The site that shows the copy.")
    path: str = Field(description="Path of the copy on that site.")
    category: str = Field(description="Slug of the category the target site files it under.")
    category_name: str = Field(description="Vietnamese name of that category.")
    status: CopyStatus
    sequence: int = Field(ge=1, description="Version of this copy; consumers ignore older ones.")
    proposal_id: str | None = Field(
        default=None, description="The proposal the city board approved (component to city)."
    )
    reason: str = Field(default="", description="Why a withdrawn copy was taken off its site.")


class ArticleSyndicated(Event):
    """Copies of an article stand on other sites: each live copy shows the article as its
    origin last published it, with a canonical link to the origin and the origin credited;
    each withdrawn one is taken off its site. `tenant` is the origin site."""

    ce_type: ClassVar[str] = _ce_type("syndication", "ArticleSyndicated")
    key_field: ClassVar[str] = "article_id"

    article_id: str = Field(description="The origin article.")
    origin_url: str = Field(description="Absolute URL of the origin article: the canonical link.")
    origin_name: str = Field(description="Name of the origin site, for the credit line.")
    article: ArticlePublished = Field(description="The origin article as last published.")
    copies: list[SyndicatedCopy] = Field(min_length=1)


class SyndicationProposed(Event):
    """A component site's board proposes one of its published articles to the city
    portal (Điều 12.1.a): it joins the city board's review queue. The city board's
    RevisionApproved / RevisionRejected on `proposal_id` decides it. `tenant` is the
    site that will publish it (the city); `origin_tenant` the proposing site."""

    ce_type: ClassVar[str] = _ce_type("syndication", "SyndicationProposed")
    key_field: ClassVar[str] = "copy_id"

    proposal_id: str
    copy_id: str = Field(description="Id the copy will have on the city portal.")
    article_id: str = Field(description="The origin article.")
    origin_tenant: TenantSlug
    origin_name: str
    origin_url: str
    category: str = Field(description="Category on the city portal.")
    title: str
    summary: str
    body_html: str
    author: str
    kind: ContentKind = "news"
    language: str = "vi"
    proposed_by: str
    proposed_at: AwareDatetime
    note: str = ""
