"""SAML sign-in end to end with a real IdP: authorize → IdP → ACS → code → token → profile."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import ConnectionSession, Event, OrganizationDomain
from portal.services.account import credentials
from portal.services.onboarding import portal_links
from tests.sso.sign_in_flow import redirect_params


def _sign_in(saml, idp, **respond):
    start = saml.authorize()
    assert start.status_code == 302
    request_id = idp.request_id(start.headers["Location"])
    saml_response = idp.respond(
        sp_entity_id=saml.entity_id,
        destination=saml.acs_url,
        in_response_to=request_id,
        **respond,
    )
    return saml.post_response(saml_response)


def test_a_signed_response_yields_a_profile(saml, idp):
    params = redirect_params(_sign_in(saml, idp))
    assert params["state"] == "s1"
    token = saml.token(params["code"])
    assert token.status_code == 200, token.get_json()
    body = token.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600
    profile = body["profile"]
    assert profile["email"] == "jane@acme.test"
    assert (profile["first_name"], profile["last_name"]) == ("Jane", "Doe")
    assert profile["groups"] == ["Engineering", "Admins"]
    assert profile["connection_id"] == saml.connection.id
    assert profile["connection_type"] == "OktaSAML"
    assert profile["raw_attributes"]["urn:oid:2.5.4.42"] == "Jane"
    me = saml.client.get(
        "/sso/profile", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.get_json() == profile


def test_the_first_success_activates_a_validating_connection(saml, idp):
    assert saml.connection.state == "validating"
    _sign_in(saml, idp)
    db.session.refresh(saml.connection)
    assert saml.connection.state == "active"
    assert "connection.activated" in db.session.scalars(select(Event.event)).all()


def test_every_attempt_is_recorded_with_request_and_response(saml, idp):
    _sign_in(saml, idp)
    session = db.session.scalars(select(ConnectionSession)).one()
    assert session.state == "succeeded"
    assert "AuthnRequest" in session.request_payload
    assert "Assertion" in session.response_payload
    assert session.profile["email"] == "jane@acme.test"


def test_a_code_works_once(saml, idp):
    code = redirect_params(_sign_in(saml, idp))["code"]
    assert saml.token(code).status_code == 200
    again = saml.token(code)
    assert again.status_code == 400
    assert again.get_json()["error"] == "invalid_grant"


def test_only_the_assertion_signed_is_enough(saml, idp):
    params = redirect_params(_sign_in(saml, idp, sign_response=False))
    assert "code" in params


def test_only_the_response_signed_is_enough(saml, idp):
    params = redirect_params(_sign_in(saml, idp, sign_assertion=False))
    assert "code" in params


def test_without_a_verified_domain_the_connection_stays_validating(saml, idp):
    db.session.execute(db.update(OrganizationDomain).values(state="pending"))
    db.session.commit()
    params = redirect_params(_sign_in(saml, idp))
    assert "code" in params
    db.session.refresh(saml.connection)
    assert saml.connection.state == "validating"


def test_authorize_refuses_an_unlisted_redirect_uri_with_a_page(saml):
    response = saml.authorize(redirect_uri="https://evil.example/steal")
    assert response.status_code == 400
    assert "redirect_uri is not on the allowed list" in response.get_data(as_text=True)


def test_authorize_reports_a_missing_connection_on_the_redirect_uri(saml):
    params = redirect_params(saml.authorize(connection="conn_01M00000000000000000000000"))
    assert params["error"] == "entity_not_found"
    assert params["state"] == "s1"


def test_authorize_by_organization_finds_its_connection(saml, idp):
    start = saml.client.get(
        "/sso/authorize",
        query_string={
            "client_id": credentials.environment().client_id,
            "redirect_uri": "https://app.example.com/callback",
            "organization": saml.connection.organization_id,
        },
    )
    assert start.status_code == 302
    assert start.headers["Location"].startswith("https://idp.example.test/sso?SAMLRequest=")


def test_an_active_connection_completes_a_setup_link_for_sso(saml, idp):
    link, _ = portal_links.create_setup_link(saml.connection.organization_id, ["sso"])
    _sign_in(saml, idp)
    db.session.refresh(link)
    assert link.revoked_at is not None


def test_the_token_call_may_send_its_api_key_as_its_bearer_token(saml, idp):
    code = redirect_params(_sign_in(saml, idp))["code"]
    body = {"client_id": credentials.environment().client_id, "code": code}
    refused = saml.client.post("/sso/token", json=body)
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_client"
    bearer = {"Authorization": f"Bearer {saml.api_key}"}
    token = saml.client.post("/sso/token", json=body, headers=bearer)
    assert token.status_code == 200, token.get_json()
    assert token.get_json()["profile"]["email"] == "jane@acme.test"
