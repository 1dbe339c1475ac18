"""The editors' UI as admin's Litestar app mounts it: the one list of its routes
under /admin, its templates, server-side sessions, CSRF, and the client for the
services' APIs. docs/adr/0009-editors-ui.md says why it runs in admin's process."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Router
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.redis import RedisStore
from litestar.template.config import TemplateConfig
from litestar.types import Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

from runtime.settings import Settings
from services.admin.ui import (
    admin,
    content,
    editorial,
    feedback,
    participation,
    partners,
    syndication,
)
from services.admin.ui.backends import BackendError, Backends
from services.admin.ui.common import (
    ROTATE,
    STATIC_DIR,
    TEMPLATES_DIR,
    backend_error,
    cookie_name,
    http_error,
)

#: Every screen, by the service whose API it works on.
ROUTES = [*admin.ROUTES, *content.ROUTES, *editorial.ROUTES, *feedback.ROUTES,
          *participation.ROUTES, *syndication.ROUTES, *partners.ROUTES]  # fmt: skip
SESSION_TTL = timedelta(hours=8)


class RotatingSessionBackend(ServerSideSessionBackend):
    """Server-side sessions whose id changes when someone logs in (ROTATE in the
    session): an id that a stranger planted in the browser before (session fixation)
    never becomes a signed-in session. The old id's data is deleted."""

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        if not (isinstance(scope_session, dict) and scope_session.pop(ROTATE, False)):
            await super().store_in_message(scope_session, message, connection)
            return
        store = self.config.get_store_from_app(connection.scope["app"])
        old = connection.cookies.get(self.config.key)
        if old:
            await self.delete(old, store=store)
        new = self.generate_session_id()
        data = self.serialize_data(scope_session, connection.scope)
        await self.set(session_id=new, data=data, store=store)
        params = dict(
            extract_dataclass_items(
                self.config, exclude_none=True, include=set(Cookie.__dict__.keys())
            )
        )
        cookie = Cookie(value=new, key=self.config.key, **params)  # type: ignore[arg-type]
        MutableScopeHeaders.from_message(message).add("Set-Cookie", cookie.to_header(header=""))


class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


def _session_store(settings: Settings) -> Store:
    """Redis when there is one (every replica sees every session), else a directory."""
    if settings.redis_url:
        return RedisStore.with_client(url=settings.redis_url, namespace="portal-admin-sessions")
    return FileStore(settings.data_dir / "admin-sessions")


def ui_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `Service.http_app`: routes, middleware and their config."""
    backends = Backends.create(settings)
    sessions = RotatingSessionConfig(
        key=cookie_name(settings, "portal_admin"),
        max_age=int(SESSION_TTL.total_seconds()),
        # "/": a __Host- cookie must say so; the gateway serves only /admin on this host.
        path="/",
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        store="admin-sessions",
    )
    return {
        "route_handlers": [router(backends)],
        "middleware": [sessions.middleware],
        "dependencies": {"backends": Provide(lambda: backends, sync_to_thread=False)},
        "on_shutdown": [backends.close],
        "template_config": TemplateConfig(directory=TEMPLATES_DIR, engine=JinjaTemplateEngine),
        # Forms under /admin carry the token; the APIs use bearer tokens, not cookies.
        "csrf_config": CSRFConfig(
            secret=settings.auth_secret,
            cookie_name=cookie_name(settings, "portal_csrf"),
            cookie_path="/",
            cookie_secure=settings.secure_cookies,
            cookie_samesite="strict",
            exclude=["^/api/"],
        ),
        "stores": {"admin-sessions": _session_store(settings)},
    }


def router(backends: Backends) -> Router:
    return Router(
        path="/admin",
        before_request=admin.token_renewal(backends),
        route_handlers=[
            *ROUTES,
            create_static_files_router(
                path="/static", directories=[STATIC_DIR], opt={"exclude_from_auth": True}
            ),
        ],
        # The UI authenticates by session, not by the API's bearer token.
        opt={"exclude_from_auth": True},
        include_in_schema=False,
        exception_handlers={HTTPException: http_error, BackendError: backend_error},
    )
