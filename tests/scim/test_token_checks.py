"""A busy IdP's requests skip the token lookup: a process trusts a directory's token it has
checked for PORTAL_CREDENTIAL_CACHE_SECONDS. A token rotated, or a directory changed, in this
process holds at once; done by another process, within that bound."""

import time
from functools import partial

import pytest
from sqlalchemy import update

from portal.extensions import db
from portal.models import Directory
from portal.services.directory import directories
from portal.services.infra import secret_tokens
from tests.factories import make_directory
from tests.scim.scim_client import ScimClient, user_body
from tests.statements import statements_of

BOUND = 0.5  # PORTAL_CREDENTIAL_CACHE_SECONDS in these tests


@pytest.fixture
def app_config():
    return {"PORTAL_CREDENTIAL_CACHE_SECONDS": BOUND}


@pytest.fixture
def directory(org):
    return make_directory(org)


def test_a_known_token_costs_no_read_of_the_directory(app, directory):
    scim = ScimClient(app, directory[0].id, directory[1])
    assert scim.post("/Users", user_body("ann@acme.test")).status_code == 201  # links it
    assert scim.get("/Users").status_code == 200
    db.session.remove()
    statements = statements_of(partial(scim.post, "/Users", user_body("bob@acme.test")))
    assert not [s for s, _ in statements if "FROM directories" in s], statements


def test_a_token_rotated_in_this_process_stops_at_once(app, directory):
    row, token = directory
    scim = ScimClient(app, row.id, token)
    assert scim.get("/Users").status_code == 200
    new_token = directories.rotate_token(db.session.get(Directory, row.id))
    assert scim.get("/Users").status_code == 401
    assert ScimClient(app, row.id, new_token).get("/Users").status_code == 200


def test_a_token_rotated_elsewhere_stops_within_the_bound(app, directory):
    row, token = directory
    scim = ScimClient(app, row.id, token)
    assert scim.get("/Users").status_code == 200
    # Another process rotates it: the row changes under this one, which flushed nothing.
    db.session.execute(
        update(Directory.__table__)
        .where(Directory.id == row.id)
        .values(token_hash=secret_tokens.digest("scim_elsewhere"))
    )
    db.session.commit()
    rotated_at = time.monotonic()
    while scim.get("/Users").status_code == 200:
        assert time.monotonic() - rotated_at < BOUND + 0.5, "still accepted past the bound"
        time.sleep(0.05)


def test_a_token_is_never_trusted_for_another_directory(app, org, directory):
    other, _ = make_directory(org, "azure scim v2.0")
    assert ScimClient(app, directory[0].id, directory[1]).get("/Users").status_code == 200
    assert ScimClient(app, other.id, directory[1]).get("/Users").status_code == 401
