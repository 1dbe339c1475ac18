"""Who is asking: the client's address behind the gateway, for per-address limits.

The gateway (gateway/proxy.py) appends the address it was connected from as the last
`X-Forwarded-For` header line, after any line the client sent itself. So the last
hop is the one the gateway wrote, and every hop before it is the client's own word,
which anyone can forge. We read that last hop only when the connection comes from a
trusted proxy (FORWARDED_ALLOW_IPS, the variable uvicorn's own proxy-header handling
reads too; loopback by default: the embedded gateway). A hop that is itself a
trusted proxy (a load balancer in front of the gateway, also listed) is skipped
leftwards (with "*", every hop is, and the first one counts); from anyone else the
header is ignored and the peer address counts.

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


def hops(headers: Iterable[tuple[bytes, bytes]]) -> list[str]:
    """Every X-Forwarded-For hop, in order, over all header lines."""
    return [
        hop
        for name, value in headers
        if name.lower() == b"x-forwarded-for"
        for hop in value.decode("latin-1").split(",")
    ]


def client_address(scope: Any, trusted_proxies: str) -> IPAddress | None:
    """The client's address for an ASGI `scope` (see the module doc for whom we trust)."""
    client = scope.get("client")
    peer = parse(client[0]) if client else None
    proxies = trusted(trusted_proxies)
    if peer not in proxies:
        return peer
    found = peer
    for hop in reversed(hops(scope.get("headers", ()))):
        address = parse(hop)
        if address is None:
            break  # a hop we cannot read: trust nothing further left
        found = address
        if address not in proxies:
            break
    return found


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
