"""Secrets portal must send on (log stream API keys and tokens), encrypted at rest.

Fernet (AES-128-CBC with HMAC-SHA256) under a key derived from SECRET_KEY with HKDF, so a copy
of the database alone does not reveal them. Rotating SECRET_KEY means entering them again.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

PURPOSE = b"portal sealed secrets v1"


def _fernet() -> Fernet:
    secret = current_app.config["SECRET_KEY"].encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def unseal(sealed: str) -> str | None:
    """The secret, or None if it was sealed under another SECRET_KEY (or altered)."""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None
