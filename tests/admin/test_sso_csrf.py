"""Every form the SSO and certificate pages add carries a CSRF token, and a POST without it
changes nothing."""

import pytest

from portal.extensions import db
from portal.models import Connection
from tests.factories import make_organization, make_saml_connection
from tests.peers.saml_idp import SigningIdp


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def setup(admin_client, tmp_path):
    org = make_organization("Acme Corp", domains=[("acme.test", "verified")])
    connection = make_saml_connection(org, SigningIdp(tmp_path))
    connection.state = "active"
    connection.pending_idp = {"idp_entity_id": "https://new.example.test"}
    db.session.commit()
    return admin_client("sso", "certificate_renewal", organization=org), connection


def test_every_form_carries_the_token(setup):
    client, _ = setup
    for path in ("/admin/sso", "/admin/certificates"):
        page = client.get(path).get_data(as_text=True)
        assert page.count("<form") == page.count('name="csrf_token"'), path


def test_posts_without_the_token_are_refused(setup):
    client, connection = setup
    certificate_id = connection.certificates[0].id
    before = (dict(connection.attribute_map), len(connection.certificates))
    for path in (
        "/admin/sso/attribute-map",
        "/admin/sso/idp/pending/discard",
        "/admin/certificates",
        "/admin/certificates/refresh",
        f"/admin/certificates/{certificate_id}/sign-in-tests",
        f"/admin/certificates/{certificate_id}/retire",
    ):
        response = client.post(path, data={"map_email": "x", "confirm": "yes"})
        assert response.status_code == 400, path
        assert "This form has expired" in response.get_data(as_text=True)
    db.session.expire_all()
    after = db.session.get(Connection, connection.id)
    assert (after.attribute_map, len(after.certificates)) == before
    assert after.pending_idp is not None
