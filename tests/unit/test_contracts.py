"""The event contracts: models, envelope, topic registry and the committed artefacts."""

from __future__ import annotations

import importlib.util
import json
import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import ClassVar

import jsonschema
import pytest
from pydantic import ValidationError

from contracts import (
    EVENTS_BY_TYPE,
    TOPICS,
    AnswerPublished,
    ApprovalSuperseded,
    ArticlePublished,
    ArticleSyndicated,
    ArticleWithdrawn,
    AuditRecorded,
    CategoryTreeUpdated,
    DeliveryConfirmed,
    EnvelopeError,
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
    SyndicatedCopy,
    SyndicationProposed,
    TenantUpserted,
    TokensRevoked,
    Topic,
    envelope_for,
    parse_headers,
    topic_of,
)
from contracts.content import Attachment, Author, DocumentDetails, Image, ImageSource
from contracts.events import CategoryItem
from contracts.partner import (
    PartnerAnswerPublished,
    PartnerArticlePublished,
    PartnerArticleWithdrawn,
    PublicAttachment,
    PublicImage,
)
from contracts.topics import PARTNER_TOPICS

ROOT = Path(__file__).resolve().parents[2]
HANOI = timezone(timedelta(hours=7))
AT = datetime(2025, 3, 8, 9, 30, tzinfo=HANOI)

