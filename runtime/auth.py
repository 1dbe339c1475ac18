"""Who is calling, and what their role allows: editors' tokens and role rules.

`admin` signs a short-lived JWT at login with its Ed25519 private key, which no
other process holds; every service checks it with the public key, its issuer and
audience, and reads the roles from it, so no service calls admin per request.
A service that parses anonymous uploads can therefore check tokens but never
make one. Role rules are pure functions.

Each token carries its account's token version. Logging out, deactivation and
changes of roles, password or second factor raise the version; admin announces
it (TokensRevoked, on a compacted topic every process reads whole), and every
service refuses tokens below the latest version it knows (`Revocations`). What
the announcement may miss (a process started on a broker that lost it), the
short lifetime bounds: the editors' UI renews a token while it is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.security.jwt import JWTAuth, Token
from litestar.security.jwt.middleware import JWTAuthenticationMiddleware

from runtime.settings import AuthSettings

#: A token's lifetime: an idle editor's session ends after it; the UI renews a token
#: in use once it is half spent (POST /api/v1/auth/refresh checks the account again).
TOKEN_TTL = timedelta(minutes=30)
#: Ed25519 signatures (RFC 8037); the only algorithm a service accepts.
ALGORITHM = "EdDSA"
ISSUER = "hanoi-portal:admin"
AUDIENCE = "hanoi-portal:api"
#: Paths open without a token, matched whole: "/healthz" must not also open
#: "/healthzsomething" (exclusion patterns are regular expressions matched at the start).
OPEN_PATHS = ["/healthz", "/readyz", "/metrics", "/schema", "/schema/*"]


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
    #: The account's token version when the token was issued (see `Revocations`).
    version: int = 0

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
            "ver": self.version,
        }

    @classmethod
    def from_token(cls, token: Token) -> Principal:
        extras = token.extras
        try:
            roles = {tenant: Role[name] for tenant, name in extras.get("roles", {}).items()}
        except KeyError as exc:
            raise NotAuthorizedException("Mã đăng nhập chứa vai trò không hợp lệ.") from exc
        version = extras.get("ver")
        if type(version) is not int or version < 0:
            raise NotAuthorizedException("Mã đăng nhập thiếu phiên bản hợp lệ.")
        return cls(
            username=token.sub,
            display_name=str(extras.get("name", token.sub)),
            roles=roles,
            operator=bool(extras.get("operator", False)),
            version=version,
        )


REVOKED = (
    "Phiên đăng nhập này đã kết thúc (đăng xuất, tài khoản bị khoá hoặc quyền đã thay "
    "đổi); vui lòng đăng nhập lại."
)


class Revocations:
    """The latest token version of each account whose tokens were revoked, as this
    process learnt them from the account topic (read whole at every start)."""

    def __init__(self) -> None:
        self._versions: dict[str, int] = {}

    def revoke(self, username: str, version: int) -> None:
        self._versions[username] = max(version, self._versions.get(username, 0))

    def is_revoked(self, principal: Principal) -> bool:
        return principal.version < self._versions.get(principal.username, 0)

    async def on_tokens_revoked(self, event: Any, _envelope: Any) -> None:
        self.revoke(event.username, event.version)


def exclusion_pattern(path: str) -> str:
    """An anchored regular expression for one open path; a trailing "/*" opens what is
    below it (one or more further segments), nothing else does."""
    if path.endswith("/*"):
        return f"^{re.escape(path[:-2])}/.*$"
    return f"^{re.escape(path)}$"


def read_key(value: str) -> str:
    """A PEM key given inline or as the path of a file holding it."""
    value = value.strip()
    if value.startswith("-----BEGIN"):
        return value
    path = Path(value)
    if value and path.is_file():
        return path.read_text().strip()
    raise RuntimeError("the key must be a PEM text or the path of a PEM file")


def generate_key_pair() -> tuple[str, str]:
    """A new Ed25519 key pair as PEM (private, public): for `make run` and tests."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return private, public_pem(key.public_key())


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _private_key(settings: AuthSettings) -> Ed25519PrivateKey:
    if not settings.auth_private_key:
        raise RuntimeError(
            "PORTAL_AUTH_PRIVATE_KEY must be set for admin, the only service that signs "
            "tokens (`make run` generates a key pair)."
        )
    key = serialization.load_pem_private_key(read_key(settings.auth_private_key).encode(), None)
    if not isinstance(key, Ed25519PrivateKey):
        raise TypeError("PORTAL_AUTH_PRIVATE_KEY must be an Ed25519 private key")
    return key


