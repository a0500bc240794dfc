"""The SSO section's setup steps: provider choice, its walk-through, and the IdP side three ways,
each refusal in words an IT admin can act on."""

import re
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.idp_guides import SSO_GUIDES, sso_guide_for
from portal.models import Connection
from portal.services.sso.connections import OIDC_TYPES, SAML_TYPES
from tests.admin.sso_flows import StaticServer, error_of, idp_metadata
from tests.peers.saml_idp import IDP_ENTITY_ID, IDP_SSO_URL, make_key_pair


@pytest.fixture(scope="module")
def idp_cert(tmp_path_factory):
    return make_key_pair(tmp_path_factory.mktemp("idp-cert"), "idp")[2]


@pytest.fixture
def app_config():
    return {"PORTAL_OUTBOUND_ALLOW_PRIVATE": True}


@pytest.fixture
def admin(admin_client):
    return admin_client("sso")


@pytest.fixture
def okta(admin, org):
    assert admin.post("/admin/sso/provider", data={"type": "OktaSAML"}).status_code == 302
    return admin


def _connection(org) -> Connection:
    db.session.expire_all()
    return db.session.scalars(
        db.select(Connection).where(Connection.organization_id == org.id)
    ).one()


def test_every_provider_has_a_walk_through():
    names = {guide.connection_type for guide in SSO_GUIDES}
    assert names == set(SAML_TYPES + OIDC_TYPES)
    for guide in SSO_GUIDES:
        assert len(guide.steps) >= 4, guide.name
        assert guide.idp_values_hint, guide.name
        if guide.protocol == "saml":
            text = " ".join(guide.steps)
            assert "ACS URL" in text and "SP entity ID" in text, guide.name
            sent = {name.lower().rsplit("/", 1)[-1] for name, _ in guide.attributes}
            assert sent & {"email", "emailaddress"} and "groups" in sent, guide.name
        else:
            assert "redirect URI" in " ".join(guide.steps)
    assert sso_guide_for("SomethingElseOIDC").connection_type == "GenericOIDC"


def test_the_page_offers_every_provider_first(admin):
    page = admin.get("/admin/sso").get_data(as_text=True)
    for guide in SSO_GUIDES:
        assert f'value="{guide.connection_type}"' in page
    assert "Which identity provider do you use?" in page


def test_choosing_a_provider_creates_a_draft_and_shows_its_walk_through(okta, org, app):
    connection = _connection(org)
    assert (connection.connection_type, connection.state) == ("OktaSAML", "draft")
    page = okta.get("/admin/sso").get_data(as_text=True)
    base = f"{app.config['PORTAL_PUBLIC_URL']}/sso/saml/{connection.id}"
    assert f'<code id="sp-acs-url">{base}/acs</code>' in page
    assert f'<code id="sp-entity-id">{base}</code>' in page
    assert 'data-copy="sp-acs-url"' in page and 'data-copy="sp-entity-id"' in page
    assert f'href="/sso/saml/{connection.id}/metadata"' in page
    assert "Audience URI (SP Entity ID)" in page and "user.firstName" in page
    assert "<code>OktaSAML</code>" in page
    # one connection per organization: choosing again keeps it
    okta.post("/admin/sso/provider", data={"type": "AzureSAML"})
    assert _connection(org).id == connection.id


def test_an_unknown_provider_is_refused(admin):
    response = admin.post("/admin/sso/provider", data={"type": "Nope"})
    assert response.status_code == 422
    assert error_of(response) == "Choose your identity provider from the list."


def test_manual_values_make_the_connection_ready_to_test(okta, org, idp_cert):
    response = okta.post(
        "/admin/sso/idp/manual",
        data={"entity_id": IDP_ENTITY_ID, "sso_url": IDP_SSO_URL, "certificate": idp_cert},
    )
    assert response.status_code == 302
    connection = _connection(org)
    assert connection.state == "validating"
    assert connection.saml_idp_sso_url == IDP_SSO_URL
    page = okta.get("/admin/sso").get_data(as_text=True)
    assert "CN=idp" in page and "SHA-256 fingerprint" in page
    assert "Test sign-in" in page and 'target="_blank"' in page


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        ({"entity_id": ""}, "Enter the IdP entity ID (also called Issuer"),
        ({"sso_url": "idp.example.test/sso"}, "The sign-on URL must be a full"),
        ({"certificate": "hello"}, "This is not an X.509"),
        ({"certificate": " "}, "Paste the IdP's signing"),
    ],
)
def test_manual_values_are_checked(okta, idp_cert, wrong, message):
    data = {"entity_id": "x", "sso_url": IDP_SSO_URL, "certificate": idp_cert, **wrong}
    response = okta.post("/admin/sso/idp/manual", data=data)
    assert response.status_code == 422
    assert error_of(response).startswith(message)
    assert response.get_data(as_text=True).count('aria-invalid="true"') == 1


