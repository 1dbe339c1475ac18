"""Accounts: login with lockout and TOTP, TOTP enrolment, passwords, and the users and
roles that tenant admins (their tenants) and operators (all) manage.

Every change is recorded with `uow.audit`, so it reaches admin's hash-chained log
through the audit topic like any other service's actions. Secrets and password
hashes never go into the log.

Roles travel inside the JWT signed at login (runtime/auth.py) and no service asks
admin per request, so a role granted, changed or removed here takes effect at the
user's next login; a token already issued keeps its roles until it expires.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Row

from contracts import TokensRevoked
from runtime.auth import REVOKED, ROLE_LABELS_VI, Principal, Role
from runtime.messaging import UnitOfWork
from runtime.service import Service
from runtime.slots import Busy, Slots
from services.admin import store
from services.admin.domain import hash_password, password_matches
from services.admin.security import (
    LockedOut,
    LoginGuard,
    TotpError,
    after_failure,
    check_not_locked,
    check_totp,
    new_totp_secret,
    password_problems,
    totp_required,
)

WRONG_CREDENTIALS = "Sai tên đăng nhập hoặc mật khẩu."
TOTP_NEEDED = "Tài khoản này dùng xác thực hai lớp: hãy nhập mã 6 chữ số trong ứng dụng xác thực."
TOTP_NOT_ENROLLED = (
    "Tài khoản này phải bật xác thực hai lớp trước khi đăng nhập: hãy đăng ký ứng dụng "
    "xác thực (ví dụ Google Authenticator, Microsoft Authenticator) cho tài khoản."
)
TOTP_ALREADY_ENROLLED = (
    "Tài khoản đã bật xác thực hai lớp. Muốn dùng thiết bị khác, hãy nhờ cán bộ vận hành "
    "đặt lại xác thực hai lớp."
)
BUSY = "Hệ thống đang bận xử lý nhiều lượt đăng nhập. Vui lòng thử lại sau ít giây."
TOTP_NOT_STARTED = "Chưa bắt đầu đăng ký xác thực hai lớp, hoặc đã hết phiên đăng ký: hãy làm lại."


class Refused(Exception):
    """An account action was refused: the HTTP status, the message people read (Vietnamese),
    and, for the login UI, the step to show next ("totp", "enrol_totp")."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        next_step: str | None = None,
        locked_until: datetime | None = None,
        problems: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.next_step = next_step
        self.locked_until = locked_until
        self.problems = problems or []

    def extra(self) -> dict[str, Any] | None:
        extra: dict[str, Any] = {}
        if self.next_step:
            extra["next"] = self.next_step
        if self.locked_until:
            extra["locked_until"] = self.locked_until.isoformat()
        if self.problems:
            extra["problems"] = self.problems
        return extra or None


@functools.cache
def _dummy_hash() -> str:
    # Checked against when the account does not exist, so that a missing account costs
    # the same argon2 work as a wrong password and timing does not tell them apart.
    return hash_password(secrets.token_urlsafe(24))


#: argon2 checks at once per process: each takes 64 MiB and tens of milliseconds of a
#: core, so unbounded threads let a burst of anonymous logins exhaust the process. One
#: waits up to 5 s for a slot, then is told to come back (503).
HASHING = Slots("argon2", 3, wait=5.0, message=BUSY)


@contextlib.asynccontextmanager
async def _hashing_slot() -> AsyncIterator[None]:
    try:
        async with HASHING.take():
            yield
    except Busy:
        raise Refused(503, BUSY) from None


async def _matches(stored_hash: str | None, password: str) -> bool:
    """Whether the password matches; None (no such account) checks the dummy hash."""
    # argon2 takes tens of milliseconds of CPU: keep it off the event loop.
    async with _hashing_slot():
        return await asyncio.to_thread(
            lambda: password_matches(stored_hash or _dummy_hash(), password)
        )


async def hashed(password: str) -> str:
    async with _hashing_slot():
        return await asyncio.to_thread(hash_password, password)


def check_new_password(password: str, username: str) -> None:
    problems = password_problems(password, username)
    if problems:
        raise Refused(422, " ".join(problems), problems=problems)


def _account_subject(username: str) -> str:
    return f"account:{username}"


