"""One editor's oversized article must not stop every site from publishing.

Before: a body of 1,000,000 characters that do not compress was stored, its
RevisionSubmitted (about 3 MB) was over the producer's 1 MiB limit, and the content
service's relay retried that row forever while every later event waited."""

from __future__ import annotations

import json
import random

from conftest import bearer, eventually, token_for
from gatedplatform import Gated, gated  # noqa: F401

TENANT = "hoankiem"


def incompressible(chars: int) -> str:
    rng = random.Random(3)
    return "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(chars))


async def test_an_oversized_article_is_refused_before_storing_and_publishing_goes_on(
    gated: Gated,  # noqa: F811
) -> None:
    editor = token_for("btv.bai.khong.lo", {TENANT: "editor"})
    huge = {
        "tenant": TENANT,
        "category": "tin-tuc",
        "title": "Bài khổng lồ",
        "summary": "",
        "body_html": f"<p>{incompressible(999_000)}</p>",
    }
    r = await gated.post(
        "/api/v1/articles",
        content=json.dumps(huge, ensure_ascii=False).encode(),
        headers={**bearer(editor), "Content-Type": "application/json"},
    )
    assert r.status_code == 413, r.text[:300]
    assert "quá lớn" in r.json()["detail"] and "Chưa có gì được lưu" in r.json()["detail"]
    # Saving a small draft, then growing it, is refused the same way.
    small = {**huge, "title": "Bài lớn dần", "body_html": "<p>Ngắn.</p>"}
    r = await gated.post("/api/v1/articles", json=small, headers=bearer(editor))
    assert r.status_code == 201, r.text
    article = r.json()
    r = await gated.request(
        "PATCH",
        f"/api/v1/articles/{article['id']}",
        content=json.dumps(
            {"version": article["version"], **huge, "title": "Bài lớn dần"}, ensure_ascii=False
        ).encode(),
        headers={**bearer(editor), "Content-Type": "application/json"},
    )
    assert r.status_code == 413, r.text[:300]
    listed = await gated.get("/api/v1/articles", params={"tenant": TENANT}, headers=bearer(editor))
    assert listed.status_code == 200, listed.text
    assert [a["title"] for a in listed.json()] == ["Bài lớn dần"]
    stored = await gated.get(f"/api/v1/articles/{article['id']}", headers=bearer(editor))
    assert stored.json()["body_html"] == "<p>Ngắn.</p>"

    # The site keeps publishing: a normal submission reaches the board.
    r = await gated.post(
        f"/api/v1/articles/{article['id']}/submit",
        json={"version": article["version"]},
        headers=bearer(editor),
    )
    assert r.status_code == 200, r.text
    revision = r.json()["current_revision_id"]
    head = token_for("tbbt.xem.hang.doi", {TENANT: "board_head"})

    async def queued() -> bool:
        got = await gated.get(f"/api/v1/reviews/{revision}", headers=bearer(head))
        return got.status_code == 200

    await eventually(queued, timeout=30)
    assert await gated.services["content"].relay.parked() == 0
