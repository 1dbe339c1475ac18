"""Settings read once from the environment; every engine is optional.

Unset `DATABASE_URL` means a SQLite file per service under `PORTAL_DATA_DIR`;
unset `KAFKA_BOOTSTRAP_SERVERS` means the embedded broker the launcher started
(it passes the address down); unset `REDIS_URL` means in-process caches; unset
`MEDIA_S3_URL` means media files in a local directory.

One class per concern (`DatabaseSettings`, `KafkaSettings`, `CacheSettings`, …), each
readable on its own; `Settings` is all of them at once, what a process reads at its
start. Code that needs one concern takes its class (the Kafka clients take
`KafkaSettings`, `Database` takes `DatabaseSettings`), and is given a `Settings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


#: Every concern reads the environment the same way: by its variables' names, ignoring
#: the others, and never changes once read.
CONFIG = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)


class DataDirSettings(BaseSettings):
    """Where the embedded engines keep their files: a SQLite file per service, the
    media, search's tantivy index, the dev mailbox's mail, the backups."""

    model_config = CONFIG

    data_dir: Path = Field(default=REPO_ROOT / "var", alias="PORTAL_DATA_DIR")


class DatabaseSettings(DataDirSettings):
    """A service's database (runtime/db.py): PostgreSQL, a schema per service, when
    DATABASE_URL is set; else a SQLite file under the data directory."""

    model_config = CONFIG

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    #: Connections per process (PostgreSQL): kept, and opened beyond that under load.
    #: Times every process at its autoscaling maximum, this is what the pooler takes.
    db_pool_size: int = Field(default=5, ge=1, le=50, alias="PORTAL_DB_POOL_SIZE")
    db_max_overflow: int = Field(default=5, ge=0, le=50, alias="PORTAL_DB_MAX_OVERFLOW")
    #: PostgreSQL schemas are named `<prefix><service>`; tests use a random prefix.
    schema_prefix: str = Field(default="", alias="PORTAL_SCHEMA_PREFIX")

    @property
    def uses_postgres(self) -> bool:
        return bool(self.database_url and self.database_url.startswith("postgresql"))


class KafkaSettings(BaseSettings):
    """The broker (runtime/kafka.py): its address, how to sign in to it, and how the
    embedded one differs."""

    model_config = CONFIG

    kafka_bootstrap_servers: str | None = Field(default=None, alias="KAFKA_BOOTSTRAP_SERVERS")
    #: Authentication to Kafka (SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN), with TLS when
    #: KAFKA_TLS is on (KAFKA_CA_FILE: the cluster's CA, else the system's). The broker's
    #: ACLs then decide which service may write which topic.
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] | None = Field(
        default=None, alias="KAFKA_SASL_MECHANISM"
    )
    kafka_sasl_username: str | None = Field(default=None, alias="KAFKA_SASL_USERNAME")
    kafka_sasl_password: str | None = Field(default=None, alias="KAFKA_SASL_PASSWORD")
    kafka_tls: bool = Field(default=False, alias="KAFKA_TLS")
    kafka_ca_file: Path | None = Field(default=None, alias="KAFKA_CA_FILE")
    #: Set by the launcher when it runs the embedded broker: tansu supports neither
    #: idempotent nor transactional producers, so producers fall back to acks=all.
    kafka_embedded: bool = Field(default=False, alias="PORTAL_KAFKA_EMBEDDED")
    #: Consumer session timeout on the embedded broker (tests shorten it to join faster).
    kafka_session_timeout_ms: int = Field(default=6000, alias="PORTAL_KAFKA_SESSION_TIMEOUT_MS")
    #: Prefix of topic and consumer-group names, so parallel test runs share a broker safely.
    kafka_namespace: str = Field(default="", alias="PORTAL_KAFKA_NAMESPACE")


class CacheSettings(BaseSettings):
    """Redis, for what several replicas share (the page cache, admin's sessions, the
    abuse limits), and the gateway's page cache; unset REDIS_URL: in the process."""

    model_config = CONFIG

    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    #: The gateway's page cache: in Redis when REDIS_URL is set, else in the process.
    page_cache: bool = Field(default=True, alias="PORTAL_PAGE_CACHE")
    page_cache_mb: int = Field(default=256, ge=1, alias="PORTAL_PAGE_CACHE_MB")
    #: Purges from before a gateway started that it still applies (clock skew between
    #: hosts); older ones were applied by the gateways already running.
    page_purge_lookback_seconds: float = Field(
        default=5.0, ge=0, le=3600, alias="PORTAL_PAGE_PURGE_LOOKBACK_SECONDS"
    )


