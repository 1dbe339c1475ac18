"""content's import API: articles from the old portal, in batches.

The `portal import articles` CLI reads the export, uploads attachments through
`POST /api/v1/media`, and sends the lines here, up to 200 at a time. Each item is
checked again (anyone with a token can call this), and each gets its own result:
one bad item never fails the batch. Only the shape of the request itself (tenant,
a list of 1..200 objects) answers 400.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import JSONBody
from litestar.security.jwt import Token
from pydantic import BaseModel, Field

from runtime.api import Input
from runtime.auth import Principal
from runtime.service import Service
from services.content import commands, imports
from services.content.api import run_command

Caller = Request[Principal, Token, Any]
TENANT = r"^[a-z0-9-]{1,50}$"
BATCH_MAX = 200
#: Twenty 1 MB bodies and their JSON escaping fit; the gateway lets 22 MB through.
MAX_REQUEST_BYTES = 20 * 1024 * 1024


class ImportIn(Input):
    tenant: str = Field(pattern=TENANT)
    #: Checked one by one by `imports.item_from`, so that one bad item is one rejected
    #: result, not a 400 for its 199 neighbours.
    items: list[dict[str, Any]] = Field(min_length=1, max_length=BATCH_MAX)
    #: Publish with each item's `published_at` (the old portal's date): only when asked,
    #: and recorded in the audit log; otherwise the articles are published today.
    backdate: bool = False


class ItemOut(BaseModel):
    line: int
    status: imports.Status
    legacy_id: str | None = None
    article_id: str | None = None
    reason: str | None = None


class ImportOut(BaseModel):
    results: list[ItemOut]


class KnownIn(Input):
    tenant: str = Field(pattern=TENANT)
    legacy_ids: list[Annotated[str, Field(max_length=imports.LEGACY_ID_MAX)]] = Field(
        default_factory=list, max_length=1000
    )


class KnownOut(BaseModel):
    #: legacy_id → article id, for those already imported.
    known: dict[str, str]


async def _may_import(service: Service, by: Principal, tenant: str) -> None:
    assert service.db
    async with service.db.read() as session:
        try:
            await imports.check_importer(session, by, tenant)
        except commands.NotFound as exc:
            raise NotFoundException(str(exc)) from exc


def _line_of(raw: dict[str, Any], index: int) -> int:
    line = raw.get("line")
    if isinstance(line, int) and not isinstance(line, bool) and 1 <= line <= 10**12:
        return line
    return index + 1


def _too_deep(_request: Request[Any, Any, Any], _exc: RecursionError) -> Response[dict[str, Any]]:
    # msgspec gives up on "[[[[…" nested past the interpreter's limit with RecursionError,
    # which would otherwise be a 500 for what is only a malformed body.
    return Response(
        {"status_code": 400, "detail": "Dữ liệu JSON lồng nhau quá sâu, không hợp lệ."},
        status_code=400,
    )


class ImportController(Controller):
    path = "/api/v1/imports"
    exception_handlers = {RecursionError: _too_deep}  # noqa: RUF012 - Litestar's own field

    @post(
        "/articles",
        operation_id="ImportArticles",
        status_code=200,
        request_max_body_size=MAX_REQUEST_BYTES,
    )
    async def import_articles(
        self, data: JSONBody[ImportIn], service: NamedDependency[Service], request: Caller
    ) -> ImportOut:
        """Publish articles of the old portal as migrated (the site's board head only;
        the board reviews them afterwards). `backdate: true` keeps each `published_at`.

        Each item: {line?, legacy_id?, title, summary?, body_html?, category,
        published_at (ISO 8601 with offset), author?, attachments?: [{media_id, title?}]}.
        Each result: {line, status: imported | skipped | rejected, article_id?, reason?}.
        """
        results: list[imports.ItemResult | None] = []
        items: list[imports.ImportItem] = []
        for index, raw in enumerate(data.items):
            line = _line_of(raw, index)
            try:
                items.append(imports.item_from(raw, line, uploaded=True))
                results.append(None)
            except imports.LineRejected as exc:
                results.append(imports.ItemResult(line, "rejected", reason=exc.reason))
        imported: list[imports.ItemResult] = []
        if items:
            imported = await run_command(
                service, imports.import_batch, request.user, data.tenant, items, data.backdate
            )
        else:
            # Nothing valid to write; the caller still learns whether it may import here.
            await _may_import(service, request.user, data.tenant)
        done = iter(imported)
        return ImportOut(
            results=[ItemOut(**(r or next(done)).as_json()) for r in results],
        )

    @post("/articles/known", operation_id="KnownImports", status_code=200)
    async def known(
        self, data: JSONBody[KnownIn], service: NamedDependency[Service], request: Caller
    ) -> KnownOut:
        """Which legacy ids are imported already: the CLI skips uploading their
        attachments again. With no ids, it checks that the caller may import here."""
        await _may_import(service, request.user, data.tenant)
        assert service.db
        async with service.db.read() as session:
            found = await imports.known_legacy_ids(session, data.tenant, data.legacy_ids)
        return KnownOut(known=found)


ROUTES = [ImportController]
