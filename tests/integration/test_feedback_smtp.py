"""feedback's mail adapter with the SMTP settings as the deployments give them: compose
passes empty SMTP_USERNAME/SMTP_PASSWORD for the demo mailbox (no login), Kubernetes
the relay's login from the Secret."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from aiosmtplib import SMTPException
from test_feedback_flow import Inbox

from runtime.embedded import free_port
from runtime.settings import Settings
from services.feedback.mail import Smtp

# aiosmtpd warns that AUTH without TLS is unsafe: the relay here is a local test double.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


class Relay:
    """Accepts one login, as the city's relay would."""

    def __init__(self, username: str, password: str) -> None:
        self.login = LoginPassword(username.encode(), password.encode())

    def __call__(self, *args: Any) -> AuthResult:
        # aiosmtpd calls it with (server, session, envelope, mechanism, auth_data).
        auth_data = args[-1]
        return AuthResult(success=auth_data == self.login)


@pytest.fixture
def mailbox() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def relay() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=Relay("cong-ttdt", "mat-khau"),
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def smtp(port: int, **environment: str) -> Smtp:
    base = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_STARTTLS": "0"}
    return Smtp(Settings(**{**base, **environment}))  # type: ignore[arg-type]


async def test_empty_login_settings_send_without_a_login(mailbox: tuple[Inbox, int]) -> None:
    inbox, port = mailbox
    sender = smtp(
        port, SMTP_USERNAME="", SMTP_PASSWORD="", MAIL_FROM="Cổng <no-reply@hanoi.gov.vn>"
    )
    await sender.send("an@example.vn", "Xác nhận câu hỏi", "Mở đường dẫn để xác nhận.")
    (message,) = inbox.to("an@example.vn")
    assert message["Subject"] == "Xác nhận câu hỏi"
    assert "no-reply@hanoi.gov.vn" in message["From"]


async def test_a_relay_with_a_login_gets_it(relay: tuple[Inbox, int]) -> None:
    inbox, port = relay
    await smtp(port, SMTP_USERNAME="cong-ttdt", SMTP_PASSWORD="mat-khau").send(
        "binh@example.vn", "Trả lời câu hỏi", "Câu hỏi của ông/bà đã được trả lời."
    )
    assert len(inbox.to("binh@example.vn")) == 1
    # Without the login the relay refuses the mail (the mail queue keeps it and retries).
    with pytest.raises(SMTPException, match="530"):
        await smtp(port).send("chi@example.vn", "Trả lời", "Câu hỏi đã được trả lời.")
    assert not inbox.to("chi@example.vn")
