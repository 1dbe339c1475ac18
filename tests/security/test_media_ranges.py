"""Media files through the gateway's one public port, stored on S3 (moto's server):
byte ranges as a video or PDF viewer asks for them, and as an attacker would. Every
answer is a 200, 206 or 416, never a 500, and never more bytes than the file has."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
from conftest import EDITOR, S3_KEYS, bearer, make_bucket, make_pdf, settings_for
from gatedplatform import Gated, gated_platform

from runtime.embedded import EmbeddedKafka

HOST = "hoankiem.localhost"


@pytest.fixture(scope="module")
async def on_s3(
    tmp_path_factory: pytest.TempPathFactory, s3_endpoint: str
) -> AsyncIterator[tuple[Gated, str, bytes]]:
    """The gated platform with content on S3, and one uploaded PDF (its URL, its bytes)."""
    bucket = await make_bucket(s3_endpoint)
    with EmbeddedKafka() as kafka:
        async with (
            settings_for(tmp_path_factory.mktemp("ranges"), kafka) as settings,
            gated_platform(
                settings, media_s3_url=s3_endpoint, media_s3_bucket=bucket, **S3_KEYS
            ) as platform,
        ):
            # Big enough to span several storage chunks.
            pdf = make_pdf(*[f"Trang {i} {os.urandom(8).hex()}" for i in range(1, 400)])
            r = await platform.post(
                "/api/v1/media", data={"tenant": "hoankiem"},
                files={"file": ("vb.pdf", pdf, "application/pdf")}, headers=bearer(EDITOR),
            )  # fmt: skip
            assert r.status_code == 201, r.text
            yield platform, r.json()["url"], pdf


async def test_whole_file_and_one_range(on_s3: tuple[Gated, str, bytes]) -> None:
    gated, url, pdf = on_s3
    whole = await gated.get(url)
    assert whole.status_code == 200
    assert whole.content == pdf
    assert whole.headers["content-length"] == str(len(pdf))
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-security-policy"] == "sandbox; default-src 'none'"

    part = await gated.get(url, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.content == pdf[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(pdf)}"
    assert part.headers["content-length"] == "1000"

    head = await gated.request("HEAD", url, headers={"Range": "bytes=0-9"})
    assert head.status_code == 206
    assert head.content == b""
    assert head.headers["content-length"] == "10"


@pytest.mark.parametrize(
    ("range_header", "expected"),
    [
        ("bytes=abc", 200),
        ("bytes=", 200),
        ("bytes=-", 200),
        ("bytes=5-1", 200),
        ("bytes=0-1,3-4", 200),  # several ranges: the whole file
        (",".join(["bytes=0-0"] + ["1-1"] * 2000), 200),
        ("bytes=" + ",".join(f"{i}-{i}" for i in range(3000)), 200),
        ("bytes=0-" + "9" * 6000, 206),  # past the end: to the end
        ("bytes=999999999-", 416),
        ("bytes=" + "9" * 6000 + "-", 416),
        ("bytes=-0", 416),
        ("items=0-10", 200),
        ("bytes=0x10-0x20", 200),
        ("bytes=-1-2", 200),
        ("bytes=\u0661-\u0662", 200),
        ("bytes=" + "0" * 40 + "1-2", 206),
    ],
)
async def test_hostile_ranges(
    on_s3: tuple[Gated, str, bytes], range_header: str, expected: int
) -> None:
    gated, url, pdf = on_s3
    r = await gated.get(url, headers={"Range": range_header.encode()})
    assert r.status_code == expected, r.text[:200]
    if expected == 200:
        assert r.content == pdf
        assert "content-range" not in r.headers
    elif expected == 206:
        assert r.content and pdf.find(r.content) >= 0
        start, _, rest = r.headers["content-range"].removeprefix("bytes ").partition("-")
        end, _, size = rest.partition("/")
        assert int(size) == len(pdf)
        assert r.content == pdf[int(start) : int(end) + 1]
    else:
        assert r.headers["content-range"] == f"bytes */{len(pdf)}"
        assert len(r.content) < 200


async def test_missing_files_and_other_sites(on_s3: tuple[Gated, str, bytes]) -> None:
    gated, url, _ = on_s3
    assert (await gated.get(url.replace("original.pdf", "original.docx"))).status_code == 404
    ranged: dict[str, Any] = {"headers": {"Range": "bytes=0-9"}}
    assert (await gated.get(url.replace("/hoankiem/", "/badinh/"), **ranged)).status_code == 404
    gone = url.rsplit("/", 2)[0] + "/00000000-0000-4000-8000-000000000000/original.pdf"
    assert (await gated.get(gone, **ranged)).status_code == 404
