"""Revoked token versions, and the version a token must carry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from litestar.exceptions import NotAuthorizedException
from litestar.security.jwt import Token

from runtime.auth import Principal, Revocations


def later() -> datetime:
    """An expiry in the future when the token is built (module import may be long before)."""
    return datetime.now(UTC) + timedelta(minutes=5)


def principal(version: int, username: str = "bt") -> Principal:
    return Principal(username, username, {}, version=version)


def test_a_token_below_the_latest_version_is_revoked() -> None:
    revocations = Revocations()
    assert not revocations.is_revoked(principal(0))
    revocations.revoke("bt", 3)
    assert revocations.is_revoked(principal(2))
    assert not revocations.is_revoked(principal(3))  # issued after the revocation
    assert not revocations.is_revoked(principal(0, "someone-else"))


def test_an_older_revocation_read_late_does_not_revive_tokens() -> None:
    revocations = Revocations()
    revocations.revoke("bt", 5)
    revocations.revoke("bt", 2)
    assert revocations.is_revoked(principal(4))


@pytest.mark.parametrize("version", [None, "3", -1, 2.0, True])
def test_a_token_without_a_proper_version_is_refused(version: object) -> None:
    extras = {"name": "BT", "roles": {}, "operator": False}
    if version is not None:
        extras["ver"] = version
    token = Token(exp=later(), sub="bt", extras=extras)
    with pytest.raises(NotAuthorizedException):
        Principal.from_token(token)


def test_a_tokens_version_is_read() -> None:
    token = Token(exp=later(), sub="bt", extras={"roles": {}, "ver": 7})
    assert Principal.from_token(token).version == 7