def test_every_wrong_manual_value_is_marked_at_once_and_nothing_is_saved(okta, org):
    response = okta.post(
        "/admin/sso/idp/manual",
        data={"entity_id": " ", "sso_url": "idp.example.test/sso", "certificate": "hello"},
    )
    assert response.status_code == 422
    assert error_of(response) == "Nothing was saved: fix the 3 fields marked below."
    page = response.get_data(as_text=True)
    for field, message in [
        ("entity_id", "Enter the IdP entity ID"),
        ("sso_url", "The sign-on URL must be a full"),
        ("certificate", "This is not an X.509"),
    ]:
        assert f'aria-invalid="true" aria-describedby="{field}-error"' in page
        assert re.search(rf'id="{field}-error">{re.escape(message)}', page), field
    assert 'value="idp.example.test/sso"' in page  # what was typed stays, to be corrected
    assert _connection(org).saml_idp_entity_id is None


def test_an_expired_certificate_says_when_it_expired(okta, tmp_path, monkeypatch):
    from portal.services.sso import sso_setup

    pem = make_key_pair(tmp_path, "old", days_valid=3)[2]
    later = sso_setup.utcnow() + timedelta(days=10)
    monkeypatch.setattr(sso_setup, "utcnow", lambda: later)
    response = okta.post(
        "/admin/sso/idp/manual",
        data={"entity_id": "x", "sso_url": IDP_SSO_URL, "certificate": pem},
    )
    assert response.status_code == 422
    expiry = (later - timedelta(days=7)).strftime("%Y-%m-%d")
    assert error_of(response).startswith(f"This certificate expired on {expiry}.")


def test_a_certificate_expiring_soon_is_flagged(okta, tmp_path):
    pem = make_key_pair(tmp_path, "soon", days_valid=10)[2]
    okta.post(
        "/admin/sso/idp/manual",
        data={"entity_id": "x", "sso_url": IDP_SSO_URL, "certificate": pem},
    )
    assert "This certificate expires in 9 days" in okta.get("/admin/sso").get_data(as_text=True)


def test_pasted_metadata_sets_the_idp(okta, org, idp_cert):
    response = okta.post("/admin/sso/idp/metadata", data={"metadata_xml": idp_metadata(idp_cert)})
    assert response.status_code == 302
    connection = _connection(org)
    assert (connection.saml_idp_entity_id, connection.state) == (IDP_ENTITY_ID, "validating")


def test_uploaded_metadata_sets_the_idp(okta, org, idp_cert):
    from io import BytesIO

    upload = (BytesIO(idp_metadata(idp_cert).encode()), "okta.xml")
    response = okta.post(
        "/admin/sso/idp/metadata",
        data={"metadata_file": upload},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert _connection(org).saml_idp_sso_url == IDP_SSO_URL


SP_METADATA = (
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="sp">'
    '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>'
    "</md:EntityDescriptor>"
)


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ("", "Paste the metadata XML or choose its file."),
        ("<html><body>Sign in</body></html>", "This is a web page (HTML), not metadata XML."),
        ("<a><b></a>", "This is not well-formed XML"),
        (
            '<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>',
            "This XML contains a DTD or entity declaration",
        ),
        ("<Response/>", "This XML is not SAML metadata (it starts with <Response>"),
        (SP_METADATA, "This is SP metadata, not IdP metadata"),
    ],
)
def test_unusable_metadata_is_explained(okta, xml, message):
    response = okta.post("/admin/sso/idp/metadata", data={"metadata_xml": xml})
    assert response.status_code == 422
    assert error_of(response).startswith(message)


def test_metadata_without_a_redirect_sign_on_url_is_explained(okta, idp_cert):
    xml = idp_metadata(idp_cert).replace("HTTP-Redirect", "HTTP-POST")
    response = okta.post("/admin/sso/idp/metadata", data={"metadata_xml": xml})
    assert "names no sign-on URL for the HTTP-Redirect binding" in error_of(response)


def test_metadata_with_an_expired_certificate_is_explained(okta, tmp_path, monkeypatch):
    from portal.services.sso import sso_setup

    pem = make_key_pair(tmp_path, "old", days_valid=3)[2]
    later = sso_setup.utcnow() + timedelta(days=10)
    monkeypatch.setattr(sso_setup, "utcnow", lambda: later)
    response = okta.post("/admin/sso/idp/metadata", data={"metadata_xml": idp_metadata(pem)})
    assert error_of(response).startswith("The metadata's signing certificate expired on")


@pytest.fixture
def metadata_server(idp_cert):
    server = StaticServer(
        {
            "/metadata": (200, "application/samlmetadata+xml", idp_metadata(idp_cert)),
            "/login": (200, "text/html", "<!doctype html><title>Sign in</title>"),
            "/gone": (404, "text/plain", "not here"),
            "/huge": (200, "application/xml", "<x>" + "a" * (1024 * 1024 + 10) + "</x>"),
        }
    )
    yield server
    server.stop()


