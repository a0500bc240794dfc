"""Mail to IT admins: over SMTP when `SMTP_URL` is set, else kept in the outbox and logged.

Every message, sent or not, is a `MailMessage` row, so the dashboard can show what went out,
what is still being retried and what failed (with the server's answer). SMTP sending is a job
(`tasks.mail.deliver`), so a slow or down mail server never holds up a page.

A setup link opens a portal session, so no row holds it readable: the body names it with
LINK_PLACEHOLDER, an SMTP mail keeps it sealed (`infra.encryption`) until the job sends it, and
an outbox-only mail does not keep it at all (the dashboard and CLI show it once, when made).
"""

import logging
import re
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from portal.errors import Conflict, MailUnavailable, QueueUnavailable, SecretUnreadable
from portal.extensions import db
from portal.models import MailMessage
from portal.models.columns import utcnow
from portal.services.account import credentials
from portal.services.infra import encryption, tenancy
from portal.services.infra.pagination import Page, PageRequest, paginate
from portal.services.infra.queue import enqueue, enqueue_in
from portal.services.onboarding import portal_links

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 10
DEFAULT_SENDER = "portal@localhost"
SEND_JOB = "tasks.mail.deliver"
MAX_ATTEMPTS = 5
# How late past the last scheduled retry a queued mail is taken for lost.
LOST_MARGIN = timedelta(minutes=15)
# Where a mail's body names its link; what the dashboard and the log show instead of it.
LINK_PLACEHOLDER = "[setup link]"
_SEALED_LINK = re.compile(r"\[sealed link (fernet1:[^\]\s]+)\]")


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
    link: str | None = None,
) -> MailMessage:
    """Keep one plain-text mail and send it over SMTP: by a job that retries with back-off,
    or, with `wait`, here and now (raising MailUnavailable if the server refuses it).
    Without SMTP the mail is only kept (the outbox) and logged. Returns its MailMessage row.

    `link` takes the place of LINK_PLACEHOLDER in the mail sent; only SMTP mail keeps it,
    sealed, for the job (and its retries) to send."""
    address = _smtp_address()
    if link is not None and address is not None:
        # The last placeholder: an organization named "[setup link]" stays a name.
        before, placeholder, after = body.rpartition(LINK_PLACEHOLDER)
        body = f"{before}[sealed link {encryption.encrypt(link)}]{after}" if placeholder else body
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
    return row.recipient, row.subject, shown_body(row)


def shown_body(row: MailMessage) -> str:
    """The body as the dashboard shows it: LINK_PLACEHOLDER where the link goes."""
    return _SEALED_LINK.sub(LINK_PLACEHOLDER, row.body)


def _body_to_send(row: MailMessage) -> str:
    """The body with its sealed link opened; raises SecretUnreadable if it cannot be."""
    return _SEALED_LINK.sub(lambda sealed: encryption.decrypt(sealed.group(1)), row.body)


def _sealed_links(row: MailMessage) -> list[str]:
    return [encryption.decrypt(sealed) for sealed in _SEALED_LINK.findall(row.body)]


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
    if address is None:  # SMTP_URL was removed since: keep it in the outbox, link dropped
        row.transport, row.state, row.body = "outbox", "kept", shown_body(row)
        db.session.commit()
        return row.state
    _attempt(row, address, retry=True)
    return row.state


def _attempt(row: MailMessage, address: tuple[str, int], retry: bool) -> None:
    row.attempt_count += 1
    try:
        _smtp_send(address, row)
    except SecretUnreadable as error:
        row.state, row.last_error = "failed", _unsendable(error)
    except MailUnavailable as error:
        row.last_error = error.message
        if not retry or row.attempt_count >= MAX_ATTEMPTS:
            row.state = "failed"
    else:
        # Sent for good: the link is no longer needed here, not even sealed.
        row.state, row.sent_at, row.last_error = "sent", utcnow(), None
        row.body = shown_body(row)
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
    message.set_content(_body_to_send(row))
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
    _refuse_dead_link(row)
    row.state, row.attempt_count = "queued", 0
    db.session.commit()
    _queue(row, address)
    return row


def reseal_links() -> int:
    """Seal the links of mails still to be sent (queued or failed) under the current
    SECRET_KEY, for `flask portal rotate-secrets`; returns how many mails changed.

    A link no configured key opens is left as it is: that mail can never go out again (it
    failed saying so), and it must not stop the rotation of everything else."""
    waiting = select(MailMessage).where(
        MailMessage.state.in_(("queued", "failed")), MailMessage.body.contains("[sealed link ")
    )
    changed = 0
    for row in db.session.scalars(waiting):
        try:
            resealed = _SEALED_LINK.sub(_sealed_under_current_key, row.body)
        except SecretUnreadable:
            continue
        if resealed != row.body:
            row.body = resealed
            changed += 1
    db.session.commit()
    return changed


def _sealed_under_current_key(sealed: re.Match) -> str:
    if encryption.is_current(sealed.group(1)):
        return sealed.group(0)
    return f"[sealed link {encryption.encrypt(encryption.decrypt(sealed.group(1)))}]"


def _refuse_dead_link(row: MailMessage) -> None:
    """A mail is sent again with the same link, which is the organization's one active setup
    link; if it no longer opens the portal, sending it would let nobody in."""
    try:
        links = _sealed_links(row)
    except SecretUnreadable as error:
        raise Conflict(_unsendable(error), code="mail_link_unusable") from error
    if not all(portal_links.still_opens(link) for link in links):
        raise Conflict(
            "The setup link in this mail was revoked, used or has expired, so sending it again "
            "would let nobody in. Invite the IT admin again from the organization's page.",
            code="mail_link_unusable",
        )


def _unsendable(error: SecretUnreadable) -> str:
    return (
        f"The setup link in this mail cannot be opened ({error}). "
        "Invite the IT admin again from the organization's page."
    )


def _unreachable(address: tuple[str, int], error: Exception) -> str:
    return (
        f"The mail server at {address[0]}:{address[1]} did not accept the message ({error}). "
        "Check SMTP_URL and that the server is running."
    )


def list_messages(page: PageRequest) -> Page:
    """Mail sent or kept, newest first."""
    return paginate(select(MailMessage), MailMessage.id, page)


def setup_invitation(organization_name: str, expires_on: str) -> tuple[str, str]:
    """Subject and body of the mail that hands an IT admin their setup link (which `send`
    puts in place of LINK_PLACEHOLDER)."""
    app_name = credentials.environment().app_name or "Your vendor"
    subject = f"{app_name}: set up single sign-on for {organization_name}"
    body = (
        f"Hello,\n\n{app_name} invites you to connect {organization_name}'s identity provider.\n"
        "Open this link to start; it works for one browser and until "
        f"{expires_on}:\n\n{LINK_PLACEHOLDER}\n\n"
        "If you did not expect this mail, you can ignore it.\n"
    )
    return subject, body