class SearchSettings(BaseSettings):
    """search's engine: OpenSearch when OPENSEARCH_URL is set, else tantivy embedded."""

    model_config = CONFIG

    opensearch_url: str | None = Field(default=None, alias="OPENSEARCH_URL")
    #: The CA (PEM) that signed OpenSearch's certificate, for an https OPENSEARCH_URL of
    #: a cluster with its own CA; unset: the usual public CAs.
    opensearch_ca_file: Path | None = Field(default=None, alias="OPENSEARCH_CA_FILE")


class MediaSettings(DataDirSettings):
    """Where uploaded files are kept: an S3-compatible store when MEDIA_S3_URL is set,
    else a directory on the local disk."""

    model_config = CONFIG

    #: Uploaded files on the local disk: the embedded default, for one process only.
    media_dir_override: Path | None = Field(default=None, alias="PORTAL_MEDIA_DIR")
    #: An S3-compatible object store for media (MinIO, or any S3), shared by every
    #: content replica; set, it replaces the local directory above.
    media_s3_url: str | None = Field(default=None, alias="MEDIA_S3_URL")
    media_s3_bucket: str = Field(default="portal-media", alias="MEDIA_S3_BUCKET")
    media_s3_access_key: str = Field(default="", alias="MEDIA_S3_ACCESS_KEY")
    media_s3_secret_key: str = Field(default="", alias="MEDIA_S3_SECRET_KEY")
    media_s3_region: str = Field(default="us-east-1", alias="MEDIA_S3_REGION")

    @property
    def media_dir(self) -> Path:
        return self.media_dir_override or self.data_dir / "media"


class HttpSettings(BaseSettings):
    """Where a process listens (runtime/service.py's `serve`), whom it believes about
    the client's address, and on which hosts the editors' UI lives."""

    model_config = CONFIG

    host: str = Field(default="127.0.0.1", alias="HOST")
    port: int = Field(default=8000, alias="PORT")
    listen_ipv6: bool = Field(default=False, alias="PORTAL_LISTEN_IPV6")
    #: Proxies whose X-Forwarded-For last hop is believed (comma-separated, networks
    #: allowed, "*" for all): the ingress controller for the gateway, the gateway for
    #: the services (runtime/clientip.py). uvicorn's own reading of it is turned off.
    forwarded_allow_ips: str = Field(default="127.0.0.1,::1", alias="FORWARDED_ALLOW_IPS")
    #: Host names (comma-separated) on which the gateway serves the editors' UI
    #: (/admin); on the sites' own hosts it does not exist.
    admin_hosts: str = Field(default="quantri.localhost", alias="PORTAL_ADMIN_HOSTS")


class AuthSettings(BaseSettings):
    """Editors' tokens and cookies (runtime/auth.py), the secret of CSRF tokens and of
    the abuse limits' keys, and the laptop's demo accounts."""

    model_config = CONFIG

    #: Keys the admin's CSRF tokens and the abuse limits' hashed keys (not editors' tokens).
    auth_secret: str = Field(default="", alias="PORTAL_AUTH_SECRET")
    #: Ed25519 private key (PEM, or a file holding it) that signs editors' tokens:
    #: admin only, never given to another process.
    auth_private_key: str = Field(default="", alias="PORTAL_AUTH_PRIVATE_KEY")
    #: Its public key (PEM or a file), with which every service checks tokens.
    auth_public_key: str = Field(default="", alias="PORTAL_AUTH_PUBLIC_KEY")
    #: Session and CSRF cookies only over HTTPS; the laptop launcher turns it off.
    secure_cookies: bool = Field(default=True, alias="PORTAL_SECURE_COOKIES")
    #: Demo accounts with a published password and a computable second factor: only
    #: for the laptop (see `demo_refusal`), never on a server.
    demo: bool = Field(default=False, alias="PORTAL_DEMO")


