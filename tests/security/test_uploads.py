"""Anonymous uploads attacked: a burst of citizens' forms each carrying an image that is
small on the wire and huge decoded (a 36-megapixel PNG of one colour is a few hundred
kilobytes and 100+ MB once decoded), and bodies past the limit sent without a length.
The process must keep its bound (a fixed number of files parsed at once, the rest
told to come back), never fail with a server error, and refuse what is too big while
it streams, before it is all read."""

from __future__ import annotations

import asyncio
import io
import uuid

import httpx
from gatedplatform import QUESTION, Gated, gated  # noqa: F401
from PIL import Image

from runtime.uploads import PARSING

QUESTIONS = "/api/v1/feedback/questions"


def decompression_heavy_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (6000, 6000), (200, 30, 30)).save(out, "PNG", optimize=False)
    return out.getvalue()


async def test_a_burst_of_heavy_images_is_parsed_within_the_bound(gated: Gated) -> None:  # noqa: F811
    png = decompression_heavy_png()
    assert len(png) < 1_000_000  # cheap to send: the cost is all on our side
    PARSING.peak = 0

    async def submit(n: int) -> httpx.Response:
        data = {**QUESTION, "email": f"binh.{uuid.uuid4().hex[:6]}@example.vn"}
        files = [("attachments", (f"anh{n}.png", png, "image/png"))]
        return await gated.post(QUESTIONS, data=data, files=files, timeout=120)

    answers = await asyncio.gather(*(submit(n) for n in range(8)))
    statuses = [r.status_code for r in answers]
    assert all(s in (202, 503) for s in statuses), [(r.status_code, r.text[:200]) for r in answers]
    assert 0 < PARSING.peak <= PARSING.size, PARSING.peak
    for r in answers:
        if r.status_code == 503:
            assert "thử lại" in r.json()["detail"] and r.headers["retry-after"]


async def test_a_body_past_the_limit_is_refused_while_it_streams(gated: Gated) -> None:  # noqa: F811
    async def endless() -> object:
        chunk = b"0" * (1024 * 1024)
        for _ in range(64):  # 64 MB, no Content-Length: the server must count
            yield chunk

    r = await gated.post(
        QUESTIONS,
        content=endless(),
        headers={"Content-Type": "multipart/form-data; boundary=x"},
        timeout=60,
    )
    assert r.status_code == 413, r.text[:300]
