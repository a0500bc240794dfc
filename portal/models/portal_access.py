"""Magic links handed to an IT admin, and the browser sessions they open."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.columns import UTCDateTime, created_at_column, id_column
from portal.models.organization import Organization


class PortalLink(db.Model):
    """A magic link: `api` links last 5 minutes, `setup` links 30 days. Token stored hashed."""

    __tablename__ = "portal_links"

    id: Mapped[str] = id_column("portal_link")
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    intents: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    intent_options: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    return_url: Mapped[str | None] = mapped_column(Text)
    success_url: Mapped[str | None] = mapped_column(Text)
    external_user_id: Mapped[str | None] = mapped_column(String(255), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship()


class PortalSession(db.Model):
    """An IT admin's browser session, bound to one organization and the link's intents."""

    __tablename__ = "portal_sessions"

    id: Mapped[str] = id_column("portal_session")
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    portal_link_id: Mapped[str] = mapped_column(
        ForeignKey("portal_links.id", ondelete="CASCADE"), nullable=False, index=True
    )
    intents: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    external_user_id: Mapped[str | None] = mapped_column(String(255), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship()
    link: Mapped[PortalLink] = relationship()