class TelemetrySettings(BaseSettings):
    """Logs and traces (runtime/telemetry.py)."""

    model_config = CONFIG

    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    #: Traces go to this OpenTelemetry collector; unset: they stay in the process.
    otlp_endpoint: str | None = Field(default=None, alias="OTEL_EXPORTER_OTLP_ENDPOINT")


class ServiceUrls(BaseSettings):
    """The base URL of every service, for the gateway's proxy and the few calls between
    processes that are not on a citizen's path."""

    model_config = CONFIG

    admin_url: str = Field(default="http://127.0.0.1:8101", alias="PORTAL_ADMIN_URL")
    content_url: str = Field(default="http://127.0.0.1:8102", alias="PORTAL_CONTENT_URL")
    editorial_url: str = Field(default="http://127.0.0.1:8103", alias="PORTAL_EDITORIAL_URL")
    renderer_url: str = Field(default="http://127.0.0.1:8104", alias="PORTAL_RENDERER_URL")
    feedback_url: str = Field(default="http://127.0.0.1:8105", alias="PORTAL_FEEDBACK_URL")
    search_url: str = Field(default="http://127.0.0.1:8107", alias="PORTAL_SEARCH_URL")
    syndication_url: str = Field(default="http://127.0.0.1:8108", alias="PORTAL_SYNDICATION_URL")


class MailSettings(BaseSettings):
    """Mail to citizens: the relay it goes through, its sender, and the sites' addresses
    in the links it carries."""

    model_config = CONFIG

    #: Where mail to citizens goes (the embedded launcher runs a local mail catcher).
    smtp_host: str = Field(default="127.0.0.1", alias="SMTP_HOST")
    smtp_port: int = Field(default=8025, alias="SMTP_PORT")
    smtp_username: str | None = Field(default=None, alias="SMTP_USERNAME")
    smtp_password: str | None = Field(default=None, alias="SMTP_PASSWORD")
    smtp_starttls: bool = Field(default=False, alias="SMTP_STARTTLS")
    mail_from: str = Field(default="Cổng TTĐT Hà Nội <no-reply@hanoi.gov.vn>", alias="MAIL_FROM")
    #: The address of a site in links mailed to citizens; {slug} and {domain} are filled
    #: in. `make run` points it at http://{slug}.localhost:8000.
    site_url_template: str = Field(default="https://{domain}", alias="PORTAL_SITE_URL_TEMPLATE")

    def site_url(self, slug: str, domain: str) -> str:
        return self.site_url_template.format(slug=slug, domain=domain)


class FeedbackSettings(BaseSettings):
    """feedback's switch for test deployments (its abuse limits are feedback's own
    settings, services/feedback/abuse.py)."""

    model_config = CONFIG

    #: Lets an operator set feedback's clock over its API: for end-to-end tests and
    #: deadline drills on a test deployment only, never in production.
    controllable_clock: bool = Field(default=False, alias="PORTAL_CONTROLLABLE_CLOCK")


class SyndicationSettings(BaseSettings):
    """Webhooks to partner systems and the WebSub hubs feeds are announced to
    (services/syndication)."""

    model_config = CONFIG

    #: Let webhooks go to private, loopback and link-local addresses: for the laptop,
    #: tests and a partner's receiver inside our own network only. Off in production, so
    #: a partner's URL cannot reach what stands behind the firewall (SSRF).
    webhooks_allow_private: bool = Field(default=False, alias="PORTAL_WEBHOOKS_ALLOW_PRIVATE")
    #: Seconds a receiver may take to answer one delivery.
    webhook_timeout_seconds: float = Field(default=5.0, alias="PORTAL_WEBHOOK_TIMEOUT_SECONDS")
    #: Seconds between attempts of one message, comma-separated; after the last one it is
    #: dead (the delivery log's dead-letter list). Standard Webhooks' schedule by default:
    #: at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
    webhook_retry_schedule_csv: str = Field(
        default="0,5,300,1800,7200,18000,36000,36000", alias="PORTAL_WEBHOOK_RETRY_SCHEDULE"
    )
    #: WebSub hubs to ping when a site's feed changes, comma-separated; none: no pings.
    websub_hubs_csv: str = Field(default="", alias="PORTAL_WEBSUB_HUBS")

    @property
    def webhook_retry_schedule(self) -> tuple[float, ...]:
        return tuple(float(s) for s in self.webhook_retry_schedule_csv.split(",") if s.strip())

    @property
    def websub_hubs(self) -> tuple[str, ...]:
        return tuple(s.strip() for s in self.websub_hubs_csv.split(",") if s.strip())


