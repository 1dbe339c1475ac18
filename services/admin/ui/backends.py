"""The admin UI's calls to the services that own the data (content, editorial,
renderer, feedback, syndication, and admin's own API), with the signed-in editor's
token.

The UI holds no business rules: every permission and every check is the owning
service's, so the screens cannot allow what the API refuses. Errors come back as
`BackendError` carrying the service's Vietnamese message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx

from runtime.settings import Settings


class BackendError(Exception):
    def __init__(self, status: int, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra or {}


#: How long the services' words (grounds, status lists, counter headings) are kept:
#: they change only when the owning service is deployed anew.
WORDS_TTL_SECONDS = 60.0


@dataclass
class Backends:
    settings: Settings
    client: httpx.AsyncClient
    #: (service, path) -> (when fetched, the answer): see `words`.
    _words: dict[tuple[str, str], tuple[float, Any]] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: Settings) -> Backends:
        # Shared by every editor's requests: it must never keep anyone's cookies.
        jar = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
        return cls(settings, httpx.AsyncClient(timeout=30, cookies=jar))

    async def close(self) -> None:
        await self.client.aclose()

    async def words(self, service: str, path: str) -> Any:
        """A public vocabulary of a service (the same for every caller), fetched at most
        once a minute rather than on every page that shows it."""
        key = (service, path)
        kept = self._words.get(key)
        if kept and time.monotonic() - kept[0] < WORDS_TTL_SECONDS:
            return kept[1]
        found = await self.call(service, "GET", path)
        self._words[key] = (time.monotonic(), found)
        return found

    def _base(self, service: str) -> str:
        return {
            "admin": self.settings.admin_url,
            "content": self.settings.content_url,
            "editorial": self.settings.editorial_url,
            "renderer": self.settings.renderer_url,
            "feedback": self.settings.feedback_url,
            "syndication": self.settings.syndication_url,
        }[service]

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        files: Any = None,
        data: dict[str, Any] | None = None,
        raw: bool = False,
        headers: dict[str, str] | None = None,
    ) -> Any:
        headers = {**(headers or {}), **({"Authorization": f"Bearer {token}"} if token else {})}
        try:
            response = await self.client.request(
                method,
                self._base(service) + path,
                json=json,
                params={k: v for k, v in (params or {}).items() if v not in (None, "")},
                files=files,
                data=data,
                headers=headers,
            )
        except httpx.HTTPError as exc:
            raise BackendError(
                503, "Dịch vụ tạm thời không phản hồi. Xin thử lại sau ít phút."
            ) from exc
        if response.status_code >= 400:
            try:
                body = response.json()
                message = body.get("detail") or response.reason_phrase
                extra = body.get("extra") if isinstance(body.get("extra"), dict) else {}
                if isinstance(body.get("extra"), list):
                    # A request the schema refused: the fields and their messages.
                    extra = {"errors": body["extra"]}
            except ValueError:
                message, extra = response.reason_phrase, {}
            raise BackendError(response.status_code, str(message), extra)
        if raw:
            return response
        return response.json() if response.content else None
