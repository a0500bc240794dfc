"""portal's own key pairs for a SAML connection: one signs AuthnRequests, the other opens
assertions the IdP encrypted.

Per connection, as WorkOS keeps them (docs/sso.md, "SP certificates"). Each use has one
`active` pair and at most one `next`: the next certificate is published in the SP metadata
first, so IdPs that read the metadata trust it before it is used; promoting it drops the
old pair. An encryption pair opens assertions as soon as it exists, active or next, because
an IdP may start encrypting to a published certificate at any time.

Private keys are generated here (RSA 2048, self-signed SHA-256 certificates), sealed with
`infra.encryption` and opened only to sign or decrypt; nothing returns them to a caller
outside the SAML service provider.
"""

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.errors import Conflict, InvalidInput, NotFound
from portal.extensions import db
from portal.models import SpKeyPair
from portal.services.infra import encryption, tenancy

USES = ("signing", "encryption")
KEY_SIZE = 2048
# Long enough that nobody is forced into a rotation; a rotation is there when one is wanted.
VALIDITY = timedelta(days=5 * 365)


def key_pairs(connection_id: str, use: str | None = None) -> list[SpKeyPair]:
    """The connection's key pairs (of one use), oldest first."""
    query = select(SpKeyPair).where(SpKeyPair.connection_id == connection_id)
    if use:
        query = query.where(SpKeyPair.use == use)
    return list(db.session.scalars(query.order_by(SpKeyPair.id)))


def active(connection_id: str, use: str) -> SpKeyPair | None:
    return next((p for p in key_pairs(connection_id, use) if p.status == "active"), None)


def ensure_active(connection_id: str, use: str) -> SpKeyPair:
    """The active pair of this use, generated and saved on first use (commits)."""
    existing = active(connection_id, use)
    if existing is not None:
        return existing
    pair = _generate(connection_id, use, "active")
    db.session.add(pair)
    try:
        db.session.commit()
    except IntegrityError:
        # Another request made it first: use that one.
        db.session.rollback()
        return active(connection_id, use)
    return pair


def add(connection_id: str, use: str) -> SpKeyPair:
    """A new pair: the active one if there is none, else the next one (commits)."""
    pairs = key_pairs(connection_id, use)
    if not pairs:
        return ensure_active(connection_id, use)
    if len(pairs) > 1:
        raise Conflict(
            f"This connection already has a next {use} certificate: promote it (or delete "
            "one) before adding another.",
            code=_too_many_code(use),
        )
    pair = _generate(connection_id, use, "next" if pairs[0].status == "active" else "active")
    db.session.add(pair)
    _commit_or_conflict(use)
    return pair


def promote(connection_id: str, use: str) -> SpKeyPair:
    """Make the next pair active and drop the old active one (commits)."""
    pairs = {p.status: p for p in key_pairs(connection_id, use)}
    if "next" not in pairs:
        raise Conflict(
            f"There is no next {use} certificate to switch to: add one first.",
            code="no_next_certificate",
        )
    if "active" in pairs:
        db.session.delete(pairs["active"])
        db.session.flush()
    pairs["next"].status = "active"
    db.session.commit()
    return pairs["next"]


def remove(connection_id: str, key_pair_id: str, use: str) -> None:
    """Delete one pair; if it was the active one, the next one (if any) takes its place."""
    pair = key_pair_of(connection_id, key_pair_id)
    if pair.use != use:
        raise NotFound(f"Certificate not found: '{key_pair_id}'.", entity_id=key_pair_id)
    was_active = pair.status == "active"
    db.session.delete(pair)
    db.session.flush()
    successor = next((p for p in key_pairs(connection_id, use) if p.status == "next"), None)
    if was_active and successor is not None:
        successor.status = "active"
    db.session.commit()


def key_pair_of(connection_id: str, key_pair_id: str) -> SpKeyPair:
    """One of the connection's pairs; another connection's is not found."""
    return tenancy.owned(
        SpKeyPair, key_pair_id, connection_id, owner="connection_id", noun="Certificate"
    )


def decryption_keys(connection_id: str) -> list[tuple[str, str]]:
    """(certificate, private key) of each pair that may open an encrypted assertion: the
    active one first, then the next one."""
    pairs = sorted(key_pairs(connection_id, "encryption"), key=lambda p: p.status != "active")
    return [(p.certificate, p.private_key) for p in pairs]


def reencrypt_secrets() -> int:
    """Seal every SP private key under the current SECRET_KEY; returns how many changed."""
    changed = 0
    for pair in db.session.scalars(select(SpKeyPair)):
        if not encryption.is_current(pair.encrypted_private_key):
            pair.private_key = pair.private_key
            changed += 1
    db.session.commit()
    return changed


def imported(connection_id: str, use: str, status: str, key_pem: str, cert_pem: str, field: str):
    """A key pair the developer brings (WorkOS's `sp_signing_key_pair` and
    `sp_encryption_key_pairs`), checked: an RSA key of 2048 bits or more, and the
    certificate of that very key, valid now. Not saved: the caller adds it."""
    try:
        certificate = x509.load_pem_x509_certificate(cert_pem.encode())
        key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    except (ValueError, TypeError):
        raise InvalidInput(
            "Send the PEM private key (unencrypted) as `key` and its PEM X.509 certificate "
            "as `cert`.",
            field=field,
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < KEY_SIZE:
        raise InvalidInput(f"The key must be an RSA key of {KEY_SIZE} bits or more.", field=field)
    if certificate.public_key() != key.public_key():
        raise InvalidInput("The certificate is not the certificate of this key.", field=field)
    now = datetime.now(UTC)
    if not certificate.not_valid_before_utc <= now < certificate.not_valid_after_utc:
        raise InvalidInput("The certificate is not valid now.", field=field)
    pair = SpKeyPair(
        connection_id=connection_id,
        use=use,
        status=status,
        certificate=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )
    pair.private_key = _pem(key)
    return pair


def _generate(connection_id: str, use: str, status: str) -> SpKeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    common_name = f"portal SP {use} {connection_id}"[:64]
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC).replace(microsecond=0)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .sign(key, hashes.SHA256())
    )
    pair = SpKeyPair(
        connection_id=connection_id,
        use=use,
        status=status,
        certificate=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )
    pair.private_key = _pem(key)
    return pair


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _commit_or_conflict(use: str) -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            f"Another request added a {use} certificate at the same moment; list them again.",
            code=_too_many_code(use),
        ) from None


def _too_many_code(use: str) -> str:
    # WorkOS's codes: a connection signs with one pair, and holds a bounded set for decryption.
    return "sp_signing_cert_already_exists" if use == "signing" else "too_many_sp_encryption_certs"
