"""Editors' tokens, attacked as an outsider would: forged with the secret every process
used to hold, unsigned, signed with another key, meant for another audience or issuer,
kept after logout, deactivation or a role taken away; and the open paths of the auth
check, which must open exactly those paths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from conftest import token_for
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from gatedplatform import Gated, call_with, gated  # noqa: F401

#: A protected read of every service that has a protected API, through the gateway.
PROTECTED = [
    ("admin", "GET", "/api/v1/users/?tenant=hoankiem"),
    ("content", "GET", "/api/v1/articles/?tenant=hoankiem"),
    ("editorial", "GET", "/api/v1/reviews/?tenant=hoankiem"),
    ("renderer", "POST", "/api/v1/preview"),
    ("feedback", "GET", "/api/v1/feedback/questions/?tenant=hoankiem"),
]


def claims(**changes: Any) -> dict[str, Any]:
    """An operator's claims, as admin's tokens carry them."""
    now = datetime.now(UTC)
    base: dict[str, Any] = {
        "sub": "ke.gia.mao",
        "name": "Kẻ giả mạo",
        "roles": {},
        "operator": True,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=10)).timestamp()),
        "iss": "hanoi-portal:admin",
        "aud": "hanoi-portal:api",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def signed_as_admin(settings: Any, payload: dict[str, Any]) -> str:
    """Signed with the key the platform's admin really signs with."""
    private = getattr(settings, "auth_private_key", "")
    if private:
        return jwt.encode(payload, private, algorithm="EdDSA")
    return jwt.encode(payload, settings.auth_secret, algorithm="HS256")


def other_ed25519_key() -> str:
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def unsigned(payload: dict[str, Any]) -> str:
    return jwt.encode(payload, None, algorithm="none")


async def test_a_real_token_is_accepted_by_every_service(gated: Gated) -> None:  # noqa: F811
    """The control for the refusals below: the same requests with admin's token pass."""
    token = token_for("vanhanh.kiemtra", {}, operator=True)
    for service, method, path in PROTECTED:
        response = await call_with(gated, method, path, token)
        assert response.status_code not in (401, 403), (service, response.text)


@pytest.mark.parametrize(
    "forge",
    [
        # The old shared HS256 secret, which every process (the upload parsers too) held.
        pytest.param(lambda s: jwt.encode(claims(), s.auth_secret, algorithm="HS256"), id="hs256"),
        pytest.param(lambda s: unsigned(claims()), id="alg-none"),
        pytest.param(
            lambda s: jwt.encode(claims(), other_ed25519_key(), algorithm="EdDSA"), id="other-key"
        ),
        pytest.param(lambda s: signed_as_admin(s, claims(aud="partner-app")), id="wrong-aud"),
        pytest.param(lambda s: signed_as_admin(s, claims(aud=None)), id="no-aud"),
        pytest.param(lambda s: signed_as_admin(s, claims(iss="someone-else")), id="wrong-iss"),
        pytest.param(lambda s: signed_as_admin(s, claims(iss=None)), id="no-iss"),
    ],
)
async def test_a_forged_token_is_refused_by_every_service(gated: Gated, forge: Any) -> None:  # noqa: F811
    token = forge(gated.settings)
    for service, method, path in PROTECTED:
        response = await call_with(gated, method, path, token)
        assert response.status_code == 401, (service, response.status_code, response.text)
        assert "đăng nhập" in response.text, response.text


async def test_open_paths_open_only_themselves(gated: Gated) -> None:  # noqa: F811
    """'/healthz' is open; '/healthzx' (a route a service might add) is not: exclusion
    patterns are regular expressions matched at the start, so each must be anchored."""
    from litestar import Litestar, get
    from litestar.testing import AsyncTestClient

    from runtime.auth import Revocations, jwt_auth

    closed = ["/healthzx", "/readyz-internal", "/metrics2", "/schemax", "/api/v1/x/groundsx"]

    @get(closed)
    async def protected() -> str:
        return "protected"

    @get(["/healthz", "/schema/openapi.json", "/api/v1/x/grounds"])
    async def open_() -> str:
        return "open"

    auth = jwt_auth(gated.settings, Revocations(), open_paths=["/api/v1/x/grounds"])
    app = Litestar([protected, open_], on_app_init=[auth.on_app_init], openapi_config=None)
    async with AsyncTestClient(app) as client:
        for path in closed:
            assert (await client.get(path)).status_code == 401, path
        for path in ["/healthz", "/schema/openapi.json", "/api/v1/x/grounds"]:
            assert (await client.get(path)).status_code == 200, path
