"""OIDC sign-in end to end against a real provider on loopback, and its refusals."""

from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import ConnectionSession, SignInGrant
from portal.services.sso import connections
from portal.services.sso.connections import ConnectionSettings
from tests.factories import make_api_key, make_organization
from tests.peers.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider
from tests.sso.sign_in_flow import REDIRECT_URI, SamlSetup, pkce_pair, redirect_params

USER = {
    "sub": "00u1",
    "email": "Jane@Acme.test",
    "given_name": "Jane",
    "family_name": "Doe",
    "groups": ["Engineering"],
}


@pytest.fixture(scope="module")
def provider():
    provider = OidcProvider(USER)
    yield provider
    provider.stop()


@pytest.fixture
def app_config():
    return {"PORTAL_REDIRECT_URIS": [REDIRECT_URI], "PORTAL_OUTBOUND_ALLOW_PRIVATE": True}


@pytest.fixture
def oidc(app, client, provider):
    provider.misbehave.clear()
    org = make_organization("Acme", domains=[("acme.test", "verified")])
    connection = connections.create_connection(
        org.id,
        ConnectionSettings(
            connection_type="GenericOIDC",
            oidc={
                "discovery_endpoint": provider.discovery_url,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            },
        ),
    )
    return SamlSetup(connection, "", "", client, make_api_key())


def _sign_in(oidc, provider, **authorize):
    """The browser: authorize → provider (which signs the user in) → our callback."""
    start = oidc.authorize(**authorize)
    assert start.status_code == 302, start.get_data(as_text=True)
    at_provider = httpx.get(start.headers["Location"], follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text
    callback = urlsplit(at_provider.headers["location"])
    return oidc.client.get(f"{callback.path}?{callback.query}")


def test_a_provider_sign_in_yields_a_profile(oidc, provider):
    params = redirect_params(_sign_in(oidc, provider))
    profile = oidc.token(params["code"]).get_json()["profile"]
    assert profile["email"] == "jane@acme.test"
    assert (profile["first_name"], profile["last_name"]) == ("Jane", "Doe")
    assert profile["idp_id"] == "00u1"
    assert profile["connection_type"] == "GenericOIDC"
    db.session.refresh(oidc.connection)
    assert oidc.connection.state == "active"


def test_a_public_client_signs_in_through_oidc_with_pkce(oidc, provider):
    verifier, challenge = pkce_pair()
    params = redirect_params(
        _sign_in(oidc, provider, code_challenge=challenge, code_challenge_method="S256")
    )
    assert oidc.exchange(code=params["code"]).status_code == 401
    answer = oidc.exchange(code=params["code"], code_verifier=verifier)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["profile"]["connection_type"] == "GenericOIDC"


@pytest.mark.parametrize(
    ("misbehave", "code"),
    [
        ({"wrong_key": True}, "bad_signature"),
        ({"issuer": "https://evil.example"}, "wrong_issuer"),
        ({"audience": "someone-else"}, "wrong_audience"),
        ({"nonce": "replayed-nonce"}, "bad_nonce"),
        ({"lifetime": -300}, "token_expired"),
    ],
)
def test_bad_id_tokens_are_refused(oidc, provider, misbehave, code):
    provider.misbehave.update(misbehave)
    params = redirect_params(_sign_in(oidc, provider))
    assert params["error"] == code
    assert db.session.scalars(select(SignInGrant)).all() == []
    session = db.session.scalars(select(ConnectionSession)).one()
    assert (session.state, session.error_code) == ("failed", code)


def test_a_callback_with_an_unknown_state_is_refused(oidc, provider):
    page = oidc.client.get(f"/sso/oidc/{oidc.connection.id}/callback?code=x&state=forged")
    assert page.status_code == 400
    assert "never started" in page.get_data(as_text=True)


def test_a_discovery_url_on_a_private_network_is_refused_outside_tests(oidc, app):
    app.config["PORTAL_OUTBOUND_ALLOW_PRIVATE"] = False
    params = redirect_params(oidc.authorize())
    assert params["error"] == "discovery_failed"
    attempt = db.session.scalars(select(ConnectionSession)).one()
    assert (attempt.state, attempt.error_code) == ("failed", "discovery_failed")
    assert attempt.explanation and attempt.completed_at
