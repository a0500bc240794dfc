"""What the dashboard keeps besides users: sent mail (the outbox), failed sign-ins and the
sessions of signed-in users."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.columns import UTCDateTime, created_at_column, id_column
from portal.models.credentials import DashboardUser


class MailMessage(db.Model):
    """A mail portal sends: over SMTP (`transport` "smtp") or, without SMTP, only kept here.

    SMTP mail is sent by a job: `queued` until the server accepts it (`sent`), retried with
    back-off after each refusal (`last_error` says why), `failed` when the attempts run out.
    Outbox-only mail is `kept`.
    """

    __tablename__ = "mail_messages"

    id: Mapped[str] = id_column("mail")
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(320), nullable=False)
    subject: Mapped[str] = mapped_column(String(255), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    transport: Mapped[str] = mapped_column(String(16), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    attempt_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at_column()


class LoginAttempt(db.Model):
    """One failed dashboard sign-in; recent ones per email and address throttle the next."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_email_ip", "email", "ip_address", "created_at"),)

    id: Mapped[str] = id_column("login_attempt")
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    ip_address: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class DashboardSession(db.Model):
    """One dashboard sign-in, live until `ended_at` (signed out, idle, too old, password changed).

    The browser's signed session cookie carries a random token; only its SHA-256 is stored, so
    a copy of the database opens no session.
    """

    __tablename__ = "dashboard_sessions"

    id: Mapped[str] = id_column("dashboard_session")
    user_id: Mapped[str] = mapped_column(
        ForeignKey("dashboard_users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = created_at_column()
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # signed_out, idle, lifetime, password_changed
    end_reason: Mapped[str | None] = mapped_column(String(32))

    user: Mapped[DashboardUser] = relationship()
