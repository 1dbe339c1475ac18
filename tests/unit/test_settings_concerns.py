"""Settings split per concern (runtime/settings.py): each concern reads its own
variables on its own, and `Settings` is every concern at once, with nothing lost and
nothing declared twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from runtime import settings as module
from runtime.settings import DatabaseSettings, KafkaSettings, Settings

CONCERNS = [
    c
    for c in vars(module).values()
    if isinstance(c, type) and issubclass(c, BaseSettings) and c not in {BaseSettings, Settings}
]


def own_fields(concern: type[BaseSettings]) -> set[str]:
    inherited = {f for base in concern.__bases__ for f in getattr(base, "model_fields", {})}
    return set(concern.model_fields) - inherited


def test_every_setting_belongs_to_exactly_one_concern() -> None:
    seen: dict[str, str] = {}
    for concern in CONCERNS:
        assert concern.__doc__, f"{concern.__name__} says what it is for"
        assert issubclass(Settings, concern)
        for name in own_fields(concern):
            assert name not in seen, f"{name}: in {seen[name]} and {concern.__name__}"
            seen[name] = concern.__name__
    assert set(seen) == set(Settings.model_fields)


def test_a_concern_reads_its_variables_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9093")
    monkeypatch.setenv("KAFKA_TLS", "1")
    monkeypatch.setenv("PORTAL_DATA_DIR", "/srv/portal")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://db/portal")
    kafka = KafkaSettings()
    assert (kafka.kafka_bootstrap_servers, kafka.kafka_tls) == ("kafka:9093", True)
    database = DatabaseSettings()
    assert database.uses_postgres
    assert database.data_dir == Path("/srv/portal")
    combined = Settings()
    assert combined.kafka_bootstrap_servers == "kafka:9093"
    assert combined.data_dir == Path("/srv/portal")
    assert combined.media_dir == Path("/srv/portal/media")
    with pytest.raises(ValueError, match="frozen"):
        kafka.kafka_tls = False  # type: ignore[misc]
