"""Articles migrated from the old portal: one JSONL line checked, then a batch imported.

`parse_line` is pure: it turns one line of the export into an `ImportItem` or raises
`LineRejected` with a reason a person can act on. The `portal import` CLI runs it on
every line before sending anything (so a bad line costs no upload), and the import
API runs the same checks again on what it receives (`item_from`), since the API is
open to anyone holding a token.

`import_batch` puts each item through the ordinary publish path: the article is
created as a working copy, frozen as a revision with origin "migrated", and
RevisionSubmitted goes out; editorial approves migrated revisions at once (they were
approved on the old portal), and content's approval handler publishes them with
`publish_revision`, which keeps the old portal's date as `first_published_at`.

Transactions: one unit of work per batch, one savepoint per item. Everything that
can refuse an item (its category, its attachments, its legacy id) is checked
before the item writes or emits anything, so a refused item leaves no trace and
the others go on. The savepoint covers the insert of the article, the one
statement that can still fail for an item on its own: another import of the same
legacy id committing in between (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises
writers). Anything failing after that is not about the item, and fails the whole
batch, which the CLI re-sends: a re-sent item is skipped, never imported twice.
One transaction per batch rather than per item keeps an import of 10,000 articles
at a hundred commits rather than ten thousand, and holds SQLite's write lock for
one short batch at a time, so the consumers that publish go on in between.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from litestar.exceptions import PermissionDeniedException
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from runtime.auth import Principal
from runtime.messaging import UnitOfWork
from services.content import commands, store
from services.content.domain import State, clean_text, publishes_without_review

TITLE_MAX = 500
SUMMARY_MAX = 2000
AUTHOR_MAX = 200
CATEGORY_MAX = 60
LEGACY_ID_MAX = 200
#: Body HTML, counted in UTF-8 bytes as stored.
BODY_MAX_BYTES = 1_000_000
ATTACHMENTS_MAX = 50
ATTACHMENT_TITLE_MAX = 300
URL_MAX = 2000
FILE_PATH_MAX = 500

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)

Status = Literal["imported", "skipped", "rejected"]


class LineRejected(ValueError):
    """A line that cannot be imported; the message (Vietnamese) says why."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


#: Builds the rejection of the line being checked from a reason.
Reject = Callable[[str], LineRejected]


@dataclass(frozen=True)
class AttachmentRef:
    """One attachment of a line: a file next to the JSONL, a URL, or (once the CLI has
    uploaded it) the id of the stored media."""

    kind: Literal["file", "url", "media"]
    value: str
    title: str = ""


@dataclass(frozen=True)
class ImportItem:
    line: int
    legacy_id: str
    title: str
    summary: str
    body_html: str
    category: str
    published_at: datetime
    author: str
    attachments: tuple[AttachmentRef, ...] = ()

    def to_api(self, attachments: Sequence[dict[str, str]] = ()) -> dict[str, Any]:
        """The item as the import API takes it, with uploaded attachments {media_id, title}."""
        return {
            "line": self.line,
            "legacy_id": self.legacy_id,
            "title": self.title,
            "summary": self.summary,
            "body_html": self.body_html,
            "category": self.category,
            "published_at": self.published_at.isoformat(),
            "author": self.author,
            "attachments": list(attachments),
        }


@dataclass(frozen=True)
class ItemResult:
    line: int
    status: Status
    legacy_id: str | None = None
    article_id: str | None = None
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


# --- one line ------------------------------------------------------------------------


