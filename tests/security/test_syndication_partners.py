"""Partners' endpoints attacked through the gateway, in production settings (private
webhook targets refused): the operators' partner API refuses everyone else; the read
API refuses forged or absent keys and shows a partner nothing of another's sites;
huge bodies, unknown sites and webhook URLs aimed inside our network (SSRF) get a
clear 4xx, and nothing is stored."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import BOARD, bearer, eventually, token_for
from gatedplatform import Gated, syndication_gated
from sqlalchemy import func, select

from contracts import ArticlePublished
from services.syndication import store

OPERATOR = bearer(token_for("vanhanh.doitac", {}, operator=True))
PARTNERS = "/api/v1/syndication/partners/"
ARTICLES = "/api/v1/partner/articles"


@pytest.fixture(scope="module")
async def gated(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gated]:
    async with syndication_gated(tmp_path_factory) as platform:
        assert not platform.settings.webhooks_allow_private  # production settings
        yield platform


async def count(gated: Gated, table: Any) -> int:
    async with gated.services["syndication"].db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def make_partner(gated: Gated, sites: list[str]) -> tuple[str, str]:
    """A partner of `sites`, made by an operator: (its id, its read-API key)."""
    r = await gated.post(
        PARTNERS, headers=OPERATOR,
        json={"name": f"Đối tác {uuid.uuid4().hex[:8]}", "sites": sites,
              "topics": ["article.published"]},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    key = await gated.post(f"{PARTNERS}{r.json()['id']}/key", headers=OPERATOR)
    assert key.status_code == 201, key.text
    return r.json()["id"], key.json()["key"]


async def test_only_operators_manage_partners(gated: Gated) -> None:
    before = await count(gated, store.partners)
    body = {"name": "Kẻ lạ", "sites": ["*"], "topics": ["article.published"]}
    assert (await gated.post(PARTNERS, json=body)).status_code == 401
    site_admin = bearer(token_for("qt.hoankiem", {"hoankiem": "tenant_admin"}))
    for headers in (bearer(BOARD), site_admin):
        r = await gated.post(PARTNERS, json=body, headers=headers)
        assert r.status_code == 403, r.text
        assert "vận hành" in r.json()["detail"]
        assert (await gated.get(PARTNERS, headers=headers)).status_code == 403
    partner_id, _key = await make_partner(gated, ["hoankiem"])
    r = await gated.request(
        "PATCH", f"{PARTNERS}{partner_id}", json={"sites": ["*"]}, headers=site_admin
    )
    assert r.status_code == 403
    assert (await gated.post(f"{PARTNERS}{partner_id}/key", headers=site_admin)).status_code == 403
    assert await count(gated, store.partners) == before + 1  # only the operator's


async def test_forged_or_absent_partner_keys_are_refused(gated: Gated) -> None:
    _id, key = await make_partner(gated, ["hoankiem"])
    for headers in (
        {},
        {"Authorization": "Bearer hnp_" + "A" * 43},
        {"Authorization": f"Bearer {key}x"},
        {"Authorization": f"Basic {key}"},
        {"Authorization": "Bearer " + "x" * 5000},
        bearer(token_for("vanhanh", {}, operator=True)),  # an editor's token is no key
    ):
        r = await gated.get(ARTICLES, headers=headers)
        assert r.status_code in (400, 401, 431), (headers, r.text)
        assert "items" not in r.text
    assert (await gated.get(ARTICLES, headers=bearer(key))).status_code == 200
    # A deactivated partner's key opens nothing.
    partner_id, other = await make_partner(gated, ["hoankiem"])
    r = await gated.post(f"{PARTNERS}{partner_id}/deactivate", headers=OPERATOR)
    assert r.status_code == 200
    assert (await gated.get(ARTICLES, headers=bearer(other))).status_code == 401


async def test_a_partner_reads_only_its_own_sites(gated: Gated) -> None:
    syndication = gated.services["syndication"]
    now = datetime.now(UTC)
    article_id = str(uuid.uuid4())
    event = ArticlePublished(
        tenant="hoankiem", article_id=article_id, revision_id=str(uuid.uuid4()), sequence=1,
        category="tin-tuc", category_name="Tin tức", slug="tin-rieng", path="/tin-tuc/tin-rieng",
        title="Tin riêng của Hoàn Kiếm", summary="Tóm tắt", body_html="<p>Nội dung</p>",
        author="Phóng viên", approved_by="bbt.hoankiem", published_at=now, updated_at=now,
    )  # fmt: skip
    async with syndication.unit_of_work() as uow:
        uow.emit(event)  # on content's topic, as content publishes it
        await uow.commit()
    _a, mine = await make_partner(gated, ["hoankiem"])
    _b, theirs = await make_partner(gated, ["badinh"])

    async def served() -> list[dict[str, Any]]:
        r = await gated.get(ARTICLES, headers=bearer(mine), params={"limit": 100})
        items = r.json()["items"]
        return [i for i in items if i["data"]["article_id"] == article_id]

    (item,) = await eventually(served, timeout=30)
    assert "approved_by" not in item["data"]
    r = await gated.get(ARTICLES, headers=bearer(theirs), params={"limit": 100})
    assert r.status_code == 200
    assert all(i["data"]["tenant"] == "badinh" for i in r.json()["items"])
    assert article_id not in r.text
    r = await gated.get(ARTICLES, headers=bearer(theirs), params={"site": "hoankiem"})
    assert r.status_code == 403
    assert article_id not in r.text


async def test_unknown_sites_and_huge_bodies_store_nothing(gated: Gated) -> None:
    before = await count(gated, store.partners)
    base = {"name": f"Đối tác {uuid.uuid4().hex[:8]}", "topics": ["article.published"]}
    r = await gated.post(PARTNERS, headers=OPERATOR, json={**base, "sites": ["khong-co-trang"]})
    assert r.status_code == 422 and "khong-co-trang" in r.json()["detail"]
    r = await gated.post(PARTNERS, headers=OPERATOR, json={**base, "sites": ["*", "hoankiem"]})
    assert r.status_code == 422
    r = await gated.post(PARTNERS, headers=OPERATOR,
                         json={**base, "sites": ["*"], "topics": ["everything"]})  # fmt: skip
    assert r.status_code == 400
    huge = await gated.post(
        PARTNERS, headers=OPERATOR,
        json={**base, "sites": ["*"], "description": "x" * 2_000_000},
    )  # fmt: skip
    assert huge.status_code == 413
    long = await gated.post(
        PARTNERS, headers=OPERATOR, json={**base, "sites": ["*"], "description": "x" * 20_000}
    )
    assert long.status_code == 400
    many = await gated.post(
        PARTNERS, headers=OPERATOR, json={**base, "sites": [f"s{i}" for i in range(5000)]}
    )
    assert many.status_code in (400, 413)
    assert await count(gated, store.partners) == before


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.0.0.8/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://2130706433/hook",  # 127.0.0.1 written as one number
        "https://100.64.0.1/hook",
        "http://doitac.example.vn/hook",  # http in production settings
        "https://localhost/hook",  # a name resolving to loopback
        "https://user:pass@doitac.example.vn/hook",
        "https://8.8.8.8:22/hook",  # a public address, but not on 443 (egress: 443 only)
        "https://" + "a" * 2100 + ".vn/",
    ],
)
async def test_webhook_urls_aimed_inside_are_refused(gated: Gated, url: str) -> None:
    partner_id, _key = await make_partner(gated, ["hoankiem"])
    before = await count(gated, store.webhooks)
    r = await gated.post(f"{PARTNERS}{partner_id}/webhooks", headers=OPERATOR, json={"url": url})
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["detail"]
    assert "secret" not in r.text
    assert await count(gated, store.webhooks) == before
