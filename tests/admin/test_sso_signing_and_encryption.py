"""The IT admin's signing and encryption settings: request options, our SP certificates to
upload at the IdP (copy, download), a rotation with its next certificate, and a test sign-in
that goes by a signed HTTP-POST request and comes back encrypted (a real pysaml2 IdP)."""

import base64
import html
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Connection, SpKeyPair
from tests.admin.sso_flows import set_up_saml
from tests.factories import WITH_VERIFIED_DOMAIN
from tests.peers.saml_idp import IDP_SSO_URL, SigningIdp


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    return SigningIdp(tmp_path_factory.mktemp("portal-idp"))


def _options(admin, **form):
    return admin.post("/admin/sso/request-options", data={"binding": "HTTP-Redirect", **form})


def _pairs(use: str) -> list[SpKeyPair]:
    db.session.expire_all()
    return db.session.scalars(select(SpKeyPair).where(SpKeyPair.use == use)).all()


def test_an_adfs_setup_opens_the_certificates_and_says_when_they_are_needed(
    app, admin_client, org, idp, tmp_path
):
    admin = admin_client("sso")
    set_up_saml(admin, idp, tmp_path, app, connection_type="ADFSSAML")
    page = admin.get("/admin/sso").get_data(as_text=True)
    assert 'id="sp-security-step" open' in page
    assert "AD FS reads it from the SP metadata and encrypts every assertion" in page
    assert "Create the encryption certificate" in page


def test_okta_keeps_the_section_closed_and_optional(app, admin_client, org, idp, tmp_path):
    admin = admin_client("sso")
    set_up_saml(admin, idp, tmp_path, app)
    page = admin.get("/admin/sso").get_data(as_text=True)
    assert 'id="sp-security-step" >' in page and "Signing and encryption (optional)" in page


def test_turning_options_on_makes_the_certificates_to_copy_and_download(
    app, admin_client, org, idp, tmp_path
):
    admin = admin_client("sso")
    connection, _ = set_up_saml(admin, idp, tmp_path, app)
    saved = _options(admin, sign_requests="on", binding="HTTP-POST", require_encrypted="on")
    assert saved.status_code == 302, saved.get_data(as_text=True)
    db.session.expire_all()
    connection = db.session.get(Connection, connection.id)
    assert connection.saml_sign_requests and connection.saml_require_encrypted_assertions
    assert connection.saml_request_binding == "post"
    [signing], [encryption] = _pairs("signing"), _pairs("encryption")
    page = admin.get("/admin/sso").get_data(as_text=True)
    for pair in (signing, encryption):
        assert html.escape(pair.certificate.splitlines()[1]) in page
        assert f'data-copy="sp-pem-{pair.id}"' in page
        download = admin.get(f"/admin/sso/sp-certificates/{pair.id}")
        assert download.status_code == 200
        assert download.get_data(as_text=True) == pair.certificate
        assert "attachment" in download.headers["Content-Disposition"]
    assert "PRIVATE KEY" not in page


def test_a_bad_binding_is_refused_in_plain_words(app, admin_client, org, idp, tmp_path):
    admin = admin_client("sso")
    set_up_saml(admin, idp, tmp_path, app)
    refused = _options(admin, binding="carrier-pigeon")
    assert refused.status_code == 422
    assert "Choose how requests are sent" in refused.get_data(as_text=True)
    switched = admin.post("/admin/sso/sp-certificates/promote", data={"use": "signing"})
    assert switched.status_code == 409
    assert "no next signing certificate to switch to" in switched.get_data(as_text=True)


def test_a_rotation_adds_the_next_certificate_then_switches_to_it(
    app, admin_client, org, idp, tmp_path
):
    admin = admin_client("sso")
    connection, _ = set_up_saml(admin, idp, tmp_path, app)
    assert (
        admin.post("/admin/sso/sp-certificates/add", data={"use": "encryption"}).status_code == 302
    )
    first_id = _pairs("encryption")[0].id
    assert (
        admin.post("/admin/sso/sp-certificates/add", data={"use": "encryption"}).status_code == 302
    )
    following = next(p for p in _pairs("encryption") if p.status == "next")
    page = admin.get("/admin/sso").get_data(as_text=True)
    assert "Switch to the next encryption certificate" in page
    metadata = admin.get(f"/sso/saml/{connection.id}/metadata").get_data(as_text=True)
    assert following.certificate.splitlines()[1] in metadata
    promoted = admin.post("/admin/sso/sp-certificates/promote", data={"use": "encryption"})
    assert promoted.status_code == 302
    assert [(p.id, p.status) for p in _pairs("encryption")] == [(following.id, "active")]
    assert admin.get(f"/admin/sso/sp-certificates/{first_id}").status_code == 404


@WITH_VERIFIED_DOMAIN
def test_a_test_sign_in_posts_a_signed_request_and_reads_an_encrypted_answer(
    app, admin_client, org, idp, tmp_path
):
    admin = admin_client("sso")
    connection, base = set_up_saml(admin, idp, tmp_path, app)
    _options(admin, sign_requests="on", binding="HTTP-POST", require_encrypted="on")
    sp_file = tmp_path / "sp-signed.xml"
    sp_file.write_bytes(admin.get(f"/sso/saml/{connection.id}/metadata").data)
    idp.trust_service_provider(sp_file, require_signed_requests=True)

    started = admin.post("/admin/sso/sign-in-tests")
    assert started.status_code == 200 and started.headers["Cache-Control"] == "no-store"
    body = started.get_data(as_text=True)
    assert (
        f'action="{IDP_SSO_URL}"' in body
        and "form-action 'self' https://idp.example.test"
        in (started.headers["Content-Security-Policy"])
    )
    saml_request = html.unescape(re.search(r'name="SAMLRequest" value="([^"]+)"', body).group(1))
    assert b"Signature" in base64.b64decode(saml_request)
    [encryption] = _pairs("encryption")
    saml_response = idp.respond(
        sp_entity_id=base,
        destination=f"{base}/acs",
        in_response_to=idp.posted_request_id(saml_request),
        encrypt_to=encryption.certificate,
    )
    finished = admin.post(urlsplit(f"{base}/acs").path, data={"SAMLResponse": saml_response})
    result = admin.get(urlsplit(finished.headers["Location"]).path).get_data(as_text=True)
    assert "Test sign-in succeeded for jane@acme.test" in result
    assert "Encrypted to our certificate when required, and decrypted" in result
