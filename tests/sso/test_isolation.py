"""Two organizations' sign-ins never cross: on every SSO route, what belongs to A's
connection opens nothing of B's.

A and B trust different IdPs (real pysaml2 IdPs with their own keys), or one real OIDC
provider with two connections. Every SSO rule is listed with the test that crosses it, so a
new route fails `test_every_sso_route_is_crossed` until it has one.
"""

from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import ConnectionSession, SignInGrant
from portal.services.sso import connections
from portal.services.sso.connections import ConnectionSettings
from tests.factories import make_api_key, make_organization, make_saml_connection
from tests.peers.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider
from tests.peers.saml_idp import SigningIdp
from tests.sso.sign_in_flow import REDIRECT_URI, SamlSetup, redirect_params
from tests.url_map import rules_of

CROSSED_BY = {
    "sso.authorize": "test_authorize_refuses_a_connection_of_a_with_the_organization_of_b",
    "sso.saml_acs": "test_as_acs_refuses_a_response_signed_by_bs_idp",
    "sso.saml_metadata": "test_as_metadata_shows_nothing_of_b",
    "sso.oidc_callback": "test_as_callback_refuses_the_answer_to_bs_sign_in",
    "sso.token": "test_a_code_yields_only_the_profile_of_its_own_sign_in",
    "sso.profile": "test_a_code_yields_only_the_profile_of_its_own_sign_in",
}


@pytest.fixture(scope="module")
def bravo_idp(idp_folder):
    return SigningIdp(idp_folder, key_name="bravo-idp")


@pytest.fixture
def app_config():
    return {"PORTAL_REDIRECT_URIS": [REDIRECT_URI], "PORTAL_OUTBOUND_ALLOW_PRIVATE": True}


@pytest.fixture
def pair(app, client, idp, bravo_idp, tmp_path):
    """(A, B): each organization's SAML connection, A's trusting `idp`, B's `bravo_idp`."""
    api_key = make_api_key()
    setups, metadata_files = [], []
    for name, peer in (("Alpha", idp), ("Bravo", bravo_idp)):
        org = make_organization(f"{name} Org", domains=[(f"{name.lower()}.test", "verified")])
        connection = make_saml_connection(org, peer)
        metadata_files.append(tmp_path / f"{name}.xml")
        metadata_files[-1].write_bytes(client.get(f"/sso/saml/{connection.id}/metadata").data)
        base = f"{app.config['PORTAL_PUBLIC_URL']}/sso/saml/{connection.id}"
        setups.append(SamlSetup(connection, base, f"{base}/acs", client, api_key))
    for peer in (idp, bravo_idp):
        peer.trust_service_provider(*metadata_files)
    return setups


def _signed_in(setup: SamlSetup, peer: SigningIdp, email: str):
    """The redirect back to the app after `peer` answers `setup`'s own request."""
    request_id = peer.request_id(setup.authorize().headers["Location"])
    response = peer.respond(
        sp_entity_id=setup.entity_id,
        destination=setup.acs_url,
        in_response_to=request_id,
        email=email,
    )
    return setup.post_response(response)


def test_every_sso_route_is_crossed(app):
    assert {rule.endpoint for rule in rules_of(app, "sso")} == CROSSED_BY.keys()
    assert set(CROSSED_BY.values()) <= set(globals())


def test_authorize_refuses_a_connection_of_a_with_the_organization_of_b(pair):
    a, b = pair
    params = redirect_params(a.authorize(organization=b.connection.organization_id))
    assert params["error"] == "invalid_request", params
    assert params["state"] == "s1"
    assert b.connection.id not in params["error_description"]
    assert db.session.scalars(select(ConnectionSession)).all() == []


def test_authorize_with_a_connection_and_its_own_organization_starts(pair, idp):
    a, _ = pair
    start = a.authorize(organization=a.connection.organization_id)
    assert start.status_code == 302
    assert idp.request_id(start.headers["Location"])
    assert db.session.scalars(select(ConnectionSession.connection_id)).all() == [a.connection.id]


def test_as_acs_refuses_a_response_signed_by_bs_idp(pair, idp, bravo_idp):
    a, _ = pair
    request_id = idp.request_id(a.authorize().headers["Location"])
    forged = bravo_idp.respond(
        sp_entity_id=a.entity_id, destination=a.acs_url, in_response_to=request_id
    )
    params = redirect_params(a.post_response(forged))
    assert params["error"] == "bad_signature"
    assert "code" not in params
    assert db.session.scalars(select(SignInGrant)).all() == []


def test_as_metadata_shows_nothing_of_b(pair, bravo_idp):
    a, b = pair
    metadata = a.client.get(f"/sso/saml/{a.connection.id}/metadata").get_data(as_text=True)
    assert a.connection.id in metadata
    assert b.connection.id not in metadata
    b_certificate_body = "".join(bravo_idp.certificate.splitlines()[1:-1])
    assert b_certificate_body[:64] not in metadata.replace("\n", "")


def test_a_code_yields_only_the_profile_of_its_own_sign_in(pair, idp, bravo_idp):
    a, b = pair
    a_code = redirect_params(_signed_in(a, idp, "ann@alpha.test"))["code"]
    b_code = redirect_params(_signed_in(b, bravo_idp, "bob@bravo.test"))["code"]
    for setup, code, email in ((a, a_code, "ann@alpha.test"), (b, b_code, "bob@bravo.test")):
        answer = setup.token(code).get_json()
        profile = answer["profile"]
        assert (profile["email"], profile["connection_id"]) == (email, setup.connection.id)
        assert profile["organization_id"] == setup.connection.organization_id
        bearer = {"Authorization": f"Bearer {answer['access_token']}"}
        assert a.client.get("/sso/profile", headers=bearer).get_json() == profile
    spent = a.token(a_code)
    assert spent.status_code == 400 and spent.get_json()["error"] == "invalid_grant"


@pytest.fixture(scope="module")
def provider():
    provider = OidcProvider({"sub": "00u9", "email": "bob@bravo.test"})
    yield provider
    provider.stop()


def _oidc_connection(name: str, provider: OidcProvider):
    org = make_organization(f"{name} Org", domains=[(f"{name.lower()}.test", "verified")])
    settings = ConnectionSettings(
        connection_type="GenericOIDC",
        oidc={
            "discovery_endpoint": provider.discovery_url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    return connections.create_connection(org.id, settings)


def test_as_callback_refuses_the_answer_to_bs_sign_in(app, client, provider):
    a_connection = _oidc_connection("Alpha", provider)
    b = SamlSetup(_oidc_connection("Bravo", provider), "", "", client, make_api_key())
    at_provider = httpx.get(b.authorize().headers["Location"], follow_redirects=False)
    answer = urlsplit(at_provider.headers["location"])
    assert answer.path == f"/sso/oidc/{b.connection.id}/callback"

    refused = client.get(f"/sso/oidc/{a_connection.id}/callback?{answer.query}")
    assert refused.status_code == 400
    assert db.session.scalars(select(SignInGrant)).all() == []
    b_attempts = select(ConnectionSession.state).where(
        ConnectionSession.connection_id == b.connection.id
    )
    assert db.session.scalars(b_attempts).all() == ["started"]

    code = redirect_params(client.get(f"{answer.path}?{answer.query}"))["code"]
    profile = b.token(code).get_json()["profile"]
    assert profile["connection_id"] == b.connection.id