def test_a_metadata_url_is_fetched_and_kept(okta, org, metadata_server):
    url = f"{metadata_server.url}/metadata"
    assert okta.post("/admin/sso/idp/metadata-url", data={"metadata_url": url}).status_code == 302
    connection = _connection(org)
    assert (connection.saml_idp_metadata_url, connection.state) == (url, "validating")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/login", "The URL returned HTML, not XML"),
        ("/gone", "The URL answered HTTP 404 instead of the metadata."),
        ("/huge", "The document at this URL is larger than 1 MB."),
    ],
)
def test_metadata_url_problems_are_explained(okta, metadata_server, path, message):
    response = okta.post(
        "/admin/sso/idp/metadata-url", data={"metadata_url": metadata_server.url + path}
    )
    assert response.status_code == 422
    assert error_of(response).startswith(message)


def test_private_metadata_urls_are_refused_outside_tests(okta, app):
    app.config["PORTAL_OUTBOUND_ALLOW_PRIVATE"] = False
    response = okta.post(
        "/admin/sso/idp/metadata-url", data={"metadata_url": "http://127.0.0.1:1/metadata"}
    )
    assert error_of(response).startswith("We could not fetch the metadata URL: The host")
    assert "loopback" in error_of(response)


def test_oidc_shows_the_redirect_uri_and_takes_client_credentials(admin, org, app):
    from tests.peers.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider

    admin.post("/admin/sso/provider", data={"type": "OktaOIDC"})
    connection = _connection(org)
    page = admin.get("/admin/sso").get_data(as_text=True)
    callback = f"{app.config['PORTAL_PUBLIC_URL']}/sso/oidc/{connection.id}/callback"
    assert f'<code id="sp-redirect-uri">{callback}</code>' in page
    provider = OidcProvider({"sub": "1", "email": "a@acme.test"})
    try:
        missing = admin.post(
            "/admin/sso/idp/oidc",
            data={"discovery_url": provider.discovery_url, "client_id": "", "client_secret": "s"},
        )
        assert error_of(missing) == "Enter the client ID."
        wrong = admin.post(
            "/admin/sso/idp/oidc",
            data={
                "discovery_url": provider.discovery_url + "x",
                "client_id": "c",
                "client_secret": "s",
            },
        )
        assert error_of(wrong).startswith("We could not read the discovery document at this URL")
        saved = admin.post(
            "/admin/sso/idp/oidc",
            data={
                "discovery_url": provider.discovery_url,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            },
        )
        assert saved.status_code == 302
    finally:
        provider.stop()
    connection = _connection(org)
    assert (connection.oidc_client_id, connection.state) == (CLIENT_ID, "validating")
    assert CLIENT_SECRET not in admin.get("/admin/sso").get_data(as_text=True)


def test_saml_forms_refuse_an_oidc_connection(admin):
    admin.post("/admin/sso/provider", data={"type": "GenericOIDC"})
    response = admin.post("/admin/sso/idp/manual", data={"entity_id": "x"})
    assert error_of(response) == "This connection uses OpenID Connect; enter the OIDC settings."


def test_idp_forms_need_a_provider_first(admin):
    response = admin.post("/admin/sso/idp/manual", data={"entity_id": "x"})
    assert response.status_code == 404
    assert "Choose your identity provider first." in response.get_data(as_text=True)


def test_every_form_carries_a_csrf_token(okta):
    page = okta.get("/admin/sso").get_data(as_text=True)
    assert page.count("<form") == page.count('name="csrf_token"')
    assert "<script" not in page.split("</head>")[1] and "style=" not in page


def test_reset_needs_confirmation_then_starts_again(okta, org):
    refused = okta.post("/admin/sso/reset", data={})
    assert refused.status_code == 422
    assert error_of(refused) == "Tick the box to confirm that the connection is deleted."
    assert okta.post("/admin/sso/reset", data={"confirm": "yes"}).status_code == 302
    assert db.session.scalars(db.select(Connection)).all() == []
    assert "Which identity provider do you use?" in okta.get("/admin/sso").get_data(as_text=True)


def test_every_missing_oidc_value_is_marked_at_once(admin, org):
    admin.post("/admin/sso/provider", data={"type": "OktaOIDC"})
    response = admin.post(
        "/admin/sso/idp/oidc", data={"discovery_url": " ", "client_id": "", "client_secret": ""}
    )
    assert response.status_code == 422
    assert error_of(response) == "Nothing was saved: fix the 3 fields marked below."
    page = response.get_data(as_text=True)
    for field in ("discovery_url", "client_id", "client_secret"):
        assert f'aria-invalid="true" aria-describedby="{field}-error"' in page
    assert _connection(org).oidc_client_id is None
