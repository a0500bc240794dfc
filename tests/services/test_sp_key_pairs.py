"""portal's SAML SP key pairs: generated once, RSA 2048 with SHA-256 certificates, private keys
never in the clear in the database, and following a SECRET_KEY rotation."""

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from sqlalchemy import text

from portal.extensions import db
from portal.models import SpKeyPair
from portal.services.infra import encryption
from portal.services.sso import sp_keys
from tests.factories import make_organization, make_saml_connection
from tests.peers.saml_idp import SigningIdp


def _connection(tmp_path):
    org = make_organization("Acme", domains=["acme.test"])
    return make_saml_connection(org, SigningIdp(tmp_path))


def test_a_key_pair_is_made_once_and_its_private_key_is_sealed(app, tmp_path):
    connection = _connection(tmp_path)
    pair = sp_keys.ensure_active(connection.id, "signing")
    assert sp_keys.ensure_active(connection.id, "signing").id == pair.id
    stored = db.session.execute(
        text("SELECT encrypted_private_key FROM sp_key_pairs WHERE id = :id"), {"id": pair.id}
    ).scalar_one()
    assert stored.startswith("fernet1:") and "PRIVATE KEY" not in stored
    certificate = x509.load_pem_x509_certificate(pair.certificate.encode())
    assert certificate.public_key().key_size == 2048
    assert certificate.signature_hash_algorithm.name == "sha256"
    # The sealed key is the certificate's: what it signs, the certificate verifies.
    key = serialization.load_pem_private_key(pair.private_key.encode(), None)
    signature = key.sign(b"data", padding.PKCS1v15(), hashes.SHA256())
    certificate.public_key().verify(signature, b"data", padding.PKCS1v15(), hashes.SHA256())


def test_private_keys_follow_a_secret_key_rotation(app, runner, tmp_path):
    connection = _connection(tmp_path)
    pair = sp_keys.ensure_active(connection.id, "encryption")
    private_key = pair.private_key
    old_key = app.config["SECRET_KEY"]
    app.config.update(SECRET_KEY="a-new-secret-key", SECRET_KEY_FALLBACKS=[old_key])

    result = runner.invoke(args=["portal", "rotate-secrets"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 1 SAML SP private key(s)" in result.output

    app.config["SECRET_KEY_FALLBACKS"] = []
    db.session.expire_all()
    reloaded = db.session.get(SpKeyPair, pair.id)
    assert encryption.is_current(reloaded.encrypted_private_key)
    assert reloaded.private_key == private_key
