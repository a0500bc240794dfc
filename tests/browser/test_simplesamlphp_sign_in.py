"""A person signs in through SimpleSAMLphp, a second IdP independent of pysaml2, in Chromium:
portal posts a signed AuthnRequest (HTTP-POST binding; SimpleSAMLphp checks the signature
against the certificate in our metadata), the person types their password at the IdP, and the
assertion comes back encrypted to our SP encryption certificate, which portal requires."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import ConnectionSession
from portal.services.account import credentials
from portal.services.sso import connections, sp_certificates
from portal.services.sso.connections import ConnectionSettings
from tests.browser.evidence import screenshot
from tests.factories import WITH_VERIFIED_DOMAIN
from tests.peers import simplesamlphp
from tests.peers.simplesamlphp import SimpleSamlPhp

pytestmark = WITH_VERIFIED_DOMAIN


@pytest.fixture(scope="module")
def ssp(tmp_path_factory):
    if not simplesamlphp.available():
        pytest.fail("SimpleSAMLphp is missing; .ci/ensure-tools installs it", pytrace=False)
    server = SimpleSamlPhp(tmp_path_factory.mktemp("simplesamlphp"))
    yield server
    server.stop()


@pytest.fixture
def strict_connection(app, org, ssp, portal):
    connection = connections.create_connection(
        org.id,
        ConnectionSettings(
            connection_type="GenericSAML",
            attribute_map={
                "standard_attributes": {
                    "email": "email",
                    "first_name": "firstName",
                    "last_name": "lastName",
                }
            },
            saml={
                "idp_entity_id": simplesamlphp.ENTITY_ID,
                "idp_sso_url": ssp.sso_url,
                "idp_signing_certs": [ssp.certificate],
            },
        ),
    )
    sp_certificates.set_options(
        connection,
        {
            "sign_requests": True,
            "request_binding": "HTTP-POST",
            "require_encrypted_assertions": True,
        },
    )
    metadata = app.test_client().get(f"/sso/saml/{connection.id}/metadata")
    ssp.trust_service_provider(metadata.data)
    return connection


def test_a_signed_posted_request_and_an_encrypted_answer_sign_jane_in(
    app, csp_page, portal, host_apps, ssp, strict_connection, workos, monkeypatch
):
    page = csp_page  # our CSP enforced: its form-action must let the request go to the IdP
    _, server = portal
    callback = f"{host_apps[0].url}/callback"
    monkeypatch.setitem(app.config, "PORTAL_REDIRECT_URIS", [callback])
    page.goto(_authorize_url(server, strict_connection, callback, state="ssp-state"))
    # portal's form page posts itself on to SimpleSAMLphp, which asks for the password.
    page.get_by_label("Username").fill(simplesamlphp.USER)
    page.get_by_label("Password").fill(simplesamlphp.PASSWORD)
    screenshot(page, "simplesamlphp-login")
    page.get_by_role("button", name="Login").click()
    page.wait_for_url(f"{callback}?*", timeout=20_000)
    params = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
    assert params.get("state") == "ssp-state", params
    assert "code" in params, (params, ssp.log()[-2000:])
    profile = workos.sso.get_profile_and_token(code=params["code"]).profile
    assert (profile.email, profile.first_name) == ("jane@acme.test", "Jane")

    attempt = db.session.scalars(select(ConnectionSession)).one()
    assert "ds:Signature" in attempt.request_payload  # the request SimpleSAMLphp accepted
    assert attempt.check_results["encryption"] == "passed"


def test_the_post_page_works_without_javascript(
    browser, portal, app, strict_connection, host_apps, monkeypatch
):
    _, server = portal
    callback = f"{host_apps[0].url}/callback"
    monkeypatch.setitem(app.config, "PORTAL_REDIRECT_URIS", [callback])
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(_authorize_url(server, strict_connection, callback))
        button = page.get_by_role("button", name="Continue to sign in")
        expect(button).to_be_visible()
        button.click()
        expect(page.get_by_label("Username")).to_be_visible()
    finally:
        context.close()


def test_simplesamlphp_refuses_an_unsigned_request(
    app, page, portal, host_apps, ssp, strict_connection, monkeypatch
):
    # The check above is real: the same IdP turns away the request once it is not signed.
    _, server = portal
    strict_connection.saml_sign_requests = False
    db.session.commit()
    callback = f"{host_apps[0].url}/callback"
    monkeypatch.setitem(app.config, "PORTAL_REDIRECT_URIS", [callback])
    page.goto(_authorize_url(server, strict_connection, callback))
    expect(page.get_by_text("but no signature found on message", exact=False)).to_be_visible()
    expect(page.get_by_label("Password")).to_have_count(0)
    screenshot(page, "simplesamlphp-unsigned-request")


def _authorize_url(server, connection, callback: str, **extra) -> str:
    """Where the host app sends the person: /sso/authorize for this connection."""
    client_id = credentials.environment().client_id
    query = {"client_id": client_id, "redirect_uri": callback, "connection": connection.id}
    return f"{server.url}/sso/authorize?{urlencode({**query, **extra})}"
