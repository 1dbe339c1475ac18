"""Syndication between sites with the services in this process, on a real broker and
real databases: the city board cross-posts an article to every ward, it is updated and
withdrawn everywhere; a ward's board declines its copy; a ward's proposal is approved
by the city board and goes live on the city portal, a rejected one never does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from conftest import bearer, eventually
from syndication_platform import (
    CITY_BOARD,
    CITY_BOARD_2,
    CITY_EDITOR,
    OTHER_WARD_BOARD,
    WARD_BOARD,
    WARD_EDITOR,
    WARDS,
)
from syndication_platform import SyndicationPlatform as Platform


@pytest.fixture
async def platform(settings) -> AsyncIterator[Platform]:
    async with Platform(settings) as p:
        yield p


async def test_a_crosspost_to_every_ward_follows_its_origin(platform: Platform) -> None:
    p = platform
    article = await p.publish("hanoi", "Thành phố phát động Tết trồng cây", CITY_EDITOR, CITY_BOARD)
    posted = await p.syndication_http.post(
        "/api/v1/syndication/crossposts",
        json={"article_id": article["id"], "targets": {"kinds": ["ward"]}},
        headers=bearer(CITY_BOARD),
    )
    assert posted.status_code == 201, posted.text
    post = posted.json()
    assert sorted(c["tenant"] for c in post["copies"]) == WARDS
    assert post["counts"] == {"live": len(WARDS)}
    assert all(c["path"].startswith("/tin-tuc/") for c in post["copies"])
    (sent,) = await p.syndicated()
    assert len(sent["copies"]) == len(WARDS)
    assert sent["origin_url"] == f"https://hanoi.gov.vn{sent['article']['path']}"
    assert sent["origin_name"] == "Cổng Thông tin điện tử thành phố Hà Nội"
    assert {c["status"] for c in sent["copies"]} == {"live"}

    # The origin changes: every copy carries the new text, as a newer version.
    await p.revise(article, CITY_EDITOR, CITY_BOARD_2, title="Tết trồng cây 2027")
    update = await eventually(lambda: _nth(p, 2))
    assert update["article"]["title"] == "Tết trồng cây 2027"
    assert {c["sequence"] for c in update["copies"]} == {2}
    assert len(update["copies"]) == len(WARDS)

    # hoankiem's board declines its copy; another ward's board may not.
    hoankiem = next(c for c in post["copies"] if c["tenant"] == "hoankiem")
    refused = await p.syndication_http.post(
        f"/api/v1/syndication/copies/{hoankiem['copy_id']}/decline",
        json={"reason": "Không phù hợp"},
        headers=bearer(OTHER_WARD_BOARD),
    )
    assert refused.status_code == 403
    declined = await p.syndication_http.post(
        f"/api/v1/syndication/copies/{hoankiem['copy_id']}/decline",
        json={"reason": "Không phù hợp"},
        headers=bearer(WARD_BOARD),
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined"
    only = await eventually(lambda: _nth(p, 3))
    assert [(c["tenant"], c["status"]) for c in only["copies"]] == [("hoankiem", "withdrawn")]

    # The origin is withdrawn: every copy still shown is taken off.
    current = (
        await p.content_http.get(f"/api/v1/articles/{article['id']}", headers=bearer(CITY_BOARD))
    ).json()
    withdrawn = await p.content_http.post(
        f"/api/v1/articles/{article['id']}/withdraw",
        json={"version": current["version"], "reason": "Hết thời hạn"},
        headers=bearer(CITY_BOARD),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    gone = await eventually(lambda: _nth(p, 4))
    assert len(gone["copies"]) == len(WARDS) - 1
    assert {c["status"] for c in gone["copies"]} == {"withdrawn"}
    assert "hoankiem" not in {c["tenant"] for c in gone["copies"]}


async def _nth(p: Platform, n: int) -> dict[str, Any] | None:
    sent = await p.syndicated()
    return sent[n - 1] if len(sent) >= n else None


async def test_who_may_crosspost_what_where(platform: Platform) -> None:
    p = platform
    city = await p.publish("hanoi", "Thông báo của Thành phố", CITY_EDITOR, CITY_BOARD)
    ward = await p.publish("hoankiem", "Tin của phường", WARD_EDITOR, WARD_BOARD)

    async def crosspost(article_id: str, targets: dict[str, Any], token: str) -> Any:
        return await p.syndication_http.post(
            "/api/v1/syndication/crossposts",
            json={"article_id": article_id, "targets": targets},
            headers=bearer(token),
        )

    assert (await crosspost(city["id"], {"all": True}, CITY_EDITOR)).status_code == 403
    assert (await crosspost(city["id"], {"all": True}, WARD_BOARD)).status_code == 403
    # A ward sends nothing down: it proposes to the city instead.
    assert (await crosspost(ward["id"], {"sites": ["badinh"]}, WARD_BOARD)).status_code == 403
    unknown = await crosspost(city["id"], {"sites": ["hoankiem", "khong-co"]}, CITY_BOARD)
    assert unknown.status_code == 422
    assert "khong-co" in unknown.json()["detail"]
    both = await crosspost(city["id"], {"all": True, "kinds": ["ward"]}, CITY_BOARD)
    assert both.status_code == 422
    itself = await crosspost(city["id"], {"sites": ["hanoi"]}, CITY_BOARD)
    assert itself.status_code == 422
    assert (await crosspost(city["id"], {"kinds": ["city"]}, CITY_BOARD)).status_code == 400
    missing = await crosspost("00000000-0000-4000-8000-000000000000", {"all": True}, CITY_BOARD)
    assert missing.status_code == 404
    assert await p.syndicated() == []  # nothing refused was sent anywhere

    two = await crosspost(city["id"], {"sites": ["hoankiem", "badinh"]}, CITY_BOARD)
    assert two.status_code == 201, two.text
    # Sending again to a site that shows it already adds no second copy.
    again = await crosspost(city["id"], {"sites": ["hoankiem", "caugiay"]}, CITY_BOARD)
    assert again.status_code == 201
    assert [c["tenant"] for c in again.json()["copies"]] == ["caugiay"]
    listed = await p.syndication_http.get(
        "/api/v1/syndication/copies", params={"tenant": "hoankiem"}, headers=bearer(WARD_BOARD)
    )
    assert [c["title"] for c in listed.json()] == ["Thông báo của Thành phố"]
    other = await p.syndication_http.get(
        "/api/v1/syndication/copies", params={"tenant": "hoankiem"},
        headers=bearer(OTHER_WARD_BOARD),
    )  # fmt: skip
    assert other.status_code == 403


async def test_a_proposal_goes_live_on_the_city_portal_only_when_approved(
    platform: Platform,
) -> None:
    p = platform
    good = await p.publish(
        "hoankiem", "Phường Hoàn Kiếm khánh thành vườn hoa", WARD_EDITOR, WARD_BOARD
    )
    bad = await p.publish("hoankiem", "Tin chưa rõ nguồn", WARD_EDITOR, WARD_BOARD)

    async def propose(article_id: str, token: str = WARD_BOARD) -> Any:
        return await p.syndication_http.post(
            "/api/v1/syndication/proposals",
            json={"article_id": article_id, "note": "Đề nghị đăng trên Cổng"},
            headers=bearer(token),
        )

    assert (await propose(good["id"], WARD_EDITOR)).status_code == 403
    assert (await propose(good["id"], OTHER_WARD_BOARD)).status_code == 403
    proposed = await propose(good["id"])
    assert proposed.status_code == 201, proposed.text
    assert (await propose(good["id"])).status_code == 409  # already waiting
    rejected_one = (await propose(bad["id"])).json()

    async def queued(proposal_id: str) -> dict[str, Any] | None:
        r = await p.editorial_http.get(f"/api/v1/reviews/{proposal_id}", headers=bearer(CITY_BOARD))
        return r.json() if r.status_code == 200 else None

    review = await eventually(lambda: queued(proposed.json()["id"]))
    assert review["tenant"] == "hanoi"
    assert review["origin"] == "proposed"
    assert review["source_tenant"] == "hoankiem"
    assert review["title"] == "Phường Hoàn Kiếm khánh thành vườn hoa"
    await eventually(lambda: queued(rejected_one["id"]))

    approved = await p.editorial_http.post(
        f"/api/v1/reviews/{proposed.json()['id']}/approve", json={}, headers=bearer(CITY_BOARD)
    )
    assert approved.status_code == 200, approved.text
    rejected = await p.editorial_http.post(
        f"/api/v1/reviews/{rejected_one['id']}/reject",
        json={"ground": "unclear_origin", "note": "Chưa rõ nguồn tin, đề nghị bổ sung."},
        headers=bearer(CITY_BOARD),
    )
    assert rejected.status_code == 200, rejected.text

    async def decided() -> list[dict[str, Any]] | None:
        r = await p.syndication_http.get(
            "/api/v1/syndication/proposals", params={"tenant": "hoankiem"},
            headers=bearer(WARD_BOARD),
        )  # fmt: skip
        rows = r.json()
        return rows if all(x["status"] != "pending" for x in rows) else None

    rows = {x["id"]: x for x in await eventually(decided)}
    assert rows[proposed.json()["id"]]["status"] == "approved"
    assert rows[proposed.json()["id"]]["path"]
    assert rows[rejected_one["id"]]["status"] == "rejected"
    assert rows[rejected_one["id"]]["ground"] == "unclear_origin"
    (live,) = await p.syndicated()
    assert live["article_id"] == good["id"]
    assert [(c["tenant"], c["status"], c["proposal_id"]) for c in live["copies"]] == [
        ("hanoi", "live", proposed.json()["id"])
    ]
