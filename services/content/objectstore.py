"""Media on an S3-compatible object store (MinIO in compose and Kubernetes, or any S3).

`S3Storage` is the `MediaStorage` that every content replica shares: nothing is kept
on a pod's disk. Calls are bounded (connect and read timeouts, a few retries of
throttling and connection errors, an overall deadline per call), and a missing object
is None, as with FileStorage. `storage_for` picks it when MEDIA_S3_URL is set, else
FileStorage under the data directory (the embedded default).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError

from runtime.settings import Settings
from services.content.media import CHUNK_BYTES, FileStorage, MediaStorage, key_parts

__all__ = ["S3Storage", "storage_for"]

#: Error codes that mean "no such object" (HEAD answers a bare 404).
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


class S3Storage:
    """MediaStorage in one bucket of an S3-compatible store (path-style addressing)."""

    def __init__(
        self,
        endpoint_url: str,
        bucket: str,
        access_key: str,
        secret_key: str,
        region: str = "us-east-1",
        *,
        connect_timeout: float = 3.0,
        read_timeout: float = 15.0,
        max_attempts: int = 3,
        call_timeout: float = 60.0,
    ) -> None:
        self.bucket = bucket
        self._endpoint_url = endpoint_url
        self._credentials = {"aws_access_key_id": access_key, "aws_secret_access_key": secret_key}
        self._region = region
        self._call_timeout = call_timeout
        self._config = AioConfig(
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"max_attempts": max_attempts, "mode": "standard"},
            s3={"addressing_style": "path"},
            signature_version="s3v4",
            max_pool_connections=50,
            # Checksums only where S3 demands them: MinIO and older stores differ here.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            # The service models load in a thread, not on the event loop.
            warm_up_loader_caches=True,
        )
        self._client: Any = None
        self._stack = contextlib.AsyncExitStack()
        self._lock = asyncio.Lock()

    async def _s3(self) -> Any:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    self._client = await self._stack.enter_async_context(
                        get_session().create_client(
                            "s3",
                            endpoint_url=self._endpoint_url,
                            region_name=self._region,
                            config=self._config,
                            **self._credentials,
                        )
                    )
        return self._client

    async def ready(self) -> dict[str, str]:
        """For /readyz: is the bucket there and ours to use?"""
        try:
            s3 = await self._s3()
            async with asyncio.timeout(3):
                await s3.head_bucket(Bucket=self.bucket)
        except Exception as exc:
            return {"media": f"error: {type(exc).__name__}"}
        return {"media": "ok"}

    async def close(self) -> None:
        await self._stack.aclose()
        self._client = None

    async def put(self, key: str, data: bytes) -> None:
        key_parts(key)
        s3 = await self._s3()
        async with asyncio.timeout(self._call_timeout):
            await s3.put_object(Bucket=self.bucket, Key=key, Body=data)

    async def get(self, key: str) -> bytes | None:
        key_parts(key)
        s3 = await self._s3()
        async with asyncio.timeout(self._call_timeout):
            try:
                response = await s3.get_object(Bucket=self.bucket, Key=key)
            except ClientError as exc:
                if _missing(exc):
                    return None
                raise
            async with response["Body"] as body:
                return await body.read()

    async def delete(self, key: str) -> None:
        key_parts(key)
        s3 = await self._s3()
        async with asyncio.timeout(self._call_timeout):
            await s3.delete_object(Bucket=self.bucket, Key=key)

    async def stat(self, key: str) -> int | None:
        key_parts(key)
        s3 = await self._s3()
        async with asyncio.timeout(self._call_timeout):
            try:
                response = await s3.head_object(Bucket=self.bucket, Key=key)
            except ClientError as exc:
                if _missing(exc):
                    return None
                raise
        return int(response["ContentLength"])

    async def read_range(
        self, key: str, start: int = 0, stop: int | None = None
    ) -> AsyncIterator[bytes] | None:
        key_parts(key)
        if start < 0 or (stop is not None and stop < start):
            raise ValueError(f"invalid range: {start}-{stop}")
        if stop == start:
            return _nothing()
        options: dict[str, str] = {}
        if start or stop is not None:
            options["Range"] = f"bytes={start}-{'' if stop is None else stop - 1}"
        s3 = await self._s3()
        async with asyncio.timeout(self._call_timeout):
            try:
                response = await s3.get_object(Bucket=self.bucket, Key=key, **options)
            except ClientError as exc:
                if _missing(exc):
                    return None
                raise
        return _body_chunks(response["Body"])


def _missing(exc: ClientError) -> bool:
    error = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return error.get("Code") in _MISSING or status == 404


async def _body_chunks(body: Any) -> AsyncIterator[bytes]:
    # The connection is released however the reader stops (end, error, client gone).
    async with body:
        async for chunk in body.iter_chunks(CHUNK_BYTES):
            yield chunk


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield b""  # pragma: no cover - makes this an async generator


def storage_for(settings: Settings) -> MediaStorage:
    """S3Storage when MEDIA_S3_URL is set, else FileStorage in settings.media_dir."""
    if not settings.media_s3_url:
        return FileStorage(settings.media_dir)
    missing = [
        name
        for name, value in [
            ("MEDIA_S3_BUCKET", settings.media_s3_bucket),
            ("MEDIA_S3_ACCESS_KEY", settings.media_s3_access_key),
            ("MEDIA_S3_SECRET_KEY", settings.media_s3_secret_key),
        ]
        if not value
    ]
    if missing:
        raise ValueError(f"MEDIA_S3_URL is set but {', '.join(missing)} is not")
    return S3Storage(
        settings.media_s3_url,
        settings.media_s3_bucket,
        settings.media_s3_access_key,
        settings.media_s3_secret_key,
        settings.media_s3_region,
    )