async def revoke_tokens(uow: UnitOfWork, username: str, reason: str) -> int:
    """End every token the account holds: raise its version and tell every service
    (TokensRevoked), in the transaction of the change that calls for it."""
    row = await store.get_account(uow.session, username, for_update=True, active_only=False)
    if row is None:  # a token of an account that is gone: nothing left to revoke
        raise Refused(401, REVOKED)
    version = row.token_version + 1
    await store.update_account(uow.session, username, token_version=version)
    uow.emit(
        TokensRevoked(
            tenant="", username=username, version=version, reason=reason, at=datetime.now(UTC)
        )
    )
    return version


def _guard(row: Row) -> LoginGuard:
    return LoginGuard(failures=row.failures, locked_until=row.locked_until)


def _refuse_if_locked(row: Row, now: datetime) -> None:
    try:
        check_not_locked(_guard(row), now)
    except LockedOut as exc:
        raise Refused(423, str(exc), locked_until=exc.until) from None


def _refusal(locked: LockedOut | None, message: str, next_step: str | None = None) -> Refused:
    if locked is not None:
        return Refused(423, str(locked), locked_until=locked.until)
    return Refused(401, message, next_step=next_step)


# --- login -------------------------------------------------------------------------------


async def _count_failure(uow: UnitOfWork, row: Row, now: datetime, reason: str) -> LockedOut | None:
    """Count a failed attempt on a locked (FOR UPDATE) row; the lock it causes, if any."""
    guard = after_failure(_guard(row), now)
    await store.update_account(
        uow.session, row.username, failures=guard.failures, locked_until=guard.locked_until
    )
    uow.audit(
        actor=row.username,
        action="auth.login_failed",
        subject=_account_subject(row.username),
        tenant=None,
        before={"failures": row.failures},
        after={"failures": guard.failures, "reason": reason},
    )
    if guard.locked_until is None:
        return None
    uow.audit(
        actor="system",
        action="auth.lockout",
        subject=_account_subject(row.username),
        tenant=None,
        before={"locked_until": None},
        after={"locked_until": guard.locked_until},
    )
    return LockedOut(guard.locked_until)


async def _record_failure(service: Service, username: str, now: datetime) -> LockedOut | None:
    async with service.unit_of_work() as uow:
        row = await store.get_account(uow.session, username, for_update=True)
        locked = None
        if row is None:
            uow.audit(
                actor=username,
                action="auth.login_failed",
                subject=_account_subject(username),
                tenant=None,
                after={"reason": "unknown_account"},
            )
        else:
            if row.locked_until is not None and row.locked_until > now:
                return LockedOut(row.locked_until)  # another attempt locked it since we looked
            locked = await _count_failure(uow, row, now, "password")
        await uow.commit()
    return locked


async def _record_locked_attempt(service: Service, username: str) -> None:
    async with service.unit_of_work() as uow:
        uow.audit(
            actor=username,
            action="auth.login_failed",
            subject=_account_subject(username),
            tenant=None,
            after={"reason": "locked"},
        )
        await uow.commit()


async def _password_checked(
    service: Service, username: str, password: str, now: datetime, known_device: bool = False
) -> Row:
    """The active account when not locked and the password is right; otherwise the
    failure is counted (and logged) and Refused raised: 423 while locked, else 401.

    The password is checked outside any write transaction (argon2 is slow); callers
    then lock the row and look at the lock again before changing anything.

    From a `known_device` (one that logged into this account before: throttle.py) the
    lock does not apply and failures are not counted on the account (the device's own
    limit counts them): only strangers can lock an account, and they cannot lock its
    owner out.
    """
    assert service.db
    async with service.db.read() as session:
        row = await store.get_account(session, username)
    if row is not None and not known_device:
        try:
            _refuse_if_locked(row, now)
        except Refused:
            await _record_locked_attempt(service, username)
            raise
    matches = await _matches(row.password_hash if row is not None else None, password)
    if row is not None and matches:
        return row
    if known_device:
        await _record_device_failure(service, username, "password")
        raise Refused(401, WRONG_CREDENTIALS)
    locked = await _record_failure(service, username, now)
    raise _refusal(locked, WRONG_CREDENTIALS)


