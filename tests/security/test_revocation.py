"""A token that should be dead: kept after its owner logged out, after the account was
closed, after a role was taken away, or simply kept for a day. Each is used through the
gateway on every service that has a protected API, as whoever copied it would."""

from __future__ import annotations

import jwt
from conftest import bearer, eventually, token_for
from gatedplatform import ACCOUNT_PASSWORD, Gated, call_with, create_account, gated  # noqa: F401

from runtime.auth import TOKEN_TTL

PASSWORD = ACCOUNT_PASSWORD
OPERATOR = bearer(token_for("vanhanh", {}, operator=True))

#: A read that an editor of hoankiem may make on each service with a protected API.
READS = [
    ("admin", "GET", "/api/v1/auth/me"),
    ("content", "GET", "/api/v1/articles/?tenant=hoankiem"),
    ("editorial", "GET", "/api/v1/reviews/?tenant=hoankiem"),
    ("renderer", "POST", "/api/v1/preview"),
    ("feedback", "GET", "/api/v1/feedback/questions/?tenant=hoankiem"),
]


async def editor(gated: Gated) -> tuple[str, str]:  # noqa: F811
    """A new editor of hoankiem, logged in through the gateway: (username, token)."""
    username = await create_account(gated, "editor", "hoankiem", prefix="bt")
    return username, await login(gated, username)


async def login(gated: Gated, username: str) -> str:  # noqa: F811
    r = await gated.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


async def statuses(gated: Gated, token: str) -> dict[str, int]:  # noqa: F811
    return {svc: (await call_with(gated, m, p, token)).status_code for svc, m, p in READS}


async def refused_everywhere(gated: Gated, token: str) -> dict[str, int]:  # noqa: F811
    """Every service refuses the token (each learns of the revocation from the broker)."""

    async def all_refuse() -> dict[str, int] | None:
        found = await statuses(gated, token)
        return found if set(found.values()) == {401} else None

    return await eventually(all_refuse, timeout=20)


async def accepted_everywhere(gated: Gated, token: str) -> None:  # noqa: F811
    found = await statuses(gated, token)
    assert 401 not in found.values(), found


async def test_a_token_lives_half_an_hour_at_most(gated: Gated) -> None:  # noqa: F811
    _username, token = await editor(gated)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] <= TOKEN_TTL.total_seconds() <= 30 * 60


async def test_a_token_kept_after_logout_is_refused_by_every_service(gated: Gated) -> None:  # noqa: F811
    username, token = await editor(gated)
    await accepted_everywhere(gated, token)
    r = await gated.post("/api/v1/auth/logout", headers=bearer(token))
    assert r.status_code == 204, r.text
    await refused_everywhere(gated, token)
    again = await gated.get("/api/v1/auth/me", headers=bearer(token))
    assert "đăng nhập lại" in again.json()["detail"]
    # Logging in again gives a token that works.
    await accepted_everywhere(gated, await login(gated, username))


async def test_a_closed_accounts_token_is_refused_and_it_cannot_log_in(gated: Gated) -> None:  # noqa: F811
    username, token = await editor(gated)
    await accepted_everywhere(gated, token)
    r = await gated.post(f"/api/v1/users/{username}/deactivate", headers=OPERATOR)
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False
    await refused_everywhere(gated, token)
    r = await gated.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 401
    renewed = await gated.post("/api/v1/auth/refresh", headers=bearer(token))
    assert renewed.status_code == 401


async def test_a_token_outlives_no_role_taken_away(gated: Gated) -> None:  # noqa: F811
    username, token = await editor(gated)
    await accepted_everywhere(gated, token)
    r = await gated.request("DELETE", f"/api/v1/users/{username}/roles/hoankiem", headers=OPERATOR)
    assert r.status_code in (200, 204), r.text
    await refused_everywhere(gated, token)
    # A renewal cannot bring the old roles back either.
    renewed = await gated.post("/api/v1/auth/refresh", headers=bearer(token))
    assert renewed.status_code == 401


async def test_a_renewed_token_carries_the_roles_of_now(gated: Gated) -> None:  # noqa: F811
    """The control: renewing a live token works, and what it says is the account today."""
    _username, token = await editor(gated)
    renewed = await gated.post("/api/v1/auth/refresh", headers=bearer(token))
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["roles"] == {"hoankiem": "editor"}
    await accepted_everywhere(gated, renewed.json()["token"])


async def test_an_admin_cannot_close_an_account_of_other_sites(gated: Gated) -> None:  # noqa: F811
    """Closing an account is an action on it: the admin of one site may not close the
    city's board head by giving them a role on their own site first."""
    username, _token = await editor(gated)
    site_admin = bearer(token_for("quantri.badinh", {"badinh": "tenant_admin"}))
    granted = await gated.request(
        "PUT", f"/api/v1/users/{username}/roles/badinh", json={"role": "editor"}, headers=site_admin
    )
    assert granted.status_code in (200, 201, 204), granted.text
    r = await gated.post(f"/api/v1/users/{username}/deactivate", headers=site_admin)
    assert r.status_code == 403, r.text
