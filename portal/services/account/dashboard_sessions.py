"""Dashboard sessions kept on the server, so that ending one really ends it.

Each sign-in opens a row; the browser holds a random token inside Flask's signed cookie and
only the token's SHA-256 is stored. A session ends at sign-out, when the user's password is
changed or the user is removed, after PORTAL_DASHBOARD_IDLE_MINUTES without a request, and
PORTAL_DASHBOARD_SESSION_HOURS after sign-in whatever happens.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from portal.errors import DashboardSessionEnded
from portal.extensions import db
from portal.models import DashboardSession, DashboardUser
from portal.models.columns import utcnow
from portal.services.infra import secret_tokens

# Ended sessions stay a while so a stale cookie is told why it no longer works.
ENDED_RETENTION = timedelta(days=30)
# last_seen_at is written at most this often per session: a dashboard page fires several
# requests (page, htmx fragments, polling), and a write for each would turn every read into a
# write (SQLite takes its one write lock). The idle timeout is an hour; a minute is noise.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def idle_timeout() -> timedelta:
    return timedelta(minutes=current_app.config["PORTAL_DASHBOARD_IDLE_MINUTES"])


def lifetime() -> timedelta:
    return timedelta(hours=current_app.config["PORTAL_DASHBOARD_SESSION_HOURS"])


def open_session(user: DashboardUser) -> str:
    """Start a session for a user who just signed in; returns the token for the cookie."""
    token = secret_tokens.new_secret("dsess")
    now = utcnow()
    db.session.add(
        DashboardSession(
            user_id=user.id,
            token_hash=secret_tokens.digest(token),
            created_at=now,
            last_seen_at=now,
        )
    )
    db.session.commit()
    return token


def resume(token: str | None) -> DashboardSession | None:
    """The live session this token belongs to, its idle timer restarted; None for no or an
    unknown token; DashboardSessionEnded (with the reason) for a session that is over."""
    found = _find(token)
    if found is None:
        return None
    now = utcnow()
    if found.ended_at is not None:
        raise DashboardSessionEnded(found.end_reason or "signed_out")
    reason = _expiry_reason(found, now)
    if reason is not None:
        _end(found, reason, now)
        db.session.commit()
        raise DashboardSessionEnded(reason)
    _keep_alive(found, now)
    return found


def _find(token: str | None) -> DashboardSession | None:
    if not token:
        return None
    return db.session.scalars(
        select(DashboardSession).where(DashboardSession.token_hash == secret_tokens.digest(token))
    ).first()


def _expiry_reason(session: DashboardSession, now: datetime) -> str | None:
    if now - session.created_at >= lifetime():
        return "lifetime"
    if now - session.last_seen_at >= idle_timeout():
        return "idle"
    return None


def _keep_alive(session: DashboardSession, now: datetime) -> None:
    if now - session.last_seen_at < LAST_SEEN_RESOLUTION:
        return
    session.last_seen_at = now
    db.session.commit()


def _end(session: DashboardSession, reason: str, now: datetime) -> None:
    session.ended_at = now
    session.end_reason = reason


def sign_out(token: str | None) -> None:
    """End the session this token belongs to (nothing to do without one)."""
    found = _find(token)
    if found is not None and found.ended_at is None:
        _end(found, "signed_out", utcnow())
        db.session.commit()


def end_all_for_user(user_id: str, reason: str) -> int:
    """End every live session of a user (and commit); returns how many were live."""
    result = db.session.execute(
        update(DashboardSession)
        .where(DashboardSession.user_id == user_id, DashboardSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    db.session.commit()
    return result.rowcount


def purge_expired(now: datetime | None = None) -> int:
    """Delete sessions that ended, or must have expired, more than ENDED_RETENTION ago."""
    now = now or utcnow()
    cutoff = now - ENDED_RETENTION
    result = db.session.execute(
        delete(DashboardSession).where(
            or_(
                DashboardSession.ended_at < cutoff,
                # Never seen again after expiring: over by its lifetime at the latest.
                DashboardSession.created_at < cutoff - lifetime(),
            )
        )
    )
    db.session.commit()
    return result.rowcount
