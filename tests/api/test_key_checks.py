"""API reads cost one statement once a process knows the key: the key is trusted for a few
seconds per process (PORTAL_CREDENTIAL_CACHE_SECONDS), a revocation holds at once in the
process that made it and within that bound in every other."""

import time
from functools import partial

import pytest
from sqlalchemy import update

from portal.extensions import db
from portal.models import ApiKey
from portal.models.columns import utcnow
from portal.services.account import credentials
from tests.factories import make_organization
from tests.statements import statements_of

BOUND = 0.5  # PORTAL_CREDENTIAL_CACHE_SECONDS in these tests


@pytest.fixture
def app_config():
    return {"PORTAL_CREDENTIAL_CACHE_SECONDS": BOUND}


def test_reading_an_organization_is_one_statement_with_its_domains(app, api):
    org = make_organization("Acme", domains=["acme.test", "acme.example"])
    read = partial(api.get, f"/organizations/{org.id}")
    assert read().status_code == 200  # the process has checked the key
    db.session.remove()  # a request starts with a session of its own, as under a server
    statements = statements_of(read)
    assert len(statements) == 1, [statement for statement, _ in statements]
    domains = {domain["domain"] for domain in read().get_json()["domains"]}
    assert domains == {"acme.test", "acme.example"}


def test_a_key_revoked_in_this_process_stops_at_once(app, client):
    key, secret = credentials.create_api_key("billing")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/organizations", headers=headers).status_code == 200
    credentials.revoke_api_key(key.id)
    assert client.get("/organizations", headers=headers).status_code == 401


def test_a_key_revoked_elsewhere_stops_within_the_bound(app, client):
    key, secret = credentials.create_api_key("billing")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/organizations", headers=headers).status_code == 200
    # Another process revokes it: the row changes under this one, which flushed nothing.
    db.session.execute(
        update(ApiKey.__table__).where(ApiKey.id == key.id).values(revoked_at=utcnow())
    )
    db.session.commit()
    revoked_at = time.monotonic()
    while client.get("/organizations", headers=headers).status_code == 200:
        assert time.monotonic() - revoked_at < BOUND + 0.5, "still accepted past the bound"
        time.sleep(0.05)


def test_a_key_is_never_trusted_for_a_secret_that_did_not_match(app, client, api_key):
    for _ in range(2):  # a failed check is not kept: each wrong secret is looked up again
        response = client.get("/organizations", headers={"Authorization": "Bearer sk_wrong"})
        assert response.status_code == 401
    headers = {"Authorization": f"Bearer {api_key}x"}
    assert client.get("/organizations", headers=headers).status_code == 401


def test_last_use_is_still_recorded_with_checks_kept(app, api, api_key):
    assert api.get("/organizations").status_code == 200
    key = credentials.authenticate_api_key(api_key)
    assert key.last_used_at is not None
    listed = {k.id: k for k in credentials.list_api_keys()}
    assert listed[key.id].last_used_at is not None