async def _record_device_failure(service: Service, username: str, reason: str) -> None:
    async with service.unit_of_work() as uow:
        uow.audit(
            actor=username,
            action="auth.login_failed",
            subject=_account_subject(username),
            tenant=None,
            after={"reason": reason, "device": "known"},
        )
        await uow.commit()


async def _locked_row(
    uow: UnitOfWork, username: str, now: datetime, known_device: bool = False
) -> Row:
    row = await store.get_account(uow.session, username, for_update=True)
    if row is None:  # deactivated since the password was checked
        raise Refused(401, WRONG_CREDENTIALS)
    if not known_device:
        _refuse_if_locked(row, now)
    return row


async def login(
    service: Service,
    username: str,
    password: str,
    totp: str | None,
    now: datetime,
    known_device: bool = False,
) -> Principal:
    """The principal to sign a token for, or Refused.

    Order: lock first (423), then the password (401, counted), then the second factor
    for accounts that need it (board members and above, operators) or have one: none
    enrolled is 403 with next step "enrol_totp"; no code is 401 with next step "totp"
    (not counted: it is the login form's second step); a wrong or replayed code is 401
    and counted. Success clears the failure count. A `known_device` is not stopped by
    the lock and its failures are counted by its own limit (see _password_checked).
    """
    await _password_checked(service, username, password, now, known_device)
    async with service.unit_of_work() as uow:
        row = await _locked_row(uow, username, now, known_device)
        principal = await store.principal_of(uow.session, row)
        values: dict[str, Any] = {"failures": 0, "locked_until": None}
        second_factor = totp_required(principal) or row.totp_secret is not None
        if second_factor:
            if row.totp_secret is None:
                uow.audit(
                    actor=username,
                    action="auth.login_failed",
                    subject=_account_subject(username),
                    tenant=None,
                    after={"reason": "totp_not_enrolled"},
                )
                await uow.commit()
                raise Refused(403, TOTP_NOT_ENROLLED, next_step="enrol_totp")
            if not (totp or "").strip():
                raise Refused(401, TOTP_NEEDED, next_step="totp")
            try:
                values["totp_last_step"] = check_totp(
                    row.totp_secret, totp or "", now, row.totp_last_step
                )
            except TotpError as exc:
                if known_device:
                    await uow.session.rollback()
                    await _record_device_failure(service, username, "totp")
                    raise Refused(401, str(exc), next_step="totp") from None
                locked = await _count_failure(uow, row, now, "totp")
                await uow.commit()
                raise _refusal(locked, str(exc), next_step="totp") from None
        await store.update_account(uow.session, username, **values)
        uow.audit(
            actor=username,
            action="auth.login",
            subject=_account_subject(username),
            tenant=None,
            after={"second_factor": second_factor},
        )
        await uow.commit()
    return principal


# --- TOTP enrolment ------------------------------------------------------------------------


async def start_totp_enrolment(
    service: Service, username: str, password: str, now: datetime
) -> str:
    """A new secret, stored as pending until a code from it is confirmed. Only for an
    account without an active second factor (a lost phone is reset by an admin)."""
    await _password_checked(service, username, password, now)
    async with service.unit_of_work() as uow:
        row = await _locked_row(uow, username, now)
        if row.totp_secret is not None:
            raise Refused(409, TOTP_ALREADY_ENROLLED)
        secret = new_totp_secret()
        await store.update_account(uow.session, username, totp_pending=secret)
        uow.audit(
            actor=username,
            action="auth.totp_enrolment_started",
            subject=_account_subject(username),
            tenant=None,
            after={"pending": True},
        )
        await uow.commit()
    return secret


