"""services.admin.security: TOTP two-factor, login lockout and password rules."""

from __future__ import annotations

import base64
import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest

from runtime.auth import Principal, Role
from services.admin.security import (
    COMMON_PASSWORDS,
    ISSUER,
    LOCK_MINUTES,
    MAX_FAILURES,
    LockedOut,
    LoginGuard,
    TotpError,
    after_failure,
    after_success,
    check_not_locked,
    check_totp,
    demo_totp_secret,
    new_totp_secret,
    password_problems,
    provisioning_uri,
    qr_svg,
    totp_required,
)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# 10 s into a 30 s step, so ±30 s and ±60 s land squarely in neighbouring steps.
NOW = datetime(2025, 3, 8, 2, 30, 10, tzinfo=UTC)
STEP = int(NOW.timestamp()) // 30
HANOI = timezone(timedelta(hours=7))


def code_at(moment: datetime, secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(moment)


def principal(roles: dict[str, Role] | None = None, *, operator: bool = False) -> Principal:
    return Principal(username="u", display_name="U", roles=roles or {}, operator=operator)


# --- who needs TOTP --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "operator", "required"),
    [
        ({}, False, False),
        ({"hoankiem": Role.collaborator}, False, False),
        ({"hoankiem": Role.editor, "badinh": Role.editor}, False, False),
        ({"hoankiem": Role.board_member}, False, True),
        ({"hoankiem": Role.board_head}, False, True),
        ({"hoankiem": Role.tenant_admin}, False, True),
        # A high role on one tenant is enough, whatever the others are.
        ({"hoankiem": Role.collaborator, "badinh": Role.board_member}, False, True),
        ({}, True, True),
    ],
)
def test_totp_required(roles: dict[str, Role], operator: bool, required: bool) -> None:
    assert totp_required(principal(roles, operator=operator)) is required


# --- enrolment -------------------------------------------------------------------------------


def test_new_secret_is_random_base32() -> None:
    first, second = new_totp_secret(), new_totp_secret()
    assert first != second
    assert re.fullmatch(r"[A-Z2-7]{32}", first)
    pyotp.TOTP(first).now()


def test_provisioning_uri_names_issuer_account_and_secret() -> None:
    uri = provisioning_uri(SECRET, "bientap.hoankiem")
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth"
    assert parts.netloc == "totp"
    assert unquote(parts.path) == f"/{ISSUER}:bientap.hoankiem"
    query = parse_qs(parts.query)
    assert query["secret"] == [SECRET]
    assert query["issuer"] == ["Cổng TTĐT Hà Nội"]


def test_qr_svg_is_inline_svg_with_a_path() -> None:
    svg = qr_svg(provisioning_uri(SECRET, "bientap.hoankiem"))
    assert svg.startswith("<svg ")
    assert svg.rstrip().endswith("</svg>")
    assert "<path" in svg
    assert "<?xml" not in svg
    # Nothing fetched from elsewhere: no external references in the markup.
    assert "http" not in svg


