"""admin's HTTP API: login and tenants."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import (
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.params import JSONBody, PathParameter
from litestar.security.jwt import Token
from pydantic import BaseModel, Field

from runtime.api import Input
from runtime.auth import Principal, TokenIssuer
from runtime.service import Service
from services.admin import commands, store
from services.admin.domain import InvalidTenant, Tenant, password_matches, validate_tenant

Slug = Annotated[str, PathParameter(pattern=r"^[a-z0-9-]{1,50}$")]


class LoginIn(Input):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class LoginOut(BaseModel):
    token: str
    username: str
    display_name: str
    roles: dict[str, str]
    operator: bool


class TenantIn(Input):
    kind: str = Field(max_length=20)
    name: str = Field(min_length=1, max_length=300)
    domain: str = Field(min_length=1, max_length=253)
    languages: list[str] = Field(min_length=1, max_length=10)
    parent: str | None = Field(default=None, max_length=50)
    owner: str = Field(max_length=50)
    active: bool = True


class TenantOut(TenantIn):
    slug: str
    sequence: int

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
        )


class AuthController(Controller):
    path = "/api/v1/auth"

    @post("/login", operation_id="Login", status_code=200, exclude_from_auth=True)
    async def login(
        self,
        data: JSONBody[LoginIn],
        service: NamedDependency[Service],
        tokens: NamedDependency[TokenIssuer],
    ) -> LoginOut:
        assert service.db
        async with service.db.read() as session:
            found = await store.find_account(session, data.username)
        if found is None or not password_matches(found[0], data.password):
            raise NotAuthorizedException("Sai tên đăng nhập hoặc mật khẩu.")
        principal = found[1]
        return LoginOut(
            token=tokens.issue(principal),
            username=principal.username,
            display_name=principal.display_name,
            roles={tenant: role.name for tenant, role in principal.roles.items()},
            operator=principal.operator,
        )

    @get("/me", operation_id="WhoAmI")
    async def me(self, request: Request[Principal, Token, Any]) -> dict[str, Any]:
        return {"username": request.user.username, **request.user.claims()}


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
                )
            )
        except InvalidTenant as exc:
            raise ValidationException(str(exc)) from exc
        async with service.unit_of_work() as uow:
            tenant, _changed = await commands.upsert_tenant(uow, wanted)
            await uow.commit()
        return TenantOut.of(tenant)
