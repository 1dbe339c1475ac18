"""syndication's tables: what it knows of the sites and their articles (from events),
the cross-posts and proposals between sites, and the partners with their webhooks and
delivery log.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from runtime.messaging import messaging_tables
from runtime.types import UtcDateTime

metadata = MetaData()
outbox, inbox = messaging_tables(metadata)

#: The sites, from admin's tenant topic: who may send to whom, and their addresses.
sites = Table(
    "sites",
    metadata,
    Column("slug", String(50), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("name", String(300), nullable=False),
    Column("domain", String(253), nullable=False),
    Column("parent", String(50), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("sequence", Integer, nullable=False),
)

#: Each site's category tree, from content's category topic: a copy's category.
trees = Table(
    "trees",
    metadata,
    Column("tenant", String(50), primary_key=True),
    #: [{slug, name, parent, position}]
    Column("categories", JSON, nullable=False),
    Column("sequence", Integer, nullable=False),
)

#: Every article as last published or withdrawn (content's article topic): what a
#: cross-post copies and what the partners' read API serves.
articles = Table(
    "articles",
    metadata,
    Column("article_id", String(36), primary_key=True),
    Column("tenant", String(50), nullable=False),
    #: live | withdrawn
    Column("status", String(20), nullable=False),
    #: The ArticlePublished event, as JSON.
    Column("state", JSON, nullable=False),
    #: The ArticleWithdrawn event, as JSON, once withdrawn.
    Column("withdrawal", JSON, nullable=True),
    Column("sequence", Integer, nullable=False),
    #: When the last event about it took effect: the read API's order and cursor.
    Column("changed_at", UtcDateTime(), nullable=False),
    Index("ix_articles_changed", "changed_at", "article_id"),
    Index("ix_articles_tenant_changed", "tenant", "changed_at", "article_id"),
)

#: A city article the city board sent to component sites (Điều 12.1.b).
crossposts = Table(
    "crossposts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("article_id", String(36), nullable=False, index=True),
    Column("origin", String(50), nullable=False),
    #: The board's choice as given: {"kinds": [...]} | {"sites": [...]} | {"all": true}.
    Column("targets", JSON, nullable=False),
    #: Category asked for on the targets (each falls back to its own when it has none).
    Column("category", String(60), nullable=True),
    #: active | stopped
    Column("status", String(20), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("stopped_by", String(100), nullable=True),
    Column("stopped_at", UtcDateTime(), nullable=True),
    Index("ix_crossposts_origin", "origin", "created_at"),
)

#: One site's copy of another site's article.
copies = Table(
    "copies",
    metadata,
    Column("copy_id", String(36), primary_key=True),
    Column("article_id", String(36), nullable=False),
    Column("origin", String(50), nullable=False),
    Column("tenant", String(50), nullable=False),
    Column("crosspost_id", String(36), nullable=True, index=True),
    Column("proposal_id", String(36), nullable=True, index=True),
    Column("path", String(300), nullable=False),
    Column("category", String(60), nullable=False),
    Column("category_name", String(200), nullable=False),
    #: pending (a proposal under review) | live | declined (by the target's board) |
    #: withdrawn (the origin was withdrawn, or the cross-post stopped) | rejected
    Column("status", String(20), nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    #: Version of the copy, increased with every change sent to the sites.
    Column("sequence", Integer, nullable=False),
    #: The origin's publish sequence the copy shows.
    Column("origin_sequence", Integer, nullable=False),
    #: What the target site confirmed it shows (renderer's DeliveryConfirmed).
    Column("confirmed_sequence", Integer, nullable=True),
    Column("confirmed_at", UtcDateTime(), nullable=True),
    Column("decided_by", String(100), nullable=True),
    Column("decided_at", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
    UniqueConstraint("article_id", "tenant", name="uq_copies_article_tenant"),
    Index("ix_copies_tenant", "tenant", "status", "created_at"),
)

#: A component board's proposal of one of its articles to the city portal (Điều 12.1.a).
proposals = Table(
    "proposals",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("article_id", String(36), nullable=False, index=True),
    Column("origin", String(50), nullable=False),
    Column("target", String(50), nullable=False),
    Column("copy_id", String(36), nullable=False),
    Column("category", String(60), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    #: pending | approved | rejected | withdrawn
    Column("status", String(20), nullable=False),
    Column("proposed_by", String(100), nullable=False),
    Column("proposed_at", UtcDateTime(), nullable=False),
    Column("decided_by", String(100), nullable=True),
    Column("decided_at", UtcDateTime(), nullable=True),
    #: The city board's ground of Điều 14.3 and its reason, when it refused.
    Column("ground", String(30), nullable=True),
    Column("reason", Text, nullable=True),
    Index("ix_proposals_target", "target", "status", "proposed_at"),
    Index("ix_proposals_origin", "origin", "proposed_at"),
)

#: Receipt confirmations syndication owes editorial: (article, sequence, step) once.
confirmations = Table(
    "confirmations",
    metadata,
    Column("article_id", String(36), primary_key=True),
    Column("sequence", Integer, primary_key=True),
    Column("step", String(20), primary_key=True),
    Column("tenant", String(50), nullable=False),
    Column("published_at", UtcDateTime(), nullable=False),
    Column("confirmed_at", UtcDateTime(), nullable=True),
)

# --- partners --------------------------------------------------------------------------

#: A partner system (iHanoi, HanoiWork, QLVB, a newspaper, the Government portal).
partners = Table(
    "partners",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("description", Text, nullable=False, server_default=""),
    #: Site slugs it receives, or ["*"] for every site.
    Column("sites", JSON, nullable=False),
    #: Webhook types it receives (contracts.partner.WEBHOOK_TYPES values).
    Column("topics", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    #: SHA-256 of its read-API key (shown once, when made); the first characters shown.
    Column("key_hash", String(64), nullable=True, unique=True),
    Column("key_prefix", String(20), nullable=True),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
)

#: Where a partner wants its events posted, and the secrets that sign them.
webhooks = Table(
    "webhooks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("partner_id", String(36), nullable=False, index=True),
    Column("url", String(2000), nullable=False),
    #: whsec_... (Standard Webhooks); the previous one signs too until it expires.
    Column("secret", String(100), nullable=False),
    Column("previous_secret", String(100), nullable=True),
    Column("previous_until", UtcDateTime(), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
)

#: Every message for every webhook: the queue, the delivery log and the dead letters.
deliveries = Table(
    "deliveries",
    metadata,
    #: The `webhook-id` header: the same on every retry and replay of the message.
    Column("id", String(40), primary_key=True),
    Column("webhook_id", String(36), nullable=False),
    Column("partner_id", String(36), nullable=False),
    Column("type", String(40), nullable=False),
    Column("tenant", String(50), nullable=False),
    Column("subject", String(60), nullable=False),
    #: The event's source (article or question) version, for the receipt.
    Column("source_sequence", Integer, nullable=True),
    #: The exact body signed and sent (JSON text).
    Column("body", Text, nullable=False),
    #: pending | delivered | dead
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("last_status", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("delivered_at", UtcDateTime(), nullable=True),
    Index("ix_deliveries_due", "webhook_id", "status", "next_attempt_at"),
    Index("ix_deliveries_log", "webhook_id", "occurred_at"),
    Index("ix_deliveries_subject", "subject", "source_sequence"),
)

#: WebSub-style pings owed to the hubs: a site's feed changed (one row per feed).
hub_pings = Table(
    "hub_pings",
    metadata,
    Column("feed_url", String(500), primary_key=True),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=True),
)
