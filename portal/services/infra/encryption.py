"""Secrets portal must use again later (webhook signing secrets), encrypted at rest.

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with keys derived from SECRET_KEY by
HKDF, so there is no second key to manage. A stored value is `fernet1:<key id>:<token>`: the
key id says which SECRET_KEY sealed it, so after a rotation (the old key moved to
SECRET_KEY_FALLBACKS) old values still open and `flask portal rotate-secrets` re-seals them
under the new key.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from portal.errors import SecretUnreadable

SCHEME = "fernet1"
# Binds the derived key to this use: the same SECRET_KEY signs cookies and links elsewhere.
HKDF_INFO = b"portal/stored-secrets/v1"


def _fernet_key(secret_key: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(derived)


def _key_id(fernet_key: bytes) -> str:
    # A fingerprint of the derived key, not of SECRET_KEY itself; 8 hex digits name it.
    return hashlib.sha256(b"key-id:" + fernet_key).hexdigest()[:8]


def _keys() -> dict[str, Fernet]:
    """Key id -> Fernet, the current SECRET_KEY first, then SECRET_KEY_FALLBACKS."""
    config = current_app.config
    secrets = [config["SECRET_KEY"], *config.get("SECRET_KEY_FALLBACKS", [])]
    keys = {}
    for secret_key in secrets:
        fernet_key = _fernet_key(secret_key)
        keys.setdefault(_key_id(fernet_key), Fernet(fernet_key))
    return keys


def current_key_id() -> str:
    return next(iter(_keys()))


def encrypt(plaintext: str) -> str:
    """Seal `plaintext` under the current SECRET_KEY."""
    key_id, fernet = next(iter(_keys().items()))
    return f"{SCHEME}:{key_id}:{fernet.encrypt(plaintext.encode()).decode()}"


def decrypt(stored: str) -> str:
    """Open a value made by `encrypt` with whichever configured key sealed it."""
    scheme, _, rest = stored.partition(":")
    key_id, _, token = rest.partition(":")
    if scheme != SCHEME or not token:
        raise SecretUnreadable("not an encrypted secret")
    fernet = _keys().get(key_id)
    if fernet is None:
        raise SecretUnreadable(
            f"sealed by key {key_id}, which is neither SECRET_KEY nor in SECRET_KEY_FALLBACKS"
        )
    try:
        return fernet.decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable(f"the value sealed by key {key_id} was altered") from error


def is_current(stored: str) -> bool:
    """Whether `stored` is sealed under the current SECRET_KEY (else rotate it)."""
    return stored.startswith(f"{SCHEME}:{current_key_id()}:")
