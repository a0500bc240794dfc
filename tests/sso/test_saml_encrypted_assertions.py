"""Encrypted assertions from a real IdP (pysaml2 encrypting to our SP encryption certificate):
opened with the connection's key, then held to every check a plain assertion is."""

import base64

import pytest
from lxml import etree
from sqlalchemy import select

from portal.extensions import db
from portal.models import ConnectionSession, SignInGrant, SpKeyPair
from portal.services.sso import sp_keys
from tests.peers.saml_idp import make_key_pair
from tests.sso.sign_in_flow import redirect_params

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"


@pytest.fixture
def encryption_certificate(saml) -> str:
    return sp_keys.ensure_active(saml.connection.id, "encryption").certificate


def _request_id(saml, idp) -> str:
    return idp.request_id(saml.authorize().headers["Location"])


def _respond(saml, peer, request_id, **overrides):
    values = {"sp_entity_id": saml.entity_id, "destination": saml.acs_url, **overrides}
    return peer.respond(in_response_to=request_id, **values)


def _refused(saml, saml_response, code) -> ConnectionSession:
    params = redirect_params(saml.post_response(saml_response))
    assert params["error"] == code, params
    assert "code" not in params
    assert db.session.scalars(select(SignInGrant)).all() == []
    failed = db.session.scalars(
        select(ConnectionSession).where(ConnectionSession.state == "failed")
    ).one()
    assert failed.error_code == code
    return failed


@pytest.mark.parametrize("signed", ["response", "assertion", "both"])
def test_an_encrypted_assertion_signs_the_user_in(saml, idp, encryption_certificate, signed):
    response = _respond(
        saml,
        idp,
        _request_id(saml, idp),
        encrypt_to=encryption_certificate,
        sign_response=signed in ("response", "both"),
        sign_assertion=signed in ("assertion", "both"),
    )
    assert b"EncryptedAssertion" in base64.b64decode(response)
    params = redirect_params(saml.post_response(response))
    profile = saml.token(params["code"]).get_json()["profile"]
    assert profile["email"] == "jane@acme.test"
    assert profile["groups"] == ["Engineering", "Admins"]
    recorded = db.session.scalars(select(ConnectionSession)).one()
    # The history keeps the assertion as decrypted: that is what the IT admin needs to read.
    assert "jane@acme.test" in recorded.response_payload
    assert recorded.check_results["encryption"] == "passed"


def test_with_encryption_required_a_plain_assertion_is_refused(saml, idp, encryption_certificate):
    saml.connection.saml_require_encrypted_assertions = True
    db.session.commit()
    failed = _refused(saml, _respond(saml, idp, _request_id(saml, idp)), "assertion_not_encrypted")
    assert "requires encrypted assertions" in failed.explanation
    assert "encryption certificate" in failed.explanation


def test_with_encryption_required_an_encrypted_assertion_passes(saml, idp, encryption_certificate):
    saml.connection.saml_require_encrypted_assertions = True
    db.session.commit()
    response = _respond(saml, idp, _request_id(saml, idp), encrypt_to=encryption_certificate)
    assert "code" in redirect_params(saml.post_response(response))


def test_an_assertion_encrypted_to_another_key_is_refused_in_plain_words(
    saml, idp, idp_folder, encryption_certificate
):
    _, _, stranger = make_key_pair(idp_folder, "stranger")
    response = _respond(saml, idp, _request_id(saml, idp), encrypt_to=stranger)
    failed = _refused(saml, response, "undecryptable_assertion")
    assert "does not hold" in failed.explanation and "Upload" in failed.explanation


def test_an_encrypted_assertion_without_any_encryption_key_is_refused(saml, idp, idp_folder):
    _, _, stranger = make_key_pair(idp_folder, "stranger")
    response = _respond(saml, idp, _request_id(saml, idp), encrypt_to=stranger)
    failed = _refused(saml, response, "undecryptable_assertion")
    assert "no encryption certificate" in failed.explanation


def test_a_decrypted_assertion_signed_by_a_forger_is_refused(
    saml, idp, other_key_idp, encryption_certificate
):
    # Encrypting needs only our public certificate: anyone can. The signature still decides.
    other_key_idp.trust_service_provider(*idp.sp_metadata_files)
    response = _respond(
        saml,
        other_key_idp,
        _request_id(saml, idp),
        encrypt_to=encryption_certificate,
        sign_response=False,
    )
    _refused(saml, response, "bad_signature")


def test_a_decrypted_assertion_for_another_service_provider_is_refused(
    saml, idp, encryption_certificate
):
    response = _respond(
        saml,
        idp,
        _request_id(saml, idp),
        encrypt_to=encryption_certificate,
        sp_entity_id="https://other-sp.example.test",
    )
    _refused(saml, response, "wrong_audience")


def test_an_encrypted_assertion_is_used_only_once(saml, idp, encryption_certificate):
    saml.connection.allow_idp_initiated = True
    db.session.commit()
    response = _respond(saml, idp, None, encrypt_to=encryption_certificate)
    assert "code" in redirect_params(saml.post_response(response))
    assert redirect_params(saml.post_response(response))["error"] == "replayed_assertion"
    assert len(db.session.scalars(select(SignInGrant)).all()) == 1


def test_a_plain_assertion_beside_an_encrypted_one_is_refused(saml, idp, encryption_certificate):
    encrypted = _respond(saml, idp, _request_id(saml, idp), encrypt_to=encryption_certificate)
    plain = etree.fromstring(base64.b64decode(_respond(saml, idp, _request_id(saml, idp))))
    root = etree.fromstring(base64.b64decode(encrypted))
    root.append(plain.find(f"{{{SAML}}}Assertion"))
    _refused(saml, base64.b64encode(etree.tostring(root)).decode(), "multiple_assertions")


def test_rsa_1_5_key_transport_is_refused(saml, idp, encryption_certificate):
    response = _respond(saml, idp, _request_id(saml, idp), encrypt_to=encryption_certificate)
    weakened = base64.b64decode(response).replace(
        b"http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
        b"http://www.w3.org/2001/04/xmlenc#rsa-1_5",
    )
    _refused(saml, base64.b64encode(weakened).decode(), "weak_encryption")


def test_a_rotation_overlaps_then_drops_the_old_key(saml, idp, encryption_certificate):
    following = sp_keys.add(saml.connection.id, "encryption")
    assert following.status == "next"
    # Published and already opening assertions before it is promoted.
    metadata = saml.client.get(f"/sso/saml/{saml.connection.id}/metadata").get_data(as_text=True)
    assert _body(following.certificate) in metadata and _body(encryption_certificate) in metadata
    for certificate in (encryption_certificate, following.certificate):
        response = _respond(saml, idp, _request_id(saml, idp), encrypt_to=certificate)
        assert "code" in redirect_params(saml.post_response(response))
    sp_keys.promote(saml.connection.id, "encryption")
    pairs = db.session.scalars(select(SpKeyPair).where(SpKeyPair.use == "encryption")).all()
    assert [(p.id, p.status) for p in pairs] == [(following.id, "active")]
    response = _respond(saml, idp, _request_id(saml, idp), encrypt_to=encryption_certificate)
    params = redirect_params(saml.post_response(response))
    assert params["error"] == "undecryptable_assertion"


def _body(pem: str) -> str:
    return "".join(line for line in pem.strip().splitlines() if "-----" not in line)
