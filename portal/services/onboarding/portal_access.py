"""Opening a magic link into a portal session, and keeping that session honest.

A link is redeemed once: the first browser gets a session cookie bound to the link's
organization and intents; any other browser presenting the same link is refused.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from portal.errors import LinkRefused, TokenExpired, TokenInvalid
from portal.extensions import db
from portal.models import PortalLink, PortalSession
from portal.models.columns import utcnow
from portal.services.infra import secret_tokens
from portal.services.onboarding import link_tokens

# Expired links and sessions stay a while so "this link expired" can still be explained.
EXPIRED_RETENTION = timedelta(days=30)
SESSION_IDLE_TIMEOUT = timedelta(hours=1)
SESSION_MAX_AGE = timedelta(hours=12)
# The signature's own limit is a backstop; each row's expires_at is the real rule.
TOKEN_MAX_AGE_SECONDS = 31 * 24 * 3600


@dataclass
class Redemption:
    session: PortalSession
    cookie_token: str | None  # None when the browser already holds this link's session


def redeem(token: str, current_session: PortalSession | None) -> Redemption:
    """Exchange a link token for a portal session, or raise LinkRefused saying why."""
    try:
        link_id = link_tokens.read(token, TOKEN_MAX_AGE_SECONDS)
    except TokenExpired:
        raise LinkRefused("expired") from None
    except TokenInvalid:
        raise LinkRefused("garbled") from None
    link = db.session.get(PortalLink, link_id)
    if link is None or not secret_tokens.matches(token, link.token_hash):
        raise LinkRefused("unknown")
    if current_session is not None and current_session.portal_link_id == link.id:
        return Redemption(current_session, None)  # the same browser opening its link again
    now = utcnow()
    if link.revoked_at is not None:
        raise LinkRefused("revoked", link)
    if link.expires_at <= now:
        raise LinkRefused("expired", link)
    if link.used_at is not None or not _claim(link, now):
        raise LinkRefused("used", link)
    return _open_session(link, now)


def _claim(link: PortalLink, now: datetime) -> bool:
    """Mark the link used; False when another request claimed it first."""
    result = db.session.execute(
        update(PortalLink)
        .where(PortalLink.id == link.id, PortalLink.used_at.is_(None))
        .values(used_at=now)
    )
    return result.rowcount == 1


def _open_session(link: PortalLink, now: datetime) -> Redemption:
    cookie_token = secrets.token_urlsafe(32)
    session = PortalSession(
        organization_id=link.organization_id,
        portal_link_id=link.id,
        intents=list(link.intents),
        external_user_id=link.external_user_id,
        token_hash=secret_tokens.digest(cookie_token),
        expires_at=min(now + SESSION_IDLE_TIMEOUT, link_session_deadline(now)),
        last_seen_at=now,
    )
    db.session.add(session)
    db.session.commit()
    return Redemption(session, cookie_token)


def link_session_deadline(opened_at: datetime) -> datetime:
    return opened_at + SESSION_MAX_AGE


def session_for_cookie(cookie_token: str | None) -> PortalSession | None:
    """The live session this cookie belongs to (its idle timer restarted), or None."""
    if not cookie_token:
        return None
    session = db.session.scalars(
        select(PortalSession)
        .where(PortalSession.token_hash == secret_tokens.digest(cookie_token))
        # Every page reads both: one query rather than three.
        .options(joinedload(PortalSession.link), joinedload(PortalSession.organization))
    ).first()
    now = utcnow()
    if session is None or session.revoked_at is not None or session.expires_at <= now:
        return None
    if session.link.revoked_at is not None:
        return None
    _keep_alive(session, now)
    return session


def _keep_alive(session: PortalSession, now: datetime) -> None:
    # One write a minute at most; the idle timer restarts, the 12-hour limit does not move.
    if session.last_seen_at and now - session.last_seen_at < timedelta(minutes=1):
        return
    session.last_seen_at = now
    session.expires_at = min(now + SESSION_IDLE_TIMEOUT, link_session_deadline(session.created_at))
    db.session.commit()


def end_session(session: PortalSession) -> None:
    session.revoked_at = utcnow()
    db.session.commit()


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
