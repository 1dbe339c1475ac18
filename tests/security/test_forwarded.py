"""Choosing one's own address: a citizen on the city's intranet (10.x, inside the
private ranges a cluster trusts as proxies) writes a forged X-Forwarded-For hop before
the one the ingress controller appends, a new one per attempt, to slip past the
per-address limit on password guessing. The test client plays the ingress controller
(it connects from loopback, a trusted proxy) and passes the forged hops on, as
ingress-nginx does with use-forwarded-headers."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from conftest import settings_for
from gatedplatform import Gated, gated_platform

from runtime.embedded import EmbeddedKafka
from services.admin.throttle import PER_ADDRESS

#: What deploy/k8s/base/portal.env trusts: loopback and the private ranges.
CLUSTER_PROXIES = "127.0.0.1,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fd00::/8"
INTRANET_CLIENT = "10.20.30.40"


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gated]:
    # Set in the environment too, as in the cluster: uvicorn read it there before.
    before = os.environ.get("FORWARDED_ALLOW_IPS")
    os.environ["FORWARDED_ALLOW_IPS"] = CLUSTER_PROXIES
    try:
        with EmbeddedKafka() as kafka:
            async with (
                settings_for(tmp_path_factory.mktemp("forwarded"), kafka) as settings,
                gated_platform(settings, forwarded_allow_ips=CLUSTER_PROXIES) as platform,
            ):
                yield platform
    finally:
        if before is None:
            os.environ.pop("FORWARDED_ALLOW_IPS", None)
        else:
            os.environ["FORWARDED_ALLOW_IPS"] = before


async def test_an_intranet_client_cannot_forge_its_address_past_the_limit(
    cluster: Gated,
) -> None:
    limit = PER_ADDRESS[0].amount
    statuses = []
    for attempt in range(limit + 5):
        forged = f"198.51.100.{attempt % 250 + 1}, {INTRANET_CLIENT}"
        r = await cluster.post(
            "/api/v1/auth/login",
            json={"username": f"khongco.{uuid.uuid4().hex[:8]}", "password": "Sai-mật-khẩu-1"},
            headers={"X-Forwarded-For": forged},
        )
        statuses.append(r.status_code)
    assert 429 in statuses, statuses
    first = statuses.index(429)
    assert first <= limit and set(statuses[first:]) == {429}, statuses


async def test_another_intranet_client_is_not_stopped_by_the_first(cluster: Gated) -> None:
    """The control: the limit counts the address the ingress saw, per client."""
    r = await cluster.post(
        "/api/v1/auth/login",
        json={"username": f"khongco.{uuid.uuid4().hex[:8]}", "password": "Sai-mật-khẩu-1"},
        headers={"X-Forwarded-For": "10.20.30.41"},
    )
    assert r.status_code == 401, r.text