EXAMPLES: dict[type[Event], Event] = {
    TenantUpserted: TenantUpserted(
        tenant="hoankiem",
        kind="ward",
        name="Phường Hoàn Kiếm",
        domain="hoankiem.hanoi.gov.vn",
        languages=["vi", "en"],
        parent="hanoi",
        owner="hoankiem",
        sequence=3,
    ),
    TokensRevoked: TokensRevoked(
        tenant="",
        username="bientap.hoankiem",
        version=4,
        reason="logout",
        at=datetime(2026, 12, 7, 9, 30, tzinfo=UTC),
    ),
    RevisionSubmitted: RevisionSubmitted(
        tenant="hanoi",
        article_id="a-1",
        revision_id="r-2",
        revision_number=2,
        category="tin-tuc",
        title="Thông báo lịch tiếp công dân",
        summary="Lịch tiếp công dân tháng 3.",
        body_html="<p>Nội dung</p>",
        author="Nguyễn Văn A",
        submitted_by="editor1",
        submitted_at=AT,
    ),
    ArticlePublished: ArticlePublished(
        tenant="hanoi",
        article_id="a-1",
        revision_id="r-2",
        sequence=2,
        category="tin-tuc",
        category_name="Tin tức",
        slug="thong-bao-lich-tiep-cong-dan",
        path="/tin-tuc/thong-bao-lich-tiep-cong-dan",
        title="Thông báo lịch tiếp công dân",
        summary="Lịch tiếp công dân tháng 3.",
        body_html="<p>Nội dung</p>",
        author="Nguyễn Văn A",
        approved_by="board1",
        published_at=AT,
        updated_at=AT.astimezone(UTC),
    ),
    ArticleWithdrawn: ArticleWithdrawn(
        tenant="hanoi",
        article_id="a-1",
        sequence=3,
        path="/tin-tuc/thong-bao-lich-tiep-cong-dan",
        reason="Thông tin đã cũ.",
        withdrawn_by="board1",
        withdrawn_at=AT,
    ),
    ApprovalSuperseded: ApprovalSuperseded(
        tenant="hanoi",
        article_id="a-1",
        revision_id="r-2",
        current_revision_id="r-2",
        article_state="draft",
        reason="edited",
        approved_by="board1",
        superseded_by="editor1",
        superseded_at=AT,
    ),
    RevisionApproved: RevisionApproved(
        tenant="hanoi",
        article_id="a-1",
        revision_id="r-2",
        decided_by="board1",
        decided_at=AT,
    ),
    RevisionRejected: RevisionRejected(
        tenant="hanoi",
        article_id="a-1",
        revision_id="r-2",
        decided_by="board1",
        decided_at=AT,
        reason="Thiếu nguồn trích dẫn.",
        ground="unclear_origin",
    ),
    CategoryTreeUpdated: CategoryTreeUpdated(
        tenant="hoankiem",
        categories=[
            CategoryItem(slug="gioi-thieu", name="Giới thiệu", position=0, name_en="About"),
            CategoryItem(
                slug="co-cau-to-chuc", name="Cơ cấu tổ chức", parent="gioi-thieu", position=0
            ),
        ],
        sequence=4,
    ),
    DeliveryConfirmed: DeliveryConfirmed(
        tenant="hanoi",
        article_id="a-1",
        sequence=2,
        step="site",
        consumer="renderer",
        confirmed_at=AT,
    ),
    PagesChanged: PagesChanged(
        tenant="hoankiem",
        keys=["article:a-1", "category:hoankiem:tin-tuc", "list:hoankiem", "sitemaps"],
        reason="ArticlePublished",
    ),
    AuditRecorded: AuditRecorded(
        tenant="hanoi",
        entry_id="e-9",
        actor="bbt.hanoi",
        action="review.reject",
        subject="article:a-1",
        at=AT,
        before={"status": "pending"},
        after={"status": "rejected", "ground": "untrue"},
    ),
    QuestionSubmitted: QuestionSubmitted(
        tenant="hoankiem", question_id="q-1", code="7K2M-9QXA-B3CM", kind="question",
        field="Đất đai", received_at=AT, out_of_scope_notice_due=AT, classification_due=AT,
        answer_due=AT,
    ),
    QuestionClassified: QuestionClassified(
        tenant="hoankiem", question_id="q-1", code="7K2M-9QXA-B3CM", field="Đất đai",
        unit="badinh", classified_at=AT, answer_due=None,
    ),
    QuestionRejectedOutOfScope: QuestionRejectedOutOfScope(
        tenant="hoankiem", question_id="q-1", code="7K2M-9QXA-B3CM",
        competent_body="Thuế thành phố Hà Nội", note="Không thuộc phạm vi.", rejected_at=AT,
        on_time=True,
    ),
    AnswerPublished: AnswerPublished(
        tenant="hoankiem", question_id="q-1", code="7K2M-9QXA-B3CM", kind="feedback",
        field="Đất đai", unit="badinh", title="Hỏi về sổ đỏ", question_text="Xin hỏi [đã ẩn]",
        answer_html="<p>Trả lời.</p>", received_at=AT, published_at=AT,
        path="/hoi-dap/7K2M-9QXA-B3CM", on_time=False,
    ),
    QuestionDeadlineNear: QuestionDeadlineNear(
        tenant="hoankiem", question_id="q-1", code="7K2M-9QXA-B3CM", clock="answer", due_at=AT,
    ),
    QuestionOverdue: QuestionOverdue(
        tenant="hoankiem", question_id="q-1", code="7K2M-9QXA-B3CM", clock="classification",
        due_at=AT, detected_at=AT, unit=None,
    ),
}  # fmt: skip
EXAMPLES[ArticleSyndicated] = ArticleSyndicated(
    tenant="hanoi",
    article_id="a-1",
    origin_url="https://hanoi.gov.vn/tin-tuc/le-hoi",
    origin_name="Cổng Thông tin điện tử thành phố Hà Nội",
    article=EXAMPLES[ArticlePublished],  # type: ignore[arg-type]
    copies=[
        SyndicatedCopy(
            copy_id="c-1", tenant="hoankiem", path="/tin-tuc/le-hoi-3f2a1b", category="tin-tuc",
            category_name="Tin tức", status="live", sequence=1,
        ),
        SyndicatedCopy(
            copy_id="c-2", tenant="badinh", path="/tin-tuc/le-hoi-77c01d", category="tin-tuc",
            category_name="Tin tức", status="withdrawn", sequence=2, reason="declined",
        ),
    ],
)  # fmt: skip
EXAMPLES[SyndicationProposed] = SyndicationProposed(
    tenant="hanoi", proposal_id="p-1", copy_id="c-3", article_id="a-9", origin_tenant="hoankiem",
    origin_name="Phường Hoàn Kiếm", origin_url="https://hoankiem.hanoi.gov.vn/tin-tuc/x",
    category="tin-tuc", title="Ra quân chỉnh trang", summary="Tóm tắt", body_html="<p>Nội dung</p>",
    author="Phòng Văn hóa", proposed_by="bbt.hoankiem", proposed_at=AT,
)  # fmt: skip
EXAMPLES[PartnerArticlePublished] = PartnerArticlePublished(
    tenant="hanoi", article_id="a-1", version=1,
    site_name="Cổng Thông tin điện tử thành phố Hà Nội",
    url="https://hanoi.gov.vn/tin-tuc/le-hoi", canonical_url="https://hanoi.gov.vn/tin-tuc/le-hoi",
    category="tin-tuc", category_name="Tin tức", title="Lễ hội", summary="Tóm tắt",
    body_html="<p>Nội dung</p>", author="Ban Biên tập", published_at=AT, updated_at=AT,
    images=[PublicImage(url="https://hanoi.gov.vn/media/x.webp", alt="Ảnh", width=10, height=10)],
    attachments=[PublicAttachment(url="https://hanoi.gov.vn/media/x.pdf", filename="x.pdf",
                                  media_type="application/pdf", size=10)],
)  # fmt: skip
EXAMPLES[PartnerArticleWithdrawn] = PartnerArticleWithdrawn(
    tenant="hanoi", article_id="a-1", version=2, url="https://hanoi.gov.vn/tin-tuc/le-hoi",
    withdrawn_at=AT,
)  # fmt: skip
EXAMPLES[PartnerAnswerPublished] = PartnerAnswerPublished(
    tenant="hoankiem", question_id="q-1", code="7K2M-9QXA-B3CM", kind="question", field="Đất đai",
    title="Hỏi về cấp sổ đỏ", question_text="Xin hỏi…", answer_html="<p>Trả lời</p>",
    url="https://hoankiem.hanoi.gov.vn/hoi-dap/7K2M-9QXA-B3CM", received_at=AT, published_at=AT,
    on_time=True,
)  # fmt: skip
#: The same events with every optional field a new producer may fill.
RICH_DOCUMENT = ArticlePublished.model_validate(
    {
        **EXAMPLES[ArticlePublished].model_dump(),
        "kind": "document",
        "details": DocumentDetails(
            number="12/QĐ-UBND",
            doc_type="Quyết định",
            issuer="Ủy ban nhân dân thành phố Hà Nội",
            signer="Trần Sỹ Thanh",
            issued_on=date(2026, 3, 2),
            effective_on=date(2026, 3, 15),
            field="Hộ tịch",
        ),
        "images": [
            Image(
                media_id="m-1",
                alt="Toàn cảnh hội nghị",
                url="/media/hanoi/m-1/w1600.webp",
                width=1600,
                height=900,
                sources=[ImageSource(url="/media/x/w480.webp", width=480)],
            )
        ],
        "attachments": [
            Attachment(
                media_id="m-2",
                filename="qd-12.pdf",
                media_type="application/pdf",
                size=1234,
                url="/media/hanoi/m-2/qd-12.pdf",
            )
        ],
        "authors": [
            Author(name="Nguyễn Văn A", share=Decimal("0.6")),
            Author(name="Lê Thị B", share=Decimal("0.4")),
        ],
        "language": "en",
        "translation_of": "a-0",
        "origin": "migrated",
    }
)
REGISTERED = sorted(EVENTS_BY_TYPE.values(), key=lambda cls: cls.__name__)