async def confirm_totp_enrolment(
    service: Service, username: str, password: str, code: str, now: datetime
) -> Principal:
    """Activate the pending secret with a code from it; the confirmation is a login too
    (password and second factor were both checked), so the caller may sign a token."""
    await _password_checked(service, username, password, now)
    async with service.unit_of_work() as uow:
        row = await _locked_row(uow, username, now)
        if row.totp_secret is not None:
            raise Refused(409, TOTP_ALREADY_ENROLLED)
        if row.totp_pending is None:
            raise Refused(409, TOTP_NOT_STARTED)
        try:
            step = check_totp(row.totp_pending, code, now, None)
        except TotpError as exc:
            locked = await _count_failure(uow, row, now, "totp_enrolment")
            await uow.commit()
            raise _refusal(locked, str(exc)) from None
        await store.update_account(
            uow.session,
            username,
            totp_secret=row.totp_pending,
            totp_pending=None,
            totp_last_step=step,
            failures=0,
            locked_until=None,
        )
        uow.audit(
            actor=username,
            action="auth.totp_enrolled",
            subject=_account_subject(username),
            tenant=None,
            before={"totp_enabled": False},
            after={"totp_enabled": True},
        )
        principal = await store.principal_of(uow.session, row)
        await uow.commit()
    return principal


async def change_own_password(
    service: Service, by: Principal, password: str, new_password: str, now: datetime
) -> None:
    """A logged-in user changes their password, proving the current one (a wrong one counts
    as a failed login)."""
    check_new_password(new_password, by.username)
    await _password_checked(service, by.username, password, now)
    new_hash = await hashed(new_password)
    async with service.unit_of_work() as uow:
        await _locked_row(uow, by.username, now)
        await store.update_account(
            uow.session, by.username, password_hash=new_hash, password_changed_at=now
        )
        uow.audit(
            actor=by.username,
            action="auth.password_changed",
            subject=_account_subject(by.username),
            tenant=None,
            after={"password_changed_at": now},
        )
        await revoke_tokens(uow, by.username, "password_changed")
        await uow.commit()


# --- users and roles (tenant admins, operators) --------------------------------------------


def snapshot(row: Row, roles: dict[str, Role]) -> dict[str, Any]:
    """What the audit log keeps of an account: no hash, no secret."""
    return {
        "username": row.username,
        "display_name": row.display_name,
        "active": row.active,
        "operator": row.operator,
        "roles": {tenant: role.name for tenant, role in sorted(roles.items())},
        "totp_enabled": row.totp_secret is not None,
        "locked_until": row.locked_until,
    }


def require_tenant_admin(by: Principal, tenant: str) -> None:
    """403 unless `by` administers `tenant` (operators administer every tenant)."""
    by.require(tenant, Role.tenant_admin)


def administered_tenants(by: Principal) -> list[str] | None:
    """The tenants `by` administers, None meaning all (operators); 403 for anyone else."""
    if by.operator:
        return None
    mine = sorted(t for t, role in by.roles.items() if role >= Role.tenant_admin)
    if not mine:
        raise Refused(
            403, "Chỉ quản trị trang và cán bộ vận hành được quản lý tài khoản và xem nhật ký."
        )
    return mine


async def _tenant_exists(uow: UnitOfWork, tenant: str) -> None:
    if await store.get_tenant(uow.session, tenant) is None:
        raise Refused(404, f"Không có trang thông tin điện tử nào mang mã {tenant}.")


async def _target(uow: UnitOfWork, by: Principal, username: str) -> tuple[Row, dict[str, Role]]:
    """The account to change, locked, with its roles; operators only by operators."""
    row = await store.get_account(uow.session, username, for_update=True, active_only=False)
    if row is None:
        raise Refused(404, f"Không có tài khoản {username}.")
    if row.operator and not by.operator:
        raise Refused(403, "Chỉ cán bộ vận hành được thay đổi tài khoản của cán bộ vận hành.")
    return row, await store.roles_of(uow.session, username)


def _check_grant(by: Principal, tenant: str, role: Role) -> None:
    # Roles top out at tenant_admin and the operator flag is not a role, so a tenant admin
    # can grant anything up to their own level on their own tenant, and nothing more.
    own = by.role_in(tenant)
    if own is None or role > own:
        raise Refused(
            403,
            f"Tài khoản {by.username} không được cấp vai trò {ROLE_LABELS_VI[role]} "
            f"trên trang {tenant}.",
        )


def _not_own_admin_role(
    by: Principal, username: str, current: Role | None, new: Role | None
) -> None:
    # Nobody removes their own tenant_admin role: the tenant could be left with no admin.
    if (
        by.username == username
        and current == Role.tenant_admin
        and (new is None or new < Role.tenant_admin)
    ):
        raise Refused(
            409,
            "Không thể tự bỏ quyền Quản trị trang của chính mình; hãy nhờ một quản trị "
            "trang khác hoặc cán bộ vận hành.",
        )


