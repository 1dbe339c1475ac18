"""The editors' UI as an attacker meets it: planting a session id before the editor
logs in (session fixation), reaching the login form on any of the 151 public sites
(whose pages and scripts are not the UI's), and cookies that a sibling host could set
or overwrite."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from conftest import settings_for
from gatedplatform import Gated, gated, gated_platform  # noqa: F401

from runtime.embedded import EmbeddedKafka
from services.admin.domain import DEMO_PASSWORD

ADMIN_HOST = "quantri.localhost"
COOKIE = "portal_admin"


def csrf(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, html[:300]
    return found.group(1)


async def test_a_planted_session_id_is_not_the_signed_in_one(gated: Gated) -> None:  # noqa: F811
    """The attacker takes a session id from the login page and plants it in the
    editor's browser; the editor logs in; the id the attacker knows must not be
    signed in."""
    async with httpx.AsyncClient(base_url=gated.gateway.base_url) as browser:
        form = await browser.get("/admin/dang-nhap", headers={"Host": ADMIN_HOST})
        token = csrf(form.text)
        # A session exists before login (the CSRF cookie alone is not one): make one.
        planted = "a" * 64
        browser.cookies.set(COOKIE, planted)
        r = await browser.post(
            "/admin/dang-nhap",
            headers={"Host": ADMIN_HOST},
            data={"_csrf_token": token, "username": "bientap.hoankiem",
                  "password": DEMO_PASSWORD, "next": "/admin/"},
        )  # fmt: skip
        assert r.status_code == 302, r.text[:300]
        issued = r.cookies.get(COOKIE)
        assert issued and issued != planted
    # The editor's new session works ...
    async with httpx.AsyncClient(base_url=gated.gateway.base_url) as editor:
        editor.cookies.set(COOKIE, issued)
        assert (await editor.get("/admin/", headers={"Host": ADMIN_HOST})).status_code == 200
    # ... and the attacker's planted id is not signed in.
    async with httpx.AsyncClient(base_url=gated.gateway.base_url) as attacker:
        attacker.cookies.set(COOKIE, planted)
        r = await attacker.get("/admin/", headers={"Host": ADMIN_HOST})
        assert r.status_code in (302, 303)
        assert "/admin/dang-nhap" in r.headers["location"]


@pytest.mark.parametrize("host", ["hoankiem.localhost", "hanoi.localhost", "badinh.localhost"])
async def test_the_editors_ui_is_not_on_the_public_sites(gated: Gated, host: str) -> None:  # noqa: F811
    for path in ["/admin", "/admin/", "/admin/dang-nhap", "/admin/static/admin.css"]:
        r = await gated.get(path, host=host)
        assert r.status_code == 404, (host, path, r.status_code)
        assert "set-cookie" not in r.headers


async def test_the_admin_host_serves_the_ui_and_nothing_else(gated: Gated) -> None:  # noqa: F811
    assert (await gated.get("/admin/dang-nhap", host=ADMIN_HOST)).status_code == 200
    for path in ["/", "/tin-tuc", "/hoi-dap", "/api/v1/articles/?tenant=hoankiem"]:
        r = await gated.get(path, host=ADMIN_HOST)
        assert r.status_code == 404, (path, r.status_code)


@pytest.fixture(scope="module")
async def secure(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gated]:
    """The platform as deployed: cookies for HTTPS only."""
    with EmbeddedKafka() as kafka:
        async with (
            settings_for(tmp_path_factory.mktemp("secure"), kafka) as settings,
            gated_platform(settings, secure_cookies=True) as platform,
        ):
            yield platform


async def test_deployed_cookies_are_host_only_and_secure(secure: Gated) -> None:
    form = await secure.get("/admin/dang-nhap", host=ADMIN_HOST)
    # Secure cookies travel over HTTPS only; the test speaks HTTP, so it sends them itself.
    sent = "; ".join(c.split(";", 1)[0] for c in form.headers.get_list("set-cookie"))
    r = await secure.post(
        "/admin/dang-nhap",
        host=ADMIN_HOST,
        data={"_csrf_token": csrf(form.text), "username": "bientap.hoankiem",
              "password": DEMO_PASSWORD, "next": "/admin/"},
        headers={"Cookie": sent},
    )  # fmt: skip
    assert r.status_code == 302, r.text[:300]
    cookies = form.headers.get_list("set-cookie") + r.headers.get_list("set-cookie")
    names = {c.split("=", 1)[0] for c in cookies}
    assert "__Host-portal_admin" in names and "__Host-portal_csrf" in names, cookies
    for cookie in cookies:
        attributes = [a.strip().lower() for a in cookie.split(";")[1:]]
        assert cookie.startswith("__Host-"), cookie
        assert "secure" in attributes and "path=/" in attributes, cookie
        assert not any(a.startswith("domain=") for a in attributes), cookie
