"""Which site a request is for, from its Host header (pure).

`localhost` and `hanoi.localhost` serve the city portal, `<slug>.localhost` a
tenant by slug (for development), and each tenant's public domain serves it.
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping

_HOST = re.compile(r"^(?P<name>[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:]+\])(?::\d{1,5})?$")
LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
DEV_SUFFIX = ".localhost"


class BadHost(ValueError):
    """The Host header is not a host name."""


def host_name(host: str) -> str:
    """The lower-case host name without port; BadHost when it is not a valid name."""
    candidate = host.strip().lower().rstrip(".")
    match = _HOST.match(candidate)
    if not match or ".." in candidate:
        raise BadHost(f"invalid Host header: {host[:100]!r}")
    return match.group("name")


def tenant_for_host(
    host: str, *, domains: Mapping[str, str], slugs: Container[str], city: str
) -> str | None:
    """Slug of the tenant serving `host`, or None when no site lives there."""
    name = host_name(host)
    if name in LOCAL_NAMES:
        return city
    if name.endswith(DEV_SUFFIX):
        label = name[: -len(DEV_SUFFIX)]
        return label if label in slugs else None
    if name.startswith("www."):
        name = name[4:]
    return domains.get(name)