class ReceiptSettings(BaseSettings):
    """The editors' publish receipt: which consumers it waits for, and for how long."""

    model_config = CONFIG

    #: Consumers the publish receipt waits for, comma-separated (site, search,
    #: syndication, partners): a service adds its step when it is deployed.
    receipt_steps_csv: str = Field(default="site", alias="PORTAL_RECEIPT_STEPS")
    #: Seconds each receipt step may take before the editor sees it as late.
    receipt_budget_seconds: float = Field(default=10.0, alias="PORTAL_RECEIPT_BUDGET_SECONDS")

    @property
    def receipt_steps(self) -> tuple[str, ...]:
        return tuple(s.strip() for s in self.receipt_steps_csv.split(",") if s.strip())


class ConsumerSettings(BaseSettings):
    """The events' way in and out of a service: the consumers' retries and inbox
    (runtime/consumer.py, runtime/inbox.py) and the outbox relay (runtime/relay.py)."""

    model_config = CONFIG

    #: Attempts at handling one event before it goes to the dead-letter topic.
    consumer_max_attempts: int = Field(default=5, alias="PORTAL_CONSUMER_MAX_ATTEMPTS")
    #: How often the outbox relay looks for rows when nothing woke it up.
    outbox_poll_seconds: float = Field(default=0.5, alias="PORTAL_OUTBOX_POLL_SECONDS")
    #: Days the consumers' inbox remembers an event id (runtime/inbox.py). Must be longer
    #: than any event can be delivered again after it was first handled: the retention
    #: of every non-compacted topic a service reads (Kafka's default, which our topics
    #: use, is 7 days), so a consumer that re-reads a topic from its start (its offsets
    #: expired, a new group) still finds every id it may meet. Raise it with the topics'
    #: retention.ms. Compacted topics keep their latest events for ever; their consumers
    #: apply them with versioned upserts (runtime/upsert.py), so an old one is a no-op.
    inbox_retention_days: float = Field(default=30.0, ge=8, alias="PORTAL_INBOX_RETENTION_DAYS")


class Settings(
    DatabaseSettings,
    KafkaSettings,
    CacheSettings,
    SearchSettings,
    MediaSettings,
    HttpSettings,
    AuthSettings,
    TelemetrySettings,
    ServiceUrls,
    MailSettings,
    FeedbackSettings,
    SyndicationSettings,
    ReceiptSettings,
    ConsumerSettings,
):
    """Every concern at once: what a process reads at its start and hands down. A
    function that needs one concern only takes that concern's class (a `Settings` is
    each of them)."""

    model_config = CONFIG

    def with_overrides(self, **changes: object) -> Settings:
        return self.model_copy(update=changes)


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def demo_refusal(settings: Settings) -> str | None:
    """Why PORTAL_DEMO may not run with these settings, or None. Demo accounts are
    safe only where nobody else can reach them: the embedded broker (no real Kafka,
    so no real deployment) and a process listening on loopback only."""
    if not settings.demo:
        return None
    if not settings.kafka_embedded:
        return "PORTAL_DEMO is for the local embedded platform; this one uses a real Kafka"
    if settings.host not in LOOPBACK_HOSTS:
        return f"PORTAL_DEMO is for the local embedded platform; HOST={settings.host} is reachable"
    return None
