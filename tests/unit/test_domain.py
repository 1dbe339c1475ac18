"""Pure rules: article states, slugs, sanitising, review decisions, tenants, roles, hosts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from runtime.auth import Principal, Role
from runtime.html import sanitize_html
from runtime.tenancy import BadHost, classify_host, host_name, tenant_for_host
from services.admin.domain import (
    SEED_TENANTS,
    InvalidTenant,
    Tenant,
    hash_password,
    next_version,
    password_matches,
    read_tenants_csv,
    validate_tenant,
)
from services.content.domain import (
    Action,
    State,
    TransitionError,
    approval_action,
    check_withdrawal,
    clean_text,
    next_state,
    slugify,
    unique_slug,
)
from services.editorial.domain import (
    REJECTION_GROUNDS_VI,
    AlreadyDecided,
    DecisionError,
    OwnWork,
    Status,
    check_not_own,
    check_schedule,
    decide,
    receipt,
)

ALLOWED = [
    # (state, action, live, ever_published, expected)
    (State.draft, Action.edit, False, False, State.draft),
    (State.rejected, Action.edit, False, False, State.draft),
    (State.scheduled, Action.edit, False, False, State.draft),
    (State.published, Action.edit, True, True, State.draft),
    (State.updated, Action.edit, True, True, State.draft),
    (State.withdrawn, Action.edit, False, True, State.draft),
    (State.draft, Action.submit, False, False, State.submitted),
    (State.rejected, Action.submit, False, False, State.submitted),
    (State.submitted, Action.approve, False, False, State.published),
    (State.submitted, Action.approve, True, True, State.updated),
    (State.submitted, Action.schedule, False, False, State.scheduled),
    (State.submitted, Action.reject, False, False, State.rejected),
    (State.scheduled, Action.publish_due, False, False, State.published),
    (State.scheduled, Action.publish_due, True, True, State.updated),
    (State.scheduled, Action.cancel_schedule, False, False, State.draft),
    (State.draft, Action.force_publish, False, False, State.submitted),
    (State.rejected, Action.force_publish, False, False, State.submitted),
    (State.submitted, Action.force_publish, False, False, State.submitted),
    (State.published, Action.withdraw, True, True, State.withdrawn),
    (State.draft, Action.withdraw, True, True, State.withdrawn),  # live copy, new draft
    (State.updated, Action.withdraw, True, True, State.withdrawn),
]


@pytest.mark.parametrize(("state", "action", "live", "ever", "expected"), ALLOWED)
def test_allowed_transitions(
    state: State, action: Action, live: bool, ever: bool, expected: State
) -> None:
    assert next_state(state, action, live=live, ever_published=ever) is expected


ALLOWED_PAIRS = {(s, a) for s, a, *_ in ALLOWED}
REFUSED = [
    (state, action)
    for state in State
    for action in Action
    if action is not Action.withdraw and (state, action) not in ALLOWED_PAIRS
]


def test_every_pair_is_either_allowed_or_refused() -> None:
    assert len(REFUSED) + len({(s, a) for s, a in ALLOWED_PAIRS if a is not Action.withdraw}) == (
        len(State) * (len(Action) - 1)
    )
    # Nothing is public before the board approves: no way from a draft to live.
    for state in (State.draft, State.rejected):
        for action in (Action.approve, Action.schedule, Action.publish_due):
            assert (state, action) in REFUSED


@pytest.mark.parametrize(("state", "action"), REFUSED)
def test_refused_transitions_say_why_in_vietnamese(state: State, action: Action) -> None:
    with pytest.raises(TransitionError, match="Không thể"):
        next_state(state, action, live=True, ever_published=True)


def test_only_a_live_article_can_be_withdrawn() -> None:
    assert next_state(State.draft, Action.withdraw, live=True) is State.withdrawn
    for state in State:
        with pytest.raises(TransitionError, match="chưa được xuất bản"):
            next_state(state, Action.withdraw, live=False)


def test_approval_schedules_only_a_future_time() -> None:
    now = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    assert approval_action(None, now) is Action.approve
    assert approval_action(now - timedelta(seconds=1), now) is Action.approve
    assert approval_action(now, now) is Action.approve
    # No minimum lead time: one second ahead is a schedule.
    assert approval_action(now + timedelta(seconds=1), now) is Action.schedule


@pytest.mark.parametrize(
    ("kind", "reason", "notice", "redirect_to", "problem"),
    [
        ("gone", "", "", None, "lý do"),
        ("notice", "Hết hiệu lực", "", None, "nội dung thông báo"),
        ("redirect", "Đã chuyển", "", None, "đường dẫn"),
        ("redirect", "Đã chuyển", "", "https://evil.example/", "đường dẫn"),
        ("redirect", "Đã chuyển", "", "//evil.example/x", "đường dẫn"),
        ("redirect", "Đã chuyển", "", "/tin-tuc/<script>", "đường dẫn"),
        ("hide", "Đã chuyển", "", None, "notice, redirect hoặc gone"),
    ],
)
def test_withdrawal_refusals(
    kind: str, reason: str, notice: str, redirect_to: str | None, problem: str
) -> None:
    with pytest.raises(TransitionError, match=problem):
        check_withdrawal(kind, reason, notice, redirect_to)


def test_withdrawal_kinds_accepted() -> None:
    check_withdrawal("gone", "Sai sót", "", None)
    check_withdrawal("notice", "Sai sót", "Bài đã được gỡ do thông tin chưa chính xác.", None)
    check_withdrawal("redirect", "Đã thay thế", "", "/tin-tuc/bai-moi-2")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Đường Điện Biên Phủ", "duong-dien-bien-phu"),
        ("ĐÀ NẴNG đá", "da-nang-da"),
        ("Thông báo số 12/TB-UBND!!", "thong-bao-so-12-tb-ubnd"),
        ("   ", "bai-viet"),
        ("Nghị quyết" + " dài" * 60, None),
    ],
)
def test_slugify_folds_vietnamese(title: str, slug: str | None) -> None:
    result = slugify(title)
    if slug is not None:
        assert result == slug
    assert len(result) <= 80
    assert result.isascii() and not result.startswith("-") and not result.endswith("-")


def test_unique_slug() -> None:
    assert unique_slug("a", set()) == "a"
    assert unique_slug("a", {"a", "a-2"}) == "a-3"


def test_sanitize_removes_scripts_handlers_and_javascript_urls() -> None:
    dirty = (
        '<p onclick="x()">Xin chào<script>alert(1)</script>'
        '<a href="javascript:alert(1)">a</a><a href="https://hanoi.gov.vn">b</a>'
        '<img src="x" onerror="y()" alt="ảnh"><iframe src="//e"></iframe></p>'
    )
    clean = sanitize_html(dirty)
    for bad in ("script", "onclick", "onerror", "javascript:", "iframe"):
        assert bad not in clean
    assert 'href="https://hanoi.gov.vn"' in clean
    assert 'alt="ảnh"' in clean


def test_clean_text_is_nfc_without_controls() -> None:
    decomposed = "Hà Nội"  # "a" + combining grave
    assert clean_text(decomposed + "\x00\n  mới") == "Hà Nội mới"


def test_review_decisions() -> None:
    assert decide(Status.pending, approve=True) is Status.approved
    assert (
        decide(Status.pending, approve=False, ground="unclear_origin", note="Chưa rõ nguồn tin")
        is Status.rejected
    )
    for done in (Status.approved, Status.rejected, Status.superseded):
        with pytest.raises(AlreadyDecided, match="không thể quyết định lại"):
            decide(done, approve=True)


@pytest.mark.parametrize(
    ("ground", "note", "problem"),
    [
        (None, "Chưa rõ nguồn tin", "căn cứ của Điều 14.3"),
        ("boring", "Chưa rõ nguồn tin", "căn cứ của Điều 14.3"),
        ("untrue", "  ", "lý do"),
        ("untrue", "sai", "lý do"),
    ],
)
def test_rejection_needs_a_ground_of_dieu_14_3_and_a_note(
    ground: str | None, note: str, problem: str
) -> None:
    with pytest.raises(DecisionError, match=problem):
        decide(Status.pending, approve=False, ground=ground, note=note)


def test_rejection_grounds_are_those_of_dieu_14_3() -> None:
    assert list(REJECTION_GROUNDS_VI) == [
        "policy",
        "secret",
        "untrue",
        "unclear_origin",
        "unlawful",
    ]
    assert REJECTION_GROUNDS_VI["secret"].startswith("b) Thuộc bí mật nhà nước")


def test_schedule_times() -> None:
    now = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    assert check_schedule(None, now) is None
    assert check_schedule(now - timedelta(minutes=5), now) is None
    soon = now + timedelta(seconds=2)
    assert check_schedule(soon, now) == soon
    with pytest.raises(DecisionError, match="một năm"):
        check_schedule(now + timedelta(days=400), now)


def test_receipt_shows_done_waiting_and_late_steps() -> None:
    decided = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    publish_at = decided + timedelta(minutes=2)
    budget = timedelta(seconds=10)
    # Before the time: approved, scheduled waiting, the rest waiting.
    steps = receipt(decided_at=decided, publish_at=publish_at, published_at=None,
                    confirmations={}, consumer_steps=("site", "search"),
                    now=decided + timedelta(minutes=1), budget=budget)  # fmt: skip
    assert [(s.step, s.status) for s in steps] == [
        ("approved", "done"), ("scheduled", "waiting"), ("published", "waiting"),
        ("site", "waiting"), ("search", "waiting"),
    ]  # fmt: skip
    # Published on time; the site confirmed after 300 ms; search never did.
    published = publish_at + timedelta(milliseconds=400)
    steps = receipt(
        decided_at=decided, publish_at=publish_at, published_at=published,
        confirmations={"site": published + timedelta(milliseconds=300)},
        consumer_steps=("site", "search"), now=published + timedelta(seconds=11), budget=budget,
    )  # fmt: skip
    by_step = {s.step: s for s in steps}
    assert by_step["scheduled"].status == "done"
    assert by_step["published"].status == "done" and by_step["published"].after_ms == 400
    assert by_step["site"].status == "done" and by_step["site"].after_ms == 300
    assert by_step["search"].status == "late"
    assert by_step["search"].due_at == published + budget
    # Publication itself late: due at the scheduled time plus the budget.
    steps = receipt(decided_at=decided, publish_at=None, published_at=None, confirmations={},
                    consumer_steps=("site",), now=decided + timedelta(seconds=11),
                    budget=budget)  # fmt: skip
    assert [(s.step, s.status) for s in steps] == [
        ("approved", "done"),
        ("published", "late"),
        ("site", "waiting"),
    ]


def test_seed_tenants_load_and_validate() -> None:
    with SEED_TENANTS.open(encoding="utf-8") as lines:
        tenants = list(read_tenants_csv(lines))
    assert len(tenants) == 151
    assert len({t.slug for t in tenants}) == 151
    assert len({t.domain for t in tenants}) == 151
    kinds = [t.kind for t in tenants]
    assert kinds.count("city") == 1 and kinds.count("ward") == 51 and kinds.count("commune") == 75
    hoankiem = next(t for t in tenants if t.slug == "hoankiem")
    assert hoankiem.name == "Phường Hoàn Kiếm" and hoankiem.domain == "hoankiem.hanoi.gov.vn"


def _tenant(**changes: object) -> Tenant:
    base = {"slug": "thu", "kind": "ward", "name": "Phường Thử", "domain": "thu.hanoi.gov.vn",
            "languages": ("vi",), "parent": "hanoi", "owner": "thu"}  # fmt: skip
    return Tenant(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "changes",
    [
        {"slug": "Bad Slug"},
        {"kind": "planet"},
        {"name": " "},
        {"domain": "not a domain"},
        {"languages": ("en", "vi")},
        {"languages": ()},
        {"owner": "../etc"},
    ],
)
def test_invalid_tenants_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidTenant):
        validate_tenant(_tenant(**changes))


def test_tenant_versions() -> None:
    first = next_version(None, _tenant())
    assert first is not None and first.sequence == 1
    assert next_version(first, _tenant()) is None  # unchanged: no event
    renamed = next_version(first, _tenant(name="Phường Thử Mới"))
    assert renamed is not None and renamed.sequence == 2


def test_passwords() -> None:
    stored = hash_password("mat-khau-dai-du")
    assert password_matches(stored, "mat-khau-dai-du")
    assert not password_matches(stored, "sai")
    assert not password_matches("not-a-hash", "x")
    with pytest.raises(ValueError, match="ít nhất"):
        hash_password("ngan")


def test_roles_include_lower_ones_and_operators_are_above_tenants() -> None:
    board = Principal("b", "B", {"hoankiem": Role.board_member})
    assert board.has("hoankiem", Role.editor)
    assert not board.has("hoankiem", Role.board_head)
    assert not board.has("badinh", Role.collaborator)
    assert Principal("o", "O", operator=True).has("badinh", Role.tenant_admin)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("localhost:8000", "hanoi"),
        ("127.0.0.1", "hanoi"),
        ("hanoi.localhost", "hanoi"),
        ("HoanKiem.localhost:8000", "hoankiem"),
        ("hoankiem.hanoi.gov.vn", "hoankiem"),
        ("www.hanoi.gov.vn", "hanoi"),
        ("hanoi.gov.vn.", "hanoi"),
        ("khongco.localhost", None),
        ("example.com", None),
    ],
)
def test_tenant_for_host(host: str, expected: str | None) -> None:
    domains = {"hanoi.gov.vn": "hanoi", "hoankiem.hanoi.gov.vn": "hoankiem"}
    slugs = {"hanoi": 1, "hoankiem": 1}
    assert tenant_for_host(host, domains=domains, slugs=slugs, city="hanoi") == expected


@pytest.mark.parametrize("host", ["", "a b", "bad..host", "-x.vn", "x" * 300, "h:99999", "h:1:2",
                                  "hà.vn", "h/../x", "h\r\nx"])  # fmt: skip
def test_malformed_hosts(host: str) -> None:
    with pytest.raises(BadHost):
        host_name(host)


def test_classify_host() -> None:
    assert classify_host("[::1]:8000").by == "city"
    assert classify_host("caugiay.localhost").value == "caugiay"
    assert classify_host("www.caugiay.hanoi.gov.vn").value == "caugiay.hanoi.gov.vn"


def test_nobody_approves_or_post_reviews_their_own_work() -> None:
    check_not_own("bientap.hoankiem", "bbt.hoankiem")
    check_not_own("tbbt.hoankiem", "bbt.hoankiem", post_review=True)
    with pytest.raises(OwnWork, match="tự duyệt"):
        check_not_own("bbt.hoankiem", "bbt.hoankiem")
    with pytest.raises(OwnWork, match="tự hậu kiểm"):
        check_not_own("tbbt.hoankiem", "tbbt.hoankiem", post_review=True)


def test_tenant_changes_are_named_for_the_audit() -> None:
    from dataclasses import replace as _replace

    from services.admin.commands import tenant_action
    from services.admin.domain import Tenant

    site = Tenant(
        slug="phuong-thu", kind="ward", name="Phường Thử", domain="thu.hanoi.gov.vn",
        languages=("vi",), parent="hanoi", owner="phuong-thu", active=True, profile={},
    )  # fmt: skip
    assert tenant_action(None, site) == "tenant.create"
    assert tenant_action(site, _replace(site, active=False)) == "tenant.deactivate"
    assert tenant_action(_replace(site, active=False), site) == "tenant.reactivate"
    assert tenant_action(site, _replace(site, domain="x.hanoi.gov.vn")) == "tenant.domain_change"
    assert tenant_action(site, _replace(site, profile={"address": "1"})) == "tenant.profile_edit"
    assert tenant_action(site, _replace(site, name="Phường Mới")) == "tenant.update"
