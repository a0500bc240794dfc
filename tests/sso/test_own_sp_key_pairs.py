"""A developer's own SP key pairs on create_connection (WorkOS's `sp_signing_key_pair` and
`sp_encryption_key_pairs`): checked, sealed, and then used."""

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import text

from portal.extensions import db
from tests.peers.saml_idp import IDP_ENTITY_ID, IDP_SSO_URL


def _key_pair(bits: int = 2048, days: int = 30) -> dict:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "developer's SP")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return {
        "key": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode(),
        "cert": cert.public_bytes(serialization.Encoding.PEM).decode(),
    }


@pytest.fixture(scope="module")
def pairs():
    return [_key_pair() for _ in range(3)]


def _create(api, org, idp, **saml):
    return api.post(
        "/connections",
        json={
            "organization_id": org.id,
            "connection_type": "GenericSAML",
            "saml_options": {
                "idp_entity_id": IDP_ENTITY_ID,
                "idp_sso_url": IDP_SSO_URL,
                "idp_signing_certs": [idp.certificate],
                **saml,
            },
        },
    )


def test_own_key_pairs_are_kept_sealed_and_served_as_certificates(api, org, idp, pairs):
    signing, *encryption = pairs
    created = _create(
        api, org, idp, sp_signing_key_pair=signing, sp_encryption_key_pairs=encryption
    )
    assert created.status_code == 201, created.get_json()
    connection_id = created.get_json()["id"]
    served = api.get(f"/connections/{connection_id}/saml_sp_signing_cert").get_json()
    assert served["value"] == signing["cert"]
    listed = api.get(f"/connections/{connection_id}/saml_sp_encryption_certs").get_json()
    assert [c["value"] for c in listed["data"]] == [p["cert"] for p in encryption]
    stored = db.session.execute(text("SELECT encrypted_private_key FROM sp_key_pairs")).scalars()
    assert all(s.startswith("fernet1:") and "PRIVATE KEY" not in s for s in stored)
    metadata = api.get(f"/sso/saml/{connection_id}/metadata").get_data(as_text=True)
    assert 'AuthnRequestsSigned="true"' in metadata and "PRIVATE" not in metadata


@pytest.mark.parametrize(
    "bad, words",
    [
        ({"key": "not a key", "cert": "not a cert"}, "Send the PEM private key"),
        ("short", "RSA key of 2048 bits or more"),
        ("mismatched", "not the certificate of this key"),
    ],
)
def test_a_bad_key_pair_is_refused_naming_the_field(api, org, idp, pairs, bad, words):
    if bad == "short":
        bad = _key_pair(bits=1024)
    elif bad == "mismatched":
        bad = {"key": pairs[0]["key"], "cert": pairs[1]["cert"]}
    refused = _create(api, org, idp, sp_encryption_key_pairs=[pairs[2], bad])
    assert refused.status_code == 422
    body = refused.get_json()
    assert words in body["message"]
    assert body["errors"][0]["field"] == "saml_options.sp_encryption_key_pairs.1"
    assert api.get(f"/connections?organization_id={org.id}").get_json()["data"] == []
