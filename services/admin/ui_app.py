"""What the admin UI adds to admin's Litestar app: templates, sessions, CSRF, and
the client for the other services' APIs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.middleware.session.server_side import ServerSideSessionConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.redis import RedisStore
from litestar.template.config import TemplateConfig

from runtime.settings import Settings
from services.admin import ui
from services.admin.backends import Backends

HERE = Path(__file__).parent
SESSION_TTL = timedelta(hours=8)


def _session_store(settings: Settings) -> Store:
    """Redis when there is one (every replica sees every session), else a directory."""
    if settings.redis_url:
        return RedisStore.with_client(url=settings.redis_url, namespace="portal-admin-sessions")
    return FileStore(settings.data_dir / "admin-sessions")


def ui_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `Service.http_app`: routes, middleware and their config."""
    backends = Backends.create(settings)
    sessions = ServerSideSessionConfig(
        key="portal_admin",
        max_age=int(SESSION_TTL.total_seconds()),
        path="/admin",
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        store="admin-sessions",
    )
    return {
        "route_handlers": [ui.router()],
        "middleware": [sessions.middleware],
        "dependencies": {"backends": Provide(lambda: backends, sync_to_thread=False)},
        "on_shutdown": [backends.close],
        "template_config": TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine),
        # Forms under /admin carry the token; the APIs use bearer tokens, not cookies.
        "csrf_config": CSRFConfig(
            secret=settings.auth_secret,
            cookie_name="portal_csrf",
            cookie_path="/admin",
            cookie_secure=settings.secure_cookies,
            cookie_samesite="strict",
            exclude=["^/api/"],
        ),
        "stores": {"admin-sessions": _session_store(settings)},
    }
