"""Event and API contracts. Imports no runtime code: partners may vendor this package."""

from contracts.envelope import Envelope, EnvelopeError, envelope_for, parse_headers
from contracts.events import (
    ArticlePublished,
    ArticleWithdrawn,
    AuditRecorded,
    CategoryTreeUpdated,
    DeliveryConfirmed,
    Event,
    PagesChanged,
    RevisionApproved,
    RevisionRejected,
    RevisionSubmitted,
    SiteProfile,
    TenantUpserted,
)
from contracts.topics import EVENTS_BY_TYPE, TOPICS, Topic, topic_of

__all__ = [
    "EVENTS_BY_TYPE",
    "TOPICS",
    "ArticlePublished",
    "ArticleWithdrawn",
    "AuditRecorded",
    "CategoryTreeUpdated",
    "DeliveryConfirmed",
    "Envelope",
    "EnvelopeError",
    "Event",
    "PagesChanged",
    "RevisionApproved",
    "RevisionRejected",
    "RevisionSubmitted",
    "SiteProfile",
    "TenantUpserted",
    "Topic",
    "envelope_for",
    "parse_headers",
    "topic_of",
]
