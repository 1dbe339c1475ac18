"""Mail to citizens: the SMTP adapter and the loop that delivers the queued mails.

Mails are queued in the database in the transaction that decides to send them (a
confirmation link, a published answer); this loop sends each one, retrying with
back-off while the mail server is away, and never sends one twice once it is marked.
Every replica runs the loop: a sender first claims the mail (a lease of CLAIM, longer
than a send may take), so two replicas that see it pending do not both send it; a
replica that dies after its claim leaves the mail to be sent when the lease ends.
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
SEND_TIMEOUT_SECONDS = 15
CLAIM = timedelta(minutes=5)


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
            # An empty SMTP_USERNAME (compose passes `${SMTP_USERNAME:-}`) means no login.
            username=self.settings.smtp_username or None,
            password=self.settings.smtp_password or None,
            start_tls=self.settings.smtp_starttls,
            timeout=SEND_TIMEOUT_SECONDS,
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
            async with self._uow() as uow:
                mine = await store.claim_mail(uow.session, mail.id, now, self._clock() + CLAIM)
                await uow.commit()
            if not mine:  # another replica is sending it, or has sent it
                continue
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