def test_qr_svg_is_a_full_qr_code_even_for_short_data() -> None:
    # Micro QR (which authenticator apps cannot read) would be 11-17 modules + 2x2 quiet zone.
    svg = qr_svg("otpauth://totp/a?secret=AA")
    width = int(re.search(r'width="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    assert width >= (21 + 8) * 4


# --- checking codes --------------------------------------------------------------------------


def test_current_code_returns_current_step() -> None:
    assert check_totp(SECRET, code_at(NOW), NOW, None) == STEP


def test_spaces_in_code_are_ignored() -> None:
    code = code_at(NOW)
    assert check_totp(SECRET, f" {code[:3]} {code[3:]} ", NOW, None) == STEP


@pytest.mark.parametrize("offset", [-1, 1])
def test_one_step_of_drift_is_accepted(offset: int) -> None:
    moment = NOW + timedelta(seconds=30 * offset)
    assert check_totp(SECRET, code_at(moment), NOW, None) == STEP + offset


@pytest.mark.parametrize("offset", [-2, 2])
def test_two_steps_of_drift_are_refused(offset: int) -> None:
    moment = NOW + timedelta(seconds=30 * offset)
    with pytest.raises(TotpError, match="không đúng hoặc đã hết hạn"):
        check_totp(SECRET, code_at(moment), NOW, None)


def test_wrong_code_is_refused() -> None:
    right = code_at(NOW)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    with pytest.raises(TotpError) as excinfo:
        check_totp(SECRET, wrong, NOW, None)
    assert str(excinfo.value) == "Mã xác thực không đúng hoặc đã hết hạn."


def test_code_of_another_secret_is_refused() -> None:
    other = demo_totp_secret("someone-else")
    with pytest.raises(TotpError):
        check_totp(SECRET, code_at(NOW, other), NOW, None)


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12a456", "１２３４５６", "12-456"])
def test_malformed_code_is_refused(code: str) -> None:
    with pytest.raises(TotpError) as excinfo:
        check_totp(SECRET, code, NOW, None)
    assert str(excinfo.value) == "Mã xác thực gồm 6 chữ số."


def test_totp_error_is_a_value_error() -> None:
    assert issubclass(TotpError, ValueError)


def test_same_code_twice_is_a_replay() -> None:
    step = check_totp(SECRET, code_at(NOW), NOW, None)
    with pytest.raises(TotpError) as excinfo:
        check_totp(SECRET, code_at(NOW), NOW + timedelta(seconds=5), step)
    assert str(excinfo.value) == "Mã xác thực này đã được dùng, hãy đợi mã mới."


def test_older_step_after_a_newer_one_is_a_replay() -> None:
    # The next step's code was used; the current one, though still in the window, is now stale.
    with pytest.raises(TotpError, match="đã được dùng"):
        check_totp(SECRET, code_at(NOW), NOW, STEP + 1)


def test_next_step_after_a_used_one_is_accepted() -> None:
    later = NOW + timedelta(seconds=30)
    assert check_totp(SECRET, code_at(later), later, STEP) == STEP + 1


def test_naive_now_is_refused_for_totp() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        check_totp(SECRET, code_at(NOW), NOW.replace(tzinfo=None), None)


def test_non_utc_now_means_the_same_instant() -> None:
    assert check_totp(SECRET, code_at(NOW), NOW.astimezone(HANOI), None) == STEP


# --- demo secrets ----------------------------------------------------------------------------


def test_demo_secret_is_stable_and_valid_base32() -> None:
    secret = demo_totp_secret("bientap.hoankiem")
    assert secret == demo_totp_secret("bientap.hoankiem")
    assert secret != demo_totp_secret("bientap.badinh")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert len(base64.b32decode(secret)) == 20
    assert check_totp(secret, pyotp.TOTP(secret).at(NOW), NOW, None) == STEP


def test_demo_secret_is_pinned() -> None:
    # The demo seeder and e2e tests rely on this exact derivation; changing it locks them out.
    assert demo_totp_secret("x") == "36X2QYVGUXUVAK5OE7ECMH32ZYMHWHKT"


# --- lockout ---------------------------------------------------------------------------------


def fail(times: int, guard: LoginGuard | None = None, now: datetime = NOW) -> LoginGuard:
    guard = guard or LoginGuard()
    for _ in range(times):
        guard = after_failure(guard, now)
    return guard


def test_four_failures_do_not_lock() -> None:
    guard = fail(MAX_FAILURES - 1)
    assert guard == LoginGuard(failures=4, locked_until=None)
    check_not_locked(guard, NOW)


def test_fifth_failure_locks_for_fifteen_minutes_and_resets_the_counter() -> None:
    guard = fail(MAX_FAILURES)
    assert MAX_FAILURES == 5
    assert LOCK_MINUTES == 15
    assert guard == LoginGuard(failures=0, locked_until=NOW + timedelta(minutes=15))
    with pytest.raises(LockedOut) as excinfo:
        check_not_locked(guard, NOW + timedelta(minutes=14, seconds=59))
    assert excinfo.value.until == NOW + timedelta(minutes=15)


def test_locked_out_message_gives_hanoi_time() -> None:
    guard = fail(MAX_FAILURES)  # 02:30:10 UTC + 15 min = 09:45 in Hanoi
    with pytest.raises(LockedOut) as excinfo:
        check_not_locked(guard, NOW)
    message = str(excinfo.value)
    assert "09:45" in message
    assert "thử lại" in message


def test_lock_expires() -> None:
    guard = fail(MAX_FAILURES)
    check_not_locked(guard, NOW + timedelta(minutes=15))
    check_not_locked(guard, NOW + timedelta(hours=3))


def test_after_expiry_the_full_number_of_attempts_is_available() -> None:
    later = NOW + timedelta(minutes=20)
    guard = fail(MAX_FAILURES - 1, fail(MAX_FAILURES), later)
    assert guard == LoginGuard(failures=4, locked_until=None)
    check_not_locked(guard, later)
    relocked = after_failure(guard, later)
    assert relocked.locked_until == later + timedelta(minutes=15)


def test_success_resets() -> None:
    assert after_success(LoginGuard(failures=4)) == LoginGuard()
    # Success after the counter was reset means the next failure starts from one.
    assert after_failure(after_success(fail(3)), NOW).failures == 1


def test_naive_datetimes_are_refused_by_the_guard() -> None:
    naive = NOW.replace(tzinfo=None)
    with pytest.raises(ValueError, match="timezone-aware"):
        check_not_locked(LoginGuard(), naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        after_failure(LoginGuard(), naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        LoginGuard(failures=0, locked_until=naive)


# --- passwords -------------------------------------------------------------------------------


def test_good_password_has_no_problems() -> None:
    assert password_problems("Hồ Gươm 2025 sáng", "bientap.hoankiem") == []
    assert password_problems("correct-Horse-battery", "bientap") == []


def test_too_short() -> None:
    problems = password_problems("Ab1!Ab1!Ab1", "bientap")
    assert problems == ["Mật khẩu cần có ít nhất 12 ký tự."]


def test_length_counts_characters_not_code_points() -> None:
    # Vietnamese letters typed in decomposed form (NFD) count once each, as people see them.
    twelve = unicodedata.normalize("NFD", "Ệệ1Ệệ1Ệệ1Ệệ1")
    eleven = unicodedata.normalize("NFD", "Ệệ1Ệệ1Ệệ1Ệệ")
    assert len(eleven) > 12
    assert password_problems(twelve, "x") == []
    assert password_problems(eleven, "x") == ["Mật khẩu cần có ít nhất 12 ký tự."]


def test_contains_username() -> None:
    problems = password_problems("Xin-chao-BienTap-2025", "bientap")
    assert problems == ["Mật khẩu không được chứa tên đăng nhập."]


def test_single_character_class() -> None:
    problems = password_problems("honguomxanhmat", "bientap")
    assert problems == [
        "Mật khẩu cần có ít nhất 3 trong 4 loại ký tự: chữ thường, chữ hoa, "
        "chữ số và ký tự đặc biệt."
    ]


def test_two_character_classes_are_not_enough() -> None:
    assert len(password_problems("honguom123456", "bientap")) == 1
    assert password_problems("Honguom123456", "bientap") == []


@pytest.mark.parametrize("password", ["Password1234", "Matkhau12345", "Hanoi1234567"])
def test_common_password(password: str) -> None:
    # These pass length and class rules: only the common-password list catches them.
    assert password_problems(password, "bientap") == [
        "Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác."
    ]


def test_common_list_is_lower_case_and_includes_the_usual_suspects() -> None:
    assert {"123456789012", "matkhau12345", "password1234", "hanoi1234567"} <= COMMON_PASSWORDS
    assert all(word == word.casefold() for word in COMMON_PASSWORDS)


def test_problems_accumulate() -> None:
    assert len(password_problems("bientap", "bientap")) == 3
    assert len(password_problems("123456789012", "bientap")) == 2
