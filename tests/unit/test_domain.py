"""Pure rules: article states, slugs, sanitising, review decisions, tenants, roles, hosts."""

from __future__ import annotations

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
    clean_text,
    next_state,
    slugify,
    unique_slug,
)
from services.editorial.domain import DecisionError, Status, decide


@pytest.mark.parametrize(
    ("state", "action", "expected"),
    [
        (State.draft, Action.submit, State.submitted),
        (State.rejected, Action.submit, State.submitted),
        (State.submitted, Action.approve, State.published),
        (State.submitted, Action.reject, State.rejected),
        (State.published, Action.edit, State.draft),
        (State.rejected, Action.edit, State.draft),
    ],
)
def test_allowed_transitions(state: State, action: Action, expected: State) -> None:
    assert next_state(state, action) is expected


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (State.draft, Action.approve),  # nothing is public before the board approves
        (State.draft, Action.reject),
        (State.submitted, Action.edit),  # the board reads what was submitted
        (State.submitted, Action.submit),
        (State.published, Action.approve),
    ],
)
def test_refused_transitions_say_why_in_vietnamese(state: State, action: Action) -> None:
    with pytest.raises(TransitionError, match="Không thể"):
        next_state(state, action)


def test_only_a_live_article_can_be_withdrawn() -> None:
    assert next_state(State.draft, Action.withdraw, live=True) is State.withdrawn
    with pytest.raises(TransitionError):
        next_state(State.published, Action.withdraw, live=False)


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
        decide(Status.pending, approve=False, reason="Thông tin chưa rõ nguồn") is Status.rejected
    )
    with pytest.raises(DecisionError, match="lý do"):
        decide(Status.pending, approve=False, reason="  ")
    for done in (Status.approved, Status.rejected, Status.superseded):
        with pytest.raises(DecisionError):
            decide(done, approve=True)


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
