from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Organization


def test_timestamps_come_back_as_aware_utc(app):
    org = Organization(name="Acme")
    db.session.add(org)
    db.session.commit()
    db.session.expire_all()
    loaded = db.session.scalars(select(Organization)).one()
    assert loaded.created_at.tzinfo is not None
    assert loaded.created_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - loaded.created_at) < timedelta(minutes=1)


def test_naive_datetimes_are_refused(app):
    org = Organization(name="Acme", created_at=datetime(2026, 1, 1))
    db.session.add(org)
    with pytest.raises(Exception, match="naive datetime"):
        db.session.commit()
    db.session.rollback()
