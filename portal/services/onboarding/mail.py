"""Mail to IT admins: over SMTP when `SMTP_URL` is set, else kept in the outbox and logged.

Every message, sent or not, is a `MailMessage` row, so the dashboard can show what went out,
what is still being retried and what failed (with the server's answer). SMTP sending is a job
(`tasks.mail.deliver`), so a slow or down mail server never holds up a page.
"""

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from portal.errors import Conflict, MailUnavailable, QueueUnavailable
from portal.extensions import db
from portal.models import MailMessage
from portal.models.columns import utcnow
from portal.services.account import credentials
from portal.services.infra import tenancy
from portal.services.infra.pagination import Page, PageRequest, paginate
from portal.services.infra.queue import enqueue, enqueue_in

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 10
DEFAULT_SENDER = "portal@localhost"
SEND_JOB = "tasks.mail.deliver"
MAX_ATTEMPTS = 5
# How late past the last scheduled retry a queued mail is taken for lost.
LOST_MARGIN = timedelta(minutes=15)


def _smtp_address() -> tuple[str, int] | None:
    url = current_app.config.get("SMTP_URL")
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "smtp" or not parts.hostname:
        raise MailUnavailable(f"SMTP_URL must look like smtp://host:port, not {url!r}.")
    return parts.hostname, parts.port or 25


def check_settings() -> None:
    """Raise MailUnavailable when SMTP_URL is set but malformed (nothing is sent)."""
    _smtp_address()


def check_transport() -> None:
    """Raise MailUnavailable unless mail can go out now (always true without SMTP)."""
    address = _smtp_address()
    if address is None:
        return
    try:
        with smtplib.SMTP(*address, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            smtp.noop()
    except (OSError, smtplib.SMTPException) as error:
        raise MailUnavailable(_unreachable(address, error)) from error


def send(
    recipient: str,
    subject: str,
    body: str,
    organization_id: str | None = None,
    wait: bool = False,
) -> MailMessage:
    """Keep one plain-text mail and send it over SMTP: by a job that retries with back-off,
    or, with `wait`, here and now (raising MailUnavailable if the server refuses it).
    Without SMTP the mail is only kept (the outbox) and logged. Returns its MailMessage row."""
    address = _smtp_address()
    row = MailMessage(
        organization_id=organization_id,
        recipient=recipient,
        subject=subject,
        body=body,
        transport="smtp" if address else "outbox",
        state="queued" if address else "kept",
    )
    db.session.add(row)
    db.session.commit()
    if address is None:
        log.info("SMTP_URL is not set; mail to %s kept in the outbox:\n%s\n%s", *_shown(row))
    elif wait:
        _attempt(row, address, retry=False)
        if row.state == "failed":
            raise MailUnavailable(row.last_error)
    else:
        _queue(row, address)
    return row


def _shown(row: MailMessage) -> tuple[str, str, str]:
    return row.recipient, row.subject, row.body


def _queue(row: MailMessage, address: tuple[str, int]) -> None:
    try:
        enqueue(SEND_JOB, row.id, job_id=f"mail-{row.id}")
    except QueueUnavailable:
        # No queue to retry from: one attempt now, so the mail is sent or visibly failed.
        log.warning("job queue unavailable; sending mail %s at once", row.id)
        _attempt(row, address, retry=False)


def deliver(message_id: str) -> str | None:
    """The job: one SMTP attempt of a queued mail, then the next scheduled on failure.
    Safe to run twice: a mail no longer queued is left alone. Returns its state."""
    row = db.session.get(MailMessage, message_id)
    if row is None or row.state != "queued":
        return row.state if row else None
    address = _smtp_address()
    if address is None:  # SMTP_URL was removed since: keep it in the outbox
        row.transport, row.state = "outbox", "kept"
        db.session.commit()
        return row.state
    _attempt(row, address, retry=True)
    return row.state


def _attempt(row: MailMessage, address: tuple[str, int], retry: bool) -> None:
    row.attempt_count += 1
    try:
        _smtp_send(address, row)
    except MailUnavailable as error:
        row.last_error = error.message
        if not retry or row.attempt_count >= MAX_ATTEMPTS:
            row.state = "failed"
    else:
        row.state, row.sent_at, row.last_error = "sent", utcnow(), None
    db.session.commit()
    if row.state == "queued":
        delay = retry_delay(row.attempt_count)
        enqueue_in(delay, SEND_JOB, row.id, job_id=f"mail-{row.id}-{row.attempt_count}")


def retry_delay(attempts_made: int) -> timedelta:
    """The wait after the n-th refused attempt: the first retry delay, then four times longer
    each time (30 s, 2 min, 8 min, 32 min by default)."""
    first = current_app.config.get("PORTAL_MAIL_FIRST_RETRY_SECONDS", 30)
    return timedelta(seconds=first * 4 ** (attempts_made - 1))


def _smtp_send(address: tuple[str, int], row: MailMessage) -> None:
    message = EmailMessage()
    message["From"] = current_app.config.get("MAIL_SENDER") or DEFAULT_SENDER
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message.set_content(row.body)
    try:
        with smtplib.SMTP(*address, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailUnavailable(_unreachable(address, error)) from error


def requeue_lost() -> int:
    """Queue again the mails still `queued` long after their last retry was due (a worker
    killed mid-attempt, a job Redis lost); safe to run any time. Returns how many."""
    retries = sum((retry_delay(n) for n in range(1, MAX_ATTEMPTS)), timedelta())
    cutoff = utcnow() - retries - LOST_MARGIN
    lost = db.session.scalars(
        select(MailMessage).where(MailMessage.state == "queued", MailMessage.created_at < cutoff)
    ).all()
    for row in lost:
        enqueue(SEND_JOB, row.id, job_id=f"mail-{row.id}-requeued-{row.attempt_count}")
    return len(lost)


def send_again(message_id: str) -> MailMessage:
    """Queue a failed mail for a fresh round of attempts (the Sent emails page's button)."""
    row = tenancy.unscoped(MailMessage, message_id, noun="Mail")
    if row.state != "failed":
        raise Conflict("Only a mail that failed can be sent again.", code="mail_not_failed")
    address = _smtp_address()
    if address is None:
        raise MailUnavailable("SMTP_URL is not set, so there is no mail server to send it to.")
    row.state, row.attempt_count = "queued", 0
    db.session.commit()
    _queue(row, address)
    return row


def _unreachable(address: tuple[str, int], error: Exception) -> str:
    return (
        f"The mail server at {address[0]}:{address[1]} did not accept the message ({error}). "
        "Check SMTP_URL and that the server is running."
    )


def list_messages(page: PageRequest) -> Page:
    """Mail sent or kept, newest first."""
    return paginate(select(MailMessage), MailMessage.id, page)


def setup_invitation(organization_name: str, link: str, expires_on: str) -> tuple[str, str]:
    """Subject and body of the mail that hands an IT admin their setup link."""
    app_name = credentials.environment().app_name or "Your vendor"
    subject = f"{app_name}: set up single sign-on for {organization_name}"
    body = (
        f"Hello,\n\n{app_name} invites you to connect {organization_name}'s identity provider.\n"
        "Open this link to start; it works for one browser and until "
        f"{expires_on}:\n\n{link}\n\n"
        "If you did not expect this mail, you can ignore it.\n"
    )
    return subject, body
