"""Who is asking: the client's address behind the proxies, for per-address limits.

Each proxy in front of a process appends the address it was connected from as the
last `X-Forwarded-For` hop, after whatever the client wrote itself. So the last hop
is the one our own proxy wrote, and every hop before it is the client's word, which
anyone can forge. We read that last hop only, and only when the connection comes
from a trusted proxy (FORWARDED_ALLOW_IPS; loopback by default: the embedded
gateway); from anyone else the header is ignored and the peer address counts.

The gateway is the one process that reads what the ingress controller wrote; it
passes on one hop of its own (the client it found), which the services read in turn.
We never walk further left past a hop that merely looks like a proxy: with private
ranges trusted (a cluster), a citizen on the city's intranet (10.x) would otherwise
choose their own address by writing one before theirs. A load balancer in front of
the ingress controller is the controller's concern (its real-IP settings), so that
one hop reaches us.

Addresses are normalised for counting: an IPv4-mapped IPv6 address is its IPv4
address, and an IPv6 address counts as its /64 network, since one subscriber is
usually given a whole /64 and could otherwise take a fresh address per request.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Trusted:
    everyone: bool
    networks: tuple[IPNetwork, ...]

    def __contains__(self, address: IPAddress | None) -> bool:
        if address is None:
            return False
        return self.everyone or any(address in net for net in self.networks)


@lru_cache(maxsize=16)
def trusted(spec: str) -> Trusted:
    """`"127.0.0.1,::1,10.0.0.0/8"` (or `"*"`) as a set of trusted proxies; names that
    are not addresses are ignored (uvicorn accepts them for unix sockets)."""
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    networks: list[IPNetwork] = []
    for part in parts:
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            continue
    return Trusted(everyone="*" in parts, networks=tuple(networks))


def parse(value: str) -> IPAddress | None:
    """An address as written in a header hop: `1.2.3.4`, `1.2.3.4:5678`, `::1`,
    `[::1]:5678`; None for anything else (names, `unknown`, garbage)."""
    text = value.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def hops(headers: Iterable[tuple[bytes, bytes]], header: bytes = b"x-forwarded-for") -> list[str]:
    """Every hop of a comma-separated forwarding header, in order, over all its lines."""
    return [
        hop
        for name, value in headers
        if name.lower() == header
        for hop in value.decode("latin-1").split(",")
    ]


def client_address(scope: Any, trusted_proxies: str) -> IPAddress | None:
    """The client's address for an ASGI `scope` (see the module doc for whom we trust)."""
    client = scope.get("client")
    peer = parse(client[0]) if client else None
    if peer not in trusted(trusted_proxies):
        return peer
    written = hops(scope.get("headers", ()))
    if not written:
        return peer
    # An unreadable last hop: the proxy wrote nothing we can count, so count the proxy.
    return parse(written[-1]) or peer


def forwarded_proto(scope: Any, trusted_proxies: str) -> str:
    """The scheme the client used: the trusted proxy's X-Forwarded-Proto (its last
    value), else the connection's own."""
    own = str(scope.get("scheme", "http"))
    client = scope.get("client")
    if (parse(client[0]) if client else None) not in trusted(trusted_proxies):
        return own
    said = hops(scope.get("headers", ()), b"x-forwarded-proto")
    last = said[-1].strip().lower() if said else ""
    return last if last in ("http", "https") else own


def bucket(address: IPAddress | None) -> str:
    """The key an address is counted under: IPv4 as is, IPv6 by its /64 network."""
    if address is None:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def client_key(scope: Any, trusted_proxies: str) -> str:
    """`bucket(client_address(...))`: what per-address limits count."""
    return bucket(client_address(scope, trusted_proxies))
