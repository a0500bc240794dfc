"""Editing the IdP settings of a live connection: saved aside, live only after a passing test."""

from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Connection, ConnectionSession
from tests.admin.sso_flows import (
    APP_CALLBACK,
    error_of,
    idp_url_of,
    live_connection,
    real_sign_in,
    rolling_idps,
    run_test_sign_in,
    set_up_saml,
    sign_in_status,
)
from tests.factories import WITH_VERIFIED_DOMAIN, make_organization
from tests.peers import oidc_provider as oidc_peer
from tests.peers.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider
from tests.peers.saml_idp import IDP_ENTITY_ID, IDP_SSO_URL

pytestmark = WITH_VERIFIED_DOMAIN


@pytest.fixture
def app_config():
    return {"PORTAL_REDIRECT_URIS": [APP_CALLBACK]}


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return rolling_idps(tmp_path_factory.mktemp("pending-idp"))


@pytest.fixture
def live(app, admin_client, org, keys, tmp_path):
    """An IT admin managing a live connection: (admin, connection, SAML base URL)."""
    admin = admin_client("sso")
    return admin, *live_connection(admin, keys, tmp_path, app)


def _save_new_certificate(admin, pem):
    return admin.post(
        "/admin/sso/idp/manual",
        data={"entity_id": IDP_ENTITY_ID, "sso_url": IDP_SSO_URL, "certificate": pem},
    )


def _live_certificates(connection):
    db.session.expire_all()
    return [c.value for c in db.session.get(Connection, connection.id).certificates]


def test_saved_edits_wait_and_real_sign_ins_keep_the_live_settings(app, live, keys):
    admin, connection, base = live
    old, new = keys
    assert _save_new_certificate(admin, new.certificate).status_code == 302
    page = admin.get("/admin/sso").get_data(as_text=True)
    assert "New settings waiting for a test" in page and "Discard the new settings" in page
    assert _live_certificates(connection) == [old.certificate]

    person = app.test_client()
    assert "code" in real_sign_in(person, connection, old, base)
    refused = real_sign_in(person, connection, new, base)
    assert refused["error"] == "bad_signature"


def test_a_failing_test_keeps_the_live_settings_and_says_what_to_fix(live, keys):
    admin, connection, base = live
    old, new = keys
    _save_new_certificate(admin, new.certificate)
    run_test_sign_in(admin, old, base)  # the IdP still signs with the old key
    body = sign_in_status(admin).get_data(as_text=True)
    assert "Test sign-in failed" in body and "<code>bad_signature</code>" in body
    assert "Your new settings were not applied" in body
    assert "upload the current one" in body  # what to fix
    assert _live_certificates(connection) == [old.certificate]
    db.session.expire_all()
    assert db.session.get(Connection, connection.id).pending_idp is not None


def test_a_passing_test_makes_the_new_settings_live(app, live, keys):
    admin, connection, base = live
    old, new = keys
    _save_new_certificate(admin, new.certificate)
    run_test_sign_in(admin, new, base)
    body = sign_in_status(admin).get_data(as_text=True)
    assert "Your new identity provider settings passed and are now live." in body
    assert _live_certificates(connection) == [new.certificate]
    live_connection = db.session.get(Connection, connection.id)
    assert live_connection.pending_idp is None and live_connection.state == "active"
    assert "New settings waiting" not in admin.get("/admin/sso").get_data(as_text=True)

    person = app.test_client()
    assert "code" in real_sign_in(person, connection, new, base)
    assert real_sign_in(person, connection, old, base)["error"] == "bad_signature"


def test_discarding_forgets_the_new_settings(live, keys):
    admin, connection, _ = live
    _save_new_certificate(admin, keys[1].certificate)
    assert admin.post("/admin/sso/idp/pending/discard").status_code == 302
    db.session.expire_all()
    assert db.session.get(Connection, connection.id).pending_idp is None
    assert _live_certificates(connection) == [keys[0].certificate]
    again = admin.post("/admin/sso/idp/pending/discard")
    assert again.status_code == 404
    assert error_of(again) == "There are no new settings waiting for a test."


def test_during_setup_edits_apply_at_once(app, admin_client, org, keys, tmp_path):
    admin = admin_client("sso")
    connection, _ = set_up_saml(admin, keys[0], tmp_path, app)
    _save_new_certificate(admin, keys[1].certificate)
    assert _live_certificates(connection) == [keys[1].certificate]
    assert db.session.get(Connection, connection.id).pending_idp is None


def test_another_organization_cannot_discard(admin_client, live, keys):
    admin, connection, _ = live
    _save_new_certificate(admin, keys[1].certificate)
    other = make_organization("Other Org", domains=["other.test"])
    intruder = admin_client("sso", organization=other)
    assert intruder.post("/admin/sso/idp/pending/discard").status_code == 404
    db.session.expire_all()
    assert db.session.get(Connection, connection.id).pending_idp is not None
    assert db.session.scalars(select(ConnectionSession)).first() is not None


@pytest.fixture
def oidc_provider():
    provider = OidcProvider(
        {"sub": "00u9", "email": "jane@acme.test", "given_name": "Jane", "family_name": "Doe"}
    )
    yield provider
    provider.stop()


def test_oidc_client_changes_wait_for_a_passing_test(
    app, admin_client, org, oidc_provider, monkeypatch
):
    app.config["PORTAL_OUTBOUND_ALLOW_PRIVATE"] = True
    admin = admin_client("sso")
    admin.post("/admin/sso/provider", data={"type": "GenericOIDC"})
    oidc = {"discovery_url": oidc_provider.discovery_url, "client_id": CLIENT_ID}
    admin.post("/admin/sso/idp/oidc", data={**oidc, "client_secret": CLIENT_SECRET})
    _oidc_test(admin)
    connection = db.session.scalars(select(Connection)).one()
    assert connection.state == "active"

    page = admin.get("/admin/sso").get_data(as_text=True)
    assert f'value="{oidc_provider.discovery_url}"' in page and f'value="{CLIENT_ID}"' in page
    # A wrong secret saved in management: the test fails, the live secret keeps working.
    admin.post("/admin/sso/idp/oidc", data={**oidc, "client_secret": "wrong"})
    _oidc_test(admin)
    failed = sign_in_status(admin).get_data(as_text=True)
    assert "<code>token_request_failed</code>" in failed
    assert "Check the client ID, the client secret" in failed
    assert "Your new settings were not applied" in failed
    db.session.expire_all()
    connection = db.session.get(Connection, connection.id)
    assert connection.oidc_client_secret == CLIENT_SECRET and connection.pending_idp

    # The right secret saved again: the test passes and it becomes the live one.
    admin.post("/admin/sso/idp/oidc", data={**oidc, "client_secret": CLIENT_SECRET + "-new"})
    monkeypatch.setattr(oidc_peer, "CLIENT_SECRET", CLIENT_SECRET + "-new")  # rotated there
    _oidc_test(admin)
    assert "are now live" in sign_in_status(admin).get_data(as_text=True)
    db.session.expire_all()
    connection = db.session.get(Connection, connection.id)
    assert connection.oidc_client_secret == CLIENT_SECRET + "-new"
    assert connection.pending_idp is None


def _oidc_test(admin):
    """Test sign-in as the new tab does it: start → provider (signs in at once) → callback."""
    at_provider = httpx.get(
        idp_url_of(admin.post("/admin/sso/sign-in-tests")), follow_redirects=False
    )
    callback = urlsplit(at_provider.headers["location"])
    return admin.get(f"{callback.path}?{callback.query}")
