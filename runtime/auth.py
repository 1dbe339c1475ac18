"""Who is calling, and what their role allows: editors' tokens and role rules.

`admin` signs a short-lived JWT at login; every service checks it with the
shared secret and reads the roles from it, so no service calls admin per
request. Role rules are pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import IntEnum
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.security.jwt import JWTAuth, Token

TOKEN_TTL = timedelta(hours=8)
OPEN_PATHS = ["/healthz", "/readyz", "/metrics", "/schema"]


class Role(IntEnum):
    """Roles within one tenant, each including the rights of those below it."""

    collaborator = 10  # cộng tác viên
    editor = 20  # biên tập viên
    board_member = 30  # thành viên Ban Biên tập
    board_head = 40  # Trưởng Ban Biên tập
    tenant_admin = 50  # quản trị trang


ROLE_LABELS_VI = {
    Role.collaborator: "Cộng tác viên",
    Role.editor: "Biên tập viên",
    Role.board_member: "Thành viên Ban Biên tập",
    Role.board_head: "Trưởng Ban Biên tập",
    Role.tenant_admin: "Quản trị trang",
}


@dataclass(frozen=True)
class Principal:
    username: str
    display_name: str
    roles: dict[str, Role] = field(default_factory=dict)
    #: Operators of the city office stand above every tenant.
    operator: bool = False

    def role_in(self, tenant: str) -> Role | None:
        if self.operator:
            return Role.tenant_admin
        return self.roles.get(tenant)

    def has(self, tenant: str, at_least: Role) -> bool:
        role = self.role_in(tenant)
        return role is not None and role >= at_least

    def require(self, tenant: str, at_least: Role) -> None:
        if not self.has(tenant, at_least):
            raise PermissionDeniedException(
                f"Tài khoản {self.username} cần quyền {ROLE_LABELS_VI[at_least]} "
                f"trên trang {tenant} để làm việc này."
            )

    def claims(self) -> dict[str, Any]:
        return {
            "name": self.display_name,
            "roles": {tenant: role.name for tenant, role in self.roles.items()},
            "operator": self.operator,
        }

    @classmethod
    def from_token(cls, token: Token) -> Principal:
        extras = token.extras
        try:
            roles = {tenant: Role[name] for tenant, name in extras.get("roles", {}).items()}
        except KeyError as exc:
            raise NotAuthorizedException("Mã đăng nhập chứa vai trò không hợp lệ.") from exc
        return cls(
            username=token.sub,
            display_name=str(extras.get("name", token.sub)),
            roles=roles,
            operator=bool(extras.get("operator", False)),
        )


async def _principal(token: Token, _connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    return Principal.from_token(token)


def jwt_auth(secret: str, *, open_paths: list[str] | None = None) -> JWTAuth[Principal, Token]:
    if len(secret) < 32:
        raise RuntimeError(
            "PORTAL_AUTH_SECRET must be set to at least 32 characters "
            "(`make run` generates one for the embedded platform)."
        )
    return JWTAuth[Principal, Token](
        retrieve_user_handler=_principal,
        token_secret=secret,
        exclude=[*OPEN_PATHS, *(open_paths or [])],
        default_token_expiration=TOKEN_TTL,
    )


class TokenIssuer:
    """Signs tokens; what admin's login route gets injected (not the whole auth config)."""

    def __init__(self, auth: JWTAuth[Principal, Token]) -> None:
        self._auth = auth

    def issue(self, principal: Principal) -> str:
        return self._auth.create_token(
            identifier=principal.username, token_extras=principal.claims()
        )
