"""Mail to citizens: the SMTP adapter and the loop that delivers the queued mails.

Mails are queued in the database in the transaction that decides to send them (a
confirmation link, a published answer); this loop sends each one, retrying with
back-off while the mail server is away, and never sends one twice once it is marked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage

import aiosmtplib
from sqlalchemy import update

from runtime.messaging import UnitOfWork
from runtime.settings import Settings
from services.feedback import store

log = logging.getLogger("portal.feedback.mail")
MAX_ATTEMPTS = 20


class Smtp:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.settings.mail_from
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        await aiosmtplib.send(
            message,
            hostname=self.settings.smtp_host,
            port=self.settings.smtp_port,
            username=self.settings.smtp_username,
            password=self.settings.smtp_password,
            start_tls=self.settings.smtp_starttls,
            timeout=15,
        )


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 5 * 2 ** min(attempts, 10)))


class Mailer:
    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        smtp: Smtp,
        clock: Callable[[], datetime],
        *,
        poll_seconds: float = 0.5,
    ) -> None:
        self._uow = unit_of_work
        self._smtp = smtp
        self._clock = clock
        self._poll = poll_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        now = self._clock()
        async with self._uow() as uow:
            batch = await store.pending_mails(uow.session, now)
        sent = 0
        for mail in batch:
            try:
                await self._smtp.send(mail.to_address, mail.subject, mail.body)
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                attempts = mail.attempts + 1
                values = {
                    "attempts": attempts,
                    "last_error": f"{type(exc).__name__}: {exc}"[:1000],
                    "next_attempt_at": now + backoff(attempts),
                }
                if attempts >= MAX_ATTEMPTS:
                    log.error(  # noqa: TRY400 (the error is in the message; no traceback wanted)
                        "mail given up", extra={"mail": mail.id, "error": str(exc)}
                    )
                    values["next_attempt_at"] = now + timedelta(days=3650)
                else:
                    log.warning("mail not sent; will retry", extra={"mail": mail.id})
            else:
                values = {"sent_at": self._clock(), "attempts": mail.attempts + 1}
                sent += 1
            async with self._uow() as uow:
                await uow.session.execute(
                    update(store.mails).where(store.mails.c.id == mail.id).values(**values)
                )
                await uow.commit()
        return sent

    async def run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("mail round failed; trying again")
            self._wake.clear()
            try:
                async with asyncio.timeout(self._poll):
                    await self._wake.wait()
            except TimeoutError:
                pass
