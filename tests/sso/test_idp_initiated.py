"""IdP-initiated sign-in: off by default and refused in plain words; once the IT admin (or the
developer through the API) turns it on, a real IdP's unsolicited response is accepted once,
held to every other check, and lands on a registered redirect URI with a one-time code."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import ConnectionSession, SignInGrant
from portal.services.account import sign_in_redirects
from portal.services.sso import connections
from portal.services.sso.connections import ConnectionSettings
from tests.factories import make_organization, make_saml_connection
from tests.sso.sign_in_flow import REDIRECT_URI, redirect_params

OTHER_URI = "https://app.example.com/sso/deep"


def _unsolicited(saml, idp, **overrides):
    values = {"sp_entity_id": saml.entity_id, "destination": saml.acs_url, **overrides}
    return idp.respond(in_response_to=None, **values)


def _post(saml, response, relay_state=None):
    data = {"SAMLResponse": response}
    if relay_state is not None:
        data["RelayState"] = relay_state
    return saml.client.post(urlsplit(saml.acs_url).path, data=data)


def _turn_on(saml, admin_client):
    admin = admin_client("sso", organization=saml.connection.organization)
    assert admin.post("/admin/sso/idp-initiated", data={"enabled": "yes"}).status_code == 302
    db.session.refresh(saml.connection)
    assert saml.connection.allow_idp_initiated
    return admin


def _attempt() -> ConnectionSession:
    return db.session.scalars(select(ConnectionSession).order_by(ConnectionSession.id)).all()[-1]


def test_off_by_default_it_is_refused_saying_why_and_how_to_turn_it_on(saml, idp):
    assert not saml.connection.allow_idp_initiated
    page = _post(saml, _unsolicited(saml, idp))
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "login CSRF" in text and "Single sign-on page" in text
    assert "idp_initiated_enabled" in text
    recorded = _attempt()
    assert (recorded.error_code, recorded.idp_initiated) == ("unsolicited_response", True)
    assert "login CSRF" in recorded.explanation
    assert db.session.scalars(select(SignInGrant)).all() == []


def test_turned_on_by_the_it_admin_it_signs_in_once(saml, idp, admin_client):
    admin = _turn_on(saml, admin_client)
    response = _unsolicited(saml, idp)
    params = redirect_params(_post(saml, response))
    assert set(params) == {"code"}  # no state: the app started nothing
    profile = saml.token(params["code"]).get_json()["profile"]
    assert profile["email"] == "jane@acme.test"
    replay = redirect_params(_post(saml, response))
    assert replay["error"] == "replayed_assertion"
    assert len(db.session.scalars(select(SignInGrant)).all()) == 1
    accepted = db.session.scalars(
        select(ConnectionSession).where(ConnectionSession.state == "succeeded")
    ).one()
    assert accepted.idp_initiated
    assert "started by the IdP" in admin.get("/admin/sso").get_data(as_text=True)
    detail = admin.get(f"/admin/sso/sessions/{accepted.id}").get_data(as_text=True)
    assert "IdP-initiated" in detail
    assert "Started by the IdP, which this connection allows" in detail


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"sp_entity_id": "https://other-sp.example.test"}, "wrong_audience"),
        ({"destination": "https://portal.test/somewhere-else"}, "wrong_destination"),
        ({"sign_response": False, "sign_assertion": False}, "unsigned_response"),
        ({"sha1": True}, "sha1_rejected"),
    ],
)
def test_turned_on_it_is_held_to_every_other_check(saml, idp, admin_client, overrides, code):
    _turn_on(saml, admin_client)
    params = redirect_params(_post(saml, _unsolicited(saml, idp, **overrides)))
    assert params["error"] == code
    assert db.session.scalars(select(SignInGrant)).all() == []
    assert (_attempt().error_code, _attempt().idp_initiated) == (code, True)


def test_a_response_signed_by_another_key_is_refused_though_it_is_on(
    saml, idp, other_key_idp, admin_client
):
    _turn_on(saml, admin_client)
    other_key_idp.trust_service_provider(*idp.sp_metadata_files)
    params = redirect_params(_post(saml, _unsolicited(saml, other_key_idp)))
    assert params["error"] == "bad_signature"


def test_the_default_redirect_uri_is_the_first_of_the_dashboards_list(saml, idp):
    saml.connection.allow_idp_initiated = True
    sign_in_redirects.update(f"{OTHER_URI}\n{REDIRECT_URI}")
    location = _post(saml, _unsolicited(saml, idp)).headers["Location"]
    assert location.startswith(f"{OTHER_URI}?code=")


@pytest.mark.parametrize(
    ("relay_state", "lands_on"),
    [
        (OTHER_URI, OTHER_URI),  # a registered URI: the IdP's deep link is followed
        ("https://evil.example/steal", REDIRECT_URI),  # never an open redirect
        ("/dashboard", REDIRECT_URI),
    ],
)
def test_relay_state_is_followed_only_to_a_registered_redirect_uri(
    saml, idp, app, relay_state, lands_on
):
    saml.connection.allow_idp_initiated = True
    app.config["PORTAL_REDIRECT_URIS"] = [REDIRECT_URI, OTHER_URI]
    db.session.commit()
    location = _post(saml, _unsolicited(saml, idp), relay_state).headers["Location"]
    assert location.split("?")[0] == lands_on
    assert set(parse_qs(urlsplit(location).query)) == {"code"}


def test_without_any_redirect_uri_it_is_refused_saying_where_to_add_one(saml, idp, app):
    saml.connection.allow_idp_initiated = True
    app.config["PORTAL_REDIRECT_URIS"] = []
    db.session.commit()
    page = _post(saml, _unsolicited(saml, idp))
    assert page.status_code == 400
    assert "Settings → Redirects" in page.get_data(as_text=True)
    assert _attempt().error_code == "no_default_redirect_uri"


def test_the_it_admin_turns_it_off_again(saml, idp, admin_client):
    admin = _turn_on(saml, admin_client)
    assert "Turn off" in admin.get("/admin/sso").get_data(as_text=True)
    admin.post("/admin/sso/idp-initiated", data={"enabled": "no"})
    db.session.refresh(saml.connection)
    assert not saml.connection.allow_idp_initiated
    assert _post(saml, _unsolicited(saml, idp)).status_code == 400


def test_the_developer_sets_it_through_the_connections_api(saml, idp, client):
    headers = {"Authorization": f"Bearer {saml.api_key}"}
    url = f"/connections/{saml.connection.id}"
    on = client.patch(url, json={"saml_options": {"idp_initiated_enabled": True}}, headers=headers)
    assert on.status_code == 200, on.get_json()
    assert "code" in redirect_params(_post(saml, _unsolicited(saml, idp)))
    off = {"saml_options": {"idp_initiated_enabled": False}}
    assert client.patch(url, json=off, headers=headers).status_code == 200
    assert _post(saml, _unsolicited(saml, idp)).status_code == 400
    wrong = client.patch(
        url, json={"saml_options": {"idp_initiated_enabled": "yes"}}, headers=headers
    )
    assert wrong.status_code == 422


def test_an_it_admin_of_another_organization_cannot_turn_it_on_here(saml, idp, admin_client):
    globex = make_organization("Globex")
    theirs = make_saml_connection(globex, idp)
    admin = admin_client("sso", organization=globex)
    assert admin.post("/admin/sso/idp-initiated", data={"enabled": "yes"}).status_code == 302
    db.session.refresh(theirs)
    db.session.refresh(saml.connection)
    assert theirs.allow_idp_initiated
    assert not saml.connection.allow_idp_initiated
    assert _post(saml, _unsolicited(saml, idp)).status_code == 400


def test_an_oidc_connection_refuses_the_saml_only_switch(saml, client):
    oidc = connections.create_connection(
        saml.connection.organization_id, ConnectionSettings(connection_type="GenericOIDC")
    )
    answer = client.patch(
        f"/connections/{oidc.id}",
        json={"saml_options": {"idp_initiated_enabled": True}},
        headers={"Authorization": f"Bearer {saml.api_key}"},
    )
    assert answer.status_code == 422
    assert "OIDC type" in answer.get_json()["message"]
    db.session.refresh(oidc)
    assert not oidc.allow_idp_initiated


def test_the_developer_sets_it_in_the_dashboard(saml, idp, dashboard_client):
    org_id = saml.connection.organization_id
    url = f"/dashboard/organizations/{org_id}/connections/{saml.connection.id}/idp-initiated"
    turned = dashboard_client.post(url, data={"enabled": "yes"}, follow_redirects=True)
    assert "now accepts sign-ins started from the identity provider" in turned.get_data(
        as_text=True
    )
    assert "code" in redirect_params(_post(saml, _unsolicited(saml, idp)))
    dashboard_client.post(url, data={"enabled": "no"})
    assert _post(saml, _unsolicited(saml, idp)).status_code == 400
