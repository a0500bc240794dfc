"""The certificate_renewal intent with a real IdP (pysaml2) that rolls from an old key to a new."""

from urllib.parse import urlsplit

import pytest

from portal.extensions import db
from portal.models import Connection
from tests.admin.sso_flows import (
    APP_CALLBACK,
    StaticServer,
    error_of,
    idp_metadata,
    live_connection,
    real_sign_in,
    rolling_idps,
    run_test_sign_in,
    sign_in_status,
)
from tests.factories import WITH_VERIFIED_DOMAIN, make_organization
from tests.peers.saml_idp import make_key_pair

pytestmark = WITH_VERIFIED_DOMAIN


@pytest.fixture
def app_config():
    return {"PORTAL_REDIRECT_URIS": [APP_CALLBACK], "PORTAL_OUTBOUND_ALLOW_PRIVATE": True}


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return rolling_idps(tmp_path_factory.mktemp("renewal"))


@pytest.fixture
def renewal(app, admin_client, org, keys, tmp_path):
    """An active connection signed by the old key, and an IT admin with a renewal link."""
    connection, base = live_connection(admin_client("sso"), keys, tmp_path, app)
    return admin_client("certificate_renewal"), connection, base


def _certificates(connection):
    db.session.expire_all()
    return db.session.get(Connection, connection.id).certificates


def _add_new(renewer, keys):
    return renewer.post("/admin/certificates", data={"certificate": keys[1].certificate})


def test_both_certificates_work_during_the_overlap(app, renewal, keys):
    renewer, connection, base = renewal
    old, new = keys
    page = renewer.get("/admin/certificates").get_data(as_text=True)
    assert "Certificates we accept now" in page and "Tested" in page
    assert _add_new(renewer, keys).status_code == 302
    certificates = _certificates(connection)
    assert [c.untested for c in certificates] == [False, True]
    assert "Not tested yet" in renewer.get("/admin/certificates").get_data(as_text=True)
    person = app.test_client()
    assert "code" in real_sign_in(person, connection, old, base)
    assert "code" in real_sign_in(person, connection, new, base)


def _retire(renewer, certificate_id, confirm="yes"):
    return renewer.post(f"/admin/certificates/{certificate_id}/retire", data={"confirm": confirm})


def test_the_old_certificate_stays_until_the_new_one_passed_a_test(renewal, keys):
    renewer, connection, base = renewal
    old = keys[0]
    _add_new(renewer, keys)
    old_id, new_id = (c.id for c in _certificates(connection))
    refused = _retire(renewer, old_id)
    assert refused.status_code == 409
    assert error_of(refused).startswith("Run a test sign-in with the new certificate first.")
    page = renewer.get("/admin/certificates").get_data(as_text=True)
    assert "You can retire this certificate once the new one has passed a test sign-in." in page

    # The IdP still signs with the old key: a test of the new certificate alone fails.
    run_test_sign_in(renewer, old, base, start_path=f"/admin/certificates/{new_id}/sign-in-tests")
    failed = sign_in_status(renewer).get_data(as_text=True)
    assert "<code>bad_signature</code>" in failed and "The new certificate did not pass" in failed
    assert [c.untested for c in _certificates(connection)] == [False, True]
    assert _retire(renewer, old_id).status_code == 409


def test_test_with_the_new_key_then_retire_the_old_one(app, renewal, keys):
    renewer, connection, base = renewal
    old, new = keys
    _add_new(renewer, keys)
    old_id, new_id = (c.id for c in _certificates(connection))
    result = run_test_sign_in(
        renewer, new, base, start_path=f"/admin/certificates/{new_id}/sign-in-tests"
    )
    page = renewer.get(urlsplit(result.headers["Location"]).path).get_data(as_text=True)
    assert "Test sign-in succeeded" in page and "Back to certificates" in page
    passed = sign_in_status(renewer).get_data(as_text=True)
    assert "The new signing certificate works. You can now retire the old one." in passed
    assert [c.untested for c in _certificates(connection)] == [False, False]

    unconfirmed = _retire(renewer, old_id, confirm="")
    assert unconfirmed.status_code == 422
    assert error_of(unconfirmed) == "Tick the box to confirm that this certificate is retired."
    assert _retire(renewer, old_id).status_code == 302
    assert [c.id for c in _certificates(connection)] == [new_id]
    only = _retire(renewer, new_id)
    assert error_of(only).startswith("This is the only signing certificate")

    person = app.test_client()
    assert "code" in real_sign_in(person, connection, new, base)
    assert real_sign_in(person, connection, old, base)["error"] == "bad_signature"


def test_refresh_from_the_metadata_url_adds_only_new_certificates(renewal, keys):
    renewer, connection, _ = renewal
    old, new = keys
    server = StaticServer(
        {"/metadata": (200, "application/samlmetadata+xml", idp_metadata(new.certificate))}
    )
    try:
        no_url = renewer.post("/admin/certificates/refresh")
        assert error_of(no_url).startswith("This connection was set up without a metadata URL.")
        db.session.get(Connection, connection.id).saml_idp_metadata_url = f"{server.url}/metadata"
        db.session.commit()
        assert renewer.post("/admin/certificates/refresh").status_code == 302
        assert [c.value for c in _certificates(connection)] == [old.certificate, new.certificate]
        again = renewer.post("/admin/certificates/refresh")
        assert again.status_code == 422
        assert error_of(again).startswith("The metadata lists no certificate we do not already")
    finally:
        server.stop()


def test_bad_certificates_are_explained(renewal, keys, tmp_path):
    renewer, connection, _ = renewal
    empty = renewer.post("/admin/certificates", data={"certificate": " "})
    assert error_of(empty) == "Paste the new signing certificate (PEM)."
    same = renewer.post("/admin/certificates", data={"certificate": keys[0].certificate})
    assert error_of(same).startswith("This certificate is already on file.")
    expired = make_key_pair(tmp_path, "expired", days_valid=0)[2]
    response = renewer.post("/admin/certificates", data={"certificate": expired})
    assert response.status_code == 422 and error_of(response).startswith(
        "This certificate expired on"
    )
    assert len(_certificates(connection)) == 1


def test_another_organization_cannot_touch_these_certificates(admin_client, renewal, keys):
    renewer, connection, _ = renewal
    _add_new(renewer, keys)
    ids = [c.id for c in _certificates(connection)]
    other = make_organization("Other Org", domains=["other.test"])
    intruder = admin_client("certificate_renewal", organization=other)
    page = intruder.get("/admin/certificates").get_data(as_text=True)
    assert "Single sign-on is not set up yet" in page and ids[0] not in page
    for certificate_id in ids:
        for action in ("retire", "sign-in-tests"):
            response = intruder.post(
                f"/admin/certificates/{certificate_id}/{action}", data={"confirm": "yes"}
            )
            assert response.status_code == 404
    assert len(_certificates(connection)) == 2


def test_an_oidc_connection_has_nothing_to_renew(admin_client, org):
    admin_client("sso").post("/admin/sso/provider", data={"type": "GenericOIDC"})
    renewer = admin_client("certificate_renewal")
    page = renewer.get("/admin/certificates").get_data(as_text=True)
    assert "This connection uses OpenID Connect" in page
    refused = renewer.post("/admin/certificates", data={"certificate": "x"})
    assert refused.status_code == 422