def load_contracts_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("contracts_script", ROOT / "scripts/contracts.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def headers_of(event: Event) -> dict[str, str]:
    return envelope_for(event, source="/services/content", at=AT, event_id="e-1").headers()


# --- models ------------------------------------------------------------------


def test_every_registered_event_has_an_example() -> None:
    assert set(EXAMPLES) == set(EVENTS_BY_TYPE.values())
    assert {cls.ce_type for cls in EXAMPLES} == set(EVENTS_BY_TYPE)


def test_rich_event_round_trips_and_validates_against_its_schema() -> None:
    again = ArticlePublished.model_validate_json(RICH_DOCUMENT.model_dump_json())
    assert again == RICH_DOCUMENT
    assert isinstance(again.details, DocumentDetails)
    assert again.details.issued_on == date(2026, 3, 2)
    schema = json.loads(
        (ROOT / "contracts/schemas/portal.content.article.v1/ArticlePublished.json").read_text()
    )
    jsonschema.validate(json.loads(RICH_DOCUMENT.model_dump_json()), schema)


def test_details_must_match_their_discriminator() -> None:
    data = json.loads(RICH_DOCUMENT.model_dump_json())
    data["details"] = {"kind": "gallery", "photos": []}
    with pytest.raises(ValidationError):
        ArticlePublished.model_validate(data)


@pytest.mark.parametrize("cls", REGISTERED, ids=lambda cls: cls.__name__)
def test_event_round_trips_through_json(cls: type[Event]) -> None:
    event = EXAMPLES[cls]
    again = cls.model_validate_json(event.model_dump_json())
    assert again == event
    assert again.key() == event.key() == str(getattr(event, cls.key_field))


def test_older_consumer_ignores_unknown_fields() -> None:
    data = {**json.loads(EXAMPLES[RevisionApproved].model_dump_json()), "added_in_v1_1": 1}
    assert RevisionApproved.model_validate(data) == EXAMPLES[RevisionApproved]


# --- envelope ----------------------------------------------------------------


def test_envelope_headers_round_trip() -> None:
    event = EXAMPLES[ArticlePublished]
    trace = {
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "tracestate": "portal=1",
    }
    envelope = envelope_for(event, source="/services/content", at=AT, event_id="e-1", trace=trace)
    headers = envelope.headers()
    assert parse_headers(headers) == envelope
    assert parse_headers({k: v.encode() for k, v in headers.items()}) == envelope
    assert envelope.subject == "a-1"
    assert envelope.tenant == "hanoi"
    assert envelope.type == ArticlePublished.ce_type
    assert envelope.time == AT


def test_parse_headers_rejects_missing_id() -> None:
    headers = headers_of(EXAMPLES[ArticleWithdrawn])
    del headers["ce_id"]
    with pytest.raises(EnvelopeError, match="ce_id"):
        parse_headers(headers)


def test_parse_headers_rejects_other_specversion() -> None:
    headers = {**headers_of(EXAMPLES[ArticleWithdrawn]), "ce_specversion": "0.3"}
    with pytest.raises(EnvelopeError, match="specversion"):
        parse_headers(headers)


def test_parse_headers_rejects_non_iso_time() -> None:
    headers = {**headers_of(EXAMPLES[ArticleWithdrawn]), "ce_time": "08/03/2025 09:30"}
    with pytest.raises(EnvelopeError, match="ISO 8601"):
        parse_headers(headers)


def test_parse_headers_rejects_naive_time() -> None:
    headers = {**headers_of(EXAMPLES[ArticleWithdrawn]), "ce_time": "2025-03-08T09:30:00"}
    with pytest.raises(EnvelopeError, match="time zone"):
        parse_headers(headers)


# --- topics ------------------------------------------------------------------


def test_topic_of_finds_the_topic_of_an_event_and_of_its_class() -> None:
    event = EXAMPLES[RevisionRejected]
    assert topic_of(event) is topic_of(RevisionRejected)
    assert topic_of(event).name == "portal.editorial.review.v1"
    assert topic_of(TenantUpserted).compacted


def test_topic_of_rejects_an_unregistered_event() -> None:
    class Unregistered(Event):
        ce_type: ClassVar[str] = "vn.gov.hanoi.portal.test.Unregistered.v1"
        key_field: ClassVar[str] = "tenant"

    with pytest.raises(LookupError, match="Unregistered"):
        topic_of(Unregistered)
    with pytest.raises(LookupError):
        topic_of(Unregistered(tenant="hanoi"))


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.name)
def test_topic_names_follow_the_convention(topic: Topic) -> None:
    if topic in PARTNER_TOPICS:
        # partner.<domain>.<aggregate>.v1, written by syndication for partners.
        assert re.fullmatch(r"partner\.[a-z]+\.[a-z]+\.v[0-9]+", topic.name)
        assert topic.service == "syndication"
        assert topic.name.endswith(f".{topic.aggregate}.v1")
    else:
        assert re.fullmatch(r"portal\.[a-z]+\.[a-z]+\.v[0-9]+", topic.name)
        assert topic.name == f"portal.{topic.service}.{topic.aggregate}.v1"
    assert topic.dead_letter == topic.name + ".dlt"


def test_each_event_is_on_exactly_one_topic() -> None:
    events = [event for topic in TOPICS for event in topic.events]
    assert len(events) == len(set(events)) == len(EVENTS_BY_TYPE)


# --- committed artefacts -----------------------------------------------------


def test_committed_artefacts_are_up_to_date() -> None:
    assert load_contracts_script().drift() == []


@pytest.mark.parametrize("cls", REGISTERED, ids=lambda cls: cls.__name__)
def test_example_validates_against_committed_schema(cls: type[Event]) -> None:
    path = ROOT / "contracts/schemas" / topic_of(cls).name / f"{cls.__name__}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    example = json.loads(EXAMPLES[cls].model_dump_json())
    validator.validate(example)
    assert schema["x-ce-type"] == cls.ce_type
    assert schema["x-key-field"] == cls.key_field
    required = schema["required"][-1]
    assert not validator.is_valid({k: v for k, v in example.items() if k != required})
