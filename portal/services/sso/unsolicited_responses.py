"""The hourly budget of unsolicited SSO responses a connection's sign-in history records.

Anyone can post to an ACS URL or call an OIDC callback. A failed response that answers no
sign-in portal started (IdP-initiated, forged, stale, unreadable) is recorded only while the
connection's budget for the hour lasts (`PORTAL_UNSOLICITED_RESPONSES_PER_HOUR`); past it,
it is only counted, and the IT admin's sign-ins table says how many were not recorded.
Sign-ins portal started, and IdP-initiated sign-ins that succeed, are always recorded.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db
from portal.models import UnsolicitedResponseCount as Count
from portal.models.columns import utcnow

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
# Counts past this age serve nothing: the table shows this hour's.
KEPT = timedelta(days=1)


def admit(connection_id: str) -> bool:
    """Count one failed unsolicited response; True while this hour's budget lasts (record it),
    False past it (counted as not recorded). The caller's commit keeps the count."""
    budget = current_app.config["PORTAL_UNSOLICITED_RESPONSES_PER_HOUR"]
    insert = _INSERTS[db.session.get_bind().dialect.name]
    # One statement, so concurrent responses each get their own number.
    counted = (
        insert(Count)
        .values(
            connection_id=connection_id,
            hour=_hour_of(utcnow()),
            received=1,
            not_recorded=0 if budget >= 1 else 1,
        )
        .on_conflict_do_update(
            index_elements=[Count.connection_id, Count.hour],
            set_={
                "received": Count.received + 1,
                "not_recorded": Count.not_recorded + case((Count.received >= budget, 1), else_=0),
            },
        )
        .returning(Count.received)
    )
    return db.session.execute(counted).scalar_one() <= budget


def not_recorded_this_hour(connection_id: str) -> int:
    """How many unsolicited responses of this connection went unrecorded this hour."""
    hour = _hour_of(utcnow())
    found = db.session.scalar(
        select(Count.not_recorded).where(Count.connection_id == connection_id, Count.hour == hour)
    )
    return found or 0


def purge_old_counts(now: datetime) -> int:
    """Delete the counts of hours long past (the caller commits); returns how many."""
    return db.session.execute(delete(Count).where(Count.hour < now - KEPT)).rowcount


def _hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)
