"""How long sign-in attempts and their one-time codes are kept.

An attempt holds the IdP's response (up to 64 KB, with the user's attributes) for the IT
admin's recent sign-ins; a grant holds the profile the app collects with the code. A grant
is of no use once its code and access token have expired, so it goes a day later (the day
lets a late client's call still be answered "expired" rather than "unknown"). An attempt
goes after PORTAL_SIGN_IN_RETENTION_DAYS (90 by default), long after any assertion it saw
has expired, so forgetting its assertion id re-opens no replay. The hourly counts of
unsolicited responses go after a day.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_

from portal.extensions import db
from portal.models import ConnectionSession, SignInGrant
from portal.models.columns import utcnow
from portal.services.infra.ids import lowest_id_at
from portal.services.sso import unsolicited_responses

GRANT_GRACE = timedelta(days=1)


def purge_expired(now: datetime | None = None) -> int:
    """Delete spent grants and attempts past the retention period; returns how many rows."""
    now = now or utcnow()
    spent = now - GRANT_GRACE
    grants = db.session.execute(
        delete(SignInGrant).where(
            SignInGrant.code_expires_at < spent,
            or_(
                SignInGrant.access_token_expires_at.is_(None),
                SignInGrant.access_token_expires_at < spent,
            ),
        )
    )
    cutoff = now - timedelta(days=current_app.config["PORTAL_SIGN_IN_RETENTION_DAYS"])
    # Ids are time-ordered: "started before the cutoff" is a primary-key range.
    oldest_kept = lowest_id_at("conn_session", int(cutoff.timestamp() * 1000))
    attempts = db.session.execute(
        delete(ConnectionSession).where(ConnectionSession.id < oldest_kept)
    )
    counts = unsolicited_responses.purge_old_counts(now)
    db.session.commit()
    return grants.rowcount + attempts.rowcount + counts