def parse_line(text: str, line_number: int, *, now: datetime | None = None) -> ImportItem:
    """One JSONL line of the old portal's export as an item; LineRejected if it cannot be."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        # RecursionError: "[[[[…" nested deeper than the parser goes.
        raise LineRejected(line_number, "Dòng không phải JSON hợp lệ.") from exc
    return item_from(data, line_number, now=now)


def item_from(
    data: Any, line_number: int, *, now: datetime | None = None, uploaded: bool = False
) -> ImportItem:
    """An item from a decoded object. `uploaded`: attachments must be stored media
    ({media_id, title}), as the API takes them; otherwise files or URLs, as in the export.
    """

    def reject(reason: str) -> LineRejected:
        return LineRejected(line_number, reason)

    if not isinstance(data, dict):
        raise reject("Mỗi dòng phải là một đối tượng JSON {…}.")
    title = clean_text(_text(data, "title", reject, required=True))
    if not title:
        raise reject("Thiếu tiêu đề (title).")
    if len(title) > TITLE_MAX:
        raise reject(f"Tiêu đề dài {len(title)} ký tự, quá {TITLE_MAX} ký tự cho phép.")
    summary = clean_text(_text(data, "summary", reject))
    if len(summary) > SUMMARY_MAX:
        raise reject(f"Tóm tắt dài {len(summary)} ký tự, quá {SUMMARY_MAX} ký tự cho phép.")
    body = _text(data, "body_html", reject)
    size = len(body.encode("utf-8"))
    if size > BODY_MAX_BYTES:
        megabytes = f"{size / 1_000_000:.1f}".replace(".", ",")  # Vietnamese decimal comma
        raise reject(f"Nội dung (body_html) nặng {megabytes} MB, quá 1 MB cho phép.")
    category = _text(data, "category", reject).strip()
    if not category:
        raise reject("Thiếu chuyên mục (category).")
    if len(category) > CATEGORY_MAX:
        raise reject(f"Mã chuyên mục (category) dài quá {CATEGORY_MAX} ký tự.")
    published_at = _published_at(data, reject, now or datetime.now(UTC))
    author = clean_text(_text(data, "author", reject))
    if len(author) > AUTHOR_MAX:
        raise reject(f"Tên tác giả (author) dài quá {AUTHOR_MAX} ký tự.")
    legacy_id = _legacy_id(data, reject) or default_legacy_id(title, published_at)
    attachments = _attachments(data.get("attachments"), reject, uploaded=uploaded)
    return ImportItem(
        line=line_number,
        legacy_id=legacy_id,
        title=title,
        summary=summary,
        body_html=body,
        category=category,
        published_at=published_at,
        author=author,
        attachments=attachments,
    )


def default_legacy_id(title: str, published_at: datetime) -> str:
    """Without an id from the old portal, the same title at the same moment is the same
    article: importing the file again skips it."""
    key = f"{title}\n{published_at.astimezone(UTC).isoformat()}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _text(data: dict[str, Any], name: str, reject: Reject, *, required: bool = False) -> str:
    value = data.get(name)
    if value is None:
        if required:
            raise reject(f"Thiếu trường {name}.")
        return ""
    if not isinstance(value, str):
        raise reject(f"Trường {name} phải là chuỗi ký tự.")
    _check_chars(value, name, reject)
    return unicodedata.normalize("NFC", value)


def _check_chars(value: str, name: str, reject: Reject) -> None:
    # Neither PostgreSQL nor UTF-8 can store these; nobody types them.
    if "\x00" in value:
        raise reject(f"Trường {name} chứa ký tự NUL.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise reject(f"Trường {name} chứa ký tự Unicode không hợp lệ.") from exc


def _published_at(data: dict[str, Any], reject: Reject, now: datetime) -> datetime:
    raw = data.get("published_at")
    if raw is None or raw == "":
        raise reject("Thiếu ngày đăng gốc (published_at).")
    if not isinstance(raw, str) or len(raw) > 40:
        raise reject("Ngày đăng (published_at) phải là chuỗi ISO 8601.")
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise reject(
            f"Ngày đăng “{raw[:40]}” không đúng ISO 8601 (ví dụ 2023-05-17T08:30:00+07:00)."
        ) from exc
    if value.tzinfo is None or value.utcoffset() is None:
        raise reject(f"Ngày đăng “{raw[:40]}” thiếu múi giờ; hãy ghi kèm, ví dụ +07:00 hoặc Z.")
    try:
        value.astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01T00:00+07:00 has no UTC time
        raise reject(f"Ngày đăng “{raw[:40]}” nằm ngoài khoảng thời gian hợp lệ.") from exc
    if value > now:
        raise reject(f"Ngày đăng “{raw[:40]}” nằm trong tương lai.")
    return value


def _legacy_id(data: dict[str, Any], reject: Reject) -> str:
    raw = data.get("legacy_id")
    if raw is None:
        return ""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise reject("Mã bài cũ (legacy_id) phải là chuỗi hoặc số.")
    value = unicodedata.normalize("NFC", str(raw)).strip()
    _check_chars(value, "legacy_id", reject)
    if len(value) > LEGACY_ID_MAX:
        raise reject(f"Mã bài cũ (legacy_id) dài quá {LEGACY_ID_MAX} ký tự.")
    return value


def _attachments(raw: Any, reject: Reject, *, uploaded: bool) -> tuple[AttachmentRef, ...]:
    if raw is None:
        return ()
    shape = "{media_id, title}" if uploaded else "{url} hoặc {file}"
    if not isinstance(raw, list):
        raise reject(f"Tệp đính kèm (attachments) phải là danh sách các {shape}.")
    if len(raw) > ATTACHMENTS_MAX:
        raise reject(f"Mỗi bài có tối đa {ATTACHMENTS_MAX} tệp đính kèm.")
    refs = []
    for n, entry in enumerate(raw, 1):
        if not isinstance(entry, dict):
            raise reject(f"Tệp đính kèm thứ {n} phải là {shape}.")
        title = clean_text(_text(entry, "title", reject))
        if len(title) > ATTACHMENT_TITLE_MAX:
            raise reject(f"Tên tệp đính kèm thứ {n} dài quá {ATTACHMENT_TITLE_MAX} ký tự.")
        refs.append(_attachment(entry, n, title, reject, uploaded=uploaded, shape=shape))
    return tuple(refs)


def _attachment(
    entry: dict[str, Any], n: int, title: str, reject: Reject, *, uploaded: bool, shape: str
) -> AttachmentRef:
    if uploaded:
        media_id = entry.get("media_id")
        if not isinstance(media_id, str) or not _UUID.fullmatch(media_id):
            raise reject(f"Tệp đính kèm thứ {n} phải có media_id của tệp đã tải lên.")
        return AttachmentRef("media", media_id.lower(), title)
    url, path = entry.get("url"), entry.get("file")
    if (url is None) == (path is None):
        raise reject(f"Tệp đính kèm thứ {n} phải có đúng một trong hai: url hoặc file.")
    if url is not None:
        if not isinstance(url, str) or len(url) > URL_MAX or not _URL.fullmatch(url.strip()):
            raise reject(f"Tệp đính kèm thứ {n}: url phải là địa chỉ http:// hoặc https://.")
        _check_chars(url, "url", reject)
        return AttachmentRef("url", url.strip(), title)
    if not isinstance(path, str) or not path.strip() or len(path) > FILE_PATH_MAX:
        raise reject(f"Tệp đính kèm thứ {n}: file phải là đường dẫn tới tệp.")
    _check_chars(path, "file", reject)
    return AttachmentRef("file", path.strip(), title)


# --- a batch -----------------------------------------------------------------------


async def known_legacy_ids(
    session: AsyncSession, tenant: str, legacy_ids: Sequence[str]
) -> dict[str, str]:
    """{legacy_id: article_id} of those already imported for this tenant."""
    found: dict[str, str] = {}
    wanted = sorted(set(legacy_ids))
    # Chunks keep the IN list under SQLite's variable limit whatever the batch size.
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(store.articles.c.legacy_id, store.articles.c.id).where(
            store.articles.c.tenant == tenant, store.articles.c.legacy_id.in_(chunk)
        )
        found.update({legacy: article for legacy, article in await session.execute(query)})
    return found


async def check_importer(session: AsyncSession, by: Principal, tenant: str) -> None:
    """Imported articles go live without review beforehand, so only who may force-publish
    may import (the site's board head), and only on a site that exists; the board
    reviews each afterwards."""
    if not publishes_without_review(by.role_in(tenant)):
        raise PermissionDeniedException(
            f"Chỉ Trưởng Ban Biên tập của trang {tenant} được nhập bài từ cổng cũ "
            "(bài lên trang không qua duyệt trước, như đăng ngay)."
        )
    if await store.active_tenant(session, tenant) is None:
        raise commands.NotFound(f"Không có trang thông tin điện tử nào mang mã {tenant}.")


async def import_batch(
    uow: UnitOfWork,
    by: Principal,
    tenant: str,
    items: Sequence[ImportItem],
    backdate: bool = False,
) -> list[ItemResult]:
    """Import each item through the publish path; the caller commits. One result per item.

    `backdate` (asked for explicitly) publishes each with its date on the old portal;
    otherwise it is published today and the old date is only recorded. Either way the
    audit entry says which."""
    await check_importer(uow.session, by, tenant)
    # Also holds the ids this batch imports: the same legacy id twice in a batch is skipped.
    seen = await known_legacy_ids(uow.session, tenant, [i.legacy_id for i in items])
    results: list[ItemResult] = []
    for item in items:
        existing = seen.get(item.legacy_id)
        if existing is not None:
            results.append(_skipped(item, existing))
            continue
        try:
            article_id = await _import_one(uow, by, tenant, item, backdate=backdate)
        except commands.Invalid as exc:
            results.append(ItemResult(item.line, "rejected", item.legacy_id, reason=str(exc)))
            continue
        except _AlreadyImported as exc:
            results.append(_skipped(item, exc.article_id))
            continue
        seen[item.legacy_id] = article_id
        results.append(ItemResult(item.line, "imported", item.legacy_id, article_id))
    return results


def _skipped(item: ImportItem, article_id: str | None) -> ItemResult:
    return ItemResult(
        item.line,
        "skipped",
        item.legacy_id,
        article_id,
        reason="Bài này đã được nhập trước đây (trùng legacy_id).",
    )


class _AlreadyImported(Exception):
    def __init__(self, article_id: str | None) -> None:
        super().__init__("already imported")
        self.article_id = article_id


async def _import_one(
    uow: UnitOfWork, by: Principal, tenant: str, item: ImportItem, *, backdate: bool
) -> str:
    if any(ref.kind != "media" for ref in item.attachments):
        # The server never fetches a URL or reads a path it is given: no SSRF, no files.
        raise commands.Invalid("Tệp đính kèm phải được tải lên trước (media_id).")
    draft = commands.Draft(
        category=item.category,
        title=item.title,
        summary=item.summary,
        body_html=item.body_html,
        author=item.author,
        attachments=[{"media_id": a.value, "title": a.title} for a in item.attachments],
    )
    # Reads only: a refused item has written nothing.
    clean = await commands._clean(uow, tenant, draft, None)
    now = datetime.now(UTC)
    article_id = str(uuid.uuid4())
    try:
        async with uow.session.begin_nested():
            await uow.session.execute(
                insert(store.articles).values(
                    id=article_id,
                    tenant=tenant,
                    **clean.columns(),
                    state=State.draft,
                    version=1,
                    revision_count=0,
                    publish_sequence=0,
                    created_by=by.username,
                    created_at=now,
                    updated_at=now,
                    origin="migrated",
                    legacy_id=item.legacy_id,
                )
            )
    except IntegrityError:
        known = await known_legacy_ids(uow.session, tenant, [item.legacy_id])
        raise _AlreadyImported(known.get(item.legacy_id)) from None
    article = await store.get_article(uow.session, article_id)
    assert article is not None
    revision_id = await commands._new_revision(
        uow, by, article, State.submitted, origin="migrated",
        original_published_at=item.published_at if backdate else None,
    )  # fmt: skip
    uow.audit(
        actor=by.username,
        action="article.import",
        subject=f"article:{article_id}",
        tenant=tenant,
        after={
            # As _new_revision left it; not read back, to keep a batch to few statements.
            **commands.snapshot(article),
            "state": State.submitted,
            "version": article.version + 1,
            "revision_id": revision_id,
            "legacy_id": item.legacy_id,
            "original_published_at": item.published_at,
            # Published with the old date (asked for), or with today's.
            "backdated": backdate,
        },
    )
    return article_id
