"""Which site a request is for, from its Host header (pure).

`localhost` and `hanoi.localhost` serve the city portal, `<slug>.localhost` a
tenant by slug (for development), and each tenant's public domain serves it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

_HOST = re.compile(
    r"^(?P<name>[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:.]+\])(?::(?P<port>\d{1,5}))?$"
)
LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
DEV_SUFFIX = ".localhost"


class BadHost(ValueError):
    """The Host header is not a host name."""


@dataclass(frozen=True)
class HostQuery:
    """How to find the tenant: the city portal, a slug, or a public domain."""

    by: Literal["city", "slug", "domain"]
    value: str = ""


def host_name(host: str) -> str:
    """The lower-case host name without port; BadHost when it is not a valid name."""
    # A fully qualified name may end with a dot: "hanoi.gov.vn." is "hanoi.gov.vn".
    candidate = re.sub(r"\.(?=(?::\d+)?$)", "", host.strip().lower(), count=1)
    match = _HOST.match(candidate)
    port = match.group("port") if match else None
    if not match or ".." in candidate or (port is not None and int(port) > 65535):
        raise BadHost(f"invalid Host header: {host[:100]!r}")
    return match.group("name")


def classify_host(host: str) -> HostQuery:
    name = host_name(host)
    if name in LOCAL_NAMES:
        return HostQuery("city")
    if name.endswith(DEV_SUFFIX):
        return HostQuery("slug", name[: -len(DEV_SUFFIX)])
    if name.startswith("www."):
        name = name[4:]
    return HostQuery("domain", name)


def tenant_for_host(
    host: str, *, domains: Mapping[str, str], slugs: Mapping[str, object], city: str | None
) -> str | None:
    """Slug of the tenant serving `host` from in-memory maps, or None when no site lives there."""
    query = classify_host(host)
    if query.by == "city":
        return city
    if query.by == "slug":
        return query.value if query.value in slugs else None
    return domains.get(query.value)
