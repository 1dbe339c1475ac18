"""Kafka connection security from the settings (runtime/kafka.py): plaintext only when
nothing is configured (the embedded broker), SASL over TLS when asked, and a clear
error for a mechanism without its credentials."""

from __future__ import annotations

import pytest
from faststream.security import SASLScram512

from runtime.kafka import broker_security, client_security
from runtime.settings import Settings


def test_nothing_configured_is_plaintext() -> None:
    assert client_security(Settings()) == {}
    assert broker_security(Settings()) is None


def test_scram_over_tls() -> None:
    settings = Settings().with_overrides(
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="content",
        kafka_sasl_password="s3cret",
        kafka_tls=True,
    )
    options = client_security(settings)
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "content"
    assert options["ssl_context"] is not None
    assert isinstance(broker_security(settings), SASLScram512)


def test_a_mechanism_without_credentials_is_refused() -> None:
    settings = Settings().with_overrides(kafka_sasl_mechanism="SCRAM-SHA-512")
    with pytest.raises(RuntimeError, match="KAFKA_SASL_USERNAME"):
        client_security(settings)
