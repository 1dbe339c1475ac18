"""The webhook URL guard (services/syndication/ssrf.py): which addresses are refused,
and that a URL is refused by what its host resolves to, at registration and again at
delivery (DNS rebinding), with the request then pinned to the address that was checked.
Resolution is a fake here: no network."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

import pytest

from services.syndication.ssrf import check_literal, check_url, checked_addresses, forbidden
from services.syndication.webhook_rules import UrlRefused
from services.syndication.webhooks import CheckedResolver

PUBLIC = "203.113.131.1"  # a public address (VNPT)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.5.6.7",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.254",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",
        "2002:7f00:1::",
        "2002:a00:1::",
        "64:ff9b::a00:1",
        "2001:db8::1",
    ],
)
def test_addresses_refused(address: str) -> None:
    assert forbidden(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_public_addresses_allowed(address: str) -> None:
    assert not forbidden(ipaddress.ip_address(address))


def resolver(table: dict[str, Sequence[str]]):
    async def resolve(host: str, _port: int) -> Sequence[str]:
        if host not in table:
            raise OSError("Name or service not known")
        return table[host]

    return resolve


@pytest.mark.parametrize(
    ("url", "answers"),
    [
        ("https://127.0.0.1/hook", ["127.0.0.1"]),
        ("https://10.1.2.3/hook", ["10.1.2.3"]),
        ("https://169.254.169.254/latest/meta-data/", ["169.254.169.254"]),
        ("https://[::1]/hook", ["::1"]),
        ("https://[::ffff:127.0.0.1]/hook", ["::ffff:127.0.0.1"]),
        ("https://noibo.example.vn/hook", ["10.0.0.5"]),
        ("https://loopback.example.vn/hook", ["127.0.0.1"]),
        ("https://lan.example.vn/hook", ["fe80::1%eth0"]),
        # One private answer among public ones is enough.
        ("https://tron.example.vn/hook", [PUBLIC, "192.168.0.10"]),
    ],
)
async def test_private_targets_refused_at_registration(url: str, answers: list[str]) -> None:
    host = url.split("/")[2].strip("[]")
    with pytest.raises(UrlRefused) as refused:
        await check_url(url, allow_private=False, resolver=resolver({host: answers}))
    assert "nội bộ" in str(refused.value)


async def test_a_host_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(UrlRefused, match="phân giải"):
        await check_url("https://khong-co.example.vn/", allow_private=False, resolver=resolver({}))


async def test_http_is_refused_in_production_settings() -> None:
    with pytest.raises(UrlRefused, match="https"):
        await check_url(
            "http://doitac.example.vn/hook",
            allow_private=False,
            resolver=resolver({"doitac.example.vn": [PUBLIC]}),
        )


async def test_a_public_host_gives_the_addresses_checked() -> None:
    found = await checked_addresses(
        "doitac.example.vn", 443, allow_private=False,
        resolver=resolver({"doitac.example.vn": [PUBLIC, "2001:4860:4860::8888"]}),
    )  # fmt: skip
    assert [str(a) for a in found] == [PUBLIC, "2001:4860:4860::8888"]


async def test_dns_rebinding_after_registration_is_refused_at_delivery() -> None:
    """What the dispatcher's resolver (webhooks.CheckedResolver) does at every new
    connection: resolve again, and refuse what now points inside."""
    table = {"doitac.example.vn": [PUBLIC]}
    await check_url("https://doitac.example.vn/hook", allow_private=False,
                    resolver=resolver(table))  # fmt: skip
    table["doitac.example.vn"] = ["127.0.0.1"]
    checked = CheckedResolver(False, resolver(table))
    with pytest.raises(UrlRefused):
        await checked.resolve("doitac.example.vn", 443)
    table["doitac.example.vn"] = [PUBLIC]
    (answer,) = await checked.resolve("doitac.example.vn", 443)
    assert answer["host"] == PUBLIC and answer["hostname"] == "doitac.example.vn"


def test_an_address_written_in_the_url_is_checked_at_delivery() -> None:
    with pytest.raises(UrlRefused):
        check_literal("https://169.254.169.254/latest/meta-data/", allow_private=False)
    with pytest.raises(UrlRefused):
        check_literal("https://[::ffff:10.0.0.1]/", allow_private=False)
    check_literal(f"https://{PUBLIC}/hook", allow_private=False)
    check_literal("https://doitac.example.vn/hook", allow_private=False)  # names: resolver


async def test_private_targets_are_allowed_only_when_the_settings_say_so() -> None:
    table = resolver({"localhost": ["127.0.0.1"]})
    await check_url("http://localhost:9000/hook", allow_private=True, resolver=table)
    check_literal("http://127.0.0.1:9000/hook", allow_private=True)
    with pytest.raises(UrlRefused):
        await check_url("http://localhost:9000/hook", allow_private=False, resolver=table)


async def test_the_system_resolver_refuses_localhost() -> None:
    # The real resolver, on a name every system answers locally (/etc/hosts).
    with pytest.raises(UrlRefused):
        await check_url("https://localhost/hook", allow_private=False)
