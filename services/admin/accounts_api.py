"""admin's HTTP API for users and their roles per tenant: tenant admins manage their
own tenants' users, operators everyone's.

Roles travel in the JWT signed at login, so a role granted, changed or removed here
takes effect at that user's next login.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.security.jwt import Token
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.engine import Row

from runtime.api import Input
from runtime.auth import Principal, Role
from runtime.service import Service
from services.admin import account_commands, store
from services.admin.account_commands import Refused

SLUG_PATTERN = r"^[a-z0-9-]{1,50}$"
#: New accounts; existing ones are looked up with a looser pattern (PATH_USERNAME).
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{2,49}$"
PATH_USERNAME = r"^[a-z0-9][a-z0-9._-]{0,99}$"

Caller = Request[Principal, Token, Any]
TenantSlug = Annotated[str, QueryParameter(pattern=SLUG_PATTERN)]
TenantPath = Annotated[str, PathParameter(pattern=SLUG_PATTERN)]
Username = Annotated[str, PathParameter(pattern=PATH_USERNAME)]
RoleName = Literal["collaborator", "editor", "board_member", "board_head", "tenant_admin"]


def as_http(refused: Refused) -> HTTPException:
    return HTTPException(status_code=refused.status, detail=refused.message, extra=refused.extra())


class NewUserIn(Input):
    username: str = Field(pattern=USERNAME_PATTERN)
    display_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=200)
    tenant: str = Field(pattern=SLUG_PATTERN)
    role: RoleName

    @field_validator("display_name")
    @classmethod
    def _display_name(cls, value: str) -> str:
        cleaned = " ".join(value.split())
        if not cleaned or any(ord(c) < 32 or ord(c) == 127 for c in cleaned):
            raise ValueError("Tên hiển thị không được để trống hoặc chứa ký tự điều khiển.")
        return cleaned


class RoleIn(Input):
    role: RoleName


class PasswordIn(Input):
    password: str = Field(min_length=1, max_length=200)


class UserOut(BaseModel):
    """An account as seen from one tenant."""

    username: str
    display_name: str
    role: str
    active: bool
    totp_enabled: bool
    locked_until: datetime | None

    @classmethod
    def of(cls, row: Row, role: str) -> UserOut:
        return cls(
            username=row.username,
            display_name=row.display_name,
            role=role,
            active=row.active,
            totp_enabled=row.totp_secret is not None,
            locked_until=_active_lock(row),
        )


class AccountOut(BaseModel):
    """An account with its roles on every tenant."""

    username: str
    display_name: str
    roles: dict[str, str]
    active: bool
    totp_enabled: bool
    locked_until: datetime | None


def _active_lock(row: Row) -> datetime | None:
    until: datetime | None = row.locked_until
    return until if until is not None and until > datetime.now(UTC) else None


async def _account_out(service: Service, username: str) -> AccountOut:
    assert service.db
    async with service.db.read() as session:
        row = await store.get_account(session, username, active_only=False)
        assert row is not None
        roles = await store.roles_of(session, username)
    return AccountOut(
        username=row.username,
        display_name=row.display_name,
        roles={t: r.name for t, r in roles.items()},
        active=row.active,
        totp_enabled=row.totp_secret is not None,
        locked_until=_active_lock(row),
    )


class UserController(Controller):
    path = "/api/v1/users"

    @get("/", operation_id="ListUsers")
    async def list_users(
        self, tenant: TenantSlug, service: NamedDependency[Service], request: Caller
    ) -> list[UserOut]:
        account_commands.require_tenant_admin(request.user, tenant)
        assert service.db
        async with service.db.read() as session:
            rows = await store.users_of_tenant(session, tenant)
        return [UserOut.of(row, row.role) for row in rows]

    @post("/", operation_id="CreateUser", status_code=201)
    async def create_user(
        self, data: JSONBody[NewUserIn], service: NamedDependency[Service], request: Caller
    ) -> UserOut:
        """A new account with one role on one tenant; the password must pass the rules."""
        # Permission and password rules before argon2, which is slow.
        account_commands.require_tenant_admin(request.user, data.tenant)
        try:
            account_commands.check_new_password(data.password, data.username)
            password_hash = await account_commands.hashed(data.password)
            async with service.unit_of_work() as uow:
                row = await account_commands.create_user(
                    uow,
                    request.user,
                    username=data.username,
                    display_name=data.display_name,
                    password_hash=password_hash,
                    tenant=data.tenant,
                    role=Role[data.role],
                )
                await uow.commit()
        except Refused as refused:
            raise as_http(refused) from None
        return UserOut.of(row, data.role)

    @put("/{username:str}/roles/{tenant:str}", operation_id="SetUserRole")
    async def set_role(
        self,
        username: Username,
        tenant: TenantPath,
        data: JSONBody[RoleIn],
        service: NamedDependency[Service],
        request: Caller,
    ) -> UserOut:
        """Grant or change a role (effective at the user's next login)."""
        try:
            async with service.unit_of_work() as uow:
                row, role = await account_commands.set_role(
                    uow, request.user, username, tenant, Role[data.role]
                )
                await uow.commit()
        except Refused as refused:
            raise as_http(refused) from None
        return UserOut.of(row, role.name)

    @delete("/{username:str}/roles/{tenant:str}", operation_id="RemoveUserRole")
    async def remove_role(
        self,
        username: Username,
        tenant: TenantPath,
        service: NamedDependency[Service],
        request: Caller,
    ) -> None:
        """Take a role away (effective at the user's next login)."""
        try:
            async with service.unit_of_work() as uow:
                await account_commands.remove_role(uow, request.user, username, tenant)
                await uow.commit()
        except Refused as refused:
            raise as_http(refused) from None

    @post("/{username:str}/reset-totp", operation_id="ResetUserTotp", status_code=200)
    async def reset_totp(
        self, username: Username, service: NamedDependency[Service], request: Caller
    ) -> AccountOut:
        """Clear a lost second factor; the user enrols a new one before logging in again."""
        try:
            async with service.unit_of_work() as uow:
                await account_commands.reset_totp(uow, request.user, username)
                await uow.commit()
        except Refused as refused:
            raise as_http(refused) from None
        return await _account_out(service, username)

    @post("/{username:str}/deactivate", operation_id="DeactivateUser", status_code=200)
    async def deactivate(
        self, username: Username, service: NamedDependency[Service], request: Caller
    ) -> AccountOut:
        """Close an account: no more logins, and its tokens stop working on every service."""
        return await self._set_active(service, request, username, active=False)

    @post("/{username:str}/reactivate", operation_id="ReactivateUser", status_code=200)
    async def reactivate(
        self, username: Username, service: NamedDependency[Service], request: Caller
    ) -> AccountOut:
        return await self._set_active(service, request, username, active=True)

    async def _set_active(
        self, service: Service, request: Caller, username: str, *, active: bool
    ) -> AccountOut:
        try:
            async with service.unit_of_work() as uow:
                await account_commands.set_active(uow, request.user, username, active)
                await uow.commit()
        except Refused as refused:
            raise as_http(refused) from None
        return await _account_out(service, username)

    @post("/{username:str}/unlock", operation_id="UnlockUser", status_code=200)
    async def unlock(
        self, username: Username, service: NamedDependency[Service], request: Caller
    ) -> AccountOut:
        try:
            async with service.unit_of_work() as uow:
                await account_commands.unlock(uow, request.user, username)
                await uow.commit()
        except Refused as refused:
            raise as_http(refused) from None
        return await _account_out(service, username)

    @post("/{username:str}/password", operation_id="ResetUserPassword", status_code=204)
    async def reset_password(
        self,
        username: Username,
        data: JSONBody[PasswordIn],
        service: NamedDependency[Service],
        request: Caller,
    ) -> None:
        """Set a new password for a user who lost theirs (passed on to them in person)."""
        try:
            account_commands.administered_tenants(request.user)  # before argon2, which is slow
            account_commands.check_new_password(data.password, username)
            password_hash = await account_commands.hashed(data.password)
            async with service.unit_of_work() as uow:
                await account_commands.reset_password(uow, request.user, username, password_hash)
                await uow.commit()
        except Refused as refused:
            raise as_http(refused) from None
