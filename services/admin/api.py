"""admin's HTTP API: login and TOTP enrolment, and tenants (users: accounts_api.py,
audit log: audit_api.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.exceptions import (
    NotFoundException,
    PermissionDeniedException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.params import JSONBody, PathParameter
from litestar.security.jwt import Token
from pydantic import BaseModel, Field

from runtime.api import Input
from runtime.auth import Principal, Role, TokenIssuer
from runtime.clientip import client_key
from runtime.service import Service
from services.admin import account_commands, commands, store
from services.admin.accounts_api import as_http
from services.admin.domain import InvalidTenant, Tenant, clean_profile, validate_tenant
from services.admin.security import provisioning_uri, qr_svg
from services.admin.throttle import DEVICE_HEADER, Throttle, TooMany

Slug = Annotated[str, PathParameter(pattern=r"^[a-z0-9-]{1,50}$")]


class LoginIn(Input):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)
    #: The 6-digit code of the authenticator app, for accounts with a second factor.
    totp: str | None = Field(default=None, max_length=20)


class TotpEnrolIn(Input):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class TotpConfirmIn(TotpEnrolIn):
    code: str = Field(min_length=1, max_length=20)


class TotpEnrolOut(BaseModel):
    secret: str
    uri: str
    qr_svg: str


class PasswordChangeIn(Input):
    password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


class LoginOut(BaseModel):
    token: str
    username: str
    display_name: str
    roles: dict[str, str]
    operator: bool
    #: Proof that this device logged in (sent back in the Login-Device header next time):
    #: a known device is not stopped by the account's lockout, which strangers cause.
    device: str | None = None


class ProfileIn(Input):
    """A site's footer facts; an empty string clears a field."""

    governing_body: str = Field(default="", max_length=300)
    responsible_person: str = Field(default="", max_length=200)
    licence: str = Field(default="", max_length=300)
    address: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=50, pattern=r"^[0-9 +().-]*$")
    email: str = Field(default="", max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
    name_en: str = Field(default="", max_length=300)
    emc_site_id: str = Field(default="", max_length=100, pattern=r"^[A-Za-z0-9_-]*$")
    trust_badge_id: str = Field(default="", max_length=100, pattern=r"^[A-Za-z0-9_-]*$")


class TenantIn(Input):
    kind: str = Field(max_length=20)
    name: str = Field(min_length=1, max_length=300)
    domain: str = Field(min_length=1, max_length=253)
    languages: list[str] = Field(min_length=1, max_length=10)
    parent: str | None = Field(default=None, max_length=50)
    owner: str = Field(max_length=50)
    active: bool = True
    #: Left out: the site keeps the profile it has.
    profile: ProfileIn | None = None


class TenantOut(TenantIn):
    slug: str
    sequence: int
    profile: ProfileIn | None = None

    @classmethod
    def of(cls, t: Tenant) -> TenantOut:
        return cls(
            slug=t.slug,
            kind=t.kind,
            name=t.name,
            domain=t.domain,
            languages=list(t.languages),
            parent=t.parent,
            owner=t.owner,
            active=t.active,
            sequence=t.sequence,
            profile=ProfileIn(**t.profile),
        )


NO_STORE = CacheControlHeader(no_store=True)


def _login_out(principal: Principal, tokens: TokenIssuer, device: str | None = None) -> LoginOut:
    return LoginOut(
        token=tokens.issue(principal),
        username=principal.username,
        display_name=principal.display_name,
        roles={tenant: role.name for tenant, role in principal.roles.items()},
        operator=principal.operator,
        device=device,
    )


def _too_many(exc: TooMany) -> TooManyRequestsException:
    return TooManyRequestsException(
        detail=exc.message, headers={"Retry-After": str(exc.retry_after)}
    )


class AuthController(Controller):
    """Login (password, lockout, TOTP), renewal, logout, TOTP enrolment, and changing
    one's password.

    The token carries the roles held at login, for at most TOKEN_TTL. Changing an
    account's roles, password or factor, deactivating it and logging out revoke its
    tokens everywhere (account_commands.revoke_tokens)."""

    path = "/api/v1/auth"

    @post(
        "/login",
        operation_id="Login",
        status_code=200,
        exclude_from_auth=True,
        cache_control=NO_STORE,
    )
    async def login(
        self,
        data: JSONBody[LoginIn],
        service: NamedDependency[Service],
        tokens: NamedDependency[TokenIssuer],
        throttle: NamedDependency[Throttle],
        request: Request[Any, Any, Any],
    ) -> LoginOut:
        """Limited per address and per account before any password is checked
        (throttle.py); 429 with Retry-After when over."""
        address = client_key(request.scope, service.settings.forwarded_allow_ips)
        device = throttle.known_device(request.headers.get(DEVICE_HEADER), data.username)
        try:
            await throttle.before_attempt(address, data.username, device)
        except TooMany as exc:
            raise _too_many(exc) from None
        try:
            principal = await account_commands.login(
                service,
                data.username,
                data.password,
                data.totp,
                datetime.now(UTC),
                known_device=device is not None,
            )
        except account_commands.Refused as refused:
            # Asking for the code is the form's second step, not a failure.
            asked_for_code = refused.next_step == "totp" and not (data.totp or "").strip()
            if refused.status in (401, 423) and not asked_for_code:
                await throttle.failed(address, data.username, device)
            raise as_http(refused) from None
        return _login_out(principal, tokens, throttle.device_token(principal.username, device))

    @post("/refresh", operation_id="RefreshToken", status_code=200, cache_control=NO_STORE)
    async def refresh(
        self,
        service: NamedDependency[Service],
        tokens: NamedDependency[TokenIssuer],
        request: Request[Principal, Token, Any],
    ) -> LoginOut:
        """A new token for a still valid one, with the account's roles as they are now;
        401 once the account was deactivated or its tokens revoked."""
        try:
            async with service.unit_of_work() as uow:
                principal = await account_commands.refreshed(uow, request.user)
        except account_commands.Refused as refused:
            raise as_http(refused) from None
        return _login_out(principal, tokens)

    @post("/logout", operation_id="Logout", status_code=204)
    async def logout(
        self, service: NamedDependency[Service], request: Request[Principal, Token, Any]
    ) -> None:
        """Revoke every token of the caller's account, on every service."""
        async with service.unit_of_work() as uow:
            await account_commands.logout(uow, request.user)
            await uow.commit()

    @get("/me", operation_id="WhoAmI")
    async def me(self, request: Request[Principal, Token, Any]) -> dict[str, Any]:
        return {"username": request.user.username, **request.user.claims()}

    @post(
        "/totp/enrol",
        operation_id="StartTotpEnrolment",
        status_code=200,
        exclude_from_auth=True,
        cache_control=NO_STORE,
    )
    async def enrol_totp(
        self, data: JSONBody[TotpEnrolIn], service: NamedDependency[Service]
    ) -> TotpEnrolOut:
        """A new TOTP secret for an account without one, shown once as text, URI and QR
        code; it becomes active when a code from it is confirmed."""
        try:
            secret = await account_commands.start_totp_enrolment(
                service, data.username, data.password, datetime.now(UTC)
            )
        except account_commands.Refused as refused:
            raise as_http(refused) from None
        uri = provisioning_uri(secret, data.username)
        return TotpEnrolOut(secret=secret, uri=uri, qr_svg=qr_svg(uri))

    @post(
        "/totp/confirm",
        operation_id="ConfirmTotpEnrolment",
        status_code=200,
        exclude_from_auth=True,
        cache_control=NO_STORE,
    )
    async def confirm_totp(
        self,
        data: JSONBody[TotpConfirmIn],
        service: NamedDependency[Service],
        tokens: NamedDependency[TokenIssuer],
    ) -> LoginOut:
        """Activate the pending secret with a code from it; logs the user in."""
        try:
            principal = await account_commands.confirm_totp_enrolment(
                service, data.username, data.password, data.code, datetime.now(UTC)
            )
        except account_commands.Refused as refused:
            raise as_http(refused) from None
        return _login_out(principal, tokens)

    @post("/password", operation_id="ChangeOwnPassword", status_code=204)
    async def change_password(
        self,
        data: JSONBody[PasswordChangeIn],
        service: NamedDependency[Service],
        request: Request[Principal, Token, Any],
    ) -> None:
        try:
            await account_commands.change_own_password(
                service, request.user, data.password, data.new_password, datetime.now(UTC)
            )
        except account_commands.Refused as refused:
            raise as_http(refused) from None


class TenantController(Controller):
    path = "/api/v1/tenants"

    @get("/", operation_id="ListTenants", exclude_from_auth=True)
    async def list_tenants(self, service: NamedDependency[Service]) -> list[TenantOut]:
        assert service.db
        async with service.db.read() as session:
            return [TenantOut.of(t) for t in await store.all_tenants(session)]

    @get("/{slug:str}", operation_id="GetTenant", exclude_from_auth=True)
    async def get_tenant(self, slug: Slug, service: NamedDependency[Service]) -> TenantOut:
        assert service.db
        async with service.db.read() as session:
            tenant = await store.get_tenant(session, slug)
        if tenant is None:
            raise NotFoundException(f"Không có trang nào mang mã {slug}.")
        return TenantOut.of(tenant)

    @put("/{slug:str}", operation_id="UpsertTenant")
    async def upsert_tenant(
        self,
        slug: Slug,
        data: JSONBody[TenantIn],
        service: NamedDependency[Service],
        request: Request[Principal, Token, Any],
    ) -> TenantOut:
        if not request.user.operator:
            raise PermissionDeniedException("Chỉ cán bộ vận hành được thêm hoặc sửa trang.")
        profile = clean_profile(data.profile.model_dump()) if data.profile else None
        if profile is None:
            async with service.db.read() as session:  # type: ignore[union-attr]
                current = await store.get_tenant(session, slug)
            profile = dict(current.profile) if current else {}
        try:
            wanted = validate_tenant(
                Tenant(
                    slug=slug,
                    kind=data.kind,
                    name=data.name.strip(),
                    domain=data.domain.strip().lower(),
                    languages=tuple(data.languages),
                    parent=data.parent,
                    owner=data.owner,
                    active=data.active,
                    profile=profile,
                )
            )
        except InvalidTenant as exc:
            raise ValidationException(str(exc)) from exc
        async with service.unit_of_work() as uow:
            tenant, _changed = await commands.upsert_tenant(
                uow, wanted, actor=request.user.username
            )
            await uow.commit()
        return TenantOut.of(tenant)

    @put("/{slug:str}/profile", operation_id="UpdateSiteProfile")
    async def update_profile(
        self,
        slug: Slug,
        data: JSONBody[ProfileIn],
        service: NamedDependency[Service],
        request: Request[Principal, Token, Any],
    ) -> TenantOut:
        """The site's footer facts (TT 22/2023), by its administrator or an operator."""
        request.user.require(slug, Role.tenant_admin)
        assert service.db
        async with service.unit_of_work() as uow:
            current = await store.get_tenant(uow.session, slug, for_update=True)
            if current is None:
                raise NotFoundException(f"Không có trang nào mang mã {slug}.")
            wanted = replace(current, profile=clean_profile(data.model_dump()))
            tenant, _changed = await commands.upsert_tenant(
                uow, wanted, actor=request.user.username
            )
            await uow.commit()
        return TenantOut.of(tenant)
