"""Uploads: a file checked by its content (media.py), stored, and recorded.

Files go to the storage adapter before the row is committed: a failed commit
leaves an unreferenced file (harmless, and collectable), never a row without
its file. Readers fetch them at /media/<tenant>/<id>/<name>.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Row

from runtime.auth import Principal, Role
from runtime.messaging import UnitOfWork
from runtime.uploads import PARSING
from services.content import store
from services.content.commands import Invalid, media_url
from services.content.media import (
    MediaKind,
    MediaStorage,
    Rejected,
    image_variants,
    inspect,
    validate_alt_text,
)
from services.content.store import storage_key

#: Largest upload accepted over HTTP: the largest kind's limit plus the form's overhead.
MAX_UPLOAD_BYTES = 21 * 1024 * 1024


async def upload(
    uow: UnitOfWork,
    storage: MediaStorage,
    by: Principal,
    tenant: str,
    filename: str,
    data: bytes,
    alt: str = "",
) -> Row:
    by.require(tenant, Role.collaborator)
    if await store.active_tenant(uow.session, tenant) is None:
        raise Invalid(f"Không có trang thông tin điện tử nào mang mã {tenant}.")
    try:
        # Parsing and resizing are CPU work: keep the event loop free for others.
        async with PARSING.take():  # one bound for every upload in the process
            found = await asyncio.to_thread(inspect, data, filename)
            alt_text = validate_alt_text(alt) if found.kind is MediaKind.image else None
            image = found.kind is MediaKind.image
            variants = await asyncio.to_thread(image_variants, data) if image else []
    except Rejected as exc:
        raise Invalid(str(exc)) from exc
    media_id = str(uuid.uuid4())
    stored: list[dict[str, Any]] = []
    if variants:
        for v in sorted(variants, key=lambda v: v.width, reverse=True):
            name = f"w{v.width}{v.extension}"
            await storage.put(storage_key(tenant, media_id, name), v.data)
            stored.append(
                {"name": name, "width": v.width, "height": v.height, "media_type": v.media_type}
            )
    else:
        name = f"original{found.extension}"
        await storage.put(storage_key(tenant, media_id, name), data)
        stored.append({"name": name, "width": 0, "height": 0, "media_type": found.media_type})
    safe_name = "".join(c for c in filename if c.isprintable() and c not in '/\\"')[:200]
    await uow.session.execute(
        insert(store.media).values(
            id=media_id,
            tenant=tenant,
            kind=found.kind.value,
            filename=safe_name or f"tep{found.extension}",
            media_type=found.media_type,
            extension=found.extension,
            size=found.size,
            sha256=found.sha256,
            text=found.text,
            width=found.width,
            height=found.height,
            pages=found.pages,
            alt=alt_text,
            variants=stored,
            created_by=by.username,
            created_at=datetime.now(UTC),
        )
    )
    row = await store.get_media(uow.session, media_id)
    assert row is not None
    uow.audit(
        actor=by.username,
        action="media.upload",
        subject=f"media:{media_id}",
        tenant=tenant,
        after={"filename": row.filename, "kind": row.kind, "size": row.size, "sha256": row.sha256},
    )
    return row


def public_urls(row: Row) -> list[dict[str, Any]]:
    return [{**v, "url": media_url(row.tenant, row.id, v["name"])} for v in row.variants]
