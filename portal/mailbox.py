"""The development mailbox: `make run` has no mail server, so this one takes every
message the platform sends (SMTP on SMTP_PORT, default 8025), keeps it as an .eml file
under var/mail, and lists it on http://localhost:PORT/ (default 8106) with its links
clickable, so a citizen's confirmation link can be followed on a laptop.

It is aiosmtpd, the SMTP server of the Python ecosystem; production sends through the
city's mail relay instead (SMTP_HOST, SMTP_PORT, SMTP_USERNAME...).
"""

from __future__ import annotations

import html
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from litestar import Litestar, MediaType, Response, get

from runtime.service import configure_process, serve
from runtime.settings import Settings

MAX_KEPT = 2000
_URL = re.compile(r"https?://[^\s<>\"']+")


class Maildir:
    """Messages as numbered .eml files, oldest first; the oldest go past MAX_KEPT."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def files(self) -> list[Path]:
        return sorted(self.root.glob("*.eml"))

    def add(self, raw: bytes) -> Path:
        files = self.files()
        number = int(files[-1].stem) + 1 if files else 1
        path = self.root / f"{number:08d}.eml"
        path.write_bytes(raw)
        for old in files[: max(0, len(files) + 1 - MAX_KEPT)]:
            old.unlink(missing_ok=True)
        return path

    def messages(self) -> list[tuple[str, EmailMessage]]:
        out = []
        for path in self.files():
            parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
            out.append((path.stem, parsed))  # type: ignore[arg-type]
        return out


class Handler:
    def __init__(self, maildir: Maildir) -> None:
        self.maildir = maildir

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.maildir.add(envelope.original_content or envelope.content)
        return "250 OK"


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return str(part.get_content()) if part is not None else ""


def _linked(text: str) -> str:
    escaped = html.escape(text)
    return _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)


def build(settings: Settings) -> Litestar:
    maildir = Maildir(settings.data_dir / "mail")
    controller = Controller(Handler(maildir), hostname=settings.smtp_host, port=settings.smtp_port)

    @get("/", sync_to_thread=False)
    def inbox() -> Response[str]:
        rows = []
        for number, message in reversed(maildir.messages()):
            rows.append(
                f"<article><h2>{html.escape(str(message['Subject'] or ''))}</h2>"
                f"<p>Số {number} · Tới: {html.escape(str(message['To'] or ''))} · "
                f"{html.escape(str(message['Date'] or ''))}</p>"
                f"<pre>{_linked(body_of(message))}</pre></article>"
            )
        page = (
            '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            "<title>Hộp thư thử nghiệm</title></head><body><main><h1>Hộp thư thử nghiệm</h1>"
            "<p>Mọi thư nền tảng gửi đi khi chạy trên máy này.</p>"
            + ("".join(rows) or "<p>Chưa có thư nào.</p>")
            + "</main></body></html>"
        )
        return Response(page, media_type=MediaType.HTML, headers={"cache-control": "no-store"})

    @get("/messages.json", sync_to_thread=False)
    def listed() -> list[dict[str, str]]:
        return [
            {"id": n, "to": str(m["To"] or ""), "subject": str(m["Subject"] or ""),
             "body": body_of(m)}
            for n, m in maildir.messages()
        ]  # fmt: skip

    @get("/healthz", sync_to_thread=False)
    def healthy() -> dict[str, str]:
        return {"status": "ok", "service": "mailbox"}

    @get("/readyz", sync_to_thread=False)
    def ready() -> dict[str, Any]:
        return {"ready": True, "service": "mailbox", "checks": {"smtp": "ok"}}

    return Litestar(
        [inbox, listed, healthy, ready],
        on_startup=[controller.start],
        on_shutdown=[controller.stop],
        openapi_config=None,
    )


if __name__ == "__main__":
    settings = Settings()
    configure_process("mailbox", settings)
    serve(build(settings), settings)