async def create_user(
    uow: UnitOfWork,
    by: Principal,
    *,
    username: str,
    display_name: str,
    password_hash: str,
    tenant: str,
    role: Role,
) -> Row:
    """A new account with one role on `tenant`. The caller has checked the password rules
    and hashed the password (outside the transaction: argon2 is slow)."""
    require_tenant_admin(by, tenant)
    _check_grant(by, tenant, role)
    await _tenant_exists(uow, tenant)
    existing = await store.get_account(uow.session, username, active_only=False)
    if existing is not None:
        raise Refused(409, f"Tên đăng nhập {username} đã được dùng.")
    now = datetime.now(UTC)
    await uow.session.execute(
        insert(store.accounts).values(
            username=username,
            display_name=display_name,
            password_hash=password_hash,
            operator=False,
            active=True,
            created_at=now,
            password_changed_at=now,
        )
    )
    await store.set_role(uow.session, username, tenant, role)
    row = await store.get_account(uow.session, username)
    assert row is not None
    uow.audit(
        actor=by.username,
        action="account.create",
        subject=_account_subject(username),
        tenant=tenant,
        after=snapshot(row, {tenant: role}),
    )
    return row


async def set_role(
    uow: UnitOfWork, by: Principal, username: str, tenant: str, role: Role
) -> tuple[Row, Role]:
    """Grant or change `username`'s role on `tenant` (effective at their next login)."""
    require_tenant_admin(by, tenant)
    _check_grant(by, tenant, role)
    await _tenant_exists(uow, tenant)
    row, roles = await _target(uow, by, username)
    current = roles.get(tenant)
    _not_own_admin_role(by, username, current, role)
    if current != role:
        await store.set_role(uow.session, username, tenant, role)
        uow.audit(
            actor=by.username,
            action="account.role_change",
            subject=_account_subject(username),
            tenant=tenant,
            before=snapshot(row, roles),
            after=snapshot(row, {**roles, tenant: role}),
        )
        await revoke_tokens(uow, username, "roles_changed")
    return row, role


async def remove_role(uow: UnitOfWork, by: Principal, username: str, tenant: str) -> None:
    """Take `username`'s role on `tenant` away (effective at their next login)."""
    require_tenant_admin(by, tenant)
    row, roles = await _target(uow, by, username)
    current = roles.get(tenant)
    if current is None:
        raise Refused(404, f"Tài khoản {username} không có vai trò nào trên trang {tenant}.")
    _not_own_admin_role(by, username, current, None)
    await store.remove_role(uow.session, username, tenant)
    uow.audit(
        actor=by.username,
        action="account.role_remove",
        subject=_account_subject(username),
        tenant=tenant,
        before=snapshot(row, roles),
        after=snapshot(row, {t: r for t, r in roles.items() if t != tenant}),
    )
    await revoke_tokens(uow, username, "roles_changed")


def _acting_tenant(by: Principal, username: str, roles: dict[str, Role]) -> str | None:
    """The tenant through which `by` acts on an account (the entry's tenant, so that its
    admins see it): any of its tenants for operators; for anyone else, `by` must
    administer every tenant the account works on. Otherwise the admin of one small site
    could give the city's board head a role there and then act on that account."""
    if by.operator:
        return min(roles, default=None)
    mine = sorted(t for t in roles if by.has(t, Role.tenant_admin))
    if not mine:
        raise Refused(
            403, f"Tài khoản {by.username} không quản trị trang nào mà {username} làm việc."
        )
    others = sorted(t for t in roles if not by.has(t, Role.tenant_admin))
    if others:
        raise Refused(
            403,
            f"Tài khoản {username} còn làm việc trên trang {', '.join(others[:5])}: chỉ "
            "cán bộ vận hành hoặc người quản trị mọi trang của tài khoản được làm việc này.",
        )
    return mine[0]