def verification_key(settings: AuthSettings) -> str:
    """The public key, as PEM: from PORTAL_AUTH_PUBLIC_KEY, or (admin) derived from the
    private key."""
    if settings.auth_public_key:
        key = serialization.load_pem_public_key(read_key(settings.auth_public_key).encode())
        if not isinstance(key, Ed25519PublicKey):
            raise TypeError("PORTAL_AUTH_PUBLIC_KEY must be an Ed25519 public key")
        return public_pem(key)
    if settings.auth_private_key:
        return public_pem(_private_key(settings).public_key())
    raise RuntimeError(
        "PORTAL_AUTH_PUBLIC_KEY must be set: the public key that checks editors' tokens "
        "(`make run` generates a key pair)."
    )


def _principal_of(revocations: Revocations):
    async def principal(token: Token, _connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
        found = Principal.from_token(token)
        if revocations.is_revoked(found):
            raise NotAuthorizedException(REVOKED)
        return found

    return principal


class _Middleware(JWTAuthenticationMiddleware):
    """Litestar's JWT check with the refusal said so an editor understands it."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> Any:
        if not connection.headers.get(self.auth_header):
            raise NotAuthorizedException("Cần đăng nhập: yêu cầu không kèm mã đăng nhập.")
        try:
            return await super().authenticate_request(connection)
        except NotAuthorizedException as exc:
            if exc.detail.startswith(("Mã đăng nhập", "Cần đăng nhập", "Phiên đăng nhập")):
                raise
            raise NotAuthorizedException(
                "Mã đăng nhập không hợp lệ hoặc đã hết hạn; vui lòng đăng nhập lại."
            ) from exc


def jwt_auth(
    settings: AuthSettings,
    revocations: Revocations,
    *,
    open_paths: list[str] | None = None,
) -> JWTAuth[Principal, Token]:
    """What every service checks tokens with: the public key only, one algorithm, this
    platform's issuer and audience, and the accounts' revoked token versions."""
    return JWTAuth[Principal, Token](
        retrieve_user_handler=_principal_of(revocations),
        token_secret=verification_key(settings),
        algorithm=ALGORITHM,
        accepted_issuers=[ISSUER],
        accepted_audiences=[AUDIENCE],
        require_claims=["exp", "iat", "iss", "aud", "sub"],
        exclude=[exclusion_pattern(p) for p in [*OPEN_PATHS, *(open_paths or [])]],
        default_token_expiration=TOKEN_TTL,
        authentication_middleware_class=_Middleware,
    )


class TokenIssuer:
    """Signs tokens with admin's private key; what admin's login route gets injected."""

    def __init__(self, settings: AuthSettings, ttl: timedelta = TOKEN_TTL) -> None:
        self._key = read_key(settings.auth_private_key) if settings.auth_private_key else ""
        _private_key(settings)  # fail at start, not at the first login
        self.ttl = ttl

    def issue(self, principal: Principal) -> str:
        token = Token(
            sub=principal.username,
            exp=datetime.now(UTC) + self.ttl,
            iss=ISSUER,
            aud=AUDIENCE,
            extras=principal.claims(),
        )
        return token.encode(secret=self._key, algorithm=ALGORITHM)
