"""Magic links and portal sessions: their lifetime and clean-up."""

from datetime import datetime, timedelta

from sqlalchemy import delete

from portal.extensions import db
from portal.models import PortalLink, PortalSession
from portal.models.columns import utcnow

# Expired links and sessions stay a while so "this link expired" can still be explained.
EXPIRED_RETENTION = timedelta(days=30)


def purge_expired(now: datetime | None = None) -> int:
    """Delete links and sessions that expired before the retention window; returns the count."""
    cutoff = (now or utcnow()) - EXPIRED_RETENTION
    sessions = db.session.execute(delete(PortalSession).where(PortalSession.expires_at < cutoff))
    links = db.session.execute(
        delete(PortalLink).where(
            PortalLink.expires_at < cutoff,
            ~PortalLink.id.in_(db.select(PortalSession.portal_link_id)),
        )
    )
    db.session.commit()
    return sessions.rowcount + links.rowcount
