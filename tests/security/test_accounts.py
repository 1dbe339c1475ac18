"""Taking over an account: a site admin reaching for an account that also works on
other sites, unlimited password guessing (with or without "unlock"), locking the
owner out, and exhausting the admin process with concurrent password hashing.

The limit per address is tried last: every test here logs in from the same address."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any

import pytest
from conftest import bearer, token_for
from gatedplatform import ACCOUNT_PASSWORD, Gated, create_account, gated  # noqa: F401

from services.admin import account_commands
from services.admin.throttle import DEVICE_HEADER, PER_ACCOUNT, PER_ADDRESS

PASSWORD = ACCOUNT_PASSWORD
WRONG = "Sai-mật-khẩu-123"
OPERATOR = bearer(token_for("vanhanh", {}, operator=True))
SITE_ADMIN = bearer(token_for("quantri.hoankiem", {"hoankiem": "tenant_admin"}))


def unique(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4().hex[:8]}"


async def login(gated: Gated, username: str, password: str, **headers: str) -> Any:  # noqa: F811
    return await gated.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        headers=headers,
    )


async def test_a_site_admin_cannot_act_on_an_account_of_other_sites(gated: Gated) -> None:  # noqa: F811
    """Give the city's board head a small role on one's own ward site, then reset their
    second factor, unlock them and set their password: refused, every step after the
    grant."""
    victim = await create_account(gated, "board_head", "hanoi")
    r = await gated.request(
        "PUT", f"/api/v1/users/{victim}/roles/hoankiem", json={"role": "collaborator"},
        headers=SITE_ADMIN,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    for action, body in (
        ("reset-totp", None),
        ("unlock", None),
        ("password", {"password": WRONG + "Xy"}),
    ):
        r = await gated.post(f"/api/v1/users/{victim}/{action}", json=body, headers=SITE_ADMIN)
        assert r.status_code == 403, (action, r.text)
    assert "hanoi" in r.json()["detail"]


async def test_only_an_operator_resets_a_second_factor(gated: Gated) -> None:  # noqa: F811
    """Even on an account wholly within the admin's site: who clears the factor could
    enrol their own phone at the next login."""
    member = await create_account(gated, "board_member", "hoankiem")
    r = await gated.post(f"/api/v1/users/{member}/reset-totp", headers=SITE_ADMIN)
    assert r.status_code == 403, r.text
    r = await gated.post(f"/api/v1/users/{member}/reset-totp", headers=OPERATOR)
    assert r.status_code == 200, r.text


async def test_unlocking_does_not_reset_the_guessing_limit(gated: Gated) -> None:  # noqa: F811
    """A site admin guesses an editor's password, unlocking the account each time it
    locks: after the account's limit, every attempt is refused, the right one too."""
    victim = await create_account(gated, "editor", "hoankiem")
    limit = PER_ACCOUNT[0].amount
    statuses: list[int] = []
    for _ in range(limit):
        r = await login(gated, victim, WRONG)
        statuses.append(r.status_code)
        if r.status_code == 423:
            unlocked = await gated.post(f"/api/v1/users/{victim}/unlock", headers=SITE_ADMIN)
            assert unlocked.status_code == 200, unlocked.text
    assert set(statuses) <= {401, 423} and 423 in statuses
    await gated.post(f"/api/v1/users/{victim}/unlock", headers=SITE_ADMIN)
    r = await login(gated, victim, PASSWORD)
    assert r.status_code == 429, r.text
    assert int(r.headers["retry-after"]) > 0
    assert "quá nhiều lần" in r.json()["detail"]


async def test_strangers_cannot_lock_the_owner_out(gated: Gated) -> None:  # noqa: F811
    owner = await create_account(gated, "editor", "hoankiem")
    first = await login(gated, owner, PASSWORD)
    assert first.status_code == 200, first.text
    device = first.json()["device"]
    assert device
    statuses = [(await login(gated, owner, WRONG)).status_code for _ in range(5)]
    assert statuses[-1] == 423, statuses
    assert (await login(gated, owner, PASSWORD)).status_code == 423  # strangers stay out
    r = await login(gated, owner, PASSWORD, **{DEVICE_HEADER: device})
    assert r.status_code == 200, r.text
    # A device token is bound to its account: it opens no other.
    other = await create_account(gated, "editor", "hoankiem")
    for _ in range(5):
        await login(gated, other, WRONG)
    assert (await login(gated, other, PASSWORD, **{DEVICE_HEADER: device})).status_code == 423


async def test_concurrent_logins_hash_a_few_at_a_time(
    gated: Gated,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """argon2 takes 64 MiB per check: twenty logins at once must not run twenty."""
    lock = threading.Lock()
    running = peak = 0
    real = account_commands.password_matches

    def counted(stored: str, password: str) -> bool:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            return real(stored, password)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(account_commands, "password_matches", counted)
    users = [await create_account(gated, "collaborator", "hoankiem") for _ in range(3)]
    answers = await asyncio.gather(*(login(gated, users[i % 3], PASSWORD) for i in range(20)))
    assert {a.status_code for a in answers} <= {200, 503}
    assert peak <= account_commands.HASHING.size, peak


async def test_one_address_cannot_guess_across_many_accounts(gated: Gated) -> None:  # noqa: F811
    """Spraying one password over many account names from one address: stopped after
    the address's limit, whichever account is tried next."""
    limit = PER_ADDRESS[0].amount
    statuses = []
    for _ in range(limit + 5):
        r = await login(gated, unique("khongco"), WRONG)
        statuses.append(r.status_code)
    assert 429 in statuses, statuses
    first = statuses.index(429)
    assert first <= limit and set(statuses[first:]) == {429}
    user = await create_account(gated, "editor", "hoankiem")
    assert (await login(gated, user, PASSWORD)).status_code == 429
