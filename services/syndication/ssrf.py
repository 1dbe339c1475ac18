"""The webhook URL guard (server-side request forgery): a partner's URL must not make
the portal post to what stands behind its firewall: the cloud's metadata service
(169.254.169.254), the cluster's services, the database, our own loopback.

Checked twice. At registration, by `check_url`: the URL's text (webhook_rules), then
every address its host resolves to. At delivery, by `pin`: the host is resolved again
and the request goes to the address that was just checked, never to a name the HTTP
client would resolve a second time; otherwise a host that answered a public address
at registration (or at our check) could answer 127.0.0.1 a moment later (DNS
rebinding).

How the checked address is used: the dispatcher's HTTP client (aiohttp) is given
`CheckedResolver` (webhooks.py), which resolves through `checked_addresses`; the
connector connects only to what it returns. The URL stays as the partner wrote it, so
the Host header, TLS SNI and certificate verification all name the partner's host. We
chose this over rewriting the URL to the address (Host header and SNI set by hand)
because the client's own connection pool then stays keyed by the host name: two hosts
on one address never share a connection made for the other's name. A URL that names
an address itself reaches no resolver, so `check_literal` checks that one at every
attempt. Redirects are never followed (a 3xx is a failed attempt), so a receiver
cannot bounce us elsewhere.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

from services.syndication.webhook_rules import UrlRefused, url_problem

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: host, port -> the addresses it resolves to (tests give their own).
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

#: Ranges refused beyond what `is_global` already says is not public: carrier-grade NAT
#: (RFC 6598; `is_global` knows it, but is_private does not) and NAT64, whose low 32
#: bits reach an IPv4 address through the translator.
_EXTRA = (
    ipaddress.ip_network("100.64.0.0/10"),
    ipaddress.ip_network("64:ff9b::/96"),
    ipaddress.ip_network("64:ff9b:1::/48"),
)
RESOLVE_SECONDS = 5.0


def forbidden(address: IPAddress) -> bool:
    """True for an address a webhook must not reach in production: private, loopback,
    link-local, multicast, reserved, unspecified, shared (CGNAT), documentation, or an
    IPv6 form of one of those (IPv4-mapped, IPv4-compatible, 6to4, Teredo)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            # ::ffff:a.b.c.d is that IPv4 address (Python counts the whole range as
            # reserved): judged as it.
            return forbidden(address.ipv4_mapped)
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo:
            embedded = address.teredo[1]
        if embedded is None and int(address) >> 32 == 0 and int(address) > 1:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)  # ::a.b.c.d
        if embedded is not None and forbidden(embedded):
            return True
    if any(address in net for net in _EXTRA if net.version == address.version):
        return True
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


async def system_resolver(host: str, port: int) -> Sequence[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _parse_address(text: str) -> IPAddress:
    # getaddrinfo gives link-local IPv6 with its zone ("fe80::1%eth0").
    return ipaddress.ip_address(text.split("%", 1)[0])


async def _addresses(host: str, port: int, resolver: Resolver) -> list[IPAddress]:
    try:
        async with asyncio.timeout(RESOLVE_SECONDS):
            found = await resolver(host, port)
    except (OSError, TimeoutError, UnicodeError) as exc:
        raise UrlRefused(f"Không phân giải được tên máy chủ {host} của địa chỉ webhook.") from exc
    addresses = []
    for text in found:
        try:
            addresses.append(_parse_address(text))
        except ValueError:
            continue
    if not addresses:
        raise UrlRefused(f"Tên máy chủ {host} của địa chỉ webhook không có địa chỉ IP nào.")
    return addresses


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _host_port(url: str, *, allow_private: bool) -> tuple[str, int]:
    problem = url_problem(url, allow_private=allow_private)
    if problem:
        raise UrlRefused(problem)
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or _default_port(parts.scheme)


def _refuse_any(addresses: Sequence[IPAddress]) -> None:
    bad = [a for a in addresses if forbidden(a)]
    if bad:
        raise UrlRefused(
            f"Địa chỉ webhook trỏ tới địa chỉ nội bộ hoặc không công khai ({bad[0]}); "
            "chỉ chấp nhận máy chủ công khai trên Internet."
        )


async def checked_addresses(
    host: str, port: int, *, allow_private: bool, resolver: Resolver = system_resolver
) -> list[IPAddress]:
    """The addresses of `host`, all of them allowed, else UrlRefused: a name that
    answers one public and one private address is not a partner's server."""
    addresses = await _addresses(host, port, resolver)
    if not allow_private:
        _refuse_any(addresses)
    return addresses


def check_literal(url: str, *, allow_private: bool) -> None:
    """The URL's text, and the address it names if it names one (UrlRefused)."""
    host, _port = _host_port(url, allow_private=allow_private)
    try:
        literal = _parse_address(host)
    except ValueError:
        return
    if not allow_private:
        _refuse_any([literal])


async def check_url(url: str, *, allow_private: bool, resolver: Resolver = system_resolver) -> None:
    """At registration: the URL's text, then every address its host resolves to."""
    host, port = _host_port(url, allow_private=allow_private)
    await checked_addresses(host, port, allow_private=allow_private, resolver=resolver)
