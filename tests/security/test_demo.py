"""The demo accounts (a published password, a second factor anyone can compute) turned
on where others can reach them: admin must refuse to start, so that nobody can log in
as the demo operator on a server. On the laptop (embedded broker, loopback) they stay."""

from __future__ import annotations

import pytest

from runtime.settings import Settings, demo_refusal
from services.admin.__main__ import build


@pytest.mark.parametrize(
    "overrides",
    [
        {"kafka_embedded": False, "kafka_bootstrap_servers": "kafka:9092"},  # compose, k8s
        {"kafka_embedded": True, "host": "0.0.0.0"},  # the laptop, but open to the network
    ],
)
def test_admin_refuses_demo_accounts_outside_the_local_platform(overrides: dict) -> None:
    settings = Settings().with_overrides(demo=True, auth_secret="x" * 48, **overrides)
    assert demo_refusal(settings) is not None
    with pytest.raises(SystemExit, match="PORTAL_DEMO"):
        build(settings)


def test_the_local_platform_keeps_its_demo() -> None:
    local = Settings().with_overrides(demo=True, kafka_embedded=True, host="127.0.0.1")
    assert demo_refusal(local) is None
    assert demo_refusal(Settings().with_overrides(demo=False, host="0.0.0.0")) is None