async def reset_totp(uow: UnitOfWork, by: Principal, username: str) -> Row:
    """Clear the account's second factor (lost phone); the user enrols again at next login.

    Operators only, after checking who is asking: whoever clears the factor can enrol
    their own authenticator at the next login, so a site admin who knew or guessed the
    password would hold the account."""
    if not by.operator:
        raise Refused(
            403,
            "Chỉ cán bộ vận hành được đặt lại xác thực hai bước, sau khi xác minh người "
            "dùng (gọi điện hoặc gặp trực tiếp).",
        )
    row, roles = await _target(uow, by, username)
    tenant = _acting_tenant(by, username, roles)
    await store.update_account(
        uow.session, username, totp_secret=None, totp_pending=None, totp_last_step=None
    )
    after = await store.get_account(uow.session, username, active_only=False)
    assert after is not None
    uow.audit(
        actor=by.username,
        action="account.totp_reset",
        subject=_account_subject(username),
        tenant=tenant,
        before=snapshot(row, roles),
        after=snapshot(after, roles),
    )
    await revoke_tokens(uow, username, "totp_reset")
    return after


async def unlock(uow: UnitOfWork, by: Principal, username: str) -> Row:
    """End a lockout now and clear the failure count."""
    row, roles = await _target(uow, by, username)
    tenant = _acting_tenant(by, username, roles)
    await store.update_account(uow.session, username, failures=0, locked_until=None)
    after = await store.get_account(uow.session, username, active_only=False)
    assert after is not None
    uow.audit(
        actor=by.username,
        action="account.unlock",
        subject=_account_subject(username),
        tenant=tenant,
        before={**snapshot(row, roles), "failures": row.failures},
        after={**snapshot(after, roles), "failures": 0},
    )
    return after


async def reset_password(uow: UnitOfWork, by: Principal, username: str, password_hash: str) -> Row:
    """Set a new password chosen by an admin (rules checked by the caller).

    Like every action on an account, a tenant admin must administer every tenant the
    account works on (see _acting_tenant).
    """
    row, roles = await _target(uow, by, username)
    tenant = _acting_tenant(by, username, roles)
    now = datetime.now(UTC)
    await store.update_account(
        uow.session,
        username,
        password_hash=password_hash,
        password_changed_at=now,
        failures=0,
        locked_until=None,
    )
    after = await store.get_account(uow.session, username, active_only=False)
    assert after is not None
    uow.audit(
        actor=by.username,
        action="account.password_reset",
        subject=_account_subject(username),
        tenant=tenant,
        before={**snapshot(row, roles), "password_changed_at": row.password_changed_at},
        after={**snapshot(after, roles), "password_changed_at": now},
    )
    await revoke_tokens(uow, username, "password_changed")
    return after


async def set_active(uow: UnitOfWork, by: Principal, username: str, active: bool) -> Row:
    """Deactivate an account (it can no longer log in, and its tokens stop working at
    once) or reactivate it. Nobody deactivates their own account."""
    row, roles = await _target(uow, by, username)
    tenant = _acting_tenant(by, username, roles)
    if username == by.username:
        raise Refused(403, "Không thể tự khoá tài khoản của chính mình.")
    if row.active != active:
        await store.update_account(uow.session, username, active=active)
        uow.audit(
            actor=by.username,
            action="account.reactivate" if active else "account.deactivate",
            subject=_account_subject(username),
            tenant=tenant,
            before=snapshot(row, roles),
            after={**snapshot(row, roles), "active": active},
        )
        if not active:
            await revoke_tokens(uow, username, "deactivated")
    after = await store.get_account(uow.session, username, active_only=False)
    assert after is not None
    return after


async def logout(uow: UnitOfWork, by: Principal) -> None:
    """End the caller's tokens: those of this session and of every other one."""
    uow.audit(
        actor=by.username,
        action="auth.logout",
        subject=_account_subject(by.username),
        tenant=None,
    )
    await revoke_tokens(uow, by.username, "logout")


async def refreshed(uow: UnitOfWork, by: Principal) -> Principal:
    """The principal for a renewed token: the account as it is now, if it is still
    active and its tokens were not revoked since `by`'s was issued."""
    row = await store.get_account(uow.session, by.username)
    if row is None or row.token_version != by.version:
        raise Refused(401, REVOKED)
    return await store.principal_of(uow.session, row)
