"""A directory of an organization, and an IdP's SCIM client for it."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Event
from tests.factories import make_directory
from tests.scim.scim_client import ScimClient


@pytest.fixture
def directory(org):
    """(directory, bearer token) of an Okta SCIM directory."""
    return make_directory(org, "okta scim v2.0")


@pytest.fixture
def scim(app, directory):
    return ScimClient(app, directory[0].id, directory[1])


@pytest.fixture
def new_events(app):
    """A function returning the events recorded since its last call, as (type, data)."""
    seen: set[str] = set()

    def since_last_call() -> list[tuple[str, dict]]:
        db.session.expire_all()
        rows = db.session.scalars(select(Event).order_by(Event.id)).all()
        fresh = [row for row in rows if row.id not in seen]
        seen.update(row.id for row in fresh)
        return [(row.event, row.data) for row in fresh]

    since_last_call()
    return since_last_call
