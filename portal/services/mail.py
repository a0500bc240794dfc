"""Mail to IT admins: over SMTP when `SMTP_URL` is set, else kept in the outbox and logged.

Every message, sent or not, is a `MailMessage` row, so the dashboard can show what went out.
"""

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from portal.errors import PortalError
from portal.extensions import db
from portal.models import MailMessage
from portal.services import credentials
from portal.services.pagination import Page, PageRequest, paginate

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 10
DEFAULT_SENDER = "portal@localhost"


class MailUnavailable(PortalError):
    status = 503
    code = "mail_unavailable"


def _smtp_address() -> tuple[str, int] | None:
    url = current_app.config.get("SMTP_URL")
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "smtp" or not parts.hostname:
        raise MailUnavailable(f"SMTP_URL must look like smtp://host:port, not {url!r}.")
    return parts.hostname, parts.port or 25


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


def send(recipient: str, subject: str, body: str, organization_id: str | None = None):
    """Send (or, without SMTP, keep) one plain-text mail; returns its MailMessage row."""
    address = _smtp_address()
    if address is not None:
        message = EmailMessage()
        message["From"] = current_app.config.get("MAIL_SENDER") or DEFAULT_SENDER
        message["To"] = recipient
        message["Subject"] = subject
        message.set_content(body)
        try:
            with smtplib.SMTP(*address, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise MailUnavailable(_unreachable(address, error)) from error
    else:
        log.info(
            "SMTP_URL is not set; mail to %s kept in the outbox:\n%s\n%s", recipient, subject, body
        )
    row = MailMessage(
        organization_id=organization_id,
        recipient=recipient,
        subject=subject,
        body=body,
        transport="smtp" if address else "outbox",
    )
    db.session.add(row)
    db.session.commit()
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
