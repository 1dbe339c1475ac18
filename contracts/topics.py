"""The topic registry: which events travel on which topic, keyed by what.

Topic names follow `portal.<service>.<aggregate>.v1`; the Kafka key is the
aggregate id, so all events of one aggregate stay in order on one partition.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.events import (
    AnswerPublished,
    ApprovalSuperseded,
    ArticlePublished,
    ArticleSyndicated,
    ArticleWithdrawn,
    AuditRecorded,
    CategoryTreeUpdated,
    DeliveryConfirmed,
    Event,
    PagesChanged,
    QuestionClassified,
    QuestionDeadlineNear,
    QuestionOverdue,
    QuestionRejectedOutOfScope,
    QuestionSubmitted,
    RevisionApproved,
    RevisionRejected,
    RevisionSubmitted,
    SyndicationProposed,
    TenantUpserted,
    TokensRevoked,
)
from contracts.partner import (
    PartnerAnswerPublished,
    PartnerArticlePublished,
    PartnerArticleWithdrawn,
)

DEAD_LETTER_SUFFIX = ".dlt"


@dataclass(frozen=True)
class Topic:
    name: str
    service: str
    aggregate: str
    events: tuple[type[Event], ...]
    description: str
    #: Compacted topics keep the latest event per key forever (state, not history).
    compacted: bool = False
    partitions: int = 3

    @property
    def dead_letter(self) -> str:
        return self.name + DEAD_LETTER_SUFFIX


TENANT = Topic(
    name="portal.admin.tenant.v1",
    service="admin",
    aggregate="tenant",
    events=(TenantUpserted,),
    description="Sites (tenants) hosted by the platform; key = tenant slug.",
    compacted=True,
    partitions=1,
)
ACCOUNT = Topic(
    name="portal.admin.account.v1",
    service="admin",
    aggregate="account",
    events=(TokensRevoked,),
    description="Revocations of editors' tokens (logout, deactivation, changed roles); "
    "every process reads it whole; key = username.",
    compacted=True,
    partitions=1,
)
ARTICLE = Topic(
    name="portal.content.article.v1",
    service="content",
    aggregate="article",
    events=(RevisionSubmitted, ArticlePublished, ArticleWithdrawn, ApprovalSuperseded),
    description="Life of an article: submitted revisions, publication, withdrawal, "
    "approvals that lapsed before publication; key = article id.",
)
REVIEW = Topic(
    name="portal.editorial.review.v1",
    service="editorial",
    aggregate="review",
    events=(RevisionApproved, RevisionRejected),
    description="Editorial board decisions on submitted revisions; key = article id, so "
    "the decisions on one article stay in order.",
)

CATEGORY = Topic(
    name="portal.content.category.v1",
    service="content",
    aggregate="category",
    events=(CategoryTreeUpdated,),
    description="Each site's whole category tree; key = tenant slug.",
    compacted=True,
    partitions=1,
)
RECEIPT = Topic(
    name="portal.platform.receipt.v1",
    service="platform",
    aggregate="receipt",
    events=(DeliveryConfirmed,),
    description="Consumers confirm they took a published or withdrawn article, for the "
    "editors' publish receipt; key = article id.",
)
AUDIT = Topic(
    name="portal.platform.audit.v1",
    service="platform",
    aggregate="audit",
    events=(AuditRecorded,),
    description="Every action of every service, for admin's hash-chained audit log; "
    "key = entry id. One partition keeps the log in one order.",
    partitions=1,
)

PAGES = Topic(
    name="portal.renderer.pages.v1",
    service="renderer",
    aggregate="pages",
    events=(PagesChanged,),
    description="Surrogate keys of site pages whose content changed, for the gateways' "
    "page caches; key = tenant slug.",
)

QUESTION = Topic(
    name="portal.feedback.question.v1",
    service="feedback",
    aggregate="question",
    events=(
        QuestionSubmitted,
        QuestionClassified,
        QuestionRejectedOutOfScope,
        AnswerPublished,
        QuestionDeadlineNear,
        QuestionOverdue,
    ),
    description="Life of a citizen's question or feedback: received, classified or "
    "out of scope, answered, deadlines near and missed; key = question id.",
)

SYNDICATION = Topic(
    name="portal.syndication.copy.v1",
    service="syndication",
    aggregate="copy",
    events=(ArticleSyndicated, SyndicationProposed),
    description="Articles shown on other sites than their own: the copies of one article "
    "and proposals of component articles to the city portal; key = the origin article id "
    "(a proposal: the copy id it will have).",
)

# --- for partners: public fields only, produced by syndication -------------------

PARTNER_ARTICLE = Topic(
    name="partner.content.article.v1",
    service="syndication",
    aggregate="article",
    events=(PartnerArticlePublished, PartnerArticleWithdrawn),
    description="For partner systems: articles live on a site (and their copies on "
    "others), changed or withdrawn, public fields only; key = article id.",
)
PARTNER_ANSWER = Topic(
    name="partner.feedback.answer.v1",
    service="syndication",
    aggregate="answer",
    events=(PartnerAnswerPublished,),
    description="For partner systems: public answers to citizens' questions, personal "
    "data removed; key = question id.",
)

TOPICS: tuple[Topic, ...] = (
    TENANT,
    ACCOUNT,
    ARTICLE,
    REVIEW,
    CATEGORY,
    RECEIPT,
    AUDIT,
    PAGES,
    QUESTION,
    SYNDICATION,
    PARTNER_ARTICLE,
    PARTNER_ANSWER,
)
#: The topics partners' credentials may read.
PARTNER_TOPICS: tuple[Topic, ...] = (PARTNER_ARTICLE, PARTNER_ANSWER)  # fmt: skip

EVENTS_BY_TYPE: dict[str, type[Event]] = {
    event.ce_type: event for topic in TOPICS for event in topic.events
}
_TOPIC_OF: dict[type[Event], Topic] = {event: topic for topic in TOPICS for event in topic.events}


def topic_of(event: Event | type[Event]) -> Topic:
    cls = event if isinstance(event, type) else type(event)
    try:
        return _TOPIC_OF[cls]
    except KeyError:
        raise LookupError(f"{cls.__name__} is not registered on any topic") from None
