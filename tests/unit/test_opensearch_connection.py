"""How search connects to OpenSearch from its settings: the user from OPENSEARCH_URL,
and the cluster's own CA from OPENSEARCH_CA_FILE (deploy/k8s mounts it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.settings import Settings
from services.search.__main__ import make_engine
from services.search.opensearch_engine import OpenSearchEngine


def _engine(**settings: str) -> OpenSearchEngine:
    engine = make_engine(Settings().with_overrides(**settings))
    assert isinstance(engine, OpenSearchEngine)
    return engine


def test_credentials_and_the_cluster_ca_reach_the_client() -> None:
    engine = _engine(
        opensearch_url="https://portal-search:s3cret@opensearch.example:9200",
        opensearch_ca_file=Path("/etc/portal/opensearch-ca/ca.crt"),
    )
    transport = engine.client.transport
    (host,) = transport.hosts
    assert host["use_ssl"] is True
    assert host["http_auth"] == "portal-search:s3cret"
    assert transport.kwargs["ca_certs"] == "/etc/portal/opensearch-ca/ca.crt"


def test_without_a_ca_file_the_public_cas_are_used() -> None:
    engine = _engine(opensearch_url="https://opensearch.example:9200", opensearch_ca_file=None)
    assert "ca_certs" not in engine.client.transport.kwargs


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENSEARCH_CA_FILE", "/etc/portal/opensearch-ca/ca.crt")
    assert Settings().opensearch_ca_file == Path("/etc/portal/opensearch-ca/ca.crt")
