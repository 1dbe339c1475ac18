"""Media on a real S3-protocol server (moto's, see conftest.s3_endpoint): S3Storage
itself, then the content service storing uploads there and serving them whole or by
byte range."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from botocore.exceptions import EndpointConnectionError
from conftest import EDITOR, S3_KEYS, InProcessPlatform, bearer, make_pdf, settings_for
from PIL import Image

from runtime.embedded import EmbeddedKafka, free_port
from runtime.settings import Settings
from services.content.media import CHUNK_BYTES, FileStorage, MediaStorage
from services.content.objectstore import S3Storage, storage_for

KEY = "hanoi/2f1c0a9e/original.pdf"


def s3(endpoint: str, bucket: str, **options: float) -> S3Storage:
    return S3Storage(
        endpoint, bucket, S3_KEYS["media_s3_access_key"], S3_KEYS["media_s3_secret_key"],
        **options,
    )  # fmt: skip


async def joined(chunks: object) -> bytes:
    assert chunks is not None
    return b"".join([chunk async for chunk in chunks])  # type: ignore[attr-defined]


async def test_put_get_stat_delete(s3_endpoint: str, s3_bucket: str) -> None:
    storage: MediaStorage = s3(s3_endpoint, s3_bucket)
    assert isinstance(storage, MediaStorage)
    try:
        assert await storage.get(KEY) is None
        assert await storage.stat(KEY) is None
        assert await storage.read_range(KEY, 0, 10) is None
        await storage.put(KEY, b"first")
        await storage.put(KEY, b"second")
        assert await storage.get(KEY) == b"second"
        assert await storage.stat(KEY) == 6
        assert await storage.get("hanoi/2f1c0a9e") is None  # a prefix is not an object
        await storage.delete(KEY)
        assert await storage.get(KEY) is None
        assert await storage.stat(KEY) is None
        await storage.delete(KEY)  # deleting twice is fine
    finally:
        await storage.close()  # type: ignore[attr-defined]


async def test_read_range_fetches_only_the_bytes_asked_for(
    s3_endpoint: str, s3_bucket: str
) -> None:
    storage = s3(s3_endpoint, s3_bucket)
    data = os.urandom(3 * CHUNK_BYTES + 17)
    try:
        await storage.put(KEY, data)
        assert await joined(await storage.read_range(KEY, 10, 20)) == data[10:20]
        assert await joined(await storage.read_range(KEY, len(data) - 5)) == data[-5:]
        assert await joined(await storage.read_range(KEY, 7, 7)) == b""
        whole = await storage.read_range(KEY)
        assert whole is not None
        chunks = [chunk async for chunk in whole]
        assert b"".join(chunks) == data
        assert max(map(len, chunks)) <= CHUNK_BYTES
        # A reader that stops early releases its connection; the next call works.
        partial = await storage.read_range(KEY, 0, len(data))
        assert partial is not None
        assert len(await anext(partial)) <= CHUNK_BYTES
        await partial.aclose()  # type: ignore[attr-defined]
        assert await storage.stat(KEY) == len(data)
        with pytest.raises(ValueError, match="invalid range"):
            await storage.read_range(KEY, 5, 4)
    finally:
        await storage.close()


@pytest.mark.parametrize("key", ["../escape.pdf", "/etc/passwd", "hanoi//a.pdf", ""])
async def test_keys_are_checked_before_any_request(key: str) -> None:
    storage = s3("http://127.0.0.1:9", "nowhere")  # nothing listens: no request is made
    for call in (
        storage.put(key, b"x"),
        storage.get(key),
        storage.delete(key),
        storage.stat(key),
        storage.read_range(key),
    ):
        with pytest.raises(ValueError, match="media key"):
            await call


async def test_an_unreachable_store_fails_fast_and_is_not_ready() -> None:
    storage = s3(f"http://127.0.0.1:{free_port()}", "media", connect_timeout=0.5, max_attempts=2)
    started = time.monotonic()
    try:
        with pytest.raises(EndpointConnectionError):
            await storage.stat(KEY)
        assert (await storage.ready())["media"].startswith("error:")
    finally:
        await storage.close()
    assert time.monotonic() - started < 15


async def test_a_missing_bucket_is_not_ready(s3_endpoint: str, s3_bucket: str) -> None:
    storage = s3(s3_endpoint, s3_bucket)
    missing = s3(s3_endpoint, s3_bucket + "-gone")
    try:
        assert await storage.ready() == {"media": "ok"}
        assert (await missing.ready())["media"].startswith("error:")
    finally:
        await storage.close()
        await missing.close()


def test_storage_follows_the_settings(tmp_path: Path) -> None:
    local = storage_for(Settings().with_overrides(data_dir=tmp_path))
    assert isinstance(local, FileStorage)
    remote = storage_for(
        Settings().with_overrides(media_s3_url="http://minio:9000", media_s3_bucket="m", **S3_KEYS)
    )
    assert isinstance(remote, S3Storage)
    assert remote.bucket == "m"
    with pytest.raises(ValueError, match="MEDIA_S3_SECRET_KEY"):
        storage_for(
            Settings().with_overrides(media_s3_url="http://minio:9000", media_s3_access_key="k")
        )


# --- the content service on S3 ---------------------------------------------------------


def png(width: int = 1200, height: int = 800) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 160)).save(out, "PNG")
    return out.getvalue()


async def test_content_stores_and_serves_media_from_s3(
    tmp_path: Path, s3_endpoint: str, s3_bucket: str
) -> None:
    with EmbeddedKafka() as kafka:
        async with settings_for(tmp_path, kafka) as base:
            settings = base.with_overrides(
                media_s3_url=s3_endpoint, media_s3_bucket=s3_bucket, **S3_KEYS
            )
            async with InProcessPlatform(settings) as p:
                http = p.content_http
                ready = await http.get("/readyz")
                assert ready.json()["checks"]["media"] == "ok", ready.text

                pdf = make_pdf("Quyết định số 12", *[f"Trang {i}" for i in range(2, 40)])
                r = await http.post(
                    "/api/v1/media", data={"tenant": "hoankiem"},
                    files={"file": ("qd.pdf", pdf, "application/pdf")}, headers=bearer(EDITOR),
                )  # fmt: skip
                assert r.status_code == 201, r.text
                pdf_url = r.json()["url"]
                r = await http.post(
                    "/api/v1/media", data={"tenant": "hoankiem", "alt": "Quang cảnh hồ Gươm"},
                    files={"file": ("ho.png", png(), "image/png")}, headers=bearer(EDITOR),
                )  # fmt: skip
                assert r.status_code == 201, r.text
                image = r.json()
                assert [v["name"] for v in image["variants"]] == ["w1200.webp", "w960.webp",
                                                                  "w480.webp"]  # fmt: skip

                # Stored in the bucket, not on this machine's disk.
                storage = s3(s3_endpoint, s3_bucket)
                try:
                    stored = await storage.get(pdf_url.removeprefix("/media/"))
                    assert stored == pdf
                    for variant in image["variants"]:
                        key = variant["url"].removeprefix("/media/")
                        assert await storage.stat(key)
                finally:
                    await storage.close()
                assert not settings.media_dir.exists()

                whole = await http.get(pdf_url)
                assert whole.status_code == 200
                assert whole.content == pdf
                assert whole.headers["accept-ranges"] == "bytes"
                assert whole.headers["content-length"] == str(len(pdf))
                assert whole.headers["content-type"] == "application/pdf"
                assert "content-range" not in whole.headers

                part = await http.get(pdf_url, headers={"Range": "bytes=100-199"})
                assert part.status_code == 206
                assert part.content == pdf[100:200]
                assert part.headers["content-range"] == f"bytes 100-199/{len(pdf)}"
                assert part.headers["content-length"] == "100"
                tail = await http.get(pdf_url, headers={"Range": "bytes=-50"})
                assert (tail.status_code, tail.content) == (206, pdf[-50:])

                far = await http.get(pdf_url, headers={"Range": "bytes=999999999-"})
                assert far.status_code == 416
                assert far.headers["content-range"] == f"bytes */{len(pdf)}"
                assert "immutable" not in far.headers.get("cache-control", "")

                # If-Range with our ETag keeps the range; with anything else, the whole file.
                etag = whole.headers["etag"]
                same = await http.get(pdf_url, headers={"Range": "bytes=0-9", "If-Range": etag})
                assert (same.status_code, same.content) == (206, pdf[:10])
                other = await http.get(pdf_url, headers={"Range": "bytes=0-9", "If-Range": '"x"'})
                assert (other.status_code, other.content) == (200, pdf)

                url = image["variants"][0]["url"]
                picture = await http.get(url)
                assert picture.status_code == 200
                assert picture.headers["content-type"] == "image/webp"
                assert picture.content[:4] == b"RIFF" and picture.content[8:12] == b"WEBP"
                head = await http.get(url, headers={"Range": "bytes=0-11"})
                assert (head.status_code, head.content) == (206, picture.content[:12])

                missing = url.replace("w1200.webp", "w9999.webp")
                assert (await http.get(missing)).status_code == 404
